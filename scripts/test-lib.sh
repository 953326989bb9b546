# shellcheck shell=bash
# Shared by the test scripts that run a list of checks (scripts/test-cross.sh,
# scripts/test-demo.sh, scripts/test-board.sh; source it): a failed check is
# counted and the script goes on, so that one run reports every failure;
# finish_checks turns the count into the exit status.

check_failures=0

# step TEXT: a heading for the checks that follow.
step() { printf '\n==> %s\n' "$*"; }
# pass TEXT / fail TEXT: one check's verdict.
pass() { echo "PASS: $*"; }
fail() {
    echo "FAIL: $*" >&2
    check_failures=$((check_failures + 1))
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

# finish_checks NAME: the verdict line; exits 1 if a check failed.
finish_checks() {
    echo
    if [ "$check_failures" != 0 ]; then
        echo "$1: $check_failures check(s) failed" >&2
        exit 1
    fi
    echo "$1: all checks passed"
}
