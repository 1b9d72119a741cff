/* store/image.c: image versions as commits on a branch per reference.
 *
 * Importing an image imports its missing layers, replays all its layers onto
 * an empty tree (whiteouts applied) and commits that merged rootfs with the
 * previous version of the reference as parent, in one OSTree transaction:
 * either everything lands or nothing does.
 */
#include "store/store-private.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void
store_image_free (StoreImage *i)
{
  if (!i)
    return;
  g_free (i->reference);
  g_free (i->commit);
  g_free (i->manifest_digest);
  g_free (i->config_digest);
  g_free (i->media_type);
  g_free (i->platform);
  g_free (i->source);
  g_free (i->created);
  g_clear_pointer (&i->diff_ids, g_ptr_array_unref);
  g_clear_pointer (&i->blobs, g_ptr_array_unref);
  g_clear_pointer (&i->blob_media_types, g_ptr_array_unref);
  g_clear_pointer (&i->blob_sizes, g_array_unref);
  g_free (i);
}

void
store_import_result_clear (StoreImportResult *r)
{
  g_clear_pointer (&r->reference, g_free);
  g_clear_pointer (&r->commit, g_free);
}

static GVariant *
bytes_variant (GBytes *b)
{
  gsize len;
  const void *d = g_bytes_get_data (b, &len);
  return g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, d, len, 1);
}

GVariant *
store_image_metadata_new (const StoreImage *img, GBytes *manifest, GBytes *config)
{
  GVariantBuilder b, layers;
  g_variant_builder_init (&b, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&b, "{sv}", STORE_META_REFERENCE, g_variant_new_string (img->reference));
  g_variant_builder_add (&b, "{sv}", STORE_META_MANIFEST_DIGEST, g_variant_new_string (img->manifest_digest));
  g_variant_builder_add (&b, "{sv}", STORE_META_MANIFEST_TYPE, g_variant_new_string (img->media_type));
  g_variant_builder_add (&b, "{sv}", STORE_META_CONFIG_DIGEST, g_variant_new_string (img->config_digest));
  g_variant_builder_add (&b, "{sv}", STORE_META_MANIFEST, bytes_variant (manifest));
  g_variant_builder_add (&b, "{sv}", STORE_META_CONFIG, bytes_variant (config));
  g_variant_builder_add (&b, "{sv}", STORE_META_PLATFORM, g_variant_new_string (img->platform));
  g_variant_builder_add (&b, "{sv}", STORE_META_SOURCE, g_variant_new_string (img->source));
  g_variant_builder_add (&b, "{sv}", STORE_META_CREATED, g_variant_new_string (img->created ? img->created : ""));
  g_variant_builder_add (&b, "{sv}", STORE_META_IMPORTED, g_variant_new_uint64 (img->imported));
  g_variant_builder_add (&b, "{sv}", STORE_META_UNPACKED, g_variant_new_uint64 (img->unpacked_size));
  g_variant_builder_init (&layers, G_VARIANT_TYPE ("a(sssx)"));
  for (guint i = 0; i < img->diff_ids->len; i++)
    g_variant_builder_add (&layers, "(sssx)", (char *) img->diff_ids->pdata[i],
                           (char *) img->blobs->pdata[i], (char *) img->blob_media_types->pdata[i],
                           g_array_index (img->blob_sizes, gint64, i));
  g_variant_builder_add (&b, "{sv}", STORE_META_LAYERS, g_variant_builder_end (&layers));
  return g_variant_ref_sink (g_variant_builder_end (&b));
}

static char *
lookup_string (GVariant *meta, const char *key)
{
  const char *v = NULL;
  if (!g_variant_lookup (meta, key, "&s", &v))
    return NULL;
  return g_strdup (v);
}

