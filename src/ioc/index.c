/*
 * index.c - the indicator builder and the immutable typed index.
 *
 * Loaders append compact records while they read; finish() sizes the hash
 * tables exactly once (no rehashing of a million keys while loading), drops
 * duplicates and allowlisted indicators, and links records that share a key
 * (the same domain from two feeds) into a chain so that a lookup reports
 * every feed that names the value.
 */
#include "core/common.h"

#include <stdarg.h>

#include "ioc/index.h"
#include "trawl/log.h"

static const char *const type_names[] = {
#define TR_IOC_TYPE_NAME(id, name) name,
    TR_IOC_TYPES(TR_IOC_TYPE_NAME)
#undef TR_IOC_TYPE_NAME
};

const char *tr_ioc_type_name(tr_ioc_type t)
{
    return (unsigned)t < TR_IOC_TYPE_COUNT ? type_names[t] : "?";
}

tr_ioc_type tr_ioc_type_from_name(tr_str name)
{
    for (int i = 1; i < TR_IOC_TYPE_COUNT; i++)
        if (strlen(type_names[i]) == name.n && tr_mem_eq_nocase(type_names[i], name.p, name.n))
            return (tr_ioc_type)i;
    return TR_IOC_NONE;
}

const char *tr_ioc_format_name(tr_ioc_format f)
{
    static const char *const names[] = { "auto", "plain", "csv", "stix", "misp", "zeek",
                                         "warninglist" };
    return (unsigned)f < TR_IOCF_COUNT ? names[f] : "?";
}

/* ---- string pool ---- */

tr_err ioc_pool_init(ioc_pool *p)
{
    memset(p, 0, sizeof(*p));
    uint32_t ref;
    return ioc_pool_add(p, "", 0, &ref); /* ref 0 = "" */
}

void ioc_pool_release(ioc_pool *p)
{
    for (size_t i = 0; i < p->nchunks; i++)
        tr_free(p->chunks[i]);
    tr_free(p->chunks);
    memset(p, 0, sizeof(*p));
}

tr_err ioc_pool_add(ioc_pool *p, const char *s, size_t n, uint32_t *ref)
{
    if (n >= 65536)
        return TR_ELIMIT;
    if (p->nchunks == 0 || p->used + n + 1 > IOC_POOL_CHUNK) {
        if (p->nchunks >= ((size_t)1 << (32 - IOC_POOL_SHIFT)))
            return TR_ELIMIT;
        if (!tr_vec_grow((void **)&p->chunks, &p->capchunks, p->nchunks + 1, sizeof(char *)))
            return TR_ENOMEM;
        char *c = tr_malloc(IOC_POOL_CHUNK);
        if (!c)
            return TR_ENOMEM;
        p->chunks[p->nchunks++] = c;
        p->used = 0;
    }
    char *dst = p->chunks[p->nchunks - 1] + p->used;
    if (n)
        memcpy(dst, s, n);
    dst[n] = '\0';
    *ref = (uint32_t)((p->nchunks - 1) << IOC_POOL_SHIFT | p->used);
    p->used += n + 1;
    return TR_OK;
}

static size_t pool_memory(const ioc_pool *p)
{
    return p->nchunks * IOC_POOL_CHUNK + p->capchunks * sizeof(char *);
}

/* ---- builder ---- */

tr_err tr_ioc_builder_new(const tr_ioc_opts *opts, tr_ioc_builder **out)
{
    *out = NULL;
    tr_ioc_builder *b = tr_calloc(1, sizeof(*b));
    if (!b)
        return TR_ENOMEM;
    if (opts)
        b->opts = *opts;
    if (!b->opts.max_indicators)
        b->opts.max_indicators = 100000000;
    b->meta_ids = tr_map_new(64, 0);
    b->names = tr_map_new(64, 0);
    b->allow.exact = tr_map_new(16, TR_MAP_NOCASE);
    b->allow.hosts = tr_map_new(16, TR_MAP_NOCASE);
    if (!b->meta_ids || !b->names || !b->allow.exact || !b->allow.hosts ||
        ioc_pool_init(&b->pool) != TR_OK) {
        tr_ioc_builder_free(b);
        return TR_ENOMEM;
    }
    *out = b;
    return TR_OK;
}

