/*
 * emit.h - buffered output files and the field formatters the simulator
 * writes with.
 *
 * The generator must reach 100+ MB/s on one core, so records are built by
 * appending bytes into a large per-file buffer with hand-written number and
 * time formatters (no printf per field); the buffer goes to the kernel in
 * 1 MiB writes, or through zlib when the file is gzip-compressed.
 */
#ifndef TR_SIM_EMIT_H
#define TR_SIM_EMIT_H

#include "core/common.h"

#include <zlib.h>

#define SIM_OUT_BUF (1u << 20)

typedef struct sim_out {
    char *buf;        /* staging buffer (owned), SIM_OUT_BUF + slack bytes */
    size_t n;         /* bytes staged */
    int fd;           /* open file, -1 when closed */
    bool gz;          /* deflate the bytes before writing */
    z_stream z;       /* gzip state when gz */
    char *zbuf;       /* deflate output buffer (owned) when gz */
    uint64_t bytes;   /* bytes written to disk so far (compressed size when gz) */
    uint64_t raw;     /* uncompressed bytes appended so far */
    uint64_t records; /* records written (counted by callers) */
    int64_t mtime;    /* modification time given to the file at close (UTC ns), 0 = now */
    tr_err err;       /* first error (sticky) */
    char path[1024];  /* the file's path, for messages */
} sim_out;

/* Opens path for writing (truncating it), creating parent directories. */
tr_err sim_out_open(sim_out *o, const char *path, bool gz);
/* Flushes and closes; returns the first error of the file's life. */
tr_err sim_out_close(sim_out *o);
/* Writes the staged bytes out (called when the buffer fills). */
void sim_out_flush(sim_out *o);

/* Creates every missing directory of path (not the last component). */
tr_err sim_mkdirs_for(const char *path);

/* Room for one record: records are far below this, so appends between two
 * sim_out_room() calls need no bounds checks. */
#define SIM_REC_MAX (64u << 10)
static inline void sim_out_room(sim_out *o)
{
    if (TR_UNLIKELY(o->n > SIM_OUT_BUF))
        sim_out_flush(o);
}

static inline void put(sim_out *o, const char *s, size_t n)
{
    memcpy(o->buf + o->n, s, n);
    o->n += n;
}
/* lit must be a string literal ("" lit does not compile otherwise). */
#define PUTL(o, lit) put((o), "" lit, sizeof(lit) - 1)
static inline void puts_(sim_out *o, const char *s)
{
    put(o, s, strlen(s));
}
static inline void putc_(sim_out *o, char c)
{
    o->buf[o->n++] = c;
}

/* Decimal of v. */
void put_u64(sim_out *o, uint64_t v);
static inline void put_i64(sim_out *o, int64_t v)
{
    if (v < 0) {
        putc_(o, '-');
        put_u64(o, (uint64_t)(-(v + 1)) + 1);
    } else {
        put_u64(o, (uint64_t)v);
    }
}
/* v with exactly width digits (zero-padded; v < 10^width). */
void put_uw(sim_out *o, uint64_t v, int width);
/* Dotted quad of a host-order IPv4 address. */
void put_ip4(sim_out *o, uint32_t ip);
/* Lower-case hex of v, exactly width digits. */
void put_hex(sim_out *o, uint64_t v, int width);
/* s as the body of a JSON string (quotes not included). */
void put_json_body(sim_out *o, const char *s);
/* "s" as a JSON string with quotes. */
static inline void put_jstr(sim_out *o, const char *s)
{
    putc_(o, '"');
    put_json_body(o, s);
    putc_(o, '"');
}

/* Times. ns is UTC nanoseconds; off_min the local offset in minutes. */
/* 20/Jan/2020:08:14:02 +0000 (Apache %t without brackets). */
void put_time_apache(sim_out *o, int64_t ns, int off_min);
/* 2020-01-20T08:14:02.123456Z (frac_digits 0, 3, 6 or 7). */
void put_time_iso(sim_out *o, int64_t ns, int frac_digits);
/* 2020-01-20 08:14:02.123 (Sysmon UtcTime). */
void put_time_sysmon(sim_out *o, int64_t ns);
/* 2020-02-21T03:12:45.123456+0100 (Suricata EVE, local time). */
void put_time_eve(sim_out *o, int64_t ns, int off_min);
/* Jan 20 08:14:02 (RFC 3164, UTC). */
void put_time_3164(sim_out *o, int64_t ns);
/* 1579508042.123456 (Zeek). */
void put_time_epoch6(sim_out *o, int64_t ns);
/* 2020-01-20-08-14-02 (Zeek #open/#close). */
void put_time_zeekhdr(sim_out *o, int64_t ns);

/* Formats ip into buf (16 bytes); returns buf. */
char *sim_ip_str(uint32_t ip, char buf[16]);

#endif
