/* cmd/cmd-tag.c: ctrgit tag REV NAME */
#include "cmd/ctrgit.h"

#include <stdio.h>

int
cmd_tag (int argc, char **argv, CtrGlobals *g)
{
  g_autoptr(GOptionContext) ctx = g_option_context_new ("REV NAME - give an image version another reference");
  if (!ctr_parse_options (ctx, &argc, &argv, "tag"))
    return CTR_EXIT_USAGE;
  if (argc != 3)
    return ctr_usage ("tag", "expected REV NAME");
  g_autoptr(GError) error = NULL;
  g_autoptr(OciRef) name = NULL;
  if (!oci_ref_parse (argv[2], OCI_REF_DEFAULT_LOCALHOST, &name, &error))
    return ctr_fail ("tag", error);
  if (!name->tag)
    return ctr_usage ("tag", "NAME needs a tag, not only a digest");
  g_clear_pointer (&name->digest, g_free);
  g_autoptr(CtrStore) store = ctr_open_store (g, &error);
  if (!store)
    return ctr_fail ("tag", error);
  g_autofree char *commit = NULL, *tagged = NULL;
  if (!store_resolve_revision (store, argv[1], NULL, &commit, &error)
      || !store_image_tag (store, commit, name, &tagged, &error))
    return ctr_fail ("tag", error);
  g_autofree char *full = oci_ref_to_string (name);
  printf ("%s: %.12s\n", full, tagged);
  return CTR_EXIT_OK;
}
