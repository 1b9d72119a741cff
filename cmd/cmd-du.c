/* cmd/cmd-du.c: ctrgit du */
#include "cmd/ctrgit.h"

#include <stdio.h>

int
cmd_du (int argc, char **argv, CtrGlobals *g)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Output JSON", NULL },
    { NULL },
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("- disk usage and deduplication");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!ctr_parse_options (ctx, &argc, &argv, "du"))
    return CTR_EXIT_USAGE;
  if (argc > 1)
    return ctr_usage ("du", "unexpected argument \"%s\"", argv[1]);
  g_autoptr(GError) error = NULL;
  g_autoptr(CtrStore) store = ctr_open_store (g, &error);
  if (!store)
    return ctr_fail ("du", error);
  StoreUsage u;
  if (!store_usage (store, &u, NULL, &error))
    return ctr_fail ("du", error);
  double ratio = u.objects_bytes ? (double) u.logical / u.objects_bytes : 0;
  if (json)
    {
      g_autoptr(json_t) j = json_pack ("{s:i, s:i, s:i, s:I, s:I, s:I, s:I, s:i, s:I, s:f}",
          "images", u.images, "versions", u.versions, "layers", u.layers,
          "logical_bytes", (json_int_t) u.logical, "unique_layer_bytes", (json_int_t) u.unique_layers,
          "stored_bytes", (json_int_t) u.objects_bytes, "objects", (json_int_t) u.objects,
          "blobs", u.blobs, "blob_bytes", (json_int_t) u.blobs_bytes, "dedup_ratio", ratio);
      g_autofree char *t = json_dumps (j, JSON_INDENT (2) | JSON_PRESERVE_ORDER);
      printf ("%s\n", t);
      return CTR_EXIT_OK;
    }
  g_autofree char *l = ctr_format_size (u.logical), *ul = ctr_format_size (u.unique_layers),
                  *st = ctr_format_size (u.objects_bytes), *bb = ctr_format_size (u.blobs_bytes);
  printf ("images:          %u references, %u versions, %u distinct layers\n", u.images, u.versions, u.layers);
  printf ("logical:         %s (every version's layers, uncompressed)\n", l);
  printf ("distinct layers: %s\n", ul);
  printf ("stored files:    %s in %" G_GUINT64_FORMAT " objects (%s)\n", st, u.objects, store_mode (store));
  printf ("kept blobs:      %s in %u blobs%s\n", bb, u.blobs, store_keeps_blobs (store) ? "" : " (manifests and configs only)");
  printf ("dedup ratio:     %.2fx (logical / stored files)\n", ratio);
  return CTR_EXIT_OK;
}
