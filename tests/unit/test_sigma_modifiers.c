/*
 * test_sigma_modifiers.c - every value modifier of the modifiers appendix,
 * with positive and negative cases, and the chaining rules.
 */
#include "test_sigma_util.h"

#define SEL(field, value) "    sel:\n        " field ": " value "\n    condition: sel\n"

TEST(sigma_mod_contains)
{
    MATCH(SEL("CommandLine|contains", "whoami"), KV("CommandLine", "cmd /c WhoAmI /all"));
    NO_MATCH(SEL("CommandLine|contains", "whoami"), KV("CommandLine", "who ami"));
    MATCH(SEL("CommandLine|contains", "''"), KV("CommandLine", "anything"));
    MATCH(SEL("CommandLine|contains", "''"), KV("CommandLine", ""));
    NO_MATCH(SEL("CommandLine|contains", "''"), KV("Other", "x"));
}

TEST(sigma_mod_startswith_endswith)
{
    MATCH(SEL("Image|startswith", "'C:\\Windows\\'"), KV("Image", "c:\\windows\\x.exe"));
    NO_MATCH(SEL("Image|startswith", "'C:\\Windows\\'"), KV("Image", "d:\\c:\\windows\\x.exe"));
    MATCH(SEL("Image|endswith", "'\\cmd.exe'"), KV("Image", "C:\\W\\CMD.EXE"));
    NO_MATCH(SEL("Image|endswith", "'\\cmd.exe'"), KV("Image", "C:\\W\\cmd.exe.bak"));
    NO_MATCH(SEL("Image|endswith", "'\\cmd.exe'"), KV("Image", "cmd.exe"));
}

TEST(sigma_mod_all)
{
    const char *det = "    sel:\n        CommandLine|contains|all:\n            - ' -w '\n"
                      "            - hidden\n    condition: sel\n";
    MATCH(det, KV("CommandLine", "powershell -w hidden -enc x"));
    NO_MATCH(det, KV("CommandLine", "powershell -w normal"));
    /* all on a single value is not allowed (modifiers appendix). */
    REJECT(SEL("CommandLine|contains|all", "x"));
}

TEST(sigma_mod_exists)
{
    MATCH(SEL("PasswordLastSet|exists", "true"), KV("PasswordLastSet", "x"));
    MATCH(SEL("PasswordLastSet|exists", "true"), KV("PasswordLastSet", ""));
    MATCH(SEL("PasswordLastSet|exists", "true"), KV("PasswordLastSet", NULL));
    NO_MATCH(SEL("PasswordLastSet|exists", "true"), KV("Other", "x"));
    MATCH(SEL("PasswordLastSet|exists", "false"), KV("Other", "x"));
    NO_MATCH(SEL("PasswordLastSet|exists", "false"), KV("PasswordLastSet", ""));
    REJECT(SEL("PasswordLastSet|exists", "yes please"));
    REJECT(SEL("PasswordLastSet|exists|contains", "true"));
}

TEST(sigma_mod_cased)
{
    MATCH(SEL("User|cased", "Admin"), KV("User", "Admin"));
    NO_MATCH(SEL("User|cased", "Admin"), KV("User", "admin"));
    MATCH(SEL("CommandLine|contains|cased", "EVIL"), KV("CommandLine", "an EVIL one"));
    NO_MATCH(SEL("CommandLine|contains|cased", "EVIL"), KV("CommandLine", "an evil one"));
    NO_MATCH(SEL("CommandLine|cased|endswith", "X*y"), KV("CommandLine", "aXbY"));
    MATCH(SEL("CommandLine|cased|endswith", "X*y"), KV("CommandLine", "aXby"));
}

TEST(sigma_mod_neq)
{
    const char *det = "    sel:\n        Status|neq:\n            - '0x0'\n            - '0x1'\n"
                      "    condition: sel\n";
    MATCH(det, KV("Status", "0xC000006D"));
    NO_MATCH(det, KV("Status", "0x0"));
    NO_MATCH(det, KV("Status", "0X1"));
    /* A field that is absent does not differ from anything. */
    NO_MATCH(det, KV("Other", "x"));
    MATCH(SEL("Image|endswith|neq", "'\\svchost.exe'"), KV("Image", "C:\\evil.exe"));
    NO_MATCH(SEL("Image|endswith|neq", "'\\svchost.exe'"), KV("Image", "C:\\svchost.exe"));
    MATCH(SEL("Count|neq", "5"), KV("Count", "6"));
    NO_MATCH(SEL("Count|neq", "5"), KV("Count", "5"));
}

