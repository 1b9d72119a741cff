/* crawler/feature-interface.c (being written). */
#include "crawler/crawler.h"

gboolean
crawl_feature_interface (CrawlContext *ctx, CrawlTarget *t, json_t *items, GError **error)
{
  return TRUE;
}
