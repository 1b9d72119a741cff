/* store/export.c: an image version out to an OCI layout or archive.
 *
 * Kept blobs are copied as they are, so the manifest digest is the
 * original's. Without them (--no-keep-blobs stores, or --from-files) each
 * layer is rebuilt byte for byte from its record (same diff_id, so the same
 * config digest) and recompressed, which changes only the blob digests and
 * so the manifest's, as `podman push` does.
 */
#include "store/store-private.h"
#include "oci/oci-stream.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

typedef struct {
  CtrStore *s;
  const char *diff_id;
  const char *blob_path;
  gboolean gzip;
  GCancellable *cancellable;
} Producer;

typedef struct {
  OciWriteFunc write;
  void *user;
} Sink;

static gboolean
gzip_sink (void *user, const void *buf, gsize len, GError **error)
{
  return oci_gzip_writer_write (user, buf, len, error);
}

static gboolean
produce_layer (void *user, OciWriteFunc write, void *write_user, GError **error)
{
  Producer *p = user;
  if (p->blob_path)
    {
      int fd = open (p->blob_path, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        return oci_throw_errno (error, "open %s", p->blob_path);
      OciFdRange r = { fd, 0, G_MAXUINT64 };
      g_autofree guint8 *buf = g_malloc (256 * 1024);
      gssize n;
      while ((n = oci_fd_range_read (&r, buf, 256 * 1024, error)) > 0)
        if (!write (write_user, buf, n, error))
          break;
      close (fd);
      return n == 0;
    }
  if (!p->gzip)
    return store_layer_export (p->s, p->diff_id, write, write_user, p->cancellable, error);
  g_autoptr(OciGzipWriter) gz = oci_gzip_writer_new (write, write_user);
  return store_layer_export (p->s, p->diff_id, gzip_sink, gz, p->cancellable, error)
         && oci_gzip_writer_finish (gz, error);
}

static const char *
gzip_media_type (const char *manifest_type)
{
  return g_strcmp0 (manifest_type, DOCKER_MT_MANIFEST) == 0 ? DOCKER_MT_LAYER_GZIP : OCI_MT_LAYER_GZIP;
}

gboolean
store_image_export (CtrStore *s, const char *rev, const OciLocation *dest,
                    const StoreExportOptions *opts, GCancellable *cancellable, GError **error)
{
  g_autofree char *commit = NULL;
  if (!store_resolve_revision (s, rev, NULL, &commit, error))
    return FALSE;
  return store_image_export_commit (s, commit, dest, opts, cancellable, error);
}

gboolean
store_image_export_commit (CtrStore *s, const char *commit, const OciLocation *dest,
                           const StoreExportOptions *opts, GCancellable *cancellable, GError **error)
{
  g_autoptr(StoreLock) lock = store_lock (s, FALSE, NULL, error);
  if (!lock)
    return FALSE;
  g_autoptr(StoreImage) img = store_image_load (s, commit, error);
  if (!img)
    return FALSE;
  g_autoptr(GBytes) manifest = store_image_manifest (s, img, error);
  g_autoptr(GBytes) config = store_image_config (s, img, error);
  if (!manifest || !config)
    return FALSE;
  g_autoptr(OciDest) d = NULL;
  if (!oci_dest_open (dest, &d, error))
    return FALSE;

  gboolean docker = oci_dest_wants_uncompressed_layers (d);
  g_autoptr(json_t) mjson = oci_json_load (g_bytes_get_data (manifest, NULL), g_bytes_get_size (manifest),
                                           OCI_LIMIT_MANIFEST_SIZE, error);
  if (!mjson)
    return FALSE;
  json_t *mlayers = json_object_get (mjson, "layers");
  gboolean changed = FALSE;
  guint n = img->diff_ids->len;
  g_autofree char **written = g_new0 (char *, n + 1);

  for (guint i = 0; i < n; i++)
    {
      const char *diff_id = img->diff_ids->pdata[i];
      const char *blob = img->blobs->pdata[i];
      gint64 blob_size = g_array_index (img->blob_sizes, gint64, i);
      g_autofree char *blob_path = store_blob_path (s, blob);
      Producer p = { s, diff_id, NULL, FALSE, cancellable };
      const char *want = NULL;
      gint64 want_size = -1;
      if (docker || g_str_equal (blob, diff_id))
        {
          want = diff_id;
          want_size = store_layer_tar_size (s, diff_id, NULL);
        }
      else if (!opts->from_files && g_file_test (blob_path, G_FILE_TEST_EXISTS))
        {
          p.blob_path = blob_path;
          want = blob;
          want_size = blob_size;
        }
      else
        p.gzip = TRUE;

      gint64 got_size = 0;
      if (!oci_dest_put_blob (d, want, want_size, produce_layer, &p, &written[i], &got_size, error))
        {
          g_strfreev (written);
          written = NULL;
          return g_prefix_error (error, "layer %u (%s): ", i + 1, diff_id), FALSE;
        }
      if (!docker && !g_str_equal (written[i], blob))
        {
          json_t *l = json_array_get (mlayers, i);
          json_object_set_new (l, "digest", json_string (written[i]));
          json_object_set_new (l, "size", json_integer (got_size));
          json_object_set_new (l, "mediaType", json_string (gzip_media_type (img->media_type)));
          changed = TRUE;
        }
    }

  g_autoptr(GBytes) out_manifest = NULL;
  if (changed)
    {
      gsize len = json_dumpb (mjson, NULL, 0, JSON_COMPACT | JSON_PRESERVE_ORDER);
      char *buf = g_malloc (len);
      json_dumpb (mjson, buf, len, JSON_COMPACT | JSON_PRESERVE_ORDER);
      out_manifest = g_bytes_new_take (buf, len);
    }
  else
    out_manifest = g_bytes_ref (manifest);

  const char *tag = dest->tag;
  if (docker && !tag)
    tag = img->reference;
  gboolean ok = oci_dest_finish (d, out_manifest, img->media_type, config, img->config_digest,
                                 written, tag, error);
  for (guint i = 0; i < n; i++)
    g_free (written[i]);
  return ok;
}
