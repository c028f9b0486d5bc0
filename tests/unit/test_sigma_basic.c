/*
 * test_sigma_basic.c - search identifiers (maps, lists, keywords), special
 * values, case folding and the loader's bookkeeping, from the rules
 * specification ("Detection").
 */
#include "test_sigma_util.h"

TEST(sigma_map_is_and)
{
    const char *det = "    selection:\n        EventLog: Security\n        EventID: 4769\n"
                      "    condition: selection\n";
    MATCH(det, KV("EventLog", "Security", "EventID", "4769"));
    NO_MATCH(det, KV("EventLog", "Security", "EventID", "4768"));
    NO_MATCH(det, KV("EventLog", "Security"));
}

TEST(sigma_value_list_is_or)
{
    const char *det = "    selection:\n        EventID:\n            - 517\n            - 1102\n"
                      "    condition: selection\n";
    MATCH(det, KV("EventID", "517"));
    MATCH(det, KV("EventID", "1102"));
    NO_MATCH(det, KV("EventID", "518"));
}

TEST(sigma_list_of_maps_is_or)
{
    const char *det = "    selection:\n        - Image|endswith: '\\\\example.exe'\n"
                      "        - Description|contains: 'Test executable'\n"
                      "    condition: selection\n";
    MATCH(det, KV("Image", "C:\\x\\example.exe"));
    MATCH(det, KV("Description", "a Test executable here"));
    NO_MATCH(det, KV("Image", "C:\\x\\example.dll", "Description", "other"));
}

TEST(sigma_case_insensitive_by_default)
{
    const char *det = "    selection:\n        Image: 'C:\\Windows\\System32\\whoami.exe'\n"
                      "    condition: selection\n";
    MATCH(det, KV("Image", "c:\\windows\\system32\\WHOAMI.EXE"));
    NO_MATCH(det, KV("Image", "c:\\windows\\system32\\whoami.exe2"));
}

TEST(sigma_plain_value_is_whole_value)
{
    const char *det = "    selection:\n        User: admin\n    condition: selection\n";
    MATCH(det, KV("User", "ADMIN"));
    NO_MATCH(det, KV("User", "administrator"));
    NO_MATCH(det, KV("User", "the admin"));
}

TEST(sigma_keywords_list_is_or_anywhere)
{
    const char *det = "    keywords:\n        - 'event::clear'\n        - 'event::drop'\n"
                      "    condition: keywords\n";
    MATCH(det, KV("CommandLine", "mimikatz EVENT::Clear exit"));
    MATCH(det, KV("a", "x", "b", "event::drop"));
    NO_MATCH(det, KV("CommandLine", "event:clear"));
}

TEST(sigma_keywords_all)
{
    const char *det = "    keywords_cmdlet:\n        '|all':\n            - 'OabVirtualDirectory'\n"
                      "            - ' -ExternalUrl '\n    condition: keywords_cmdlet\n";
    MATCH(det, KV("Payload", "Set-OabVirtualDirectory -ExternalUrl http://x"));
    /* AND across the event: the two words may be in different fields. */
    MATCH(det, KV("a", "OabVirtualDirectory", "b", "x -ExternalUrl y"));
    NO_MATCH(det, KV("Payload", "Set-OabVirtualDirectory -InternalUrl x"));
}

TEST(sigma_keyword_scalar_and_wildcards)
{
    const char *det = "    kw: 'evil*tool'\n    condition: kw\n";
    MATCH(det, KV("msg", "an EVIL little tool!"));
    NO_MATCH(det, KV("msg", "tool evil"));
}

/* The prefilter scans all values of an event joined, without anchors:
 * anchored keywords still hold per value, in any field, and only there. */
