/*
 * test_kafka.c - the Kafka scale-out on librdkafka's in-process mock
 * cluster: librdkafka properties, the detection sink (delivery and its
 * failure), and hunt workers (record ids, order per partition, tenants from
 * keys and headers, header-driven formats, malformed messages, committed
 * offsets). The multi-process tests (killed workers, injected broker
 * errors) are in tests/suite_kafka.sh.
 */
#include "tt.h"

#include <pthread.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "core/buf.h"
#include "trawl/kafka.h"
#include "trawl/log.h"
#include "trawl/parse.h"

/* ---------------------------------------------------------------- helpers */

typedef struct mock {
    rd_kafka_t *rk;                /* anchors the cluster, and produces */
    rd_kafka_mock_cluster_t *mc;
    const char *brokers;
} mock;

static bool mock_start(mock *m, int nbrokers)
{
    char err[256];
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    rd_kafka_conf_set(c, "log_level", "0", err, sizeof(err));
    m->rk = rd_kafka_new(RD_KAFKA_PRODUCER, c, err, sizeof(err));
    if (!m->rk)
        return false;
    m->mc = rd_kafka_mock_cluster_new(m->rk, nbrokers);
    if (!m->mc)
        return false;
    m->brokers = rd_kafka_mock_cluster_bootstraps(m->mc);
    return true;
}

static void mock_stop(mock *m)
{
    if (m->mc)
        rd_kafka_mock_cluster_destroy(m->mc);
    if (m->rk)
        rd_kafka_destroy(m->rk);
}

/* A producer to the mock cluster (plain, acks=all). */
static rd_kafka_t *producer(const mock *m)
{
    char err[256];
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    rd_kafka_conf_set(c, "bootstrap.servers", m->brokers, err, sizeof(err));
    rd_kafka_conf_set(c, "log_level", "0", err, sizeof(err));
    return rd_kafka_new(RD_KAFKA_PRODUCER, c, err, sizeof(err));
}

static bool produce(rd_kafka_t *p, const char *topic, int32_t part, const char *key,
                    const char *value, const char *hname, const char *hvalue)
{
    rd_kafka_headers_t *h = NULL;
    if (hname) {
        h = rd_kafka_headers_new(1);
        rd_kafka_header_add(h, hname, -1, hvalue, -1);
    }
    rd_kafka_resp_err_t e = rd_kafka_producev(
        p, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(part),
        RD_KAFKA_V_KEY(key, key ? strlen(key) : 0), RD_KAFKA_V_VALUE((void *)value, strlen(value)),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(h), RD_KAFKA_V_END);
    if (e && h)
        rd_kafka_headers_destroy(h);
    return e == RD_KAFKA_RESP_ERR_NO_ERROR;
}

static const char *tmpfile_with(const char *name, const char *text)
{
    static char path[512];
    snprintf(path, sizeof(path), "%s/%s", tt_tmpdir(), name);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
    return path;
}

/* ------------------------------------------------------------ properties */

TEST(kafka_props_file_and_x)
{
    tr_kafka_props *p;
    char err[512];
    CHECK(tr_kafka_props_new(&p) == TR_OK);
    const char *path = tmpfile_with("k.conf", "# TLS to the brokers\n"
                                              "\n"
                                              "  socket.timeout.ms = 30000 \n"
                                              "client.id=trawl-test\n"
                                              "# security.protocol=ssl\n");
    CHECK_MSG(tr_kafka_props_load(p, path, err, sizeof(err)) == TR_OK, "%s", err);
    CHECK(tr_kafka_props_parse(p, "socket.timeout.ms=12000", err, sizeof(err)) == TR_OK);
    CHECK_EQ(tr_kafka_props_count(p), 3);
    const char *k, *v;
    tr_kafka_props_get(p, 0, &k, &v);
    CHECK_STR(k, "socket.timeout.ms");
    CHECK_STR(v, "30000");
    tr_kafka_props_get(p, 2, &k, &v);
    CHECK_STR(v, "12000"); /* later ones win when applied in order */
    tr_kafka_props_free(p);
}

