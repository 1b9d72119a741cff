/* oci/tar.c: a streaming tar reader that accounts for every byte.
 *
 * libarchive reads tar well but hides where each byte came from; rebuilding a
 * layer byte for byte (so its sha256 equals the diff_id) needs exactly that,
 * so headers are parsed here: ustar, GNU (long names, base-256 numbers) and
 * PAX (per-file and global records, xattrs). Sparse and multi-volume entries
 * are refused: no image tool writes them, and they are a favourite of bombs.
 */
#include "oci/oci-stream.h"
#include "oci/oci-limits.h"

#include <string.h>

#define BLOCK 512
#define BUF_SIZE (256 * 1024)

struct OciTarReader {
  OciReadFunc source;
  OciBorrowFunc borrow;     /* instead of source: pieces read in place */
  void *source_user;
  OciWriteFunc raw;
  void *raw_user;
  OciSha256 *hash;          /* of every byte consumed, or NULL */

  /* Our own buffer, or (borrowing) the source's current piece; a header
   * that spans two pieces is gathered in our own. */
  guint8 *buf, *own;
  gsize buf_pos, buf_len;
  gboolean eof;
  guint64 offset;           /* stream offset of buf[buf_pos] */

  OciTarEntry entry;
  gboolean have_entry;
  guint64 data_left;        /* payload of the current regular file */
  guint64 data_offset;
  guint64 pad_left;         /* padding after it */
  gboolean ended;
  guint64 entries;

  GHashTable *global_pax;   /* 'g' records apply to all following entries */
};

static void
xattr_free (gpointer p)
{
  OciTarXattr *x = p;
  g_free (x->name);
  g_bytes_unref (x->value);
  g_free (x);
}

static void
entry_clear (OciTarEntry *e)
{
  g_clear_pointer (&e->path, g_free);
  g_clear_pointer (&e->linkname, g_free);
  g_clear_pointer (&e->xattrs, g_ptr_array_unref);
  memset (e, 0, sizeof *e);
}

OciTarReader *
oci_tar_reader_new (OciReadFunc source, void *source_user, OciWriteFunc raw, void *raw_user)
{
  OciTarReader *r = g_new0 (OciTarReader, 1);
  r->source = source;
  r->source_user = source_user;
  r->raw = raw;
  r->raw_user = raw_user;
  r->buf = r->own = g_malloc (BUF_SIZE);
  return r;
}

OciTarReader *
oci_tar_reader_new_borrowing (OciBorrowFunc borrow, void *source_user, OciWriteFunc raw,
                              void *raw_user)
{
  OciTarReader *r = oci_tar_reader_new (NULL, source_user, raw, raw_user);
  r->borrow = borrow;
  return r;
}

void
oci_tar_reader_free (OciTarReader *r)
{
  if (!r)
    return;
  entry_clear (&r->entry);
  g_clear_pointer (&r->global_pax, g_hash_table_unref);
  g_free (r->own);
  g_free (r);
}

guint64
oci_tar_reader_entries (OciTarReader *r)
{
  return r->entries;
}

guint64
oci_tar_reader_data_offset (OciTarReader *r)
{
  return r->data_offset;
}

/* fill() of a borrowing reader: the next piece as it is when the current
 * one is used up and the next has `want` bytes; else the bytes left and
 * just enough of the next pieces copied together in our own buffer. */
static gboolean
fill_borrowing (OciTarReader *r, gsize want, GError **error)
{
  gsize left = r->buf_len - r->buf_pos;
  if (left == 0)
    {
      const guint8 *p;
      gssize n = r->borrow (r->source_user, &p, G_MAXSIZE, error);
      if (n < 0)
        return FALSE;
      r->buf = n > 0 ? (guint8 *) p : r->own;
      r->buf_pos = 0;
      r->buf_len = left = n;
      r->eof = n == 0;
      if (left >= want || r->eof)
        return TRUE;
    }
  memmove (r->own, r->buf + r->buf_pos, left);
  r->buf = r->own;
  r->buf_pos = 0;
  r->buf_len = left;
  while (r->buf_len < want)
    {
      const guint8 *p;
      gssize n = r->borrow (r->source_user, &p, want - r->buf_len, error);
      if (n < 0)
        return FALSE;
      if (n == 0)
        {
          r->eof = TRUE;
          break;
        }
      memcpy (r->own + r->buf_len, p, n);
      r->buf_len += n;
    }
  return TRUE;
}

