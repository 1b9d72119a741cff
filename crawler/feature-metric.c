/* crawler/feature-metric.c (being written). */
#include "crawler/crawler.h"

gboolean
crawl_feature_metric (CrawlContext *ctx, CrawlTarget *t, json_t *items, GError **error)
{
  return TRUE;
}
