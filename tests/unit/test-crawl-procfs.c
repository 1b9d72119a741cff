/* The /proc and cgroupfs parsers the os, process, connection, interface and
 * metric features share, fed the text the kernel writes. */
#include "crawler/procfs.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void
test_stat_comm_with_parens (void)
{
  /* A process may name itself "my (evil) prog) R 1": fields count from the last ')'. */
  const char *text = "4242 (my (evil) prog) R 1) S 17 4242 4242 0 -1 4194560 100 0 0 0 250 130 "
                     "0 0 20 0 3 0 889911 2322432 369 18446744073709551615 4198400 0\n";
  ProcStat s;
  g_autoptr(GError) error = NULL;
  g_assert_true (procfs_parse_stat (text, strlen (text), &s, &error));
  g_assert_no_error (error);
  g_assert_cmpint (s.pid, ==, 4242);
  g_assert_cmpstr (s.comm, ==, "my (evil) prog) R 1");
  g_assert_cmpint (s.state, ==, 'S');
  g_assert_cmpint (s.ppid, ==, 17);
  g_assert_cmpuint (s.utime, ==, 250);
  g_assert_cmpuint (s.stime, ==, 130);
  g_assert_cmpint (s.num_threads, ==, 3);
  g_assert_cmpuint (s.starttime, ==, 889911);
  g_assert_cmpint (s.rss_pages, ==, 369);
  procfs_stat_clear (&s);

  g_assert_false (procfs_parse_stat ("12 (x) S 1 2", 12, &s, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_null (s.comm);
}

static void
test_status (void)
{
  ProcStatus st;
  procfs_parse_status ("Name:\thttpd\nState:\tS (sleeping)\nUid:\t1000\t1001\t1002\t1003\n"
                       "Gid:\t33\t34\t35\t36\nNSpid:\t29023\t77\t1\nVmRSS:\t    1528 kB\n",
                       &st);
  g_assert_cmpint (st.uid[0], ==, 1000);
  g_assert_cmpint (st.uid[1], ==, 1001);
  g_assert_cmpint (st.gid[0], ==, 33);
  g_assert_cmpint (st.gid[1], ==, 34);
  g_assert_cmpint (st.ns_pid, ==, 1);
  g_assert_cmpint (st.vmrss_kb, ==, 1528);

  /* A kernel thread: no VmRSS; one pid namespace. */
  procfs_parse_status ("Name:\tkthreadd\nNSpid:\t2\n", &st);
  g_assert_cmpint (st.ns_pid, ==, 2);
  g_assert_cmpint (st.vmrss_kb, ==, -1);
  g_assert_cmpint (st.uid[0], ==, -1);
}

static void
test_cmdline (void)
{
  static const char raw[] = "httpd\0-f\0caf\xc3\xa9\0bad\xff\xfe\0\0last-no-nul";
  g_autoptr(json_t) args = procfs_cmdline_json (raw, sizeof raw - 1);
  g_autofree char *dump = json_dumps (args, JSON_COMPACT);
  g_assert_cmpstr (dump, ==, "[\"httpd\",\"-f\",\"caf\xc3\xa9\",\"bad\\\\xff\\\\xfe\",\"\","
                             "\"last-no-nul\"]");
  g_autoptr(json_t) none = procfs_cmdline_json ("", 0);
  g_assert_cmpuint (json_array_size (none), ==, 0);
}

static void
test_times (void)
{
  g_assert_cmpint (procfs_parse_btime ("cpu  1 2 3\nintr 5\nbtime 1764081600\nprocesses 9\n"), ==,
                   1764081600);
  g_assert_cmpint (procfs_parse_btime ("cpu  1 2 3\n"), ==, -1);
  g_autofree char *epoch = procfs_rfc3339 (0);
  g_assert_cmpstr (epoch, ==, "1970-01-01T00:00:00.000Z");
  g_autofree char *t = procfs_rfc3339 (G_GINT64_CONSTANT (1764081600) * 1000 + 120);
  g_assert_cmpstr (t, ==, "2025-11-25T14:40:00.120Z");
  if (sysconf (_SC_CLK_TCK) == 100)
    {
      g_autofree char *start = procfs_start_time (1764081600, 250);
      g_assert_cmpstr (start, ==, "2025-11-25T14:40:02.500Z");
    }
}

static void
test_inet_lines (void)
{
  if (G_BYTE_ORDER != G_LITTLE_ENDIAN)
    {
      g_test_skip ("fixtures are a little-endian host's /proc");
      return;
    }
  ProcInetSock s;
  g_assert_true (procfs_parse_inet_line (
      "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 "
      "364238 1 00000000f25cd558 100 0 0 10 0",
      FALSE, &s));
  g_assert_cmpstr (s.local, ==, "127.0.0.1");
  g_assert_cmpuint (s.local_port, ==, 8080);
  g_assert_cmpstr (s.remote, ==, "0.0.0.0");
  g_assert_cmpuint (s.remote_port, ==, 0);
  g_assert_cmpuint (s.inode, ==, 364238);
  g_assert_cmpstr (procfs_inet_state (s.st, FALSE), ==, "LISTEN");

  /* 10.1.2.3:40000 -> 93.184.216.34:443 established */
  g_assert_true (procfs_parse_inet_line (
      "   1: 0302010A:9C40 22D8B85D:01BB 01 00000000:00000000 02:000AFB6C 00000000  1000        0 "
      "777 2 0000000000000000 20 4 30 10 -1",
      FALSE, &s));
  g_assert_cmpstr (s.local, ==, "10.1.2.3");
  g_assert_cmpuint (s.local_port, ==, 40000);
  g_assert_cmpstr (s.remote, ==, "93.184.216.34");
  g_assert_cmpuint (s.remote_port, ==, 443);
  g_assert_cmpstr (procfs_inet_state (s.st, FALSE), ==, "ESTABLISHED");

  /* ::1 port 22, four little-endian words */
  g_assert_true (procfs_parse_inet_line (
      "   0: 00000000000000000000000001000000:0016 00000000000000000000000000000000:0000 0A "
      "00000000:00000000 00:00000000 00000000     0        0 1001 1 0000000000000000 100 0 0 10 0",
      TRUE, &s));
  g_assert_cmpstr (s.local, ==, "::1");
  g_assert_cmpuint (s.local_port, ==, 22);
  g_assert_cmpstr (s.remote, ==, "::");
  g_assert_cmpuint (s.inode, ==, 1001);

  /* ::ffff:10.0.0.5:443 <- fe80::1:51000, TIME_WAIT (inode 0) */
  g_assert_true (procfs_parse_inet_line (
      "   3: 0000000000000000FFFF00000500000A:01BB 000080FE000000000000000001000000:C738 06 "
      "00000000:00000000 03:00000F5A 00000000     0        0 0 3 0000000000000000",
      TRUE, &s));
  g_assert_cmpstr (s.local, ==, "::ffff:10.0.0.5");
  g_assert_cmpuint (s.local_port, ==, 443);
  g_assert_cmpstr (s.remote, ==, "fe80::1");
  g_assert_cmpuint (s.remote_port, ==, 51000);
  g_assert_cmpuint (s.inode, ==, 0);
  g_assert_cmpstr (procfs_inet_state (s.st, FALSE), ==, "TIME_WAIT");

  /* udp 0.0.0.0:68, unconnected */
  g_assert_true (procfs_parse_inet_line (
      "  123: 00000000:0044 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 "
      "5555 2 0000000000000000 0",
      FALSE, &s));
  g_assert_cmpuint (s.local_port, ==, 68);
  g_assert_cmpstr (procfs_inet_state (s.st, TRUE), ==, "UNCONN");
  g_assert_cmpstr (procfs_inet_state (s.st, FALSE), ==, "CLOSE");

  /* the header, a v4 address in a v6 file, junk */
  g_assert_false (procfs_parse_inet_line ("  sl  local_address rem_address   st tx_queue", FALSE, &s));
  g_assert_false (procfs_parse_inet_line (
      "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1 1", TRUE,
      &s));
  g_assert_false (procfs_parse_inet_line ("   0: 0100007F:1FFFF0 00000000:0000 0A", FALSE, &s));
}

static void
test_unix_lines (void)
{
  ProcUnixSock u;
  const char *l = "0000000000000000: 00000002 00000000 00010000 0001 01 364300 /run/app.sock";
  g_assert_true (procfs_parse_unix_line (l, strlen (l), &u));
  g_assert_cmpuint (u.inode, ==, 364300);
  g_assert_cmpstr (procfs_unix_state (&u), ==, "LISTEN");
  g_assert_cmpstr (procfs_unix_type (u.type), ==, "stream");
  g_assert_cmpint (u.path_len, ==, strlen ("/run/app.sock"));
  g_assert_cmpmem (u.path, u.path_len, "/run/app.sock", 13);

  l = "ffff8f0a01234567: 00000003 00000000 00000000 0001 03 12345";
  g_assert_true (procfs_parse_unix_line (l, strlen (l), &u));
  g_assert_cmpuint (u.inode, ==, 12345);
  g_assert_null (u.path);
  g_assert_cmpstr (procfs_unix_state (&u), ==, "CONNECTED");

  /* An abstract name with a space; the kernel shows its NULs as '@'. */
  l = "0000000000000000: 00000002 00000000 00000000 0002 01  9876 @abstract name@x";
  g_assert_true (procfs_parse_unix_line (l, strlen (l), &u));
  g_assert_cmpuint (u.inode, ==, 9876);
  g_assert_cmpstr (procfs_unix_type (u.type), ==, "dgram");
  g_assert_cmpstr (procfs_unix_state (&u), ==, "UNCONNECTED");
  g_assert_cmpmem (u.path, u.path_len, "@abstract name@x", 16);

  l = "Num       RefCount Protocol Flags    Type St Inode Path";
  g_assert_false (procfs_parse_unix_line (l, strlen (l), &u));

  guint64 ino;
  g_assert_true (procfs_socket_inode ("socket:[364238]", &ino));
  g_assert_cmpuint (ino, ==, 364238);
  g_assert_false (procfs_socket_inode ("pipe:[364203]", &ino));
  g_assert_false (procfs_socket_inode ("socket:[12]x", &ino));
  g_assert_false (procfs_socket_inode ("socket:[]", &ino));
}

static void
test_net_dev (void)
{
  const char *text =
      "Inter-|   Receive                                                |  Transmit\n"
      " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs "
      "drop fifo colls carrier compressed\n"
      "    lo:       0       0    0    0    0     0          0         0        0       0    0    "
      "0    0     0       0          0\n"
      "  eth0:     916      10    1    2    0     0          0         0      472       6    3    "
      "4    0     0       0          0\n"
      "veth:a:12345678901234 7 0 0 0 0 0 0 5 6 0 0 0 0 0 0\n";
  g_autoptr(GArray) devs = procfs_parse_net_dev (text);
  g_assert_cmpuint (devs->len, ==, 3);
  ProcNetDev *lo = &g_array_index (devs, ProcNetDev, 0);
  ProcNetDev *eth = &g_array_index (devs, ProcNetDev, 1);
  ProcNetDev *odd = &g_array_index (devs, ProcNetDev, 2);
  g_assert_cmpstr (lo->name, ==, "lo");
  g_assert_cmpuint (lo->rx_bytes, ==, 0);
  g_assert_cmpstr (eth->name, ==, "eth0");
  g_assert_cmpuint (eth->rx_bytes, ==, 916);
  g_assert_cmpuint (eth->rx_packets, ==, 10);
  g_assert_cmpuint (eth->rx_errors, ==, 1);
  g_assert_cmpuint (eth->rx_drops, ==, 2);
  g_assert_cmpuint (eth->tx_bytes, ==, 472);
  g_assert_cmpuint (eth->tx_packets, ==, 6);
  g_assert_cmpuint (eth->tx_errors, ==, 3);
  g_assert_cmpuint (eth->tx_drops, ==, 4);
  /* old kernels print no space after the colon */
  g_assert_cmpstr (odd->name, ==, "veth:a");
  g_assert_cmpuint (odd->rx_bytes, ==, G_GUINT64_CONSTANT (12345678901234));
  g_assert_cmpuint (odd->tx_packets, ==, 6);
}

static const char cgroup_v1[] =
    "9:name=systemd:/libpod_parent/libpod-a555\n"
    "8:pids:/libpod_parent/libpod-a555\n"
    "4:memory:/libpod_parent/libpod-a555\n"
    "2:cpu,cpuacct:/libpod_parent/libpod-a555\n"
    "0::/libpod_parent/libpod-a555\n";

static void
test_cgroup_paths (void)
{
  g_autofree char *mem = procfs_cgroup_path (cgroup_v1, "memory");
  g_autofree char *acct = procfs_cgroup_path (cgroup_v1, "cpuacct");
  g_autofree char *v2 = procfs_cgroup_path (cgroup_v1, NULL);
  g_autofree char *blk = procfs_cgroup_path (cgroup_v1, "blkio");
  g_autofree char *sysd = procfs_cgroup_path (cgroup_v1, "name=systemd");
  g_assert_cmpstr (mem, ==, "/libpod_parent/libpod-a555");
  g_assert_cmpstr (acct, ==, "/libpod_parent/libpod-a555");
  g_assert_cmpstr (v2, ==, "/libpod_parent/libpod-a555");
  g_assert_null (blk);
  g_assert_cmpstr (sysd, ==, "/libpod_parent/libpod-a555");

  g_autofree char *only2 = procfs_cgroup_path ("0::/system.slice/libpod-x.scope:odd\n", NULL);
  g_assert_cmpstr (only2, ==, "/system.slice/libpod-x.scope:odd");
  g_autofree char *none = procfs_cgroup_path ("0::/system.slice/x.scope\n", "memory");
  g_assert_null (none);
}

static void
test_cgroup_dir (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("ctrgit-cg-XXXXXX", NULL);
  g_autofree char *d1 = g_build_filename (tmp, "memory/libpod_parent/libpod-a555", NULL);
  g_autofree char *d2 = g_build_filename (tmp, "ns/libpod-a555", NULL);
  g_autofree char *d3 = g_build_filename (tmp, "uni/x.scope", NULL);
  g_assert_cmpint (g_mkdir_with_parents (d1, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (d2, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (d3, 0755), ==, 0);
  g_autofree char *mountinfo = g_strdup_printf (
      "22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw\n"
      "36 35 0:30 / %s/memory rw,nosuid shared:15 - cgroup cgroup rw,memory\n"
      "37 35 0:31 / %s/cpu rw,nosuid shared:16 - cgroup cgroup rw,cpu,cpuacct\n"
      "38 35 0:32 /libpod_parent %s/ns rw,nosuid - cgroup cgroup rw,pids\n"
      "39 35 0:33 / %s/uni rw,nosuid shared:20 - cgroup2 cgroup2 rw\n",
      tmp, tmp, tmp, tmp);
  g_autofree char *mem = procfs_cgroup_dir (mountinfo, "memory", "/libpod_parent/libpod-a555");
  g_assert_cmpstr (mem, ==, d1);
  /* A mount of a subtree (what a cgroup namespace sees) */
  g_autofree char *pids = procfs_cgroup_dir (mountinfo, "pids", "/libpod_parent/libpod-a555");
  g_assert_cmpstr (pids, ==, d2);
  g_autofree char *v2 = procfs_cgroup_dir (mountinfo, NULL, "/x.scope");
  g_assert_cmpstr (v2, ==, d3);
  g_autofree char *root = procfs_cgroup_dir (mountinfo, NULL, "/");
  g_autofree char *uni = g_build_filename (tmp, "uni", NULL);
  g_assert_cmpstr (root, ==, uni);
  /* Outside the namespace, absent, a controller nobody mounted */
  g_assert_null (procfs_cgroup_dir (mountinfo, "pids", "/../../libpod_parent/libpod-a555"));
  g_assert_null (procfs_cgroup_dir (mountinfo, "memory", "/libpod_parent/libpod-gone"));
  g_assert_null (procfs_cgroup_dir (mountinfo, "blkio", "/libpod_parent/libpod-a555"));
  g_assert_null (procfs_cgroup_dir (mountinfo, "cpu", "/libpod_parent/libpod-a555"));

  /* A crawler in a cgroup namespace below the root (unshare -C here): the
   * mount's root and the container's path both climb out of it alike. */
  g_autofree char *ns_mountinfo = g_strdup_printf (
      "35 31 0:32 /../.. %s/memory rw,relatime - cgroup cgroup rw,memory\n", tmp);
  g_autofree char *climbed = procfs_cgroup_dir (ns_mountinfo, "memory",
                                                "/../../libpod_parent/libpod-a555");
  g_assert_cmpstr (climbed, ==, d1);
  g_autofree char *cmd = g_strdup_printf ("rm -rf %s", tmp);
  g_assert_cmpint (system (cmd), ==, 0);
}

static void
test_cgroup_files (void)
{
  guint64 v;
  gboolean unlimited;
  const char *cpu_stat = "usage_usec 123456\nuser_usec 100000\nsystem_usec 23456\n";
  g_assert_true (procfs_keyed_value (cpu_stat, "usage_usec", &v));
  g_assert_cmpuint (v, ==, 123456);
  g_assert_true (procfs_keyed_value (cpu_stat, "system_usec", &v));
  g_assert_cmpuint (v, ==, 23456);
  g_assert_false (procfs_keyed_value (cpu_stat, "usage", &v));
  g_assert_true (procfs_keyed_value ("MemTotal:       16384 kB\nMemAvailable:    8000 kB\n",
                                     "MemAvailable", &v));
  g_assert_cmpuint (v, ==, 8000);

  g_assert_true (procfs_parse_limit ("max\n", &v, &unlimited));
  g_assert_true (unlimited);
  g_assert_true (procfs_parse_limit ("536870912\n", &v, &unlimited));
  g_assert_false (unlimited);
  g_assert_cmpuint (v, ==, 536870912);
  g_assert_true (procfs_parse_limit ("9223372036854771712\n", &v, &unlimited));
  g_assert_true (unlimited);
  g_assert_false (procfs_parse_limit ("", &v, &unlimited));

  ProcIo io;
  procfs_parse_io_stat ("8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n"
                        "253:0 rbytes=100 wbytes=0 rios=3 wios=0 dbytes=0 dios=0\n",
                        &io);
  g_assert_cmpuint (io.read_bytes, ==, 4196);
  g_assert_cmpuint (io.write_bytes, ==, 8192);
  g_assert_cmpuint (io.read_ops, ==, 4);
  g_assert_cmpuint (io.write_ops, ==, 2);

  procfs_parse_blkio ("8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 0\n8:0 Async 12288\n"
                      "8:0 Discard 0\n8:0 Total 12288\n8:16 Read 4\nTotal 12292\n",
                      "8:0 Read 1\n8:0 Write 2\n8:0 Total 3\nTotal 3\n", &io);
  g_assert_cmpuint (io.read_bytes, ==, 4100);
  g_assert_cmpuint (io.write_bytes, ==, 8192);
  g_assert_cmpuint (io.read_ops, ==, 1);
  g_assert_cmpuint (io.write_ops, ==, 2);
}

static void
test_host_counters (void)
{
  guint64 busy;
  g_assert_true (procfs_parse_stat_cpu ("cpu  100 5 50 9000 30 2 3 7 0 0\ncpu0 1 2 3 4 5 6 7\n",
                                        &busy));
  g_assert_cmpuint (busy, ==, 100 + 5 + 50 + 2 + 3 + 7);
  g_assert_false (procfs_parse_stat_cpu ("intr 1 2 3\n", &busy));

  const char *disk = "   8       0 sda 1000 10 20000 300 500 5 8000 100 0 400 400 0 0 0 0\n"
                     "   8       1 sda1 900 10 18000 280 400 5 6000 90 0 350 370 0 0 0 0\n"
                     "   7       0 loop0 50 0 100 1 0 0 0 0 0 1 1 0 0 0 0\n"
                     " 259       0 nvme0n1 10 0 16 1 20 0 32 2 0 3 3\n";
  const char *const disks[] = { "sda", "nvme0n1", NULL };
  ProcIo io;
  procfs_parse_diskstats (disk, disks, &io);
  g_assert_cmpuint (io.read_ops, ==, 1010);
  g_assert_cmpuint (io.write_ops, ==, 520);
  g_assert_cmpuint (io.read_bytes, ==, (20000 + 16) * 512);
  g_assert_cmpuint (io.write_bytes, ==, (8000 + 32) * 512);
}

static void
test_os_release (void)
{
  const char *text = "NAME=\"Debian GNU/Linux\"\nID=debian\nVERSION_ID=\"12\"\n"
                     "PRETTY_NAME='Deb \"x\" \\n'\n# ID=comment\nX=a\\ b\r\n\nnot a pair\n";
  g_autoptr(GHashTable) h = procfs_parse_os_release (text, strlen (text));
  g_assert_cmpstr (g_hash_table_lookup (h, "NAME"), ==, "Debian GNU/Linux");
  g_assert_cmpstr (g_hash_table_lookup (h, "ID"), ==, "debian");
  g_assert_cmpstr (g_hash_table_lookup (h, "VERSION_ID"), ==, "12");
  g_assert_cmpstr (g_hash_table_lookup (h, "PRETTY_NAME"), ==, "Deb \"x\" \\n");
  g_assert_cmpstr (g_hash_table_lookup (h, "X"), ==, "a b");
  g_assert_cmpuint (g_hash_table_size (h), ==, 5);
}

static void
test_passwd (void)
{
  const char *passwd = "root:x:0:0:root:/root:/bin/sh\n"
                       "www-data:x:33:33::/var/www:/usr/sbin/nologin\n"
                       "broken\nnoid:x::1::/:/bin/sh\n"
                       "alias:x:33:33::/:/bin/sh\n"
                       "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin";
  g_autoptr(GHashTable) users = procfs_parse_idmap (passwd, strlen (passwd));
  g_assert_cmpstr (procfs_idmap_lookup (users, 0), ==, "root");
  g_assert_cmpstr (procfs_idmap_lookup (users, 33), ==, "www-data");
  g_assert_cmpstr (procfs_idmap_lookup (users, 65534), ==, "nobody");
  g_assert_null (procfs_idmap_lookup (users, 1000));
  g_assert_null (procfs_idmap_lookup (users, -1));
  g_assert_cmpuint (g_hash_table_size (users), ==, 3);

  const char *group = "root:x:0:\nwheel:x:10:alice,bob\n";
  g_autoptr(GHashTable) groups = procfs_parse_idmap (group, strlen (group));
  g_assert_cmpstr (procfs_idmap_lookup (groups, 10), ==, "wheel");
  g_assert_cmpstr (procfs_idmap_lookup (groups, 0), ==, "root");
}

/* --- the features on a /proc built by hand --------------------------------- */

static void
put (const char *dir, const char *name, const char *text, gssize len)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path, text, len, NULL));
}

static void
put_link (const char *dir, const char *name, const char *target)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_assert_cmpint (symlink (target, path), ==, 0);
}

