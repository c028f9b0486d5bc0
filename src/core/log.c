/*
 * log.c - leveled one-line diagnostics (see trawl/log.h).
 */
#include "core/common.h"

#include <stdatomic.h>

#include "trawl/log.h"

static _Atomic int log_level = TR_LOG_WARN;
static tr_log_sink log_sink;
static void *log_sink_ctx;

void tr_log_set_level(tr_log_level level)
{
    atomic_store(&log_level, (int)level);
}

tr_log_level tr_log_get_level(void)
{
    return (tr_log_level)atomic_load(&log_level);
}

void tr_log_set_sink(tr_log_sink sink, void *ctx)
{
    log_sink = sink;
    log_sink_ctx = ctx;
}

static void emit(tr_log_level level, const char *path, uint64_t line, const char *fmt, va_list ap)
{
    char msg[2048];
    int off = snprintf(msg, sizeof(msg), "trawl: ");
    if (path) {
        if (line)
            off += snprintf(msg + off, sizeof(msg) - (size_t)off, "%s:%" PRIu64 ": ", path, line);
        else
            off += snprintf(msg + off, sizeof(msg) - (size_t)off, "%s: ", path);
    }
    if (off < (int)sizeof(msg))
        vsnprintf(msg + off, sizeof(msg) - (size_t)off, fmt, ap);
    if (log_sink) {
        log_sink(level, msg, log_sink_ctx);
        return;
    }
    size_t n = strlen(msg);
    if (n < sizeof(msg) - 1) {
        msg[n++] = '\n';
        msg[n] = '\0';
    }
    fwrite(msg, 1, n, stderr); /* one write per line: lines from threads never interleave */
}

void tr_log(tr_log_level level, const char *fmt, ...)
{
    if ((int)level > atomic_load(&log_level))
        return;
    va_list ap;
    va_start(ap, fmt);
    emit(level, NULL, 0, fmt, ap);
    va_end(ap);
}

void tr_log_at(tr_log_level level, const char *path, uint64_t line, const char *fmt, ...)
{
    if ((int)level > atomic_load(&log_level))
        return;
    va_list ap;
    va_start(ap, fmt);
    emit(level, path ? path : "-", line, fmt, ap);
    va_end(ap);
}
