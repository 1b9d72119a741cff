/* crawler/store-link.c: which image version of the store a container runs.
 *
 * Runtimes record the image by config digest (podman's and docker's image
 * id), often by manifest digest, and by the reference it was started
 * with, which may have moved since. The config digest names the exact
 * filesystem, so it is tried first, against every version of every branch
 * (a container keeps running an old version after the tag moved on); then
 * the manifest digest; then the reference's current head.
 *
 * A crawl of many containers asks this once per container: the versions
 * are kept per store path and rebuilt only when a branch head moved. The
 * history below a head is immutable, so a head seen once is never walked
 * again.
 */
#include "crawler/crawler.h"

#include <string.h>

typedef struct {
  char *reference;   /* of the branch (its head's reference) */
  char *commit;
  char *config_digest;
  char *manifest_digest;
} Version;

static void
version_free (Version *v)
{
  g_free (v->reference);
  g_free (v->commit);
  g_free (v->config_digest);
  g_free (v->manifest_digest);
  g_free (v);
}

typedef struct {
  char *heads;        /* "commit\n" per branch head, sorted: the cache key */
  GPtrArray *versions;/* Version*: heads first (by reference), then history */
} StoreVersions;

static GMutex cache_lock;
static GHashTable *cache;   /* store path -> StoreVersions* */

static void
store_versions_free (StoreVersions *sv)
{
  g_free (sv->heads);
  g_ptr_array_unref (sv->versions);
  g_free (sv);
}

static Version *
version_new (const char *reference, const StoreImage *img)
{
  Version *v = g_new0 (Version, 1);
  v->reference = g_strdup (reference);
  v->commit = g_strdup (img->commit);
  v->config_digest = g_strdup (img->config_digest);
  v->manifest_digest = g_strdup (img->manifest_digest);
  return v;
}

static StoreVersions *
versions_build (CtrStore *store, GPtrArray *heads, char *key, GError **error)
{
  g_autoptr(GPtrArray) versions = g_ptr_array_new_with_free_func ((GDestroyNotify) version_free);
  for (guint i = 0; i < heads->len; i++)
    {
      StoreImage *h = heads->pdata[i];
      g_ptr_array_add (versions, version_new (h->reference, h));
    }
  for (guint i = 0; i < heads->len; i++)
    {
      StoreImage *h = heads->pdata[i];
      g_autoptr(GPtrArray) hist = store_history (store, h->commit, 0, error);
      if (!hist)
        return NULL;
      for (guint j = 1; j < hist->len; j++)   /* [0] is the head itself */
        g_ptr_array_add (versions, version_new (h->reference, hist->pdata[j]));
    }
  StoreVersions *sv = g_new0 (StoreVersions, 1);
  sv->heads = key;
  sv->versions = g_steal_pointer (&versions);
  return sv;
}

/* The store's versions, from the cache when no head moved. Returns a new
 * reference to the array. */
static GPtrArray *
versions_get (CtrStore *store, GError **error)
{
  g_autoptr(GPtrArray) heads = store_image_list (store, error);
  if (!heads)
    return NULL;
  g_autoptr(GString) key = g_string_new ("");
  for (guint i = 0; i < heads->len; i++)
    g_string_append_printf (key, "%s\n", ((StoreImage *) heads->pdata[i])->commit);

  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&cache_lock);
  if (!cache)
    cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                   (GDestroyNotify) store_versions_free);
  StoreVersions *sv = g_hash_table_lookup (cache, store_path (store));
  if (sv && g_str_equal (sv->heads, key->str))
    return g_ptr_array_ref (sv->versions);
  sv = versions_build (store, heads, g_string_free (g_steal_pointer (&key), FALSE), error);
  if (!sv)
    return NULL;
  g_hash_table_replace (cache, g_strdup (store_path (store)), sv);
  return g_ptr_array_ref (sv->versions);
}

/* "sha256:HEX", or NULL: runtimes write the id with or without the prefix. */
static char *
digest_normalize (const char *d)
{
  if (!d || !*d)
    return NULL;
  if (g_str_has_prefix (d, OCI_DIGEST_PREFIX))
    return g_strdup (d);
  if (strchr (d, ':'))
    return NULL;   /* another algorithm: the store has none */
  return g_strconcat (OCI_DIGEST_PREFIX, d, NULL);
}

/* Among versions with this digest, the one on the container's own branch
 * if there is one, else the first (a head before history). */
static Version *
find_by (GPtrArray *versions, gsize field_offset, const char *digest, const char *image_ref)
{
  Version *first = NULL;
  for (guint i = 0; digest && i < versions->len; i++)
    {
      Version *v = versions->pdata[i];
      const char *d = G_STRUCT_MEMBER (const char *, v, field_offset);
      if (!d || !g_str_equal (d, digest))
        continue;
      if (image_ref && g_str_equal (v->reference, image_ref))
        return v;
      if (!first)
        first = v;
    }
  return first;
}

static void
link_to (CrawlTarget *t, const char *reference, const char *commit)
{
  g_free (t->store_ref);
  g_free (t->store_commit);
  t->store_ref = g_strdup (reference);
  t->store_commit = g_strdup (commit);
}

gboolean
crawl_store_link (CtrStore *store, CrawlTarget *t, GError **error)
{
  if (!store || t->kind != CRAWL_TARGET_CONTAINER)
    return FALSE;
  g_autoptr(GPtrArray) versions = versions_get (store, error);
  if (!versions)
    return FALSE;
  g_autofree char *config = digest_normalize (t->image_id);
  g_autofree char *manifest = digest_normalize (t->image_digest);
  Version *v = find_by (versions, G_STRUCT_OFFSET (Version, config_digest), config, t->image_ref);
  if (!v)
    v = find_by (versions, G_STRUCT_OFFSET (Version, manifest_digest), manifest, t->image_ref);
  if (v)
    {
      link_to (t, v->reference, v->commit);
      return TRUE;
    }
  if (!t->image_ref)
    return FALSE;
  /* By name only when the runtime gave no digest we could check: a digest
   * that matches nothing means the store's version is not what runs. */
  if (config || manifest)
    return FALSE;
  g_autofree char *ref = NULL, *commit = NULL;
  if (!store_resolve_image (store, t->image_ref, &ref, &commit, NULL))
    return FALSE;
  link_to (t, ref, commit);
  return TRUE;
}
