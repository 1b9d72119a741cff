/* tests/unit/test-oci-ref.c: image references as docker and podman spell
 * them: the normalisation table, the grammar's edges, and the limits. */
#include "oci/oci.h"
#include "oci/oci-limits.h"

#include <string.h>

#define HEX "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define DIG "sha256:" HEX

#define assert_error_contains(err, code, text)                                  \
  G_STMT_START {                                                                \
    g_assert_error ((err), OCI_ERROR, (code));                                  \
    if (strstr ((err)->message, (text)) == NULL)                                \
      g_error ("message \"%s\" lacks \"%s\"", (err)->message, (text));          \
  } G_STMT_END

#define D OCI_REF_DEFAULT_DOCKER_IO
#define L OCI_REF_DEFAULT_LOCALHOST

typedef struct {
  const char *text;
  OciRefDefault dflt;
  const char *domain;
  const char *path;
  const char *tag;
  const char *digest;
  gboolean domain_given;
  const char *full;
  const char *familiar;
} GoodRef;

static const GoodRef good_refs[] = {
  /* docker's normalisation: Docker Hub, library/ for official images */
  { "debian", D, "docker.io", "library/debian", "latest", NULL, FALSE,
    "docker.io/library/debian:latest", "debian:latest" },
  { "debian:bookworm", D, "docker.io", "library/debian", "bookworm", NULL, FALSE,
    "docker.io/library/debian:bookworm", "debian:bookworm" },
  { "library/debian", D, "docker.io", "library/debian", "latest", NULL, FALSE,
    "docker.io/library/debian:latest", "debian:latest" },
  { "docker.io/debian", D, "docker.io", "library/debian", "latest", NULL, TRUE,
    "docker.io/library/debian:latest", "debian:latest" },
  { "docker.io/library/debian:bookworm", D, "docker.io", "library/debian", "bookworm", NULL, TRUE,
    "docker.io/library/debian:bookworm", "debian:bookworm" },
  { "index.docker.io/library/debian", D, "docker.io", "library/debian", "latest", NULL, TRUE,
    "docker.io/library/debian:latest", "debian:latest" },
  { "index.docker.io/debian", D, "docker.io", "library/debian", "latest", NULL, TRUE,
    "docker.io/library/debian:latest", "debian:latest" },
  { "foo/bar", D, "docker.io", "foo/bar", "latest", NULL, FALSE,
    "docker.io/foo/bar:latest", "foo/bar:latest" },
  { "docker.io/foo/bar:1", D, "docker.io", "foo/bar", "1", NULL, TRUE,
    "docker.io/foo/bar:1", "foo/bar:1" },
  /* library/ is dropped only for official (single-component) images */
  { "library/a/b", D, "docker.io", "library/a/b", "latest", NULL, FALSE,
    "docker.io/library/a/b:latest", "library/a/b:latest" },
  /* a Hub path that would read as a registry keeps docker.io/ (docker's
   * familiar form would name another image here) */
  { "docker.io/a.b/c", D, "docker.io", "a.b/c", "latest", NULL, TRUE,
    "docker.io/a.b/c:latest", "docker.io/a.b/c:latest" },
  { "docker.io/localhost/c", D, "docker.io", "localhost/c", "latest", NULL, TRUE,
    "docker.io/localhost/c:latest", "docker.io/localhost/c:latest" },
  { "docker.io/a.b", D, "docker.io", "library/a.b", "latest", NULL, TRUE,
    "docker.io/library/a.b:latest", "a.b:latest" },
  /* domains: '.', ':', "localhost" or an uppercase letter */
  { "localhost:5000/a/b:c", D, "localhost:5000", "a/b", "c", NULL, TRUE,
    "localhost:5000/a/b:c", "localhost:5000/a/b:c" },
  { "localhost/a", D, "localhost", "a", "latest", NULL, TRUE,
    "localhost/a:latest", "localhost/a:latest" },
  { "quay.io/coreos/etcd:v3.5.0", D, "quay.io", "coreos/etcd", "v3.5.0", NULL, TRUE,
    "quay.io/coreos/etcd:v3.5.0", "quay.io/coreos/etcd:v3.5.0" },
  { "registry.local:5000/x/y/z", D, "registry.local:5000", "x/y/z", "latest", NULL, TRUE,
    "registry.local:5000/x/y/z:latest", "registry.local:5000/x/y/z:latest" },
  { "[::1]:5000/a:b", D, "[::1]:5000", "a", "b", NULL, TRUE,
    "[::1]:5000/a:b", "[::1]:5000/a:b" },
  { "[fe80::1]/a", D, "[fe80::1]", "a", "latest", NULL, TRUE,
    "[fe80::1]/a:latest", "[fe80::1]/a:latest" },
  { "Foo/bar", D, "Foo", "bar", "latest", NULL, TRUE,
    "Foo/bar:latest", "Foo/bar:latest" },
  { "my-registry/a", D, "docker.io", "my-registry/a", "latest", NULL, FALSE,
    "docker.io/my-registry/a:latest", "my-registry/a:latest" },
  { "a-b.example.com/c", D, "a-b.example.com", "c", "latest", NULL, TRUE,
    "a-b.example.com/c:latest", "a-b.example.com/c:latest" },
  /* without a '/', "localhost" and "localhost:5000" are names (and a tag) */
  { "localhost", D, "docker.io", "library/localhost", "latest", NULL, FALSE,
    "docker.io/library/localhost:latest", "localhost:latest" },
  { "localhost:5000", D, "docker.io", "library/localhost", "5000", NULL, FALSE,
    "docker.io/library/localhost:5000", "localhost:5000" },
  /* digests, alone or with a tag */
  { "a@" DIG, D, "docker.io", "library/a", NULL, DIG, FALSE,
    "docker.io/library/a@" DIG, "a@" DIG },
  { "a:t@" DIG, D, "docker.io", "library/a", "t", DIG, FALSE,
    "docker.io/library/a:t@" DIG, "a:t@" DIG },
  { "host:1/a/b@" DIG, D, "host:1", "a/b", NULL, DIG, TRUE,
    "host:1/a/b@" DIG, "host:1/a/b@" DIG },
  /* the separators of a path component */
  { "example.com/a__b/c.d/e-f/g---h/i_j:T_a.g-1", D, "example.com", "a__b/c.d/e-f/g---h/i_j",
    "T_a.g-1", NULL, TRUE, "example.com/a__b/c.d/e-f/g---h/i_j:T_a.g-1",
    "example.com/a__b/c.d/e-f/g---h/i_j:T_a.g-1" },
  { "a:_", D, "docker.io", "library/a", "_", NULL, FALSE, "docker.io/library/a:_", "a:_" },
  /* podman's convention for local names */
  { "myapp", L, "localhost", "myapp", "latest", NULL, FALSE,
    "localhost/myapp:latest", "localhost/myapp:latest" },
  { "myapp:v1", L, "localhost", "myapp", "v1", NULL, FALSE,
    "localhost/myapp:v1", "localhost/myapp:v1" },
  { "library/debian", L, "localhost", "library/debian", "latest", NULL, FALSE,
    "localhost/library/debian:latest", "localhost/library/debian:latest" },
  { "foo/bar", L, "localhost", "foo/bar", "latest", NULL, FALSE,
    "localhost/foo/bar:latest", "localhost/foo/bar:latest" },
  { "localhost/myapp", L, "localhost", "myapp", "latest", NULL, TRUE,
    "localhost/myapp:latest", "localhost/myapp:latest" },
  { "docker.io/debian", L, "docker.io", "library/debian", "latest", NULL, TRUE,
    "docker.io/library/debian:latest", "debian:latest" },
  { "index.docker.io/debian:12", L, "docker.io", "library/debian", "12", NULL, TRUE,
    "docker.io/library/debian:12", "debian:12" },
  { "quay.io/a/b@" DIG, L, "quay.io", "a/b", NULL, DIG, TRUE,
    "quay.io/a/b@" DIG, "quay.io/a/b@" DIG },
  { "myapp@" DIG, L, "localhost", "myapp", NULL, DIG, FALSE,
    "localhost/myapp@" DIG, "localhost/myapp@" DIG },
};

