/*
 * detection.c - detection ids and the JSON-lines, CSV and table writers.
 */
#include "core/common.h"

#include "core/buf.h"
#include "core/hash.h"
#include "core/jsonstr.h"
#include "core/time.h"
#include "trawl/detect.h"

const char *tr_det_kind_name(tr_det_kind kind)
{
    switch (kind) {
    case TR_DET_SIGMA: return "sigma";
    case TR_DET_IOC: return "ioc";
    case TR_DET_CORRELATION: return "correlation";
    }
    return "?";
}

uint64_t tr_detection_id(const tr_detection *d)
{
    tr_hasher h;
    tr_hasher_init(&h, 0x7472617741ULL);
    tr_hasher_add_u64(&h, (uint64_t)d->kind);
    tr_hasher_add_str(&h, d->tenant);
    tr_hasher_add_str(&h, d->rule_id);
    if (d->kind == TR_DET_CORRELATION) {
        for (uint32_t i = 0; i < d->ngroup; i++) {
            tr_hasher_add_str(&h, d->group[i].key);
            tr_hasher_add_str(&h, d->group[i].value);
        }
        for (uint32_t i = 0; i < d->ncontributing; i++)
            tr_hasher_add_u64(&h, d->contributing[i]);
    } else {
        tr_hasher_add_str(&h, d->path);
        tr_hasher_add_u64(&h, d->source_gen);
        tr_hasher_add_u64(&h, d->record);
        if (d->kind == TR_DET_IOC) {
            tr_hasher_add_str(&h, d->indicator.type);
            tr_hasher_add_str(&h, d->indicator.value);
            tr_hasher_add_str(&h, d->indicator.field);
        }
    }
    return tr_hasher_final(&h);
}

static void jw_str_or_null(tr_jw *w, tr_str s)
{
    if (s.n)
        tr_jw_strn(w, s.p, s.n);
    else
        tr_jw_null(w);
}

static void jw_kvs(tr_jw *w, const tr_kv *kv, uint32_t n)
{
    tr_jw_obj(w);
    for (uint32_t i = 0; i < n; i++) {
        tr_jw_keyn(w, kv[i].key.p, kv[i].key.n);
        tr_jw_strn(w, kv[i].value.p, kv[i].value.n);
    }
    tr_jw_end(w);
}

