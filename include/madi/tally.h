/*
 * tally.h: risk education attendance tallied from the individual attendance lists, fast.
 *
 * Two tables, for any period and area:
 *  - counts: attendances by year, quarter, district (the area at level 2 that holds the
 *    record's area), activity (the session's delivery method), sex, canonical age band and
 *    disability;
 *  - people: distinct people (by person key) by year, province (the area at level 1) and sex.
 *    A person counts once in each cell they appear in; records without a person key are left
 *    out (they cannot be told apart).
 * Not recorded is its own category, written `_N` (a blank sex, age or disability, no activity,
 * or an area above the district or province level); an age band that spans several canonical
 * bands (0-17) is `_N` too at this granularity. `U` and `unknown` are answers, kept as such.
 *
 * They read the columns they need straight from the blocks the rows are stored in (schema
 * 010, eore_attendance_block), one sequential pass with hash tables, never SQL GROUP BY. Only
 * active batches count. Memory for counts grows with the number of
 * cells; the distinct-people set is sized once from the stored rows of the active batches
 * (12 bytes a slot: about 200 MB at 10M rows, whatever the period or area asked for), so it
 * rarely has to grow.
 *
 * Not thread-safe: one store per thread.
 */
#ifndef MADI_TALLY_H
#define MADI_TALLY_H

#include <stdint.h>
#include <stdio.h>

#include "madi/err.h"
#include "madi/store.h"

enum madi_tally_table {
    MADI_TALLY_COUNTS = 0, /* attendances by year, quarter, district, activity, sex, age, dis. */
    MADI_TALLY_PEOPLE = 1  /* distinct people by year, province, sex */
};

enum madi_tally_flags {
    MADI_TALLY_FROM_ROWS = 1 << 0 /* read the rows through SQL instead (for checks) */
};

struct madi_tally_query {
    int32_t from, to; /* yyyymmdd, both included; 0 = open */
    const char *area; /* area code: that area and everything inside it; or NULL for all */
    unsigned flags;
};

/**
 * Write the table `t` for query `q` to `out` as CSV with a header line (counts:
 * year,quarter,district,activity,sex,age_band,disability,attendances; people:
 * year,province,sex,people), one line per non-empty cell, ordered by year, quarter, area code
 * and the code lists' order. MADI_ENOTFOUND when q->area is not in the register, MADI_EDB or
 * MADI_EIO otherwise (err says how).
 */
int madi_tally_write(struct madi_store *s, enum madi_tally_table t,
                     const struct madi_tally_query *q, FILE *out, struct madi_err *err);

#endif
