/* cmd/cmd-diff.c: ctrgit diff REV1 REV2 [-- PATH...] */
#include "cmd/ctrgit.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const char *
kind_of (const StoreDiffEntry *e, gboolean new_side)
{
  guint32 m = new_side ? e->new_mode : e->old_mode;
  if (e->is_dir || S_ISDIR (m))
    return "directory";
  return S_ISLNK (m) ? "symlink" : "file";
}

static json_t *
side (const StoreDiffEntry *e, gboolean new_side)
{
  guint32 mode = new_side ? e->new_mode : e->old_mode;
  g_autofree char *m = g_strdup_printf ("%04o", mode & 07777);
  json_t *j = json_pack ("{s:s, s:s, s:i, s:i}", "type", kind_of (e, new_side), "mode", m,
                         "uid", (int) (new_side ? e->new_uid : e->old_uid),
                         "gid", (int) (new_side ? e->new_gid : e->old_gid));
  if (S_ISREG (mode))
    json_object_set_new (j, "size", json_integer (new_side ? e->new_size : e->old_size));
  const char *t = new_side ? e->new_target : e->old_target;
  if (t)
    json_object_set_new (j, "target", json_string (t));
  return j;
}

static json_t *
entry_json (const StoreDiffEntry *e)
{
  char st[2] = { e->status, 0 };
  json_t *j = json_pack ("{s:s, s:s}", "status", st, "path", e->path);
  if (e->status != 'A')
    json_object_set_new (j, "old", side (e, FALSE));
  if (e->status != 'D')
    json_object_set_new (j, "new", side (e, TRUE));
  if (e->status == 'M')
    {
      json_t *what = json_array ();
      const struct { gboolean on; const char *name; } flags[] = {
        { e->content, "content" }, { e->mode, "mode" }, { e->owner, "owner" },
        { e->xattrs, "xattrs" }, { e->target, "target" },
      };
      for (guint i = 0; i < G_N_ELEMENTS (flags); i++)
        if (flags[i].on)
          json_array_append_new (what, json_string (flags[i].name));
      json_object_set_new (j, "changed", what);
    }
  return j;
}

static json_t *
version_json (CtrStore *store, const char *ref, const char *commit)
{
  g_autoptr(StoreImage) img = store_image_load (store, commit, NULL);
  return json_pack ("{s:s, s:s, s:s?}", "reference", ref, "commit", commit,
                    "manifest_digest", img ? img->manifest_digest : NULL);
}

int
cmd_diff (int argc, char **argv, CtrGlobals *g)
{
  gboolean name_status = FALSE, stat = FALSE, json = FALSE, exit_code = FALSE;
  GOptionEntry entries[] = {
    { "name-status", 0, 0, G_OPTION_ARG_NONE, &name_status, "Status letter and path of each change (default)", NULL },
    { "stat", 0, 0, G_OPTION_ARG_NONE, &stat, "Size change of each path and a summary", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Output JSON (docs/json.md)", NULL },
    { "exit-code", 0, 0, G_OPTION_ARG_NONE, &exit_code, "Exit 1 if there are differences", NULL },
    { NULL },
  };
  g_auto(GStrv) paths = ctr_split_paths (&argc, argv);
  g_autoptr(GOptionContext) ctx = g_option_context_new ("REV1 REV2 [-- PATH...] - compare two image versions");
  g_option_context_set_description (ctx,
      "REV is NAME[:TAG], NAME~N (N versions back), NAME@sha256:DIGEST or a commit checksum.\n"
      "Status letters: A added, D deleted, M modified, T type changed (file <-> symlink).");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!ctr_parse_options (ctx, &argc, &argv, "diff"))
    return CTR_EXIT_USAGE;
  if (argc != 3)
    return ctr_usage ("diff", "expected REV1 REV2");
  if ((stat + json + name_status) > 1)
    return ctr_usage ("diff", "--name-status, --stat and --json exclude each other");
  for (char **p = paths; p && *p; p++)
    if (**p != '/')
      return ctr_usage ("diff", "paths are absolute, as in the image: \"%s\"", *p);

  g_autoptr(GError) error = NULL;
  g_autoptr(CtrStore) store = ctr_open_store (g, &error);
  if (!store)
    return ctr_fail ("diff", error);
  g_autofree char *ref_a = NULL, *ref_b = NULL, *a = NULL, *b = NULL;
  if (!store_resolve_revision (store, argv[1], &ref_a, &a, &error)
      || !store_resolve_revision (store, argv[2], &ref_b, &b, &error))
    return ctr_fail ("diff", error);
  for (char **p = paths; p && *p; p++)
    {
      g_auto(StoreNode) na = { 0 }, nb = { 0 };
      if (!store_tree_lookup (store, a, *p, FALSE, &na, NULL)
          && !store_tree_lookup (store, b, *p, FALSE, &nb, &error))
        return ctr_fail ("diff", error);
    }
  g_autoptr(GPtrArray) changes = NULL;
  if (!store_diff (store, a, b, paths, &changes, NULL, &error))
    return ctr_fail ("diff", error);

  if (json)
    {
      json_t *list = json_array ();
      for (guint i = 0; i < changes->len; i++)
        json_array_append_new (list, entry_json (changes->pdata[i]));
      g_autoptr(json_t) doc = json_pack ("{s:o, s:o, s:o}", "from", version_json (store, ref_a, a),
                                         "to", version_json (store, ref_b, b), "changes", list);
      g_autofree char *text = json_dumps (doc, JSON_INDENT (2) | JSON_PRESERVE_ORDER);
      printf ("%s\n", text);
    }
  else if (stat)
    {
      guint n[256] = { 0 };
      gsize width = 0;
      for (guint i = 0; i < changes->len; i++)
        width = MAX (width, strlen (((StoreDiffEntry *) changes->pdata[i])->path));
      width = MIN (width, 60);
      for (guint i = 0; i < changes->len; i++)
        {
          StoreDiffEntry *e = changes->pdata[i];
          n[(guint8) e->status]++;
          if (e->is_dir)
            printf (" %-*s | %s\n", (int) width, e->path,
                    e->status == 'M' ? "attributes" : e->status == 'A' ? "new directory" : "directory gone");
          else if (e->status == 'M' && !e->content)
            printf (" %-*s | %s%s%s%s\n", (int) width, e->path, e->mode ? "mode " : "",
                    e->owner ? "owner " : "", e->xattrs ? "xattrs " : "", e->target ? "target" : "");
          else
            printf (" %-*s | Bin %" G_GUINT64_FORMAT " -> %" G_GUINT64_FORMAT " bytes\n",
                    (int) width, e->path, e->old_size, e->new_size);
        }
      printf (" %u path%s changed, %u added, %u deleted, %u modified, %u type changes\n",
              changes->len, changes->len == 1 ? "" : "s", n['A'], n['D'], n['M'], n['T']);
    }
  else
    {
      for (guint i = 0; i < changes->len; i++)
        {
          StoreDiffEntry *e = changes->pdata[i];
          const char *col = !g->tty ? "" : e->status == 'A' ? "\033[32m" : e->status == 'D' ? "\033[31m" : "\033[33m";
          printf ("%s%c%s\t%s\n", col, e->status, g->tty ? "\033[m" : "", e->path);
        }
    }
  return exit_code && changes->len > 0 ? CTR_EXIT_ERROR : CTR_EXIT_OK;
}