static void
test_normalisation_table (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (good_refs); i++)
    {
      const GoodRef *t = &good_refs[i];
      g_autoptr(OciRef) ref = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *full = NULL;
      g_autofree char *familiar = NULL;
      g_autofree char *repo = NULL;
      g_autofree char *expected_repo = NULL;

      g_test_message ("%s (%s)", t->text, t->dflt == D ? "docker.io" : "localhost");
      g_assert_true (oci_ref_parse (t->text, t->dflt, &ref, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (ref->domain, ==, t->domain);
      g_assert_cmpstr (ref->path, ==, t->path);
      g_assert_cmpstr (ref->tag, ==, t->tag);
      g_assert_cmpstr (ref->digest, ==, t->digest);
      g_assert_cmpint (ref->domain_given, ==, t->domain_given);

      full = oci_ref_to_string (ref);
      g_assert_cmpstr (full, ==, t->full);
      familiar = oci_ref_familiar (ref);
      g_assert_cmpstr (familiar, ==, t->familiar);
      repo = oci_ref_repository (ref);
      expected_repo = g_strconcat (t->domain, "/", t->path, NULL);
      g_assert_cmpstr (repo, ==, expected_repo);
    }
}

/* The full form is a fixed point under either default, and the familiar
 * form reads back as the same image when pulled. */
static void
test_full_and_familiar_forms_round_trip (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (good_refs); i++)
    {
      g_autoptr(OciRef) ref = NULL;
      g_autoptr(OciRef) again_d = NULL;
      g_autoptr(OciRef) again_l = NULL;
      g_autoptr(OciRef) from_familiar = NULL;
      g_autofree char *full = NULL;
      g_autofree char *full_d = NULL;
      g_autofree char *full_l = NULL;
      g_autofree char *familiar = NULL;
      g_autofree char *full_f = NULL;

      g_assert_true (oci_ref_parse (good_refs[i].text, good_refs[i].dflt, &ref, NULL));
      full = oci_ref_to_string (ref);
      g_assert_true (oci_ref_parse (full, D, &again_d, NULL));
      g_assert_true (oci_ref_parse (full, L, &again_l, NULL));
      full_d = oci_ref_to_string (again_d);
      full_l = oci_ref_to_string (again_l);
      g_assert_cmpstr (full_d, ==, full);
      g_assert_cmpstr (full_l, ==, full);
      g_assert_true (again_d->domain_given);

      familiar = oci_ref_familiar (ref);
      g_assert_true (oci_ref_parse (familiar, D, &from_familiar, NULL));
      full_f = oci_ref_to_string (from_familiar);
      g_assert_cmpstr (full_f, ==, full);
    }
}

