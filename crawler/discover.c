/* crawler/discover.c: the containers on this host, from /proc and what
 * runtimes leave on disk.
 *
 * No runtime API is asked and no container is entered: a process belongs
 * to a container when its cgroup path names one (docker, podman, containerd,
 * CRI-O, in cgroup v1 and v2 layouts) and its mount namespace is not ours.
 * Its root is the overlay mounted on "/" in its mountinfo; names, images and
 * labels come from the runtimes' state files, read-only, and whatever is
 * missing stays unknown (NULL) rather than failing discovery.
 */
#include "crawler/crawler-private.h"
#include "crawler/procfs.h"
#include "oci/oci.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* A runtime state file (containers.json of a host with thousands of
 * containers is the largest we expect; a few kB each). */
#define DISCOVER_METADATA_MAX (64u * 1024 * 1024)
#define CONTAINER_ID_LEN 64
/* The shortest id prefix crawl_find accepts, as the brief for ps asks. */
#define ID_PREFIX_MIN 4
#define DEFAULT_CONTAINERS_STORAGE "/var/lib/containers/storage"

/* --- cgroup paths --------------------------------------------------------- */

static gboolean
is_lower_hex (const char *s, gsize n)
{
  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isxdigit (s[i]) || g_ascii_isupper (s[i]))
      return FALSE;
  return TRUE;
}

/* s is exactly 64 lowercase hex digits followed by suffix (and nothing). */
static gboolean
id_then (const char *s, const char *suffix)
{
  return strlen (s) == CONTAINER_ID_LEN + strlen (suffix) && is_lower_hex (s, CONTAINER_ID_LEN)
         && strcmp (s + CONTAINER_ID_LEN, suffix) == 0;
}

/* One path component as a runtime names its container's cgroup: the
 * runtime, or NULL. Conmon's own cgroups ("libpod-conmon-ID",
 * "crio-conmon-ID") fail the 64-hex test and so never count. */
