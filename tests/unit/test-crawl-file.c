/* The file, package and config features on fake overlay dirs and roots:
 * exact item lists, whiteouts of both kinds, opaque dirs, copy-ups that
 * are not drift, hostile names and symlinks, corrupt databases. Needs
 * root (mknod of 0/0 whiteouts, trusted.* xattrs). */
#include "crawler/feature-package.h"
#include "crawler/overlay.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

static char *tmp;

static void
put (const char *rel, const char *content, guint mode)
{
  g_autofree char *p = g_build_filename (tmp, rel, NULL);
  g_autofree char *d = g_path_get_dirname (p);
  g_assert_cmpint (g_mkdir_with_parents (d, 0755), ==, 0);
  g_assert_true (g_file_set_contents (p, content, -1, NULL));
  g_assert_cmpint (chmod (p, mode), ==, 0);
}

static void
dir (const char *rel, guint mode)
{
  g_autofree char *p = g_build_filename (tmp, rel, NULL);
  g_assert_cmpint (g_mkdir_with_parents (p, 0755), ==, 0);
  g_assert_cmpint (chmod (p, mode), ==, 0);
}

static void
link_ (const char *rel, const char *target)
{
  g_autofree char *p = g_build_filename (tmp, rel, NULL);
  g_autofree char *d = g_path_get_dirname (p);
  g_assert_cmpint (g_mkdir_with_parents (d, 0755), ==, 0);
  g_assert_cmpint (symlink (target, p), ==, 0);
}

static void
whiteout (const char *rel)
{
  g_autofree char *p = g_build_filename (tmp, rel, NULL);
  g_assert_cmpint (mknod (p, S_IFCHR | 0000, makedev (0, 0)), ==, 0);
}

static char *
sha256_hex (const char *s)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, s, -1);
}

static CrawlTarget *
fake_container (void)
{
  CrawlTarget *t = g_new0 (CrawlTarget, 1);
  t->kind = CRAWL_TARGET_CONTAINER;
  t->id = g_strdup ("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
  t->proc = g_build_filename (tmp, "proc", NULL);
  t->pid = 42;
  t->root_fd = -1;
  return t;
}

/* The file feature on a fake container with upperdir tmp/u over the given
 * lower layers (top first, under tmp): its items, no store. */
static json_t *
crawl_upper (CrawlTarget **out_t, const char *const *lowers)
{
  CrawlTarget *t = fake_container ();
  t->upperdir = g_build_filename (tmp, "u", NULL);
  t->lowerdirs = g_new0 (char *, g_strv_length ((char **) lowers) + 1);
  for (guint i = 0; lowers[i]; i++)
    t->lowerdirs[i] = g_build_filename (tmp, lowers[i], NULL);
  CrawlContext ctx = { 0 };
  json_t *items = json_object ();
  g_autoptr(GError) error = NULL;
  g_assert_true (crawl_feature_file (&ctx, t, items, &error));
  g_assert_no_error (error);
  *out_t = t;
  return items;
}

/* A container whose root is tmp/r, opened as discovery opens /proc/PID/root. */
static CrawlTarget *
fake_rooted (void)
{
  CrawlTarget *t = fake_container ();
  g_autofree char *root = g_build_filename (tmp, "r", NULL);
  t->root_fd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  g_assert_cmpint (t->root_fd, >=, 0);
  return t;
}

static gboolean
need_root (void)
{
  if (geteuid () == 0)
    return TRUE;
  g_test_skip ("needs root: mknod of 0/0 whiteouts, trusted.* xattrs");
  return FALSE;
}

static void
setup (void)
{
  tmp = g_dir_make_tmp ("ctrgit-crawl-file-XXXXXX", NULL);
  g_assert_nonnull (tmp);
}

static void
teardown (void)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf %s", tmp);
  g_assert_true (g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL));
  g_clear_pointer (&tmp, g_free);
}

/* Mount points hide, they do not make equal: a changed file the container
 * bind-mounted over is still drift (marked runtime), and files a container
 * drops under /run/secrets are drift like any others. */
