/* crawler/index.c: the frame index behind `ctrgit search`.
 *
 * An SQLite database at STORE/index/frames.sqlite:
 *   frames  every frame added (uuid, system, name, image, timestamp, the
 *           frame as JSON); for each system (container id, or host name)
 *           one row is "latest" and only that one is searchable. A delta
 *           frame is applied to the latest state, and the result is stored.
 *   facets  (frame, field, value) of the latest frames: package names,
 *           ports, users, file paths, image, name...; field filters and
 *           facet counts read it.
 *   items   an FTS5 table, one row per item of the latest frames (its text:
 *           feature, key and every value), ranked with bm25. Its rowid is
 *           frame id << INDEX_ROWID_SHIFT | item number, so the rows of one
 *           frame are a rowid range: replacing a frame deletes a range.
 * WAL, so `ctrgit search` reads while a `crawl --watch` writes; one
 * transaction per frame, so a search never sees half of one.
 *
 * User queries never reach SQL or FTS5 syntax: every value is a bound
 * parameter, every free-text word becomes one quoted FTS5 string.
 */
#include "crawler/crawler-private.h"

#include <errno.h>
#include <sqlite3.h>
#include <string.h>

#define INDEX_ROWID_SHIFT 24
#define INDEX_ITEMS_PER_FRAME_MAX ((1u << INDEX_ROWID_SHIFT) - 1)
#define INDEX_ITEM_TEXT_MAX (16u * 1024)     /* text indexed per item */
#define INDEX_HISTORY_MAX 100                /* frames kept per system */
#define INDEX_QUERY_MAX 4096                 /* bytes of a query */
#define INDEX_QUERY_TERMS_MAX 32
#define INDEX_FACET_VALUES_MAX 20            /* values listed per facet */
#define INDEX_MATCHED_MAX 3                  /* matches shown per term and hit */
#define INDEX_BUSY_TIMEOUT_MS 10000
#define INDEX_SCHEMA_VERSION 1

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

struct CrawlIndex {
  sqlite3 *db;
  char *path;
};

static const char index_schema[] =
  "CREATE TABLE IF NOT EXISTS frames ("
  "  id INTEGER PRIMARY KEY,"
  "  uuid TEXT NOT NULL UNIQUE,"
  "  system TEXT NOT NULL,"
  "  system_type TEXT,"
  "  name TEXT,"
  "  image TEXT,"
  "  timestamp TEXT NOT NULL,"
  "  latest INTEGER NOT NULL DEFAULT 0,"
  "  json TEXT NOT NULL);"
  "CREATE INDEX IF NOT EXISTS frames_system ON frames (system, latest);"
  "CREATE TABLE IF NOT EXISTS facets ("
  "  frame INTEGER NOT NULL,"
  "  field TEXT NOT NULL,"
  "  value TEXT NOT NULL);"
  "CREATE INDEX IF NOT EXISTS facets_field ON facets (field, value);"
  "CREATE INDEX IF NOT EXISTS facets_frame ON facets (frame, field);"
  "CREATE VIRTUAL TABLE IF NOT EXISTS items USING fts5 ("
  "  text, feature UNINDEXED, key UNINDEXED, tokenize = 'unicode61 remove_diacritics 2');";

/* --- errors and statements ------------------------------------------------- */

static gboolean
index_fail (CrawlIndex *idx, GError **error, const char *what)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s: %s", idx->path, what,
               sqlite3_errmsg (idx->db));
  return FALSE;
}

static sqlite3_stmt *
index_prepare (CrawlIndex *idx, const char *sql, GError **error)
{
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2 (idx->db, sql, -1, &st, NULL) != SQLITE_OK)
    {
      index_fail (idx, error, "prepare");
      return NULL;
    }
  return st;
}

static gboolean
index_exec (CrawlIndex *idx, const char *sql, GError **error)
{
  char *msg = NULL;
  if (sqlite3_exec (idx->db, sql, NULL, NULL, &msg) != SQLITE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", idx->path,
                   msg ? msg : sqlite3_errmsg (idx->db));
      sqlite3_free (msg);
      return FALSE;
    }
  return TRUE;
}