static const char stat_tail[] = " 0 0 -1 0 0 0 0 0 250 130 0 0 20 0 1 0 500 0 369 0 0 0\n";
static const char tcp_header[] =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
    "timeout inode\n";

/* pid 100 (init, httpd on 8080) and 101 (a worker holding a unix socket)
 * share a network namespace; 102 exited after discovery. */
static CrawlTarget *
fixture_target (const char *tmp)
{
  g_autofree char *proc = g_build_filename (tmp, "proc", NULL);
  put (proc, "stat", "cpu  1 2 3 4 5 6 7 8\nbtime 1764081600\n", -1);
  g_autofree char *s100 = g_strconcat ("100 (httpd) S 1 100", stat_tail, NULL);
  g_autofree char *s101 = g_strconcat ("101 (worker) R 100 100", stat_tail, NULL);
  put (proc, "100/stat", s100, -1);
  put (proc, "101/stat", s101, -1);
  put (proc, "100/status", "Uid:\t33\t33\t33\t33\nGid:\t33\t33\t33\t33\nNSpid:\t100\t1\n", -1);
  put (proc, "101/status", "Uid:\t0\t1000\t0\t0\nGid:\t0\t0\t0\t0\nNSpid:\t101\t2\n", -1);
  put (proc, "100/cmdline", "httpd\0-p\0" "8080\0", 14);
  put (proc, "101/cmdline", "", 0);
  put_link (proc, "100/fd/0", "/dev/null");
  put_link (proc, "100/fd/3", "socket:[555]");
  put_link (proc, "101/fd/4", "socket:[556]");
  put (proc, "100/ns/net", "", 0);
  g_autofree char *ns100 = g_build_filename (proc, "100/ns/net", NULL);
  g_autofree char *ns101 = g_build_filename (proc, "101/ns/net", NULL);
  g_autofree char *ns101_dir = g_path_get_dirname (ns101);
  g_assert_cmpint (g_mkdir_with_parents (ns101_dir, 0755), ==, 0);
  g_assert_cmpint (link (ns100, ns101), ==, 0);   /* one namespace: one inode */
  g_autofree char *tcp = g_strconcat (
      tcp_header,
      "   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000    33        0 "
      "555 1 0000000000000000 100 0 0 10 0\n",
      "   1: 0100007F:1538 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 "
      "777 1 0000000000000000 20 4 30 10 -1\n",
      NULL);
  put (proc, "100/net/tcp", tcp, -1);
  put (proc, "100/net/unix",
       "Num       RefCount Protocol Flags    Type St Inode Path\n"
       "0000000000000000: 00000002 00000000 00010000 0001 01 556 /run/x.sock\n",
       -1);
  put (proc, "100/net/dev",
       "Inter-|   Receive\n face |bytes\n    lo: 1 2 0 0 0 0 0 0 1 2 0 0 0 0 0 0\n"
       "  eth0: 100 3 0 1 0 0 0 0 50 2 0 0 0 0 0 0\n",
       -1);
  put (proc, "100/root/etc/passwd", "root:x:0:0::/:/bin/sh\nwww-data:x:33:33::/:/bin/sh\n", -1);
  put (proc, "100/root/etc/group", "root:x:0:\nwww-data:x:33:\n", -1);
  put (proc, "100/root/etc/hostname", "web1\n", -1);
  put (proc, "100/root/usr/lib/os-release", "ID=fixture\nVERSION_ID=\"3\"\n", -1);
  /* climbing out of the root must land in it */
  put_link (proc, "100/root/etc/os-release", "/../../../../../../../usr/lib/os-release");

  CrawlTarget *t = g_new0 (CrawlTarget, 1);
  t->kind = CRAWL_TARGET_CONTAINER;
  t->id = g_strdup ("abc");
  t->proc = g_steal_pointer (&proc);
  t->pid = 100;
  t->starttime = 500;
  t->root_fd = -1;
  t->pids = g_array_new (FALSE, FALSE, sizeof (pid_t));
  pid_t pids[] = { 100, 101, 102 };
  g_array_append_vals (t->pids, pids, 3);
  return t;
}

