/* Test-only plugin: a shared object without ctrgit_plugin_init. */
#include "crawler/ctrgit-plugin.h"

CTRGIT_PLUGIN_EXPORT int ctrgit_plugin_start (void);

CTRGIT_PLUGIN_EXPORT int
ctrgit_plugin_start (void)
{
  return 0;
}
