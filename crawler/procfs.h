/* crawler/procfs.h: parsers of the text the kernel writes in /proc and in
 * cgroupfs, shared by the os, process, connection, interface and metric
 * features. They take text and return values, and read nothing themselves
 * (except procfs_read_prefix, procfs_pids and procfs_cgroup_file), so unit
 * tests can feed them fixture text. They do not own what a feature puts in
 * its items, nor reading inside a container root (crawler/target.c does).
 */
#pragma once

#include "crawler/crawler.h"

/* passwd and group of a container root, read once per target. */
#define PROCFS_ID_FILE_MAX (4u * 1024 * 1024)
/* One cgroupfs file (stat files are a few hundred bytes). */
#define PROCFS_CGROUP_FILE_MAX (1024u * 1024)

/* --- /proc/PID/stat, status, cmdline -------------------------------------- */

typedef struct {
  pid_t pid;
  char *comm;          /* bytes between the first '(' and the last ')' */
  gsize comm_len;
  char state;
  pid_t ppid;
  guint64 utime;       /* clock ticks */
  guint64 stime;
  gint64 num_threads;
  guint64 starttime;   /* clock ticks after boot */
  gint64 rss_pages;
} ProcStat;

/* The comm may hold spaces and ')' (a process names itself), so fields are
 * counted after the LAST ')'. */
gboolean procfs_parse_stat (const char *text, gsize len, ProcStat *out, GError **error);
void procfs_stat_clear (ProcStat *s);

typedef struct {
  gint64 uid[4];       /* real, effective, saved, filesystem; -1 if absent */
  gint64 gid[4];
  gint64 ns_pid;       /* last NSpid field: the pid inside its namespace; -1 */
  gint64 vmrss_kb;     /* -1 if absent (kernel threads) */
} ProcStatus;

void procfs_parse_status (const char *text, ProcStatus *out);

/* NUL-separated arguments as a JSON array of strings (non-UTF-8 bytes kept
 * as \xNN); a last argument without its NUL (truncated) is kept too. */
json_t *procfs_cmdline_json (const char *buf, gsize len);

/* Reads at most max bytes of /proc/PID/NAME; *truncated says there was more. */
gboolean procfs_read_prefix (const char *proc, pid_t pid, const char *name, gsize max,
                             char **out, gsize *out_len, gboolean *truncated, GError **error);

/* TRUE when an error reading /proc/PID/... means the process is gone (it
 * exited mid-crawl): such a process is skipped silently. */
gboolean procfs_pid_gone (const char *proc, pid_t pid, const GError *error);

/* t->pids, or for the host every pid in proc, sorted. */
GArray *procfs_pids (CrawlTarget *t, GError **error);

/* "btime" of /proc/stat, -1 if absent. */
gint64 procfs_parse_btime (const char *text);
/* The boot time from PROC/stat, in seconds since the epoch. */
gboolean procfs_boot_time (const char *proc, gint64 *out, GError **error);
/* Milliseconds since the epoch as RFC 3339 UTC ("2026-11-25T14:40:00.120Z"). */
char *procfs_rfc3339 (gint64 ms);
/* Boot time (seconds) plus clock ticks after boot, as procfs_rfc3339 prints it. */
char *procfs_start_time (gint64 btime, guint64 ticks);

/* --- sockets: /proc/PID/net/{tcp,tcp6,udp,udp6,unix} ---------------------- */

typedef struct {
  char local[48];      /* as inet_ntop prints it */
  guint16 local_port;
  char remote[48];
  guint16 remote_port;
  guint st;            /* the kernel's TCP state number */
  guint64 inode;
} ProcInetSock;

/* One line of net/tcp (v6 FALSE) or net/tcp6 (v6 TRUE), udp alike. FALSE
 * for the header and anything malformed. */
gboolean procfs_parse_inet_line (const char *line, gboolean v6, ProcInetSock *out);
/* "LISTEN", "ESTABLISHED", ...; udp's unconnected 07 is "UNCONN". */
const char *procfs_inet_state (guint st, gboolean udp);

