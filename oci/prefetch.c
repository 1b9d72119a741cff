/* oci/prefetch.c: reading a stream one step ahead, on another thread.
 *
 * A layer's inflate and its blob's SHA-256 run in the prefetch thread
 * while the importing thread parses tar, hashes the tar (the diff_id) and
 * its files and hands out writes: the work of one blob spreads over both
 * cores. With the tar's hash on the prefetch thread too, that thread was
 * the longest path of a pull; on the importing thread it is hashed
 * together with the files (oci_sha256_update_both). Eight 1 MiB chunks
 * circulate between a free and a full queue, which bounds memory.
 */
#include "oci/oci-stream.h"

#define CHUNK (1024 * 1024)
#define CHUNKS 8

typedef struct {
  guint8 *data;
  gsize len, pos;
  gboolean last;     /* end of stream, or error set */
  GError *error;
} Chunk;

struct OciPrefetch {
  OciReadFunc source;
  void *source_user;
  GAsyncQueue *free_q, *full_q;
  GThread *thread;
  Chunk *cur;
  gboolean last_seen;
  gint stop;
};

static gpointer
prefetch_thread (gpointer user)
{
  OciPrefetch *p = user;
  for (;;)
    {
      Chunk *c = g_async_queue_pop (p->free_q);
      c->len = c->pos = 0;
      if (g_atomic_int_get (&p->stop))
        c->last = TRUE;
      while (!c->last && c->len < CHUNK)
        {
          gssize n = p->source (p->source_user, c->data + c->len, CHUNK - c->len, &c->error);
          if (n <= 0)
            c->last = TRUE;
          else
            c->len += n;
        }
      gboolean last = c->last;
      g_async_queue_push (p->full_q, c);
      if (last)
        return NULL;
    }
}

OciPrefetch *
oci_prefetch_new (OciReadFunc source, void *source_user)
{
  OciPrefetch *p = g_new0 (OciPrefetch, 1);
  p->source = source;
  p->source_user = source_user;
  p->free_q = g_async_queue_new ();
  p->full_q = g_async_queue_new ();
  for (int i = 0; i < CHUNKS; i++)
    {
      Chunk *c = g_new0 (Chunk, 1);
      c->data = g_malloc (CHUNK);
      g_async_queue_push (p->free_q, c);
    }
  p->thread = g_thread_new ("ctrgit-prefetch", prefetch_thread, p);
  return p;
}

/* A chunk goes back to the thread only at the next call, so the bytes
 * lent stay there until then. */
gssize
oci_prefetch_borrow (void *user, const guint8 **buf, gsize max, GError **error)
{
  OciPrefetch *p = user;
  for (;;)
    {
      if (!p->cur)
        {
          p->cur = g_async_queue_pop (p->full_q);
          /* The thread has stopped once its last chunk is out. */
          if (p->cur->last)
            p->last_seen = TRUE;
        }
      Chunk *c = p->cur;
      if (c->pos < c->len)
        {
          gsize n = MIN (max, c->len - c->pos);
          *buf = c->data + c->pos;
          c->pos += n;
          return n;
        }
      if (c->last)
        {
          /* Kept as the current chunk: every later read ends here too. */
          if (c->error)
            {
              g_propagate_error (error, g_steal_pointer (&c->error));
              return -1;
            }
          return 0;
        }
      p->cur = NULL;
      g_async_queue_push (p->free_q, c);
    }
}

static void
chunk_free (gpointer data)
{
  Chunk *c = data;
  g_clear_error (&c->error);
  g_free (c->data);
  g_free (c);
}

void
oci_prefetch_free (OciPrefetch *p)
{
  if (!p)
    return;
  /* Stop the thread: it may wait for a free chunk, so keep handing them
   * back until it has pushed its last one. */
  g_atomic_int_set (&p->stop, 1);
  if (p->cur)
    {
      g_async_queue_push (p->free_q, p->cur);
      p->cur = NULL;
    }
  while (!p->last_seen)
    {
      Chunk *c = g_async_queue_pop (p->full_q);
      p->last_seen = c->last;
      g_async_queue_push (p->free_q, c);
    }
  g_thread_join (p->thread);
  Chunk *c;
  while ((c = g_async_queue_try_pop (p->free_q)))
    chunk_free (c);
  while ((c = g_async_queue_try_pop (p->full_q)))
    chunk_free (c);
  g_async_queue_unref (p->free_q);
  g_async_queue_unref (p->full_q);
  g_free (p);
}
