/* oci/oci-limits.h: every limit we put on untrusted input, in one place.
 *
 * Each is checked where the data enters and named in the error message, so a
 * user who hits one knows which and can say why it should be raised.
 */
#pragma once

/* JSON documents. Registries cap manifests at 4 MiB; configs with long
 * histories reach a few hundred KiB. */
#define OCI_LIMIT_MANIFEST_SIZE   (4 * 1024 * 1024)
#define OCI_LIMIT_INDEX_SIZE      (4 * 1024 * 1024)
#define OCI_LIMIT_CONFIG_SIZE     (8 * 1024 * 1024)
#define OCI_LIMIT_JSON_DEPTH      64
#define OCI_LIMIT_LAYERS          1024
#define OCI_LIMIT_INDEX_ENTRIES   4096
/* References (docker's own limit on a name) */
#define OCI_LIMIT_REF_NAME        255
#define OCI_LIMIT_REF_TAG         128

/* Tar streams. */
#define OCI_LIMIT_PATH            4096                     /* PATH_MAX */
#define OCI_LIMIT_PAX_HEADER      (1024 * 1024)            /* one extended header's data */
#define OCI_LIMIT_LONGNAME        (64 * 1024)              /* GNU 'L'/'K' records */
#define OCI_LIMIT_ENTRIES         (4 * 1024 * 1024)        /* entries per layer */
/* Uncompressed bytes of one layer; the user can raise it (--max-layer-size). */
#define OCI_LIMIT_LAYER_SIZE_DEFAULT (64ULL * 1024 * 1024 * 1024)
/* A layer that inflates more than this ratio past OCI_LIMIT_BOMB_FLOOR is a
 * compression bomb: real layers compress 2x-10x, zero-filled files ~1000x. */
#define OCI_LIMIT_BOMB_RATIO      200
#define OCI_LIMIT_BOMB_FLOOR      (1ULL * 1024 * 1024 * 1024)
