/*
 * mpm.c - the Vectorscan literal matcher (see mpm.h).
 *
 * Compilation deduplicates literals (key: flags + bytes, ASCII-lowered when
 * caseless) so Vectorscan sees each distinct literal once, under its index
 * u; a CSR table maps u to the caller's ids (the fan-out). Unanchored
 * literals are compiled with HS_FLAG_SINGLEMATCH: one report per literal per
 * scan is all a "contains" needs. Anchored ones are not, because Vectorscan
 * does not promise to report the earliest end first; the callback checks the
 * end offset (PREFIX: end == literal length, SUFFIX: end == slice length)
 * instead, so each of them also reports at most once.
 */
#include "core/common.h"

#include <hs.h>

#include "core/hash.h"
#include "core/vec.h"
#include "match/mpm.h"

#define KNOWN_FLAGS (TR_MPM_CASELESS | TR_MPM_PREFIX | TR_MPM_SUFFIX)

typedef struct lit_entry {
    uint32_t off;  /* literal bytes in builder blob */
    uint32_t len;  /* literal length */
    uint32_t id;   /* caller id */
    uint32_t flags; /* enum tr_mpm_flags */
} lit_entry;

struct tr_mpm_builder {
    TR_VEC(char) blob;       /* literal bytes, back to back */
    TR_VEC(lit_entry) lits;  /* every add() */
};

typedef struct uniq_lit {
    uint32_t len;     /* literal length (PREFIX check) */
    uint32_t flags;   /* enum tr_mpm_flags */
    uint32_t ids_off; /* first id in tr_mpm.ids */
    uint32_t ids_n;   /* ids of this literal */
} uniq_lit;

struct tr_mpm {
    hs_database_t *hs; /* NULL when there is no non-empty literal */
    uniq_lit *lits;    /* indexed by Vectorscan id */
    uint32_t nlits;    /* non-empty distinct literals */
    uint32_t *ids;     /* fan-out table */
    uint32_t nids;     /* entries of ids[] */
    uniq_lit *empty;   /* distinct empty literals (at most one per flag set) */
    uint32_t nempty;
    uint32_t id_bound; /* max id + 1 */
    size_t hs_bytes;   /* Vectorscan database size */
};

struct tr_mpm_scratch {
    hs_scratch_t *hs; /* NULL until reserved for a non-empty database */
};

/* ---- builder ---- */

tr_err tr_mpm_builder_new(tr_mpm_builder **out)
{
    *out = tr_calloc(1, sizeof(tr_mpm_builder));
    return *out ? TR_OK : TR_ENOMEM;
}

void tr_mpm_builder_free(tr_mpm_builder *b)
{
    if (!b)
        return;
    TR_VEC_FREE(&b->blob);
    TR_VEC_FREE(&b->lits);
    tr_free(b);
}

tr_err tr_mpm_builder_add(tr_mpm_builder *b, tr_str lit, unsigned flags, uint32_t id)
{
    if ((flags & ~(unsigned)KNOWN_FLAGS) || id > TR_MPM_MAX_ID)
        return TR_EINVAL;
    if (lit.n > UINT32_MAX - b->blob.n || b->lits.n >= UINT32_MAX)
        return TR_ELIMIT;
    if (!tr_vec_grow((void **)&b->blob.v, &b->blob.cap, b->blob.n + lit.n, 1))
        return TR_ENOMEM;
    lit_entry e = { (uint32_t)b->blob.n, (uint32_t)lit.n, id, flags };
    if (!TR_VEC_PUSH(&b->lits, e))
        return TR_ENOMEM;
    if (lit.n)
        memcpy(b->blob.v + b->blob.n, lit.p, lit.n);
    b->blob.n += lit.n;
    return TR_OK;
}

size_t tr_mpm_builder_count(const tr_mpm_builder *b)
{
    return b->lits.n;
}

/* ---- compile ---- */

typedef struct pair {
    uint32_t u;  /* distinct literal; empty literals are numbered after the others */
    uint32_t id; /* caller id */
} pair;

static int cmp_pair(const void *a, const void *b)
{
    const pair *x = a, *y = b;
    if (x->u != y->u)
        return (x->u > y->u) - (x->u < y->u);
    return (x->id > y->id) - (x->id < y->id);
}

/* Writes a printable, truncated rendering of a literal into buf. */
static void quote_literal(const char *p, size_t n, char *buf, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 8 < cap; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
            buf[o++] = (char)c;
        else
            o += (size_t)snprintf(buf + o, cap - o, "\\x%02x", c);
        if (i == 63 && n > 64) {
            o += (size_t)snprintf(buf + o, cap - o, "...");
            break;
        }
    }
    buf[o < cap ? o : cap - 1] = '\0';
}

