/* store/objects.c: OSTree object checksums and metadata objects.
 *
 * libostree in Debian hashes with GLib's portable SHA-256; computing the
 * content checksum ourselves with OpenSSL (SHA instructions) lets import ask
 * "is this object already there?" before writing anything, which is what
 * makes importing a rebuild of an image nearly free.
 */
#include "store/store-private.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct StoreObjectHasher {
  OciSha256 *sha;
  /* The header of the last plain file (no xattrs, not a symlink) hashed:
   * most files of a layer share owner and mode, and building the variant
   * for each was a few percent of an import's importing thread. */
  gboolean cached;
  guint32 c_uid, c_gid, c_mode;
  guint8 c_header[64];
  gsize c_len;
};

StoreObjectHasher *
store_object_hasher_new (void)
{
  StoreObjectHasher *h = g_new0 (StoreObjectHasher, 1);
  h->sha = oci_sha256_new ();
  return h;
}

void
store_object_hasher_free (StoreObjectHasher *h)
{
  if (!h)
    return;
  oci_sha256_free (h->sha);
  g_free (h);
}

/* The checksum covers OSTree's file header: a 4-byte big-endian length, 4
 * bytes of zero padding, the variant (uuuusa(ayay)) with big-endian ints;
 * then the content. The same bytes ostree_checksum_file_from_input hashes
 * (a unit test holds us to that). */
void
store_object_hasher_begin (StoreObjectHasher *h, guint32 uid, guint32 gid, guint32 mode,
                           const char *symlink_target, GVariant *xattrs)
{
  gboolean plain = !symlink_target && (!xattrs || g_variant_n_children (xattrs) == 0);
  oci_sha256_reset (h->sha);
  if (plain && h->cached && h->c_uid == uid && h->c_gid == gid && h->c_mode == mode)
    {
      oci_sha256_update (h->sha, h->c_header, h->c_len);
      return;
    }
  g_autoptr(GVariant) empty = NULL;
  if (!xattrs)
    xattrs = empty = g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("(ayay)"), NULL, 0));
  g_autoptr(GVariant) hdr = g_variant_ref_sink (
      g_variant_new ("(uuuus@a(ayay))", GUINT32_TO_BE (uid), GUINT32_TO_BE (gid),
                     GUINT32_TO_BE (mode), 0, symlink_target ? symlink_target : "", xattrs));
  guint8 prefix[8] = { 0 };
  gsize len = g_variant_get_size (hdr);
  guint32 len_be = GUINT32_TO_BE ((guint32) len);
  memcpy (prefix, &len_be, 4);
  oci_sha256_update (h->sha, prefix, sizeof prefix);
  oci_sha256_update (h->sha, g_variant_get_data (hdr), len);
  h->cached = plain && sizeof prefix + len <= sizeof h->c_header;
  if (h->cached)
    {
      h->c_uid = uid;
      h->c_gid = gid;
      h->c_mode = mode;
      memcpy (h->c_header, prefix, sizeof prefix);
      memcpy (h->c_header + sizeof prefix, g_variant_get_data (hdr), len);
      h->c_len = sizeof prefix + len;
    }
}

void
store_object_hasher_update (StoreObjectHasher *h, const void *buf, gsize len)
{
  oci_sha256_update (h->sha, buf, len);
}

OciSha256 *
store_object_hasher_sha256 (StoreObjectHasher *h)
{
  return h->sha;
}

void
store_object_hasher_finish (StoreObjectHasher *h, char out[65])
{
  guint8 raw[32];
  oci_sha256_finish_raw (h->sha, raw);
  oci_hex_encode (raw, out);
}

GVariant *
store_xattrs_variant (GPtrArray *tar_xattrs)
{
  /* Most entries have none: one shared empty array, not one each. */
  static GVariant *none;
  if (!tar_xattrs || tar_xattrs->len == 0)
    {
      if (g_once_init_enter (&none))
        g_once_init_leave (&none, g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("(ayay)"), NULL, 0)));
      return g_variant_ref (none);
    }
  GVariantBuilder b;
  g_variant_builder_init (&b, G_VARIANT_TYPE ("a(ayay)"));
  /* The tar reader sorted them by name, which is OSTree's canonical order. */
  for (guint i = 0; tar_xattrs && i < tar_xattrs->len; i++)
    {
      OciTarXattr *x = tar_xattrs->pdata[i];
      gsize len;
      const guint8 *v = g_bytes_get_data (x->value, &len);
      g_variant_builder_add (&b, "(@ay@ay)", g_variant_new_bytestring (x->name),
                             g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, v, len, 1));
    }
  return g_variant_ref_sink (g_variant_builder_end (&b));
}

