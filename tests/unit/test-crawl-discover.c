/* Discovery: which cgroup paths name a container (and which merely look
 * like they do), the overlay of a root from mountinfo, and a whole scan of
 * a fake /proc with runtime state files beside it. */
#include "crawler/crawler.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define A64 "3f8a6b1c2d4e5f60718293a4b5c6d7e8f9012345678901234567890abcdef012"
#define B64 "784494fc83e3867aa92d1368c6cf596737615b65ff2eb05d34bc641b6c21e2b2"
#define C64 "c0ffee00112233445566778899aabbccddeeff00112233445566778899aabbcc"

typedef struct {
  const char *what;
  const char *text;
  const char *id;        /* NULL: no container */
  const char *runtime;
} CgroupCase;

static const CgroupCase cgroup_cases[] = {
  { "docker v1 cgroupfs",
    "12:pids:/docker/" A64 "\n11:memory:/docker/" A64 "\n10:cpu,cpuacct:/docker/" A64
    "\n1:name=systemd:/docker/" A64 "\n",
    A64, "docker" },
  { "docker v1 systemd",
    "11:devices:/system.slice/docker-" A64 ".scope\n1:name=systemd:/system.slice/docker-" A64 ".scope\n",
    A64, "docker" },
  { "docker v2 systemd", "0::/system.slice/docker-" A64 ".scope\n", A64, "docker" },
  { "docker v1 where only some controllers name it",
    "4:memory:/docker/" A64 "\n1:name=systemd:/system.slice/docker.service\n", A64, "docker" },
  { "docker in docker: the outer one, whose cgroup it is in",
    "0::/docker/" A64 "/docker/" C64 "\n", A64, "docker" },
  { "a cgroup named like another container's, inside a container: the outer one",
    "0::/libpod_parent/libpod-" B64 "/libpod-" A64 "\n", B64, "podman" },
  { "podman v2 systemd", "0::/machine.slice/libpod-" B64 ".scope\n", B64, "podman" },
  { "podman v2 systemd, split cgroup", "0::/machine.slice/libpod-" B64 ".scope/container\n", B64,
    "podman" },
  { "podman cgroupfs, hybrid v1 and v2 (as on this machine)",
    "9:name=systemd:/libpod_parent/libpod-" B64 "\n4:memory:/libpod_parent/libpod-" B64
    "\n1:cpu:/libpod_parent/libpod-" B64 "\n0::/libpod_parent/libpod-" B64 "\n",
    B64, "podman" },
  { "podman v1 cgroupfs", "3:cpuset:/libpod_parent/libpod-" B64 "\n", B64, "podman" },
  { "rootless podman under user.slice",
    "0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" B64 ".scope\n",
    B64, "podman" },
  { "rootless podman, v1",
    "1:name=systemd:/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" B64 ".scope\n",
    B64, "podman" },
  { "containerd CRI, systemd v2",
    "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod5e6b2a8c_9d1f_4c3e_8a7b_0c1d2e3f4a5b.slice/cri-containerd-"
    A64 ".scope\n",
    A64, "containerd" },
  { "containerd CRI, systemd driver in v1 (slice:runtime:id)",
    "12:pids:/kubepods-besteffort-pod5e6b2a8c_9d1f.slice:cri-containerd:" A64
    "\n1:name=systemd:/kubepods-besteffort-pod5e6b2a8c_9d1f.slice:cri-containerd:" A64 "\n",
    A64, "containerd" },
  { "kubelet cgroupfs v1: the path does not say the runtime",
    "10:memory:/kubepods/besteffort/pod5e6b2a8c-9d1f-4c3e-8a7b-0c1d2e3f4a5b/" A64 "\n",
    A64, "unknown" },
  { "kubelet cgroupfs v2", "0::/kubepods/burstable/pod5e6b2a8c-9d1f/" C64 "\n", C64, "unknown" },
  { "cri-o v2 systemd",
    "0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1234.slice/crio-" C64
    ".scope\n",
    C64, "cri-o" },
  { "cri-o v1 systemd", "5:devices:/kubepods.slice/kubepods-pod1.slice/crio-" C64 ".scope\n", C64,
    "cri-o" },
  { "cri-o v1 slice:crio:id", "1:name=systemd:/kubepods-pod1234.slice:crio:" C64 "\n", C64, "cri-o" },
  /* near misses */
  { "podman's conmon", "0::/machine.slice/libpod-conmon-" B64 ".scope\n", NULL, NULL },
  { "cri-o's conmon", "0::/kubepods.slice/kubepods-pod1.slice/crio-conmon-" C64 ".scope\n", NULL,
    NULL },
  { "63 hex digits", "0::/system.slice/docker-" "3f8a6b1c2d4e5f60718293a4b5c6d7e8f9012345678901234567890abcdef01"
    ".scope\n", NULL, NULL },
  { "65 hex digits", "0::/system.slice/docker-" A64 "3.scope\n", NULL, NULL },
  { "65 hex digits, cgroupfs", "0::/docker/" A64 "3\n", NULL, NULL },
  { "uppercase hex", "0::/machine.slice/libpod-3F8A6B1C2D4E5F60718293A4B5C6D7E8F9012345678901234567890ABCDEF012.scope\n",
    NULL, NULL },
  { "a non-hex digit", "0::/docker/" "3f8a6b1c2d4e5f60718293a4b5c6d7e8f9012345678901234567890abcdef01g\n",
    NULL, NULL },
  { "a bare id outside docker and kubepods", "0::/system.slice/" A64 "\n", NULL, NULL },
  { "the host's init", "0::/init.scope\n", NULL, NULL },
  { "a login session", "0::/user.slice/user-0.slice/session-3.scope\n", NULL, NULL },
  { "docker's daemon", "0::/system.slice/docker.service\n", NULL, NULL },
  { "an unknown runtime after slice:", "0::/x.slice:rkt:" A64 "\n", A64, "unknown" },
  { "empty", "", NULL, NULL },
  { "garbage", "no colons here\n::\n", NULL, NULL },
};

