/*
 * plan.c - lays out the fleet and its roles before anything is written.
 *
 * The options ask for N tenants, T of them visibly targeted and C visibly
 * compromised. This file splits T and C over the three exploited products
 * the way the reporting suggests (Zoho >12 attempted / >=5 compromised,
 * Cisco one compromise, Citrix most attempts and 2-3 FTP compromises, a few
 * tenants attacked through two products), picks who is who, and gives each
 * tenant the products and log sources its role needs to be visible - and
 * otherwise a random mix, since not every tenant runs or ships everything.
 */
#include "core/common.h"

#include <stdarg.h>

#include "core/time.h"
#include "sim/plan.h"

const char *const sim_cve_names[CVE_COUNT] = { "", "CVE-2019-19781", "CVE-2019-1653",
                                               "CVE-2019-1652", "CVE-2020-10189" };

const char *const sim_lookalike_names[LK_COUNT] = {
    "citrix-portal-bookmarks", "cisco-config-backup", "desktopcentral-mdm-agent-logs",
    "desktopcentral-console-charts", "desktopcentral-java-children", "it-certutil",
    "it-bitsadmin", "appliance-admin-shell",
};

int64_t sim_date(int y, int m, int d)
{
    return tr_days_from_civil(y, (unsigned)m, (unsigned)d) * SIM_DAY;
}

int sim_tz_at(const sim_tenant *t, int64_t ns)
{
    /* North American DST began 2020-03-08 02:00 local standard time */
    if (t->dst_na && ns >= sim_date(2020, 3, 8) + 2 * SIM_HOUR - (int64_t)t->tz_min * SIM_MIN)
        return t->tz_min + 60;
    return t->tz_min;
}

size_t sim_country_index(const char *code)
{
    for (size_t i = 0; i < sim_ncountries; i++)
        if (strcmp(sim_countries[i].code, code) == 0)
            return i;
    return 0;
}

size_t sim_sector_index(const char *stix)
{
    for (size_t i = 0; i < sim_nsectors; i++)
        if (strcmp(sim_sectors[i].stix, stix) == 0)
            return i;
    return 0;
}

/* Running out of memory while planning is reported once, at the end of the
 * plan (c->oom); until then events go to a scratch event of the context. */
sim_ev *sim_add(sim_ctx *c, sim_tenant *t, int stream, int64_t ts, sim_mark m)
{
    sim_ev e;
    memset(&e, 0, sizeof(e));
    e.ts = ts;
    e.seq = c->seq++;
    e.mark = m;
    if (!TR_VEC_PUSH(&t->ev[stream], e)) {
        c->oom = true;
        c->sink = e;
        return &c->sink;
    }
    return &t->ev[stream].v[t->ev[stream].n - 1];
}

