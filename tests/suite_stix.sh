#!/usr/bin/env bash
# The STIX 2.1 export: bundles of a simulated fleet (plain and anonymised)
# must pass tests/data/campaign/stix_validate.py (written from the STIX 2.1
# specification: required properties, id and timestamp formats, vocabularies,
# the relationship table, deterministic observable ids, patterns, references);
# the same detections give the same bytes; and the validator itself must
# reject bundles broken in each of the ways it checks.
# Prints "N passed, M failed".
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
TRAWL=${TRAWL:-$PWD/$BUILD/trawl}
V=tests/data/campaign/stix_validate.py
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL $*"; }

d="$work/fleet"
"$TRAWL" sim --scenario apt41-2020 --out "$d" --seed 2 --orgs 60 --benign-rate 1 >/dev/null 2>&1
# (exit status 1: a log could not be read, e.g. an empty one; the rest counts)
"$TRAWL" hunt -q --year 2020 -r content/rules -i content/feeds/apt41-2020.csv \
    --fleet "$d/fleet.csv" --format jsonl -o "$d/det.jsonl" "$d/logs" 2>/dev/null
if [ ! -s "$d/det.jsonl" ]; then
    ko "could not make the fleet's detections"; echo "stix: $pass passed, $fail failed"; exit 1
fi
for mode in plain anonymised; do
    extra=""
    [ $mode = anonymised ] && extra="--anonymise --min-group 2"
    # shellcheck disable=SC2086
    if ! "$TRAWL" campaigns -q --fleet "$d/fleet.csv" --format stix $extra \
            -o "$work/$mode.json" "$d/det.jsonl" 2>"$work/err"; then
        ko "$mode: campaigns --format stix: $(head -n 2 "$work/err")"; continue
    fi
    out=$(python3 "$V" "$work/$mode.json" | grep -v '^warning')
    if grep -q '^ok ' <<<"$out"; then ok; else ko "$mode: $(head -n 5 <<<"$out")"; fi
done
# deterministic
"$TRAWL" campaigns -q --fleet "$d/fleet.csv" --format stix -o "$work/again.json" \
    "$d/det.jsonl" 2>/dev/null
if cmp -s "$work/plain.json" "$work/again.json"; then ok; else ko "a re-run gives other bytes"; fi
# what the bundle must hold
python3 - "$work/plain.json" <<'PY' && ok || ko "bundle content"
import json, sys
b = json.load(open(sys.argv[1]))
objs = {o["id"]: o for o in b["objects"]}
types = {o["type"] for o in b["objects"]}
need = {"campaign", "intrusion-set", "identity", "location", "sighting", "indicator",
        "vulnerability", "relationship", "incident", "infrastructure", "report", "ipv4-addr"}
missing = need - types
assert not missing, missing
camp = [o for o in b["objects"] if o["type"] == "campaign" and not o.get("x_trawl_cluster")]
assert len(camp) == 1, len(camp)
c = camp[0]
rels = [o for o in b["objects"] if o["type"] == "relationship" and o["source_ref"] == c["id"]]
kinds = {(r["relationship_type"], objs[r["target_ref"]]["type"]) for r in rels}
for k in [("attributed-to", "intrusion-set"), ("targets", "identity"), ("targets", "location"),
          ("targets", "vulnerability"), ("uses", "infrastructure")]:
    assert k in kinds, k
targets = [r for r in rels if r["relationship_type"] == "targets"
           and objs[r["target_ref"]]["type"] == "identity"]
assert len(targets) == c["x_trawl_orgs_targeted"], (len(targets), c["x_trawl_orgs_targeted"])
iset = [o for o in b["objects"] if o["type"] == "intrusion-set"][0]
assert iset["name"] == "APT41"
assert any(r.get("external_id") == "G0096" for r in iset["external_references"])
vul = [o for o in b["objects"] if o["type"] == "vulnerability"]
assert all(o["external_references"][0]["source_name"] == "cve" for o in vul)
sights = [o for o in b["objects"] if o["type"] == "sighting" and o["sighting_of_ref"] == c["id"]]
assert len(sights) == c["x_trawl_orgs_targeted"] and all(s["count"] >= 1 for s in sights)
inc = [o for o in b["objects"] if o["type"] == "incident"]
IC = "extension-definition--ef765651-680c-498d-9894-99799f2fa126"
assert inc and all(i["extensions"][IC]["determination"] == "successful-attempt" for i in inc)
# every extensions key resolves: to an extension-definition in the bundle (the published
# incident-core one, by OASIS) or to a predefined observable extension (STIX 2.1 section 6)
predefined = {"archive-ext", "ntfs-ext", "pdf-ext", "raster-image-ext", "windows-pebinary-ext",
              "http-request-ext", "icmp-ext", "socket-ext", "tcp-ext", "windows-process-ext",
              "windows-service-ext", "unix-account-ext"}
