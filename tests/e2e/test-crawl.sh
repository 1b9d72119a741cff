#!/usr/bin/env bash
# The crawler on real podman containers (hack/crawl-containers): what each
# frame must say about a web server, a container that changed its disk and
# removed a package, and a container with a hostile root; and that the
# crawler never reads the host through a container's symlinks nor can enter
# a container.
. "$(dirname "$0")/../lib.sh"

if ! command -v podman >/dev/null || ! command -v jq >/dev/null; then
  t_skip "crawl" "no podman or jq"; t_done
fi
P=ctrgit-tcrawl-$$
trap '"$ROOT_DIR/hack/crawl-containers" stop $P; rm -rf "$T_TMP"' EXIT
if ! "$ROOT_DIR/hack/crawl-containers" start $P --debian >"$T_TMP/start.log" 2>&1; then
  sed 's/^/# /' "$T_TMP/start.log"
  t_begin "containers-start"; t_fail_msg "hack/crawl-containers failed"; t_end; t_done
fi
IMAGES=${CTRGIT_IMAGES:-$ROOT_DIR/build/images}

ctrgit init >/dev/null
ctrgit import "oci:$IMAGES/busybox:v2" localhost/ctrgit-busybox:v2 >/dev/null
ctrgit import "oci:$IMAGES/minbase-oci:v1" localhost/ctrgit-minbase:v1 >/dev/null

pid_of() { podman inspect -f '{{.State.Pid}}' "$1"; }
id_of() { podman inspect -f '{{.Id}}' "$1"; }
upper_of() { podman inspect -f '{{.GraphDriver.Data.UpperDir}}' "$1"; }

# crawl_to FILE ARGS...: one crawl; exit 0 or 3 (skips) both give frames.
crawl_to() {
  local f=$1; shift
  ctrgit crawl "$@" >"$f" 2>"$f.err"
  local rc=$?
  if [ $rc -ne 0 ] && [ $rc -ne 3 ]; then t_fail_msg "crawl $* exited $rc: $(head -c 300 "$f.err")"; return 1; fi
}

# --- the web server ----------------------------------------------------------
W=$T_TMP/web.json
t_begin "crawl-web-frame-header"
crawl_to "$W" $P-web
expect_eq "container id" "$(id_of $P-web)" "$(jq -r '._frame.container_id' "$W")"
expect_eq "name" "$P-web" "$(jq -r '._frame.container_name' "$W")"
expect_eq "system type" "container" "$(jq -r '._frame.system_type' "$W")"
expect_eq "image" "localhost/ctrgit-busybox:v2" "$(jq -r '._frame.image' "$W")"
expect_eq "store link" "localhost/ctrgit-busybox:v2" "$(jq -r '._frame.store_image.ref' "$W")"
expect_eq "schema" "1" "$(jq -r '._frame.schema_version' "$W")"
t_end

t_begin "crawl-web-listening-port-and-its-pid"
httpd_pid=$(pid_of $P-web)
got=$(jq -r '.connection[] | select(.listening and .local_port == 8080 and (.proto|startswith("tcp"))) | .pid' "$W" | sort -u)
expect_eq "pid listening on 8080" "$httpd_pid" "$got"
t_end

t_begin "crawl-web-process-command-lines"
got=$(jq -r '.process[] | .cmdline | join(" ")' "$W" | sort)
expect_eq "command lines" "$(printf '%s\n' "busybox httpd -f -p 8080 -h /www" "busybox sleep 100000" | sort)" "$got"
expect_eq "init pid key" "$httpd_pid" "$(jq -r --arg p "$httpd_pid" '.process[$p].pid' "$W")"
expect_eq "namespace pid of init" "1" "$(jq -r --arg p "$httpd_pid" '.process[$p].ns_pid' "$W")"
expect_eq "user" "root" "$(jq -r --arg p "$httpd_pid" '.process[$p].user' "$W")"
t_end

t_begin "crawl-web-drift-is-its-page"
expect_eq "drift" "$(printf '%s\n' "added /www" "added /www/index.html")" \
  "$(jq -r '.file[] | select(.change != null) | "\(.change) \(.path)"' "$W" | sort)"
expect_eq "page hash" "$(printf '<h1>ctrgit</h1>\n' | sha256sum | cut -d' ' -f1)" "$(jq -r '.file["/www/index.html"].sha256' "$W")"
t_end

