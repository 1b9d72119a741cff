/* plugins/example/example.c: the in-tree example of a ctrgit plugin
 * (docs/plugins.md walks through it). It needs only libc and
 * crawler/ctrgit-plugin.h.
 *
 * Feature "env-files": for each of the files that set every login's
 * environment, its size and line count, read inside the target's root:
 *   "env-files": {"/etc/environment": {"path": "/etc/environment",
 *                                      "size": 27, "lines": 2}}
 * A file the target does not have gives no item; one that cannot be read
 * is recorded as skipped.
 *
 * Emitter "count:PATH": appends one line per frame to PATH, "N BYTES",
 * N counting frames from 1 and BYTES the length of the frame's JSON.
 */
#include "crawler/ctrgit-plugin.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ENV_FILE_MAX (1024 * 1024)   /* larger is not an environment file */

static const char *const env_files[] = {
  "/etc/environment",
  "/etc/default/locale",
  "/etc/profile",
};

/* Counts lines of fd (a last line without '\n' counts too). -1: errno set. */
static long
count_lines (int fd, off_t *out_size)
{
  char buf[8192];
  long lines = 0;
  off_t size = 0;
  char last = '\n';
  ssize_t n;
  while ((n = read (fd, buf, sizeof buf)) != 0)
    {
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return -1;
        }
      size += n;
      if (size > ENV_FILE_MAX)
        {
          errno = EFBIG;
          return -1;
        }
      for (ssize_t i = 0; i < n; i++)
        lines += buf[i] == '\n';
      last = buf[n - 1];
    }
  *out_size = size;
  return lines + (last != '\n');
}

static void
skip_errno (const CtrgitPluginHost *host, CtrgitItems *items, const char *path, int err)
{
  host->skip (items, path, strerror (err));
}

static int
env_files_crawl (const CtrgitPluginHost *host, CtrgitTarget *target, CtrgitItems *items,
                 void *data, char *errbuf, size_t errlen)
{
  for (size_t i = 0; i < sizeof env_files / sizeof env_files[0]; i++)
    {
      const char *path = env_files[i];
      /* O_NONBLOCK: a fifo planted at the path must not hang the crawl */
      int fd = host->open_in_root (target, path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
      if (fd < 0 && errno == EINVAL)
        host->skip (items, path, "not a regular file");
      else if (fd < 0 && errno != ENOENT && errno != ENOTDIR)
        skip_errno (host, items, path, errno);
      if (fd < 0)
        continue;
      off_t size = 0;
      long lines = count_lines (fd, &size);
      int err = errno;
      close (fd);
      if (lines < 0)
        {
          skip_errno (host, items, path, err);
          continue;
        }
      /* paths here are fixed ASCII, so no JSON escaping is needed */
      char json[256];
      snprintf (json, sizeof json, "{\"path\": \"%s\", \"size\": %lld, \"lines\": %ld}", path,
                (long long) size, lines);
      host->add_item (items, path, json);
    }
  return 0;
}

typedef struct {
  FILE *f;
  unsigned long frames;
} CountState;

static void *
count_open (const CtrgitPluginHost *host, const char *args, void *data, char *errbuf,
            size_t errlen)
{
  if (!args || !*args)
    {
      snprintf (errbuf, errlen, "count: give a file to append to, as count:PATH");
      return NULL;
    }
  CountState *s = calloc (1, sizeof *s);
  if (!s)
    {
      snprintf (errbuf, errlen, "count: out of memory");
      return NULL;
    }
  s->f = fopen (args, "ae");
  if (!s->f)
    {
      snprintf (errbuf, errlen, "count: %s: %s", args, strerror (errno));
      free (s);
      return NULL;
    }
  return s;
}

static int
count_emit (void *state, const char *frame_json, size_t len, char *errbuf, size_t errlen)
{
  CountState *s = state;
  s->frames++;
  if (fprintf (s->f, "%lu %zu\n", s->frames, len) < 0 || fflush (s->f) != 0)
    {
      snprintf (errbuf, errlen, "count: %s", strerror (errno));
      return -1;
    }
  return 0;
}

static int
count_close (void *state, char *errbuf, size_t errlen)
{
  CountState *s = state;
  int rc = fclose (s->f);
  int err = errno;
  free (s);
  if (rc != 0)
    {
      snprintf (errbuf, errlen, "count: %s", strerror (err));
      return -1;
    }
  return 0;
}

static const CtrgitPluginFeature features[] = {
  {
    .name = "env-files",
    .summary = "size and line count of the files that set the login environment",
    .crawl = env_files_crawl,
  },
};

static const CtrgitPluginEmitter emitters[] = {
  {
    .name = "count",
    .summary = "count:PATH appends \"N BYTES\" per frame to PATH",
    .open = count_open,
    .emit = count_emit,
    .close = count_close,
  },
};

CTRGIT_PLUGIN_EXPORT int ctrgit_plugin_init (const CtrgitPluginHost *host,
                                             CtrgitPluginInfo *info);

CTRGIT_PLUGIN_EXPORT int
ctrgit_plugin_init (const CtrgitPluginHost *host, CtrgitPluginInfo *info)
{
  if (host->abi_version != CTRGIT_PLUGIN_ABI_VERSION)
    {
      info->error = "built for plugin ABI version 1";
      return -1;
    }
  info->abi_version = CTRGIT_PLUGIN_ABI_VERSION;
  info->name = "example";
  info->version = "1";
  CTRGIT_PLUGIN_SET_FEATURES (info, features);
  CTRGIT_PLUGIN_SET_EMITTERS (info, emitters);
  return 0;
}
