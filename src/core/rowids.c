/*
 * rowids.c: the in-memory set of the keys of block-stored rows (rowids.h).
 *
 * Open addressing with linear probing; the slot is the hash's high bits scaled to the table's
 * size (so the table can be sized to the rows expected, not to a power of two), the key is the
 * whole hash. The hash is a 64-bit mix of
 * the key's bytes read eight at a time (keys are short: ids of 1-64 characters).
 */
#include "rowids.h"

#include <stdlib.h>
#include <string.h>

#include "banned.h"
#include "xalloc.h"

static uint64_t mix(uint64_t h)
{
    h ^= h >> 32;
    h *= 0xd6e8feb86659fd93ULL;
    h ^= h >> 32;
    h *= 0xd6e8feb86659fd93ULL;
    h ^= h >> 32;
    return h;
}

uint64_t rowids_hash(const char *p, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ (n * 0xff51afd7ed558ccdULL);
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = mix(h ^ w) + 0x632be59bd9b4e019ULL;
        p += 8;
        n -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, p, n);
    h = mix(h ^ w ^ ((uint64_t)n << 56));
    return h ? h : 1;
}

/* The slot of h in a table of cap slots (any cap: the hash's high bits, scaled). */
static size_t home(uint64_t h, size_t cap)
{
    __extension__ typedef unsigned __int128 u128;
    return (size_t)(((u128)h * cap) >> 64);
}

static size_t next(size_t i, size_t cap)
{
    return i + 1 == cap ? 0 : i + 1;
}

/* Hashes and references in two arrays (12 bytes a slot; a reference is read only on a match);
 * a large table is on huge pages (xcalloc_big), or every probe would miss the TLB as well. */
static void alloc_table(struct rowids *x, size_t cap)
{
    x->cap = cap;
    x->keys = xcalloc_big(cap * sizeof(uint64_t));
    x->refs = xcalloc_big(cap * sizeof(uint32_t));
}

void rowids_init(struct rowids *x, size_t expect)
{
    size_t cap = expect * 2 + 1024; /* at most half full: short probes */
    x->len = 0;
    alloc_table(x, cap);
}

void rowids_release(struct rowids *x)
{
    xfree_big(x->keys, x->cap * sizeof(uint64_t));
    xfree_big(x->refs, x->cap * sizeof(uint32_t));
    memset(x, 0, sizeof(*x));
}

static void grow(struct rowids *x)
{
    struct rowids big;
    alloc_table(&big, x->cap / 2 * 3);
    for (size_t i = 0; i < x->cap; i++) {
        if (!x->keys[i])
            continue;
        size_t j = home(x->keys[i], big.cap);
        while (big.keys[j])
            j = next(j, big.cap);
        big.keys[j] = x->keys[i];
        big.refs[j] = x->refs[i];
    }
    big.len = x->len;
    rowids_release(x);
    *x = big;
}

void rowids_prefetch(const struct rowids *x, uint64_t h)
{
    size_t i = home(h, x->cap);
#if defined(__GNUC__)
    __builtin_prefetch(&x->keys[i], 1);
    __builtin_prefetch(&x->refs[i], 1);
#else
    (void)i;
#endif
}

int rowids_put(struct rowids *x, uint64_t h, uint32_t ref, uint32_t *old)
{
    if ((x->len + 1) * 2 > x->cap)
        grow(x);
    size_t i = home(h, x->cap);
    while (x->keys[i]) {
        if (x->keys[i] == h) {
            *old = x->refs[i];
            return 1;
        }
        i = next(i, x->cap);
    }
    x->keys[i] = h;
    x->refs[i] = ref;
    x->len++;
    return 0;
}

struct each {
    size_t col;
    rowids_each_fn fn;
    void *ctx;
    int64_t *lines;
    struct madi_err *err;
    const char *table;
};

static int each_block(void *ctx, int64_t batch, const struct rs_block *b)
{
    struct each *e = ctx;
    struct rs_text t;
    if (rs_block_ints(b, 0, e->lines, NULL) || rs_text_open(&t, b, e->col))
        return madi_err_set(e->err, MADI_EDB, "a block of %s is damaged", e->table);
    for (size_t i = 0; i < b->nrows; i++) {
        const char *k = NULL;
        size_t kn = 0;
        if (rs_text_get(&t, i, &k, &kn))
            e->fn(e->ctx, k, kn, batch, e->lines[i]);
    }
    rs_text_close(&t);
    return 0;
}

int rowids_each(struct madi_store *s, const struct rs_layout *L, size_t col, rowids_each_fn fn,
                void *ctx, struct madi_err *err)
{
    struct each e = { col, fn, ctx, xmalloc(RS_BLOCK_ROWS * sizeof(int64_t)), err, L->block_table };
    int rc = rs_each_block(s, L, NULL, NULL, 0, each_block, &e, err);
    free(e.lines);
    return rc;
}

static void load_one(void *ctx, const char *p, size_t n, int64_t batch, int64_t line)
{
    (void)batch;
    (void)line;
    uint32_t old;
    (void)rowids_put(ctx, rowids_hash(p, n), ROWIDS_STORED, &old);
}

int rowids_load(struct rowids *x, struct madi_store *s, const struct rs_layout *L, size_t col,
                struct madi_err *err)
{
    return rowids_each(s, L, col, load_one, x, err);
}

/* ---- where stored keys are ---------------------------------------------------------------- */

static void where_put(struct rowids_where *w, uint64_t h, uint64_t loc)
{
    size_t i = home(h, w->cap);
    while (w->keys[i] && w->keys[i] != h)
        i = next(i, w->cap);
    if (!w->keys[i]) { /* the first stored wins: the earliest batch */
        w->keys[i] = h;
        w->locs[i] = loc;
    }
}

struct where_ctx {
    struct rowids_where *w;
    size_t n;
    int counting;
};

static void where_one(void *ctx, const char *p, size_t n, int64_t batch, int64_t line)
{
    struct where_ctx *c = ctx;
    if (c->counting) {
        c->n++;
        return;
    }
    where_put(c->w, rowids_hash(p, n), (uint64_t)batch << 32 | (uint32_t)line);
}

int rowids_where_build(struct rowids_where *w, struct madi_store *s, const struct rs_layout *L,
                       size_t col, struct madi_err *err)
{
    struct where_ctx c = { w, 0, 1 };
    memset(w, 0, sizeof(*w));
    int rc = rowids_each(s, L, col, where_one, &c, err);
    if (rc)
        return rc;
    w->cap = c.n * 2 + 1024;
    w->keys = xcalloc(w->cap, sizeof(uint64_t));
    w->locs = xmalloc(w->cap * sizeof(uint64_t));
    c.counting = 0;
    return rowids_each(s, L, col, where_one, &c, err);
}

int rowids_where_find(const struct rowids_where *w, const char *p, size_t n, int64_t *batch,
                      int64_t *line)
{
    uint64_t h = rowids_hash(p, n);
    if (!w->cap)
        return 0;
    size_t i = home(h, w->cap);
    while (w->keys[i] && w->keys[i] != h)
        i = next(i, w->cap);
    if (!w->keys[i])
        return 0;
    *batch = (int64_t)(w->locs[i] >> 32);
    *line = (int64_t)(uint32_t)w->locs[i];
    return 1;
}

void rowids_where_release(struct rowids_where *w)
{
    free(w->keys);
    free(w->locs);
    memset(w, 0, sizeof(*w));
}
