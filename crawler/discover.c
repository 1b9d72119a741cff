/* crawler/discover.c (being written). */
#include "crawler/crawler.h"

gboolean
crawl_discover (const char *proc, GPtrArray **out, GError **error)
{
  *out = g_ptr_array_new_with_free_func ((GDestroyNotify) crawl_target_free);
  return TRUE;
}

CrawlTarget *
crawl_target_new_host (const char *proc, GError **error)
{
  CrawlTarget *t = g_new0 (CrawlTarget, 1);
  t->kind = CRAWL_TARGET_HOST;
  t->id = g_strdup ("host");
  t->proc = g_strdup (proc ? proc : "/proc");
  t->pid = 1;
  t->root_fd = -1;
  return t;
}

CrawlTarget *
crawl_find (GPtrArray *found, const char *which, GError **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no container \"%s\"", which);
  return NULL;
}

gboolean
crawl_cgroup_parse (const char *text, char **out_id, char **out_runtime, char **out_path)
{
  return FALSE;
}

gboolean
crawl_mountinfo_overlay (const char *text, char **out_upper, char ***out_lowers, char **out_work)
{
  return FALSE;
}

gboolean
crawl_target_alive (CrawlTarget *t)
{
  return TRUE;
}
