/*
 * kafka_record.c - a Kafka message turned into an event (kafka_record.h).
 *
 * File sources keep per-source parser state (the #fields of a Zeek file,
 * the year of a syslog file) for a whole file; messages of many files
 * interleave in a partition, so here that state travels with each message
 * and the worker keeps a few parsers keyed by it: a hash of the header
 * lines, or the hour of the message timestamp (a year-less syslog date gets
 * the latest year that puts it no later than that time).
 */
#include "core/common.h"

#include "core/hash.h"
#include "pipeline/kafka_record.h"
#include "trawl/arena.h"
#include "trawl/kafka.h"

#define KREC_MAX_FIELDS 2048
#define KREC_ARENA_CAP ((size_t)64 << 20)
#define KREC_HOUR_MS 3600000LL

tr_err krec_init(krec *r, const tr_hunt_config *cfg)
{
    memset(r, 0, sizeof(*r));
    r->cfg = cfg;
    r->fields = tr_malloc(KREC_MAX_FIELDS * sizeof(tr_field));
    r->arena = tr_arena_new(256 * 1024, KREC_ARENA_CAP);
    if (!r->fields || !r->arena)
        return TR_ENOMEM;
    tr_event_init(&r->ev, r->fields, KREC_MAX_FIELDS, r->arena);
    return TR_OK;
}

void krec_release(krec *r)
{
    for (int i = 0; i < KREC_PARSERS; i++)
        tr_parser_free(r->parsers[i].p);
    tr_free(r->fields);
    tr_arena_free(r->arena);
    memset(r, 0, sizeof(*r));
}

