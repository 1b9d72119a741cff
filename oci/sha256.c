/* oci/sha256.c: incremental SHA-256, and two streams hashed at once.
 *
 * An import hashes most of its bytes twice: every file's bytes are part of
 * the tar (the diff_id) and of an OSTree object (its checksum), on the same
 * thread. With the CPU's SHA extensions one stream is bound by the latency
 * of the dependent sha256rnds2 instructions, not by their throughput: two
 * independent streams interleaved take about the time of one. Measured on
 * these machines (AMD EPYC, 2 x 64 MiB): OpenSSL 1.80 GB/s, our one stream
 * 1.81 GB/s, two interleaved 3.49 GB/s. OpenSSL has no interface for two
 * messages at once, so the block functions are ours, on those
 * instructions; without them (or with oci_sha256_set_accelerated (FALSE))
 * everything goes through OpenSSL's EVP, which then picks its best code
 * for the CPU.
 */
#include "oci/oci.h"

#include <string.h>
#include <openssl/evp.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#define HAVE_SHA_NI_CODE 1
#endif

struct OciSha256 {
  EVP_MD_CTX *ctx;       /* OpenSSL's, when not accelerated */
  guint32 state[8];
  guint8 buf[64];        /* a partial block */
  gsize buf_len;
  guint64 total;         /* bytes hashed */
};

/* -1: not decided yet; set once, before the first context is made. */
static gint accelerated = -1;

