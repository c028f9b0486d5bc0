#!/usr/bin/env python3
"""A STIX 2.1 bundle validator written from the specification (OASIS STIX
2.1 with errata 01; intel-anchors §1): common and required properties per
object type, identifier and timestamp formats, vocabulary values,
relationship types allowed between the types they join, deterministic SCO
ids (section 2.9), pattern syntax for the comparison forms trawl emits,
hash lengths, and that every reference resolves inside the bundle. Standard
library only (no schema files are available offline).

    stix_validate.py BUNDLE.json      prints "ok N objects" or the errors, exit 1
"""
import json
import re
import sys
import uuid

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
ID_RE = re.compile(r"^([a-z0-9][a-z0-9-]*[a-z0-9])--(" + UUID + r")$")
TS_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:"
                   r"([0-5]\d|60)(\.\d+)?Z$")
PROP_RE = re.compile(r"^[a-z0-9_]{3,250}$")
SCO_NS = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")

SDO = {"attack-pattern", "campaign", "course-of-action", "grouping", "identity", "incident",
       "indicator", "infrastructure", "intrusion-set", "location", "malware",
       "malware-analysis", "note", "observed-data", "opinion", "report", "threat-actor",
       "tool", "vulnerability"}
SRO = {"relationship", "sighting"}
SCO = {"artifact", "autonomous-system", "directory", "domain-name", "email-addr",
       "email-message", "file", "ipv4-addr", "ipv6-addr", "mac-addr", "mutex",
       "network-traffic", "process", "software", "url", "user-account", "windows-registry-key",
       "x509-certificate"}
META = {"extension-definition"}  # STIX 2.1 section 7 objects trawl writes
# section 6: the predefined extensions of cyber-observable objects, keyed by name
PREDEFINED_EXT = {"archive-ext", "ntfs-ext", "pdf-ext", "raster-image-ext",
                  "windows-pebinary-ext", "http-request-ext", "icmp-ext", "socket-ext", "tcp-ext",
                  "windows-process-ext", "windows-service-ext", "unix-account-ext"}
EXTENSION_TYPES = {"new-sdo", "new-sco", "new-sro", "property-extension",
                   "toplevel-property-extension"}
# OASIS incident-core extension (cti-stix-common-objects): incident-determination-enum
INCIDENT_CORE = "extension-definition--ef765651-680c-498d-9894-99799f2fa126"
INCIDENT_DETERMINATION = {"blocked", "failed-attempt", "false-positive", "low-value",
                          "successful-attempt", "suspected"}
VALUE_SCO = {"domain-name", "email-addr", "ipv4-addr", "ipv6-addr", "mac-addr", "url"}

REQUIRED = {
    "attack-pattern": ["name"], "campaign": ["name"], "course-of-action": ["name"],
    "grouping": ["context", "object_refs"], "identity": ["name"], "incident": ["name"],
    "indicator": ["pattern", "pattern_type", "valid_from"], "infrastructure": ["name"],
    "intrusion-set": ["name"], "location": [], "malware": ["is_family"],
    "note": ["content", "object_refs"], "observed-data":
        ["first_observed", "last_observed", "number_observed"],
    "opinion": ["opinion", "object_refs"], "report": ["name", "published", "object_refs"],
    "threat-actor": ["name"], "tool": ["name"], "vulnerability": ["name"],
    "relationship": ["relationship_type", "source_ref", "target_ref"],
    "sighting": ["sighting_of_ref"],
    "extension-definition": ["created_by_ref", "name", "schema", "version", "extension_types"],
}
TIMESTAMPS = {"created", "modified", "first_seen", "last_seen", "valid_from", "valid_until",
              "published", "start_time", "stop_time", "first_observed", "last_observed"}

IDENTITY_CLASS = {"individual", "group", "system", "organization", "class", "unknown"}
SECTORS = {"agriculture", "aerospace", "automotive", "chemical", "commercial", "communications",
           "construction", "defense", "education", "energy", "entertainment",
           "financial-services", "government", "emergency-services", "government-local",
           "government-national", "government-public-services", "government-regional",
           "healthcare", "hospitality-leisure", "infrastructure", "dams", "nuclear", "water",
           "insurance", "legal", "manufacturing", "mining", "non-profit", "pharmaceuticals",
           "retail", "technology", "telecommunications", "transportation", "utilities"}
