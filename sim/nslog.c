/*
 * nslog.c - the Citrix appliance's shell logs: bash.log (every shell
 * command as shell_command="…") and notice.log (notice-level syslog,
 * which also receives the shell commands), BSD syslog lines in the
 * appliance's clock (UTC) with the facility.level the appliance prints.
 */
#include "core/common.h"

#include "sim/plan.h"

static void sh_line(sim_out *o, const sim_tenant *t, int64_t ts, const sim_sh *s)
{
    sim_out_room(o);
    o->mtime = ts;
    put_time_3164(o, ts);
    PUTL(o, " <local7.notice> ");
    puts_(o, t->ns_host);
    PUTL(o, " bash[");
    put_u64(o, s->pid);
    PUTL(o, "]: ");
    puts_(o, s->user);
    PUTL(o, " on ");
    puts_(o, s->tty ? s->tty : "(null)");
    PUTL(o, " shell_command=\"");
    puts_(o, s->cmd);
    PUTL(o, "\"\n");
    o->records++;
}

static const char *const admin_cmds[] = {
    "cd /var/log", "ls -la", "tail -n 200 ns.log", "top -b -n 1", "nsconmsg -d current -g cpu_use",
    "df -h", "cat /flash/nsconfig/ns.conf | grep -i vserver", "uptime", "exit",
    "nsconmsg -K /var/nslog/newnslog -d event", "ps -aux | grep nsppe", "cd /var/tmp",
    "netstat -an | grep LISTEN", "history", "shell", "grep -i error /var/log/ns.log",
    "du -sh /var/core", "sysctl hw.physmem", "date",
};

typedef struct sh_bg {
    sim_rng r;
    int64_t ts;
    int left;       /* commands left in the admin session */
    int len;        /* commands in the session */
    uint32_t pid;
} sh_bg;

/* Next background record: an admin command (both files) or a notice. */
static void bg_next(const sim_ctx *c, const sim_tenant *t, sh_bg *b, sim_sh *s, char *buf,
                    size_t n)
{
    sim_rng *r = &b->r;
    memset(s, 0, sizeof(*s));
    if (b->left == 0 && sim_chance(r, 0.35)) {
        s->notice_only = true;
        uint32_t k = sim_below(r, 3);
        if (k == 0)
            snprintf(buf, n, "<local0.notice> %s newsyslog[%u]: logfile turned over due to "
                             "size>100K", t->ns_host, 1000 + sim_below(r, 60000));
        else if (k == 1)
            snprintf(buf, n, "<auth.notice> %s sshd[%u]: Accepted keyboard-interactive/pam for "
                             "nsroot from 10.%u.%u.%u port %u ssh2", t->ns_host,
                     1000 + sim_below(r, 60000), t->lan >> 16 & 255, 2 + sim_below(r, 4),
                     10 + sim_below(r, 200), 50000 + sim_below(r, 15000));
        else
            snprintf(buf, n, "<local0.notice> %s nsaaad[%u]: AAA Message : In "
                             "receive_ldap_user_search_event: ldap_first_entry returned null, "
                             "user %s not found", t->ns_host, 1400 + sim_below(r, 300),
                     sim_chance(r, 0.5) ? "svc_backup" : "guest");
        s->cmd = buf;
        b->ts += (int64_t)sim_gap(c, t, SS_CITRIX_SH, b->ts, r);
        return;
    }
    if (b->left == 0) {
        b->left = b->len = 2 + (int)sim_below(r, 8);
        b->pid = 20000 + sim_below(r, 40000);
    }
    s->user = sim_chance(r, 0.8) ? "root" : "nsroot";
    s->tty = "/dev/pts/0";
    s->pid = b->pid;
    s->cmd = SIM_PICK(r, admin_cmds);
    b->left--;
    b->ts += b->left ? (int64_t)((2 + sim_f64(r) * 60) * 1e9)
                     : (int64_t)(sim_gap(c, t, SS_CITRIX_SH, b->ts, r) * b->len);
}

static void notice_line(sim_out *o, int64_t ts, const char *msg)
{
    sim_out_room(o);
    o->mtime = ts;
    put_time_3164(o, ts);
    putc_(o, ' ');
    puts_(o, msg);
    putc_(o, '\n');
    o->records++;
}

tr_err sim_write_citrix_sh(sim_ctx *c, sim_tenant *t)
{
    char p1[1024], p2[1024], rel[128];
    snprintf(rel, sizeof(rel), "citrix/%s/bash.log", t->ns_host);
    sim_path(c, t, rel, p1, sizeof(p1));
    snprintf(rel, sizeof(rel), "citrix/%s/notice.log", t->ns_host);
    sim_path(c, t, rel, p2, sizeof(p2));
    sim_out bash, notice;
    tr_err err = sim_out_open(&bash, p1, false);
    tr_err e2 = sim_out_open(&notice, p2, false);
    if (err || e2) {
        snprintf(c->errbuf, sizeof(c->errbuf), "%s: %s", err ? p1 : p2,
                 tr_strerror(err ? err : e2));
        sim_out_close(&bash);
        sim_out_close(&notice);
        return err ? err : e2;
    }
    sh_bg b;
    memset(&b, 0, sizeof(b));
    sim_stream_rng(c, t, SS_CITRIX_SH, &b.r);
    b.ts = c->from + (int64_t)sim_gap(c, t, SS_CITRIX_SH, c->from, &b.r);
    sim_evs *sp = &t->ev[SS_CITRIX_SH];
    sim_sort(sp);
    size_t k = 0;
    while (k < sp->n && sp->v[k].ts < c->from)
        k++;
    char buf[512];
    sim_sh s;
    for (;;) {
        bool special = k < sp->n && sp->v[k].ts <= b.ts;
        int64_t ts = special ? sp->v[k].ts : b.ts;
        if (ts >= c->to)
            break;
        const sim_sh *sh = &s;
        if (special) {
            const sim_ev *e = &sp->v[k++];
            sh = &e->u.sh;
            sim_note(c, t, e, ts - ts % SIM_NS);
        } else {
            bg_next(c, t, &b, &s, buf, sizeof(buf));
        }
        if (sh->notice_only) {
            notice_line(&notice, ts, sh->cmd);
        } else {
            sh_line(&bash, t, ts, sh);
            sh_line(&notice, t, ts, sh);
        }
        if (bash.err || notice.err)
            break;
    }
    err = sim_done(c, &bash);
    e2 = sim_done(c, &notice);
    return err ? err : e2;
}
