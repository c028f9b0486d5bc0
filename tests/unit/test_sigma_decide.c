/*
 * test_sigma_decide.c - what the prefilter carries from one event to the
 * next through a scratch: per-event stamps (the clauses a hit slot decides,
 * tr_sigma_scratch.chgen) and the value cache, which a byte-gated field
 * skips for the values its gate keeps out. One ruleset and one scratch scan
 * a sequence of events; every event is also evaluated in full (no
 * prefilter, its own scratch) and both must report the same number of
 * matches, the one expected.
 */
#include "test_sigma_util.h"

#include "core/common.h"

typedef struct seq {
    tr_ruleset *fast, *slow;
    tr_sigma_scratch *sf, *ss;
} seq;

static bool seq_open(seq *q, const char *yaml)
{
    memset(q, 0, sizeof(*q));
    tr_sigma_opts o = { 0 };
    q->fast = sgt_load_opts(yaml, &o);
    o.no_prefilter = true;
    q->slow = sgt_load_opts(yaml, &o);
    return q->fast && q->slow && tr_ruleset_count(q->fast) == tr_ruleset_count(q->slow) &&
           tr_sigma_scratch_new(q->fast, &q->sf) == TR_OK &&
           tr_sigma_scratch_new(q->slow, &q->ss) == TR_OK;
}

static void seq_close(seq *q)
{
    tr_sigma_scratch_free(q->sf);
    tr_sigma_scratch_free(q->ss);
    tr_ruleset_free(q->fast);
    tr_ruleset_free(q->slow);
}

/* Matches of the event kv with the persistent prefiltered scratch; -2 when
 * full evaluation disagrees. *cands: the rules it evaluated. */
static int seq_scan_c(seq *q, const char *const *kv, int *cands)
{
    uint64_t c0 = tr_sigma_scratch_stats(q->sf)->candidates;
    sgt_event e;
    sgt_event_init(&e);
    sgt_event_kv(&e, kv);
    e.ev.logsource.product = TR_STR("test");
    sgt_hits a, b;
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    int r = -100;
    if (tr_sigma_scan(q->fast, q->sf, &e.ev, sgt_on_match, &a) == TR_OK &&
        tr_sigma_scan(q->slow, q->ss, &e.ev, sgt_on_match, &b) == TR_OK)
        r = a.n == b.n ? (int)a.n : -2;
    *cands = (int)(tr_sigma_scratch_stats(q->sf)->candidates - c0);
    sgt_event_release(&e);
    return r;
}

static int seq_scan(seq *q, const char *const *kv)
{
    int c;
    return seq_scan_c(q, kv, &c);
}

#define SEQ(q, kv, want)                                                                           \
    do {                                                                                           \
        int n_ = seq_scan(q, kv);                                                                  \
        CHECK_MSG(n_ == (want), "matches %d, expected %d", n_, (want));                            \
    } while (0)

/* A list of more than SG_PDEC_DIRECT decided literals is decided by clause
 * stamps: without |all one clause for the predicate, with |all one per
 * value. A stamp holds for its event only, and only for its predicate. */