const char *sim_strf(sim_ctx *c, const char *fmt, ...)
{
    char tmp[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if ((size_t)n >= sizeof(tmp))
        n = sizeof(tmp) - 1;
    tr_str s = tr_arena_strdup(c->strings, tmp, (size_t)n);
    if (!s.p) {
        c->oom = true;
        return "";
    }
    return s.p;
}

const char *sim_rand_name(sim_ctx *c, sim_rng *r, int n)
{
    char tmp[64];
    if (n > 63)
        n = 63;
    for (int i = 0; i < n; i++)
        tmp[i] = (char)('a' + sim_below(r, 26));
    tmp[n] = '\0';
    return sim_strf(c, "%s", tmp);
}

sim_ev *sim_web_ev(sim_ctx *c, sim_tenant *t, int stream, int64_t ts, sim_mark m, uint32_t cip,
                   const char *method, const char *uri, uint16_t status, uint32_t bytes,
                   const char *ua)
{
    sim_ev *e = sim_add(c, t, stream, ts, m);
    e->u.web.cip = cip;
    e->u.web.method = method;
    e->u.web.uri = uri;
    e->u.web.status = status;
    e->u.web.bytes = bytes;
    e->u.web.ua = ua;
    e->u.web.time_us = 0;
    return e;
}

sim_ev *sim_net_ev(sim_ctx *c, sim_tenant *t, int stream, int64_t ts, sim_mark m, int app,
                   uint32_t oh, uint16_t op, uint32_t rh, uint16_t rp)
{
    sim_ev *e = sim_add(c, t, stream, ts, m);
    sim_net *n = &e->u.net;
    n->app = (uint8_t)app;
    n->oh = oh;
    n->op = op;
    n->rh = rh;
    n->rp = rp;
    n->state = "SF";
    n->history = app == APP_UDP || app == APP_DNS ? "Dd" : "ShADadFf";
    n->dur_us = 200000;
    return e;
}

sim_ev *sim_sm_ev(sim_ctx *c, sim_tenant *t, int64_t ts, sim_mark m, int eid)
{
    sim_ev *e = sim_add(c, t, SS_SYSMON, ts, m);
    e->u.sm.eid = (uint16_t)eid;
    return e;
}

uint32_t sim_proc(sim_ctx *c, sim_tenant *t, int64_t ts, sim_mark m, const char *image,
                  const char *cmd, uint32_t ppid, const char *pimage, const char *pcmd,
                  const char *user, const char *hashes)
{
    uint32_t pid = t->next_pid;
    t->next_pid += 4 * (1 + (t->next_pid / 4) % 7);
    if (t->next_pid > 60000)
        t->next_pid = 7000;
    sim_ev *e = sim_sm_ev(c, t, ts, m, 1);
    sim_sm *s = &e->u.sm;
    s->pid = pid;
    s->image = image;
    s->cmd = cmd;
    s->ppid = ppid;
    s->pimage = pimage;
    s->pcmd = pcmd;
    s->user = user;
    s->hashes = hashes;
    return pid;
}

uint16_t sim_citrix_status(const sim_tenant *t, int64_t ts, uint16_t ok)
{
    return ts < t->citrix_fixed ? ok : t->citrix_block;
}

uint16_t sim_dc_status(const sim_tenant *t, int64_t ts, uint16_t ok)
{
    return ts < t->dc_fixed ? ok : t->dc_block;
}

/* How the requested totals split over the products (docs/SIMULATOR.md). */
typedef struct split {
    uint32_t zt, ct, xt, ov;  /* targeted: Zoho, Cisco, Citrix, tenants in two sets */
    uint32_t zc, cc, xc;      /* compromised */
    uint32_t ze, ce, xe;      /* exploited without visible post-exploitation */
    uint32_t hidden;          /* attacked through a product they do not log */
} split;

static tr_err compute_split(sim_ctx *c, split *s)
{
    uint32_t n = c->o.orgs, T = (uint32_t)c->o.targeted, C = (uint32_t)c->o.compromised;
    memset(s, 0, sizeof(*s));
    if (n == 0 || n > 100000) {
        snprintf(c->errbuf, sizeof(c->errbuf), "--orgs must be between 1 and 100000");
        return TR_EINVAL;
    }
    if (T > n) {
        snprintf(c->errbuf, sizeof(c->errbuf), "--targeted (%u) exceeds --orgs (%u)", T, n);
        return TR_EINVAL;
    }
    if (C > T) {
        snprintf(c->errbuf, sizeof(c->errbuf), "--compromised (%u) exceeds --targeted (%u)", C,
                 T);
        return TR_EINVAL;
    }
    s->cc = C >= 2 ? 1 : 0;
    s->xc = C >= 3 ? TR_MAX(1u, (C * 2 + 4) / 8) : 0;
    s->zc = C - s->cc - s->xc;
    /* Cisco and Zoho targets in the published proportions, but never so many
     * that the Citrix-only tenants cannot hold the Citrix compromises */
    s->ct = TR_MAX(s->cc, TR_MIN((T * 10 + 39) / 78, T + s->cc - C));
    s->zt = TR_MAX(s->zc, TR_MIN((T * 14 + 39) / 78, T - s->ct - s->xc));
    uint32_t xonly = T - s->ct - s->zt;
    s->ov = TR_MIN((T * 4 + 39) / 78, s->zt + s->ct);
    s->xt = xonly + s->ov;
    s->ze = s->zt > s->zc ? 1 : 0;
    s->ce = s->ct > s->cc ? 1 : 0;
    uint32_t xfree = xonly - s->xc;
    s->xe = xfree >= 12 ? 2 : xfree >= 4 ? 1 : 0;
    s->hidden = n - T >= 8 ? 2 : 0;
    return TR_OK;
}

static void shuffle(sim_rng *r, sim_tenant **v, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = sim_below(r, (uint32_t)i);
        sim_tenant *x = v[i - 1];
        v[i - 1] = v[j];
        v[j] = x;
    }
}

/* Random products and log sources for a tenant (on top of what its roles
 * require). */
static void random_estate(sim_tenant *t, sim_rng *r)
{
    if (sim_chance(r, 0.5))
        t->citrix = true;
    if (sim_chance(r, 0.12))
        t->cisco = true;
    if (sim_chance(r, 0.15))
        t->dc = true;
    t->zeek = sim_chance(r, 0.45);
    t->log_citrix = t->citrix && sim_chance(r, 0.92);
    t->log_sh = t->log_citrix && sim_chance(r, 0.35);
    t->eve = t->cisco && sim_chance(r, 0.9);
    t->log_dc = t->dc && sim_chance(r, 0.92);
    t->log_sysmon = t->dc && sim_chance(r, 0.7);
}