static void
test_cgroup_parse (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (cgroup_cases); i++)
    {
      const CgroupCase *c = &cgroup_cases[i];
      g_autofree char *id = NULL, *runtime = NULL, *path = NULL;
      gboolean ok = crawl_cgroup_parse (c->text, &id, &runtime, &path);
      if (ok != (c->id != NULL))
        g_error ("%s: expected %s", c->what, c->id ? "a match" : "no match");
      g_assert_cmpstr (id, ==, c->id);
      g_assert_cmpstr (runtime, ==, c->runtime);
      if (ok)
        g_assert_nonnull (strstr (path, c->id));
    }
}

/* The path recorded is the line that matched; v2's line wins over v1's. */
static void
test_cgroup_path (void)
{
  g_autofree char *id = NULL, *runtime = NULL, *path = NULL;
  g_assert_true (crawl_cgroup_parse ("4:memory:/docker/" A64 "\n0::/system.slice/docker-" A64 ".scope\n",
                                     &id, &runtime, &path));
  g_assert_cmpstr (path, ==, "/system.slice/docker-" A64 ".scope");
}

#define PODMAN_ROOT                                                                                \
  "119 67 0:52 / / rw,relatime - overlay overlay rw,"                                              \
  "lowerdir=/var/lib/containers/storage/overlay/l/FZFPJL5SBTKVBSBSDZWAZCGGVN:"                     \
  "/var/lib/containers/storage/overlay/l/JG3TDKIQBAGG26U5OXVJBQZHIE,"                              \
  "upperdir=/var/lib/containers/storage/overlay/7330c058/diff,"                                    \
  "workdir=/var/lib/containers/storage/overlay/7330c058/work,uuid=on\n"

