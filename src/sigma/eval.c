/*
 * eval.c - tr_sigma_scan(): bind the event's fields to the rules' field
 * names, pick the rules to evaluate (prefilter, logsource), evaluate their
 * expressions, apply filters and report matches with the fields that made
 * them.
 *
 * Field names: a rule field binds to an event field whose full name or
 * taxonomy alias equals it exactly; when the event has no exact match for
 * a rule field, a case-insensitive (ASCII) match is used instead
 * (docs/SIGMA.md, "Field names"). Multi-valued fields (JSON arrays) bind
 * every element: a value list matches if any element matches any value
 * (with |all: every value is matched by some element).
 */
#include "core/common.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/jsonstr.h"
#include "sigma/plan.h"
#include "sigma/regex.h"
#include "sigma/scratch.h"
#include "trawl/log.h"

#define SG_MAX_MATCHED_FIELDS 64

/* Field names seen in events, with the rule field they resolve to: most
 * events of a source share their field names, so a short compare replaces
 * the case-folding hash of every name of every event. */
#define SG_NAME_CACHE 1024
#define SG_NAME_MAX 56
struct sg_namecache {
    uint64_t first, last;   /* first and last 8 bytes (zero-padded) */
    uint32_t len;           /* 0: empty */
    uint32_t head;          /* fold chain head, or SG_NONE */
    char name[SG_NAME_MAX];
};

/* The field names (and aliases) of an event, in order, with the bindings
 * they produce: events of one kind from one source have the same names, so
 * that comparing them with the last such event's replaces resolving each
 * (a third of the time with 100 rules). Direct-mapped by a fingerprint;
 * events with more or longer names than an entry holds are bound directly. */
#define SG_LAYOUTS 16
#define SG_LAYOUT_FIELDS 64
#define SG_LAYOUT_BYTES 2048
#define SG_LAYOUT_BINDS 128
struct sg_layout {
    uint64_t fp;           /* 0: empty */
    uint32_t nfields, ntouched, nbinds;
    uint16_t nlen[SG_LAYOUT_FIELDS], alen[SG_LAYOUT_FIELDS];
    char bytes[SG_LAYOUT_BYTES]; /* name and alias of each field, concatenated */
    uint32_t touched[SG_LAYOUT_BINDS], head[SG_LAYOUT_BINDS], tail[SG_LAYOUT_BINDS];
    uint8_t exact[SG_LAYOUT_BINDS];
    sg_bind binds[SG_LAYOUT_BINDS];
};

/* ---- Scratch -------------------------------------------------------------------------------- */

tr_err tr_sigma_scratch_new(const tr_ruleset *rs, tr_sigma_scratch **out)
{
    *out = NULL;
    tr_sigma_scratch *s = tr_calloc(1, sizeof(*s));
    if (!s)
        return TR_ENOMEM;
    s->rs = rs;
    size_t nf = rs->fields.n ? rs->fields.n : 1, np = rs->preds.n ? rs->preds.n : 1;
    size_t nr = rs->rules.n ? rs->rules.n : 1;
    s->fgen = tr_calloc(nf, sizeof(uint32_t));
    s->fhead = tr_calloc(nf, sizeof(uint32_t));
    s->ftail = tr_calloc(nf, sizeof(uint32_t));
    s->fexact = tr_calloc(nf, 1);
    s->pgen = tr_calloc(np, sizeof(uint32_t));
    s->pval = tr_calloc(np, 1);
    s->cgen = tr_calloc(nr, sizeof(uint32_t));
    s->re_reported = tr_calloc(nr, 1);
    s->rm = sg_rematch_new(rs->re_match_limit, rs->re_depth_limit);
    tr_err err = TR_OK;
    if (!s->fgen || !s->fhead || !s->ftail || !s->fexact || !s->pgen || !s->pval || !s->cgen ||
        !s->re_reported || !s->rm)
        err = TR_ENOMEM;
    if (!err && rs->plan)
        err = sg_plan_scratch_new(rs->plan, &s->ps);
    if (!err && rs->plan)
        err = tr_idset_init(&s->hits, sg_plan_nslots(rs->plan));
    if (!err &&
        !(s->chgen = tr_calloc(rs->plan ? sg_plan_nclauses(rs->plan) + 1u : 1, sizeof(uint32_t))))
        err = TR_ENOMEM;
    if (!err && !tr_vec_grow((void **)&s->cands.v, &s->cands.cap, nr, sizeof(uint32_t)))
        err = TR_ENOMEM;
    for (int i = 0; i < SG_LS_CACHE && !err; i++) {
        tr_buf_init(&s->ls[i].key, 4096);
        s->ls[i].routes = tr_calloc(rs->plan ? sg_plan_nroutes(rs->plan) + 1 : 1, 1);
        s->ls[i].always = tr_calloc(nr, sizeof(uint32_t));
        if (!s->ls[i].routes || !s->ls[i].always)
            err = TR_ENOMEM;
    }
    tr_buf_init(&s->dec, 0);
    tr_buf_init(&s->low, 0);
    s->names = tr_calloc(SG_NAME_CACHE, sizeof(*s->names));
    s->layouts = tr_calloc(SG_LAYOUTS, sizeof(*s->layouts));
    if (!s->names || !s->layouts)
        err = TR_ENOMEM;
    if (err) {
        tr_sigma_scratch_free(s);
        return err;
    }
    *out = s;
    return TR_OK;
}

