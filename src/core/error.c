/*
 * error.c - tr_strerror, the version, and TR_BUG.
 */
#include "core/common.h"

static const char *const error_text[] = {
#define TR_ERR_TEXT(name, text) text,
    TR_ERRORS(TR_ERR_TEXT)
#undef TR_ERR_TEXT
};

const char *tr_strerror(tr_err err)
{
    if ((unsigned)err >= TR_ERR_COUNT)
        return "unknown error";
    return error_text[err];
}

const char *tr_version(void)
{
    return TR_VERSION_STRING;
}

void tr_bug(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "trawl: BUG at %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}
