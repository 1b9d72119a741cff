/* crawler/frame.c: a frame is one target's state at one moment: a header
 * and, per feature, its items by key. Delta frames carry what changed since
 * the previous frame of the same target, so a watcher sends little when
 * little changes. The schema is docs/frames.md. */
#include "crawler/crawler.h"

#include <string.h>

static char *
frame_timestamp_now (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *base = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S");
  return g_strdup_printf ("%s.%03dZ", base, g_date_time_get_microsecond (now) / 1000);
}

static json_t *
frame_header (CrawlTarget *t)
{
  json_t *h = json_object ();
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *ts = frame_timestamp_now ();
  gboolean host = t->kind == CRAWL_TARGET_HOST;
  json_object_set_new (h, "uuid", json_string (uuid));
  json_object_set_new (h, "timestamp", json_string (ts));
  json_object_set_new (h, "host", crawl_json_string (g_get_host_name (), -1));
  json_object_set_new (h, "system_type", json_string (host ? "host" : "container"));
  json_object_set_new (h, "container_id", host ? json_null () : crawl_json_string_or_null (t->id));
  json_object_set_new (h, "container_name", crawl_json_string_or_null (t->name));
  json_object_set_new (h, "runtime", crawl_json_string_or_null (t->runtime));
  json_object_set_new (h, "image", crawl_json_string_or_null (t->image_ref));
  json_object_set_new (h, "image_digest", crawl_json_string_or_null (t->image_digest));
  json_object_set_new (h, "image_id", crawl_json_string_or_null (t->image_id));
  json_object_set_new (h, "pid", json_integer (t->pid));
  json_object_set_new (h, "labels", t->labels ? json_deep_copy (t->labels) : json_null ());
  return h;
}

json_t *
crawl_frame_build (CrawlContext *ctx, CrawlTarget *t, char **features)
{
  gint64 start = g_get_monotonic_time ();
  json_t *frame = json_object ();
  json_t *h = frame_header (t);
  json_object_set_new (frame, "_frame", h);

  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  if (features)
    for (char **f = features; *f; f++)
      g_ptr_array_add (names, *f);
  else
    {
      gsize n;
      const CrawlFeature *all = crawl_features_builtin (&n);
      for (gsize i = 0; i < n; i++)
        if (all[i].by_default)
          g_ptr_array_add (names, (char *) all[i].name);
    }

  if (ctx->store && !t->store_commit)
    {
      g_autoptr(GError) error = NULL;
      if (!crawl_store_link (ctx->store, t, &error) && error)
        crawl_target_skip (t, "store", "image store", error->message);
    }
  if (t->store_commit)
    {
      json_t *si = json_object ();
      json_object_set_new (si, "ref", crawl_json_string_or_null (t->store_ref));
      json_object_set_new (si, "commit", json_string (t->store_commit));
      json_object_set_new (h, "store_image", si);
    }
  else
    json_object_set_new (h, "store_image", json_null ());

  json_t *done = json_array ();
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = names->pdata[i];
      g_autoptr(GError) error = NULL;
      json_t *items = json_object ();
      const CrawlFeature *f = crawl_feature_find (name);
      gboolean ok;
      if (f)
        ok = f->crawl (ctx, t, items, &error);
      else if (ctx->plugins && crawl_plugins_find_feature (ctx->plugins, name))
        ok = crawl_plugins_crawl (ctx->plugins, name, t, items, &error);
      else
        {
          ok = FALSE;
          g_set_error (&error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no such feature");
        }
      if (!ok)
        crawl_target_skip (t, name, name, error ? error->message : "failed");
      json_object_set_new (frame, name, items);
      json_array_append_new (done, json_string (name));
    }

  /* A container that exited while we read it gave a frame that mixes two
   * moments; say so rather than pass it off as complete. */
  if (t->kind == CRAWL_TARGET_CONTAINER && !crawl_target_alive (t))
    crawl_target_skip (t, "", "container", "exited during the crawl");

  json_object_set_new (h, "features", done);
  /* an integer: reals print as 0.30599999999999999 */
  json_object_set_new (h, "duration_us", json_integer (g_get_monotonic_time () - start));
  json_object_set_new (h, "ctrgit_version", json_string (CTRGIT_VERSION));
  json_object_set_new (h, "schema_version", json_integer (CRAWL_SCHEMA_VERSION));
  json_object_set_new (h, "skipped", t->skipped ? t->skipped : json_array ());
  t->skipped = NULL;
  return frame;
}

json_t *
crawl_frame_delta (json_t *prev, json_t *cur)
{
  json_t *delta = json_object ();
  json_t *h = json_deep_copy (json_object_get (cur, "_frame"));
  json_t *d = json_object ();
  json_t *base = json_object_get (json_object_get (prev, "_frame"), "uuid");
  json_object_set (d, "base", base ? base : json_null ());
  json_object_set_new (h, "delta", d);
  json_object_set_new (delta, "_frame", h);

  const char *feature;
  json_t *items;
  json_object_foreach (cur, feature, items)
    {
      if (strcmp (feature, "_frame") == 0 || !json_is_object (items))
        continue;
      json_t *old = json_object_get (prev, feature);
      json_t *added = json_object (), *changed = json_object (), *removed = json_array ();
      const char *key;
      json_t *item;
      json_object_foreach (items, key, item)
        {
          json_t *was = old ? json_object_get (old, key) : NULL;
          if (!was)
            json_object_set (added, key, item);
          else if (!json_equal (was, item))
            json_object_set (changed, key, item);
        }
      if (old)
        json_object_foreach (old, key, item)
          if (!json_object_get (items, key))
            json_array_append_new (removed, json_string (key));
      json_t *fd = json_object ();
      json_object_set_new (fd, "added", added);
      json_object_set_new (fd, "changed", changed);
      json_object_set_new (fd, "removed", removed);
      json_object_set_new (delta, feature, fd);
    }
  return delta;
}

gsize
crawl_frame_count_items (json_t *frame)
{
  gsize n = 0;
  const char *feature;
  json_t *items;
  json_object_foreach (frame, feature, items)
    if (strcmp (feature, "_frame") != 0 && json_is_object (items))
      n += json_object_size (items);
  return n;
}
