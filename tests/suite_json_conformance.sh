#!/usr/bin/env bash
# JSON conformance: one result per file of tests/data/json-conformance
# (y_* must be accepted, n_* rejected), run by the unit-test binary.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
out=$(TT_JSON_CONFORMANCE=1 TT_DATADIR="$PWD/tests/data" "$BUILD/tests/unit" json_conformance)
rc=$?
pass=$(grep -c '^ok ' <<<"$out")
fail=$(grep -c '^not ok ' <<<"$out")
grep '^not ok ' <<<"$out"
if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then fail=1; fi
echo "json conformance: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$rc" -eq 0 ]
