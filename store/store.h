/* store/store.h: the image store, on libostree.
 *
 * Owns: the store directory and its lock, the blob area (original manifests,
 * configs and compressed layers, content-addressed), layer import into OSTree
 * content objects with a per-layer tar-split record for byte-exact export,
 * image versions as merged-rootfs commits on a branch per reference, and
 * export, du, fsck and gc over all that.
 *
 * Layout of a store:
 *   STORE/ctrgit.json        format version, repo mode, keep-blobs
 *   STORE/repo/              the OSTree repository
 *   STORE/blobs/sha256/HEX   kept blobs; STORE/blobs/tmp/ for ones being written
 *   STORE/lock               flock: writers exclusive, readers shared
 * OSTree refs:
 *   layers/HEX               one commit per layer, HEX = its diff_id
 *   images/ESCAPED-REF       one branch per reference; parent = previous version
 *
 * Does not own: image formats and transports (oci/), printing (cmd/).
 */
#pragma once

#include <ostree.h>
#include "oci/oci.h"
#include "oci/oci-transport.h"

struct OciRegistry;

G_BEGIN_DECLS

#define STORE_ERROR (store_error_quark ())
GQuark store_error_quark (void);
typedef enum {
  STORE_ERROR_NOT_FOUND,  /* no such image, layer, blob */
  STORE_ERROR_EXISTS,     /* init over an existing store */
  STORE_ERROR_CORRUPT,    /* fsck-class problems */
  STORE_ERROR_INVALID,    /* hostile or inconsistent layer content */
  STORE_ERROR_FORMAT,     /* a store of an unknown format version */
} StoreErrorCode;

#define STORE_FORMAT_VERSION 1

typedef struct CtrStore CtrStore;

typedef struct {
  const char *mode;        /* "bare-user" (default) or "archive" */
  gboolean no_keep_blobs;
} StoreInitOptions;

/* $CTRGIT_REPO, else /var/lib/ctrgit for root, else $XDG_DATA_HOME/ctrgit. */
char *store_default_path (void);
gboolean store_init (const char *path, const StoreInitOptions *opts, GError **error);
CtrStore *store_open (const char *path, GError **error);
void store_free (CtrStore *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtrStore, store_free)

const char *store_path (CtrStore *s);
OstreeRepo *store_repo (CtrStore *s);
gboolean store_keeps_blobs (CtrStore *s);
const char *store_mode (CtrStore *s);

/* Writers take the lock exclusively, readers shared; blocks until free.
 * waiting (may be NULL) is called once if it has to wait. The lock is held
 * until released, so `g_autoptr(StoreLock) lock = store_lock (...)` holds
 * it for a scope and every early return lets it go. */
typedef struct StoreLock StoreLock;
StoreLock *store_lock (CtrStore *s, gboolean exclusive, void (*waiting) (void), GError **error);
void store_lock_release (StoreLock *lock);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StoreLock, store_lock_release)

/* ---- blob area ------------------------------------------------------- */

char *store_blob_path (CtrStore *s, const char *digest);
gboolean store_blob_exists (CtrStore *s, const char *digest);
gboolean store_blob_put_bytes (CtrStore *s, const char *digest, GBytes *data, GError **error);
GBytes *store_blob_get_bytes (CtrStore *s, const char *digest, gsize max, GError **error);
/* Rehashes a kept blob, streaming: STORE_ERROR_CORRUPT if it does not match. */
gboolean store_blob_verify (CtrStore *s, const char *digest, GError **error);

/* A blob being written: bytes go to STORE/blobs/tmp, and commit renames it
 * to its digest once that is known and checked. */
typedef struct StoreBlobWriter StoreBlobWriter;
StoreBlobWriter *store_blob_writer_new (CtrStore *s, GError **error);
gboolean store_blob_writer_write (void *writer, const void *buf, gsize len, GError **error);
gboolean store_blob_writer_commit (StoreBlobWriter *w, const char *digest, GError **error);
void store_blob_writer_free (StoreBlobWriter *w);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StoreBlobWriter, store_blob_writer_free)
/* Gives FD, an unlinked file in the store's filesystem holding exactly the
 * blob DIGEST (checked by the caller), its name in the blob area: a
 * download is kept without copying it. */
gboolean store_blob_adopt_fd (CtrStore *s, int fd, const char *digest, GError **error);
/* Drops STORE/blobs/tmp leftovers of killed writers (call under the lock). */
void store_blob_clean_tmp (CtrStore *s);

/* ---- references and branches ---------------------------------------- */

/* images/ESCAPED: bytes outside [a-z0-9.-/] become _XX so every reference
 * maps to exactly one valid ref name and back. */
