/*
 * campaign_json.c - `trawl campaigns --format json`: the campaign JSON of
 * DESIGN.md ("Campaign model") plus the keys that explain it (exploited
 * tenants, per-tenant evidence down to path:line, phases, timeline,
 * indicators, benign values, conflicts). Keys come in a fixed order and
 * every list is sorted, so the same detections give the same bytes.
 */
#include "core/common.h"

#include "core/jsonstr.h"
#include "report/campaign_report.h"
#include "report/json_fields.h"

static void jw_s(tr_jw *w, tr_str s)
{
    tr_jw_strn(w, s.p, s.n);
}

static void jw_strs(tr_jw *w, const char *key, const tr_str *v, uint32_t n)
{
    tr_jw_key(w, key);
    tr_jw_arr(w);
    for (uint32_t i = 0; i < n; i++)
        jw_s(w, v[i]);
    tr_jw_end(w);
}

static void orgs(tr_jw *w, const char *key, const tr_campaign *cp, tr_stage min)
{
    tr_jw_key(w, key);
    tr_jw_arr(w);
    for (uint32_t i = 0; i < cp->ntenants; i++)
        if (cp->tenants[i].stage >= min)
            jw_s(w, cp->tenants[i].id);
    tr_jw_end(w);
}

static void anon_orgs(tr_jw *w, const char *key, const cr_anon *a, tr_stage min)
{
    tr_jw_key(w, key);
    tr_jw_arr(w);
    for (uint32_t g = 0; g < a->ngroups; g++) {
        uint32_t n = min == TR_STAGE_COMPROMISED ? a->groups[g].compromised
                     : min == TR_STAGE_EXPLOITED ? a->groups[g].exploited
                                                 : a->groups[g].tenants;
        if (!n)
            continue;
        tr_jw_obj(w);
        tr_jw_key(w, "group");
        tr_jw_str(w, a->groups[g].label);
        tr_jw_key(w, "count");
        tr_jw_uint(w, n);
        tr_jw_end(w);
    }
    tr_jw_end(w);
}

/* Addresses, domains and URLs, sorted as plain strings (the truth files and
 * DESIGN.md list them that way). */
static tr_err infrastructure(tr_jw *w, const tr_campaign *cp)
{
    tr_str *v = tr_malloc((cp->ninfra ? cp->ninfra : 1) * sizeof(*v));
    if (!v)
        return TR_ENOMEM;
    uint32_t n = 0;
    for (uint32_t i = 0; i < cp->ninfra; i++) {
        tr_str t = cp->infra[i].type;
        if (tr_str_eq(t, TR_STR("ip")) || tr_str_eq(t, TR_STR("domain")) ||
            tr_str_eq(t, TR_STR("url")))
            v[n++] = cp->infra[i].value;
    }
    qsort(v, n, sizeof(*v), cr_str_order);
    jw_strs(w, "infrastructure", v, n);
    tr_free(v);
    return TR_OK;
}

/* Where a detection was read: path, record and line (null for a record
 * format without lines). */
static const jf det_place[] = {
    JF(tr_cmp_det, "path", JF_STR, path),
    JF(tr_cmp_det, "record", JF_U64, record),
    JF(tr_cmp_det, "line", JF_U64_NULL, line),
};

static const jf det_location_fields[] = {
    JF(tr_cmp_det, "tenant", JF_STR, tenant),
    JF(tr_cmp_det, "rule_title", JF_STR, rule_title),
    JF(tr_cmp_det, "ts", JF_TIME, ts),
};

static void det_location(tr_jw *w, const tr_campaigns *c, uint32_t idx)
{
    tr_cmp_det d;
    if (tr_campaigns_detection(c, idx, &d) != TR_OK) {
        tr_jw_null(w);
        return;
    }
    tr_jw_obj(w);
    JF_WRITE(w, &d, det_location_fields);
    JF_WRITE(w, &d, det_place);
    tr_jw_end(w);
}

static const jf evidence_rule[] = {
    JF(tr_cmp_det, "rule_id", JF_STR, rule_id),
    JF(tr_cmp_det, "rule_title", JF_STR, rule_title),
};