TEST(sigma_mod_windash)
{
    const char *det = SEL("CommandLine|windash|contains", "' -enc '");
    MATCH(det, KV("CommandLine", "powershell -enc AAA"));
    MATCH(det, KV("CommandLine", "powershell /enc AAA"));
    MATCH(det, KV("CommandLine", "powershell \xE2\x80\x93" "enc AAA"));  /* en dash */
    MATCH(det, KV("CommandLine", "powershell \xE2\x80\x94" "enc AAA"));  /* em dash */
    MATCH(det, KV("CommandLine", "powershell \xE2\x80\x95" "enc AAA"));  /* horizontal bar */
    NO_MATCH(det, KV("CommandLine", "powershell +enc AAA"));
    NO_MATCH(det, KV("CommandLine", "powershell enc AAA"));
    /* Every dash of the value is permuted (specification), also inside words. */
    const char *two = SEL("CommandLine|contains|windash", "'-a-b'");
    MATCH(two, KV("CommandLine", "x /a/b"));
    MATCH(two, KV("CommandLine", "x -a/b"));
    NO_MATCH(two, KV("CommandLine", "x -ab"));
    /* An exact windash value is still whole-value. */
    MATCH(SEL("p|windash", "'-s'"), KV("p", "/S"));
    NO_MATCH(SEL("p|windash", "'-s'"), KV("p", "/s x"));
}

TEST(sigma_mod_re_literals_through_groups)
{
    /* The prefilter reads a plain group that must occur as part of the
     * sequence for the regex's literal; these must all still match. */
    MATCH(SEL("CommandLine|re", "'\"(?:\\{\\d\\})+\"\\s*-f'"),
          KV("CommandLine", "&(\"{0}{1}\" -f 'a','b')"));
    NO_MATCH(SEL("CommandLine|re", "'\"(?:\\{\\d\\})+\"\\s*-f'"),
             KV("CommandLine", "chrome.exe --field-trial-handle=1"));
    MATCH(SEL("a|re", "'xq(abc)+yz'"), KV("a", "--xqabcabcyz--"));
    MATCH(SEL("a|re", "'xq(abc)yz'"), KV("a", "--xqabcyz--"));
    NO_MATCH(SEL("a|re", "'xq(abc)yz'"), KV("a", "--xqabcabcyz--"));
    MATCH(SEL("a|re", "'xq(?:abc)?yz'"), KV("a", "--xqyz--"));
    MATCH(SEL("a|re", "'xq(?:abc)*yz'"), KV("a", "--xqyz--"));
    MATCH(SEL("a|re", "'xq(?:abc){0,2}yz'"), KV("a", "--xqyz--"));
    MATCH(SEL("a|re", "'xq(?:abc){2}yz'"), KV("a", "--xqabcabcyz--"));
    MATCH(SEL("a|re", "'xq(abc|def)yz'"), KV("a", "--xqdefyz--"));
    MATCH(SEL("a|re", "'xq(?:ab(cd)+)+ez'"), KV("a", "--xqabcdcdabcdez--"));
    MATCH(SEL("a|re", "'xq(?:a(?:bc)d)ez'"), KV("a", "--xqabcdez--"));
    MATCH(SEL("a|re", "'xq(?=abc)abcz'"), KV("a", "--xqabcz--"));
    MATCH(SEL("a|re", "'xq(?:abc(?:de)?)+fg'"), KV("a", "--xqabcabcdefg--"));
    MATCH(SEL("a|re", "'(xyz)+'"), KV("a", "--xyzxyz--"));
}

TEST(sigma_mod_re)
{
    MATCH(SEL("CommandLine|re", "'\\s-e\\s'"), KV("CommandLine", "ps -e x"));
    NO_MATCH(SEL("CommandLine|re", "'\\s-e\\s'"), KV("CommandLine", "ps -ex"));
    /* Case-sensitive by default, i flag. */
    NO_MATCH(SEL("CommandLine|re", "'EVIL'"), KV("CommandLine", "evil"));
    MATCH(SEL("CommandLine|re|i", "'EVIL'"), KV("CommandLine", "evil"));
    MATCH(SEL("CommandLine|re|ignorecase", "'EVIL'"), KV("CommandLine", "evil"));
    /* Anywhere in the value, anchors available. */
    MATCH(SEL("CommandLine|re", "'b+c'"), KV("CommandLine", "abbbcd"));
    NO_MATCH(SEL("CommandLine|re", "'^b+c'"), KV("CommandLine", "abbbcd"));
    /* m: ^ and $ at line breaks. */
    NO_MATCH(SEL("Payload|re", "'^second$'"), KV("Payload", "first\nsecond\nthird"));
    MATCH(SEL("Payload|re|m", "'^second$'"), KV("Payload", "first\nsecond\nthird"));
    /* s: dot matches newline. */
    NO_MATCH(SEL("Payload|re", "'first.second'"), KV("Payload", "first\nsecond"));
    MATCH(SEL("Payload|re|s", "'first.second'"), KV("Payload", "first\nsecond"));
    /* Wildcard characters are regex syntax here, not Sigma wildcards. */
    MATCH(SEL("a|re", "'x.*y'"), KV("a", "x123y"));
    /* Chaining rules. */
    REJECT(SEL("a|contains|re", "'x'"));
    REJECT(SEL("a|i", "'x'"));
    REJECT(SEL("a|re", "'(unclosed'"));
    CHECK(strstr(sgt_err, "bad regular expression"));
}

