/* tests/fuzz/fuzz-config.c: image configs from arbitrary bytes. */
#include "oci/oci.h"

#include <stdint.h>
#include <stdlib.h>

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(OciConfig) c = NULL;
  g_autoptr(GError) error = NULL;

  if (oci_config_parse (data, size, &c, &error))
    {
      if (c->architecture == NULL || c->os == NULL || c->diff_ids == NULL || c->root == NULL)
        abort ();
      for (guint i = 0; i < c->diff_ids->len; i++)
        if (!oci_digest_validate (g_ptr_array_index (c->diff_ids, i), NULL))
          abort ();
    }
  else if (error == NULL || error->domain != OCI_ERROR || error->message[0] == '\0')
    abort ();
  return 0;
}
