#!/usr/bin/env bash
# make conformance-evtx: trawl on the 277 real EVTX files of
# evtx-attack-samples with the SigmaHQ Windows rules.
#
#   1. every file is read by its own `trawl -v cat` (a crash, a sanitizer
#      report or an unreadable file fails the run), and every allocated
#      record libevtx lists (evtxinfo) is either an event or a rejected
#      record with its reason printed;
#   2. `trawl hunt -r sigma/rules/windows` over all files; the detections
#      per rule go to BUILD/conformance/evtx-detections.tsv
#      (rule id, title, count, files).
#
#   tests/conformance/evtx.sh TRAWL BUILD
# Run it with a SANITIZE=address,undefined build too (make conformance-evtx
# SANITIZE=address,undefined). Skips (exit 0) with a message when the
# samples or the ruleset are not at ../shared or /work/shared.
set -u
cd "$(dirname "$0")/../.."
TRAWL=${1:-build/trawl}
BUILD=${2:-build}
case "$TRAWL" in /*) ;; *) TRAWL="$PWD/$TRAWL" ;; esac

shared=""
for d in ../shared /work/shared; do
    if [ -d "$d/data/evtx-attack-samples" ] && [ -d "$d/sigma/rules/windows" ]; then
        shared=$(cd "$d" && pwd)
        break
    fi
done
if [ -z "$shared" ]; then
    echo "conformance-evtx: skipped: no data/evtx-attack-samples and sigma/rules/windows under ../shared or /work/shared"
    exit 0
fi
samples=$shared/data/evtx-attack-samples
rules=$shared/sigma/rules/windows
outdir=$BUILD/conformance
mkdir -p "$outdir"
tsv=$outdir/evtx-detections.tsv
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mapfile -d '' files < <(find "$samples" -type f -name '*.evtx' -print0 | sort -z)
echo "conformance-evtx: ${#files[@]} EVTX files under $samples, rules from $rules"
have_evtxinfo=0
command -v evtxinfo >/dev/null && have_evtxinfo=1

fail=0 events=0 rejected=0 recovered=0 dups=0 fragments=0 damaged=0 allocated=0
for f in "${files[@]}"; do
    rel=${f#"$samples"/}
    "$TRAWL" -v cat "$f" > /dev/null 2> "$work/err"
    rc=$?
    if [ $rc -ne 0 ] || grep -Eq 'Sanitizer|runtime error|LeakSanitizer' "$work/err"; then
        echo "  FAIL $rel: exit status $rc"
        sed 's/^/    /' "$work/err" | head -n 20
        fail=$((fail + 1))
        continue
    fi
    # "N events, R rejected, …" and, when there are any, "X records recovered …"
    read -r ev rj < <(sed -nE 's/.*: ([0-9]+) events, ([0-9]+) rejected, .*/\1 \2/p' "$work/err" | tail -n 1)
    read -r rc_ dp fr < <(sed -nE 's/.*: ([0-9]+) records? recovered from chunk free space; ([0-9]+) recovered cop(y|ies) of allocated records skipped; ([0-9]+) fragments?.*/\1 \2 \4/p' "$work/err")
    ev=${ev:-0} rj=${rj:-0} rc_=${rc_:-0} dp=${dp:-0} fr=${fr:-0}
    nrej=$(grep -c ': record [0-9]*.*: cannot be' "$work/err")
    if [ "$nrej" != "$rj" ]; then
        echo "  FAIL $rel: $rj rejected records but $nrej reasons printed"
        fail=$((fail + 1))
    fi
    grep -q 'chunk [0-9]*:' "$work/err" && damaged=$((damaged + 1))
    if [ $have_evtxinfo = 1 ]; then
        want=$(evtxinfo "$f" 2>/dev/null | sed -nE 's/.*Number of records[^0-9]*([0-9]+).*/\1/p')
        got=$((ev - rc_ + rj))
        if [ -n "$want" ] && [ "$want" != "$got" ]; then
            echo "  FAIL $rel: libevtx lists $want records, trawl read $((ev - rc_)) and rejected $rj"
            fail=$((fail + 1))
        fi
        allocated=$((allocated + ${want:-0}))
    fi
    events=$((events + ev)) rejected=$((rejected + rj)) recovered=$((recovered + rc_))
    dups=$((dups + dp)) fragments=$((fragments + fr))
done
echo "conformance-evtx: cat: ${#files[@]} files, $events events ($recovered recovered from free space), $rejected records rejected with their reason, $dups recovered copies skipped, $fragments undecodable fragments counted, $damaged files with chunk damage reported"
[ $have_evtxinfo = 1 ] && echo "conformance-evtx: cat: libevtx lists $allocated allocated records; every one is an event or a rejected record"

start=$(date +%s%N)
printf '%s\0' "${files[@]}" | xargs -0 -x -s 2000000 "$TRAWL" hunt -j "$(nproc)" -r "$rules" \
    --format jsonl --no-progress > "$work/det.jsonl" 2> "$work/hunt.err"
hrc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
if grep -Eq 'Sanitizer|runtime error' "$work/hunt.err" || [ $hrc -gt 1 ]; then
    echo "  FAIL hunt: exit status $hrc"
    grep -v '^trawl: .*sigma/rules' "$work/hunt.err" | head -n 20 | sed 's/^/    /'
    fail=$((fail + 1))
fi
grep -E '^trawl: [0-9]+ sources|^trawl: +evtx ' "$work/hunt.err" | sed 's/^/  /'
python3 - "$work/det.jsonl" "$tsv" "$samples" "$ms" <<'PY'
import collections, json, sys
det, tsv, samples, ms = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
count = collections.Counter()
files = collections.defaultdict(set)
title = {}
n = 0
for line in open(det, encoding="utf-8"):
    d = json.loads(line)
    n += 1
    rid = d["rule_id"]
    count[rid] += 1
    title[rid] = d["rule_title"]
    p = d["path"]
    files[rid].add(p[len(samples) + 1:] if p.startswith(samples + "/") else p)
with open(tsv, "w", encoding="utf-8") as out:
    out.write("rule_id\ttitle\tcount\tfiles\n")
    for rid, k in sorted(count.items(), key=lambda x: (-x[1], title[x[0]])):
        out.write("%s\t%s\t%d\t%s\n" % (rid, title[rid], k, ",".join(sorted(files[rid]))))
nfiles = len(set().union(*files.values())) if files else 0
print("conformance-evtx: hunt: %d detections by %d rules in %d files, %s ms; per rule: %s"
      % (n, len(count), nfiles, ms, tsv))
PY
if [ "$fail" -ne 0 ]; then
    echo "conformance-evtx: $fail failures"
    exit 1
fi
echo "conformance-evtx: passed"
