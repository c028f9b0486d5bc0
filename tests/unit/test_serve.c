/*
 * test_serve.c - the HTTP server's pieces (listen addresses, tokens, host
 * and origin checks, rate limit, query parameters) and a server in the
 * test process answering real HTTP over loopback from a store written here.
 */
#include "tt.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "serve/serve_int.h"
#include "trawl/fleet.h"
#include "trawl/serve.h"
#include "trawl/store.h"

#define NS(s) ((int64_t)(s) * 1000000000)

TEST(serve_listen_parse)
{
    serve_addr a;
    char err[256];
    CHECK_EQ(serve_listen_parse("127.0.0.1:8080", &a, err, sizeof(err)), TR_OK);
    CHECK(a.loopback && !a.ipv6);
    CHECK_EQ(a.port, 8080);
    CHECK_STR(a.host, "127.0.0.1");
    CHECK_EQ(serve_listen_parse("127.1.2.3:0", &a, err, sizeof(err)), TR_OK);
    CHECK(a.loopback);
    CHECK_EQ(serve_listen_parse("9000", &a, err, sizeof(err)), TR_OK);
    CHECK(a.loopback);
    CHECK_EQ(a.port, 9000);
    CHECK_EQ(serve_listen_parse("localhost:1", &a, err, sizeof(err)), TR_OK);
    CHECK(a.loopback);
    CHECK_EQ(serve_listen_parse("[::1]:80", &a, err, sizeof(err)), TR_OK);
    CHECK(a.loopback && a.ipv6);
    CHECK_STR(a.host, "[::1]");
    CHECK_EQ(serve_listen_parse("0.0.0.0:80", &a, err, sizeof(err)), TR_OK);
    CHECK(!a.loopback);
    CHECK_EQ(serve_listen_parse("[::]:80", &a, err, sizeof(err)), TR_OK);
    CHECK(!a.loopback);
    CHECK_EQ(serve_listen_parse("10.1.2.3:443", &a, err, sizeof(err)), TR_OK);
    CHECK(!a.loopback);
    const char *bad[] = { "", "host:80", "127.0.0.1:", "127.0.0.1:65536", "::1:80", "[::1]80",
                          "127.0.0.1:8x", "1.2.3.4.5:80", "[::1:80" };
    for (size_t i = 0; i < TR_ARRAY_LEN(bad); i++)
        CHECK_MSG(serve_listen_parse(bad[i], &a, err, sizeof(err)) == TR_EINVAL, "%s", bad[i]);
}

TEST(serve_token_compare)
{
    const char *tok = "s3cr3t-token-0123456789";
    size_t n = strlen(tok);
    CHECK(serve_token_equal(tok, n, tok, n));
    CHECK(!serve_token_equal(tok, n, tok, n - 1));
    CHECK(!serve_token_equal(tok, n, "", 0));
    CHECK(!serve_token_equal(tok, n, "s3cr3t-token-0123456788", n));
    CHECK(!serve_token_equal(tok, n, "s3cr3t-token-01234567890", n + 1));
    CHECK(serve_bearer_ok("Bearer s3cr3t-token-0123456789", tok, n));
    CHECK(serve_bearer_ok("bearer   s3cr3t-token-0123456789 ", tok, n));
    CHECK(!serve_bearer_ok("Basic s3cr3t-token-0123456789", tok, n));
    CHECK(!serve_bearer_ok("Bearers3cr3t-token-0123456789", tok, n));
    CHECK(!serve_bearer_ok("Bearer", tok, n));
    CHECK(!serve_bearer_ok(NULL, tok, n));
}

