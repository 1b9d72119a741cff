/* ctrgit-plugin.h: the C ABI of ctrgit crawler plugins (ABI version 1).
 *
 * A plugin is a shared object in the plugin directory (PREFIX/lib/ctrgit/
 * plugins, or `ctrgit crawl --plugin-dir`) that adds features (sections of
 * a frame) and emitters (where frames go). It needs nothing but this header
 * and libc: the host hands it a table of functions, and everything it gives
 * the host is plain C strings and JSON text. docs/plugins.md is the guide.
 *
 * The plugin exports one function, CTRGIT_PLUGIN_INIT_SYMBOL:
 *
 *   CTRGIT_PLUGIN_EXPORT int
 *   ctrgit_plugin_init (const CtrgitPluginHost *host, CtrgitPluginInfo *info)
 *
 * It returns 0 after filling info, or -1 (optionally setting info->error)
 * to refuse loading, for example when host->abi_version is not the
 * CTRGIT_PLUGIN_ABI_VERSION it was built for. The host refuses a plugin
 * whose info->abi_version differs from its own.
 *
 * How the ABI grows: CTRGIT_PLUGIN_ABI_VERSION changes only when something
 * here changes meaning. Within one version, fields are only ever added at
 * the end of a struct; every struct that can grow says how large it was
 * where it was filled (`size`, `feature_size`, `emitter_size`), so a new
 * host reads an old plugin and an old plugin can test for a new host
 * function with CTRGIT_PLUGIN_HOST_HAS (host, field).
 *
 * The rules of the crawler hold for plugins too: a feature never enters a
 * container, signals or traces its processes; it reads files inside a
 * container's root only through host->open_in_root (which resolves
 * symlinks inside that root), and /proc/PID/... directly. Plugins are
 * loaded before the crawler confines itself with seccomp, so a feature
 * that calls execve, setns, ptrace, mount or kill on another process gets
 * EPERM.
 */
#ifndef CTRGIT_PLUGIN_H
#define CTRGIT_PLUGIN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CTRGIT_PLUGIN_ABI_VERSION 1
#define CTRGIT_PLUGIN_INIT_SYMBOL "ctrgit_plugin_init"
#define CTRGIT_PLUGIN_EXPORT __attribute__ ((visibility ("default")))

/* Space for a message in the errbuf arguments below, NUL included. */
#define CTRGIT_PLUGIN_ERROR_MAX 512

/* Opaque handles, valid only during the callback that receives them. */
typedef struct CtrgitTarget CtrgitTarget;   /* a container or the host */
typedef struct CtrgitItems CtrgitItems;     /* the section a feature fills */

typedef enum {
  CTRGIT_TARGET_CONTAINER = 0,
  CTRGIT_TARGET_HOST = 1,
} CtrgitTargetKind;

/* What the host offers. Strings it returns belong to the host and live as
 * long as the callback; NULL means unknown. */
typedef struct CtrgitPluginHost {
  uint32_t abi_version;     /* CTRGIT_PLUGIN_ABI_VERSION of the host */
  uint32_t size;            /* sizeof (CtrgitPluginHost) where the host was built */
  const char *version;      /* ctrgit's version, e.g. "0.1-123-gabcdef" */

  /* The target: its id (64 hex for a container; machine id or hostname for
   * the host), kind, runtime ("podman", ...), name, image reference as the
   * runtime recorded it, the overlay upperdir of its root (a host path, or
   * NULL), the proc directory to read ("/proc" outside tests), and its init
   * pid (the lowest pid of the container; 1 for the host). */
  const char *(*target_id) (const CtrgitTarget *t);
  CtrgitTargetKind (*target_kind) (const CtrgitTarget *t);
  const char *(*target_runtime) (const CtrgitTarget *t);
  const char *(*target_name) (const CtrgitTarget *t);
  const char *(*target_image) (const CtrgitTarget *t);
  const char *(*target_upperdir) (const CtrgitTarget *t);
  const char *(*target_proc) (const CtrgitTarget *t);
  pid_t (*target_pid) (const CtrgitTarget *t);
  /* Every pid of the target, sorted; *out_pids stays the host's. Returns
   * the count (0 and NULL when not known, e.g. for the host). */
  size_t (*target_pids) (const CtrgitTarget *t, const pid_t **out_pids);

  /* Opens path (absolute, inside the target's root) read-only with every
   * symlink resolved inside that root. flags: O_RDONLY with any of
   * O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK, O_NOCTTY, O_PATH, O_CLOEXEC
   * (always added); anything that could write fails with EPERM. Without
   * O_DIRECTORY or O_PATH the path must be a regular file, else EINVAL: a
   * device node a container planted is never opened. Returns a descriptor
   * the plugin closes, or -1 with errno set. */
  int (*open_in_root) (CtrgitTarget *t, const char *path, int flags);

  /* Adds one item to the feature's section: key (UTF-8, not empty) ->
   * json_text (one JSON object). The host parses and checks it; what is
   * not valid is recorded in the frame's "skipped" list against this
   * feature and -1 is returned with errno EINVAL (the crawl goes on). A
   * key added twice keeps the last item. Returns 0 when added. */
  int (*add_item) (CtrgitItems *items, const char *key, const char *json_text);

  /* Records in the frame that `what` was not crawled and why, as built-in
   * features do for an unreadable file or a process that exited. */
  void (*skip) (CtrgitItems *items, const char *what, const char *reason);
} CtrgitPluginHost;

