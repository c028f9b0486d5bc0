/*
 * ratelimit.c - requests per second per client address: a token bucket per
 * address in a fixed table, so that a flood of addresses costs no memory.
 *
 * The table has RL_SLOTS buckets in sets of RL_WAYS; an address takes a
 * bucket of its set, evicting the one idle longest. An evicted address
 * starts again with a full bucket, which only matters for more than
 * RL_WAYS addresses active at once in one set (4,096 addresses in all).
 */
#include "core/common.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include "core/hash.h"
#include "serve/serve_int.h"

#define RL_SETS 1024
#define RL_WAYS 4

typedef struct rl_bucket {
    uint8_t key[16];  /* IPv4-mapped or IPv6 address */
    bool used;
    double tokens;
    double last;      /* seconds (monotonic) of the last refill */
} rl_bucket;

struct serve_ratelimit {
    pthread_mutex_t lock;
    double rate, burst;
    rl_bucket b[RL_SETS][RL_WAYS];
};

serve_ratelimit *serve_ratelimit_new(double rate, double burst)
{
    serve_ratelimit *r = tr_calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    pthread_mutex_init(&r->lock, NULL);
    r->rate = rate;
    r->burst = burst > 0 ? burst : 2 * rate;
    if (r->burst < 1)
        r->burst = 1;
    return r;
}

void serve_ratelimit_free(serve_ratelimit *r)
{
    if (!r)
        return;
    pthread_mutex_destroy(&r->lock);
    tr_free(r);
}

static void addr_key(const struct sockaddr *sa, uint8_t key[16])
{
    memset(key, 0, 16);
    if (!sa)
        return;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)sa;
        key[10] = key[11] = 0xff;
        memcpy(key + 12, &v4->sin_addr, 4);
    } else if (sa->sa_family == AF_INET6) {
        memcpy(key, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
    }
}

bool serve_ratelimit_take(serve_ratelimit *r, const struct sockaddr *sa, double now,
                          double *retry_after)
{
    uint8_t key[16];
    addr_key(sa, key);
    size_t set = (size_t)(tr_hash64(key, 16, 0x726c) % RL_SETS);
    pthread_mutex_lock(&r->lock);
    rl_bucket *b = NULL, *oldest = &r->b[set][0];
    for (size_t i = 0; i < RL_WAYS; i++) {
        rl_bucket *c = &r->b[set][i];
        if (c->used && memcmp(c->key, key, 16) == 0) {
            b = c;
            break;
        }
        if (!c->used || (oldest->used && c->last < oldest->last))
            oldest = c;
    }
    if (!b) {
        b = oldest;
        memcpy(b->key, key, 16);
        b->used = true;
        b->tokens = r->burst;
        b->last = now;
    }
    b->tokens = TR_MIN(r->burst, b->tokens + (now - b->last) * r->rate);
    b->last = now;
    bool ok = b->tokens >= 1.0;
    if (ok)
        b->tokens -= 1.0;
    else if (retry_after)
        *retry_after = (1.0 - b->tokens) / r->rate;
    pthread_mutex_unlock(&r->lock);
    return ok;
}
