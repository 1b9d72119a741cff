/* crawler/crawler.h: the agentless crawler. It owns discovery of the
 * containers on this host (from /proc and what runtimes leave on disk),
 * reading inside a container's root without ever entering it, the features
 * that turn that into items, frames, their output formats, emitters, the
 * frame index behind `ctrgit search`, the plugin loader and the seccomp
 * sandbox. It does not own the image store: the file and package features
 * only ask store/ for the image version a container was started from.
 *
 * Rules every file here keeps:
 * - Never setns, ptrace, process_vm_readv, exec, signal or otherwise talk to
 *   a container's processes; read /proc/PID/... and the overlay dirs only.
 * - Every path inside a container root is opened with crawl_root_open
 *   (openat2 with RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), never by
 *   concatenating "/proc/PID/root" with the path.
 * - Nothing a container controls makes a crawl fail: what cannot be read
 *   is recorded with crawl_target_skip and the crawl goes on.
 */
#pragma once

#include <glib.h>
#include <jansson.h>
#include <sys/types.h>

#include "store/store.h"

#define CRAWL_SCHEMA_VERSION 1

/* Named limits on what a container controls (docs/frames.md lists them). */
#define CRAWL_PROC_FILE_MAX (4u * 1024 * 1024)     /* one /proc file */
#define CRAWL_CMDLINE_MAX (64u * 1024)             /* one command line */
#define CRAWL_CONFIG_FILE_MAX (256u * 1024)        /* one config file's content */
#define CRAWL_PKGDB_MAX (256u * 1024 * 1024)       /* dpkg status, apk installed */
#define CRAWL_HASH_FILE_MAX (1024ull * 1024 * 1024) /* a file hashed by the file feature */
#define CRAWL_FILES_MAX 1000000u                   /* entries walked per container */

typedef enum {
  CRAWL_TARGET_CONTAINER,
  CRAWL_TARGET_HOST,
} CrawlTargetKind;

/* A container (or the host) as discovery found it. Strings are NULL when
 * unknown; features must cope with that. */
typedef struct {
  CrawlTargetKind kind;
  char *id;            /* container: 64 lowercase hex; host: /etc/machine-id or hostname */
  char *runtime;       /* "podman", "docker", "containerd", "cri-o", "unknown"; host: NULL */
  char *name;
  char *image_ref;     /* as the runtime recorded it, e.g. "localhost/app:v1" */
  char *image_id;      /* "sha256:<config digest>" when known */
  char *image_digest;  /* "sha256:<manifest digest>" when known */
  char *hostname;
  char *created;       /* RFC 3339 */
  json_t *labels;      /* object (annotations and labels), or NULL */
  char *cgroup;        /* the container's cgroup path, as /proc/PID/cgroup names it */
  char *proc;          /* "/proc" */
  pid_t pid;           /* init: the lowest pid of the container */
  guint64 starttime;   /* field 22 of /proc/PID/stat: guards against pid reuse */
  GArray *pids;        /* pid_t, sorted: every process of the container */
  char *upperdir;      /* overlay upperdir of its root, NULL if not overlay */
  char **lowerdirs;    /* top first, NULL if not overlay */
  char *workdir;
  int root_fd;         /* O_PATH of its root (/proc/PID/root, or "/" for the host); -1 */

  /* filled while crawling */
  json_t *skipped;     /* array of {"feature","what","reason"} */
  char *store_ref;     /* the store's image version it runs, when found */
  char *store_commit;
} CrawlTarget;

void crawl_target_free (CrawlTarget *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrawlTarget, crawl_target_free)

/* --- discovery (crawler/discover.c) ---------------------------------------- */

/* Every container on this host: CrawlTarget* sorted by name, then id. proc
 * is "/proc" except in tests. Metadata that cannot be read stays NULL. */
gboolean crawl_discover (const char *proc, GPtrArray **out, GError **error);
/* The host as a target (pid 1, root "/"). */
CrawlTarget *crawl_target_new_host (const char *proc, GError **error);
/* Finds one container by id, id prefix (at least 4 hex) or name among found;
 * the result still belongs to found. */
CrawlTarget *crawl_find (GPtrArray *found, const char *which, GError **error);
/* From the text of /proc/PID/cgroup: the container id (64 hex) and runtime
 * its path names, or FALSE if none does. */
gboolean crawl_cgroup_parse (const char *text, char **out_id, char **out_runtime,
                             char **out_path);
/* From the text of a mountinfo (the host's: the crawler's own): the
 * overlay whose device is MAJOR:MINOR, i.e. the one a container's root,
 * /proc/PID/root, is on. FALSE if that device is not an overlay. */
gboolean crawl_mountinfo_overlay_dev (const char *text, guint major, guint minor,
                                      char **out_upper, char ***out_lowers, char **out_work);
