/* oci/transport-read.c: opening images in OCI layouts, OCI archives and
 * docker archives.
 *
 * All three are "a set of named files": a directory, or a tar whose members
 * are indexed once (offset, size) so each blob is then read in place with
 * pread. Nothing is unpacked to a temporary directory.
 */
#include "oci/oci-transport.h"
#include "oci/oci-limits.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
  guint64 offset, size;
} Member;

struct OciSource {
  OciTransport transport;
  int dfd;              /* OCI layout directory */
  int afd;              /* archive file */
  GHashTable *members;  /* archive: cleaned path -> Member* */
  char *name;

  GBytes *manifest;
  char *manifest_digest;
  OciManifest *manifest_parsed;
  GBytes *config;
  char *config_digest;
  OciConfig *config_parsed;
  GPtrArray *layers;    /* OciSourceLayer* */
  GArray *layer_fds;    /* directory layouts: fds of the layer blobs */
};

void
oci_location_free (OciLocation *l)
{
  if (!l)
    return;
  g_free (l->path);
  g_free (l->tag);
  g_free (l);
}

gboolean
oci_location_parse (const char *text, OciLocation **out, GError **error)
{
  static const struct { const char *prefix; OciTransport t; } kinds[] = {
    { "oci:", OCI_TRANSPORT_OCI },
    { "oci-archive:", OCI_TRANSPORT_OCI_ARCHIVE },
    { "docker-archive:", OCI_TRANSPORT_DOCKER_ARCHIVE },
  };
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      if (!g_str_has_prefix (text, kinds[i].prefix))
        continue;
      const char *rest = text + strlen (kinds[i].prefix);
      g_autoptr(OciLocation) l = g_new0 (OciLocation, 1);
      l->transport = kinds[i].t;
      /* skopeo's rule: the path ends at the first ':' and the rest is the
       * tag or reference, which may itself hold ':' (name:tag). */
      const char *colon = strchr (rest, ':');
      if (colon)
        {
          l->path = g_strndup (rest, colon - rest);
          l->tag = g_strdup (colon + 1);
          if (!*l->tag)
            g_clear_pointer (&l->tag, g_free);
        }
      else
        l->path = g_strdup (rest);
      if (!*l->path)
        return g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID, "\"%s\": no path given", text), FALSE;
      *out = g_steal_pointer (&l);
      return TRUE;
    }
  if (g_str_has_prefix (text, "docker://"))
    return g_set_error (error, OCI_ERROR, OCI_ERROR_UNSUPPORTED,
                        "\"%s\": importing from a registry is not supported yet", text), FALSE;
  return g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID,
                      "\"%s\": unknown transport (use oci:DIR[:TAG], oci-archive:FILE[:TAG] "
                      "or docker-archive:FILE[:REF])", text), FALSE;
}

static void
source_layer_free (gpointer p)
{
  OciSourceLayer *l = p;
  g_free (l->media_type);
  g_free (l->digest);
  oci_landing_unref (l->range.landing);
  g_free (l);
}

void
oci_source_free (OciSource *s)
{
  if (!s)
    return;
  if (s->dfd >= 0)
    close (s->dfd);
  if (s->afd >= 0)
    close (s->afd);
  g_clear_pointer (&s->members, g_hash_table_unref);
  g_clear_pointer (&s->manifest, g_bytes_unref);
  g_clear_pointer (&s->manifest_parsed, oci_manifest_free);
  g_clear_pointer (&s->config, g_bytes_unref);
  g_clear_pointer (&s->config_parsed, oci_config_free);
  g_clear_pointer (&s->layers, g_ptr_array_unref);
  for (guint i = 0; s->layer_fds && i < s->layer_fds->len; i++)
    close (g_array_index (s->layer_fds, int, i));
  g_clear_pointer (&s->layer_fds, g_array_unref);
  g_free (s->manifest_digest);
  g_free (s->config_digest);
  g_free (s->name);
  g_free (s);
}