TEST(sigma_mod_re_position)
{
    MATCH(SEL("a|re|startswith", "'ab+'"), KV("a", "abbbz"));
    NO_MATCH(SEL("a|re|startswith", "'ab+'"), KV("a", "zabbb"));
    MATCH(SEL("a|re|endswith", "'ab+'"), KV("a", "zabbb"));
    NO_MATCH(SEL("a|re|endswith", "'ab+'"), KV("a", "abbbz"));
    MATCH(SEL("a|re|contains", "'ab+'"), KV("a", "zabbbz"));
}

TEST(sigma_mod_re_limit_is_bounded)
{
    /* Catastrophic backtracking on hostile input: stopped by the PCRE2
     * limits, counted, and treated as not matching. */
    const char *y = "title: redos\nlogsource: {product: test}\ndetection:\n"
                    "    sel:\n        a|re: '^(a|aa)+$'\n    condition: sel\n";
    tr_sigma_opts o = { .regex_match_limit = 10000 };
    tr_ruleset *rs = sgt_load_opts(y, &o);
    CHECK(rs);
    tr_sigma_scratch *s;
    CHECK(tr_sigma_scratch_new(rs, &s) == TR_OK);
    sgt_event e;
    sgt_event_init(&e);
    e.ev.logsource.product = TR_STR("test");
    char v[200];
    memset(v, 'a', sizeof(v) - 2);
    v[sizeof(v) - 2] = '!';
    v[sizeof(v) - 1] = '\0';
    sgt_add(&e, "a", v, TR_VSTR);
    tr_log_level lv = tr_log_get_level();
    tr_log_set_level(TR_LOG_ERROR); /* the once-per-rule warning */
    sgt_hits h;
    memset(&h, 0, sizeof(h));
    CHECK(tr_sigma_scan(rs, s, &e.ev, sgt_on_match, &h) == TR_OK);
    tr_log_set_level(lv);
    CHECK_EQ(h.n, 0);
    CHECK(tr_sigma_scratch_stats(s)->regex_limit >= 1);
    sgt_event_release(&e);
    tr_sigma_scratch_free(s);
    tr_ruleset_free(rs);
}

TEST(sigma_mod_base64)
{
    MATCH(SEL("Payload|base64", "cmd"), KV("Payload", "Y21k"));
    NO_MATCH(SEL("Payload|base64", "cmd"), KV("Payload", "cmd"));
    MATCH(SEL("Payload|base64|contains", "cmd"), KV("Payload", "xxY21kxx"));
    /* Wildcards cannot be encoded: contains must come after. */
    REJECT(SEL("Payload|contains|base64", "cmd"));
}

TEST(sigma_mod_base64offset)
{
    const char *det = SEL("CommandLine|base64offset|contains", "cmd");
    MATCH(det, KV("CommandLine", "eGNtZA=="));                 /* "xcmd": offset 1 */
    MATCH(det, KV("CommandLine", "-enc eHhjbWQh"));             /* "xxcmd!": offset 2 */
    MATCH(det, KV("CommandLine", "cHJlZml4IGNtZCBzdWZmaXg=")); /* "prefix cmd suffix" */
    MATCH(det, KV("CommandLine", "Y21k"));
    NO_MATCH(det, KV("CommandLine", "cmd"));
    NO_MATCH(det, KV("CommandLine", "Y2Fs"));
}

