/* tests/unit/test-oci-digest.c: sha256 digests, their validation, and the
 * quoting of untrusted text in messages. */
#include "oci/oci.h"

#include <string.h>

#define EMPTY_SHA256 "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define ABC_SHA256 "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/* FIPS 180-2 test vector: 448-bit message spanning two blocks. */
#define TWO_BLOCK_MSG "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
#define TWO_BLOCK_SHA256 \
  "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"

#define assert_error_contains(err, code, text)                                  \
  G_STMT_START {                                                                \
    g_assert_error ((err), OCI_ERROR, (code));                                  \
    if (strstr ((err)->message, (text)) == NULL)                                \
      g_error ("message \"%s\" lacks \"%s\"", (err)->message, (text));          \
  } G_STMT_END

static void
test_error_quark (void)
{
  g_assert_cmpstr (g_quark_to_string (OCI_ERROR), ==, "oci-error-quark");
  g_assert_cmpuint (OCI_ERROR, ==, oci_error_quark ());
}

static void
test_of_bytes_known_vectors (void)
{
  g_autofree char *empty = oci_digest_of_bytes ("", 0);
  g_autofree char *empty_null = oci_digest_of_bytes (NULL, 0);
  g_autofree char *abc = oci_digest_of_bytes ("abc", 3);
  g_autofree char *two = oci_digest_of_bytes (TWO_BLOCK_MSG, strlen (TWO_BLOCK_MSG));

  g_assert_cmpstr (empty, ==, EMPTY_SHA256);
  g_assert_cmpstr (empty_null, ==, EMPTY_SHA256);
  g_assert_cmpstr (abc, ==, ABC_SHA256);
  g_assert_cmpstr (two, ==, TWO_BLOCK_SHA256);
}

static void
test_hex_encode (void)
{
  guint8 raw[32];
  char out[65];

  for (int i = 0; i < 32; i++)
    raw[i] = (guint8) (i * 8 + 7);
  memset (out, 'X', sizeof out);
  oci_hex_encode (raw, out);
  g_assert_cmpstr (out, ==, "070f171f272f373f474f575f676f777f878f979fa7afb7bfc7cfd7dfe7eff7ff");
  g_assert_cmpuint (strlen (out), ==, 64);
}

static void
test_incremental_matches_one_shot (void)
{
  g_autoptr(OciSha256) h = oci_sha256_new ();
  g_autofree char *d = NULL;

  oci_sha256_update (h, "a", 1);
  oci_sha256_update (h, "", 0);
  oci_sha256_update (h, "bc", 2);
  d = oci_sha256_finish (h);
  g_assert_cmpstr (d, ==, ABC_SHA256);
}

static void
test_incremental_large_random_chunks (void)
{
  const gsize n = 3 * 1024 * 1024 + 17;
  g_autofree guint8 *buf = g_malloc (n);
  g_autoptr(OciSha256) h = oci_sha256_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autofree char *one = NULL;
  g_autofree char *inc = NULL;
  gsize off = 0;

  for (gsize i = 0; i < n; i++)
    buf[i] = (guint8) g_rand_int (rand);
  one = oci_digest_of_bytes (buf, n);
  while (off < n)
    {
      gsize want = (gsize) g_rand_int_range (rand, 1, 200000);  /* MIN evaluates twice */
      gsize chunk = MIN (n - off, want);
      oci_sha256_update (h, buf + off, chunk);
      off += chunk;
    }
  inc = oci_sha256_finish (h);
  g_assert_cmpstr (inc, ==, one);
  g_assert_true (g_str_has_prefix (inc, "sha256:"));
  g_assert_cmpuint (strlen (inc), ==, OCI_DIGEST_LEN);
}

static void
test_finish_leaves_hash_ready_for_reuse (void)
{
  g_autoptr(OciSha256) h = oci_sha256_new ();
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *third = NULL;

  oci_sha256_update (h, "abc", 3);
  first = oci_sha256_finish (h);
  second = oci_sha256_finish (h);           /* nothing hashed since */
  oci_sha256_update (h, "abc", 3);
  oci_sha256_reset (h);                     /* reset discards "abc" */
  oci_sha256_update (h, "abc", 3);
  third = oci_sha256_finish (h);

  g_assert_cmpstr (first, ==, ABC_SHA256);
  g_assert_cmpstr (second, ==, EMPTY_SHA256);
  g_assert_cmpstr (third, ==, ABC_SHA256);
}

static void
test_finish_raw (void)
{
  g_autoptr(OciSha256) h = oci_sha256_new ();
  guint8 raw[32];
  char hex[65];

  oci_sha256_update (h, "abc", 3);
  oci_sha256_finish_raw (h, raw);
  oci_hex_encode (raw, hex);
  g_assert_cmpstr (hex, ==, oci_digest_hex (ABC_SHA256));
  g_assert_cmpuint (raw[0], ==, 0xba);
  g_assert_cmpuint (raw[31], ==, 0xad);
}

static void
test_free_null (void)
{
  oci_sha256_free (NULL);
}

