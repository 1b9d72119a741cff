/* oci/ref.c: image references, spelled and normalised as docker does.
 *
 * The grammar is docker/distribution's reference package (reference.go and
 * normalize.go), checked by hand rather than by regular expression:
 *
 *   reference := name [ ":" tag ] [ "@" digest ]
 *   name      := [ domain "/" ] component ( "/" component )*
 *   domain    := host [ ":" port ];  host := dns-name | "[" ipv6 "]"
 *   component := [a-z0-9]+ ( ( [._] | "__" | "-"* ) [a-z0-9]+ )*
 *   tag       := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}
 *
 * The first component is a domain only if it contains '.' or ':', is
 * "localhost", or has an uppercase letter (docker's splitDockerDomain); a
 * name with a domain and path of more than 255 characters after
 * normalisation is refused, as docker does.
 */
#include "oci/oci.h"
#include "oci/oci-limits.h"

#include <string.h>

#define DOCKER_DOMAIN "docker.io"
#define DOCKER_LEGACY_DOMAIN "index.docker.io"
#define DOCKER_OFFICIAL_PREFIX "library/"

static gboolean
is_lower_alnum (char c)
{
  return g_ascii_islower (c) || g_ascii_isdigit (c);
}

static gboolean
component_error (const char *s, gsize len, const char *what, GError **error)
{
  g_autofree char *comp = g_strndup (s, len);
  g_autofree char *q = oci_quote (comp);

  g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID, "repository name component %s %s", q, what);
  return FALSE;
}

/* One path component, with the error naming what is wrong with it. */
static gboolean
component_valid (const char *s, gsize len, GError **error)
{
  gsize i;

  if (len == 0)
    {
      g_set_error_literal (error, OCI_ERROR, OCI_ERROR_INVALID,
                           "repository name has an empty component");
      return FALSE;
    }

  for (i = 0; i < len; i++)
    if (!is_lower_alnum (s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-')
      return component_error (s, len, "may contain only a-z, 0-9, '.', '_' and '-'", error);

  /* Alternate runs of [a-z0-9] and single separators, starting and ending
   * with a run; a separator is '.', '_', "__" or any number of '-'. */
  i = 0;
  for (;;)
    {
      gsize run = 0;

      while (i < len && is_lower_alnum (s[i]))
        i++, run++;
      if (run == 0)
        break;
      if (i == len)
        return TRUE;
      if (s[i] == '.')
        i++;
      else if (s[i] == '_')
        i += (i + 1 < len && s[i + 1] == '_') ? 2 : 1;
      else
        while (i < len && s[i] == '-')
          i++;
    }

  return component_error (s, len,
                          "must start and end with a letter or digit, "
                          "with only '.', '_', '__' or dashes between them", error);
}

static gboolean
path_valid (const char *path, GError **error)
{
  const char *p = path;

  for (const char *c = path; *c; c++)
    if (g_ascii_isupper (*c))
      {
        g_set_error_literal (error, OCI_ERROR, OCI_ERROR_INVALID,
                             "repository name must be lowercase");
        return FALSE;
      }

  for (;;)
    {
      const char *slash = strchr (p, '/');
      gsize len = slash ? (gsize) (slash - p) : strlen (p);

      if (!component_valid (p, len, error))
        return FALSE;
      if (slash == NULL)
        return TRUE;
      p = slash + 1;
    }
}

/* dns-name := label ( "." label )*, label := [A-Za-z0-9] ( [A-Za-z0-9-]* [A-Za-z0-9] )? */
static gboolean
dns_name_valid (const char *s, gsize len)
{
  gsize label = 0;

  if (len == 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      char c = s[i];

      if (c == '.')
        {
          if (label == 0 || s[i - 1] == '-')
            return FALSE;
          label = 0;
        }
      else if (g_ascii_isalnum (c))
        label++;
      else if (c == '-')
        {
          if (label == 0)
            return FALSE;
          label++;
        }
      else
        return FALSE;
    }
  return label > 0 && s[len - 1] != '-';
}

static gboolean
domain_valid (const char *domain, GError **error)
{
  gsize len = strlen (domain);
  gsize host_len = len;
  gboolean ok;

  if (domain[0] == '[')
    {
      /* docker/distribution accepts "[" [0-9A-Fa-f:]+ "]" without checking
       * that the address makes sense; so do we. */
      const char *close = strchr (domain, ']');

      ok = close != NULL && close > domain + 1;
      for (const char *c = domain + 1; ok && c < close; c++)
        ok = g_ascii_isxdigit (*c) || *c == ':';
      if (ok)
        host_len = close - domain + 1;
    }
  else
    {
      const char *colon = strchr (domain, ':');

      if (colon != NULL)
        host_len = colon - domain;
      ok = dns_name_valid (domain, host_len);
    }

  if (ok && host_len < len)
    {
      const char *port = domain + host_len;

      ok = port[0] == ':' && port[1] != '\0';
      for (const char *c = port + 1; ok && *c; c++)
        ok = g_ascii_isdigit (*c);
    }

  if (!ok)
    {
      g_autofree char *q = oci_quote (domain);
      g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID,
                   "registry %s is not a host name or [IPv6 address] with an optional :port", q);
    }
  return ok;
}

static gboolean
tag_valid (const char *tag, GError **error)
{
  g_autofree char *q = NULL;
  gsize len = strlen (tag);

  if (len == 0)
    {
      g_set_error_literal (error, OCI_ERROR, OCI_ERROR_INVALID, "tag is empty");
      return FALSE;
    }

  q = oci_quote (tag);
  if (!(g_ascii_isalnum (tag[0]) || tag[0] == '_'))
    {
      g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID,
                   "tag %s must start with a letter, digit or '_'", q);
      return FALSE;
    }
  for (gsize i = 1; i < len; i++)
    if (!(g_ascii_isalnum (tag[i]) || tag[i] == '_' || tag[i] == '.' || tag[i] == '-'))
      {
        g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID,
                     "tag %s may contain only letters, digits, '_', '.' and '-'", q);
        return FALSE;
      }
  if (len > OCI_LIMIT_REF_TAG)
    {
      g_set_error (error, OCI_ERROR, OCI_ERROR_LIMIT,
                   "tag is %zu characters, over OCI_LIMIT_REF_TAG (%d)", len, OCI_LIMIT_REF_TAG);
      return FALSE;
    }
  return TRUE;
}

