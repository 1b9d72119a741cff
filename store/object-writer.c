/* store/object-writer.c: writing content objects on the other core.
 *
 * Creating an object is mostly kernel work (a new inode, its data, an
 * xattr); the tar parse and our own hashing are on the importing thread.
 * Handing writes to worker threads lets both cores work. Queued bytes are
 * bounded so memory stays small.
 *
 * In bare-user repos the object is written the way libostree lays it out
 * (repo/objects/XX/REST.file, owner and mode in the user.ostreemeta xattr),
 * straight into place: libostree would hash the bytes again with GLib's
 * portable SHA-256 (we already have the checksum, from OpenSSL) and stage
 * every object to rename it once more at commit. An object linked in by an
 * import that then fails is unreferenced, which gc removes; `ostree fsck`
 * and our fsck read these objects like any other. Archive repos go through
 * libostree, which compresses.
 */
#include "store/store-private.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#define WRITER_THREADS 2
/* Bytes of small files waiting for the writer threads. 16 MiB against 32:
 * import of the Debian minbase 3.80 s against 3.73 s (medians of 7,
 * interleaved, within noise), peak RSS 59 MB against 78 MB; pull peaks
 * follow, since pull imports through the same writer. */
#define WRITER_MAX_QUEUED (16 * 1024 * 1024)
/* Objects go to the workers in batches: a handoff costs futex calls on
 * both sides (GLib's GCond signals through the kernel even when nobody
 * waits), three and a half per object before. */
#define BATCH_JOBS 32
#define BATCH_BYTES (512 * 1024)

struct StoreObjectWriter {
  OstreeRepo *repo;
  gboolean direct;        /* bare-user: write objects ourselves */
  int tmp_dfd, objects_dfd;
  mode_t umask;           /* the process's, read once */
  GCancellable *cancellable;
  GThreadPool *pool;
  GMutex lock;
  GCond drained;
  gsize queued;           /* bytes handed out and not yet written */
  GError *error;          /* the first failure of a worker */
  GHashTable *seen;       /* checksums written or queued (importing thread only) */
  guint64 written;
  /* The batch being filled (importing thread only), not yet queued. */
  struct Job *batch, **batch_end;
  guint batch_jobs;
  gsize batch_bytes;
};

/* A large file, written chunk by chunk into one unlinked file while the
 * importing thread hashes it; linked in as an object once its checksum is
 * known and every chunk is written. */
struct StoreObjectStream {
  StoreObjectWriter *w;
  int fd;
  guint64 offset;
  gint refs;              /* the importing thread's, plus one per queued chunk */
  gboolean keep;          /* link it in (decided at close) */
  char checksum[65];
  guint32 uid, gid, mode;
  GVariant *xattrs;
};

typedef struct Job {
  char checksum[65];
  guint32 uid, gid, mode;
  GVariant *xattrs;
  GBytes *data;
  StoreObjectStream *stream;   /* set: data goes at offset into stream->fd */
  guint64 offset;
  gboolean dirtree;            /* data is a dirtree object's bytes */
  struct Job *next;            /* the rest of its batch */
} Job;

static void
job_free (Job *j)
{
  g_clear_pointer (&j->xattrs, g_variant_unref);
  g_bytes_unref (j->data);
  g_free (j);
}

static gboolean
write_all (int fd, const guint8 *buf, gsize len, guint64 offset)
{
  while (len > 0)
    {
      gssize n = pwrite (fd, buf, len, offset);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return FALSE;
      buf += n;
      len -= n;
      offset += n;
    }
  return TRUE;
}

/* The process's umask, without setting it (umask(2) only sets it, and
 * another thread creating a file meanwhile would get the wrong one); all
 * bits when it cannot be read, so that every object gets its fchmod. */
static mode_t
read_umask (void)
{
  g_autofree char *status = NULL;
  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0777;
  const char *line = strstr (status, "\nUmask:");
  return line ? (mode_t) strtoul (line + strlen ("\nUmask:"), NULL, 8) & 0777 : 0777;
}

/* The permission bits of an object file, as libostree gives them: readable
 * by the owner whatever the mode, setuid and setgid bits only in the
 * xattr; a symlink (or a metadata object) is a plain 0644 file. */
static mode_t
object_perm (guint32 mode)
{
  return S_ISREG (mode) ? (mode & 0775) | S_IRUSR : 0644;
}

/* An unlinked file in the repo's tmp/, created with PERM. */
static int
open_tmpfile (StoreObjectWriter *w, mode_t perm)
{
  return openat (w->tmp_dfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, perm);
}