static const jf evidence_indicator[] = {
    JF(tr_cmp_det, "indicator", JF_STR, indicator),
    JF(tr_cmp_det, "feed", JF_STR_NULL, feed),
};

static const jf evidence_seed[] = {
    JF(tr_cmp_det, "actor_seed", JF_STR_OPT, actor_seed),
};

static const jf evidence_count[] = {
    JF(tr_cmp_evidence, "count", JF_U32, count),
    JF_SPAN(tr_cmp_evidence, "", first, last),
};

static const jf evidence_via[] = {
    JF(tr_cmp_evidence, "via_value", JF_STR_OPT, via_value),
};

static void evidence(tr_jw *w, const tr_campaigns *c, const tr_cmp_tenant *t, uint32_t max)
{
    tr_jw_key(w, "evidence");
    tr_jw_arr(w);
    uint32_t n = max && t->nevidence > max ? max : t->nevidence;
    for (uint32_t k = 0; k < n; k++) {
        const tr_cmp_evidence *e = &t->evidence[k];
        tr_cmp_det d;
        if (tr_campaigns_detection(c, e->det, &d) != TR_OK)
            continue;
        tr_jw_obj(w);
        tr_jw_key(w, "stage");
        tr_jw_str(w, tr_stage_name(e->stage));
        tr_jw_key(w, "kind");
        tr_jw_str(w, tr_det_kind_name(d.kind));
        JF_WRITE(w, &d, evidence_rule);
        if (d.indicator.n)
            JF_WRITE(w, &d, evidence_indicator);
        JF_WRITE(w, &d, evidence_seed);
        JF_WRITE(w, e, evidence_count);
        JF_WRITE(w, &d, det_place);
        tr_jw_key(w, "why");
        tr_jw_str(w, tr_cmp_why_name(e->why));
        JF_WRITE(w, e, evidence_via);
        tr_jw_key(w, "via");
        if (e->via != UINT32_MAX)
            det_location(w, c, e->via);
        else
            tr_jw_null(w);
        tr_jw_end(w);
    }
    tr_jw_end(w);
    if (n < t->nevidence) {
        tr_jw_key(w, "evidence_omitted");
        tr_jw_uint(w, t->nevidence - n);
    }
}

static const jf tenant_fields[] = {
    JF(tr_cmp_tenant, "tenant", JF_STR, id),
    JF(tr_cmp_tenant, "name", JF_STR_NULL, name),
    JF(tr_cmp_tenant, "country", JF_STR_NULL, country),
    JF(tr_cmp_tenant, "sector", JF_STR_NULL, sector),
    JF(tr_cmp_tenant, "stage", JF_STAGE, stage),
    JF_SPAN(tr_cmp_tenant, "", first_seen, last_seen),
    JF_SPAN(tr_cmp_tenant, "activity_", activity_first, activity_last),
    JF_N(tr_cmp_tenant, "cves", cves, ncves),
    JF(tr_cmp_tenant, "detections", JF_U32, detections),
};

static void tenants(tr_jw *w, const tr_campaigns *c, const tr_campaign *cp,
                    const tr_cmp_report_opts *o)
{
    tr_jw_key(w, "tenants");
    tr_jw_arr(w);
    for (uint32_t i = 0; i < cp->ntenants; i++) {
        const tr_cmp_tenant *t = &cp->tenants[i];
        tr_jw_obj(w);
        JF_WRITE(w, t, tenant_fields);
        evidence(w, c, t, o->max_evidence);
        tr_jw_end(w);
    }
    tr_jw_end(w);
}

static const jf group_fields[] = {
    JF(cr_group, "group", JF_CHARS, label),
    JF_COUNTS(cr_group, tenants, exploited, compromised),
    JF_SPAN(cr_group, "", first_seen, last_seen),
};

static const jf cve_fields[] = {
    JF_COUNTS(tr_cmp_cve, targeted, exploited, compromised),
    JF_SPAN(tr_cmp_cve, "", first_seen, last_seen),
};

