/* store/store.c: creating, opening and locking a store; reference names. */
#include "store/store-private.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

G_DEFINE_QUARK (store-error-quark, store_error)

char *
store_default_path (void)
{
  const char *env = g_getenv ("CTRGIT_REPO");
  if (env && *env)
    return g_strdup (env);
  if (geteuid () == 0)
    return g_strdup ("/var/lib/ctrgit");
  return g_build_filename (g_get_user_data_dir (), "ctrgit", NULL);
}

static gboolean
write_store_config (const char *path, const StoreInitOptions *opts, GError **error)
{
  g_autoptr(json_t) j = json_pack ("{s:i, s:s, s:b}", "version", STORE_FORMAT_VERSION,
                                   "mode", opts->mode, "keep-blobs", !opts->no_keep_blobs);
  g_autofree char *text = json_dumps (j, JSON_INDENT (2) | JSON_PRESERVE_ORDER);
  g_autofree char *file = g_build_filename (path, "ctrgit.json", NULL);
  g_autofree char *with_nl = g_strconcat (text, "\n", NULL);
  return g_file_set_contents (file, with_nl, -1, error);
}

gboolean
store_init (const char *path, const StoreInitOptions *opts_in, GError **error)
{
  StoreInitOptions opts = *opts_in;
  if (!opts.mode)
    opts.mode = "bare-user";
  OstreeRepoMode mode;
  if (!ostree_repo_mode_from_string (opts.mode, &mode, error))
    return FALSE;
  if (mode != OSTREE_REPO_MODE_BARE_USER && mode != OSTREE_REPO_MODE_ARCHIVE)
    return g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID,
                        "repo mode \"%s\" is not offered: use bare-user or archive", opts.mode), FALSE;

  g_autofree char *cfg = g_build_filename (path, "ctrgit.json", NULL);
  if (g_file_test (cfg, G_FILE_TEST_EXISTS))
    return g_set_error (error, STORE_ERROR, STORE_ERROR_EXISTS,
                        "a store already exists at %s", path), FALSE;
  if (g_mkdir_with_parents (path, 0755) < 0)
    return oci_throw_errno (error, "mkdir %s", path);

  g_autofree char *repo_path = g_build_filename (path, "repo", NULL);
  g_autoptr(GFile) repo_file = g_file_new_for_path (repo_path);
  g_autoptr(OstreeRepo) repo = ostree_repo_new (repo_file);
  /* An init that was interrupted left a repo: finish it only in its mode
   * (ostree_repo_create would keep the old mode silently). */
  if (g_file_test (repo_path, G_FILE_TEST_IS_DIR) && ostree_repo_open (repo, NULL, NULL)
      && ostree_repo_get_mode (repo) != mode)
    {
      g_autofree char *have = g_strdup (ostree_repo_get_mode (repo) == OSTREE_REPO_MODE_ARCHIVE
                                        ? "archive" : "bare-user");
      return g_set_error (error, STORE_ERROR, STORE_ERROR_EXISTS,
                          "%s holds an unfinished store in %s mode: run init again with "
                          "--mode %s, or remove it", path, have, have), FALSE;
    }
  if (!ostree_repo_create (repo, mode, NULL, error))
    return g_prefix_error (error, "creating %s: ", repo_path), FALSE;

  g_autofree char *blobs = g_build_filename (path, "blobs", "sha256", NULL);
  g_autofree char *tmp = g_build_filename (path, "blobs", "tmp", NULL);
  if (g_mkdir_with_parents (blobs, 0755) < 0 || g_mkdir_with_parents (tmp, 0755) < 0)
    return oci_throw_errno (error, "mkdir %s", blobs);
  /* The config goes last: its presence is what makes this a store. */
  return write_store_config (path, &opts, error);
}

CtrStore *
store_open (const char *path, GError **error)
{
  g_autofree char *cfg_path = g_build_filename (path, "ctrgit.json", NULL);
  g_autofree char *text = NULL;
  gsize len;
  if (!g_file_get_contents (cfg_path, &text, &len, NULL))
    return g_set_error (error, STORE_ERROR, STORE_ERROR_NOT_FOUND,
                        "no store at %s (run `ctrgit init` first, or set --repo / CTRGIT_REPO)",
                        path), NULL;
  json_error_t jerr;
  g_autoptr(json_t) j = json_loadb (text, len, 0, &jerr);
  json_int_t version = 0;
  const char *mode = NULL;
  int keep = 1;
  if (!j || json_unpack (j, "{s:I, s:s, s?:b}", "version", &version, "mode", &mode,
                         "keep-blobs", &keep) < 0)
    return g_set_error (error, STORE_ERROR, STORE_ERROR_CORRUPT,
                        "%s: not a valid store configuration", cfg_path), NULL;
  if (version != STORE_FORMAT_VERSION)
    return g_set_error (error, STORE_ERROR, STORE_ERROR_FORMAT,
                        "%s: store format %d, this ctrgit reads format %d",
                        cfg_path, (int) version, STORE_FORMAT_VERSION), NULL;

  g_autoptr(CtrStore) s = g_new0 (CtrStore, 1);
  s->path = g_strdup (path);
  s->mode = g_strdup (mode);
  s->keep_blobs = keep;
  g_autofree char *repo_path = g_build_filename (path, "repo", NULL);
  g_autoptr(GFile) repo_file = g_file_new_for_path (repo_path);
  s->repo = ostree_repo_new (repo_file);
  if (!ostree_repo_open (s->repo, NULL, error))
    return g_prefix_error (error, "opening %s: ", repo_path), NULL;
  s->dfd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (s->dfd < 0)
    return store_null_throw_errno (error, "open %s", path);
  return g_steal_pointer (&s);
}

