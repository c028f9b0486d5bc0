#!/usr/bin/env bash
# Store benchmark part (bench/run.sh runs it as a part; see bench/store_bench.c):
#   - detections written per second into the store, against JSON lines;
#   - the same detections again (all duplicates: a re-run);
#   - reading back in pages, and an indexed count;
#   - when `trawl hunt --store` exists: the cost of --store in a real hunt,
#     same input and rules, with and without it.
# Prints human lines and "RESULT name value unit" lines.
#   STORE_BENCH_N (default 1000000) detections; BENCH_WORK, BENCH_BUILD, TRAWL as bench/run.sh sets.
set -u
cd "$(dirname "$0")/.."
N=${STORE_BENCH_N:-1000000}
BUILD=${BENCH_BUILD:-$PWD/build}
WORK=${BENCH_WORK:-$PWD/bench/work}/store
TRAWL=${TRAWL:-$BUILD/trawl}
mkdir -p "$WORK"
[ -x "$BUILD/bench/store_bench" ] || make -s "$BUILD/bench/store_bench" >/dev/null
"$BUILD/bench/store_bench" "$N" "$WORK" || exit 1

# The same in a hunt, when the hunt can write a store and there is an input to hunt.
if "$TRAWL" hunt --help 2>/dev/null | grep -q -- '--store' && [ -n "${STORE_BENCH_INPUT:-}" ]; then
    rules=${STORE_BENCH_RULES:-content/rules}
    rm -f "$WORK"/hunt.db*
    t0=$(date +%s.%N)
    "$TRAWL" -q hunt -r "$rules" -f jsonl -o "$WORK/hunt.jsonl" "$STORE_BENCH_INPUT" || exit 1
    t1=$(date +%s.%N)
    "$TRAWL" -q hunt -r "$rules" -f jsonl -o "$WORK/hunt2.jsonl" --store "$WORK/hunt.db" \
        "$STORE_BENCH_INPUT" || exit 1
    t2=$(date +%s.%N)
    dets=$(wc -l < "$WORK/hunt.jsonl")
    awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$dets" 'BEGIN {
        printf "hunt: %d detections, %.2f s JSON lines only, %.2f s with --store (%.2fx)\n", d, b-a, c-b, (c-b)/(b-a);
        printf "RESULT hunt_store_overhead %.2f x\n", (c-b)/(b-a) }'
    rm -f "$WORK"/hunt*.jsonl "$WORK"/hunt.db*
fi
rm -f "$WORK"/store_bench.db*
