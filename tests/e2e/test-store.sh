#!/usr/bin/env bash
# The store: init, import from every transport, exact export, du, fsck, gc,
# concurrent and interrupted imports.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/e2e/images.sh"
need_images || { t_skip "test images" "could not build them"; t_done; }
BB=$IMAGES/busybox

t_begin "init-creates-store"
expect_ok ctrgit init && [ -f "$CTRGIT_REPO/ctrgit.json" ] || t_fail_msg "no ctrgit.json"
t_end

t_begin "init-twice-fails"
expect_fail 1 "already exists" ctrgit init
t_end

t_begin "commands-without-store-fail-clearly"
expect_fail 1 "no store at" ctrgit --repo "$T_TMP/nothing" images
t_end

t_begin "usage-errors-exit-2"
expect_fail 2 "expected SOURCE" ctrgit import
expect_fail 2 "unknown transport" ctrgit import foo:bar x:y
expect_fail 2 "not a ctrgit command" ctrgit frobnicate
t_end

t_begin "import-unknown-tag-is-a-clear-error"
expect_fail 1 'tag "nope" is not in' ctrgit import "oci:$BB:nope" x:v1
t_end

t_begin "import-layout-with-several-images-needs-a-tag"
expect_fail 1 "holds 2 images: name one as oci:" ctrgit import "oci:$BB" x:v1
t_end

t_begin "import-missing-file-is-a-clear-error"
expect_fail 1 "No such file" ctrgit import "docker-archive:$T_TMP/absent.tar" x:v1
expect_fail 1 "not a docker archive" ctrgit import "docker-archive:$IMAGES/small.oci.tar" x:v1
t_end

t_begin "import-bad-options-are-usage-errors"
expect_fail 2 "bad --max-layer-size" ctrgit import --max-layer-size 12Q "oci:$BB:v1" x:v1
expect_fail 2 "NAME needs a tag" ctrgit import "oci:$BB:v1" "x@sha256:$(printf '%064d' 0)"
t_end

t_begin "export-unknown-image-is-a-clear-error"
expect_fail 1 'image "nothere:v9" is not in the store' ctrgit export nothere:v9 "oci:$T_TMP/none:v9"
[ ! -e "$T_TMP/none" ] || t_fail_msg "export of nothing created $T_TMP/none"
t_end

t_begin "import-names-the-image-as-it-names-itself"
expect_out "podman's ref.name" "localhost/small:v1" sh -c "$CTRGIT import oci-archive:$IMAGES/small.oci.tar | cut -d: -f1-2"
expect_fail 2 "carries no image name: give a NAME" ctrgit import "oci:$BB:v1"
expect_ok ctrgit rm localhost/small:v1
t_end

t_begin "init-refuses-to-finish-a-store-in-another-mode"
mkdir -p "$T_TMP/half"
ostree --repo="$T_TMP/half/repo" init --mode=bare-user
expect_fail 1 "unfinished store in bare-user mode" ctrgit --repo "$T_TMP/half" init --mode archive
expect_ok ctrgit --repo "$T_TMP/half" init
t_end

t_begin "extra-arguments-are-usage-errors"
for c in du fsck gc images; do expect_fail 2 'unexpected argument "x"' ctrgit $c x; done
t_end

t_begin "import-oci-layout"
expect_ok ctrgit import "oci:$BB:v1" myapp:v1
expect_ok ctrgit import "oci:$BB:v2" myapp:v2
out=$(ctrgit images)
grep -q "localhost/myapp *v1" <<<"$out" && grep -q "localhost/myapp *v2" <<<"$out" || t_fail_msg "images: $out"
t_end

t_begin "import-same-manifest-adds-nothing"
before=$(ostree --repo="$CTRGIT_REPO/repo" rev-parse images/localhost/myapp_3Av1)
out=$(ctrgit import "oci:$BB:v1" myapp:v1)
grep -q "already up to date" <<<"$out" || t_fail_msg "$out"
expect_eq "branch head" "$before" "$(ostree --repo="$CTRGIT_REPO/repo" rev-parse images/localhost/myapp_3Av1)"
t_end

t_begin "second-version-shares-first-layer"
out=$(ctrgit import "oci:$BB:v2" other:v2)
grep -q "0 new layers, 2 already stored" <<<"$out" || t_fail_msg "$out"
t_end

