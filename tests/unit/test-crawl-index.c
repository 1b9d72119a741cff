/* The frame index: three systems (a web container, a database container,
 * the host) with different packages, ports, users, files and images; each
 * field filter finds exactly the systems it should, free text ranks by
 * bm25, facets count systems, a delta frame changes what is found, and
 * hostile queries neither break the query syntax nor the database. */
#include "crawler/crawler.h"

#include <glib/gstdio.h>
#include <string.h>

#define ID_WEB "aaaa000000000000000000000000000000000000000000000000000000000001"
#define ID_DB "bbbb000000000000000000000000000000000000000000000000000000000002"

/* Fixtures are written with ' for " to stay readable. */
static json_t *
frame (const char *text)
{
  g_autofree char *s = g_strdup (text);
  for (char *p = s; *p; p++)
    if (*p == '\'')
      *p = '"';
  json_error_t err;
  json_t *j = json_loads (s, 0, &err);
  if (!j)
    g_error ("fixture: %s: %s", err.text, s);
  return j;
}

static const char web[] =
  "{'_frame': {'uuid': 'u-web-1', 'timestamp': '2026-11-25T14:40:00.000Z', 'host': 'node1',"
  "  'system_type': 'container', 'container_id': '" ID_WEB "', 'container_name': 'web',"
  "  'runtime': 'podman', 'image': 'docker.io/library/nginx:1.25', 'features': []},"
  " 'os': {'os': {'id': 'debian', 'pretty_name': 'Debian GNU/Linux 12'}},"
  " 'package': {'openssl': {'name': 'openssl', 'version': '3.0.11', 'arch': 'amd64'},"
  "             'nginx': {'name': 'nginx', 'version': '1.25.3', 'arch': 'amd64'}},"
  " 'connection': {'tcp/0.0.0.0:80': {'proto': 'tcp', 'local_port': 80, 'listening': true, 'pid': 7},"
  "                'tcp/10.0.0.2:45000': {'proto': 'tcp', 'local_port': 45000, 'listening': false, 'pid': 7}},"
  " 'process': {'7': {'user': 'www-data', 'cmdline': 'nginx: master process nginx -g daemon off'}},"
  " 'file': {'/etc/nginx/conf.d/site.conf': {'path': '/etc/nginx/conf.d/site.conf', 'change': 'added'}}}";

static const char db[] =
  "{'_frame': {'uuid': 'u-db-1', 'timestamp': '2026-11-25T14:40:01.000Z', 'host': 'node1',"
  "  'system_type': 'container', 'container_id': '" ID_DB "', 'container_name': 'db',"
  "  'runtime': 'podman', 'image': 'docker.io/library/postgres:16', 'features': []},"
  " 'os': {'os': {'id': 'debian'}},"
  " 'package': {'openssl': {'name': 'openssl', 'version': '3.0.11', 'arch': 'amd64'},"
  "             'libpq5': {'name': 'libpq5', 'version': '16.1', 'arch': 'amd64'},"
  "             'postgresql-16': {'name': 'postgresql-16', 'version': '16.1', 'arch': 'amd64'}},"
  " 'connection': {'tcp/0.0.0.0:5432': {'proto': 'tcp', 'local_port': 5432, 'listening': true, 'pid': 9}},"
  " 'process': {'9': {'user': 'postgres', 'cmdline': 'postgres -D /var/lib/postgresql/data"
  "    -c config_file=/etc/postgresql/postgresql.conf -c log_line_prefix=db -c application_name=behind"
  "    -c shared_buffers=128MB -c listen_addresses=* -c comment=reached-through-the-nginx-proxy"
  "    -c max_connections=100 -c work_mem=4MB -c maintenance_work_mem=64MB'}}}";

static const char host[] =
  "{'_frame': {'uuid': 'u-host-1', 'timestamp': '2026-11-25T14:40:02.000Z', 'host': 'node1',"
  "  'system_type': 'host', 'container_id': null, 'container_name': null, 'runtime': null,"
  "  'image': null, 'features': []},"
  " 'os': {'os': {'id': 'ubuntu'}},"
  " 'package': {'openssl': {'name': 'openssl', 'version': '3.0.2', 'arch': 'amd64'},"
  "             'curl': {'name': 'curl', 'version': '7.81', 'arch': 'amd64'}},"
  " 'connection': {'tcp/0.0.0.0:22': {'proto': 'tcp', 'local_port': 22, 'listening': true, 'pid': 1}},"
  " 'process': {'1': {'user': 'root', 'cmdline': '/sbin/init'}}}";

