/*
 * campaign_stix.c - `trawl campaigns --format stix`: the campaigns as one
 * STIX 2.1 bundle, following the MSSP recipe of intel-anchors §1.4:
 *
 *   campaign --attributed-to--> intrusion-set (ATT&CK group, aliases)
 *   campaign --targets--> identity (one per tenant, class organization, with
 *            sectors) --located-at--> location (country); --targets--> location
 *            (per country) and vulnerability (per CVE, external reference "cve")
 *   sighting of the campaign where_sighted_refs the tenant, with count and
 *            first/last seen; incident (incident-core extension, determination
 *            successful-attempt) related-to the campaign and the tenant when
 *            compromised; the extension's published definition in the bundle
 *   indicator (STIX pattern) --indicates--> campaign, and its sighting
 *   campaign --uses--> infrastructure --consists-of--> ipv4-addr / domain-name /
 *            url (SCO ids: UUIDv5 in the STIX namespace over {"value": …})
 *   report (report_types campaign) listing everything of a campaign
 *
 * Every SDO/SRO id is a UUIDv5 in trawl's own namespace over the object's
 * identifying content, so the bundle is the same on every run over the same
 * data; created/modified are the time of the last detection (or opts.now).
 * Anonymised: identities are classes ("healthcare organisations in US"),
 * groups smaller than min_group merged into "other", no incidents.
 */
#include "core/common.h"

#include "core/hash.h"
#include "core/jsonstr.h"
#include "correlate/cmp.h"
#include "report/campaign_report.h"

/* STIX 2.1 section 2.9: the namespace of deterministic SCO ids */
static const uint8_t sco_ns[16] = { 0x00, 0xab, 0xed, 0xb4, 0xaa, 0x42, 0x46, 0x6c,
                                    0x9c, 0x01, 0xfe, 0xd2, 0x33, 0x15, 0xa9, 0xb7 };
/* The incidents' property extension is OASIS's published incident-core
 * extension (cti-stix-common-objects, objects/extension-definition/): STIX
 * 2.1 section 7.3 keys an extension by the id of its extension-definition
 * object, so the bundle carries that object as published (same id, same
 * modified: the same version) and the OASIS identity its created_by_ref
 * names, and every key of an "extensions" dictionary resolves inside it. */
#define INCIDENT_CORE "extension-definition--ef765651-680c-498d-9894-99799f2fa126"
#define OASIS_IDENTITY "identity--8ce3f695-d5a4-4dc8-9e93-a65af453a31a"

#define MAX_COUNT 999999999u

typedef char stix_id[96];

typedef struct sx {
    tr_buf *b;
    tr_jw w;
    char now[48];
    tr_map *emitted;  /* ids already in the bundle */
    tr_buf key;       /* scratch for id names */
    stix_id author;
    TR_VEC(char *) refs; /* ids of the current campaign, for its report */
    tr_err err;
} sx;

static void make_id(sx *s, stix_id out, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void make_id(sx *s, stix_id out, const char *type, const char *fmt, ...)
{
    tr_buf_reset(&s->key);
    tr_buf_printf(&s->key, "%s:", type);
    va_list ap;
    va_start(ap, fmt);
    char tmp[1024];
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n > 0)
        tr_buf_append(&s->key, tmp, TR_MIN((size_t)n, sizeof(tmp) - 1));
    char u[37];
    tr_uuid5(cm_uuid_ns, s->key.p, s->key.n, u);
    snprintf(out, sizeof(stix_id), "%s--%s", type, u);
}

static void sco_id(stix_id out, const char *type, tr_str value)
{
    /* RFC 8785 canonical form of {"value": …} */
    tr_buf j = TR_BUF_INIT;
    tr_buf_append(&j, "{\"value\":", 9);
    tr_json_put_str(&j, value.p, value.n);
    tr_buf_putc(&j, '}');
    char u[37];
    tr_uuid5(sco_ns, j.p, j.n, u);
    snprintf(out, sizeof(stix_id), "%s--%s", type, u);
    tr_buf_release(&j);
}

