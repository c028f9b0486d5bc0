/*
 * correl_state.c - the correlation engine's open windows as bytes, so that
 * a resumed hunt continues them (the store saves the blob in the same
 * transaction as the checkpoints it matches).
 *
 * Little-endian, length-prefixed, versioned. Correlations are named by the
 * id their detections carry (id, else name, else title) and checked against
 * their type and shape on restore: windows of rules that changed or went
 * away are dropped (and said so), never misread. Everything read is bounds-
 * checked: a damaged blob is TR_EPARSE, never a crash.
 */
#include "core/common.h"

#include "sigma/correl_int.h"
#include "trawl/log.h"

#define STATE_MAGIC "TRCS"
#define STATE_VERSION 1

static void put_u32(tr_buf *b, uint32_t v)
{
    unsigned char x[4];
    for (int i = 0; i < 4; i++)
        x[i] = (unsigned char)(v >> (8 * i));
    tr_buf_append(b, x, 4);
}

static void put_u64(tr_buf *b, uint64_t v)
{
    unsigned char x[8];
    for (int i = 0; i < 8; i++)
        x[i] = (unsigned char)(v >> (8 * i));
    tr_buf_append(b, x, 8);
}

static void put_str(tr_buf *b, tr_str s)
{
    put_u32(b, (uint32_t)s.n);
    tr_buf_append(b, s.p, s.n);
}

static void put_strs(tr_buf *b, const strvec *v)
{
    put_u32(b, (uint32_t)v->n);
    for (size_t i = 0; i < v->n; i++)
        put_str(b, v->v[i]);
}

tr_err tr_correl_save(tr_correl *c, void **blob, size_t *len)
{
    *blob = NULL;
    *len = 0;
    tr_buf b;
    tr_buf_init(&b, 0);
    tr_buf_append(&b, STATE_MAGIC, 4);
    put_u32(&b, STATE_VERSION);
    put_u64(&b, c->o.fingerprint);
    put_u64(&b, c->seq);
    put_strs(&b, &c->strs);
    put_strs(&b, &c->paths);
    put_u32(&b, (uint32_t)c->tenants.n);
    for (size_t i = 0; i < c->tenants.n; i++) {
        put_str(&b, c->tenants.v[i]);
        put_u64(&b, (uint64_t)(i < c->wm.n ? c->wm.v[i] : INT64_MIN));
    }
    put_u32(&b, (uint32_t)c->ngroups);
    for (const cgroup *g = c->lru_head; g; g = g->next) {
        const ccorr *cc = &c->cc[g->correl];
        put_str(&b, cc->out_id);
        put_u32(&b, (uint32_t)cc->info->type);
        put_u32(&b, cc->ngb);
        put_u32(&b, cc->nrefs);
        put_str(&b, g->tenant);
        for (uint32_t i = 0; i < g->nvals; i++)
            put_str(&b, g->vals[i]);
        put_u64(&b, (uint64_t)g->newest);
        put_u32(&b, g->n);
        for (uint32_t i = 0; i < g->n; i++) {
            const centry *e = &g->e[i];
            put_u64(&b, (uint64_t)e->ts);
            put_u64(&b, e->seq);
            put_u64(&b, e->id);
            put_u64(&b, e->record);
            put_u64(&b, e->line);
            put_u64(&b, e->source_gen);
            put_u32(&b, e->path);
            put_u32(&b, e->ref);
            for (int f = 0; f < CORREL_MAX_VF; f++)
                put_u64(&b, e->v[f].h);
        }
    }
    if (!b.p || b.n == 0) {
        tr_buf_release(&b);
        return TR_ENOMEM;
    }
    size_t n;
    *blob = tr_buf_detach(&b, &n);
    *len = n;
    c->dirty = false;
    return TR_OK;
}

/* ---- reading ---- */

typedef struct rd {
    const unsigned char *p;
    size_t n, i;
    bool bad;
} rd;

static uint32_t get_u32(rd *r)
{
    if (r->n - r->i < 4) {
        r->bad = true;
        return 0;
    }
    uint32_t v = 0;
    for (int k = 0; k < 4; k++)
        v |= (uint32_t)r->p[r->i + (size_t)k] << (8 * k);
    r->i += 4;
    return v;
}

static uint64_t get_u64(rd *r)
{
    if (r->n - r->i < 8) {
        r->bad = true;
        return 0;
    }
    uint64_t v = 0;
    for (int k = 0; k < 8; k++)
        v |= (uint64_t)r->p[r->i + (size_t)k] << (8 * k);
    r->i += 8;
    return v;
}

static tr_str get_str(rd *r)
{
    uint32_t n = get_u32(r);
    if (r->bad || r->n - r->i < n) {
        r->bad = true;
        return (tr_str){ "", 0 };
    }
    tr_str s = { (const char *)r->p + r->i, n };
    r->i += n;
    return s;
}

/* Interns a saved string table; map[i] is the new index of saved string i. */
static tr_err read_table(tr_correl *c, rd *r, tr_map *m, strvec *v, uint32_t **map, uint32_t *n)
{
    *n = get_u32(r);
    if (r->bad || *n > r->n - r->i) /* each takes at least 4 bytes */
        return TR_EPARSE;
    *map = tr_malloc(((size_t)*n + 1) * sizeof(uint32_t));
    if (!*map)
        return TR_ENOMEM;
    for (uint32_t i = 0; i < *n; i++) {
        tr_str s = get_str(r);
        if (r->bad)
            return TR_EPARSE;
        if (((*map)[i] = correl_intern(c, m, v, s)) == CORREL_NONE)
            return TR_ENOMEM;
    }
    return TR_OK;
}

