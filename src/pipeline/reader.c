/*
 * reader.c - source + parser = events (see trawl/reader.h).
 */
#include "core/common.h"

#include <sys/stat.h>

#include "trawl/arena.h"
#include "trawl/reader.h"

struct tr_reader {
    tr_source *src;
    tr_parser *parser;
    tr_format format;
    tr_reader_stats stats;
    uint64_t next_record;
    uint64_t errline;
    char errmsg[320];
};

tr_err tr_reader_open(const char *path, const tr_reader_opts *opts, tr_reader **out,
                      char *errbuf, size_t errlen)
{
    *out = NULL;
    tr_reader_opts o = { 0 };
    if (opts)
        o = *opts;
    tr_reader *r = tr_calloc(1, sizeof(*r));
    if (!r)
        return TR_ENOMEM;
    tr_source_opts so = {
        .format = o.format,
        .max_record = o.max_record,
        .start_offset = o.start_offset,
        .start_line = o.start_line,
    };
    tr_err err = tr_source_open(path, &so, &r->src, errbuf, errlen);
    if (err)
        goto fail;
    r->format = tr_source_format(r->src);
    struct stat sb;
    if (!o.parse.ref_time && strcmp(path, "-") != 0 && stat(path, &sb) == 0)
        o.parse.ref_time = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
    err = tr_parser_new(r->format, &o.parse, &r->parser);
    if (err) {
        snprintf(errbuf, errlen, "%s: no decoder for format %s: %s", path,
                 tr_format_name(r->format), tr_strerror(err));
        goto fail;
    }
    r->next_record = o.start_record;
    *out = r;
    return TR_OK;
fail:
    tr_reader_free(r);
    return err;
}

void tr_reader_free(tr_reader *r)
{
    if (!r)
        return;
    tr_parser_free(r->parser);
    tr_source_free(r->src);
    tr_free(r);
}

tr_err tr_reader_next(tr_reader *r, tr_event *ev)
{
    for (;;) {
        tr_record rec;
        tr_err err = tr_source_next(r->src, &rec);
        if (err == TR_EEOF)
            return err;
        if (err == TR_ELIMIT || err == TR_EPARSE) {
            r->stats.rejected++;
            r->next_record++; /* a malformed record is still a record */
            r->errline = rec.line;
            snprintf(r->errmsg, sizeof(r->errmsg), "%s", tr_source_errmsg(r->src));
            return err;
        }
        if (err) {
            r->errline = 0;
            snprintf(r->errmsg, sizeof(r->errmsg), "%s", tr_source_errmsg(r->src));
            return err;
        }
        if (ev->arena)
            tr_arena_reset(ev->arena);
        tr_event_reset(ev);
        ev->path = (tr_str){ tr_source_path(r->src), strlen(tr_source_path(r->src)) };
        ev->line = rec.line;
        ev->offset = rec.offset;
        bool header = tr_format_header_line(r->format, rec.data);
        err = tr_parser_parse(r->parser, rec.data, ev);
        if (err == TR_ESKIP || header) {
            r->stats.skipped++;
            if (!header)
                r->next_record++;
            continue;
        }
        if (err) {
            r->stats.rejected++;
            r->next_record++;
            r->errline = rec.line;
            snprintf(r->errmsg, sizeof(r->errmsg), "%s", tr_parser_errmsg(r->parser));
            return err == TR_ELIMIT ? TR_ELIMIT : TR_EPARSE;
        }
        ev->record = r->next_record++;
        r->stats.events++;
        return TR_OK;
    }
}

const char *tr_reader_errmsg(const tr_reader *r)
{
    return r->errmsg;
}

uint64_t tr_reader_errline(const tr_reader *r)
{
    return r->errline;
}

const char *tr_reader_path(const tr_reader *r)
{
    return tr_source_path(r->src);
}

tr_format tr_reader_format(const tr_reader *r)
{
    return r->format;
}

tr_compression tr_reader_compression(const tr_reader *r)
{
    return tr_source_compression(r->src);
}

const tr_reader_stats *tr_reader_stats_get(const tr_reader *r)
{
    ((tr_reader *)r)->stats.bytes = tr_source_offset(r->src);
    return &r->stats;
}

uint64_t tr_reader_offset(const tr_reader *r)
{
    return tr_source_offset(r->src);
}

uint64_t tr_reader_line(const tr_reader *r)
{
    return tr_source_line(r->src);
}

uint64_t tr_reader_bytes_read(const tr_reader *r)
{
    return tr_source_bytes_read(r->src);
}
