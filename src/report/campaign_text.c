/*
 * campaign_text.c - `trawl campaigns --format text`: the report an analyst
 * reads in a terminal. Each actor campaign opens with the headline ("APT41:
 * 78 organisations targeted in 20 countries and 19 sectors between … ; 8
 * compromised"), then its CVEs, phases, countries and sectors,
 * infrastructure, tenants with their evidence down to path:line, and why it
 * was put together; unattributed clusters come after the actors, then the
 * benign many-tenant sources kept out of clustering and any conflicts.
 */
#include "core/common.h"

#include "report/campaign_evidence.h"
#include "report/campaign_report.h"

#define TEXT_EVIDENCE 3 /* evidence lines per tenant unless --max-evidence says */

/* "US 30, GB 5, …" over the campaign's tenants. */
static void distribution(tr_buf *b, const char *title, const tr_campaign *cp, bool country)
{
    uint32_t n;
    cr_tally *v = cr_tally_tenants(cp, country, &n);
    if (!v)
        return;
    tr_buf_printf(b, "  %s (%u):", title, country ? cp->ncountries : cp->nsectors);
    for (uint32_t k = 0; k < n; k++)
        tr_buf_printf(b, "%s %.*s %u", k ? "," : "", TR_STR_FMT(v[k].value), v[k].n);
    tr_buf_putc(b, '\n');
    tr_free(v);
}

/* "1 tenant", "2 tenants" */
static const char *tenants_word(uint32_t n)
{
    return n == 1 ? "tenant" : "tenants";
}

static void anon_distribution(tr_buf *b, const char *title, const tr_str *v, uint32_t n,
                              uint32_t total, uint32_t other)
{
    tr_buf_printf(b, "  %s (%u):", title, total);
    for (uint32_t k = 0; k < n; k++)
        tr_buf_printf(b, "%s %.*s", k ? "," : "", TR_STR_FMT(v[k]));
    if (other)
        tr_buf_printf(b, "%s %u %s in smaller groups (not shown)", n ? "," : "", other,
                      tenants_word(other));
    tr_buf_putc(b, '\n');
}

static void by_cve(tr_buf *b, const tr_campaign *cp)
{
    if (!cp->ncves)
        return;
    tr_buf_printf(b, "\n  %-18s %9s %10s %12s  %-27s %s\n", "CVE", "targeted", "exploited",
                  "compromised", "first attempt", "last attempt");
    for (uint32_t k = 0; k < cp->ncves; k++) {
        const tr_cmp_cve *v = &cp->cves[k];
        char f[40], l[40];
        cr_time(v->first_seen, f, sizeof(f));
        cr_time(v->last_seen, l, sizeof(l));
        tr_buf_printf(b, "  %-18.*s %9u %10u %12u  %-27s %s\n", TR_STR_FMT(v->cve), v->targeted,
                      v->exploited, v->compromised, f, l);
    }
}

static void phases(tr_buf *b, const tr_campaign *cp)
{
    if (!cp->nphases)
        return;
    tr_buf_printf(b, "\n  Phases (attempts separated by silent days):\n");
    for (uint32_t k = 0; k < cp->nphases; k++) {
        const tr_cmp_phase *p = &cp->phases[k];
        char f[16], l[16];
        cr_date(p->first, f, sizeof(f));
        cr_date(p->last, l, sizeof(l));
        tr_buf_printf(b, "  %2u. %s to %s  %4u %-7s  ", k + 1, f, l, p->tenants,
                      tenants_word(p->tenants));
        for (uint32_t i = 0; i < p->ncves; i++)
            tr_buf_printf(b, "%s%.*s", i ? ", " : "", TR_STR_FMT(p->cves[i]));
        if (!p->ncves)
            tr_buf_printf(b, "(no CVE)");
        tr_buf_putc(b, '\n');
    }
}

static void infrastructure(tr_buf *b, const tr_campaign *cp, uint32_t max)
{
    if (!cp->ninfra)
        return;
    tr_buf_printf(b, "\n  Infrastructure and indicators (%u):\n", cp->ninfra);
    uint32_t n = max && cp->ninfra > max ? max : cp->ninfra;
    for (uint32_t k = 0; k < n; k++) {
        const tr_cmp_infra *x = &cp->infra[k];
        char f[16], l[16];
        cr_date(x->first_seen, f, sizeof(f));
        cr_date(x->last_seen, l, sizeof(l));
        tr_buf_printf(b, "  %-8.*s %-48.*s %5u %-7s %7u detections  %s to %s\n",
                      TR_STR_FMT(x->type), TR_STR_FMT(x->value), x->tenants,
                      tenants_word(x->tenants), x->detections, f, l);
    }
    if (n < cp->ninfra)
        tr_buf_printf(b, "  … and %u more (see --format json)\n", cp->ninfra - n);
}

static void plain(tr_buf *b, tr_str s)
{
    tr_buf_printf(b, "%.*s", TR_STR_FMT(s));
}

static const cr_ev_style text_style = {
    .value = plain,
    .line_sep = ":",
    .record_sep = ":#",
    .times = "×",
    .why_open = "  [",
    .why_close = "]",
    .code_open = "",
    .code_close = "",
    .origin = NULL, /* a cluster's first detection says nothing more */
};

