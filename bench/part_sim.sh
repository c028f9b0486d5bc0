#!/usr/bin/env bash
# bench part: the fleet simulator's output rate (trawl sim), at BENCH_SCALE of
# uncompressed output. Wall time and CPU time are both reported: on a shared
# machine the wall clock mostly measures the other jobs and the disk.
#   RESULT sim_wall_mb_s <MB of output per wall second>
#   RESULT sim_cpu_mb_s  <MB of output per CPU second (user + sys)>
set -u
TRAWL=${TRAWL:-build/trawl}
out="${BENCH_WORK:-/tmp}/sim"
scale=${BENCH_SCALE:-1G}
rm -rf "$out"
tf=$(mktemp)
/usr/bin/time -f '%e %U %S' -o "$tf" "$TRAWL" sim --out "$out" --size "$scale" --seed 1 || exit 1
read -r wall user sys < "$tf"
rm -f "$tf"
raw=$(find "$out" -type f -printf '%s %p\n' | awk '{ if ($2 ~ /\.gz$/) gz += $1; else s += $1 } END { print s + 0, gz + 0 }')
set -- $raw
plain=$1 gz=$2
# the rotated Citrix logs are gzip-compressed: count their uncompressed size
gzraw=0
if [ "$gz" -gt 0 ]; then
    gzraw=$(find "$out" -name '*.gz' -print0 | xargs -0 cat | gzip -dc | wc -c)
fi
bytes=$((plain + gzraw))
mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }')
echo "sim: $mb MB (uncompressed) in ${wall}s wall, ${user}s user + ${sys}s sys"
awk -v b="$bytes" -v w="$wall" 'BEGIN { printf "RESULT sim_wall_mb_s %.1f MB/s\n", b / 1e6 / (w > 0 ? w : 1e-9) }'
awk -v b="$bytes" -v u="$user" -v s="$sys" 'BEGIN { printf "RESULT sim_cpu_mb_s %.1f MB/s\n", b / 1e6 / (u + s > 0 ? u + s : 1e-9) }'
rm -rf "$out"
