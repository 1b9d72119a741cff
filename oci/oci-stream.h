/* oci/oci-stream.h: byte streams of layers: decompression with verification,
 * and the tar reader that accounts for every byte.
 *
 * Part of the oci module (see oci.h). The tar reader is written for exactness:
 * every byte of the stream is either the payload of a regular file or handed
 * to a "raw" callback (headers, extension records, padding, the trailer and
 * whatever follows it), so that the store can rebuild the stream byte for byte.
 */
#pragma once

#include "oci/oci.h"

G_BEGIN_DECLS

/* A source of bytes: returns how many were read, 0 at end, -1 with error set. */
typedef gssize (*OciReadFunc) (void *user, void *buf, gsize len, GError **error);
/* A source that lends its bytes: up to max of them at *buf, which stay
 * valid until the next call; returns how many, 0 at end, -1 with error. */
typedef gssize (*OciBorrowFunc) (void *user, const guint8 **buf, gsize max, GError **error);

/* ---- compressed layer streams ------------------------------------------ */

typedef enum {
  OCI_COMPRESSION_NONE,
  OCI_COMPRESSION_GZIP,
  OCI_COMPRESSION_ZSTD,
} OciCompression;

/* From the first bytes of a blob; xz and bzip2 are refused by name. */
gboolean oci_compression_detect (const guint8 *buf, gsize len, OciCompression *out, GError **error);
const char *oci_compression_name (OciCompression c);

typedef struct {
  const char *digest;       /* expected digest of the compressed bytes, or NULL */
  gint64 size;              /* expected compressed size, or -1 */
  const char *diff_id;      /* expected digest of the uncompressed bytes, or NULL */
  guint64 max_size;         /* limit on uncompressed bytes (0: the default) */
  /* Every compressed byte is also handed here (to keep the blob), or NULL. */
  gboolean (*tee) (void *user, const void *buf, gsize len, GError **error);
  void *tee_user;
  /* The reader hashes the uncompressed bytes itself (an import's tar
   * reader, on the importing thread, see oci_tar_reader_set_hash) and
   * gives the digest to oci_layer_stream_check_diff_id once it has read
   * the end. */
  gboolean diff_id_by_reader;
  /* The source checks the blob against digest itself and gives its end
   * only once it has (a download read through its landing, see
   * oci_registry_fetch_blobs): the compressed bytes are not hashed again. */
  gboolean digest_checked_by_source;
} OciLayerStreamOptions;

typedef struct OciLayerStream OciLayerStream;

/* Reads compressed bytes from source, hashes them, inflates, hashes the
 * output. The digests are checked when the end is read: the read that
 * returns 0 fails instead if either does not match. */
OciLayerStream *oci_layer_stream_new (OciReadFunc source, void *source_user,
                                      const OciLayerStreamOptions *opts);
gssize oci_layer_stream_read (OciLayerStream *s, void *buf, gsize len, GError **error);
/* Refuses, before reading them, `more` uncompressed bytes that a tar header
 * announces, if they would break the size limit or the bomb ratio (judged
 * against the blob's declared size): a 4 GiB entry of zeros is refused at
 * its header instead of after inflating a gigabyte. */
gboolean oci_layer_stream_check_ahead (OciLayerStream *s, guint64 more, GError **error);
/* With diff_id_by_reader: checks the reader's digest of the uncompressed
 * bytes against the expected diff_id. */
gboolean oci_layer_stream_check_diff_id (OciLayerStream *s, const char *diff_id, GError **error);
/* The blob's digest, valid after the end was read successfully. */
const char *oci_layer_stream_digest (OciLayerStream *s);
guint64 oci_layer_stream_compressed_size (OciLayerStream *s);
guint64 oci_layer_stream_uncompressed_size (OciLayerStream *s);
OciCompression oci_layer_stream_compression (OciLayerStream *s);
void oci_layer_stream_free (OciLayerStream *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OciLayerStream, oci_layer_stream_free)

/* Runs a read function on its own thread, a few MiB ahead of the reader
 * (oci/prefetch.c); oci_prefetch_borrow lends what it read, in place (an
 * OciBorrowFunc). Errors of the source reach the reader when it gets
 * there. */
typedef struct OciPrefetch OciPrefetch;
OciPrefetch *oci_prefetch_new (OciReadFunc source, void *source_user);
gssize oci_prefetch_borrow (void *prefetch, const guint8 **buf, gsize max, GError **error);
void oci_prefetch_free (OciPrefetch *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OciPrefetch, oci_prefetch_free)

/* How much of a file another thread has written (oci/landing.c): update
 * and finish are the writer's (finish once: complete, or failed with
 * error); wait blocks until bytes past offset are there (*out_avail of
 * them) or the file is complete (0), and fails with the writer's error. */