tr_err tr_detection_to_json(const tr_detection *d, tr_buf *out)
{
    char idhex[17];
    snprintf(idhex, sizeof(idhex), "%016" PRIx64, d->id ? d->id : tr_detection_id(d));
    tr_jw w;
    tr_jw_init(&w, out);
    tr_jw_obj(&w);
    tr_jw_key(&w, "id");
    tr_jw_str(&w, idhex);
    tr_jw_key(&w, "ts");
    tr_jw_time(&w, d->ts);
    tr_jw_key(&w, "tenant");
    jw_str_or_null(&w, d->tenant);
    tr_jw_key(&w, "kind");
    tr_jw_str(&w, tr_det_kind_name(d->kind));
    tr_jw_key(&w, "rule_id");
    jw_str_or_null(&w, d->rule_id);
    tr_jw_key(&w, "rule_title");
    jw_str_or_null(&w, d->rule_title);
    tr_jw_key(&w, "level");
    jw_str_or_null(&w, d->level);
    tr_jw_key(&w, "tags");
    tr_jw_arr(&w);
    for (uint32_t i = 0; i < d->ntags; i++)
        tr_jw_strn(&w, d->tags[i].p, d->tags[i].n);
    tr_jw_end(&w);
    tr_jw_key(&w, "logsource");
    tr_jw_obj(&w);
    tr_jw_key(&w, "product");
    jw_str_or_null(&w, d->logsource.product);
    tr_jw_key(&w, "category");
    jw_str_or_null(&w, d->logsource.ncategory ? d->logsource.category[0] : (tr_str){ 0 });
    tr_jw_key(&w, "service");
    jw_str_or_null(&w, d->logsource.service);
    tr_jw_end(&w);
    tr_jw_key(&w, "path");
    jw_str_or_null(&w, d->path);
    tr_jw_key(&w, "record");
    tr_jw_uint(&w, d->record);
    tr_jw_key(&w, "line");
    if (d->line)
        tr_jw_uint(&w, d->line);
    else
        tr_jw_null(&w);
    tr_jw_key(&w, "fields");
    jw_kvs(&w, d->fields, d->nfields);
    if (d->kind == TR_DET_IOC) {
        tr_jw_key(&w, "indicator");
        tr_jw_obj(&w);
        tr_jw_key(&w, "value");
        tr_jw_strn(&w, d->indicator.value.p, d->indicator.value.n);
        tr_jw_key(&w, "type");
        tr_jw_strn(&w, d->indicator.type.p, d->indicator.type.n);
        tr_jw_key(&w, "feed");
        jw_str_or_null(&w, d->indicator.feed);
        tr_jw_key(&w, "actor");
        jw_str_or_null(&w, d->indicator.actor);
        tr_jw_key(&w, "field");
        jw_str_or_null(&w, d->indicator.field);
        tr_jw_key(&w, "side");
        tr_jw_str(&w, d->indicator.side == TR_SIDE_SRC   ? "source"
                      : d->indicator.side == TR_SIDE_DST ? "destination"
                                                         : "none");
        tr_jw_end(&w);
    }
    if (d->kind == TR_DET_CORRELATION) {
        tr_jw_key(&w, "first_record");
        tr_jw_uint(&w, d->first_record);
        if (d->first_path.n) {
            tr_jw_key(&w, "first_path");
            tr_jw_strn(&w, d->first_path.p, d->first_path.n);
        }
        tr_jw_key(&w, "group");
        jw_kvs(&w, d->group, d->ngroup);
        tr_jw_key(&w, "contributing");
        tr_jw_arr(&w);
        for (uint32_t i = 0; i < d->ncontributing; i++) {
            char h[17];
            snprintf(h, sizeof(h), "%016" PRIx64, d->contributing[i]);
            tr_jw_str(&w, h);
        }
        tr_jw_end(&w);
    }
    tr_jw_end(&w);
    if (w.err)
        return w.err;
    return tr_buf_putc(out, '\n');
}

/* ---- file sink: JSON lines, CSV (RFC 4180) or an aligned table ---- */

typedef struct file_sink {
    tr_sink base;
    FILE *out;
    tr_det_format fmt;
    bool header_done;
    tr_buf buf;
} file_sink;

static void csv_field(tr_buf *b, const char *p, size_t n)
{
    bool quote = false;
    for (size_t i = 0; i < n && !quote; i++)
        quote = p[i] == ',' || p[i] == '"' || p[i] == '\n' || p[i] == '\r';
    if (!quote) {
        tr_buf_append(b, p, n);
        return;
    }
    tr_buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '"')
            tr_buf_putc(b, '"');
        tr_buf_putc(b, p[i]);
    }
    tr_buf_putc(b, '"');
}

static void write_csv(file_sink *s, const tr_detection *d)
{
    tr_buf *b = &s->buf;
    if (!s->header_done) {
        tr_buf_printf(b, "id,ts,tenant,kind,rule_id,rule_title,level,path,record,line,"
                         "indicator,indicator_type,actor,fields\n");
        s->header_done = true;
    }
    char ts[48] = "";
    if (d->ts != TR_TS_NONE)
        tr_time_format(d->ts, ts, sizeof(ts));
    tr_buf_printf(b, "%016" PRIx64 ",%s,", d->id ? d->id : tr_detection_id(d), ts);
    csv_field(b, d->tenant.p, d->tenant.n);
    tr_buf_printf(b, ",%s,", tr_det_kind_name(d->kind));
    csv_field(b, d->rule_id.p, d->rule_id.n);
    tr_buf_putc(b, ',');
    csv_field(b, d->rule_title.p, d->rule_title.n);
    tr_buf_putc(b, ',');
    csv_field(b, d->level.p, d->level.n);
    tr_buf_putc(b, ',');
    csv_field(b, d->path.p, d->path.n);
    tr_buf_printf(b, ",%" PRIu64 ",", d->record);
    if (d->line)
        tr_buf_printf(b, "%" PRIu64, d->line);
    tr_buf_putc(b, ',');
    csv_field(b, d->indicator.value.p, d->indicator.value.n);
    tr_buf_putc(b, ',');
    csv_field(b, d->indicator.type.p, d->indicator.type.n);
    tr_buf_putc(b, ',');
    csv_field(b, d->indicator.actor.p, d->indicator.actor.n);
    tr_buf_putc(b, ',');
    tr_buf kv;
    tr_buf_init(&kv, 0);
    for (uint32_t i = 0; i < d->nfields; i++) {
        if (i)
            tr_buf_putc(&kv, ';');
        tr_buf_append(&kv, d->fields[i].key.p, d->fields[i].key.n);
        tr_buf_putc(&kv, '=');
        tr_buf_append(&kv, d->fields[i].value.p, d->fields[i].value.n);
    }
    csv_field(b, kv.p ? kv.p : "", kv.n);
    tr_buf_release(&kv);
    tr_buf_putc(b, '\n');
}

