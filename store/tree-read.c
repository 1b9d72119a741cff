/* store/tree-read.c: looking up and listing paths of an image version.
 *
 * Paths are resolved inside the image: symlinks are followed relative to
 * the image's root (an absolute target means the image's /, ".." stops at
 * it), never on the host, with a bound on the number of links.
 */
#include "store/store-private.h"

#include <string.h>
#include <sys/stat.h>

#define MAX_SYMLINKS 40

void
store_node_clear (StoreNode *n)
{
  g_clear_pointer (&n->name, g_free);
  g_clear_pointer (&n->checksum, g_free);
  g_clear_pointer (&n->meta, g_free);
  g_clear_pointer (&n->target, g_free);
}

void
store_node_free (StoreNode *n)
{
  if (!n)
    return;
  store_node_clear (n);
  g_free (n);
}

static gboolean
fill_file (CtrStore *s, StoreNode *n, GError **error)
{
  g_autoptr(GFileInfo) info = NULL;
  if (!ostree_repo_load_file (s->repo, n->checksum, NULL, &info, NULL, NULL, error))
    return FALSE;
  n->mode = g_file_info_get_attribute_uint32 (info, "unix::mode");
  n->uid = g_file_info_get_attribute_uint32 (info, "unix::uid");
  n->gid = g_file_info_get_attribute_uint32 (info, "unix::gid");
  if (S_ISREG (n->mode))
    n->size = g_file_info_get_size (info);
  if (S_ISLNK (n->mode))
    n->target = g_strdup (g_file_info_get_symlink_target (info));
  return TRUE;
}

/* Bounded so that a walk of a huge image does not keep it all in memory. */
#define STORE_META_CACHE_MAX 8192

gboolean
store_load_meta (CtrStore *s, OstreeObjectType type, const char *checksum, GVariant **out,
                 GError **error)
{
  g_autofree char *key = g_strdup_printf ("%d/%s", (int) type, checksum);
  GVariant *v = s->meta_cache ? g_hash_table_lookup (s->meta_cache, key) : NULL;
  if (v)
    {
      *out = g_variant_ref (v);
      return TRUE;
    }
  if (!ostree_repo_load_variant (s->repo, type, checksum, &v, error))
    return FALSE;
  if (!s->meta_cache)
    s->meta_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) g_variant_unref);
  if (g_hash_table_size (s->meta_cache) >= STORE_META_CACHE_MAX)
    g_hash_table_remove_all (s->meta_cache);
  g_hash_table_insert (s->meta_cache, g_steal_pointer (&key), g_variant_ref (v));
  *out = v;
  return TRUE;
}

static gboolean
fill_dir (CtrStore *s, StoreNode *n, GError **error)
{
  g_autoptr(GVariant) v = NULL;
  if (!store_load_meta (s, OSTREE_OBJECT_TYPE_DIR_META, n->meta, &v, error))
    return FALSE;
  g_variant_get (v, "(uuu@a(ayay))", &n->uid, &n->gid, &n->mode, NULL);
  n->uid = GUINT32_FROM_BE (n->uid);
  n->gid = GUINT32_FROM_BE (n->gid);
  n->mode = GUINT32_FROM_BE (n->mode);
  return TRUE;
}

/* The index of name among a dirtree's files or dirs, or -1. OSTree keeps
 * both lists sorted by name (strcmp), so a lookup in /usr/bin is a binary
 * search, not a scan. */
