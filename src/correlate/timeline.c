/*
 * timeline.c - a campaign's daily timeline (tenants with a detection of each
 * stage, per day) and its phases: runs of days with attempts separated by at
 * least the phase gap of silence (APT41 2020: Citrix, the first FTP wave,
 * Cisco, the second wave, Zoho).
 */
#include "core/common.h"

#include "correlate/rollup.h"

/* The daily timeline (tenants per stage per day) and the phases: runs of
 * days with attempts separated by at least phase_gap of silence. */
tr_err cm_timeline(rollup *r, tr_campaign *cp)
{
    tr_campaigns *c = r->c;
    if (cp->activity_first == TR_TS_NONE)
        return TR_OK;
    int64_t d0 = day_of(cp->activity_first), d1 = day_of(cp->activity_last);
    if (d1 - d0 + 1 > MAX_DAYS)
        return TR_OK;
    uint32_t nd = (uint32_t)(d1 - d0 + 1);
    tr_cmp_day *days = tr_arena_alloc(c->out, nd * sizeof(*days));
    uint32_t *att = tr_calloc(nd, sizeof(*att));
    int32_t *phase_of = tr_malloc(nd * sizeof(*phase_of));
    tr_err err = TR_OK;
    if (!days || !att || !phase_of) {
        err = TR_ENOMEM;
        goto out;
    }
    for (uint32_t k = 0; k < nd; k++)
        days[k] = (tr_cmp_day){ .day = (d0 + k) * NS_DAY };
    int64_t last[4] = { -1, -1, -1, -1 };
    uint32_t tenant = 0;
    for (uint32_t i = 0; i < r->list.n; i++) {
        const cm_det *d = &c->dets.v[r->list.v[i]];
        if (d->tenant != tenant) {
            tenant = d->tenant;
            last[0] = last[1] = last[2] = last[3] = -1;
        }
        if (d->ts == TR_TS_NONE)
            continue;
        int64_t k = day_of(d->ts) - d0;
        if (last[d->stage] != k) {
            last[d->stage] = k;
            if (d->stage == TR_STAGE_TARGETED)
                days[k].targeted++;
            else if (d->stage == TR_STAGE_EXPLOITED)
                days[k].exploited++;
            else
                days[k].compromised++;
        }
        if (is_attempt(d) && last[0] != k) {
            last[0] = k;
            att[k]++;
        }
    }
    cp->days = days;
    cp->ndays = nd;
    /* phases */
    int64_t gap = c->params.phase_gap / NS_DAY;
    if (gap < 1)
        gap = 1;
    TR_VEC(tr_cmp_phase) ph = { 0 };
    int64_t last_att = -1;
    for (uint32_t k = 0; k < nd; k++) {
        phase_of[k] = -1;
        if (!att[k])
            continue;
        if (last_att < 0 || (int64_t)k - last_att - 1 >= gap) {
            tr_cmp_phase p = { .first = TR_TS_NONE, .last = TR_TS_NONE };
            if (!TR_VEC_PUSH(&ph, p)) {
                err = TR_ENOMEM;
                goto out;
            }
        }
        phase_of[k] = (int32_t)ph.n - 1;
        last_att = k;
    }
    for (uint32_t k = 1; k < nd; k++) /* silent days inside a phase belong to it */
        if (phase_of[k] < 0 && phase_of[k - 1] >= 0) {
            uint32_t j = k;
            while (j < nd && phase_of[j] < 0)
                j++;
            if (j < nd && phase_of[j] == phase_of[k - 1])
                for (uint32_t m = k; m < j; m++)
                    phase_of[m] = phase_of[k - 1];
        }
    if (ph.n) {
        /* tenants and CVEs per phase */
        uint32_t *ten_last = tr_malloc(ph.n * sizeof(*ten_last));
        u32vec *pc = tr_calloc(ph.n, sizeof(*pc));
        if (!ten_last || !pc) {
            tr_free(ten_last);
            tr_free(pc);
            TR_VEC_FREE(&ph);
            err = TR_ENOMEM;
            goto out;
        }
        for (size_t p = 0; p < ph.n; p++)
            ten_last[p] = 0;
        for (uint32_t i = 0; i < r->list.n; i++) {
            const cm_det *d = &c->dets.v[r->list.v[i]];
            if (!is_attempt(d))
                continue;
            int32_t p = phase_of[day_of(d->ts) - d0];
            if (p < 0)
                continue;
            widen(&ph.v[p].first, &ph.v[p].last, d->ts);
            if (ten_last[p] != d->tenant) {
                ten_last[p] = d->tenant;
                ph.v[p].tenants++;
            }
            uint32_t m;
            const uint32_t *s = cm_cveset(c, c->eff_cves[r->list.v[i]], &m);
            for (uint32_t k = 0; k < m; k++) {
                bool have = false;
                for (size_t q = 0; q < pc[p].n; q++)
                    have |= pc[p].v[q] == s[k];
                if (!have && !TR_VEC_PUSH(&pc[p], s[k]))
                    err = TR_ENOMEM;
            }
        }
        for (size_t p = 0; p < ph.n && !err; p++) {
            if (pc[p].n)
                qsort_r(pc[p].v, pc[p].n, sizeof(*pc[p].v), cmp_str_ids, &c->strs);
            tr_str *cv = tr_arena_alloc(c->out, (pc[p].n ? pc[p].n : 1) * sizeof(*cv));
            if (!cv) {
                err = TR_ENOMEM;
                break;
            }
            for (size_t q = 0; q < pc[p].n; q++)
                cv[q] = cm_str(&c->strs, pc[p].v[q]);
            ph.v[p].cves = cv;
            ph.v[p].ncves = (uint32_t)pc[p].n;
        }
        for (size_t p = 0; p < ph.n; p++)
            TR_VEC_FREE(&pc[p]);
        tr_free(pc);
        tr_free(ten_last);
        cp->phases = out_copy(c, ph.v, ph.n * sizeof(*ph.v));
        cp->nphases = (uint32_t)ph.n;
    }
    TR_VEC_FREE(&ph);
out:
    tr_free(att);
    tr_free(phase_of);
    return err;
}

