/*
 * cmd_kafka_campaigns.c - `trawl campaigns --kafka`: the correlator of a
 * Kafka deployment. It consumes the detections the hunt workers produce
 * (--kafka-out), stores each once (by id) before committing its offset, and
 * keeps the campaign view current: the campaigns are recomputed from the
 * store (the campaign engine runs over a complete set of detections) at
 * most every --interval ms when new detections arrived, when the topics'
 * end is reached, and on demand (SIGUSR1); the report is printed, or
 * written atomically to -o, whenever it changed.
 */
#include "core/common.h"

#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "cli/cmd_kafka.h"
#include "trawl/campaign.h"
#include "trawl/kafka.h"
#include "trawl/log.h"
#include "trawl/store.h"

static volatile sig_atomic_t stop_flag, demand_flag;

static void on_stop(int sig)
{
    if (stop_flag)
        _exit(128 + sig);
    stop_flag = 1;
}

static void on_demand(int sig)
{
    (void)sig;
    demand_flag = 1;
}

typedef struct corr {
    const kafka_campaigns_args *a;
    tr_store *store;
    tr_sink *sink;
    tr_fleet *fleet;
    tr_campaign_policy *policy;
    uint64_t added;        /* detections received since the last computation */
    bool computed;
    double interval, last;
    char *report;          /* the last report written (malloc'd by open_memstream) */
    size_t report_n;
    uint64_t updates;
} corr;

static tr_err corr_detection(void *ctx, const tr_detection *d)
{
    corr *c = ctx;
    c->added++;
    return tr_sink_write(c->sink, d);
}

static tr_err corr_durable(void *ctx)
{
    corr *c = ctx;
    return tr_sink_flush(c->sink);
}

static tr_err add_row(void *ctx, const tr_detection *d)
{
    return tr_campaigns_add(ctx, d);
}

/* The report of every stored detection, in a malloc'd buffer. */
static tr_err compute(corr *c, char **out, size_t *n, uint64_t *ndet, size_t *ncampaigns)
{
    tr_campaigns *eng = NULL;
    FILE *mem = NULL;
    tr_err e = tr_campaigns_new(c->policy, c->fleet, &eng);
    tr_store_filter f;
    tr_store_filter_init(&f);
    tr_store_cursor cur = { 0 };
    for (size_t got = 65536; !e && got == 65536;)
        e = tr_store_query(c->store, &f, &cur, 65536, add_row, eng, &got);
    if (!e)
        e = tr_campaigns_run(eng);
    if (!e && !(mem = open_memstream(out, n)))
        e = TR_ENOMEM;
    if (!e)
        e = tr_campaigns_write(eng, c->a->format, &c->a->report, mem);
    if (mem && fclose(mem) != 0 && !e)
        e = TR_EIO;
    if (!e) {
        *ndet = tr_campaigns_summary(eng)->detections;
        *ncampaigns = tr_campaigns_count(eng);
    }
    tr_campaigns_free(eng);
    return e;
}

/* Writes the report: atomically to -o (a temporary file renamed), or to stdout. */
static tr_err publish(corr *c, const char *p, size_t n)
{
    const char *path = c->a->output;
    if (!path) {
        if (fwrite(p, 1, n, stdout) != n || fflush(stdout) != 0)
            return TR_EIO;
        return TR_OK;
    }
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f)
        return TR_EIO;
    bool ok = fwrite(p, 1, n, f) == n;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return TR_EIO;
    }
    return TR_OK;
}

static tr_err corr_tick(void *ctx, bool idle)
{
    corr *c = ctx;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    bool demand = demand_flag;
    demand_flag = 0;
    bool due = c->added && (idle || now - c->last >= c->interval);
    if (!demand && !due && (c->computed || !idle))
        return TR_OK;
    tr_err e = tr_sink_flush(c->sink);
    char *rep = NULL;
    size_t n = 0;
    uint64_t ndet = 0;
    size_t ncamp = 0;
    if (!e)
        e = compute(c, &rep, &n, &ndet, &ncamp);
    if (e) {
        free(rep); /* open_memstream's buffer comes from libc */
        tr_error("campaigns: %s", e == TR_ESTORE ? tr_store_errmsg(c->store) : tr_strerror(e));
        return e;
    }
    c->added = 0;
    c->computed = true;
    c->last = now;
    bool changed = !c->report || n != c->report_n || memcmp(rep, c->report, n) != 0;
    if (changed || demand) {
        e = publish(c, rep, n);
        if (e) {
            tr_error("%s: %s", c->a->output ? c->a->output : "stdout", strerror(errno));
            free(rep);
            return e;
        }
        c->updates++;
        if (!c->a->quiet)
            fprintf(stderr, "trawl: campaigns %s: %zu campaigns from %" PRIu64 " detections%s%s\n",
                    changed ? "updated" : "unchanged", ncamp, ndet, c->a->output ? " in " : "",
                    c->a->output ? c->a->output : "");
    }
    free(c->report);
    c->report = rep;
    c->report_n = n;
    return TR_OK;
}

