/*
 * campaign_bench.c - writes a deterministic fleet's worth of detections for
 * the `trawl campaigns` benchmark (bench/part_campaigns.sh): N detections
 * (default 1,000,000) across T tenants (default 1,000) over 60 days, through
 * the store sink (the way `trawl hunt --store` writes them), and optionally
 * as JSON lines too.
 *
 *   campaign_bench N TENANTS STORE.db [DETECTIONS.jsonl] [FLEET.csv]
 *
 * The mix is that of a real fleet: one actor (indicators attributed by a
 * feed, a group-tagged rule) attempting exploitation at 40 % of the tenants
 * and compromising 4 % of them (with C2 beacons), 300 opportunistic
 * scanners reaching 50 to 700 tenants each, the provider's weekly scan of
 * every tenant, and the rest background: one-off probes from a large pool
 * of addresses and host alerts without infrastructure.
 */
#include "core/common.h"

#include <time.h>

#include "trawl/detect.h"
#include "trawl/store.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static uint32_t below(uint32_t n)
{
    return (uint32_t)(next() % n);
}

typedef struct gen {
    char tenant[16], ip[24], dst[24], uri[96], path[96], host[32], title[80];
    tr_str tags[4];
    tr_kv fields[4];
    tr_detection d;
    uint64_t record;
} gen;

#define T0 INT64_C(1579478400) /* 2020-01-20 */

/* A new record (same: the record of the previous detection, as an indicator
 * match on the record a rule matched). */
static void base(gen *g, uint32_t tenant, int64_t sec, const char *product, bool same)
{
    if (same)
        g->record--;
    snprintf(g->tenant, sizeof(g->tenant), "org-%04u", tenant);
    snprintf(g->path, sizeof(g->path), "logs/%s/%s/access.log", g->tenant, product);
    memset(&g->d, 0, sizeof(g->d));
    g->d.ts = (T0 + sec) * 1000000000;
    g->d.tenant = tr_str_c(g->tenant);
    g->d.path = tr_str_c(g->path);
    g->d.source_gen = 0x5eed;
    g->d.record = g->record;
    g->d.line = g->record + 1;
    g->record++;
    g->d.level = TR_STR("high");
    g->d.logsource.category[0] = TR_STR("webserver");
    g->d.logsource.ncategory = 1;
    g->d.fields = g->fields;
}

static void rand_ip(char *buf, size_t n, uint32_t pool, uint32_t salt)
{
    uint32_t x = below(pool) * 2654435761u + salt;
    snprintf(buf, n, "%u.%u.%u.%u", 11 + x % 200, (x >> 8) & 255, (x >> 16) & 255,
             1 + (x >> 24) % 254);
}

/* An exploitation attempt from ip, answered (exploited) or not. */
static void attempt(gen *g, const char *ip, bool exploited)
{
    snprintf(g->ip, sizeof(g->ip), "%s", ip);
    snprintf(g->uri, sizeof(g->uri), "/vpn/../vpns/portal/%08x.xml", (unsigned)next());
    g->d.kind = TR_DET_SIGMA;
    g->d.rule_id = exploited ? TR_STR("bench-0000-0000-0000-exploited")
                             : TR_STR("bench-0000-0000-0000-attempt");
    g->d.rule_title = exploited ? TR_STR("Appliance Vulnerable Response")
                                : TR_STR("Appliance Exploitation Attempt");
    g->tags[0] = TR_STR("attack.initial-access");
    g->tags[1] = TR_STR("attack.t1190");
    g->tags[2] = TR_STR("cve.2019-19781");
    g->tags[3] = exploited ? TR_STR("stage.exploited") : TR_STR("stage.targeted");
    g->d.tags = g->tags;
    g->d.ntags = 4;
    g->fields[0] = (tr_kv){ TR_STR("c-ip"), tr_str_c(g->ip) };
    g->fields[1] = (tr_kv){ TR_STR("cs-uri-stem"), tr_str_c(g->uri) };
    g->fields[2] = (tr_kv){ TR_STR("sc-status"), exploited ? TR_STR("200") : TR_STR("403") };
    g->d.nfields = 3;
}

