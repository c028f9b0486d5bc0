/*
 * plan.h - the compiled, immutable part of a ruleset used by the scan:
 * logsource routes and the literal prefilter.
 *
 * Each rule gets a set of atoms (literals, exact values, keywords) such
 * that the rule cannot match an event unless one of its atoms occurs in
 * the event; the literals of all rules, grouped per field, go into one
 * Vectorscan database per field, exact values into hash sets. A scan marks
 * as candidates the rules whose atoms hit, plus the few rules without any
 * usable atom, and only those are evaluated in full.
 */
#ifndef TR_SRC_SIGMA_PLAN_H
#define TR_SRC_SIGMA_PLAN_H

#include "core/common.h"

#include "sigma/scratch.h"

typedef struct sg_plan sg_plan;

tr_err sg_plan_build(tr_ruleset *rs, sg_plan **out);
void sg_plan_free(sg_plan *p);

uint32_t sg_plan_nroutes(const sg_plan *p);
const sg_route *sg_plan_route(const sg_plan *p, uint32_t i);
uint32_t sg_plan_rule_route(const sg_plan *p, uint32_t rule);
/* The rule has no atom: it is evaluated whenever it applies. */
bool sg_plan_rule_always(const sg_plan *p, uint32_t rule);
/* The guard of a rule without atoms (build_guards): predicates one of which
 * must hold for the rule to match, each on a field, every value of which
 * has tests that it must pass first (need, need_lit, run_set, pair_set).
 * NULL and *n = 0 when it has none. */
const uint32_t *sg_plan_rule_guard(const sg_plan *p, uint32_t rule, uint32_t *n);
/* Some atom of the rule is a keyword (field-less) atom. */
bool sg_plan_rule_keyword(const sg_plan *p, uint32_t rule);

/* Slots (literal tests) of the plan: the universe of tr_sigma_scratch.hits. */
uint32_t sg_plan_nslots(const sg_plan *p);
/* The prefilter is on (else every applicable rule is evaluated in full). */
bool sg_plan_prefiltered(const sg_plan *p);

/* How the prefilter decides a predicate's values. With |all each rule
 * value (group) of a predicate is a clause, without it the predicate is one;
 * a hit slot stamps the clauses it decides (tr_sigma_scratch.chgen). */
#define SG_PDEC_DIRECT 4

typedef struct sg_pdec {
    bool decided;          /* some values are decided by slots */
    uint8_t ndirect;       /* > 0: a predicate without |all whose few decided values
                              are checked as these slots (no clause marks) */
    uint32_t direct[SG_PDEC_DIRECT];
    uint32_t first_clause; /* with |all: the clause of group 0 (groups are consecutive);
                              without: the predicate's only clause */
    uint32_t und_off;      /* values still evaluated directly: und[und_off …] */
    uint32_t und_n;
} sg_pdec;

/* Per predicate (NULL without prefilter). */
const sg_pdec *sg_plan_pdec(const sg_plan *p);
const uint32_t *sg_plan_und(const sg_plan *p);
uint32_t sg_plan_nclauses(const sg_plan *p);

tr_err sg_plan_scratch_new(const sg_plan *p, struct sg_plan_scratch **out);
void sg_plan_scratch_free(struct sg_plan_scratch *ps);

/* Adds to s->cands every applicable rule whose atoms occur in the event
 * (bindings and logsource cache are already set up). Returns TR_ENOMEM
 * only if a scratch buffer could not grow. */
tr_err sg_plan_prefilter(const tr_ruleset *rs, tr_sigma_scratch *s);

#endif
