/*
 * plan.c - logsource routes and (later) the literal prefilter (see plan.h).
 */
#include "core/common.h"

#include "sigma/plan.h"

struct sg_plan {
    TR_VEC(sg_route) routes;
    uint32_t *rule_route;
    uint8_t *rule_always;
    uint8_t *rule_keyword;
};

struct sg_plan_scratch {
    int unused;
};

static bool route_eq(const sg_route *a, const sg_route *b)
{
    return tr_str_eq(a->product, b->product) && tr_str_eq(a->category, b->category) &&
           tr_str_eq(a->service, b->service);
}

tr_err sg_plan_build(tr_ruleset *rs, sg_plan **out)
{
    *out = NULL;
    sg_plan *p = tr_calloc(1, sizeof(*p));
    if (!p)
        return TR_ENOMEM;
    size_t nr = rs->rules.n ? rs->rules.n : 1;
    p->rule_route = tr_calloc(nr, sizeof(uint32_t));
    p->rule_always = tr_calloc(nr, 1);
    p->rule_keyword = tr_calloc(nr, 1);
    if (!p->rule_route || !p->rule_always || !p->rule_keyword) {
        sg_plan_free(p);
        return TR_ENOMEM;
    }
    for (size_t i = 0; i < rs->rules.n; i++) {
        const sg_route *r = &rs->rules.v[i].route;
        uint32_t k = 0;
        while (k < p->routes.n && !route_eq(&p->routes.v[k], r))
            k++;
        if (k == p->routes.n && !TR_VEC_PUSH(&p->routes, *r)) {
            sg_plan_free(p);
            return TR_ENOMEM;
        }
        p->rule_route[i] = k;
        p->rule_always[i] = 1;
    }
    *out = p;
    return TR_OK;
}

void sg_plan_free(sg_plan *p)
{
    if (!p)
        return;
    TR_VEC_FREE(&p->routes);
    tr_free(p->rule_route);
    tr_free(p->rule_always);
    tr_free(p->rule_keyword);
    tr_free(p);
}

uint32_t sg_plan_nroutes(const sg_plan *p)
{
    return (uint32_t)p->routes.n;
}

const sg_route *sg_plan_route(const sg_plan *p, uint32_t i)
{
    return &p->routes.v[i];
}

uint32_t sg_plan_rule_route(const sg_plan *p, uint32_t rule)
{
    return p->rule_route[rule];
}

bool sg_plan_rule_always(const sg_plan *p, uint32_t rule)
{
    return p->rule_always[rule];
}

bool sg_plan_rule_keyword(const sg_plan *p, uint32_t rule)
{
    return p->rule_keyword[rule];
}

tr_err sg_plan_scratch_new(const sg_plan *p, struct sg_plan_scratch **out)
{
    (void)p;
    *out = tr_calloc(1, sizeof(**out));
    return *out ? TR_OK : TR_ENOMEM;
}

void sg_plan_scratch_free(struct sg_plan_scratch *ps)
{
    tr_free(ps);
}

tr_err sg_plan_prefilter(const tr_ruleset *rs, tr_sigma_scratch *s)
{
    (void)rs;
    (void)s;
    return TR_OK;
}