TEST(sigma_mod_utf16)
{
    /* wide|base64offset: the usual PowerShell -EncodedCommand rule shape. */
    const char *det = SEL("CommandLine|wide|base64offset|contains", "IEX");
    MATCH(det, KV("CommandLine", "powershell -enc SQBFAFgA"));
    MATCH(det, KV("CommandLine", "powershell -enc xxkARQBYAxx"));
    NO_MATCH(det, KV("CommandLine", "powershell -enc SUVY"));
    MATCH(SEL("CommandLine|utf16le|base64offset|contains", "IEX"),
          KV("CommandLine", "e SQBFAFgA"));
    MATCH(SEL("Payload|utf16|base64", "cmd"), KV("Payload", "//5jAG0AZAA="));
    NO_MATCH(SEL("Payload|utf16|base64", "cmd"), KV("Payload", "YwBtAGQA"));

    /* Raw UTF-16 bytes in an event value. */
    sgt_event e;
    sgt_event_init(&e);
    e.ev.logsource.product = TR_STR("test");
    tr_event_add(&e.ev, TR_STR("Data"), (tr_str){ "c\0m\0d\0", 6 }, TR_VSTR);
    tr_event_add(&e.ev, TR_STR("Be"), (tr_str){ "\0c\0m\0d", 6 }, TR_VSTR);
    CHECK_EQ(sgt_eval_opts(sgt_rule_doc(SEL("Data|utf16le|contains", "cmd")), &e.ev, NULL, NULL), 1);
    CHECK_EQ(sgt_eval_opts(sgt_rule_doc(SEL("Data|utf16be|contains", "cmd")), &e.ev, NULL, NULL), 0);
    CHECK_EQ(sgt_eval_opts(sgt_rule_doc(SEL("Be|utf16be", "cmd")), &e.ev, NULL, NULL), 1);
    CHECK_EQ(sgt_eval_opts(sgt_rule_doc(SEL("Be|utf16le", "cmd")), &e.ev, NULL, NULL), 0);
    sgt_event_release(&e);
}

TEST(sigma_mod_cidr)
{
    const char *det = "    sel:\n        DestinationIp|cidr:\n            - 10.0.0.0/8\n"
                      "            - 192.168.0.0/16\n            - 'fe80::/10'\n"
                      "    condition: sel\n";
    MATCH(det, KV("DestinationIp", "10.1.2.3"));
    MATCH(det, KV("DestinationIp", "192.168.255.1"));
    MATCH(det, KV("DestinationIp", "FE80::1"));
    MATCH(det, KV("DestinationIp", "::ffff:10.9.9.9")); /* IPv4-mapped */
    NO_MATCH(det, KV("DestinationIp", "11.0.0.1"));
    NO_MATCH(det, KV("DestinationIp", "fec0::1"));
    NO_MATCH(det, KV("DestinationIp", "not an address"));
    MATCH(SEL("ip|cidr", "'2001:db8::/32'"), KV("ip", "2001:db8:1::5"));
    NO_MATCH(SEL("ip|cidr", "'2001:db8::/32'"), KV("ip", "2001:db9::5"));
    MATCH(SEL("ip|cidr", "1.2.3.4"), KV("ip", "1.2.3.4")); /* a bare address is /32 */
    NO_MATCH(SEL("ip|cidr", "1.2.3.4"), KV("ip", "1.2.3.5"));
    REJECT(SEL("ip|cidr", "10.0.0.0/33"));
    REJECT(SEL("ip|cidr", "nonsense"));
    REJECT(SEL("ip|contains|cidr", "10.0.0.0/8"));
}

TEST(sigma_mod_numeric)
{
    MATCH(SEL("n|gt", "10"), KV("n", "11"));
    NO_MATCH(SEL("n|gt", "10"), KV("n", "10"));
    MATCH(SEL("n|gte", "10"), KV("n", "10"));
    MATCH(SEL("n|lt", "10"), KV("n", "9.5"));
    NO_MATCH(SEL("n|lt", "10"), KV("n", "10"));
    MATCH(SEL("n|lte", "10"), KV("n", "10"));
    NO_MATCH(SEL("n|lte", "10"), KV("n", "10.01"));
    MATCH(SEL("n|gt", "-1"), KV("n", "0"));
    MATCH(SEL("n|gte", "0x10"), KV("n", "16"));
    NO_MATCH(SEL("n|gt", "10"), KV("n", "eleven"));
    NO_MATCH(SEL("n|gt", "10"), KV("n", "11 apples"));
    NO_MATCH(SEL("n|gt", "10"), KV("m", "11"));
    MATCH(SEL("n|gt", "'10'"), KV("n", "20")); /* a quoted number is a number */
    REJECT(SEL("n|gt", "ten"));
    REJECT(SEL("n|gt|lt", "10"));
}

