/* oci/document.c: media types, and the JSON documents of an image (manifest,
 * index, config) read from untrusted sources, plus platforms.
 *
 * Every document passes through oci_json_load, which applies the size and
 * depth limits before Jansson sees a byte, and refuses duplicate keys (two
 * readers of one manifest must not see two different images).  Parsers then
 * check each field they use; an error names the field by its path in the
 * document, e.g. `manifest: "layers[2].size" must be a non-negative integer`.
 */
#include "oci/oci.h"
#include "oci/oci-limits.h"

#include <string.h>
#include <sys/utsname.h>

/* ---- media types -------------------------------------------------------- */

static const struct {
  const char *media_type;
  OciKind kind;
} media_types[] = {
  { OCI_MT_IMAGE_INDEX, OCI_KIND_INDEX },
  { DOCKER_MT_MANIFEST_LIST, OCI_KIND_INDEX },
  { OCI_MT_IMAGE_MANIFEST, OCI_KIND_MANIFEST },
  { DOCKER_MT_MANIFEST, OCI_KIND_MANIFEST },
  { DOCKER_MT_MANIFEST_V1, OCI_KIND_SCHEMA1 },
  { DOCKER_MT_MANIFEST_V1_SIGNED, OCI_KIND_SCHEMA1 },
  { OCI_MT_IMAGE_CONFIG, OCI_KIND_CONFIG },
  { DOCKER_MT_CONFIG, OCI_KIND_CONFIG },
  /* Only the layer types we can unpack: tar+xz and the deprecated
   * "nondistributable" OCI types stay OCI_KIND_UNKNOWN. */
  { OCI_MT_LAYER_TAR, OCI_KIND_LAYER },
  { OCI_MT_LAYER_GZIP, OCI_KIND_LAYER },
  { OCI_MT_LAYER_ZSTD, OCI_KIND_LAYER },
  { DOCKER_MT_LAYER_GZIP, OCI_KIND_LAYER },
  { DOCKER_MT_LAYER_FOREIGN, OCI_KIND_LAYER },
};

/* Exact comparison, as docker and containerd do: a media type in a manifest
 * carries no parameters, and registries echo it byte for byte. */
OciKind
oci_media_type_kind (const char *media_type)
{
  if (media_type == NULL)
    return OCI_KIND_UNKNOWN;
  for (gsize i = 0; i < G_N_ELEMENTS (media_types); i++)
    if (strcmp (media_type, media_types[i].media_type) == 0)
      return media_types[i].kind;
  return OCI_KIND_UNKNOWN;
}

/* ---- JSON loading ------------------------------------------------------- */

/* Jansson recurses once per level and allows 2048 of them; image documents
 * need fewer than ten.  Counting brackets outside strings costs one pass and
 * refuses a deep document before any allocation. */
static gboolean
check_depth (const guint8 *p, gsize len, GError **error)
{
  gsize depth = 0;
  gboolean in_string = FALSE;
  gboolean escaped = FALSE;

  for (gsize i = 0; i < len; i++)
    {
      guint8 c = p[i];

      if (in_string)
        {
          if (escaped)
            escaped = FALSE;
          else if (c == '\\')
            escaped = TRUE;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > OCI_LIMIT_JSON_DEPTH)
            {
              g_set_error (error, OCI_ERROR, OCI_ERROR_LIMIT,
                           "JSON nests deeper than OCI_LIMIT_JSON_DEPTH (%d) at byte %zu",
                           OCI_LIMIT_JSON_DEPTH, i);
              return FALSE;
            }
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }
  return TRUE;
}

/* Jansson's message quotes the text near the error, which is untrusted. */
static void
make_printable (char *s)
{
  for (; *s; s++)
    if ((guchar) *s < 0x20 || (guchar) *s >= 0x7f)
      *s = '?';
}

json_t *
oci_json_load (const void *buf, gsize len, gsize max_size, GError **error)
{
  json_error_t jerr;
  json_t *root;

  g_return_val_if_fail (buf != NULL || len == 0, NULL);

  if (len > max_size)
    {
      g_set_error (error, OCI_ERROR, OCI_ERROR_LIMIT,
                   "JSON document is %zu bytes, over the limit of %zu bytes", len, max_size);
      return NULL;
    }
  if (!check_depth (buf, len, error))
    return NULL;

  root = json_loadb (len ? buf : "", len, JSON_REJECT_DUPLICATES, &jerr);
  if (root == NULL)
    {
      make_printable (jerr.text);
      g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID,
                   "invalid JSON at line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
      return NULL;
    }
  return root;
}

/* ---- field access with messages ---------------------------------------- */

/* The path of a member for messages: "layers[2]" + "size" -> "layers[2].size". */
static char *
field (const char *parent, const char *key)
{
  if (parent == NULL || *parent == '\0')
    return g_strdup (key);
  return g_strconcat (parent, ".", key, NULL);
}

