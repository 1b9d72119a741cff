/* cmd/cmd-import.c: ctrgit import SOURCE [NAME] */
#include "cmd/ctrgit.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void
waiting (void)
{
  fprintf (stderr, "ctrgit import: waiting for another writer to finish...\n");
}

int
cmd_import (int argc, char **argv, CtrGlobals *g)
{
  g_autofree char *platform_s = NULL;
  g_autofree char *max_size_s = NULL;
  gboolean quiet = FALSE;
  GOptionEntry entries[] = {
    { "platform", 0, 0, G_OPTION_ARG_STRING, &platform_s, "Platform to pick from a multi-platform image", "OS/ARCH[/VARIANT]" },
    { "max-layer-size", 0, 0, G_OPTION_ARG_STRING, &max_size_s, "Refuse layers larger than this, uncompressed (default 64G)", "SIZE" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print only the commit", NULL },
    { NULL },
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("SOURCE [NAME] - import an image");
  g_option_context_set_description (ctx,
      "SOURCE is oci:DIR[:TAG], oci-archive:FILE[:TAG] or docker-archive:FILE[:REF].\n"
      "NAME defaults to the reference the image carries (a docker archive's RepoTags,\n"
      "an OCI ref.name such as localhost/app:v1); a name without registry is localhost/NAME.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!ctr_parse_options (ctx, &argc, &argv, "import"))
    return CTR_EXIT_USAGE;
  if (argc < 2 || argc > 3)
    return ctr_usage ("import", "expected SOURCE [NAME]");

  g_autoptr(GError) error = NULL;
  StoreImportOptions opts = { 0 };
  if (max_size_s)
    {
      guint64 v;
      if (!g_ascii_string_to_unsigned (max_size_s, 10, 1, G_MAXUINT64, &v, NULL))
        {
          char unit = max_size_s[strlen (max_size_s) - 1];
          g_autofree char *num = g_strndup (max_size_s, strlen (max_size_s) - 1);
          guint64 mult = unit == 'K' || unit == 'k' ? 1ULL << 10 : unit == 'M' || unit == 'm' ? 1ULL << 20
                         : unit == 'G' || unit == 'g' ? 1ULL << 30 : unit == 'T' || unit == 't' ? 1ULL << 40 : 0;
          if (!mult || !g_ascii_string_to_unsigned (num, 10, 1, G_MAXUINT64 >> 40, &v, NULL))
            return ctr_usage ("import", "bad --max-layer-size \"%s\"", max_size_s);
          v *= mult;
        }
      opts.max_layer_size = v;
    }
  g_autoptr(OciPlatform) platform = NULL;
  if (platform_s && !oci_platform_parse (platform_s, &platform, &error))
    return ctr_fail ("import", error);
  /* one line per layer on a terminal; quiet otherwise */
  g_autoptr(CtrProgress) progress = NULL;
  if (isatty (STDERR_FILENO) && !quiet)
    {
      progress = ctr_progress_new ("Imported");
      opts.progress = ctr_progress_layer;
      opts.progress_user = progress;
    }
  /* Import waits for other writers; say so once on a terminal. */
  if (isatty (STDERR_FILENO))
    opts.waiting = waiting;

  g_autoptr(OciLocation) loc = NULL;
  if (!oci_location_parse (argv[1], &loc, &error))
    return ctr_usage ("import", "%s", error->message);
  g_autoptr(CtrStore) store = ctr_open_store (g, &error);
  if (!store)
    return ctr_fail ("import", error);
  g_autoptr(OciSource) src = NULL;
  if (!oci_source_open (loc, platform, &src, &error))
    return ctr_fail ("import", error);

  const char *name = argc == 3 ? argv[2] : oci_source_name (src);
  if (!name)
    return ctr_usage ("import", "%s carries no image name: give a NAME", argv[1]);
  g_autoptr(OciRef) ref = NULL;
  if (!oci_ref_parse (name, OCI_REF_DEFAULT_LOCALHOST, &ref, &error))
    return ctr_fail ("import", error);
  if (!ref->tag)
    return ctr_usage ("import", "NAME needs a tag, not only a digest");
  g_clear_pointer (&ref->digest, g_free);

  g_auto(StoreImportResult) res = { 0 };
  gboolean ok = store_image_import (store, src, ref, argv[1], &opts, &res, NULL, &error);
  g_clear_pointer (&progress, ctr_progress_free);
  if (!ok)
    return ctr_fail ("import", error);
  ctr_print_import_result (&res, "imported", quiet);
  return CTR_EXIT_OK;
}