void tr_mpm_free(tr_mpm *db)
{
    if (!db)
        return;
    hs_free_database(db->hs);
    tr_free(db->lits);
    tr_free(db->ids);
    tr_free(db->empty);
    tr_free(db);
}

tr_err tr_mpm_compile(const tr_mpm_builder *b, tr_mpm **out, char *err, size_t errlen,
                      uint32_t *bad_id)
{
    tr_err e = TR_OK;
    *out = NULL;
    if (bad_id)
        *bad_id = TR_MPM_NO_ID;
    if (errlen)
        err[0] = '\0';
    size_t n = b->lits.n;
    tr_mpm *db = tr_calloc(1, sizeof(*db));
    tr_map *seen = tr_map_new(n, 0);
    uint32_t *uniq_of = tr_malloc((n ? n : 1) * sizeof(uint32_t)); /* entry -> u */
    uint32_t *first_of = tr_malloc((n ? n : 1) * sizeof(uint32_t)); /* u -> entry */
    pair *pairs = tr_malloc((n ? n : 1) * sizeof(pair));
    char *key = NULL;
    size_t keycap = 0;
    const char **exprs = NULL;
    size_t *lens = NULL;
    unsigned *hflags = NULL, *hids = NULL;
    hs_compile_error_t *cerr = NULL;
    if (!db || !seen || !uniq_of || !first_of || !pairs) {
        e = TR_ENOMEM;
        goto out;
    }

    /* 1. distinct literals: non-empty ones numbered 0.., empty ones apart */
    uint32_t nonempty = 0, nempty = 0;
    uint32_t empty_u[8]; /* by flags: index among empty literals, or UINT32_MAX */
    for (size_t f = 0; f < TR_ARRAY_LEN(empty_u); f++)
        empty_u[f] = UINT32_MAX;
    for (size_t i = 0; i < n; i++) {
        const lit_entry *le = &b->lits.v[i];
        if (le->len == 0) {
            if (empty_u[le->flags] == UINT32_MAX)
                empty_u[le->flags] = nempty++;
            uniq_of[i] = empty_u[le->flags]; /* numbered after the non-empty ones below */
            continue;
        }
        if (le->len + 1 > keycap) {
            size_t nc = (le->len + 1) * 2;
            char *nk = tr_realloc(key, nc);
            if (!nk) {
                e = TR_ENOMEM;
                goto out;
            }
            key = nk;
            keycap = nc;
        }
        key[0] = (char)le->flags;
        const char *src = b->blob.v + le->off;
        for (uint32_t k = 0; k < le->len; k++)
            key[k + 1] = (le->flags & TR_MPM_CASELESS) ? (char)tr_ascii_lower((unsigned char)src[k])
                                                        : src[k];
        uint64_t u;
        bool inserted;
        if ((e = tr_map_put_new(seen, (tr_str){ key, le->len + 1u }, nonempty, &u, &inserted)))
            goto out;
        if (inserted) {
            if (nonempty >= TR_MPM_MAX_ID) {
                e = TR_ELIMIT;
                goto out;
            }
            first_of[nonempty++] = (uint32_t)i;
        }
        uniq_of[i] = (uint32_t)u;
    }

    /* 2. fan-out: sorted, deduplicated (u, id) pairs as a CSR table */
    uint32_t id_bound = 0;
    for (size_t i = 0; i < n; i++) {
        const lit_entry *le = &b->lits.v[i];
        uint32_t u = le->len == 0 ? nonempty + uniq_of[i] : uniq_of[i];
        pairs[i] = (pair){ u, le->id };
        if (le->id + 1 > id_bound)
            id_bound = le->id + 1;
    }
    if (n)
        qsort(pairs, n, sizeof(pair), cmp_pair);
    uint32_t total = nonempty + nempty;
    db->lits = tr_calloc(total ? total : 1, sizeof(uniq_lit));
    db->ids = tr_malloc((n ? n : 1) * sizeof(uint32_t));
    if (!db->lits || !db->ids) {
        e = TR_ENOMEM;
        goto out;
    }
    uint32_t nids = 0;
    for (size_t i = 0; i < n; i++) {
        if (i && pairs[i].u == pairs[i - 1].u && pairs[i].id == pairs[i - 1].id)
            continue;
        uniq_lit *ul = &db->lits[pairs[i].u];
        if (ul->ids_n == 0)
            ul->ids_off = nids;
        ul->ids_n++;
        db->ids[nids++] = pairs[i].id;
    }
    for (uint32_t u = 0; u < nonempty; u++) {
        const lit_entry *le = &b->lits.v[first_of[u]];
        db->lits[u].len = le->len;
        db->lits[u].flags = le->flags;
    }
    for (unsigned f = 0; f < TR_ARRAY_LEN(empty_u); f++)
        if (empty_u[f] != UINT32_MAX)
            db->lits[nonempty + empty_u[f]].flags = f;
    db->empty = NULL;
    if (nempty) {
        db->empty = tr_malloc(nempty * sizeof(uniq_lit));
        if (!db->empty) {
            e = TR_ENOMEM;
            goto out;
        }
        memcpy(db->empty, db->lits + nonempty, nempty * sizeof(uniq_lit));
    }
    db->nlits = nonempty;
    db->nempty = nempty;
    db->nids = nids;
    db->id_bound = id_bound;

    /* 3. Vectorscan */
    if (nonempty) {
        exprs = tr_malloc(nonempty * sizeof(*exprs));
        lens = tr_malloc(nonempty * sizeof(*lens));
        hflags = tr_malloc(nonempty * sizeof(*hflags));
        hids = tr_malloc(nonempty * sizeof(*hids));
        if (!exprs || !lens || !hflags || !hids) {
            e = TR_ENOMEM;
            goto out;
        }
        for (uint32_t u = 0; u < nonempty; u++) {
            const lit_entry *le = &b->lits.v[first_of[u]];
            exprs[u] = b->blob.v + le->off;
            lens[u] = le->len;
            hflags[u] = (le->flags & TR_MPM_CASELESS) ? HS_FLAG_CASELESS : 0;
            if (!(le->flags & (TR_MPM_PREFIX | TR_MPM_SUFFIX)))
                hflags[u] |= HS_FLAG_SINGLEMATCH;
            hids[u] = u;
        }
        hs_error_t he = hs_compile_lit_multi(exprs, hflags, hids, lens, nonempty, HS_MODE_BLOCK,
                                             NULL, &db->hs, &cerr);
        if (he != HS_SUCCESS) {
            e = he == HS_NOMEM ? TR_ENOMEM : TR_EINVAL;
            const char *msg = cerr && cerr->message ? cerr->message : "compile failed";
            if (cerr && cerr->expression >= 0 && (uint32_t)cerr->expression < nonempty) {
                uint32_t u = (uint32_t)cerr->expression;
                const lit_entry *le = &b->lits.v[first_of[u]];
                char q[300];
                quote_literal(b->blob.v + le->off, le->len, q, sizeof(q));
                if (bad_id)
                    *bad_id = db->ids[db->lits[u].ids_off];
                snprintf(err, errlen, "literal \"%s\" (id %" PRIu32 "): %s", q,
                         db->ids[db->lits[u].ids_off], msg);
            } else {
                snprintf(err, errlen, "literal set of %" PRIu32 ": %s", nonempty, msg);
            }
            goto out;
        }
        if (hs_database_size(db->hs, &db->hs_bytes) != HS_SUCCESS)
            db->hs_bytes = 0;
    }
    *out = db;
    db = NULL;
out:
    if (e == TR_ENOMEM && errlen && !err[0])
        snprintf(err, errlen, "out of memory");
    if (e == TR_ELIMIT && errlen && !err[0])
        snprintf(err, errlen, "too many distinct literals");
    hs_free_compile_error(cerr);
    tr_mpm_free(db);
    tr_map_free(seen);
    tr_free(uniq_of);
    tr_free(first_of);
    tr_free(pairs);
    tr_free(key);
    tr_free(exprs);
    tr_free(lens);
    tr_free(hflags);
    tr_free(hids);
    return e;
}