static const char *
component_runtime (const char *c, const char *parent, gboolean under_kubepods)
{
  static const struct {
    const char *prefix, *runtime;
  } scoped[] = {
    { "docker-", "docker" },
    { "libpod-", "podman" },
    { "cri-containerd-", "containerd" },
    { "crio-", "cri-o" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (scoped); i++)
    if (g_str_has_prefix (c, scoped[i].prefix))
      {
        const char *rest = c + strlen (scoped[i].prefix);
        /* systemd names the unit ".scope"; cgroupfs managers use the bare name */
        if (id_then (rest, ".scope") || id_then (rest, ""))
          return scoped[i].runtime;
        return NULL;
      }
  /* systemd cgroup driver in v1: "kubepods-...-pod<uid>.slice:cri-containerd:<id>" */
  const char *colon = strstr (c, ".slice:");
  if (colon)
    {
      const char *rt = colon + strlen (".slice:");
      const char *end = strchr (rt, ':');
      if (!end || !id_then (end + 1, ""))
        return NULL;
      g_autofree char *name = g_strndup (rt, end - rt);
      if (g_str_equal (name, "cri-containerd") || g_str_equal (name, "containerd"))
        return "containerd";
      if (g_str_equal (name, "crio"))
        return "cri-o";
      if (g_str_equal (name, "docker"))
        return "docker";
      return "unknown";
    }
  if (id_then (c, ""))
    {
      /* docker's cgroupfs driver: /docker/<id>; kubelet's: /kubepods/<qos>/pod<uid>/<id>,
       * which does not say which CRI runtime made it (metadata may). */
      if (parent && g_str_equal (parent, "docker"))
        return "docker";
      if (under_kubepods)
        return "unknown";
    }
  return NULL;
}

/* The outermost component that names a container. Cgroups nest: a
 * container may create cgroups below its own (docker-in-docker does), and
 * one named like another container's must not make its processes count as
 * that container's; from the host, everything below a container's cgroup is
 * that container. */
static gboolean
path_parse (const char *path, char **out_id, char **out_runtime)
{
  g_auto(GStrv) comps = g_strsplit (path, "/", -1);
  guint n = g_strv_length (comps);
  gboolean kube = FALSE;
  for (guint i = 0; i < n; i++)
    if (g_str_has_prefix (comps[i], "kubepods"))
      kube = TRUE;
  for (guint i = 0; i < n; i++)
    {
      const char *rt = component_runtime (comps[i], i > 0 ? comps[i - 1] : NULL, kube);
      if (!rt)
        continue;
      const char *c = comps[i];
      gsize len = strlen (c);
      const char *id = g_str_has_suffix (c, ".scope") ? c + len - strlen (".scope") - CONTAINER_ID_LEN
                                                      : c + len - CONTAINER_ID_LEN;
      *out_id = g_strndup (id, CONTAINER_ID_LEN);
      *out_runtime = g_strdup (rt);
      return TRUE;
    }
  return FALSE;
}

gboolean
crawl_cgroup_parse (const char *text, char **out_id, char **out_runtime, char **out_path)
{
  g_auto(GStrv) lines = g_strsplit (text ? text : "", "\n", -1);
  /* v2's "0::" line is the unified hierarchy; prefer it, else the first
   * v1 controller whose path names a container. */
  g_autofree char *id = NULL, *runtime = NULL, *path = NULL;
  for (char **l = lines; *l; l++)
    {
      const char *c1 = strchr (*l, ':');
      const char *c2 = c1 ? strchr (c1 + 1, ':') : NULL;
      if (!c2)
        continue;
      gboolean unified = c1 == *l + 1 && **l == '0' && c2 == c1 + 1;
      if (id && !unified)
        continue;
      g_autofree char *i = NULL, *r = NULL;
      if (!path_parse (c2 + 1, &i, &r))
        continue;
      g_free (id);
      g_free (runtime);
      g_free (path);
      id = g_steal_pointer (&i);
      runtime = g_steal_pointer (&r);
      path = g_strdup (c2 + 1);
      if (unified)
        break;
    }
  if (!id)
    return FALSE;
  if (out_id)
    *out_id = g_steal_pointer (&id);
  if (out_runtime)
    *out_runtime = g_steal_pointer (&runtime);
  if (out_path)
    *out_path = g_steal_pointer (&path);
  return TRUE;
}

/* --- mountinfo ------------------------------------------------------------ */

gboolean
crawl_mountinfo_overlay_dev (const char *text, guint major, guint minor, char **out_upper,
                             char ***out_lowers, char **out_work)
{
  g_autofree char *dev = g_strdup_printf ("%u:%u", major, minor);
  g_auto(GStrv) lines = g_strsplit (text ? text : "", "\n", -1);
  for (char **l = lines; *l; l++)
    {
      /* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS */
      g_auto(GStrv) f = g_strsplit (*l, " ", -1);
      guint n = g_strv_length (f);
      if (n < 10 || !g_str_equal (f[2], dev))
        continue;
      guint dash = 6;
      while (dash < n && !g_str_equal (f[dash], "-"))
        dash++;
      /* every mount of one superblock has the same options: the first will do */
      if (dash + 3 >= n || !g_str_equal (f[dash + 1], "overlay"))
        return FALSE;
      g_autofree char *upper = NULL, *work = NULL;
      g_autoptr(GPtrArray) lowers = g_ptr_array_new_with_free_func (g_free);
      g_auto(GStrv) opts = g_strsplit (f[dash + 3], ",", -1);
      for (char **o = opts; *o; o++)
        {
          const char *eq = strchr (*o, '=');
          if (!eq)
            continue;
          g_autofree char *key = g_strndup (*o, eq - *o);
          if (g_str_equal (key, "upperdir"))
            {
              g_free (upper);
              upper = procfs_mount_unescape (eq + 1);
            }
          else if (g_str_equal (key, "workdir"))
            {
              g_free (work);
              work = procfs_mount_unescape (eq + 1);
            }
          else if (g_str_equal (key, "lowerdir") || g_str_equal (key, "lowerdir+"))
            {
              /* "a:b::c": "::" marks data-only layers, still part of the stack */
              g_auto(GStrv) dirs = g_strsplit (eq + 1, ":", -1);
              for (char **d = dirs; *d; d++)
                if (**d)
                  g_ptr_array_add (lowers, procfs_mount_unescape (*d));
            }
        }
      if (out_upper)
        *out_upper = g_steal_pointer (&upper);
      if (out_work)
        *out_work = g_steal_pointer (&work);
      if (out_lowers)
        {
          *out_lowers = NULL;
          if (lowers->len > 0)
            {
              g_ptr_array_add (lowers, NULL);
              *out_lowers = (char **) g_ptr_array_free (g_steal_pointer (&lowers), FALSE);
            }
        }
      return TRUE;
    }
  return FALSE;
}

/* --- processes ------------------------------------------------------------ */

/* Field 22 of /proc/PID/stat. comm (field 2) may hold spaces and ')', so
 * the fields are counted from the last ')'. */
static gboolean
stat_starttime (const char *stat, guint64 *out)
{
  const char *p = strrchr (stat, ')');
  if (!p)
    return FALSE;
  p++;
  /* p is at " S ppid ...": field 3 is the first token */
  for (int field = 3; field < 22; field++)
    {
      while (*p == ' ')
        p++;
      while (*p && *p != ' ')
        p++;
      if (!*p)
        return FALSE;
    }
  while (*p == ' ')
    p++;
  char *end;
  errno = 0;
  guint64 v = g_ascii_strtoull (p, &end, 10);
  if (end == p || errno)
    return FALSE;
  *out = v;
  return TRUE;
}

static gboolean
pid_starttime (const char *proc, pid_t pid, guint64 *out)
{
  g_autofree char *stat = NULL;
  if (!crawl_proc_read (proc, pid, "stat", CRAWL_PROC_FILE_MAX, &stat, NULL, NULL))
    return FALSE;
  return stat_starttime (stat, out);
}

gboolean
crawl_target_alive (CrawlTarget *t)
{
  guint64 now;
  if (!pid_starttime (t->proc, t->pid, &now))
    return FALSE;
  /* starttime 0: unknown (the host's pid 1 may be unreadable); existence is all we can say */
  return t->starttime == 0 || now == t->starttime;
}

static char *
ns_link (const char *proc, const char *pid, const char *ns)
{
  g_autofree char *path = g_strdup_printf ("%s/%s/ns/%s", proc, pid, ns);
  return g_file_read_link (path, NULL);
}

/* --- runtime metadata ------------------------------------------------------- */

typedef struct {
  char *runtime_root;   /* "" normally; a prefix for every runtime path in tests */
  char *storage;        /* containers-storage graph root */
  json_t *containers;   /* overlay-containers/containers.json, loaded on first use */
  json_t *images;       /* overlay-images/images.json */
  gboolean containers_tried, images_tried;
} Metadata;

static void
metadata_clear (Metadata *m)
{
  g_free (m->runtime_root);
  g_free (m->storage);
  if (m->containers)
    json_decref (m->containers);
  if (m->images)
    json_decref (m->images);
}

static void
metadata_init (Metadata *m)
{
  memset (m, 0, sizeof *m);
  const char *rr = g_getenv ("CTRGIT_RUNTIME_ROOT");
  m->runtime_root = g_strdup (rr ? rr : "");
  const char *cs = g_getenv ("CTRGIT_CONTAINERS_STORAGE");
  m->storage = cs && *cs ? g_strdup (cs)
                         : g_strconcat (m->runtime_root, DEFAULT_CONTAINERS_STORAGE, NULL);
}

/* A runtime's JSON file, or NULL (missing, unreadable, too large, not JSON). */
static json_t *
load_json (const char *path)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0)
    return NULL;
  g_autofree char *buf = NULL;
  gsize len = 0;
  gboolean ok = crawl_fd_read (fd, DISCOVER_METADATA_MAX, &buf, &len, NULL);
  close (fd);
  if (!ok)
    return NULL;
  return json_loadb (buf, len, 0, NULL);
}

