/*
 * test_match_mpm.c - the Vectorscan literal matcher: fan-out of duplicate
 * literals, caseless and anchored literals, empty sets and literals, slices,
 * scratch sharing, and no allocation per scan.
 */
#include "tt.h"

#include "match/idset.h"
#include "match/mpm.h"

static tr_mpm *compile(tr_mpm_builder *b)
{
    char err[256];
    tr_mpm *db = NULL;
    tr_err e = tr_mpm_compile(b, &db, err, sizeof(err), NULL);
    if (e)
        fprintf(stderr, "compile: %s\n", err);
    return db;
}

/* Scans s and returns the sorted hit ids as "1,2,3". */
static const char *hits_of(const tr_mpm *db, tr_mpm_scratch *sc, tr_idset *hits, const char *s)
{
    static char out[256];
    tr_idset_reset(hits);
    if (tr_mpm_scan(db, sc, tr_str_c(s), hits) != TR_OK)
        return "error";
    tr_idset_sort(hits);
    size_t o = 0;
    out[0] = '\0';
    for (uint32_t i = 0; i < hits->n; i++)
        o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%u", i ? "," : "", hits->ids[i]);
    return out;
}

TEST(match_mpm_duplicate_literals_fan_out)
{
    tr_mpm_builder *b;
    CHECK(tr_mpm_builder_new(&b) == TR_OK);
    CHECK(tr_mpm_builder_add(b, TR_STR("evil"), 0, 1) == TR_OK);
    CHECK(tr_mpm_builder_add(b, TR_STR("evil"), 0, 2) == TR_OK);
    CHECK(tr_mpm_builder_add(b, TR_STR("evil"), 0, 2) == TR_OK); /* repeated pair */
    CHECK(tr_mpm_builder_add(b, TR_STR("EVIL"), TR_MPM_CASELESS, 3) == TR_OK);
    CHECK(tr_mpm_builder_add(b, TR_STR("eViL"), TR_MPM_CASELESS, 4) == TR_OK);
    CHECK(tr_mpm_builder_add(b, TR_STR("other"), 0, 2) == TR_OK); /* shared id */
    CHECK_EQ(tr_mpm_builder_count(b), 6);
    tr_mpm *db = compile(b);
    tr_mpm_builder_free(b);
    CHECK(db);
    CHECK_EQ(tr_mpm_literal_count(db), 3); /* evil, caseless evil, other */
    CHECK_EQ(tr_mpm_id_bound(db), 5);
    tr_mpm_scratch *sc;
    CHECK(tr_mpm_scratch_new(&sc) == TR_OK);
    CHECK(tr_mpm_scratch_reserve(sc, db) == TR_OK);
    tr_idset hits;
    CHECK(tr_idset_init(&hits, tr_mpm_id_bound(db)) == TR_OK);
    CHECK_STR(hits_of(db, sc, &hits, "xx evil xx"), "1,2,3,4");
    CHECK_STR(hits_of(db, sc, &hits, "xx EVIL xx"), "3,4");
    CHECK_STR(hits_of(db, sc, &hits, "evil evil other evil"), "1,2,3,4");
    CHECK_STR(hits_of(db, sc, &hits, "other"), "2");
    CHECK_STR(hits_of(db, sc, &hits, "nothing here"), "");
    CHECK_STR(hits_of(db, sc, &hits, ""), "");
    tr_idset_release(&hits);
    tr_mpm_scratch_free(sc);
    tr_mpm_free(db);
}

