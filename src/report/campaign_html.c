/*
 * campaign_html.c - `trawl campaigns --format html`: one self-contained page
 * (inline CSS and SVG, no script, no external asset, nothing fetched) that
 * a person would rather look at than read: per campaign the headline, a
 * daily timeline by stage with its phases, countries and sectors charts,
 * the CVE and infrastructure tables and the tenant table, each tenant
 * opening (a <details> element) onto the evidence down to path:line.
 */
#include "core/common.h"

#include "report/campaign_evidence.h"
#include "report/campaign_report.h"

#define COL_T "#4e79a7"
#define COL_E "#f28e2b"
#define COL_C "#e15759"
#define HTML_EVIDENCE 25 /* evidence groups per tenant unless --max-evidence says */

static void esc(tr_buf *b, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (p[i]) {
        case '<': tr_buf_append(b, "&lt;", 4); break;
        case '>': tr_buf_append(b, "&gt;", 4); break;
        case '&': tr_buf_append(b, "&amp;", 5); break;
        case '"': tr_buf_append(b, "&quot;", 6); break;
        case '\'': tr_buf_append(b, "&#39;", 5); break;
        default: tr_buf_putc(b, p[i]);
        }
    }
}

static void esc_s(tr_buf *b, tr_str s)
{
    esc(b, s.p, s.n);
}

static void esc_c(tr_buf *b, const char *s)
{
    esc(b, s, strlen(s));
}

static const char *stage_color(tr_stage s)
{
    return s == TR_STAGE_COMPROMISED ? COL_C : s == TR_STAGE_EXPLOITED ? COL_E : COL_T;
}

static void badge(tr_buf *b, tr_stage s)
{
    tr_buf_printf(b, "<span class=\"badge\" style=\"background:%s\">%s</span>", stage_color(s),
                  tr_stage_name(s));
}

static const char style[] =
    "<style>\n"
    "body{font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;margin:0;"
    "background:#f5f6f8;color:#1f2328}\n"
    "header{background:#1f2a44;color:#fff;padding:18px 28px}\n"
    "header h1{margin:0;font-size:22px}header p{margin:4px 0 0;color:#c9d1e3;font-size:13px}\n"
    "main{padding:20px 28px;max-width:1280px}\n"
    "section.campaign{background:#fff;border:1px solid #d8dde6;border-radius:8px;"
    "padding:18px 22px;margin-bottom:24px}\n"
    "h2{margin:0 0 4px;font-size:19px}h3{font-size:15px;margin:20px 0 8px}\n"
    ".headline{font-size:16px;margin:6px 0 14px}\n"
    ".id{color:#6a737d;font-size:12px;font-family:monospace}\n"
    ".kpis{display:flex;flex-wrap:wrap;gap:10px;margin:10px 0}\n"
    ".kpi{border:1px solid #d8dde6;border-radius:6px;padding:8px 14px;min-width:110px}\n"
    ".kpi b{display:block;font-size:22px}.kpi span{font-size:12px;color:#57606a}\n"
    ".charts{display:flex;flex-wrap:wrap;gap:18px}\n"
    "table{border-collapse:collapse;font-size:13px;width:100%}\n"
    "th,td{border-bottom:1px solid #e4e8ee;padding:4px 8px;text-align:left;vertical-align:top}\n"
    "th{background:#f0f2f5}td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
    ".badge{color:#fff;border-radius:10px;padding:1px 8px;font-size:12px}\n"
    "details summary{cursor:pointer}details ul{margin:4px 0 8px 18px;padding:0}\n"
    "details li{margin:2px 0;font-size:12px}\n"
    "code{font-size:12px;background:#f0f2f5;padding:0 3px;border-radius:3px}\n"
    ".why{color:#57606a}.legend span{display:inline-block;width:10px;height:10px;"
    "margin:0 4px 0 12px}\n"
    "ul.explain li{margin:3px 0;font-size:13px}\n"
    "</style>\n";

/* ---- charts ---- */

