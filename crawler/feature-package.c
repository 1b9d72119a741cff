/* crawler/feature-package.c: installed packages and what the container
 * changed of them since its image.
 *
 * The container's database is read through its root (crawl_root_open, so a
 * hostile symlink cannot point it at the host's); the image's from the
 * store when the container is linked to its image version, else from the
 * lowerdir stack. Parsers are store/packages.c's, so a package is keyed
 * "name:arch" the same way on both sides and in `ctrgit diff`.
 *
 * A database that cannot be read (too large, binary junk where text
 * belongs, a corrupt rpm sqlite) is a skipped item of the frame; the other
 * features and containers go on.
 */
#include "crawler/feature-package.h"
#include "crawler/overlay.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define FEATURE "package"


/* --- version order --------------------------------------------------------- */

/* dpkg: letters sort before non-letters, '~' before everything, even the
 * end of the string. */
static int
dpkg_order (char c)
{
  if (g_ascii_isdigit (c))
    return 0;
  if (g_ascii_isalpha (c))
    return c;
  if (c == '~')
    return -1;
  return c ? c + 256 : 0;
}

static int
dpkg_part_cmp (const char *a, const char *b)
{
  while (*a || *b)
    {
      while ((*a && !g_ascii_isdigit (*a)) || (*b && !g_ascii_isdigit (*b)))
        {
          int d = dpkg_order (*a) - dpkg_order (*b);
          if (d)
            return d;
          if (*a)
            a++;
          if (*b)
            b++;
        }
      while (*a == '0')
        a++;
      while (*b == '0')
        b++;
      int first = 0;
      while (g_ascii_isdigit (*a) && g_ascii_isdigit (*b))
        {
          if (!first)
            first = *a - *b;
          a++;
          b++;
        }
      if (g_ascii_isdigit (*a))
        return 1;
      if (g_ascii_isdigit (*b))
        return -1;
      if (first)
        return first;
    }
  return 0;
}

/* Splits "E:V-R": epoch (0 if none), version, release ("" if none). */
static void
evr_split (const char *s, guint64 *epoch, char **version, char **release)
{
  const char *colon = strchr (s, ':');
  *epoch = 0;
  if (colon)
    {
      *epoch = g_ascii_strtoull (s, NULL, 10);
      s = colon + 1;
    }
  const char *dash = strrchr (s, '-');
  *version = dash ? g_strndup (s, dash - s) : g_strdup (s);
  *release = g_strdup (dash ? dash + 1 : "");
}

/* rpm: alphanumeric segments compared in turn, numbers as numbers; '~'
 * sorts before anything, '^' after the end but before anything else. */
static int
rpm_segments_cmp (const char *a, const char *b)
{
  for (;;)
    {
      while (*a && !g_ascii_isalnum (*a) && *a != '~' && *a != '^')
        a++;
      while (*b && !g_ascii_isalnum (*b) && *b != '~' && *b != '^')
        b++;
      if (*a == '~' || *b == '~')
        {
          if (*a != '~')
            return 1;
          if (*b != '~')
            return -1;
          a++, b++;
          continue;
        }
      if (*a == '^' || *b == '^')
        {
          if (!*a)
            return -1;
          if (!*b)
            return 1;
          if (*a != '^')
            return 1;
          if (*b != '^')
            return -1;
          a++, b++;
          continue;
        }
      if (!*a || !*b)
        break;
      gboolean num = g_ascii_isdigit (*a);
      const char *sa = a, *sb = b;
      while (*a && (num ? g_ascii_isdigit (*a) : g_ascii_isalpha (*a)))
        a++;
      while (*b && (num ? g_ascii_isdigit (*b) : g_ascii_isalpha (*b)))
        b++;
      if (b == sb)
        return num ? 1 : -1;   /* a number is newer than letters */
      if (num)
        {
          while (*sa == '0' && sa < a)
            sa++;
          while (*sb == '0' && sb < b)
            sb++;
          if ((a - sa) != (b - sb))
            return (a - sa) > (b - sb) ? 1 : -1;
        }
      gsize la = a - sa, lb = b - sb;
      int d = memcmp (sa, sb, MIN (la, lb));
      if (d)
        return d;
      if (la != lb)
        return la > lb ? 1 : -1;
    }
  if (!*a && !*b)
    return 0;
  return *a ? 1 : -1;
}