typedef struct {
  const char *text;
  int code;
  const char *message;
} BadRef;

static const BadRef bad_refs[] = {
  { "", OCI_ERROR_INVALID, "invalid reference \"\": it is empty" },
  { ":", OCI_ERROR_INVALID, "repository name is empty" },
  { ":tag", OCI_ERROR_INVALID, "repository name is empty" },
  { "@", OCI_ERROR_INVALID, "repository name is empty" },
  { "@" DIG, OCI_ERROR_INVALID, "repository name is empty" },
  { "a:", OCI_ERROR_INVALID, "invalid reference \"a:\": tag is empty" },
  { "a@", OCI_ERROR_INVALID, "digest is empty" },
  { "a:@" DIG, OCI_ERROR_INVALID, "tag is empty" },
  { "a/", OCI_ERROR_INVALID, "repository name has an empty component" },
  { "/a", OCI_ERROR_INVALID, "repository name has an empty component" },
  { "a//b", OCI_ERROR_INVALID, "repository name has an empty component" },
  { "example.com/", OCI_ERROR_INVALID, "repository name has an empty component" },
  { "example.com/a/", OCI_ERROR_INVALID, "repository name has an empty component" },
  /* uppercase outside the domain */
  { "Debian", OCI_ERROR_INVALID, "repository name must be lowercase" },
  { "debian/Sid", OCI_ERROR_INVALID, "repository name must be lowercase" },
  { "docker.io/Library/debian", OCI_ERROR_INVALID, "repository name must be lowercase" },
  { "localhost:5000/A", OCI_ERROR_INVALID, "repository name must be lowercase" },
  /* component grammar */
  { "a..b", OCI_ERROR_INVALID, "component \"a..b\" must start and end with a letter or digit" },
  { "-a", OCI_ERROR_INVALID, "component \"-a\" must start and end" },
  { "a-", OCI_ERROR_INVALID, "component \"a-\" must start and end" },
  { "a_", OCI_ERROR_INVALID, "component \"a_\" must start and end" },
  { ".a", OCI_ERROR_INVALID, "component \".a\" must start and end" },
  { "a___b", OCI_ERROR_INVALID, "component \"a___b\" must start and end" },
  { "a._b", OCI_ERROR_INVALID, "component \"a._b\" must start and end" },
  { "a-_b", OCI_ERROR_INVALID, "component \"a-_b\" must start and end" },
  { "a b", OCI_ERROR_INVALID, "component \"a b\" may contain only a-z, 0-9" },
  { "a:b:c", OCI_ERROR_INVALID, "component \"a:b\" may contain only" },
  { "d\xc3\xa9" "bian", OCI_ERROR_INVALID, "component \"d\\xc3\\xa9bian\" may contain only" },
  { "a+b/c", OCI_ERROR_INVALID, "component \"a+b\" may contain only" },
  /* domains */
  { "a:b/c", OCI_ERROR_INVALID, "registry \"a:b\" is not a host name" },
  { "a:/c", OCI_ERROR_INVALID, "registry \"a:\" is not a host name" },
  { "foo_bar.com/x", OCI_ERROR_INVALID, "registry \"foo_bar.com\" is not a host name" },
  { "-a.com/x", OCI_ERROR_INVALID, "registry \"-a.com\"" },
  { "a-.com/x", OCI_ERROR_INVALID, "registry \"a-.com\"" },
  { "a..com/x", OCI_ERROR_INVALID, "registry \"a..com\"" },
  { ".com/x", OCI_ERROR_INVALID, "registry \".com\"" },
  { "[]/x", OCI_ERROR_INVALID, "component \"[]\" may contain only" },
  { "[::1/x", OCI_ERROR_INVALID, "registry \"[::1\"" },
  { "[::g]/x", OCI_ERROR_INVALID, "registry \"[::g]\"" },
  { "[::1]5000/x", OCI_ERROR_INVALID, "registry \"[::1]5000\"" },
  { "host:50a0/x", OCI_ERROR_INVALID, "registry \"host:50a0\"" },
  /* tags */
  { "a:-tag", OCI_ERROR_INVALID, "tag \"-tag\" must start with a letter, digit or '_'" },
  { "a:.tag", OCI_ERROR_INVALID, "tag \".tag\" must start with" },
  { "a:tag!", OCI_ERROR_INVALID, "tag \"tag!\" may contain only letters, digits, '_', '.' and '-'" },
  { "a:t/g", OCI_ERROR_INVALID, "registry \"a:t\" is not a host name" },
  /* digests */
  { "a@sha256:abc", OCI_ERROR_INVALID, "digest \"sha256:abc\" has 3 hex characters, expected 64" },
  { "a@sha256:" HEX "@x", OCI_ERROR_INVALID, "is not a hex digit" },
  { "a@" "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
    OCI_ERROR_INVALID, "hex must be lowercase" },
  { "a@sha512:cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
    OCI_ERROR_UNSUPPORTED, "algorithm \"sha512\" is not supported" },
  { "a@" HEX, OCI_ERROR_INVALID, "has no algorithm" },
  /* a bare image ID is not a name */
  { HEX, OCI_ERROR_INVALID, "64 hexadecimal characters are an image ID, not a name" },
};

