/*
 * test_logsource_mapping.c - the user mapping file: logsource conditions,
 * extra categories, field renames, the shipped example, and malformed files
 * reported as PATH:LINE.
 */
#include "tt.h"

#include "trawl/arena.h"
#include "trawl/logsource.h"

static const char *write_file(const char *name, const char *text)
{
    static char path[4][512];
    static int slot;
    char *p = path[slot++ % 4];
    snprintf(p, 512, "%s/%s", tt_tmpdir(), name);
    FILE *f = fopen(p, "w");
    if (!f)
        return NULL;
    fputs(text, f);
    fclose(f);
    return p;
}

typedef struct mev {
    tr_event ev;
    tr_field fields[48];
    tr_arena *arena;
} mev;

static void mev_init(mev *m)
{
    m->arena = tr_arena_new(0, 0);
    tr_event_init(&m->ev, m->fields, 48, m->arena);
}

static void mev_reset(mev *m)
{
    tr_event_reset(&m->ev);
    tr_arena_reset(m->arena);
}

static void add(mev *m, const char *name, const char *value)
{
    tr_event_add(&m->ev, tr_str_c(name), tr_str_c(value), TR_VSTR);
}

static const char *cats(const mev *m)
{
    static char out[256];
    size_t o = 0;
    out[0] = '\0';
    for (unsigned i = 0; i < m->ev.logsource.ncategory; i++)
        o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%.*s", i ? "," : "",
                              TR_STR_FMT(m->ev.logsource.category[i]));
    return out;
}

static const char *value_of(const mev *m, const char *name)
{
    static char out[256];
    const tr_field *f = tr_event_find(&m->ev, tr_str_c(name));
    if (!f)
        return "(none)";
    snprintf(out, sizeof(out), "%s%.*s", (f->flags & TR_FIELD_DERIVED) ? "" : "(own) ",
             TR_STR_FMT(f->value));
    return out;
}

TEST(logsource_mapping_conditions_categories_and_renames)
{
    const char *path = write_file("map.yml",
                                  "version: 1\n"
                                  "logsources:\n"
                                  "  - when: {type: [TRAFFIC, THREAT], vendor: paloalto}\n"
                                  "    product: paloalto\n"
                                  "    service: traffic\n"
                                  "    category: [firewall]\n"
                                  "  - logsource: {product: paloalto}\n"
                                  "    when: {action: deny}\n"
                                  "    category: blocked\n"
                                  "  - logsource: {product: windows, service: security}\n"
                                  "    when: {EventID: 4698}\n"
                                  "    category: scheduled_task\n"
                                  "fieldmappings:\n"
                                  "  - logsource: {category: firewall}\n"
                                  "    fields:\n"
                                  "      src_ip: src\n"
                                  "      dst_ip: [dst, dest_ip]\n"
                                  "      blocked: [nothere]\n"
                                  "  - when: {vendor: paloalto}\n"
                                  "    fields: {Image: app}\n");
    CHECK(path);
    char err[512];
    tr_router *r;
    CHECK_MSG(tr_router_new(path, &r, err, sizeof(err)) == TR_OK, "%s", err);
    mev m;
    mev_init(&m);
    mev_reset(&m);
    add(&m, "vendor", "PaloAlto");
    add(&m, "type", "threat");
    add(&m, "action", "deny");
    add(&m, "src", "10.0.0.1");
    add(&m, "dest_ip", "66.42.98.220");
    add(&m, "app", "web-browsing");
    tr_router_route(r, &m.ev);
    CHECK_SLICE(m.ev.logsource.product, "paloalto");
    CHECK_SLICE(m.ev.logsource.service, "traffic");
    CHECK_STR(cats(&m), "firewall,blocked");
    CHECK_STR(value_of(&m, "src_ip"), "10.0.0.1");
    CHECK_STR(value_of(&m, "dst_ip"), "66.42.98.220"); /* second choice */
    CHECK_STR(value_of(&m, "blocked"), "(none)");
    CHECK_STR(value_of(&m, "Image"), "web-browsing");
    CHECK(tr_logsource_match(&m.ev.logsource, TR_STR("paloalto"), TR_STR("firewall"),
                             TR_STR("")));

    /* one condition fails: nothing happens */
    mev_reset(&m);
    add(&m, "vendor", "paloalto");
    add(&m, "type", "SYSTEM");
    add(&m, "src", "10.0.0.1");
    tr_router_route(r, &m.ev);
    CHECK_SLICE(m.ev.logsource.product, "");
    CHECK_STR(cats(&m), "");
    CHECK_STR(value_of(&m, "src_ip"), "(none)");

    /* a condition on the built-in logsource: Security 4698 gets an extra category */
    mev_reset(&m);
    m.ev.logsource.product = TR_STR("windows");
    add(&m, "Channel", "Security");
    add(&m, "EventID", "4698");
    tr_router_route(r, &m.ev);
    CHECK_SLICE(m.ev.logsource.service, "security");
    CHECK_STR(cats(&m), "scheduled_task");
    tr_arena_free(m.arena);
    tr_router_free(r);
}

