#!/usr/bin/env bash
# bench part: `trawl campaigns` over 1,000,000 stored detections across 1,000
# tenants (CAMPAIGN_BENCH_N, CAMPAIGN_BENCH_TENANTS), generated
# deterministically by bench/campaign_bench.c through the store sink (and as
# JSON lines). The generated files are kept in BENCH_WORK/campaigns and
# reused while they exist (generating takes minutes on a busy disk). Wall and
# CPU time are both reported: on a shared machine the wall clock mostly
# measures the other jobs.
#   RESULT campaigns_store_wall_s    whole command over the store, JSON report
#   RESULT campaigns_store_cpu_s     its CPU time (user + sys)
#   RESULT campaigns_jsonl_wall_s    the same over the JSON-lines file
#   RESULT campaigns_jsonl_cpu_s
#   RESULT campaigns_analysis_s      linking, attribution, clustering and roll-up alone
#   RESULT campaigns_cpu_det_per_s   detections per CPU second, from the store
set -u
cd "$(dirname "$0")/.."
N=${CAMPAIGN_BENCH_N:-1000000}
T=${CAMPAIGN_BENCH_TENANTS:-1000}
BUILD=${BENCH_BUILD:-$PWD/build}
TRAWL=${TRAWL:-$BUILD/trawl}
WORK=${BENCH_WORK:-$PWD/bench/work}/campaigns
mkdir -p "$WORK"
[ -x "$BUILD/bench/campaign_bench" ] || make -s "$BUILD/bench/campaign_bench" >/dev/null || exit 1
db="$WORK/det-$N-$T.db" jl="$WORK/det-$N-$T.jsonl" fleet="$WORK/fleet-$T.csv"
if [ ! -s "$db" ] || [ ! -s "$jl" ] || [ ! -s "$fleet" ]; then
    rm -f "$db"* "$jl" "$fleet"
    t0=$(date +%s)
    "$BUILD/bench/campaign_bench" "$N" "$T" "$db" "$jl" "$fleet" || exit 1
    echo "campaigns: generated $N detections across $T tenants in $(( $(date +%s) - t0 )) s"
fi
tf=$(mktemp) ef=$(mktemp)
run() { # label, campaigns arguments…
    local label=$1; shift
    /usr/bin/time -f '%e %U %S' -o "$tf" "$TRAWL" campaigns --fleet "$fleet" --format json \
        -o /dev/null "$@" 2>"$ef" || { cat "$ef"; exit 1; }
    read -r wall user sys < "$tf"
    analysis=$(sed -n 's/.*analysis \([0-9.]*\) s.*/\1/p' "$ef")
    echo "campaigns $label: ${wall}s wall, ${user}s user + ${sys}s sys; $(sed 's/^trawl: //' "$ef")"
    awk -v w="$wall" -v l="$label" 'BEGIN { printf "RESULT campaigns_%s_wall_s %.2f s\n", l, w }'
    awk -v u="$user" -v s="$sys" -v l="$label" 'BEGIN { printf "RESULT campaigns_%s_cpu_s %.2f s\n", l, u + s }'
    if [ "$label" = store ]; then
        echo "RESULT campaigns_analysis_s ${analysis:-0} s"
        awk -v n="$N" -v u="$user" -v s="$sys" 'BEGIN { printf "RESULT campaigns_cpu_det_per_s %.0f det/s\n", n / (u + s > 0 ? u + s : 1e-9) }'
    fi
}
run store --store "$db"
run jsonl "$jl"
rm -f "$tf" "$ef"
