/*
 * rowids.c: the in-memory set of the keys of block-stored rows (rowids.h).
 *
 * Open addressing with linear probing; the slot is the hash's high bits scaled to the table's
 * size (so the table can be sized to the rows expected, not to a power of two), the key is the
 * whole hash. The hash is a 64-bit mix of
 * the key's bytes read eight at a time (keys are short: ids of 1-64 characters).
 */
#include "rowids.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "banned.h"
#include "buf.h"
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

/* ---- the bounded-memory check: sorted runs, merged ----------------------------------------- */

#define SPILL_CAP   ((size_t)1 << 18) /* entries in memory: 4 MB, and as much to sort with */
#define MERGE_CHUNK ((size_t)4096)    /* entries read from a run at a time */
#define GROUP_MAX   ((size_t)1 << 16) /* entries of one hash handed over; more are counted */

void rowids_spill_init(struct rowids_spill *sp)
{
    memset(sp, 0, sizeof(*sp));
    sp->buf = xmalloc(SPILL_CAP * sizeof(struct rowids_ent));
    sp->tmp = xmalloc(SPILL_CAP * sizeof(struct rowids_ent));
}

void rowids_spill_release(struct rowids_spill *sp)
{
    free(sp->buf);
    free(sp->tmp);
    free(sp->runoff);
    free(sp->runlen);
    if (sp->f)
        (void)fclose(sp->f);
    memset(sp, 0, sizeof(*sp));
}

/* Stable LSD radix sort of buf[0..n) by hash, 16 bits at a time: equal hashes keep the order
 * they were added in. */
static void sort_entries(struct rowids_spill *sp)
{
    if (sp->n < 2)
        return;
    struct rowids_ent *a = sp->buf, *b = sp->tmp;
    size_t *count = xmalloc(65537 * sizeof(size_t));
    for (unsigned shift = 0; shift < 64; shift += 16) {
        memset(count, 0, 65537 * sizeof(size_t));
        for (size_t i = 0; i < sp->n; i++)
            count[((a[i].h >> shift) & 0xffff) + 1]++;
        if (count[((a[0].h >> shift) & 0xffff) + 1] == sp->n)
            continue; /* every entry has the same digit here */
        for (size_t d = 1; d <= 65536; d++)
            count[d] += count[d - 1];
        for (size_t i = 0; i < sp->n; i++)
            b[count[(a[i].h >> shift) & 0xffff]++] = a[i];
        struct rowids_ent *t = a;
        a = b;
        b = t;
    }
    free(count);
    sp->buf = a;
    sp->tmp = b;
}

/* The full buffer, sorted, becomes a run at the end of the temporary file. */
static int spill_run(struct rowids_spill *sp, struct madi_err *err)
{
    if (!sp->f) {
        /* Private (0600 from mkstemp) and gone from the folder at once: closed, it is freed. */
        char path[512];
        (void)snprintf(path, sizeof(path), "%s/madi-ids-XXXXXX", madi_tmpdir());
        int fd = mkstemp(path);
        if (fd >= 0) {
            (void)unlink(path);
            if (!(sp->f = fdopen(fd, "w+b")))
                (void)close(fd);
        }
        if (!sp->f)
            return madi_err_set(err, MADI_EIO,
                                "cannot make a temporary file in %s to check record ids: %s (set "
                                "TMPDIR to a writable folder with room for 16 bytes a row)",
                                madi_tmpdir(), strerror(errno));
    }
    sort_entries(sp);
    if (sp->nruns == sp->capruns) {
        sp->capruns = sp->capruns ? sp->capruns * 2 : 16;
        sp->runoff = xrealloc(sp->runoff, sp->capruns * sizeof(uint64_t));
        sp->runlen = xrealloc(sp->runlen, sp->capruns * sizeof(size_t));
    }
    sp->runoff[sp->nruns] = sp->written;
    sp->runlen[sp->nruns++] = sp->n;
    if (fwrite(sp->buf, sizeof(struct rowids_ent), sp->n, sp->f) != sp->n)
        return madi_err_set(err, MADI_EIO,
                            "cannot write the temporary file of record ids (disk full?)");
    sp->written += (uint64_t)sp->n * sizeof(struct rowids_ent);
    sp->n = 0;
    return MADI_OK;
}