/* Makes at least `want` bytes available in buf (fewer only at end of input). */
static gboolean
fill (OciTarReader *r, gsize want, GError **error)
{
  g_assert (want <= BUF_SIZE);
  if (r->buf_len - r->buf_pos >= want || r->eof)
    return TRUE;
  if (r->borrow)
    return fill_borrowing (r, want, error);
  if (r->buf_pos > 0)
    {
      memmove (r->buf, r->buf + r->buf_pos, r->buf_len - r->buf_pos);
      r->buf_len -= r->buf_pos;
      r->buf_pos = 0;
    }
  while (r->buf_len < want && !r->eof)
    {
      gssize n = r->source (r->source_user, r->buf + r->buf_len, BUF_SIZE - r->buf_len, error);
      if (n < 0)
        return FALSE;
      if (n == 0)
        r->eof = TRUE;
      r->buf_len += n;
    }
  return TRUE;
}

void
oci_tar_reader_set_hash (OciTarReader *r, OciSha256 *hash)
{
  r->hash = hash;
}

/* Consumes n buffered bytes, hashing them (into `also` too, if given) and
 * handing them to the raw callback if asked. */
static gboolean
consume_hashed (OciTarReader *r, gsize n, gboolean is_raw, OciSha256 *also, GError **error)
{
  g_assert (r->buf_pos + n <= r->buf_len);
  const guint8 *p = r->buf + r->buf_pos;
  if (r->hash && also)
    oci_sha256_update_both (r->hash, also, p, n);
  else if (r->hash || also)
    oci_sha256_update (r->hash ? r->hash : also, p, n);
  if (is_raw && r->raw && n > 0 && !r->raw (r->raw_user, p, n, error))
    return FALSE;
  r->buf_pos += n;
  r->offset += n;
  return TRUE;
}

static gboolean
consume (OciTarReader *r, gsize n, gboolean is_raw, GError **error)
{
  return consume_hashed (r, n, is_raw, NULL, error);
}

/* Reads n bytes of non-payload into out (may be NULL: just pass them on). */
static gboolean
read_raw (OciTarReader *r, guint64 n, GByteArray *out, const char *what, GError **error)
{
  while (n > 0)
    {
      if (!fill (r, 1, error))
        return FALSE;
      gsize avail = r->buf_len - r->buf_pos;
      if (avail == 0)
        return g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID,
                            "tar: unexpected end of stream in %s at offset %" G_GUINT64_FORMAT,
                            what, r->offset), FALSE;
      gsize take = MIN ((guint64) avail, n);
      if (out)
        g_byte_array_append (out, r->buf + r->buf_pos, take);
      if (!consume (r, take, TRUE, error))
        return FALSE;
      n -= take;
    }
  return TRUE;
}

static guint64
pad_of (guint64 size)
{
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/* Numeric header fields: octal, space/NUL terminated, or GNU base-256 when
 * the high bit of the first byte is set (sizes >= 8 GiB, large ids). */
static gboolean
parse_number (const guint8 *f, gsize len, guint64 *out, const char *field, GError **error)
{
  guint64 v = 0;
  if (f[0] & 0x80)
    {
      if (f[0] & 0x40)
        return g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID,
                            "tar: negative base-256 value in field %s", field), FALSE;
      v = f[0] & 0x3f;
      for (gsize i = 1; i < len; i++)
        {
          if (v >> 56)
            return g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID,
                                "tar: field %s overflows", field), FALSE;
          v = (v << 8) | f[i];
        }
      *out = v;
      return TRUE;
    }
  gsize i = 0;
  while (i < len && (f[i] == ' ' || f[i] == '\0'))
    {
      if (f[i] == '\0' && i == 0)
        break;
      i++;
    }
  for (; i < len && f[i] >= '0' && f[i] <= '7'; i++)
    {
      if (v >> 60)
        return g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID,
                            "tar: field %s overflows", field), FALSE;
      v = (v << 3) | (guint64) (f[i] - '0');
    }
  for (; i < len; i++)
    if (f[i] != ' ' && f[i] != '\0')
      return g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID,
                          "tar: field %s is not a number", field), FALSE;
  *out = v;
  return TRUE;
}