static void
test_mount_points_do_not_hide_drift (void)
{
  if (!need_root ())
    return;
  setup ();
  put ("l1/usr/sbin/sshd", "the image's sshd\n", 0755);
  dir ("l1/run", 0755);
  put ("u/usr/sbin/sshd", "a backdoor\n", 0755);
  put ("u/run/secrets/planted", "x\n", 0644);
  put ("proc/42/mountinfo",
       "1 0 0:1 / / rw - overlay overlay rw\n"
       "2 1 0:2 /x /usr/sbin/sshd rw - ext4 /dev/x rw\n", 0644);

  g_autoptr(CrawlTarget) t = NULL;
  const char *lowers[] = { "l1", NULL };
  g_autoptr(json_t) items = crawl_upper (&t, lowers);
  json_t *sshd = json_object_get (items, "/usr/sbin/sshd");
  g_assert_nonnull (sshd);
  g_assert_cmpstr (json_string_value (json_object_get (sshd, "change")), ==, "changed");
  g_assert_true (json_is_true (json_object_get (sshd, "runtime")));
  json_t *planted = json_object_get (items, "/run/secrets/planted");
  g_assert_nonnull (planted);
  g_assert_cmpstr (json_string_value (json_object_get (planted, "change")), ==, "added");
  teardown ();
}

/* Two lower layers, an upper with every kind of change, one crawl: the
 * exact keys and changes. */
