/*
 * cmd_kafka.c - `trawl kafka`: the tools around the Kafka scale-out
 * (docs/SCALING.md).
 *
 *   produce  ship log files to topics, one record per message, keyed by
 *            tenant: how the tests, the demo and the benchmark fill a topic,
 *            and a way to replay archives into a running fleet of workers;
 *   offsets  a consumer group's committed offsets against the ends of the
 *            partitions (its lag): how a script knows the workers are done;
 *   mock     librdkafka's in-process mock cluster, served over TCP on
 *            localhost until killed, with broker failures injected from
 *            stdin: Kafka for tests and demos without installing a broker.
 */
#include "core/common.h"

#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "cli/cmd_kafka.h"
#include "cli/commands.h"
#include "cli/opts.h"
#include "core/buf.h"
#include "trawl/fleet.h"
#include "trawl/input.h"
#include "trawl/kafka.h"
#include "trawl/log.h"

static const cmd_usage kafka_usage = {
    "kafka",
    "produce|offsets|mock [options]",
    "Kafka tools: ship log files to topics, show a group's lag, run a mock cluster.",
    "trawl kafka produce --kafka BROKERS (--topic T | --topic-prefix P) [--fleet F |\n"
    "        --tenant ID] [-F FMT] [--kafka-config FILE] [-X KEY=VALUE]… PATH…\n"
    "    One message per record of each file (decompressed, framed as trawl hunt\n"
    "    reads it), key = tenant (from the fleet's directory layout or --tenant),\n"
    "    timestamp = the file's modification time. With --topic-prefix each format\n"
    "    goes to its own topic P.<format> (P.combined, P.zeek, …). Records of\n"
    "    header-driven formats (Zeek TSV, W3C) carry their file's header lines in\n"
    "    the 'trawl-header' message header. EVTX files are skipped.\n"
    "trawl kafka offsets --kafka BROKERS --group G --topic T… [-X KEY=VALUE]…\n"
    "    Per partition: committed offset, end offset and lag; then 'lag N'.\n"
    "trawl kafka mock [--brokers N] [--topic NAME[:PARTITIONS]]…\n"
    "    Starts librdkafka's mock cluster, prints its bootstrap servers on the first\n"
    "    line of stdout and serves until SIGINT/SIGTERM. Lines on stdin inject\n"
    "    failures: 'down ID|all', 'up ID|all', 'leader TOPIC PARTITION ID',\n"
    "    'rtt ID|all MS', 'error REQUEST ERR[,ERR…]' (the next requests of that kind\n"
    "    fail: REQUEST is produce, fetch, metadata, offsetcommit, offsetfetch,\n"
    "    findcoordinator, joingroup, heartbeat, syncgroup or a number; ERR an error\n"
    "    name such as NOT_LEADER_FOR_PARTITION or _TRANSPORT), 'clear REQUEST'.\n"
    "    Each command is acknowledged with 'ok' or 'error: reason' on stdout.",
};

/* ------------------------------------------------------------------ shared */

static volatile sig_atomic_t stop_flag;

