/* store/writeback.c: starting the store's writeback early.
 *
 * An import is made durable at its end: libostree's commit syncs the
 * filesystem before it moves any ref, and kept blobs are synced before they
 * get their name. Until then the kernel holds the new objects as dirty
 * pages, and the sync at the end would write them all while one thread
 * waits. Starting that writeback as soon as a layer's files are out, on a
 * thread of its own, lets the disk work while the importing thread builds
 * the trees and commits; the syncs that make the import durable stay where
 * they are and find little left to do. Nothing here decides durability: a
 * repo with fsync turned off gets no early writeback either.
 */
#include "store/store-private.h"

#include <unistd.h>

static gpointer
writeback_thread (gpointer user)
{
  CtrStore *s = user;
  /* Errors surface again, and count, in the syncs that make it durable. */
  (void) syncfs (s->dfd);
  return NULL;
}

void
store_writeback_start (CtrStore *s)
{
  if (ostree_repo_get_disable_fsync (s->repo))
    return;
  store_writeback_wait (s);
  s->writeback = g_thread_new ("ctrgit-writeback", writeback_thread, s);
}

void
store_writeback_wait (CtrStore *s)
{
  if (s->writeback)
    g_thread_join (g_steal_pointer (&s->writeback));
}
