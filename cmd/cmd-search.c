/* cmd/cmd-search.c: ctrgit search [--json] [--facets LIST] [-n N] QUERY...
 * Queries the frame index that `ctrgit crawl --emit index` fills. */
#include "cmd/ctrgit.h"
#include "crawler/crawler.h"

#include <stdio.h>
#include <string.h>

#define SEARCH_LIMIT_DEFAULT 20

/* The arguments as one query: `search 'package:openssl port:443'` and
 * `search package:openssl port:443` mean the same, as in a search box;
 * double quotes group words ('name:"my app"'). */
static char *
search_join (int argc, char **argv)
{
  g_autoptr(GString) q = g_string_new (NULL);
  for (int i = 0; i < argc; i++)
    {
      if (q->len)
        g_string_append_c (q, ' ');
      g_string_append (q, argv[i]);
    }
  return g_strdup (q->str);
}

static const char *
str_or (json_t *o, const char *field, const char *fallback)
{
  const char *s = json_string_value (json_object_get (o, field));
  return s && *s ? s : fallback;
}

/* Everything printed here came from a container (file paths, package
 * names) or a runtime's records: through ctr_printable, so a name cannot
 * carry terminal escapes. */
static void
print_hit (json_t *hit, gboolean tty)
{
  const char *b = tty ? "\033[1m" : "", *y = tty ? "\033[33m" : "", *o = tty ? "\033[m" : "";
  const char *type = str_or (hit, "system_type", "?");
  g_autofree char *id = ctr_printable (str_or (hit, "id", "?"));
  g_autofree char *name = ctr_printable (str_or (hit, "name", NULL));
  g_autofree char *image = ctr_printable (str_or (hit, "image", NULL));
  g_autofree char *when = ctr_printable (str_or (hit, "timestamp", NULL));
  if (strcmp (type, "host") == 0)
    printf ("%s%s%s (host)\n", b, g_str_equal (name, "-") ? id : name, o);
  else
    printf ("%s%s%s %s%.12s%s\n", b, name, o, y, id, o);
  printf ("  image:    %s\n", image);
  printf ("  crawled:  %s\n", when);
  json_t *matched = json_object_get (hit, "matched");
  if (json_array_size (matched) > 0)
    {
      printf ("  matched:  ");
      size_t i;
      json_t *m;
      json_array_foreach (matched, i, m)
        {
          g_autofree char *shown = ctr_printable (json_string_value (m));
          printf ("%s%s", i ? ", " : "", shown);
        }
      printf ("\n");
    }
}

static void
print_facets (json_t *facets)
{
  const char *field;
  json_t *counts;
  json_object_foreach (facets, field, counts)
    {
      printf ("%-10s", field);
      if (json_object_size (counts) == 0)
        printf (" -");
      const char *value;
      json_t *n;
      json_object_foreach (counts, value, n)
        {
          g_autofree char *shown = ctr_printable (value);
          printf (" %s (%" JSON_INTEGER_FORMAT ")", shown, json_integer_value (n));
        }
      printf ("\n");
    }
}

int
cmd_search (int argc, char **argv, CtrGlobals *g)
{
  gboolean json = FALSE;
  g_autofree char *facets_opt = NULL;
  gint limit = SEARCH_LIMIT_DEFAULT;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Output JSON (docs/json.md)", NULL },
    { "facets", 'f', 0, G_OPTION_ARG_STRING, &facets_opt, "Count the hits per value of these fields (package,image,port,...)", "LIST" },
    { "max-count", 'n', 0, G_OPTION_ARG_INT, &limit, "Show at most N hits (default 20; 0: all)", "N" },
    { NULL },
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new (
      "QUERY... - search the indexed frames (package:NAME port:N image:NAME words...)");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!ctr_parse_options (ctx, &argc, &argv, "search"))
    return CTR_EXIT_USAGE;
  if (limit < 0)
    return ctr_usage ("search", "-n takes a number >= 0");
  g_autofree char *query = search_join (argc - 1, argv + 1);
  g_auto(GStrv) facets = facets_opt ? g_strsplit (facets_opt, ",", -1) : NULL;

  g_autoptr(GError) error = NULL;
  g_autoptr(CtrStore) store = ctr_open_store (g, &error);
  if (!store)
    return ctr_fail ("search", error);
  g_autoptr(CrawlIndex) idx = crawl_index_open (store, FALSE, &error);
  if (!idx)
    return ctr_fail ("search", error);
  g_autoptr(json_t) result = crawl_index_search (idx, query, facets, limit, &error);
  if (!result)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT))
        return ctr_usage ("search", "%s", error->message);
      return ctr_fail ("search", error);
    }
  json_int_t total = json_integer_value (json_object_get (result, "total"));
  if (json)
    {
      g_autofree char *text = json_dumps (result, JSON_INDENT (2) | JSON_PRESERVE_ORDER);
      printf ("%s\n", text);
      return total > 0 ? CTR_EXIT_OK : CTR_EXIT_ERROR;
    }
  json_t *hits = json_object_get (result, "hits");
  size_t i;
  json_t *hit;
  json_array_foreach (hits, i, hit)
    {
      print_hit (hit, g->tty);
      printf ("\n");
    }
  if (json_object_size (json_object_get (result, "facets")) > 0)
    {
      print_facets (json_object_get (result, "facets"));
      printf ("\n");
    }
  if ((json_int_t) json_array_size (hits) < total)
    printf ("%" JSON_INTEGER_FORMAT " results (first %zu shown)\n", total, json_array_size (hits));
  else
    printf ("%" JSON_INTEGER_FORMAT " result%s\n", total, total == 1 ? "" : "s");
  /* like grep: nothing found is not success */
  return total > 0 ? CTR_EXIT_OK : CTR_EXIT_ERROR;
}
