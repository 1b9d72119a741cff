/* Output formats: each format of a fixture frame, byte for byte. The
 * crawler-csv lines were checked against Python's json.dumps, which is what
 * the older agentless system crawler wrote them with. Also the emitters
 * that write formatted frames, where no receiver is needed. */
#include "crawler/crawler.h"

#include <glib/gstdio.h>
#include <string.h>

static const char fixture[] =
  "{\"_frame\":{\"uuid\":\"0f8fad5b-d9cb-469f-a165-70867728950e\",\"timestamp\":\"2026-11-25T14:40:00.123Z\",\"host\":\"node1\",\"system_type\":\"container\",\"container_id\":\"c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00\",\"container_name\":\"web\",\"runtime\":\"podman\",\"image\":\"registry.example.com/team/app:v1\",\"image_digest\":null,\"image_id\":\"sha256:abc\",\"store_image\":null,\"pid\":42,\"labels\":null,\"features\":[\"os\",\"package\",\"connection\",\"config\"],\"duration_ms\":12.5,\"ctrgit_version\":\"test\",\"schema_version\":1,\"skipped\":[]},\"os\":{\"os\":{\"id\":\"debian\",\"pretty_name\":\"Debian GNU/Linux 12 (bookworm)\"}},\"package\":{\"openssl\":{\"name\":\"openssl\",\"version\":\"3.0.11-1~deb12u2\",\"arch\":\"amd64\"},\"caf\303\251\":{\"name\":\"caf\303\251\",\"version\":\"1.0\",\"arch\":\"all\"}},\"connection\":{\"tcp/0.0.0.0:80/0.0.0.0:0/7\":{\"proto\":\"tcp\",\"local_port\":80,\"listening\":true,\"pid\":7,\"load\":0.25}},\"config\":{\"/etc/a\\\"b\\tc\":{\"content\":\"x\177\\u0001\360\237\230\200 </>\",\"size\":1e+20}}}";

static const char delta[] =
  "{\"_frame\":{\"uuid\":\"11111111-2222-4333-8444-555555555555\",\"timestamp\":\"2026-11-25T14:41:00.000Z\",\"host\":\"node1\",\"system_type\":\"host\",\"container_id\":null,\"container_name\":null,\"image\":null,\"features\":[\"package\"],\"delta\":{\"base\":\"0f8fad5b-d9cb-469f-a165-70867728950e\",\"seq\":1}},\"package\":{\"added\":{\"curl\":{\"name\":\"curl\",\"version\":\"7.88.1\",\"arch\":\"amd64\"}},\"changed\":{\"openssl\":{\"name\":\"openssl\",\"version\":\"3.0.13\",\"arch\":\"amd64\"}},\"removed\":[\"zlib\"]},\"metric\":{\"added\":{\"floats\":{\"v\":[12.5,0.25,1e+20,1e-05,0.0001,1.2345678901234568e+17,1e+16,9999999999999998.0,0.30000000000000004,-0.0,5e-324,1.7976931348623157e+308,100.0,1.5e-07,2.5]}},\"changed\":{},\"removed\":[]}}";

static const char expect_json[] =
  "{\"_frame\":{\"uuid\":\"0f8fad5b-d9cb-469f-a165-70867728950e\",\"timestamp\":\"2026-11-25T14:40:00.123Z\",\"host\":\"node1\",\"system_type\":\"container\",\"container_id\":\"c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00\",\"container_name\":\"web\",\"runtime\":\"podman\",\"image\":\"registry.example.com/team/app:v1\",\"image_digest\":null,\"image_id\":\"sha256:abc\",\"store_image\":null,\"pid\":42,\"labels\":null,\"features\":[\"os\",\"package\",\"connection\",\"config\"],\"duration_ms\":12.5,\"ctrgit_version\":\"test\",\"schema_version\":1,\"skipped\":[]},\"os\":{\"os\":{\"id\":\"debian\",\"pretty_name\":\"Debian GNU/Linux 12 (bookworm)\"}},\"package\":{\"openssl\":{\"name\":\"openssl\",\"version\":\"3.0.11-1~deb12u2\",\"arch\":\"amd64\"},\"caf\303\251\":{\"name\":\"caf\303\251\",\"version\":\"1.0\",\"arch\":\"all\"}},\"connection\":{\"tcp/0.0.0.0:80/0.0.0.0:0/7\":{\"proto\":\"tcp\",\"local_port\":80,\"listening\":true,\"pid\":7,\"load\":0.25}},\"config\":{\"/etc/a\\\"b\\tc\":{\"content\":\"x\177\\u0001\360\237\230\200 </>\",\"size\":1e20}}}\n";