static void
test_bad_references (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (bad_refs); i++)
    {
      g_autoptr(OciRef) ref = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *q = oci_quote (bad_refs[i].text);
      g_autofree char *prefix = g_strdup_printf ("invalid reference %s: ", q);

      g_test_message ("%s", q);
      g_assert_false (oci_ref_parse (bad_refs[i].text, D, &ref, &error));
      g_assert_null (ref);
      assert_error_contains (error, bad_refs[i].code, bad_refs[i].message);
      g_assert_true (g_str_has_prefix (error->message, prefix));
      /* the localhost default changes nothing about what is invalid */
      g_clear_error (&error);
      g_assert_false (oci_ref_parse (bad_refs[i].text, L, &ref, &error));
      assert_error_contains (error, bad_refs[i].code, bad_refs[i].message);
    }
}

/* A 64-hex string is an image ID only on its own: as a tag or in a path
 * with another component it is a name, as in docker. */
static void
test_hex_names_that_are_not_ids (void)
{
  g_autoptr(OciRef) a = NULL;
  g_autoptr(OciRef) b = NULL;
  g_autoptr(OciRef) c = NULL;

  g_assert_true (oci_ref_parse ("a:" HEX, D, &a, NULL));
  g_assert_cmpstr (a->tag, ==, HEX);
  g_assert_true (oci_ref_parse ("foo/" HEX, D, &b, NULL));
  g_assert_cmpstr (b->path, ==, "foo/" HEX);
  g_assert_true (oci_ref_parse (HEX "0", D, &c, NULL));   /* 65 characters */
  g_assert_cmpstr (c->path, ==, "library/" HEX "0");
}

