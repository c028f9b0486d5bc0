/*
 * test_sigma_gen.h - differential testing of the prefiltered scan against
 * full evaluation.
 *
 * The same rules are loaded twice, with and without the prefilter. For
 * every rule, events are synthesised from the rule's own values (each
 * predicate gets a value made to satisfy one of its alternatives, then
 * some are mutated: case flipped, a byte dropped, junk added, the value of
 * another predicate swapped in), so that the events exercise both hits and
 * near misses. Both rulesets scan every event; the rules reported, in order,
 * and their matched fields must be identical.
 *
 * Used by tests/unit/test_sigma_diff.c (rules of tests/data/sigma) and by
 * tests/conformance/sigma_diff.c (the SigmaHQ ruleset).
 */
#ifndef TR_TESTS_TEST_SIGMA_GEN_H
#define TR_TESTS_TEST_SIGMA_GEN_H

#include "core/common.h"

#include "core/buf.h"
#include "sigma/regex.h"
#include "sigma/rule.h"
#include "trawl/arena.h"
#include "trawl/event.h"
#include "trawl/sigma.h"

typedef struct sgd_rng {
    uint64_t x;
} sgd_rng;

static inline uint64_t sgd_next(sgd_rng *r)
{
    r->x ^= r->x << 13;
    r->x ^= r->x >> 7;
    r->x ^= r->x << 17;
    return r->x;
}

static inline uint32_t sgd_below(sgd_rng *r, uint32_t n)
{
    return n ? (uint32_t)(sgd_next(r) % n) : 0;
}

