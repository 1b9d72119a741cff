/* cmd/cmd-images.c: ctrgit images */
#include "cmd/ctrgit.h"

#include <stdio.h>
#include <string.h>

int
cmd_images (int argc, char **argv, CtrGlobals *g)
{
  gboolean json = FALSE, quiet = FALSE, digests = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Output JSON", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print only image IDs", NULL },
    { "digests", 0, 0, G_OPTION_ARG_NONE, &digests, "Show manifest digests", NULL },
    { NULL },
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("- list images");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!ctr_parse_options (ctx, &argc, &argv, "images"))
    return CTR_EXIT_USAGE;
  if (argc > 1)
    return ctr_usage ("images", "unexpected argument \"%s\"", argv[1]);
  g_autoptr(GError) error = NULL;
  g_autoptr(CtrStore) store = ctr_open_store (g, &error);
  if (!store)
    return ctr_fail ("images", error);
  g_autoptr(GPtrArray) list = store_image_list (store, &error);
  if (!list)
    return ctr_fail ("images", error);

  if (json)
    {
      g_autoptr(json_t) arr = json_array ();
      for (guint i = 0; i < list->len; i++)
        {
          StoreImage *img = list->pdata[i];
          json_t *layers = json_array ();
          for (guint j = 0; j < img->diff_ids->len; j++)
            json_array_append_new (layers, json_string (img->diff_ids->pdata[j]));
          json_array_append_new (arr, json_pack ("{s:s, s:s, s:s, s:s, s:s, s:s?, s:I, s:I, s:I, s:s, s:o}",
              "reference", img->reference, "commit", img->commit,
              "manifest_digest", img->manifest_digest, "config_digest", img->config_digest,
              "platform", img->platform, "created", img->created && *img->created ? img->created : NULL,
              "imported", (json_int_t) img->imported, "size", (json_int_t) img->size,
              "unpacked_size", (json_int_t) img->unpacked_size, "source", img->source,
              "diff_ids", layers));
        }
      g_autofree char *text = json_dumps (arr, JSON_INDENT (2) | JSON_PRESERVE_ORDER);
      printf ("%s\n", text);
      return CTR_EXIT_OK;
    }
  if (!quiet)
    printf ("%-40s %-12s %s%-12s  %-20s  %s\n", "REPOSITORY", "TAG", digests ? "DIGEST                                                                   " : "",
            "IMAGE ID", "CREATED", "SIZE");
  for (guint i = 0; i < list->len; i++)
    {
      StoreImage *img = list->pdata[i];
      const char *hex = oci_digest_hex (img->config_digest);
      if (quiet)
        {
          printf ("%.12s\n", hex);
          continue;
        }
      const char *colon = strrchr (img->reference, ':');
      const char *slash = strrchr (img->reference, '/');
      g_autofree char *repo = colon && colon > slash ? g_strndup (img->reference, colon - img->reference) : g_strdup (img->reference);
      const char *tag = colon && colon > slash ? colon + 1 : "<none>";
      g_autofree char *size = ctr_format_size (img->unpacked_size);
      g_autofree char *age = NULL;
      g_autoptr(GDateTime) dt = img->created && *img->created ? g_date_time_new_from_iso8601 (img->created, NULL) : NULL;
      age = dt ? ctr_format_age (g_date_time_to_unix (dt)) : g_strdup ("unknown");
      printf ("%-40s %-12s %s%s%-12.12s  %-20s  %s\n", repo, tag, digests ? img->manifest_digest : "",
              digests ? "  " : "", hex, age, size);
    }
  return CTR_EXIT_OK;
}
