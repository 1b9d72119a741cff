/* crawler/format.c: a frame as lines of text.
 *
 * "json" is the frame itself on one line. "ndjson" is one line per item,
 * each carrying the header fields an indexer needs, so a log shipper or
 * Elasticsearch can take items one by one. "crawler-csv" is the line format
 * of the older agentless system crawler (cloudviz/agentless-system-crawler,
 * formatters.write_in_csv_format): a "metadata" line, then
 * FEATURE_TYPE<TAB>KEY<TAB>VALUE per item, KEY and VALUE written as Python's
 * json.dumps writes them (ASCII only, lowercase \u escapes, compact
 * separators, shortest float repr), so pipelines built on its output keep
 * parsing ours.
 */
#include "crawler/crawler-private.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
  const char *name;
  CrawlFormat format;
} crawl_formats[] = {
  { "json", CRAWL_FORMAT_JSON },
  { "ndjson", CRAWL_FORMAT_NDJSON },
  { "crawler-csv", CRAWL_FORMAT_CRAWLER_CSV },
};

gboolean
crawl_format_parse (const char *name, CrawlFormat *out, GError **error)
{
  for (gsize i = 0; i < G_N_ELEMENTS (crawl_formats); i++)
    if (name && strcmp (name, crawl_formats[i].name) == 0)
      {
        *out = crawl_formats[i].format;
        return TRUE;
      }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "unknown format \"%s\": use json, ndjson or crawler-csv", name ? name : "");
  return FALSE;
}

static void
append_json (GString *out, json_t *j)
{
  char *s = json_dumps (j, CRAWL_JSON_FLAGS | JSON_ENCODE_ANY);
  if (s)
    g_string_append (out, s);
  else
    g_string_append (out, "null");
  free (s);
}

static void
format_json (json_t *frame, GString *out)
{
  append_json (out, frame);
  g_string_append_c (out, '\n');
}

/* A delta frame's feature section is {"added": {}, "changed": {}, "removed": []}. */
static gboolean
frame_is_delta (json_t *frame)
{
  return json_is_object (json_object_get (json_object_get (frame, "_frame"), "delta"));
}

void
crawl_frame_foreach_item (json_t *frame, CrawlItemFunc fn, void *user)
{
  gboolean delta = frame_is_delta (frame);
  const char *feature;
  json_t *section;
  json_object_foreach (frame, feature, section)
    {
      if (strcmp (feature, "_frame") == 0 || !json_is_object (section))
        continue;
      const char *key;
      json_t *item;
      if (!delta)
        {
          json_object_foreach (section, key, item)
            fn (feature, key, item, NULL, user);
          continue;
        }
      static const char *const kinds[] = { "added", "changed" };
      for (gsize k = 0; k < G_N_ELEMENTS (kinds); k++)
        json_object_foreach (json_object_get (section, kinds[k]), key, item)
          fn (feature, key, item, kinds[k], user);
      size_t i;
      json_t *removed;
      json_array_foreach (json_object_get (section, "removed"), i, removed)
        if (json_is_string (removed))
          fn (feature, json_string_value (removed), NULL, "removed", user);
    }
}

/* --- ndjson ---------------------------------------------------------------- */

static const char *const ndjson_header_fields[] = {
  "uuid", "timestamp", "host", "system_type", "container_id", "container_name", "image",
};

static json_t *
ndjson_line_base (json_t *header)
{
  json_t *line = json_object ();
  for (gsize i = 0; i < G_N_ELEMENTS (ndjson_header_fields); i++)
    {
      json_t *v = json_object_get (header, ndjson_header_fields[i]);
      json_object_set (line, ndjson_header_fields[i], v ? v : json_null ());
    }
  return line;
}

static void
ndjson_item (GString *out, json_t *header, const char *feature, const char *key, json_t *item,
             const char *delta)
{
  g_autoptr(json_t) line = ndjson_line_base (header);
  json_object_set_new (line, "feature", feature ? json_string (feature) : json_null ());
  json_object_set_new (line, "key", key ? json_string (key) : json_null ());
  json_object_set (line, "item", item ? item : json_null ());
  if (delta)
    json_object_set_new (line, "delta", json_string (delta));
  append_json (out, line);
  g_string_append_c (out, '\n');
}

typedef struct {
  GString *out;
  json_t *header;
} NdjsonCtx;

static void
ndjson_item_cb (const char *feature, const char *key, json_t *item, const char *delta, void *user)
{
  NdjsonCtx *c = user;
  ndjson_item (c->out, c->header, feature, key, item, delta);
}

static void
format_ndjson (json_t *frame, GString *out)
{
  NdjsonCtx c = { out, json_object_get (frame, "_frame") };
  gsize start = out->len;
  crawl_frame_foreach_item (frame, ndjson_item_cb, &c);
  /* A frame without items still says the system exists and was crawled. */
  if (out->len == start)
    ndjson_item (out, c.header, NULL, NULL, NULL, NULL);
}

/* --- crawler-csv: JSON as Python's json.dumps writes it -------------------- */

