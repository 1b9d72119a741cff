/* crawler/emit.c: where frames go. An emitter is picked by its spec
 * ("stdout", "file:DIR", "http://...", "index", or a plugin's "NAME:ARGS")
 * and then only sees frames; each kind lives in its own emit-*.c. */
#include "crawler/crawler-private.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static gboolean
stdout_emit (CrawlEmitter *e, json_t *frame, GError **error)
{
  g_autoptr(GString) s = g_string_new ("");
  crawl_format_frame (frame, e->format, s);
  if (fwrite (s->str, 1, s->len, stdout) != s->len || fflush (stdout) != 0)
    {
      int err = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (err), "stdout: %s",
                   g_strerror (err));
      return FALSE;
    }
  return TRUE;
}

static void
stdout_free (CrawlEmitter *e)
{
  g_free (e);
}

static CrawlEmitter *
stdout_new (CrawlFormat fmt)
{
  CrawlEmitter *e = g_new0 (CrawlEmitter, 1);
  e->kind = "stdout";
  e->format = fmt;
  e->emit = stdout_emit;
  e->free = stdout_free;
  return e;
}

CrawlEmitter *
crawl_emitter_new_with_plugins (const char *spec, CrawlFormat fmt, CtrStore *store,
                                GPtrArray *plugins, GError **error)
{
  if (!spec || !*spec)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "empty emitter spec");
      return NULL;
    }
  if (strcmp (spec, "stdout") == 0 || strcmp (spec, "-") == 0)
    return stdout_new (fmt);
  if (g_str_has_prefix (spec, "file:"))
    return crawl_emitter_file_new (spec + strlen ("file:"), fmt, error);
  if (g_str_has_prefix (spec, "http://") || g_str_has_prefix (spec, "https://"))
    return crawl_emitter_http_new (spec, fmt, error);
  if (strcmp (spec, "index") == 0)
    {
      if (!store)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       "emitter \"index\" needs a store (run `ctrgit init`)");
          return NULL;
        }
      return crawl_emitter_index_new (store, error);
    }
  if (plugins)
    {
      GError *local = NULL;
      CrawlEmitter *e = crawl_plugins_emitter (plugins, spec, &local);
      if (e || local)
        {
          if (local)
            g_propagate_error (error, local);
          return e;
        }
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "unknown emitter \"%s\": use stdout, file:DIR, http://HOST:PORT/PATH, index "
               "or a plugin's NAME:ARGS", spec);
  return NULL;
}

CrawlEmitter *
crawl_emitter_new (const char *spec, CrawlFormat fmt, CtrStore *store, GError **error)
{
  return crawl_emitter_new_with_plugins (spec, fmt, store, NULL, error);
}

gboolean
crawl_emitter_emit (CrawlEmitter *e, json_t *frame, GError **error)
{
  if (!e->emit (e, frame, error))
    {
      g_prefix_error (error, "emitter %s: ", e->kind);
      return FALSE;
    }
  return TRUE;
}

gboolean
crawl_emitter_close (CrawlEmitter *e, GError **error)
{
  if (e->close && !e->close (e, error))
    {
      g_prefix_error (error, "emitter %s: ", e->kind);
      return FALSE;
    }
  return TRUE;
}

void
crawl_emitter_free (CrawlEmitter *e)
{
  if (e)
    e->free (e);
}