TEST(sigma_keyword_anchors_per_value)
{
    const char *det = "    kw_start:\n        '|startswith': 'evil.exe'\n"
                      "    kw_end:\n        '|endswith': '.bad'\n"
                      "    kw_plain:\n        - 'exactly this'\n"
                      "    condition: 1 of kw_*\n";
    MATCH(det, KV("a", "x", "b", "EVIL.EXE --now", "c", "y"));
    MATCH(det, KV("a", "x", "b", "y", "c", "file.bad"));
    MATCH(det, KV("a", "x", "b", "not Exactly This", "c", "y"));
    NO_MATCH(det, KV("a", "x", "b", "run evil.exe", "c", "file.bad2"));
    /* Not across two values either. */
    NO_MATCH(det, KV("a", "exactly", "b", "this", "c", ".ba", "d", "d"));
    MATCH(det, KV("a", "x.bad", "b", "y"));
    MATCH(det, KV("a", "y", "b", "x.bad"));
}

TEST(sigma_null_means_absent)
{
    const char *det = "    selection:\n        EventID: 4738\n    filter:\n"
                      "        PasswordLastSet: null\n    condition: selection and not filter\n";
    MATCH(det, KV("EventID", "4738", "PasswordLastSet", "2020-01-01"));
    NO_MATCH(det, KV("EventID", "4738"));
    NO_MATCH(det, KV("EventID", "4738", "PasswordLastSet", NULL)); /* explicit JSON null */
    /* '' is a value, not null. */
    MATCH(det, KV("EventID", "4738", "PasswordLastSet", ""));
}

TEST(sigma_empty_string_value)
{
    const char *det = "    sel:\n        FieldB: ''\n    condition: sel\n";
    MATCH(det, KV("FieldB", ""));
    NO_MATCH(det, KV("FieldB", "x"));
    NO_MATCH(det, KV("FieldA", ""));
    NO_MATCH(det, KV("FieldB", NULL));
}

TEST(sigma_null_in_list_rejected)
{
    REJECT("    selection_main:\n        FieldA: 'something'\n        FieldB:\n"
           "            - ''\n            - null\n    condition: selection_main\n");
    CHECK(strstr(sgt_err, "null cannot be part of a list"));
}

TEST(sigma_numbers_compare_as_strings_and_numbers)
{
    const char *det = "    sel:\n        EventID: 4688\n    condition: sel\n";
    MATCH(det, KV("EventID", "4688"));
    NO_MATCH(det, KV("EventID", "46880"));
    NO_MATCH(det, KV("EventID", "468"));
    /* Numerically equal notations match too (docs/SIGMA.md). */
    MATCH(det, KV("EventID", "0x1250"));
    /* A quoted number is a string: only the same text. */
    const char *q = "    sel:\n        EventID: '0x10'\n    condition: sel\n";
    MATCH(q, KV("EventID", "0X10"));
    NO_MATCH(q, KV("EventID", "16"));
}

TEST(sigma_booleans)
{
    const char *det = "    sel:\n        Signed: false\n    condition: sel\n";
    MATCH(det, KV("Signed", "false"));
    MATCH(det, KV("Signed", "False"));
    NO_MATCH(det, KV("Signed", "true"));
    NO_MATCH(det, KV("Signed", "0"));
}

TEST(sigma_json_number_and_bool_kinds)
{
    sgt_event e;
    sgt_event_init(&e);
    e.ev.logsource.product = TR_STR("test");
    sgt_add(&e, "EventID", "4688", TR_VNUM);
    sgt_add(&e, "Signed", "true", TR_VBOOL);
    int r = sgt_eval_opts(sgt_rule_doc("    sel:\n        EventID: 4688\n        Signed: true\n"
                                       "    condition: sel\n"),
                          &e.ev, NULL, NULL);
    sgt_event_release(&e);
    CHECK_EQ(r, 1);
}

TEST(sigma_multi_valued_field)
{
    sgt_event e;
    sgt_event_init(&e);
    e.ev.logsource.product = TR_STR("test");
    tr_field *f = sgt_add(&e, "tags", "alpha", TR_VSTR);
    f->flags |= TR_FIELD_MULTI;
    f = sgt_add(&e, "tags", "beta", TR_VSTR);
    f->flags |= TR_FIELD_MULTI;
    CHECK_EQ(sgt_eval_opts(sgt_rule_doc("    sel:\n        tags: beta\n    condition: sel\n"),
                           &e.ev, NULL, NULL), 1);
    CHECK_EQ(sgt_eval_opts(sgt_rule_doc("    sel:\n        tags|all:\n            - alpha\n"
                                        "            - beta\n    condition: sel\n"),
                           &e.ev, NULL, NULL), 1);
    CHECK_EQ(sgt_eval_opts(sgt_rule_doc("    sel:\n        tags: gamma\n    condition: sel\n"),
                           &e.ev, NULL, NULL), 0);
    sgt_event_release(&e);
}

