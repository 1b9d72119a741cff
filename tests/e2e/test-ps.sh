#!/usr/bin/env bash
# ctrgit ps on real podman containers: each one listed with the id, name,
# image, pid and overlay dirs podman itself reports; a stopped one gone.
. "$(dirname "$0")/../lib.sh"

if ! command -v podman >/dev/null || ! command -v jq >/dev/null; then
  t_skip "ps" "no podman or jq"; t_done
fi
P=ctrgit-tps-$$
cleanup() {
  podman rm -f -t 0 "$P-one" "$P-two" >/dev/null 2>&1
  rm -rf "$T_TMP"
}
trap cleanup EXIT
if ! "$ROOT_DIR/hack/crawl-containers" images >"$T_TMP/images.log" 2>&1; then
  sed 's/^/# /' "$T_TMP/images.log"
  t_skip "ps" "could not put the busybox image into podman"; t_done
fi
podman_run() {
  podman --runtime runc --cgroup-manager cgroupfs run -d \
    --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "$@" >/dev/null 2>>"$T_TMP/run.log"
}
podman rm -f -t 0 "$P-one" "$P-two" >/dev/null 2>&1
BB=(--entrypoint "" localhost/ctrgit-busybox:v2)
# one process, and two (a shell that execs sleep, with a sleeping child)
if ! podman_run --name "$P-one" --hostname one "${BB[@]}" busybox sleep 100000 ||
   ! podman_run --name "$P-two" "${BB[@]}" sh -c 'busybox sleep 100001 & exec busybox sleep 100002'; then
  sed 's/^/# /' "$T_TMP/run.log"
  t_skip "ps" "podman cannot run containers here"; t_done
fi
# the child of two must exist before ps looks
for _ in $(seq 1 50); do
  [ "$(podman top "$P-two" pid 2>/dev/null | grep -c '[0-9]')" -ge 2 ] && break
  sleep 0.1
done

inspect() { podman inspect -f "$2" "$1"; }
ID1=$(inspect $P-one '{{.Id}}'); ID2=$(inspect $P-two '{{.Id}}')
PID1=$(inspect $P-one '{{.State.Pid}}'); PID2=$(inspect $P-two '{{.State.Pid}}')

t_begin "ps-table-lists-each-container-as-podman-sees-it"
ctrgit ps >"$T_TMP/ps.txt" 2>"$T_TMP/ps.err" || t_fail_msg "ps failed: $(cat "$T_TMP/ps.err")"
expect_eq "header" "CONTAINER ID  RUNTIME  NAME" "$(head -1 "$T_TMP/ps.txt" | grep -o '^CONTAINER ID  RUNTIME  NAME')"
for n in one two; do
  id=$(inspect $P-$n '{{.Id}}'); pid=$(inspect $P-$n '{{.State.Pid}}')
  row=$(grep "^${id:0:12} " "$T_TMP/ps.txt" | tr -s ' ')
  expect_eq "$n row" "${id:0:12} podman $P-$n localhost/ctrgit-busybox:v2 $pid /proc/$pid/root $(inspect $P-$n '{{.GraphDriver.Data.UpperDir}}')" "$row"
done
t_end

