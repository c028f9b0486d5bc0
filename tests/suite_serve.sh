#!/usr/bin/env bash
# trawl serve over a store built from the simulator: every figure the API
# gives equals what `trawl query --count` reads from the same store; the
# security rules hold (no token off loopback, 401 without the token, foreign
# Host and Origin refused); oversized and malformed requests get a 4xx and
# leave the server healthy; live ingest makes posted records visible.
set -u
cd "$(dirname "$0")/.."
: "${TRAWL:=$PWD/build/trawl}"
export TRAWL_CONTENT=${TRAWL_CONTENT:-$PWD/content}
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
check() { # description, command…
    local what=$1; shift
    if "$@"; then ok; else bad "$what"; fi
}
for tool in curl python3; do
    if ! command -v $tool >/dev/null; then
        echo "skip: no $tool"; echo "serve: 0 passed, 0 failed"; exit 0
    fi
done
tmp=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT

# start NAME ARGS…: starts trawl serve in $tmp, sets $url (empty when it did not start)
start() {
    local name=$1; shift
    (cd "$tmp" && exec "$TRAWL" serve "$@" >"$tmp/$name.out" 2>"$tmp/$name.err") &
    local pid=$!
    pids+=("$pid")
    url=""
    for _ in $(seq 1 300); do
        if [ -s "$tmp/$name.out" ]; then url=$(head -n 1 "$tmp/$name.out"); return 0; fi
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}
json() { # FILE PYTHON-EXPRESSION over j
    python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"
}
code() { curl -s -o "$tmp/body" -w '%{http_code}' "$@"; }

"$TRAWL" sim --out "$tmp/fleet" --orgs 24 --targeted 12 --compromised 4 --size 200K --seed 5 \
    >/dev/null 2>&1
(cd "$tmp" && "$TRAWL" hunt --fleet fleet/fleet.csv --store s.db -j 2 --no-progress -q \
    -o /dev/null fleet/logs) || bad "hunt --store"
store_count() { "$TRAWL" query --store "$tmp/s.db" --count "$@"; }
total=$(store_count)
check "the simulated store has detections ($total)" [ "${total:-0}" -gt 100 ]

# ---- read-only server on a free port ----
start ro --store s.db --listen 127.0.0.1:0 --rate 0
check "serve starts on 127.0.0.1:0 and prints its URL" [ -n "$url" ]
U=$url
curl -s "${U}api/health" >"$tmp/health.json"
check "health: status ok" [ "$(json "$tmp/health.json" "j['status']")" = ok ]
check "health: detections = store count" \
    [ "$(json "$tmp/health.json" "j['detections']")" = "$total" ]
check "health: tenants = fleet" [ "$(json "$tmp/health.json" "j['tenants']")" = 24 ]

curl -s "${U}api/tenants" >"$tmp/tenants.json"
check "tenants: 24 listed" [ "$(json "$tmp/tenants.json" "len(j['tenants'])")" = 24 ]
check "tenants: detections add up to the store's" \
    [ "$(json "$tmp/tenants.json" "sum(t['detections'] for t in j['tenants'])")" = "$total" ]
# every tenant's counts, by kind, against the store
mism=0
while read -r id n sigma ioc; do
    [ "$(store_count --tenant "$id")" = "$n" ] || mism=$((mism + 1))
    [ "$(store_count --tenant "$id" --kind sigma)" = "$sigma" ] || mism=$((mism + 1))
    [ "$(store_count --tenant "$id" --kind ioc)" = "$ioc" ] || mism=$((mism + 1))
done < <(json "$tmp/tenants.json" \
    "'\n'.join('%s %d %d %d' % (t['id'], t['detections'], t['by_kind']['sigma'], t['by_kind']['ioc']) for t in j['tenants'])")
check "tenants: per-tenant counts by kind equal the store's ($mism mismatches)" [ $mism = 0 ]

