/*
 * zeek.c - the head-office Zeek sensor: conn.log, dns.log, http.log,
 * ftp.log and ssl.log in Zeek's TSV format (Zeek 3.0 field lists, the real
 * #separator/#set_separator/#empty_field/#unset_field/#path/#open/#fields/
 * #types header and the #close trailer).
 *
 * One connection goes to conn.log and, when Zeek recognised its protocol,
 * to that protocol's log under the same uid; an FTP download also has its
 * passive data connection in conn.log.
 */
#include "core/common.h"

#include "sim/netbg.h"
#include "sim/plan.h"

enum { ZL_CONN, ZL_DNS, ZL_HTTP, ZL_FTP, ZL_SSL, ZL_COUNT };

static const char *const zl_path[ZL_COUNT] = { "conn", "dns", "http", "ftp", "ssl" };

static const char *const zl_fields[ZL_COUNT][2] = {
    { "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\t"
      "orig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\t"
      "orig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents",
      "time\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\t"
      "bool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]" },
    { "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\trtt\tquery\tqclass\t"
      "qclass_name\tqtype\tqtype_name\trcode\trcode_name\tAA\tTC\tRD\tRA\tZ\tanswers\tTTLs\t"
      "rejected",
      "time\tstring\taddr\tport\taddr\tport\tenum\tcount\tinterval\tstring\tcount\tstring\tcount\t"
      "string\tcount\tstring\tbool\tbool\tbool\tbool\tcount\tvector[string]\tvector[interval]\t"
      "bool" },
    { "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\ttrans_depth\tmethod\thost\turi\t"
      "referrer\tversion\tuser_agent\torigin\trequest_body_len\tresponse_body_len\tstatus_code\t"
      "status_msg\tinfo_code\tinfo_msg\ttags\tusername\tpassword\tproxied\torig_fuids\t"
      "orig_filenames\torig_mime_types\tresp_fuids\tresp_filenames\tresp_mime_types",
      "time\tstring\taddr\tport\taddr\tport\tcount\tstring\tstring\tstring\tstring\tstring\t"
      "string\tstring\tcount\tcount\tcount\tstring\tcount\tstring\tset[enum]\tstring\tstring\t"
      "set[string]\tvector[string]\tvector[string]\tvector[string]\tvector[string]\t"
      "vector[string]\tvector[string]" },
    { "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tuser\tpassword\tcommand\targ\t"
      "mime_type\tfile_size\treply_code\treply_msg\tdata_channel.passive\tdata_channel.orig_h\t"
      "data_channel.resp_h\tdata_channel.resp_p\tfuid",
      "time\tstring\taddr\tport\taddr\tport\tstring\tstring\tstring\tstring\tstring\tcount\tcount\t"
      "string\tbool\taddr\taddr\tport\tstring" },
    { "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tversion\tcipher\tcurve\tserver_name\t"
      "resumed\tlast_alert\tnext_protocol\testablished\tcert_chain_fuids\t"
      "client_cert_chain_fuids\tsubject\tissuer\tclient_subject\tclient_issuer\t"
      "validation_status",
      "time\tstring\taddr\tport\taddr\tport\tstring\tstring\tstring\tstring\tbool\tstring\tstring\t"
      "bool\tvector[string]\tvector[string]\tstring\tstring\tstring\tstring\tstring" },
};

typedef struct zeek {
    sim_out o[ZL_COUNT];
    sim_rng ids;          /* uids */
    char uid[20];
} zeek;

static void hdr(sim_out *o, int k, int64_t open)
{
    PUTL(o, "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\t");
    puts_(o, zl_path[k]);
    PUTL(o, "\n#open\t");
    put_time_zeekhdr(o, open);
    PUTL(o, "\n#fields\t");
    puts_(o, zl_fields[k][0]);
    PUTL(o, "\n#types\t");
    puts_(o, zl_fields[k][1]);
    putc_(o, '\n');
}

static inline void tab(sim_out *o)
{
    putc_(o, '\t');
}

static void str_or_unset(sim_out *o, const char *s)
{
    if (s && *s)
        puts_(o, s);
    else
        putc_(o, '-');
}

static bool local(uint32_t ip)
{
    return (ip >> 24) == 10;
}

