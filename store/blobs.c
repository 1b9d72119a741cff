/* store/blobs.c: the content-addressed blob area.
 *
 * Blobs are written under blobs/tmp and renamed into blobs/sha256 only after
 * their digest is checked, so a killed import leaves at most a stray file in
 * tmp (dropped by the next writer) and never a wrong blob under a digest.
 */
#include "store/store-private.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

struct StoreBlobWriter {
  CtrStore *s;
  int fd;
  char *tmp_path;
  OciSha256 *sha;
  gboolean committed;
};

char *
store_blob_path (CtrStore *s, const char *digest)
{
  return g_build_filename (s->path, "blobs", "sha256", oci_digest_hex (digest), NULL);
}

gboolean
store_blob_exists (CtrStore *s, const char *digest)
{
  g_autofree char *p = store_blob_path (s, digest);
  return g_file_test (p, G_FILE_TEST_EXISTS);
}

StoreBlobWriter *
store_blob_writer_new (CtrStore *s, GError **error)
{
  g_autofree char *dir = g_build_filename (s->path, "blobs", "tmp", NULL);
  if (g_mkdir_with_parents (dir, 0755) < 0)
    return store_null_throw_errno (error, "mkdir %s", dir);
  g_autoptr(StoreBlobWriter) w = g_new0 (StoreBlobWriter, 1);
  w->s = s;
  w->tmp_path = g_build_filename (dir, "blob-XXXXXX", NULL);
  w->fd = g_mkstemp_full (w->tmp_path, O_RDWR | O_CLOEXEC, 0644);
  if (w->fd < 0)
    return store_null_throw_errno (error, "creating %s", w->tmp_path);
  w->sha = oci_sha256_new ();
  return g_steal_pointer (&w);
}

gboolean
store_blob_writer_write (void *writer, const void *buf, gsize len, GError **error)
{
  StoreBlobWriter *w = writer;
  const guint8 *p = buf;
  oci_sha256_update (w->sha, buf, len);
  while (len > 0)
    {
      gssize n = write (w->fd, p, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return oci_throw_errno (error, "writing blob %s", w->tmp_path);
      p += n;
      len -= n;
    }
  return TRUE;
}

gboolean
store_blob_writer_commit (StoreBlobWriter *w, const char *digest, GError **error)
{
  g_autofree char *got = oci_sha256_finish (w->sha);
  if (!g_str_equal (got, digest))
    return g_set_error (error, OCI_ERROR, OCI_ERROR_DIGEST_MISMATCH,
                        "blob digest mismatch: expected %s, got %s", digest, got), FALSE;
  /* Data before name: a crash after the rename must not leave a short blob. */
  if (fdatasync (w->fd) < 0)
    return oci_throw_errno (error, "fdatasync %s", w->tmp_path);
  g_autofree char *dest = store_blob_path (w->s, digest);
  if (rename (w->tmp_path, dest) < 0)
    return oci_throw_errno (error, "rename %s", dest);
  w->committed = TRUE;
  return TRUE;
}

gboolean
store_blob_adopt_fd (CtrStore *s, int fd, const char *digest, GError **error)
{
  g_autofree char *dest = store_blob_path (s, digest);
  /* As a written blob: readable, and its data on disk before its name. */
  if (fchmod (fd, 0644) < 0 || fdatasync (fd) < 0)
    return oci_throw_errno (error, "blob %s", digest);
  if (!store_link_fd (fd, AT_FDCWD, dest) && errno != EEXIST)
    return oci_throw_errno (error, "linking blob %s", dest);
  return TRUE;
}

void
store_blob_writer_free (StoreBlobWriter *w)
{
  if (!w)
    return;
  if (w->fd >= 0)
    close (w->fd);
  if (!w->committed && w->tmp_path)
    unlink (w->tmp_path);
  g_free (w->tmp_path);
  oci_sha256_free (w->sha);
  g_free (w);
}

gboolean
store_blob_put_bytes (CtrStore *s, const char *digest, GBytes *data, GError **error)
{
  if (store_blob_exists (s, digest))
    return TRUE;
  g_autoptr(StoreBlobWriter) w = store_blob_writer_new (s, error);
  if (!w)
    return FALSE;
  gsize len;
  const void *p = g_bytes_get_data (data, &len);
  return store_blob_writer_write (w, p, len, error) && store_blob_writer_commit (w, digest, error);
}

GBytes *
store_blob_get_bytes (CtrStore *s, const char *digest, gsize max, GError **error)
{
  g_autofree char *p = store_blob_path (s, digest);
  g_autofree char *data = NULL;
  gsize len;
  struct stat st;
  if (stat (p, &st) < 0)
    return g_set_error (error, STORE_ERROR, STORE_ERROR_NOT_FOUND, "blob %s is not in the store",
                        digest), NULL;
  if ((guint64) st.st_size > max)
    return g_set_error (error, OCI_ERROR, OCI_ERROR_LIMIT, "blob %s is larger than %" G_GSIZE_FORMAT " bytes",
                        digest, max), NULL;
  if (!g_file_get_contents (p, &data, &len, error))
    return NULL;
  g_autofree char *got = oci_digest_of_bytes (data, len);
  if (!g_str_equal (got, digest))
    return g_set_error (error, STORE_ERROR, STORE_ERROR_CORRUPT, "blob %s is corrupt (hashes to %s)",
                        digest, got), NULL;
  return g_bytes_new_take (g_steal_pointer (&data), len);
}

gboolean
store_blob_verify (CtrStore *s, const char *digest, GError **error)
{
  g_autofree char *p = store_blob_path (s, digest);
  int fd = open (p, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return oci_throw_errno (error, "blob %s", digest);
  OciFdRange r = { fd, 0, G_MAXUINT64 };
  g_autoptr(OciSha256) sha = oci_sha256_new ();
  g_autofree guint8 *buf = g_malloc (256 * 1024);
  gssize n;
  while ((n = oci_fd_range_read (&r, buf, 256 * 1024, error)) > 0)
    oci_sha256_update (sha, buf, n);
  close (fd);
  if (n < 0)
    return g_prefix_error (error, "blob %s: ", digest), FALSE;
  g_autofree char *got = oci_sha256_finish (sha);
  if (!g_str_equal (got, digest))
    return g_set_error (error, STORE_ERROR, STORE_ERROR_CORRUPT, "blob %s is corrupt (hashes to %s)",
                        digest, got), FALSE;
  return TRUE;
}

void
store_blob_clean_tmp (CtrStore *s)
{
  g_autofree char *dir = g_build_filename (s->path, "blobs", "tmp", NULL);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);
      unlink (p);
    }
}
