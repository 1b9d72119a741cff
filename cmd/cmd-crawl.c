/* cmd/cmd-crawl.c: ctrgit crawl [CONTAINER...]
 *
 * Order matters: everything that needs privileges the sandbox takes away
 * (discovery's first scan, the store, plugins, emitters' files and sockets)
 * is set up first; then the seccomp filter goes on; then we read
 * containers. Exit status: 0 all crawled, 1 nothing could be done, 3
 * frames were emitted but something was skipped (the frames say what).
 */
#include "cmd/ctrgit.h"
#include "crawler/crawler.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#ifndef CTRGIT_PLUGIN_DIR
#define CTRGIT_PLUGIN_DIR "/usr/local/lib/ctrgit/plugins"
#endif

#define CTR_EXIT_PARTIAL 3

static volatile sig_atomic_t crawl_stop;

static void
on_signal (int sig)
{
  crawl_stop = 1;
}

/* "30s", "2m", "500ms", "1h", or plain seconds. */
static gboolean
parse_interval (const char *s, gint64 *out_ms)
{
  char *end;
  double v = g_ascii_strtod (s, &end);
  if (end == s || v < 0)
    return FALSE;
  double mult = g_str_equal (end, "") || g_str_equal (end, "s") ? 1000
                : g_str_equal (end, "ms") ? 1
                : g_str_equal (end, "m") ? 60000
                : g_str_equal (end, "h") ? 3600000 : -1;
  if (mult < 0)
    return FALSE;
  *out_ms = (gint64) (v * mult);
  return *out_ms > 0;
}

static gboolean
check_features (GPtrArray *plugins, char **names, GError **error)
{
  for (char **f = names; f && *f; f++)
    {
      gboolean known = crawl_feature_find (*f) || (plugins && crawl_plugins_find_feature (plugins, *f));
      if (!known)
        return g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                            "no feature \"%s\" (see --list-features)", *f), FALSE;
    }
  return TRUE;
}

static void
list_features (GPtrArray *plugins)
{
  gsize n;
  const CrawlFeature *all = crawl_features_builtin (&n);
  for (gsize i = 0; i < n; i++)
    printf ("%-12s %s%s\n", all[i].name, all[i].summary, all[i].by_default ? "" : " (not default)");
  /* plugin features run only when named: a new .so must not change what
   * every existing crawl collects */
  g_auto(GStrv) names = plugins ? crawl_plugins_feature_names (plugins) : NULL;
  for (char **f = names; f && *f; f++)
    printf ("%-12s (plugin; run only when named in --features)\n", *f);
}

/* The targets of one round: the host, the named containers, or all. gone:
 * NULL on the first round (a name that matches nothing is an error), then
 * the names already reported gone (a watch goes on without them). */
static GPtrArray *
crawl_targets (gboolean host, char **which, GHashTable *gone, GError **error)
{
  if (host)
    {
      GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) crawl_target_free);
      CrawlTarget *t = crawl_target_new_host ("/proc", error);
      if (!t)
        return g_ptr_array_unref (out), NULL;
      g_ptr_array_add (out, t);
      return out;
    }
  g_autoptr(GPtrArray) found = NULL;
  if (!crawl_discover ("/proc", &found, error))
    return NULL;
  if (!which || !*which)
    return g_steal_pointer (&found);
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) crawl_target_free);
  for (char **w = which; *w; w++)
    {
      g_autoptr(GError) local = NULL;
      CrawlTarget *t = crawl_find (found, *w, &local);
      if (!t && gone)
        {
          if (g_hash_table_add (gone, g_strdup (*w)))
            fprintf (stderr, "ctrgit crawl: %s; watching the others\n", local->message);
          continue;
        }
      if (!t)
        return g_propagate_error (error, g_steal_pointer (&local)), g_ptr_array_unref (out), NULL;
      if (gone)
        g_hash_table_remove (gone, *w);
      guint idx;
      /* crawl_find leaves it in found: move it over */
      if (g_ptr_array_find (found, t, &idx))
        g_ptr_array_add (out, g_ptr_array_steal_index (found, idx));
    }
  return out;
}

typedef struct {
  GPtrArray *emitters;
  gboolean failed;      /* an emitter lost a frame */
  gboolean partial;     /* a frame has skips */
} Output;

static void
output_frame (Output *o, json_t *frame)
{
  json_t *skipped = json_object_get (json_object_get (frame, "_frame"), "skipped");
  if (json_array_size (skipped) > 0)
    o->partial = TRUE;
  for (guint i = 0; i < o->emitters->len; i++)
    {
      g_autoptr(GError) error = NULL;
      if (!crawl_emitter_emit (o->emitters->pdata[i], frame, &error))
        {
          o->failed = TRUE;
          ctr_fail ("crawl", error);
        }
    }
  fflush (stdout);
}

