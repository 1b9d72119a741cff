/* crawler/feature-process.c (being written). */
#include "crawler/crawler.h"

gboolean
crawl_feature_process (CrawlContext *ctx, CrawlTarget *t, json_t *items, GError **error)
{
  return TRUE;
}
