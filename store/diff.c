/* store/diff.c: what changed between two image versions, file by file.
 *
 * Both versions are OSTree trees, so a directory whose tree and metadata
 * checksums match on both sides is identical and never entered: the cost
 * follows the size of the change, not of the image. Content objects carry
 * owner, mode and xattrs in their checksum, so equal checksums mean equal
 * files; timestamps are not part of either, which is why a byte-identical
 * rebuild diffs empty.
 */
#include "store/store-private.h"

#include <string.h>
#include <sys/stat.h>

typedef struct {
  CtrStore *s;
  char **paths;          /* filters: absolute paths, or NULL for all */
  gboolean details;
  GPtrArray *out;
  GCancellable *cancellable;
} Diff;

typedef struct {
  const char *name;
  gboolean dir;
  char csum[65];         /* file: content; dir: dirtree */
  char meta[65];         /* dir: dirmeta */
} Entry;

void
store_diff_entry_free (StoreDiffEntry *e)
{
  if (!e)
    return;
  g_free (e->path);
  g_free (e->old_target);
  g_free (e->new_target);
  g_free (e->old_checksum);
  g_free (e->new_checksum);
  g_free (e);
}

/* Does path lie under a filter, or is it on the way to one? */
static gboolean
wanted (Diff *d, const char *path, gboolean descend)
{
  if (!d->paths)
    return TRUE;
  for (char **f = d->paths; *f; f++)
    {
      gsize n = strlen (*f);
      if (g_str_equal (*f, "/") || (strncmp (path, *f, n) == 0 && (path[n] == '\0' || path[n] == '/')))
        return TRUE;
      gsize m = strlen (path);
      if (descend && (m == 1 || (strncmp (*f, path, m) == 0 && (*f)[m] == '/')))
        return TRUE;
    }
  return FALSE;
}

static GArray *
load_dirtree (Diff *d, const char *csum, GVariant **keep, GError **error)
{
  GArray *out = g_array_new (FALSE, TRUE, sizeof (Entry));
  if (!csum)
    return out;
  if (!ostree_repo_load_variant (d->s->repo, OSTREE_OBJECT_TYPE_DIR_TREE, csum, keep, error))
    {
      g_array_unref (out);
      return NULL;
    }
  g_autoptr(GVariant) files = g_variant_get_child_value (*keep, 0);
  g_autoptr(GVariant) dirs = g_variant_get_child_value (*keep, 1);
  gsize nf = g_variant_n_children (files), nd = g_variant_n_children (dirs);
  gsize i = 0, j = 0;
  /* Both lists are sorted by name; merge them into one. */
  while (i < nf || j < nd)
    {
      Entry e = { 0 };
      const char *fname = NULL, *dname = NULL;
      g_autoptr(GVariant) fcs = NULL, dcs = NULL, dms = NULL;
      if (i < nf)
        g_variant_get_child (files, i, "(&s@ay)", &fname, &fcs);
      if (j < nd)
        g_variant_get_child (dirs, j, "(&s@ay@ay)", &dname, &dcs, &dms);
      if (fname && (!dname || strcmp (fname, dname) < 0))
        {
          e.name = fname;
          ostree_checksum_inplace_from_bytes (ostree_checksum_bytes_peek (fcs), e.csum);
          i++;
        }
      else
        {
          e.name = dname;
          e.dir = TRUE;
          ostree_checksum_inplace_from_bytes (ostree_checksum_bytes_peek (dcs), e.csum);
          ostree_checksum_inplace_from_bytes (ostree_checksum_bytes_peek (dms), e.meta);
          j++;
        }
      g_array_append_val (out, e);
    }
  return out;
}

static char *
join (const char *dir, const char *name)
{
  return g_str_equal (dir, "/") ? g_strconcat ("/", name, NULL) : g_strconcat (dir, "/", name, NULL);
}

static gboolean
file_info (Diff *d, const char *csum, GFileInfo **info, GVariant **xattrs, GError **error)
{
  return ostree_repo_load_file (d->s->repo, csum, NULL, info, xattrs, d->cancellable, error);
}

static gboolean
dirmeta (Diff *d, const char *csum, guint32 *uid, guint32 *gid, guint32 *mode, GVariant **xattrs,
         GError **error)
{
  g_autoptr(GVariant) v = NULL;
  if (!ostree_repo_load_variant (d->s->repo, OSTREE_OBJECT_TYPE_DIR_META, csum, &v, error))
    return FALSE;
  g_variant_get (v, "(uuu@a(ayay))", uid, gid, mode, xattrs);
  *uid = GUINT32_FROM_BE (*uid);
  *gid = GUINT32_FROM_BE (*gid);
  *mode = GUINT32_FROM_BE (*mode);
  return TRUE;
}

static StoreDiffEntry *
entry_new (char status, const char *path)
{
  StoreDiffEntry *e = g_new0 (StoreDiffEntry, 1);
  e->status = status;
  e->path = g_strdup (path);
  return e;
}