/* Remembers id for the campaign's report; true when the object is new to the
 * bundle (and must be written). */
static bool claim(sx *s, const char *id)
{
    char *copy = tr_strndup(id, strlen(id));
    if (!copy || !TR_VEC_PUSH(&s->refs, copy)) {
        tr_free(copy);
        s->err = TR_ENOMEM;
        return false;
    }
    bool inserted = false;
    if (tr_map_put_new(s->emitted, tr_str_c(id), 1, NULL, &inserted) != TR_OK) {
        s->err = TR_ENOMEM;
        return false;
    }
    return inserted;
}

static void common(sx *s, const char *type, const char *id, bool sco)
{
    tr_jw *w = &s->w;
    tr_jw_obj(w);
    tr_jw_key(w, "type");
    tr_jw_str(w, type);
    tr_jw_key(w, "spec_version");
    tr_jw_str(w, "2.1");
    tr_jw_key(w, "id");
    tr_jw_str(w, id);
    if (sco)
        return;
    tr_jw_key(w, "created");
    tr_jw_str(w, s->now);
    tr_jw_key(w, "modified");
    tr_jw_str(w, s->now);
    if (s->author[0] && strcmp(id, s->author) != 0) {
        tr_jw_key(w, "created_by_ref");
        tr_jw_str(w, s->author);
    }
}

static void kv_str(sx *s, const char *k, const char *v)
{
    tr_jw_key(&s->w, k);
    tr_jw_str(&s->w, v);
}

static void kv_s(sx *s, const char *k, tr_str v)
{
    tr_jw_key(&s->w, k);
    tr_jw_strn(&s->w, v.p, v.n);
}

static void kv_time(sx *s, const char *k, int64_t ts)
{
    char t[48];
    cr_time(ts, t, sizeof(t));
    if (t[0])
        kv_str(s, k, t);
}

static void relationship(sx *s, const char *src, const char *type, const char *dst,
                         const char *description)
{
    stix_id id;
    make_id(s, id, "relationship", "%s %s %s", src, type, dst);
    if (!claim(s, id))
        return;
    common(s, "relationship", id, false);
    kv_str(s, "relationship_type", type);
    if (description)
        kv_str(s, "description", description);
    kv_str(s, "source_ref", src);
    kv_str(s, "target_ref", dst);
    tr_jw_end(&s->w);
}

static void author(sx *s)
{
    make_id(s, s->author, "identity", "trawl");
    if (!claim(s, s->author))
        return;
    common(s, "identity", s->author, false);
    kv_str(s, "name", "trawl");
    kv_str(s, "description", "Campaigns derived by trawl from the detections of a fleet of "
                             "organisations");
    kv_str(s, "identity_class", "system");
    tr_jw_end(&s->w);
}

static void published(sx *s, const char *type, const char *id, const char *created,
                      const char *modified)
{
    tr_jw_obj(&s->w);
    kv_str(s, "type", type);
    kv_str(s, "spec_version", "2.1");
    kv_str(s, "id", id);
    kv_str(s, "created", created);
    kv_str(s, "modified", modified);
}

static void incident_core_definition(sx *s)
{
    if (claim(s, OASIS_IDENTITY)) {
        published(s, "identity", OASIS_IDENTITY, "2021-03-13T20:09:20.8889Z",
                  "2021-12-01T16:19:51.601791Z");
        kv_str(s, "name", "OASIS");
        kv_str(s, "description", "OASIS is a global community of experts who drive the creation "
                                 "and adoption of open standards promoting interoperability, "
                                 "innovation, and freedom of choice.");
        kv_str(s, "identity_class", "organization");
        tr_jw_end(&s->w);
    }
    if (claim(s, INCIDENT_CORE)) {
        published(s, "extension-definition", INCIDENT_CORE, "2020-10-19T20:51:00.000Z",
                  "2023-07-11T00:56:00.000Z");
        kv_str(s, "created_by_ref", OASIS_IDENTITY);
        kv_str(s, "name", "Incident Core Extension");
        kv_str(s, "description",
               "A core extension of the Incident object to allow core details of the Incident "
               "to be shared while tracking major details tied to the incident's timeline.  "
               "Multiple Incidents can be tied together via relationships if a higher degree of "
               "fidelity is needed across phases.");
        kv_str(s, "schema", "https://github.com/oasis-open/cti-stix-common-objects/tree/main/"
                            "extension-definition-specifications/incident-ef7");
        kv_str(s, "version", "2.0.0");
        tr_jw_key(&s->w, "extension_types");
        tr_jw_arr(&s->w);
        tr_jw_str(&s->w, "property-extension");
        tr_jw_end(&s->w);
        tr_jw_end(&s->w);
    }
}

