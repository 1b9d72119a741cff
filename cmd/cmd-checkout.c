/* cmd/cmd-checkout.c: ctrgit checkout REV DIR */
#include "cmd/ctrgit.h"

#include <stdio.h>

int
cmd_checkout (int argc, char **argv, CtrGlobals *g)
{
  g_autoptr(GOptionContext) ctx = g_option_context_new ("REV DIR - write an image version's rootfs to a new directory");
  g_option_context_set_description (ctx,
      "DIR must not exist. Nothing is written outside it: the image's symlinks are\n"
      "created, never followed. Device nodes are not created.");
  if (!ctr_parse_options (ctx, &argc, &argv, "checkout"))
    return CTR_EXIT_USAGE;
  if (argc != 3)
    return ctr_usage ("checkout", "expected REV DIR");
  g_autoptr(GError) error = NULL;
  g_autoptr(CtrStore) store = ctr_open_store (g, &error);
  if (!store)
    return ctr_fail ("checkout", error);
  g_autofree char *commit = NULL;
  if (!store_resolve_revision (store, argv[1], NULL, &commit, &error)
      || !store_image_checkout (store, commit, argv[2], &error))
    return ctr_fail ("checkout", error);
  return CTR_EXIT_OK;
}
