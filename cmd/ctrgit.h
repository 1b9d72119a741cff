/* cmd/ctrgit.h: what the subcommands share. Only cmd/ prints or exits. */
#pragma once

#include "store/store.h"
#include "oci/oci-registry.h"

typedef struct {
  const char *repo;       /* --repo, or NULL for the default */
  gboolean tty;           /* stdout is a terminal */
} CtrGlobals;

typedef int (*CtrCommandFunc) (int argc, char **argv, CtrGlobals *g);

typedef struct {
  const char *name;
  CtrCommandFunc fn;
  const char *summary;
} CtrCommand;

#define CTR_EXIT_OK 0
#define CTR_EXIT_ERROR 1
#define CTR_EXIT_USAGE 2

/* Parses options for a subcommand; prints usage errors and returns FALSE. */
gboolean ctr_parse_options (GOptionContext *ctx, int *argc, char ***argv, const char *cmd);
/* Prints "ctrgit CMD: message" to stderr; returns CTR_EXIT_ERROR. */
int ctr_fail (const char *cmd, GError *error);
int ctr_usage (const char *cmd, const char *fmt, ...) G_GNUC_PRINTF (2, 3);
CtrStore *ctr_open_store (CtrGlobals *g, GError **error);
/* Paths given to diff and show name entries of the image literally: made
 * canonical ("/etc/" and "/etc/./x" become "/etc" and "/etc/x"); FALSE,
 * with a usage message printed, for relative paths and "..". */
gboolean ctr_canonical_paths (const char *cmd, char **paths);
/* One line per layer on a terminal, as docker pull shows (cmd/progress.c).
 * set adds a line for a digest not seen before and never moves a layer
 * back to an earlier state; done/total of 0 shows no bytes. Callable from
 * any thread; free draws the last state. DONE reads as done_label. */
typedef enum {
  CTR_LAYER_WAITING,
  CTR_LAYER_DOWNLOADING,
  CTR_LAYER_DOWNLOADED,
  CTR_LAYER_EXTRACTING,
  CTR_LAYER_PUSHING,
  CTR_LAYER_DONE,
  CTR_LAYER_MOUNTED,
  CTR_LAYER_EXISTS,
} CtrLayerState;
typedef struct CtrProgress CtrProgress;
CtrProgress *ctr_progress_new (const char *done_label);
void ctr_progress_set (CtrProgress *p, const char *digest, CtrLayerState state, guint64 done,
                       guint64 total);
/* Leaves the block on screen as it is and starts a new one below it: for
 * another try from another source, whose layers start over. */
void ctr_progress_restart (CtrProgress *p);
void ctr_progress_free (CtrProgress *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtrProgress, ctr_progress_free)
/* The store's and the registry's progress, into p (the user data). */
void ctr_progress_layer (void *p, const char *digest, StoreLayerProgress what, guint64 done,
                         guint64 total);
void ctr_progress_download (void *p, const char *digest, guint64 done, guint64 total);
void ctr_progress_push (void *p, const char *digest, StorePushProgress what);
/* --tls-verify, --creds, --authfile, --cert-dir (cmd/registry-args.c) */
typedef struct {
  char *tls, *creds, *authfile, *certdir, *user;
  OciRegistryOptions ro;    /* filled by finish */
} CtrRegistryArgs;
void ctr_registry_args_add (GOptionContext *ctx, CtrRegistryArgs *a);
/* Checks and fills a->ro; prints a usage error and returns FALSE if bad. */
gboolean ctr_registry_args_finish (const char *cmd, CtrRegistryArgs *a);
void ctr_registry_args_clear (CtrRegistryArgs *a);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CtrRegistryArgs, ctr_registry_args_clear)

/* The one line import and pull print: "REF: VERB COMMIT (N new layers,
 * M already stored)", "REF: already up to date", or the commit alone. */
void ctr_print_import_result (const StoreImportResult *res, const char *verb, gboolean quiet);
/* Cuts argv at "--": returns what follows it (NULL if no "--"). */
char **ctr_split_paths (int *argc, char **argv);
char *ctr_store_path (CtrGlobals *g);
char *ctr_format_size (guint64 bytes);
/* s for a terminal: control bytes (ESC, newline, ...) as '?', and "-" for
 * NULL or empty. Names from containers and images can hold anything. */
char *ctr_printable (const char *s);
char *ctr_format_age (gint64 unix_seconds);

/* Shows the man page of cmd (NULL: ctrgit(1)) on a terminal; -1 when
 * there is none or stdout is not a terminal (cmd/help.c). */
int ctr_help_show_man (const char *cmd);

int cmd_init (int argc, char **argv, CtrGlobals *g);
int cmd_import (int argc, char **argv, CtrGlobals *g);
int cmd_images (int argc, char **argv, CtrGlobals *g);
int cmd_export (int argc, char **argv, CtrGlobals *g);
int cmd_du (int argc, char **argv, CtrGlobals *g);
int cmd_fsck (int argc, char **argv, CtrGlobals *g);
int cmd_gc (int argc, char **argv, CtrGlobals *g);
int cmd_rm (int argc, char **argv, CtrGlobals *g);
int cmd_log (int argc, char **argv, CtrGlobals *g);
int cmd_diff (int argc, char **argv, CtrGlobals *g);
int cmd_show (int argc, char **argv, CtrGlobals *g);
int cmd_ls (int argc, char **argv, CtrGlobals *g);
int cmd_cat (int argc, char **argv, CtrGlobals *g);
int cmd_checkout (int argc, char **argv, CtrGlobals *g);
int cmd_tag (int argc, char **argv, CtrGlobals *g);
int cmd_pull (int argc, char **argv, CtrGlobals *g);
int cmd_login (int argc, char **argv, CtrGlobals *g);
int cmd_push (int argc, char **argv, CtrGlobals *g);
int cmd_ps (int argc, char **argv, CtrGlobals *g);
int cmd_crawl (int argc, char **argv, CtrGlobals *g);
int cmd_search (int argc, char **argv, CtrGlobals *g);
