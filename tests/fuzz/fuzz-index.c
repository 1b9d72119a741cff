/* tests/fuzz/fuzz-index.c: image indexes and manifest lists from arbitrary
 * bytes, and platform selection over whatever they contain. */
#include "oci/oci.h"

#include <stdint.h>
#include <stdlib.h>

static const char *const wanted[] = {
  "linux/amd64", "linux/arm64", "linux/arm/v6", "windows/amd64",
};

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(OciIndex) index = NULL;
  g_autoptr(GError) error = NULL;

  if (!oci_index_parse (data, size, &index, &error))
    {
      if (error == NULL || error->domain != OCI_ERROR || error->message[0] == '\0')
        abort ();
      return 0;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (wanted); i++)
    {
      g_autoptr(OciPlatform) want = NULL;
      g_autoptr(GError) select_error = NULL;
      const OciDescriptor *d = NULL;

      if (!oci_platform_parse (wanted[i], &want, NULL))
        abort ();
      if (oci_index_select (index, want, &d, &select_error))
        {
          if (d == NULL || d->platform == NULL)
            abort ();
        }
      else if (!g_error_matches (select_error, OCI_ERROR, OCI_ERROR_NOT_FOUND))
        abort ();
    }

  for (guint i = 0; i < index->manifests->len; i++)
    {
      g_autoptr(OciDescriptor) copy = oci_descriptor_copy (g_ptr_array_index (index->manifests, i));

      if (copy->platform != NULL)
        {
          g_autofree char *s = oci_platform_to_string (copy->platform);
          (void) s;
        }
    }
  return 0;
}
