/* tests/unit/test-oci-tar.c: the tar reader's hashing, and its reading of
 * lent bytes. With a hash set, the reader hashes every byte of the stream
 * (the diff_id), whether a file's payload is read, read with a second hash
 * beside it, or skipped; the second hash gets exactly the payload.
 * Archives are written with libarchive, and read back in short, uneven
 * pieces, copied (a read function) or lent (a borrow function: headers
 * then span pieces, and are gathered). */
#include "oci/oci-stream.h"

#include <archive.h>
#include <archive_entry.h>
#include <string.h>
#include "tests/unit/openssl-digest.h"

static la_ssize_t
archive_to_bytes (struct archive *a, void *user, const void *buf, size_t len)
{
  g_byte_array_append (user, buf, len);
  return len;
}

static const gsize sizes[] = { 0, 1, 63, 64, 511, 512, 513, 70001, 300000 };

static guint8
content_byte (guint file, gsize i)
{
  return (guint8) (i * 7 + file * 31 + (i >> 8));
}

/* A pax tar: a directory, then one file of each size, then a symlink. */
static GByteArray *
make_tar (void)
{
  GByteArray *out = g_byte_array_new ();
  struct archive *a = archive_write_new ();
  archive_write_set_format_pax_restricted (a);
  archive_write_set_bytes_in_last_block (a, 1);
  g_assert_cmpint (archive_write_open (a, out, NULL, archive_to_bytes, NULL), ==, ARCHIVE_OK);
  struct archive_entry *e = archive_entry_new ();
  archive_entry_set_pathname (e, "dir/");
  archive_entry_set_filetype (e, AE_IFDIR);
  archive_entry_set_perm (e, 0755);
  g_assert_cmpint (archive_write_header (a, e), ==, ARCHIVE_OK);
  for (guint f = 0; f < G_N_ELEMENTS (sizes); f++)
    {
      g_autofree char *name = g_strdup_printf ("dir/file%u", f);
      g_autofree guint8 *data = g_malloc (sizes[f] + 1);
      for (gsize i = 0; i < sizes[f]; i++)
        data[i] = content_byte (f, i);
      archive_entry_clear (e);
      archive_entry_set_pathname (e, name);
      archive_entry_set_filetype (e, AE_IFREG);
      archive_entry_set_perm (e, 0644);
      archive_entry_set_size (e, sizes[f]);
      g_assert_cmpint (archive_write_header (a, e), ==, ARCHIVE_OK);
      g_assert_cmpint (archive_write_data (a, data, sizes[f]), ==, (la_ssize_t) sizes[f]);
    }
  archive_entry_clear (e);
  archive_entry_set_pathname (e, "dir/link");
  archive_entry_set_filetype (e, AE_IFLNK);
  archive_entry_set_symlink (e, "file1");
  archive_entry_set_perm (e, 0777);
  g_assert_cmpint (archive_write_header (a, e), ==, ARCHIVE_OK);
  archive_entry_free (e);
  g_assert_cmpint (archive_write_close (a), ==, ARCHIVE_OK);
  archive_write_free (a);
  return out;
}

typedef struct {
  const guint8 *data;
  gsize len, pos;
  GRand *rand;
  guint8 *lent;       /* the piece lent last */
} Mem;

/* The next piece lent: a fresh copy each time, the last one freed, so
 * that a reader keeping a pointer into an old piece reads freed memory
 * (AddressSanitizer stops it). */
static gssize
mem_borrow (void *user, const guint8 **buf, gsize max, GError **error)
{
  Mem *m = user;
  gsize want = g_rand_int_range (m->rand, 1, 3000);   /* MIN evaluates twice */
  gsize n = MIN (MIN (max, m->len - m->pos), want);
  g_clear_pointer (&m->lent, g_free);
  m->lent = g_memdup2 (m->data + m->pos, n + 1);
  *buf = m->lent;
  m->pos += n;
  return n;
}

static gssize
mem_read (void *user, void *buf, gsize len, GError **error)
{
  const guint8 *at;
  gssize n = mem_borrow (user, &at, len, error);
  memcpy (buf, at, n);
  return n;
}

/* Reads the tar: files with an odd index through data_hashed, file 4
 * skipped unread, the others through data. */
static void
read_tar (gboolean accelerated, gboolean borrowing)
{
  oci_sha256_set_accelerated (accelerated);
  g_autoptr(GByteArray) tar = make_tar ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  Mem m = { tar->data, tar->len, 0, rand, NULL };
  g_autoptr(OciSha256) tar_hash = oci_sha256_new ();
  g_autoptr(OciSha256) file_hash = oci_sha256_new ();
  g_autoptr(OciTarReader) r = borrowing ? oci_tar_reader_new_borrowing (mem_borrow, &m, NULL, NULL)
                                        : oci_tar_reader_new (mem_read, &m, NULL, NULL);
  oci_tar_reader_set_hash (r, tar_hash);
  /* The file hash starts mid-block, as an object's header leaves it. */
  oci_sha256_update (file_hash, "header", 6);
  guint files = 0;
  for (;;)
    {
      const OciTarEntry *e;
      g_autoptr(GError) error = NULL;
      g_assert_true (oci_tar_reader_next (r, &e, &error));
      g_assert_no_error (error);
      if (!e)
        break;
      if (e->type != OCI_TAR_REGULAR)
        continue;
      guint f = files++;
      g_assert_cmpuint (e->size, ==, sizes[f]);
      if (f == 4)
        continue;
      g_autoptr(GByteArray) got = g_byte_array_new ();
      g_byte_array_append (got, (const guint8 *) "header", 6);
      for (;;)
        {
          const guint8 *b;
          gsize n;
          gboolean ok = f & 1 ? oci_tar_reader_data_hashed (r, file_hash, &b, &n, &error)
                              : oci_tar_reader_data (r, &b, &n, &error);
          g_assert_true (ok);
          if (n == 0)
            break;
          g_byte_array_append (got, b, n);
        }
      g_assert_cmpuint (got->len, ==, sizes[f] + 6);
      for (gsize i = 0; i < sizes[f]; i++)
        g_assert_cmpuint (got->data[6 + i], ==, content_byte (f, i));
      if (f & 1)
        {
          g_autofree char *want = openssl_digest (got->data, got->len);
          g_autofree char *have = oci_sha256_finish (file_hash);
          g_assert_cmpstr (have, ==, want);
          oci_sha256_update (file_hash, "header", 6);
        }
    }
  g_assert_cmpuint (files, ==, G_N_ELEMENTS (sizes));
  g_assert_cmpuint (m.pos, ==, tar->len);
  g_autofree char *want = openssl_digest (tar->data, tar->len);
  g_autofree char *have = oci_sha256_finish (tar_hash);
  g_assert_cmpstr (have, ==, want);
  g_free (m.lent);
  oci_sha256_set_accelerated (TRUE);
}

static void
test_hash_accelerated (void)
{
  read_tar (TRUE, FALSE);
}

static void
test_hash_openssl (void)
{
  read_tar (FALSE, FALSE);
}

static void
test_borrowing (void)
{
  read_tar (TRUE, TRUE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/oci/tar/hash-accelerated", test_hash_accelerated);
  g_test_add_func ("/oci/tar/hash-openssl", test_hash_openssl);
  g_test_add_func ("/oci/tar/borrowing", test_borrowing);
  return g_test_run ();
}
