/*
 * test_fleet.c - the fleet inventory and CSV splitting.
 */
#include "tt.h"

#include "core/csv.h"
#include "trawl/arena.h"
#include "trawl/fleet.h"
#include "trawl/log.h"

TEST(csv_split_quotes_and_empties)
{
    tr_arena *a = tr_arena_new(0, 0);
    tr_str f[8];
    size_t n;
    const char *l = "a,\"b,c\",\"say \"\"hi\"\"\",,e,";
    CHECK_EQ(tr_csv_split(l, strlen(l), f, 8, &n, a), TR_OK);
    CHECK_EQ(n, 6);
    CHECK_SLICE(f[0], "a");
    CHECK_SLICE(f[1], "b,c");
    CHECK_SLICE(f[2], "say \"hi\"");
    CHECK_SLICE(f[3], "");
    CHECK_SLICE(f[4], "e");
    CHECK_SLICE(f[5], "");
    CHECK_EQ(tr_csv_split("\"open", 5, f, 8, &n, a), TR_EPARSE);
    CHECK_EQ(tr_csv_split("\"a\"b", 4, f, 8, &n, a), TR_EPARSE);
    CHECK_EQ(tr_csv_split("a\"b", 3, f, 8, &n, a), TR_EPARSE);
    CHECK_EQ(tr_csv_split("a,b,c", 5, f, 2, &n, a), TR_ELIMIT);
    CHECK_EQ(tr_csv_split("", 0, f, 8, &n, a), TR_OK);
    CHECK_EQ(n, 1);
    CHECK_SLICE(tr_str_trim(TR_STR("  x y \t\r")), "x y");
    tr_arena_free(a);
}

static int log_lines;
static char last_log[512];
static void count_log(tr_log_level level, const char *line, void *ctx)
{
    (void)level;
    (void)ctx;
    log_lines++;
    snprintf(last_log, sizeof(last_log), "%s", line);
}

TEST(fleet_load_and_lookup)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/fleet.csv", tt_tmpdir());
    FILE *f = fopen(path, "w");
    CHECK(f);
    fputs("tenant,name,country,sector\n"
          "org-001,\"Acme, Inc.\",us,healthcare\n"
          "# a comment\n"
          "\n"
          "org-002,Beta,GB,legal\n"
          "org-003,Gamma,USA,government\n"
          "org-001,Dup,US,healthcare\n"
          ",Empty,US,healthcare\n"
          "org-004,\"broken,FR,energy\n"
          "org-005,Epsilon,,\n",
          f);
    fclose(f);
    log_lines = 0;
    tr_log_set_sink(count_log, NULL);
    tr_fleet *fl;
    size_t bad;
    char err[256];
    tr_err e = tr_fleet_load(path, &fl, &bad, err, sizeof(err));
    tr_log_set_sink(NULL, NULL);
    CHECK_EQ(e, TR_OK);
    CHECK_EQ(tr_fleet_count(fl), 3);
    CHECK_EQ(bad, 4);
    CHECK_EQ(log_lines, 4); /* the unknown sector is only info */
    const tr_tenant *t = tr_fleet_find(fl, TR_STR("org-001"));
    CHECK(t);
    CHECK_SLICE(t->name, "Acme, Inc.");
    CHECK_SLICE(t->country, "US");
    CHECK_SLICE(tr_fleet_at(fl, 1)->sector, "legal");
    CHECK(tr_fleet_find(fl, TR_STR("org-003")) == NULL);
    CHECK(tr_fleet_find(fl, TR_STR("org-005")) != NULL);
    CHECK(tr_fleet_for_path(fl, "logs/org-002/citrix/httpaccess.log") == tr_fleet_at(fl, 1));
    CHECK(tr_fleet_for_path(fl, "/data/org-001/org-002/x.log") == tr_fleet_at(fl, 1));
    CHECK(tr_fleet_for_path(fl, "org-001") == NULL);
    CHECK(tr_fleet_for_path(fl, "logs/org-0011/x.log") == NULL);
    CHECK(tr_stix_sector_known(TR_STR("financial-services")));
    CHECK(!tr_stix_sector_known(TR_STR("legal")));
    tr_fleet_free(fl);
}

TEST(fleet_rejects_missing_header)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/fleet.csv", tt_tmpdir());
    FILE *f = fopen(path, "w");
    fputs("id,name\norg-1,x\n", f);
    fclose(f);
    tr_fleet *fl;
    char err[256];
    CHECK_EQ(tr_fleet_load(path, &fl, NULL, err, sizeof(err)), TR_EPARSE);
    CHECK(fl == NULL);
    CHECK(strstr(err, ":1: header must name a 'tenant' column"));
    CHECK_EQ(tr_fleet_load("/no/such/fleet.csv", &fl, NULL, err, sizeof(err)), TR_ENOENT);
}
