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
  # cheap when built: it only writes the cases that are missing
  "$ROOT_DIR/hack/make-hostile-images" "$HOSTILE" >&2
}
have_minbase() { [ -e "$IMAGES/minbase-oci/index.json" ]; }
# diff_ids of an image as skopeo sees them, one per line
skopeo_diff_ids() { skopeo inspect --config "$1" | python3 -c 'import json,sys; print("\n".join(json.load(sys.stdin)["rootfs"]["diff_ids"]))'; }
skopeo_config_digest() { skopeo inspect --raw "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["config"]["digest"])'; }
# sha256 of each layer file of a docker archive, in manifest.json's order:
# what the layers really hold, not what the config claims.
docker_archive_layer_digests() {
  python3 - "$1" <<'PY'
import hashlib, json, sys, tarfile
t = tarfile.open(sys.argv[1])
m = json.load(t.extractfile("manifest.json"))[0]
for name in m["Layers"]:
    h = hashlib.sha256()
    f = t.extractfile(name)
    for chunk in iter(lambda: f.read(1 << 20), b""):
        h.update(chunk)
    print("sha256:" + h.hexdigest())
PY
}
