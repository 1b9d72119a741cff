/* crawler/format.c (being written). */
#include "crawler/crawler.h"

gboolean
crawl_format_parse (const char *name, CrawlFormat *out, GError **error)
{
  *out = CRAWL_FORMAT_JSON;
  return TRUE;
}

void
crawl_format_frame (json_t *frame, CrawlFormat fmt, GString *out)
{
  char *s = json_dumps (frame, JSON_COMPACT);
  g_string_append (out, s);
  g_string_append_c (out, '\n');
  free (s);
}
