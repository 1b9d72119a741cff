/* oci/oci.h: the formats of container images, and nothing that stores them.
 *
 * Owns: image references (docker/podman spelling and normalisation), digests,
 * media types, the JSON documents (manifest, index, config) with their limits,
 * the tar stream reader used for layers and for outer archives, layer
 * (de)compression streams, and the transports that read and write images in
 * files: `oci:DIR[:TAG]`, `oci-archive:FILE[:TAG]`, `docker-archive:FILE[:REF]`.
 *
 * Does not own: where images are kept (store/), containers (crawler/), the
 * terminal (cmd/). Nothing here prints or exits; failures are GErrors in
 * OCI_ERROR whose message says what and where.
 */
#pragma once

#include <glib.h>
#include <gio/gio.h>
#include <jansson.h>
#include <stdint.h>

G_BEGIN_DECLS

/* ---- errors ------------------------------------------------------------ */

#define OCI_ERROR (oci_error_quark ())
GQuark oci_error_quark (void);

typedef enum {
  OCI_ERROR_INVALID,         /* malformed input: bad JSON, bad reference, bad tar */
  OCI_ERROR_UNSUPPORTED,     /* well-formed but not something we handle (schema1, xz) */
  OCI_ERROR_NOT_FOUND,       /* tag, blob or platform absent */
  OCI_ERROR_LIMIT,           /* a named limit of oci-limits.h was exceeded */
  OCI_ERROR_DIGEST_MISMATCH, /* content does not hash to what was promised */
  OCI_ERROR_UNSAFE,          /* path traversal, links out of the root, and such */
} OciErrorCode;

/* Sets a G_IO_ERROR from errno: "MESSAGE: strerror". Returns FALSE. */
gboolean oci_throw_errno (GError **error, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

/* ---- automatic cleanup for the C libraries we use ---------------------- */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (json_t, json_decref)

/* ---- digests ----------------------------------------------------------- */

/* "sha256:" + 64 lowercase hex characters; the only algorithm we accept. */
#define OCI_DIGEST_PREFIX "sha256:"
#define OCI_DIGEST_LEN (7 + 64)

gboolean oci_digest_validate (const char *digest, GError **error);
/* The hex part of a digest that passed oci_digest_validate. */
const char *oci_digest_hex (const char *digest);
/* "sha256:<hex>" of a buffer. */
char *oci_digest_of_bytes (const void *buf, gsize len);
/* Lowercase hex of 32 raw bytes into out[65]. */
void oci_hex_encode (const guint8 raw[32], char out[65]);

/* Incremental SHA-256 (oci/sha256.c): on the CPU's SHA instructions where
 * it has them, else OpenSSL's EVP. */
typedef struct OciSha256 OciSha256;
OciSha256 *oci_sha256_new (void);
void oci_sha256_update (OciSha256 *h, const void *buf, gsize len);
/* The same bytes into two hashes at once, in about the time of one on the
 * SHA instructions; a and b may be at any offset of their messages. */
void oci_sha256_update_both (OciSha256 *a, OciSha256 *b, const void *buf, gsize len);
/* Finishes and returns "sha256:<hex>"; h may be reset and reused after. */
char *oci_sha256_finish (OciSha256 *h);
void oci_sha256_finish_raw (OciSha256 *h, guint8 out[32]);
void oci_sha256_reset (OciSha256 *h);
void oci_sha256_free (OciSha256 *h);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OciSha256, oci_sha256_free)
/* For tests and benchmarks: FALSE puts every hash made from now on through
 * OpenSSL; TRUE back on the SHA instructions if the CPU has them, which
 * it returns. Contexts made before keep their kind. */
gboolean oci_sha256_set_accelerated (gboolean on);

/* ---- references -------------------------------------------------------- */

/* An image reference as docker and podman write it.  `debian:bookworm` is
 * docker.io/library/debian:bookworm when pulled; when naming a local image
 * (import, tag), a reference without a registry is localhost/NAME, as podman
 * does.  The caller says which default applies. */
typedef struct {
  char *domain;    /* "docker.io", "localhost", "registry.local:5000" */
  char *path;      /* "library/debian", "myapp" */
  char *tag;       /* "bookworm"; NULL when only a digest was given */
  char *digest;    /* "sha256:..." or NULL */
  gboolean domain_given; /* the user wrote a domain */
} OciRef;

typedef enum {
  OCI_REF_DEFAULT_DOCKER_IO,  /* pull: debian -> docker.io/library/debian */
  OCI_REF_DEFAULT_LOCALHOST,  /* local name: myapp -> localhost/myapp */
} OciRefDefault;

/* Parses and normalises; adds tag "latest" when neither tag nor digest given. */
gboolean oci_ref_parse (const char *text, OciRefDefault dflt, OciRef **out, GError **error);
/* Full form: "docker.io/library/debian:bookworm", "localhost/a@sha256:..",
 * "host/a:t@sha256:..". */
char *oci_ref_to_string (const OciRef *ref);
/* The repository without tag or digest: "docker.io/library/debian". */
char *oci_ref_repository (const OciRef *ref);
/* What docker prints: "debian:bookworm", "localhost/myapp:v1" stays as is. */
char *oci_ref_familiar (const OciRef *ref);
OciRef *oci_ref_copy (const OciRef *ref);
void oci_ref_free (OciRef *ref);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OciRef, oci_ref_free)

/* ---- media types ------------------------------------------------------- */

