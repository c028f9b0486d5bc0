#!/usr/bin/env python3
"""Compares the APT41 campaign of `trawl campaigns --format json` with the
simulator's truth.json: tenants targeted, exploited and compromised,
countries, sectors, first/last seen and the per-CVE counts and windows must
be equal; scanner-only tenants must not be in it. Prints one line per check
("ok ..." or "FAIL ...") and exits 1 on any failure."""
import json
import sys


def main():
    report = json.load(open(sys.argv[1]))
    truth = json.load(open(sys.argv[2]))
    actor = sys.argv[3] if len(sys.argv) > 3 else "APT41"
    t = truth["campaigns"][0]
    camps = [c for c in report["campaigns"] if c.get("actor") == actor]
    fails = 0

    def check(name, ours, want):
        nonlocal fails
        if ours == want:
            print("ok", name)
        else:
            fails += 1
            if isinstance(ours, list) and isinstance(want, list):
                print("FAIL", name, "extra:", sorted(set(ours) - set(want)),
                      "missing:", sorted(set(want) - set(ours)))
            else:
                print("FAIL", name, "got", ours, "want", want)

    if not t["orgs_targeted"]:
        # nothing of the actor is visible: there must be no campaign either
        check("no %s campaign" % actor, len(camps), 0)
        print("%d failed" % fails)
        return 1 if fails else 0
    check("one %s campaign" % actor, len(camps), 1)
    if not camps:
        return 1
    c = camps[0]
    for key in ("orgs_targeted", "orgs_exploited", "orgs_compromised", "countries",
                "sectors", "first_seen", "last_seen"):
        check(key, c.get(key), t[key])
    check("by_cve keys", sorted(c["by_cve"]), sorted(t["by_cve"]))
    for cve, want in sorted(t["by_cve"].items()):
        got = c["by_cve"].get(cve, {})
        for k in ("targeted", "exploited", "compromised", "first_seen", "last_seen"):
            check("%s %s" % (cve, k), got.get(k), want.get(k))
    check("infrastructure", c.get("infrastructure"), t["infrastructure"])
    # scanners and benign many-tenant sources never inflate the campaign
    targeted = set(c["orgs_targeted"])
    noise_only = set()
    for s in truth["noise"]["scanners"]:
        noise_only |= set(s["tenants"])
    noise_only -= set(t["orgs_targeted"])
    check("scanner-only tenants excluded", sorted(targeted & noise_only), [])
    print("%d failed" % fails)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