static gboolean
checksum_ok (const guint8 *h)
{
  guint64 stored;
  if (!parse_number (h + 148, 8, &stored, "chksum", NULL))
    return FALSE;
  guint64 usum = 0;
  gint64 ssum = 0;
  for (int i = 0; i < BLOCK; i++)
    {
      guint8 c = (i >= 148 && i < 156) ? ' ' : h[i];
      usum += c;
      ssum += (signed char) c;
    }
  /* Old tars summed signed chars; accept either, as GNU tar does. */
  return stored == usum || (gint64) stored == ssum;
}

static gboolean
is_zero_block (const guint8 *h)
{
  for (int i = 0; i < BLOCK; i++)
    if (h[i])
      return FALSE;
  return TRUE;
}

static char *
field_string (const guint8 *f, gsize len)
{
  gsize n = strnlen ((const char *) f, len);
  return g_strndup ((const char *) f, n);
}

/* PAX records "LEN KEY=VALUE\n". Values may hold NULs (xattrs), so they are
 * kept as GBytes. */
static gboolean
parse_pax (const guint8 *data, gsize len, GHashTable *into, GError **error)
{
  gsize pos = 0;
  while (pos < len)
    {
      if (data[pos] == '\0')
        break; /* some writers pad the record block with NULs */
      gsize rec_len = 0, i = pos;
      while (i < len && data[i] >= '0' && data[i] <= '9')
        {
          rec_len = rec_len * 10 + (data[i] - '0');
          if (rec_len > len)
            break;
          i++;
        }
      if (i >= len || data[i] != ' ' || rec_len == 0 || pos + rec_len > len
          || data[pos + rec_len - 1] != '\n')
        return g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID,
                            "tar: malformed PAX record at byte %" G_GSIZE_FORMAT, pos), FALSE;
      const guint8 *kv = data + i + 1;
      gsize kv_len = pos + rec_len - 1 - (i + 1);
      const guint8 *eq = memchr (kv, '=', kv_len);
      if (!eq)
        return g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID,
                            "tar: PAX record without '='"), FALSE;
      char *key = g_strndup ((const char *) kv, eq - kv);
      GBytes *val = g_bytes_new (eq + 1, kv_len - (eq + 1 - kv));
      g_hash_table_replace (into, key, val);
      pos += rec_len;
    }
  return TRUE;
}

static char *
bytes_to_string (GBytes *b)
{
  gsize n;
  const char *d = g_bytes_get_data (b, &n);
  return g_strndup (d, n);
}

static gboolean
pax_number (GBytes *b, guint64 *out, const char *key, GError **error)
{
  g_autofree char *s = bytes_to_string (b);
  char *end = NULL;
  /* mtime may carry a fraction: keep the seconds */
  guint64 v = g_ascii_strtoull (s, &end, 10);
  if (end == s || (*end && *end != '.'))
    return g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID,
                        "tar: PAX %s is not a number: %s", key, s), FALSE;
  *out = v;
  return TRUE;
}

static gint
xattr_cmp (gconstpointer a, gconstpointer b)
{
  const OciTarXattr *x = *(OciTarXattr * const *) a, *y = *(OciTarXattr * const *) b;
  return strcmp (x->name, y->name);
}