/* Steps a statement that returns no rows (or whose rows do not matter). */
static gboolean
index_step_done (CrawlIndex *idx, sqlite3_stmt *st, GError **error)
{
  int rc;
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    ;
  if (rc != SQLITE_DONE)
    return index_fail (idx, error, "write");
  return TRUE;
}

static void
bind_text (sqlite3_stmt *st, int i, const char *s)
{
  if (s)
    sqlite3_bind_text (st, i, s, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (st, i);
}

/* --- opening --------------------------------------------------------------- */

void
crawl_index_free (CrawlIndex *idx)
{
  if (!idx)
    return;
  sqlite3_close_v2 (idx->db);
  g_free (idx->path);
  g_free (idx);
}

CrawlIndex *
crawl_index_open_path (const char *path, gboolean create, GError **error)
{
  if (!create && !g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "no frame index at %s yet: crawl with `--emit index` first", path);
      return NULL;
    }
  if (create)
    {
      g_autofree char *dir = g_path_get_dirname (path);
      if (g_mkdir_with_parents (dir, 0755) < 0)
        {
          int err = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (err), "%s: %s", dir,
                       g_strerror (err));
          return NULL;
        }
    }
  g_autoptr(CrawlIndex) idx = g_new0 (CrawlIndex, 1);
  idx->path = g_strdup (path);
  int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2 (path, &idx->db, flags, NULL) != SQLITE_OK)
    {
      if (!idx->db)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: out of memory", path);
          return NULL;
        }
      index_fail (idx, error, "open");
      return NULL;
    }
  sqlite3_extended_result_codes (idx->db, 1);
  sqlite3_busy_timeout (idx->db, INDEX_BUSY_TIMEOUT_MS);
  if (!index_exec (idx, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;", error))
    return NULL;

  g_autoptr(sqlite3_stmt) st = index_prepare (idx, "PRAGMA user_version", error);
  if (!st)
    return NULL;
  int version = sqlite3_step (st) == SQLITE_ROW ? sqlite3_column_int (st, 0) : 0;
  if (version > INDEX_SCHEMA_VERSION)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "%s: index version %d is newer than this ctrgit knows (%d)", path, version,
                   INDEX_SCHEMA_VERSION);
      return NULL;
    }
  if (version < INDEX_SCHEMA_VERSION)
    {
      if (!index_exec (idx, "BEGIN IMMEDIATE", error))
        return NULL;
      g_autofree char *sql = g_strdup_printf ("%s PRAGMA user_version = %d;", index_schema,
                                              INDEX_SCHEMA_VERSION);
      if (!index_exec (idx, sql, error))
        {
          sqlite3_exec (idx->db, "ROLLBACK", NULL, NULL, NULL);
          return NULL;
        }
      if (!index_exec (idx, "COMMIT", error))
        return NULL;
    }
  return g_steal_pointer (&idx);
}

CrawlIndex *
crawl_index_open (CtrStore *store, gboolean create, GError **error)
{
  g_autofree char *path = g_build_filename (store_path (store), "index", "frames.sqlite", NULL);
  return crawl_index_open_path (path, create, error);
}

/* --- adding frames ---------------------------------------------------------- */

static const char *
header_string (json_t *header, const char *field)
{
  return json_string_value (json_object_get (header, field));
}

/* Applies a delta frame's sections to state (a full frame), in place. */
static void
apply_delta_cb (const char *feature, const char *key, json_t *item, const char *delta, void *user)
{
  json_t *state = user;
  json_t *section = json_object_get (state, feature);
  if (!json_is_object (section))
    {
      section = json_object ();
      json_object_set_new (state, feature, section);
    }
  if (item)
    json_object_set (section, key, item);
  else
    json_object_del (section, key);
}

typedef struct {
  CrawlIndex *idx;
  sqlite3_stmt *facet;
  sqlite3_stmt *item;
  sqlite3_int64 frame;
  guint n_items;
  GHashTable *seen;     /* "field\nvalue" already in facets for this frame */
  GString *text;
  GError *error;
} IndexAdd;

static void
add_facet (IndexAdd *a, const char *field, const char *value)
{
  if (a->error || !value || !*value)
    return;
  char *k = g_strconcat (field, "\n", value, NULL);
  if (!g_hash_table_add (a->seen, k))
    return;
  sqlite3_reset (a->facet);
  sqlite3_bind_int64 (a->facet, 1, a->frame);
  bind_text (a->facet, 2, field);
  bind_text (a->facet, 3, value);
  index_step_done (a->idx, a->facet, &a->error);
}

