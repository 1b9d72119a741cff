/* store/layer-import.c: one layer blob -> OSTree objects, a layer commit and
 * its tar-split record, in one pass over the blob.
 *
 * The blob is read once: compressed bytes are hashed (unless the download
 * that brought them did) and kept in the blob area, inflated, parsed as tar
 * and hashed again for the diff_id; each regular file's OSTree checksum is
 * computed as it streams by, in the same pass as the diff_id, so that an
 * object already in the repo is never written again.
 */
#include "store/store-private.h"
#include "store/tarsplit.h"
#include "oci/oci-stream.h"

#include <string.h>
#include <sys/stat.h>

/* Files up to this size are hashed in memory before anything is written,
 * so a duplicate costs no write; larger ones are written as they are
 * hashed, and dropped at the end if the repo has them. */
#define SMALL_FILE (4 * 1024 * 1024)

typedef struct {
  CtrStore *s;
  OstreeRepo *repo;
  TarSplitWriter *split;
  OstreeMutableTree *root;
  GHashTable *dirmeta_cache;
  GHashTable *by_path;         /* cleaned path -> content checksum, for hardlinks */
  StoreObjectHasher *hasher;
  StoreObjectWriter *writer;
  char *default_dirmeta;
  OciTarReader *tar;
  OciLayerStream *stream;
  GCancellable *cancellable;
  gboolean tree_not_rootfs;    /* see STORE_META_TREE_IS_ROOTFS */
  gboolean writeback;          /* began, not ended (store/writeback.c) */
} LayerImport;

