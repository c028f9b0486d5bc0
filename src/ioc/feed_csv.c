/*
 * feed_csv.c - CSV feeds with a header (or an explicit column mapping).
 *
 * Vendor CSVs differ in everything but the idea: abuse.ch puts its header in
 * a "# …" comment and quotes every field with a space after the comma, MISP
 * exports carry "type" and "to_ids" columns, others name the value column
 * "url" or "sha256_hash". The header (the first non-comment line, or the
 * last comment line naming a value column) is mapped to roles: value, type,
 * actor, first/last seen, valid from/until, confidence, to_ids; --csv-map
 * overrides it. Records follow RFC 4180 (quoted fields may hold the
 * delimiter, doubled quotes and line breaks), with white space allowed
 * before a quoted field.
 */
#include "core/common.h"

#include "core/csv.h"
#include "core/hash.h"
#include "core/time.h"
#include "ioc/index.h"
#include "trawl/log.h"

#define CSV_MAX_FIELDS 128

enum role { R_VALUE, R_TYPE, R_ACTOR, R_FIRST, R_LAST, R_FROM, R_UNTIL, R_CONF, R_TOIDS, R_N };

static const struct {
    enum role role;
    const char *names; /* space-separated normalised names */
} role_names[] = {
    { R_TYPE, "type ioc_type indicator_type attribute_type" },
    { R_ACTOR, "actor threat_actor actor_name intrusion_set apt group attribution" },
    { R_FIRST, "first_seen first_seen_utc firstseen dateadded date_added date" },
    { R_LAST, "last_seen last_seen_utc lastseen last_online" },
    { R_FROM, "valid_from" },
    { R_UNTIL, "valid_until expiration expires" },
    { R_CONF, "confidence confidence_level score" },
    { R_TOIDS, "to_ids" },
};

typedef struct csv_map {
    int col[R_N];            /* 0-based column per role, -1 = none */
    tr_ioc_type implied;     /* type implied by the value column's name */
    char delim;
} csv_map;

static size_t norm_name(tr_str s, char *out, size_t cap)
{
    size_t o = 0;
    while (s.n && (s.p[0] == '#' || s.p[0] == ' ' || s.p[0] == '\t' || s.p[0] == '"'))
        s.p++, s.n--;
    while (s.n && (s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '"' || s.p[s.n - 1] == '\r'))
        s.n--;
    for (size_t i = 0; i < s.n && o + 1 < cap; i++) {
        unsigned char c = (unsigned char)s.p[i];
        out[o++] = (c == '-' || c == ' ') ? '_' : (char)tr_ascii_lower(c);
    }
    out[o] = '\0';
    return o;
}

static bool name_in(const char *name, size_t n, const char *list)
{
    while (*list) {
        const char *sp = strchr(list, ' ');
        size_t l = sp ? (size_t)(sp - list) : strlen(list);
        if (l == n && memcmp(list, name, n) == 0)
            return true;
        if (!sp)
            break;
        list = sp + 1;
    }
    return false;
}

/* Reads one record starting at *pos. Fields are slices of data, or decoded
 * copies in buf for quoted fields. Returns false at the end of data. *lines
 * receives the number of line breaks consumed. On a malformed record *bad is
 * set and the rest of the line is skipped. */
