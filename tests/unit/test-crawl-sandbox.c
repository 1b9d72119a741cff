/* The crawler's seccomp filter: once entered, the calls that could enter a
 * container or touch another process fail with EPERM, and ordinary work
 * (files, sockets, signalling itself) goes on. Each check runs in a
 * subprocess, since a filter cannot be removed. The "before" checks use
 * arguments the kernel itself rejects with some other errno, so they pass
 * with or without privileges and prove the EPERM comes from our filter. */
#include "crawler/crawler.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

/* LeakSanitizer stops the world with ptrace at exit, which the filter
 * refuses; the sanitizer build's leak check is off in CI for GLib anyway. */
const char *__asan_default_options (void);
const char *
__asan_default_options (void)
{
  return "detect_leaks=0";
}

#define ASSERT_ERRNO(call, err) \
  G_STMT_START { \
    errno = 0; \
    long rc_ = (long) (call); \
    int e_ = errno; \
    if (rc_ != -1 || e_ != (err)) \
      g_error ("%s: returned %ld, errno %s; expected -1, %s", #call, rc_, g_strerror (e_), \
               g_strerror (err)); \
  } G_STMT_END

static char *const true_argv[] = { "/bin/true", NULL };
static char *const no_env[] = { NULL };

/* Calls the filter refuses; the kernel alone would not say EPERM to them. */
static void
assert_benign_calls (int expect_eperm)
{
  pid_t parent = getppid ();
  ASSERT_ERRNO (syscall (SYS_setns, -1, 0), expect_eperm ? EPERM : EBADF);
  ASSERT_ERRNO (ptrace (PTRACE_CONT, parent, NULL, NULL), expect_eperm ? EPERM : ESRCH);
  ASSERT_ERRNO (execve ("/nonexistent/ctrgit-test", true_argv, no_env),
                expect_eperm ? EPERM : ENOENT);
  ASSERT_ERRNO (process_vm_readv (parent, NULL, 0, NULL, 0, 1), expect_eperm ? EPERM : EINVAL);
  ASSERT_ERRNO (mount (NULL, NULL, NULL, 0, NULL), expect_eperm ? EPERM : EFAULT);
  if (expect_eperm)
    {
      ASSERT_ERRNO (unshare (0), EPERM);
      ASSERT_ERRNO (kill (parent, 0), EPERM);
    }
  else
    {
      g_assert_cmpint (unshare (0), ==, 0);
      g_assert_cmpint (kill (parent, 0), ==, 0);
    }
}

static void
assert_ordinary_work (void)
{
  g_assert_cmpint (kill (getpid (), 0), ==, 0);
  g_assert_cmpint (raise (0), ==, 0);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents ("/proc/self/stat", &text, NULL, NULL));
  g_assert_nonnull (strchr (text, ')'));
  int s = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (s, >=, 0);
  close (s);
  s = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (s, >=, 0);
  close (s);
}

static void
enter (void)
{
  g_autoptr(GError) error = NULL;
  g_assert_true (crawl_sandbox_enter (&error));
  g_assert_no_error (error);
}

static void
test_not_filtered_before (void)
{
  /* Inside a container the runtime's own filter may refuse some of these
   * already; then there is no "before" to compare with. */
  if (crawl_sandbox_mode () == 2)
    {
      g_test_skip ("already under a seccomp filter (in a container?)");
      return;
    }
  if (g_test_subprocess ())
    {
      assert_benign_calls (0);
      assert_ordinary_work ();
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_forbidden_calls_fail (void)
{
  if (g_test_subprocess ())
    {
      enter ();
      g_assert_cmpint (crawl_sandbox_mode (), ==, 2);
      pid_t parent = getppid ();
      ASSERT_ERRNO (unshare (CLONE_NEWNS), EPERM);
      ASSERT_ERRNO (ptrace (PTRACE_ATTACH, parent, NULL, NULL), EPERM);
      ASSERT_ERRNO (execve ("/bin/true", true_argv, no_env), EPERM);
      char buf[16];
      struct iovec local = { buf, sizeof buf }, remote = { buf, sizeof buf };
      ASSERT_ERRNO (process_vm_readv (parent, &local, 1, &remote, 1, 0), EPERM);
      ASSERT_ERRNO (process_vm_writev (parent, &local, 1, &remote, 1, 0), EPERM);
      ASSERT_ERRNO (mount ("none", "/tmp", "tmpfs", 0, NULL), EPERM);
      ASSERT_ERRNO (umount2 ("/tmp", MNT_DETACH), EPERM);
      int ns = open ("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
      g_assert_cmpint (ns, >=, 0);
      ASSERT_ERRNO (setns (ns, 0), EPERM);
      close (ns);
      ASSERT_ERRNO (kill (parent, 0), EPERM);
      ASSERT_ERRNO (kill (-1, 0), EPERM);       /* every process we may signal */
      ASSERT_ERRNO (kill (0, 0), EPERM);        /* our process group */
      ASSERT_ERRNO (syscall (SYS_tgkill, parent, parent, 0), EPERM);
      ASSERT_ERRNO (syscall (SYS_tkill, parent, 0), EPERM);
      assert_benign_calls (1);
      assert_ordinary_work ();
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static gpointer
thread_main (gpointer data)
{
  GAsyncQueue *q = data;
  g_async_queue_pop (q);   /* wait until the main thread entered */
  errno = 0;
  int rc = kill (getppid (), 0);
  return GINT_TO_POINTER (rc == -1 && errno == EPERM);
}

/* A thread that existed before the filter is filtered too (TSYNC). */
static void
test_threads_filtered (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GAsyncQueue) q = g_async_queue_new ();
      GThread *th = g_thread_new ("early", thread_main, q);
      enter ();
      g_async_queue_push (q, GINT_TO_POINTER (1));
      g_assert_true (GPOINTER_TO_INT (g_thread_join (th)));
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* abort() signals this process itself: it must still kill us with SIGABRT
 * (and so leave a core), not fall through to some other death. A plain
 * fork, since the status of a trapped subprocess is not exposed. */
static void
test_abort_still_works (void)
{
  pid_t child = fork ();
  g_assert_cmpint (child, >=, 0);
  if (child == 0)
    {
      if (!crawl_sandbox_enter (NULL))
        _exit (3);
      /* no core file from a test */
      struct rlimit none = { 0, 0 };
      setrlimit (RLIMIT_CORE, &none);
      abort ();
    }
  int status = 0;
  g_assert_cmpint (waitpid (child, &status, 0), ==, child);
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGABRT);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/crawl/sandbox/not-filtered-before", test_not_filtered_before);
  g_test_add_func ("/crawl/sandbox/forbidden-calls-fail", test_forbidden_calls_fail);
  g_test_add_func ("/crawl/sandbox/threads-filtered", test_threads_filtered);
  g_test_add_func ("/crawl/sandbox/abort-still-works", test_abort_still_works);
  return g_test_run ();
}
