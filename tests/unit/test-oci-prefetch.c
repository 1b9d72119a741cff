/* The prefetch thread must hand over every byte in order, pass the
 * source's error to the reader, and stop cleanly whenever the reader gives
 * up (an import that fails on its first entry frees it at once). */
#include "oci/oci-stream.h"

#include <string.h>

typedef struct {
  gsize size, pos, fail_at;   /* fail_at: G_MAXSIZE for never */
} Src;

static guint8
byte_at (gsize i)
{
  return (guint8) (i * 131 + (i >> 9));
}

static gssize
src_read (void *user, void *buf, gsize len, GError **error)
{
  Src *s = user;
  if (s->pos >= s->fail_at)
    return g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "boom at %" G_GSIZE_FORMAT, s->pos), -1;
  gsize n = MIN (len, MIN (s->size, s->fail_at) - s->pos);
  n = MIN (n, (gsize) 70000);   /* short reads, as pread gives */
  for (gsize i = 0; i < n; i++)
    ((guint8 *) buf)[i] = byte_at (s->pos + i);
  s->pos += n;
  return n;
}

/* Reads like a read function, through the lent bytes. */
static gssize
prefetch_read (OciPrefetch *p, guint8 *buf, gsize len, GError **error)
{
  const guint8 *at;
  gssize n = oci_prefetch_borrow (p, &at, len, error);
  if (n > 0)
    memcpy (buf, at, n);
  return n;
}

static void
read_all (gsize size)
{
  Src s = { size, 0, G_MAXSIZE };
  g_autoptr(OciPrefetch) p = oci_prefetch_new (src_read, &s);
  guint8 buf[4096 + 7];
  gsize got = 0;
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gssize n = prefetch_read (p, buf, sizeof buf, &error);
      g_assert_no_error (error);
      g_assert_cmpint (n, >=, 0);
      if (n == 0)
        break;
      for (gssize i = 0; i < n; i++)
        g_assert_cmpuint (buf[i], ==, byte_at (got + i));
      got += n;
    }
  g_assert_cmpuint (got, ==, size);
  g_autoptr(GError) error = NULL;
  g_assert_cmpint (prefetch_read (p, buf, sizeof buf, &error), ==, 0);
}

static void
test_order (void)
{
  read_all (0);
  read_all (1);
  read_all (1024 * 1024);
  read_all (3 * 1024 * 1024 + 5);
  read_all (20 * 1024 * 1024 + 3);   /* more than the chunks in flight */
}

static void
test_error_reaches_reader (void)
{
  Src s = { 10 << 20, 0, (3 << 20) + 11 };
  g_autoptr(OciPrefetch) p = oci_prefetch_new (src_read, &s);
  guint8 buf[65536];
  gsize got = 0;
  g_autoptr(GError) error = NULL;
  gssize n;
  while ((n = prefetch_read (p, buf, sizeof buf, &error)) > 0)
    got += n;
  g_assert_cmpint (n, ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpuint (got, ==, (3 << 20) + 11);
}

static void
test_free_early (void)
{
  gsize sizes[] = { 10, 1 << 20, 30 << 20 };
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      /* freed before any read, and after one small read */
      Src s1 = { sizes[i], 0, G_MAXSIZE };
      oci_prefetch_free (oci_prefetch_new (src_read, &s1));
      Src s2 = { sizes[i], 0, G_MAXSIZE };
      OciPrefetch *p = oci_prefetch_new (src_read, &s2);
      guint8 b[3];
      g_assert_cmpint (prefetch_read (p, b, sizeof b, NULL), ==, 3);
      oci_prefetch_free (p);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/oci/prefetch/order", test_order);
  g_test_add_func ("/oci/prefetch/error-reaches-reader", test_error_reaches_reader);
  g_test_add_func ("/oci/prefetch/free-early", test_free_early);
  return g_test_run ();
}
