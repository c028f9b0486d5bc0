/*
 * engine.c - the campaign engine's front: it takes detections one at a
 * time, decides once per rule what stage, CVEs and actor its tags say,
 * decides per detection the stage of an indicator match, and keeps a
 * compact record (string ids, no copies, no allocation per detection
 * beyond amortised growth). link.c and rollup.c do the rest at run time.
 */
#include "core/common.h"

#include "core/buf.h"
#include "correlate/cmp.h"

tr_err tr_campaigns_new(const tr_campaign_policy *policy, const tr_fleet *fleet,
                        tr_campaigns **out)
{
    tr_err err = TR_OK;
    *out = NULL;
    tr_campaigns *c = tr_calloc(1, sizeof(*c));
    if (!c)
        return TR_ENOMEM;
    c->fleet = fleet;
    tr_buf_init(&c->scratch, 1 << 20);
    tr_buf_init(&c->urlbuf, 1 << 20);
    TR_TRY(cm_intern_init(&c->strs));
    TR_TRY(cm_intern_init(&c->values));
    TR_TRY(cm_intern_init(&c->rule_keys));
    TR_TRY(cm_intern_init(&c->ind_keys));
    TR_TRY(cm_intern_init(&c->cve_keys));
    tr_campaign_policy *dflt = NULL;
    if (!policy && !(policy = dflt = tr_campaign_policy_new())) {
        err = TR_ENOMEM;
        goto out;
    }
    c->params = policy->params;
    err = cm_policy_apply(c, policy);
    tr_campaign_policy_free(dflt);
    if (err)
        goto out;
    TR_TRY(cm_fields_init(c));
    /* index 0 of the rule, indicator and CVE-set tables means "none" */
    cm_rule r0 = { 0 };
    cm_indicator i0 = { 0 };
    if (!TR_VEC_PUSH(&c->rules, r0) || !TR_VEC_PUSH(&c->indicators, i0) ||
        !TR_VEC_PUSH(&c->cveset_off, 0) || !TR_VEC_PUSH(&c->cveset_off, 0)) {
        err = TR_ENOMEM;
        goto out;
    }
    c->idset_mask = 4095;
    c->idset = tr_calloc(c->idset_mask + 1, sizeof(*c->idset));
    c->out = tr_arena_new(256 * 1024, (size_t)4 << 30);
    if (!c->idset || !c->out) {
        err = TR_ENOMEM;
        goto out;
    }
    c->summary.fleet_tenants = fleet ? (uint32_t)tr_fleet_count(fleet) : 0;
    *out = c;
    return TR_OK;
out:
    tr_campaigns_free(c);
    return err;
}

void tr_campaigns_free(tr_campaigns *c)
{
    if (!c)
        return;
    tr_map_free(c->rule_stage);
    tr_map_free(c->tag_stage);
    tr_map_free(c->ind_stage);
    tr_map_free(c->actor_of);
    tr_map_free(c->ignore);
    tr_map_free(c->field_class);
    cm_intern_release(&c->strs);
    cm_intern_release(&c->values);
    cm_intern_release(&c->rule_keys);
    cm_intern_release(&c->ind_keys);
    cm_intern_release(&c->cve_keys);
    TR_VEC_FREE(&c->rules);
    TR_VEC_FREE(&c->indicators);
    TR_VEC_FREE(&c->cveset_off);
    TR_VEC_FREE(&c->cveset_ids);
    TR_VEC_FREE(&c->dets);
    TR_VEC_FREE(&c->ents);
    TR_VEC_FREE(&c->edges);
    tr_buf_release(&c->scratch);
    tr_buf_release(&c->urlbuf);
    tr_free(c->idset);
    tr_free(c->vals);
    tr_free(c->actor);
    tr_free(c->comp);
    tr_free(c->via);
    tr_free(c->why);
    tr_free(c->via_value);
    tr_free(c->eff_cves);
    TR_VEC_FREE(&c->res.campaigns);
    TR_VEC_FREE(&c->res.benign);
    TR_VEC_FREE(&c->res.conflicts);
    tr_arena_free(c->out);
    tr_free(c);
}

/* ---- detection ids seen ---- */