void tr_ioc_builder_free(tr_ioc_builder *b)
{
    if (!b)
        return;
    ioc_pool_release(&b->pool);
    TR_VEC_FREE(&b->recs);
    TR_VEC_FREE(&b->metas);
    tr_map_free(b->meta_ids);
    tr_map_free(b->names);
    ioc_allow_release(&b->allow);
    tr_free(b);
}

void ioc_reject(tr_ioc_builder *b, const char *path, uint64_t line, const char *id,
                const char *fmt, ...)
{
    b->rejected++;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (b->opts.diag) {
        b->opts.diag(b->opts.diag_ctx, path, line, id, msg);
        return;
    }
    if (id && *id)
        tr_log_at(TR_LOG_WARN, path, line, "%s: %s", id, msg);
    else
        tr_log_at(TR_LOG_WARN, path, line, "%s", msg);
}

static tr_err intern(tr_ioc_builder *b, tr_str s, uint32_t *ref)
{
    if (s.n == 0) {
        *ref = 0;
        return TR_OK;
    }
    if (s.n > 1024)
        s.n = 1024;
    uint64_t v;
    if (tr_map_get(b->names, s, &v)) {
        *ref = (uint32_t)v;
        return TR_OK;
    }
    tr_err err = ioc_pool_add(&b->pool, s.p, s.n, ref);
    if (!err)
        err = tr_map_put(b->names, s, *ref);
    return err;
}

static bool same_as_last(const tr_ioc_builder *b, tr_str feed, const ioc_attrs *a)
{
    const ioc_attrs *l = &b->last_attrs;
    return b->have_last && l->confidence == a->confidence && l->first_seen == a->first_seen &&
           l->last_seen == a->last_seen && l->valid_from == a->valid_from &&
           l->valid_until == a->valid_until && feed.n == b->last_feed_n &&
           a->actor.n == b->last_actor_n && (!feed.n || !memcmp(feed.p, b->last_feed, feed.n)) &&
           (!a->actor.n || !memcmp(a->actor.p, b->last_actor, a->actor.n));
}

static void remember(tr_ioc_builder *b, tr_str feed, const ioc_attrs *a, uint32_t id)
{
    if (feed.n > sizeof(b->last_feed) || a->actor.n > sizeof(b->last_actor)) {
        b->have_last = false;
        return;
    }
    b->have_last = true;
    b->last_meta = id;
    b->last_attrs = *a;
    b->last_attrs.actor = (tr_str){ NULL, 0 };
    if (feed.n)
        memcpy(b->last_feed, feed.p, feed.n);
    b->last_feed_n = feed.n;
    if (a->actor.n)
        memcpy(b->last_actor, a->actor.p, a->actor.n);
    b->last_actor_n = a->actor.n;
}

static tr_err meta_id_slow(tr_ioc_builder *b, tr_str feed, const ioc_attrs *a, uint32_t *id);

static tr_err meta_id(tr_ioc_builder *b, tr_str feed, const ioc_attrs *a, uint32_t *id)
{
    if (same_as_last(b, feed, a)) {
        *id = b->last_meta;
        return TR_OK;
    }
    tr_err err = meta_id_slow(b, feed, a, id);
    if (!err)
        remember(b, feed, a, *id);
    return err;
}

static tr_err meta_id_slow(tr_ioc_builder *b, tr_str feed, const ioc_attrs *a, uint32_t *id)
{
    ioc_meta m;
    memset(&m, 0, sizeof(m));
    tr_err err = intern(b, feed, &m.feed);
    if (!err)
        err = intern(b, a->actor, &m.actor);
    if (err)
        return err;
    m.confidence = a->confidence;
    m.first_seen = a->first_seen;
    m.last_seen = a->last_seen;
    m.valid_from = a->valid_from;
    m.valid_until = a->valid_until;
    uint64_t v;
    bool inserted;
    err = tr_map_put_new(b->meta_ids, (tr_str){ (const char *)&m, sizeof(m) }, b->metas.n, &v,
                         &inserted);
    if (err)
        return err;
    if (inserted && !TR_VEC_PUSH(&b->metas, m))
        return TR_ENOMEM;
    *id = (uint32_t)v;
    return TR_OK;
}

