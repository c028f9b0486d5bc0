/*
 * campaign_jsonl.c - reads detections back from JSON lines (the record
 * format `trawl hunt --format jsonl` writes, DESIGN.md "Detection record")
 * into tr_detection views, so `trawl campaigns` works on files as well as on
 * a store. Built on the zero-copy tokenizer: a line's strings are slices of
 * the line unless they carry escapes (decoded into a scratch arena reset per
 * line); nothing is allocated per line once the buffers have grown.
 */
#include "core/common.h"

#include "core/json.h"
#include "core/time.h"
#include "core/vec.h"
#include "trawl/arena.h"
#include "trawl/campaign.h"
#include "trawl/log.h"

#define MAX_LINE ((size_t)64 << 20)

typedef struct jl {
    tr_arena *arena;
    TR_VEC(tr_str) tags;
    TR_VEC(tr_kv) fields, group;
    TR_VEC(uint64_t) contrib;
    tr_json json;    /* the current line's tokenizer (its errmsg outlives parse_line) */
    const char *err; /* reason of the current line's failure */
} jl;

static bool str_val(jl *r, tr_json *j, tr_str *out)
{
    tr_json_tok t;
    switch (tr_json_next(j, &t)) {
    case TR_JSON_STRING:
        if (tr_json_str_arena(&t, r->arena, out) != TR_OK) {
            r->err = "out of scratch memory";
            return false;
        }
        return true;
    case TR_JSON_NULL: *out = (tr_str){ "", 0 }; return true;
    case TR_JSON_NUMBER:
    case TR_JSON_TRUE:
    case TR_JSON_FALSE: *out = t.text; return true;
    case TR_JSON_ERROR: r->err = j->errmsg; return false;
    default:
        r->err = "expected a string";
        (void)tr_json_skip(j, &t);
        return false;
    }
}

static bool u64_val(jl *r, tr_json *j, uint64_t *out)
{
    tr_json_tok t;
    tr_json_type ty = tr_json_next(j, &t);
    if (ty == TR_JSON_NULL) {
        *out = 0;
        return true;
    }
    int64_t v;
    if (ty != TR_JSON_NUMBER || tr_json_int(&t, &v) != TR_OK || v < 0) {
        r->err = ty == TR_JSON_ERROR ? j->errmsg : "expected a non-negative integer";
        return false;
    }
    *out = (uint64_t)v;
    return true;
}

static bool hex_u64(tr_str s, uint64_t *out)
{
    if (s.n == 0 || s.n > 16)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < s.n; i++) {
        char ch = s.p[i];
        unsigned d = ch >= '0' && ch <= '9'   ? (unsigned)(ch - '0')
                     : ch >= 'a' && ch <= 'f' ? (unsigned)(ch - 'a' + 10)
                     : ch >= 'A' && ch <= 'F' ? (unsigned)(ch - 'A' + 10)
                                              : 16;
        if (d > 15)
            return false;
        v = v << 4 | d;
    }
    *out = v;
    return true;
}

/* Starts a value that is null or a container of type want: *open tells
 * which. Anything else fails with r->err = what. */
static bool open_val(jl *r, tr_json *j, tr_json_type want, const char *what, bool *open)
{
    tr_json_tok t;
    tr_json_type ty = tr_json_next(j, &t);
    *open = ty == want;
    if (ty == TR_JSON_NULL || *open)
        return true;
    r->err = what;
    return false;
}

/* After the members or elements of a container: did the tokenizer fail? */
static bool close_val(jl *r, tr_json *j)
{
    if (tr_json_failed(j)) {
        r->err = j->errmsg;
        return false;
    }
    return true;
}

