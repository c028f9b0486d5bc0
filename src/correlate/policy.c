/*
 * policy.c - what the analyst can change about stages and attribution: the
 * policy object (stage overrides per rule, tag and indicator, actor names,
 * values that never link, windows and thresholds) and the built-in table of
 * ATT&CK groups that turns `attack.gNNNN` tags and feed aliases into actors.
 */
#include "core/common.h"

#include "correlate/cmp.h"

#define NS_PER_S INT64_C(1000000000)
#define NS_PER_MIN (60 * NS_PER_S)
#define NS_PER_DAY (86400 * NS_PER_S)

/* A small table of well-known ATT&CK groups (ids and the aliases ATT&CK and
 * the MISP galaxy list for them); the policy file extends it. */
const cm_group cm_groups[] = {
    { "G0096", "APT41", "Wicked Panda|Brass Typhoon|BARIUM|Double Dragon|TA415" },
    { "G0016", "APT29", "Cozy Bear|NOBELIUM|Midnight Blizzard|The Dukes|YTTRIUM" },
    { "G0007", "APT28", "Fancy Bear|Sofacy|STRONTIUM|Forest Blizzard|Sednit" },
    { "G0032", "Lazarus Group", "HIDDEN COBRA|ZINC|Diamond Sleet|Labyrinth Chollima" },
    { "G0034", "Sandworm Team", "Voodoo Bear|ELECTRUM|Seashell Blizzard|IRIDIUM" },
    { "G0045", "menuPass", "APT10|Stone Panda|POTASSIUM|Cicada" },
    { "G0006", "APT1", "Comment Crew|Comment Panda" },
    { "G0050", "APT32", "OceanLotus|SeaLotus|APT-C-00" },
    { "G0022", "APT3", "Gothic Panda|UPS Team|Buckeye" },
    { "G0010", "Turla", "Snake|Venomous Bear|Secret Blizzard|KRYPTON" },
    { "G0059", "Magic Hound", "APT35|Charming Kitten|PHOSPHORUS|Mint Sandstorm" },
    { "G0125", "HAFNIUM", "Silk Typhoon" },
    { "G0102", "Wizard Spider", "UNC1878|TEMP.MixMaster|Grim Spider" },
    { "G0046", "FIN7", "Carbon Spider|ELBRUS|Sangria Tempest" },
    { "G0064", "APT33", "Elfin|HOLMIUM|Peach Sandstorm" },
    { "G0049", "OilRig", "APT34|Helix Kitten|EUROPIUM|Hazel Sandstorm" },
    { "G0035", "Dragonfly", "Energetic Bear|Berserk Bear|Ghost Blizzard" },
    { "G0094", "Kimsuky", "Velvet Chollima|THALLIUM|Emerald Sleet" },
    { "G0027", "Threat Group-3390", "APT27|Emissary Panda|LuckyMouse|Iron Tiger" },
    { "G1017", "Volt Typhoon", "BRONZE SILHOUETTE|Vanguard Panda" },
};
const size_t cm_ngroups = TR_ARRAY_LEN(cm_groups);

const char *tr_stage_name(tr_stage s)
{
    switch (s) {
    case TR_STAGE_NONE: return "none";
    case TR_STAGE_TARGETED: return "targeted";
    case TR_STAGE_EXPLOITED: return "exploited";
    case TR_STAGE_COMPROMISED: return "compromised";
    }
    return "none";
}

tr_stage tr_stage_parse(tr_str s)
{
    if (tr_str_eq(s, TR_STR("targeted")))
        return TR_STAGE_TARGETED;
    if (tr_str_eq(s, TR_STR("exploited")))
        return TR_STAGE_EXPLOITED;
    if (tr_str_eq(s, TR_STR("compromised")))
        return TR_STAGE_COMPROMISED;
    return TR_STAGE_NONE;
}

const char *tr_cmp_why_name(tr_cmp_why w)
{
    switch (w) {
    case TR_WHY_SEED_RULE: return "rule";
    case TR_WHY_SEED_INDICATOR: return "indicator";
    case TR_WHY_SAME_RECORD: return "same-record";
    case TR_WHY_SHARED_VALUE: return "shared-value";
    case TR_WHY_EXEC_AFTER: return "execution-after-exploit";
    case TR_WHY_SAME_HOST: return "same-host";
    case TR_WHY_ORIGIN: return "origin";
    }
    return "?";
}

