/* crawler/feature-connection.c (being written). */
#include "crawler/crawler.h"

gboolean
crawl_feature_connection (CrawlContext *ctx, CrawlTarget *t, json_t *items, GError **error)
{
  return TRUE;
}
