/* cmd/cmd-fsck.c: ctrgit fsck */
#include "cmd/ctrgit.h"

#include <stdio.h>

static void
report (void *user, const char *what)
{
  fprintf (stderr, "error: %s\n", what);
}

int
cmd_fsck (int argc, char **argv, CtrGlobals *g)
{
  gboolean quick = FALSE;
  GOptionEntry entries[] = {
    { "quick", 0, 0, G_OPTION_ARG_NONE, &quick, "Skip rebuilding layers and rehashing kept blobs", NULL },
    { NULL },
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("- verify the store");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!ctr_parse_options (ctx, &argc, &argv, "fsck"))
    return CTR_EXIT_USAGE;
  if (argc > 1)
    return ctr_usage ("fsck", "unexpected argument \"%s\"", argv[1]);
  g_autoptr(GError) error = NULL;
  g_autoptr(CtrStore) store = ctr_open_store (g, &error);
  if (!store)
    return ctr_fail ("fsck", error);
  StoreFsck f = { .problem = report, .quick = quick };
  if (!store_fsck (store, &f, NULL, &error))
    return ctr_fail ("fsck", error);
  printf ("checked %" G_GUINT64_FORMAT " image versions, %" G_GUINT64_FORMAT " layers, %"
          G_GUINT64_FORMAT " objects, %" G_GUINT64_FORMAT " blobs: %" G_GUINT64_FORMAT " problem%s\n",
          f.images_checked, f.layers_checked, f.objects_checked, f.blobs_checked, f.problems,
          f.problems == 1 ? "" : "s");
  return f.problems ? CTR_EXIT_ERROR : CTR_EXIT_OK;
}
