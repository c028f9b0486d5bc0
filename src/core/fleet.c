/*
 * fleet.c - the fleet inventory (see trawl/fleet.h).
 */
#include "core/common.h"

#include <ctype.h>

#include "core/csv.h"
#include "core/hash.h"
#include "core/vec.h"
#include "trawl/arena.h"
#include "trawl/fleet.h"
#include "trawl/log.h"

struct tr_fleet {
    TR_VEC(tr_tenant) tenants;
    tr_map *by_id;     /* id -> index */
    tr_arena *strings; /* all tenant strings */
};

static const char *const stix_sectors[] = {
    "agriculture", "aerospace", "automotive", "chemical", "commercial", "communications",
    "construction", "defense", "education", "energy", "entertainment", "financial-services",
    "government", "government-emergency-services", "government-local",
    "government-national", "government-public-services", "government-regional",
    "healthcare", "hospitality-leisure", "infrastructure", "infrastructure-dams",
    "infrastructure-nuclear", "infrastructure-water", "insurance", "manufacturing", "mining",
    "non-profit", "pharmaceuticals", "retail", "technology", "telecommunications",
    "transportation", "utilities",
};

bool tr_stix_sector_known(tr_str sector)
{
    for (size_t i = 0; i < TR_ARRAY_LEN(stix_sectors); i++)
        if (tr_str_eq(sector, tr_str_c(stix_sectors[i])))
            return true;
    return false;
}

tr_fleet *tr_fleet_new(void)
{
    tr_fleet *f = tr_calloc(1, sizeof(*f));
    if (!f)
        return NULL;
    f->by_id = tr_map_new(64, 0);
    f->strings = tr_arena_new(0, 0);
    if (!f->by_id || !f->strings) {
        tr_fleet_free(f);
        return NULL;
    }
    return f;
}

void tr_fleet_free(tr_fleet *f)
{
    if (!f)
        return;
    TR_VEC_FREE(&f->tenants);
    tr_map_free(f->by_id);
    tr_arena_free(f->strings);
    tr_free(f);
}

static tr_err add_slices(tr_fleet *f, tr_str id, tr_str name, tr_str country, tr_str sector)
{
    tr_tenant t;
    t.id = tr_arena_strdup(f->strings, id.p, id.n);
    t.name = tr_arena_strdup(f->strings, name.p, name.n);
    t.country = tr_arena_strdup(f->strings, country.p, country.n);
    t.sector = tr_arena_strdup(f->strings, sector.p, sector.n);
    if (!t.id.p || !t.name.p || !t.country.p || !t.sector.p)
        return TR_ENOMEM;
    for (size_t i = 0; i < t.country.n; i++)
        ((char *)t.country.p)[i] = (char)toupper((unsigned char)t.country.p[i]);
    bool inserted;
    tr_err err = tr_map_put_new(f->by_id, t.id, f->tenants.n, NULL, &inserted);
    if (err)
        return err;
    if (!inserted)
        return TR_EEXIST;
    return TR_VEC_PUSH(&f->tenants, t) ? TR_OK : TR_ENOMEM;
}

tr_err tr_fleet_add(tr_fleet *f, const char *id, const char *name, const char *country,
                    const char *sector)
{
    return add_slices(f, tr_str_c(id), tr_str_c(name ? name : ""), tr_str_c(country ? country : ""),
                      tr_str_c(sector ? sector : ""));
}

static int column(tr_str *hdr, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (tr_str_eq(tr_str_trim(hdr[i]), tr_str_c(name)))
            return (int)i;
    return -1;
}

