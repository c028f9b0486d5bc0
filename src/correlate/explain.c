/*
 * explain.c - the sentences that say how a campaign was put together: its
 * seeds (which rules, which feeds and values), how many detections joined
 * through each kind of link, sessions and inferred CVEs, the first and last
 * attempt with their locations, and for a cluster how each value joined and
 * where it was split.
 */
#include "core/common.h"

#include "correlate/rollup.h"

tr_err cm_explain(rollup *r, const char *fmt, ...)
{
    if (r->explain.n >= MAX_EXPLAIN)
        return TR_OK;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0)
        return TR_EINVAL;
    const char *s = out_str(r->c, buf, TR_MIN((size_t)n, sizeof(buf) - 1));
    if (!s || !TR_VEC_PUSH(&r->explain, s))
        return TR_ENOMEM;
    return TR_OK;
}

tr_err cm_explain_actor(rollup *r, tr_campaign *cp, bool inferred)
{
    tr_campaigns *c = r->c;
    tr_buf *b = &r->line;
    uint32_t nrule = 0, nind = 0, why_n[TR_WHY_ORIGIN + 1] = { 0 }, session = 0;
    uint32_t rules[8], nrules = 0, inds[12], ninds = 0, feeds[4], nfeeds = 0;
    uint32_t top_val[4] = { 0 }, top_cnt[4] = { 0 };
    for (uint32_t i = 0; i < r->list.n; i++) {
        uint32_t x = r->list.v[i];
        const cm_det *d = &c->dets.v[x];
        if (c->eff_cves[x] != d->cves)
            session++;
        uint8_t w = c->why[x];
        if (w <= TR_WHY_ORIGIN)
            why_n[w]++;
        if (c->via[x] == x && d->seed == c->actor[x]) {
            if (w == TR_WHY_SEED_RULE) {
                nrule++;
                bool have = false;
                for (uint32_t k = 0; k < nrules; k++)
                    have |= rules[k] == d->rule;
                if (!have && nrules < TR_ARRAY_LEN(rules))
                    rules[nrules++] = d->rule;
            } else {
                nind++;
                const cm_indicator *ind = &c->indicators.v[d->ind];
                bool have = false;
                for (uint32_t k = 0; k < ninds; k++)
                    have |= c->indicators.v[inds[k]].value == ind->value;
                if (!have && ninds < TR_ARRAY_LEN(inds))
                    inds[ninds++] = d->ind;
                have = false;
                for (uint32_t k = 0; k < nfeeds; k++)
                    have |= feeds[k] == ind->feed;
                if (!have && nfeeds < TR_ARRAY_LEN(feeds))
                    feeds[nfeeds++] = ind->feed;
            }
        } else if (w == TR_WHY_SHARED_VALUE) {
            uint32_t v = c->via_value[x];
            bool placed = false;
            for (int k = 0; k < 4 && !placed; k++)
                if (top_val[k] == v) {
                    top_cnt[k]++;
                    placed = true;
                }
            for (int k = 0; k < 4 && !placed; k++)
                if (!top_val[k]) {
                    top_val[k] = v;
                    top_cnt[k] = 1;
                    placed = true;
                }
        }
    }
    tr_str actor = cp->actor;
    tr_buf_reset(b);
    tr_buf_printf(b, "Attributed to %.*s by %u seed detections:", TR_STR_FMT(actor),
                  nrule + nind);
    if (nrule) {
        tr_buf_printf(b, " %u of rules tagged with its ATT&CK group (", nrule);
        for (uint32_t k = 0; k < nrules; k++)
            tr_buf_printf(b, "%s%.*s", k ? "; " : "",
                          TR_STR_FMT(cm_str(&c->strs, c->rules.v[rules[k]].title)));
        tr_buf_append(b, ")", 1);
    }
    if (nind) {
        tr_buf_printf(b, "%s %u of indicators its feeds attribute to it (", nrule ? ";" : "",
                      nind);
        for (uint32_t k = 0; k < nfeeds; k++)
            tr_buf_printf(b, "%sfeed %.*s", k ? ", " : "", TR_STR_FMT(cm_str(&c->strs, feeds[k])));
        tr_buf_append(b, ": ", 2);
        for (uint32_t k = 0; k < ninds; k++)
            tr_buf_printf(b, "%s%.*s", k ? ", " : "",
                          TR_STR_FMT(cm_str(&c->strs, c->indicators.v[inds[k]].value)));
        tr_buf_append(b, ninds == TR_ARRAY_LEN(inds) ? ", …)" : ")",
                      ninds == TR_ARRAY_LEN(inds) ? 6 : 1);
    }
    tr_buf_append(b, ".", 1);
    tr_err err = cm_explain(r, "%s", b->p);
    if (err)
        return err;
    tr_buf_reset(b);
    tr_buf_printf(b, "Linked to the seeds (detections inherit the attribution): %u through the "
                     "same source record, %u through shared infrastructure",
                  why_n[TR_WHY_SAME_RECORD], why_n[TR_WHY_SHARED_VALUE]);
    for (int k = 0; k < 4 && top_val[k]; k++)
        tr_buf_printf(b, "%s%.*s ×%u", k ? ", " : " (", TR_STR_FMT(value_text(c, top_val[k])),
                      top_cnt[k]);
    if (top_val[0])
        tr_buf_append(b, ")", 1);
    tr_buf_printf(b, ", %u as execution following an exploitation of the same CVE (within %lld "
                     "min), %u on the same host (within %lld min).",
                  why_n[TR_WHY_EXEC_AFTER], (long long)(c->params.exec_window / 60000000000LL),
                  why_n[TR_WHY_SAME_HOST], (long long)(c->params.host_window / 60000000000LL));
    if ((err = cm_explain(r, "%s", b->p)))
        return err;
    if (session &&
        (err = cm_explain(r, "%u attempt%s without a CVE tag took the CVE of the exploitation "
                          "session %s (same remote value, same tenant, within %lld min).",
                       session, session == 1 ? "" : "s",
                       session == 1 ? "it belongs to" : "they belong to",
                       (long long)(c->params.session_window / 60000000000LL))))
        return err;
    if (inferred &&
        (err = cm_explain(r, "Where the compromise evidence names no CVE, the compromise is "
                          "counted for the CVE of the last exploitation before it.")))
        return err;
    return TR_OK;
}