/* TRUE while t->pid is still the process discovery saw (same start time). */
gboolean crawl_target_alive (CrawlTarget *t);

/* --- reading (crawler/target.c) -------------------------------------------- */

/* Opens path (absolute, inside the target's root) with symlinks resolved
 * inside that root; flags as for open(2) (O_CLOEXEC is added). -1 with
 * error set on failure, errno kept. */
int crawl_root_open (CrawlTarget *t, const char *path, int flags, GError **error);
/* Opens path inside the root read-only if it is a regular file. It is
 * opened O_PATH and checked first: a device node a container planted is
 * never opened (that would run the device's driver on the host), a fifo
 * never blocks. Not regular: -1, errno EINVAL, G_IO_ERROR_NOT_REGULAR_FILE. */
int crawl_root_open_regular (CrawlTarget *t, const char *path, GError **error);
/* The same check on any O_PATH descriptor (from openat with O_PATH |
 * O_NOFOLLOW, say): the regular file reopened O_RDONLY | O_NONBLOCK, or -1
 * (EINVAL: not a regular file). Always closes pathfd; -1 in, -1 out. */
int crawl_reopen_regular (int pathfd);
/* Reads a whole file inside the root, at most max bytes (error beyond). */
gboolean crawl_root_read (CrawlTarget *t, const char *path, gsize max, char **out,
                          gsize *out_len, GError **error);
/* Reads /proc/PID/NAME (NAME may have slashes: "net/tcp"), at most max bytes. */
gboolean crawl_proc_read (const char *proc, pid_t pid, const char *name, gsize max,
                          char **out, gsize *out_len, GError **error);
/* Reads all of fd, at most max bytes. */
gboolean crawl_fd_read (int fd, gsize max, char **out, gsize *out_len, GError **error);
/* Records that something was not crawled and why; the frame lists it. */
void crawl_target_skip (CrawlTarget *t, const char *feature, const char *what,
                        const char *reason);
/* A JSON string for bytes that may not be UTF-8 (invalid bytes as \xNN). */
json_t *crawl_json_string (const char *s, gssize len);
/* The same for a NUL-terminated string, or JSON null for NULL (unknown). */
json_t *crawl_json_string_or_null (const char *s);

/* --- features (crawler/features.c, crawler/feature-*.c) -------------------- */

typedef enum {
  CRAWL_FILES_DRIFT,   /* upperdir only */
  CRAWL_FILES_FULL,    /* every file of the merged root */
} CrawlFilesMode;

typedef struct {
  CtrStore *store;             /* NULL: crawl without the image store */
  CrawlFilesMode files;
  char **config_globs;         /* NULL: defaults */
  GPtrArray *plugins;          /* CrawlPlugin*, or NULL */
} CrawlContext;

/* A feature adds items to `items` (an object: item key -> item object).
 * FALSE means the feature as a whole failed; the frame records why and the
 * other features still run. Partial failures use crawl_target_skip. */
typedef gboolean (*CrawlFeatureFunc) (CrawlContext *ctx, CrawlTarget *t, json_t *items,
                                      GError **error);
typedef struct {
  const char *name;
  gboolean by_default;
  CrawlFeatureFunc crawl;
  const char *summary;
} CrawlFeature;

/* The built-in features, in frame order. */
const CrawlFeature *crawl_features_builtin (gsize *n);
/* The built-in feature called name, or NULL. */
const CrawlFeature *crawl_feature_find (const char *name);

gboolean crawl_feature_os (CrawlContext *ctx, CrawlTarget *t, json_t *items, GError **error);
gboolean crawl_feature_process (CrawlContext *ctx, CrawlTarget *t, json_t *items, GError **error);
gboolean crawl_feature_connection (CrawlContext *ctx, CrawlTarget *t, json_t *items, GError **error);
gboolean crawl_feature_file (CrawlContext *ctx, CrawlTarget *t, json_t *items, GError **error);
gboolean crawl_feature_package (CrawlContext *ctx, CrawlTarget *t, json_t *items, GError **error);
gboolean crawl_feature_config (CrawlContext *ctx, CrawlTarget *t, json_t *items, GError **error);
gboolean crawl_feature_metric (CrawlContext *ctx, CrawlTarget *t, json_t *items, GError **error);
gboolean crawl_feature_interface (CrawlContext *ctx, CrawlTarget *t, json_t *items, GError **error);

/* Finds the store's image version for t (by config digest, then manifest
 * digest, then reference) and sets t->store_ref/store_commit. FALSE, with
 * nothing set and no error, when the store does not hold it. */
gboolean crawl_store_link (CtrStore *store, CrawlTarget *t, GError **error);

/* --- frames (crawler/frame.c, crawler/format.c) ---------------------------- */