static tr_err restore_groups(tr_correl *c, rd *r, tr_map *by_id, const uint32_t *smap,
                             uint32_t nstr, const uint32_t *pmap, uint32_t npath)
{
    uint32_t ngroups = get_u32(r);
    uint64_t dropped = 0;
    for (uint32_t gi = 0; gi < ngroups && !r->bad; gi++) {
        tr_str id = get_str(r);
        uint32_t type = get_u32(r), ngb = get_u32(r), nrefs = get_u32(r);
        if (ngb > CORREL_MAX_GB)
            return TR_EPARSE;
        tr_str tenant = get_str(r), vals[CORREL_MAX_GB + 1];
        for (uint32_t i = 0; i < ngb; i++)
            vals[i] = get_str(r);
        int64_t newest = (int64_t)get_u64(r);
        uint32_t n = get_u32(r);
        if (r->bad || n > (r->n - r->i) / 88)
            return TR_EPARSE;
        uint64_t k;
        bool match = tr_map_get(by_id, id, &k) && c->cc[k].info &&
                     (uint32_t)c->cc[k].info->type == type && c->cc[k].ngb == ngb &&
                     c->cc[k].nrefs == nrefs && c->cc[k].gb;
        cgroup *g = NULL;
        if (match) {
            g = correl_group_get(c, (uint32_t)k, tenant, vals, ngb);
            if (!g)
                return TR_ENOMEM;
            g->newest = newest;
        } else {
            dropped += n;
        }
        for (uint32_t i = 0; i < n; i++) {
            centry e;
            e.ts = (int64_t)get_u64(r);
            e.seq = get_u64(r);
            e.id = get_u64(r);
            e.record = get_u64(r);
            e.line = get_u64(r);
            e.source_gen = get_u64(r);
            e.path = get_u32(r);
            e.ref = get_u32(r);
            for (int f = 0; f < CORREL_MAX_VF; f++)
                e.v[f].h = get_u64(r);
            if (r->bad)
                return TR_EPARSE;
            if (!g)
                continue;
            if (e.path >= npath || e.ref >= nrefs)
                return TR_EPARSE;
            e.path = pmap[e.path];
            if (type == TR_CORREL_VALUE_PERCENTILE)
                for (int f = 0; f < CORREL_MAX_VF; f++) {
                    if (f < (int)c->cc[k].nvf && e.v[f].h >= nstr)
                        return TR_EPARSE;
                    if (f < (int)c->cc[k].nvf)
                        e.v[f].h = smap[e.v[f].h];
                }
            if (g->n && (e.ts < g->e[g->n - 1].ts))
                return TR_EPARSE; /* windows are saved in order */
            if (!correl_group_reserve(c, g))
                return TR_ENOMEM;
            g->e[g->n++] = e;
        }
        if (g && g->n == 0)
            correl_group_free(c, g);
    }
    if (r->bad)
        return TR_EPARSE;
    if (dropped)
        tr_log(TR_LOG_WARN, "correlations: %" PRIu64 " saved window events belong to correlation "
               "rules that changed or are gone: dropped", dropped);
    return TR_OK;
}

tr_err tr_correl_restore(tr_correl *c, const void *blob, size_t len)
{
    if (c->ngroups)
        return TR_EINVAL;
    rd r = { blob, len, 0, false };
    if (len < 8 || memcmp(blob, STATE_MAGIC, 4) != 0)
        return TR_EPARSE;
    r.i = 4;
    if (get_u32(&r) != STATE_VERSION || get_u64(&r) != c->o.fingerprint || r.bad)
        return r.bad ? TR_EPARSE : TR_EVERSION;
    uint32_t *smap = NULL, *pmap = NULL, nstr = 0, npath = 0;
    tr_map *by_id = tr_map_new(c->ncc + 1, 0);
    tr_err err = by_id ? TR_OK : TR_ENOMEM;
    for (uint32_t k = 0; k < c->ncc && !err; k++)
        if (c->cc[k].gb)
            err = tr_map_put(by_id, c->cc[k].out_id, k);
    uint64_t seq = get_u64(&r);
    if (!err)
        err = read_table(c, &r, c->str_idx, &c->strs, &smap, &nstr);
    if (!err)
        err = read_table(c, &r, c->path_idx, &c->paths, &pmap, &npath);
    uint32_t nt = err ? 0 : get_u32(&r);
    if (!err && (r.bad || nt > r.n - r.i))
        err = TR_EPARSE;
    for (uint32_t i = 0; i < nt && !err; i++) {
        tr_str t = get_str(&r);
        int64_t wm = (int64_t)get_u64(&r);
        if (r.bad) {
            err = TR_EPARSE;
            break;
        }
        uint32_t ti = correl_intern(c, c->tenant_idx, &c->tenants, t);
        while (ti != CORREL_NONE && c->wm.n <= ti)
            if (!TR_VEC_PUSH(&c->wm, INT64_MIN))
                ti = CORREL_NONE;
        if (ti == CORREL_NONE)
            err = TR_ENOMEM;
        else if (wm > c->wm.v[ti])
            c->wm.v[ti] = wm;
    }
    if (!err)
        err = restore_groups(c, &r, by_id, smap, nstr, pmap, npath);
    if (!err && r.i != r.n)
        err = TR_EPARSE;
    if (err) {
        while (c->lru_head)
            correl_group_free(c, c->lru_head);
    } else {
        c->seq = seq > c->seq ? seq : c->seq;
    }
    c->dirty = false;
    tr_free(smap);
    tr_free(pmap);
    tr_map_free(by_id);
    return err;
}
