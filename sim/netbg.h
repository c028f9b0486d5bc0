/*
 * netbg.h - background network traffic shared by the two sensors (Zeek at
 * the head office, Suricata at the branch behind the RV320): which sites
 * clients visit, over which protocol, with which names and addresses.
 */
#ifndef TR_SIM_NETBG_H
#define TR_SIM_NETBG_H

#include "core/common.h"

#include "sim/world.h"

typedef struct net_site {
    const char *name;  /* DNS name / SNI / Host */
    uint32_t ip;       /* an address it resolves to */
    const char *cname; /* CNAME in the answer, or NULL */
} net_site;

typedef struct net_bg {
    sim_rng r;
    int64_t ts;
    char a[256], b[256]; /* strings built for this record */
} net_bg;

/* Fills n with the next background connection of a sensor. client_net is
 * the /16 its clients live in, resolver the DNS server they use, head
 * tells the head-office sensor (inbound services, appliances) from the
 * branch one. Advances b->ts. */
void sim_net_bg(const sim_ctx *c, const sim_tenant *t, int stream, net_bg *b, sim_net *n,
                uint32_t client_net, uint32_t resolver, bool head);

/* Zeek/Suricata identifiers. */
void sim_put_uid(sim_out *o, sim_rng *r, char prefix);

#endif
