/* Test-only plugin: claims a plugin ABI version this ctrgit does not have. */
#include "crawler/ctrgit-plugin.h"

CTRGIT_PLUGIN_EXPORT int ctrgit_plugin_init (const CtrgitPluginHost *host, CtrgitPluginInfo *info);

CTRGIT_PLUGIN_EXPORT int
ctrgit_plugin_init (const CtrgitPluginHost *host, CtrgitPluginInfo *info)
{
  info->abi_version = CTRGIT_PLUGIN_ABI_VERSION + 1;
  info->name = "bad-abi";
  return 0;
}