typedef struct OciLanding OciLanding;
OciLanding *oci_landing_new (void);
OciLanding *oci_landing_ref (OciLanding *l);
void oci_landing_unref (OciLanding *l);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OciLanding, oci_landing_unref)
void oci_landing_update (OciLanding *l, guint64 written);
void oci_landing_finish (OciLanding *l, const GError *error);
gboolean oci_landing_wait (OciLanding *l, guint64 offset, guint64 *out_avail, GError **error);

/* A read function over a file descriptor range (pread; offset advances).
 * With a landing, reads wait for the bytes to land. */
typedef struct {
  int fd;
  guint64 offset;
  guint64 remaining;   /* G_MAXUINT64: to end of file */
  OciLanding *landing; /* NULL: the file is complete (not owned) */
} OciFdRange;
gssize oci_fd_range_read (void *user, void *buf, gsize len, GError **error);

/* gzip compression for rebuilt layers (isa-l: fast, deterministic). */
typedef struct OciGzipWriter OciGzipWriter;
typedef gboolean (*OciWriteFunc) (void *user, const void *buf, gsize len, GError **error);
OciGzipWriter *oci_gzip_writer_new (OciWriteFunc sink, void *sink_user);
gboolean oci_gzip_writer_write (OciGzipWriter *w, const void *buf, gsize len, GError **error);
gboolean oci_gzip_writer_finish (OciGzipWriter *w, GError **error);
void oci_gzip_writer_free (OciGzipWriter *w);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OciGzipWriter, oci_gzip_writer_free)

/* ---- tar ---------------------------------------------------------------- */

typedef enum {
  OCI_TAR_REGULAR,
  OCI_TAR_HARDLINK,
  OCI_TAR_SYMLINK,
  OCI_TAR_CHAR,
  OCI_TAR_BLOCK,
  OCI_TAR_DIRECTORY,
  OCI_TAR_FIFO,
} OciTarType;

typedef struct {
  char *name;
  GBytes *value;
} OciTarXattr;

typedef struct {
  OciTarType type;
  char *path;         /* as in the archive after PAX/GNU overrides (not cleaned) */
  char *linkname;     /* hardlink and symlink targets, else NULL */
  guint64 size;       /* payload bytes (regular files only; 0 otherwise) */
  guint32 mode;       /* permission bits and suid/sgid/sticky, no type bits */
  guint32 uid, gid;
  gint64 mtime;
  guint32 devmajor, devminor;
  GPtrArray *xattrs;  /* OciTarXattr*, sorted by name */
} OciTarEntry;

typedef struct OciTarReader OciTarReader;

/* raw (may be NULL) receives every byte that is not file payload, in order. */
OciTarReader *oci_tar_reader_new (OciReadFunc source, void *source_user,
                                  OciWriteFunc raw, void *raw_user);
/* The same, reading the source's bytes where they are instead of copying
 * them in (see OciBorrowFunc). */
OciTarReader *oci_tar_reader_new_borrowing (OciBorrowFunc borrow, void *source_user,
                                            OciWriteFunc raw, void *raw_user);
/* Hashes every byte of the stream the reader goes past into hash (not
 * owned): once the reader has ended, hash has the whole stream, the
 * layer's diff_id. */
void oci_tar_reader_set_hash (OciTarReader *r, OciSha256 *hash);
/* Next entry (*out NULL at the end). Skips what is left of the previous
 * entry's payload (reading it through, so it is hashed). */
gboolean oci_tar_reader_next (OciTarReader *r, const OciTarEntry **out, GError **error);
/* Payload of the current regular file, zero-copy: *buf points into the
 * reader's buffer; *len is 0 when the payload is done. */
gboolean oci_tar_reader_data (OciTarReader *r, const guint8 **buf, gsize *len, GError **error);
/* The same, and the payload is hashed into also as well, together with the
 * reader's own hash (oci_sha256_update_both: a file's checksum comes at
 * almost no cost beside the diff_id). */
gboolean oci_tar_reader_data_hashed (OciTarReader *r, OciSha256 *also, const guint8 **buf,
                                     gsize *len, GError **error);
/* Stream offset of the current entry's payload (used to index outer archives). */
guint64 oci_tar_reader_data_offset (OciTarReader *r);
guint64 oci_tar_reader_entries (OciTarReader *r);
void oci_tar_reader_free (OciTarReader *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OciTarReader, oci_tar_reader_free)

/* Cleans an entry path: drops "./" and trailing '/', refuses absolute paths,
 * ".." components and empty names with OCI_ERROR_UNSAFE. */
char *oci_tar_clean_path (const char *path, GError **error);

G_END_DECLS
