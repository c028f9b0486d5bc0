/*
 * campaign_policy.c - reads the campaign policy file (YAML; the format is in
 * docs/CAMPAIGNS.md "Policy file") into a tr_campaign_policy: stage
 * overrides per rule id, tag and indicator type/side, actor names for group
 * ids and aliases, values that never link, windows and thresholds. A
 * file-format concern, so it lives with the readers and writers, not in the
 * engine; it only calls the policy's public setters.
 */
#include "core/common.h"

#include <yaml.h>

#include "trawl/campaign.h"

typedef struct pl {
    yaml_document_t *doc;
    tr_campaign_policy *p;
    const char *path;
    char *errbuf;
    size_t errlen;
} pl;

static tr_err fail(pl *x, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static tr_err fail(pl *x, const yaml_node_t *n, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(x->errbuf, x->errlen, "%s:%zu: %s", x->path, n ? n->start_mark.line + 1 : 1, msg);
    return TR_EPARSE;
}

static const char *scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static yaml_node_t *node(pl *x, int id)
{
    return yaml_document_get_node(x->doc, id);
}

static tr_err want_stage(pl *x, const yaml_node_t *n, tr_stage *st)
{
    const char *s = scalar(n);
    if (!s)
        return fail(x, n, "expected a stage (targeted, exploited, compromised or none)");
    if (strcmp(s, "none") == 0) {
        *st = TR_STAGE_NONE;
        return TR_OK;
    }
    *st = tr_stage_parse(tr_str_c(s));
    if (*st == TR_STAGE_NONE)
        return fail(x, n, "unknown stage '%s' (targeted, exploited, compromised or none)", s);
    return TR_OK;
}

/* "90s", "10m", "1h", "14d", "0" or plain seconds, to nanoseconds. */
static tr_err want_duration(pl *x, const yaml_node_t *n, int64_t *ns)
{
    const char *s = scalar(n);
    if (!s || !*s)
        return fail(x, n, "expected a duration (e.g. 10m, 1h, 14d)");
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || v < 0)
        return fail(x, n, "bad duration '%s'", s);
    double unit = 1;
    if (*end == 's')
        end++;
    else if (*end == 'm')
        unit = 60, end++;
    else if (*end == 'h')
        unit = 3600, end++;
    else if (*end == 'd')
        unit = 86400, end++;
    if (*end || v * unit > 3650.0 * 86400)
        return fail(x, n, "bad duration '%s' (a number with s, m, h or d; at most 10 years)", s);
    *ns = (int64_t)(v * unit * 1e9);
    return TR_OK;
}

static tr_err want_number(pl *x, const yaml_node_t *n, double lo, double hi, double *out)
{
    const char *s = scalar(n);
    char *end;
    if (!s)
        return fail(x, n, "expected a number");
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || v < lo || v > hi)
        return fail(x, n, "expected a number from %g to %g, got '%s'", lo, hi, s);
    *out = v;
    return TR_OK;
}

typedef tr_err (*pair_fn)(pl *x, const char *key, yaml_node_t *k, yaml_node_t *v);

static tr_err each_pair(pl *x, yaml_node_t *map, const char *what, pair_fn fn)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return fail(x, map, "%s: expected a mapping", what);
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = node(x, p->key), *v = node(x, p->value);
        const char *key = scalar(k);
        if (!key)
            return fail(x, k, "%s: keys must be scalars", what);
        tr_err err = fn(x, key, k, v);
        if (err)
            return err;
    }
    return TR_OK;
}

static tr_err on_actor(pl *x, const char *key, yaml_node_t *k, yaml_node_t *v)
{
    const char *actor = scalar(v);
    if (!actor || !*actor)
        return fail(x, v ? v : k, "actors: '%s' needs an actor name", key);
    return tr_campaign_policy_actor(x->p, key, actor) == TR_OK ? TR_OK
                                                               : fail(x, k, "bad actor entry");
}

static tr_err on_rule_stage(pl *x, const char *key, yaml_node_t *k, yaml_node_t *v)
{
    tr_stage st;
    tr_err err = want_stage(x, v, &st);
    if (!err && tr_campaign_policy_stage_rule(x->p, key, st) != TR_OK)
        err = fail(x, k, "bad rule entry");
    return err;
}

static tr_err on_tag_stage(pl *x, const char *key, yaml_node_t *k, yaml_node_t *v)
{
    tr_stage st;
    tr_err err = want_stage(x, v, &st);
    if (!err && tr_campaign_policy_stage_tag(x->p, key, st) != TR_OK)
        err = fail(x, k, "bad tag entry");
    return err;
}

static tr_err indicators(pl *x, yaml_node_t *seq)
{
    if (!seq || seq->type != YAML_SEQUENCE_NODE)
        return fail(x, seq, "stages.indicators: expected a list of {type, side, stage}");
    for (yaml_node_item_t *i = seq->data.sequence.items.start; i < seq->data.sequence.items.top;
         i++) {
        yaml_node_t *m = node(x, *i);
        if (!m || m->type != YAML_MAPPING_NODE)
            return fail(x, m, "stages.indicators: each entry is {type, side, stage}");
        const char *type = "*", *side = "*";
        tr_stage st = TR_STAGE_NONE;
        bool have_stage = false;
        for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top;
             p++) {
            yaml_node_t *k = node(x, p->key), *v = node(x, p->value);
            const char *key = scalar(k), *val = scalar(v);
            if (!key || !val)
                return fail(x, k, "stages.indicators: scalar keys and values only");
            if (strcmp(key, "type") == 0) {
                type = val;
            } else if (strcmp(key, "side") == 0) {
                side = val;
            } else if (strcmp(key, "stage") == 0) {
                tr_err err = want_stage(x, v, &st);
                if (err)
                    return err;
                have_stage = true;
            } else {
                return fail(x, k, "stages.indicators: unknown key '%s' (type, side, stage)", key);
            }
        }
        if (!have_stage)
            return fail(x, m, "stages.indicators: an entry without a stage");
        if (tr_campaign_policy_stage_indicator(x->p, type, side, st) != TR_OK)
            return fail(x, m, "stages.indicators: side must be source, destination, none or *");
    }
    return TR_OK;
}