t_begin "reimport-different-content-extends-history"
expect_ok ctrgit import "oci:$BB:v2" myapp:v1
parent=$(ostree --repo="$CTRGIT_REPO/repo" log images/localhost/myapp_3Av1 | grep -c '^commit ')
expect_eq "commits on myapp:v1" 2 "$parent"
t_end

t_begin "export-oci-is-digest-identical"
expect_ok ctrgit export myapp:v2 "oci:$T_TMP/out:v2"
expect_eq "manifest digest" "$(skopeo inspect --raw "oci:$BB:v2" | sha256sum)" \
  "$(skopeo inspect --raw "oci:$T_TMP/out:v2" | sha256sum)"
t_end

t_begin "export-oci-archive-and-docker-archive"
expect_ok ctrgit export myapp:v2 "oci-archive:$T_TMP/out.oci.tar:v2"
expect_ok ctrgit export myapp:v2 "docker-archive:$T_TMP/out.docker.tar"
expect_eq "oci-archive diff_ids" "$(skopeo_diff_ids "oci:$BB:v2")" "$(skopeo_diff_ids "oci-archive:$T_TMP/out.oci.tar:v2")"
expect_eq "docker-archive layers" "$(skopeo_diff_ids "oci:$BB:v2")" "$(docker_archive_layer_digests "$T_TMP/out.docker.tar")"
t_end