TEST(match_mpm_anchored_literals)
{
    tr_mpm_builder *b;
    CHECK(tr_mpm_builder_new(&b) == TR_OK);
    CHECK(!tr_mpm_builder_add(b, TR_STR("c:\\windows\\"), TR_MPM_CASELESS | TR_MPM_PREFIX, 1));
    CHECK(!tr_mpm_builder_add(b, TR_STR("\\cmd.exe"), TR_MPM_CASELESS | TR_MPM_SUFFIX, 2));
    CHECK(!tr_mpm_builder_add(b, TR_STR("whoami"), TR_MPM_PREFIX | TR_MPM_SUFFIX, 3));
    CHECK(!tr_mpm_builder_add(b, TR_STR("aa"), TR_MPM_SUFFIX, 4));
    CHECK(!tr_mpm_builder_add(b, TR_STR("aa"), TR_MPM_PREFIX, 5));
    CHECK(!tr_mpm_builder_add(b, TR_STR("aa"), 0, 6));
    tr_mpm *db = compile(b);
    tr_mpm_builder_free(b);
    CHECK(db);
    CHECK_EQ(tr_mpm_literal_count(db), 6);
    tr_mpm_scratch *sc;
    CHECK(!tr_mpm_scratch_new(&sc) && !tr_mpm_scratch_reserve(sc, db));
    tr_idset hits;
    CHECK(!tr_idset_init(&hits, tr_mpm_id_bound(db)));
    CHECK_STR(hits_of(db, sc, &hits, "C:\\Windows\\System32\\CMD.EXE"), "1,2");
    CHECK_STR(hits_of(db, sc, &hits, "D:\\c:\\windows\\cmd.exe.bak"), "");
    CHECK_STR(hits_of(db, sc, &hits, "whoami"), "3");
    CHECK_STR(hits_of(db, sc, &hits, "whoami /all"), "");
    CHECK_STR(hits_of(db, sc, &hits, "WHOAMI"), "");
    CHECK_STR(hits_of(db, sc, &hits, "xaaaax"), "6");
    CHECK_STR(hits_of(db, sc, &hits, "aaaa"), "4,5,6");
    CHECK_STR(hits_of(db, sc, &hits, "baaa"), "4,6");
    CHECK_STR(hits_of(db, sc, &hits, "aab"), "5,6");
    tr_idset_release(&hits);
    tr_mpm_scratch_free(sc);
    tr_mpm_free(db);
}

TEST(match_mpm_empty_set_and_empty_literal)
{
    tr_mpm_builder *b;
    CHECK(tr_mpm_builder_new(&b) == TR_OK);
    tr_mpm *db = compile(b);
    CHECK(db);
    CHECK_EQ(tr_mpm_id_bound(db), 0);
    CHECK_EQ(tr_mpm_literal_count(db), 0);
    tr_mpm_scratch *sc;
    CHECK(!tr_mpm_scratch_new(&sc));
    CHECK(tr_mpm_scratch_reserve(sc, db) == TR_OK);
    tr_idset hits;
    CHECK(!tr_idset_init(&hits, 0));
    CHECK(tr_mpm_scan(db, sc, TR_STR("anything"), &hits) == TR_OK);
    CHECK_EQ(hits.n, 0);
    tr_idset_release(&hits);
    tr_mpm_free(db);

    /* contains '' holds everywhere; equals '' only on the empty value */
    CHECK(!tr_mpm_builder_add(b, TR_STR(""), 0, 1));
    CHECK(!tr_mpm_builder_add(b, TR_STR(""), TR_MPM_PREFIX | TR_MPM_SUFFIX, 2));
    CHECK(!tr_mpm_builder_add(b, TR_STR("x"), 0, 3));
    db = compile(b);
    tr_mpm_builder_free(b);
    CHECK(db);
    CHECK_EQ(tr_mpm_literal_count(db), 3);
    CHECK(!tr_mpm_scratch_reserve(sc, db));
    CHECK(!tr_idset_init(&hits, tr_mpm_id_bound(db)));
    CHECK_STR(hits_of(db, sc, &hits, "abc"), "1");
    CHECK_STR(hits_of(db, sc, &hits, "x"), "1,3");
    CHECK_STR(hits_of(db, sc, &hits, ""), "1,2");
    tr_idset_release(&hits);
    tr_mpm_scratch_free(sc);
    tr_mpm_free(db);
}

