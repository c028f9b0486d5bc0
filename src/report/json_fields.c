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

static void str_or_null(tr_jw *w, tr_str s)
{
    if (s.n)
        str(w, s);
    else
        tr_jw_null(w);
}

static void keyed_time(tr_jw *w, const char *prefix, const char *key, int64_t ns)
{
    char k[64];
    snprintf(k, sizeof(k), "%s%s", prefix, key);
    tr_jw_key(w, k);
    tr_jw_time(w, ns);
}

static void one(tr_jw *w, const char *base, const jf *f)
{
    const void *v = base + f->off[0];
#define AT(type, i) (*(const type *)(const void *)(base + f->off[i]))
    switch (f->kind) {
    case JF_STR:
    case JF_STR_OPT: str(w, AT(tr_str, 0)); break;
    case JF_STR_NULL: str_or_null(w, AT(tr_str, 0)); break;
    case JF_CSTR: tr_jw_str(w, AT(const char *, 0)); break;
    case JF_CHARS: tr_jw_str(w, (const char *)v); break;
    case JF_BOOL: tr_jw_bool(w, AT(bool, 0)); break;
    case JF_U32: tr_jw_uint(w, AT(uint32_t, 0)); break;
    case JF_U64: tr_jw_uint(w, AT(uint64_t, 0)); break;
    case JF_U64_NULL:
        if (AT(uint64_t, 0))
            tr_jw_uint(w, AT(uint64_t, 0));
        else
            tr_jw_null(w);
        break;
    case JF_TIME: tr_jw_time(w, AT(int64_t, 0)); break;
    case JF_DATE: {
        char day[16];
        cr_date(AT(int64_t, 0), day, sizeof(day));
        tr_jw_str(w, day);
        break;
    }
    case JF_STAGE: tr_jw_str(w, tr_stage_name(AT(tr_stage, 0))); break;
    case JF_STRS: {
        const tr_str *s = AT(const tr_str *, 0);
        tr_jw_arr(w);
        for (uint32_t k = 0; k < AT(uint32_t, 1); k++)
            str(w, s[k]);
        tr_jw_end(w);
        break;
    }
    case JF_TIMES:
    case JF_STAGE_COUNTS: break; /* several keys: jf_write */
    }
#undef AT
}

void jf_write(tr_jw *w, const void *obj, const jf *f, size_t n)
{
    static const char *const stages[] = { "targeted", "exploited", "compromised" };
    const char *base = obj;
    for (size_t i = 0; i < n; i++) {
        const size_t *off = f[i].off;
        switch (f[i].kind) {
        case JF_TIMES:
            keyed_time(w, f[i].key, "first_seen", *(const int64_t *)(const void *)(base + off[0]));
            keyed_time(w, f[i].key, "last_seen", *(const int64_t *)(const void *)(base + off[1]));
            break;
        case JF_STAGE_COUNTS:
            for (int s = 0; s < 3; s++) {
                tr_jw_key(w, stages[s]);
                tr_jw_uint(w, *(const uint32_t *)(const void *)(base + off[s]));
            }
            break;
        case JF_STR_OPT:
            if (!((const tr_str *)(const void *)(base + off[0]))->n)
                break;
            /* fall through */
        default:
            tr_jw_key(w, f[i].key);
            one(w, base, &f[i]);
        }
    }
}

void jf_object(tr_jw *w, const void *obj, const jf *f, size_t n)
{
    tr_jw_obj(w);
    jf_write(w, obj, f, n);
    tr_jw_end(w);
}

void jf_array(tr_jw *w, const char *key, const void *first, size_t size, uint32_t count,
              const jf *f, size_t n)
{
    tr_jw_key(w, key);
    tr_jw_arr(w);
    for (uint32_t k = 0; k < count; k++)
        jf_object(w, (const char *)first + (size_t)k * size, f, n);
    tr_jw_end(w);
}