/* docker refuses a bare 64-hex name: it would be read as an image ID. */
static gboolean
is_image_id (const char *text)
{
  gsize n = 0;

  for (; text[n]; n++)
    if (!(g_ascii_isdigit (text[n]) || (text[n] >= 'a' && text[n] <= 'f')))
      return FALSE;
  return n == 64;
}

static gboolean
first_component_is_domain (const char *name, gsize len)
{
  if (len == strlen ("localhost") && strncmp (name, "localhost", len) == 0)
    return TRUE;
  for (gsize i = 0; i < len; i++)
    if (name[i] == '.' || name[i] == ':' || g_ascii_isupper (name[i]))
      return TRUE;
  return FALSE;
}

static gboolean
ref_parse (const char *text, OciRefDefault dflt, OciRef **out, GError **error)
{
  g_autoptr(OciRef) ref = g_new0 (OciRef, 1);
  g_autofree char *name = NULL;
  const char *at;
  const char *slash;
  char *colon;
  gsize full_len;

  if (*text == '\0')
    {
      g_set_error_literal (error, OCI_ERROR, OCI_ERROR_INVALID, "it is empty");
      return FALSE;
    }
  if (is_image_id (text))
    {
      g_set_error_literal (error, OCI_ERROR, OCI_ERROR_INVALID,
                           "64 hexadecimal characters are an image ID, not a name");
      return FALSE;
    }

  at = strchr (text, '@');
  name = at ? g_strndup (text, at - text) : g_strdup (text);

  /* A ':' after the last '/' starts the tag; one before it is a port. */
  colon = strrchr (name, ':');
  slash = strrchr (name, '/');
  if (colon != NULL && (slash == NULL || colon > slash))
    {
      *colon = '\0';
      ref->tag = g_strdup (colon + 1);
    }

  if (name[0] == '\0')
    {
      g_set_error_literal (error, OCI_ERROR, OCI_ERROR_INVALID, "repository name is empty");
      return FALSE;
    }

  slash = strchr (name, '/');
  if (slash != NULL && first_component_is_domain (name, slash - name))
    {
      ref->domain = g_strndup (name, slash - name);
      ref->path = g_strdup (slash + 1);
      ref->domain_given = TRUE;
      if (!domain_valid (ref->domain, error))
        return FALSE;
    }
  else
    ref->path = g_strdup (name);

  if (!path_valid (ref->path, error))
    return FALSE;
  if (ref->tag != NULL && !tag_valid (ref->tag, error))
    return FALSE;
  if (at != NULL)
    {
      if (!oci_digest_validate (at + 1, error))
        return FALSE;
      ref->digest = g_strdup (at + 1);
    }

  if (ref->domain == NULL)
    ref->domain = g_strdup (dflt == OCI_REF_DEFAULT_DOCKER_IO ? DOCKER_DOMAIN : "localhost");
  else if (strcmp (ref->domain, DOCKER_LEGACY_DOMAIN) == 0)
    {
      g_free (ref->domain);
      ref->domain = g_strdup (DOCKER_DOMAIN);
    }
  /* Docker Hub's official images live under library/; docker adds it
   * whenever the domain is docker.io, whether written or defaulted. */
  if (strcmp (ref->domain, DOCKER_DOMAIN) == 0 && strchr (ref->path, '/') == NULL)
    {
      char *p = g_strconcat (DOCKER_OFFICIAL_PREFIX, ref->path, NULL);
      g_free (ref->path);
      ref->path = p;
    }

  full_len = strlen (ref->domain) + 1 + strlen (ref->path);
  if (full_len > OCI_LIMIT_REF_NAME)
    {
      g_set_error (error, OCI_ERROR, OCI_ERROR_LIMIT,
                   "repository name is %zu characters with its registry, over OCI_LIMIT_REF_NAME (%d)",
                   full_len, OCI_LIMIT_REF_NAME);
      return FALSE;
    }

  if (ref->tag == NULL && ref->digest == NULL)
    ref->tag = g_strdup ("latest");

  *out = g_steal_pointer (&ref);
  return TRUE;
}

