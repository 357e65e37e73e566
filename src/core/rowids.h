/*
 * rowids.h: the unique text key of a kind stored in blocks (rowstore.h), checked in memory.
 * Private to src/core.
 *
 * A wide table had a UNIQUE index on record_id, a B-tree seek per insert. Blocks have none,
 * so the importer checks the ids itself, in one of two ways:
 *  - in bounded memory (rowids_spill, below), for most files: every id's 64-bit hash, with
 *    where it is, goes to sorted runs in a temporary file, and the runs (the stored ids' too)
 *    are merged once the last row is read; repeats are reported then, in line order. A repeat
 *    is decided on the 64-bit hash (ten million new ids against ten million stored share one
 *    by chance about once in 200,000 imports).
 *  - in memory (struct rowids), for exports that carry submission uuids, where records of an
 *    earlier export come back and must be skipped at their row: a set of the hashes with a
 *    reference each (the row's place in the batch, or ROWIDS_STORED), 12-byte slots at most
 *    half full. A candidate of this file is confirmed against the row's text; a skipped
 *    submission against the stored text at the end of the import.
 */
#ifndef MADI_ROWIDS_H
#define MADI_ROWIDS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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

/*
 * The same check in bounded memory, for files whose ids are not expected to repeat: each
 * (hash, a, b) is added to a buffer that is sorted and written to a temporary file as a run
 * when full (256k entries), and at the end the runs are merged and every hash that came more
 * than once is handed over as a group, its entries in the order they were added. Memory stays
 * about 10 MB whatever the file's size; the file takes 16 bytes a row. Repeats are found after
 * the last row, not at the row.
 */
struct rowids_ent {
    uint64_t h;
    uint32_t a, b; /* the caller's: what the entry is and where */
};

struct rowids_spill {
    struct rowids_ent *buf, *tmp;
    size_t n;
    FILE *f; /* the runs, one after another */
    uint64_t written;
    uint64_t *runoff;
    size_t *runlen;
    size_t nruns, capruns;
};

void rowids_spill_init(struct rowids_spill *sp);
int rowids_spill_add(struct rowids_spill *sp, uint64_t h, uint32_t a, uint32_t b,
                     struct madi_err *err);
/** Called for each hash added more than once: its first n entries (n >= 2, at most 65536), in
 * the order they were added, and how many more there were. Nonzero stops (a negative MADI_E*
 * code is returned). */
typedef int (*rowids_group_fn)(void *ctx, const struct rowids_ent *e, size_t n, size_t more);
int rowids_spill_groups(struct rowids_spill *sp, rowids_group_fn fn, void *ctx,
                        struct madi_err *err);
void rowids_spill_release(struct rowids_spill *sp);

#endif
