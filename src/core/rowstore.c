/*
 * rowstore.c: rows in column blocks (rowstore.h): the layout, the encoder, the decoder, the
 * virtual table that is their SQL face, and the move of old wide tables into blocks.
 *
 * A block, little-endian:
 *   'M' 'R' format ncols | nrows (u32) | off[ncols + 1] (u32, from the block's start)
 *   then each column's payload: enc (u8) | flags (u8: 1 null bitmap follows, 2 all blank)
 *   | bitmap ((nrows + 7) / 8 bytes) | data.
 * Integer data: CONST v (i64) | SEQ v0 step (i64 i64) | FOR base (i64) width (u8)
 *   values (nrows x width, v - base) | RUNS nruns (u32) FOR-of-values ends (nruns x u32).
 * Text data: RAW off[nrows + 1] (u32) heap | TRUNS nruns (u32) ends (nruns x u32)
 *   off[nruns + 1] (u32) heap | NUM prefixlen (u16) prefix, then an integer payload (enc and
 *   data, no flags) of the numbers that follow the prefix.
 * A blank row takes its predecessor's value before encoding, so blanks do not break runs.
 * Every read is bounds-checked: a damaged block is refused, never overrun.
 */
#include "rowstore.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "banned.h"
#include "buf.h"
#include "hashmap.h"
#include "xalloc.h"

enum { E_CONST = 1, E_SEQ = 2, E_FOR = 3, E_RUNS = 4, T_RAW = 10, T_RUNS = 11, T_NUM = 12 };
enum { F_NULLS = 1, F_ALLNULL = 2 };

#define NWORDS ((RS_BLOCK_ROWS + 63) / 64)

/* ---- layout ------------------------------------------------------------------------------- */

static void add_col(struct rs_layout *L, const char *name, const char *suffix, int text, int f)
{
    MADI_ASSERT(L->ncols < RS_MAX_COLS);
    struct rs_col *c = &L->cols[L->ncols++];
    (void)snprintf(c->name, sizeof(c->name), "%s%s", name, suffix);
    c->text = text;
    c->field = f;
}

void rs_layout_init(struct rs_layout *L, const struct madi_kind *k)
{
    memset(L, 0, sizeof(*L));
    L->kind = k;
    (void)snprintf(L->block_table, sizeof(L->block_table), "%s_block", k->table);
    add_col(L, "line", "", 0, -1);
    for (size_t f = 0; f < k->nfields; f++) {
        const struct madi_field *fd = &k->fields[f];
        MADI_ASSERT(fd->type != MADI_F_DECIMAL && fd->type != MADI_F_PERSONAL);
        if (fd->type == MADI_F_REF) {
            add_col(L, fd->name, "_id", 0, (int)f);
        } else if (fd->type == MADI_F_AGE_BAND) {
            add_col(L, fd->name, "_lo", 0, (int)f);
            add_col(L, fd->name, "_hi", 0, (int)f);
        } else {
            add_col(L, fd->name, "", fd->type == MADI_F_ID || fd->type == MADI_F_TEXT, (int)f);
        }
    }
}

int rs_layout_col(const struct rs_layout *L, const char *name)
{
    for (size_t c = 0; c < L->ncols; c++)
        if (strcmp(L->cols[c].name, name) == 0)
            return (int)c;
    return -1;
}

/* ---- bytes -------------------------------------------------------------------------------- */

struct out {
    unsigned char *p;
    size_t len, cap;
};

static void out_need(struct out *o, size_t n)
{
    if (o->len + n <= o->cap)
        return;
    size_t cap = o->cap ? o->cap : 1 << 16;
    while (cap < o->len + n)
        cap *= 2;
    o->p = xrealloc(o->p, cap);
    o->cap = cap;
}

static void out_bytes(struct out *o, const void *p, size_t n)
{
    out_need(o, n);
    memcpy(o->p + o->len, p, n);
    o->len += n;
}

static void out_u8(struct out *o, unsigned v)
{
    unsigned char b = (unsigned char)v;
    out_bytes(o, &b, 1);
}

