/* cmd/cmd-push.c: ctrgit push REV DEST */
#include "cmd/ctrgit.h"
#include "oci/oci-registry.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
cmd_push (int argc, char **argv, CtrGlobals *g)
{
  g_auto(CtrRegistryArgs) ra = { 0 };
  gboolean from_files = FALSE;
  GOptionEntry entries[] = {
    { "from-files", 0, 0, G_OPTION_ARG_NONE, &from_files, "Rebuild layers from the files instead of the kept blobs", NULL },
    { NULL },
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("REV DEST - push an image version to a registry");
  g_option_context_set_description (ctx,
      "DEST is a reference with a registry: registry.local:5000/app:v3. With kept blobs\n"
      "the pushed manifest digest is the original's.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  ctr_registry_args_add (ctx, &ra);
  if (!ctr_parse_options (ctx, &argc, &argv, "push"))
    return CTR_EXIT_USAGE;
  if (argc != 3)
    return ctr_usage ("push", "expected REV DEST");
  if (!ctr_registry_args_finish ("push", &ra))
    return CTR_EXIT_USAGE;
  g_autoptr(GError) error = NULL;
  g_autoptr(OciRef) dest = NULL;
  if (!oci_ref_parse (argv[2], OCI_REF_DEFAULT_DOCKER_IO, &dest, &error))
    return ctr_usage ("push", "%s", error->message);
  g_autoptr(CtrStore) store = ctr_open_store (g, &error);
  if (!store)
    return ctr_fail ("push", error);
  g_autoptr(OciRegistry) reg = oci_registry_new (dest->domain, &ra.ro);
  StorePushOptions po = { .export = { .from_files = from_files } };
  /* one line per layer on a terminal, as docker push shows; quiet otherwise */
  g_autoptr(CtrProgress) progress = NULL;
  if (isatty (STDERR_FILENO))
    {
      progress = ctr_progress_new ("Pushed");
      po.progress = ctr_progress_push;
      po.progress_user = progress;
    }
  guint pushed = 0;
  g_autofree char *digest = NULL;
  gboolean ok = store_push (store, reg, argv[1], dest, &po, &pushed, &digest, NULL, &error);
  g_clear_pointer (&progress, ctr_progress_free);
  if (!ok)
    return ctr_fail ("push", error);
  g_autofree char *full = oci_ref_to_string (dest);
  printf ("%s: pushed %s (%u blob%s uploaded)\n", full, digest, pushed, pushed == 1 ? "" : "s");
  return CTR_EXIT_OK;
}