static void timeline_svg(tr_buf *b, const tr_campaign *cp)
{
    if (!cp->ndays)
        return;
    const int W = 900, H = 230, L = 40, R = 10, T = 14, B = 40;
    uint32_t max = 1;
    for (uint32_t k = 0; k < cp->ndays; k++) {
        const tr_cmp_day *d = &cp->days[k];
        uint32_t s = d->targeted + d->exploited + d->compromised;
        if (s > max)
            max = s;
    }
    double bw = (double)(W - L - R) / cp->ndays;
    double sy = (double)(H - T - B) / max;
    tr_buf_printf(b, "<h3>Daily activity (tenants per stage)</h3>\n<div class=\"legend\">"
                     "<span style=\"background:" COL_T "\"></span>targeted"
                     "<span style=\"background:" COL_E "\"></span>exploited"
                     "<span style=\"background:" COL_C "\"></span>compromised"
                     "<span style=\"background:#eef1f7;border:1px solid #ccd\"></span>phase"
                     "</div>\n");
    tr_buf_printf(b, "<svg role=\"img\" aria-label=\"daily timeline\" width=\"%d\" height=\"%d\" "
                     "viewBox=\"0 0 %d %d\" xmlns=\"http://www.w3.org/2000/svg\">\n",
                  W, H, W, H);
    /* phases as bands */
    int64_t d0 = cp->days[0].day;
    const int64_t day = INT64_C(86400) * 1000000000;
    for (uint32_t p = 0; p < cp->nphases; p++) {
        int64_t a = (cp->phases[p].first - d0) / day, z = (cp->phases[p].last - d0) / day;
        tr_buf_printf(b, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#eef1f7\">"
                         "<title>phase %u</title></rect>\n",
                      L + bw * (double)a, T, bw * (double)(z - a + 1), H - T - B, p + 1);
    }
    /* axes and grid */
    for (int g = 0; g <= 4; g++) {
        double y = H - B - (H - T - B) * g / 4.0;
        tr_buf_printf(b, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#dde\"/>"
                         "<text x=\"%d\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\" "
                         "fill=\"#57606a\">%.0f</text>\n",
                      L, W - R, y, y, L - 4, y + 3, max * g / 4.0);
    }
    for (uint32_t k = 0; k < cp->ndays; k++) {
        const tr_cmp_day *d = &cp->days[k];
        char date[16];
        cr_date(d->day, date, sizeof(date));
        double x = L + bw * k, y = H - B;
        uint32_t v[3] = { d->targeted, d->exploited, d->compromised };
        const char *col[3] = { COL_T, COL_E, COL_C };
        const char *name[3] = { "targeted", "exploited", "compromised" };
        for (int s = 0; s < 3; s++) {
            if (!v[s])
                continue;
            double h = v[s] * sy;
            y -= h;
            tr_buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                             "fill=\"%s\"><title>%s: %u tenant%s %s</title></rect>\n",
                          x + 0.5, y, bw > 2 ? bw - 1 : bw, h, col[s], date, v[s],
                          v[s] == 1 ? "" : "s", name[s]);
        }
        if (k % 7 == 0)
            tr_buf_printf(b, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" fill=\"#57606a\" "
                             "transform=\"rotate(45 %.1f %d)\">%s</text>\n",
                          x, H - B + 12, x, H - B + 12, date + 5);
    }
    tr_buf_printf(b, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#889\"/>\n</svg>\n",
                  L, W - R, H - B, H - B);
}

/* Horizontal bars of tenants per country or sector (compromised in red). */
static void bars_svg(tr_buf *b, const char *title, const tr_campaign *cp, bool country,
                     const cr_anon *a)
{
    uint32_t n, other = 0;
    cr_tally *v = cr_tally_tenants(cp, country, &n);
    if (!v)
        return;
    if (a) { /* anonymised: values held by fewer than min_group tenants are not shown */
        uint32_t m = 0;
        const tr_str *keep = country ? a->countries : a->sectors;
        uint32_t nkeep = country ? a->ncountries : a->nsectors;
        for (uint32_t k = 0; k < n; k++) {
            bool ok = false;
            for (uint32_t j = 0; j < nkeep && !ok; j++)
                ok = tr_str_eq(keep[j], v[k].value);
            if (ok)
                v[m++] = v[k];
            else
                other += v[k].n;
        }
        n = m;
        if (other) {
            v[n].value = TR_STR("other");
            v[n].n = other;
            v[n].compromised = 0;
            n++;
        }
    }
    if (a)
        cr_tally_sort(v, n);
    if (n > 25)
        n = 25;
    const int W = 420, row = 16, L = 130, H = (int)n * row + 8;
    uint32_t max = n ? v[0].n : 1;
    tr_buf_printf(b, "<div><h3>%s</h3><svg role=\"img\" aria-label=\"%s\" width=\"%d\" "
                     "height=\"%d\" viewBox=\"0 0 %d %d\" xmlns=\"http://www.w3.org/2000/svg\">\n",
                  title, title, W, H, W, H);
    for (uint32_t k = 0; k < n; k++) {
        double w = (double)(W - L - 40) * v[k].n / (max ? max : 1);
        double wc = (double)(W - L - 40) * v[k].compromised / (max ? max : 1);
        int y = 4 + (int)k * row;
        tr_buf_printf(b, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">", L - 6,
                      y + 11);
        esc_s(b, v[k].value);
        tr_buf_printf(b, "</text><rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"" COL_T
                         "\"><title>",
                      L, y + 2, w, row - 4);
        esc_s(b, v[k].value);
        tr_buf_printf(b, ": %u tenant%s, %u compromised</title></rect>", v[k].n,
                      v[k].n == 1 ? "" : "s", v[k].compromised);
        if (wc > 0)
            tr_buf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"" COL_C
                             "\"/>",
                          L, y + 2, wc, row - 4);
        tr_buf_printf(b, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" fill=\"#57606a\">%u</text>\n",
                      L + w + 4, y + 11, v[k].n);
    }
    tr_buf_printf(b, "</svg></div>\n");
    tr_free(v);
}