# Every layer of every test image must rebuild to its diff_id.
exact_roundtrip() { # SOURCE NAME
  local src=$1 name=$2 dir=$T_TMP/rt-${2//[:\/]/_}
  expect_ok ctrgit import "$src" "$name" || return
  expect_ok ctrgit export --from-files "$name" "oci:$dir:x" || return
  expect_eq "config digest" "$(skopeo_config_digest "$src")" "$(skopeo_config_digest "oci:$dir:x")"
  local want got
  want=$(skopeo_diff_ids "$src")
  got=$(skopeo inspect --raw "oci:$dir:x" | python3 -c 'import json,sys; print("\n".join(l["digest"] for l in json.load(sys.stdin)["layers"]))' |
        while read -r d; do echo "sha256:$(gzip -dcf "$dir/blobs/sha256/${d#sha256:}" | sha256sum | cut -d" " -f1)"; done)
  expect_eq "rebuilt layers' diff_ids" "$want" "$got"
}
t_begin "every-layer-rebuilds-exactly"
exact_roundtrip "oci:$BB:v1" rt:bb1
exact_roundtrip "oci:$BB:v2" rt:bb2
exact_roundtrip "docker-archive:$IMAGES/small.docker.tar" rt:small
exact_roundtrip "oci-archive:$IMAGES/small.oci.tar" rt:smalloci
exact_roundtrip "docker-archive:$IMAGES/small2.docker.tar" rt:small2
if have_minbase; then
  exact_roundtrip "oci:$IMAGES/minbase-oci:v1" rt:minbase
  exact_roundtrip "docker-archive:$IMAGES/minbase.docker.tar" rt:minbase-docker
fi
t_end

t_begin "du-reports-dedup"
out=$(ctrgit du --json)
python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["versions"]>=4 and d["dedup_ratio"]>1.0, d' <<<"$out" || t_fail_msg "$out"
t_end

t_begin "fsck-passes-on-healthy-store"
expect_ok ctrgit fsck
# and libostree's own fsck reads the objects ctrgit wrote itself
expect_ok ostree --repo="$CTRGIT_REPO/repo" fsck
t_end

t_begin "fsck-detects-corrupt-object"
cp -a "$CTRGIT_REPO" "$T_TMP/corrupt"
obj=$(find "$T_TMP/corrupt/repo/objects" -name '*.file' -size +1k | head -1)
printf 'X' | dd of="$obj" bs=1 seek=100 conv=notrunc 2>/dev/null
expect_fail 1 "corrupt|hashes to" ctrgit --repo "$T_TMP/corrupt" fsck
t_end

t_begin "fsck-detects-corrupt-blob"
cp -a "$CTRGIT_REPO" "$T_TMP/corrupt2"
blob=$(find "$T_TMP/corrupt2/blobs/sha256" -type f -size +100k | head -1)
printf 'X' | dd of="$blob" bs=1 seek=1000 conv=notrunc 2>/dev/null
expect_fail 1 "corrupt" ctrgit --repo "$T_TMP/corrupt2" fsck
t_end

t_begin "gc-keeps-everything-referenced"
out=$(ctrgit gc)
grep -q "removed 0 layers" <<<"$out" || t_fail_msg "$out"
expect_ok ctrgit fsck
t_end

t_begin "gc-drops-unreferenced"
for r in $(ctrgit images --json | python3 -c 'import json,sys; print(" ".join(i["reference"] for i in json.load(sys.stdin)))'); do
  expect_ok ctrgit rm "$r"
done
expect_ok ctrgit gc
out=$(ctrgit du --json)
python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["versions"]==0 and d["blobs"]==0 and d["objects"]<5, d' <<<"$out" || t_fail_msg "$out"
t_end

t_begin "no-keep-blobs-store-exports-same-config-and-diff-ids"
export CTRGIT_REPO=$T_TMP/nokeep
expect_ok ctrgit init --no-keep-blobs
expect_ok ctrgit import "oci:$BB:v2" nk:v2
n=$(find "$CTRGIT_REPO/blobs/sha256" -type f | wc -l)
expect_eq "blobs kept (manifest + config)" 2 "$n"
expect_ok ctrgit export nk:v2 "oci:$T_TMP/nk:v2"
expect_eq "config digest" "$(skopeo_config_digest "oci:$BB:v2")" "$(skopeo_config_digest "oci:$T_TMP/nk:v2")"
expect_eq "diff_ids" "$(skopeo_diff_ids "oci:$BB:v2")" "$(skopeo_diff_ids "oci:$T_TMP/nk:v2")"
t_end

t_begin "archive-mode-store-works"
export CTRGIT_REPO=$T_TMP/archive
expect_ok ctrgit init --mode archive
expect_ok ctrgit import "oci:$BB:v2" ar:v2
expect_ok ctrgit export ar:v2 "oci:$T_TMP/ar:v2"
expect_eq "manifest digest" "$(skopeo inspect --raw "oci:$BB:v2" | sha256sum)" "$(skopeo inspect --raw "oci:$T_TMP/ar:v2" | sha256sum)"
expect_ok ctrgit fsck
t_end

t_begin "large-files-and-zstd-layers-in-both-modes"
need_hostile
for mode in bare-user archive; do
  export CTRGIT_REPO=$T_TMP/big-$mode
  expect_ok ctrgit init --mode $mode
  for c in large-file zstd-layer large-twice; do
    expect_ok ctrgit import "oci:$HOSTILE/$c:v1" "$c:v1"
    rm -rf "$T_TMP/big-out"
    expect_ok ctrgit export "$c:v1" "oci:$T_TMP/big-out:v1"
    expect_eq "$mode $c manifest digest" "$(skopeo inspect --raw "oci:$HOSTILE/$c:v1" | sha256sum)" \
      "$(skopeo inspect --raw "oci:$T_TMP/big-out:v1" | sha256sum)"
    expect_ok ctrgit export --from-files "$c:v1" "docker-archive:$T_TMP/big-$c.tar"
    expect_eq "$mode $c layers" "$(skopeo_diff_ids "oci:$HOSTILE/$c:v1")" "$(docker_archive_layer_digests "$T_TMP/big-$c.tar")"
  done
  expect_ok ctrgit fsck
  # One object for the 6 MiB bytes at 0644 (in three images, twice in one
  # layer), one at 0755, one for the reversed bytes; nothing left in tmp.
  expect_eq "$mode large objects" 3 "$(find "$CTRGIT_REPO/repo/objects" -name '*.file*' -size +4M | wc -l)"
  expect_eq "$mode tmp after import" 0 "$(find "$CTRGIT_REPO/repo/tmp" -type f | wc -l)"
done
t_end

# Objects are created with their mode when the umask lets them (no fchmod),
# and chmod-ed when it does not: the same modes either way, as libostree
# gives them (owner-readable; symlinks and metadata 0644).
t_begin "objects-have-their-modes-whatever-the-umask"
need_hostile
for um in 022 077; do
  export CTRGIT_REPO=$T_TMP/umask-$um
  expect_ok ctrgit init
  for c in large-twice symlink-dotdot-read duplicate-entries; do
    (umask "$um" && ctrgit import "oci:$HOSTILE/$c:v1" "$c:v1" >/dev/null) || t_fail_msg "import $c, umask $um"
  done
  expect_eq "umask $um: file object modes" "600 644 755" \
    "$(find "$CTRGIT_REPO/repo/objects" -name '*.file' -printf '%m\n' | sort -u | xargs)"
  expect_eq "umask $um: dirtree object modes" "644" \
    "$(find "$CTRGIT_REPO/repo/objects" -name '*.dirtree' -printf '%m\n' | sort -u | xargs)"
  expect_ok ostree --repo="$CTRGIT_REPO/repo" fsck
done
t_end

t_begin "concurrent-imports-both-succeed"
export CTRGIT_REPO=$T_TMP/conc
expect_ok ctrgit init
ctrgit import "oci:$BB:v1" c:one >"$T_TMP/c1" 2>&1 & p1=$!
ctrgit import "oci:$BB:v2" c:two >"$T_TMP/c2" 2>&1 & p2=$!
wait $p1 || t_fail_msg "first: $(cat "$T_TMP/c1")"
wait $p2 || t_fail_msg "second: $(cat "$T_TMP/c2")"
expect_eq "images" 2 "$(ctrgit images -q | wc -l)"
expect_ok ctrgit fsck
t_end

t_begin "kill-9-mid-import-leaves-usable-store"
export CTRGIT_REPO=$T_TMP/killed
expect_ok ctrgit init
src="docker-archive:$IMAGES/small2.docker.tar"
have_minbase && src="oci:$IMAGES/minbase-oci:v1"
for delay in 0.05 0.2 0.5; do
  ctrgit import "$src" k:v1 >/dev/null 2>&1 & pid=$!
  sleep $delay; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
  expect_ok ctrgit fsck
done
expect_ok ctrgit import "$src" k:v1
expect_ok ctrgit fsck
expect_eq "diff_ids after retry" "$(skopeo_diff_ids "$src")" \
  "$(ctrgit export k:v1 "oci:$T_TMP/k:v1" && skopeo_diff_ids "oci:$T_TMP/k:v1")"
[ ! -e "$CTRGIT_REPO/import-unfinished" ] || t_fail_msg "the import's mark is still there"
t_end

t_begin "objects-an-unfinished-import-left-empty-are-written-again"
# What a machine that went down mid-import can leave: the import's mark,
# and an object whose name reached the disk but whose bytes did not. The
# next import must not trust that name.
export CTRGIT_REPO=$T_TMP/crashed
expect_ok ctrgit init
expect_ok ctrgit import "oci:$BB:v1" bb:v1
expect_ok ctrgit --repo "$T_TMP/scratch" init
expect_ok ctrgit --repo "$T_TMP/scratch" import "oci:$BB:v2" bb:v2
objects() { (cd "$1/repo/objects" && find . -name "*.$2" | sort); }
sleep 0.01
: >"$CTRGIT_REPO/import-unfinished"
sleep 0.01
# A content object and a directory listing, both written straight into place.
planted=()
for kind in file dirtree; do
  new=$(comm -13 <(objects "$CTRGIT_REPO" $kind) <(objects "$T_TMP/scratch" $kind) | head -n1)
  [ -n "$new" ] || t_fail_msg "v2 adds no $kind object to v1"
  mkdir -p "$(dirname "$CTRGIT_REPO/repo/objects/$new")"
  : >"$CTRGIT_REPO/repo/objects/$new"
  expect_eq "the planted $kind's size" 0 "$(stat -c %s "$CTRGIT_REPO/repo/objects/$new")"
  planted+=("$new")
done
expect_ok ctrgit import "oci:$BB:v2" bb:v2
for new in "${planted[@]}"; do
  expect_eq "$new, written again" "$(sha256sum <"$T_TMP/scratch/repo/objects/$new")" \
    "$(sha256sum <"$CTRGIT_REPO/repo/objects/$new")"
done
expect_ok ctrgit fsck
expect_ok ostree --repo="$CTRGIT_REPO/repo" fsck
[ ! -e "$CTRGIT_REPO/import-unfinished" ] || t_fail_msg "the mark is still there"
t_end
t_done