static char *
runtime_path (Metadata *m, const char *path)
{
  return g_strconcat (m->runtime_root, path, NULL);
}

static const char *
jstr (json_t *o, const char *key)
{
  const char *s = json_string_value (json_object_get (o, key));
  return s && *s ? s : NULL;
}

static void
set_str (char **field, const char *value)
{
  if (!*field && value && *value)
    *field = g_strdup (value);
}

static void
add_label (CrawlTarget *t, const char *key, json_t *value)
{
  if (!json_is_string (value))
    return;
  if (!t->labels)
    t->labels = json_object ();
  json_object_set (t->labels, key, value);
}

/* An id as containers-storage and docker write it: with or without "sha256:". */
static char *
sha256_id (const char *id)
{
  if (!id)
    return NULL;
  if (g_str_has_prefix (id, "sha256:"))
    return g_strdup (id);
  return g_strconcat ("sha256:", id, NULL);
}

/* The entry with "id" == id in a containers-storage array. */
static json_t *
storage_find (json_t *array, const char *id)
{
  size_t i;
  json_t *e;
  json_array_foreach (array, i, e)
    if (g_strcmp0 (jstr (e, "id"), id) == 0)
      return e;
  return NULL;
}

/* An OCI runtime config (bundle config.json): hostname, and annotations
 * as labels; Kubernetes runtimes put pod and image names there. */
