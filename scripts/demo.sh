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
# exit status 1 means some input could not be used (reported above); go on with the rest
"$TRAWL" hunt --fleet "$OUT/fleet.csv" --store "$OUT/trawl.db" -o "$OUT/detections.jsonl" \
    --format jsonl "$OUT/logs" || [ $? -eq 1 ]
echo "   detections: $(wc -l < "$OUT/detections.jsonl") (also in $OUT/trawl.db)"

echo
echo "== 3. campaigns"
for fmt in html json stix text; do
    ext=$fmt; [ $fmt = stix ] && ext=stix.json; [ $fmt = text ] && ext=txt
    "$TRAWL" campaigns -q --store "$OUT/trawl.db" --format $fmt -o "$OUT/report.$ext"
done
"$TRAWL" campaigns -q --store "$OUT/trawl.db" --format text --brief
echo "Reports: $OUT/report.html (open it in a browser), report.txt (with the evidence of"
echo "every tenant down to path:line), report.json (campaign JSON), report.stix.json (STIX 2.1)."