/* Gives FD, made by open_tmpfile with PERM, exactly PERM: only when the
 * umask took bits off (0644 and 0755 under the usual 022 need nothing:
 * one syscall and one inode update fewer per object). */
static gboolean
set_perm (StoreObjectWriter *w, int fd, mode_t perm)
{
  return (perm & ~w->umask) == perm || fchmod (fd, perm) == 0;
}

/* Gives the written, unlinked fd its owner and mode and links it in as the
 * object CHECKSUM, the way libostree lays out bare-user objects. */
static gboolean
link_bare_user (StoreObjectWriter *w, int fd, const char *checksum, guint32 uid, guint32 gid,
                guint32 mode, GVariant *xattrs)
{
  g_autoptr(GVariant) meta = g_variant_ref_sink (
      g_variant_new ("(uuu@a(ayay))", GUINT32_TO_BE (uid), GUINT32_TO_BE (gid),
                     GUINT32_TO_BE (mode), xattrs));
  /* As libostree: mtime 0. */
  const struct timespec times[2] = { { 0, UTIME_OMIT }, { 0, 0 } };
  return fsetxattr (fd, "user.ostreemeta", g_variant_get_data (meta),
                    g_variant_get_size (meta), 0) == 0
         && set_perm (w, fd, object_perm (mode))
         && futimens (fd, times) == 0
         && store_object_link_tmpfile (w->objects_dfd, fd, checksum, "file");
}

static gboolean
write_bare_user (StoreObjectWriter *w, Job *j, const guint8 *buf, gsize len, GError **error)
{
  int fd = open_tmpfile (w, j->dirtree ? 0644 : object_perm (j->mode));
  if (fd < 0)
    return oci_throw_errno (error, "object %s: O_TMPFILE", j->checksum);
  /* A metadata object is a plain 0644 file, as libostree writes them. */
  gboolean ok = write_all (fd, buf, len, 0)
                && (j->dirtree ? set_perm (w, fd, 0644)
                                 && store_object_link_tmpfile (w->objects_dfd, fd, j->checksum, "dirtree")
                               : link_bare_user (w, fd, j->checksum, j->uid, j->gid, j->mode, j->xattrs));
  if (!ok)
    oci_throw_errno (error, "writing object %s", j->checksum);
  close (fd);
  return ok;
}

static void
set_error (StoreObjectWriter *w, GError **local)
{
  g_mutex_lock (&w->lock);
  if (!w->error)
    w->error = g_steal_pointer (local);
  g_mutex_unlock (&w->lock);
  g_clear_error (local);
}

/* The last reference, whichever thread drops it, links the object in:
 * then every chunk is on the file. */
static void
stream_unref (StoreObjectStream *st)
{
  if (!g_atomic_int_dec_and_test (&st->refs))
    return;
  StoreObjectWriter *w = st->w;
  g_mutex_lock (&w->lock);
  gboolean failed = w->error != NULL;
  g_mutex_unlock (&w->lock);
  if (st->keep && !failed
      && !link_bare_user (w, st->fd, st->checksum, st->uid, st->gid, st->mode, st->xattrs))
    {
      g_autoptr(GError) local = NULL;
      oci_throw_errno (&local, "writing object %s", st->checksum);
      set_error (w, &local);
    }
  close (st->fd);
  g_clear_pointer (&st->xattrs, g_variant_unref);
  g_free (st);
}

static gboolean
run_job (StoreObjectWriter *w, Job *j, GError **error)
{
  gsize len;
  const guint8 *buf = g_bytes_get_data (j->data, &len);
  gboolean ok;
  if (j->stream)
    {
      ok = write_all (j->stream->fd, buf, len, j->offset);
      if (!ok)
        oci_throw_errno (error, "writing a large object");
    }
  else if (w->direct)
    ok = write_bare_user (w, j, buf, len, error);
  else
    {
      g_autofree char *got = ostree_repo_write_regfile_inline (w->repo, j->checksum, j->uid, j->gid,
                                                               j->mode, j->xattrs, buf, len,
                                                               w->cancellable, error);
      ok = got != NULL;
    }
  return ok;
}

/* Done with J, written or not: a large object one of whose chunks was not
 * written is incomplete, and must not be linked in by its last reference.
 * Returns J's bytes. */