static void on_stop(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static void catch_stop(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* A librdkafka configuration from brokers, defaults and the user's properties. */
static rd_kafka_conf_t *make_conf(const char *brokers, const char *const *defaults,
                                  const tr_kafka_props *props)
{
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    char err[512];
    bool ok = !brokers || rd_kafka_conf_set(c, "bootstrap.servers", brokers, err,
                                            sizeof(err)) == RD_KAFKA_CONF_OK;
    for (size_t i = 0; ok && defaults && defaults[i]; i += 2)
        ok = rd_kafka_conf_set(c, defaults[i], defaults[i + 1], err, sizeof(err)) ==
             RD_KAFKA_CONF_OK;
    for (size_t i = 0; ok && i < tr_kafka_props_count(props); i++) {
        const char *k, *v;
        tr_kafka_props_get(props, i, &k, &v);
        ok = rd_kafka_conf_set(c, k, v, err, sizeof(err)) == RD_KAFKA_CONF_OK;
    }
    if (!ok) {
        tr_error("kafka: %s", err);
        rd_kafka_conf_destroy(c);
        return NULL;
    }
    return c;
}

/* ----------------------------------------------------------------- produce */

typedef struct produce_state {
    uint64_t failed;
    char first_error[256];
} produce_state;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    produce_state *ps = opaque;
    if (m->err && ps->failed++ == 0)
        snprintf(ps->first_error, sizeof(ps->first_error), "%s", rd_kafka_err2str(m->err));
}

static int produce_one(rd_kafka_t *rk, const char *topic, tr_str key, tr_str value,
                       const tr_buf *header, int64_t ts_ms)
{
    for (;;) {
        rd_kafka_headers_t *hdrs = NULL;
        if (header->n) {
            hdrs = rd_kafka_headers_new(1);
            rd_kafka_header_add(hdrs, TR_KAFKA_HEADER_LINES, -1, header->p, (ssize_t)header->n);
        }
        rd_kafka_resp_err_t e = rd_kafka_producev(
            rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key.p, key.n),
            RD_KAFKA_V_VALUE((void *)value.p, value.n), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_TIMESTAMP(ts_ms), RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_END);
        if (!e)
            return 0; /* the headers belong to the message now */
        if (hdrs)
            rd_kafka_headers_destroy(hdrs);
        if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            tr_error("kafka: %s: %s", topic, rd_kafka_err2str(e));
            return 1;
        }
        rd_kafka_poll(rk, 50);
    }
}

/* Produces the records of one file; returns the number of messages or -1. */
static int64_t produce_file(rd_kafka_t *rk, const char *path, const char *topic,
                            const char *prefix, tr_format format, tr_str tenant)
{
    tr_source_opts so = { .format = format };
    tr_source *src;
    char err[512];
    if (tr_source_open(path, &so, &src, err, sizeof(err))) {
        tr_error("%s", err);
        return -1;
    }
    tr_format f = tr_source_format(src);
    if (f == TR_FMT_EVTX) {
        tr_log_at(TR_LOG_WARN, path, 0, "EVTX is not produced (binary; ship it as JSON)");
        tr_source_free(src);
        return 0;
    }
    char tbuf[512];
    if (!topic) {
        snprintf(tbuf, sizeof(tbuf), "%s.%s", prefix, tr_format_name(f));
        topic = tbuf;
    }
    struct stat sb;
    int64_t ts_ms = stat(path, &sb) == 0 ? (int64_t)sb.st_mtim.tv_sec * 1000 +
                                               sb.st_mtim.tv_nsec / 1000000
                                         : 0;
    bool header_fmt = tr_format_header_line(f, TR_STR("#"));
    tr_buf header;
    tr_buf_init(&header, (size_t)1 << 20);
    int64_t n = 0;
    tr_record r;
    tr_err e;
    while ((e = tr_source_next(src, &r)) != TR_EEOF) {
        if (e == TR_ELIMIT || e == TR_EPARSE) {
            tr_log_at(TR_LOG_WARN, path, r.line, "%s", tr_source_status_msg(src, e));
            continue;
        }
        if (e) {
            tr_log_at(TR_LOG_ERROR, path, 0, "%s", tr_source_errmsg(src));
            n = -1;
            break;
        }
        if (header_fmt && tr_format_header_line(f, r.data)) {
            if (tr_buf_append(&header, r.data.p, r.data.n) || tr_buf_putc(&header, '\n')) {
                tr_log_at(TR_LOG_ERROR, path, r.line, "header lines exceed 1 MiB");
                n = -1;
                break;
            }
            continue;
        }
        if (produce_one(rk, topic, tenant, r.data, &header, ts_ms)) {
            n = -1;
            break;
        }
        n++;
        rd_kafka_poll(rk, 0);
    }
    tr_buf_release(&header);
    tr_source_free(src);
    return n;
}

