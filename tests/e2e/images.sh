# tests/e2e/images.sh: sourced by tests that need the images hack/ builds.
# Builds them on first use (busybox and small podman images; the Debian
# minbase only when CTRGIT_TEST_DEBIAN=1 or it was built before).
IMAGES=${CTRGIT_IMAGES:-$ROOT_DIR/build/images}
HOSTILE=${CTRGIT_HOSTILE:-$ROOT_DIR/build/hostile}
need_images() {
  if [ ! -e "$IMAGES/busybox.expect" ] || [ ! -e "$IMAGES/small2.docker.tar" ]; then
    "$ROOT_DIR/hack/make-test-images" ${CTRGIT_TEST_DEBIAN:+--with-debian} "$IMAGES" >&2 || return 1
  fi
}
need_hostile() {
  [ -e "$HOSTILE/CASES" ] || "$ROOT_DIR/hack/make-hostile-images" "$HOSTILE" >&2
}
have_minbase() { [ -e "$IMAGES/minbase-oci/index.json" ]; }
# diff_ids of an image as skopeo sees them, one per line
skopeo_diff_ids() { skopeo inspect --config "$1" | python3 -c 'import json,sys; print("\n".join(json.load(sys.stdin)["rootfs"]["diff_ids"]))'; }
skopeo_config_digest() { skopeo inspect --raw "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["config"]["digest"])'; }