static tr_str trim_value(tr_str v)
{
    while (v.n && ((unsigned char)v.p[0] <= ' ' || v.p[0] == '"' || v.p[0] == '\'' ||
                   v.p[0] == '<'))
        v.p++, v.n--;
    while (v.n && ((unsigned char)v.p[v.n - 1] <= ' ' || v.p[v.n - 1] == '"' ||
                   v.p[v.n - 1] == '\'' || v.p[v.n - 1] == '>'))
        v.n--;
    return v;
}

tr_err ioc_builder_add_value(tr_ioc_builder *b, tr_str feed, tr_ioc_type type, tr_str v,
                             const ioc_attrs *a, const char **why)
{
    *why = NULL;
    v = trim_value(v);
    if (v.n == 0) {
        *why = "empty value";
        return TR_EPARSE;
    }
    if (v.n > IOC_MAX_VALUE) {
        *why = "value longer than 4096 bytes";
        return TR_EPARSE;
    }
    size_t fn = ioc_refang(v.p, v.n, b->fang);
    if (type == TR_IOC_NONE) {
        type = ioc_detect(b->fang, fn);
        if (type == TR_IOC_NONE) {
            *why = "cannot tell the indicator type";
            return TR_EPARSE;
        }
    }
    size_t nn = ioc_normalize(&type, b->fang, fn, b->norm, sizeof(b->norm), why);
    if (!nn)
        return TR_EPARSE;
    if (b->recs.n >= b->opts.max_indicators) {
        *why = "too many indicators";
        return TR_ELIMIT;
    }
    ioc_rec r = { 0 };
    tr_err err = meta_id(b, feed, a, &r.meta);
    if (!err)
        err = ioc_pool_add(&b->pool, b->norm, nn, &r.val);
    if (err)
        return err;
    r.vlen = (uint16_t)nn;
    r.type = (uint8_t)type;
    if (type == TR_IOC_CIDR) {
        ioc_ip ip;
        if (ioc_parse_ip(b->norm, nn, &ip, true))
            r.plen = ip.plen;
    }
    if (!TR_VEC_PUSH(&b->recs, r))
        return TR_ENOMEM;
    return TR_OK;
}

tr_err ioc_builder_set_actor(tr_ioc_builder *b, size_t from, size_t to, tr_str actor)
{
    if (!actor.n || to > b->recs.n)
        return TR_OK;
    uint32_t ref;
    tr_err err = intern(b, actor, &ref);
    if (err)
        return err;
    /* records of one indicator or event mostly share their metadata */
    uint32_t old = UINT32_MAX, now = 0;
    for (size_t i = from; i < to; i++) {
        ioc_rec *r = &b->recs.v[i];
        if (r->meta != old) {
            ioc_meta m = b->metas.v[r->meta];
            if (m.actor)
                continue; /* an actor of its own */
            m.actor = ref;
            uint64_t v;
            bool inserted;
            err = tr_map_put_new(b->meta_ids, (tr_str){ (const char *)&m, sizeof(m) },
                                 b->metas.n, &v, &inserted);
            if (err)
                return err;
            if (inserted && !TR_VEC_PUSH(&b->metas, m))
                return TR_ENOMEM;
            old = r->meta;
            now = (uint32_t)v;
        }
        r->meta = now;
    }
    return TR_OK;
}

tr_err tr_ioc_builder_add(tr_ioc_builder *b, const tr_indicator *ind, const char **why)
{
    const char *w;
    ioc_attrs a;
    ioc_attrs_init(&a);
    a.actor = ind->actor;
    a.confidence = ind->confidence;
    a.first_seen = ind->first_seen;
    a.last_seen = ind->last_seen;
    a.valid_from = ind->valid_from;
    a.valid_until = ind->valid_until;
    tr_err err = ioc_builder_add_value(b, ind->feed, ind->type, ind->value, &a, &w);
    if (why)
        *why = w;
    return err;
}

void tr_ioc_builder_stats(const tr_ioc_builder *b, tr_ioc_stats *st)
{
    memset(st, 0, sizeof(*st));
    for (size_t i = 0; i < b->recs.n; i++)
        st->by_type[b->recs.v[i].type]++;
    st->total = b->recs.n;
    st->rejected = b->rejected;
    st->skipped = b->skipped;
    st->allowlist_entries = b->allow.entries;
    st->feeds = b->feeds;
}

/* ---- finish: the immutable index ---- */