TEST(sigma_field_name_alias_and_full_name)
{
    sgt_event e;
    sgt_event_init(&e);
    e.ev.logsource.product = TR_STR("test");
    tr_field *f = sgt_add(&e, "Event.EventData.CommandLine", "whoami /all", TR_VSTR);
    f->alias = TR_STR("CommandLine");
    const char *by_alias = "    sel:\n        CommandLine|contains: whoami\n    condition: sel\n";
    const char *by_name = "    sel:\n        Event.EventData.CommandLine|contains: whoami\n"
                          "    condition: sel\n";
    CHECK_EQ(sgt_eval_opts(sgt_rule_doc(by_alias), &e.ev, NULL, NULL), 1);
    CHECK_EQ(sgt_eval_opts(sgt_rule_doc(by_name), &e.ev, NULL, NULL), 1);
    sgt_event_release(&e);
}

TEST(sigma_field_names_case_fallback)
{
    /* No exact match: a case-insensitive one is used. */
    MATCH("    sel:\n        CommandLine: x\n    condition: sel\n", KV("commandline", "x"));
    /* An exact match wins over a case-folded one. */
    NO_MATCH("    sel:\n        CommandLine: x\n    condition: sel\n",
             KV("commandline", "x", "CommandLine", "y"));
}

TEST(sigma_escaped_json_values_are_decoded)
{
    sgt_event e;
    sgt_event_init(&e);
    e.ev.logsource.product = TR_STR("test");
    tr_field *f = sgt_add(&e, "Image", "C:\\\\Windows\\\\cmd.exe", TR_VSTR);
    f->flags |= TR_FIELD_ESCAPED;
    sgt_hits h;
    int r = sgt_eval_opts(sgt_rule_doc("    sel:\n        Image|endswith: '\\cmd.exe'\n"
                                       "    condition: sel\n"),
                          &e.ev, NULL, &h);
    sgt_event_release(&e);
    CHECK_EQ(r, 1);
    CHECK_STR(h.fields[0], "Image=C:\\Windows\\cmd.exe;");
}

TEST(sigma_matched_fields_reported)
{
    sgt_event e;
    sgt_event_init(&e);
    e.ev.logsource.product = TR_STR("test");
    sgt_add(&e, "Image", "C:\\x\\cmd.exe", TR_VSTR);
    sgt_add(&e, "CommandLine", "cmd /c whoami", TR_VSTR);
    sgt_add(&e, "User", "bob", TR_VSTR);
    sgt_hits h;
    int r = sgt_eval_opts(sgt_rule_doc("    sel:\n        Image|endswith: cmd.exe\n"
                                       "        CommandLine|contains: whoami\n"
                                       "    filter:\n        User: alice\n"
                                       "    condition: sel and not filter\n"),
                          &e.ev, NULL, &h);
    sgt_event_release(&e);
    CHECK_EQ(r, 1);
    CHECK_STR(h.fields[0], "Image=C:\\x\\cmd.exe;CommandLine=cmd /c whoami;");
}