static void
py_string (GString *out, const char *s, gsize len)
{
  static const char hex[] = "0123456789abcdef";
  g_string_append_c (out, '"');
  const char *p = s, *end = s + len;
  while (p < end)
    {
      guchar c = (guchar) *p;
      if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
        {
          g_string_append_c (out, c);
          p++;
          continue;
        }
      gunichar u = c;
      if (c >= 0x80)
        {
          u = g_utf8_get_char_validated (p, end - p);
          if (u == (gunichar) -1 || u == (gunichar) -2)
            u = 0xfffd, p++;   /* jansson strings are valid UTF-8; never here */
          else
            p = g_utf8_next_char (p);
        }
      else
        p++;
      switch (u)
        {
        case '"': g_string_append (out, "\\\""); continue;
        case '\\': g_string_append (out, "\\\\"); continue;
        case '\n': g_string_append (out, "\\n"); continue;
        case '\r': g_string_append (out, "\\r"); continue;
        case '\t': g_string_append (out, "\\t"); continue;
        case '\b': g_string_append (out, "\\b"); continue;
        case '\f': g_string_append (out, "\\f"); continue;
        default: break;
        }
      gunichar units[2] = { u, 0 };
      int n = 1;
      if (u > 0xffff)
        {
          units[0] = 0xd800 + ((u - 0x10000) >> 10);
          units[1] = 0xdc00 + ((u - 0x10000) & 0x3ff);
          n = 2;
        }
      for (int i = 0; i < n; i++)
        g_string_append_printf (out, "\\u%c%c%c%c", hex[(units[i] >> 12) & 15],
                                hex[(units[i] >> 8) & 15], hex[(units[i] >> 4) & 15],
                                hex[units[i] & 15]);
    }
  g_string_append_c (out, '"');
}

/* Python's repr(float): the shortest digits that read back as the same
 * double; scientific notation when the decimal exponent is below -4 or at
 * least 16; "1.0" rather than "1". */
static void
py_float (GString *out, double v)
{
  if (isnan (v))
    {
      g_string_append (out, "NaN");
      return;
    }
  if (isinf (v))
    {
      g_string_append (out, v < 0 ? "-Infinity" : "Infinity");
      return;
    }
  char buf[64];
  for (int prec = 1; prec <= 17; prec++)
    {
      snprintf (buf, sizeof buf, "%.*e", prec - 1, v);
      if (strtod (buf, NULL) == v)
        break;
    }
  /* buf is [-]D[.DDD]e[+-]XX */
  char *e = strchr (buf, 'e');
  int exp10 = atoi (e + 1);
  *e = '\0';
  gboolean neg = buf[0] == '-';
  GString *digits = g_string_new (NULL);
  for (const char *p = buf + neg; *p; p++)
    if (*p != '.')
      g_string_append_c (digits, *p);
  while (digits->len > 1 && digits->str[digits->len - 1] == '0')
    g_string_truncate (digits, digits->len - 1);
  if (neg)
    g_string_append_c (out, '-');
  if (exp10 < -4 || exp10 >= 16)
    {
      g_string_append_c (out, digits->str[0]);
      if (digits->len > 1)
        {
          g_string_append_c (out, '.');
          g_string_append (out, digits->str + 1);
        }
      g_string_append_printf (out, "e%c%02d", exp10 < 0 ? '-' : '+', ABS (exp10));
    }
  else if (exp10 < 0)
    {
      g_string_append (out, "0.");
      for (int i = 0; i < -exp10 - 1; i++)
        g_string_append_c (out, '0');
      g_string_append (out, digits->str);
    }
  else
    {
      gsize intlen = exp10 + 1;
      for (gsize i = 0; i < intlen; i++)
        g_string_append_c (out, i < digits->len ? digits->str[i] : '0');
      g_string_append_c (out, '.');
      g_string_append (out, digits->len > intlen ? digits->str + intlen : "0");
    }
  g_string_free (digits, TRUE);
}

static void
py_json (GString *out, json_t *j)
{
  switch (json_typeof (j))
    {
    case JSON_OBJECT:
      {
        const char *k;
        json_t *v;
        gboolean first = TRUE;
        g_string_append_c (out, '{');
        json_object_foreach (j, k, v)
          {
            if (!first)
              g_string_append_c (out, ',');
            first = FALSE;
            py_string (out, k, strlen (k));
            g_string_append_c (out, ':');
            py_json (out, v);
          }
        g_string_append_c (out, '}');
        break;
      }
    case JSON_ARRAY:
      {
        size_t i;
        json_t *v;
        g_string_append_c (out, '[');
        json_array_foreach (j, i, v)
          {
            if (i)
              g_string_append_c (out, ',');
            py_json (out, v);
          }
        g_string_append_c (out, ']');
        break;
      }
    case JSON_STRING:
      py_string (out, json_string_value (j), json_string_length (j));
      break;
    case JSON_INTEGER:
      g_string_append_printf (out, "%" JSON_INTEGER_FORMAT, json_integer_value (j));
      break;
    case JSON_REAL:
      py_float (out, json_real_value (j));
      break;
    case JSON_TRUE:
      g_string_append (out, "true");
      break;
    case JSON_FALSE:
      g_string_append (out, "false");
      break;
    case JSON_NULL:
      g_string_append (out, "null");
      break;
    }
}

