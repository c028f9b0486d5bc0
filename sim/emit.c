/*
 * emit.c - buffered (optionally gzip-compressed) output files and the hand
 * written formatters of numbers, addresses and timestamps (see emit.h).
 */
#include "core/common.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/time.h"
#include "sim/emit.h"

#define ZBUF_SIZE (256u << 10)

tr_err sim_mkdirs_for(const char *path)
{
    char tmp[1024];
    size_t n = strlen(path);
    if (n >= sizeof(tmp))
        return TR_ELIMIT;
    memcpy(tmp, path, n + 1);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
            return TR_EIO;
        *p = '/';
    }
    return TR_OK;
}

tr_err sim_out_open(sim_out *o, const char *path, bool gz)
{
    memset(o, 0, sizeof(*o));
    o->fd = -1;
    snprintf(o->path, sizeof(o->path), "%s", path);
    tr_err err = sim_mkdirs_for(path);
    if (err)
        return o->err = err;
    o->buf = tr_malloc(SIM_OUT_BUF + SIM_REC_MAX);
    if (!o->buf)
        return o->err = TR_ENOMEM;
    if (gz) {
        o->zbuf = tr_malloc(ZBUF_SIZE);
        if (!o->zbuf)
            return o->err = TR_ENOMEM;
        /* windowBits 15 + 16: a gzip wrapper; level 1 keeps up with the generator */
        if (deflateInit2(&o->z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
            return o->err = TR_ENOMEM;
        o->gz = true;
    }
    o->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (o->fd < 0)
        return o->err = TR_EIO;
    return TR_OK;
}

static void write_all(sim_out *o, const char *p, size_t n)
{
    while (n && !o->err) {
        ssize_t w = write(o->fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            o->err = TR_EIO;
            return;
        }
        p += w;
        n -= (size_t)w;
        o->bytes += (uint64_t)w;
    }
}

static void deflate_out(sim_out *o, int flush)
{
    o->z.next_in = (Bytef *)o->buf;
    o->z.avail_in = (uInt)o->n;
    int rc;
    do {
        o->z.next_out = (Bytef *)o->zbuf;
        o->z.avail_out = ZBUF_SIZE;
        rc = deflate(&o->z, flush);
        if (rc == Z_STREAM_ERROR) {
            o->err = TR_ECOMPRESS;
            return;
        }
        write_all(o, o->zbuf, ZBUF_SIZE - o->z.avail_out);
    } while (o->z.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
}

void sim_out_flush(sim_out *o)
{
    o->raw += o->n;
    if (o->fd >= 0 && !o->err) {
        if (o->gz)
            deflate_out(o, Z_NO_FLUSH);
        else
            write_all(o, o->buf, o->n);
    }
    o->n = 0;
}

tr_err sim_out_close(sim_out *o)
{
    if (o->fd >= 0) {
        sim_out_flush(o);
        if (o->gz && !o->err) {
            o->n = 0;
            deflate_out(o, Z_FINISH);
        }
        if (o->mtime > 0 && !o->err) {
            /* as an archived log would be: last written when its last record was
             * (readers of year-less syslog take the year from it) */
            struct timespec ts[2];
            ts[0].tv_sec = ts[1].tv_sec = (time_t)(o->mtime / 1000000000);
            ts[0].tv_nsec = ts[1].tv_nsec = (long)(o->mtime % 1000000000);
            if (futimens(o->fd, ts) != 0)
                o->err = TR_EIO;
        }
        if (close(o->fd) != 0 && !o->err)
            o->err = TR_EIO;
        o->fd = -1;
    }
    if (o->gz)
        deflateEnd(&o->z);
    o->gz = false;
    tr_free(o->buf);
    tr_free(o->zbuf);
    o->buf = o->zbuf = NULL;
    return o->err;
}

/* Two-digit table: "00".."99". */
static const char d2[201] = "00010203040506070809101112131415161718192021222324252627282930313233"
                            "34353637383940414243444546474849505152535455565758596061626364656667"
                            "6869707172737475767778798081828384858687888990919293949596979899";

void put_u64(sim_out *o, uint64_t v)
{
    char tmp[24];
    char *e = tmp + sizeof(tmp), *p = e;
    while (v >= 100) {
        unsigned k = (unsigned)(v % 100) * 2;
        v /= 100;
        *--p = d2[k + 1];
        *--p = d2[k];
    }
    if (v >= 10) {
        *--p = d2[v * 2 + 1];
        *--p = d2[v * 2];
    } else {
        *--p = (char)('0' + v);
    }
    put(o, p, (size_t)(e - p));
}

void put_uw(sim_out *o, uint64_t v, int width)
{
    char *p = o->buf + o->n + width;
    for (int i = 0; i < width; i++) {
        *--p = (char)('0' + v % 10);
        v /= 10;
    }
    o->n += (size_t)width;
}

static inline void put2(sim_out *o, unsigned v)
{
    o->buf[o->n] = d2[v * 2];
    o->buf[o->n + 1] = d2[v * 2 + 1];
    o->n += 2;
}

void put_ip4(sim_out *o, uint32_t ip)
{
    for (int i = 3; i >= 0; i--) {
        put_u64(o, (ip >> (i * 8)) & 0xff);
        if (i)
            putc_(o, '.');
    }
}

char *sim_ip_str(uint32_t ip, char buf[16])
{
    snprintf(buf, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff);
    return buf;
}

void put_hex(sim_out *o, uint64_t v, int width)
{
    static const char hx[] = "0123456789abcdef";
    char *p = o->buf + o->n + width;
    for (int i = 0; i < width; i++) {
        *--p = hx[v & 15];
        v >>= 4;
    }
    o->n += (size_t)width;
}

void put_json_body(sim_out *o, const char *s)
{
    static const char hx[] = "0123456789abcdef";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        if (c == '"' || c == '\\') {
            putc_(o, '\\');
            putc_(o, (char)c);
        } else if (c < 0x20) {
            PUTL(o, "\\u00");
            putc_(o, hx[c >> 4]);
            putc_(o, hx[c & 15]);
        } else {
            putc_(o, (char)c);
        }
    }
}

static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

void put_time_apache(sim_out *o, int64_t ns, int off_min)
{
    tr_tm tm;
    tr_time_split(ns + (int64_t)off_min * 60 * TR_NS_PER_SEC, &tm);
    put2(o, (unsigned)tm.day);
    putc_(o, '/');
    put(o, months + (tm.month - 1) * 3, 3);
    putc_(o, '/');
    put_uw(o, (uint64_t)tm.year, 4);
    putc_(o, ':');
    put2(o, (unsigned)tm.hour);
    putc_(o, ':');
    put2(o, (unsigned)tm.minute);
    putc_(o, ':');
    put2(o, (unsigned)tm.second);
    putc_(o, ' ');
    int a = off_min < 0 ? -off_min : off_min;
    putc_(o, off_min < 0 ? '-' : '+');
    put2(o, (unsigned)(a / 60));
    put2(o, (unsigned)(a % 60));
}

static void put_date_time(sim_out *o, const tr_tm *tm, char sep)
{
    put_uw(o, (uint64_t)tm->year, 4);
    putc_(o, '-');
    put2(o, (unsigned)tm->month);
    putc_(o, '-');
    put2(o, (unsigned)tm->day);
    putc_(o, sep);
    put2(o, (unsigned)tm->hour);
    putc_(o, ':');
    put2(o, (unsigned)tm->minute);
    putc_(o, ':');
    put2(o, (unsigned)tm->second);
}

static void put_frac(sim_out *o, int nsec, int digits)
{
    if (digits <= 0)
        return;
    putc_(o, '.');
    int v = nsec;
    for (int i = digits; i < 9; i++)
        v /= 10;
    put_uw(o, (uint64_t)v, digits);
}

void put_time_iso(sim_out *o, int64_t ns, int frac_digits)
{
    tr_tm tm;
    tr_time_split(ns, &tm);
    put_date_time(o, &tm, 'T');
    put_frac(o, tm.nsec, frac_digits);
    putc_(o, 'Z');
}

void put_time_sysmon(sim_out *o, int64_t ns)
{
    tr_tm tm;
    tr_time_split(ns, &tm);
    put_date_time(o, &tm, ' ');
    put_frac(o, tm.nsec, 3);
}

void put_time_eve(sim_out *o, int64_t ns, int off_min)
{
    tr_tm tm;
    tr_time_split(ns + (int64_t)off_min * 60 * TR_NS_PER_SEC, &tm);
    put_date_time(o, &tm, 'T');
    put_frac(o, tm.nsec, 6);
    int a = off_min < 0 ? -off_min : off_min;
    putc_(o, off_min < 0 ? '-' : '+');
    put2(o, (unsigned)(a / 60));
    put2(o, (unsigned)(a % 60));
}

void put_time_3164(sim_out *o, int64_t ns)
{
    tr_tm tm;
    tr_time_split(ns, &tm);
    put(o, months + (tm.month - 1) * 3, 3);
    putc_(o, ' ');
    if (tm.day < 10) {
        putc_(o, ' ');
        putc_(o, (char)('0' + tm.day));
    } else {
        put2(o, (unsigned)tm.day);
    }
    putc_(o, ' ');
    put2(o, (unsigned)tm.hour);
    putc_(o, ':');
    put2(o, (unsigned)tm.minute);
    putc_(o, ':');
    put2(o, (unsigned)tm.second);
}

void put_time_epoch6(sim_out *o, int64_t ns)
{
    put_u64(o, (uint64_t)(ns / TR_NS_PER_SEC));
    putc_(o, '.');
    put_uw(o, (uint64_t)(ns % TR_NS_PER_SEC / 1000), 6);
}

void put_time_zeekhdr(sim_out *o, int64_t ns)
{
    tr_tm tm;
    tr_time_split(ns, &tm);
    put_uw(o, (uint64_t)tm.year, 4);
    putc_(o, '-');
    put2(o, (unsigned)tm.month);
    putc_(o, '-');
    put2(o, (unsigned)tm.day);
    putc_(o, '-');
    put2(o, (unsigned)tm.hour);
    putc_(o, '-');
    put2(o, (unsigned)tm.minute);
    putc_(o, '-');
    put2(o, (unsigned)tm.second);
}