busiest=$(json "$tmp/tenants.json" "max(j['tenants'], key=lambda t: t['detections'])['id']")
curl -s "${U}api/tenants/$busiest" >"$tmp/tenant.json"
check "tenant: timeline days add up to its detections" \
    [ "$(json "$tmp/tenant.json" "sum(d['sigma']+d['ioc']+d['correlation'] for d in j['tenant']['timeline'])")" \
      = "$(store_count --tenant "$busiest")" ]
first_day=$(json "$tmp/tenant.json" "j['tenant']['timeline'][0]['day']")
check "tenant: first day's count equals the store's" \
    [ "$(json "$tmp/tenant.json" "sum(j['tenant']['timeline'][0][k] for k in ('sigma','ioc','correlation'))")" \
      = "$(store_count --tenant "$busiest" --since "$first_day" --until "$(date -u -d "$first_day + 1 day" +%F)")" ]

# detections: every page of a filter, through the cursor, equals the store's query
want=$("$TRAWL" query --store "$tmp/s.db" --tenant "$busiest" --level high --format jsonl \
    | python3 -c "import sys,json; print(' '.join(json.loads(l)['id'] for l in sys.stdin))")
got="" cursor="" pages=0
while :; do
    curl -s "${U}api/detections?tenant=$busiest&level=high&limit=37${cursor:+&cursor=$cursor}" \
        >"$tmp/page.json"
    got="$got $(json "$tmp/page.json" "' '.join(d['id'] for d in j['detections'])")"
    pages=$((pages + 1))
    cursor=$(json "$tmp/page.json" "j['next'] or ''")
    [ -z "$cursor" ] && break
    [ $pages -gt 1000 ] && break
done
check "detections: $pages pages of 37 through the cursor equal trawl query" \
    [ "$(echo $got)" = "$(echo $want)" ]
curl -s "${U}api/detections?kind=ioc&since=2020-02-01&until=2020-03-01&total=1&limit=1" \
    >"$tmp/page.json"
check "detections: total of a kind and time range equals the store's" \
    [ "$(json "$tmp/page.json" "j['total']")" = \
      "$(store_count --kind ioc --since 2020-02-01 --until 2020-03-01)" ]
# the rule and indicator filters: a Sigma rule and an indicator of the store
"$TRAWL" query --store "$tmp/s.db" --kind sigma --format jsonl | head -n 1 >"$tmp/one.json"
rule=$(json "$tmp/one.json" "j['rule_id']")
curl -s "${U}api/detections?rule=$rule&total=1&limit=1" >"$tmp/page.json"
n_rule=$(store_count --rule "$rule")
check "detections: total of rule $rule equals the store's ($n_rule)" \
    [ "$(json "$tmp/page.json" "j['total']")" = "$n_rule" -a "$n_rule" -gt 0 ]
check "… and every detection of the page is of that rule" \
    [ "$(json "$tmp/page.json" "set(d['rule_id'] for d in j['detections']) == {'$rule'}")" = True ]
"$TRAWL" query --store "$tmp/s.db" --kind ioc --format jsonl | head -n 1 >"$tmp/one.json"
ind=$(json "$tmp/one.json" "j['indicator']['value']")
curl -s -G --data-urlencode "indicator=$ind" -d total=1 "${U}api/detections" >"$tmp/page.json"
n_ind=$(store_count --indicator "$ind")
check "detections: total of indicator $ind equals the store's ($n_ind)" \
    [ "$(json "$tmp/page.json" "j['total']")" = "$n_ind" -a "$n_ind" -gt 0 ]

# drill-down: a detection's source record is the line it names
id=$(json "$tmp/page.json" "j['detections'][0]['id']")
curl -s "${U}api/detections/$id" >"$tmp/one.json"
path=$(json "$tmp/one.json" "j['detection']['path']")
line=$(json "$tmp/one.json" "j['detection']['line']")
check "detection: the matched record is line $line of $path" \
    [ "$(json "$tmp/one.json" "[r['text'] for r in j['source']['records'] if r.get('match')][0]")" \
      = "$(sed -n "${line}p" "$tmp/$path")" ]

