/* crawler/index.c (being written). */
#include "crawler/crawler.h"

CrawlIndex *
crawl_index_open (CtrStore *store, gboolean create, GError **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "no index yet");
  return NULL;
}

CrawlIndex *
crawl_index_open_path (const char *path, gboolean create, GError **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "no index yet");
  return NULL;
}

gboolean
crawl_index_add (CrawlIndex *idx, json_t *frame, GError **error)
{
  return TRUE;
}

json_t *
crawl_index_search (CrawlIndex *idx, const char *query, char **facets, guint limit, GError **error)
{
  return json_object ();
}

void
crawl_index_free (CrawlIndex *idx)
{
}