static void write_table(file_sink *s, const tr_detection *d)
{
    tr_buf *b = &s->buf;
    if (!s->header_done) {
        tr_buf_printf(b, "%-20s  %-12s  %-8s  %-11s  %-48s  %s\n", "TIME", "TENANT", "LEVEL",
                      "KIND", "RULE / INDICATOR", "WHERE");
        s->header_done = true;
    }
    char ts[48] = "-";
    if (d->ts != TR_TS_NONE) {
        tr_time_format(d->ts - d->ts % TR_NS_PER_SEC, ts, sizeof(ts));
    }
    char what[160];
    if (d->kind == TR_DET_IOC)
        snprintf(what, sizeof(what), "%.*s %.*s%s%.*s", TR_STR_FMT(d->indicator.type),
                 TR_STR_FMT(d->indicator.value), d->indicator.actor.n ? " / " : "",
                 TR_STR_FMT(d->indicator.actor));
    else
        snprintf(what, sizeof(what), "%.*s", TR_STR_FMT(d->rule_title));
    if (strlen(what) > 48)
        memcpy(what + 45, "...", 4);
    tr_buf_printf(b, "%-20s  %-12.*s  %-8.*s  %-11s  %-48s  %.*s:%" PRIu64 "\n", ts,
                  TR_STR_FMT(d->tenant.n ? d->tenant : TR_STR("-")),
                  TR_STR_FMT(d->level.n ? d->level : TR_STR("-")), tr_det_kind_name(d->kind),
                  what, TR_STR_FMT(d->path), d->line ? d->line : d->record);
}

static tr_err file_write(tr_sink *base, const tr_detection *d)
{
    file_sink *s = (file_sink *)base;
    tr_buf_reset(&s->buf);
    tr_err err = TR_OK;
    switch (s->fmt) {
    case TR_DETFMT_JSONL:
        err = tr_detection_to_json(d, &s->buf);
        break;
    case TR_DETFMT_CSV:
        write_csv(s, d);
        break;
    case TR_DETFMT_TABLE:
        write_table(s, d);
        break;
    }
    if (err)
        return err;
    return fwrite(s->buf.p, 1, s->buf.n, s->out) == s->buf.n ? TR_OK : TR_EIO;
}

static tr_err file_flush(tr_sink *base)
{
    file_sink *s = (file_sink *)base;
    return fflush(s->out) == 0 ? TR_OK : TR_EIO;
}

static void file_free(tr_sink *base)
{
    file_sink *s = (file_sink *)base;
    tr_buf_release(&s->buf);
    tr_free(s);
}

static const tr_sink_ops file_ops = { file_write, file_flush, file_free };

tr_err tr_sink_file_new(FILE *out, tr_det_format fmt, tr_sink **sink)
{
    file_sink *s = tr_calloc(1, sizeof(*s));
    if (!s)
        return TR_ENOMEM;
    s->base.ops = &file_ops;
    s->out = out;
    s->fmt = fmt;
    tr_buf_init(&s->buf, 0);
    *sink = &s->base;
    return TR_OK;
}