static const char *
header_str (json_t *header, const char *field)
{
  return json_string_value (json_object_get (header, field));
}

/* The old crawler's timestamp: time.strftime('%Y-%m-%dT%H:%M:%S%z'). */
static json_t *
csv_timestamp (const char *ts)
{
  if (!ts)
    return json_null ();
  g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (ts, NULL);
  if (!dt)
    return json_string (ts);
  g_autofree char *s = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S%z");
  return json_string (s);
}

/* The image fields its DockerContainer derived from "registry/owner/name:tag". */
static void
csv_image_fields (json_t *meta, const char *ref)
{
  const char *slash = strrchr (ref, '/');
  g_autofree char *dir = slash ? g_strndup (ref, slash - ref) : g_strdup ("");
  const char *colon = strrchr (ref, ':');
  const char *tag = colon && !strchr (colon + 1, '/') ? colon + 1 : "";
  char *owner = strchr (dir, '/');
  json_object_set_new (meta, "owner_namespace", json_string (owner ? owner + 1 : ""));
  json_object_set_new (meta, "docker_image_long_name", json_string (ref));
  json_object_set_new (meta, "docker_image_short_name", json_string (slash ? slash + 1 : ref));
  json_object_set_new (meta, "docker_image_tag", json_string (tag));
  if (owner)
    *owner = '\0';
  json_object_set_new (meta, "docker_image_registry", json_string (dir));
}

static json_t *
csv_metadata (json_t *header)
{
  json_t *meta = json_object ();
  g_autoptr(GString) features = g_string_new (NULL);
  size_t i;
  json_t *f;
  json_array_foreach (json_object_get (header, "features"), i, f)
    {
      if (i)
        g_string_append_c (features, ',');
      g_string_append (features, json_string_value (f) ? json_string_value (f) : "");
    }
  json_object_set_new (meta, "features", json_string (features->str));
  json_object_set_new (meta, "timestamp", csv_timestamp (header_str (header, "timestamp")));
  json_object_set_new (meta, "uuid", crawl_json_string_or_null (header_str (header, "uuid")));
  const char *host = header_str (header, "host");
  const char *type = header_str (header, "system_type");
  if (g_strcmp0 (type, "container") == 0)
    {
      const char *id = header_str (header, "container_id");
      const char *name = header_str (header, "container_name");
      g_autofree char *short_id = id ? g_strndup (id, 12) : NULL;
      const char *shown = name && *name ? name : short_id;
      g_autofree char *ns = g_strdup_printf ("%s/%s", host ? host : "", shown ? shown : "");
      json_object_set_new (meta, "namespace", json_string (ns));
      json_object_set_new (meta, "container_long_id", crawl_json_string_or_null (id));
      json_object_set_new (meta, "container_short_id", crawl_json_string_or_null (short_id));
      json_object_set_new (meta, "container_name", crawl_json_string_or_null (shown));
      json_object_set_new (meta, "container_image", crawl_json_string_or_null (header_str (header, "image_id")));
      json_object_set_new (meta, "emit_shortname", crawl_json_string_or_null (short_id));
      const char *image = header_str (header, "image");
      if (image)
        csv_image_fields (meta, image);
    }
  else
    json_object_set_new (meta, "namespace", crawl_json_string_or_null (host));
  json_object_set_new (meta, "system_type", crawl_json_string_or_null (type));
  return meta;
}

static void
csv_line (GString *out, const char *type, const char *key, json_t *value)
{
  g_string_append (out, type);
  g_string_append_c (out, '\t');
  py_string (out, key, strlen (key));
  g_string_append_c (out, '\t');
  py_json (out, value);
  g_string_append_c (out, '\n');
}

static void
csv_item_cb (const char *feature, const char *key, json_t *item, const char *delta, void *user)
{
  /* The old format has no removals: a delta writes what is new or changed. */
  if (item)
    csv_line (user, feature, key, item);
}

static void
format_crawler_csv (json_t *frame, GString *out)
{
  g_autoptr(json_t) meta = csv_metadata (json_object_get (frame, "_frame"));
  csv_line (out, "metadata", "metadata", meta);
  crawl_frame_foreach_item (frame, csv_item_cb, out);
}

void
crawl_format_frame (json_t *frame, CrawlFormat fmt, GString *out)
{
  switch (fmt)
    {
    case CRAWL_FORMAT_NDJSON:
      format_ndjson (frame, out);
      break;
    case CRAWL_FORMAT_CRAWLER_CSV:
      format_crawler_csv (frame, out);
      break;
    case CRAWL_FORMAT_JSON:
    default:
      format_json (frame, out);
      break;
    }
}