static gboolean
read_oci_config (CrawlTarget *t, const char *path)
{
  g_autoptr(json_t) cfg = load_json (path);
  if (!cfg)
    return FALSE;
  set_str (&t->hostname, jstr (cfg, "hostname"));
  json_t *ann = json_object_get (cfg, "annotations");
  const char *k;
  json_t *v;
  json_object_foreach (ann, k, v)
    add_label (t, k, v);
  /* containerd's CRI plugin, then CRI-O's and the kubelet's names */
  set_str (&t->name, jstr (ann, "io.kubernetes.cri.container-name"));
  set_str (&t->name, jstr (ann, "io.kubernetes.container.name"));
  set_str (&t->image_ref, jstr (ann, "io.kubernetes.cri.image-name"));
  set_str (&t->image_ref, jstr (ann, "io.kubernetes.cri-o.ImageName"));
  set_str (&t->created, jstr (ann, "io.kubernetes.cri-o.Created"));
  return TRUE;
}

/* podman and CRI-O: containers-storage's containers.json and images.json. */
static gboolean
read_containers_storage (Metadata *m, CrawlTarget *t)
{
  /* podman keeps the bundle under the graph root, CRI-O under the run root */
  g_autofree char *graph_cfg = g_build_filename (m->storage, "overlay-containers", t->id, "userdata",
                                                 "config.json", NULL);
  g_autofree char *run_cfg = g_strdup_printf ("%s/run/containers/storage/overlay-containers/%s/userdata/config.json",
                                              m->runtime_root, t->id);
  gboolean bundle = read_oci_config (t, graph_cfg);
  bundle |= read_oci_config (t, run_cfg);
  if (!m->containers_tried)
    {
      g_autofree char *p = g_build_filename (m->storage, "overlay-containers", "containers.json", NULL);
      m->containers = load_json (p);
      m->containers_tried = TRUE;
    }
  json_t *c = storage_find (m->containers, t->id);
  if (!c)
    return bundle;
  json_t *names = json_object_get (c, "names");
  set_str (&t->name, json_string_value (json_array_get (names, 0)));
  const char *image = jstr (c, "image");
  if (image)
    t->image_id = sha256_id (image);
  /* "metadata" is JSON in a string: libpod keeps the image name it was asked for there */
  const char *md = jstr (c, "metadata");
  g_autoptr(json_t) meta = md ? json_loads (md, 0, NULL) : NULL;
  set_str (&t->image_ref, jstr (meta, "image-name"));
  if (image)
    {
      if (!m->images_tried)
        {
          g_autofree char *p = g_build_filename (m->storage, "overlay-images", "images.json", NULL);
          m->images = load_json (p);
          m->images_tried = TRUE;
        }
      json_t *img = storage_find (m->images, image);
      set_str (&t->image_digest, jstr (img, "digest"));
      set_str (&t->image_ref, json_string_value (json_array_get (json_object_get (img, "names"), 0)));
    }
  /* libpod's creation time is the annotation read above; storage's is a little later */
  set_str (&t->created, jstr (c, "created"));
  return TRUE;
}

/* runc's state.json (podman --runtime runc keeps it in /run/runc/ID/,
 * docker in /run/docker/runtime-runc/moby/ID/) or crun's status file:
 * the bundle path and the creation time. */