static char *
repeat (char c, gsize n)
{
  return g_strnfill (n, c);
}

static void
test_tag_length_limit (void)
{
  g_autofree char *t128 = repeat ('t', OCI_LIMIT_REF_TAG);
  g_autofree char *t129 = repeat ('t', OCI_LIMIT_REF_TAG + 1);
  g_autofree char *ok_text = g_strconcat ("a:", t128, NULL);
  g_autofree char *bad_text = g_strconcat ("a:", t129, NULL);
  g_autoptr(OciRef) ref = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (oci_ref_parse (ok_text, D, &ref, NULL));
  g_assert_cmpuint (strlen (ref->tag), ==, 128);
  g_clear_pointer (&ref, oci_ref_free);
  g_assert_false (oci_ref_parse (bad_text, D, &ref, &error));
  assert_error_contains (error, OCI_ERROR_LIMIT, "tag is 129 characters, over OCI_LIMIT_REF_TAG (128)");
}

/* docker counts the name after normalisation: domain, '/', path. */
static void
test_name_length_limit (void)
{
  /* "example.com/" is 12 characters */
  g_autofree char *p243 = repeat ('a', 243);
  g_autofree char *p244 = repeat ('a', 244);
  g_autofree char *at_limit = g_strconcat ("example.com/", p243, ":t", NULL);
  g_autofree char *over = g_strconcat ("example.com/", p244, NULL);
  /* "docker.io/library/" is 18 characters */
  g_autofree char *p237 = repeat ('b', 237);
  g_autofree char *p238 = repeat ('b', 238);
  /* "localhost/" is 10 characters */
  g_autofree char *p245 = repeat ('c', 245);
  g_autofree char *p246 = repeat ('c', 246);
  g_autoptr(OciRef) ref = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *full = NULL;

  g_assert_true (oci_ref_parse (at_limit, D, &ref, NULL));
  full = oci_ref_to_string (ref);
  g_assert_cmpuint (strlen (full), ==, 255 + 2);
  g_clear_pointer (&ref, oci_ref_free);

  g_assert_false (oci_ref_parse (over, D, &ref, &error));
  assert_error_contains (error, OCI_ERROR_LIMIT,
                         "repository name is 256 characters with its registry, over OCI_LIMIT_REF_NAME (255)");
  g_clear_error (&error);

  g_assert_true (oci_ref_parse (p237, D, &ref, NULL));
  g_clear_pointer (&ref, oci_ref_free);
  g_assert_false (oci_ref_parse (p238, D, &ref, &error));
  assert_error_contains (error, OCI_ERROR_LIMIT, "256 characters");
  g_clear_error (&error);

  g_assert_true (oci_ref_parse (p245, L, &ref, NULL));
  g_clear_pointer (&ref, oci_ref_free);
  g_assert_false (oci_ref_parse (p246, L, &ref, &error));
  assert_error_contains (error, OCI_ERROR_LIMIT, "256 characters");
}

