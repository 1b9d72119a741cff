#!/usr/bin/env bash
# ctrgit pull against the reference registry (Debian's docker-registry) on
# 127.0.0.1, with images put there by skopeo.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/e2e/images.sh"
. "$TESTS_DIR/e2e/registry.sh"
need_images || { t_skip "test images" "could not build them"; t_done; }
need_hostile || { t_skip "fixtures" "could not build them"; t_done; }
command -v docker-registry >/dev/null || { t_skip "registry" "docker-registry is not installed"; t_done; }
BB=$IMAGES/busybox
ctrgit init >/dev/null

registry_start open
R=$REG_ADDR
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
t_end

t_begin "dead-registry-is-a-clear-error"
expect_fail 1 "Couldn't connect|Could not connect|connect" ctrgit pull "127.0.0.1:1/test/busybox:v1"
t_end
t_done
