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

/* A value a mapping profile translates: `from` (lower case) in column `field` becomes `to`. */
struct mapping_value {
    char *field, *from, *to;
};

/* The aliases stored in a database, and a mapping profile's columns and values. */
struct mapping {
    struct mapping_alias *aliases;
    size_t n;
    char *profile_kind;            /* the profile's "kind" line, or NULL */
    struct mapping_alias *columns; /* the profile's "column" lines (kind = profile_kind) */
    size_t ncolumns;
    struct mapping_value *values; /* the profile's "value" lines */
    size_t nvalues;
};

/**
 * Read a mapping profile (see docs/IMPORT.md) into m. Problems are MADI_EPARSE with
 * "FILE:LINE: what is wrong" in err.
 */
int mapping_profile_load(const char *path, struct mapping *m, struct madi_err *err);

/** What a profile turns `value` of column `field` into, or NULL. Case and spaces ignored. */
const char *mapping_value(const struct mapping *m, const char *field, const char *p, size_t n);

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

/* How the import reads a file's header, for `madi keys seal` (the same rules, so that every column
 * the import would take as personal is sealed). */
struct mapping_header {
    unsigned long line;     /* the header's line */
    unsigned long hxl_line; /* the HXL hashtag row right under it, or 0 */
    char delim;             /* the delimiter the header was found with */
    size_t ncols;
    int *colfield; /* column -> field of the kind, -1 = none; ncols entries, caller frees */
};

/**
 * Find and map the header of the CSV file `path` as `madi import --kind` does (names, aliases,
 * letter case and spacing, the HXL row, the search past title lines), with the column aliases of
 * `s` when it is not NULL. MADI_EPARSE when the file has no row or is not CSV.
 */
int mapping_header_read(struct madi_store *s, const char *path, const struct madi_kind *k,
                        struct mapping_header *h, struct madi_err *err);

#endif
