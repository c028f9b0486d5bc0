/*
 * query.c - detections back out of the store, filtered and paged.
 *
 * Every query runs in (ts, id) order and pages with a keyset cursor, the
 * last (ts, id) returned, rather than OFFSET: the next page costs the same
 * however deep it is, and rows added meanwhile do not shift the pages. The
 * filters map onto the detection indexes (tenant, rule, kind, time,
 * indicator; docs/STORE.md).
 */
#include "core/common.h"

#include "store/store_int.h"

void tr_store_cursor_format(const tr_store_cursor *c, char *buf, size_t len)
{
    if (!c->started)
        snprintf(buf, len, "start");
    else if (c->ts_null)
        snprintf(buf, len, "n.%016" PRIx64, store_u64(c->id));
    else
        snprintf(buf, len, "t%" PRId64 ".%016" PRIx64, c->ts, store_u64(c->id));
}

tr_err tr_store_cursor_parse(const char *s, tr_store_cursor *c)
{
    memset(c, 0, sizeof(*c));
    if (strcmp(s, "start") == 0)
        return TR_OK;
    char *end;
    const char *idp;
    if (s[0] == 'n' && s[1] == '.') {
        c->ts_null = true;
        idp = s + 2;
    } else if (s[0] == 't') {
        errno = 0;
        long long ts = strtoll(s + 1, &end, 10);
        if (errno || end == s + 1 || *end != '.')
            return TR_EPARSE;
        c->ts = ts;
        idp = end + 1;
    } else {
        return TR_EPARSE;
    }
    if (strlen(idp) != 16)
        return TR_EPARSE;
    errno = 0;
    unsigned long long id = strtoull(idp, &end, 16);
    if (errno || *end)
        return TR_EPARSE;
    c->id = store_i64((uint64_t)id);
    c->started = true;
    return TR_OK;
}

enum {
    P_TENANT = 1,
    P_RULE,
    P_LEVEL,
    P_KIND,
    P_SINCE,
    P_UNTIL,
    P_INDICATOR,
    P_CTS,
    P_CID,
    P_LIMIT
};

/* " WHERE …" for f and the cursor (NULL: none), with ?N numbered as above. */
static tr_err where(tr_buf *sql, const tr_store_filter *f, const tr_store_cursor *c)
{
    const char *sep = " WHERE ";
    tr_err err = TR_OK;
#define ADD(cond)                                                                                  \
    do {                                                                                           \
        if (!err)                                                                                  \
            err = tr_buf_printf(sql, "%s%s", sep, cond);                                           \
        sep = " AND ";                                                                             \
    } while (0)
    if (f->tenant)
        ADD("tenant = ?1");
    if (f->rule)
        ADD("rule_id = ?2");
    if (f->min_level >= 0)
        ADD("level_rank >= ?3");
    if (f->kind >= 0)
        ADD("kind = ?4");
    if (f->since != TR_TS_NONE)
        ADD("ts >= ?5");
    if (f->until != TR_TS_NONE)
        ADD("ts < ?6");
    if (f->indicator)
        ADD("ind_value = ?7");
    if (c && c->started) {
        if (c->ts_null)
            ADD("((ts IS NULL AND id > ?9) OR ts IS NOT NULL)");
        else
            ADD("(ts, id) > (?8, ?9)");
    }
#undef ADD
    return err;
}

static void bind_filter(sqlite3_stmt *q, const tr_store_filter *f, const tr_store_cursor *c)
{
    if (f->tenant)
        sqlite3_bind_text(q, P_TENANT, f->tenant, -1, SQLITE_STATIC);
    if (f->rule)
        sqlite3_bind_text(q, P_RULE, f->rule, -1, SQLITE_STATIC);
    if (f->min_level >= 0)
        sqlite3_bind_int(q, P_LEVEL, f->min_level);
    if (f->kind >= 0)
        sqlite3_bind_text(q, P_KIND, tr_det_kind_name((tr_det_kind)f->kind), -1, SQLITE_STATIC);
    if (f->since != TR_TS_NONE)
        sqlite3_bind_int64(q, P_SINCE, f->since);
    if (f->until != TR_TS_NONE)
        sqlite3_bind_int64(q, P_UNTIL, f->until);
    if (f->indicator)
        sqlite3_bind_text(q, P_INDICATOR, f->indicator, -1, SQLITE_STATIC);
    if (c && c->started) {
        if (!c->ts_null)
            sqlite3_bind_int64(q, P_CTS, c->ts);
        sqlite3_bind_int64(q, P_CID, c->id);
    }
}