TEST(serve_host_and_origin)
{
    CHECK(serve_host_ok("127.0.0.1:8080", "127.0.0.1"));
    CHECK(serve_host_ok("localhost", "127.0.0.1"));
    CHECK(serve_host_ok("LOCALHOST:99", "127.0.0.1"));
    CHECK(serve_host_ok("[::1]:8080", "[::1]"));
    CHECK(serve_host_ok("127.0.0.2:80", "127.0.0.2"));
    CHECK(!serve_host_ok("127.0.0.2:80", "127.0.0.1"));
    CHECK(!serve_host_ok("evil.example:8080", "127.0.0.1"));
    CHECK(!serve_host_ok("localhost.evil.example", "127.0.0.1"));
    CHECK(!serve_host_ok("[::1", "127.0.0.1"));
    CHECK(!serve_host_ok(NULL, "127.0.0.1"));
    CHECK(!serve_host_ok("", "127.0.0.1"));
    CHECK(serve_origin_ok(NULL, "127.0.0.1:8080"));
    CHECK(serve_origin_ok("http://127.0.0.1:8080", "127.0.0.1:8080"));
    CHECK(!serve_origin_ok("http://127.0.0.1:8081", "127.0.0.1:8080"));
    CHECK(!serve_origin_ok("null", "127.0.0.1:8080"));
    CHECK(!serve_origin_ok("https://evil.example", "127.0.0.1:8080"));
    CHECK(!serve_origin_ok("http://127.0.0.1:8080.evil", "127.0.0.1:8080"));
}

TEST(serve_rate_limit)
{
    serve_ratelimit *rl = serve_ratelimit_new(10, 3);
    CHECK(rl);
    struct sockaddr_in a = { .sin_family = AF_INET }, b = a;
    inet_pton(AF_INET, "10.0.0.1", &a.sin_addr);
    inet_pton(AF_INET, "10.0.0.2", &b.sin_addr);
    double retry = 0;
    bool ok = true;
    for (int i = 0; i < 3; i++)
        ok = ok && serve_ratelimit_take(rl, (struct sockaddr *)&a, 100.0, &retry);
    bool fourth = serve_ratelimit_take(rl, (struct sockaddr *)&a, 100.0, &retry);
    bool other = serve_ratelimit_take(rl, (struct sockaddr *)&b, 100.0, NULL);
    bool later = serve_ratelimit_take(rl, (struct sockaddr *)&a, 100.15, NULL);
    serve_ratelimit_free(rl);
    CHECK(ok);                        /* the burst */
    CHECK(!fourth);                   /* then refused … */
    CHECK(retry > 0 && retry <= 0.1); /* … for a tenth of a second at 10/s */
    CHECK(other);                     /* another address has its own bucket */
    CHECK(later);                     /* refilled */
}

static tr_err parse(const char *k1, const char *v1, const char *k2, const char *v2,
                    serve_det_query *q, char *err)
{
    serve_param p[2] = { { k1, v1 }, { k2, v2 } };
    return serve_det_query_parse(p, k2 ? 2 : 1, 500, q, err, 256);
}

