/*
 * truth.c - the ground-truth ledger and the files that describe the fleet
 * (truth.json, fleet.csv).
 *
 * The ledger only learns about records that were actually written: the
 * stream writers call sim_note() for every planned event they put in a
 * file. So an attempt outside --days, or against a product whose logs the
 * tenant does not ship, never makes the tenant "targeted". The campaign
 * part of truth.json uses the key names of the campaign JSON of DESIGN.md
 * so that a report can be compared with it field by field.
 */
#include "core/common.h"

#include "core/buf.h"
#include "core/hash.h"
#include "core/json.h"
#include "core/jsonstr.h"
#include "core/time.h"
#include "sim/plan.h"

struct sim_ledger {
    uint32_t nt, nsc;
    uint8_t *apt;       /* nt x CVE_COUNT: highest APT41 stage per tenant and CVE */
    int64_t first, last;             /* attributed attempts */
    int64_t act_first, act_last;     /* every attributed record */
    int64_t cfirst[CVE_COUNT], clast[CVE_COUNT];
    uint32_t *days;     /* attempts per day since the window start */
    uint32_t ndays;
    tr_map *infra;      /* campaign infrastructure shown in the files */
    uint8_t *scan;      /* nsc x nt: highest stage per scanner and tenant (0 = none) */
    uint8_t *svc;       /* nt: highest stage + 1 the perimeter-scan service reached */
    uint32_t *lk;       /* LK_COUNT x nt: look-alike records */
    uint64_t apt_records;
};

sim_ledger *sim_ledger_new(void)
{
    return tr_calloc(1, sizeof(sim_ledger));
}

static tr_err ledger_init(sim_ctx *c)
{
    sim_ledger *l = c->ledger;
    l->nt = c->nt;
    l->nsc = c->nscanners;
    l->ndays = (uint32_t)((c->to - c->from + SIM_DAY - 1) / SIM_DAY);
    l->apt = tr_calloc((size_t)c->nt * CVE_COUNT, 1);
    l->days = tr_calloc(l->ndays + 1, sizeof(uint32_t));
    l->scan = tr_calloc((size_t)l->nsc * c->nt + 1, 1);
    l->svc = tr_calloc(c->nt, 1);
    l->lk = tr_calloc((size_t)LK_COUNT * c->nt, sizeof(uint32_t));
    l->infra = tr_map_new(64, 0);
    l->first = l->act_first = INT64_MAX;
    l->last = l->act_last = INT64_MIN;
    for (int i = 0; i < CVE_COUNT; i++) {
        l->cfirst[i] = INT64_MAX;
        l->clast[i] = INT64_MIN;
    }
    if (!l->apt || !l->days || !l->scan || !l->svc || !l->lk || !l->infra)
        return TR_ENOMEM;
    return TR_OK;
}

void sim_ledger_free(sim_ledger *l)
{
    if (!l)
        return;
    tr_free(l->apt);
    tr_free(l->days);
    tr_free(l->scan);
    tr_free(l->svc);
    tr_free(l->lk);
    tr_map_free(l->infra);
    tr_free(l);
}

tr_err sim_ledger_start(sim_ctx *c)
{
    return ledger_init(c);
}