TEST(match_mpm_slices_report_once_and_never_span)
{
    tr_mpm_builder *b;
    CHECK(!tr_mpm_builder_new(&b));
    CHECK(!tr_mpm_builder_add(b, TR_STR("bc"), 0, 0));
    CHECK(!tr_mpm_builder_add(b, TR_STR("powershell"), TR_MPM_CASELESS, 1));
    CHECK(!tr_mpm_builder_add(b, TR_STR("-enc"), TR_MPM_CASELESS, 2));
    tr_mpm *db = compile(b);
    tr_mpm_builder_free(b);
    CHECK(db);
    tr_mpm_scratch *sc;
    CHECK(!tr_mpm_scratch_new(&sc) && !tr_mpm_scratch_reserve(sc, db));
    tr_idset hits;
    CHECK(!tr_idset_init(&hits, tr_mpm_id_bound(db)));
    tr_str fields[] = { TR_STR("ab"), TR_STR("cd"), TR_STR("PowerShell.exe"),
                        TR_STR("powershell -enc AAAA"), TR_STR("x -ENC") };
    CHECK(tr_mpm_scan_slices(db, sc, fields, 5, &hits) == TR_OK);
    tr_idset_sort(&hits);
    CHECK_EQ(hits.n, 2); /* "bc" spans fields 0-1: no hit */
    CHECK_EQ(hits.ids[0], 1);
    CHECK_EQ(hits.ids[1], 2);
    tr_idset_release(&hits);
    tr_mpm_scratch_free(sc);
    tr_mpm_free(db);
}

typedef struct cb_state {
    int calls;
    int stop_after;
    uint32_t last;
} cb_state;

static int count_cb(uint32_t id, void *ctx)
{
    cb_state *st = ctx;
    st->calls++;
    st->last = id;
    return st->stop_after && st->calls >= st->stop_after;
}

TEST(match_mpm_callback_and_stop)
{
    tr_mpm_builder *b;
    CHECK(!tr_mpm_builder_new(&b));
    CHECK(!tr_mpm_builder_add(b, TR_STR("a"), 0, 7));
    CHECK(!tr_mpm_builder_add(b, TR_STR("a"), 0, 8));
    CHECK(!tr_mpm_builder_add(b, TR_STR("b"), 0, 9));
    tr_mpm *db = compile(b);
    tr_mpm_builder_free(b);
    CHECK(db);
    tr_mpm_scratch *sc;
    CHECK(!tr_mpm_scratch_new(&sc) && !tr_mpm_scratch_reserve(sc, db));
    cb_state st = { 0, 0, 0 };
    CHECK(tr_mpm_scan_cb(db, sc, TR_STR("aaaabbbb"), count_cb, &st) == TR_OK);
    CHECK_EQ(st.calls, 3); /* single match per literal: 7, 8 once, 9 once */
    st = (cb_state){ 0, 1, 0 };
    CHECK(tr_mpm_scan_cb(db, sc, TR_STR("aaaabbbb"), count_cb, &st) == TR_OK);
    CHECK_EQ(st.calls, 1);
    tr_mpm_scratch_free(sc);
    tr_mpm_free(db);
}

TEST(match_mpm_scratch_serves_several_databases_and_clones)
{
    tr_mpm_builder *b1, *b2;
    CHECK(!tr_mpm_builder_new(&b1) && !tr_mpm_builder_new(&b2));
    CHECK(!tr_mpm_builder_add(b1, TR_STR("one"), 0, 0));
    for (uint32_t i = 0; i < 500; i++) {
        char lit[32];
        int n = snprintf(lit, sizeof(lit), "literal-%u-x", i);
        CHECK(!tr_mpm_builder_add(b2, (tr_str){ lit, (size_t)n }, TR_MPM_CASELESS, i));
    }
    tr_mpm *d1 = compile(b1), *d2 = compile(b2);
    tr_mpm_builder_free(b1);
    tr_mpm_builder_free(b2);
    CHECK(d1 && d2);
    CHECK(tr_mpm_memory(d2) > 0);
    tr_mpm_scratch *unreserved, *proto, *clone;
    CHECK(!tr_mpm_scratch_new(&unreserved));
    tr_idset hits;
    CHECK(!tr_idset_init(&hits, 500));
    CHECK(tr_mpm_scan(d1, unreserved, TR_STR("one"), &hits) == TR_EINVAL);
    CHECK(!tr_mpm_scratch_new(&proto));
    CHECK(!tr_mpm_scratch_reserve(proto, d1) && !tr_mpm_scratch_reserve(proto, d2));
    CHECK(tr_mpm_scratch_clone(proto, &clone) == TR_OK);
    CHECK_STR(hits_of(d1, clone, &hits, "number one"), "0");
    CHECK_STR(hits_of(d2, clone, &hits, "LITERAL-499-X and literal-7-x"), "7,499");
    CHECK_STR(hits_of(d2, proto, &hits, "literal-42-x"), "42");
    tr_idset_release(&hits);
    tr_mpm_scratch_free(unreserved);
    tr_mpm_scratch_free(proto);
    tr_mpm_scratch_free(clone);
    tr_mpm_free(d1);
    tr_mpm_free(d2);
}

