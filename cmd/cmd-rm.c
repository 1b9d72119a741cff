/* cmd/cmd-rm.c: ctrgit rm NAME... */
#include "cmd/ctrgit.h"

#include <stdio.h>

int
cmd_rm (int argc, char **argv, CtrGlobals *g)
{
  g_autoptr(GOptionContext) ctx = g_option_context_new ("NAME... - remove image references");
  if (!ctr_parse_options (ctx, &argc, &argv, "rm"))
    return CTR_EXIT_USAGE;
  if (argc < 2)
    return ctr_usage ("rm", "expected NAME...");
  g_autoptr(GError) error = NULL;
  g_autoptr(CtrStore) store = ctr_open_store (g, &error);
  if (!store)
    return ctr_fail ("rm", error);
  int rc = CTR_EXIT_OK;
  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GError) e = NULL;
      if (!store_image_remove (store, argv[i], &e))
        rc = ctr_fail ("rm", e);
      else
        printf ("Untagged: %s\n", argv[i]);
    }
  return rc;
}