static const cm_group *group_of(tr_str actor)
{
    for (size_t i = 0; i < cm_ngroups; i++)
        if (tr_str_eq(actor, tr_str_c(cm_groups[i].actor)) ||
            tr_str_eq(actor, tr_str_c(cm_groups[i].id)))
            return &cm_groups[i];
    return NULL;
}

static void intrusion_set(sx *s, const tr_campaign *cp, stix_id id)
{
    make_id(s, id, "intrusion-set", "%.*s", TR_STR_FMT(cp->actor));
    if (!claim(s, id))
        return;
    const cm_group *g = group_of(cp->actor);
    common(s, "intrusion-set", id, false);
    kv_s(s, "name", cp->actor);
    if (g) {
        tr_jw_key(&s->w, "aliases");
        tr_jw_arr(&s->w);
        for (const char *a = g->aliases; *a;) {
            const char *e = strchr(a, '|');
            size_t n = e ? (size_t)(e - a) : strlen(a);
            tr_jw_strn(&s->w, a, n);
            a += n + (e ? 1 : 0);
        }
        tr_jw_end(&s->w);
        tr_jw_key(&s->w, "external_references");
        tr_jw_arr(&s->w);
        tr_jw_obj(&s->w);
        kv_str(s, "source_name", "mitre-attack");
        kv_str(s, "external_id", g->id);
        char url[80];
        snprintf(url, sizeof(url), "https://attack.mitre.org/groups/%s", g->id);
        kv_str(s, "url", url);
        tr_jw_end(&s->w);
        tr_jw_end(&s->w);
    }
    tr_jw_end(&s->w);
}

static void location(sx *s, tr_str country, stix_id id)
{
    make_id(s, id, "location", "country:%.*s", TR_STR_FMT(country));
    if (!claim(s, id))
        return;
    common(s, "location", id, false);
    kv_s(s, "name", country);
    kv_s(s, "country", country);
    tr_jw_end(&s->w);
}

static void vulnerability(sx *s, tr_str cve, stix_id id)
{
    make_id(s, id, "vulnerability", "%.*s", TR_STR_FMT(cve));
    if (!claim(s, id))
        return;
    common(s, "vulnerability", id, false);
    kv_s(s, "name", cve);
    tr_jw_key(&s->w, "external_references");
    tr_jw_arr(&s->w);
    tr_jw_obj(&s->w);
    kv_str(s, "source_name", "cve");
    kv_s(s, "external_id", cve);
    tr_jw_end(&s->w);
    tr_jw_end(&s->w);
    tr_jw_end(&s->w);
}

