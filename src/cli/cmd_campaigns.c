/*
 * cmd_campaigns.c - `trawl campaigns`: detections from a store or from
 * JSON-lines files, through the campaign engine, into a report (text, JSON,
 * self-contained HTML or a STIX 2.1 bundle).
 */
#include "core/common.h"

#include <time.h>

#include "cli/cmd_kafka.h"
#include "cli/commands.h"
#include "cli/opts.h"
#include "trawl/campaign.h"
#include "trawl/log.h"
#include "trawl/store.h"

static const cmd_usage campaigns_usage = {
    "campaigns",
    "[--store DB | DETECTIONS.jsonl…] [--fleet F] [--policy FILE] [--format text|json|html|stix] "
    "[-o OUT] [--anonymise [--min-group N]]",
    "Turn the detections of a fleet into campaigns: who, which tenants at which stage, where, "
    "when, how.",
    "Detections come from a store (trawl hunt --store) or from JSON-lines files (trawl hunt\n"
    "--format jsonl; '-' is stdin). The fleet file gives each tenant's country and sector.\n"
    "Stages (targeted, exploited, compromised) come from rule tags and from where an\n"
    "indicator matched; actors from ATT&CK group tags and from indicator feeds; detections\n"
    "linked by a shared record, address, domain, URL, hash or host inherit the attribution;\n"
    "unattributed activity is clustered across tenants by shared infrastructure. The policy\n"
    "file (YAML) overrides stages, names actors, lists values that never link and sets the\n"
    "windows (docs/CAMPAIGNS.md). --anonymise replaces tenants by sector-and-country groups;\n"
    "groups smaller than --min-group (5) become 'other'.\n"
    "Exit status: 0 on success, 1 when an input could not be read (the report covers the\n"
    "rest), 2 on a usage error.",
};

typedef struct campaigns_opts {
    const char *store, *fleet, *policy, *format, *output;
    long long min_group, max_evidence;
    bool anonymise, quiet, brief;
    kafka_opts kafka; /* --kafka …: the correlator of a Kafka deployment (cmd_kafka_campaigns.c) */
} campaigns_opts;

typedef struct feed_ctx {
    tr_campaigns *engine;
    tr_err err;
} feed_ctx;

static tr_err feed(void *ctx, const tr_detection *d)
{
    feed_ctx *f = ctx;
    return f->err = tr_campaigns_add(f->engine, d);
}

/* The tenants a store learnt from the fleet files of its hunts. */
static int store_fleet(const char *path, tr_fleet **fleet)
{
    char err[768];
    tr_store *st;
    if (tr_store_open(path, TR_STORE_READONLY, &st, err, sizeof(err)) != TR_OK) {
        fprintf(stderr, "trawl: %s\n", err);
        return 1;
    }
    tr_err e = tr_store_get_fleet(st, fleet);
    if (e)
        fprintf(stderr, "trawl: %s: %s\n", path, tr_store_errmsg(st));
    tr_store_close(st);
    return e ? 1 : 0;
}

static int read_store(const char *path, tr_campaigns *engine)
{
    char err[768];
    tr_store *st;
    if (tr_store_open(path, TR_STORE_READONLY, &st, err, sizeof(err)) != TR_OK) {
        fprintf(stderr, "trawl: %s\n", err);
        return 1;
    }
    tr_store_filter f;
    tr_store_filter_init(&f);
    tr_store_cursor cur = { 0 };
    feed_ctx fc = { engine, TR_OK };
    int rc = 0;
    for (;;) {
        size_t got;
        tr_err e = tr_store_query(st, &f, &cur, 65536, feed, &fc, &got);
        if (e) {
            if (fc.err)
                fprintf(stderr, "trawl: %s\n", tr_strerror(fc.err));
            else
                fprintf(stderr, "trawl: %s: %s\n", path, tr_store_errmsg(st));
            rc = 1;
            break;
        }
        if (got < 65536)
            break;
    }
    tr_store_close(st);
    return rc;
}

