/*
 * rowstore.h: individual rows stored column by column in compressed blocks, with a SQL face.
 * Private to src/core.
 *
 * A kind flagged MADI_KIND_BLOCKS (eore-attendance: the one that grows to tens of millions of
 * rows) keeps its rows in `<table>_block` (schema 010): one row per block of up to
 * RS_BLOCK_ROWS records of one batch, each column encoded on its own (a constant, runs, an
 * arithmetic sequence, or values packed in 1, 2, 4 or 8 bytes from a base; text as a
 * prefix and a number, runs, or raw), with a null bitmap when the column has blanks. The
 * blocks are the store of record: the import writes them and nothing else. `<table>` itself is
 * a read-only virtual table (module "madi_rows") over the blocks, with the columns the wide
 * table had (id, batch_id, line and the kind's fields), so SQL readers (indicators, quality,
 * export, summary) read them as before; a row's id is its block's rowid times 65536 plus its
 * place in the block. Writes go through rs_writer and rs_delete_batch, never SQL.
 *
 * Column c of a layout: 0 is `line`; then the kind's fields in order, an age band giving two
 * (`_lo`, `_hi`) and a reference one (`_id`). Ids and text are text; everything else is an
 * integer. Not thread-safe: one store per thread.
 */
#ifndef MADI_ROWSTORE_H
#define MADI_ROWSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "madi/err.h"
#include "madi/kind.h"
#include "madi/store.h"

#define RS_BLOCK_ROWS 65536
#define RS_FORMAT     1
#define RS_MAX_COLS   64

struct rs_col {
    char name[64];
    int text;  /* 1: text; 0: integer */
    int field; /* index of the kind's field, or -1 for line */
};

struct rs_layout {
    const struct madi_kind *kind;
    size_t ncols;
    struct rs_col cols[RS_MAX_COLS];
    char block_table[80]; /* "<table>_block" */
};

/** The layout of kind `k` (which must be MADI_KIND_BLOCKS-able: no decimal or personal field). */
void rs_layout_init(struct rs_layout *L, const struct madi_kind *k);
/** The column called `name`, or -1. */
int rs_layout_col(const struct rs_layout *L, const char *name);

/* A block as stored: rs_block_open checks the header and column directory. */
struct rs_block {
    const unsigned char *p;
    size_t len;
    size_t nrows, ncols;
};

/* Text column, decoded for random access. */
struct rs_text {
    size_t nrows;
    int enc;
    uint64_t *nulls;     /* owned, or NULL: none blank */
    uint32_t *off, *len; /* owned: each row's text in heap */
    const unsigned char *heap;
    const char *prefix; /* number: prefix and value */
    size_t prefixlen;
    int64_t *nums; /* owned */
    char buf[96];
};

/* ---- writing ------------------------------------------------------------------------------ */

/* One batch's rows, buffered a block at a time and written in the caller's transaction. */
struct rs_writer {
    struct madi_store *s;
    const struct rs_layout *L;
    struct madi_stmt *ins;
    int64_t batch, seq;
    size_t n;                     /* rows in the buffer */
    int64_t *vals[RS_MAX_COLS];   /* integers; text: offset into heap */
    uint32_t *lens[RS_MAX_COLS];  /* text lengths */
    uint64_t *nulls[RS_MAX_COLS]; /* bit i: row i blank */
    char *heap;                   /* text of the buffered rows */
    size_t heaplen, heapcap;
    unsigned char *out, *tmp; /* the encoded block; one column's encoding */
    size_t outcap, tmpcap;
    uint64_t rows; /* written so far, buffer included */
    /* rs_writer_get's copies of written blocks, decoded one column each (two, in turn). */
    struct rs_cached {
        int64_t seq;
        size_t col;
        int ok;
        unsigned char *blob;
        struct rs_block b;
        int64_t *ints;
        uint64_t *nulls;
        struct rs_text text;
        int has_text;
    } cache[2];
    unsigned cache_next;
};