StoreImage *
store_image_load (CtrStore *s, const char *commit, GError **error)
{
  g_autoptr(GVariant) cv = NULL;
  if (!ostree_repo_load_variant (s->repo, OSTREE_OBJECT_TYPE_COMMIT, commit, &cv, error))
    return NULL;
  g_autoptr(GVariant) meta = g_variant_get_child_value (cv, 0);
  g_autoptr(StoreImage) img = g_new0 (StoreImage, 1);
  img->commit = g_strdup (commit);
  img->reference = lookup_string (meta, STORE_META_REFERENCE);
  img->manifest_digest = lookup_string (meta, STORE_META_MANIFEST_DIGEST);
  img->config_digest = lookup_string (meta, STORE_META_CONFIG_DIGEST);
  img->media_type = lookup_string (meta, STORE_META_MANIFEST_TYPE);
  img->platform = lookup_string (meta, STORE_META_PLATFORM);
  img->source = lookup_string (meta, STORE_META_SOURCE);
  img->created = lookup_string (meta, STORE_META_CREATED);
  if (!img->reference || !img->manifest_digest || !img->config_digest)
    return g_set_error (error, STORE_ERROR, STORE_ERROR_CORRUPT,
                        "commit %s is not an image version", commit), NULL;
  guint64 t = 0;
  g_variant_lookup (meta, STORE_META_IMPORTED, "t", &t);
  img->imported = t;
  g_variant_lookup (meta, STORE_META_UNPACKED, "t", &img->unpacked_size);
  img->diff_ids = g_ptr_array_new_with_free_func (g_free);
  img->blobs = g_ptr_array_new_with_free_func (g_free);
  img->blob_media_types = g_ptr_array_new_with_free_func (g_free);
  img->blob_sizes = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GVariant) layers = g_variant_lookup_value (meta, STORE_META_LAYERS, G_VARIANT_TYPE ("a(sssx)"));
  if (layers)
    {
      GVariantIter it;
      const char *d, *b, *mt;
      gint64 size;
      g_variant_iter_init (&it, layers);
      while (g_variant_iter_next (&it, "(&s&s&sx)", &d, &b, &mt, &size))
        {
          g_ptr_array_add (img->diff_ids, g_strdup (d));
          g_ptr_array_add (img->blobs, g_strdup (b));
          g_ptr_array_add (img->blob_media_types, g_strdup (mt));
          g_array_append_val (img->blob_sizes, size);
          img->size += size;
        }
    }
  return g_steal_pointer (&img);
}

static GBytes *
meta_bytes (CtrStore *s, const StoreImage *img, const char *key, GError **error)
{
  g_autoptr(GVariant) cv = NULL;
  if (!ostree_repo_load_variant (s->repo, OSTREE_OBJECT_TYPE_COMMIT, img->commit, &cv, error))
    return NULL;
  g_autoptr(GVariant) meta = g_variant_get_child_value (cv, 0);
  g_autoptr(GVariant) v = g_variant_lookup_value (meta, key, G_VARIANT_TYPE ("ay"));
  if (!v)
    return g_set_error (error, STORE_ERROR, STORE_ERROR_CORRUPT, "commit %s lacks %s",
                        img->commit, key), NULL;
  return g_variant_get_data_as_bytes (v);
}

GBytes *
store_image_manifest (CtrStore *s, const StoreImage *img, GError **error)
{
  return meta_bytes (s, img, STORE_META_MANIFEST, error);
}

GBytes *
store_image_config (CtrStore *s, const StoreImage *img, GError **error)
{
  return meta_bytes (s, img, STORE_META_CONFIG, error);
}

static gint
image_cmp (gconstpointer a, gconstpointer b)
{
  const StoreImage *x = *(StoreImage * const *) a, *y = *(StoreImage * const *) b;
  return strcmp (x->reference, y->reference);
}

GPtrArray *
store_image_list (CtrStore *s, GError **error)
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
      StoreImage *img = store_image_load (s, v, error);
      if (!img)
        return NULL;
      g_ptr_array_add (out, img);
    }
  g_ptr_array_sort (out, image_cmp);
  return g_steal_pointer (&out);
}

static char *
platform_of (const OciConfig *c)
{
  if (c->variant)
    return g_strdup_printf ("%s/%s/%s", c->os, c->architecture, c->variant);
  return g_strdup_printf ("%s/%s", c->os, c->architecture);
}