static gboolean
apply_pax (OciTarEntry *e, GHashTable *pax, GError **error)
{
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init (&it, pax);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      const char *key = k;
      GBytes *val = v;
      guint64 n;
      if (g_str_equal (key, "path"))
        {
          g_free (e->path);
          e->path = bytes_to_string (val);
        }
      else if (g_str_equal (key, "linkpath"))
        {
          g_free (e->linkname);
          e->linkname = bytes_to_string (val);
        }
      else if (g_str_equal (key, "size"))
        {
          if (!pax_number (val, &n, key, error))
            return FALSE;
          e->size = n;
        }
      else if (g_str_equal (key, "uid") || g_str_equal (key, "gid"))
        {
          if (!pax_number (val, &n, key, error))
            return FALSE;
          if (n > G_MAXUINT32)
            return g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID,
                                "tar: PAX %s out of range", key), FALSE;
          if (key[0] == 'u')
            e->uid = n;
          else
            e->gid = n;
        }
      else if (g_str_equal (key, "mtime"))
        {
          if (!pax_number (val, &n, key, error))
            return FALSE;
          e->mtime = (gint64) n;
        }
      else if (g_str_has_prefix (key, "SCHILY.xattr."))
        {
          OciTarXattr *x = g_new0 (OciTarXattr, 1);
          x->name = g_strdup (key + strlen ("SCHILY.xattr."));
          x->value = g_bytes_ref (val);
          if (!e->xattrs)
            e->xattrs = g_ptr_array_new_with_free_func (xattr_free);
          g_ptr_array_add (e->xattrs, x);
        }
      else if (g_str_has_prefix (key, "GNU.sparse."))
        return g_set_error (error, OCI_ERROR, OCI_ERROR_UNSUPPORTED,
                            "tar: sparse entries are not supported"), FALSE;
    }
  if (e->xattrs)
    g_ptr_array_sort (e->xattrs, xattr_cmp);
  return TRUE;
}

static gboolean
skip_payload (OciTarReader *r, GError **error)
{
  while (r->data_left > 0)
    {
      const guint8 *b;
      gsize n;
      if (!oci_tar_reader_data (r, &b, &n, error))
        return FALSE;
    }
  if (r->pad_left > 0)
    {
      if (!read_raw (r, r->pad_left, NULL, "padding", error))
        return FALSE;
      r->pad_left = 0;
    }
  return TRUE;
}

gboolean
oci_tar_reader_data (OciTarReader *r, const guint8 **buf, gsize *len, GError **error)
{
  return oci_tar_reader_data_hashed (r, NULL, buf, len, error);
}

gboolean
oci_tar_reader_data_hashed (OciTarReader *r, OciSha256 *also, const guint8 **buf, gsize *len,
                            GError **error)
{
  *buf = NULL;
  *len = 0;
  if (r->data_left == 0)
    return TRUE;
  if (!fill (r, 1, error))
    return FALSE;
  gsize avail = r->buf_len - r->buf_pos;
  if (avail == 0)
    return g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID,
                        "tar: entry \"%s\": stream ends %" G_GUINT64_FORMAT " bytes before its end",
                        r->entry.path, r->data_left), FALSE;
  gsize take = MIN ((guint64) avail, r->data_left);
  *buf = r->buf + r->buf_pos;
  *len = take;
  r->data_left -= take;
  return consume_hashed (r, take, FALSE, also, error);
}

/* Reads a whole extension record (PAX, GNU long name) into memory. */
static GByteArray *
read_record (OciTarReader *r, guint64 size, guint64 limit, const char *what, GError **error)
{
  if (size > limit)
    return g_set_error (error, OCI_ERROR, OCI_ERROR_LIMIT,
                        "tar: %s of %" G_GUINT64_FORMAT " bytes exceeds the limit of %" G_GUINT64_FORMAT,
                        what, size, limit), NULL;
  g_autoptr(GByteArray) out = g_byte_array_sized_new (size + 1);
  if (!read_raw (r, size, out, what, error) || !read_raw (r, pad_of (size), NULL, what, error))
    return NULL;
  return g_steal_pointer (&out);
}