static void
add_facet_json (IndexAdd *a, const char *field, json_t *v)
{
  if (json_is_string (v))
    add_facet (a, field, json_string_value (v));
  else if (json_is_integer (v))
    {
      char buf[32];
      g_snprintf (buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value (v));
      add_facet (a, field, buf);
    }
}

/* Every scalar of an item, space-separated, up to INDEX_ITEM_TEXT_MAX. */
static void
flatten_text (GString *out, json_t *j)
{
  if (out->len >= INDEX_ITEM_TEXT_MAX)
    return;
  switch (json_typeof (j))
    {
    case JSON_OBJECT:
      {
        const char *k;
        json_t *v;
        json_object_foreach (j, k, v)
          flatten_text (out, v);
        break;
      }
    case JSON_ARRAY:
      {
        size_t i;
        json_t *v;
        json_array_foreach (j, i, v)
          flatten_text (out, v);
        break;
      }
    case JSON_STRING:
      g_string_append_len (out, json_string_value (j),
                           MIN (json_string_length (j), INDEX_ITEM_TEXT_MAX - out->len));
      g_string_append_c (out, ' ');
      break;
    case JSON_INTEGER:
      g_string_append_printf (out, "%" JSON_INTEGER_FORMAT " ", json_integer_value (j));
      break;
    default:
      break;
    }
}

static void
add_item_text (IndexAdd *a, const char *feature, const char *key, const char *text)
{
  if (a->error || a->n_items >= INDEX_ITEMS_PER_FRAME_MAX)
    return;
  sqlite3_reset (a->item);
  sqlite3_bind_int64 (a->item, 1, (a->frame << INDEX_ROWID_SHIFT) | ++a->n_items);
  bind_text (a->item, 2, text);
  bind_text (a->item, 3, feature);
  bind_text (a->item, 4, key);
  index_step_done (a->idx, a->item, &a->error);
}

static void
index_item_cb (const char *feature, const char *key, json_t *item, const char *delta, void *user)
{
  IndexAdd *a = user;
  if (strcmp (feature, "package") == 0)
    {
      json_t *name = json_object_get (item, "name");
      add_facet (a, "package", json_is_string (name) ? json_string_value (name) : key);
    }
  else if (strcmp (feature, "connection") == 0)
    {
      json_t *port = json_object_get (item, "local_port");
      add_facet_json (a, "port", port);
      if (json_is_true (json_object_get (item, "listening")))
        add_facet_json (a, "listening", port);
    }
  else if (strcmp (feature, "process") == 0)
    add_facet_json (a, "user", json_object_get (item, "user"));
  else if (strcmp (feature, "file") == 0)
    {
      json_t *path = json_object_get (item, "path");
      add_facet (a, "file", json_is_string (path) ? json_string_value (path) : key);
    }
  else if (strcmp (feature, "os") == 0)
    {
      static const char *const os_fields[] = { "id", "distro", "name", "pretty_name" };
      for (gsize i = 0; i < G_N_ELEMENTS (os_fields); i++)
        if (json_is_string (json_object_get (item, os_fields[i])))
          {
            add_facet_json (a, "os", json_object_get (item, os_fields[i]));
            break;
          }
    }
  g_string_assign (a->text, feature);
  g_string_append_c (a->text, ' ');
  g_string_append (a->text, key);
  g_string_append_c (a->text, ' ');
  flatten_text (a->text, item);
  add_item_text (a, feature, key, a->text->str);
}

