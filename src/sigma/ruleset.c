/*
 * ruleset.c - tr_ruleset_load() and the metadata accessors: files and
 * directories to documents, filter directories per tenant, placeholder
 * values, then the cross-document work (filters attached to the rules
 * they name, correlation references resolved and checked) and the
 * compiled plan.
 */
#include "core/common.h"

#include <dirent.h>
#include <sys/stat.h>

#include "sigma/loader.h"
#include "sigma/plan.h"
#include "sigma/regex.h"
#include "trawl/log.h"

#define SG_MAX_FILE (16u << 20)
#define SG_MAX_WALK_DEPTH 32

typedef TR_VEC(char *) strvec;

tr_err sg_field_intern(tr_ruleset *rs, tr_str name, uint32_t *id)
{
    uint64_t v;
    if (tr_map_get(rs->field_exact, name, &v)) {
        *id = (uint32_t)v;
        return TR_OK;
    }
    sg_fieldname f = { tr_arena_strdup(rs->arena, name.p ? name.p : "", name.n), SG_NONE };
    if (!f.name.p)
        return TR_ENOMEM;
    uint32_t nid = (uint32_t)rs->fields.n;
    uint64_t head;
    bool inserted;
    tr_err err = tr_map_put_new(rs->field_fold, name, nid, &head, &inserted);
    if (err)
        return err;
    if (!inserted) {
        /* Append to the end of the fold chain. */
        uint32_t k = (uint32_t)head;
        while (rs->fields.v[k].fold_next != SG_NONE)
            k = rs->fields.v[k].fold_next;
        rs->fields.v[k].fold_next = nid;
    }
    if (!TR_VEC_PUSH(&rs->fields, f))
        return TR_ENOMEM;
    uint32_t bit = sg_name_bit(name);
    rs->name_filter[bit >> 6] |= 1ULL << (bit & 63);
    if ((err = tr_map_put(rs->field_exact, name, nid)))
        return err;
    *id = nid;
    return TR_OK;
}

static tr_ruleset *rs_new(const tr_sigma_opts *o)
{
    tr_ruleset *rs = tr_calloc(1, sizeof(*rs));
    if (!rs)
        return NULL;
    rs->arena = tr_arena_new(256 * 1024, 0);
    rs->field_exact = tr_map_new(256, 0);
    rs->field_fold = tr_map_new(256, TR_MAP_NOCASE);
    rs->rule_keys = tr_map_new(1024, 0);
    rs->correl_keys = tr_map_new(16, 0);
    rs->re = sg_regexes_new();
    if (!rs->arena || !rs->field_exact || !rs->field_fold || !rs->rule_keys || !rs->correl_keys ||
        !rs->re) {
        tr_ruleset_free(rs);
        return NULL;
    }
    if (o) {
        rs->no_logsource_filter = o->no_logsource_filter;
        rs->no_prefilter = o->no_prefilter;
        rs->re_match_limit = o->regex_match_limit;
        rs->re_depth_limit = o->regex_depth_limit;
    }
    return rs;
}

void tr_ruleset_free(tr_ruleset *rs)
{
    if (!rs)
        return;
    sg_plan_free(rs->plan);
    sg_regexes_free(rs->re);
    TR_VEC_FREE(&rs->rules);
    TR_VEC_FREE(&rs->filters);
    TR_VEC_FREE(&rs->correls);
    TR_VEC_FREE(&rs->nodes);
    TR_VEC_FREE(&rs->kids);
    TR_VEC_FREE(&rs->preds);
    TR_VEC_FREE(&rs->values);
    TR_VEC_FREE(&rs->fields);
    tr_map_free(rs->field_exact);
    tr_map_free(rs->field_fold);
    tr_map_free(rs->rule_keys);
    tr_map_free(rs->correl_keys);
    tr_arena_free(rs->arena);
    tr_free(rs);
}

/* ---- Files ---------------------------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool yaml_name(const char *n)
{
    size_t l = strlen(n);
    return (l > 4 && strcmp(n + l - 4, ".yml") == 0) || (l > 5 && strcmp(n + l - 5, ".yaml") == 0);
}

static char *join(const char *dir, const char *name)
{
    size_t dl = strlen(dir), nl = strlen(name);
    char *p = tr_malloc(dl + nl + 2);
    if (!p)
        return NULL;
    memcpy(p, dir, dl);
    size_t o = dl;
    if (dl && dir[dl - 1] != '/')
        p[o++] = '/';
    memcpy(p + o, name, nl + 1);
    return p;
}

/* YAML files under dir, sorted, recursively (subdirectories only when
 * recurse; with subdirs non-NULL they are collected there instead). */