static gssize
dirtree_find (GVariant *list, const char *name)
{
  gsize lo = 0, hi = g_variant_n_children (list);
  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;
      g_autoptr(GVariant) child = g_variant_get_child_value (list, mid);
      g_autoptr(GVariant) nv = g_variant_get_child_value (child, 0);
      int c = strcmp (g_variant_get_string (nv, NULL), name);
      if (c == 0)
        return mid;
      if (c < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  return -1;
}

/* One name in a dirtree: fills n (dir: checksum = dirtree, meta = dirmeta). */
static gboolean
lookup_child (CtrStore *s, const char *tree, const char *name, StoreNode *n, gboolean *found,
              GError **error)
{
  g_autoptr(GVariant) v = NULL;
  if (!store_load_meta (s, OSTREE_OBJECT_TYPE_DIR_TREE, tree, &v, error))
    return FALSE;
  g_autoptr(GVariant) files = g_variant_get_child_value (v, 0);
  g_autoptr(GVariant) dirs = g_variant_get_child_value (v, 1);
  *found = FALSE;
  gssize i = dirtree_find (files, name);
  if (i >= 0)
    {
      g_autoptr(GVariant) cs = NULL;
      g_variant_get_child (files, i, "(&s@ay)", NULL, &cs);
      *found = TRUE;
      n->checksum = ostree_checksum_from_bytes_v (cs);
    }
  else if ((i = dirtree_find (dirs, name)) >= 0)
    {
      g_autoptr(GVariant) tcs = NULL, mcs = NULL;
      g_variant_get_child (dirs, i, "(&s@ay@ay)", NULL, &tcs, &mcs);
      *found = TRUE;
      n->is_dir = TRUE;
      n->checksum = ostree_checksum_from_bytes_v (tcs);
      n->meta = ostree_checksum_from_bytes_v (mcs);
    }
  if (!*found)
    return TRUE;
  n->name = g_strdup (name);
  return n->is_dir ? fill_dir (s, n, error) : fill_file (s, n, error);
}

static gboolean
commit_root_node (CtrStore *s, const char *commit, StoreNode *n, GError **error)
{
  g_autoptr(GVariant) cv = NULL;
  if (!ostree_repo_load_variant (s->repo, OSTREE_OBJECT_TYPE_COMMIT, commit, &cv, error))
    return FALSE;
  g_autoptr(GVariant) t = g_variant_get_child_value (cv, 6);
  g_autoptr(GVariant) m = g_variant_get_child_value (cv, 7);
  n->name = g_strdup ("/");
  n->is_dir = TRUE;
  n->checksum = ostree_checksum_from_bytes_v (t);
  n->meta = ostree_checksum_from_bytes_v (m);
  return fill_dir (s, n, error);
}

gboolean
store_tree_lookup (CtrStore *s, const char *commit, const char *path, gboolean follow,
                   StoreNode *out, GError **error)
{
  memset (out, 0, sizeof *out);
  /* Components still to walk, as a stack so symlink targets can be pushed. */
  g_autoptr(GPtrArray) todo = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  for (gint i = g_strv_length (parts) - 1; i >= 0; i--)
    if (*parts[i] && !g_str_equal (parts[i], "."))
      g_ptr_array_add (todo, g_strdup (parts[i]));

  /* The chain of directories walked, for "..". */
  g_autoptr(GPtrArray) stack = g_ptr_array_new_with_free_func ((GDestroyNotify) store_node_free);
  StoreNode *root = g_new0 (StoreNode, 1);
  g_ptr_array_add (stack, root);
  if (!commit_root_node (s, commit, root, error))
    return FALSE;
  g_autoptr(GString) walked = g_string_new ("");
  guint links = 0;
  while (todo->len > 0)
    {
      g_autofree char *comp = g_ptr_array_steal_index (todo, todo->len - 1);
      StoreNode *cur = stack->pdata[stack->len - 1];
      if (g_str_equal (comp, ".."))
        {
          if (stack->len > 1)
            g_ptr_array_remove_index (stack, stack->len - 1);
          continue;
        }
      if (!cur->is_dir)
        return g_set_error (error, STORE_ERROR, STORE_ERROR_NOT_FOUND,
                            "%s: not a directory", walked->len ? walked->str : "/"), FALSE;
      g_autoptr(StoreNode) next = g_new0 (StoreNode, 1);
      gboolean found;
      if (!lookup_child (s, cur->checksum, comp, next, &found, error))
        return FALSE;
      g_string_append_printf (walked, "/%s", comp);
      if (!found)
        return g_set_error (error, STORE_ERROR, STORE_ERROR_NOT_FOUND,
                            "%s: no such file or directory in the image", walked->str), FALSE;
      gboolean last = todo->len == 0;
      if (S_ISLNK (next->mode) && (follow || !last))
        {
          if (++links > MAX_SYMLINKS)
            return g_set_error (error, STORE_ERROR, STORE_ERROR_NOT_FOUND,
                                "%s: too many levels of symbolic links", walked->str), FALSE;
          if (next->target[0] == '/')
            g_ptr_array_set_size (stack, 1);
          g_auto(GStrv) tp = g_strsplit (next->target, "/", -1);
          for (gint i = g_strv_length (tp) - 1; i >= 0; i--)
            if (*tp[i] && !g_str_equal (tp[i], "."))
              g_ptr_array_add (todo, g_strdup (tp[i]));
          continue;
        }
      g_ptr_array_add (stack, g_steal_pointer (&next));
    }
  StoreNode *found = stack->pdata[stack->len - 1];
  *out = *found;
  memset (found, 0, sizeof *found);
  return TRUE;
}

GPtrArray *
store_tree_list (CtrStore *s, const StoreNode *dir, GError **error)
{
  g_autoptr(GVariant) v = NULL;
  if (!store_load_meta (s, OSTREE_OBJECT_TYPE_DIR_TREE, dir->checksum, &v, error))
    return NULL;
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) store_node_free);
  g_autoptr(GVariant) files = g_variant_get_child_value (v, 0);
  g_autoptr(GVariant) dirs = g_variant_get_child_value (v, 1);
  for (gsize i = 0; i < g_variant_n_children (files); i++)
    {
      const char *name;
      g_autoptr(GVariant) cs = NULL;
      g_variant_get_child (files, i, "(&s@ay)", &name, &cs);
      StoreNode *n = g_new0 (StoreNode, 1);
      g_ptr_array_add (out, n);
      n->name = g_strdup (name);
      n->checksum = ostree_checksum_from_bytes_v (cs);
      if (!fill_file (s, n, error))
        return NULL;
    }
  for (gsize i = 0; i < g_variant_n_children (dirs); i++)
    {
      const char *name;
      g_autoptr(GVariant) tcs = NULL, mcs = NULL;
      g_variant_get_child (dirs, i, "(&s@ay@ay)", &name, &tcs, &mcs);
      StoreNode *n = g_new0 (StoreNode, 1);
      g_ptr_array_add (out, n);
      n->name = g_strdup (name);
      n->is_dir = TRUE;
      n->checksum = ostree_checksum_from_bytes_v (tcs);
      n->meta = ostree_checksum_from_bytes_v (mcs);
      if (!fill_dir (s, n, error))
        return NULL;
    }
  return g_steal_pointer (&out);
}