TEST(sigma_metadata_kept)
{
    const char *y = "title: Whoami\nid: 929a690e-bef0-4204-a928-ef5e620d6fcc\nname: whoami_exec\n"
                    "status: stable\nlevel: high\ndescription: Detects whoami\nauthor: Someone\n"
                    "license: DRL-1.1\ndate: 2019-10-23\nmodified: 2020-01-01\n"
                    "references:\n    - https://example.com/a\ntags:\n    - attack.t1033\n"
                    "    - attack.discovery\nfalsepositives:\n    - Admins\nfields:\n"
                    "    - CommandLine\nrelated:\n    - id: 08fbc97d-0a2f-491c-ae21-8ffcfd3174e9\n"
                    "      type: derived\nscope:\n    - server\n"
                    "logsource:\n    category: process_creation\n    product: windows\n"
                    "    definition: Sysmon EID 1\ndetection:\n    sel:\n        Image: x\n"
                    "    condition: sel\nregression_tests_path: a/b.yml\nsimulation:\n"
                    "    - type: atomic\n      count: 2\n";
    tr_ruleset *rs = sgt_load(y);
    CHECK(rs);
    CHECK_EQ(tr_ruleset_count(rs), 1);
    const tr_rule_info *r = tr_ruleset_rule(rs, 0);
    CHECK_SLICE(r->id, "929a690e-bef0-4204-a928-ef5e620d6fcc");
    CHECK_SLICE(r->name, "whoami_exec");
    CHECK_SLICE(r->title, "Whoami");
    CHECK_SLICE(r->status, "stable");
    CHECK_SLICE(r->level, "high");
    CHECK_SLICE(r->license, "DRL-1.1");
    CHECK_SLICE(r->date, "2019-10-23");
    CHECK_SLICE(r->taxonomy, "sigma");
    CHECK_SLICE(r->logsource.category, "process_creation");
    CHECK_SLICE(r->logsource.definition, "Sysmon EID 1");
    CHECK_EQ(r->ntags, 2);
    CHECK_SLICE(r->tags[1], "attack.discovery");
    CHECK_EQ(r->nreferences, 1);
    CHECK_EQ(r->nfalsepositives, 1);
    CHECK_EQ(r->nfields, 1);
    CHECK_EQ(r->nscope, 1);
    CHECK_EQ(r->nrelated, 1);
    CHECK_SLICE(r->related[0].type, "derived");
    CHECK_EQ(r->ncustom, 2);
    CHECK_SLICE(r->custom[0].key, "regression_tests_path");
    CHECK_SLICE(r->custom[0].json, "\"a/b.yml\"");
    CHECK_SLICE(r->custom[1].json, "[{\"type\":\"atomic\",\"count\":2}]");
    CHECK_EQ(r->line, 1);
    CHECK_STR(r->path, "test.yml");
    CHECK(r->standalone);
    CHECK(tr_ruleset_find(rs, TR_STR("whoami_exec")) == r);
    CHECK(tr_ruleset_find(rs, TR_STR("929a690e-bef0-4204-a928-ef5e620d6fcc")) == r);
    tr_ruleset_free(rs);
}

TEST(sigma_multi_document_file)
{
    const char *y = "title: one\nlogsource: {product: test}\ndetection:\n    s: {a: 1}\n"
                    "    condition: s\n---\ntitle: two\nlogsource: {product: test}\n"
                    "detection:\n    s: {a: 2}\n    condition: s\n---\n";
    tr_ruleset *rs = sgt_load(y);
    CHECK(rs);
    CHECK_EQ(tr_ruleset_count(rs), 2);
    CHECK_SLICE(tr_ruleset_rule(rs, 1)->title, "two");
    CHECK_EQ(tr_ruleset_rule(rs, 1)->line, 7);
    tr_ruleset_free(rs);
}

TEST(sigma_rejections_name_file_and_line)
{
    const char *y = "title: ok\nlogsource: {product: test}\ndetection:\n    s: {a: 1}\n"
                    "    condition: s\n---\ntitle: bad\nlogsource: {product: test}\n"
                    "detection:\n    s:\n        a|nosuchmod: 1\n    condition: s\n";
    tr_ruleset *rs = sgt_load(y);
    CHECK(rs);
    CHECK_EQ(tr_ruleset_count(rs), 1);
    CHECK_EQ(tr_ruleset_get_stats(rs)->rules_rejected, 1);
    CHECK_MSG(strstr(sgt_err, "test.yml:11: unknown modifier 'nosuchmod'"), "%s", sgt_err);
    tr_ruleset_free(rs);
}

