/*
 * syslog.c - syslog lines: RFC 5424, RFC 3164 (BSD) as written to
 * /var/log/{syslog,messages,auth.log}, with or without <PRI>, rsyslog's
 * high-precision ISO timestamps, and FreeBSD/NetScaler's "<local7.notice>"
 * priority text.
 *
 *   <34>1 2020-01-20T08:14:02.003Z host app 1234 ID47 [id@1 k="v"] message
 *   <38>Jan 20 08:14:02 host sshd[1234]: Accepted password for root …
 *   2020-01-20T08:14:02.123456+00:00 host sudo: alice : TTY=pts/0 ; USER=root …
 *   Jan 20 08:16:30 <local7.notice> ns bash[2567]: nobody on /dev/pts/0 shell_command="…"
 *
 * Fields: facility and severity (keywords: "auth", "notice"), host (alias
 * hostname), program (alias app_name), pid, msgid, message, RFC 5424
 * structured data as sd.<SD-ID>.<PARAM-NAME>, and the key=value pairs of
 * the message (syslog_kv.h; sudo's " ; "-separated form for sudo). NILVALUE
 * header fields are left out. logsource: product linux, service from the
 * program (sshd, sudo, cron, vsftpd, clamav, guacamole, auditd), else auth
 * for login programs and the auth/authpriv facilities, else syslog.
 *
 * RFC 3164 has no year. With opts.default_year (archives) the first line is
 * in that year and a month going back by more than six (Dec → Jan) starts
 * the next year; a parser only sees its own lines, so this holds within
 * one stream read in order. Without it the year is the latest one that does
 * not put the line more than two days after opts.ref_time (the file's
 * modification time, which the callers pass: plaso estimates syslog years
 * from file times too) or after now when no reference is given; a Feb 29
 * goes back to the last leap year.
 */
#include "core/common.h"

#include <time.h>

#include "core/time.h"
#include "parse/format.h"
#include "parse/syslog_kv.h"
#include "parse/weblog_text.h"
#include "trawl/arena.h"

typedef struct syslog_state {
    int year;       /* RFC 3164: year of the last line */
    int last_month; /* RFC 3164: month of the last line, 0 before the first */
} syslog_state;

static const char *const facilities[] = {
    "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
    "uucp", "cron", "authpriv", "ftp", "ntp", "security", "console", "solaris-cron",
    "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
};

static const char *const severities[] = { "emerg", "alert", "crit", "err",
                                          "warning", "notice", "info", "debug" };

typedef struct prog_service {
    const char *program;
    const char *service;
} prog_service;

/* Program names (as in the tag, case-insensitive) and the Sigma service of
 * their lines (taxonomy appendix, Linux). */
static const prog_service services[] = {
    { "sshd", "sshd" },           { "sshd-session", "sshd" }, { "sudo", "sudo" },
    { "cron", "cron" },           { "crond", "cron" },        { "anacron", "cron" },
    { "crontab", "cron" },        { "vsftpd", "vsftpd" },     { "clamd", "clamav" },
    { "freshclam", "clamav" },    { "clamav-milter", "clamav" }, { "clamscan", "clamav" },
    { "guacd", "guacamole" },     { "guacamole", "guacamole" }, { "auditd", "auditd" },
    { "audispd", "auditd" },      { "audisp-syslog", "auditd" }, { "su", "auth" },
    { "login", "auth" },          { "passwd", "auth" },       { "pkexec", "auth" },
    { "polkitd", "auth" },        { "systemd-logind", "auth" }, { "useradd", "auth" },
    { "userdel", "auth" },        { "usermod", "auth" },      { "groupadd", "auth" },
    { "groupdel", "auth" },       { "groupmod", "auth" },     { "chpasswd", "auth" },
    { "chage", "auth" },          { "gpasswd", "auth" },      { "newgrp", "auth" },
    { "unix_chkpwd", "auth" },    { "gdm-password", "auth" }, { "doas", "auth" },
};

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static tr_err syslog_init(tr_parser *p)
{
    syslog_state *st = p->state;
    st->year = p->opts.default_year;
    return TR_OK;
}