GBytes *oci_source_manifest (OciSource *s) { return s->manifest; }
const char *oci_source_manifest_digest (OciSource *s) { return s->manifest_digest; }
const OciManifest *oci_source_manifest_parsed (OciSource *s) { return s->manifest_parsed; }
GBytes *oci_source_config (OciSource *s) { return s->config; }
const char *oci_source_config_digest (OciSource *s) { return s->config_digest; }
const OciConfig *oci_source_config_parsed (OciSource *s) { return s->config_parsed; }
guint oci_source_n_layers (OciSource *s) { return s->layers->len; }
const OciSourceLayer *oci_source_layer (OciSource *s, guint i) { return s->layers->pdata[i]; }
const char *oci_source_name (OciSource *s) { return s->name; }

/* ---- named files: directory or indexed archive ------------------------- */

static gboolean
index_archive (OciSource *s, const char *path, GError **error)
{
  s->afd = open (path, O_RDONLY | O_CLOEXEC);
  if (s->afd < 0)
    return oci_throw_errno (error, "%s", path);
  s->members = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  OciFdRange r = { s->afd, 0, G_MAXUINT64 };
  g_autoptr(OciTarReader) tar = oci_tar_reader_new (oci_fd_range_read, &r, NULL, NULL);
  for (;;)
    {
      const OciTarEntry *e;
      if (!oci_tar_reader_next (tar, &e, error))
        return g_prefix_error (error, "%s: ", path), FALSE;
      if (!e)
        break;
      if (e->type != OCI_TAR_REGULAR)
        continue;
      g_autoptr(GError) local = NULL;
      char *clean = oci_tar_clean_path (e->path, &local);
      if (!clean)
        continue;   /* never looked up, so harmless */
      Member *m = g_new0 (Member, 1);
      m->offset = oci_tar_reader_data_offset (tar);
      m->size = e->size;
      g_hash_table_replace (s->members, clean, m);
    }
  return TRUE;
}

/* Finds a named file: its fd and byte range. */
static gboolean
find_file (OciSource *s, const char *name, OciFdRange *out, GError **error)
{
  /* Names come from the image's own JSON (docker-archive's manifest.json
   * names files freely): they stay inside the layout or archive. */
  g_autofree char *clean = oci_tar_clean_path (name, error);
  if (!clean)
    return FALSE;
  if (s->members)
    {
      Member *m = g_hash_table_lookup (s->members, clean);
      if (!m)
        return g_set_error (error, OCI_ERROR, OCI_ERROR_NOT_FOUND, "\"%s\" is not in the archive", name), FALSE;
      *out = (OciFdRange) { s->afd, m->offset, m->size };
      return TRUE;
    }
  int fd = openat (s->dfd, clean, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return g_set_error (error, OCI_ERROR, OCI_ERROR_NOT_FOUND, "\"%s\": %s", name, g_strerror (errno)), FALSE;
  struct stat st;
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      return g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID, "\"%s\" is not a regular file", name), FALSE;
    }
  *out = (OciFdRange) { fd, 0, st.st_size };
  return TRUE;
}

static GBytes *
read_file (OciSource *s, const char *name, gsize max, GError **error)
{
  OciFdRange r;
  if (!find_file (s, name, &r, error))
    return NULL;
  gboolean own_fd = !s->members;
  if (r.remaining > max)
    {
      if (own_fd)
        close (r.fd);
      return g_set_error (error, OCI_ERROR, OCI_ERROR_LIMIT,
                          "\"%s\" is %" G_GUINT64_FORMAT " bytes, over the limit of %" G_GSIZE_FORMAT,
                          name, r.remaining, max), NULL;
    }
  gsize len = r.remaining;
  g_autofree guint8 *buf = g_malloc (len + 1);
  gsize got = 0;
  while (got < len)
    {
      gssize n = oci_fd_range_read (&r, buf + got, len - got, error);
      if (n <= 0)
        {
          if (own_fd)
            close (r.fd);
          if (n == 0)
            g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID, "\"%s\": short read", name);
          return NULL;
        }
      got += n;
    }
  if (own_fd)
    close (r.fd);
  return g_bytes_new_take (g_steal_pointer (&buf), len);
}