keys = {k for o in b["objects"] for k in o.get("extensions", {})}
assert keys, "no extensions at all"
for k in keys:
    assert k in predefined or objs.get(k, {}).get("type") == "extension-definition", k
d = objs[IC]
assert d["name"] == "Incident Core Extension" and d["extension_types"] == ["property-extension"]
assert objs[d["created_by_ref"]]["name"] == "OASIS"
assert sum(o["type"] == "extension-definition" for o in b["objects"]) == 1
PY
# the anonymised bundle names no tenant
if [ -f "$work/anonymised.json" ] && ! grep -q '"org-[0-9]' "$work/anonymised.json"; then ok
else ko "anonymised bundle names a tenant"; fi

# the validator rejects each kind of breakage
python3 - "$work/plain.json" "$work" <<'PY'
import copy, json, sys
b = json.load(open(sys.argv[1]))
def first(t):
    return next(o for o in b["objects"] if o["type"] == t)
def breakage(name, fn):
    x = copy.deepcopy(b)
    fn(x)
    json.dump(x, open("%s/broken-%s.json" % (sys.argv[2], name), "w"))
def obj(x, t):
    return next(o for o in x["objects"] if o["type"] == t)
breakage("dangling-ref", lambda x: x["objects"].remove(obj(x, "intrusion-set")))
breakage("timestamp", lambda x: obj(x, "campaign").update(created="2020-03-17 23:54:53"))
breakage("id-format", lambda x: obj(x, "indicator").update(id="indicator--1234"))
breakage("spec-version", lambda x: obj(x, "campaign").pop("spec_version"))
breakage("required", lambda x: obj(x, "campaign").pop("name"))
breakage("identity-class", lambda x: obj(x, "identity").update(identity_class="company"))
breakage("country", lambda x: obj(x, "location").update(country="USA"))
breakage("pattern-type", lambda x: obj(x, "indicator").update(pattern_type="regex"))
breakage("relationship", lambda x: next(o for o in x["objects"] if o["type"] == "relationship"
                                        and o["relationship_type"] == "attributed-to")
                                   .update(relationship_type="targets"))
breakage("sco-id", lambda x: obj(x, "ipv4-addr").update(value="203.0.113.77"))
breakage("hash-length", lambda x: obj(x, "indicator").update(
    pattern="[file:hashes.MD5 = 'f00']"))
breakage("count", lambda x: obj(x, "sighting").update(count=1000000000))
breakage("seen-order", lambda x: obj(x, "campaign").update(last_seen="2001-01-01T00:00:00Z"))
breakage("cve-ref", lambda x: obj(x, "vulnerability")["external_references"][0].update(
    external_id="CVE-19-1"))
def drop_ext_def(x):
    x["objects"] = [o for o in x["objects"] if o["type"] != "extension-definition"]
breakage("extension-unresolved", drop_ext_def)
breakage("extension-type", lambda x: obj(x, "incident")["extensions"][
    "extension-definition--ef765651-680c-498d-9894-99799f2fa126"].update(
        extension_type="new-sdo"))
breakage("extension-determination", lambda x: obj(x, "incident")["extensions"][
    "extension-definition--ef765651-680c-498d-9894-99799f2fa126"].update(
        determination="confirmed"))
breakage("extension-name", lambda x: obj(x, "incident").update(extensions={
    "x-incident-ext": {"extension_type": "property-extension"}}))
breakage("extension-types", lambda x: obj(x, "extension-definition").update(
    extension_types=["property"]))
PY
for f in "$work"/broken-*.json; do
    name=${f##*/broken-}; name=${name%.json}
    if python3 "$V" "$f" >/dev/null; then ko "validator accepts a bundle broken by: $name"; else ok; fi
done
echo "stix: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