static gsize
job_release (Job *j, gboolean written)
{
  gsize len = g_bytes_get_size (j->data);
  if (j->stream)
    {
      if (!written)
        j->stream->keep = FALSE;
      stream_unref (j->stream);
    }
  job_free (j);
  return len;
}

/* A worker's batch: written in order; after the first failure the rest
 * is only dropped. */
static void
run_batch (gpointer data, gpointer user)
{
  StoreObjectWriter *w = user;
  g_mutex_lock (&w->lock);
  gboolean failed = w->error != NULL;
  g_mutex_unlock (&w->lock);
  gsize done = 0;
  for (Job *j = data, *next; j; j = next)
    {
      next = j->next;
      g_autoptr(GError) local = NULL;
      if (!failed && !run_job (w, j, &local))
        {
          set_error (w, &local);
          failed = TRUE;
        }
      /* Before the bytes count as written: finish must see the object in. */
      done += job_release (j, !failed);
    }
  g_mutex_lock (&w->lock);
  w->queued -= done;
  g_cond_broadcast (&w->drained);
  g_mutex_unlock (&w->lock);
}

StoreObjectWriter *
store_object_writer_new (OstreeRepo *repo, GCancellable *cancellable)
{
  StoreObjectWriter *w = g_new0 (StoreObjectWriter, 1);
  w->repo = g_object_ref (repo);
  w->tmp_dfd = w->objects_dfd = -1;
  if (ostree_repo_get_mode (repo) == OSTREE_REPO_MODE_BARE_USER)
    {
      int repo_dfd = ostree_repo_get_dfd (repo);
      w->tmp_dfd = openat (repo_dfd, "tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      w->objects_dfd = openat (repo_dfd, "objects", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      /* Without them, libostree's own path still works. */
      w->direct = w->tmp_dfd >= 0 && w->objects_dfd >= 0;
      w->umask = read_umask ();
    }
  w->cancellable = cancellable ? g_object_ref (cancellable) : NULL;
  g_mutex_init (&w->lock);
  g_cond_init (&w->drained);
  w->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  w->pool = g_thread_pool_new (run_batch, w, WRITER_THREADS, FALSE, NULL);
  w->batch_end = &w->batch;
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

/* Whether CHECKSUM (an object of SUFFIX, "file" or "dirtree") still has to
 * be written: neither in the repo nor put before. */
static gboolean
object_wanted (StoreObjectWriter *w, const char *checksum, const char *suffix,
               gboolean *out_wanted, GError **error)
{
  *out_wanted = FALSE;
  if (g_hash_table_contains (w->seen, checksum))
    return TRUE;
  gboolean have = FALSE;
  /* libostree's lookup looks in the transaction's staging directory too,
   * where our objects never are: 6000 failed lookups for the minbase. */
  if (w->direct)
    {
      if (!store_object_exists (w->objects_dfd, checksum, suffix, &have, error))
        return FALSE;
    }
  else if (!ostree_repo_has_object (w->repo, OSTREE_OBJECT_TYPE_FILE, checksum, &have,
                                    w->cancellable, error))
    return FALSE;
  g_hash_table_add (w->seen, g_strdup (checksum));
  *out_wanted = !have;
  return TRUE;
}

/* Drops a batch that never went to the workers. */
static void
batch_free (Job *j)
{
  for (Job *next; j; j = next)
    {
      next = j->next;
      job_release (j, FALSE);
    }
}

/* Hands the batch to the workers once the queue has room for it. */
static gboolean
flush_batch (StoreObjectWriter *w, GError **error)
{
  Job *batch = g_steal_pointer (&w->batch);
  gsize len = w->batch_bytes;
  w->batch_end = &w->batch;
  w->batch_jobs = 0;
  w->batch_bytes = 0;
  if (!batch)
    return TRUE;
  g_mutex_lock (&w->lock);
  /* libostree's archive writer holds a compressed copy of what it writes
   * too: a shorter queue keeps an import's memory in bounds there. */
  gsize max_queued = w->direct ? WRITER_MAX_QUEUED : WRITER_MAX_QUEUED / 4;
  while (w->queued > 0 && w->queued + len > max_queued && !w->error)
    g_cond_wait (&w->drained, &w->lock);
  gboolean ok = take_error (w, error);
  if (ok)
    w->queued += len;
  g_mutex_unlock (&w->lock);
  if (!ok)
    {
      batch_free (batch);
      return FALSE;
    }
  g_thread_pool_push (w->pool, batch, NULL);
  return TRUE;
}

/* Adds J to the batch, which goes to the workers when it is full. */
static gboolean
queue_job (StoreObjectWriter *w, Job *j, GError **error)
{
  *w->batch_end = j;
  w->batch_end = &j->next;
  w->batch_jobs++;
  w->batch_bytes += g_bytes_get_size (j->data);
  if (w->batch_jobs < BATCH_JOBS && w->batch_bytes < BATCH_BYTES)
    return TRUE;
  return flush_batch (w, error);
}

gboolean
store_object_writer_put (StoreObjectWriter *w, const char *checksum, guint32 uid, guint32 gid,
                         guint32 mode, GVariant *xattrs, GBytes *data, GError **error)
{
  gboolean wanted;
  if (!object_wanted (w, checksum, "file", &wanted, error))
    return FALSE;
  if (!wanted)
    return TRUE;
  Job *j = g_new0 (Job, 1);
  memcpy (j->checksum, checksum, sizeof j->checksum);
  j->uid = uid;
  j->gid = gid;
  j->mode = mode;
  j->xattrs = g_variant_ref (xattrs);
  j->data = g_bytes_ref (data);
  w->written++;
  return queue_job (w, j, error);
}

gboolean
store_object_writer_put_dirtree (StoreObjectWriter *w, const char *checksum, GBytes *data,
                                 GError **error)
{
  if (!w->direct)
    return g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                        "dirtrees are written here only in bare-user repos"), FALSE;
  gboolean wanted;
  if (!object_wanted (w, checksum, "dirtree", &wanted, error))
    return FALSE;
  if (!wanted)
    return TRUE;
  Job *j = g_new0 (Job, 1);
  memcpy (j->checksum, checksum, sizeof j->checksum);
  j->dirtree = TRUE;
  j->data = g_bytes_ref (data);
  return queue_job (w, j, error);
}

gboolean
store_object_writer_direct (StoreObjectWriter *w)
{
  return w->direct;
}

StoreObjectStream *
store_object_writer_open (StoreObjectWriter *w, guint32 uid, guint32 gid, guint32 mode,
                          GVariant *xattrs, GError **error)
{
  if (!w->direct)
    return g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                        "streamed objects are written only in bare-user repos"), NULL;
  int fd = open_tmpfile (w, object_perm (mode));
  if (fd < 0)
    return store_null_throw_errno (error, "large object: O_TMPFILE");
  StoreObjectStream *st = g_new0 (StoreObjectStream, 1);
  st->w = w;
  st->fd = fd;
  st->refs = 1;
  st->uid = uid;
  st->gid = gid;
  st->mode = mode;
  st->xattrs = g_variant_ref (xattrs);
  return st;
}

