/*
 * progress.c - bytes, events, detections, rate and ETA on one line of a
 * terminal, redrawn in place; nothing at all when stderr is not a terminal.
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

void tr_progress_draw(tr_progress *p, const tr_progress_sample *s)
{
    if (!p->enabled)
        return;
    double t = mono();
    if (t - p->last < 0.25)
        return;
    p->last = t;
    double el = t - p->start;
    double rate = el > 0 ? (double)s->bytes / el : 0;
    char done[32], total[32], r[32], ev[32];
    human((double)s->bytes, done, sizeof(done), "B");
    human((double)s->total_bytes, total, sizeof(total), "B");
    human(rate, r, sizeof(r), "B/s");
    human((double)s->events, ev, sizeof(ev), "");
    char eta[32] = "--";
    if (rate > 0 && s->total_bytes > s->bytes) {
        double sec = (double)(s->total_bytes - s->bytes) / rate;
        snprintf(eta, sizeof(eta), "%dm%02ds", (int)(sec / 60), (int)sec % 60);
    }
    fprintf(stderr, "\r\033[Ktrawl: %s / %s  %s events  %" PRIu64 " detections  %s  ETA %s  "
                    "[%zu/%zu files]",
            done, total, ev, s->detections, r, eta, s->source, s->nsources);
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
