/* cmd/cmd-init.c: ctrgit init */
#include "cmd/ctrgit.h"

#include <stdio.h>

int
cmd_init (int argc, char **argv, CtrGlobals *g)
{
  g_autofree char *mode = NULL;
  gboolean no_keep = FALSE;
  GOptionEntry entries[] = {
    { "mode", 0, 0, G_OPTION_ARG_STRING, &mode, "OSTree repo mode: bare-user (default) or archive", "MODE" },
    { "no-keep-blobs", 0, 0, G_OPTION_ARG_NONE, &no_keep,
      "Keep only manifests and configs; rebuild layers from files on export", NULL },
    { NULL },
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("- create an image store");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!ctr_parse_options (ctx, &argc, &argv, "init"))
    return CTR_EXIT_USAGE;
  if (argc > 1)
    return ctr_usage ("init", "unexpected argument \"%s\"", argv[1]);
  g_autofree char *path = ctr_store_path (g);
  StoreInitOptions opts = { .mode = mode, .no_keep_blobs = no_keep };
  g_autoptr(GError) error = NULL;
  if (!store_init (path, &opts, &error))
    return ctr_fail ("init", error);
  printf ("Initialized empty ctrgit store in %s (%s%s)\n", path, mode ? mode : "bare-user",
          no_keep ? ", no kept blobs" : "");
  return CTR_EXIT_OK;
}
