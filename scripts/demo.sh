#!/usr/bin/env bash
# make demo: the main job of the README. Simulates a fleet hit by APT41's 2020
# wave (with mass scanners and benign look-alikes), hunts it with the bundled
# content into a store, and prints the campaign report.
#   scripts/demo.sh [TRAWL]     DEMO_OUT=demo-out DEMO_SEED=2020
set -euo pipefail
cd "$(dirname "$0")/.."
TRAWL=${1:-build/trawl}
OUT=${DEMO_OUT:-demo-out}
SEED=${DEMO_SEED:-2020}
rm -rf "$OUT"
mkdir -p "$OUT"

echo "== 1. simulate the fleet (seed $SEED) into $OUT/"
"$TRAWL" sim --scenario apt41-2020 --out "$OUT" --seed "$SEED"
echo "   $(($(wc -l < "$OUT/fleet.csv") - 1)) tenants, $(du -sh "$OUT/logs" | cut -f1) of logs"

echo
echo "== 2. hunt every tenant's logs with the bundled Sigma rules and feeds"
"$TRAWL" hunt --fleet "$OUT/fleet.csv" --store "$OUT/trawl.db" -o "$OUT/detections.jsonl" \
    --format jsonl "$OUT/logs"
echo "   detections: $(wc -l < "$OUT/detections.jsonl") (also in $OUT/trawl.db)"

if "$TRAWL" help campaigns >/dev/null 2>&1; then
    echo
    echo "== 3. campaigns"
    "$TRAWL" campaigns --store "$OUT/trawl.db" --fleet "$OUT/fleet.csv" --format html \
        -o "$OUT/report.html"
    "$TRAWL" campaigns --store "$OUT/trawl.db" --fleet "$OUT/fleet.csv" --format text
    echo
    echo "HTML report: $OUT/report.html"
else
    echo
    echo "== 3. detections by rule"
    "$TRAWL" query --store "$OUT/trawl.db" --format csv | cut -d, -f6 | sort | uniq -c | sort -rn
fi