tr_str krec_header(rd_kafka_message_t *m, const char *name)
{
    rd_kafka_headers_t *hdrs;
    const void *v;
    size_t n;
    if (rd_kafka_message_headers(m, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR ||
        rd_kafka_header_get_last(hdrs, name, &v, &n) != RD_KAFKA_RESP_ERR_NO_ERROR || !v)
        return (tr_str){ NULL, 0 };
    return (tr_str){ v, n };
}

tr_str krec_record(const rd_kafka_message_t *m)
{
    tr_str r = { m->payload, m->payload ? m->len : 0 };
    while (r.n && (r.p[r.n - 1] == '\n' || r.p[r.n - 1] == '\r'))
        r.n--;
    return r;
}

tr_format krec_detect(tr_buf *scratch, rd_kafka_message_t *m)
{
    tr_str rec = krec_record(m);
    tr_str hdr = krec_header(m, TR_KAFKA_HEADER_LINES);
    if (!rec.n)
        return TR_FMT_AUTO;
    tr_buf_reset(scratch);
    if (hdr.n && (tr_buf_append(scratch, hdr.p, hdr.n) || tr_buf_putc(scratch, '\n')))
        return TR_FMT_AUTO;
    if (tr_buf_append(scratch, rec.p, TR_MIN(rec.n, (size_t)4096)) || tr_buf_putc(scratch, '\n'))
        return TR_FMT_AUTO;
    tr_format f = tr_format_detect(scratch->p, scratch->n, NULL);
    return f == TR_FMT_COUNT || f == TR_FMT_EVTX ? TR_FMT_AUTO : f;
}

/* The cached parser for (f, its state), created on a miss. */
static tr_parser *parser_for(krec *r, tr_format f, tr_str hdr, int64_t ts_ms)
{
    const tr_parse_opts *po0 = &r->cfg->reader.parse;
    bool header_fmt = tr_format_header_line(f, TR_STR("#"));
    uint64_t key = 0;
    if (header_fmt)
        key = hdr.n ? tr_hash64(hdr.p, hdr.n, 0x6b686472) : 1;
    else if (f == TR_FMT_SYSLOG && !po0->ref_time && !po0->default_year && ts_ms > 0)
        key = (uint64_t)((ts_ms + KREC_HOUR_MS - 1) / KREC_HOUR_MS); /* ceiling to the hour */
    r->clock++;
    krec_parser *slot = &r->parsers[0];
    for (int i = 0; i < KREC_PARSERS; i++) {
        krec_parser *k = &r->parsers[i];
        if (k->p && k->fmt == f && k->key == key) {
            k->used = r->clock;
            return k->p;
        }
        if (!k->p || (slot->p && k->used < slot->used))
            slot = k;
    }
    tr_parser_free(slot->p);
    slot->p = NULL;
    tr_parse_opts po = *po0;
    if (key && f == TR_FMT_SYSLOG)
        po.ref_time = (int64_t)key * KREC_HOUR_MS * 1000000;
    tr_parser *p;
    if (tr_parser_new(f, &po, &p))
        return NULL;
    /* the file's header lines, as the file hunt replays them */
    for (const char *q = hdr.p, *end = hdr.p + hdr.n; q && q < end;) {
        const char *nl = memchr(q, '\n', (size_t)(end - q));
        size_t n = nl ? (size_t)(nl - q) : (size_t)(end - q);
        tr_arena_reset(r->arena);
        tr_event_reset(&r->ev);
        (void)tr_parser_parse(p, (tr_str){ q, n }, &r->ev);
        q += n + 1;
    }
    *slot = (krec_parser){ p, f, key, r->clock };
    return p;
}

tr_err krec_event(krec *r, rd_kafka_message_t *m, const char *path, tr_format fmt)
{
    const tr_hunt_config *cfg = r->cfg;
    tr_str rec = krec_record(m);
    if (fmt == TR_FMT_AUTO) {
        snprintf(r->why, sizeof(r->why),
                 "the format of this topic is not detected yet (give --input-format)");
        return TR_EPARSE;
    }
    size_t max = cfg->reader.max_record ? cfg->reader.max_record : (size_t)16 << 20;
    if (rec.n > max) {
        snprintf(r->why, sizeof(r->why), "record of %zu bytes exceeds the limit (%zu)", rec.n,
                 max);
        return TR_ELIMIT;
    }
    bool header_fmt = tr_format_header_line(fmt, TR_STR("#"));
    if (header_fmt && tr_format_header_line(fmt, rec))
        return TR_ESKIP; /* header lines belong in the trawl-header message header */
    tr_str hdr = header_fmt ? krec_header(m, TR_KAFKA_HEADER_LINES) : (tr_str){ NULL, 0 };
    rd_kafka_timestamp_type_t tstype;
    tr_parser *p = parser_for(r, fmt, hdr, rd_kafka_message_timestamp(m, &tstype));
    if (!p) {
        snprintf(r->why, sizeof(r->why), "no decoder for %s", tr_format_name(fmt));
        return TR_EPARSE;
    }
    tr_event *ev = &r->ev;
    tr_arena_reset(r->arena);
    tr_event_reset(ev);
    ev->path = tr_str_c(path);
    ev->record = (uint64_t)m->offset;
    ev->line = 0;
    ev->offset = 0;
    if (cfg->tenant)
        ev->tenant = tr_str_c(cfg->tenant);
    else if (m->key_len)
        ev->tenant = (tr_str){ m->key, m->key_len };
    else
        ev->tenant = krec_header(m, TR_KAFKA_HEADER_TENANT);
    tr_err e = tr_parser_parse(p, rec, ev);
    if (e == TR_ESKIP)
        return e;
    if (e) {
        snprintf(r->why, sizeof(r->why), "%s", tr_parser_errmsg(p));
        return e == TR_ELIMIT ? TR_ELIMIT : TR_EPARSE;
    }
    if (cfg->tenant_field) {
        const tr_field *f = tr_event_find(ev, tr_str_c(cfg->tenant_field));
        tr_str v;
        if (f && f->kind != TR_VNULL && tr_field_value(f, r->arena, &v) == TR_OK && v.n)
            ev->tenant = v;
    }
    return TR_OK;
}