PATTERN_TYPES = {"stix", "pcre", "sigma", "snort", "suricata", "yara"}
INDICATOR_TYPES = {"anomalous-activity", "anonymization", "benign", "compromised",
                   "malicious-activity", "attribution", "unknown"}
REPORT_TYPES = {"attack-pattern", "campaign", "identity", "indicator", "intrusion-set",
                "malware", "observed-data", "threat-actor", "threat-report", "tool",
                "vulnerability", "incident"}
INFRA_TYPES = {"amplification", "anonymization", "botnet", "command-and-control",
               "control-system", "exfiltration", "firewall", "hosting-malware",
               "hosting-target-lists", "phishing", "reconnaissance", "routers-switches",
               "staging", "workstation", "unknown"}
HASH_LEN = {"MD5": 32, "SHA-1": 40, "SHA-256": 64, "SHA-512": 128, "SHA3-256": 64,
            "SHA3-512": 128}

ANY = None  # any type
# (source types, relationship type, target types) from the spec's relationship tables
RELATIONSHIPS = {
    "attributed-to": [({"campaign"}, {"intrusion-set", "threat-actor"}),
                      ({"intrusion-set"}, {"threat-actor"})],
    "targets": [({"attack-pattern", "campaign", "intrusion-set", "malware", "threat-actor",
                  "tool"}, {"identity", "location", "vulnerability", "infrastructure"})],
    "uses": [({"attack-pattern", "campaign", "intrusion-set", "malware", "threat-actor"},
              {"attack-pattern", "infrastructure", "malware", "tool"})],
    "indicates": [({"indicator"}, {"attack-pattern", "campaign", "infrastructure",
                                   "intrusion-set", "malware", "threat-actor", "tool"})],
    "located-at": [({"identity", "intrusion-set", "threat-actor", "infrastructure"},
                    {"location"})],
    "consists-of": [({"infrastructure"}, {"infrastructure", "observed-data"} | SCO)],
    "based-on": [({"indicator"}, {"observed-data"})],
    "compromises": [({"campaign", "intrusion-set", "threat-actor"}, {"infrastructure"})],
    "originates-from": [({"campaign", "intrusion-set", "malware", "threat-actor"},
                         {"location"})],
    "related-to": [(ANY, ANY)], "derived-from": [(ANY, ANY)], "duplicate-of": [(ANY, ANY)],
}
PATTERN_RE = re.compile(r"^\[([a-z0-9-]+):([A-Za-z0-9_]+(?:\.(?:[A-Za-z0-9_]+|'[^']+'))*)"
                        r" = '((?:\\.|[^'\\])*)'\]$")


def t_of(o):
    return o.get("type") if isinstance(o, dict) else None


def ts_key(v):
    """A timestamp as a comparable tuple (string comparison breaks on fractions)."""
    m = TS_RE.match(v) if isinstance(v, str) else None
    if not m:
        return None
    frac = m.group(5) or ".0"
    return (v[:19], float(frac))


def before(a, b):
    ka, kb = ts_key(a), ts_key(b)
    return ka is not None and kb is not None and ka < kb