void tr_sigma_scratch_free(tr_sigma_scratch *s)
{
    if (!s)
        return;
    tr_free(s->fgen);
    tr_free(s->fhead);
    tr_free(s->ftail);
    tr_free(s->fexact);
    tr_free(s->pgen);
    tr_free(s->pval);
    tr_free(s->cgen);
    tr_free(s->re_reported);
    TR_VEC_FREE(&s->binds);
    TR_VEC_FREE(&s->touched);
    TR_VEC_FREE(&s->vals);
    TR_VEC_FREE(&s->vgen);
    TR_VEC_FREE(&s->cands);
    TR_VEC_FREE(&s->mf);
    tr_buf_release(&s->dec);
    tr_buf_release(&s->low);
    TR_VEC_FREE(&s->lows);
    TR_VEC_FREE(&s->lgen);
    tr_free(s->names);
    tr_free(s->layouts);
    for (int i = 0; i < SG_LS_CACHE; i++) {
        tr_buf_release(&s->ls[i].key);
        tr_free(s->ls[i].routes);
        tr_free(s->ls[i].always);
    }
    sg_rematch_free(s->rm);
    if (s->ps)
        sg_plan_scratch_free(s->ps);
    tr_idset_release(&s->hits);
    tr_free(s->chgen);
    tr_free(s);
}

const tr_sigma_scan_stats *tr_sigma_scratch_stats(const tr_sigma_scratch *s)
{
    return &s->stats;
}

/* ---- Values and bindings -------------------------------------------------------------------- */

tr_str sg_scratch_value_load(tr_sigma_scratch *s, const tr_field *f, uint32_t i)
{
    tr_str v = f->value;
    if (f->flags & TR_FIELD_ESCAPED) {
        /* dec was reserved for every escaped byte of the event: no realloc. */
        char *d = s->dec.p + s->dec.n;
        size_t n;
        if (tr_json_unescape(f->value.p, f->value.n, d, &n) == TR_OK) {
            s->dec.n += n;
            v = (tr_str){ d, n };
        }
    }
    if (!v.p)
        v.p = "";
    s->vals.v[i] = v;
    s->vgen.v[i] = s->gen;
    return v;
}

tr_str sg_scratch_lower(tr_sigma_scratch *s, uint32_t i)
{
    if (s->lgen.v[i] == s->gen)
        return s->lows.v[i];
    tr_str v = sg_scratch_value(s, i);
    tr_str r = { NULL, 0 };
    if (v.n == 0) {
        r = v;
    } else if (s->low.n + v.n <= s->low.cap) {
        char *d = s->low.p + s->low.n;
        sg_lower(d, v);
        s->low.n += v.n;
        r = (tr_str){ d, v.n };
    }
    s->lows.v[i] = r;
    s->lgen.v[i] = s->gen;
    return r;
}

static tr_err bind(tr_sigma_scratch *s, uint32_t fid, uint32_t evf, bool exact)
{
    if (s->fgen[fid] == s->gen) {
        if (s->fexact[fid] && !exact)
            return TR_OK;
        if (exact && !s->fexact[fid]) {
            s->fhead[fid] = SG_NONE; /* exact names win over case-folded ones */
            s->fexact[fid] = 1;
        } else if (s->binds.v[s->ftail[fid]].evf == evf) {
            return TR_OK; /* name and alias of one field */
        }
    } else {
        s->fgen[fid] = s->gen;
        s->fhead[fid] = SG_NONE;
        s->fexact[fid] = exact;
        if (!TR_VEC_PUSH(&s->touched, fid))
            return TR_ENOMEM;
    }
    sg_bind b = { evf, SG_NONE };
    if (!TR_VEC_PUSH(&s->binds, b))
        return TR_ENOMEM;
    uint32_t bi = (uint32_t)s->binds.n - 1;
    if (s->fhead[fid] == SG_NONE)
        s->fhead[fid] = bi;
    else
        s->binds.v[s->ftail[fid]].next = bi;
    s->ftail[fid] = bi;
    return TR_OK;
}

static uint32_t name_head(tr_sigma_scratch *s, tr_str name)
{
    uint64_t head;
    uint32_t bit = sg_name_bit(name);
    if (!(s->rs->name_filter[bit >> 6] >> (bit & 63) & 1))
        return SG_NONE;
    if (name.n > SG_NAME_MAX) {
        return tr_map_get(s->rs->field_fold, name, &head) ? (uint32_t)head : SG_NONE;
    }
    uint64_t a = 0, b = 0;
    memcpy(&a, name.p, TR_MIN(name.n, 8));
    memcpy(&b, name.p + (name.n > 8 ? name.n - 8 : 0), TR_MIN(name.n, 8));
    uint64_t h = (a * 0x9e3779b97f4a7c15ULL) ^ (b + name.n) * 0xc2b2ae3d27d4eb4fULL;
    struct sg_namecache *c = &s->names[(h >> 40) & (SG_NAME_CACHE - 1)];
    /* Names of up to 16 bytes are wholly in first/last. */
    if (c->len == name.n && c->first == a && c->last == b &&
        (name.n <= 16 || memcmp(c->name + 8, name.p + 8, name.n - 16) == 0))
        return c->head;
    c->head = tr_map_get(s->rs->field_fold, name, &head) ? (uint32_t)head : SG_NONE;
    c->len = (uint32_t)name.n;
    c->first = a;
    c->last = b;
    memcpy(c->name, name.p, name.n);
    return c->head;
}

