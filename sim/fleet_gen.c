/*
 * fleet_gen.c - the simulated organisations: names, countries, sectors,
 * time zones, address plans, and which products each runs and logs.
 *
 * The published campaign hit 20 countries and 19 sectors; the targeted
 * tenants are laid out so that every one of them appears (when there are
 * enough targeted tenants), and the rest of the fleet adds countries and
 * sectors the campaign never touched so that counting over the wrong set
 * of tenants shows.
 */
#include "core/common.h"

#include "core/hash.h"
#include "sim/plan.h"

/* The 20 published countries first (with the weight of each among targeted
 * tenants beyond the first of each), then others for the rest of the fleet. */
const sim_country sim_countries[] = {
    { "US", 30, -300, true },  { "GB", 6, 0, false },    { "JP", 5, 540, false },
    { "IN", 4, 330, false },   { "AU", 4, 660, false },  { "CA", 4, -300, true },
    { "FR", 3, 60, false },    { "IT", 3, 60, false },   { "SG", 3, 480, false },
    { "MY", 2, 480, false },   { "MX", 2, -360, false }, { "PH", 2, 480, false },
    { "PL", 2, 60, false },    { "QA", 1, 180, false },  { "SA", 2, 180, false },
    { "SE", 2, 60, false },    { "CH", 2, 60, false },   { "AE", 2, 240, false },
    { "DK", 1, 60, false },    { "FI", 1, 120, false },
    /* not in the published list */
    { "DE", 4, 60, false },    { "NL", 2, 60, false },   { "BR", 2, -180, false },
    { "ES", 2, 60, false },    { "KR", 2, 540, false },  { "ZA", 1, 120, false },
    { "NZ", 1, 780, false },   { "IE", 1, 0, false },    { "AT", 1, 60, false },
    { "CO", 1, -300, false },  { "BE", 1, 60, false },   { "NO", 1, 60, false },
    { "IL", 1, 120, false },   { "TW", 1, 480, false },
};
const size_t sim_ncountries = TR_ARRAY_LEN(sim_countries);

/* The 19 published sectors, mapped to distinct STIX 2.1 industry-sector
 * values (docs/SIMULATOR.md explains the mapping), then other sectors. */
const sim_sector sim_sectors[] = {
    { "Banking/Finance", "financial-services", 5,
      { "{P} Savings Bank", "{P} Capital Partners", "{S} Financial Group" } },
    { "Construction", "construction", 3,
      { "{S} Construction", "{P} Builders", "{S} & Sons Contractors" } },
    { "Defense Industrial Base", "defense", 3,
      { "{P} Defense Systems", "{S} Aerostructures", "{P} Ordnance Works" } },
    { "Government", "government", 5,
      { "City of {P}", "{P} County Government", "{P} Department of Revenue" } },
    { "Healthcare", "healthcare", 5,
      { "{P} Regional Health", "{P} Medical Center", "{S} Clinic Group" } },
    { "High Technology", "technology", 5,
      { "{P} Semiconductor", "{S} Software", "{P} Data Systems" } },
    { "Higher Education", "education", 6,
      { "University of {P}", "{P} State College", "{P} Institute of Technology" } },
    { "Legal", "legal", 5, { "{S} & {S} LLP", "{S} {S} Attorneys", "{S} Legal Partners" } },
    { "Manufacturing", "manufacturing", 5,
      { "{P} Industrial", "{S} Manufacturing", "{P} Precision Parts" } },
    { "Media", "communications", 3, { "{P} Broadcasting", "{P} Daily Press", "{S} Media Group" } },
    { "Non-profit", "non-profit", 2,
      { "{P} Community Foundation", "{S} Relief Fund", "{P} Wildlife Trust" } },
    { "Oil & Gas", "energy", 3, { "{P} Petroleum", "{P} Oil & Gas", "{S} Drilling" } },
    { "Petrochemical", "chemical", 2, { "{P} Petrochemicals", "{S} Polymers", "{P} Refining" } },
    { "Pharmaceutical", "pharmaceuticals", 3,
      { "{S} Pharma", "{P} Biologics", "{S} Laboratories" } },
    { "Real Estate", "real-estate", 2, { "{P} Realty", "{S} Properties", "{P} Land Holdings" } },
    { "Telecommunications", "telecommunications", 3,
      { "{P} Telecom", "{P}Net Communications", "{S} Telephone Company" } },
    { "Transportation", "transportation", 3, { "{P} Freight Lines", "{P} Logistics", "{S} Rail" } },
    { "Travel", "hospitality-leisure", 2, { "{P} Travel Group", "{P} Holidays", "{S} Tours" } },
    { "Utility", "utilities", 3,
      { "{P} Power & Light", "{P} Water Authority", "{P} Gas Company" } },
    /* not in the published list */
    { NULL, "retail", 4, { "{P} Outfitters", "{S} Department Stores", "{P} Grocers" } },
    { NULL, "insurance", 3, { "{S} Mutual", "{P} Insurance", "{S} Assurance" } },
    { NULL, "agriculture", 2, { "{P} Farms", "{S} Agri Cooperative", "{P} Seeds" } },
    { NULL, "automotive", 2, { "{S} Motors", "{P} Auto Parts", "{P} Vehicle Works" } },
};
const size_t sim_nsectors = TR_ARRAY_LEN(sim_sectors);