TEST(sigma_mod_time_parts)
{
    const char *ts = "2020-03-11T23:45:12.123Z"; /* a Wednesday, ISO week 11 */
    MATCH(SEL("UtcTime|minute", "45"), KV("UtcTime", ts));
    NO_MATCH(SEL("UtcTime|minute", "44"), KV("UtcTime", ts));
    MATCH(SEL("UtcTime|hour", "23"), KV("UtcTime", ts));
    MATCH(SEL("UtcTime|day", "11"), KV("UtcTime", ts));
    MATCH(SEL("UtcTime|week", "11"), KV("UtcTime", ts));
    MATCH(SEL("UtcTime|month", "3"), KV("UtcTime", ts));
    MATCH(SEL("UtcTime|year", "2020"), KV("UtcTime", ts));
    NO_MATCH(SEL("UtcTime|year", "2021"), KV("UtcTime", ts));
    /* Sysmon's UtcTime format, and no time-zone conversion. */
    MATCH(SEL("UtcTime|hour", "8"), KV("UtcTime", "2019-03-02 08:51:00.008"));
    MATCH(SEL("t|hour", "8"), KV("t", "2019-03-02T08:51:00+05:00"));
    /* ISO weeks at year boundaries. */
    MATCH(SEL("t|week", "53"), KV("t", "2021-01-01T00:00:00Z"));
    MATCH(SEL("t|week", "1"), KV("t", "2019-12-30T00:00:00Z"));
    /* With a comparison. */
    MATCH(SEL("t|hour|gte", "20"), KV("t", "2020-01-01 22:00:00"));
    NO_MATCH(SEL("t|hour|gte", "20"), KV("t", "2020-01-01 19:59:00"));
    NO_MATCH(SEL("t|hour", "8"), KV("t", "not a time"));
    NO_MATCH(SEL("t|minute", "0"), KV("t", "2020-01-01"));
    REJECT(SEL("t|hour", "eight"));
}

TEST(sigma_mod_expand)
{
    const char *y = "title: admins\nlogsource: {product: test}\ndetection:\n"
                    "    sel:\n        User|expand: '%Administrators%'\n"
                    "    host:\n        Computer|contains|expand: '%Servers%'\n"
                    "    condition: sel and host\n";
    const char *ph[] = { "Administrators=admin,root", "Servers=srv*-prod" };
    tr_sigma_opts o = { .placeholders = ph, .nplaceholders = 2 };
    sgt_event e;
    sgt_event_init(&e);
    e.ev.logsource.product = TR_STR("test");
    sgt_add(&e, "User", "ROOT", TR_VSTR);
    sgt_add(&e, "Computer", "x.srv12-prod.corp", TR_VSTR);
    CHECK_EQ(sgt_eval_opts(y, &e.ev, &o, NULL), 1);
    e.ev.fields[0].value = TR_STR("bob");
    CHECK_EQ(sgt_eval_opts(y, &e.ev, &o, NULL), 0);
    /* Without values the rule is rejected, not widened. */
    CHECK_EQ(sgt_eval_opts(y, &e.ev, NULL, NULL), -1);
    CHECK(strstr(sgt_err, "placeholder %Administrators% has no values"));
    sgt_event_release(&e);
    /* Without |expand, %name% is literal. */
    MATCH(SEL("User", "'%Administrators%'"), KV("User", "%administrators%"));
    /* \% is a plain percent sign with |expand. */
    const char *esc = "    sel:\n        User|expand: '\\%x%Administrators%'\n"
                      "    condition: sel\n";
    sgt_event e2;
    sgt_event_init(&e2);
    e2.ev.logsource.product = TR_STR("test");
    sgt_add(&e2, "User", "%xadmin", TR_VSTR);
    CHECK_EQ(sgt_eval_opts(sgt_rule_doc(esc), &e2.ev, &o, NULL), 1);
    sgt_event_release(&e2);
}

TEST(sigma_mod_expand_directory)
{
    char dir[512];
    snprintf(dir, sizeof(dir), "%s/sigma/placeholders", tt_datadir());
    tr_sigma_opts o = { .placeholder_dir = dir };
    const char *y = "title: dc\nlogsource: {product: test}\ndetection:\n"
                    "    sel:\n        IpAddress|expand: '%dc_ip_addresses%'\n"
                    "    condition: sel\n";
    sgt_event e;
    sgt_event_init(&e);
    e.ev.logsource.product = TR_STR("test");
    sgt_add(&e, "IpAddress", "10.0.0.2", TR_VSTR);
    CHECK_EQ(sgt_eval_opts(y, &e.ev, &o, NULL), 1);
    e.ev.fields[0].value = TR_STR("10.0.0.9");
    CHECK_EQ(sgt_eval_opts(y, &e.ev, &o, NULL), 0);
    sgt_event_release(&e);
}