static tr_err bind_name(tr_sigma_scratch *s, tr_str name, uint32_t evf)
{
    const tr_ruleset *rs = s->rs;
    uint32_t head;
    if (!name.n || (head = name_head(s, name)) == SG_NONE)
        return TR_OK;
    for (uint32_t f = head; f != SG_NONE; f = rs->fields.v[f].fold_next) {
        tr_str fn = rs->fields.v[f].name;
        tr_err err = bind(s, f, evf, fn.n == name.n && memcmp(fn.p, name.p, name.n) == 0);
        if (err)
            return err;
    }
    return TR_OK;
}

/* ---- Layouts -------------------------------------------------------------------------------- */

static uint64_t layout_fp(const tr_event *ev)
{
    uint64_t h = ev->nfields * 0x9e3779b97f4a7c15ULL + 1;
    for (uint32_t i = 0; i < ev->nfields; i++) {
        tr_str nm = ev->fields[i].name;
        uint64_t w = 0;
        if (nm.n >= 8)
            memcpy(&w, nm.p + nm.n - 8, 8); /* the distinctive end of "Event.EventData.X" */
        else if (nm.n)
            w = (unsigned char)nm.p[0] | (uint64_t)(unsigned char)nm.p[nm.n - 1] << 8;
        h = (h ^ w ^ ((uint64_t)nm.n << 48) ^ ev->fields[i].alias.n) * 0xc2b2ae3d27d4eb4fULL;
        h ^= h >> 29;
    }
    return h | 1;
}

/* a[0..n) == b[0..n) for short names, without a call: two overlapping
 * loads cover 4 to 8, 8 to 16 (and, with SSE2, 16 to 32) bytes; longer
 * ones loop. (The layout comparison reads every name and alias of every
 * event: with SSE2 a Sysmon event's names cost 0.6k instructions less.) */
static inline bool bytes_eq(const char *a, const char *b, size_t n)
{
    uint64_t x, y, x2, y2;
#if defined(__SSE2__)
    if (n >= 16) {
        size_t i = 0;
        for (; i + 32 < n; i += 16)
            if (_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(a + i)),
                                                 _mm_loadu_si128((const __m128i *)(b + i)))) !=
                0xffff)
                return false;
        __m128i d = _mm_or_si128(_mm_xor_si128(_mm_loadu_si128((const __m128i *)(a + i)),
                                               _mm_loadu_si128((const __m128i *)(b + i))),
                                 _mm_xor_si128(_mm_loadu_si128((const __m128i *)(a + n - 16)),
                                               _mm_loadu_si128((const __m128i *)(b + n - 16))));
        return _mm_movemask_epi8(_mm_cmpeq_epi8(d, _mm_setzero_si128())) == 0xffff;
    }
#else
    if (n > 16) {
        for (size_t i = 0; i + 8 < n; i += 8) {
            memcpy(&x, a + i, 8);
            memcpy(&y, b + i, 8);
            if (x != y)
                return false;
        }
        memcpy(&x, a + n - 8, 8);
        memcpy(&y, b + n - 8, 8);
        return x == y;
    }
#endif
    if (n >= 8) {
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        memcpy(&x2, a + n - 8, 8);
        memcpy(&y2, b + n - 8, 8);
        return ((x ^ y) | (x2 ^ y2)) == 0;
    }
    if (n >= 4) {
        uint32_t u, v, u2, v2;
        memcpy(&u, a, 4);
        memcpy(&v, b, 4);
        memcpy(&u2, a + n - 4, 4);
        memcpy(&v2, b + n - 4, 4);
        return ((u ^ v) | (u2 ^ v2)) == 0;
    }
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return false;
    return true;
}

static bool layout_same(const struct sg_layout *l, const tr_event *ev)
{
    uint32_t last = ev->nfields - 1;
    if (l->nfields != ev->nfields || (ev->nfields && (ev->fields[last].name.n != l->nlen[last] ||
                                                      ev->fields[last].alias.n != l->alen[last])))
        return false; /* (the last names tell most kinds of event apart) */
    const char *b = l->bytes;
    for (uint32_t i = 0; i < ev->nfields; i++) {
        tr_str nm = ev->fields[i].name, al = ev->fields[i].alias;
        if (nm.n != l->nlen[i] || al.n != l->alen[i] || !bytes_eq(b, nm.p, nm.n) ||
            !bytes_eq(b + nm.n, al.p, al.n))
            return false;
        b += nm.n + al.n;
    }
    return true;
}