static tr_err on_stages(pl *x, const char *key, yaml_node_t *k, yaml_node_t *v)
{
    if (strcmp(key, "rules") == 0)
        return each_pair(x, v, "stages.rules", on_rule_stage);
    if (strcmp(key, "tags") == 0)
        return each_pair(x, v, "stages.tags", on_tag_stage);
    if (strcmp(key, "indicators") == 0)
        return indicators(x, v);
    return fail(x, k, "stages: unknown key '%s' (rules, tags, indicators)", key);
}

static tr_err on_window(pl *x, const char *key, yaml_node_t *k, yaml_node_t *v)
{
    tr_campaign_params *pp = tr_campaign_policy_params(x->p);
    static const struct {
        const char *name;
        size_t off;
    } w[] = {
        { "link", offsetof(tr_campaign_params, link_window) },
        { "exec", offsetof(tr_campaign_params, exec_window) },
        { "host", offsetof(tr_campaign_params, host_window) },
        { "session", offsetof(tr_campaign_params, session_window) },
        { "cluster_gap", offsetof(tr_campaign_params, cluster_gap) },
        { "actor_gap", offsetof(tr_campaign_params, actor_gap) },
        { "phase_gap", offsetof(tr_campaign_params, phase_gap) },
    };
    for (size_t i = 0; i < TR_ARRAY_LEN(w); i++)
        if (strcmp(key, w[i].name) == 0)
            return want_duration(x, v, (int64_t *)((char *)pp + w[i].off));
    return fail(x, k, "windows: unknown key '%s' (link, exec, host, session, cluster_gap, "
                      "actor_gap, phase_gap)",
                key);
}

static tr_err on_threshold(pl *x, const char *key, yaml_node_t *k, yaml_node_t *v)
{
    tr_campaign_params *pp = tr_campaign_policy_params(x->p);
    double d;
    tr_err err;
    if (strcmp(key, "benign_share") == 0) {
        if (!(err = want_number(x, v, 0, 1, &d)))
            pp->benign_share = d;
    } else if (strcmp(key, "benign_min_tenants") == 0) {
        if (!(err = want_number(x, v, 1, 1e9, &d)))
            pp->benign_min_tenants = (uint32_t)d;
    } else if (strcmp(key, "cluster_min_tenants") == 0) {
        if (!(err = want_number(x, v, 1, 1e9, &d)))
            pp->cluster_min_tenants = (uint32_t)d;
    } else {
        err = fail(x, k, "thresholds: unknown key '%s' (benign_share, benign_min_tenants, "
                         "cluster_min_tenants)",
                   key);
    }
    return err;
}

static tr_err on_top(pl *x, const char *key, yaml_node_t *k, yaml_node_t *v)
{
    if (strcmp(key, "actors") == 0)
        return each_pair(x, v, "actors", on_actor);
    if (strcmp(key, "stages") == 0)
        return each_pair(x, v, "stages", on_stages);
    if (strcmp(key, "windows") == 0)
        return each_pair(x, v, "windows", on_window);
    if (strcmp(key, "thresholds") == 0)
        return each_pair(x, v, "thresholds", on_threshold);
    if (strcmp(key, "ignore") == 0) {
        if (!v || v->type != YAML_SEQUENCE_NODE)
            return fail(x, v ? v : k, "ignore: expected a list of values");
        for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top;
             i++) {
            const char *s = scalar(node(x, *i));
            if (!s || !*s || tr_campaign_policy_ignore(x->p, s) != TR_OK)
                return fail(x, node(x, *i), "ignore: expected a value");
        }
        return TR_OK;
    }
    return fail(x, k, "unknown key '%s' (actors, stages, ignore, windows, thresholds)", key);
}

tr_err tr_campaign_policy_load(tr_campaign_policy *p, const char *path, char *errbuf,
                               size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        snprintf(errbuf, errlen, "%s: %s", path, strerror(e));
        return e == ENOENT ? TR_ENOENT : TR_EIO;
    }
    yaml_parser_t parser;
    yaml_document_t doc;
    tr_err err = TR_OK;
    if (!yaml_parser_initialize(&parser)) {
        fclose(f);
        snprintf(errbuf, errlen, "%s: out of memory", path);
        return TR_ENOMEM;
    }
    yaml_parser_set_input_file(&parser, f);
    if (!yaml_parser_load(&parser, &doc)) {
        snprintf(errbuf, errlen, "%s:%zu: %s", path, parser.problem_mark.line + 1,
                 parser.problem ? parser.problem : "invalid YAML");
        yaml_parser_delete(&parser);
        fclose(f);
        return TR_EPARSE;
    }
    pl x = { &doc, p, path, errbuf, errlen };
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (root && !(root->type == YAML_SCALAR_NODE && !*scalar(root)))
        err = each_pair(&x, root, "policy", on_top);
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    fclose(f);
    return err;
}