static void interval(sim_out *o, uint32_t us)
{
    put_u64(o, us / 1000000);
    putc_(o, '.');
    put_uw(o, us % 1000000, 6);
}

/* The common prefix: ts uid id.orig_h id.orig_p id.resp_h id.resp_p */
static void prefix(sim_out *o, int64_t ts, const char *uid, uint32_t oh, uint16_t op,
                   uint32_t rh, uint16_t rp)
{
    sim_out_room(o);
    put_time_epoch6(o, ts);
    tab(o);
    puts_(o, uid);
    tab(o);
    put_ip4(o, oh);
    tab(o);
    put_u64(o, op);
    tab(o);
    put_ip4(o, rh);
    tab(o);
    put_u64(o, rp);
}

static void conn_line(sim_out *o, int64_t ts, const char *uid, const sim_net *n, bool udp,
                      const char *service, uint32_t ob, uint32_t rb, uint16_t rp)
{
    prefix(o, ts, uid, n->oh, n->op, n->rh, rp);
    tab(o);
    puts_(o, udp ? "udp" : "tcp");
    tab(o);
    str_or_unset(o, service);
    tab(o);
    bool nodata = n->state[0] != 'S' || n->state[1] != 'F';
    if (nodata && n->dur_us == 0) {
        PUTL(o, "-\t-\t-");
    } else {
        interval(o, n->dur_us);
        tab(o);
        put_u64(o, ob);
        tab(o);
        put_u64(o, rb);
    }
    tab(o);
    puts_(o, n->state);
    tab(o);
    putc_(o, local(n->oh) ? 'T' : 'F');
    tab(o);
    putc_(o, local(n->rh) ? 'T' : 'F');
    PUTL(o, "\t0\t");
    puts_(o, n->history);
    uint32_t hdrb = udp ? 28 : 52;
    uint32_t opk = udp ? 1 : (nodata ? 1 : 3 + ob / 1400);
    uint32_t rpk = udp ? 1 : (nodata ? 0 : 2 + rb / 1400);
    if (n->state[0] == 'R')
        rpk = 1;
    tab(o);
    put_u64(o, opk);
    tab(o);
    put_u64(o, ob + opk * hdrb);
    tab(o);
    put_u64(o, rpk);
    tab(o);
    put_u64(o, rpk ? rb + rpk * hdrb : 0);
    PUTL(o, "\t-\n");
    o->records++;
}

static void dns_line(sim_out *o, int64_t ts, const char *uid, const sim_net *n, sim_rng *r)
{
    prefix(o, ts, uid, n->oh, n->op, n->rh, n->rp);
    PUTL(o, "\tudp\t");
    put_u64(o, sim_below(r, 65536));
    tab(o);
    interval(o, n->dur_us);
    tab(o);
    puts_(o, n->query);
    PUTL(o, "\t1\tC_INTERNET\t");
    put_u64(o, n->qtype);
    tab(o);
    puts_(o, n->qtype == 28 ? "AAAA" : n->qtype == 5 ? "CNAME" : "A");
    tab(o);
    put_u64(o, n->rcode);
    tab(o);
    puts_(o, n->rcode == 3 ? "NXDOMAIN" : "NOERROR");
    PUTL(o, "\tF\tF\tT\tT\t0\t");
    if (n->answer) {
        puts_(o, n->answer);
        tab(o);
        put_u64(o, n->ttl);
        PUTL(o, ".000000");
    } else {
        PUTL(o, "-\t-");
    }
    PUTL(o, "\tF\n");
    o->records++;
}

static void http_line(sim_out *o, int64_t ts, const char *uid, const sim_net *n, sim_rng *r)
{
    prefix(o, ts, uid, n->oh, n->op, n->rh, n->rp);
    PUTL(o, "\t1\t");
    puts_(o, n->method);
    tab(o);
    str_or_unset(o, n->host);
    tab(o);
    puts_(o, n->uri);
    tab(o);
    str_or_unset(o, n->ref);
    PUTL(o, "\t1.1\t");
    str_or_unset(o, n->ua);
    PUTL(o, "\t-\t");
    put_u64(o, n->req_len);
    tab(o);
    put_u64(o, n->resp_len);
    tab(o);
    put_u64(o, n->status);
    tab(o);
    puts_(o, n->status == 200   ? "OK"
             : n->status == 304 ? "Not Modified"
             : n->status == 404 ? "Not Found"
             : n->status == 403 ? "Forbidden"
             : n->status == 302 ? "Found"
                                : "Internal Server Error");
    PUTL(o, "\t-\t-\t(empty)\t-\t-\t-\t-\t-\t-\t");
    if (n->resp_len) {
        sim_put_uid(o, r, 'F');
        PUTL(o, "\t-\t");
        str_or_unset(o, n->mime);
    } else {
        PUTL(o, "-\t-\t-");
    }
    putc_(o, '\n');
    o->records++;
}

