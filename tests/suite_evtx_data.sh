#!/usr/bin/env bash
# The EVTX test files: tests/tools/mkevtx.py writes exactly the committed
# bytes, and libevtx's own evtxexport reads the sound ones completely (the
# files are real EVTX, not just something trawl agrees with itself about).
set -u
cd "$(dirname "$0")/.."
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
if command -v python3 >/dev/null; then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    if python3 tests/tools/mkevtx.py testdata "$tmp"; then
        while IFS= read -r f; do
            rel=${f#"$tmp"/}
            if cmp -s "$f" "tests/data/evtx/$rel"; then ok; else bad "$rel differs from mkevtx.py's output"; fi
        done < <(find "$tmp" -type f | sort)
    else
        bad "mkevtx.py testdata failed"
    fi
else
    echo "skip: no python3 to regenerate the EVTX test files"
fi
if command -v evtxexport >/dev/null; then
    for spec in shapes.evtx:11 multi.evtx:120 parity/events.evtx:13; do
        f=${spec%:*} want=${spec#*:}
        got=$(evtxexport -f xml "tests/data/evtx/$f" 2>/dev/null | grep -c '^<Event ')
        if [ "$got" = "$want" ] && evtxinfo "tests/data/evtx/$f" | grep -qv 'Is corrupted'; then ok
        else bad "evtxexport reads $got events of $f (expected $want)"; fi
        if evtxinfo "tests/data/evtx/$f" | grep -q 'Is corrupted'; then bad "libevtx says $f is corrupted"; else ok; fi
    done
else
    echo "skip: no evtxexport (libevtx-utils) to check the test files with"
fi
echo "evtx data: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