static const char *const places[] = {
    "Harbor", "Northfield", "Cedar Ridge", "Lakemont", "Riverton", "Ashford", "Brookhaven",
    "Fairview", "Kingsport", "Westmere", "Eastvale", "Pinecrest", "Stonebridge", "Redwater",
    "Silverlake", "Oakhurst", "Maplewood", "Granite Bay", "Blue Hill", "Sunridge", "Clearwater",
    "Highmoor", "Elmstead", "Copperfield", "Iron Gate", "Willow Creek", "Bayside", "Summit",
    "Coral Point", "Falcon Heights", "Amberly", "Thornbury", "Larkspur", "Meridian", "Norwood",
    "Seacliff", "Glenrock", "Whitehaven", "Sterling", "Orchard Park",
};

static const char *const surnames[] = {
    "Hale", "Whitmore", "Okafor", "Lindqvist", "Moreau", "Tanaka", "Kowalski", "Rossi",
    "Nair", "Santos", "Dubois", "Virtanen", "Jensen", "Haddad", "Tan", "Reyes", "Suzuki",
    "Novak", "Fischer", "Brennan", "Castillo", "Kapoor", "Andersson", "Marchetti", "Ortega",
    "Weber", "Lambert", "Nakamura", "Ibrahim", "Sorensen", "Delgado", "Mercer", "Quinn",
    "Abernathy", "Yilmaz", "Petrov", "Laurent", "Ferreira", "Holm", "Ashworth",
};

/* Fills t->name from a sector template. */
static void make_name(sim_tenant *t, const sim_sector *s, sim_rng *r)
{
    const char *tpl = s->names[sim_below(r, 3)];
    size_t n = 0;
    for (const char *p = tpl; *p && n + 1 < sizeof(t->name); p++) {
        const char *sub = NULL;
        if (p[0] == '{' && p[1] && p[2] == '}') {
            sub = p[1] == 'P' ? SIM_PICK(r, places) : SIM_PICK(r, surnames);
            p += 2;
        }
        if (sub) {
            size_t k = strlen(sub);
            if (n + k >= sizeof(t->name))
                break;
            memcpy(t->name + n, sub, k);
            n += k;
        } else {
            t->name[n++] = *p;
        }
    }
    t->name[n] = '\0';
    /* slug: lower-case words joined by '-', at most 3 words */
    size_t m = 0;
    int words = 0;
    bool dash = false;
    for (const char *p = t->name; *p && m + 2 < sizeof(t->slug) && words < 3; p++) {
        char ch = *p;
        if (ch >= 'A' && ch <= 'Z')
            ch = (char)(ch + 32);
        if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
            if (dash && m) {
                t->slug[m++] = '-';
            }
            dash = false;
            t->slug[m++] = ch;
        } else if (!dash) {
            dash = true;
            if (m)
                words++;
        }
    }
    while (m && t->slug[m - 1] == '-')
        m--;
    t->slug[m] = '\0';
}

/* First octets of plausible, globally routed unicast space; the published
 * campaign /24s are excluded separately. */