static char *
blob_name (const char *digest)
{
  return g_strconcat ("blobs/sha256/", oci_digest_hex (digest), NULL);
}

/* A blob by digest, checked against the digest (small blobs only). */
static GBytes *
read_blob (OciSource *s, const char *digest, gsize max, GError **error)
{
  if (!oci_digest_validate (digest, error))
    return NULL;
  g_autofree char *name = blob_name (digest);
  g_autoptr(GBytes) b = read_file (s, name, max, error);
  if (!b)
    return NULL;
  g_autofree char *got = oci_digest_of_bytes (g_bytes_get_data (b, NULL), g_bytes_get_size (b));
  if (!g_str_equal (got, digest))
    return g_set_error (error, OCI_ERROR, OCI_ERROR_DIGEST_MISMATCH,
                        "blob %s hashes to %s", digest, got), NULL;
  return g_steal_pointer (&b);
}

static gboolean
load_config (OciSource *s, GBytes *config, GError **error)
{
  s->config = g_bytes_ref (config);
  s->config_digest = oci_digest_of_bytes (g_bytes_get_data (config, NULL), g_bytes_get_size (config));
  if (!oci_config_parse (g_bytes_get_data (config, NULL), g_bytes_get_size (config),
                         &s->config_parsed, error))
    return g_prefix_error (error, "config %s: ", s->config_digest), FALSE;
  return TRUE;
}

/* ---- OCI layouts (directory or archive) -------------------------------- */

static gboolean
ref_name_matches (const OciDescriptor *d, const char *tag)
{
  const char *n = d->annotations ? g_hash_table_lookup (d->annotations, "org.opencontainers.image.ref.name") : NULL;
  return n && g_str_equal (n, tag);
}