TEST(sigma_mod_fieldref)
{
    MATCH(SEL("TargetUser|fieldref", "SubjectUser"), KV("TargetUser", "Bob", "SubjectUser", "bob"));
    NO_MATCH(SEL("TargetUser|fieldref", "SubjectUser"), KV("TargetUser", "bob", "SubjectUser", "eve"));
    NO_MATCH(SEL("TargetUser|fieldref", "SubjectUser"), KV("TargetUser", "bob"));
    MATCH(SEL("Cmd|fieldref|contains", "Name"), KV("Cmd", "run EVIL.exe now", "Name", "evil.exe"));
    NO_MATCH(SEL("Cmd|fieldref|contains", "Name"), KV("Cmd", "run good.exe", "Name", "evil.exe"));
    MATCH(SEL("Cmd|fieldref|startswith", "Name"), KV("Cmd", "evil.exe x", "Name", "evil.exe"));
    NO_MATCH(SEL("Cmd|fieldref|startswith", "Name"), KV("Cmd", "x evil.exe", "Name", "evil.exe"));
    MATCH(SEL("Cmd|fieldref|endswith", "Name"), KV("Cmd", "x evil.exe", "Name", "evil.exe"));
    NO_MATCH(SEL("Cmd|fieldref|endswith", "Name"), KV("Cmd", "evil.exe x", "Name", "evil.exe"));
    MATCH(SEL("a|fieldref|neq", "b"), KV("a", "1", "b", "2"));
    NO_MATCH(SEL("a|fieldref|neq", "b"), KV("a", "1", "b", "1"));
    NO_MATCH(SEL("a|fieldref|cased", "b"), KV("a", "X", "b", "x"));
    REJECT(SEL("a|fieldref", "b*"));
}

TEST(sigma_mod_chaining_rules)
{
    REJECT(SEL("a|nosuch", "x"));
    REJECT(SEL("a|contains|cidr", "10.0.0.0/8"));
    REJECT(SEL("a|base64|re", "x"));
    REJECT(SEL("a|cased|cased", "x"));
    REJECT(SEL("a|contains", "null"));
    REJECT(SEL("a|windash|base64|contains", "'*-x'"));
    /* Position modifiers may repeat harmlessly. */
    MATCH(SEL("a|contains|contains", "x"), KV("a", "axa"));
    /* Numbers and booleans become strings for string modifiers. */
    MATCH(SEL("EventID|startswith", "46"), KV("EventID", "4688"));
    MATCH(SEL("v|contains", "true"), KV("v", "is true"));
}

TEST(sigma_modifier_registry_documents_everything)
{
    size_t n;
    const tr_sigma_modifier_doc *m = tr_sigma_modifiers(&n);
    CHECK(n >= 30);
    static const char *const want[] = { "contains", "startswith", "endswith", "all", "exists",
                                        "cased", "neq", "windash", "re", "i", "m", "s", "base64",
                                        "base64offset", "utf16le", "wide", "utf16be", "utf16",
                                        "lt", "lte", "gt", "gte", "minute", "hour", "day", "week",
                                        "month", "year", "cidr", "expand", "fieldref" };
    for (size_t i = 0; i < TR_ARRAY_LEN(want); i++) {
        bool found = false;
        for (size_t k = 0; k < n; k++)
            found |= strcmp(m[k].name, want[i]) == 0 && m[k].summary[0] && m[k].group[0];
        CHECK_MSG(found, "modifier %s missing from the registry", want[i]);
    }
    CHECK(m[n].name == NULL);
}

TEST(sigma_mod_expand_in_regex)
{
    /* Placeholder values inside a regex match literally (wildcards as
     * wildcards). */
    const char *y = "title: rx\nlogsource: {product: test}\ndetection:\n"
                    "    s:\n        a|re|expand: '^%Admins%-[0-9]+$'\n    condition: s\n";
    const char *ph[] = { "Admins=adm_*,r.oot" };
    tr_sigma_opts o = { .placeholders = ph, .nplaceholders = 1 };
    static const struct {
        const char *v;
        int want;
    } cases[] = { { "adm_x-12", 1 }, { "r.oot-3", 1 }, { "rXoot-3", 0 }, { "adm_x-", 0 } };
    for (size_t i = 0; i < TR_ARRAY_LEN(cases); i++) {
        sgt_event e;
        sgt_event_init(&e);
        e.ev.logsource.product = TR_STR("test");
        sgt_add(&e, "a", cases[i].v, TR_VSTR);
        int r = sgt_eval_opts(y, &e.ev, &o, NULL);
        sgt_event_release(&e);
        CHECK_MSG(r == cases[i].want, "%s: %d", cases[i].v, r);
    }
}