/* ---- tables ---- */

static void kpis(tr_buf *b, const tr_campaign *cp)
{
    char f[16], l[16];
    cr_span_dates(cp->first_seen, cp->last_seen, cp->activity_first, cp->activity_last, f, l);
    tr_buf_printf(b, "<div class=\"kpis\">"
                     "<div class=\"kpi\"><b>%u</b><span>organisations targeted</span></div>"
                     "<div class=\"kpi\"><b>%u</b><span>exploited</span></div>"
                     "<div class=\"kpi\"><b style=\"color:" COL_C "\">%u</b><span>compromised"
                     "</span></div>"
                     "<div class=\"kpi\"><b>%u</b><span>countries</span></div>"
                     "<div class=\"kpi\"><b>%u</b><span>sectors</span></div>"
                     "<div class=\"kpi\"><b>%s</b><span>first attempt</span></div>"
                     "<div class=\"kpi\"><b>%s</b><span>last attempt</span></div>"
                     "<div class=\"kpi\"><b>%u</b><span>detections</span></div></div>\n",
                  cp->ntenants, cp->nexploited, cp->ncompromised, cp->ncountries, cp->nsectors, f,
                  l, cp->detections);
}

static void cve_table(tr_buf *b, const tr_campaign *cp)
{
    if (!cp->ncves)
        return;
    tr_buf_printf(b, "<h3>Vulnerabilities</h3><table><tr><th>CVE</th><th>targeted</th>"
                     "<th>exploited</th><th>compromised</th><th>first attempt</th>"
                     "<th>last attempt</th></tr>\n");
    for (uint32_t k = 0; k < cp->ncves; k++) {
        const tr_cmp_cve *v = &cp->cves[k];
        char f[40], l[40];
        cr_time(v->first_seen, f, sizeof(f));
        cr_time(v->last_seen, l, sizeof(l));
        tr_buf_printf(b, "<tr><td>");
        esc_s(b, v->cve);
        tr_buf_printf(b, "</td><td class=\"n\">%u</td><td class=\"n\">%u</td><td class=\"n\">%u"
                         "</td><td>%s</td><td>%s</td></tr>\n",
                      v->targeted, v->exploited, v->compromised, f, l);
    }
    tr_buf_printf(b, "</table>\n");
    if (cp->nphases) {
        tr_buf_printf(b, "<h3>Phases</h3><table><tr><th>#</th><th>from</th><th>to</th>"
                         "<th>tenants</th><th>CVEs</th></tr>\n");
        for (uint32_t k = 0; k < cp->nphases; k++) {
            const tr_cmp_phase *p = &cp->phases[k];
            char f[16], l[16];
            cr_date(p->first, f, sizeof(f));
            cr_date(p->last, l, sizeof(l));
            tr_buf_printf(b, "<tr><td>%u</td><td>%s</td><td>%s</td><td class=\"n\">%u</td><td>",
                          k + 1, f, l, p->tenants);
            for (uint32_t i = 0; i < p->ncves; i++) {
                if (i)
                    tr_buf_append(b, ", ", 2);
                esc_s(b, p->cves[i]);
            }
            tr_buf_printf(b, "</td></tr>\n");
        }
        tr_buf_printf(b, "</table>\n");
    }
}

