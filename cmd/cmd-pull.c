/* cmd/cmd-pull.c: ctrgit pull REF */
#include "cmd/ctrgit.h"
#include "oci/oci-registry.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Pulls ref, from its registries.conf mirrors first (in order), then from
 * its own registry; a mirror that fails is reported and skipped. */
static int
pull_one (CtrStore *store, const CtrRegistryArgs *ra, const OciRef *ref,
          const OciPlatform *platform, gboolean quiet)
{
  g_autoptr(GError) error = NULL;
  const char *conf = g_getenv ("CTRGIT_REGISTRIES_CONF");
  if (!conf)
    conf = "/etc/containers/registries.conf";
  g_autofree char *repository = oci_ref_repository (ref);
  g_autofree char *prefix = NULL;
  g_autoptr(GPtrArray) mirrors = oci_registries_mirrors (conf, repository, &prefix, &error);
  if (!mirrors)
    return ctr_fail ("pull", error);
  StoreImportOptions opts = { 0 };
  g_auto(StoreImportResult) res = { 0 };
  /* one line per layer on a terminal, as docker pull shows; quiet otherwise */
  g_autoptr(CtrProgress) progress = NULL;
  if (!quiet && isatty (STDERR_FILENO))
    {
      progress = ctr_progress_new ("Pull complete");
      opts.progress = ctr_progress_layer;
      opts.progress_user = progress;
    }
  gboolean ok = FALSE;
  for (guint i = 0; i <= mirrors->len && !ok; i++)
    {
      g_autoptr(OciRef) fetch = NULL;
      OciRegistryOptions ro = ra->ro;
      if (progress)
        {
          ro.progress = ctr_progress_download;
          ro.progress_user = progress;
        }
      if (i < mirrors->len)
        {
          OciMirror *m = mirrors->pdata[i];
          g_autofree char *where = g_strconcat (m->location, repository + strlen (prefix), NULL);
          if (!oci_ref_parse (where, OCI_REF_DEFAULT_DOCKER_IO, &fetch, &error))
            {
              fprintf (stderr, "ctrgit pull: mirror %s: %s\n", m->location, error->message);
              g_clear_error (&error);
              continue;
            }
          g_free (fetch->tag), fetch->tag = g_strdup (ref->tag);
          g_free (fetch->digest), fetch->digest = g_strdup (ref->digest);
          if (m->insecure)
            ro.tls_verify = FALSE;
        }
      else
        fetch = oci_ref_copy (ref);
      g_autoptr(OciRegistry) reg = oci_registry_new (fetch->domain, &ro);
      g_clear_error (&error);
      store_import_result_clear (&res);
      ok = store_pull (store, reg, fetch, ref, platform, &opts, &res, NULL, &error);
      if (!ok && i < mirrors->len)
        {
          /* The next source's lines go below the message, not over it. */
          ctr_progress_restart (progress);
          fprintf (stderr, "ctrgit pull: mirror %s: %s; trying the next source\n",
                   ((OciMirror *) mirrors->pdata[i])->location, error->message);
        }
    }
  g_clear_pointer (&progress, ctr_progress_free);
  if (!ok)
    return ctr_fail ("pull", error);
  ctr_print_import_result (&res, "pulled", quiet);
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
  if (!all_tags)
    return pull_one (store, &ra, ref, platform, quiet);
  g_autoptr(OciRegistry) reg = oci_registry_new (ref->domain, &ra.ro);

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
      if (pull_one (store, &ra, t, platform, quiet) != CTR_EXIT_OK)
        rc = CTR_EXIT_ERROR;
    }
  return rc;
}
