/*
 * cmd_cat.c - `trawl cat PATH…`: every normalised event as one JSON line.
 *
 * The debugging view of the parsers and the mappings. Malformed records are
 * reported as "trawl: PATH:LINE: reason", counted, and skipped.
 */
#include "core/common.h"

#include "cli/commands.h"
#include "core/buf.h"
#include "cli/opts.h"
#include "trawl/arena.h"
#include "trawl/fleet.h"
#include "trawl/input.h"
#include "trawl/log.h"
#include "trawl/logsource.h"
#include "trawl/reader.h"
#include "trawl/report.h"

#define CAT_MAX_FIELDS 1024

static const cmd_usage cat_usage = {
    "cat",
    "[options] PATH…",
    "Print each event of the given files, directories (walked recursively) or '-' (stdin)\n"
    "as one JSON line: ts, tenant, logsource, path, record, line, fields.",
    "Compressed files (gzip, zstd, lz4) are read transparently; the format is detected\n"
    "from the content unless --input-format names it. Each file with malformed records\n"
    "reports how many were skipped; with -v every file gets a summary line on stderr.\n"
    "Tenants: --tenant for every event; with --fleet, a directory component of each path\n"
    "naming a tenant of the fleet file (…/<tenant>/…); --tenant-from field:NAME takes it\n"
    "from each event's field NAME (as trawl hunt does).\n"
    "Exit status: 0 when every file was read (malformed records are reported and\n"
    "counted, not fatal), 1 when a file could not be read, 2 on a usage error.",
};

typedef struct cat_opts {
    const char *format;
    const char *tenant;
    const char *tenant_from; /* --tenant-from field:NAME, "field:" stripped */
    const tr_fleet *fleet;   /* --fleet: tenant from the directory layout */
    const char *timestamp_field;
    long long max_record;
    long long year;          /* --year: RFC 3164 syslog */
    bool quiet_summary;
    const char *logsource; /* --logsource P[/C[/S]] */
    const char *mapping;   /* --mapping FILE */
    tr_router *router;     /* route stage: logsource + taxonomy names */
} cat_opts;

static int cat_one(const char *path, const cat_opts *o, tr_format fmt, tr_event *ev,
                   tr_buf *out, uint64_t *total_events, uint64_t *total_rejected)
{
    tr_reader_opts ro = { .format = fmt, .max_record = (size_t)o->max_record };
    ro.parse.timestamp_field = o->timestamp_field;
    ro.parse.default_year = (int)o->year;
    char err[512];
    tr_reader *r;
    if (tr_reader_open(path, &ro, &r, err, sizeof(err)) != TR_OK) {
        tr_error("%s", err);
        return 1;
    }
    tr_str tenant = tr_str_c(o->tenant);
    if (!tenant.n && o->fleet) {
        const tr_tenant *t = tr_fleet_for_path(o->fleet, path);
        if (t)
            tenant = t->id;
    }
    int rc = 0;
    for (;;) {
        tr_err e = tr_reader_next(r, ev);
        if (e == TR_EEOF)
            break;
        if (e == TR_EPARSE || e == TR_ELIMIT) {
            tr_log_at(TR_LOG_ERROR, path, tr_reader_errline(r), "%s", tr_reader_errmsg(r));
            continue;
        }
        if (e) {
            tr_log_at(TR_LOG_ERROR, path, 0, "%s", tr_reader_errmsg(r));
            rc = 1;
            break;
        }
        ev->tenant = tenant; /* the event keeps the previous file's tenant otherwise */
        if (o->tenant_from) {
            const tr_field *f = tr_event_find(ev, tr_str_c(o->tenant_from));
            tr_str v = { NULL, 0 };
            if (f && f->kind != TR_VNULL && tr_field_value(f, ev->arena, &v) == TR_OK && v.n)
                ev->tenant = v;
        }
        tr_router_route(o->router, ev);
        tr_buf_reset(out);
        if (tr_event_to_json(ev, out) != TR_OK || fwrite(out->p, 1, out->n, stdout) != out->n) {
            tr_error("write error: %s", strerror(errno));
            rc = 1;
            break;
        }
    }
    const tr_reader_stats *st = tr_reader_stats_get(r);
    if (!o->quiet_summary)
        tr_log_at(TR_LOG_INFO, path, 0, "%" PRIu64 " events, %" PRIu64 " rejected, %" PRIu64
                  " header lines (%s, %s)", st->events, st->rejected, st->skipped,
                  tr_format_name(tr_reader_format(r)),
                  tr_compression_name(tr_reader_compression(r)));
    if (st->rejected)
        tr_log_at(TR_LOG_WARN, path, 0, "%" PRIu64 " malformed record%s skipped", st->rejected,
                  st->rejected == 1 ? "" : "s");
    *total_events += st->events;
    *total_rejected += st->rejected;
    tr_reader_free(r);
    return rc;
}