#define OCI_MT_IMAGE_INDEX     "application/vnd.oci.image.index.v1+json"
#define OCI_MT_IMAGE_MANIFEST  "application/vnd.oci.image.manifest.v1+json"
#define OCI_MT_IMAGE_CONFIG    "application/vnd.oci.image.config.v1+json"
#define OCI_MT_LAYER_TAR       "application/vnd.oci.image.layer.v1.tar"
#define OCI_MT_LAYER_GZIP      "application/vnd.oci.image.layer.v1.tar+gzip"
#define OCI_MT_LAYER_ZSTD      "application/vnd.oci.image.layer.v1.tar+zstd"
#define OCI_MT_LAYOUT_VERSION  "1.0.0"
#define DOCKER_MT_MANIFEST_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define DOCKER_MT_MANIFEST     "application/vnd.docker.distribution.manifest.v2+json"
#define DOCKER_MT_MANIFEST_V1  "application/vnd.docker.distribution.manifest.v1+json"
#define DOCKER_MT_MANIFEST_V1_SIGNED "application/vnd.docker.distribution.manifest.v1+prettyjws"
#define DOCKER_MT_CONFIG       "application/vnd.docker.container.image.v1+json"
#define DOCKER_MT_LAYER_GZIP   "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define DOCKER_MT_LAYER_FOREIGN "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"

typedef enum {
  OCI_KIND_UNKNOWN,
  OCI_KIND_INDEX,      /* OCI index or docker manifest list */
  OCI_KIND_MANIFEST,   /* OCI or docker schema2 image manifest */
  OCI_KIND_SCHEMA1,    /* docker schema1: recognised only to be refused clearly */
  OCI_KIND_CONFIG,
  OCI_KIND_LAYER,
} OciKind;

OciKind oci_media_type_kind (const char *media_type);

/* ---- JSON documents ---------------------------------------------------- */

typedef struct {
  char *os;
  char *architecture;
  char *variant;      /* NULL when absent */
  char *os_version;   /* NULL when absent */
} OciPlatform;

typedef struct {
  char *media_type;
  char *digest;
  gint64 size;
  OciPlatform *platform;      /* index entries only; NULL otherwise */
  GHashTable *annotations;    /* char* -> char*; NULL when absent */
} OciDescriptor;

typedef struct {
  char *media_type;           /* as found (may be NULL for OCI, which makes it optional) */
  OciDescriptor *config;
  GPtrArray *layers;          /* OciDescriptor* */
  GHashTable *annotations;
} OciManifest;

typedef struct {
  char *media_type;
  GPtrArray *manifests;       /* OciDescriptor* */
} OciIndex;

typedef struct {
  char *architecture;
  char *os;
  char *variant;
  char *created;              /* RFC 3339 or NULL */
  GPtrArray *diff_ids;        /* char* "sha256:..." */
  json_t *root;               /* the whole document, for show/inspect */
} OciConfig;

/* Parsers check size, nesting depth, types and required fields, and refuse
 * unknown media types; the error message names the field. */
gboolean oci_manifest_parse (const void *buf, gsize len, OciManifest **out, GError **error);
gboolean oci_index_parse (const void *buf, gsize len, OciIndex **out, GError **error);
gboolean oci_config_parse (const void *buf, gsize len, OciConfig **out, GError **error);
/* The kind of a manifest-or-index document, from its mediaType field or, when
 * absent, its shape (OCI makes mediaType optional). */
gboolean oci_document_kind (const void *buf, gsize len, OciKind *out, GError **error);
/* json_loadb with our limits: size, nesting depth, no duplicate keys. */
json_t *oci_json_load (const void *buf, gsize len, gsize max_size, GError **error);

/* Serialise a manifest as compact JSON with keys in the order docker and
 * skopeo write them, so a synthesised manifest has a stable digest. */
GBytes *oci_manifest_serialize (const OciManifest *m);

void oci_platform_free (OciPlatform *p);
OciPlatform *oci_platform_copy (const OciPlatform *p);
/* This machine: linux/amd64, linux/arm64/v8 ... */
OciPlatform *oci_platform_host (void);
/* "linux/arm64/v8" -> platform; "linux/amd64" */
gboolean oci_platform_parse (const char *text, OciPlatform **out, GError **error);
char *oci_platform_to_string (const OciPlatform *p);
/* Picks the manifest for want from an index (variant defaults as in
 * containerd: arm64 -> v8, arm -> v7). */
gboolean oci_index_select (const OciIndex *index, const OciPlatform *want,
                           const OciDescriptor **out, GError **error);

OciDescriptor *oci_descriptor_new (const char *media_type, const char *digest, gint64 size);
void oci_descriptor_free (OciDescriptor *d);
void oci_manifest_free (OciManifest *m);
void oci_index_free (OciIndex *i);
void oci_config_free (OciConfig *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OciPlatform, oci_platform_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OciDescriptor, oci_descriptor_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OciManifest, oci_manifest_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OciIndex, oci_index_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OciConfig, oci_config_free)

/* ---- additions: helpers and constructors ------------------------------- */

/* For error messages that show untrusted text: the text in double quotes,
 * with quotes, backslashes, control and non-ASCII bytes escaped, cut after
 * 80 bytes with "...". NULL gives "(null)". */
char *oci_quote (const char *text);

OciDescriptor *oci_descriptor_copy (const OciDescriptor *d);
/* os and architecture are required; variant may be NULL. */
OciPlatform *oci_platform_new (const char *os, const char *architecture, const char *variant);
/* An empty manifest to fill in: takes config; layers starts empty and owns
 * what is added to it. media_type may be NULL (OCI leaves it optional). */
OciManifest *oci_manifest_new (const char *media_type, OciDescriptor *config);
/* An empty index; manifests owns what is added to it. */
OciIndex *oci_index_new (const char *media_type);

G_END_DECLS