TEST(serve_query_params)
{
    serve_det_query q;
    char err[256];
    CHECK_EQ(parse("tenant", "org-017", "level", "high", &q, err), TR_OK);
    CHECK_STR(q.filter.tenant, "org-017");
    CHECK_EQ(q.filter.min_level, 3);
    CHECK_EQ(q.limit, 100);
    CHECK_EQ(parse("limit", "500", "kind", "ioc", &q, err), TR_OK);
    CHECK_EQ(q.limit, 500);
    CHECK_EQ(q.filter.kind, TR_DET_IOC);
    CHECK_EQ(parse("since", "2020-01-20", "until", "2020-01-21T00:00:00Z", &q, err), TR_OK);
    CHECK_EQ(q.filter.since, NS(1579478400));
    CHECK_EQ(q.filter.until, NS(1579564800));
    CHECK_EQ(parse("cursor", "t1579478400000000000.00000000000000ff", NULL, NULL, &q, err),
             TR_OK);
    CHECK(q.cursor.started);
    CHECK_EQ(q.cursor.id, 255);
    CHECK_EQ(parse("limit", "501", NULL, NULL, &q, err), TR_EINVAL);
    CHECK(strstr(err, "limit"));
    CHECK_EQ(parse("limit", "0", NULL, NULL, &q, err), TR_EINVAL);
    CHECK_EQ(parse("limit", "-1", NULL, NULL, &q, err), TR_EINVAL);
    CHECK_EQ(parse("level", "severe", NULL, NULL, &q, err), TR_EINVAL);
    CHECK_EQ(parse("kind", "yara", NULL, NULL, &q, err), TR_EINVAL);
    CHECK_EQ(parse("since", "yesterday", NULL, NULL, &q, err), TR_EINVAL);
    CHECK_EQ(parse("cursor", "t12", NULL, NULL, &q, err), TR_EINVAL);
    CHECK_EQ(parse("tenant", "", NULL, NULL, &q, err), TR_EINVAL);
    CHECK_EQ(parse("tenant", NULL, NULL, NULL, &q, err), TR_EINVAL);
    CHECK_EQ(parse("since", "2020-02-01", "until", "2020-01-01", &q, err), TR_EINVAL);
    CHECK_EQ(parse("tennant", "org-017", NULL, NULL, &q, err), TR_EINVAL);
    CHECK(strstr(err, "tennant"));
    uint64_t id;
    CHECK(serve_parse_id(TR_STR("00000000000000fF"), &id) && id == 255);
    CHECK(!serve_parse_id(TR_STR("00000000000000f"), &id));
    CHECK(!serve_parse_id(TR_STR("00000000000000fg"), &id));
    CHECK(serve_tenant_name_ok("org-017"));
    CHECK(serve_tenant_name_ok("A.b_c-9"));
    CHECK(!serve_tenant_name_ok(".."));
    CHECK(!serve_tenant_name_ok("a/b"));
    CHECK(!serve_tenant_name_ok(""));
    CHECK(!serve_tenant_name_ok("x y"));
}

/* ---- a real server over a small store ---- */

static const char *make_store(void)
{
    static char path[600];
    snprintf(path, sizeof(path), "%s/serve.db", tt_tmpdir());
    char err[256];
    tr_store *st;
    if (tr_store_open(path, TR_STORE_CREATE, &st, err, sizeof(err)))
        return NULL;
    tr_fleet *f = tr_fleet_new();
    tr_fleet_add(f, "org-001", "Alpha Bank", "US", "financial-services");
    tr_fleet_add(f, "org-002", "Beta Health", "DE", "healthcare");
    tr_store_put_fleet(st, f);
    tr_fleet_free(f);
    tr_sink *sink;
    tr_store_sink_new(st, NULL, &sink);
    static const char *const tenants[] = { "org-001", "org-001", "org-002", "org-003" };
    for (int i = 0; i < 4; i++) {
        tr_kv fields[1] = { { TR_STR("c-ip"), TR_STR("66.42.98.220") } };
        tr_detection d = { 0 };
        d.kind = i == 3 ? TR_DET_IOC : TR_DET_SIGMA;
        d.ts = NS(1579500000 + i * 86400);
        d.tenant = tr_str_c(tenants[i]);
        d.rule_id = i == 3 ? TR_STR("ioc:ipv4") : TR_STR("rule-a");
        d.rule_title = TR_STR("A rule");
        d.level = i == 0 ? TR_STR("critical") : TR_STR("high");
        d.path = TR_STR("logs/access.log");
        d.source_gen = 7;
        d.record = (uint64_t)i;
        d.line = (uint64_t)i + 1;
        d.fields = fields;
        d.nfields = 1;
        if (i == 3)
            d.indicator = (tr_det_indicator){ TR_STR("66.42.98.220"), TR_STR("ipv4"),
                                              TR_STR("feed"), TR_STR("APT41"), TR_STR("c-ip"),
                                              TR_SIDE_SRC };
        tr_sink_write(sink, &d);
    }
    tr_sink_flush(sink);
    tr_sink_free(sink);
    tr_store_close(st);
    return path;
}