TEST(kafka_props_errors_name_the_line)
{
    tr_kafka_props *p;
    char err[512];
    CHECK(tr_kafka_props_new(&p) == TR_OK);
    const char *path = tmpfile_with("bad.conf", "client.id=x\n\nno.such.property=1\n");
    CHECK(tr_kafka_props_load(p, path, err, sizeof(err)) == TR_EINVAL);
    CHECK_MSG(strstr(err, "bad.conf:3:") && strstr(err, "no.such.property"), "%s", err);
    path = tmpfile_with("noeq.conf", "client.id\n");
    CHECK(tr_kafka_props_load(p, path, err, sizeof(err)) == TR_EINVAL);
    CHECK_MSG(strstr(err, "noeq.conf:1: expected key=value"), "%s", err);
    CHECK(tr_kafka_props_parse(p, "socket.timeout.ms=abc", err, sizeof(err)) == TR_EINVAL);
    CHECK(tr_kafka_props_parse(p, "novalue", err, sizeof(err)) == TR_EINVAL);
    CHECK(tr_kafka_props_load(p, "/nonexistent/k.conf", err, sizeof(err)) == TR_ENOENT);
    tr_kafka_props_free(p);
}

/* ------------------------------------------------------------------ sink */

static tr_detection sample_detection(const char *tenant, uint64_t record)
{
    static const tr_str tags[] = { { "attack.t1190", 12 } };
    tr_detection d = { .kind = TR_DET_SIGMA, .ts = 1579508042000000000LL,
                       .tenant = tr_str_c(tenant), .rule_id = TR_STR("r-1"),
                       .rule_title = TR_STR("Rule one"), .level = TR_STR("high"),
                       .tags = tags, .ntags = 1, .path = TR_STR("kafka:logs/0"),
                       .record = record };
    d.id = tr_detection_id(&d);
    return d;
}

TEST(kafka_sink_delivers_json_lines_keyed_by_tenant)
{
    mock m = { 0 };
    CHECK(mock_start(&m, 1));
    CHECK(rd_kafka_mock_topic_create(m.mc, "dets", 1, 1) == RD_KAFKA_RESP_ERR_NO_ERROR);
    tr_sink *s;
    char err[512];
    CHECK_MSG(tr_kafka_sink_new(m.brokers, "dets", NULL, &s, err, sizeof(err)) == TR_OK, "%s",
              err);
    const char *tenants[] = { "org-001", "org-002", "org-001" };
    for (int i = 0; i < 3; i++) {
        tr_detection d = sample_detection(tenants[i], (uint64_t)i);
        CHECK(tr_sink_write(s, &d) == TR_OK);
    }
    CHECK(tr_sink_flush(s) == TR_OK);
    tr_sink_free(s);
    /* read them back */
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    rd_kafka_conf_set(c, "bootstrap.servers", m.brokers, err, sizeof(err));
    rd_kafka_conf_set(c, "group.id", "reader", err, sizeof(err));
    rd_kafka_t *cons = rd_kafka_new(RD_KAFKA_CONSUMER, c, err, sizeof(err));
    CHECK(cons != NULL);
    rd_kafka_poll_set_consumer(cons);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, "dets", 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(cons, l);
    rd_kafka_topic_partition_list_destroy(l);
    int got = 0;
    bool ok = true;
    for (int tries = 0; got < 3 && tries < 100; tries++) {
        rd_kafka_message_t *msg = rd_kafka_consumer_poll(cons, 100);
        if (!msg)
            continue;
        if (!msg->err) {
            tr_detection d = sample_detection(tenants[got], (uint64_t)got);
            tr_buf want;
            tr_buf_init(&want, 0);
            tr_detection_to_json(&d, &want);
            ok = ok && msg->key_len == strlen(tenants[got]) &&
                 memcmp(msg->key, tenants[got], msg->key_len) == 0 &&
                 msg->len == want.n - 1 && memcmp(msg->payload, want.p, msg->len) == 0;
            tr_buf_release(&want);
            got++;
        }
        rd_kafka_message_destroy(msg);
    }
    rd_kafka_consumer_close(cons);
    rd_kafka_destroy(cons);
    mock_stop(&m);
    CHECK_EQ(got, 3);
    CHECK_MSG(ok, "a message differs from the detection's JSON line or key");
}

