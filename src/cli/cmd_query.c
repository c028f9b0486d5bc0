/*
 * cmd_query.c - `trawl query --store DB`: the detections of a store, filtered,
 * in the same shapes as `trawl hunt` prints them (table, JSON lines, CSV).
 */
#include "core/common.h"

#include <unistd.h>

#include "cli/commands.h"
#include "cli/opts.h"
#include "core/time.h"
#include "trawl/detect.h"
#include "trawl/log.h"
#include "trawl/store.h"

#define QUERY_PAGE 1000

static const cmd_usage query_usage = {
    "query",
    "--store DB [options]",
    "List the detections of a store, oldest first, in the shapes `trawl hunt` prints.",
    "Filters combine (all must hold). TIME is ISO 8601 (2020-01-20, 2020-01-20T08:14:02Z)\n"
    "or epoch seconds; --since is inclusive, --until exclusive. --level keeps detections\n"
    "of that level or above (informational < low < medium < high < critical).\n"
    "The output is a table on a terminal and JSON lines otherwise, unless --format says.\n"
    "Exit status: 0 on success (even with no detection), 1 when the store cannot be read,\n"
    "2 on a usage error.",
};

typedef struct query_opts {
    const char *store, *tenant, *rule, *level, *kind, *since, *until, *indicator;
    const char *format, *output;
    long long limit;
    bool count;
} query_opts;

typedef struct emit_ctx {
    tr_sink *sink;
    uint64_t left; /* rows still wanted (UINT64_MAX: all) */
} emit_ctx;

static tr_err emit(void *ctx, const tr_detection *d)
{
    emit_ctx *e = ctx;
    if (e->left == 0)
        return TR_EEOF;
    e->left--;
    return tr_sink_write(e->sink, d);
}

static bool parse_time(const char *what, const char *s, int64_t *ns)
{
    if (tr_time_parse_any(s, strlen(s), ns) == TR_OK)
        return true;
    fprintf(stderr, "trawl query: %s: cannot read time '%s' (use ISO 8601 or epoch seconds)\n",
            what, s);
    return false;
}

static int build_filter(const query_opts *o, tr_store_filter *f)
{
    tr_store_filter_init(f);
    f->tenant = o->tenant;
    f->rule = o->rule;
    f->indicator = o->indicator;
    if (o->level && (f->min_level = tr_level_rank(tr_str_c(o->level))) < 0) {
        fprintf(stderr, "trawl query: unknown level '%s' (informational, low, medium, high, "
                        "critical)\n", o->level);
        return 2;
    }
    if (o->kind) {
        for (int k = TR_DET_SIGMA; k <= TR_DET_CORRELATION; k++)
            if (strcmp(o->kind, tr_det_kind_name((tr_det_kind)k)) == 0)
                f->kind = k;
        if (f->kind < 0) {
            fprintf(stderr, "trawl query: unknown kind '%s' (sigma, ioc, correlation)\n",
                    o->kind);
            return 2;
        }
    }
    if (o->since && !parse_time("--since", o->since, &f->since))
        return 2;
    if (o->until && !parse_time("--until", o->until, &f->until))
        return 2;
    return 0;
}

