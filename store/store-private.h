/* store/store-private.h: what the store's files share and nobody else sees. */
#pragma once

#include "store/store.h"
#include "oci/oci-limits.h"
#include "oci/oci-stream.h"

#include <errno.h>

#define STORE_IMAGE_REF_PREFIX "images/"
#define STORE_LAYER_REF_PREFIX "layers/"
/* ostree_repo_list_refs_ext takes the directory, without the slash */
#define STORE_IMAGE_REF_DIR "images"
#define STORE_LAYER_REF_DIR "layers"

/* Commit metadata keys. Layers: */
#define STORE_META_DIFF_ID    "ctrgit.diff-id"
#define STORE_META_TAR_SPLIT  "ctrgit.tar-split"   /* ay: zstd record, see tarsplit.h */
#define STORE_META_TAR_SIZE   "ctrgit.tar-size"    /* t */
#define STORE_META_ENTRIES    "ctrgit.entries"     /* t */
/* b: the layer's tree is what applying it to an empty root gives (it has
 * no whiteout, and no device node or fifo hides an earlier entry) */
#define STORE_META_TREE_IS_ROOTFS "ctrgit.tree-is-rootfs"
/* Images: */
#define STORE_META_REFERENCE  "ctrgit.reference"
#define STORE_META_MANIFEST_DIGEST "ctrgit.manifest-digest"
#define STORE_META_MANIFEST_TYPE   "ctrgit.manifest-media-type"
#define STORE_META_CONFIG_DIGEST   "ctrgit.config-digest"
#define STORE_META_MANIFEST   "ctrgit.manifest"    /* ay: the manifest's bytes */
#define STORE_META_CONFIG     "ctrgit.config"      /* ay: the config's bytes */
#define STORE_META_PLATFORM   "ctrgit.platform"
#define STORE_META_SOURCE     "ctrgit.source"
#define STORE_META_CREATED    "ctrgit.created"
#define STORE_META_IMPORTED   "ctrgit.imported"    /* t: unix seconds */
#define STORE_META_LAYERS     "ctrgit.layers"      /* a(sssx): diff_id, blob digest, media type, size */
#define STORE_META_UNPACKED   "ctrgit.unpacked-size" /* t */

typedef struct StoreWriteback StoreWriteback;

struct CtrStore {
  char *path;
  int dfd;
  OstreeRepo *repo;
  char *mode;
  gboolean keep_blobs;
  GHashTable *meta_cache;   /* "TYPE/CHECKSUM" -> GVariant: dirtrees and dirmetas read */
  StoreWriteback *writeback; /* store_writeback_begin's thread, until stopped */
};

/* Writing the store's dirty pages out on another thread while a layer's
 * files are written: begin starts it (or wakes it: one thread serves all
 * the layers of an import), end asks for one last sync and returns, stop
 * ends the thread (when the store handle is freed). A hint for speed only:
 * durability comes from the syncs at commit (store/writeback.c). */
void store_writeback_begin (CtrStore *s);
void store_writeback_end (CtrStore *s);
void store_writeback_stop (CtrStore *s);

/* Around an import that writes content objects (store/recover.c): mark
 * first checks what an import left unfinished, then marks this one (on
 * disk); unmark takes the mark away, syncing first unless the import's own
 * syncs have run (synced). */
gboolean store_import_mark (CtrStore *s, GError **error);
void store_import_unmark (CtrStore *s, gboolean synced);

/* A dirtree or dirmeta, read once per store handle: objects never change
 * under their checksum, and the crawler looks up many paths of one image
 * (store/tree-read.c). */
gboolean store_load_meta (CtrStore *s, OstreeObjectType type, const char *checksum,
                          GVariant **out, GError **error);

#define store_null_throw_errno(error, ...) (oci_throw_errno (error, __VA_ARGS__), NULL)

/* OSTree's checksum of a content object, computed with OpenSSL so that an
 * object already in the repo is found without writing it (store/objects.c). */
typedef struct StoreObjectHasher StoreObjectHasher;
StoreObjectHasher *store_object_hasher_new (void);
void store_object_hasher_begin (StoreObjectHasher *h, guint32 uid, guint32 gid, guint32 mode,
                                const char *symlink_target, GVariant *xattrs);
void store_object_hasher_update (StoreObjectHasher *h, const void *buf, gsize len);
/* Its SHA-256, for hashing a file's bytes together with another stream's. */
OciSha256 *store_object_hasher_sha256 (StoreObjectHasher *h);
void store_object_hasher_finish (StoreObjectHasher *h, char out[65]);
void store_object_hasher_free (StoreObjectHasher *h);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StoreObjectHasher, store_object_hasher_free)

/* ostree_repo_write_mtree, with bare-user repos' dirtrees written by us
 * (store/tree-write.c). */
gboolean store_tree_write (CtrStore *s, OstreeMutableTree *root, OstreeRepoFile **out_root,
                           GCancellable *cancellable, GError **error);