static void by_cve(tr_jw *w, const tr_campaign *cp)
{
    tr_jw_key(w, "by_cve");
    tr_jw_obj(w);
    for (uint32_t k = 0; k < cp->ncves; k++) {
        const tr_cmp_cve *v = &cp->cves[k];
        tr_jw_keyn(w, v->cve.p, v->cve.n);
        JF_OBJECT(w, v, cve_fields);
    }
    tr_jw_end(w);
}

static const jf infra_fields[] = {
    JF(tr_cmp_infra, "value", JF_STR, value),
    JF(tr_cmp_infra, "type", JF_STR, type),
    JF(tr_cmp_infra, "tenants", JF_U32, tenants),
    JF(tr_cmp_infra, "detections", JF_U32, detections),
    JF_SPAN(tr_cmp_infra, "", first_seen, last_seen),
};

static const jf phase_fields[] = {
    JF_SPAN(tr_cmp_phase, "", first, last),
    JF(tr_cmp_phase, "tenants", JF_U32, tenants),
    JF_N(tr_cmp_phase, "cves", cves, ncves),
};

static const jf day_fields[] = {
    JF(tr_cmp_day, "day", JF_DATE, day),
    JF_COUNTS(tr_cmp_day, targeted, exploited, compromised),
};

static void timeline(tr_jw *w, const tr_campaign *cp)
{
    tr_jw_key(w, "timeline");
    tr_jw_arr(w);
    for (uint32_t k = 0; k < cp->ndays; k++) {
        const tr_cmp_day *d = &cp->days[k];
        if (d->targeted || d->exploited || d->compromised)
            JF_OBJECT(w, d, day_fields);
    }
    tr_jw_end(w);
}

static const jf campaign_head[] = {
    JF(tr_campaign, "id", JF_CSTR, id),
    JF(tr_campaign, "name", JF_CSTR, name),
    JF(tr_campaign, "actor", JF_STR_NULL, actor),
    JF(tr_campaign, "cluster", JF_BOOL, cluster),
};

static const jf campaign_counts[] = {
    JF_COUNTS(tr_campaign, ntenants, nexploited, ncompromised),
    JF(tr_campaign, "countries", JF_U32, ncountries),
    JF(tr_campaign, "sectors", JF_U32, nsectors),
    JF(tr_campaign, "detections", JF_U32, detections),
};

static const jf campaign_times[] = {
    JF_SPAN(tr_campaign, "", first_seen, last_seen),
    JF_SPAN(tr_campaign, "activity_", activity_first, activity_last),
};

static const jf campaign_places[] = {
    JF_N(tr_campaign, "countries", countries, ncountries),
    JF_N(tr_campaign, "sectors", sectors, nsectors),
};

static const jf anon_places[] = {
    JF_N(cr_anon, "countries", countries, ncountries),
    JF_N(cr_anon, "sectors", sectors, nsectors),
};

static const jf anon_suppressed[] = {
    JF(cr_anon, "tenants_in_other_countries", JF_U32, other_countries),
    JF(cr_anon, "tenants_in_other_sectors", JF_U32, other_sectors),
};

