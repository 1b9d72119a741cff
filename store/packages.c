/* store/packages.c: the package databases inside images.
 *
 * dpkg's status file and apk's installed file are text; rpm keeps headers
 * in a SQLite database (Packages.blob), read through libsqlite3 on a
 * private copy with the header blob parsed here. A database we do not know
 * is reported as such, never guessed at.
 */
#include "store/store-private.h"

#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#define PKGDB_MAX (256 * 1024 * 1024)

void
store_package_free (StorePackage *p)
{
  if (!p)
    return;
  g_free (p->name);
  g_free (p->version);
  g_free (p->arch);
  g_free (p);
}

static void
add_package (GHashTable *into, const char *name, const char *version, const char *arch)
{
  if (!name || !*name)
    return;
  StorePackage *p = g_new0 (StorePackage, 1);
  p->name = g_strdup (name);
  p->version = g_strdup (version ? version : "");
  p->arch = g_strdup (arch ? arch : "");
  /* name:arch, as dpkg tells multi-arch packages apart */
  g_hash_table_replace (into, g_strdup_printf ("%s:%s", p->name, p->arch), p);
}

/* dpkg status: paragraphs of "Field: value"; only installed packages. */
void
store_packages_parse_dpkg (const char *buf, gsize len, GHashTable *into)
{
  g_autofree char *text = g_strndup (buf, len);
  g_auto(GStrv) paras = g_strsplit (text, "\n\n", -1);
  for (char **para = paras; *para; para++)
    {
      g_autofree char *name = NULL, *version = NULL, *arch = NULL, *status = NULL;
      g_auto(GStrv) lines = g_strsplit (*para, "\n", -1);
      for (char **l = lines; *l; l++)
        {
          char **field = g_str_has_prefix (*l, "Package: ") ? &name
                         : g_str_has_prefix (*l, "Version: ") ? &version
                         : g_str_has_prefix (*l, "Architecture: ") ? &arch
                         : g_str_has_prefix (*l, "Status: ") ? &status : NULL;
          if (field)
            {
              g_free (*field);
              *field = g_strstrip (g_strdup (strchr (*l, ':') + 1));
            }
        }
      if (status && g_str_has_suffix (status, " installed"))
        add_package (into, name, version, arch);
    }
}

/* apk installed: "P:name", "V:version", "A:arch" lines, blank-line separated. */
void
store_packages_parse_apk (const char *buf, gsize len, GHashTable *into)
{
  g_autofree char *text = g_strndup (buf, len);
  g_autofree char *name = NULL, *version = NULL, *arch = NULL;
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  for (char **l = lines;; l++)
    {
      if (!*l || !**l)
        {
          add_package (into, name, version, arch);
          g_clear_pointer (&name, g_free);
          g_clear_pointer (&version, g_free);
          g_clear_pointer (&arch, g_free);
          if (!*l)
            break;
          continue;
        }
      if ((*l)[1] != ':')
        continue;
      char **field = (*l)[0] == 'P' ? &name : (*l)[0] == 'V' ? &version : (*l)[0] == 'A' ? &arch : NULL;
      if (field)
        {
          g_free (*field);
          *field = g_strdup (*l + 2);
        }
    }
}

static guint32
be32 (const guint8 *p)
{
  guint32 v;
  memcpy (&v, p, 4);   /* blobs need not be aligned */
  return GUINT32_FROM_BE (v);
}

/* An rpm header blob: il, dl (big-endian int32), il index entries of
 * (tag, type, offset, count), then dl bytes of data. Returns the data of
 * tag, its type and how many data bytes follow it; NULL if absent or out
 * of bounds. */
static const guint8 *
rpm_tag (const guint8 *blob, gsize len, guint32 want, guint32 *type, gsize *avail)
{
  if (len < 8)
    return NULL;
  guint32 il = be32 (blob), dl = be32 (blob + 4);
  if (il > 100000 || (guint64) 8 + (guint64) il * 16 + dl > len)
    return NULL;
  const guint8 *data = blob + 8 + (gsize) il * 16;
  for (guint32 i = 0; i < il; i++)
    {
      const guint8 *e = blob + 8 + (gsize) i * 16;
      guint32 off = be32 (e + 8);
      if (be32 (e) != want || off >= dl)
        continue;
      *type = be32 (e + 4);
      *avail = dl - off;
      return data + off;
    }
  return NULL;
}

static const char *
rpm_string (const guint8 *blob, gsize len, guint32 tag)
{
  guint32 type;
  gsize avail;
  const guint8 *d = rpm_tag (blob, len, tag, &type, &avail);
  /* STRING (6) or I18NSTRING (9), NUL-terminated inside the data */
  return d && (type == 6 || type == 9) && memchr (d, 0, avail) ? (const char *) d : NULL;
}

static gboolean
rpm_int32 (const guint8 *blob, gsize len, guint32 tag, guint32 *out)
{
  guint32 type;
  gsize avail;
  const guint8 *d = rpm_tag (blob, len, tag, &type, &avail);
  if (!d || type != 4 || avail < 4)   /* INT32 */
    return FALSE;
  *out = be32 (d);
  return TRUE;
}

