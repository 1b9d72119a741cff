/* tests/unit/openssl-digest.h: the reference the SHA-256 tests check ours
 * against: OpenSSL's one-shot digest, as "sha256:<hex>". */
#pragma once

#include "oci/oci.h"

#include <openssl/evp.h>

static inline char *
openssl_digest (const void *buf, gsize len)
{
  guint8 raw[32];
  char hex[65];
  g_assert_true (EVP_Digest (buf, len, raw, NULL, EVP_sha256 (), NULL));
  oci_hex_encode (raw, hex);
  return g_strconcat (OCI_DIGEST_PREFIX, hex, NULL);
}
