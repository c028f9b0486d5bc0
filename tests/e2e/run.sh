#!/usr/bin/env bash
# End-to-end cases: tests/e2e/cases/NNNN-slug/ each hold
#   cmd          shell commands run with $TRAWL in the case directory
#   expect       expected stdout (optional)
#   expect_err   patterns (grep -E), one a line: stderr must contain every one (optional)
#   status       expected exit status (default 0)
# A case passes when all given expectations hold.
set -u
cd "$(dirname "$0")"
: "${TRAWL:?TRAWL must point at the trawl binary}"
export TRAWL
pass=0 fail=0
only=${1:-}
for dir in cases/*/; do
    dir=${dir%/}
    name=${dir#cases/}
    [ -n "$only" ] && [[ $name != *"$only"* ]] && continue
    [ -f "$dir/cmd" ] || continue
    out=$(mktemp) err=$(mktemp)
    (cd "$dir" && bash ./cmd) >"$out" 2>"$err"
    rc=$?
    want_rc=0
    [ -f "$dir/status" ] && want_rc=$(cat "$dir/status")
    ok=1 why=""
    if [ "$rc" != "$want_rc" ]; then ok=0; why="exit status $rc, expected $want_rc"; fi
    if [ $ok = 1 ] && [ -f "$dir/expect" ] && ! diff -u "$dir/expect" "$out" >"$out.diff"; then
        ok=0; why="stdout differs:"$'\n'"$(head -n 40 "$out.diff")"
    fi
    if [ $ok = 1 ] && [ -f "$dir/expect_err" ]; then
        while IFS= read -r pat || [ -n "$pat" ]; do
            [ -z "$pat" ] && continue
            if ! grep -Eq -e "$pat" "$err"; then
                ok=0; why="stderr lacks $pat"$'\n'"$(head -n 20 "$err")"; break
            fi
        done < "$dir/expect_err"
    fi
    if [ $ok = 1 ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $name: $why"
        [ -s "$err" ] && sed 's/^/  stderr: /' "$err" | head -n 10
    fi
    rm -f "$out" "$err" "$out.diff"
done
echo "e2e: $pass passed, $fail failed"
[ $fail -eq 0 ]
