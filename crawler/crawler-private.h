/* crawler/crawler-private.h: what crawler/ files share and nothing else
 * sees: the emitter vtable (built-in and plugin emitters fill it). */
#pragma once

#include "crawler/crawler.h"

/* openat2(2) from root with the given RESOLVE_* flags, retried on EINTR
 * and EAGAIN; a leading '/' is relative to root. -1 with errno set. */
int crawl_openat2 (int root, const char *path, int flags, guint64 resolve);
/* Reads a whole host file (not inside a container), at most max bytes. */
gboolean crawl_path_read (const char *path, gsize max, char **out, gsize *out_len,
                          GError **error);

struct CrawlEmitter {
  const char *kind;            /* "stdout", "file", "http", "index", or a plugin's name */
  CrawlFormat format;
  gboolean (*emit) (CrawlEmitter *e, json_t *frame, GError **error);
  gboolean (*close) (CrawlEmitter *e, GError **error);  /* may be NULL */
  void (*free) (CrawlEmitter *e);                        /* frees e itself */
};

/* The built-in emitters (crawler/emit-file.c, emit-http.c, emit-index.c);
 * crawl_emitter_new picks one by its spec. */
CrawlEmitter *crawl_emitter_file_new (const char *arg, CrawlFormat fmt, GError **error);
CrawlEmitter *crawl_emitter_http_new (const char *url, CrawlFormat fmt, GError **error);
CrawlEmitter *crawl_emitter_index_new (CtrStore *store, GError **error);

/* Calls fn for each item of frame, in frame order (crawler/format.c). In a
 * delta frame, delta is "added", "changed" or "removed" (item NULL then);
 * in a full frame it is NULL. */
typedef void (*CrawlItemFunc) (const char *feature, const char *key, json_t *item,
                               const char *delta, void *user);
void crawl_frame_foreach_item (json_t *frame, CrawlItemFunc fn, void *user);

/* How frames are written everywhere: compact, and reals with 15 significant
 * digits, so 0.04 prints as 0.04, not 0.040000000000000001. 17 digits would
 * round-trip every double; the reals in frames are measurements (seconds,
 * ratios) for which 15 digits lose nothing a reader can use. */
#define CRAWL_JSON_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION (15))
