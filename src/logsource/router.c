/*
 * router.c - tr_router: the route stage between parse and match (see
 * trawl/logsource.h for the contract).
 *
 * Order of work on one event, each step seeing the previous one's result:
 *   1. the declared logsource, when the parser gave none;
 *   2. the built-in derivation (windows.c, network.c);
 *   3. the mapping file's logsources entries; when one of them changed the
 *      product or service, the built-in derivation runs again, so that
 *      "these JSON events are windows/security" also yields their
 *      categories;
 *   4. the built-in taxonomy names, then the mapping file's fieldmappings
 *      (user names come last: they never hide a built-in name, they add the
 *      ones the tables do not know).
 */
#include "core/common.h"

#include "core/hash.h"
#include "logsource/field_types.h"
#include "logsource/layout.h"
#include "logsource/mapping.h"
#include "logsource/route.h"
#include "trawl/logsource.h"

struct tr_router {
    ls_mapping *map;             /* user mapping, or NULL */
    tr_logsource declared;       /* --logsource */
    bool has_declared;
    char declared_buf[3][64];    /* storage of the declared names */
};

tr_err tr_router_new(const char *mapping_path, tr_router **out, char *err, size_t errlen)
{
    *out = NULL;
    if (errlen)
        err[0] = '\0';
    tr_router *r = tr_calloc(1, sizeof(*r));
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return TR_ENOMEM;
    }
    if (mapping_path) {
        tr_err e = ls_mapping_load(mapping_path, &r->map, err, errlen);
        if (e) {
            tr_free(r);
            return e;
        }
    }
    *out = r;
    return TR_OK;
}

void tr_router_free(tr_router *r)
{
    if (!r)
        return;
    ls_mapping_free(r->map);
    tr_free(r);
}

/* Logsource names are short lowercase identifiers; refuse what cannot be one. */
static bool valid_name(tr_str s)
{
    if (s.n >= 64)
        return false;
    for (size_t i = 0; i < s.n; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if (c <= 0x20 || c == 0x7f || c == '/')
            return false;
    }
    return true;
}

tr_err tr_router_declare(tr_router *r, tr_str product, tr_str category, tr_str service)
{
    if ((!product.n && !category.n && !service.n) || !valid_name(product) ||
        !valid_name(category) || !valid_name(service))
        return TR_EINVAL;
    tr_str parts[3] = { product, category, service };
    tr_str kept[3];
    for (int i = 0; i < 3; i++) {
        if (parts[i].n)
            memcpy(r->declared_buf[i], parts[i].p, parts[i].n);
        r->declared_buf[i][parts[i].n] = '\0';
        kept[i] = (tr_str){ r->declared_buf[i], parts[i].n };
    }
    memset(&r->declared, 0, sizeof(r->declared));
    r->declared.product = kept[0];
    if (kept[1].n)
        tr_logsource_add_category(&r->declared, kept[1]);
    r->declared.service = kept[2];
    r->has_declared = true;
    return TR_OK;
}

tr_err tr_router_declare_spec(tr_router *r, const char *spec, char *err, size_t errlen)
{
    tr_str parts[3] = { { NULL, 0 }, { NULL, 0 }, { NULL, 0 } };
    const char *p = spec ? spec : "";
    for (int i = 0; i < 3; i++) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        parts[i] = (tr_str){ p, n };
        if (!slash)
            break;
        if (i == 2) {
            snprintf(err, errlen, "logsource '%s': at most PRODUCT/CATEGORY/SERVICE", spec);
            return TR_EINVAL;
        }
        p = slash + 1;
    }
    tr_err e = tr_router_declare(r, parts[0], parts[1], parts[2]);
    if (e == TR_EINVAL)
        snprintf(err, errlen,
                 "logsource '%s': expected PRODUCT[/CATEGORY[/SERVICE]] with at least one part "
                 "(names of printable characters, shorter than 64 bytes)",
                 spec ? spec : "");
    return e;
}

static void builtin_logsource(tr_event *ev)
{
    if (!ls_windows_logsource(ev))
        ls_network_logsource(ev);
}

static ls_type_slot *route(const tr_router *r, tr_event *ev)
{
    tr_logsource *ls = &ev->logsource;
    if (r->has_declared && !ls->product.n && !ls->service.n && !ls->ncategory)
        *ls = r->declared;
    builtin_logsource(ev);
    if (r->map && ls_mapping_logsources(r->map, ev))
        builtin_logsource(ev);
    ls_windows_names(ev);
    ls_type_slot *ts = ls_network_names(ev);
    if (r->map) {
        ls_mapping_fields(r->map, ev);
        ts = NULL; /* the mapping may have added fields the plan does not know */
    }
    return ts;
}

void tr_router_route(const tr_router *r, tr_event *ev)
{
    (void)route(r, ev);
}

void tr_router_route_typed(const tr_router *r, tr_event *ev)
{
    ls_types_apply_slot(ev, route(r, ev));
}

void tr_router_route_cb(void *router, tr_event *ev)
{
    tr_router_route(router, ev);
}