TEST(sigma_mod_re_quantified_multibyte_character)
{
    /* In UTF-8 mode a quantifier applies to the whole character: the
     * prefilter must not require part of an optional one. */
    MATCH(SEL("a|re", "'xyz\xC3\xA9?abc'"), KV("a", "xyzabc"));
    MATCH(SEL("a|re", "'xyz\xC3\xA9?abc'"), KV("a", "xyz\xC3\xA9" "abc"));
    NO_MATCH(SEL("a|re", "'xyz\xC3\xA9?abc'"), KV("a", "xyz\xC3" "abc"));
    MATCH(SEL("a|re", "'caf\xC3\xA9+s'"), KV("a", "caf\xC3\xA9\xC3\xA9s"));
}

TEST(sigma_mod_fieldref_reports_both_fields)
{
    sgt_event e;
    sgt_event_init(&e);
    e.ev.logsource.product = TR_STR("test");
    sgt_add(&e, "ParentImage", "C:\\x\\a.exe", TR_VSTR);
    sgt_add(&e, "Image", "C:\\X\\A.EXE", TR_VSTR);
    sgt_hits h;
    int r = sgt_eval_opts(sgt_rule_doc(SEL("Image|fieldref", "ParentImage")), &e.ev, NULL, &h);
    sgt_event_release(&e);
    CHECK_EQ(r, 1);
    CHECK_STR(h.fields[0], "ParentImage=C:\\x\\a.exe;Image=C:\\X\\A.EXE;");
}

/* sg_memmem (the contains search on lowercased values) agrees with memmem on
 * needles and haystacks made of a few bytes, common path bytes among them,
 * so that every match position and near miss occurs. */
#include "sigma/value.h"
TEST(sigma_memmem_agrees_with_libc)
{
    static const char alpha[] = { 'a', 'e', '\\', ' ', 'x', '.' };
    uint32_t r = 12345;
    char h[40], nd[8];
    for (int iter = 0; iter < 20000; iter++) {
        r = r * 1103515245u + 12345u;
        size_t hn = (r >> 8) % 40, nn = (r >> 20) % 8;
        for (size_t i = 0; i < hn; i++) {
            r = r * 1103515245u + 12345u;
            h[i] = alpha[(r >> 16) % sizeof(alpha)];
        }
        for (size_t i = 0; i < nn; i++) {
            r = r * 1103515245u + 12345u;
            nd[i] = alpha[(r >> 16) % sizeof(alpha)];
        }
        const char *want = nn ? memmem(h, hn, nd, nn) : h;
        const char *got = sg_memmem(h, hn, nd, nn);
        CHECK_MSG(want == got, "haystack %.*s needle %.*s", (int)hn, h, (int)nn, nd);
        if (want != got)
            break;
    }
    CHECK(sg_memmem("C:\\x\\cmd.exe", 12, "cmd.exe", 7) != NULL);
    CHECK(sg_memmem("C:\\x\\cmd.ex", 11, "cmd.exe", 7) == NULL);
}

/* A regex's escapes of control characters (\n \t \r \f \a \e) are literal
 * characters its match needs: the prefilter finds them (a rule made only
 * of such a regex has atoms) and the match is unchanged. */
TEST(sigma_mod_re_control_escapes_are_literals)
{
    const char *det = "    sel:\n        CommandLine|re: '\\n\\n\\t\\n\\r'\n    condition: sel\n";
    MATCH(det, KV("CommandLine", "a\n\n\t\n\rb"));
    NO_MATCH(det, KV("CommandLine", "a\n\n \n\rb"));
    NO_MATCH(det, KV("CommandLine", "a\\n\\n\\t\\n\\rb"));
    const char *e = "    sel:\n        CommandLine|re: 'x\\e\\a\\fy'\n    condition: sel\n";
    MATCH(e, KV("CommandLine", "-x\x1b\a\fy-"));
    NO_MATCH(e, KV("CommandLine", "-x\x1b\a\ny-"));
    /* \v is vertical white space (a class), not a character. */
    const char *v = "    sel:\n        CommandLine|re: 'ab\\vcd'\n    condition: sel\n";
    MATCH(v, KV("CommandLine", "ab\ncd"));
    MATCH(v, KV("CommandLine", "ab\vcd"));
}

