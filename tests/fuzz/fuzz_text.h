/*
 * fuzz_text.h - the shared driver of the line-based decoder fuzz targets
 * (fuzz_weblog, fuzz_w3c, fuzz_zeek, fuzz_syslog, fuzz_auditd).
 *
 * The input is cut into lines; optional header lines are fed first so that
 * the fuzzer reaches the record path of stateful formats, then every line
 * goes through the parser. Every field of every event is read in full, so
 * that AddressSanitizer sees any slice that points outside the record or
 * the arena, and an event must never claim more fields than its array.
 */
#ifndef TR_TESTS_FUZZ_TEXT_H
#define TR_TESTS_FUZZ_TEXT_H

#include "core/common.h"

#include "parse/weblog_text.h"
#include "trawl/arena.h"
#include "trawl/parse.h"

#define FUZZ_TEXT_FIELDS 256

static volatile unsigned fuzz_text_sink;

static void fuzz_text_touch(const tr_event *ev)
{
    if (ev->nfields > ev->cap)
        abort();
    unsigned h = 0;
    for (uint32_t i = 0; i < ev->nfields; i++) {
        const tr_field *f = &ev->fields[i];
        for (size_t k = 0; k < f->name.n; k++)
            h += (unsigned char)f->name.p[k];
        for (size_t k = 0; k < f->value.n; k++)
            h += (unsigned char)f->value.p[k];
        if (f->kind > TR_VNULL)
            abort();
        /* `trawl cat` writes numbers and booleans verbatim: they must be JSON */
        if (f->kind == TR_VNUM && !tr_text_is_number(f->value))
            abort();
        if (f->kind == TR_VBOOL && !tr_str_eq(f->value, TR_STR("true")) &&
            !tr_str_eq(f->value, TR_STR("false")))
            abort();
        if (!f->name.n)
            abort();
    }
    h += (unsigned)ev->logsource.service.n + ev->logsource.ncategory;
    fuzz_text_sink += h;
}

/* Runs fmt over headers[] then over the lines of data. Each line is copied
 * into its own heap block so that reads past its end are caught. */
static int fuzz_text_run(tr_format fmt, const tr_parse_opts *opts, const char *const *headers,
                         const uint8_t *data, size_t size)
{
    tr_parser *p;
    if (tr_parser_new(fmt, opts, &p) != TR_OK)
        abort();
    tr_arena *a = tr_arena_new(4096, 1u << 24);
    tr_field *fields = malloc(FUZZ_TEXT_FIELDS * sizeof(*fields));
    if (!a || !fields)
        abort();
    tr_event ev;
    tr_event_init(&ev, fields, FUZZ_TEXT_FIELDS, a);
    for (size_t i = 0; headers && headers[i]; i++) {
        tr_arena_reset(a);
        tr_event_reset(&ev);
        tr_parser_parse(p, tr_str_c(headers[i]), &ev);
    }
    size_t off = 0;
    while (off < size) {
        const uint8_t *nl = memchr(data + off, '\n', size - off);
        size_t n = nl ? (size_t)(nl - (data + off)) : size - off;
        char *line = malloc(n ? n : 1);
        if (!line)
            abort();
        memcpy(line, data + off, n);
        tr_arena_reset(a);
        tr_event_reset(&ev);
        tr_err err = tr_parser_parse(p, (tr_str){ line, n }, &ev);
        if (err == TR_OK)
            fuzz_text_touch(&ev);
        else if (err != TR_ESKIP && err != TR_EPARSE && err != TR_ELIMIT)
            abort();
        else if (err != TR_ESKIP && tr_parser_errmsg(p)[0] == '\0')
            abort(); /* every rejection says why */
        free(line);
        off += n + 1;
    }
    free(fields);
    tr_arena_free(a);
    tr_parser_free(p);
    return 0;
}

#endif
