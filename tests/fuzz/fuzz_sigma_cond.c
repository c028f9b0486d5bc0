/*
 * fuzz_sigma_cond.c - the condition parser on arbitrary bytes, directly
 * (sg_cond_parse over fixed search identifiers) and through a whole rule
 * whose condition is the input, which is then scanned with and without the
 * prefilter (the results must agree).
 */
#include "core/common.h"

#include "core/buf.h"
#include "core/jsonstr.h"
#include "sigma/load.h"
#include "trawl/arena.h"
#include "trawl/log.h"
#include "trawl/sigma.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void quiet(const tr_sigma_diag *d, void *ctx)
{
    (void)d;
    (void)ctx;
}

static int count(const tr_sigma_match *m, void *ctx)
{
    (void)m;
    ++*(int *)ctx;
    return 0;
}

static int scan(const tr_ruleset *rs)
{
    tr_field fields[8];
    tr_arena *a = tr_arena_new(0, 0);
    tr_event ev;
    tr_event_init(&ev, fields, 8, a);
    ev.logsource.product = TR_STR("test");
    tr_event_add(&ev, TR_STR("a"), TR_STR("1"), TR_VSTR);
    tr_event_add(&ev, TR_STR("c"), TR_STR("x"), TR_VSTR);
    tr_event_add(&ev, TR_STR("msg"), TR_STR("evil keyword"), TR_VSTR);
    tr_sigma_scratch *s;
    int n = 0;
    if (tr_sigma_scratch_new(rs, &s) == TR_OK) {
        tr_sigma_scan(rs, s, &ev, count, &n);
        tr_sigma_scratch_free(s);
    }
    tr_arena_free(a);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    tr_log_set_level((tr_log_level)-1);
    char *p = malloc(size ? size : 1);
    if (!p)
        return 0;
    memcpy(p, data, size);

    /* 1. The parser alone, over an empty ruleset's node arrays. */
    tr_ruleset *rs = NULL;
    if (tr_ruleset_load_string("", 0, "cond", NULL, &rs) == TR_OK) {
        tr_arena *tmp = tr_arena_new(0, 0);
        sg_ctx c;
        memset(&c, 0, sizeof(c));
        c.rs = rs;
        c.tmp = tmp;
        c.path = "cond";
        uint32_t leaf;
        sg_node_add(rs, SG_N_TRUE, 0, NULL, 0, 0, &leaf);
        sg_ident ids[] = { { TR_STR("sel"), leaf },      { TR_STR("sel_a"), leaf },
                           { TR_STR("filter_1"), leaf }, { TR_STR("_hidden"), leaf },
                           { TR_STR("all"), leaf },      { TR_STR("1"), leaf } };
        uint32_t root;
        (void)sg_cond_parse(&c, (tr_str){ p, size }, 1, ids, TR_ARRAY_LEN(ids), &root);
        tr_arena_free(tmp);
        tr_ruleset_free(rs);
    }

    /* 2. A whole rule with this condition, scanned both ways. */
    tr_buf doc = TR_BUF_INIT;
    tr_buf_printf(&doc, "title: fuzz\nlogsource: {product: test}\ndetection:\n"
                        "    sel: {a: 1}\n    sel_b: {b: [2, 3]}\n    filter_c: {c|contains: x}\n"
                        "    _d: {d: null}\n    keywords: [evil]\n    condition: ");
    tr_json_put_str(&doc, p, size);
    tr_buf_putc(&doc, '\n');
    tr_sigma_opts o = { .diag = quiet };
    tr_ruleset *fast = NULL, *slow = NULL;
    if (doc.p && tr_ruleset_load_string(doc.p, doc.n, "cond.yml", &o, &fast) == TR_OK) {
        o.no_prefilter = true;
        if (tr_ruleset_load_string(doc.p, doc.n, "cond.yml", &o, &slow) == TR_OK &&
            scan(fast) != scan(slow))
            abort();
    }
    tr_ruleset_free(fast);
    tr_ruleset_free(slow);
    tr_buf_release(&doc);
    free(p);
    return 0;
}
