/* cmd/cmd-log.c: ctrgit log REV */
#include "cmd/ctrgit.h"

#include <stdio.h>

typedef struct {
  guint added, deleted, modified, type_changed;
  gboolean root;  /* no parent to compare with */
} Counts;

static gboolean
count_changes (CtrStore *store, const StoreImage *img, Counts *c, GError **error)
{
  *c = (Counts) { 0 };
  g_autoptr(GError) local = NULL;
  g_autofree char *parent = store_commit_parent (store, img->commit, &local);
  if (!parent)
    {
      c->root = TRUE;
      return TRUE;
    }
  g_autoptr(GPtrArray) changes = NULL;
  if (!store_diff (store, parent, img->commit, NULL, STORE_DIFF_NAMES, &changes, NULL, error))
    return FALSE;
  for (guint i = 0; i < changes->len; i++)
    {
      StoreDiffEntry *e = changes->pdata[i];
      switch (e->status)
        {
        case 'A': c->added++; break;
        case 'D': c->deleted++; break;
        case 'T': c->type_changed++; break;
        default: c->modified++; break;
        }
    }
  return TRUE;
}

static char *
format_time (gint64 t)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (t);
  return g_date_time_format (dt, "%Y-%m-%d %H:%M:%S UTC");
}

int
cmd_log (int argc, char **argv, CtrGlobals *g)
{
  gboolean oneline = FALSE, stat = FALSE, json = FALSE;
  gint max = -1;   /* -1: not given */
  GOptionEntry entries[] = {
    { "oneline", 0, 0, G_OPTION_ARG_NONE, &oneline, "One line per version", NULL },
    { "stat", 0, 0, G_OPTION_ARG_NONE, &stat, "Count paths added, deleted and modified since the previous version", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Output JSON (docs/json.md)", NULL },
    { "max-count", 'n', 0, G_OPTION_ARG_INT, &max, "Show at most N versions", "N" },
    { NULL },
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("REV - the versions of an image reference");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!ctr_parse_options (ctx, &argc, &argv, "log"))
    return CTR_EXIT_USAGE;
  if (argc != 2)
    return ctr_usage ("log", "expected one REV");
  if (max == 0 || max < -1)
    return ctr_usage ("log", "-n takes a positive number");
  if (max == -1)
    max = 0;   /* all */
  g_autoptr(GError) error = NULL;
  g_autoptr(CtrStore) store = ctr_open_store (g, &error);
  if (!store)
    return ctr_fail ("log", error);
  g_autofree char *ref = NULL, *commit = NULL;
  if (!store_resolve_revision (store, argv[1], &ref, &commit, &error))
    return ctr_fail ("log", error);
  g_autoptr(GPtrArray) versions = store_history (store, commit, max, &error);
  if (!versions)
    return ctr_fail ("log", error);

  g_autoptr(json_t) list = json_array ();
  for (guint i = 0; i < versions->len; i++)
    {
      StoreImage *img = versions->pdata[i];
      Counts c = { 0 };
      if (stat && !count_changes (store, img, &c, &error))
        return ctr_fail ("log", error);
      g_autofree char *imported = format_time (img->imported);
      if (json)
        {
          json_t *j = json_pack ("{s:s, s:s, s:s, s:s, s:s, s:s?, s:s, s:I, s:I, s:I, s:i}",
              "commit", img->commit, "reference", img->reference,
              "manifest_digest", img->manifest_digest, "config_digest", img->config_digest,
              "platform", img->platform, "created", img->created && *img->created ? img->created : NULL,
              "imported", imported, "imported_unix", (json_int_t) img->imported,
              "size", (json_int_t) img->size, "unpacked_size", (json_int_t) img->unpacked_size,
              "layers", (int) img->diff_ids->len);
          if (stat && !c.root)
            json_object_set_new (j, "changes", json_pack ("{s:i, s:i, s:i, s:i}", "added", c.added,
                                 "deleted", c.deleted, "modified", c.modified, "type_changed", c.type_changed));
          json_array_append_new (list, j);
          continue;
        }
      const char *y = g->tty ? "\033[33m" : "", *o = g->tty ? "\033[m" : "";
      if (oneline)
        {
          printf ("%s%.12s%s %s %.19s %s", y, img->commit, o, imported, img->manifest_digest,
                  img->created && *img->created ? img->created : "-");
          if (stat && !c.root)
            printf ("  +%u -%u ~%u", c.added, c.deleted, c.modified + c.type_changed);
          printf ("\n");
          continue;
        }
      g_autofree char *size = ctr_format_size (img->size), *unpacked = ctr_format_size (img->unpacked_size);
      if (i == 0)
        printf ("%scommit %s (%s)%s\n", y, img->commit, ref, o);
      else
        printf ("%scommit %s%s\n", y, img->commit, o);
      printf ("Manifest: %s\nConfig:   %s\nPlatform: %s\nCreated:  %s\nImported: %s\nSource:   %s\n"
              "Layers:   %u (%s compressed, %s unpacked)\n",
              img->manifest_digest, img->config_digest, img->platform,
              img->created && *img->created ? img->created : "unknown", imported, img->source,
              img->diff_ids->len, size, unpacked);
      if (stat && !c.root)
        printf ("Changes:  %u added, %u deleted, %u modified, %u type changes\n", c.added, c.deleted,
                c.modified, c.type_changed);
      if (i + 1 < versions->len)
        printf ("\n");
    }
  if (json)
    {
      g_autofree char *text = json_dumps (list, JSON_INDENT (2) | JSON_PRESERVE_ORDER);
      printf ("%s\n", text);
    }
  return CTR_EXIT_OK;
}
