/* crawler/feature-os.c (being written). */
#include "crawler/crawler.h"

gboolean
crawl_feature_os (CrawlContext *ctx, CrawlTarget *t, json_t *items, GError **error)
{
  return TRUE;
}
