/* crawler/procfs.c: parsers of /proc and cgroupfs text (see procfs.h). The
 * text comes from the kernel but much of it is named by a container (comm,
 * unix socket paths, interface names, its own passwd): nothing here trusts
 * a length or a terminator it did not check.
 */
#include "crawler/procfs.h"
#include "crawler/crawler-private.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Calls fn for each line of text[0..len) without its '\n'. */
typedef gboolean (*LineFunc) (const char *line, gsize len, gpointer data);

static void
each_line (const char *text, gsize len, LineFunc fn, gpointer data)
{
  const char *p = text, *end = text + len;
  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *le = nl ? nl : end;
      if (!fn (p, le - p, data))
        return;
      p = le + 1;
    }
}

/* --- stat, status, cmdline ----------------------------------------------- */

gboolean
procfs_parse_stat (const char *text, gsize len, ProcStat *out, GError **error)
{
  memset (out, 0, sizeof *out);
  const char *open = memchr (text, '(', len);
  const char *close = memrchr (text, ')', len);
  if (!open || !close || close < open)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "stat: no (comm)");
      return FALSE;
    }
  g_autofree char *pidtxt = g_strndup (text, open - text);
  out->pid = (pid_t) g_ascii_strtoll (pidtxt, NULL, 10);
  out->comm_len = close - open - 1;
  out->comm = g_strndup (open + 1, out->comm_len);
  /* Fields 3.. follow the last ')'; token i is field i + 3 of proc(5). */
  g_autofree char *rest = g_strndup (close + 1, text + len - close - 1);
  g_auto(GStrv) tok = g_strsplit_set (g_strstrip (rest), " ", -1);
  if (g_strv_length (tok) < 22 || strlen (tok[0]) != 1)
    {
      procfs_stat_clear (out);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "stat: too few fields");
      return FALSE;
    }
  out->state = tok[0][0];
  out->ppid = (pid_t) g_ascii_strtoll (tok[1], NULL, 10);
  out->utime = g_ascii_strtoull (tok[11], NULL, 10);
  out->stime = g_ascii_strtoull (tok[12], NULL, 10);
  out->num_threads = g_ascii_strtoll (tok[17], NULL, 10);
  out->starttime = g_ascii_strtoull (tok[19], NULL, 10);
  out->rss_pages = g_ascii_strtoll (tok[21], NULL, 10);
  return TRUE;
}

void
procfs_stat_clear (ProcStat *s)
{
  g_clear_pointer (&s->comm, g_free);
}

static void
parse_ids (const char *v, gint64 ids[4])
{
  char *end;
  for (int i = 0; i < 4; i++)
    {
      while (*v == ' ' || *v == '\t')
        v++;
      if (!g_ascii_isdigit (*v))
        return;
      ids[i] = g_ascii_strtoll (v, &end, 10);
      v = end;
    }
}

static gboolean
status_line (const char *line, gsize len, gpointer data)
{
  ProcStatus *st = data;
  g_autofree char *l = g_strndup (line, len);
  if (g_str_has_prefix (l, "Uid:"))
    parse_ids (l + 4, st->uid);
  else if (g_str_has_prefix (l, "Gid:"))
    parse_ids (l + 4, st->gid);
  else if (g_str_has_prefix (l, "VmRSS:"))
    st->vmrss_kb = g_ascii_strtoll (l + 6, NULL, 10);
  else if (g_str_has_prefix (l, "NSpid:"))
    {
      /* One pid per nested namespace, outermost first. */
      const char *last = NULL;
      for (const char *p = l + 6; *p; p++)
        if (g_ascii_isdigit (*p) && (p[-1] == ' ' || p[-1] == '\t' || p[-1] == ':'))
          last = p;
      if (last)
        st->ns_pid = g_ascii_strtoll (last, NULL, 10);
    }
  return TRUE;
}

void
procfs_parse_status (const char *text, ProcStatus *out)
{
  for (int i = 0; i < 4; i++)
    out->uid[i] = out->gid[i] = -1;
  out->ns_pid = -1;
  out->vmrss_kb = -1;
  each_line (text, strlen (text), status_line, out);
}