gboolean
store_packages_parse_rpm_sqlite (const char *path, GHashTable *into, GError **error)
{
  sqlite3 *db = NULL;
  g_autofree char *uri = g_strdup_printf ("file:%s?immutable=1", path);
  if (sqlite3_open_v2 (uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) != SQLITE_OK)
    {
      g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID, "rpm database: %s", sqlite3_errmsg (db));
      sqlite3_close (db);
      return FALSE;
    }
  sqlite3_stmt *st = NULL;
  gboolean ok = sqlite3_prepare_v2 (db, "SELECT blob FROM Packages", -1, &st, NULL) == SQLITE_OK;
  while (ok)
    {
      int rc = sqlite3_step (st);
      if (rc == SQLITE_DONE)
        break;
      if (rc != SQLITE_ROW)
        {
          ok = FALSE;
          break;
        }
      const guint8 *blob = sqlite3_column_blob (st, 0);
      gsize len = sqlite3_column_bytes (st, 0);
      const char *name = rpm_string (blob, len, 1000), *ver = rpm_string (blob, len, 1001);
      const char *rel = rpm_string (blob, len, 1002), *arch = rpm_string (blob, len, 1022);
      guint32 epoch = 0;
      gboolean has_epoch = rpm_int32 (blob, len, 1003, &epoch);
      if (!name || !ver)
        continue;
      g_autofree char *evr = has_epoch ? g_strdup_printf ("%u:%s%s%s", epoch, ver, rel ? "-" : "", rel ? rel : "")
                                       : g_strdup_printf ("%s%s%s", ver, rel ? "-" : "", rel ? rel : "");
      add_package (into, name, evr, arch);
    }
  if (!ok)
    g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID, "rpm database: %s", sqlite3_errmsg (db));
  sqlite3_finalize (st);
  sqlite3_close (db);
  return ok;
}

static const StorePackageDb databases[] = {
  { "dpkg", "/var/lib/dpkg/status" },
  { "apk", "/lib/apk/db/installed" },
  { "rpm", "/var/lib/rpm/rpmdb.sqlite" },
  { "rpm", "/usr/lib/sysimage/rpm/rpmdb.sqlite" },
};

const StorePackageDb *
store_package_databases (gsize *n)
{
  *n = G_N_ELEMENTS (databases);
  return databases;
}

/* Older rpm databases (Berkeley DB, ndb): present, but not read. */
static const char *unknown_databases[] = {
  "/var/lib/rpm/Packages", "/var/lib/rpm/Packages.db", "/usr/lib/sysimage/rpm/Packages.db",
};

gboolean
store_packages_read (CtrStore *s, const char *commit, char **out_format, GHashTable **out,
                     GError **error)
{
  g_autoptr(GHashTable) pkgs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                      (GDestroyNotify) store_package_free);
  for (guint i = 0; i < G_N_ELEMENTS (databases); i++)
    {
      g_auto(StoreNode) node = { 0 };
      if (!store_tree_lookup (s, commit, databases[i].path, TRUE, &node, NULL) || node.is_dir)
        continue;
      g_autoptr(GBytes) data = store_object_read (s, node.checksum, PKGDB_MAX, error);
      if (!data)
        return g_prefix_error (error, "%s: ", databases[i].path), FALSE;
      gsize len;
      const char *buf = g_bytes_get_data (data, &len);
      const char *format = databases[i].format;
      if (g_str_equal (format, "dpkg"))
        store_packages_parse_dpkg (buf, len, pkgs);
      else if (g_str_equal (format, "apk"))
        store_packages_parse_apk (buf, len, pkgs);
      else
        {
          /* SQLite wants a file: a private copy, removed right after. */
          g_autofree char *tmp = g_build_filename (g_get_tmp_dir (), "ctrgit-rpmdb-XXXXXX", NULL);
          int fd = g_mkstemp (tmp);
          if (fd < 0)
            return oci_throw_errno (error, "temporary file");
          gboolean ok = write (fd, buf, len) == (gssize) len;
          close (fd);
          if (ok)
            ok = store_packages_parse_rpm_sqlite (tmp, pkgs, error);
          else
            oci_throw_errno (error, "writing %s", tmp);
          unlink (tmp);
          if (!ok)
            return g_prefix_error (error, "%s: ", databases[i].path), FALSE;
        }
      *out_format = g_strdup (format);
      *out = g_steal_pointer (&pkgs);
      return TRUE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (unknown_databases); i++)
    {
      g_auto(StoreNode) node = { 0 };
      if (store_tree_lookup (s, commit, unknown_databases[i], TRUE, &node, NULL))
        return g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID,
                            "%s: a package database in a format ctrgit does not read "
                            "(Berkeley DB or ndb rpm)", unknown_databases[i]), FALSE;
    }
  return g_set_error (error, STORE_ERROR, STORE_ERROR_NOT_FOUND,
                      "no package database (dpkg, apk or rpm sqlite) in the image"), FALSE;
}
