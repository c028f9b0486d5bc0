#!/usr/bin/env bash
# JSON event parsing: trawl's tokenizer + flattener against cJSON on the same
# Sysmon-like JSON lines (throughput, one thread, CPU time), then the peak RSS
# of `trawl cat` over a multi-gigabyte JSON input.
#
#   bench/json.sh [TRAWL]     env: BENCH_WORK (scratch dir), BENCH_BUILD (build dir),
#                             JSON_BENCH_MB (throughput input, default 256),
#                             JSON_RSS_MB (RSS input, default 2200), JSON_BENCH_PASSES (3)
# Prints "RESULT name value unit" lines for bench/run.sh.
set -eu
cd "$(dirname "$0")/.."
TRAWL=${1:-${TRAWL:-build/trawl}}
BUILD=${BENCH_BUILD:-build}
WORK=${BENCH_WORK:-/tmp}
MB=${JSON_BENCH_MB:-256}
RSS_MB=${JSON_RSS_MB:-2200}
PASSES=${JSON_BENCH_PASSES:-3}
BIN=$BUILD/bench/json_bench
[ -x "$BIN" ] || make -s "$BIN"
mkdir -p "$WORK"

data=$WORK/json-sysmon-${MB}M.jsonl
[ -s "$data" ] || "$BIN" gen "$data" "$MB"
"$BIN" run "$data" "$PASSES"

# Peak RSS: trawl cat streams, so memory must not grow with the input.
big=$WORK/json-sysmon-rss-$$.jsonl
trap 'rm -f "$big" "$big.time"' EXIT
"$BIN" gen "$big" "$RSS_MB" >/dev/null
/usr/bin/time -v "$TRAWL" cat --input-format evtx-json "$big" >/dev/null 2>"$big.time"
rss_kb=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$big.time")
wall=$(sed -n 's/^[[:space:]]*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$big.time")
size=$(stat -c %s "$big")
echo "  trawl cat over $((size / 1048576)) MiB of evtx-json: peak RSS $((rss_kb / 1024)) MiB" \
     "(limit 64 MiB), wall $wall"
echo "RESULT cat_peak_rss_mib $((rss_kb / 1024)) MiB"
echo "RESULT cat_input_mib $((size / 1048576)) MiB"
if [ "$rss_kb" -gt $((64 * 1024)) ]; then
    echo "json bench: peak RSS above 64 MiB" >&2
    exit 1
fi
