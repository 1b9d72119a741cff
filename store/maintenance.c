/* store/maintenance.c: du, fsck and gc over the whole store. */
#include "store/store-private.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Every image version: the heads of all branches and their ancestors. */
static GPtrArray *
all_versions (CtrStore *s, GError **error)
{
  g_autoptr(GHashTable) refs = NULL;
  if (!ostree_repo_list_refs_ext (s->repo, STORE_IMAGE_REF_DIR, &refs,
                                  OSTREE_REPO_LIST_REFS_EXT_NONE, NULL, error))
    return NULL;
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) store_image_free);
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init (&it, refs);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      g_autofree char *commit = g_strdup (v);
      while (commit)
        {
          StoreImage *img = store_image_load (s, commit, error);
          if (!img)
            return NULL;
          g_ptr_array_add (out, img);
          g_autoptr(GVariant) cv = NULL;
          if (!ostree_repo_load_variant (s->repo, OSTREE_OBJECT_TYPE_COMMIT, commit, &cv, error))
            return NULL;
          g_free (commit);
          commit = ostree_commit_get_parent (cv);
        }
    }
  return g_steal_pointer (&out);
}

static guint64
dir_bytes (const char *path, guint64 *count)
{
  guint64 total = 0;
  g_autoptr(GDir) d = g_dir_open (path, 0, NULL);
  const char *n;
  while (d && (n = g_dir_read_name (d)))
    {
      g_autofree char *p = g_build_filename (path, n, NULL);
      struct stat st;
      if (lstat (p, &st) < 0)
        continue;
      if (S_ISDIR (st.st_mode))
        total += dir_bytes (p, count);
      else
        {
          total += (guint64) st.st_blocks * 512;
          if (count)
            (*count)++;
        }
    }
  return total;
}

gboolean
store_usage (CtrStore *s, StoreUsage *u, GCancellable *cancellable, GError **error)
{
  memset (u, 0, sizeof *u);
  g_autoptr(StoreLock) lock = store_lock (s, FALSE, NULL, error);
  if (!lock)
    return FALSE;
  g_autoptr(GPtrArray) versions = all_versions (s, error);
  if (!versions)
    return FALSE;
  g_autoptr(GHashTable) refs = NULL;
  if (!ostree_repo_list_refs_ext (s->repo, STORE_IMAGE_REF_DIR, &refs, 0, NULL, error))
    return FALSE;
  u->images = g_hash_table_size (refs);
  u->versions = versions->len;
  /* diff_id -> uncompressed size, looked up once per distinct layer */
  g_autoptr(GHashTable) sizes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  for (guint i = 0; i < versions->len; i++)
    {
      StoreImage *img = versions->pdata[i];
      for (guint j = 0; j < img->diff_ids->len; j++)
        {
          const char *d = img->diff_ids->pdata[j];
          guint64 *size = g_hash_table_lookup (sizes, d);
          if (!size)
            {
              size = g_new (guint64, 1);
              *size = store_layer_tar_size (s, d, NULL);
              g_hash_table_insert (sizes, (gpointer) d, size);
              u->layers++;
              u->unique_layers += *size;
            }
          u->logical += *size;
        }
    }
  g_autofree char *objects = g_build_filename (s->path, "repo", "objects", NULL);
  u->objects_bytes = dir_bytes (objects, &u->objects);
  g_autofree char *blobs = g_build_filename (s->path, "blobs", "sha256", NULL);
  guint64 nblobs = 0;
  u->blobs_bytes = dir_bytes (blobs, &nblobs);
  u->blobs = nblobs;
  return TRUE;
}

static void
problem (StoreFsck *f, const char *fmt, ...) G_GNUC_PRINTF (2, 3);
static void
problem (StoreFsck *f, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  f->problems++;
  if (f->problem)
    f->problem (f->user, msg);
}