static bool reserved_key(tr_str k)
{
    static const char *const names[] = { "facility", "severity", "host", "hostname", "program",
                                         "app_name", "pid", "msgid", "message" };
    for (size_t i = 0; i < TR_ARRAY_LEN(names); i++)
        if (tr_str_eq(k, tr_str_c(names[i])))
            return true;
    return false;
}

static tr_str service_for(tr_str program, int facility)
{
    for (size_t i = 0; i < TR_ARRAY_LEN(services); i++) {
        size_t n = strlen(services[i].program);
        if (program.n == n && strncasecmp(program.p, services[i].program, n) == 0)
            return tr_str_c(services[i].service);
    }
    if (facility == 4 || facility == 10)
        return TR_STR("auth");
    return TR_STR("syslog");
}

/* "<PRI>" at s: *pri and the bytes used, or 0. */
static size_t parse_pri(tr_str s, int *pri)
{
    if (s.n < 3 || s.p[0] != '<')
        return 0;
    int v = 0;
    size_t i = 1;
    while (i < s.n && i <= 4 && is_digit(s.p[i]))
        v = v * 10 + (s.p[i++] - '0');
    if (i == 1 || i >= s.n || s.p[i] != '>' || v > 191)
        return 0;
    *pri = v;
    return i + 1;
}

/* FreeBSD syslogd -v: "<local7.notice>" → facility and severity codes. */
static bool parse_pri_text(tr_str t, int *fac, int *sev)
{
    if (t.n < 5 || t.p[0] != '<' || t.p[t.n - 1] != '>')
        return false;
    const char *dot = memchr(t.p, '.', t.n);
    if (!dot)
        return false;
    tr_str f = { t.p + 1, (size_t)(dot - t.p - 1) };
    tr_str s = { dot + 1, (size_t)(t.p + t.n - 1 - dot - 1) };
    *fac = *sev = -1;
    for (size_t i = 0; i < TR_ARRAY_LEN(facilities); i++)
        if (tr_str_eq(f, tr_str_c(facilities[i])))
            *fac = (int)i;
    for (size_t i = 0; i < TR_ARRAY_LEN(severities); i++)
        if (tr_str_eq(s, tr_str_c(severities[i])))
            *sev = (int)i;
    if (tr_str_eq(s, TR_STR("warn")))
        *sev = 4;
    if (tr_str_eq(s, TR_STR("error")))
        *sev = 3;
    return *fac >= 0 && *sev >= 0;
}

static tr_str word(tr_str *s)
{
    const char *sp = memchr(s->p, ' ', s->n);
    tr_str w = { s->p, sp ? (size_t)(sp - s->p) : s->n };
    s->p += w.n;
    s->n -= w.n;
    return w;
}

static void skip_space(tr_str *s)
{
    while (s->n && s->p[0] == ' ') {
        s->p++;
        s->n--;
    }
}

static void add_pri_fields(tr_event *ev, int fac, int sev)
{
    if (fac >= 0 && fac < (int)TR_ARRAY_LEN(facilities))
        tr_event_add(ev, TR_STR("facility"), tr_str_c(facilities[fac]), TR_VSTR);
    if (sev >= 0 && sev < (int)TR_ARRAY_LEN(severities))
        tr_event_add(ev, TR_STR("severity"), tr_str_c(severities[sev]), TR_VSTR);
}

static void add_pid(tr_event *ev, tr_str pid)
{
    bool num = pid.n > 0 && pid.n < 19;
    for (size_t i = 0; num && i < pid.n; i++)
        num = is_digit(pid.p[i]);
    tr_event_add(ev, TR_STR("pid"), pid, num && tr_text_is_number(pid) ? TR_VNUM : TR_VSTR);
}

