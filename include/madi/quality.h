/*
 * quality.h: how far the stored data can be trusted, per operator and period.
 *
 * Findings are data: each names the operator, the kind, what was found and what to fix.
 *  - completeness: the reports a reporting plan expects (organisation, kind, year, frequency),
 *    and which of them came (a report "came" when at least one record is dated in its period);
 *  - consistency: rules generated from each kind's parts and totals (kind.h: struct madi_sum),
 *    never written per cell: totals whose parts were given but fall short of it, totals with no
 *    split at all, explicitly unknown parts;
 *  - zero versus not reported: how many rows report a count as 0 and how many leave it blank;
 *  - outliers: totals far from the operator's own typical value, by the modified z-score
 *    (median and median absolute deviation, Iglewicz and Hoaglin), with the numbers shown.
 * Not thread-safe (one store per thread).
 */
#ifndef MADI_QUALITY_H
#define MADI_QUALITY_H

#include <stddef.h>
#include <stdint.h>

#include "madi/err.h"
#include "madi/indicators.h"
#include "madi/store.h"

enum madi_qcheck { MADI_Q_COMPLETENESS, MADI_Q_CONSISTENCY, MADI_Q_ZERO_BLANK, MADI_Q_OUTLIER };
enum madi_qlevel { MADI_Q_INFO = 0, MADI_Q_WARNING = 1, MADI_Q_PROBLEM = 2 };

struct madi_qfinding {
    enum madi_qcheck check;
    enum madi_qlevel level;
    const char *org;    /* organisation code, "" when the finding is not an operator's */
    const char *kind;   /* kind name */
    const char *record; /* the record's id, or "" */
    const char *what;   /* what was found, with its numbers */
    const char *fix;    /* what to do about it */
};
typedef void (*madi_qfinding_fn)(void *ctx, const struct madi_qfinding *f);

/**
 * Every finding for `period` (and organisation code `org`, or all when NULL), passed to `cb`
 * check by check (completeness, then per kind: consistency, zero/blank, outliers), each in
 * operator order; front doors group them by operator. Errors are store failures and an
 * unknown organisation code (MADI_EINVAL).
 */
int madi_quality_check(struct madi_store *s, const struct madi_period *period, const char *org,
                       int32_t today, madi_qfinding_fn cb, void *ctx, struct madi_err *err);

/**
 * The reports due in `period` for report kind `kind` (its value in the report_kind code list;
 * 0 = every kind) and organisation row id `org_id` (0 = every organisation): *expected of
 * them, *missing did not come. A report is due when its period (the plan's year, quarter or
 * month) overlaps `period` and has ended by `period`'s last day and before `today` (yyyymmdd;
 * 0 = the clock). `cb`, when given, is told of
 * each missing one (org code, kind name, the report's period label).
 */
int madi_quality_reports_due(struct madi_store *s, const struct madi_period *period, int32_t today,
                             int64_t org_id, int kind, long *expected, long *missing,
                             void (*cb)(void *ctx, const char *org, const char *kind,
                                        const char *label),
                             void *ctx, struct madi_err *err);

/** Modified z-score of x against median `med` and median absolute deviation `mad`. */
double madi_quality_mz(double x, double med, double mad);

#endif
