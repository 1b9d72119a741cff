/* cmd/cmd-show.c: ctrgit show REV */
#include "cmd/ctrgit.h"

#include <stdio.h>

static void
print_string_list (const char *label, json_t *arr)
{
  if (!json_is_array (arr))
    return;
  g_autoptr(GString) s = g_string_new ("");
  for (size_t i = 0; i < json_array_size (arr); i++)
    {
      const char *v = json_string_value (json_array_get (arr, i));
      g_string_append_printf (s, "%s\"%s\"", i ? ", " : "", v ? v : "");
    }
  printf ("%-11s [%s]\n", label, s->str);
}

/* The config's created_by of the nth non-empty layer, or NULL. */
static const char *
created_by (json_t *config, gint layer)
{
  json_t *history = json_object_get (config, "history");
  gint n = -1;
  for (size_t i = 0; json_is_array (history) && i < json_array_size (history); i++)
    {
      json_t *h = json_array_get (history, i);
      if (json_is_true (json_object_get (h, "empty_layer")))
        continue;
      if (++n == layer)
        return json_string_value (json_object_get (h, "created_by"));
    }
  return NULL;
}

static int
show_paths (CtrStore *store, const StoreImage *img, json_t *config, char **paths, gboolean json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) layers = g_hash_table_new (g_str_hash, g_str_equal);
  if (!ctr_canonical_paths ("show", paths))
    return CTR_EXIT_USAGE;
  for (char **p = paths; *p; p++)
    g_hash_table_insert (layers, *p, GINT_TO_POINTER (-1));
  if (!store_layer_attribute (store, img, layers, &error))
    return ctr_fail ("show", error);
  g_autoptr(json_t) list = json_array ();
  for (char **p = paths; *p; p++)
    {
      gint l = GPOINTER_TO_INT (g_hash_table_lookup (layers, *p));
      g_auto(StoreNode) node = { 0 };
      gboolean present = store_tree_lookup (store, img->commit, *p, FALSE, &node, NULL);
      const char *by = l >= 0 ? created_by (config, l) : NULL;
      const char *diff_id = l >= 0 ? img->diff_ids->pdata[l] : NULL;
      if (json)
        json_array_append_new (list, json_pack ("{s:s, s:b, s:i, s:s?, s:s?}", "path", *p,
                                                "present", present, "layer", l + 1,
                                                "diff_id", diff_id, "created_by", by));
      else if (l < 0)
        printf ("%s\t-\t%s\n", *p, present ? "(a directory no layer lists)" : "(not in any layer)");
      else
        printf ("%s\tlayer %d\t%.19s\t%s%s\n", *p, l + 1, diff_id, present ? "" : "removed: ",
                by ? by : "");
    }
  if (json)
    {
      g_autofree char *text = json_dumps (list, JSON_INDENT (2));
      printf ("%s\n", text);
    }
  return CTR_EXIT_OK;
}