static bool kvs_val(jl *r, tr_json *j, void *vec)
{
    TR_VEC(tr_kv) *v = vec;
    tr_json_tok key;
    bool open;
    if (!open_val(r, j, TR_JSON_OBJ_BEGIN, "expected an object", &open))
        return false;
    while (open && tr_json_member(j, &key)) {
        tr_kv kv;
        if (tr_json_str_arena(&key, r->arena, &kv.key) != TR_OK) {
            r->err = "out of scratch memory";
            return false;
        }
        tr_json_tok val;
        tr_json_type ty = tr_json_next(j, &val);
        if (ty == TR_JSON_STRING) {
            if (tr_json_str_arena(&val, r->arena, &kv.value) != TR_OK)
                return false;
        } else if (ty == TR_JSON_NUMBER || ty == TR_JSON_TRUE || ty == TR_JSON_FALSE) {
            kv.value = val.text;
        } else if (ty == TR_JSON_NULL) {
            kv.value = (tr_str){ "", 0 };
        } else if (ty == TR_JSON_ERROR) {
            r->err = j->errmsg;
            return false;
        } else {
            if (tr_json_skip(j, &val) != TR_OK) {
                r->err = j->errmsg;
                return false;
            }
            continue; /* nested values are not fields */
        }
        if (!TR_VEC_PUSH(v, kv)) {
            r->err = "out of memory";
            return false;
        }
    }
    return !open || close_val(r, j);
}

typedef bool (*element_fn)(jl *r, const tr_json_tok *e);

/* null, or an array whose elements go to fn. */
static bool array_val(jl *r, tr_json *j, const char *not_array, element_fn fn)
{
    bool open;
    if (!open_val(r, j, TR_JSON_ARR_BEGIN, not_array, &open))
        return false;
    tr_json_tok e;
    while (open && tr_json_element(j, &e))
        if (!fn(r, &e))
            return false;
    return !open || close_val(r, j);
}

static bool tag_element(jl *r, const tr_json_tok *e)
{
    if (e->type != TR_JSON_STRING) {
        r->err = "tags: expected strings";
        return false;
    }
    tr_str s;
    if (tr_json_str_arena(e, r->arena, &s) != TR_OK || !TR_VEC_PUSH(&r->tags, s)) {
        r->err = "out of memory";
        return false;
    }
    return true;
}

static bool contrib_element(jl *r, const tr_json_tok *e)
{
    uint64_t v;
    if (e->type != TR_JSON_STRING || !hex_u64(e->text, &v)) {
        r->err = "contributing: expected hexadecimal ids";
        return false;
    }
    if (!TR_VEC_PUSH(&r->contrib, v)) {
        r->err = "out of memory";
        return false;
    }
    return true;
}

static bool logsource_val(jl *r, tr_json *j, tr_logsource *ls)
{
    tr_json_tok key;
    bool open;
    if (!open_val(r, j, TR_JSON_OBJ_BEGIN, "logsource: expected an object", &open))
        return false;
    while (open && tr_json_member(j, &key)) {
        tr_str v;
        if (tr_json_str_is(&key, "product")) {
            if (!str_val(r, j, &ls->product))
                return false;
        } else if (tr_json_str_is(&key, "service")) {
            if (!str_val(r, j, &ls->service))
                return false;
        } else if (tr_json_str_is(&key, "category")) {
            if (!str_val(r, j, &v))
                return false;
            if (v.n)
                tr_logsource_add_category(ls, v);
        } else if (tr_json_skip(j, &key) != TR_OK) {
            break;
        }
    }
    return !open || close_val(r, j);
}

static bool indicator_val(jl *r, tr_json *j, tr_det_indicator *ind)
{
    tr_json_tok key;
    bool open;
    if (!open_val(r, j, TR_JSON_OBJ_BEGIN, "indicator: expected an object", &open))
        return false;
    while (open && tr_json_member(j, &key)) {
        tr_str *dst = tr_json_str_is(&key, "value")   ? &ind->value
                      : tr_json_str_is(&key, "type")  ? &ind->type
                      : tr_json_str_is(&key, "feed")  ? &ind->feed
                      : tr_json_str_is(&key, "actor") ? &ind->actor
                      : tr_json_str_is(&key, "field") ? &ind->field
                                                      : NULL;
        if (dst) {
            if (!str_val(r, j, dst))
                return false;
        } else if (tr_json_str_is(&key, "side")) {
            tr_str s;
            if (!str_val(r, j, &s))
                return false;
            ind->side = tr_str_eq(s, TR_STR("source"))        ? TR_SIDE_SRC
                        : tr_str_eq(s, TR_STR("destination")) ? TR_SIDE_DST
                                                              : TR_SIDE_NONE;
        } else if (tr_json_skip(j, &key) != TR_OK) {
            break;
        }
    }
    return !open || close_val(r, j);
}