/* A megabyte of garbage must give an error of a sane size. */
static void
test_huge_input_gives_short_message (void)
{
  g_autofree char *huge = repeat ('A', 1024 * 1024);
  g_autoptr(OciRef) ref = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (oci_ref_parse (huge, D, &ref, &error));
  assert_error_contains (error, OCI_ERROR_INVALID, "must be lowercase");
  g_assert_cmpuint (strlen (error->message), <, 300);
}

static void
test_control_characters_are_escaped (void)
{
  g_autoptr(OciRef) ref = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (oci_ref_parse ("a\x1b[2Jb", D, &ref, &error));
  assert_error_contains (error, OCI_ERROR_INVALID, "invalid reference \"a\\x1b[2Jb\"");
  g_assert_null (strchr (error->message, '\x1b'));
}

static void
test_copy_is_deep (void)
{
  g_autoptr(OciRef) ref = NULL;
  g_autoptr(OciRef) copy = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  g_assert_true (oci_ref_parse ("quay.io/a/b:t@" DIG, D, &ref, NULL));
  copy = oci_ref_copy (ref);
  g_assert_true (copy->domain != ref->domain);
  g_assert_true (copy->path != ref->path);
  g_assert_true (copy->tag != ref->tag);
  g_assert_true (copy->digest != ref->digest);
  g_assert_true (copy->domain_given);
  a = oci_ref_to_string (ref);
  g_clear_pointer (&ref, oci_ref_free);
  b = oci_ref_to_string (copy);
  g_assert_cmpstr (a, ==, b);
}

/* A reference built by hand (not parsed) formats the same way. */
static void
test_familiar_of_built_refs (void)
{
  OciRef official = { (char *) "docker.io", (char *) "library/debian", (char *) "bookworm", NULL, TRUE };
  OciRef user = { (char *) "docker.io", (char *) "foo/bar", (char *) "1", NULL, TRUE };
  OciRef other = { (char *) "ghcr.io", (char *) "library/debian", (char *) "1", NULL, TRUE };
  OciRef local = { (char *) "localhost", (char *) "myapp", (char *) "v1", NULL, FALSE };
  g_autofree char *f1 = oci_ref_familiar (&official);
  g_autofree char *f2 = oci_ref_familiar (&user);
  g_autofree char *f3 = oci_ref_familiar (&other);
  g_autofree char *f4 = oci_ref_familiar (&local);

  g_assert_cmpstr (f1, ==, "debian:bookworm");
  g_assert_cmpstr (f2, ==, "foo/bar:1");
  g_assert_cmpstr (f3, ==, "ghcr.io/library/debian:1");
  g_assert_cmpstr (f4, ==, "localhost/myapp:v1");
}

static void
test_free_null (void)
{
  oci_ref_free (NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/oci/ref/normalisation-table", test_normalisation_table);
  g_test_add_func ("/oci/ref/full-and-familiar-forms-round-trip",
                   test_full_and_familiar_forms_round_trip);
  g_test_add_func ("/oci/ref/bad-references", test_bad_references);
  g_test_add_func ("/oci/ref/hex-names-that-are-not-ids", test_hex_names_that_are_not_ids);
  g_test_add_func ("/oci/ref/tag-length-limit", test_tag_length_limit);
  g_test_add_func ("/oci/ref/name-length-limit", test_name_length_limit);
  g_test_add_func ("/oci/ref/huge-input-gives-short-message", test_huge_input_gives_short_message);
  g_test_add_func ("/oci/ref/control-characters-are-escaped", test_control_characters_are_escaped);
  g_test_add_func ("/oci/ref/copy-is-deep", test_copy_is_deep);
  g_test_add_func ("/oci/ref/familiar-of-built-refs", test_familiar_of_built_refs);
  g_test_add_func ("/oci/ref/free-null", test_free_null);

  return g_test_run ();
}
