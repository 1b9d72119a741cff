/* cmd/cmd-gc.c: ctrgit gc */
#include "cmd/ctrgit.h"

#include <stdio.h>

int
cmd_gc (int argc, char **argv, CtrGlobals *g)
{
  g_autoptr(GOptionContext) ctx = g_option_context_new ("- remove unreachable data");
  if (!ctr_parse_options (ctx, &argc, &argv, "gc"))
    return CTR_EXIT_USAGE;
  if (argc > 1)
    return ctr_usage ("gc", "unexpected argument \"%s\"", argv[1]);
  g_autoptr(GError) error = NULL;
  g_autoptr(CtrStore) store = ctr_open_store (g, &error);
  if (!store)
    return ctr_fail ("gc", error);
  StoreGcResult r;
  if (!store_gc (store, &r, NULL, &error))
    return ctr_fail ("gc", error);
  g_autofree char *freed = ctr_format_size (r.bytes_freed);
  printf ("removed %u layers, %d objects, %u blobs; freed %s\n", r.layers_removed,
          r.objects_removed, r.blobs_removed, freed);
  return CTR_EXIT_OK;
}
