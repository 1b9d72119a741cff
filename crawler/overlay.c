/* crawler/overlay.c: overlayfs layers read from the host side (see
 * overlay.h for what it owns).
 */
#include "crawler/overlay.h"
#include "crawler/crawler-private.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

int
crawl_overlay_cmp_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

gboolean
crawl_overlay_is_whiteout (const struct stat *st)
{
  return S_ISCHR (st->st_mode) && st->st_rdev == makedev (0, 0);
}

static gboolean
xattr_is_y (int fd, const char *name)
{
  char v[2];
  ssize_t n = fgetxattr (fd, name, v, sizeof v);
  return n == 1 && v[0] == 'y';
}

gboolean
crawl_overlay_dir_opaque (int dirfd)
{
  if (xattr_is_y (dirfd, "trusted.overlay.opaque") || xattr_is_y (dirfd, "user.overlay.opaque"))
    return TRUE;
  struct stat st;
  return fstatat (dirfd, CRAWL_OPAQUE_MARKER, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

gboolean
crawl_overlay_is_metacopy (int fd)
{
  return fgetxattr (fd, "trusted.overlay.metacopy", NULL, 0) >= 0
         || fgetxattr (fd, "user.overlay.metacopy", NULL, 0) >= 0;
}

int
crawl_overlay_openat (int root, const char *path, int flags)
{
  return crawl_openat2 (root, path, flags, RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS);
}

struct CrawlLower {
  GArray *fds;   /* int, O_PATH of each layer dir, top first */
};

CrawlLower *
crawl_lower_open (char **lowerdirs, GError **error)
{
  g_autoptr(CrawlLower) l = g_new0 (CrawlLower, 1);
  l->fds = g_array_new (FALSE, FALSE, sizeof (int));
  for (char **d = lowerdirs; d && *d; d++)
    {
      int fd = open (*d, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (fd < 0)
        {
          int e = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e), "lowerdir %s: %s", *d,
                       g_strerror (e));
          return NULL;
        }
      g_array_append_val (l->fds, fd);
    }
  return g_steal_pointer (&l);
}

void
crawl_lower_free (CrawlLower *l)
{
  if (!l)
    return;
  for (guint i = 0; i < l->fds->len; i++)
    close (g_array_index (l->fds, int, i));
  g_array_unref (l->fds);
  g_free (l);
}

/* lstat of path inside one layer; FALSE with errno if absent. */
static gboolean
layer_lstat (int root, const char *path, struct stat *st)
{
  int fd = crawl_overlay_openat (root, path, O_PATH | O_NOFOLLOW);
  if (fd < 0)
    return FALSE;
  gboolean ok = fstat (fd, st) == 0;
  close (fd);
  return ok;
}

static gboolean
layer_dir_opaque (int root, const char *path)
{
  int fd = crawl_overlay_openat (root, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  if (fd < 0)
    return FALSE;
  gboolean opaque = crawl_overlay_dir_opaque (fd);
  close (fd);
  return opaque;
}

gboolean
crawl_lower_stat (CrawlLower *l, const char *path, struct stat *out, guint *out_layer)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  guint n = g_strv_length (parts);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *wh = g_strconcat (dir, "/" CRAWL_WHITEOUT_PREFIX, base, NULL);
  for (guint i = 0; i < l->fds->len; i++)
    {
      int root = g_array_index (l->fds, int, i);
      /* Ancestors in this layer: a non-directory hides everything below
       * it in lower layers; an opaque directory hides what lower layers
       * have below it. */
      gboolean hides_below = FALSE, ancestors_present = TRUE;
      g_autoptr(GString) anc = g_string_new ("");
      for (guint k = 0; k + 1 < n && ancestors_present; k++)
        {
          if (!*parts[k])
            continue;
          g_string_append_printf (anc, "/%s", parts[k]);
          struct stat st;
          if (!layer_lstat (root, anc->str, &st))
            ancestors_present = FALSE;
          else if (!S_ISDIR (st.st_mode))
            return FALSE;
          else if (layer_dir_opaque (root, anc->str))
            hides_below = TRUE;
        }
      struct stat st;
      if (ancestors_present && layer_lstat (root, path, &st))
        {
          if (crawl_overlay_is_whiteout (&st))
            return FALSE;
          *out = st;
          if (out_layer)
            *out_layer = i;
          return TRUE;
        }
      if (ancestors_present && layer_lstat (root, wh, &st))
        return FALSE;
      if (hides_below)
        return FALSE;
    }
  return FALSE;
}

int
crawl_lower_open_at (CrawlLower *l, guint layer, const char *path, int flags)
{
  if (layer >= l->fds->len)
    {
      errno = ENOENT;
      return -1;
    }
  return crawl_overlay_openat (g_array_index (l->fds, int, layer), path, flags | O_NOFOLLOW);
}

gboolean
crawl_lower_read (CrawlLower *l, const char *path, gsize max, char **out, gsize *out_len,
                  GError **error)
{
  struct stat st;
  guint layer;
  if (!crawl_lower_stat (l, path, &st, &layer))
    return g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s: not in the image's layers",
                        path), FALSE;
  if (!S_ISREG (st.st_mode))
    return g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE, "%s: not a regular file",
                        path), FALSE;
  int fd = crawl_reopen_regular (crawl_lower_open_at (l, layer, path, O_PATH));
  if (fd < 0)
    {
      int e = errno;
      return g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e), "%s: %s", path,
                          g_strerror (e)), FALSE;
    }
  gboolean ok = crawl_fd_read (fd, max, out, out_len, error);
  close (fd);
  if (!ok)
    g_prefix_error (error, "%s: ", path);
  return ok;
}

GPtrArray *
crawl_overlay_dir_names (int dirfd)
{
  int fd = openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  DIR *d = fdopendir (fd);
  if (!d)
    {
      close (fd);
      return NULL;
    }
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  struct dirent *de;
  while ((de = readdir (d)))
    if (!g_str_equal (de->d_name, ".") && !g_str_equal (de->d_name, ".."))
      g_ptr_array_add (out, g_strdup (de->d_name));
  closedir (d);
  g_ptr_array_sort (out, crawl_overlay_cmp_names);
  return out;
}

GPtrArray *
crawl_lower_names (CrawlLower *l, const char *dir)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < l->fds->len; i++)
    {
      int fd = crawl_overlay_openat (g_array_index (l->fds, int, i), dir,
                                     O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      if (fd < 0)
        continue;
      g_autoptr(GPtrArray) names = crawl_overlay_dir_names (fd);
      close (fd);
      for (guint j = 0; names && j < names->len; j++)
        {
          const char *name = names->pdata[j];
          if (g_str_equal (name, CRAWL_OPAQUE_MARKER))
            continue;
          if (g_str_has_prefix (name, CRAWL_WHITEOUT_PREFIX))
            name += strlen (CRAWL_WHITEOUT_PREFIX);
          if (*name)
            g_hash_table_add (seen, g_strdup (name));
        }
    }
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter it;
  gpointer k;
  g_hash_table_iter_init (&it, seen);
  while (g_hash_table_iter_next (&it, &k, NULL))
    {
      g_ptr_array_add (out, k);
      g_hash_table_iter_steal (&it);
    }
  g_ptr_array_sort (out, crawl_overlay_cmp_names);
  return out;
}
