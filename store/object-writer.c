/* store/object-writer.c: writing content objects on the other core.
 *
 * Creating an object is mostly kernel work (a new inode, its data, an
 * xattr) and OSTree re-hashes what it writes; the tar parse and our own
 * hashing are on the importing thread. Handing writes to worker threads lets
 * both cores work. Queued bytes are bounded so memory stays small.
 */
#include "store/store-private.h"

#include <string.h>

#define WRITER_THREADS 2
#define WRITER_MAX_QUEUED (32 * 1024 * 1024)

struct StoreObjectWriter {
  OstreeRepo *repo;
  GCancellable *cancellable;
  GThreadPool *pool;
  GMutex lock;
  GCond drained;
  gsize queued;           /* bytes handed out and not yet written */
  GError *error;          /* the first failure of a worker */
  GHashTable *seen;       /* checksums written or queued (importing thread only) */
  guint64 written;
};

typedef struct {
  char checksum[65];
  guint32 uid, gid, mode;
  GVariant *xattrs;
  GBytes *data;
} Job;

static void
job_free (Job *j)
{
  g_variant_unref (j->xattrs);
  g_bytes_unref (j->data);
  g_free (j);
}

static void
run_job (gpointer data, gpointer user)
{
  Job *j = data;
  StoreObjectWriter *w = user;
  g_autoptr(GError) local = NULL;
  gsize len;
  const guint8 *buf = g_bytes_get_data (j->data, &len);
  gboolean failed;
  g_mutex_lock (&w->lock);
  failed = w->error != NULL;
  g_mutex_unlock (&w->lock);
  g_autofree char *got = failed ? NULL
      : ostree_repo_write_regfile_inline (w->repo, j->checksum, j->uid, j->gid, j->mode, j->xattrs,
                                          buf, len, w->cancellable, &local);
  g_mutex_lock (&w->lock);
  if (!failed && !got && !w->error)
    w->error = g_steal_pointer (&local);
  w->queued -= len;
  g_cond_broadcast (&w->drained);
  g_mutex_unlock (&w->lock);
  job_free (j);
}

StoreObjectWriter *
store_object_writer_new (OstreeRepo *repo, GCancellable *cancellable)
{
  StoreObjectWriter *w = g_new0 (StoreObjectWriter, 1);
  w->repo = g_object_ref (repo);
  w->cancellable = cancellable ? g_object_ref (cancellable) : NULL;
  g_mutex_init (&w->lock);
  g_cond_init (&w->drained);
  w->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  w->pool = g_thread_pool_new (run_job, w, WRITER_THREADS, FALSE, NULL);
  return w;
}

static gboolean
take_error (StoreObjectWriter *w, GError **error)
{
  if (!w->error)
    return TRUE;
  g_propagate_error (error, g_steal_pointer (&w->error));
  return FALSE;
}

gboolean
store_object_writer_put (StoreObjectWriter *w, const char *checksum, guint32 uid, guint32 gid,
                         guint32 mode, GVariant *xattrs, GBytes *data, GError **error)
{
  if (g_hash_table_contains (w->seen, checksum))
    return TRUE;
  gboolean have = FALSE;
  if (!ostree_repo_has_object (w->repo, OSTREE_OBJECT_TYPE_FILE, checksum, &have,
                               w->cancellable, error))
    return FALSE;
  g_hash_table_add (w->seen, g_strdup (checksum));
  if (have)
    return TRUE;
  gsize len = g_bytes_get_size (data);
  g_mutex_lock (&w->lock);
  while (w->queued > 0 && w->queued + len > WRITER_MAX_QUEUED && !w->error)
    g_cond_wait (&w->drained, &w->lock);
  gboolean ok = take_error (w, error);
  if (ok)
    w->queued += len;
  g_mutex_unlock (&w->lock);
  if (!ok)
    return FALSE;
  Job *j = g_new0 (Job, 1);
  memcpy (j->checksum, checksum, sizeof j->checksum);
  j->uid = uid;
  j->gid = gid;
  j->mode = mode;
  j->xattrs = g_variant_ref (xattrs);
  j->data = g_bytes_ref (data);
  w->written++;
  g_thread_pool_push (w->pool, j, NULL);
  return TRUE;
}

gboolean
store_object_writer_finish (StoreObjectWriter *w, GError **error)
{
  g_mutex_lock (&w->lock);
  while (w->queued > 0)
    g_cond_wait (&w->drained, &w->lock);
  gboolean ok = take_error (w, error);
  g_mutex_unlock (&w->lock);
  return ok;
}

guint64
store_object_writer_count (StoreObjectWriter *w)
{
  return w->written;
}

void
store_object_writer_free (StoreObjectWriter *w)
{
  if (!w)
    return;
  /* Waits for queued jobs: they reference the repo and our buffers. */
  g_thread_pool_free (w->pool, FALSE, TRUE);
  g_clear_error (&w->error);
  g_hash_table_unref (w->seen);
  g_mutex_clear (&w->lock);
  g_cond_clear (&w->drained);
  g_clear_object (&w->cancellable);
  g_object_unref (w->repo);
  g_free (w);
}
