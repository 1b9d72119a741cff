/* crawler/feature-process.c: the process feature, one item per process of
 * the target keyed by its host pid. User and group names come from the
 * container's own /etc/passwd and /etc/group (uids inside a container name
 * its users, not the host's); both are read once per crawl.
 */
#include "crawler/crawler.h"
#include "crawler/procfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#define PROCESS_FEATURE "process"

typedef struct {
  CrawlTarget *t;
  const char *proc;
  gint64 btime;              /* -1 when unknown */
  long page_size;
  long hz;
  GHashTable *users;         /* uid -> name, NULL without /etc/passwd */
  GHashTable *groups;
} ProcessCrawl;

static GHashTable *
read_idmap (CrawlTarget *t, const char *path)
{
  g_autoptr(GError) local = NULL;
  g_autofree char *text = NULL;
  gsize len = 0;
  if (!crawl_root_read (t, path, PROCFS_ID_FILE_MAX, &text, &len, &local))
    {
      if (!g_error_matches (local, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        crawl_target_skip (t, PROCESS_FEATURE, path, local->message);
      return NULL;
    }
  return procfs_parse_idmap (text, len);
}

/* Records what could not be read of a process that still runs. */
static void
skip_pid (ProcessCrawl *c, pid_t pid, const char *what, const GError *error)
{
  g_autofree char *w = g_strdup_printf ("pid %d %s", (int) pid, what);
  crawl_target_skip (c->t, PROCESS_FEATURE, w, error->message);
}

/* readlink of /proc/PID/NAME ("exe", "cwd"): the path as the process sees
 * it in its own mount namespace. A kernel thread or a zombie has none. */
static json_t *
proc_link (ProcessCrawl *c, pid_t pid, const char *name)
{
  g_autofree char *path = g_strdup_printf ("%s/%d/%s", c->proc, (int) pid, name);
  char buf[PATH_MAX];
  ssize_t n = readlink (path, buf, sizeof buf);
  if (n >= 0)
    return crawl_json_string (buf, n);
  if (errno != ENOENT && errno != ESRCH)
    {
      g_autoptr(GError) e = g_error_new (G_IO_ERROR, g_io_error_from_errno (errno), "%s: %s",
                                         path, g_strerror (errno));
      if (!procfs_pid_gone (c->proc, pid, e))
        skip_pid (c, pid, name, e);
    }
  return json_null ();
}

static json_t *
count_fds (ProcessCrawl *c, pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("%s/%d/fd", c->proc, (int) pid);
  DIR *d = opendir (path);
  if (!d)
    {
      g_autoptr(GError) e = g_error_new (G_IO_ERROR, g_io_error_from_errno (errno), "%s: %s",
                                         path, g_strerror (errno));
      if (!procfs_pid_gone (c->proc, pid, e))
        skip_pid (c, pid, "fd", e);
      return json_null ();
    }
  gint64 n = 0;
  struct dirent *de;
  while ((de = readdir (d)))
    n += de->d_name[0] != '.';
  closedir (d);
  return json_integer (n);
}

static json_t *
id_name (GHashTable *map, gint64 id)
{
  const char *name = procfs_idmap_lookup (map, id);
  return name ? crawl_json_string (name, -1) : json_null ();
}

static json_t *
id_json (gint64 id)
{
  return id >= 0 ? json_integer (id) : json_null ();
}

/* The item of one process, or NULL when it exited meanwhile or its stat
 * could not be read (recorded). */
static json_t *
process_item (ProcessCrawl *c, pid_t pid)
{
  g_autoptr(GError) local = NULL;
  g_autofree char *stat_text = NULL, *status_text = NULL, *cmdline = NULL;
  gsize stat_len = 0, cmd_len = 0;
  gboolean truncated = FALSE;
  ProcStat st;
  ProcStatus status;

  if (!crawl_proc_read (c->proc, pid, "stat", CRAWL_PROC_FILE_MAX, &stat_text, &stat_len, &local)
      || !procfs_parse_stat (stat_text, stat_len, &st, &local))
    {
      if (!procfs_pid_gone (c->proc, pid, local))
        skip_pid (c, pid, "stat", local);
      return NULL;
    }
  g_autofree char *comm = g_steal_pointer (&st.comm);
  g_autoptr(json_t) item = json_object ();
  json_object_set_new (item, "pid", json_integer (pid));
  if (crawl_proc_read (c->proc, pid, "status", CRAWL_PROC_FILE_MAX, &status_text, NULL, &local))
    procfs_parse_status (status_text, &status);
  else
    {
      procfs_parse_status ("", &status);
      if (procfs_pid_gone (c->proc, pid, local))
        return NULL;
      skip_pid (c, pid, "status", local);
      g_clear_error (&local);
    }
  json_object_set_new (item, "ns_pid", id_json (status.ns_pid));
  json_object_set_new (item, "ppid", json_integer (st.ppid));
  json_object_set_new (item, "comm", crawl_json_string (comm, st.comm_len));

  if (procfs_read_prefix (c->proc, pid, "cmdline", CRAWL_CMDLINE_MAX, &cmdline, &cmd_len,
                          &truncated, &local))
    {
      json_object_set_new (item, "cmdline", procfs_cmdline_json (cmdline, cmd_len));
      if (truncated)
        json_object_set_new (item, "cmdline_truncated", json_true ());
    }
  else
    {
      if (procfs_pid_gone (c->proc, pid, local))
        return NULL;
      skip_pid (c, pid, "cmdline", local);
      json_object_set_new (item, "cmdline", json_null ());
    }
  json_object_set_new (item, "exe", proc_link (c, pid, "exe"));
  json_object_set_new (item, "cwd", proc_link (c, pid, "cwd"));

  json_object_set_new (item, "uid", id_json (status.uid[0]));
  json_object_set_new (item, "euid", id_json (status.uid[1]));
  json_object_set_new (item, "gid", id_json (status.gid[0]));
  json_object_set_new (item, "egid", id_json (status.gid[1]));
  /* As ps(1) shows USER: the effective ids. */
  json_object_set_new (item, "user", id_name (c->users, status.uid[1]));
  json_object_set_new (item, "group", id_name (c->groups, status.gid[1]));

  char state[2] = { st.state, '\0' };
  json_object_set_new (item, "state", crawl_json_string (state, 1));
  g_autofree char *start = c->btime >= 0 ? procfs_start_time (c->btime, st.starttime) : NULL;
  json_object_set_new (item, "start_time", start ? json_string (start) : json_null ());
  json_object_set_new (item, "threads", json_integer (st.num_threads));
  json_object_set_new (item, "rss_bytes", json_integer (MAX (st.rss_pages, 0) * c->page_size));
  json_object_set_new (item, "cpu_seconds", json_real ((double) (st.utime + st.stime) / c->hz));
  json_object_set_new (item, "open_fds", count_fds (c, pid));
  return g_steal_pointer (&item);
}

gboolean
crawl_feature_process (CrawlContext *ctx, CrawlTarget *t, json_t *items, GError **error)
{
  ProcessCrawl c = {
    .t = t,
    .proc = t->proc ? t->proc : "/proc",
    .btime = -1,
    .page_size = sysconf (_SC_PAGESIZE),
    .hz = sysconf (_SC_CLK_TCK),
  };
  if (c.hz <= 0)
    c.hz = 100;
  if (t->kind == CRAWL_TARGET_CONTAINER && !crawl_target_alive (t))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "container exited");
      return FALSE;
    }
  g_autoptr(GArray) pids = procfs_pids (t, error);
  if (!pids)
    return FALSE;
  g_autoptr(GError) local = NULL;
  if (!procfs_boot_time (c.proc, &c.btime, &local))
    crawl_target_skip (t, PROCESS_FEATURE, "boot time", local->message);
  g_autoptr(GHashTable) users = read_idmap (t, "/etc/passwd");
  g_autoptr(GHashTable) groups = read_idmap (t, "/etc/group");
  c.users = users;
  c.groups = groups;

  for (guint i = 0; i < pids->len; i++)
    {
      pid_t pid = g_array_index (pids, pid_t, i);
      json_t *item = process_item (&c, pid);
      if (!item)
        continue;
      char key[16];
      g_snprintf (key, sizeof key, "%d", (int) pid);
      json_object_set_new (items, key, item);
    }
  return TRUE;
}
