/* oci/transport-write.c: writing images to OCI layouts, OCI archives and
 * docker archives.
 *
 * An OCI layout is written in place: blobs first (each renamed into place
 * once its digest is checked), index.json last and atomically, so a reader
 * never sees a tag whose blobs are missing. Archives are staged as a layout
 * beside the target file and then written as one tar by libarchive.
 */
#include "oci/oci-transport.h"
#include "oci/oci-limits.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct OciDest {
  OciLocation *loc;
  char *dir;          /* the layout, or the staging dir of an archive */
  gboolean staging;
};



gboolean
oci_dest_open (const OciLocation *loc, OciDest **out, GError **error)
{
  g_autoptr(OciDest) d = g_new0 (OciDest, 1);
  d->loc = g_new0 (OciLocation, 1);
  d->loc->transport = loc->transport;
  d->loc->path = g_strdup (loc->path);
  d->loc->tag = g_strdup (loc->tag);
  if (loc->transport == OCI_TRANSPORT_OCI)
    {
      d->dir = g_strdup (loc->path);
      if (g_mkdir_with_parents (d->dir, 0755) < 0)
        return oci_throw_errno (error, "mkdir %s", d->dir);
    }
  else
    {
      g_autofree char *parent = g_path_get_dirname (loc->path);
      d->dir = g_build_filename (parent, ".ctrgit-export-XXXXXX", NULL);
      if (!g_mkdtemp (d->dir))
        return oci_throw_errno (error, "mkdtemp %s", d->dir);
      d->staging = TRUE;
    }
  g_autofree char *blobs = g_build_filename (d->dir, "blobs", "sha256", NULL);
  if (loc->transport != OCI_TRANSPORT_DOCKER_ARCHIVE && g_mkdir_with_parents (blobs, 0755) < 0)
    return oci_throw_errno (error, "mkdir %s", blobs);
  *out = g_steal_pointer (&d);
  return TRUE;
}

void
oci_rm_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *n;
  while (dir && (n = g_dir_read_name (dir)))
    {
      g_autofree char *p = g_build_filename (path, n, NULL);
      if (g_file_test (p, G_FILE_TEST_IS_DIR) && !g_file_test (p, G_FILE_TEST_IS_SYMLINK))
        oci_rm_tree (p);
      else
        unlink (p);
    }
  rmdir (path);
}

void
oci_dest_free (OciDest *d)
{
  if (!d)
    return;
  if (d->staging && d->dir)
    oci_rm_tree (d->dir);
  g_free (d->dir);
  oci_location_free (d->loc);
  g_free (d);
}

gboolean
oci_dest_wants_uncompressed_layers (OciDest *d)
{
  return d->loc->transport == OCI_TRANSPORT_DOCKER_ARCHIVE;
}

typedef struct {
  int fd;
  OciSha256 *sha;
  gint64 n;
  const char *path;
} Spool;

static gboolean
spool_write (void *user, const void *buf, gsize len, GError **error)
{
  Spool *sp = user;
  const guint8 *p = buf;
  oci_sha256_update (sp->sha, buf, len);
  sp->n += len;
  while (len > 0)
    {
      gssize w = write (sp->fd, p, len);
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        return oci_throw_errno (error, "write %s", sp->path);
      p += w;
      len -= w;
    }
  return TRUE;
}

static char *
blob_file (OciDest *d, const char *digest)
{
  if (d->loc->transport == OCI_TRANSPORT_DOCKER_ARCHIVE)
    return NULL;
  return g_build_filename (d->dir, "blobs", "sha256", oci_digest_hex (digest), NULL);
}

gboolean
oci_dest_put_blob (OciDest *d, const char *digest, gint64 size, OciBlobProducer produce,
                   void *user, char **out_digest, gint64 *out_size, GError **error)
{
  if (digest)
    {
      g_autofree char *final = blob_file (d, digest);
      if (final && g_file_test (final, G_FILE_TEST_EXISTS))
        {
          if (out_digest)
            *out_digest = g_strdup (digest);
          if (out_size)
            *out_size = size;
          return TRUE;   /* content-addressed: the same name is the same bytes */
        }
    }
  g_autofree char *tmp = g_build_filename (d->dir, ".tmp-blob-XXXXXX", NULL);
  Spool sp = { .sha = oci_sha256_new (), .path = tmp };
  sp.fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0644);
  if (sp.fd < 0)
    {
      oci_sha256_free (sp.sha);
      return oci_throw_errno (error, "create %s", tmp);
    }
  gboolean ok = produce (user, spool_write, &sp, error);
  g_autofree char *got = oci_sha256_finish (sp.sha);
  oci_sha256_free (sp.sha);
  close (sp.fd);
  if (ok && digest && !g_str_equal (digest, got))
    ok = (g_set_error (error, OCI_ERROR, OCI_ERROR_DIGEST_MISMATCH,
                       "blob %s written as %s", digest, got), FALSE);
  if (ok)
    {
      g_autofree char *final = blob_file (d, got);
      if (!final)   /* docker-archive: layers are named by their digest */
        final = g_strdup_printf ("%s/%s.tar", d->dir, oci_digest_hex (got));
      if (rename (tmp, final) < 0)
        ok = oci_throw_errno (error, "rename %s", final);
    }
  if (!ok)
    {
      unlink (tmp);
      return FALSE;
    }
  if (out_digest)
    *out_digest = g_steal_pointer (&got);
  if (out_size)
    *out_size = sp.n;
  return TRUE;
}

