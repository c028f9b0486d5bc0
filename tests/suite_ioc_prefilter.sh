#!/usr/bin/env bash
# The indicator prefilter (on by default) must never change what a hunt
# finds: `hunt -i` with and without --no-ioc-prefilter gives byte-identical
# detections on
#   1. a fixture written to defeat naive prefilters (tests/data/ioc/prefilter:
#      JSON \u escapes and \/ in URLs, Zeek and web-log \x escapes, %2E/%65 in
#      URL paths, IPv4-mapped IPv6 in hex, zero-padded octets, upper-case
#      names and digests, expanded IPv6, CIDR indicators, trailing-dot hosts),
#      whose expected detections are counted, and
#   2. a simulated fleet (trawl sim), with indicators only (lines skipped
#      unparsed) and with Sigma rules too (lines parsed, indicator scan skipped).
# Prints "N passed, M failed".
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
TRAWL=${TRAWL:-$PWD/$BUILD/trawl}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL $*"; }

# same NAME ARGS…: hunt with and without the prefilter, compare
same() {
    local name=$1; shift
    "$TRAWL" hunt "$@" --format jsonl --no-progress -j 2 -o "$work/$name.pf" \
        2>"$work/$name.pf.err"
    "$TRAWL" hunt "$@" --no-ioc-prefilter --format jsonl --no-progress -j 2 \
        -o "$work/$name.full" 2>"$work/$name.full.err"
    if [ ! -s "$work/$name.full" ]; then
        ko "$name: no detections at all (fixture broken?)"; return
    fi
    if cmp -s "$work/$name.pf" "$work/$name.full"; then ok; else
        ko "$name: detections differ with the prefilter:"
        diff "$work/$name.pf" "$work/$name.full" | head -n 10
    fi
}

D=tests/data/ioc/prefilter
same fixture -i $D/feed.txt $D/eve.json $D/dns.log $D/access.log
n=$(grep -c '"kind":"ioc"' "$work/fixture.full")
# 24 planted matches, each only visible after decoding or normalising
if [ "$n" -eq 24 ]; then ok; else ko "fixture: $n indicator detections, expected 24"; fi
if grep -q ' 5 lines without any indicator text, not parsed' "$work/fixture.pf.err"; then ok; else
    ko "fixture: summary does not count the 5 unparsed lines: $(grep 'not parsed' "$work/fixture.pf.err")"
fi
if grep -q 'not parsed' "$work/fixture.full.err"; then ko "fixture: lines skipped with --no-ioc-prefilter"; else ok; fi

# an index with a literal too short for the prefilter: one note, every line parsed
printf '::1\nevil.com\n' >"$work/short.txt"
"$TRAWL" hunt -i "$work/short.txt" --format jsonl --no-progress -o /dev/null $D/eve.json \
    2>"$work/short.err"
if [ "$(grep -c 'prefilter off' "$work/short.err")" = 1 ] && ! grep -q 'not parsed' "$work/short.err"
then ok; else ko "short literal: $(cat "$work/short.err")"; fi

d="$work/fleet"
"$TRAWL" sim --scenario apt41-2020 --out "$d" --seed 5 --orgs 16 --benign-rate 40 >/dev/null 2>&1
if [ -d "$d/logs" ]; then
    same fleet_ioc --year 2020 -i content/feeds/apt41-2020.csv "$d/logs"
    same fleet_all --year 2020 -r content/rules -i content/feeds/apt41-2020.csv "$d/logs"
    if grep -q 'not parsed' "$work/fleet_ioc.pf.err"; then ok; else ko "fleet: no line skipped"; fi
else
    ko "trawl sim wrote no fleet"
fi
echo "ioc prefilter: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