static void
layer_import_clear (LayerImport *li)
{
  /* A layer that failed: one last sync, then the writeback thread idles. */
  if (li->writeback)
    store_writeback_end (li->s);
  g_clear_pointer (&li->split, tarsplit_writer_free);
  g_clear_object (&li->root);
  g_clear_pointer (&li->dirmeta_cache, g_hash_table_unref);
  g_clear_pointer (&li->by_path, g_hash_table_unref);
  g_clear_pointer (&li->hasher, store_object_hasher_free);
  g_clear_pointer (&li->writer, store_object_writer_free);
  g_clear_pointer (&li->default_dirmeta, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (LayerImport, layer_import_clear)

typedef gboolean (*PayloadSink) (gpointer user, const guint8 *buf, gsize len, GError **error);

/* Hands the regular file E's bytes to SINK in the pieces the reader has,
 * and gives its object checksum (mode MODE, XATTRS) in CSUM: the bytes are
 * hashed for it as the tar reader hashes them for the diff_id, both at
 * once. */
static gboolean
read_payload (LayerImport *li, const OciTarEntry *e, guint32 mode, GVariant *xattrs,
              PayloadSink sink, gpointer user, char csum[65], GError **error)
{
  store_object_hasher_begin (li->hasher, e->uid, e->gid, mode, NULL, xattrs);
  OciSha256 *sha = store_object_hasher_sha256 (li->hasher);
  for (;;)
    {
      const guint8 *b;
      gsize n;
      if (!oci_tar_reader_data_hashed (li->tar, sha, &b, &n, error))
        return FALSE;
      if (n == 0)
        break;
      if (!sink (user, b, n, error))
        return FALSE;
    }
  store_object_hasher_finish (li->hasher, csum);
  return TRUE;
}

static gboolean
memory_sink (gpointer user, const guint8 *buf, gsize len, GError **error)
{
  g_byte_array_append (user, buf, len);
  return TRUE;
}

static gboolean
stream_sink (gpointer user, const guint8 *buf, gsize len, GError **error)
{
  return store_object_stream_write (user, buf, len, error);
}

static gboolean
write_regular (LayerImport *li, const OciTarEntry *e, GVariant *xattrs, char **out_csum,
               GError **error)
{
  guint32 mode = S_IFREG | e->mode;
  char csum[65];
  if (e->size <= SMALL_FILE)
    {
      g_autoptr(GByteArray) buf = g_byte_array_sized_new (e->size);
      if (!read_payload (li, e, mode, xattrs, memory_sink, buf, csum, error))
        return FALSE;
      g_autoptr(GBytes) data = g_byte_array_free_to_bytes (g_steal_pointer (&buf));
      if (!store_object_writer_put (li->writer, csum, e->uid, e->gid, mode, xattrs, data, error))
        return FALSE;
      *out_csum = g_strdup (csum);
      return TRUE;
    }

  if (store_object_writer_direct (li->writer))
    {
      g_autoptr(StoreObjectStream) st = store_object_writer_open (li->writer, e->uid, e->gid, mode,
                                                                  xattrs, error);
      if (!st || !read_payload (li, e, mode, xattrs, stream_sink, st, csum, error)
          || !store_object_stream_close (g_steal_pointer (&st), csum, error))
        return FALSE;
      *out_csum = g_strdup (csum);
      return TRUE;
    }

  /* Large files in archive repos stream through libostree, which
   * compresses them as it writes (and hashes them with GLib's SHA-256). */
  g_autoptr(GFileInfo) info = g_file_info_new ();
  g_file_info_set_file_type (info, G_FILE_TYPE_REGULAR);
  g_file_info_set_attribute_uint32 (info, "unix::uid", e->uid);
  g_file_info_set_attribute_uint32 (info, "unix::gid", e->gid);
  g_file_info_set_attribute_uint32 (info, "unix::mode", mode);
  g_file_info_set_size (info, e->size);
  g_autoptr(GInputStream) payload = store_payload_stream_new (li->tar);
  g_autoptr(GInputStream) content = NULL;
  guint64 content_len;
  if (!ostree_raw_file_to_content_stream (payload, info, xattrs, &content, &content_len,
                                          li->cancellable, error))
    return FALSE;
  g_autofree guchar *raw = NULL;
  if (!ostree_repo_write_content (li->repo, NULL, content, content_len, &raw, li->cancellable, error))
    return FALSE;
  *out_csum = ostree_checksum_from_bytes (raw);
  return TRUE;
}

/* bare-user keeps a symlink as a regular file holding its target, which
 * the workers write like any small file; libostree's writer would hash it
 * with GLib and stage it on this thread. Mode 0777, as libostree gives
 * every symlink object, so checksums are the ones it computes. */
static gboolean
write_symlink (LayerImport *li, const OciTarEntry *e, GVariant *xattrs, char **out_csum,
               GError **error)
{
  if (!store_object_writer_direct (li->writer))
    {
      *out_csum = ostree_repo_write_symlink (li->repo, NULL, e->uid, e->gid, xattrs, e->linkname,
                                             li->cancellable, error);
      return *out_csum != NULL;
    }
  guint32 mode = S_IFLNK | 0777;
  char csum[65];
  store_object_hasher_begin (li->hasher, e->uid, e->gid, mode, e->linkname, xattrs);
  store_object_hasher_finish (li->hasher, csum);
  g_autoptr(GBytes) target = g_bytes_new (e->linkname, strlen (e->linkname));
  if (!store_object_writer_put (li->writer, csum, e->uid, e->gid, mode, xattrs, target, error))
    return FALSE;
  *out_csum = g_strdup (csum);
  return TRUE;
}

static gboolean
import_entry (LayerImport *li, const OciTarEntry *e, GError **error)
{
  g_autofree char *path = oci_tar_clean_path (e->path, error);
  if (!path)
    return FALSE;
  g_autoptr(GVariant) xattrs = store_xattrs_variant (e->xattrs);
  const char *base = strrchr (path, '/');
  if (g_str_has_prefix (base ? base + 1 : path, ".wh."))
    li->tree_not_rootfs = TRUE;   /* kept as a file here, applied as a whiteout */

  if (e->type == OCI_TAR_DIRECTORY)
    {
      g_autofree char *meta = NULL;
      if (!store_write_dirmeta (li->repo, e->uid, e->gid, e->mode, xattrs, li->dirmeta_cache,
                                &meta, li->cancellable, error))
        return FALSE;
      tarsplit_writer_entry (li->split, TARSPLIT_ENTRY_DIR, path, meta);
      if (*path == '\0')
        {
          ostree_mutable_tree_set_metadata_checksum (li->root, meta);
          return TRUE;
        }
      g_autoptr(OstreeMutableTree) parent = NULL;
      const char *name;
      if (!store_tree_parent (li->root, path, li->default_dirmeta, &parent, &name, error))
        return FALSE;
      return store_tree_put_dir (parent, name, meta, NULL, error);
    }

  if (*path == '\0')
    return g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID,
                        "the root of the layer is not a directory"), FALSE;

  if (e->type == OCI_TAR_CHAR || e->type == OCI_TAR_BLOCK || e->type == OCI_TAR_FIFO)
    {
      /* Kept in the record for exact export; never materialised as a node. */
      tarsplit_writer_entry (li->split, TARSPLIT_ENTRY_OTHER, path, NULL);
      g_autoptr(OstreeMutableTree) parent = NULL;
      const char *name;
      if (!store_tree_parent (li->root, path, li->default_dirmeta, &parent, &name, error))
        return FALSE;
      /* Kept here; applying the layer removes it. */
      if (g_hash_table_contains (ostree_mutable_tree_get_files (parent), name)
          || g_hash_table_contains (ostree_mutable_tree_get_subdirs (parent), name))
        li->tree_not_rootfs = TRUE;
      return TRUE;
    }

  g_autofree char *csum = NULL;
  switch (e->type)
    {
    case OCI_TAR_REGULAR:
      if (!oci_layer_stream_check_ahead (li->stream, e->size, error)
          || !write_regular (li, e, xattrs, &csum, error))
        return FALSE;
      tarsplit_writer_file (li->split, e->size, csum);
      break;
    case OCI_TAR_SYMLINK:
      if (strlen (e->linkname) > OCI_LIMIT_PATH)
        return g_set_error (error, OCI_ERROR, OCI_ERROR_LIMIT, "symlink target too long"), FALSE;
      if (!write_symlink (li, e, xattrs, &csum, error))
        return FALSE;
      break;
    case OCI_TAR_HARDLINK:
      {
        g_autoptr(GError) local = NULL;
        g_autofree char *target = oci_tar_clean_path (e->linkname, &local);
        if (!target)
          return g_set_error (error, OCI_ERROR, OCI_ERROR_UNSAFE,
                              "hardlink target outside the layer: %s", local->message), FALSE;
        const char *tcsum = g_hash_table_lookup (li->by_path, target);
        if (!tcsum)
          return g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID,
                              "hardlink to \"%s\", which is not a file earlier in the layer", target), FALSE;
        csum = g_strdup (tcsum);
        break;
      }
    default:
      g_assert_not_reached ();
    }
  tarsplit_writer_entry (li->split, TARSPLIT_ENTRY_FILE, path, csum);
  g_autoptr(OstreeMutableTree) parent = NULL;
  const char *name;
  if (!store_tree_parent (li->root, path, li->default_dirmeta, &parent, &name, error))
    return FALSE;
  if (!store_tree_put_file (parent, name, csum, error))
    return FALSE;
  g_hash_table_replace (li->by_path, g_steal_pointer (&path), g_steal_pointer (&csum));
  return TRUE;
}

