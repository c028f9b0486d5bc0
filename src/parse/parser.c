/*
 * parser.c - format registry and the tr_parser lifecycle (see trawl/parse.h).
 */
#include "core/common.h"

#include "parse/format.h"

static const char *const format_names[] = {
#define TR_FMT_NAME(id, name, desc) name,
    TR_FORMATS(TR_FMT_NAME)
#undef TR_FMT_NAME
};

static const char *const format_descs[] = {
#define TR_FMT_DESC(id, name, desc) desc,
    TR_FORMATS(TR_FMT_DESC)
#undef TR_FMT_DESC
};

/* Which decoder serves which format. Formats built on JSON share one. */
static const tr_format_ops *format_ops(tr_format fmt)
{
    switch (fmt) {
    case TR_FMT_COMBINED:
        return &tr_combined_format_ops;
    case TR_FMT_W3C:
        return &tr_w3c_format_ops;
    case TR_FMT_ZEEK:
        return &tr_zeek_format_ops;
    case TR_FMT_SYSLOG:
        return &tr_syslog_format_ops;
    case TR_FMT_AUDITD:
        return &tr_auditd_format_ops;
    case TR_FMT_JSON:
    case TR_FMT_EVTX_JSON:
    case TR_FMT_WINLOGBEAT:
    case TR_FMT_NXLOG:
    case TR_FMT_EVE:
    case TR_FMT_ZEEK_JSON:
        return &tr_json_format_ops;
    case TR_FMT_EVTX:
        return &tr_evtx_format_ops;
    default:
        return NULL;
    }
}

const char *tr_format_name(tr_format fmt)
{
    return (unsigned)fmt < TR_FMT_COUNT ? format_names[fmt] : "?";
}

const char *tr_format_desc(tr_format fmt)
{
    return (unsigned)fmt < TR_FMT_COUNT ? format_descs[fmt] : "?";
}

tr_format tr_format_from_name(const char *name)
{
    for (int i = 0; i < TR_FMT_COUNT; i++)
        if (strcmp(format_names[i], name) == 0)
            return (tr_format)i;
    return TR_FMT_COUNT;
}

bool tr_format_is_json(tr_format fmt)
{
    switch (fmt) {
    case TR_FMT_JSON:
    case TR_FMT_EVTX_JSON:
    case TR_FMT_WINLOGBEAT:
    case TR_FMT_NXLOG:
    case TR_FMT_EVE:
    case TR_FMT_ZEEK_JSON:
        return true;
    default:
        return false;
    }
}

/* "Record 1234": evtx_dump -o json writes one before each record. */
static bool evtx_dump_record_line(tr_str line)
{
    if (line.n && line.p[line.n - 1] == '\r')
        line.n--;
    if (line.n < 8 || memcmp(line.p, "Record ", 7) != 0)
        return false;
    for (size_t i = 7; i < line.n; i++)
        if ((unsigned)(line.p[i] - '0') > 9)
            return false;
    return true;
}

bool tr_format_header_line(tr_format fmt, tr_str line)
{
    if (fmt == TR_FMT_EVTX_JSON)
        return evtx_dump_record_line(line);
    if (fmt != TR_FMT_ZEEK && fmt != TR_FMT_W3C)
        return false;
    if (line.n >= 3 && memcmp(line.p, "\xEF\xBB\xBF", 3) == 0) { /* byte order mark */
        line.p += 3;
        line.n -= 3;
    }
    return line.n && line.p[0] == '#';
}

tr_err tr_parser_fail(tr_parser *p, tr_err err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->errmsg, sizeof(p->errmsg), fmt, ap);
    va_end(ap);
    return err;
}

tr_err tr_parser_new(tr_format fmt, const tr_parse_opts *opts, tr_parser **out)
{
    *out = NULL;
    if ((unsigned)fmt >= TR_FMT_COUNT || fmt == TR_FMT_AUTO)
        return TR_EINVAL;
    const tr_format_ops *ops = format_ops(fmt);
    if (!ops)
        return TR_EUNSUPPORTED;
    tr_parser *p = tr_calloc(1, sizeof(*p));
    if (!p)
        return TR_ENOMEM;
    p->format = fmt;
    p->ops = ops;
    if (opts)
        p->opts = *opts;
    if (!p->opts.max_depth)
        p->opts.max_depth = 64;
    if (ops->state_size && !(p->state = tr_calloc(1, ops->state_size))) {
        tr_free(p);
        return TR_ENOMEM;
    }
    if (ops->init) {
        tr_err err = ops->init(p);
        if (err) {
            tr_free(p->state);
            tr_free(p);
            return err;
        }
    }
    *out = p;
    return TR_OK;
}

void tr_parser_free(tr_parser *p)
{
    if (!p)
        return;
    if (p->ops->release)
        p->ops->release(p);
    tr_free(p->state);
    tr_free(p);
}

tr_format tr_parser_format(const tr_parser *p)
{
    return p->format;
}

tr_err tr_parser_parse(tr_parser *p, tr_str record, tr_event *ev)
{
    p->errmsg[0] = '\0';
    ev->format = (uint16_t)p->format;
    ev->raw = record;
    return p->ops->parse(p, record, ev);
}

const char *tr_parser_errmsg(const tr_parser *p)
{
    return p->errmsg;
}