int
crawl_package_version_cmp (const char *format, const char *a, const char *b)
{
  if (g_str_equal (a, b))
    return 0;
  gboolean dpkg = g_str_equal (format, "dpkg");
  if (!dpkg && !g_str_equal (format, "rpm"))
    return 1;
  guint64 ea, eb;
  g_autofree char *va = NULL, *ra = NULL, *vb = NULL, *rb = NULL;
  evr_split (a, &ea, &va, &ra);
  evr_split (b, &eb, &vb, &rb);
  if (ea != eb)
    return ea > eb ? 1 : -1;
  int (*cmp) (const char *, const char *) = dpkg ? dpkg_part_cmp : rpm_segments_cmp;
  int d = cmp (va, vb);
  return d ? d : cmp (ra, rb);
}

/* --- items ------------------------------------------------------------------ */

static json_t *
package_item (const char *format, const StorePackage *p, const char *change,
              const char *image_version)
{
  json_t *o = json_object ();
  json_object_set_new (o, "name", crawl_json_string (p->name, -1));
  json_object_set_new (o, "version", crawl_json_string (p->version, -1));
  json_object_set_new (o, "arch", crawl_json_string (p->arch, -1));
  json_object_set_new (o, "format", json_string (format));
  json_object_set_new (o, "change", change ? json_string (change) : json_null ());
  json_object_set_new (o, "image_version",
                       image_version ? crawl_json_string (image_version, -1) : json_null ());
  return o;
}

static void
add_item (json_t *items, const char *key, json_t *item)
{
  g_autoptr(json_t) k = crawl_json_string (key, -1);
  json_object_set_new (items, json_string_value (k), item);
}

static GPtrArray *
sorted_keys (GHashTable *h)
{
  GPtrArray *keys = g_ptr_array_new ();
  GHashTableIter it;
  gpointer k;
  g_hash_table_iter_init (&it, h);
  while (g_hash_table_iter_next (&it, &k, NULL))
    g_ptr_array_add (keys, k);
  g_ptr_array_sort (keys, crawl_overlay_cmp_names);
  return keys;
}

void
crawl_package_items (const char *format, GHashTable *now, GHashTable *image, json_t *items)
{
  g_autoptr(GPtrArray) keys = sorted_keys (now);
  for (guint i = 0; i < keys->len; i++)
    {
      const StorePackage *p = g_hash_table_lookup (now, keys->pdata[i]);
      const StorePackage *old = image ? g_hash_table_lookup (image, keys->pdata[i]) : NULL;
      const char *change = NULL;
      if (image && !old)
        change = "added";
      else if (old && !g_str_equal (old->version, p->version))
        {
          int d = crawl_package_version_cmp (format, p->version, old->version);
          change = !g_str_equal (format, "dpkg") && !g_str_equal (format, "rpm")
                       ? "version_changed" : d > 0 ? "upgraded" : "downgraded";
        }
      add_item (items, keys->pdata[i],
                package_item (format, p, change, change && old ? old->version : NULL));
    }
  if (!image)
    return;
  g_autoptr(GPtrArray) gone = sorted_keys (image);
  for (guint i = 0; i < gone->len; i++)
    if (!g_hash_table_contains (now, gone->pdata[i]))
      {
        const StorePackage *old = g_hash_table_lookup (image, gone->pdata[i]);
        add_item (items, gone->pdata[i], package_item (format, old, "removed", old->version));
      }
}

/* --- reading databases ------------------------------------------------------ */

static GHashTable *
packages_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                (GDestroyNotify) store_package_free);
}

/* rpm's sqlite needs a file: a private copy, bounded by CRAWL_PKGDB_MAX. */
static gboolean
parse_rpm_fd (int fd, GHashTable *into, GError **error)
{
  g_autofree char *tmp = g_build_filename (g_get_tmp_dir (), "ctrgit-crawl-rpmdb-XXXXXX", NULL);
  int out = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0600);
  if (out < 0)
    return oci_throw_errno (error, "temporary file");
  guint64 total = 0;
  gboolean ok = TRUE;
  char buf[65536];
  for (;;)
    {
      ssize_t n = read (fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          if (n < 0)
            ok = oci_throw_errno (error, "read");
          break;
        }
      total += n;
      if (total > CRAWL_PKGDB_MAX)
        {
          ok = FALSE;
          g_set_error (error, OCI_ERROR, OCI_ERROR_LIMIT, "larger than CRAWL_PKGDB_MAX (%u bytes)",
                       CRAWL_PKGDB_MAX);
          break;
        }
      if (write (out, buf, n) != n)
        {
          ok = oci_throw_errno (error, "writing %s", tmp);
          break;
        }
    }
  close (out);
  if (ok)
    ok = store_packages_parse_rpm_sqlite (tmp, into, error);
  unlink (tmp);
  return ok;
}