static tr_err walk(const char *dir, int depth, bool recurse, strvec *files, strvec *subdirs)
{
    if (depth > SG_MAX_WALK_DEPTH)
        return TR_OK;
    DIR *d = opendir(dir);
    if (!d)
        return TR_EIO;
    strvec names = { 0 };
    tr_err err = TR_OK;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char *n = tr_strndup(de->d_name, strlen(de->d_name));
        if (!n || !TR_VEC_PUSH(&names, n)) {
            tr_free(n);
            err = TR_ENOMEM;
            break;
        }
    }
    closedir(d);
    if (names.n)
        qsort(names.v, names.n, sizeof(char *), cmp_str);
    for (size_t i = 0; i < names.n && !err; i++) {
        char *p = join(dir, names.v[i]);
        struct stat st;
        if (!p) {
            err = TR_ENOMEM;
            break;
        }
        if (stat(p, &st) != 0) {
            tr_free(p);
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            if (subdirs) {
                if (!TR_VEC_PUSH(subdirs, p)) {
                    tr_free(p);
                    err = TR_ENOMEM;
                }
                continue;
            }
            if (recurse)
                err = walk(p, depth + 1, true, files, NULL);
            if (err == TR_EIO)
                err = TR_OK; /* unreadable subdirectory: skipped like hidden ones */
            tr_free(p);
            continue;
        }
        if (S_ISREG(st.st_mode) && yaml_name(names.v[i])) {
            if (!TR_VEC_PUSH(files, p)) {
                tr_free(p);
                err = TR_ENOMEM;
            }
            continue;
        }
        tr_free(p);
    }
    for (size_t i = 0; i < names.n; i++)
        tr_free(names.v[i]);
    TR_VEC_FREE(&names);
    return err;
}

static void free_strvec(strvec *v)
{
    for (size_t i = 0; i < v->n; i++)
        tr_free(v->v[i]);
    TR_VEC_FREE(v);
}

static tr_err load_file(sg_loader *L, const char *path)
{
    const char *kept = tr_arena_strdup(L->rs->arena, path, strlen(path)).p;
    if (!kept)
        return TR_ENOMEM;
    FILE *f = fopen(path, "rb");
    if (!f) {
        L->rs->stats.files_rejected++;
        sg_diag(L, TR_SIGMA_ERROR, kept, 0, "file", (tr_str){ "", 0 }, "cannot open: %s",
                strerror(errno));
        return TR_OK;
    }
    tr_err err = TR_OK;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            if (cap >= SG_MAX_FILE) {
                L->rs->stats.files_rejected++;
                sg_diag(L, TR_SIGMA_ERROR, kept, 0, "file", (tr_str){ "", 0 },
                        "larger than %u bytes", SG_MAX_FILE);
                goto out;
            }
            size_t nc = cap ? cap * 2 : 65536;
            char *nb = tr_realloc(buf, nc + 1);
            if (!nb) {
                err = TR_ENOMEM;
                goto out;
            }
            buf = nb;
            cap = nc;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        L->rs->stats.files_rejected++;
        sg_diag(L, TR_SIGMA_ERROR, kept, 0, "file", (tr_str){ "", 0 }, "read error: %s",
                strerror(errno));
        goto out;
    }
    err = sg_load_text(L, kept, buf ? buf : "", n);
out:
    tr_free(buf);
    fclose(f);
    return err;
}

static tr_err load_path(sg_loader *L, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        const char *kept = tr_arena_strdup(L->rs->arena, path, strlen(path)).p;
        L->rs->stats.files_rejected++;
        sg_diag(L, TR_SIGMA_ERROR, kept ? kept : path, 0, "file", (tr_str){ "", 0 }, "%s",
                strerror(errno));
        return kept ? TR_OK : TR_ENOMEM;
    }
    if (!S_ISDIR(st.st_mode))
        return load_file(L, path);
    strvec files = { 0 };
    tr_err err = walk(path, 0, true, &files, NULL);
    if (err == TR_EIO) {
        L->rs->stats.files_rejected++;
        sg_diag(L, TR_SIGMA_ERROR, path, 0, "file", (tr_str){ "", 0 }, "cannot read directory");
        err = TR_OK;
    }
    for (size_t i = 0; i < files.n && !err; i++)
        err = load_file(L, files.v[i]);
    free_strvec(&files);
    return err;
}

