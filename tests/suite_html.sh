#!/usr/bin/env bash
# The HTML campaign report in a real browser: a small simulated fleet goes
# through hunt and `trawl campaigns --format html` (plain and anonymised);
# tests/browser/check.js loads each page in Debian's Chromium (headless,
# fresh profile, no network) through playwright-core and checks there is no
# console error, no request beyond the file, charts are drawn and a tenant
# opens onto its evidence; screenshots go to $BUILD/html/.
# Skips (prints "skipped", counts 0) only when node or chromium is missing.
# Prints "N passed, M failed".
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
TRAWL=${TRAWL:-$PWD/$BUILD/trawl}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "html: skipped (node/npm not installed)"; echo "html: 0 passed, 0 failed"; exit 0
fi
if [ ! -x "$CHROMIUM" ]; then
    echo "html: skipped ($CHROMIUM not installed)"; echo "html: 0 passed, 0 failed"; exit 0
fi
pass=0 fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL $*"; }
if [ ! -d tests/browser/node_modules/playwright-core ]; then
    if ! (cd tests/browser && npm ci --no-audit --no-fund >/dev/null 2>&1); then
        ko "npm ci in tests/browser failed"
        echo "html: $pass passed, $fail failed"; exit 1
    fi
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
shots="$BUILD/html"
mkdir -p "$shots"
d="$work/fleet"
# (hunt exits 1 when a log cannot be read, e.g. an empty shell log: the rest counts)
"$TRAWL" sim --scenario apt41-2020 --out "$d" --seed 3 --orgs 40 --benign-rate 1 >/dev/null 2>&1
"$TRAWL" hunt -q --year 2020 -r content/rules -i content/feeds/apt41-2020.csv \
    --fleet "$d/fleet.csv" --format jsonl -o "$d/det.jsonl" "$d/logs" 2>/dev/null
if [ ! -s "$d/det.jsonl" ]; then
    ko "could not make the fleet's detections"
    echo "html: $pass passed, $fail failed"; exit 1
fi
for mode in plain anonymised; do
    extra=""
    [ $mode = anonymised ] && extra="--anonymise --min-group 2"
    # shellcheck disable=SC2086
    if ! "$TRAWL" campaigns -q --fleet "$d/fleet.csv" --format html $extra \
            -o "$work/$mode.html" "$d/det.jsonl" 2>"$work/err"; then
        ko "$mode: campaigns --format html: $(head -n 2 "$work/err")"; continue
    fi
    # self-contained: no reference to anything outside the file
    if grep -Eiq '<(script|link|img|iframe)[ >]|src=|href="http|url\(' "$work/$mode.html"; then
        ko "$mode: the page references external content"
    else ok; fi
    out=$(cd tests/browser && CHROMIUM="$CHROMIUM" timeout 180 node check.js \
          "$work/$mode.html" "$PWD/../../$shots/$mode.png" $mode 2>&1)
    p=$(grep -c '^ok ' <<<"$out"); f=$(grep -c '^FAIL ' <<<"$out")
    pass=$((pass + p)); fail=$((fail + f))
    grep '^FAIL ' <<<"$out" | sed "s/^/$mode: /"
    if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then ko "$mode: browser check did not run: $out"; fi
done
if [ -f "$work/anonymised.html" ] && grep -q 'org-0' "$work/anonymised.html"; then
    ko "anonymised page names a tenant"
else ok; fi
echo "html: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
