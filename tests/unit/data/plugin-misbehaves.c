/* Test-only plugin: a feature that hands the host bad items and keys, one
 * that fails, one that tries to write and to leave the root, and an
 * emitter that fails. The host must turn each into a skip or an error. */
#include "crawler/ctrgit-plugin.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int
bad_items_crawl (const CtrgitPluginHost *host, CtrgitTarget *target, CtrgitItems *items,
                 void *data, char *errbuf, size_t errlen)
{
  int rc = 0;
  rc |= host->add_item (items, "good", "{\"n\": 1}");
  rc |= host->add_item (items, "truncated", "{\"n\": ") == -1 && errno == EINVAL ? 0 : 1;
  rc |= host->add_item (items, "array", "[1, 2]") == -1 ? 0 : 1;
  rc |= host->add_item (items, "dup", "{\"a\": 1, \"a\": 2}") == -1 ? 0 : 1;
  rc |= host->add_item (items, "", "{}") == -1 ? 0 : 1;
  rc |= host->add_item (items, "bad\xff" "key", "{}") == -1 ? 0 : 1;
  rc |= host->add_item (items, "nojson", NULL) == -1 ? 0 : 1;
  /* writes are refused; reads resolve inside the root */
  rc |= host->open_in_root (target, "/etc/x", O_WRONLY | O_CREAT) == -1 && errno == EPERM ? 0 : 1;
  int fd = host->open_in_root (target, "/../../../../etc/marker", O_RDONLY);
  if (fd >= 0)
    {
      char buf[64] = "";
      ssize_t n = read (fd, buf, sizeof buf - 1);
      close (fd);
      if (n > 0)
        {
          buf[strcspn (buf, "\n")] = 0;
          char json[128];
          snprintf (json, sizeof json, "{\"marker\": \"%s\"}", buf);
          host->add_item (items, "marker", json);
        }
    }
  if (rc != 0)
    {
      snprintf (errbuf, errlen, "the host accepted something it should have refused");
      return -1;
    }
  return 0;
}

static int
fails_crawl (const CtrgitPluginHost *host, CtrgitTarget *target, CtrgitItems *items, void *data,
             char *errbuf, size_t errlen)
{
  host->add_item (items, "partial", "{}");
  snprintf (errbuf, errlen, "cannot read the widget table");
  return -1;
}

static void *
broken_open (const CtrgitPluginHost *host, const char *args, void *data, char *errbuf,
             size_t errlen)
{
  return (void *) 1;   /* no state to keep */
}

static int
broken_emit (void *state, const char *frame_json, size_t len, char *errbuf, size_t errlen)
{
  snprintf (errbuf, errlen, "the collector is down");
  return -1;
}

static int
broken_close (void *state, char *errbuf, size_t errlen)
{
  return 0;
}

static const CtrgitPluginFeature features[] = {
  { .name = "bad-items", .summary = "hands the host bad items", .crawl = bad_items_crawl },
  { .name = "fails", .summary = "fails", .crawl = fails_crawl },
};

static const CtrgitPluginEmitter emitters[] = {
  { .name = "broken", .summary = "fails to emit", .open = broken_open, .emit = broken_emit,
    .close = broken_close },
};

CTRGIT_PLUGIN_EXPORT int ctrgit_plugin_init (const CtrgitPluginHost *host, CtrgitPluginInfo *info);

CTRGIT_PLUGIN_EXPORT int
ctrgit_plugin_init (const CtrgitPluginHost *host, CtrgitPluginInfo *info)
{
  info->abi_version = CTRGIT_PLUGIN_ABI_VERSION;
  info->name = "misbehaves";
  CTRGIT_PLUGIN_SET_FEATURES (info, features);
  CTRGIT_PLUGIN_SET_EMITTERS (info, emitters);
  return 0;
}