static gboolean
open_oci (OciSource *s, const OciLocation *loc, const OciPlatform *platform, GError **error)
{
  g_autoptr(GBytes) layout = read_file (s, "oci-layout", 4096, error);
  if (!layout)
    return g_prefix_error (error, "not an OCI layout: "), FALSE;
  g_autoptr(GBytes) idx_bytes = read_file (s, "index.json", OCI_LIMIT_INDEX_SIZE, error);
  if (!idx_bytes)
    return FALSE;
  g_autoptr(OciIndex) index = NULL;
  if (!oci_index_parse (g_bytes_get_data (idx_bytes, NULL), g_bytes_get_size (idx_bytes), &index, error))
    return g_prefix_error (error, "index.json: "), FALSE;

  const OciDescriptor *chosen = NULL;
  for (guint i = 0; i < index->manifests->len; i++)
    {
      const OciDescriptor *d = index->manifests->pdata[i];
      if (loc->tag ? ref_name_matches (d, loc->tag) : index->manifests->len == 1)
        chosen = d;
    }
  if (!chosen)
    {
      if (loc->tag)
        return g_set_error (error, OCI_ERROR, OCI_ERROR_NOT_FOUND,
                            "tag \"%s\" is not in %s", loc->tag, loc->path), FALSE;
      return g_set_error (error, OCI_ERROR, OCI_ERROR_NOT_FOUND,
                          "%s holds %u images: name one as oci:%s:TAG", loc->path,
                          index->manifests->len, loc->path), FALSE;
    }
  /* The image's name, when its ref.name is a whole reference (podman and
   * buildah write "localhost/app:v1"); skopeo and umoci write bare tags,
   * which name no repository. */
  const char *ref_name = chosen->annotations
      ? g_hash_table_lookup (chosen->annotations, "org.opencontainers.image.ref.name") : NULL;
  if (ref_name && strpbrk (ref_name, "/:"))
    s->name = g_strdup (ref_name);

  g_autoptr(OciDescriptor) desc = oci_descriptor_new (chosen->media_type, chosen->digest, chosen->size);
  g_autoptr(OciIndex) nested = NULL;
  /* Follow indexes (multi-platform images) down to one manifest. */
  for (int depth = 0;; depth++)
    {
      OciKind kind = oci_media_type_kind (desc->media_type);
      if (depth > 4)
        return g_set_error (error, OCI_ERROR, OCI_ERROR_LIMIT, "indexes nested too deep"), FALSE;
      g_autoptr(GBytes) b = read_blob (s, desc->digest, OCI_LIMIT_MANIFEST_SIZE, error);
      if (!b)
        return g_prefix_error (error, "manifest %s: ", desc->digest), FALSE;
      if (kind == OCI_KIND_UNKNOWN && !oci_document_kind (g_bytes_get_data (b, NULL), g_bytes_get_size (b), &kind, error))
        return FALSE;
      if (kind == OCI_KIND_INDEX)
        {
          g_clear_pointer (&nested, oci_index_free);
          if (!oci_index_parse (g_bytes_get_data (b, NULL), g_bytes_get_size (b), &nested, error))
            return g_prefix_error (error, "index %s: ", desc->digest), FALSE;
          g_autoptr(OciPlatform) host = platform ? NULL : oci_platform_host ();
          const OciDescriptor *pick = NULL;
          if (!oci_index_select (nested, platform ? platform : host, &pick, error))
            return FALSE;
          g_autoptr(OciDescriptor) next = oci_descriptor_new (pick->media_type, pick->digest, pick->size);
          oci_descriptor_free (desc);
          desc = g_steal_pointer (&next);
          continue;
        }
      if (kind == OCI_KIND_SCHEMA1)
        return g_set_error (error, OCI_ERROR, OCI_ERROR_UNSUPPORTED,
                            "docker schema1 manifests are not supported"), FALSE;
      if (kind != OCI_KIND_MANIFEST)
        return g_set_error (error, OCI_ERROR, OCI_ERROR_UNSUPPORTED,
                            "%s: media type \"%s\" is not an image manifest", desc->digest,
                            desc->media_type ? desc->media_type : "(none)"), FALSE;
      s->manifest = g_steal_pointer (&b);
      s->manifest_digest = g_strdup (desc->digest);
      break;
    }

  if (!oci_manifest_parse (g_bytes_get_data (s->manifest, NULL), g_bytes_get_size (s->manifest),
                          &s->manifest_parsed, error))
    return g_prefix_error (error, "manifest %s: ", s->manifest_digest), FALSE;
  const OciManifest *m = s->manifest_parsed;
  g_autoptr(GBytes) config = read_blob (s, m->config->digest, OCI_LIMIT_CONFIG_SIZE, error);
  if (!config)
    return g_prefix_error (error, "config: "), FALSE;
  if (!load_config (s, config, error))
    return FALSE;
  for (guint i = 0; i < m->layers->len; i++)
    {
      const OciDescriptor *d = m->layers->pdata[i];
      g_autofree char *name = blob_name (d->digest);
      OciSourceLayer *l = g_new0 (OciSourceLayer, 1);
      g_ptr_array_add (s->layers, l);
      l->media_type = g_strdup (d->media_type);
      l->digest = g_strdup (d->digest);
      l->size = d->size;
      if (!find_file (s, name, &l->range, error))
        return g_prefix_error (error, "layer %u: ", i + 1), FALSE;
      if (!s->members)
        g_array_append_val (s->layer_fds, l->range.fd);
    }
  return TRUE;
}

/* ---- docker archives ---------------------------------------------------- */

