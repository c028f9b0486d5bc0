/*
 * event_json.c - an event as one JSON line, the `trawl cat` view.
 *
 * Values that came from JSON strings are already valid JSON string bodies
 * (the parser validated them), so they are written back between quotes
 * without decoding. Elements of an array of scalars share a name and are
 * written as one JSON array.
 */
#include "core/common.h"

#include "core/buf.h"
#include "core/jsonstr.h"
#include "trawl/report.h"

static void put_value(tr_jw *w, const tr_field *f)
{
    switch (f->kind) {
    case TR_VNUM:
    case TR_VBOOL:
        tr_jw_raw(w, f->value.p, f->value.n);
        return;
    case TR_VNULL:
        tr_jw_null(w);
        return;
    default:
        break;
    }
    if (f->flags & TR_FIELD_ESCAPED) {
        tr_jw_raw(w, "\"", 1);
        if (!w->err)
            w->err = tr_buf_append(w->b, f->value.p, f->value.n);
        if (!w->err)
            w->err = tr_buf_putc(w->b, '"');
        return;
    }
    tr_jw_strn(w, f->value.p, f->value.n);
}

static void put_str_or_null(tr_jw *w, tr_str s)
{
    if (s.n)
        tr_jw_strn(w, s.p, s.n);
    else
        tr_jw_null(w);
}

tr_err tr_event_write_json(const tr_event *ev, FILE *out)
{
    tr_buf b;
    tr_buf_init(&b, 0);
    tr_err err = tr_event_to_json(ev, &b);
    if (!err)
        err = fwrite(b.p, 1, b.n, out) == b.n ? TR_OK : TR_EIO;
    tr_buf_release(&b);
    return err;
}

tr_err tr_event_to_json(const tr_event *ev, tr_buf *out)
{
    tr_jw w;
    tr_jw_init(&w, out);
    tr_jw_obj(&w);
    tr_jw_key(&w, "ts");
    tr_jw_time(&w, ev->ts);
    tr_jw_key(&w, "tenant");
    put_str_or_null(&w, ev->tenant);
    tr_jw_key(&w, "logsource");
    tr_jw_obj(&w);
    tr_jw_key(&w, "product");
    put_str_or_null(&w, ev->logsource.product);
    tr_jw_key(&w, "category");
    if (ev->logsource.ncategory == 0)
        tr_jw_null(&w);
    else if (ev->logsource.ncategory == 1)
        put_str_or_null(&w, ev->logsource.category[0]);
    else {
        tr_jw_arr(&w);
        for (unsigned i = 0; i < ev->logsource.ncategory; i++)
            put_str_or_null(&w, ev->logsource.category[i]);
        tr_jw_end(&w);
    }
    tr_jw_key(&w, "service");
    put_str_or_null(&w, ev->logsource.service);
    tr_jw_end(&w);
    tr_jw_key(&w, "path");
    put_str_or_null(&w, ev->path);
    tr_jw_key(&w, "record");
    tr_jw_uint(&w, ev->record);
    tr_jw_key(&w, "line");
    if (ev->line)
        tr_jw_uint(&w, ev->line);
    else
        tr_jw_null(&w);
    tr_jw_key(&w, "fields");
    tr_jw_obj(&w);
    for (uint32_t i = 0; i < ev->nfields; i++) {
        const tr_field *f = &ev->fields[i];
        tr_jw_keyn(&w, f->name.p, f->name.n);
        if (f->flags & TR_FIELD_MULTI) {
            tr_jw_arr(&w);
            put_value(&w, f);
            while (i + 1 < ev->nfields && (ev->fields[i + 1].flags & TR_FIELD_MULTI) &&
                   tr_str_eq(ev->fields[i + 1].name, f->name))
                put_value(&w, &ev->fields[++i]);
            tr_jw_end(&w);
        } else {
            put_value(&w, f);
        }
    }
    tr_jw_end(&w);
    tr_jw_end(&w);
    if (w.err)
        return w.err;
    return tr_buf_putc(out, '\n');
}
