/* tests/fuzz/fuzz-manifest.c: manifests from arbitrary bytes.
 *
 * A manifest that parses is written back in canonical form; that form must
 * parse again and be a fixed point (a synthesised manifest's digest must not
 * depend on how often it went through us). */
#include "oci/oci.h"

#include <stdint.h>
#include <stdlib.h>

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(OciManifest) m = NULL;
  g_autoptr(GError) error = NULL;
  OciKind kind;
  gboolean kind_known = oci_document_kind (data, size, &kind, NULL);

  if (oci_manifest_parse (data, size, &m, &error))
    {
      g_autoptr(GBytes) out = oci_manifest_serialize (m);
      g_autoptr(OciManifest) again = NULL;
      g_autoptr(GBytes) out2 = NULL;
      gsize len;
      const void *buf = g_bytes_get_data (out, &len);

      /* (a manifest with a stray "manifests" member is ambiguous to
       * oci_document_kind but parses, so only a known kind must agree) */
      if (kind_known && kind != OCI_KIND_MANIFEST)
        abort ();
      if (!oci_manifest_parse (buf, len, &again, NULL))
        abort ();
      out2 = oci_manifest_serialize (again);
      if (!g_bytes_equal (out, out2))
        abort ();
    }
  else if (error == NULL || error->domain != OCI_ERROR || error->message[0] == '\0')
    abort ();
  return 0;
}