/* Per target id: the last full frame and how many deltas followed it. */
typedef struct {
  json_t *full;
  guint deltas;
} WatchState;

static void
watch_state_free (WatchState *w)
{
  json_decref (w->full);
  g_free (w);
}

static void
sleep_ms (gint64 ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;
  while (!crawl_stop)
    {
      gint64 left = until - g_get_monotonic_time ();
      if (left <= 0)
        break;
      struct timespec ts = { left / G_USEC_PER_SEC, (left % G_USEC_PER_SEC) * 1000 };
      nanosleep (&ts, NULL);
    }
}

int
cmd_crawl (int argc, char **argv, CtrGlobals *g)
{
  g_autofree char *features_opt = NULL, *format_opt = NULL, *interval_opt = NULL;
  g_autofree char *files_opt = NULL, *plugin_dir = NULL;
  g_auto(GStrv) emit_opt = NULL, config_opt = NULL;
  gboolean host = FALSE, watch = FALSE, no_store = FALSE, no_sandbox = FALSE, list = FALSE;
  gint full_every = 10, count = 0;
  GOptionEntry entries[] = {
    { "features", 'f', 0, G_OPTION_ARG_STRING, &features_opt, "Features to crawl, comma-separated (default: all default ones)", "LIST" },
    { "host", 0, 0, G_OPTION_ARG_NONE, &host, "Crawl the host itself", NULL },
    { "watch", 'w', 0, G_OPTION_ARG_NONE, &watch, "Crawl again every interval: a full frame, then delta frames", NULL },
    { "interval", 0, 0, G_OPTION_ARG_STRING, &interval_opt, "Time between crawls with --watch (default 30s)", "DURATION" },
    { "full-every", 0, 0, G_OPTION_ARG_INT, &full_every, "With --watch, a full frame after N deltas (default 10)", "N" },
    { "count", 0, 0, G_OPTION_ARG_INT, &count, "With --watch, stop after N rounds", "N" },
    { "emit", 'e', 0, G_OPTION_ARG_STRING_ARRAY, &emit_opt, "Where frames go: stdout, file:DIR[?gzip], http://HOST:PORT/PATH, index (repeatable)", "SPEC" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format_opt, "json (default), ndjson or crawler-csv", "FORMAT" },
    { "files", 0, 0, G_OPTION_ARG_STRING, &files_opt, "drift (default: changes since the image) or full (every file)", "MODE" },
    { "config", 0, 0, G_OPTION_ARG_STRING_ARRAY, &config_opt, "Config files to read (glob, repeatable; default /etc/passwd, /etc/hosts, ...)", "GLOB" },
    { "no-store", 0, 0, G_OPTION_ARG_NONE, &no_store, "Do not use the image store, even if there is one", NULL },
    { "plugin-dir", 0, 0, G_OPTION_ARG_FILENAME, &plugin_dir, "Load feature and emitter plugins from DIR", "DIR" },
    { "no-sandbox", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &no_sandbox, "Do not install the seccomp filter (debugging)", NULL },
    { "list-features", 0, 0, G_OPTION_ARG_NONE, &list, "List the features and exit", NULL },
    { NULL },
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("[CONTAINER...] - frames of running containers, read from the host");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!ctr_parse_options (ctx, &argc, &argv, "crawl"))
    return CTR_EXIT_USAGE;
  char **which = argv + 1;
  if (host && *which)
    return ctr_usage ("crawl", "--host crawls the host only; give no containers with it");

  g_autoptr(GError) error = NULL;
  CrawlFormat format = CRAWL_FORMAT_JSON;
  if (format_opt && !crawl_format_parse (format_opt, &format, &error))
    return ctr_usage ("crawl", "%s", error->message);
  gint64 interval_ms = 30000;
  if (interval_opt && !parse_interval (interval_opt, &interval_ms))
    return ctr_usage ("crawl", "--interval: \"%s\" is not a duration such as 30s, 2m or 500ms", interval_opt);
  if (full_every < 0 || count < 0)
    return ctr_usage ("crawl", "--full-every and --count take a number >= 0");
  CrawlContext cctx = { 0 };
  if (!files_opt || g_str_equal (files_opt, "drift"))
    cctx.files = CRAWL_FILES_DRIFT;
  else if (g_str_equal (files_opt, "full"))
    cctx.files = CRAWL_FILES_FULL;
  else
    return ctr_usage ("crawl", "--files is drift or full, not \"%s\"", files_opt);
  cctx.config_globs = config_opt;

  if (!plugin_dir)
    plugin_dir = g_strdup (g_getenv ("CTRGIT_PLUGIN_DIR") ? g_getenv ("CTRGIT_PLUGIN_DIR")
                                                          : CTRGIT_PLUGIN_DIR);
  g_autoptr(GPtrArray) plugins = NULL;
  if (!crawl_plugins_load (plugin_dir, &plugins, &error))
    return ctr_fail ("crawl", error);
  cctx.plugins = plugins;
  if (list)
    {
      list_features (plugins);
      return CTR_EXIT_OK;
    }
  g_auto(GStrv) features = features_opt ? g_strsplit (features_opt, ",", -1) : NULL;
  if (!check_features (plugins, features, &error))
    return ctr_usage ("crawl", "%s", error->message);

  /* The store is optional: without it the file feature sees the upperdir
   * only and nothing links a container to its image version. */
  g_autoptr(CtrStore) store = NULL;
  if (!no_store)
    {
      store = ctr_open_store (g, &error);
      if (!store && !g_error_matches (error, STORE_ERROR, STORE_ERROR_NOT_FOUND))
        return ctr_fail ("crawl", error);
      g_clear_error (&error);
    }
  cctx.store = store;

  Output out = { g_ptr_array_new_with_free_func ((GDestroyNotify) crawl_emitter_free) };
  g_autoptr(GPtrArray) emitters = out.emitters;
  const char *default_emit[] = { "stdout", NULL };
  for (const char *const *e = emit_opt ? (const char *const *) emit_opt : default_emit; *e; e++)
    {
      if (g_str_equal (*e, "index") && !store)
        return ctr_fail ("crawl", (g_set_error (&error, STORE_ERROR, STORE_ERROR_NOT_FOUND,
                                                "--emit index needs a store (run `ctrgit init`)"),
                                   error));
      CrawlEmitter *em = crawl_emitter_new_with_plugins (*e, format, store, plugins, &error);
      if (!em)
        return ctr_fail ("crawl", error);
      g_ptr_array_add (emitters, em);
    }

  if (!no_sandbox && !crawl_sandbox_enter (&error))
    return ctr_fail ("crawl", error);

  struct sigaction sa = { .sa_handler = on_signal };
  sigaction (SIGINT, &sa, NULL);
  sigaction (SIGTERM, &sa, NULL);

  g_autoptr(GHashTable) state = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                       (GDestroyNotify) watch_state_free);
  gboolean any = FALSE;
  g_autoptr(GHashTable) gone = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (int round = 0; !crawl_stop; round++)
    {
      g_autoptr(GPtrArray) targets = crawl_targets (host, which, round > 0 ? gone : NULL, &error);
      if (!targets)
        return ctr_fail ("crawl", error);
      /* A container that went away takes its last frame with it: a watch
       * over churning containers must not grow without bound. */
      if (watch)
        {
          g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
          for (guint i = 0; i < targets->len; i++)
            g_hash_table_add (seen, ((CrawlTarget *) targets->pdata[i])->id);
          GHashTableIter it;
          gpointer key;
          g_hash_table_iter_init (&it, state);
          while (g_hash_table_iter_next (&it, &key, NULL))
            if (!g_hash_table_contains (seen, key))
              g_hash_table_iter_remove (&it);
        }
      for (guint i = 0; i < targets->len && !crawl_stop; i++)
        {
          CrawlTarget *t = targets->pdata[i];
          json_t *frame = crawl_frame_build (&cctx, t, features);
          any = TRUE;
          WatchState *w = watch ? g_hash_table_lookup (state, t->id) : NULL;
          if (w && (full_every == 0 || w->deltas < (guint) full_every))
            {
              json_t *d = crawl_frame_delta (w->full, frame);
              json_t *dh = json_object_get (json_object_get (d, "_frame"), "delta");
              json_object_set_new (dh, "seq", json_integer (++w->deltas));
              output_frame (&out, d);
              json_decref (d);
              /* deltas are against the previous frame, full or not */
              json_decref (w->full);
              w->full = frame;
              continue;
            }
          output_frame (&out, frame);
          if (watch)
            {
              w = g_new0 (WatchState, 1);
              w->full = frame;
              g_hash_table_replace (state, g_strdup (t->id), w);
            }
          else
            json_decref (frame);
        }
      if (!watch || (count > 0 && round + 1 >= count))
        break;
      sleep_ms (interval_ms);
    }

  for (guint i = 0; i < emitters->len; i++)
    if (!crawl_emitter_close (emitters->pdata[i], &error))
      {
        ctr_fail ("crawl", error);
        g_clear_error (&error);
        out.failed = TRUE;
      }
  if (out.failed)
    return CTR_EXIT_ERROR;
  if (!any && *which == NULL && !host)
    {
      fprintf (stderr, "ctrgit crawl: no containers found\n");
      return CTR_EXIT_OK;
    }
  return out.partial ? CTR_EXIT_PARTIAL : CTR_EXIT_OK;
}