typedef struct later {
    rd_kafka_mock_cluster_t *mc;
    int ms;
} later;

static void *broker_up_later(void *arg)
{
    later *l = arg;
    usleep((useconds_t)l->ms * 1000);
    rd_kafka_mock_broker_set_up(l->mc, -1);
    return NULL;
}

static void quiet_log(tr_log_level level, const char *line, void *ctx)
{
    (void)level;
    int *n = ctx;
    if (strstr(line, "kafka"))
        (*n)++;
}

TEST(kafka_sink_flush_waits_for_the_broker_then_fails_after_the_timeout)
{
    mock m = { 0 };
    CHECK(mock_start(&m, 1));
    CHECK(rd_kafka_mock_topic_create(m.mc, "dets", 1, 1) == RD_KAFKA_RESP_ERR_NO_ERROR);
    tr_kafka_props *p;
    char err[512];
    CHECK(tr_kafka_props_new(&p) == TR_OK);
    CHECK(tr_kafka_props_parse(p, "message.timeout.ms=1500", err, sizeof(err)) == TR_OK);
    int logged = 0;
    tr_log_set_sink(quiet_log, &logged);
    /* a broker that comes back: flush waits, then succeeds */
    tr_sink *s;
    CHECK(tr_kafka_sink_new(m.brokers, "dets", NULL, &s, err, sizeof(err)) == TR_OK);
    rd_kafka_mock_broker_set_down(m.mc, -1);
    tr_detection d = sample_detection("org-001", 1);
    CHECK(tr_sink_write(s, &d) == TR_OK);
    later l = { m.mc, 700 };
    pthread_t t;
    pthread_create(&t, NULL, broker_up_later, &l);
    tr_err fe = tr_sink_flush(s);
    pthread_join(t, NULL);
    tr_sink_free(s);
    CHECK_MSG(fe == TR_OK, "flush after the broker came back: %s", tr_strerror(fe));
    /* a broker that stays away past message.timeout.ms: the flush fails */
    CHECK(tr_kafka_sink_new(m.brokers, "dets", p, &s, err, sizeof(err)) == TR_OK);
    rd_kafka_mock_broker_set_down(m.mc, -1);
    CHECK(tr_sink_write(s, &d) == TR_OK);
    fe = tr_sink_flush(s);
    tr_sink_free(s);
    tr_log_set_sink(NULL, NULL);
    tr_kafka_props_free(p);
    mock_stop(&m);
    CHECK_MSG(fe == TR_ENET, "flush with the broker away: %s", tr_strerror(fe));
    CHECK_MSG(logged > 0, "the failed delivery was not reported");
}

/* ------------------------------------------------------------ hunt worker */

typedef struct seen {
    char path[64];
    uint64_t record, id;
    char tenant[32];
    char field[64];
} seen;

typedef struct capture {
    tr_sink base;
    seen v[512];
    size_t n;
} capture;

static tr_err cap_write(tr_sink *s, const tr_detection *d)
{
    capture *c = (capture *)s;
    if (c->n == TR_ARRAY_LEN(c->v))
        return TR_ELIMIT;
    seen *e = &c->v[c->n++];
    snprintf(e->path, sizeof(e->path), "%.*s", TR_STR_FMT(d->path));
    snprintf(e->tenant, sizeof(e->tenant), "%.*s", TR_STR_FMT(d->tenant));
    e->record = d->record;
    e->id = d->id;
    e->field[0] = '\0';
    if (d->nfields)
        snprintf(e->field, sizeof(e->field), "%.*s", TR_STR_FMT(d->fields[0].value));
    return TR_OK;
}

static void cap_free(tr_sink *s)
{
    (void)s;
}