static void
read_runtime_state (Metadata *m, CrawlTarget *t)
{
  const char *states[] = {
    "/run/runc/%s/state.json",
    "/run/docker/runtime-runc/moby/%s/state.json",
    "/run/crun/%s/status",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (states); i++)
    {
      g_autofree char *rel = g_strdup_printf (states[i], t->id);
      g_autofree char *path = runtime_path (m, rel);
      g_autoptr(json_t) st = load_json (path);
      if (!st)
        continue;
      set_str (&t->created, jstr (st, "created"));
      json_t *cfg = json_object_get (st, "config");
      set_str (&t->hostname, jstr (cfg, "hostname"));
      const char *bundle = jstr (st, "bundle");
      /* runc keeps the bundle among its labels, as "bundle=PATH" */
      size_t j;
      json_t *l;
      json_array_foreach (json_object_get (cfg, "labels"), j, l)
        if (json_is_string (l) && g_str_has_prefix (json_string_value (l), "bundle="))
          bundle = json_string_value (l) + strlen ("bundle=");
      if (bundle && g_path_is_absolute (bundle))
        {
          g_autofree char *bcfg = g_strconcat (m->runtime_root, bundle, "/config.json", NULL);
          read_oci_config (t, bcfg);
        }
      return;
    }
}

/* containerd's v2 shim bundles: /run/containerd/io.containerd.runtime.v2.task/NAMESPACE/ID/. */
static gboolean
read_containerd (Metadata *m, CrawlTarget *t)
{
  g_autofree char *tasks = runtime_path (m, "/run/containerd/io.containerd.runtime.v2.task");
  g_autoptr(GDir) dir = g_dir_open (tasks, 0, NULL);
  if (!dir)
    return FALSE;
  const char *ns;
  while ((ns = g_dir_read_name (dir)))
    {
      g_autofree char *cfg = g_build_filename (tasks, ns, t->id, "config.json", NULL);
      if (!g_file_test (cfg, G_FILE_TEST_EXISTS))
        continue;
      read_oci_config (t, cfg);
      /* the namespace (k8s.io for Kubernetes, default for ctr) is only in the path */
      if (!json_object_get (t->labels, "io.containerd.namespace"))
        {
          g_autoptr(json_t) v = json_string (ns);
          add_label (t, "io.containerd.namespace", v);
        }
      return TRUE;
    }
  return FALSE;
}

/* docker: /var/lib/docker/containers/ID/config.v2.json. */
static gboolean
read_docker (Metadata *m, CrawlTarget *t)
{
  g_autofree char *rel = g_strdup_printf ("/var/lib/docker/containers/%s/config.v2.json", t->id);
  g_autofree char *path = runtime_path (m, rel);
  g_autoptr(json_t) c = load_json (path);
  if (!c)
    return FALSE;
  const char *name = jstr (c, "Name");
  set_str (&t->name, name && *name == '/' ? name + 1 : name);
  json_t *cfg = json_object_get (c, "Config");
  set_str (&t->image_ref, jstr (cfg, "Image"));
  if (!t->image_id && jstr (c, "Image"))
    t->image_id = sha256_id (jstr (c, "Image"));
  set_str (&t->hostname, jstr (cfg, "Hostname"));
  set_str (&t->created, jstr (c, "Created"));
  const char *k;
  json_t *v;
  json_object_foreach (json_object_get (cfg, "Labels"), k, v)
    add_label (t, k, v);
  return TRUE;
}

static void
read_metadata (Metadata *m, CrawlTarget *t)
{
  /* When the cgroup named the runtime, only its records are read: probing
   * every runtime's directories for each of 20 containers was a third of
   * a crawl's discovery time. */
  const char *rt0 = t->runtime ? t->runtime : "unknown";
  gboolean any = g_str_equal (rt0, "unknown");
  gboolean storage = (any || g_str_equal (rt0, "podman") || g_str_equal (rt0, "cri-o"))
                     && read_containers_storage (m, t);
  gboolean containerd = (any || g_str_equal (rt0, "containerd")) && read_containerd (m, t);
  gboolean docker = (any || g_str_equal (rt0, "docker")) && read_docker (m, t);
  /* runc's state.json (35 kB of JSON per podman container) only adds what
   * the records above may lack; parsing it for every container was most
   * of discovery's time. */
  if (!t->created || !t->hostname || !t->labels)
    read_runtime_state (m, t);
  if (!any)
    return;
  /* The cgroup did not say (kubelet's cgroupfs layout): the state files do. */
  const char *rt = containerd ? "containerd"
                   : docker   ? "docker"
                   : storage  ? (t->labels && json_object_get (t->labels, "io.kubernetes.cri-o.ContainerID")
                                     ? "cri-o" : "podman")
                              : NULL;
  if (rt)
    {
      g_free (t->runtime);
      t->runtime = g_strdup (rt);
    }
}