static void
test_drift_exact (void)
{
  if (!need_root ())
    return;
  setup ();
  /* the image: bottom layer, then top */
  put ("l2/etc/gone-below", "x\n", 0644);
  put ("l2/opt/opq/a", "a\n", 0644);
  put ("l2/opt/marker/a", "a\n", 0644);
  put ("l1/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n", 0644);
  put ("l1/etc/unchanged.conf", "same\n", 0644);
  put ("l1/etc/chmodded", "mode\n", 0644);
  put ("l1/bin/busybox", "ELF\n", 0755);
  link_ ("l1/bin/echo", "busybox");
  put ("l1/usr/share/doc/pkg/README", "doc\n", 0644);
  put ("l1/opt/opq/b", "b\n", 0644);
  dir ("l1/same", 0755);
  dir ("l1/upper-changed-dir", 0755);
  /* l1 deletes /etc/gone-below of l2: the image never has it */
  dir ("l1/etc", 0755);
  whiteout ("l1/etc/gone-below");

  /* the container's upperdir */
  dir ("u/bin", 0755);
  whiteout ("u/bin/echo");
  dir ("u/usr/share", 0755);
  put ("u/usr/share/.wh.doc", "", 0644);
  dir ("u/opt/opq", 0755);
  g_autofree char *opq = g_build_filename (tmp, "u/opt/opq", NULL);
  g_assert_cmpint (setxattr (opq, "trusted.overlay.opaque", "y", 1, 0), ==, 0);
  put ("u/opt/opq/b", "new b\n", 0644);
  put ("u/opt/marker/" CRAWL_OPAQUE_MARKER, "", 0644);
  dir ("u/same", 0755);
  dir ("u/upper-changed-dir", 0700);
  put ("u/etc/passwd", "root:x:0:0:root:/root:/bin/sh\nhacker:x:0:0::/:/bin/sh\n", 0644);
  put ("u/etc/unchanged.conf", "same\n", 0644);
  put ("u/etc/chmodded", "mode\n", 0600);
  put ("u/etc/.wh.gone-below", "", 0644);
  put ("u/etc/hosts", "", 0644);
  put ("u/new.txt", "hello\n", 0644);
  link_ ("u/link", "/etc/passwd");
  put ("u/bad\xff", "junk\n", 0644);
  put ("u/nl\nname", "nl\n", 0644);
  dir ("u/mnt/vol", 0755);
  put ("proc/42/mountinfo",
       "1 0 0:1 / / rw - overlay overlay rw\n"
       "2 1 0:2 / /mnt/vol rw - ext4 /dev/x rw\n", 0644);

  g_autoptr(CrawlTarget) t = NULL;
  const char *lowers[] = { "l1", "l2", NULL };
  g_autoptr(json_t) items = crawl_upper (&t, lowers);

  const char *want[][2] = {
    { "/bad\\xff", "added" },
    { "/bin/echo", "deleted" },
    { "/etc/chmodded", "changed" },
    { "/etc/hosts", NULL },
    { "/etc/passwd", "changed" },
    { "/link", "added" },
    { "/mnt", NULL },
    { "/mnt/vol", NULL },
    { "/new.txt", "added" },
    { "/nl\nname", "added" },
    { "/opt/marker/a", "deleted" },
    { "/opt/opq/a", "deleted" },
    { "/opt/opq/b", "changed" },
    { "/upper-changed-dir", "changed" },
    { "/usr/share/doc", "deleted" },
  };
  g_autoptr(GString) got = g_string_new ("");
  const char *k;
  json_t *v;
  json_object_foreach (items, k, v)
    g_string_append_printf (got, "[%s] ", k);
  g_assert_cmpuint (json_object_size (items), ==, G_N_ELEMENTS (want));
  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    {
      json_t *item = json_object_get (items, want[i][0]);
      if (!item)
        g_error ("no item %s; got %s", want[i][0], got->str);
      g_assert_cmpstr (json_string_value (json_object_get (item, "path")), ==, want[i][0]);
      g_assert_cmpstr (json_string_value (json_object_get (item, "change")), ==, want[i][1]);
      gboolean runtime = json_is_true (json_object_get (item, "runtime"));
      g_assert_cmpint (runtime, ==, want[i][1] == NULL);
    }
  /* details: hashes, modes, the image's side of deleted paths */
  json_t *passwd = json_object_get (items, "/etc/passwd");
  g_autofree char *sum = sha256_hex ("root:x:0:0:root:/root:/bin/sh\nhacker:x:0:0::/:/bin/sh\n");
  g_assert_cmpstr (json_string_value (json_object_get (passwd, "sha256")), ==, sum);
  g_assert_cmpstr (json_string_value (json_object_get (passwd, "type")), ==, "file");
  g_assert_cmpstr (json_string_value (json_object_get (passwd, "mode")), ==, "0644");
  g_assert_cmpint (json_integer_value (json_object_get (passwd, "size")), ==, 54);
  g_assert_true (json_is_string (json_object_get (passwd, "mtime")));
  json_t *chm = json_object_get (items, "/etc/chmodded");
  g_assert_cmpstr (json_string_value (json_object_get (chm, "mode")), ==, "0600");
  g_autofree char *msum = sha256_hex ("mode\n");
  g_assert_cmpstr (json_string_value (json_object_get (chm, "sha256")), ==, msum);
  json_t *echo = json_object_get (items, "/bin/echo");
  g_assert_cmpstr (json_string_value (json_object_get (echo, "type")), ==, "symlink");
  g_assert_cmpstr (json_string_value (json_object_get (echo, "target")), ==, "busybox");
  g_assert_true (json_is_null (json_object_get (echo, "mtime")));
  json_t *doc = json_object_get (items, "/usr/share/doc");
  g_assert_cmpstr (json_string_value (json_object_get (doc, "type")), ==, "dir");
  json_t *ln = json_object_get (items, "/link");
  g_assert_cmpstr (json_string_value (json_object_get (ln, "type")), ==, "symlink");
  g_assert_cmpstr (json_string_value (json_object_get (ln, "target")), ==, "/etc/passwd");
  g_assert_true (json_is_null (json_object_get (ln, "sha256")));
  json_t *gone = json_object_get (items, "/opt/opq/a");
  g_assert_cmpint (json_integer_value (json_object_get (gone, "size")), ==, 2);
  g_assert_null (t->skipped);
  teardown ();
}

