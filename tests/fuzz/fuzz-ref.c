/* tests/fuzz/fuzz-ref.c: image references from arbitrary bytes.
 *
 * Beyond not crashing, checks what callers rely on: the full form of a
 * parsed reference parses back to itself under either default, and the
 * familiar form names the same image when pulled. */
#include "oci/oci.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void
check_round_trip (const OciRef *ref)
{
  g_autofree char *full = oci_ref_to_string (ref);
  g_autofree char *familiar = oci_ref_familiar (ref);
  g_autofree char *repo = oci_ref_repository (ref);
  g_autoptr(OciRef) copy = oci_ref_copy (ref);
  g_autofree char *copy_full = oci_ref_to_string (copy);

  if (strcmp (full, copy_full) != 0 || !g_str_has_prefix (full, repo))
    abort ();
  if (ref->tag == NULL && ref->digest == NULL)
    abort ();

  for (int d = OCI_REF_DEFAULT_DOCKER_IO; d <= OCI_REF_DEFAULT_LOCALHOST; d++)
    {
      g_autoptr(OciRef) again = NULL;
      g_autofree char *again_full = NULL;

      if (!oci_ref_parse (full, d, &again, NULL))
        abort ();
      again_full = oci_ref_to_string (again);
      if (strcmp (full, again_full) != 0)
        abort ();
    }

  {
    g_autoptr(OciRef) pulled = NULL;
    g_autofree char *pulled_full = NULL;

    if (!oci_ref_parse (familiar, OCI_REF_DEFAULT_DOCKER_IO, &pulled, NULL))
      abort ();
    pulled_full = oci_ref_to_string (pulled);
    if (strcmp (full, pulled_full) != 0)
      abort ();
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* References are C strings: what follows a NUL is not part of one. */
  g_autofree char *text = g_strndup ((const char *) data, size);

  for (int d = OCI_REF_DEFAULT_DOCKER_IO; d <= OCI_REF_DEFAULT_LOCALHOST; d++)
    {
      g_autoptr(OciRef) ref = NULL;
      g_autoptr(GError) error = NULL;

      if (oci_ref_parse (text, d, &ref, &error))
        check_round_trip (ref);
      else if (error == NULL || error->domain != OCI_ERROR || error->message[0] == '\0')
        abort ();
    }

  /* Digests and platforms are parsed from the same kind of user text. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(OciPlatform) platform = NULL;

    if (oci_digest_validate (text, &error) && strlen (text) != OCI_DIGEST_LEN)
      abort ();
    if (oci_platform_parse (text, &platform, NULL))
      {
        g_autofree char *s = oci_platform_to_string (platform);
        if (strcmp (s, text) != 0)
          abort ();
      }
  }
  return 0;
}