/* --- discovery ------------------------------------------------------------ */

static CrawlTarget *
target_new (void)
{
  CrawlTarget *t = g_new0 (CrawlTarget, 1);
  t->root_fd = -1;
  return t;
}

static int
pid_compare (gconstpointer a, gconstpointer b)
{
  pid_t x = *(const pid_t *) a, y = *(const pid_t *) b;
  return (x > y) - (x < y);
}

static int
target_compare (gconstpointer a, gconstpointer b)
{
  const CrawlTarget *x = *(CrawlTarget *const *) a, *y = *(CrawlTarget *const *) b;
  /* unnamed containers after the named ones */
  if (!x->name != !y->name)
    return x->name ? -1 : 1;
  int c = g_strcmp0 (x->name, y->name);
  return c ? c : g_strcmp0 (x->id, y->id);
}

/* After the scan: the init (the lowest pid still there), its start time
 * and its root's overlay. FALSE when every process of it is gone. */
static gboolean
target_settle (CrawlTarget *t, const char *host_mountinfo)
{
  g_array_sort (t->pids, pid_compare);
  while (t->pids->len > 0)
    {
      pid_t pid = g_array_index (t->pids, pid_t, 0);
      if (pid_starttime (t->proc, pid, &t->starttime))
        {
          t->pid = pid;
          break;
        }
      g_array_remove_index (t->pids, 0);
    }
  if (t->pids->len == 0)
    return FALSE;
  /* The overlay's directories come from the crawler's own mountinfo, the
   * line of the filesystem the container's root is on: the container's
   * mountinfo shows whatever options whoever mounted its "/" passed, and a
   * container able to mount could name host directories there. */
  struct stat st;
  g_autofree char *root = g_strdup_printf ("%s/%d/root", t->proc, (int) t->pid);
  if (host_mountinfo && stat (root, &st) == 0
      && crawl_mountinfo_overlay_dev (host_mountinfo, major (st.st_dev), minor (st.st_dev),
                                      &t->upperdir, &t->lowerdirs, &t->workdir))
    {
      /* containers-storage mounts its layers through short links (overlay/l/XYZ);
       * the directories they name are what podman and the store report. */
      for (char **l = t->lowerdirs; l && *l; l++)
        {
          char *real = realpath (*l, NULL);
          if (real)
            {
              g_free (*l);
              *l = g_strdup (real);
              free (real);
            }
        }
    }
  return TRUE;
}