static gboolean
open_docker_archive (OciSource *s, const OciLocation *loc, GError **error)
{
  g_autoptr(GBytes) mj = read_file (s, "manifest.json", OCI_LIMIT_MANIFEST_SIZE, error);
  if (!mj)
    return g_prefix_error (error, "not a docker archive: "), FALSE;
  g_autoptr(json_t) root = oci_json_load (g_bytes_get_data (mj, NULL), g_bytes_get_size (mj),
                                          OCI_LIMIT_MANIFEST_SIZE, error);
  if (!root)
    return g_prefix_error (error, "manifest.json: "), FALSE;
  if (!json_is_array (root) || json_array_size (root) == 0)
    return g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID, "manifest.json: not a non-empty array"), FALSE;

  json_t *entry = NULL;
  const char *first_tag = NULL;
  for (size_t i = 0; i < json_array_size (root) && !entry; i++)
    {
      json_t *e = json_array_get (root, i);
      json_t *tags = json_object_get (e, "RepoTags");
      if (!loc->tag)
        {
          entry = json_array_size (root) == 1 ? e : NULL;
          if (json_is_array (tags) && json_is_string (json_array_get (tags, 0)))
            first_tag = json_string_value (json_array_get (tags, 0));
          continue;
        }
      for (size_t j = 0; json_is_array (tags) && j < json_array_size (tags); j++)
        {
          const char *t = json_string_value (json_array_get (tags, j));
          if (t && (g_str_equal (t, loc->tag) || (g_str_has_suffix (t, loc->tag) && t[strlen (t) - strlen (loc->tag) - 1] == '/')))
            {
              entry = e;
              first_tag = t;
            }
        }
    }
  if (!entry)
    return g_set_error (error, OCI_ERROR, OCI_ERROR_NOT_FOUND, loc->tag ?
                        "\"%s\" is not in the archive" : "the archive holds several images: name one as docker-archive:FILE:%s",
                        loc->tag ? loc->tag : "REF"), FALSE;
  s->name = g_strdup (first_tag);

  const char *config_name = json_string_value (json_object_get (entry, "Config"));
  json_t *layers = json_object_get (entry, "Layers");
  if (!config_name || !json_is_array (layers))
    return g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID,
                        "manifest.json: entry lacks \"Config\" or \"Layers\""), FALSE;
  if (json_array_size (layers) > OCI_LIMIT_LAYERS)
    return g_set_error (error, OCI_ERROR, OCI_ERROR_LIMIT, "more than %d layers", OCI_LIMIT_LAYERS), FALSE;
  g_autoptr(GBytes) config = read_file (s, config_name, OCI_LIMIT_CONFIG_SIZE, error);
  if (!config || !load_config (s, config, error))
    return FALSE;
  for (size_t i = 0; i < json_array_size (layers); i++)
    {
      const char *name = json_string_value (json_array_get (layers, i));
      if (!name)
        return g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID, "manifest.json: Layers[%zu] is not a string", i), FALSE;
      OciSourceLayer *l = g_new0 (OciSourceLayer, 1);
      g_ptr_array_add (s->layers, l);
      l->size = -1;
      if (!find_file (s, name, &l->range, error))
        return FALSE;
      if (!s->members)
        g_array_append_val (s->layer_fds, l->range.fd);
    }
  return TRUE;
}

