/* store/layer-apply.c: replaying a layer's entries onto a merged tree, with
 * OCI whiteouts, and rebuilding its tar from the record.
 *
 * Whiteouts apply to lower layers only (image-spec, layer.md), so they are
 * applied in a first pass and the layer's own entries in a second; that way
 * the order of entries inside the tar does not matter.
 */
#include "store/store-private.h"
#include "store/tarsplit.h"

#include <string.h>

#define WH_PREFIX ".wh."
#define WH_OPAQUE ".wh..wh..opq"

static GBytes *
layer_record (CtrStore *s, const char *diff_id, GError **error)
{
  g_autofree char *commit = NULL;
  g_autoptr(GVariant) meta = NULL;
  if (!store_layer_load_meta (s, diff_id, &commit, &meta, error))
    return NULL;
  if (!commit)
    return g_set_error (error, STORE_ERROR, STORE_ERROR_NOT_FOUND,
                        "layer %s is not in the store", diff_id), NULL;
  g_autoptr(GVariant) rec = g_variant_lookup_value (meta, STORE_META_TAR_SPLIT, G_VARIANT_TYPE ("ay"));
  if (!rec)
    return g_set_error (error, STORE_ERROR, STORE_ERROR_CORRUPT,
                        "layer %s has no tar-split record", diff_id), NULL;
  return g_variant_get_data_as_bytes (rec);
}

guint64
store_layer_tar_size (CtrStore *s, const char *diff_id, GError **error)
{
  /* From the commit metadata alone: the record is not needed for this. */
  g_autofree char *commit = NULL;
  g_autoptr(GVariant) meta = NULL;
  guint64 size = 0;
  if (!store_layer_load_meta (s, diff_id, &commit, &meta, error))
    return 0;
  if (!commit)
    return g_set_error (error, STORE_ERROR, STORE_ERROR_NOT_FOUND,
                        "layer %s is not in the store", diff_id), 0;
  g_variant_lookup (meta, STORE_META_TAR_SIZE, "t", &size);
  return size;
}

/* Looks up dir/name without creating anything; NULL parent if a component is
 * missing or not a directory (a whiteout of nothing is a no-op, as in
 * containerd and podman). */
static OstreeMutableTree *
walk_existing (OstreeMutableTree *root, const char *dirpath)
{
  g_autoptr(OstreeMutableTree) cur = g_object_ref (root);
  if (*dirpath == '\0')
    return g_steal_pointer (&cur);
  g_auto(GStrv) parts = g_strsplit (dirpath, "/", -1);
  for (char **p = parts; *p; p++)
    {
      g_autoptr(OstreeMutableTree) sub = NULL;
      g_autofree char *file = NULL;
      if (!ostree_mutable_tree_lookup (cur, *p, &file, &sub, NULL) || !sub)
        return NULL;
      g_set_object (&cur, sub);
    }
  return g_steal_pointer (&cur);
}

static gboolean
apply_whiteout (OstreeMutableTree *root, const char *path, GError **error)
{
  const char *slash = strrchr (path, '/');
  g_autofree char *dir = slash ? g_strndup (path, slash - path) : g_strdup ("");
  const char *base = slash ? slash + 1 : path;
  g_autoptr(OstreeMutableTree) parent = walk_existing (root, dir);
  if (!parent)
    return TRUE;
  if (g_str_equal (base, WH_OPAQUE))
    {
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      GHashTableIter it;
      gpointer k;
      g_hash_table_iter_init (&it, ostree_mutable_tree_get_files (parent));
      while (g_hash_table_iter_next (&it, &k, NULL))
        g_ptr_array_add (names, g_strdup (k));
      g_hash_table_iter_init (&it, ostree_mutable_tree_get_subdirs (parent));
      while (g_hash_table_iter_next (&it, &k, NULL))
        g_ptr_array_add (names, g_strdup (k));
      for (guint i = 0; i < names->len; i++)
        if (!ostree_mutable_tree_remove (parent, names->pdata[i], TRUE, error))
          return FALSE;
      return TRUE;
    }
  return ostree_mutable_tree_remove (parent, base + strlen (WH_PREFIX), TRUE, error);
}

