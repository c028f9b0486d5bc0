/*
 * ioc_load.c - loads one indicator feed into an index, as trawl hunt -i
 * does, and prints the load time, the index's own memory and the peak
 * resident set of the process (VmHWM: includes the mapped feed file).
 *
 *   ioc_load FEED [NAME]     prints "RESULT NAME_load_s …" lines too
 */
#include "core/common.h"

#include <sys/resource.h>
#include <time.h>

#include "trawl/ioc.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long status_kb(const char *key)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    size_t kl = strlen(key);
    while (f && fgets(line, sizeof(line), f))
        if (strncmp(line, key, kl) == 0)
            v = strtol(line + kl + 1, NULL, 10);
    if (f)
        fclose(f);
    return v;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: ioc_load FEED [NAME]\n");
        return 2;
    }
    const char *name = argc > 2 ? argv[2] : "ioc";
    double t0 = now();
    tr_ioc_builder *b;
    if (tr_ioc_builder_new(NULL, &b) != TR_OK)
        return 1;
    tr_err e = tr_ioc_builder_add_feed(b, argv[1], NULL);
    if (e) {
        fprintf(stderr, "ioc_load: %s: %s\n", argv[1], tr_strerror(e));
        return 1;
    }
    tr_ioc_index *x;
    if (tr_ioc_builder_finish(b, &x) != TR_OK)
        return 1;
    double t1 = now();
    tr_ioc_stats st;
    tr_ioc_index_stats(x, &st);
    long hwm = status_kb("VmHWM:"), rss = status_kb("VmRSS:");
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
                 ru.ru_stime.tv_usec / 1e6;
    printf("%s: %" PRIu64 " indicators (%" PRIu64 " rejected, %" PRIu64 " duplicates) loaded in "
           "%.2f s wall, %.2f s CPU; index %.1f MB; peak RSS %.1f MB (now %.1f MB)\n",
           name, st.total, st.rejected, st.duplicates, t1 - t0, cpu, st.memory / 1048576.0,
           hwm / 1024.0, rss / 1024.0);
    printf("RESULT %s_load_s %.2f s\n", name, t1 - t0);
    printf("RESULT %s_load_cpu_s %.2f s\n", name, cpu);
    printf("RESULT %s_index_mb %.1f MB\n", name, st.memory / 1048576.0);
    printf("RESULT %s_peak_rss_mb %.1f MB\n", name, hwm / 1024.0);
    tr_ioc_index_free(x);
    return 0;
}