TEST(sigma_missing_sections_rejected)
{
    tr_ruleset *rs = sgt_load("title: x\ndetection:\n    s: {a: 1}\n    condition: s\n");
    CHECK(rs && tr_ruleset_get_stats(rs)->rules_rejected == 1);
    CHECK(strstr(sgt_err, "logsource"));
    tr_ruleset_free(rs);
    rs = sgt_load("logsource: {product: a}\ndetection:\n    s: {a: 1}\n    condition: s\n");
    CHECK(rs && tr_ruleset_get_stats(rs)->rules_rejected == 1);
    CHECK(strstr(sgt_err, "title"));
    tr_ruleset_free(rs);
    rs = sgt_load("title: x\nlogsource: {product: a}\ndetection:\n    s: {a: 1}\n");
    CHECK(rs && tr_ruleset_get_stats(rs)->rules_rejected == 1);
    CHECK(strstr(sgt_err, "condition"));
    tr_ruleset_free(rs);
    rs = sgt_load("title: x\nlogsource: {product: a}\n");
    CHECK(rs && tr_ruleset_get_stats(rs)->rules_rejected == 1);
    tr_ruleset_free(rs);
    rs = sgt_load("title: [unclosed\n");
    CHECK(rs && tr_ruleset_get_stats(rs)->files_rejected == 1);
    CHECK(strstr(sgt_err, "test.yml:"));
    tr_ruleset_free(rs);
}

TEST(sigma_duplicate_field_in_map_rejected)
{
    REJECT("    s:\n        a: 1\n        a: 2\n    condition: s\n");
}

TEST(sigma_logsource_routing)
{
    const char *y = "title: pc\nlogsource:\n    category: process_creation\n    product: windows\n"
                    "detection:\n    s: {Image|endswith: cmd.exe}\n    condition: s\n";
    sgt_event e;
    sgt_event_init(&e);
    sgt_add(&e, "Image", "C:\\cmd.exe", TR_VSTR);
    e.ev.logsource.product = TR_STR("windows");
    tr_logsource_add_category(&e.ev.logsource, TR_STR("process_creation"));
    CHECK_EQ(sgt_eval_opts(y, &e.ev, NULL, NULL), 1);
    e.ev.logsource.ncategory = 0;
    tr_logsource_add_category(&e.ev.logsource, TR_STR("registry_event"));
    tr_logsource_add_category(&e.ev.logsource, TR_STR("process_creation"));
    CHECK_EQ(sgt_eval_opts(y, &e.ev, NULL, NULL), 1);
    e.ev.logsource.ncategory = 0;
    tr_logsource_add_category(&e.ev.logsource, TR_STR("file_event"));
    CHECK_EQ(sgt_eval_opts(y, &e.ev, NULL, NULL), 0);
    e.ev.logsource.product = TR_STR("linux");
    tr_logsource_add_category(&e.ev.logsource, TR_STR("process_creation"));
    CHECK_EQ(sgt_eval_opts(y, &e.ev, NULL, NULL), 0);
    tr_sigma_opts o = { .no_logsource_filter = true };
    CHECK_EQ(sgt_eval_opts(y, &e.ev, &o, NULL), 1);
    sgt_event_release(&e);
}

TEST(sigma_no_allocation_per_event)
{
    const char *y = "title: a\nlogsource: {product: test}\ndetection:\n"
                    "    s: {CommandLine|contains|all: [whoami, /all], Image|endswith: .exe}\n"
                    "    k: [mimikatz]\n    r: {CommandLine|re: 'who.mi'}\n"
                    "    condition: s or k or r\n";
    tr_ruleset *rs = sgt_load(y);
    CHECK(rs);
    tr_sigma_scratch *s;
    CHECK(tr_sigma_scratch_new(rs, &s) == TR_OK);
    sgt_event e;
    sgt_event_init(&e);
    e.ev.logsource.product = TR_STR("test");
    sgt_add(&e, "Image", "C:\\w\\whoami.exe", TR_VSTR);
    tr_field *f = sgt_add(&e, "CommandLine", "whoami \\/all", TR_VSTR);
    f->flags |= TR_FIELD_ESCAPED;
    sgt_hits h;
    memset(&h, 0, sizeof(h));
    CHECK(tr_sigma_scan(rs, s, &e.ev, sgt_on_match, &h) == TR_OK); /* warm-up */
    CHECK_EQ(h.n, 1);
    uint64_t before = tr_alloc_count();
    for (int i = 0; i < 1000; i++)
        CHECK(tr_sigma_scan(rs, s, &e.ev, sgt_on_match, &h) == TR_OK);
    CHECK_EQ(tr_alloc_count() - before, 0);
    CHECK_EQ(h.n, 1001);
    sgt_event_release(&e);
    tr_sigma_scratch_free(s);
    tr_ruleset_free(rs);
}

