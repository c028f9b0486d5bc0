#!/usr/bin/env bash
# make bench: every benchmark part in one run, each measured against its peer
# on the same machine and the same data. Parts are bench/part_*.sh; each
# prints human-readable lines and machine lines of the form
#   RESULT <name> <value> <unit>
# which are collected into bench/results.json; docs/PERFORMANCE.md is then
# regenerated from the results (its prose header is kept).
#
#   bench/run.sh [TRAWL]          BENCH_SCALE=1G (input size), BENCH_ONLY=part,…
set -u
cd "$(dirname "$0")/.."
TRAWL=${1:-build/trawl}
case "$TRAWL" in /*) ;; *) TRAWL="$PWD/$TRAWL" ;; esac
export TRAWL
export BENCH_WORK=${BENCH_WORK:-$PWD/bench/work}
export BENCH_SCALE=${BENCH_SCALE:-1G}
export BENCH_BUILD=${BENCH_BUILD:-$PWD/build}
mkdir -p "$BENCH_WORK"
scripts/deps.sh --bench || { echo "bench: cannot install the peer tools"; exit 1; }
make -s bench-programs >/dev/null || { echo "bench: building the drivers failed"; exit 1; }

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
machine="$(nproc) cores, ${cpu:-unknown CPU}, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(. /etc/os-release && echo "$PRETTY_NAME")"
echo "bench: $machine"
echo "bench: scale $BENCH_SCALE, work dir $BENCH_WORK"

results=$(mktemp)
for part in bench/part_*.sh; do
    [ -f "$part" ] || continue
    name=${part#bench/part_}; name=${name%.sh}
    if [ -n "${BENCH_ONLY:-}" ] && [[ ",$BENCH_ONLY," != *",$name,"* ]]; then continue; fi
    echo
    echo "== $name"
    start=$(date +%s)
    bash "$part" 2>&1 | tee -a "$results.$name" | grep -v '^RESULT '
    grep '^RESULT ' "$results.$name" | sed "s/^RESULT /$name /" >> "$results"
    echo "   ($(( $(date +%s) - start )) s)"
done

python3 bench/report.py "$results" "$machine" "$BENCH_SCALE" bench/results.json docs/PERFORMANCE.md
rm -f "$results" "$results".*
echo
echo "bench: wrote bench/results.json and docs/PERFORMANCE.md"
