/* crawler/feature-metric.c: the metric feature: CPU, memory, pids and I/O
 * of the container's cgroup (items "cpu", "memory", "pids", "io").
 *
 * The cgroup comes from /proc/<init>/cgroup, per controller on v1 and the
 * "0::" line on v2. A controller mounted as a v1 hierarchy is read there
 * (a hybrid host such as this one has them all on v1 and an empty unified
 * tree); otherwise the v2 files. Where the cgroup sits is found through
 * the crawler's own mountinfo, so a crawler in a cgroup namespace or with a
 * subtree bind-mounted still resolves it, or records a skip.
 *
 * The host has no cgroup of its own worth reading (the root cgroup lacks
 * most files on v2), so its items come from /proc: stat, meminfo,
 * diskstats of whole disks, and the pid count against pid_max.
 */
#include "crawler/crawler.h"
#include "crawler/procfs.h"
#include "crawler/crawler-private.h"

#include <dirent.h>
#include <string.h>
#include <unistd.h>

#define METRIC_FEATURE "metric"

typedef struct {
  CrawlTarget *t;
  const char *proc;
  char *cgroup;        /* /proc/<init>/cgroup */
  char *mountinfo;     /* the crawler's /proc/self/mountinfo */
} MetricCrawl;

/* A cgroup directory: where and how it is read. */
typedef struct {
  char *dir;
  char *path;
  int version;
} CgroupDir;

