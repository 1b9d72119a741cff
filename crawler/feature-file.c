/* crawler/feature-file.c: what changed on a container's disk since its
 * image.
 *
 * Item key and "path": the absolute path; bytes that are not UTF-8 appear
 * as \xNN (crawl_json_string), a newline as itself. Fields of every item:
 *   change   "added", "changed", "deleted", or null. null means "not drift":
 *            an unchanged file (only in --files full) or a file the runtime
 *            put there (then "runtime" is true). So drift is exactly the
 *            items whose change is not null.
 *   type     "file", "dir", "symlink", "fifo", "socket", "char", "block"
 *   mode     permission bits as an octal string ("0644", "01777"); uid,
 *            gid; size (regular files and symlinks, else 0)
 *   mtime    RFC 3339 UTC, null for deleted items and image-index items
 *   sha256   of added and changed regular files (and, in full mode without
 *            the store, of every regular file); null when not hashed
 *   target   of symlinks, else null
 *   runtime  true for what the runtime itself puts in the upperdir:
 *            /etc/hostname, /etc/hosts, /etc/resolv.conf, /etc/mtab,
 *            /run/.containerenv, /run/secrets and below, the container's
 *            mount points (from its mountinfo), and directories it had to
 *            create to hold those
 *   object   (full mode with the store) the image's OSTree content checksum
 * Deleted items carry the image's type, mode, owner, size and target. A
 * deleted directory is one item: what was below it is not listed.
 *
 * Only the upperdir is walked: it holds every change and nothing else. The
 * image's side of a path comes from the store's index of the image when
 * the container is linked to it (crawl_store_link), else from the lowerdir
 * stack, read as overlay merges it (crawler/overlay.c). A directory overlay
 * copied up with the same mode and owner, and a regular file whose bytes,
 * mode and owner equal the image's, are not drift.
 *
 * --files full: every file of the merged root. With the store, the image's
 * index supplies the unchanged files (checksums, no hashing) and the
 * upperdir walk the rest; without it, the merged root is walked through
 * crawl_root_open and every regular file hashed, which is what the store
 * saves.
 */
#include "crawler/overlay.h"
#include "crawler/procfs.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define FEATURE "file"

typedef struct {
  gboolean found;
  guint32 mode, uid, gid;   /* mode with type bits */
  guint64 size;
  char *target;
  StoreNode node;           /* with the store */
  guint layer;              /* without: the lower layer it is in */
} Orig;

static void
orig_clear (Orig *o)
{
  g_clear_pointer (&o->target, g_free);
  store_node_clear (&o->node);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Orig, orig_clear)

typedef struct {
  CrawlTarget *t;
  CtrStore *store;          /* NULL unless the target is linked to it */
  const char *commit;
  CrawlLower *lower;        /* without the store */
  GHashTable *runtime;      /* paths the runtime put there */
  GHashTable *mounts;       /* mount points: never descended into */
  GHashTable *runtime_dirs; /* directories holding a runtime path */
  json_t *items;
  guint64 entries;
  gboolean stopped;
} FileWalk;

static const char *runtime_files[] = {
  "/etc/hostname", "/etc/hosts", "/etc/resolv.conf", "/etc/mtab", "/run/.containerenv",
  "/run/secrets",
};

static const char *
type_name (guint32 mode)
{
  switch (mode & S_IFMT)
    {
    case S_IFREG: return "file";
    case S_IFDIR: return "dir";
    case S_IFLNK: return "symlink";
    case S_IFIFO: return "fifo";
    case S_IFSOCK: return "socket";
    case S_IFCHR: return "char";
    case S_IFBLK: return "block";
    default: return "unknown";
    }
}

/* The item key of a raw path. */
static json_t *
path_json (const char *path)
{
  return crawl_json_string (*path ? path : "/", -1);
}