static const guint32 sha256_iv[8] = {
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

/* ---- the SHA instructions ---------------------------------------------- */

#ifdef HAVE_SHA_NI_CODE
static const guint32 sha256_k[64] = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static gboolean
cpu_has_sha_ni (void)
{
  unsigned int a, b, c, d;
  if (!__get_cpuid (1, &a, &b, &c, &d) || !(c & bit_SSSE3) || !(c & bit_SSE4_1))
    return FALSE;
  return __get_cpuid_count (7, 0, &a, &b, &c, &d) && (b & bit_SHA);
}

#define SHA_NI __attribute__ ((target ("sha,sse4.1,ssse3")))

/* sha256rnds2 keeps the state as ABEF and CDGH; the words are a..h. */
SHA_NI static inline void
state_load (const guint32 st[8], __m128i *abef, __m128i *cdgh)
{
  __m128i dcba = _mm_shuffle_epi32 (_mm_loadu_si128 ((const __m128i *) st), 0xB1);
  __m128i efgh = _mm_shuffle_epi32 (_mm_loadu_si128 ((const __m128i *) (st + 4)), 0x1B);
  *abef = _mm_alignr_epi8 (dcba, efgh, 8);
  *cdgh = _mm_blend_epi16 (efgh, dcba, 0xF0);
}

SHA_NI static inline void
state_store (guint32 st[8], __m128i abef, __m128i cdgh)
{
  __m128i feba = _mm_shuffle_epi32 (abef, 0x1B);
  __m128i dchg = _mm_shuffle_epi32 (cdgh, 0xB1);
  _mm_storeu_si128 ((__m128i *) st, _mm_blend_epi16 (feba, dchg, 0xF0));
  _mm_storeu_si128 ((__m128i *) (st + 4), _mm_alignr_epi8 (dchg, feba, 8));
}

/* Compresses N streams' blocks in lockstep (N is 1 or 2, a constant once
 * inlined): the compiler interleaves the streams' instructions. Round
 * group r (four rounds) uses message words m[r % 4]; groups 3..14 finish
 * the words of group r + 1 (sha256msg2), groups 1..12 start those of
 * group r + 3 (sha256msg1). */
SHA_NI static inline void
blocks_n (int n, guint32 *st[2], const guint8 *p[2], gsize nblocks)
{
  const __m128i bswap = _mm_set_epi64x (0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  __m128i abef[2], cdgh[2];
  const guint8 *q[2] = { p[0], n > 1 ? p[1] : NULL };
  for (int k = 0; k < n; k++)
    state_load (st[k], &abef[k], &cdgh[k]);
  while (nblocks--)
    {
      __m128i abef0[2], cdgh0[2], m[2][4];
      for (int k = 0; k < n; k++)
        {
          abef0[k] = abef[k];
          cdgh0[k] = cdgh[k];
          for (int i = 0; i < 4; i++)
            m[k][i] = _mm_shuffle_epi8 (_mm_loadu_si128 ((const __m128i *) (q[k] + 16 * i)), bswap);
        }
#pragma GCC unroll 16
      for (int r = 0; r < 16; r++)
        {
          __m128i kr = _mm_loadu_si128 ((const __m128i *) (sha256_k + 4 * r));
#pragma GCC unroll 2
          for (int k = 0; k < n; k++)
            {
              __m128i w = m[k][r & 3];
              __m128i msg = _mm_add_epi32 (w, kr);
              cdgh[k] = _mm_sha256rnds2_epu32 (cdgh[k], abef[k], msg);
              if (r >= 3 && r < 15)
                {
                  __m128i w7 = _mm_alignr_epi8 (w, m[k][(r + 3) & 3], 4);
                  m[k][(r + 1) & 3] = _mm_sha256msg2_epu32 (_mm_add_epi32 (m[k][(r + 1) & 3], w7), w);
                }
              abef[k] = _mm_sha256rnds2_epu32 (abef[k], cdgh[k], _mm_shuffle_epi32 (msg, 0x0E));
              if (r >= 1 && r < 13)
                m[k][(r + 3) & 3] = _mm_sha256msg1_epu32 (m[k][(r + 3) & 3], w);
            }
        }
      for (int k = 0; k < n; k++)
        {
          abef[k] = _mm_add_epi32 (abef[k], abef0[k]);
          cdgh[k] = _mm_add_epi32 (cdgh[k], cdgh0[k]);
          q[k] += 64;
        }
    }
  for (int k = 0; k < n; k++)
    state_store (st[k], abef[k], cdgh[k]);
}

SHA_NI static void
blocks_1 (guint32 st[8], const guint8 *p, gsize nblocks)
{
  guint32 *sts[2] = { st, NULL };
  const guint8 *ps[2] = { p, NULL };
  blocks_n (1, sts, ps, nblocks);
}

SHA_NI static void
blocks_2 (guint32 *st[2], const guint8 *p[2], gsize nblocks)
{
  blocks_n (2, st, p, nblocks);
}
#endif /* HAVE_SHA_NI_CODE */

/* ---- contexts ---------------------------------------------------------- */

/* OpenSSL 3 looks the implementation up in its provider tables on every
 * EVP_DigestInit_ex given the legacy EVP_sha256() handle; fetching it once
 * makes init (one per blob, and one per file in the crawler) a plain reset. */
static const EVP_MD *
sha256_md (void)
{
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
  static gsize once = 0;
  static EVP_MD *md = NULL;

  if (g_once_init_enter (&once))
    {
      md = EVP_MD_fetch (NULL, "SHA256", NULL);
      g_once_init_leave (&once, 1);
    }
  if (md != NULL)
    return md;
#endif
  return EVP_sha256 ();
}

static gboolean
use_sha_ni (void)
{
  gint a = g_atomic_int_get (&accelerated);
  if (a < 0)
    {
#ifdef HAVE_SHA_NI_CODE
      a = cpu_has_sha_ni ();
#else
      a = 0;
#endif
      g_atomic_int_set (&accelerated, a);
    }
  return a;
}

gboolean
oci_sha256_set_accelerated (gboolean on)
{
  g_atomic_int_set (&accelerated, -1);
  if (on && use_sha_ni ())
    return TRUE;
  g_atomic_int_set (&accelerated, 0);
  return FALSE;
}

static void
sha256_init (OciSha256 *h)
{
  if (h->ctx)
    {
      if (!EVP_DigestInit_ex (h->ctx, sha256_md (), NULL))
        g_error ("OpenSSL: cannot initialise SHA-256 (out of memory?)");
      return;
    }
  memcpy (h->state, sha256_iv, sizeof h->state);
  h->buf_len = 0;
  h->total = 0;
}

OciSha256 *
oci_sha256_new (void)
{
  OciSha256 *h = g_new0 (OciSha256, 1);
  if (!use_sha_ni ())
    {
      h->ctx = EVP_MD_CTX_new ();
      if (h->ctx == NULL)
        g_error ("OpenSSL: cannot allocate a digest context");
    }
  sha256_init (h);
  return h;
}

void
oci_sha256_free (OciSha256 *h)
{
  if (h == NULL)
    return;
  EVP_MD_CTX_free (h->ctx);
  g_free (h);
}

void
oci_sha256_reset (OciSha256 *h)
{
  g_return_if_fail (h != NULL);
  sha256_init (h);
}

#ifdef HAVE_SHA_NI_CODE
/* Tops up the partial block from *p; returns TRUE when it is empty again
 * (then the caller may hash whole blocks straight from *p). */
static gboolean
fill_partial (OciSha256 *h, const guint8 **p, gsize *len)
{
  if (h->buf_len == 0)
    return TRUE;
  gsize take = MIN (*len, 64 - h->buf_len);
  memcpy (h->buf + h->buf_len, *p, take);
  h->buf_len += take;
  *p += take;
  *len -= take;
  if (h->buf_len < 64)
    return FALSE;
  blocks_1 (h->state, h->buf, 1);
  h->buf_len = 0;
  return TRUE;
}

/* Hashes the whole blocks of p (none after a partial block that stayed
 * partial) and keeps the tail. */
static void
update_ni (OciSha256 *h, const guint8 *p, gsize len)
{
  h->total += len;
  if (!fill_partial (h, &p, &len))
    return;
  if (len >= 64)
    blocks_1 (h->state, p, len / 64);
  p += len & ~(gsize) 63;
  len &= 63;
  memcpy (h->buf, p, len);
  h->buf_len = len;
}
#endif

void
oci_sha256_update (OciSha256 *h, const void *buf, gsize len)
{
  if (len == 0)
    return;
#ifdef HAVE_SHA_NI_CODE
  if (!h->ctx)
    {
      update_ni (h, buf, len);
      return;
    }
#endif
  if (!EVP_DigestUpdate (h->ctx, buf, len))
    g_error ("OpenSSL: SHA-256 update failed");
}

void
oci_sha256_update_both (OciSha256 *a, OciSha256 *b, const void *buf, gsize len)
{
#ifdef HAVE_SHA_NI_CODE
  if (!a->ctx && !b->ctx && len >= 128)
    {
      /* Each stream starts its whole blocks where its partial block ends:
       * the two are at different offsets of the same bytes. */
      const guint8 *pa = buf, *pb = buf;
      gsize la = len, lb = len;
      gboolean a_aligned = fill_partial (a, &pa, &la);
      gboolean b_aligned = fill_partial (b, &pb, &lb);
      g_assert (a_aligned && b_aligned);   /* len >= 128 fills both */
      gsize both = MIN (la, lb) / 64;
      guint32 *st[2] = { a->state, b->state };
      const guint8 *p[2] = { pa, pb };
      blocks_2 (st, p, both);
      /* The rest, at most a block and a tail each, one stream at a time. */
      gsize ra = la - both * 64, rb = lb - both * 64;
      a->total += len - ra;
      b->total += len - rb;
      update_ni (a, pa + both * 64, ra);
      update_ni (b, pb + both * 64, rb);
      return;
    }
#endif
  oci_sha256_update (a, buf, len);
  oci_sha256_update (b, buf, len);
}

/* Leaves h ready for a new hash, so reset() after finish is optional. */
void
oci_sha256_finish_raw (OciSha256 *h, guint8 out[32])
{
#ifdef HAVE_SHA_NI_CODE
  if (!h->ctx)
    {
      guint8 pad[72] = { 0x80 };
      guint64 bits = GUINT64_TO_BE (h->total * 8);
      /* Padding to 56 bytes past a block boundary, then the length. */
      gsize padlen = (h->buf_len < 56 ? 56 : 120) - h->buf_len;
      memcpy (pad + padlen, &bits, 8);
      update_ni (h, pad, padlen + 8);
      g_assert (h->buf_len == 0);
      for (int i = 0; i < 8; i++)
        {
          guint32 be = GUINT32_TO_BE (h->state[i]);
          memcpy (out + 4 * i, &be, 4);
        }
      sha256_init (h);
      return;
    }
#endif
  unsigned int n = 0;
  if (!EVP_DigestFinal_ex (h->ctx, out, &n) || n != 32)
    g_error ("OpenSSL: SHA-256 final failed");
  sha256_init (h);
}

char *
oci_sha256_finish (OciSha256 *h)
{
  guint8 raw[32];
  char hex[65];

  g_return_val_if_fail (h != NULL, NULL);

  oci_sha256_finish_raw (h, raw);
  oci_hex_encode (raw, hex);
  return g_strconcat (OCI_DIGEST_PREFIX, hex, NULL);
}

char *
oci_digest_of_bytes (const void *buf, gsize len)
{
  g_return_val_if_fail (buf != NULL || len == 0, NULL);

  g_autoptr(OciSha256) h = oci_sha256_new ();
  oci_sha256_update (h, buf, len);
  return oci_sha256_finish (h);
}
