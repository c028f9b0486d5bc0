/*
 * correl_int.h - what the files of the correlation runtime share: the
 * compiled correlations, the groups and their windows, the engine.
 *
 * A group is one (correlation, tenant, group-by values): its window is an
 * array of entries, one per event counted, sorted by (event time, arrival).
 * Groups live in a chained hash table and on an LRU list (least recently
 * fed first), which is what the memory cap evicts.
 */
#ifndef TR_SRC_SIGMA_CORREL_INT_H
#define TR_SRC_SIGMA_CORREL_INT_H

#include "core/common.h"

#include "core/buf.h"
#include "core/hash.h"
#include "core/vec.h"
#include "trawl/arena.h"
#include "trawl/correl.h"

#define CORREL_MAX_VF 4     /* condition fields per correlation */
#define CORREL_MAX_GB 16    /* group-by fields per correlation */
#define CORREL_NONE UINT32_MAX

/* Detections of a rule (or of a correlation) feed correlation `correl` as its refs[ref]. */
typedef struct cuse {
    uint32_t correl;
    uint32_t ref;
} cuse;

typedef struct ccorr {
    const tr_correl_info *info;
    tr_str out_id;        /* rule_id of its detections: id, else name, else title */
    bool growing;         /* decided as events arrive (lower bounds only), else when a
                             window closes */
    bool internal;        /* feeds other correlations, none of which generates it */
    uint32_t nrefs;
    uint32_t ngb;         /* group-by fields */
    tr_str *gb;           /* [nrefs * ngb]: field to read for group-by g in events of ref r */
    uint32_t nvf;         /* condition fields (value_* types) */
    tr_str *vf;           /* [nrefs * nvf] */
    cuse *outs;           /* correlations chained on this one */
    uint32_t nouts;
    bool warned_evict;    /* the memory cap message was printed */
} ccorr;

typedef union cval {
    uint64_t h;  /* value_count: hash of the value; value_percentile: interned value index */
    double d;    /* value_sum, value_avg */
} cval;

typedef struct centry {
    int64_t ts;
    uint64_t seq;         /* arrival number: ties in time keep arrival order */
    uint64_t id;          /* the detection's id (contributing) */
    uint64_t record, line, source_gen;
    uint32_t path;        /* interned */
    uint32_t ref;         /* which of the correlation's rules */
    cval v[CORREL_MAX_VF];
} centry;

typedef TR_VEC(tr_str) strvec;

typedef struct cgroup {
    struct cgroup *hnext;           /* hash chain */
    struct cgroup *prev, *next;     /* LRU list, least recently fed first */
    uint64_t hash;
    uint32_t correl;
    uint32_t nvals;
    tr_str tenant;                  /* views into key[] */
    tr_str *vals;                   /* [nvals], views into key[] */
    centry *e;                      /* window, sorted by (ts, seq) */
    uint32_t n, cap;
    int64_t newest;                 /* newest event time seen in the group */
    size_t keylen;
    char key[];                     /* u32-length-prefixed tenant and values */
} cgroup;

struct tr_correl {
    const tr_ruleset *rs;
    tr_correl_opts o;
    tr_arena *arena;                /* compiled tables, interned strings */
    ccorr *cc;
    uint32_t ncc;
    uint32_t nrules;
    uint32_t *rule_off;             /* [nrules + 1] into uses */
    cuse *uses;
    uint32_t *rfield_off;           /* [nrules + 1] into rfields */
    tr_str *rfields;

    cgroup **tab;                   /* hash table of groups */
    size_t tabcap, ngroups;
    cgroup *lru_head, *lru_tail;

    strvec paths;                   /* interned source paths */
    tr_map *path_idx;
    strvec strs;                    /* interned values (value_percentile) */
    tr_map *str_idx;
    TR_VEC(int64_t) wm;             /* newest event time per tenant */
    strvec tenants;
    tr_map *tenant_idx;

    uint64_t seq;
    size_t bytes;
    bool dirty;
    tr_correl_stats st;

    /* scratch, reused */
    tr_buf key;
    TR_VEC(tr_kv) gkv;
    TR_VEC(uint64_t) ids;
    TR_VEC(uint64_t) set;           /* open-addressing set for distinct counts */
    TR_VEC(uint32_t) cnt;           /* per-ref counts */
    uint32_t depth;                 /* chaining depth */
    bool finishing;                 /* tr_correl_finish: groups are not freed on the way */
};

/* ---- groups (correl_window.c) ---- */

/* The group of (correl, tenant, vals), created when absent (NULL: out of memory). */
cgroup *correl_group_get(tr_correl *c, uint32_t correl, tr_str tenant, const tr_str *vals,
                         uint32_t nvals);
void correl_group_free(tr_correl *c, cgroup *g);
/* Marks g as the most recently fed. */
void correl_group_touch(tr_correl *c, cgroup *g);
/* Room for one more entry; false when out of memory. */
bool correl_group_reserve(tr_correl *c, cgroup *g);
/* Drops entries [i, j] (inclusive) of g. */
void correl_group_remove(tr_correl *c, cgroup *g, uint32_t i, uint32_t j);
/* Drops least recently fed groups (other than keep) until under the cap. */
void correl_enforce_cap(tr_correl *c, const cgroup *keep);

/* Interned strings (paths, percentile values); CORREL_NONE when out of memory. */
uint32_t correl_intern(tr_correl *c, tr_map *m, strvec *vec, tr_str s);

/* ---- evaluation (correl_eval.c) ---- */

/* What a window is made of while it is evaluated and reported. */
typedef struct cwin {
    cgroup *g;
    uint32_t i, j;                  /* entries [i, j] */
    const tr_detection *cur;        /* the detection of entry j when it is the current one */
} cwin;

/* A detection fell into group g as entry index p: evaluates the windows it
 * completes (growing conditions) or the windows it closes (others). */
tr_err correl_after_insert(tr_correl *c, uint32_t k, cgroup *g, uint32_t p,
                           const tr_detection *cur, tr_correl_emit_fn emit, void *ctx);
/* Closes every window of g whose time has come (all: every window). */
tr_err correl_close_due(tr_correl *c, uint32_t k, cgroup *g, bool all, tr_correl_emit_fn emit,
                        void *ctx);

/* ---- the engine (correl_engine.c) ---- */

/* Emits the correlation detection of window w of correlation k and feeds
 * it to the correlations chained on k. extra: one more group key/value
 * (value_percentile's value) or NULL. */
tr_err correl_fire(tr_correl *c, uint32_t k, const cwin *w, const tr_kv *extra,
                   const uint64_t *ids, uint32_t nids, tr_correl_emit_fn emit, void *ctx);

#endif
