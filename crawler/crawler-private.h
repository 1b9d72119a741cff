/* crawler/crawler-private.h: what crawler/ files share and nothing else
 * sees: the emitter vtable (built-in and plugin emitters fill it). */
#pragma once

#include "crawler/crawler.h"

struct CrawlEmitter {
  const char *kind;            /* "stdout", "file", "http", "index", or a plugin's name */
  CrawlFormat format;
  gboolean (*emit) (CrawlEmitter *e, json_t *frame, GError **error);
  gboolean (*close) (CrawlEmitter *e, GError **error);  /* may be NULL */
  void (*free) (CrawlEmitter *e);                        /* frees e itself */
};