/* DIR/NAME.yml for every tenant, DIR/TENANT/ (recursively) for one tenant. */
static tr_err load_filter_dir(sg_loader *L, const char *dir, char *msg, size_t msglen)
{
    strvec files = { 0 }, subdirs = { 0 };
    tr_err err = walk(dir, 0, false, &files, &subdirs);
    if (err == TR_EIO) {
        snprintf(msg, msglen, "%s: cannot open filter directory: %s", dir, strerror(errno));
        err = TR_EINVAL;
    }
    L->filters_only = true;
    L->tenant = (tr_str){ "", 0 };
    for (size_t i = 0; i < files.n && !err; i++)
        err = load_file(L, files.v[i]);
    for (size_t i = 0; i < subdirs.n && !err; i++) {
        const char *base = strrchr(subdirs.v[i], '/');
        base = base ? base + 1 : subdirs.v[i];
        L->tenant = tr_arena_strdup(L->rs->arena, base, strlen(base));
        if (!L->tenant.p) {
            err = TR_ENOMEM;
            break;
        }
        strvec tf = { 0 };
        err = walk(subdirs.v[i], 0, true, &tf, NULL);
        if (err == TR_EIO)
            err = TR_OK;
        for (size_t j = 0; j < tf.n && !err; j++)
            err = load_file(L, tf.v[j]);
        free_strvec(&tf);
    }
    L->filters_only = false;
    L->tenant = (tr_str){ "", 0 };
    free_strvec(&files);
    free_strvec(&subdirs);
    return err;
}

static tr_err loader_init(sg_loader *L, tr_ruleset *rs, const tr_sigma_opts *o)
{
    memset(L, 0, sizeof(*L));
    L->rs = rs;
    L->opts = o;
    L->yaml_arena = tr_arena_new(1u << 20, 0);
    if (!L->yaml_arena)
        return TR_ENOMEM;
    if (!o)
        return TR_OK;
    for (size_t i = 0; i < o->nplaceholders; i++) {
        tr_err err = sg_placeholders_add_spec(&L->ph, o->placeholders[i]);
        if (err == TR_EINVAL)
            tr_error("--placeholder '%s': expected NAME=VALUE[,VALUE…]", o->placeholders[i]);
        if (err)
            return err;
    }
    if (o->placeholder_dir) {
        char msg[600];
        tr_err err = sg_placeholders_load_dir(&L->ph, o->placeholder_dir, msg, sizeof(msg));
        if (err) {
            tr_error("%s", msg);
            return err;
        }
    }
    return TR_OK;
}

static void loader_release(sg_loader *L)
{
    sg_placeholders_release(&L->ph);
    tr_arena_free(L->yaml_arena);
    TR_VEC_FREE(&L->correl_raw);
}

static tr_err finish(sg_loader *L, const tr_sigma_opts *o, tr_ruleset **out)
{
    tr_ruleset *rs = L->rs;
    tr_err err = TR_OK;
    if (o)
        for (size_t i = 0; i < o->nfilter_dirs && !err; i++) {
            char msg[600];
            err = load_filter_dir(L, o->filter_dirs[i], msg, sizeof(msg));
            if (err == TR_EINVAL)
                tr_error("%s", msg);
        }
    if (!err)
        err = sg_load_finish(L);
    if (!err)
        err = sg_plan_build(rs, &rs->plan);
    if (!err) {
        rs->stats.fields = (uint32_t)rs->fields.n;
        rs->stats.regexes = sg_regexes_count(rs->re);
    }
    loader_release(L);
    if (err) {
        tr_ruleset_free(rs);
        return err;
    }
    *out = rs;
    return TR_OK;
}

tr_err tr_ruleset_load(const char *const *paths, size_t npaths, const tr_sigma_opts *opts,
                       tr_ruleset **out)
{
    *out = NULL;
    tr_ruleset *rs = rs_new(opts);
    if (!rs)
        return TR_ENOMEM;
    sg_loader L;
    tr_err err = loader_init(&L, rs, opts);
    for (size_t i = 0; i < npaths && !err; i++)
        err = load_path(&L, paths[i]);
    if (err) {
        loader_release(&L);
        tr_ruleset_free(rs);
        return err;
    }
    return finish(&L, opts, out);
}

