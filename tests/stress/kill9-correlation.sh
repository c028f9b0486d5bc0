#!/usr/bin/env bash
# Correlations across kill -9: the windows are saved with the checkpoints, so a hunt
# killed at random moments and then run to the end stores exactly the detections
# (Sigma and correlation, growing and closing windows) of one uninterrupted run.
# (The exact interleaving that once broke this, windows committed without their
# checkpoint, is tested deterministically by store_crash_state_commits_with_its_checkpoint;
# the ids of long windows that once depended on the stack by test_correl_id.c.)
# The kills land within the time an uninterrupted run with the store took here (5% to
# 105% of it), so a fast build is interrupted as often as a sanitized one.
# On a difference, stderr says the kill delays, how far each killed run got and
# which detections differ. e2e 0714 runs it once; `make stress` many times.
here=$(cd "$(dirname "$0")" && pwd)
gen=$here/../data/store/genlog.sh rules=$here/../data/store/rules-correl
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
mkdir "$d/logs"
for f in 1 2 3 4 5 6; do $gen $((f * 20000)) 12000 f$f > "$d/logs/part$f.log"; done
"$TRAWL" hunt -q -r $rules -j 2 --format jsonl "$d/logs" 2>"$d/err" | sort > "$d/want"
# how long an uninterrupted run with the store takes here (a scratch store)
t0=$(date +%s%N)
"$TRAWL" hunt -q -r $rules -j 2 --store "$d/timing.db" -o /dev/null "$d/logs" 2>/dev/null
ref_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
trail=
for i in 1 2 3; do
    "$TRAWL" hunt -q -r $rules -j 2 --store "$d/s.db" -o /dev/null "$d/logs" 2>>"$d/err" &
    pid=$!
    ms=$(( ref_ms * (5 + RANDOM % 101) / 100 + 1 ))
    delay=$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))
    sleep "$delay"
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    rc=$?
    done_=$([ -f "$d/s.db" ] && sqlite3 "$d/s.db" "SELECT count(*) FROM sources WHERE eof = 1" 2>/dev/null)
    trail="$trail [run $i: kill after ${delay}s, exit $rc, ${done_:-0} sources done]"
done
"$TRAWL" hunt -q -r $rules -j 2 --store "$d/s.db" -o /dev/null "$d/logs" 2>>"$d/err"
"$TRAWL" query --store "$d/s.db" --format jsonl | sort > "$d/got"
grep -c '"kind":"sigma"' "$d/want"
grep -o '"rule_id":"55555555[^"]*"' "$d/want" | sort | uniq -c
if cmp -s "$d/want" "$d/got"; then
    echo "identical"
else
    echo "stored detections differ from one uninterrupted run:$trail" >&2
    echo "$(wc -l < "$d/want") wanted, $(wc -l < "$d/got") stored;" \
         "< wanted only, > stored only:" >&2
    # one line per differing detection: side, kind, rule, file:record, time, id
    brief='s/^([<>]) \{"id":"([0-9a-f]+)","ts":"([^"]*)".*"kind":"([a-z]+)","rule_id":"([^"]*)"'
    brief=$brief'.*"path":"[^"]*\/([^"/]*)","record":([0-9]+).*/\1 \4 \5 \6:\7 \3 id \2/'
    diff "$d/want" "$d/got" | grep '^[<>]' | sed -E "$brief" | head -n 6 >&2
    grep -v "should be a list" "$d/err" | head -n 3 >&2
    exit 1
fi