static int cmd_produce(int argc, char **argv)
{
    static const cmd_usage u = {
        "kafka produce",
        "--kafka BROKERS (--topic T | --topic-prefix P) [--fleet F | --tenant ID] PATH…",
        "Ship log files to Kafka, one message per record, key = tenant.", NULL,
    };
    const char *brokers = NULL, *topic = NULL, *prefix = NULL, *fleet_path = NULL;
    const char *tenant = NULL, *config = NULL, *input_format = NULL;
    opt_list xs = { 0 }, pos = { 0 };
    const opt table[] = {
        OPT_STRING(0, "kafka", "BROKERS", &brokers, "bootstrap servers"),
        OPT_STRING(0, "topic", "TOPIC", &topic, "every record to this topic"),
        OPT_STRING(0, "topic-prefix", "P", &prefix, "records of format F to topic P.F"),
        OPT_STRING(0, "fleet", "FILE", &fleet_path, "tenants by directory layout"),
        OPT_STRING(0, "tenant", "ID", &tenant, "tenant of every record"),
        OPT_STRING('F', "input-format", "FMT", &input_format, "input format"),
        OPT_STRING(0, "kafka-config", "FILE", &config, "librdkafka properties"),
        OPT_LIST('X', "kafka-property", "KEY=VALUE", &xs, "one librdkafka property"),
        OPT_END(),
    };
    bool help;
    int rc = opts_parse(&u, table, argc, argv, &pos, &help);
    tr_fleet *fleet = NULL;
    tr_kafka_props *props = NULL;
    rd_kafka_t *rk = NULL;
    tr_pathlist files = { 0 };
    produce_state ps = { 0 };
    if (rc || help)
        goto out;
    rc = 2;
    if (!brokers || (!topic == !prefix) || pos.n == 0) {
        fprintf(stderr, "trawl kafka produce: give --kafka, one of --topic and --topic-prefix, "
                        "and files\n");
        goto out;
    }
    tr_format format = TR_FMT_AUTO;
    if (input_format && (format = tr_format_from_name(input_format)) == TR_FMT_COUNT) {
        fprintf(stderr, "trawl kafka produce: unknown input format '%s'\n", input_format);
        goto out;
    }
    rc = 1;
    char err[512];
    if (fleet_path && tr_fleet_load(fleet_path, &fleet, NULL, err, sizeof(err))) {
        tr_error("%s", err);
        goto out;
    }
    if (!(props = kafka_props_from(config, &xs)))
        goto out;
    /* lz4: log records, and the header lines repeated on each, compress well */
    const char *defaults[] = { "enable.idempotence", "true", "linger.ms", "20",
                               "compression.codec", "lz4", "client.id", "trawl-produce", NULL };
    rd_kafka_conf_t *conf = make_conf(brokers, defaults, props);
    if (!conf)
        goto out;
    rd_kafka_conf_set_opaque(conf, &ps);
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    if (!(rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err)))) {
        rd_kafka_conf_destroy(conf);
        tr_error("kafka: %s", err);
        goto out;
    }
    for (size_t i = 0; i < pos.n; i++)
        if (tr_pathlist_add(&files, pos.v[i]))
            tr_log_at(TR_LOG_ERROR, pos.v[i], 0, "no such file or directory");
    uint64_t total = 0, nfiles = 0;
    rc = 0;
    for (size_t i = 0; i < files.n; i++) {
        tr_str t = tr_str_c(tenant);
        if (!tenant && fleet) {
            const tr_tenant *tt = tr_fleet_for_path(fleet, files.paths[i]);
            if (tt)
                t = tt->id;
        }
        int64_t n = produce_file(rk, files.paths[i], topic, prefix, format, t);
        if (n < 0)
            rc = 1;
        else {
            total += (uint64_t)n;
            nfiles++;
        }
    }
    while (rd_kafka_outq_len(rk) > 0 && !ps.failed)
        rd_kafka_flush(rk, 1000);
    if (ps.failed) {
        tr_error("kafka: %" PRIu64 " records were not delivered (%s)", ps.failed,
                 ps.first_error);
        rc = 1;
    }
    fprintf(stderr, "trawl: produced %" PRIu64 " records of %" PRIu64 " files\n",
            total - ps.failed, nfiles);
out:
    if (rk)
        rd_kafka_destroy(rk);
    tr_pathlist_release(&files);
    tr_kafka_props_free(props);
    tr_fleet_free(fleet);
    opt_list_free(&xs);
    opt_list_free(&pos);
    return rc;
}

/* ----------------------------------------------------------------- offsets */