static void
test_mountinfo_podman (void)
{
  const char *text = "118 1 253:1 / /host rw - ext4 /dev/vda1 rw\n" PODMAN_ROOT
                     "120 119 0:53 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw\n";
  g_autofree char *upper = NULL, *work = NULL;
  g_auto(GStrv) lowers = NULL;
  g_assert_true (crawl_mountinfo_overlay_dev (text, 0, 52, &upper, &lowers, &work));
  g_assert_cmpstr (upper, ==, "/var/lib/containers/storage/overlay/7330c058/diff");
  g_assert_cmpstr (work, ==, "/var/lib/containers/storage/overlay/7330c058/work");
  g_assert_cmpuint (g_strv_length (lowers), ==, 2);
  g_assert_cmpstr (lowers[0], ==, "/var/lib/containers/storage/overlay/l/FZFPJL5SBTKVBSBSDZWAZCGGVN");
  g_assert_cmpstr (lowers[1], ==, "/var/lib/containers/storage/overlay/l/JG3TDKIQBAGG26U5OXVJBQZHIE");
}

static void
test_mountinfo_escapes (void)
{
  /* optional fields before "-"; spaces, commas, colons and backslashes escaped;
   * four lower layers, the last one data-only ("::") */
  const char *text =
    "30 25 0:40 / / rw,relatime shared:1 master:7 - overlay overlay "
    "rw,lowerdir=/l/top\\040layer:/l/mid\\054dle:/l/co\\072lon::/l/data\\134only,"
    "upperdir=/u/my\\040upper\\011dir,workdir=/w/work\n";
  g_autofree char *upper = NULL, *work = NULL;
  g_auto(GStrv) lowers = NULL;
  g_assert_true (crawl_mountinfo_overlay_dev (text, 0, 40, &upper, &lowers, &work));
  g_assert_cmpstr (upper, ==, "/u/my upper\tdir");
  g_assert_cmpstr (work, ==, "/w/work");
  g_assert_cmpuint (g_strv_length (lowers), ==, 4);
  g_assert_cmpstr (lowers[0], ==, "/l/top layer");
  g_assert_cmpstr (lowers[1], ==, "/l/mid,dle");
  g_assert_cmpstr (lowers[2], ==, "/l/co:lon");
  g_assert_cmpstr (lowers[3], ==, "/l/data\\only");
}

static void
test_mountinfo_not_overlay (void)
{
  g_autofree char *upper = NULL, *work = NULL;
  g_auto(GStrv) lowers = NULL;
  const char *host = "22 1 253:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n"
                     PODMAN_ROOT "121 119 0:60 / /tmp rw - tmpfs tmpfs rw\n";
  /* a device that is not an overlay, one not mounted at all, no text */
  g_assert_false (crawl_mountinfo_overlay_dev (host, 253, 1, &upper, &lowers, &work));
  g_assert_false (crawl_mountinfo_overlay_dev (host, 0, 60, &upper, &lowers, &work));
  g_assert_false (crawl_mountinfo_overlay_dev (host, 0, 99, &upper, &lowers, &work));
  g_assert_false (crawl_mountinfo_overlay_dev ("", 0, 52, &upper, &lowers, &work));
  g_assert_false (crawl_mountinfo_overlay_dev ("junk\n1 2 3\n", 0, 52, &upper, &lowers, &work));
  g_assert_null (upper);
  /* the overlay is found by its device, wherever it is mounted */
  g_assert_true (crawl_mountinfo_overlay_dev (host, 0, 52, &upper, &lowers, &work));
  g_assert_cmpstr (upper, ==, "/var/lib/containers/storage/overlay/7330c058/diff");
}

/* --- a fake /proc and runtime state --------------------------------------- */

static void
put (const char *dir, const char *rel, const char *content)
{
  g_autofree char *path = g_build_filename (dir, rel, NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path, content, -1, NULL));
}