# campaigns: the same campaigns, tenants and stages as `trawl campaigns` over the store
"$TRAWL" campaigns -q --store "$tmp/s.db" --fleet "$tmp/fleet/fleet.csv" --format json \
    -o "$tmp/cli-campaigns.json"
curl -s "${U}api/campaigns" >"$tmp/campaigns.json"
key="'\n'.join('%s %s %s' % (c['id'], ','.join(sorted(c['orgs_targeted'])), ','.join(sorted(c['orgs_compromised']))) for c in j['campaigns'])"
check "campaigns: ids, targeted and compromised tenants equal trawl campaigns'" \
    [ "$(json "$tmp/campaigns.json" "$key")" = "$(json "$tmp/cli-campaigns.json" "$key")" ]
check "campaigns: an APT41 campaign" \
    [ "$(json "$tmp/campaigns.json" "sum(1 for c in j['campaigns'] if c['actor'] == 'APT41')")" = 1 ]
apt=$(json "$tmp/campaigns.json" "[c['id'] for c in j['campaigns'] if c['actor'] == 'APT41'][0]")
curl -s "${U}api/campaigns/$apt" >"$tmp/campaign.json"
check "campaign: one row per tenant, stages as trawl campaigns gives them" \
    [ "$(json "$tmp/campaign.json" "' '.join(sorted(t['id'] + ':' + t['stage'] for t in j['campaign']['tenants']))")" = \
      "$(json "$tmp/cli-campaigns.json" "' '.join(sorted(t['tenant'] + ':' + t['stage'] for c in j['campaigns'] if c['id'] == '$apt' for t in c['tenants']))")" ]
check "campaign: counts match its tenant list" \
    [ "$(json "$tmp/campaign.json" "j['campaign']['counts']['compromised'] == sum(t['stage'] == 'compromised' for t in j['campaign']['tenants']) and j['campaign']['counts']['tenants'] == len(j['campaign']['tenants'])")" = True ]
check "campaign: the tenant pages name the campaign" \
    [ "$(json <(curl -s "${U}api/tenants/$(json "$tmp/campaign.json" "j['campaign']['orgs_compromised'][0]")") \
         "[c['stage'] for c in j['tenant']['campaigns'] if c['id'] == '$apt'][0]")" = compromised ]
check "unknown campaign: 404" [ "$(code "${U}api/campaigns/campaign--nope")" = 404 ]

# errors: JSON with a message, 4xx, and the server stays healthy
check "unknown parameter: 400" [ "$(code "${U}api/detections?tennant=x")" = 400 ]
check "error body is JSON with a message" \
    [ "$(json "$tmp/body" "'tennant' in j['error'] and j['status']")" = 400 ]
check "bad level: 400" [ "$(code "${U}api/detections?level=severe")" = 400 ]
check "bad cursor: 400" [ "$(code "${U}api/detections?cursor=t1.zz")" = 400 ]
check "limit over the page cap: 400" [ "$(code "${U}api/detections?limit=100000")" = 400 ]
check "unknown detection: 404" [ "$(code "${U}api/detections/0123456789abcdef")" = 404 ]
check "unknown endpoint: 404" [ "$(code "${U}api/nothing")" = 404 ]
check "path traversal in static content: 404" \
    [ "$(code --path-as-is "${U}../../../../etc/passwd")" = 404 ]
check "encoded traversal: 404" [ "$(code --path-as-is "${U}%2e%2e/%2e%2e/etc/passwd")" = 404 ]
check "POST on a read-only server: 403" [ "$(code -X POST --data x "${U}api/ingest?tenant=a")" = 403 ]
check "DELETE: 405" [ "$(code -X DELETE "${U}api/tenants")" = 405 ]
check "foreign Host (DNS rebinding): 403" [ "$(code -H 'Host: evil.example' "${U}api/health")" = 403 ]
check "cross-origin request: 403" \
    [ "$(code -H 'Origin: http://evil.example' "${U}api/health")" = 403 ]