static void campaign_sdo(sx *s, const tr_campaign *cp)
{
    if (!claim(s, cp->id))
        return;
    common(s, "campaign", cp->id, false);
    kv_str(s, "name", cp->name);
    char f[16], l[16], desc[512];
    cr_span_dates(cp->first_seen, cp->last_seen, cp->activity_first, cp->activity_last, f, l);
    snprintf(desc, sizeof(desc), "%.*s: %u organisations targeted in %u countries and %u sectors "
                                 "between %s and %s; %u compromised (%u exploited in all).",
             TR_STR_FMT(cp->actor.n ? cp->actor : TR_STR("Unattributed")), cp->ntenants,
             cp->ncountries, cp->nsectors, f, l, cp->ncompromised, cp->nexploited);
    kv_str(s, "description", desc);
    int64_t fs = cp->first_seen != TR_TS_NONE ? cp->first_seen : cp->activity_first;
    int64_t ls = cp->last_seen != TR_TS_NONE ? cp->last_seen : cp->activity_last;
    kv_time(s, "first_seen", fs);
    kv_time(s, "last_seen", ls);
    tr_jw_key(&s->w, "x_trawl_orgs_targeted");
    tr_jw_uint(&s->w, cp->ntenants);
    tr_jw_key(&s->w, "x_trawl_orgs_exploited");
    tr_jw_uint(&s->w, cp->nexploited);
    tr_jw_key(&s->w, "x_trawl_orgs_compromised");
    tr_jw_uint(&s->w, cp->ncompromised);
    tr_jw_key(&s->w, "x_trawl_countries");
    tr_jw_uint(&s->w, cp->ncountries);
    tr_jw_key(&s->w, "x_trawl_sectors");
    tr_jw_uint(&s->w, cp->nsectors);
    tr_jw_key(&s->w, "x_trawl_cluster");
    tr_jw_bool(&s->w, cp->cluster);
    tr_jw_end(&s->w);
}

/* A tenant (or an anonymised group) as the campaign's victim: identity,
 * location, targets, sighting, incident. */
static void victim(sx *s, const tr_campaign *cp, const char *key, const char *name,
                   const char *klass, tr_str sector, tr_str country, uint32_t count,
                   int64_t first, int64_t last, tr_stage stage, bool incident)
{
    stix_id ident, loc, sid;
    make_id(s, ident, "identity", "%s", key);
    if (claim(s, ident)) {
        common(s, "identity", ident, false);
        kv_str(s, "name", name);
        kv_str(s, "identity_class", klass);
        if (sector.n) {
            tr_jw_key(&s->w, "sectors");
            tr_jw_arr(&s->w);
            tr_jw_strn(&s->w, sector.p, sector.n);
            tr_jw_end(&s->w);
        }
        tr_jw_end(&s->w);
    }
    if (country.n) {
        location(s, country, loc);
        relationship(s, ident, "located-at", loc, NULL);
    }
    relationship(s, cp->id, "targets", ident, tr_stage_name(stage));
    make_id(s, sid, "sighting", "%s %s", cp->id, ident);
    if (claim(s, sid)) {
        common(s, "sighting", sid, false);
        char d[96];
        snprintf(d, sizeof(d), "stage: %s", tr_stage_name(stage));
        kv_str(s, "description", d);
        kv_time(s, "first_seen", first);
        kv_time(s, "last_seen", last);
        tr_jw_key(&s->w, "count");
        tr_jw_uint(&s->w, count > MAX_COUNT ? MAX_COUNT : count);
        kv_str(s, "sighting_of_ref", cp->id);
        tr_jw_key(&s->w, "where_sighted_refs");
        tr_jw_arr(&s->w);
        tr_jw_str(&s->w, ident);
        tr_jw_end(&s->w);
        tr_jw_key(&s->w, "x_trawl_stage");
        tr_jw_str(&s->w, tr_stage_name(stage));
        tr_jw_end(&s->w);
    }
    if (!incident || stage != TR_STAGE_COMPROMISED)
        return;
    stix_id inc;
    make_id(s, inc, "incident", "%s %s", cp->id, ident);
    if (claim(s, inc)) {
        common(s, "incident", inc, false);
        char n[300];
        snprintf(n, sizeof(n), "Compromise of %s (%.*s)", name,
                 TR_STR_FMT(cp->actor.n ? cp->actor : TR_STR("unattributed")));
        kv_str(s, "name", n);
        kv_str(s, "description", "Post-exploitation evidence (execution, persistence, C2 or "
                                 "payload egress) seen by trawl");
        tr_jw_key(&s->w, "extensions");
        tr_jw_obj(&s->w);
        tr_jw_key(&s->w, INCIDENT_CORE);
        tr_jw_obj(&s->w);
        kv_str(s, "extension_type", "property-extension");
        /* incident-determination-enum: a compromise was seen, the attempt succeeded */
        kv_str(s, "determination", "successful-attempt");
        kv_str(s, "investigation_status", "new");
        tr_jw_end(&s->w);
        tr_jw_end(&s->w);
        tr_jw_end(&s->w);
    }
    relationship(s, inc, "related-to", cp->id, NULL);
    relationship(s, inc, "related-to", ident, NULL);
}