gboolean
store_layer_load_meta (CtrStore *s, const char *diff_id, char **out_commit,
                       GVariant **out_metadata, GError **error)
{
  g_autofree char *ref = store_ref_for_layer (diff_id);
  g_autofree char *commit = NULL;
  if (!ostree_repo_resolve_rev (s->repo, ref, TRUE, &commit, error))
    return FALSE;
  if (commit && out_metadata)
    {
      g_autoptr(GVariant) cv = NULL;
      if (!ostree_repo_load_variant (s->repo, OSTREE_OBJECT_TYPE_COMMIT, commit, &cv, error))
        return FALSE;
      *out_metadata = g_variant_get_child_value (cv, 0);
    }
  if (out_commit)
    *out_commit = g_steal_pointer (&commit);
  return TRUE;
}

gboolean
store_layer_exists (CtrStore *s, const char *diff_id, char **out_commit, GError **error)
{
  g_autofree char *commit = NULL;
  if (!store_layer_load_meta (s, diff_id, &commit, NULL, error))
    return FALSE;
  if (out_commit)
    *out_commit = g_strdup (commit);
  return commit != NULL;
}

/* Reads a source range and passes its bytes through the layer stream only to
 * verify (and keep) the blob: the layer itself is already in the store. */
static gboolean
verify_only (OciLayerStream *ls, GError **error)
{
  g_autofree guint8 *buf = g_malloc (256 * 1024);
  for (;;)
    {
      gssize n = oci_layer_stream_read (ls, buf, 256 * 1024, error);
      if (n < 0)
        return FALSE;
      if (n == 0)
        return TRUE;
    }
}

static gssize
layer_stream_source (void *user, void *buf, gsize len, GError **error)
{
  return oci_layer_stream_read (user, buf, len, error);
}

static gboolean
peek_compression (const OciSourceLayer *layer, OciCompression *out, GError **error)
{
  guint8 magic[8];
  OciFdRange r = layer->range;
  gsize got = 0;
  while (got < sizeof magic)
    {
      gssize n = oci_fd_range_read (&r, magic + got, sizeof magic - got, error);
      if (n < 0)
        return FALSE;
      if (n == 0)
        break;
      got += n;
    }
  return oci_compression_detect (magic, got, out, error);
}

