/*
 * test_sigma_filters.c - Sigma filters (sigma-filters-specification.md):
 * filter documents next to rules, and filter directories per tenant.
 */
#include "test_sigma_util.h"

#define WHOAMI                                                                                     \
    "title: Whoami Execution\nid: 5d3a9f1e-1111-4c4c-8888-000000000001\nname: whoami_execution\n" \
    "logsource:\n    category: process_creation\n    product: windows\n"                          \
    "detection:\n    selection:\n        Image|endswith: '\\whoami.exe'\n"                        \
    "    condition: selection\nlevel: high\n"

static void pc_event(sgt_event *e, const char *user, const char *computer)
{
    sgt_event_init(e);
    e->ev.logsource.product = TR_STR("windows");
    tr_logsource_add_category(&e->ev.logsource, TR_STR("process_creation"));
    sgt_add(e, "Image", "C:\\Windows\\System32\\whoami.exe", TR_VSTR);
    sgt_add(e, "User", user, TR_VSTR);
    sgt_add(e, "Computer", computer, TR_VSTR);
}

TEST(sigma_filter_document_suppresses_named_rule)
{
    const char *y = WHOAMI "---\ntitle: Filter Administrator account\n"
                           "logsource:\n    category: process_creation\n    product: windows\n"
                           "filter:\n    rules:\n        - whoami_execution\n"
                           "    selection:\n        User|startswith: 'adm_'\n"
                           "    condition: selection\n";
    sgt_event e;
    pc_event(&e, "adm_bob", "ws1");
    tr_ruleset *rs = sgt_load(y);
    CHECK(rs);
    CHECK_EQ(tr_ruleset_get_stats(rs)->filters, 1);
    CHECK_EQ(tr_ruleset_rule(rs, 0)->nfilters, 1);
    tr_ruleset_free(rs);
    CHECK_EQ(sgt_eval_opts(y, &e.ev, NULL, NULL), 0);
    e.ev.fields[1].value = TR_STR("bob");
    CHECK_EQ(sgt_eval_opts(y, &e.ev, NULL, NULL), 1);
    sgt_event_release(&e);
}

TEST(sigma_filter_by_id_and_other_rules_untouched)
{
    const char *y = WHOAMI "---\ntitle: other\nid: 00000000-0000-0000-0000-000000000002\n"
                           "logsource:\n    product: windows\ndetection:\n"
                           "    s: {User|startswith: adm_}\n    condition: s\n"
                           "---\ntitle: f\nlogsource:\n    product: windows\nfilter:\n"
                           "    rules: [5d3a9f1e-1111-4c4c-8888-000000000001]\n"
                           "    selection: {User|startswith: adm_}\n    condition: selection\n";
    sgt_event e;
    pc_event(&e, "adm_bob", "ws1");
    sgt_hits h;
    CHECK_EQ(sgt_eval_opts(y, &e.ev, NULL, &h), 1);
    CHECK_STR(h.titles[0], "other");
    sgt_event_release(&e);
}

TEST(sigma_filter_logsource_must_match_event)
{
    /* A filter for linux events does not suppress windows events. */
    const char *y = WHOAMI "---\ntitle: f\nlogsource:\n    product: linux\nfilter:\n"
                           "    rules: whoami_execution\n    selection: {User: bob}\n"
                           "    condition: selection\n";
    sgt_event e;
    pc_event(&e, "bob", "ws1");
    CHECK_EQ(sgt_eval_opts(y, &e.ev, NULL, NULL), 1);
    sgt_event_release(&e);
}

TEST(sigma_filter_unknown_rule_warns)
{
    const char *y = WHOAMI "---\ntitle: f\nlogsource:\n    product: windows\nfilter:\n"
                           "    rules: [no_such_rule]\n    selection: {User: bob}\n"
                           "    condition: selection\n";
    tr_ruleset *rs = sgt_load(y);
    CHECK(rs);
    CHECK_EQ(sgt_nerr, 0);
    CHECK_EQ(sgt_nwarn, 1);
    tr_ruleset_free(rs);
}