static gboolean
import_in_transaction (CtrStore *s, OciSource *src, StoreImage *img, const char *branch,
                       const char *parent, const StoreImportOptions *opts,
                       StoreImportResult *out, GCancellable *cancellable, GError **error)
{
  guint n = oci_source_n_layers (src);
  const OciConfig *config = oci_source_config_parsed (src);
  g_autofree char **digests = g_new0 (char *, n + 1);
  g_autofree gint64 *sizes = g_new0 (gint64, n);
  g_autofree OciCompression *comps = g_new0 (OciCompression, n);
  g_autoptr(GPtrArray) results = g_ptr_array_new ();
  StoreLayerResult *res = g_new0 (StoreLayerResult, n);

  gboolean ok = TRUE;
  for (guint i = 0; i < n && ok; i++)
    {
      const OciSourceLayer *layer = oci_source_layer (src, i);
      const char *diff_id = config->diff_ids->pdata[i];
      ok = store_layer_import (s, layer, diff_id, opts, &res[i], cancellable, error);
      if (!ok)
        {
          g_prefix_error (error, "layer %u/%u (%s): ", i + 1, n, layer->digest ? layer->digest : diff_id);
          break;
        }
      digests[i] = res[i].digest;
      sizes[i] = res[i].size;
      comps[i] = res[i].compression;
      if (res[i].already_present)
        out->layers_present++;
      else
        out->layers_new++;
    }
  if (ok && !oci_source_manifest (src))
    ok = oci_source_synthesize_manifest (src, digests, sizes, comps, error);

  /* The first layer's own tree, when it is its merged tree: only the
   * directories the layers above change are then read and written again. */
  g_autoptr(OstreeMutableTree) root = NULL;
  if (ok && n > 0)
    ok = store_layer_base_tree (s, config->diff_ids->pdata[0], &root, error);
  guint first = root ? 1 : 0;
  if (ok && !root)
    {
      g_autofree char *default_meta = NULL;
      root = ostree_mutable_tree_new ();
      ok = store_default_dirmeta (s->repo, &default_meta, error);
      if (ok)
        ostree_mutable_tree_set_metadata_checksum (root, default_meta);
    }
  for (guint i = 0; i < n && ok; i++)
    {
      if (i >= first)
        ok = store_layer_apply (s, config->diff_ids->pdata[i], root, error);
      if (ok)
        img->unpacked_size += store_layer_tar_size (s, config->diff_ids->pdata[i], NULL);
    }
  GBytes *manifest = ok ? oci_source_manifest (src) : NULL;
  if (ok)
    {
      const OciManifest *m = oci_source_manifest_parsed (src);
      for (guint i = 0; i < n; i++)
        {
          OciDescriptor *d = m->layers->pdata[i];
          g_ptr_array_add (img->diff_ids, g_strdup (config->diff_ids->pdata[i]));
          g_ptr_array_add (img->blobs, g_strdup (d->digest));
          g_ptr_array_add (img->blob_media_types, g_strdup (d->media_type));
          g_array_append_val (img->blob_sizes, d->size);
        }
      img->media_type = g_strdup (m->media_type ? m->media_type : OCI_MT_IMAGE_MANIFEST);
      img->manifest_digest = g_strdup (oci_source_manifest_digest (src));
    }
  for (guint i = 0; i < n; i++)
    store_layer_result_clear (&res[i]);
  g_free (res);
  if (!ok)
    return FALSE;

  if (parent)
    {
      g_autoptr(StoreImage) prev = store_image_load (s, parent, NULL);
      if (prev && g_str_equal (prev->manifest_digest, img->manifest_digest))
        {
          out->unchanged = TRUE;
          out->commit = g_strdup (parent);
          return TRUE;
        }
    }

  GBytes *config_bytes = oci_source_config (src);
  if (!store_blob_put_bytes (s, img->manifest_digest, manifest, error)
      || !store_blob_put_bytes (s, img->config_digest, config_bytes, error))
    return FALSE;

  g_autoptr(OstreeRepoFile) tree = NULL;
  if (!store_tree_write (s, root, &tree, cancellable, error))
    return FALSE;
  g_autoptr(GVariant) meta = store_image_metadata_new (img, manifest, config_bytes);
  g_autofree char *subject = g_strdup_printf ("%s %s", img->reference, img->manifest_digest);
  if (!ostree_repo_write_commit_with_time (s->repo, parent, subject, img->source, meta, tree,
                                           img->imported, &out->commit, cancellable, error))
    return FALSE;
  ostree_repo_transaction_set_ref (s->repo, NULL, branch, out->commit);
  return TRUE;
}