static gboolean
put_small_blob (OciDest *d, GBytes *b, const char *digest, GError **error)
{
  g_autofree char *path = blob_file (d, digest);
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;
  return g_file_set_contents (path, g_bytes_get_data (b, NULL), g_bytes_get_size (b), error);
}

/* index.json keeps other tags; an entry with the same ref.name is replaced,
 * as skopeo and umoci do. */
static gboolean
update_index (OciDest *d, GBytes *manifest, const char *media_type, const char *digest,
              const char *tag, GError **error)
{
  g_autofree char *index_path = g_build_filename (d->dir, "index.json", NULL);
  g_autoptr(json_t) index = NULL;
  g_autofree char *text = NULL;
  gsize len;
  if (g_file_get_contents (index_path, &text, &len, NULL))
    {
      index = oci_json_load (text, len, OCI_LIMIT_INDEX_SIZE, error);
      if (!index)
        return g_prefix_error (error, "%s: ", index_path), FALSE;
    }
  else
    index = json_pack ("{s:i, s:[]}", "schemaVersion", 2, "manifests");
  if (!json_object_get (index, "mediaType"))
    json_object_set_new (index, "mediaType", json_string (OCI_MT_IMAGE_INDEX));
  json_t *list = json_object_get (index, "manifests");
  if (!json_is_array (list))
    return g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID, "%s: no manifests array", index_path), FALSE;
  for (size_t i = json_array_size (list); tag && i > 0; i--)
    {
      json_t *e = json_array_get (list, i - 1);
      const char *n = json_string_value (json_object_get (json_object_get (e, "annotations"),
                                                          "org.opencontainers.image.ref.name"));
      if (n && g_str_equal (n, tag))
        json_array_remove (list, i - 1);
    }
  json_t *entry = json_pack ("{s:s, s:s, s:I}", "mediaType", media_type, "digest", digest,
                             "size", (json_int_t) g_bytes_get_size (manifest));
  if (tag)
    json_object_set_new (entry, "annotations",
                         json_pack ("{s:s}", "org.opencontainers.image.ref.name", tag));
  json_array_append_new (list, entry);
  g_autofree char *out = json_dumps (index, JSON_COMPACT | JSON_PRESERVE_ORDER);
  g_autofree char *layout_path = g_build_filename (d->dir, "oci-layout", NULL);
  const char *layout = "{\"imageLayoutVersion\":\"" OCI_MT_LAYOUT_VERSION "\"}";
  return g_file_set_contents (layout_path, layout, strlen (layout), error)
         && g_file_set_contents (index_path, out, strlen (out), error);
}

static gboolean
write_docker_manifest (OciDest *d, const char *config_digest, GBytes *config,
                       char **layer_digests, const char *tag, GError **error)
{
  g_autofree char *config_name = g_strdup_printf ("%s.json", oci_digest_hex (config_digest));
  g_autofree char *config_path = g_build_filename (d->dir, config_name, NULL);
  if (!g_file_set_contents (config_path, g_bytes_get_data (config, NULL), g_bytes_get_size (config), error))
    return FALSE;
  json_t *layers = json_array ();
  for (char **l = layer_digests; *l; l++)
    json_array_append_new (layers, json_sprintf ("%s.tar", oci_digest_hex (*l)));
  json_t *tags = json_array ();
  if (tag)
    json_array_append_new (tags, json_string (tag));
  g_autoptr(json_t) m = json_pack ("[{s:s, s:o, s:o}]", "Config", config_name, "RepoTags", tags,
                                   "Layers", layers);
  g_autofree char *text = json_dumps (m, JSON_COMPACT | JSON_PRESERVE_ORDER);
  g_autofree char *path = g_build_filename (d->dir, "manifest.json", NULL);
  return g_file_set_contents (path, text, strlen (text), error);
}

