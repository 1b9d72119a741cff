/* Test-only plugin: a feature named like a built-in one. */
#include "crawler/ctrgit-plugin.h"

static int
os_crawl (const CtrgitPluginHost *host, CtrgitTarget *target, CtrgitItems *items, void *data,
          char *errbuf, size_t errlen)
{
  return 0;
}

static const CtrgitPluginFeature features[] = {
  { .name = "os", .summary = "shadows the built-in os", .crawl = os_crawl },
};

CTRGIT_PLUGIN_EXPORT int ctrgit_plugin_init (const CtrgitPluginHost *host, CtrgitPluginInfo *info);

CTRGIT_PLUGIN_EXPORT int
ctrgit_plugin_init (const CtrgitPluginHost *host, CtrgitPluginInfo *info)
{
  info->abi_version = CTRGIT_PLUGIN_ABI_VERSION;
  info->name = "clash";
  CTRGIT_PLUGIN_SET_FEATURES (info, features);
  return 0;
}