class Checker:
    def __init__(self):
        self.errors = []

    def err(self, obj, msg):
        self.errors.append("%s: %s" % (obj.get("id", "?") if isinstance(obj, dict) else obj,
                                       msg))

    def check(self, bundle):
        if not isinstance(bundle, dict) or bundle.get("type") != "bundle":
            self.err("bundle", "not a bundle")
            return
        m = ID_RE.match(bundle.get("id", ""))
        if not m or m.group(1) != "bundle":
            self.err("bundle", "bad bundle id")
        objs = bundle.get("objects")
        if not isinstance(objs, list) or not objs:
            self.err("bundle", "no objects")
            return
        ids = {}
        for o in objs:
            if not isinstance(o, dict):
                self.err("bundle", "object is not a JSON object")
                continue
            oid = o.get("id", "")
            if oid in ids:
                self.err(o, "duplicate id")
            ids[oid] = o
        for o in objs:
            if isinstance(o, dict):
                self.check_object(o, ids)

    def check_object(self, o, ids):
        t = o.get("type")
        if not isinstance(t, str) or not re.match(r"^[a-z0-9-]{3,250}$", t):
            self.err(o, "bad type %r" % t)
            return
        m = ID_RE.match(o.get("id", ""))
        if not m or m.group(1) != t:
            self.err(o, "id does not match ^%s--<uuid>$" % t)
        known = t in SDO or t in SRO or t in SCO or t in META
        if not known:
            self.err(o, "unknown object type %s" % t)
        for k in o:
            if not PROP_RE.match(k) and k not in ("id",):
                self.err(o, "property name %r breaks the naming rules" % k)
        if t in SDO or t in SRO or t in META:
            if o.get("spec_version") != "2.1":
                self.err(o, "spec_version must be 2.1")
            for k in ("created", "modified"):
                if k not in o:
                    self.err(o, "missing %s" % k)
            if before(o.get("modified"), o.get("created")):
                self.err(o, "modified before created")
        for k in REQUIRED.get(t, []):
            if k not in o or o[k] in ("", [], None):
                self.err(o, "missing required %s" % k)
        for k, v in o.items():
            if k in TIMESTAMPS:
                if not isinstance(v, str) or not TS_RE.match(v):
                    self.err(o, "%s is not an RFC 3339 UTC timestamp: %r" % (k, v))
            if k.endswith("_ref"):
                self.ref(o, k, v, ids)
            elif k.endswith("_refs"):
                if not isinstance(v, list) or not v:
                    self.err(o, "%s must be a non-empty list" % k)
                else:
                    for r in v:
                        self.ref(o, k, r, ids)
        if "first_seen" in o and "last_seen" in o and before(o["last_seen"], o["first_seen"]):
            self.err(o, "last_seen before first_seen")
        if ("start_time" in o and "stop_time" in o and
                not before(o["start_time"], o["stop_time"])):
            self.err(o, "stop_time not after start_time")
        for ref in o.get("external_references", []):
            self.external_ref(o, ref)
        for name, ext in (o.get("extensions") or {}).items():
            self.extension(o, name, ext, ids)
        getattr(self, "t_" + t.replace("-", "_"), lambda o, ids: None)(o, ids)

    def extension(self, o, name, ext, ids):
        """Section 11: an extensions key is a predefined extension's name or the id of an
        extension-definition object, which must be in the bundle and declare the
        extension_type the extension states."""
        if name in PREDEFINED_EXT:
            if t_of(o) not in SCO:
                self.err(o, "predefined extension %s on a non-observable" % name)
            return
        if not (name.startswith("extension-definition--") and ID_RE.match(name)):
            self.err(o, "bad extension name %s" % name)
            return
        d = ids.get(name)
        if not d or d.get("type") != "extension-definition":
            self.err(o, "extension %s does not resolve to an extension-definition in the bundle"
                     % name)
            return
        et = ext.get("extension_type") if isinstance(ext, dict) else None
        if et not in d.get("extension_types", []):
            self.err(o, "extension %s: extension_type %r is not one its definition declares"
                     % (name, et))
        if name == INCIDENT_CORE:
            if ext.get("determination") not in INCIDENT_DETERMINATION:
                self.err(o, "incident-core determination %r" % ext.get("determination"))
            if not ext.get("investigation_status"):
                self.err(o, "incident-core lacks investigation_status")

    def t_extension_definition(self, o, ids):
        types = o.get("extension_types")
        if not isinstance(types, list) or not types or not set(types) <= EXTENSION_TYPES:
            self.err(o, "extension_types %r" % types)
        if not str(o.get("schema", "")).startswith(("http://", "https://")):
            self.err(o, "schema is not a URL")

    def ref(self, o, k, r, ids):
        m = ID_RE.match(r) if isinstance(r, str) else None
        if not m:
            self.err(o, "%s: bad identifier %r" % (k, r))
        elif r not in ids:
            self.err(o, "%s: %s does not resolve" % (k, r))

    def external_ref(self, o, ref):
        if "source_name" not in ref:
            self.err(o, "external reference without source_name")
        if ref.get("source_name") == "cve" and not re.match(r"^CVE-\d{4}-(0\d{3}|[1-9]\d{3,})$",
                                                            ref.get("external_id", "")):
            self.err(o, "cve external_id %r" % ref.get("external_id"))
        if ref.get("source_name") == "capec" and not re.match(r"^CAPEC-\d+$",
                                                              ref.get("external_id", "")):
            self.err(o, "capec external_id")

    # ---- per type ----
    def t_identity(self, o, ids):
        if "identity_class" in o and o["identity_class"] not in IDENTITY_CLASS:
            self.err(o, "identity_class %r not in the vocabulary" % o["identity_class"])
        for s in o.get("sectors", []):
            if not re.match(r"^[a-z0-9]+(-[a-z0-9]+)*$", s):
                self.err(o, "sector %r is not a vocabulary token" % s)
            elif s not in SECTORS:
                print("warning: %s: sector %r is not in industry-sector-ov (open vocabulary)"
                      % (o["id"], s))

    def t_location(self, o, ids):
        if not ("region" in o or "country" in o or ("latitude" in o and "longitude" in o)):
            self.err(o, "location needs region, country or latitude and longitude")
        if "country" in o and not re.match(r"^[A-Z]{2}$", o["country"]):
            self.err(o, "country %r is not ISO 3166-1 alpha-2" % o["country"])
        if "precision" in o and not ("latitude" in o and "longitude" in o):
            self.err(o, "precision without latitude and longitude")

    def t_indicator(self, o, ids):
        if o.get("pattern_type") not in PATTERN_TYPES:
            self.err(o, "pattern_type %r not in the vocabulary" % o.get("pattern_type"))
        for it in o.get("indicator_types", []):
            if it not in INDICATOR_TYPES:
                self.err(o, "indicator_type %r" % it)
        if o.get("pattern_type") == "stix":
            m = PATTERN_RE.match(o.get("pattern", ""))
            if not m:
                self.err(o, "pattern %r is not a simple STIX comparison" % o.get("pattern"))
            else:
                objtype, path, value = m.groups()
                if objtype not in SCO:
                    self.err(o, "pattern object type %s" % objtype)
                h = re.match(r"^hashes\.'?([A-Za-z0-9-]+)'?$", path)
                if h:
                    algo = h.group(1)
                    if algo not in HASH_LEN:
                        self.err(o, "hash algorithm %s" % algo)
                    elif len(value) != HASH_LEN[algo] or not re.match(r"^[0-9a-fA-F]+$", value):
                        self.err(o, "%s value of the wrong length" % algo)
                    if "-" in algo and "'" not in path:
                        self.err(o, "hyphenated hash name must be quoted")

    def t_report(self, o, ids):
        for r in o.get("report_types", []):
            if r not in REPORT_TYPES:
                self.err(o, "report_type %r" % r)

    def t_infrastructure(self, o, ids):
        for r in o.get("infrastructure_types", []):
            if r not in INFRA_TYPES:
                self.err(o, "infrastructure_type %r" % r)

    def t_relationship(self, o, ids):
        rt = o.get("relationship_type", "")
        if not re.match(r"^[a-z0-9-]+$", rt):
            self.err(o, "relationship_type %r" % rt)
            return
        src, dst = ids.get(o.get("source_ref")), ids.get(o.get("target_ref"))
        if not src or not dst:
            return
        rules = RELATIONSHIPS.get(rt)
        if rules is None:
            print("warning: %s: relationship type %s is not spec-defined" % (o["id"], rt))
            return
        for s, t in rules:
            if (s is ANY or src["type"] in s) and (t is ANY or dst["type"] in t):
                return
        self.err(o, "%s %s %s is not a relationship the spec defines"
                 % (src["type"], rt, dst["type"]))

    def t_sighting(self, o, ids):
        c = o.get("count")
        if c is not None and (not isinstance(c, int) or c < 0 or c > 999999999):
            self.err(o, "count %r out of 0..999999999" % c)
        of = ids.get(o.get("sighting_of_ref"))
        if of and of["type"] not in SDO:
            self.err(o, "sighting_of_ref must be an SDO")
        for r in o.get("where_sighted_refs", []):
            w = ids.get(r)
            if w and w["type"] not in ("identity", "location"):
                self.err(o, "where_sighted_refs must be identities or locations")

    def t_campaign(self, o, ids):
        pass

    def value_sco(self, o, ids):
        v = o.get("value")
        if not isinstance(v, str) or not v:
            self.err(o, "missing value")
            return
        name = json.dumps({"value": v}, separators=(",", ":"), ensure_ascii=False)
        want = "%s--%s" % (o["type"], uuid.uuid5(SCO_NS, name))
        if o["id"] != want:
            self.err(o, "not the deterministic id %s" % want)

    t_ipv4_addr = t_ipv6_addr = t_domain_name = t_url = t_email_addr = value_sco


def main():
    try:
        bundle = json.load(open(sys.argv[1]))
    except (OSError, ValueError) as e:
        print("FAIL cannot read %s: %s" % (sys.argv[1], e))
        return 1
    c = Checker()
    c.check(bundle)
    for e in c.errors[:50]:
        print("FAIL", e)
    if c.errors:
        print("%d errors" % len(c.errors))
        return 1
    print("ok %d objects" % len(bundle["objects"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