static gint
name_cmp (gconstpointer a, gconstpointer b)
{
  /* g_ptr_array_sort hands pointers to the elements */
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* Sorted names and zero mtimes: the same image gives the same archive. */
static gboolean
archive_add_tree (struct archive *a, const char *root, const char *rel, GError **error)
{
  g_autofree char *dirpath = *rel ? g_build_filename (root, rel, NULL) : g_strdup (root);
  g_autoptr(GDir) dir = g_dir_open (dirpath, 0, error);
  if (!dir)
    return FALSE;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *n;
  while ((n = g_dir_read_name (dir)))
    g_ptr_array_add (names, g_strdup (n));
  g_ptr_array_sort (names, name_cmp);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = names->pdata[i];
      g_autofree char *relpath = *rel ? g_build_filename (rel, name, NULL) : g_strdup (name);
      g_autofree char *full = g_build_filename (root, relpath, NULL);
      struct stat st;
      if (lstat (full, &st) < 0)
        return oci_throw_errno (error, "stat %s", full);
      struct archive_entry *e = archive_entry_new ();
      archive_entry_set_pathname (e, relpath);
      archive_entry_set_mtime (e, 0, 0);
      if (S_ISDIR (st.st_mode))
        {
          archive_entry_set_filetype (e, AE_IFDIR);
          archive_entry_set_perm (e, 0755);
          if (archive_write_header (a, e) != ARCHIVE_OK)
            {
              archive_entry_free (e);
              return g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID, "archive: %s", archive_error_string (a)), FALSE;
            }
          archive_entry_free (e);
          if (!archive_add_tree (a, root, relpath, error))
            return FALSE;
          continue;
        }
      archive_entry_set_filetype (e, AE_IFREG);
      archive_entry_set_perm (e, 0644);
      archive_entry_set_size (e, st.st_size);
      int r = archive_write_header (a, e);
      archive_entry_free (e);
      if (r != ARCHIVE_OK)
        return g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID, "archive: %s", archive_error_string (a)), FALSE;
      int fd = open (full, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        return oci_throw_errno (error, "open %s", full);
      g_autofree char *buf = g_malloc (256 * 1024);
      gssize got;
      while ((got = read (fd, buf, 256 * 1024)) > 0)
        if (archive_write_data (a, buf, got) != got)
          {
            close (fd);
            return g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID, "archive: %s", archive_error_string (a)), FALSE;
          }
      close (fd);
      if (got < 0)
        return oci_throw_errno (error, "read %s", full);
    }
  return TRUE;
}

static gboolean
write_archive (OciDest *d, GError **error)
{
  g_autofree char *tmp = g_strconcat (d->loc->path, ".tmp", NULL);
  struct archive *a = archive_write_new ();
  archive_write_set_format_pax_restricted (a);
  gboolean ok = archive_write_open_filename (a, tmp) == ARCHIVE_OK;
  if (!ok)
    g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID, "%s: %s", tmp, archive_error_string (a));
  if (ok)
    ok = archive_add_tree (a, d->dir, "", error);
  if (ok && archive_write_close (a) != ARCHIVE_OK)
    ok = (g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID, "%s: %s", tmp, archive_error_string (a)), FALSE);
  archive_write_free (a);
  if (ok && rename (tmp, d->loc->path) < 0)
    ok = oci_throw_errno (error, "rename %s", d->loc->path);
  if (!ok)
    unlink (tmp);
  return ok;
}

gboolean
oci_dest_finish (OciDest *d, GBytes *manifest, const char *manifest_media_type,
                 GBytes *config, const char *config_digest, char **layer_digests,
                 const char *tag, GError **error)
{
  if (!tag)
    tag = d->loc->tag;
  if (d->loc->transport == OCI_TRANSPORT_DOCKER_ARCHIVE)
    {
      if (!write_docker_manifest (d, config_digest, config, layer_digests, tag, error))
        return FALSE;
    }
  else
    {
      g_autofree char *mdigest = oci_digest_of_bytes (g_bytes_get_data (manifest, NULL),
                                                      g_bytes_get_size (manifest));
      if (!put_small_blob (d, config, config_digest, error)
          || !put_small_blob (d, manifest, mdigest, error)
          || !update_index (d, manifest, manifest_media_type, mdigest, tag, error))
        return FALSE;
    }
  return d->staging ? write_archive (d, error) : TRUE;
}
