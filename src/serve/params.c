/*
 * params.c - the query parameters of the API, checked strictly: an unknown
 * parameter, a bad level or time, a limit out of range or a cursor that is
 * not one the server handed out is a 400 naming the parameter, never a
 * silently broader query.
 */
#include "core/common.h"

#include "core/time.h"
#include "serve/serve_int.h"

static bool copy_param(const char *v, char *dst, size_t cap)
{
    size_t n = strlen(v);
    if (n == 0 || n >= cap)
        return false;
    memcpy(dst, v, n + 1);
    return true;
}

static bool parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
    if (!*s || strlen(s) > 19)
        return false;
    unsigned long long v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (unsigned long long)(*p - '0');
    }
    if (v > max)
        return false;
    *out = v;
    return true;
}

tr_err serve_det_query_parse(const serve_param *params, size_t n, unsigned max_page,
                             serve_det_query *q, char *err, size_t errlen)
{
    memset(q, 0, sizeof(*q));
    tr_store_filter_init(&q->filter);
    q->limit = TR_MIN(100u, max_page);
    for (size_t i = 0; i < n; i++) {
        const char *k = params[i].key, *v = params[i].value ? params[i].value : "";
        if (strcmp(k, "tenant") == 0) {
            if (!copy_param(v, q->tenant, sizeof(q->tenant)))
                goto bad_len;
            q->filter.tenant = q->tenant;
        } else if (strcmp(k, "rule") == 0) {
            if (!copy_param(v, q->rule, sizeof(q->rule)))
                goto bad_len;
            q->filter.rule = q->rule;
        } else if (strcmp(k, "indicator") == 0) {
            if (!copy_param(v, q->indicator, sizeof(q->indicator)))
                goto bad_len;
            q->filter.indicator = q->indicator;
        } else if (strcmp(k, "kind") == 0) {
            q->filter.kind = -1;
            for (int kind = TR_DET_SIGMA; kind <= TR_DET_CORRELATION; kind++)
                if (strcmp(v, tr_det_kind_name((tr_det_kind)kind)) == 0)
                    q->filter.kind = kind;
            if (q->filter.kind < 0) {
                snprintf(err, errlen, "kind: '%.40s' is not sigma, ioc or correlation", v);
                return TR_EINVAL;
            }
        } else if (strcmp(k, "level") == 0) {
            if ((q->filter.min_level = tr_level_rank(tr_str_c(v))) < 0) {
                snprintf(err, errlen, "level: '%.40s' is not informational, low, medium, high "
                                      "or critical", v);
                return TR_EINVAL;
            }
        } else if (strcmp(k, "since") == 0 || strcmp(k, "until") == 0) {
            int64_t ns;
            if (!*v || strlen(v) > 64 || tr_time_parse_any(v, strlen(v), &ns) != TR_OK) {
                snprintf(err, errlen, "%s: '%.40s' is not a time (ISO 8601 or epoch seconds)",
                         k, v);
                return TR_EINVAL;
            }
            if (k[0] == 's')
                q->filter.since = ns;
            else
                q->filter.until = ns;
        } else if (strcmp(k, "limit") == 0) {
            unsigned long long l;
            if (!parse_uint(v, max_page, &l) || l == 0) {
                snprintf(err, errlen, "limit: '%.40s' is not a number from 1 to %u", v,
                         max_page);
                return TR_EINVAL;
            }
            q->limit = (unsigned)l;
        } else if (strcmp(k, "cursor") == 0) {
            if (strlen(v) > 64 || tr_store_cursor_parse(v, &q->cursor) != TR_OK) {
                snprintf(err, errlen, "cursor: '%.40s' is not a cursor this server gave "
                                      "(the \"next\" of a page)", v);
                return TR_EINVAL;
            }
        } else if (strcmp(k, "total") == 0) {
            if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0)
                q->total = true;
            else if (!(strcmp(v, "0") == 0 || strcmp(v, "false") == 0)) {
                snprintf(err, errlen, "total: '%.40s' is not 1/true or 0/false", v);
                return TR_EINVAL;
            }
        } else {
            snprintf(err, errlen, "unknown parameter '%.40s' (tenant, rule, kind, level, since, "
                                  "until, indicator, limit, cursor, total)", k);
            return TR_EINVAL;
        }
        continue;
    bad_len:
        snprintf(err, errlen, "%s: empty or longer than allowed", k);
        return TR_EINVAL;
    }
    if (q->filter.since != TR_TS_NONE && q->filter.until != TR_TS_NONE &&
        q->filter.until < q->filter.since) {
        snprintf(err, errlen, "until is before since");
        return TR_EINVAL;
    }
    return TR_OK;
}

bool serve_parse_id(tr_str s, uint64_t *id)
{
    if (s.n != 16)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < 16; i++) {
        char c = s.p[i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            return false;
        v = v << 4 | d;
    }
    *id = v;
    return true;
}

bool serve_tenant_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}