static void ioc(gen *g, const char *value, const char *field, tr_side side)
{
    g->d.kind = TR_DET_IOC;
    g->d.rule_id = TR_STR("ioc:ipv4");
    snprintf(g->title, sizeof(g->title), "Indicator %s (actor-feed)", value);
    g->d.rule_title = tr_str_c(g->title);
    g->d.tags = NULL;
    g->d.ntags = 0;
    g->d.indicator.value = tr_str_c(value);
    g->d.indicator.type = TR_STR("ipv4");
    g->d.indicator.feed = TR_STR("actor-feed");
    g->d.indicator.actor = TR_STR("APT41");
    g->d.indicator.field = tr_str_c(field);
    g->d.indicator.side = side;
}

static void beacon(gen *g, const char *c2)
{
    snprintf(g->dst, sizeof(g->dst), "%s", c2);
    snprintf(g->host, sizeof(g->host), "srv-%02u", below(4));
    g->d.logsource.product = TR_STR("windows");
    g->d.logsource.service = TR_STR("sysmon");
    g->d.logsource.category[0] = TR_STR("network_connection");
    g->fields[0] = (tr_kv){ TR_STR("DestinationIp"), tr_str_c(g->dst) };
    g->fields[1] = (tr_kv){ TR_STR("SourceIp"), TR_STR("10.1.2.3") };
    g->fields[2] = (tr_kv){ TR_STR("Computer"), tr_str_c(g->host) };
    g->d.nfields = 3;
    ioc(g, c2, "DestinationIp", TR_SIDE_DST);
}

static void host_alert(gen *g)
{
    snprintf(g->host, sizeof(g->host), "ws-%03u", below(300));
    g->d.kind = TR_DET_SIGMA;
    g->d.rule_id = TR_STR("bench-0000-0000-0000-hostalert");
    g->d.rule_title = TR_STR("Suspicious Service Installation");
    g->tags[0] = TR_STR("attack.persistence");
    g->tags[1] = TR_STR("attack.t1543.003");
    g->d.tags = g->tags;
    g->d.ntags = 2;
    g->d.logsource.product = TR_STR("windows");
    g->d.logsource.category[0] = TR_STR("process_creation");
    g->fields[0] = (tr_kv){ TR_STR("Computer"), tr_str_c(g->host) };
    g->fields[1] = (tr_kv){ TR_STR("CommandLine"), TR_STR("sc create updater binPath= C:\\x.exe") };
    g->d.nfields = 2;
}

typedef struct out {
    tr_sink *store, *jsonl;
    uint64_t n, max;
    tr_err err;
} out;