/* Rehashes every object reachable from a commit, as `ostree fsck` does. */
static gboolean
fsck_commit_objects (CtrStore *s, const char *commit, GHashTable *checked, StoreFsck *f,
                     GCancellable *cancellable, GError **error)
{
  g_autoptr(GHashTable) reachable = NULL;
  if (!ostree_repo_traverse_commit (s->repo, commit, 0, &reachable, cancellable, error))
    return FALSE;
  GHashTableIter it;
  gpointer k;
  g_hash_table_iter_init (&it, reachable);
  while (g_hash_table_iter_next (&it, &k, NULL))
    {
      GVariant *key = k;
      const char *csum;
      OstreeObjectType type;
      ostree_object_name_deserialize (key, &csum, &type);
      g_autofree char *name = ostree_object_to_string (csum, type);
      if (!g_hash_table_add (checked, g_strdup (name)))
        continue;
      f->objects_checked++;
      g_autofree guchar *raw = NULL;
      g_autoptr(GError) local = NULL;
      if (type == OSTREE_OBJECT_TYPE_FILE)
        {
          g_autoptr(GInputStream) in = NULL;
          g_autoptr(GFileInfo) info = NULL;
          g_autoptr(GVariant) xattrs = NULL;
          if (!ostree_repo_load_file (s->repo, csum, &in, &info, &xattrs, cancellable, &local)
              || !ostree_checksum_file_from_input (info, xattrs, in, type, &raw, cancellable, &local))
            {
              problem (f, "object %s: %s", name, local->message);
              continue;
            }
        }
      else
        {
          g_autoptr(GVariant) v = NULL;
          if (!ostree_repo_load_variant (s->repo, type, csum, &v, &local))
            {
              problem (f, "object %s: %s", name, local->message);
              continue;
            }
          g_autoptr(GBytes) b = g_variant_get_data_as_bytes (v);
          g_autofree char *hex = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, b);
          raw = ostree_checksum_to_bytes (hex);
        }
      g_autofree char *got = ostree_checksum_from_bytes (raw);
      if (!g_str_equal (got, csum))
        problem (f, "object %s is corrupt (hashes to %s)", name, got);
    }
  return TRUE;
}

static gboolean
discard (void *user, const void *buf, gsize len, GError **error)
{
  return TRUE;
}

gboolean
store_fsck (CtrStore *s, StoreFsck *f, GCancellable *cancellable, GError **error)
{
  g_autoptr(StoreLock) lock = store_lock (s, FALSE, NULL, error);
  if (!lock)
    return FALSE;
  g_autoptr(GPtrArray) versions = all_versions (s, error);
  if (!versions)
    return FALSE;
  g_autoptr(GHashTable) checked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) layers_done = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) blobs_done = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < versions->len; i++)
    {
      StoreImage *img = versions->pdata[i];
      f->images_checked++;
      if (!fsck_commit_objects (s, img->commit, checked, f, cancellable, error))
        return FALSE;
      g_autoptr(GError) local = NULL;
      g_autoptr(GBytes) m = store_image_manifest (s, img, &local);
      g_autofree char *md = m ? oci_digest_of_bytes (g_bytes_get_data (m, NULL), g_bytes_get_size (m)) : NULL;
      if (!m || !g_str_equal (md, img->manifest_digest))
        problem (f, "image %s (%s): manifest does not match its digest", img->reference, img->commit);
      const char *small[] = { img->manifest_digest, img->config_digest };
      for (guint j = 0; j < G_N_ELEMENTS (small); j++)
        if (g_hash_table_add (blobs_done, g_strdup (small[j])))
          {
            g_autoptr(GError) e2 = NULL;
            g_autoptr(GBytes) b = store_blob_get_bytes (s, small[j], OCI_LIMIT_CONFIG_SIZE, &e2);
            f->blobs_checked++;
            if (!b)
              problem (f, "image %s: %s", img->reference, e2->message);
          }
      for (guint j = 0; j < img->diff_ids->len; j++)
        {
          const char *diff_id = img->diff_ids->pdata[j];
          const char *blob = img->blobs->pdata[j];
          if (g_hash_table_add (layers_done, g_strdup (diff_id)))
            {
              g_autofree char *lc = NULL;
              g_autoptr(GError) e2 = NULL;
              f->layers_checked++;
              if (!store_layer_exists (s, diff_id, &lc, &e2))
                {
                  problem (f, "image %s: layer %s is missing", img->reference, diff_id);
                  continue;
                }
              if (!fsck_commit_objects (s, lc, checked, f, cancellable, error))
                return FALSE;
              if (!f->quick && !store_layer_export (s, diff_id, discard, NULL, cancellable, &e2))
                problem (f, "layer %s: %s", diff_id, e2->message);
            }
          /* Uncompressed blobs are the layer itself and are not kept. */
          if (s->keep_blobs && !g_str_equal (blob, diff_id) && g_hash_table_add (blobs_done, g_strdup (blob)))
            {
              g_autoptr(GError) e3 = NULL;
              f->blobs_checked++;
              if (!store_blob_exists (s, blob))
                problem (f, "image %s: kept blob %s is missing", img->reference, blob);
              else if (!f->quick && !store_blob_verify (s, blob, &e3))
                problem (f, "%s", e3->message);
            }
        }
    }
  return TRUE;
}