int rs_writer_open(struct rs_writer *w, struct madi_store *s, const struct rs_layout *L,
                   int64_t batch, struct madi_err *err);
/* The cells of the row being added (row w->n); a cell not set is blank (rs_set_null only
 * blanks a cell set before). */
static inline void rs_set_int(struct rs_writer *w, size_t col, int64_t v)
{
    w->vals[col][w->n] = v;
    w->nulls[col][w->n / 64] &= ~(1ULL << (w->n % 64));
}
void rs_set_text(struct rs_writer *w, size_t col, const char *p, size_t n);
static inline void rs_set_null(struct rs_writer *w, size_t col)
{
    w->nulls[col][w->n / 64] |= 1ULL << (w->n % 64);
}
/** Finish the row; writes the block when it is full. */
int rs_end_row(struct rs_writer *w, struct madi_err *err);
/** Cell `col` of row `idx` of this writer (0 = its first row): an integer into *v, or text
 * copied into buf (cut to bufsz - 1, NUL-terminated; its whole length in *n). 1, 0 for a
 * blank, <0 on failure. Reads a written block back when the row is no longer buffered (and
 * keeps the last two columns read so, so that rows asked in order cost one read a block). */
int rs_writer_get(struct rs_writer *w, uint64_t idx, size_t col, int64_t *v, char *buf,
                  size_t bufsz, size_t *n, struct madi_err *err);
/** Write the last, partial block. */
int rs_writer_finish(struct rs_writer *w, struct madi_err *err);
void rs_writer_release(struct rs_writer *w);

/** Delete every block of `batch`. */
int rs_delete_batch(struct madi_store *s, const struct rs_layout *L, int64_t batch,
                    struct madi_err *err);

/* ---- reading ------------------------------------------------------------------------------ */

struct madi_u64map;
/** Whether any stored row (any batch) has in integer column `col` one of the keys of `ids`:
 * *found 1 or 0. For the references the blocks cannot hold as foreign keys. */
int rs_refers(struct madi_store *s, const struct rs_layout *L, size_t col,
              const struct madi_u64map *ids, int *found, struct madi_err *err);

int rs_block_open(struct rs_block *b, const void *p, size_t len, const struct rs_layout *L);

/** Called by rs_each_block for each block: 0 to go on, 1 to stop, or a negative MADI_E* code
 * (stops, and is returned). The block is valid only during the call. */
typedef int (*rs_block_fn)(void *ctx, int64_t batch, const struct rs_block *b);
/**
 * Every stored block of L, in batch and block order, that `where` selects (SQL over the block
 * table's columns, e.g. "batch_id = ?1 AND seq = ?2", with `args` bound to ?1, ?2...; NULL for
 * all): fn for each. A block that does not open is MADI_EDB (err says so).
 */
int rs_each_block(struct madi_store *s, const struct rs_layout *L, const char *where,
                  const int64_t *args, int nargs, rs_block_fn fn, void *ctx, struct madi_err *err);

/** Decode integer column `col` into out[0..nrows) (blank: 0) and, if nulls is not NULL, its
 * null bitmap (bit i set: row i blank; nrows/64 words rounded up). A blank row's value is
 * unspecified (check the bitmap). -1 when damaged. */
int rs_block_ints(const struct rs_block *b, size_t col, int64_t *out, uint64_t *nulls);
/** -1 when damaged. */
int rs_text_open(struct rs_text *t, const struct rs_block *b, size_t col);
/** Row i's text: 1 and (*p, *n), valid until the next call or close; 0 for a blank. */
int rs_text_get(struct rs_text *t, size_t i, const char **p, size_t *n);
void rs_text_close(struct rs_text *t);

/* ---- the SQL face and migration ----------------------------------------------------------- */

/** Register module "madi_rows" on the store's connection (store.c, at open). */
int rs_register(void *sqlite_db);

/** After migration 010: move the rows of `<table>_v9` (the old wide table) into blocks, then
 * drop it. In the caller's transaction. */
int rs_adopt_wide(struct madi_store *s, const struct madi_kind *k, struct madi_err *err);

#endif
