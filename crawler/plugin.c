/* crawler/plugin.c: loads feature and emitter plugins (the ABI is
 * crawler/ctrgit-plugin.h, the guide docs/plugins.md) and runs them.
 *
 * A plugin only ever sees the host table below: plain C strings, file
 * descriptors and JSON text. Whatever it hands back is checked here, so a
 * plugin's bad JSON or bad name is an error message and a "skipped" entry,
 * not a crash of the crawler or a malformed frame.
 *
 * Loading: every *.so of the directory, in byte order of the names. A file
 * that cannot be loaded (not a plugin, another ABI version, refused by its
 * own init, a name that clashes) does not stop the others: the load
 * returns FALSE with one error that names every bad file, and *out still
 * holds the plugins that did load.
 */
#include "crawler/crawler-private.h"
#include "crawler/ctrgit-plugin.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CRAWL_PLUGIN_NAME_MAX 64              /* feature, emitter and plugin names */
#define CRAWL_PLUGIN_ENTRIES_MAX 64           /* features, and emitters, per plugin */
#define CRAWL_PLUGIN_ITEM_MAX (1024u * 1024)  /* the JSON text of one item */
#define CRAWL_PLUGIN_KEY_MAX 4096             /* one item key */
#define CRAWL_PLUGIN_ITEMS_MAX 1000000u       /* items of one feature per target */

/* The v1 layouts end at these fields; later versions only grow past them. */
#define FEATURE_V1_SIZE (offsetof (CtrgitPluginFeature, data) + sizeof (void *))
#define EMITTER_V1_SIZE (offsetof (CtrgitPluginEmitter, data) + sizeof (void *))

struct CrawlPlugin {
  gatomicrefcount ref;
  char *path;
  void *handle;
  CtrgitPluginInfo info;
  /* copied into this build's layouts, zero past what the plugin filled */
  CtrgitPluginFeature *features;
  CtrgitPluginEmitter *emitters;
};

/* What a feature's add_item and skip act on. */
struct CtrgitItems {
  json_t *items;
  CrawlTarget *target;
  const char *feature;
  guint added;
};

static CrawlTarget *
host_target (const CtrgitTarget *t)
{
  return (CrawlTarget *) t;
}

static const char *
host_target_id (const CtrgitTarget *t)
{
  return host_target (t)->id;
}

static CtrgitTargetKind
host_target_kind (const CtrgitTarget *t)
{
  return host_target (t)->kind == CRAWL_TARGET_HOST ? CTRGIT_TARGET_HOST : CTRGIT_TARGET_CONTAINER;
}

static const char *
host_target_runtime (const CtrgitTarget *t)
{
  return host_target (t)->runtime;
}

static const char *
host_target_name (const CtrgitTarget *t)
{
  return host_target (t)->name;
}

static const char *
host_target_image (const CtrgitTarget *t)
{
  return host_target (t)->image_ref;
}

static const char *
host_target_upperdir (const CtrgitTarget *t)
{
  return host_target (t)->upperdir;
}

static const char *
host_target_proc (const CtrgitTarget *t)
{
  const char *proc = host_target (t)->proc;
  return proc ? proc : "/proc";
}

static pid_t
host_target_pid (const CtrgitTarget *t)
{
  return host_target (t)->pid;
}

static size_t
host_target_pids (const CtrgitTarget *t, const pid_t **out_pids)
{
  GArray *pids = host_target (t)->pids;
  if (out_pids)
    *out_pids = pids && pids->len ? (const pid_t *) (gpointer) pids->data : NULL;
  return pids ? pids->len : 0;
}