gboolean
oci_tar_reader_next (OciTarReader *r, const OciTarEntry **out, GError **error)
{
  *out = NULL;
  if (r->ended)
    return TRUE;
  if (r->have_entry && !skip_payload (r, error))
    return FALSE;
  entry_clear (&r->entry);
  r->have_entry = FALSE;

  g_autoptr(GHashTable) pax = NULL;
  g_autofree char *longname = NULL, *longlink = NULL;

  for (;;)
    {
      if (!fill (r, BLOCK, error))
        return FALSE;
      gsize avail = r->buf_len - r->buf_pos;
      if (avail == 0 && !pax && !longname && !longlink)
        {
          /* End of input without a trailer: tolerated, as GNU tar does. */
          r->ended = TRUE;
          return TRUE;
        }
      if (avail < BLOCK)
        return g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID,
                            "tar: truncated header at offset %" G_GUINT64_FORMAT, r->offset), FALSE;
      const guint8 *h = r->buf + r->buf_pos;
      if (is_zero_block (h))
        {
          if (pax || longname || longlink)
            return g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID,
                                "tar: extension header without an entry"), FALSE;
          /* The trailer and anything after it are kept verbatim. */
          while (r->buf_len > r->buf_pos)
            {
              if (!consume (r, r->buf_len - r->buf_pos, TRUE, error) || !fill (r, 1, error))
                return FALSE;
            }
          r->ended = TRUE;
          return TRUE;
        }
      if (!checksum_ok (h))
        return g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID,
                            "tar: bad header checksum at offset %" G_GUINT64_FORMAT
                            " (not a tar stream, or corrupt)", r->offset), FALSE;
      if (++r->entries > OCI_LIMIT_ENTRIES)
        return g_set_error (error, OCI_ERROR, OCI_ERROR_LIMIT,
                            "tar: more than %d entries", OCI_LIMIT_ENTRIES), FALSE;

      guint8 hdr[BLOCK];
      memcpy (hdr, h, BLOCK);
      if (!consume (r, BLOCK, TRUE, error))
        return FALSE;
      guint64 size;
      if (!parse_number (hdr + 124, 12, &size, "size", error))
        return FALSE;
      char type = hdr[156];

      switch (type)
        {
        case 'x':
        case 'g':
          {
            g_autoptr(GByteArray) rec = read_record (r, size, OCI_LIMIT_PAX_HEADER, "PAX header", error);
            if (!rec)
              return FALSE;
            GHashTable *into;
            if (type == 'g')
              {
                if (!r->global_pax)
                  r->global_pax = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                         (GDestroyNotify) g_bytes_unref);
                into = r->global_pax;
              }
            else
              {
                if (!pax)
                  pax = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                               (GDestroyNotify) g_bytes_unref);
                into = pax;
              }
            if (!parse_pax (rec->data, rec->len, into, error))
              return FALSE;
            continue;
          }
        case 'L':
        case 'K':
          {
            g_autoptr(GByteArray) rec = read_record (r, size, OCI_LIMIT_LONGNAME, "GNU long name", error);
            if (!rec)
              return FALSE;
            char *s = g_strndup ((const char *) rec->data, rec->len);
            if (type == 'L')
              g_free (longname), longname = s;
            else
              g_free (longlink), longlink = s;
            continue;
          }
        case 'S':
          return g_set_error (error, OCI_ERROR, OCI_ERROR_UNSUPPORTED,
                              "tar: sparse entries are not supported"), FALSE;
        case 'M':
        case 'N':
          return g_set_error (error, OCI_ERROR, OCI_ERROR_UNSUPPORTED,
                              "tar: GNU multi-volume entries are not supported"), FALSE;
        case 'V':
          /* A volume label is not a file; keep its bytes. */
          if (!read_raw (r, size + pad_of (size), NULL, "volume label", error))
            return FALSE;
          continue;
        default:
          break;
        }

      OciTarEntry *e = &r->entry;
      switch (type)
        {
        case '0': case '\0': case '7': e->type = OCI_TAR_REGULAR; break;
        case '1': e->type = OCI_TAR_HARDLINK; break;
        case '2': e->type = OCI_TAR_SYMLINK; break;
        case '3': e->type = OCI_TAR_CHAR; break;
        case '4': e->type = OCI_TAR_BLOCK; break;
        case '5': e->type = OCI_TAR_DIRECTORY; break;
        case '6': e->type = OCI_TAR_FIFO; break;
        default:
          return g_set_error (error, OCI_ERROR, OCI_ERROR_UNSUPPORTED,
                              "tar: entry type '%c' (0x%02x) is not supported",
                              g_ascii_isprint (type) ? type : '?', (guint8) type), FALSE;
        }

      /* ustar splits long names into prefix + name; GNU uses that space for
       * times, which its magic tells apart. */
      g_autofree char *name = field_string (hdr, 100);
      gboolean ustar = memcmp (hdr + 257, "ustar\0", 6) == 0;
      if (ustar && hdr[345])
        {
          g_autofree char *prefix = field_string (hdr + 345, 155);
          e->path = g_strconcat (prefix, "/", name, NULL);
        }
      else
        e->path = g_steal_pointer (&name);
      e->linkname = field_string (hdr + 157, 100);

      guint64 n;
      if (!parse_number (hdr + 100, 8, &n, "mode", error))
        return FALSE;
      e->mode = n & 07777;
      if (!parse_number (hdr + 108, 8, &n, "uid", error))
        return FALSE;
      e->uid = (guint32) n;
      if (!parse_number (hdr + 116, 8, &n, "gid", error))
        return FALSE;
      e->gid = (guint32) n;
      if (!parse_number (hdr + 136, 12, &n, "mtime", error))
        return FALSE;
      e->mtime = (gint64) n;
      if (e->type == OCI_TAR_CHAR || e->type == OCI_TAR_BLOCK)
        {
          if (!parse_number (hdr + 329, 8, &n, "devmajor", error))
            return FALSE;
          e->devmajor = n;
          if (!parse_number (hdr + 337, 8, &n, "devminor", error))
            return FALSE;
          e->devminor = n;
        }
      e->size = size;

      if (longname)
        g_free (e->path), e->path = g_steal_pointer (&longname);
      if (longlink)
        g_free (e->linkname), e->linkname = g_steal_pointer (&longlink);
      if (r->global_pax && !apply_pax (e, r->global_pax, error))
        return FALSE;
      if (pax && !apply_pax (e, pax, error))
        return FALSE;

      if (strlen (e->path) > OCI_LIMIT_PATH || (e->linkname && strlen (e->linkname) > OCI_LIMIT_PATH))
        return g_set_error (error, OCI_ERROR, OCI_ERROR_LIMIT,
                            "tar: path longer than %d bytes", OCI_LIMIT_PATH), FALSE;
      if (e->type != OCI_TAR_HARDLINK && e->type != OCI_TAR_SYMLINK)
        g_clear_pointer (&e->linkname, g_free);
      else if (!e->linkname || !*e->linkname)
        return g_set_error (error, OCI_ERROR, OCI_ERROR_INVALID,
                            "tar: entry \"%s\": link without a target", e->path), FALSE;

      r->have_entry = TRUE;
      if (e->type == OCI_TAR_REGULAR)
        {
          r->data_left = e->size;
          r->data_offset = r->offset;
          r->pad_left = pad_of (e->size);
        }
      else
        {
          /* Payload of non-files (rare: some writers give hardlinks a size)
           * is not content; it is kept as raw bytes. */
          if (e->size && !read_raw (r, e->size + pad_of (e->size), NULL, "entry data", error))
            return FALSE;
          e->size = 0;
          r->data_left = r->pad_left = 0;
        }
      *out = e;
      return TRUE;
    }
}

char *
oci_tar_clean_path (const char *path, GError **error)
{
  if (path[0] == '/')
    return g_set_error (error, OCI_ERROR, OCI_ERROR_UNSAFE,
                        "absolute path \"%s\" in layer", path), NULL;
  g_autoptr(GString) out = g_string_new ("");
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  for (char **p = parts; *p; p++)
    {
      if (**p == '\0' || g_str_equal (*p, "."))
        continue;
      if (g_str_equal (*p, ".."))
        return g_set_error (error, OCI_ERROR, OCI_ERROR_UNSAFE,
                            "path \"%s\" escapes the root with \"..\"", path), NULL;
      if (out->len)
        g_string_append_c (out, '/');
      g_string_append (out, *p);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}
