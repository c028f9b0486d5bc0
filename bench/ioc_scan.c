/*
 * ioc_scan.c - the indicator matching path through the library, without the
 * hunt pipeline's detection output: read + parse (tr_reader), route
 * and type (tr_router_route_typed), tokenise and look up
 * (tr_ioc_scan). Files are shared out to T threads, each with its own
 * reader, event and scratch, like rg -j T over the same files.
 *
 *   ioc_scan FEED THREADS [--no-scan] FILE…
 *
 * Prints events, matches, bytes, seconds and MB/s; --no-scan measures the
 * same path without tr_ioc_scan (what the matching itself costs).
 */
#include "core/common.h"

#include <pthread.h>
#include <sys/stat.h>
#include <time.h>

#include "trawl/arena.h"
#include "trawl/ioc.h"
#include "trawl/logsource.h"
#include "trawl/reader.h"

typedef struct job {
    const tr_ioc_index *x;
    const tr_router *router;
    char **files;
    int nfiles;
    int next; /* shared cursor */
    pthread_mutex_t lock;
    bool scan;
} job;

typedef struct result {
    uint64_t events, matches, bytes;
} result;

static int count(void *ctx, const tr_ioc_match *m)
{
    TR_UNUSED(m);
    (*(uint64_t *)ctx)++;
    return 0;
}

static void *worker(void *arg)
{
    job *j = arg;
    result *r = calloc(1, sizeof(*r));
    tr_field *fields = malloc(1024 * sizeof(tr_field));
    tr_arena *arena = tr_arena_new(0, 64u << 20);
    tr_ioc_scratch *s;
    if (!r || !fields || !arena || tr_ioc_scratch_new(j->x, &s) != TR_OK)
        abort();
    tr_event ev;
    tr_event_init(&ev, fields, 1024, arena);
    for (;;) {
        pthread_mutex_lock(&j->lock);
        int k = j->next++;
        pthread_mutex_unlock(&j->lock);
        if (k >= j->nfiles)
            break;
        tr_reader_opts ro = { .format = TR_FMT_AUTO };
        tr_reader *rd;
        char err[256];
        if (tr_reader_open(j->files[k], &ro, &rd, err, sizeof(err)) != TR_OK) {
            fprintf(stderr, "ioc_scan: %s\n", err);
            continue;
        }
        for (;;) {
            tr_err e = tr_reader_next(rd, &ev);
            if (e == TR_EEOF)
                break;
            if (e)
                continue;
            tr_router_route_typed(j->router, &ev);
            r->events++;
            if (j->scan)
                tr_ioc_scan(j->x, s, &ev, count, &r->matches);
        }
        r->bytes += tr_reader_stats_get(rd)->bytes;
        tr_reader_free(rd);
    }
    tr_ioc_scratch_free(s);
    tr_arena_free(arena);
    free(fields);
    return r;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: ioc_scan FEED THREADS [--no-scan] FILE…\n");
        return 2;
    }
    int threads = atoi(argv[2]);
    int first = 3;
    bool scan = true;
    if (strcmp(argv[3], "--no-scan") == 0) {
        scan = false;
        first = 4;
    }
    double t0 = now();
    tr_ioc_builder *b;
    tr_ioc_index *x;
    if (tr_ioc_builder_new(NULL, &b) || tr_ioc_builder_add_feed(b, argv[1], NULL) ||
        tr_ioc_builder_finish(b, &x)) {
        fprintf(stderr, "ioc_scan: cannot load %s\n", argv[1]);
        return 1;
    }
    double t1 = now();
    tr_router *router;
    char err[256];
    if (tr_router_new(NULL, &router, err, sizeof(err)) != TR_OK) {
        fprintf(stderr, "ioc_scan: %s\n", err);
        return 1;
    }
    job j = { x, router, argv + first, argc - first, 0, PTHREAD_MUTEX_INITIALIZER, scan };
    pthread_t tid[64];
    if (threads < 1 || threads > 64)
        threads = 1;
    for (int i = 0; i < threads; i++)
        pthread_create(&tid[i], NULL, worker, &j);
    result total = { 0, 0, 0 };
    for (int i = 0; i < threads; i++) {
        result *r;
        pthread_join(tid[i], (void **)&r);
        total.events += r->events;
        total.matches += r->matches;
        total.bytes += r->bytes;
        free(r);
    }
    double t2 = now();
    printf("load %.2f s, scan %.2f s: %" PRIu64 " events, %" PRIu64 " matches, %.1f MB, %.1f MB/s"
           " (%d threads%s)\n",
           t1 - t0, t2 - t1, total.events, total.matches, total.bytes / 1e6,
           total.bytes / 1e6 / (t2 - t1), threads, scan ? "" : ", no scan");
    tr_router_free(router);
    tr_ioc_index_free(x);
    return 0;
}
