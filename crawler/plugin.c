/* crawler/plugin.c (being written). */
#include "crawler/crawler.h"

gboolean
crawl_plugins_load (const char *dir, GPtrArray **out, GError **error)
{
  *out = g_ptr_array_new ();
  return TRUE;
}

gboolean
crawl_plugins_find_feature (GPtrArray *plugins, const char *name)
{
  return FALSE;
}

gboolean
crawl_plugins_crawl (GPtrArray *plugins, const char *name, CrawlTarget *t, json_t *items,
                     GError **error)
{
  return TRUE;
}

CrawlEmitter *
crawl_plugins_emitter (GPtrArray *plugins, const char *spec, GError **error)
{
  return NULL;
}