static void emit(out *o, const tr_detection *d)
{
    if (o->err || o->n >= o->max)
        return;
    o->err = tr_sink_write(o->store, d);
    if (!o->err && o->jsonl)
        o->err = tr_sink_write(o->jsonl, d);
    o->n++;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: campaign_bench N TENANTS STORE.db [DETECTIONS.jsonl] [FLEET.csv]\n");
        return 2;
    }
    uint64_t n = strtoull(argv[1], NULL, 10);
    uint32_t nt = (uint32_t)strtoul(argv[2], NULL, 10);
    if (n == 0 || nt < 10) {
        fprintf(stderr, "campaign_bench: N > 0 and TENANTS >= 10\n");
        return 2;
    }
    char err[768];
    remove(argv[3]);
    tr_store *st;
    if (tr_store_open(argv[3], TR_STORE_CREATE, &st, err, sizeof(err))) {
        fprintf(stderr, "campaign_bench: %s\n", err);
        return 1;
    }
    out o = { .max = n };
    FILE *jf = NULL;
    if (tr_store_sink_new(st, NULL, &o.store)) {
        fprintf(stderr, "campaign_bench: %s\n", tr_store_errmsg(st));
        return 1;
    }
    if (argc > 4 && strcmp(argv[4], "-") != 0) {
        if (!(jf = fopen(argv[4], "w")) || tr_sink_file_new(jf, TR_DETFMT_JSONL, &o.jsonl)) {
            fprintf(stderr, "campaign_bench: %s: %s\n", argv[4], strerror(errno));
            return 1;
        }
    }
    if (argc > 5) {
        static const char *const countries[] = { "US", "GB", "DE", "FR", "JP", "IN", "BR", "CA",
                                                 "AU", "IT", "ES", "NL", "SE", "SG", "MX" };
        static const char *const sectors[] = { "healthcare", "education", "government",
                                               "financial-services", "technology", "energy",
                                               "manufacturing", "legal", "telecommunications",
                                               "retail" };
        FILE *ff = fopen(argv[5], "w");
        if (!ff) {
            fprintf(stderr, "campaign_bench: %s: %s\n", argv[5], strerror(errno));
            return 1;
        }
        fprintf(ff, "tenant,name,country,sector\n");
        for (uint32_t t = 0; t < nt; t++)
            fprintf(ff, "org-%04u,Organisation %u,%s,%s\n", t, t,
                    countries[(t * 7) % TR_ARRAY_LEN(countries)],
                    sectors[(t * 3) % TR_ARRAY_LEN(sectors)]);
        fclose(ff);
    }
    gen g = { 0 };
    const char *actor_ip = "66.42.98.220", *actor_c2 = "74.82.201.8";
    /* the actor: attempts at 40 % of tenants, 4 % compromised with C2 beacons */
    for (uint32_t t = 0; t < nt && !o.err; t++) {
        if (t % 5 >= 2)
            continue;
        int64_t sec = (int64_t)below(50 * 86400);
        bool comp = t % 25 == 0;
        for (int k = 0; k < 3; k++) {
            base(&g, t, sec + k, "citrix", false);
            attempt(&g, actor_ip, comp && k == 2);
            emit(&o, &g.d);
            base(&g, t, sec + k, "citrix", true);
            g.fields[0] = (tr_kv){ TR_STR("c-ip"), tr_str_c(actor_ip) };
            g.d.nfields = 1;
            ioc(&g, actor_ip, "c-ip", TR_SIDE_SRC);
            emit(&o, &g.d);
        }
        for (int b = 0; comp && b < 400; b++) {
            base(&g, t, sec + 600 + b * 900, "windows", false);
            beacon(&g, actor_c2);
            emit(&o, &g.d);
        }
    }
    /* the provider's weekly scan of every tenant */
    for (int w = 0; w < 8 && !o.err; w++)
        for (uint32_t t = 0; t < nt; t++) {
            base(&g, t, w * 7 * 86400 + 3 * 3600 + t, "citrix", false);
            attempt(&g, "131.47.190.164", t % 3 == 0);
            emit(&o, &g.d);
        }
    /* opportunistic scanners */
    for (uint32_t s = 0; s < 300 && !o.err; s++) {
        char ip[24];
        rand_ip(ip, sizeof(ip), 1u << 30, s * 7919);
        uint32_t reach = 50 + below(650);
        int64_t start = (int64_t)below(55 * 86400);
        for (uint32_t k = 0; k < reach && k < nt; k++) {
            uint32_t t = (s * 131 + k * 37) % nt;
            base(&g, t, start + k * 60, "citrix", false);
            attempt(&g, ip, below(10) == 0);
            emit(&o, &g.d);
        }
    }
    /* background: one-off probes and host alerts until N */
    while (o.n < n && !o.err) {
        uint32_t t = below(nt);
        base(&g, t, (int64_t)below(60 * 86400), below(4) ? "citrix" : "windows", false);
        if (below(4)) {
            char ip[24];
            rand_ip(ip, sizeof(ip), 1u << 31, 17);
            attempt(&g, ip, false);
        } else {
            host_alert(&g);
        }
        emit(&o, &g.d);
    }
    tr_err e = o.err;
    if (!e)
        e = tr_sink_flush(o.store);
    if (!e && o.jsonl)
        e = tr_sink_flush(o.jsonl);
    tr_sink_free(o.store);
    tr_sink_free(o.jsonl);
    if (jf)
        fclose(jf);
    tr_store_close(st);
    if (e) {
        fprintf(stderr, "campaign_bench: %s\n", tr_strerror(e));
        return 1;
    }
    printf("campaign_bench: %" PRIu64 " detections across %u tenants\n", o.n, nt);
    return 0;
}