static gboolean
is_whiteout (const char *path)
{
  const char *slash = strrchr (path, '/');
  return g_str_has_prefix (slash ? slash + 1 : path, WH_PREFIX);
}

gboolean
store_layer_base_tree (CtrStore *s, const char *diff_id, OstreeMutableTree **out, GError **error)
{
  *out = NULL;
  g_autofree char *commit = NULL;
  if (!store_layer_load_meta (s, diff_id, &commit, NULL, error))
    return FALSE;
  if (!commit)
    return g_set_error (error, STORE_ERROR, STORE_ERROR_NOT_FOUND,
                        "layer %s is not in the store", diff_id), FALSE;
  g_autoptr(GVariant) cv = NULL;
  if (!ostree_repo_load_variant (s->repo, OSTREE_OBJECT_TYPE_COMMIT, commit, &cv, error))
    return FALSE;
  g_autoptr(GVariant) meta = g_variant_get_child_value (cv, 0);
  gboolean same = FALSE;
  /* Layers imported before the key existed are applied. */
  if (!g_variant_lookup (meta, STORE_META_TREE_IS_ROOTFS, "b", &same) || !same)
    return TRUE;
  g_autoptr(GVariant) contents = g_variant_get_child_value (cv, 6);
  g_autoptr(GVariant) dirmeta = g_variant_get_child_value (cv, 7);
  g_autofree char *contents_checksum = ostree_checksum_from_bytes_v (contents);
  g_autofree char *dirmeta_checksum = ostree_checksum_from_bytes_v (dirmeta);
  *out = ostree_mutable_tree_new_from_checksum (s->repo, contents_checksum, dirmeta_checksum);
  return TRUE;
}

gboolean
store_layer_apply (CtrStore *s, const char *diff_id, OstreeMutableTree *root, GError **error)
{
  g_autoptr(GBytes) rec = layer_record (s, diff_id, error);
  if (!rec)
    return FALSE;
  g_autofree char *default_meta = NULL;
  if (!store_default_dirmeta (s->repo, &default_meta, error))
    return FALSE;

  for (int pass = 0; pass < 2; pass++)
    {
      g_autoptr(TarSplitReader) r = tarsplit_reader_new (rec);
      for (;;)
        {
          TarSplitOp op;
          if (!tarsplit_reader_next (r, &op, error))
            return FALSE;
          if (op.type == TARSPLIT_OP_END)
            break;
          if (op.type != TARSPLIT_OP_ENTRY)
            continue;
          gboolean wh = is_whiteout (op.path);
          if (pass == 0)
            {
              if (wh && !apply_whiteout (root, op.path, error))
                return g_prefix_error (error, "whiteout \"%s\": ", op.path), FALSE;
              continue;
            }
          if (wh)
            continue;
          if (*op.path == '\0')
            {
              if (op.kind == TARSPLIT_ENTRY_DIR)
                ostree_mutable_tree_set_metadata_checksum (root, op.checksum);
              continue;
            }
          g_autoptr(OstreeMutableTree) parent = NULL;
          const char *name;
          if (!store_tree_parent (root, op.path, default_meta, &parent, &name, error))
            return g_prefix_error (error, "layer %s: ", diff_id), FALSE;
          gboolean ok = TRUE;
          switch (op.kind)
            {
            case TARSPLIT_ENTRY_DIR:
              ok = store_tree_put_dir (parent, name, op.checksum, NULL, error);
              break;
            case TARSPLIT_ENTRY_FILE:
              ok = store_tree_put_file (parent, name, op.checksum, error);
              break;
            default:
              /* A device node or fifo replaces what was there, but is not
               * itself materialised. */
              ok = ostree_mutable_tree_remove (parent, name, TRUE, error);
              break;
            }
          if (!ok)
            return g_prefix_error (error, "layer %s: \"%s\": ", diff_id, op.path), FALSE;
        }
    }
  return TRUE;
}

