/* crawler/sandbox.c: the seccomp filter the crawler confines itself with.
 *
 * Issue 6 promises that the crawler never enters a container or talks to
 * its processes; the filter makes that a property of the running process
 * rather than of the code's good behaviour (plugins included). Everything
 * is allowed except the calls that could enter a namespace, read or steer
 * another process, run a program or change mounts and the kernel: those
 * fail with EPERM, so a caller sees an ordinary error and the crawl goes
 * on. Signals may still go to this process itself: abort() and raise()
 * use tgkill(getpid(), ...), and a crash must still produce a core.
 *
 * The pid in those rules is the one at crawl_sandbox_enter: a child forked
 * later cannot signal itself (nor anyone else).
 */
#include "crawler/crawler.h"

#include <errno.h>
#include <seccomp.h>
#include <string.h>
#include <unistd.h>

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (scmp_filter_ctx, seccomp_release, NULL)

/* Fail with EPERM whatever the arguments. Names libseccomp or this
 * architecture does not know are left out (the kernel cannot run them
 * either, or an older kernel returns ENOSYS). */
static const char *const denied[] = {
  /* entering namespaces, the thing the crawler must never do */
  "setns", "unshare",
  /* reading or steering other processes */
  "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "process_madvise",
  /* running programs */
  "execve", "execveat",
  /* mounts: the old and the new (fd-based) API */
  "mount", "umount", "umount2", "pivot_root", "move_mount", "open_tree", "fsopen", "fsmount",
  "fsconfig", "fspick", "mount_setattr",
  /* the kernel itself */
  "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "bpf",
  /* a pidfd names a process without a pid to compare with getpid() */
  "pidfd_send_signal",
};

/* Allowed only when their first argument (a pid or thread group id) is this
 * process. tkill's argument is a thread id: only the main thread's equals
 * the pid, which is what raise() on the main thread used before tgkill. */
static const char *const signal_calls[] = {
  "kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo",
};

/* -1 when libseccomp does not know the name on this architecture. */
static int
resolve (const char *name)
{
  int nr = seccomp_syscall_resolve_name (name);
  return nr == __NR_SCMP_ERROR ? -1 : nr;
}

static gboolean
seccomp_check (int rc, const char *what, GError **error)
{
  if (rc >= 0)
    return TRUE;
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (-rc), "seccomp: %s: %s", what,
               g_strerror (-rc));
  return FALSE;
}

gboolean
crawl_sandbox_enter (GError **error)
{
  g_auto(scmp_filter_ctx) ctx = seccomp_init (SCMP_ACT_ALLOW);
  if (!ctx)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "seccomp: cannot create a filter");
      return FALSE;
    }
  /* Threads started before the filter (GLib's, a plugin's) get it too, and
   * no_new_privs lets an unprivileged crawler load it. */
  if (!seccomp_check (seccomp_attr_set (ctx, SCMP_FLTATR_CTL_TSYNC, 1), "thread sync", error)
      || !seccomp_check (seccomp_attr_set (ctx, SCMP_FLTATR_CTL_NNP, 1), "no_new_privs", error))
    return FALSE;

  for (gsize i = 0; i < G_N_ELEMENTS (denied); i++)
    {
      int nr = resolve (denied[i]);
      if (nr < 0)
        continue;
      if (!seccomp_check (seccomp_rule_add (ctx, SCMP_ACT_ERRNO (EPERM), nr, 0), denied[i], error))
        return FALSE;
    }

  /* pid_t is 32 bits: compare the low half only, so a sign-extended
   * negative pid (kill(-1, ...)) cannot slip past as a different value. */
  scmp_datum_t self = (scmp_datum_t) (guint32) getpid ();
  for (gsize i = 0; i < G_N_ELEMENTS (signal_calls); i++)
    {
      int nr = resolve (signal_calls[i]);
      if (nr < 0)
        continue;
      if (!seccomp_check (seccomp_rule_add (ctx, SCMP_ACT_ERRNO (EPERM), nr, 1,
                                            SCMP_A0_32 (SCMP_CMP_NE, self)),
                          signal_calls[i], error))
        return FALSE;
    }

  return seccomp_check (seccomp_load (ctx), "load", error);
}

int
crawl_sandbox_mode (void)
{
  g_autofree char *status = NULL;
  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  const char *line = strstr (status, "\nSeccomp:");
  if (!line)
    return -1;   /* a kernel built without seccomp */
  return (int) g_ascii_strtoll (line + strlen ("\nSeccomp:"), NULL, 10);
}