int rowids_spill_add(struct rowids_spill *sp, uint64_t h, uint32_t a, uint32_t b,
                     struct madi_err *err)
{
    if (sp->n == SPILL_CAP) {
        int rc = spill_run(sp, err);
        if (rc)
            return rc;
    }
    struct rowids_ent *e = &sp->buf[sp->n++];
    e->h = h;
    e->a = a;
    e->b = b;
    return MADI_OK;
}

/* One run being merged: a window of it in memory. */
struct run {
    struct rowids_ent *win;
    size_t at, have;   /* position in the window, entries in it */
    size_t next, left; /* next entry of the run to read, entries not yet read */
    uint64_t off;      /* the run's start in the file */
    int in_memory;
};

static int run_fill(struct rowids_spill *sp, struct run *r, struct madi_err *err)
{
    size_t k = r->left < MERGE_CHUNK ? r->left : MERGE_CHUNK;
    if (fseeko(sp->f, (off_t)(r->off + r->next * sizeof(struct rowids_ent)), SEEK_SET) != 0 ||
        fread(r->win, sizeof(struct rowids_ent), k, sp->f) != k)
        return madi_err_set(err, MADI_EIO, "cannot read the temporary file of record ids");
    r->at = 0;
    r->have = k;
    r->next += k;
    r->left -= k;
    return MADI_OK;
}

/* Heap order: by hash, then by run (earlier runs hold earlier entries). */
static int before(const struct run *runs, size_t x, size_t y)
{
    uint64_t a = runs[x].win[runs[x].at].h, b = runs[y].win[runs[y].at].h;
    return a < b || (a == b && x < y);
}

static void sift(const struct run *runs, size_t *heap, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && before(runs, heap[l], heap[m]))
            m = l;
        if (r < n && before(runs, heap[r], heap[m]))
            m = r;
        if (m == i)
            return;
        size_t t = heap[i];
        heap[i] = heap[m];
        heap[m] = t;
        i = m;
    }
}

int rowids_spill_groups(struct rowids_spill *sp, rowids_group_fn fn, void *ctx,
                        struct madi_err *err)
{
    int rc = MADI_OK;
    sort_entries(sp); /* what is still in memory is the last run */
    size_t nr = sp->nruns + 1, nh = 0;
    struct run *runs = xcalloc(nr, sizeof(*runs));
    size_t *heap = xmalloc(nr * sizeof(size_t));
    for (size_t i = 0; i < sp->nruns && !rc; i++) {
        runs[i].win = xmalloc(MERGE_CHUNK * sizeof(struct rowids_ent));
        runs[i].off = sp->runoff[i];
        runs[i].left = sp->runlen[i];
        rc = run_fill(sp, &runs[i], err);
    }
    struct run *mem = &runs[nr - 1];
    mem->win = sp->buf;
    mem->have = sp->n;
    mem->in_memory = 1;
    for (size_t i = 0; i < nr; i++)
        if (runs[i].have)
            heap[nh++] = i;
    for (size_t i = nh; i-- > 0;)
        sift(runs, heap, nh, i);
    size_t gcap = 16, gn = 0, gmore = 0;
    struct rowids_ent *group = xmalloc(gcap * sizeof(*group));
    while (!rc && nh) {
        struct run *r = &runs[heap[0]];
        struct rowids_ent e = r->win[r->at++];
        if (r->at == r->have) {
            if (!r->in_memory && r->left)
                rc = run_fill(sp, r, err);
            else
                heap[0] = heap[--nh];
        }
        if (rc)
            break;
        if (nh)
            sift(runs, heap, nh, 0);
        if (gn && group[0].h != e.h) {
            if (gn > 1 && (rc = fn(ctx, group, gn, gmore)) != 0)
                break;
            gn = 0;
            gmore = 0;
        }
        if (gn == GROUP_MAX) {
            gmore++; /* one id repeated that often: the rest only counted */
            continue;
        }
        if (gn == gcap)
            group = xrealloc(group, (gcap *= 2) * sizeof(*group));
        group[gn++] = e;
    }
    if (!rc && gn > 1)
        rc = fn(ctx, group, gn, gmore);
    free(group);
    for (size_t i = 0; i < sp->nruns; i++)
        free(runs[i].win);
    free(runs);
    free(heap);
    return rc < 0 ? rc : MADI_OK;
}
