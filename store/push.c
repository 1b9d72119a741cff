/* store/push.c: an image version to a registry.
 *
 * The image is first exported to a private OCI layout (so the blobs are
 * exactly what export gives: the kept originals, or layers rebuilt from the
 * files), then each blob the registry lacks is uploaded, the manifest last:
 * a reader never sees a manifest whose blobs are missing.
 *
 * A blob the registry already holds in another repository is mounted from
 * there instead of sent again. Which repositories those are, the store
 * knows from two things: the image's source (pulled from REGISTRY/REPO),
 * and STORE/push-record, a line "REGISTRY REPO DIGEST" for every blob a
 * push found or put in a repository. The record is only a hint: a registry
 * that no longer has the blob there answers 202 and the bytes go up.
 */
#include "store/store-private.h"
#include "oci/oci-registry.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The record is read from its end, this much at most, and cut back to
 * half of it when it has grown past twice that. */
#define PUSH_RECORD_MAX (1024 * 1024)

typedef struct {
  CtrStore *store;
  OciRegistry *reg;
  const OciRef *dest;
  const StorePushOptions *opts;
  const char *layout;
  char *source_repo;      /* the repository of dest's registry the image came from, or NULL */
  GHashTable *known;      /* digest -> GPtrArray of repositories (this registry) holding it */
  GString *record;        /* lines to append */
  guint uploaded;
} Push;

static char *
record_path (CtrStore *s)
{
  return g_build_filename (store_path (s), "push-record", NULL);
}

/* The tail of the record (whole lines of it). */
static char *
record_read (CtrStore *s)
{
  g_autofree char *path = record_path (s);
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat (fd, &st) < 0)
    {
      if (fd >= 0)
        close (fd);
      return NULL;
    }
  gsize len = MIN ((guint64) st.st_size, PUSH_RECORD_MAX);
  char *text = g_malloc (len + 1);
  gssize got = pread (fd, text, len, st.st_size - len);
  close (fd);
  text[got > 0 ? got : 0] = '\0';
  char *nl = (guint64) st.st_size > len ? strchr (text, '\n') : NULL;
  if (nl)   /* started mid-line: drop that one */
    memmove (text, nl + 1, strlen (nl + 1) + 1);
  return text;
}

static void
known_add (Push *p, const char *digest, const char *repo)
{
  GPtrArray *repos = g_hash_table_lookup (p->known, digest);
  if (!repos)
    {
      repos = g_ptr_array_new_with_free_func (g_free);
      g_hash_table_insert (p->known, g_strdup (digest), repos);
    }
  for (guint i = 0; i < repos->len; i++)
    if (g_str_equal (repos->pdata[i], repo))
      return;
  /* the newest record first: the likeliest to be there still */
  g_ptr_array_insert (repos, 0, g_strdup (repo));
}

static void
push_load_hints (Push *p, const char *commit)
{
  g_autofree char *text = record_read (p->store);
  g_auto(GStrv) lines = g_strsplit (text ? text : "", "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], " ", 4);
      if (g_strv_length (f) == 3 && g_str_equal (f[0], p->dest->domain))
        known_add (p, f[2], f[1]);
    }
  g_autoptr(StoreImage) img = store_image_load (p->store, commit, NULL);
  g_autoptr(OciRef) src = NULL;
  if (img && img->source && g_str_has_prefix (img->source, "docker://")
      && oci_ref_parse (img->source + strlen ("docker://"), OCI_REF_DEFAULT_DOCKER_IO, &src, NULL)
      && g_str_equal (src->domain, p->dest->domain))
    p->source_repo = g_strdup (src->path);
}

/* Appends what this push learnt; cuts the record back when it grew large. */
static void
push_save_record (Push *p)
{
  if (p->record->len == 0)
    return;
  g_autofree char *path = record_path (p->store);
  int fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return;   /* a hint lost, nothing more */
  /* one write: concurrent pushes do not interleave within it */
  gboolean ok = write (fd, p->record->str, p->record->len) == (gssize) p->record->len;
  struct stat st;
  gboolean large = ok && fstat (fd, &st) == 0 && st.st_size > 2 * PUSH_RECORD_MAX;
  close (fd);
  if (large)
    {
      g_autofree char *tail = record_read (p->store);
      gsize len = strlen (tail), keep = MIN (len, PUSH_RECORD_MAX / 2);
      const char *from = tail + len - keep;
      while (*from && from > tail && from[-1] != '\n')
        from++;
      g_file_set_contents (path, from, -1, NULL);
    }
}

static void
push_progress (Push *p, const char *digest, gboolean layer, StorePushProgress what)
{
  if (layer && p->opts->progress)
    p->opts->progress (p->opts->progress_user, digest, what);
}