static void evidence_line(tr_buf *b, const tr_campaigns *c, const tr_cmp_evidence *e)
{
    tr_cmp_det d;
    if (tr_campaigns_detection(c, e->det, &d) != TR_OK)
        return;
    tr_buf_printf(b, "      %-11s %.*s", tr_stage_name(e->stage), TR_STR_FMT(d.rule_title));
    cr_ev_count(b, &text_style, e);
    tr_buf_printf(b, "  ");
    cr_ev_place(b, &text_style, &d);
    cr_ev_why(b, &text_style, e, &d);
    tr_buf_putc(b, '\n');
}

static void tenants(tr_buf *b, const tr_campaigns *c, const tr_campaign *cp,
                    const tr_cmp_report_opts *o)
{
    uint32_t maxev = o->brief ? 0 : o->max_evidence ? o->max_evidence : TEXT_EVIDENCE;
    tr_buf_printf(b, "\n  %-12s %-3s %-20s %-12s %-11s %-11s %s\n", "tenant", "cc", "sector",
                  "stage", "first", "last", "CVEs");
    /* compromised first, then exploited, then targeted; by id inside */
    cr_tenant_it it = { 0 };
    for (const tr_cmp_tenant *t; (t = cr_tenant_next(cp, &it));) {
        char f[16], l[16];
        cr_span_dates(t->first_seen, t->last_seen, t->activity_first, t->activity_last, f, l);
        tr_buf_printf(b, "  %-12.*s %-3.*s %-20.*s %-12s %-11s %-11s ", TR_STR_FMT(t->id),
                      TR_STR_FMT(t->country.n ? t->country : TR_STR("-")),
                      TR_STR_FMT(t->sector.n ? t->sector : TR_STR("-")),
                      tr_stage_name(t->stage), f, l);
        for (uint32_t k = 0; k < t->ncves; k++)
            tr_buf_printf(b, "%s%.*s", k ? "," : "", TR_STR_FMT(t->cves[k]));
        if (!t->ncves)
            tr_buf_putc(b, '-');
        tr_buf_putc(b, '\n');
        uint32_t n = t->nevidence > maxev ? maxev : t->nevidence;
        for (uint32_t k = 0; k < n; k++)
            evidence_line(b, c, &t->evidence[k]);
        if (n < t->nevidence && !o->brief)
            tr_buf_printf(b, "      … %u more evidence group%s\n", t->nevidence - n,
                          t->nevidence - n == 1 ? "" : "s");
    }
}

static void anon_groups(tr_buf *b, const cr_anon *a)
{
    tr_buf_printf(b, "\n  %-48s %9s %10s %12s\n", "group", "targeted", "exploited", "compromised");
    for (uint32_t g = 0; g < a->ngroups; g++)
        tr_buf_printf(b, "  %-48s %9u %10u %12u\n", a->groups[g].label, a->groups[g].tenants,
                      a->groups[g].exploited, a->groups[g].compromised);
}

static void explanation(tr_buf *b, const tr_campaign *cp, const tr_cmp_report_opts *o)
{
    tr_buf_printf(b, "\n  Why:\n");
    for (uint32_t k = 0; k < cp->nexplanation; k++)
        if (!o->anonymise || !cr_names_tenant(cp, cp->explanation[k]))
            tr_buf_printf(b, "  - %s\n", cp->explanation[k]);
}

static tr_err actor_campaign(tr_buf *b, const tr_campaigns *c, const tr_campaign *cp,
                             const cr_anon *a, const tr_cmp_report_opts *o)
{
    char f[16], l[16];
    cr_span_dates(cp->first_seen, cp->last_seen, cp->activity_first, cp->activity_last, f, l);
    tr_buf_printf(b, "%s  [%s]\n", cp->name, cp->id);
    tr_buf_printf(b, "  %.*s: %u organisation%s targeted in %u countr%s and %u sector%s between %s "
                     "and %s; %u compromised",
                  TR_STR_FMT(cp->actor), cp->ntenants, cp->ntenants == 1 ? "" : "s",
                  cp->ncountries, cp->ncountries == 1 ? "y" : "ies", cp->nsectors,
                  cp->nsectors == 1 ? "" : "s", f, l, cp->ncompromised);
    tr_buf_printf(b, " (%u exploited in all).\n", cp->nexploited);
    char af[16], al[16];
    cr_date(cp->activity_first, af, sizeof(af));
    cr_date(cp->activity_last, al, sizeof(al));
    tr_buf_printf(b, "  %u detections; activity (post-exploitation included) from %s to %s.\n",
                  cp->detections, af, al);
    by_cve(b, cp);
    phases(b, cp);
    tr_buf_putc(b, '\n');
    if (o->anonymise) {
        anon_distribution(b, "Countries", a->countries, a->ncountries, cp->ncountries,
                          a->other_countries);
        anon_distribution(b, "Sectors", a->sectors, a->nsectors, cp->nsectors, a->other_sectors);
    } else {
        distribution(b, "Countries", cp, true);
        distribution(b, "Sectors", cp, false);
    }
    infrastructure(b, cp, 0);
    if (o->anonymise)
        anon_groups(b, a);
    else
        tenants(b, c, cp, o);
    explanation(b, cp, o);
    tr_buf_putc(b, '\n');
    return TR_OK;
}

