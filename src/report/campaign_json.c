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

static void jw_s(tr_jw *w, tr_str s)
{
    tr_jw_strn(w, s.p, s.n);
}

static void jw_s_or_null(tr_jw *w, tr_str s)
{
    if (s.n)
        tr_jw_strn(w, s.p, s.n);
    else
        tr_jw_null(w);
}

static void jw_time(tr_jw *w, const char *key, int64_t ts)
{
    tr_jw_key(w, key);
    tr_jw_time(w, ts);
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

static int by_bytes(const void *a, const void *b)
{
    const tr_str *x = a, *y = b;
    size_t n = TR_MIN(x->n, y->n);
    int r = n ? memcmp(x->p, y->p, n) : 0;
    return r ? r : (x->n < y->n ? -1 : x->n > y->n);
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
    qsort(v, n, sizeof(*v), by_bytes);
    jw_strs(w, "infrastructure", v, n);
    tr_free(v);
    return TR_OK;
}

static void det_location(tr_jw *w, const tr_campaigns *c, uint32_t idx)
{
    tr_cmp_det d;
    if (tr_campaigns_detection(c, idx, &d) != TR_OK) {
        tr_jw_null(w);
        return;
    }
    tr_jw_obj(w);
    tr_jw_key(w, "tenant");
    jw_s(w, d.tenant);
    tr_jw_key(w, "rule_title");
    jw_s(w, d.rule_title);
    jw_time(w, "ts", d.ts);
    tr_jw_key(w, "path");
    jw_s(w, d.path);
    tr_jw_key(w, "record");
    tr_jw_uint(w, d.record);
    tr_jw_key(w, "line");
    if (d.line)
        tr_jw_uint(w, d.line);
    else
        tr_jw_null(w);
    tr_jw_end(w);
}

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
        tr_jw_key(w, "rule_id");
        jw_s(w, d.rule_id);
        tr_jw_key(w, "rule_title");
        jw_s(w, d.rule_title);
        if (d.indicator.n) {
            tr_jw_key(w, "indicator");
            jw_s(w, d.indicator);
            tr_jw_key(w, "feed");
            jw_s_or_null(w, d.feed);
        }
        if (d.actor_seed.n) {
            tr_jw_key(w, "actor_seed");
            jw_s(w, d.actor_seed);
        }
        tr_jw_key(w, "count");
        tr_jw_uint(w, e->count);
        jw_time(w, "first_seen", e->first);
        jw_time(w, "last_seen", e->last);
        tr_jw_key(w, "path");
        jw_s(w, d.path);
        tr_jw_key(w, "record");
        tr_jw_uint(w, d.record);
        tr_jw_key(w, "line");
        if (d.line)
            tr_jw_uint(w, d.line);
        else
            tr_jw_null(w);
        tr_jw_key(w, "why");
        tr_jw_str(w, tr_cmp_why_name(e->why));
        if (e->via_value.n) {
            tr_jw_key(w, "via_value");
            jw_s(w, e->via_value);
        }
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

static void tenants(tr_jw *w, const tr_campaigns *c, const tr_campaign *cp,
                    const tr_cmp_report_opts *o)
{
    tr_jw_key(w, "tenants");
    tr_jw_arr(w);
    for (uint32_t i = 0; i < cp->ntenants; i++) {
        const tr_cmp_tenant *t = &cp->tenants[i];
        tr_jw_obj(w);
        tr_jw_key(w, "tenant");
        jw_s(w, t->id);
        tr_jw_key(w, "name");
        jw_s_or_null(w, t->name);
        tr_jw_key(w, "country");
        jw_s_or_null(w, t->country);
        tr_jw_key(w, "sector");
        jw_s_or_null(w, t->sector);
        tr_jw_key(w, "stage");
        tr_jw_str(w, tr_stage_name(t->stage));
        jw_time(w, "first_seen", t->first_seen);
        jw_time(w, "last_seen", t->last_seen);
        jw_time(w, "activity_first_seen", t->activity_first);
        jw_time(w, "activity_last_seen", t->activity_last);
        jw_strs(w, "cves", t->cves, t->ncves);
        tr_jw_key(w, "detections");
        tr_jw_uint(w, t->detections);
        evidence(w, c, t, o->max_evidence);
        tr_jw_end(w);
    }
    tr_jw_end(w);
}

static void anon_tenants(tr_jw *w, const cr_anon *a)
{
    tr_jw_key(w, "groups");
    tr_jw_arr(w);
    for (uint32_t g = 0; g < a->ngroups; g++) {
        const cr_group *x = &a->groups[g];
        tr_jw_obj(w);
        tr_jw_key(w, "group");
        tr_jw_str(w, x->label);
        tr_jw_key(w, "targeted");
        tr_jw_uint(w, x->tenants);
        tr_jw_key(w, "exploited");
        tr_jw_uint(w, x->exploited);
        tr_jw_key(w, "compromised");
        tr_jw_uint(w, x->compromised);
        jw_time(w, "first_seen", x->first_seen);
        jw_time(w, "last_seen", x->last_seen);
        tr_jw_end(w);
    }
    tr_jw_end(w);
}

static void by_cve(tr_jw *w, const tr_campaign *cp)
{
    tr_jw_key(w, "by_cve");
    tr_jw_obj(w);
    for (uint32_t k = 0; k < cp->ncves; k++) {
        const tr_cmp_cve *v = &cp->cves[k];
        tr_jw_keyn(w, v->cve.p, v->cve.n);
        tr_jw_obj(w);
        tr_jw_key(w, "targeted");
        tr_jw_uint(w, v->targeted);
        tr_jw_key(w, "exploited");
        tr_jw_uint(w, v->exploited);
        tr_jw_key(w, "compromised");
        tr_jw_uint(w, v->compromised);
        jw_time(w, "first_seen", v->first_seen);
        jw_time(w, "last_seen", v->last_seen);
        tr_jw_end(w);
    }
    tr_jw_end(w);
}

static void indicators(tr_jw *w, const tr_campaign *cp)
{
    tr_jw_key(w, "indicators");
    tr_jw_arr(w);
    for (uint32_t k = 0; k < cp->ninfra; k++) {
        const tr_cmp_infra *x = &cp->infra[k];
        tr_jw_obj(w);
        tr_jw_key(w, "value");
        jw_s(w, x->value);
        tr_jw_key(w, "type");
        jw_s(w, x->type);
        tr_jw_key(w, "tenants");
        tr_jw_uint(w, x->tenants);
        tr_jw_key(w, "detections");
        tr_jw_uint(w, x->detections);
        jw_time(w, "first_seen", x->first_seen);
        jw_time(w, "last_seen", x->last_seen);
        tr_jw_end(w);
    }
    tr_jw_end(w);
}

static void phases(tr_jw *w, const tr_campaign *cp)
{
    tr_jw_key(w, "phases");
    tr_jw_arr(w);
    for (uint32_t k = 0; k < cp->nphases; k++) {
        const tr_cmp_phase *p = &cp->phases[k];
        tr_jw_obj(w);
        jw_time(w, "first_seen", p->first);
        jw_time(w, "last_seen", p->last);
        tr_jw_key(w, "tenants");
        tr_jw_uint(w, p->tenants);
        jw_strs(w, "cves", p->cves, p->ncves);
        tr_jw_end(w);
    }
    tr_jw_end(w);
}

static void timeline(tr_jw *w, const tr_campaign *cp)
{
    tr_jw_key(w, "timeline");
    tr_jw_arr(w);
    for (uint32_t k = 0; k < cp->ndays; k++) {
        const tr_cmp_day *d = &cp->days[k];
        if (!d->targeted && !d->exploited && !d->compromised)
            continue;
        char day[16];
        cr_date(d->day, day, sizeof(day));
        tr_jw_obj(w);
        tr_jw_key(w, "day");
        tr_jw_str(w, day);
        tr_jw_key(w, "targeted");
        tr_jw_uint(w, d->targeted);
        tr_jw_key(w, "exploited");
        tr_jw_uint(w, d->exploited);
        tr_jw_key(w, "compromised");
        tr_jw_uint(w, d->compromised);
        tr_jw_end(w);
    }
    tr_jw_end(w);
}

static tr_err campaign(tr_jw *w, const tr_campaigns *c, const tr_campaign *cp,
                       const tr_cmp_report_opts *o)
{
    cr_anon a = { 0 };
    if (o->anonymise) {
        tr_err err = cr_anon_build(cp, o->min_group, &a);
        if (err)
            return err;
    }
    tr_jw_obj(w);
    tr_jw_key(w, "id");
    tr_jw_str(w, cp->id);
    tr_jw_key(w, "name");
    tr_jw_str(w, cp->name);
    tr_jw_key(w, "actor");
    jw_s_or_null(w, cp->actor);
    tr_jw_key(w, "cluster");
    tr_jw_bool(w, cp->cluster);
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
    tr_jw_obj(w);
    tr_jw_key(w, "targeted");
    tr_jw_uint(w, cp->ntenants);
    tr_jw_key(w, "exploited");
    tr_jw_uint(w, cp->nexploited);
    tr_jw_key(w, "compromised");
    tr_jw_uint(w, cp->ncompromised);
    tr_jw_key(w, "countries");
    tr_jw_uint(w, cp->ncountries);
    tr_jw_key(w, "sectors");
    tr_jw_uint(w, cp->nsectors);
    tr_jw_key(w, "detections");
    tr_jw_uint(w, cp->detections);
    tr_jw_end(w);
    if (o->anonymise) {
        jw_strs(w, "countries", a.countries, a.ncountries);
        jw_strs(w, "sectors", a.sectors, a.nsectors);
        tr_jw_key(w, "suppressed");
        tr_jw_obj(w);
        tr_jw_key(w, "min_group");
        tr_jw_uint(w, o->min_group);
        tr_jw_key(w, "tenants_in_other_countries");
        tr_jw_uint(w, a.other_countries);
        tr_jw_key(w, "tenants_in_other_sectors");
        tr_jw_uint(w, a.other_sectors);
        tr_jw_end(w);
    } else {
        jw_strs(w, "countries", cp->countries, cp->ncountries);
        jw_strs(w, "sectors", cp->sectors, cp->nsectors);
    }
    jw_time(w, "first_seen", cp->first_seen);
    jw_time(w, "last_seen", cp->last_seen);
    jw_time(w, "activity_first_seen", cp->activity_first);
    jw_time(w, "activity_last_seen", cp->activity_last);
    by_cve(w, cp);
    tr_err err = infrastructure(w, cp);
    indicators(w, cp);
    phases(w, cp);
    timeline(w, cp);
    if (o->anonymise)
        anon_tenants(w, &a);
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

static void summary(tr_jw *w, const tr_campaigns *c)
{
    const tr_cmp_summary *s = tr_campaigns_summary(c);
    tr_jw_key(w, "summary");
    tr_jw_obj(w);
    tr_jw_key(w, "detections_read");
    tr_jw_uint(w, s->added);
    tr_jw_key(w, "duplicates");
    tr_jw_uint(w, s->duplicates);
    tr_jw_key(w, "ignored");
    tr_jw_uint(w, s->ignored);
    tr_jw_key(w, "detections");
    tr_jw_uint(w, s->detections);
    tr_jw_key(w, "tenants_with_detections");
    tr_jw_uint(w, s->tenants);
    tr_jw_key(w, "fleet_tenants");
    tr_jw_uint(w, s->fleet_tenants);
    tr_jw_key(w, "background_detections");
    tr_jw_uint(w, s->background);
    tr_jw_key(w, "background_tenants");
    tr_jw_uint(w, s->background_tenants);
    tr_jw_end(w);
    tr_jw_key(w, "benign");
    tr_jw_arr(w);
    for (uint32_t k = 0; k < s->nbenign; k++) {
        const tr_cmp_benign *b = &s->benign[k];
        tr_jw_obj(w);
        tr_jw_key(w, "value");
        jw_s(w, b->value);
        tr_jw_key(w, "type");
        jw_s(w, b->type);
        tr_jw_key(w, "tenants");
        tr_jw_uint(w, b->tenants);
        tr_jw_key(w, "detections");
        tr_jw_uint(w, b->detections);
        tr_jw_key(w, "max_stage");
        tr_jw_str(w, tr_stage_name(b->max_stage));
        jw_time(w, "first_seen", b->first_seen);
        jw_time(w, "last_seen", b->last_seen);
        tr_jw_end(w);
    }
    tr_jw_end(w);
    tr_jw_key(w, "conflicts");
    tr_jw_arr(w);
    for (uint32_t k = 0; k < s->nconflicts; k++) {
        tr_jw_obj(w);
        tr_jw_key(w, "text");
        tr_jw_str(w, s->conflicts[k].text);
        tr_jw_key(w, "detections");
        tr_jw_uint(w, s->conflicts[k].detections);
        tr_jw_end(w);
    }
    tr_jw_end(w);
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
