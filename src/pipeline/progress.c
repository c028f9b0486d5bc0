/*
 * progress.c - bytes, events, detections, rate and ETA on one line of a
 * terminal, redrawn in place; nothing at all when stderr is not a terminal.
 * When the size of the input is unknown (a pipe, stdin) the line shows what
 * was read, without a total or an ETA.
 */
#include "core/common.h"

#include <time.h>
#include <unistd.h>

#include "pipeline/progress.h"

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void tr_progress_init(tr_progress *p, bool requested)
{
    memset(p, 0, sizeof(*p));
    p->enabled = requested && isatty(STDERR_FILENO);
    p->start = p->last = mono();
}

/* "512 B", "1.5 MB", "3.0 MB/s" */
static void human(double v, char *out, size_t n, const char *unit)
{
    const char *sfx[] = { "", "k", "M", "G", "T" };
    int i = 0;
    while (v >= 1000 && i < 4) {
        v /= 1000;
        i++;
    }
    snprintf(out, n, i ? "%.1f %s%s" : "%.0f %s%s", v, sfx[i], unit);
}

/* "950", "1.2k", "3.4M" */
static void count(uint64_t c, char *out, size_t n)
{
    const char *sfx[] = { "", "k", "M", "G", "T" };
    double v = (double)c;
    int i = 0;
    while (v >= 1000 && i < 4) {
        v /= 1000;
        i++;
    }
    snprintf(out, n, i ? "%.1f%s" : "%.0f%s", v, sfx[i]);
}

void tr_progress_format(const tr_progress_sample *s, double elapsed, char *out, size_t n)
{
    double rate = elapsed > 0 ? (double)s->bytes / elapsed : 0;
    char done[32], total[32], r[32], ev[32], eta[32] = "";
    human((double)s->bytes, done, sizeof(done), "B");
    human(rate, r, sizeof(r), "B/s");
    count(s->events, ev, sizeof(ev));
    if (s->total_bytes) {
        human((double)s->total_bytes, total, sizeof(total), "B");
        if (rate > 0 && s->total_bytes > s->bytes) {
            double sec = (double)(s->total_bytes - s->bytes) / rate;
            snprintf(eta, sizeof(eta), "  ETA %dm%02ds", (int)(sec / 60), (int)sec % 60);
        } else {
            snprintf(eta, sizeof(eta), "  ETA --");
        }
    }
    snprintf(out, n, "trawl: %s%s%s  %s events  %" PRIu64 " detections  %s%s  [%zu/%zu files]",
             done, s->total_bytes ? " / " : " read", s->total_bytes ? total : "", ev,
             s->detections, r, eta, s->source, s->nsources);
}

void tr_progress_draw(tr_progress *p, const tr_progress_sample *s)
{
    if (!p->enabled)
        return;
    double t = mono();
    if (t - p->last < 0.25)
        return;
    p->last = t;
    char line[256];
    tr_progress_format(s, t - p->start, line, sizeof(line));
    fprintf(stderr, "\r\033[K%s", line);
    fflush(stderr);
    p->drawn = true;
}

void tr_progress_clear(tr_progress *p)
{
    if (p->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        p->drawn = false;
    }
}
