/*
 * cmd_hunt.c - `trawl hunt`: Sigma rules and indicator feeds over the logs
 * of a fleet, in one pass, on every core.
 */
#include "core/common.h"

#include <unistd.h>

#include "cli/cmd_kafka.h"
#include "cli/commands.h"
#include "cli/content.h"
#include "cli/opts.h"
#include "trawl/fleet.h"
#include "trawl/hunt.h"
#include "trawl/hunt_store.h"
#include "trawl/log.h"
#include "trawl/logsource.h"
#include "trawl/matchers.h"

static const cmd_usage hunt_usage = {
    "hunt",
    "[-r RULES]… [-i FEED]… [--fleet F] [--format jsonl|csv|table] [-o OUT] [-j N] PATH…",
    "Run Sigma rules and indicator feeds over logs and print the detections.",
    "PATH is a file, a directory (walked recursively, in sorted order) or '-' (stdin);\n"
    "gzip, zstd and lz4 files are read transparently and the format of each file is\n"
    "detected from its content. Without -r and -i, the bundled content (content/rules\n"
    "and content/feeds) is used.\n"
    "\n"
    "Tenants: with --fleet, a directory component of each path naming a tenant of the\n"
    "fleet file assigns the tenant (…/<tenant>/…); --tenant gives one tenant for all\n"
    "inputs; --tenant-from field:NAME takes it from each event's field NAME.\n"
    "\n"
    "Detections are written as JSON lines (the record format of docs/ARCHITECTURE.md),\n"
    "CSV, or an aligned table (the default on a terminal). Malformed records are\n"
    "reported as 'trawl: PATH:LINE: reason', counted and skipped. A summary of events,\n"
    "detections, rejected records and throughput per format ends the run on stderr.\n"
    "Exit status: 0 when every input was read, 1 when an input or a rule could not be\n"
    "used (detections are still written), 2 on a usage error.",
};

typedef struct hunt_opts {
    opt_list rules, feeds, allowlists, placeholders, filters;
    const char *fleet, *store, *format, *output, *tenant, *tenant_from, *input_format;
    const char *timestamp_field, *logsource, *mapping, *placeholder_dir, *csv_map;
    long long threads, max_record, correl_memory, correl_lateness, year;
    bool no_logsource_filter, progress, no_progress, quiet, misp_all, ioc_prefilter,
        no_ioc_prefilter;
    kafka_opts kafka; /* --kafka …: consume records from Kafka (cmd_kafka_hunt.c) */
} hunt_opts;

static void sigma_diag(const tr_sigma_diag *d, void *ctx)
{
    int *rejected = ctx;
    if (d->level == TR_SIGMA_ERROR)
        (*rejected)++;
    tr_log_at(d->level == TR_SIGMA_ERROR ? TR_LOG_ERROR : TR_LOG_WARN, d->path, d->line, "%s",
              d->message);
}

static int load_rules(const hunt_opts *o, const opt_list *paths, tr_ruleset **rs)
{
    int rejected = 0;
    tr_sigma_opts so = {
        .placeholders = o->placeholders.v,
        .nplaceholders = o->placeholders.n,
        .placeholder_dir = o->placeholder_dir,
        .filter_dirs = o->filters.v,
        .nfilter_dirs = o->filters.n,
        .no_logsource_filter = o->no_logsource_filter,
        .diag = sigma_diag,
        .diag_ctx = &rejected,
    };
    tr_err e = tr_ruleset_load(paths->v, paths->n, &so, rs);
    if (e) {
        tr_error("cannot load rules: %s", tr_strerror(e));
        return 2;
    }
    const tr_ruleset_stats *st = tr_ruleset_get_stats(*rs);
    tr_info("loaded %u rules (%u rejected), %u correlations, %u filters", st->rules,
            st->rules_rejected, st->correlations, st->filters);
    return rejected || st->files_rejected ? 1 : 0;
}

static int load_feeds(const hunt_opts *o, const opt_list *paths, tr_ioc_index **x)
{
    tr_ioc_opts io = { .misp_all_attributes = o->misp_all, .csv_map = o->csv_map };
    tr_ioc_builder *b;
    if (tr_ioc_builder_new(&io, &b)) {
        tr_error("out of memory");
        return 2;
    }
    int rc = 0;
    for (size_t i = 0; i < paths->n; i++) {
        tr_err e = tr_ioc_builder_add_feed(b, paths->v[i], NULL);
        if (e) {
            tr_log_at(TR_LOG_ERROR, paths->v[i], 0, "feed not loaded (%s)", tr_strerror(e));
            rc = 1;
        }
    }
    for (size_t i = 0; i < o->allowlists.n; i++) {
        tr_err e = tr_ioc_builder_add_allowlist(b, o->allowlists.v[i]);
        if (e) {
            tr_log_at(TR_LOG_ERROR, o->allowlists.v[i], 0, "%s", tr_strerror(e));
            rc = 1;
        }
    }
    tr_ioc_stats st;
    tr_ioc_builder_stats(b, &st);
    if (st.rejected)
        rc = rc ? rc : 1;
    if (tr_ioc_builder_finish(b, x)) {
        tr_error("out of memory building the indicator index");
        return 2;
    }
    tr_ioc_index_stats(*x, &st);
    tr_info("loaded %" PRIu64 " indicators from %" PRIu64 " feeds (%" PRIu64 " rejected)",
            st.total, st.feeds, st.rejected);
    return rc;
}

