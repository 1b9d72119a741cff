/* tests/unit/test-oci-document.c: manifests, indexes and configs as found in
 * registries and archives, the limits on them, their canonical form, media
 * types and platform selection.
 *
 * JSON in this file is written with ' for " (see J()) so it stays readable;
 * expected messages are written the same way.
 */
#include "oci/oci.h"
#include "oci/oci-limits.h"

#include <string.h>
#include <sys/utsname.h>

#define DA "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define DB "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define DC "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
#define DD "sha256:dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"

/* Descriptors in OCI form, for building documents. */
#define OCI_CFG "{'mediaType':'application/vnd.oci.image.config.v1+json','digest':'" DA "','size':1469}"
#define OCI_GZ(d, n) "{'mediaType':'application/vnd.oci.image.layer.v1.tar+gzip','digest':'" d "','size':" #n "}"
#define MANIFEST_WITH(cfg, layers) \
  "{'schemaVersion':2,'mediaType':'application/vnd.oci.image.manifest.v1+json','config':" cfg \
  ",'layers':[" layers "]}"
#define GOOD_LAYERS OCI_GZ (DB, 100) "," OCI_GZ (DC, 200) "," OCI_GZ (DD, 300)

/* What oci_manifest_serialize writes, byte for byte: parsing and writing it
 * again must give the same bytes, hence the same digest. */
static const char canonical_oci_manifest[] =
  "{'schemaVersion':2,'mediaType':'application/vnd.oci.image.manifest.v1+json',"
  "'config':{'mediaType':'application/vnd.oci.image.config.v1+json','digest':'" DA "','size':1469},"
  "'layers':[{'mediaType':'application/vnd.oci.image.layer.v1.tar+gzip','digest':'" DB "','size':29124181},"
  "{'mediaType':'application/vnd.oci.image.layer.v1.tar+zstd','digest':'" DC "','size':32,"
  "'annotations':{'a.first':'1','b.second':'2'}},"
  "{'mediaType':'application/vnd.oci.image.layer.v1.tar','digest':'" DD "','size':0}],"
  "'annotations':{'org.opencontainers.image.created':'2024-01-01T00:00:00Z'}}";

/* As `docker push` writes a schema2 manifest: indented, size before digest,
 * and a foreign layer with urls. */
static const char docker_manifest[] =
  "{\n"
  "   'schemaVersion': 2,\n"
  "   'mediaType': 'application/vnd.docker.distribution.manifest.v2+json',\n"
  "   'config': {\n"
  "      'mediaType': 'application/vnd.docker.container.image.v1+json',\n"
  "      'size': 1469,\n"
  "      'digest': '" DA "'\n"
  "   },\n"
  "   'layers': [\n"
  "      {\n"
  "         'mediaType': 'application/vnd.docker.image.rootfs.diff.tar.gzip',\n"
  "         'size': 29124181,\n"
  "         'digest': '" DB "'\n"
  "      },\n"
  "      {\n"
  "         'mediaType': 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',\n"
  "         'size': 1048576,\n"
  "         'digest': '" DC "',\n"
  "         'urls': ['https://example.com/layer']\n"
  "      }\n"
  "   ]\n"
  "}\n";

static const char oci_index[] =
  "{'schemaVersion':2,'mediaType':'application/vnd.oci.image.index.v1+json','manifests':["
  "{'mediaType':'application/vnd.oci.image.manifest.v1+json','digest':'" DA "','size':1,"
  "'platform':{'architecture':'amd64','os':'linux'}},"
  "{'mediaType':'application/vnd.oci.image.manifest.v1+json','digest':'" DB "','size':2,"
  "'platform':{'architecture':'arm64','os':'linux','variant':'v8'}},"
  "{'mediaType':'application/vnd.oci.image.manifest.v1+json','digest':'" DC "','size':3,"
  "'platform':{'architecture':'arm','os':'linux','variant':'v7'}},"
  "{'mediaType':'application/vnd.oci.image.manifest.v1+json','digest':'" DD "','size':4,"
  "'platform':{'architecture':'arm','os':'linux','variant':'v6'}},"
  "{'mediaType':'application/vnd.oci.image.manifest.v1+json','digest':'" DA "','size':5,"
  "'platform':{'architecture':'unknown','os':'unknown'},"
  "'annotations':{'vnd.docker.reference.type':'attestation-manifest'}},"
  "{'mediaType':'application/vnd.oci.image.manifest.v1+json','digest':'" DB "','size':6,"
  "'platform':{'architecture':'amd64','os':'windows','os.version':'10.0.17763.5458'}},"
  "{'mediaType':'application/vnd.oci.image.index.v1+json','digest':'" DC "','size':7,"
  "'platform':{'architecture':'s390x','os':'linux'}},"
  "{'mediaType':'application/vnd.oci.image.manifest.v1+json','digest':'" DD "','size':8}"
  "]}";

static const char docker_manifest_list[] =
  "{'schemaVersion':2,'mediaType':'application/vnd.docker.distribution.manifest.list.v2+json',"
  "'manifests':["
  "{'mediaType':'application/vnd.docker.distribution.manifest.v2+json','size':528,'digest':'" DA "',"
  "'platform':{'architecture':'ppc64le','os':'linux'}},"
  "{'mediaType':'application/vnd.docker.distribution.manifest.v2+json','size':528,'digest':'" DB "',"
  "'platform':{'architecture':'arm64','os':'linux'}}]}";

static const char oci_config[] =
  "{'architecture':'arm64','os':'linux','variant':'v8','created':'2024-01-02T03:04:05Z',"
  "'config':{'Env':['PATH=/usr/bin'],'Cmd':['bash']},"
  "'rootfs':{'type':'layers','diff_ids':['" DB "','" DC "']},"
  "'history':[{'created_by':'ADD rootfs'}]}";

/* ' -> ", so that JSON and messages can be written without backslashes. */
static char *
J (const char *single_quoted)
{
  char *s = g_strdup (single_quoted);

  for (char *p = s; *p; p++)
    if (*p == '\'')
      *p = '"';
  return s;
}

#define assert_error_contains(err, code, text)                                  \
  G_STMT_START {                                                                \
    g_autofree char *_want = J (text);                                          \
    g_assert_error ((err), OCI_ERROR, (code));                                  \
    if (strstr ((err)->message, _want) == NULL)                                 \
      g_error ("message \"%s\" lacks \"%s\"", (err)->message, _want);           \
  } G_STMT_END

static gboolean
parse_manifest (const char *sq, OciManifest **out, GError **error)
{
  g_autofree char *json = J (sq);
  return oci_manifest_parse (json, strlen (json), out, error);
}

static gboolean
parse_index (const char *sq, OciIndex **out, GError **error)
{
  g_autofree char *json = J (sq);
  return oci_index_parse (json, strlen (json), out, error);
}

static gboolean
parse_config (const char *sq, OciConfig **out, GError **error)
{
  g_autofree char *json = J (sq);
  return oci_config_parse (json, strlen (json), out, error);
}

static const OciDescriptor *
layer (const OciManifest *m, guint i)
{
  g_assert_cmpuint (i, <, m->layers->len);
  return g_ptr_array_index (m->layers, i);
}

/* ---- oci_json_load ------------------------------------------------------ */

static void
test_json_load_good (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(json_t) j = oci_json_load ("{\"a\":[1,{\"b\":null}]}", 20, 20, &error);

  g_assert_no_error (error);
  g_assert_nonnull (j);
  g_assert_cmpint (json_integer_value (json_array_get (json_object_get (j, "a"), 0)), ==, 1);
}

static void
test_json_load_size_limit (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(json_t) j = oci_json_load ("{\"a\":1}", 7, 6, &error);

  g_assert_null (j);
  assert_error_contains (error, OCI_ERROR_LIMIT, "JSON document is 7 bytes, over the limit of 6 bytes");
}

static char *
nested (const char *open, const char *close, int depth, const char *inner)
{
  GString *s = g_string_new (NULL);

  for (int i = 0; i < depth; i++)
    g_string_append (s, open);
  g_string_append (s, inner);
  for (int i = 0; i < depth; i++)
    g_string_append (s, close);
  return g_string_free (s, FALSE);
}

