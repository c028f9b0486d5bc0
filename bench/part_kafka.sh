#!/usr/bin/env bash
# bench part: records per second through Kafka (librdkafka's mock cluster on
# localhost, 3 brokers) against reading the same records from files, in one run:
#   - the simulated fleet (trawl sim, KAFKA_BENCH_SIZE of background traffic,
#     default 64M: the mock cluster keeps every message in memory) hunted from
#     files with `trawl hunt -j 2` (the bundled content, --fleet);
#   - the same records produced with `trawl kafka produce` (one message each,
#     key = tenant, 8 partitions per topic);
#   - two `trawl hunt --kafka` workers of one consumer group (-j 1 each: the
#     machine's two cores, like the file run) until the group's lag is 0,
#     timed from their start (group join included), and over the workers'
#     busy time (first message to last detection out, as each worker reports).
#   RESULT kafka_file_hunt_rec_s      <records/s>   files, trawl hunt -j 2
#   RESULT kafka_produce_rec_s        <records/s>   trawl kafka produce
#   RESULT kafka_hunt_2w_rec_s        <records/s>   2 workers, join included
#   RESULT kafka_hunt_2w_busy_rec_s   <records/s>   2 workers, over the longer busy time
#   RESULT kafka_vs_files_pct         <percent>     busy Kafka rate / file rate
set -u
cd "$(dirname "$0")/.."
TRAWL=${TRAWL:-build/trawl}
size=${KAFKA_BENCH_SIZE:-64M}
work="${BENCH_WORK:-/tmp}/kafka"
rm -rf "$work"
mkdir -p "$work"
mock_pid=
workers=()
cleanup() {
    for p in "${workers[@]}" $mock_pid; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    [ -n "${KAFKA_BENCH_KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
now() { date +%s.%N; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", n / (b - a > 0 ? b - a : 1e-9) }'; }

"$TRAWL" sim --out "$work/sim" --seed 1 --size "$size" >/dev/null 2>&1 || exit 1
topics=(fleet.combined fleet.zeek fleet.syslog fleet.evtx-json fleet.eve)
targs=()
margs=()
for t in "${topics[@]}"; do targs+=(--topic "$t"); margs+=(--topic "$t:8"); done

# 1. files
t0=$(now)
"$TRAWL" hunt -j 2 --fleet "$work/sim/fleet.csv" -o /dev/null "$work/sim/logs" 2>"$work/file.err" ||
    exit 1
t1=$(now)
records=$(sed -n 's/.* \([0-9]*\) events, .*/\1/p' "$work/file.err" | head -n 1)
file_rate=$(rate "$records" "$t0" "$t1")
echo "files: $records records in $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}') s: $file_rate records/s (trawl hunt -j 2)"

# 2. produce
"$TRAWL" kafka mock --brokers 3 "${margs[@]}" </dev/null >"$work/mock.out" 2>/dev/null &
mock_pid=$!
for _ in $(seq 50); do [ -s "$work/mock.out" ] && break; sleep 0.1; done
B=$(head -n 1 "$work/mock.out")
t0=$(now)
"$TRAWL" kafka produce --kafka "$B" --topic-prefix fleet --fleet "$work/sim/fleet.csv" \
    "$work/sim/logs" 2>"$work/produce.err" || exit 1
t1=$(now)
prod_rate=$(rate "$records" "$t0" "$t1")
echo "produce: $records messages: $prod_rate records/s (trawl kafka produce)"

# 3. two workers in one group until the lag is 0
lag() {
    "$TRAWL" kafka offsets --kafka "$B" --group bench "${targs[@]}" 2>/dev/null | tail -n 1 |
        cut -d' ' -f2
}
t0=$(now)
for w in 1 2; do
    "$TRAWL" hunt --kafka "$B" "${targs[@]}" --group bench -j 1 --fleet "$work/sim/fleet.csv" \
        -o /dev/null -X session.timeout.ms=6000 2>"$work/w$w.err" &
    workers+=($!)
done
l=
for _ in $(seq 3000); do
    l=$(lag) || l=
    [ "$l" = 0 ] && break
    sleep 0.2
done
t1=$(now)
kill -TERM "${workers[@]}" 2>/dev/null
wait "${workers[@]}" 2>/dev/null
workers=()
if [ "$l" != 0 ]; then echo "kafka: the workers did not finish (lag $l)"; exit 1; fi
k_rate=$(rate "$records" "$t0" "$t1")
busy=$(sed -n 's/.*, \([0-9.]*\) s of it busy.*/\1/p' "$work/w1.err" "$work/w2.err" | sort -g | tail -n 1)
steady=$(rate "$records" 0 "${busy:-0}")
echo "kafka: 2 workers (-j 1 each): $records records in $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}') s with the group join: $k_rate records/s; $steady records/s over the longer busy time (${busy} s)"
for w in 1 2; do grep 'kafka: [0-9]* messages' "$work/w$w.err" | sed "s/^/   worker $w: /"; done
echo "RESULT kafka_file_hunt_rec_s $file_rate records/s"
echo "RESULT kafka_produce_rec_s $prod_rate records/s"
echo "RESULT kafka_hunt_2w_rec_s $k_rate records/s"
echo "RESULT kafka_hunt_2w_busy_rec_s $steady records/s"
awk -v k="$steady" -v f="$file_rate" 'BEGIN { printf "RESULT kafka_vs_files_pct %.0f %%\n", 100 * k / (f > 0 ? f : 1) }'