/* One request over a fresh connection; the whole response into out. */
static int http(unsigned port, const char *req, char *out, size_t cap)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    size_t n = strlen(req), off = 0;
    while (off < n) {
        ssize_t k = write(fd, req + off, n - off);
        if (k <= 0)
            break;
        off += (size_t)k;
    }
    size_t got = 0;
    ssize_t k;
    while (got + 1 < cap && (k = read(fd, out + got, cap - 1 - got)) > 0)
        got += (size_t)k;
    out[got] = '\0';
    close(fd);
    int status = -1;
    sscanf(out, "HTTP/1.%*d %d", &status);
    return status;
}

static char resp[1 << 16];

#define GET(port, path, extra)                                                                     \
    http(port, "GET " path " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" extra "\r\n", \
         resp, sizeof(resp))

TEST(serve_end_to_end)
{
    const char *db = make_store();
    CHECK(db);
    tr_serve_opts o = { .store = db, .listen = "127.0.0.1:0", .threads = 2, .rate = -1 };
    tr_serve *s;
    char err[512];
    tr_err e = tr_serve_start(&o, &s, err, sizeof(err));
    CHECK_MSG(e == TR_OK, "%s", err);
    unsigned port = tr_serve_port(s);
    int st[16];
    bool has[16];
    st[0] = GET(port, "/api/health", "");
    has[0] = strstr(resp, "\"detections\":4") && strstr(resp, "\"tenants\":3") &&
             strstr(resp, "Content-Security-Policy: default-src 'none'") &&
             strstr(resp, "X-Content-Type-Options: nosniff");
    st[1] = GET(port, "/api/tenants", "");
    has[1] = strstr(resp, "\"id\":\"org-003\"") && strstr(resp, "\"in_fleet\":false") &&
             strstr(resp, "\"with_detections\":3");
    st[2] = GET(port, "/api/tenants/org-001", "");
    has[2] = strstr(resp, "\"detections\":2") && strstr(resp, "\"max_level\":\"critical\"") &&
             strstr(resp, "\"day\":\"2020-01-20\"") && strstr(resp, "\"country\":\"US\"");
    st[3] = GET(port, "/api/detections?limit=2", "");
    has[3] = strstr(resp, "\"count\":2") && strstr(resp, "\"next\":\"t");
    st[4] = GET(port, "/api/detections?kind=ioc&total=1", "");
    has[4] = strstr(resp, "\"total\":1") && strstr(resp, "\"APT41\"") &&
             strstr(resp, "\"next\":null");
    st[5] = GET(port, "/api/detections?level=critical&limit=9999", "");
    st[6] = GET(port, "/api/tenants/org-999", "");
    has[6] = strstr(resp, "\"error\":\"no tenant 'org-999'\"") != NULL;
    st[7] = GET(port, "/api/../../etc/passwd", "");
    st[8] = GET(port, "/../../etc/passwd", "");
    st[9] = http(port, "GET /api/health HTTP/1.1\r\nHost: evil.example\r\n\r\n", resp,
                 sizeof(resp));
    st[10] = http(port, "DELETE /api/tenants HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: "
                        "close\r\n\r\n",
                  resp, sizeof(resp));
    st[11] = http(port, "POST /api/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 3\r\n"
                        "Connection: close\r\n\r\nabc",
                  resp, sizeof(resp));
    has[11] = strstr(resp, "read-only") != NULL;
    st[12] = GET(port, "/", "");
    has[12] = strstr(resp, "text/html") && strstr(resp, "<script src=\"/app.js\"></script>");
    st[13] = GET(port, "/metrics", "");
    has[13] = strstr(resp, "trawl_http_requests_total{route=\"tenants\",code=\"200\"} 1") &&
              strstr(resp, "trawl_detections{kind=\"ioc\"} 1");
    st[14] = GET(port, "/api/health", "Origin: http://evil.example\r\n");
    st[15] = GET(port, "/api/health", "");
    tr_serve_stop(s);
    for (int i = 0; i <= 4; i++)
        CHECK_MSG(st[i] == 200 && has[i], "request %d: %d", i, st[i]);
    CHECK_EQ(st[5], 400);
    CHECK_EQ(st[6], 404);
    CHECK(has[6]);
    CHECK_EQ(st[7], 404);
    CHECK_EQ(st[8], 404);
    CHECK_EQ(st[9], 403);
    CHECK_EQ(st[10], 405);
    CHECK_EQ(st[11], 403);
    CHECK(has[11]);
    CHECK(st[12] == 200 && has[12]);
    CHECK(st[13] == 200 && has[13]);
    CHECK_EQ(st[14], 403);
    CHECK_EQ(st[15], 200);
}

