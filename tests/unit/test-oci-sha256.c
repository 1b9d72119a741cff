/* tests/unit/test-oci-sha256.c: our SHA-256 (oci/sha256.c) against
 * OpenSSL's, one stream and two at once, on the SHA instructions and off
 * them, over every length around the block boundaries and random splits. */
#include "oci/oci.h"

#include <string.h>
#include "tests/unit/openssl-digest.h"

static guint8 *
random_bytes (GRand *r, gsize len)
{
  guint8 *b = g_malloc (len + 1);
  for (gsize i = 0; i < len; i++)
    b[i] = g_rand_int (r);
  return b;
}

/* Feeds buf to h in random pieces, some empty. */
static void
update_in_pieces (GRand *r, OciSha256 *h, const guint8 *buf, gsize len)
{
  gsize off = 0;
  while (off < len)
    {
      gsize want = g_rand_int_range (r, 0, 200);   /* MIN evaluates twice */
      gsize n = MIN (len - off, want);
      oci_sha256_update (h, buf + off, n);
      off += n;
    }
}

static void
check_one_stream (void)
{
  g_autoptr(GRand) r = g_rand_new_with_seed (1);
  g_autoptr(OciSha256) h = oci_sha256_new ();
  /* Every length through three blocks, then some large ones. */
  for (gsize len = 0; len < 4096 + 3; len += len < 200 ? 1 : 61)
    {
      g_autofree guint8 *buf = random_bytes (r, len);
      g_autofree char *want = openssl_digest (buf, len);
      oci_sha256_update (h, buf, len);
      g_autofree char *whole = oci_sha256_finish (h);
      g_assert_cmpstr (whole, ==, want);
      update_in_pieces (r, h, buf, len);
      g_autofree char *pieces = oci_sha256_finish (h);
      g_assert_cmpstr (pieces, ==, want);
    }
  gsize big = 3 * 1024 * 1024 + 17;
  g_autofree guint8 *buf = random_bytes (r, big);
  g_autofree char *want = openssl_digest (buf, big);
  oci_sha256_update (h, buf, big);
  g_autofree char *got = oci_sha256_finish (h);
  g_assert_cmpstr (got, ==, want);
}

/* Two messages that share a middle: a = pa + mid + sa, b = pb + mid + sb,
 * the middle hashed into both at once in pieces, as an import hashes a
 * file's bytes into the tar's hash and the object's. */
static void
check_two_streams (gboolean mixed)
{
  g_autoptr(GRand) r = g_rand_new_with_seed (2);
  for (int round = 0; round < 300; round++)
    {
      gsize lpa = g_rand_int_range (r, 0, 140), lpb = g_rand_int_range (r, 0, 140);
      gsize lmid = round < 200 ? (gsize) g_rand_int_range (r, 0, 700)
                               : (gsize) g_rand_int_range (r, 0, 200000);
      gsize lsa = g_rand_int_range (r, 0, 70), lsb = g_rand_int_range (r, 0, 70);
      g_autofree guint8 *a = random_bytes (r, lpa + lmid + lsa);
      g_autofree guint8 *b = random_bytes (r, lpb + lmid + lsb);
      g_autofree guint8 *mid = random_bytes (r, lmid);
      memcpy (a + lpa, mid, lmid);
      memcpy (b + lpb, mid, lmid);
      g_autofree char *want_a = openssl_digest (a, lpa + lmid + lsa);
      g_autofree char *want_b = openssl_digest (b, lpb + lmid + lsb);

      g_autoptr(OciSha256) ha = oci_sha256_new ();
      if (mixed)
        oci_sha256_set_accelerated (FALSE);
      g_autoptr(OciSha256) hb = oci_sha256_new ();
      if (mixed)
        oci_sha256_set_accelerated (TRUE);
      oci_sha256_update (ha, a, lpa);
      oci_sha256_update (hb, b, lpb);
      for (gsize off = 0; off < lmid;)
        {
          gsize want = g_rand_int_range (r, 0, 70000);
          gsize n = MIN (lmid - off, want);
          if (round & 1)
            oci_sha256_update_both (ha, hb, mid + off, n);
          else
            oci_sha256_update_both (hb, ha, mid + off, n);
          off += n;
        }
      oci_sha256_update (ha, a + lpa + lmid, lsa);
      oci_sha256_update (hb, b + lpb + lmid, lsb);
      g_autofree char *got_a = oci_sha256_finish (ha);
      g_autofree char *got_b = oci_sha256_finish (hb);
      g_assert_cmpstr (got_a, ==, want_a);
      g_assert_cmpstr (got_b, ==, want_b);
    }
}

static void
test_accelerated (void)
{
  if (!oci_sha256_set_accelerated (TRUE))
    {
      g_test_skip ("this CPU has no SHA instructions");
      return;
    }
  check_one_stream ();
  check_two_streams (FALSE);
}

static void
test_openssl (void)
{
  g_assert_false (oci_sha256_set_accelerated (FALSE));
  check_one_stream ();
  check_two_streams (FALSE);
  oci_sha256_set_accelerated (TRUE);
}

/* One hash made on each side of a switch: update_both still hashes both. */
static void
test_mixed_kinds (void)
{
  oci_sha256_set_accelerated (TRUE);
  check_two_streams (TRUE);
  oci_sha256_set_accelerated (TRUE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/oci/sha256/accelerated", test_accelerated);
  g_test_add_func ("/oci/sha256/openssl", test_openssl);
  g_test_add_func ("/oci/sha256/mixed-kinds", test_mixed_kinds);
  return g_test_run ();
}