static int run_query(const query_opts *o, const tr_store_filter *f, tr_det_format fmt)
{
    char err[768];
    tr_store *st;
    if (tr_store_open(o->store, 0, &st, err, sizeof(err)) != TR_OK) {
        fprintf(stderr, "trawl: %s\n", err);
        return 1;
    }
    int rc = 0;
    FILE *out = stdout;
    tr_sink *sink = NULL;
    if (o->count) {
        uint64_t n;
        if (tr_store_count(st, f, &n) != TR_OK) {
            fprintf(stderr, "trawl: %s\n", tr_store_errmsg(st));
            rc = 1;
        } else {
            printf("%" PRIu64 "\n", n);
        }
        goto out;
    }
    if (o->output && !(out = fopen(o->output, "w"))) {
        fprintf(stderr, "trawl: %s: %s\n", o->output, strerror(errno));
        rc = 1;
        goto out;
    }
    if (tr_sink_file_new(out, fmt, &sink) != TR_OK) {
        fprintf(stderr, "trawl: out of memory\n");
        rc = 1;
        goto out;
    }
    emit_ctx e = { sink, o->limit > 0 ? (uint64_t)o->limit : UINT64_MAX };
    tr_store_cursor cur = { 0 };
    for (;;) {
        size_t want = (size_t)TR_MIN(e.left, (uint64_t)QUERY_PAGE), got;
        if (want == 0)
            break;
        tr_err qe = tr_store_query(st, f, &cur, want, emit, &e, &got);
        if (qe == TR_EIO) {
            fprintf(stderr, "trawl: write error: %s\n", strerror(errno));
            rc = 1;
            break;
        }
        if (qe) {
            fprintf(stderr, "trawl: %s\n", tr_store_errmsg(st));
            rc = 1;
            break;
        }
        if (got < want)
            break;
    }
    if (tr_sink_flush(sink) != TR_OK) {
        fprintf(stderr, "trawl: write error: %s\n", strerror(errno));
        rc = 1;
    }
out:
    tr_sink_free(sink);
    if (out && out != stdout && fclose(out) != 0 && rc == 0) {
        fprintf(stderr, "trawl: %s: %s\n", o->output, strerror(errno));
        rc = 1;
    }
    tr_store_close(st);
    return rc;
}

int cmd_query(int argc, char **argv)
{
    query_opts o = { 0 };
    const opt table[] = {
        OPT_STRING(0, "store", "DB", &o.store, "the store to read (written by trawl hunt --store)"),
        OPT_STRING(0, "tenant", "ID", &o.tenant, "only this tenant"),
        OPT_STRING(0, "rule", "ID", &o.rule, "only this rule id (ioc:<type> for indicators)"),
        OPT_STRING(0, "level", "LEVEL", &o.level, "only this level or above"),
        OPT_STRING(0, "kind", "KIND", &o.kind, "only sigma, ioc or correlation detections"),
        OPT_STRING(0, "indicator", "VALUE", &o.indicator, "only matches of this indicator"),
        OPT_STRING(0, "since", "TIME", &o.since, "only detections at or after TIME"),
        OPT_STRING(0, "until", "TIME", &o.until, "only detections before TIME"),
        OPT_INT('n', "limit", "N", &o.limit, "at most N detections"),
        OPT_FLAG(0, "count", &o.count, "print the number of matching detections only"),
        OPT_STRING('f', "format", "FMT", &o.format,
                   "table, jsonl or csv (default: table on a terminal, jsonl otherwise)"),
        OPT_STRING('o', "output", "FILE", &o.output, "write to FILE instead of stdout"),
        OPT_END(),
    };
    opt_list pos = { 0 };
    bool help;
    int rc = opts_parse(&query_usage, table, argc, argv, &pos, &help);
    if (rc || help)
        goto out;
    rc = 2;
    if (!o.store) {
        fprintf(stderr, "trawl query: --store DB is required\n");
        goto out;
    }
    if (pos.n) {
        fprintf(stderr, "trawl query: unexpected argument '%s'\n", pos.v[0]);
        goto out;
    }
    if (o.limit < 0) {
        fprintf(stderr, "trawl query: --limit must not be negative\n");
        goto out;
    }
    tr_det_format fmt = isatty(STDOUT_FILENO) && !o.output ? TR_DETFMT_TABLE : TR_DETFMT_JSONL;
    if (o.format) {
        if (strcmp(o.format, "table") == 0)
            fmt = TR_DETFMT_TABLE;
        else if (strcmp(o.format, "jsonl") == 0 || strcmp(o.format, "json") == 0)
            fmt = TR_DETFMT_JSONL;
        else if (strcmp(o.format, "csv") == 0)
            fmt = TR_DETFMT_CSV;
        else {
            fprintf(stderr, "trawl query: unknown format '%s' (table, jsonl, csv)\n", o.format);
            goto out;
        }
    }
    tr_store_filter f;
    if ((rc = build_filter(&o, &f)) != 0)
        goto out;
    rc = run_query(&o, &f, fmt);
out:
    opt_list_free(&pos);
    return rc;
}