static const char expect_ndjson[] =
  "{\"uuid\":\"0f8fad5b-d9cb-469f-a165-70867728950e\",\"timestamp\":\"2026-11-25T14:40:00.123Z\",\"host\":\"node1\",\"system_type\":\"container\",\"container_id\":\"c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00\",\"container_name\":\"web\",\"image\":\"registry.example.com/team/app:v1\",\"feature\":\"os\",\"key\":\"os\",\"item\":{\"id\":\"debian\",\"pretty_name\":\"Debian GNU/Linux 12 (bookworm)\"}}\n"
  "{\"uuid\":\"0f8fad5b-d9cb-469f-a165-70867728950e\",\"timestamp\":\"2026-11-25T14:40:00.123Z\",\"host\":\"node1\",\"system_type\":\"container\",\"container_id\":\"c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00\",\"container_name\":\"web\",\"image\":\"registry.example.com/team/app:v1\",\"feature\":\"package\",\"key\":\"openssl\",\"item\":{\"name\":\"openssl\",\"version\":\"3.0.11-1~deb12u2\",\"arch\":\"amd64\"}}\n"
  "{\"uuid\":\"0f8fad5b-d9cb-469f-a165-70867728950e\",\"timestamp\":\"2026-11-25T14:40:00.123Z\",\"host\":\"node1\",\"system_type\":\"container\",\"container_id\":\"c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00\",\"container_name\":\"web\",\"image\":\"registry.example.com/team/app:v1\",\"feature\":\"package\",\"key\":\"caf\303\251\",\"item\":{\"name\":\"caf\303\251\",\"version\":\"1.0\",\"arch\":\"all\"}}\n"
  "{\"uuid\":\"0f8fad5b-d9cb-469f-a165-70867728950e\",\"timestamp\":\"2026-11-25T14:40:00.123Z\",\"host\":\"node1\",\"system_type\":\"container\",\"container_id\":\"c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00\",\"container_name\":\"web\",\"image\":\"registry.example.com/team/app:v1\",\"feature\":\"connection\",\"key\":\"tcp/0.0.0.0:80/0.0.0.0:0/7\",\"item\":{\"proto\":\"tcp\",\"local_port\":80,\"listening\":true,\"pid\":7,\"load\":0.25}}\n"
  "{\"uuid\":\"0f8fad5b-d9cb-469f-a165-70867728950e\",\"timestamp\":\"2026-11-25T14:40:00.123Z\",\"host\":\"node1\",\"system_type\":\"container\",\"container_id\":\"c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00\",\"container_name\":\"web\",\"image\":\"registry.example.com/team/app:v1\",\"feature\":\"config\",\"key\":\"/etc/a\\\"b\\tc\",\"item\":{\"content\":\"x\177\\u0001\360\237\230\200 </>\",\"size\":1e20}}\n";

static const char expect_csv[] =
  "metadata\t\"metadata\"\t{\"features\":\"os,package,connection,config\",\"timestamp\":\"2026-11-25T14:40:00+0000\",\"uuid\":\"0f8fad5b-d9cb-469f-a165-70867728950e\",\"namespace\":\"node1/web\",\"container_long_id\":\"c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00\",\"container_short_id\":\"c0ffee00c0ff\",\"container_name\":\"web\",\"container_image\":\"sha256:abc\",\"emit_shortname\":\"c0ffee00c0ff\",\"owner_namespace\":\"team\",\"docker_image_long_name\":\"registry.example.com/team/app:v1\",\"docker_image_short_name\":\"app:v1\",\"docker_image_tag\":\"v1\",\"docker_image_registry\":\"registry.example.com\",\"system_type\":\"container\"}\n"
  "os\t\"os\"\t{\"id\":\"debian\",\"pretty_name\":\"Debian GNU/Linux 12 (bookworm)\"}\n"
  "package\t\"openssl\"\t{\"name\":\"openssl\",\"version\":\"3.0.11-1~deb12u2\",\"arch\":\"amd64\"}\n"
  "package\t\"caf\\u00e9\"\t{\"name\":\"caf\\u00e9\",\"version\":\"1.0\",\"arch\":\"all\"}\n"
  "connection\t\"tcp/0.0.0.0:80/0.0.0.0:0/7\"\t{\"proto\":\"tcp\",\"local_port\":80,\"listening\":true,\"pid\":7,\"load\":0.25}\n"
  "config\t\"/etc/a\\\"b\\tc\"\t{\"content\":\"x\\u007f\\u0001\\ud83d\\ude00 </>\",\"size\":1e+20}\n";