static const tr_sink_ops cap_ops = { cap_write, NULL, cap_free };

/* A matcher that reports every event, with its field "v" (JSON) or
 * "id.resp_h" (Zeek): enough to see what was parsed. */
static tr_err every_event(void *ctx, void *scratch, const tr_event *ev, tr_hunt_emit *e)
{
    (void)ctx;
    (void)scratch;
    const tr_field *f = tr_event_find(ev, TR_STR("v"));
    if (!f)
        f = tr_event_find(ev, TR_STR("id.resp_h"));
    tr_kv kv = { TR_STR("v"), f ? f->value : TR_STR("") };
    tr_detection d = { .kind = TR_DET_SIGMA, .ts = TR_TS_NONE, .rule_id = TR_STR("every"),
                       .rule_title = TR_STR("every event"), .level = TR_STR("low"),
                       .fields = &kv, .nfields = 1 };
    return tr_hunt_emit_detection(e, &d);
}

static const char zeek_header[] =
    "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n"
    "#path\tconn\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\n"
    "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\n";

static bool committed_all(const mock *m, const char *group, const char *topic, int parts,
                          const int64_t *ends)
{
    char err[256];
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    rd_kafka_conf_set(c, "bootstrap.servers", m->brokers, err, sizeof(err));
    rd_kafka_conf_set(c, "group.id", group, err, sizeof(err));
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, c, err, sizeof(err));
    if (!rk)
        return false;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(parts);
    for (int i = 0; i < parts; i++)
        rd_kafka_topic_partition_list_add(l, topic, i);
    bool ok = rd_kafka_committed(rk, l, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR;
    for (int i = 0; ok && i < parts; i++)
        ok = l->elems[i].offset == ends[i];
    rd_kafka_topic_partition_list_destroy(l);
    rd_kafka_destroy(rk);
    return ok;
}

