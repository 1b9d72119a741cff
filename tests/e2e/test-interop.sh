#!/usr/bin/env bash
# Interop with the real tools: what ctrgit exports, skopeo, podman and umoci
# read as the same image; what umoci unpacks, ctrgit stores file for file.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/e2e/images.sh"
need_images || { t_skip "test images" "could not build them"; t_done; }
ctrgit init >/dev/null
BB=$IMAGES/busybox

t_begin "merged-tree-matches-umoci-unpack"
expect_ok ctrgit import "oci:$BB:v2" bb:v2
# The listing of umoci's unpack of v2 was made by hack/make-test-images.
rm -rf "$T_TMP/co"
ostree --repo="$CTRGIT_REPO/repo" checkout images/localhost/bb_3Av2 "$T_TMP/co"
"$ROOT_DIR/hack/tree-listing" "$T_TMP/co" "$T_TMP/listing" "$T_TMP/xattrs"
if ! diff -u "$IMAGES/busybox.expect" "$T_TMP/listing" >"$T_TMP/d"; then t_fail_msg "$(head -20 "$T_TMP/d")"; fi
if ! diff -u "$IMAGES/busybox.xattrs" "$T_TMP/xattrs" >"$T_TMP/d"; then t_fail_msg "$(head -20 "$T_TMP/d")"; fi
t_end

check_skopeo() { # ORIGINAL EXPORTED
  expect_eq "config digest" "$(skopeo_config_digest "$1")" "$(skopeo_config_digest "$2")"
  expect_eq "diff_ids" "$(skopeo_diff_ids "$1")" "$(skopeo_diff_ids "$2")"
}

t_begin "skopeo-reads-exports-as-the-same-image"
for src in "oci:$BB:v2" "docker-archive:$IMAGES/small2.docker.tar" "oci-archive:$IMAGES/small2.oci.tar"; do
  expect_ok ctrgit import "$src" interop:x
  rm -rf "$T_TMP/e"; mkdir "$T_TMP/e"
  expect_ok ctrgit export interop:x "oci:$T_TMP/e/oci:x" && check_skopeo "$src" "oci:$T_TMP/e/oci:x"
  expect_ok ctrgit export interop:x "oci-archive:$T_TMP/e/a.tar:x" && check_skopeo "$src" "oci-archive:$T_TMP/e/a.tar:x"
  expect_ok ctrgit export interop:x "docker-archive:$T_TMP/e/d.tar" && check_skopeo "$src" "docker-archive:$T_TMP/e/d.tar"
done
t_end

podman_() { podman --runtime runc --cgroup-manager cgroupfs "$@"; }
t_begin "podman-loads-exports-with-the-same-config-and-diff-ids"
expect_ok ctrgit import "docker-archive:$IMAGES/small2.docker.tar" pl:v1
want_id=$(skopeo_config_digest "docker-archive:$IMAGES/small2.docker.tar")
for fmt in docker-archive oci-archive; do
  expect_ok ctrgit export pl:v1 "$fmt:$T_TMP/pl-$fmt.tar:localhost/ctrgit-interop:$fmt"
  out=$(podman_ load -i "$T_TMP/pl-$fmt.tar" 2>&1) || t_fail_msg "podman load ($fmt): $out"
  id=$(podman_ image inspect --format '{{.Id}}' "localhost/ctrgit-interop:$fmt" 2>&1)
  expect_eq "podman image id ($fmt)" "${want_id#sha256:}" "$id"
  layers=$(podman_ image inspect --format '{{range .RootFS.Layers}}{{println .}}{{end}}' "localhost/ctrgit-interop:$fmt" | sed '/^$/d')
  expect_eq "podman diff_ids ($fmt)" "$(skopeo_diff_ids "docker-archive:$IMAGES/small2.docker.tar")" "$layers"
  podman_ rmi -f "localhost/ctrgit-interop:$fmt" >/dev/null 2>&1
done
t_end

t_begin "umoci-unpacks-what-ctrgit-exports"
expect_ok ctrgit export bb:v2 "oci:$T_TMP/um:v2"
rm -rf "$T_TMP/umb"
expect_ok umoci unpack --image "$T_TMP/um:v2" "$T_TMP/umb"
"$ROOT_DIR/hack/tree-listing" "$T_TMP/umb/rootfs" "$T_TMP/listing2" "$T_TMP/xattrs2"
expect_eq "listing" "$(cat "$IMAGES/busybox.expect")" "$(cat "$T_TMP/listing2")"
t_end
t_done