static tr_err idset_add(tr_campaigns *c, uint64_t id, bool *fresh)
{
    if (id == 0)
        id = 1; /* 0 marks an empty slot */
    size_t i = (size_t)(id * 0x9e3779b97f4a7c15ULL >> 20) & c->idset_mask;
    while (c->idset[i]) {
        if (c->idset[i] == id) {
            *fresh = false;
            return TR_OK;
        }
        i = (i + 1) & c->idset_mask;
    }
    c->idset[i] = id;
    *fresh = true;
    if (++c->idset_n * 2 > c->idset_mask) {
        size_t nmask = c->idset_mask * 2 + 1;
        uint64_t *ns = tr_calloc(nmask + 1, sizeof(*ns));
        if (!ns)
            return TR_ENOMEM;
        for (size_t k = 0; k <= c->idset_mask; k++) {
            uint64_t v = c->idset[k];
            if (!v)
                continue;
            size_t j = (size_t)(v * 0x9e3779b97f4a7c15ULL >> 20) & nmask;
            while (ns[j])
                j = (j + 1) & nmask;
            ns[j] = v;
        }
        tr_free(c->idset);
        c->idset = ns;
        c->idset_mask = nmask;
    }
    return TR_OK;
}

/* ---- rules: stage, CVEs and actor from tags, once per rule ---- */

static bool has_prefix_nocase(tr_str s, const char *pre)
{
    size_t n = strlen(pre);
    return s.n >= n && tr_mem_eq_nocase(s.p, pre, n);
}

static uint8_t tactic_stage(tr_str t)
{
    static const char *const targeted[] = { "initial-access", "initial_access",
                                            "reconnaissance" };
    static const char *const compromised[] = {
        "execution", "persistence", "privilege-escalation", "privilege_escalation",
        "defense-evasion", "defense_evasion", "credential-access", "credential_access",
        "discovery", "lateral-movement", "lateral_movement", "collection",
        "command-and-control", "command_and_control", "exfiltration", "impact",
    };
    for (size_t i = 0; i < TR_ARRAY_LEN(targeted); i++)
        if (t.n == strlen(targeted[i]) && tr_mem_eq_nocase(t.p, targeted[i], t.n))
            return TR_STAGE_TARGETED;
    for (size_t i = 0; i < TR_ARRAY_LEN(compromised); i++)
        if (t.n == strlen(compromised[i]) && tr_mem_eq_nocase(t.p, compromised[i], t.n))
            return TR_STAGE_COMPROMISED;
    return 0;
}

static bool is_group_tag(tr_str t)
{
    /* attack.gNNNN */
    if (t.n < 9 || !has_prefix_nocase(t, "attack.g"))
        return false;
    for (size_t i = 8; i < t.n; i++)
        if (t.p[i] < '0' || t.p[i] > '9')
            return false;
    return true;
}

static int cmp_u32_str(const void *a, const void *b, void *ctx)
{
    const cm_intern *in = ctx;
    tr_str x = in->strs[*(const uint32_t *)a], y = in->strs[*(const uint32_t *)b];
    size_t n = TR_MIN(x.n, y.n);
    int r = n ? memcmp(x.p, y.p, n) : 0;
    return r ? r : (x.n < y.n ? -1 : x.n > y.n);
}

/* The index of the CVE set made of ids[0..n) (sorted, unique inside). */
static tr_err cveset_for(tr_campaigns *c, uint32_t *ids, uint32_t n, uint32_t *set)
{
    *set = 0;
    if (!n)
        return TR_OK;
    qsort_r(ids, n, sizeof(*ids), cmp_u32_str, &c->strs);
    uint32_t m = 0;
    for (uint32_t i = 0; i < n; i++)
        if (!m || ids[m - 1] != ids[i])
            ids[m++] = ids[i];
    tr_buf *k = &c->scratch;
    tr_buf_reset(k);
    for (uint32_t i = 0; i < m; i++) {
        if (i)
            tr_buf_putc(k, ',');
        tr_buf_append_str(k, cm_str(&c->strs, ids[i]));
    }
    uint32_t key;
    tr_err err = cm_intern_put(&c->cve_keys, (tr_str){ k->p, k->n }, &key);
    if (err)
        return err;
    if (key + 1 < c->cveset_off.n) { /* known set: index = key */
        *set = key;
        return TR_OK;
    }
    for (uint32_t i = 0; i < m; i++)
        if (!TR_VEC_PUSH(&c->cveset_ids, ids[i]))
            return TR_ENOMEM;
    if (!TR_VEC_PUSH(&c->cveset_off, (uint32_t)c->cveset_ids.n))
        return TR_ENOMEM;
    *set = key;
    return TR_OK;
}

