#!/usr/bin/env bash
# History and diff: log, diff, show, ls, cat, checkout and tag on version
# chains whose differences are known.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/e2e/images.sh"
need_images || { t_skip "test images" "could not build them"; t_done; }
need_hostile || { t_skip "fixtures" "could not build them"; t_done; }
BB=$IMAGES/busybox
H=$HOSTILE
ctrgit init >/dev/null
ctrgit import "oci:$H/history-v1:v1" hist:v1 >/dev/null
ctrgit import "oci:$H/history-v2:v1" hist:v2 >/dev/null
ctrgit import "oci:$H/history-rebuild:v1" hist:rebuild >/dev/null

t_begin "diff-name-status-lists-each-change"
expect_out "name-status" "M	/etc
T	/f2l
M	/link
D	/opq/a
D	/opq/b
A	/opq/c
M	/own.txt
M	/var/lib/dpkg/status
M	/x.txt" ctrgit diff hist:v1 hist:v2
t_end

t_begin "diff-json-says-what-changed"
out=$(ctrgit diff --json hist:v1 hist:v2 | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d["from"]["reference"], d["to"]["reference"])
for c in d["changes"]:
    print(c["status"], c["path"], ",".join(c.get("changed", [])), c.get("old", {}).get("type", "-"), c.get("new", {}).get("type", "-"))')
expect_eq "json" "localhost/hist:v1 localhost/hist:v2
M /etc mode directory directory
T /f2l  file symlink
M /link target symlink symlink
D /opq/a  file -
D /opq/b  file -
A /opq/c  - file
M /own.txt owner file file
M /var/lib/dpkg/status content file file
M /x.txt xattrs file file" "$out"
t_end

t_begin "diff-rebuild-is-empty"
expect_out "diff of a byte-identical rebuild" "" ctrgit diff hist:v1 hist:rebuild
expect_ok ctrgit diff --exit-code hist:v1 hist:rebuild
expect_fail 1 "" ctrgit diff --exit-code hist:v1 hist:v2
t_end

t_begin "diff-paths-limit-the-output"
expect_out "-- /opq" "D	/opq/a
D	/opq/b
A	/opq/c" ctrgit diff hist:v1 hist:v2 -- /opq
expect_out "-- /x.txt /link" "M	/link
M	/x.txt" ctrgit diff hist:v1 hist:v2 -- /x.txt /link
expect_fail 1 "no such file or directory in the image" ctrgit diff hist:v1 hist:v2 -- /nothere
expect_fail 2 "paths are absolute" ctrgit diff hist:v1 hist:v2 -- opq
t_end

t_begin "diff-stat-summarises"
out=$(ctrgit diff --stat hist:v1 hist:v2)
grep -q " 9 paths changed, 1 added, 2 deleted, 5 modified, 1 type change;" <<<"$out" || t_fail_msg "$out"
grep -q "/x.txt *| xattrs" <<<"$out" || t_fail_msg "$out"
t_end

t_begin "diff-busybox-versions-made-by-umoci"
expect_ok ctrgit import "oci:$BB:v1" bb:v1
expect_ok ctrgit import "oci:$BB:v2" bb:v2
expect_out "name-status" "D	/data/becomes-dir
A	/data/becomes-dir/inside
M	/data/chmod-me
D	/data/dir-opaque/one
A	/data/dir-opaque/three
D	/data/dir-opaque/two
M	/data/link
A	/data/new.txt
D	/data/removed
M	/etc/os-release" ctrgit diff bb:v1 bb:v2
t_end

t_begin "diff-patch-is-a-unified-diff"
ctrgit cat bb:v1 /etc/os-release >"$T_TMP/osr1"
ctrgit cat bb:v2 /etc/os-release >"$T_TMP/osr2"
want="diff --ctrgit a/etc/os-release b/etc/os-release
$(diff -u --label a/etc/os-release --label b/etc/os-release "$T_TMP/osr1" "$T_TMP/osr2")"
expect_out "diff -p" "$want" ctrgit diff -p bb:v1 bb:v2 -- /etc/os-release
out=$(ctrgit diff -p hist:v1 hist:v2 -- /own.txt /etc)
grep -q "^new owner 1000:1000$" <<<"$out" && grep -q "^new mode 040700$" <<<"$out" || t_fail_msg "$out"
t_end

