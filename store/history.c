/* store/history.c: revisions and the history of a reference.
 *
 * A revision names one image version: REF (the head of its branch),
 * REF~N (N versions back), REF@sha256:DIGEST (the newest version of REF
 * with that manifest digest), or an OSTree commit checksum (full, or a
 * unique prefix of at least 8 hex digits).
 */
#include "store/store-private.h"

#include <stdlib.h>
#include <string.h>

char *
store_commit_parent (CtrStore *s, const char *commit, GError **error)
{
  g_autoptr(GVariant) cv = NULL;
  if (!ostree_repo_load_variant (s->repo, OSTREE_OBJECT_TYPE_COMMIT, commit, &cv, error))
    return NULL;
  char *parent = ostree_commit_get_parent (cv);
  if (!parent)
    g_set_error (error, STORE_ERROR, STORE_ERROR_NOT_FOUND, "commit %.12s has no parent", commit);
  return parent;
}

static gboolean
is_hex (const char *s, gsize min)
{
  gsize n = strlen (s);
  if (n < min || n > 64)
    return FALSE;
  for (const char *p = s; *p; p++)
    if (!g_ascii_isxdigit (*p) || g_ascii_isupper (*p))
      return FALSE;
  return TRUE;
}

/* A commit checksum or unique prefix among the image versions. */
static gboolean
resolve_checksum (CtrStore *s, const char *text, char **out_commit, GError **error)
{
  g_autoptr(GHashTable) refs = NULL;
  if (!ostree_repo_list_refs_ext (s->repo, STORE_IMAGE_REF_DIR, &refs, 0, NULL, error))
    return FALSE;
  g_autofree char *found = NULL;
  gboolean ambiguous = FALSE;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter it;
  gpointer v;
  g_hash_table_iter_init (&it, refs);
  while (g_hash_table_iter_next (&it, NULL, &v))
    {
      g_autofree char *c = g_strdup (v);
      while (c && g_hash_table_add (seen, g_strdup (c)))
        {
          if (g_str_has_prefix (c, text))
            {
              if (found && !g_str_equal (found, c))
                ambiguous = TRUE;
              g_free (found);
              found = g_strdup (c);
            }
          g_autoptr(GVariant) cv = NULL;
          if (!ostree_repo_load_variant (s->repo, OSTREE_OBJECT_TYPE_COMMIT, c, &cv, error))
            return FALSE;
          g_free (c);
          c = ostree_commit_get_parent (cv);
        }
    }
  if (ambiguous)
    return g_set_error (error, STORE_ERROR, STORE_ERROR_NOT_FOUND,
                        "commit prefix %s is ambiguous", text), FALSE;
  if (!found)
    return g_set_error (error, STORE_ERROR, STORE_ERROR_NOT_FOUND,
                        "no image version %s in the store", text), FALSE;
  *out_commit = g_steal_pointer (&found);
  return TRUE;
}

gboolean
store_resolve_revision (CtrStore *s, const char *text, char **out_ref, char **out_commit,
                        GError **error)
{
  g_autofree char *name = g_strdup (text);
  guint64 back = 0;
  char *tilde = strrchr (name, '~');
  if (tilde)
    {
      if (tilde[1] == '\0')
        back = 1;
      else if (!g_ascii_string_to_unsigned (tilde + 1, 10, 0, 100000, &back, NULL))
        return g_set_error (error, STORE_ERROR, STORE_ERROR_NOT_FOUND,
                            "bad revision \"%s\": ~ takes a number", text), FALSE;
      *tilde = '\0';
    }

  g_autofree char *ref = NULL, *commit = NULL;
  char *at = strchr (name, '@');
  if (is_hex (name, 8))
    {
      g_autoptr(GError) local = NULL;
      /* A hex word may also be an image name: names win, as in podman. */
      if (!store_resolve_image (s, name, &ref, &commit, &local))
        {
          if (!resolve_checksum (s, name, &commit, error))
            return FALSE;
          g_autoptr(StoreImage) img = store_image_load (s, commit, error);
          if (!img)
            return FALSE;
          ref = g_strdup (img->reference);
        }
    }
  else if (at && store_resolve_image (s, name, &ref, &commit, NULL))
    ;   /* an image pulled by digest has a branch of that name */
  else if (at)
    {
      *at = '\0';
      const char *digest = at + 1;
      if (!oci_digest_validate (digest, error))
        return g_prefix_error (error, "revision \"%s\": ", text), FALSE;
      g_autofree char *head = NULL;
      if (!store_resolve_image (s, name, &ref, &head, error))
        return FALSE;
      g_autofree char *c = g_steal_pointer (&head);
      while (c && !commit)
        {
          g_autoptr(StoreImage) img = store_image_load (s, c, error);
          if (!img)
            return FALSE;
          if (g_str_equal (img->manifest_digest, digest))
            commit = g_strdup (c);
          g_autoptr(GError) local = NULL;
          char *parent = store_commit_parent (s, c, &local);
          g_free (c);
          c = parent;
        }
      if (!commit)
        return g_set_error (error, STORE_ERROR, STORE_ERROR_NOT_FOUND,
                            "%s has no version with manifest %s", ref, digest), FALSE;
    }
  else if (!store_resolve_image (s, name, &ref, &commit, error))
    return FALSE;

  for (guint64 i = 0; i < back; i++)
    {
      g_autoptr(GError) local = NULL;
      char *parent = store_commit_parent (s, commit, &local);
      if (!parent)
        return g_set_error (error, STORE_ERROR, STORE_ERROR_NOT_FOUND,
                            "revision \"%s\" goes beyond the history of %s (%" G_GUINT64_FORMAT
                            " version%s back)", text, ref, i + 1, i + 1 == 1 ? "" : "s"), FALSE;
      g_free (commit);
      commit = parent;
    }
  if (out_ref)
    *out_ref = g_steal_pointer (&ref);
  if (out_commit)
    *out_commit = g_steal_pointer (&commit);
  return TRUE;
}

GPtrArray *
store_history (CtrStore *s, const char *commit, guint max, GError **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) store_image_free);
  g_autofree char *c = g_strdup (commit);
  while (c && (max == 0 || out->len < max))
    {
      StoreImage *img = store_image_load (s, c, error);
      if (!img)
        return NULL;
      g_ptr_array_add (out, img);
      g_autoptr(GError) local = NULL;
      char *parent = store_commit_parent (s, c, &local);
      g_free (c);
      c = parent;
    }
  return g_steal_pointer (&out);
}
