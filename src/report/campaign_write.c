/*
 * campaign_write.c - the entry point of campaign reports and what the
 * formats share: anonymised tenant groups (docs/CAMPAIGNS.md
 * "Anonymisation"), time formatting, buffered output.
 */
#include "core/common.h"

#include "core/time.h"
#include "report/campaign_report.h"

tr_cmp_report_opts cr_opts(const tr_cmp_report_opts *o)
{
    tr_cmp_report_opts r = { .min_group = 5 };
    if (o) {
        r = *o;
        if (!r.min_group)
            r.min_group = 5;
    }
    return r;
}

tr_err tr_campaigns_write(const tr_campaigns *c, tr_cmp_format fmt,
                          const tr_cmp_report_opts *opts, FILE *out)
{
    tr_cmp_report_opts o = cr_opts(opts);
    switch (fmt) {
    case TR_CMPFMT_TEXT: return cr_write_text(c, &o, out);
    case TR_CMPFMT_JSON: return cr_write_json(c, &o, out);
    case TR_CMPFMT_HTML: return cr_write_html(c, &o, out);
    case TR_CMPFMT_STIX: return cr_write_stix(c, &o, out);
    }
    return TR_EINVAL;
}

const char *cr_profile(const tr_campaign *cp)
{
    return cp->ncompromised ? "intrusion" : cp->nexploited ? "exploitation" : "attempts";
}

void cr_time(int64_t ts, char *buf, size_t n)
{
    if (ts == TR_TS_NONE)
        buf[0] = '\0';
    else
        tr_time_format(ts, buf, n);
}

void cr_date(int64_t ts, char *buf, size_t n)
{
    if (ts == TR_TS_NONE) {
        snprintf(buf, n, "?");
        return;
    }
    tr_tm tm;
    tr_time_split(ts, &tm);
    snprintf(buf, n, "%04d-%02d-%02d", tm.year, tm.month, tm.day);
}

void cr_span_dates(int64_t first, int64_t last, int64_t act_first, int64_t act_last, char *f,
                   char *l)
{
    cr_date(first != TR_TS_NONE ? first : act_first, f, 16);
    cr_date(last != TR_TS_NONE ? last : act_last, l, 16);
}

tr_err cr_flush(tr_buf *b, FILE *out)
{
    if (b->n && fwrite(b->p, 1, b->n, out) != b->n)
        return TR_EIO;
    tr_buf_reset(b);
    return TR_OK;
}

bool cr_is_actor(const tr_campaign *cp)
{
    return !cp->cluster;
}

bool cr_is_compromising_cluster(const tr_campaign *cp)
{
    return cp->cluster && cp->ncompromised;
}

tr_err cr_each_campaign(tr_buf *b, const tr_campaigns *c, const tr_cmp_report_opts *o, FILE *out,
                        cr_pick_fn pick, cr_campaign_fn fn, size_t *n)
{
    tr_err err = TR_OK;
    *n = 0;
    for (size_t i = 0; i < tr_campaigns_count(c) && !err; i++) {
        const tr_campaign *cp = tr_campaigns_get(c, i);
        if (!pick(cp))
            continue;
        (*n)++;
        cr_anon a;
        err = cr_anon_for(cp, o, &a);
        if (!err)
            err = fn(b, c, cp, &a, o);
        cr_anon_release(&a);
        if (!err)
            err = cr_flush(b, out);
    }
    return err;
}

static int by_group(const void *a, const void *b)
{
    const cr_group *x = a, *y = b;
    bool xo = strcmp(x->label, "other") == 0, yo = strcmp(y->label, "other") == 0;
    if (xo != yo)
        return xo ? 1 : -1;
    if (x->tenants != y->tenants)
        return x->tenants > y->tenants ? -1 : 1;
    return strcmp(x->label, y->label);
}

int cr_str_order(const void *a, const void *b)
{
    const tr_str *x = a, *y = b;
    size_t n = TR_MIN(x->n, y->n);
    int r = n ? memcmp(x->p, y->p, n) : 0;
    return r ? r : (x->n < y->n ? -1 : x->n > y->n);
}

