/* crawler/emit-index.c: frames into the store's frame index, which
 * `ctrgit search` queries (crawler/index.c). */
#include "crawler/crawler-private.h"

typedef struct {
  CrawlEmitter base;
  CrawlIndex *index;
} IndexEmitter;

static gboolean
index_emit (CrawlEmitter *base, json_t *frame, GError **error)
{
  return crawl_index_add (((IndexEmitter *) base)->index, frame, error);
}

static void
index_free (CrawlEmitter *base)
{
  IndexEmitter *e = (IndexEmitter *) base;
  crawl_index_free (e->index);
  g_free (e);
}

CrawlEmitter *
crawl_emitter_index_new (CtrStore *store, GError **error)
{
  /* Opened now, before the crawl's sandbox, so the database and its
   * journal files exist by the time frames arrive. */
  CrawlIndex *idx = crawl_index_open (store, TRUE, error);
  if (!idx)
    return NULL;
  IndexEmitter *e = g_new0 (IndexEmitter, 1);
  e->base.kind = "index";
  e->base.format = CRAWL_FORMAT_JSON;
  e->base.emit = index_emit;
  e->base.free = index_free;
  e->index = idx;
  return &e->base;
}