TEST(kafka_hunt_ids_order_tenants_and_commits)
{
    mock m = { 0 };
    CHECK(mock_start(&m, 3));
    CHECK(rd_kafka_mock_topic_create(m.mc, "logs", 3, 3) == RD_KAFKA_RESP_ERR_NO_ERROR);
    CHECK(rd_kafka_mock_topic_create(m.mc, "zeek", 1, 3) == RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_t *p = producer(&m);
    CHECK(p != NULL);
    /* 3 partitions of JSON records: partition i holds tenant org-00i,
     * message n carries "v": n; one malformed record and one whose tenant
     * is in a header */
    int64_t ends[3] = { 0 };
    int sent = 0;
    for (int n = 0; n < 120; n++) {
        int part = n % 3;
        char key[24], value[96];
        snprintf(key, sizeof(key), "org-00%d", part);
        snprintf(value, sizeof(value), "{\"ts\":\"2020-01-20T08:00:%02dZ\",\"v\":\"%d\"}\n",
                 n % 60, n);
        CHECK(produce(p, "logs", part, key, value, NULL, NULL));
        ends[part]++;
        sent++;
    }
    CHECK(produce(p, "logs", 1, "org-001", "{\"v\": oops", NULL, NULL));
    ends[1]++;
    CHECK(produce(p, "logs", 2, NULL, "{\"v\":\"from-header\"}", TR_KAFKA_HEADER_TENANT,
                  "org-hdr"));
    ends[2]++;
    /* Zeek TSV records, their file's header lines in the trawl-header header */
    CHECK(produce(p, "zeek", 0, "org-z",
                  "1579508042.123456\tC1\t10.0.0.1\t5000\t66.42.98.220\t21\ttcp",
                  TR_KAFKA_HEADER_LINES, zeek_header));
    CHECK(produce(p, "zeek", 0, "org-z",
                  "1579508043.000001\tC2\t10.0.0.1\t5001\t91.208.184.78\t443\ttcp",
                  TR_KAFKA_HEADER_LINES, zeek_header));
    CHECK(rd_kafka_flush(p, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_destroy(p);

    capture cap = { .base.ops = &cap_ops };
    tr_sink *sinks[] = { &cap.base };
    tr_matcher mt = { .name = "every", .scan = every_event };
    tr_hunt_config hc = { .threads = 4, .matchers = &mt, .nmatchers = 1, .sinks = sinks,
                          .nsinks = 1, .max_errors_per_source = 5 };
    const char *topics[] = { "logs", "zeek" };
    /* the mock cluster rebalances a group after its session timeout even when
     * the last member left cleanly: keep it short for the second run */
    tr_kafka_props *props;
    char err[256];
    CHECK(tr_kafka_props_new(&props) == TR_OK);
    CHECK(tr_kafka_props_parse(props, "session.timeout.ms=3000", err, sizeof(err)) == TR_OK);
    CHECK(tr_kafka_props_parse(props, "heartbeat.interval.ms=300", err, sizeof(err)) == TR_OK);
    tr_kafka_hunt_config kc = { .brokers = m.brokers, .topics = topics, .ntopics = 2,
                                .group = "g-unit", .props = props, .hunt = &hc,
                                .batch_messages = 7, .commit_interval_ms = 100, .once = true };
    tr_kafka_hunt_stats st;
    int logged = 0;
    tr_log_set_sink(quiet_log, &logged);
    tr_err e = tr_kafka_hunt_run(&kc, &st);
    tr_log_set_sink(NULL, NULL);
    CHECK_MSG(e == TR_OK, "%s", tr_strerror(e));
    CHECK_EQ(st.messages, (uint64_t)sent + 4);
    CHECK_EQ(st.hunt.rejected, 1);
    CHECK_EQ(cap.n, (size_t)sent + 3);
    /* per partition: offsets in order, each once; ids as the contract says */
    int64_t next[4] = { 0 };
    bool order = true, ids = true, tenants = true, values = true;
    for (size_t i = 0; i < cap.n; i++) {
        const seen *s = &cap.v[i];
        int part = strcmp(s->path, "kafka:zeek/0") == 0 ? 3 : s->path[11] - '0';
        if (strncmp(s->path, "kafka:logs/", 11) != 0 && part != 3) {
            order = false;
            continue;
        }
        if (part == 1 && next[1] == 40)
            next[1]++; /* the malformed record */
        order = order && (int64_t)s->record == next[part];
        next[part] = (int64_t)s->record + 1;
        tr_detection d = { .kind = TR_DET_SIGMA, .tenant = tr_str_c(s->tenant),
                           .rule_id = TR_STR("every"), .path = tr_str_c(s->path),
                           .record = s->record };
        ids = ids && s->id == tr_detection_id(&d);
        char want[24];
        snprintf(want, sizeof(want), "org-00%d", part);
        if (part == 3)
            tenants = tenants && strcmp(s->tenant, "org-z") == 0;
        else if (strcmp(s->field, "from-header") == 0)
            tenants = tenants && strcmp(s->tenant, "org-hdr") == 0;
        else
            tenants = tenants && strcmp(s->tenant, want) == 0;
        if (part < 3 && strcmp(s->field, "from-header") != 0)
            values = values && atoi(s->field) == (int)s->record * 3 + part;
        if (part == 3)
            values = values && strcmp(s->field, s->record == 0 ? "66.42.98.220"
                                                                : "91.208.184.78") == 0;
    }
    CHECK_MSG(order, "detections out of offset order within a partition");
    CHECK_MSG(ids, "detection ids differ from kafka:<topic>/<partition> + offset");
    CHECK_MSG(tenants, "tenant not taken from the key or the tenant header");
    CHECK_MSG(values, "records and offsets do not line up (or Zeek headers were not used)");
    CHECK_EQ(next[3], 2);
    CHECK_MSG(logged > 0, "the malformed record was not reported");
    CHECK_MSG(committed_all(&m, "g-unit", "logs", 3, ends), "offsets not committed to the end");

    /* the same group again: nothing new, nothing repeated */
    cap.n = 0;
    e = tr_kafka_hunt_run(&kc, &st);
    tr_kafka_props_free(props);
    mock_stop(&m);
    CHECK(e == TR_OK);
    CHECK_EQ(cap.n, 0);
    CHECK_EQ(st.messages, 0);
}

TEST(kafka_hunt_rejects_a_bad_configuration)
{
    tr_hunt_config hc = { .threads = 1 };
    const char *topics[] = { "logs" };
    tr_kafka_props *p;
    char err[256];
    CHECK(tr_kafka_props_new(&p) == TR_OK);
    CHECK(tr_kafka_props_set(p, "client.id", "x", err, sizeof(err)) == TR_OK);
    tr_kafka_hunt_config kc = { .brokers = NULL, .topics = topics, .ntopics = 1, .hunt = &hc };
    tr_kafka_hunt_stats st;
    int logged = 0;
    tr_log_set_sink(quiet_log, &logged);
    CHECK(tr_kafka_hunt_run(&kc, &st) == TR_EINVAL);
    tr_log_set_sink(NULL, NULL);
    tr_kafka_props_free(p);
}

/* ------------------------------------------------------------ detections */

typedef struct dets_seen {
    int n, ticks, idle_ticks, durable;
    char tenants[8][16];
} dets_seen;

static tr_err det_cb(void *ctx, const tr_detection *d)
{
    dets_seen *s = ctx;
    if (s->n < 8)
        snprintf(s->tenants[s->n], sizeof(s->tenants[0]), "%.*s", TR_STR_FMT(d->tenant));
    s->n++;
    return TR_OK;
}

static tr_err durable_cb(void *ctx)
{
    ((dets_seen *)ctx)->durable++;
    return TR_OK;
}

static tr_err tick_cb(void *ctx, bool idle)
{
    dets_seen *s = ctx;
    s->ticks++;
    s->idle_ticks += idle;
    return TR_OK;
}

TEST(kafka_detections_consumer_reads_records_and_reports_bad_ones)
{
    mock m = { 0 };
    CHECK(mock_start(&m, 1));
    CHECK(rd_kafka_mock_topic_create(m.mc, "dets", 2, 1) == RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_t *p = producer(&m);
    CHECK(p != NULL);
    for (int i = 0; i < 3; i++) {
        char tenant[24];
        snprintf(tenant, sizeof(tenant), "org-00%d", i);
        tr_detection d = sample_detection(tenant, (uint64_t)i);
        tr_buf js;
        tr_buf_init(&js, 0);
        CHECK(tr_detection_to_json(&d, &js) == TR_OK);
        CHECK(produce(p, "dets", i % 2, tenant, js.p, NULL, NULL));
        tr_buf_release(&js);
    }
    CHECK(produce(p, "dets", 1, "org-x", "{\"not\":\"a detection\"}", NULL, NULL));
    CHECK(rd_kafka_flush(p, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_destroy(p);
    dets_seen seen = { 0 };
    const char *topics[] = { "dets" };
    tr_kafka_detections_config kc = { .brokers = m.brokers, .topics = topics, .ntopics = 1,
                                      .group = "g-dets", .once = true, .tick_ms = 200,
                                      .ctx = &seen, .detection = det_cb,
                                      .durable = durable_cb, .tick = tick_cb };
    tr_kafka_detections_stats st;
    int logged = 0;
    tr_log_set_sink(quiet_log, &logged);
    tr_err e = tr_kafka_detections_run(&kc, &st);
    tr_log_set_sink(NULL, NULL);
    mock_stop(&m);
    CHECK_MSG(e == TR_OK, "%s", tr_strerror(e));
    CHECK_EQ(seen.n, 3);
    CHECK_EQ(st.detections, 3);
    CHECK_EQ(st.messages, 4);
    CHECK_EQ(st.bad, 1);
    CHECK_MSG(logged > 0, "the bad message was not reported");
    CHECK_MSG(seen.idle_ticks >= 1, "no tick at the end of the topic");
    CHECK_MSG(seen.durable >= 1, "nothing made durable before the commit");
}