static gboolean
index_frame_rows (CrawlIndex *idx, sqlite3_int64 frame, json_t *state, GError **error)
{
  g_autoptr(sqlite3_stmt) facet = index_prepare (
      idx, "INSERT INTO facets (frame, field, value) VALUES (?1, ?2, ?3)", error);
  if (!facet)
    return FALSE;
  g_autoptr(sqlite3_stmt) item = index_prepare (
      idx, "INSERT INTO items (rowid, text, feature, key) VALUES (?1, ?2, ?3, ?4)", error);
  if (!item)
    return FALSE;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GString) text = g_string_new (NULL);
  IndexAdd a = { idx, facet, item, frame, 0, seen, text, NULL };

  json_t *h = json_object_get (state, "_frame");
  const char *host = header_string (h, "host");
  const char *id = header_string (h, "container_id");
  const char *name = header_string (h, "container_name");
  add_facet (&a, "name", name ? name : host);
  add_facet (&a, "id", id ? id : host);
  add_facet (&a, "image", header_string (h, "image"));
  add_facet (&a, "runtime", header_string (h, "runtime"));
  add_facet (&a, "type", header_string (h, "system_type"));
  /* The header is text too: "python" finds a container named or built from it. */
  g_string_truncate (text, 0);
  static const char *const header_fields[] = {
    "container_name", "image", "host", "container_id", "runtime", "system_type",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (header_fields); i++)
    flatten_text (text, json_object_get (h, header_fields[i]));
  add_item_text (&a, "_frame", "", text->str);

  crawl_frame_foreach_item (state, index_item_cb, &a);
  if (a.error)
    {
      g_propagate_error (error, a.error);
      return FALSE;
    }
  return TRUE;
}