tr_campaign_policy *tr_campaign_policy_new(void)
{
    tr_campaign_policy *p = tr_calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    p->params = (tr_campaign_params){
        .link_window = 14 * NS_PER_DAY,
        .exec_window = 10 * NS_PER_MIN,
        .host_window = 60 * NS_PER_MIN,
        .session_window = 10 * NS_PER_MIN,
        .cluster_gap = 14 * NS_PER_DAY,
        .actor_gap = 0,
        .phase_gap = 2 * NS_PER_DAY,
        .benign_share = 0.5,
        .benign_min_tenants = 5,
        .cluster_min_tenants = 2,
    };
    return p;
}

static void free_stages(void *vec)
{
    TR_VEC(cm_rule_stage) *v = vec;
    for (size_t i = 0; i < v->n; i++)
        tr_free(v->v[i].key);
    TR_VEC_FREE(v);
}

void tr_campaign_policy_free(tr_campaign_policy *p)
{
    if (!p)
        return;
    free_stages(&p->rules);
    free_stages(&p->tags);
    free_stages(&p->indicators);
    for (size_t i = 0; i < p->actors.n; i++) {
        tr_free(p->actors.v[i].group);
        tr_free(p->actors.v[i].actor);
    }
    TR_VEC_FREE(&p->actors);
    for (size_t i = 0; i < p->ignore.n; i++)
        tr_free(p->ignore.v[i]);
    TR_VEC_FREE(&p->ignore);
    tr_free(p);
}

tr_campaign_params *tr_campaign_policy_params(tr_campaign_policy *p)
{
    return &p->params;
}

static char *dup_lower(const char *s, bool lower)
{
    size_t n = strlen(s);
    char *d = tr_malloc(n + 1);
    if (!d)
        return NULL;
    for (size_t i = 0; i < n; i++)
        d[i] = lower ? (char)tr_ascii_lower((unsigned char)s[i]) : s[i];
    d[n] = '\0';
    return d;
}

static tr_err push_stage(void *vec, char *key, tr_stage st)
{
    TR_VEC(cm_rule_stage) *v = vec;
    if (!key)
        return TR_ENOMEM;
    cm_rule_stage rs = { key, st == TR_STAGE_NONE ? CM_STAGE_IGNORE : (uint8_t)st };
    if (!TR_VEC_PUSH(v, rs)) {
        tr_free(key);
        return TR_ENOMEM;
    }
    return TR_OK;
}

tr_err tr_campaign_policy_stage_rule(tr_campaign_policy *p, const char *rule_id, tr_stage st)
{
    if (!p || !rule_id || !*rule_id || st > TR_STAGE_COMPROMISED)
        return TR_EINVAL;
    return push_stage(&p->rules, dup_lower(rule_id, false), st);
}

tr_err tr_campaign_policy_stage_tag(tr_campaign_policy *p, const char *tag, tr_stage st)
{
    if (!p || !tag || !*tag || st > TR_STAGE_COMPROMISED)
        return TR_EINVAL;
    return push_stage(&p->tags, dup_lower(tag, true), st);
}

tr_err tr_campaign_policy_stage_indicator(tr_campaign_policy *p, const char *type,
                                          const char *side, tr_stage st)
{
    if (!p || !type || !side || st > TR_STAGE_COMPROMISED)
        return TR_EINVAL;
    if (strcmp(side, "*") && strcmp(side, "source") && strcmp(side, "destination") &&
        strcmp(side, "none"))
        return TR_EINVAL;
    size_t n = strlen(type) + strlen(side) + 2;
    char *key = tr_malloc(n);
    if (!key)
        return TR_ENOMEM;
    snprintf(key, n, "%s\x1f%s", type, side);
    for (char *q = key; *q; q++)
        *q = (char)tr_ascii_lower((unsigned char)*q);
    return push_stage(&p->indicators, key, st);
}

