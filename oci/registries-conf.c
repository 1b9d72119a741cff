/* oci/registries-conf.c: mirrors from a registries.conf, as containers'
 * tools read it (containers-registries.conf(5), version 2):
 *
 *   [[registry]]
 *   location = "docker.io"            # or prefix = "docker.io/library"
 *   [[registry.mirror]]
 *   location = "127.0.0.1:5000"
 *   insecure = true
 *
 * Only the keys mirrors need are read; a line we do not understand is
 * skipped, as the file may hold settings for other tools.
 */
#include "oci/oci-registry.h"

#include <string.h>

void
oci_mirror_free (OciMirror *m)
{
  if (!m)
    return;
  g_free (m->location);
  g_free (m);
}

typedef struct {
  char *prefix;          /* what references it covers: domain[/path] */
  GPtrArray *mirrors;    /* OciMirror* */
} Registry;

static void
registry_free (gpointer p)
{
  Registry *r = p;
  g_free (r->prefix);
  g_ptr_array_unref (r->mirrors);
  g_free (r);
}

static char *
toml_string (const char *v)
{
  while (*v == ' ')
    v++;
  if (*v != '"')
    return NULL;
  const char *end = strchr (v + 1, '"');
  return end ? g_strndup (v + 1, end - v - 1) : NULL;
}

/* Does repository (domain/path) fall under prefix? */
static gboolean
covers (const char *prefix, const char *repository)
{
  gsize n = strlen (prefix);
  return strncmp (repository, prefix, n) == 0 && (repository[n] == '\0' || repository[n] == '/');
}

GPtrArray *
oci_registries_mirrors (const char *conf, const char *repository, char **out_prefix, GError **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) oci_mirror_free);
  *out_prefix = NULL;
  g_autofree char *text = NULL;
  if (!conf || !g_file_get_contents (conf, &text, NULL, NULL))
    return g_steal_pointer (&out);   /* no file: no mirrors */
  g_autoptr(GPtrArray) regs = g_ptr_array_new_with_free_func (registry_free);
  Registry *cur = NULL;
  OciMirror *mir = NULL;
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l; l++)
    {
      g_autofree char *line = g_strstrip (g_strdup (*l));
      char *hash = strchr (line, '#');
      if (hash && (!strchr (line, '"') || hash < strchr (line, '"')))
        *hash = '\0';
      g_strstrip (line);
      if (g_str_equal (line, "[[registry]]"))
        {
          cur = g_new0 (Registry, 1);
          cur->mirrors = g_ptr_array_new_with_free_func ((GDestroyNotify) oci_mirror_free);
          g_ptr_array_add (regs, cur);
          mir = NULL;
          continue;
        }
      if (g_str_equal (line, "[[registry.mirror]]"))
        {
          if (!cur)
            return g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID,
                                "%s: [[registry.mirror]] outside a [[registry]]", conf), NULL;
          mir = g_new0 (OciMirror, 1);
          g_ptr_array_add (cur->mirrors, mir);
          continue;
        }
      if (line[0] == '[')
        {
          cur = NULL, mir = NULL;   /* another table */
          continue;
        }
      char *eq = strchr (line, '=');
      if (!eq || !cur)
        continue;
      *eq = '\0';
      const char *key = g_strstrip (line), *val = eq + 1;
      if (mir && g_str_equal (key, "location"))
        g_free (mir->location), mir->location = toml_string (val);
      else if (mir && g_str_equal (key, "insecure"))
        mir->insecure = strstr (val, "true") != NULL;
      else if (!mir && (g_str_equal (key, "location") || g_str_equal (key, "prefix")))
        {
          /* prefix wins over location when both are given */
          if (!cur->prefix || g_str_equal (key, "prefix"))
            g_free (cur->prefix), cur->prefix = toml_string (val);
        }
    }
  /* The longest prefix that covers the repository decides, as containers do. */
  Registry *best = NULL;
  for (guint i = 0; i < regs->len; i++)
    {
      Registry *r = regs->pdata[i];
      if (r->prefix && covers (r->prefix, repository) && (!best || strlen (r->prefix) > strlen (best->prefix)))
        best = r;
    }
  if (!best)
    return g_steal_pointer (&out);
  for (guint i = 0; i < best->mirrors->len; i++)
    {
      OciMirror *m = best->mirrors->pdata[i];
      if (!m->location)
        continue;
      OciMirror *copy = g_new0 (OciMirror, 1);
      copy->location = g_strdup (m->location);
      copy->insecure = m->insecure;
      g_ptr_array_add (out, copy);
    }
  *out_prefix = g_strdup (best->prefix);
  return g_steal_pointer (&out);
}