/* Read-only opens only: the crawler never changes what it looks at. */
static int
host_open_in_root (CtrgitTarget *t, const char *path, int flags)
{
  const int allowed = O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_PATH | O_CLOEXEC
                      | O_LARGEFILE;
  if (!t || !path)
    {
      errno = EINVAL;
      return -1;
    }
  if ((flags & O_ACCMODE) != O_RDONLY || (flags & ~(allowed | O_ACCMODE)) != 0)
    {
      errno = EPERM;
      return -1;
    }
  /* Directories and O_PATH handles as asked; anything to be read must be
   * a regular file, so a plugin never opens a device a container planted. */
  if (flags & (O_DIRECTORY | O_PATH))
    return crawl_root_open (host_target (t), path, flags, NULL);
  return crawl_root_open_regular (host_target (t), path, NULL);
}

static void
host_skip (CtrgitItems *items, const char *what, const char *reason)
{
  if (items)
    crawl_target_skip (items->target, items->feature, what ? what : "",
                       reason ? reason : "skipped by the plugin");
}

static int
items_reject (CtrgitItems *items, const char *key, const char *reason, int err)
{
  host_skip (items, key, reason);
  errno = err;
  return -1;
}

static int
host_add_item (CtrgitItems *items, const char *key, const char *json_text)
{
  if (!items)
    {
      errno = EINVAL;
      return -1;
    }
  if (!key || !*key || !g_utf8_validate (key, -1, NULL) || strlen (key) > CRAWL_PLUGIN_KEY_MAX)
    return items_reject (items, key ? key : "", "plugin item: the key is empty, too long or "
                         "not UTF-8", EINVAL);
  if (items->added >= CRAWL_PLUGIN_ITEMS_MAX)
    {
      g_autofree char *reason = g_strdup_printf ("plugin item: more items than the limit of %u",
                                                 CRAWL_PLUGIN_ITEMS_MAX);
      return items_reject (items, key, reason, E2BIG);
    }
  if (!json_text || strnlen (json_text, CRAWL_PLUGIN_ITEM_MAX + 1) > CRAWL_PLUGIN_ITEM_MAX)
    {
      g_autofree char *reason = g_strdup_printf ("plugin item: no JSON text, or larger than the "
                                                 "limit of %u bytes", CRAWL_PLUGIN_ITEM_MAX);
      return items_reject (items, key, reason, EINVAL);
    }
  json_error_t jerr;
  json_t *item = json_loads (json_text, JSON_REJECT_DUPLICATES, &jerr);
  if (!item)
    {
      g_autofree char *reason = g_strdup_printf ("plugin item: invalid JSON: %s (line %d, "
                                                 "column %d)", jerr.text, jerr.line, jerr.column);
      return items_reject (items, key, reason, EINVAL);
    }
  if (!json_is_object (item))
    {
      json_decref (item);
      return items_reject (items, key, "plugin item: not a JSON object", EINVAL);
    }
  json_object_set_new (items->items, key, item);
  items->added++;
  return 0;
}

static const CtrgitPluginHost host_table = {
  .abi_version = CTRGIT_PLUGIN_ABI_VERSION,
  .size = sizeof (CtrgitPluginHost),
  .version = CTRGIT_VERSION,
  .target_id = host_target_id,
  .target_kind = host_target_kind,
  .target_runtime = host_target_runtime,
  .target_name = host_target_name,
  .target_image = host_target_image,
  .target_upperdir = host_target_upperdir,
  .target_proc = host_target_proc,
  .target_pid = host_target_pid,
  .target_pids = host_target_pids,
  .open_in_root = host_open_in_root,
  .add_item = host_add_item,
  .skip = host_skip,
};

/* --- loading --------------------------------------------------------------- */

static CrawlPlugin *
crawl_plugin_ref (CrawlPlugin *p)
{
  g_atomic_ref_count_inc (&p->ref);
  return p;
}

static void
crawl_plugin_unref (CrawlPlugin *p)
{
  if (!p || !g_atomic_ref_count_dec (&p->ref))
    return;
  if (p->info.fini)
    p->info.fini ();
  if (p->handle)
    dlclose (p->handle);
  g_free (p->features);
  g_free (p->emitters);
  g_free (p->path);
  g_free (p);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrawlPlugin, crawl_plugin_unref)

