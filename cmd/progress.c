/* cmd/progress.c: one line per layer on a terminal, as docker pull shows.
 *
 *   7fa6e8923e45: Extracting     41.9 MB / 95.8 MB
 *   b02b967cb2a5: Download complete
 *   5e20f45809af: Already exists
 *
 * Downloads report from their own thread and the import from the main
 * one, so every call takes the lock. The block of lines is redrawn in
 * place (cursor up, then each line cleared) at most ten times a second,
 * and whenever a layer changes state.
 */
#include "cmd/ctrgit.h"

#include <stdio.h>
#include <string.h>

#define REDRAW_US 100000

typedef struct {
  char *id;          /* the digest's first 12 hex digits */
  char *digest;
  CtrLayerState state;
  guint64 done, total;
} Line;

struct CtrProgress {
  const char *done_label;
  GMutex lock;
  GPtrArray *lines;
  guint drawn;       /* lines on screen from the last redraw */
  gint64 last;
};

static void
line_free (gpointer p)
{
  Line *l = p;
  g_free (l->id);
  g_free (l->digest);
  g_free (l);
}

CtrProgress *
ctr_progress_new (const char *done_label)
{
  CtrProgress *p = g_new0 (CtrProgress, 1);
  p->done_label = done_label;
  g_mutex_init (&p->lock);
  p->lines = g_ptr_array_new_with_free_func (line_free);
  return p;
}

static Line *
line_for (CtrProgress *p, const char *digest)
{
  for (guint i = 0; i < p->lines->len; i++)
    {
      Line *l = p->lines->pdata[i];
      if (g_str_equal (l->digest, digest))
        return l;
    }
  Line *l = g_new0 (Line, 1);
  l->digest = g_strdup (digest);
  const char *hex = strchr (digest, ':');
  l->id = g_strndup (hex ? hex + 1 : digest, 12);
  g_ptr_array_add (p->lines, l);
  return l;
}

static const char *
state_label (CtrProgress *p, CtrLayerState s)
{
  switch (s)
    {
    case CTR_LAYER_WAITING: return "Waiting";
    case CTR_LAYER_DOWNLOADING: return "Downloading";
    case CTR_LAYER_DOWNLOADED: return "Download complete";
    case CTR_LAYER_EXTRACTING: return "Extracting";
    case CTR_LAYER_PUSHING: return "Pushing";
    case CTR_LAYER_DONE: return p->done_label;
    case CTR_LAYER_MOUNTED: return "Mounted";
    case CTR_LAYER_EXISTS: return "Already exists";
    }
  return "";
}

static void
redraw (CtrProgress *p)
{
  if (p->drawn)
    fprintf (stderr, "\033[%uA", p->drawn);
  for (guint i = 0; i < p->lines->len; i++)
    {
      Line *l = p->lines->pdata[i];
      if (l->total && l->done < l->total && l->state != CTR_LAYER_WAITING)
        {
          g_autofree char *d = ctr_format_size (l->done), *t = ctr_format_size (l->total);
          fprintf (stderr, "\r%s: %-18s%10s / %s", l->id, state_label (p, l->state), d, t);
        }
      else
        fprintf (stderr, "\r%s: %s", l->id, state_label (p, l->state));
      fprintf (stderr, "\033[K\n");
    }
  fflush (stderr);
  p->drawn = p->lines->len;
  p->last = g_get_monotonic_time ();
}

void
ctr_progress_set (CtrProgress *p, const char *digest, CtrLayerState state, guint64 done,
                  guint64 total)
{
  if (!p || !digest)
    return;
  g_mutex_lock (&p->lock);
  guint before = p->lines->len;
  Line *l = line_for (p, digest);
  gboolean added = p->lines->len != before;
  /* A layer only moves on: a download still reporting does not take the
   * line back from the extraction that reads it as it lands. */
  if (added || state >= l->state)
    {
      gboolean changed = added || state != l->state;
      l->state = state;
      l->done = done;
      l->total = total;
      if (changed || g_get_monotonic_time () - p->last >= REDRAW_US)
        redraw (p);
    }
  g_mutex_unlock (&p->lock);
}

void
ctr_progress_restart (CtrProgress *p)
{
  if (!p)
    return;
  g_mutex_lock (&p->lock);
  if (p->lines->len)
    redraw (p);
  g_ptr_array_set_size (p->lines, 0);
  p->drawn = 0;
  g_mutex_unlock (&p->lock);
}

void
ctr_progress_free (CtrProgress *p)
{
  if (!p)
    return;
  /* The last state of every line, on screen before the result line. */
  ctr_progress_restart (p);
  g_ptr_array_unref (p->lines);
  g_mutex_clear (&p->lock);
  g_free (p);
}

void
ctr_progress_layer (void *p, const char *digest, StoreLayerProgress what, guint64 done,
                    guint64 total)
{
  CtrLayerState s = what == STORE_LAYER_QUEUED ? CTR_LAYER_WAITING
                    : what == STORE_LAYER_PRESENT ? CTR_LAYER_EXISTS
                    : what == STORE_LAYER_READING ? CTR_LAYER_EXTRACTING : CTR_LAYER_DONE;
  ctr_progress_set (p, digest, s, done, total);
}

void
ctr_progress_download (void *p, const char *digest, guint64 done, guint64 total)
{
  CtrLayerState s = done == 0 ? CTR_LAYER_WAITING
                    : done < total ? CTR_LAYER_DOWNLOADING : CTR_LAYER_DOWNLOADED;
  ctr_progress_set (p, digest, s, done, total);
}

void
ctr_progress_push (void *p, const char *digest, StorePushProgress what)
{
  CtrLayerState s = what == STORE_PUSH_QUEUED ? CTR_LAYER_WAITING
                    : what == STORE_PUSH_UPLOADING ? CTR_LAYER_PUSHING
                    : what == STORE_PUSH_EXISTS ? CTR_LAYER_EXISTS
                    : what == STORE_PUSH_MOUNTED ? CTR_LAYER_MOUNTED : CTR_LAYER_DONE;
  ctr_progress_set (p, digest, s, 0, 0);
}