/* Parses one line into d (views into line and r's scratch). */
static bool parse_line(jl *r, const char *line, size_t n, tr_detection *d)
{
    tr_json *j = &r->json;
    tr_json_tok t, key;
    tr_json_init(j, line, n, 0);
    memset(d, 0, sizeof(*d));
    d->ts = TR_TS_NONE;
    r->tags.n = r->fields.n = r->group.n = r->contrib.n = 0;
    r->err = NULL;
    if (tr_json_next(j, &t) != TR_JSON_OBJ_BEGIN) {
        r->err = t.type == TR_JSON_ERROR ? j->errmsg : "expected a JSON object";
        return false;
    }
    bool have_kind = false;
    while (tr_json_member(j, &key)) {
        tr_str s;
        bool ok = true;
        if (tr_json_str_is(&key, "id")) {
            ok = str_val(r, j, &s);
            if (ok && s.n && !hex_u64(s, &d->id)) {
                r->err = "id: expected 16 hexadecimal digits";
                ok = false;
            }
        } else if (tr_json_str_is(&key, "ts")) {
            ok = str_val(r, j, &s);
            if (ok && s.n && tr_time_parse_iso8601(s.p, s.n, &d->ts) != TR_OK) {
                r->err = "ts: not an ISO 8601 time";
                ok = false;
            }
        } else if (tr_json_str_is(&key, "tenant")) {
            ok = str_val(r, j, &d->tenant);
        } else if (tr_json_str_is(&key, "kind")) {
            ok = str_val(r, j, &s);
            have_kind = ok;
            if (ok && tr_str_eq(s, TR_STR("sigma")))
                d->kind = TR_DET_SIGMA;
            else if (ok && tr_str_eq(s, TR_STR("ioc")))
                d->kind = TR_DET_IOC;
            else if (ok && tr_str_eq(s, TR_STR("correlation")))
                d->kind = TR_DET_CORRELATION;
            else if (ok) {
                r->err = "kind: expected sigma, ioc or correlation";
                ok = false;
            }
        } else if (tr_json_str_is(&key, "rule_id")) {
            ok = str_val(r, j, &d->rule_id);
        } else if (tr_json_str_is(&key, "rule_title")) {
            ok = str_val(r, j, &d->rule_title);
        } else if (tr_json_str_is(&key, "level")) {
            ok = str_val(r, j, &d->level);
        } else if (tr_json_str_is(&key, "tags")) {
            ok = array_val(r, j, "tags: expected an array", tag_element);
        } else if (tr_json_str_is(&key, "logsource")) {
            ok = logsource_val(r, j, &d->logsource);
        } else if (tr_json_str_is(&key, "path")) {
            ok = str_val(r, j, &d->path);
        } else if (tr_json_str_is(&key, "record")) {
            ok = u64_val(r, j, &d->record);
        } else if (tr_json_str_is(&key, "line")) {
            ok = u64_val(r, j, &d->line);
        } else if (tr_json_str_is(&key, "fields")) {
            ok = kvs_val(r, j, &r->fields);
        } else if (tr_json_str_is(&key, "indicator")) {
            ok = indicator_val(r, j, &d->indicator);
        } else if (tr_json_str_is(&key, "first_record")) {
            ok = u64_val(r, j, &d->first_record);
        } else if (tr_json_str_is(&key, "first_path")) {
            ok = str_val(r, j, &d->first_path);
        } else if (tr_json_str_is(&key, "group")) {
            ok = kvs_val(r, j, &r->group);
        } else if (tr_json_str_is(&key, "contributing")) {
            ok = array_val(r, j, "contributing: expected an array", contrib_element);
        } else if (tr_json_skip(j, &key) != TR_OK) {
            ok = false;
        }
        if (!ok) {
            if (!r->err)
                r->err = tr_json_failed(j) ? j->errmsg : "bad value";
            return false;
        }
    }
    tr_json_tok end;
    if (tr_json_failed(j) || tr_json_next(j, &end) != TR_JSON_END) {
        r->err = j->errmsg[0] ? j->errmsg : "trailing characters";
        return false;
    }
    if (!have_kind || !d->rule_id.n) {
        r->err = "not a detection record (no kind or rule_id)";
        return false;
    }
    d->tags = r->tags.v;
    d->ntags = (uint32_t)r->tags.n;
    d->fields = r->fields.v;
    d->nfields = (uint32_t)r->fields.n;
    d->group = r->group.v;
    d->ngroup = (uint32_t)r->group.n;
    d->contributing = r->contrib.v;
    d->ncontributing = (uint32_t)r->contrib.n;
    return true;
}