json_t *
procfs_cmdline_json (const char *buf, gsize len)
{
  json_t *args = json_array ();
  const char *p = buf, *end = buf + len;
  while (p < end)
    {
      const char *nul = memchr (p, '\0', end - p);
      const char *ae = nul ? nul : end;
      json_array_append_new (args, crawl_json_string (p, ae - p));
      p = ae + 1;
    }
  return args;
}

gboolean
procfs_read_prefix (const char *proc, pid_t pid, const char *name, gsize max, char **out,
                    gsize *out_len, gboolean *truncated, GError **error)
{
  g_autofree char *path = g_strdup_printf ("%s/%d/%s", proc, (int) pid, name);
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      int e = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e), "%s: %s", path, g_strerror (e));
      return FALSE;
    }
  /* One byte more than max tells whether there was more. */
  char *buf = g_malloc (max + 2);
  gsize n = 0;
  while (n < max + 1)
    {
      ssize_t r = read (fd, buf + n, max + 1 - n);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        {
          int e = errno;
          close (fd);
          g_free (buf);
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e), "%s: %s", path,
                       g_strerror (e));
          return FALSE;
        }
      if (r == 0)
        break;
      n += r;
    }
  close (fd);
  *truncated = n > max;
  if (n > max)
    n = max;
  buf[n] = '\0';
  *out = buf;
  *out_len = n;
  return TRUE;
}

gboolean
procfs_pid_gone (const char *proc, pid_t pid, const GError *error)
{
  if (error && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    return TRUE;
  /* A read of an exited process's file fails with ESRCH, not ENOENT. */
  g_autofree char *dir = g_strdup_printf ("%s/%d", proc, (int) pid);
  struct stat st;
  return stat (dir, &st) < 0 && errno == ENOENT;
}

static gint
cmp_pid (gconstpointer a, gconstpointer b)
{
  pid_t x = *(const pid_t *) a, y = *(const pid_t *) b;
  return x < y ? -1 : x > y;
}

GArray *
procfs_pids (CrawlTarget *t, GError **error)
{
  if (t->pids)
    return g_array_ref (t->pids);
  const char *proc = t->proc ? t->proc : "/proc";
  DIR *d = opendir (proc);
  if (!d)
    {
      int e = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e), "%s: %s", proc, g_strerror (e));
      return NULL;
    }
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (pid_t));
  struct dirent *de;
  while ((de = readdir (d)))
    {
      char *end;
      if (!g_ascii_isdigit (de->d_name[0]))
        continue;
      gint64 v = g_ascii_strtoll (de->d_name, &end, 10);
      if (*end || v <= 0 || v > G_MAXINT32)
        continue;
      pid_t p = (pid_t) v;
      g_array_append_val (pids, p);
    }
  closedir (d);
  g_array_sort (pids, cmp_pid);
  return pids;
}

gint64
procfs_parse_btime (const char *text)
{
  for (const char *p = text; p && *p; p = strchr (p, '\n'), p = p ? p + 1 : NULL)
    if (g_str_has_prefix (p, "btime "))
      return g_ascii_strtoll (p + 6, NULL, 10);
  return -1;
}

gboolean
procfs_boot_time (const char *proc, gint64 *out, GError **error)
{
  /* The boot time is fixed for the life of the host: the os, process and
   * metric features of every crawl share one read of the real /proc/stat. */
  static gint64 cached = -1;
  G_LOCK_DEFINE_STATIC (cached);
  gboolean real = strcmp (proc, "/proc") == 0;
  G_LOCK (cached);
  *out = cached;
  G_UNLOCK (cached);
  if (real && *out >= 0)
    return TRUE;
  g_autofree char *path = g_build_filename (proc, "stat", NULL);
  g_autofree char *text = NULL;
  if (!crawl_path_read (path, CRAWL_PROC_FILE_MAX, &text, NULL, error))
    return FALSE;
  *out = procfs_parse_btime (text);
  if (*out < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: no btime", path);
      return FALSE;
    }
  if (real)
    {
      G_LOCK (cached);
      cached = *out;
      G_UNLOCK (cached);
    }
  return TRUE;
}