t_begin "diff-stat-counts-lines-of-text"
out=$(ctrgit diff --stat bb:v1 bb:v2 -- /etc/os-release)
grep -q "/etc/os-release | 4 ++--" <<<"$out" || t_fail_msg "$out"
t_end

t_begin "diff-packages-reads-dpkg-apk-and-rpm"
expect_out "dpkg" "- curl 7.88.1-10 amd64
~ libc6 2.36-9 -> 2.36-9+deb12u4 amd64
+ python3-minimal 3.11.2-1 amd64" ctrgit diff --packages hist:v1 hist:v2
for c in apk-v1 apk-v2 rpm-v1 rpm-v2; do ctrgit import "oci:$H/$c:v1" "pk:$c" >/dev/null; done
expect_out "apk" "- busybox 1.36.1-r2 x86_64
+ curl 8.5.0-r0 x86_64
~ musl 1.2.4-r1 -> 1.2.4-r2 x86_64" ctrgit diff --packages pk:apk-v1 pk:apk-v2
expect_out "rpm, with epoch" "+ curl 8.0.1-1.fc38 x86_64
~ openssl-libs 1:3.0.9-1.fc38 -> 1:3.0.9-2.fc38 x86_64" ctrgit diff --packages pk:rpm-v1 pk:rpm-v2
expect_out "json" "removed curl 7.88.1-10 None" sh -c "$CTRGIT diff --packages --json hist:v1 hist:v2 | python3 -c 'import json,sys; p=json.load(sys.stdin)[\"packages\"][0]; print(p[\"change\"], p[\"name\"], p[\"old_version\"], p[\"new_version\"])'"
expect_fail 1 "no package database \(dpkg, apk or rpm sqlite\) in the image" ctrgit diff --packages bb:v1 bb:v2
t_end

t_begin "paths-are-attributed-to-layers"
# the images are rebuilt with new timestamps on each machine: ask skopeo for the ids
l1=$(skopeo_diff_ids "oci:$BB:v2" | sed -n 1p | cut -c1-19)
l2=$(skopeo_diff_ids "oci:$BB:v2" | sed -n 2p | cut -c1-19)
expect_out "show -- PATH" "/bin/busybox	layer 1	$l1	umoci repack
/etc/os-release	layer 2	$l2	umoci repack
/data/removed	layer 2	$l2	removed: umoci repack" \
  ctrgit show bb:v2 -- /bin/busybox /etc/os-release /data/removed
out=$(ctrgit diff --layers bb:v1 bb:v2 | cut -f3 | sort -u)
expect_eq "every change of v2 is in its layer 2" "2" "$out"
expect_out "json layer" "2" sh -c "$CTRGIT diff --json bb:v1 bb:v2 -- /etc/os-release | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"changes\"][0][\"layer\"])'"
t_end

t_begin "log-lists-versions-newest-first"
expect_ok ctrgit import "oci:$H/history-v1:v1" chain:latest
expect_ok ctrgit import "oci:$H/history-v2:v1" chain:latest
expect_ok ctrgit import "oci:$BB:v1" chain:latest
out=$(ctrgit log --oneline chain)
expect_eq "versions" 3 "$(wc -l <<<"$out")"
sources=$(ctrgit log --json chain:latest | python3 -c 'import json,sys; print(" ".join(v["manifest_digest"][:15] for v in json.load(sys.stdin)))')
want="$(skopeo inspect --raw "oci:$BB:v1" | sha256sum | cut -c1-8) $(skopeo inspect --raw "oci:$H/history-v2:v1" | sha256sum | cut -c1-8) $(skopeo inspect --raw "oci:$H/history-v1:v1" | sha256sum | cut -c1-8)"
expect_eq "manifests newest first" "$(sed 's/sha256://g' <<<"$sources")" "$want"
expect_eq "-n 1" 1 "$(ctrgit log --oneline -n 1 chain | wc -l)"
t_end

t_begin "log-stat-counts-changes"
out=$(ctrgit log --stat -n 2 chain~1)
grep -q "Changes:  1 added, 2 deleted, 5 modified, 1 type changes" <<<"$out" || t_fail_msg "$out"
t_end