static void jl_release(jl *r)
{
    tr_arena_free(r->arena);
    TR_VEC_FREE(&r->tags);
    TR_VEC_FREE(&r->fields);
    TR_VEC_FREE(&r->group);
    TR_VEC_FREE(&r->contrib);
}

/* One line (without its newline): parse it and hand it to fn, or report it. */
static tr_err one_line(jl *r, const char *name, uint64_t lineno, const char *line, size_t len,
                       tr_detection_fn fn, void *ctx, uint64_t *bad)
{
    while (len && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
        len--;
    if (len == 0)
        return TR_OK;
    tr_detection d;
    tr_arena_reset(r->arena);
    if (len > MAX_LINE || !parse_line(r, line, len, &d)) {
        tr_log_at(TR_LOG_WARN, name, lineno, "%s",
                  len > MAX_LINE ? "line longer than 64 MiB" : r->err ? r->err : "bad record");
        if (bad)
            (*bad)++;
        return TR_OK;
    }
    return fn(ctx, &d);
}

tr_err tr_detections_read_jsonl_buf(const char *name, const char *p, size_t n,
                                    tr_detection_fn fn, void *ctx, uint64_t *bad)
{
    jl r = { .arena = tr_arena_new(64 * 1024, MAX_LINE * 2) };
    tr_err err = r.arena ? TR_OK : TR_ENOMEM;
    uint64_t lineno = 0;
    for (size_t i = 0; i < n && !err;) {
        const char *nl = memchr(p + i, '\n', n - i);
        size_t end = nl ? (size_t)(nl - p) : n;
        err = one_line(&r, name, ++lineno, p + i, end - i, fn, ctx, bad);
        i = end + 1;
    }
    jl_release(&r);
    return err;
}

tr_err tr_detections_read_jsonl(const char *path, tr_detection_fn fn, void *ctx, uint64_t *bad)
{
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f)
        return errno == ENOENT ? TR_ENOENT : TR_EIO;
    jl r = { .arena = tr_arena_new(64 * 1024, MAX_LINE * 2) };
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    uint64_t lineno = 0;
    tr_err err = r.arena ? TR_OK : TR_ENOMEM;
    while (!err && (n = getline(&line, &cap, f)) >= 0) {
        size_t len = (size_t)n;
        if (len && line[len - 1] == '\n')
            len--;
        err = one_line(&r, path, ++lineno, line, len, fn, ctx, bad);
    }
    if (!err && ferror(f))
        err = TR_EIO;
    free(line); /* getline's buffer comes from libc */
    jl_release(&r);
    if (!is_stdin)
        fclose(f);
    return err;
}
