/*
 * correl_window.c - the groups of the correlation runtime: a hash table
 * keyed by (correlation, tenant, group-by values), an LRU list, the memory
 * they take and the cap that bounds it.
 *
 * Every byte a group holds is counted in c->bytes; when a feed takes the
 * total past the cap, the least recently fed groups are dropped, which is
 * logged (once per correlation) and counted (stats.evicted_*), never
 * silent.
 */
#include "core/common.h"

#include "sigma/correl_int.h"
#include "trawl/log.h"

static size_t group_bytes(const cgroup *g)
{
    return sizeof(*g) + g->keylen + g->nvals * sizeof(tr_str) + (size_t)g->cap * sizeof(centry);
}

static void put_part(tr_buf *b, tr_str s)
{
    uint32_t n = (uint32_t)s.n;
    tr_buf_append(b, &n, sizeof(n));
    tr_buf_append(b, s.p, s.n);
}

static bool tab_grow(tr_correl *c)
{
    size_t ncap = c->tabcap ? c->tabcap * 2 : 256;
    cgroup **nt = tr_calloc(ncap, sizeof(*nt));
    if (!nt)
        return false;
    for (size_t i = 0; i < c->tabcap; i++) {
        cgroup *g = c->tab[i];
        while (g) {
            cgroup *next = g->hnext;
            size_t b = g->hash & (ncap - 1);
            g->hnext = nt[b];
            nt[b] = g;
            g = next;
        }
    }
    tr_free(c->tab);
    c->tab = nt;
    c->tabcap = ncap;
    return true;
}

static void lru_unlink(tr_correl *c, cgroup *g)
{
    if (g->prev)
        g->prev->next = g->next;
    else
        c->lru_head = g->next;
    if (g->next)
        g->next->prev = g->prev;
    else
        c->lru_tail = g->prev;
    g->prev = g->next = NULL;
}

static void lru_append(tr_correl *c, cgroup *g)
{
    g->prev = c->lru_tail;
    g->next = NULL;
    if (c->lru_tail)
        c->lru_tail->next = g;
    else
        c->lru_head = g;
    c->lru_tail = g;
}

void correl_group_touch(tr_correl *c, cgroup *g)
{
    if (c->lru_tail == g)
        return;
    lru_unlink(c, g);
    lru_append(c, g);
}

cgroup *correl_group_get(tr_correl *c, uint32_t correl, tr_str tenant, const tr_str *vals,
                         uint32_t nvals)
{
    tr_buf *k = &c->key;
    tr_buf_reset(k);
    put_part(k, tenant);
    for (uint32_t i = 0; i < nvals; i++)
        put_part(k, vals[i]);
    if (!k->p)
        return NULL;
    uint64_t h = tr_hash64(k->p, k->n, 0x636f72726c ^ correl);
    if (c->tabcap) {
        for (cgroup *g = c->tab[h & (c->tabcap - 1)]; g; g = g->hnext)
            if (g->hash == h && g->correl == correl && g->keylen == k->n &&
                memcmp(g->key, k->p, k->n) == 0)
                return g;
    }
    if (c->ngroups + 1 > c->tabcap && !tab_grow(c))
        return NULL;
    cgroup *g = tr_calloc(1, sizeof(*g) + k->n + nvals * sizeof(tr_str) + 8);
    if (!g)
        return NULL;
    g->hash = h;
    g->correl = correl;
    g->nvals = nvals;
    g->keylen = k->n;
    memcpy(g->key, k->p, k->n);
    /* the value views, after the key (aligned) */
    size_t off = (k->n + 7) & ~(size_t)7;
    g->vals = (tr_str *)(void *)(g->key + off);
    const char *p = g->key;
    for (uint32_t i = 0; i <= nvals; i++) {
        uint32_t n;
        memcpy(&n, p, sizeof(n));
        tr_str s = { p + sizeof(n), n };
        if (i == 0)
            g->tenant = s;
        else
            g->vals[i - 1] = s;
        p += sizeof(n) + n;
    }
    g->newest = INT64_MIN;
    size_t b = h & (c->tabcap - 1);
    g->hnext = c->tab[b];
    c->tab[b] = g;
    c->ngroups++;
    lru_append(c, g);
    c->bytes += group_bytes(g);
    c->st.groups = c->ngroups;
    return g;
}