gboolean
oci_ref_parse (const char *text, OciRefDefault dflt, OciRef **out, GError **error)
{
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  if (!ref_parse (text, dflt, out, error))
    {
      g_autofree char *q = oci_quote (text);
      g_prefix_error (error, "invalid reference %s: ", q);
      return FALSE;
    }
  return TRUE;
}

static char *
ref_format (const char *domain, const char *path, const OciRef *ref)
{
  GString *s = g_string_new (NULL);

  if (domain != NULL)
    {
      g_string_append (s, domain);
      g_string_append_c (s, '/');
    }
  g_string_append (s, path);
  if (ref->tag != NULL)
    {
      g_string_append_c (s, ':');
      g_string_append (s, ref->tag);
    }
  if (ref->digest != NULL)
    {
      g_string_append_c (s, '@');
      g_string_append (s, ref->digest);
    }
  return g_string_free (s, FALSE);
}

char *
oci_ref_to_string (const OciRef *ref)
{
  g_return_val_if_fail (ref != NULL, NULL);
  return ref_format (ref->domain, ref->path, ref);
}

char *
oci_ref_repository (const OciRef *ref)
{
  g_return_val_if_fail (ref != NULL, NULL);
  return g_strconcat (ref->domain, "/", ref->path, NULL);
}

/* docker's FamiliarString: Docker Hub loses its domain, and official images
 * their "library/" (but library/a/b keeps it: it is not an official image).
 * Unlike docker, a Hub path whose first component would read as a registry
 * ("docker.io/a.b/c") keeps its domain, so the familiar form always names
 * the same image when pulled. */
char *
oci_ref_familiar (const OciRef *ref)
{
  const char *path;
  const char *slash;

  g_return_val_if_fail (ref != NULL, NULL);

  if (g_strcmp0 (ref->domain, DOCKER_DOMAIN) != 0)
    return ref_format (ref->domain, ref->path, ref);

  path = ref->path;
  if (g_str_has_prefix (path, DOCKER_OFFICIAL_PREFIX)
      && strchr (path + strlen (DOCKER_OFFICIAL_PREFIX), '/') == NULL)
    path += strlen (DOCKER_OFFICIAL_PREFIX);
  slash = strchr (path, '/');
  if (slash != NULL && first_component_is_domain (path, slash - path))
    return ref_format (ref->domain, ref->path, ref);
  return ref_format (NULL, path, ref);
}

OciRef *
oci_ref_copy (const OciRef *ref)
{
  OciRef *c;

  g_return_val_if_fail (ref != NULL, NULL);

  c = g_new0 (OciRef, 1);
  c->domain = g_strdup (ref->domain);
  c->path = g_strdup (ref->path);
  c->tag = g_strdup (ref->tag);
  c->digest = g_strdup (ref->digest);
  c->domain_given = ref->domain_given;
  return c;
}

void
oci_ref_free (OciRef *ref)
{
  if (ref == NULL)
    return;
  g_free (ref->domain);
  g_free (ref->path);
  g_free (ref->tag);
  g_free (ref->digest);
  g_free (ref);
}