static gboolean
plugin_name_valid (const char *name)
{
  if (!name || !*name || strlen (name) > CRAWL_PLUGIN_NAME_MAX)
    return FALSE;
  for (const char *c = name; *c; c++)
    if (!g_ascii_islower (*c) && !g_ascii_isdigit (*c) && *c != '-' && *c != '_')
      return FALSE;
  return TRUE;
}

static gboolean
builtin_feature (const char *name)
{
  gsize n;
  const CrawlFeature *all = crawl_features_builtin (&n);
  for (gsize i = 0; i < n; i++)
    if (strcmp (all[i].name, name) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
builtin_emitter (const char *name)
{
  static const char *const names[] = { "stdout", "file", "http", "https", "index" };
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    if (strcmp (names[i], name) == 0)
      return TRUE;
  return FALSE;
}

/* Features and emitters are checked and found the same way, by name. */
typedef enum { ENTRY_FEATURE, ENTRY_EMITTER } EntryKind;

static gsize
entry_count (CrawlPlugin *p, EntryKind kind)
{
  return kind == ENTRY_FEATURE ? p->info.n_features : p->info.n_emitters;
}

static const char *
entry_name (CrawlPlugin *p, EntryKind kind, gsize i)
{
  return kind == ENTRY_FEATURE ? p->features[i].name : p->emitters[i].name;
}

/* The index of the entry called name, in *out_plugin; -1 if none. */
static gssize
find_entry (GPtrArray *plugins, EntryKind kind, const char *name, CrawlPlugin **out_plugin)
{
  for (guint i = 0; plugins && i < plugins->len; i++)
    {
      CrawlPlugin *p = plugins->pdata[i];
      for (gsize j = 0; j < entry_count (p, kind); j++)
        if (strcmp (entry_name (p, kind, j), name) == 0)
          {
            if (out_plugin)
              *out_plugin = p;
            return (gssize) j;
          }
    }
  return -1;
}

static const CtrgitPluginFeature *
find_feature (GPtrArray *plugins, const char *name, CrawlPlugin **out_plugin)
{
  CrawlPlugin *p = NULL;
  gssize i = find_entry (plugins, ENTRY_FEATURE, name, &p);
  if (out_plugin)
    *out_plugin = p;
  return i < 0 ? NULL : &p->features[i];
}

static const CtrgitPluginEmitter *
find_emitter (GPtrArray *plugins, const char *name, CrawlPlugin **out_plugin)
{
  CrawlPlugin *p = NULL;
  gssize i = find_entry (plugins, ENTRY_EMITTER, name, &p);
  if (out_plugin)
    *out_plugin = p;
  return i < 0 ? NULL : &p->emitters[i];
}

/* Copies n entries of the plugin's stride into this build's layout. */
static gpointer
copy_entries (const void *src, gsize n, gsize stride, gsize ours, gsize v1_size,
              const char *what, GError **error)
{
  if (n == 0)
    return NULL;
  if (!src || n > CRAWL_PLUGIN_ENTRIES_MAX || stride < v1_size)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s: %" G_GSIZE_FORMAT " entries of %" G_GSIZE_FORMAT " bytes (at most %u "
                   "of at least %" G_GSIZE_FORMAT ")", what, n, stride,
                   CRAWL_PLUGIN_ENTRIES_MAX, v1_size);
      return NULL;
    }
  guint8 *out = g_malloc0 (n * ours);
  for (gsize i = 0; i < n; i++)
    memcpy (out + i * ours, (const guint8 *) src + i * stride, MIN (stride, ours));
  return out;
}

/* One feature or emitter: a valid name that no built-in one, no earlier
 * entry of this plugin and no plugin loaded before has, and its callbacks. */
static gboolean
entry_check (CrawlPlugin *p, EntryKind kind, gsize i, GPtrArray *loaded, GError **error)
{
  const char *what = kind == ENTRY_FEATURE ? "feature" : "emitter";
  const char *name = entry_name (p, kind, i);
  gboolean callbacks = kind == ENTRY_FEATURE
                           ? p->features[i].crawl != NULL
                           : p->emitters[i].open && p->emitters[i].emit && p->emitters[i].close;
  if (!plugin_name_valid (name) || !callbacks)
    return g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                        "%s %" G_GSIZE_FORMAT ": a name of [a-z0-9_-]+ and its functions are "
                        "needed (docs/plugins.md)", what, i), FALSE;
  gboolean builtin = kind == ENTRY_FEATURE ? builtin_feature (name) || strcmp (name, "_frame") == 0
                                           : builtin_emitter (name);
  if (builtin)
    return g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "%s \"%s\" is a built-in one",
                        what, name), FALSE;
  for (gsize j = 0; j < i; j++)
    if (strcmp (entry_name (p, kind, j), name) == 0)
      return g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "%s \"%s\" given twice",
                          what, name), FALSE;
  CrawlPlugin *other = NULL;
  if (find_entry (loaded, kind, name, &other) >= 0)
    return g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                        "%s \"%s\" is already loaded from %s", what, name, other->path), FALSE;
  return TRUE;
}

