/* cmd/help.c: `ctrgit help COMMAND` as a man page, when there is one. */
#include <glib.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Shows ctrgit-CMD(1) (ctrgit(1) if cmd is NULL or "ctrgit") with man(1)
 * and returns man's exit status; -1, having printed nothing, if stdout is
 * not a terminal, man is not installed or no page is found, so the caller
 * prints the --help text instead. Looks beside the binary first (a build in
 * the source tree: ../docs/man from the directory of /proc/self/exe), then
 * among installed pages, then in docs/man under the current directory. */
int ctr_help_show_man (const char *cmd);

/* Runs argv with this process's terminal, or silenced; returns its exit
 * status. Like system(3), ignores ^C and ^\ while it waits: they are for
 * man's pager, and ctrgit must not exit under it. */
static int
run (const char *const *argv, gboolean quiet)
{
  struct sigaction ign = { .sa_handler = SIG_IGN }, old_int, old_quit;
  sigemptyset (&ign.sa_mask);
  sigaction (SIGINT, &ign, &old_int);
  sigaction (SIGQUIT, &ign, &old_quit);
  int status = -1;
  pid_t pid = fork ();
  if (pid == 0)
    {
      sigaction (SIGINT, &old_int, NULL);
      sigaction (SIGQUIT, &old_quit, NULL);
      if (quiet)
        {
          int null = open ("/dev/null", O_WRONLY);
          dup2 (null, STDOUT_FILENO);
          dup2 (null, STDERR_FILENO);
        }
      execvp (argv[0], (char *const *) argv);
      _exit (127);
    }
  if (pid > 0)
    while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
      ;
  sigaction (SIGINT, &old_int, NULL);
  sigaction (SIGQUIT, &old_quit, NULL);
  if (pid < 0 || status == -1)
    return -1;
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

int
ctr_help_show_man (const char *cmd)
{
  if (!isatty (STDOUT_FILENO))
    return -1;
  if (cmd && !g_str_equal (cmd, "ctrgit"))
    {
      /* A command name, not a path: nothing else reaches the file system. */
      for (const char *c = cmd; *c; c++)
        if (!g_ascii_islower (*c) && !g_ascii_isdigit (*c) && *c != '-')
          return -1;
      if (!*cmd || strlen (cmd) > 32)
        return -1;
    }
  g_autofree char *man = g_find_program_in_path ("man");
  if (!man)
    return -1;
  g_autofree char *page = cmd && !g_str_equal (cmd, "ctrgit")
                          ? g_strconcat ("ctrgit-", cmd, NULL) : g_strdup ("ctrgit");
  /* Concepts (revisions) are section 7, commands section 1. */
  const char *section = cmd && g_str_equal (cmd, "revisions") ? "7" : "1";
  g_autofree char *file = g_strconcat (page, ".", section, NULL);

  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *exe_dir = exe ? g_path_get_dirname (exe) : NULL;
  g_autofree char *beside = exe_dir ? g_build_filename (exe_dir, "..", "docs", "man", file, NULL) : NULL;
  if (beside && g_file_test (beside, G_FILE_TEST_IS_REGULAR))
    return run ((const char *[]) { man, "-l", beside, NULL }, FALSE);

  if (run ((const char *[]) { man, "-w", section, page, NULL }, TRUE) == 0)
    return run ((const char *[]) { man, section, page, NULL }, FALSE);

  g_autofree char *here = g_build_filename ("docs", "man", file, NULL);
  if (g_file_test (here, G_FILE_TEST_IS_REGULAR))
    return run ((const char *[]) { man, "-l", here, NULL }, FALSE);
  return -1;
}
