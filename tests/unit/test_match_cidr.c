/*
 * test_match_cidr.c - the prefix set: nested prefixes, /0, /32, /128,
 * boundary addresses, several ids per prefix, and a randomised comparison
 * with a brute-force scan.
 */
#include "tt.h"

#include "match/cidr.h"

static void add(tr_cidr_builder *b, const char *cidr, uint32_t id)
{
    tr_ip net;
    uint8_t len;
    if (tr_cidr_parse(tr_str_c(cidr), 0, &net, &len) != TR_OK ||
        tr_cidr_builder_add(b, &net, len, id) != TR_OK)
        fprintf(stderr, "cannot add %s\n", cidr);
}

/* "id/len,id/len" of the prefixes containing addr, longest first. */
static const char *look(const tr_cidr *set, const char *addr)
{
    static char out[512];
    tr_ip ip;
    if (tr_ip_parse(tr_str_c(addr), 0, &ip) != TR_OK)
        return "bad address";
    uint32_t ids[32];
    uint8_t lens[32];
    size_t n = tr_cidr_lookup(set, &ip, ids, 32, lens);
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && i < 32; i++)
        o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%u/%u", i ? "," : "", ids[i], lens[i]);
    if ((n > 0) != tr_cidr_contains(set, &ip))
        return "contains disagrees";
    return out;
}

TEST(match_cidr_v4_nested_and_boundaries)
{
    tr_cidr_builder *b;
    CHECK(tr_cidr_builder_new(&b) == TR_OK);
    add(b, "10.0.0.0/8", 1);
    add(b, "10.1.0.0/16", 2);
    add(b, "10.1.2.0/24", 3);
    add(b, "10.1.2.3", 4);
    add(b, "10.1.2.3/32", 5); /* same prefix, second id */
    add(b, "10.1.2.3/32", 5); /* repeated pair */
    add(b, "192.168.0.0/23", 6);
    add(b, "0.0.0.0/0", 7);
    add(b, "255.255.255.255/32", 8);
    add(b, "10.1.2.2/31", 9);
    CHECK_EQ(tr_cidr_builder_count(b), 10);
    tr_cidr *set;
    CHECK(tr_cidr_build(b, &set) == TR_OK);
    tr_cidr_builder_free(b);
    CHECK_EQ(tr_cidr_count(set), 8);
    CHECK_STR(look(set, "10.1.2.3"), "4/32,5/32,9/31,3/24,2/16,1/8,7/0");
    CHECK_STR(look(set, "10.1.2.2"), "9/31,3/24,2/16,1/8,7/0");
    CHECK_STR(look(set, "10.1.2.4"), "3/24,2/16,1/8,7/0");
    CHECK_STR(look(set, "10.1.255.255"), "2/16,1/8,7/0");
    CHECK_STR(look(set, "10.255.255.255"), "1/8,7/0");
    CHECK_STR(look(set, "10.0.0.0"), "1/8,7/0");
    CHECK_STR(look(set, "9.255.255.255"), "7/0");
    CHECK_STR(look(set, "11.0.0.0"), "7/0");
    CHECK_STR(look(set, "192.168.1.255"), "6/23,7/0");
    CHECK_STR(look(set, "192.168.2.0"), "7/0");
    CHECK_STR(look(set, "192.167.255.255"), "7/0");
    CHECK_STR(look(set, "255.255.255.255"), "8/32,7/0");
    CHECK_STR(look(set, "255.255.255.254"), "7/0");
    CHECK_STR(look(set, "::1"), ""); /* no IPv6 prefixes */
    /* the count may exceed cap */
    tr_ip ip;
    CHECK(!tr_ip_parse(TR_STR("10.1.2.3"), 0, &ip));
    uint32_t one[1];
    CHECK_EQ(tr_cidr_lookup(set, &ip, one, 1, NULL), 7);
    CHECK_EQ(one[0], 4);
    CHECK(tr_cidr_memory(set) > 0);
    tr_cidr_free(set);
}

