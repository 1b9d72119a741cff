/* Our OpenSSL checksum of content objects must be OSTree's exactly, or
 * import would write objects under wrong names (OSTree would refuse them).
 * The object writer must write what it was given, and nothing of an
 * import that stopped before its objects were handed to the workers. */
#include "store/store-private.h"
#include "oci/oci-stream.h"

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <sys/stat.h>
#include <unistd.h>

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

static OstreeRepo *
new_bare_user_repo (char **out_dir)
{
  g_autoptr(GError) error = NULL;
  *out_dir = g_dir_make_tmp ("ctrgit-objects-XXXXXX", &error);
  g_assert_no_error (error);
  g_autoptr(GFile) path = g_file_new_for_path (*out_dir);
  g_autoptr(OstreeRepo) repo = ostree_repo_new (path);
  g_assert_true (ostree_repo_create (repo, OSTREE_REPO_MODE_BARE_USER, NULL, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&repo);
}

static gboolean
repo_has (OstreeRepo *repo, const char *checksum)
{
  gboolean have = FALSE;
  g_autoptr(GError) error = NULL;
  g_assert_true (ostree_repo_has_object (repo, OSTREE_OBJECT_TYPE_FILE, checksum, &have, NULL, &error));
  g_assert_no_error (error);
  return have;
}

/* The checksum of a file object owned by root holding TEXT. */
static void
object_checksum (guint32 mode, GVariant *xattrs, const char *text, char out[65])
{
  g_autoptr(StoreObjectHasher) h = store_object_hasher_new ();
  store_object_hasher_begin (h, 0, 0, mode, NULL, xattrs);
  store_object_hasher_update (h, text, strlen (text));
  store_object_hasher_finish (h, out);
}

/* Objects go to the workers in batches. A large object whose last chunk
 * still waits in a batch when the import stops (the writer is freed
 * without finish) must not be linked in with that chunk missing. */
static void
test_writer_drops_unsent_batch (void)
{
  g_autofree char *dir = NULL;
  g_autoptr(OstreeRepo) repo = new_bare_user_repo (&dir);
  g_autoptr(GVariant) xattrs = g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("(ayay)"), NULL, 0));
  char sent[65], unsent[65];
  g_autoptr(GError) error = NULL;

  /* finished: both objects are in */
  StoreObjectWriter *w = store_object_writer_new (repo, NULL);
  g_autoptr(GBytes) small = g_bytes_new_static ("small", 5);
  object_checksum (S_IFREG | 0644, xattrs, "small", sent);
  g_assert_true (store_object_writer_put (w, sent, 0, 0, S_IFREG | 0644, xattrs, small, &error));
  StoreObjectStream *st = store_object_writer_open (w, 0, 0, S_IFREG | 0644, xattrs, &error);
  g_assert_nonnull (st);
  g_assert_true (store_object_stream_write (st, "large, in one piece", 19, &error));
  object_checksum (S_IFREG | 0644, xattrs, "large, in one piece", unsent);
  g_assert_true (store_object_stream_close (st, unsent, &error));
  g_assert_true (store_object_writer_finish (w, &error));
  g_assert_no_error (error);
  store_object_writer_free (w);
  g_assert_true (repo_has (repo, sent));
  g_assert_true (repo_has (repo, unsent));

  /* not finished: the batch never went out, so nothing of it is in */
  w = store_object_writer_new (repo, NULL);
  st = store_object_writer_open (w, 0, 0, S_IFREG | 0600, xattrs, &error);
  g_assert_nonnull (st);
  g_assert_true (store_object_stream_write (st, "another large one", 17, &error));
  object_checksum (S_IFREG | 0600, xattrs, "another large one", unsent);
  g_assert_true (store_object_stream_close (st, unsent, &error));
  g_assert_no_error (error);
  store_object_writer_free (w);
  g_assert_false (repo_has (repo, unsent));

  const char *rm[] = { "rm", "-rf", dir, NULL };
  g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
}

/* Where linkat refuses AT_EMPTY_PATH (kernels before 6.10, without
 * CAP_DAC_READ_SEARCH), files are linked through /proc/self/fd. A seccomp
 * filter makes linkat refuse it here, in a subprocess. */
static void
test_link_without_empty_path (void)
{
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
      return;
    }
  scmp_filter_ctx ctx = seccomp_init (SCMP_ACT_ALLOW);
  g_assert_nonnull (ctx);
  g_assert_cmpint (seccomp_rule_add (ctx, SCMP_ACT_ERRNO (EPERM), SCMP_SYS (linkat), 1,
                                     SCMP_A4 (SCMP_CMP_MASKED_EQ, AT_EMPTY_PATH, AT_EMPTY_PATH)), ==, 0);
  g_assert_cmpint (seccomp_load (ctx), ==, 0);
  seccomp_release (ctx);

  g_autofree char *dir = g_dir_make_tmp ("ctrgit-link-XXXXXX", NULL);
  g_assert_nonnull (dir);
  for (int i = 0; i < 2; i++)   /* the refusal, then the remembered fallback */
    {
      int fd = open (dir, O_TMPFILE | O_WRONLY, 0644);
      g_assert_cmpint (fd, >=, 0);
      g_assert_cmpint (write (fd, "x", 1), ==, 1);
      g_assert_cmpint (linkat (fd, "", AT_FDCWD, "unused", AT_EMPTY_PATH), ==, -1);
      g_assert_cmpint (errno, ==, EPERM);
      g_autofree char *name = g_strdup_printf ("%s/linked-%d", dir, i);
      g_assert_true (store_link_fd (fd, AT_FDCWD, name));
      close (fd);
      g_assert_true (g_file_test (name, G_FILE_TEST_IS_REGULAR));
      g_assert_cmpint (unlink (name), ==, 0);
    }
  g_assert_cmpint (rmdir (dir), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/store/objects/regular", test_regular);
  g_test_add_func ("/store/objects/symlink", test_symlink);
  g_test_add_func ("/store/objects/xattrs", test_xattrs);
  g_test_add_func ("/store/objects/reused-hasher", test_reused);
  g_test_add_func ("/store/objects/writer-drops-unsent-batch", test_writer_drops_unsent_batch);
  g_test_add_func ("/store/objects/link-without-empty-path", test_link_without_empty_path);
  return g_test_run ();
}