static gboolean
fail_field (GError **error, int code, const char *path, const char *what)
{
  g_autofree char *q = oci_quote (path);

  g_set_error (error, OCI_ERROR, code, "%s %s", q, what);
  return FALSE;
}

/* The same for member key of parent; the path is built only on failure. */
static gboolean
fail_member (GError **error, const char *parent, const char *key, const char *what)
{
  g_autofree char *path = field (parent, key);

  return fail_field (error, OCI_ERROR_INVALID, path, what);
}

/* Optional members may also be null: Go's encoder writes nil maps and
 * slices as null unless the field says omitempty, and tools differ. */
static json_t *
member (json_t *obj, const char *key, gboolean required)
{
  json_t *v = json_object_get (obj, key);

  if (!required && json_is_null (v))
    return NULL;
  return v;
}

static gboolean
get_string (json_t *obj, const char *parent, const char *key, gboolean required,
            gboolean nonempty, const char **out, GError **error)
{
  json_t *v = member (obj, key, required);

  *out = NULL;
  if (v == NULL)
    return required ? fail_member (error, parent, key, "is missing") : TRUE;
  if (!json_is_string (v) || (nonempty && json_string_length (v) == 0))
    return fail_member (error, parent, key,
                        nonempty ? "must be a non-empty string" : "must be a string");
  *out = json_string_value (v);
  return TRUE;
}

static gboolean
get_object (json_t *obj, const char *parent, const char *key, gboolean required,
            json_t **out, GError **error)
{
  json_t *v = member (obj, key, required);

  *out = NULL;
  if (v == NULL)
    return required ? fail_member (error, parent, key, "is missing") : TRUE;
  if (!json_is_object (v))
    return fail_member (error, parent, key, "must be an object");
  *out = v;
  return TRUE;
}

static gboolean
get_array (json_t *obj, const char *parent, const char *key, gboolean required,
           gsize limit, const char *limit_name, json_t **out, GError **error)
{
  json_t *v = member (obj, key, required);

  *out = NULL;
  if (v == NULL)
    return required ? fail_member (error, parent, key, "is missing") : TRUE;
  if (!json_is_array (v))
    return fail_member (error, parent, key, "must be an array");
  if (json_array_size (v) > limit)
    {
      g_autofree char *path = field (parent, key);
      g_autofree char *q = oci_quote (path);
      g_set_error (error, OCI_ERROR, OCI_ERROR_LIMIT, "%s has %zu entries, over %s (%zu)",
                   q, json_array_size (v), limit_name, limit);
      return FALSE;
    }
  *out = v;
  return TRUE;
}

static gboolean
get_digest (json_t *obj, const char *parent, const char *key, char **out, GError **error)
{
  const char *s;

  if (!get_string (obj, parent, key, TRUE, FALSE, &s, error))
    return FALSE;
  if (!oci_digest_validate (s, error))
    {
      g_autofree char *path = field (parent, key);
      g_autofree char *q = oci_quote (path);
      g_prefix_error (error, "%s: ", q);
      return FALSE;
    }
  *out = g_strdup (s);
  return TRUE;
}

static gboolean
check_schema_version (json_t *root, GError **error)
{
  json_t *v = json_object_get (root, "schemaVersion");

  if (v == NULL)
    return fail_field (error, OCI_ERROR_INVALID, "schemaVersion", "is missing");
  if (!json_is_integer (v))
    return fail_field (error, OCI_ERROR_INVALID, "schemaVersion", "must be an integer");
  if (json_integer_value (v) == 1)
    {
      g_set_error_literal (error, OCI_ERROR, OCI_ERROR_UNSUPPORTED,
                           "docker schema1 manifests are not supported");
      return FALSE;
    }
  if (json_integer_value (v) != 2)
    {
      g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID,
                   "\"schemaVersion\" must be 2, not %" JSON_INTEGER_FORMAT,
                   json_integer_value (v));
      return FALSE;
    }
  return TRUE;
}

static GHashTable *
annotations_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static gboolean
parse_annotations (json_t *obj, const char *parent, GHashTable **out, GError **error)
{
  g_autoptr(GHashTable) table = NULL;
  json_t *v;
  const char *key;
  json_t *value;

  *out = NULL;
  if (!get_object (obj, parent, "annotations", FALSE, &v, error))
    return FALSE;
  if (v == NULL)
    return TRUE;

  table = annotations_new ();
  json_object_foreach (v, key, value)
    {
      if (!json_is_string (value))
        {
          g_autofree char *p = field (parent, "annotations");
          g_autofree char *path = g_strconcat (p, ".", key, NULL);
          return fail_field (error, OCI_ERROR_INVALID, path, "must be a string");
        }
      g_hash_table_insert (table, g_strdup (key), g_strdup (json_string_value (value)));
    }
  *out = g_steal_pointer (&table);
  return TRUE;
}