/* Takes the latest frame of system out of search (it stays stored). */
static gboolean
index_retire (CrawlIndex *idx, sqlite3_int64 frame, GError **error)
{
  static const char *const sql[] = {
    "UPDATE frames SET latest = 0 WHERE id = ?1",
    "DELETE FROM facets WHERE frame = ?1",
    "DELETE FROM items WHERE rowid BETWEEN ?2 AND ?3",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (sql); i++)
    {
      g_autoptr(sqlite3_stmt) st = index_prepare (idx, sql[i], error);
      if (!st)
        return FALSE;
      /* a statement without ?2 or ?3 answers SQLITE_RANGE to those binds, harmlessly */
      sqlite3_bind_int64 (st, 1, frame);
      sqlite3_bind_int64 (st, 2, frame << INDEX_ROWID_SHIFT);
      sqlite3_bind_int64 (st, 3, (frame << INDEX_ROWID_SHIFT) | INDEX_ITEMS_PER_FRAME_MAX);
      if (!index_step_done (idx, st, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
index_add_locked (CrawlIndex *idx, json_t *frame, GError **error)
{
  json_t *h = json_object_get (frame, "_frame");
  const char *uuid = header_string (h, "uuid");
  const char *ts = header_string (h, "timestamp");
  const char *system = header_string (h, "container_id");
  if (!system)
    system = header_string (h, "host");
  if (!uuid || !ts || !system)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "not a frame: _frame needs uuid, timestamp and container_id or host");
      return FALSE;
    }
  g_autoptr(sqlite3_stmt) dup = index_prepare (idx, "SELECT 1 FROM frames WHERE uuid = ?1", error);
  if (!dup)
    return FALSE;
  bind_text (dup, 1, uuid);
  if (sqlite3_step (dup) == SQLITE_ROW)
    return TRUE;   /* the same frame twice (a retried emit): already there */

  g_autoptr(sqlite3_stmt) prev = index_prepare (
      idx, "SELECT id, json FROM frames WHERE system = ?1 AND latest = 1", error);
  if (!prev)
    return FALSE;
  bind_text (prev, 1, system);
  sqlite3_int64 prev_id = 0;
  g_autoptr(json_t) state = NULL;
  if (sqlite3_step (prev) == SQLITE_ROW)
    {
      prev_id = sqlite3_column_int64 (prev, 0);
      if (json_is_object (json_object_get (h, "delta")))
        state = json_loads ((const char *) sqlite3_column_text (prev, 1), 0, NULL);
    }
  if (json_is_object (json_object_get (h, "delta")))
    {
      /* A delta with no base here (the index joined a watch late) starts
       * from nothing: what it adds and changes is still worth finding. */
      if (!json_is_object (state))
        {
          json_decref (state);
          state = json_object ();
        }
      crawl_frame_foreach_item (frame, apply_delta_cb, state);
      /* The result is a full frame: its header says which delta made it,
       * under a name that does not make it read as a delta again. */
      json_t *sh = json_copy (h);
      json_object_set (sh, "applied_delta", json_object_get (sh, "delta"));
      json_object_del (sh, "delta");
      json_object_set_new (state, "_frame", sh);
    }
  else
    state = json_incref (frame);
  if (prev_id && !index_retire (idx, prev_id, error))
    return FALSE;

  g_autofree char *text = json_dumps (state, CRAWL_JSON_FLAGS);
  g_autoptr(sqlite3_stmt) ins = index_prepare (
      idx, "INSERT INTO frames (uuid, system, system_type, name, image, timestamp, latest, json)"
           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7)", error);
  if (!ins)
    return FALSE;
  const char *name = header_string (h, "container_name");
  bind_text (ins, 1, uuid);
  bind_text (ins, 2, system);
  bind_text (ins, 3, header_string (h, "system_type"));
  bind_text (ins, 4, name ? name : header_string (h, "host"));
  bind_text (ins, 5, header_string (h, "image"));
  bind_text (ins, 6, ts);
  bind_text (ins, 7, text);
  if (!index_step_done (idx, ins, error))
    return FALSE;
  sqlite3_int64 id = sqlite3_last_insert_rowid (idx->db);
  if (!index_frame_rows (idx, id, state, error))
    return FALSE;

  /* History is kept, but not forever: a week of --watch is thousands of frames. */
  g_autoptr(sqlite3_stmt) prune = index_prepare (
      idx, "DELETE FROM frames WHERE system = ?1 AND latest = 0 AND id NOT IN"
           " (SELECT id FROM frames WHERE system = ?1 ORDER BY id DESC LIMIT ?2)", error);
  if (!prune)
    return FALSE;
  bind_text (prune, 1, system);
  sqlite3_bind_int (prune, 2, INDEX_HISTORY_MAX);
  return index_step_done (idx, prune, error);
}

gboolean
crawl_index_add (CrawlIndex *idx, json_t *frame, GError **error)
{
  if (!index_exec (idx, "BEGIN IMMEDIATE", error))
    return FALSE;
  if (!index_add_locked (idx, frame, error))
    {
      sqlite3_exec (idx->db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }
  return index_exec (idx, "COMMIT", error);
}

/* --- searching ------------------------------------------------------------- */

typedef enum {
  MATCH_EXACT,
  MATCH_PREFIX,
  MATCH_SUBSTRING,
} MatchMode;

static const struct {
  const char *field;
  MatchMode mode;
} index_fields[] = {
  { "package", MATCH_EXACT },
  { "image", MATCH_SUBSTRING },
  { "port", MATCH_EXACT },
  { "listening", MATCH_EXACT },
  { "user", MATCH_EXACT },
  { "file", MATCH_PREFIX },
  { "name", MATCH_EXACT },
  { "id", MATCH_PREFIX },
  { "runtime", MATCH_EXACT },
  { "os", MATCH_SUBSTRING },
  { "type", MATCH_EXACT },
};

static int
index_field (const char *name, gsize len)
{
  for (gsize i = 0; i < G_N_ELEMENTS (index_fields); i++)
    if (strlen (index_fields[i].field) == len && g_ascii_strncasecmp (name, index_fields[i].field, len) == 0)
      return i;
  return -1;
}

typedef struct {
  int field;        /* index in index_fields, or -1: free text */
  MatchMode mode;
  char *value;      /* field value, or the FTS5 expression of a word */
  char *shown;      /* as the user wrote it */
} QueryTerm;

static void
query_term_free (QueryTerm *t)
{
  g_free (t->value);
  g_free (t->shown);
  g_free (t);
}

/* Splits at spaces; double quotes group ("name:my app" or "two words"). */
static GPtrArray *
query_split (const char *q)
{
  GPtrArray *words = g_ptr_array_new_with_free_func (g_free);
  GString *w = NULL;
  gboolean quoted = FALSE;
  for (const char *p = q;; p++)
    {
      if (*p == '\0' || (!quoted && g_ascii_isspace (*p)))
        {
          if (w)
            g_ptr_array_add (words, g_string_free (g_steal_pointer (&w), FALSE));
          if (!*p)
            break;
          continue;
        }
      if (!w)
        w = g_string_new (NULL);
      if (*p == '"')
        quoted = !quoted;
      else
        g_string_append_c (w, *p);
    }
  return words;
}

static gboolean
has_token_chars (const char *s)
{
  for (const char *p = s; *p; p = g_utf8_next_char (p))
    if (g_unichar_isalnum (g_utf8_get_char (p)))
      return TRUE;
  return FALSE;
}

/* One word as one FTS5 string: quotes doubled, so nothing in it (NEAR, AND,
 * column filters, parentheses) is syntax; a trailing * makes it a prefix. */
static char *
fts_phrase (const char *word)
{
  g_autofree char *w = g_strdup (word);
  gboolean prefix = FALSE;
  gsize n = strlen (w);
  while (n > 0 && w[n - 1] == '*')
    w[--n] = '\0', prefix = TRUE;
  GString *out = g_string_new ("\"");
  for (const char *p = w; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
  if (prefix)
    g_string_append_c (out, '*');
  return g_string_free (out, FALSE);
}

static gboolean
query_parse (const char *query, GPtrArray **out, GError **error)
{
  if (query && strlen (query) > INDEX_QUERY_MAX)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "query longer than the limit of %u bytes", INDEX_QUERY_MAX);
      return FALSE;
    }
  if (query && !g_utf8_validate (query, -1, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "query is not UTF-8");
      return FALSE;
    }
  g_autoptr(GPtrArray) words = query_split (query ? query : "");
  g_autoptr(GPtrArray) terms = g_ptr_array_new_with_free_func ((GDestroyNotify) query_term_free);
  for (guint i = 0; i < words->len; i++)
    {
      const char *w = words->pdata[i];
      const char *colon = strchr (w, ':');
      int field = colon && colon > w ? index_field (w, colon - w) : -1;
      QueryTerm *t = g_new0 (QueryTerm, 1);
      t->field = field;
      t->shown = g_strdup (w);
      if (field >= 0)
        {
          g_autofree char *v = g_strdup (colon + 1);
          gsize n = strlen (v);
          t->mode = index_fields[field].mode;
          if (n > 0 && v[n - 1] == '*')
            {
              while (n > 0 && v[n - 1] == '*')
                v[--n] = '\0';
              if (t->mode == MATCH_EXACT)
                t->mode = MATCH_PREFIX;
            }
          if (!*v)
            {
              query_term_free (t);
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "\"%s\" needs a value, as in %s:VALUE", w, index_fields[field].field);
              return FALSE;
            }
          t->value = g_ascii_strdown (v, -1);
        }
      else if (has_token_chars (w))
        t->value = fts_phrase (w);
      else
        {
          /* Punctuation alone ("*", "(") matches no token: it narrows nothing. */
          query_term_free (t);
          continue;
        }
      g_ptr_array_add (terms, t);
      if (terms->len > INDEX_QUERY_TERMS_MAX)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "query has more than the limit of %u terms", INDEX_QUERY_TERMS_MAX);
          return FALSE;
        }
    }
  *out = g_steal_pointer (&terms);
  return TRUE;
}