/* "cve.2019-19781" -> "CVE-2019-19781" */
static tr_err cve_of_tag(tr_campaigns *c, tr_str t, uint32_t *id)
{
    char buf[64];
    if (t.n < 8 || t.n - 4 + 4 >= sizeof(buf))
        return cm_intern_put(&c->strs, TR_STR(""), id);
    memcpy(buf, "CVE-", 4);
    for (size_t i = 4; i < t.n; i++) {
        char ch = t.p[i];
        buf[i] = (ch >= 'a' && ch <= 'z') ? (char)(ch - 32) : ch;
    }
    return cm_intern_put(&c->strs, (tr_str){ buf, t.n }, id);
}

static tr_err rule_for(tr_campaigns *c, const tr_detection *d, uint32_t *out)
{
    tr_buf *k = &c->scratch;
    tr_buf_reset(k);
    tr_buf_putc(k, (char)('0' + d->kind));
    tr_buf_append_str(k, d->rule_id);
    tr_buf_putc(k, '\x1f');
    tr_buf_append_str(k, d->rule_title);
    uint32_t key;
    tr_err err = cm_intern_put(&c->rule_keys, (tr_str){ k->p, k->n }, &key);
    if (err)
        return err;
    if (key < c->rules.n) {
        *out = key;
        return TR_OK;
    }
    cm_rule r = { .kind = (uint8_t)d->kind, .stage = CM_STAGE_UNSET };
    TR_TRY(cm_intern_put(&c->strs, d->rule_id, &r.rule_id));
    TR_TRY(cm_intern_put(&c->strs, d->rule_title, &r.title));
    TR_TRY(cm_intern_put(&c->strs, d->level, &r.level));
    uint64_t v;
    if (d->rule_id.n && tr_map_get(c->rule_stage, d->rule_id, &v)) {
        r.stage = (uint8_t)v;
        r.policy_stage = true;
    }
    uint8_t tag_stage = 0, tactic = 0;
    bool tag_policy = false, tag_ignore = false;
    uint32_t cves[32], ncves = 0;
    for (uint32_t i = 0; i < d->ntags; i++) {
        tr_str t = d->tags[i];
        if (tr_map_get(c->tag_stage, t, &v)) {
            tag_policy = true;
            if (v == CM_STAGE_IGNORE)
                tag_ignore = true;
            else if (v > tag_stage)
                tag_stage = (uint8_t)v;
        }
        if (has_prefix_nocase(t, "cve.") && ncves < TR_ARRAY_LEN(cves)) {
            TR_TRY(cve_of_tag(c, t, &cves[ncves]));
            if (cves[ncves])
                ncves++;
        } else if (has_prefix_nocase(t, "stage.")) {
            uint8_t st = (uint8_t)tr_stage_parse((tr_str){ t.p + 6, t.n - 6 });
            if (!tag_policy && st > tag_stage)
                tag_stage = st;
        } else if (is_group_tag(t) && !r.seed) {
            char g[16];
            size_t gn = TR_MIN(t.n - 7, sizeof(g));
            for (size_t j = 0; j < gn; j++)
                g[j] = (char)(j == 0 ? 'G' : t.p[7 + j]);
            tr_str gs = { g, gn };
            r.seed = cm_actor_for(c, gs);
            if (!r.seed)
                TR_TRY(cm_intern_put(&c->strs, gs, &r.seed));
        } else if (has_prefix_nocase(t, "attack.")) {
            uint8_t st = tactic_stage((tr_str){ t.p + 7, t.n - 7 });
            if (st > tactic)
                tactic = st;
        }
    }
    if (!r.policy_stage) {
        if (tag_ignore) {
            r.stage = CM_STAGE_IGNORE;
            r.policy_stage = true;
        } else if (tag_policy && tag_stage) {
            r.stage = tag_stage;
            r.policy_stage = true;
        } else if (tag_stage) {
            r.stage = tag_stage;
        } else if (tactic) {
            r.stage = tactic;
        }
    }
    TR_TRY(cveset_for(c, cves, ncves, &r.cves));
    if (!TR_VEC_PUSH(&c->rules, r))
        return TR_ENOMEM;
    *out = key;
out:
    return err;
}

/* ---- indicators ---- */