t_begin "ps-json-fields-match-podman-inspect"
ctrgit ps --json >"$T_TMP/ps.json" || t_fail_msg "ps --json failed"
for n in one two; do
  id=$(inspect $P-$n '{{.Id}}')
  got=$(jq -r --arg id "$id" '.[] | select(.id == $id) |
        [.id, .runtime, .name, .image, (.pid|tostring), .root, .upperdir, (.lowerdirs|join(":")), .workdir, .image_id, .image_digest] | join(" ")' "$T_TMP/ps.json")
  pid=$(inspect $P-$n '{{.State.Pid}}')
  want="$id podman $P-$n localhost/ctrgit-busybox:v2 $pid /proc/$pid/root"
  want+=" $(inspect $P-$n '{{.GraphDriver.Data.UpperDir}} {{.GraphDriver.Data.LowerDir}} {{.GraphDriver.Data.WorkDir}} sha256:{{.Image}}')"
  want+=" $(podman image inspect -f '{{.Digest}}' localhost/ctrgit-busybox:v2)"
  expect_eq "$n json" "$want" "$got"
done
expect_eq "hostname of one" "one" "$(jq -r --arg id "$ID1" '.[] | select(.id == $id) | .hostname' "$T_TMP/ps.json")"
expect_eq "cgroup names the container" "1" \
  "$(jq -r --arg id "$ID1" '.[] | select(.id == $id) | .cgroup' "$T_TMP/ps.json" | grep -c "libpod-$ID1")"
expect_eq "labels are the bundle's annotations" "libpod" \
  "$(jq -r --arg id "$ID1" '.[] | select(.id == $id) | .labels["io.container.manager"]' "$T_TMP/ps.json")"
t_end

t_begin "ps-json-groups-processes-init-is-lowest"
expect_eq "pids of one" "$PID1" "$(jq -r --arg id "$ID1" '.[] | select(.id == $id) | .pids | map(tostring) | join(" ")' "$T_TMP/ps.json")"
want=$(podman top "$P-two" hpid | grep -o '[0-9]*' | sort -n | tr '\n' ' ' | sed 's/ $//')
expect_eq "pids of two" "$want" "$(jq -r --arg id "$ID2" '.[] | select(.id == $id) | .pids | map(tostring) | join(" ")' "$T_TMP/ps.json")"
expect_eq "two has two processes" "2" "$(jq -r --arg id "$ID2" '.[] | select(.id == $id) | .pids | length' "$T_TMP/ps.json")"
expect_eq "init of two" "$PID2" "$(jq -r --arg id "$ID2" '.[] | select(.id == $id) | .pid' "$T_TMP/ps.json")"
# conmon shares the container's id in its cgroup name but not its mount namespace
expect_eq "containers listed once" "1" "$(jq -r --arg id "$ID2" '[.[] | select(.id == $id)] | length' "$T_TMP/ps.json")"
t_end

t_begin "ps-quiet-prints-ids"
q=$(ctrgit ps -q)
expect_eq "short id of one" "${ID1:0:12}" "$(grep -x "${ID1:0:12}" <<<"$q")"
expect_eq "short id of two" "${ID2:0:12}" "$(grep -x "${ID2:0:12}" <<<"$q")"
expect_eq "only ids" "" "$(grep -vxE '[0-9a-f]{12}' <<<"$q")"
q=$(ctrgit ps -q --no-trunc)
expect_eq "full id of one" "$ID1" "$(grep -x "$ID1" <<<"$q")"
expect_eq "only full ids" "" "$(grep -vxE '[0-9a-f]{64}' <<<"$q")"
expect_eq "--no-trunc table" "$ID2" "$(ctrgit ps --no-trunc | grep -o "^$ID2")"
t_end

t_begin "ps-stopped-container-disappears"
podman stop -t 0 "$P-one" >/dev/null 2>&1 || t_fail_msg "podman stop failed"
q=$(ctrgit ps -q --no-trunc)
expect_eq "one is gone" "" "$(grep -x "$ID1" <<<"$q")"
expect_eq "two is still there" "$ID2" "$(grep -x "$ID2" <<<"$q")"
expect_eq "and gone from json" "0" "$(ctrgit ps --json | jq --arg id "$ID1" '[.[] | select(.id == $id)] | length')"
t_end

t_begin "ps-needs-no-store"
got=$(CTRGIT_REPO="$T_TMP/no-such-store" "$CTRGIT" ps -q --no-trunc | grep -x "$ID2")
expect_eq "ps without a store" "$ID2" "$got"
[ -e "$T_TMP/no-such-store" ] && t_fail_msg "ps created a store"
t_end

t_begin "ps-bad-usage-exits-2"
expect_fail 2 'unexpected argument "extra"' ctrgit ps extra
expect_fail 2 'Unknown option --bogus' ctrgit ps --bogus
t_end

t_done