tr_err tr_ruleset_load_string(const char *yaml, size_t n, const char *name,
                              const tr_sigma_opts *opts, tr_ruleset **out)
{
    *out = NULL;
    tr_ruleset *rs = rs_new(opts);
    if (!rs)
        return TR_ENOMEM;
    sg_loader L;
    tr_err err = loader_init(&L, rs, opts);
    const char *nm = name ? name : "<string>";
    const char *kept = err ? NULL : tr_arena_strdup(rs->arena, nm, strlen(nm)).p;
    if (!err && !kept)
        err = TR_ENOMEM;
    if (!err)
        err = sg_load_text(&L, kept, yaml, n);
    if (err) {
        loader_release(&L);
        tr_ruleset_free(rs);
        return err;
    }
    return finish(&L, opts, out);
}

/* ---- Cross-document resolution -------------------------------------------------------------- */

static tr_err index_rules(sg_loader *L)
{
    tr_ruleset *rs = L->rs;
    for (size_t i = 0; i < rs->rules.n; i++) {
        const tr_rule_info *ri = &rs->rules.v[i].info;
        tr_str keys[2] = { ri->id, ri->name };
        for (int k = 0; k < 2; k++) {
            if (!keys[k].n)
                continue;
            uint64_t prev;
            bool inserted;
            tr_err err = tr_map_put_new(rs->rule_keys, keys[k], i, &prev, &inserted);
            if (err)
                return err;
            if (!inserted && prev != i)
                sg_diag(L, TR_SIGMA_WARNING, ri->path, ri->line, "rule", ri->title,
                        "%s '%.*s' is also used by %s:%" PRIu64 "; references go to the first",
                        k ? "name" : "id", TR_STR_FMT(keys[k]), rs->rules.v[prev].info.path,
                        rs->rules.v[prev].info.line);
        }
    }
    return TR_OK;
}

static bool ref_match(const sg_filter *f, const tr_rule_info *ri)
{
    for (uint32_t i = 0; i < f->nrefs; i++)
        if ((ri->id.n && tr_str_eq(f->refs[i], ri->id)) ||
            (ri->name.n && tr_str_eq(f->refs[i], ri->name)))
            return true;
    return false;
}

static tr_err attach_filters(sg_loader *L)
{
    tr_ruleset *rs = L->rs;
    for (size_t fi = 0; fi < rs->filters.n; fi++) {
        const sg_filter *f = &rs->filters.v[fi];
        for (uint32_t k = 0; k < f->nrefs; k++) {
            uint64_t ri;
            if (!tr_map_get(rs->rule_keys, f->refs[k], &ri))
                sg_diag(L, TR_SIGMA_WARNING, f->path, f->line, "filter", f->title,
                        "filter refers to rule '%.*s', which is not loaded",
                        TR_STR_FMT(f->refs[k]));
        }
    }
    for (size_t i = 0; i < rs->rules.n; i++) {
        sg_rule *r = &rs->rules.v[i];
        uint32_t n = 0;
        for (size_t fi = 0; fi < rs->filters.n; fi++)
            n += ref_match(&rs->filters.v[fi], &r->info);
        if (!n)
            continue;
        r->filters = tr_arena_alloc(rs->arena, n * sizeof(uint32_t));
        if (!r->filters)
            return TR_ENOMEM;
        for (size_t fi = 0; fi < rs->filters.n; fi++)
            if (ref_match(&rs->filters.v[fi], &r->info))
                r->filters[r->nfilters++] = (uint32_t)fi;
        r->info.nfilters = r->nfilters;
    }
    return TR_OK;
}

typedef struct cstate {
    bool valid;
    uint8_t mark; /* DFS: 0 new, 1 on stack, 2 done */
    tr_correl_ref *refs;
    uint32_t nrefs;
} cstate;

static bool dfs_cycle(cstate *cs, uint32_t i)
{
    if (cs[i].mark == 1)
        return true;
    if (cs[i].mark == 2)
        return false;
    cs[i].mark = 1;
    bool cyc = false;
    for (uint32_t k = 0; k < cs[i].nrefs && !cyc; k++)
        if (cs[i].refs[k].is_correlation)
            cyc = dfs_cycle(cs, cs[i].refs[k].index);
    cs[i].mark = 2;
    return cyc;
}

static void correl_reject(sg_loader *L, cstate *cs, uint32_t i, const char *fmt, tr_str arg)
{
    const tr_correl_info *ci = &L->rs->correls.v[i];
    cs[i].valid = false;
    L->rs->stats.correlations_rejected++;
    sg_diag(L, TR_SIGMA_ERROR, ci->path, ci->line, "correlation", ci->title, fmt,
            TR_STR_FMT(arg));
}