static const char
    *const decided_rules = "title: list\nlogsource:\n    product: test\ndetection:\n"
                           "    sel_img:\n"
                           "        Image|endswith: '\\rundll32.exe'\n"
                           "    sel_cli:\n"
                           "        CommandLine|contains:\n"
                           "            - 'MiniDump'\n"
                           "            - 'comsvcs'\n"
                           "            - 'urlcache'\n"
                           "            - 'verifyctl'\n"
                           "            - 'DownloadString'\n"
                           "            - 'FromBase64String'\n"
                           "    condition: sel_img and sel_cli\n"
                           "---\n"
                           "title: all\nlogsource:\n    product: test\ndetection:\n"
                           "    sel_img:\n"
                           "        Image|endswith: '\\rundll32.exe'\n"
                           "    sel_all:\n"
                           "        CommandLine|contains|all:\n"
                           "            - 'MiniDump'\n"
                           "            - 'comsvcs'\n"
                           "            - 'lsass'\n"
                           "            - 'fullmemory'\n"
                           "            - 'tempdump'\n"
                           "    condition: sel_img and sel_all\n"
                           "---\n"
                           "title: other field\nlogsource:\n    product: test\ndetection:\n"
                           "    sel_img:\n"
                           "        Image|endswith: '\\rundll32.exe'\n"
                           "    sel_parent:\n"
                           "        ParentCommandLine|contains:\n"
                           "            - 'MiniDump'\n"
                           "            - 'comsvcs'\n"
                           "            - 'urlcache'\n"
                           "            - 'verifyctl'\n"
                           "            - 'DownloadString'\n"
                           "    condition: sel_img and sel_parent\n"
                           "---\n"
                           "title: not list\nlogsource:\n    product: test\ndetection:\n"
                           "    sel_img:\n"
                           "        Image|endswith: '\\rundll32.exe'\n"
                           "    filter:\n"
                           "        CommandLine|contains:\n"
                           "            - 'MiniDump'\n"
                           "            - 'comsvcs'\n"
                           "            - 'urlcache'\n"
                           "            - 'verifyctl'\n"
                           "            - 'DownloadString'\n"
                           "            - 'FromBase64String'\n"
                           "    filter_all:\n"
                           "        ParentCommandLine|contains|all:\n"
                           "            - 'MiniDump'\n"
                           "            - 'comsvcs'\n"
                           "            - 'lsass'\n"
                           "            - 'fullmemory'\n"
                           "            - 'tempdump'\n"
                           "    condition: sel_img and not filter and not filter_all\n";

TEST(sigma_decide_clause_stamps_per_event_and_predicate)
{
    seq q;
    CHECK(seq_open(&q, decided_rules));
    const char *img = "C:\\Windows\\System32\\rundll32.exe";
    for (int round = 0; round < 2; round++) {
        /* One literal of the list: "list" only (the parent has none). */
        SEQ(&q,
            KV("Image", img, "CommandLine", "rundll32 comsvcs.dll, x", "ParentCommandLine", "cmd"),
            1);
        /* The next event has none: the stamps of the last one do not count
         * ("not list" is evaluated, its filter must be false). */
        SEQ(&q, KV("Image", img, "CommandLine", "rundll32 shell32.dll", "ParentCommandLine", "cmd"),
            1);
        /* In the parent only: "other field", not "list" ("not list": yes). */
        SEQ(&q, KV("Image", img, "CommandLine", "rundll32 x", "ParentCommandLine", "a MiniDump b"),
            2);
        /* |all: every value, in any order; four of five is no match. */
        SEQ(&q, KV("Image", img, "CommandLine", "tempdump fullmemory lsass comsvcs MiniDump"), 2);
        SEQ(&q, KV("Image", img, "CommandLine", "tempdump fullmemory lsass comsvcs"), 1);
        SEQ(&q, KV("Image", img, "CommandLine", "fullmemory lsass comsvcs MiniDump"), 1);
        SEQ(&q,
            KV("Image", img, "CommandLine", "x", "ParentCommandLine",
               "tempdump fullmemory lsass comsvcs MiniDump"),
            1);
        SEQ(&q,
            KV("Image", img, "CommandLine", "x", "ParentCommandLine",
               "tempdump fullmemory lsass comsvcs"),
            2);
        SEQ(&q, KV("Image", img, "CommandLine", "x", "ParentCommandLine", "lsass"), 1);
    }
    SEQ(&q,
        KV("Image", "C:\\x\\cmd.exe", "CommandLine", "tempdump fullmemory lsass comsvcs MiniDump"),
        0);
    seq_close(&q);
}

/* A byte-gated field (Hashes) looks up the value cache only for values its
 * gate lets in; the others are never cached, so a value let in is still
 * scanned when it comes again, and a keyword in a value kept out is still
 * searched for. */
static const char *const gated_rules =
    "title: hash\nlogsource:\n    product: test\ndetection:\n    selection:\n"
    "        Hashes|contains:\n"
    "            - 'SHA256=2FB6C04C4F95FB8D158AF94C137F90AC820716DEAF88D8EBEC956254E046CB29'\n"
    "            - 'IMPHASH=F34D5F2D4577ED6D9CEEC516C1F5A744'\n"
    "    condition: selection\n"
    "---\n"
    "title: keyword\nlogsource:\n    product: test\ndetection:\n"
    "    keywords:\n        - '\\perfc.dat'\n    condition: keywords\n";