static void
cgroup_dir_clear (CgroupDir *d)
{
  g_clear_pointer (&d->dir, g_free);
  g_clear_pointer (&d->path, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CgroupDir, cgroup_dir_clear)

static gboolean
find_dir (MetricCrawl *m, const char *controller, CgroupDir *out)
{
  out->path = procfs_cgroup_path (m->cgroup, controller);
  out->dir = out->path ? procfs_cgroup_dir (m->mountinfo, controller, out->path) : NULL;
  out->version = controller ? 1 : 2;
  if (out->dir)
    return TRUE;
  cgroup_dir_clear (out);
  return FALSE;
}

/* The directory of metric `what`: the v1 hierarchy of controller if one is
 * mounted, else v2. NULL (a skip recorded) when neither holds it. */
static gboolean
cgroup_for (MetricCrawl *m, const char *what, const char *controller, CgroupDir *out)
{
  if (find_dir (m, controller, out) || find_dir (m, NULL, out))
    return TRUE;
  g_autofree char *path = procfs_cgroup_path (m->cgroup, controller);
  if (!path)
    path = procfs_cgroup_path (m->cgroup, NULL);
  g_autofree char *reason = g_strdup_printf ("cgroup %s is not under a cgroup mount this crawler sees",
                                             path ? path : "(none)");
  crawl_target_skip (m->t, METRIC_FEATURE, what, reason);
  return FALSE;
}

/* Reads DIR/NAME; a missing or unreadable file is recorded and NULL. */
static char *
cg_read (MetricCrawl *m, const char *what, const CgroupDir *d, const char *name)
{
  g_autofree char *path = g_build_filename (d->dir, name, NULL);
  g_autoptr(GError) local = NULL;
  char *text = NULL;
  if (crawl_path_read (path, PROCFS_CGROUP_FILE_MAX, &text, NULL, &local))
    return text;
  crawl_target_skip (m->t, METRIC_FEATURE, what, local->message);
  return NULL;
}

static json_t *
item_new (const CgroupDir *d)
{
  return json_pack ("{siso}", "cgroup_version", d->version, "cgroup",
                    crawl_json_string (d->path, -1));
}

/* A one-value file: its number, null for "max" (no limit) or unreadable. */
static json_t *
value_json (const char *text)
{
  guint64 v;
  gboolean unlimited;
  if (!text || !procfs_parse_limit (text, &v, &unlimited) || unlimited)
    return json_null ();
  return json_integer ((json_int_t) v);
}

static void
io_set (json_t *item, const ProcIo *io)
{
  json_object_set_new (item, "read_bytes", json_integer ((json_int_t) io->read_bytes));
  json_object_set_new (item, "write_bytes", json_integer ((json_int_t) io->write_bytes));
  json_object_set_new (item, "read_ops", json_integer ((json_int_t) io->read_ops));
  json_object_set_new (item, "write_ops", json_integer ((json_int_t) io->write_ops));
}

static void
metric_cpu (MetricCrawl *m, json_t *items)
{
  g_auto(CgroupDir) d = { 0 };
  if (!cgroup_for (m, "cpu", "cpuacct", &d))
    return;
  g_autofree char *text = cg_read (m, "cpu", &d, d.version == 1 ? "cpuacct.usage" : "cpu.stat");
  if (!text)
    return;
  json_t *item = item_new (&d);
  guint64 v;
  gboolean unlimited;
  if (d.version == 1 && procfs_parse_limit (text, &v, &unlimited))
    json_object_set_new (item, "usage_usec", json_integer ((json_int_t) (v / 1000)));
  static const char *const v2_keys[] = { "usage_usec", "user_usec", "system_usec" };
  for (gsize i = 0; d.version == 2 && i < G_N_ELEMENTS (v2_keys); i++)
    if (procfs_keyed_value (text, v2_keys[i], &v))
      json_object_set_new (item, v2_keys[i], json_integer ((json_int_t) v));
  json_object_set_new (items, "cpu", item);
}

static void
metric_memory (MetricCrawl *m, json_t *items)
{
  g_auto(CgroupDir) d = { 0 };
  if (!cgroup_for (m, "memory", "memory", &d))
    return;
  gboolean v1 = d.version == 1;
  g_autofree char *usage = cg_read (m, "memory", &d, v1 ? "memory.usage_in_bytes" : "memory.current");
  g_autofree char *limit = cg_read (m, "memory", &d, v1 ? "memory.limit_in_bytes" : "memory.max");
  if (!usage)
    return;
  json_t *item = item_new (&d);
  json_object_set_new (item, "usage_bytes", value_json (usage));
  json_object_set_new (item, "limit_bytes", value_json (limit));
  json_object_set_new (items, "memory", item);
}

static void
metric_pids (MetricCrawl *m, json_t *items)
{
  g_auto(CgroupDir) d = { 0 };
  if (!cgroup_for (m, "pids", "pids", &d))
    return;
  g_autofree char *current = cg_read (m, "pids", &d, "pids.current");
  g_autofree char *max = cg_read (m, "pids", &d, "pids.max");
  if (!current)
    return;
  json_t *item = item_new (&d);
  json_object_set_new (item, "current", value_json (current));
  json_object_set_new (item, "limit", value_json (max));
  json_object_set_new (items, "pids", item);
}

static void
metric_io (MetricCrawl *m, json_t *items)
{
  g_auto(CgroupDir) d = { 0 };
  if (!cgroup_for (m, "io", "blkio", &d))
    return;
  ProcIo io;
  if (d.version == 1)
    {
      g_autofree char *bytes = cg_read (m, "io", &d, "blkio.throttle.io_service_bytes");
      g_autofree char *ops = cg_read (m, "io", &d, "blkio.throttle.io_serviced");
      if (!bytes)
        return;
      procfs_parse_blkio (bytes, ops, &io);
    }
  else
    {
      g_autofree char *stat = cg_read (m, "io", &d, "io.stat");
      if (!stat)
        return;
      procfs_parse_io_stat (stat, &io);
    }
  json_t *item = item_new (&d);
  io_set (item, &io);
  json_object_set_new (items, "io", item);
}

/* --- the host ------------------------------------------------------------- */

static char *
host_read (CrawlTarget *t, const char *what, const char *path, gsize max)
{
  g_autoptr(GError) local = NULL;
  char *text = NULL;
  if (crawl_path_read (path, max, &text, NULL, &local))
    return text;
  crawl_target_skip (t, METRIC_FEATURE, what, local->message);
  return NULL;
}

/* Whole disks: the entries of /sys/block backed by a device (not loop,
 * ram, device-mapper or md, which stack on the disks they would count
 * again). */
static GStrv
host_disks (void)
{
  g_autoptr(GPtrArray) disks = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = g_dir_open ("/sys/block", 0, NULL);
  const char *name;
  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *dev = g_build_filename ("/sys/block", name, "device", NULL);
      if (g_file_test (dev, G_FILE_TEST_EXISTS))
        g_ptr_array_add (disks, g_strdup (name));
    }
  g_ptr_array_add (disks, NULL);
  return (GStrv) g_ptr_array_steal (disks, NULL);
}