static void infra_table(tr_buf *b, const tr_campaign *cp)
{
    if (!cp->ninfra)
        return;
    tr_buf_printf(b, "<h3>Infrastructure and indicators</h3><table><tr><th>type</th>"
                     "<th>value</th><th>tenants</th><th>detections</th><th>first seen</th>"
                     "<th>last seen</th></tr>\n");
    for (uint32_t k = 0; k < cp->ninfra; k++) {
        const tr_cmp_infra *x = &cp->infra[k];
        char f[16], l[16];
        cr_date(x->first_seen, f, sizeof(f));
        cr_date(x->last_seen, l, sizeof(l));
        tr_buf_printf(b, "<tr><td>");
        esc_s(b, x->type);
        tr_buf_printf(b, "</td><td><code>");
        esc_s(b, x->value);
        tr_buf_printf(b, "</code></td><td class=\"n\">%u</td><td class=\"n\">%u</td><td>%s</td>"
                         "<td>%s</td></tr>\n",
                      x->tenants, x->detections, f, l);
    }
    tr_buf_printf(b, "</table>\n");
}

static const cr_ev_style html_style = {
    .value = esc_s,
    .line_sep = ":",
    .record_sep = "#",
    .times = "&times;",
    .why_open = "<span class=\"why\">",
    .why_close = "</span>",
    .code_open = "<code>",
    .code_close = "</code>",
    .origin = "first detection of the cluster",
};

static void tenant_table(tr_buf *b, const tr_campaigns *c, const tr_campaign *cp,
                         const tr_cmp_report_opts *o)
{
    uint32_t maxev = o->max_evidence ? o->max_evidence : HTML_EVIDENCE;
    tr_buf_printf(b, "<h3>Tenants (%u) &mdash; open a row for its evidence</h3>\n<table><tr>"
                     "<th>tenant</th><th>country</th><th>sector</th><th>stage</th>"
                     "<th>first attempt</th><th>last attempt</th><th>CVEs</th>"
                     "<th>detections</th></tr>\n",
                  cp->ntenants);
    cr_tenant_it it = { 0 };
    for (const tr_cmp_tenant *t; (t = cr_tenant_next(cp, &it));) {
        char f[16], l[16];
        cr_span_dates(t->first_seen, t->last_seen, t->activity_first, t->activity_last, f, l);
        tr_buf_printf(b, "<tr><td><details><summary>");
        esc_s(b, t->id);
        if (t->name.n && !tr_str_eq(t->name, t->id)) {
            tr_buf_printf(b, " &mdash; ");
            esc_s(b, t->name);
        }
        tr_buf_printf(b, "</summary><ul>\n");
        uint32_t n = t->nevidence > maxev ? maxev : t->nevidence;
        for (uint32_t k = 0; k < n; k++) {
            const tr_cmp_evidence *e = &t->evidence[k];
            tr_cmp_det d;
            if (tr_campaigns_detection(c, e->det, &d) != TR_OK)
                continue;
            char ts[40];
            cr_time(e->first, ts, sizeof(ts));
            tr_buf_printf(b, "<li>");
            badge(b, e->stage);
            tr_buf_putc(b, ' ');
            esc_s(b, d.rule_title);
            cr_ev_count(b, &html_style, e);
            tr_buf_printf(b, " &mdash; %s <code>", ts);
            cr_ev_place(b, &html_style, &d);
            tr_buf_printf(b, "</code> ");
            cr_ev_why(b, &html_style, e, &d);
            tr_buf_printf(b, "</li>\n");
        }
        if (n < t->nevidence)
            tr_buf_printf(b, "<li>&hellip; %u more (see --format json)</li>\n",
                          t->nevidence - n);
        tr_buf_printf(b, "</ul></details></td><td>");
        esc_s(b, t->country);
        tr_buf_printf(b, "</td><td>");
        esc_s(b, t->sector);
        tr_buf_printf(b, "</td><td>");
        badge(b, t->stage);
        tr_buf_printf(b, "</td><td>%s</td><td>%s</td><td>", f, l);
        for (uint32_t k = 0; k < t->ncves; k++) {
            if (k)
                tr_buf_append(b, ", ", 2);
            esc_s(b, t->cves[k]);
        }
        tr_buf_printf(b, "</td><td class=\"n\">%u</td></tr>\n", t->detections);
    }
    tr_buf_printf(b, "</table>\n");
}

