/* Fuzz target for the tar reader. Beyond not crashing, it checks the
 * property export depends on: raw bytes and file payloads, put back in the
 * order the reader gives them, are exactly the input. */
#include "oci/oci-stream.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
  const uint8_t *data;
  size_t size, pos;
} Mem;

static gssize
mem_read (void *user, void *buf, gsize len, GError **error)
{
  Mem *m = user;
  /* Odd-sized reads exercise the reader's refill paths. */
  gsize n = MIN (len, MIN (m->size - m->pos, (gsize) 777));
  memcpy (buf, m->data + m->pos, n);
  m->pos += n;
  return n;
}

static gboolean
collect (void *user, const void *buf, gsize len, GError **error)
{
  g_byte_array_append (user, buf, len);
  return TRUE;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  Mem m = { data, size, 0 };
  GByteArray *out = g_byte_array_new ();
  OciTarReader *r = oci_tar_reader_new (mem_read, &m, collect, out);
  gboolean ok = TRUE;
  for (;;)
    {
      const OciTarEntry *e;
      GError *error = NULL;
      if (!oci_tar_reader_next (r, &e, &error))
        {
          g_error_free (error);
          ok = FALSE;
          break;
        }
      if (!e)
        break;
      char *clean = oci_tar_clean_path (e->path, &error);
      g_free (clean);
      g_clear_error (&error);
      for (;;)
        {
          const guint8 *b;
          gsize n;
          if (!oci_tar_reader_data (r, &b, &n, &error))
            {
              g_error_free (error);
              ok = FALSE;
              break;
            }
          if (n == 0)
            break;
          g_byte_array_append (out, b, n);
        }
      if (!ok)
        break;
    }
  if (ok && (out->len != size || (size && memcmp (out->data, data, size) != 0)))
    abort ();
  oci_tar_reader_free (r);
  g_byte_array_unref (out);
  return 0;
}
