/* crawler/feature-package.c (being written). */
#include "crawler/crawler.h"

gboolean
crawl_feature_package (CrawlContext *ctx, CrawlTarget *t, json_t *items, GError **error)
{
  return TRUE;
}