static int by_tally(const void *a, const void *b)
{
    const cr_tally *x = a, *y = b;
    if (x->n != y->n)
        return x->n > y->n ? -1 : 1;
    return cr_str_order(&x->value, &y->value);
}

void cr_tally_sort(cr_tally *v, uint32_t n)
{
    qsort(v, n, sizeof(*v), by_tally);
}

cr_tally *cr_tally_tenants(const tr_campaign *cp, bool country, uint32_t *nout)
{
    cr_tally *v = tr_calloc(cp->ntenants + 1, sizeof(*v));
    if (!v)
        return NULL;
    uint32_t n = 0;
    for (uint32_t i = 0; i < cp->ntenants; i++) {
        tr_str s = country ? cp->tenants[i].country : cp->tenants[i].sector;
        if (!s.n)
            s = TR_STR("unknown");
        uint32_t k = 0;
        while (k < n && !tr_str_eq(v[k].value, s))
            k++;
        if (k == n)
            v[n++].value = s;
        v[k].n++;
        v[k].compromised += cp->tenants[i].stage == TR_STAGE_COMPROMISED;
    }
    cr_tally_sort(v, n);
    *nout = n;
    return v;
}

/* Values of one attribute (country or sector) held by >= min tenants. */
static tr_err kept_values(const tr_campaign *cp, bool country, uint32_t min, tr_str **out,
                          uint32_t *nout, uint32_t *other)
{
    uint32_t n = cp->ntenants;
    tr_str *v = tr_malloc((n ? n : 1) * sizeof(*v));
    tr_str *k = tr_malloc((n ? n : 1) * sizeof(*k));
    if (!v || !k) {
        tr_free(v);
        tr_free(k);
        return TR_ENOMEM;
    }
    for (uint32_t i = 0; i < n; i++)
        v[i] = country ? cp->tenants[i].country : cp->tenants[i].sector;
    qsort(v, n, sizeof(*v), cr_str_order);
    uint32_t m = 0;
    *other = 0;
    for (uint32_t i = 0; i < n;) {
        uint32_t j = i + 1;
        while (j < n && tr_str_eq(v[i], v[j]))
            j++;
        if (j - i >= min && v[i].n)
            k[m++] = v[i];
        else
            *other += j - i;
        i = j;
    }
    tr_free(v);
    *out = k;
    *nout = m;
    return TR_OK;
}