/* Binds the event as the layout says (the stamps are this event's). */
static tr_err layout_replay(tr_sigma_scratch *s, const struct sg_layout *l)
{
    if (!tr_vec_grow((void **)&s->binds.v, &s->binds.cap, l->nbinds, sizeof(sg_bind)) ||
        !tr_vec_grow((void **)&s->touched.v, &s->touched.cap, l->ntouched, sizeof(uint32_t)))
        return TR_ENOMEM;
    if (l->nbinds) /* else the vectors may still be NULL */
        memcpy(s->binds.v, l->binds, l->nbinds * sizeof(sg_bind));
    if (l->ntouched)
        memcpy(s->touched.v, l->touched, l->ntouched * sizeof(uint32_t));
    s->binds.n = l->nbinds;
    s->touched.n = l->ntouched;
    for (uint32_t t = 0; t < l->ntouched; t++) {
        uint32_t fid = l->touched[t];
        s->fgen[fid] = s->gen;
        s->fhead[fid] = l->head[t];
        s->ftail[fid] = l->tail[t];
        s->fexact[fid] = l->exact[t];
    }
    return TR_OK;
}

/* Remembers the bindings just made for events named like ev, if they fit. */
static void layout_store(tr_sigma_scratch *s, struct sg_layout *l, uint64_t fp,
                         const tr_event *ev)
{
    l->fp = 0;
    if (ev->nfields > SG_LAYOUT_FIELDS || s->touched.n > SG_LAYOUT_BINDS ||
        s->binds.n > SG_LAYOUT_BINDS)
        return;
    size_t o = 0;
    for (uint32_t i = 0; i < ev->nfields; i++) {
        tr_str nm = ev->fields[i].name, al = ev->fields[i].alias;
        if (nm.n > UINT16_MAX || al.n > UINT16_MAX || nm.n + al.n > SG_LAYOUT_BYTES - o)
            return;
        if (nm.n)
            memcpy(l->bytes + o, nm.p, nm.n);
        if (al.n)
            memcpy(l->bytes + o + nm.n, al.p, al.n);
        o += nm.n + al.n;
        l->nlen[i] = (uint16_t)nm.n;
        l->alen[i] = (uint16_t)al.n;
    }
    for (size_t t = 0; t < s->touched.n; t++) {
        uint32_t fid = s->touched.v[t];
        l->touched[t] = fid;
        l->head[t] = s->fhead[fid];
        l->tail[t] = s->ftail[fid];
        l->exact[t] = s->fexact[fid];
    }
    if (s->binds.n)
        memcpy(l->binds, s->binds.v, s->binds.n * sizeof(sg_bind));
    l->nfields = ev->nfields;
    l->ntouched = (uint32_t)s->touched.n;
    l->nbinds = (uint32_t)s->binds.n;
    l->fp = fp;
}

static tr_err prepare_event(tr_sigma_scratch *s, const tr_event *ev)
{
    if (++s->gen == 0) {
        /* Wrapped: forget every stamp. */
        const tr_ruleset *rs = s->rs;
        memset(s->fgen, 0, (rs->fields.n ? rs->fields.n : 1) * sizeof(uint32_t));
        memset(s->pgen, 0, (rs->preds.n ? rs->preds.n : 1) * sizeof(uint32_t));
        memset(s->cgen, 0, (rs->rules.n ? rs->rules.n : 1) * sizeof(uint32_t));
        memset(s->chgen, 0, (rs->plan ? sg_plan_nclauses(rs->plan) + 1u : 1) * sizeof(uint32_t));
        memset(s->vgen.v, 0, s->vgen.n * sizeof(uint32_t));
        memset(s->lgen.v, 0, s->lgen.n * sizeof(uint32_t));
        s->gen = 1;
    }
    s->ev = ev;
    s->binds.n = 0;
    s->touched.n = 0;
    s->cands.n = 0;
    uint32_t nf = ev->nfields;
    if (!tr_vec_grow((void **)&s->vals.v, &s->vals.cap, nf, sizeof(tr_str)) ||
        !tr_vec_grow((void **)&s->vgen.v, &s->vgen.cap, nf, sizeof(uint32_t)) ||
        !tr_vec_grow((void **)&s->lows.v, &s->lows.cap, nf, sizeof(tr_str)) ||
        !tr_vec_grow((void **)&s->lgen.v, &s->lgen.cap, nf, sizeof(uint32_t)))
        return TR_ENOMEM;
    if (s->vgen.n < nf) {
        memset(s->vgen.v + s->vgen.n, 0, (nf - s->vgen.n) * sizeof(uint32_t));
        memset(s->lgen.v + s->lgen.n, 0, (nf - s->lgen.n) * sizeof(uint32_t));
        s->vgen.n = s->vals.n = s->lgen.n = s->lows.n = nf;
    }
    /* Room for every decoded and lowercased value of the event, so that the
     * buffers never move while slices into them are in use. */
    size_t escaped = 0, total = 0;
    for (uint32_t i = 0; i < nf; i++) {
        total += ev->fields[i].value.n;
        if (ev->fields[i].flags & TR_FIELD_ESCAPED)
            escaped += ev->fields[i].value.n;
    }
    tr_buf_reset(&s->dec);
    tr_buf_reset(&s->low);
    if ((escaped && tr_buf_reserve(&s->dec, escaped + 1)) ||
        (total && tr_buf_reserve(&s->low, total + 1)))
        return TR_ENOMEM;
    /* The layout of the last event first: a log is read in runs of one kind
     * of event, and this spares the fingerprint (all names read once more). */
    struct sg_layout *l = s->last_layout;
    if (l && l->fp && layout_same(l, ev))
        return layout_replay(s, l);
    uint64_t fp = layout_fp(ev);
    l = &s->layouts[(fp >> 32) & (SG_LAYOUTS - 1)];
    if (l->fp == fp && layout_same(l, ev)) {
        s->last_layout = l;
        return layout_replay(s, l);
    }
    for (uint32_t i = 0; i < nf; i++) {
        const tr_field *f = &ev->fields[i];
        tr_err err = bind_name(s, f->name, i);
        if (!err && f->alias.n && !tr_str_eq(f->alias, f->name))
            err = bind_name(s, f->alias, i);
        if (err)
            return err;
    }
    layout_store(s, l, fp, ev);
    s->last_layout = l->fp ? l : NULL;
    return TR_OK;
}