static int64_t rand_between(sim_rng *r, int64_t a, int64_t b)
{
    return a + (int64_t)(sim_f64(r) * (double)(b - a));
}

static void patch_state(sim_tenant *t, sim_rng *r)
{
    static const uint16_t cblock[] = { 403, 403, 403, 403, 403, 404, 404, 404, 401, 401 };
    t->citrix_block = SIM_PICK(r, cblock);
    t->dc_block = sim_chance(r, 0.8) ? 403 : 404;
    t->cisco_block = sim_chance(r, 0.6) ? 404 : 403;
    int64_t dec17 = sim_date(2019, 12, 17), jan19 = sim_date(2020, 1, 19);
    /* Citrix */
    if (t->role[CVE_CITRIX] >= ROLE_EXPLOITED)
        t->citrix_fixed = rand_between(r, sim_date(2020, 2, 26), sim_date(2020, 3, 25));
    else if (t->role[CVE_CITRIX] == ROLE_FAILED)
        t->citrix_fixed = rand_between(r, dec17, jan19);
    else if (sim_chance(r, 0.3))
        t->citrix_fixed = rand_between(r, sim_date(2020, 1, 14), sim_date(2020, 3, 30));
    else
        t->citrix_fixed = rand_between(r, dec17, sim_date(2020, 1, 14));
    /* Desktop Central: build 10.0.474 from 2020-01-20, 10.0.479 from 03-07 */
    if (t->role[CVE_ZOHO] >= ROLE_EXPLOITED)
        t->dc_fixed = rand_between(r, sim_date(2020, 3, 12), sim_date(2020, 4, 10));
    else if (t->role[CVE_ZOHO] == ROLE_FAILED)
        t->dc_fixed = rand_between(r, sim_date(2020, 1, 20), sim_date(2020, 3, 8));
    else if (sim_chance(r, 0.4))
        t->dc_fixed = rand_between(r, sim_date(2020, 3, 9), sim_date(2020, 4, 10));
    else
        t->dc_fixed = rand_between(r, sim_date(2020, 1, 20), sim_date(2020, 3, 7));
    /* Cisco RV320: vulnerable firmware or not, for the whole window */
    if (t->role[CVE_RV_1653] >= ROLE_EXPLOITED)
        t->cisco_vuln = true;
    else if (t->role[CVE_RV_1653] == ROLE_FAILED)
        t->cisco_vuln = false;
    else
        t->cisco_vuln = sim_chance(r, 0.3);
}

static bool has_log(const sim_tenant *t)
{
    return t->log_citrix || t->log_sh || t->log_dc || t->log_sysmon || t->zeek || t->eve;
}

/* Assigns roles of one product to a list of tenants: comp compromised
 * first, then expl exploited, the rest failed. */
static void set_roles(sim_tenant **v, size_t n, int cve, uint32_t comp, uint32_t expl)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t role = i < comp ? ROLE_COMPROMISED : i < comp + expl ? ROLE_EXPLOITED : ROLE_FAILED;
        v[i]->role[cve] = role;
        if (cve == CVE_RV_1653)
            v[i]->role[CVE_RV_1652] = role == ROLE_FAILED ? ROLE_NONE : role;
    }
}