/* The route stage: Sigma logsource and taxonomy names, then the semantic
 * type of each field (indicator matching relies on both). */
static void route_event(void *ctx, tr_event *ev)
{
    tr_router_route_typed(ctx, ev);
}

static bool parse_det_format(const char *s, tr_det_format *f)
{
    if (strcmp(s, "jsonl") == 0 || strcmp(s, "json") == 0)
        *f = TR_DETFMT_JSONL;
    else if (strcmp(s, "csv") == 0)
        *f = TR_DETFMT_CSV;
    else if (strcmp(s, "table") == 0)
        *f = TR_DETFMT_TABLE;
    else
        return false;
    return true;
}

int cmd_hunt(int argc, char **argv)
{
    hunt_opts o = { 0 };
    const opt table[] = {
        OPT_LIST('r', "rules", "PATH", &o.rules, "Sigma rule file or directory"),
        OPT_LIST('i', "ioc", "FEED", &o.feeds,
                 "indicator feed (plain list, CSV, STIX 2.1, MISP, Zeek intel)"),
        OPT_LIST(0, "allowlist", "FILE", &o.allowlists,
                 "benign values (MISP warninglist or plain list) that never match"),
        OPT_STRING(0, "fleet", "FILE", &o.fleet, "fleet inventory (tenant,name,country,sector)"),
        OPT_STRING(0, "store", "DB", &o.store, "record detections in a SQLite store (resumable)"),
        OPT_STRING(0, "format", "FMT", &o.format, "jsonl, csv or table (default: table on a "
                                                  "terminal, else jsonl)"),
        OPT_STRING('o', "output", "FILE", &o.output, "write detections to FILE (default stdout)"),
        OPT_INT('j', "threads", "N", &o.threads, "worker threads (default: all cores)"),
        OPT_STRING(0, "tenant", "ID", &o.tenant, "tenant of every input"),
        OPT_STRING(0, "tenant-from", "field:NAME", &o.tenant_from,
                   "take each event's tenant from its field NAME"),
        OPT_STRING('F', "input-format", "FMT", &o.input_format,
                   "input format instead of detection (see trawl help cat)"),
        OPT_STRING(0, "timestamp-field", "NAME", &o.timestamp_field,
                   "generic JSON: the field holding the event time"),
        OPT_INT(0, "year", "YYYY", &o.year, "year of the first line of year-less syslog (RFC 3164)"),
        OPT_STRING(0, "logsource", "P[/C[/S]]", &o.logsource,
                   "logsource (product/category/service) of generic inputs"),
        OPT_STRING(0, "mapping", "FILE", &o.mapping, "logsource mapping file (docs/LOGSOURCE.md)"),
        OPT_FLAG(0, "no-logsource-filter", &o.no_logsource_filter,
                 "apply every rule to every event (rule testing)"),
        OPT_LIST(0, "placeholder", "NAME=V1,V2", &o.placeholders, "values of a %NAME% placeholder"),
        OPT_STRING(0, "placeholder-dir", "DIR", &o.placeholder_dir,
                   "directory of placeholder files (NAME or NAME.txt, one value a line)"),
        OPT_LIST(0, "filters", "DIR", &o.filters,
                 "Sigma filter directory (DIR/*.yml for all, DIR/<tenant>/ per tenant)"),
        OPT_FLAG(0, "misp-all", &o.misp_all, "MISP: also attributes without to_ids"),
        OPT_FLAG(0, "no-ioc-prefilter", &o.no_ioc_prefilter,
                 "parse every line for the indicators (by default lines without any indicator "
                 "text are skipped unparsed, so malformed ones among them are not reported)"),
        OPT_FLAG(0, "ioc-prefilter", &o.ioc_prefilter, "the default (kept for older scripts)"),
        OPT_STRING(0, "csv-map", "SPEC", &o.csv_map,
                   "CSV feeds: columns, e.g. value=3,type=4,actor=actor (as trawl ioc)"),
        OPT_INT(0, "max-record", "BYTES", &o.max_record, "longest record accepted (16 MiB)"),
        OPT_INT(0, "correlation-memory", "BYTES", &o.correl_memory,
                "state kept for Sigma correlation windows (256 MiB); beyond it the oldest "
                "groups are evicted, reported and counted"),
        OPT_INT(0, "correlation-lateness", "SECONDS", &o.correl_lateness,
                "how far behind the newest event of its group an event may arrive and still "
                "join its correlation windows (several files of one tenant over the same "
                "period; default 0)"),
        OPT_FLAG(0, "progress", &o.progress,
                 "show progress on a terminal (the default; never when stderr is not one)"),
        OPT_FLAG(0, "no-progress", &o.no_progress, "never show progress"),
        OPT_FLAG('q', "quiet", &o.quiet, "no summary at the end"),
        KAFKA_HUNT_OPTIONS(&o.kafka),
        OPT_END(),
    };
    opt_list pos = { 0 };
    bool help;
    int rc = opts_parse(&hunt_usage, table, argc, argv, &pos, &help);
    tr_ruleset *rs = NULL;
    tr_ioc_index *iocs = NULL;
    tr_fleet *fleet = NULL;
    FILE *out = stdout;
    tr_sink *sink = NULL;
    tr_store *store = NULL;
    tr_sink *store_sink = NULL;
    tr_hunt_store *hstore = NULL;
    tr_router *router = NULL;
    tr_correl *correl = NULL;
    tr_matcher matchers[2];
    size_t nm = 0;
    content_paths content = { 0 };
    if (rc || help)
        goto done;
    if (pos.n == 0 && !o.kafka.brokers) {
        fprintf(stderr, "trawl hunt: no input (give a file, a directory or '-')\n");
        rc = 2;
        goto done;
    }
    tr_hunt_config cfg = { 0 };
    cfg.reader.format = TR_FMT_AUTO;
    if (o.input_format && (cfg.reader.format = tr_format_from_name(o.input_format)) ==
                              TR_FMT_COUNT) {
        fprintf(stderr, "trawl hunt: unknown input format '%s'\n", o.input_format);
        rc = 2;
        goto done;
    }
    if (o.threads < 0 || o.threads > 1024 || o.max_record < 0 || o.correl_memory < 0 ||
        o.year < 0 || o.year > 9999) {
        fprintf(stderr, "trawl hunt: -j, --max-record and --year must be positive\n");
        rc = 2;
        goto done;
    }
    if (o.tenant_from && strncmp(o.tenant_from, "field:", 6) != 0) {
        fprintf(stderr, "trawl hunt: --tenant-from takes field:NAME\n");
        rc = 2;
        goto done;
    }
    tr_det_format dfmt = isatty(STDOUT_FILENO) && !o.output ? TR_DETFMT_TABLE : TR_DETFMT_JSONL;
    if (o.format && !parse_det_format(o.format, &dfmt)) {
        fprintf(stderr, "trawl hunt: unknown --format '%s' (jsonl, csv, table)\n", o.format);
        rc = 2;
        goto done;
    }
    if (o.rules.n == 0 && o.feeds.n == 0) {
        if (content_find(&content) != 0) {
            fprintf(stderr, "trawl hunt: no rules (-r) or feeds (-i) given and no bundled "
                            "content found (set TRAWL_CONTENT)\n");
            rc = 2;
            goto done;
        }
        tr_info("using the bundled content in %s", content.dir);
    }
    const opt_list *rules = o.rules.n || o.feeds.n ? &o.rules : &content.rules;
    const opt_list *feeds = o.rules.n || o.feeds.n ? &o.feeds : &content.feeds;
    int load_rc = 0;
    if (rules->n && (load_rc = load_rules(&o, rules, &rs)) == 2) {
        rc = 1;
        goto done;
    }
    int feed_rc = 0;
    if (feeds->n && (feed_rc = load_feeds(&o, feeds, &iocs)) == 2) {
        rc = 1;
        goto done;
    }
    if (o.fleet) {
        char err[512];
        if (tr_fleet_load(o.fleet, &fleet, NULL, err, sizeof(err))) {
            tr_error("%s", err);
            rc = 1;
            goto done;
        }
    }
    if (o.output && !(out = fopen(o.output, "w"))) {
        tr_error("%s: %s", o.output, strerror(errno));
        rc = 1;
        goto done;
    }
    if (tr_sink_file_new(out, dfmt, &sink)) {
        rc = 1;
        goto done;
    }
    char rerr[512];
    if (tr_router_new(o.mapping, &router, rerr, sizeof(rerr)) != TR_OK ||
        (o.logsource && tr_router_declare_spec(router, o.logsource, rerr, sizeof(rerr)))) {
        tr_error("%s", rerr);
        rc = 2;
        goto done;
    }
    uint64_t fp = tr_hunt_fingerprint(rs, iocs);
    if (rs && tr_ruleset_correlation_count(rs)) {
        tr_correl_opts co = { .memory_cap = (size_t)o.correl_memory,
                              .lateness_ns = (int64_t)o.correl_lateness * 1000000000,
                              .fingerprint = fp };
        if (tr_correl_new(rs, &co, &correl)) {
            tr_error("out of memory");
            rc = 1;
            goto done;
        }
    }
    tr_sink *sinks[2] = { sink, NULL };
    size_t nsinks = 1;
    if (o.store) {
        char err[512];
        /* Kafka offsets are committed once detections are stored: fsync them */
        unsigned sf = TR_STORE_CREATE | (o.kafka.brokers ? TR_STORE_SYNC_FULL : 0);
        if (tr_store_open(o.store, sf, &store, err, sizeof(err))) {
            tr_error("%s", err);
            rc = 1;
            goto done;
        }
        tr_store_set_ruleset(store, fp);
        if ((fleet && tr_store_put_fleet(store, fleet)) ||
            tr_store_sink_new(store, NULL, &store_sink) ||
            tr_hunt_store_new(store, store_sink, &hstore)) {
            tr_error("%s: %s", o.store, tr_store_errmsg(store));
            rc = 1;
            goto done;
        }
        sinks[nsinks++] = store_sink;
        tr_hunt_store_attach(hstore, &cfg);
        if (correl && tr_hunt_store_track_correl(hstore, correl)) {
            tr_error("%s: cannot restore the correlation windows: %s", o.store,
                     tr_store_errmsg(store));
            rc = 1;
            goto done;
        }
    }
    if (rs && !(matchers[nm++] = tr_matcher_sigma(rs, correl)).ctx) {
        tr_error("out of memory");
        rc = 1;
        goto done;
    }
    if (iocs && !(matchers[nm++] = tr_matcher_ioc_auto(iocs, !o.no_ioc_prefilter)).ctx) {
        tr_error("out of memory");
        rc = 1;
        goto done;
    }
    tr_hunt_post post = { correl, tr_correl_post_detection, tr_correl_post_finish };
    if (correl)
        cfg.post = &post;
    cfg.threads = (unsigned)o.threads;
    cfg.reader.max_record = (size_t)o.max_record;
    cfg.reader.parse.timestamp_field = o.timestamp_field;
    cfg.reader.parse.default_year = (int)o.year;
    cfg.fleet = fleet;
    cfg.tenant = o.tenant;
    cfg.tenant_field = o.tenant_from ? o.tenant_from + 6 : NULL;
    cfg.matchers = matchers;
    cfg.nmatchers = nm;
    cfg.sinks = sinks;
    cfg.nsinks = nsinks;
    cfg.route = route_event;
    cfg.route_ctx = router;
    cfg.progress = !o.no_progress;
    if (o.kafka.brokers) {
        int krc = kafka_hunt_cli(&o.kafka, &cfg, o.quiet);
        rc = krc ? krc : (load_rc || feed_rc) ? 1 : 0;
        goto done;
    }
    tr_hunt_stats st;
    tr_err e = tr_hunt_run(&cfg, (const char *const *)pos.v, pos.n, &st);
    if (e) {
        tr_error("hunt stopped: %s", tr_strerror(e));
        rc = 1;
    }
    if (!o.quiet)
        tr_hunt_stats_print(&st, stderr);
    if (correl) {
        const tr_correl_stats *cs = tr_correl_stats_get(correl);
        if (cs->evicted_groups)
            tr_warn("correlations: %" PRIu64 " groups (%" PRIu64 " events) evicted by the "
                    "memory cap (--correlation-memory)", cs->evicted_groups, cs->evicted_events);
        if (!o.quiet && (cs->too_late || cs->missing_field))
            tr_info("correlations: %" PRIu64 " events too late for their windows, %" PRIu64
                    " without a group-by field", cs->too_late, cs->missing_field);
    }
    if (st.sources_failed || load_rc || feed_rc)
        rc = 1;
done:
    tr_sink_free(sink);
    tr_sink_free(store_sink); /* flushes and stops its writer */
    tr_hunt_store_free(hstore);
    tr_store_close(store);
    tr_router_free(router);
    for (size_t i = 0; i < nm; i++)
        tr_matcher_release(&matchers[i]);
    tr_correl_free(correl);
    if (out && out != stdout && fclose(out) != 0) {
        tr_error("%s: %s", o.output, strerror(errno));
        rc = 1;
    }
    tr_ruleset_free(rs);
    tr_ioc_index_free(iocs);
    tr_fleet_free(fleet);
    content_paths_release(&content);
    opt_list_free(&pos);
    kafka_opts_free(&o.kafka);
    opt_list *lists[] = { &o.rules, &o.feeds, &o.allowlists, &o.placeholders, &o.filters };
    for (size_t i = 0; i < TR_ARRAY_LEN(lists); i++)
        opt_list_free(lists[i]);
    return rc;
}