void correl_group_free(tr_correl *c, cgroup *g)
{
    cgroup **pp = &c->tab[g->hash & (c->tabcap - 1)];
    while (*pp && *pp != g)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = g->hnext;
    lru_unlink(c, g);
    c->bytes -= group_bytes(g);
    c->ngroups--;
    c->st.groups = c->ngroups;
    tr_free(g->e);
    tr_free(g);
}

bool correl_group_reserve(tr_correl *c, cgroup *g)
{
    if (g->n < g->cap)
        return true;
    uint32_t ncap = g->cap ? g->cap * 2 : 4;
    centry *ne = tr_realloc(g->e, (size_t)ncap * sizeof(centry));
    if (!ne)
        return false;
    c->bytes += (size_t)(ncap - g->cap) * sizeof(centry);
    g->e = ne;
    g->cap = ncap;
    return true;
}

void correl_group_remove(tr_correl *c, cgroup *g, uint32_t i, uint32_t j)
{
    if (i > j || j >= g->n)
        return;
    memmove(&g->e[i], &g->e[j + 1], (size_t)(g->n - j - 1) * sizeof(centry));
    g->n -= j - i + 1;
    /* give back memory of windows that shrank a lot */
    if (g->cap > 64 && g->n < g->cap / 4) {
        uint32_t ncap = g->cap / 2;
        centry *ne = tr_realloc(g->e, (size_t)ncap * sizeof(centry));
        if (ne) {
            c->bytes -= (size_t)(g->cap - ncap) * sizeof(centry);
            g->e = ne;
            g->cap = ncap;
        }
    }
    c->dirty = true;
}

static void describe_group(const tr_correl *c, const cgroup *g, char *buf, size_t len)
{
    const ccorr *cc = &c->cc[g->correl];
    int k = snprintf(buf, len, "tenant %.*s", TR_STR_FMT(g->tenant));
    for (uint32_t i = 0; i < g->nvals && k > 0 && (size_t)k < len; i++)
        k += snprintf(buf + k, len - (size_t)k, ", %.*s=%.*s", TR_STR_FMT(cc->info->group_by[i]),
                      TR_STR_FMT(g->vals[i]));
}

void correl_enforce_cap(tr_correl *c, const cgroup *keep)
{
    while (c->bytes > c->o.memory_cap && c->lru_head) {
        cgroup *g = c->lru_head;
        if (g == keep) {
            g = g->next;
            if (!g)
                break;
        }
        ccorr *cc = &c->cc[g->correl];
        if (!cc->warned_evict) {
            char what[256];
            describe_group(c, g, what, sizeof(what));
            tr_log(TR_LOG_WARN, "correlation '%.*s': memory cap of %zu MiB reached; dropping the "
                   "least recently used windows (first: %s, %u events); results may miss "
                   "correlations (raise the cap)", TR_STR_FMT(cc->info->title),
                   c->o.memory_cap >> 20, what, g->n);
            cc->warned_evict = true;
        }
        c->st.evicted_groups++;
        c->st.evicted_events += g->n;
        correl_group_free(c, g);
        c->dirty = true;
    }
}

uint32_t correl_intern(tr_correl *c, tr_map *m, strvec *vec, tr_str s)
{
    uint64_t idx;
    if (tr_map_get(m, s, &idx))
        return (uint32_t)idx;
    tr_str copy = tr_arena_strdup(c->arena, s.p ? s.p : "", s.n);
    if (!copy.p || !TR_VEC_PUSH(vec, copy))
        return CORREL_NONE;
    if (tr_map_put(m, copy, vec->n - 1) != TR_OK)
        return CORREL_NONE;
    return (uint32_t)(vec->n - 1);
}