/* ---- Logsource ------------------------------------------------------------------------------ */

static bool route_applies(const sg_route *r, const tr_logsource *ls)
{
    return tr_logsource_match(ls, r->product, r->category, r->service);
}

static tr_err ls_key(tr_buf *b, const tr_logsource *ls)
{
    tr_buf_reset(b);
    tr_err err = tr_buf_append_str(b, ls->product);
    err = err ? err : tr_buf_putc(b, '\0');
    err = err ? err : tr_buf_append_str(b, ls->service);
    for (uint8_t i = 0; i < ls->ncategory && i < TR_MAX_CATEGORIES && !err; i++) {
        err = tr_buf_putc(b, '\0');
        err = err ? err : tr_buf_append_str(b, ls->category[i]);
    }
    return err;
}

static bool ls_key_eq(const tr_buf *b, const tr_logsource *ls)
{
    size_t o = 0;
    tr_str parts[2 + TR_MAX_CATEGORIES];
    size_t np = 0;
    parts[np++] = ls->product;
    parts[np++] = ls->service;
    for (uint8_t i = 0; i < ls->ncategory && i < TR_MAX_CATEGORIES; i++)
        parts[np++] = ls->category[i];
    for (size_t i = 0; i < np; i++) {
        if (i) {
            if (o >= b->n || b->p[o] != '\0')
                return false;
            o++;
        }
        if (o + parts[i].n > b->n || (parts[i].n && memcmp(b->p + o, parts[i].p, parts[i].n)))
            return false;
        o += parts[i].n;
    }
    return o == b->n;
}

/* The cached applicability of rules to this event's logsource. */
static sg_lscache *logsource(tr_sigma_scratch *s, const tr_event *ev)
{
    const tr_ruleset *rs = s->rs;
    for (int i = 0; i < SG_LS_CACHE; i++)
        if (s->ls[i].used && ls_key_eq(&s->ls[i].key, &ev->logsource))
            return &s->ls[i];
    sg_lscache *c = &s->ls[s->ls_next];
    s->ls_next = (s->ls_next + 1) % SG_LS_CACHE;
    c->used = ls_key(&c->key, &ev->logsource) == TR_OK;
    const sg_plan *p = rs->plan;
    uint32_t nroutes = sg_plan_nroutes(p);
    for (uint32_t r = 0; r < nroutes; r++)
        c->routes[r] = rs->no_logsource_filter || route_applies(sg_plan_route(p, r), &ev->logsource);
    c->nalways = 0;
    c->keywords = false;
    for (uint32_t i = 0; i < rs->rules.n; i++) {
        if (!c->routes[sg_plan_rule_route(p, i)])
            continue;
        if (sg_plan_rule_always(p, i))
            c->always[c->nalways++] = i;
        if (sg_plan_rule_keyword(p, i))
            c->keywords = true;
    }
    return c;
}

/* ---- Evaluation ----------------------------------------------------------------------------- */

typedef struct evalctx {
    tr_sigma_scratch *s;
    uint32_t rule;     /* for regex limit reports */
    bool limit_hit;
} evalctx;

static int re_cb(void *ctx, uint32_t re, uint8_t flags, tr_str v)
{
    (void)flags;
    evalctx *e = ctx;
    int r = sg_regex_match(e->s->rs->re, e->s->rm, re, v);
    if (r < 0) {
        e->limit_hit = true;
        e->s->stats.regex_limit++;
    }
    return r;
}

/* The cheap tests a value must pass before it is compared (with the
 * prefilter; rule guards use them too: plan.h, sg_plan_rule_guard). */
static inline bool value_may_match(const tr_sigma_scratch *sc, const sg_value *v, tr_str s)
{
    if (!sc->decided)
        return true;
    if (v->need != SG_NONE && !tr_idset_has(&sc->hits, v->need))
        return false; /* a literal it needs occurs in no value of the field */
    if (v->need_lit.n &&
        !(v->need_cased ? sg_memmem(s.p, s.n, v->need_lit.p, v->need_lit.n) != NULL
                        : sg_memmem_nocase(s.p, s.n, v->need_lit.p, v->need_lit.n) != NULL))
        return false; /* the same with a literal too short for the database */
    if (v->run_min && !sg_has_run(v->run_set, v->run_min, s))
        return false; /* no run of the characters a repetition in it needs */
    if (v->pair_set && !sg_has_pair(v->pair_set, v->pair_first, s))
        return false; /* no two characters in a row that it needs */
    return true;
}

