/*
 * sim.c - tr_sim_run(): checks the options, plans the fleet, sizes the
 * background traffic to the requested volume, writes every tenant's files,
 * then fleet.csv and truth.json.
 */
#include "core/common.h"

#include <sys/stat.h>

#include "core/hash.h"
#include "sim/plan.h"
#include "trawl/sim.h"

void tr_sim_opts_init(tr_sim_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->scenario = "apt41-2020";
    o->seed = 1;
    o->orgs = 120;
    o->targeted = -1;
    o->compromised = -1;
}

/* Share of the volume per stream, and the mean size of one background
 * record (measured on the default fleet); together they turn --size into
 * records per stream per day. */
static const double stream_weight[SS_COUNT] = { 3.0, 0.06, 2.0, 3.0, 4.0, 2.0 };
static const double stream_bytes[SS_COUNT] = { 228, 110, 187, 1250, 360, 1250 };

static bool stream_on(const sim_tenant *t, int s)
{
    switch (s) {
    case SS_CITRIX_WEB:
        return t->log_citrix;
    case SS_CITRIX_SH:
        return t->log_sh;
    case SS_DC_WEB:
        return t->log_dc;
    case SS_SYSMON:
        return t->log_sysmon;
    case SS_ZEEK:
        return t->zeek;
    default:
        return t->eve;
    }
}

static void size_streams(sim_ctx *c)
{
    double days = (double)(c->to - c->from) / 86400e9;
    if (c->o.benign_rate > 0) {
        for (int s = 0; s < SS_COUNT; s++)
            c->rate[s] = c->o.benign_rate * (s == SS_CITRIX_SH ? 0.02 : 1.0);
        return;
    }
    double target = c->o.size ? (double)c->o.size : 32.0 * 1024 * 1024;
    double wsum = 0;
    for (uint32_t i = 0; i < c->nt; i++)
        for (int s = 0; s < SS_COUNT; s++)
            if (stream_on(&c->t[i], s))
                wsum += stream_weight[s];
    if (wsum <= 0 || days <= 0)
        return;
    /* records/day so that every stream gets its weight's share of the bytes */
    for (int s = 0; s < SS_COUNT; s++)
        c->rate[s] = target / days / wsum * stream_weight[s] / stream_bytes[s];
}

typedef tr_err (*writer_fn)(sim_ctx *c, sim_tenant *t);
static const writer_fn writers[SS_COUNT] = {
    sim_write_citrix_web, sim_write_citrix_sh, sim_write_dc_web,
    sim_write_sysmon,     sim_write_zeek,      sim_write_eve,
};

static void ctx_release(sim_ctx *c)
{
    if (c->t)
        for (uint32_t i = 0; i < c->nt; i++)
            for (int s = 0; s < SS_COUNT; s++)
                TR_VEC_FREE(&c->t[i].ev[s]);
    tr_free(c->t);
    tr_free(c->scanners);
    tr_map_free(c->nets);
    tr_arena_free(c->plan_strings);
    tr_arena_free(c->tenant_strings);
    sim_ledger_free(c->ledger);
}

tr_err tr_sim_run(const tr_sim_opts *opts, tr_sim_stats *stats, char *errbuf, size_t errlen)
{
    sim_ctx *c = tr_calloc(1, sizeof(sim_ctx));
    if (!c) {
        snprintf(errbuf, errlen, "out of memory");
        return TR_ENOMEM;
    }
    c->o = *opts;
    tr_err err = TR_OK;
    if (c->o.scenario && strcmp(c->o.scenario, "apt41-2020") != 0) {
        snprintf(c->errbuf, sizeof(c->errbuf), "unknown scenario '%s' (known: apt41-2020)",
                 c->o.scenario);
        err = TR_EINVAL;
        goto out;
    }
    if (!c->o.out_dir || !*c->o.out_dir) {
        snprintf(c->errbuf, sizeof(c->errbuf), "no output directory");
        err = TR_EINVAL;
        goto out;
    }
    if (c->o.orgs == 0)
        c->o.orgs = 120;
    if (c->o.targeted < 0)
        c->o.targeted = (int32_t)TR_MIN(78u, c->o.orgs * 78 / 120);
    if (c->o.compromised < 0)
        c->o.compromised = (int32_t)TR_MIN(8u, ((uint32_t)c->o.targeted * 8 + 39) / 78);
    c->from = c->o.from_ns ? c->o.from_ns : sim_date(2020, 1, 13);
    c->to = c->o.to_ns ? c->o.to_ns : sim_date(2020, 3, 18);
    if (c->to <= c->from) {
        snprintf(c->errbuf, sizeof(c->errbuf), "empty time window");
        err = TR_EINVAL;
        goto out;
    }
    if (c->o.benign_rate < 0) {
        snprintf(c->errbuf, sizeof(c->errbuf), "--benign-rate must not be negative");
        err = TR_EINVAL;
        goto out;
    }
    c->plan_strings = tr_arena_new(256 << 10, (size_t)4 << 30);
    c->tenant_strings = tr_arena_new(256 << 10, (size_t)4 << 30);
    c->strings = c->plan_strings;
    c->ledger = sim_ledger_new();
    if (!c->plan_strings || !c->tenant_strings || !c->ledger) {
        err = TR_ENOMEM;
        goto out;
    }
    if ((err = sim_plan(c)))
        goto out;
    if ((err = sim_ledger_start(c)))
        goto out;
    size_streams(c);
    if (mkdir(c->o.out_dir, 0755) != 0 && errno != EEXIST) {
        snprintf(c->errbuf, sizeof(c->errbuf), "%s: %s", c->o.out_dir, strerror(errno));
        err = TR_EIO;
        goto out;
    }
    c->strings = c->tenant_strings;
    for (uint32_t i = 0; i < c->nt && !err; i++) {
        sim_tenant *t = &c->t[i];
        tr_arena_reset(c->tenant_strings);
        err = sim_tenant_noise(c, t);
        for (int s = 0; s < SS_COUNT && !err; s++) {
            if (stream_on(t, s))
                err = writers[s](c, t);
            TR_VEC_FREE(&t->ev[s]);
        }
    }
    if (!err) {
        char path[1100];
        snprintf(path, sizeof(path), "%s/fleet.csv", c->o.out_dir);
        err = sim_write_fleet(c, path);
        if (!err) {
            snprintf(path, sizeof(path), "%s/truth.json", c->o.out_dir);
            err = sim_write_truth(c, path);
        }
    }
    if (!err && stats) {
        memset(stats, 0, sizeof(*stats));
        stats->files = c->files;
        stats->bytes = c->bytes;
        stats->records = c->records;
        stats->tenants = c->nt;
        sim_truth_counts(c, &stats->targeted, &stats->compromised);
    }
out:
    if (err && errbuf) {
        if (c->errbuf[0])
            snprintf(errbuf, errlen, "%s", c->errbuf);
        else
            snprintf(errbuf, errlen, "%s", tr_strerror(err));
    }
    ctx_release(c);
    tr_free(c);
    return err;
}
