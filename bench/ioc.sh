#!/usr/bin/env bash
# bench/ioc.sh - the indicator engine against fixed-string search, in one run:
#   1. load: one million mixed indicators (plain list) into the index: time,
#      index memory, peak RSS (bench/ioc_load.c); a 1M-indicator STIX bundle
#      too when BENCH_IOC_STIX=1;
#   2. match: 10k, 100k and 1M indicators over BENCH_SCALE (default 1G) of web
#      access and Zeek logs made by bench/ioc_gen.c, with
#        trawl hunt -i FEED (the real path: parse, route, type, tokenise,
#                            look up, write detections),
#        bench/ioc_scan   (the same path through the library, no output),
#        rg -F -f FEED -c and grep -F -f FEED -c (LC_ALL=C) on the same files
#      and the same values (the feed is a plain list: it is the pattern file).
# Every timed run starts with the logs in the page cache (read just before).
# Wall time and CPU time (user+sys) are both printed: on a shared machine
# the CPU time is the steadier figure. rg/grep count lines that contain any
# value as a substring (near misses such as 11.2.3.45 for 1.2.3.4 included);
# trawl counts type-exact (indicator, field) matches.
# Prints "RESULT name value unit" lines for bench/run.sh.
#   BENCH_IOC_SIZES ("10000 100000 1000000"), BENCH_IOC_THREADS (2),
#   BENCH_IOC_TIMEOUT (900 s per peer run), BENCH_IOC_PEERS ("rg grep"),
#   BENCH_IOC_FULL (1: also trawl with --no-ioc-prefilter, every line parsed),
#   BENCH_IOC_TRAWL_RUNS (3: trawl hunt -i runs; the median wall time counts).
set -u
cd "$(dirname "$0")/.."
BUILD=${BENCH_BUILD:-$PWD/build}
WORK=${BENCH_WORK:-$PWD/bench/work}/ioc
TRAWL=${TRAWL:-$BUILD/trawl}
SCALE=${BENCH_SCALE:-1G}
SIZES=${BENCH_IOC_SIZES:-10000 100000 1000000}
THREADS=${BENCH_IOC_THREADS:-2}
TIMEOUT=${BENCH_IOC_TIMEOUT:-900}
PEERS=${BENCH_IOC_PEERS:-rg grep}
TRAWL_RUNS=${BENCH_IOC_TRAWL_RUNS:-3}
export LC_ALL=C
mkdir -p "$WORK"
for p in ioc_gen ioc_load ioc_scan; do
    [ -x "$BUILD/bench/$p" ] || make -s "$BUILD/bench/$p" >/dev/null || exit 1
done
bytes=$(numfmt --from=iec "$SCALE") || exit 1

# Inputs (deterministic; kept between runs of the same scale).
if [ "$(cat "$WORK/logs.scale" 2>/dev/null)" != "$bytes" ]; then
    rm -rf "$WORK/logs"
    echo "generating $SCALE of web and Zeek logs…"
    "$BUILD/bench/ioc_gen" logs "$WORK/logs" "$bytes" || exit 1
    echo "$bytes" > "$WORK/logs.scale"
fi
for n in $SIZES 1000000; do
    [ -s "$WORK/feed_$n.txt" ] || "$BUILD/bench/ioc_gen" feed "$WORK/feed_$n.txt" "$n" || exit 1
done
files=$(find "$WORK/logs" -type f | sort)
mb=$(du -cm $files | tail -n 1 | cut -f1)
echo "input: $(echo "$files" | wc -l) files, $mb MB (web access logs and Zeek conn/dns/http)"
echo "machine load before the run: $(cut -d' ' -f1-3 /proc/loadavg)"

# 1. Load
"$BUILD/bench/ioc_load" "$WORK/feed_1000000.txt" ioc_load_1m || exit 1
if [ "${BENCH_IOC_STIX:-0}" = 1 ]; then
    [ -s "$WORK/feed_1m.stix.json" ] ||
        "$BUILD/bench/ioc_gen" stix "$WORK/feed_1m.stix.json" 1000000 || exit 1
    "$BUILD/bench/ioc_load" "$WORK/feed_1m.stix.json" ioc_load_stix_1m || exit 1
fi