static void add_message(tr_event *ev, tr_str msg, tr_str program)
{
    tr_event_add(ev, TR_STR("message"), msg, TR_VSTR);
    if (msg.n && memchr(msg.p, '=', msg.n)) {
        unsigned flags = tr_str_eq(program, TR_STR("sudo")) ? TR_KV_SEGMENTS : 0;
        tr_kv_extract(ev, msg, flags, reserved_key);
    }
}

static void set_logsource(tr_event *ev, tr_str program, int fac)
{
    ev->logsource.product = TR_STR("linux");
    ev->logsource.service = service_for(program, fac);
}

/* The ns of "Mmm dd hh:mm:ss" with the year rules of the file comment. */
static tr_err rfc3164_time(tr_parser *p, tr_str s, int64_t *ns)
{
    syslog_state *st = p->state;
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    int month = 0;
    for (int m = 0; m < 12 && s.n >= 3; m++)
        if (memcmp(s.p, months + m * 3, 3) == 0)
            month = m + 1;
    if (!month)
        return TR_EPARSE;
    int year;
    if (p->opts.default_year) {
        if (st->last_month && month + 6 < st->last_month)
            st->year++;
        year = st->year;
        if (st->last_month && month > st->last_month + 6)
            year--; /* a straggler from before the turn of the year */
        else
            st->last_month = month;
        return tr_time_parse_rfc3164(s.p, s.n, year, ns, NULL) == TR_OK ? TR_OK : TR_EPARSE;
    }
    int64_t ref = p->opts.ref_time ? p->opts.ref_time : (int64_t)time(NULL) * TR_NS_PER_SEC;
    int64_t limit = ref + 2 * 86400 * TR_NS_PER_SEC;
    tr_tm rt;
    tr_time_split(ref, &rt);
    /* the latest year (going back at most to the previous leap year) where
     * the date exists and is not after the reference */
    for (year = rt.year; year >= rt.year - 4; year--)
        if (tr_time_parse_rfc3164(s.p, s.n, year, ns, NULL) == TR_OK && *ns <= limit)
            return TR_OK;
    return TR_EPARSE;
}

/* RFC 5424 STRUCTURED-DATA at *s; adds sd.<id>.<param> fields. false when
 * it is malformed (nothing is consumed then). */
static bool parse_sd(tr_str *s, tr_event *ev)
{
    if (s->n && s->p[0] == '-') {
        s->p++;
        s->n--;
        return true;
    }
    tr_str r = *s;
    uint32_t first = ev->nfields;
    while (r.n && r.p[0] == '[') {
        size_t i = 1;
        while (i < r.n && r.p[i] != ' ' && r.p[i] != ']' && r.p[i] != '=' && r.p[i] != '"')
            i++;
        tr_str id = { r.p + 1, i - 1 };
        if (!id.n || i >= r.n)
            goto bad;
        while (i < r.n && r.p[i] == ' ') {
            i++;
            size_t k = i;
            while (k < r.n && r.p[k] != '=' && r.p[k] != ' ' && r.p[k] != ']' && r.p[k] != '"')
                k++;
            tr_str name = { r.p + i, k - i };
            if (!name.n || k + 1 >= r.n || r.p[k] != '=' || r.p[k + 1] != '"')
                goto bad;
            size_t v = k + 2, j = v;
            bool esc = false;
            while (j < r.n && r.p[j] != '"') {
                if (r.p[j] == '\\' && j + 1 < r.n) {
                    esc = true;
                    j++;
                }
                j++;
            }
            if (j >= r.n)
                goto bad;
            tr_str val = { r.p + v, j - v };
            if (esc && ev->arena) {
                char *o = tr_arena_alloc(ev->arena, val.n + 1);
                if (o) {
                    size_t m = 0;
                    for (size_t q = 0; q < val.n; q++) {
                        if (val.p[q] == '\\' && q + 1 < val.n &&
                            (val.p[q + 1] == '"' || val.p[q + 1] == '\\' || val.p[q + 1] == ']'))
                            q++;
                        o[m++] = val.p[q];
                    }
                    val = (tr_str){ o, m };
                }
            }
            size_t nn = 3 + id.n + 1 + name.n;
            char *fn = ev->arena ? tr_arena_alloc(ev->arena, nn + 1) : NULL;
            if (fn) {
                memcpy(fn, "sd.", 3);
                memcpy(fn + 3, id.p, id.n);
                fn[3 + id.n] = '.';
                memcpy(fn + 4 + id.n, name.p, name.n);
                fn[nn] = '\0';
                tr_event_add(ev, (tr_str){ fn, nn }, val, TR_VSTR);
            }
            i = j + 1;
        }
        if (i >= r.n || r.p[i] != ']')
            goto bad;
        r.p += i + 1;
        r.n -= i + 1;
    }
    if (r.n == s->n)
        goto bad; /* neither '-' nor '[' */
    *s = r;
    return true;
bad:
    ev->nfields = first;
    return false;
}