static void
test_validate_good (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (oci_digest_validate (EMPTY_SHA256, &error));
  g_assert_no_error (error);
  g_assert_true (oci_digest_validate (ABC_SHA256, NULL));
  g_assert_cmpstr (oci_digest_hex (ABC_SHA256), ==,
                   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

typedef struct {
  const char *digest;
  int code;
  const char *message;
} BadDigest;

static const BadDigest bad_digests[] = {
  { "", OCI_ERROR_INVALID, "digest is empty" },
  { "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", OCI_ERROR_INVALID,
    "has no algorithm" },
  { "sha256:", OCI_ERROR_INVALID, "has 0 hex characters, expected 64" },
  { "sha256:abc", OCI_ERROR_INVALID, "has 3 hex characters, expected 64" },
  { "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85", OCI_ERROR_INVALID,
    "has 63 hex characters, expected 64" },
  { "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8550", OCI_ERROR_INVALID,
    "has 65 hex characters, expected 64" },
  { "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", OCI_ERROR_INVALID,
    "hex must be lowercase" },
  { "sha256:g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", OCI_ERROR_INVALID,
    "character 1 is not a hex digit" },
  { "sha256: 3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", OCI_ERROR_INVALID,
    "character 1 is not a hex digit" },
  { "sha512:cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
    OCI_ERROR_UNSUPPORTED, "algorithm \"sha512\" is not supported (only sha256)" },
  { "blake3:af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262", OCI_ERROR_UNSUPPORTED,
    "algorithm \"blake3\" is not supported (only sha256)" },
  { "md5:abc", OCI_ERROR_INVALID, "digest \"md5:abc\": algorithm \"md5\" is not sha256" },
  { "sha512:xyz", OCI_ERROR_INVALID, "algorithm \"sha512\" is not sha256" },
  { "SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", OCI_ERROR_INVALID,
    "algorithm \"SHA256\" is not sha256" },
  { ":abc", OCI_ERROR_INVALID, "algorithm \"\" is not sha256" },
  { "sha256\n:x", OCI_ERROR_INVALID, "algorithm \"sha256\\n\" is not sha256" },
};

static void
test_validate_bad (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (bad_digests); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *q = oci_quote (bad_digests[i].digest);

      g_test_message ("digest %s", q);
      g_assert_false (oci_digest_validate (bad_digests[i].digest, &error));
      assert_error_contains (error, bad_digests[i].code, bad_digests[i].message);
    }
}

static void
test_validate_null (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (oci_digest_validate (NULL, &error));
  assert_error_contains (error, OCI_ERROR_INVALID, "digest is empty");
}

static void
test_quote_escapes_and_truncates (void)
{
  g_autofree char *plain = oci_quote ("debian:bookworm");
  g_autofree char *ctrl = oci_quote ("a\"b\\c\nd\te\x1b[31mf\xc3\xa9");
  g_autofree char *null = oci_quote (NULL);
  g_autofree char *long_text = g_strnfill (200, 'x');
  g_autofree char *cut = oci_quote (long_text);
  g_autofree char *expected_cut = g_strdup_printf ("\"%.*s...\"", 80, long_text);

  g_assert_cmpstr (plain, ==, "\"debian:bookworm\"");
  g_assert_cmpstr (ctrl, ==, "\"a\\\"b\\\\c\\nd\\te\\x1b[31mf\\xc3\\xa9\"");
  g_assert_cmpstr (null, ==, "(null)");
  g_assert_cmpstr (cut, ==, expected_cut);
}

static void
test_validate_message_is_quoted_and_bounded (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) s = g_string_new ("sha256:");

  for (int i = 0; i < 100000; i++)
    g_string_append_c (s, 'a');
  g_assert_false (oci_digest_validate (s->str, &error));
  assert_error_contains (error, OCI_ERROR_INVALID, "has 100000 hex characters");
  g_assert_cmpuint (strlen (error->message), <, 200);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/oci/digest/error-quark", test_error_quark);
  g_test_add_func ("/oci/digest/of-bytes-known-vectors", test_of_bytes_known_vectors);
  g_test_add_func ("/oci/digest/hex-encode", test_hex_encode);
  g_test_add_func ("/oci/digest/incremental-matches-one-shot", test_incremental_matches_one_shot);
  g_test_add_func ("/oci/digest/incremental-large-random-chunks", test_incremental_large_random_chunks);
  g_test_add_func ("/oci/digest/finish-leaves-hash-ready-for-reuse",
                   test_finish_leaves_hash_ready_for_reuse);
  g_test_add_func ("/oci/digest/finish-raw", test_finish_raw);
  g_test_add_func ("/oci/digest/free-null", test_free_null);
  g_test_add_func ("/oci/digest/validate-good", test_validate_good);
  g_test_add_func ("/oci/digest/validate-bad", test_validate_bad);
  g_test_add_func ("/oci/digest/validate-null", test_validate_null);
  g_test_add_func ("/oci/digest/quote-escapes-and-truncates", test_quote_escapes_and_truncates);
  g_test_add_func ("/oci/digest/validate-message-is-quoted-and-bounded",
                   test_validate_message_is_quoted_and_bounded);

  return g_test_run ();
}
