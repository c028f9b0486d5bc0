#!/usr/bin/env bash
# Campaigns end to end: simulated fleets of several seeds and sizes go
# through `trawl hunt` and `trawl campaigns`; the APT41 campaign must equal
# the simulator's truth exactly (targeted, exploited and compromised tenants,
# countries, sectors, first/last seen, per-CVE counts and windows,
# infrastructure) with scanner-only tenants excluded; the store and JSON-lines
# paths must give the same report, and a re-run the same bytes.
# Prints "N passed, M failed".
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
TRAWL=${TRAWL:-$PWD/$BUILD/trawl}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
# same campaigns, benign values and conflicts (the read counters may differ)
same_report() {
    python3 -c 'import json,sys
a,b=(json.load(open(f)) for f in sys.argv[1:3])
for r in (a,b): r.pop("summary")
sys.exit(a!=b)' "$1" "$2"
}
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL $*"; }

# name, then trawl sim options
fleet() {
    local name=$1; shift
    local d="$work/$name"
    if ! "$TRAWL" sim --scenario apt41-2020 --out "$d" "$@" >/dev/null 2>"$work/err"; then
        ko "$name: sim failed: $(head -n 3 "$work/err")"; return 1
    fi
    # the Citrix shell logs are RFC 3164 (no year): the simulated year is 2020
    # (exit status 1: a log could not be read, e.g. an empty one; the rest counts)
    "$TRAWL" hunt -q --year 2020 -r content/rules -i content/feeds/apt41-2020.csv \
        --fleet "$d/fleet.csv" --format jsonl -o "$d/det.jsonl" "$d/logs" 2>"$work/err"
    if [ $? -gt 1 ] || [ ! -s "$d/det.jsonl" ]; then
        ko "$name: hunt failed: $(head -n 3 "$work/err")"; return 1
    fi
    if ! "$TRAWL" campaigns -q --fleet "$d/fleet.csv" --format json -o "$d/camp.json" \
            "$d/det.jsonl" 2>"$work/err"; then
        ko "$name: campaigns failed: $(head -n 3 "$work/err")"; return 1
    fi
    local res
    res=$(python3 tests/data/campaign/truth_check.py "$d/camp.json" "$d/truth.json")
    if [ $? -eq 0 ]; then ok; else ko "$name: $(grep FAIL <<<"$res" | head -n 5)"; fi
    return 0
}

fleet seed1 --seed 1 && d1="$work/seed1"
fleet seed5 --seed 5
fleet small --seed 7 --orgs 30 --benign-rate 2
fleet large --seed 8 --orgs 200 --targeted 120 --compromised 14 --benign-rate 2
fleet window --seed 10 --days 2020-01-18..2020-02-22 --benign-rate 2

if [ -n "${d1:-}" ]; then
    # same detections, shuffled and duplicated: the same report
    python3 - "$d1/det.jsonl" "$work/shuf.jsonl" <<'PY'
import random, sys
lines = open(sys.argv[1]).read().splitlines()
random.Random(42).shuffle(lines)
open(sys.argv[2], "w").write("\n".join(lines + lines[:1000]) + "\n")
PY
    "$TRAWL" campaigns -q --fleet "$d1/fleet.csv" --format json -o "$work/shuf.json" \
        "$work/shuf.jsonl" 2>/dev/null
    if same_report "$d1/camp.json" "$work/shuf.json"; then ok; else ko "shuffled input changes the report"; fi
    # through a store
    if "$TRAWL" hunt -q --year 2020 -r content/rules -i content/feeds/apt41-2020.csv \
            --fleet "$d1/fleet.csv" --store "$work/s.db" --format jsonl -o /dev/null \
            "$d1/logs" 2>/dev/null &&
        "$TRAWL" campaigns -q --store "$work/s.db" --fleet "$d1/fleet.csv" --format json \
            -o "$work/store.json" 2>/dev/null; then
        if same_report "$d1/camp.json" "$work/store.json"; then ok; else ko "store and JSON lines differ"; fi
    else
        ko "campaigns --store failed"
    fi
    # a re-run gives the same bytes
    "$TRAWL" campaigns -q --fleet "$d1/fleet.csv" --format json -o "$work/again.json" \
        "$d1/det.jsonl" 2>/dev/null
    if cmp -s "$d1/camp.json" "$work/again.json"; then ok; else ko "a re-run gives other bytes"; fi
    # every format runs and the text headline is the reporting's sentence
    for f in text json html stix; do
        if "$TRAWL" campaigns -q --fleet "$d1/fleet.csv" --format $f -o "$work/r.$f" \
                "$d1/det.jsonl" 2>"$work/err" && [ -s "$work/r.$f" ]; then ok
        else ko "--format $f: $(head -n 2 "$work/err")"; fi
    done
    if grep -Eq '^  APT41: 78 organisations targeted in 20 countries and 19 sectors between 2020-01-20 and 2020-03-11; 8 compromised' "$work/r.text"; then ok
    else ko "text headline: $(grep -m1 'APT41:' "$work/r.text")"; fi
fi
echo "campaign: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
