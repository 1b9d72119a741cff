/* oci/oci-registry.h: a client of the OCI Distribution API (libcurl).
 *
 * Part of the oci module (see oci.h). One OciRegistry per registry host:
 * it finds whether the host speaks https or (for loopback and insecure
 * hosts) http, answers Bearer and Basic challenges with credentials from
 * the usual files, keeps a token per scope, and fetches manifests and
 * blobs with digest verification, retries and resume.
 */
#pragma once

#include "oci/oci.h"
#include "oci/oci-stream.h"

G_BEGIN_DECLS

typedef struct {
  gboolean tls_verify;      /* FALSE: accept any certificate, and allow plain http */
  const char *auth_file;    /* NULL: $REGISTRY_AUTH_FILE, containers' auth.json, ~/.docker/config.json */
  const char *cert_dir;     /* NULL: /etc/containers/certs.d/HOST, /etc/docker/certs.d/HOST */
  const char *username;     /* explicit credentials, over the files */
  const char *password;
  /* Called while blobs download, for each blob: bytes written and due
   * (done == total once it is complete and verified). */
  void (*progress) (void *user, const char *digest, guint64 done, guint64 total);
  void *progress_user;
} OciRegistryOptions;

typedef struct OciRegistry OciRegistry;

/* domain as in a reference: "docker.io", "127.0.0.1:5000". */
OciRegistry *oci_registry_new (const char *domain, const OciRegistryOptions *opts);
void oci_registry_free (OciRegistry *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OciRegistry, oci_registry_free)

/* GET /v2/REPO/manifests/REF with the Accept list of OCI and docker schema2
 * manifests and indexes. A reference by digest is verified. */
gboolean oci_registry_get_manifest (OciRegistry *r, const char *repo, const char *ref,
                                    GBytes **out, char **out_media_type, char **out_digest,
                                    GError **error);
/* A small blob (config) in memory, verified. */
GBytes *oci_registry_get_blob (OciRegistry *r, const char *repo, const char *digest, gsize max,
                               GError **error);

/* Downloads blobs into files (fds, written from offset 0), verifying each
 * digest and size, several at once; retries dropped connections and 5xx
 * with backoff, resuming with Range. A blob's landing, if set, hears of
 * every byte written and then of the blob's end (verified, or its error;
 * or the error that stopped the whole download), so that another thread
 * can read it as it comes. Cancelling stops the downloads. */
typedef struct {
  const char *digest;
  gint64 size;
  int fd;
  OciLanding *landing;
} OciBlobFetch;
gboolean oci_registry_fetch_blobs (OciRegistry *r, const char *repo, OciBlobFetch *blobs, guint n,
                                   GCancellable *cancellable, GError **error);

/* GET /v2/ with the credentials: FALSE with a clear error if the registry
 * (or its token service) refuses them. */
gboolean oci_registry_check_login (OciRegistry *r, GError **error);
/* Adds or replaces domain's credentials in an auth file (docker's and
 * containers' format), creating it 0600. NULL: the default file. */
gboolean oci_auth_store (const char *auth_file, const char *domain, const char *user,
                         const char *password, char **out_path, GError **error);

/* Push: is the blob there (HEAD)?; upload one; PUT a manifest under a tag
 * or digest. */
gboolean oci_registry_blob_exists (OciRegistry *r, const char *repo, const char *digest,
                                   gboolean *out, GError **error);

/* Blobs up to this size go in one PUT; larger ones in PATCHes of this size
 * (or the registry's OCI-Chunk-Min-Length, if larger): a failed chunk costs
 * at most this much again, and proxies that cap request bodies let them by. */
#define OCI_REGISTRY_CHUNK_SIZE (8 * 1024 * 1024)

typedef enum {
  OCI_BLOB_MOUNTED,            /* from another repository of the registry: no bytes sent */
  OCI_BLOB_UPLOADED,           /* POST, then PUT with the bytes */
  OCI_BLOB_UPLOADED_CHUNKED,   /* POST, PATCH per chunk, PUT */
} OciBlobPut;

/* Uploads size bytes of fd (from offset 0) as digest. First, for each of
 * mount_from (NULL-terminated repositories of this registry thought to hold
 * the blob; up to three tried), a cross-repository mount: POST
 * ?mount=DIGEST&from=REPO; 201 means done. A registry that answers 202
 * instead opened an upload session, which the upload then uses. */
gboolean oci_registry_put_blob (OciRegistry *r, const char *repo, const char *digest, int fd,
                                guint64 size, const char *const *mount_from, OciBlobPut *out_how,
                                GError **error);
gboolean oci_registry_put_manifest (OciRegistry *r, const char *repo, const char *tag,
                                    GBytes *manifest, const char *media_type, GError **error);

/* GET /v2/REPO/tags/list, following Link pagination. */
GPtrArray *oci_registry_list_tags (OciRegistry *r, const char *repo, GError **error);

/* Credentials for a registry from the auth files (user and password, or
 * NULL): "auths" entries keyed by host, with or without a scheme. */
gboolean oci_auth_lookup (const char *auth_file, const char *domain, char **out_user,
                          char **out_password);

/* Mirrors (registries.conf) for a repository "domain/path", in order;
 * *out_prefix: the [[registry]] prefix they replace. Empty without a file
 * or a matching entry. */
typedef struct {
  char *location;     /* host[:port][/path] that stands for the prefix */
  gboolean insecure;
} OciMirror;
void oci_mirror_free (OciMirror *m);
GPtrArray *oci_registries_mirrors (const char *conf, const char *repository, char **out_prefix,
                                   GError **error);

G_END_DECLS