void sim_note(sim_ctx *c, const sim_tenant *t, const sim_ev *e, int64_t ts)
{
    sim_ledger *l = c->ledger;
    const sim_mark *m = &e->mark;
    switch (m->actor) {
    case ACT_APT41: {
        l->apt_records++;
        uint8_t *st = &l->apt[(size_t)t->idx * CVE_COUNT];
        if (m->stage > st[m->cve])
            st[m->cve] = m->stage;
        if (m->cve2 && m->stage > st[m->cve2])
            st[m->cve2] = m->stage;
        l->act_first = TR_MIN(l->act_first, ts);
        l->act_last = TR_MAX(l->act_last, ts);
        if (m->stage == ST_TARGETED || m->stage == ST_EXPLOITED) {
            l->first = TR_MIN(l->first, ts);
            l->last = TR_MAX(l->last, ts);
            l->cfirst[m->cve] = TR_MIN(l->cfirst[m->cve], ts);
            l->clast[m->cve] = TR_MAX(l->clast[m->cve], ts);
            int64_t d = (ts - c->from) / SIM_DAY;
            if (d >= 0 && (uint32_t)d < l->ndays)
                l->days[d]++;
        }
        for (int i = 0; i < 3 && e->infra[i]; i++)
            if (tr_map_put(l->infra, tr_str_c(e->infra[i]), 1) != TR_OK)
                c->oom = true;
        break;
    }
    case ACT_SCANNER: {
        uint8_t *st = &l->scan[(size_t)m->who * l->nt + t->idx];
        uint8_t v = (uint8_t)(m->stage ? m->stage : ST_TARGETED);
        if (v > *st)
            *st = v;
        break;
    }
    case ACT_SERVICE:
        if ((uint8_t)(m->stage + 1) > l->svc[t->idx])
            l->svc[t->idx] = (uint8_t)(m->stage + 1);
        break;
    case ACT_LOOKALIKE:
        l->lk[(size_t)m->who * l->nt + t->idx]++;
        break;
    default:
        break;
    }
}

static int str_cmp(const void *a, const void *b)
{
    const tr_str *x = a, *y = b;
    size_t n = TR_MIN(x->n, y->n);
    int r = memcmp(x->p, y->p, n);
    return r ? r : (x->n > y->n) - (x->n < y->n);
}

static int cstr_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Writes the sorted, distinct values as a JSON array. */
static void jw_set(tr_jw *w, const char **v, size_t n)
{
    qsort(v, n, sizeof(*v), cstr_cmp);
    tr_jw_arr(w);
    for (size_t i = 0; i < n; i++)
        if (i == 0 || strcmp(v[i], v[i - 1]) != 0)
            tr_jw_str(w, v[i]);
    tr_jw_end(w);
}

static uint8_t apt_max(const sim_ledger *l, uint32_t t)
{
    uint8_t m = 0;
    for (int k = 1; k < CVE_COUNT; k++)
        m = TR_MAX(m, l->apt[(size_t)t * CVE_COUNT + k]);
    return m;
}

void sim_truth_counts(const sim_ctx *c, uint32_t *targeted, uint32_t *compromised)
{
    *targeted = *compromised = 0;
    for (uint32_t i = 0; i < c->nt; i++) {
        uint8_t m = apt_max(c->ledger, i);
        *targeted += m >= ST_TARGETED;
        *compromised += m >= ST_COMPROMISED;
    }
}

static void jw_tenants_where(tr_jw *w, const sim_ctx *c, const uint8_t *v, size_t stride,
                             uint8_t min)
{
    tr_jw_arr(w);
    for (uint32_t i = 0; i < c->nt; i++)
        if (v[(size_t)i * stride] >= min)
            tr_jw_str(w, c->t[i].id);
    tr_jw_end(w);
}

static void jw_time_or_null(tr_jw *w, int64_t ns, bool ok)
{
    if (ok)
        tr_jw_time(w, ns);
    else
        tr_jw_null(w);
}

