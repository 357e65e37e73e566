/*
 * export.h: the records of a kind written back out as CSV in the kind's own columns and codes
 * (the same shape `madi template` gives), optionally with the HXL hashtag row, so that HDX-style
 * tools read them and madi imports them again unchanged. Only active batches are exported.
 */
#ifndef MADI_EXPORT_H
#define MADI_EXPORT_H

#include <stdio.h>

#include "madi/err.h"
#include "madi/kind.h"
#include "madi/store.h"

enum madi_export_flags {
    MADI_EXPORT_HXL = 1 << 0 /* add the HXL hashtag row under the header */
};

/** Write every active record of `k` to `out`; returns MADI_OK or MADI_EDB / MADI_EIO. */
int madi_export_kind(struct madi_store *s, const struct madi_kind *k, unsigned flags, FILE *out,
                     struct madi_err *err);
/**
 * The same, saying who exports. A survivors' kind (madi_kind_is_protected) is exported without
 * its personal columns (left blank), and only after an audit entry naming `actor` is committed,
 * so the store must be open for writing.
 */
int madi_export_kind_as(struct madi_store *s, const struct madi_kind *k, unsigned flags,
                        const char *actor, FILE *out, struct madi_err *err);

#endif
