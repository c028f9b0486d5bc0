/*
 * cmd_ioc.c - `trawl ioc check|list FEED…`: load indicator feeds the way
 * `trawl hunt -i` does, report every rejected entry as
 * "trawl: PATH:LINE: reason" and summarise (check), or print the indicators
 * of the resulting index (list).
 */
#include "core/common.h"

#include "cli/commands.h"
#include "cli/opts.h"
#include "core/buf.h"
#include "core/jsonstr.h"
#include "core/time.h"
#include "trawl/ioc.h"
#include "trawl/log.h"

static const cmd_usage ioc_usage = {
    "ioc",
    "check|list [options] FEED…",
    "Load indicator feeds (plain lists, CSV, STIX 2.1 bundles, MISP events, Zeek intel\n"
    "files; the format is detected from the content) and check or list them.",
    "check  reports each rejected entry on stderr as PATH:LINE: reason (JSON feeds: the\n"
    "       line of the object, and its id) and prints counts by type on stdout.\n"
    "list   prints every indicator of the index, one a line: type, value, feed, actor,\n"
    "       confidence, first_seen, last_seen, valid_from, valid_until (TSV), or JSON lines.\n"
    "Exit status: 0 when every entry loaded, 1 when an entry was rejected or a feed could\n"
    "not be read, 2 on a usage error. See docs/IOC.md.",
};

typedef struct ioc_opts_cli {
    opt_list allow;
    const char *csv_map;
    const char *format;
    bool misp_all;
} ioc_opts_cli;

static void put_time(tr_buf *b, int64_t ns)
{
    char t[48];
    if (ns == TR_TS_NONE) {
        tr_buf_putc(b, '-');
        return;
    }
    size_t n = tr_time_format(ns, t, sizeof(t));
    tr_buf_append(b, t, n);
}

static void list_tsv(const tr_ioc_index *x, tr_buf *b)
{
    for (size_t i = 0; i < tr_ioc_index_count(x); i++) {
        tr_indicator ind;
        tr_ioc_index_get(x, i, &ind);
        tr_buf_reset(b);
        tr_buf_printf(b, "%s\t%.*s\t%.*s\t%.*s\t", tr_ioc_type_name(ind.type),
                      TR_STR_FMT(ind.value), TR_STR_FMT(ind.feed),
                      ind.actor.n ? (int)ind.actor.n : 1, ind.actor.n ? ind.actor.p : "-");
        if (ind.confidence >= 0)
            tr_buf_printf(b, "%d", ind.confidence);
        else
            tr_buf_putc(b, '-');
        int64_t ts[4] = { ind.first_seen, ind.last_seen, ind.valid_from, ind.valid_until };
        for (int k = 0; k < 4; k++) {
            tr_buf_putc(b, '\t');
            put_time(b, ts[k]);
        }
        tr_buf_putc(b, '\n');
        fwrite(b->p, 1, b->n, stdout);
    }
}

static void list_jsonl(const tr_ioc_index *x, tr_buf *b)
{
    for (size_t i = 0; i < tr_ioc_index_count(x); i++) {
        tr_indicator ind;
        tr_ioc_index_get(x, i, &ind);
        tr_buf_reset(b);
        tr_jw w;
        tr_jw_init(&w, b);
        tr_jw_obj(&w);
        tr_jw_key(&w, "type");
        tr_jw_str(&w, tr_ioc_type_name(ind.type));
        tr_jw_key(&w, "value");
        tr_jw_strn(&w, ind.value.p, ind.value.n);
        tr_jw_key(&w, "feed");
        tr_jw_strn(&w, ind.feed.p, ind.feed.n);
        tr_jw_key(&w, "actor");
        if (ind.actor.n)
            tr_jw_strn(&w, ind.actor.p, ind.actor.n);
        else
            tr_jw_null(&w);
        tr_jw_key(&w, "confidence");
        if (ind.confidence >= 0)
            tr_jw_int(&w, ind.confidence);
        else
            tr_jw_null(&w);
        tr_jw_key(&w, "first_seen");
        tr_jw_time(&w, ind.first_seen);
        tr_jw_key(&w, "last_seen");
        tr_jw_time(&w, ind.last_seen);
        tr_jw_key(&w, "valid_from");
        tr_jw_time(&w, ind.valid_from);
        tr_jw_key(&w, "valid_until");
        tr_jw_time(&w, ind.valid_until);
        tr_jw_end(&w);
        tr_buf_putc(b, '\n');
        fwrite(b->p, 1, b->n, stdout);
    }
}