long=$(head -c 70000 /dev/zero | tr '\0' a)
st=$(code "${U}api/detections?tenant=$long")
check "oversized request line: 4xx ($st)" [ "${st:0:1}" = 4 ]
st=$(code -H "X-Big: $long" "${U}api/health")
check "oversized header: 4xx ($st)" [ "${st:0:1}" = 4 ]
raw() { # PORT: sends stdin as a raw request, prints the response's status (empty: none)
    timeout 5 python3 -c "
import socket,sys
s=socket.create_connection(('127.0.0.1', int(sys.argv[1])))
s.sendall(sys.stdin.buffer.read()); s.shutdown(socket.SHUT_WR)
r=s.recv(100).split()
print(r[1].decode() if len(r) > 1 else '')" "$1" 2>/dev/null
}
P=${U##*:}; P=${P%/}
st=$(printf 'GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: zz\r\n\r\n' | raw "$P")
check "malformed Content-Length: 400 ($st)" [ "$st" = 400 ]
st=$(printf 'POST /api/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n' | raw "$P")
check "malformed chunked body: 4xx ($st)" [ "${st:0:1}" = 4 ]
st=$(printf 'GARBAGE\r\n\r\n' | raw "$P")
check "garbage request line: 4xx or closed ($st)" [ -z "$st" -o "${st:0:1}" = 4 ]
check "the server is healthy after all that" [ "$(code "${U}api/health")" = 200 ]
security=$(curl -sI "${U}")
for h in "Content-Security-Policy: default-src 'none'; script-src 'self'" \
    "frame-ancestors 'none'" "X-Content-Type-Options: nosniff" "Referrer-Policy: no-referrer"; do
    check "dashboard sends $h" grep -qF "$h" <<<"$security"
done
check "dashboard has no inline script" \
    bash -c "! curl -s '${U}' | grep -Eq '<script>|<script [^s]| on[a-z]+='"
curl -s "${U}metrics" >"$tmp/metrics"
check "metrics: counts this run's 400s on detections" \
    grep -q '^trawl_http_requests_total{route="detections",code="400"} [1-9]' "$tmp/metrics"
check "metrics: detections gauge equals the store" \
    [ "$(awk '/^trawl_detections\{/ {s += $2} END {print s}' "$tmp/metrics")" = "$total" ]
check "metrics: latency histogram" \
    grep -q '^trawl_http_request_duration_seconds_bucket{route="tenants",le="+Inf"}' "$tmp/metrics"

# ---- rate limit ----
start rate --store s.db --listen 127.0.0.1:0 --rate 2 --burst 3
codes=""
for _ in 1 2 3 4 5; do codes="$codes$(code "${url}api/health") "; done
check "rate limit: 3 of 5 quick requests pass, then 429 ($codes)" \
    [ "$codes" = "200 200 200 429 429 " ]
check "429 says when to retry" grep -q "retry after" "$tmp/body"

# ---- concurrency: N idle connections held open, then one more request ----
hold() { # PORT N: prints the status of a request made while N connections are held open,
         # then that of one made after they are closed ("closed": refused without a reply)
    timeout 20 python3 -c "
import socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
req = b'GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'
def status():
    try:
        s = socket.create_connection(('127.0.0.1', port), timeout=5)
        s.sendall(req)
        r = s.recv(100).split()
        s.close()
        return r[1].decode() if len(r) > 1 else 'closed'
    except OSError:
        return 'closed'
held = [socket.create_connection(('127.0.0.1', port)) for _ in range(n)]
time.sleep(0.3)
during = status()
for s in held: s.close()
time.sleep(0.3)
print(during, status())" "$1" "$2" 2>/dev/null
}
port() { local p=${1##*:}; echo "${p%/}"; }
start perip --store s.db --listen 127.0.0.1:0 --rate 0 --max-per-ip 2 -j 1
check "per-address limit: 1 held, a request passes ($(hold "$(port "$url")" 1))" \
    [ "$(hold "$(port "$url")" 1)" = "200 200" ]
check "per-address limit: 2 held, the next connection is refused, then served" \
    [ "$(hold "$(port "$url")" 2)" = "closed 200" ]
check "-j 1 starts without a libmicrohttpd warning" [ ! -s "$tmp/perip.err" ]
start conns --store s.db --listen 127.0.0.1:0 --rate 0 --max-connections 4 -j 4
check "connection limit: 3 of 4 held, a request passes" \
    [ "$(hold "$(port "$url")" 3)" = "200 200" ]
check "connection limit: 4 held, the next connection is refused, then served" \
    [ "$(hold "$(port "$url")" 4)" = "closed 200" ]

# ---- tokens ----
start open --store s.db --listen 0.0.0.0:0
check "non-loopback without a token refuses to start" [ -z "$url" ]
check "… saying why" grep -q "without a token" "$tmp/open.err"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$tmp/token"
chmod 600 "$tmp/token"
start tok --store s.db --listen 0.0.0.0:0 --token-file token --access-log
check "non-loopback with a token starts" [ -n "$url" ]
T=http://127.0.0.1:${url##*:}
check "no token: 401" [ "$(code "${T}api/health")" = 401 ]
check "wrong token: 401" [ "$(code -H "Authorization: Bearer x$(cat "$tmp/token")" "${T}api/tenants")" = 401 ]
check "metrics need the token too: 401" [ "$(code "${T}metrics")" = 401 ]
check "right token: 200" \
    [ "$(code -H "Authorization: Bearer $(cat "$tmp/token")" "${T}api/tenants")" = 200 ]
check "the dashboard page itself holds no data and loads without the token" \
    [ "$(code "${T}")" = 200 ]
check "the token never appears in the log" bash -c "! grep -qF '$(cat "$tmp/token")' '$tmp/tok.err'"
check "the access log has the requests" grep -q 'GET /api/tenants 200' "$tmp/tok.err"

# ---- live ingest ----
cp "$tmp/s.db" "$tmp/live.db"
start live --store live.db --listen 127.0.0.1:0 --ingest --max-body 65536 \
    --refresh 200 -r "$PWD/content/rules" -i "$PWD/content/feeds/apt41-2020.csv"
L=$url
check "ingest server starts" [ -n "$L" ]
grep -h '66\.42\.98\.220' "$tmp"/fleet/logs/*/citrix/*/httpaccess.log | head -n 20 >"$tmp/post.log"
check "sample of APT41 Citrix attempts to post" [ "$(wc -l <"$tmp/post.log")" -gt 3 ]
before=$(json <(curl -s "${L}api/health") "j['detections']")
check "ingest: 200" [ "$(code --data-binary @"$tmp/post.log" "${L}api/ingest?tenant=org-900")" = 200 ]
cp "$tmp/body" "$tmp/ingest.json"
n=$(json "$tmp/ingest.json" "j['stored']")
check "ingest: all 20 records read, detections stored ($n)" \
    [ "$(json "$tmp/ingest.json" "j['records']")" = 20 -a "$n" -gt 0 ]
seen=""
for _ in $(seq 1 50); do
    seen=$(json <(curl -s "${L}api/tenants/org-900") "j['tenant']['detections']" 2>/dev/null)
    [ "$seen" = "$n" ] && break
    sleep 0.1
done
check "ingest: the new tenant shows its $n detections within seconds ($seen)" [ "$seen" = "$n" ]
check "ingest: health counts them" \
    [ "$(json <(curl -s "${L}api/health") "j['detections']")" = $((before + n)) ]
check "ingest: header tenant and wait=1" \
    [ "$(code --data-binary @"$tmp/post.log" -H 'X-Trawl-Tenant: org-901' "${L}api/ingest?wait=1")" = 200 ]
check "ingest: visible at once with wait=1" \
    [ "$(json <(curl -s "${L}api/tenants/org-901") "j['tenant']['detections']")" = "$n" ]
id=$(json <(curl -s "${L}api/detections?tenant=org-901&limit=1") "j['detections'][0]['id']")
curl -s "${L}api/detections/$id" >"$tmp/one.json"
check "ingest: drill-down reads the spooled record" \
    [ "$(json "$tmp/one.json" "j['source']['available']")" = True ]
# JSON lines: Sysmon events of the compromised tenants (APT41's loader and C2)
grep -h -E '66\.42\.98\.220|storesyncsvc|exchange\.dumb1' "$tmp"/fleet/logs/*/windows/*/sysmon.jsonl |
    head -n 10 >"$tmp/post.jsonl"
nj=$(wc -l <"$tmp/post.jsonl")
check "ingest JSON lines: $nj Sysmon events to post" [ "$nj" -gt 3 ]
check "ingest JSON lines: 200" \
    [ "$(code --data-binary @"$tmp/post.jsonl" "${L}api/ingest?tenant=org-902&wait=1")" = 200 ]
check "ingest JSON lines: read as evtx-json, all $nj records, detections stored" \
    [ "$(json "$tmp/body" "j['format'], j['records'], j['rejected'], j['stored'] > 0")" = \
      "evtx-json $nj 0 True" ]
check "ingest JSON lines: visible at once with wait=1" \
    [ "$(json <(curl -s "${L}api/tenants/org-902") "j['tenant']['detections']")" = \
      "$(json "$tmp/body" "j['stored']")" ]
check "ingest: no tenant: 400" [ "$(code --data-binary @"$tmp/post.log" "${L}api/ingest")" = 400 ]
check "ingest: tenant with a slash: 400" \
    [ "$(code --data-binary @"$tmp/post.log" "${L}api/ingest?tenant=../../etc")" = 400 ]
check "ingest: binary body: 415" \
    [ "$(code --data-binary @"$TRAWL" -H 'Content-Length: 100' "${L}api/ingest?tenant=x" 2>/dev/null)" != 200 ]
head -c 70000 /dev/zero | tr '\0' '\n' >"$tmp/big"
check "ingest: body over --max-body: 413" \
    [ "$(code --data-binary @"$tmp/big" "${L}api/ingest?tenant=org-902")" = 413 ]
check "ingest: chunked body over --max-body: 413" \
    [ "$(code -H 'Transfer-Encoding: chunked' --data-binary @"$tmp/big" "${L}api/ingest?tenant=org-902")" = 413 ]
check "ingest: unknown format: 400" \
    [ "$(code --data-binary @"$tmp/post.log" "${L}api/ingest?tenant=x&format=pdf")" = 400 ]
check "ingest: GET: 405" [ "$(code "${L}api/ingest")" = 405 ]
check "ingest: cross-origin POST (CSRF): 403" \
    [ "$(code -H 'Origin: http://evil.example' --data-binary @"$tmp/post.log" "${L}api/ingest?tenant=x")" = 403 ]
check "ingest server healthy afterwards" [ "$(code "${L}api/health")" = 200 ]
check "ingest metrics" grep -q '^trawl_ingest_requests_total 3$' <(curl -s "${L}metrics")

# ---- the dashboard in a real browser ----
if ! command -v node >/dev/null || ! command -v npm >/dev/null || [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
    echo "skip: the browser test needs node, npm and chromium"
elif [ ! -d tests/browser/node_modules/playwright-core ] &&
     ! (cd tests/browser && npm ci --no-audit --no-fund >/dev/null 2>&1); then
    bad "npm ci in tests/browser failed"
else
    shots="$PWD/${BUILD:-build}/serve"
    mkdir -p "$shots"
    out=$(cd tests/browser && timeout 300 node serve.js "$U" "$shots" 2>&1)
    p=$(grep -c '^ok ' <<<"$out"); f=$(grep -c '^FAIL ' <<<"$out")
    pass=$((pass + p)); fail=$((fail + f))
    grep '^FAIL ' <<<"$out" | sed 's/^/browser: /'
    [ "$p" -gt 0 ] || bad "the browser test did not run: $(tail -n 5 <<<"$out")"
fi

echo "serve: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