tr_err cr_anon_build(const tr_campaign *cp, uint32_t min_group, cr_anon *a)
{
    memset(a, 0, sizeof(*a));
    uint32_t n = cp->ntenants;
    a->groups = tr_calloc(n + 1, sizeof(*a->groups));
    a->group_of = tr_calloc(n ? n : 1, sizeof(*a->group_of));
    if (!a->groups || !a->group_of) {
        cr_anon_release(a);
        return TR_ENOMEM;
    }
    /* raw groups */
    for (uint32_t i = 0; i < n; i++) {
        const tr_cmp_tenant *t = &cp->tenants[i];
        char label[112];
        snprintf(label, sizeof(label), "%.*s in %.*s", TR_STR_FMT(t->sector.n ? t->sector : TR_STR("unknown sector")),
                 TR_STR_FMT(t->country.n ? t->country : TR_STR("unknown country")));
        uint32_t g = 0;
        while (g < a->ngroups && strcmp(a->groups[g].label, label) != 0)
            g++;
        if (g == a->ngroups) {
            snprintf(a->groups[g].label, sizeof(a->groups[g].label), "%s", label);
            a->groups[g].first_seen = a->groups[g].last_seen = TR_TS_NONE;
            a->ngroups++;
        }
        a->group_of[i] = g;
        a->groups[g].tenants++;
    }
    /* small groups into "other" */
    uint32_t other = UINT32_MAX;
    uint32_t *remap = tr_malloc((a->ngroups ? a->ngroups : 1) * sizeof(*remap));
    cr_group *kept = tr_calloc(a->ngroups + 1, sizeof(*kept));
    if (!remap || !kept) {
        tr_free(remap);
        tr_free(kept);
        cr_anon_release(a);
        return TR_ENOMEM;
    }
    uint32_t nk = 0;
    for (uint32_t g = 0; g < a->ngroups; g++) {
        if (a->groups[g].tenants >= min_group) {
            kept[nk] = a->groups[g];
            kept[nk].tenants = 0;
            remap[g] = nk++;
        } else {
            if (other == UINT32_MAX) {
                other = nk++;
                snprintf(kept[other].label, sizeof(kept[other].label), "other");
                kept[other].first_seen = kept[other].last_seen = TR_TS_NONE;
            }
            remap[g] = other;
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        const tr_cmp_tenant *t = &cp->tenants[i];
        cr_group *g = &kept[remap[a->group_of[i]]];
        a->group_of[i] = remap[a->group_of[i]];
        g->tenants++;
        g->exploited += t->stage >= TR_STAGE_EXPLOITED;
        g->compromised += t->stage >= TR_STAGE_COMPROMISED;
        int64_t f = t->first_seen != TR_TS_NONE ? t->first_seen : t->activity_first;
        int64_t l = t->last_seen != TR_TS_NONE ? t->last_seen : t->activity_last;
        if (f != TR_TS_NONE && (g->first_seen == TR_TS_NONE || f < g->first_seen))
            g->first_seen = f;
        if (l != TR_TS_NONE && (g->last_seen == TR_TS_NONE || l > g->last_seen))
            g->last_seen = l;
    }
    /* sort groups, keeping group_of right */
    uint32_t *order = tr_malloc((nk ? nk : 1) * sizeof(*order));
    if (!order) {
        tr_free(remap);
        tr_free(kept);
        cr_anon_release(a);
        return TR_ENOMEM;
    }
    cr_group *sorted = tr_calloc(nk + 1, sizeof(*sorted));
    if (!sorted) {
        tr_free(order);
        tr_free(remap);
        tr_free(kept);
        cr_anon_release(a);
        return TR_ENOMEM;
    }
    if (nk)
        memcpy(sorted, kept, nk * sizeof(*kept));
    qsort(sorted, nk, sizeof(*sorted), by_group);
    for (uint32_t g = 0; g < nk; g++)
        for (uint32_t s = 0; s < nk; s++)
            if (strcmp(sorted[s].label, kept[g].label) == 0)
                order[g] = s;
    for (uint32_t i = 0; i < n; i++)
        a->group_of[i] = order[a->group_of[i]];
    tr_free(a->groups);
    a->groups = sorted;
    a->ngroups = nk;
    tr_free(order);
    tr_free(remap);
    tr_free(kept);
    tr_err err = kept_values(cp, true, min_group, &a->countries, &a->ncountries,
                             &a->other_countries);
    if (!err)
        err = kept_values(cp, false, min_group, &a->sectors, &a->nsectors, &a->other_sectors);
    if (err)
        cr_anon_release(a);
    return err;
}

tr_err cr_anon_for(const tr_campaign *cp, const tr_cmp_report_opts *o, cr_anon *a)
{
    memset(a, 0, sizeof(*a));
    return o->anonymise ? cr_anon_build(cp, o->min_group, a) : TR_OK;
}

void cr_anon_release(cr_anon *a)
{
    tr_free(a->groups);
    tr_free(a->group_of);
    tr_free(a->countries);
    tr_free(a->sectors);
    memset(a, 0, sizeof(*a));
}

bool cr_names_tenant(const tr_campaign *cp, const char *text)
{
    for (uint32_t i = 0; i < cp->ntenants; i++) {
        tr_str id = cp->tenants[i].id;
        if (id.n && memmem(text, strlen(text), id.p, id.n))
            return true;
    }
    return false;
}