static tr_err parse_5424(tr_parser *p, tr_str s, int pri, tr_event *ev)
{
    tr_str when = word(&s);
    skip_space(&s);
    tr_err e = tr_time_parse_rfc5424(when.p, when.n, &ev->ts);
    if (e == TR_EPARSE)
        return tr_parser_fail(p, TR_EPARSE, "RFC 5424: bad TIMESTAMP '%.*s'",
                              (int)TR_MIN(when.n, 40), when.p);
    tr_str host = word(&s);
    skip_space(&s);
    tr_str app = word(&s);
    skip_space(&s);
    tr_str procid = word(&s);
    skip_space(&s);
    tr_str msgid = word(&s);
    skip_space(&s);
    if (!msgid.n)
        return tr_parser_fail(p, TR_EPARSE, "RFC 5424: header ends before MSGID");
    add_pri_fields(ev, pri >> 3, pri & 7);
    tr_str nil = TR_STR("-");
    tr_field *f;
    if (!tr_str_eq(host, nil) && (f = tr_event_add(ev, TR_STR("host"), host, TR_VSTR)))
        f->alias = TR_STR("hostname");
    tr_str program = tr_str_eq(app, nil) ? (tr_str){ NULL, 0 } : app;
    if (program.n && (f = tr_event_add(ev, TR_STR("program"), program, TR_VSTR)))
        f->alias = TR_STR("app_name");
    if (!tr_str_eq(procid, nil))
        add_pid(ev, procid);
    if (!tr_str_eq(msgid, nil))
        tr_event_add(ev, TR_STR("msgid"), msgid, TR_VSTR);
    parse_sd(&s, ev); /* malformed structured data stays in the message */
    skip_space(&s);
    if (s.n >= 3 && memcmp(s.p, "\xEF\xBB\xBF", 3) == 0) {
        s.p += 3;
        s.n -= 3;
    }
    add_message(ev, s, program);
    set_logsource(ev, program, pri >> 3);
    return TR_OK;
}

static bool tag_char(char c)
{
    return c != ' ' && c != '[' && c != ':' && c != '\0';
}

