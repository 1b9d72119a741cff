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

typedef enum {
  WRITEBACK_IDLE,         /* between layers: nothing to do */
  WRITEBACK_PACING,       /* a layer's files are being written: sync often */
  WRITEBACK_LAST,         /* they are out: sync once more, then idle */
  WRITEBACK_STOP,
} WritebackState;

/* One thread per store handle, kept across the layers of an import: the
 * next layer starts while the last sync of the one before still runs. */
struct StoreWriteback {
  GThread *thread;
  int dfd;
  GMutex lock;
  GCond cond;
  WritebackState state;
};

static gpointer
writeback_thread (gpointer user)
{
  StoreWriteback *w = user;
  g_mutex_lock (&w->lock);
  while (w->state != WRITEBACK_STOP)
    {
      if (w->state == WRITEBACK_IDLE)
        {
          g_cond_wait (&w->cond, &w->lock);
          continue;
        }
      gint64 until = g_get_monotonic_time () + WRITEBACK_INTERVAL_US;
      while (w->state == WRITEBACK_PACING && g_cond_wait_until (&w->cond, &w->lock, until))
        ;
      if (w->state == WRITEBACK_STOP || w->state == WRITEBACK_IDLE)
        continue;
      WritebackState was = w->state;
      g_mutex_unlock (&w->lock);
      /* Errors surface again, and count, in the syncs that make it durable. */
      (void) syncfs (w->dfd);
      g_mutex_lock (&w->lock);
      if (was == WRITEBACK_LAST && w->state == WRITEBACK_LAST)
        w->state = WRITEBACK_IDLE;
    }
  g_mutex_unlock (&w->lock);
  return NULL;
}

static void
writeback_set (StoreWriteback *w, WritebackState state)
{
  g_mutex_lock (&w->lock);
  w->state = state;
  g_cond_signal (&w->cond);
  g_mutex_unlock (&w->lock);
}

void
store_writeback_begin (CtrStore *s)
{
  if (ostree_repo_get_disable_fsync (s->repo))
    return;
  if (s->writeback)
    {
      writeback_set (s->writeback, WRITEBACK_PACING);
      return;
    }
  StoreWriteback *w = g_new0 (StoreWriteback, 1);
  w->dfd = s->dfd;
  w->state = WRITEBACK_PACING;
  g_mutex_init (&w->lock);
  g_cond_init (&w->cond);
  w->thread = g_thread_new ("ctrgit-writeback", writeback_thread, w);
  s->writeback = w;
}

void
store_writeback_end (CtrStore *s)
{
  if (s->writeback)
    writeback_set (s->writeback, WRITEBACK_LAST);
}

void
store_writeback_stop (CtrStore *s)
{
  StoreWriteback *w = g_steal_pointer (&s->writeback);
  if (!w)
    return;
  writeback_set (w, WRITEBACK_STOP);
  g_thread_join (w->thread);
  g_mutex_clear (&w->lock);
  g_cond_clear (&w->cond);
  g_free (w);
}
