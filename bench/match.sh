#!/usr/bin/env bash
# Matching primitives and route stage benchmark part (bench/run.sh part; see
# bench/match_bench.c): build time and memory of 1M-entry prefix and string
# sets (the indicator engine's budget is 150 MB for 1M mixed indicators),
# lookup cost, Vectorscan literal scan throughput, PCRE2 match cost and the
# time a catastrophic regex takes to hit its limit, and routing one event.
# Prints human lines and "RESULT name value unit" lines.
#   MATCH_BENCH_N (default 1000000); BENCH_BUILD as bench/run.sh sets.
set -u
cd "$(dirname "$0")/.."
BUILD=${BENCH_BUILD:-$PWD/build}
[ -x "$BUILD/bench/match_bench" ] || make -s "$BUILD/bench/match_bench" >/dev/null
"$BUILD/bench/match_bench" "${MATCH_BENCH_N:-1000000}"
