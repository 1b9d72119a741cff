#!/usr/bin/env bash
# ctrgit push's chunked blob upload when the way to the registry breaks, and
# when the registry asks for larger chunks: a fault proxy
# (hack/registry-fault-proxy.py) sits between ctrgit and the reference
# registry, fails or reshapes exactly the request a test names, and logs every
# request, so each test checks both that the fault happened and how the
# client got over it. What the registry holds in the end is checked with
# skopeo, against the registry directly (not through the proxy).
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/e2e/images.sh"
. "$TESTS_DIR/e2e/registry.sh"
need_hostile || { t_skip "fixtures" "could not build them"; t_done; }
need_registry

# One layer of 25174016 bytes (4 x 6 MiB of incompressible data): more than
# three chunks of the default 8 MiB, two of 12 MiB, and a short last one.
SRC=$HOSTILE/large-twice
CHUNK=$((8 << 20))
SRC_SUMMARY=$(skopeo inspect "oci:$SRC:v1" | jq -r '.Digest, .Layers[]')
SRC_RAW=$(skopeo inspect --raw "oci:$SRC:v1" | sha256sum)
LAYER_SIZE=$(skopeo inspect --raw "oci:$SRC:v1" | jq -r '.layers[0].size')
registry_start pushfaults || { t_skip "registry" "could not start one"; t_done; }
R=$REG_ADDR

# push_through NAME PROXY-ARGS...: imports the image into a fresh store and
# pushes it through a new fault proxy (PROXY-ARGS) to faults/NAME:v1;
# PUSHED is 1 if that worked.
push_through() {
  local name=$1 out
  shift
  PUSHED=0
  export CTRGIT_REPO=$T_TMP/$name
  expect_ok ctrgit init
  expect_ok ctrgit import "oci:$SRC:v1" local/big:v1
  # it counts PATCHes from 1: each push gets a proxy of its own
  registry_fault_proxy "$R" "$@" || return 1
  if ! out=$(ctrgit push local/big:v1 "$PROXY_ADDR/faults/$name:v1" 2>&1); then
    t_fail_msg "push failed: $out"
    sed 's/^/#     proxy: /' "$PLOG"
    return 1
  fi
  grep -q "(2 blobs uploaded)" <<<"$out" || t_fail_msg "push: $out"
  PUSHED=1
}

# expect_pushed NAME: faults/NAME:v1 in the registry is the source image:
# the same manifest digest and layer digests, the same manifest bytes, and
# a copy out of it (which checks every blob against its digest) works.
# Nothing to check after a failed push (push_through said why).
expect_pushed() {
  local ref=docker://$R/faults/$1:v1
  [ "$PUSHED" = 1 ] || return 1
  expect_eq "skopeo inspect: digest and layers" "$SRC_SUMMARY" \
    "$(skopeo inspect --tls-verify=false "$ref" 2>/dev/null | jq -r '.Digest, .Layers[]')"
  expect_eq "skopeo inspect --raw" "$SRC_RAW" "$(skopeo inspect --raw --tls-verify=false "$ref" 2>/dev/null | sha256sum)"
  expect_ok skopeo copy -q --src-tls-verify=false "$ref" "oci:$T_TMP/copy-$1:v1"
}

# chunks SIZE: the Content-Ranges of SIZE bytes sent SIZE at a time, in order
chunks() {
  local off=0 end
  while [ "$off" -lt "$LAYER_SIZE" ]; do
    end=$((off + $1 < LAYER_SIZE ? off + $1 : LAYER_SIZE))
    echo "$off-$((end - 1))"
    off=$end
  done
}
# accepted: the Content-Ranges of the PATCHes the registry took (202), in
# order: each byte of the layer exactly once, or a range is missing or twice
accepted() { awk '$1 == "PATCH" && $4 == 202 { print $3 }' "$PLOG"; }
# logged STATUS [CONTENT-RANGE]: how many requests the proxy logged with them
logged() { awk -v s="$1" -v r="${2:-}" '$4 == s && (r == "" || $3 == r) { n++ } END { print n + 0 }' "$PLOG"; }