static json_t *
item_new (json_t *path, const char *change, guint32 mode, guint32 uid, guint32 gid,
          guint64 size, gint64 mtime, const char *sha256, const char *target, gboolean runtime)
{
  json_t *o = json_object ();
  json_object_set (o, "path", path);
  json_object_set_new (o, "change", change ? json_string (change) : json_null ());
  json_object_set_new (o, "type", json_string (type_name (mode)));
  /* C's octal form: "0644", and "01777" or "04755" with the sticky,
   * setuid or setgid bits, always one leading zero. */
  g_autofree char *m = g_strdup_printf ("0%03o", mode & 07777);
  json_object_set_new (o, "mode", json_string (m));
  json_object_set_new (o, "uid", json_integer (uid));
  json_object_set_new (o, "gid", json_integer (gid));
  /* A directory's st_size says how its filesystem stores it, nothing more. */
  if (S_ISLNK (mode) && target)
    size = strlen (target);   /* the store does not record a link's size */
  json_object_set_new (o, "size", json_integer (S_ISREG (mode) || S_ISLNK (mode) ? (json_int_t) size : 0));
  json_t *mt = json_null ();
  if (mtime >= 0)
    {
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (mtime);
      g_autofree char *s = dt ? g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ") : NULL;
      if (s)
        mt = json_string (s);
    }
  json_object_set_new (o, "mtime", mt);
  json_object_set_new (o, "sha256", sha256 && *sha256 ? json_string (sha256) : json_null ());
  json_object_set_new (o, "target", target ? crawl_json_string (target, -1) : json_null ());
  json_object_set_new (o, "runtime", json_boolean (runtime));
  return o;
}

static void
add_item (FileWalk *w, json_t *path, json_t *item)
{
  json_object_set_new (w->items, json_string_value (path), item);
}

/* Counts an entry against CRAWL_FILES_MAX; FALSE once over. */
static gboolean
count_entry (FileWalk *w, const char *path)
{
  if (w->stopped)
    return FALSE;
  if (++w->entries <= CRAWL_FILES_MAX)
    return TRUE;
  w->stopped = TRUE;
  g_autofree char *why = g_strdup_printf ("more than %u entries (CRAWL_FILES_MAX): the rest "
                                          "was not walked", CRAWL_FILES_MAX);
  crawl_target_skip (w->t, FEATURE, path, why);
  return FALSE;
}

static void
skip_error (FileWalk *w, const char *path, const char *what, GError *error)
{
  g_autofree char *why = g_strdup_printf ("%s: %s", what, error ? error->message : g_strerror (errno));
  crawl_target_skip (w->t, FEATURE, *path ? path : "/", why);
}

/* --- the image's side of a path ---------------------------------------- */

static char *
readlink_fd (int fd)
{
  char buf[4096];
  ssize_t n = readlinkat (fd, "", buf, sizeof buf - 1);
  return n < 0 ? NULL : g_strndup (buf, n);
}

static void
orig_lookup (FileWalk *w, const char *path, Orig *o)
{
  memset (o, 0, sizeof *o);
  if (w->store)
    {
      if (!store_tree_lookup (w->store, w->commit, *path ? path : "/", FALSE, &o->node, NULL))
        return;
      o->found = TRUE;
      o->mode = o->node.mode;
      o->uid = o->node.uid;
      o->gid = o->node.gid;
      o->size = o->node.size;
      o->target = g_strdup (o->node.target);
      return;
    }
  struct stat st;
  if (!w->lower || !crawl_lower_stat (w->lower, *path ? path : "/", &st, &o->layer))
    return;
  o->found = TRUE;
  o->mode = st.st_mode;
  o->uid = st.st_uid;
  o->gid = st.st_gid;
  o->size = S_ISREG (st.st_mode) ? (guint64) st.st_size : 0;
  if (S_ISLNK (st.st_mode))
    {
      int fd = crawl_lower_open_at (w->lower, o->layer, path, O_PATH);
      if (fd >= 0)
        {
          o->target = readlink_fd (fd);
          close (fd);
        }
    }
}

static gboolean
same_owner_mode (const Orig *o, const struct stat *st)
{
  return (o->mode & (S_IFMT | 07777)) == (st->st_mode & (S_IFMT | 07777))
         && o->uid == st->st_uid && o->gid == st->st_gid;
}

/* A path the image had is gone: one item with what the image had there.
 * A whiteout of something the image never had hides nothing. */
static void
emit_deleted (FileWalk *w, const char *path, gboolean parent_in_image)
{
  if (!parent_in_image)
    return;
  g_auto(Orig) o = { 0 };
  orig_lookup (w, path, &o);
  if (!o.found)
    return;
  g_autoptr(json_t) key = path_json (path);
  add_item (w, key, item_new (key, "deleted", o.mode, o.uid, o.gid, o.size, -1, NULL, o.target,
                              FALSE));
}