char *store_ref_for_image (const OciRef *ref);
char *store_image_for_ref (const char *ostree_ref);
char *store_ref_for_layer (const char *diff_id);
/* Finds the branch of a user-typed name: full references, then short names
 * as localhost/NAME and docker.io/library/NAME, like podman. */
gboolean store_resolve_image (CtrStore *s, const char *name, char **out_ref_string,
                              char **out_commit, GError **error);

/* ---- layers ---------------------------------------------------------- */

typedef enum {
  STORE_LAYER_QUEUED,      /* every layer, in order, before any work */
  STORE_LAYER_PRESENT,     /* in the store already: nothing to read */
  STORE_LAYER_READING,     /* done and total: compressed bytes read, blob size */
  STORE_LAYER_DONE,
} StoreLayerProgress;

typedef struct {
  guint64 max_layer_size;  /* 0: OCI_LIMIT_LAYER_SIZE_DEFAULT */
  /* Per layer, named by blob digest (its diff_id when the source has no
   * digest), called on the importing thread. */
  void (*progress) (void *user, const char *digest, StoreLayerProgress what, guint64 done,
                    guint64 total);
  void *progress_user;
  void (*waiting) (void);  /* called if another writer holds the store */
} StoreImportOptions;

typedef struct {
  char *digest;            /* compressed blob, as read */
  gint64 size;
  char *diff_id;
  OciCompression compression;
  gboolean already_present;
} StoreLayerResult;

/* Reports every layer of src as queued, in order, to opts->progress. */
void store_import_progress_queued (const StoreImportOptions *opts, OciSource *src);
/* Imports one layer inside the caller's OSTree transaction. Skips the work
 * (but still verifies and keeps the blob when asked) if the layer is there. */
gboolean store_layer_import (CtrStore *s, const OciSourceLayer *layer, const char *diff_id,
                             const StoreImportOptions *opts, StoreLayerResult *out,
                             GCancellable *cancellable, GError **error);
gboolean store_layer_exists (CtrStore *s, const char *diff_id, char **out_commit, GError **error);
/* Writes the layer's uncompressed tar, rebuilt from its record and objects.
 * Fails if the rebuilt bytes do not hash to diff_id. */
gboolean store_layer_export (CtrStore *s, const char *diff_id, OciWriteFunc write, void *user,
                             GCancellable *cancellable, GError **error);
guint64 store_layer_tar_size (CtrStore *s, const char *diff_id, GError **error);
/* The merged tree of an image's first layer, for the layers above to be
 * applied onto: the layer's own tree, read lazily, when its import found
 * that to be the same; *out NULL when it did not (apply the layer then). */
gboolean store_layer_base_tree (CtrStore *s, const char *diff_id, OstreeMutableTree **out,
                                GError **error);
/* Replays a layer onto a merged tree (OCI whiteouts applied). */
gboolean store_layer_apply (CtrStore *s, const char *diff_id, OstreeMutableTree *root,
                            GError **error);
void store_layer_result_clear (StoreLayerResult *r);

/* ---- images ---------------------------------------------------------- */

typedef struct {
  char *reference;      /* docker.io/library/debian:bookworm */
  char *commit;
  char *manifest_digest;
  char *config_digest;
  char *media_type;
  char *platform;
  char *source;
  char *created;        /* from the config, may be NULL */
  gint64 imported;      /* unix seconds */
  guint64 size;         /* compressed layer bytes */
  guint64 unpacked_size;/* uncompressed layer bytes */
  GPtrArray *diff_ids;  /* char* */
  GPtrArray *blobs;     /* char* layer blob digests, as in the manifest */
  GPtrArray *blob_media_types;
  GArray *blob_sizes;   /* gint64 */
} StoreImage;

void store_image_free (StoreImage *i);
/* Which layer of img last touched each absolute path in paths (path ->
 * GINT_TO_POINTER (layer index), -1 when none): an entry for it, or a
 * whiteout or opaque marker that removed it. */
gboolean store_layer_attribute (CtrStore *s, const StoreImage *img, GHashTable *paths,
                                GError **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StoreImage, store_image_free)

typedef struct {
  char *reference;
  char *commit;
  gboolean unchanged;   /* the branch already pointed at this manifest */
  guint layers_new, layers_present;
} StoreImportResult;
void store_import_result_clear (StoreImportResult *r);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (StoreImportResult, store_import_result_clear)

gboolean store_image_import (CtrStore *s, OciSource *src, const OciRef *name,
                             const char *source_desc, const StoreImportOptions *opts,
                             StoreImportResult *out, GCancellable *cancellable, GError **error);
