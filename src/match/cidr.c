/*
 * cidr.c - the prefix set (see cidr.h).
 *
 * One path-compressed binary trie per family over 128-bit keys (an IPv4 key
 * sits in the top 32 bits). Prefixes ("entries") are stored apart from the
 * trie, in parallel arrays indexed by entry number: key, length, ids. The
 * trie has only branching nodes; a child reference is either a node index or
 * an entry index with the top bit set, so a leaf costs no node at all. A node
 * at bit position L whose own L-bit prefix is also in the set carries it in
 * `own`. Internal nodes store no key: the walk tests one bit per node and
 * every entry it reaches is verified against the address before being
 * reported, which is enough because all prefixes under a node share the bits
 * the walk skipped.
 *
 * The top levels of a big random set are a full binary tree: a walk from
 * the root would pay one cache miss per bit for the first ~20 bits. Once a
 * family holds BUCKET_MIN prefixes, those at least BUCKET_BITS long past
 * the bucket offset (IPv4: /16 and longer; IPv6: /32 and longer, bucketed
 * on bits 16-31 since most IPv6 space in use starts 2001: or 2a0x:) hang
 * from 65536 bucket roots chosen by 16 bits of the key; shorter prefixes
 * stay in the root trie. A lookup walks the (small) root trie and one
 * bucket: about 5 nodes instead of 25 for a million addresses. An entry
 * keeps key, length and ids together, so verifying it costs one miss.
 *
 * Insertion is the classic two-pass Patricia insert: walk down by the new
 * key's bits to any entry (a representative of the subtree the key belongs
 * to), count the bits d they share, then walk again to the first place whose
 * bit position is >= d and hang the new entry there.
 */
#include "core/common.h"

#include "core/vec.h"
#include "match/cidr.h"

#define ENT_BIT 0x80000000u
#define IS_ENT(r) ((r) & ENT_BIT)
#define ENT(e) ((e) | ENT_BIT)
#define ENT_IDX(r) ((r) & ~ENT_BIT)
#define NO_OWN UINT32_MAX
#define MULTI_BIT 0x80000000u
#define BUCKET_BITS 16
#define BUCKET_MIN 4096 /* distinct prefixes of a family before it uses buckets */

typedef struct key128 {
    uint64_t hi, lo;
} key128;

typedef struct node {
    uint32_t child[2]; /* 0 = none; node index, or ENT(entry) */
    uint32_t own;      /* entry whose prefix is exactly this node's, or NO_OWN */
    uint8_t len;       /* bit tested here = length of the prefix shared below */
    uint8_t pad[3];
} node;

typedef struct ent4 {
    uint32_t key;  /* IPv4 network */
    uint32_t ids;  /* id, or MULTI_BIT | offset in tr_cidr.multi */
    uint8_t len;   /* prefix length */
} ent4;

typedef struct ent6 {
    key128 key;    /* IPv6 network */
    uint32_t ids;  /* as ent4 */
    uint8_t len;
} ent6;

typedef struct trie {
    unsigned width;    /* 32 or 128 */
    uint32_t root;     /* reference, 0 = empty: prefixes shorter than blen (all without buckets) */
    uint32_t *broots;  /* 2^BUCKET_BITS bucket roots, or NULL */
    unsigned boff;     /* first key bit of the bucket number */
    unsigned blen;     /* prefixes at least this long go to buckets */
    node *nodes;       /* [0] unused */
    uint32_t nnodes, capnodes;
    ent4 *e4;          /* entries (width 32) */
    ent6 *e6;          /* entries (width 128) */
    uint32_t nent;
} trie;

struct tr_cidr {
    trie t4, t6;
    uint32_t *multi; /* [count, id…] runs */
    size_t nmulti;
};

typedef struct bentry {
    key128 key;
    uint32_t id;
    uint8_t len;
    uint8_t family;
} bentry;

struct tr_cidr_builder {
    TR_VEC(bentry) v;
};

/* ---- keys ---- */

static inline key128 key_of_ip(const tr_ip *ip)
{
    key128 k = { 0, 0 };
    for (int i = 0; i < 8; i++)
        k.hi = k.hi << 8 | ip->b[i];
    for (int i = 8; i < 16; i++)
        k.lo = k.lo << 8 | ip->b[i];
    return k;
}

static inline key128 mask_key(key128 k, unsigned len)
{
    if (len == 0)
        return (key128){ 0, 0 };
    if (len < 64)
        return (key128){ k.hi & ~(UINT64_MAX >> len), 0 };
    if (len == 64)
        return (key128){ k.hi, 0 };
    if (len < 128)
        return (key128){ k.hi, k.lo & ~(UINT64_MAX >> (len - 64)) };
    return k;
}

