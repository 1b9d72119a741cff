/* store/payload-stream.c: the payload of the current tar entry as a
 * GInputStream, so that a large file streams from the layer into OSTree's
 * content writer in any repo mode (ostree_repo_write_regfile, which takes
 * bytes pushed at it, refuses archive repos). */
#include "store/store-private.h"

#include <string.h>

typedef struct {
  GInputStream parent;
  OciTarReader *tar;
  const guint8 *pending;   /* bytes the reader handed out, not yet read */
  gsize pending_len;
} StorePayloadStream;

typedef struct {
  GInputStreamClass parent_class;
} StorePayloadStreamClass;

G_DEFINE_TYPE (StorePayloadStream, store_payload_stream, G_TYPE_INPUT_STREAM)

static gssize
payload_read (GInputStream *stream, void *buf, gsize count, GCancellable *cancellable,
              GError **error)
{
  StorePayloadStream *self = (StorePayloadStream *) stream;
  if (self->pending_len == 0
      && !oci_tar_reader_data (self->tar, &self->pending, &self->pending_len, error))
    return -1;
  gsize n = MIN (count, self->pending_len);
  if (n == 0)
    return 0;   /* the payload is done */
  memcpy (buf, self->pending, n);
  self->pending += n;
  self->pending_len -= n;
  return n;
}

static gboolean
payload_close (GInputStream *stream, GCancellable *cancellable, GError **error)
{
  return TRUE;
}

static void
store_payload_stream_class_init (StorePayloadStreamClass *klass)
{
  GInputStreamClass *istream = G_INPUT_STREAM_CLASS (klass);
  istream->read_fn = payload_read;
  istream->close_fn = payload_close;
}

static void
store_payload_stream_init (StorePayloadStream *self)
{
}

GInputStream *
store_payload_stream_new (OciTarReader *tar)
{
  StorePayloadStream *self = g_object_new (store_payload_stream_get_type (), NULL);
  self->tar = tar;
  return G_INPUT_STREAM (self);
}
