/*
 * test_sigma_gates.c - a rule whose condition ANDs several searches with
 * atoms is gated by each of them (plan.c, add_gates): it is evaluated only
 * when every gate has a hit. These tests check both directions: a gate is
 * never stricter than the condition (the rule still matches when the event
 * satisfies it through any path, OR branches and |all included, and a NOT
 * never gates), and a gate does work (an event missing one AND-ed search
 * makes the rule no candidate at all: tr_sigma_scan_stats.candidates).
 * Every scan is also compared with full evaluation (no prefilter).
 */
#include "test_sigma_util.h"

#include "core/common.h"

/* Scans kv with detection, prefiltered; returns the matches and sets
 * *cands to the rules evaluated. -2 when full evaluation disagrees. */
static int gate_scan(const char *detection, const char *const *kv, uint64_t *cands)
{
    *cands = UINT64_MAX;
    sgt_event e;
    sgt_event_init(&e);
    sgt_event_kv(&e, kv);
    e.ev.logsource.product = TR_STR("test");
    const char *doc = sgt_rule_doc(detection);
    int full = sgt_eval_opts(doc, &e.ev, NULL, NULL); /* -2: the two paths differ */
    tr_ruleset *rs = sgt_load(doc);
    int n = -3;
    tr_sigma_scratch *s = NULL;
    if (rs && tr_sigma_scratch_new(rs, &s) == TR_OK) {
        sgt_hits h;
        memset(&h, 0, sizeof(h));
        n = tr_sigma_scan(rs, s, &e.ev, sgt_on_match, &h) == TR_OK ? (int)h.n : -100;
        *cands = tr_sigma_scratch_stats(s)->candidates;
    }
    tr_sigma_scratch_free(s);
    tr_ruleset_free(rs);
    sgt_event_release(&e);
    return full == n ? n : -2;
}

#define GATED(det, kv, want, want_cands)                                                           \
    do {                                                                                           \
        uint64_t c_;                                                                               \
        int n_ = gate_scan(det, kv, &c_);                                                          \
        CHECK_MSG(n_ == (want), "matches %d, expected %d", n_, (want));                            \
        CHECK_MSG(c_ == (want_cands), "candidates %" PRIu64 ", expected %d", c_, (want_cands));   \
    } while (0)

static const char *const and_two = "    sel_img:\n"
                                   "        Image|endswith: '\\certutil.exe'\n"
                                   "    sel_cli:\n"
                                   "        CommandLine|contains: 'urlcache'\n"
                                   "    condition: sel_img and sel_cli\n";

TEST(sigma_gates_and_needs_every_search)
{
    GATED(and_two, KV("Image", "C:\\Windows\\System32\\certutil.exe", "CommandLine",
                      "certutil -urlcache -f http://x/a a"), 1, 1);
    /* Either search alone: the rule is not even evaluated. */
    GATED(and_two, KV("Image", "C:\\Windows\\System32\\certutil.exe", "CommandLine",
                      "certutil -verifyctl"), 0, 0);
    GATED(and_two, KV("Image", "C:\\Windows\\System32\\cmd.exe", "CommandLine",
                      "certutil -urlcache -f http://x/a a"), 0, 0);
    /* The two searches in one selection: the same. */
    const char *one_sel = "    selection:\n"
                          "        Image|endswith: '\\certutil.exe'\n"
                          "        CommandLine|contains: 'urlcache'\n"
                          "    condition: selection\n";
    GATED(one_sel, KV("Image", "C:\\Windows\\System32\\certutil.exe", "CommandLine",
                      "certutil -urlcache"), 1, 1);
    GATED(one_sel, KV("Image", "C:\\x\\certutil.exe", "CommandLine", "certutil -split"), 0, 0);
}

TEST(sigma_gates_or_branch_is_a_union)
{
    /* The second gate is "urlcache or verifyctl": either branch must pass. */
    const char *det = "    sel_img:\n"
                      "        Image|endswith: '\\certutil.exe'\n"
                      "    sel_cli_a:\n"
                      "        CommandLine|contains: 'urlcache'\n"
                      "    sel_cli_b:\n"
                      "        CommandLine|contains: 'verifyctl'\n"
                      "        ParentImage|endswith: '\\winword.exe'\n"
                      "    condition: sel_img and 1 of sel_cli_*\n";
    GATED(det, KV("Image", "C:\\w\\certutil.exe", "CommandLine", "certutil -urlcache"), 1, 1);
    GATED(det, KV("Image", "C:\\w\\certutil.exe", "CommandLine", "certutil -verifyctl",
                  "ParentImage", "C:\\o\\WINWORD.EXE"), 1, 1);
    /* verifyctl without the parent: no match, whichever of the two the
     * union holds. */
    uint64_t c;
    CHECK_EQ(gate_scan(det, KV("Image", "C:\\w\\certutil.exe", "CommandLine", "certutil -verifyctl",
                              "ParentImage", "C:\\w\\explorer.exe"), &c), 0);
    GATED(det, KV("Image", "C:\\w\\certutil.exe", "CommandLine", "certutil -dump"), 0, 0);
}

TEST(sigma_gates_not_never_gates)
{
    const char *det = "    sel_img:\n"
                      "        Image|endswith: '\\certutil.exe'\n"
                      "    filter:\n"
                      "        CommandLine|contains: 'urlcache'\n"
                      "    condition: sel_img and not filter\n";
    GATED(det, KV("Image", "C:\\w\\certutil.exe", "CommandLine", "certutil -dump"), 1, 1);
    GATED(det, KV("Image", "C:\\w\\certutil.exe"), 1, 1);
    GATED(det, KV("Image", "C:\\w\\certutil.exe", "CommandLine", "certutil -urlcache"), 0, 1);
    /* A NOT around an AND gives no gate either. */
    const char *det2 = "    sel_img:\n"
                       "        Image|endswith: '\\certutil.exe'\n"
                       "    filter_a:\n"
                       "        CommandLine|contains: 'urlcache'\n"
                       "    filter_b:\n"
                       "        ParentImage|endswith: '\\services.exe'\n"
                       "    condition: sel_img and not (filter_a and filter_b)\n";
    GATED(det2, KV("Image", "C:\\w\\certutil.exe", "CommandLine", "certutil -urlcache"), 1, 1);
}