/* The lower stack alone, as overlay merges it. */
static void
test_lower_stack (void)
{
  if (!need_root ())
    return;
  setup ();
  put ("b/etc/a", "bottom\n", 0644);
  put ("b/etc/b", "bottom\n", 0644);
  put ("b/var/x/y", "y\n", 0644);
  put ("b/opt/o/z", "z\n", 0644);
  put ("t/etc/a", "top\n", 0644);
  dir ("t/etc", 0755);
  whiteout ("t/etc/b");
  put ("t/var/x", "now a file\n", 0644);
  dir ("t/opt/o", 0755);
  put ("t/opt/o/" CRAWL_OPAQUE_MARKER, "", 0644);
  link_ ("t/esc", "/../../../../etc");
  char *dirs[] = { g_build_filename (tmp, "t", NULL), g_build_filename (tmp, "b", NULL), NULL };
  g_autoptr(CrawlLower) l = crawl_lower_open (dirs, NULL);
  g_assert_nonnull (l);
  struct stat st;
  guint layer;
  g_autofree char *text = NULL;
  g_assert_true (crawl_lower_read (l, "/etc/a", 100, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "top\n");
  g_assert_false (crawl_lower_stat (l, "/etc/b", &st, &layer));       /* whited out */
  g_assert_false (crawl_lower_stat (l, "/var/x/y", &st, &layer));     /* under a file */
  g_assert_false (crawl_lower_stat (l, "/opt/o/z", &st, &layer));     /* opaque */
  g_assert_false (crawl_lower_stat (l, "/esc/passwd", &st, &layer));  /* no symlink followed */
  g_assert_true (crawl_lower_stat (l, "/esc", &st, &layer));
  g_assert_true (S_ISLNK (st.st_mode));
  g_autoptr(GPtrArray) names = crawl_lower_names (l, "/etc");
  g_assert_cmpuint (names->len, ==, 2);
  g_assert_cmpstr (names->pdata[0], ==, "a");
  g_assert_cmpstr (names->pdata[1], ==, "b");
  g_free (dirs[0]);
  g_free (dirs[1]);
  teardown ();
}

/* --files full on a root that is no overlay: every entry, symlinks not
 * followed, regular files hashed; the missing upperdir is a recorded skip. */
static void
test_full_walk (void)
{
  setup ();
  put ("r/etc/os-release", "ID=test\n", 0644);
  link_ ("r/etc/escape", "/../../../../../etc");
  dir ("r/empty", 0700);
  put ("proc/42/mountinfo", "", 0644);
  g_autoptr(CrawlTarget) t = fake_rooted ();
  CrawlContext ctx = { .files = CRAWL_FILES_FULL };
  g_autoptr(json_t) items = json_object ();
  g_assert_true (crawl_feature_file (&ctx, t, items, NULL));
  g_assert_cmpuint (json_object_size (items), ==, 4);
  json_t *os = json_object_get (items, "/etc/os-release");
  g_autofree char *sum = sha256_hex ("ID=test\n");
  g_assert_cmpstr (json_string_value (json_object_get (os, "sha256")), ==, sum);
  g_assert_true (json_is_null (json_object_get (os, "change")));
  json_t *esc = json_object_get (items, "/etc/escape");
  g_assert_cmpstr (json_string_value (json_object_get (esc, "type")), ==, "symlink");
  g_assert_null (json_object_get (items, "/etc/escape/passwd"));
  g_assert_nonnull (json_object_get (items, "/empty"));
  g_assert_nonnull (json_object_get (items, "/etc"));
  g_assert_cmpuint (json_array_size (t->skipped), ==, 1);
  teardown ();
}

/* /etc/os-release -> /../../../etc/shadow in a container root reads the
 * container's /etc/shadow, never the host's. */
static void
test_hostile_symlink (void)
{
  setup ();
  put ("r/etc/shadow", "not the host\n", 0600);
  link_ ("r/etc/os-release", "/../../../etc/shadow");
  link_ ("r/etc/passwd", "../../../../../../../etc/passwd");
  g_autoptr(CrawlTarget) t = fake_rooted ();
  g_autofree char *text = NULL;
  g_assert_true (crawl_root_read (t, "/etc/os-release", 1024, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "not the host\n");
  /* the config feature sees the same, and no host passwd */
  char *globs[] = { "/etc/*", NULL };
  CrawlContext ctx = { .config_globs = globs };
  g_autoptr(json_t) items = json_object ();
  g_assert_true (crawl_feature_config (&ctx, t, items, NULL));
  json_t *os = json_object_get (items, "/etc/os-release");
  g_assert_cmpstr (json_string_value (json_object_get (os, "content")), ==, "not the host\n");
  g_assert_null (json_object_get (items, "/etc/passwd"));
  g_assert_cmpuint (json_object_size (items), ==, 2);
  teardown ();
}

static void
test_config_passwd (void)
{
  setup ();
  put ("r/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n# comment\nbroken line\n"
       "www:x:33:33:www:/var/www:/usr/sbin/nologin\n", 0644);
  g_autofree char *big = g_strnfill (CRAWL_CONFIG_FILE_MAX + 1, 'x');
  put ("r/etc/hosts", big, 0644);
  g_autoptr(CrawlTarget) t = fake_rooted ();
  CrawlContext ctx = { 0 };
  g_autoptr(json_t) items = json_object ();
  g_assert_true (crawl_feature_config (&ctx, t, items, NULL));
  g_assert_cmpuint (json_object_size (items), ==, 1);
  json_t *users = json_object_get (json_object_get (items, "/etc/passwd"), "users");
  g_assert_cmpuint (json_array_size (users), ==, 2);
  json_t *www = json_array_get (users, 1);
  g_assert_cmpstr (json_string_value (json_object_get (www, "name")), ==, "www");
  g_assert_cmpint (json_integer_value (json_object_get (www, "uid")), ==, 33);
  g_assert_cmpstr (json_string_value (json_object_get (www, "home")), ==, "/var/www");
  g_assert_cmpstr (json_string_value (json_object_get (www, "shell")), ==, "/usr/sbin/nologin");
  /* the oversized /etc/hosts is a skip naming it */
  g_assert_cmpuint (json_array_size (t->skipped), ==, 1);
  json_t *skip = json_array_get (t->skipped, 0);
  g_assert_cmpstr (json_string_value (json_object_get (skip, "what")), ==, "/etc/hosts");
  teardown ();
}

static const char status_image[] =
  "Package: base-files\nStatus: install ok installed\nArchitecture: amd64\nVersion: 12.4\n\n"
  "Package: hostname\nStatus: install ok installed\nArchitecture: amd64\nVersion: 3.23+nmu1\n\n"
  "Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.36-9\n\n"
  "Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1:1.2.13-1\n";
static const char status_now[] =
  "Package: base-files\nStatus: install ok installed\nArchitecture: amd64\nVersion: 12.4\n\n"
  "Package: hostname\nStatus: deinstall ok config-files\nArchitecture: amd64\nVersion: 3.23+nmu1\n\n"
  "Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.36-9+deb12u1\n\n"
  "Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1:1.2.11-1\n\n"
  "Package: curl\nStatus: install ok installed\nArchitecture: amd64\nVersion: 7.88.1-10\n";

static void
test_dpkg_changes (void)
{
  g_autoptr(GHashTable) img = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                     (GDestroyNotify) store_package_free);
  g_autoptr(GHashTable) now = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                     (GDestroyNotify) store_package_free);
  store_packages_parse_dpkg (status_image, strlen (status_image), img);
  store_packages_parse_dpkg (status_now, strlen (status_now), now);
  g_autoptr(json_t) items = json_object ();
  crawl_package_items ("dpkg", now, img, items);
  g_assert_cmpuint (json_object_size (items), ==, 5);
  const char *want[][3] = {
    { "base-files:amd64", NULL, "12.4" },
    { "curl:amd64", "added", "7.88.1-10" },
    { "hostname:amd64", "removed", "3.23+nmu1" },
    { "libc6:amd64", "upgraded", "2.36-9+deb12u1" },
    { "zlib1g:amd64", "downgraded", "1:1.2.11-1" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    {
      json_t *it = json_object_get (items, want[i][0]);
      g_assert_nonnull (it);
      g_assert_cmpstr (json_string_value (json_object_get (it, "change")), ==, want[i][1]);
      g_assert_cmpstr (json_string_value (json_object_get (it, "version")), ==, want[i][2]);
      g_assert_cmpstr (json_string_value (json_object_get (it, "format")), ==, "dpkg");
      g_assert_cmpstr (json_string_value (json_object_get (it, "arch")), ==, "amd64");
    }
  g_assert_cmpstr (json_string_value (json_object_get (json_object_get (items, "libc6:amd64"),
                                                       "image_version")), ==, "2.36-9");
  /* without the image's side, nothing is a change */
  g_autoptr(json_t) plain = json_object ();
  crawl_package_items ("dpkg", now, NULL, plain);
  g_assert_cmpuint (json_object_size (plain), ==, 4);
  g_assert_true (json_is_null (json_object_get (json_object_get (plain, "curl:amd64"), "change")));
}

static void
test_version_order (void)
{
  const struct { const char *fmt, *a, *b; int sign; } cases[] = {
    { "dpkg", "1.0~rc1", "1.0", -1 },
    { "dpkg", "1:0.9", "2.0", 1 },
    { "dpkg", "1.0-1", "1.0-1ubuntu1", -1 },
    { "dpkg", "1.10", "1.9", 1 },
    { "dpkg", "2.36-9+deb12u1", "2.36-9", 1 },
    { "dpkg", "1.0a", "1.0+", -1 },
    { "dpkg", "007", "7", 0 },
    { "rpm", "1.0-1", "1.0-2", -1 },
    { "rpm", "1.0~rc1-1", "1.0-1", -1 },
    { "rpm", "2:1.0-1", "1:9.0-1", 1 },
    { "rpm", "1.10-1", "1.9-1", 1 },
    { "rpm", "1.0^git1-1", "1.0-1", 1 },
    { "rpm", "1.0a-1", "1.0.1-1", -1 },
    { "apk", "1.2-r0", "1.2-r1", 1 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      int d = crawl_package_version_cmp (cases[i].fmt, cases[i].a, cases[i].b);
      int sign = d > 0 ? 1 : d < 0 ? -1 : 0;
      if (sign != cases[i].sign)
        g_error ("%s %s vs %s: %d, want %d", cases[i].fmt, cases[i].a, cases[i].b, sign,
                 cases[i].sign);
    }
}

/* Junk where dpkg's status belongs: a recorded skip, no items, the crawl
 * goes on. */
static void
test_corrupt_dpkg (void)
{
  setup ();
  g_autofree char *p = g_build_filename (tmp, "r/var/lib/dpkg/status", NULL);
  g_autofree char *d = g_path_get_dirname (p);
  g_assert_cmpint (g_mkdir_with_parents (d, 0755), ==, 0);
  g_assert_true (g_file_set_contents (p, "\x7f" "ELF\0\0\1\2garbage", 14, NULL));
  g_autoptr(CrawlTarget) t = fake_rooted ();
  CrawlContext ctx = { 0 };
  g_autoptr(json_t) items = json_object ();
  g_autoptr(GError) error = NULL;
  g_assert_true (crawl_feature_package (&ctx, t, items, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (json_object_size (items), ==, 0);
  g_assert_cmpuint (json_array_size (t->skipped), ==, 1);
  json_t *skip = json_array_get (t->skipped, 0);
  g_assert_cmpstr (json_string_value (json_object_get (skip, "feature")), ==, "package");
  g_assert_nonnull (strstr (json_string_value (json_object_get (skip, "reason")), "corrupt"));
  teardown ();
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/crawl/file/drift-exact", test_drift_exact);
  g_test_add_func ("/crawl/file/mount-points-do-not-hide-drift", test_mount_points_do_not_hide_drift);
  g_test_add_func ("/crawl/file/lower-stack", test_lower_stack);
  g_test_add_func ("/crawl/file/full-walk", test_full_walk);
  g_test_add_func ("/crawl/file/hostile-symlink", test_hostile_symlink);
  g_test_add_func ("/crawl/config/passwd-and-limit", test_config_passwd);
  g_test_add_func ("/crawl/package/dpkg-changes", test_dpkg_changes);
  g_test_add_func ("/crawl/package/version-order", test_version_order);
  g_test_add_func ("/crawl/package/corrupt-dpkg", test_corrupt_dpkg);
  return g_test_run ();
}