# 2. Match. run NAME CMD…: wall, CPU and peak RSS into $WORK/NAME.time. The logs
# are read once before every timed run: a peer with 10 GB of RSS (rg at 1M) pushes
# them out of the page cache, and whoever ran next would pay the disk reads.
run() {
    local name=$1; shift
    cat $files >/dev/null
    /usr/bin/time -f "%e %U %S %M" -o "$WORK/$name.time" timeout "$TIMEOUT" "$@" \
        >"$WORK/$name.out" 2>"$WORK/$name.err"
    local rc=$?
    [ $rc -eq 124 ] && echo "timeout" >"$WORK/$name.time"
    return 0
}
# run_median NAME CMD…: run TRAWL_RUNS times; NAME.time/.out/.err are the
# run with the median wall time, NAME.walls lists every run's. trawl's runs
# are short (about a second), so one slowed by a neighbour on a shared
# machine would decide the ratio; the peers run for tens of seconds.
run_median() {
    local name=$1; shift
    local k walls=()
    for k in $(seq 1 "$TRAWL_RUNS"); do
        run "${name}_r$k" "$@"
        walls+=("$(tail -n 1 "$WORK/${name}_r$k.time" | cut -d' ' -f1) $k")
    done
    local mid; mid=$(printf '%s\n' "${walls[@]}" | sort -n | awk -v m=$(((TRAWL_RUNS + 1) / 2)) 'NR == m { print $2 }')
    for ext in time out err; do mv "$WORK/${name}_r$mid.$ext" "$WORK/$name.$ext"; done
    printf '%s\n' "${walls[@]}" | sort -k2n | cut -d' ' -f1 | paste -sd' ' >"$WORK/$name.walls"
    rm -f "$WORK/${name}"_r*.*
}
fmt() { # NAME label matches
    local t; t=$(cat "$WORK/$1.time" 2>/dev/null | tail -n 1)
    if [ "$t" = timeout ] || [ -z "$t" ]; then
        printf '  %-22s  > %s s (timeout)\n' "$2" "$TIMEOUT"
        return
    fi
    set -- "$1" "$2" "$3" $t
    awk -v l="$2" -v m="$3" -v w="$4" -v u="$5" -v s="$6" -v r="$7" -v mb="$mb" 'BEGIN {
        printf "  %-22s %8.2f s wall %7.1f MB/s  %8.2f s CPU  %7.0f MB RSS  %10s matches\n",
            l, w, mb / w, u + s, r / 1024, m }'
}
secs() { # NAME -> "wall cpu" or "timeout"
    local t; t=$(tail -n 1 "$WORK/$1.time" 2>/dev/null)
    if [ "$t" = timeout ] || [ -z "$t" ]; then echo timeout; return; fi
    set -- $t
    awk -v w="$1" -v u="$2" -v s="$3" 'BEGIN { printf "%.2f %.2f", w, u + s }'
}

for n in $SIZES; do
    feed="$WORK/feed_$n.txt"
    label=$(awk -v n="$n" 'BEGIN { print (n >= 1000000) ? n / 1000000 "M" : n / 1000 "k" }')
    echo
    echo "$label indicators over $mb MB ($THREADS threads each):"
    run_median trawl_$n "$TRAWL" -v hunt -i "$feed" --format jsonl -o /dev/null -j "$THREADS" \
        --no-progress $files
    tm=$(grep -o 'ioc [0-9]*' "$WORK/trawl_$n.err" | head -n 1 | cut -d' ' -f2)
    fmt trawl_$n "trawl hunt -i" "${tm:-?}"
    echo "    median of $TRAWL_RUNS runs, wall: $(cat "$WORK/trawl_$n.walls") s"
    grep -h 'indicator prefilter\|not parsed' "$WORK/trawl_$n.err" | sed 's/^/    /'
    if [ "${BENCH_IOC_FULL:-1}" = 1 ]; then # the same without the raw-text prefilter
        run full_$n "$TRAWL" hunt -i "$feed" --no-ioc-prefilter --format jsonl -o /dev/null \
            -j "$THREADS" --no-progress $files
        fm=$(grep -o 'ioc [0-9]*' "$WORK/full_$n.err" | head -n 1 | cut -d' ' -f2)
        fmt full_$n "  --no-ioc-prefilter" "${fm:-?}"
        [ "$fm" = "$tm" ] || echo "  MISMATCH: $tm matches with the prefilter, $fm without it"
    fi
    run lib_$n "$BUILD/bench/ioc_scan" "$feed" "$THREADS" $files
    lm=$(sed -n 's/.* \([0-9]*\) matches.*/\1/p' "$WORK/lib_$n.out")
    fmt lib_$n "trawl library path" "${lm:-?}"
    for peer in $PEERS; do
        case $peer in
        rg) run rg_$n rg -F -f "$feed" -c -j "$THREADS" --no-ignore --no-filename $files ;;
        grep) run grep_$n grep -F -f "$feed" -c -h $files ;;
        *) continue ;;
        esac
        pm=$(awk '{ s += $1 } END { print s + 0 }' "$WORK/${peer}_$n.out")
        fmt ${peer}_$n "$peer -F -f (lines)" "$pm"
    done
    read -r tw tc <<<"$(secs trawl_$n)"
    echo "RESULT ioc_${label}_trawl_mbps $(awk -v w="$tw" -v mb="$mb" 'BEGIN { printf "%.1f", mb / w }') MB/s"
    for peer in $PEERS; do
        s=$(secs ${peer}_$n)
        if [ "$s" = timeout ]; then
            echo "  trawl vs $peer: > $(awk -v t="$TIMEOUT" -v w="$tw" 'BEGIN { printf "%.1f", t / w }')x wall ($peer timed out)"
            echo "RESULT ioc_${label}_speedup_vs_${peer}_min $(awk -v t="$TIMEOUT" -v w="$tw" 'BEGIN { printf "%.1f", t / w }') x"
            continue
        fi
        read -r pw pc <<<"$s"
        awk -v p="$peer" -v pw="$pw" -v pc="$pc" -v tw="$tw" -v tc="$tc" 'BEGIN {
            printf "  trawl vs %s: %.1fx wall, %.1fx CPU\n", p, pw / tw, pc / tc }'
        echo "RESULT ioc_${label}_speedup_vs_$peer $(awk -v pw="$pw" -v tw="$tw" 'BEGIN { printf "%.1f", pw / tw }') x"
    done
done
echo
echo "machine load after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -f "$WORK"/*.out "$WORK"/*.err