static const uint8_t octets[] = {
    12, 23, 38, 50, 62, 64, 68, 70, 72, 76, 80, 81, 82, 84, 86, 88, 89, 93, 94, 95, 96,
    98, 103, 104, 107, 108, 109, 110, 112, 114, 116, 118, 121, 122, 124, 128, 129, 130, 131,
    132, 134, 136, 137, 138, 139, 140, 141, 143, 144, 146, 147, 148, 149, 150, 151, 152, 153,
    155, 157, 158, 159, 160, 161, 162, 163, 164, 165, 166, 167, 168, 170, 173, 174, 176, 178,
    180, 182, 184, 185, 186, 188, 190, 193, 194, 195, 196, 199, 200, 201, 202, 204, 206, 207,
    208, 209, 210, 212, 213, 216, 217,
};

uint32_t sim_public_ip(sim_rng *r)
{
    uint32_t ip = ((uint32_t)SIM_PICK(r, octets) << 24) | (sim_below(r, 1u << 24));
    if ((ip & 0xff) == 0 || (ip & 0xff) == 255)
        ip ^= 7;
    return ip;
}

/* The published campaign /24s never come out of the generator. */
static bool campaign_net(uint32_t ip)
{
    uint32_t n = ip >> 8;
    return n == (SIM_IP_APT41_A >> 8) || n == (SIM_IP_APT41_Z >> 8) ||
           n == (SIM_IP_BEACON >> 8) || n == (SIM_IP_SPEC_A >> 8);
}

uint32_t sim_fresh_ip(sim_ctx *c, sim_rng *r)
{
    for (;;) {
        uint32_t ip = sim_public_ip(r);
        if (campaign_net(ip))
            continue;
        uint32_t net = ip >> 8;
        uint64_t v;
        if (!c->nets || !tr_map_get(c->nets, (tr_str){ (const char *)&net, sizeof(net) }, &v))
            return ip;
    }
}

/* Picks a weighted index among [lo, hi) of the country table. */
static size_t pick_country(sim_rng *r, size_t lo, size_t hi)
{
    uint32_t total = 0;
    for (size_t i = lo; i < hi; i++)
        total += sim_countries[i].weight;
    uint32_t x = sim_below(r, total);
    for (size_t i = lo; i < hi; i++) {
        if (x < sim_countries[i].weight)
            return i;
        x -= sim_countries[i].weight;
    }
    return lo;
}

static size_t pick_sector(sim_rng *r, size_t lo, size_t hi)
{
    uint32_t total = 0;
    for (size_t i = lo; i < hi; i++)
        total += sim_sectors[i].weight;
    uint32_t x = sim_below(r, total);
    for (size_t i = lo; i < hi; i++) {
        if (x < sim_sectors[i].weight)
            return i;
        x -= sim_sectors[i].weight;
    }
    return lo;
}

static const int us_zones[] = { -300, -300, -360, -360, -420, -480 };

void sim_set_place(sim_tenant *t, size_t country, sim_rng *r)
{
    const sim_country *k = &sim_countries[country];
    t->country = k->code;
    t->tz_min = k->tz_min;
    t->dst_na = k->dst_na;
    if (strcmp(k->code, "US") == 0)
        t->tz_min = SIM_PICK(r, us_zones);
}

/* Assigns countries and sectors: constrained tenants keep theirs, every
 * published value appears once among the targeted when there is room, the
 * rest is weighted; non-targeted tenants draw from the whole tables. */