tr_err tr_fleet_load(const char *path, tr_fleet **out, size_t *bad_rows, char *errbuf,
                     size_t errlen)
{
    *out = NULL;
    if (bad_rows)
        *bad_rows = 0;
    FILE *fp = fopen(path, "r");
    if (!fp) {
        snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
        return errno == ENOENT ? TR_ENOENT : TR_EIO;
    }
    tr_fleet *f = tr_fleet_new();
    tr_arena *scratch = tr_arena_new(0, 0);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    uint64_t lineno = 0;
    int col[4] = { -1, -1, -1, -1 };
    bool have_header = false;
    tr_err err = TR_OK;
    if (!f || !scratch) {
        err = TR_ENOMEM;
        goto out;
    }
    while ((len = getline(&line, &cap, fp)) >= 0) {
        lineno++;
        tr_str l = tr_str_trim((tr_str){ line, (size_t)len });
        while (l.n && (l.p[l.n - 1] == '\n' || l.p[l.n - 1] == '\r'))
            l.n--;
        if (l.n == 0 || l.p[0] == '#')
            continue;
        tr_str fields[32];
        size_t nf;
        tr_arena_reset(scratch);
        tr_err e = tr_csv_split(l.p, l.n, fields, 32, &nf, scratch);
        if (e) {
            tr_log_at(TR_LOG_ERROR, path, lineno, "malformed CSV row: %s", tr_strerror(e));
            if (bad_rows)
                (*bad_rows)++;
            continue;
        }
        if (!have_header) {
            const char *names[4] = { "tenant", "name", "country", "sector" };
            for (int i = 0; i < 4; i++)
                col[i] = column(fields, nf, names[i]);
            if (col[0] < 0) {
                snprintf(errbuf, errlen, "%s:%" PRIu64 ": header must name a 'tenant' column "
                         "(tenant,name,country,sector)", path, lineno);
                err = TR_EPARSE;
                goto out;
            }
            have_header = true;
            continue;
        }
        tr_str v[4];
        for (int i = 0; i < 4; i++)
            v[i] = col[i] >= 0 && (size_t)col[i] < nf ? tr_str_trim(fields[col[i]]) : (tr_str){ "", 0 };
        const char *why = NULL;
        if (v[0].n == 0)
            why = "empty tenant id";
        else if (memchr(v[0].p, '/', v[0].n))
            why = "tenant id contains '/'";
        else if (v[2].n && (v[2].n != 2 || !isalpha((unsigned char)v[2].p[0]) ||
                            !isalpha((unsigned char)v[2].p[1])))
            why = "country is not an ISO 3166-1 alpha-2 code";
        if (why) {
            tr_log_at(TR_LOG_ERROR, path, lineno, "%s; row skipped", why);
            if (bad_rows)
                (*bad_rows)++;
            continue;
        }
        if (v[3].n && !tr_stix_sector_known(v[3]))
            tr_log_at(TR_LOG_INFO, path, lineno,
                      "sector '%.*s' is not in the STIX 2.1 industry-sector vocabulary",
                      TR_STR_FMT(v[3]));
        e = add_slices(f, v[0], v[1], v[2], v[3]);
        if (e == TR_EEXIST) {
            tr_log_at(TR_LOG_ERROR, path, lineno, "duplicate tenant '%.*s'; row skipped",
                      TR_STR_FMT(v[0]));
            if (bad_rows)
                (*bad_rows)++;
        } else if (e) {
            err = e;
            goto out;
        }
    }
    if (!have_header) {
        snprintf(errbuf, errlen, "%s: empty fleet file (expected header tenant,name,country,sector)",
                 path);
        err = TR_EPARSE;
    }
out:
    free(line);
    fclose(fp);
    tr_arena_free(scratch);
    if (err) {
        tr_fleet_free(f);
        return err;
    }
    *out = f;
    return TR_OK;
}

size_t tr_fleet_count(const tr_fleet *f)
{
    return f->tenants.n;
}

const tr_tenant *tr_fleet_at(const tr_fleet *f, size_t i)
{
    return i < f->tenants.n ? &f->tenants.v[i] : NULL;
}

const tr_tenant *tr_fleet_find(const tr_fleet *f, tr_str id)
{
    uint64_t i;
    if (!f || !tr_map_get(f->by_id, id, &i))
        return NULL;
    return &f->tenants.v[i];
}

const tr_tenant *tr_fleet_for_path(const tr_fleet *f, const char *path)
{
    if (!f)
        return NULL;
    const char *end = strrchr(path, '/');
    if (!end)
        return NULL; /* a bare file name has no directory component */
    while (end > path) {
        const char *start = end;
        while (start > path && start[-1] != '/')
            start--;
        const tr_tenant *t = tr_fleet_find(f, (tr_str){ start, (size_t)(end - start) });
        if (t)
            return t;
        end = start > path ? start - 1 : path;
    }
    return NULL;
}