gboolean
oci_source_synthesize_manifest (OciSource *s, char **digests, gint64 *sizes,
                                OciCompression *compressions, GError **error)
{
  g_autoptr(OciManifest) m = g_new0 (OciManifest, 1);
  m->media_type = g_strdup (OCI_MT_IMAGE_MANIFEST);
  m->config = oci_descriptor_new (OCI_MT_IMAGE_CONFIG, s->config_digest, g_bytes_get_size (s->config));
  m->layers = g_ptr_array_new_with_free_func ((GDestroyNotify) oci_descriptor_free);
  for (guint i = 0; i < s->layers->len; i++)
    {
      const char *mt = compressions[i] == OCI_COMPRESSION_GZIP ? OCI_MT_LAYER_GZIP
                       : compressions[i] == OCI_COMPRESSION_ZSTD ? OCI_MT_LAYER_ZSTD : OCI_MT_LAYER_TAR;
      g_ptr_array_add (m->layers, oci_descriptor_new (mt, digests[i], sizes[i]));
    }
  s->manifest = oci_manifest_serialize (m);
  s->manifest_digest = oci_digest_of_bytes (g_bytes_get_data (s->manifest, NULL),
                                            g_bytes_get_size (s->manifest));
  s->manifest_parsed = g_steal_pointer (&m);
  return TRUE;
}

gboolean
oci_source_new_from_parts (GBytes *manifest, const char *manifest_digest, GBytes *config,
                           const char *name, OciSource **out, GError **error)
{
  g_autoptr(OciSource) s = g_new0 (OciSource, 1);
  s->dfd = s->afd = -1;
  s->transport = OCI_TRANSPORT_OCI;
  s->layers = g_ptr_array_new_with_free_func (source_layer_free);
  s->layer_fds = g_array_new (FALSE, FALSE, sizeof (int));
  s->name = g_strdup (name);
  s->manifest = g_bytes_ref (manifest);
  s->manifest_digest = g_strdup (manifest_digest);
  if (!oci_manifest_parse (g_bytes_get_data (manifest, NULL), g_bytes_get_size (manifest),
                           &s->manifest_parsed, error))
    return g_prefix_error (error, "manifest %s: ", manifest_digest), FALSE;
  if (!load_config (s, config, error))
    return FALSE;
  if (!g_str_equal (s->config_digest, s->manifest_parsed->config->digest))
    return g_set_error (error, OCI_ERROR, OCI_ERROR_DIGEST_MISMATCH, "config hashes to %s, the manifest says %s",
                        s->config_digest, s->manifest_parsed->config->digest), FALSE;
  for (guint i = 0; i < s->manifest_parsed->layers->len; i++)
    {
      const OciDescriptor *d = s->manifest_parsed->layers->pdata[i];
      OciSourceLayer *l = g_new0 (OciSourceLayer, 1);
      l->media_type = g_strdup (d->media_type);
      l->digest = g_strdup (d->digest);
      l->size = d->size;
      l->range = (OciFdRange) { -1, 0, d->size };
      g_ptr_array_add (s->layers, l);
    }
  *out = g_steal_pointer (&s);
  return TRUE;
}

void
oci_source_set_layer_fd (OciSource *s, guint i, int fd, OciLanding *landing)
{
  OciSourceLayer *l = s->layers->pdata[i];
  l->range.fd = fd;
  l->range.landing = landing ? oci_landing_ref (landing) : NULL;
  l->fd_is_unlinked_blob = TRUE;
  g_array_append_val (s->layer_fds, fd);
}

gboolean
oci_source_open (const OciLocation *loc, const OciPlatform *platform, OciSource **out, GError **error)
{
  g_autoptr(OciSource) s = g_new0 (OciSource, 1);
  s->dfd = s->afd = -1;
  s->transport = loc->transport;
  s->layers = g_ptr_array_new_with_free_func (source_layer_free);
  s->layer_fds = g_array_new (FALSE, FALSE, sizeof (int));
  if (loc->transport == OCI_TRANSPORT_OCI)
    {
      s->dfd = open (loc->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (s->dfd < 0)
        return oci_throw_errno (error, "%s", loc->path);
    }
  else if (!index_archive (s, loc->path, error))
    return FALSE;

  gboolean ok = loc->transport == OCI_TRANSPORT_DOCKER_ARCHIVE
                ? open_docker_archive (s, loc, error)
                : open_oci (s, loc, platform, error);
  if (!ok)
    return FALSE;
  *out = g_steal_pointer (&s);
  return TRUE;
}
