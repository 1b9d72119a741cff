/* crawler/emit-http.c: frames POSTed to an HTTP endpoint, as NDJSON.
 *
 * "http://HOST:PORT/PATH" sends one line per item (the ndjson format, which
 * is what a log pipeline or Elasticsearch indexes); "?format=json" one line
 * per frame; "?format=es-bulk" the body of Elasticsearch's _bulk API (an
 * action line before each item, "&index=NAME" names the index).
 *
 * A crawl must not wait for a slow receiver, nor grow without bound when
 * the receiver is gone: emit() formats the frame and queues it; one thread
 * sends what is queued, several frames per POST, retrying 5xx answers and
 * connection errors with backoff. Beyond HTTP_QUEUE_MAX frames waiting, new
 * frames are dropped and counted; close() drains the queue and says how
 * many frames were lost and why.
 */
#include "crawler/crawler-private.h"

#include <curl/curl.h>
#include <string.h>

#define HTTP_QUEUE_MAX 64                   /* frames waiting to be sent */
#define HTTP_BATCH_MAX (4u * 1024 * 1024)   /* bytes of one POST body (frames are not split) */
#define HTTP_ATTEMPTS 4                     /* per POST */
#define HTTP_BACKOFF_MS 250                 /* before the 2nd attempt; doubled after each */
#define HTTP_CONNECT_TIMEOUT_S 5
#define HTTP_TIMEOUT_S 30                   /* one POST, start to end */
#define HTTP_RESPONSE_MAX (64u * 1024)      /* of the receiver's answer kept */
#define HTTP_ES_INDEX_DEFAULT "ctrgit-frames"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CURL, curl_easy_cleanup)

typedef enum {
  HTTP_BODY_NDJSON,
  HTTP_BODY_JSON,
  HTTP_BODY_ES_BULK,
} HttpBody;

typedef struct {
  CrawlEmitter base;
  char *url;            /* what is POSTed to: the spec without our options */
  HttpBody body;
  char *es_action;      /* {"index":{"_index":NAME}} */

  GMutex lock;
  GCond cond;
  GQueue queue;         /* GString*: formatted frames */
  gboolean closing;
  gboolean closed;
  guint queued, sent, lost, dropped;
  char *last_error;
  GThread *thread;
} HttpEmitter;

static gsize
http_collect (char *data, size_t size, size_t n, void *user)
{
  GString *resp = user;
  gsize len = size * n;
  if (resp->len < HTTP_RESPONSE_MAX)
    g_string_append_len (resp, data, MIN (len, HTTP_RESPONSE_MAX - resp->len));
  return len;
}

/* One POST. Returns TRUE if sent; else *retry says whether trying again
 * may help (5xx, 408, 429, connection errors) and *why what went wrong. */
static gboolean
http_post_once (HttpEmitter *e, CURL *curl, GString *body, gboolean *retry, char **why)
{
  g_autoptr(GString) resp = g_string_new (NULL);
  char errbuf[CURL_ERROR_SIZE] = "";
  struct curl_slist *headers = curl_slist_append (NULL, "Content-Type: application/x-ndjson");
  headers = curl_slist_append (headers, "Expect:");
  curl_easy_reset (curl);
  curl_easy_setopt (curl, CURLOPT_URL, e->url);
  curl_easy_setopt (curl, CURLOPT_POST, 1L);
  curl_easy_setopt (curl, CURLOPT_POSTFIELDS, body->str);
  curl_easy_setopt (curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) body->len);
  curl_easy_setopt (curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, http_collect);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, resp);
  curl_easy_setopt (curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt (curl, CURLOPT_CONNECTTIMEOUT, (long) HTTP_CONNECT_TIMEOUT_S);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT, (long) HTTP_TIMEOUT_S);
  /* No SIGALRM for timeouts: the crawl's sandbox forbids signals, and this is a thread. */
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt (curl, CURLOPT_USERAGENT, "ctrgit/" CTRGIT_VERSION);
  CURLcode rc = curl_easy_perform (curl);
  curl_slist_free_all (headers);
  if (rc != CURLE_OK)
    {
      *retry = TRUE;
      *why = g_strdup (*errbuf ? errbuf : curl_easy_strerror (rc));
      return FALSE;
    }
  long status = 0;
  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status >= 300)
    {
      *retry = status >= 500 || status == 408 || status == 429;
      g_strchomp (resp->str);
      *why = g_strdup_printf ("HTTP %ld%s%.200s", status, resp->len ? ": " : "", resp->str);
      return FALSE;
    }
  /* _bulk answers 200 and lists failed items inside. */
  if (e->body == HTTP_BODY_ES_BULK && strstr (resp->str, "\"errors\":true"))
    {
      *retry = FALSE;
      *why = g_strdup ("Elasticsearch rejected items (\"errors\": true in the _bulk answer)");
      return FALSE;
    }
  return TRUE;
}

