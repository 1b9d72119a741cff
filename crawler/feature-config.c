/* crawler/feature-config.c (being written). */
#include "crawler/crawler.h"

gboolean
crawl_feature_config (CrawlContext *ctx, CrawlTarget *t, json_t *items, GError **error)
{
  return TRUE;
}