static void put_le(unsigned char *p, uint64_t v, size_t w)
{
    for (size_t i = 0; i < w; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le(const unsigned char *p, size_t w)
{
    uint64_t v = 0;
    for (size_t i = 0; i < w; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void out_le(struct out *o, uint64_t v, size_t w)
{
    out_need(o, w);
    put_le(o->p + o->len, v, w);
    o->len += w;
}

/* A reader over [p, end): every take is checked. */
struct in {
    const unsigned char *p, *end;
    int bad;
};

static const unsigned char *in_take(struct in *r, size_t n)
{
    if (r->bad || (size_t)(r->end - r->p) < n) {
        r->bad = 1;
        return NULL;
    }
    const unsigned char *q = r->p;
    r->p += n;
    return q;
}

static uint64_t in_le(struct in *r, size_t w)
{
    const unsigned char *q = in_take(r, w);
    return q ? get_le(q, w) : 0;
}

/* ---- integer columns ---------------------------------------------------------------------- */

static size_t width_of(uint64_t range)
{
    return range < 0x100 ? 1 : range < 0x10000 ? 2 : range < 0x100000000ULL ? 4 : 8;
}

static void put_for(struct out *o, const int64_t *v, size_t n)
{
    int64_t mn = n ? v[0] : 0, mx = mn;
    for (size_t i = 1; i < n; i++) {
        mn = v[i] < mn ? v[i] : mn;
        mx = v[i] > mx ? v[i] : mx;
    }
    size_t w = width_of((uint64_t)mx - (uint64_t)mn);
    out_le(o, (uint64_t)mn, 8);
    out_u8(o, (unsigned)w);
    out_need(o, n * w);
    unsigned char *q = o->p + o->len;
    if (w == 1) {
        for (size_t i = 0; i < n; i++)
            q[i] = (unsigned char)((uint64_t)v[i] - (uint64_t)mn);
    } else {
        for (size_t i = 0; i < n; i++)
            put_le(q + i * w, (uint64_t)v[i] - (uint64_t)mn, w);
    }
    o->len += n * w;
}

static int get_for(struct in *r, int64_t *out, size_t n)
{
    uint64_t base = in_le(r, 8);
    size_t w = (size_t)in_le(r, 1);
    if (w != 1 && w != 2 && w != 4 && w != 8)
        return -1;
    const unsigned char *q = in_take(r, n * w);
    if (!q)
        return -1;
    if (w == 1) {
        for (size_t i = 0; i < n; i++)
            out[i] = (int64_t)(base + q[i]);
    } else {
        for (size_t i = 0; i < n; i++)
            out[i] = (int64_t)(base + get_le(q + i * w, w));
    }
    return 0;
}

/* The integer data (enc and data) of v[0..n), the smallest of the four encodings. */
static void put_ints(struct out *o, const int64_t *v, size_t n)
{
    size_t runs = n ? 1 : 0;
    int seq = n >= 2;
    int64_t mn = n ? v[0] : 0, mx = mn;
    int64_t step = n >= 2 ? (int64_t)((uint64_t)v[1] - (uint64_t)v[0]) : 0;
    for (size_t i = 1; i < n; i++) {
        runs += v[i] != v[i - 1];
        seq &= (int64_t)((uint64_t)v[i] - (uint64_t)v[i - 1]) == step;
        mn = v[i] < mn ? v[i] : mn;
        mx = v[i] > mx ? v[i] : mx;
    }
    if (runs <= 1) {
        out_u8(o, E_CONST);
        out_le(o, n ? (uint64_t)v[0] : 0, 8);
        return;
    }
    if (seq) {
        out_u8(o, E_SEQ);
        out_le(o, (uint64_t)v[0], 8);
        out_le(o, (uint64_t)step, 8);
        return;
    }
    size_t w = width_of((uint64_t)mx - (uint64_t)mn);
    size_t for_size = n * w;
    size_t runs_size = runs * (w + 4) + 13;
    if (runs_size >= for_size) {
        out_u8(o, E_FOR);
        put_for(o, v, n);
        return;
    }
    int64_t *vals = xmalloc(runs * sizeof(int64_t));
    uint32_t *ends = xmalloc(runs * sizeof(uint32_t));
    size_t k = 0;
    for (size_t i = 1; i <= n; i++) {
        if (i == n || v[i] != v[i - 1]) {
            vals[k] = v[i - 1];
            ends[k++] = (uint32_t)i;
        }
    }
    out_u8(o, E_RUNS);
    out_le(o, runs, 4);
    put_for(o, vals, runs);
    for (size_t i = 0; i < runs; i++)
        out_le(o, ends[i], 4);
    free(vals);
    free(ends);
}

static int get_int_body(unsigned enc, struct in *r, int64_t *out, size_t n)
{
    if (r->bad)
        return -1;
    if (enc == E_CONST) {
        int64_t v = (int64_t)in_le(r, 8);
        for (size_t i = 0; i < n; i++)
            out[i] = v;
        return r->bad ? -1 : 0;
    }
    if (enc == E_SEQ) {
        uint64_t v = in_le(r, 8), step = in_le(r, 8);
        for (size_t i = 0; i < n; i++)
            out[i] = (int64_t)(v + step * i);
        return r->bad ? -1 : 0;
    }
    if (enc == E_FOR)
        return get_for(r, out, n);
    if (enc != E_RUNS)
        return -1;
    size_t runs = (size_t)in_le(r, 4);
    if (r->bad || runs == 0 || runs > n)
        return -1;
    int64_t *vals = xmalloc(runs * sizeof(int64_t));
    int rc = get_for(r, vals, runs);
    const unsigned char *ends = rc ? NULL : in_take(r, runs * 4);
    size_t at = 0;
    for (size_t k = 0; ends && k < runs; k++) {
        size_t end = (size_t)get_le(ends + 4 * k, 4);
        if (end <= at || end > n) {
            rc = -1;
            break;
        }
        for (; at < end; at++)
            out[at] = vals[k];
    }
    free(vals);
    return ends && !rc && at == n ? 0 : -1;
}

static int get_ints(struct in *r, int64_t *out, size_t n)
{
    unsigned enc = (unsigned)in_le(r, 1);
    return get_int_body(enc, r, out, n);
}

/* ---- text columns ------------------------------------------------------------------------- */

/* Length of the prefix of s before its trailing digits, if those form a canonical number
 * (no leading zero, at most 18 digits); else -1. */
static long num_prefix(const char *s, size_t n)
{
    size_t d = n;
    while (d > 0 && s[d - 1] >= '0' && s[d - 1] <= '9')
        d--;
    size_t digits = n - d;
    if (digits == 0 || digits > 18 || (digits > 1 && s[d] == '0'))
        return -1;
    return (long)d;
}

static int64_t num_value(const char *s, size_t n)
{
    int64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

static void put_text(struct out *o, const struct rs_writer *w, size_t col, const uint64_t *nulls)
{
    size_t n = w->n;
    const int64_t *off = w->vals[col];
    const uint32_t *len = w->lens[col];
    const char *heap = w->heap;
    /* A prefix and a number? */
    long pl = -1;
    size_t first = 0;
    while (first < n && nulls && (nulls[first / 64] >> (first % 64) & 1))
        first++;
    if (first < n)
        pl = num_prefix(heap + off[first], len[first]);
    int num = pl >= 0;
    for (size_t i = 0; i < n && num; i++) {
        if (nulls && (nulls[i / 64] >> (i % 64) & 1))
            continue;
        const char *s = heap + off[i];
        num = len[i] > (size_t)pl && memcmp(s, heap + off[first], (size_t)pl) == 0 &&
              num_prefix(s, len[i]) == pl;
    }
    if (num && pl <= 64) { /* rs_text's buffer holds 64 + 20 digits */
        int64_t *v = xmalloc((n ? n : 1) * sizeof(int64_t));
        int64_t last = num_value(heap + off[first] + pl, len[first] - (size_t)pl);
        for (size_t i = 0; i < n; i++) {
            if (!(nulls && (nulls[i / 64] >> (i % 64) & 1)))
                last = num_value(heap + off[i] + pl, len[i] - (size_t)pl);
            v[i] = last;
        }
        out_u8(o, T_NUM);
        out_le(o, (uint64_t)pl, 2);
        out_bytes(o, heap + off[first], (size_t)pl);
        put_ints(o, v, n);
        free(v);
        return;
    }
    /* Runs of the same text (blanks continue a run)? */
    size_t runs = n ? 1 : 0, total = 0;
    for (size_t i = 1; i < n; i++) {
        int same = (nulls && (nulls[i / 64] >> (i % 64) & 1)) ||
                   (len[i] == len[i - 1] && memcmp(heap + off[i], heap + off[i - 1], len[i]) == 0);
        runs += !same;
    }
    for (size_t i = 0; i < n; i++)
        total += len[i];
    if (runs * 4 < n) {
        out_u8(o, T_RUNS);
        out_le(o, runs, 4);
        size_t hstart_len = 0;
        uint32_t *ends = xmalloc((runs ? runs : 1) * sizeof(uint32_t));
        size_t *start = xmalloc((runs ? runs : 1) * sizeof(size_t));
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            int same = i > 0 && ((nulls && (nulls[i / 64] >> (i % 64) & 1)) ||
                                 (len[i] == len[i - 1] &&
                                  memcmp(heap + off[i], heap + off[i - 1], len[i]) == 0));
            if (!same) {
                if (k)
                    ends[k - 1] = (uint32_t)i;
                start[k++] = i;
            }
        }
        ends[k - 1] = (uint32_t)n;
        for (size_t r = 0; r < runs; r++)
            out_le(o, ends[r], 4);
        for (size_t r = 0; r < runs; r++) {
            out_le(o, hstart_len, 4);
            hstart_len += len[start[r]];
        }
        out_le(o, hstart_len, 4);
        for (size_t r = 0; r < runs; r++)
            out_bytes(o, heap + off[start[r]], len[start[r]]);
        free(ends);
        free(start);
        return;
    }
    out_u8(o, T_RAW);
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        out_le(o, at, 4);
        if (!(nulls && (nulls[i / 64] >> (i % 64) & 1)))
            at += len[i];
    }
    out_le(o, at, 4);
    out_need(o, total);
    for (size_t i = 0; i < n; i++)
        if (!(nulls && (nulls[i / 64] >> (i % 64) & 1)))
            out_bytes(o, heap + off[i], len[i]);
}

/* ---- writer ------------------------------------------------------------------------------- */

int rs_writer_open(struct rs_writer *w, struct madi_store *s, const struct rs_layout *L,
                   int64_t batch, struct madi_err *err)
{
    memset(w, 0, sizeof(*w));
    w->s = s;
    w->L = L;
    w->batch = batch;
    for (size_t c = 0; c < L->ncols; c++) {
        w->vals[c] = xmalloc(RS_BLOCK_ROWS * sizeof(int64_t));
        w->nulls[c] = xmalloc(NWORDS * sizeof(uint64_t));
        memset(w->nulls[c], 0xff, NWORDS * sizeof(uint64_t)); /* blank until set */
        if (L->cols[c].text)
            w->lens[c] = xmalloc(RS_BLOCK_ROWS * sizeof(uint32_t));
    }
    w->heapcap = 1 << 20;
    w->heap = xmalloc(w->heapcap);
    w->cache[0].seq = w->cache[1].seq = -1;
    char sql[160];
    (void)snprintf(sql, sizeof(sql),
                   "INSERT INTO %s (batch_id, seq, nrows, format, data) VALUES (?, ?, ?, ?, ?)",
                   L->block_table);
    return madi_store_prepare(s, sql, &w->ins, err);
}

void rs_set_text(struct rs_writer *w, size_t col, const char *p, size_t n)
{
    if (w->heaplen + n > w->heapcap) {
        size_t cap = w->heapcap ? w->heapcap : 1 << 20;
        while (cap < w->heaplen + n)
            cap *= 2;
        w->heap = xrealloc(w->heap, cap);
        w->heapcap = cap;
    }
    memcpy(w->heap + w->heaplen, p, n);
    w->vals[col][w->n] = (int64_t)w->heaplen;
    w->lens[col][w->n] = (uint32_t)n;
    w->heaplen += n;
    w->nulls[col][w->n / 64] &= ~(1ULL << (w->n % 64));
}

/* Give each blank row of column c its predecessor's value (the first row's blank: 0, or an
 * empty text), so that blanks do not break runs or sequences. */
static void fill_blanks(struct rs_writer *w, size_t c)
{
    const uint64_t *nulls = w->nulls[c];
    int64_t *v = w->vals[c];
    uint32_t *len = w->lens[c];
    for (size_t i = 0; i < w->n; i++) {
        if (!(nulls[i / 64] >> (i % 64) & 1))
            continue;
        v[i] = i ? v[i - 1] : 0;
        if (len)
            len[i] = i ? len[i - 1] : 0;
    }
}

static size_t encode(struct rs_writer *w)
{
    const struct rs_layout *L = w->L;
    size_t n = w->n;
    struct out o = { w->out, 0, w->outcap };
    struct out tmp = { w->tmp, 0, w->tmpcap };
    size_t dir = 8 + 4 * (L->ncols + 1);
    out_need(&o, dir);
    o.p[0] = 'M';
    o.p[1] = 'R';
    o.p[2] = RS_FORMAT;
    o.p[3] = (unsigned char)L->ncols;
    put_le(o.p + 4, n, 4);
    o.len = dir;
    for (size_t c = 0; c < L->ncols; c++) {
        put_le(o.p + 8 + 4 * c, o.len, 4);
        uint64_t *nulls = w->nulls[c];
        size_t blank = 0;
        for (size_t i = 0; i < (n + 63) / 64; i++) {
            uint64_t m = nulls[i];
            if (i == n / 64 && n % 64)
                m &= (1ULL << (n % 64)) - 1;
            blank += (size_t)__builtin_popcountll(m);
        }
        if (blank == n) {
            out_u8(&o, L->cols[c].text ? T_RAW : E_CONST);
            out_u8(&o, F_ALLNULL);
            continue;
        }
        if (blank)
            fill_blanks(w, c);
        tmp.len = 0;
        if (L->cols[c].text)
            put_text(&tmp, w, c, blank ? nulls : NULL);
        else
            put_ints(&tmp, w->vals[c], n);
        out_u8(&o, tmp.p[0]);
        out_u8(&o, blank ? F_NULLS : 0);
        if (blank) {
            out_need(&o, (n + 7) / 8);
            for (size_t i = 0; i < (n + 7) / 8; i++)
                o.p[o.len + i] = (unsigned char)(nulls[i / 8] >> (8 * (i % 8)));
            o.len += (n + 7) / 8;
        }
        out_bytes(&o, tmp.p + 1, tmp.len - 1);
    }
    put_le(o.p + 8 + 4 * L->ncols, o.len, 4);
    w->out = o.p;
    w->outcap = o.cap;
    w->tmp = tmp.p;
    w->tmpcap = tmp.cap;
    return o.len;
}

static int flush(struct rs_writer *w, struct madi_err *err)
{
    if (w->n == 0)
        return MADI_OK;
    size_t len = encode(w);
    madi_stmt_bind_int(w->ins, 1, w->batch);
    madi_stmt_bind_int(w->ins, 2, w->seq);
    madi_stmt_bind_int(w->ins, 3, (int64_t)w->n);
    madi_stmt_bind_int(w->ins, 4, RS_FORMAT);
    madi_stmt_bind_blob_ref(w->ins, 5, w->out, len);
    int rc = madi_stmt_step(w->ins, err);
    madi_stmt_reset(w->ins);
    w->seq++;
    w->n = 0;
    w->heaplen = 0;
    for (size_t c = 0; c < w->L->ncols; c++)
        memset(w->nulls[c], 0xff, NWORDS * sizeof(uint64_t));
    return rc < 0 ? rc : MADI_OK;
}

int rs_end_row(struct rs_writer *w, struct madi_err *err)
{
    w->rows++;
    if (++w->n == RS_BLOCK_ROWS)
        return flush(w, err);
    return MADI_OK;
}

int rs_writer_finish(struct rs_writer *w, struct madi_err *err)
{
    return flush(w, err);
}

static void cache_drop(struct rs_cached *c);

void rs_writer_release(struct rs_writer *w)
{
    cache_drop(&w->cache[0]);
    cache_drop(&w->cache[1]);
    madi_stmt_finalize(w->ins);
    for (size_t c = 0; c < RS_MAX_COLS; c++) {
        free(w->vals[c]);
        free(w->lens[c]);
        free(w->nulls[c]);
    }
    free(w->heap);
    free(w->out);
    free(w->tmp);
    memset(w, 0, sizeof(*w));
}

static void copy_text(const char *p, size_t n, char *buf, size_t bufsz, size_t *outn)
{
    if (bufsz) {
        size_t k = n < bufsz - 1 ? n : bufsz - 1;
        memcpy(buf, p, k);
        buf[k] = '\0';
    }
    if (outn)
        *outn = n;
}

/* rs_block_fn: a copy of the one block asked for, decoded in column c->col into the slot. */
static int cache_one(void *ctx, int64_t batch, const struct rs_block *b)
{
    struct rs_cached *c = ctx;
    (void)batch;
    c->blob = xmalloc(b->len);
    memcpy(c->blob, b->p, b->len);
    c->b = *b;
    c->b.p = c->blob;
    c->ok = 1;
    return 1;
}

static void cache_drop(struct rs_cached *c)
{
    if (c->has_text)
        rs_text_close(&c->text);
    free(c->blob);
    free(c->ints);
    free(c->nulls);
    memset(c, 0, sizeof(*c));
    c->seq = -1;
}

/* The block `seq` of this batch decoded in column `col`: from the cache, or read now. */
static struct rs_cached *cached(struct rs_writer *w, int64_t seq, size_t col, struct madi_err *err,
                                int *rc)
{
    for (int k = 0; k < 2; k++)
        if (w->cache[k].ok && w->cache[k].seq == seq && w->cache[k].col == col)
            return &w->cache[k];
    struct rs_cached *c = &w->cache[w->cache_next++ % 2];
    cache_drop(c);
    int64_t args[2] = { w->batch, seq };
    *rc = rs_each_block(w->s, w->L, "batch_id = ?1 AND seq = ?2", args, 2, cache_one, c, err);
    if (*rc || !c->ok)
        return NULL;
    c->seq = seq;
    c->col = col;
    int bad;
    if (w->L->cols[col].text) {
        bad = rs_text_open(&c->text, &c->b, col) != 0;
        c->has_text = !bad;
    } else {
        c->ints = xmalloc(RS_BLOCK_ROWS * sizeof(int64_t));
        c->nulls = xmalloc(NWORDS * sizeof(uint64_t));
        bad = rs_block_ints(&c->b, col, c->ints, c->nulls) != 0;
    }
    if (bad) {
        cache_drop(c);
        *rc = madi_err_set(err, MADI_EDB, "a block of %s is damaged", w->L->block_table);
        return NULL;
    }
    return c;
}

int rs_writer_get(struct rs_writer *w, uint64_t idx, size_t col, int64_t *v, char *buf,
                  size_t bufsz, size_t *n, struct madi_err *err)
{
    uint64_t flushed = w->rows - w->n; /* rows in written blocks */
    int text = w->L->cols[col].text;
    if (idx >= flushed) {
        size_t i = (size_t)(idx - flushed);
        if (i >= w->n || (w->nulls[col][i / 64] >> (i % 64) & 1))
            return 0;
        if (text)
            copy_text(w->heap + w->vals[col][i], w->lens[col][i], buf, bufsz, n);
        else
            *v = w->vals[col][i];
        return 1;
    }
    int rc = MADI_OK;
    struct rs_cached *c = cached(w, (int64_t)(idx / RS_BLOCK_ROWS), col, err, &rc);
    if (!c)
        return rc < 0 ? rc : 0;
    size_t i = (size_t)(idx % RS_BLOCK_ROWS);
    if (text) {
        const char *s = NULL;
        size_t sn = 0;
        if (!rs_text_get(&c->text, i, &s, &sn))
            return 0;
        copy_text(s, sn, buf, bufsz, n);
        return 1;
    }
    if (i >= c->b.nrows || (c->nulls[i / 64] >> (i % 64) & 1))
        return 0;
    *v = c->ints[i];
    return 1;
}

int rs_delete_batch(struct madi_store *s, const struct rs_layout *L, int64_t batch,
                    struct madi_err *err)
{
    char sql[160];
    struct madi_stmt *st = NULL;
    (void)snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE batch_id = ?", L->block_table);
    int rc = madi_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    madi_stmt_bind_int(st, 1, batch);
    rc = madi_stmt_step(st, err);
    madi_stmt_finalize(st);
    return rc < 0 ? rc : MADI_OK;
}

int rs_each_block(struct madi_store *s, const struct rs_layout *L, const char *where,
                  const int64_t *args, int nargs, rs_block_fn fn, void *ctx, struct madi_err *err)
{
    char sql[400];
    struct madi_stmt *st = NULL;
    (void)snprintf(sql, sizeof(sql), "SELECT batch_id, data FROM %s%s%s ORDER BY batch_id, seq",
                   L->block_table, where ? " WHERE " : "", where ? where : "");
    int rc = madi_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    for (int i = 0; i < nargs; i++)
        madi_stmt_bind_int(st, i + 1, args[i]);
    while ((rc = madi_stmt_step(st, err)) == MADI_STMT_ROW) {
        size_t len = 0;
        const void *p = madi_stmt_blob(st, 1, &len);
        struct rs_block b;
        if (rs_block_open(&b, p, len, L)) {
            rc = madi_err_set(err, MADI_EDB,
                              "a block of %s is damaged (%zu bytes): restore the database from "
                              "a backup",
                              L->block_table, len);
            break;
        }
        rc = fn(ctx, madi_stmt_int(st, 0), &b);
        if (rc)
            break;
    }
    madi_stmt_finalize(st);
    return rc < 0 ? rc : MADI_OK;
}

struct refers {
    size_t col;
    const struct madi_u64map *ids;
    int64_t *v;
    uint64_t *nulls;
    int *found;
    struct madi_err *err;
    const char *table;
};

static int refers_one(void *ctx, int64_t batch, const struct rs_block *b)
{
    struct refers *r = ctx;
    (void)batch;
    if (rs_block_ints(b, r->col, r->v, r->nulls))
        return madi_err_set(r->err, MADI_EDB, "a block of %s is damaged", r->table);
    for (size_t i = 0; i < b->nrows && !*r->found; i++)
        *r->found =
                !(r->nulls[i / 64] >> (i % 64) & 1) && madi_u64map_has(r->ids, (uint64_t)r->v[i]);
    return *r->found;
}

int rs_refers(struct madi_store *s, const struct rs_layout *L, size_t col,
              const struct madi_u64map *ids, int *found, struct madi_err *err)
{
    struct refers r = { col,
                        ids,
                        xmalloc(RS_BLOCK_ROWS * sizeof(int64_t)),
                        xmalloc(NWORDS * sizeof(uint64_t)),
                        found,
                        err,
                        L->block_table };
    *found = 0;
    int rc = rs_each_block(s, L, NULL, NULL, 0, refers_one, &r, err);
    free(r.v);
    free(r.nulls);
    return rc;
}

/* ---- reader ------------------------------------------------------------------------------- */

int rs_block_open(struct rs_block *b, const void *p, size_t len, const struct rs_layout *L)
{
    const unsigned char *q = p;
    memset(b, 0, sizeof(*b));
    if (!q || len < 8 || q[0] != 'M' || q[1] != 'R' || q[2] != RS_FORMAT || q[3] != L->ncols)
        return -1;
    size_t nrows = (size_t)get_le(q + 4, 4), ncols = q[3];
    if (nrows == 0 || nrows > RS_BLOCK_ROWS || len < 8 + 4 * (ncols + 1))
        return -1;
    size_t prev = 8 + 4 * (ncols + 1);
    for (size_t c = 0; c <= ncols; c++) {
        size_t off = (size_t)get_le(q + 8 + 4 * c, 4);
        if (off < prev || off > len || (c == ncols && off != len))
            return -1;
        prev = off;
    }
    b->p = q;
    b->len = len;
    b->nrows = nrows;
    b->ncols = ncols;
    return 0;
}

/* The column's data (after its encoding, flags and bitmap); the bitmap into nulls, if asked. */
static int col_open(const struct rs_block *b, size_t col, unsigned *enc, unsigned *flags,
                    struct in *r, uint64_t *nulls)
{
    if (col >= b->ncols)
        return -1;
    r->p = b->p + get_le(b->p + 8 + 4 * col, 4);
    r->end = b->p + get_le(b->p + 8 + 4 * (col + 1), 4);
    r->bad = 0;
    *enc = (unsigned)in_le(r, 1);
    *flags = (unsigned)in_le(r, 1);
    if (r->bad)
        return -1;
    size_t words = (b->nrows + 63) / 64;
    if (nulls)
        memset(nulls, 0, words * sizeof(uint64_t));
    if (*flags & F_ALLNULL) {
        for (size_t i = 0; nulls && i < b->nrows; i++)
            nulls[i / 64] |= 1ULL << (i % 64);
        return 0;
    }
    if (*flags & F_NULLS) {
        const unsigned char *m = in_take(r, (b->nrows + 7) / 8);
        if (!m)
            return -1;
        for (size_t i = 0; nulls && i < (b->nrows + 7) / 8; i++)
            nulls[i / 8] |= (uint64_t)m[i] << (8 * (i % 8));
    }
    return 0;
}

int rs_block_ints(const struct rs_block *b, size_t col, int64_t *out, uint64_t *nulls)
{
    unsigned enc, flags;
    struct in r;
    if (col_open(b, col, &enc, &flags, &r, nulls))
        return -1;
    if (flags & F_ALLNULL) {
        memset(out, 0, b->nrows * sizeof(int64_t));
        return 0;
    }
    return get_int_body(enc, &r, out, b->nrows);
}

int rs_text_open(struct rs_text *t, const struct rs_block *b, size_t col)
{
    unsigned enc, flags;
    struct in r;
    size_t n = b->nrows;
    memset(t, 0, sizeof(*t));
    t->nrows = n;
    t->nulls = xmalloc(((n + 63) / 64) * sizeof(uint64_t));
    if (col_open(b, col, &enc, &flags, &r, t->nulls))
        goto bad;
    t->enc = (int)enc;
    if (flags & F_ALLNULL)
        return 0;
    if (enc == T_NUM) {
        size_t pl = (size_t)in_le(&r, 2);
        const unsigned char *pre = in_take(&r, pl);
        if (!pre)
            goto bad;
        t->prefix = (const char *)pre;
        t->prefixlen = pl;
        t->nums = xmalloc(n * sizeof(int64_t));
        if (get_ints(&r, t->nums, n) || pl + 20 > sizeof(t->buf))
            goto bad;
        return 0;
    }
    t->off = xmalloc(n * sizeof(uint32_t));
    t->len = xmalloc(n * sizeof(uint32_t));
    if (enc == T_RAW) {
        const unsigned char *offs = in_take(&r, (n + 1) * 4);
        if (!offs)
            goto bad;
        t->heap = r.p;
        size_t heaplen = (size_t)(r.end - r.p), prev = 0;
        for (size_t i = 0; i <= n; i++) {
            size_t o = (size_t)get_le(offs + 4 * i, 4);
            if (o < prev || o > heaplen)
                goto bad;
            if (i > 0) {
                t->off[i - 1] = (uint32_t)prev;
                t->len[i - 1] = (uint32_t)(o - prev);
            }
            prev = o;
        }
        return 0;
    }
    if (enc != T_RUNS)
        goto bad;
    size_t runs = (size_t)in_le(&r, 4);
    const unsigned char *ends = r.bad || runs == 0 || runs > n ? NULL : in_take(&r, runs * 4);
    const unsigned char *offs = ends ? in_take(&r, (runs + 1) * 4) : NULL;
    if (!offs)
        goto bad;
    t->heap = r.p;
    size_t heaplen = (size_t)(r.end - r.p), at = 0;
    for (size_t k = 0; k < runs; k++) {
        size_t end = (size_t)get_le(ends + 4 * k, 4);
        size_t o0 = (size_t)get_le(offs + 4 * k, 4), o1 = (size_t)get_le(offs + 4 * (k + 1), 4);
        if (end <= at || end > n || o1 < o0 || o1 > heaplen)
            goto bad;
        for (; at < end; at++) {
            t->off[at] = (uint32_t)o0;
            t->len[at] = (uint32_t)(o1 - o0);
        }
    }
    if (at != n)
        goto bad;
    return 0;
bad:
    rs_text_close(t);
    return -1;
}

int rs_text_get(struct rs_text *t, size_t i, const char **p, size_t *n)
{
    *p = NULL;
    *n = 0;
    if (i >= t->nrows || (t->nulls[i / 64] >> (i % 64) & 1))
        return 0;
    if (t->nums) {
        memcpy(t->buf, t->prefix, t->prefixlen);
        int k = snprintf(t->buf + t->prefixlen, sizeof(t->buf) - t->prefixlen, "%" PRId64,
                         t->nums[i]);
        *p = t->buf;
        *n = t->prefixlen + (size_t)(k > 0 ? k : 0);
        return 1;
    }
    *p = (const char *)t->heap + t->off[i];
    *n = t->len[i];
    return 1;
}

void rs_text_close(struct rs_text *t)
{
    free(t->nulls);
    free(t->off);
    free(t->len);
    free(t->nums);
    memset(t, 0, sizeof(*t));
}

/* ---- the virtual table -------------------------------------------------------------------- */

/* Columns of the table as SQL sees it: id, batch_id, then the layout's (line first). */
#define VT_ID    0
#define VT_BATCH 1
#define VT_FIRST 2

struct vtab {
    sqlite3_vtab base;
    sqlite3 *db;
    struct rs_layout L;
    int datecol; /* the layout's date column, or -1: blocks outside a date range are skipped */
};

struct vcur {
    sqlite3_vtab_cursor base;
    struct vtab *vt;
    sqlite3_stmt *st; /* blocks: rowid, batch_id, data */
    int eof;
    int64_t block_rowid, batch;
    struct rs_block b;
    size_t i; /* row in block */
    int64_t *ints[RS_MAX_COLS];
    uint64_t *nulls[RS_MAX_COLS];
    int have[RS_MAX_COLS];
    struct rs_text text[RS_MAX_COLS];
    int only_row; /* id = ? : the one row */
    size_t want_row;
    int ranged; /* skip blocks with no date in [lo, hi] */
    int64_t lo, hi;
};

static int vt_connect(sqlite3 *db, void *aux, int argc, const char *const *argv, sqlite3_vtab **out,
                      char **errmsg)
{
    (void)aux;
    if (argc < 4) {
        *errmsg = sqlite3_mprintf("madi_rows needs the kind: USING madi_rows(kind)");
        return SQLITE_ERROR;
    }
    const struct madi_kind *k = madi_kind_find(argv[3]);
    if (!k || !(k->flags & MADI_KIND_BLOCKS)) {
        *errmsg = sqlite3_mprintf("madi_rows: no kind '%s' stored in blocks", argv[3]);
        return SQLITE_ERROR;
    }
    struct vtab *vt = sqlite3_malloc(sizeof(*vt));
    if (!vt)
        return SQLITE_NOMEM;
    memset(vt, 0, sizeof(*vt));
    vt->db = db;
    rs_layout_init(&vt->L, k);
    vt->datecol = rs_layout_col(&vt->L, "date");
    char decl[4096];
    size_t j = (size_t)snprintf(decl, sizeof(decl), "CREATE TABLE x(id INTEGER, batch_id INTEGER");
    for (size_t c = 0; c < vt->L.ncols && j < sizeof(decl); c++)
        j += (size_t)snprintf(decl + j, sizeof(decl) - j, ", %s %s", vt->L.cols[c].name,
                              vt->L.cols[c].text ? "TEXT" : "INTEGER");
    if (j + 2 >= sizeof(decl)) {
        sqlite3_free(vt);
        return SQLITE_ERROR;
    }
    (void)snprintf(decl + j, sizeof(decl) - j, ")");
    int rc = sqlite3_declare_vtab(db, decl);
    if (rc != SQLITE_OK) {
        sqlite3_free(vt);
        return rc;
    }
    *out = &vt->base;
    return SQLITE_OK;
}

static int vt_disconnect(sqlite3_vtab *v)
{
    sqlite3_free(v);
    return SQLITE_OK;
}

/* idxNum: bits 0-1 the way in (1 batch_id = ?; 2 id (or rowid) = ?; 0 every block); bits 2-4
 * how many date constraints follow that argument, each an operator in 3 bits from bit 5 on
 * (DATE_* below). The date constraints are not omitted: SQLite still checks every row, the
 * range only lets whole blocks be skipped. */
enum { DATE_EQ = 1, DATE_GT, DATE_GE, DATE_LT, DATE_LE };
#define MAX_DATE_CONS 4

static int date_op(unsigned char op)
{
    switch (op) {
    case SQLITE_INDEX_CONSTRAINT_EQ:
        return DATE_EQ;
    case SQLITE_INDEX_CONSTRAINT_GT:
        return DATE_GT;
    case SQLITE_INDEX_CONSTRAINT_GE:
        return DATE_GE;
    case SQLITE_INDEX_CONSTRAINT_LT:
        return DATE_LT;
    case SQLITE_INDEX_CONSTRAINT_LE:
        return DATE_LE;
    default:
        return 0;
    }
}

static int vt_best_index(sqlite3_vtab *v, sqlite3_index_info *info)
{
    struct vtab *vt = (struct vtab *)v;
    int batch = -1, id = -1;
    for (int i = 0; i < info->nConstraint; i++) {
        const struct sqlite3_index_constraint *c = &info->aConstraint[i];
        if (!c->usable || c->op != SQLITE_INDEX_CONSTRAINT_EQ)
            continue;
        if (c->iColumn == VT_BATCH)
            batch = i;
        else if (c->iColumn == VT_ID || c->iColumn == -1)
            id = i;
    }
    if (id >= 0) {
        info->idxNum = 2;
        info->aConstraintUsage[id].argvIndex = 1;
        info->aConstraintUsage[id].omit = 1;
        info->estimatedCost = 10;
        info->estimatedRows = 1;
        info->idxFlags = SQLITE_INDEX_SCAN_UNIQUE;
    } else if (batch >= 0) {
        info->idxNum = 1;
        info->aConstraintUsage[batch].argvIndex = 1;
        info->aConstraintUsage[batch].omit = 1;
        info->estimatedCost = 1e4;
        info->estimatedRows = 1e4;
    } else {
        info->idxNum = 0;
        info->estimatedCost = 1e7;
        info->estimatedRows = 1e6;
    }
    if (id >= 0 || vt->datecol < 0)
        return SQLITE_OK;
    int arg = info->idxNum ? 2 : 1, nd = 0;
    for (int i = 0; i < info->nConstraint && nd < MAX_DATE_CONS; i++) {
        const struct sqlite3_index_constraint *c = &info->aConstraint[i];
        int op = date_op(c->op);
        if (!c->usable || !op || c->iColumn != VT_FIRST + vt->datecol)
            continue;
        info->aConstraintUsage[i].argvIndex = arg++;
        info->idxNum |= op << (5 + 3 * nd);
        nd++;
    }
    if (nd) {
        info->idxNum |= nd << 2;
        info->estimatedCost /= 4;
        info->estimatedRows /= 4;
    }
    return SQLITE_OK;
}

static int vt_open(sqlite3_vtab *v, sqlite3_vtab_cursor **out)
{
    struct vcur *c = sqlite3_malloc(sizeof(*c));
    if (!c)
        return SQLITE_NOMEM;
    memset(c, 0, sizeof(*c));
    c->vt = (struct vtab *)v;
    *out = &c->base;
    return SQLITE_OK;
}

static void cur_drop_block(struct vcur *c)
{
    for (size_t k = 0; k < c->vt->L.ncols; k++) {
        if (c->have[k] && c->vt->L.cols[k].text)
            rs_text_close(&c->text[k]);
        c->have[k] = 0;
    }
}

static int vt_close(sqlite3_vtab_cursor *cur)
{
    struct vcur *c = (struct vcur *)cur;
    cur_drop_block(c);
    for (size_t k = 0; k < RS_MAX_COLS; k++) {
        sqlite3_free(c->ints[k]);
        sqlite3_free(c->nulls[k]);
    }
    sqlite3_finalize(c->st);
    sqlite3_free(c);
    return SQLITE_OK;
}

static int damaged(struct vcur *c)
{
    sqlite3_free(c->vt->base.zErrMsg);
    c->vt->base.zErrMsg = sqlite3_mprintf("a block of %s (rowid %lld) is damaged",
                                          c->vt->L.block_table, (long long)c->block_rowid);
    return SQLITE_CORRUPT;
}

static int ensure_ints(struct vcur *c, size_t k);

/* Whether the current block has a row dated within [lo, hi] (its date column is decoded
 * here, and kept for xColumn). *rc is set on a damaged block. */
static int block_in_range(struct vcur *c, int *rc)
{
    size_t k = (size_t)c->vt->datecol;
    *rc = ensure_ints(c, k);
    if (*rc)
        return 0;
    for (size_t i = 0; i < c->b.nrows; i++)
        if (!(c->nulls[k][i / 64] >> (i % 64) & 1) && c->ints[k][i] >= c->lo &&
            c->ints[k][i] <= c->hi)
            return 1;
    cur_drop_block(c);
    return 0;
}

/* Step to the next block that has rows; sets eof at the end. */
static int next_block(struct vcur *c)
{
    for (;;) {
        cur_drop_block(c);
        int rc = sqlite3_step(c->st);
        if (rc == SQLITE_DONE) {
            c->eof = 1;
            return SQLITE_OK;
        }
        if (rc != SQLITE_ROW)
            return rc;
        c->block_rowid = sqlite3_column_int64(c->st, 0);
        c->batch = sqlite3_column_int64(c->st, 1);
        if (c->block_rowid < 0 || c->block_rowid >= ((int64_t)1 << 46)) /* ids would overflow */
            return damaged(c);
        const void *p = sqlite3_column_blob(c->st, 2);
        size_t len = (size_t)sqlite3_column_bytes(c->st, 2);
        if (rs_block_open(&c->b, p, len, &c->vt->L))
            return damaged(c);
        if (c->ranged && !block_in_range(c, &rc)) {
            if (rc)
                return rc;
            continue; /* no row of it in the dates asked for */
        }
        c->i = 0;
        if (c->only_row) {
            if (c->want_row >= c->b.nrows) {
                c->eof = 1;
                return SQLITE_OK;
            }
            c->i = c->want_row;
        }
        return SQLITE_OK;
    }
}

static int vt_filter(sqlite3_vtab_cursor *cur, int idxnum, const char *idxstr, int argc,
                     sqlite3_value **argv)
{
    (void)idxstr;
    struct vcur *c = (struct vcur *)cur;
    char sql[200];
    cur_drop_block(c);
    sqlite3_finalize(c->st);
    c->st = NULL;
    c->eof = 0;
    c->only_row = 0;
    c->ranged = 0;
    c->lo = INT64_MIN;
    c->hi = INT64_MAX;
    int first = (idxnum & 3) ? 1 : 0, nd = (idxnum >> 2) & 7;
    for (int k = 0; k < nd && first + k < argc; k++) {
        sqlite3_value *val = argv[first + k];
        if (sqlite3_value_numeric_type(val) != SQLITE_INTEGER)
            continue; /* no skipping on this one: SQLite checks every row anyway */
        int64_t x = sqlite3_value_int64(val);
        int op = (idxnum >> (5 + 3 * k)) & 7;
        if ((op == DATE_EQ || op == DATE_GE) && x > c->lo)
            c->lo = x;
        if (op == DATE_GT && x != INT64_MAX && x + 1 > c->lo)
            c->lo = x + 1;
        if ((op == DATE_EQ || op == DATE_LE) && x < c->hi)
            c->hi = x;
        if (op == DATE_LT && x != INT64_MIN && x - 1 < c->hi)
            c->hi = x - 1;
        c->ranged = 1;
    }
    idxnum &= 3;
    if (idxnum == 1)
        (void)snprintf(sql, sizeof(sql),
                       "SELECT rowid, batch_id, data FROM %s WHERE batch_id = ?1 ORDER BY seq",
                       c->vt->L.block_table);
    else if (idxnum == 2)
        (void)snprintf(sql, sizeof(sql), "SELECT rowid, batch_id, data FROM %s WHERE rowid = ?1",
                       c->vt->L.block_table);
    else
        (void)snprintf(sql, sizeof(sql),
                       "SELECT rowid, batch_id, data FROM %s ORDER BY batch_id, seq",
                       c->vt->L.block_table);
    int rc = sqlite3_prepare_v2(c->vt->db, sql, -1, &c->st, NULL);
    if (rc != SQLITE_OK)
        return rc;
    if (idxnum == 1 && argc >= 1) {
        sqlite3_bind_value(c->st, 1, argv[0]);
    } else if (idxnum == 2 && argc >= 1) {
        /* As a table's rowid compares: '65536' and 65536.0 find row 65536. */
        int type = sqlite3_value_numeric_type(argv[0]);
        int64_t id = sqlite3_value_int64(argv[0]);
        double d = sqlite3_value_double(argv[0]);
        if ((type != SQLITE_INTEGER &&
             !(type == SQLITE_FLOAT && d >= 0 && d < 9e18 && (double)(int64_t)d == d)) ||
            id < 0) {
            c->eof = 1;
            return SQLITE_OK;
        }
        sqlite3_bind_int64(c->st, 1, id / RS_BLOCK_ROWS);
        c->only_row = 1;
        c->want_row = (size_t)(id % RS_BLOCK_ROWS);
    }
    return next_block(c);
}

static int vt_next(sqlite3_vtab_cursor *cur)
{
    struct vcur *c = (struct vcur *)cur;
    if (c->only_row) {
        c->eof = 1;
        return SQLITE_OK;
    }
    if (++c->i < c->b.nrows)
        return SQLITE_OK;
    return next_block(c);
}

static int vt_eof(sqlite3_vtab_cursor *cur)
{
    return ((struct vcur *)cur)->eof;
}

/* Integer column k of the current block, decoded once. */
static int ensure_ints(struct vcur *c, size_t k)
{
    if (c->have[k])
        return SQLITE_OK;
    if (!c->ints[k]) {
        c->ints[k] = sqlite3_malloc(RS_BLOCK_ROWS * sizeof(int64_t));
        c->nulls[k] = sqlite3_malloc(NWORDS * sizeof(uint64_t));
        if (!c->ints[k] || !c->nulls[k])
            return SQLITE_NOMEM;
    }
    if (rs_block_ints(&c->b, k, c->ints[k], c->nulls[k]))
        return damaged(c);
    c->have[k] = 1;
    return SQLITE_OK;
}

static int vt_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i)
{
    struct vcur *c = (struct vcur *)cur;
    if (i == VT_ID) {
        sqlite3_result_int64(ctx, c->block_rowid * RS_BLOCK_ROWS + (int64_t)c->i);
        return SQLITE_OK;
    }
    if (i == VT_BATCH) {
        sqlite3_result_int64(ctx, c->batch);
        return SQLITE_OK;
    }
    size_t k = (size_t)(i - VT_FIRST);
    if (k >= c->vt->L.ncols)
        return SQLITE_ERROR;
    if (c->vt->L.cols[k].text) {
        if (!c->have[k]) {
            if (rs_text_open(&c->text[k], &c->b, k))
                return damaged(c);
            c->have[k] = 1;
        }
        const char *p = NULL;
        size_t n = 0;
        if (rs_text_get(&c->text[k], c->i, &p, &n))
            sqlite3_result_text(ctx, p, (int)n, SQLITE_TRANSIENT);
        else
            sqlite3_result_null(ctx);
        return SQLITE_OK;
    }
    int rc = ensure_ints(c, k);
    if (rc)
        return rc;
    if (c->nulls[k][c->i / 64] >> (c->i % 64) & 1)
        sqlite3_result_null(ctx);
    else
        sqlite3_result_int64(ctx, c->ints[k][c->i]);
    return SQLITE_OK;
}

static int vt_rowid(sqlite3_vtab_cursor *cur, sqlite_int64 *out)
{
    struct vcur *c = (struct vcur *)cur;
    *out = c->block_rowid * RS_BLOCK_ROWS + (int64_t)c->i;
    return SQLITE_OK;
}

static const sqlite3_module rows_module = {
    .iVersion = 0,
    .xCreate = vt_connect,
    .xConnect = vt_connect,
    .xBestIndex = vt_best_index,
    .xDisconnect = vt_disconnect,
    .xDestroy = vt_disconnect,
    .xOpen = vt_open,
    .xClose = vt_close,
    .xFilter = vt_filter,
    .xNext = vt_next,
    .xEof = vt_eof,
    .xColumn = vt_column,
    .xRowid = vt_rowid,
};

int rs_register(void *db)
{
    return sqlite3_create_module((sqlite3 *)db, "madi_rows", &rows_module, NULL) == SQLITE_OK
                   ? MADI_OK
                   : MADI_EDB;
}

/* ---- migration: the old wide table into blocks -------------------------------------------- */

int rs_adopt_wide(struct madi_store *s, const struct madi_kind *k, struct madi_err *err)
{
    struct rs_layout L;
    struct rs_writer w;
    struct madi_stmt *st = NULL;
    struct madi_buf b;
    rs_layout_init(&L, k);
    madi_buf_init(&b, 0);
    (void)madi_buf_adds(&b, "SELECT batch_id");
    for (size_t c = 0; c < L.ncols; c++)
        (void)madi_buf_addf(&b, ", %s", L.cols[c].name);
    (void)madi_buf_addf(&b, " FROM %s_v9 ORDER BY batch_id, id", k->table);
    int rc = madi_store_prepare(s, b.data, &st, err);
    int64_t batch = -1;
    int open = 0;
    while (!rc && (rc = madi_stmt_step(st, err)) == MADI_STMT_ROW) {
        rc = MADI_OK;
        int64_t bt = madi_stmt_int(st, 0);
        if (!open || bt != batch) {
            if (open) {
                rc = rs_writer_finish(&w, err);
                rs_writer_release(&w);
                open = 0;
            }
            if (!rc)
                rc = rs_writer_open(&w, s, &L, bt, err);
            if (rc)
                break;
            open = 1;
            batch = bt;
        }
        for (size_t c = 0; c < L.ncols; c++) {
            int col = (int)c + 1;
            if (madi_stmt_is_null(st, col))
                continue;
            if (L.cols[c].text) {
                const char *t = madi_stmt_text(st, col);
                rs_set_text(&w, c, t, strlen(t));
            } else {
                rs_set_int(&w, c, madi_stmt_int(st, col));
            }
        }
        rc = rs_end_row(&w, err);
    }
    if (rc == MADI_STMT_DONE)
        rc = MADI_OK;
    if (!rc && open)
        rc = rs_writer_finish(&w, err);
    if (open)
        rs_writer_release(&w);
    madi_stmt_finalize(st);
    if (!rc) {
        madi_buf_reset(&b);
        (void)madi_buf_addf(&b, "DROP TABLE %s_v9", k->table);
        rc = madi_store_exec(s, b.data, err);
    }
    madi_buf_release(&b);
    return rc;
}