/* The STIX pattern of a value; false for values with no pattern. */
static bool pattern_of(tr_str type, tr_str v, tr_buf *p, const char **sco)
{
    tr_buf_reset(p);
    *sco = NULL;
    const char *path;
    if (tr_str_eq(type, TR_STR("ip"))) {
        bool v6 = memchr(v.p, ':', v.n) != NULL;
        path = v6 ? "ipv6-addr:value" : "ipv4-addr:value";
        *sco = v6 ? "ipv6-addr" : "ipv4-addr";
    } else if (tr_str_eq(type, TR_STR("domain"))) {
        path = "domain-name:value";
        *sco = "domain-name";
    } else if (tr_str_eq(type, TR_STR("url"))) {
        path = "url:value";
        *sco = "url";
    } else if (tr_str_eq(type, TR_STR("hash"))) {
        path = v.n == 32    ? "file:hashes.MD5"
               : v.n == 40  ? "file:hashes.'SHA-1'"
               : v.n == 64  ? "file:hashes.'SHA-256'"
               : v.n == 128 ? "file:hashes.'SHA-512'"
                            : NULL;
        if (!path)
            return false;
    } else if (tr_str_eq(type, TR_STR("filename"))) {
        path = "file:name";
    } else if (tr_str_eq(type, TR_STR("email"))) {
        path = "email-addr:value";
    } else {
        return false;
    }
    tr_buf_printf(p, "[%s = '", path);
    for (size_t i = 0; i < v.n; i++) {
        if (v.p[i] == '\'' || v.p[i] == '\\')
            tr_buf_putc(p, '\\');
        tr_buf_putc(p, v.p[i]);
    }
    tr_buf_append(p, "']", 2);
    return true;
}

static void indicators(sx *s, const tr_campaign *cp)
{
    tr_buf pat = TR_BUF_INIT;
    stix_id infra;
    bool have_infra = false;
    for (uint32_t k = 0; k < cp->ninfra && !s->err; k++) {
        const tr_cmp_infra *x = &cp->infra[k];
        const char *sco;
        if (!pattern_of(x->type, x->value, &pat, &sco))
            continue;
        stix_id ind, sid;
        make_id(s, ind, "indicator", "%s", pat.p);
        if (claim(s, ind)) {
            common(s, "indicator", ind, false);
            kv_s(s, "name", x->value);
            tr_jw_key(&s->w, "indicator_types");
            tr_jw_arr(&s->w);
            tr_jw_str(&s->w, cp->cluster ? "anomalous-activity" : "malicious-activity");
            tr_jw_end(&s->w);
            kv_str(s, "pattern", pat.p);
            kv_str(s, "pattern_type", "stix");
            kv_time(s, "valid_from", x->first_seen != TR_TS_NONE ? x->first_seen
                                                                  : cp->activity_first);
            tr_jw_end(&s->w);
        }
        relationship(s, ind, "indicates", cp->id, NULL);
        make_id(s, sid, "sighting", "%s %s", ind, cp->id);
        if (claim(s, sid)) {
            common(s, "sighting", sid, false);
            char d[96];
            snprintf(d, sizeof(d), "seen at %u tenant%s", x->tenants, x->tenants == 1 ? "" : "s");
            kv_str(s, "description", d);
            kv_time(s, "first_seen", x->first_seen);
            kv_time(s, "last_seen", x->last_seen);
            tr_jw_key(&s->w, "count");
            tr_jw_uint(&s->w, x->detections > MAX_COUNT ? MAX_COUNT : x->detections);
            kv_str(s, "sighting_of_ref", ind);
            tr_jw_end(&s->w);
        }
        if (!sco)
            continue;
        if (!have_infra) {
            make_id(s, infra, "infrastructure", "%s", cp->id);
            if (claim(s, infra)) {
                common(s, "infrastructure", infra, false);
                char n[300];
                snprintf(n, sizeof(n), "%s infrastructure", cp->name);
                kv_str(s, "name", n);
                tr_jw_end(&s->w);
            }
            relationship(s, cp->id, "uses", infra, NULL);
            have_infra = true;
        }
        stix_id obs;
        sco_id(obs, sco, x->value);
        if (claim(s, obs)) {
            common(s, sco, obs, true);
            kv_s(s, "value", x->value);
            tr_jw_end(&s->w);
        }
        relationship(s, infra, "consists-of", obs, NULL);
    }
    tr_buf_release(&pat);
}

