/*
 * repeat.h (private to libmadi): repeat groups of KoBoToolbox and ODK Central exports, joined back
 * to their parent submissions. A form with a repeat (one row per person attending a session, say)
 * is exported as a parent table and a child table; the records madi wants are the child rows,
 * completed with the columns of their parent. The tables are read whole into memory (exports
 * are submission-sized), joined, and handed to the CSV reader as one table.
 */
#ifndef MADI_REPEAT_H
#define MADI_REPEAT_H

#include <stddef.h>

#include "madi/err.h"
#include "madi/kind.h"

/**
 * If `path` is an export with repeat groups (an ODK Central CSV zip, or a KoBoToolbox .xlsx with
 * sheets that have _parent_index), choose the table that holds the records: a repeat joined to
 * its parents when `score` rates its header above the parent table's (more of the kind's columns
 * found), else, for an ODK zip, the parent table itself. Build it as CSV text: *csv and *name
 * (caller frees both; name is the table, e.g. "Form-participants.csv"). Returns 1 when built,
 * 0 when the file is not such an export (or, for KoBo, the first sheet is the table), or a
 * negative code with err filled. `score` returns -1 for a header that does not do, else the
 * number of columns found. Repeat rows whose parent is not in the export are left out of the
 * table and listed in *orphans (caller frees orphans->v).
 */
struct repeat_orphan {
    unsigned long line; /* in the repeat table */
    const char *keycol; /* the column that points to the parent: PARENT_KEY or _parent_index */
    char key[201];      /* the parent it points to (cut at 200 bytes) */
};
struct repeat_orphans {
    struct repeat_orphan *v;
    size_t n;
};

int repeat_join(const char *path, const char *want, int (*score)(void *ctx, char **hdr, size_t n),
                void *ctx, char **csv, size_t *len, char **name, struct repeat_orphans *orphans,
                struct madi_err *err);

/** 1 if `path` is an export with repeat groups (an ODK Central zip of CSV files, or a
 * KoBoToolbox workbook with a sheet that has _parent_index), else 0. */
int repeat_export(const char *path);

#endif
