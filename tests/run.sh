#!/usr/bin/env bash
# Runs every test suite and sums their "N passed, M failed" lines.
#   unit tests, end-to-end cases, fuzz-corpus replays, and tests/suite_*.sh
# Ends with one line "N passed, M failed"; exit status 1 if anything failed.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export TRAWL="$PWD/$BUILD/trawl" BUILD TT_DATADIR="$PWD/tests/data"
total_pass=0 total_fail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run_suite() { # name, command…
    local name=$1; shift
    "$@" >"$log" 2>&1
    local rc=$?
    local line
    line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
    local p f
    p=$(sed -nE 's/^(.*[^0-9])?([0-9]+) passed, ([0-9]+) failed.*/\2/p' <<<"$line")
    f=$(sed -nE 's/^(.*[^0-9])?([0-9]+) passed, ([0-9]+) failed.*/\3/p' <<<"$line")
    if [ -z "$p" ]; then p=0; f=1; fi
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    if [ "$f" -ne 0 ] || [ -n "${VERBOSE:-}" ]; then
        sed 's/^/    /' "$log" | tail -n 60
    fi
    printf '%-28s %5d passed, %d failed\n' "$name" "$p" "$f"
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
}

run_suite unit "$BUILD/tests/unit"
run_suite e2e tests/e2e/run.sh
for replay in "$BUILD"/fuzz/replay_*; do
    [ -x "$replay" ] || continue
    name=${replay##*/replay_}
    run_suite "fuzz-corpus $name" "$replay" "tests/fuzz/corpus/$name"
done
for suite in tests/suite_*.sh; do
    [ -x "$suite" ] || continue
    name=${suite#tests/suite_}
    run_suite "${name%.sh}" "$suite"
done
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
