/* cmd/cmd-ls.c: ctrgit ls REV [PATH] */
#include "cmd/ctrgit.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static void
print_node (const StoreNode *n, const char *name)
{
  char t = n->is_dir ? 'd' : S_ISLNK (n->mode) ? 'l' : '-';
  printf ("%c%05o %5u %5u %10" G_GUINT64_FORMAT " %s", t, n->mode & 07777, n->uid, n->gid,
          n->size, name);
  if (n->target)
    printf (" -> %s", n->target);
  printf ("\n");
}

static gint
node_cmp (gconstpointer a, gconstpointer b)
{
  return strcmp ((*(StoreNode * const *) a)->name, (*(StoreNode * const *) b)->name);
}

int
cmd_ls (int argc, char **argv, CtrGlobals *g)
{
  gboolean dir_only = FALSE;
  GOptionEntry entries[] = {
    { "directory", 'd', 0, G_OPTION_ARG_NONE, &dir_only, "List the directory itself, not its entries", NULL },
    { NULL },
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("REV [PATH] - list a directory of an image version");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!ctr_parse_options (ctx, &argc, &argv, "ls"))
    return CTR_EXIT_USAGE;
  if (argc < 2 || argc > 3)
    return ctr_usage ("ls", "expected REV [PATH]");
  const char *path = argc == 3 ? argv[2] : "/";
  if (*path != '/')
    return ctr_usage ("ls", "paths are absolute, as in the image: \"%s\"", path);
  g_autoptr(GError) error = NULL;
  g_autoptr(CtrStore) store = ctr_open_store (g, &error);
  if (!store)
    return ctr_fail ("ls", error);
  g_autofree char *commit = NULL;
  if (!store_resolve_revision (store, argv[1], NULL, &commit, &error))
    return ctr_fail ("ls", error);
  g_auto(StoreNode) node = { 0 };
  /* Like ls: a symlink to a directory lists the directory, unless -d. */
  if (!store_tree_lookup (store, commit, path, !dir_only, &node, &error))
    return ctr_fail ("ls", error);
  if (!node.is_dir || dir_only)
    {
      print_node (&node, path);
      return CTR_EXIT_OK;
    }
  g_autoptr(GPtrArray) kids = store_tree_list (store, &node, &error);
  if (!kids)
    return ctr_fail ("ls", error);
  /* One order for files and directories together, as ls prints. */
  g_ptr_array_sort (kids, node_cmp);
  for (guint i = 0; i < kids->len; i++)
    {
      const StoreNode *k = kids->pdata[i];
      print_node (k, k->name);
    }
  return CTR_EXIT_OK;
}