static tr_str rec_key(const ioc_pool *p, const ioc_rec *r)
{
    tr_str v = { ioc_pool_at(p, r->val), r->vlen };
    return r->type == TR_IOC_URL ? ioc_url_key(v) : v;
}

static bool key_eq(tr_ioc_type t, tr_str a, tr_str b)
{
    if (a.n != b.n)
        return false;
    return t == TR_IOC_URL ? memcmp(a.p, b.p, a.n) == 0 : tr_mem_eq_nocase(a.p, b.p, a.n);
}

uint32_t ioc_index_find(const tr_ioc_index *x, tr_ioc_type t, tr_str key, uint64_t h)
{
    if (!ioc_filter_maybe(&x->sfilter, h))
        return 0;
    uint32_t tag = (uint32_t)(h >> 32);
    size_t i = (size_t)h & x->smask;
    for (;;) {
        uint64_t s = x->stab[i];
        if (!s)
            return 0;
        if ((uint32_t)(s >> 32) == tag) {
            uint32_t r1 = (uint32_t)s;
            const ioc_rec *r = &x->recs[r1 - 1];
            if (r->type == t && key_eq(t, rec_key(&x->pool, r), key))
                return r1;
        }
        i = (i + 1) & x->smask;
    }
}

/* Appends rec to the chain starting at head, unless the same feed already
 * names the value (a duplicate). Returns false for a duplicate. */
static bool chain_append(tr_ioc_index *x, uint32_t head, uint32_t rec)
{
    uint32_t feed = x->metas[x->recs[rec].meta].feed;
    uint32_t cur = head;
    for (;;) {
        if (x->metas[x->recs[cur].meta].feed == feed)
            return false;
        if (!x->recs[cur].next)
            break;
        cur = x->recs[cur].next - 1;
    }
    x->recs[cur].next = rec + 1;
    return true;
}

static bool indicator_allowlisted(const tr_ioc_index *x, const ioc_rec *r)
{
    if (!x->has_allow)
        return false;
    tr_str v = { ioc_pool_at(&x->pool, r->val), r->vlen };
    return ioc_allow_check(&x->allow, NULL, (tr_ioc_type)r->type, v);
}

tr_err tr_ioc_builder_finish(tr_ioc_builder *b, tr_ioc_index **out)
{
    *out = NULL;
    tr_err err = TR_ENOMEM;
    tr_ioc_index *x = tr_calloc(1, sizeof(*x));
    if (!x)
        goto fail;
    /* take over the builder's storage */
    x->pool = b->pool;
    memset(&b->pool, 0, sizeof(b->pool));
    x->recs = b->recs.v;
    x->nrecs = b->recs.n;
    b->recs.v = NULL;
    b->recs.n = b->recs.cap = 0;
    x->metas = b->metas.v;
    x->nmetas = b->metas.n;
    b->metas.v = NULL;
    b->metas.n = b->metas.cap = 0;
    x->allow = b->allow;
    memset(&b->allow, 0, sizeof(b->allow));
    x->rejected = b->rejected;
    x->skipped = b->skipped;
    x->feeds = b->feeds;
    if ((err = ioc_allow_finish(&x->allow)) != TR_OK)
        goto fail;
    x->has_allow = x->allow.entries > 0;
    tr_ioc_builder_free(b);
    b = NULL;

    size_t nstr = 0, n4 = 0, n6 = 0;
    for (size_t i = 0; i < x->nrecs; i++) {
        const ioc_rec *r = &x->recs[i];
        if (r->type == TR_IOC_IPV4 || (r->type == TR_IOC_CIDR && r->plen <= 32 &&
                                       memchr(ioc_pool_at(&x->pool, r->val), '.', r->vlen)))
            n4++;
        else if (r->type == TR_IOC_IPV6 || r->type == TR_IOC_CIDR)
            n6++;
        else
            nstr++;
    }
    size_t cap = 16;
    while (cap < nstr * 2 + 2)
        cap *= 2;
    err = TR_ENOMEM;
    x->stab = tr_calloc(cap, sizeof(uint64_t));
    x->live = tr_malloc((x->nrecs ? x->nrecs : 1) * sizeof(uint32_t));
    if (!x->stab || !x->live || ioc_iptab_init(&x->ips, n4, n6) != TR_OK ||
        ioc_filter_init(&x->sfilter, nstr) != TR_OK)
        goto fail;
    x->smask = cap - 1;

    for (size_t i = 0; i < x->nrecs; i++) {
        ioc_rec *r = &x->recs[i];
        tr_ioc_type t = (tr_ioc_type)r->type;
        if (indicator_allowlisted(x, r)) {
            x->allowlisted++;
            r->type = TR_IOC_NONE;
            continue;
        }
        bool dup = false;
        if (t == TR_IOC_IPV4 || t == TR_IOC_IPV6 || t == TR_IOC_CIDR) {
            ioc_ip ip;
            if (!ioc_parse_ip(ioc_pool_at(&x->pool, r->val), r->vlen, &ip, true)) {
                r->type = TR_IOC_NONE; /* cannot happen: normalised before */
                continue;
            }
            uint32_t head;
            bool present;
            ioc_iptab_put(&x->ips, &ip, (uint32_t)i, &present, &head);
            dup = present && !chain_append(x, head, (uint32_t)i);
        } else {
            tr_str key = rec_key(&x->pool, r);
            uint64_t h = ioc_key_hash(t, key);
            uint32_t head1 = ioc_index_find(x, t, key, h);
            if (head1) {
                dup = !chain_append(x, head1 - 1, (uint32_t)i);
            } else {
                size_t k = (size_t)h & x->smask;
                while (x->stab[k])
                    k = (k + 1) & x->smask;
                x->stab[k] = (h >> 32) << 32 | (uint64_t)(i + 1);
                ioc_filter_add(&x->sfilter, h);
            }
        }
        if (dup) {
            x->duplicates++;
            r->type = TR_IOC_NONE;
            continue;
        }
        x->live[x->nlive++] = (uint32_t)i;
        x->by_type[t]++;
        x->types |= 1u << t;
    }
    *out = x;
    return TR_OK;
fail:
    tr_ioc_builder_free(b);
    tr_ioc_index_free(x);
    return err;
}