SECOND=$(chunks $CHUNK | sed -n 2p)   # the second chunk: 8388608-16777215

t_begin "push-resends-a-chunk-answered-500"
# The second PATCH gets a 500 and never reaches the registry: the registry
# holds one chunk, so the same range has to go again.
push_through once --fail-patch 2
# A registry on loopback is asked in plain http first: no TLS handshake
# (and no loading of the system CAs) before its first answer.
expect_eq "the first request, the API ping in plain http" "GET /v2/ - 200" \
  "$(awk 'NR == 1 { print $1, $2, $3, $4 }' "$PLOG")"
expect_eq "500s injected on the second chunk" 1 "$(logged FAULT-500 "$SECOND")"
expect_eq "ranges the registry took" "$(chunks $CHUNK)" "$(accepted)"
expect_pushed once
t_end

t_begin "push-resyncs-with-the-session-range-after-a-chunk-keeps-failing"
# Each try of the second chunk fails (a failed request is tried 4 times in
# all, FETCH_TRIES), so the client asks the session where it stands (GET,
# 204 with Range) and goes on from the Range: the second chunk again.
push_through resync --fail-patch 2 --fail-patch 3 --fail-patch 4 --fail-patch 5
expect_eq "500s injected on the second chunk" 4 "$(logged FAULT-500 "$SECOND")"
expect_eq "resync GETs answered 204" 1 "$(logged 204)"
expect_eq "the range the registry said it held" "GET - 204 0-$((CHUNK - 1))" \
  "$(awk '$1 == "GET" && $2 ~ /\/blobs\/uploads\// && $4 == 204 { print $1, $3, $4, $5 }' "$PLOG")"
expect_eq "ranges the registry took" "$(chunks $CHUNK)" "$(accepted)"
expect_pushed resync
t_end

t_begin "push-starts-a-new-session-after-a-chunk-whose-answer-was-lost"
# The second PATCH reaches the registry, which takes the chunk, but its
# answer never comes back. The reference registry keeps a session's place in
# the URL its answers give, so the client, left with the older URL, cannot go
# on in that session: the registry answers it 404 and cancels the upload.
# The client opens a new session and sends the blob again from byte 0.
push_through drop --drop-patch-response 2
expect_eq "answers dropped on the second chunk" 1 "$(logged FAULT-DROP "$SECOND")"
expect_eq "upload sessions: the config's, the layer's, the layer's again" 3 "$(grep -c '^POST ' "$PLOG")"
expect_eq "the layer's old session, gone" "GET - 404" \
  "$(awk '$1 == "GET" && $2 ~ /\/blobs\/uploads\// { print $1, $3, $4 }' "$PLOG")"
expect_eq "the new session's ranges" "$(chunks $CHUNK)" \
  "$(awk '$1 == "POST" { n++ } n == 3 && $1 == "PATCH" && $4 == 202 { print $3 }' "$PLOG")"
expect_pushed drop
t_end

t_begin "push-resyncs-when-the-first-chunk-keeps-failing"
# As above, on the first chunk: the session holds nothing, and says so with
# Range 0-0 (the reference registry's answer for an empty upload), which must
# not be read as one byte held.
push_through first --fail-patch 1 --fail-patch 2 --fail-patch 3 --fail-patch 4
expect_eq "500s injected on the first chunk" 4 "$(logged FAULT-500 "0-$((CHUNK - 1))")"
expect_eq "resync GETs answered 204" 1 "$(logged 204)"
expect_eq "ranges the registry took" "$(chunks $CHUNK)" "$(accepted)"
expect_pushed first
t_end

t_begin "push-sends-chunks-of-the-registry-s-minimum-length"
# OCI-Chunk-Min-Length (12 MiB) above the client's 8 MiB: every chunk but
# the last is exactly 12 MiB.
push_through minlen --chunk-min $((12 << 20))
expect_eq "ranges the registry took" "$(chunks $((12 << 20)))" "$(accepted)"
expect_eq "PATCHes sent" "$(chunks $((12 << 20)) | wc -l)" "$(grep -c '^PATCH ' "$PLOG")"
expect_pushed minlen
t_end
t_done