static void write_campaign(tr_jw *w, sim_ctx *c, const char **scratch)
{
    sim_ledger *l = c->ledger;
    uint8_t *maxst = tr_calloc(c->nt + 1, 1);
    if (!maxst) {
        c->oom = true;
        return;
    }
    for (uint32_t i = 0; i < c->nt; i++)
        maxst[i] = apt_max(l, i);
    tr_jw_obj(w);
    tr_jw_key(w, "id");
    tr_jw_str(w, "apt41-2020");
    tr_jw_key(w, "name");
    tr_jw_str(w, "APT41 global exploitation campaign, January-March 2020");
    tr_jw_key(w, "actor");
    tr_jw_str(w, "APT41");
    tr_jw_key(w, "actor_ids");
    tr_jw_arr(w);
    tr_jw_str(w, "G0096");
    tr_jw_end(w);
    tr_jw_key(w, "orgs_targeted");
    jw_tenants_where(w, c, maxst, 1, ST_TARGETED);
    tr_jw_key(w, "orgs_exploited");
    jw_tenants_where(w, c, maxst, 1, ST_EXPLOITED);
    tr_jw_key(w, "orgs_compromised");
    jw_tenants_where(w, c, maxst, 1, ST_COMPROMISED);
    size_t n = 0;
    for (uint32_t i = 0; i < c->nt; i++)
        if (maxst[i] >= ST_TARGETED)
            scratch[n++] = c->t[i].country;
    tr_jw_key(w, "countries");
    jw_set(w, scratch, n);
    n = 0;
    for (uint32_t i = 0; i < c->nt; i++)
        if (maxst[i] >= ST_TARGETED)
            scratch[n++] = c->t[i].sector;
    tr_jw_key(w, "sectors");
    jw_set(w, scratch, n);
    bool any = l->first != INT64_MAX;
    tr_jw_key(w, "first_seen");
    jw_time_or_null(w, l->first, any);
    tr_jw_key(w, "last_seen");
    jw_time_or_null(w, l->last, any);
    tr_jw_key(w, "by_cve");
    tr_jw_obj(w);
    for (int k = 1; k < CVE_COUNT; k++) {
        uint32_t cnt[4] = { 0 };
        for (uint32_t i = 0; i < c->nt; i++)
            for (int s = ST_TARGETED; s <= ST_COMPROMISED; s++)
                cnt[s] += l->apt[(size_t)i * CVE_COUNT + k] >= s;
        if (!cnt[ST_TARGETED])
            continue;
        tr_jw_key(w, sim_cve_names[k]);
        tr_jw_obj(w);
        tr_jw_key(w, "targeted");
        tr_jw_uint(w, cnt[ST_TARGETED]);
        tr_jw_key(w, "exploited");
        tr_jw_uint(w, cnt[ST_EXPLOITED]);
        tr_jw_key(w, "compromised");
        tr_jw_uint(w, cnt[ST_COMPROMISED]);
        bool ok = l->cfirst[k] != INT64_MAX;
        tr_jw_key(w, "first_seen");
        jw_time_or_null(w, l->cfirst[k], ok);
        tr_jw_key(w, "last_seen");
        jw_time_or_null(w, l->clast[k], ok);
        tr_jw_end(w);
    }
    tr_jw_end(w);
    /* infrastructure, sorted */
    size_t ni = tr_map_count(l->infra), k = 0;
    tr_str *vals = tr_calloc(ni + 1, sizeof(tr_str));
    if (vals) {
        tr_str key;
        uint64_t val;
        for (size_t it = 0; tr_map_next(l->infra, &it, &key, &val);)
            vals[k++] = key;
        qsort(vals, k, sizeof(tr_str), str_cmp);
    } else {
        c->oom = true;
    }
    tr_jw_key(w, "infrastructure");
    tr_jw_arr(w);
    for (size_t i = 0; i < k; i++)
        tr_jw_strn(w, vals[i].p, vals[i].n);
    tr_jw_end(w);
    tr_free(vals);
    tr_jw_key(w, "activity_first_seen");
    jw_time_or_null(w, l->act_first, l->act_first != INT64_MAX);
    tr_jw_key(w, "activity_last_seen");
    jw_time_or_null(w, l->act_last, l->act_last != INT64_MIN);
    tr_jw_key(w, "attempts_per_day");
    tr_jw_obj(w);
    for (uint32_t d = 0; d < l->ndays; d++) {
        if (!l->days[d])
            continue;
        char day[16];
        tr_tm tm;
        tr_time_split(c->from + (int64_t)d * SIM_DAY, &tm);
        snprintf(day, sizeof(day), "%04d-%02d-%02d", tm.year, tm.month, tm.day);
        tr_jw_key(w, day);
        tr_jw_uint(w, l->days[d]);
    }
    tr_jw_end(w);
    tr_jw_key(w, "records");
    tr_jw_uint(w, l->apt_records);
    tr_jw_end(w);
    tr_free(maxst);
}

static const char *stage_name(int s)
{
    static const char *const names[] = { "none", "targeted", "exploited", "compromised" };
    return names[s & 3];
}