TEST(serve_token_required)
{
    const char *db = make_store();
    CHECK(db);
    char err[512];
    tr_serve *s = NULL;
    tr_serve_opts o = { .store = db, .listen = "0.0.0.0:0" };
    CHECK_EQ(tr_serve_start(&o, &s, err, sizeof(err)), TR_EAUTH);
    CHECK(s == NULL);
    o.token = "short";
    CHECK_EQ(tr_serve_start(&o, &s, err, sizeof(err)), TR_EINVAL);
    o.listen = "127.0.0.1:0";
    o.token = "0123456789abcdef-token";
    CHECK_EQ(tr_serve_start(&o, &s, err, sizeof(err)), TR_OK);
    unsigned port = tr_serve_port(s);
    int a = GET(port, "/api/health", "");
    bool www = strstr(resp, "WWW-Authenticate: Bearer") != NULL;
    int b = GET(port, "/api/health", "Authorization: Bearer 0123456789abcdef-tokex\r\n");
    int c = GET(port, "/api/health", "Authorization: Bearer 0123456789abcdef-token\r\n");
    int d = GET(port, "/metrics", "");
    int e = GET(port, "/app.js", ""); /* the page itself holds no data */
    /* With a token, any Host is fine (the token is the guard). */
    int f = http(port, "GET /api/health HTTP/1.1\r\nHost: trawl.example\r\nConnection: close\r\n"
                       "Authorization: Bearer 0123456789abcdef-token\r\n\r\n",
                 resp, sizeof(resp));
    tr_serve_stop(s);
    CHECK_EQ(a, 401);
    CHECK(www);
    CHECK_EQ(b, 401);
    CHECK_EQ(c, 200);
    CHECK_EQ(d, 401);
    CHECK_EQ(e, 200);
    CHECK_EQ(f, 200);
}

TEST(serve_store_readback)
{
    const char *db = make_store();
    CHECK(db);
    char err[256];
    tr_store *st;
    CHECK_EQ(tr_store_open(db, TR_STORE_READONLY, &st, err, sizeof(err)), TR_OK);
    tr_fleet *f = NULL;
    uint64_t m1 = 0;
    tr_err e1 = tr_store_get_fleet(st, &f);
    tr_err e2 = tr_store_data_mark(st, &m1);
    size_t nf = f ? tr_fleet_count(f) : 0;
    bool country = f && tr_fleet_find(f, TR_STR("org-002")) &&
                   tr_str_eq(tr_fleet_find(f, TR_STR("org-002"))->country, TR_STR("DE"));
    tr_fleet_free(f);
    tr_store_close(st);
    CHECK_EQ(e1, TR_OK);
    CHECK_EQ(e2, TR_OK);
    CHECK_EQ(nf, 2);
    CHECK(country);
    /* A write elsewhere moves the mark. */
    tr_store *w;
    CHECK_EQ(tr_store_open(db, 0, &w, err, sizeof(err)), TR_OK);
    tr_sink *sink;
    tr_store_sink_new(w, NULL, &sink);
    tr_detection d = { 0 };
    d.tenant = TR_STR("org-009");
    d.rule_id = TR_STR("rule-b");
    d.level = TR_STR("low");
    d.path = TR_STR("x.log");
    d.ts = TR_TS_NONE;
    tr_sink_write(sink, &d);
    tr_sink_flush(sink);
    tr_sink_free(sink);
    uint64_t m2 = 0;
    tr_store_data_mark(w, &m2);
    tr_store_close(w);
    CHECK(m1 != m2);
}
