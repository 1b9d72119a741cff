/* store/textdiff.c: line diffs of text files (Myers' O(ND) algorithm), for
 * `diff -p` and the line counts of `diff --stat`.
 *
 * Files in images are compared by checksum first; this only runs on text
 * files that did change. The edit distance is capped: past it the rest is
 * reported as one replacement, which is still a correct diff, only not the
 * shortest one.
 */
#include "store/store-private.h"

#include <string.h>

#define MAX_EDITS 2000

typedef struct {
  const char *p;
  gsize len;
  guint hash;
} Line;

static GArray *
split_lines (const char *buf, gsize len)
{
  GArray *lines = g_array_new (FALSE, FALSE, sizeof (Line));
  gsize start = 0;
  for (gsize i = 0; i <= len; i++)
    if (i == len || buf[i] == '\n')
      {
        if (i == len && i == start)
          break;   /* no empty last line after a final newline */
        Line l = { buf + start, i - start + (i < len), 5381 };
        for (gsize k = 0; k < l.len; k++)
          l.hash = l.hash * 33 + (guchar) l.p[k];
        g_array_append_val (lines, l);
        start = i + 1;
      }
  return lines;
}

static gboolean
line_eq (const Line *a, const Line *b)
{
  return a->hash == b->hash && a->len == b->len && (a->len == 0 || memcmp (a->p, b->p, a->len) == 0);
}

gboolean
store_text_is_binary (const char *buf, gsize len)
{
  /* git's rule of thumb: a NUL in the first 8000 bytes */
  return len > 0 && memchr (buf, 0, MIN (len, 8000)) != NULL;
}

/* Appends ops ('=', '-', '+') for a[ai..] vs b[bi..]. */
static void
myers (const Line *a, gint n, const Line *b, gint m, GString *ops)
{
  gint max = n + m;
  gint limit = MIN (max, MAX_EDITS);
  gint off = limit + 1;
  GPtrArray *trace = g_ptr_array_new_with_free_func (g_free);
  gint *v = g_new0 (gint, 2 * off + 1);
  gint found_d = -1;
  for (gint d = 0; d <= limit && found_d < 0; d++)
    {
      for (gint k = -d; k <= d; k += 2)
        {
          gint x;
          if (k == -d || (k != d && v[off + k - 1] < v[off + k + 1]))
            x = v[off + k + 1];
          else
            x = v[off + k - 1] + 1;
          gint y = x - k;
          while (x < n && y < m && line_eq (&a[x], &b[y]))
            x++, y++;
          v[off + k] = x;
          if (x >= n && y >= m)
            {
              found_d = d;
              break;
            }
        }
      g_ptr_array_add (trace, g_memdup2 (v, sizeof (gint) * (2 * off + 1)));
    }
  if (found_d < 0)
    {
      /* Too many edits: common prefix, then replace the rest. */
      gint p = 0;
      while (p < n && p < m && line_eq (&a[p], &b[p]))
        p++;
      for (gint i = 0; i < p; i++)
        g_string_append_c (ops, '=');
      for (gint i = p; i < n; i++)
        g_string_append_c (ops, '-');
      for (gint i = p; i < m; i++)
        g_string_append_c (ops, '+');
      g_free (v);
      g_ptr_array_unref (trace);
      return;
    }
  /* Walk the trace back from (n, m), collecting ops in reverse. */
  GString *rev = g_string_new ("");
  gint x = n, y = m;
  for (gint d = found_d; d > 0; d--)
    {
      gint *pv = trace->pdata[d - 1];
      gint k = x - y;
      gint pk = (k == -d || (k != d && pv[off + k - 1] < pv[off + k + 1])) ? k + 1 : k - 1;
      gint px = pv[off + pk], py = px - pk;
      while (x > px && y > py)
        g_string_append_c (rev, '='), x--, y--;
      if (x == px)
        g_string_append_c (rev, '+'), y--;
      else
        g_string_append_c (rev, '-'), x--;
    }
  while (x > 0 && y > 0)
    g_string_append_c (rev, '='), x--, y--;
  for (gssize i = rev->len - 1; i >= 0; i--)
    g_string_append_c (ops, rev->str[i]);
  g_string_free (rev, TRUE);
  g_free (v);
  g_ptr_array_unref (trace);
}

/* diff -u's range: "START,COUNT", "START" when COUNT is 1, and the line
 * before the hunk when COUNT is 0. */
static void
append_range (GString *out, guint first, guint count)
{
  if (count == 1)
    g_string_append_printf (out, "%u", first + 1);
  else
    g_string_append_printf (out, "%u,%u", count ? first + 1 : first, count);
}

void
store_text_diff (const char *a, gsize alen, const char *b, gsize blen, const char *label_a,
                 const char *label_b, guint context, GString *out, guint *added, guint *deleted)
{
  g_autoptr(GArray) la = split_lines (a, alen);
  g_autoptr(GArray) lb = split_lines (b, blen);
  g_autoptr(GString) ops = g_string_new ("");
  myers ((Line *) la->data, la->len, (Line *) lb->data, lb->len, ops);
  *added = *deleted = 0;
  for (gsize i = 0; i < ops->len; i++)
    {
      if (ops->str[i] == '+')
        (*added)++;
      else if (ops->str[i] == '-')
        (*deleted)++;
    }
  if (!out || (*added == 0 && *deleted == 0))
    return;
  g_string_append_printf (out, "--- %s\n+++ %s\n", label_a, label_b);
  /* Hunks: runs of changes with `context` equal lines around them. */
  gsize i = 0;
  guint ai = 0, bi = 0;   /* line numbers at ops[i] */
  while (i < ops->len)
    {
      if (ops->str[i] == '=')
        {
          i++, ai++, bi++;
          continue;
        }
      gsize start = i;
      guint back = 0;
      while (back < context && start > 0 && ops->str[start - 1] == '=')
        start--, back++;
      /* Extend over changes separated by at most 2*context equal lines
       * (they share one hunk, as in diff -u), then keep `context` of the
       * trailing equal run. */
      gsize end = i;
      guint eq_run = 0;
      while (end < ops->len)
        {
          if (ops->str[end] == '=')
            {
              if (eq_run == 2 * context)
                break;
              eq_run++;
            }
          else
            eq_run = 0;
          end++;
        }
      while (eq_run > context)
        end--, eq_run--;
      guint a0 = ai - back, b0 = bi - back, na = 0, nb = 0;
      for (gsize k = start; k < end; k++)
        {
          if (ops->str[k] != '+')
            na++;
          if (ops->str[k] != '-')
            nb++;
        }
      g_string_append (out, "@@ -");
      append_range (out, a0, na);
      g_string_append (out, " +");
      append_range (out, b0, nb);
      g_string_append (out, " @@\n");
      guint x = a0, y = b0;
      for (gsize k = start; k < end; k++)
        {
          const Line *l = ops->str[k] == '+' ? &g_array_index (lb, Line, y) : &g_array_index (la, Line, x);
          g_string_append_c (out, ops->str[k] == '=' ? ' ' : ops->str[k]);
          g_string_append_len (out, l->p, l->len);
          if (l->len == 0 || l->p[l->len - 1] != '\n')
            g_string_append (out, "\n\\ No newline at end of file\n");
          if (ops->str[k] != '+')
            x++;
          if (ops->str[k] != '-')
            y++;
        }
      /* advance the cursor to the end of the hunk */
      for (; i < end; i++)
        {
          if (ops->str[i] != '+')
            ai++;
          if (ops->str[i] != '-')
            bi++;
        }
    }
}