static void ftp_lines(sim_out *o, int64_t ts, const char *uid, const sim_net *n, sim_rng *r)
{
    bool anon = strcmp(n->ftp_user, "anonymous") == 0;
    prefix(o, ts, uid, n->oh, n->op, n->rh, n->rp);
    tab(o);
    puts_(o, n->ftp_user);
    tab(o);
    puts_(o, anon ? "ftp@" : "<hidden>");
    PUTL(o, "\tEPSV\t-\t-\t-\t229\tEntering Extended Passive Mode (|||");
    put_u64(o, n->data_port);
    PUTL(o, "|)\tT\t");
    put_ip4(o, n->oh);
    tab(o);
    put_ip4(o, n->rh);
    tab(o);
    put_u64(o, n->data_port);
    PUTL(o, "\t-\n");
    prefix(o, ts + 30 * 1000000, uid, n->oh, n->op, n->rh, n->rp);
    tab(o);
    puts_(o, n->ftp_user);
    tab(o);
    puts_(o, anon ? "ftp@" : "<hidden>");
    PUTL(o, "\tRETR\tftp://");
    put_ip4(o, n->rh);
    puts_(o, n->ftp_arg[0] == '/' ? "" : "/./");
    puts_(o, n->ftp_arg);
    tab(o);
    const char *a = n->ftp_arg;
    size_t l = strlen(a);
    puts_(o, l > 4 && strcmp(a + l - 4, ".pdf") == 0   ? "application/pdf"
             : l > 4 && strcmp(a + l - 4, ".zip") == 0 ? "application/zip"
             : strchr(a, '.')                           ? "application/octet-stream"
                                                        : "application/x-executable");
    tab(o);
    put_u64(o, n->ftp_size);
    PUTL(o, "\t226\tTransfer complete.\t-\t-\t-\t-\t");
    sim_put_uid(o, r, 'F');
    putc_(o, '\n');
    o->records += 2;
}

static void ssl_line(sim_out *o, int64_t ts, const char *uid, const sim_net *n, sim_rng *r)
{
    prefix(o, ts, uid, n->oh, n->op, n->rh, n->rp);
    bool resumed = sim_chance(r, 0.15);
    PUTL(o, "\tTLSv12\tTLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\t");
    puts_(o, sim_chance(r, 0.7) ? "x25519" : "secp256r1");
    tab(o);
    str_or_unset(o, n->sni);
    tab(o);
    putc_(o, resumed ? 'T' : 'F');
    PUTL(o, "\t-\t");
    puts_(o, n->sni && sim_chance(r, 0.5) ? "h2" : "-");
    PUTL(o, "\tT\t");
    if (resumed) {
        PUTL(o, "(empty)\t(empty)\t-\t-");
    } else {
        sim_put_uid(o, r, 'F');
        putc_(o, ',');
        sim_put_uid(o, r, 'F');
        PUTL(o, "\t(empty)\t");
        str_or_unset(o, n->subject);
        tab(o);
        str_or_unset(o, n->issuer);
    }
    PUTL(o, "\t-\t-\t-\n");
    o->records++;
}

