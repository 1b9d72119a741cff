/* crawler/feature-file.c (being written). */
#include "crawler/crawler.h"

gboolean
crawl_feature_file (CrawlContext *ctx, CrawlTarget *t, json_t *items, GError **error)
{
  return TRUE;
}