/* Crawls features (names; NULL: the defaults) of t into a frame:
 * {"_frame": {...}, "<feature>": {key: item}}. Never fails: a feature that
 * fails is recorded in _frame.skipped. */
json_t *crawl_frame_build (CrawlContext *ctx, CrawlTarget *t, char **features);
/* The delta from prev to cur (both full frames): _frame.delta = {"base": prev
 * uuid}, and per feature {"added": {...}, "changed": {...}, "removed": [keys]}. */
json_t *crawl_frame_delta (json_t *prev, json_t *cur);
/* Number of items in a frame, for progress and tests. */
gsize crawl_frame_count_items (json_t *frame);

typedef enum {
  CRAWL_FORMAT_JSON,        /* one frame per line */
  CRAWL_FORMAT_NDJSON,      /* one line per item, with the header fields */
  CRAWL_FORMAT_CRAWLER_CSV, /* "metadata" line, then type\tkey\tjson per item */
} CrawlFormat;
gboolean crawl_format_parse (const char *name, CrawlFormat *out, GError **error);
/* Appends the frame in format fmt to out, each line ending in '\n'. */
void crawl_format_frame (json_t *frame, CrawlFormat fmt, GString *out);

/* --- emitters (crawler/emit-*.c) ------------------------------------------- */

typedef struct CrawlEmitter CrawlEmitter;
/* spec: "stdout", "file:DIR" (one file per frame; "file:DIR?gzip"),
 * "http://HOST:PORT/PATH" (NDJSON bulk POST; "?format=es-bulk"), "index"
 * (the store's frame index; needs store). */
CrawlEmitter *crawl_emitter_new (const char *spec, CrawlFormat fmt, CtrStore *store,
                                 GError **error);
/* The same, and a spec none of the built-in ones takes goes to the plugins'
 * emitters (plugins may be NULL). */
CrawlEmitter *crawl_emitter_new_with_plugins (const char *spec, CrawlFormat fmt, CtrStore *store,
                                              GPtrArray *plugins, GError **error);
gboolean crawl_emitter_emit (CrawlEmitter *e, json_t *frame, GError **error);
/* Flushes what is queued (http); FALSE if frames were lost. */
gboolean crawl_emitter_close (CrawlEmitter *e, GError **error);
void crawl_emitter_free (CrawlEmitter *e);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrawlEmitter, crawl_emitter_free)

/* --- the frame index (crawler/index.c) ------------------------------------- */

typedef struct CrawlIndex CrawlIndex;
/* The index of a store: STORE/index/frames.sqlite, created on first use. */
CrawlIndex *crawl_index_open (CtrStore *store, gboolean create, GError **error);
CrawlIndex *crawl_index_open_path (const char *path, gboolean create, GError **error);
gboolean crawl_index_add (CrawlIndex *idx, json_t *frame, GError **error);
/* query: field filters (package:NAME, image:, port:, listening:, user:,
 * file:, name:, id:) and free text ranked by bm25. Returns {"total": N,
 * "hits": [...], "facets": {field: {value: count}}} with facets only for
 * the fields asked. */
json_t *crawl_index_search (CrawlIndex *idx, const char *query, char **facets, guint limit,
                            GError **error);
void crawl_index_free (CrawlIndex *idx);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrawlIndex, crawl_index_free)

/* --- plugins (crawler/plugin.c; the ABI is crawler/ctrgit-plugin.h) -------- */

typedef struct CrawlPlugin CrawlPlugin;
/* Loads every *.so in dir, in name order (missing dir: none). *out is
 * always set (a GPtrArray that frees its plugins). A file that is not a
 * valid plugin does not stop the others: FALSE then, with one error naming
 * every bad file, and *out holds the plugins that did load. */
gboolean crawl_plugins_load (const char *dir, GPtrArray **out, GError **error);
/* A plugin feature by name, run like a built-in one; FALSE if none has it. */
gboolean crawl_plugins_find_feature (GPtrArray *plugins, const char *name);
/* The plugins' feature names in load order (NULL-terminated; g_strfreev). */
char **crawl_plugins_feature_names (GPtrArray *plugins);
gboolean crawl_plugins_crawl (GPtrArray *plugins, const char *name, CrawlTarget *t, json_t *items,
                              GError **error);
/* A plugin emitter for spec "NAME:ARGS", or NULL with no error if none. */
CrawlEmitter *crawl_plugins_emitter (GPtrArray *plugins, const char *spec, GError **error);

/* --- sandbox (crawler/sandbox.c) -------------------------------------------- */

/* Installs the seccomp filter: setns, unshare, ptrace, process_vm_readv and
 * _writev, execve(at), mount family, and signals to other processes fail
 * with EPERM from now on, for this process and its threads. */
gboolean crawl_sandbox_enter (GError **error);
/* The Seccomp line of /proc/self/status: 2 when filtering. */
int crawl_sandbox_mode (void);