/* --- runtime paths ------------------------------------------------------ */

static void
add_parents (GHashTable *dirs, const char *path)
{
  g_autofree char *d = g_path_get_dirname (path);
  while (!g_str_equal (d, "/") && !g_str_equal (d, "."))
    {
      char *up = g_path_get_dirname (d);
      g_hash_table_add (dirs, g_steal_pointer (&d));
      d = up;
    }
}

static void
runtime_paths_load (FileWalk *w)
{
  w->runtime = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  w->mounts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  w->runtime_dirs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  if (!crawl_proc_read (w->t->proc, w->t->pid, "mountinfo", CRAWL_PROC_FILE_MAX, &text, NULL,
                        &error))
    skip_error (w, "mountinfo", "mount points not known", error);
  g_auto(GStrv) lines = g_strsplit (text ? text : "", "\n", -1);
  for (char **l = lines; *l; l++)
    {
      g_auto(GStrv) f = g_strsplit (*l, " ", 6);
      if (g_strv_length (f) < 5 || g_str_equal (f[4], "/"))
        continue;
      g_hash_table_add (w->mounts, procfs_mount_unescape (f[4]));
    }
  if (w->t->kind != CRAWL_TARGET_CONTAINER)
    return;
  GHashTableIter it;
  gpointer k;
  g_hash_table_iter_init (&it, w->mounts);
  while (g_hash_table_iter_next (&it, &k, NULL))
    g_hash_table_add (w->runtime, g_strdup (k));
  for (guint i = 0; i < G_N_ELEMENTS (runtime_files); i++)
    g_hash_table_add (w->runtime, g_strdup (runtime_files[i]));
  g_hash_table_iter_init (&it, w->runtime);
  while (g_hash_table_iter_next (&it, &k, NULL))
    add_parents (w->runtime_dirs, k);
}

static gboolean
is_runtime (FileWalk *w, const char *path)
{
  return g_hash_table_contains (w->runtime, path);
}

/* What the runtime itself writes (hosts, resolv.conf, ...) is never drift.
 * Other mount points are the runtime's too, but a file under one is only
 * hidden, not made equal: a container that bind-mounts over a changed
 * binary must still show the change. */
static gboolean
is_runtime_file (const char *path)
{
  for (guint i = 0; i < G_N_ELEMENTS (runtime_files); i++)
    if (g_str_equal (runtime_files[i], path))
      return TRUE;
  return FALSE;
}

/* --- the upperdir -------------------------------------------------------- */

/* A regular file of the upperdir against the image: the change, or NULL
 * when its bytes, mode and owner are the image's. sha gets its sha256
 * when it was read ("" otherwise). */
static const char *
compare_regular (FileWalk *w, int dirfd, const char *name, const char *path,
                 const struct stat *st, const Orig *o, char sha[65])
{
  sha[0] = 0;
  const char *differs = o->found ? "changed" : "added";
  if ((guint64) st->st_size > CRAWL_HASH_FILE_MAX)
    {
      crawl_target_skip (w->t, FEATURE, path, "not hashed: larger than CRAWL_HASH_FILE_MAX");
      return differs;
    }
  int fd = crawl_reopen_regular (openat (dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC));
  if (fd < 0)
    {
      skip_error (w, path, "not hashed", NULL);
      return differs;
    }
  gboolean same_meta = o->found && same_owner_mode (o, st);
  gboolean same_size = o->found && S_ISREG (o->mode) && o->size == (guint64) st->st_size;
  /* Copied up for a metadata change only: the bytes are still the lower
   * layer's and the upper file holds none of them. */
  if (o->found && crawl_overlay_is_metacopy (fd))
    {
      close (fd);
      return same_meta && S_ISREG (o->mode) ? NULL : "changed";
    }
  char csum[65];
  g_autoptr(GError) error = NULL;
  gboolean ok = store_file_checksum_fd (w->store, fd, st->st_uid, st->st_gid, st->st_mode,
                                        w->store && same_size ? o->node.checksum : NULL,
                                        CRAWL_HASH_FILE_MAX, csum, sha, &error);
  close (fd);
  if (!ok)
    {
      sha[0] = 0;
      skip_error (w, path, "not hashed", error);
      return differs;
    }
  if (!same_meta || !same_size)
    return differs;
  if (w->store)
    return g_str_equal (csum, o->node.checksum) ? NULL : differs;
  /* Without the store: the lower layer's copy, hashed the same way. */
  int lfd = crawl_reopen_regular (crawl_lower_open_at (w->lower, o->layer, path, O_PATH));
  char lsum[65], lsha[65];
  ok = lfd >= 0 && store_file_checksum_fd (NULL, lfd, 0, 0, 0, NULL, CRAWL_HASH_FILE_MAX, lsum,
                                           lsha, NULL);
  if (lfd >= 0)
    close (lfd);
  return ok && g_str_equal (lsha, sha) ? NULL : differs;
}