# --- the writer: files, packages, os ------------------------------------------
R=$T_TMP/writer.json
t_begin "crawl-writer-os"
crawl_to "$R" $P-writer
expect_eq "os id" "debian" "$(jq -r '.os.os.id' "$R")"
expect_eq "os version" "12" "$(jq -r '.os.os.version_id' "$R")"
expect_eq "store link" "localhost/ctrgit-minbase:v1" "$(jq -r '._frame.store_image.ref' "$R")"
t_end

t_begin "crawl-writer-file-drift-added-changed"
drift() { jq -r '.file[] | select(.runtime != true) | "\(.change) \(.path)"' "$R" | sort; }
for want in "added /root/added.txt" "added /srv/new" "added /srv/new/inner.txt" \
            "changed /etc/issue" "deleted /etc/debian_version"; do
  grep -qxF "$want" <(drift) || t_fail_msg "missing: $want"
done
expect_eq "sha256 of added file" "$(printf 'added\n' | sha256sum | cut -d' ' -f1)" \
  "$(jq -r '.file["/root/added.txt"].sha256' "$R")"
expect_eq "sha256 of changed file" "$(sha256sum "$(upper_of $P-writer)/etc/issue" | cut -d' ' -f1)" \
  "$(jq -r '.file["/etc/issue"].sha256' "$R")"
t_end

t_begin "crawl-writer-file-drift-is-exact"
# The reference: the image checked out of the store against the running
# container's merged root, compared file by file (tests/e2e/tree-drift.py).
wpid=$(pid_of $P-writer)
expect_ok ctrgit checkout localhost/ctrgit-minbase:v1 "$T_TMP/minbase-root"
/usr/bin/python3 "$TESTS_DIR/e2e/tree-drift.py" "$T_TMP/minbase-root" "/proc/$wpid/root" \
  "/proc/$wpid/mountinfo" /etc/mtab /run/.containerenv | LC_ALL=C sort >"$T_TMP/drift.want"
drift | LC_ALL=C sort >"$T_TMP/drift.got"
expect_eq "drift against the reference" "" "$(diff "$T_TMP/drift.want" "$T_TMP/drift.got")"
[ "$(wc -l <"$T_TMP/drift.want")" -gt 50 ] || t_fail_msg "reference has too few lines"
t_end

t_begin "crawl-writer-runtime-files-are-marked"
for f in /etc/hosts /etc/mtab /run/.containerenv; do
  expect_eq "$f marked" "true" "$(jq -r --arg f "$f" '.file[$f].runtime' "$R")"
done
for f in /etc/hosts /etc/hostname /etc/resolv.conf /etc/mtab; do
  drift | grep -qE " $f\$" && t_fail_msg "$f reported as drift"
done
t_end

t_begin "crawl-writer-removed-package"
expect_eq "e2fsprogs" "removed" "$(jq -r '.package | to_entries[] | select(.value.name == "e2fsprogs") | .value.change' "$R")"
expect_eq "dpkg kept" "null" "$(jq -r '.package | to_entries[] | select(.value.name == "dpkg") | .value.change' "$R")"
t_end

# --- the hostile container -------------------------------------------------------
H=$T_TMP/hostile.json
t_begin "crawl-hostile-symlink-stays-inside"
crawl_to "$H" --features os,config,file --config /etc/os-release --config /etc/shadow $P-hostile
expect_eq "os-release through the symlink" "not the host" \
  "$(jq -r '.config["/etc/os-release"].content // .config["/etc/shadow"].content' "$H" | head -1)"
if head -1 /etc/shadow | grep -q .; then
  grep -qF "$(head -1 /etc/shadow)" "$H" && t_fail_msg "the host's /etc/shadow leaked into the frame"
fi
jq -e . "$H" >/dev/null || t_fail_msg "frame is not valid JSON"
t_end

t_begin "crawl-hostile-names-kept-exact"
jq -r '.file | keys[]' "$H" >"$T_TMP/hnames"
grep -qF '/data/bad\xffname' "$T_TMP/hnames" || t_fail_msg "invalid UTF-8 name not escaped as \\xff"
expect_eq "newline name" "1" "$(jq '[.file | keys[] | select(. == "/data/new\nline")] | length' "$H")"
t_end