TEST(match_mpm_binary_literals_and_bad_arguments)
{
    tr_mpm_builder *b;
    CHECK(!tr_mpm_builder_new(&b));
    CHECK(tr_mpm_builder_add(b, TR_STR("x"), 1u << 9, 0) == TR_EINVAL);
    CHECK(tr_mpm_builder_add(b, TR_STR("x"), 0, TR_MPM_MAX_ID + 1) == TR_EINVAL);
    CHECK(!tr_mpm_builder_add(b, (tr_str){ "a\0b", 3 }, 0, 1));
    tr_mpm *db = compile(b);
    tr_mpm_builder_free(b);
    CHECK(db);
    tr_mpm_scratch *sc;
    CHECK(!tr_mpm_scratch_new(&sc) && !tr_mpm_scratch_reserve(sc, db));
    tr_idset hits;
    CHECK(!tr_idset_init(&hits, 2));
    CHECK(!tr_mpm_scan(db, sc, (tr_str){ "xxa\0bxx", 7 }, &hits));
    CHECK_EQ(hits.n, 1);
    tr_idset_reset(&hits);
    CHECK(!tr_mpm_scan(db, sc, TR_STR("ab"), &hits));
    CHECK_EQ(hits.n, 0);
    tr_idset_release(&hits);
    tr_mpm_scratch_free(sc);
    tr_mpm_free(db);
}

TEST(match_mpm_no_allocation_per_scan)
{
    tr_mpm_builder *b;
    CHECK(!tr_mpm_builder_new(&b));
    CHECK(!tr_mpm_builder_add(b, TR_STR("mimikatz"), TR_MPM_CASELESS, 0));
    CHECK(!tr_mpm_builder_add(b, TR_STR("\\rundll32.exe"), TR_MPM_CASELESS | TR_MPM_SUFFIX, 1));
    CHECK(!tr_mpm_builder_add(b, TR_STR(""), 0, 2));
    tr_mpm *db = compile(b);
    tr_mpm_builder_free(b);
    CHECK(db);
    tr_mpm_scratch *sc;
    CHECK(!tr_mpm_scratch_new(&sc) && !tr_mpm_scratch_reserve(sc, db));
    tr_idset hits;
    CHECK(!tr_idset_init(&hits, tr_mpm_id_bound(db)));
    tr_str v[] = { TR_STR("C:\\Windows\\System32\\rundll32.exe"),
                   TR_STR("invoke-MIMIKATZ -dumpcreds"), TR_STR("") };
    CHECK(!tr_mpm_scan_slices(db, sc, v, 3, &hits)); /* warm-up */
    uint64_t before = tr_alloc_count();
    for (int i = 0; i < 1000; i++) {
        tr_idset_reset(&hits);
        CHECK(!tr_mpm_scan_slices(db, sc, v, 3, &hits));
        CHECK_EQ(hits.n, 3);
    }
    CHECK_EQ(tr_alloc_count() - before, 0);
    tr_idset_release(&hits);
    tr_mpm_scratch_free(sc);
    tr_mpm_free(db);
}

TEST(match_idset_basics)
{
    tr_idset s;
    CHECK(!tr_idset_init(&s, 130));
    CHECK(tr_idset_add(&s, 129));
    CHECK(tr_idset_add(&s, 3));
    CHECK(!tr_idset_add(&s, 3));
    CHECK(!tr_idset_add(&s, 130)); /* outside the universe */
    CHECK(tr_idset_has(&s, 129) && tr_idset_has(&s, 3) && !tr_idset_has(&s, 4));
    CHECK_EQ(s.n, 2);
    tr_idset_sort(&s);
    CHECK_EQ(s.ids[0], 3);
    tr_idset_reset(&s);
    CHECK_EQ(s.n, 0);
    CHECK(!tr_idset_has(&s, 129));
    CHECK(tr_idset_add(&s, 64));
    CHECK(!tr_idset_grow(&s, 1000));
    CHECK(tr_idset_has(&s, 64) && tr_idset_add(&s, 999));
    tr_idset_release(&s);
    tr_idset_release(&s);
}