TEST(sigma_decide_byte_gate_skips_the_value_cache)
{
    seq q;
    CHECK(seq_open(&q, gated_rules));
    const char *in = "SHA1=01,IMPHASH=F34D5F2D4577ED6D9CEEC516C1F5A744";
    const char *near = "SHA1=01,IMPHASH=F34D5F2D4577ED6D9CEEC516C1F5A745";
    const char *out = "SHA1=01,MD5=0123,IMPHASH=00000000000000000000000000000000";
    for (int round = 0; round < 3; round++) {
        SEQ(&q, KV("Hashes", in), 1);
        SEQ(&q, KV("Hashes", near), 0);
        SEQ(&q, KV("Hashes", out), 0);
        SEQ(&q, KV("Hashes", "SHA256=00,X=C:\\Windows\\perfc.dat"), 1);
        SEQ(&q, KV("Hashes", "IMPHASH=F34D5F2D4577ED6D9CEEC516C1F5A744 \\PERFC.DAT"), 2);
    }
    seq_close(&q);
}

#define SEQC(q, kv, want, want_cands)                                                              \
    do {                                                                                           \
        int c_;                                                                                    \
        int n_ = seq_scan_c(q, kv, &c_);                                                           \
        CHECK_MSG(n_ == (want), "matches %d, expected %d", n_, (want));                            \
        CHECK_MSG(c_ == (want_cands), "candidates %d, expected %d", c_, (want_cands));             \
    } while (0)

/* A rule without atoms is still not evaluated when none of the regexes it
 * needs can match: each has a test it must pass first (here: a dot followed
 * by a space or a quote), and no value of its field passes it (plan.c,
 * build_guards). The guard never hides a match. */
static const char *const guard_rules = "title: dot\nlogsource:\n    product: test\ndetection:\n"
                                       "    sel:\n        CommandLine|re: '\\.[ \"]'\n"
                                       "    filter:\n        CommandLine|contains: 'harmless'\n"
                                       "    condition: sel and not filter\n";

TEST(sigma_decide_guard_of_a_rule_without_atoms)
{
    seq q;
    CHECK(seq_open(&q, guard_rules));
    for (int round = 0; round < 2; round++) {
        SEQC(&q, KV("CommandLine", "run a.exe b"), 0, 0);
        SEQC(&q, KV("CommandLine", "run a. b"), 1, 1);
        SEQC(&q, KV("CommandLine", "run a.\" b"), 1, 1);
        SEQC(&q, KV("CommandLine", "run a. harmless"), 0, 1);
        SEQC(&q, KV("CommandLine", "run a.harmless"), 0, 0);
        SEQC(&q, KV("User", "a. b"), 0, 0); /* another field */
        SEQC(&q, KV("CommandLine", NULL), 0, 0);
    }
    seq_close(&q);
}

/* An OR is guarded only when every branch is: a regex without any such test
 * in one branch leaves the rule evaluated for every event; with a test in
 * both, either branch lets it in. */
static const char
    *const guard_or_rules = "title: unguarded\nlogsource:\n    product: test\ndetection:\n"
                            "    sel_a:\n        CommandLine|re: '\\.[ \"]'\n"
                            "    sel_b:\n        User|re: '^\\w+$'\n"
                            "    condition: sel_a or sel_b\n"
                            "---\n"
                            "title: guarded\nlogsource:\n    product: test\ndetection:\n"
                            "    sel_a:\n        CommandLine|re: '\\.[ \"]'\n"
                            "    sel_b:\n        User|re: 'adm\\d'\n"
                            "    condition: 1 of sel_*\n";

TEST(sigma_decide_guard_needs_every_branch)
{
    seq q;
    CHECK(seq_open(&q, guard_or_rules));
    SEQC(&q, KV("CommandLine", "run a.exe", "User", "x y"), 0, 1);
    SEQC(&q, KV("CommandLine", "run a. b", "User", "x y"), 2, 2);
    SEQC(&q, KV("CommandLine", "run a.exe", "User", "bob"), 1, 1);
    SEQC(&q, KV("CommandLine", "run a.exe", "User", "adm7"), 2, 2);
    SEQC(&q, KV("CommandLine", "run a.exe", "User", "admx adm"), 0, 2);
    seq_close(&q);
}