static int cmd_offsets(int argc, char **argv)
{
    static const cmd_usage u = {
        "kafka offsets", "--kafka BROKERS --group G --topic T… [-X KEY=VALUE]…",
        "A consumer group's committed offsets, the partitions' ends and the lag.", NULL,
    };
    const char *brokers = NULL, *group = NULL, *config = NULL;
    opt_list topics = { 0 }, xs = { 0 }, pos = { 0 };
    const opt table[] = {
        OPT_STRING(0, "kafka", "BROKERS", &brokers, "bootstrap servers"),
        OPT_STRING(0, "group", "GROUP", &group, "consumer group"),
        OPT_LIST(0, "topic", "TOPIC", &topics, "topic"),
        OPT_STRING(0, "kafka-config", "FILE", &config, "librdkafka properties"),
        OPT_LIST('X', "kafka-property", "KEY=VALUE", &xs, "one librdkafka property"),
        OPT_END(),
    };
    bool help;
    int rc = opts_parse(&u, table, argc, argv, &pos, &help);
    tr_kafka_props *props = NULL;
    rd_kafka_t *rk = NULL;
    rd_kafka_topic_partition_list_t *l = NULL;
    if (rc || help)
        goto out;
    rc = 2;
    if (!brokers || !group || !topics.n || pos.n) {
        fprintf(stderr, "trawl kafka offsets: give --kafka, --group and --topic\n");
        goto out;
    }
    rc = 1;
    if (!(props = kafka_props_from(config, &xs)))
        goto out;
    const char *defaults[] = { "group.id", group, "client.id", "trawl-offsets", NULL };
    rd_kafka_conf_t *conf = make_conf(brokers, defaults, props);
    char err[512];
    if (!conf)
        goto out;
    if (!(rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err)))) {
        rd_kafka_conf_destroy(conf);
        tr_error("kafka: %s", err);
        goto out;
    }
    l = rd_kafka_topic_partition_list_new(16);
    for (size_t i = 0; i < topics.n; i++) {
        rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topics.v[i], NULL);
        const struct rd_kafka_metadata *md = NULL;
        rd_kafka_resp_err_t e = rkt ? rd_kafka_metadata(rk, 0, rkt, &md, 10000)
                                    : RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC;
        if (!e && md->topic_cnt == 1 && md->topics[0].err)
            e = md->topics[0].err;
        if (e) {
            tr_error("kafka: %s: %s", topics.v[i], rd_kafka_err2str(e));
        } else {
            for (int p = 0; p < md->topics[0].partition_cnt; p++)
                rd_kafka_topic_partition_list_add(l, topics.v[i], md->topics[0].partitions[p].id);
        }
        if (md)
            rd_kafka_metadata_destroy(md);
        if (rkt)
            rd_kafka_topic_destroy(rkt);
        if (e)
            goto out;
    }
    rd_kafka_resp_err_t e = rd_kafka_committed(rk, l, 10000);
    if (e) {
        tr_error("kafka: committed offsets of %s: %s", group, rd_kafka_err2str(e));
        goto out;
    }
    int64_t lag = 0;
    for (int i = 0; i < l->cnt; i++) {
        int64_t lo, hi;
        e = rd_kafka_query_watermark_offsets(rk, l->elems[i].topic, l->elems[i].partition, &lo,
                                             &hi, 10000);
        if (e) {
            tr_error("kafka: %s/%" PRId32 ": %s", l->elems[i].topic, l->elems[i].partition,
                     rd_kafka_err2str(e));
            goto out;
        }
        int64_t c = l->elems[i].offset;
        int64_t from = c >= 0 ? c : 0;
        lag += hi - from;
        printf("%s/%" PRId32 " committed %" PRId64 " end %" PRId64 " lag %" PRId64 "\n",
               l->elems[i].topic, l->elems[i].partition, c, hi, hi - from);
        if (lo > from)
            tr_warn("kafka: %s/%" PRId32 ": %" PRId64 " messages were deleted (retention) "
                    "before the group read them", l->elems[i].topic, l->elems[i].partition,
                    lo - from);
    }
    printf("lag %" PRId64 "\n", lag);
    rc = 0;
out:
    if (l)
        rd_kafka_topic_partition_list_destroy(l);
    if (rk)
        rd_kafka_destroy(rk);
    tr_kafka_props_free(props);
    opt_list_free(&topics);
    opt_list_free(&xs);
    opt_list_free(&pos);
    return rc;
}

/* -------------------------------------------------------------------- mock */

