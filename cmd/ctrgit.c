/* cmd/ctrgit.c: the command table and main. */
#include "cmd/ctrgit.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const CtrCommand commands[] = {
  { "init",   cmd_init,   "Create an image store" },
  { "import", cmd_import, "Import an image from an OCI layout or archive, or a docker archive" },
  { "images", cmd_images, "List the images in the store" },
  { "export", cmd_export, "Write an image to an OCI layout or archive, or a docker archive" },
  { "pull",   cmd_pull,   "Pull an image from a registry (OCI Distribution API)" },
  { "push",   cmd_push,   "Push an image version to a registry" },
  { "login",  cmd_login,  "Check credentials for a registry and store them in auth.json" },
  { "log",    cmd_log,    "Show the versions of an image reference, newest first" },
  { "diff",   cmd_diff,   "Compare two image versions file by file" },
  { "show",   cmd_show,   "Show an image version: manifest, config, layers, history" },
  { "ls",     cmd_ls,     "List a directory of an image version" },
  { "cat",    cmd_cat,    "Print a file of an image version" },
  { "checkout", cmd_checkout, "Write an image version's root filesystem to a new directory" },
  { "tag",    cmd_tag,    "Give an image version another reference" },
  { "rm",     cmd_rm,     "Remove an image reference (its data goes at the next gc)" },
  { "du",     cmd_du,     "Show the store's disk usage and deduplication" },
  { "fsck",   cmd_fsck,   "Verify every object, layer and image in the store" },
  { "gc",     cmd_gc,     "Remove what no image reference reaches" },
  { "ps",     cmd_ps,     "List the containers running on this host, found from /proc" },
  { "crawl",  cmd_crawl,  "Crawl containers (or the host) into frames, without entering them" },
  { "search", cmd_search, "Search the indexed frames: packages, ports, images, files, text" },
  { NULL, NULL, NULL },
};

static void
usage (FILE *out)
{
  fprintf (out, "usage: ctrgit [--repo DIR] COMMAND [ARGS...]\n\nCommands:\n");
  for (const CtrCommand *c = commands; c->name; c++)
    fprintf (out, "  %-9s %s\n", c->name, c->summary);
  fprintf (out, "\nThe store is --repo DIR, else $CTRGIT_REPO, else /var/lib/ctrgit (root)\n"
                "or $XDG_DATA_HOME/ctrgit. `ctrgit COMMAND --help` describes each command.\n");
}

gboolean
ctr_parse_options (GOptionContext *ctx, int *argc, char ***argv, const char *cmd)
{
  g_autoptr(GError) error = NULL;
  if (!g_option_context_parse (ctx, argc, argv, &error))
    {
      fprintf (stderr, "ctrgit %s: %s\n", cmd, error->message);
      return FALSE;
    }
  return TRUE;
}

int
ctr_fail (const char *cmd, GError *error)
{
  fprintf (stderr, "ctrgit %s: %s\n", cmd, error ? error->message : "failed");
  return CTR_EXIT_ERROR;
}

int
ctr_usage (const char *cmd, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  fprintf (stderr, "ctrgit %s: %s (see `ctrgit %s --help`)\n", cmd, msg, cmd);
  return CTR_EXIT_USAGE;
}

char *
ctr_store_path (CtrGlobals *g)
{
  return g->repo ? g_strdup (g->repo) : store_default_path ();
}

gboolean
ctr_canonical_paths (const char *cmd, char **paths)
{
  for (char **p = paths; p && *p; p++)
    {
      if (**p != '/')
        return ctr_usage (cmd, "paths are absolute, as in the image: \"%s\"", *p), FALSE;
      GString *out = g_string_new ("");
      g_auto(GStrv) parts = g_strsplit (*p, "/", -1);
      for (char **c = parts; *c; c++)
        {
          if (!**c || g_str_equal (*c, "."))
            continue;
          if (g_str_equal (*c, ".."))
            {
              g_string_free (out, TRUE);
              return ctr_usage (cmd, "\"..\" in \"%s\": give the path as the image names it", *p), FALSE;
            }
          g_string_append_printf (out, "/%s", *c);
        }
      if (out->len == 0)
        g_string_append_c (out, '/');
      g_free (*p);
      *p = g_string_free (out, FALSE);
    }
  return TRUE;
}