int kafka_campaigns_cli(const kafka_opts *k, const kafka_campaigns_args *a)
{
    if (!k->topics.n || !a->store) {
        fprintf(stderr, "trawl campaigns: --kafka needs --topic and --store\n");
        return 2;
    }
    if (k->interval_ms < 0 || k->interval_ms > 86400000) {
        fprintf(stderr, "trawl campaigns: --interval must be between 0 and 86400000\n");
        return 2;
    }
    tr_kafka_props *props = kafka_props_from(k->config, &k->props);
    if (!props)
        return 2;
    corr c = { .a = a, .interval = (k->interval_ms ? k->interval_ms : 5000) / 1e3 };
    int rc = 1;
    char err[1024];
    if (a->fleet && tr_fleet_load(a->fleet, &c.fleet, NULL, err, sizeof(err))) {
        tr_error("%s", err);
        goto out;
    }
    if (!(c.policy = tr_campaign_policy_new())) {
        tr_error("out of memory");
        goto out;
    }
    if (a->policy && tr_campaign_policy_load(c.policy, a->policy, err, sizeof(err))) {
        tr_error("%s", err);
        rc = 2;
        goto out;
    }
    /* offsets are committed once detections are stored: fsync the commits */
    if (tr_store_open(a->store, TR_STORE_CREATE | TR_STORE_SYNC_FULL, &c.store, err,
                      sizeof(err))) {
        tr_error("%s", err);
        goto out;
    }
    if ((c.fleet && tr_store_put_fleet(c.store, c.fleet)) ||
        tr_store_sink_new(c.store, NULL, &c.sink)) {
        tr_error("%s: %s", a->store, tr_store_errmsg(c.store));
        goto out;
    }
    struct sigaction sa, old_int, old_term, old_usr1;
    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_stop;
    stop_flag = demand_flag = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    sa.sa_handler = on_demand;
    sigaction(SIGUSR1, &sa, &old_usr1);
    uint32_t tick_ms = (uint32_t)TR_MIN(c.interval * 1000, 1000);
    tr_kafka_detections_config kc = {
        .brokers = k->brokers,
        .topics = k->topics.v,
        .ntopics = k->topics.n,
        .group = k->group,
        .props = props,
        .once = k->once,
        .stop = &stop_flag,
        .tick_ms = tick_ms ? tick_ms : 1,
        .ctx = &c,
        .detection = corr_detection,
        .durable = corr_durable,
        .tick = corr_tick,
    };
    tr_kafka_detections_stats st;
    tr_err e = tr_kafka_detections_run(&kc, &st);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGUSR1, &old_usr1, NULL);
    /* a last view of everything stored, unless it is the one already shown */
    if (!e && (c.added || !c.computed))
        e = corr_tick(&c, true);
    if (e) {
        tr_error("campaigns stopped: %s", tr_strerror(e));
    } else {
        rc = 0;
    }
    if (!a->quiet) {
        tr_store_sink_stats ss;
        tr_store_sink_stats_get(c.sink, &ss);
        fprintf(stderr,
                "trawl: kafka: %" PRIu64 " messages, %" PRIu64 " detections (%" PRIu64
                " new to the store, %" PRIu64 " already there), %" PRIu64
                " bad messages; %" PRIu64 " reports; %" PRIu64 " offset commits (%" PRIu64
                " failed), %" PRIu64 " errors from librdkafka\n",
                st.messages, st.detections, ss.inserted, ss.duplicates, st.bad, c.updates,
                st.commits, st.commit_failures, st.kafka_errors);
    }
out:
    tr_sink_free(c.sink);
    tr_store_close(c.store);
    tr_campaign_policy_free(c.policy);
    tr_fleet_free(c.fleet);
    free(c.report);
    tr_kafka_props_free(props);
    return rc;
}
