/* crawler/target.c: reading what a target holds without entering it.
 *
 * Paths inside a container root go through openat2(2) with
 * RESOLVE_IN_ROOT, so "/etc/os-release -> /../../etc/shadow" resolves to the
 * container's /etc/shadow, never the host's, and RESOLVE_NO_MAGICLINKS, so
 * a link to /proc/self/... cannot lead out either. The root handle is an
 * O_PATH descriptor of /proc/PID/root taken once per target.
 */
#include "crawler/crawler-private.h"
#include "oci/oci.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

void
crawl_target_free (CrawlTarget *t)
{
  if (!t)
    return;
  g_free (t->id);
  g_free (t->runtime);
  g_free (t->name);
  g_free (t->image_ref);
  g_free (t->image_id);
  g_free (t->image_digest);
  g_free (t->hostname);
  g_free (t->created);
  if (t->labels)
    json_decref (t->labels);
  g_free (t->cgroup);
  g_free (t->proc);
  if (t->pids)
    g_array_unref (t->pids);
  g_free (t->upperdir);
  g_strfreev (t->lowerdirs);
  g_free (t->workdir);
  if (t->root_fd >= 0)
    close (t->root_fd);
  if (t->skipped)
    json_decref (t->skipped);
  g_free (t->store_ref);
  g_free (t->store_commit);
  g_free (t);
}

void
crawl_target_skip (CrawlTarget *t, const char *feature, const char *what, const char *reason)
{
  if (!t->skipped)
    t->skipped = json_array ();
  json_t *o = json_object ();
  json_object_set_new (o, "feature", json_string (feature ? feature : ""));
  json_object_set_new (o, "what", crawl_json_string (what ? what : "", -1));
  json_object_set_new (o, "reason", crawl_json_string (reason ? reason : "", -1));
  json_array_append_new (t->skipped, o);
}

json_t *
crawl_json_string (const char *s, gssize len)
{
  if (len < 0)
    len = strlen (s);
  const char *end;
  if (g_utf8_validate_len (s, len, &end) && !memchr (s, 0, len))
    return json_stringn (s, len);
  /* Names in a container root are bytes; keep them readable and exact. */
  g_autoptr(GString) out = g_string_sized_new (len + 16);
  const char *p = s, *e = s + len;
  while (p < e)
    {
      gunichar c = g_utf8_get_char_validated (p, e - p);
      if (c == (gunichar) -1 || c == (gunichar) -2 || c == 0)
        {
          g_string_append_printf (out, "\\x%02x", (guint8) *p);
          p++;
          continue;
        }
      const char *next = g_utf8_next_char (p);
      g_string_append_len (out, p, next - p);
      p = next;
    }
  return json_stringn (out->str, out->len);
}

json_t *
crawl_json_string_or_null (const char *s)
{
  return s ? crawl_json_string (s, -1) : json_null ();
}

static int
target_root_fd (CrawlTarget *t, GError **error)
{
  if (t->root_fd >= 0)
    return t->root_fd;
  g_autofree char *path = t->kind == CRAWL_TARGET_HOST
                              ? g_strdup ("/")
                              : g_strdup_printf ("%s/%d/root", t->proc ? t->proc : "/proc",
                                                 (int) t->pid);
  int fd = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    {
      int e = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e), "%s: %s", path, g_strerror (e));
      errno = e;
      return -1;
    }
  /* The pid may have been reused between discovery and this open. */
  if (t->kind == CRAWL_TARGET_CONTAINER && !crawl_target_alive (t))
    {
      close (fd);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "container %.12s exited",
                   t->id ? t->id : "?");
      errno = ESRCH;
      return -1;
    }
  t->root_fd = fd;
  return fd;
}

#define CRAWL_OPENAT2_RETRIES 16