static inline unsigned bit_at(key128 k, unsigned pos)
{
    return pos < 64 ? (unsigned)(k.hi >> (63 - pos)) & 1 : (unsigned)(k.lo >> (127 - pos)) & 1;
}

/* Number of leading bits a and b share, at most max. */
static inline unsigned common_bits(key128 a, key128 b, unsigned max)
{
    uint64_t x = a.hi ^ b.hi;
    unsigned c;
    if (x)
        c = (unsigned)__builtin_clzll(x);
    else if ((x = a.lo ^ b.lo))
        c = 64 + (unsigned)__builtin_clzll(x);
    else
        c = 128;
    return c < max ? c : max;
}

static inline key128 entry_key(const trie *t, uint32_t e)
{
    if (t->width == 32)
        return (key128){ (uint64_t)t->e4[e].key << 32, 0 };
    return t->e6[e].key;
}

static inline unsigned entry_len(const trie *t, uint32_t e)
{
    return t->width == 32 ? t->e4[e].len : t->e6[e].len;
}

static inline const uint32_t *entry_ids(const trie *t, uint32_t e)
{
    return t->width == 32 ? &t->e4[e].ids : &t->e6[e].ids;
}

static inline unsigned bucket_of(const trie *t, key128 k)
{
    return (unsigned)(k.hi >> (64 - t->boff - BUCKET_BITS)) & ((1u << BUCKET_BITS) - 1);
}

/* ---- builder ---- */

tr_err tr_cidr_builder_new(tr_cidr_builder **out)
{
    *out = tr_calloc(1, sizeof(tr_cidr_builder));
    return *out ? TR_OK : TR_ENOMEM;
}

void tr_cidr_builder_free(tr_cidr_builder *b)
{
    if (!b)
        return;
    TR_VEC_FREE(&b->v);
    tr_free(b);
}

tr_err tr_cidr_builder_add(tr_cidr_builder *b, const tr_ip *net, unsigned len, uint32_t id)
{
    if ((net->family != 4 && net->family != 6) || len > tr_ip_bits(net) || id > TR_CIDR_MAX_ID)
        return TR_EINVAL;
    bentry e = { mask_key(key_of_ip(net), len), id, (uint8_t)len, net->family };
    return TR_VEC_PUSH(&b->v, e) ? TR_OK : TR_ENOMEM;
}

size_t tr_cidr_builder_count(const tr_cidr_builder *b)
{
    return b->v.n;
}

static int cmp_bentry(const void *pa, const void *pb)
{
    const bentry *a = pa, *b = pb;
    if (a->family != b->family)
        return a->family < b->family ? -1 : 1;
    if (a->key.hi != b->key.hi)
        return a->key.hi < b->key.hi ? -1 : 1;
    if (a->key.lo != b->key.lo)
        return a->key.lo < b->key.lo ? -1 : 1;
    if (a->len != b->len)
        return a->len < b->len ? -1 : 1;
    return (a->id > b->id) - (a->id < b->id);
}

/* ---- build ---- */

static void trie_release(trie *t)
{
    tr_free(t->nodes);
    tr_free(t->broots);
    tr_free(t->e4);
    tr_free(t->e6);
    memset(t, 0, sizeof(*t));
}

void tr_cidr_free(tr_cidr *set)
{
    if (!set)
        return;
    trie_release(&set->t4);
    trie_release(&set->t6);
    tr_free(set->multi);
    tr_free(set);
}

static uint32_t new_node(trie *t, unsigned len, uint32_t own)
{
    uint32_t i = t->nnodes++;
    t->nodes[i] = (node){ { 0, 0 }, own, (uint8_t)len, { 0, 0, 0 } };
    return i;
}

/* Hangs entry e (key, length and ids already stored) in the trie rooted at
 * *root. The caller has reserved room for one more node. */