enum {
    C_ID = 0,
    C_TS,
    C_TENANT,
    C_KIND,
    C_RULE_ID,
    C_RULE_TITLE,
    C_LEVEL,
    C_TAGS,
    C_PRODUCT,
    C_CATEGORY,
    C_SERVICE,
    C_PATH,
    C_GEN,
    C_RECORD,
    C_LINE,
    C_FIELDS,
    C_IND_VALUE,
    C_IND_TYPE,
    C_IND_FEED,
    C_IND_ACTOR,
    C_IND_FIELD,
    C_IND_SIDE,
    C_FIRST_RECORD,
    C_FIRST_PATH,
    C_GRP,
    C_CONTRIB
};

static const char columns[] =
    "id, ts, tenant, kind, rule_id, rule_title, level, tags, product, category, service, path,"
    " source_gen, record, line, fields, ind_value, ind_type, ind_feed, ind_actor, ind_field,"
    " ind_side, first_record, first_path, grp, contributing";

static tr_str col_str(sqlite3_stmt *q, int i)
{
    const char *p = (const char *)sqlite3_column_text(q, i);
    return (tr_str){ p ? p : "", p ? (size_t)sqlite3_column_bytes(q, i) : 0 };
}

static tr_det_kind kind_from(tr_str s)
{
    if (tr_str_eq(s, TR_STR("ioc")))
        return TR_DET_IOC;
    if (tr_str_eq(s, TR_STR("correlation")))
        return TR_DET_CORRELATION;
    return TR_DET_SIGMA;
}

/* A detection view of the current row; lists are decoded into arena. */
static tr_err row_to_det(sqlite3_stmt *q, tr_arena *arena, tr_detection *d)
{
    memset(d, 0, sizeof(*d));
    d->id = store_u64(sqlite3_column_int64(q, C_ID));
    d->ts = sqlite3_column_type(q, C_TS) == SQLITE_NULL ? TR_TS_NONE
                                                         : sqlite3_column_int64(q, C_TS);
    d->tenant = col_str(q, C_TENANT);
    d->kind = kind_from(col_str(q, C_KIND));
    d->rule_id = col_str(q, C_RULE_ID);
    d->rule_title = col_str(q, C_RULE_TITLE);
    d->level = col_str(q, C_LEVEL);
    d->logsource.product = col_str(q, C_PRODUCT);
    tr_str cat = col_str(q, C_CATEGORY);
    if (cat.n) {
        d->logsource.category[0] = cat;
        d->logsource.ncategory = 1;
    }
    d->logsource.service = col_str(q, C_SERVICE);
    d->path = col_str(q, C_PATH);
    d->source_gen = store_u64(sqlite3_column_int64(q, C_GEN));
    d->record = store_u64(sqlite3_column_int64(q, C_RECORD));
    d->line = store_u64(sqlite3_column_int64(q, C_LINE));
    tr_str tags = col_str(q, C_TAGS), fields = col_str(q, C_FIELDS);
    tr_str *tagv;
    tr_kv *kv;
    tr_err err = store_parse_strs(tags.p, tags.n, arena, &tagv, &d->ntags);
    if (err)
        return err;
    d->tags = tagv;
    if ((err = store_parse_kvs(fields.p, fields.n, arena, &kv, &d->nfields)) != TR_OK)
        return err;
    d->fields = kv;
    if (d->kind == TR_DET_IOC) {
        d->indicator.value = col_str(q, C_IND_VALUE);
        d->indicator.type = col_str(q, C_IND_TYPE);
        d->indicator.feed = col_str(q, C_IND_FEED);
        d->indicator.actor = col_str(q, C_IND_ACTOR);
        d->indicator.field = col_str(q, C_IND_FIELD);
        tr_str side = col_str(q, C_IND_SIDE);
        d->indicator.side = tr_str_eq(side, TR_STR("source"))        ? TR_SIDE_SRC
                            : tr_str_eq(side, TR_STR("destination")) ? TR_SIDE_DST
                                                                     : TR_SIDE_NONE;
    }
    if (d->kind == TR_DET_CORRELATION) {
        d->first_record = store_u64(sqlite3_column_int64(q, C_FIRST_RECORD));
        d->first_path = col_str(q, C_FIRST_PATH);
        tr_str grp = col_str(q, C_GRP), contrib = col_str(q, C_CONTRIB);
        if (grp.n) {
            if ((err = store_parse_kvs(grp.p, grp.n, arena, &kv, &d->ngroup)) != TR_OK)
                return err;
            d->group = kv;
        }
        if (contrib.n) {
            uint64_t *ids;
            err = store_parse_ids(contrib.p, contrib.n, arena, &ids, &d->ncontributing);
            if (err)
                return err;
            d->contributing = ids;
        }
    }
    return TR_OK;
}

