/* Our OpenSSL checksum of content objects must be OSTree's exactly, or
 * import would write objects under wrong names (OSTree would refuse them). */
#include "store/store-private.h"
#include "oci/oci-stream.h"

#include <sys/stat.h>

/* Hashes with H, which may have hashed other objects before. */
static void
check_with (StoreObjectHasher *h, guint32 uid, guint32 gid, guint32 mode, const char *symlink,
            GVariant *xattrs, const char *content)
{
  g_autoptr(GFileInfo) fi = g_file_info_new ();
  g_file_info_set_file_type (fi, symlink ? G_FILE_TYPE_SYMBOLIC_LINK : G_FILE_TYPE_REGULAR);
  g_file_info_set_attribute_uint32 (fi, "unix::uid", uid);
  g_file_info_set_attribute_uint32 (fi, "unix::gid", gid);
  g_file_info_set_attribute_uint32 (fi, "unix::mode", mode);
  if (symlink)
    g_file_info_set_symlink_target (fi, symlink);
  gsize len = content ? strlen (content) : 0;
  g_file_info_set_size (fi, len);
  g_autoptr(GInputStream) in = content ? g_memory_input_stream_new_from_data (content, len, NULL) : NULL;
  g_autofree guchar *raw = NULL;
  g_autoptr(GError) error = NULL;
  g_assert_true (ostree_checksum_file_from_input (fi, xattrs, in, OSTREE_OBJECT_TYPE_FILE, &raw, NULL, &error));
  g_assert_no_error (error);
  g_autofree char *want = ostree_checksum_from_bytes (raw);

  store_object_hasher_begin (h, uid, gid, mode, symlink, xattrs);
  if (content)
    store_object_hasher_update (h, content, len);
  char got[65];
  store_object_hasher_finish (h, got);
  g_assert_cmpstr (got, ==, want);
}

static void
check_one (guint32 uid, guint32 gid, guint32 mode, const char *symlink, GVariant *xattrs,
           const char *content)
{
  g_autoptr(StoreObjectHasher) h = store_object_hasher_new ();
  check_with (h, uid, gid, mode, symlink, xattrs, content);
}

static void
test_regular (void)
{
  check_one (0, 0, S_IFREG | 0644, NULL, NULL, "hello\n");
  check_one (1000, 1001, S_IFREG | 04755, NULL, NULL, "");
}

static void
test_symlink (void)
{
  check_one (0, 0, S_IFLNK | 0777, "../usr/lib", NULL, NULL);
}

static void
test_xattrs (void)
{
  g_autoptr(GPtrArray) xs = g_ptr_array_new ();
  OciTarXattr a = { "security.capability", g_bytes_new_static ("\x01\x02\x00", 3) };
  OciTarXattr b = { "user.test", g_bytes_new_static ("hello", 5) };
  g_ptr_array_add (xs, &a);
  g_ptr_array_add (xs, &b);
  g_autoptr(GVariant) v = store_xattrs_variant (xs);
  check_one (0, 0, S_IFREG | 0755, NULL, v, "#!/bin/sh\n");
  g_bytes_unref (a.value);
  g_bytes_unref (b.value);
}

/* The hasher keeps the header of the last plain file: what follows, with
 * the same owner and mode or not, with xattrs or a symlink target or not,
 * must hash as if hashed alone. */
static void
test_reused (void)
{
  g_autoptr(GPtrArray) xs = g_ptr_array_new ();
  OciTarXattr a = { "user.test", g_bytes_new_static ("hello", 5) };
  g_ptr_array_add (xs, &a);
  g_autoptr(GVariant) with = store_xattrs_variant (xs);
  g_autoptr(GVariant) none = store_xattrs_variant (NULL);
  g_autoptr(StoreObjectHasher) h = store_object_hasher_new ();
  check_with (h, 0, 0, S_IFREG | 0644, NULL, NULL, "one\n");
  check_with (h, 0, 0, S_IFREG | 0644, NULL, none, "two\n");
  check_with (h, 0, 0, S_IFREG | 0644, NULL, with, "three\n");
  check_with (h, 0, 0, S_IFREG | 0644, NULL, NULL, "four\n");
  check_with (h, 0, 0, S_IFLNK | 0777, "target", NULL, NULL);
  check_with (h, 0, 0, S_IFREG | 0644, NULL, NULL, "five\n");
  check_with (h, 0, 0, S_IFREG | 0755, NULL, NULL, "six\n");
  check_with (h, 0, 1, S_IFREG | 0755, NULL, NULL, "seven\n");
  check_with (h, 1, 1, S_IFREG | 0755, NULL, NULL, "eight\n");
  check_with (h, 1, 1, S_IFREG | 0755, NULL, NULL, "");
  g_bytes_unref (a.value);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/store/objects/regular", test_regular);
  g_test_add_func ("/store/objects/symlink", test_symlink);
  g_test_add_func ("/store/objects/xattrs", test_xattrs);
  g_test_add_func ("/store/objects/reused-hasher", test_reused);
  return g_test_run ();
}