static gboolean
push_blob (Push *p, const char *digest, gboolean layer, GError **error)
{
  const char *repo = p->dest->path;
  gboolean there = FALSE;
  if (!oci_registry_blob_exists (p->reg, repo, digest, &there, error))
    return FALSE;
  if (there)
    push_progress (p, digest, layer, STORE_PUSH_EXISTS);
  else
    {
      push_progress (p, digest, layer, STORE_PUSH_UPLOADING);
      g_autofree char *path = g_build_filename (p->layout, "blobs", "sha256", oci_digest_hex (digest), NULL);
      int fd = open (path, O_RDONLY | O_CLOEXEC);
      struct stat st;
      if (fd < 0 || fstat (fd, &st) < 0)
        {
          if (fd >= 0)
            close (fd);
          return oci_throw_errno (error, "%s", path);
        }
      g_autoptr(GPtrArray) from = g_ptr_array_new ();
      GPtrArray *repos = g_hash_table_lookup (p->known, digest);
      for (guint i = 0; repos && i < repos->len; i++)
        g_ptr_array_add (from, repos->pdata[i]);
      if (p->source_repo)
        g_ptr_array_add (from, p->source_repo);
      g_ptr_array_add (from, NULL);
      OciBlobPut how;
      gboolean ok = oci_registry_put_blob (p->reg, repo, digest, fd, st.st_size,
                                           (const char *const *) from->pdata, &how, error);
      close (fd);
      if (!ok)
        return FALSE;
      if (how != OCI_BLOB_MOUNTED)
        p->uploaded++;
      push_progress (p, digest, layer, how == OCI_BLOB_MOUNTED ? STORE_PUSH_MOUNTED : STORE_PUSH_UPLOADED);
    }
  GPtrArray *repos = g_hash_table_lookup (p->known, digest);
  gboolean recorded = FALSE;
  for (guint i = 0; repos && i < repos->len && !recorded; i++)
    recorded = g_str_equal (repos->pdata[i], repo);
  if (!recorded)
    g_string_append_printf (p->record, "%s %s %s\n", p->dest->domain, repo, digest);
  return TRUE;
}

gboolean
store_push (CtrStore *s, OciRegistry *reg, const char *rev, const OciRef *dest,
            const StorePushOptions *opts, guint *out_pushed, char **out_digest,
            GCancellable *cancellable, GError **error)
{
  g_autofree char *ref = NULL, *commit = NULL;
  if (!store_resolve_revision (s, rev, &ref, &commit, error))
    return FALSE;
  g_autofree char *tmpl = g_build_filename (store_path (s), "blobs", "tmp", "push-XXXXXX", NULL);
  if (!g_mkdtemp (tmpl))
    return oci_throw_errno (error, "mkdtemp %s", tmpl);
  OciLocation loc = { OCI_TRANSPORT_OCI, tmpl, (char *) "push" };
  Push p = { s, reg, dest, opts, tmpl, NULL,
             g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref),
             g_string_new (NULL), 0 };
  push_load_hints (&p, commit);
  /* the layout goes with every return */
  g_autoptr(GError) local = NULL;
  gboolean ok = store_image_export_commit (s, commit, &loc, &opts->export, cancellable, &local);
  g_autoptr(OciSource) src = NULL;
  if (ok)
    ok = oci_source_open (&loc, NULL, &src, &local);
  if (ok)
    {
      const OciManifest *m = oci_source_manifest_parsed (src);
      for (guint i = 0; i < m->layers->len; i++)
        push_progress (&p, ((OciDescriptor *) m->layers->pdata[i])->digest, TRUE, STORE_PUSH_QUEUED);
      ok = push_blob (&p, m->config->digest, FALSE, &local);
      for (guint i = 0; ok && i < m->layers->len; i++)
        ok = push_blob (&p, ((OciDescriptor *) m->layers->pdata[i])->digest, TRUE, &local);
      const char *mt = m->media_type ? m->media_type : OCI_MT_IMAGE_MANIFEST;
      if (ok)
        ok = oci_registry_put_manifest (reg, dest->path, dest->tag ? dest->tag : dest->digest,
                                        oci_source_manifest (src), mt, &local);
      if (ok && out_digest)
        *out_digest = g_strdup (oci_source_manifest_digest (src));
    }
  /* blobs that went up are there even if the manifest did not */
  push_save_record (&p);
  g_clear_pointer (&src, oci_source_free);
  oci_rm_tree (tmpl);
  g_free (p.source_repo);
  g_hash_table_unref (p.known);
  g_string_free (p.record, TRUE);
  if (!ok)
    return g_propagate_error (error, g_steal_pointer (&local)), FALSE;
  if (out_pushed)
    *out_pushed = p.uploaded;
  return TRUE;
}
