/* oci/oci-transport.h: images in files, named as skopeo names them.
 *
 * Part of the oci module (see oci.h). Sources: `oci:DIR[:TAG]`,
 * `oci-archive:FILE[:TAG]`, `docker-archive:FILE[:REF]`. Every blob is handed
 * out as a byte range of an open file, so the store streams it once; archives
 * are indexed, never unpacked to disk.
 */
#pragma once

#include "oci/oci.h"
#include "oci/oci-stream.h"

G_BEGIN_DECLS

typedef enum {
  OCI_TRANSPORT_OCI,
  OCI_TRANSPORT_OCI_ARCHIVE,
  OCI_TRANSPORT_DOCKER_ARCHIVE,
} OciTransport;

typedef struct {
  OciTransport transport;
  char *path;
  char *tag;     /* oci: tag, docker-archive: reference; NULL when not given */
} OciLocation;

/* "oci:./dir:v1" -> transport, path, tag. As skopeo does, the path ends at
 * the first ':' and the tag or reference is the rest (oci:DIR:TAG). */
gboolean oci_location_parse (const char *text, OciLocation **out, GError **error);
void oci_location_free (OciLocation *l);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OciLocation, oci_location_free)

typedef struct {
  char *media_type;
  char *digest;     /* NULL when the source does not know it (docker-archive) */
  gint64 size;      /* -1 when unknown */
  OciFdRange range; /* where its bytes are */
  /* range.fd is an unlinked file that holds exactly this blob, its own to
   * give away: a consumer that keeps blobs may link it in under the digest
   * it verified instead of copying the bytes. */
  gboolean fd_is_unlinked_blob;
} OciSourceLayer;

typedef struct OciSource OciSource;

/* Opens an image in a file-based location. platform picks from an index
 * (NULL: this machine's). */
gboolean oci_source_open (const OciLocation *loc, const OciPlatform *platform,
                          OciSource **out, GError **error);
/* The manifest as found (NULL for docker-archive until synthesised). */
GBytes *oci_source_manifest (OciSource *s);
const char *oci_source_manifest_digest (OciSource *s);
/* The manifest parsed (NULL when oci_source_manifest is). */
const OciManifest *oci_source_manifest_parsed (OciSource *s);
GBytes *oci_source_config (OciSource *s);
const char *oci_source_config_digest (OciSource *s);
const OciConfig *oci_source_config_parsed (OciSource *s);
guint oci_source_n_layers (OciSource *s);
const OciSourceLayer *oci_source_layer (OciSource *s, guint i);
/* The image's own reference, if it names one: an OCI ref.name that is a
 * whole reference ("localhost/app:v1", not a bare tag), or a docker
 * archive's RepoTag. NULL otherwise. */
const char *oci_source_name (OciSource *s);
/* A source whose manifest and config came from elsewhere (a registry):
 * layers are set one by one with oci_source_set_layer_fd; a layer left
 * without one must already be in the store. */
gboolean oci_source_new_from_parts (GBytes *manifest, const char *manifest_digest, GBytes *config,
                                    const char *name, OciSource **out, GError **error);
/* The source takes the fd (closed with the source), an unlinked file
 * holding exactly the layer's blob (a download); with a landing, one still
 * being written, which reads wait for. */
void oci_source_set_layer_fd (OciSource *s, guint i, int fd, OciLanding *landing);
/* For sources without a manifest (docker-archive): build an OCI manifest
 * from the layer digests and sizes found while reading them. */
gboolean oci_source_synthesize_manifest (OciSource *s, char **digests, gint64 *sizes,
                                         OciCompression *compressions, GError **error);
void oci_source_free (OciSource *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OciSource, oci_source_free)

/* ---- destinations ------------------------------------------------------ */

typedef struct OciDest OciDest;

gboolean oci_dest_open (const OciLocation *loc, OciDest **out, GError **error);
/* docker-archive keeps layers uncompressed, as docker save does. */
gboolean oci_dest_wants_uncompressed_layers (OciDest *d);
/* Writes one blob. If digest and size are known they are used as given and
 * checked at the end; else (digest NULL) the blob is spooled and named by
 * the digest computed, which is returned in *out_digest. */
typedef gboolean (*OciBlobProducer) (void *user, OciWriteFunc write, void *write_user, GError **error);
gboolean oci_dest_put_blob (OciDest *d, const char *digest, gint64 size,
                            OciBlobProducer produce, void *user,
                            char **out_digest, gint64 *out_size, GError **error);
/* Finishes: manifest (OCI) or manifest.json (docker-archive) naming tag. */
gboolean oci_dest_finish (OciDest *d, GBytes *manifest, const char *manifest_media_type,
                          GBytes *config, const char *config_digest,
                          char **layer_files_digests, const char *tag, GError **error);
void oci_dest_free (OciDest *d);
/* Removes a directory tree of ours (symlinks removed, never followed). */
void oci_rm_tree (const char *path);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OciDest, oci_dest_free)

G_END_DECLS