int
cmd_show (int argc, char **argv, CtrGlobals *g)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "The manifest and config as JSON, with the version's identity", NULL },
    { NULL },
  };
  g_auto(GStrv) paths = ctr_split_paths (&argc, argv);
  g_autoptr(GOptionContext) ctx = g_option_context_new ("REV [-- PATH...] - an image version's manifest, config, layers and history");
  g_option_context_set_description (ctx, "With PATHs: the layer that added, last changed or removed each path.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!ctr_parse_options (ctx, &argc, &argv, "show"))
    return CTR_EXIT_USAGE;
  if (argc != 2)
    return ctr_usage ("show", "expected one REV");
  g_autoptr(GError) error = NULL;
  g_autoptr(CtrStore) store = ctr_open_store (g, &error);
  if (!store)
    return ctr_fail ("show", error);
  g_autofree char *ref = NULL, *commit = NULL;
  if (!store_resolve_revision (store, argv[1], &ref, &commit, &error))
    return ctr_fail ("show", error);
  g_autoptr(StoreImage) img = store_image_load (store, commit, &error);
  if (!img)
    return ctr_fail ("show", error);
  g_autoptr(GBytes) mb = store_image_manifest (store, img, &error);
  g_autoptr(GBytes) cb = mb ? store_image_config (store, img, &error) : NULL;
  if (!cb)
    return ctr_fail ("show", error);
  g_autoptr(json_t) manifest = json_loadb (g_bytes_get_data (mb, NULL), g_bytes_get_size (mb), 0, NULL);
  g_autoptr(json_t) config = json_loadb (g_bytes_get_data (cb, NULL), g_bytes_get_size (cb), 0, NULL);
  if (paths)
    return show_paths (store, img, config, paths, json);
  if (json)
    {
      g_autoptr(json_t) doc = json_pack ("{s:s, s:s, s:s, s:s, s:O, s:O}", "reference", ref,
                                         "commit", commit, "manifest_digest", img->manifest_digest,
                                         "config_digest", img->config_digest, "manifest", manifest,
                                         "config", config);
      g_autofree char *text = json_dumps (doc, JSON_INDENT (2) | JSON_PRESERVE_ORDER);
      printf ("%s\n", text);
      return CTR_EXIT_OK;
    }

  printf ("Reference:  %s\nCommit:     %s\nManifest:   %s (%s)\nConfig:     %s\nPlatform:   %s\n"
          "Created:    %s\nSource:     %s\n",
          ref, commit, img->manifest_digest, img->media_type, img->config_digest, img->platform,
          img->created && *img->created ? img->created : "unknown", img->source);
  json_t *c = json_object_get (config, "config");
  print_string_list ("Entrypoint:", json_object_get (c, "Entrypoint"));
  print_string_list ("Cmd:", json_object_get (c, "Cmd"));
  const char *wd = json_string_value (json_object_get (c, "WorkingDir"));
  const char *user = json_string_value (json_object_get (c, "User"));
  if (wd && *wd)
    printf ("WorkingDir: %s\n", wd);
  if (user && *user)
    printf ("User:       %s\n", user);
  json_t *env = json_object_get (c, "Env");
  for (size_t i = 0; json_is_array (env) && i < json_array_size (env); i++)
    printf ("%-11s %s\n", i ? "" : "Env:", json_string_value (json_array_get (env, i)));
  json_t *labels = json_object_get (c, "Labels");
  const char *key;
  json_t *val;
  gboolean first = TRUE;
  json_object_foreach (labels, key, val)
    {
      printf ("%-11s %s=%s\n", first ? "Labels:" : "", key, json_string_value (val) ? json_string_value (val) : "");
      first = FALSE;
    }
  json_t *ports = json_object_get (c, "ExposedPorts");
  first = TRUE;
  json_object_foreach (ports, key, val)
    {
      printf ("%-11s %s\n", first ? "Ports:" : "", key);
      first = FALSE;
    }

  printf ("\nLayers:\n");
  for (guint i = 0; i < img->diff_ids->len; i++)
    {
      g_autofree char *size = ctr_format_size (g_array_index (img->blob_sizes, gint64, i));
      printf ("  %2u  %.19s  blob %.19s  %8s  %s\n", i + 1, (char *) img->diff_ids->pdata[i],
              (char *) img->blobs->pdata[i], size, (char *) img->blob_media_types->pdata[i]);
    }
  json_t *history = json_object_get (config, "history");
  if (json_is_array (history) && json_array_size (history))
    {
      printf ("\nHistory:\n");
      guint layer = 0;
      for (size_t i = 0; i < json_array_size (history); i++)
        {
          json_t *h = json_array_get (history, i);
          gboolean empty = json_is_true (json_object_get (h, "empty_layer"));
          const char *created = json_string_value (json_object_get (h, "created"));
          const char *by = json_string_value (json_object_get (h, "created_by"));
          g_autofree char *where = empty ? g_strdup ("  -") : g_strdup_printf ("%3u", ++layer);
          printf ("  %s  %-30.30s  %s\n", where, created ? created : "", by ? by : "");
        }
    }
  return CTR_EXIT_OK;
}