/* One scratch over events whose field names differ a little (case, order,
 * one letter, aliases) binds each event by its own names: every result is
 * the one a fresh scratch gives, and the expected one. */
TEST(sigma_field_names_bound_per_event)
{
    const char *y = "title: a\nlogsource: {product: test}\ndetection:\n"
                    "    s: {CommandLine|contains: evil, User: bob}\n    condition: s\n";
    tr_ruleset *rs = sgt_load(y);
    CHECK(rs);
    tr_sigma_scratch *s;
    CHECK(tr_sigma_scratch_new(rs, &s) == TR_OK);
    static const struct {
        const char *kv[8];
        const char *alias; /* of the first field */
        int want;
    } evs[] = {
        { { "CommandLine", "evil", "User", "bob" }, NULL, 1 },
        { { "commandline", "evil", "User", "bob" }, NULL, 1 },           /* folded name */
        { { "CommandLine", "x", "commandline", "evil", "User", "bob" }, NULL, 0 }, /* exact wins */
        { { "User", "bob", "CommandLine", "evil" }, NULL, 1 },           /* order */
        { { "CommandLinf", "evil", "User", "bob" }, NULL, 0 },           /* one letter */
        { { "CommandLine", "evil", "Usex", "bob" }, NULL, 0 },
        { { "Event.EventData.CommandLine", "evil", "User", "bob" }, "CommandLine", 1 },
        { { "Event.EventData.CommandLine", "evil", "User", "bob" }, "CommandLinf", 0 },
        { { "Event.EventData.CommandLinf", "evil", "User", "bob" }, "CommandLine", 1 },
    };
    /* Rounds 1 and 3 scan each event twice in a row: the second is bound as
     * the last event was (its layout is tried first), the next one, often
     * of as many names of the same lengths, must not be. */
    for (int round = 0; round < 4; round++) {
        for (size_t k = 0; k < TR_ARRAY_LEN(evs) * (round & 1 ? 2 : 1); k++) {
            size_t i = round & 1 ? k / 2 : k;
            sgt_event e;
            sgt_event_init(&e);
            e.ev.logsource.product = TR_STR("test");
            sgt_event_kv(&e, evs[i].kv);
            if (evs[i].alias)
                e.ev.fields[0].alias = tr_str_c(evs[i].alias);
            sgt_hits h;
            memset(&h, 0, sizeof(h));
            CHECK(tr_sigma_scan(rs, s, &e.ev, sgt_on_match, &h) == TR_OK);
            CHECK_MSG((int)h.n == evs[i].want, "event %zu round %d: %u matches", i, round, h.n);
            CHECK_EQ(sgt_scan(rs, &e.ev, NULL), evs[i].want);
            sgt_event_release(&e);
        }
    }
    tr_sigma_scratch_free(s);
    tr_ruleset_free(rs);
}

/* Long field names: a layout is the same only if every byte of every name
 * is (first, middle and last bytes of names of 16 to 32 bytes and longer;
 * eval.c, bytes_eq). Each event is scanned twice in a row. */
