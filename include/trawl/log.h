/*
 * trawl/log.h - diagnostics on stderr, with levels.
 *
 * Every message is one line starting "trawl: ". Messages about input name the
 * place: "trawl: PATH:LINE: reason". A host program can redirect messages
 * with tr_log_set_sink(). Thread-safe: each message is written whole.
 */
#ifndef TR_LOG_H
#define TR_LOG_H

#include "trawl/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tr_log_level {
    TR_LOG_ERROR = 0,
    TR_LOG_WARN,
    TR_LOG_INFO,
    TR_LOG_DEBUG
} tr_log_level;

/* Messages above level are dropped. Default: TR_LOG_WARN. */
TR_API void tr_log_set_level(tr_log_level level);
TR_API tr_log_level tr_log_get_level(void);

/* A sink receives the finished line without its newline. NULL restores stderr. */
typedef void (*tr_log_sink)(tr_log_level level, const char *line, void *ctx);
TR_API void tr_log_set_sink(tr_log_sink sink, void *ctx);

TR_API void tr_log(tr_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "trawl: PATH:LINE: message" (LINE omitted when 0). */
TR_API void tr_log_at(tr_log_level level, const char *path, uint64_t line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define tr_error(...) tr_log(TR_LOG_ERROR, __VA_ARGS__)
#define tr_warn(...) tr_log(TR_LOG_WARN, __VA_ARGS__)
#define tr_info(...) tr_log(TR_LOG_INFO, __VA_ARGS__)
#define tr_debug(...) tr_log(TR_LOG_DEBUG, __VA_ARGS__)

#ifdef __cplusplus
}
#endif
#endif /* TR_LOG_H */