static gboolean
plugin_check (CrawlPlugin *p, GPtrArray *loaded, GError **error)
{
  if (!plugin_name_valid (p->info.name))
    return g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                        "the plugin's name is missing or not [a-z0-9_-]+"), FALSE;
  for (EntryKind kind = ENTRY_FEATURE; kind <= ENTRY_EMITTER; kind++)
    for (gsize i = 0; i < entry_count (p, kind); i++)
      if (!entry_check (p, kind, i, loaded, error))
        return FALSE;
  return TRUE;
}

/* A plugin runs with the crawler's privileges, usually root: one that
 * anybody could have replaced is refused, as sudo refuses such files. */
static gboolean
plugin_file_safe (const char *path, GError **error)
{
  struct stat st;
  if (stat (path, &st) < 0)
    {
      int e = errno;
      return g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e), "%s", g_strerror (e)),
             FALSE;
    }
  if (!S_ISREG (st.st_mode))
    return g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE, "not a regular file"),
           FALSE;
  if (st.st_mode & S_IWOTH)
    return g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                        "writable by anyone: refused"), FALSE;
  if (st.st_uid != 0 && st.st_uid != geteuid ())
    return g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                        "owned by uid %u, neither root nor us: refused", (guint) st.st_uid),
           FALSE;
  return TRUE;
}

static CrawlPlugin *
plugin_load_one (const char *path, GPtrArray *loaded, GError **error)
{
  if (!plugin_file_safe (path, error))
    return NULL;
  g_autoptr(CrawlPlugin) p = g_new0 (CrawlPlugin, 1);
  g_atomic_ref_count_init (&p->ref);
  p->path = g_strdup (path);
  p->handle = dlopen (path, RTLD_NOW | RTLD_LOCAL);
  if (!p->handle)
    {
      const char *why = dlerror ();
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot load: %s",
                   why ? why : "unknown error");
      return NULL;
    }
  dlerror ();
  CtrgitPluginInitFunc init = (CtrgitPluginInitFunc) dlsym (p->handle, CTRGIT_PLUGIN_INIT_SYMBOL);
  if (!init)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "not a ctrgit plugin: no symbol %s", CTRGIT_PLUGIN_INIT_SYMBOL);
      return NULL;
    }
  CtrgitPluginInfo info = { .size = sizeof (CtrgitPluginInfo) };
  if (init (&host_table, &info) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the plugin refused to load: %s",
                   info.error ? info.error : "no reason given");
      return NULL;
    }
  /* initialized: fini runs from here on, whatever else is wrong */
  p->info.fini = info.fini;
  if (info.abi_version != CTRGIT_PLUGIN_ABI_VERSION)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "built for plugin ABI version %u, this ctrgit has version %d",
                   info.abi_version, CTRGIT_PLUGIN_ABI_VERSION);
      return NULL;
    }
  p->info = info;
  p->features = copy_entries (info.features, info.n_features, info.feature_size,
                              sizeof (CtrgitPluginFeature), FEATURE_V1_SIZE, "features", error);
  if (info.n_features && !p->features)
    return NULL;
  p->emitters = copy_entries (info.emitters, info.n_emitters, info.emitter_size,
                              sizeof (CtrgitPluginEmitter), EMITTER_V1_SIZE, "emitters", error);
  if (info.n_emitters && !p->emitters)
    return NULL;
  if (!plugin_check (p, loaded, error))
    return NULL;
  return g_steal_pointer (&p);
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

