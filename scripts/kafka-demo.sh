#!/usr/bin/env bash
# make kafka-demo: the scale-out of docs/SCALING.md on one machine. A Kafka
# cluster (librdkafka's mock cluster: 3 brokers on localhost, `trawl kafka
# mock`), the simulated fleet of `make demo` (same seed) produced to it one
# record per message keyed by tenant, two `trawl hunt --kafka` workers in one
# consumer group producing their detections to a topic, and the correlator
# (`trawl campaigns --kafka`) turning that topic into campaigns. The campaign
# headline is then compared with that of the file-based hunt of `make demo`.
#   scripts/kafka-demo.sh [TRAWL]     KAFKA_DEMO_OUT=kafka-demo-out DEMO_SEED=2020
set -euo pipefail
cd "$(dirname "$0")/.."
TRAWL=${1:-build/trawl}
OUT=${KAFKA_DEMO_OUT:-kafka-demo-out}
SEED=${DEMO_SEED:-2020}
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT
rm -rf "$OUT"
mkdir -p "$OUT"
topics=(fleet.combined fleet.zeek fleet.syslog fleet.evtx-json fleet.eve)
targs=()
margs=(--topic detections:8)
for t in "${topics[@]}"; do targs+=(--topic "$t"); margs+=(--topic "$t:16"); done

echo "== 1. simulate the fleet (seed $SEED) into $OUT/"
"$TRAWL" sim --scenario apt41-2020 --out "$OUT" --seed "$SEED"
echo "   $(($(wc -l < "$OUT/fleet.csv") - 1)) tenants, $(du -sh "$OUT/logs" | cut -f1) of logs"

echo
echo "== 2. a Kafka cluster: trawl kafka mock (3 brokers, 16 partitions per log topic)"
"$TRAWL" kafka mock --brokers 3 "${margs[@]}" </dev/null >"$OUT/mock.out" 2>"$OUT/mock.err" &
pids+=($!)
for _ in $(seq 100); do [ -s "$OUT/mock.out" ] && break; sleep 0.1; done
B=$(head -n 1 "$OUT/mock.out")
[ -n "$B" ] || { echo "the mock cluster did not start"; exit 1; }
echo "   bootstrap servers: $B"

echo
echo "== 3. ship the fleet's logs: one message per record, key = tenant, a topic per format"
"$TRAWL" kafka produce --kafka "$B" --topic-prefix fleet --fleet "$OUT/fleet.csv" "$OUT/logs"

echo
echo "== 4. two hunt workers in consumer group trawl-hunt, detections to topic 'detections'"
for w in 1 2; do
    "$TRAWL" hunt --kafka "$B" "${targs[@]}" --group trawl-hunt -j 1 --kafka-out detections \
        -o /dev/null -X session.timeout.ms=6000 2>"$OUT/worker$w.log" &
    pids+=($!)
    worker[$w]=$!
done
lag=
for _ in $(seq 1500); do
    lag=$("$TRAWL" kafka offsets --kafka "$B" --group trawl-hunt "${targs[@]}" 2>/dev/null |
        tail -n 1 | cut -d' ' -f2) || lag=
    [ "$lag" = 0 ] && break
    sleep 0.2
done
[ "$lag" = 0 ] || { echo "the workers did not finish (lag $lag)"; exit 1; }
kill -TERM "${worker[1]}" "${worker[2]}"
wait "${worker[1]}" "${worker[2]}"
for w in 1 2; do grep 'kafka: [0-9]* messages' "$OUT/worker$w.log" | sed "s/^trawl: kafka:/   worker $w:/"; done

echo
echo "== 5. the correlator: detections topic → $OUT/campaigns.db → campaigns (--once)"
"$TRAWL" campaigns --kafka "$B" --topic detections --store "$OUT/campaigns.db" \
    --fleet "$OUT/fleet.csv" --once --format text -o "$OUT/campaigns.txt"
headline() { sed -n '2p' "$1" | sed 's/^ *//'; }
echo
echo "   $(headline "$OUT/campaigns.txt")"

echo
echo "== 6. the same fleet hunted from files (make demo), for comparison"
"$TRAWL" hunt --fleet "$OUT/fleet.csv" --store "$OUT/files.db" -o /dev/null -q "$OUT/logs"
"$TRAWL" campaigns --store "$OUT/files.db" --fleet "$OUT/fleet.csv" --format text -q \
    -o "$OUT/campaigns-files.txt"
echo "   $(headline "$OUT/campaigns-files.txt")"
if [ "$(headline "$OUT/campaigns.txt")" = "$(headline "$OUT/campaigns-files.txt")" ]; then
    echo "   the headlines are identical"
else
    echo "   the headlines DIFFER"
    exit 1
fi
# Below the headline the reports point at records: kafka:TOPIC/PARTITION#OFFSET
# on one side, logs/…/FILE:LINE on the other. Anything else must be the same.
where() { sed -E 's/kafka:[^ )]+:?#[0-9]+/RECORD/g; s#[^ (]*/logs/[^ ):]+:[0-9]+#RECORD#g' "$1"; }
if diff -q <(where "$OUT/campaigns.txt") <(where "$OUT/campaigns-files.txt") >/dev/null; then
    echo "   so are the whole reports, but for where they point at the records"
    echo "   (kafka:TOPIC/PARTITION#OFFSET against FILE:LINE): $OUT/campaigns.txt"
else
    echo "   the reports differ below the headline: diff $OUT/campaigns.txt $OUT/campaigns-files.txt"
    exit 1
fi
