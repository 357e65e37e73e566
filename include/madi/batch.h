/*
 * batch.h: import batches, the provenance of every record (file, SHA-256, time, who).
 */
#ifndef MADI_BATCH_H
#define MADI_BATCH_H

#include <stdint.h>

#include "madi/err.h"
#include "madi/store.h"

/* One batch; strings borrowed for the duration of the callback. */
struct madi_batch_info {
    int64_t id;
    const char *kind;
    const char *file_name;
    const char *sha256;
    const char *imported_at;
    const char *imported_by;
    int64_t rows;
    int64_t warnings;
    const char *status;  /* "active" or "replaced" */
    int64_t replaced_by; /* 0 if none */
};

/** Call fn for every batch, oldest first. */
int madi_batch_foreach(struct madi_store *s, void (*fn)(void *ctx, const struct madi_batch_info *b),
                       void *ctx, struct madi_err *err);

#endif