/* Appends to b a value that satisfies v (most of the time). */
static inline void sgd_synth(sgd_rng *r, const tr_ruleset *rs, const sg_value *v, tr_buf *b)
{
    static const char *const dashes[] = { "-", "/", "\xE2\x80\x93", "\xE2\x80\x94", "\xE2\x80\x95" };
    char tmp[64];
    switch (v->op) {
    case SG_OP_EQ:
        tr_buf_append_str(b, v->lit);
        break;
    case SG_OP_PREFIX:
        tr_buf_append_str(b, v->lit);
        tr_buf_append(b, " tail", 5);
        break;
    case SG_OP_SUFFIX:
        tr_buf_append(b, "C:\\x\\", 5);
        tr_buf_append_str(b, v->lit);
        break;
    case SG_OP_CONTAINS:
        tr_buf_append(b, "a ", 2);
        tr_buf_append_str(b, v->lit);
        tr_buf_append(b, " b", 2);
        break;
    case SG_OP_ANY:
        tr_buf_append(b, "anything", 8);
        break;
    case SG_OP_GLOB:
        for (uint32_t i = 0; i < v->ntoks; i++) {
            const sg_gtok *t = &v->toks[i];
            if (t->kind == SG_G_LIT)
                tr_buf_append_str(b, t->lit);
            else if (t->kind == SG_G_STAR && sgd_below(r, 2))
                tr_buf_append(b, "zz", 2);
            else if (t->kind == SG_G_ONE)
                tr_buf_putc(b, 'q');
            else
                tr_buf_append_str(b, tr_str_c(dashes[sgd_below(r, 5)]));
        }
        break;
    case SG_OP_RE: {
        /* The pattern's plain characters: matches simple patterns. */
        const char *p = sg_regex_pattern(rs->re, v->re);
        for (; *p; p++)
            if (!strchr("\\^$.|?*+()[]{}", *p))
                tr_buf_putc(b, *p);
        break;
    }
    case SG_OP_CIDR: {
        uint8_t a[16];
        memcpy(a, v->addr, 16);
        a[v->af == 4 ? 3 : 15] |= (uint8_t)sgd_below(r, 2);
        if (v->af == 4)
            snprintf(tmp, sizeof(tmp), "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
        else
            snprintf(tmp, sizeof(tmp), "%x:%x::%x", (a[0] << 8) | a[1], (a[2] << 8) | a[3],
                     (a[14] << 8) | a[15]);
        tr_buf_append_str(b, tr_str_c(tmp));
        break;
    }
    case SG_OP_NUM:
        snprintf(tmp, sizeof(tmp), "%.0f", v->num + (double)sgd_below(r, 3) - 1);
        tr_buf_append_str(b, tr_str_c(tmp));
        break;
    case SG_OP_TIME:
        snprintf(tmp, sizeof(tmp), "2021-0%u-1%u 0%u:1%u:00", 1 + sgd_below(r, 9),
                 sgd_below(r, 9), sgd_below(r, 9), sgd_below(r, 9));
        tr_buf_append_str(b, tr_str_c(tmp));
        break;
    default:
        tr_buf_append(b, "ref", 3);
        break;
    }
}

/* Mutations that turn a hit into a near miss (or keep it a hit). */
static inline void sgd_mutate(sgd_rng *r, tr_buf *b)
{
    switch (sgd_below(r, 6)) {
    case 0: /* flip the case of every letter */
        for (size_t i = 0; i < b->n; i++) {
            char c = b->p[i];
            if (c >= 'a' && c <= 'z')
                b->p[i] = (char)(c - 32);
            else if (c >= 'A' && c <= 'Z')
                b->p[i] = (char)(c + 32);
        }
        break;
    case 1: /* drop one byte */
        if (b->n) {
            size_t k = sgd_below(r, (uint32_t)b->n);
            memmove(b->p + k, b->p + k + 1, b->n - k - 1);
            b->n--;
            b->p[b->n] = '\0';
        }
        break;
    case 2: /* junk at either end */
        if (sgd_below(r, 2)) {
            tr_buf_append(b, "!x", 2);
        } else if (b->n < 4000) {
            tr_buf tmp = TR_BUF_INIT;
            tr_buf_append(&tmp, "x!", 2);
            tr_buf_append(&tmp, b->p, b->n);
            tr_buf_reset(b);
            tr_buf_append(b, tmp.p, tmp.n);
            tr_buf_release(&tmp);
        }
        break;
    case 3: /* empty */
        tr_buf_reset(b);
        break;
    default:
        break; /* unchanged */
    }
}

typedef struct sgd_result {
    char text[8192]; /* "rule:field=value;…|rule…" */
    size_t n;
} sgd_result;

static int sgd_collect(const tr_sigma_match *m, void *ctx)
{
    sgd_result *res = ctx;
    if (res->n >= sizeof(res->text) - 1)
        return 0;
    int k = snprintf(res->text + res->n, sizeof(res->text) - res->n, "%u:", m->rule->index);
    res->n += k > 0 ? (size_t)k : 0;
    for (uint32_t i = 0; i < m->nfields && res->n < sizeof(res->text) - 1; i++) {
        k = snprintf(res->text + res->n, sizeof(res->text) - res->n, "%.*s=%.*s;",
                     (int)TR_MIN(m->fields[i].name.n, 64), m->fields[i].name.p,
                     (int)TR_MIN(m->fields[i].value.n, 64), m->fields[i].value.p);
        res->n += k > 0 ? (size_t)k : 0;
    }
    if (res->n < sizeof(res->text) - 1)
        res->text[res->n++] = '|';
    res->text[res->n < sizeof(res->text) ? res->n : sizeof(res->text) - 1] = '\0';
    return 0;
}

typedef struct sgd_stats {
    uint64_t events, matches, mismatches;
    char first[512]; /* the first mismatch, for the report */
} sgd_stats;

/* Collects the predicates reachable from node ni. */
static inline void sgd_preds(const tr_ruleset *rs, uint32_t ni, uint32_t *out, uint32_t *n,
                             uint32_t cap, int depth)
{
    const sg_node *nd = &rs->nodes.v[ni];
    if (depth > 100)
        return;
    if (nd->op == SG_N_PRED) {
        for (uint32_t i = 0; i < *n; i++)
            if (out[i] == nd->a)
                return;
        if (*n < cap)
            out[(*n)++] = nd->a;
        return;
    }
    for (uint32_t i = 0; i < nd->n; i++)
        sgd_preds(rs, rs->kids.v[nd->first + i], out, n, cap, depth + 1);
}

/* Scans `per_rule` synthetic events per rule with both rulesets (loaded
 * from the same rules; fast with prefilter, slow without) and compares. */
static inline void sgd_run(const tr_ruleset *fast, const tr_ruleset *slow, uint32_t per_rule,
                           uint64_t seed, sgd_stats *st)
{
    memset(st, 0, sizeof(*st));
    sgd_rng r = { seed | 1 };
    tr_sigma_scratch *sf = NULL, *ss = NULL;
    if (tr_sigma_scratch_new(fast, &sf) || tr_sigma_scratch_new(slow, &ss)) {
        snprintf(st->first, sizeof(st->first), "scratch allocation failed");
        st->mismatches = 1;
        tr_sigma_scratch_free(sf);
        tr_sigma_scratch_free(ss);
        return;
    }
    tr_arena *arena = tr_arena_new(0, 0);
    tr_field fields[96];
    tr_buf vb = TR_BUF_INIT;
    sgd_result *ra = malloc(sizeof(*ra)), *rb = malloc(sizeof(*rb));
    uint32_t preds[64];
    for (uint32_t ri = 0; ri < fast->rules.n && ra && rb; ri++) {
        const sg_rule *rule = &fast->rules.v[ri];
        uint32_t np = 0;
        sgd_preds(fast, rule->root, preds, &np, 64, 0);
        for (uint32_t k = 0; k < per_rule; k++) {
            tr_arena_reset(arena);
            tr_event ev;
            tr_event_init(&ev, fields, 96, arena);
            ev.path = TR_STR("diff");
            ev.logsource.product = rule->route.product;
            ev.logsource.service = rule->route.service;
            if (rule->route.category.n)
                tr_logsource_add_category(&ev.logsource, rule->route.category);
            for (uint32_t i = 0; i < np; i++) {
                const sg_pred *p = &fast->preds.v[preds[i]];
                if (sgd_below(&r, 5) == 0)
                    continue; /* leave the field out */
                tr_buf_reset(&vb);
                if (p->n) {
                    uint32_t alt = p->first + sgd_below(&r, p->n);
                    sgd_synth(&r, fast, &fast->values.v[alt], &vb);
                    /* |all needs every group: add the others too. */
                    for (uint32_t a = p->first; p->all && a < p->first + p->n; a++)
                        if (a != alt && sgd_below(&r, 4)) {
                            tr_buf_putc(&vb, ' ');
                            sgd_synth(&r, fast, &fast->values.v[a], &vb);
                        }
                }
                if (sgd_below(&r, 3) == 0)
                    sgd_mutate(&r, &vb);
                tr_str name = p->fname.n ? p->fname : TR_STR("Message");
                tr_str val = tr_arena_strdup(arena, vb.p ? vb.p : "", vb.n);
                tr_field *f = tr_event_add(&ev, name, val, TR_VSTR);
                if (f && p->kind == SG_P_NULL && sgd_below(&r, 2))
                    f->kind = TR_VNULL;
            }
            ra->n = rb->n = 0;
            ra->text[0] = rb->text[0] = '\0';
            tr_sigma_scan(fast, sf, &ev, sgd_collect, ra);
            tr_sigma_scan(slow, ss, &ev, sgd_collect, rb);
            st->events++;
            st->matches += ra->n > 0;
            if (ra->n != rb->n || memcmp(ra->text, rb->text, ra->n) != 0) {
                if (!st->mismatches)
                    snprintf(st->first, sizeof(st->first),
                             "rule %u (%.*s): prefiltered '%.200s' vs full '%.200s'", ri,
                             (int)TR_MIN(rule->info.title.n, 80), rule->info.title.p, ra->text,
                             rb->text);
                st->mismatches++;
            }
        }
    }
    free(ra);
    free(rb);
    tr_buf_release(&vb);
    tr_arena_free(arena);
    tr_sigma_scratch_free(sf);
    tr_sigma_scratch_free(ss);
}

#endif