static void
test_json_load_depth_limit (void)
{
  g_autofree char *ok = nested ("[", "]", OCI_LIMIT_JSON_DEPTH, "");
  g_autofree char *deep = nested ("[", "]", OCI_LIMIT_JSON_DEPTH + 1, "");
  g_autofree char *deep_obj = nested ("{\"a\":", "}", OCI_LIMIT_JSON_DEPTH, "[]");
  g_autofree char *very_deep = nested ("[", "]", 100000, "");
  g_autoptr(GError) error = NULL;
  json_t *j;

  j = oci_json_load (ok, strlen (ok), G_MAXSIZE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (j);
  json_decref (j);

  g_assert_null (oci_json_load (deep, strlen (deep), G_MAXSIZE, &error));
  assert_error_contains (error, OCI_ERROR_LIMIT, "JSON nests deeper than OCI_LIMIT_JSON_DEPTH (64) at byte 64");
  g_clear_error (&error);
  g_assert_null (oci_json_load (deep_obj, strlen (deep_obj), G_MAXSIZE, &error));
  assert_error_contains (error, OCI_ERROR_LIMIT, "OCI_LIMIT_JSON_DEPTH");
  g_clear_error (&error);
  /* far past Jansson's own 2048, which would otherwise be the only guard */
  g_assert_null (oci_json_load (very_deep, strlen (very_deep), G_MAXSIZE, &error));
  assert_error_contains (error, OCI_ERROR_LIMIT, "OCI_LIMIT_JSON_DEPTH");
}

/* Brackets inside strings, and escaped quotes, are not nesting. */
static void
test_json_load_depth_ignores_strings (void)
{
  g_autofree char *brackets = nested ("[", "", 1000, "");
  /* "b" is \"[[[...[\\ : an escaped quote does not end the string, and an
   * escaped backslash does not escape the closing quote */
  g_autofree char *doc = g_strdup_printf ("{\"a\":\"%s\",\"b\":\"\\\"%s\\\\\",\"c\":[[1]]}",
                                          brackets, brackets);
  g_autofree char *b = g_strdup_printf ("\"%s\\", brackets);
  g_autoptr(GError) error = NULL;
  g_autoptr(json_t) j = oci_json_load (doc, strlen (doc), G_MAXSIZE, &error);

  g_assert_no_error (error);
  g_assert_nonnull (j);
  g_assert_cmpstr (json_string_value (json_object_get (j, "b")), ==, b);
}

typedef struct {
  const char *json;
  const char *message;
} BadJson;

static const BadJson bad_json[] = {
  { "", "invalid JSON at line 1, column 0: '[' or '{' expected near end of file" },
  { "{", "invalid JSON at line 1, column 1: string or '}' expected" },
  { "{\n  \"a\": ,\n}", "invalid JSON at line 2, column 8: unexpected token" },
  { "{\"a\":1,\"a\":2}", "duplicate object key" },
  { "{} x", "end of file expected" },
  { "1", "'[' or '{' expected" },
  { "{\"a\":\"\x01\"}", "control character 0x1" },
  { "{\"a\":\"\xff\"}", "unable to decode byte 0xff" },
  { "{\"a\":\"\\u0000\"}", "is not allowed" },
  { "{\"a\":99999999999999999999}", "too big integer" },
};

static void
test_json_load_bad (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (bad_json); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *q = oci_quote (bad_json[i].json);

      g_test_message ("%s", q);
      g_assert_null (oci_json_load (bad_json[i].json, strlen (bad_json[i].json), 1000, &error));
      g_assert_error (error, OCI_ERROR, OCI_ERROR_INVALID);
      if (strstr (error->message, bad_json[i].message) == NULL)
        g_error ("message \"%s\" lacks \"%s\"", error->message, bad_json[i].message);
      for (const char *p = error->message; *p; p++)
        g_assert_true ((guchar) *p >= 0x20 && (guchar) *p < 0x7f);
    }
}

static void
test_json_load_embedded_nul (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (oci_json_load ("{\"a\":\0}", 7, 100, &error));
  assert_error_contains (error, OCI_ERROR_INVALID, "invalid JSON at line 1");
}

/* ---- manifests ---------------------------------------------------------- */

