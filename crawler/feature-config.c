/* crawler/feature-config.c: the content of chosen configuration files.
 *
 * Item key and "path": the file's absolute path inside the target's root
 * (as the glob matched it; a symlink is read where it leads inside the
 * root, never outside). Fields: size, sha256, content (text; bytes that
 * are not UTF-8 as \xNN) and, for /etc/passwd, "users": [{name, uid, gid,
 * home, shell}].
 *
 * Globs are fnmatch patterns per path component ("/etc/" "*.conf" as
 * one string); a component with no pattern characters is
 * taken as is. Directories are opened through crawl_root_open and listed;
 * "**" is not special. Files over CRAWL_CONFIG_FILE_MAX, and more than
 * CONFIG_MATCHES_MAX matches of one glob, are skipped with the reason.
 * A path that is not there is no item and no skip: images differ.
 */
#include "crawler/overlay.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <string.h>
#include <unistd.h>

#define FEATURE "config"
#define CONFIG_MATCHES_MAX 1024u   /* files one glob may match */

static const char *default_globs[] = {
  "/etc/passwd", "/etc/group", "/etc/hosts", "/etc/resolv.conf", "/etc/os-release", NULL,
};

static gboolean
has_pattern (const char *s)
{
  return strpbrk (s, "*?[") != NULL;
}

/* passwd(5): name:password:uid:gid:gecos:home:shell. */
static json_t *
passwd_users (const char *text, gsize len)
{
  json_t *users = json_array ();
  g_autofree char *copy = g_strndup (text, len);
  g_auto(GStrv) lines = g_strsplit (copy, "\n", -1);
  for (char **l = lines; *l; l++)
    {
      g_auto(GStrv) f = g_strsplit (*l, ":", 7);
      if (g_strv_length (f) < 7 || !*f[0] || **l == '#')
        continue;
      char *end;
      guint64 uid = g_ascii_strtoull (f[2], &end, 10);
      if (!*f[2] || *end)
        continue;
      guint64 gid = g_ascii_strtoull (f[3], &end, 10);
      if (!*f[3] || *end)
        continue;
      json_t *u = json_object ();
      json_object_set_new (u, "name", crawl_json_string (f[0], -1));
      json_object_set_new (u, "uid", json_integer ((json_int_t) uid));
      json_object_set_new (u, "gid", json_integer ((json_int_t) gid));
      json_object_set_new (u, "home", crawl_json_string (f[5], -1));
      json_object_set_new (u, "shell", crawl_json_string (g_strchomp (f[6]), -1));
      json_array_append_new (users, u);
    }
  return users;
}

static void
read_config (CrawlTarget *t, const char *path, json_t *items)
{
  g_autoptr(json_t) key = crawl_json_string (path, -1);
  if (json_object_get (items, json_string_value (key)))
    return;   /* two globs matched it */
  g_autofree char *text = NULL;
  gsize len = 0;
  g_autoptr(GError) error = NULL;
  if (!crawl_root_read (t, path, CRAWL_CONFIG_FILE_MAX, &text, &len, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)
          && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY))
        crawl_target_skip (t, FEATURE, path, error->message);
      return;
    }
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (sum, (const guchar *) text, len);
  json_t *item = json_object ();
  json_object_set (item, "path", key);
  json_object_set_new (item, "size", json_integer ((json_int_t) len));
  json_object_set_new (item, "sha256", json_string (g_checksum_get_string (sum)));
  json_object_set_new (item, "content", crawl_json_string (text, len));
  if (g_str_equal (path, "/etc/passwd"))
    json_object_set_new (item, "users", passwd_users (text, len));
  json_object_set_new (items, json_string_value (key), item);
}

typedef struct {
  CrawlTarget *t;
  const char *glob;
  json_t *items;
  guint matches;
} GlobWalk;

/* Matches parts[i..] below the directory dir (absolute, "" for /). */
static void
glob_walk (GlobWalk *g, char **parts, guint i, const char *dir)
{
  if (g->matches > CONFIG_MATCHES_MAX)
    return;
  while (parts[i] && (!*parts[i] || g_str_equal (parts[i], ".")))
    i++;
  if (!parts[i])
    return;
  gboolean last = parts[i + 1] == NULL;
  if (!has_pattern (parts[i]))
    {
      g_autofree char *path = g_strconcat (dir, "/", parts[i], NULL);
      if (last)
        read_config (g->t, path, g->items);
      else
        glob_walk (g, parts, i + 1, path);
      return;
    }
  int fd = crawl_root_open (g->t, *dir ? dir : "/", O_RDONLY | O_DIRECTORY, NULL);
  if (fd < 0)
    return;   /* not there, or not a directory: nothing matches */
  g_autoptr(GPtrArray) names = crawl_overlay_dir_names (fd);
  close (fd);
  for (guint k = 0; names && k < names->len; k++)
    {
      const char *name = names->pdata[k];
      if (fnmatch (parts[i], name, FNM_PERIOD) != 0)
        continue;
      g_autofree char *path = g_strconcat (dir, "/", name, NULL);
      if (!last)
        {
          glob_walk (g, parts, i + 1, path);
          continue;
        }
      if (++g->matches > CONFIG_MATCHES_MAX)
        {
          g_autofree char *why = g_strdup_printf ("more than %u files match (CONFIG_MATCHES_MAX): "
                                                  "the rest were not read", CONFIG_MATCHES_MAX);
          crawl_target_skip (g->t, FEATURE, g->glob, why);
          return;
        }
      read_config (g->t, path, g->items);
    }
}

gboolean
crawl_feature_config (CrawlContext *ctx, CrawlTarget *t, json_t *items, GError **error)
{
  const char *const *globs = ctx->config_globs ? (const char *const *) ctx->config_globs
                                               : default_globs;
  for (; *globs; globs++)
    {
      if (**globs != '/')
        {
          crawl_target_skip (t, FEATURE, *globs, "not an absolute path");
          continue;
        }
      g_auto(GStrv) parts = g_strsplit (*globs, "/", -1);
      GlobWalk g = { t, *globs, items, 0 };
      glob_walk (&g, parts, 0, "");
    }
  return TRUE;
}