static tr_err resolve_correlations(sg_loader *L)
{
    tr_ruleset *rs = L->rs;
    uint32_t nc = (uint32_t)rs->correls.n;
    if (nc == 0)
        return TR_OK;
    cstate *cs = tr_calloc(nc, sizeof(*cs));
    if (!cs)
        return TR_ENOMEM;
    tr_err err = TR_OK;
    tr_map *ckeys = tr_map_new(nc * 2, 0);
    if (!ckeys) {
        tr_free(cs);
        return TR_ENOMEM;
    }
    for (uint32_t i = 0; i < nc && !err; i++) {
        const tr_correl_info *ci = &rs->correls.v[i];
        cs[i].valid = true;
        uint64_t prev;
        bool ins;
        if (ci->id.n)
            err = tr_map_put_new(ckeys, ci->id, i, &prev, &ins);
        if (!err && ci->name.n)
            err = tr_map_put_new(ckeys, ci->name, i, &prev, &ins);
    }
    /* References: detection rules first, then correlations. */
    for (uint32_t i = 0; i < nc && !err; i++) {
        const sg_ynode *rn = L->correl_raw.v[i].rules;
        uint32_t n = rn->kind == SG_Y_SEQ ? rn->n : 1;
        cs[i].refs = tr_arena_alloc(rs->arena, n * sizeof(tr_correl_ref));
        if (!cs[i].refs) {
            err = TR_ENOMEM;
            break;
        }
        for (uint32_t k = 0; k < n; k++) {
            const sg_ynode *it = rn->kind == SG_Y_SEQ ? rn->items[k] : rn;
            tr_correl_ref r = { tr_arena_strdup(rs->arena, it->s.p, it->s.n), false, 0 };
            if (!r.ref.p) {
                err = TR_ENOMEM;
                break;
            }
            uint64_t idx;
            if (tr_map_get(rs->rule_keys, r.ref, &idx)) {
                r.index = (uint32_t)idx;
            } else if (tr_map_get(ckeys, r.ref, &idx)) {
                r.is_correlation = true;
                r.index = (uint32_t)idx;
                if (idx == i) {
                    correl_reject(L, cs, i, "correlation refers to itself ('%.*s')", r.ref);
                    break;
                }
            } else {
                correl_reject(L, cs, i, "refers to unknown rule '%.*s' (no loaded rule or "
                              "correlation has this id or name)", r.ref);
                break;
            }
            cs[i].refs[cs[i].nrefs++] = r;
        }
    }
    /* Cycles are rejected, then rejections propagate along references. */
    for (uint32_t i = 0; i < nc && !err; i++) {
        for (uint32_t j = 0; j < nc; j++)
            cs[j].mark = 0;
        if (cs[i].valid && dfs_cycle(cs, i))
            correl_reject(L, cs, i, "the chain of correlations from '%.*s' has a cycle",
                          rs->correls.v[i].title);
    }
    for (bool changed = true; changed && !err;) {
        changed = false;
        for (uint32_t i = 0; i < nc; i++) {
            if (!cs[i].valid)
                continue;
            for (uint32_t k = 0; k < cs[i].nrefs; k++)
                if (cs[i].refs[k].is_correlation && !cs[cs[i].refs[k].index].valid) {
                    correl_reject(L, cs, i, "refers to correlation '%.*s', which was rejected",
                                  cs[i].refs[k].ref);
                    changed = true;
                    break;
                }
        }
    }
    /* Aliases: alias -> {rule name -> field}; the rule must be referenced. */
    for (uint32_t i = 0; i < nc && !err; i++) {
        const sg_ynode *al = L->correl_raw.v[i].aliases;
        if (!cs[i].valid || !al)
            continue;
        uint32_t total = 0;
        for (uint32_t a = 0; a < al->n; a++)
            total += sg_ymap_val(al, a)->n;
        tr_correl_alias *out = tr_arena_alloc(rs->arena, (total ? total : 1) * sizeof(*out));
        if (!out) {
            err = TR_ENOMEM;
            break;
        }
        uint32_t n = 0;
        for (uint32_t a = 0; a < al->n && cs[i].valid; a++) {
            const sg_ynode *m = sg_ymap_val(al, a);
            for (uint32_t j = 0; j < m->n && cs[i].valid; j++) {
                tr_str rname = sg_ymap_key(m, j)->s;
                uint32_t which = SG_NONE;
                for (uint32_t k = 0; k < cs[i].nrefs && which == SG_NONE; k++) {
                    const tr_correl_ref *r = &cs[i].refs[k];
                    tr_str nm = r->is_correlation ? rs->correls.v[r->index].name
                                                  : rs->rules.v[r->index].info.name;
                    if (tr_str_eq(r->ref, rname) || (nm.n && tr_str_eq(nm, rname)))
                        which = k;
                }
                if (which == SG_NONE) {
                    correl_reject(L, cs, i, "alias names rule '%.*s', which the correlation does "
                                  "not refer to", rname);
                    break;
                }
                out[n].alias = tr_arena_strdup(rs->arena, sg_ymap_key(al, a)->s.p,
                                               sg_ymap_key(al, a)->s.n);
                out[n].rule = tr_arena_strdup(rs->arena, rname.p, rname.n);
                out[n].ref = which;
                out[n].field = tr_arena_strdup(rs->arena, sg_ymap_val(m, j)->s.p,
                                               sg_ymap_val(m, j)->s.n);
                if (!out[n].alias.p || !out[n].rule.p || !out[n].field.p) {
                    err = TR_ENOMEM;
                    break;
                }
                n++;
            }
        }
        rs->correls.v[i].aliases = out;
        rs->correls.v[i].naliases = n;
    }
    /* Compact: keep the valid ones, renumber correlation references. */
    uint32_t *newidx = err ? NULL : tr_malloc(nc * sizeof(uint32_t));
    if (!err && !newidx)
        err = TR_ENOMEM;
    if (!err) {
        uint32_t w = 0;
        for (uint32_t i = 0; i < nc; i++)
            newidx[i] = cs[i].valid ? w++ : SG_NONE;
        for (uint32_t i = 0; i < nc; i++) {
            if (!cs[i].valid)
                continue;
            for (uint32_t k = 0; k < cs[i].nrefs; k++)
                if (cs[i].refs[k].is_correlation)
                    cs[i].refs[k].index = newidx[cs[i].refs[k].index];
            tr_correl_info ci = rs->correls.v[i];
            ci.refs = cs[i].refs;
            ci.nrefs = cs[i].nrefs;
            ci.index = newidx[i];
            rs->correls.v[newidx[i]] = ci;
        }
        rs->correls.n = w;
        rs->stats.correlations = w;
        for (uint32_t i = 0; i < w && !err; i++) {
            const tr_correl_info *ci = &rs->correls.v[i];
            uint64_t prev;
            bool ins;
            if (ci->id.n)
                err = tr_map_put_new(rs->correl_keys, ci->id, i, &prev, &ins);
            if (!err && ci->name.n)
                err = tr_map_put_new(rs->correl_keys, ci->name, i, &prev, &ins);
        }
        /* generate: false (the default) keeps referenced rules out of the
         * detections; any referencing correlation with generate: true
         * brings them back. */
        for (int pass = 0; pass < 2; pass++)
            for (uint32_t i = 0; i < w; i++) {
                const tr_correl_info *ci = &rs->correls.v[i];
                if (ci->generate != (pass == 1))
                    continue;
                for (uint32_t k = 0; k < ci->nrefs; k++)
                    if (!ci->refs[k].is_correlation)
                        rs->rules.v[ci->refs[k].index].info.standalone = pass == 1;
            }
    }
    tr_free(newidx);
    tr_map_free(ckeys);
    tr_free(cs);
    return err;
}

tr_err sg_load_finish(sg_loader *L)
{
    tr_err err = index_rules(L);
    if (!err)
        err = attach_filters(L);
    if (!err)
        err = resolve_correlations(L);
    return err;
}

/* ---- Accessors ------------------------------------------------------------------------------ */

const tr_ruleset_stats *tr_ruleset_get_stats(const tr_ruleset *rs)
{
    return &rs->stats;
}

uint32_t tr_ruleset_count(const tr_ruleset *rs)
{
    return (uint32_t)rs->rules.n;
}

const tr_rule_info *tr_ruleset_rule(const tr_ruleset *rs, uint32_t i)
{
    return i < rs->rules.n ? &rs->rules.v[i].info : NULL;
}

const tr_rule_info *tr_ruleset_find(const tr_ruleset *rs, tr_str key)
{
    uint64_t i;
    return tr_map_get(rs->rule_keys, key, &i) ? &rs->rules.v[i].info : NULL;
}

uint32_t tr_ruleset_correlation_count(const tr_ruleset *rs)
{
    return (uint32_t)rs->correls.n;
}

const tr_correl_info *tr_ruleset_correlation(const tr_ruleset *rs, uint32_t i)
{
    return i < rs->correls.n ? &rs->correls.v[i] : NULL;
}
