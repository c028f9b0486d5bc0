/*
 * layout.c - field layouts and the route stage's per-thread state (see
 * layout.h).
 *
 * The comparison is the whole cost of a cache hit, so it avoids a memcmp
 * call per name: names are short (2 to 30 bytes), and two overlapping
 * word loads compare any length from 4 to 16 bytes in two instructions.
 */
#include "core/common.h"

#include <pthread.h>

#include "logsource/layout.h"

static inline uint64_t load64(const char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint32_t load32(const char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* a[0..n) == b[0..n), for the short strings names are. */
static inline bool same_bytes(const char *a, const char *b, size_t n)
{
    if (n >= 8) {
        if (n > 16)
            return memcmp(a, b, n) == 0;
        return load64(a) == load64(b) && load64(a + n - 8) == load64(b + n - 8);
    }
    if (n >= 4)
        return load32(a) == load32(b) && load32(a + n - 4) == load32(b + n - 4);
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return false;
    return true;
}

bool ls_layout_same(const ls_layout *l, uint64_t tag, const tr_field *fields, uint32_t n)
{
    if (l->n != n || l->tag != tag || n == 0)
        return false;
    const char *q = l->names;
    const uint16_t *len = l->len;
    for (uint32_t i = 0; i < n; i++, len += 2) {
        const tr_field *f = &fields[i];
        if (f->name.n != len[0] || f->alias.n != len[1])
            return false;
        if (!same_bytes(f->name.p, q, len[0]))
            return false;
        q += len[0];
        if (len[1]) {
            if (!same_bytes(f->alias.p, q, len[1]))
                return false;
            q += len[1];
        }
    }
    return true;
}

bool ls_layout_store(ls_layout *l, uint64_t tag, const tr_field *fields, uint32_t n)
{
    l->n = 0;
    if (n == 0 || n > LS_LAYOUT_FIELDS)
        return false;
    size_t total = 0;
    for (uint32_t i = 0; i < n; i++)
        total += fields[i].name.n + fields[i].alias.n;
    if (total > LS_LAYOUT_BYTES)
        return false;
    char *q = l->names;
    for (uint32_t i = 0; i < n; i++) {
        const tr_field *f = &fields[i];
        l->len[2 * i] = (uint16_t)f->name.n;
        l->len[2 * i + 1] = (uint16_t)f->alias.n;
        if (f->name.n)
            memcpy(q, f->name.p, f->name.n);
        q += f->name.n;
        if (f->alias.n)
            memcpy(q, f->alias.p, f->alias.n);
        q += f->alias.n;
    }
    l->tag = tag;
    l->nbytes = (uint32_t)total;
    l->n = n;
    return true;
}

int ls_layout_find(const ls_layout *slots, unsigned *mru, uint64_t tag, const tr_field *fields,
                   uint32_t n)
{
    if (ls_layout_same(&slots[*mru], tag, fields, n))
        return (int)*mru;
    for (unsigned i = 0; i < LS_LAYOUT_SLOTS; i++) {
        if (i == *mru || slots[i].n != n || slots[i].tag != tag)
            continue;
        if (ls_layout_same(&slots[i], tag, fields, n)) {
            *mru = i;
            return (int)i;
        }
    }
    return -1;
}

/* ---- per-thread state ---- */

static pthread_key_t state_key;
static pthread_once_t state_once = PTHREAD_ONCE_INIT;
static bool state_key_ok;
static _Thread_local ls_thread *state;
static _Thread_local bool disabled;

static void state_free(void *p)
{
    ls_thread *t = p;
    if (!t)
        return;
    tr_free(t->net);
    tr_free(t->types);
    tr_free(t);
    state = NULL;
}

static void state_key_init(void)
{
    state_key_ok = pthread_key_create(&state_key, state_free) == 0;
}

void ls_layout_cache_enable(bool on)
{
    disabled = !on;
}

ls_thread *ls_thread_state(void)
{
    if (TR_LIKELY(state != NULL))
        return disabled ? NULL : state;
    if (disabled)
        return NULL;
    pthread_once(&state_once, state_key_init);
    if (!state_key_ok)
        return NULL;
    ls_thread *t = tr_calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    if (pthread_setspecific(state_key, t) != 0) {
        tr_free(t);
        return NULL;
    }
    state = t;
    return t;
}