StoreImage *store_image_load (CtrStore *s, const char *commit, GError **error);
/* Every image branch head; StoreImage* sorted by reference. */
GPtrArray *store_image_list (CtrStore *s, GError **error);
GBytes *store_image_manifest (CtrStore *s, const StoreImage *img, GError **error);
GBytes *store_image_config (CtrStore *s, const StoreImage *img, GError **error);
gboolean store_image_remove (CtrStore *s, const char *name, GError **error);
/* Records commit's image as a new version of name (nothing if name's head
 * already has that manifest). */
gboolean store_image_tag (CtrStore *s, const char *commit, const OciRef *name, char **out_commit,
                          GError **error);
/* Writes an image version's root filesystem into dir, which must not exist. */
gboolean store_image_checkout (CtrStore *s, const char *commit, const char *dir, GError **error);

/* Pulls ref (tag or digest) from a registry: only the layers the store
 * lacks are downloaded, in parallel, verified, then imported as any image. */
/* fetch: where the registry has it (a mirror's path); name: the reference
 * it is recorded under. */
gboolean store_pull (CtrStore *s, struct OciRegistry *reg, const OciRef *fetch, const OciRef *name,
                     const OciPlatform *platform, const StoreImportOptions *opts,
                     StoreImportResult *out, GCancellable *cancellable, GError **error);

typedef struct {
  gboolean from_files;  /* rebuild layers from files even if blobs are kept */
} StoreExportOptions;
/* rev: any revision (store_resolve_revision). */
gboolean store_image_export (CtrStore *s, const char *rev, const OciLocation *dest,
                             const StoreExportOptions *opts, GCancellable *cancellable,
                             GError **error);
gboolean store_image_export_commit (CtrStore *s, const char *commit, const OciLocation *dest,
                                    const StoreExportOptions *opts, GCancellable *cancellable,
                                    GError **error);
typedef enum {
  STORE_PUSH_QUEUED,       /* every layer, in order, before any work */
  STORE_PUSH_UPLOADING,
  STORE_PUSH_EXISTS,       /* the registry had it */
  STORE_PUSH_MOUNTED,      /* mounted from another repository of the registry */
  STORE_PUSH_UPLOADED,
} StorePushProgress;
typedef struct {
  StoreExportOptions export;
  /* Per layer blob, by digest (the config is not reported). */
  void (*progress) (void *user, const char *digest, StorePushProgress what);
  void *progress_user;
} StorePushOptions;
/* Pushes an image version to dest (tag or digest): the blobs the registry
 * lacks, then the manifest. *out_pushed: blobs uploaded. */
gboolean store_push (CtrStore *s, struct OciRegistry *reg, const char *rev, const OciRef *dest,
                     const StorePushOptions *opts, guint *out_pushed, char **out_digest,
                     GCancellable *cancellable, GError **error);

/* ---- history and diff ------------------------------------------------ */

/* REF, REF~N, REF@sha256:DIGEST, or a commit checksum (or unique prefix of
 * 8+ hex digits) -> the reference and commit of one image version. */
gboolean store_resolve_revision (CtrStore *s, const char *text, char **out_ref,
                                 char **out_commit, GError **error);
/* The parent version, or NULL with STORE_ERROR_NOT_FOUND at the root. */
char *store_commit_parent (CtrStore *s, const char *commit, GError **error);
/* commit and its ancestors, newest first (max 0: all). StoreImage*. */
GPtrArray *store_history (CtrStore *s, const char *commit, guint max, GError **error);

typedef struct {
  char status;            /* 'A' added, 'D' deleted, 'M' modified, 'T' type changed */
  char *path;             /* absolute: /etc/os-release */
  gboolean is_dir;        /* a directory's own attributes, or an empty one */
  /* For M: what changed */
  gboolean content, mode, owner, xattrs, target;
  guint32 old_mode, new_mode;   /* with type bits */
  guint32 old_uid, new_uid, old_gid, new_gid;
  guint64 old_size, new_size;
  char *old_target, *new_target;
  char *old_checksum, *new_checksum;  /* content objects; NULL for directories */
} StoreDiffEntry;
void store_diff_entry_free (StoreDiffEntry *e);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StoreDiffEntry, store_diff_entry_free)

typedef enum {
  STORE_DIFF_NAMES = 0,     /* status and path (and, for M, what changed) */
  STORE_DIFF_DETAILS = 1,   /* also modes, owners, sizes, targets, checksums of A and D */
} StoreDiffFlags;
/* Compares two image versions (commits). paths: NULL, or absolute paths
 * that limit the diff to what lies under them. Sorted by path. Added and
 * deleted paths cost a stat and an xattr read each with DETAILS, nothing
 * without. */