static void cluster_row(tr_buf *b, const tr_campaign *cp, uint32_t k)
{
    char f[16], l[16];
    cr_date(cp->activity_first, f, sizeof(f));
    cr_date(cp->activity_last, l, sizeof(l));
    tr_buf_printf(b, "  %3u. %-40.*s %-12s %5u %5u %5u  %s to %s  ", k, TR_STR_FMT(cp->seed),
                  cr_profile(cp), cp->ntenants, cp->nexploited, cp->ncompromised, f, l);
    for (uint32_t i = 0; i < cp->ncves; i++)
        tr_buf_printf(b, "%s%.*s", i ? "," : "", TR_STR_FMT(cp->cves[i].cve));
    tr_buf_putc(b, '\n');
}

static tr_err clusters(tr_buf *b, const tr_campaigns *c, const tr_cmp_report_opts *o,
                       FILE *out)
{
    size_t n = tr_campaigns_count(c), nc = 0;
    for (size_t i = 0; i < n; i++)
        nc += tr_campaigns_get(c, i)->cluster;
    if (!nc)
        return TR_OK;
    tr_buf_printf(b, "Unattributed clusters (%zu): activity linked by shared infrastructure, no "
                     "actor named\n",
                  nc);
    tr_buf_printf(b, "  %4s %-40s %-12s %5s %5s %5s  %-24s %s\n", "", "seed value", "profile",
                  "orgs", "expl", "comp", "active", "CVEs");
    uint32_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const tr_campaign *cp = tr_campaigns_get(c, i);
        if (cp->cluster)
            cluster_row(b, cp, ++k);
    }
    tr_err err = cr_flush(b, out);
    if (err)
        return err;
    /* the clusters that reached a compromise, in detail */
    k = 0;
    if (o->brief) {
        tr_buf_putc(b, '\n');
        return TR_OK;
    }
    for (size_t i = 0; i < n; i++) {
        const tr_campaign *cp = tr_campaigns_get(c, i);
        k += cp->cluster;
        if (!cp->cluster || !cp->ncompromised)
            continue;
        tr_buf_printf(b, "\n  Cluster %u: %s  [%s]\n", k, cp->name, cp->id);
        if (!o->anonymise)
            tenants(b, c, cp, o);
        explanation(b, cp, o);
        if ((err = cr_flush(b, out)))
            return err;
    }
    tr_buf_putc(b, '\n');
    return TR_OK;
}

static void summary(tr_buf *b, const tr_campaigns *c)
{
    const tr_cmp_summary *s = tr_campaigns_summary(c);
    if (s->nbenign) {
        tr_buf_printf(b, "Benign many-tenant sources (never followed by a compromise; kept out of "
                         "clustering) (%u):\n",
                      s->nbenign);
        for (uint32_t k = 0; k < s->nbenign && k < 50; k++) {
            const tr_cmp_benign *x = &s->benign[k];
            char f[16], l[16];
            cr_date(x->first_seen, f, sizeof(f));
            cr_date(x->last_seen, l, sizeof(l));
            tr_buf_printf(b, "  %-8.*s %-40.*s %5u %-7s %7u detections  up to %-11s %s to %s\n",
                          TR_STR_FMT(x->type), TR_STR_FMT(x->value), x->tenants,
                          tenants_word(x->tenants), x->detections,
                          tr_stage_name(x->max_stage), f, l);
        }
        if (s->nbenign > 50)
            tr_buf_printf(b, "  … and %u more\n", s->nbenign - 50);
        tr_buf_putc(b, '\n');
    }
    if (s->nconflicts) {
        tr_buf_printf(b, "Attribution conflicts (%u):\n", s->nconflicts);
        for (uint32_t k = 0; k < s->nconflicts; k++)
            tr_buf_printf(b, "  - %s\n", s->conflicts[k].text);
        tr_buf_putc(b, '\n');
    }
    tr_buf_printf(b, "%u detections at %u %s (fleet: %u); %u in no campaign or cluster "
                     "(background, at %u %s).\n",
                  s->detections, s->tenants, tenants_word(s->tenants), s->fleet_tenants,
                  s->background, s->background_tenants, tenants_word(s->background_tenants));
}

tr_err cr_write_text(const tr_campaigns *c, const tr_cmp_report_opts *o, FILE *out)
{
    tr_buf b;
    tr_buf_init(&b, 0);
    size_t actors;
    tr_err err = cr_each_campaign(&b, c, o, out, cr_is_actor, actor_campaign, &actors);
    if (!actors && !err)
        tr_buf_printf(&b, "No actor campaign: no detection carries an ATT&CK group tag or an "
                          "attributed indicator.\n\n");
    if (!err)
        err = clusters(&b, c, o, out);
    if (!err)
        summary(&b, c);
    if (!err)
        err = cr_flush(&b, out);
    tr_buf_release(&b);
    return err;
}
