/*
 * mapping.h (private to libmadi): matching an operator's columns to a kind's fields.
 */
#ifndef MADI_MAPPING_H
#define MADI_MAPPING_H

#include <stddef.h>

#include "madi/csv.h"
#include "madi/kind.h"
#include "madi/store.h"

struct mapping_alias {
    char *kind, *alias, *field;
};

/* The aliases stored in a database, loaded once per import. */
struct mapping {
    struct mapping_alias *aliases;
    size_t n;
};

/** Load the stored column aliases. Release with mapping_release. */
int mapping_load(struct madi_store *s, struct mapping *m, struct madi_err *err);
void mapping_release(struct mapping *m);

/** The field of `k` that a header cell (hxl = 0) or HXL tag (hxl = 1) names, or -1. */
int mapping_match(const struct mapping *m, const struct madi_kind *k, const char *cell, size_t n,
                  int hxl);

/**
 * 1 if the header names a column that KoBoToolbox or ODK Central add to every export
 * (_uuid, _submission_time, KEY, meta-instanceID, SubmissionDate, ReviewState, ...).
 */
int mapping_tool_column(const char *cell, size_t n);

/** 1 if the row is an HXL hashtag row: every non-empty cell starts with '#'. */
int mapping_is_hxl_row(const struct madi_csv_row *r);

#endif
