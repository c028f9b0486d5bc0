#!/usr/bin/env bash
# Line-based decoders (combined, W3C/IIS, Zeek TSV): single-thread MB/s and
# lines/s through tr_reader (read + frame + parse) and through the parser
# alone, on generated files of BENCH_TEXT_MB megabytes (default 512), kept
# in BENCH_WORK between runs. Prints "RESULT name value unit" lines for
# bench/run.sh. Usage: bench/text_bench.sh [combined|w3c|zeek…]
set -eu
cd "$(dirname "$0")/.."
BUILD=${BENCH_BUILD:-build}
WORK=${BENCH_WORK:-/tmp}
mkdir -p "$WORK"
[ -x "$BUILD/bench/weblog_bench" ] || make -s bench-programs >/dev/null
exec "$BUILD/bench/weblog_bench" -s "${BENCH_TEXT_MB:-512}" -d "$WORK" "$@"
