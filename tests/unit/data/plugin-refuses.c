/* Test-only plugin: its init refuses, with a reason. */
#include "crawler/ctrgit-plugin.h"

CTRGIT_PLUGIN_EXPORT int ctrgit_plugin_init (const CtrgitPluginHost *host, CtrgitPluginInfo *info);

CTRGIT_PLUGIN_EXPORT int
ctrgit_plugin_init (const CtrgitPluginHost *host, CtrgitPluginInfo *info)
{
  info->error = "needs /dev/widget";
  return -1;
}