static gboolean
parse_platform (json_t *obj, const char *parent, OciPlatform **out, GError **error)
{
  g_autoptr(OciPlatform) p = NULL;
  g_autofree char *path = field (parent, "platform");
  json_t *v;
  const char *os, *arch, *variant, *os_version;

  *out = NULL;
  if (!get_object (obj, parent, "platform", FALSE, &v, error))
    return FALSE;
  if (v == NULL)
    return TRUE;
  if (!get_string (v, path, "os", TRUE, TRUE, &os, error)
      || !get_string (v, path, "architecture", TRUE, TRUE, &arch, error)
      || !get_string (v, path, "variant", FALSE, FALSE, &variant, error)
      || !get_string (v, path, "os.version", FALSE, FALSE, &os_version, error))
    return FALSE;

  p = oci_platform_new (os, arch, variant && *variant ? variant : NULL);
  p->os_version = g_strdup (os_version);
  *out = g_steal_pointer (&p);
  return TRUE;
}

static gboolean
parse_descriptor (json_t *v, const char *path, gboolean with_platform,
                  OciDescriptor **out, GError **error)
{
  g_autoptr(OciDescriptor) d = g_new0 (OciDescriptor, 1);
  const char *media_type;
  json_t *size;

  if (!json_is_object (v))
    return fail_field (error, OCI_ERROR_INVALID, path, "must be an object");
  if (!get_string (v, path, "mediaType", TRUE, TRUE, &media_type, error))
    return FALSE;
  d->media_type = g_strdup (media_type);
  if (!get_digest (v, path, "digest", &d->digest, error))
    return FALSE;

  size = json_object_get (v, "size");
  if (size == NULL || !json_is_integer (size) || json_integer_value (size) < 0)
    return fail_member (error, path, "size",
                        size == NULL ? "is missing" : "must be a non-negative integer");
  d->size = json_integer_value (size);

  if (!parse_annotations (v, path, &d->annotations, error))
    return FALSE;
  if (with_platform && !parse_platform (v, path, &d->platform, error))
    return FALSE;

  *out = g_steal_pointer (&d);
  return TRUE;
}

/* Loads a document of one kind: size limit named, then JSON, then object. */
static json_t *
load_object (const void *buf, gsize len, gsize limit, const char *limit_name, GError **error)
{
  g_autoptr(json_t) root = NULL;

  if (len > limit)
    {
      g_set_error (error, OCI_ERROR, OCI_ERROR_LIMIT, "%zu bytes, over %s (%zu bytes)",
                   len, limit_name, limit);
      return NULL;
    }
  root = oci_json_load (buf, len, limit, error);
  if (root == NULL)
    return NULL;
  if (!json_is_object (root))
    {
      g_set_error_literal (error, OCI_ERROR, OCI_ERROR_INVALID, "not a JSON object");
      return NULL;
    }
  return g_steal_pointer (&root);
}

static gboolean
refuse_media_type (const char *media_type, OciKind want, GError **error)
{
  OciKind kind = oci_media_type_kind (media_type);
  g_autofree char *q = NULL;

  if (kind == want)
    return TRUE;
  q = oci_quote (media_type);
  if (kind == OCI_KIND_SCHEMA1)
    g_set_error_literal (error, OCI_ERROR, OCI_ERROR_UNSUPPORTED,
                         "docker schema1 manifests are not supported");
  else if (kind == OCI_KIND_INDEX)
    g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID,
                 "\"mediaType\" %s is an image index, not a manifest", q);
  else if (kind == OCI_KIND_MANIFEST)
    g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID,
                 "\"mediaType\" %s is an image manifest, not an index", q);
  else
    g_set_error (error, OCI_ERROR, OCI_ERROR_UNSUPPORTED,
                 "\"mediaType\" %s is not %s", q,
                 want == OCI_KIND_INDEX ? "an image index type" : "an image manifest type");
  return FALSE;
}

/* ---- manifest ----------------------------------------------------------- */