static void report(sx *s, const tr_campaign *cp)
{
    stix_id id;
    make_id(s, id, "report", "%s", cp->id);
    if (tr_map_get(s->emitted, tr_str_c(id), NULL))
        return;
    tr_map_put(s->emitted, tr_str_c(id), 1);
    common(s, "report", id, false);
    kv_str(s, "name", cp->name);
    kv_str(s, "published", s->now);
    tr_jw_key(&s->w, "report_types");
    tr_jw_arr(&s->w);
    tr_jw_str(&s->w, cp->cluster ? "threat-report" : "campaign");
    tr_jw_end(&s->w);
    tr_jw_key(&s->w, "object_refs");
    tr_jw_arr(&s->w);
    for (size_t i = 0; i < s->refs.n; i++)
        tr_jw_str(&s->w, s->refs.v[i]);
    tr_jw_end(&s->w);
    tr_jw_end(&s->w);
}

static tr_err one_campaign(sx *s, const tr_campaign *cp, const tr_cmp_report_opts *o)
{
    for (size_t i = 0; i < s->refs.n; i++)
        tr_free(s->refs.v[i]);
    s->refs.n = 0;
    campaign_sdo(s, cp);
    if (!cp->cluster) {
        stix_id is;
        intrusion_set(s, cp, is);
        relationship(s, cp->id, "attributed-to", is, NULL);
    }
    for (uint32_t k = 0; k < cp->ncves; k++) {
        stix_id v;
        vulnerability(s, cp->cves[k].cve, v);
        char d[128];
        snprintf(d, sizeof(d), "%u targeted, %u exploited, %u compromised", cp->cves[k].targeted,
                 cp->cves[k].exploited, cp->cves[k].compromised);
        relationship(s, cp->id, "targets", v, d);
    }
    for (uint32_t k = 0; k < cp->ncountries; k++) {
        stix_id loc;
        location(s, cp->countries[k], loc);
        relationship(s, cp->id, "targets", loc, NULL);
    }
    if (o->anonymise) {
        cr_anon a;
        tr_err err = cr_anon_build(cp, o->min_group, &a);
        if (err)
            return err;
        for (uint32_t g = 0; g < a.ngroups; g++) {
            const cr_group *x = &a.groups[g];
            /* "<sector> in <country>" */
            const char *in = strstr(x->label, " in ");
            tr_str sector = in ? (tr_str){ x->label, (size_t)(in - x->label) } : TR_STR("");
            tr_str country = in ? tr_str_c(in + 4) : TR_STR("");
            if (!tr_stix_sector_known(sector) && !(sector.n && !memchr(sector.p, ' ', sector.n)))
                sector = TR_STR("");
            if (country.n != 2)
                country = TR_STR("");
            char key[160], name[200];
            snprintf(key, sizeof(key), "group:%s", x->label);
            snprintf(name, sizeof(name), "%u %s organisation%s", x->tenants,
                     strcmp(x->label, "other") ? x->label : "other", x->tenants == 1 ? "" : "s");
            tr_stage st = x->compromised ? TR_STAGE_COMPROMISED
                          : x->exploited ? TR_STAGE_EXPLOITED
                                         : TR_STAGE_TARGETED;
            victim(s, cp, key, name, "class", sector, country, x->tenants, x->first_seen,
                   x->last_seen, st, false);
        }
        cr_anon_release(&a);
    } else {
        for (uint32_t k = 0; k < cp->ntenants; k++) {
            const tr_cmp_tenant *t = &cp->tenants[k];
            char key[200], name[256];
            snprintf(key, sizeof(key), "tenant:%.*s", TR_STR_FMT(t->id));
            snprintf(name, sizeof(name), "%.*s", TR_STR_FMT(t->name.n ? t->name : t->id));
            victim(s, cp, key, name, "organization", t->sector, t->country, t->detections,
                   t->activity_first, t->activity_last, t->stage, true);
        }
    }
    indicators(s, cp);
    report(s, cp);
    return s->err;
}