static void group_table(tr_buf *b, const cr_anon *a)
{
    tr_buf_printf(b, "<h3>Tenants by sector and country (anonymised)</h3><table><tr>"
                     "<th>group</th><th>targeted</th><th>exploited</th><th>compromised</th>"
                     "</tr>\n");
    for (uint32_t g = 0; g < a->ngroups; g++) {
        tr_buf_printf(b, "<tr><td>");
        esc_c(b, a->groups[g].label);
        tr_buf_printf(b, "</td><td class=\"n\">%u</td><td class=\"n\">%u</td>"
                         "<td class=\"n\">%u</td></tr>\n",
                      a->groups[g].tenants, a->groups[g].exploited, a->groups[g].compromised);
    }
    tr_buf_printf(b, "</table>\n");
}

static void explanation(tr_buf *b, const tr_campaign *cp, const tr_cmp_report_opts *o)
{
    tr_buf_printf(b, "<h3>How it was put together</h3><ul class=\"explain\">\n");
    for (uint32_t k = 0; k < cp->nexplanation; k++) {
        if (o->anonymise && cr_names_tenant(cp, cp->explanation[k]))
            continue;
        tr_buf_printf(b, "<li>");
        esc_c(b, cp->explanation[k]);
        tr_buf_printf(b, "</li>\n");
    }
    tr_buf_printf(b, "</ul>\n");
}

static tr_err campaign(tr_buf *b, const tr_campaigns *c, const tr_campaign *cp, const cr_anon *a,
                       const tr_cmp_report_opts *o)
{
    char f[16], l[16];
    cr_span_dates(cp->first_seen, cp->last_seen, cp->activity_first, cp->activity_last, f, l);
    tr_buf_printf(b, "<section class=\"campaign\" id=\"%s\">\n<h2>", cp->id);
    esc_c(b, cp->name);
    tr_buf_printf(b, "</h2><div class=\"id\">%s</div>\n<p class=\"headline\">", cp->id);
    if (cp->actor.n)
        esc_s(b, cp->actor);
    else
        tr_buf_printf(b, "Unattributed");
    tr_buf_printf(b, ": <b>%u</b> organisation%s targeted in <b>%u</b> countr%s and <b>%u</b> "
                     "sector%s between %s and %s; <b style=\"color:" COL_C "\">%u "
                     "compromised</b>.</p>\n",
                  cp->ntenants, cp->ntenants == 1 ? "" : "s", cp->ncountries,
                  cp->ncountries == 1 ? "y" : "ies", cp->nsectors, cp->nsectors == 1 ? "" : "s", f,
                  l, cp->ncompromised);
    kpis(b, cp);
    timeline_svg(b, cp);
    tr_buf_printf(b, "<div class=\"charts\">\n");
    bars_svg(b, "Countries", cp, true, o->anonymise ? a : NULL);
    bars_svg(b, "Sectors", cp, false, o->anonymise ? a : NULL);
    tr_buf_printf(b, "</div>\n");
    cve_table(b, cp);
    infra_table(b, cp);
    if (o->anonymise)
        group_table(b, a);
    else
        tenant_table(b, c, cp, o);
    explanation(b, cp, o);
    tr_buf_printf(b, "</section>\n");
    return TR_OK;
}

static void cluster_table(tr_buf *b, const tr_campaigns *c, const tr_cmp_report_opts *o)
{
    size_t n = tr_campaigns_count(c), nc = 0;
    for (size_t i = 0; i < n; i++)
        nc += tr_campaigns_get(c, i)->cluster;
    if (!nc)
        return;
    tr_buf_printf(b, "<section class=\"campaign\"><h2>Unattributed clusters (%zu)</h2>\n"
                     "<p>Activity linked across tenants by shared infrastructure, with no actor "
                     "named by a rule or a feed. Open a cluster for its tenants and how it was "
                     "put together.</p>\n<table><tr><th>seed value</th><th>profile</th>"
                     "<th>tenants</th><th>exploited</th><th>compromised</th><th>active</th>"
                     "<th>CVEs</th></tr>\n",
                  nc);
    for (size_t i = 0; i < n; i++) {
        const tr_campaign *cp = tr_campaigns_get(c, i);
        if (!cp->cluster)
            continue;
        char f[16], l[16];
        cr_date(cp->activity_first, f, sizeof(f));
        cr_date(cp->activity_last, l, sizeof(l));
        tr_buf_printf(b, "<tr><td><details><summary><code>");
        esc_s(b, cp->seed);
        tr_buf_printf(b, "</code></summary><div class=\"id\">%s</div>", cp->id);
        if (!o->anonymise) {
            tr_buf_printf(b, "<ul>");
            for (uint32_t k = 0; k < cp->ntenants; k++) {
                tr_buf_printf(b, "<li>");
                esc_s(b, cp->tenants[k].id);
                tr_buf_putc(b, ' ');
                badge(b, cp->tenants[k].stage);
                tr_buf_printf(b, "</li>");
            }
            tr_buf_printf(b, "</ul>");
        }
        tr_buf_printf(b, "<ul class=\"explain\">");
        for (uint32_t k = 0; k < cp->nexplanation; k++) {
            if (o->anonymise && cr_names_tenant(cp, cp->explanation[k]))
                continue;
            tr_buf_printf(b, "<li>");
            esc_c(b, cp->explanation[k]);
            tr_buf_printf(b, "</li>");
        }
        tr_buf_printf(b, "</ul></details></td><td>%s</td><td class=\"n\">%u</td>"
                         "<td class=\"n\">%u</td><td class=\"n\">%u</td><td>%s to %s</td><td>",
                      cr_profile(cp), cp->ntenants, cp->nexploited, cp->ncompromised, f, l);
        for (uint32_t k = 0; k < cp->ncves; k++) {
            if (k)
                tr_buf_append(b, ", ", 2);
            esc_s(b, cp->cves[k].cve);
        }
        tr_buf_printf(b, "</td></tr>\n");
    }
    tr_buf_printf(b, "</table></section>\n");
}

