/* store/recover.c: objects an interrupted import may have left unsound.
 *
 * In bare-user stores an import links each content object and dirtree
 * into repo/objects as soon as it is written (store/object-writer.c,
 * store/tree-write.c), and the syncs that make them durable come at its
 * end. If the machine goes down before them, an object's name can survive
 * while its data does not (an empty or short file), and a later import,
 * finding the name, would trust it. So an import first leaves a mark on
 * disk, and takes it away once its objects are synced (committed, or
 * synced after a failure). An import that finds a mark left behind checks
 * every object changed since the mark was made and removes those whose
 * bytes do not hash to their name; the import then writes them again. A killed process leaves the mark too: its objects
 * pass the check, which costs a stat per object of the store.
 */
#include "store/store-private.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define IMPORT_MARK "import-unfinished"

static gboolean
changed_since (const struct stat *st, const struct timespec *since)
{
  return st->st_ctim.tv_sec > since->tv_sec
         || (st->st_ctim.tv_sec == since->tv_sec && st->st_ctim.tv_nsec >= since->tv_nsec);
}

/* The type of the objects an import writes itself, by file name. */
static gboolean
direct_object_type (const char *name, OstreeObjectType *out)
{
  gsize len = strlen (name);
  if (len == 62 + 5 && g_str_has_suffix (name, ".file"))
    *out = OSTREE_OBJECT_TYPE_FILE;
  else if (len == 62 + 8 && g_str_has_suffix (name, ".dirtree"))
    *out = OSTREE_OBJECT_TYPE_DIR_TREE;
  else
    return FALSE;
  return TRUE;
}

/* Checks the objects an import writes itself in one objects/XX directory,
 * those changed since `since`; removes the unsound ones. */
static gboolean
check_dir (CtrStore *s, int objects_dfd, const char *prefix, const struct timespec *since,
           guint *removed, GError **error)
{
  int dfd = openat (objects_dfd, prefix, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return oci_throw_errno (error, "objects/%s", prefix);
  DIR *d = fdopendir (dfd);
  if (!d)
    return close (dfd), oci_throw_errno (error, "objects/%s", prefix);
  struct dirent *de;
  gboolean ok = TRUE;
  while (ok && (de = readdir (d)))
    {
      OstreeObjectType type;
      struct stat st;
      if (!direct_object_type (de->d_name, &type)
          || fstatat (dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !changed_since (&st, since))
        continue;
      char checksum[65];
      memcpy (checksum, prefix, 2);
      memcpy (checksum + 2, de->d_name, 62);
      checksum[64] = '\0';
      g_autoptr(GError) bad = NULL;
      if (ostree_repo_fsck_object (s->repo, type, checksum, NULL, &bad))
        continue;
      if (unlinkat (dfd, de->d_name, 0) < 0)
        ok = oci_throw_errno (error, "removing unsound object %s", checksum);
      else
        (*removed)++;
    }
  closedir (d);
  return ok;
}

static gboolean
recover (CtrStore *s, const struct timespec *since, GError **error)
{
  int objects_dfd = openat (ostree_repo_get_dfd (s->repo), "objects",
                            O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (objects_dfd < 0)
    return oci_throw_errno (error, "repo/objects");
  guint removed = 0;
  gboolean ok = TRUE;
  for (guint i = 0; ok && i < 256; i++)
    {
      char prefix[4];
      snprintf (prefix, sizeof prefix, "%02x", i);
      /* A directory not changed since the mark got no new object. */
      struct stat st;
      if (fstatat (objects_dfd, prefix, &st, 0) == 0 && changed_since (&st, since))
        ok = check_dir (s, objects_dfd, prefix, since, &removed, error);
    }
  close (objects_dfd);
  if (removed)
    g_debug ("an unfinished import had left %u unsound objects; removed", removed);
  return ok;
}

gboolean
store_import_mark (CtrStore *s, GError **error)
{
  if (ostree_repo_get_mode (s->repo) != OSTREE_REPO_MODE_BARE_USER)
    return TRUE;   /* libostree stages and syncs every object itself */
  struct stat st;
  if (fstatat (s->dfd, IMPORT_MARK, &st, 0) == 0 && !recover (s, &st.st_mtim, error))
    return g_prefix_error (error, "checking what an unfinished import left: "), FALSE;
  int fd = openat (s->dfd, IMPORT_MARK, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return oci_throw_errno (error, "%s/%s", s->path, IMPORT_MARK);
  /* The mark must be on disk before any object it covers. */
  gboolean ok = fsync (fd) == 0 && fsync (s->dfd) == 0;
  close (fd);
  if (!ok)
    return oci_throw_errno (error, "syncing %s/%s", s->path, IMPORT_MARK);
  return TRUE;
}

void
store_import_unmark (CtrStore *s, gboolean synced)
{
  if (ostree_repo_get_mode (s->repo) != OSTREE_REPO_MODE_BARE_USER)
    return;
  if (!synced && !ostree_repo_get_disable_fsync (s->repo) && syncfs (s->dfd) < 0)
    return;   /* keep the mark: the next import checks */
  unlinkat (s->dfd, IMPORT_MARK, 0);
}