static bool alt_match(evalctx *e, const sg_value *v, tr_str s, tr_str low)
{
    if (!value_may_match(e->s, v, s))
        return false;
    if (v->op != SG_OP_FIELDREF)
        return sg_value_match(v, s, low, re_cb, e);
    tr_sigma_scratch *sc = e->s;
    if (sc->fgen[v->ref] != sc->gen)
        return false;
    for (uint32_t b = sc->fhead[v->ref]; b != SG_NONE; b = sc->binds.v[b].next) {
        uint32_t evf = sc->binds.v[b].evf;
        if (sc->ev->fields[evf].kind == TR_VNULL)
            continue;
        if (sg_ref_match(v, s, sg_scratch_value(sc, evf)))
            return true;
    }
    return false;
}

/* Iterates the non-null values a predicate looks at: the bindings of its
 * field, or every field of the event for keywords. */
typedef struct valiter {
    tr_sigma_scratch *s;
    bool keyword;
    uint32_t cur;
} valiter;

static void vi_start(valiter *it, tr_sigma_scratch *s, const sg_pred *p)
{
    it->s = s;
    it->keyword = p->kind == SG_P_KEYWORD;
    if (it->keyword)
        it->cur = 0;
    else
        it->cur = s->fgen[p->field] == s->gen ? s->fhead[p->field] : SG_NONE;
}

static bool vi_next(valiter *it, uint32_t *evf)
{
    tr_sigma_scratch *s = it->s;
    for (;;) {
        uint32_t f;
        if (it->keyword) {
            if (it->cur >= s->ev->nfields)
                return false;
            f = it->cur++;
        } else {
            if (it->cur == SG_NONE)
                return false;
            f = s->binds.v[it->cur].evf;
            it->cur = s->binds.v[it->cur].next;
        }
        if (s->ev->fields[f].kind != TR_VNULL) {
            *evf = f;
            return true;
        }
    }
}

static bool needs_lower(const sg_value *v)
{
    return !(v->flags & (SG_V_CASED | SG_V_NOFOLD)) && v->op <= SG_OP_GLOB && v->op != SG_OP_ANY;
}

/* Does some value of the predicate match some of the alternatives
 * values[idx[0..n)]? (idx NULL: values[a .. a+n).) */
static bool list_match(evalctx *e, const sg_pred *p, const uint32_t *idx, uint32_t a, uint32_t n)
{
    if (n == 0)
        return false;
    const sg_value *vals = e->s->rs->values.v;
    bool lower = false;
    for (uint32_t i = 0; i < n && !lower; i++)
        lower = needs_lower(&vals[idx ? idx[i] : a + i]);
    valiter it;
    vi_start(&it, e->s, p);
    uint32_t evf;
    while (vi_next(&it, &evf)) {
        tr_str v = sg_scratch_value(e->s, evf);
        tr_str low = lower ? sg_scratch_lower(e->s, evf) : (tr_str){ NULL, 0 };
        for (uint32_t i = 0; i < n; i++)
            if (alt_match(e, &vals[idx ? idx[i] : a + i], v, low))
                return true;
    }
    return false;
}

/* The value test of a predicate (before neq), every alternative evaluated. */
static bool values_direct(evalctx *e, const sg_pred *p)
{
    if (!p->all)
        return list_match(e, p, NULL, p->first, p->n);
    /* Alternatives are grouped by the rule value they came from. */
    const sg_value *vals = e->s->rs->values.v;
    uint32_t end = p->first + p->n;
    for (uint32_t a = p->first; a < end;) {
        uint32_t b = a;
        while (b < end && vals[b].group == vals[a].group)
            b++;
        if (!list_match(e, p, NULL, a, b - a))
            return false;
        a = b;
    }
    return true;
}

/* The same with the prefilter's decisions: decided literal tests are one
 * bit each; only the other values are evaluated. */
static bool values_decided(evalctx *e, const sg_pred *p, const sg_pdec *d)
{
    tr_sigma_scratch *s = e->s;
    const uint32_t *und = s->und + d->und_off;
    if (d->ndirect) {
        for (uint32_t k = 0; k < d->ndirect; k++)
            if (tr_idset_has(&s->hits, d->direct[k]))
                return true;
        return d->und_n && list_match(e, p, und, 0, d->und_n);
    }
    if (!p->all) /* one clause for the predicate */
        return s->chgen[d->first_clause] == s->gen ||
               (d->und_n && list_match(e, p, und, 0, d->und_n));
    const sg_value *vals = s->rs->values.v;
    uint32_t k = 0;
    for (uint32_t g = 0; g < p->ngroups; g++) {
        uint32_t k0 = k;
        while (k < d->und_n && vals[und[k]].group == g)
            k++;
        if (s->chgen[d->first_clause + g] == s->gen)
            continue;
        if (!list_match(e, p, und + k0, 0, k - k0))
            return false;
    }
    return true;
}