void tr_ioc_index_free(tr_ioc_index *x)
{
    if (!x)
        return;
    ioc_pool_release(&x->pool);
    tr_free(x->recs);
    tr_free(x->metas);
    tr_free(x->live);
    tr_free(x->stab);
    ioc_filter_release(&x->sfilter);
    ioc_iptab_release(&x->ips);
    ioc_allow_release(&x->allow);
    tr_free(x);
}

void tr_ioc_index_stats(const tr_ioc_index *x, tr_ioc_stats *st)
{
    memset(st, 0, sizeof(*st));
    memcpy(st->by_type, x->by_type, sizeof(st->by_type));
    st->total = x->nlive;
    st->rejected = x->rejected;
    st->skipped = x->skipped;
    st->duplicates = x->duplicates;
    st->allowlisted = x->allowlisted;
    st->allowlist_entries = x->allow.entries;
    st->feeds = x->feeds;
    st->memory = sizeof(*x) + pool_memory(&x->pool) + x->nrecs * sizeof(ioc_rec) +
                 x->nmetas * sizeof(ioc_meta) + x->nrecs * sizeof(uint32_t) +
                 (x->smask + 1) * sizeof(uint64_t) + ioc_filter_memory(&x->sfilter) +
                 ioc_iptab_memory(&x->ips);
}

size_t tr_ioc_index_count(const tr_ioc_index *x)
{
    return x->nlive;
}

void ioc_index_view(const tr_ioc_index *x, uint32_t rec, tr_indicator *out)
{
    const ioc_rec *r = &x->recs[rec];
    const ioc_meta *m = &x->metas[r->meta];
    out->value = (tr_str){ ioc_pool_at(&x->pool, r->val), r->vlen };
    out->type = (tr_ioc_type)r->type;
    out->feed = tr_str_c(ioc_pool_at(&x->pool, m->feed));
    out->actor = tr_str_c(ioc_pool_at(&x->pool, m->actor));
    out->confidence = m->confidence;
    out->first_seen = m->first_seen;
    out->last_seen = m->last_seen;
    out->valid_from = m->valid_from;
    out->valid_until = m->valid_until;
}

void tr_ioc_index_get(const tr_ioc_index *x, size_t i, tr_indicator *out)
{
    if (i >= x->nlive) {
        memset(out, 0, sizeof(*out));
        return;
    }
    ioc_index_view(x, x->live[i], out);
}
