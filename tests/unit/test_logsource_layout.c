/*
 * test_logsource_layout.c - the route stage's per-layout plan caches
 * (src/logsource/layout.c, network.c, field_types.c) change nothing: every
 * sample file, read in an interleaved order so that more layouts than the
 * cache holds alternate, is routed and typed with the caches on and off,
 * and the two events must be identical field for field.
 */
#include "tt.h"

#include "logsource/field_types.h"
#include "logsource/layout.h"
#include "trawl/arena.h"
#include "trawl/logsource.h"
#include "trawl/reader.h"

#define NFIELDS 512

typedef struct side {
    tr_reader *rd;
    tr_event ev;
    tr_field fields[NFIELDS];
    tr_arena *arena;
    bool done;
} side;

static bool same_str(tr_str a, tr_str b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

/* Field-for-field equality of two routed events; names the first difference. */
static bool same_event(const tr_event *a, const tr_event *b, char *why, size_t n)
{
    if (a->nfields != b->nfields || a->truncated != b->truncated) {
        snprintf(why, n, "%u fields (%u dropped) vs %u (%u)", a->nfields, a->truncated,
                 b->nfields, b->truncated);
        return false;
    }
    const tr_logsource *la = &a->logsource, *lb = &b->logsource;
    bool ls = same_str(la->product, lb->product) && same_str(la->service, lb->service) &&
              la->ncategory == lb->ncategory;
    for (unsigned i = 0; ls && i < la->ncategory; i++)
        ls = same_str(la->category[i], lb->category[i]);
    if (!ls) {
        snprintf(why, n, "logsource differs");
        return false;
    }
    for (uint32_t i = 0; i < a->nfields; i++) {
        const tr_field *x = &a->fields[i], *y = &b->fields[i];
        if (!same_str(x->name, y->name) || !same_str(x->alias, y->alias) ||
            !same_str(x->value, y->value) || x->kind != y->kind || x->flags != y->flags ||
            x->vtype != y->vtype || x->side != y->side) {
            snprintf(why, n, "field %u (%.*s): vtype %d/%d side %d/%d flags %d/%d", i,
                     (int)x->name.n, x->name.p, x->vtype, y->vtype, x->side, y->side, x->flags,
                     y->flags);
            return false;
        }
    }
    return true;
}

/* Cached: the hunt's one-call route + type; plain: the two stages apart
 * with every cache off. */
static void route(const tr_router *r, tr_event *ev, bool cached)
{
    ls_layout_cache_enable(cached);
    if (cached) {
        tr_router_route_typed(r, ev);
    } else {
        tr_router_route(r, ev);
        tr_field_types_apply(ev);
    }
    ls_layout_cache_enable(true);
}

static const char *const files[] = {
    "samples/conn.log",
    "samples/eve.json",
    "samples/httpaccess.log",
    "samples/u_ex210302.log",
    "samples/sysmon.evtx.jsonl",
    "samples/audit.log",
    "samples/syslog.log",
    "samples/security-4688.winlogbeat.jsonl",
    "text/access.log",
    "text/conn.log",
    "text/dns.log",
    "text/ftp.log",
    "text/http.log",
    "text/iis.log",
    "text/nswl.log",
    "json/conn.log",
    "json/eve.json",
    "json/http.09:00:00-10:00:00.log",
    "json/security-4688.evtx.jsonl",
    "json/security-4688.nxlog.jsonl",
    "json/sysmon.evtx.jsonl",
    "json/shapes.evtx.jsonl",
    "evtx/parity/events.evtx.jsonl",
};
#define NFILES TR_ARRAY_LEN(files)

/* Reads every file twice side by side, two events of a file at a time,
 * routing one copy with the caches and one without. */
static void one_pass(const tr_router *r, uint64_t *events)
{
    static side cached[NFILES], plain[NFILES];
    char err[256], why[256];
    for (size_t i = 0; i < NFILES; i++) {
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", tt_datadir(), files[i]);
        side *s[2] = { &cached[i], &plain[i] };
        for (int k = 0; k < 2; k++) {
            s[k]->arena = tr_arena_new(0, 0);
            tr_event_init(&s[k]->ev, s[k]->fields, NFIELDS, s[k]->arena);
            s[k]->rd = NULL;
            CHECK_MSG(tr_reader_open(path, NULL, &s[k]->rd, err, sizeof(err)) == TR_OK, "%s",
                      err);
            s[k]->done = s[k]->rd == NULL;
        }
    }
    for (bool more = true; more;) {
        more = false;
        for (size_t i = 0; i < NFILES; i++) {
            side *a = &cached[i], *b = &plain[i];
            for (int k = 0; k < 2 && !a->done; k++) {
                tr_err ea, eb;
                do
                    ea = tr_reader_next(a->rd, &a->ev);
                while (ea == TR_EPARSE || ea == TR_ELIMIT);
                do
                    eb = tr_reader_next(b->rd, &b->ev);
                while (eb == TR_EPARSE || eb == TR_ELIMIT);
                CHECK_EQ(ea, eb);
                if (ea != TR_OK || eb != TR_OK) {
                    a->done = b->done = true;
                    break;
                }
                route(r, &a->ev, true);
                route(r, &b->ev, false);
                (*events)++;
                CHECK_MSG(same_event(&a->ev, &b->ev, why, sizeof(why)),
                          "%s record %" PRIu64 ": %s", files[i], a->ev.record, why);
            }
            more |= !a->done;
        }
    }
    for (size_t i = 0; i < NFILES; i++) {
        tr_reader_free(cached[i].rd);
        tr_reader_free(plain[i].rd);
        tr_arena_free(cached[i].arena);
        tr_arena_free(plain[i].arena);
    }
}

TEST(logsource_layout_cache_changes_nothing)
{
    tr_router *r;
    char err[256];
    CHECK(tr_router_new(NULL, &r, err, sizeof(err)) == TR_OK);
    uint64_t events = 0;
    for (int pass = 0; pass < 3; pass++) /* later passes start with a warm cache */
        one_pass(r, &events);
    CHECK_MSG(events > 250, "%" PRIu64 " events", events);
    tr_router_free(r);
}

/* Zeek http events whose URIs have or lack a query and an extension, with
 * room for every derived name or not: the plan is per layout, the URI parts
 * per event, and a full event drops and counts as without a plan. */
TEST(logsource_layout_cache_uri_parts_and_full_events)
{
    static const char *const uris[] = { "/a/b.php?x=1", "/plain", "/x.tar.gz", "/q?only",
                                        "/dir.d/file" };
    tr_router *r;
    char err[256];
    CHECK(tr_router_new(NULL, &r, err, sizeof(err)) == TR_OK);
    tr_field fa[64], fb[64];
    tr_event a, b;
    char why[256];
    for (int round = 0; round < 40; round++) {
        uint32_t cap = round % 4 == 3 ? 12 : 64; /* 12: some derived names dropped */
        tr_event *evs[2] = { &a, &b };
        tr_field *fs[2] = { fa, fb };
        for (int k = 0; k < 2; k++) {
            tr_event *ev = evs[k];
            tr_event_init(ev, fs[k], cap, NULL);
            ev->format = TR_FMT_ZEEK;
            ev->logsource.product = TR_STR("zeek");
            ev->logsource.service = TR_STR("http");
            tr_event_add(ev, TR_STR("ts"), TR_STR("1579508042.1"), TR_VNUM);
            tr_event_add(ev, TR_STR("id.orig_h"), TR_STR("10.0.0.5"), TR_VSTR);
            tr_event_add(ev, TR_STR("id.orig_p"), TR_STR("49152"), TR_VNUM);
            tr_event_add(ev, TR_STR("id.resp_h"), TR_STR("66.42.98.220"), TR_VSTR);
            tr_event_add(ev, TR_STR("id.resp_p"), TR_STR("80"), TR_VNUM);
            tr_event_add(ev, TR_STR("method"), TR_STR("GET"), TR_VSTR);
            tr_event_add(ev, TR_STR("host"), TR_STR("evil.example"), TR_VSTR);
            tr_event_add(ev, TR_STR("uri"), tr_str_c(uris[round % TR_ARRAY_LEN(uris)]), TR_VSTR);
            if (round & 1) /* a second layout */
                tr_event_add(ev, TR_STR("user_agent"), TR_STR("curl/7.67.0"), TR_VSTR);
            route(r, ev, k == 0);
        }
        CHECK_MSG(same_event(&a, &b, why, sizeof(why)), "round %d: %s", round, why);
        if (cap == 12)
            CHECK(a.truncated > 0);
    }
    tr_router_free(r);
}
