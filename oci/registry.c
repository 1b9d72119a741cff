/* oci/registry.c: the OCI Distribution API over libcurl (oci-registry.h). */
#include "oci/oci-registry.h"
#include "oci/oci-limits.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define MANIFEST_ACCEPT                                                          \
  "Accept: " OCI_MT_IMAGE_MANIFEST ", " OCI_MT_IMAGE_INDEX ", " DOCKER_MT_MANIFEST \
  ", " DOCKER_MT_MANIFEST_LIST ", " DOCKER_MT_MANIFEST_V1_SIGNED ", " DOCKER_MT_MANIFEST_V1
#define FETCH_PARALLEL 3
#define FETCH_TRIES 4
/* A blob download gives up after this many failures in a row that brought
 * no new bytes; a try that did bring some (a resume that got further)
 * starts the count again, so a long pull survives several restarts of the
 * registry but a dead one fails within about BACKOFF_MS * 2^FETCH_BLOB_TRIES. */
#define FETCH_BLOB_TRIES 6
#define BACKOFF_MS 250
#define BACKOFF_MAX_MS 4000
/* Push: repositories to try a cross-repository mount from, per blob; and
 * how often a chunked upload asks the session where it stands after a
 * failed PATCH before giving up. */
#define UPLOAD_MOUNT_TRIES 3
#define UPLOAD_RESYNCS 3
#define TOKEN_MAX (1024 * 1024)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CURL, curl_easy_cleanup)

struct OciRegistry {
  char *domain;
  char *host;            /* docker.io's API lives at registry-1.docker.io */
  char *scheme;          /* "https" or "http", decided by the first request */
  gboolean tls_verify;
  char *ca_file, *client_cert, *client_key;
  char *user, *password;
  void (*progress) (void *user, const char *digest, guint64 done, guint64 total);
  void *progress_user;
  GHashTable *tokens;    /* scope -> bearer token */
  gboolean basic;        /* the registry asked for Basic auth */
};

typedef struct {
  GByteArray *body;      /* in memory, up to max; or */
  int fd;                /* to a file, with */
  OciSha256 *sha;        /* the digest of what was written */
  gsize max;
  guint64 written;
  /* The most bytes the file ever held: a reader may have read them, so
   * they are never rewritten (see write_blob_bytes). */
  guint64 high;
  gboolean changed;      /* a try sent other bytes than the one before */
  gboolean resumed;      /* asked with a Range from written */
  gboolean overflow;
  long status;
  char *www_authenticate, *content_type, *docker_digest, *link, *location;
  char *range;           /* an upload's progress: "0-N" */
  char *chunk_min;       /* OCI-Chunk-Min-Length */
} Resp;

/* What a request sends besides GET's nothing. */
typedef struct {
  const char *method;       /* "HEAD", "POST", "PUT", "PATCH" */
  const char *content_type;
  int fd;                   /* body from a file (size bytes from offset) ... */
  guint64 offset, size;
  GBytes *bytes;            /* ... or from memory; neither: empty */
  const char *header;       /* one more header line, or NULL */
  guint64 sent;             /* bytes of the body read so far */
} Req;

static void
resp_clear (Resp *r)
{
  if (r->body)
    g_byte_array_unref (r->body);
  g_free (r->www_authenticate);
  g_free (r->content_type);
  g_free (r->docker_digest);
  g_free (r->link);
  g_free (r->location);
  g_free (r->range);
  g_free (r->chunk_min);
  memset (r, 0, sizeof *r);
  r->fd = -1;
}

static gboolean
is_loopback (const char *host)
{
  return g_str_has_prefix (host, "localhost") || g_str_has_prefix (host, "127.")
         || g_str_has_prefix (host, "[::1]");
}

OciRegistry *
oci_registry_new (const char *domain, const OciRegistryOptions *opts)
{
  static gsize curl_ready;
  if (g_once_init_enter (&curl_ready))
    {
      curl_global_init (CURL_GLOBAL_DEFAULT);
      g_once_init_leave (&curl_ready, 1);
    }
  OciRegistry *r = g_new0 (OciRegistry, 1);
  r->domain = g_strdup (domain);
  r->host = g_strdup (g_str_equal (domain, "docker.io") ? "registry-1.docker.io" : domain);
  r->tls_verify = opts->tls_verify;
  r->progress = opts->progress;
  r->progress_user = opts->progress_user;
  r->tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (opts->username)
    {
      r->user = g_strdup (opts->username);
      r->password = g_strdup (opts->password ? opts->password : "");
    }
  else
    oci_auth_lookup (opts->auth_file, domain, &r->user, &r->password);

  /* Per-host certificates, where podman and docker keep them. */
  const char *dirs[] = { opts->cert_dir, "/etc/containers/certs.d", "/etc/docker/certs.d" };
  for (guint i = 0; i < G_N_ELEMENTS (dirs) && !r->ca_file && !r->client_cert; i++)
    {
      if (!dirs[i])
        continue;
      g_autofree char *dir = i == 0 ? g_strdup (dirs[i]) : g_build_filename (dirs[i], domain, NULL);
      g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
      const char *n;
      while (d && (n = g_dir_read_name (d)))
        {
          g_autofree char *p = g_build_filename (dir, n, NULL);
          if (g_str_has_suffix (n, ".crt") && !r->ca_file)
            r->ca_file = g_steal_pointer (&p);
          else if (g_str_has_suffix (n, ".cert"))
            g_free (r->client_cert), r->client_cert = g_steal_pointer (&p);
          else if (g_str_has_suffix (n, ".key"))
            g_free (r->client_key), r->client_key = g_steal_pointer (&p);
        }
    }
  return r;
}

void
oci_registry_free (OciRegistry *r)
{
  if (!r)
    return;
  g_free (r->domain);
  g_free (r->host);
  g_free (r->scheme);
  g_free (r->ca_file);
  g_free (r->client_cert);
  g_free (r->client_key);
  g_free (r->user);
  if (r->password)
    memset (r->password, 0, strlen (r->password));
  g_free (r->password);
  g_hash_table_unref (r->tokens);
  g_free (r);
}

/* ---- credentials ----------------------------------------------------- */