tr_err tr_campaign_policy_actor(tr_campaign_policy *p, const char *group, const char *actor)
{
    if (!p || !group || !*group || !actor || !*actor)
        return TR_EINVAL;
    cm_actor_name a = { dup_lower(group, true), dup_lower(actor, false) };
    if (!a.group || !a.actor || !TR_VEC_PUSH(&p->actors, a)) {
        tr_free(a.group);
        tr_free(a.actor);
        return TR_ENOMEM;
    }
    return TR_OK;
}

tr_err tr_campaign_policy_ignore(tr_campaign_policy *p, const char *value)
{
    if (!p || !value || !*value)
        return TR_EINVAL;
    char *v = dup_lower(value, true);
    if (!v || !TR_VEC_PUSH(&p->ignore, v)) {
        tr_free(v);
        return TR_ENOMEM;
    }
    return TR_OK;
}

static tr_err map_stages(tr_map **m, unsigned flags, const cm_rule_stage *v, size_t n)
{
    *m = tr_map_new(n + 8, flags);
    if (!*m)
        return TR_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        tr_err err = tr_map_put(*m, tr_str_c(v[i].key), v[i].stage);
        if (err)
            return err;
    }
    return TR_OK;
}

static tr_err put_actor(tr_campaigns *c, const char *key, size_t n, uint32_t actor)
{
    while (n && (key[0] == ' '))
        key++, n--;
    return n ? tr_map_put(c->actor_of, (tr_str){ key, n }, actor) : TR_OK;
}

/* Fills the engine's lookup maps from the built-in table and then the
 * policy (later entries win). */
tr_err cm_policy_apply(tr_campaigns *c, const tr_campaign_policy *p)
{
    tr_err err = TR_OK;
    TR_TRY(map_stages(&c->rule_stage, 0, p ? p->rules.v : NULL, p ? p->rules.n : 0));
    TR_TRY(map_stages(&c->tag_stage, TR_MAP_NOCASE, p ? p->tags.v : NULL, p ? p->tags.n : 0));
    TR_TRY(map_stages(&c->ind_stage, TR_MAP_NOCASE, p ? p->indicators.v : NULL,
                      p ? p->indicators.n : 0));
    c->actor_of = tr_map_new(256, TR_MAP_NOCASE);
    c->ignore = tr_map_new(p ? p->ignore.n + 8 : 8, TR_MAP_NOCASE);
    if (!c->actor_of || !c->ignore)
        return TR_ENOMEM;
    for (size_t i = 0; i < cm_ngroups; i++) {
        const cm_group *g = &cm_groups[i];
        uint32_t actor;
        TR_TRY(cm_intern_put(&c->strs, tr_str_c(g->actor), &actor));
        TR_TRY(put_actor(c, g->id, strlen(g->id), actor));
        TR_TRY(put_actor(c, g->actor, strlen(g->actor), actor));
        for (const char *s = g->aliases; *s;) {
            const char *e = strchr(s, '|');
            size_t n = e ? (size_t)(e - s) : strlen(s);
            TR_TRY(put_actor(c, s, n, actor));
            s += n + (e ? 1 : 0);
        }
    }
    for (size_t i = 0; p && i < p->actors.n; i++) {
        uint32_t actor;
        TR_TRY(cm_intern_put(&c->strs, tr_str_c(p->actors.v[i].actor), &actor));
        TR_TRY(put_actor(c, p->actors.v[i].group, strlen(p->actors.v[i].group), actor));
        TR_TRY(put_actor(c, p->actors.v[i].actor, strlen(p->actors.v[i].actor), actor));
    }
    for (size_t i = 0; p && i < p->ignore.n; i++)
        TR_TRY(tr_map_put(c->ignore, tr_str_c(p->ignore.v[i]), 1));
out:
    return err;
}

/* The actor a group id, alias or actor name stands for; an unknown name
 * stands for itself (feeds may name actors trawl does not know). */
uint32_t cm_actor_for(const tr_campaigns *c, tr_str name)
{
    uint64_t v;
    if (tr_map_get(c->actor_of, name, &v))
        return (uint32_t)v;
    return 0;
}