int cmd_cat(int argc, char **argv)
{
    cat_opts o = { 0 };
    const char *fleet_path = NULL;
    tr_fleet *fleet = NULL;
    const opt table[] = {
        OPT_STRING('F', "input-format", "FMT", &o.format,
                   "input format (auto, json, evtx-json, winlogbeat, nxlog, eve, zeek-json,"
                   " zeek, combined, w3c, syslog, auditd, evtx); default auto"),
        OPT_STRING(0, "tenant", "ID", &o.tenant, "tenant id to stamp on every event"),
        OPT_STRING(0, "tenant-from", "field:NAME", &o.tenant_from,
                   "take each event's tenant from its field NAME"),
        OPT_STRING(0, "fleet", "FILE", &fleet_path,
                   "fleet inventory: tenants from the directory layout (…/<tenant>/…)"),
        OPT_STRING(0, "timestamp-field", "NAME", &o.timestamp_field,
                   "generic JSON: the field holding the event time"),
        OPT_INT(0, "year", "YYYY", &o.year, "year of the first line of year-less syslog (RFC 3164)"),
        OPT_INT(0, "max-record", "BYTES", &o.max_record,
                "longest record accepted (default 16777216); longer ones are reported and skipped"),
        OPT_STRING(0, "logsource", "P[/C[/S]]", &o.logsource,
                   "logsource of events whose format has none (generic JSON)"),
        OPT_STRING(0, "mapping", "FILE", &o.mapping,
                   "logsource mapping file (docs/LOGSOURCE.md)"),
        OPT_END(),
    };
    opt_list pos = { 0 };
    bool help;
    int rc = opts_parse(&cat_usage, table, argc, argv, &pos, &help);
    if (rc || help)
        goto out;
    if (pos.n == 0) {
        fprintf(stderr, "trawl cat: no input (give a file, a directory or '-')\n");
        rc = 2;
        goto out;
    }
    tr_format fmt = TR_FMT_AUTO;
    if (o.format && (fmt = tr_format_from_name(o.format)) == TR_FMT_COUNT) {
        fprintf(stderr, "trawl cat: unknown input format '%s'\n", o.format);
        rc = 2;
        goto out;
    }
    if (o.max_record < 0 || o.year < 0 || o.year > 9999) {
        fprintf(stderr, "trawl cat: --max-record and --year must be positive\n");
        rc = 2;
        goto out;
    }
    if (o.tenant_from) {
        if (strncmp(o.tenant_from, "field:", 6) != 0 || !o.tenant_from[6]) {
            fprintf(stderr, "trawl cat: --tenant-from takes field:NAME\n");
            rc = 2;
            goto out;
        }
        o.tenant_from += 6;
    }
    char err[512];
    if (fleet_path) {
        if (tr_fleet_load(fleet_path, &fleet, NULL, err, sizeof(err)) != TR_OK) {
            tr_error("%s", err);
            rc = 1;
            goto out;
        }
        o.fleet = fleet;
    }
    if (tr_router_new(o.mapping, &o.router, err, sizeof(err)) != TR_OK ||
        (o.logsource && tr_router_declare_spec(o.router, o.logsource, err, sizeof(err)))) {
        fprintf(stderr, "trawl cat: %s\n", err);
        rc = 2;
        goto out;
    }
    tr_pathlist files = { 0 };
    for (size_t i = 0; i < pos.n; i++) {
        tr_err e = tr_pathlist_add(&files, pos.v[i]);
        if (e) {
            tr_log_at(TR_LOG_ERROR, pos.v[i], 0, "%s", tr_strerror(e));
            rc = 1;
        }
    }
    tr_field *fields = malloc(CAT_MAX_FIELDS * sizeof(tr_field));
    tr_arena *arena = tr_arena_new(0, 64u << 20);
    if (!fields || !arena) {
        tr_error("out of memory");
        rc = 1;
    } else {
        tr_event ev;
        tr_event_init(&ev, fields, CAT_MAX_FIELDS, arena);
        uint64_t events = 0, rejected = 0;
        tr_buf out;
        tr_buf_init(&out, 0);
        for (size_t i = 0; i < files.n; i++)
            if (cat_one(files.paths[i], &o, fmt, &ev, &out, &events, &rejected))
                rc = 1;
        tr_buf_release(&out);
        if (fflush(stdout) != 0) {
            tr_error("write error: %s", strerror(errno));
            rc = 1;
        }
    }
    free(fields);
    tr_arena_free(arena);
    tr_pathlist_release(&files);
out:
    tr_fleet_free(fleet);
    tr_router_free(o.router);
    opt_list_free(&pos);
    return rc;
}