gboolean
store_write_dirmeta (OstreeRepo *repo, guint32 uid, guint32 gid, guint32 mode, GVariant *xattrs,
                     GHashTable *cache, char **out_checksum, GCancellable *cancellable,
                     GError **error)
{
  g_autoptr(GVariant) empty = NULL;
  if (!xattrs)
    xattrs = empty = g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("(ayay)"), NULL, 0));
  g_autoptr(GVariant) meta = g_variant_ref_sink (
      g_variant_new ("(uuu@a(ayay))", GUINT32_TO_BE (uid), GUINT32_TO_BE (gid),
                     GUINT32_TO_BE (mode | S_IFDIR), xattrs));
  /* Most directories share a few attribute sets: key the cache by the
   * serialised variant itself. */
  g_autoptr(GBytes) key = g_variant_get_data_as_bytes (meta);
  const char *hit = cache ? g_hash_table_lookup (cache, key) : NULL;
  if (hit)
    {
      *out_checksum = g_strdup (hit);
      return TRUE;
    }
  g_autofree guchar *raw = NULL;
  if (!ostree_repo_write_metadata (repo, OSTREE_OBJECT_TYPE_DIR_META, NULL, meta, &raw,
                                   cancellable, error))
    return FALSE;
  *out_checksum = ostree_checksum_from_bytes (raw);
  if (cache)
    g_hash_table_insert (cache, g_bytes_ref (key), g_strdup (*out_checksum));
  return TRUE;
}

/* objects/-relative path of an object: XX/REST.SUFFIX */
static void
object_rel (char rel[96], const char *checksum, const char *suffix)
{
  snprintf (rel, 96, "%.2s/%s.%s", checksum, checksum + 2, suffix);
}

gboolean
store_object_exists (int objects_dfd, const char *checksum, const char *suffix, gboolean *out,
                     GError **error)
{
  char rel[96];
  struct stat st;
  object_rel (rel, checksum, suffix);
  *out = fstatat (objects_dfd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0;
  if (!*out && errno != ENOENT)
    return oci_throw_errno (error, "objects/%s", rel);
  return TRUE;
}

/* Set once linkat refused AT_EMPTY_PATH (no CAP_DAC_READ_SEARCH, on
 * kernels before 6.10): then only /proc/self/fd is tried. */
static gint no_empty_path;

gboolean
store_link_fd (int fd, int dfd, const char *path)
{
  /* AT_EMPTY_PATH skips resolving /proc/self/fd/N, a third of the
   * cost of linking an object in. */
  if (!g_atomic_int_get (&no_empty_path))
    {
      if (linkat (fd, "", dfd, path, AT_EMPTY_PATH) == 0)
        return TRUE;
      if (errno != EPERM && errno != EINVAL)
        return FALSE;
      g_atomic_int_set (&no_empty_path, 1);
    }
  char proc[64];
  snprintf (proc, sizeof proc, "/proc/self/fd/%d", fd);
  return linkat (AT_FDCWD, proc, dfd, path, AT_SYMLINK_FOLLOW) == 0;
}

gboolean
store_object_link_tmpfile (int objects_dfd, int fd, const char *checksum, const char *suffix)
{
  char rel[96];
  object_rel (rel, checksum, suffix);
  if (store_link_fd (fd, objects_dfd, rel) || errno == EEXIST)
    return TRUE;   /* EEXIST: written meanwhile, the same bytes */
  if (errno != ENOENT)
    return FALSE;
  char dir[3] = { checksum[0], checksum[1], 0 };
  if (mkdirat (objects_dfd, dir, 0755) < 0 && errno != EEXIST)
    return FALSE;
  return store_link_fd (fd, objects_dfd, rel) || errno == EEXIST;
}