TEST(match_cidr_v6_and_mixed)
{
    tr_cidr_builder *b;
    CHECK(!tr_cidr_builder_new(&b));
    add(b, "::/0", 1);
    add(b, "2001:db8::/32", 2);
    add(b, "2001:db8:0:1::/64", 3);
    add(b, "2001:db8:0:1::1", 4);
    add(b, "2001:db8:8000::/33", 5);
    add(b, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", 6);
    add(b, "::ffff:1.2.3.0/120", 7); /* a mapped prefix: becomes 1.2.3.0/24 */
    add(b, "1.2.0.0/16", 8);
    tr_cidr *set;
    CHECK(!tr_cidr_build(b, &set));
    tr_cidr_builder_free(b);
    CHECK_STR(look(set, "2001:db8:0:1::1"), "4/128,3/64,2/32,1/0");
    CHECK_STR(look(set, "2001:db8:0:1::2"), "3/64,2/32,1/0");
    CHECK_STR(look(set, "2001:db8:7fff:ffff:ffff:ffff:ffff:ffff"), "2/32,1/0");
    CHECK_STR(look(set, "2001:db8:8000::"), "5/33,2/32,1/0");
    CHECK_STR(look(set, "2001:db9::"), "1/0");
    CHECK_STR(look(set, "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff"), "1/0");
    CHECK_STR(look(set, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), "6/128,1/0");
    CHECK_STR(look(set, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"), "1/0");
    CHECK_STR(look(set, "1.2.3.4"), "7/24,8/16");
    CHECK_STR(look(set, "::ffff:1.2.3.4"), "7/24,8/16"); /* normalised to IPv4 */
    CHECK_STR(look(set, "1.3.0.0"), "");
    tr_cidr_free(set);
}

TEST(match_cidr_empty_and_invalid)
{
    tr_cidr_builder *b;
    CHECK(!tr_cidr_builder_new(&b));
    tr_cidr *set;
    CHECK(!tr_cidr_build(b, &set));
    CHECK_STR(look(set, "1.2.3.4"), "");
    CHECK_EQ(tr_cidr_count(set), 0);
    tr_cidr_free(set);
    tr_ip ip;
    CHECK(!tr_ip_parse(TR_STR("1.2.3.4"), 0, &ip));
    CHECK(tr_cidr_builder_add(b, &ip, 33, 1) == TR_EINVAL);
    CHECK(tr_cidr_builder_add(b, &ip, 32, TR_CIDR_MAX_ID + 1) == TR_EINVAL);
    ip.family = 5;
    CHECK(tr_cidr_builder_add(b, &ip, 8, 1) == TR_EINVAL);
    tr_cidr_builder_free(b);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Random prefixes clustered in a small space (so that they nest), compared
 * with a brute-force check of every prefix. */
TEST(match_cidr_random_against_brute_force)
{
    enum { NPREF = 15000, NQUERY = 3000 }; /* enough for the bucket roots (BUCKET_MIN) */
    static tr_ip nets[NPREF];
    static uint8_t lens[NPREF];
    tr_cidr_builder *b;
    CHECK(!tr_cidr_builder_new(&b));
    for (int i = 0; i < NPREF; i++) {
        tr_ip *n = &nets[i];
        memset(n, 0, sizeof(*n));
        uint64_t r = rng();
        if (i % 3 == 0) {
            n->family = 6;
            n->b[0] = 0x20;
            n->b[1] = 0x01;
            for (int k = 2; k < 16; k++)
                n->b[k] = (uint8_t)(k < 4 ? r >> (k * 8) & 3 : rng());
            lens[i] = (uint8_t)(r % 129);
        } else {
            n->family = 4;
            n->b[0] = 10;
            n->b[1] = (uint8_t)(r & 7);
            n->b[2] = (uint8_t)(r >> 8);
            n->b[3] = (uint8_t)(r >> 16);
            lens[i] = (uint8_t)(r >> 24) % 33;
        }
        /* the set clears host bits itself; the brute force compares prefixes only */
        CHECK(!tr_cidr_builder_add(b, n, lens[i], (uint32_t)i));
    }
    tr_cidr *set;
    CHECK(!tr_cidr_build(b, &set));
    tr_cidr_builder_free(b);
    for (int q = 0; q < NQUERY; q++) {
        tr_ip a;
        if (q % 2 == 0) { /* near a random prefix */
            a = nets[rng() % NPREF];
            unsigned flip = (unsigned)(rng() % (a.family == 4 ? 32 : 128));
            a.b[flip / 8] ^= (uint8_t)(0x80 >> (flip % 8));
        } else {
            memset(&a, 0, sizeof(a));
            a.family = 4;
            a.b[0] = 10;
            a.b[1] = (uint8_t)(rng() & 7);
            a.b[2] = (uint8_t)rng();
            a.b[3] = (uint8_t)rng();
        }
        uint32_t ids[NPREF];
        uint8_t got_len[NPREF];
        size_t n = tr_cidr_lookup(set, &a, ids, NPREF, got_len);
        size_t expect = 0;
        for (int i = 0; i < NPREF; i++)
            if (tr_ip_prefix_match(&nets[i], lens[i], &a))
                expect++;
        CHECK_EQ(n, expect);
        for (size_t k = 0; k < n; k++) {
            CHECK(tr_ip_prefix_match(&nets[ids[k]], lens[ids[k]], &a));
            CHECK_EQ(got_len[k], lens[ids[k]]);
            if (k)
                CHECK(got_len[k] <= got_len[k - 1]); /* longest first */
        }
    }
    tr_cidr_free(set);
}

TEST(match_cidr_no_allocation_per_lookup)
{
    tr_cidr_builder *b;
    CHECK(!tr_cidr_builder_new(&b));
    add(b, "10.0.0.0/8", 1);
    add(b, "2001:db8::/32", 2);
    tr_cidr *set;
    CHECK(!tr_cidr_build(b, &set));
    tr_cidr_builder_free(b);
    tr_ip a, c;
    CHECK(!tr_ip_parse(TR_STR("10.9.8.7"), 0, &a));
    CHECK(!tr_ip_parse(TR_STR("2001:db8::5"), 0, &c));
    uint32_t ids[4];
    uint64_t before = tr_alloc_count();
    for (int i = 0; i < 1000; i++) {
        CHECK_EQ(tr_cidr_lookup(set, &a, ids, 4, NULL), 1);
        CHECK(tr_cidr_contains(set, &c));
        CHECK(!tr_ip_parse(TR_STR("::ffff:10.1.1.1"), 0, &a));
    }
    CHECK_EQ(tr_alloc_count() - before, 0);
    tr_cidr_free(set);
}