static gboolean
auth_from_file (const char *path, const char *domain, char **user, char **password)
{
  g_autofree char *text = NULL;
  gsize len;
  if (!path || !g_file_get_contents (path, &text, &len, NULL))
    return FALSE;
  g_autoptr(json_t) j = json_loadb (text, len, 0, NULL);
  json_t *auths = json_object_get (j, "auths");
  const char *key;
  json_t *v;
  json_object_foreach (auths, key, v)
    {
      /* "host", "https://host", "https://host/v1/" all name the host */
      const char *k = key;
      if (g_str_has_prefix (k, "https://"))
        k += 8;
      else if (g_str_has_prefix (k, "http://"))
        k += 7;
      gsize n = strlen (domain);
      gboolean docker_hub = g_str_equal (domain, "docker.io")
                            && (g_str_has_prefix (k, "index.docker.io") || g_str_has_prefix (k, "registry-1.docker.io"));
      if (!docker_hub && !(strncmp (k, domain, n) == 0 && (k[n] == '\0' || k[n] == '/')))
        continue;
      const char *b64 = json_string_value (json_object_get (v, "auth"));
      if (!b64)
        continue;
      gsize dlen;
      g_autofree guchar *dec = g_base64_decode (b64, &dlen);
      g_autofree char *pair = g_strndup ((char *) dec, dlen);
      char *colon = strchr (pair, ':');
      if (!colon)
        continue;
      *user = g_strndup (pair, colon - pair);
      *password = g_strdup (colon + 1);
      return TRUE;
    }
  return FALSE;
}

gboolean
oci_auth_lookup (const char *auth_file, const char *domain, char **user, char **password)
{
  *user = *password = NULL;
  if (auth_file)
    return auth_from_file (auth_file, domain, user, password);
  const char *env = g_getenv ("REGISTRY_AUTH_FILE");
  g_autofree char *runtime = g_getenv ("XDG_RUNTIME_DIR")
      ? g_build_filename (g_getenv ("XDG_RUNTIME_DIR"), "containers", "auth.json", NULL) : NULL;
  g_autofree char *docker = g_build_filename (g_get_home_dir (), ".docker", "config.json", NULL);
  const char *files[] = { env, runtime, docker };
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    if (auth_from_file (files[i], domain, user, password))
      return TRUE;
  return FALSE;
}

/* ---- one HTTP request ------------------------------------------------- */

/* Puts a download's bytes at r->written. Bytes below r->high came before,
 * in an earlier try (a server that ignored a resume's Range sends the blob
 * again from 0), and a reader may have read them already: they are
 * compared, not rewritten. So what a reader got is what the download's
 * digest verifies, and the reader need not hash the blob again. */
static gboolean
write_blob_bytes (Resp *r, const guint8 *p, gsize len)
{
  guint64 off = r->written;
  while (len > 0 && off < r->high)
    {
      guint8 old[16384];
      gsize n = MIN (MIN (len, sizeof old), r->high - off);
      gssize got = pread (r->fd, old, n, off);
      if (got < 0 && errno == EINTR)
        continue;
      if (got <= 0)
        return FALSE;
      if (memcmp (old, p, got) != 0)
        {
          r->changed = TRUE;
          return FALSE;
        }
      p += got, len -= got, off += got;
    }
  while (len > 0)
    {
      gssize w = pwrite (r->fd, p, len, off);
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        return FALSE;
      p += w, len -= w, off += w;
    }
  return TRUE;
}

static size_t
on_body (char *data, size_t size, size_t n, void *user)
{
  Resp *r = user;
  gsize len = size * n;
  if (r->status == 0 || r->status >= 300)
    {
      /* error bodies (JSON errors) are kept small for the message */
      if (!r->body)
        r->body = g_byte_array_new ();
      if (r->body->len < 4096)
        g_byte_array_append (r->body, (guint8 *) data, MIN (len, 4096 - r->body->len));
      return len;
    }
  if (r->fd >= 0)
    {
      /* 200 to a Range is the blob from byte 0, not from where we asked
       * (curl refuses it before any body; this is in case it did not) */
      if (r->resumed && r->status == 200)
        return 0;
      if (!write_blob_bytes (r, (const guint8 *) data, len))
        return 0;
      oci_sha256_update (r->sha, data, len);
      r->written += len;
      r->high = MAX (r->high, r->written);
      return len;
    }
  if (!r->body)
    r->body = g_byte_array_new ();
  if (r->body->len + len > r->max)
    {
      r->overflow = TRUE;
      return 0;
    }
  g_byte_array_append (r->body, (guint8 *) data, len);
  return len;
}

static size_t
on_header (char *data, size_t size, size_t n, void *user)
{
  Resp *r = user;
  gsize len = size * n;
  g_autofree char *line = g_strstrip (g_strndup (data, len));
  if (g_str_has_prefix (line, "HTTP/"))
    {
      /* a new response (after a redirect or 100): forget the last one's */
      r->status = atoi (strchr (line, ' ') ? strchr (line, ' ') + 1 : "0");
      return len;
    }
  char *colon = strchr (line, ':');
  if (!colon)
    return len;
  *colon = '\0';
  const char *v = colon + 1;
  while (*v == ' ')
    v++;
  char **field = g_ascii_strcasecmp (line, "WWW-Authenticate") == 0 ? &r->www_authenticate
                 : g_ascii_strcasecmp (line, "Content-Type") == 0 ? &r->content_type
                 : g_ascii_strcasecmp (line, "Docker-Content-Digest") == 0 ? &r->docker_digest
                 : g_ascii_strcasecmp (line, "Link") == 0 ? &r->link
                 : g_ascii_strcasecmp (line, "Location") == 0 ? &r->location
                 : g_ascii_strcasecmp (line, "Range") == 0 ? &r->range
                 : g_ascii_strcasecmp (line, "OCI-Chunk-Min-Length") == 0 ? &r->chunk_min : NULL;
  if (field)
    {
      g_free (*field);
      *field = g_strdup (v);
    }
  return len;
}