void
ctr_print_import_result (const StoreImportResult *res, const char *verb, gboolean quiet)
{
  if (quiet)
    printf ("%s\n", res->commit);
  else if (res->unchanged)
    printf ("%s: already up to date (%.12s)\n", res->reference, res->commit);
  else
    printf ("%s: %s %.12s (%u new layer%s, %u already stored)\n", res->reference, verb, res->commit,
            res->layers_new, res->layers_new == 1 ? "" : "s", res->layers_present);
}

char **
ctr_split_paths (int *argc, char **argv)
{
  for (int i = 1; i < *argc; i++)
    if (g_str_equal (argv[i], "--"))
      {
        char **paths = g_strdupv (argv + i + 1);
        argv[i] = NULL;
        *argc = i;
        return paths;
      }
  return NULL;
}

CtrStore *
ctr_open_store (CtrGlobals *g, GError **error)
{
  g_autofree char *path = ctr_store_path (g);
  return store_open (path, error);
}

char *
ctr_printable (const char *s)
{
  if (!s || !*s)
    return g_strdup ("-");
  char *c = g_strdup (s);
  for (char *p = c; *p; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      *p = '?';
  return c;
}

char *
ctr_format_size (guint64 b)
{
  /* docker's units: decimal, three significant digits */
  const char *units[] = { "B", "kB", "MB", "GB", "TB" };
  double v = b;
  int u = 0;
  while (v >= 1000 && u < 4)
    v /= 1000, u++;
  if (u == 0)
    return g_strdup_printf ("%" G_GUINT64_FORMAT "B", b);
  return g_strdup_printf (v < 10 ? "%.2f%s" : v < 100 ? "%.1f%s" : "%.0f%s", v, units[u]);
}

char *
ctr_format_age (gint64 t)
{
  gint64 d = g_get_real_time () / G_USEC_PER_SEC - t;
  if (d < 60)
    return g_strdup ("Less than a minute ago");
  if (d < 3600)
    return g_strdup_printf ("%d minute%s ago", (int) (d / 60), d / 60 == 1 ? "" : "s");
  if (d < 86400)
    return g_strdup_printf ("%d hour%s ago", (int) (d / 3600), d / 3600 == 1 ? "" : "s");
  return g_strdup_printf ("%d day%s ago", (int) (d / 86400), d / 86400 == 1 ? "" : "s");
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  CtrGlobals g = { .tty = isatty (STDOUT_FILENO) };
  int i = 1;
  for (; i < argc && argv[i][0] == '-'; i++)
    {
      if (g_str_equal (argv[i], "--repo") && i + 1 < argc)
        g.repo = argv[++i];
      else if (g_str_has_prefix (argv[i], "--repo="))
        g.repo = argv[i] + strlen ("--repo=");
      else if (g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h"))
        {
          usage (stdout);
          return CTR_EXIT_OK;
        }
      else if (g_str_equal (argv[i], "--version"))
        {
          printf ("ctrgit %s\n", CTRGIT_VERSION);
          return CTR_EXIT_OK;
        }
      else
        {
          fprintf (stderr, "ctrgit: unknown option %s\n", argv[i]);
          usage (stderr);
          return CTR_EXIT_USAGE;
        }
    }
  if (i >= argc)
    {
      usage (stderr);
      return CTR_EXIT_USAGE;
    }
  const char *name = argv[i];
  if (g_str_equal (name, "help"))
    {
      const char *topic = i + 1 < argc ? argv[i + 1] : NULL;
      const CtrCommand *cmd = NULL;
      for (const CtrCommand *c = commands; topic && c->name; c++)
        if (g_str_equal (c->name, topic))
          cmd = c;
      if (topic && !cmd && !g_str_equal (topic, "revisions"))
        {
          fprintf (stderr, "ctrgit help: no help on '%s'. See `ctrgit --help`.\n", topic);
          return CTR_EXIT_USAGE;
        }
      int rc = ctr_help_show_man (topic);
      if (rc >= 0)
        return rc;
      if (cmd)
        {
          char *args[] = { (char *) cmd->name, "--help", NULL };
          return cmd->fn (2, args, &g);
        }
      usage (stdout);
      return CTR_EXIT_OK;
    }
  for (const CtrCommand *c = commands; c->name; c++)
    if (g_str_equal (c->name, name))
      return c->fn (argc - i, argv + i, &g);
  fprintf (stderr, "ctrgit: '%s' is not a ctrgit command. See `ctrgit --help`.\n", name);
  return CTR_EXIT_USAGE;
}
