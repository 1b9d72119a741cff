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
entry_json (const StoreDiffEntry *e, gint layer)
{
  char st[2] = { e->status, 0 };
  json_t *j = json_pack ("{s:s, s:s}", "status", st, "path", e->path);
  if (layer >= 0)
    json_object_set_new (j, "layer", json_integer (layer + 1));
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

/* Files up to this size are compared line by line; larger ones as binary. */
#define TEXT_DIFF_MAX (8 * 1024 * 1024)

/* The two sides of a change as text (a symlink's text is its target, as in
 * git); FALSE if either side is binary, too large or a directory. */
static gboolean
text_sides (CtrStore *store, const StoreDiffEntry *e, GBytes **a, GBytes **b, GError **error)
{
  *a = *b = NULL;
  if (e->is_dir)
    return FALSE;
  for (int side = 0; side < 2; side++)
    {
      gboolean new_side = side == 1;
      const char *csum = new_side ? e->new_checksum : e->old_checksum;
      guint32 mode = new_side ? e->new_mode : e->old_mode;
      GBytes **out = new_side ? b : a;
      if (!csum)
        *out = g_bytes_new (NULL, 0);
      else if (S_ISLNK (mode))
        {
          const char *t = new_side ? e->new_target : e->old_target;
          *out = g_bytes_new (t, strlen (t));
        }
      else if ((new_side ? e->new_size : e->old_size) > TEXT_DIFF_MAX)
        return FALSE;
      else if (!(*out = store_object_read (store, csum, TEXT_DIFF_MAX, error)))
        return FALSE;
      gsize len;
      const char *d = g_bytes_get_data (*out, &len);
      if (store_text_is_binary (d, len))
        return FALSE;
    }
  return TRUE;
}

static gboolean
print_stat (CtrStore *store, GPtrArray *changes, GError **error)
{
  guint n[256] = { 0 }, lines_add = 0, lines_del = 0;
  gsize width = 0;
  g_autofree guint *add = g_new0 (guint, changes->len);
  g_autofree guint *del = g_new0 (guint, changes->len);
  g_autofree gboolean *text = g_new0 (gboolean, changes->len);
  guint most = 0;
  for (guint i = 0; i < changes->len; i++)
    {
      StoreDiffEntry *e = changes->pdata[i];
      width = MAX (width, strlen (e->path));
      g_autoptr(GBytes) a = NULL, b = NULL;
      if (!text_sides (store, e, &a, &b, error))
        {
          if (error && *error)
            return FALSE;
          g_clear_pointer (&a, g_bytes_unref);
          g_clear_pointer (&b, g_bytes_unref);
          continue;
        }
      text[i] = TRUE;
      store_text_diff (g_bytes_get_data (a, NULL), g_bytes_get_size (a), g_bytes_get_data (b, NULL),
                       g_bytes_get_size (b), "", "", 0, NULL, &add[i], &del[i]);
      most = MAX (most, add[i] + del[i]);
      lines_add += add[i];
      lines_del += del[i];
    }
  width = MIN (width, 60);
  for (guint i = 0; i < changes->len; i++)
    {
      StoreDiffEntry *e = changes->pdata[i];
      n[(guint8) e->status]++;
      printf (" %-*s | ", (int) width, e->path);
      if (e->is_dir)
        printf ("%s\n", e->status == 'M' ? "attributes" : e->status == 'A' ? "new directory" : "directory gone");
      else if (text[i] && (add[i] || del[i]))
        {
          /* git's bars: scaled to at most 40 columns */
          guint scale = MAX (most, 40);
          guint pa = (add[i] * 40 + scale - 1) / scale, pd = (del[i] * 40 + scale - 1) / scale;
          printf ("%u ", add[i] + del[i]);
          for (guint k = 0; k < pa; k++)
            putchar ('+');
          for (guint k = 0; k < pd; k++)
            putchar ('-');
          putchar ('\n');
        }
      else if (e->status == 'M' && !e->content)
        {
          const char *what[] = { e->mode ? "mode" : NULL, e->owner ? "owner" : NULL,
                                 e->xattrs ? "xattrs" : NULL, e->target ? "target" : NULL };
          g_autoptr(GPtrArray) on = g_ptr_array_new ();
          for (guint k = 0; k < G_N_ELEMENTS (what); k++)
            if (what[k])
              g_ptr_array_add (on, (char *) what[k]);
          g_ptr_array_add (on, NULL);
          g_autofree char *joined = g_strjoinv (" ", (char **) on->pdata);
          printf ("%s\n", joined);
        }
      else
        printf ("Bin %" G_GUINT64_FORMAT " -> %" G_GUINT64_FORMAT " bytes\n", e->old_size, e->new_size);
    }
  printf (" %u path%s changed, %u added, %u deleted, %u modified, %u type change%s; "
          "%u line%s added, %u removed\n",
          changes->len, changes->len == 1 ? "" : "s", n['A'], n['D'], n['M'], n['T'],
          n['T'] == 1 ? "" : "s", lines_add, lines_add == 1 ? "" : "s", lines_del);
  return TRUE;
}

static gboolean
print_patch (CtrStore *store, const StoreDiffEntry *e, gboolean tty, GError **error)
{
  const char *bold = tty ? "\033[1m" : "", *off = tty ? "\033[m" : "";
  printf ("%sdiff --ctrgit a%s b%s%s\n", bold, e->path, e->path, off);
  guint32 om = e->old_mode, nm = e->new_mode;
  if (e->status == 'A')
    printf ("new %s mode %06o\n", e->is_dir ? "directory" : "file", nm);
  else if (e->status == 'D')
    printf ("deleted %s mode %06o\n", e->is_dir ? "directory" : "file", om);
  else if (om != nm)
    printf ("old mode %06o\nnew mode %06o\n", om, nm);
  if (e->status == 'M' && e->owner)
    printf ("old owner %u:%u\nnew owner %u:%u\n", e->old_uid, e->old_gid, e->new_uid, e->new_gid);
  if (e->status == 'M' && e->xattrs)
    printf ("xattrs changed\n");
  if (e->is_dir || (e->status == 'M' && !e->content && !e->target))
    return TRUE;
  g_autoptr(GBytes) a = NULL, b = NULL;
  if (!text_sides (store, e, &a, &b, error))
    {
      if (error && *error)
        return FALSE;
      printf ("Binary files %s%s and %s%s differ\n", e->status == 'A' ? "/dev/null" : "a",
              e->status == 'A' ? "" : e->path, e->status == 'D' ? "/dev/null" : "b",
              e->status == 'D' ? "" : e->path);
      return TRUE;
    }
  g_autofree char *la = e->status == 'A' ? g_strdup ("/dev/null") : g_strconcat ("a", e->path, NULL);
  g_autofree char *lb = e->status == 'D' ? g_strdup ("/dev/null") : g_strconcat ("b", e->path, NULL);
  g_autoptr(GString) out = g_string_new ("");
  guint add, del;
  store_text_diff (g_bytes_get_data (a, NULL), g_bytes_get_size (a), g_bytes_get_data (b, NULL),
                   g_bytes_get_size (b), la, lb, 3, out, &add, &del);
  if (!tty)
    {
      fputs (out->str, stdout);
      return TRUE;
    }
  g_auto(GStrv) lines = g_strsplit (out->str, "\n", -1);
  for (char **l = lines; *l && (**l || l[1]); l++)
    {
      const char *c = g_str_has_prefix (*l, "@@") ? "\033[36m" : (**l == '+' && !g_str_has_prefix (*l, "+++")) ? "\033[32m"
                      : (**l == '-' && !g_str_has_prefix (*l, "---")) ? "\033[31m" : "";
      printf ("%s%s%s\n", c, *l, *c ? "\033[m" : "");
    }
  return TRUE;
}

static gint
str_cmp (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* --packages: what the package databases of the two versions say. */
static int
diff_packages (CtrStore *store, const char *ref_a, const char *a, const char *ref_b, const char *b,
               gboolean json, gboolean exit_code)
{
  guint n_changes = 0;
  g_autoptr(GError) error = NULL;
  g_autofree char *fa = NULL, *fb = NULL;
  g_autoptr(GHashTable) pa = NULL, pb = NULL;
  if (!store_packages_read (store, a, &fa, &pa, &error))
    return g_prefix_error (&error, "%s: ", ref_a), ctr_fail ("diff", error);
  if (!store_packages_read (store, b, &fb, &pb, &error))
    return g_prefix_error (&error, "%s: ", ref_b), ctr_fail ("diff", error);
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();
  GHashTableIter it;
  gpointer k;
  g_hash_table_iter_init (&it, pa);
  while (g_hash_table_iter_next (&it, &k, NULL))
    g_ptr_array_add (keys, k);
  g_hash_table_iter_init (&it, pb);
  while (g_hash_table_iter_next (&it, &k, NULL))
    if (!g_hash_table_contains (pa, k))
      g_ptr_array_add (keys, k);
  g_ptr_array_sort (keys, str_cmp);
  g_autoptr(json_t) list = json_array ();
  for (guint i = 0; i < keys->len; i++)
    {
      const StorePackage *x = g_hash_table_lookup (pa, keys->pdata[i]);
      const StorePackage *y = g_hash_table_lookup (pb, keys->pdata[i]);
      if (x && y && g_str_equal (x->version, y->version))
        continue;
      const StorePackage *p = y ? y : x;
      const char *change = !x ? "added" : !y ? "removed" : "changed";
      n_changes++;
      if (json)
        {
          json_array_append_new (list, json_pack ("{s:s, s:s, s:s, s:s?, s:s?}", "change", change,
                                                  "name", p->name, "arch", p->arch,
                                                  "old_version", x ? x->version : NULL,
                                                  "new_version", y ? y->version : NULL));
          continue;
        }
      if (!x)
        printf ("+ %s %s %s\n", p->name, y->version, p->arch);
      else if (!y)
        printf ("- %s %s %s\n", p->name, x->version, p->arch);
      else
        printf ("~ %s %s -> %s %s\n", p->name, x->version, y->version, p->arch);
    }
  if (json)
    {
      g_autoptr(json_t) doc = json_pack ("{s:{s:s, s:s}, s:{s:s, s:s}, s:O}",
                                         "from", "reference", ref_a, "format", fa,
                                         "to", "reference", ref_b, "format", fb, "packages", list);
      g_autofree char *text = json_dumps (doc, JSON_INDENT (2) | JSON_PRESERVE_ORDER);
      printf ("%s\n", text);
    }
  return exit_code && n_changes ? CTR_EXIT_ERROR : CTR_EXIT_OK;
}

int
cmd_diff (int argc, char **argv, CtrGlobals *g)
{
  gboolean name_status = FALSE, stat = FALSE, json = FALSE, exit_code = FALSE, patch = FALSE;
  gboolean packages = FALSE, show_layers = FALSE;
  GOptionEntry entries[] = {
    { "name-status", 0, 0, G_OPTION_ARG_NONE, &name_status, "Status letter and path of each change (default)", NULL },
    { "stat", 0, 0, G_OPTION_ARG_NONE, &stat, "Lines (text) or bytes (binary) changed per path, and a summary", NULL },
    { "patch", 'p', 0, G_OPTION_ARG_NONE, &patch, "Unified diff of text files, attribute changes of others", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Output JSON (docs/json.md)", NULL },
    { "packages", 0, 0, G_OPTION_ARG_NONE, &packages, "Packages added (+), removed (-) and changed (~): dpkg, apk, rpm", NULL },
    { "layers", 0, 0, G_OPTION_ARG_NONE, &show_layers, "With --name-status: add the layer of REV2 that made each change (0: none)", NULL },
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
  if ((stat + json + name_status + patch) > 1)
    return ctr_usage ("diff", "--name-status, --stat, --patch and --json exclude each other");
  if (packages && (stat || patch || paths || show_layers))
    return ctr_usage ("diff", "--packages goes with --json and --exit-code only");
  if (show_layers && (stat || patch))
    return ctr_usage ("diff", "--layers goes with --name-status (or --json, which always has them)");
  if (!ctr_canonical_paths ("diff", paths))
    return CTR_EXIT_USAGE;

  g_autoptr(GError) error = NULL;
  g_autoptr(CtrStore) store = ctr_open_store (g, &error);
  if (!store)
    return ctr_fail ("diff", error);
  g_autofree char *ref_a = NULL, *ref_b = NULL, *a = NULL, *b = NULL;
  if (!store_resolve_revision (store, argv[1], &ref_a, &a, &error)
      || !store_resolve_revision (store, argv[2], &ref_b, &b, &error))
    return ctr_fail ("diff", error);
  if (packages)
    {
      int rc = diff_packages (store, ref_a, a, ref_b, b, json, exit_code);
      return rc;
    }
  for (char **p = paths; p && *p; p++)
    {
      g_auto(StoreNode) na = { 0 }, nb = { 0 };
      if (!store_tree_lookup (store, a, *p, FALSE, &na, NULL)
          && !store_tree_lookup (store, b, *p, FALSE, &nb, &error))
        return ctr_fail ("diff", error);
    }
  g_autoptr(GPtrArray) changes = NULL;
  /* name-status needs no attributes of added and deleted paths */
  StoreDiffFlags flags = json || stat || patch ? STORE_DIFF_DETAILS : STORE_DIFF_NAMES;
  if (!store_diff (store, a, b, paths, flags, &changes, NULL, &error))
    return ctr_fail ("diff", error);
  /* The layer of REV2 that added, changed or removed each path. */
  g_autoptr(GHashTable) layers = g_hash_table_new (g_str_hash, g_str_equal);
  if (json || show_layers)
    {
      for (guint i = 0; i < changes->len; i++)
        g_hash_table_insert (layers, ((StoreDiffEntry *) changes->pdata[i])->path, GINT_TO_POINTER (-1));
      g_autoptr(StoreImage) img_b = store_image_load (store, b, &error);
      if (!img_b || !store_layer_attribute (store, img_b, layers, &error))
        return ctr_fail ("diff", error);
    }

  if (json)
    {
      json_t *list = json_array ();
      for (guint i = 0; i < changes->len; i++)
        {
          StoreDiffEntry *e = changes->pdata[i];
          json_array_append_new (list, entry_json (e, GPOINTER_TO_INT (g_hash_table_lookup (layers, e->path))));
        }
      g_autoptr(json_t) doc = json_pack ("{s:o, s:o, s:o}", "from", version_json (store, ref_a, a),
                                         "to", version_json (store, ref_b, b), "changes", list);
      g_autofree char *text = json_dumps (doc, JSON_INDENT (2) | JSON_PRESERVE_ORDER);
      printf ("%s\n", text);
    }
  else if (stat)
    {
      if (!print_stat (store, changes, &error))
        return ctr_fail ("diff", error);
    }
  else if (patch)
    {
      for (guint i = 0; i < changes->len; i++)
        if (!print_patch (store, changes->pdata[i], g->tty, &error))
          return ctr_fail ("diff", error);
    }
  else
    {
      for (guint i = 0; i < changes->len; i++)
        {
          StoreDiffEntry *e = changes->pdata[i];
          const char *col = !g->tty ? "" : e->status == 'A' ? "\033[32m" : e->status == 'D' ? "\033[31m" : "\033[33m";
          printf ("%s%c%s\t%s", col, e->status, g->tty ? "\033[m" : "", e->path);
          if (show_layers)
            printf ("\t%d", GPOINTER_TO_INT (g_hash_table_lookup (layers, e->path)) + 1);
          printf ("\n");
        }
    }
  return exit_code && changes->len > 0 ? CTR_EXIT_ERROR : CTR_EXIT_OK;
}