static bool csv_record(const char *data, size_t n, size_t *pos, char delim, tr_str *f,
                       size_t *nf, char *buf, size_t bufcap, uint64_t *lines, bool *bad)
{
    size_t i = *pos, bo = 0, k = 0;
    *lines = 0;
    *bad = false;
    if (i >= n)
        return false;
    for (;;) {
        size_t s = i;
        while (i < n && (data[i] == ' ' || data[i] == '\t') && data[i] != delim)
            i++;
        if (i < n && data[i] == '"') {
            i++;
            size_t start = bo;
            for (;;) {
                if (i >= n) {
                    *bad = true;
                    break;
                }
                if (data[i] == '"') {
                    if (i + 1 < n && data[i + 1] == '"') {
                        if (bo < bufcap)
                            buf[bo++] = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                if (data[i] == '\n')
                    (*lines)++;
                if (bo < bufcap)
                    buf[bo++] = data[i];
                i++;
            }
            if (k < CSV_MAX_FIELDS)
                f[k++] = (tr_str){ buf + start, bo - start };
            while (i < n && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r') &&
                   data[i] != delim)
                i++;
            if (i < n && data[i] != delim && data[i] != '\n')
                *bad = true;
        } else {
            i = s;
            while (i < n && data[i] != delim && data[i] != '\n')
                i++;
            tr_str v = { data + s, i - s };
            if (v.n && v.p[v.n - 1] == '\r')
                v.n--;
            if (k < CSV_MAX_FIELDS)
                f[k++] = v;
        }
        if (*bad) {
            while (i < n && data[i] != '\n')
                i++;
        }
        if (i >= n || data[i] == '\n') {
            if (i < n)
                (*lines)++;
            *pos = i + 1;
            break;
        }
        i++; /* delimiter */
    }
    *nf = k;
    return true;
}

#define MAX_NOTED_TYPES 64 /* type labels said once each per file; more are only counted */

/* Says once per file and type label that rows of that type were skipped. */
static void note_skipped_type(uint64_t *seen, size_t *nseen, const char *path, uint64_t line,
                              tr_str label)
{
    uint64_t h = tr_hash64_nocase(label.p, label.n, 0);
    for (size_t i = 0; i < *nseen; i++)
        if (seen[i] == h)
            return;
    if (*nseen == MAX_NOTED_TYPES)
        return;
    seen[(*nseen)++] = h;
    tr_log_at(TR_LOG_WARN, path, line,
              "rows of type '%.*s' skipped: not an indicator type trawl matches (counted as "
              "skipped; first one here)", (int)TR_MIN(label.n, 80), label.p);
}

/* "value=3,type=ioc_type": numbers are 1-based columns, names refer to the header. */
static bool apply_map(csv_map *m, const char *spec, const tr_str *hdr, size_t nh, char *err,
                      size_t errlen)
{
    static const char *const keys[R_N] = { "value", "type", "actor", "first_seen", "last_seen",
                                           "valid_from", "valid_until", "confidence", "to_ids" };
    const char *p = spec;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t l = comma ? (size_t)(comma - p) : strlen(p);
        const char *eq = memchr(p, '=', l);
        if (!eq) {
            snprintf(err, errlen, "--csv-map: '%.*s' is not ROLE=COLUMN", (int)l, p);
            return false;
        }
        size_t kl = (size_t)(eq - p);
        int role = -1;
        for (int r = 0; r < R_N; r++)
            if (strlen(keys[r]) == kl && memcmp(keys[r], p, kl) == 0)
                role = r;
        if (role < 0) {
            snprintf(err, errlen, "--csv-map: unknown role '%.*s'", (int)kl, p);
            return false;
        }
        tr_str col = { eq + 1, l - kl - 1 };
        int idx = -1;
        if (col.n && col.n < 5 && strspn(col.p, "0123456789") >= col.n) {
            idx = 0;
            for (size_t i = 0; i < col.n; i++)
                idx = idx * 10 + (col.p[i] - '0');
            idx--;
        } else {
            char want[64], have[64];
            size_t wn = norm_name(col, want, sizeof(want));
            for (size_t i = 0; i < nh && idx < 0; i++)
                if (norm_name(hdr[i], have, sizeof(have)) == wn && memcmp(want, have, wn) == 0)
                    idx = (int)i;
        }
        if (idx < 0 || idx >= CSV_MAX_FIELDS) {
            snprintf(err, errlen, "--csv-map: no column '%.*s'", (int)col.n, col.p);
            return false;
        }
        m->col[role] = idx;
        if (role == R_VALUE)
            m->implied = TR_IOC_NONE;
        p = comma ? comma + 1 : p + l;
    }
    return true;
}

static void map_header(csv_map *m, const tr_str *hdr, size_t nh)
{
    char name[64];
    for (size_t i = 0; i < nh; i++) {
        size_t n = norm_name(hdr[i], name, sizeof(name));
        tr_ioc_type implied;
        if (m->col[R_VALUE] < 0 && ioc_csv_value_column((tr_str){ name, n }, &implied)) {
            m->col[R_VALUE] = (int)i;
            m->implied = implied;
            continue;
        }
        for (size_t r = 0; r < TR_ARRAY_LEN(role_names); r++)
            if (m->col[role_names[r].role] < 0 && name_in(name, n, role_names[r].names))
                m->col[role_names[r].role] = (int)i;
    }
}

static char guess_delim(const char *p, size_t n)
{
    size_t commas = 0, tabs = 0, semis = 0;
    for (size_t i = 0; i < n && p[i] != '\n'; i++) {
        commas += p[i] == ',';
        tabs += p[i] == '\t';
        semis += p[i] == ';';
    }
    if (commas >= tabs && commas >= semis)
        return ',';
    return tabs >= semis ? '\t' : ';';
}

static int64_t parse_time(tr_str s)
{
    int64_t ns;
    while (s.n && s.p[0] == ' ')
        s.p++, s.n--;
    if (s.n && tr_time_parse_any(s.p, s.n, &ns) == TR_OK)
        return ns;
    return TR_TS_NONE;
}

static int parse_conf(tr_str s)
{
    int v = 0;
    size_t i = 0;
    while (i < s.n && s.p[i] == ' ')
        i++;
    if (i == s.n)
        return -1;
    for (; i < s.n && s.p[i] >= '0' && s.p[i] <= '9' && v <= 100; i++)
        v = v * 10 + (s.p[i] - '0');
    return v <= 100 ? v : 100;
}

static bool falsy(tr_str s)
{
    while (s.n && s.p[0] == ' ')
        s.p++, s.n--;
    return (s.n == 1 && (s.p[0] == '0' || s.p[0] == 'f' || s.p[0] == 'F')) ||
           (s.n == 5 && tr_mem_eq_nocase(s.p, "false", 5));
}

static tr_str field_at(const tr_str *f, size_t nf, int col)
{
    return col >= 0 && (size_t)col < nf ? f[col] : (tr_str){ NULL, 0 };
}

tr_err ioc_load_csv(ioc_feed_ctx *c, const char *data, size_t n)
{
    tr_err err = TR_OK;
    tr_str *f = tr_malloc(CSV_MAX_FIELDS * sizeof(tr_str));
    tr_str *hdr = tr_malloc(CSV_MAX_FIELDS * sizeof(tr_str));
    size_t bufcap = 2 * (IOC_MAX_VALUE + 1024);
    char *buf = tr_malloc(bufcap), *hbuf = tr_malloc(bufcap);
    if (!f || !hdr || !buf || !hbuf) {
        err = TR_ENOMEM;
        goto out;
    }
    csv_map m;
    for (int r = 0; r < R_N; r++)
        m.col[r] = -1;
    m.implied = TR_IOC_NONE;
    size_t pos = 0;
    if (n >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    uint64_t line = 1, used;
    size_t nh = 0;
    bool bad;
    /* header: the last "#" line naming a value column before the data, or the
     * first data line */
    m.delim = ',';
    for (;;) {
        size_t save = pos;
        uint64_t save_line = line;
        if (pos >= n)
            break;
        const char *nl = memchr(data + pos, '\n', n - pos);
        size_t e = nl ? (size_t)(nl - data) : n;
        if (e == pos || (e == pos + 1 && data[pos] == '\r')) {
            pos = e + 1;
            line++;
            continue;
        }
        bool comment = data[pos] == '#';
        size_t hstart = comment ? pos + 1 : pos;
        char delim = guess_delim(data + hstart, e - hstart);
        size_t tmp = hstart, nf;
        if (!csv_record(data, n, &tmp, delim, f, &nf, buf, bufcap, &used, &bad))
            break;
        bool named = false;
        for (size_t i = 0; i < nf && !named; i++)
            named = ioc_csv_value_column(f[i], NULL);
        if (!comment && !named) { /* data begins (no header in the file) */
            pos = save;
            line = save_line;
            break;
        }
        if (named) { /* keep a copy: buf is reused for the records */
            size_t o = 0;
            for (size_t i = 0; i < nf; i++) {
                size_t l = TR_MIN(f[i].n, bufcap - o);
                memcpy(hbuf + o, f[i].p, l);
                hdr[i] = (tr_str){ hbuf + o, l };
                o += l;
            }
            nh = nf;
            m.delim = delim;
        }
        pos = tmp;
        line += used;
        if (!comment)
            break;
    }
    if (nh)
        map_header(&m, hdr, nh);
    if (c->b->opts.csv_map) {
        char msg[160];
        if (!apply_map(&m, c->b->opts.csv_map, hdr, nh, msg, sizeof(msg))) {
            ioc_reject(c->b, c->path, 0, NULL, "%s", msg);
            err = TR_EINVAL;
            goto out;
        }
    }
    if (m.col[R_VALUE] < 0) {
        ioc_reject(c->b, c->path, line, NULL,
                   "no value column: name one in the header (value, indicator, ioc, url, …) "
                   "or give --csv-map value=N");
        err = TR_EPARSE;
        goto out;
    }
    size_t nf;
    uint64_t skipped_types[MAX_NOTED_TYPES];
    size_t nskipped_types = 0;
    for (;;) {
        uint64_t rec_line = line;
        if (pos < n && data[pos] == '#') { /* comment line */
            const char *nl = memchr(data + pos, '\n', n - pos);
            pos = nl ? (size_t)(nl - data) + 1 : n;
            line++;
            continue;
        }
        if (!csv_record(data, n, &pos, m.delim, f, &nf, buf, bufcap, &used, &bad))
            break;
        line += used;
        if (nf == 1 && f[0].n == 0)
            continue; /* blank line */
        if (bad) {
            ioc_reject(c->b, c->path, rec_line, NULL, "malformed CSV record (stray quote)");
            continue;
        }
        tr_str v = field_at(f, nf, m.col[R_VALUE]);
        if (!v.n) {
            ioc_reject(c->b, c->path, rec_line, NULL, "no value in column %d",
                       m.col[R_VALUE] + 1);
            continue;
        }
        if (m.col[R_TOIDS] >= 0 && !c->b->opts.misp_all_attributes &&
            falsy(field_at(f, nf, m.col[R_TOIDS]))) {
            c->b->skipped++;
            continue;
        }
        tr_ioc_type t1 = m.implied, t2 = TR_IOC_NONE;
        tr_str label = tr_str_trim(field_at(f, nf, m.col[R_TYPE]));
        if (label.n && !ioc_label_type(label, &t1, &t2)) {
            /* a type that is no indicator (MISP "comment", "regkey") or a
             * typo: counted, and said once per type with the first line */
            c->b->skipped++;
            note_skipped_type(skipped_types, &nskipped_types, c->path, rec_line, label);
            continue;
        }
        ioc_attrs a;
        ioc_attrs_init(&a);
        a.actor = tr_str_trim(field_at(f, nf, m.col[R_ACTOR]));
        a.first_seen = parse_time(field_at(f, nf, m.col[R_FIRST]));
        a.last_seen = parse_time(field_at(f, nf, m.col[R_LAST]));
        a.valid_from = parse_time(field_at(f, nf, m.col[R_FROM]));
        a.valid_until = parse_time(field_at(f, nf, m.col[R_UNTIL]));
        a.confidence = parse_conf(field_at(f, nf, m.col[R_CONF]));
        tr_str halves[2] = { v, { NULL, 0 } };
        if (t2 != TR_IOC_NONE || (label.n && memchr(label.p, '|', label.n))) {
            const char *bar = memchr(v.p, '|', v.n);
            if (bar) {
                halves[0] = (tr_str){ v.p, (size_t)(bar - v.p) };
                halves[1] = (tr_str){ bar + 1, v.n - (size_t)(bar - v.p) - 1 };
            }
            if (t2 == TR_IOC_NONE && !(label.n >= 9 && tr_mem_eq_nocase(label.p, "domain|ip", 9)))
                halves[1].n = 0; /* "|port" */
        }
        for (int h = 0; h < 2; h++) {
            if (h == 1 && !halves[1].n)
                break;
            const char *why;
            err = ioc_builder_add_value(c->b, c->feed, h ? t2 : t1, halves[h], &a, &why);
            if (err == TR_EPARSE)
                ioc_reject(c->b, c->path, rec_line, NULL, "%s: '%.*s'", why,
                           (int)TR_MIN(halves[h].n, 80), halves[h].p);
            else if (err)
                goto out;
            err = TR_OK;
        }
    }
out:
    tr_free(f);
    tr_free(hdr);
    tr_free(buf);
    tr_free(hbuf);
    return err;
}