void
store_free (CtrStore *s)
{
  if (!s)
    return;
  store_writeback_stop (s);
  if (s->dfd >= 0)
    close (s->dfd);
  g_clear_object (&s->repo);
  g_clear_pointer (&s->meta_cache, g_hash_table_unref);
  g_free (s->path);
  g_free (s->mode);
  g_free (s);
}

const char *store_path (CtrStore *s) { return s->path; }
OstreeRepo *store_repo (CtrStore *s) { return s->repo; }
gboolean store_keeps_blobs (CtrStore *s) { return s->keep_blobs; }
const char *store_mode (CtrStore *s) { return s->mode; }

struct StoreLock {
  int fd;
};

/* Each lock has its own open file description, so flock treats two locks
 * of one process like two processes' locks. */
StoreLock *
store_lock (CtrStore *s, gboolean exclusive, void (*waiting) (void), GError **error)
{
  int fd = openat (s->dfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return store_null_throw_errno (error, "open %s/lock", s->path);
  int op = exclusive ? LOCK_EX : LOCK_SH;
  if (flock (fd, op | LOCK_NB) < 0)
    {
      if (errno != EWOULDBLOCK)
        {
          oci_throw_errno (error, "flock %s/lock", s->path);
          close (fd);
          return NULL;
        }
      if (waiting)
        waiting ();
      while (flock (fd, op) < 0)
        if (errno != EINTR)
          {
            oci_throw_errno (error, "flock %s/lock", s->path);
            close (fd);
            return NULL;
          }
    }
  StoreLock *l = g_new0 (StoreLock, 1);
  l->fd = fd;
  return l;
}

void
store_lock_release (StoreLock *l)
{
  if (!l)
    return;
  close (l->fd);   /* closing the description drops the flock */
  g_free (l);
}

/* ---- reference names ------------------------------------------------- */

static gboolean
ref_char_ok (char c)
{
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '/';
}

char *
store_ref_for_image (const OciRef *ref)
{
  g_autofree char *full = oci_ref_to_string (ref);
  GString *out = g_string_new (STORE_IMAGE_REF_PREFIX);
  for (const char *p = full; *p; p++)
    {
      if (ref_char_ok (*p))
        g_string_append_c (out, *p);
      else
        g_string_append_printf (out, "_%02X", (guint8) *p);
    }
  return g_string_free (out, FALSE);
}

char *
store_image_for_ref (const char *ostree_ref)
{
  if (!g_str_has_prefix (ostree_ref, STORE_IMAGE_REF_PREFIX))
    return NULL;
  const char *p = ostree_ref + strlen (STORE_IMAGE_REF_PREFIX);
  GString *out = g_string_new ("");
  for (; *p; p++)
    {
      if (*p == '_' && g_ascii_isxdigit (p[1]) && g_ascii_isxdigit (p[2]))
        {
          g_string_append_c (out, (char) (g_ascii_xdigit_value (p[1]) * 16 + g_ascii_xdigit_value (p[2])));
          p += 2;
        }
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

char *
store_ref_for_layer (const char *diff_id)
{
  return g_strconcat (STORE_LAYER_REF_PREFIX, oci_digest_hex (diff_id), NULL);
}

/* Tries name as written, then the candidates podman would try for a short
 * name. A commit checksum is not a name here (revision syntax is `log`'s). */
gboolean
store_resolve_image (CtrStore *s, const char *name, char **out_ref_string,
                     char **out_commit, GError **error)
{
  g_autoptr(GPtrArray) candidates = g_ptr_array_new_with_free_func (g_free);
  OciRefDefault defaults[] = { OCI_REF_DEFAULT_LOCALHOST, OCI_REF_DEFAULT_DOCKER_IO };
  for (guint i = 0; i < G_N_ELEMENTS (defaults); i++)
    {
      g_autoptr(OciRef) ref = NULL;
      g_autoptr(GError) local = NULL;
      if (!oci_ref_parse (name, defaults[i], &ref, &local))
        {
          if (i == 0)
            return g_propagate_error (error, g_steal_pointer (&local)), FALSE;
          continue;
        }
      g_ptr_array_add (candidates, oci_ref_to_string (ref));
      if (ref->domain_given)
        break;
    }
  for (guint i = 0; i < candidates->len; i++)
    {
      const char *full = candidates->pdata[i];
      g_autoptr(OciRef) ref = NULL;
      if (!oci_ref_parse (full, OCI_REF_DEFAULT_LOCALHOST, &ref, error))
        return FALSE;
      g_autofree char *branch = store_ref_for_image (ref);
      g_autofree char *commit = NULL;
      if (!ostree_repo_resolve_rev (s->repo, branch, TRUE, &commit, error))
        return FALSE;
      if (commit)
        {
          if (out_ref_string)
            *out_ref_string = g_strdup (full);
          if (out_commit)
            *out_commit = g_steal_pointer (&commit);
          return TRUE;
        }
    }
  return g_set_error (error, STORE_ERROR, STORE_ERROR_NOT_FOUND,
                      "image \"%s\" is not in the store", name), FALSE;
}