static void write_noise(tr_jw *w, sim_ctx *c)
{
    sim_ledger *l = c->ledger;
    char ip[16];
    tr_jw_obj(w);
    tr_jw_key(w, "scanners");
    tr_jw_arr(w);
    for (uint32_t s = 0; s < c->nscanners; s++) {
        const uint8_t *row = &l->scan[(size_t)s * l->nt];
        bool any = false;
        for (uint32_t i = 0; i < l->nt && !any; i++)
            any = row[i] != 0;
        if (!any)
            continue;
        const sim_scanner *sc = &c->scanners[s];
        tr_jw_obj(w);
        tr_jw_key(w, "ip");
        tr_jw_str(w, sim_ip_str(sc->ip, ip));
        tr_jw_key(w, "kind");
        tr_jw_str(w, sc->kind);
        tr_jw_key(w, "cves");
        tr_jw_arr(w);
        for (int k = 0; k < 4 && sc->cves[k]; k++)
            tr_jw_str(w, sim_cve_names[sc->cves[k]]);
        tr_jw_end(w);
        tr_jw_key(w, "user_agent");
        tr_jw_str(w, sc->ua);
        for (int st = ST_TARGETED; st <= ST_COMPROMISED; st++) {
            tr_jw_key(w, st == ST_TARGETED    ? "tenants"
                         : st == ST_EXPLOITED ? "tenants_exploited"
                                              : "tenants_compromised");
            jw_tenants_where(w, c, row, 1, (uint8_t)st);
        }
        tr_jw_end(w);
    }
    tr_jw_end(w);
    tr_jw_key(w, "benign_many_tenant");
    tr_jw_arr(w);
    tr_jw_obj(w);
    tr_jw_key(w, "ip");
    tr_jw_str(w, sim_ip_str(c->service_ip, ip));
    tr_jw_key(w, "role");
    tr_jw_str(w, "the provider's weekly external vulnerability scan (probes /vpns/, "
                 "config.exp and the Desktop Central console at every tenant)");
    tr_jw_key(w, "tenants");
    jw_tenants_where(w, c, l->svc, 1, 1);
    tr_jw_key(w, "tenants_with_vulnerable_response");
    jw_tenants_where(w, c, l->svc, 1, ST_EXPLOITED + 1);
    tr_jw_end(w);
    tr_jw_obj(w);
    tr_jw_key(w, "ip");
    tr_jw_str(w, sim_ip_str(c->monitor_ip, ip));
    tr_jw_key(w, "role");
    tr_jw_str(w, "uptime monitor polling /vpn/index.html at every Citrix tenant");
    tr_jw_end(w);
    tr_jw_end(w);
    tr_jw_key(w, "management_ip");
    tr_jw_str(w, sim_ip_str(c->mssp_ip, ip));
    tr_jw_key(w, "benign_lookalikes");
    tr_jw_arr(w);
    for (int k = 0; k < LK_COUNT; k++) {
        const uint32_t *row = &l->lk[(size_t)k * l->nt];
        uint64_t total = 0;
        for (uint32_t i = 0; i < l->nt; i++)
            total += row[i];
        if (!total)
            continue;
        tr_jw_obj(w);
        tr_jw_key(w, "kind");
        tr_jw_str(w, sim_lookalike_names[k]);
        tr_jw_key(w, "records");
        tr_jw_uint(w, total);
        tr_jw_key(w, "tenants");
        tr_jw_arr(w);
        for (uint32_t i = 0; i < l->nt; i++)
            if (row[i])
                tr_jw_str(w, c->t[i].id);
        tr_jw_end(w);
        tr_jw_end(w);
    }
    tr_jw_end(w);
    tr_jw_end(w);
}