static tr_err indicator_for(tr_campaigns *c, const tr_detection *d, uint32_t *out,
                            uint32_t *seed)
{
    const tr_det_indicator *ind = &d->indicator;
    tr_buf *k = &c->scratch;
    tr_buf_reset(k);
    tr_buf_append_str(k, ind->value);
    tr_buf_putc(k, '\x1f');
    tr_buf_append_str(k, ind->type);
    tr_buf_putc(k, '\x1f');
    tr_buf_append_str(k, ind->feed);
    tr_buf_putc(k, '\x1f');
    tr_buf_append_str(k, ind->actor);
    uint32_t key;
    tr_err err = cm_intern_put(&c->ind_keys, (tr_str){ k->p, k->n }, &key);
    if (err)
        return err;
    if (key >= c->indicators.n) {
        cm_indicator ci;
        TR_TRY(cm_intern_put(&c->strs, ind->value, &ci.value));
        TR_TRY(cm_intern_put(&c->strs, ind->type, &ci.type));
        TR_TRY(cm_intern_put(&c->strs, ind->feed, &ci.feed));
        ci.actor = 0;
        if (ind->actor.n) {
            ci.actor = cm_actor_for(c, ind->actor);
            if (!ci.actor)
                TR_TRY(cm_intern_put(&c->strs, ind->actor, &ci.actor));
        }
        if (!TR_VEC_PUSH(&c->indicators, ci))
            return TR_ENOMEM;
    }
    *out = key;
    *seed = c->indicators.v[key].actor;
out:
    return err;
}

static bool is_host_log(const tr_logsource *ls)
{
    static const tr_str products[] = { TR_STR("windows"), TR_STR("linux"), TR_STR("macos"),
                                       TR_STR("unix"), TR_STR("freebsd"), TR_STR("aix"),
                                       TR_STR("solaris"), TR_STR("esxi") };
    for (size_t i = 0; i < TR_ARRAY_LEN(products); i++)
        if (tr_str_eq(ls->product, products[i]))
            return true;
    for (uint8_t i = 0; i < ls->ncategory; i++) {
        tr_str cat = ls->category[i];
        if (has_prefix_nocase(cat, "process_") || has_prefix_nocase(cat, "file_") ||
            has_prefix_nocase(cat, "registry_") || has_prefix_nocase(cat, "image_load") ||
            has_prefix_nocase(cat, "driver_load") || has_prefix_nocase(cat, "ps_"))
            return true;
    }
    return false;
}

static const char *side_name(uint8_t side)
{
    return side == TR_SIDE_SRC ? "source" : side == TR_SIDE_DST ? "destination" : "none";
}

/* Where an indicator matched says how far the actor got: inbound source =
 * an attempt; outbound destination = egress to the actor (payload, C2); a
 * file hash or name on a host, or any value inside a host's own record
 * (a command line, a shell log) = something ran there. */
static uint8_t indicator_stage(tr_campaigns *c, const tr_detection *d)
{
    const tr_det_indicator *ind = &d->indicator;
    const char *side = side_name(ind->side);
    tr_buf *k = &c->scratch;
    const tr_str types[2] = { ind->type, TR_STR("*") };
    const char *sides[2] = { side, "*" };
    for (int t = 0; t < 2; t++)
        for (int s = 0; s < 2; s++) {
            tr_buf_reset(k);
            tr_buf_append_str(k, types[t]);
            tr_buf_putc(k, '\x1f');
            tr_buf_append(k, sides[s], strlen(sides[s]));
            uint64_t v;
            if (tr_map_get(c->ind_stage, (tr_str){ k->p, k->n }, &v))
                return (uint8_t)v;
        }
    if (ind->side == TR_SIDE_SRC)
        return TR_STAGE_TARGETED;
    if (ind->side == TR_SIDE_DST)
        return TR_STAGE_COMPROMISED;
    tr_str t = ind->type;
    if (tr_str_eq(t, TR_STR("md5")) || tr_str_eq(t, TR_STR("sha1")) ||
        tr_str_eq(t, TR_STR("sha256")) || tr_str_eq(t, TR_STR("sha512")) ||
        tr_str_eq(t, TR_STR("filename")))
        return TR_STAGE_COMPROMISED;
    return is_host_log(&d->logsource) ? TR_STAGE_COMPROMISED : TR_STAGE_TARGETED;
}

static bool logsource_has(const tr_logsource *ls, tr_str cat)
{
    for (uint8_t i = 0; i < ls->ncategory; i++)
        if (tr_str_eq(ls->category[i], cat))
            return true;
    return false;
}