static json_t *
run_feature (CrawlFeatureFunc fn, CrawlTarget *t)
{
  CrawlContext ctx = { 0 };
  g_autoptr(GError) error = NULL;
  json_t *items = json_object ();
  g_assert_true (fn (&ctx, t, items, &error));
  g_assert_no_error (error);
  return items;
}

static void
test_features_on_fixture (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("ctrgit-proc-XXXXXX", NULL);
  g_autoptr(CrawlTarget) t = fixture_target (tmp);
  long hz = sysconf (_SC_CLK_TCK);

  g_autoptr(json_t) procs = run_feature (crawl_feature_process, t);
  g_assert_cmpuint (json_object_size (procs), ==, 2);   /* 102 exited: dropped silently */
  json_t *p = json_object_get (procs, "100");
  g_autofree char *cmd = json_dumps (json_object_get (p, "cmdline"), JSON_COMPACT);
  g_assert_cmpstr (cmd, ==, "[\"httpd\",\"-p\",\"8080\"]");
  g_assert_cmpstr (json_string_value (json_object_get (p, "user")), ==, "www-data");
  g_assert_cmpstr (json_string_value (json_object_get (p, "group")), ==, "www-data");
  g_assert_cmpint (json_integer_value (json_object_get (p, "ns_pid")), ==, 1);
  g_assert_cmpint (json_integer_value (json_object_get (p, "ppid")), ==, 1);
  g_assert_cmpint (json_integer_value (json_object_get (p, "open_fds")), ==, 2);
  g_assert_cmpint (json_integer_value (json_object_get (p, "rss_bytes")), ==,
                   369 * sysconf (_SC_PAGESIZE));
  g_assert_cmpfloat_with_epsilon (json_real_value (json_object_get (p, "cpu_seconds")),
                                  380.0 / hz, 1e-9);
  g_assert_true (json_is_null (json_object_get (p, "exe")));
  if (hz == 100)
    g_assert_cmpstr (json_string_value (json_object_get (p, "start_time")), ==,
                     "2025-11-25T14:40:05.000Z");
  /* A command line beyond the limit is cut, and says so. */
  g_autofree char *cut = NULL;
  gsize cut_len = 0;
  gboolean truncated = FALSE;
  g_assert_true (procfs_read_prefix (t->proc, 100, "cmdline", 5, &cut, &cut_len, &truncated, NULL));
  g_assert_cmpmem (cut, cut_len, "httpd", 5);
  g_assert_true (truncated);
  g_clear_pointer (&cut, g_free);
  g_assert_true (procfs_read_prefix (t->proc, 100, "cmdline", 14, &cut, &cut_len, &truncated, NULL));
  g_assert_cmpuint (cut_len, ==, 14);
  g_assert_false (truncated);

  json_t *w = json_object_get (procs, "101");
  g_assert_cmpstr (json_string_value (json_object_get (w, "comm")), ==, "worker");
  g_assert_cmpstr (json_string_value (json_object_get (w, "state")), ==, "R");
  g_assert_cmpint (json_integer_value (json_object_get (w, "uid")), ==, 0);
  g_assert_cmpint (json_integer_value (json_object_get (w, "euid")), ==, 1000);
  g_assert_true (json_is_null (json_object_get (w, "user")));   /* no 1000 in its passwd */
  g_assert_cmpuint (json_array_size (json_object_get (w, "cmdline")), ==, 0);

  g_autoptr(json_t) conns = run_feature (crawl_feature_connection, t);
  g_assert_cmpuint (json_object_size (conns), ==, 3);
  json_t *l = json_object_get (conns, "tcp/0.0.0.0:8080/0.0.0.0:0/555");
  g_assert_nonnull (l);
  g_assert_true (json_is_true (json_object_get (l, "listening")));
  g_assert_cmpstr (json_string_value (json_object_get (l, "state")), ==, "LISTEN");
  g_assert_cmpint (json_integer_value (json_object_get (l, "pid")), ==, 100);
  json_t *e = json_object_get (conns, "tcp/127.0.0.1:5432/127.0.0.1:40000/777");
  g_assert_nonnull (e);
  g_assert_true (json_is_false (json_object_get (e, "listening")));
  g_assert_true (json_is_null (json_object_get (e, "pid")));
  json_t *u = json_object_get (conns, "unix//run/x.sock/556");
  g_assert_nonnull (u);
  g_assert_cmpint (json_integer_value (json_object_get (u, "pid")), ==, 101);
  g_assert_cmpstr (json_string_value (json_object_get (u, "path")), ==, "/run/x.sock");

  g_autoptr(json_t) ifs = run_feature (crawl_feature_interface, t);
  g_assert_cmpint (json_integer_value (json_object_get (json_object_get (ifs, "eth0"), "rx_bytes")),
                   ==, 100);
  g_assert_cmpint (json_integer_value (json_object_get (json_object_get (ifs, "eth0"), "rx_drops")),
                   ==, 1);

  g_autoptr(json_t) os = run_feature (crawl_feature_os, t);
  json_t *o = json_object_get (os, "os");
  g_assert_cmpstr (json_string_value (json_object_get (o, "id")), ==, "fixture");
  g_assert_cmpstr (json_string_value (json_object_get (o, "version_id")), ==, "3");
  g_assert_cmpstr (json_string_value (json_object_get (o, "hostname")), ==, "web1");
  g_assert_cmpstr (json_string_value (json_object_get (o, "boot_time")), ==,
                   "2025-11-25T14:40:00.000Z");
  if (hz == 100)
    g_assert_cmpstr (json_string_value (json_object_get (o, "start_time")), ==,
                     "2025-11-25T14:40:05.000Z");

  /* Nothing unreadable in the fixture: no skips. */
  g_assert_true (!t->skipped || json_array_size (t->skipped) == 0);
  g_autofree char *cmdrm = g_strdup_printf ("rm -rf %s", tmp);
  g_assert_cmpint (system (cmdrm), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/crawl/procfs/stat-comm-with-parens", test_stat_comm_with_parens);
  g_test_add_func ("/crawl/procfs/status", test_status);
  g_test_add_func ("/crawl/procfs/cmdline-nul-and-invalid-utf8", test_cmdline);
  g_test_add_func ("/crawl/procfs/times", test_times);
  g_test_add_func ("/crawl/procfs/inet-lines", test_inet_lines);
  g_test_add_func ("/crawl/procfs/unix-lines", test_unix_lines);
  g_test_add_func ("/crawl/procfs/net-dev", test_net_dev);
  g_test_add_func ("/crawl/procfs/cgroup-paths", test_cgroup_paths);
  g_test_add_func ("/crawl/procfs/cgroup-dir", test_cgroup_dir);
  g_test_add_func ("/crawl/procfs/cgroup-files", test_cgroup_files);
  g_test_add_func ("/crawl/procfs/host-counters", test_host_counters);
  g_test_add_func ("/crawl/procfs/os-release", test_os_release);
  g_test_add_func ("/crawl/procfs/passwd", test_passwd);
  g_test_add_func ("/crawl/procfs/features-on-fixture-proc", test_features_on_fixture);
  return g_test_run ();
}