gboolean
crawl_discover (const char *proc, GPtrArray **out, GError **error)
{
  if (!proc)
    proc = "/proc";
  g_autofree char *self_mnt = ns_link (proc, "self", "mnt");
  if (!self_mnt)
    {
      int e = errno;
      return g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e),
                          "%s/self/ns/mnt: %s", proc, g_strerror (e)), FALSE;
    }
  DIR *d = opendir (proc);
  if (!d)
    {
      int e = errno;
      return g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e), "%s: %s", proc,
                          g_strerror (e)), FALSE;
    }
  g_autoptr(GHashTable) by_id = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                       (GDestroyNotify) crawl_target_free);
  struct dirent *de;
  while ((de = readdir (d)))
    {
      char *end;
      long pid = strtol (de->d_name, &end, 10);
      if (*end || end == de->d_name || pid <= 0)
        continue;
      /* a process may exit at any point of this: whatever fails to read is skipped */
      g_autofree char *cg = NULL;
      if (!crawl_proc_read (proc, pid, "cgroup", CRAWL_PROC_FILE_MAX, &cg, NULL, NULL))
        continue;
      g_autofree char *id = NULL, *runtime = NULL, *path = NULL;
      if (!crawl_cgroup_parse (cg, &id, &runtime, &path))
        continue;
      g_autofree char *mnt = ns_link (proc, de->d_name, "mnt");
      if (!mnt || g_str_equal (mnt, self_mnt))
        continue;
      CrawlTarget *t = g_hash_table_lookup (by_id, id);
      if (!t)
        {
          t = target_new ();
          t->kind = CRAWL_TARGET_CONTAINER;
          t->id = g_steal_pointer (&id);
          t->runtime = g_steal_pointer (&runtime);
          t->cgroup = g_steal_pointer (&path);
          t->proc = g_strdup (proc);
          t->pids = g_array_new (FALSE, FALSE, sizeof (pid_t));
          g_hash_table_insert (by_id, t->id, t);
        }
      pid_t p = (pid_t) pid;
      g_array_append_val (t->pids, p);
    }
  closedir (d);

  Metadata m;
  metadata_init (&m);
  g_autofree char *host_mountinfo = NULL;
  g_autofree char *self_mountinfo = g_build_filename (proc, "self", "mountinfo", NULL);
  crawl_path_read (self_mountinfo, CRAWL_PROC_FILE_MAX, &host_mountinfo, NULL, NULL);
  GPtrArray *found = g_ptr_array_new_with_free_func ((GDestroyNotify) crawl_target_free);
  GHashTableIter it;
  gpointer key, value;
  g_hash_table_iter_init (&it, by_id);
  while (g_hash_table_iter_next (&it, &key, &value))
    {
      CrawlTarget *t = value;
      g_hash_table_iter_steal (&it);
      if (!target_settle (t, host_mountinfo))
        {
          crawl_target_free (t);
          continue;
        }
      read_metadata (&m, t);
      g_ptr_array_add (found, t);
    }
  metadata_clear (&m);
  g_ptr_array_sort (found, target_compare);
  *out = found;
  return TRUE;
}

CrawlTarget *
crawl_target_new_host (const char *proc, GError **error)
{
  g_autoptr(CrawlTarget) t = target_new ();
  t->kind = CRAWL_TARGET_HOST;
  t->proc = g_strdup (proc ? proc : "/proc");
  t->pid = 1;
  /* pid 1 may be unreadable (a crawler inside a container): 0 is "unknown" */
  if (!pid_starttime (t->proc, 1, &t->starttime))
    t->starttime = 0;
  g_autofree char *machine_id = NULL;
  if (g_file_get_contents ("/etc/machine-id", &machine_id, NULL, NULL))
    g_strstrip (machine_id);
  t->hostname = g_strdup (g_get_host_name ());
  t->id = machine_id && *machine_id ? g_steal_pointer (&machine_id) : g_strdup (t->hostname);
  return g_steal_pointer (&t);
}

CrawlTarget *
crawl_find (GPtrArray *found, const char *which, GError **error)
{
  for (guint i = 0; i < found->len; i++)
    {
      CrawlTarget *t = found->pdata[i];
      if (g_strcmp0 (t->id, which) == 0)
        return t;
    }
  /* names before prefixes, as docker resolves them */
  for (guint i = 0; i < found->len; i++)
    {
      CrawlTarget *t = found->pdata[i];
      if (g_strcmp0 (t->name, which) == 0)
        return t;
    }
  gsize len = strlen (which);
  if (len >= ID_PREFIX_MIN && len < CONTAINER_ID_LEN && is_lower_hex (which, len))
    {
      CrawlTarget *match = NULL;
      g_autoptr(GString) all = g_string_new (NULL);
      guint n = 0;
      for (guint i = 0; i < found->len; i++)
        {
          CrawlTarget *t = found->pdata[i];
          if (!t->id || strncmp (t->id, which, len) != 0)
            continue;
          match = t;
          g_string_append_printf (all, "%s%.12s", n++ ? ", " : "", t->id);
        }
      if (n == 1)
        return match;
      if (n > 1)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "container id prefix \"%s\" is ambiguous: it matches %u containers (%s)",
                       which, n, all->str);
          return NULL;
        }
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no running container \"%s\"", which);
  return NULL;
}
