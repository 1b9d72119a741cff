# tests/lib.sh: sourced by tests/e2e/test-*.sh. TAP output, one behaviour per
# test, each named after what it asserts.
#   t_begin NAME; ...checks...; t_end       or   t_run NAME CMD...
#   expect_ok CMD..., expect_fail CODE PATTERN CMD... (exit code and message)
set -u
: "${CTRGIT:?set CTRGIT to the ctrgit binary}"
T_N=0
T_FAILED=0
T_CUR=""
T_CUR_OK=1
TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT_DIR=$(cd "$TESTS_DIR/.." && pwd)
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/ctrgit-test.XXXXXX")
trap 'rm -rf "$T_TMP"' EXIT
export CTRGIT_REPO="$T_TMP/store"

ctrgit() { "$CTRGIT" "$@"; }

t_begin() { T_CUR=$1; T_CUR_OK=1; }
t_fail_msg() { echo "#   $*"; T_CUR_OK=0; }
t_end() {
  T_N=$((T_N+1))
  if [ $T_CUR_OK -eq 1 ]; then echo "ok $T_N - $T_CUR"; else echo "not ok $T_N - $T_CUR"; T_FAILED=1; fi
}
t_skip() { T_N=$((T_N+1)); echo "ok $T_N - $1 # skip ${2:-}"; }

# expect_ok CMD...: runs CMD, fails the current test if it exits non-zero.
expect_ok() {
  local out
  if ! out=$("$@" 2>&1); then t_fail_msg "command failed: $*"; printf '#     %s\n' "${out//$'\n'/$'\n#     '}"; return 1; fi
  return 0
}
# expect_fail CODE PATTERN CMD...: CMD must exit CODE and print PATTERN (grep -E) on stderr.
expect_fail() {
  local code=$1 pat=$2; shift 2
  local err rc
  err=$("$@" 2>&1 >/dev/null); rc=$?
  if [ "$rc" -ne "$code" ]; then t_fail_msg "expected exit $code, got $rc: $*"; echo "#     $err"; return 1; fi
  if ! grep -qE -- "$pat" <<<"$err"; then t_fail_msg "message lacks /$pat/: $err"; return 1; fi
  return 0
}
# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
  if [ "$2" != "$3" ]; then t_fail_msg "$1: expected [$2], got [$3]"; return 1; fi
}
# expect_out WHAT EXPECTED CMD...: CMD must succeed and print exactly EXPECTED
# (a crash that prints nothing does not pass for empty output).
expect_out() {
  local what=$1 want=$2 got rc; shift 2
  got=$("$@" 2>"$T_TMP/stderr"); rc=$?
  if [ $rc -ne 0 ]; then t_fail_msg "$what: exit $rc: $* ($(head -c 300 "$T_TMP/stderr"))"; return 1; fi
  expect_eq "$what" "$want" "$got"
}
t_run() { local n=$1; shift; t_begin "$n"; expect_ok "$@"; t_end; }
t_done() { exit $T_FAILED; }