static CURL *
easy_new (OciRegistry *r, const char *url, struct curl_slist *headers, Resp *resp)
{
  CURL *c = curl_easy_init ();
  curl_easy_setopt (c, CURLOPT_URL, url);
  curl_easy_setopt (c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt (c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt (c, CURLOPT_WRITEDATA, resp);
  curl_easy_setopt (c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt (c, CURLOPT_HEADERDATA, resp);
  curl_easy_setopt (c, CURLOPT_FOLLOWLOCATION, 1L);   /* blob storage redirects */
  curl_easy_setopt (c, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt (c, CURLOPT_USERAGENT, "ctrgit/" CTRGIT_VERSION);
  curl_easy_setopt (c, CURLOPT_CONNECTTIMEOUT, 30L);
  /* a stalled transfer (under 1 KiB/s for 60 s) is a dropped one */
  curl_easy_setopt (c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
  curl_easy_setopt (c, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt (c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt (c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  if (!r->tls_verify)
    {
      curl_easy_setopt (c, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt (c, CURLOPT_SSL_VERIFYHOST, 0L);
    }
  if (r->ca_file)
    curl_easy_setopt (c, CURLOPT_CAINFO, r->ca_file);
  if (r->client_cert && r->client_key)
    {
      curl_easy_setopt (c, CURLOPT_SSLCERT, r->client_cert);
      curl_easy_setopt (c, CURLOPT_SSLKEY, r->client_key);
    }
  return c;
}

/* A value of a challenge parameter: realm="...",service="..." */
static char *
challenge_param (const char *challenge, const char *name)
{
  g_autofree char *key = g_strconcat (name, "=\"", NULL);
  const char *p = challenge;
  while ((p = strstr (p, key)))
    {
      if (p == challenge || p[-1] == ' ' || p[-1] == ',')
        {
          p += strlen (key);
          const char *end = strchr (p, '"');
          return end ? g_strndup (p, end - p) : NULL;
        }
      p++;
    }
  return NULL;
}

static char *
error_body (const Resp *resp)
{
  if (!resp->body || resp->body->len == 0)
    return g_strdup ("");
  g_autoptr(json_t) j = json_loadb ((char *) resp->body->data, resp->body->len, 0, NULL);
  json_t *e = json_array_get (json_object_get (j, "errors"), 0);
  const char *code = json_string_value (json_object_get (e, "code"));
  const char *msg = json_string_value (json_object_get (e, "message"));
  if (code || msg)
    return g_strdup_printf (": %s%s%s", code ? code : "", code && msg ? " " : "", msg ? msg : "");
  return g_strdup ("");
}

/* Performs one request; transport errors become GErrors, HTTP statuses do
 * not (the caller decides). */
static size_t
on_upload (char *buf, size_t size, size_t n, void *user)
{
  Req *q = user;
  gsize want = MIN (size * n, q->size - q->sent);
  gssize got = want ? pread (q->fd, buf, want, q->offset + q->sent) : 0;
  if (got < 0)
    return CURL_READFUNC_ABORT;
  q->sent += got;
  return got;
}

static gboolean
perform (OciRegistry *r, const char *url, const char *accept, const char *authorization,
         guint64 resume_from, Req *req, Resp *resp, GError **error)
{
  struct curl_slist *h = NULL;
  if (accept)
    h = curl_slist_append (h, accept);
  if (authorization)
    h = curl_slist_append (h, authorization);
  g_autofree char *ct = req && req->content_type ? g_strdup_printf ("Content-Type: %s", req->content_type) : NULL;
  if (ct)
    h = curl_slist_append (h, ct);
  if (req && req->header)
    h = curl_slist_append (h, req->header);
  g_autoptr(CURL) c = easy_new (r, url, h, resp);
  if (resume_from)
    curl_easy_setopt (c, CURLOPT_RESUME_FROM_LARGE, (curl_off_t) resume_from);
  if (req && g_str_equal (req->method, "HEAD"))
    curl_easy_setopt (c, CURLOPT_NOBODY, 1L);
  else if (req)
    {
      /* the registry sends Location relative to itself: never follow it */
      curl_easy_setopt (c, CURLOPT_FOLLOWLOCATION, 0L);
      curl_easy_setopt (c, CURLOPT_CUSTOMREQUEST, req->method);
      if (req->bytes)
        {
          curl_easy_setopt (c, CURLOPT_POSTFIELDS, g_bytes_get_data (req->bytes, NULL));
          curl_easy_setopt (c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) g_bytes_get_size (req->bytes));
        }
      else if (req->fd >= 0)
        {
          req->sent = 0;
          curl_easy_setopt (c, CURLOPT_UPLOAD, 1L);
          curl_easy_setopt (c, CURLOPT_READFUNCTION, on_upload);
          curl_easy_setopt (c, CURLOPT_READDATA, req);
          curl_easy_setopt (c, CURLOPT_INFILESIZE_LARGE, (curl_off_t) req->size);
        }
      else
        {
          curl_easy_setopt (c, CURLOPT_POSTFIELDS, "");
          curl_easy_setopt (c, CURLOPT_POSTFIELDSIZE, 0L);
        }
    }
  CURLcode rc = curl_easy_perform (c);
  curl_slist_free_all (h);
  if (rc == CURLE_PEER_FAILED_VERIFICATION)
    return g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                        "%s: the server's certificate is not trusted (give its CA with --cert-dir, "
                        "or put it in /etc/containers/certs.d/%s/; --tls-verify=false to skip)",
                        url, r->host), FALSE;
  if (rc != CURLE_OK)
    return g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", url, curl_easy_strerror (rc)), FALSE;
  curl_easy_getinfo (c, CURLINFO_RESPONSE_CODE, &resp->status);
  return TRUE;
}

/* GET /v2/ in SCHEME; FALSE, with error set, when no HTTP answer came. */
static gboolean
ping (OciRegistry *r, const char *scheme, long *out_status, GError **error)
{
  g_autofree char *url = g_strdup_printf ("%s://%s/v2/", scheme, r->host);
  Resp resp = { .fd = -1, .max = 65536 };
  gboolean ok = perform (r, url, NULL, NULL, 0, NULL, &resp, error);
  *out_status = resp.status;
  resp_clear (&resp);
  return ok;
}

/* The API base URL, deciding https or http on first use: https always
 * for other hosts; http as well for loopback and --tls-verify=false.
 * Loopback is asked in plain http first, where registries there mostly
 * listen: trying TLS first cost a handshake and loading the system CAs
 * (20 ms of a 1 s pull here). A TLS server that plain http reached
 * answers 400 (Go's and nginx's do) or not at all, and is then asked in
 * https as before. */
static gboolean
base_url (OciRegistry *r, char **out, GError **error)
{
  long status;
  if (!r->scheme && is_loopback (r->host) && ping (r, "http", &status, NULL) && status != 400)
    r->scheme = g_strdup ("http");
  if (!r->scheme)
    {
      g_autoptr(GError) local = NULL;
      if (ping (r, "https", &status, &local))
        r->scheme = g_strdup ("https");
      /* A server that speaks TLS with a certificate we do not trust is not
       * a plain-http server: no fallback there. */
      else if ((!r->tls_verify || is_loopback (r->host))
               && !g_error_matches (local, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
        r->scheme = g_strdup ("http");
      else
        return g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                            "registry %s: %s", r->domain, local->message), FALSE;
    }
  *out = g_strdup_printf ("%s://%s", r->scheme, r->host);
  return TRUE;
}

static char *
basic_header (OciRegistry *r)
{
  g_autofree char *pair = g_strdup_printf ("%s:%s", r->user, r->password);
  g_autofree char *b64 = g_base64_encode ((guchar *) pair, strlen (pair));
  return g_strdup_printf ("Authorization: Basic %s", b64);
}

/* Answers a Bearer challenge: a token for scope from the realm. */
static gboolean
fetch_token (OciRegistry *r, const char *challenge, const char *scope, GError **error)
{
  g_autofree char *realm = challenge_param (challenge, "realm");
  g_autofree char *service = challenge_param (challenge, "service");
  if (!realm)
    return g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID,
                        "registry %s: a Bearer challenge without a realm", r->domain), FALSE;
  g_autoptr(GString) url = g_string_new (realm);
  g_string_append_c (url, strchr (realm, '?') ? '&' : '?');
  if (service)
    {
      g_autofree char *s = g_uri_escape_string (service, NULL, FALSE);
      g_string_append_printf (url, "service=%s&", s);
    }
  g_autofree char *sc = g_uri_escape_string (scope, NULL, FALSE);
  g_string_append_printf (url, "scope=%s", sc);
  g_autofree char *auth = r->user ? basic_header (r) : NULL;
  Resp resp = { .fd = -1, .max = TOKEN_MAX };
  if (!perform (r, url->str, NULL, auth, 0, NULL, &resp, error))
    return g_prefix_error (error, "token: "), FALSE;
  if (resp.status != 200)
    {
      long st = resp.status;
      resp_clear (&resp);
      return g_set_error (error, OCI_ERROR, OCI_ERROR_NOT_FOUND,
                          "registry %s: the token service refused %s (HTTP %ld)%s", r->domain,
                          r->user ? "these credentials" : "anonymous access", st,
                          r->user ? "" : "; log in or put credentials in auth.json"), FALSE;
    }
  g_autoptr(json_t) j = json_loadb ((char *) resp.body->data, resp.body->len, 0, NULL);
  const char *tok = json_string_value (json_object_get (j, "token"));
  if (!tok)
    tok = json_string_value (json_object_get (j, "access_token"));
  if (!tok)
    {
      resp_clear (&resp);
      return g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID,
                          "registry %s: the token service answered without a token", r->domain), FALSE;
    }
  g_hash_table_replace (r->tokens, g_strdup (scope), g_strdup (tok));
  resp_clear (&resp);
  return TRUE;
}

static char *
auth_header (OciRegistry *r, const char *scope)
{
  const char *tok = g_hash_table_lookup (r->tokens, scope);
  if (tok)
    return g_strdup_printf ("Authorization: Bearer %s", tok);
  if (r->basic && r->user)
    return basic_header (r);
  return NULL;
}

/* A request with authentication: on 401, answers the challenge once and
 * retries. path is relative to the registry, or a whole URL. */
static gboolean
request (OciRegistry *r, const char *path, const char *scope, const char *accept, Req *req,
         Resp *resp, GError **error)
{
  g_autofree char *base = NULL;
  if (!base_url (r, &base, error))
    return FALSE;
  g_autofree char *url = strstr (path, "://") ? g_strdup (path) : g_strconcat (base, path, NULL);
  for (int attempt = 0;; attempt++)
    {
      g_autofree char *auth = auth_header (r, scope);
      gsize max = resp->max;
      int fd = resp->fd;
      OciSha256 *sha = resp->sha;
      resp_clear (resp);
      resp->max = max, resp->fd = fd, resp->sha = sha;
      /* transient failures: dropped connections and 5xx, with backoff */
      g_autoptr(GError) local = NULL;
      gboolean ok = perform (r, url, accept, auth, 0, req, resp, &local);
      if ((!ok || resp->status >= 500) && attempt < FETCH_TRIES - 1 && fd < 0)
        {
          g_usleep ((1 << attempt) * 250000);
          continue;
        }
      if (!ok)
        return g_propagate_error (error, g_steal_pointer (&local)), FALSE;
      if (resp->status != 401 || attempt > 0 || !resp->www_authenticate)
        return TRUE;
      if (g_str_has_prefix (resp->www_authenticate, "Bearer"))
        {
          g_autofree char *want = challenge_param (resp->www_authenticate, "scope");
          if (!fetch_token (r, resp->www_authenticate, want ? want : scope, error))
            return FALSE;
          if (want && !g_str_equal (want, scope))
            g_hash_table_replace (r->tokens, g_strdup (scope),
                                  g_strdup (g_hash_table_lookup (r->tokens, want)));
        }
      else if (g_str_has_prefix (resp->www_authenticate, "Basic"))
        {
          if (!r->user)
            return TRUE;   /* the caller reports the 401 */
          r->basic = TRUE;
        }
      else
        return TRUE;
    }
}

static gboolean
get (OciRegistry *r, const char *path, const char *scope, const char *accept, Resp *resp,
     GError **error)
{
  return request (r, path, scope, accept, NULL, resp, error);
}

static gboolean
http_error (OciRegistry *r, const char *what, const Resp *resp, GError **error)
{
  g_autofree char *detail = error_body (resp);
  int code = resp->status == 404 ? OCI_ERROR_NOT_FOUND : OCI_ERROR_INVALID;
  const char *why = resp->status == 401 ? (r->user ? ": wrong credentials" : ": authentication required (ctrgit login, or auth.json)")
                    : resp->status == 403 ? ": access denied" : resp->status == 404 ? ": not found" : "";
  return g_set_error (error, OCI_ERROR, code, "%s/%s: HTTP %ld%s%s", r->domain, what, resp->status,
                      why, detail), FALSE;
}

gboolean
oci_registry_get_manifest (OciRegistry *r, const char *repo, const char *ref, GBytes **out,
                           char **out_media_type, char **out_digest, GError **error)
{
  g_autofree char *path = g_strdup_printf ("/v2/%s/manifests/%s", repo, ref);
  g_autofree char *scope = g_strdup_printf ("repository:%s:pull", repo);
  Resp resp = { .fd = -1, .max = OCI_LIMIT_MANIFEST_SIZE };
  if (!get (r, path, scope, MANIFEST_ACCEPT, &resp, error))
    return resp_clear (&resp), FALSE;
  if (resp.overflow)
    return resp_clear (&resp), g_set_error (error, OCI_ERROR, OCI_ERROR_LIMIT,
                                            "%s: manifest larger than %d bytes", ref, OCI_LIMIT_MANIFEST_SIZE), FALSE;
  if (resp.status != 200)
    {
      g_autofree char *what = g_strdup_printf ("%s:%s", repo, ref);
      gboolean r2 = http_error (r, what, &resp, error);
      resp_clear (&resp);
      return r2;
    }
  GBytes *b = g_bytes_new (resp.body ? resp.body->data : NULL, resp.body ? resp.body->len : 0);
  g_autofree char *digest = oci_digest_of_bytes (g_bytes_get_data (b, NULL), g_bytes_get_size (b));
  if (g_str_has_prefix (ref, "sha256:") && !g_str_equal (ref, digest))
    {
      g_bytes_unref (b);
      resp_clear (&resp);
      return g_set_error (error, OCI_ERROR, OCI_ERROR_DIGEST_MISMATCH,
                          "%s/%s@%s: the registry sent a manifest hashing to %s", r->domain, repo, ref,
                          digest), FALSE;
    }
  *out = b;
  if (out_media_type)
    {
      /* "application/...; charset=utf-8" -> the type alone */
      char *ct = resp.content_type ? g_strdup (resp.content_type) : NULL;
      if (ct && strchr (ct, ';'))
        *strchr (ct, ';') = '\0';
      *out_media_type = ct ? g_strstrip (ct) : NULL;
    }
  if (out_digest)
    *out_digest = g_steal_pointer (&digest);
  resp_clear (&resp);
  return TRUE;
}

GBytes *
oci_registry_get_blob (OciRegistry *r, const char *repo, const char *digest, gsize max, GError **error)
{
  g_autofree char *path = g_strdup_printf ("/v2/%s/blobs/%s", repo, digest);
  g_autofree char *scope = g_strdup_printf ("repository:%s:pull", repo);
  Resp resp = { .fd = -1, .max = max };
  if (!get (r, path, scope, NULL, &resp, error))
    return resp_clear (&resp), NULL;
  if (resp.status != 200)
    {
      http_error (r, digest, &resp, error);
      resp_clear (&resp);
      return NULL;
    }
  if (resp.overflow)
    return resp_clear (&resp), g_set_error (error, OCI_ERROR, OCI_ERROR_LIMIT,
                                            "blob %s is larger than %" G_GSIZE_FORMAT " bytes", digest, max), NULL;
  GBytes *b = g_bytes_new (resp.body ? resp.body->data : NULL, resp.body ? resp.body->len : 0);
  resp_clear (&resp);
  g_autofree char *got = oci_digest_of_bytes (g_bytes_get_data (b, NULL), g_bytes_get_size (b));
  if (!g_str_equal (got, digest))
    {
      g_bytes_unref (b);
      return g_set_error (error, OCI_ERROR, OCI_ERROR_DIGEST_MISMATCH,
                          "blob %s from %s hashes to %s", digest, r->domain, got), NULL;
    }
  return b;
}

/* ---- parallel blob downloads ------------------------------------------ */

typedef struct {
  OciBlobFetch *blob;
  Resp resp;
  CURL *easy;
  struct curl_slist *headers;
  guint tries;           /* requests made */
  guint fails;           /* failures in a row without progress */
  guint64 resume_from;   /* bytes already in the file when this request began */
  gboolean over;         /* verified, or failed for good */
  gint64 retry_at;       /* monotonic µs; 0: not waiting */
} Transfer;

static guint
backoff_ms (guint fails)
{
  return MIN ((guint) BACKOFF_MS << MIN (fails, 8u), (guint) BACKOFF_MAX_MS);
}

static void
transfer_start (OciRegistry *r, CURLM *multi, Transfer *t, const char *base, const char *repo,
                const char *scope)
{
  g_autofree char *url = g_strdup_printf ("%s/v2/%s/blobs/%s", base, repo, t->blob->digest);
  g_autofree char *auth = auth_header (r, scope);
  gsize max = t->resp.max;
  int fd = t->resp.fd;
  OciSha256 *sha = t->resp.sha;
  guint64 written = t->resp.written, high = t->resp.high;
  resp_clear (&t->resp);
  t->resp.max = max, t->resp.fd = fd, t->resp.sha = sha, t->resp.written = written;
  t->resp.high = high;
  curl_slist_free_all (t->headers);
  t->headers = auth ? curl_slist_append (NULL, auth) : NULL;
  t->easy = easy_new (r, url, t->headers, &t->resp);
  curl_easy_setopt (t->easy, CURLOPT_PRIVATE, t);
  /* curl's largest receive buffer (512 KiB, against 16 KiB): a blob
   * arrives in fewer reads, writes and hash calls. */
  curl_easy_setopt (t->easy, CURLOPT_BUFFERSIZE, 512L * 1024);
  /* a retry resumes where the bytes stopped; the hash goes on from there */
  t->resume_from = written;
  t->resp.resumed = written > 0;
  if (written > 0)
    curl_easy_setopt (t->easy, CURLOPT_RESUME_FROM_LARGE, (curl_off_t) written);
  t->tries++;
  t->retry_at = 0;
  curl_multi_add_handle (multi, t->easy);
}

/* A transfer that ended: TRUE when it is finished (verified, or with the
 * error set); FALSE when it is to be tried again (t->retry_at set). */
static gboolean
transfer_done (OciRegistry *r, Transfer *t, CURLcode rc, const char *scope, GError **error)
{
  long st = t->resp.status;
  if (t->resp.changed)
    return g_set_error (error, OCI_ERROR, OCI_ERROR_DIGEST_MISMATCH,
                        "blob %s from %s changed between two tries: the registry sent other "
                        "bytes where it had sent some before", t->blob->digest, r->domain), TRUE;
  gboolean complete = t->blob->size >= 0 && t->resp.written == (guint64) t->blob->size;
  /* A server that ignores Range answers 200 with the whole blob. */
  gboolean range_ignored = t->resume_from > 0 && st == 200;
  /* A connection dropped after the last byte still delivered the blob. */
  if ((rc == CURLE_OK && (st == 200 || st == 206) && !range_ignored)
      || (rc != CURLE_OK && (st == 200 || st == 206) && !range_ignored && complete))
    {
      g_autofree char *got = oci_sha256_finish (t->resp.sha);
      if (t->blob->size >= 0 && t->resp.written != (guint64) t->blob->size)
        return g_set_error (error, OCI_ERROR, OCI_ERROR_DIGEST_MISMATCH,
                            "blob %s: %" G_GUINT64_FORMAT " bytes, the manifest says %" G_GINT64_FORMAT,
                            t->blob->digest, t->resp.written, t->blob->size), TRUE;
      if (!g_str_equal (got, t->blob->digest))
        return g_set_error (error, OCI_ERROR, OCI_ERROR_DIGEST_MISMATCH,
                            "blob %s from %s hashes to %s", t->blob->digest, r->domain, got), TRUE;
      return TRUE;
    }
  if (range_ignored)
    {
      /* start over from byte 0: hashed again, compared up to resp.high */
      oci_sha256_reset (t->resp.sha);
      t->resp.written = 0;
    }
  /* A body that grew past the manifest's size will not hash right either. */
  if (t->blob->size >= 0 && t->resp.written > (guint64) t->blob->size)
    return g_set_error (error, OCI_ERROR, OCI_ERROR_DIGEST_MISMATCH,
                        "blob %s: more than the %" G_GINT64_FORMAT " bytes the manifest says",
                        t->blob->digest, t->blob->size), TRUE;
  gboolean transient = rc != CURLE_OK || st >= 500 || st == 429 || range_ignored;
  if (st == 401 && t->tries < 2 && t->resp.www_authenticate
      && g_str_has_prefix (t->resp.www_authenticate, "Bearer"))
    {
      if (!fetch_token (r, t->resp.www_authenticate, scope, error))
        return TRUE;
      transient = TRUE;
    }
  if (transient)
    {
      if (t->resp.written > t->resume_from)
        t->fails = 0;
      if (++t->fails < FETCH_BLOB_TRIES)
        {
          t->retry_at = g_get_monotonic_time () + (gint64) backoff_ms (t->fails) * 1000;
          return FALSE;
        }
    }
  if (rc != CURLE_OK)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                 "blob %s: %s (gave up after %u tries, %" G_GUINT64_FORMAT " of %"
                 G_GINT64_FORMAT " bytes received)",
                 t->blob->digest, curl_easy_strerror (rc), t->tries, t->resp.written,
                 t->blob->size);
  else
    http_error (r, t->blob->digest, &t->resp, error);
  return TRUE;
}

/* The bytes of a blob that others may see: all it ever held, since those
 * are never rewritten, even while a try starts over from 0. The last one
 * lands only with the verdict: a reader never gets to the end of a blob
 * before it is verified, so a bad one always fails with the download's own
 * error, and a good one needs no hashing by the reader. */
static guint64
transfer_landed (const Transfer *t)
{
  if (t->over)
    return t->resp.written;
  return MIN (t->resp.high, (guint64) MAX (t->blob->size - 1, 0));
}

static void
wake_multi (GCancellable *cancellable, gpointer multi)
{
  curl_multi_wakeup (multi);
}

/* Tells every landing not yet told that its blob will not come. */
static void
landings_fail (OciBlobFetch *blobs, guint n, const GError *error)
{
  for (guint i = 0; i < n; i++)
    if (blobs[i].landing)
      oci_landing_finish (blobs[i].landing, error);
}

static gboolean fetch_blobs (OciRegistry *r, const char *repo, OciBlobFetch *blobs, guint n,
                             GCancellable *cancellable, GError **error);

gboolean
oci_registry_fetch_blobs (OciRegistry *r, const char *repo, OciBlobFetch *blobs, guint n,
                          GCancellable *cancellable, GError **error)
{
  g_autoptr(GError) local = NULL;
  if (fetch_blobs (r, repo, blobs, n, cancellable, &local))
    return TRUE;
  landings_fail (blobs, n, local);
  g_propagate_error (error, g_steal_pointer (&local));
  return FALSE;
}

static gboolean
fetch_blobs (OciRegistry *r, const char *repo, OciBlobFetch *blobs, guint n,
             GCancellable *cancellable, GError **error)
{
  if (n == 0)
    return TRUE;
  g_autofree char *base = NULL;
  if (!base_url (r, &base, error))
    return FALSE;
  g_autofree char *scope = g_strdup_printf ("repository:%s:pull", repo);
  /* The caller fetched the manifest, so a token for scope is usually here;
   * a 401 is answered once per transfer. */
  CURLM *multi = curl_multi_init ();
  gulong cancel_id = cancellable ? g_cancellable_connect (cancellable, G_CALLBACK (wake_multi), multi, NULL) : 0;
  g_autofree Transfer *ts = g_new0 (Transfer, n);
  guint next = 0, running = 0, finished = 0;
  gboolean ok = TRUE;
  for (guint i = 0; i < n; i++)
    {
      ts[i].blob = &blobs[i];
      ts[i].resp.fd = blobs[i].fd;
      ts[i].resp.sha = oci_sha256_new ();
    }
  while (ok && finished < n)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          ok = FALSE;
          break;
        }
      /* Retries whose backoff is over go first, then new blobs; a transfer
       * waiting for its retry holds its slot. */
      gint64 now = g_get_monotonic_time (), wake = 0;
      for (guint i = 0; i < next; i++)
        if (ts[i].retry_at && ts[i].retry_at <= now)
          transfer_start (r, multi, &ts[i], base, repo, scope);
        else if (ts[i].retry_at && (!wake || ts[i].retry_at < wake))
          wake = ts[i].retry_at;
      while (next < n && running < FETCH_PARALLEL)
        {
          transfer_start (r, multi, &ts[next++], base, repo, scope);
          running++;
        }
      int still;
      curl_multi_perform (multi, &still);
      CURLMsg *m;
      int left;
      while (ok && (m = curl_multi_info_read (multi, &left)))
        {
          if (m->msg != CURLMSG_DONE)
            continue;
          Transfer *t;
          curl_easy_getinfo (m->easy_handle, CURLINFO_PRIVATE, (char **) &t);
          CURLcode rc = m->data.result;
          curl_multi_remove_handle (multi, t->easy);
          curl_easy_cleanup (t->easy);
          t->easy = NULL;
          g_autoptr(GError) local = NULL;
          if (!transfer_done (r, t, rc, scope, &local))
            {
              if (!wake || t->retry_at < wake)
                wake = t->retry_at;
              continue;
            }
          t->over = TRUE;
          running--;
          finished++;
          if (t->blob->landing)
            {
              oci_landing_update (t->blob->landing, t->resp.written);
              oci_landing_finish (t->blob->landing, local);
            }
          if (local)
            ok = (g_propagate_error (error, g_steal_pointer (&local)), FALSE);
        }
      for (guint i = 0; ok && i < next; i++)
        if (ts[i].easy && ts[i].blob->landing)
          oci_landing_update (ts[i].blob->landing, transfer_landed (&ts[i]));
      for (guint i = 0; ok && r->progress && i < n; i++)
        r->progress (r->progress_user, blobs[i].digest, transfer_landed (&ts[i]),
                     MAX (blobs[i].size, 0));
      if (ok && finished < n)
        {
          int ms = 1000;
          if (wake)
            ms = CLAMP ((wake - g_get_monotonic_time ()) / 1000, 0, 1000);
          curl_multi_poll (multi, NULL, 0, ms, NULL);
        }
    }
  for (guint i = 0; i < n; i++)
    {
      if (ts[i].easy)
        {
          curl_multi_remove_handle (multi, ts[i].easy);
          curl_easy_cleanup (ts[i].easy);
        }
      curl_slist_free_all (ts[i].headers);
      oci_sha256_free (ts[i].resp.sha);
      ts[i].resp.sha = NULL;
      resp_clear (&ts[i].resp);
    }
  if (cancel_id)
    g_cancellable_disconnect (cancellable, cancel_id);
  curl_multi_cleanup (multi);
  return ok;
}

GPtrArray *
oci_registry_list_tags (OciRegistry *r, const char *repo, GError **error)
{
  g_autoptr(GPtrArray) tags = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *scope = g_strdup_printf ("repository:%s:pull", repo);
  g_autofree char *path = g_strdup_printf ("/v2/%s/tags/list?n=1000", repo);
  for (int page = 0; path && page < 1000; page++)
    {
      Resp resp = { .fd = -1, .max = OCI_LIMIT_INDEX_SIZE };
      if (!get (r, path, scope, NULL, &resp, error))
        return resp_clear (&resp), NULL;
      if (resp.status != 200)
        {
          g_autofree char *what = g_strdup_printf ("%s tags", repo);
          http_error (r, what, &resp, error);
          resp_clear (&resp);
          return NULL;
        }
      g_autoptr(json_t) j = resp.body ? json_loadb ((char *) resp.body->data, resp.body->len, 0, NULL) : NULL;
      json_t *list = json_object_get (j, "tags");
      for (size_t i = 0; json_is_array (list) && i < json_array_size (list); i++)
        if (json_is_string (json_array_get (list, i)))
          g_ptr_array_add (tags, g_strdup (json_string_value (json_array_get (list, i))));
      g_clear_pointer (&path, g_free);
      /* Link: </v2/repo/tags/list?last=x&n=1000>; rel="next" */
      if (resp.link && strstr (resp.link, "rel=\"next\"") && resp.link[0] == '<')
        {
          const char *end = strchr (resp.link, '>');
          if (end && g_str_has_prefix (resp.link + 1, "/v2/"))
            path = g_strndup (resp.link + 1, end - resp.link - 1);
        }
      resp_clear (&resp);
    }
  return g_steal_pointer (&tags);
}

gboolean
oci_registry_check_login (OciRegistry *r, GError **error)
{
  Resp resp = { .fd = -1, .max = 65536 };
  /* An empty scope asks the token service for a token that only proves
   * the credentials, as docker login does. */
  if (!get (r, "/v2/", "", NULL, &resp, error))
    return resp_clear (&resp), FALSE;
  gboolean ok = resp.status == 200 || (http_error (r, "v2", &resp, error), FALSE);
  resp_clear (&resp);
  return ok;
}

gboolean
oci_auth_store (const char *auth_file, const char *domain, const char *user, const char *password,
                char **out_path, GError **error)
{
  g_autofree char *path = NULL;
  if (auth_file)
    path = g_strdup (auth_file);
  else if (g_getenv ("REGISTRY_AUTH_FILE"))
    path = g_strdup (g_getenv ("REGISTRY_AUTH_FILE"));
  else if (g_getenv ("XDG_RUNTIME_DIR"))
    path = g_build_filename (g_getenv ("XDG_RUNTIME_DIR"), "containers", "auth.json", NULL);
  else
    path = g_build_filename (g_get_home_dir (), ".docker", "config.json", NULL);
  g_autofree char *text = NULL;
  gsize len;
  g_autoptr(json_t) doc = NULL;
  if (g_file_get_contents (path, &text, &len, NULL) && len > 0)
    {
      doc = oci_json_load (text, len, 16 * 1024 * 1024, error);
      if (!doc || !json_is_object (doc))
        return g_prefix_error (error, "%s: ", path), FALSE;
    }
  else
    doc = json_object ();
  json_t *auths = json_object_get (doc, "auths");
  if (!json_is_object (auths))
    {
      auths = json_object ();
      json_object_set_new (doc, "auths", auths);
    }
  g_autofree char *pair = g_strdup_printf ("%s:%s", user, password);
  g_autofree char *b64 = g_base64_encode ((guchar *) pair, strlen (pair));
  json_object_set_new (auths, domain, json_pack ("{s:s}", "auth", b64));
  g_autofree char *out = json_dumps (doc, JSON_INDENT (1) | JSON_PRESERVE_ORDER);
  g_autofree char *dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) < 0)
    return oci_throw_errno (error, "mkdir %s", dir);
  /* Written to a 0600 temporary, then renamed over: never readable by others. */
  g_autofree char *tmp = g_strconcat (path, ".XXXXXX", NULL);
  int fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    return oci_throw_errno (error, "create %s", tmp);
  gboolean ok = write (fd, out, strlen (out)) == (gssize) strlen (out) && write (fd, "\n", 1) == 1;
  close (fd);
  if (!ok || rename (tmp, path) < 0)
    {
      unlink (tmp);
      return oci_throw_errno (error, "write %s", path);
    }
  if (out_path)
    *out_path = g_steal_pointer (&path);
  return TRUE;
}

/* ---- push ----------------------------------------------------------------- */

static char *
push_scope (const char *repo)
{
  return g_strdup_printf ("repository:%s:pull,push", repo);
}

gboolean
oci_registry_blob_exists (OciRegistry *r, const char *repo, const char *digest, gboolean *out,
                          GError **error)
{
  g_autofree char *path = g_strdup_printf ("/v2/%s/blobs/%s", repo, digest);
  g_autofree char *scope = push_scope (repo);
  Req req = { .method = "HEAD", .fd = -1 };
  Resp resp = { .fd = -1, .max = 65536 };
  if (!request (r, path, scope, NULL, &req, &resp, error))
    return resp_clear (&resp), FALSE;
  gboolean ok = TRUE;
  if (resp.status == 200)
    *out = TRUE;
  else if (resp.status == 404)
    *out = FALSE;
  else
    ok = http_error (r, digest, &resp, error);
  resp_clear (&resp);
  return ok;
}

/* Location, which the registry may give relative to itself, made whole. */
static char *
session_url (OciRegistry *r, const char *location, GError **error)
{
  if (strstr (location, "://"))
    return g_strdup (location);
  g_autofree char *base = NULL;
  if (!base_url (r, &base, error))
    return NULL;
  return g_strconcat (base, location, NULL);
}

/* The end of "0-N" (or "bytes=0-N"): the bytes the session holds; -1 if none. */
static gint64
range_end (const char *range)
{
  const char *dash = range ? strchr (range, '-') : NULL;
  return dash ? g_ascii_strtoll (dash + 1, NULL, 10) : -1;
}

/* POST /v2/REPO/blobs/uploads/: a session (*out_session), or with from, a
 * mount from that repository (*out_session NULL: mounted). A refused mount
 * is not an error: *out_session is NULL and *out_refused TRUE. */
static gboolean
upload_open (OciRegistry *r, const char *repo, const char *digest, const char *from,
             char **out_session, guint64 *out_chunk_min, gboolean *out_refused, GError **error)
{
  g_autofree char *path = NULL, *scope = NULL;
  if (from)
    {
      g_autofree char *f = g_uri_escape_string (from, "/", FALSE);
      path = g_strdup_printf ("/v2/%s/blobs/uploads/?mount=%s&from=%s", repo, digest, f);
      /* the token must also let us read the repository mounted from */
      scope = g_strdup_printf ("repository:%s:pull,push repository:%s:pull", repo, from);
    }
  else
    {
      path = g_strdup_printf ("/v2/%s/blobs/uploads/", repo);
      scope = push_scope (repo);
    }
  Req post = { .method = "POST", .fd = -1 };
  Resp resp = { .fd = -1, .max = 65536 };
  *out_session = NULL;
  *out_refused = FALSE;
  if (!request (r, path, scope, NULL, &post, &resp, error))
    return resp_clear (&resp), FALSE;
  gboolean ok = TRUE;
  if (from && resp.status == 201)
    ;
  else if (resp.status == 202 && resp.location)
    {
      *out_session = session_url (r, resp.location, error);
      ok = *out_session != NULL;
      if (resp.chunk_min)
        *out_chunk_min = g_ascii_strtoull (resp.chunk_min, NULL, 10);
    }
  else if (from && resp.status != 500)
    *out_refused = TRUE;   /* no access to from, or no such repository */
  else
    ok = http_error (r, "blob upload", &resp, error);
  resp_clear (&resp);
  return ok;
}

/* PUT SESSION?digest=D, with size bytes of fd from offset (0: none). */
static gboolean
upload_finish (OciRegistry *r, const char *repo, const char *session, const char *digest, int fd,
               guint64 offset, guint64 size, GError **error)
{
  g_autofree char *scope = push_scope (repo);
  g_autofree char *url = g_strdup_printf ("%s%cdigest=%s", session, strchr (session, '?') ? '&' : '?',
                                          digest);
  Req put = { .method = "PUT", .content_type = "application/octet-stream", .fd = fd,
              .offset = offset, .size = size };
  if (size == 0)
    put.fd = -1;
  Resp resp = { .fd = -1, .max = 65536 };
  if (!request (r, url, scope, NULL, &put, &resp, error))
    return resp_clear (&resp), FALSE;
  gboolean ok = resp.status == 201 || http_error (r, digest, &resp, error);
  resp_clear (&resp);
  return ok;
}

/* PATCHes fd's bytes into the session, chunk bytes at a time, each with its
 * Content-Range; *session follows the Location of every answer. After a
 * failed chunk, the session's Range (GET) says where to go on from. */
static gboolean
upload_chunks (OciRegistry *r, const char *repo, char **session, const char *digest, int fd,
               guint64 size, guint64 chunk, GError **error)
{
  g_autofree char *scope = push_scope (repo);
  guint64 off = 0;
  guint resyncs = 0;
  while (off < size)
    {
      guint64 len = MIN (chunk, size - off);
      g_autofree char *cr = g_strdup_printf ("Content-Range: %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT,
                                             off, off + len - 1);
      Req patch = { .method = "PATCH", .content_type = "application/octet-stream", .fd = fd,
                    .offset = off, .size = len, .header = cr };
      Resp resp = { .fd = -1, .max = 65536 };
      g_autoptr(GError) local = NULL;
      gboolean sent = request (r, *session, scope, NULL, &patch, &resp, &local)
                      && resp.status == 202 && resp.location;
      if (!sent && resyncs++ < UPLOAD_RESYNCS)
        {
          /* Where does the session stand? 204 with the Range it holds. */
          resp_clear (&resp);
          resp.fd = -1, resp.max = 65536;
          g_clear_error (&local);
          gboolean answered = get (r, *session, scope, NULL, &resp, &local);
          if (answered && resp.status == 204 && resp.range)
            {
              gint64 end = range_end (resp.range);
              /* "0-0" is how distribution says a session holds nothing: no
               * chunk of ours at offset 0 is one byte long. */
              if (end == 0)
                end = -1;
              if (end + 1 <= (gint64) size)
                off = end + 1;
              if (resp.location)
                {
                  g_free (*session);
                  if (!(*session = session_url (r, resp.location, error)))
                    return resp_clear (&resp), FALSE;
                }
              resp_clear (&resp);
              continue;
            }
          if (answered && (resp.status == 404 || resp.status == 204))
            {
              /* The session is gone (distribution cancels one that is sent
               * an outdated URL, as after a chunk whose answer was lost), or
               * it does not say what it holds: start again in a new one. */
              g_autofree char *fresh = NULL;
              guint64 ignored_min;
              gboolean refused;
              resp_clear (&resp);
              if (!upload_open (r, repo, digest, NULL, &fresh, &ignored_min, &refused, error))
                return FALSE;
              if (!fresh)
                return g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID,
                                    "blob %s: the registry opened no new upload session", digest), FALSE;
              g_free (*session);
              *session = g_steal_pointer (&fresh);
              off = 0;
              continue;
            }
        }
      if (!sent)
        {
          if (local)
            g_propagate_prefixed_error (error, g_steal_pointer (&local), "blob %s: ", digest);
          else
            http_error (r, digest, &resp, error);
          resp_clear (&resp);
          return FALSE;
        }
      /* the registry's Range is the truth about what it holds */
      gint64 end = range_end (resp.range);
      off = end >= 0 && end + 1 <= (gint64) size ? (guint64) end + 1 : off + len;
      g_free (*session);
      *session = session_url (r, resp.location, error);
      resp_clear (&resp);
      if (!*session)
        return FALSE;
    }
  return TRUE;
}