static void
test_manifest_oci (void)
{
  g_autoptr(OciManifest) m = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (parse_manifest (canonical_oci_manifest, &m, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (m->media_type, ==, OCI_MT_IMAGE_MANIFEST);
  g_assert_cmpstr (m->config->media_type, ==, OCI_MT_IMAGE_CONFIG);
  g_assert_cmpstr (m->config->digest, ==, DA);
  g_assert_cmpint (m->config->size, ==, 1469);
  g_assert_null (m->config->platform);
  g_assert_null (m->config->annotations);
  g_assert_cmpuint (m->layers->len, ==, 3);
  g_assert_cmpstr (layer (m, 0)->media_type, ==, OCI_MT_LAYER_GZIP);
  g_assert_cmpstr (layer (m, 0)->digest, ==, DB);
  g_assert_cmpint (layer (m, 0)->size, ==, 29124181);
  g_assert_cmpstr (layer (m, 1)->media_type, ==, OCI_MT_LAYER_ZSTD);
  g_assert_cmpstr (g_hash_table_lookup (layer (m, 1)->annotations, "b.second"), ==, "2");
  g_assert_cmpstr (layer (m, 2)->media_type, ==, OCI_MT_LAYER_TAR);
  g_assert_cmpint (layer (m, 2)->size, ==, 0);
  g_assert_cmpuint (g_hash_table_size (m->annotations), ==, 1);
  g_assert_cmpstr (g_hash_table_lookup (m->annotations, "org.opencontainers.image.created"), ==,
                   "2024-01-01T00:00:00Z");
}

static void
test_manifest_docker_schema2 (void)
{
  g_autoptr(OciManifest) m = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (parse_manifest (docker_manifest, &m, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (m->media_type, ==, DOCKER_MT_MANIFEST);
  g_assert_cmpstr (m->config->media_type, ==, DOCKER_MT_CONFIG);
  g_assert_cmpuint (m->layers->len, ==, 2);
  g_assert_cmpstr (layer (m, 0)->media_type, ==, DOCKER_MT_LAYER_GZIP);
  g_assert_cmpstr (layer (m, 1)->media_type, ==, DOCKER_MT_LAYER_FOREIGN);
  g_assert_cmpint (layer (m, 1)->size, ==, 1048576);
  g_assert_null (m->annotations);
}

/* OCI leaves mediaType optional; an image from scratch has no layers;
 * optional members written as null count as absent. */
static void
test_manifest_optional_parts (void)
{
  g_autoptr(OciManifest) m = NULL;
  g_autoptr(OciManifest) empty = NULL;
  g_autoptr(OciManifest) nulls = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (parse_manifest ("{'schemaVersion':2,'config':" OCI_CFG ",'layers':[" OCI_GZ (DB, 1) "]}",
                                 &m, &error));
  g_assert_no_error (error);
  g_assert_null (m->media_type);
  g_assert_cmpuint (m->layers->len, ==, 1);

  g_assert_true (parse_manifest (MANIFEST_WITH (OCI_CFG, ""), &empty, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (empty->layers->len, ==, 0);

  g_assert_true (parse_manifest ("{'schemaVersion':2,'mediaType':null,'config':" OCI_CFG
                                 ",'layers':[],'annotations':null}", &nulls, &error));
  g_assert_no_error (error);
  g_assert_null (nulls->media_type);
  g_assert_null (nulls->annotations);
}

typedef struct {
  const char *json;
  int code;
  const char *message;
} BadDoc;

static const BadDoc bad_manifests[] = {
  { "{", OCI_ERROR_INVALID, "manifest: invalid JSON at line 1, column 1" },
  { "[]", OCI_ERROR_INVALID, "manifest: not a JSON object" },
  { "{'schemaVersion':2,'config':" OCI_CFG ",'config':" OCI_CFG ",'layers':[]}",
    OCI_ERROR_INVALID, "manifest: invalid JSON at line 1, column 188: duplicate object key" },
  /* schemaVersion and mediaType */
  { "{'config':" OCI_CFG ",'layers':[]}", OCI_ERROR_INVALID, "manifest: 'schemaVersion' is missing" },
  { "{'schemaVersion':'2','config':" OCI_CFG ",'layers':[]}", OCI_ERROR_INVALID,
    "manifest: 'schemaVersion' must be an integer" },
  { "{'schemaVersion':3,'config':" OCI_CFG ",'layers':[]}", OCI_ERROR_INVALID,
    "manifest: 'schemaVersion' must be 2, not 3" },
  { "{'schemaVersion':1,'name':'library/debian','tag':'latest','fsLayers':[],'history':[]}",
    OCI_ERROR_UNSUPPORTED, "manifest: docker schema1 manifests are not supported" },
  { "{'schemaVersion':1,'mediaType':'application/vnd.docker.distribution.manifest.v1+prettyjws'}",
    OCI_ERROR_UNSUPPORTED, "manifest: docker schema1 manifests are not supported" },
  { "{'schemaVersion':2,'mediaType':'application/vnd.docker.distribution.manifest.v1+json'}",
    OCI_ERROR_UNSUPPORTED, "manifest: docker schema1 manifests are not supported" },
  { "{'schemaVersion':2,'mediaType':'application/vnd.oci.image.index.v1+json','manifests':[]}",
    OCI_ERROR_INVALID,
    "manifest: 'mediaType' 'application/vnd.oci.image.index.v1+json' is an image index, not a manifest" },
  { "{'schemaVersion':2,'mediaType':'application/vnd.oci.artifact.manifest.v1+json'}",
    OCI_ERROR_UNSUPPORTED,
    "manifest: 'mediaType' 'application/vnd.oci.artifact.manifest.v1+json' is not an image manifest type" },
  { "{'schemaVersion':2,'mediaType':5,'config':" OCI_CFG ",'layers':[]}", OCI_ERROR_INVALID,
    "manifest: 'mediaType' must be a string" },
  /* config */
  { "{'schemaVersion':2,'layers':[]}", OCI_ERROR_INVALID, "manifest: 'config' is missing" },
  { "{'schemaVersion':2,'config':[],'layers':[]}", OCI_ERROR_INVALID, "manifest: 'config' must be an object" },
  { MANIFEST_WITH ("{'digest':'" DA "','size':1}", ""), OCI_ERROR_INVALID,
    "manifest: 'config.mediaType' is missing" },
  { MANIFEST_WITH ("{'mediaType':'','digest':'" DA "','size':1}", ""), OCI_ERROR_INVALID,
    "manifest: 'config.mediaType' must be a non-empty string" },
  { MANIFEST_WITH ("{'mediaType':'application/vnd.cncf.helm.config.v1+json','digest':'" DA "','size':1}", ""),
    OCI_ERROR_UNSUPPORTED,
    "manifest: 'config.mediaType' 'application/vnd.cncf.helm.config.v1+json' is not an image config" },
  { MANIFEST_WITH ("{'mediaType':'application/vnd.oci.image.config.v1+json','size':1}", ""),
    OCI_ERROR_INVALID, "manifest: 'config.digest' is missing" },
  { MANIFEST_WITH ("{'mediaType':'application/vnd.oci.image.config.v1+json','digest':'sha256:abc','size':1}", ""),
    OCI_ERROR_INVALID, "manifest: 'config.digest': digest 'sha256:abc' has 3 hex characters, expected 64" },
  { MANIFEST_WITH ("{'mediaType':'application/vnd.oci.image.config.v1+json','digest':7,'size':1}", ""),
    OCI_ERROR_INVALID, "manifest: 'config.digest' must be a string" },
  { MANIFEST_WITH ("{'mediaType':'application/vnd.oci.image.config.v1+json','digest':'" DA "'}", ""),
    OCI_ERROR_INVALID, "manifest: 'config.size' is missing" },
  { MANIFEST_WITH ("{'mediaType':'application/vnd.oci.image.config.v1+json','digest':'" DA "','size':-1}", ""),
    OCI_ERROR_INVALID, "manifest: 'config.size' must be a non-negative integer" },
  { MANIFEST_WITH ("{'mediaType':'application/vnd.oci.image.config.v1+json','digest':'" DA "','size':1.5}", ""),
    OCI_ERROR_INVALID, "manifest: 'config.size' must be a non-negative integer" },
  { MANIFEST_WITH ("{'mediaType':'application/vnd.oci.image.config.v1+json','digest':'" DA "','size':'1'}", ""),
    OCI_ERROR_INVALID, "manifest: 'config.size' must be a non-negative integer" },
  { MANIFEST_WITH ("{'mediaType':'application/vnd.oci.image.config.v1+json','digest':'" DA "','size':null}", ""),
    OCI_ERROR_INVALID, "manifest: 'config.size' must be a non-negative integer" },
  { MANIFEST_WITH ("{'mediaType':'application/vnd.oci.image.config.v1+json','digest':'" DA "','size':1,"
                   "'annotations':{'k':1}}", ""),
    OCI_ERROR_INVALID, "manifest: 'config.annotations.k' must be a string" },
  /* layers */
  { "{'schemaVersion':2,'config':" OCI_CFG "}", OCI_ERROR_INVALID, "manifest: 'layers' is missing" },
  { "{'schemaVersion':2,'config':" OCI_CFG ",'layers':null}", OCI_ERROR_INVALID,
    "manifest: 'layers' must be an array" },
  { "{'schemaVersion':2,'config':" OCI_CFG ",'layers':{}}", OCI_ERROR_INVALID,
    "manifest: 'layers' must be an array" },
  { MANIFEST_WITH (OCI_CFG, "'x'"), OCI_ERROR_INVALID, "manifest: 'layers[0]' must be an object" },
  { MANIFEST_WITH (OCI_CFG, OCI_GZ (DB, 1) "," OCI_GZ (DC, 2) "," OCI_GZ (DD, -3)), OCI_ERROR_INVALID,
    "manifest: 'layers[2].size' must be a non-negative integer" },
  { MANIFEST_WITH (OCI_CFG, OCI_GZ (DB, 1) ",{'mediaType':'application/vnd.oci.image.layer.v1.tar+xz',"
                   "'digest':'" DC "','size':2}"),
    OCI_ERROR_UNSUPPORTED,
    "manifest: 'layers[1].mediaType' 'application/vnd.oci.image.layer.v1.tar+xz' is not a supported layer type" },
  { MANIFEST_WITH (OCI_CFG, "{'mediaType':'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',"
                   "'digest':'" DC "','size':2}"),
    OCI_ERROR_UNSUPPORTED, "is not a supported layer type" },
  { MANIFEST_WITH (OCI_CFG, "{'mediaType':'application/vnd.oci.image.layer.v1.tar+gzip','size':2,"
                   "'digest':'sha512:cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
                   "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e'}"),
    OCI_ERROR_UNSUPPORTED, "manifest: 'layers[0].digest': digest 'sha512:" },
  { MANIFEST_WITH (OCI_CFG, "{'mediaType':'application/vnd.oci.image.layer.v1.tar+gzip','size':2,"
                   "'digest':'sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'}"),
    OCI_ERROR_INVALID, "manifest: 'layers[0].digest': digest 'sha256:AAAA" },
  { MANIFEST_WITH (OCI_CFG, "{'mediaType':'application/vnd.oci.image.layer.v1.tar+gzip','size':2,"
                   "'digest':'" DB "','annotations':[]}"),
    OCI_ERROR_INVALID, "manifest: 'layers[0].annotations' must be an object" },
  /* annotations */
  { "{'schemaVersion':2,'config':" OCI_CFG ",'layers':[],'annotations':[]}", OCI_ERROR_INVALID,
    "manifest: 'annotations' must be an object" },
  { "{'schemaVersion':2,'config':" OCI_CFG ",'layers':[],'annotations':{'ok':'1','foo':2}}",
    OCI_ERROR_INVALID, "manifest: 'annotations.foo' must be a string" },
  /* bytes that are not text */
  { "{'schemaVersion':2,'config':" OCI_CFG ",'layers':[],'annotations':{'k':'\xc3'}}",
    OCI_ERROR_INVALID, "manifest: invalid JSON" },
};

static void
check_bad_docs (const BadDoc *docs, gsize n,
                gboolean (*parse) (const char *, gpointer *, GError **))
{
  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      gpointer out = NULL;
      g_autofree char *q = oci_quote (docs[i].json);

      g_test_message ("%s", q);
      g_assert_false (parse (docs[i].json, &out, &error));
      g_assert_null (out);
      assert_error_contains (error, docs[i].code, docs[i].message);
    }
}

static void
test_manifest_bad (void)
{
  check_bad_docs (bad_manifests, G_N_ELEMENTS (bad_manifests),
                  (gboolean (*) (const char *, gpointer *, GError **)) parse_manifest);
}

static char *
manifest_with_layers (guint n)
{
  GString *s = g_string_new ("{\"schemaVersion\":2,\"config\":");
  g_autofree char *cfg = J (OCI_CFG);
  g_autofree char *gz = J (OCI_GZ (DB, 1));

  g_string_append (s, cfg);
  g_string_append (s, ",\"layers\":[");
  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_c (s, ',');
      g_string_append (s, gz);
    }
  g_string_append (s, "]}");
  return g_string_free (s, FALSE);
}

static void
test_manifest_layer_limit (void)
{
  g_autofree char *at_limit = manifest_with_layers (OCI_LIMIT_LAYERS);
  g_autofree char *over = manifest_with_layers (OCI_LIMIT_LAYERS + 1);
  g_autoptr(OciManifest) m = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (oci_manifest_parse (at_limit, strlen (at_limit), &m, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (m->layers->len, ==, OCI_LIMIT_LAYERS);
  g_clear_pointer (&m, oci_manifest_free);

  g_assert_false (oci_manifest_parse (over, strlen (over), &m, &error));
  assert_error_contains (error, OCI_ERROR_LIMIT,
                         "manifest: 'layers' has 1025 entries, over OCI_LIMIT_LAYERS (1024)");
}

/* A document padded with whitespace to exactly the limit passes; one more
 * byte fails before it is parsed, naming the limit. */
static void
test_manifest_size_limit (void)
{
  g_autofree char *json = J (canonical_oci_manifest);
  gsize n = OCI_LIMIT_MANIFEST_SIZE;
  g_autofree char *buf = g_malloc (n + 1);
  g_autoptr(OciManifest) m = NULL;
  g_autoptr(GError) error = NULL;

  memset (buf, ' ', n + 1);
  memcpy (buf, json, strlen (json));
  g_assert_true (oci_manifest_parse (buf, n, &m, &error));
  g_assert_no_error (error);
  g_clear_pointer (&m, oci_manifest_free);

  g_assert_false (oci_manifest_parse (buf, n + 1, &m, &error));
  assert_error_contains (error, OCI_ERROR_LIMIT,
                         "manifest: 4194305 bytes, over OCI_LIMIT_MANIFEST_SIZE (4194304 bytes)");
}

static void
test_manifest_deep_nesting (void)
{
  g_autofree char *deep = nested ("[", "]", 70, "");
  g_autofree char *doc = g_strdup_printf ("{'schemaVersion':2,'config':" OCI_CFG
                                          ",'layers':[],'annotations':{'x':%s}}", deep);
  g_autoptr(OciManifest) m = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (parse_manifest (doc, &m, &error));
  assert_error_contains (error, OCI_ERROR_LIMIT, "manifest: JSON nests deeper than OCI_LIMIT_JSON_DEPTH (64)");
}

/* Messages show what the document said, escaped and cut short. */
static void
test_manifest_messages_escape_document_text (void)
{
  g_autofree char *long_type = g_strnfill (10000, 'x');
  g_autofree char *doc = g_strdup_printf ("{'schemaVersion':2,'mediaType':'%s'}", long_type);
  g_autoptr(OciManifest) m = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (parse_manifest (doc, &m, &error));
  assert_error_contains (error, OCI_ERROR_UNSUPPORTED, "xxx...' is not an image manifest type");
  g_assert_cmpuint (strlen (error->message), <, 200);
  g_clear_error (&error);

  g_assert_false (parse_manifest ("{'schemaVersion':2,'mediaType':'a\\u001b[2Jb'}", &m, &error));
  assert_error_contains (error, OCI_ERROR_UNSUPPORTED, "'a\\x1b[2Jb'");
}

/* ---- serialisation ------------------------------------------------------ */

static void
test_serialize_canonical_round_trip (void)
{
  g_autofree char *json = J (canonical_oci_manifest);
  g_autoptr(OciManifest) m = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autofree char *d1 = NULL;
  g_autofree char *d2 = NULL;
  gsize len;
  const char *data;

  g_assert_true (oci_manifest_parse (json, strlen (json), &m, NULL));
  out = oci_manifest_serialize (m);
  data = g_bytes_get_data (out, &len);
  g_assert_cmpmem (data, len, json, strlen (json));

  d1 = oci_digest_of_bytes (data, len);
  d2 = oci_digest_of_bytes (json, strlen (json));
  g_assert_cmpstr (d1, ==, d2);
}

static void
test_serialize_docker_manifest_is_compact_and_ordered (void)
{
  g_autofree char *expected = J (
    "{'schemaVersion':2,'mediaType':'application/vnd.docker.distribution.manifest.v2+json',"
    "'config':{'mediaType':'application/vnd.docker.container.image.v1+json','digest':'" DA "','size':1469},"
    "'layers':[{'mediaType':'application/vnd.docker.image.rootfs.diff.tar.gzip','digest':'" DB "','size':29124181},"
    "{'mediaType':'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip','digest':'" DC "','size':1048576}]}");
  g_autoptr(OciManifest) m = NULL;
  g_autoptr(OciManifest) again = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) out2 = NULL;
  gsize len;
  const char *data;

  g_assert_true (parse_manifest (docker_manifest, &m, NULL));
  out = oci_manifest_serialize (m);
  data = g_bytes_get_data (out, &len);
  g_assert_cmpmem (data, len, expected, strlen (expected));

  g_assert_true (oci_manifest_parse (data, len, &again, NULL));
  out2 = oci_manifest_serialize (again);
  g_assert_true (g_bytes_equal (out, out2));
}

/* A manifest built in code: annotations come out sorted whatever the
 * insertion order, empty annotations and a NULL mediaType are left out. */
static void
test_serialize_built_manifest (void)
{
  g_autoptr(OciManifest) m = oci_manifest_new (NULL, oci_descriptor_new (OCI_MT_IMAGE_CONFIG, DA, 2));
  OciDescriptor *l = oci_descriptor_new (OCI_MT_LAYER_GZIP, DB, 3);
  g_autofree char *expected = J (
    "{'schemaVersion':2,"
    "'config':{'mediaType':'application/vnd.oci.image.config.v1+json','digest':'" DA "','size':2},"
    "'layers':[{'mediaType':'application/vnd.oci.image.layer.v1.tar+gzip','digest':'" DB "','size':3,"
    "'annotations':{'a':'1','b':'2','c':'\\'q\\''}}],"
    "'annotations':{'A':'x','Z':'y','a':'z'}}");
  g_autoptr(GBytes) out = NULL;

  l->annotations = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert (l->annotations, g_strdup ("c"), g_strdup ("\"q\""));
  g_hash_table_insert (l->annotations, g_strdup ("a"), g_strdup ("1"));
  g_hash_table_insert (l->annotations, g_strdup ("b"), g_strdup ("2"));
  g_ptr_array_add (m->layers, l);
  m->config->annotations = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  m->annotations = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert (m->annotations, g_strdup ("a"), g_strdup ("z"));
  g_hash_table_insert (m->annotations, g_strdup ("Z"), g_strdup ("y"));
  g_hash_table_insert (m->annotations, g_strdup ("A"), g_strdup ("x"));

  out = oci_manifest_serialize (m);
  g_assert_cmpmem (g_bytes_get_data (out, NULL), g_bytes_get_size (out), expected, strlen (expected));
}

/* ---- indexes ------------------------------------------------------------ */

static const OciDescriptor *
entry (const OciIndex *index, guint i)
{
  g_assert_cmpuint (i, <, index->manifests->len);
  return g_ptr_array_index (index->manifests, i);
}

static void
test_index_oci (void)
{
  g_autoptr(OciIndex) index = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (parse_index (oci_index, &index, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (index->media_type, ==, OCI_MT_IMAGE_INDEX);
  g_assert_cmpuint (index->manifests->len, ==, 8);
  g_assert_cmpstr (entry (index, 0)->digest, ==, DA);
  g_assert_cmpstr (entry (index, 0)->platform->os, ==, "linux");
  g_assert_cmpstr (entry (index, 0)->platform->architecture, ==, "amd64");
  g_assert_null (entry (index, 0)->platform->variant);
  g_assert_cmpstr (entry (index, 1)->platform->variant, ==, "v8");
  g_assert_cmpstr (g_hash_table_lookup (entry (index, 4)->annotations, "vnd.docker.reference.type"), ==,
                   "attestation-manifest");
  g_assert_cmpstr (entry (index, 5)->platform->os_version, ==, "10.0.17763.5458");
  g_assert_cmpstr (entry (index, 6)->media_type, ==, OCI_MT_IMAGE_INDEX);
  g_assert_null (entry (index, 7)->platform);
  g_assert_cmpint (entry (index, 7)->size, ==, 8);
}

static void
test_index_docker_manifest_list (void)
{
  g_autoptr(OciIndex) index = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (parse_index (docker_manifest_list, &index, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (index->media_type, ==, DOCKER_MT_MANIFEST_LIST);
  g_assert_cmpuint (index->manifests->len, ==, 2);
  g_assert_cmpstr (entry (index, 0)->media_type, ==, DOCKER_MT_MANIFEST);
  g_assert_cmpstr (entry (index, 0)->platform->architecture, ==, "ppc64le");
  g_assert_cmpint (entry (index, 1)->size, ==, 528);
}

/* An OCI layout's index.json: no mediaType, entries named by annotation. */
static void
test_index_oci_layout_without_media_type (void)
{
  g_autoptr(OciIndex) index = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (parse_index ("{'schemaVersion':2,'manifests':[{'mediaType':"
                              "'application/vnd.oci.image.manifest.v1+json','digest':'" DA "','size':1,"
                              "'annotations':{'org.opencontainers.image.ref.name':'v1'}}]}",
                              &index, &error));
  g_assert_no_error (error);
  g_assert_null (index->media_type);
  g_assert_cmpstr (g_hash_table_lookup (entry (index, 0)->annotations,
                                        "org.opencontainers.image.ref.name"), ==, "v1");
}

#define IDX_ENTRY(platform) \
  "{'mediaType':'application/vnd.oci.image.manifest.v1+json','digest':'" DA "','size':1,'platform':" platform "}"
#define IDX(entries) "{'schemaVersion':2,'manifests':[" entries "]}"

static const BadDoc bad_indexes[] = {
  { "", OCI_ERROR_INVALID, "index: invalid JSON at line 1, column 0" },
  { "[]", OCI_ERROR_INVALID, "index: not a JSON object" },
  { "{'schemaVersion':2}", OCI_ERROR_INVALID, "index: 'manifests' is missing" },
  { "{'schemaVersion':2,'manifests':{}}", OCI_ERROR_INVALID, "index: 'manifests' must be an array" },
  { "{'manifests':[]}", OCI_ERROR_INVALID, "index: 'schemaVersion' is missing" },
  { "{'schemaVersion':1,'manifests':[]}", OCI_ERROR_UNSUPPORTED,
    "index: docker schema1 manifests are not supported" },
  { "{'schemaVersion':2,'mediaType':'application/vnd.oci.image.manifest.v1+json','manifests':[]}",
    OCI_ERROR_INVALID,
    "index: 'mediaType' 'application/vnd.oci.image.manifest.v1+json' is an image manifest, not an index" },
  { "{'schemaVersion':2,'mediaType':'application/json','manifests':[]}", OCI_ERROR_UNSUPPORTED,
    "index: 'mediaType' 'application/json' is not an image index type" },
  { IDX ("1"), OCI_ERROR_INVALID, "index: 'manifests[0]' must be an object" },
  { IDX (IDX_ENTRY ("{'os':'linux','architecture':'amd64'}") ","
         "{'mediaType':'application/vnd.oci.image.manifest.v1+json','digest':'" DA "','size':1e3}"),
    OCI_ERROR_INVALID, "index: 'manifests[1].size' must be a non-negative integer" },
  { IDX ("{'mediaType':'application/vnd.oci.image.manifest.v1+json','digest':'sha256:','size':1}"),
    OCI_ERROR_INVALID, "index: 'manifests[0].digest': digest 'sha256:' has 0 hex characters" },
  { IDX (IDX_ENTRY ("[]")), OCI_ERROR_INVALID, "index: 'manifests[0].platform' must be an object" },
  { IDX (IDX_ENTRY ("{'os':'linux','architecture':'amd64'}") "," IDX_ENTRY ("{'architecture':'amd64'}")),
    OCI_ERROR_INVALID, "index: 'manifests[1].platform.os' is missing" },
  { IDX (IDX_ENTRY ("{'os':'linux','architecture':''}")), OCI_ERROR_INVALID,
    "index: 'manifests[0].platform.architecture' must be a non-empty string" },
  { IDX (IDX_ENTRY ("{'os':'linux','architecture':'arm','variant':7}")), OCI_ERROR_INVALID,
    "index: 'manifests[0].platform.variant' must be a string" },
  { IDX (IDX_ENTRY ("{'os':'windows','architecture':'amd64','os.version':[]}")), OCI_ERROR_INVALID,
    "index: 'manifests[0].platform.os.version' must be a string" },
  { IDX (IDX_ENTRY ("{'os':'linux','os':'linux','architecture':'amd64'}")), OCI_ERROR_INVALID,
    "duplicate object key" },
};

static void
test_index_bad (void)
{
  check_bad_docs (bad_indexes, G_N_ELEMENTS (bad_indexes),
                  (gboolean (*) (const char *, gpointer *, GError **)) parse_index);
}

static char *
index_with_entries (guint n)
{
  GString *s = g_string_new ("{\"schemaVersion\":2,\"manifests\":[");
  g_autofree char *e = J (IDX_ENTRY ("{'os':'linux','architecture':'amd64'}"));

  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_c (s, ',');
      g_string_append (s, e);
    }
  g_string_append (s, "]}");
  return g_string_free (s, FALSE);
}

static void
test_index_limits (void)
{
  g_autofree char *at_limit = index_with_entries (OCI_LIMIT_INDEX_ENTRIES);
  g_autofree char *over = index_with_entries (OCI_LIMIT_INDEX_ENTRIES + 1);
  g_autofree char *big = g_strnfill (OCI_LIMIT_INDEX_SIZE + 1, ' ');
  g_autoptr(OciIndex) index = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (oci_index_parse (at_limit, strlen (at_limit), &index, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (index->manifests->len, ==, OCI_LIMIT_INDEX_ENTRIES);
  g_clear_pointer (&index, oci_index_free);

  g_assert_false (oci_index_parse (over, strlen (over), &index, &error));
  assert_error_contains (error, OCI_ERROR_LIMIT,
                         "index: 'manifests' has 4097 entries, over OCI_LIMIT_INDEX_ENTRIES (4096)");
  g_clear_error (&error);

  g_assert_false (oci_index_parse (big, strlen (big), &index, &error));
  assert_error_contains (error, OCI_ERROR_LIMIT,
                         "index: 4194305 bytes, over OCI_LIMIT_INDEX_SIZE (4194304 bytes)");
}

/* ---- configs ------------------------------------------------------------ */

static void
test_config_oci (void)
{
  g_autoptr(OciConfig) c = NULL;
  g_autoptr(GError) error = NULL;
  json_t *env;

  g_assert_true (parse_config (oci_config, &c, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (c->architecture, ==, "arm64");
  g_assert_cmpstr (c->os, ==, "linux");
  g_assert_cmpstr (c->variant, ==, "v8");
  g_assert_cmpstr (c->created, ==, "2024-01-02T03:04:05Z");
  g_assert_cmpuint (c->diff_ids->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (c->diff_ids, 0), ==, DB);
  g_assert_cmpstr (g_ptr_array_index (c->diff_ids, 1), ==, DC);
  /* the whole document stays available for inspect */
  env = json_object_get (json_object_get (c->root, "config"), "Env");
  g_assert_cmpstr (json_string_value (json_array_get (env, 0)), ==, "PATH=/usr/bin");
  g_assert_nonnull (json_object_get (c->root, "history"));
}

static void
test_config_minimal (void)
{
  g_autoptr(OciConfig) c = NULL;
  g_autoptr(GError) error = NULL;

  /* docker omits diff_ids for an image without layers */
  g_assert_true (parse_config ("{'architecture':'amd64','os':'linux','rootfs':{'type':'layers'}}", &c, &error));
  g_assert_no_error (error);
  g_assert_null (c->variant);
  g_assert_null (c->created);
  g_assert_nonnull (c->diff_ids);
  g_assert_cmpuint (c->diff_ids->len, ==, 0);
}

static const BadDoc bad_configs[] = {
  { "{", OCI_ERROR_INVALID, "config: invalid JSON at line 1, column 1" },
  { "[1]", OCI_ERROR_INVALID, "config: not a JSON object" },
  { "{'os':'linux','rootfs':{'type':'layers','diff_ids':[]}}", OCI_ERROR_INVALID,
    "config: 'architecture' is missing" },
  { "{'architecture':1,'os':'linux','rootfs':{'type':'layers','diff_ids':[]}}", OCI_ERROR_INVALID,
    "config: 'architecture' must be a string" },
  { "{'architecture':'amd64','rootfs':{'type':'layers','diff_ids':[]}}", OCI_ERROR_INVALID,
    "config: 'os' is missing" },
  { "{'architecture':'amd64','os':null,'rootfs':{'type':'layers','diff_ids':[]}}", OCI_ERROR_INVALID,
    "config: 'os' must be a string" },
  { "{'architecture':'amd64','os':'linux','variant':8,'rootfs':{'type':'layers'}}", OCI_ERROR_INVALID,
    "config: 'variant' must be a string" },
  { "{'architecture':'amd64','os':'linux','created':0,'rootfs':{'type':'layers'}}", OCI_ERROR_INVALID,
    "config: 'created' must be a string" },
  { "{'architecture':'amd64','os':'linux'}", OCI_ERROR_INVALID, "config: 'rootfs' is missing" },
  { "{'architecture':'amd64','os':'linux','rootfs':'layers'}", OCI_ERROR_INVALID,
    "config: 'rootfs' must be an object" },
  { "{'architecture':'amd64','os':'linux','rootfs':{}}", OCI_ERROR_INVALID,
    "config: 'rootfs.type' is missing" },
  { "{'architecture':'amd64','os':'linux','rootfs':{'type':'squashfs'}}", OCI_ERROR_INVALID,
    "config: 'rootfs.type' must be 'layers', not 'squashfs'" },
  { "{'architecture':'amd64','os':'linux','rootfs':{'type':'layers','diff_ids':{}}}", OCI_ERROR_INVALID,
    "config: 'rootfs.diff_ids' must be an array" },
  { "{'architecture':'amd64','os':'linux','rootfs':{'type':'layers','diff_ids':['" DA "',1]}}",
    OCI_ERROR_INVALID, "config: 'rootfs.diff_ids[1]' must be a string" },
  { "{'architecture':'amd64','os':'linux','rootfs':{'type':'layers','diff_ids':['" DA "','" DB "','sha256:xyz']}}",
    OCI_ERROR_INVALID, "config: 'rootfs.diff_ids[2]': digest 'sha256:xyz': character 1 is not a hex digit" },
  { "{'architecture':'amd64','os':'linux','os':'linux','rootfs':{'type':'layers'}}", OCI_ERROR_INVALID,
    "config: invalid JSON at line 1, column 41: duplicate object key" },
};

static void
test_config_bad (void)
{
  check_bad_docs (bad_configs, G_N_ELEMENTS (bad_configs),
                  (gboolean (*) (const char *, gpointer *, GError **)) parse_config);
}

static void
test_config_limits (void)
{
  GString *s = g_string_new ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[");
  g_autofree char *doc = NULL;
  g_autofree char *big = NULL;
  g_autoptr(OciConfig) c = NULL;
  g_autoptr(GError) error = NULL;

  for (int i = 0; i <= OCI_LIMIT_LAYERS; i++)
    g_string_append_printf (s, "%s\"%s\"", i ? "," : "", DA);
  g_string_append (s, "]}}");
  doc = g_string_free (s, FALSE);
  g_assert_false (oci_config_parse (doc, strlen (doc), &c, &error));
  assert_error_contains (error, OCI_ERROR_LIMIT,
                         "config: 'rootfs.diff_ids' has 1025 entries, over OCI_LIMIT_LAYERS (1024)");
  g_clear_error (&error);

  big = g_strnfill (OCI_LIMIT_CONFIG_SIZE + 1, ' ');
  g_assert_false (oci_config_parse (big, strlen (big), &c, &error));
  assert_error_contains (error, OCI_ERROR_LIMIT,
                         "config: 8388609 bytes, over OCI_LIMIT_CONFIG_SIZE (8388608 bytes)");
}

/* ---- kinds -------------------------------------------------------------- */

static void
test_media_type_kind (void)
{
  g_assert_cmpint (oci_media_type_kind (OCI_MT_IMAGE_INDEX), ==, OCI_KIND_INDEX);
  g_assert_cmpint (oci_media_type_kind (DOCKER_MT_MANIFEST_LIST), ==, OCI_KIND_INDEX);
  g_assert_cmpint (oci_media_type_kind (OCI_MT_IMAGE_MANIFEST), ==, OCI_KIND_MANIFEST);
  g_assert_cmpint (oci_media_type_kind (DOCKER_MT_MANIFEST), ==, OCI_KIND_MANIFEST);
  g_assert_cmpint (oci_media_type_kind (DOCKER_MT_MANIFEST_V1), ==, OCI_KIND_SCHEMA1);
  g_assert_cmpint (oci_media_type_kind (DOCKER_MT_MANIFEST_V1_SIGNED), ==, OCI_KIND_SCHEMA1);
  g_assert_cmpint (oci_media_type_kind (OCI_MT_IMAGE_CONFIG), ==, OCI_KIND_CONFIG);
  g_assert_cmpint (oci_media_type_kind (DOCKER_MT_CONFIG), ==, OCI_KIND_CONFIG);
  g_assert_cmpint (oci_media_type_kind (OCI_MT_LAYER_TAR), ==, OCI_KIND_LAYER);
  g_assert_cmpint (oci_media_type_kind (OCI_MT_LAYER_GZIP), ==, OCI_KIND_LAYER);
  g_assert_cmpint (oci_media_type_kind (OCI_MT_LAYER_ZSTD), ==, OCI_KIND_LAYER);
  g_assert_cmpint (oci_media_type_kind (DOCKER_MT_LAYER_GZIP), ==, OCI_KIND_LAYER);
  g_assert_cmpint (oci_media_type_kind (DOCKER_MT_LAYER_FOREIGN), ==, OCI_KIND_LAYER);
  g_assert_cmpint (oci_media_type_kind ("application/vnd.oci.image.layer.v1.tar+xz"), ==, OCI_KIND_UNKNOWN);
  g_assert_cmpint (oci_media_type_kind (OCI_MT_IMAGE_MANIFEST "; charset=utf-8"), ==, OCI_KIND_UNKNOWN);
  g_assert_cmpint (oci_media_type_kind ("APPLICATION/VND.OCI.IMAGE.INDEX.V1+JSON"), ==, OCI_KIND_UNKNOWN);
  g_assert_cmpint (oci_media_type_kind (""), ==, OCI_KIND_UNKNOWN);
  g_assert_cmpint (oci_media_type_kind (NULL), ==, OCI_KIND_UNKNOWN);
}

typedef struct {
  const char *json;
  OciKind kind;
} KindCase;

static const KindCase kinds[] = {
  { "{'mediaType':'application/vnd.oci.image.index.v1+json'}", OCI_KIND_INDEX },
  { "{'mediaType':'application/vnd.docker.distribution.manifest.list.v2+json'}", OCI_KIND_INDEX },
  { "{'mediaType':'application/vnd.oci.image.manifest.v1+json'}", OCI_KIND_MANIFEST },
  { "{'mediaType':'application/vnd.docker.distribution.manifest.v2+json'}", OCI_KIND_MANIFEST },
  { "{'mediaType':'application/vnd.docker.distribution.manifest.v1+prettyjws'}", OCI_KIND_SCHEMA1 },
  /* mediaType wins over shape */
  { "{'mediaType':'application/vnd.oci.image.index.v1+json','layers':[]}", OCI_KIND_INDEX },
  /* without mediaType, the shape decides */
  { "{'schemaVersion':2,'manifests':[]}", OCI_KIND_INDEX },
  { "{'schemaVersion':2,'config':{},'layers':[]}", OCI_KIND_MANIFEST },
  { "{'schemaVersion':2,'layers':[]}", OCI_KIND_MANIFEST },
  { "{'schemaVersion':1,'fsLayers':[]}", OCI_KIND_SCHEMA1 },
};

static void
test_document_kind (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *json = J (kinds[i].json);
      g_autoptr(GError) error = NULL;
      OciKind kind = OCI_KIND_UNKNOWN;

      g_test_message ("%s", json);
      g_assert_true (oci_document_kind (json, strlen (json), &kind, &error));
      g_assert_no_error (error);
      g_assert_cmpint (kind, ==, kinds[i].kind);
    }
}

static gboolean
parse_kind (const char *sq, gpointer *out, GError **error)
{
  g_autofree char *json = J (sq);
  OciKind kind;

  (void) out;   /* kept NULL: the caller checks that nothing was returned */
  return oci_document_kind (json, strlen (json), &kind, error);
}

static const BadDoc bad_kinds[] = {
  { "{'mediaType':'application/vnd.oci.image.config.v1+json'}", OCI_ERROR_UNSUPPORTED,
    "manifest or index: 'mediaType' 'application/vnd.oci.image.config.v1+json' is neither "
    "an image manifest nor an image index type" },
  { "{'mediaType':[]}", OCI_ERROR_INVALID, "manifest or index: 'mediaType' must be a string" },
  { "{'schemaVersion':2}", OCI_ERROR_INVALID,
    "manifest or index: no 'mediaType', 'manifests', 'config' or 'layers'" },
  { "{'schemaVersion':2,'manifests':[],'layers':[]}", OCI_ERROR_INVALID,
    "manifest or index: no 'mediaType', and has both 'manifests' and 'config'/'layers'" },
  { "nope", OCI_ERROR_INVALID, "manifest or index: invalid JSON at line 1" },
  { "'just a string'", OCI_ERROR_INVALID, "manifest or index: invalid JSON" },
};

static void
test_document_kind_bad (void)
{
  g_autofree char *big = g_strnfill (OCI_LIMIT_MANIFEST_SIZE + 1, ' ');
  g_autoptr(GError) error = NULL;
  OciKind kind;

  check_bad_docs (bad_kinds, G_N_ELEMENTS (bad_kinds), parse_kind);

  g_assert_false (oci_document_kind (big, strlen (big), &kind, &error));
  assert_error_contains (error, OCI_ERROR_LIMIT, "manifest or index: 4194305 bytes, over OCI_LIMIT_");
}

/* ---- platforms ---------------------------------------------------------- */

static void
test_platform_parse (void)
{
  g_autoptr(OciPlatform) a = NULL;
  g_autoptr(OciPlatform) b = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sa = NULL;
  g_autofree char *sb = NULL;

  g_assert_true (oci_platform_parse ("linux/amd64", &a, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (a->os, ==, "linux");
  g_assert_cmpstr (a->architecture, ==, "amd64");
  g_assert_null (a->variant);
  g_assert_null (a->os_version);
  sa = oci_platform_to_string (a);
  g_assert_cmpstr (sa, ==, "linux/amd64");

  g_assert_true (oci_platform_parse ("linux/arm64/v8", &b, &error));
  g_assert_cmpstr (b->variant, ==, "v8");
  sb = oci_platform_to_string (b);
  g_assert_cmpstr (sb, ==, "linux/arm64/v8");
}

static void
test_platform_parse_bad (void)
{
  static const char *const bad[] = {
    "", "linux", "linux/", "/amd64", "linux//v8", "linux/arm64/", "linux/arm64/v8/x",
    "linux/amd 64", "linux/amd64\n",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(OciPlatform) p = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *q = oci_quote (bad[i]);
      g_autofree char *want = g_strdup_printf ("invalid platform %s: expected OS/ARCH or OS/ARCH/VARIANT, like \"linux/arm64/v8\"", q);

      g_assert_false (oci_platform_parse (bad[i], &p, &error));
      g_assert_null (p);
      g_assert_error (error, OCI_ERROR, OCI_ERROR_INVALID);
      g_assert_cmpstr (error->message, ==, want);
    }
}

static void
test_platform_host (void)
{
  g_autoptr(OciPlatform) p = oci_platform_host ();
  struct utsname u;

  g_assert_cmpint (uname (&u), ==, 0);
  g_assert_cmpstr (p->os, ==, "linux");
  if (strcmp (u.machine, "x86_64") == 0)
    {
      g_assert_cmpstr (p->architecture, ==, "amd64");
      g_assert_null (p->variant);
    }
  else if (strcmp (u.machine, "aarch64") == 0)
    {
      g_assert_cmpstr (p->architecture, ==, "arm64");
      g_assert_cmpstr (p->variant, ==, "v8");
    }
  else if (strcmp (u.machine, "armv7l") == 0)
    {
      g_assert_cmpstr (p->architecture, ==, "arm");
      g_assert_cmpstr (p->variant, ==, "v7");
    }
  else
    g_assert_nonnull (p->architecture);
}

static void
test_platform_copy (void)
{
  g_autoptr(OciPlatform) p = oci_platform_new ("windows", "amd64", NULL);
  g_autoptr(OciPlatform) c = NULL;

  p->os_version = g_strdup ("10.0.17763");
  c = oci_platform_copy (p);
  g_assert_true (c != p && c->os != p->os);
  g_assert_cmpstr (c->os, ==, "windows");
  g_assert_cmpstr (c->architecture, ==, "amd64");
  g_assert_null (c->variant);
  g_assert_cmpstr (c->os_version, ==, "10.0.17763");
  g_assert_null (oci_platform_copy (NULL));
  oci_platform_free (NULL);
}

static const OciDescriptor *
select_ok (const OciIndex *index, const char *want_text)
{
  g_autoptr(OciPlatform) want = NULL;
  g_autoptr(GError) error = NULL;
  const OciDescriptor *d = NULL;

  g_assert_true (oci_platform_parse (want_text, &want, NULL));
  if (!oci_index_select (index, want, &d, &error))
    g_error ("selecting %s: %s", want_text, error->message);
  return d;
}

static GError *
select_fails (const OciIndex *index, const char *want_text)
{
  g_autoptr(OciPlatform) want = NULL;
  GError *error = NULL;
  const OciDescriptor *d = NULL;

  g_assert_true (oci_platform_parse (want_text, &want, NULL));
  g_assert_false (oci_index_select (index, want, &d, &error));
  g_assert_null (d);
  return error;
}

static void
test_select (void)
{
  g_autoptr(OciIndex) index = NULL;

  g_assert_true (parse_index (oci_index, &index, NULL));
  g_assert_true (select_ok (index, "linux/amd64") == entry (index, 0));
  /* containerd's defaults: arm64 is v8, arm is v7 */
  g_assert_true (select_ok (index, "linux/arm64") == entry (index, 1));
  g_assert_true (select_ok (index, "linux/arm64/v8") == entry (index, 1));
  g_assert_true (select_ok (index, "linux/arm") == entry (index, 2));
  g_assert_true (select_ok (index, "linux/arm/v7") == entry (index, 2));
  g_assert_true (select_ok (index, "linux/arm/v6") == entry (index, 3));
  g_assert_true (select_ok (index, "windows/amd64") == entry (index, 5));
  /* uname's and Debian's names for the same architectures */
  g_assert_true (select_ok (index, "linux/x86_64") == entry (index, 0));
  g_assert_true (select_ok (index, "linux/aarch64") == entry (index, 1));
  g_assert_true (select_ok (index, "linux/armhf") == entry (index, 2));
  g_assert_true (select_ok (index, "Linux/AMD64") == entry (index, 0));
  g_assert_true (select_ok (index, "linux/arm64/8") == entry (index, 1));
}

static void
test_select_not_found_lists_platforms (void)
{
  g_autoptr(OciIndex) index = NULL;
  g_autoptr(GError) e1 = NULL;
  g_autoptr(GError) e2 = NULL;
  g_autoptr(GError) e3 = NULL;

  g_assert_true (parse_index (oci_index, &index, NULL));
  e1 = select_fails (index, "linux/riscv64");
  g_assert_error (e1, OCI_ERROR, OCI_ERROR_NOT_FOUND);
  g_assert_cmpstr (e1->message, ==,
                   "no image for platform \"linux/riscv64\" in the index, which has "
                   "\"linux/amd64\", \"linux/arm64/v8\", \"linux/arm/v7\", \"linux/arm/v6\", "
                   "\"unknown/unknown\", \"windows/amd64\", \"linux/s390x\"");
  /* exact variants: no fallback from v5 to v6 or v7 */
  e2 = select_fails (index, "linux/arm/v5");
  assert_error_contains (e2, OCI_ERROR_NOT_FOUND, "no image for platform 'linux/arm/v5'");
  /* a nested index is listed but not picked */
  e3 = select_fails (index, "linux/s390x");
  assert_error_contains (e3, OCI_ERROR_NOT_FOUND, "'linux/s390x'");
}

static void
test_select_variant_defaults_apply_to_entries (void)
{
  g_autoptr(OciIndex) list = NULL;
  g_autoptr(GError) e1 = NULL;

  /* docker's list says arm64 without a variant: that is v8 */
  g_assert_true (parse_index (docker_manifest_list, &list, NULL));
  g_assert_true (select_ok (list, "linux/arm64/v8") == entry (list, 1));
  g_assert_true (select_ok (list, "linux/arm64") == entry (list, 1));
  g_assert_true (select_ok (list, "linux/ppc64le") == entry (list, 0));
  e1 = select_fails (list, "linux/arm64/v9");
  assert_error_contains (e1, OCI_ERROR_NOT_FOUND, "which has 'linux/ppc64le', 'linux/arm64'");
}

static void
test_select_first_match_wins_and_empty_index (void)
{
  g_autoptr(OciIndex) dup = NULL;
  g_autoptr(OciIndex) empty = oci_index_new (OCI_MT_IMAGE_INDEX);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) e2 = NULL;

  g_assert_true (parse_index (IDX ("{'mediaType':'application/vnd.oci.image.manifest.v1+json','digest':'" DB
                                   "','size':1,'platform':{'os':'linux','architecture':'amd64'}},"
                                   "{'mediaType':'application/vnd.oci.image.manifest.v1+json','digest':'" DC
                                   "','size':1,'platform':{'os':'linux','architecture':'amd64'}}"),
                              &dup, NULL));
  g_assert_cmpstr (select_ok (dup, "linux/amd64")->digest, ==, DB);
  e2 = select_fails (dup, "linux/arm64");
  /* each platform named once */
  assert_error_contains (e2, OCI_ERROR_NOT_FOUND, "which has 'linux/amd64'");
  g_assert_null (strstr (e2->message, "amd64\", \"linux/amd64"));

  error = select_fails (empty, "linux/amd64");
  assert_error_contains (error, OCI_ERROR_NOT_FOUND, "which has no platforms");
}

static void
test_select_list_is_bounded (void)
{
  g_autoptr(OciIndex) index = oci_index_new (NULL);
  g_autoptr(GError) error = NULL;

  for (int i = 0; i < 40; i++)
    {
      OciDescriptor *d = oci_descriptor_new (OCI_MT_IMAGE_MANIFEST, DA, 1);
      g_autofree char *arch = g_strdup_printf ("arch%d", i);

      d->platform = oci_platform_new ("linux", arch, NULL);
      g_ptr_array_add (index->manifests, d);
    }
  error = select_fails (index, "linux/amd64");
  assert_error_contains (error, OCI_ERROR_NOT_FOUND, "'linux/arch31' and 8 more");
  g_assert_null (strstr (error->message, "arch32"));
}

/* ---- constructors ------------------------------------------------------- */

static void
test_descriptor_copy_is_deep (void)
{
  g_autoptr(OciDescriptor) d = oci_descriptor_new (OCI_MT_IMAGE_MANIFEST, DA, 42);
  g_autoptr(OciDescriptor) c = NULL;

  d->platform = oci_platform_new ("linux", "arm", "v7");
  d->annotations = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert (d->annotations, g_strdup ("k"), g_strdup ("v"));
  c = oci_descriptor_copy (d);
  g_clear_pointer (&d, oci_descriptor_free);

  g_assert_cmpstr (c->media_type, ==, OCI_MT_IMAGE_MANIFEST);
  g_assert_cmpstr (c->digest, ==, DA);
  g_assert_cmpint (c->size, ==, 42);
  g_assert_cmpstr (c->platform->variant, ==, "v7");
  g_assert_cmpstr (g_hash_table_lookup (c->annotations, "k"), ==, "v");
}

static void
test_free_null (void)
{
  oci_descriptor_free (NULL);
  oci_manifest_free (NULL);
  oci_index_free (NULL);
  oci_config_free (NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/oci/json/load-good", test_json_load_good);
  g_test_add_func ("/oci/json/load-size-limit", test_json_load_size_limit);
  g_test_add_func ("/oci/json/load-depth-limit", test_json_load_depth_limit);
  g_test_add_func ("/oci/json/load-depth-ignores-strings", test_json_load_depth_ignores_strings);
  g_test_add_func ("/oci/json/load-bad", test_json_load_bad);
  g_test_add_func ("/oci/json/load-embedded-nul", test_json_load_embedded_nul);

  g_test_add_func ("/oci/manifest/oci", test_manifest_oci);
  g_test_add_func ("/oci/manifest/docker-schema2", test_manifest_docker_schema2);
  g_test_add_func ("/oci/manifest/optional-parts", test_manifest_optional_parts);
  g_test_add_func ("/oci/manifest/bad", test_manifest_bad);
  g_test_add_func ("/oci/manifest/layer-limit", test_manifest_layer_limit);
  g_test_add_func ("/oci/manifest/size-limit", test_manifest_size_limit);
  g_test_add_func ("/oci/manifest/deep-nesting", test_manifest_deep_nesting);
  g_test_add_func ("/oci/manifest/messages-escape-document-text",
                   test_manifest_messages_escape_document_text);

  g_test_add_func ("/oci/serialize/canonical-round-trip", test_serialize_canonical_round_trip);
  g_test_add_func ("/oci/serialize/docker-manifest-is-compact-and-ordered",
                   test_serialize_docker_manifest_is_compact_and_ordered);
  g_test_add_func ("/oci/serialize/built-manifest", test_serialize_built_manifest);

  g_test_add_func ("/oci/index/oci", test_index_oci);
  g_test_add_func ("/oci/index/docker-manifest-list", test_index_docker_manifest_list);
  g_test_add_func ("/oci/index/oci-layout-without-media-type", test_index_oci_layout_without_media_type);
  g_test_add_func ("/oci/index/bad", test_index_bad);
  g_test_add_func ("/oci/index/limits", test_index_limits);

  g_test_add_func ("/oci/config/oci", test_config_oci);
  g_test_add_func ("/oci/config/minimal", test_config_minimal);
  g_test_add_func ("/oci/config/bad", test_config_bad);
  g_test_add_func ("/oci/config/limits", test_config_limits);

  g_test_add_func ("/oci/kind/media-type", test_media_type_kind);
  g_test_add_func ("/oci/kind/document", test_document_kind);
  g_test_add_func ("/oci/kind/document-bad", test_document_kind_bad);

  g_test_add_func ("/oci/platform/parse", test_platform_parse);
  g_test_add_func ("/oci/platform/parse-bad", test_platform_parse_bad);
  g_test_add_func ("/oci/platform/host", test_platform_host);
  g_test_add_func ("/oci/platform/copy", test_platform_copy);
  g_test_add_func ("/oci/platform/select", test_select);
  g_test_add_func ("/oci/platform/select-not-found-lists-platforms", test_select_not_found_lists_platforms);
  g_test_add_func ("/oci/platform/select-variant-defaults-apply-to-entries",
                   test_select_variant_defaults_apply_to_entries);
  g_test_add_func ("/oci/platform/select-first-match-wins-and-empty-index",
                   test_select_first_match_wins_and_empty_index);
  g_test_add_func ("/oci/platform/select-list-is-bounded", test_select_list_is_bounded);

  g_test_add_func ("/oci/descriptor/copy-is-deep", test_descriptor_copy_is_deep);
  g_test_add_func ("/oci/descriptor/free-null", test_free_null);

  return g_test_run ();
}
