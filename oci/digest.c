/* oci/digest.c: the OCI error domain, sha256 digest strings, and quoting
 * of untrusted text for error messages. Hashing itself is oci/sha256.c.
 */
#include "oci/oci.h"

#include <errno.h>

#include <string.h>

GQuark
oci_error_quark (void)
{
  return g_quark_from_static_string ("oci-error-quark");
}

/* ---- quoting ------------------------------------------------------------ */

/* Error messages end up on a terminal, and the text we quote comes from
 * registries and archives: escape what could move the cursor or hide text,
 * and cut long values so a 4 MiB "digest" does not become a 4 MiB message. */
#define QUOTE_MAX 80

char *
oci_quote (const char *text)
{
  GString *s;
  gsize i;

  if (text == NULL)
    return g_strdup ("(null)");

  s = g_string_sized_new (MIN (strlen (text), QUOTE_MAX) + 8);
  g_string_append_c (s, '"');
  for (i = 0; text[i] != '\0'; i++)
    {
      guchar c = (guchar) text[i];

      if (i == QUOTE_MAX)
        {
          g_string_append (s, "...");
          break;
        }
      if (c == '"' || c == '\\')
        {
          g_string_append_c (s, '\\');
          g_string_append_c (s, (char) c);
        }
      else if (c == '\n')
        g_string_append (s, "\\n");
      else if (c == '\t')
        g_string_append (s, "\\t");
      else if (c < 0x20 || c >= 0x7f)
        g_string_append_printf (s, "\\x%02x", c);
      else
        g_string_append_c (s, (char) c);
    }
  g_string_append_c (s, '"');
  return g_string_free (s, FALSE);
}

/* ---- digests ------------------------------------------------------------ */

static const char hex_digits[] = "0123456789abcdef";

void
oci_hex_encode (const guint8 raw[32], char out[65])
{
  for (int i = 0; i < 32; i++)
    {
      out[2 * i] = hex_digits[raw[i] >> 4];
      out[2 * i + 1] = hex_digits[raw[i] & 0xf];
    }
  out[64] = '\0';
}

/* OCI image-spec descriptor.md: algorithm := component ([+._-] component)*,
 * component := [a-z0-9]+.  With is_long_hex, tells a digest of another
 * algorithm (unsupported) from garbage (invalid). */
static gboolean
is_algorithm (const char *s, gsize len)
{
  gboolean prev_sep = TRUE;

  if (len == 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      char c = s[i];

      if (g_ascii_islower (c) || g_ascii_isdigit (c))
        prev_sep = FALSE;
      else if (c == '+' || c == '.' || c == '_' || c == '-')
        {
          if (prev_sep)
            return FALSE;
          prev_sep = TRUE;
        }
      else
        return FALSE;
    }
  return !prev_sep;
}

/* docker/distribution's digest grammar asks at least 128 bits of hex of
 * any algorithm (sha384, sha512, blake3 ...). */
static gboolean
is_long_hex (const char *s)
{
  gsize n = 0;

  for (; s[n]; n++)
    if (!g_ascii_isxdigit (s[n]))
      return FALSE;
  return n >= 32;
}

gboolean
oci_digest_validate (const char *digest, GError **error)
{
  g_autofree char *q = NULL;
  const char *colon;
  const char *hex;
  gsize n;

  if (digest == NULL || *digest == '\0')
    {
      g_set_error_literal (error, OCI_ERROR, OCI_ERROR_INVALID, "digest is empty");
      return FALSE;
    }

  q = oci_quote (digest);
  colon = strchr (digest, ':');
  if (colon == NULL)
    {
      g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID,
                   "digest %s has no algorithm (expected \"sha256:\" and 64 hex characters)", q);
      return FALSE;
    }

  if ((gsize) (colon - digest) != strlen ("sha256") || strncmp (digest, "sha256", 6) != 0)
    {
      g_autofree char *alg = g_strndup (digest, colon - digest);
      g_autofree char *qalg = oci_quote (alg);

      if (is_algorithm (digest, colon - digest) && is_long_hex (colon + 1))
        g_set_error (error, OCI_ERROR, OCI_ERROR_UNSUPPORTED,
                     "digest %s: algorithm %s is not supported (only sha256)", q, qalg);
      else
        g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID,
                     "digest %s: algorithm %s is not sha256", q, qalg);
      return FALSE;
    }

  hex = colon + 1;
  n = strlen (hex);
  for (gsize i = 0; i < n; i++)
    {
      char c = hex[i];

      if (g_ascii_isdigit (c) || (c >= 'a' && c <= 'f'))
        continue;
      if (c >= 'A' && c <= 'F')
        g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID,
                     "digest %s: hex must be lowercase", q);
      else
        g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID,
                     "digest %s: character %zu is not a hex digit", q, i + 1);
      return FALSE;
    }
  if (n != 64)
    {
      g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID,
                   "digest %s has %zu hex characters, expected 64", q, n);
      return FALSE;
    }
  return TRUE;
}

const char *
oci_digest_hex (const char *digest)
{
  g_return_val_if_fail (digest != NULL, NULL);
  g_return_val_if_fail (g_str_has_prefix (digest, OCI_DIGEST_PREFIX), NULL);

  return digest + strlen (OCI_DIGEST_PREFIX);
}

gboolean
oci_throw_errno (GError **error, const char *fmt, ...)
{
  int e = errno;
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e), "%s: %s", msg, g_strerror (e));
  return FALSE;
}