static gboolean
manifest_parse (const void *buf, gsize len, OciManifest **out, GError **error)
{
  g_autoptr(json_t) root = NULL;
  g_autoptr(OciManifest) m = NULL;
  g_autoptr(OciDescriptor) config = NULL;
  const char *media_type;
  json_t *v;
  json_t *layers;
  gsize i;

  root = load_object (buf, len, OCI_LIMIT_MANIFEST_SIZE, "OCI_LIMIT_MANIFEST_SIZE", error);
  if (root == NULL)
    return FALSE;

  /* mediaType first: a schema1 manifest says so there, and its other
   * fields would only produce a less helpful message. */
  if (!get_string (root, NULL, "mediaType", FALSE, FALSE, &media_type, error))
    return FALSE;
  if (media_type != NULL && !refuse_media_type (media_type, OCI_KIND_MANIFEST, error))
    return FALSE;
  if (!check_schema_version (root, error))
    return FALSE;

  if (!get_object (root, NULL, "config", TRUE, &v, error)
      || !parse_descriptor (v, "config", FALSE, &config, error))
    return FALSE;
  if (oci_media_type_kind (config->media_type) != OCI_KIND_CONFIG)
    {
      g_autofree char *q = oci_quote (config->media_type);
      g_set_error (error, OCI_ERROR, OCI_ERROR_UNSUPPORTED,
                   "\"config.mediaType\" %s is not an image config (not a container image?)", q);
      return FALSE;
    }

  m = oci_manifest_new (media_type, g_steal_pointer (&config));

  if (!get_array (root, NULL, "layers", TRUE, OCI_LIMIT_LAYERS, "OCI_LIMIT_LAYERS", &layers, error))
    return FALSE;
  json_array_foreach (layers, i, v)
    {
      g_autofree char *path = g_strdup_printf ("layers[%zu]", i);
      OciDescriptor *d = NULL;

      if (!parse_descriptor (v, path, FALSE, &d, error))
        return FALSE;
      g_ptr_array_add (m->layers, d);
      if (oci_media_type_kind (d->media_type) != OCI_KIND_LAYER)
        {
          g_autofree char *q = oci_quote (d->media_type);
          g_set_error (error, OCI_ERROR, OCI_ERROR_UNSUPPORTED,
                       "\"%s.mediaType\" %s is not a supported layer type", path, q);
          return FALSE;
        }
    }

  if (!parse_annotations (root, NULL, &m->annotations, error))
    return FALSE;

  *out = g_steal_pointer (&m);
  return TRUE;
}

