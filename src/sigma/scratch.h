/*
 * scratch.h - per-thread scan state (tr_sigma_scratch) shared by the
 * evaluator (eval.c) and the prefilter (plan.c).
 *
 * Everything is sized from the ruleset at creation and grows only when an
 * event is larger than every event before it, so that steady-state scans
 * allocate nothing. Per-event "clearing" is a generation counter: an entry
 * is valid only if its generation equals the scratch's.
 */
#ifndef TR_SRC_SIGMA_SCRATCH_H
#define TR_SRC_SIGMA_SCRATCH_H

#include "core/common.h"

#include "core/buf.h"
#include "match/idset.h"
#include "sigma/regex.h"
#include "sigma/rule.h"

/* One event field bound to one rule field. */
typedef struct sg_bind {
    uint32_t evf;  /* index into ev->fields */
    uint32_t next; /* next binding of the same rule field, or SG_NONE */
} sg_bind;

#define SG_LS_CACHE 8

/* Applicability of rules to one logsource, cached per distinct logsource. */
typedef struct sg_lscache {
    bool used;
    tr_buf key;             /* product \0 service \0 categories… (owned copy) */
    uint8_t *routes;        /* per route id: 1 if rules of that route apply */
    uint32_t *always;       /* applicable rules the prefilter cannot skip */
    uint32_t nalways;
    bool keywords;          /* applicable rules have keyword atoms */
} sg_lscache;

struct sg_plan_scratch;

struct tr_sigma_scratch {
    const tr_ruleset *rs;
    sg_rematch *rm;
    const tr_event *ev;     /* event being scanned */
    uint32_t gen;           /* event generation (never 0) */

    /* rule field -> event fields */
    uint32_t *fgen, *fhead, *ftail;
    uint8_t *fexact;
    TR_VEC(sg_bind) binds;
    TR_VEC(uint32_t) touched; /* field ids bound in this event */

    /* decoded values of event fields, and their lowercase copies */
    TR_VEC(tr_str) vals;
    TR_VEC(uint32_t) vgen;
    tr_buf dec;
    TR_VEC(tr_str) lows;
    TR_VEC(uint32_t) lgen;
    tr_buf low;             /* reserved per event: never reallocated while in use */

    /* event field name -> head of the rule-field fold chain */
    struct sg_namecache *names;
    /* field name sequences seen -> their bindings (eval.c) */
    struct sg_layout *layouts;
    struct sg_layout *last_layout; /* the last event's (one of layouts), or NULL */

    /* predicate memo */
    uint32_t *pgen;
    uint8_t *pval;

    /* rules to evaluate */
    uint32_t *cgen;         /* per rule: candidate in this generation */
    TR_VEC(uint32_t) cands;

    sg_lscache ls[SG_LS_CACHE];
    uint32_t ls_next;
    sg_lscache *cur_ls;

    TR_VEC(tr_sigma_field) mf; /* matched fields of the rule being reported */
    uint8_t *re_reported;   /* per rule: a regex limit was already reported */
    struct sg_plan_scratch *ps;
    tr_idset hits;          /* prefilter slots hit by this event */
    uint32_t *chgen;        /* per clause: decided true by this event's hits when == gen */
    bool decided;           /* hits is complete for this event: slots decide values */
    const struct sg_pdec *pdec; /* the plan's decisions per predicate (plan.h) */
    const uint32_t *und;        /* and the values they leave undecided */
    tr_sigma_scan_stats stats;
};

/* The comparable value of event field i (JSON escapes resolved): the
 * first call per event decodes it, later ones read it back (inline: the
 * scan asks for values some forty times per event). */
tr_str sg_scratch_value_load(tr_sigma_scratch *s, const tr_field *f, uint32_t i);
static inline tr_str sg_scratch_value(tr_sigma_scratch *s, uint32_t i)
{
    if (s->vgen.v[i] == s->gen)
        return s->vals.v[i];
    const tr_field *f = &s->ev->fields[i];
    if ((f->flags & TR_FIELD_ESCAPED) || !f->value.p)
        return sg_scratch_value_load(s, f, i);
    s->vals.v[i] = f->value; /* nothing to decode */
    s->vgen.v[i] = s->gen;
    return f->value;
}
/* Its ASCII-lowercased copy, or {NULL, 0} if the buffer is full. */
tr_str sg_scratch_lower(tr_sigma_scratch *s, uint32_t i);

#endif