char *
procfs_rfc3339 (gint64 ms)
{
  time_t secs = (time_t) (ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  int frac = (int) (ms - (gint64) secs * 1000);
  struct tm tm;
  gmtime_r (&secs, &tm);
  return g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                          tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

char *
procfs_start_time (gint64 btime, guint64 ticks)
{
  long hz = sysconf (_SC_CLK_TCK);
  if (hz <= 0)
    hz = 100;
  return procfs_rfc3339 (btime * 1000 + (gint64) (ticks * 1000 / (guint64) hz));
}

/* --- sockets ------------------------------------------------------------- */

static guint32
hex_word (const char *h)
{
  char w[9];
  memcpy (w, h, 8);
  w[8] = '\0';
  return (guint32) strtoul (w, NULL, 16);
}

/* /proc prints each 32-bit word of the address as the host reads it from
 * memory, so storing the word back in host order gives network order:
 * 0100007F on a little-endian host is 127.0.0.1. */
static gboolean
proc_inet_addr (const char *hex, gsize n, gboolean v6, char *out, gsize out_size)
{
  guint8 bytes[16];
  gsize words = v6 ? 4 : 1;
  if (n != words * 8)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isxdigit (hex[i]))
      return FALSE;
  for (gsize i = 0; i < words; i++)
    {
      guint32 w = hex_word (hex + 8 * i);
      memcpy (bytes + 4 * i, &w, 4);
    }
  return inet_ntop (v6 ? AF_INET6 : AF_INET, bytes, out, out_size) != NULL;
}

gboolean
procfs_parse_inet_line (const char *line, gboolean v6, ProcInetSock *out)
{
  char la[40], ra[40];
  unsigned lp, rp, st;
  unsigned long long inode;
  memset (out, 0, sizeof *out);
  /* sl: local rem st tx:rx tr:when retrnsmt uid timeout inode */
  if (sscanf (line, " %*u: %39[0-9A-Fa-f]:%x %39[0-9A-Fa-f]:%x %x %*x:%*x %*x:%*x %*x %*u %*u %llu",
              la, &lp, ra, &rp, &st, &inode) != 6)
    return FALSE;
  if (lp > 0xffff || rp > 0xffff
      || !proc_inet_addr (la, strlen (la), v6, out->local, sizeof out->local)
      || !proc_inet_addr (ra, strlen (ra), v6, out->remote, sizeof out->remote))
    return FALSE;
  out->local_port = lp;
  out->remote_port = rp;
  out->st = st;
  out->inode = inode;
  return TRUE;
}

const char *
procfs_inet_state (guint st, gboolean udp)
{
  /* include/net/tcp_states.h */
  static const char *const names[] = {
    NULL, "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT",
    "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV",
  };
  /* ss(8) calls an unconnected UDP socket UNCONN; the kernel says CLOSE. */
  if (udp && st == 7)
    return "UNCONN";
  if (st < G_N_ELEMENTS (names) && names[st])
    return names[st];
  return "UNKNOWN";
}

gboolean
procfs_parse_unix_line (const char *line, gsize len, ProcUnixSock *out)
{
  g_autofree char *l = g_strndup (line, len);
  unsigned flags, type, st;
  unsigned long long inode;
  int n = -1;
  memset (out, 0, sizeof *out);
  /* Num RefCount Protocol Flags Type St Inode [Path] */
  if (sscanf (l, "%*[0-9a-fA-F]: %*x %*x %x %x %x %llu%n", &flags, &type, &st, &inode, &n) != 4
      || n < 0)
    return FALSE;
  out->flags = flags;
  out->type = type;
  out->st = st;
  out->inode = inode;
  if ((gsize) n + 1 < len && line[n] == ' ')
    {
      out->path = line + n + 1;
      out->path_len = len - n - 1;
    }
  return TRUE;
}

const char *
procfs_unix_state (const ProcUnixSock *u)
{
  /* __SO_ACCEPTCON: listen(2) was called on it. */
  if (u->flags & 0x10000)
    return "LISTEN";
  switch (u->st)
    {
    case 1: return "UNCONNECTED";
    case 2: return "CONNECTING";
    case 3: return "CONNECTED";
    case 4: return "DISCONNECTING";
    default: return "UNKNOWN";
    }
}

const char *
procfs_unix_type (guint type)
{
  switch (type)
    {
    case 1: return "stream";
    case 2: return "dgram";
    case 5: return "seqpacket";
    default: return "unknown";
    }
}

gboolean
procfs_socket_inode (const char *link, guint64 *out)
{
  if (!g_str_has_prefix (link, "socket:["))
    return FALSE;
  char *end;
  guint64 v = g_ascii_strtoull (link + 8, &end, 10);
  if (end == link + 8 || strcmp (end, "]") != 0)
    return FALSE;
  *out = v;
  return TRUE;
}

/* --- net/dev ------------------------------------------------------------- */

static void
net_dev_clear (gpointer p)
{
  g_free (((ProcNetDev *) p)->name);
}

static gboolean
net_dev_line (const char *line, gsize len, gpointer data)
{
  GArray *out = data;
  g_autofree char *l = g_strndup (line, len);
  /* Counters hold no ':', so the last one ends the name; the header's
   * lines hold '|' and no ':'. */
  char *colon = strrchr (l, ':');
  if (!colon || strchr (l, '|'))
    return TRUE;
  *colon = '\0';
  guint64 v[16];
  char *p = colon + 1;
  for (int i = 0; i < 16; i++)
    {
      char *end;
      while (*p == ' ' || *p == '\t')
        p++;
      if (!g_ascii_isdigit (*p))
        return TRUE;
      v[i] = g_ascii_strtoull (p, &end, 10);
      p = end;
    }
  ProcNetDev d = {
    .name = g_strdup (g_strstrip (l)),
    .rx_bytes = v[0], .rx_packets = v[1], .rx_errors = v[2], .rx_drops = v[3],
    .tx_bytes = v[8], .tx_packets = v[9], .tx_errors = v[10], .tx_drops = v[11],
  };
  g_array_append_val (out, d);
  return TRUE;
}

GArray *
procfs_parse_net_dev (const char *text)
{
  GArray *out = g_array_new (FALSE, TRUE, sizeof (ProcNetDev));
  g_array_set_clear_func (out, net_dev_clear);
  each_line (text, strlen (text), net_dev_line, out);
  return out;
}

/* --- cgroups ------------------------------------------------------------- */

static gboolean
list_has (const char *list, const char *item)
{
  g_auto(GStrv) parts = g_strsplit (list, ",", -1);
  return g_strv_contains ((const char *const *) parts, item);
}

char *
procfs_cgroup_path (const char *text, const char *controller)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l; l++)
    {
      /* ID:CONTROLLERS:PATH; the path may itself hold ':'. */
      char *c1 = strchr (*l, ':');
      char *c2 = c1 ? strchr (c1 + 1, ':') : NULL;
      if (!c2)
        continue;
      g_autofree char *ctls = g_strndup (c1 + 1, c2 - c1 - 1);
      gboolean v2 = c1 - *l == 1 && (*l)[0] == '0' && !*ctls;
      if (controller ? (!v2 && list_has (ctls, controller)) : v2)
        return g_strdup (c2 + 1);
    }
  return NULL;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
