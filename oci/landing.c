/* oci/landing.c: how much of a file another thread has written so far.
 *
 * A pull reads a layer while it downloads: the download thread says how
 * many bytes of the file are there (and, when a server ignored a Range,
 * that they are being written again from 0), then that the blob is
 * complete and verified, or why it failed. A reader blocks until the bytes
 * it wants have landed; it never sees a byte past what was reported.
 */
#include "oci/oci-stream.h"

struct OciLanding {
  GMutex lock;
  GCond changed;
  guint64 written;
  gboolean done;
  GError *error;
  gint refs;
};

OciLanding *
oci_landing_new (void)
{
  OciLanding *l = g_new0 (OciLanding, 1);
  g_mutex_init (&l->lock);
  g_cond_init (&l->changed);
  l->refs = 1;
  return l;
}

OciLanding *
oci_landing_ref (OciLanding *l)
{
  g_atomic_int_inc (&l->refs);
  return l;
}

void
oci_landing_unref (OciLanding *l)
{
  if (!l || !g_atomic_int_dec_and_test (&l->refs))
    return;
  g_clear_error (&l->error);
  g_mutex_clear (&l->lock);
  g_cond_clear (&l->changed);
  g_free (l);
}

void
oci_landing_update (OciLanding *l, guint64 written)
{
  g_mutex_lock (&l->lock);
  if (!l->done && written != l->written)
    {
      l->written = written;
      g_cond_broadcast (&l->changed);
    }
  g_mutex_unlock (&l->lock);
}

void
oci_landing_finish (OciLanding *l, const GError *error)
{
  g_mutex_lock (&l->lock);
  if (!l->done)
    {
      l->done = TRUE;
      if (error)
        l->error = g_error_copy (error);
      g_cond_broadcast (&l->changed);
    }
  g_mutex_unlock (&l->lock);
}

gboolean
oci_landing_wait (OciLanding *l, guint64 offset, guint64 *out_avail, GError **error)
{
  g_mutex_lock (&l->lock);
  while (!l->done && l->written <= offset)
    g_cond_wait (&l->changed, &l->lock);
  gboolean ok = l->error == NULL;
  if (!ok)
    g_propagate_error (error, g_error_copy (l->error));
  *out_avail = ok && l->written > offset ? l->written - offset : 0;
  g_mutex_unlock (&l->lock);
  return ok;
}
