/*
 * campaign.c - the campaigns of a view: the campaign engine
 * (trawl/campaign.h) fed with every detection the view reads, run once per
 * view, and its results as the API's JSON. The list is rendered once per
 * view (it is what the dashboard's first page and most clients ask for);
 * one campaign is rendered on request.
 */
#include "core/common.h"

#include "core/time.h"
#include "serve/serve_int.h"
#include "trawl/campaign.h"

#define MAX_EVIDENCE 20 /* evidence items per tenant in the JSON (the rest counted) */

struct serve_campaigns {
    tr_campaign_policy *policy;
    tr_campaigns *engine;
    tr_map *by_id;  /* campaign id → index */
    tr_buf list;    /* GET /api/campaigns */
    bool run;
};

tr_err serve_campaigns_new(const tr_fleet *fleet, const char *policy, serve_campaigns **out,
                           char *err, size_t errlen)
{
    *out = NULL;
    serve_campaigns *c = tr_calloc(1, sizeof(*c));
    if (!c || !(c->policy = tr_campaign_policy_new())) {
        tr_free(c);
        snprintf(err, errlen, "out of memory");
        return TR_ENOMEM;
    }
    tr_buf_init(&c->list, 0);
    tr_err e;
    if (policy && (e = tr_campaign_policy_load(c->policy, policy, err, errlen)) != TR_OK) {
        serve_campaigns_free(c);
        return e;
    }
    if ((e = tr_campaigns_new(c->policy, fleet, &c->engine)) != TR_OK) {
        serve_campaigns_free(c);
        snprintf(err, errlen, "out of memory");
        return e;
    }
    *out = c;
    return TR_OK;
}

tr_err serve_campaigns_add(serve_campaigns *c, const tr_detection *d)
{
    return tr_campaigns_add(c->engine, d);
}

void serve_campaigns_free(serve_campaigns *c)
{
    if (!c)
        return;
    tr_campaigns_free(c->engine);
    tr_campaign_policy_free(c->policy);
    tr_map_free(c->by_id);
    tr_buf_release(&c->list);
    tr_free(c);
}

size_t serve_campaigns_count(const serve_campaigns *c)
{
    return c && c->run ? tr_campaigns_count(c->engine) : 0;
}

static void put_s(tr_jw *w, const char *key, tr_str s)
{
    tr_jw_key(w, key);
    if (s.n)
        tr_jw_strn(w, s.p, s.n);
    else
        tr_jw_null(w);
}

static void put_strs(tr_jw *w, const char *key, const tr_str *v, uint32_t n)
{
    tr_jw_key(w, key);
    tr_jw_arr(w);
    for (uint32_t i = 0; i < n; i++)
        tr_jw_strn(w, v[i].p, v[i].n);
    tr_jw_end(w);
}

static void put_time(tr_jw *w, const char *key, int64_t ts)
{
    tr_jw_key(w, key);
    tr_jw_time(w, ts);
}

static void put_uint(tr_jw *w, const char *key, uint64_t v)
{
    tr_jw_key(w, key);
    tr_jw_uint(w, v);
}

static void put_orgs(tr_jw *w, const char *key, const tr_campaign *cp, tr_stage min)
{
    tr_jw_key(w, key);
    tr_jw_arr(w);
    for (uint32_t i = 0; i < cp->ntenants; i++)
        if (cp->tenants[i].stage >= min)
            tr_jw_strn(w, cp->tenants[i].id.p, cp->tenants[i].id.n);
    tr_jw_end(w);
}

/* What the list and the one-campaign object share. */
static void put_summary(tr_jw *w, const tr_campaign *cp)
{
    tr_jw_key(w, "id");
    tr_jw_str(w, cp->id);
    tr_jw_key(w, "name");
    tr_jw_str(w, cp->name);
    put_s(w, "actor", cp->actor);
    tr_jw_key(w, "cluster");
    tr_jw_bool(w, cp->cluster);
    put_s(w, "seed", cp->seed);
    uint32_t exploited = 0, compromised = 0;
    for (uint32_t i = 0; i < cp->ntenants; i++) {
        exploited += cp->tenants[i].stage >= TR_STAGE_EXPLOITED;
        compromised += cp->tenants[i].stage >= TR_STAGE_COMPROMISED;
    }
    tr_jw_key(w, "counts");
    tr_jw_obj(w);
    put_uint(w, "tenants", cp->ntenants);
    put_uint(w, "exploited", exploited);
    put_uint(w, "compromised", compromised);
    put_uint(w, "countries", cp->ncountries);
    put_uint(w, "sectors", cp->nsectors);
    put_uint(w, "detections", cp->detections);
    tr_jw_end(w);
    put_orgs(w, "orgs_targeted", cp, TR_STAGE_TARGETED);
    put_orgs(w, "orgs_exploited", cp, TR_STAGE_EXPLOITED);
    put_orgs(w, "orgs_compromised", cp, TR_STAGE_COMPROMISED);
    put_strs(w, "countries", cp->countries, cp->ncountries);
    put_strs(w, "sectors", cp->sectors, cp->nsectors);
    put_time(w, "first_seen", cp->first_seen);
    put_time(w, "last_seen", cp->last_seen);
    put_time(w, "activity_first", cp->activity_first);
    put_time(w, "activity_last", cp->activity_last);
    tr_jw_key(w, "by_cve");
    tr_jw_arr(w);
    for (uint32_t i = 0; i < cp->ncves; i++) {
        const tr_cmp_cve *v = &cp->cves[i];
        tr_jw_obj(w);
        put_s(w, "cve", v->cve);
        put_uint(w, "targeted", v->targeted);
        put_uint(w, "exploited", v->exploited);
        put_uint(w, "compromised", v->compromised);
        put_time(w, "first_seen", v->first_seen);
        put_time(w, "last_seen", v->last_seen);
        tr_jw_end(w);
    }
    tr_jw_end(w);
}