static void write_tenants(tr_jw *w, sim_ctx *c)
{
    sim_ledger *l = c->ledger;
    tr_jw_arr(w);
    for (uint32_t i = 0; i < c->nt; i++) {
        const sim_tenant *t = &c->t[i];
        tr_jw_obj(w);
        tr_jw_key(w, "tenant");
        tr_jw_str(w, t->id);
        tr_jw_key(w, "country");
        tr_jw_str(w, t->country);
        tr_jw_key(w, "sector");
        tr_jw_str(w, t->sector);
        tr_jw_key(w, "products");
        tr_jw_arr(w);
        if (t->citrix)
            tr_jw_str(w, "citrix-adc");
        if (t->cisco)
            tr_jw_str(w, "cisco-rv320");
        if (t->dc)
            tr_jw_str(w, "desktop-central");
        tr_jw_end(w);
        tr_jw_key(w, "logs");
        tr_jw_arr(w);
        if (t->log_citrix)
            tr_jw_str(w, "citrix-httpaccess");
        if (t->log_sh)
            tr_jw_str(w, "citrix-shell");
        if (t->log_dc)
            tr_jw_str(w, "desktopcentral-access");
        if (t->log_sysmon)
            tr_jw_str(w, "sysmon");
        if (t->zeek)
            tr_jw_str(w, "zeek");
        if (t->eve)
            tr_jw_str(w, "suricata-eve");
        tr_jw_end(w);
        tr_jw_key(w, "apt41");
        tr_jw_obj(w);
        for (int k = 1; k < CVE_COUNT; k++) {
            uint8_t s = l->apt[(size_t)i * CVE_COUNT + k];
            if (s) {
                tr_jw_key(w, sim_cve_names[k]);
                tr_jw_str(w, stage_name(s));
            }
        }
        tr_jw_end(w);
        if (t->hidden) {
            tr_jw_key(w, "unlogged_apt41_attempts");
            tr_jw_bool(w, true);
        }
        tr_jw_end(w);
    }
    tr_jw_end(w);
}

/* Re-indents the compact JSON in in (two spaces per level; arrays of
 * scalars stay on one line), for people who open truth.json. */
static tr_err pretty(const tr_buf *in, tr_buf *out)
{
    tr_json j;
    tr_json_init(&j, in->p, in->n, 0);
    tr_json_tok t;
    bool inl[TR_JSON_DEPTH_DEFAULT + 1] = { false }; /* the array at this depth is on one line */
    bool first[TR_JSON_DEPTH_DEFAULT + 1] = { true };
    int depth = 0;
    bool after_key = false;
    tr_err err = TR_OK;
#define PP(p, n) (err = err ? err : tr_buf_append(out, (p), (n)))
    while (!err && tr_json_next(&j, &t) > TR_JSON_END) {
        bool closing = t.type == TR_JSON_OBJ_END || t.type == TR_JSON_ARR_END;
        if (closing) {
            if (!inl[depth] && !first[depth]) {
                PP("\n", 1);
                for (int i = 0; i < depth - 1; i++)
                    PP("  ", 2);
            }
            PP(t.text.p, 1);
            depth--;
            continue;
        }
        if (!after_key && depth > 0) {
            if (!first[depth])
                PP(inl[depth] ? ", " : ",", inl[depth] ? 2 : 1);
            if (!inl[depth]) {
                PP("\n", 1);
                for (int i = 0; i < depth; i++)
                    PP("  ", 2);
            }
            first[depth] = false;
        }
        after_key = false;
        switch (t.type) {
        case TR_JSON_KEY:
            PP("\"", 1);
            PP(t.text.p, t.text.n);
            PP("\": ", 3);
            after_key = true;
            break;
        case TR_JSON_STRING:
            PP("\"", 1);
            PP(t.text.p, t.text.n);
            PP("\"", 1);
            break;
        case TR_JSON_OBJ_BEGIN:
        case TR_JSON_ARR_BEGIN:
            if (depth >= TR_JSON_DEPTH_DEFAULT)
                return TR_ELIMIT;
            PP(t.text.p, 1);
            depth++;
            first[depth] = true;
            /* an array whose first element is a scalar is written on one line */
            inl[depth] = t.type == TR_JSON_ARR_BEGIN && j.pos < j.n && j.p[j.pos] != '{' &&
                         j.p[j.pos] != '[';
            break;
        default:
            PP(t.text.p, t.text.n);
            break;
        }
    }
#undef PP
    if (!err && t.type == TR_JSON_ERROR)
        err = TR_EINTERNAL;
    return err ? err : tr_buf_putc(out, '\n');
}

