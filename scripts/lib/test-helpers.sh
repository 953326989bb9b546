# shellcheck shell=bash
# Shared by the test scripts that run a list of checks (scripts/test-cross.sh,
# scripts/test-demo.sh, scripts/test-board.sh, scripts/test-board-lwip.sh;
# source it): a failed check is counted and the script goes on, so that one
# run reports every failure; finish_checks turns the count into the exit
# status.

check_failures=0

# step TEXT: a heading for the checks that follow.
step() { printf '\n==> %s\n' "$*"; }
# pass TEXT / fail TEXT: one check's verdict.
pass() { echo "PASS: $*"; }
fail() {
    echo "FAIL: $*" >&2
    check_failures=$((check_failures + 1))
}

# check_run NAME LOG COMMAND...: one check that COMMAND succeeds, its
# output in LOG; on failure LOG's tail is shown. Always returns 0 (the
# count decides), so it is safe under `set -e`.
check_run() {
    local name=$1 log=$2
    shift 2
    if "$@" >"$log" 2>&1; then
        pass "$name"
    else
        tail -40 "$log" >&2
        fail "$name"
    fi
}

# expect_failure NAME LOG RC PATTERN...: a run that must fail cleanly: it
# exited non-zero (RC), did not hang until its timeout (124), and its
# output LOG contains every PATTERN (extended regex).
expect_failure() {
    local name=$1 log=$2 rc=$3
    shift 3
    if [ "$rc" = 0 ]; then fail "$name: exited 0"; return; fi
    if [ "$rc" = 124 ]; then fail "$name: hung until the timeout"; return; fi
    local pattern
    for pattern in "$@"; do
        grep -Eq "$pattern" "$log" || { fail "$name: output lacks /$pattern/"; return; }
    done
    pass "$name (exit $rc)"
}

# field NAME LINE: the value of NAME=value in LINE.
field() { sed -n "s/.*[[:space:]]$1=\([^[:space:]]*\).*/\1/p" <<<"$2"; }

# The two board tests (test-board.sh, test-board-lwip.sh) below; they need
# scripts/lib/demo-helpers.sh too.

# board_test_prerequisites: what both board tests need installed: the
# Debian packages, the Cortex-M Rust target, cargo.
board_test_prerequisites() {
    ensure_packages "${DEMO_PACKAGES[@]}" "${CORTEX_M_PACKAGES[@]}"
    ensure_cross_rust
    demo_require_cargo
}

# board_test_build ROOT WORK TITLE [cmake args...]: the steps "PKI" (an EC
# demo PKI in WORK/pki) and TITLE (the board firmware with it, built in
# WORK/firmware-build; its build time printed).
board_test_build() {
    local root=$1 work=$2 title=$3 t0
    shift 3
    step "PKI"
    KEY_TYPE=ec "$root/scripts/demo-pki.sh" "$work/pki" >/dev/null
    step "$title"
    t0=$(date +%s)
    demo_board_build "$root" "$work/firmware-build" "$work/pki" "$@"
    echo "build: $(( $(date +%s) - t0 )) s"
}

# board_demo_problem LOG RC N: why a board demo run is not a success, or
# nothing: it must exit 0 (RC), publish N messages and receive each back,
# and its low-priority task must have run during the handshake.
board_demo_problem() {
    local log=$1 rc=$2 n=$3
    if [ "$rc" != 0 ]; then
        echo "firmware exited $rc"
    elif ! grep -q "SUMMARY published=$n received=$n expected=$n unexpected=0 result=PASS" "$log"; then
        echo "no PASS summary with $n messages"
    elif [ "$(sed -n 's/^\[demo\] PUBLISHED topic=[^ ]* //p' "$log" | sort)" != "$(sed -n 's/^\[demo\] RECEIVED topic=[^ ]* //p' "$log" | sort)" ]; then
        echo "received messages differ from published ones"
    elif ! grep -q 'NO-STARVE .*result=PASS' "$log"; then
        echo "the low-priority task did not run during the handshake"
    fi
}

# check_broker_identity BROKER_DIR: Mosquitto (demo_start_broker's log in
# BROKER_DIR) took the test token's certificate as the client identity.
check_broker_identity() {
    if grep -q 'u.freertos-tls-demo-device' "$1/mosquitto.log"; then
        pass "broker authenticated the device certificate from the test token"
    else
        fail "broker log lacks the device identity"
    fi
}

# finish_checks NAME: the verdict line; exits 1 if a check failed.
finish_checks() {
    echo
    if [ "$check_failures" != 0 ]; then
        echo "$1: $check_failures check(s) failed" >&2
        exit 1
    fi
    echo "$1: all checks passed"
}