gboolean
crawl_plugins_load (const char *dir, GPtrArray **out, GError **error)
{
  g_autoptr(GPtrArray) loaded = g_ptr_array_new_with_free_func ((GDestroyNotify) crawl_plugin_unref);
  *out = NULL;
  if (!dir || !*dir)
    {
      *out = g_steal_pointer (&loaded);
      return TRUE;
    }
  g_autoptr(GError) local = NULL;
  g_autoptr(GDir) d = g_dir_open (dir, 0, &local);
  if (!d)
    {
      *out = g_steal_pointer (&loaded);
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_propagate_prefixed_error (error, g_steal_pointer (&local), "plugin directory: ");
      return FALSE;
    }
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  while ((name = g_dir_read_name (d)))
    if (name[0] != '.' && g_str_has_suffix (name, ".so"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);

  g_autoptr(GString) failures = NULL;
  gint code = 0;
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir, names->pdata[i], NULL);
      g_autoptr(GError) one = NULL;
      CrawlPlugin *p = plugin_load_one (path, loaded, &one);
      if (p)
        {
          g_ptr_array_add (loaded, p);
          continue;
        }
      if (!failures)
        {
          failures = g_string_new ("");
          code = one->code;
        }
      else
        g_string_append (failures, "; ");
      g_string_append_printf (failures, "plugin %s: %s", path, one->message);
    }
  *out = g_steal_pointer (&loaded);
  if (failures)
    {
      g_set_error_literal (error, G_IO_ERROR, code, failures->str);
      return FALSE;
    }
  return TRUE;
}

/* --- features -------------------------------------------------------------- */

gboolean
crawl_plugins_find_feature (GPtrArray *plugins, const char *name)
{
  return name && find_feature (plugins, name, NULL) != NULL;
}

char **
crawl_plugins_feature_names (GPtrArray *plugins)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  for (guint i = 0; plugins && i < plugins->len; i++)
    {
      CrawlPlugin *p = plugins->pdata[i];
      for (gsize j = 0; j < p->info.n_features; j++)
        g_ptr_array_add (names, g_strdup (p->features[j].name));
    }
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

/* A message from a plugin: ours to terminate, and not trusted to be UTF-8. */
static char *
plugin_message (char *buf, gsize len, const char *fallback)
{
  buf[len - 1] = '\0';
  if (!*buf)
    return g_strdup (fallback);
  return g_utf8_make_valid (buf, -1);
}

gboolean
crawl_plugins_crawl (GPtrArray *plugins, const char *name, CrawlTarget *t, json_t *items,
                     GError **error)
{
  CrawlPlugin *p = NULL;
  const CtrgitPluginFeature *f = name ? find_feature (plugins, name, &p) : NULL;
  if (!f)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no plugin has the feature \"%s\"",
                   name ? name : "");
      return FALSE;
    }
  struct CtrgitItems handle = { .items = items, .target = t, .feature = f->name };
  char errbuf[CTRGIT_PLUGIN_ERROR_MAX] = "";
  if (f->crawl (&host_table, (CtrgitTarget *) t, &handle, f->data, errbuf, sizeof errbuf) != 0)
    {
      g_autofree char *msg = plugin_message (errbuf, sizeof errbuf, "failed");
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "plugin %s: %s", p->info.name, msg);
      return FALSE;
    }
  return TRUE;
}

