/* cmd/cmd-pull.c: ctrgit pull REF */
#include "cmd/ctrgit.h"
#include "oci/oci-registry.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int
pull_one (CtrStore *store, OciRegistry *reg, const OciRef *ref, const OciPlatform *platform,
          gboolean quiet)
{
  g_autoptr(GError) error = NULL;
  StoreImportOptions opts = { 0 };
  g_auto(StoreImportResult) res = { 0 };
  if (!store_pull (store, reg, ref, platform, &opts, &res, NULL, &error))
    return ctr_fail ("pull", error);
  if (quiet)
    printf ("%s\n", res.commit);
  else if (res.unchanged)
    printf ("%s: already up to date (%.12s)\n", res.reference, res.commit);
  else
    printf ("%s: pulled %.12s (%u new layer%s, %u already stored)\n", res.reference, res.commit,
            res.layers_new, res.layers_new == 1 ? "" : "s", res.layers_present);
  return CTR_EXIT_OK;
}

int
cmd_pull (int argc, char **argv, CtrGlobals *g)
{
  g_autofree char *platform_s = NULL;
  g_auto(CtrRegistryArgs) ra = { 0 };
  gboolean all_tags = FALSE, quiet = FALSE;
  GOptionEntry entries[] = {
    { "platform", 0, 0, G_OPTION_ARG_STRING, &platform_s, "Platform to pick from a multi-platform image (default: this machine's)", "OS/ARCH[/VARIANT]" },
    { "all-tags", 'a', 0, G_OPTION_ARG_NONE, &all_tags, "Pull every tag of the repository", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print only the commit", NULL },
    { NULL },
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("REF - pull an image from a registry");
  g_option_context_set_description (ctx,
      "REF as docker writes it: debian:bookworm is docker.io/library/debian:bookworm;\n"
      "registry.local:5000/app@sha256:... pulls by digest. Pulling a tag that moved\n"
      "records a new version in the reference's history (ctrgit log).");
  g_option_context_add_main_entries (ctx, entries, NULL);
  ctr_registry_args_add (ctx, &ra);
  if (!ctr_parse_options (ctx, &argc, &argv, "pull"))
    return CTR_EXIT_USAGE;
  if (argc != 2)
    return ctr_usage ("pull", "expected one REF");
  if (!ctr_registry_args_finish ("pull", &ra))
    return CTR_EXIT_USAGE;
  g_autoptr(GError) error = NULL;
  g_autoptr(OciPlatform) platform = NULL;
  if (platform_s && !oci_platform_parse (platform_s, &platform, &error))
    return ctr_usage ("pull", "%s", error->message);
  g_autoptr(OciRef) ref = NULL;
  if (!oci_ref_parse (argv[1], OCI_REF_DEFAULT_DOCKER_IO, &ref, &error))
    return ctr_usage ("pull", "%s", error->message);
  g_autoptr(CtrStore) store = ctr_open_store (g, &error);
  if (!store)
    return ctr_fail ("pull", error);
  g_autoptr(OciRegistry) reg = oci_registry_new (ref->domain, &ra.ro);
  if (!all_tags)
    return pull_one (store, reg, ref, platform, quiet);

  g_autoptr(GPtrArray) tags = oci_registry_list_tags (reg, ref->path, &error);
  if (!tags)
    return ctr_fail ("pull", error);
  int rc = CTR_EXIT_OK;
  for (guint i = 0; i < tags->len; i++)
    {
      g_autoptr(OciRef) t = oci_ref_copy (ref);
      g_free (t->tag);
      t->tag = g_strdup (tags->pdata[i]);
      g_clear_pointer (&t->digest, g_free);
      if (pull_one (store, reg, t, platform, quiet) != CTR_EXIT_OK)
        rc = CTR_EXIT_ERROR;
    }
  return rc;
}
