/*
 * lp.h: bounds of one variable over { x : A x = b, x >= 0 }, by the simplex method (private to
 * the core; the disclosure control audit is its one user). Dense, double precision, Bland's
 * rule (no cycling); sized for a report's hidden cells (hundreds), not for general use.
 */
#ifndef MADI_LP_H
#define MADI_LP_H

#include <stddef.h>

struct lp;

/**
 * A feasible basis of A x = b, x >= 0 (A is m by n, row-major). Returns 0 and *out (free with
 * lp_free), or -1 when the system has no non-negative solution.
 */
int lp_new(const double *a, const double *b, size_t m, size_t n, struct lp **out);
void lp_free(struct lp *p);

/** The least (or, with maximise, the greatest) value of x[j]: 0, or 1 when it is unbounded. */
int lp_bound(const struct lp *p, size_t j, int maximise, double *out);

#endif
