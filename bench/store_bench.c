/*
 * store_bench.c - how fast detections go into the store, what that costs next
 * to writing JSON lines, and how fast they come back out.
 *
 *   store_bench N DIR      N detections (default 1000000), files in DIR
 *
 * The detections look like a hunt's: 50 tenants, 20 rules, one indicator
 * match in ten, six fields and two tags each, one second apart. Prints
 * human-readable lines and "RESULT name value unit" lines for bench/run.sh.
 */
#include "core/common.h"

#include <sys/stat.h>
#include <time.h>

#include "trawl/detect.h"
#include "trawl/store.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds of the whole process (all threads): steadier than wall time on a busy
 * machine. */
static double cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct gen {
    char tenant[16], rule[48], title[64], ip[24], uri[96], host[32], ua[64], path[96];
    tr_str tags[2];
    tr_kv fields[6];
    tr_detection d;
} gen;

static const tr_detection *make(gen *g, uint64_t i)
{
    static const char *const levels[] = { "low", "medium", "high", "critical" };
    snprintf(g->tenant, sizeof(g->tenant), "org-%03d", (int)(i % 50));
    snprintf(g->rule, sizeof(g->rule), "5f1e8a2c-0000-4000-8000-%012d", (int)(i % 20));
    snprintf(g->title, sizeof(g->title), "Web exploitation attempt number %d", (int)(i % 20));
    snprintf(g->ip, sizeof(g->ip), "66.42.%d.%d", (int)(i / 251 % 256), (int)(i % 251));
    snprintf(g->uri, sizeof(g->uri), "/vpn/../vpns/portal/scripts/newbm.pl?id=%" PRIu64, i);
    snprintf(g->host, sizeof(g->host), "gw-%02d.example.org", (int)(i % 7));
    snprintf(g->ua, sizeof(g->ua), "Mozilla/5.0 (compatible; scanner/%d.0)", (int)(i % 5));
    snprintf(g->path, sizeof(g->path), "logs/%s/citrix/httpaccess-%d.log", g->tenant,
             (int)(i / 100000));
    g->tags[0] = TR_STR("attack.t1190");
    g->tags[1] = TR_STR("cve.2019-19781");
    g->fields[0] = (tr_kv){ TR_STR("c-ip"), tr_str_c(g->ip) };
    g->fields[1] = (tr_kv){ TR_STR("cs-method"), TR_STR("POST") };
    g->fields[2] = (tr_kv){ TR_STR("cs-uri-stem"), tr_str_c(g->uri) };
    g->fields[3] = (tr_kv){ TR_STR("sc-status"), TR_STR("200") };
    g->fields[4] = (tr_kv){ TR_STR("cs-host"), tr_str_c(g->host) };
    g->fields[5] = (tr_kv){ TR_STR("cs-user-agent"), tr_str_c(g->ua) };
    tr_detection *d = &g->d;
    memset(d, 0, sizeof(*d));
    d->kind = i % 10 == 9 ? TR_DET_IOC : TR_DET_SIGMA;
    d->ts = (int64_t)(1579508042 + i) * 1000000000;
    d->tenant = tr_str_c(g->tenant);
    d->rule_id = d->kind == TR_DET_IOC ? TR_STR("ioc:ipv4") : tr_str_c(g->rule);
    d->rule_title = tr_str_c(g->title);
    d->level = tr_str_c(levels[i % 4]);
    d->tags = g->tags;
    d->ntags = 2;
    d->logsource.category[0] = TR_STR("webserver");
    d->logsource.ncategory = 1;
    d->path = tr_str_c(g->path);
    d->source_gen = 0x1234567;
    d->record = i;
    d->line = i + 1;
    d->fields = g->fields;
    d->nfields = 6;
    if (d->kind == TR_DET_IOC) {
        d->indicator.value = tr_str_c(g->ip);
        d->indicator.type = TR_STR("ipv4");
        d->indicator.feed = TR_STR("apt41.csv");
        d->indicator.actor = TR_STR("APT41");
        d->indicator.field = TR_STR("c-ip");
        d->indicator.side = TR_SIDE_SRC;
    }
    return d;
}

static int fail(const char *what, const char *msg)
{
    fprintf(stderr, "store_bench: %s: %s\n", what, msg);
    return 1;
}

/* Writes n detections through sink; *inside receives the seconds spent in
 * tr_sink_write (the scanning threads' share), the result the total. */
static double run_sink(tr_sink *sink, uint64_t n, double *inside, tr_err *err)
{
    gen g;
    double t0 = now(), in = 0;
    *err = TR_OK;
    for (uint64_t i = 0; i < n && !*err; i++) {
        const tr_detection *d = make(&g, i);
        double a = now();
        *err = tr_sink_write(sink, d);
        in += now() - a;
    }
    if (!*err)
        *err = tr_sink_flush(sink);
    *inside = in;
    return now() - t0;
}

static tr_err count_row(void *ctx, const tr_detection *d)
{
    (*(uint64_t *)ctx) += d->nfields;
    return TR_OK;
}