static void put_tenant(tr_jw *w, const serve_campaigns *c, const tr_cmp_tenant *t)
{
    tr_jw_obj(w);
    put_s(w, "id", t->id);
    put_s(w, "name", t->name);
    put_s(w, "country", t->country);
    put_s(w, "sector", t->sector);
    tr_jw_key(w, "stage");
    tr_jw_str(w, tr_stage_name(t->stage));
    put_time(w, "first_seen", t->first_seen);
    put_time(w, "last_seen", t->last_seen);
    put_time(w, "activity_first", t->activity_first);
    put_time(w, "activity_last", t->activity_last);
    put_uint(w, "detections", t->detections);
    put_strs(w, "cves", t->cves, t->ncves);
    tr_jw_key(w, "evidence");
    tr_jw_arr(w);
    for (uint32_t i = 0; i < t->nevidence && i < MAX_EVIDENCE; i++) {
        const tr_cmp_evidence *ev = &t->evidence[i];
        tr_cmp_det d;
        if (tr_campaigns_detection(c->engine, ev->det, &d) != TR_OK)
            continue;
        tr_jw_obj(w);
        tr_jw_key(w, "stage");
        tr_jw_str(w, tr_stage_name(ev->stage));
        tr_jw_key(w, "why");
        tr_jw_str(w, tr_cmp_why_name(ev->why));
        put_s(w, "via_value", ev->via_value);
        tr_jw_key(w, "kind");
        tr_jw_str(w, tr_det_kind_name(d.kind));
        put_s(w, "rule_id", d.rule_id);
        put_s(w, "rule_title", d.rule_title);
        put_s(w, "indicator", d.indicator);
        put_uint(w, "count", ev->count);
        put_time(w, "first", ev->first);
        put_time(w, "last", ev->last);
        put_s(w, "path", d.path);
        put_uint(w, "line", d.line);
        put_uint(w, "record", d.record);
        tr_jw_end(w);
    }
    tr_jw_end(w);
    put_uint(w, "evidence_total", t->nevidence);
    tr_jw_end(w);
}

static tr_err render_list(serve_campaigns *c, const serve_view *v)
{
    tr_jw w;
    tr_jw_init(&w, &c->list);
    tr_jw_obj(&w);
    tr_jw_key(&w, "campaigns");
    tr_jw_arr(&w);
    size_t n = tr_campaigns_count(c->engine);
    for (size_t i = 0; i < n; i++) {
        tr_jw_obj(&w);
        put_summary(&w, tr_campaigns_get(c->engine, i));
        tr_jw_end(&w);
    }
    tr_jw_end(&w);
    const tr_cmp_summary *sum = tr_campaigns_summary(c->engine);
    tr_jw_key(&w, "summary");
    tr_jw_obj(&w);
    put_uint(&w, "detections", v->detections);
    put_uint(&w, "detections_in_campaigns", sum->detections - sum->background);
    put_uint(&w, "background", sum->background);
    put_uint(&w, "ignored", sum->ignored);
    put_uint(&w, "tenants_with_detections", sum->tenants);
    tr_jw_key(&w, "benign");
    tr_jw_arr(&w);
    for (uint32_t i = 0; i < sum->nbenign; i++) {
        tr_jw_obj(&w);
        put_s(&w, "value", sum->benign[i].value);
        put_s(&w, "type", sum->benign[i].type);
        put_uint(&w, "tenants", sum->benign[i].tenants);
        put_uint(&w, "detections", sum->benign[i].detections);
        tr_jw_end(&w);
    }
    tr_jw_end(&w);
    tr_jw_end(&w);
    tr_jw_end(&w);
    if (!w.err)
        w.err = tr_buf_putc(&c->list, '\n');
    return w.err;
}