t_begin "crawl-hostile-binary-command-line-kept-readable"
crawl_to "$T_TMP/hp.json" --features process $P-hostile
got=$(jq -r '.process[].cmdline[]' "$T_TMP/hp.json" | grep -a '^junk' | od -An -c | tr -s ' ')
expect_eq "junk argument" " j u n k 001 \\ x f f a r g \n" "$got"
t_end

t_begin "crawl-over-a-limit-is-skipped-and-exit-3"
ctrgit crawl --features config --config /data/big --config /etc/hosts $P-hostile >"$T_TMP/big.json" 2>/dev/null
expect_eq "exit status" "3" "$?"
expect_eq "skipped" "config /data/big" "$(jq -r '._frame.skipped[] | "\(.feature) \(.what)"' "$T_TMP/big.json")"
jq -r '._frame.skipped[0].reason' "$T_TMP/big.json" | grep -q 'limit' || t_fail_msg "reason does not name the limit"
expect_eq "the other file is there" "/etc/hosts" "$(jq -r '.config | keys[]' "$T_TMP/big.json")"
t_end

t_begin "crawl-device-node-is-never-opened"
# Opening a device runs its driver's open on the host: every open of the
# planted node must be an O_PATH handle (strace sees each one).
strace -f -qq -e trace=openat2,openat,open -o "$T_TMP/dev.strace" \
  "$CTRGIT" crawl --features config,file --config /data/null $P-hostile >"$T_TMP/dev.json" 2>/dev/null
opens=$(grep -cE '"(data/)?null"' "$T_TMP/dev.strace")
[ "$opens" -ge 1 ] || t_fail_msg "the node was looked at $opens times (strace)"
bad=$(grep -E '"(data/)?null"' "$T_TMP/dev.strace" | grep -v 'O_PATH' || true)
expect_eq "opens of the node without O_PATH" "" "$bad"
expect_eq "config skip" "config /data/null: not a regular file" \
  "$(jq -r '._frame.skipped[] | select(.what == "/data/null") | "\(.feature) \(.reason)"' "$T_TMP/dev.json")"
expect_eq "file item" "added char null" "$(jq -r '.file["/data/null"] | "\(.change) \(.type) \(.sha256)"' "$T_TMP/dev.json")"
t_end

# --- all containers, formats, watch, sandbox, search ---------------------------------
t_begin "crawl-all-finds-every-container"
crawl_to "$T_TMP/all.json" --features os
for c in web writer hostile; do
  jq -r '._frame.container_name' "$T_TMP/all.json" | grep -qx "$P-$c" || t_fail_msg "$P-$c not crawled"
done
t_end

t_begin "crawl-unknown-container-and-feature"
expect_fail 1 'no (running )?container' ctrgit crawl no-such-container
expect_fail 2 'no feature "bogus"' ctrgit crawl --features bogus $P-web
expect_fail 2 'is not a duration' ctrgit crawl --watch --interval soon $P-web
expect_fail 2 '--files is drift or full' ctrgit crawl --files some $P-web
expect_fail 2 'unknown format "xml"' ctrgit crawl --format xml $P-web
expect_fail 2 'crawls the host only' ctrgit crawl --host $P-web
expect_fail 1 'unknown emitter' ctrgit crawl --emit ftp://x $P-web
CTRGIT_REPO=$T_TMP/no-store expect_fail 1 'needs a store' ctrgit crawl --emit index $P-web
t_end

t_begin "crawl-format-crawler-csv"
crawl_to "$T_TMP/w.csv" --format crawler-csv --features process $P-web
expect_eq "first field" "metadata" "$(head -1 "$T_TMP/w.csv" | cut -f1)"
expect_eq "process lines" "2" "$(grep -c '^process	' "$T_TMP/w.csv")"
t_end

t_begin "crawl-watch-sends-deltas"
crawl_to "$T_TMP/watch.json" --watch --interval 200ms --count 3 --features process $P-web
expect_eq "frames" "3" "$(wc -l <"$T_TMP/watch.json")"
base=$(sed -n 1p "$T_TMP/watch.json" | jq -r '._frame.uuid')
expect_eq "delta base" "$base" "$(sed -n 2p "$T_TMP/watch.json" | jq -r '._frame.delta.base')"
expect_eq "delta has no new processes" "0" "$(sed -n 2p "$T_TMP/watch.json" | jq '.process.added | length')"
t_end