char *
procfs_mount_unescape (const char *s)
{
  GString *out = g_string_new ("");
  for (const char *p = s; *p; p++)
    {
      if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' && p[3] >= '0'
          && p[3] <= '7')
        {
          g_string_append_c (out, (char) ((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0')));
          p += 3;
        }
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

char *
procfs_cgroup_dir (const char *mountinfo, const char *controller, const char *path)
{
  if (!path || path[0] != '/')
    return NULL;
  g_auto(GStrv) lines = g_strsplit (mountinfo, "\n", -1);
  for (char **l = lines; *l; l++)
    {
      /* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPER */
      g_auto(GStrv) f = g_strsplit (*l, " ", -1);
      guint n = g_strv_length (f), dash = 0;
      for (guint i = 6; i < n; i++)
        if (strcmp (f[i], "-") == 0)
          {
            dash = i;
            break;
          }
      if (!dash || dash + 3 >= n)
        continue;
      const char *fstype = f[dash + 1], *super = f[dash + 3];
      if (controller ? !(strcmp (fstype, "cgroup") == 0 && list_has (super, controller))
                     : strcmp (fstype, "cgroup2") != 0)
        continue;
      g_autofree char *root = procfs_mount_unescape (f[3]);
      g_autofree char *mnt = procfs_mount_unescape (f[4]);
      /* A mount of a subtree (a cgroup namespace's view, a bind mount)
       * holds only the paths under its root. */
      const char *rest = path;
      if (strcmp (root, "/") != 0)
        {
          gsize rl = strlen (root);
          if (strncmp (path, root, rl) != 0 || (path[rl] != '/' && path[rl] != '\0'))
            continue;
          rest = path + rl;
        }
      g_autofree char *dir = g_strconcat (mnt, strcmp (rest, "/") == 0 ? "" : rest, NULL);
      if (g_file_test (dir, G_FILE_TEST_IS_DIR))
        return g_steal_pointer (&dir);
    }
  return NULL;
}

gboolean
procfs_keyed_value (const char *text, const char *key, guint64 *out)
{
  gsize kl = strlen (key);
  for (const char *p = text; p && *p; p = strchr (p, '\n'), p = p ? p + 1 : NULL)
    {
      if (strncmp (p, key, kl) != 0 || !strchr (": \t", p[kl]) || !p[kl])
        continue;
      const char *v = p + kl;
      while (*v == ':' || *v == ' ' || *v == '\t')
        v++;
      if (!g_ascii_isdigit (*v))
        return FALSE;
      *out = g_ascii_strtoull (v, NULL, 10);
      return TRUE;
    }
  return FALSE;
}

gboolean
procfs_parse_limit (const char *text, guint64 *out, gboolean *unlimited)
{
  while (g_ascii_isspace (*text))
    text++;
  *out = 0;
  *unlimited = FALSE;
  if (g_str_has_prefix (text, "max"))
    {
      *unlimited = TRUE;
      return TRUE;
    }
  if (!g_ascii_isdigit (*text))
    return FALSE;
  *out = g_ascii_strtoull (text, NULL, 10);
  /* v1's "no limit" is LONG_MAX rounded down to a page: 9223372036854771712. */
  if (*out >= (G_GUINT64_CONSTANT (1) << 62))
    {
      *out = 0;
      *unlimited = TRUE;
    }
  return TRUE;
}

void
procfs_parse_io_stat (const char *text, ProcIo *out)
{
  memset (out, 0, sizeof *out);
  g_auto(GStrv) tok = g_strsplit_set (text, " \n", -1);
  for (char **t = tok; *t; t++)
    {
      char *eq = strchr (*t, '=');
      if (!eq)
        continue;
      guint64 v = g_ascii_strtoull (eq + 1, NULL, 10);
      *eq = '\0';
      if (strcmp (*t, "rbytes") == 0)
        out->read_bytes += v;
      else if (strcmp (*t, "wbytes") == 0)
        out->write_bytes += v;
      else if (strcmp (*t, "rios") == 0)
        out->read_ops += v;
      else if (strcmp (*t, "wios") == 0)
        out->write_ops += v;
    }
}

static void
blkio_sum (const char *text, guint64 *rd, guint64 *wr)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l; l++)
    {
      unsigned maj, min;
      char op[16];
      unsigned long long v;
      if (sscanf (*l, "%u:%u %15s %llu", &maj, &min, op, &v) != 4)
        continue;
      if (strcmp (op, "Read") == 0)
        *rd += v;
      else if (strcmp (op, "Write") == 0)
        *wr += v;
    }
}

void
procfs_parse_blkio (const char *bytes, const char *ops, ProcIo *out)
{
  memset (out, 0, sizeof *out);
  if (bytes)
    blkio_sum (bytes, &out->read_bytes, &out->write_bytes);
  if (ops)
    blkio_sum (ops, &out->read_ops, &out->write_ops);
}

gboolean
procfs_parse_stat_cpu (const char *text, guint64 *busy_ticks)
{
  unsigned long long user, nice, sys, idle, iowait, irq, softirq, steal = 0;
  int n = sscanf (text, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &user, &nice, &sys, &idle,
                  &iowait, &irq, &softirq, &steal);
  if (n < 7)
    return FALSE;
  *busy_ticks = user + nice + sys + irq + softirq + steal;
  return TRUE;
}

void
procfs_parse_diskstats (const char *text, const char *const *disks, ProcIo *out)
{
  memset (out, 0, sizeof *out);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l; l++)
    {
      char name[64];
      unsigned long long rd, rd_sect, wr, wr_sect;
      /* MAJ MIN NAME reads merged sectors ms writes merged sectors ... */
      if (sscanf (*l, " %*u %*u %63s %llu %*u %llu %*u %llu %*u %llu", name, &rd, &rd_sect, &wr,
                  &wr_sect) != 5
          || !g_strv_contains (disks, name))
        continue;
      /* diskstats counts 512-byte sectors whatever the device's own size. */
      out->read_bytes += rd_sect * 512;
      out->write_bytes += wr_sect * 512;
      out->read_ops += rd;
      out->write_ops += wr;
    }
}

/* --- os-release, passwd, group ------------------------------------------- */

/* os-release(5): values are shell strings, quoted or not, with \ escapes. */
static char *
shell_unquote (const char *s, const char *end)
{
  GString *out = g_string_new ("");
  char quote = 0;
  for (const char *p = s; p < end; p++)
    {
      if (quote != '\'' && *p == '\\' && p + 1 < end)
        g_string_append_c (out, *++p);
      else if (quote && *p == quote)
        quote = 0;
      else if (!quote && (*p == '"' || *p == '\''))
        quote = *p;
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

static gboolean
os_release_line (const char *line, gsize len, gpointer data)
{
  const char *eq = memchr (line, '=', len);
  while (len && (line[len - 1] == '\r' || line[len - 1] == ' '))
    len--;
  if (!eq || line[0] == '#' || eq == line)
    return TRUE;
  g_autofree char *key = g_strstrip (g_strndup (line, eq - line));
  g_hash_table_replace (data, g_steal_pointer (&key), shell_unquote (eq + 1, line + len));
  return TRUE;
}

GHashTable *
procfs_parse_os_release (const char *text, gsize len)
{
  GHashTable *h = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  each_line (text, len, os_release_line, h);
  return h;
}

static gboolean
idmap_line (const char *line, gsize len, gpointer data)
{
  /* NAME:PASSWORD:ID:... (passwd and group alike) */
  const char *c1 = memchr (line, ':', len);
  const char *c2 = c1 ? memchr (c1 + 1, ':', line + len - c1 - 1) : NULL;
  if (!c1 || !c2 || c1 == line || !g_ascii_isdigit (c2[1]))
    return TRUE;
  char *end;
  guint64 id = g_ascii_strtoull (c2 + 1, &end, 10);
  if ((*end != ':' && end != line + len) || id > G_MAXUINT32)
    return TRUE;
  gpointer key = GUINT_TO_POINTER ((guint) id);
  if (!g_hash_table_contains (data, key))
    g_hash_table_insert (data, key, g_strndup (line, c1 - line));
  return TRUE;
}

GHashTable *
procfs_parse_idmap (const char *text, gsize len)
{
  GHashTable *h = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  each_line (text, len, idmap_line, h);
  return h;
}

const char *
procfs_idmap_lookup (GHashTable *map, gint64 id)
{
  if (!map || id < 0 || id > G_MAXUINT32)
    return NULL;
  return g_hash_table_lookup (map, GUINT_TO_POINTER ((guint) id));
}