static tr_err campaign(tr_jw *w, const tr_campaigns *c, const tr_campaign *cp,
                       const tr_cmp_report_opts *o)
{
    cr_anon a;
    tr_err err = cr_anon_for(cp, o, &a);
    if (err)
        return err;
    tr_jw_obj(w);
    JF_WRITE(w, cp, campaign_head);
    tr_jw_key(w, "profile");
    tr_jw_str(w, cr_profile(cp));
    if (cp->cluster) {
        tr_jw_key(w, "seed");
        jw_s(w, cp->seed);
    }
    if (o->anonymise) {
        anon_orgs(w, "orgs_targeted", &a, TR_STAGE_TARGETED);
        anon_orgs(w, "orgs_exploited", &a, TR_STAGE_EXPLOITED);
        anon_orgs(w, "orgs_compromised", &a, TR_STAGE_COMPROMISED);
    } else {
        orgs(w, "orgs_targeted", cp, TR_STAGE_TARGETED);
        orgs(w, "orgs_exploited", cp, TR_STAGE_EXPLOITED);
        orgs(w, "orgs_compromised", cp, TR_STAGE_COMPROMISED);
    }
    tr_jw_key(w, "counts");
    JF_OBJECT(w, cp, campaign_counts);
    if (o->anonymise) {
        JF_WRITE(w, &a, anon_places);
        tr_jw_key(w, "suppressed");
        tr_jw_obj(w);
        tr_jw_key(w, "min_group");
        tr_jw_uint(w, o->min_group);
        JF_WRITE(w, &a, anon_suppressed);
        tr_jw_end(w);
    } else {
        JF_WRITE(w, cp, campaign_places);
    }
    JF_WRITE(w, cp, campaign_times);
    by_cve(w, cp);
    err = infrastructure(w, cp);
    JF_ARRAY(w, "indicators", cp->infra, cp->ninfra, infra_fields);
    JF_ARRAY(w, "phases", cp->phases, cp->nphases, phase_fields);
    timeline(w, cp);
    if (o->anonymise)
        JF_ARRAY(w, "groups", a.groups, a.ngroups, group_fields);
    else
        tenants(w, c, cp, o);
    tr_jw_key(w, "explanation");
    tr_jw_arr(w);
    for (uint32_t k = 0; k < cp->nexplanation; k++)
        if (!o->anonymise || !cr_names_tenant(cp, cp->explanation[k]))
            tr_jw_str(w, cp->explanation[k]);
    tr_jw_end(w);
    tr_jw_end(w);
    cr_anon_release(&a);
    return err;
}

static const jf summary_fields[] = {
    JF(tr_cmp_summary, "detections_read", JF_U64, added),
    JF(tr_cmp_summary, "duplicates", JF_U64, duplicates),
    JF(tr_cmp_summary, "ignored", JF_U64, ignored),
    JF(tr_cmp_summary, "detections", JF_U32, detections),
    JF(tr_cmp_summary, "tenants_with_detections", JF_U32, tenants),
    JF(tr_cmp_summary, "fleet_tenants", JF_U32, fleet_tenants),
    JF(tr_cmp_summary, "background_detections", JF_U32, background),
    JF(tr_cmp_summary, "background_tenants", JF_U32, background_tenants),
};

static const jf benign_fields[] = {
    JF(tr_cmp_benign, "value", JF_STR, value),
    JF(tr_cmp_benign, "type", JF_STR, type),
    JF(tr_cmp_benign, "tenants", JF_U32, tenants),
    JF(tr_cmp_benign, "detections", JF_U32, detections),
    JF(tr_cmp_benign, "max_stage", JF_STAGE, max_stage),
    JF_SPAN(tr_cmp_benign, "", first_seen, last_seen),
};

static const jf conflict_fields[] = {
    JF(tr_cmp_conflict, "text", JF_CSTR, text),
    JF(tr_cmp_conflict, "detections", JF_U32, detections),
};

static void summary(tr_jw *w, const tr_campaigns *c)
{
    const tr_cmp_summary *s = tr_campaigns_summary(c);
    tr_jw_key(w, "summary");
    JF_OBJECT(w, s, summary_fields);
    JF_ARRAY(w, "benign", s->benign, s->nbenign, benign_fields);
    JF_ARRAY(w, "conflicts", s->conflicts, s->nconflicts, conflict_fields);
}

tr_err cr_write_json(const tr_campaigns *c, const tr_cmp_report_opts *o, FILE *out)
{
    tr_buf b;
    tr_buf_init(&b, 0);
    tr_jw w;
    tr_jw_init(&w, &b);
    tr_err err = TR_OK;
    tr_jw_obj(&w);
    tr_jw_key(&w, "campaigns");
    tr_jw_arr(&w);
    for (size_t i = 0; i < tr_campaigns_count(c) && !err; i++) {
        err = campaign(&w, c, tr_campaigns_get(c, i), o);
        if (!err && !w.err && b.n > (1 << 20))
            err = cr_flush(&b, out);
    }
    tr_jw_end(&w);
    summary(&w, c);
    tr_jw_end(&w);
    if (!err && w.err)
        err = w.err;
    if (!err)
        err = tr_buf_putc(&b, '\n');
    if (!err)
        err = cr_flush(&b, out);
    tr_buf_release(&b);
    return err;
}