static gboolean
layer_import (CtrStore *s, const OciSourceLayer *layer, const char *diff_id,
              const StoreImportOptions *opts, StoreLayerResult *out, GCancellable *cancellable,
              GError **error)
{
  out->diff_id = g_strdup (diff_id);
  gboolean present = FALSE;
  g_autofree char *existing = NULL;
  if (!store_layer_load_meta (s, diff_id, &existing, NULL, error))
    return FALSE;
  present = existing != NULL;
  /* Present, and its blob kept or not to be kept: nothing to read (a pull
   * does not even download such a layer). */
  if (present && layer->digest
      && (!s->keep_blobs || g_str_equal (layer->digest, diff_id) || store_blob_exists (s, layer->digest)))
    {
      out->already_present = TRUE;
      out->digest = g_strdup (layer->digest);
      out->size = layer->size;
      out->compression = g_str_equal (layer->digest, diff_id) ? OCI_COMPRESSION_NONE : OCI_COMPRESSION_GZIP;
      return TRUE;
    }

  OciCompression comp;
  if (!peek_compression (layer, &comp, error))
    return FALSE;
  out->compression = comp;
  /* An uncompressed blob is the layer tar itself, which export rebuilds
   * exactly: keeping it would store every byte twice. */
  gboolean keep = s->keep_blobs && comp != OCI_COMPRESSION_NONE
                  && !(layer->digest && store_blob_exists (s, layer->digest));

  if (present && !keep && layer->digest)
    {
      out->already_present = TRUE;
      out->digest = g_strdup (layer->digest);
      out->size = layer->size;
      return TRUE;
    }

  /* A download is kept as it is; other sources are copied as read. */
  gboolean adopt = keep && layer->fd_is_unlinked_blob;
  g_autoptr(StoreBlobWriter) blob = NULL;
  if (keep && !adopt && !(blob = store_blob_writer_new (s, error)))
    return FALSE;
  OciFdRange range = layer->range;
  OciLayerStreamOptions lo = {
    .digest = layer->digest,
    .size = layer->size,
    .diff_id = diff_id,
    .max_size = opts->max_layer_size,
    .tee = blob ? store_blob_writer_write : NULL,
    .tee_user = blob,
    /* The importing thread hashes the tar (below): on the prefetch
     * thread, with inflate, that hash made it the longest path of a pull. */
    .diff_id_by_reader = !present,
    /* A download verifies the blob before its last byte lands. */
    .digest_checked_by_source = layer->range.landing != NULL,
  };
  g_autoptr(OciLayerStream) ls = oci_layer_stream_new (oci_fd_range_read, &range, &lo);

  if (present)
    {
      out->already_present = TRUE;
      if (!verify_only (ls, error))
        return FALSE;
    }
  else
    {
      g_auto(LayerImport) li = { 0 };
      li.s = s;
      li.repo = s->repo;
      li.cancellable = cancellable;
      li.split = tarsplit_writer_new ();
      li.root = ostree_mutable_tree_new ();
      li.dirmeta_cache = g_hash_table_new_full (g_bytes_hash, g_bytes_equal,
                                                (GDestroyNotify) g_bytes_unref, g_free);
      li.by_path = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      li.hasher = store_object_hasher_new ();
      li.writer = store_object_writer_new (s->repo, cancellable);
      if (!store_default_dirmeta (s->repo, &li.default_dirmeta, error))
        return FALSE;
      ostree_mutable_tree_set_metadata_checksum (li.root, li.default_dirmeta);

      store_writeback_begin (s);
      li.writeback = TRUE;
      /* Inflate and hash the blob on the prefetch thread; parse and hash
       * the tar here, with its files. */
      g_autoptr(OciSha256) tar_hash = oci_sha256_new ();
      g_autoptr(OciPrefetch) prefetch = oci_prefetch_new (layer_stream_source, ls);
      g_autoptr(OciTarReader) tar = oci_tar_reader_new_borrowing (oci_prefetch_borrow, prefetch,
                                                                  tarsplit_writer_raw, li.split);
      oci_tar_reader_set_hash (tar, tar_hash);
      li.tar = tar;
      li.stream = ls;
      for (;;)
        {
          const OciTarEntry *e;
          if (!oci_tar_reader_next (tar, &e, error))
            return FALSE;
          if (!e)
            break;
          if (!import_entry (&li, e, error))
            return g_prefix_error (error, "entry \"%s\": ", e->path), FALSE;
          if (opts->progress)
            opts->progress (opts->progress_user, layer->digest ? layer->digest : diff_id,
                            STORE_LAYER_READING, oci_layer_stream_compressed_size (ls),
                            MAX (layer->size, 0));
        }
      /* The tar reader reads to the end of the stream, which is where the
       * layer stream checks the blob's digest; the tar's is ours. */
      if (!oci_layer_stream_digest (ls))
        return g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID,
                            "layer stream not read to its end"), FALSE;
      g_autofree char *tar_digest = oci_sha256_finish (tar_hash);
      if (!oci_layer_stream_check_diff_id (ls, tar_digest, error))
        return FALSE;

      g_autoptr(GBytes) record = tarsplit_writer_finish (li.split, error);
      if (!record)
        return FALSE;
      if (!store_object_writer_finish (li.writer, error))
        return FALSE;
      store_writeback_end (s);
      li.writeback = FALSE;
      g_autoptr(OstreeRepoFile) root = NULL;
      if (!store_tree_write (s, li.root, &root, cancellable, error))
        return FALSE;
      GVariantBuilder mb;
      g_variant_builder_init (&mb, G_VARIANT_TYPE ("a{sv}"));
      g_variant_builder_add (&mb, "{sv}", STORE_META_DIFF_ID, g_variant_new_string (diff_id));
      g_variant_builder_add (&mb, "{sv}", STORE_META_TAR_SIZE,
                             g_variant_new_uint64 (oci_layer_stream_uncompressed_size (ls)));
      g_variant_builder_add (&mb, "{sv}", STORE_META_ENTRIES,
                             g_variant_new_uint64 (oci_tar_reader_entries (tar)));
      g_variant_builder_add (&mb, "{sv}", STORE_META_TREE_IS_ROOTFS,
                             g_variant_new_boolean (!li.tree_not_rootfs));
      gsize rlen;
      const guint8 *rdata = g_bytes_get_data (record, &rlen);
      g_variant_builder_add (&mb, "{sv}", STORE_META_TAR_SPLIT,
                             g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, rdata, rlen, 1));
      g_autoptr(GVariant) meta = g_variant_ref_sink (g_variant_builder_end (&mb));
      g_autofree char *commit = NULL;
      /* A fixed timestamp: the same layer gives the same commit anywhere. */
      if (!ostree_repo_write_commit_with_time (s->repo, NULL, diff_id, NULL, meta, root, 0,
                                               &commit, cancellable, error))
        return FALSE;
      g_autofree char *ref = store_ref_for_layer (diff_id);
      ostree_repo_transaction_set_ref (s->repo, NULL, ref, commit);
    }

  out->digest = g_strdup (oci_layer_stream_digest (ls));
  out->size = oci_layer_stream_compressed_size (ls);
  if (blob && !store_blob_writer_commit (blob, out->digest, error))
    return FALSE;
  /* Its bytes are all read; the download must also be over (verified, and
   * nothing more to come into the file) before the file gets a name. */
  guint64 none;
  if (adopt && layer->range.landing && !oci_landing_wait (layer->range.landing, G_MAXUINT64, &none, error))
    return FALSE;
  if (adopt && !store_blob_adopt_fd (s, layer->range.fd, out->digest, error))
    return FALSE;
  return TRUE;
}

