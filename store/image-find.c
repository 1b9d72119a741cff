/* store/image-find.c: what the crawler asks of the store about files on a
 * container's disk.
 *
 * A container's changed file is compared with the image's content object
 * by OSTree checksum, computed here with the same hasher import uses, so
 * "is this copy-up still the image's file?" is one read of the file and no
 * read of the object.
 */
#include "store/store-private.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HASH_CHUNK (128 * 1024)

gboolean
store_file_checksum_fd (CtrStore *s, int fd, guint32 uid, guint32 gid, guint32 mode,
                        const char *xattrs_of, guint64 max, char out_checksum[65],
                        char out_sha256[65], GError **error)
{
  g_autoptr(GVariant) xattrs = NULL;
  /* The object's xattrs stand in for the file's: the upperdir carries
   * overlay's own trusted.* attributes, which were never in the image. */
  if (s && xattrs_of
      && !ostree_repo_load_file (s->repo, xattrs_of, NULL, NULL, &xattrs, NULL, error))
    return FALSE;
  g_autoptr(StoreObjectHasher) h = store_object_hasher_new ();
  g_autoptr(OciSha256) plain = oci_sha256_new ();
  store_object_hasher_begin (h, uid, gid, (mode & 07777) | S_IFREG, NULL, xattrs);
  g_autofree guint8 *buf = g_malloc (HASH_CHUNK);
  guint64 total = 0;
  for (;;)
    {
      ssize_t n = read (fd, buf, HASH_CHUNK);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return oci_throw_errno (error, "read");
      if (n == 0)
        break;
      total += n;
      if (total > max)
        return g_set_error (error, OCI_ERROR, OCI_ERROR_LIMIT,
                            "larger than the limit of %" G_GUINT64_FORMAT " bytes", max), FALSE;
      store_object_hasher_update (h, buf, n);
      oci_sha256_update (plain, buf, n);
    }
  store_object_hasher_finish (h, out_checksum);
  guint8 raw[32];
  oci_sha256_finish_raw (plain, raw);
  oci_hex_encode (raw, out_sha256);
  return TRUE;
}
