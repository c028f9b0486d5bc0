/*
 * stream.c - what every stream writer shares: output paths, per-stream
 * random streams, the pacing of background records, and sorting the
 * planned events into time order.
 */
#include "core/common.h"

#include "sim/world.h"

void sim_path(const sim_ctx *c, const sim_tenant *t, const char *rel, char *buf, size_t n)
{
    snprintf(buf, n, "%s/logs/%s/%s", c->o.out_dir, t->id, rel);
}

void sim_stream_rng(const sim_ctx *c, const sim_tenant *t, int stream, sim_rng *r)
{
    sim_rng_init(r, sim_seed_mix(c->o.seed, (uint64_t)t->idx + 1, (uint64_t)stream + 100));
}

/* Relative activity per local hour; the mean over a day is 1. */
static const double diurnal[24] = {
    0.35, 0.3, 0.28, 0.28, 0.3, 0.4, 0.6, 1.0, 1.5, 1.75, 1.8, 1.75,
    1.55, 1.7, 1.75, 1.7, 1.55, 1.3, 1.0, 0.8, 0.65, 0.55, 0.45, 0.4,
};

double sim_gap(const sim_ctx *c, const sim_tenant *t, int stream, int64_t ts, sim_rng *r)
{
    double rate = c->rate[stream];
    if (rate <= 0)
        return 1e30;
    int64_t local = ts / SIM_NS + (int64_t)t->tz_min * 60;
    int h = (int)((local % 86400 + 86400) % 86400 / 3600);
    double f = diurnal[h] * (1.0 / 1.0125);
    return sim_exp(r, 86400e9 / (rate * f));
}

static int ev_cmp(const void *a, const void *b)
{
    const sim_ev *x = a, *y = b;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void sim_sort(sim_evs *v)
{
    if (v->n > 1)
        qsort(v->v, v->n, sizeof(sim_ev), ev_cmp);
}

tr_err sim_done(sim_ctx *c, sim_out *o)
{
    uint64_t recs = o->records;
    if (o->mtime <= 0)
        o->mtime = c->to;
    tr_err err = sim_out_close(o);
    c->files++;
    c->bytes += o->bytes;
    c->records += recs;
    if (err)
        snprintf(c->errbuf, sizeof(c->errbuf), "%s: %s", o->path, tr_strerror(err));
    return err;
}