static const struct {
    const char *name;
    int16_t key;
} api_keys[] = {
    { "produce", 0 },         { "fetch", 1 },           { "listoffsets", 2 },
    { "metadata", 3 },        { "offsetcommit", 8 },    { "offsetfetch", 9 },
    { "findcoordinator", 10 }, { "joingroup", 11 },     { "heartbeat", 12 },
    { "leavegroup", 13 },     { "syncgroup", 14 },      { "initproducerid", 22 },
};

static bool parse_api(const char *s, int16_t *key)
{
    for (size_t i = 0; i < TR_ARRAY_LEN(api_keys); i++)
        if (strcasecmp(s, api_keys[i].name) == 0) {
            *key = api_keys[i].key;
            return true;
        }
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < 0 || v > 100)
        return false;
    *key = (int16_t)v;
    return true;
}

static bool parse_err(const char *s, rd_kafka_resp_err_t *out)
{
    const struct rd_kafka_err_desc *d;
    size_t n;
    rd_kafka_get_err_descs(&d, &n);
    for (size_t i = 0; i < n; i++)
        if (d[i].name && strcmp(d[i].name, s) == 0) {
            *out = d[i].code;
            return true;
        }
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end)
        return false;
    *out = (rd_kafka_resp_err_t)v;
    return true;
}

static int32_t parse_broker(const char *s)
{
    if (strcmp(s, "all") == 0)
        return -1;
    char *end;
    long v = strtol(s, &end, 10);
    return (end == s || *end || v < 1 || v > 1000) ? -2 : (int32_t)v;
}

/* Splits line into at most max words (in place); returns their number. */
static int split_words(char *line, char **w, int max)
{
    int n = 0;
    char *p = line;
    while (*p && n < max) {
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
            *p++ = '\0';
        if (!*p)
            break;
        w[n++] = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
            p++;
    }
    if (*p)
        *p = '\0';
    return n;
}

/* One control line; returns NULL or the reason it failed. */
static const char *mock_command(rd_kafka_mock_cluster_t *mc, char *line)
{
    char *w[8];
    int n = split_words(line, w, 8);
    if (n == 0)
        return NULL;
    rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR_NO_ERROR;
    if ((strcmp(w[0], "down") == 0 || strcmp(w[0], "up") == 0) && n == 2) {
        int32_t id = parse_broker(w[1]);
        if (id == -2)
            return "expected a broker id or 'all'";
        e = w[0][0] == 'd' ? rd_kafka_mock_broker_set_down(mc, id)
                           : rd_kafka_mock_broker_set_up(mc, id);
    } else if (strcmp(w[0], "leader") == 0 && n == 4) {
        int32_t id = parse_broker(w[3]);
        char *end;
        long part = strtol(w[2], &end, 10);
        if (id < 0 || *end || part < 0)
            return "usage: leader TOPIC PARTITION BROKER";
        e = rd_kafka_mock_partition_set_leader(mc, w[1], (int32_t)part, id);
    } else if (strcmp(w[0], "rtt") == 0 && n == 3) {
        int32_t id = parse_broker(w[1]);
        char *end;
        long ms = strtol(w[2], &end, 10);
        if (id == -2 || *end || ms < 0)
            return "usage: rtt BROKER|all MS";
        e = rd_kafka_mock_broker_set_rtt(mc, id, (int)ms);
    } else if (strcmp(w[0], "error") == 0 && n == 3) {
        int16_t key;
        if (!parse_api(w[1], &key))
            return "unknown request kind";
        rd_kafka_resp_err_t errs[64];
        size_t k = 0;
        for (char *q = w[2]; *q && k < TR_ARRAY_LEN(errs);) {
            char *comma = strchr(q, ',');
            if (comma)
                *comma = '\0';
            if (!parse_err(q, &errs[k++]))
                return "unknown error name";
            q = comma ? comma + 1 : q + strlen(q);
        }
        rd_kafka_mock_push_request_errors_array(mc, key, k, errs);
    } else if (strcmp(w[0], "clear") == 0 && n == 2) {
        int16_t key;
        if (!parse_api(w[1], &key))
            return "unknown request kind";
        rd_kafka_mock_clear_request_errors(mc, key);
    } else {
        return "unknown command";
    }
    return e ? rd_kafka_err2str(e) : NULL;
}

