/* crawler/overlay.h: reading overlayfs layers from the host side, for the
 * file and package features. Owns the rules overlayfs merges by (whiteouts,
 * opaque directories) and safe lookups inside a lower layer; does not own
 * which paths a feature reports.
 *
 * Layer directories are host paths from the container's mountinfo, but
 * what lies inside them was written by images and containers: every path
 * inside a layer is resolved with openat2 RESOLVE_IN_ROOT |
 * RESOLVE_NO_SYMLINKS, so a symlink in a layer is never followed (overlay
 * itself does not follow one to find a lower entry either).
 */
#pragma once

#include "crawler/crawler.h"

#include <sys/stat.h>

/* A whiteout in an upper or lower dir: a 0/0 character device. */
#define CRAWL_WHITEOUT_PREFIX ".wh."
#define CRAWL_OPAQUE_MARKER ".wh..wh..opq"
/* Orders a GPtrArray of names (char *) bytewise. */
int crawl_overlay_cmp_names (gconstpointer a, gconstpointer b);
/* The names in a directory (not . and ..), sorted; NULL if unreadable. */
GPtrArray *crawl_overlay_dir_names (int dirfd);
gboolean crawl_overlay_is_whiteout (const struct stat *st);
/* dirfd (opened for reading) is an opaque directory: the xattr
 * trusted.overlay.opaque or user.overlay.opaque is "y", or it holds
 * .wh..wh..opq. */
gboolean crawl_overlay_dir_opaque (int dirfd);
/* A regular file in an upper dir whose data is still in a lower layer
 * (overlay's metacopy feature): xattr trusted.overlay.metacopy. */
gboolean crawl_overlay_is_metacopy (int fd);

/* openat2 below root with RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS; path is
 * absolute or relative to root. -1 with errno on failure. */
int crawl_overlay_openat (int root, const char *path, int flags);

typedef struct CrawlLower CrawlLower;
/* Opens each dir of a lowerdir stack (top first). */
CrawlLower *crawl_lower_open (char **lowerdirs, GError **error);
void crawl_lower_free (CrawlLower *l);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrawlLower, crawl_lower_free)
/* What the merged lower stack has at path (absolute): TRUE with its lstat
 * and the index of the layer it comes from, FALSE if absent (never there,
 * whited out, or hidden by an opaque or non-directory ancestor). */
gboolean crawl_lower_stat (CrawlLower *l, const char *path, struct stat *out, guint *out_layer);
/* Opens path in that layer (flags as for open; O_NOFOLLOW is added). */
int crawl_lower_open_at (CrawlLower *l, guint layer, const char *path, int flags);
/* Reads a regular file of the merged lower stack, at most max bytes. */
gboolean crawl_lower_read (CrawlLower *l, const char *path, gsize max, char **out, gsize *out_len,
                           GError **error);
/* Names that any layer has in directory dir (whiteout names stripped of
 * their prefix), sorted; whether each is visible is crawl_lower_stat's to
 * say. */
GPtrArray *crawl_lower_names (CrawlLower *l, const char *dir);