tr_err tr_campaigns_add(tr_campaigns *c, const tr_detection *d)
{
    tr_err err = TR_OK;
    if (c->ran)
        return TR_EINVAL;
    c->summary.added++;
    if ((d->flags & TR_DET_INTERNAL) || d->tenant.n == 0) {
        c->summary.ignored++;
        return TR_OK;
    }
    bool fresh;
    TR_TRY(idset_add(c, d->id ? d->id : tr_detection_id(d), &fresh));
    if (!fresh) {
        c->summary.duplicates++;
        return TR_OK;
    }
    uint32_t ri;
    TR_TRY(rule_for(c, d, &ri));
    const cm_rule *r = &c->rules.v[ri];
    uint8_t stage = r->stage;
    uint32_t seed = r->seed, ind = 0;
    if (d->kind == TR_DET_IOC) {
        uint32_t iseed;
        TR_TRY(indicator_for(c, d, &ind, &iseed));
        if (!seed)
            seed = iseed;
        if (!r->policy_stage)
            stage = indicator_stage(c, d);
    }
    if (stage == CM_STAGE_IGNORE || stage == TR_STAGE_NONE) {
        c->summary.ignored++;
        return TR_OK;
    }
    if (stage == CM_STAGE_UNSET)
        stage = TR_STAGE_TARGETED;
    const tr_logsource *ls = &d->logsource;
    bool dns = tr_str_eq(ls->service, TR_STR("dns")) || logsource_has(ls, TR_STR("dns")) ||
               logsource_has(ls, TR_STR("dns_query"));
    cm_det x = {
        .ts = d->ts,
        .record = d->record,
        .line = d->line,
        .rule = ri,
        .ind = ind,
        .seed = seed,
        .cves = c->rules.v[ri].cves,
        .ent_off = (uint32_t)c->ents.n,
        .stage = stage,
    };
    if (tr_str_eq(ls->service, TR_STR("flow")) || tr_str_eq(ls->service, TR_STR("netflow")))
        x.flags |= CM_FLOW;
    if (is_host_log(ls))
        x.flags |= CM_HOSTLOG;
    TR_TRY(cm_intern_put(&c->strs, d->tenant, &x.tenant));
    TR_TRY(cm_intern_put(&c->strs, d->path, &x.path));
    if (d->kind == TR_DET_IOC)
        TR_TRY(cm_intern_put(&c->strs, d->indicator.field, &x.field));
    TR_TRY(cm_extract(c, d, stage, dns, &x.host, &x.nent));
    if (c->dets.n >= UINT32_MAX - 1)
        return TR_ELIMIT;
    if (!TR_VEC_PUSH(&c->dets, x))
        return TR_ENOMEM;
out:
    return err;
}

tr_err tr_campaigns_run(tr_campaigns *c)
{
    if (c->ran)
        return TR_EINVAL;
    c->ran = true;
    tr_err err = cm_link(c);
    if (err)
        return err;
    return cm_rollup(c);
}

size_t tr_campaigns_count(const tr_campaigns *c)
{
    return c->res.campaigns.n;
}

const tr_campaign *tr_campaigns_get(const tr_campaigns *c, size_t i)
{
    return i < c->res.campaigns.n ? &c->res.campaigns.v[i] : NULL;
}

const tr_cmp_summary *tr_campaigns_summary(const tr_campaigns *c)
{
    return &c->summary;
}

tr_err tr_campaigns_detection(const tr_campaigns *c, uint32_t idx, tr_cmp_det *out)
{
    if (idx >= c->dets.n)
        return TR_EINVAL;
    const cm_det *x = &c->dets.v[idx];
    const cm_rule *r = &c->rules.v[x->rule];
    const cm_indicator *ind = &c->indicators.v[x->ind];
    *out = (tr_cmp_det){
        .ts = x->ts,
        .tenant = cm_str(&c->strs, x->tenant),
        .kind = (tr_det_kind)r->kind,
        .rule_id = cm_str(&c->strs, r->rule_id),
        .rule_title = cm_str(&c->strs, r->title),
        .level = cm_str(&c->strs, r->level),
        .path = cm_str(&c->strs, x->path),
        .record = x->record,
        .line = x->line,
        .stage = (tr_stage)x->stage,
        .indicator = cm_str(&c->strs, ind->value),
        .indicator_type = cm_str(&c->strs, ind->type),
        .feed = cm_str(&c->strs, ind->feed),
        .actor_seed = cm_str(&c->strs, x->seed),
        .host = cm_str(&c->strs, x->host),
    };
    return TR_OK;
}