static void walk_upper (FileWalk *w, int dirfd, const char *path, const Orig *self,
                        gboolean opaque);

static void
upper_entry (FileWalk *w, int dirfd, const char *name, const char *path, const Orig *parent,
             gboolean opaque)
{
  struct stat st;
  if (fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    {
      skip_error (w, path, "stat", NULL);
      return;
    }
  if (crawl_overlay_is_whiteout (&st))
    {
      emit_deleted (w, path, parent != NULL);
      return;
    }
  g_auto(Orig) o = { 0 };
  if (parent)
    orig_lookup (w, path, &o);
  gboolean runtime = is_runtime (w, path);
  gboolean runtime_fixed = runtime && (S_ISDIR (st.st_mode) || is_runtime_file (path));
  const char *change = NULL;
  char sha[65] = "";
  g_autofree char *target = NULL;
  int subfd = -1;
  if (S_ISDIR (st.st_mode))
    {
      change = !o.found ? "added" : same_owner_mode (&o, &st) ? NULL : "changed";
      if (change && !o.found && g_hash_table_contains (w->runtime_dirs, path))
        runtime = runtime_fixed = TRUE;
      subfd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (subfd < 0)
        skip_error (w, path, "not walked", NULL);
    }
  else if (S_ISREG (st.st_mode) && !runtime_fixed)
    change = compare_regular (w, dirfd, name, path, &st, &o, sha);
  else if (S_ISLNK (st.st_mode))
    {
      char buf[4096];
      ssize_t n = readlinkat (dirfd, name, buf, sizeof buf - 1);
      target = n >= 0 ? g_strndup (buf, n) : NULL;
      change = !o.found ? "added"
               : S_ISLNK (o.mode) && o.uid == st.st_uid && o.gid == st.st_gid
                 && g_strcmp0 (o.target, target) == 0 ? NULL : "changed";
    }
  else
    change = !o.found ? "added" : same_owner_mode (&o, &st) ? NULL : "changed";
  if (runtime_fixed)
    change = NULL;
  if (change || runtime)
    {
      g_autoptr(json_t) key = path_json (path);
      add_item (w, key, item_new (key, change, st.st_mode, st.st_uid, st.st_gid, st.st_size,
                                  st.st_mtime, sha, target, runtime));
    }
  if (subfd >= 0)
    {
      gboolean in_image = o.found && S_ISDIR (o.mode);
      walk_upper (w, subfd, path, in_image ? &o : NULL, opaque || crawl_overlay_dir_opaque (subfd));
      close (subfd);
    }
}

/* Walks an upperdir directory. self: the image's directory at path, NULL
 * if the image has none there. opaque: this directory hides what the
 * image had in it (it or an ancestor is opaque). */
static void
walk_upper (FileWalk *w, int dirfd, const char *path, const Orig *self, gboolean opaque)
{
  g_autoptr(GPtrArray) names = crawl_overlay_dir_names (dirfd);
  if (!names)
    {
      skip_error (w, path, "not walked", NULL);
      return;
    }
  g_autoptr(GHashTable) present = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < names->len && !w->stopped; i++)
    {
      const char *name = names->pdata[i];
      g_hash_table_add (present, (char *) name);
      if (!count_entry (w, path))
        return;
      if (g_str_equal (name, CRAWL_OPAQUE_MARKER))
        continue;
      if (g_str_has_prefix (name, CRAWL_WHITEOUT_PREFIX))
        {
          const char *gone = name + strlen (CRAWL_WHITEOUT_PREFIX);
          g_autofree char *gone_path = g_strconcat (path, "/", gone, NULL);
          g_hash_table_add (present, (char *) gone);
          emit_deleted (w, gone_path, self != NULL);
          continue;
        }
      g_autofree char *child = g_strconcat (path, "/", name, NULL);
      upper_entry (w, dirfd, name, child, self, opaque);
    }
  if (!opaque || !self)
    return;
  /* What the image had here and the upperdir does not: gone. */
  g_autoptr(GPtrArray) had = NULL;
  if (w->store)
    {
      g_autoptr(GPtrArray) nodes = store_tree_list (w->store, &self->node, NULL);
      had = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; nodes && i < nodes->len; i++)
        g_ptr_array_add (had, g_strdup (((StoreNode *) nodes->pdata[i])->name));
    }
  else
    had = crawl_lower_names (w->lower, *path ? path : "/");
  for (guint i = 0; i < had->len && !w->stopped; i++)
    if (!g_hash_table_contains (present, had->pdata[i]) && count_entry (w, path))
      {
        g_autofree char *gone_path = g_strconcat (path, "/", (char *) had->pdata[i], NULL);
        emit_deleted (w, gone_path, TRUE);
      }
}