uint32_t tr_mpm_id_bound(const tr_mpm *db)
{
    return db->id_bound;
}

size_t tr_mpm_literal_count(const tr_mpm *db)
{
    return (size_t)db->nlits + db->nempty;
}

size_t tr_mpm_memory(const tr_mpm *db)
{
    return sizeof(*db) + db->hs_bytes + ((size_t)db->nlits + db->nempty) * sizeof(uniq_lit) * 2 +
           (size_t)db->nids * sizeof(uint32_t);
}

/* ---- scratch ---- */

tr_err tr_mpm_scratch_new(tr_mpm_scratch **out)
{
    *out = tr_calloc(1, sizeof(tr_mpm_scratch));
    return *out ? TR_OK : TR_ENOMEM;
}

tr_err tr_mpm_scratch_reserve(tr_mpm_scratch *s, const tr_mpm *db)
{
    if (!db->hs)
        return TR_OK;
    hs_error_t he = hs_alloc_scratch(db->hs, &s->hs);
    if (he == HS_NOMEM)
        return TR_ENOMEM;
    return he == HS_SUCCESS ? TR_OK : TR_EINTERNAL;
}

tr_err tr_mpm_scratch_clone(const tr_mpm_scratch *proto, tr_mpm_scratch **out)
{
    tr_mpm_scratch *s = tr_calloc(1, sizeof(*s));
    if (!s) {
        *out = NULL;
        return TR_ENOMEM;
    }
    if (proto->hs) {
        hs_error_t he = hs_clone_scratch(proto->hs, &s->hs);
        if (he != HS_SUCCESS) {
            tr_free(s);
            *out = NULL;
            return he == HS_NOMEM ? TR_ENOMEM : TR_EINTERNAL;
        }
    }
    *out = s;
    return TR_OK;
}