static int cmd_mock(int argc, char **argv)
{
    static const cmd_usage u = {
        "kafka mock", "[--brokers N] [--topic NAME[:PARTITIONS]]…",
        "Serve librdkafka's mock cluster on localhost until SIGINT/SIGTERM.", NULL,
    };
    long long nbrokers = 3;
    opt_list topics = { 0 }, pos = { 0 };
    const opt table[] = {
        OPT_INT(0, "brokers", "N", &nbrokers, "brokers in the cluster (3)"),
        OPT_LIST(0, "topic", "NAME[:PARTITIONS]", &topics,
                 "create a topic (4 partitions by default; others are created on first use)"),
        OPT_END(),
    };
    bool help;
    int rc = opts_parse(&u, table, argc, argv, &pos, &help);
    rd_kafka_t *rk = NULL;
    rd_kafka_mock_cluster_t *mc = NULL;
    if (rc || help)
        goto out;
    rc = 2;
    if (nbrokers < 1 || nbrokers > 16 || pos.n) {
        fprintf(stderr, "trawl kafka mock: --brokers takes 1 to 16\n");
        goto out;
    }
    rc = 1;
    /* the handle only anchors the cluster: it never connects anywhere */
    const char *defaults[] = { "client.id", "trawl-mock", "log_level", "0", NULL };
    rd_kafka_conf_t *conf = make_conf(NULL, defaults, NULL);
    char err[512];
    if (!conf)
        goto out;
    if (!(rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err)))) {
        rd_kafka_conf_destroy(conf);
        tr_error("kafka: %s", err);
        goto out;
    }
    if (!(mc = rd_kafka_mock_cluster_new(rk, (int)nbrokers))) {
        tr_error("kafka: cannot start the mock cluster");
        goto out;
    }
    for (size_t i = 0; i < topics.n; i++) {
        char name[256];
        snprintf(name, sizeof(name), "%s", topics.v[i]);
        char *colon = strrchr(name, ':');
        long parts = 4;
        if (colon) {
            *colon = '\0';
            char *end;
            parts = strtol(colon + 1, &end, 10);
            if (*end || parts < 1 || parts > 10000) {
                fprintf(stderr, "trawl kafka mock: bad partition count in '%s'\n", topics.v[i]);
                rc = 2;
                goto out;
            }
        }
        rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(
            mc, name, (int)parts, (int)TR_MIN(nbrokers, 3));
        if (e) {
            tr_error("kafka: topic %s: %s", name, rd_kafka_err2str(e));
            goto out;
        }
    }
    printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
    fflush(stdout);
    catch_stop();
    char line[1024];
    size_t used = 0;
    bool input = true;
    while (!stop_flag) {
        struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
        int r = input ? poll(&pfd, 1, 200) : (usleep(200000), 0);
        if (r <= 0)
            continue;
        ssize_t got = read(STDIN_FILENO, line + used, sizeof(line) - 1 - used);
        if (got <= 0) {
            input = false; /* stdin closed: keep serving */
            continue;
        }
        used += (size_t)got;
        line[used] = '\0';
        char *nl;
        while ((nl = strchr(line, '\n')) != NULL) {
            *nl = '\0';
            const char *why = mock_command(mc, line);
            printf(why ? "error: %s\n" : "ok\n", why);
            fflush(stdout);
            size_t rest = used - (size_t)(nl + 1 - line);
            memmove(line, nl + 1, rest + 1);
            used = rest;
        }
        if (used == sizeof(line) - 1)
            used = 0; /* a line too long for a command: drop it */
    }
    rc = 0;
out:
    if (mc)
        rd_kafka_mock_cluster_destroy(mc);
    if (rk)
        rd_kafka_destroy(rk);
    opt_list_free(&topics);
    opt_list_free(&pos);
    return rc;
}

int cmd_kafka(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "produce") == 0)
        return cmd_produce(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "offsets") == 0)
        return cmd_offsets(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "mock") == 0)
        return cmd_mock(argc - 1, argv + 1);
    const opt none[] = { OPT_END() };
    if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        opts_help(stdout, &kafka_usage, none);
        return 0;
    }
    fprintf(stderr, "usage: trawl kafka %s\n(see: trawl help kafka)\n", kafka_usage.synopsis);
    return 2;
}
