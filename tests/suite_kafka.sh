#!/usr/bin/env bash
# The Kafka scale-out against librdkafka's mock cluster (no broker to install):
# a simulated fleet (many tenants) is produced to topics of several
# partitions; two `trawl hunt --kafka` workers share them in one consumer
# group while broker failures are injected (request errors, a leader change,
# a broker down and up again); one worker is killed with SIGKILL mid-way.
# The store must then hold every detection of a file-based `trawl hunt` over
# the same records, each exactly once. The workers also produce their
# detections to a topic, repeats included, which a long-running correlator
# (`trawl campaigns --kafka`) stores once each and turns into the campaigns
# a file-based run finds.
#   tests/suite_kafka.sh          TRAWL=build/trawl; KAFKA_KEEP=1 keeps the work dir
set -u
cd "$(dirname "$0")/.."
TRAWL=${TRAWL:-$PWD/build/trawl}
work=$(mktemp -d /tmp/trawl-kafka.XXXXXX)
pass=0 fail=0
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
    exec 7>&- 2>/dev/null
    wait 2>/dev/null
    [ -n "${KAFKA_KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
ok() { pass=$((pass + 1)); echo "ok   $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; }
check() { if eval "$2"; then ok "$1"; else ko "$1"; fi; }
finish() { echo "kafka: $pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }

topics=(fleet.combined fleet.zeek fleet.syslog fleet.evtx-json fleet.eve)
topic_args=()
for t in "${topics[@]}"; do topic_args+=(--topic "$t"); done

# --- the data, and the reference: a file-based hunt over the same records
"$TRAWL" sim --out "$work/sim" --seed 7 --size 4M >/dev/null 2>&1 || { ko "sim"; finish; }
"$TRAWL" hunt --fleet "$work/sim/fleet.csv" --store "$work/ref.db" -o /dev/null -q \
    "$work/sim/logs" 2>"$work/ref.err" || { ko "file-based hunt"; cat "$work/ref.err"; finish; }
normalise() { # store → one line per detection without where it was read from
    "$TRAWL" query --store "$1" --format jsonl |
        jq -c 'del(.id, .path, .record, .line)' | LC_ALL=C sort
}
normalise "$work/ref.db" >"$work/ref.jsonl"
nref=$(wc -l <"$work/ref.jsonl")
ntenants=$(cut -d, -f1 "$work/sim/fleet.csv" | sed 1d | sort -u | wc -l)
check "reference hunt found detections ($nref) at many tenants ($ntenants)" \
    '[ "$nref" -gt 1000 ] && [ "$ntenants" -ge 20 ]'

# --- the cluster: 3 brokers, 6 partitions per topic; control commands on fd 7
mkfifo "$work/ctl"
mock_args=(--topic detections:6)
for t in "${topics[@]}"; do mock_args+=(--topic "$t:6"); done
"$TRAWL" kafka mock --brokers 3 "${mock_args[@]}" <"$work/ctl" >"$work/mock.out" \
    2>"$work/mock.err" &
pids+=($!)
exec 7>"$work/ctl"
for _ in $(seq 50); do [ -s "$work/mock.out" ] && break; sleep 0.1; done
B=$(head -n 1 "$work/mock.out")
check "mock cluster up ($B)" '[[ "$B" == 127.0.0.1:* ]]'
mock() { # sends one control command and waits for its answer
    local before
    before=$(wc -l <"$work/mock.out")
    echo "$*" >&7
    for _ in $(seq 50); do
        [ "$(wc -l <"$work/mock.out")" -gt "$before" ] && break
        sleep 0.1
    done
    tail -n 1 "$work/mock.out"
}
check "mock answers control commands" '[ "$(mock rtt all 0)" = ok ]'
check "mock rejects a bad command" '[[ "$(mock frobnicate)" == error:* ]]'

# --- produce every record: one message each, key = tenant
# (small producer batches: the workers' small fetches then slow them down)
"$TRAWL" kafka produce --kafka "$B" --topic-prefix fleet --fleet "$work/sim/fleet.csv" \
    -X batch.num.messages=20 "$work/sim/logs" 2>"$work/produce.err"
check "produce" '[ $? -eq 0 ] && grep -q "produced" "$work/produce.err"'
lag() { # total lag of group $1 over the topics (fails on error)
    local out
    out=$("$TRAWL" kafka offsets --kafka "$B" --group "$1" "${topic_args[@]}" 2>/dev/null) ||
        return 1
    tail -n 1 <<<"$out" | cut -d' ' -f2
}
nmsg=$(lag g1)
nevents=$("$TRAWL" hunt --fleet "$work/sim/fleet.csv" -o /dev/null "$work/sim/logs" 2>&1 |
    sed -n 's/.* \([0-9]*\) events, .*/\1/p' | head -n 1)
check "every record is a message ($nmsg = $nevents events)" '[ "$nmsg" = "$nevents" ]'

# --- two workers in one group; slow fetches so that the kill lands mid-way
worker() { # name
    "$TRAWL" hunt --kafka "$B" "${topic_args[@]}" --group g1 --store "$work/k.db" \
        -o /dev/null -j 2 --commit-interval 300 --fleet "$work/sim/fleet.csv" \
        --kafka-out detections \
        -X session.timeout.ms=3000 -X heartbeat.interval.ms=300 \
        -X max.partition.fetch.bytes=2048 -X fetch.wait.max.ms=50 \
        -X reconnect.backoff.max.ms=1000 2>"$work/$1.err" &
    pids+=($!)
}
# the correlator runs all along, recomputing at most every 500 ms
"$TRAWL" campaigns --kafka "$B" --topic detections --store "$work/c.db" \
    --fleet "$work/sim/fleet.csv" --format text --interval 500 -o "$work/c.txt" \
    -X session.timeout.ms=3000 2>"$work/corr.err" &
pids+=($!)
pidC=$!
mock rtt all 80 >/dev/null
worker A
pidA=${pids[-1]}
worker B
pidB=${pids[-1]}
# wait for the group to make progress, inject failures, then kill A
injected=0
for i in $(seq 600); do
    sleep 0.1
    l=$(lag g1) || continue
    if [ "$l" -lt "$nmsg" ]; then
        injected=1
        mock error fetch NOT_LEADER_FOR_PARTITION,_TRANSPORT,NOT_LEADER_FOR_PARTITION >/dev/null
        mock error offsetcommit COORDINATOR_NOT_AVAILABLE,NOT_COORDINATOR >/dev/null
        mock leader fleet.zeek 0 2 >/dev/null
        mock leader fleet.combined 1 3 >/dev/null
        break
    fi
done
lag_at_kill=$(lag g1)
kill -9 "$pidA"
wait "$pidA" 2>/dev/null
check "worker A killed mid-way (lag $lag_at_kill of $nmsg)" \
    '[ -n "$lag_at_kill" ] && [ "$lag_at_kill" -gt 0 ] && [ "$lag_at_kill" -lt "$nmsg" ]'
check "failures were injected" '[ $injected = 1 ]'
# a broker goes away and comes back while B takes over A's partitions
mock rtt all 0 >/dev/null
sleep 1
mock down 2 >/dev/null
sleep 2
mock up 2 >/dev/null
for i in $(seq 900); do
    l=$(lag g1) && [ "$l" = 0 ] && break
    sleep 0.2
done
check "the group committed every message (lag ${l:-?})" '[ "${l:-1}" = 0 ]'
kill -TERM "$pidB"
wait "$pidB"
rcB=$?
check "worker B stops cleanly on SIGTERM" '[ $rcB -eq 0 ]'
nassigned=$(sed -n 's/.* \([0-9]*\) partitions assigned.*/\1/p' "$work/B.err")
check "B took over A's partitions (assigned $nassigned over its run)" \
    '[ "${nassigned:-0}" -gt 15 ]'
check "broker errors were reported" 'grep -q "kafka consumer" "$work/B.err"'

normalise "$work/k.db" >"$work/k.jsonl"
nk=$(wc -l <"$work/k.jsonl")
check "store holds every detection exactly once ($nk of $nref)" \
    'cmp -s "$work/ref.jsonl" "$work/k.jsonl"'
if ! cmp -s "$work/ref.jsonl" "$work/k.jsonl"; then
    diff "$work/ref.jsonl" "$work/k.jsonl" | head -n 6
    tail -n 5 "$work/A.err" "$work/B.err"
fi
check "detections point at their message (kafka:TOPIC/PARTITION, record = offset)" \
    '[ "$("$TRAWL" query --store "$work/k.db" --format jsonl | jq -r .path | grep -vc "^kafka:fleet\.[a-z-]*/[0-5]$")" = 0 ]'

# --- the correlator: every detection once, the campaigns of the files
clag() {
    "$TRAWL" kafka offsets --kafka "$B" --group trawl-campaigns --topic detections 2>/dev/null |
        tail -n 1 | cut -d' ' -f2
}
for i in $(seq 300); do [ "$(clag)" = 0 ] && break; sleep 0.2; done
ntopic=$("$TRAWL" kafka offsets --kafka "$B" --group nobody --topic detections | tail -n 1 |
    cut -d' ' -f2)
sleep 1
check "the correlator read the detections topic ($ntopic messages, repeats included)" \
    '[ "$(clag)" = 0 ] && [ "$ntopic" -ge "$nref" ]'
check "… and stored each detection once ($("$TRAWL" query --store "$work/c.db" --count))" \
    '[ "$("$TRAWL" query --store "$work/c.db" --count)" = "$nref" ]'
before=$(grep -c "campaigns" "$work/corr.err")
kill -USR1 "$pidC"
for i in $(seq 50); do [ "$(grep -c "campaigns" "$work/corr.err")" -gt "$before" ] && break; sleep 0.1; done
check "SIGUSR1 makes it publish the campaigns at once" \
    '[ "$(grep -c "campaigns" "$work/corr.err")" -gt "$before" ]'
kill -TERM "$pidC"
wait "$pidC"
rcC=$?
check "the correlator stops cleanly on SIGTERM" '[ $rcC -eq 0 ]'
"$TRAWL" campaigns --store "$work/ref.db" --fleet "$work/sim/fleet.csv" --format text -q \
    -o "$work/ref.txt"
where() { sed -E 's/kafka:[^ )]+:?#[0-9]+/RECORD/g; s#[^ (]*/logs/[^ ):]+:[0-9]+#RECORD#g' "$1"; }
check "its report is the file-based one, but for where it points at the records" \
    'diff -q <(where "$work/c.txt") <(where "$work/ref.txt") >/dev/null'
check "… with the same headline ($(sed -n 2p "$work/c.txt" | cut -c1-60)…)" \
    '[ -n "$(sed -n 2p "$work/c.txt")" ] && [ "$(sed -n 2p "$work/c.txt")" = "$(sed -n 2p "$work/ref.txt")" ]'

# --- a second group re-reads the topics: the same ids, nothing added
"$TRAWL" hunt --kafka "$B" "${topic_args[@]}" --group g2 --once --store "$work/k.db" \
    -o /dev/null -q --fleet "$work/sim/fleet.csv" 2>"$work/C.err"
check "a re-read (group g2, --once) ends by itself" '[ $? -eq 0 ]'
check "… and adds nothing to the store" \
    '[ "$("$TRAWL" query --store "$work/k.db" --count)" = "$nk" ]'
finish
