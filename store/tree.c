/* store/tree.c: placing entries in OSTree mutable trees, for the layer trees
 * written at import and the merged trees of image versions. */
#include "store/store-private.h"

#include <string.h>

gboolean
store_tree_parent (OstreeMutableTree *root, const char *path, const char *default_dirmeta,
                   OstreeMutableTree **out_parent, const char **out_name, GError **error)
{
  g_autoptr(OstreeMutableTree) cur = g_object_ref (root);
  const char *p = path;
  for (;;)
    {
      const char *slash = strchr (p, '/');
      if (!slash)
        break;
      g_autofree char *comp = g_strndup (p, slash - p);
      g_autofree char *file = NULL;
      g_autoptr(OstreeMutableTree) sub = NULL;
      g_autoptr(GError) local = NULL;
      if (!ostree_mutable_tree_lookup (cur, comp, &file, &sub, &local))
        {
          if (!g_error_matches (local, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
            return g_propagate_error (error, g_steal_pointer (&local)), FALSE;
          if (!ostree_mutable_tree_ensure_dir (cur, comp, &sub, error))
            return FALSE;
          ostree_mutable_tree_set_metadata_checksum (sub, default_dirmeta);
        }
      else if (!sub)
        return g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID,
                            "\"%s\": \"%.*s\" is not a directory (a file or symlink would be written through)",
                            path, (int) (slash - path), path), FALSE;
      g_set_object (&cur, sub);
      p = slash + 1;
    }
  *out_parent = g_steal_pointer (&cur);
  *out_name = p;
  return TRUE;
}

gboolean
store_tree_put_file (OstreeMutableTree *dir, const char *name, const char *checksum, GError **error)
{
  /* replace_file refuses to replace a directory: remove it first. */
  GHashTable *subdirs = ostree_mutable_tree_get_subdirs (dir);
  if (g_hash_table_contains (subdirs, name) && !ostree_mutable_tree_remove (dir, name, TRUE, error))
    return FALSE;
  return ostree_mutable_tree_replace_file (dir, name, checksum, error);
}

gboolean
store_tree_put_dir (OstreeMutableTree *dir, const char *name, const char *dirmeta,
                    OstreeMutableTree **out_subdir, GError **error)
{
  GHashTable *files = ostree_mutable_tree_get_files (dir);
  if (g_hash_table_contains (files, name) && !ostree_mutable_tree_remove (dir, name, TRUE, error))
    return FALSE;
  g_autoptr(OstreeMutableTree) sub = NULL;
  if (!ostree_mutable_tree_ensure_dir (dir, name, &sub, error))
    return FALSE;
  ostree_mutable_tree_set_metadata_checksum (sub, dirmeta);
  if (out_subdir)
    *out_subdir = g_steal_pointer (&sub);
  return TRUE;
}

gboolean
store_default_dirmeta (OstreeRepo *repo, char **out, GError **error)
{
  return store_write_dirmeta (repo, 0, 0, 0755, NULL, NULL, out, NULL, error);
}