/* A regex without a literal but with a long repetition of one class (SNAKE's
 * hex arguments) is not run on a value without such a run of bytes; where
 * that gate passes the regex still decides, and every match is kept. */
TEST(sigma_mod_re_class_run_gate)
{
    const char *det = "    sel:\n        CommandLine|re: '\\s[a-fA-F0-9]{16}\\s[a-fA-F0-9]{8}'\n"
                      "    condition: sel\n";
    MATCH(det, KV("CommandLine", "jpsetup.exe 0123456789abcDEF 01234567"));
    MATCH(det, KV("CommandLine", "x\t0000000000000000 ffffffff"));
    NO_MATCH(det, KV("CommandLine", "jpsetup.exe 0123456789abcDE 01234567"));
    NO_MATCH(det, KV("CommandLine", "jpsetup.exe 0123456789abcDEF0123456789"));
    NO_MATCH(det, KV("CommandLine", "0123456789abcdef0123456789abcdef"));
    /* The run at the very start and end of the value, and runs cut by one byte. */
    const char *run = "    sel:\n        CommandLine|re: '[yz]{8}'\n    condition: sel\n";
    MATCH(run, KV("CommandLine", "zzzzzzzz"));
    MATCH(run, KV("CommandLine", "azzzzzzzz"));
    MATCH(run, KV("CommandLine", "zzzzzzzzb"));
    MATCH(run, KV("CommandLine", "zzzzzzz zzzzzzzzz"));
    NO_MATCH(run, KV("CommandLine", "zzzzzzz zzzzzzz zzzzzzz"));
    MATCH(run, KV("CommandLine", "azzzzzzzbzzzzzzzz"));
    MATCH(run, KV("CommandLine", "azzzzzzzbzzzzzzzzc"));
    NO_MATCH(run, KV("CommandLine", "azzzzzzzbzzzzzzzc"));
    /* \w and \d: bytes of non-ASCII characters never shorten a run. */
    const char *w = "    sel:\n        CommandLine|re: '\\w{9}\\d{8}'\n    condition: sel\n";
    MATCH(w, KV("CommandLine", "-abc_DEF_g12345678-"));
    NO_MATCH(w, KV("CommandLine", "-abc\xC3\xA9""DEF_g12345678-"));
    /* Escapes that are not classes give no gate: \012 is one character. */
    const char *oct = "    sel:\n        CommandLine|re: 'x\\012{9}'\n    condition: sel\n";
    MATCH(oct, KV("CommandLine", "x\n\n\n\n\n\n\n\n\n"));
    const char *q = "    sel:\n        CommandLine|re: 'a{8,}?b'\n    condition: sel\n";
    MATCH(q, KV("CommandLine", "aaaaaaaaab"));
    NO_MATCH(q, KV("CommandLine", "aaaaaaab"));
}

/* A regex needing two rare characters in a row (Raspberry Robin's dot
 * ending: '.' then a space or quote) is not run on a value without them;
 * where they occur the regex still decides. */
TEST(sigma_mod_re_pair_gate)
{
    const char *det = "    sel:\n        CommandLine|re: '\\\\[a-zA-Z0-9]{1,32}\\.[a-zA-Z0-9]{1,6}\\.[ \"'']{1}'\n"
                      "    condition: sel\n";
    MATCH(det, KV("CommandLine", "odbcconf -a C:\\Users\\x\\abc.de. /s"));
    MATCH(det, KV("CommandLine", "run \"C:\\x\\abc.de.\""));
    MATCH(det, KV("CommandLine", "C:\\abc.de.'"));
    NO_MATCH(det, KV("CommandLine", "C:\\abc.de.x"));
    NO_MATCH(det, KV("CommandLine", "C:\\abc.d-e. x"));
    NO_MATCH(det, KV("CommandLine", "done. \"now\""));
    /* A first set of several bytes. */
    const char *two = "    sel:\n        CommandLine|re: '[xy][;:]'\n    condition: sel\n";
    MATCH(two, KV("CommandLine", "ay;b"));
    MATCH(two, KV("CommandLine", "abx:"));
    NO_MATCH(two, KV("CommandLine", "y x ; z ;x"));
    /* Top-level alternation after the pair: no gate. */
    const char *alt = "    sel:\n        CommandLine|re: 'a\\.;|zzz'\n    condition: sel\n";
    MATCH(alt, KV("CommandLine", "-zzz-"));
    MATCH(alt, KV("CommandLine", "-a.;-"));
    NO_MATCH(alt, KV("CommandLine", "-a.-;"));
}
