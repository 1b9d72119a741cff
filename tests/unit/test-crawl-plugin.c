/* Plugins: the in-tree example (plugins/example) loads, its feature runs on
 * a target like a built-in one and reads inside the target's root only,
 * its emitter gets every frame; bad plugins (tests/unit/data/plugin-*.c)
 * give errors that name the file while the good ones still load, and a
 * plugin's bad items become "skipped" entries, not a crash. The .so files
 * are found next to this binary: BUILD/plugins and BUILD/tests/plugins. */
#include "crawler/crawler.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *build_tests_dir;   /* BUILD/tests */

static char *
plugin_path (const char *sub, const char *name)
{
  return g_build_filename (build_tests_dir, sub, name, NULL);
}

/* A plugin directory holding links to the given built plugins. */
static char *
plugin_dir_with (const char *const *names)
{
  char *dir = g_dir_make_tmp ("ctrgit-plugins-XXXXXX", NULL);
  g_assert_nonnull (dir);
  for (const char *const *n = names; *n; n++)
    {
      g_autofree char *src = g_str_equal (*n, "example.so") ? plugin_path ("../plugins", *n)
                                                             : plugin_path ("plugins", *n);
      g_autofree char *dst = g_build_filename (dir, *n, NULL);
      g_assert_cmpint (symlink (src, dst), ==, 0);
    }
  return dir;
}

static void
rm_rf (const char *dir)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);
  g_assert_true (g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL));
}

static void
write_file (const char *root, const char *rel, const char *content)
{
  g_autofree char *path = g_build_filename (root, rel, NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path, content, -1, NULL));
}

/* The host as a target, but with its root at a directory we made, so the
 * items are known exactly. */
static CrawlTarget *
host_target_at (const char *root)
{
  g_autoptr(GError) error = NULL;
  CrawlTarget *t = crawl_target_new_host ("/proc", &error);
  g_assert_no_error (error);
  g_assert_nonnull (t);
  t->root_fd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  g_assert_cmpint (t->root_fd, >=, 0);
  return t;
}

static void
assert_json (json_t *got, const char *expected)
{
  json_error_t jerr;
  g_autoptr(json_t) want = json_loads (expected, 0, &jerr);
  g_assert_nonnull (want);
  if (!json_equal (got, want))
    {
      g_autofree char *text = json_dumps (got, JSON_SORT_KEYS);
      g_error ("got %s\nwant %s", text, expected);
    }
}

static GPtrArray *
load_ok (const char *dir)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *plugins = NULL;
  g_assert_true (crawl_plugins_load (dir, &plugins, &error));
  g_assert_no_error (error);
  g_assert_nonnull (plugins);
  return plugins;
}

static void
test_load_example (void)
{
  g_autofree char *dir = g_build_filename (build_tests_dir, "..", "plugins", NULL);
  g_autoptr(GPtrArray) plugins = load_ok (dir);
  g_assert_cmpuint (plugins->len, ==, 1);
  g_assert_true (crawl_plugins_find_feature (plugins, "env-files"));
  g_assert_false (crawl_plugins_find_feature (plugins, "os"));
  g_auto(GStrv) names = crawl_plugins_feature_names (plugins);
  g_assert_cmpuint (g_strv_length (names), ==, 1);
  g_assert_cmpstr (names[0], ==, "env-files");
}

static void
test_missing_dir_is_no_plugins (void)
{
  g_autoptr(GPtrArray) plugins = load_ok ("/nonexistent/ctrgit/plugins");
  g_assert_cmpuint (plugins->len, ==, 0);
  g_autoptr(GPtrArray) none = load_ok (NULL);
  g_assert_cmpuint (none->len, ==, 0);

  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) file = NULL;
  g_assert_false (crawl_plugins_load ("/etc/passwd", &file, &error));
  g_assert_nonnull (error);
  g_assert_true (g_str_has_prefix (error->message, "plugin directory: "));
  g_assert_nonnull (file);
  g_assert_cmpuint (file->len, ==, 0);
}

/* env-files on a root whose /etc/default/locale links out of it: the link
 * resolves inside the root, so the item is the root's own /etc/passwd (22
 * bytes, 1 line), never the host's. A fifo is skipped, not read. */
