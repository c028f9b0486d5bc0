#!/usr/bin/env bash
# Sigma engine benchmark part (bench/run.sh runs it as a part; see bench/sigma_bench.c):
# 1,000,000 Sysmon-like process-creation events (tr_events built directly, named as the
# evtx-json parser names them) against 100, 1,000 and all SigmaHQ process_creation rules,
# in one run, on one thread. Prints events per second for each, the ratio of the time
# with ten times the rules, and "RESULT name value unit" lines. CPU time is measured
# (the machine may be shared). The whole measurement runs SIGMA_BENCH_RUNS times
# (default 3); every run's table is printed and each RESULT is the median of the
# runs, so one run slowed by a neighbour on a shared machine does not decide.
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
RUNS=${SIGMA_BENCH_RUNS:-3}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for run in $(seq 1 "$RUNS"); do
    echo "run $run of $RUNS:"
    "$BUILD/bench/sigma_bench" --events "$EVENTS" --sigma "$rules" >"$out" || exit 1
    grep -v '^RESULT ' "$out"
    grep '^RESULT ' "$out" | sed "s/^RESULT /RUN /" >>"$out.all"
done
# the median of each RESULT over the runs (the middle one; for an even count the lower of the two
# middle ones), with every run's value beside it
awk '{ k = $2; v[k] = v[k] " " $3; u[k] = $4; if (!(k in seen)) { seen[k] = 1; order[++n] = k } }
     END {
        for (i = 1; i <= n; i++) {
            k = order[i]; m = split(substr(v[k], 2), a, " ")
            for (x = 1; x <= m; x++) for (y = x + 1; y <= m; y++) if (a[y] + 0 < a[x] + 0) { t = a[x]; a[x] = a[y]; a[y] = t }
            med = a[int((m + 1) / 2)]
            printf "%s: median %s of%s\n", k, med, v[k]
            printf "RESULT %s %s %s\n", k, med, u[k]
        }
     }' "$out.all"
rm -f "$out.all"