TEST(sigma_field_names_long_layouts)
{
    const char *y = "title: a\nlogsource: {product: test}\ndetection:\n"
                    "    s1: {Event.EventData.TargetUserName|contains: evil}\n"
                    "    s2: {Event.EventData.TargetUserNameAndDomainOfIt|contains: evil}\n"
                    "    condition: 1 of s*\n";
    tr_ruleset *rs = sgt_load(y);
    CHECK(rs);
    tr_sigma_scratch *s;
    CHECK(tr_sigma_scratch_new(rs, &s) == TR_OK);
    static const struct {
        const char *name;
        int want;
    } evs[] = {
        { "Event.EventData.TargetUserName", 1 },
        { "Event.EventData.TargetUserNamf", 0 },
        { "Event.EventDbta.TargetUserName", 0 },
        { "Fvent.EventData.TargetUserName", 0 },
        { "Event.EventData.TargetUserNameAndDomainOfIt", 1 },
        { "Event.EventData.TargetUserNameAndDomainOfIu", 0 },
        { "Event.EventData.TargetUserNameAndDombinOfIt", 0 },
        { "Event.EventData.TargetUsesNameAndDomainOfIt", 0 },
        { "Event.EventData.TargetUserNameAndDomainOfIt", 1 },
    };
    for (int round = 0; round < 2; round++) {
        for (size_t k = 0; k < TR_ARRAY_LEN(evs) * 2; k++) {
            size_t i = k / 2;
            sgt_event e;
            sgt_event_init(&e);
            e.ev.logsource.product = TR_STR("test");
            sgt_add(&e, "Event.System.Computer", "ws1", TR_VSTR);
            sgt_add(&e, evs[i].name, "evil", TR_VSTR);
            sgt_add(&e, "Event.EventData.CommandLine", "x", TR_VSTR);
            sgt_hits h;
            memset(&h, 0, sizeof(h));
            CHECK(tr_sigma_scan(rs, s, &e.ev, sgt_on_match, &h) == TR_OK);
            CHECK_MSG((int)h.n == evs[i].want, "event %zu round %d: %u matches", i, round, h.n);
            CHECK_EQ(sgt_scan(rs, &e.ev, NULL), evs[i].want);
            sgt_event_release(&e);
        }
    }
    tr_sigma_scratch_free(s);
    tr_ruleset_free(rs);
}

/* Carets and backticks are atoms however short (Dosfuscation, PowerShell
 * token obfuscation): the prefiltered scan still finds every match. */
TEST(sigma_obfuscation_marks_are_atoms)
{
    const char *det = "    sel:\n        CommandLine|contains:\n            - '^^'\n"
                      "            - ' c^md'\n    condition: sel\n";
    MATCH(det, KV("CommandLine", "c^^m^^d /c whoami"));
    MATCH(det, KV("CommandLine", "cmd.exe /c c^md"));
    NO_MATCH(det, KV("CommandLine", "cmd /c ^whoami"));
    const char *re = "    sel:\n        CommandLine|re: '\\w+`(?:\\w+|-|.)`[\\w+|\\s]'\n"
                     "    condition: sel\n";
    MATCH(re, KV("CommandLine", "IN`V`o`Ke-eXp`ResSIOn x"));
    NO_MATCH(re, KV("CommandLine", "Invoke-Expression x"));
    NO_MATCH(re, KV("CommandLine", "a`b"));
}

/* Field databases hold the keyword atoms too, and the values they scan are
 * left out of the joined keyword scan: a keyword is found in a field that
 * has a database (CommandLine, Image here), in one that has none, and in
 * one bound to a rule field with exact values only (User). */
TEST(sigma_keyword_atoms_in_field_databases)
{
    const char *det = "    sel:\n        CommandLine|contains: 'mimikatz'\n"
                      "        Image|endswith: '\\procdump.exe'\n"
                      "    user:\n        User: 'CORP\\admin01'\n"
                      "    kw:\n        - '\\perfc.dat'\n"
                      "    condition: sel or kw or (user and sel)\n";
    MATCH(det, KV("CommandLine", "rundll32 C:\\Windows\\PERFC.DAT,#1", "Image", "C:\\x.exe"));
    MATCH(det, KV("Image", "C:\\Windows\\perfc.dat", "CommandLine", "x"));
    MATCH(det, KV("CommandLine", "x", "Image", "y", "Other", "C:\\perfc.dat"));
    MATCH(det, KV("CommandLine", "x", "User", "c:\\perfc.dat"));
    MATCH(det, KV("Other", "C:\\perfc.dat"));
    NO_MATCH(det, KV("CommandLine", "C:\\perfc.da", "Image", "t", "Other", "perfc.dat"));
    NO_MATCH(det, KV("CommandLine", "C:\\perfc", "Image", ".dat"));
    MATCH(det, KV("CommandLine", "mimikatz", "Image", "C:\\procdump.exe"));
}