/* Fills one side of an entry from a content object. */
static gboolean
fill_side (Diff *d, StoreDiffEntry *e, gboolean new_side, const char *csum, GVariant **xattrs_out,
           GError **error)
{
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GVariant) xattrs = NULL;
  if (!file_info (d, csum, &info, &xattrs, error))
    return FALSE;
  guint32 mode = g_file_info_get_attribute_uint32 (info, "unix::mode");
  guint32 uid = g_file_info_get_attribute_uint32 (info, "unix::uid");
  guint32 gid = g_file_info_get_attribute_uint32 (info, "unix::gid");
  guint64 size = S_ISREG (mode) ? (guint64) g_file_info_get_size (info) : 0;
  char *target = S_ISLNK (mode) ? g_strdup (g_file_info_get_symlink_target (info)) : NULL;
  if (new_side)
    e->new_mode = mode, e->new_uid = uid, e->new_gid = gid, e->new_size = size,
    e->new_target = target, e->new_checksum = g_strdup (csum);
  else
    e->old_mode = mode, e->old_uid = uid, e->old_gid = gid, e->old_size = size,
    e->old_target = target, e->old_checksum = g_strdup (csum);
  if (xattrs_out)
    *xattrs_out = g_steal_pointer (&xattrs);
  return TRUE;
}

/* Every non-directory path under a tree (an empty directory stands for
 * itself), as git lists an added or deleted directory. */
