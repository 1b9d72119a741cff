/* cmd/cmd-export.c: ctrgit export NAME DEST */
#include "cmd/ctrgit.h"

#include <stdio.h>

int
cmd_export (int argc, char **argv, CtrGlobals *g)
{
  gboolean from_files = FALSE;
  GOptionEntry entries[] = {
    { "from-files", 0, 0, G_OPTION_ARG_NONE, &from_files,
      "Rebuild every layer from the stored files instead of copying kept blobs", NULL },
    { NULL },
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("NAME DEST - export an image");
  g_option_context_set_description (ctx, "DEST is oci:DIR[:TAG], oci-archive:FILE[:TAG] or docker-archive:FILE[:REF].");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!ctr_parse_options (ctx, &argc, &argv, "export"))
    return CTR_EXIT_USAGE;
  if (argc != 3)
    return ctr_usage ("export", "expected NAME DEST");
  g_autoptr(GError) error = NULL;
  g_autoptr(OciLocation) dest = NULL;
  if (!oci_location_parse (argv[2], &dest, &error))
    return ctr_usage ("export", "%s", error->message);
  g_autoptr(CtrStore) store = ctr_open_store (g, &error);
  if (!store)
    return ctr_fail ("export", error);
  StoreExportOptions opts = { .from_files = from_files };
  if (!store_image_export (store, argv[1], dest, &opts, NULL, &error))
    return ctr_fail ("export", error);
  return CTR_EXIT_OK;
}
