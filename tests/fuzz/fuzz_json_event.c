/*
 * fuzz_json_event.c - every JSON input format's parser on the same bytes:
 * no crash, no read outside the record; an accepted record is a valid JSON
 * object, every escaped value decodes, and every slice lies in the record
 * or the event arena; a valid object is never rejected as malformed (only
 * limits may refuse it). Content detection runs on the bytes too.
 */
#include "core/common.h"

#include "core/json.h"
#include "trawl/arena.h"
#include "trawl/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const tr_format fmts[] = { TR_FMT_JSON, TR_FMT_EVTX_JSON, TR_FMT_WINLOGBEAT,
                                  TR_FMT_NXLOG, TR_FMT_EVE, TR_FMT_ZEEK_JSON };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    (void)tr_format_detect(p, size, "fuzz.log");
    tr_field fields[128];
    tr_arena *arena = tr_arena_new(4096, 1 << 20);
    if (!arena)
        return 0;
    size_t lead = 0;
    while (lead < size && (p[lead] == ' ' || p[lead] == '\t' || p[lead] == '\r' || p[lead] == '\n'))
        lead++;
    bool valid_object = tr_json_validate(p, size, 0, NULL) == TR_OK && lead < size && p[lead] == '{';
    for (size_t k = 0; k < TR_ARRAY_LEN(fmts); k++) {
        tr_parser *parser;
        if (tr_parser_new(fmts[k], NULL, &parser) != TR_OK)
            abort();
        tr_event ev;
        tr_event_init(&ev, fields, TR_ARRAY_LEN(fields), arena);
        ev.path = TR_STR("conn.log");
        tr_arena_reset(arena);
        tr_err err = tr_parser_parse(parser, (tr_str){ p, size }, &ev);
        if (err == TR_OK) {
            if (!valid_object)
                abort(); /* accepted something that is not a valid JSON document */
            for (uint32_t i = 0; i < ev.nfields; i++) {
                const tr_field *f = &ev.fields[i];
                if (f->value.n && (f->value.p < p || f->value.p + f->value.n > p + size))
                    abort(); /* values are always slices of the record */
                tr_str v;
                if (tr_field_value(f, arena, &v) != TR_OK)
                    abort();
                /* touch every byte of name and alias (ASan checks the bounds) */
                volatile unsigned sum = 0;
                for (size_t b = 0; b < f->name.n; b++)
                    sum += (unsigned char)f->name.p[b];
                for (size_t b = 0; b < f->alias.n; b++)
                    sum += (unsigned char)f->alias.p[b];
                (void)sum;
            }
        } else if (err != TR_EPARSE && err != TR_ELIMIT && err != TR_ESKIP) {
            abort(); /* TR_EINTERNAL: the fast walk and the tokenizer disagree */
        } else if (err == TR_EPARSE && valid_object) {
            abort(); /* rejected a valid object */
        } else if (!tr_parser_errmsg(parser)[0] && err != TR_ESKIP) {
            abort(); /* every rejection says why */
        }
        tr_parser_free(parser);
    }
    tr_arena_free(arena);
    return 0;
}