void
store_import_progress_queued (const StoreImportOptions *opts, OciSource *src)
{
  const OciConfig *config = oci_source_config_parsed (src);
  for (guint i = 0; opts->progress && i < oci_source_n_layers (src); i++)
    {
      const OciSourceLayer *l = oci_source_layer (src, i);
      const char *name = l->digest ? l->digest
                         : i < config->diff_ids->len ? config->diff_ids->pdata[i] : NULL;
      if (name)
        opts->progress (opts->progress_user, name, STORE_LAYER_QUEUED, 0, 0);
    }
}

gboolean
store_layer_import (CtrStore *s, const OciSourceLayer *layer, const char *diff_id,
                    const StoreImportOptions *opts, StoreLayerResult *out,
                    GCancellable *cancellable, GError **error)
{
  memset (out, 0, sizeof *out);
  if (!layer_import (s, layer, diff_id, opts, out, cancellable, error))
    return FALSE;
  if (opts->progress)
    opts->progress (opts->progress_user, layer->digest ? layer->digest : diff_id,
                    out->already_present ? STORE_LAYER_PRESENT : STORE_LAYER_DONE, 0, 0);
  return TRUE;
}

void
store_layer_result_clear (StoreLayerResult *r)
{
  g_clear_pointer (&r->digest, g_free);
  g_clear_pointer (&r->diff_id, g_free);
}