tr_err cr_write_stix(const tr_campaigns *c, const tr_cmp_report_opts *o, FILE *out)
{
    tr_buf b;
    tr_buf_init(&b, 0);
    sx s = { .b = &b };
    tr_buf_init(&s.key, 1 << 16);
    s.emitted = tr_map_new(4096, 0);
    if (!s.emitted) {
        tr_buf_release(&b);
        return TR_ENOMEM;
    }
    int64_t now = o->now;
    for (size_t i = 0; !now && i < tr_campaigns_count(c); i++) {
        int64_t t = tr_campaigns_get(c, i)->activity_last;
        if (t != TR_TS_NONE && t > now)
            now = t;
    }
    for (size_t i = 0; i < tr_campaigns_count(c); i++) {
        int64_t t = tr_campaigns_get(c, i)->activity_last;
        if (t != TR_TS_NONE && t > now)
            now = t;
    }
    if (!now)
        now = INT64_C(1577836800) * 1000000000; /* no detection time at all: 2020-01-01 */
    cr_time(now, s.now, sizeof(s.now));
    /* the bundle's id: from the campaigns it holds */
    tr_buf_reset(&s.key);
    for (size_t i = 0; i < tr_campaigns_count(c); i++)
        tr_buf_printf(&s.key, "%s;", tr_campaigns_get(c, i)->id);
    char u[37];
    tr_uuid5(cm_uuid_ns, s.key.p ? s.key.p : "", s.key.n, u);
    tr_jw_init(&s.w, &b);
    tr_jw_obj(&s.w);
    kv_str(&s, "type", "bundle");
    char bid[64];
    snprintf(bid, sizeof(bid), "bundle--%s", u);
    kv_str(&s, "id", bid);
    tr_jw_key(&s.w, "objects");
    tr_jw_arr(&s.w);
    author(&s);
    for (size_t i = 0; i < tr_campaigns_count(c) && !o->anonymise; i++)
        if (tr_campaigns_get(c, i)->ncompromised) { /* some tenant gets an incident */
            incident_core_definition(&s);
            break;
        }
    tr_err err = s.err;
    for (size_t i = 0; i < tr_campaigns_count(c) && !err; i++) {
        err = one_campaign(&s, tr_campaigns_get(c, i), o);
        if (!err && !s.w.err && b.n > (1 << 20))
            err = cr_flush(&b, out);
    }
    tr_jw_end(&s.w);
    tr_jw_end(&s.w);
    if (!err)
        err = s.w.err;
    if (!err)
        err = tr_buf_putc(&b, '\n');
    if (!err)
        err = cr_flush(&b, out);
    for (size_t i = 0; i < s.refs.n; i++)
        tr_free(s.refs.v[i]);
    TR_VEC_FREE(&s.refs);
    tr_map_free(s.emitted);
    tr_buf_release(&s.key);
    tr_buf_release(&b);
    return err;
}