/* --- emitters -------------------------------------------------------------- */

typedef struct {
  CrawlEmitter base;
  CrawlPlugin *plugin;             /* keeps the code loaded while we live */
  const CtrgitPluginEmitter *vt;
  void *state;                     /* NULL once closed */
} PluginEmitter;

static gboolean
plugin_emitter_fail (PluginEmitter *pe, char *errbuf, gsize len, GError **error)
{
  g_autofree char *msg = plugin_message (errbuf, len, "failed");
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "plugin %s: %s", pe->plugin->info.name, msg);
  return FALSE;
}

static gboolean
plugin_emitter_emit (CrawlEmitter *e, json_t *frame, GError **error)
{
  PluginEmitter *pe = (PluginEmitter *) e;
  if (!pe->state)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "emitter %s is closed", pe->vt->name);
      return FALSE;
    }
  g_autofree char *text = json_dumps (frame, CRAWL_JSON_FLAGS);
  if (!text)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot serialize the frame");
      return FALSE;
    }
  char errbuf[CTRGIT_PLUGIN_ERROR_MAX] = "";
  if (pe->vt->emit (pe->state, text, strlen (text), errbuf, sizeof errbuf) != 0)
    return plugin_emitter_fail (pe, errbuf, sizeof errbuf, error);
  return TRUE;
}

static gboolean
plugin_emitter_close (CrawlEmitter *e, GError **error)
{
  PluginEmitter *pe = (PluginEmitter *) e;
  void *state = g_steal_pointer (&pe->state);
  if (!state)
    return TRUE;
  char errbuf[CTRGIT_PLUGIN_ERROR_MAX] = "";
  if (pe->vt->close (state, errbuf, sizeof errbuf) != 0)
    return plugin_emitter_fail (pe, errbuf, sizeof errbuf, error);
  return TRUE;
}

static void
plugin_emitter_free (CrawlEmitter *e)
{
  PluginEmitter *pe = (PluginEmitter *) e;
  /* close is promised exactly once, also when the crawl stops early */
  plugin_emitter_close (e, NULL);
  crawl_plugin_unref (pe->plugin);
  g_free (pe);
}

CrawlEmitter *
crawl_plugins_emitter (GPtrArray *plugins, const char *spec, GError **error)
{
  if (!spec)
    return NULL;
  const char *colon = strchr (spec, ':');
  g_autofree char *name = colon ? g_strndup (spec, colon - spec) : g_strdup (spec);
  const char *args = colon ? colon + 1 : "";
  CrawlPlugin *p = NULL;
  const CtrgitPluginEmitter *vt = find_emitter (plugins, name, &p);
  if (!vt)
    return NULL;
  char errbuf[CTRGIT_PLUGIN_ERROR_MAX] = "";
  void *state = vt->open (&host_table, args, vt->data, errbuf, sizeof errbuf);
  if (!state)
    {
      g_autofree char *msg = plugin_message (errbuf, sizeof errbuf, "cannot open");
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "emitter %s (plugin %s): %s", vt->name,
                   p->info.name, msg);
      return NULL;
    }
  PluginEmitter *pe = g_new0 (PluginEmitter, 1);
  pe->base.kind = vt->name;
  pe->base.format = CRAWL_FORMAT_JSON;
  pe->base.emit = plugin_emitter_emit;
  pe->base.close = plugin_emitter_close;
  pe->base.free = plugin_emitter_free;
  pe->plugin = crawl_plugin_ref (p);
  pe->vt = vt;
  pe->state = state;
  return &pe->base;
}
