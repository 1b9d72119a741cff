#!/usr/bin/env bash
# Hostile and broken images: one clear error, exit 1, nothing committed, the
# store intact. The legal oddities import with the documented result.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/e2e/images.sh"
need_hostile || { t_skip "hostile fixtures" "could not build them"; t_done; }
ctrgit init >/dev/null
ctrgit import "oci:$HOSTILE/ok:v1" good:v1 >/dev/null

# case : message that must appear
while IFS='|' read -r case msg; do
  t_begin "reject-$case"
  before=$(ostree --repo="$CTRGIT_REPO/repo" refs | sort)
  expect_fail 1 "$msg" ctrgit import "oci:$HOSTILE/$case:v1" "bad/$case:v1"
  expect_eq "refs unchanged" "$before" "$(ostree --repo="$CTRGIT_REPO/repo" refs | sort)"
  [ -z "$(ls -A "$CTRGIT_REPO/blobs/tmp")" ] || t_fail_msg "blobs/tmp not empty"
  t_end
done <<'CASES'
traversal-dotdot|escapes the root with ".."
traversal-absolute|absolute path "/etc/evil"
symlink-escape|"evil" is not a directory
symlink-escape-abs|"evil" is not a directory
hardlink-escape|hardlink target outside the layer
hardlink-missing|hardlink to "not/in/layer", which is not a file earlier
file-then-dir|"a" is not a directory
tar-bomb|compression bomb
sparse-entry|sparse entries are not supported
truncated-gzip|gzip: truncated stream
blob-digest-mismatch|blob digest mismatch
diffid-mismatch|diff_id mismatch
bad-json-manifest|invalid JSON
wrong-mediatype|application/x-evil
missing-config|"config" is missing
deep-nesting|nests deeper than
index-absent-blob|No such file
long-path|path longer than 4096
schema1|schema1 manifests are not supported
CASES

t_begin "docker-archive-names-outside-the-archive"
python3 - "$T_TMP/escape.tar" <<'PY'
import io, json, sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    data = json.dumps([{"Config": "../../../etc/passwd", "RepoTags": ["x:y"], "Layers": []}]).encode()
    ti = tarfile.TarInfo("manifest.json"); ti.size = len(data)
    t.addfile(ti, io.BytesIO(data))
PY
expect_fail 1 'escapes the root with ".."' ctrgit import "docker-archive:$T_TMP/escape.tar" esc:v1
t_end

t_begin "size-limit-is-named-and-adjustable"
expect_fail 1 "size limit of 1024 uncompressed bytes.*--max-layer-size" \
  ctrgit import --max-layer-size 1024 "oci:$HOSTILE/truncated-gzip:v1" x:v1
t_end

t_begin "store-intact-after-rejections"
expect_ok ctrgit fsck
expect_eq "images" 1 "$(ctrgit images -q | wc -l)"
t_end

# Legal oddities: the merged tree is what overlay semantics say.
tree() { ostree --repo="$CTRGIT_REPO/repo" ls -R "images/localhost/$1_3Av1" | awk '{print $1, $NF}' | grep -v ' /$' | sort -k2; }
t_begin "dir-then-file-replaces-dir"
expect_ok ctrgit import "oci:$HOSTILE/dir-then-file:v1" dtf:v1
expect_eq "tree" "-00644 /a" "$(tree dtf)"
t_end
t_begin "whiteout-of-missing-path-is-ignored"
expect_ok ctrgit import "oci:$HOSTILE/whiteout-missing:v1" wm:v1
expect_eq "tree" "-00644 /present" "$(tree wm)"
t_end
# A first layer is its image's merged tree when applying it to nothing
# changes nothing; these two are not, and must still merge as applied.
t_begin "whiteouts-in-a-first-layer-hide-nothing-and-are-not-files"
expect_ok ctrgit import "oci:$HOSTILE/whiteout-in-base:v1" wb:v1
expect_eq "tree" "-00644 /kept
-00644 /present" "$(tree wb)"
t_end
t_begin "a-device-node-over-a-file-in-a-first-layer-removes-it"
expect_ok ctrgit import "oci:$HOSTILE/device-over-file:v1" dof:v1
expect_eq "tree" "-00644 /ok.txt" "$(tree dof)"
t_end
t_begin "duplicate-entries-last-wins"
expect_ok ctrgit import "oci:$HOSTILE/duplicate-entries:v1" dup:v1
expect_eq "tree" "-00600 /dup" "$(tree dup)"
t_end
t_begin "device-nodes-are-kept-for-export-never-materialised"
expect_ok ctrgit import "oci:$HOSTILE/device-nodes:v1" dev:v1
expect_eq "tree" "d00755 /dev
-00644 /ok.txt" "$(tree dev)"
expect_ok ctrgit export dev:v1 "docker-archive:$T_TMP/dev.tar"
# The exported layer gives the nodes back, as they were in the original.
layer=$(tar -tf "$T_TMP/dev.tar" | grep '\.tar$')
nodes=$(tar -xOf "$T_TMP/dev.tar" "$layer" | tar -tvf - | awk '$1 ~ /^[cbp]/ {print substr($1,1,1), $NF}')
expect_eq "device nodes in the exported layer" "c dev/null
b dev/sda
p dev/fifo" "$nodes"
expect_eq "layers" "$(skopeo_diff_ids "oci:$HOSTILE/device-nodes:v1")" "$(docker_archive_layer_digests "$T_TMP/dev.tar")"
t_end
t_done
