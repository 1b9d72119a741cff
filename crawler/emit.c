/* crawler/emit.c (being written). */
#include "crawler/crawler-private.h"

#include <stdio.h>

static gboolean
stdout_emit (CrawlEmitter *e, json_t *frame, GError **error)
{
  g_autoptr(GString) s = g_string_new ("");
  crawl_format_frame (frame, e->format, s);
  fwrite (s->str, 1, s->len, stdout);
  return TRUE;
}

static void
stdout_free (CrawlEmitter *e)
{
  g_free (e);
}

CrawlEmitter *
crawl_emitter_new (const char *spec, CrawlFormat fmt, CtrStore *store, GError **error)
{
  CrawlEmitter *e = g_new0 (CrawlEmitter, 1);
  e->kind = "stdout";
  e->format = fmt;
  e->emit = stdout_emit;
  e->free = stdout_free;
  return e;
}

gboolean
crawl_emitter_emit (CrawlEmitter *e, json_t *frame, GError **error)
{
  return e->emit (e, frame, error);
}

gboolean
crawl_emitter_close (CrawlEmitter *e, GError **error)
{
  return e->close ? e->close (e, error) : TRUE;
}

void
crawl_emitter_free (CrawlEmitter *e)
{
  if (e)
    e->free (e);
}
