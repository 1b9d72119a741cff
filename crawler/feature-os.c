/* crawler/feature-os.c: the os feature, one item "os": the distribution as
 * the container's own os-release names it, the kernel and architecture it
 * shares with the host, its hostname, and when the host booted and the
 * container started.
 */
#include "crawler/crawler.h"
#include "crawler/procfs.h"

#include <string.h>
#include <sys/utsname.h>

#define OS_FEATURE "os"

/* Reads a file of the root; absent is not an error (*out NULL), anything
 * else is recorded as skipped. */
static char *
root_file (CrawlTarget *t, const char *path, gsize *len)
{
  g_autoptr(GError) local = NULL;
  char *text = NULL;
  if (crawl_root_read (t, path, CRAWL_CONFIG_FILE_MAX, &text, len, &local))
    return text;
  if (!g_error_matches (local, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    crawl_target_skip (t, OS_FEATURE, path, local->message);
  return NULL;
}

static void
set_string (json_t *o, const char *key, const char *value)
{
  json_object_set_new (o, key, value ? crawl_json_string (value, -1) : json_null ());
}

static void
add_os_release (CrawlTarget *t, json_t *item)
{
  /* os-release(5): /etc first, then the vendor's copy. */
  gsize len = 0;
  g_autofree char *text = root_file (t, "/etc/os-release", &len);
  if (!text)
    text = root_file (t, "/usr/lib/os-release", &len);
  g_autoptr(GHashTable) kv = text ? procfs_parse_os_release (text, len) : NULL;
  static const struct {
    const char *field, *key;
  } fields[] = {
    { "id", "ID" }, { "version_id", "VERSION_ID" }, { "pretty_name", "PRETTY_NAME" },
    { "name", "NAME" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++)
    set_string (item, fields[i].field, kv ? g_hash_table_lookup (kv, fields[i].key) : NULL);
}

static char *
hostname_of (CrawlTarget *t)
{
  if (t->hostname)
    return g_strdup (t->hostname);
  gsize len = 0;
  g_autofree char *text = root_file (t, "/etc/hostname", &len);
  if (!text)
    return NULL;
  char *nl = memchr (text, '\n', len);
  if (nl)
    *nl = '\0';
  g_strstrip (text);
  return *text ? g_steal_pointer (&text) : NULL;
}

gboolean
crawl_feature_os (CrawlContext *ctx, CrawlTarget *t, json_t *items, GError **error)
{
  const char *proc = t->proc ? t->proc : "/proc";
  json_t *item = json_object ();
  json_object_set_new (items, "os", item);

  add_os_release (t, item);

  struct utsname u;
  gboolean have_uname = uname (&u) == 0;
  set_string (item, "kernel", have_uname ? u.release : NULL);
  set_string (item, "architecture", have_uname ? u.machine : NULL);

  g_autofree char *hostname = hostname_of (t);
  set_string (item, "hostname", hostname);

  gint64 btime = -1;
  g_autoptr(GError) local = NULL;
  if (!procfs_boot_time (proc, &btime, &local))
    crawl_target_skip (t, OS_FEATURE, "boot time", local->message);
  g_autofree char *boot = btime >= 0 ? procfs_rfc3339 (btime * 1000) : NULL;
  set_string (item, "boot_time", boot);

  /* Discovery saw the init's start time; the host's init is read here. */
  guint64 start = t->starttime;
  if (!start && btime >= 0)
    {
      g_autofree char *stat = NULL;
      gsize len = 0;
      ProcStat st;
      g_clear_error (&local);
      if (crawl_proc_read (proc, t->pid, "stat", CRAWL_PROC_FILE_MAX, &stat, &len, &local)
          && procfs_parse_stat (stat, len, &st, &local))
        {
          start = st.starttime;
          procfs_stat_clear (&st);
        }
      else if (!procfs_pid_gone (proc, t->pid, local))
        crawl_target_skip (t, OS_FEATURE, "start time", local->message);
    }
  g_autofree char *started = btime >= 0 && start ? procfs_start_time (btime, start) : NULL;
  set_string (item, "start_time", started);
  return TRUE;
}