static void benign_table(tr_buf *b, const tr_campaigns *c)
{
    const tr_cmp_summary *s = tr_campaigns_summary(c);
    if (s->nbenign) {
        tr_buf_printf(b, "<section class=\"campaign\"><h2>Benign many-tenant sources (%u)</h2>"
                         "<p>Seen at many tenants and never followed by a compromise: kept as "
                         "evidence, never used to link activity.</p><table><tr><th>value</th>"
                         "<th>tenants</th><th>detections</th><th>highest stage</th></tr>\n",
                      s->nbenign);
        for (uint32_t k = 0; k < s->nbenign && k < 200; k++) {
            tr_buf_printf(b, "<tr><td><code>");
            esc_s(b, s->benign[k].value);
            tr_buf_printf(b, "</code></td><td class=\"n\">%u</td><td class=\"n\">%u</td><td>",
                          s->benign[k].tenants, s->benign[k].detections);
            badge(b, s->benign[k].max_stage);
            tr_buf_printf(b, "</td></tr>\n");
        }
        tr_buf_printf(b, "</table></section>\n");
    }
    if (s->nconflicts) {
        tr_buf_printf(b, "<section class=\"campaign\"><h2>Attribution conflicts (%u)</h2><ul>",
                      s->nconflicts);
        for (uint32_t k = 0; k < s->nconflicts; k++) {
            tr_buf_printf(b, "<li>");
            esc_c(b, s->conflicts[k].text);
            tr_buf_printf(b, "</li>");
        }
        tr_buf_printf(b, "</ul></section>\n");
    }
}

tr_err cr_write_html(const tr_campaigns *c, const tr_cmp_report_opts *o, FILE *out)
{
    tr_buf b;
    tr_buf_init(&b, 0);
    const tr_cmp_summary *s = tr_campaigns_summary(c);
    tr_buf_printf(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                      "<title>trawl campaign report</title>\n%s</head>\n<body>\n<header><h1>"
                      "trawl campaign report</h1><p>%u detections at %u tenants (fleet of %u); "
                      "%zu campaigns and clusters%s</p></header>\n<main>\n",
                  style, s->detections, s->tenants, s->fleet_tenants, tr_campaigns_count(c),
                  o->anonymise ? "; tenants anonymised" : "");
    size_t actors, clusters;
    tr_err err = cr_each_campaign(&b, c, o, out, cr_is_actor, campaign, &actors);
    if (!err && !actors)
        tr_buf_printf(&b, "<section class=\"campaign\"><h2>No actor campaign</h2><p>No detection "
                          "carries an ATT&amp;CK group tag or an attributed indicator.</p>"
                          "</section>\n");
    /* clusters with a compromise get their own section, the rest a table */
    if (!err)
        err = cr_each_campaign(&b, c, o, out, cr_is_compromising_cluster, campaign, &clusters);
    if (!err) {
        cluster_table(&b, c, o);
        benign_table(&b, c);
        tr_buf_printf(&b, "<p class=\"id\">%u detections in no campaign or cluster (background, "
                          "at %u tenants).</p>\n</main>\n</body>\n</html>\n",
                      s->background, s->background_tenants);
        err = cr_flush(&b, out);
    }
    tr_buf_release(&b);
    return err;
}