static void emit(zeek *z, int64_t ts, const sim_net *n)
{
    sim_out *o = z->o;
    sim_rng *r = &z->ids;
    char uid[24];
    sim_out tmp = { .buf = uid };
    sim_put_uid(&tmp, r, 'C');
    uid[tmp.n] = '\0';
    switch (n->app) {
    case APP_DNS:
        conn_line(&o[ZL_CONN], ts, uid, n, true, "dns", n->ob, n->rb, n->rp);
        dns_line(&o[ZL_DNS], ts, uid, n, r);
        break;
    case APP_HTTP:
        conn_line(&o[ZL_CONN], ts, uid, n, false, "http", n->ob, n->rb, n->rp);
        http_line(&o[ZL_HTTP], ts, uid, n, r);
        break;
    case APP_SSL:
        conn_line(&o[ZL_CONN], ts, uid, n, false, "ssl", n->ob, n->rb, n->rp);
        ssl_line(&o[ZL_SSL], ts, uid, n, r);
        break;
    case APP_FTP: {
        conn_line(&o[ZL_CONN], ts, uid, n, false, "ftp", n->ob, n->rb, n->rp);
        ftp_lines(&o[ZL_FTP], ts, uid, n, r);
        char uid2[24];
        sim_out t2 = { .buf = uid2 };
        sim_put_uid(&t2, r, 'C');
        uid2[t2.n] = '\0';
        sim_net d = *n;
        d.op = sim_eport(r);
        d.dur_us = n->dur_us / 2;
        conn_line(&o[ZL_CONN], ts + 40 * 1000000, uid2, &d, false, "ftp-data", 0,
                  n->ftp_size, n->data_port);
        break;
    }
    case APP_UDP:
        conn_line(&o[ZL_CONN], ts, uid, n, true, n->rp == 123 ? "ntp" : NULL, n->ob, n->rb,
                  n->rp);
        break;
    default:
        conn_line(&o[ZL_CONN], ts, uid, n, false, NULL, n->ob, n->rb, n->rp);
        break;
    }
}

tr_err sim_write_zeek(sim_ctx *c, sim_tenant *t)
{
    zeek z;
    memset(&z, 0, sizeof(z));
    tr_err err = TR_OK;
    for (int k = 0; k < ZL_COUNT; k++) {
        char rel[64], path[1024];
        snprintf(rel, sizeof(rel), "zeek/%s.log", zl_path[k]);
        sim_path(c, t, rel, path, sizeof(path));
        if (!err) {
            err = sim_out_open(&z.o[k], path, false);
            if (err)
                snprintf(c->errbuf, sizeof(c->errbuf), "%s: %s", path, tr_strerror(err));
            else
                hdr(&z.o[k], k, c->from);
        } else {
            z.o[k].fd = -1;
        }
    }
    if (err) {
        for (int k = 0; k < ZL_COUNT; k++)
            sim_out_close(&z.o[k]);
        return err;
    }
    sim_rng_init(&z.ids, sim_seed_mix(c->o.seed, (uint64_t)t->idx + 1, 0x2EE4));
    net_bg b;
    memset(&b, 0, sizeof(b));
    sim_stream_rng(c, t, SS_ZEEK, &b.r);
    b.ts = c->from + (int64_t)sim_gap(c, t, SS_ZEEK, c->from, &b.r);
    sim_evs *sp = &t->ev[SS_ZEEK];
    sim_sort(sp);
    size_t k = 0;
    while (k < sp->n && sp->v[k].ts < c->from)
        k++;
    sim_net n;
    for (;;) {
        bool special = k < sp->n && sp->v[k].ts <= b.ts;
        int64_t ts = special ? sp->v[k].ts : b.ts;
        if (ts >= c->to)
            break;
        ts -= ts % 1000;
        if (special) {
            const sim_ev *e = &sp->v[k++];
            emit(&z, ts, &e->u.net);
            sim_note(c, t, e, ts);
        } else {
            sim_net_bg(c, t, SS_ZEEK, &b, &n, t->lan, t->dns_lan, true);
            emit(&z, ts, &n);
        }
        bool bad = false;
        for (int i = 0; i < ZL_COUNT; i++)
            bad |= z.o[i].err != TR_OK;
        if (bad)
            break;
    }
    for (int i = 0; i < ZL_COUNT; i++) {
        sim_out_room(&z.o[i]);
        z.o[i].mtime = c->to;
        PUTL(&z.o[i], "#close\t");
        put_time_zeekhdr(&z.o[i], c->to);
        putc_(&z.o[i], '\n');
        tr_err e2 = sim_done(c, &z.o[i]);
        err = err ? err : e2;
    }
    return err;
}
