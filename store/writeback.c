/* store/writeback.c: writing the store's dirty pages out while an import
 * runs.
 *
 * An import is made durable at its end: libostree's commit syncs the
 * filesystem before it moves any ref, and kept blobs are synced before they
 * get their name. Left alone, the kernel keeps a layer's new objects as
 * dirty pages (its own writeback starts only at gigabytes of dirty data on
 * a machine with much memory), and the sync at the end writes them all
 * while the import waits: on the minbase layer that tail was 0.8 s of a
 * 1.8 s import. So while a layer's files are written, a thread of its own
 * syncs the filesystem over and over, and the disk writes during the
 * import what it would write after it; once the layer's objects are out it
 * syncs one last time, while the importing thread builds the trees and
 * commits. The syncs that make the import durable stay where they are and
 * find little left to do. Nothing here decides durability: a repo with
 * fsync turned off gets no early writeback either.
 */
#include "store/store-private.h"

#include <unistd.h>

/* Between two syncs; a sync of a filesystem with nothing dirty costs about
 * a millisecond. */
#define WRITEBACK_INTERVAL_US (100 * 1000)

struct StoreWriteback {
  GThread *thread;
  int dfd;
  GMutex lock;
  GCond cond;
  gboolean last;          /* the layer's files are out: one more sync, then stop */
};

static gpointer
writeback_thread (gpointer user)
{
  StoreWriteback *w = user;
  for (;;)
    {
      g_mutex_lock (&w->lock);
      gint64 until = g_get_monotonic_time () + WRITEBACK_INTERVAL_US;
      while (!w->last && g_cond_wait_until (&w->cond, &w->lock, until))
        ;
      gboolean last = w->last;
      g_mutex_unlock (&w->lock);
      /* Errors surface again, and count, in the syncs that make it durable. */
      (void) syncfs (w->dfd);
      if (last)
        return NULL;
    }
}

void
store_writeback_begin (CtrStore *s)
{
  store_writeback_wait (s);
  if (ostree_repo_get_disable_fsync (s->repo))
    return;
  StoreWriteback *w = g_new0 (StoreWriteback, 1);
  w->dfd = s->dfd;
  g_mutex_init (&w->lock);
  g_cond_init (&w->cond);
  w->thread = g_thread_new ("ctrgit-writeback", writeback_thread, w);
  s->writeback = w;
}

void
store_writeback_end (CtrStore *s)
{
  StoreWriteback *w = s->writeback;
  if (!w)
    return;
  g_mutex_lock (&w->lock);
  w->last = TRUE;
  g_cond_signal (&w->cond);
  g_mutex_unlock (&w->lock);
}

void
store_writeback_wait (CtrStore *s)
{
  StoreWriteback *w = g_steal_pointer (&s->writeback);
  if (!w)
    return;
  store_writeback_end (&(CtrStore){ .writeback = w });
  g_thread_join (w->thread);
  g_mutex_clear (&w->lock);
  g_cond_clear (&w->cond);
  g_free (w);
}