static bool pred_eval(evalctx *e, const sg_pred *p, uint32_t pi)
{
    tr_sigma_scratch *s = e->s;
    switch (p->kind) {
    case SG_P_EXISTS: {
        bool present = s->fgen[p->field] == s->gen;
        return present == (bool)p->exists;
    }
    case SG_P_NULL: {
        valiter it;
        uint32_t evf;
        vi_start(&it, s, p);
        return !vi_next(&it, &evf);
    }
    default:
        break;
    }
    if (p->neg || (p->kind == SG_P_VALUES && p->all)) {
        /* neq needs a (non-null) value to differ; so does |all (a value
         * test without |all is false without values anyway: no value is
         * scanned or compared). */
        valiter it;
        uint32_t evf;
        vi_start(&it, s, p);
        if (!vi_next(&it, &evf))
            return false;
    }
    const sg_pdec *d = s->decided ? &s->pdec[pi] : NULL;
    bool res = d && d->decided ? values_decided(e, p, d) : values_direct(e, p);
    return p->neg ? !res : res;
}

static bool pred_cached(evalctx *e, uint32_t pi)
{
    tr_sigma_scratch *s = e->s;
    if (s->pgen[pi] == s->gen)
        return s->pval[pi];
    bool r = pred_eval(e, &s->rs->preds.v[pi], pi);
    s->pgen[pi] = s->gen;
    s->pval[pi] = r;
    return r;
}

static bool node_eval(evalctx *e, uint32_t ni)
{
    const tr_ruleset *rs = e->s->rs;
    const sg_node *n = &rs->nodes.v[ni];
    const uint32_t *k = n->n ? rs->kids.v + n->first : NULL;
    switch (n->op) {
    case SG_N_TRUE:
        return true;
    case SG_N_PRED:
        return pred_cached(e, n->a);
    case SG_N_NOT:
        return !node_eval(e, k[0]);
    case SG_N_AND:
        for (uint32_t i = 0; i < n->n; i++)
            if (!node_eval(e, k[i]))
                return false;
        return true;
    case SG_N_OR:
        for (uint32_t i = 0; i < n->n; i++)
            if (node_eval(e, k[i]))
                return true;
        return false;
    case SG_N_ATLEAST: {
        uint32_t hits = 0;
        for (uint32_t i = 0; i < n->n && hits < n->k; i++)
            hits += node_eval(e, k[i]);
        return hits >= n->k;
    }
    default:
        return false;
    }
}

/* ---- Matched fields ------------------------------------------------------------------------- */

static void add_field(tr_sigma_scratch *s, tr_str name, uint32_t evf)
{
    for (size_t i = 0; i < s->mf.n; i++)
        if (s->mf.v[i].field == &s->ev->fields[evf])
            return;
    if (s->mf.n >= SG_MAX_MATCHED_FIELDS || s->mf.n >= s->mf.cap)
        return;
    const tr_field *f = &s->ev->fields[evf];
    if (!name.n)
        name = f->alias.n ? f->alias : f->name;
    s->mf.v[s->mf.n++] = (tr_sigma_field){ name, sg_scratch_value(s, evf), f };
}

/* The fields of the positive, true predicates under node ni. */
static void collect(evalctx *e, uint32_t ni)
{
    tr_sigma_scratch *s = e->s;
    const tr_ruleset *rs = s->rs;
    const sg_node *n = &rs->nodes.v[ni];
    const uint32_t *k = n->n ? rs->kids.v + n->first : NULL;
    switch (n->op) {
    case SG_N_PRED: {
        const sg_pred *p = &rs->preds.v[n->a];
        if (!pred_cached(e, n->a) || p->neg || p->kind == SG_P_NULL ||
            (p->kind == SG_P_EXISTS && !p->exists))
            return;
        valiter it;
        uint32_t evf;
        vi_start(&it, s, p);
        while (vi_next(&it, &evf)) {
            tr_str v = sg_scratch_value(s, evf);
            bool hit = p->kind == SG_P_EXISTS;
            const sg_value *via = NULL;
            for (uint32_t i = p->first; i < p->first + p->n && !hit; i++)
                if ((hit = alt_match(e, &rs->values.v[i], v, (tr_str){ NULL, 0 })))
                    via = &rs->values.v[i];
            if (!hit)
                continue;
            add_field(s, p->kind == SG_P_KEYWORD ? (tr_str){ NULL, 0 } : p->fname, evf);
            if (via && via->op == SG_OP_FIELDREF && s->fgen[via->ref] == s->gen)
                /* The field it was compared with made the match too. */
                for (uint32_t b = s->fhead[via->ref]; b != SG_NONE; b = s->binds.v[b].next)
                    if (s->ev->fields[s->binds.v[b].evf].kind != TR_VNULL &&
                        sg_ref_match(via, v, sg_scratch_value(s, s->binds.v[b].evf)))
                        add_field(s, rs->fields.v[via->ref].name, s->binds.v[b].evf);
        }
        return;
    }
    case SG_N_AND:
    case SG_N_OR:
    case SG_N_ATLEAST:
        for (uint32_t i = 0; i < n->n; i++)
            if (node_eval(e, k[i]))
                collect(e, k[i]);
        return;
    default:
        return; /* NOT: what is absent made it match; nothing to show */
    }
}

/* ---- Scan ----------------------------------------------------------------------------------- */