gboolean
store_gc (CtrStore *s, StoreGcResult *out, GCancellable *cancellable, GError **error)
{
  memset (out, 0, sizeof *out);
  g_autoptr(StoreLock) lock = store_lock (s, TRUE, NULL, error);
  if (!lock)
    return FALSE;
  store_blob_clean_tmp (s);
  g_autoptr(GPtrArray) versions = all_versions (s, error);
  if (!versions)
    return FALSE;
  g_autoptr(GHashTable) live_layers = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) live_blobs = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < versions->len; i++)
    {
      StoreImage *img = versions->pdata[i];
      g_hash_table_add (live_blobs, (char *) oci_digest_hex (img->manifest_digest));
      g_hash_table_add (live_blobs, (char *) oci_digest_hex (img->config_digest));
      for (guint j = 0; j < img->diff_ids->len; j++)
        {
          g_hash_table_add (live_layers, (char *) oci_digest_hex (img->diff_ids->pdata[j]));
          g_hash_table_add (live_blobs, (char *) oci_digest_hex (img->blobs->pdata[j]));
        }
    }
  g_autoptr(GHashTable) layer_refs = NULL;
  if (!ostree_repo_list_refs_ext (s->repo, STORE_LAYER_REF_DIR, &layer_refs, 0, NULL, error))
    return FALSE;
  GHashTableIter it;
  gpointer k;
  g_hash_table_iter_init (&it, layer_refs);
  while (g_hash_table_iter_next (&it, &k, NULL))
    {
      const char *hex = (const char *) k + strlen (STORE_LAYER_REF_PREFIX);
      if (g_hash_table_contains (live_layers, hex))
        continue;
      if (!ostree_repo_set_ref_immediate (s->repo, NULL, k, NULL, cancellable, error))
        return FALSE;
      out->layers_removed++;
    }
  gint total = 0, pruned = 0;
  guint64 freed = 0;
  if (!ostree_repo_prune (s->repo, OSTREE_REPO_PRUNE_FLAGS_REFS_ONLY, -1, &total, &pruned, &freed,
                          cancellable, error))
    return FALSE;
  out->objects_removed = pruned;
  out->bytes_freed = freed;
  g_autofree char *blobs = g_build_filename (s->path, "blobs", "sha256", NULL);
  g_autoptr(GDir) d = g_dir_open (blobs, 0, NULL);
  const char *n;
  while (d && (n = g_dir_read_name (d)))
    {
      if (g_hash_table_contains (live_blobs, n))
        continue;
      g_autofree char *p = g_build_filename (blobs, n, NULL);
      struct stat st;
      if (lstat (p, &st) == 0 && unlink (p) == 0)
        {
          out->blobs_removed++;
          out->bytes_freed += st.st_size;
        }
    }
  return TRUE;
}