/* Parses the database open at fd (a regular file, checked here). */
static gboolean
parse_db_fd (const char *format, int fd, GHashTable *into, GError **error)
{
  struct stat st;
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode))
    return g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE, "not a regular file"),
           FALSE;
  if (g_str_equal (format, "rpm"))
    return parse_rpm_fd (fd, into, error);
  g_autofree char *text = NULL;
  gsize len;
  if (!crawl_fd_read (fd, CRAWL_PKGDB_MAX, &text, &len, error))
    return FALSE;
  /* Text databases: a NUL byte means junk, not a database. */
  if (memchr (text, 0, len))
    return g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID,
                        "corrupt: binary data in a text database"), FALSE;
  if (g_str_equal (format, "dpkg"))
    store_packages_parse_dpkg (text, len, into);
  else
    store_packages_parse_apk (text, len, into);
  /* Text with no package paragraph at all is not a database either (a
   * status file with only removed packages still has paragraphs). */
  const char *marker = g_str_equal (format, "dpkg") ? "Package:" : "P:";
  g_strstrip (text);
  if (*text && !strstr (text, marker))
    return g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID,
                        "corrupt: no package paragraph"), FALSE;
  return TRUE;
}

/* The image's packages of the same database: from the store when linked,
 * else the lowerdir stack. NULL (with the reason recorded) if not known;
 * an empty table if the image had no database. */
static GHashTable *
image_packages (CrawlContext *ctx, CrawlTarget *t, const StorePackageDb *db)
{
  g_autoptr(GError) error = NULL;
  if (ctx->store && t->store_commit)
    {
      g_autofree char *format = NULL;
      GHashTable *pkgs = NULL;
      if (store_packages_read (ctx->store, t->store_commit, &format, &pkgs, &error))
        return pkgs;
      if (g_error_matches (error, STORE_ERROR, STORE_ERROR_NOT_FOUND))
        return packages_new ();
      crawl_target_skip (t, FEATURE, "image", error->message);
      return NULL;
    }
  if (!t->lowerdirs)
    return NULL;
  g_autoptr(CrawlLower) lower = crawl_lower_open (t->lowerdirs, &error);
  if (!lower)
    {
      crawl_target_skip (t, FEATURE, "image", error->message);
      return NULL;
    }
  const char *path = db->path;
  g_autoptr(GHashTable) pkgs = packages_new ();
  struct stat st;
  guint layer;
  if (!crawl_lower_stat (lower, path, &st, &layer))
    return g_steal_pointer (&pkgs);
  int fd = crawl_reopen_regular (crawl_lower_open_at (lower, layer, path, O_PATH));
  if (fd < 0)
    oci_throw_errno (&error, "open");
  gboolean ok = fd >= 0 && parse_db_fd (db->format, fd, pkgs, &error);
  if (fd >= 0)
    close (fd);
  if (!ok)
    {
      g_autofree char *why = g_strdup_printf ("the image's %s: %s", path, error->message);
      crawl_target_skip (t, FEATURE, "image", why);
      return NULL;
    }
  return g_steal_pointer (&pkgs);
}

gboolean
crawl_feature_package (CrawlContext *ctx, CrawlTarget *t, json_t *items, GError **error)
{
  gsize n_databases;
  const StorePackageDb *databases = store_package_databases (&n_databases);
  for (gsize i = 0; i < n_databases; i++)
    {
      g_autoptr(GError) local = NULL;
      int fd = crawl_root_open_regular (t, databases[i].path, &local);
      if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
        continue;
      if (fd < 0)
        {
          crawl_target_skip (t, FEATURE, databases[i].path, local->message);
          return TRUE;
        }
      g_autoptr(GHashTable) now = packages_new ();
      gboolean ok = parse_db_fd (databases[i].format, fd, now, &local);
      close (fd);
      if (!ok)
        {
          crawl_target_skip (t, FEATURE, databases[i].path, local->message);
          return TRUE;
        }
      g_autoptr(GHashTable) image = t->kind == CRAWL_TARGET_CONTAINER ? image_packages (ctx, t, &databases[i])
                                                                      : NULL;
      crawl_package_items (databases[i].format, now, image, items);
      return TRUE;
    }
  return TRUE;
}