tr_err cm_explain_common(rollup *r, tr_campaign *cp)
{
    tr_campaigns *c = r->c;
    char a[40], b[40], w1[512], w2[512];
    uint32_t first = UINT32_MAX, last = UINT32_MAX;
    for (uint32_t i = 0; i < r->list.n; i++) {
        const cm_det *d = &c->dets.v[r->list.v[i]];
        if (!is_attempt(d))
            continue;
        if (d->ts == cp->first_seen && first == UINT32_MAX)
            first = r->list.v[i];
        if (d->ts == cp->last_seen)
            last = r->list.v[i];
    }
    if (first != UINT32_MAX && last != UINT32_MAX) {
        fmt_time(cp->first_seen, a, sizeof(a));
        fmt_time(cp->last_seen, b, sizeof(b));
        tr_err err = cm_explain(r, "First attempt %s at %.*s (%s); last attempt %s at %.*s (%s).", a,
                             TR_STR_FMT(cm_str(&c->strs, c->dets.v[first].tenant)),
                             where(c, first, w1, sizeof(w1)), b,
                             TR_STR_FMT(cm_str(&c->strs, c->dets.v[last].tenant)),
                             where(c, last, w2, sizeof(w2)));
        if (err)
            return err;
    }
    uint32_t st[4] = { 0 };
    for (uint32_t i = 0; i < cp->ntenants; i++)
        st[cp->tenants[i].stage]++;
    return cm_explain(r, "Stages: %u tenant%s only targeted (attempts: stage.targeted or "
                      "initial-access rules, inbound indicator matches), %u exploited (a "
                      "vulnerable answer), %u compromised (post-exploitation rules, egress to "
                      "its infrastructure, its files on a host); an HTTP 200 alone is never a "
                      "compromise.",
                   st[TR_STAGE_TARGETED], st[TR_STAGE_TARGETED] == 1 ? "" : "s",
                   st[TR_STAGE_EXPLOITED], st[TR_STAGE_COMPROMISED]);
}

