/*
 * sdc.h: statistical disclosure control for every table of one output, protected together.
 *
 * A report adds each of its count tables; cells that are the same quantity in two tables (the
 * "women" margin of a sex table and of a sex-by-age table) are one cell, so a value hidden in
 * one table is hidden in all and no table can give away what another hides.
 *
 *  - Primary suppression: a count with 0 < n < k is never published.
 *  - Secondary suppression: the additivity of each table (every total is the sum of its parts,
 *    along every dimension) is a system of linear equations in the hidden cells. A hidden cell
 *    is exactly recoverable when its unit vector lies in the row space of that system; this is
 *    decided by Gaussian elimination (reduced row echelon form), as the official-statistics
 *    tools' audit step does. While any hidden cell is recoverable, or any equation leaves its
 *    hidden cells summing to less than k (so an attacker would pin each of them into a narrow
 *    interval), or while linear programming over the equations and non-negativity holds any
 *    hidden cell in an interval narrower than k, one more cell is hidden: the smallest positive
 *    inner cell next to it, else the smallest positive total. The result is checked again after
 *    every addition.
 *
 * Tables that are not additive (distinct people) take part with primary suppression only.
 * Not thread-safe: one instance per output.
 */
#ifndef MADI_SDC_H
#define MADI_SDC_H

#include <stddef.h>

#include "madi/err.h"

#define MADI_SDC_K_DEFAULT 5
#define MADI_SDC_MAX_DIMS  4

enum madi_sdc_status {
    MADI_SDC_PUBLISHED = 0,
    MADI_SDC_PRIMARY = 1,  /* 0 < n < k */
    MADI_SDC_SECONDARY = 2 /* hidden so that a primary one cannot be worked out */
};

struct madi_sdc;

/** A new protection problem with threshold `k` (>= 1). Free with madi_sdc_free. */
struct madi_sdc *madi_sdc_new(long k);
void madi_sdc_free(struct madi_sdc *s);

/**
 * Add a table of `measure` (a name shared by every table that shows the same quantity, with
 * the same filters). Dimension `d` has `ncats[d]` categories whose codes are `codes[d][i]`; the
 * last is the total (_T) of the others. `values` are row-major (the last dimension varies
 * fastest). `additive`: totals are exact sums of their parts. Returns the table's number.
 */
size_t madi_sdc_add_table(struct madi_sdc *s, const char *measure, size_t ndims,
                          const char *const *dims, const size_t *ncats,
                          const char *const *const *codes, const double *values, int additive);

#define MADI_SDC_NONE ((size_t)-1)

/**
 * The cell of `measure` at `codes` (a code per dimension; "_T" for a total): an existing cell
 * of a table added before; else, with `create`, a new one holding `value`, and without it
 * MADI_SDC_NONE. Returns the cell's number, for madi_sdc_add_sum and madi_sdc_var_status. A
 * report uses it to tie a share it publishes to the table cells it is made of.
 */
size_t madi_sdc_cell(struct madi_sdc *s, const char *measure, size_t ndims, const char *const *dims,
                     const char *const *codes, double value, int create);

/** One more equation: cell `total` is the sum of the cells `parts` (n of them). */
void madi_sdc_add_sum(struct madi_sdc *s, size_t total, const size_t *parts, size_t n);

/** The value and the status (after madi_sdc_protect) of cell `var`. */
double madi_sdc_value(const struct madi_sdc *s, size_t var);
enum madi_sdc_status madi_sdc_var_status(const struct madi_sdc *s, size_t var);

/** Suppress: primary, then secondary until nothing hidden can be worked out. */
int madi_sdc_protect(struct madi_sdc *s, struct madi_err *err);

/** Status of cell `cell` (row-major index) of table `table`. */
enum madi_sdc_status madi_sdc_cell_status(const struct madi_sdc *s, size_t table, size_t cell);

/** How many distinct cells have `status`. */
size_t madi_sdc_count(const struct madi_sdc *s, enum madi_sdc_status status);

/**
 * For tests and audits: how many hidden cells can be worked out exactly from the published
 * cells and the tables' equations (0 after madi_sdc_protect).
 */
size_t madi_sdc_recoverable(struct madi_sdc *s);

/**
 * For tests and audits: how many hidden cells the equations and non-negativity hold in an
 * interval narrower than k (by linear programming; 0 after madi_sdc_protect).
 */
size_t madi_sdc_pinned(struct madi_sdc *s);

#endif