gboolean
store_image_import (CtrStore *s, OciSource *src, const OciRef *name, const char *source_desc,
                    const StoreImportOptions *opts, StoreImportResult *out,
                    GCancellable *cancellable, GError **error)
{
  memset (out, 0, sizeof *out);
  const OciConfig *config = oci_source_config_parsed (src);
  guint n = oci_source_n_layers (src);
  if (config->diff_ids->len != n)
    return g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID,
                        "the manifest has %u layers but the config lists %u diff_ids",
                        n, config->diff_ids->len), FALSE;

  g_autoptr(StoreImage) img = g_new0 (StoreImage, 1);
  img->reference = oci_ref_to_string (name);
  img->config_digest = g_strdup (oci_source_config_digest (src));
  img->platform = platform_of (config);
  img->source = g_strdup (source_desc);
  img->created = g_strdup (config->created);
  img->imported = g_get_real_time () / G_USEC_PER_SEC;
  img->diff_ids = g_ptr_array_new_with_free_func (g_free);
  img->blobs = g_ptr_array_new_with_free_func (g_free);
  img->blob_media_types = g_ptr_array_new_with_free_func (g_free);
  img->blob_sizes = g_array_new (FALSE, FALSE, sizeof (gint64));
  out->reference = g_strdup (img->reference);

  store_import_progress_queued (opts, src);
  g_autofree char *branch = store_ref_for_image (name);
  g_autoptr(StoreLock) lock = store_lock (s, TRUE, opts->waiting, error);
  if (!lock)
    return FALSE;
  store_blob_clean_tmp (s);
  g_autofree char *parent = NULL;
  if (!ostree_repo_resolve_rev (s->repo, branch, TRUE, &parent, error))
    return FALSE;

  if (parent && oci_source_manifest_digest (src))
    {
      g_autoptr(StoreImage) prev = store_image_load (s, parent, NULL);
      if (prev && g_str_equal (prev->manifest_digest, oci_source_manifest_digest (src)))
        {
          out->unchanged = TRUE;
          out->commit = g_strdup (parent);
          return TRUE;
        }
    }
  if (!store_import_mark (s, error))
    return FALSE;
  if (!ostree_repo_prepare_transaction (s->repo, NULL, cancellable, error))
    return FALSE;
  if (!import_in_transaction (s, src, img, branch, parent, opts, out, cancellable, error))
    {
      ostree_repo_abort_transaction (s->repo, NULL, NULL);
      store_import_unmark (s, FALSE);
      return FALSE;
    }
  /* libostree syncs the filesystem before it moves the refs */
  gboolean ok = ostree_repo_commit_transaction (s->repo, NULL, cancellable, error);
  store_import_unmark (s, ok);
  return ok;
}

gboolean
store_image_remove (CtrStore *s, const char *name, GError **error)
{
  g_autofree char *full = NULL, *commit = NULL;
  if (!store_resolve_image (s, name, &full, &commit, error))
    return FALSE;
  g_autoptr(OciRef) ref = NULL;
  if (!oci_ref_parse (full, OCI_REF_DEFAULT_LOCALHOST, &ref, error))
    return FALSE;
  g_autofree char *branch = store_ref_for_image (ref);
  g_autoptr(StoreLock) lock = store_lock (s, TRUE, NULL, error);
  if (!lock)
    return FALSE;
  return ostree_repo_set_ref_immediate (s->repo, NULL, branch, NULL, NULL, error);
}