TEST(sigma_gates_all_needs_every_value)
{
    const char *det = "    selection:\n"
                      "        CommandLine|contains|all:\n"
                      "            - 'urlcache'\n"
                      "            - 'splitfile'\n"
                      "    condition: selection\n";
    GATED(det, KV("CommandLine", "certutil -urlcache -splitfile"), 1, 1);
    GATED(det, KV("CommandLine", "certutil -urlcache -f"), 0, 0);
    GATED(det, KV("CommandLine", "certutil -splitfile -f"), 0, 0);
}

TEST(sigma_gates_common_literals_outside_free_text)
{
    /* Common literals ('\cmd.exe', 'AUTHORI') gate too in fields that are
     * not free text; LogonId 0x3e7, the best single search, is in nearly
     * every Windows event. */
    const char *det = "    selection_shell:\n"
                      "        Image|endswith: '\\cmd.exe'\n"
                      "    selection_user:\n"
                      "        User|contains: 'AUTHORI'\n"
                      "        LogonId: '0x3e7'\n"
                      "    condition: all of selection_*\n";
    GATED(det, KV("Image", "C:\\Windows\\System32\\cmd.exe", "User", "NT AUTHORITY\\SYSTEM",
                  "LogonId", "0x3e7"), 1, 1);
    GATED(det, KV("Image", "C:\\Windows\\System32\\cmd.exe", "User", "CORP\\alice", "LogonId",
                  "0x3e7"), 0, 0);
    GATED(det, KV("Image", "C:\\Windows\\System32\\svchost.exe", "User", "NT AUTHORITY\\SYSTEM",
                  "LogonId", "0x3e7"), 0, 0);
}

TEST(sigma_gates_or_of_ands)
{
    /* An OR of two ANDs is one gate, the union of one group per branch:
     * each branch still matches. */
    const char *det = "    sel_a:\n"
                      "        Image|endswith: '\\certutil.exe'\n"
                      "        CommandLine|contains: 'urlcache'\n"
                      "    sel_b:\n"
                      "        Image|endswith: '\\bitsadmin.exe'\n"
                      "        CommandLine|contains: '/transfer'\n"
                      "    condition: sel_a or sel_b\n";
    GATED(det, KV("Image", "C:\\w\\bitsadmin.exe", "CommandLine", "bitsadmin /transfer j"), 1, 1);
    GATED(det, KV("Image", "C:\\w\\certutil.exe", "CommandLine", "certutil -urlcache"), 1, 1);
    /* A hit in each branch but no branch whole: a candidate, no match. */
    GATED(det, KV("Image", "C:\\w\\bitsadmin.exe", "CommandLine", "certutil -urlcache"), 0, 1);
    GATED(det, KV("Image", "C:\\w\\cmd.exe", "CommandLine", "dir"), 0, 0);
}

/* A field whose literals all have a byte ('=' in Hashes) followed by 8 more
 * is scanned only when some '=' of the value is followed by the 8 bytes of
 * a literal (plan.c, build_bgate); a keyword atom kept in that database is
 * then searched for directly. */
static const char *const hash_rules =
    "title: hash\nlogsource:\n    product: test\ndetection:\n    selection:\n"
    "        Hashes|contains:\n"
    "            - 'SHA256=2FB6C04C4F95FB8D158AF94C137F90AC820716DEAF88D8EBEC956254E046CB29'\n"
    "            - 'IMPHASH=F34D5F2D4577ED6D9CEEC516C1F5A744'\n"
    "    condition: selection\n"
    "---\n"
    "title: keyword\nlogsource:\n    product: test\ndetection:\n"
    "    keywords:\n        - '\\perfc.dat'\n    condition: keywords\n";

static int hash_scan(const char *hashes)
{
    sgt_event e;
    sgt_event_init(&e);
    sgt_add(&e, "Hashes", hashes, TR_VSTR);
    e.ev.logsource.product = TR_STR("test");
    int n = sgt_eval_opts(hash_rules, &e.ev, NULL, NULL);
    sgt_event_release(&e);
    return n;
}

TEST(sigma_gates_byte_gate_of_a_field)
{
    CHECK_EQ(hash_scan("MD5=0123,SHA256=2fb6c04c4f95fb8d158af94c137f90ac820716deaf88d8ebec956254e046"
                       "cb29,IMPHASH=00"), 1);
    CHECK_EQ(hash_scan("SHA1=01,IMPHASH=F34D5F2D4577ED6D9CEEC516C1F5A744"), 1);
    /* The 8 bytes after '=' agree, the rest does not. */
    CHECK_EQ(hash_scan("IMPHASH=F34D5F2D4577ED6D9CEEC516C1F5A745"), 0);
    CHECK_EQ(hash_scan("SHA256=0000,IMPHASH=0000000000000000000000000000000000"), 0);
    /* The keyword in a value the gate rules out, and in one it lets in. */
    CHECK_EQ(hash_scan("SHA256=00,X=C:\\Windows\\perfc.dat"), 1);
    CHECK_EQ(hash_scan("IMPHASH=F34D5F2D4577ED6D9CEEC516C1F5A744 \\PERFC.DAT"), 2);
    CHECK_EQ(hash_scan("\\perfc.dat"), 1);
}