/* --- full mode ------------------------------------------------------------ */

/* An image path the drift walk already reported: FALSE if the walk below
 * it must stop (deleted, or replaced by something not a directory). */
static gboolean
drift_continues (FileWalk *w, json_t *item)
{
  const char *change = json_string_value (json_object_get (item, "change"));
  const char *type = json_string_value (json_object_get (item, "type"));
  return !g_strcmp0 (type, "dir") && g_strcmp0 (change, "deleted");
}

static void
walk_image (FileWalk *w, const StoreNode *dir, const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) nodes = store_tree_list (w->store, dir, &error);
  if (!nodes)
    {
      skip_error (w, path, "image index not read", error);
      return;
    }
  for (guint i = 0; i < nodes->len && !w->stopped; i++)
    {
      StoreNode *n = nodes->pdata[i];
      g_autofree char *child = g_strconcat (path, "/", n->name, NULL);
      if (!count_entry (w, child))
        return;
      g_autoptr(json_t) key = path_json (child);
      json_t *drift = json_object_get (w->items, json_string_value (key));
      if (drift && !drift_continues (w, drift))
        continue;
      if (!drift)
        {
          json_t *item = item_new (key, NULL, n->mode, n->uid, n->gid, n->size, -1, NULL,
                                   n->target, FALSE);
          if (!n->is_dir)
            json_object_set_new (item, "object", json_string (n->checksum));
          add_item (w, key, item);
        }
      if (n->is_dir)
        walk_image (w, n, child);
    }
}

static void
walk_merged (FileWalk *w, int dirfd, const char *path, dev_t dev)
{
  g_autoptr(GPtrArray) names = crawl_overlay_dir_names (dirfd);
  if (!names)
    {
      skip_error (w, path, "not walked", NULL);
      return;
    }
  for (guint i = 0; i < names->len && !w->stopped; i++)
    {
      const char *name = names->pdata[i];
      g_autofree char *child = g_strconcat (path, "/", name, NULL);
      if (!count_entry (w, child))
        return;
      struct stat st;
      if (fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        continue;   /* gone while walking */
      g_autoptr(json_t) key = path_json (child);
      json_t *drift = json_object_get (w->items, json_string_value (key));
      /* Another filesystem (proc, a volume, a bind-mounted file) is not
       * the image's: listed, never entered. */
      gboolean mount = st.st_dev != dev || g_hash_table_contains (w->mounts, child);
      if (!drift)
        {
          char sha[65] = "";
          g_autofree char *target = NULL;
          if (S_ISREG (st.st_mode) && !mount)
            {
              int fd = crawl_reopen_regular (openat (dirfd, name,
                                                     O_PATH | O_NOFOLLOW | O_CLOEXEC));
              char csum[65];
              g_autoptr(GError) error = NULL;
              if (fd < 0 || (guint64) st.st_size > CRAWL_HASH_FILE_MAX
                  || !store_file_checksum_fd (NULL, fd, 0, 0, 0, NULL, CRAWL_HASH_FILE_MAX, csum,
                                              sha, &error))
                {
                  sha[0] = 0;
                  skip_error (w, child, "not hashed", error);
                }
              if (fd >= 0)
                close (fd);
            }
          else if (S_ISLNK (st.st_mode))
            {
              char buf[4096];
              ssize_t n = readlinkat (dirfd, name, buf, sizeof buf - 1);
              target = n >= 0 ? g_strndup (buf, n) : NULL;
            }
          gboolean runtime = mount && w->t->kind == CRAWL_TARGET_CONTAINER;
          add_item (w, key, item_new (key, NULL, st.st_mode, st.st_uid, st.st_gid, st.st_size,
                                      st.st_mtime, sha, target, runtime));
        }
      else if (!drift_continues (w, drift))
        continue;
      if (!S_ISDIR (st.st_mode) || mount)
        continue;
      int sub = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub < 0)
        {
          skip_error (w, child, "not walked", NULL);
          continue;
        }
      walk_merged (w, sub, child, dev);
      close (sub);
    }
}

