# tests/e2e/registry.sh: sourced (after tests/lib.sh) by tests that need a
# registry. Private docker-registry instances from hack/registry, on
# 127.0.0.1, stopped when the test exits.
#   need_registry
#       skips the whole test (and ends it) if docker-registry is missing.
#   registry_start NAME [--auth none|htpasswd|token] [--tls]
#       starts NAME afresh (empty storage) and sets REG_ADDR (127.0.0.1:PORT),
#       REG_NAME, REG_DIR (its directory), REG_CREDS ("ctrgit:s3cret", or
#       empty without --auth), REG_CERT_DIR (a --cert-dir holding only its
#       CA with --tls, else empty); returns 1 (with REG_ADDR unset) if it
#       could not start.
#   registry_seed ADDR SRC REPO:TAG [skopeo copy args...]
#       skopeo copy SRC docker://ADDR/REPO:TAG, quiet unless it fails, with
#       the credentials and CA of the instance at ADDR.
#   registry_kill NAME
#       SIGKILL to the registry NAME, as a crash would (no draining).
#   registry_restart NAME PORT
#       starts NAME again on PORT with the storage it had.
#   registry_proxy ADDR RATE
#       a relay (hack/registry-proxy.py) in front of the registry at ADDR,
#       that sends responses to requests without Range at RATE bytes/s and
#       logs each request and its Range; sets PROXY_ADDR and PROXY_LOG.
#       Stopped when the test exits.
#   registry_fault_proxy ADDR ARGS...
#       a fault proxy (hack/registry-fault-proxy.py) in front of the registry
#       at ADDR with ARGS (the faults it injects); sets PROXY_ADDR and PLOG
#       (its log). Stopped when the test exits.
# shellcheck disable=SC2034 # REG_* are for the sourcing test
REGISTRY_DIR=${CTRGIT_REGISTRY_DIR:-/var/tmp/ctrgit-registry}
REG_STARTED=()
PROXY_PIDS=()
REG_TRAP_SET=0

# Runs on EXIT, before what lib.sh (or the test) had there.
_registry_exit() {
  local n
  for n in "${PROXY_PIDS[@]}"; do
    kill "$n" 2>/dev/null || true
  done
  for n in "${REG_STARTED[@]}"; do
    "$ROOT_DIR/hack/registry" stop "$n" >/dev/null 2>&1 || true
  done
}

need_registry() {
  command -v docker-registry >/dev/null && return 0
  t_skip "registry" "docker-registry is not installed"
  t_done
}

registry_start() {
  local name=$1 prev
  shift
  unset REG_ADDR
  if [ $REG_TRAP_SET -eq 0 ]; then
    # Chain onto the current EXIT trap (lib.sh's rm -rf "$T_TMP") without losing it.
    prev=$(trap -p EXIT)
    prev=${prev#trap -- \'}
    prev=${prev%\' EXIT}
    prev=${prev//\'\\\'\'/\'}
    # shellcheck disable=SC2064 # $prev is expanded now, on purpose
    trap "_registry_exit; $prev" EXIT
    REG_TRAP_SET=1
  fi
  REG_STARTED+=("$name")
  local addr
  addr=$("$ROOT_DIR/hack/registry" start "$name" --fresh "$@") || {
    echo "# registry_start $name $*: hack/registry failed" >&2
    return 1
  }
  REG_ADDR=$addr
  REG_NAME=$name
  REG_DIR=$REGISTRY_DIR/$name
  _registry_access "$REG_DIR"
}

# _registry_access DIR: REG_CREDS and REG_CERT_DIR of the instance in DIR.
_registry_access() {
  local opts
  opts=$(cat "$1/options" 2>/dev/null || true)
  REG_CREDS="" REG_CERT_DIR=""
  [[ "$opts" == *auth=none* ]] || REG_CREDS=ctrgit:s3cret
  [[ "$opts" != *tls=1* ]] || REG_CERT_DIR=$1/trust
}

registry_seed() {
  local addr=$1 src=$2 dest=$3 d found="" args=() out
  shift 3
  for d in "$REGISTRY_DIR"/*/; do
    if [ "$(cat "${d}addr" 2>/dev/null)" = "$addr" ]; then found=${d%/}; break; fi
  done
  if [ -n "$found" ]; then
    local REG_CREDS REG_CERT_DIR
    _registry_access "$found"
    [ -z "$REG_CREDS" ] || args+=(--dest-creds "$REG_CREDS")
    [ -z "$REG_CERT_DIR" ] || args+=(--dest-cert-dir "$REG_CERT_DIR")
  fi
  if ! out=$(skopeo copy -q --dest-tls-verify=false "${args[@]}" "$src" "docker://$addr/$dest" "$@" 2>&1); then
    echo "# registry_seed: skopeo copy $src docker://$addr/$dest failed:" >&2
    printf '#   %s\n' "${out//$'\n'/$'\n#   '}" >&2
    return 1
  fi
}

registry_kill() {
  local pid
  pid=$(cat "$REGISTRY_DIR/$1/pid" 2>/dev/null) || return 1
  kill -KILL "$pid" 2>/dev/null || return 1
  while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
}

registry_restart() {
  "$ROOT_DIR/hack/registry" start "$1" --port "$2" >/dev/null
}

registry_proxy() {
  local dir i
  dir=$(mktemp -d "$T_TMP/proxy.XXXXXX")
  PROXY_LOG=$dir/log
  : >"$PROXY_LOG"
  python3 "$ROOT_DIR/hack/registry-proxy.py" --upstream "$1" --rate "$2" \
    --port-file "$dir/port" --log "$PROXY_LOG" </dev/null >"$dir/stderr" 2>&1 &
  PROXY_PIDS+=("$!")
  for ((i = 0; i < 100; i++)); do
    [ -s "$dir/port" ] && break
    sleep 0.05
  done
  [ -s "$dir/port" ] || { echo "# registry_proxy: did not start: $(cat "$dir/stderr")" >&2; return 1; }
  PROXY_ADDR=127.0.0.1:$(cat "$dir/port")
}

registry_fault_proxy() {
  local dir up=$1
  shift
  dir=$(mktemp -d "$T_TMP/proxy.XXXXXX")
  PLOG=$dir/log
  python3 "$ROOT_DIR/hack/registry-fault-proxy.py" --upstream "$up" --port-file "$dir/port" \
    --log "$PLOG" "$@" </dev/null >"$dir/stderr" 2>&1 &
  PROXY_PIDS+=("$!")
  # shellcheck disable=SC2016 # $1 is the inner shell's
  timeout 10 sh -c 'until [ -s "$1" ]; do sleep 0.05; done' sh "$dir/port" \
    || { t_fail_msg "fault proxy did not start: $(cat "$dir/stderr")"; return 1; }
  PROXY_ADDR=127.0.0.1:$(cat "$dir/port")
}