t_begin "crawl-watch-goes-on-when-a-container-goes-away"
podman --runtime runc --cgroup-manager cgroupfs run -d --name $P-temp --entrypoint "" \
  --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 localhost/ctrgit-busybox:v2 busybox sleep 100000 >/dev/null
"$CTRGIT" crawl --watch --interval 500ms --count 10 --features os $P-web $P-temp >"$T_TMP/gone.json" 2>"$T_TMP/gone.err" &
cpid=$!
for _ in $(seq 1 100); do [ "$(wc -l <"$T_TMP/gone.json")" -ge 2 ] && break; sleep 0.1; done
podman rm -f -t 0 $P-temp >/dev/null
wait $cpid; rc=$?
[ $rc -eq 0 ] || [ $rc -eq 3 ] || t_fail_msg "watch exited $rc: $(cat "$T_TMP/gone.err")"
grep -q "watching the others" "$T_TMP/gone.err" || t_fail_msg "no word that $P-temp went away: $(cat "$T_TMP/gone.err")"
expect_eq "frames of the web container" "10" "$(jq -r '._frame.container_name' "$T_TMP/gone.json" | grep -cx "$P-web")"
n=$(jq -r '._frame.container_name' "$T_TMP/gone.json" | grep -cx "$P-temp")
[ "$n" -ge 1 ] && [ "$n" -lt 10 ] || t_fail_msg "frames of the removed container: $n"
t_end

t_begin "crawl-sandbox-is-on"
"$CTRGIT" crawl --watch --interval 10s --features os $P-web >/dev/null 2>&1 &
cpid=$!
mode=""
for _ in $(seq 1 50); do
  mode=$(awk '/^Seccomp:/{print $2}' /proc/$cpid/status 2>/dev/null)
  [ "$mode" = 2 ] && break
  sleep 0.1
done
kill $cpid; wait $cpid 2>/dev/null
expect_eq "Seccomp mode of a running crawl" "2" "$mode"
t_end

t_begin "crawl-plugin-feature-and-emitter"
PD=$(dirname "$CTRGIT")/plugins
crawl_to "$T_TMP/plugin.json" --plugin-dir "$PD" --features env-files --emit "count:$T_TMP/count.txt" --emit stdout $P-web
expect_eq "plugin feature in the frame" '["env-files"]' "$(jq -c '._frame.features' "$T_TMP/plugin.json")"
expect_eq "count emitter saw one frame" "1" "$(wc -l <"$T_TMP/count.txt")"
ctrgit crawl --plugin-dir "$PD" --list-features | grep -q '^env-files ' || t_fail_msg "plugin feature not listed"
t_end

t_begin "crawl-frames-match-the-schema"
crawl_to "$T_TMP/host.json" --host
out=$(/usr/bin/python3 "$TESTS_DIR/e2e/validate-frames.py" "$ROOT_DIR/docs/frame.schema.json" \
      "$W" "$R" "$H" "$T_TMP/all.json" "$T_TMP/watch.json" "$T_TMP/host.json" 2>&1) || t_fail_msg "$out"
# and the check itself can fail: a frame without its uuid is refused
jq -c 'del(._frame.uuid)' "$W" >"$T_TMP/broken.json"
/usr/bin/python3 "$TESTS_DIR/e2e/validate-frames.py" "$ROOT_DIR/docs/frame.schema.json" "$T_TMP/broken.json" \
  >/dev/null 2>&1 && t_fail_msg "a frame without uuid passed"
t_end

t_begin "crawl-index-then-search"
crawl_to "$T_TMP/index.out" --emit index
expect_out "by listening port" "$P-web" bash -c "'$CTRGIT' search --json listening:8080 | jq -r '.hits[].name' | grep -x '$P-web' | sort -u"
expect_out "one argument, two filters" "$P-web" bash -c "'$CTRGIT' search --json 'listening:8080 image:ctrgit-busybox' | jq -r '.hits[].name' | grep -x '$P-web'"
expect_out "by package" "$P-writer" bash -c "'$CTRGIT' search --json package:dpkg | jq -r '.hits[].name' | grep '^$P-' | sort -u"
t_end

t_done
