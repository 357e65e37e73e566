/*
 * rowids.h: the unique text key of a kind stored in blocks (rowstore.h), checked in memory.
 * Private to src/core.
 *
 * A wide table had a UNIQUE index on record_id, a B-tree seek per insert. Blocks have none:
 * the importer keeps a set of 64-bit hashes of the keys instead, those already stored
 * (loaded from the blocks) and those of the file so far, each with a reference: the row's
 * place in the batch being imported, or ROWIDS_STORED. 12 bytes a slot, at most half full
 * (longer probes cost more than the memory): about 26 bytes per key held (260 MB for a file
 * of ten million). A hash match is confirmed against the text
 * where that is cheap (a key earlier in the same file, a skipped submission at the end); a repeated
 * key reported against an earlier batch is taken from the hash alone (ten million new ids against
 * ten million stored share a 64-bit hash by chance about once in 200,000 imports).
 */
#ifndef MADI_ROWIDS_H
#define MADI_ROWIDS_H

#include <stddef.h>
#include <stdint.h>

#include "madi/err.h"
#include "madi/store.h"

#include "rowstore.h"

#define ROWIDS_STORED 0xffffffffu

struct rowids {
    uint64_t *keys; /* hash; 0 = empty (a hash of 0 is stored as 1) */
    uint32_t *refs;
    size_t cap, len;
};

/** Room for `expect` keys before the table grows (by half) at half full. */
void rowids_init(struct rowids *x, size_t expect);
void rowids_release(struct rowids *x);
uint64_t rowids_hash(const char *p, size_t n);
/** Ask the CPU to fetch h's slot (a put follows soon). */
void rowids_prefetch(const struct rowids *x, uint64_t h);
/** Add (h, ref) if h is new: 0. If h is there: 1 and its reference in *old; nothing added. */
int rowids_put(struct rowids *x, uint64_t h, uint32_t ref, uint32_t *old);
/** Add every stored key of layout column `col` (the kinds' blocks, all batches). */
int rowids_load(struct rowids *x, struct madi_store *s, const struct rs_layout *L, size_t col,
                struct madi_err *err);

/** Call fn for every stored key of layout column `col`, with its batch and line. */
typedef void (*rowids_each_fn)(void *ctx, const char *p, size_t n, int64_t batch, int64_t line);
int rowids_each(struct madi_store *s, const struct rs_layout *L, size_t col, rowids_each_fn fn,
                void *ctx, struct madi_err *err);

/* Where stored keys are: hash -> batch and line, built in one pass when first needed. */
struct rowids_where {
    uint64_t *keys, *locs; /* loc: batch << 32 | line */
    size_t cap;
};
int rowids_where_build(struct rowids_where *w, struct madi_store *s, const struct rs_layout *L,
                       size_t col, struct madi_err *err);
/** 1 and the batch and line of the stored key with the hash of (p, n) (the earliest); 0 if
 * none. */
int rowids_where_find(const struct rowids_where *w, const char *p, size_t n, int64_t *batch,
                      int64_t *line);
void rowids_where_release(struct rowids_where *w);

#endif