gboolean store_diff (CtrStore *s, const char *commit_a, const char *commit_b, char **paths,
                     StoreDiffFlags flags, GPtrArray **out, GCancellable *cancellable,
                     GError **error);

/* A path of an image version (store/tree-read.c). */
typedef struct {
  char *name;
  gboolean is_dir;
  guint32 mode, uid, gid;       /* mode with type bits */
  guint64 size;                 /* regular files */
  char *target;                 /* symlinks */
  char *checksum;               /* file: content object; dir: dirtree */
  char *meta;                   /* dir: dirmeta */
} StoreNode;
void store_node_clear (StoreNode *n);
void store_node_free (StoreNode *n);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StoreNode, store_node_free)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (StoreNode, store_node_clear)
/* Resolves path inside the image (symlinks relative to its root, never the
 * host's); follow: also the last component. */
gboolean store_tree_lookup (CtrStore *s, const char *commit, const char *path, gboolean follow,
                            StoreNode *out, GError **error);
/* A directory's entries, sorted by name within files, then directories. */
GPtrArray *store_tree_list (CtrStore *s, const StoreNode *dir, GError **error);
GInputStream *store_tree_open (CtrStore *s, const StoreNode *file, GError **error);
/* A content object's bytes, up to max (OCI_ERROR_LIMIT beyond). */
GBytes *store_object_read (CtrStore *s, const char *checksum, gsize max, GError **error);

/* Line diff of two texts (store/textdiff.c): counts added and deleted
 * lines and, if out is given, appends a unified diff with `context` lines. */
void store_text_diff (const char *a, gsize alen, const char *b, gsize blen, const char *label_a,
                      const char *label_b, guint context, GString *out, guint *added,
                      guint *deleted);
/* git's heuristic: a NUL byte in the first 8000 bytes. */
gboolean store_text_is_binary (const char *buf, gsize len);

/* Installed packages of an image version (store/packages.c). */
typedef struct {
  char *name, *version, *arch;
} StorePackage;
void store_package_free (StorePackage *p);
/* Where each format keeps its database, first match wins (also what the
 * crawler reads inside running containers). */
typedef struct {
  const char *format;   /* "dpkg", "apk", "rpm" */
  const char *path;
} StorePackageDb;
const StorePackageDb *store_package_databases (gsize *n);
/* format: "dpkg", "apk" or "rpm"; out: "name:arch" -> StorePackage*.
 * STORE_ERROR_NOT_FOUND if the image has no database, INVALID if it has
 * one ctrgit does not read. */
gboolean store_packages_read (CtrStore *s, const char *commit, char **out_format,
                              GHashTable **out, GError **error);
void store_packages_parse_dpkg (const char *buf, gsize len, GHashTable *into);
void store_packages_parse_apk (const char *buf, gsize len, GHashTable *into);
gboolean store_packages_parse_rpm_sqlite (const char *path, GHashTable *into, GError **error);

/* ---- maintenance ----------------------------------------------------- */

typedef struct {
  guint images, versions, layers;
  guint64 logical;        /* every version's layers, uncompressed, summed */
  guint64 unique_layers;  /* distinct layers, uncompressed */
  guint64 objects_bytes;  /* OSTree objects on disk */
  guint64 objects;
  guint blobs;
  guint64 blobs_bytes;
} StoreUsage;
gboolean store_usage (CtrStore *s, StoreUsage *out, GCancellable *cancellable, GError **error);

typedef struct {
  void (*problem) (void *user, const char *what);
  void *user;
  gboolean quick;         /* skip rebuilding every layer's tar */
  guint64 objects_checked, layers_checked, images_checked, blobs_checked, problems;
} StoreFsck;
gboolean store_fsck (CtrStore *s, StoreFsck *f, GCancellable *cancellable, GError **error);

typedef struct {
  guint layers_removed, blobs_removed;
  gint objects_removed;
  guint64 bytes_freed;
} StoreGcResult;
gboolean store_gc (CtrStore *s, StoreGcResult *out, GCancellable *cancellable, GError **error);

/* ---- what the crawler asks (store/image-find.c) --------------------- */

/* Reads fd (a regular file) to its end, at most max bytes (OCI_ERROR_LIMIT
 * beyond), and computes both the OSTree content checksum it would have
 * with uid, gid and mode (permission bits) and the xattrs of the content
 * object xattrs_of (s and xattrs_of may be NULL: none), and the plain
 * sha256 of its bytes, as lowercase hex. */
gboolean store_file_checksum_fd (CtrStore *s, int fd, guint32 uid, guint32 gid, guint32 mode,
                                 const char *xattrs_of, guint64 max, char out_checksum[65],
                                 char out_sha256[65], GError **error);

G_END_DECLS
