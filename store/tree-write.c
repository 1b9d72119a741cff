/* store/tree-write.c: writing a mutable tree's dirtree objects.
 *
 * ostree_repo_write_mtree validates every dirtree it makes, takes its
 * normal form, hashes it with GLib's portable SHA-256 and stages it, and
 * the transaction's commit then renames each staged object into place and
 * syncs every objects/XX directory it touched. For the ~700 directories of
 * the Debian minbase that was 0.2 s on the importing thread after the
 * layer's files were all read: a third of the time between the end of the
 * stream and the end of the import. In bare-user repos we write dirtrees
 * the way we write content objects (store/object-writer.c): serialised as
 * libostree serialises them (so their checksums, and the commits above
 * them, are the same), hashed with OpenSSL on this thread, and written and
 * linked straight into objects/ by the object writer's threads, which are
 * idle by then: creating ~700 files while the filesystem is being synced
 * took up to 0.1 s on one thread. An import that stops before its syncs
 * leaves the mark that makes the next one check them (store/recover.c).
 * Archive repos keep libostree's path.
 *
 * Once every directory has its contents checksum, ostree_repo_write_mtree
 * finds the root's and returns the root file without writing anything.
 */
#include "store/store-private.h"

#include <string.h>

typedef struct {
  StoreObjectWriter *writer;
  OciSha256 *sha;
} TreeWrite;

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The keys of TABLE in strcmp order, which is the order of OSTree's
 * dirtrees. */
static GPtrArray *
sorted_keys (GHashTable *table)
{
  GPtrArray *keys = g_ptr_array_sized_new (g_hash_table_size (table));
  GHashTableIter it;
  gpointer key;
  g_hash_table_iter_init (&it, table);
  while (g_hash_table_iter_next (&it, &key, NULL))
    g_ptr_array_add (keys, key);
  g_ptr_array_sort (keys, compare_names);
  return keys;
}

/* Writes DIR's dirtree after those of its subdirectories and gives each
 * its contents checksum. */
static gboolean
tree_write_dir (TreeWrite *tw, OstreeMutableTree *dir, char checksum[65], GError **error)
{
  /* A directory read lazily from the repo and left as it was. */
  const char *have = ostree_mutable_tree_get_contents_checksum (dir);
  if (have)
    {
      memcpy (checksum, have, 65);
      return TRUE;
    }
  GHashTable *files = ostree_mutable_tree_get_files (dir);
  GHashTable *subdirs = ostree_mutable_tree_get_subdirs (dir);
  g_autoptr(GPtrArray) file_names = sorted_keys (files);
  g_autoptr(GPtrArray) dir_names = sorted_keys (subdirs);

  GVariantBuilder fb, db;
  g_variant_builder_init (&fb, G_VARIANT_TYPE ("a(say)"));
  for (guint i = 0; i < file_names->len; i++)
    {
      const char *name = file_names->pdata[i];
      g_variant_builder_add (&fb, "(s@ay)", name,
                             ostree_checksum_to_bytes_v (g_hash_table_lookup (files, name)));
    }
  g_variant_builder_init (&db, G_VARIANT_TYPE ("a(sayay)"));
  for (guint i = 0; i < dir_names->len; i++)
    {
      const char *name = dir_names->pdata[i];
      OstreeMutableTree *sub = g_hash_table_lookup (subdirs, name);
      char sub_checksum[65];
      if (!tree_write_dir (tw, sub, sub_checksum, error))
        {
          g_variant_builder_clear (&fb);
          g_variant_builder_clear (&db);
          return FALSE;
        }
      const char *meta = ostree_mutable_tree_get_metadata_checksum (sub);
      if (!meta)
        {
          g_variant_builder_clear (&fb);
          g_variant_builder_clear (&db);
          return g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID,
                              "directory \"%s\" has no metadata", name), FALSE;
        }
      g_variant_builder_add (&db, "(s@ay@ay)", name, ostree_checksum_to_bytes_v (sub_checksum),
                             ostree_checksum_to_bytes_v (meta));
    }
  g_autoptr(GVariant) tree = g_variant_ref_sink (g_variant_new ("(@a(say)@a(sayay))",
                                                                g_variant_builder_end (&fb),
                                                                g_variant_builder_end (&db)));
  guint8 raw[32];
  oci_sha256_reset (tw->sha);
  oci_sha256_update (tw->sha, g_variant_get_data (tree), g_variant_get_size (tree));
  oci_sha256_finish_raw (tw->sha, raw);
  oci_hex_encode (raw, checksum);
  g_autoptr(GBytes) data = g_variant_get_data_as_bytes (tree);
  if (!store_object_writer_put_dirtree (tw->writer, checksum, data, error))
    return FALSE;
  ostree_mutable_tree_set_contents_checksum (dir, checksum);
  return TRUE;
}

gboolean
store_tree_write (CtrStore *s, OstreeMutableTree *root, OstreeRepoFile **out_root,
                  GCancellable *cancellable, GError **error)
{
  if (ostree_repo_get_mode (s->repo) == OSTREE_REPO_MODE_BARE_USER)
    {
      /* Hashed here, written by the writer's threads. */
      g_autoptr(StoreObjectWriter) writer = store_object_writer_new (s->repo, cancellable);
      TreeWrite tw = { .writer = writer, .sha = oci_sha256_new () };
      char checksum[65];
      gboolean ok = tree_write_dir (&tw, root, checksum, error);
      oci_sha256_free (tw.sha);
      if (!store_object_writer_finish (writer, ok ? error : NULL) || !ok)
        return FALSE;
    }
  /* With the root's contents checksum set this only makes the root file. */
  return ostree_repo_write_mtree (s->repo, root, (GFile **) out_root, cancellable, error);
}