/* Whether objects/XX/REST.SUFFIX is there: one lookup, for the objects
 * we write ourselves, which libostree never stages (store/objects.c). */
gboolean store_object_exists (int objects_dfd, const char *checksum, const char *suffix,
                              gboolean *out, GError **error);
/* Gives FD, an unlinked file (O_TMPFILE), the name PATH under DFD, as
 * linkat does: FALSE with errno set (store/objects.c). */
gboolean store_link_fd (int fd, int dfd, const char *path);
/* Links FD, written and unlinked (O_TMPFILE), in as the object
 * objects/XX/REST.SUFFIX, making XX when needed. An object already there
 * has the same bytes and is kept. FALSE with errno set (store/objects.c). */
gboolean store_object_link_tmpfile (int objects_dfd, int fd, const char *checksum,
                                    const char *suffix);

/* Content objects written by worker threads (store/object-writer.c). put
 * skips objects the repo has or that were put before; it may wait while
 * too many bytes are queued. finish waits for all and reports the first
 * failure. */
typedef struct StoreObjectWriter StoreObjectWriter;
StoreObjectWriter *store_object_writer_new (OstreeRepo *repo, GCancellable *cancellable);
gboolean store_object_writer_put (StoreObjectWriter *w, const char *checksum, guint32 uid,
                                  guint32 gid, guint32 mode, GVariant *xattrs, GBytes *data,
                                  GError **error);
/* A file too large to hold in memory, in bare-user repos: written chunk by
 * chunk (the workers write them, unordered, at their offsets) while the
 * caller hashes it; close takes its checksum and links it in once all its
 * chunks are written, or drops it when the repo has it. abort drops it. */
/* A dirtree object (the serialised variant, already hashed to CHECKSUM),
 * in bare-user repos only; skipped, as put skips files, when the repo has
 * it or it was put before. */
gboolean store_object_writer_put_dirtree (StoreObjectWriter *w, const char *checksum,
                                          GBytes *data, GError **error);
/* TRUE in bare-user repos, where the writer lays objects out itself: only
 * then does it take streamed files (below) and symlinks (put with mode
 * S_IFLNK and the target as data). */
gboolean store_object_writer_direct (StoreObjectWriter *w);
typedef struct StoreObjectStream StoreObjectStream;
StoreObjectStream *store_object_writer_open (StoreObjectWriter *w, guint32 uid, guint32 gid,
                                             guint32 mode, GVariant *xattrs, GError **error);
gboolean store_object_stream_write (StoreObjectStream *st, const void *buf, gsize len,
                                    GError **error);
gboolean store_object_stream_close (StoreObjectStream *st, const char checksum[65],
                                    GError **error);
void store_object_stream_abort (StoreObjectStream *st);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StoreObjectStream, store_object_stream_abort)
gboolean store_object_writer_finish (StoreObjectWriter *w, GError **error);
guint64 store_object_writer_count (StoreObjectWriter *w);
void store_object_writer_free (StoreObjectWriter *w);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StoreObjectWriter, store_object_writer_free)

/* The current tar entry's payload as a stream (store/payload-stream.c). */
GInputStream *store_payload_stream_new (OciTarReader *tar);

/* a(ayay) from tar xattrs, sorted as OSTree keeps them. */
GVariant *store_xattrs_variant (GPtrArray *tar_xattrs);
/* Writes (or finds) the dirmeta object for these attributes. */
gboolean store_write_dirmeta (OstreeRepo *repo, guint32 uid, guint32 gid, guint32 mode,
                              GVariant *xattrs, GHashTable *cache, char **out_checksum,
                              GCancellable *cancellable, GError **error);

/* The layer commit of diff_id and its metadata; NULL commit if absent. */
gboolean store_layer_load_meta (CtrStore *s, const char *diff_id, char **out_commit,
                                GVariant **out_metadata, GError **error);

/* Image commit metadata builder shared by import (and later pull). */
GVariant *store_image_metadata_new (const StoreImage *img, GBytes *manifest, GBytes *config);

/* Walks to the directory that holds path's last component (store/tree.c).
 * Missing directories are created with default_dirmeta (tar allows entries
 * whose parents were never listed); a parent that is not a directory is an
 * error, since writing there would write through a file or a symlink. */
gboolean store_tree_parent (OstreeMutableTree *root, const char *path,
                            const char *default_dirmeta, OstreeMutableTree **out_parent,
                            const char **out_name, GError **error);
/* Puts a file (content checksum) at name, replacing whatever was there. */
gboolean store_tree_put_file (OstreeMutableTree *dir, const char *name, const char *checksum,
                              GError **error);
/* Makes name a directory with these attributes, keeping its contents if it
 * was one already. */
gboolean store_tree_put_dir (OstreeMutableTree *dir, const char *name, const char *dirmeta,
                             OstreeMutableTree **out_subdir, GError **error);
/* The dirmeta of a default directory (0755 root:root). */
gboolean store_default_dirmeta (OstreeRepo *repo, char **out, GError **error);
