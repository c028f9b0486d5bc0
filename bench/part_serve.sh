#!/usr/bin/env bash
# bench part: trawl serve under load from a second process on loopback (wrk).
# A simulated fleet is hunted into a store; the server (4 request threads,
# no rate limit) is then loaded with wrk (2 threads, 16 connections) on the
# campaign list (or the tenant list when this build has no campaigns), a
# tenant's first page of detections, and a filtered page deep in the store
# (through a cursor). The server's resident memory is read before and after:
# it must stay flat (the view is built once; pages are freed when sent).
#   RESULT serve_<endpoint>_rps  requests per second
#   RESULT serve_<endpoint>_p50  median latency (ms)
#   RESULT serve_<endpoint>_p99  99th percentile latency (ms)
#   RESULT serve_rss_before / serve_rss_after / serve_rss_growth  (MB)
# SERVE_BENCH_SECONDS (default 10) per endpoint; SERVE_BENCH_ORGS (default 120).
set -u
TRAWL=${TRAWL:-build/trawl}
work="${BENCH_WORK:-/tmp}/serve"
secs=${SERVE_BENCH_SECONDS:-10}
orgs=${SERVE_BENCH_ORGS:-120}
if ! command -v wrk >/dev/null; then
    echo "serve: wrk not installed (scripts/deps.sh --bench)"; exit 1
fi
rm -rf "$work"
mkdir -p "$work"
"$TRAWL" sim --out "$work/fleet" --orgs "$orgs" --size 16M --seed 1 >/dev/null 2>&1 || exit 1
(cd "$work" && "$TRAWL" hunt --fleet fleet/fleet.csv --store s.db --no-progress -q \
    -o /dev/null fleet/logs) || true
n=$("$TRAWL" query --store "$work/s.db" --count)
echo "serve: store of $n detections from $orgs simulated tenants"

(cd "$work" && exec "$TRAWL" serve --store s.db --listen 127.0.0.1:0 --rate 0 \
    >"$work/url" 2>"$work/err") &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 600); do [ -s "$work/url" ] && break; sleep 0.05; done
U=$(head -n 1 "$work/url")
[ -n "$U" ] || { echo "serve: the server did not start: $(cat "$work/err")"; exit 1; }
rss() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$pid/status"; }

list=api/campaigns
curl -sf "${U}$list" >/dev/null || list=api/tenants
tenant=$(curl -s "${U}api/tenants" | python3 -c \
    "import json,sys; print(max(json.load(sys.stdin)['tenants'], key=lambda t: t['detections'])['id'])")
# a cursor half-way through the high-level detections
cursor=$(curl -s "${U}api/detections?level=high&limit=$((n / 4 > 0 ? (n / 4 < 1000 ? n / 4 : 1000) : 1))" \
    | python3 -c "import json,sys; print(json.load(sys.stdin)['next'] or '')")
# warm up (first touches of the store's pages), then measure memory
for path in "$list" "api/detections?tenant=$tenant&limit=100" "api/detections?level=high&limit=100"; do
    curl -s -o /dev/null "${U}$path"
done
before=$(rss)

load() { # name path
    local out
    out=$(wrk -t2 -c16 -d"${secs}s" --latency "${U}$2" 2>&1)
    local rps p50 p99 errs
    rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
    p50=$(awk '$1 == "50%" { print $2 }' <<<"$out")
    p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
    errs=$(grep -E 'Non-2xx|Socket errors' <<<"$out")
    ms() { awk -v v="$1" 'BEGIN { u = v; sub(/[0-9.]+/, "", u); x = v + 0;
        if (u == "us") x /= 1000; else if (u == "s") x *= 1000; else if (u == "m") x *= 60000;
        printf "%.3f", x }'; }
    echo "serve: $1 ($2): $rps req/s, p50 $p50, p99 $p99${errs:+ ($errs)}"
    echo "RESULT serve_${1}_rps ${rps:-0} req/s"
    echo "RESULT serve_${1}_p50 $(ms "${p50:-0ms}") ms"
    echo "RESULT serve_${1}_p99 $(ms "${p99:-0ms}") ms"
}
load "${list#api/}" "$list"
load tenant_detections "api/detections?tenant=$tenant&limit=100"
load deep_page "api/detections?level=high&limit=100${cursor:+&cursor=$cursor}"
after=$(rss)
echo "serve: resident memory $before MB before the load, $after MB after"
echo "RESULT serve_rss_before $before MB"
echo "RESULT serve_rss_after $after MB"
echo "RESULT serve_rss_growth $(awk -v a="$after" -v b="$before" 'BEGIN { printf "%.1f", a - b }') MB"
