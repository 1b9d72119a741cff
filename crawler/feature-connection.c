/* crawler/feature-connection.c: the connection feature. The socket tables
 * of /proc/PID/net/ belong to a network namespace, not to a process, so
 * they are read once per namespace (the target's pids grouped by the inode
 * of /proc/PID/ns/net) and each socket is joined to the process that holds
 * it through the "socket:[INODE]" links of /proc/PID/fd.
 *
 * Item key: "PROTO/LOCAL:PORT/REMOTE:PORT/INODE", for unix sockets
 * "unix/PATH-or-@abstract/INODE".
 */
#include "crawler/crawler.h"
#include "crawler/procfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONNECTION_FEATURE "connection"

typedef struct {
  CrawlTarget *t;
  const char *proc;
  GHashTable *owner;         /* socket inode (guint64*) -> lowest pid holding it */
  json_t *items;
} ConnCrawl;

/* Records what could not be read of a process that still runs. */
static void
skip_pid (ConnCrawl *c, pid_t pid, const char *what, const GError *error)
{
  if (procfs_pid_gone (c->proc, pid, error))
    return;
  g_autofree char *w = g_strdup_printf ("pid %d %s", (int) pid, what);
  crawl_target_skip (c->t, CONNECTION_FEATURE, w, error->message);
}

static GError *
errno_error (const char *path)
{
  int e = errno;
  return g_error_new (G_IO_ERROR, g_io_error_from_errno (e), "%s: %s", path, g_strerror (e));
}

static void
scan_fds (ConnCrawl *c, pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("%s/%d/fd", c->proc, (int) pid);
  DIR *d = opendir (path);
  if (!d)
    {
      g_autoptr(GError) e = errno_error (path);
      skip_pid (c, pid, "fd", e);
      return;
    }
  struct dirent *de;
  while ((de = readdir (d)))
    {
      char link[64];
      guint64 inode;
      if (de->d_name[0] == '.')
        continue;
      /* Only names of the form "socket:[N]" matter; longer ones are not sockets. */
      ssize_t n = readlinkat (dirfd (d), de->d_name, link, sizeof link - 1);
      if (n < 0)
        continue;
      link[n] = '\0';
      if (!procfs_socket_inode (link, &inode) || g_hash_table_contains (c->owner, &inode))
        continue;
      /* pids come in ascending order: the first holder is the lowest. */
      g_hash_table_insert (c->owner, g_memdup2 (&inode, sizeof inode), GINT_TO_POINTER (pid));
    }
  closedir (d);
}

static json_t *
owner_json (ConnCrawl *c, guint64 inode)
{
  gpointer pid;
  if (inode && g_hash_table_lookup_extended (c->owner, &inode, NULL, &pid))
    return json_integer (GPOINTER_TO_INT (pid));
  return json_null ();
}

static void
add_inet (ConnCrawl *c, const char *proto, const ProcInetSock *s)
{
  gboolean udp = g_str_has_prefix (proto, "udp");
  gboolean any_remote = s->remote_port == 0
                        && (strcmp (s->remote, "0.0.0.0") == 0 || strcmp (s->remote, "::") == 0);
  /* A UDP socket "listens" when it is bound and not connected to a peer. */
  gboolean listening = udp ? s->st == 7 && any_remote : s->st == 10;
  json_t *item = json_object ();
  json_object_set_new (item, "proto", json_string (proto));
  json_object_set_new (item, "state", json_string (procfs_inet_state (s->st, udp)));
  json_object_set_new (item, "listening", json_boolean (listening));
  json_object_set_new (item, "local_address", json_string (s->local));
  json_object_set_new (item, "local_port", json_integer (s->local_port));
  json_object_set_new (item, "remote_address", json_string (s->remote));
  json_object_set_new (item, "remote_port", json_integer (s->remote_port));
  json_object_set_new (item, "inode", json_integer ((json_int_t) s->inode));
  json_object_set_new (item, "pid", owner_json (c, s->inode));
  /* v6 addresses in brackets, as in URLs, so the port stands apart */
  gboolean v6 = strchr (s->local, ':') != NULL;
  g_autofree char *key = g_strdup_printf ("%s/%s%s%s:%u/%s%s%s:%u/%" G_GUINT64_FORMAT, proto,
                                          v6 ? "[" : "", s->local, v6 ? "]" : "", s->local_port,
                                          v6 ? "[" : "", s->remote, v6 ? "]" : "", s->remote_port,
                                          s->inode);
  json_object_set_new (c->items, key, item);
}