TEST(sigma_filter_rejections)
{
    tr_ruleset *rs = sgt_load("title: f\nlogsource: {product: w}\nfilter:\n"
                              "    selection: {User: bob}\n    condition: selection\n");
    CHECK(rs && tr_ruleset_get_stats(rs)->filters_rejected == 1);
    CHECK(strstr(sgt_err, "rules"));
    tr_ruleset_free(rs);
    rs = sgt_load("title: f\nlogsource: {product: w}\nfilter:\n    rules: [x]\n"
                  "    selection: {User: bob}\n");
    CHECK(rs && tr_ruleset_get_stats(rs)->filters_rejected == 1);
    tr_ruleset_free(rs);
}

static int scan_tenant(tr_ruleset *rs, const char *tenant, const char *user, const char *computer)
{
    sgt_event e;
    pc_event(&e, user, computer);
    e.ev.tenant = tr_str_c(tenant);
    int n = sgt_scan(rs, &e.ev, NULL);
    sgt_event_release(&e);
    return n;
}

TEST(sigma_filter_directories_per_tenant)
{
    char dir[512];
    snprintf(dir, sizeof(dir), "%s/sigma/filters", tt_datadir());
    const char *dirs[] = { dir };
    tr_sigma_opts o = { .filter_dirs = dirs, .nfilter_dirs = 1 };
    tr_ruleset *rs = sgt_load_opts(WHOAMI, &o);
    CHECK(rs);
    CHECK_EQ(sgt_nerr, 0);
    CHECK_EQ(tr_ruleset_get_stats(rs)->filters, 3);
    CHECK_EQ(tr_ruleset_rule(rs, 0)->nfilters, 3);
    /* The global filter applies to every tenant. */
    CHECK_EQ(scan_tenant(rs, "org-1", "bob", "build01"), 0);
    CHECK_EQ(scan_tenant(rs, "org-9", "bob", "build01"), 0);
    CHECK_EQ(scan_tenant(rs, "org-9", "bob", "ws1"), 1);
    /* org-1's filter only for org-1. */
    CHECK_EQ(scan_tenant(rs, "org-1", "adm_x", "ws1"), 0);
    CHECK_EQ(scan_tenant(rs, "org-2", "adm_x", "ws1"), 1);
    /* org-2's filter lives in a subdirectory of its tenant directory. */
    CHECK_EQ(scan_tenant(rs, "org-2", "svc_scan", "ws1"), 0);
    CHECK_EQ(scan_tenant(rs, "org-1", "svc_scan", "ws1"), 1);
    tr_ruleset_free(rs);
}

TEST(sigma_filter_directory_holds_only_filters)
{
    char dir[600];
    snprintf(dir, sizeof(dir), "%s", tt_tmpdir());
    char path[700];
    snprintf(path, sizeof(path), "%s/rule.yml", dir);
    FILE *f = fopen(path, "w");
    CHECK(f);
    fputs(WHOAMI, f);
    fclose(f);
    const char *dirs[] = { dir };
    tr_sigma_opts o = { .filter_dirs = dirs, .nfilter_dirs = 1 };
    tr_ruleset *rs = sgt_load_opts("", &o);
    CHECK(rs);
    CHECK_EQ(tr_ruleset_count(rs), 0);
    CHECK_EQ(sgt_nerr, 1);
    CHECK(strstr(sgt_err, "only hold filters"));
    tr_ruleset_free(rs);
    const char *missing[] = { "/nonexistent/filters" };
    o.filter_dirs = missing;
    tr_ruleset *none = NULL;
    tr_log_level lv = tr_log_get_level();
    tr_log_set_level((tr_log_level)-1);
    CHECK(tr_ruleset_load_string("", 0, "x", &o, &none) == TR_EINVAL);
    tr_log_set_level(lv);
    CHECK(none == NULL);
}