/* Clusters: which values it is made of and how each one joined. */
tr_err cm_explain_cluster(rollup *r, tr_campaign *cp, uint32_t seed_value, uint32_t split_from,
                              int64_t split_gap)
{
    tr_campaigns *c = r->c;
    tr_err err = cm_explain(r, "Unattributed: none of its %u detections carries an ATT&CK group tag "
                            "or an indicator a feed attributes to an actor.",
                         cp->detections);
    if (err)
        return err;
    if (seed_value) {
        const cm_value *v = &c->vals[seed_value];
        char a[40];
        fmt_date(v->first, a, sizeof(a));
        if ((err = cm_explain(r, "Grew from %.*s (%s, seen at %u tenants in all, from %s).",
                           TR_STR_FMT(value_text(c, seed_value)),
                           value_type(cm_str(&c->values, seed_value).p[0]), v->tenants, a)))
            return err;
    }
    /* every other value: the link that brought its first detection in */
    uint32_t shown = 0;
    for (uint32_t i = 0; i < r->list.n && shown < 12; i++) {
        uint32_t x = r->list.v[i];
        const cm_det *d = &c->dets.v[x];
        for (uint32_t k = 0; k < d->nent; k++) {
            uint32_t v = c->ents.v[d->ent_off + k];
            if (v == seed_value || c->vals[v].benign || r->val_mark[v] == r->serial + 1)
                continue;
            r->val_mark[v] = r->serial + 1;
            char w[512], w2[512];
            uint32_t via = c->via[x];
            tr_str vt = value_text(c, v);
            switch (c->why[x]) {
            case TR_WHY_SAME_RECORD:
                err = cm_explain(r, "Merge: %.*s appears in the same record as a detection of the "
                                 "cluster (%s).",
                              TR_STR_FMT(vt), where(c, x, w, sizeof(w)));
                break;
            case TR_WHY_SHARED_VALUE:
                err = cm_explain(r, "Merge: %.*s comes with %.*s (%s), which the cluster shares "
                                 "with %s.",
                              TR_STR_FMT(vt), TR_STR_FMT(value_text(c, c->via_value[x])),
                              where(c, x, w, sizeof(w)), where(c, via, w2, sizeof(w2)));
                break;
            case TR_WHY_ORIGIN: continue;
            default:
                err = cm_explain(r, "Merge: %.*s joined by %s (%s).", TR_STR_FMT(vt),
                              tr_cmp_why_name((tr_cmp_why)c->why[x]), where(c, x, w, sizeof(w)));
                break;
            }
            if (err)
                return err;
            shown++;
        }
    }
    uint32_t weak[TR_WHY_ORIGIN + 1] = { 0 };
    for (uint32_t i = 0; i < r->list.n; i++)
        weak[c->why[r->list.v[i]]]++;
    if (weak[TR_WHY_EXEC_AFTER] || weak[TR_WHY_SAME_HOST])
        if ((err = cm_explain(r, "%u host detections without infrastructure joined as execution "
                              "after an exploitation of the same CVE, %u by the same host.",
                           weak[TR_WHY_EXEC_AFTER], weak[TR_WHY_SAME_HOST])))
            return err;
    if (split_from)
        return cm_explain(r, "Split from the rest of its linked activity (%u detections) by a "
                          "silence of %lld days (the cluster gap is %lld days).",
                       split_from, (long long)(split_gap / NS_DAY),
                       (long long)(c->params.cluster_gap / NS_DAY));
    return TR_OK;
}