static void
put_link (const char *dir, const char *rel, const char *target)
{
  g_autofree char *path = g_build_filename (dir, rel, NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_assert_cmpint (symlink (target, path), ==, 0);
}

/* Discovery takes a container's overlay from the host's mountinfo (the
 * crawler's own, PROC/self/mountinfo), on the line whose device is the one
 * of PROC/PID/root. Each fake root links to a real directory on a
 * filesystem of its own, and the overlay lines of its mountinfo are copied
 * into the host's with that device. */
static void
host_overlay (const char *proc, const char *piddir, const char *mountinfo)
{
  static const char *roots[] = { "/proc", "/sys", "/dev" };
  static guint next;
  /* two containers per fake /proc: distinct within each */
  const char *target = roots[next++ % G_N_ELEMENTS (roots)];
  g_autofree char *root = g_build_filename (piddir, "root", NULL);
  put_link (proc, root, target);
  struct stat st;
  g_assert_cmpint (stat (target, &st), ==, 0);
  g_autofree char *self = g_build_filename (proc, "self", "mountinfo", NULL);
  g_autofree char *old = NULL;
  g_file_get_contents (self, &old, NULL, NULL);
  g_autoptr(GString) text = g_string_new (old ? old : "");
  g_auto(GStrv) lines = g_strsplit (mountinfo, "\n", -1);
  for (char **l = lines; *l; l++)
    {
      g_auto(GStrv) f = g_strsplit (*l, " ", -1);
      if (g_strv_length (f) < 10 || !strstr (*l, " - overlay "))
        continue;
      g_free (f[2]);
      f[2] = g_strdup_printf ("%u:%u", major (st.st_dev), minor (st.st_dev));
      g_autofree char *joined = g_strjoinv (" ", f);
      g_string_append_printf (text, "%s\n", joined);
    }
  g_assert_true (g_file_set_contents (self, text->str, -1, NULL));
}

/* A process: cgroup text, mount namespace, start time, mountinfo (or NULL).
 * comm holds ") " to prove the stat fields are counted from the last ')'. */
static void
put_proc (const char *proc, int pid, const char *cgroup, const char *mnt, guint64 start,
          const char *mountinfo)
{
  g_autofree char *d = g_strdup_printf ("%d", pid);
  g_autofree char *stat = g_strdup_printf (
      "%d (sh) x (y) S 1 %d %d 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 %" G_GUINT64_FORMAT
      " 1000000 100 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 3 0 0 0 0 0\n",
      pid, pid, pid, start);
  g_autofree char *cg = g_build_filename (d, "cgroup", NULL);
  g_autofree char *st = g_build_filename (d, "stat", NULL);
  g_autofree char *ns = g_build_filename (d, "ns", "mnt", NULL);
  put (proc, cg, cgroup);
  put (proc, st, stat);
  put_link (proc, ns, mnt);
  if (mountinfo)
    {
      g_autofree char *mi = g_build_filename (d, "mountinfo", NULL);
      put (proc, mi, mountinfo);
      host_overlay (proc, d, mountinfo);
    }
}

typedef struct {
  char *dir, *proc, *storage, *runroot;
} Fake;

#define AB64 "abcd" "0000000000000000000000000000000000000000000000000000000000aa"
#define AC64 "abcd" "0000000000000000000000000000000000000000000000000000000000bb"

static void
fake_setup (Fake *f, gconstpointer data)
{
  f->dir = g_dir_make_tmp ("ctrgit-discover-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->proc = g_build_filename (f->dir, "proc", NULL);
  f->storage = g_build_filename (f->dir, "storage", NULL);
  f->runroot = g_build_filename (f->dir, "root", NULL);
  put_link (f->proc, "self/ns/mnt", "mnt:[4026531832]");
  put (f->proc, "1/cgroup", "0::/init.scope\n");
  put (f->proc, "1/stat", "1 (init) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 7 0 0\n");
  /* podman container B64: three processes, init 120 (not the first in readdir order) */
  const char *podman_cg = "0::/libpod_parent/libpod-" B64 "\n";
  put_proc (f->proc, 150, podman_cg, "mnt:[4026532324]", 9001, NULL);
  put_proc (f->proc, 120, podman_cg, "mnt:[4026532324]", 9000, PODMAN_ROOT);
  put_proc (f->proc, 1200, podman_cg, "mnt:[4026532324]", 9500, NULL);
  /* its conmon: host namespace, conmon cgroup */
  put_proc (f->proc, 119, "0::/libpod_parent/libpod-conmon-" B64 "\n", "mnt:[4026531832]", 8999, NULL);
  /* a process in a container cgroup but our own mount namespace: not a container */
  put_proc (f->proc, 300, "0::/system.slice/docker-" C64 ".scope\n", "mnt:[4026531832]", 7000, NULL);
  /* docker container A64, metadata in config.v2.json */
  put_proc (f->proc, 400, "0::/system.slice/docker-" A64 ".scope\n", "mnt:[4026532400]", 7100,
            "1 0 0:1 / / rw - overlay overlay rw,lowerdir=/d/l1:/d/l2:/d/l3,upperdir=/d/up,workdir=/d/work\n");
  /* a kubelet cgroupfs container only containerd's task dir knows */
  put_proc (f->proc, 500, "0::/kubepods/besteffort/pod1/" AB64 "\n", "mnt:[4026532500]", 7200, NULL);
  /* another that shares the prefix "abcd", with no metadata at all */
  put_proc (f->proc, 600, "0::/docker/" AC64 "\n", "mnt:[4026532600]", 7300, NULL);
  /* a process that vanished mid-scan: its directory is there, its files are not */
  g_autofree char *gone = g_build_filename (f->proc, "700", NULL);
  g_assert_cmpint (g_mkdir_with_parents (gone, 0755), ==, 0);

  put (f->storage, "overlay-containers/containers.json",
       "[{\"id\":\"" B64 "\",\"names\":[\"web\"],\"image\":\"49d8e1c0c722b8c29b13333b70755ecada66048fe002c6ed228b264621f39c73\","
       "\"layer\":\"7330c058\",\"metadata\":\"{\\\"image-name\\\":\\\"localhost/ctrgit-busybox:v2\\\",\\\"name\\\":\\\"web\\\"}\","
       "\"created\":\"2026-11-25T14:34:05.000308643Z\"}]");
  put (f->storage, "overlay-images/images.json",
       "[{\"id\":\"49d8e1c0c722b8c29b13333b70755ecada66048fe002c6ed228b264621f39c73\","
       "\"digest\":\"sha256:8923631d03ef82da6b5289fe5ac3ace8951fde2b1e7fa7cd4c47bc45823cf634\","
       "\"names\":[\"localhost/ctrgit-busybox:v2\"]}]");
  put (f->storage, "overlay-containers/" B64 "/userdata/config.json",
       "{\"ociVersion\":\"1.0.2\",\"hostname\":\"web-host\","
       "\"annotations\":{\"io.container.manager\":\"libpod\",\"org.opencontainers.image.stopSignal\":\"15\","
       "\"io.kubernetes.cri-o.Created\":\"2026-11-25T14:34:04.978290687Z\"}}");
  put (f->runroot, "var/lib/docker/containers/" A64 "/config.v2.json",
       "{\"ID\":\"" A64 "\",\"Name\":\"/db\",\"Image\":\"sha256:1111111111111111111111111111111111111111111111111111111111111111\","
       "\"Created\":\"2026-11-24T10:00:00.5Z\",\"Config\":{\"Hostname\":\"dbhost\",\"Image\":\"docker.io/library/postgres:16\","
       "\"Labels\":{\"tier\":\"data\"}}}");
  put (f->runroot, "run/containerd/io.containerd.runtime.v2.task/k8s.io/" AB64 "/config.json",
       "{\"hostname\":\"pod-a\",\"annotations\":{\"io.kubernetes.cri.container-name\":\"app\","
       "\"io.kubernetes.cri.sandbox-name\":\"pod-a\",\"io.kubernetes.cri.sandbox-namespace\":\"shop\","
       "\"io.kubernetes.cri.image-name\":\"registry.example/shop/app:1.2\"}}");
  g_setenv ("CTRGIT_CONTAINERS_STORAGE", f->storage, TRUE);
  g_setenv ("CTRGIT_RUNTIME_ROOT", f->runroot, TRUE);
}

static void
fake_teardown (Fake *f, gconstpointer data)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", f->dir);
  g_assert_cmpint (system (cmd), ==, 0);
  g_unsetenv ("CTRGIT_CONTAINERS_STORAGE");
  g_unsetenv ("CTRGIT_RUNTIME_ROOT");
  g_free (f->dir);
  g_free (f->proc);
  g_free (f->storage);
  g_free (f->runroot);
}

static CrawlTarget *
by_id (GPtrArray *found, const char *id)
{
  for (guint i = 0; i < found->len; i++)
    if (g_str_equal (((CrawlTarget *) found->pdata[i])->id, id))
      return found->pdata[i];
  return NULL;
}

static void
test_discover (Fake *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_assert_true (crawl_discover (f->proc, &found, &error));
  g_assert_no_error (error);
  /* sorted by name (app, db, web), the unnamed one last; no conmon, no C64 */
  g_assert_cmpuint (found->len, ==, 4);
  g_assert_cmpstr (((CrawlTarget *) found->pdata[0])->id, ==, AB64);
  g_assert_cmpstr (((CrawlTarget *) found->pdata[1])->id, ==, A64);
  g_assert_cmpstr (((CrawlTarget *) found->pdata[2])->id, ==, B64);
  g_assert_cmpstr (((CrawlTarget *) found->pdata[3])->id, ==, AC64);
  g_assert_null (by_id (found, C64));

  CrawlTarget *p = by_id (found, B64);
  g_assert_cmpint (p->kind, ==, CRAWL_TARGET_CONTAINER);
  g_assert_cmpstr (p->runtime, ==, "podman");
  g_assert_cmpint (p->pid, ==, 120);
  g_assert_cmpuint (p->starttime, ==, 9000);
  g_assert_cmpuint (p->pids->len, ==, 3);
  g_assert_cmpint (g_array_index (p->pids, pid_t, 0), ==, 120);
  g_assert_cmpint (g_array_index (p->pids, pid_t, 1), ==, 150);
  g_assert_cmpint (g_array_index (p->pids, pid_t, 2), ==, 1200);
  g_assert_cmpstr (p->name, ==, "web");
  g_assert_cmpstr (p->image_ref, ==, "localhost/ctrgit-busybox:v2");
  g_assert_cmpstr (p->image_id, ==, "sha256:49d8e1c0c722b8c29b13333b70755ecada66048fe002c6ed228b264621f39c73");
  g_assert_cmpstr (p->image_digest, ==, "sha256:8923631d03ef82da6b5289fe5ac3ace8951fde2b1e7fa7cd4c47bc45823cf634");
  g_assert_cmpstr (p->hostname, ==, "web-host");
  /* podman inspect's Created is libpod's annotation, not storage's time */
  g_assert_cmpstr (p->created, ==, "2026-11-25T14:34:04.978290687Z");
  g_assert_cmpstr (json_string_value (json_object_get (p->labels, "io.container.manager")), ==, "libpod");
  g_assert_cmpstr (p->cgroup, ==, "/libpod_parent/libpod-" B64);
  g_assert_cmpstr (p->upperdir, ==, "/var/lib/containers/storage/overlay/7330c058/diff");
  g_assert_cmpstr (p->workdir, ==, "/var/lib/containers/storage/overlay/7330c058/work");
  g_assert_cmpuint (g_strv_length (p->lowerdirs), ==, 2);
  g_assert_cmpstr (p->proc, ==, f->proc);
  g_assert_cmpint (p->root_fd, ==, -1);

  CrawlTarget *d = by_id (found, A64);
  g_assert_cmpstr (d->runtime, ==, "docker");
  g_assert_cmpint (d->pid, ==, 400);
  g_assert_cmpstr (d->name, ==, "db");
  g_assert_cmpstr (d->image_ref, ==, "docker.io/library/postgres:16");
  g_assert_cmpstr (d->image_id, ==, "sha256:1111111111111111111111111111111111111111111111111111111111111111");
  g_assert_null (d->image_digest);
  g_assert_cmpstr (d->hostname, ==, "dbhost");
  g_assert_cmpstr (d->created, ==, "2026-11-24T10:00:00.5Z");
  g_assert_cmpstr (json_string_value (json_object_get (d->labels, "tier")), ==, "data");
  g_assert_cmpstr (d->upperdir, ==, "/d/up");
  g_assert_cmpuint (g_strv_length (d->lowerdirs), ==, 3);
  g_assert_cmpstr (d->lowerdirs[0], ==, "/d/l1");
  g_assert_cmpstr (d->lowerdirs[2], ==, "/d/l3");

  /* the cgroup did not say; containerd's task dir does */
  CrawlTarget *k = by_id (found, AB64);
  g_assert_cmpstr (k->runtime, ==, "containerd");
  g_assert_cmpstr (k->name, ==, "app");
  g_assert_cmpstr (k->image_ref, ==, "registry.example/shop/app:1.2");
  g_assert_cmpstr (k->hostname, ==, "pod-a");
  g_assert_cmpstr (json_string_value (json_object_get (k->labels, "io.kubernetes.cri.sandbox-namespace")), ==, "shop");
  g_assert_cmpstr (json_string_value (json_object_get (k->labels, "io.containerd.namespace")), ==, "k8s.io");
  g_assert_null (k->upperdir);       /* no mountinfo: not fatal */
  g_assert_null (k->lowerdirs);

  /* nothing known but what /proc says */
  CrawlTarget *u = by_id (found, AC64);
  g_assert_cmpstr (u->runtime, ==, "docker");
  g_assert_null (u->name);
  g_assert_null (u->image_ref);
  g_assert_null (u->image_id);
  g_assert_null (u->labels);
  g_assert_null (u->created);
  g_assert_cmpint (u->pid, ==, 600);
}

static void
test_discover_missing_storage (Fake *f, gconstpointer data)
{
  /* a corrupt containers.json is unknown metadata, not an error */
  put (f->storage, "overlay-containers/containers.json", "[{\"id\": trunc");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_assert_true (crawl_discover (f->proc, &found, &error));
  CrawlTarget *p = by_id (found, B64);
  g_assert_nonnull (p);
  g_assert_null (p->name);
  g_assert_null (p->image_id);
  g_assert_null (p->image_digest);
  g_assert_cmpint (p->pid, ==, 120);
  /* the bundle's config.json is still read */
  g_assert_cmpstr (p->hostname, ==, "web-host");
  g_assert_cmpstr (p->created, ==, "2026-11-25T14:34:04.978290687Z");
}

static void
test_discover_init_gone (Fake *f, gconstpointer data)
{
  /* the lowest pid exited between readdir and reading its stat: the next is init */
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autofree char *stat = g_build_filename (f->proc, "120", "stat", NULL);
  /* cgroup and ns still readable, stat not: as when a process exits mid-scan */
  g_assert_cmpint (unlink (stat), ==, 0);
  g_assert_true (crawl_discover (f->proc, &found, &error));
  CrawlTarget *p = by_id (found, B64);
  g_assert_cmpint (p->pid, ==, 150);
  g_assert_cmpuint (p->starttime, ==, 9001);
  g_assert_cmpuint (p->pids->len, ==, 2);
}

static void
test_discover_no_proc (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_assert_false (crawl_discover ("/nonexistent-proc", &found, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/nonexistent-proc/self/ns/mnt"));
}

static void
test_alive (Fake *f, gconstpointer data)
{
  g_autoptr(GPtrArray) found = NULL;
  g_assert_true (crawl_discover (f->proc, &found, NULL));
  CrawlTarget *p = by_id (found, B64);
  g_assert_true (crawl_target_alive (p));
  /* pid 120 reused by another process: a different start time */
  put (f->proc, "120/stat", "120 (other) S 1 120 120 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 123456 0 0\n");
  g_assert_false (crawl_target_alive (p));
  /* and gone */
  g_autofree char *stat = g_build_filename (f->proc, "120", "stat", NULL);
  g_assert_cmpint (unlink (stat), ==, 0);
  g_assert_false (crawl_target_alive (p));
}

static void
test_find (Fake *f, gconstpointer data)
{
  g_autoptr(GPtrArray) found = NULL;
  g_assert_true (crawl_discover (f->proc, &found, NULL));
  g_autoptr(GError) error = NULL;
  CrawlTarget *t;

  t = crawl_find (found, B64, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (t->id, ==, B64);
  t = crawl_find (found, "db", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (t->id, ==, A64);
  t = crawl_find (found, "7844", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (t->id, ==, B64);
  t = crawl_find (found, "784494fc83e3", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (t->id, ==, B64);

  /* "abcd" starts two ids */
  t = crawl_find (found, "abcd", &error);
  g_assert_null (t);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==,
                   "container id prefix \"abcd\" is ambiguous: it matches 2 containers "
                   "(abcd00000000, abcd00000000)");
  g_clear_error (&error);
  t = crawl_find (found, "abcd" "0000000000000000000000000000000000000000000000000000000000b", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (t->id, ==, AC64);

  /* too short, uppercase, unknown name */
  const char *misses[] = { "784", "7844X", "784494FC", "nosuch" };
  for (gsize i = 0; i < G_N_ELEMENTS (misses); i++)
    {
      t = crawl_find (found, misses[i], &error);
      g_assert_null (t);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
      g_autofree char *want = g_strdup_printf ("no running container \"%s\"", misses[i]);
      g_assert_cmpstr (error->message, ==, want);
      g_clear_error (&error);
    }
}

static void
test_host (Fake *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrawlTarget) h = crawl_target_new_host (f->proc, &error);
  g_assert_no_error (error);
  g_assert_cmpint (h->kind, ==, CRAWL_TARGET_HOST);
  g_assert_cmpint (h->pid, ==, 1);
  g_assert_cmpuint (h->starttime, ==, 7);
  g_assert_null (h->runtime);
  g_assert_cmpstr (h->hostname, ==, g_get_host_name ());
  g_autofree char *mid = NULL;
  if (g_file_get_contents ("/etc/machine-id", &mid, NULL, NULL) && *g_strstrip (mid))
    g_assert_cmpstr (h->id, ==, mid);
  else
    g_assert_cmpstr (h->id, ==, g_get_host_name ());
  g_assert_cmpint (h->root_fd, ==, -1);
  g_assert_true (crawl_target_alive (h));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/crawl/discover/cgroup-names-runtime-and-id", test_cgroup_parse);
  g_test_add_func ("/crawl/discover/cgroup-path-prefers-v2", test_cgroup_path);
  g_test_add_func ("/crawl/discover/mountinfo-podman-overlay", test_mountinfo_podman);
  g_test_add_func ("/crawl/discover/mountinfo-escapes-and-lowerdirs", test_mountinfo_escapes);
  g_test_add_func ("/crawl/discover/mountinfo-device-not-overlay", test_mountinfo_not_overlay);
  g_test_add_func ("/crawl/discover/no-proc-is-an-error", test_discover_no_proc);
  g_test_add ("/crawl/discover/fake-proc-and-metadata", Fake, NULL, fake_setup, test_discover, fake_teardown);
  g_test_add ("/crawl/discover/corrupt-metadata-is-unknown", Fake, NULL, fake_setup,
              test_discover_missing_storage, fake_teardown);
  g_test_add ("/crawl/discover/init-gone-next-pid", Fake, NULL, fake_setup, test_discover_init_gone,
              fake_teardown);
  g_test_add ("/crawl/discover/alive-guards-pid-reuse", Fake, NULL, fake_setup, test_alive, fake_teardown);
  g_test_add ("/crawl/discover/find-id-prefix-name", Fake, NULL, fake_setup, test_find, fake_teardown);
  g_test_add ("/crawl/discover/host-target", Fake, NULL, fake_setup, test_host, fake_teardown);
  return g_test_run ();
}
