/* store/tarsplit.h: the per-layer record of everything OSTree cannot hold.
 *
 * A layer's tar is rebuilt from a sequence of operations, zstd-compressed:
 *   'R' len bytes          raw bytes: headers, PAX/GNU records, padding, trailer
 *   'F' size checksum      a regular file's payload: the content object's data
 *   'E' kind path [csum]   an entry for replaying the layer onto a tree
 * R and F give back the tar byte for byte (so its sha256 is the diff_id); the
 * E entries let an image be merged without re-reading any tar. Lengths are
 * LEB128 varints; checksums are 32 raw bytes.
 */
#pragma once

#include <glib.h>

typedef enum {
  TARSPLIT_ENTRY_DIR = 1,    /* csum: dirmeta */
  TARSPLIT_ENTRY_FILE = 2,   /* csum: content object (regular, symlink, hardlink) */
  TARSPLIT_ENTRY_OTHER = 3,  /* device node or fifo: never materialised */
} TarSplitEntryKind;

typedef struct TarSplitWriter TarSplitWriter;
TarSplitWriter *tarsplit_writer_new (void);
gboolean tarsplit_writer_raw (void *w, const void *buf, gsize len, GError **error);
void tarsplit_writer_file (TarSplitWriter *w, guint64 size, const char *checksum);
void tarsplit_writer_entry (TarSplitWriter *w, TarSplitEntryKind kind, const char *path,
                            const char *checksum);
/* Ends the record: the compressed bytes. */
GBytes *tarsplit_writer_finish (TarSplitWriter *w, GError **error);
void tarsplit_writer_free (TarSplitWriter *w);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TarSplitWriter, tarsplit_writer_free)

typedef enum {
  TARSPLIT_OP_END,
  TARSPLIT_OP_RAW,    /* data/len: the bytes (valid until the next call) */
  TARSPLIT_OP_FILE,   /* size, checksum */
  TARSPLIT_OP_ENTRY,  /* kind, path, checksum (NULL for OTHER) */
} TarSplitOpType;

typedef struct {
  TarSplitOpType type;
  const guint8 *data;
  gsize len;
  guint64 size;
  char checksum[65];
  TarSplitEntryKind kind;
  const char *path;
} TarSplitOp;

typedef struct TarSplitReader TarSplitReader;
TarSplitReader *tarsplit_reader_new (GBytes *record);
gboolean tarsplit_reader_next (TarSplitReader *r, TarSplitOp *op, GError **error);
void tarsplit_reader_free (TarSplitReader *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TarSplitReader, tarsplit_reader_free)