static tr_err trie_insert(trie *t, uint32_t *root, uint32_t e)
{
    key128 k = entry_key(t, e);
    unsigned len = entry_len(t, e);
    if (!*root) {
        *root = ENT(e);
        return TR_OK;
    }
    /* pass 1: a representative entry of the subtree k belongs to */
    uint32_t r = *root;
    while (!IS_ENT(r)) {
        const node *n = &t->nodes[r];
        uint32_t next = n->len < len ? n->child[bit_at(k, n->len)] : 0;
        if (!next)
            next = n->own != NO_OWN ? ENT(n->own) : n->child[0] ? n->child[0] : n->child[1];
        r = next;
    }
    uint32_t rep = ENT_IDX(r);
    key128 rk = entry_key(t, rep);
    unsigned d = common_bits(k, rk, TR_MIN(len, entry_len(t, rep)));
    /* pass 2: the first place whose bit position is >= d */
    uint32_t *slot = root;
    for (;;) {
        uint32_t x = *slot;
        if (!x) {
            *slot = ENT(e);
            return TR_OK;
        }
        unsigned xlen = IS_ENT(x) ? entry_len(t, ENT_IDX(x)) : t->nodes[x].len;
        if (xlen < d) {
            if (IS_ENT(x))
                return TR_EINTERNAL; /* cannot happen: an entry on the path is the representative */
            slot = &t->nodes[x].child[bit_at(k, xlen)];
            continue;
        }
        if (xlen == d) {
            if (!IS_ENT(x)) {
                node *n = &t->nodes[x];
                if (d == len) {
                    if (n->own == NO_OWN)
                        n->own = e;
                    return TR_OK;
                }
                slot = &n->child[bit_at(k, d)];
                if (*slot)
                    return TR_EINTERNAL; /* cannot happen: pass 1 would have gone there */
                continue;
            }
            if (d == len)
                return TR_OK; /* the same prefix twice: build deduplicates, never reached */
            uint32_t nn = new_node(t, d, ENT_IDX(x));
            t->nodes[nn].child[bit_at(k, d)] = ENT(e);
            *slot = nn;
            return TR_OK;
        }
        /* xlen > d: a new node at d above x */
        uint32_t nn = new_node(t, d, d == len ? e : NO_OWN);
        t->nodes[nn].child[bit_at(rk, d)] = x;
        if (d < len)
            t->nodes[nn].child[bit_at(k, d)] = ENT(e);
        *slot = nn;
        return TR_OK;
    }
}

/* Builds trie t (width 32 or 128) from the sorted entries v[0..n) of one
 * family, appending multi-id runs to multi. */
static tr_err trie_build(trie *t, unsigned width, const bentry *v, size_t n, uint32_t **multi,
                         size_t *nmulti, size_t *capmulti)
{
    t->width = width;
    size_t distinct = 0;
    for (size_t i = 0; i < n; i++)
        if (!i || v[i].key.hi != v[i - 1].key.hi || v[i].key.lo != v[i - 1].key.lo ||
            v[i].len != v[i - 1].len)
            distinct++;
    if (distinct >= ENT_BIT)
        return TR_ELIMIT;
    size_t m = distinct ? distinct : 1;
    if (width == 32)
        t->e4 = tr_malloc(m * sizeof(ent4));
    else
        t->e6 = tr_malloc(m * sizeof(ent6));
    t->capnodes = (uint32_t)distinct + 1;
    t->nodes = tr_malloc((size_t)t->capnodes * sizeof(node));
    t->nnodes = 1;
    t->boff = width == 32 ? 0 : 16;
    t->blen = t->boff + BUCKET_BITS;
    if (distinct >= BUCKET_MIN)
        t->broots = tr_calloc((size_t)1 << BUCKET_BITS, sizeof(uint32_t));
    if ((width == 32 ? !t->e4 : !t->e6) || !t->nodes || (distinct >= BUCKET_MIN && !t->broots))
        return TR_ENOMEM;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1, nid = 1;
        while (j < n && v[j].key.hi == v[i].key.hi && v[j].key.lo == v[i].key.lo &&
               v[j].len == v[i].len) {
            if (v[j].id != v[j - 1].id)
                nid++;
            j++;
        }
        uint32_t e = t->nent++;
        uint32_t *ids;
        if (width == 32) {
            t->e4[e] = (ent4){ (uint32_t)(v[i].key.hi >> 32), 0, v[i].len };
            ids = &t->e4[e].ids;
        } else {
            t->e6[e] = (ent6){ v[i].key, 0, v[i].len };
            ids = &t->e6[e].ids;
        }
        if (nid == 1) {
            *ids = v[i].id;
        } else {
            if (*nmulti + nid + 1 >= MULTI_BIT)
                return TR_ELIMIT;
            if (!tr_vec_grow((void **)multi, capmulti, *nmulti + nid + 1, sizeof(uint32_t)))
                return TR_ENOMEM;
            *ids = MULTI_BIT | (uint32_t)*nmulti;
            (*multi)[(*nmulti)++] = (uint32_t)nid;
            for (size_t k = i; k < j; k++)
                if (k == i || v[k].id != v[k - 1].id)
                    (*multi)[(*nmulti)++] = v[k].id;
        }
        uint32_t *root = t->broots && v[i].len >= t->blen
                             ? &t->broots[bucket_of(t, v[i].key)]
                             : &t->root;
        tr_err err = trie_insert(t, root, e);
        if (err)
            return err;
        i = j;
    }
    /* Every insert adds at most one node: capnodes = distinct + 1 was enough.
     * Give back the slack. */
    if (t->nnodes < t->capnodes) {
        node *shrunk = tr_realloc(t->nodes, (size_t)t->nnodes * sizeof(node));
        if (shrunk) {
            t->nodes = shrunk;
            t->capnodes = t->nnodes;
        }
    }
    return TR_OK;
}