/* Values no field database scans are searched for the (few) keyword atoms
 * only when they hold an anchor byte of one (plan.c, kw_anchors): a rare
 * byte that is no letter, else the first letter in both cases. */
TEST(sigma_keyword_anchor_bytes)
{
    const char *det = "    sel:\n        CommandLine|contains: 'zzqqzz'\n"
                      "    kw:\n        - 'MimiKatz'\n        - 'a-b+c'\n"
                      "    condition: sel or kw\n";
    MATCH(det, KV("CommandLine", "x", "Other", "xxMIMIKATZyy"));
    MATCH(det, KV("CommandLine", "x", "Other", "mimikatz"));
    MATCH(det, KV("CommandLine", "x", "Other", "0123456789abcdefmimikatz"));
    NO_MATCH(det, KV("CommandLine", "x", "Other", "mimikat"));
    NO_MATCH(det, KV("CommandLine", "x", "Other", "Mimi Katz"));
    MATCH(det, KV("CommandLine", "x", "Other", "1+2 a-b+c"));
    MATCH(det, KV("CommandLine", "x", "Other", "A-B+C"));
    MATCH(det, KV("CommandLine", "x", "Other", "12345678a-b+c"));
    NO_MATCH(det, KV("CommandLine", "x", "Other", "a-b+"));
    NO_MATCH(det, KV("CommandLine", "x", "Other", "0123456789abcdef-b+c"));
}

/* With more keyword atoms than the field databases take, every value is in
 * the joined keyword scan again. */
TEST(sigma_many_keyword_atoms_joined_scan)
{
    const char *det = "    sel:\n        CommandLine|contains: 'mimikatz'\n"
                      "    kw:\n        - 'alpha1'\n        - 'bravo2'\n        - 'charlie3'\n"
                      "        - 'delta4'\n        - 'echo5'\n        - 'foxtrot6'\n"
                      "    condition: sel or kw\n";
    MATCH(det, KV("CommandLine", "x ECHO5 y"));
    MATCH(det, KV("CommandLine", "x", "Other", "foxtrot6"));
    NO_MATCH(det, KV("CommandLine", "echo 5", "Other", "foxtrot"));
}

TEST(sigma_basic_letterless_literals_compare_as_is)
{
    /* Without an ASCII letter a caseless literal is compared with the value
     * as is (SG_V_NOFOLD); with one, still case-folded, also in one list
     * and in wildcard values. */
    MATCH("    selection:\n        CommandLine|contains: ' -1 '\n    condition: selection\n",
          KV("CommandLine", "X.EXE -1 Y"));
    MATCH("    selection:\n        CommandLine|contains:\n            - ' -1 '\n"
          "            - 'ABC'\n    condition: selection\n",
          KV("CommandLine", "x -1 y"));
    MATCH("    selection:\n        CommandLine|contains:\n            - ' -1 '\n"
          "            - 'ABC'\n    condition: selection\n",
          KV("CommandLine", "xabcx"));
    NO_MATCH("    selection:\n        CommandLine|contains: ' -1 '\n    condition: selection\n",
             KV("CommandLine", "x -2 y"));
    MATCH("    selection:\n        Image: '*\\CMD.*'\n    condition: selection\n",
          KV("Image", "c:\\w\\cmd.exe"));
    MATCH("    selection:\n        Image: '*?.1'\n    condition: selection\n",
          KV("Image", "C:\\W\\X.1"));
    NO_MATCH("    selection:\n        Image: '*?.1'\n    condition: selection\n",
             KV("Image", ".1"));
    MATCH("    selection:\n        Image|endswith: '\\'\n    condition: selection\n",
          KV("Image", "C:\\W\\"));
}
