#!/usr/bin/env bash
# bench part: EVTX records per second of `trawl cat` (fields normalised,
# JSON to /dev/null) against libevtx's own evtxexport -f xml (libevtx-utils),
# on the same files in the same run: the 277 real evtx-attack-samples when
# ../shared or /work/shared has them, else a generated file of
# BENCH_EVTX_RECORDS records (default 50000, ~38 MB; kept in BENCH_WORK);
# BENCH_EVTX_SET=generated uses the generated file even when samples exist.
# evtxexport takes one file per run, so it runs once per file; trawl reads
# them all in one run, as it is used.
#
# Each tool runs BENCH_EVTX_RUNS times (default 3); the best CPU time (user
# + sys) counts: on a shared machine the wall clock mostly measures the
# other jobs. Records are each tool's own count: trawl's include the records
# it recovers from chunk free space, evtxexport's (default mode) do not.
#   RESULT evtx_trawl_cat_rec_s       records per CPU second, trawl cat
#   RESULT evtx_evtxexport_rec_s      records per CPU second, evtxexport -f xml
#   RESULT evtx_trawl_over_evtxexport ratio of the two
#   RESULT evtx_trawl_cat_wall_rec_s  records per wall second, trawl cat
set -u
cd "$(dirname "$0")/.."
TRAWL=${TRAWL:-build/trawl}
WORK=${BENCH_WORK:-/tmp}
RUNS=${BENCH_EVTX_RUNS:-3}
if ! command -v evtxexport >/dev/null; then
    echo "evtx: skipped: evtxexport (libevtx-utils) is not installed"
    exit 0
fi

files=()
for d in ../shared /work/shared; do
    [ "${BENCH_EVTX_SET:-}" = generated ] && break
    if [ -d "$d/data/evtx-attack-samples" ]; then
        mapfile -d '' files < <(find "$d/data/evtx-attack-samples" -type f -name '*.evtx' -print0 | sort -z)
        set_name="evtx-attack-samples (${#files[@]} files)"
        break
    fi
done
if [ ${#files[@]} -eq 0 ]; then
    n=${BENCH_EVTX_RECORDS:-50000}
    gen="$WORK/evtx-bench-$n.evtx"
    mkdir -p "$WORK"
    if [ ! -s "$gen" ]; then
        echo "evtx: generating $gen ($n records)"
        python3 tests/tools/mkevtx.py bench "$gen" "$n" || exit 1
    fi
    files=("$gen")
    set_name="generated ($n records)"
fi
bytes=$(du -cb "${files[@]}" | tail -n 1 | cut -f1)
echo "evtx: $set_name, $(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }') MB"

tf=$(mktemp)
err=$(mktemp)
trap 'rm -f "$tf" "$err"' EXIT

# best of RUNS: prints "cpu wall"
best() {
    local best_cpu="" best_wall=""
    for _ in $(seq "$RUNS"); do
        /usr/bin/time -f '%e %U %S' -o "$tf" "$@" > /dev/null 2> "$err"
        read -r wall user sys < "$tf"
        cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')
        if [ -z "$best_cpu" ] || awk -v a="$cpu" -v b="$best_cpu" 'BEGIN { exit !(a < b) }'; then
            best_cpu=$cpu
        fi
        if [ -z "$best_wall" ] || awk -v a="$wall" -v b="$best_wall" 'BEGIN { exit !(a < b) }'; then
            best_wall=$wall
        fi
    done
    echo "$best_cpu $best_wall"
}

export_all() {
    for f in "$@"; do evtxexport -f xml "$f" || return 1; done
}

# record counts (not timed)
trawl_recs=$("$TRAWL" -v cat "${files[@]}" 2>&1 >/dev/null |
    sed -nE 's/.*: ([0-9]+) events, [0-9]+ rejected, .*\(evtx, .*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
export_recs=$(export_all "${files[@]}" 2>/dev/null | grep -c '^<Event ')

read -r t_cpu t_wall < <(best "$TRAWL" cat "${files[@]}")
read -r e_cpu e_wall < <(best bash -c 'for f in "$@"; do evtxexport -f xml "$f" || exit 1; done' _ "${files[@]}")
echo "evtx: trawl cat      $trawl_recs records in ${t_cpu}s CPU (${t_wall}s wall)"
echo "evtx: evtxexport -f xml $export_recs records in ${e_cpu}s CPU (${e_wall}s wall)"
awk -v r="$trawl_recs" -v c="$t_cpu" 'BEGIN { printf "RESULT evtx_trawl_cat_rec_s %.0f records/s\n", r / (c > 0 ? c : 1e-9) }'
awk -v r="$export_recs" -v c="$e_cpu" 'BEGIN { printf "RESULT evtx_evtxexport_rec_s %.0f records/s\n", r / (c > 0 ? c : 1e-9) }'
awk -v r1="$trawl_recs" -v c1="$t_cpu" -v r2="$export_recs" -v c2="$e_cpu" \
    'BEGIN { a = r1 / (c1 > 0 ? c1 : 1e-9); b = r2 / (c2 > 0 ? c2 : 1e-9); printf "RESULT evtx_trawl_over_evtxexport %.2f x\n", a / (b > 0 ? b : 1e-9) }'
awk -v r="$trawl_recs" -v w="$t_wall" 'BEGIN { printf "RESULT evtx_trawl_cat_wall_rec_s %.0f records/s\n", r / (w > 0 ? w : 1e-9) }'
