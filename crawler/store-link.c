/* crawler/store-link.c (being written). */
#include "crawler/crawler.h"

gboolean
crawl_store_link (CtrStore *store, CrawlTarget *t, GError **error)
{
  return FALSE;
}