void sim_assign_geo(sim_ctx *c, sim_rng *r, sim_tenant **tg, size_t ntg, sim_tenant **rest,
                    size_t nrest)
{
    bool csee[64] = { false }, ssee[64] = { false };
    for (size_t i = 0; i < ntg; i++) {
        if (tg[i]->country)
            for (size_t k = 0; k < SIM_NPUB_COUNTRIES; k++)
                if (strcmp(sim_countries[k].code, tg[i]->country) == 0)
                    csee[k] = true;
        if (tg[i]->sector)
            for (size_t k = 0; k < SIM_NPUB_SECTORS; k++)
                if (strcmp(sim_sectors[k].stix, tg[i]->sector) == 0)
                    ssee[k] = true;
    }
    /* coverage pass: the unconstrained targeted tenants, in their (shuffled) order */
    size_t ci = 0, si = 0;
    for (size_t i = 0; i < ntg; i++) {
        sim_tenant *t = tg[i];
        if (!t->country) {
            while (ci < SIM_NPUB_COUNTRIES && csee[ci])
                ci++;
            size_t k = ci < SIM_NPUB_COUNTRIES ? ci : pick_country(r, 0, SIM_NPUB_COUNTRIES);
            if (ci < SIM_NPUB_COUNTRIES)
                csee[ci] = true;
            sim_set_place(t, k, r);
        }
        if (!t->sector) {
            while (si < SIM_NPUB_SECTORS && ssee[si])
                si++;
            size_t k = si < SIM_NPUB_SECTORS ? si : pick_sector(r, 0, SIM_NPUB_SECTORS);
            if (si < SIM_NPUB_SECTORS)
                ssee[si] = true;
            t->sector = sim_sectors[k].stix;
            t->sector_idx = (uint8_t)k;
        }
    }
    for (size_t i = 0; i < nrest; i++) {
        sim_tenant *t = rest[i];
        if (!t->country)
            sim_set_place(t, pick_country(r, 0, sim_ncountries), r);
        if (!t->sector) {
            size_t k = pick_sector(r, 0, sim_nsectors);
            t->sector = sim_sectors[k].stix;
            t->sector_idx = (uint8_t)k;
        }
    }
    /* names and hosts, in tenant order */
    for (uint32_t i = 0; i < c->nt; i++) {
        sim_tenant *t = &c->t[i];
        make_name(t, &sim_sectors[t->sector_idx], r);
        snprintf(t->addomain, sizeof(t->addomain), "%.36s.local", t->slug);
    }
}

/* Address plan of every tenant: a public /27, two private /16s. */
tr_err sim_assign_addresses(sim_ctx *c, sim_rng *r)
{
    c->nets = tr_map_new(c->nt, 0);
    if (!c->nets)
        return TR_ENOMEM;
    for (uint32_t i = 0; i < c->nt; i++) {
        sim_tenant *t = &c->t[i];
        uint32_t pub;
        bool inserted = false;
        do {
            pub = sim_public_ip(r) & ~31u;
            if (campaign_net(pub) || (pub & 0xff) == 0xe0)
                continue;
            uint32_t net = pub >> 8;
            if (tr_map_put_new(c->nets, (tr_str){ (const char *)&net, sizeof(net) }, i, NULL,
                               &inserted) != TR_OK)
                return TR_ENOMEM;
        } while (!inserted);
        t->pub = pub;
        t->hq_nat = pub + 1;
        t->vip = pub + 10;
        t->nsip_pub = pub + 11;
        t->dc_pub = pub + 12;
        t->wan = pub + 20;
        t->lan = (10u << 24) | ((uint32_t)(16 + i % 200) << 16);
        t->branch = (10u << 24) | ((uint32_t)(216 + i % 38) << 16) | ((i / 38 % 256) << 8);
        t->branch &= 0xffff0000u;
        t->nsip = t->lan | (250u << 8) | 10;
        t->dc_lan = t->lan | (1u << 8) | (uint32_t)(20 + sim_below(r, 30));
        t->dns_lan = t->lan | (1u << 8) | 5;
        t->pool_seed = (uint32_t)sim_u64(r);
        snprintf(t->ns_host, sizeof(t->ns_host), "%s", sim_chance(r, 0.5) ? "ns01" : "adc-gw1");
        static const char *const dch[] = { "DCSRV01", "MEDC01", "DESKTOPCENTRAL", "ITMGMT02" };
        snprintf(t->dc_host, sizeof(t->dc_host), "%s", SIM_PICK(r, dch));
        t->dc_root = sim_chance(r, 0.5) ? "C:\\ManageEngine\\DesktopCentral_Server"
                                        : "C:\\Program Files\\DesktopCentral_Server";
        t->dc_port = sim_chance(r, 0.75) ? 8383 : 8020;
        t->pid_services = (uint32_t)(560 + 4 * sim_below(r, 40));
        t->pid_netsvcs = (uint32_t)(1000 + 4 * sim_below(r, 200));
        t->pid_java = (uint32_t)(2400 + 4 * sim_below(r, 600));
        t->pid_explorer = (uint32_t)(5200 + 4 * sim_below(r, 800));
        t->next_pid = (uint32_t)(7000 + 4 * sim_below(r, 500));
    }
    return TR_OK;
}
