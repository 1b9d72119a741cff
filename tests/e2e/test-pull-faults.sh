#!/usr/bin/env bash
# ctrgit pull when a blob download breaks and the registry ignores the
# Range of the retry, sending the blob again from byte 0: a fault proxy
# (hack/registry-fault-proxy.py) cuts the layer's first GET after 8 MiB and
# drops the Range of every later one. The import reads a layer while it
# downloads, so bytes before the cut may have been read already: the second
# copy must be the same bytes (compared, never rewritten), and a registry
# that sends other bytes there, in either copy, is refused with one clear
# error, leaving nothing behind.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/e2e/images.sh"
. "$TESTS_DIR/e2e/registry.sh"
need_hostile || { t_skip "fixtures" "could not build them"; t_done; }
need_registry

# One layer of 25 MB, incompressible: the cut comes a third of the way in.
SRC=$HOSTILE/large-twice
CUT=$((8 << 20))
LAYER=$(skopeo inspect --raw "oci:$SRC:v1" | jq -r '.layers[0].digest')
registry_start pullfaults || { t_skip "registry" "could not start one"; t_done; }
R=$REG_ADDR
registry_seed "$R" "oci:$SRC:v1" faults/big:v1

# gets STATUS [RANGE]: how many GETs of the layer the proxy answered with
# STATUS, sent with the Range RANGE (- for none; any if not given).
gets() {
  awk -v p="/v2/faults/big/blobs/$LAYER" -v s="$1" -v r="${2:-}" \
    '$1 == "GET" && $2 == p && $4 == s && (r == "" || $3 == r) { n++ } END { print n + 0 }' "$PLOG"
}

t_begin "pull-survives-a-registry-that-ignores-range-on-retry"
export CTRGIT_REPO=$T_TMP/same
expect_ok ctrgit init
registry_fault_proxy "$R" --cut-blob-get "$CUT" --ignore-range
expect_ok ctrgit pull "$PROXY_ADDR/faults/big:v1"
# the fault happened, the retry asked for the rest, and got it all again
expect_eq "cut GETs" 1 "$(gets FAULT-CUT -)"
expect_eq "resumes answered 200" 1 "$(gets 200 "bytes=$CUT-")"
expect_eq "whole GETs after that" 1 "$(gets 200 -)"
expect_ok ctrgit export "$PROXY_ADDR/faults/big:v1" "oci:$T_TMP/same-out:v1"
expect_eq "manifest" "$(skopeo inspect --raw "oci:$SRC:v1" | sha256sum)" \
  "$(skopeo inspect --raw "oci:$T_TMP/same-out:v1" | sha256sum)"
expect_eq "layer bytes" "$(sha256sum <"$SRC/blobs/sha256/${LAYER#sha256:}")" \
  "$(sha256sum <"$T_TMP/same-out/blobs/sha256/${LAYER#sha256:}")"
expect_ok ctrgit fsck
t_end

t_begin "pull-refuses-a-blob-whose-bytes-changed-between-tries"
export CTRGIT_REPO=$T_TMP/changed
expect_ok ctrgit init
registry_fault_proxy "$R" --cut-blob-get "$CUT" --ignore-range --change-blob 4096
expect_fail 1 "blob $LAYER from 127.0.0.1:[0-9]+ changed between two tries" \
  ctrgit pull "$PROXY_ADDR/faults/big:v1"
expect_eq "changed GETs" 1 "$(gets 200-CHANGED -)"
# nothing of it is in the store, which is sound
expect_out "images" "" ctrgit images -q
expect_ok ctrgit fsck
t_end

# The dangerous one: a first try with a bad byte, which the import may have
# read, then a good second try. Hashing only the good copy would let the bad
# byte into the store.
t_begin "pull-refuses-a-blob-whose-first-try-was-corrupt"
export CTRGIT_REPO=$T_TMP/first-bad
expect_ok ctrgit init
registry_fault_proxy "$R" --cut-blob-get "$CUT" --ignore-range --change-blob 4096 --change-first
expect_fail 1 "blob $LAYER from 127.0.0.1:[0-9]+ changed between two tries" \
  ctrgit pull "$PROXY_ADDR/faults/big:v1"
expect_eq "bad first GETs" 1 "$(gets FAULT-CUT-CHANGED -)"
expect_out "images" "" ctrgit images -q
expect_ok ctrgit fsck
t_end

t_done