static void
add_unix (ConnCrawl *c, const ProcUnixSock *u)
{
  json_t *item = json_object ();
  g_autoptr(json_t) path = u->path ? crawl_json_string (u->path, u->path_len) : NULL;
  json_object_set_new (item, "proto", json_string ("unix"));
  json_object_set_new (item, "type", json_string (procfs_unix_type (u->type)));
  json_object_set_new (item, "state", json_string (procfs_unix_state (u)));
  json_object_set_new (item, "listening", json_boolean (u->flags & 0x10000));
  json_object_set_new (item, "path", path ? json_incref (path) : json_null ());
  json_object_set_new (item, "inode", json_integer ((json_int_t) u->inode));
  json_object_set_new (item, "pid", owner_json (c, u->inode));
  g_autofree char *key = g_strdup_printf ("unix/%s/%" G_GUINT64_FORMAT,
                                          path ? json_string_value (path) : "", u->inode);
  json_object_set_new (c->items, key, item);
}

/* The socket tables of the namespace pid lives in; FALSE if pid exited
 * before the first was read (another pid of the namespace may read them). */
static gboolean
read_tables (ConnCrawl *c, pid_t pid)
{
  static const struct {
    const char *proto;
    gboolean v6;
  } inet[] = { { "tcp", FALSE }, { "tcp6", TRUE }, { "udp", FALSE }, { "udp6", TRUE } };
  for (gsize i = 0; i < G_N_ELEMENTS (inet) + 1; i++)
    {
      gboolean is_unix = i == G_N_ELEMENTS (inet);
      const char *proto = is_unix ? "unix" : inet[i].proto;
      g_autofree char *name = g_strconcat ("net/", proto, NULL);
      g_autofree char *text = NULL;
      g_autoptr(GError) local = NULL;
      gsize len = 0;
      if (!crawl_proc_read (c->proc, pid, name, CRAWL_PROC_FILE_MAX, &text, &len, &local))
        {
          if (i == 0 && procfs_pid_gone (c->proc, pid, local))
            return FALSE;
          /* A kernel without IPv6 has no tcp6. */
          if (!g_error_matches (local, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
            skip_pid (c, pid, name, local);
          continue;
        }
      g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
      for (char **l = lines; *l; l++)
        {
          ProcInetSock s;
          ProcUnixSock u;
          if (is_unix && procfs_parse_unix_line (*l, strlen (*l), &u))
            add_unix (c, &u);
          else if (!is_unix && procfs_parse_inet_line (*l, inet[i].v6, &s))
            add_inet (c, proto, &s);
        }
    }
  return TRUE;
}

static gboolean
netns_of (ConnCrawl *c, pid_t pid, guint64 *out)
{
  g_autofree char *path = g_strdup_printf ("%s/%d/ns/net", c->proc, (int) pid);
  struct stat st;
  if (stat (path, &st) < 0)
    {
      g_autoptr(GError) e = errno_error (path);
      skip_pid (c, pid, "ns/net", e);
      return FALSE;
    }
  *out = st.st_ino;
  return TRUE;
}

gboolean
crawl_feature_connection (CrawlContext *ctx, CrawlTarget *t, json_t *items, GError **error)
{
  g_autoptr(GHashTable) owner = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  /* namespace inode -> its pids, and the namespaces in order of their lowest pid */
  g_autoptr(GHashTable) by_ns = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                       (GDestroyNotify) g_array_unref);
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  ConnCrawl c = {
    .t = t,
    .proc = t->proc ? t->proc : "/proc",
    .owner = owner,
    .items = items,
  };
  g_autoptr(GArray) pids = procfs_pids (t, error);
  if (!pids)
    return FALSE;

  /* The host's sockets are those of its init's namespace; the other
   * namespaces belong to containers, which have frames of their own. */
  guint64 host_ns = 0;
  if (t->kind == CRAWL_TARGET_HOST)
    {
      /* Reading init's ns link may be refused; the crawler runs on the host. */
      g_autofree char *init_ns = g_strdup_printf ("%s/%d/ns/net", c.proc, (int) t->pid);
      g_autofree char *self_ns = g_strdup_printf ("%s/self/ns/net", c.proc);
      struct stat st;
      if (stat (init_ns, &st) < 0 && stat (self_ns, &st) < 0)
        {
          g_autoptr(GError) e = errno_error (self_ns);
          crawl_target_skip (t, CONNECTION_FEATURE, "network namespace", e->message);
          return TRUE;
        }
      host_ns = st.st_ino;
    }

  for (guint i = 0; i < pids->len; i++)
    {
      pid_t pid = g_array_index (pids, pid_t, i);
      guint64 ns;
      if (!netns_of (&c, pid, &ns) || (host_ns && ns != host_ns))
        continue;
      GArray *members = g_hash_table_lookup (by_ns, &ns);
      if (!members)
        {
          members = g_array_new (FALSE, FALSE, sizeof (pid_t));
          g_hash_table_insert (by_ns, g_memdup2 (&ns, sizeof ns), members);
          g_ptr_array_add (order, members);
        }
      g_array_append_val (members, pid);
      scan_fds (&c, pid);
    }
  for (guint i = 0; i < order->len; i++)
    {
      GArray *members = order->pdata[i];
      for (guint j = 0; j < members->len; j++)
        if (read_tables (&c, g_array_index (members, pid_t, j)))
          break;
    }
  return TRUE;
}