/* BSD: [<PRI>] TIMESTAMP [<fac.sev>] HOSTNAME TAG[PID]: MSG */
static tr_err parse_3164(tr_parser *p, tr_str s, int pri, tr_event *ev)
{
    int fac = pri >= 0 ? pri >> 3 : -1, sev = pri >= 0 ? pri & 7 : -1;
    if (s.n >= 15 && s.p[3] == ' ' && s.p[9] == ':' && !is_digit(s.p[0])) {
        if (rfc3164_time(p, s, &ev->ts) != TR_OK)
            return tr_parser_fail(p, TR_EPARSE, "bad timestamp '%.15s'", s.p);
        s.p += 15;
        s.n -= 15;
    } else if (s.n >= 19 && is_digit(s.p[0]) && s.p[4] == '-' && s.p[10] == 'T') {
        tr_str when = word(&s); /* rsyslog RSYSLOG_FileFormat */
        if (tr_time_parse_iso8601(when.p, when.n, &ev->ts) != TR_OK)
            return tr_parser_fail(p, TR_EPARSE, "bad timestamp '%.*s'", (int)TR_MIN(when.n, 40),
                                  when.p);
    } else if (pri < 0) {
        return tr_parser_fail(p, TR_EPARSE, "not a syslog line: no <PRI> and no timestamp");
    } else {
        /* <PRI> without a timestamp: all of it is the message (RFC 3164 4.3.3) */
        add_pri_fields(ev, fac, sev);
        add_message(ev, s, (tr_str){ NULL, 0 });
        set_logsource(ev, (tr_str){ NULL, 0 }, fac);
        return TR_OK;
    }
    skip_space(&s);
    tr_str host = { NULL, 0 };
    tr_str save = s;
    tr_str w = word(&s);
    int tf, ts;
    if (parse_pri_text(w, &tf, &ts)) {
        fac = tf;
        sev = ts;
        skip_space(&s);
        save = s;
        w = word(&s);
    }
    /* HOSTNAME unless this word already is the tag ("sshd[12]:", "kernel:") */
    if (w.n && w.p[w.n - 1] != ':') {
        host = w;
        skip_space(&s);
    } else {
        s = save;
    }
    tr_str rest = s;
    size_t i = 0;
    while (i < rest.n && tag_char(rest.p[i]) && i < 64)
        i++;
    tr_str program = { NULL, 0 }, pid = { NULL, 0 };
    size_t j = i;
    if (i < rest.n && rest.p[i] == '[') {
        const char *rb = memchr(rest.p + i, ']', TR_MIN(rest.n - i, (size_t)34));
        if (rb) {
            pid = (tr_str){ rest.p + i + 1, (size_t)(rb - rest.p - i - 1) };
            j = (size_t)(rb - rest.p) + 1;
        }
    }
    if (i > 0 && j < rest.n && rest.p[j] == ':') {
        program = (tr_str){ rest.p, i };
        s = (tr_str){ rest.p + j + 1, rest.n - j - 1 };
        skip_space(&s);
    } else {
        pid = (tr_str){ NULL, 0 }; /* "last message repeated 2 times": no tag */
    }
    add_pri_fields(ev, fac, sev);
    tr_field *f;
    if (host.n && (f = tr_event_add(ev, TR_STR("host"), host, TR_VSTR)))
        f->alias = TR_STR("hostname");
    if (program.n && (f = tr_event_add(ev, TR_STR("program"), program, TR_VSTR)))
        f->alias = TR_STR("app_name");
    if (pid.n)
        add_pid(ev, pid);
    add_message(ev, s, program);
    set_logsource(ev, program, fac);
    return TR_OK;
}

static tr_err parse_syslog(tr_parser *p, tr_str rec, tr_event *ev)
{
    tr_str s = tr_text_trim_record(rec);
    if (!s.n)
        return tr_parser_fail(p, TR_EPARSE, "empty line");
    int pri = -1;
    size_t used = parse_pri(s, &pri);
    s.p += used;
    s.n -= used;
    if (used && s.n >= 2 && is_digit(s.p[0]) && (s.p[1] == ' ' || (is_digit(s.p[1]) &&
                                                                   s.n >= 3 && s.p[2] == ' '))) {
        word(&s); /* VERSION */
        skip_space(&s);
        return parse_5424(p, s, pri, ev);
    }
    return parse_3164(p, s, pri, ev);
}

const tr_format_ops tr_syslog_format_ops = {
    .state_size = sizeof(syslog_state),
    .init = syslog_init,
    .parse = parse_syslog,
    .release = NULL,
};