gboolean
store_layer_export (CtrStore *s, const char *diff_id, OciWriteFunc write, void *user,
                    GCancellable *cancellable, GError **error)
{
  g_autoptr(GBytes) rec = layer_record (s, diff_id, error);
  if (!rec)
    return FALSE;
  g_autoptr(OciSha256) sha = oci_sha256_new ();
  g_autoptr(TarSplitReader) r = tarsplit_reader_new (rec);
  g_autofree guint8 *buf = g_malloc (256 * 1024);
  for (;;)
    {
      TarSplitOp op;
      if (!tarsplit_reader_next (r, &op, error))
        return FALSE;
      if (op.type == TARSPLIT_OP_END)
        break;
      if (op.type == TARSPLIT_OP_RAW)
        {
          oci_sha256_update (sha, op.data, op.len);
          if (!write (user, op.data, op.len, error))
            return FALSE;
        }
      else if (op.type == TARSPLIT_OP_FILE)
        {
          g_autoptr(GInputStream) in = NULL;
          if (!ostree_repo_load_file (s->repo, op.checksum, &in, NULL, NULL, cancellable, error))
            return g_prefix_error (error, "layer %s: ", diff_id), FALSE;
          guint64 left = op.size;
          while (left > 0)
            {
              gsize n;
              if (!g_input_stream_read_all (in, buf, MIN (left, 256 * 1024), &n, cancellable, error))
                return FALSE;
              if (n == 0)
                return g_set_error (error, STORE_ERROR, STORE_ERROR_CORRUPT,
                                    "layer %s: object %s is shorter than recorded", diff_id, op.checksum), FALSE;
              oci_sha256_update (sha, buf, n);
              if (!write (user, buf, n, error))
                return FALSE;
              left -= n;
            }
        }
    }
  g_autofree char *got = oci_sha256_finish (sha);
  if (!g_str_equal (got, diff_id))
    return g_set_error (error, STORE_ERROR, STORE_ERROR_CORRUPT,
                        "layer %s rebuilt to %s: the store is damaged", diff_id, got), FALSE;
  return TRUE;
}

/* The last layer of img whose entries touch each path (absolute) of
 * paths: its own entry, a whiteout of it or of a directory above it, or an
 * opaque marker in a directory above it. Values stay -1 for paths no layer
 * names (a parent created implicitly). */
gboolean
store_layer_attribute (CtrStore *s, const StoreImage *img, GHashTable *paths, GError **error)
{
  for (guint i = 0; i < img->diff_ids->len; i++)
    {
      g_autoptr(GBytes) rec = layer_record (s, img->diff_ids->pdata[i], error);
      if (!rec)
        return FALSE;
      g_autoptr(TarSplitReader) r = tarsplit_reader_new (rec);
      for (;;)
        {
          TarSplitOp op;
          if (!tarsplit_reader_next (r, &op, error))
            return FALSE;
          if (op.type == TARSPLIT_OP_END)
            break;
          if (op.type != TARSPLIT_OP_ENTRY)
            continue;
          g_autofree char *abs = g_strconcat ("/", op.path, NULL);
          const char *slash = strrchr (abs, '/');
          const char *base = slash + 1;
          /* What the entry covers: the path itself; for a whiteout, the
           * path it hides and all below; for an opaque marker, everything
           * below its directory ("" for the root). */
          enum { SELF, HIDES, BELOW } how = SELF;
          g_autofree char *covers = NULL;
          if (g_str_equal (base, WH_OPAQUE))
            how = BELOW, covers = g_strndup (abs, slash - abs);
          else if (g_str_has_prefix (base, WH_PREFIX))
            how = HIDES, covers = g_strdup_printf ("%.*s%s", (int) (base - abs), abs,
                                                   base + strlen (WH_PREFIX));
          else
            covers = g_strdup (abs);
          gsize n = strlen (covers);
          GHashTableIter it;
          gpointer k;
          g_hash_table_iter_init (&it, paths);
          while (g_hash_table_iter_next (&it, &k, NULL))
            {
              const char *p = k;
              gboolean hit = how == SELF ? g_str_equal (p, covers)
                             : strncmp (p, covers, n) == 0
                               && (p[n] == '/' || (how == HIDES && p[n] == '\0'));
              if (hit)
                g_hash_table_iter_replace (&it, GINT_TO_POINTER (i));
            }
        }
    }
  return TRUE;
}