gboolean
store_object_stream_write (StoreObjectStream *st, const void *buf, gsize len, GError **error)
{
  if (len == 0)
    return TRUE;
  Job *j = g_new0 (Job, 1);
  j->data = g_bytes_new (buf, len);
  j->stream = st;
  j->offset = st->offset;
  st->offset += len;
  g_atomic_int_inc (&st->refs);
  /* On failure the batch, this chunk with it, is dropped, its references
   * too; ours is still held. */
  return queue_job (st->w, j, error);
}

gboolean
store_object_stream_close (StoreObjectStream *st, const char checksum[65], GError **error)
{
  memcpy (st->checksum, checksum, sizeof st->checksum);
  gboolean wanted = FALSE;
  gboolean ok = object_wanted (st->w, st->checksum, "file", &wanted, error);
  st->keep = ok && wanted;
  if (st->keep)
    st->w->written++;
  stream_unref (st);
  return ok;
}

void
store_object_stream_abort (StoreObjectStream *st)
{
  if (st)
    stream_unref (st);
}

gboolean
store_object_writer_finish (StoreObjectWriter *w, GError **error)
{
  if (!flush_batch (w, error))
    return FALSE;
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
  /* Waits for queued jobs: they reference the repo and our buffers. A
   * batch never handed out (the import failed) is only dropped. */
  g_thread_pool_free (w->pool, FALSE, TRUE);
  batch_free (g_steal_pointer (&w->batch));
  g_clear_error (&w->error);
  g_hash_table_unref (w->seen);
  g_mutex_clear (&w->lock);
  g_cond_clear (&w->drained);
  g_clear_object (&w->cancellable);
  if (w->tmp_dfd >= 0)
    close (w->tmp_dfd);
  if (w->objects_dfd >= 0)
    close (w->objects_dfd);
  g_object_unref (w->repo);
  g_free (w);
}