tr_err serve_campaigns_finish(serve_campaigns *c, serve_view *v)
{
    if (!c)
        return TR_OK;
    tr_err e = tr_campaigns_run(c->engine);
    if (e)
        return e;
    c->run = true;
    size_t n = tr_campaigns_count(c->engine);
    if (!(c->by_id = tr_map_new(n ? n : 1, 0)))
        return TR_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const tr_campaign *cp = tr_campaigns_get(c->engine, i);
        if ((e = tr_map_put(c->by_id, tr_str_c(cp->id), i)) != TR_OK)
            return e;
        /* Each tenant's highest stage over every campaign, for the tenant list. */
        for (uint32_t k = 0; k < cp->ntenants; k++) {
            serve_tenant *t = (serve_tenant *)serve_view_tenant(v, cp->tenants[k].id);
            if (t && (int)cp->tenants[k].stage > t->stage)
                t->stage = (int)cp->tenants[k].stage;
        }
    }
    return render_list(c, v);
}

const tr_buf *serve_campaigns_list_json(const serve_campaigns *c)
{
    return c && c->run ? &c->list : NULL;
}

tr_err serve_campaigns_one_json(const serve_campaigns *c, tr_str id, tr_buf *out)
{
    uint64_t idx;
    if (!c || !c->run || !tr_map_get(c->by_id, id, &idx))
        return TR_ENOENT;
    const tr_campaign *cp = tr_campaigns_get(c->engine, idx);
    tr_jw w;
    tr_jw_init(&w, out);
    tr_jw_obj(&w);
    tr_jw_key(&w, "campaign");
    tr_jw_obj(&w);
    put_summary(&w, cp);
    tr_jw_key(&w, "timeline");
    tr_jw_arr(&w);
    for (uint32_t i = 0; i < cp->ndays; i++) {
        char day[40];
        tr_time_format(cp->days[i].day, day, sizeof(day));
        tr_jw_obj(&w);
        tr_jw_key(&w, "day");
        tr_jw_strn(&w, day, 10);
        put_uint(&w, "targeted", cp->days[i].targeted);
        put_uint(&w, "exploited", cp->days[i].exploited);
        put_uint(&w, "compromised", cp->days[i].compromised);
        tr_jw_end(&w);
    }
    tr_jw_end(&w);
    tr_jw_key(&w, "tenants");
    tr_jw_arr(&w);
    for (uint32_t i = 0; i < cp->ntenants; i++)
        put_tenant(&w, c, &cp->tenants[i]);
    tr_jw_end(&w);
    tr_jw_key(&w, "infrastructure");
    tr_jw_arr(&w);
    for (uint32_t i = 0; i < cp->ninfra; i++) {
        const tr_cmp_infra *x = &cp->infra[i];
        tr_jw_obj(&w);
        put_s(&w, "value", x->value);
        put_s(&w, "type", x->type);
        put_uint(&w, "tenants", x->tenants);
        put_uint(&w, "detections", x->detections);
        put_time(&w, "first_seen", x->first_seen);
        put_time(&w, "last_seen", x->last_seen);
        tr_jw_end(&w);
    }
    tr_jw_end(&w);
    tr_jw_key(&w, "phases");
    tr_jw_arr(&w);
    for (uint32_t i = 0; i < cp->nphases; i++) {
        tr_jw_obj(&w);
        put_time(&w, "first", cp->phases[i].first);
        put_time(&w, "last", cp->phases[i].last);
        put_uint(&w, "tenants", cp->phases[i].tenants);
        put_strs(&w, "cves", cp->phases[i].cves, cp->phases[i].ncves);
        tr_jw_end(&w);
    }
    tr_jw_end(&w);
    tr_jw_key(&w, "explanation");
    tr_jw_arr(&w);
    for (uint32_t i = 0; i < cp->nexplanation; i++)
        tr_jw_str(&w, cp->explanation[i]);
    tr_jw_end(&w);
    tr_jw_end(&w);
    tr_jw_end(&w);
    if (!w.err)
        w.err = tr_buf_putc(out, '\n');
    return w.err;
}

void serve_campaigns_of_tenant(const serve_campaigns *c, tr_str tenant, tr_jw *w)
{
    if (!c || !c->run) {
        tr_jw_null(w);
        return;
    }
    tr_jw_arr(w);
    size_t n = tr_campaigns_count(c->engine);
    for (size_t i = 0; i < n; i++) {
        const tr_campaign *cp = tr_campaigns_get(c->engine, i);
        uint32_t k = 0;
        while (k < cp->ntenants && !tr_str_eq(cp->tenants[k].id, tenant))
            k++;
        if (k == cp->ntenants)
            continue;
        tr_jw_obj(w);
        tr_jw_key(w, "id");
        tr_jw_str(w, cp->id);
        tr_jw_key(w, "name");
        tr_jw_str(w, cp->name);
        tr_jw_key(w, "stage");
        tr_jw_str(w, tr_stage_name(cp->tenants[k].stage));
        tr_jw_end(w);
    }
    tr_jw_end(w);
}