t_begin "revisions-resolve"
head=$(ctrgit log --json -n 1 chain | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["commit"])')
first=$(ctrgit log --json chain | python3 -c 'import json,sys; print(json.load(sys.stdin)[2]["commit"])')
v2digest=$(ctrgit log --json chain~1 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["manifest_digest"])')
expect_out "chain~2 is the first version" "" ctrgit diff chain~2 "$first"
expect_out "a commit prefix" "" ctrgit diff "${head:0:12}" chain
expect_out "REF@digest" "" ctrgit diff "chain@$v2digest" chain~1
expect_fail 1 "goes beyond the history" ctrgit log chain~3
expect_fail 1 'image "nothere:v1" is not in the store' ctrgit log nothere:v1
expect_fail 1 "has no version with manifest" ctrgit log "chain@sha256:$(printf '%064d' 0)"
expect_fail 2 "expected REV1 REV2" ctrgit diff chain
t_end

t_begin "cat-prints-files-and-resolves-links-inside-the-image"
expect_out "cat" "$(printf 'ID=history\nVERSION_ID=1\n')" ctrgit cat hist:v1 /etc/os-release
expect_out "cat through a symlink" "owned" ctrgit cat hist:v2 /link
expect_ok ctrgit import "oci:$H/symlink-dotdot-read:v1" links:v1
expect_out "../../ stays in the image" "root:x:0:0:image passwd:/:/bin/sh" ctrgit cat links:v1 /evil
expect_out "absolute target is the image's /" "root:x:0:0:image passwd:/:/bin/sh" ctrgit cat links:v1 /abs
expect_fail 1 "no such file or directory in the image" ctrgit cat hist:v1 /etc/nothere
expect_fail 1 "not a regular file" ctrgit cat hist:v1 /opq
t_end

t_begin "ls-lists-a-directory"
expect_out "ls /opq" "-00644     0     0          2 a
-00644     0     0          2 b" ctrgit ls hist:v1 /opq
expect_out "ls -d" "d00700     0     0          0 /etc" ctrgit ls -d hist:v2 /etc
t_end

t_begin "show-prints-config-and-layers"
out=$(ctrgit show bb:v2)
grep -q '^Entrypoint: \["/bin/sh"\]' <<<"$out" || t_fail_msg "$out"
grep -q "GREETING=v2" <<<"$out" || t_fail_msg "no env"
expect_eq "layers" 2 "$(grep -c '^ *[0-9]  sha256:' <<<"$out")"
expect_eq "show --json config digest" "$(skopeo_config_digest "oci:$BB:v2")" \
  "$(ctrgit show --json bb:v2 | python3 -c 'import json,sys; print(json.load(sys.stdin)["config_digest"])')"
t_end

t_begin "checkout-writes-the-rootfs-like-umoci"
expect_ok ctrgit checkout bb:v2 "$T_TMP/rootfs"
"$ROOT_DIR/hack/tree-listing" "$T_TMP/rootfs" "$T_TMP/listing" "$T_TMP/xattrs"
expect_eq "listing" "$(cat "$IMAGES/busybox.expect")" "$(cat "$T_TMP/listing")"
expect_fail 1 "exists: checkout writes only into a new directory" ctrgit checkout bb:v2 "$T_TMP/rootfs"
t_end

t_begin "checkout-is-a-copy-the-store-does-not-share"
echo "changed after checkout" >>"$T_TMP/rootfs/etc/os-release"
expect_out "the image is unchanged" "$(cat "$T_TMP/osr2")" ctrgit cat bb:v2 /etc/os-release
expect_ok ctrgit fsck --quick
t_end

t_begin "paths-are-canonical"
expect_out "/opq/ and /./x.txt" "D	/opq/a
D	/opq/b
A	/opq/c
M	/x.txt" ctrgit diff hist:v1 hist:v2 -- /opq/ /./x.txt
expect_fail 2 '".." in "/opq/../x.txt"' ctrgit diff hist:v1 hist:v2 -- /opq/../x.txt
expect_fail 2 "--packages goes with --json and --exit-code only" ctrgit diff --packages --stat hist:v1 hist:v2
expect_fail 1 "" ctrgit diff --packages --exit-code hist:v1 hist:v2
t_end

t_begin "tag-adds-a-reference"
expect_ok ctrgit tag bb:v2 bb:stable
expect_eq "same manifest" "$(ctrgit log --json bb:v2 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["manifest_digest"])')" \
  "$(ctrgit log --json bb:stable | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["manifest_digest"])')"
expect_out "diff of a tag" "" ctrgit diff bb:v2 bb:stable
expect_ok ctrgit fsck --quick
t_end
t_done