static void
test_feature_on_host_target (void)
{
  g_autofree char *dir = g_build_filename (build_tests_dir, "..", "plugins", NULL);
  g_autoptr(GPtrArray) plugins = load_ok (dir);
  g_autofree char *root = g_dir_make_tmp ("ctrgit-root-XXXXXX", NULL);
  write_file (root, "etc/environment", "PATH=\"/usr/bin:/bin\"\nLANG=C.UTF-8\n");
  write_file (root, "etc/passwd", "root:x:0:0::/:/bin/sh\n");
  g_autofree char *locale = g_build_filename (root, "etc/default/locale", NULL);
  g_autofree char *locale_dir = g_path_get_dirname (locale);
  g_assert_cmpint (g_mkdir_with_parents (locale_dir, 0755), ==, 0);
  g_assert_cmpint (symlink ("/../../../../../../etc/passwd", locale), ==, 0);
  g_autofree char *profile = g_build_filename (root, "etc/profile", NULL);
  g_assert_cmpint (mkfifo (profile, 0644), ==, 0);

  g_autoptr(CrawlTarget) t = host_target_at (root);
  g_autoptr(json_t) items = json_object ();
  g_autoptr(GError) error = NULL;
  g_assert_true (crawl_plugins_crawl (plugins, "env-files", t, items, &error));
  g_assert_no_error (error);
  assert_json (items, "{\"/etc/environment\": {\"path\": \"/etc/environment\", \"size\": 34, "
                      "\"lines\": 2},"
                      " \"/etc/default/locale\": {\"path\": \"/etc/default/locale\", \"size\": 22,"
                      " \"lines\": 1}}");
  assert_json (t->skipped, "[{\"feature\": \"env-files\", \"what\": \"/etc/profile\", "
                           "\"reason\": \"not a regular file\"}]");

  /* the crawl runs it like a built-in feature */
  CrawlContext ctx = { .plugins = plugins };
  char *features[] = { "env-files", NULL };
  g_autoptr(CrawlTarget) t2 = host_target_at (root);
  g_autoptr(json_t) frame = crawl_frame_build (&ctx, t2, features);
  g_autofree char *items_text = json_dumps (items, 0);
  assert_json (json_object_get (frame, "env-files"), items_text);
  assert_json (json_object_get (json_object_get (frame, "_frame"), "features"), "[\"env-files\"]");

  g_autoptr(GError) unknown = NULL;
  g_assert_false (crawl_plugins_crawl (plugins, "nope", t, items, &unknown));
  g_assert_error (unknown, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  rm_rf (root);
}

static char *
frame_text (json_t *frame)
{
  return json_dumps (frame, JSON_COMPACT);
}

/* count:PATH gets each frame as JSON and appends "N BYTES"; an emitter freed
 * without close is still closed (its file complete). */
static void
test_emitter_round_trip (void)
{
  g_autofree char *dir = g_build_filename (build_tests_dir, "..", "plugins", NULL);
  g_autoptr(GPtrArray) plugins = load_ok (dir);
  g_autofree char *tmp = g_dir_make_tmp ("ctrgit-count-XXXXXX", NULL);
  g_autofree char *log = g_build_filename (tmp, "frames.log", NULL);
  g_autofree char *spec = g_strdup_printf ("count:%s", log);
  g_autoptr(json_t) f1 = json_pack ("{s:{s:s}, s:{}}", "_frame", "uuid", "a", "os");
  g_autoptr(json_t) f2 = json_pack ("{s:{s:s}, s:{s:{s:i}}}", "_frame", "uuid", "bb", "process",
                                    "1", "pid", 1);
  g_autofree char *t1 = frame_text (f1), *t2 = frame_text (f2);

  g_autoptr(GError) error = NULL;
  CrawlEmitter *e = crawl_plugins_emitter (plugins, spec, &error);
  g_assert_no_error (error);
  g_assert_nonnull (e);
  g_assert_true (crawl_emitter_emit (e, f1, &error));
  g_assert_true (crawl_emitter_emit (e, f2, &error));
  g_assert_true (crawl_emitter_close (e, &error));
  g_assert_no_error (error);
  crawl_emitter_free (e);

  e = crawl_plugins_emitter (plugins, spec, &error);
  g_assert_nonnull (e);
  g_assert_true (crawl_emitter_emit (e, f2, &error));
  crawl_emitter_free (e);

  g_autofree char *got = NULL;
  g_assert_true (g_file_get_contents (log, &got, NULL, NULL));
  g_autofree char *want = g_strdup_printf ("1 %zu\n2 %zu\n1 %zu\n", strlen (t1), strlen (t2),
                                           strlen (t2));
  g_assert_cmpstr (got, ==, want);

  /* not a plugin's: NULL and no error; the plugin's own open error */
  g_assert_null (crawl_plugins_emitter (plugins, "nope:x", &error));
  g_assert_no_error (error);
  g_assert_null (crawl_plugins_emitter (plugins, "count", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==,
                   "emitter count (plugin example): count: give a file to append to, as count:PATH");
  rm_rf (tmp);
}

/* Each bad file is named with its reason, in one error; example.so, among
 * them, still loads and works. */
static void
test_bad_plugins_named_others_load (void)
{
  static const char *const names[] = { "bad-abi.so", "clash.so", "example.so", "no-init.so",
                                       "refuses.so", NULL };
  g_autofree char *dir = plugin_dir_with (names);
  g_autofree char *copy = g_build_filename (dir, "zz-again.so", NULL);
  g_assert_cmpint (symlink ("example.so", copy), ==, 0);
  g_autofree char *ww = g_build_filename (dir, "ww.so", NULL);
  g_assert_true (g_file_set_contents (ww, "not even ELF", -1, NULL));
  g_assert_cmpint (chmod (ww, 0666), ==, 0);
  write_file (dir, "README", "not a plugin: ignored");

  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) plugins = NULL;
  g_assert_false (crawl_plugins_load (dir, &plugins, &error));
  g_assert_nonnull (error);
  g_autofree char *want = g_strdup_printf (
      "plugin %1$s/bad-abi.so: built for plugin ABI version 2, this ctrgit has version 1; "
      "plugin %1$s/clash.so: feature \"os\" is a built-in one; "
      "plugin %1$s/no-init.so: not a ctrgit plugin: no symbol ctrgit_plugin_init; "
      "plugin %1$s/refuses.so: the plugin refused to load: needs /dev/widget; "
      "plugin %1$s/ww.so: writable by anyone: refused; "
      "plugin %1$s/zz-again.so: feature \"env-files\" is already loaded from %1$s/example.so",
      dir);
  g_assert_cmpstr (error->message, ==, want);
  g_assert_nonnull (plugins);
  g_assert_cmpuint (plugins->len, ==, 1);
  g_assert_true (crawl_plugins_find_feature (plugins, "env-files"));
  g_assert_false (crawl_plugins_find_feature (plugins, "os"));
  rm_rf (dir);
}

/* Bad JSON, a non-object, duplicate keys, an empty or non-UTF-8 key, no
 * text: each is refused and recorded as skipped, the good items stay;
 * writes are refused and "/../../.." stays inside the root. */
static void
test_misbehaving_plugin (void)
{
  static const char *const names[] = { "misbehaves.so", NULL };
  g_autofree char *dir = plugin_dir_with (names);
  g_autoptr(GPtrArray) plugins = load_ok (dir);
  g_autofree char *root = g_dir_make_tmp ("ctrgit-root-XXXXXX", NULL);
  write_file (root, "etc/marker", "inside\n");

  g_autoptr(CrawlTarget) t = host_target_at (root);
  g_autoptr(json_t) items = json_object ();
  g_autoptr(GError) error = NULL;
  g_assert_true (crawl_plugins_crawl (plugins, "bad-items", t, items, &error));
  g_assert_no_error (error);
  assert_json (items, "{\"good\": {\"n\": 1}, \"marker\": {\"marker\": \"inside\"}}");
  g_assert_cmpuint (json_array_size (t->skipped), ==, 6);
  static const char *const whats[] = { "truncated", "array", "dup", "", "bad\\xffkey", "nojson" };
  for (gsize i = 0; i < G_N_ELEMENTS (whats); i++)
    {
      json_t *s = json_array_get (t->skipped, i);
      g_assert_cmpstr (json_string_value (json_object_get (s, "feature")), ==, "bad-items");
      g_assert_cmpstr (json_string_value (json_object_get (s, "what")), ==, whats[i]);
      g_assert_true (g_str_has_prefix (json_string_value (json_object_get (s, "reason")),
                                       "plugin item: "));
    }
  /* Jansson's wording varies between versions; where it points does not */
  const char *why = json_string_value (json_object_get (json_array_get (t->skipped, 0), "reason"));
  g_assert_true (g_str_has_prefix (why, "plugin item: invalid JSON: "));
  g_assert_true (g_str_has_suffix (why, " (line 1, column 6)"));

  g_autoptr(json_t) items2 = json_object ();
  g_assert_false (crawl_plugins_crawl (plugins, "fails", t, items2, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, "plugin misbehaves: cannot read the widget table");
  g_clear_error (&error);

  g_autoptr(CrawlEmitter) e = crawl_plugins_emitter (plugins, "broken", &error);
  g_assert_no_error (error);
  g_autoptr(json_t) frame = json_pack ("{s:{}}", "_frame");
  g_assert_false (crawl_emitter_emit (e, frame, &error));
  g_assert_cmpstr (error->message, ==, "emitter broken: plugin misbehaves: the collector is down");
  rm_rf (root);
  rm_rf (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_assert_nonnull (exe);
  build_tests_dir = g_path_get_dirname (exe);
  g_test_add_func ("/crawl/plugin/load-example", test_load_example);
  g_test_add_func ("/crawl/plugin/missing-dir-is-no-plugins", test_missing_dir_is_no_plugins);
  g_test_add_func ("/crawl/plugin/feature-on-host-target", test_feature_on_host_target);
  g_test_add_func ("/crawl/plugin/emitter-round-trip", test_emitter_round_trip);
  g_test_add_func ("/crawl/plugin/bad-plugins-named-others-load",
                   test_bad_plugins_named_others_load);
  g_test_add_func ("/crawl/plugin/misbehaving-plugin", test_misbehaving_plugin);
  int rc = g_test_run ();
  g_free (build_tests_dir);
  return rc;
}
