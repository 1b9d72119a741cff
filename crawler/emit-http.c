/* crawler/emit-http.c (being written). */
#include "crawler/crawler-private.h"

CrawlEmitter *
crawl_emitter_http_new (const char *url, CrawlFormat fmt, GError **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "http emitter: not yet");
  return NULL;
}