GInputStream *
store_tree_open (CtrStore *s, const StoreNode *file, GError **error)
{
  if (file->is_dir || !S_ISREG (file->mode))
    return g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID, "%s is not a regular file",
                        file->name), NULL;
  g_autoptr(GInputStream) in = NULL;
  if (!ostree_repo_load_file (s->repo, file->checksum, &in, NULL, NULL, NULL, error))
    return NULL;
  return g_steal_pointer (&in);
}

GBytes *
store_object_read (CtrStore *s, const char *checksum, gsize max, GError **error)
{
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GFileInfo) info = NULL;
  if (!ostree_repo_load_file (s->repo, checksum, &in, &info, NULL, NULL, error))
    return NULL;
  if (!in)
    return g_bytes_new (NULL, 0);   /* a symlink has no content */
  goffset size = g_file_info_get_size (info);
  if (size < 0 || (guint64) size > max)
    return g_set_error (error, OCI_ERROR, OCI_ERROR_LIMIT, "object %s is larger than %" G_GSIZE_FORMAT
                        " bytes", checksum, max), NULL;
  g_autofree guint8 *buf = g_malloc (size + 1);
  gsize got;
  if (!g_input_stream_read_all (in, buf, size, &got, NULL, error))
    return NULL;
  return g_bytes_new_take (g_steal_pointer (&buf), got);
}