int main(int argc, char **argv)
{
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
    const char *dir = argc > 2 ? argv[2] : ".";
    char jpath[512], dbpath[512], err[768];
    snprintf(jpath, sizeof(jpath), "%s/store_bench.jsonl", dir);
    snprintf(dbpath, sizeof(dbpath), "%s/store_bench.db", dir);
    remove(dbpath);
    char aux[600];
    snprintf(aux, sizeof(aux), "%s-wal", dbpath);
    remove(aux);
    snprintf(aux, sizeof(aux), "%s-shm", dbpath);
    remove(aux);
    tr_err e;
    double in;

    /* generation alone, to subtract */
    gen g;
    double t0 = now();
    uint64_t sink_bytes = 0;
    for (uint64_t i = 0; i < n; i++)
        sink_bytes += make(&g, i)->record & 1;
    double t_gen = now() - t0;

    FILE *jf = fopen(jpath, "w");
    if (!jf)
        return fail(jpath, strerror(errno));
    tr_sink *js;
    tr_sink_file_new(jf, TR_DETFMT_JSONL, &js);
    double c0 = cpu();
    double t_json = run_sink(js, n, &in, &e) - t_gen;
    double c_json = cpu() - c0;
    tr_sink_free(js);
    fclose(jf);
    if (e)
        return fail("jsonl", tr_strerror(e));
    double json_in = in;

    tr_store *st;
    if (tr_store_open(dbpath, TR_STORE_CREATE, &st, err, sizeof(err)))
        return fail("open", err);
    tr_sink *ss;
    if (tr_store_sink_new(st, NULL, &ss))
        return fail("sink", tr_store_errmsg(st));
    c0 = cpu();
    double t_store = run_sink(ss, n, &in, &e) - t_gen;
    double store_in = in;
    tr_sink_free(ss);
    double c_store = cpu() - c0;
    if (e)
        return fail("store", tr_store_errmsg(st));

    /* the same detections again: every one a duplicate */
    tr_store_sink_new(st, NULL, &ss);
    double t_dup = run_sink(ss, n, &in, &e) - t_gen;
    tr_sink_free(ss);
    if (e)
        return fail("store again", tr_store_errmsg(st));

    /* reading back: everything in pages of 1000, then one tenant */
    tr_store_cursor cur = { 0 };
    uint64_t fields = 0;
    size_t got;
    t0 = now();
    do {
        if (tr_store_query(st, NULL, &cur, 1000, count_row, &fields, &got))
            return fail("query", tr_store_errmsg(st));
    } while (got == 1000);
    double t_query = now() - t0;
    tr_store_filter f;
    tr_store_filter_init(&f);
    f.tenant = "org-007";
    f.min_level = 3;
    uint64_t cnt;
    t0 = now();
    tr_store_count(st, &f, &cnt);
    double t_count = now() - t0;
    tr_store_close(st);

    struct stat sb;
    double db_mb = stat(dbpath, &sb) == 0 ? (double)sb.st_size / 1e6 : 0;
    double js_mb = stat(jpath, &sb) == 0 ? (double)sb.st_size / 1e6 : 0;
    printf("%" PRIu64 " detections (generation %.2f s, subtracted)\n", n, t_gen);
    printf("JSON lines:   %8.2f s  %10.0f det/s  (%.0f MB)\n", t_json, (double)n / t_json, js_mb);
    printf("store:        %8.2f s  %10.0f det/s  (%.0f MB), %.2f s inside write()\n", t_store,
           (double)n / t_store, db_mb, store_in);
    printf("store again:  %8.2f s  %10.0f det/s  (all duplicates, ignored)\n", t_dup,
           (double)n / t_dup);
    printf("store / JSON: %.2fx the time; write() on the scanning side %.2fx JSON's\n",
           t_store / t_json, store_in / json_in);
    printf("CPU:          JSON lines %.2f s, store %.2f s (%.1f us per detection, all threads)\n",
           c_json, c_store, c_store / (double)n * 1e6);
    printf("query all:    %8.2f s  %10.0f det/s  (pages of 1000)\n", t_query, (double)n / t_query);
    printf("count one tenant, high+: %" PRIu64 " in %.3f s\n", cnt, t_count);
    printf("RESULT store_write %.0f det/s\n", (double)n / t_store);
    printf("RESULT store_rewrite_duplicates %.0f det/s\n", (double)n / t_dup);
    printf("RESULT jsonl_write %.0f det/s\n", (double)n / t_json);
    printf("RESULT store_vs_jsonl %.2f x\n", t_store / t_json);
    printf("RESULT store_write_call_vs_jsonl %.2f x\n", store_in / json_in);
    printf("RESULT store_cpu_per_detection %.1f us\n", c_store / (double)n * 1e6);
    printf("RESULT jsonl_cpu_per_detection %.1f us\n", c_json / (double)n * 1e6);
    printf("RESULT store_query %.0f det/s\n", (double)n / t_query);
    printf("RESULT store_bytes_per_detection %.0f B\n", db_mb * 1e6 / (double)n);
    (void)sink_bytes;
    remove(jpath);
    return 0;
}