static void
walk_full (FileWalk *w)
{
  if (w->store)
    {
      g_auto(StoreNode) root = { 0 };
      g_autoptr(GError) error = NULL;
      if (!store_tree_lookup (w->store, w->commit, "/", FALSE, &root, &error))
        skip_error (w, "/", "image index not read", error);
      else
        walk_image (w, &root, "");
      return;
    }
  g_autoptr(GError) error = NULL;
  int fd = crawl_root_open (w->t, "/", O_RDONLY | O_DIRECTORY | O_NOFOLLOW, &error);
  struct stat st;
  if (fd < 0 || fstat (fd, &st) < 0)
    skip_error (w, "/", "root not walked", error);
  else
    walk_merged (w, fd, "", st.st_dev);
  if (fd >= 0)
    close (fd);
}

static void
file_walk_clear (FileWalk *w)
{
  g_clear_pointer (&w->lower, crawl_lower_free);
  g_clear_pointer (&w->runtime, g_hash_table_unref);
  g_clear_pointer (&w->mounts, g_hash_table_unref);
  g_clear_pointer (&w->runtime_dirs, g_hash_table_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (FileWalk, file_walk_clear)

/* The drift walk of the upperdir; FALSE (with the reason recorded) when
 * there is none to walk or nothing to compare it with. */
static gboolean
walk_drift (CrawlContext *ctx, FileWalk *w)
{
  CrawlTarget *t = w->t;
  if (!t->upperdir)
    {
      crawl_target_skip (t, FEATURE, "/", "the root is not an overlay: no upperdir to compare");
      return FALSE;
    }
  if (ctx->store && t->store_commit)
    {
      w->store = ctx->store;
      w->commit = t->store_commit;
    }
  else
    {
      g_autoptr(GError) error = NULL;
      w->lower = crawl_lower_open (t->lowerdirs, &error);
      if (!w->lower)
        {
          skip_error (w, "/", "the image's layers cannot be read", error);
          return FALSE;
        }
    }
  int top = open (t->upperdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  int fd = top < 0 ? -1 : openat (top, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    {
      skip_error (w, t->upperdir, "upperdir not walked", NULL);
      if (top >= 0)
        close (top);
      return FALSE;
    }
  g_auto(Orig) root = { 0 };
  orig_lookup (w, "", &root);
  walk_upper (w, fd, "", root.found && S_ISDIR (root.mode) ? &root : NULL,
              crawl_overlay_dir_opaque (fd));
  close (fd);
  close (top);
  return TRUE;
}

gboolean
crawl_feature_file (CrawlContext *ctx, CrawlTarget *t, json_t *items, GError **error)
{
  gboolean full = ctx->files == CRAWL_FILES_FULL;
  if (t->kind == CRAWL_TARGET_HOST && !full)
    {
      crawl_target_skip (t, FEATURE, "/", "the host has no image to drift from (--files full "
                         "lists its files)");
      return TRUE;
    }
  g_auto(FileWalk) w = { 0 };
  w.t = t;
  w.items = items;
  runtime_paths_load (&w);
  gboolean drift = t->kind == CRAWL_TARGET_CONTAINER && walk_drift (ctx, &w);
  if (full)
    {
      if (!drift)
        w.store = NULL;   /* nothing merged from an upperdir: walk what is there */
      walk_full (&w);
    }
  return TRUE;
}