typedef struct {
  char *dir;
  CrawlIndex *idx;
} Fixture;

static void
add (CrawlIndex *idx, const char *text)
{
  g_autoptr(json_t) f = frame (text);
  g_autoptr(GError) error = NULL;
  g_assert_true (crawl_index_add (idx, f, &error));
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  fx->dir = g_dir_make_tmp ("ctrgit-index-XXXXXX", &error);
  g_assert_no_error (error);
  g_autofree char *path = g_build_filename (fx->dir, "index", "frames.sqlite", NULL);
  fx->idx = crawl_index_open_path (path, TRUE, &error);
  g_assert_no_error (error);
  add (fx->idx, web);
  add (fx->idx, db);
  add (fx->idx, host);
}

static void
fixture_tear_down (Fixture *fx, gconstpointer data)
{
  crawl_index_free (fx->idx);
  g_autofree char *cmd = g_strdup_printf ("rm -rf %s", fx->dir);
  g_assert_true (g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL));
  g_free (fx->dir);
}

static json_t *
search (Fixture *fx, const char *query, char **facets)
{
  g_autoptr(GError) error = NULL;
  json_t *r = crawl_index_search (fx->idx, query, facets, 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (r);
  return r;
}

/* The names of the hits, in order, space-separated. */
static char *
names (Fixture *fx, const char *query)
{
  g_autoptr(json_t) r = search (fx, query, NULL);
  g_autoptr(GString) s = g_string_new (NULL);
  size_t i;
  json_t *hit;
  json_array_foreach (json_object_get (r, "hits"), i, hit)
    {
      if (i)
        g_string_append_c (s, ' ');
      g_string_append (s, json_string_value (json_object_get (hit, "name")));
    }
  g_assert_cmpint (json_integer_value (json_object_get (r, "total")), ==,
                   json_array_size (json_object_get (r, "hits")));
  return g_strdup (s->str);
}

static int
cmp_str (const void *a, const void *b)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

/* Sorted, for filters whose order is by timestamp only. */
static char *
names_sorted (Fixture *fx, const char *query)
{
  g_autofree char *n = names (fx, query);
  g_auto(GStrv) v = g_strsplit (n, " ", -1);
  qsort (v, g_strv_length (v), sizeof (char *), cmp_str);
  return g_strjoinv (" ", v);
}

#define assert_names(fx, query, expected) \
  do { g_autofree char *got_ = names_sorted (fx, query); g_assert_cmpstr (got_, ==, expected); } while (0)

static void
test_fields (Fixture *fx, gconstpointer data)
{
  assert_names (fx, "package:openssl", "db node1 web");
  assert_names (fx, "package:nginx", "web");
  assert_names (fx, "package:libpq5", "db");
  assert_names (fx, "package:OpenSSL", "db node1 web");
  assert_names (fx, "package:postgres*", "db");
  assert_names (fx, "package:postgres", "");
  assert_names (fx, "image:postgres", "db");
  assert_names (fx, "image:docker.io/library/nginx:1.25", "web");
  assert_names (fx, "port:5432", "db");
  assert_names (fx, "port:45000", "web");
  assert_names (fx, "listening:80", "web");
  assert_names (fx, "listening:45000", "");
  assert_names (fx, "listening:22", "node1");
  assert_names (fx, "user:postgres", "db");
  assert_names (fx, "user:root", "node1");
  assert_names (fx, "file:/etc/nginx", "web");
  assert_names (fx, "file:/etc/nginx/conf.d/site.conf", "web");
  assert_names (fx, "file:/usr", "");
  assert_names (fx, "name:db", "db");
  assert_names (fx, "name:node1", "node1");
  assert_names (fx, "id:bbbb", "db");
  assert_names (fx, "id:" ID_WEB, "web");
  assert_names (fx, "runtime:podman", "db web");
  assert_names (fx, "os:ubuntu", "node1");
  assert_names (fx, "os:debian", "db web");
}

static void
test_and (Fixture *fx, gconstpointer data)
{
  assert_names (fx, "package:openssl listening:80", "web");
  assert_names (fx, "package:openssl os:debian", "db web");
  assert_names (fx, "package:curl listening:80", "");
  assert_names (fx, "package:openssl postgres", "db");
}

static void
test_free_text_ranking (Fixture *fx, gconstpointer data)
{
  /* web says nginx in its image, package, process and file; db once, deep in
   * a long command line. */
  g_autofree char *n = names (fx, "nginx");
  g_assert_cmpstr (n, ==, "web db");
  g_autoptr(json_t) r = search (fx, "nginx", NULL);
  json_t *hits = json_object_get (r, "hits");
  double s0 = json_real_value (json_object_get (json_array_get (hits, 0), "score"));
  double s1 = json_real_value (json_object_get (json_array_get (hits, 1), "score"));
  g_assert_cmpfloat (s0, >, s1);
  g_assert_cmpfloat (s1, >, 0);
  /* what matched is listed */
  json_t *matched = json_object_get (json_array_get (hits, 1), "matched");
  g_assert_cmpstr (json_string_value (json_array_get (matched, 0)), ==, "process 9");
  g_autofree char *p = names (fx, "postgre*");
  g_assert_cmpstr (p, ==, "db");
  g_autofree char *none = names (fx, "nonexistentword");
  g_assert_cmpstr (none, ==, "");
  g_autofree char *every = names_sorted (fx, "");
  g_assert_cmpstr (every, ==, "db node1 web");
}

static void
test_facets (Fixture *fx, gconstpointer data)
{
  char *facets[] = { "package", "image", "listening", NULL };
  g_autoptr(json_t) r = search (fx, "", facets);
  g_autofree char *text = json_dumps (json_object_get (r, "facets"), JSON_COMPACT);
  g_assert_cmpstr (text, ==,
                   "{\"package\":{\"openssl\":3,\"curl\":1,\"libpq5\":1,\"nginx\":1,\"postgresql-16\":1},"
                   "\"image\":{\"docker.io/library/nginx:1.25\":1,\"docker.io/library/postgres:16\":1},"
                   "\"listening\":{\"22\":1,\"5432\":1,\"80\":1}}");
  /* counts are over the hits of the query, not the whole index */
  char *pf[] = { "package", NULL };
  g_autoptr(json_t) r2 = search (fx, "os:debian", pf);
  g_autofree char *t2 = json_dumps (json_object_get (r2, "facets"), JSON_COMPACT);
  g_assert_cmpstr (t2, ==,
                   "{\"package\":{\"openssl\":2,\"libpq5\":1,\"nginx\":1,\"postgresql-16\":1}}");

  char *bad[] = { "colour", NULL };
  g_autoptr(GError) error = NULL;
  g_assert_null (crawl_index_search (fx->idx, "", bad, 0, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_true (strstr (error->message, "unknown facet \"colour\""));
}

static void
test_limit (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(json_t) r = crawl_index_search (fx->idx, "package:openssl", NULL, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_integer_value (json_object_get (r, "total")), ==, 3);
  g_assert_cmpint (json_array_size (json_object_get (r, "hits")), ==, 2);
}

static void
test_delta_removes_package (Fixture *fx, gconstpointer data)
{
  add (fx->idx,
       "{'_frame': {'uuid': 'u-db-2', 'timestamp': '2026-11-25T14:41:00.000Z', 'host': 'node1',"
       "  'system_type': 'container', 'container_id': '" ID_DB "', 'container_name': 'db',"
       "  'runtime': 'podman', 'image': 'docker.io/library/postgres:16', 'features': ['package'],"
       "  'delta': {'base': 'u-db-1', 'seq': 1}},"
       " 'package': {'added': {'redis': {'name': 'redis', 'version': '7', 'arch': 'amd64'}},"
       "             'changed': {}, 'removed': ['libpq5']}}");
  assert_names (fx, "package:libpq5", "");
  assert_names (fx, "package:redis", "db");
  /* the rest of its state is still there, and it is still one system */
  assert_names (fx, "package:postgresql-16", "db");
  assert_names (fx, "listening:5432", "db");
  assert_names (fx, "package:openssl", "db node1 web");
  g_autoptr(json_t) r = search (fx, "name:db", NULL);
  g_assert_cmpstr (json_string_value (json_object_get (json_array_get (json_object_get (r, "hits"), 0), "uuid")),
                   ==, "u-db-2");
}

static void
test_full_frame_replaces (Fixture *fx, gconstpointer data)
{
  add (fx->idx,
       "{'_frame': {'uuid': 'u-web-2', 'timestamp': '2026-11-25T14:42:00.000Z', 'host': 'node1',"
       "  'system_type': 'container', 'container_id': '" ID_WEB "', 'container_name': 'web',"
       "  'runtime': 'podman', 'image': 'docker.io/library/nginx:1.25', 'features': ['package']},"
       " 'package': {'openssl': {'name': 'openssl', 'version': '3.0.13', 'arch': 'amd64'}}}");
  assert_names (fx, "package:nginx", "");
  assert_names (fx, "listening:80", "");
  assert_names (fx, "package:openssl", "db node1 web");
  /* the same frame again (a retried emit) changes nothing */
  add (fx->idx, web);
  assert_names (fx, "package:nginx", "");
}

static void
test_hostile_queries (Fixture *fx, gconstpointer data)
{
  static const char *const queries[] = {
    "\"", "'", "*", "**", "NEAR(", "NEAR(a b", "NEAR(nginx, 5)", "nginx OR", "AND", "OR NOT",
    "(", ")", "\"unterminated", "a\"b", "'); DROP TABLE frames; --",
    "package:'; DROP TABLE frames;--", "package:%", "image:_", "file:%", "id:%",
    "text:nginx", "items:x", "feature:nginx", "-nginx", "^nginx", "{text key}:nginx",
    "nginx*\"*", "\\", "%", "_", ":", "::::", "package:openssl\" OR \"1\"=\"1",
    "nginx\" OR \"postgres", "x' OR '1'='1", "\x01\x02", "\xc3\xa9t\xc3\xa9",
    "*nginx", "ngi*nx", "rank:1", "rowid:1", "bm25(items)",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(json_t) r = crawl_index_search (fx->idx, queries[i], NULL, 0, &error);
      if (!r)
        {
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
          continue;
        }
      g_assert_no_error (error);
      g_assert_true (json_is_integer (json_object_get (r, "total")));
    }
  /* a quoted word is the word, not an injected OR */
  assert_names (fx, "package:openssl\" OR \"1\"=\"1", "");
  /* not UTF-8, too long, a field with no value: each a clear error */
  static const char *const bad[] = { "\xff\xfe", "package:", "image:**" };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_assert_null (crawl_index_search (fx->idx, bad[i], NULL, 0, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    }
  g_autofree char *long_query = g_strnfill (5000, 'a');
  g_autoptr(GError) error = NULL;
  g_assert_null (crawl_index_search (fx->idx, long_query, NULL, 0, &error));
  g_assert_true (strstr (error->message, "limit"));
  /* and the index is intact */
  assert_names (fx, "package:openssl", "db node1 web");
}

static void
test_missing_index (void)
{
  g_autoptr(GError) error = NULL;
  g_assert_null (crawl_index_open_path ("/nonexistent/index/frames.sqlite", FALSE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_true (strstr (error->message, "--emit index"));
}

static void
test_not_a_frame (Fixture *fx, gconstpointer data)
{
  g_autoptr(json_t) f = frame ("{'_frame': {'host': 'x'}}");
  g_autoptr(GError) error = NULL;
  g_assert_false (crawl_index_add (fx->idx, f, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  assert_names (fx, "package:openssl", "db node1 web");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(name, fn) g_test_add ("/crawl/index/" name, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("fields", test_fields);
  ADD ("and", test_and);
  ADD ("free-text-ranking", test_free_text_ranking);
  ADD ("facets", test_facets);
  ADD ("limit", test_limit);
  ADD ("delta-removes-package", test_delta_removes_package);
  ADD ("full-frame-replaces", test_full_frame_replaces);
  ADD ("hostile-queries", test_hostile_queries);
  ADD ("not-a-frame", test_not_a_frame);
  g_test_add_func ("/crawl/index/missing-index", test_missing_index);
  return g_test_run ();
}