/* SQL that is true when facet row alias c matches term parameter ?N. */
static void
append_value_match (GString *sql, const char *c, MatchMode mode, int n)
{
  switch (mode)
    {
    case MATCH_EXACT:
      g_string_append_printf (sql, "lower(%s.value) = ?%d", c, n);
      break;
    case MATCH_PREFIX:
      g_string_append_printf (sql, "substr(lower(%s.value), 1, length(?%d)) = ?%d", c, n, n);
      break;
    case MATCH_SUBSTRING:
      g_string_append_printf (sql, "instr(lower(%s.value), ?%d) > 0", c, n);
      break;
    }
}

/* Fills temp.hits with (frame, score) of every latest frame matching all terms. */
static gboolean
search_fill_hits (CrawlIndex *idx, GPtrArray *terms, GError **error)
{
  if (!index_exec (idx, "CREATE TEMP TABLE IF NOT EXISTS hits (frame INTEGER PRIMARY KEY, score REAL);"
                        "DELETE FROM temp.hits;", error))
    return FALSE;
  g_autoptr(GString) sql = g_string_new ("INSERT INTO temp.hits (frame, score) SELECT f.id, 0");
  for (guint i = 0; i < terms->len; i++)
    if (((QueryTerm *) terms->pdata[i])->field < 0)
      g_string_append_printf (sql, " - t%u.s", i);
  g_string_append (sql, " FROM frames f");
  for (guint i = 0; i < terms->len; i++)
    if (((QueryTerm *) terms->pdata[i])->field < 0)
      g_string_append_printf (sql, " JOIN (SELECT rowid >> %d AS frame, min(rank) AS s FROM items"
                                   " WHERE items MATCH ?%u GROUP BY 1) t%u ON t%u.frame = f.id",
                              INDEX_ROWID_SHIFT, 2 * i + 1, i, i);
  g_string_append (sql, " WHERE f.latest = 1");
  for (guint i = 0; i < terms->len; i++)
    {
      QueryTerm *t = terms->pdata[i];
      if (t->field < 0)
        continue;
      g_string_append_printf (sql, " AND EXISTS (SELECT 1 FROM facets c WHERE c.frame = f.id"
                                   " AND c.field = ?%u AND ", 2 * i + 1);
      append_value_match (sql, "c", t->mode, 2 * i + 2);
      g_string_append (sql, ")");
    }
  g_autoptr(sqlite3_stmt) st = index_prepare (idx, sql->str, error);
  if (!st)
    return FALSE;
  for (guint i = 0; i < terms->len; i++)
    {
      QueryTerm *t = terms->pdata[i];
      if (t->field < 0)
        bind_text (st, 2 * i + 1, t->value);
      else
        {
          bind_text (st, 2 * i + 1, index_fields[t->field].field);
          bind_text (st, 2 * i + 2, t->value);
        }
    }
  if (sqlite3_step (st) != SQLITE_DONE)
    return index_fail (idx, error, "search");
  return TRUE;
}

