#!/usr/bin/env bash
# Store benchmark part (bench/run.sh runs it as a part; see bench/store_bench.c):
#   - detections written per second into the store, against JSON lines;
#   - the same detections again (all duplicates: a re-run);
#   - reading back in pages, and an indexed count;
#   - the cost of --store in a real hunt, same input and rules, with and without it
#     (STORE_BENCH_INPUT, or STORE_BENCH_LINES generated lines, default 1000000).
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

# The same in a hunt: generated web logs (one probe line in seven matches the rule), the
# same run with JSON lines only and with JSON lines plus --store.
if "$TRAWL" hunt --help 2>/dev/null | grep -q -- '--store'; then
    input=${STORE_BENCH_INPUT:-}
    if [ -z "$input" ]; then
        input="$WORK/logs"
        mkdir -p "$input"
        lines=${STORE_BENCH_LINES:-1000000}
        [ -s "$input/web.log" ] || tests/data/store/genlog.sh 0 "$lines" bench > "$input/web.log"
    fi
    rules=${STORE_BENCH_RULES:-tests/data/store/rules}
    rm -f "$WORK"/hunt.db*
    t0=$(date +%s.%N)
    "$TRAWL" hunt -q -r "$rules" --format jsonl -o "$WORK/hunt.jsonl" "$input" || exit 1
    t1=$(date +%s.%N)
    "$TRAWL" hunt -q -r "$rules" --format jsonl -o "$WORK/hunt2.jsonl" --store "$WORK/hunt.db" \
        "$input" || exit 1
    t2=$(date +%s.%N)
    "$TRAWL" hunt -q -r "$rules" --format jsonl -o "$WORK/hunt3.jsonl" --store "$WORK/hunt.db" \
        "$input" || exit 1
    t3=$(date +%s.%N)
    dets=$(wc -l < "$WORK/hunt.jsonl")
    mb=$(du -m "$input" | tail -n 1 | cut -f1)
    awk -v a="$t0" -v b="$t1" -v c="$t2" -v e="$t3" -v d="$dets" -v mb="$mb" 'BEGIN {
        printf "hunt over %d MB: %d detections; JSON lines only %.2f s, with --store %.2f s (%.2fx); re-run with --store (all unchanged) %.2f s\n", mb, d, b-a, c-b, (c-b)/(b-a), e-c;
        printf "RESULT hunt_jsonl_seconds %.2f s\n", b-a;
        printf "RESULT hunt_store_seconds %.2f s\n", c-b;
        printf "RESULT hunt_store_overhead %.2f x\n", (c-b)/(b-a);
        printf "RESULT hunt_store_rerun_seconds %.2f s\n", e-c }'
    rm -f "$WORK"/hunt*.jsonl "$WORK"/hunt.db*
fi
rm -f "$WORK"/store_bench.db*
