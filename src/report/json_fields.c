/*
 * json_fields.c - the table-driven member writer of json_fields.h: one
 * switch on the kind of value instead of a writer call per key in every
 * report object.
 */
#include "core/common.h"

#include "report/campaign_report.h"
#include "report/json_fields.h"
#include "trawl/campaign.h"

static void str(tr_jw *w, tr_str s)
{
    tr_jw_strn(w, s.p, s.n);
}

void jf_write(tr_jw *w, const void *obj, const jf *f, size_t n)
{
    const char *base = obj;
    for (size_t i = 0; i < n; i++) {
        const void *v = base + f[i].off;
        if (f[i].kind == JF_STR_OPT && !((const tr_str *)v)->n)
            continue;
        tr_jw_key(w, f[i].key);
        switch (f[i].kind) {
        case JF_STR:
        case JF_STR_OPT: str(w, *(const tr_str *)v); break;
        case JF_STR_NULL:
            if (((const tr_str *)v)->n)
                str(w, *(const tr_str *)v);
            else
                tr_jw_null(w);
            break;
        case JF_CSTR: tr_jw_str(w, *(const char *const *)v); break;
        case JF_CHARS: tr_jw_str(w, (const char *)v); break;
        case JF_BOOL: tr_jw_bool(w, *(const bool *)v); break;
        case JF_U32: tr_jw_uint(w, *(const uint32_t *)v); break;
        case JF_U64: tr_jw_uint(w, *(const uint64_t *)v); break;
        case JF_U64_NULL:
            if (*(const uint64_t *)v)
                tr_jw_uint(w, *(const uint64_t *)v);
            else
                tr_jw_null(w);
            break;
        case JF_TIME: tr_jw_time(w, *(const int64_t *)v); break;
        case JF_DATE: {
            char day[16];
            cr_date(*(const int64_t *)v, day, sizeof(day));
            tr_jw_str(w, day);
            break;
        }
        case JF_STAGE: tr_jw_str(w, tr_stage_name(*(const tr_stage *)v)); break;
        case JF_STRS: {
            const tr_str *s = *(const tr_str *const *)v;
            uint32_t ns = *(const uint32_t *)(const void *)(base + f[i].count);
            tr_jw_arr(w);
            for (uint32_t k = 0; k < ns; k++)
                str(w, s[k]);
            tr_jw_end(w);
            break;
        }
        }
    }
}

void jf_object(tr_jw *w, const void *obj, const jf *f, size_t n)
{
    tr_jw_obj(w);
    jf_write(w, obj, f, n);
    tr_jw_end(w);
}
