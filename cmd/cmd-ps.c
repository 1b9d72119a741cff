/* cmd/cmd-ps.c: ctrgit ps, the containers discovery finds on this host.
 * It needs no store: it reads /proc and the runtimes' state files only. */
#include "cmd/ctrgit.h"
#include "crawler/crawler.h"

#include <stdio.h>
#include <string.h>

/* podman ps shows 12 hex digits of an id */
#define SHORT_ID_LEN 12

static json_t *
target_json (CrawlTarget *t)
{
  json_t *pids = json_array ();
  for (guint i = 0; t->pids && i < t->pids->len; i++)
    json_array_append_new (pids, json_integer (g_array_index (t->pids, pid_t, i)));
  json_t *lowers = json_null ();
  if (t->lowerdirs)
    {
      lowers = json_array ();
      for (char **l = t->lowerdirs; *l; l++)
        json_array_append_new (lowers, crawl_json_string (*l, -1));
    }
  g_autofree char *root = g_strdup_printf ("%s/%d/root", t->proc, (int) t->pid);
  json_t *o = json_object ();
  json_object_set_new (o, "id", crawl_json_string_or_null (t->id));
  json_object_set_new (o, "runtime", crawl_json_string_or_null (t->runtime));
  json_object_set_new (o, "name", crawl_json_string_or_null (t->name));
  json_object_set_new (o, "image", crawl_json_string_or_null (t->image_ref));
  json_object_set_new (o, "image_id", crawl_json_string_or_null (t->image_id));
  json_object_set_new (o, "image_digest", crawl_json_string_or_null (t->image_digest));
  json_object_set_new (o, "hostname", crawl_json_string_or_null (t->hostname));
  json_object_set_new (o, "created", crawl_json_string_or_null (t->created));
  json_object_set_new (o, "pid", json_integer (t->pid));
  json_object_set_new (o, "starttime", json_integer ((json_int_t) t->starttime));
  json_object_set_new (o, "pids", pids);
  json_object_set_new (o, "cgroup", crawl_json_string_or_null (t->cgroup));
  json_object_set_new (o, "root", crawl_json_string (root, -1));
  json_object_set_new (o, "upperdir", crawl_json_string_or_null (t->upperdir));
  json_object_set_new (o, "lowerdirs", lowers);
  json_object_set_new (o, "workdir", crawl_json_string_or_null (t->workdir));
  json_object_set_new (o, "labels", t->labels ? json_incref (t->labels) : json_null ());
  return o;
}

enum { COL_ID, COL_RUNTIME, COL_NAME, COL_IMAGE, COL_PID, COL_ROOT, COL_UPPER, N_COLS };

static void
print_table (GPtrArray *found, gboolean no_trunc)
{
  static const char *const heads[N_COLS] = { "CONTAINER ID", "RUNTIME", "NAME", "IMAGE",
                                             "PID", "ROOT", "UPPERDIR" };
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  gsize width[N_COLS];
  for (int c = 0; c < N_COLS; c++)
    width[c] = strlen (heads[c]);
  for (guint i = 0; i < found->len; i++)
    {
      CrawlTarget *t = found->pdata[i];
      char **row = g_new0 (char *, N_COLS + 1);
      row[COL_ID] = no_trunc ? ctr_printable (t->id) : g_strndup (t->id, SHORT_ID_LEN);
      row[COL_RUNTIME] = ctr_printable (t->runtime);
      row[COL_NAME] = ctr_printable (t->name);
      row[COL_IMAGE] = ctr_printable (t->image_ref);
      row[COL_PID] = g_strdup_printf ("%d", (int) t->pid);
      row[COL_ROOT] = g_strdup_printf ("%s/%d/root", t->proc, (int) t->pid);
      row[COL_UPPER] = ctr_printable (t->upperdir);
      for (int c = 0; c < N_COLS; c++)
        width[c] = MAX (width[c], (gsize) g_utf8_strlen (row[c], -1));
      g_ptr_array_add (rows, row);
    }
  /* columns as podman ps aligns them: two spaces apart, the last unpadded */
  for (guint i = 0; i <= rows->len; i++)
    {
      const char *const *row = i == 0 ? heads : (const char *const *) rows->pdata[i - 1];
      g_autoptr(GString) line = g_string_new (NULL);
      for (int c = 0; c < N_COLS; c++)
        {
          g_string_append (line, row[c]);
          if (c + 1 < N_COLS)
            for (gsize pad = g_utf8_strlen (row[c], -1); pad < width[c] + 2; pad++)
              g_string_append_c (line, ' ');
        }
      printf ("%s\n", line->str);
    }
}

int
cmd_ps (int argc, char **argv, CtrGlobals *g)
{
  gboolean json = FALSE, quiet = FALSE, no_trunc = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Output JSON, every field of every container", NULL },
    { "no-trunc", 0, 0, G_OPTION_ARG_NONE, &no_trunc, "Show full container IDs", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print only container IDs", NULL },
    { NULL },
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("- list the containers running on this host");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!ctr_parse_options (ctx, &argc, &argv, "ps"))
    return CTR_EXIT_USAGE;
  if (argc > 1)
    return ctr_usage ("ps", "unexpected argument \"%s\"", argv[1]);

  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;
  if (!crawl_discover ("/proc", &found, &error))
    return ctr_fail ("ps", error);

  if (json)
    {
      g_autoptr(json_t) arr = json_array ();
      for (guint i = 0; i < found->len; i++)
        json_array_append_new (arr, target_json (found->pdata[i]));
      g_autofree char *text = json_dumps (arr, JSON_INDENT (2) | JSON_PRESERVE_ORDER);
      printf ("%s\n", text);
      return CTR_EXIT_OK;
    }
  if (quiet)
    {
      for (guint i = 0; i < found->len; i++)
        {
          CrawlTarget *t = found->pdata[i];
          printf ("%.*s\n", no_trunc ? (int) strlen (t->id) : SHORT_ID_LEN, t->id);
        }
      return CTR_EXIT_OK;
    }
  print_table (found, no_trunc);
  return CTR_EXIT_OK;
}