static gboolean
host_metrics (CrawlTarget *t, const char *proc, json_t *items, GError **error)
{
  g_autofree char *stat_path = g_build_filename (proc, "stat", NULL);
  g_autofree char *meminfo_path = g_build_filename (proc, "meminfo", NULL);
  g_autofree char *pidmax_path = g_build_filename (proc, "sys/kernel/pid_max", NULL);
  g_autofree char *disk_path = g_build_filename (proc, "diskstats", NULL);
  long hz = sysconf (_SC_CLK_TCK);
  guint64 v, total, avail;

  g_autofree char *stat = host_read (t, "cpu", stat_path, CRAWL_PROC_FILE_MAX);
  if (stat && procfs_parse_stat_cpu (stat, &v))
    json_object_set_new (items, "cpu", json_pack ("{sssI}", "source", "proc", "usage_usec",
                                                  (json_int_t) (v * 1000000 / (hz > 0 ? hz : 100))));

  g_autofree char *meminfo = host_read (t, "memory", meminfo_path, CRAWL_PROC_FILE_MAX);
  if (meminfo && procfs_keyed_value (meminfo, "MemTotal", &total)
      && procfs_keyed_value (meminfo, "MemAvailable", &avail))
    json_object_set_new (items, "memory",
                         json_pack ("{sssIsI}", "source", "proc", "usage_bytes",
                                    (json_int_t) ((total - MIN (avail, total)) * 1024),
                                    "limit_bytes", (json_int_t) (total * 1024)));

  g_autoptr(GArray) pids = procfs_pids (t, error);
  if (!pids)
    return FALSE;
  g_autofree char *pid_max = host_read (t, "pids", pidmax_path, 64);
  json_t *item = json_pack ("{sssI}", "source", "proc", "current", (json_int_t) pids->len);
  json_object_set_new (item, "limit", value_json (pid_max));
  json_object_set_new (items, "pids", item);

  g_autofree char *disk = host_read (t, "io", disk_path, CRAWL_PROC_FILE_MAX);
  if (disk)
    {
      g_auto(GStrv) disks = host_disks ();
      ProcIo io;
      procfs_parse_diskstats (disk, (const char *const *) disks, &io);
      item = json_pack ("{ss}", "source", "proc");
      io_set (item, &io);
      json_object_set_new (items, "io", item);
    }
  return TRUE;
}

gboolean
crawl_feature_metric (CrawlContext *ctx, CrawlTarget *t, json_t *items, GError **error)
{
  const char *proc = t->proc ? t->proc : "/proc";
  if (t->kind == CRAWL_TARGET_HOST)
    return host_metrics (t, proc, items, error);

  g_autofree char *cgroup = NULL, *mountinfo = NULL;
  g_autoptr(GError) local = NULL;
  if (!crawl_proc_read (proc, t->pid, "cgroup", CRAWL_PROC_FILE_MAX, &cgroup, NULL, &local))
    {
      if (!procfs_pid_gone (proc, t->pid, local))
        crawl_target_skip (t, METRIC_FEATURE, "cgroup", local->message);
      return TRUE;
    }
  g_autofree char *self_mountinfo = g_build_filename (proc, "self/mountinfo", NULL);
  if (!crawl_path_read (self_mountinfo, CRAWL_PROC_FILE_MAX, &mountinfo, NULL, error))
    return FALSE;
  MetricCrawl m = { .t = t, .proc = proc, .cgroup = cgroup, .mountinfo = mountinfo };
  metric_cpu (&m, items);
  metric_memory (&m, items);
  metric_pids (&m, items);
  metric_io (&m, items);
  return TRUE;
}