static bool filtered(evalctx *e, const sg_rule *r, const tr_event *ev)
{
    const tr_ruleset *rs = e->s->rs;
    for (uint32_t i = 0; i < r->nfilters; i++) {
        const sg_filter *f = &rs->filters.v[r->filters[i]];
        if (f->tenant.n && !tr_str_eq(f->tenant, ev->tenant))
            continue;
        if (!rs->no_logsource_filter && !route_applies(&f->route, &ev->logsource))
            continue;
        if (node_eval(e, f->root))
            return true;
    }
    return false;
}

/* Some value of a guard predicate of a rule without atoms passes the cheap
 * tests of one of the predicate's values: else the rule cannot match. */
static bool guard_pass(tr_sigma_scratch *s, const uint32_t *g, uint32_t n)
{
    const tr_ruleset *rs = s->rs;
    for (uint32_t i = 0; i < n; i++) {
        const sg_pred *p = &rs->preds.v[g[i]];
        if (s->fgen[p->field] != s->gen)
            continue;
        for (uint32_t b = s->fhead[p->field]; b != SG_NONE; b = s->binds.v[b].next) {
            uint32_t evf = s->binds.v[b].evf;
            if (s->ev->fields[evf].kind == TR_VNULL)
                continue;
            tr_str v = sg_scratch_value(s, evf);
            for (uint32_t k = p->first; k < p->first + p->n; k++)
                if (value_may_match(s, &rs->values.v[k], v))
                    return true;
        }
    }
    return false;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void report_limit(tr_sigma_scratch *s, uint32_t rule)
{
    if (s->re_reported[rule])
        return;
    s->re_reported[rule] = 1;
    const tr_rule_info *ri = &s->rs->rules.v[rule].info;
    tr_log_at(TR_LOG_WARN, ri->path, ri->line,
              "rule '%.*s': a regular expression hit the PCRE2 match limit on %.*s record %" PRIu64
              " and counted as not matching (reported once per rule and thread)",
              TR_STR_FMT(ri->title), TR_STR_FMT(s->ev->path), s->ev->record);
}

tr_err tr_sigma_scan(const tr_ruleset *rs, tr_sigma_scratch *s, const tr_event *ev,
                     tr_sigma_match_fn cb, void *ctx)
{
    if (!s || s->rs != rs)
        return TR_EINVAL;
    tr_err err = prepare_event(s, ev);
    if (err)
        return err;
    s->stats.events++;
    sg_lscache *ls = logsource(s, ev);
    s->cur_ls = ls;
    /* Candidates: atom hits, plus the applicable rules without atoms whose
     * guard (if any) passes. */
    for (uint32_t i = 0; i < ls->nalways; i++)
        s->cgen[ls->always[i]] = s->gen;
    if ((err = sg_plan_prefilter(rs, s)))
        return err;
    s->decided = sg_plan_prefiltered(rs->plan);
    s->pdec = sg_plan_pdec(rs->plan);
    s->und = sg_plan_und(rs->plan);
    for (uint32_t i = 0; i < ls->nalways; i++) {
        uint32_t ng;
        const uint32_t *g = sg_plan_rule_guard(rs->plan, ls->always[i], &ng);
        if (ng && !guard_pass(s, g, ng))
            continue;
        if (!TR_VEC_PUSH(&s->cands, ls->always[i]))
            return TR_ENOMEM;
    }
    if (s->cands.n > 128) {
        qsort(s->cands.v, s->cands.n, sizeof(uint32_t), cmp_u32);
    } else {
        for (size_t i = 1; i < s->cands.n; i++) {
            uint32_t x = s->cands.v[i];
            size_t j = i;
            for (; j > 0 && s->cands.v[j - 1] > x; j--)
                s->cands.v[j] = s->cands.v[j - 1];
            s->cands.v[j] = x;
        }
    }
    if (!s->mf.cap && !tr_vec_grow((void **)&s->mf.v, &s->mf.cap, SG_MAX_MATCHED_FIELDS,
                                   sizeof(tr_sigma_field)))
        return TR_ENOMEM;
    evalctx e = { s, 0, false };
    for (size_t ci = 0; ci < s->cands.n; ci++) {
        uint32_t ri = s->cands.v[ci];
        const sg_rule *r = &rs->rules.v[ri];
        e.rule = ri;
        e.limit_hit = false;
        s->stats.candidates++;
        bool m = node_eval(&e, r->root);
        if (e.limit_hit)
            report_limit(s, ri);
        if (!m)
            continue;
        if (r->nfilters && filtered(&e, r, ev)) {
            s->stats.filtered++;
            continue;
        }
        s->mf.n = 0;
        collect(&e, r->root);
        /* In the event's field order, whatever order the rule was evaluated in. */
        for (size_t i = 1; i < s->mf.n; i++) {
            tr_sigma_field x = s->mf.v[i];
            size_t j = i;
            for (; j > 0 && s->mf.v[j - 1].field > x.field; j--)
                s->mf.v[j] = s->mf.v[j - 1];
            s->mf.v[j] = x;
        }
        s->stats.matches++;
        tr_sigma_match mt = { &r->info, s->mf.v, (uint32_t)s->mf.n };
        if (cb && cb(&mt, ctx))
            break;
    }
    return TR_OK;
}
