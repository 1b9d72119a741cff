/* tests/unit/test-oci-landing.c: reading a file while another thread writes
 * it (oci/landing.c, through oci_fd_range_read), as a pull reads a layer
 * while it downloads. */
#include "oci/oci-stream.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SIZE (300 * 1000)

typedef struct {
  int fd;
  OciLanding *landing;
  const guint8 *data;
  gsize size;
  gboolean restart;      /* write half, then start again from 0 */
  gboolean fail;         /* stop half way with an error */
} Writer;

static void
write_at (int fd, const guint8 *p, gsize len, off_t off)
{
  g_assert_cmpint (pwrite (fd, p, len, off), ==, (gssize) len);
}

static gpointer
writer_thread (gpointer user)
{
  Writer *w = user;
  gsize step = 7777;
  gsize stop = w->restart || w->fail ? w->size / 2 : w->size;
  for (gsize off = 0; off < stop; off += step)
    {
      write_at (w->fd, w->data + off, MIN (step, stop - off), off);
      oci_landing_update (w->landing, MIN (off + step, stop));
      g_usleep (100);
    }
  if (w->fail)
    {
      g_autoptr(GError) e = g_error_new (OCI_ERROR, OCI_ERROR_DIGEST_MISMATCH, "blob hashes to nonsense");
      oci_landing_finish (w->landing, e);
      return NULL;
    }
  if (w->restart)
    {
      /* as after a server ignored a Range: everything again from byte 0 */
      g_assert_cmpint (ftruncate (w->fd, 0), ==, 0);
      oci_landing_update (w->landing, 0);
      for (gsize off = 0; off < w->size; off += step)
        {
          write_at (w->fd, w->data + off, MIN (step, w->size - off), off);
          oci_landing_update (w->landing, MIN (off + step, w->size));
        }
    }
  oci_landing_finish (w->landing, NULL);
  return NULL;
}

/* Reads the whole range while w writes it; returns the bytes read. */
static GByteArray *
read_while_written (Writer *w, guint64 remaining, GError **error)
{
  g_autofree char *path = g_strdup_printf ("%s/landing-XXXXXX", g_get_tmp_dir ());
  w->fd = g_mkstemp (path);
  g_assert_cmpint (w->fd, >=, 0);
  unlink (path);
  w->landing = oci_landing_new ();
  OciFdRange r = { w->fd, 0, remaining, w->landing };
  GThread *t = g_thread_new ("writer", writer_thread, w);
  GByteArray *got = g_byte_array_new ();
  guint8 buf[4096];
  gssize n;
  while ((n = oci_fd_range_read (&r, buf, sizeof buf, error)) > 0)
    g_byte_array_append (got, buf, n);
  g_thread_join (t);
  oci_landing_unref (w->landing);
  close (w->fd);
  if (n < 0)
    return g_byte_array_unref (got), NULL;
  return got;
}

static guint8 *
pattern (void)
{
  guint8 *d = g_malloc (SIZE);
  for (gsize i = 0; i < SIZE; i++)
    d[i] = (guint8) (i * 31 + i / 977);
  return d;
}

/* w's bytes, all and exactly, through a range of REMAINING bytes. */
static void
assert_reads_all (Writer w, guint64 remaining)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) got = read_while_written (&w, remaining, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (got->len, ==, w.size);
  g_assert_true (memcmp (got->data, w.data, w.size) == 0);
}

static void
test_reads_all_as_it_lands (void)
{
  g_autofree guint8 *data = pattern ();
  assert_reads_all ((Writer) { .data = data, .size = SIZE }, SIZE);
  assert_reads_all ((Writer) { .data = data, .size = SIZE }, G_MAXUINT64);
}

static void
test_restart_from_zero (void)
{
  g_autofree guint8 *data = pattern ();
  assert_reads_all ((Writer) { .data = data, .size = SIZE, .restart = TRUE }, SIZE);
}

static void
test_writer_error_reaches_reader (void)
{
  g_autofree guint8 *data = pattern ();
  Writer w = { .data = data, .size = SIZE, .fail = TRUE };
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) got = read_while_written (&w, SIZE, &error);
  g_assert_null (got);
  g_assert_error (error, OCI_ERROR, OCI_ERROR_DIGEST_MISMATCH);
  g_assert_nonnull (strstr (error->message, "nonsense"));
}

static void
test_short_file_is_an_error (void)
{
  /* The writer says complete at half of what the range expects. */
  g_autofree guint8 *data = pattern ();
  Writer w = { .data = data, .size = SIZE / 2 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) got = read_while_written (&w, SIZE, &error);
  g_assert_null (got);
  g_assert_error (error, OCI_ERROR, OCI_ERROR_INVALID);
}

static void
test_wait_for_the_end (void)
{
  g_autoptr(OciLanding) l = oci_landing_new ();
  oci_landing_update (l, 10);
  guint64 avail = 99;
  g_autoptr(GError) error = NULL;
  g_assert_true (oci_landing_wait (l, 4, &avail, &error));
  g_assert_cmpuint (avail, ==, 6);
  oci_landing_finish (l, NULL);
  oci_landing_update (l, 20);   /* after the end: ignored */
  g_assert_true (oci_landing_wait (l, G_MAXUINT64, &avail, &error));
  g_assert_cmpuint (avail, ==, 0);
  g_assert_true (oci_landing_wait (l, 4, &avail, &error));
  g_assert_cmpuint (avail, ==, 6);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/oci/landing/reads-all-as-it-lands", test_reads_all_as_it_lands);
  g_test_add_func ("/oci/landing/restart-from-zero", test_restart_from_zero);
  g_test_add_func ("/oci/landing/writer-error-reaches-reader", test_writer_error_reaches_reader);
  g_test_add_func ("/oci/landing/short-file-is-an-error", test_short_file_is_an_error);
  g_test_add_func ("/oci/landing/wait-for-the-end", test_wait_for_the_end);
  return g_test_run ();
}