tr_err tr_store_query(tr_store *st, const tr_store_filter *f, tr_store_cursor *cursor,
                      size_t limit, tr_store_row_fn fn, void *ctx, size_t *nrows)
{
    if (nrows)
        *nrows = 0;
    tr_store_filter all;
    if (!f) {
        tr_store_filter_init(&all);
        f = &all;
    }
    tr_store_cursor start = { 0 };
    if (!cursor)
        cursor = &start;
    tr_buf sql;
    tr_buf_init(&sql, 0);
    tr_arena *arena = tr_arena_new(0, 0);
    sqlite3_stmt *q = NULL;
    tr_err err = arena ? TR_OK : TR_ENOMEM;
    size_t n = 0;
    pthread_mutex_lock(&st->lock);
    if (!err)
        err = tr_buf_printf(&sql, "SELECT %s FROM detections", columns);
    if (!err)
        err = where(&sql, f, cursor);
    if (!err)
        err = tr_buf_printf(&sql, " ORDER BY ts, id%s", limit ? " LIMIT ?10" : "");
    if (err)
        goto out;
    if (sqlite3_prepare_v2(st->db, sql.p, (int)sql.n, &q, NULL) != SQLITE_OK) {
        err = store_sql_err(st, "cannot query detections");
        goto out;
    }
    bind_filter(q, f, cursor);
    if (limit)
        sqlite3_bind_int64(q, P_LIMIT, (int64_t)TR_MIN(limit, (size_t)INT64_MAX));
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        tr_arena_reset(arena);
        tr_detection d;
        err = row_to_det(q, arena, &d);
        if (err) {
            store_set_err(st, "detection %016" PRIx64 ": malformed %s", d.id,
                          err == TR_ENOMEM ? "row (out of memory)" : "JSON in a list column");
            goto out;
        }
        cursor->started = true;
        cursor->ts_null = d.ts == TR_TS_NONE;
        cursor->ts = cursor->ts_null ? 0 : d.ts;
        cursor->id = store_i64(d.id);
        n++;
        if ((err = fn(ctx, &d)) != TR_OK)
            goto out;
    }
    if (rc != SQLITE_DONE)
        err = store_sql_err(st, "cannot query detections");
out:
    sqlite3_finalize(q);
    pthread_mutex_unlock(&st->lock);
    tr_arena_free(arena);
    tr_buf_release(&sql);
    if (nrows)
        *nrows = n;
    return err;
}

tr_err tr_store_count(tr_store *st, const tr_store_filter *f, uint64_t *count)
{
    *count = 0;
    tr_store_filter all;
    if (!f) {
        tr_store_filter_init(&all);
        f = &all;
    }
    tr_buf sql;
    tr_buf_init(&sql, 0);
    sqlite3_stmt *q = NULL;
    pthread_mutex_lock(&st->lock);
    tr_err err = tr_buf_printf(&sql, "SELECT count(*) FROM detections");
    if (!err)
        err = where(&sql, f, NULL);
    if (err)
        goto out;
    if (sqlite3_prepare_v2(st->db, sql.p, (int)sql.n, &q, NULL) != SQLITE_OK) {
        err = store_sql_err(st, "cannot count detections");
        goto out;
    }
    bind_filter(q, f, NULL);
    if (sqlite3_step(q) == SQLITE_ROW)
        *count = (uint64_t)sqlite3_column_int64(q, 0);
    else
        err = store_sql_err(st, "cannot count detections");
out:
    sqlite3_finalize(q);
    pthread_mutex_unlock(&st->lock);
    tr_buf_release(&sql);
    return err;
}

tr_err tr_store_get(tr_store *st, uint64_t id, tr_store_row_fn fn, void *ctx)
{
    tr_buf sql;
    tr_buf_init(&sql, 0);
    tr_arena *arena = tr_arena_new(0, 0);
    sqlite3_stmt *q = NULL;
    tr_err err = arena ? TR_OK : TR_ENOMEM;
    pthread_mutex_lock(&st->lock);
    if (!err)
        err = tr_buf_printf(&sql, "SELECT %s FROM detections WHERE id = ?1", columns);
    if (err)
        goto out;
    if (sqlite3_prepare_v2(st->db, sql.p, (int)sql.n, &q, NULL) != SQLITE_OK) {
        err = store_sql_err(st, "cannot read a detection");
        goto out;
    }
    sqlite3_bind_int64(q, 1, store_i64(id));
    int rc = sqlite3_step(q);
    if (rc == SQLITE_DONE) {
        store_set_err(st, "no detection %016" PRIx64, id);
        err = TR_ENOENT;
        goto out;
    }
    if (rc != SQLITE_ROW) {
        err = store_sql_err(st, "cannot read a detection");
        goto out;
    }
    tr_detection d;
    if ((err = row_to_det(q, arena, &d)) != TR_OK) {
        store_set_err(st, "detection %016" PRIx64 ": malformed %s", id,
                      err == TR_ENOMEM ? "row (out of memory)" : "JSON in a list column");
        goto out;
    }
    err = fn(ctx, &d);
out:
    sqlite3_finalize(q);
    pthread_mutex_unlock(&st->lock);
    tr_arena_free(arena);
    tr_buf_release(&sql);
    return err;
}