static void summary(const tr_ioc_stats *st)
{
    printf("feeds: %" PRIu64 "\n", st->feeds);
    printf("indicators: %" PRIu64, st->total);
    const char *sep = " (";
    for (int t = 1; t < TR_IOC_TYPE_COUNT; t++) {
        if (!st->by_type[t])
            continue;
        printf("%s%s %" PRIu64, sep, tr_ioc_type_name((tr_ioc_type)t), st->by_type[t]);
        sep = ", ";
    }
    printf("%s\n", st->total ? ")" : "");
    printf("rejected: %" PRIu64 "\n", st->rejected);
    printf("skipped: %" PRIu64 "\n", st->skipped);
    printf("duplicates: %" PRIu64 "\n", st->duplicates);
    printf("allowlisted: %" PRIu64 " (allowlist entries: %" PRIu64 ")\n", st->allowlisted,
           st->allowlist_entries);
}

int cmd_ioc(int argc, char **argv)
{
    ioc_opts_cli o = { 0 };
    const opt table[] = {
        OPT_LIST('a', "allowlist", "FILE", &o.allow,
                 "benign values: a MISP warninglist or a plain list (repeatable)"),
        OPT_STRING(0, "csv-map", "SPEC", &o.csv_map,
                   "CSV columns, e.g. value=3,type=4,actor=actor (1-based or header names)"),
        OPT_FLAG(0, "misp-all", &o.misp_all,
                 "MISP: also attributes with to_ids=false (default: to_ids only)"),
        OPT_STRING(0, "format", "FMT", &o.format, "list: tsv (default) or jsonl"),
        OPT_END(),
    };
    opt_list pos = { 0 };
    bool help;
    int rc = opts_parse(&ioc_usage, table, argc, argv, &pos, &help);
    if (rc || help)
        goto out;
    if (pos.n < 2 || (strcmp(pos.v[0], "check") != 0 && strcmp(pos.v[0], "list") != 0)) {
        fprintf(stderr, "trawl ioc: give 'check' or 'list' and at least one feed\n");
        rc = 2;
        goto out;
    }
    bool list = strcmp(pos.v[0], "list") == 0;
    bool jsonl = false;
    if (o.format && !(jsonl = strcmp(o.format, "jsonl") == 0) && strcmp(o.format, "tsv") != 0) {
        fprintf(stderr, "trawl ioc: unknown --format '%s' (tsv or jsonl)\n", o.format);
        rc = 2;
        goto out;
    }
    tr_ioc_opts io = { .misp_all_attributes = o.misp_all, .csv_map = o.csv_map };
    tr_ioc_builder *b;
    if (tr_ioc_builder_new(&io, &b) != TR_OK) {
        tr_error("out of memory");
        rc = 1;
        goto out;
    }
    for (size_t i = 0; i < o.allow.n; i++) {
        tr_err e = tr_ioc_builder_add_allowlist(b, o.allow.v[i]);
        if (e && e != TR_EPARSE) {
            tr_log_at(TR_LOG_ERROR, o.allow.v[i], 0, "%s", tr_strerror(e));
            rc = 1;
        } else if (e) {
            rc = 1;
        }
    }
    for (size_t i = 1; i < pos.n; i++) {
        tr_err e = tr_ioc_builder_add_feed(b, pos.v[i], NULL);
        if (e == TR_ENOMEM) {
            tr_error("out of memory");
            tr_ioc_builder_free(b);
            rc = 1;
            goto out;
        }
        if (e && e != TR_EPARSE && e != TR_EFORMAT && e != TR_EINVAL)
            tr_log_at(TR_LOG_ERROR, pos.v[i], 0, "%s", tr_strerror(e));
        if (e)
            rc = 1;
    }
    tr_ioc_index *x;
    if (tr_ioc_builder_finish(b, &x) != TR_OK) {
        tr_error("out of memory");
        rc = 1;
        goto out;
    }
    tr_ioc_stats st;
    tr_ioc_index_stats(x, &st);
    if (list) {
        tr_buf buf = TR_BUF_INIT;
        if (jsonl)
            list_jsonl(x, &buf);
        else
            list_tsv(x, &buf);
        tr_buf_release(&buf);
    } else {
        summary(&st);
        if (st.rejected)
            rc = 1;
    }
    if (fflush(stdout) != 0) {
        tr_error("write error: %s", strerror(errno));
        rc = 1;
    }
    tr_ioc_index_free(x);
out:
    opt_list_free(&o.allow);
    opt_list_free(&pos);
    return rc;
}