/* What made a hit match, to show the user: "package:openssl", "process 1234". */
static gboolean
search_matched (CrawlIndex *idx, sqlite3_int64 frame, GPtrArray *terms, json_t *out,
                GError **error)
{
  for (guint i = 0; i < terms->len; i++)
    {
      QueryTerm *t = terms->pdata[i];
      g_autoptr(GString) sql = g_string_new (NULL);
      if (t->field >= 0)
        {
          g_string_append (sql, "SELECT DISTINCT c.field, c.value FROM facets c"
                                " WHERE c.frame = ?3 AND c.field = ?1 AND ");
          append_value_match (sql, "c", t->mode, 2);
        }
      else
        g_string_append (sql, "SELECT feature, key FROM items WHERE items MATCH ?1"
                              " AND rowid BETWEEN ?4 AND ?5 ORDER BY rank");
      g_string_append_printf (sql, " LIMIT %d", INDEX_MATCHED_MAX);
      g_autoptr(sqlite3_stmt) st = index_prepare (idx, sql->str, error);
      if (!st)
        return FALSE;
      if (t->field >= 0)
        {
          bind_text (st, 1, index_fields[t->field].field);
          bind_text (st, 2, t->value);
          sqlite3_bind_int64 (st, 3, frame);
        }
      else
        {
          bind_text (st, 1, t->value);
          sqlite3_bind_int64 (st, 4, frame << INDEX_ROWID_SHIFT);
          sqlite3_bind_int64 (st, 5, (frame << INDEX_ROWID_SHIFT) | INDEX_ITEMS_PER_FRAME_MAX);
        }
      int rc;
      while ((rc = sqlite3_step (st)) == SQLITE_ROW)
        {
          const char *a = (const char *) sqlite3_column_text (st, 0);
          const char *b = (const char *) sqlite3_column_text (st, 1);
          g_autofree char *s = NULL;
          if (t->field >= 0)
            s = g_strdup_printf ("%s:%s", a, b);
          else if (g_strcmp0 (a, "_frame") == 0)
            s = g_strdup_printf ("header (%s)", t->shown);
          else
            s = g_strdup_printf ("%s %s", a, b ? b : "");
          json_array_append_new (out, crawl_json_string (s, -1));
        }
      if (rc != SQLITE_DONE)
        return index_fail (idx, error, "search");
    }
  return TRUE;
}

static json_t *
column_json (sqlite3_stmt *st, int i)
{
  /* crawl_json_string never fails: a corrupt row with bytes that are not
   * UTF-8 must not make json_pack below fail and drop the hit */
  const char *s = (const char *) sqlite3_column_text (st, i);
  return crawl_json_string_or_null (s);
}