void tr_mpm_scratch_free(tr_mpm_scratch *s)
{
    if (!s)
        return;
    hs_free_scratch(s->hs);
    tr_free(s);
}

/* ---- scan ---- */

typedef struct scan_ctx {
    const tr_mpm *db;
    unsigned long long len; /* slice length (SUFFIX check) */
    tr_idset *hits;         /* tr_mpm_scan */
    tr_mpm_match_fn fn;     /* tr_mpm_scan_cb */
    void *fnctx;
} scan_ctx;

static inline bool anchors_hold(const uniq_lit *ul, unsigned long long to, unsigned long long len)
{
    if ((ul->flags & TR_MPM_PREFIX) && to != ul->len)
        return false;
    if ((ul->flags & TR_MPM_SUFFIX) && to != len)
        return false;
    return true;
}

static int on_match(unsigned int u, unsigned long long from, unsigned long long to,
                    unsigned int flags, void *vctx)
{
    TR_UNUSED(from);
    TR_UNUSED(flags);
    scan_ctx *c = vctx;
    const uniq_lit *ul = &c->db->lits[u];
    if (!anchors_hold(ul, to, c->len))
        return 0;
    const uint32_t *ids = c->db->ids + ul->ids_off;
    if (c->hits) {
        for (uint32_t i = 0; i < ul->ids_n; i++)
            tr_idset_add(c->hits, ids[i]);
        return 0;
    }
    for (uint32_t i = 0; i < ul->ids_n; i++)
        if (c->fn(ids[i], c->fnctx))
            return 1;
    return 0;
}

/* Empty literals: contains/startswith/endswith '' hold everywhere, equals '' only on empty. */
static int report_empty(const tr_mpm *db, size_t len, scan_ctx *c)
{
    for (uint32_t k = 0; k < db->nempty; k++) {
        const uniq_lit *ul = &db->empty[k];
        if ((ul->flags & TR_MPM_PREFIX) && (ul->flags & TR_MPM_SUFFIX) && len != 0)
            continue;
        const uint32_t *ids = db->ids + ul->ids_off;
        for (uint32_t i = 0; i < ul->ids_n; i++) {
            if (c->hits)
                tr_idset_add(c->hits, ids[i]);
            else if (c->fn(ids[i], c->fnctx))
                return 1;
        }
    }
    return 0;
}

static tr_err scan(const tr_mpm *db, tr_mpm_scratch *s, tr_str data, scan_ctx *c)
{
    if (db->nempty && report_empty(db, data.n, c))
        return TR_OK;
    if (!db->hs || data.n == 0)
        return TR_OK;
    if (data.n > UINT_MAX)
        return TR_ELIMIT;
    if (!s->hs)
        return TR_EINVAL;
    c->len = data.n;
    hs_error_t he = hs_scan(db->hs, data.p, (unsigned)data.n, 0, s->hs, on_match, c);
    switch (he) {
    case HS_SUCCESS:
    case HS_SCAN_TERMINATED:
        return TR_OK;
    case HS_INVALID:
        return TR_EINVAL; /* scratch not reserved for this database */
    default:
        return TR_EINTERNAL;
    }
}

tr_err tr_mpm_scan(const tr_mpm *db, tr_mpm_scratch *s, tr_str data, tr_idset *hits)
{
    scan_ctx c = { .db = db, .hits = hits };
    return scan(db, s, data, &c);
}

tr_err tr_mpm_scan_slices(const tr_mpm *db, tr_mpm_scratch *s, const tr_str *slices, size_t n,
                          tr_idset *hits)
{
    for (size_t i = 0; i < n; i++) {
        tr_err e = tr_mpm_scan(db, s, slices[i], hits);
        if (e)
            return e;
    }
    return TR_OK;
}

tr_err tr_mpm_scan_cb(const tr_mpm *db, tr_mpm_scratch *s, tr_str data, tr_mpm_match_fn fn,
                      void *ctx)
{
    scan_ctx c = { .db = db, .fn = fn, .fnctx = ctx };
    return scan(db, s, data, &c);
}
