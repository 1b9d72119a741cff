/* store/push.c: an image version to a registry.
 *
 * The image is first exported to a private OCI layout (so the blobs are
 * exactly what export gives: the kept originals, or layers rebuilt from the
 * files), then each blob the registry lacks is uploaded, the manifest last:
 * a reader never sees a manifest whose blobs are missing.
 */
#include "store/store-private.h"
#include "oci/oci-registry.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>


static gboolean
push_blob (OciRegistry *reg, const char *repo, const char *layout, const char *digest,
           guint *pushed, GError **error)
{
  gboolean there = FALSE;
  if (!oci_registry_blob_exists (reg, repo, digest, &there, error))
    return FALSE;
  if (there)
    return TRUE;
  g_autofree char *path = g_build_filename (layout, "blobs", "sha256", oci_digest_hex (digest), NULL);
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat (fd, &st) < 0)
    {
      if (fd >= 0)
        close (fd);
      return oci_throw_errno (error, "%s", path);
    }
  gboolean ok = oci_registry_put_blob (reg, repo, digest, fd, st.st_size, error);
  close (fd);
  if (ok)
    (*pushed)++;
  return ok;
}

gboolean
store_push (CtrStore *s, OciRegistry *reg, const char *rev, const OciRef *dest,
            const StoreExportOptions *opts, guint *out_pushed, char **out_digest,
            GCancellable *cancellable, GError **error)
{
  g_autofree char *ref = NULL, *commit = NULL;
  if (!store_resolve_revision (s, rev, &ref, &commit, error))
    return FALSE;
  g_autofree char *tmpl = g_build_filename (store_path (s), "blobs", "tmp", "push-XXXXXX", NULL);
  if (!g_mkdtemp (tmpl))
    return oci_throw_errno (error, "mkdtemp %s", tmpl);
  OciLocation loc = { OCI_TRANSPORT_OCI, tmpl, (char *) "push" };
  /* the layout goes with every return */
  g_autoptr(GError) local = NULL;
  gboolean ok = store_image_export_commit (s, commit, &loc, opts, cancellable, &local);
  g_autoptr(OciSource) src = NULL;
  if (ok)
    ok = oci_source_open (&loc, NULL, &src, &local);
  guint pushed = 0;
  if (ok)
    {
      const OciManifest *m = oci_source_manifest_parsed (src);
      ok = push_blob (reg, dest->path, tmpl, m->config->digest, &pushed, &local);
      for (guint i = 0; ok && i < m->layers->len; i++)
        ok = push_blob (reg, dest->path, tmpl, ((OciDescriptor *) m->layers->pdata[i])->digest,
                        &pushed, &local);
      const char *mt = m->media_type ? m->media_type : OCI_MT_IMAGE_MANIFEST;
      if (ok)
        ok = oci_registry_put_manifest (reg, dest->path, dest->tag ? dest->tag : dest->digest,
                                        oci_source_manifest (src), mt, &local);
      if (ok && out_digest)
        *out_digest = g_strdup (oci_source_manifest_digest (src));
    }
  g_clear_pointer (&src, oci_source_free);
  oci_rm_tree (tmpl);
  if (!ok)
    return g_propagate_error (error, g_steal_pointer (&local)), FALSE;
  if (out_pushed)
    *out_pushed = pushed;
  return TRUE;
}
