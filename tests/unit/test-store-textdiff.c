/* Line diffs: counts and unified output must match GNU diff -u. */
#include "store/store.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Compares with `diff -u` on the same inputs (labels and headers aside). */
static void
check_against_gnu (const char *a, const char *b)
{
  g_autoptr(GString) out = g_string_new ("");
  guint add, del;
  store_text_diff (a, strlen (a), b, strlen (b), "a", "b", 3, out, &add, &del);
  char pa[] = "/tmp/ctrgit-td-a-XXXXXX", pb[] = "/tmp/ctrgit-td-b-XXXXXX";
  int fa = mkstemp (pa), fb = mkstemp (pb);
  g_assert_true (write (fa, a, strlen (a)) == (ssize_t) strlen (a));
  g_assert_true (write (fb, b, strlen (b)) == (ssize_t) strlen (b));
  close (fa), close (fb);
  g_autofree char *cmd = g_strdup_printf ("diff -u --label a --label b %s %s", pa, pb);
  g_autofree char *gnu = NULL;
  g_assert_true (g_spawn_command_line_sync (cmd, &gnu, NULL, NULL, NULL));
  unlink (pa), unlink (pb);
  /* Counts: + and - lines outside the headers. */
  guint gadd = 0, gdel = 0;
  g_auto(GStrv) lines = g_strsplit (gnu, "\n", -1);
  for (char **l = lines; *l; l++)
    {
      if (g_str_has_prefix (*l, "+++") || g_str_has_prefix (*l, "---"))
        continue;
      gadd += **l == '+';
      gdel += **l == '-';
    }
  g_assert_cmpuint (add, ==, gadd);
  g_assert_cmpuint (del, ==, gdel);
  /* Myers finds a shortest script, as GNU diff does; for these inputs the
   * hunks are the same text. */
  g_assert_cmpstr (out->str, ==, gnu);
}

static void
test_cases (void)
{
  check_against_gnu ("a\nb\nc\n", "a\nb\nc\n");
  check_against_gnu ("a\nb\nc\n", "a\nB\nc\n");
  check_against_gnu ("", "x\ny\n");
  check_against_gnu ("x\ny\n", "");
  check_against_gnu ("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n",
                     "1\n2\nX\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\nY\n15\n16\n");   /* two hunks */
  check_against_gnu ("1\n2\n3\n4\n5\n6\n7\n8\n", "1\n2\nX\n4\n5\n6\nY\n8\n");   /* merged */
  check_against_gnu ("ID=test\nVERSION_ID=1\n", "ID=test\nVERSION_ID=2\nNEW=1\n");
  check_against_gnu ("no newline", "no newline\n");
}

/* Random edits: any shortest script has n - LCS deletions and m - LCS
 * additions, so the counts must equal GNU diff's exactly. */
static void
test_random_counts (void)
{
  GRand *r = g_rand_new_with_seed (42);
  for (int round = 0; round < 30; round++)
    {
      g_autoptr(GString) a = g_string_new (""), b = g_string_new ("");
      int n = g_rand_int_range (r, 0, 200);
      for (int i = 0; i < n; i++)
        {
          g_autofree char *line = g_strdup_printf ("line %d\n", g_rand_int_range (r, 0, 20));
          g_string_append (a, line);
          int op = g_rand_int_range (r, 0, 10);
          if (op == 0)
            continue;                       /* deleted */
          if (op == 1)
            g_string_append (b, "inserted\n");
          g_string_append (b, op == 2 ? "changed\n" : line);
        }
      g_autoptr(GString) out = g_string_new ("");
      guint add, del;
      store_text_diff (a->str, a->len, b->str, b->len, "a", "b", 3, out, &add, &del);
      char pa[] = "/tmp/ctrgit-td-a-XXXXXX", pb[] = "/tmp/ctrgit-td-b-XXXXXX";
      int fa = mkstemp (pa), fb = mkstemp (pb);
      g_assert_true (write (fa, a->str, a->len) == (ssize_t) a->len);
      g_assert_true (write (fb, b->str, b->len) == (ssize_t) b->len);
      close (fa), close (fb);
      g_autofree char *cmd = g_strdup_printf ("sh -c 'diff %s %s | grep -c \"^>\"; diff %s %s | grep -c \"^<\"'", pa, pb, pa, pb);
      g_autofree char *gnu = NULL;
      g_assert_true (g_spawn_command_line_sync (cmd, &gnu, NULL, NULL, NULL));
      unlink (pa), unlink (pb);
      g_autofree char *want = g_strdup_printf ("%u\n%u\n", add, del);
      g_assert_cmpstr (gnu, ==, want);
    }
  g_rand_free (r);
}

static void
test_binary (void)
{
  g_assert_true (store_text_is_binary ("a\0b", 3));
  g_assert_false (store_text_is_binary ("ab\n", 3));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/store/textdiff/matches-gnu-diff", test_cases);
  g_test_add_func ("/store/textdiff/random-counts", test_random_counts);
  g_test_add_func ("/store/textdiff/binary", test_binary);
  return g_test_run ();
}
