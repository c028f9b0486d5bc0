/*
 * cmd_kafka_hunt.c - `trawl hunt --kafka`: the hunt that cmd_hunt.c set up
 * (rules, feeds, router, store), run as a worker of a Kafka consumer group
 * instead of over files. Also the signal handling every long-running Kafka
 * command shares: SIGINT/SIGTERM ask for a clean stop (drain, flush,
 * commit, leave the group); a second one exits at once.
 */
#include "core/common.h"

#include <signal.h>
#include <unistd.h>

#include "cli/cmd_kafka.h"
#include "trawl/kafka.h"
#include "trawl/log.h"

static volatile sig_atomic_t stop_flag;

static void on_stop(int sig)
{
    if (stop_flag)
        _exit(128 + sig); /* asked twice: the operator wants out now */
    stop_flag = 1;
}

void kafka_opts_free(kafka_opts *k)
{
    opt_list_free(&k->topics);
    opt_list_free(&k->props);
}

tr_kafka_props *kafka_props_from(const char *config, const opt_list *xs)
{
    char err[768];
    tr_kafka_props *p;
    if (tr_kafka_props_new(&p))
        return NULL;
    if (config && tr_kafka_props_load(p, config, err, sizeof(err))) {
        tr_error("%s", err);
        tr_kafka_props_free(p);
        return NULL;
    }
    for (size_t i = 0; i < xs->n; i++)
        if (tr_kafka_props_parse(p, xs->v[i], err, sizeof(err))) {
            tr_error("-X %s", err);
            tr_kafka_props_free(p);
            return NULL;
        }
    return p;
}

static void catch_stop(struct sigaction *old_int, struct sigaction *old_term)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    stop_flag = 0;
    sigaction(SIGINT, &sa, old_int);
    sigaction(SIGTERM, &sa, old_term);
}

int kafka_hunt_cli(const kafka_opts *k, const tr_hunt_config *cfg, bool quiet)
{
    if (!k->topics.n) {
        fprintf(stderr, "trawl hunt: --kafka needs at least one --topic\n");
        return 2;
    }
    if (k->interval_ms < 0 || k->interval_ms > 3600000) {
        fprintf(stderr, "trawl hunt: --commit-interval must be between 0 and 3600000\n");
        return 2;
    }
    tr_kafka_props *props = kafka_props_from(k->config, &k->props);
    if (!props)
        return 2;
    int rc = 0;
    tr_sink *ksink = NULL;
    tr_sink **sinks = tr_calloc(cfg->nsinks + 1, sizeof(tr_sink *));
    if (!sinks) {
        tr_kafka_props_free(props);
        return 1;
    }
    memcpy(sinks, cfg->sinks, cfg->nsinks * sizeof(tr_sink *));
    tr_hunt_config hc = *cfg;
    hc.sinks = sinks;
    if (k->out_topic) {
        char err[768];
        if (tr_kafka_sink_new(k->brokers, k->out_topic, props, &ksink, err, sizeof(err))) {
            tr_error("kafka: %s", err);
            rc = 1;
            goto out;
        }
        sinks[hc.nsinks++] = ksink;
    }
    tr_kafka_hunt_config kc = {
        .brokers = k->brokers,
        .topics = k->topics.v,
        .ntopics = k->topics.n,
        .group = k->group,
        .props = props,
        .hunt = &hc,
        .commit_interval_ms = (uint32_t)k->interval_ms,
        .once = k->once,
        .stop = &stop_flag,
    };
    struct sigaction old_int, old_term;
    catch_stop(&old_int, &old_term);
    tr_kafka_hunt_stats st;
    tr_err e = tr_kafka_hunt_run(&kc, &st);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (e) {
        tr_error("hunt stopped: %s", tr_strerror(e));
        rc = e == TR_EINVAL ? 2 : 1;
    }
    if (!quiet)
        tr_kafka_hunt_stats_print(&st, stderr);
out:
    tr_sink_free(ksink);
    tr_free(sinks);
    tr_kafka_props_free(props);
    return rc;
}
