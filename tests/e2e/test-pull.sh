#!/usr/bin/env bash
# ctrgit pull against the reference registry (Debian's docker-registry) on
# 127.0.0.1, with images put there by skopeo.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/e2e/images.sh"
. "$TESTS_DIR/e2e/registry.sh"
need_images || { t_skip "test images" "could not build them"; t_done; }
need_hostile || { t_skip "fixtures" "could not build them"; t_done; }
need_registry
BB=$IMAGES/busybox
ctrgit init >/dev/null

# make_big_image DIR MIB: an OCI layout DIR:v1 whose one layer holds MIB MiB
# of incompressible (seeded, so reproducible) bytes: big enough that a
# registry killed a few MiB into it dies mid-blob, and larger than the push
# chunk size (8 MiB).
make_big_image() {
  python3 - "$1" "$2" <<'PY'
import hashlib, io, json, os, random, sys, tarfile, zlib
out, mib = sys.argv[1], int(sys.argv[2])
os.makedirs(out + "/blobs/sha256", exist_ok=True)
def put(b):
    d = hashlib.sha256(b).hexdigest()
    open("%s/blobs/sha256/%s" % (out, d), "wb").write(b)
    return {"digest": "sha256:" + d, "size": len(b)}
data = random.Random(mib).randbytes(mib << 20)
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
    ti = tarfile.TarInfo("big.bin"); ti.size = len(data); ti.mtime = 1700000000
    t.addfile(ti, io.BytesIO(data))
tar = buf.getvalue()
z = zlib.compressobj(1, zlib.DEFLATED, 31)
layer = put(z.compress(tar) + z.flush())
layer["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip"
config = put(json.dumps({"architecture": "amd64", "os": "linux", "config": {},
    "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(tar).hexdigest()]}},
    sort_keys=True).encode())
config["mediaType"] = "application/vnd.oci.image.config.v1+json"
m = put(json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": config, "layers": [layer]}, sort_keys=True).encode())
m["mediaType"] = "application/vnd.oci.image.manifest.v1+json"
m["annotations"] = {"org.opencontainers.image.ref.name": "v1"}
json.dump({"schemaVersion": 2, "manifests": [m]}, open(out + "/index.json", "w"))
open(out + "/oci-layout", "w").write('{"imageLayoutVersion": "1.0.0"}')
print(layer["digest"])
PY
}

BIG=$T_TMP/big
BIG_LAYER=$(make_big_image "$BIG" 24)

registry_start open
R=$REG_ADDR
OPEN_LOG=$REG_DIR/registry.log   # its access log: what clients sent
registry_seed "$R" "oci:$BB:v1" test/busybox:v1
registry_seed "$R" "oci:$BB:v2" test/busybox:v2
registry_seed "$R" "oci:$BB:v1" test/app:latest

t_begin "pull-is-digest-identical"
expect_ok ctrgit pull "$R/test/busybox:v1"
expect_ok ctrgit export "$R/test/busybox:v1" "oci:$T_TMP/p1:v1"
expect_eq "manifest digest" "$(skopeo inspect --raw --tls-verify=false "docker://$R/test/busybox:v1" | sha256sum)" \
  "$(skopeo inspect --raw "oci:$T_TMP/p1:v1" | sha256sum)"
expect_ok ctrgit fsck
t_end

t_begin "pull-of-a-new-version-fetches-only-its-new-layer"
out=$(ctrgit pull "$R/test/busybox:v2" 2>&1)
grep -q "(1 new layer, 1 already stored)" <<<"$out" || t_fail_msg "$out"
t_end

t_begin "pull-again-adds-nothing"
out=$(ctrgit pull "$R/test/busybox:v1")
grep -q "^$R/test/busybox:v1: already up to date" <<<"$out" || t_fail_msg "$out"
t_end

t_begin "pull-keeps-the-downloaded-blob-of-a-layer-it-already-had"
# The layer came in from a docker archive (uncompressed: no blob kept); the
# pull downloads only its blob, checks it against the layer, and keeps it.
export CTRGIT_REPO=$T_TMP/had-layer
expect_ok ctrgit init
expect_ok skopeo copy -q "oci:$BB:v1" "docker-archive:$T_TMP/bb.tar:x/bb:v1"
expect_ok ctrgit import "docker-archive:$T_TMP/bb.tar" x/bb:v1
blob=$(skopeo inspect --raw --tls-verify=false "docker://$R/test/busybox:v1" | jq -r '.layers[0].digest')
out=$(ctrgit pull "$R/test/busybox:v1" 2>&1)
grep -q "(0 new layers, 1 already stored)" <<<"$out" || t_fail_msg "$out"
expect_eq "kept blob" "$blob" "sha256:$(sha256sum <"$CTRGIT_REPO/blobs/sha256/${blob#sha256:}" | cut -d' ' -f1)"
expect_eq "blob mode" 644 "$(stat -c %a "$CTRGIT_REPO/blobs/sha256/${blob#sha256:}")"
expect_eq "left in blobs/tmp" 0 "$(find "$CTRGIT_REPO/blobs/tmp" -type f | wc -l)"
expect_ok ctrgit fsck
t_end

t_begin "pull-into-a-store-without-blobs-keeps-no-layer-blob"
export CTRGIT_REPO=$T_TMP/no-blobs
expect_ok ctrgit init --no-keep-blobs
expect_ok ctrgit pull "$R/test/busybox:v2"
expect_eq "blobs: manifest and config only" 2 "$(find "$CTRGIT_REPO/blobs/sha256" -type f | wc -l)"
expect_ok ctrgit export --from-files "$R/test/busybox:v2" "docker-archive:$T_TMP/nb.tar"
expect_ok ctrgit fsck
t_end

t_begin "progress-on-a-terminal-has-a-line-per-layer-for-pull-and-push"
# Under a pseudo-terminal (script), as docker pull: each layer by its short
# digest, in the image's order, ending as pulled or already there.
layer_ids() { skopeo inspect --raw --tls-verify=false "docker://$R/$1" | jq -r '.layers[].digest[7:19]'; }
screen() { script -qec "$CTRGIT --repo $CTRGIT_REPO pull $1" /dev/null | python3 "$TESTS_DIR/e2e/term-screen.py"; }
export CTRGIT_REPO=$T_TMP/progress
expect_ok ctrgit init
v1=$(layer_ids test/busybox:v1) v2=$(layer_ids test/busybox:v2)
expect_eq "screen after a fresh pull" "$(printf '%s: Pull complete\n' $v1; echo "$R/test/busybox:v1: pulled")" \
  "$(screen "$R/test/busybox:v1" | sed 's/ [0-9a-f]\{12\} (.*//')"
expect_eq "screen after the next version" \
  "$(printf '%s: Already exists\n' $v1; printf '%s: Pull complete\n' $(tail -n1 <<<"$v2"); echo "$R/test/busybox:v2: pulled")" \
  "$(screen "$R/test/busybox:v2" | sed 's/ [0-9a-f]\{12\} (.*//')"
[ "$(wc -l <<<"$v2")" -eq 2 ] || t_fail_msg "busybox:v2 should have two layers: $v2"
# push shows the same lines: mounted from the repository it was pulled
# from, then already there
pscreen() { script -qec "$CTRGIT --repo $CTRGIT_REPO push $1 $2" /dev/null | python3 "$TESTS_DIR/e2e/term-screen.py"; }
expect_eq "screen of a push" "$(printf '%s: Mounted\n' $v2)" \
  "$(pscreen "$R/test/busybox:v2" "$R/test/progress:v2" | grep -v ': pushed ')"
expect_eq "screen of the same push again" "$(printf '%s: Already exists\n' $v2)" \
  "$(pscreen "$R/test/busybox:v2" "$R/test/progress:v2" | grep -v ': pushed ')"
# not on a terminal: no progress at all
out=$(ctrgit pull "$R/test/busybox:v1" 2>&1)
expect_eq "escapes in output to a pipe" 0 "$(grep -c $'\e' <<<"$out")"
grep -q "^$R/test/busybox:v1: already up to date" <<<"$out" || t_fail_msg "$out"
t_end

t_begin "moved-tag-pulled-again-extends-history"
expect_ok ctrgit pull "$R/test/app:latest"
registry_seed "$R" "oci:$BB:v2" test/app:latest
expect_ok ctrgit pull "$R/test/app"
expect_eq "versions" 2 "$(ctrgit log --oneline "$R/test/app" | wc -l)"
expect_out "diff of the two" "M	/etc/os-release" ctrgit diff "$R/test/app~1" "$R/test/app" -- /etc/os-release
t_end

t_begin "pull-by-digest"
d=$(skopeo inspect --raw --tls-verify=false "docker://$R/test/busybox:v1" | sha256sum | cut -d' ' -f1)
expect_ok ctrgit pull "$R/test/busybox@sha256:$d"
expect_out "by digest" "" ctrgit diff "$R/test/busybox:v1" "$R/test/busybox@sha256:$d"
t_end

t_begin "missing-tag-is-a-clear-error"
expect_fail 1 "test/busybox:nope: HTTP 404: not found" ctrgit pull "$R/test/busybox:nope"
expect_fail 1 "HTTP 404" ctrgit pull "$R/test/nothere:v1"
t_end

t_begin "multi-platform-index-picks-the-platform"
registry_seed "$R" "oci:$HOSTILE/multiarch:v1" test/multi:v1 --all
expect_ok ctrgit pull --platform linux/arm64 "$R/test/multi:v1"
expect_out "arm64 picked" "arm64" ctrgit cat "$R/test/multi:v1" /arch
expect_fail 1 "linux/amd64, linux/arm64/v8|linux/amd64.*linux/arm64" ctrgit pull --platform linux/s390x "$R/test/multi:v1"
t_end

t_begin "all-tags"
export CTRGIT_REPO=$T_TMP/alltags
expect_ok ctrgit init
expect_ok ctrgit pull --all-tags "$R/test/busybox"
expect_eq "tags pulled" 2 "$(ctrgit images -q | wc -l)"
t_end

t_begin "corrupt-blob-in-the-registry-is-refused"
export CTRGIT_REPO=$T_TMP/corrupt
expect_ok ctrgit init
registry_seed "$R" "oci:$HOSTILE/large-file:v1" test/corrupt:v1
layer=$(skopeo inspect --raw --tls-verify=false "docker://$R/test/corrupt:v1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["layers"][0]["digest"].split(":")[1])')
data=$(find "$REG_DIR" -path "*/blobs/sha256/${layer:0:2}/$layer/data")
[ -f "$data" ] || t_fail_msg "no blob data file for $layer under $REG_DIR"
printf 'X' | dd of="$data" bs=1 seek=2000 conv=notrunc 2>/dev/null
expect_fail 1 "hashes to" ctrgit pull "$R/test/corrupt:v1"
expect_eq "nothing imported" 0 "$(ctrgit images -q | wc -l)"
expect_ok ctrgit fsck
t_end

t_begin "hostile-layer-in-the-registry-is-refused"
# The import fails while the downloads may still run: one message, the
# downloads stopped, nothing imported.
export CTRGIT_REPO=$T_TMP/hostile-pull
expect_ok ctrgit init
need_hostile
registry_seed "$R" "oci:$HOSTILE/traversal-dotdot:v1" test/evil:v1
expect_fail 1 'escapes the root with ".."' ctrgit pull "$R/test/evil:v1"
expect_eq "nothing imported" 0 "$(ctrgit images -q | wc -l)"
expect_eq "left in blobs/tmp" 0 "$(find "$CTRGIT_REPO/blobs/tmp" -type f | wc -l)"
expect_ok ctrgit fsck
t_end

t_begin "registries-conf-mirrors-are-tried-in-order"
cat >"$T_TMP/registries.conf" <<CONF
unqualified-search-registries = ["docker.io"]   # other tools' keys are skipped

[[registry]]
location = "upstream.invalid:5000"
[[registry.mirror]]
location = "127.0.0.1:1"
insecure = true
[[registry.mirror]]
location = "$R"   # the loopback registry stands in for upstream
insecure = true
CONF
export CTRGIT_REGISTRIES_CONF=$T_TMP/registries.conf
err=$(ctrgit pull upstream.invalid:5000/test/busybox:v2 2>&1 >/dev/null) || t_fail_msg "pull failed: $err"
grep -q "mirror 127.0.0.1:1: .*trying the next source" <<<"$err" || t_fail_msg "no word of the dead mirror: $err"
expect_out "recorded under its own name" "upstream.invalid:5000/test/busybox" \
  sh -c "$CTRGIT images --json | python3 -c 'import json,sys; print(\"\\n\".join(i[\"reference\"].rsplit(\":\",1)[0] for i in json.load(sys.stdin) if i[\"reference\"].startswith(\"upstream\")))'"
expect_fail 1 "upstream.invalid" ctrgit pull upstream.invalid:5000/test/nothere:v1
unset CTRGIT_REGISTRIES_CONF
t_end

t_begin "a-mirror-that-fails-mid-pull-leaves-its-lines-above-the-next-sources"
# On a terminal, a mirror that breaks off mid-pull (here: a corrupt blob in
# its storage) keeps the lines it had drawn; the message follows them, and
# the next source's lines follow the message, each layer complete. (Not the
# image whose blob an earlier test corrupted in the main registry.)
main_dir=$REG_DIR
registry_seed "$R" "oci:$HOSTILE/large-twice:v1" test/mirrored:v1
registry_start test-pull-mirror || t_fail_msg "the mirror registry did not start"
M=$REG_ADDR
registry_seed "$M" "oci:$HOSTILE/large-twice:v1" test/mirrored:v1
layer=$(skopeo inspect --raw --tls-verify=false "docker://$M/test/mirrored:v1" | jq -r '.layers[0].digest[7:]')
data=$(find "$REG_DIR" -path "*/blobs/sha256/${layer:0:2}/$layer/data")
[ -f "$data" ] || t_fail_msg "no blob data file for $layer under $REG_DIR"
printf 'X' | dd of="$data" bs=1 seek=2000 conv=notrunc 2>/dev/null
REG_DIR=$main_dir
cat >"$T_TMP/mirror-fails.conf" <<CONF
[[registry]]
location = "upstream.invalid:5000"
[[registry.mirror]]
location = "$M"
insecure = true
[[registry.mirror]]
location = "$R"
insecure = true
CONF
export CTRGIT_REPO=$T_TMP/mirror-fails CTRGIT_REGISTRIES_CONF=$T_TMP/mirror-fails.conf
expect_ok ctrgit init
out=$(screen upstream.invalid:5000/test/mirrored:v1)
id=${layer:0:12}
expect_eq "lines on screen" 4 "$(wc -l <<<"$out")"
grep -q "^$id: " <<<"$(sed -n 1p <<<"$out")" || t_fail_msg "the mirror's line is gone: $out"
grep -q "^ctrgit pull: mirror $M: .*trying the next source" <<<"$(sed -n 2p <<<"$out")" \
  || t_fail_msg "the message is not below the mirror's line: $out"
expect_eq "the next source's line" "$id: Pull complete" "$(sed -n 3p <<<"$out")"
grep -q "^upstream.invalid:5000/test/mirrored:v1: pulled" <<<"$(sed -n 4p <<<"$out")" || t_fail_msg "$out"
expect_ok ctrgit fsck
unset CTRGIT_REGISTRIES_CONF
t_end

t_begin "push-writes-what-skopeo-reads-digest-identical"
expect_ok ctrgit import "oci:$BB:v2" local/bb:v2
out=$(ctrgit push local/bb:v2 "$R/pushed/bb:v2")
grep -q "(3 blobs uploaded)" <<<"$out" || t_fail_msg "$out"
expect_eq "manifest digest" "$(skopeo inspect --raw "oci:$BB:v2" | sha256sum)" \
  "$(skopeo inspect --raw --tls-verify=false "docker://$R/pushed/bb:v2" | sha256sum)"
expect_eq "skopeo inspect: diff_ids" "$(skopeo_diff_ids "oci:$BB:v2")" "$(skopeo inspect --config --tls-verify=false "docker://$R/pushed/bb:v2" | python3 -c 'import json,sys; print("\n".join(json.load(sys.stdin)["rootfs"]["diff_ids"]))')"
out=$(ctrgit push local/bb:v2 "$R/pushed/bb:again")
grep -q "(0 blobs uploaded)" <<<"$out" || t_fail_msg "a second push uploaded blobs: $out"
expect_ok ctrgit push --from-files local/bb:v2 "$R/pushed/bb:rebuilt"
expect_eq "rebuilt layers keep the config" "$(skopeo_config_digest "oci:$BB:v2")" \
  "$(skopeo inspect --raw --tls-verify=false "docker://$R/pushed/bb:rebuilt" | python3 -c 'import json,sys; print(json.load(sys.stdin)["config"]["digest"])')"
t_end

# reqs METHOD PATH-PREFIX [STATUS]: how many such requests the open registry logged
reqs() { grep -cE "\"$1 $2[^ ]* HTTP/1.1\" ${3:-[0-9]+} " "$OPEN_LOG"; }
# expect_big_at ADDR/REPO:TAG: the registry holds $BIG:v1 there, byte for byte
# (skopeo reads the manifest and copies the layer out)
expect_big_at() {
  local d
  d=$(mktemp -d "$T_TMP/copy.XXXXXX")
  expect_eq "manifest digest" "$(skopeo inspect --raw "oci:$BIG:v1" | sha256sum)" \
    "$(skopeo inspect --raw --tls-verify=false "docker://$1" | sha256sum)"
  expect_ok skopeo copy -q --src-tls-verify=false "docker://$1" "oci:$d:v1"
  expect_eq "layer bytes" "$(sha256sum <"$BIG/blobs/sha256/${BIG_LAYER#sha256:}")" \
    "$(sha256sum <"$d/blobs/sha256/${BIG_LAYER#sha256:}")"
}

t_begin "push-sends-a-large-blob-in-chunks-digest-identical"
export CTRGIT_REPO=$T_TMP/pushbig
expect_ok ctrgit init
expect_ok ctrgit import "oci:$BIG:v1" local/big:v1
out=$(ctrgit push local/big:v1 "$R/chunked/big:v1" 2>&1)
grep -q "(2 blobs uploaded)" <<<"$out" || t_fail_msg "$out"
size=$(stat -c %s "$BIG/blobs/sha256/${BIG_LAYER#sha256:}")
chunk=$((8 << 20))
expect_eq "PATCHes of the layer (one per 8 MiB)" $(((size + chunk - 1) / chunk)) "$(reqs PATCH /v2/chunked/big/blobs/uploads/ 202)"
# the config is small: one PUT with its bytes; the layer: one PUT that closes its session
expect_eq "PUTs that finish an upload" 2 "$(reqs PUT /v2/chunked/big/blobs/uploads/ 201)"
expect_big_at "$R/chunked/big:v1"
t_end

t_begin "push-to-a-second-repository-mounts-instead-of-uploading"
out=$(ctrgit push local/big:v1 "$R/second/big:v1" 2>&1)
grep -q "(0 blobs uploaded)" <<<"$out" || t_fail_msg "$out"
expect_eq "mounts from the first repository" 2 "$(reqs POST "/v2/second/big/blobs/uploads/\\?mount=sha256:[0-9a-f]{64}&from=chunked/big" 201)"
expect_eq "uploads" 0 "$(reqs '(PATCH|PUT)' /v2/second/big/blobs/uploads/)"
expect_big_at "$R/second/big:v1"
t_end

t_begin "push-of-a-pulled-image-mounts-from-the-repository-it-came-from"
expect_ok ctrgit pull "$R/test/busybox:v2"
out=$(ctrgit push "$R/test/busybox:v2" "$R/frompull/busybox:v2" 2>&1)
grep -q "(0 blobs uploaded)" <<<"$out" || t_fail_msg "$out"
expect_eq "mounts" 3 "$(reqs POST "/v2/frompull/busybox/blobs/uploads/\\?mount=sha256:[0-9a-f]{64}&from=test/busybox" 201)"
expect_eq "manifest digest" "$(skopeo inspect --raw --tls-verify=false "docker://$R/test/busybox:v2" | sha256sum)" \
  "$(skopeo inspect --raw --tls-verify=false "docker://$R/frompull/busybox:v2" | sha256sum)"
t_end

t_begin "htpasswd-over-tls-with-a-test-ca"
export CTRGIT_REPO=$T_TMP/auth
expect_ok ctrgit init
registry_start basic --auth htpasswd --tls
B=$REG_ADDR
registry_seed "$B" "oci:$BB:v1" test/busybox:v1
CA=$REG_CERT_DIR
expect_fail 1 "certificate is not trusted \\(give its CA with --cert-dir" ctrgit pull "$B/test/busybox:v1"
expect_fail 1 "HTTP 401: authentication required" ctrgit pull --cert-dir "$CA" "$B/test/busybox:v1"
expect_fail 1 "HTTP 401: wrong credentials" ctrgit pull --cert-dir "$CA" --creds ctrgit:wrong "$B/test/busybox:v1"
expect_ok ctrgit pull --cert-dir "$CA" --creds ctrgit:s3cret "$B/test/busybox:v1"
expect_fail 1 "HTTP 401" ctrgit push --cert-dir "$CA" "$B/test/busybox:v1" "$B/mine/busybox:v1"
expect_ok ctrgit push --cert-dir "$CA" --creds ctrgit:s3cret "$B/test/busybox:v1" "$B/mine/busybox:v1"
expect_ok skopeo inspect --cert-dir "$CA" --creds ctrgit:s3cret "docker://$B/mine/busybox:v1"
t_end

t_begin "login-stores-credentials-pull-uses-them"
export REGISTRY_AUTH_FILE=$T_TMP/auth.json
expect_fail 1 "wrong credentials" sh -c "echo nope | $CTRGIT login -u ctrgit --password-stdin --cert-dir $CA $B"
[ ! -e "$REGISTRY_AUTH_FILE" ] || t_fail_msg "refused credentials were stored"
expect_ok sh -c "echo s3cret | $CTRGIT login -u ctrgit --password-stdin --cert-dir $CA $B"
expect_eq "auth.json mode" 600 "$(stat -c %a "$REGISTRY_AUTH_FILE")"
expect_ok skopeo inspect --authfile "$REGISTRY_AUTH_FILE" --cert-dir "$CA" "docker://$B/test/busybox:v1"
registry_seed "$B" "oci:$BB:v2" test/busybox:v2
expect_ok ctrgit pull --cert-dir "$CA" "$B/test/busybox:v2"
unset REGISTRY_AUTH_FILE
t_end

t_begin "token-auth-anonymous-and-credentialed"
registry_start tok --auth token
K=$REG_ADDR
registry_seed "$K" "oci:$BB:v1" public/busybox:v1
registry_seed "$K" "oci:$BB:v1" private/busybox:v1
expect_ok ctrgit pull "$K/public/busybox:v1"
expect_fail 1 "refused anonymous access|HTTP 401" ctrgit pull "$K/private/busybox:v1"
expect_ok ctrgit pull --creds ctrgit:s3cret "$K/private/busybox:v1"
expect_fail 1 "refused these credentials|HTTP 401" ctrgit pull --creds ctrgit:wrong "$K/private/busybox:v1"
# a mount needs a token for two scopes: push here, pull where it comes from
out=$(ctrgit push --creds ctrgit:s3cret "$K/private/busybox:v1" "$K/private/copy:v1" 2>&1)
grep -q "(0 blobs uploaded)" <<<"$out" || t_fail_msg "push with a mount under token auth: $out"
t_end

t_begin "dead-registry-is-a-clear-error"
expect_fail 1 "Couldn't connect|Could not connect|connect" ctrgit pull "127.0.0.1:1/test/busybox:v1"
t_end

# --- a registry killed mid-pull -------------------------------------------
# The big layer goes through a relay at 4 MiB/s (requests with a Range at
# full speed); the registry is killed with SIGKILL once 2 MiB of the layer
# have passed, and started again on the same port and storage.
registry_start resume
RS=$REG_ADDR
registry_seed "$RS" "oci:$BIG:v1" test/big:v1

# wait_sent LOG PATH BYTES: until the relay has passed BYTES of PATH (20 s at most).
wait_sent() {
  local i
  for ((i = 0; i < 200; i++)); do
    awk -v p="$2" -v n="$3" '$1 == "SENT" && $2 == p && $3 >= n { f = 1 } END { exit !f }' "$1" && return 0
    sleep 0.1
  done
  return 1
}

t_begin "pull-resumes-with-range-after-the-registry-is-killed-mid-blob"
export CTRGIT_REPO=$T_TMP/resume
expect_ok ctrgit init
registry_proxy "$RS" $((4 << 20))
blob_path=/v2/test/big/blobs/$BIG_LAYER
ctrgit pull "$PROXY_ADDR/test/big:v1" >"$T_TMP/resume.out" 2>"$T_TMP/resume.err" &
pull=$!
wait_sent "$PROXY_LOG" "$blob_path" $((2 << 20)) || t_fail_msg "the layer never started: $(cat "$PROXY_LOG")"
registry_kill resume
sleep 1
registry_restart resume "${RS##*:}" || t_fail_msg "the registry did not come back"
wait $pull
rc=$?
expect_eq "pull exit" 0 "$rc" || sed 's/^/#     /' "$T_TMP/resume.err"
grep -qE "^REQ GET $blob_path range=bytes=[1-9][0-9]*-$" "$PROXY_LOG" \
  || t_fail_msg "no resumed GET of the layer with a Range: $(grep -c REQ "$PROXY_LOG") requests: $(grep "REQ.*blobs" "$PROXY_LOG")"
# what was received before the kill was kept: the layer went once, from 0, plus the rest
expect_eq "GETs of the layer from byte 0" 1 "$(grep -c "^REQ GET $blob_path range=-$" "$PROXY_LOG")"
expect_ok ctrgit export "$PROXY_ADDR/test/big:v1" "oci:$T_TMP/resumed:v1"
expect_eq "manifest digest" "$(skopeo inspect --raw "oci:$BIG:v1" | sha256sum)" \
  "$(skopeo inspect --raw "oci:$T_TMP/resumed:v1" | sha256sum)"
expect_eq "layer bytes" "$(sha256sum <"$BIG/blobs/sha256/${BIG_LAYER#sha256:}")" \
  "$(sha256sum <"$T_TMP/resumed/blobs/sha256/${BIG_LAYER#sha256:}")"
expect_ok ctrgit fsck
t_end

t_begin "registry-killed-for-good-is-one-clear-error"
export CTRGIT_REPO=$T_TMP/dead
expect_ok ctrgit init
# the registry runs again, restarted by the last test, at $RS
registry_proxy "$RS" $((4 << 20))
start=$SECONDS
timeout 120 "$CTRGIT" pull "$PROXY_ADDR/test/big:v1" >/dev/null 2>"$T_TMP/dead.err" &
pull=$!
wait_sent "$PROXY_LOG" "$blob_path" $((2 << 20)) || t_fail_msg "the layer never started"
registry_kill resume
wait $pull
rc=$?
expect_eq "exit code" 1 "$rc"
expect_eq "error lines" 1 "$(wc -l <"$T_TMP/dead.err")"
grep -qE "blob $BIG_LAYER: .*gave up after [0-9]+ tries, [0-9]+ of [0-9]+ bytes received" "$T_TMP/dead.err" \
  || t_fail_msg "message: $(cat "$T_TMP/dead.err")"
[ $((SECONDS - start)) -le 60 ] || t_fail_msg "gave up after $((SECONDS - start)) s"
expect_eq "nothing imported" 0 "$(ctrgit images -q | wc -l)"
expect_ok ctrgit fsck
t_end
t_done