static const char expect_delta_ndjson[] =
  "{\"uuid\":\"11111111-2222-4333-8444-555555555555\",\"timestamp\":\"2026-11-25T14:41:00.000Z\",\"host\":\"node1\",\"system_type\":\"host\",\"container_id\":null,\"container_name\":null,\"image\":null,\"feature\":\"package\",\"key\":\"curl\",\"item\":{\"name\":\"curl\",\"version\":\"7.88.1\",\"arch\":\"amd64\"},\"delta\":\"added\"}\n"
  "{\"uuid\":\"11111111-2222-4333-8444-555555555555\",\"timestamp\":\"2026-11-25T14:41:00.000Z\",\"host\":\"node1\",\"system_type\":\"host\",\"container_id\":null,\"container_name\":null,\"image\":null,\"feature\":\"package\",\"key\":\"openssl\",\"item\":{\"name\":\"openssl\",\"version\":\"3.0.13\",\"arch\":\"amd64\"},\"delta\":\"changed\"}\n"
  "{\"uuid\":\"11111111-2222-4333-8444-555555555555\",\"timestamp\":\"2026-11-25T14:41:00.000Z\",\"host\":\"node1\",\"system_type\":\"host\",\"container_id\":null,\"container_name\":null,\"image\":null,\"feature\":\"package\",\"key\":\"zlib\",\"item\":null,\"delta\":\"removed\"}\n"
  "{\"uuid\":\"11111111-2222-4333-8444-555555555555\",\"timestamp\":\"2026-11-25T14:41:00.000Z\",\"host\":\"node1\",\"system_type\":\"host\",\"container_id\":null,\"container_name\":null,\"image\":null,\"feature\":\"metric\",\"key\":\"floats\",\"item\":{\"v\":[12.5,0.25,1e20,1e-5,0.0001,1.23456789012346e17,1e16,1e16,0.3,-0.0,4.94065645841247e-324,1.79769313486232e308,100.0,1.5e-7,2.5]},\"delta\":\"added\"}\n";

static const char expect_delta_csv[] =
  "metadata\t\"metadata\"\t{\"features\":\"package\",\"timestamp\":\"2026-11-25T14:41:00+0000\",\"uuid\":\"11111111-2222-4333-8444-555555555555\",\"namespace\":\"node1\",\"system_type\":\"host\"}\n"
  "package\t\"curl\"\t{\"name\":\"curl\",\"version\":\"7.88.1\",\"arch\":\"amd64\"}\n"
  "package\t\"openssl\"\t{\"name\":\"openssl\",\"version\":\"3.0.13\",\"arch\":\"amd64\"}\n"
  "metric\t\"floats\"\t{\"v\":[12.5,0.25,1e+20,1e-05,0.0001,1.2345678901234568e+17,1e+16,9999999999999998.0,0.30000000000000004,-0.0,5e-324,1.7976931348623157e+308,100.0,1.5e-07,2.5]}\n";

static json_t *
load (const char *text)
{
  json_error_t err;
  json_t *j = json_loads (text, 0, &err);
  if (!j)
    g_error ("fixture: %s", err.text);
  return j;
}

static void
check_format (const char *frame_text, const char *format, const char *expected)
{
  g_autoptr(json_t) frame = load (frame_text);
  CrawlFormat fmt;
  g_autoptr(GError) error = NULL;
  g_assert_true (crawl_format_parse (format, &fmt, &error));
  g_assert_no_error (error);
  g_autoptr(GString) out = g_string_new (NULL);
  crawl_format_frame (frame, fmt, out);
  g_assert_cmpstr (out->str, ==, expected);
}

static void
test_json (void)
{
  check_format (fixture, "json", expect_json);
}

static void
test_ndjson (void)
{
  check_format (fixture, "ndjson", expect_ndjson);
}

static void
test_crawler_csv (void)
{
  check_format (fixture, "crawler-csv", expect_csv);
}

static void
test_delta_ndjson (void)
{
  check_format (delta, "ndjson", expect_delta_ndjson);
}

/* Also the floats: Python's repr, not printf's %.17g. */
static void
test_delta_crawler_csv (void)
{
  check_format (delta, "crawler-csv", expect_delta_csv);
}