static gboolean
http_post (HttpEmitter *e, CURL *curl, GString *body, char **why)
{
  guint backoff = HTTP_BACKOFF_MS;
  for (int attempt = 1;; attempt++)
    {
      gboolean retry = FALSE;
      g_clear_pointer (why, g_free);
      if (http_post_once (e, curl, body, &retry, why))
        return TRUE;
      if (!retry || attempt >= HTTP_ATTEMPTS)
        return FALSE;
      g_usleep ((gulong) backoff * 1000);
      backoff *= 2;
      /* Closing, and an earlier POST already failed: the receiver is gone. */
      g_mutex_lock (&e->lock);
      gboolean stop = e->closing && e->lost > 0;
      g_mutex_unlock (&e->lock);
      if (stop)
        return FALSE;
    }
}

static gpointer
http_worker (gpointer user)
{
  HttpEmitter *e = user;
  g_autoptr(CURL) curl = curl_easy_init ();
  g_mutex_lock (&e->lock);
  for (;;)
    {
      while (g_queue_is_empty (&e->queue) && !e->closing)
        g_cond_wait (&e->cond, &e->lock);
      if (g_queue_is_empty (&e->queue))
        break;
      /* Everything waiting, up to a body size, goes in one POST. */
      g_autoptr(GString) body = g_queue_pop_head (&e->queue);
      guint n = 1;
      while (!g_queue_is_empty (&e->queue)
             && body->len + ((GString *) g_queue_peek_head (&e->queue))->len <= HTTP_BATCH_MAX)
        {
          GString *next = g_queue_pop_head (&e->queue);
          g_string_append_len (body, next->str, next->len);
          g_string_free (next, TRUE);
          n++;
        }
      /* When closing, a receiver that already failed gets no more retries. */
      gboolean hopeless = e->closing && e->lost > 0;
      g_mutex_unlock (&e->lock);

      g_autofree char *why = NULL;
      gboolean ok = FALSE;
      if (!curl)
        why = g_strdup ("cannot start libcurl");
      else if (!hopeless)
        ok = http_post (e, curl, body, &why);

      g_mutex_lock (&e->lock);
      if (ok)
        e->sent += n;
      else
        {
          e->lost += n;
          if (why)
            {
              g_free (e->last_error);
              e->last_error = g_steal_pointer (&why);
            }
        }
    }
  g_mutex_unlock (&e->lock);
  return NULL;
}

static void
es_bulk_lines (HttpEmitter *e, const GString *ndjson, GString *out)
{
  const char *p = ndjson->str, *end = ndjson->str + ndjson->len;
  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *stop = nl ? nl + 1 : end;
      g_string_append (out, e->es_action);
      g_string_append_len (out, p, stop - p);
      p = stop;
    }
}

static gboolean
http_emit (CrawlEmitter *base, json_t *frame, GError **error)
{
  HttpEmitter *e = (HttpEmitter *) base;
  GString *body = g_string_new (NULL);
  if (e->body == HTTP_BODY_JSON)
    crawl_format_frame (frame, CRAWL_FORMAT_JSON, body);
  else
    {
      g_autoptr(GString) lines = g_string_new (NULL);
      crawl_format_frame (frame, CRAWL_FORMAT_NDJSON, lines);
      if (e->body == HTTP_BODY_ES_BULK)
        es_bulk_lines (e, lines, body);
      else
        g_string_append_len (body, lines->str, lines->len);
    }
  g_mutex_lock (&e->lock);
  e->queued++;
  if (g_queue_get_length (&e->queue) >= HTTP_QUEUE_MAX)
    {
      e->dropped++;
      g_string_free (body, TRUE);
    }
  else
    {
      g_queue_push_tail (&e->queue, body);
      g_cond_signal (&e->cond);
    }
  g_mutex_unlock (&e->lock);
  return TRUE;
}

