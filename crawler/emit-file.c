/* crawler/emit-file.c: one file per frame in a directory,
 * DIR/<container id or host>-<timestamp>-<uuid prefix>.json[.gz].
 *
 * Each frame is written under a hidden temporary name and renamed into
 * place, so a reader polling DIR (a log shipper) never opens half a frame,
 * and a failed write (a full disk) leaves nothing behind.
 */
#include "crawler/crawler-private.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define FILE_EMIT_UUID_CHARS 8
#define FILE_EMIT_NAME_MAX 128   /* of the system id part of a file name */

typedef struct {
  CrawlEmitter base;
  char *dir;
  int dir_fd;
  gboolean gzip;
} FileEmitter;

/* Container ids are hex, but a host name or a plugin's id may hold anything. */
static void
append_safe (GString *out, const char *s, gsize max)
{
  for (gsize i = 0; s && s[i] && i < max; i++)
    {
      char c = s[i];
      gboolean ok = g_ascii_isalnum (c) || c == '.' || c == '_' || c == '-';
      g_string_append_c (out, ok && !(i == 0 && c == '.') ? c : '_');
    }
}

static char *
file_name (json_t *frame, CrawlFormat fmt, gboolean gzip)
{
  json_t *h = json_object_get (frame, "_frame");
  const char *id = json_string_value (json_object_get (h, "container_id"));
  if (!id)
    id = json_string_value (json_object_get (h, "host"));
  const char *ts = json_string_value (json_object_get (h, "timestamp"));
  const char *uuid = json_string_value (json_object_get (h, "uuid"));
  GString *name = g_string_new (NULL);
  append_safe (name, id ? id : "unknown", FILE_EMIT_NAME_MAX);
  g_string_append_c (name, '-');
  /* 2026-11-25T14:40:00.123Z -> 20261125T144000.123Z: sorts the same, no colons */
  for (const char *p = ts ? ts : "0"; *p; p++)
    if (g_ascii_isalnum (*p) || *p == '.')
      g_string_append_c (name, *p);
  g_string_append_c (name, '-');
  append_safe (name, uuid ? uuid : "0", FILE_EMIT_UUID_CHARS);
  g_string_append (name, fmt == CRAWL_FORMAT_NDJSON ? ".ndjson"
                         : fmt == CRAWL_FORMAT_CRAWLER_CSV ? ".csv" : ".json");
  if (gzip)
    g_string_append (name, ".gz");
  return g_string_free (name, FALSE);
}

static gboolean
gzip_bytes (const char *data, gsize len, GByteArray **out, GError **error)
{
  z_stream z = { 0 };
  /* 15 + 16: a gzip header and trailer, so `zcat` and `gunzip` read it */
  if (deflateInit2 (&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "gzip: %s", z.msg ? z.msg : "init failed");
      return FALSE;
    }
  uLong bound = deflateBound (&z, len);
  GByteArray *buf = g_byte_array_sized_new (bound);
  g_byte_array_set_size (buf, bound);
  z.next_in = (Bytef *) data;
  z.avail_in = len;
  z.next_out = buf->data;
  z.avail_out = bound;
  int rc = deflate (&z, Z_FINISH);
  deflateEnd (&z);
  if (rc != Z_STREAM_END)
    {
      g_byte_array_unref (buf);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "gzip: deflate failed (%d)", rc);
      return FALSE;
    }
  g_byte_array_set_size (buf, z.total_out);
  *out = buf;
  return TRUE;
}

static gboolean
write_all (int fd, const guint8 *p, gsize len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, p, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return FALSE;
      if (n == 0)
        {
          errno = ENOSPC;
          return FALSE;
        }
      p += n;
      len -= n;
    }
  return TRUE;
}

static gboolean
file_emit (CrawlEmitter *base, json_t *frame, GError **error)
{
  FileEmitter *e = (FileEmitter *) base;
  g_autoptr(GString) text = g_string_new (NULL);
  crawl_format_frame (frame, base->format, text);
  g_autoptr(GByteArray) gz = NULL;
  if (e->gzip && !gzip_bytes (text->str, text->len, &gz, error))
    return FALSE;
  const guint8 *data = gz ? gz->data : (const guint8 *) text->str;
  gsize len = gz ? gz->len : text->len;

  g_autofree char *name = file_name (frame, base->format, e->gzip);
  g_autofree char *tmp = NULL;
  int fd = -1;
  for (int attempt = 0; fd < 0 && attempt < 100; attempt++)
    {
      g_free (tmp);
      tmp = g_strdup_printf (".%s.tmp-%08x", name, g_random_int ());
      fd = openat (e->dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
      if (fd < 0 && errno != EEXIST)
        break;
    }
  if (fd < 0)
    {
      int err = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (err), "%s/%s: %s", e->dir, name,
                   g_strerror (err));
      return FALSE;
    }
  gboolean ok = write_all (fd, data, len);
  int err = errno;
  if (close (fd) < 0 && ok)
    ok = FALSE, err = errno;
  if (ok && renameat (e->dir_fd, tmp, e->dir_fd, name) < 0)
    ok = FALSE, err = errno;
  if (!ok)
    {
      unlinkat (e->dir_fd, tmp, 0);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (err), "%s/%s: %s (frame not written)",
                   e->dir, name, g_strerror (err));
      return FALSE;
    }
  return TRUE;
}

static void
file_free (CrawlEmitter *base)
{
  FileEmitter *e = (FileEmitter *) base;
  if (e->dir_fd >= 0)
    close (e->dir_fd);
  g_free (e->dir);
  g_free (e);
}

CrawlEmitter *
crawl_emitter_file_new (const char *arg, CrawlFormat fmt, GError **error)
{
  g_autofree char *dir = g_strdup (arg);
  gboolean gzip = FALSE;
  char *q = strchr (dir, '?');
  if (q)
    {
      *q = '\0';
      if (strcmp (q + 1, "gzip") != 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "file:%s: unknown option \"%s\" (file:DIR or file:DIR?gzip)", arg, q + 1);
          return NULL;
        }
      gzip = TRUE;
    }
  if (!*dir)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "file: needs a directory (file:DIR)");
      return NULL;
    }
  if (g_mkdir_with_parents (dir, 0755) < 0)
    {
      int err = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (err), "%s: %s", dir, g_strerror (err));
      return NULL;
    }
  int fd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    {
      int err = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (err), "%s: %s", dir, g_strerror (err));
      return NULL;
    }
  FileEmitter *e = g_new0 (FileEmitter, 1);
  e->base.kind = "file";
  e->base.format = fmt;
  e->base.emit = file_emit;
  e->base.free = file_free;
  e->dir = g_steal_pointer (&dir);
  e->dir_fd = fd;
  e->gzip = gzip;
  return &e->base;
}