tr_err sim_plan(sim_ctx *c)
{
    split s;
    tr_err err = compute_split(c, &s);
    if (err)
        return err;
    sim_rng r;
    sim_rng_init(&r, sim_seed_mix(c->o.seed, 0xF1EE7, 0));
    uint32_t n = c->o.orgs, T = (uint32_t)c->o.targeted;
    c->t = tr_calloc(n, sizeof(sim_tenant));
    sim_tenant **order = tr_calloc(n, sizeof(sim_tenant *));
    if (!c->t || !order) {
        tr_free(order);
        return TR_ENOMEM;
    }
    c->nt = n;
    int width = n > 999 ? (n > 9999 ? 5 : 4) : 3;
    for (uint32_t i = 0; i < n; i++) {
        c->t[i].idx = i;
        snprintf(c->t[i].id, sizeof(c->t[i].id), "org-%0*u", width, i + 1);
        order[i] = &c->t[i];
    }
    shuffle(&r, order, n);
    /* order[0..T) targeted: Zoho, then Cisco, then Citrix-only */
    sim_tenant **zo = order, **ci = order + s.zt, **xo = order + s.zt + s.ct;
    uint32_t xonly = T - s.zt - s.ct;
    set_roles(zo, s.zt, CVE_ZOHO, s.zc, s.ze);
    set_roles(ci, s.ct, CVE_RV_1653, s.cc, s.ce);
    set_roles(xo, xonly, CVE_CITRIX, s.xc, s.xe);
    /* overlap: some Zoho/Cisco targets are also (unsuccessfully) hit on Citrix */
    sim_tenant *both[256];
    size_t nb = 0;
    for (uint32_t i = 0; i < s.zt + s.ct && nb < TR_ARRAY_LEN(both); i++)
        both[nb++] = order[i];
    shuffle(&r, both, nb);
    for (uint32_t i = 0; i < s.ov && i < nb; i++)
        both[i]->role[CVE_CITRIX] = ROLE_FAILED;
    /* hidden: attacked on Citrix whose logs the provider never receives */
    for (uint32_t i = 0; i < s.hidden; i++) {
        sim_tenant *t = order[T + i];
        t->hidden = true;
        t->role[CVE_CITRIX] = ROLE_FAILED;
    }
    /* estates */
    for (uint32_t i = 0; i < n; i++) {
        sim_tenant *t = &c->t[i];
        random_estate(t, &r);
        if (t->role[CVE_CITRIX]) {
            t->citrix = true;
            t->log_citrix = !t->hidden;
            if (t->hidden) {
                t->log_sh = false;
                t->zeek = false;
            }
        }
        if (t->role[CVE_RV_1653]) {
            t->cisco = true;
            t->eve = true;
        }
        if (t->role[CVE_ZOHO]) {
            t->dc = true;
            t->log_dc = true;
        }
        if (t->role[CVE_CITRIX] == ROLE_COMPROMISED) {
            t->zeek = true;
            t->log_sh = sim_chance(&r, 0.6);
        } else if (t->role[CVE_CITRIX] == ROLE_EXPLOITED) {
            t->zeek = false;
            t->log_sh = false;
        }
        if (t->role[CVE_ZOHO] == ROLE_COMPROMISED)
            t->log_sysmon = true;
        if (!has_log(t)) {
            if (t->hidden)
                t->log_dc = t->dc = true;
            else
                t->zeek = true;
        }
        patch_state(t, &r);
    }
    /* constraints on places and sectors from the reporting; a constraint that
     * repeats a value is only applied while every published country and
     * sector can still appear among the targeted tenants */
    int cslack = (int)T - SIM_NPUB_COUNTRIES, sslack = (int)T - SIM_NPUB_SECTORS;
    for (uint32_t i = 0; i < s.ct; i++)
        if (ci[i]->role[CVE_RV_1653] == ROLE_COMPROMISED)
            ci[i]->sector = "telecommunications";
    static const char *const citrix_victims[] = { "education", "healthcare", "government" };
    uint32_t k = 0;
    for (uint32_t i = 0; i < xonly; i++)
        if (xo[i]->role[CVE_CITRIX] == ROLE_COMPROMISED) {
            if (k > 2 && sslack-- <= 0)
                continue;
            xo[i]->sector = citrix_victims[k % 3];
            if (k == 0 || cslack-- > 0)
                sim_set_place(xo[i], sim_country_index("US"), &r);
            k++;
        }
    /* Darktrace: Zoho victims in the US and Europe, mostly legal */
    bool legal = false;
    for (uint32_t i = 0; i < s.zt; i++)
        if (sim_chance(&r, 0.4) && (!legal || sslack-- > 0)) {
            zo[i]->sector = "legal";
            legal = true;
        }
    for (uint32_t i = 0; i < n; i++)
        if (c->t[i].sector)
            c->t[i].sector_idx = (uint8_t)sim_sector_index(c->t[i].sector);
    sim_tenant **tg = order, **rest = order + T;
    shuffle(&r, tg, T);
    sim_assign_geo(c, &r, tg, T, rest, n - T);
    tr_free(order);
    if ((err = sim_assign_addresses(c, &r)))
        return err;
    for (uint32_t i = 0; i < n; i++) {
        sim_tenant *t = &c->t[i];
        t->java = sim_strf(c, "%s\\jre\\bin\\java.exe", t->dc_root);
        t->java_cmd = sim_strf(c, "\"%s\\jre\\bin\\java\" -Dcatalina.home=.. -Dserver.home=.. "
                                  "-Djava.util.logging.config.file=..\\conf\\logging.properties "
                                  "-Xms256m -Xmx1024m -XX:MaxPermSize=256m "
                                  "org.apache.catalina.startup.Bootstrap start",
                               t->dc_root);
    }
    sim_rng ra;
    sim_rng_init(&ra, sim_seed_mix(c->o.seed, 0xA9741, 0));
    err = sim_plan_apt41(c, &ra);
    if (!err) {
        sim_rng rn;
        sim_rng_init(&rn, sim_seed_mix(c->o.seed, 0x2015E, 0));
        err = sim_plan_noise(c, &rn);
    }
    if (!err && c->oom)
        err = TR_ENOMEM;
    return err;
}