TEST(logsource_mapping_product_change_rederives_windows_categories)
{
    const char *path = write_file("sysmon.yml",
                                  "logsources:\n"
                                  "  - when: {log_name: Microsoft-Windows-Sysmon/Operational}\n"
                                  "    product: windows\n"
                                  "    service: sysmon\n"
                                  "fieldmappings:\n"
                                  "  - logsource: {product: windows, service: sysmon}\n"
                                  "    fields: {Image: process.executable}\n");
    char err[512];
    tr_router *r;
    CHECK_MSG(tr_router_new(path, &r, err, sizeof(err)) == TR_OK, "%s", err);
    mev m;
    mev_init(&m);
    mev_reset(&m);
    add(&m, "log_name", "Microsoft-Windows-Sysmon/Operational");
    add(&m, "EventID", "1");
    add(&m, "process.executable", "C:\\Windows\\System32\\whoami.exe");
    tr_router_route(r, &m.ev);
    CHECK_SLICE(m.ev.logsource.product, "windows");
    CHECK_SLICE(m.ev.logsource.service, "sysmon");
    CHECK_STR(cats(&m), "process_creation");
    CHECK_STR(value_of(&m, "Image"), "C:\\Windows\\System32\\whoami.exe");
    tr_arena_free(m.arena);
    tr_router_free(r);
}

TEST(logsource_mapping_shipped_example_loads)
{
    char path[512], err[512];
    snprintf(path, sizeof(path), "%s/../../content/mappings/example.yml", tt_datadir());
    tr_router *r;
    CHECK_MSG(tr_router_new(path, &r, err, sizeof(err)) == TR_OK, "%s", err);
    mev m;
    mev_init(&m);
    mev_reset(&m);
    add(&m, "type", "traffic");
    add(&m, "devid", "FG100F3G19000002");
    add(&m, "srcip", "10.1.1.1");
    add(&m, "dstip", "66.42.98.220");
    add(&m, "unauthuser", "bob");
    tr_router_route(r, &m.ev);
    CHECK_SLICE(m.ev.logsource.product, "fortigate");
    CHECK_STR(cats(&m), "firewall");
    CHECK_STR(value_of(&m, "dst_ip"), "66.42.98.220");
    CHECK_STR(value_of(&m, "username"), "bob");
    tr_arena_free(m.arena);
    tr_router_free(r);
}

/* Loads text and expects failure with err containing want. */
static int bad(const char *text, tr_err want_code, const char *want)
{
    const char *path = write_file("bad.yml", text);
    char err[512];
    tr_router *r = (tr_router *)1;
    tr_err e = tr_router_new(path, &r, err, sizeof(err));
    if (e != want_code || r != NULL || !strstr(err, want) || !strstr(err, path)) {
        fprintf(stderr, "    got %s: %s\n", tr_strerror(e), err);
        return 0;
    }
    return 1;
}

TEST(logsource_mapping_malformed_files_name_file_and_line)
{
    CHECK(bad("logsources:\n  - when: {a: b\n", TR_EPARSE, "bad.yml:3:"));
    CHECK(bad("version: 1\nrules: []\n", TR_EPARSE, "bad.yml:2: unknown top-level key"));
    CHECK(bad("version: 2\n", TR_EPARSE, "bad.yml:1: unsupported mapping file version"));
    CHECK(bad("- a\n- b\n", TR_EPARSE, "bad.yml:1: a mapping file is a map"));
    CHECK(bad("logsources:\n  - when: {a: b}\n", TR_EPARSE,
              "bad.yml:2: a logsources entry needs a product, service or category"));
    CHECK(bad("logsources:\n  - product: x\n", TR_EPARSE,
              "bad.yml:2: a logsources entry needs a 'when' or 'logsource' condition"));
    CHECK(bad("logsources:\n  - when: {a: b}\n    product: x\n    colour: red\n", TR_EPARSE,
              "bad.yml:4: unknown key in a logsources entry"));
    CHECK(bad("logsources:\n  - when: {a: b}\n    category: [a, b, c, d, e]\n", TR_EPARSE,
              "bad.yml:3: at most 4 categories"));
    CHECK(bad("logsources:\n  - when: {a: {x: 1}}\n    product: p\n", TR_EPARSE,
              "bad.yml:2: a field value must be a string or a list"));
    CHECK(bad("logsources:\n  - when: {a: b}\n    product: ''\n", TR_EPARSE,
              "bad.yml:3: product must not be empty"));
    CHECK(bad("logsources:\n  - logsource: {vendor: x}\n    product: p\n", TR_EPARSE,
              "bad.yml:2: unknown logsource key"));
    CHECK(bad("fieldmappings:\n  - logsource: {product: x}\n", TR_EPARSE,
              "bad.yml:2: a fieldmappings entry needs 'fields'"));
    CHECK(bad("fieldmappings:\n  - fields: [a, b]\n", TR_EPARSE,
              "bad.yml:2: 'fields' must map taxonomy names"));
    CHECK(bad("fieldmappings:\n  - fields: {a: []}\n", TR_EPARSE,
              "bad.yml:2: a source field name must not be an empty list"));
    CHECK(bad("logsources: {a: b}\n", TR_EPARSE, "bad.yml:1: 'logsources' must be a list"));

    char err[512];
    tr_router *r = (tr_router *)1;
    CHECK(tr_router_new("/nonexistent/map.yml", &r, err, sizeof(err)) == TR_ENOENT);
    CHECK(r == NULL);
    CHECK(strstr(err, "/nonexistent/map.yml"));
    /* an empty file maps nothing */
    const char *empty = write_file("empty.yml", "");
    CHECK(tr_router_new(empty, &r, err, sizeof(err)) == TR_OK);
    tr_router_free(r);
}
