/* tests/fuzz/replay.c: runs a fuzz target over each file of a corpus
 * directory, for `make test` (no libFuzzer needed). Prints TAP, one line per
 * file; a crash or abort in the target is the failure. */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  guint n = 0;

  if (argc != 2)
    {
      fprintf (stderr, "usage: %s CORPUS-DIRECTORY\n", argv[0]);
      return 2;
    }
  dir = g_dir_open (argv[1], 0, &error);
  if (dir == NULL)
    {
      printf ("1..1\nnot ok 1 - %s\n", error->message);
      return 1;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);

  printf ("1..%u\n", names->len);
  fflush (stdout);
  for (guint i = 0; i < names->len; i++)
    {
      const char *file = g_ptr_array_index (names, i);
      g_autofree char *path = g_build_filename (argv[1], file, NULL);
      g_autofree char *data = NULL;
      gsize len = 0;
      g_autoptr(GError) read_error = NULL;

      if (!g_file_get_contents (path, &data, &len, &read_error))
        {
          printf ("not ok %u - %s: %s\n", ++n, file, read_error->message);
          continue;
        }
      LLVMFuzzerTestOneInput ((const uint8_t *) data, len);
      printf ("ok %u - %s\n", ++n, file);
      fflush (stdout);
    }
  return 0;
}