static gboolean
expand (Diff *d, char status, const char *path, const Entry *ent, GError **error)
{
  if (!ent->dir)
    {
      if (!wanted (d, path, FALSE))
        return TRUE;
      StoreDiffEntry *e = entry_new (status, path);
      g_ptr_array_add (d->out, e);
      if (!d->details)
        {
          /* the checksum is at hand; the attributes cost a read */
          if (status == 'A')
            e->new_checksum = g_strdup (ent->csum);
          else
            e->old_checksum = g_strdup (ent->csum);
          return TRUE;
        }
      return fill_side (d, e, status == 'A', ent->csum, NULL, error);
    }
  g_autoptr(GVariant) keep = NULL;
  g_autoptr(GArray) kids = load_dirtree (d, ent->csum, &keep, error);
  if (!kids)
    return FALSE;
  if (kids->len == 0)
    {
      if (wanted (d, path, FALSE))
        {
          StoreDiffEntry *e = entry_new (status, path);
          e->is_dir = TRUE;
          guint32 uid = 0, gid = 0, mode = 040755;
          g_autoptr(GVariant) x = NULL;
          if (d->details && !dirmeta (d, ent->meta, &uid, &gid, &mode, &x, error))
            return FALSE;
          if (status == 'A')
            e->new_mode = mode, e->new_uid = uid, e->new_gid = gid;
          else
            e->old_mode = mode, e->old_uid = uid, e->old_gid = gid;
          g_ptr_array_add (d->out, e);
        }
      return TRUE;
    }
  for (guint i = 0; i < kids->len; i++)
    {
      const Entry *k = &g_array_index (kids, Entry, i);
      g_autofree char *p = join (path, k->name);
      if (wanted (d, p, TRUE) && !expand (d, status, p, k, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
diff_files (Diff *d, const char *path, const Entry *a, const Entry *b, GError **error)
{
  if (!wanted (d, path, FALSE))
    return TRUE;
  g_autoptr(StoreDiffEntry) e = entry_new ('M', path);
  g_autoptr(GVariant) xa = NULL, xb = NULL;
  if (!fill_side (d, e, FALSE, a->csum, &xa, error) || !fill_side (d, e, TRUE, b->csum, &xb, error))
    return FALSE;
  if ((e->old_mode & S_IFMT) != (e->new_mode & S_IFMT))
    {
      e->status = 'T';
      g_ptr_array_add (d->out, g_steal_pointer (&e));
      return TRUE;
    }
  e->mode = (e->old_mode & 07777) != (e->new_mode & 07777);
  e->owner = e->old_uid != e->new_uid || e->old_gid != e->new_gid;
  e->xattrs = !g_variant_equal (xa, xb);
  e->target = g_strcmp0 (e->old_target, e->new_target) != 0;
  if (S_ISREG (e->new_mode))
    {
      if (e->old_size != e->new_size || !(e->mode || e->owner || e->xattrs))
        e->content = TRUE;   /* same attributes and another checksum: the bytes differ */
      else
        {
          /* Attributes changed, sizes equal: compare the bytes themselves. */
          g_autoptr(GInputStream) ia = NULL, ib = NULL;
          if (!ostree_repo_load_file (d->s->repo, a->csum, &ia, NULL, NULL, d->cancellable, error)
              || !ostree_repo_load_file (d->s->repo, b->csum, &ib, NULL, NULL, d->cancellable, error))
            return FALSE;
          guint8 ba[65536], bb[65536];
          for (;;)
            {
              gsize na, nb;
              if (!g_input_stream_read_all (ia, ba, sizeof ba, &na, d->cancellable, error)
                  || !g_input_stream_read_all (ib, bb, sizeof bb, &nb, d->cancellable, error))
                return FALSE;
              if (na != nb || memcmp (ba, bb, na) != 0)
                {
                  e->content = TRUE;
                  break;
                }
              if (na == 0)
                break;
            }
        }
    }
  g_ptr_array_add (d->out, g_steal_pointer (&e));
  return TRUE;
}

static gboolean
diff_dirmeta (Diff *d, const char *path, const char *ma, const char *mb, GError **error)
{
  if (!wanted (d, path, FALSE))
    return TRUE;
  g_autoptr(StoreDiffEntry) e = entry_new ('M', path);
  e->is_dir = TRUE;
  g_autoptr(GVariant) xa = NULL, xb = NULL;
  if (!dirmeta (d, ma, &e->old_uid, &e->old_gid, &e->old_mode, &xa, error)
      || !dirmeta (d, mb, &e->new_uid, &e->new_gid, &e->new_mode, &xb, error))
    return FALSE;
  e->mode = e->old_mode != e->new_mode;
  e->owner = e->old_uid != e->new_uid || e->old_gid != e->new_gid;
  e->xattrs = !g_variant_equal (xa, xb);
  g_ptr_array_add (d->out, g_steal_pointer (&e));
  return TRUE;
}

static gboolean
diff_trees (Diff *d, const char *path, const char *ta, const char *tb, GError **error)
{
  g_autoptr(GVariant) ka = NULL, kb = NULL;
  g_autoptr(GArray) ea = load_dirtree (d, ta, &ka, error);
  if (!ea)
    return FALSE;
  g_autoptr(GArray) eb = load_dirtree (d, tb, &kb, error);
  if (!eb)
    return FALSE;
  guint i = 0, j = 0;
  while (i < ea->len || j < eb->len)
    {
      const Entry *a = i < ea->len ? &g_array_index (ea, Entry, i) : NULL;
      const Entry *b = j < eb->len ? &g_array_index (eb, Entry, j) : NULL;
      int cmp = !a ? 1 : !b ? -1 : strcmp (a->name, b->name);
      g_autofree char *p = join (path, cmp <= 0 ? a->name : b->name);
      gboolean ok = TRUE;
      if (!wanted (d, p, TRUE))
        ;
      else if (cmp < 0)
        ok = expand (d, 'D', p, a, error);
      else if (cmp > 0)
        ok = expand (d, 'A', p, b, error);
      else if (a->dir != b->dir)
        ok = expand (d, 'D', p, a, error) && expand (d, 'A', p, b, error);
      else if (!a->dir)
        ok = g_str_equal (a->csum, b->csum) || diff_files (d, p, a, b, error);
      else
        {
          if (!g_str_equal (a->meta, b->meta))
            ok = diff_dirmeta (d, p, a->meta, b->meta, error);
          /* Equal tree checksums: equal subtrees, skipped whole. */
          if (ok && !g_str_equal (a->csum, b->csum))
            ok = diff_trees (d, p, a->csum, b->csum, error);
        }
      if (!ok)
        return FALSE;
      if (cmp <= 0)
        i++;
      if (cmp >= 0)
        j++;
    }
  return TRUE;
}

static gint
entry_cmp (gconstpointer x, gconstpointer y)
{
  const StoreDiffEntry *a = *(StoreDiffEntry * const *) x, *b = *(StoreDiffEntry * const *) y;
  int c = strcmp (a->path, b->path);
  /* dir -> file: the deletions under it come before the addition */
  return c ? c : (a->status == 'D' ? -1 : b->status == 'D' ? 1 : 0);
}

static gboolean
commit_root (CtrStore *s, const char *commit, char tree[65], char meta[65], GError **error)
{
  g_autoptr(GVariant) cv = NULL;
  if (!ostree_repo_load_variant (s->repo, OSTREE_OBJECT_TYPE_COMMIT, commit, &cv, error))
    return FALSE;
  g_autoptr(GVariant) t = g_variant_get_child_value (cv, 6);
  g_autoptr(GVariant) m = g_variant_get_child_value (cv, 7);
  ostree_checksum_inplace_from_bytes (ostree_checksum_bytes_peek (t), tree);
  ostree_checksum_inplace_from_bytes (ostree_checksum_bytes_peek (m), meta);
  return TRUE;
}

gboolean
store_diff (CtrStore *s, const char *commit_a, const char *commit_b, char **paths,
            StoreDiffFlags flags, GPtrArray **out, GCancellable *cancellable, GError **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) store_diff_entry_free);
  Diff d = { s, paths, flags & STORE_DIFF_DETAILS, entries, cancellable };
  char ta[65], ma[65], tb[65], mb[65];
  if (!commit_root (s, commit_a, ta, ma, error) || !commit_root (s, commit_b, tb, mb, error))
    return FALSE;
  if (!g_str_equal (ma, mb) && !diff_dirmeta (&d, "/", ma, mb, error))
    return FALSE;
  if (!g_str_equal (ta, tb) && !diff_trees (&d, "/", ta, tb, error))
    return FALSE;
  g_ptr_array_sort (entries, entry_cmp);
  *out = g_steal_pointer (&entries);
  return TRUE;
}
