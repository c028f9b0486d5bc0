#!/usr/bin/env bash
# make conformance-sigma: the SigmaHQ ruleset must load (at least 99.5% of its
# active rules, every rejection explained) and the prefiltered scan must agree
# with full evaluation on events made from every rule.
#
# "Active": rules/, rules-emerging-threats/ and rules-threat-hunting/ whose
# status is not deprecated or unsupported, plus rules-placeholder/ with the
# placeholder values of tests/data/sigma/placeholders/.
#
#   tests/conformance/sigma.sh TRAWL SIGMA_DIFF
# Skips (exit 0) with a message when the ruleset is not at ../shared/sigma or
# /work/shared/sigma.
set -u
cd "$(dirname "$0")/../.."
TRAWL=${1:-build/trawl}
DIFF=${2:-build/conformance/sigma_diff}
PH=tests/data/sigma/placeholders

sigma=""
for d in ../shared/sigma /work/shared/sigma; do
    if [ -d "$d/rules" ]; then sigma=$d; break; fi
done
if [ -z "$sigma" ]; then
    echo "conformance-sigma: skipped: no SigmaHQ ruleset at ../shared/sigma or /work/shared/sigma"
    exit 0
fi

list=$(mktemp)
out=$(mktemp)
trap 'rm -f "$list" "$out"' EXIT
for sub in rules rules-emerging-threats rules-threat-hunting rules-placeholder; do
    [ -d "$sigma/$sub" ] || continue
    find "$sigma/$sub" -type f \( -name '*.yml' -o -name '*.yaml' \) | sort
done | while read -r f; do
    grep -Eq '^status:[[:space:]]*(deprecated|unsupported)' "$f" || echo "$f"
done > "$list"
files=$(wc -l < "$list")
echo "conformance-sigma: $files active rule files under $sigma"

start=$(date +%s%N)
xargs -x -s 2000000 -d '\n' "$TRAWL" rules check --format json --placeholder-dir "$PH" < "$list" > "$out"
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
python3 - "$out" "$ms" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
r = d["rules"]
total = r["loaded"] + r["rejected"]
errors = [x for x in d["diagnostics"] if x["level"] == "error"]
warnings = [x for x in d["diagnostics"] if x["level"] == "warning"]
for x in errors:
    print("  rejected: %s:%d: %s" % (x["path"], x["line"], x["message"]))
for x in warnings[:20]:
    print("  warning: %s:%d: %s" % (x["path"], x["line"], x["message"]))
if len(warnings) > 20:
    print("  … %d more warnings" % (len(warnings) - 20))
pct = 100.0 * r["loaded"] / total if total else 0
print("conformance-sigma: loaded %d of %d rules (%.2f%%) in %s ms, %d files unreadable, %d warnings"
      % (r["loaded"], total, pct, sys.argv[2], d["files_rejected"], len(warnings)))
unexplained = [x for x in errors if not x["message"]]
if pct < 99.5 or unexplained:
    print("conformance-sigma: FAIL: below 99.5% or a rejection without a reason")
    sys.exit(1)
PY
load_ok=$?

echo "conformance-sigma: prefilter vs full evaluation on synthetic events"
xargs -x -s 2000000 -d '\n' "$DIFF" --events-per-rule 20 --placeholder-dir "$PH" < "$list"
diff_ok=$?

if [ $load_ok -eq 0 ] && [ $diff_ok -eq 0 ]; then
    echo "conformance-sigma: 2 passed, 0 failed"
    exit 0
fi
echo "conformance-sigma: $(( (load_ok == 0) + (diff_ok == 0) )) passed, $(( (load_ok != 0) + (diff_ok != 0) )) failed"
exit 1