static gboolean
http_close (CrawlEmitter *base, GError **error)
{
  HttpEmitter *e = (HttpEmitter *) base;
  if (e->closed)
    return TRUE;
  e->closed = TRUE;
  g_mutex_lock (&e->lock);
  e->closing = TRUE;
  g_cond_signal (&e->cond);
  g_mutex_unlock (&e->lock);
  g_thread_join (g_steal_pointer (&e->thread));
  if (e->lost == 0 && e->dropped == 0)
    return TRUE;
  g_autoptr(GString) msg = g_string_new (NULL);
  g_string_append_printf (msg, "%s: %u of %u frames not delivered", e->url,
                          e->lost + e->dropped, e->queued);
  if (e->dropped)
    g_string_append_printf (msg, " (%u dropped: more than %u were waiting)", e->dropped,
                            HTTP_QUEUE_MAX);
  if (e->last_error)
    g_string_append_printf (msg, ": %s", e->last_error);
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, msg->str);
  return FALSE;
}

static void
string_free (gpointer s)
{
  g_string_free (s, TRUE);
}

static void
http_free (CrawlEmitter *base)
{
  HttpEmitter *e = (HttpEmitter *) base;
  if (!e->closed)
    http_close (base, NULL);
  g_queue_clear_full (&e->queue, string_free);
  g_mutex_clear (&e->lock);
  g_cond_clear (&e->cond);
  g_free (e->url);
  g_free (e->es_action);
  g_free (e->last_error);
  g_free (e);
}

/* Takes format= and index= out of the query string; the rest stays in the URL. */
static gboolean
http_parse_spec (const char *spec, char **out_url, HttpBody *out_body, char **out_index,
                 GError **error)
{
  g_autofree char *url = g_strdup (spec);
  char *q = strchr (url, '?');
  *out_body = HTTP_BODY_NDJSON;
  *out_index = g_strdup (HTTP_ES_INDEX_DEFAULT);
  if (q)
    {
      *q = '\0';
      g_auto(GStrv) params = g_strsplit (q + 1, "&", -1);
      g_autoptr(GPtrArray) kept = g_ptr_array_new ();
      for (char **p = params; *p; p++)
        {
          if (g_str_has_prefix (*p, "format="))
            {
              const char *f = *p + strlen ("format=");
              if (strcmp (f, "ndjson") == 0)
                *out_body = HTTP_BODY_NDJSON;
              else if (strcmp (f, "json") == 0)
                *out_body = HTTP_BODY_JSON;
              else if (strcmp (f, "es-bulk") == 0)
                *out_body = HTTP_BODY_ES_BULK;
              else
                {
                  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "%s: unknown format \"%s\" (ndjson, json or es-bulk)", spec, f);
                  return FALSE;
                }
            }
          else if (g_str_has_prefix (*p, "index="))
            {
              g_free (*out_index);
              *out_index = g_uri_unescape_string (*p + strlen ("index="), NULL);
              if (!*out_index || !**out_index)
                {
                  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "%s: index= needs a name", spec);
                  return FALSE;
                }
            }
          else if (**p)
            g_ptr_array_add (kept, *p);
        }
      if (kept->len)
        {
          g_ptr_array_add (kept, NULL);
          g_autofree char *rest = g_strjoinv ("&", (char **) kept->pdata);
          g_autofree char *base = g_steal_pointer (&url);
          url = g_strconcat (base, "?", rest, NULL);
        }
    }
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (!uri || !g_uri_get_host (uri) || !*g_uri_get_host (uri))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s: not an http URL (http://HOST:PORT/PATH)", spec);
      return FALSE;
    }
  *out_url = g_steal_pointer (&url);
  return TRUE;
}

CrawlEmitter *
crawl_emitter_http_new (const char *spec, CrawlFormat fmt, GError **error)
{
  g_autofree char *url = NULL, *index = NULL;
  HttpBody body;
  if (!http_parse_spec (spec, &url, &body, &index, error))
    return NULL;
  static gsize curl_ready;
  if (g_once_init_enter (&curl_ready))
    {
      curl_global_init (CURL_GLOBAL_DEFAULT);
      g_once_init_leave (&curl_ready, 1);
    }
  HttpEmitter *e = g_new0 (HttpEmitter, 1);
  e->base.kind = "http";
  e->base.format = fmt;
  e->base.emit = http_emit;
  e->base.close = http_close;
  e->base.free = http_free;
  e->url = g_steal_pointer (&url);
  e->body = body;
  g_autoptr(json_t) action = json_pack ("{s:{s:s}}", "index", "_index", index);
  g_autofree char *a = json_dumps (action, JSON_COMPACT);
  e->es_action = g_strconcat (a, "\n", NULL);
  g_mutex_init (&e->lock);
  g_cond_init (&e->cond);
  g_queue_init (&e->queue);
  /* Started now: the crawl's sandbox comes after emitters are made. */
  e->thread = g_thread_new ("ctrgit-http-emit", http_worker, e);
  return &e->base;
}