tr_err tr_cidr_build(tr_cidr_builder *b, tr_cidr **out)
{
    *out = NULL;
    tr_cidr *set = tr_calloc(1, sizeof(*set));
    if (!set)
        return TR_ENOMEM;
    if (b->v.n > 1)
        qsort(b->v.v, b->v.n, sizeof(bentry), cmp_bentry);
    size_t n4 = 0;
    while (n4 < b->v.n && b->v.v[n4].family == 4)
        n4++;
    size_t capmulti = 0;
    tr_err err = trie_build(&set->t4, 32, b->v.v, n4, &set->multi, &set->nmulti, &capmulti);
    if (!err)
        err = trie_build(&set->t6, 128, b->v.n ? b->v.v + n4 : NULL, b->v.n - n4, &set->multi,
                         &set->nmulti, &capmulti);
    if (err) {
        tr_cidr_free(set);
        return err;
    }
    *out = set;
    return TR_OK;
}

/* ---- lookup ---- */

/* Appends the entries of the trie at root containing a, shortest first, to
 * found[nf…]; returns the new count. */
static unsigned walk_from(const trie *t, uint32_t r, key128 a, uint32_t found[129], unsigned nf)
{
    while (r) {
        if (IS_ENT(r)) {
            uint32_t e = ENT_IDX(r);
            unsigned len = entry_len(t, e);
            if (common_bits(a, entry_key(t, e), len) == len)
                found[nf++] = e;
            break;
        }
        const node *n = &t->nodes[r];
        if (n->own != NO_OWN) {
            if (common_bits(a, entry_key(t, n->own), n->len) != n->len)
                break; /* nothing below can contain a either */
            found[nf++] = n->own;
        }
        if (n->len >= t->width)
            break;
        r = n->child[bit_at(a, n->len)];
    }
    return nf;
}

/* Entries containing a, shortest first (root trie, then its bucket). */
static unsigned walk(const trie *t, key128 a, uint32_t found[129])
{
    unsigned nf = walk_from(t, t->root, a, found, 0);
    if (t->broots)
        nf = walk_from(t, t->broots[bucket_of(t, a)], a, found, nf);
    return nf;
}

size_t tr_cidr_lookup(const tr_cidr *set, const tr_ip *addr, uint32_t *ids, size_t cap,
                      uint8_t *lens)
{
    const trie *t = addr->family == 4 ? &set->t4 : addr->family == 6 ? &set->t6 : NULL;
    if (!t || !t->nent)
        return 0;
    uint32_t found[129];
    unsigned nf = walk(t, key_of_ip(addr), found);
    size_t total = 0;
    while (nf--) {
        uint32_t e = found[nf];
        const uint32_t *list = entry_ids(t, e);
        uint32_t v = *list;
        uint32_t cnt = 1;
        if (v & MULTI_BIT) {
            cnt = set->multi[v & ~MULTI_BIT];
            list = &set->multi[(v & ~MULTI_BIT) + 1];
        }
        for (uint32_t i = 0; i < cnt; i++, total++) {
            if (total < cap) {
                ids[total] = list[i];
                if (lens)
                    lens[total] = (uint8_t)entry_len(t, e);
            }
        }
    }
    return total;
}

bool tr_cidr_contains(const tr_cidr *set, const tr_ip *addr)
{
    const trie *t = addr->family == 4 ? &set->t4 : addr->family == 6 ? &set->t6 : NULL;
    if (!t || !t->nent)
        return false;
    uint32_t found[129];
    return walk(t, key_of_ip(addr), found) > 0;
}

size_t tr_cidr_count(const tr_cidr *set)
{
    return (size_t)set->t4.nent + set->t6.nent;
}

size_t tr_cidr_memory(const tr_cidr *set)
{
    size_t m = sizeof(*set) + set->nmulti * sizeof(uint32_t);
    const trie *ts[2] = { &set->t4, &set->t6 };
    for (int i = 0; i < 2; i++) {
        m += (size_t)ts[i]->capnodes * sizeof(node);
        m += (size_t)ts[i]->nent * (i ? sizeof(ent6) : sizeof(ent4));
        if (ts[i]->broots)
            m += ((size_t)1 << BUCKET_BITS) * sizeof(uint32_t);
    }
    return m;
}