typedef struct {
  guint flags;
  guint type;          /* 1 stream, 2 dgram, 5 seqpacket */
  guint st;            /* 1 unconnected, 2 connecting, 3 connected, 4 disconnecting */
  guint64 inode;
  const char *path;    /* points into the line; NULL when unnamed; "@..." abstract */
  gsize path_len;
} ProcUnixSock;

gboolean procfs_parse_unix_line (const char *line, gsize len, ProcUnixSock *out);
/* "LISTEN" (accepting), "CONNECTED", "UNCONNECTED", ... */
const char *procfs_unix_state (const ProcUnixSock *u);
const char *procfs_unix_type (guint type);

/* The INODE of a readlink of /proc/PID/fd/N that reads "socket:[INODE]". */
gboolean procfs_socket_inode (const char *link, guint64 *out);

/* --- /proc/PID/net/dev ---------------------------------------------------- */

typedef struct {
  char *name;
  guint64 rx_bytes, rx_packets, rx_errors, rx_drops;
  guint64 tx_bytes, tx_packets, tx_errors, tx_drops;
} ProcNetDev;

/* Every interface of net/dev, in file order: a GArray of ProcNetDev that
 * frees the names. */
GArray *procfs_parse_net_dev (const char *text);

/* --- cgroups -------------------------------------------------------------- */

/* The path /proc/PID/cgroup gives for a v1 controller ("memory"), or with
 * controller NULL the v2 "0::" path; NULL if none. */
char *procfs_cgroup_path (const char *text, const char *controller);

/* A mountinfo field with its \ooo escapes (space, tab, newline, backslash) undone. */
char *procfs_mount_unescape (const char *s);

/* The cgroupfs directory of the cgroup at path (as /proc/PID/cgroup names
 * it), for a v1 controller or v2 (NULL), found through the cgroup mounts of
 * mountinfo (the crawler's own: a mount may show only a subtree, as in a
 * cgroup namespace). NULL when no mount holds it. */
char *procfs_cgroup_dir (const char *mountinfo, const char *controller, const char *path);

/* "KEY VALUE" lines (cpu.stat, memory.stat, /proc/meminfo): the value of
 * key (the first number after it), FALSE if absent. */
gboolean procfs_keyed_value (const char *text, const char *key, guint64 *out);
/* A one-value file: a number, or "max" (*unlimited TRUE). v1 reports no
 * limit as a huge number; values >= 2^62 count as unlimited too. */
gboolean procfs_parse_limit (const char *text, guint64 *out, gboolean *unlimited);

typedef struct {
  guint64 read_bytes, write_bytes, read_ops, write_ops;
} ProcIo;

/* v2 io.stat: "MAJ:MIN rbytes=.. wbytes=.. rios=.. wios=.." summed over devices. */
void procfs_parse_io_stat (const char *text, ProcIo *out);
/* v1 blkio.throttle.io_service_bytes / io_serviced: "MAJ:MIN Read N" lines
 * summed (the "Total" line is not counted). ops may be NULL. */
void procfs_parse_blkio (const char *bytes, const char *ops, ProcIo *out);

/* --- the host without cgroups: /proc/stat, /proc/diskstats --------------- */

/* The "cpu" line of /proc/stat: ticks not idle (user, nice, system, irq,
 * softirq, steal). */
gboolean procfs_parse_stat_cpu (const char *text, guint64 *busy_ticks);
/* /proc/diskstats summed over the devices named in disks (whole disks, so
 * partitions and stacked devices are not counted twice). */
void procfs_parse_diskstats (const char *text, const char *const *disks, ProcIo *out);

/* --- files of a root: os-release, passwd, group --------------------------- */

/* KEY=VALUE lines with shell quoting undone: a table of strings (values are
 * raw bytes, may be non-UTF-8). */
GHashTable *procfs_parse_os_release (const char *text, gsize len);
/* passwd or group: id -> name (the first name for an id wins). */
GHashTable *procfs_parse_idmap (const char *text, gsize len);
const char *procfs_idmap_lookup (GHashTable *map, gint64 id);