gboolean
store_image_tag (CtrStore *s, const char *commit, const OciRef *name, char **out_commit,
                 GError **error)
{
  g_autoptr(StoreImage) img = store_image_load (s, commit, error);
  if (!img)
    return FALSE;
  g_autoptr(GBytes) manifest = store_image_manifest (s, img, error);
  g_autoptr(GBytes) config = store_image_config (s, img, error);
  if (!manifest || !config)
    return FALSE;
  g_autofree char *branch = store_ref_for_image (name);
  g_autoptr(StoreLock) lock = store_lock (s, TRUE, NULL, error);
  if (!lock)
    return FALSE;
  g_autofree char *parent = NULL;
  if (!ostree_repo_resolve_rev (s->repo, branch, TRUE, &parent, error))
    return FALSE;
  if (parent)
    {
      g_autoptr(StoreImage) prev = store_image_load (s, parent, error);
      if (!prev)
        return FALSE;
      if (g_str_equal (prev->manifest_digest, img->manifest_digest))
        {
          *out_commit = g_steal_pointer (&parent);
          return TRUE;
        }
    }
  /* A new version of the target reference with the same tree and image. */
  g_free (img->source);
  img->source = g_strdup_printf ("tag %s@%s", img->reference, img->manifest_digest);
  g_free (img->reference);
  img->reference = oci_ref_to_string (name);
  img->imported = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(GVariant) meta = store_image_metadata_new (img, manifest, config);
  g_autoptr(GFile) root = NULL;
  if (!ostree_repo_read_commit (s->repo, commit, &root, NULL, NULL, error))
    return FALSE;
  if (!ostree_repo_prepare_transaction (s->repo, NULL, NULL, error))
    return FALSE;
  g_autofree char *subject = g_strdup_printf ("%s %s", img->reference, img->manifest_digest);
  g_autofree char *new_commit = NULL;
  if (!ostree_repo_write_commit_with_time (s->repo, parent, subject, img->source, meta,
                                           OSTREE_REPO_FILE (root), img->imported, &new_commit,
                                           NULL, error))
    {
      ostree_repo_abort_transaction (s->repo, NULL, NULL);
      return FALSE;
    }
  ostree_repo_transaction_set_ref (s->repo, NULL, branch, new_commit);
  if (!ostree_repo_commit_transaction (s->repo, NULL, NULL, error))
    return FALSE;
  *out_commit = g_steal_pointer (&new_commit);
  return TRUE;
}

gboolean
store_image_checkout (CtrStore *s, const char *commit, const char *dir, GError **error)
{
  struct stat st;
  if (lstat (dir, &st) == 0)
    return g_set_error (error, STORE_ERROR, STORE_ERROR_EXISTS,
                        "%s exists: checkout writes only into a new directory", dir), FALSE;
  g_autoptr(StoreLock) lock = store_lock (s, FALSE, NULL, error);
  if (!lock)
    return FALSE;
  /* libostree creates every entry relative to directories it made itself
   * and never follows a symlink of the image, so nothing lands outside dir.
   * As root it restores owners; otherwise files belong to the caller. */
  OstreeRepoCheckoutAtOptions opts = { 0 };
  opts.mode = geteuid () == 0 ? OSTREE_REPO_CHECKOUT_MODE_NONE : OSTREE_REPO_CHECKOUT_MODE_USER;
  opts.overwrite_mode = OSTREE_REPO_CHECKOUT_OVERWRITE_NONE;
  opts.enable_fsync = FALSE;
  /* Copies, never hardlinks to the store's objects: a checkout is the
   * user's to change, and writing through a hardlink would change the
   * image (fsck would then find the object corrupt). */
  opts.force_copy = TRUE;
  if (!ostree_repo_checkout_at (s->repo, &opts, AT_FDCWD, dir, commit, NULL, error))
    return g_prefix_error (error, "checkout to %s: ", dir), FALSE;
  return TRUE;
}
