/* cmd/cmd-cat.c: ctrgit cat REV PATH */
#include "cmd/ctrgit.h"

#include <gio/gunixoutputstream.h>
#include <stdio.h>
#include <unistd.h>

int
cmd_cat (int argc, char **argv, CtrGlobals *g)
{
  g_autoptr(GOptionContext) ctx = g_option_context_new ("REV PATH... - print files of an image version");
  if (!ctr_parse_options (ctx, &argc, &argv, "cat"))
    return CTR_EXIT_USAGE;
  if (argc < 3)
    return ctr_usage ("cat", "expected REV PATH...");
  g_autoptr(GError) error = NULL;
  g_autoptr(CtrStore) store = ctr_open_store (g, &error);
  if (!store)
    return ctr_fail ("cat", error);
  g_autofree char *commit = NULL;
  if (!store_resolve_revision (store, argv[1], NULL, &commit, &error))
    return ctr_fail ("cat", error);
  g_autoptr(GOutputStream) out = g_unix_output_stream_new (STDOUT_FILENO, FALSE);
  for (int i = 2; i < argc; i++)
    {
      if (argv[i][0] != '/')
        return ctr_usage ("cat", "paths are absolute, as in the image: \"%s\"", argv[i]);
      g_auto(StoreNode) node = { 0 };
      if (!store_tree_lookup (store, commit, argv[i], TRUE, &node, &error))
        return ctr_fail ("cat", error);
      g_autoptr(GInputStream) in = store_tree_open (store, &node, &error);
      if (!in)
        {
          g_prefix_error (&error, "%s: ", argv[i]);
          return ctr_fail ("cat", error);
        }
      if (g_output_stream_splice (out, in, G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE, NULL, &error) < 0)
        return ctr_fail ("cat", error);
    }
  return CTR_EXIT_OK;
}
