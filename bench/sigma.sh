#!/usr/bin/env bash
# Sigma engine benchmark part (bench/run.sh runs it as a part; see bench/sigma_bench.c):
# 1,000,000 Sysmon-like process-creation events (tr_events built directly, named as the
# evtx-json parser names them) against 100, 1,000 and all SigmaHQ process_creation rules,
# in one run, on one thread. Prints events per second for each, the ratio of the time
# with ten times the rules, and "RESULT name value unit" lines. CPU time is measured
# (the machine may be shared).
#   SIGMA_BENCH_EVENTS (default 1000000); SIGMA_BENCH_RULES (a SigmaHQ checkout;
#   default ../shared/sigma or /work/shared/sigma); BENCH_BUILD as bench/run.sh sets.
set -u
cd "$(dirname "$0")/.."
BUILD=${BENCH_BUILD:-$PWD/build}
EVENTS=${SIGMA_BENCH_EVENTS:-1000000}
rules=${SIGMA_BENCH_RULES:-}
if [ -z "$rules" ]; then
    for d in ../shared/sigma /work/shared/sigma; do
        [ -d "$d/rules" ] && { rules=$d; break; }
    done
fi
if [ -z "$rules" ]; then
    echo "sigma bench: skipped: no SigmaHQ ruleset at ../shared/sigma or /work/shared/sigma;"
    echo "  the bundled content pack's Sigma throughput is measured by part pipeline (a whole hunt)"
    exit 0
fi
[ -x "$BUILD/bench/sigma_bench" ] || make -s "$BUILD/bench/sigma_bench" >/dev/null || exit 1
"$BUILD/bench/sigma_bench" --events "$EVENTS" --sigma "$rules"