static void
test_empty_frame_ndjson (void)
{
  check_format ("{\"_frame\":{\"uuid\":\"u\",\"timestamp\":\"t\",\"host\":\"h\",\"system_type\":\"host\"}}",
                "ndjson",
                "{\"uuid\":\"u\",\"timestamp\":\"t\",\"host\":\"h\",\"system_type\":\"host\","
                "\"container_id\":null,\"container_name\":null,\"image\":null,"
                "\"feature\":null,\"key\":null,\"item\":null}\n");
}

static void
test_unknown_format (void)
{
  CrawlFormat fmt;
  g_autoptr(GError) error = NULL;
  g_assert_false (crawl_format_parse ("xml", &fmt, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, "unknown format \"xml\": use json, ndjson or crawler-csv");
}

static void
test_file_emitter (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ctrgit-emit-XXXXXX", &error);
  g_autofree char *sub = g_build_filename (dir, "frames", NULL);
  g_autofree char *spec = g_strconcat ("file:", sub, NULL);
  g_autoptr(CrawlEmitter) e = crawl_emitter_new (spec, CRAWL_FORMAT_CRAWLER_CSV, NULL, &error);
  g_assert_no_error (error);
  g_autoptr(json_t) frame = load (fixture);
  g_assert_true (crawl_emitter_emit (e, frame, &error));
  g_assert_no_error (error);
  g_assert_true (crawl_emitter_close (e, &error));
  const char *name = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00"
                     "-20261125T144000.123Z-0f8fad5b.csv";
  g_autoptr(GDir) d = g_dir_open (sub, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_dir_read_name (d), ==, name);
  g_assert_null (g_dir_read_name (d));   /* and no temporary file */
  g_autofree char *path = g_build_filename (sub, name, NULL);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_cmpstr (text, ==, expect_csv);
  g_unlink (path);
  g_rmdir (sub);
  g_rmdir (dir);
}

/* A receiver that is gone: the queue holds 64 frames, the rest are dropped,
 * and close() counts every frame not delivered. Port 1 refuses at once. */
static void
test_http_queue_is_bounded (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrawlEmitter) e = crawl_emitter_new ("http://127.0.0.1:1/frames", CRAWL_FORMAT_JSON,
                                                 NULL, &error);
  g_assert_no_error (error);
  g_autoptr(json_t) frame = load (fixture);
  /* The first frame is refused at once; the sender then waits 250 ms before
   * trying again, while the next 100 arrive: 64 wait, 36 are dropped. */
  g_assert_true (crawl_emitter_emit (e, frame, &error));
  g_usleep (100 * 1000);
  for (int i = 0; i < 100; i++)
    {
      g_assert_true (crawl_emitter_emit (e, frame, &error));
      g_assert_no_error (error);
    }
  g_assert_false (crawl_emitter_close (e, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_test_message ("%s", error->message);
  g_assert_true (strstr (error->message, "101 of 101 frames not delivered (36 dropped: more than 64 were waiting): "));
  g_assert_true (strstr (error->message, "Couldn't connect"));
}

static void
test_unknown_emitter (void)
{
  g_autoptr(GError) error = NULL;
  g_assert_null (crawl_emitter_new ("ftp://x", CRAWL_FORMAT_JSON, NULL, &error));
  g_assert_true (strstr (error->message, "unknown emitter \"ftp://x\""));
  g_clear_error (&error);
  g_assert_null (crawl_emitter_new ("index", CRAWL_FORMAT_JSON, NULL, &error));
  g_assert_true (strstr (error->message, "needs a store"));
  g_clear_error (&error);
  g_assert_null (crawl_emitter_new ("http://h/?format=xml", CRAWL_FORMAT_JSON, NULL, &error));
  g_assert_true (strstr (error->message, "unknown format \"xml\""));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/crawl/format/json", test_json);
  g_test_add_func ("/crawl/format/ndjson", test_ndjson);
  g_test_add_func ("/crawl/format/crawler-csv", test_crawler_csv);
  g_test_add_func ("/crawl/format/delta-ndjson", test_delta_ndjson);
  g_test_add_func ("/crawl/format/delta-crawler-csv", test_delta_crawler_csv);
  g_test_add_func ("/crawl/format/empty-frame-ndjson", test_empty_frame_ndjson);
  g_test_add_func ("/crawl/format/unknown-format", test_unknown_format);
  g_test_add_func ("/crawl/emit/file", test_file_emitter);
  g_test_add_func ("/crawl/emit/http-queue-is-bounded", test_http_queue_is_bounded);
  g_test_add_func ("/crawl/emit/unknown-emitter", test_unknown_emitter);
  return g_test_run ();
}