gboolean
oci_registry_put_blob (OciRegistry *r, const char *repo, const char *digest, int fd, guint64 size,
                       const char *const *mount_from, OciBlobPut *out_how, GError **error)
{
  g_autofree char *session = NULL;
  guint64 chunk_min = 0;
  guint tried = 0;
  for (guint i = 0; mount_from && mount_from[i] && tried < UPLOAD_MOUNT_TRIES; i++)
    {
      if (g_str_equal (mount_from[i], repo))
        continue;
      tried++;
      gboolean refused;
      if (!upload_open (r, repo, digest, mount_from[i], &session, &chunk_min, &refused, error))
        return FALSE;
      if (!session && !refused)
        {
          if (out_how)
            *out_how = OCI_BLOB_MOUNTED;
          return TRUE;
        }
      /* 202: the registry did not mount, and opened a session to upload into */
      if (session)
        break;
    }
  gboolean refused;
  if (!session && !upload_open (r, repo, digest, NULL, &session, &chunk_min, &refused, error))
    return FALSE;
  if (size <= OCI_REGISTRY_CHUNK_SIZE)
    {
      if (out_how)
        *out_how = OCI_BLOB_UPLOADED;
      return upload_finish (r, repo, session, digest, fd, 0, size, error);
    }
  if (out_how)
    *out_how = OCI_BLOB_UPLOADED_CHUNKED;
  return upload_chunks (r, repo, &session, digest, fd, size, MAX (OCI_REGISTRY_CHUNK_SIZE, chunk_min), error)
         && upload_finish (r, repo, session, digest, -1, 0, 0, error);
}

gboolean
oci_registry_put_manifest (OciRegistry *r, const char *repo, const char *tag, GBytes *manifest,
                           const char *media_type, GError **error)
{
  g_autofree char *scope = push_scope (repo);
  g_autofree char *path = g_strdup_printf ("/v2/%s/manifests/%s", repo, tag);
  Req put = { .method = "PUT", .content_type = media_type, .fd = -1, .bytes = manifest };
  Resp resp = { .fd = -1, .max = 65536 };
  if (!request (r, path, scope, NULL, &put, &resp, error))
    return resp_clear (&resp), FALSE;
  gboolean ok = resp.status == 201 || http_error (r, tag, &resp, error);
  resp_clear (&resp);
  return ok;
}