/* True when the host's table has `field` (it may be older than the plugin). */
#define CTRGIT_PLUGIN_HOST_HAS(host, field) \
  ((host)->size >= offsetof (CtrgitPluginHost, field) + sizeof ((host)->field))

/* A feature: a section of the frame, `"NAME": {key: item, ...}`.
 * crawl returns 0, or -1 after writing a message of at most errlen bytes
 * (NUL included) to errbuf: the frame then records the whole feature as
 * skipped with that reason, and the other features still run. */
typedef struct CtrgitPluginFeature {
  const char *name;        /* [a-z0-9_-]+, not a built-in feature's name */
  const char *summary;     /* one line, for listings */
  int (*crawl) (const CtrgitPluginHost *host, CtrgitTarget *target, CtrgitItems *items,
                void *data, char *errbuf, size_t errlen);
  void *data;              /* passed back to crawl as is */
} CtrgitPluginFeature;

/* An emitter: frames go to it for `--emit NAME:ARGS` (or `--emit NAME`,
 * where ARGS is ""). open returns the emitter's state (not NULL), or NULL
 * after writing a message to errbuf. emit gets each frame as one line of
 * compact JSON (no newline, len bytes, NUL-terminated) and returns 0 or -1
 * with a message. close flushes, frees the state and returns 0 or -1 with
 * a message; it is called exactly once per successful open, also when the
 * crawl stops early. */
typedef struct CtrgitPluginEmitter {
  const char *name;        /* the spec prefix: [a-z0-9_-]+, not a built-in one */
  const char *summary;
  void *(*open) (const CtrgitPluginHost *host, const char *args, void *data, char *errbuf,
                 size_t errlen);
  int (*emit) (void *state, const char *frame_json, size_t len, char *errbuf, size_t errlen);
  int (*close) (void *state, char *errbuf, size_t errlen);
  void *data;              /* passed to open as is */
} CtrgitPluginEmitter;

/* Filled by ctrgit_plugin_init. The host zeroes it and sets size first.
 * The arrays and strings must stay valid until fini (static data is the
 * simple way). */
typedef struct CtrgitPluginInfo {
  uint32_t size;           /* set by the host: sizeof (CtrgitPluginInfo) there */
  uint32_t abi_version;    /* set by the plugin: CTRGIT_PLUGIN_ABI_VERSION */
  const char *name;        /* the plugin's name, e.g. "example" */
  const char *version;     /* the plugin's own version */
  const char *error;       /* when init returns -1: why (static string) */

  const CtrgitPluginFeature *features;
  size_t n_features;
  size_t feature_size;     /* sizeof (CtrgitPluginFeature) in the plugin */
  const CtrgitPluginEmitter *emitters;
  size_t n_emitters;
  size_t emitter_size;     /* sizeof (CtrgitPluginEmitter) in the plugin */

  void (*fini) (void);     /* optional: called once before the host unloads it */
} CtrgitPluginInfo;

#define CTRGIT_PLUGIN_SET_FEATURES(info, array) \
  ((info)->features = (array), \
   (info)->n_features = sizeof (array) / sizeof ((array)[0]), \
   (info)->feature_size = sizeof ((array)[0]))
#define CTRGIT_PLUGIN_SET_EMITTERS(info, array) \
  ((info)->emitters = (array), \
   (info)->n_emitters = sizeof (array) / sizeof ((array)[0]), \
   (info)->emitter_size = sizeof ((array)[0]))

typedef int (*CtrgitPluginInitFunc) (const CtrgitPluginHost *host, CtrgitPluginInfo *info);

#ifdef __cplusplus
}
#endif

#endif /* CTRGIT_PLUGIN_H */