int
crawl_openat2 (int root, const char *path, int flags, guint64 resolve)
{
  struct open_how how = {
    .flags = (guint64) (flags | O_CLOEXEC),
    .resolve = resolve,
  };
  while (*path == '/')
    path++;
  if (!*path)
    path = ".";
  /* RESOLVE_IN_ROOT answers EAGAIN when a rename anywhere raced a ".."
   * walk; a container renaming in a loop must not keep us spinning. */
  int fd, tries = 0;
  do
    fd = syscall (SYS_openat2, root, path, &how, sizeof how);
  while (fd < 0 && (errno == EINTR || errno == EAGAIN) && ++tries < CRAWL_OPENAT2_RETRIES);
  return fd;
}

int
crawl_root_open (CrawlTarget *t, const char *path, int flags, GError **error)
{
  int root = target_root_fd (t, error);
  if (root < 0)
    return -1;
  int fd = crawl_openat2 (root, path, flags, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
  if (fd < 0)
    {
      int e = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e), "/%s: %s", path, g_strerror (e));
      errno = e;
    }
  return fd;
}

gboolean
crawl_fd_read (int fd, gsize max, char **out, gsize *out_len, GError **error)
{
  GString *buf = g_string_sized_new (4096);
  for (;;)
    {
      char chunk[16384];
      ssize_t n = read (fd, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int e = errno;
          g_string_free (buf, TRUE);
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e), "read: %s", g_strerror (e));
          return FALSE;
        }
      if (n == 0)
        break;
      if (buf->len + n > max)
        {
          g_string_free (buf, TRUE);
          g_set_error (error, OCI_ERROR, OCI_ERROR_LIMIT, "larger than the limit of %" G_GSIZE_FORMAT
                       " bytes", max);
          return FALSE;
        }
      g_string_append_len (buf, chunk, n);
    }
  if (out_len)
    *out_len = buf->len;
  *out = g_string_free (buf, FALSE);
  return TRUE;
}

int
crawl_reopen_regular (int pathfd)
{
  if (pathfd < 0)
    return -1;
  struct stat st;
  if (fstat (pathfd, &st) < 0)
    {
      int e = errno;
      close (pathfd);
      errno = e;
      return -1;
    }
  if (!S_ISREG (st.st_mode))
    {
      close (pathfd);
      errno = EINVAL;
      return -1;
    }
  char self[64];
  g_snprintf (self, sizeof self, "/proc/self/fd/%d", pathfd);
  int fd = open (self, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  int e = errno;
  close (pathfd);
  errno = e;
  return fd;
}

int
crawl_root_open_regular (CrawlTarget *t, const char *path, GError **error)
{
  int pathfd = crawl_root_open (t, path, O_PATH, error);
  if (pathfd < 0)
    return -1;
  int fd = crawl_reopen_regular (pathfd);
  if (fd < 0)
    {
      int e = errno;
      if (e == EINVAL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE, "%s: not a regular file", path);
      else
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e), "%s: %s", path, g_strerror (e));
      errno = e;
    }
  return fd;
}

gboolean
crawl_root_read (CrawlTarget *t, const char *path, gsize max, char **out, gsize *out_len,
                 GError **error)
{
  int fd = crawl_root_open_regular (t, path, error);
  if (fd < 0)
    return FALSE;
  gboolean ok = crawl_fd_read (fd, max, out, out_len, error);
  close (fd);
  if (!ok)
    g_prefix_error (error, "%s: ", path);
  return ok;
}

gboolean
crawl_proc_read (const char *proc, pid_t pid, const char *name, gsize max, char **out,
                 gsize *out_len, GError **error)
{
  g_autofree char *path = g_strdup_printf ("%s/%d/%s", proc ? proc : "/proc", (int) pid, name);
  return crawl_path_read (path, max, out, out_len, error);
}

gboolean
crawl_path_read (const char *path, gsize max, char **out, gsize *out_len, GError **error)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      int e = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e), "%s: %s", path, g_strerror (e));
      return FALSE;
    }
  gboolean ok = crawl_fd_read (fd, max, out, out_len, error);
  close (fd);
  if (!ok)
    g_prefix_error (error, "%s: ", path);
  return ok;
}
