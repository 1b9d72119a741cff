#!/usr/bin/env bash
# Emitters, driven without containers: the host's os feature goes to a
# directory (plain and gzip), to a local HTTP receiver (NDJSON and the
# Elasticsearch _bulk body), to a dead port and a full disk (both clear
# errors, nothing half written), and into the index that search reads.
. "$(dirname "$0")/../lib.sh"

crawl_host() { ctrgit crawl --host --features os "$@"; }

# A crawl's exit is 0, or 3 when the frame lists something skipped; 1 is failure.
crawl_ok() {
  local rc
  crawl_host "$@" >"$T_TMP/crawl.out" 2>"$T_TMP/crawl.err"; rc=$?
  if [ $rc -ne 0 ] && [ $rc -ne 3 ]; then
    t_fail_msg "crawl $* exited $rc: $(head -c 300 "$T_TMP/crawl.err")"; return 1
  fi
}

RECV_PID= PORT=
start_receiver() { # DIR [--fail N]: sets PORT
  local dir=$1; shift
  mkdir -p "$dir"
  python3 "$TESTS_DIR/e2e/http-receiver.py" --dir "$dir" "$@" >/dev/null 2>&1 &
  RECV_PID=$!
  for _ in $(seq 100); do [ -f "$dir/port" ] && break; sleep 0.05; done
  PORT=$(cat "$dir/port")
}
stop_receiver() { [ -n "$RECV_PID" ] && kill "$RECV_PID" 2>/dev/null; wait "$RECV_PID" 2>/dev/null; RECV_PID=; }
trap 'stop_receiver; rm -rf "$T_TMP"' EXIT

t_begin "file-emitter-writes-one-frame-per-file"
out=$T_TMP/frames
crawl_ok --emit "file:$out"
files=$(ls -A "$out")
expect_eq "files" 1 "$(wc -l <<<"$files")"
grep -qE "^$(hostname | tr -c 'A-Za-z0-9._\n-' _)-[0-9]{8}T[0-9]{6}\.[0-9]{3}Z-[0-9a-f]{8}\.json$" <<<"$files" \
  || t_fail_msg "file name: $files"
python3 -c '
import json, sys
f = json.load(open(sys.argv[1]))
assert f["_frame"]["system_type"] == "host", f["_frame"]
assert "os" in f["os"], f.keys()' "$out/$files" || t_fail_msg "not a host frame"
[ -s "$T_TMP/crawl.out" ] && t_fail_msg "file emitter also wrote to stdout"
t_end

t_begin "file-emitter-gzip-writes-gzip"
out=$T_TMP/frames-gz
crawl_ok --emit "file:$out?gzip"
f=$(ls "$out")
[[ "$f" == *.json.gz ]] || t_fail_msg "name: $f"
gunzip -c "$out/$f" | python3 -c 'import json, sys; assert json.load(sys.stdin)["_frame"]["system_type"] == "host"' \
  || t_fail_msg "not a gzipped frame"
t_end

t_begin "file-emitter-unknown-option-is-an-error"
expect_fail 1 'unknown option "zip"' crawl_host --emit "file:$T_TMP/x?zip"
t_end

t_begin "http-emitter-posts-ndjson"
start_receiver "$T_TMP/recv1"
crawl_ok --emit "http://127.0.0.1:$PORT/frames"
stop_receiver
expect_eq "content type" "application/x-ndjson" "$(cat "$T_TMP/recv1/1.type" 2>/dev/null)"
python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert lines, "empty body"
for l in lines:
    d = json.loads(l)
    assert d["system_type"] == "host" and d["feature"] == "os" and "item" in d, d' "$T_TMP/recv1/1.body" \
  || t_fail_msg "body is not NDJSON items"
t_end

t_begin "http-emitter-es-bulk-alternates-action-and-document"
start_receiver "$T_TMP/recv2"
crawl_ok --emit "http://127.0.0.1:$PORT/_bulk?format=es-bulk&index=frames-test"
stop_receiver
python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) >= 2 and len(lines) % 2 == 0, lines
for a, d in zip(lines[0::2], lines[1::2]):
    assert json.loads(a) == {"index": {"_index": "frames-test"}}, a
    assert json.loads(d)["feature"] == "os", d' "$T_TMP/recv2/1.body" || t_fail_msg "not a _bulk body"
t_end

t_begin "http-emitter-retries-5xx"
start_receiver "$T_TMP/recv3" --fail 2
crawl_ok --emit "http://127.0.0.1:$PORT/frames"
stop_receiver
[ -f "$T_TMP/recv3/2.failed" ] || t_fail_msg "did not see two failed attempts"
[ -s "$T_TMP/recv3/1.body" ] || t_fail_msg "frame not delivered after retries"
t_end

t_begin "http-emitter-to-a-dead-port-fails-clearly"
# a port nothing listens on: bind one, then close it
dead=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
expect_fail 1 "http://127.0.0.1:$dead/x: 1 of 1 frames not delivered: .*(connect|refused)" \
  crawl_host --emit "http://127.0.0.1:$dead/x"
expect_fail 1 'not an http URL' crawl_host --emit "http://"
t_end

t_begin "file-emitter-on-a-full-disk-fails-and-leaves-no-partial-file"
mnt=$T_TMP/tiny
mkdir -p "$mnt"
if ! mount -t tmpfs -o size=16k tmpfs "$mnt" 2>/dev/null; then
  t_skip "file-emitter-on-a-full-disk-fails-and-leaves-no-partial-file" "cannot mount a tmpfs"
else
  dd if=/dev/zero of="$mnt/fill" bs=1k count=64 2>/dev/null
  expect_fail 1 "No space left on device \(frame not written\)" crawl_host --emit "file:$mnt"
  expect_eq "files left" "fill" "$(ls -A "$mnt")"
  umount "$mnt"
  t_end
fi

t_begin "index-emitter-then-search-finds-the-host"
ctrgit init >/dev/null
expect_fail 1 "no frame index .* crawl with \`--emit index\` first" ctrgit search anything
crawl_ok --emit index
host=$(hostname)
got=$(ctrgit search --json "name:$host" | python3 -c '
import json, sys
r = json.load(sys.stdin)
print(r["total"], r["hits"][0]["system_type"], r["hits"][0]["name"])')
expect_eq "search" "1 host $host" "$got"
out=$(ctrgit search --facets os "name:$host")
grep -q "^1 result$" <<<"$out" || t_fail_msg "text output: $out"
grep -q "^os " <<<"$out" || t_fail_msg "no os facet: $out"
expect_fail 1 "" ctrgit search "name:no-such-system-$$"
t_end

t_begin "unknown-emitter-is-an-error"
expect_fail 1 'unknown emitter "nosuch"' crawl_host --emit nosuch
expect_fail 2 'unknown format "xml"' crawl_host --format xml
t_end
t_done