static int parse_format(const char *s, tr_cmp_format *fmt)
{
    static const struct {
        const char *name;
        tr_cmp_format fmt;
    } names[] = { { "text", TR_CMPFMT_TEXT },
                  { "json", TR_CMPFMT_JSON },
                  { "html", TR_CMPFMT_HTML },
                  { "stix", TR_CMPFMT_STIX } };
    for (size_t i = 0; i < TR_ARRAY_LEN(names); i++)
        if (strcmp(s, names[i].name) == 0) {
            *fmt = names[i].fmt;
            return 0;
        }
    fprintf(stderr, "trawl campaigns: unknown format '%s' (text, json, html, stix)\n", s);
    return 2;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int cmd_campaigns(int argc, char **argv)
{
    campaigns_opts o = { .min_group = 5 };
    const opt table[] = {
        OPT_STRING(0, "store", "DB", &o.store, "read the detections of a store"),
        OPT_STRING(0, "fleet", "FILE", &o.fleet, "fleet inventory (tenant,name,country,sector)"),
        OPT_STRING(0, "policy", "FILE", &o.policy,
                   "policy file: stage overrides, actor names, ignored values, windows"),
        OPT_STRING('f', "format", "FMT", &o.format, "text (default), json, html or stix"),
        OPT_STRING('o', "output", "FILE", &o.output, "write the report to FILE (default stdout)"),
        OPT_FLAG(0, "anonymise", &o.anonymise,
                 "replace tenants by sector-and-country groups"),
        OPT_FLAG(0, "anonymize", &o.anonymise, "the same"),
        OPT_INT(0, "min-group", "N", &o.min_group,
                "anonymised groups smaller than N become 'other' (5)"),
        OPT_INT(0, "max-evidence", "N", &o.max_evidence,
                "evidence groups per tenant (defaults: text 3, html 25, json all)"),
        OPT_FLAG(0, "brief", &o.brief,
                 "text: the tenant tables without evidence, clusters as one line each"),
        OPT_FLAG('q', "quiet", &o.quiet, "no summary on stderr"),
        KAFKA_CAMPAIGNS_OPTIONS(&o.kafka),
        OPT_END(),
    };
    opt_list pos = { 0 };
    bool help;
    tr_fleet *fleet = NULL;
    tr_campaign_policy *policy = NULL;
    tr_campaigns *engine = NULL;
    FILE *out = stdout;
    int rc = opts_parse(&campaigns_usage, table, argc, argv, &pos, &help);
    if (rc || help)
        goto done;
    rc = 2;
    tr_cmp_format fmt = TR_CMPFMT_TEXT;
    if (o.format && parse_format(o.format, &fmt))
        goto done;
    if (o.kafka.brokers && !pos.n && o.min_group >= 1 && o.max_evidence >= 0) {
        kafka_campaigns_args ka = { o.store, o.fleet, o.policy, o.output, fmt,
                                    { .anonymise = o.anonymise,
                                      .min_group = (uint32_t)o.min_group,
                                      .max_evidence = (uint32_t)o.max_evidence,
                                      .brief = o.brief },
                                    o.quiet };
        rc = kafka_campaigns_cli(&o.kafka, &ka);
        goto done;
    }
    if (!o.store && pos.n == 0) {
        fprintf(stderr, "trawl campaigns: give --store DB or detection files (see --help)\n");
        goto done;
    }
    if (o.store && pos.n) {
        fprintf(stderr, "trawl campaigns: --store and detection files exclude each other\n");
        goto done;
    }
    if (o.min_group < 1 || o.min_group > 1000000 || o.max_evidence < 0) {
        fprintf(stderr, "trawl campaigns: --min-group must be 1 or more, --max-evidence 0 or "
                        "more\n");
        goto done;
    }
    rc = 1;
    char err[1024];
    if (o.fleet) {
        size_t bad = 0;
        if (tr_fleet_load(o.fleet, &fleet, &bad, err, sizeof(err)) != TR_OK) {
            fprintf(stderr, "trawl: %s\n", err);
            goto done;
        }
    } else if (o.store) {
        if (store_fleet(o.store, &fleet))
            goto done;
        if (!tr_fleet_count(fleet) && !o.quiet)
            fprintf(stderr, "trawl: no --fleet and none in the store: countries and sectors "
                            "are unknown\n");
    } else if (!o.quiet) {
        fprintf(stderr, "trawl: no --fleet: countries and sectors are unknown\n");
    }
    if (!(policy = tr_campaign_policy_new())) {
        fprintf(stderr, "trawl: out of memory\n");
        goto done;
    }
    if (o.policy && tr_campaign_policy_load(policy, o.policy, err, sizeof(err)) != TR_OK) {
        fprintf(stderr, "trawl: %s\n", err);
        rc = 2;
        goto done;
    }
    if (tr_campaigns_new(policy, fleet, &engine) != TR_OK) {
        fprintf(stderr, "trawl: out of memory\n");
        goto done;
    }
    double t0 = now_s();
    int read_rc = 0;
    uint64_t bad = 0;
    if (o.store) {
        read_rc = read_store(o.store, engine);
    } else {
        for (size_t i = 0; i < pos.n; i++) {
            feed_ctx fc = { engine, TR_OK };
            tr_err e = tr_detections_read_jsonl(pos.v[i], feed, &fc, &bad);
            if (e && fc.err) {
                fprintf(stderr, "trawl: %s: %s\n", pos.v[i], tr_strerror(fc.err));
                goto done;
            }
            if (e) {
                fprintf(stderr, "trawl: %s: %s\n", pos.v[i],
                        e == TR_ENOENT ? "no such file" : strerror(errno));
                read_rc = 1;
            }
        }
    }
    double t1 = now_s();
    tr_err e = tr_campaigns_run(engine);
    if (e) {
        fprintf(stderr, "trawl: campaigns: %s\n", tr_strerror(e));
        goto done;
    }
    double t2 = now_s();
    if (o.output && !(out = fopen(o.output, "w"))) {
        fprintf(stderr, "trawl: %s: %s\n", o.output, strerror(errno));
        goto done;
    }
    tr_cmp_report_opts ro = { .anonymise = o.anonymise,
                              .min_group = (uint32_t)o.min_group,
                              .max_evidence = (uint32_t)o.max_evidence,
                              .brief = o.brief };
    e = tr_campaigns_write(engine, fmt, &ro, out);
    if (e) {
        fprintf(stderr, "trawl: campaigns report: %s\n",
                e == TR_EIO ? strerror(errno) : tr_strerror(e));
        goto done;
    }
    if (out != stdout && fclose(out) != 0) {
        out = stdout;
        fprintf(stderr, "trawl: %s: %s\n", o.output, strerror(errno));
        goto done;
    }
    out = stdout;
    if (fflush(stdout) != 0) {
        fprintf(stderr, "trawl: write error: %s\n", strerror(errno));
        goto done;
    }
    double t3 = now_s();
    if (!o.quiet) {
        const tr_cmp_summary *s = tr_campaigns_summary(engine);
        size_t n = tr_campaigns_count(engine), actors = 0;
        for (size_t i = 0; i < n; i++)
            actors += !tr_campaigns_get(engine, i)->cluster;
        fprintf(stderr,
                "trawl: %" PRIu64 " detections (%" PRIu64 " duplicates, %" PRIu64
                " ignored, %" PRIu64 " bad lines) at %u tenants: %zu actor campaigns, %zu "
                "clusters, %u benign values, %u conflicts; read %.2f s, analysis %.2f s, "
                "report %.2f s\n",
                s->added, s->duplicates, s->ignored, bad, s->tenants, actors, n - actors,
                s->nbenign, s->nconflicts, t1 - t0, t2 - t1, t3 - t2);
    }
    rc = read_rc;
done:
    if (out && out != stdout)
        fclose(out);
    tr_campaigns_free(engine);
    tr_campaign_policy_free(policy);
    tr_fleet_free(fleet);
    opt_list_free(&pos);
    kafka_opts_free(&o.kafka);
    return rc;
}
