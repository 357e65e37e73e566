/*
 * batch.c: reading the batch table. Batches are written by import.c inside the import's
 * transaction; here they are only listed.
 */
#include "madi/batch.h"

#include "banned.h"

int madi_batch_foreach(struct madi_store *s, void (*fn)(void *ctx, const struct madi_batch_info *b),
                       void *ctx, struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    int rc = madi_store_prepare(s,
                                "SELECT id, kind, file_name, sha256, imported_at, imported_by, "
                                "row_count, warning_count, status, replaced_by FROM batch "
                                "ORDER BY id",
                                &st, err);
    if (rc)
        return rc;
    while ((rc = madi_stmt_step(st, err)) == MADI_STMT_ROW) {
        struct madi_batch_info b = {
            madi_stmt_int(st, 0),  madi_stmt_text(st, 1), madi_stmt_text(st, 2),
            madi_stmt_text(st, 3), madi_stmt_text(st, 4), madi_stmt_text(st, 5),
            madi_stmt_int(st, 6),  madi_stmt_int(st, 7),  madi_stmt_text(st, 8),
            madi_stmt_int(st, 9),
        };
        fn(ctx, &b);
    }
    madi_stmt_finalize(st);
    return rc < 0 ? rc : MADI_OK;
}