static gboolean
search_hits (CrawlIndex *idx, GPtrArray *terms, guint limit, json_t *result, GError **error)
{
  g_autoptr(sqlite3_stmt) count = index_prepare (idx, "SELECT count(*) FROM temp.hits", error);
  if (!count)
    return FALSE;
  if (sqlite3_step (count) != SQLITE_ROW)
    return index_fail (idx, error, "search");
  json_object_set_new (result, "total", json_integer (sqlite3_column_int64 (count, 0)));

  g_autoptr(sqlite3_stmt) st = index_prepare (
      idx, "SELECT f.id, f.system, f.name, f.image, f.system_type, f.timestamp, f.uuid, h.score"
           " FROM temp.hits h JOIN frames f ON f.id = h.frame"
           " ORDER BY h.score DESC, f.timestamp DESC, f.id DESC LIMIT ?1", error);
  if (!st)
    return FALSE;
  sqlite3_bind_int64 (st, 1, limit ? (sqlite3_int64) limit : -1);
  json_t *hits = json_array ();
  json_object_set_new (result, "hits", hits);
  int rc;
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      sqlite3_int64 frame = sqlite3_column_int64 (st, 0);
      json_t *matched = json_array ();
      json_t *hit = json_pack ("{s:o, s:o, s:o, s:o, s:o, s:o, s:f, s:o}",
                               "id", column_json (st, 1), "name", column_json (st, 2),
                               "image", column_json (st, 3), "system_type", column_json (st, 4),
                               "timestamp", column_json (st, 5), "uuid", column_json (st, 6),
                               "score", sqlite3_column_double (st, 7), "matched", matched);
      json_array_append_new (hits, hit);
      if (!search_matched (idx, frame, terms, matched, error))
        return FALSE;
    }
  if (rc != SQLITE_DONE)
    return index_fail (idx, error, "search");
  return TRUE;
}

static gboolean
search_facets (CrawlIndex *idx, char **facets, json_t *result, GError **error)
{
  json_t *out = json_object ();
  json_object_set_new (result, "facets", out);
  g_autoptr(sqlite3_stmt) st = index_prepare (
      idx, "SELECT value, count(DISTINCT frame) FROM facets WHERE field = ?1"
           " AND frame IN (SELECT frame FROM temp.hits) GROUP BY value ORDER BY 2 DESC, value"
           " LIMIT ?2", error);
  if (!st)
    return FALSE;
  for (char **f = facets; f && *f; f++)
    {
      if (!**f)
        continue;
      if (index_field (*f, strlen (*f)) < 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "unknown facet \"%s\": use package, image, port, listening, user, file, "
                       "name, id, runtime, os or type", *f);
          return FALSE;
        }
      const char *field = index_fields[index_field (*f, strlen (*f))].field;
      json_t *counts = json_object ();
      json_object_set_new (out, field, counts);
      sqlite3_reset (st);
      bind_text (st, 1, field);
      sqlite3_bind_int (st, 2, INDEX_FACET_VALUES_MAX);
      int rc;
      while ((rc = sqlite3_step (st)) == SQLITE_ROW)
        json_object_set_new (counts, (const char *) sqlite3_column_text (st, 0),
                             json_integer (sqlite3_column_int64 (st, 1)));
      if (rc != SQLITE_DONE)
        return index_fail (idx, error, "facets");
    }
  return TRUE;
}

json_t *
crawl_index_search (CrawlIndex *idx, const char *query, char **facets, guint limit,
                    GError **error)
{
  g_autoptr(GPtrArray) terms = NULL;
  if (!query_parse (query, &terms, error))
    return NULL;
  /* One read transaction: counts, hits and facets see the same frames. */
  if (!index_exec (idx, "BEGIN", error))
    return NULL;
  g_autoptr(json_t) result = json_object ();
  gboolean ok = search_fill_hits (idx, terms, error)
                && search_hits (idx, terms, limit, result, error)
                && search_facets (idx, facets, result, error);
  sqlite3_exec (idx->db, ok ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL);
  if (!ok)
    return NULL;
  return g_steal_pointer (&result);
}