tr_err sim_write_truth(sim_ctx *c, const char *path)
{
    tr_buf b;
    tr_buf_init(&b, 0);
    tr_jw w;
    tr_jw_init(&w, &b);
    const char **scratch = tr_calloc(c->nt + 1, sizeof(char *));
    if (!scratch)
        return TR_ENOMEM;
    char tmp[48];
    tr_jw_obj(&w);
    tr_jw_key(&w, "generator");
    tr_jw_obj(&w);
    tr_jw_key(&w, "scenario");
    tr_jw_str(&w, "apt41-2020");
    tr_jw_key(&w, "seed");
    tr_jw_uint(&w, c->o.seed);
    tr_jw_key(&w, "orgs");
    tr_jw_uint(&w, c->o.orgs);
    tr_jw_key(&w, "targeted_requested");
    tr_jw_int(&w, c->o.targeted);
    tr_jw_key(&w, "compromised_requested");
    tr_jw_int(&w, c->o.compromised);
    tr_jw_key(&w, "window");
    tr_jw_arr(&w);
    tr_jw_time(&w, c->from);
    tr_jw_time(&w, c->to);
    tr_jw_end(&w);
    tr_jw_key(&w, "size");
    tr_jw_uint(&w, c->o.size);
    tr_jw_key(&w, "benign_rate");
    snprintf(tmp, sizeof(tmp), "%.6g", c->o.benign_rate);
    tr_jw_raw(&w, tmp, strlen(tmp));
    /* what they came to: background records per tenant stream per day */
    static const char *const streams[SS_COUNT] = { "citrix_httpaccess", "citrix_shell",
                                                   "desktopcentral_access", "sysmon", "zeek",
                                                   "suricata_eve" };
    tr_jw_key(&w, "background_per_day");
    tr_jw_obj(&w);
    for (int k = 0; k < SS_COUNT; k++) {
        tr_jw_key(&w, streams[k]);
        snprintf(tmp, sizeof(tmp), "%.3f", c->rate[k]);
        tr_jw_raw(&w, tmp, strlen(tmp));
    }
    tr_jw_end(&w);
    tr_jw_end(&w);
    tr_jw_key(&w, "campaigns");
    tr_jw_arr(&w);
    write_campaign(&w, c, scratch);
    tr_jw_end(&w);
    tr_jw_key(&w, "noise");
    write_noise(&w, c);
    tr_jw_key(&w, "tenants");
    write_tenants(&w, c);
    tr_jw_end(&w);
    tr_free(scratch);
    tr_buf pb;
    tr_buf_init(&pb, 0);
    tr_err err = w.err ? w.err : c->oom ? TR_ENOMEM : pretty(&b, &pb);
    if (!err) {
        sim_out o;
        err = sim_out_open(&o, path, false);
        if (!err) {
            for (size_t off = 0; off < pb.n; off += SIM_OUT_BUF) {
                size_t k = TR_MIN((size_t)SIM_OUT_BUF, pb.n - off);
                put(&o, pb.p + off, k);
                sim_out_flush(&o);
            }
        }
        tr_err e2 = sim_done(c, &o);
        err = err ? err : e2;
    }
    tr_buf_release(&b);
    tr_buf_release(&pb);
    return err;
}

tr_err sim_write_fleet(sim_ctx *c, const char *path)
{
    sim_out o;
    tr_err err = sim_out_open(&o, path, false);
    if (!err) {
        PUTL(&o, "tenant,name,country,sector\n");
        for (uint32_t i = 0; i < c->nt; i++) {
            sim_out_room(&o);
            const sim_tenant *t = &c->t[i];
            puts_(&o, t->id);
            putc_(&o, ',');
            bool q = strchr(t->name, ',') != NULL;
            if (q)
                putc_(&o, '"');
            puts_(&o, t->name);
            if (q)
                putc_(&o, '"');
            putc_(&o, ',');
            puts_(&o, t->country);
            putc_(&o, ',');
            puts_(&o, t->sector);
            putc_(&o, '\n');
        }
    }
    tr_err e2 = sim_done(c, &o);
    return err ? err : e2;
}