gboolean
oci_manifest_parse (const void *buf, gsize len, OciManifest **out, GError **error)
{
  g_return_val_if_fail (buf != NULL || len == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  if (!manifest_parse (buf, len, out, error))
    {
      g_prefix_error (error, "manifest: ");
      return FALSE;
    }
  return TRUE;
}

/* ---- index -------------------------------------------------------------- */

static gboolean
index_parse (const void *buf, gsize len, OciIndex **out, GError **error)
{
  g_autoptr(json_t) root = NULL;
  g_autoptr(OciIndex) index = NULL;
  const char *media_type;
  json_t *manifests;
  json_t *v;
  gsize i;

  root = load_object (buf, len, OCI_LIMIT_INDEX_SIZE, "OCI_LIMIT_INDEX_SIZE", error);
  if (root == NULL)
    return FALSE;

  if (!get_string (root, NULL, "mediaType", FALSE, FALSE, &media_type, error))
    return FALSE;
  if (media_type != NULL && !refuse_media_type (media_type, OCI_KIND_INDEX, error))
    return FALSE;
  if (!check_schema_version (root, error))
    return FALSE;

  index = oci_index_new (media_type);
  if (!get_array (root, NULL, "manifests", TRUE, OCI_LIMIT_INDEX_ENTRIES,
                  "OCI_LIMIT_INDEX_ENTRIES", &manifests, error))
    return FALSE;
  /* Entries of any media type are kept (an OCI layout may list signatures
   * and attestations); oci_index_select picks among image manifests. */
  json_array_foreach (manifests, i, v)
    {
      g_autofree char *path = g_strdup_printf ("manifests[%zu]", i);
      OciDescriptor *d = NULL;

      if (!parse_descriptor (v, path, TRUE, &d, error))
        return FALSE;
      g_ptr_array_add (index->manifests, d);
    }

  *out = g_steal_pointer (&index);
  return TRUE;
}

gboolean
oci_index_parse (const void *buf, gsize len, OciIndex **out, GError **error)
{
  g_return_val_if_fail (buf != NULL || len == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  if (!index_parse (buf, len, out, error))
    {
      g_prefix_error (error, "index: ");
      return FALSE;
    }
  return TRUE;
}

/* ---- config ------------------------------------------------------------- */

static gboolean
config_parse (const void *buf, gsize len, OciConfig **out, GError **error)
{
  g_autoptr(json_t) root = NULL;
  g_autoptr(OciConfig) c = g_new0 (OciConfig, 1);
  const char *arch, *os, *variant, *created, *type;
  json_t *rootfs;
  json_t *diff_ids;
  json_t *v;
  gsize i;

  root = load_object (buf, len, OCI_LIMIT_CONFIG_SIZE, "OCI_LIMIT_CONFIG_SIZE", error);
  if (root == NULL)
    return FALSE;

  if (!get_string (root, NULL, "architecture", TRUE, FALSE, &arch, error)
      || !get_string (root, NULL, "os", TRUE, FALSE, &os, error)
      || !get_string (root, NULL, "variant", FALSE, FALSE, &variant, error)
      || !get_string (root, NULL, "created", FALSE, FALSE, &created, error))
    return FALSE;
  c->architecture = g_strdup (arch);
  c->os = g_strdup (os);
  c->variant = g_strdup (variant);
  c->created = g_strdup (created);

  if (!get_object (root, NULL, "rootfs", TRUE, &rootfs, error)
      || !get_string (rootfs, "rootfs", "type", TRUE, FALSE, &type, error))
    return FALSE;
  if (strcmp (type, "layers") != 0)
    {
      g_autofree char *q = oci_quote (type);
      g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID,
                   "\"rootfs.type\" must be \"layers\", not %s", q);
      return FALSE;
    }

  /* docker writes diff_ids with omitempty: an image without layers has none. */
  c->diff_ids = g_ptr_array_new_with_free_func (g_free);
  if (!get_array (rootfs, "rootfs", "diff_ids", FALSE, OCI_LIMIT_LAYERS, "OCI_LIMIT_LAYERS",
                  &diff_ids, error))
    return FALSE;
  if (diff_ids != NULL)
    json_array_foreach (diff_ids, i, v)
      {
        if (!json_is_string (v) || !oci_digest_validate (json_string_value (v), error))
          {
            g_autofree char *path = g_strdup_printf ("rootfs.diff_ids[%zu]", i);
            g_autofree char *q = oci_quote (path);

            if (!json_is_string (v))
              return fail_field (error, OCI_ERROR_INVALID, path, "must be a string");
            g_prefix_error (error, "%s: ", q);
            return FALSE;
          }
        g_ptr_array_add (c->diff_ids, g_strdup (json_string_value (v)));
      }

  c->root = g_steal_pointer (&root);
  *out = g_steal_pointer (&c);
  return TRUE;
}

gboolean
oci_config_parse (const void *buf, gsize len, OciConfig **out, GError **error)
{
  g_return_val_if_fail (buf != NULL || len == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  if (!config_parse (buf, len, out, error))
    {
      g_prefix_error (error, "config: ");
      return FALSE;
    }
  return TRUE;
}

/* ---- document kind ------------------------------------------------------ */

gboolean
oci_document_kind (const void *buf, gsize len, OciKind *out, GError **error)
{
  const gsize limit = MAX (OCI_LIMIT_MANIFEST_SIZE, OCI_LIMIT_INDEX_SIZE);
  g_autoptr(json_t) root = NULL;
  const char *media_type;
  gboolean has_manifests, has_image_fields;
  json_t *version;

  g_return_val_if_fail (buf != NULL || len == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  root = load_object (buf, len, limit,
                      OCI_LIMIT_MANIFEST_SIZE >= OCI_LIMIT_INDEX_SIZE
                        ? "OCI_LIMIT_MANIFEST_SIZE" : "OCI_LIMIT_INDEX_SIZE",
                      error);
  if (root == NULL || !get_string (root, NULL, "mediaType", FALSE, FALSE, &media_type, error))
    {
      g_prefix_error (error, "manifest or index: ");
      return FALSE;
    }

  if (media_type != NULL)
    {
      OciKind kind = oci_media_type_kind (media_type);

      if (kind != OCI_KIND_INDEX && kind != OCI_KIND_MANIFEST && kind != OCI_KIND_SCHEMA1)
        {
          g_autofree char *q = oci_quote (media_type);
          g_set_error (error, OCI_ERROR, OCI_ERROR_UNSUPPORTED,
                       "manifest or index: \"mediaType\" %s is neither an image manifest "
                       "nor an image index type", q);
          return FALSE;
        }
      *out = kind;
      return TRUE;
    }

  /* OCI made mediaType optional until image-spec 1.1 recommended it; tell
   * the two apart by their required members. */
  version = json_object_get (root, "schemaVersion");
  if (json_is_integer (version) && json_integer_value (version) == 1)
    {
      *out = OCI_KIND_SCHEMA1;
      return TRUE;
    }
  has_manifests = json_object_get (root, "manifests") != NULL;
  has_image_fields = json_object_get (root, "config") != NULL
                     || json_object_get (root, "layers") != NULL;
  if (has_manifests == has_image_fields)
    {
      g_set_error_literal (error, OCI_ERROR, OCI_ERROR_INVALID,
                           has_manifests
                             ? "manifest or index: no \"mediaType\", and has both \"manifests\" "
                               "and \"config\"/\"layers\""
                             : "manifest or index: no \"mediaType\", \"manifests\", "
                               "\"config\" or \"layers\"");
      return FALSE;
    }
  *out = has_manifests ? OCI_KIND_INDEX : OCI_KIND_MANIFEST;
  return TRUE;
}

/* ---- serialisation ------------------------------------------------------ */

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Keys sorted bytewise, as Go's encoding/json writes a map; a hash table's
 * order would change the digest from run to run. */
static json_t *
annotations_to_json (GHashTable *table)
{
  g_autofree gpointer *keys = NULL;
  guint n = 0;
  json_t *obj = json_object ();

  keys = g_hash_table_get_keys_as_array (table, &n);
  qsort (keys, n, sizeof (gpointer), compare_strings);
  for (guint i = 0; i < n; i++)
    if (json_object_set_new (obj, keys[i], json_string (g_hash_table_lookup (table, keys[i]))) != 0)
      {
        json_decref (obj);
        return NULL;
      }
  return obj;
}

static gboolean
set (json_t *obj, const char *key, json_t *value)
{
  return value != NULL && json_object_set_new (obj, key, value) == 0;
}

static json_t *
descriptor_to_json (const OciDescriptor *d)
{
  g_autoptr(json_t) obj = json_object ();

  if (!set (obj, "mediaType", json_string (d->media_type))
      || !set (obj, "digest", json_string (d->digest))
      || !set (obj, "size", json_integer (d->size)))
    return NULL;
  if (d->annotations != NULL && g_hash_table_size (d->annotations) > 0
      && !set (obj, "annotations", annotations_to_json (d->annotations)))
    return NULL;
  return g_steal_pointer (&obj);
}

/* Returns NULL (with a critical) only when m cannot be written: a missing
 * field, or a string that is not UTF-8. */
GBytes *
oci_manifest_serialize (const OciManifest *m)
{
  g_autoptr(json_t) root = json_object ();
  g_autoptr(json_t) layers = json_array ();
  gsize size;
  char *buf;

  g_return_val_if_fail (m != NULL && m->config != NULL && m->layers != NULL, NULL);

  for (guint i = 0; i < m->layers->len; i++)
    {
      json_t *d = descriptor_to_json (g_ptr_array_index (m->layers, i));

      if (d == NULL || json_array_append_new (layers, d) != 0)
        {
          g_critical ("oci_manifest_serialize: layer %u has a missing or non-UTF-8 field", i);
          return NULL;
        }
    }

  if (!set (root, "schemaVersion", json_integer (2))
      || (m->media_type != NULL && !set (root, "mediaType", json_string (m->media_type)))
      || !set (root, "config", descriptor_to_json (m->config))
      || !set (root, "layers", g_steal_pointer (&layers))
      || (m->annotations != NULL && g_hash_table_size (m->annotations) > 0
          && !set (root, "annotations", annotations_to_json (m->annotations))))
    {
      g_critical ("oci_manifest_serialize: manifest has a missing or non-UTF-8 field");
      return NULL;
    }

  size = json_dumpb (root, NULL, 0, JSON_COMPACT | JSON_PRESERVE_ORDER);
  buf = g_malloc (size);
  if (json_dumpb (root, buf, size, JSON_COMPACT | JSON_PRESERVE_ORDER) != size)
    g_error ("oci_manifest_serialize: json_dumpb changed its mind about the size");
  return g_bytes_new_take (buf, size);
}

/* ---- platforms ---------------------------------------------------------- */

OciPlatform *
oci_platform_new (const char *os, const char *architecture, const char *variant)
{
  OciPlatform *p;

  g_return_val_if_fail (os != NULL && architecture != NULL, NULL);

  p = g_new0 (OciPlatform, 1);
  p->os = g_strdup (os);
  p->architecture = g_strdup (architecture);
  p->variant = g_strdup (variant);
  return p;
}

OciPlatform *
oci_platform_copy (const OciPlatform *p)
{
  OciPlatform *c;

  if (p == NULL)
    return NULL;
  c = oci_platform_new (p->os, p->architecture, p->variant);
  c->os_version = g_strdup (p->os_version);
  return c;
}

void
oci_platform_free (OciPlatform *p)
{
  if (p == NULL)
    return;
  g_free (p->os);
  g_free (p->architecture);
  g_free (p->variant);
  g_free (p->os_version);
  g_free (p);
}

/* uname's machine names (and the Debian/containerd aliases for them) to
 * GOARCH and variant, as images are labelled. */
static const struct {
  const char *machine;
  const char *arch;
  const char *variant;
} arch_aliases[] = {
  { "x86_64", "amd64", NULL },
  { "x86-64", "amd64", NULL },
  { "i386", "386", NULL },
  { "i486", "386", NULL },
  { "i586", "386", NULL },
  { "i686", "386", NULL },
  { "aarch64", "arm64", "v8" },
  { "armhf", "arm", "v7" },
  { "armel", "arm", "v6" },
  { "armv5l", "arm", "v5" },
  { "armv5tel", "arm", "v5" },
  { "armv5tejl", "arm", "v5" },
  { "armv6l", "arm", "v6" },
  { "armv7l", "arm", "v7" },
  /* A 32-bit ARMv8 userland runs v7 code, and arm/v7 is what images are
   * published for; nobody publishes arm/v8. */
  { "armv8l", "arm", "v7" },
  { "mips", "mips", NULL },
  { "mipsel", "mipsle", NULL },
  { "mips64el", "mips64le", NULL },
  { "loongarch64", "loong64", NULL },
};

/* containerd's defaults: a platform that names no variant means the
 * baseline of its architecture, which for arm64 is v8 and for arm v7. */
static const char *
default_variant (const char *arch)
{
  if (strcmp (arch, "arm64") == 0)
    return "v8";
  if (strcmp (arch, "arm") == 0)
    return "v7";
  return NULL;
}

typedef struct {
  char *os;
  char *arch;
  char *variant;   /* NULL: none */
} NormPlatform;

static void
norm_clear (NormPlatform *n)
{
  g_free (n->os);
  g_free (n->arch);
  g_free (n->variant);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (NormPlatform, norm_clear)

/* Lowercase, architecture aliases resolved, default variant filled in, and
 * the spellings containerd accepts for variants ("8" for "v8") unified. */
static void
norm_platform (const OciPlatform *p, NormPlatform *n)
{
  g_autofree char *arch = g_ascii_strdown (p->architecture, -1);
  g_autofree char *variant = p->variant && *p->variant ? g_ascii_strdown (p->variant, -1) : NULL;

  n->os = g_ascii_strdown (p->os, -1);
  for (gsize i = 0; i < G_N_ELEMENTS (arch_aliases); i++)
    if (strcmp (arch, arch_aliases[i].machine) == 0)
      {
        g_free (arch);
        arch = g_strdup (arch_aliases[i].arch);
        if (variant == NULL)
          variant = g_strdup (arch_aliases[i].variant);
        break;
      }
  if (variant != NULL && g_ascii_isdigit (variant[0]))
    {
      char *v = g_strconcat ("v", variant, NULL);
      g_free (variant);
      variant = v;
    }
  if (variant != NULL && strcmp (variant, "v8.0") == 0 && strcmp (arch, "arm64") == 0)
    {
      g_free (variant);
      variant = g_strdup ("v8");
    }
  /* amd64's baseline is v1, which images never write. */
  if (variant != NULL && strcmp (variant, "v1") == 0 && strcmp (arch, "amd64") == 0)
    g_clear_pointer (&variant, g_free);
  if (variant == NULL)
    variant = g_strdup (default_variant (arch));
  n->arch = g_steal_pointer (&arch);
  n->variant = g_steal_pointer (&variant);
}

OciPlatform *
oci_platform_host (void)
{
  struct utsname u;
  g_autofree char *machine = NULL;
  g_autofree char *os = NULL;

  if (uname (&u) != 0)
    return oci_platform_new ("linux", "unknown", NULL);

  os = g_ascii_strdown (u.sysname, -1);
  machine = g_ascii_strdown (u.machine, -1);
  for (gsize i = 0; i < G_N_ELEMENTS (arch_aliases); i++)
    if (strcmp (machine, arch_aliases[i].machine) == 0)
      return oci_platform_new (os, arch_aliases[i].arch, arch_aliases[i].variant);
  /* ppc64le, s390x, riscv64, mips64 ... are already their GOARCH names. */
  return oci_platform_new (os, machine, default_variant (machine));
}

static gboolean
platform_part_valid (const char *s)
{
  if (*s == '\0')
    return FALSE;
  for (; *s; s++)
    if (!g_ascii_isalnum (*s) && *s != '_' && *s != '-' && *s != '.')
      return FALSE;
  return TRUE;
}

gboolean
oci_platform_parse (const char *text, OciPlatform **out, GError **error)
{
  g_auto(GStrv) parts = NULL;
  guint n;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  parts = g_strsplit (text, "/", 4);
  n = g_strv_length (parts);
  for (guint i = 0; i < n; i++)
    if (!platform_part_valid (parts[i]))
      n = 0;
  if (n != 2 && n != 3)
    {
      g_autofree char *q = oci_quote (text);
      g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID,
                   "invalid platform %s: expected OS/ARCH or OS/ARCH/VARIANT, like \"linux/arm64/v8\"",
                   q);
      return FALSE;
    }
  *out = oci_platform_new (parts[0], parts[1], parts[2]);
  return TRUE;
}

char *
oci_platform_to_string (const OciPlatform *p)
{
  g_return_val_if_fail (p != NULL, NULL);

  if (p->variant != NULL && *p->variant != '\0')
    return g_strconcat (p->os, "/", p->architecture, "/", p->variant, NULL);
  return g_strconcat (p->os, "/", p->architecture, NULL);
}

#define SELECT_LIST_MAX 32

gboolean
oci_index_select (const OciIndex *index, const OciPlatform *want,
                  const OciDescriptor **out, GError **error)
{
  g_auto(NormPlatform) w = { 0 };
  g_autoptr(GString) have = NULL;
  g_autoptr(GHashTable) listed = NULL;
  g_autofree char *want_str = NULL;
  g_autofree char *want_q = NULL;
  guint more = 0;

  g_return_val_if_fail (index != NULL && index->manifests != NULL, FALSE);
  g_return_val_if_fail (want != NULL && want->os != NULL && want->architecture != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  norm_platform (want, &w);
  /* Entries without a platform, and nested indexes, are never picked: the
   * former could be anything, and a platform names one image. */
  for (guint i = 0; i < index->manifests->len; i++)
    {
      const OciDescriptor *d = g_ptr_array_index (index->manifests, i);
      g_auto(NormPlatform) have_p = { 0 };

      if (d->platform == NULL || oci_media_type_kind (d->media_type) != OCI_KIND_MANIFEST)
        continue;
      norm_platform (d->platform, &have_p);
      if (strcmp (w.os, have_p.os) == 0 && strcmp (w.arch, have_p.arch) == 0
          && g_strcmp0 (w.variant, have_p.variant) == 0)
        {
          *out = d;
          return TRUE;
        }
    }

  /* Name what the index offers, each platform once (multi-arch indexes
   * repeat them for attestations), quoted since they come from the index. */
  have = g_string_new (NULL);
  listed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < index->manifests->len; i++)
    {
      const OciDescriptor *d = g_ptr_array_index (index->manifests, i);
      g_autofree char *s = NULL;
      g_autofree char *q = NULL;

      if (d->platform == NULL)
        continue;
      s = oci_platform_to_string (d->platform);
      if (g_hash_table_contains (listed, s))
        continue;
      if (g_hash_table_size (listed) == SELECT_LIST_MAX)
        {
          more++;
          continue;
        }
      q = oci_quote (s);
      g_string_append_printf (have, "%s%s", have->len ? ", " : "", q);
      g_hash_table_add (listed, g_steal_pointer (&s));
    }
  if (more > 0)
    g_string_append_printf (have, " and %u more", more);

  want_str = oci_platform_to_string (want);
  want_q = oci_quote (want_str);
  g_set_error (error, OCI_ERROR, OCI_ERROR_NOT_FOUND,
               "no image for platform %s in the index, which has %s", want_q,
               have->len ? have->str : "no platforms");
  return FALSE;
}

/* ---- constructors and destructors -------------------------------------- */

OciDescriptor *
oci_descriptor_new (const char *media_type, const char *digest, gint64 size)
{
  OciDescriptor *d = g_new0 (OciDescriptor, 1);

  d->media_type = g_strdup (media_type);
  d->digest = g_strdup (digest);
  d->size = size;
  return d;
}

OciDescriptor *
oci_descriptor_copy (const OciDescriptor *d)
{
  OciDescriptor *c;

  g_return_val_if_fail (d != NULL, NULL);

  c = oci_descriptor_new (d->media_type, d->digest, d->size);
  c->platform = oci_platform_copy (d->platform);
  if (d->annotations != NULL)
    {
      GHashTableIter iter;
      gpointer k, v;

      c->annotations = annotations_new ();
      g_hash_table_iter_init (&iter, d->annotations);
      while (g_hash_table_iter_next (&iter, &k, &v))
        g_hash_table_insert (c->annotations, g_strdup (k), g_strdup (v));
    }
  return c;
}

void
oci_descriptor_free (OciDescriptor *d)
{
  if (d == NULL)
    return;
  g_free (d->media_type);
  g_free (d->digest);
  oci_platform_free (d->platform);
  g_clear_pointer (&d->annotations, g_hash_table_unref);
  g_free (d);
}

OciManifest *
oci_manifest_new (const char *media_type, OciDescriptor *config)
{
  OciManifest *m = g_new0 (OciManifest, 1);

  m->media_type = g_strdup (media_type);
  m->config = config;
  m->layers = g_ptr_array_new_with_free_func ((GDestroyNotify) oci_descriptor_free);
  return m;
}

void
oci_manifest_free (OciManifest *m)
{
  if (m == NULL)
    return;
  g_free (m->media_type);
  oci_descriptor_free (m->config);
  g_clear_pointer (&m->layers, g_ptr_array_unref);
  g_clear_pointer (&m->annotations, g_hash_table_unref);
  g_free (m);
}

OciIndex *
oci_index_new (const char *media_type)
{
  OciIndex *i = g_new0 (OciIndex, 1);

  i->media_type = g_strdup (media_type);
  i->manifests = g_ptr_array_new_with_free_func ((GDestroyNotify) oci_descriptor_free);
  return i;
}

void
oci_index_free (OciIndex *i)
{
  if (i == NULL)
    return;
  g_free (i->media_type);
  g_clear_pointer (&i->manifests, g_ptr_array_unref);
  g_free (i);
}

void
oci_config_free (OciConfig *c)
{
  if (c == NULL)
    return;
  g_free (c->architecture);
  g_free (c->os);
  g_free (c->variant);
  g_free (c->created);
  g_clear_pointer (&c->diff_ids, g_ptr_array_unref);
  g_clear_pointer (&c->root, json_decref);
  g_free (c);
}
