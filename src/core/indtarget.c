/*
 * indtarget.c: progress against national targets.
 *
 * The rule, stated once: a target has a value to reach by its year and, optionally, a baseline
 * in an earlier year. With a baseline, the expected value at the end of the period is on the
 * straight line from baseline to target; the indicator is "on track" when its value is on or
 * beyond that line in its good direction, "achieved" when it has reached the target, and "off
 * track" otherwise. Without a baseline only "achieved" or "off track" (not yet reached) can be
 * said. An indicator whose direction is neither higher nor lower is judged in the direction
 * the target takes from its baseline (higher without a baseline).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "madi/indicators.h"

#include "banned.h"
#include "xalloc.h"

/* `higher`: 1 higher is better, 0 lower, -1 neither (then the target says which way: above or
 * below its baseline; without a baseline, higher). */
static void judge(struct madi_target_progress *p, int higher, int period_year)
{
    double v = p->value, t = p->target;
    if (higher < 0)
        higher = !p->has_baseline || t >= p->baseline;
    int reached = higher ? v >= t : v <= t;
    if (reached) {
        p->state = MADI_TARGET_ACHIEVED;
        (void)snprintf(p->why, sizeof(p->why), "reached the target of %g", t);
        return;
    }
    if (!p->has_baseline || p->year <= p->baseline_year) {
        p->state = MADI_TARGET_OFF_TRACK;
        (void)snprintf(p->why, sizeof(p->why), "not yet reached; %s",
                       p->has_baseline ? "the baseline is not before the target year, so the "
                                         "pace cannot be judged"
                                       : "no baseline to judge the pace");
        return;
    }
    double frac = (double)(period_year - p->baseline_year) / (p->year - p->baseline_year);
    frac = frac < 0 ? 0 : frac > 1 ? 1 : frac;
    p->expected = p->baseline + (t - p->baseline) * frac;
    int ahead = higher ? v >= p->expected : v <= p->expected;
    p->state = ahead ? MADI_TARGET_ON_TRACK : MADI_TARGET_OFF_TRACK;
    (void)snprintf(p->why, sizeof(p->why),
                   "%s the straight line from %g in %d to %g in %d (%.1f expected by %d)",
                   ahead ? "on or beyond" : "behind", p->baseline, p->baseline_year, t, p->year,
                   p->expected, period_year);
}

/* The value of `def` for the subgroup ("all" or "dim=code"). 0 and *has when found. */
static int value_for(struct madi_store *s, const struct madi_ind_def *def,
                     const struct madi_ind_query *q, const char *subgroup, int *has, double *v,
                     char *why, size_t whysz, struct madi_err *err)
{
    struct madi_ind_query qq = *q;
    char dim[40] = "";
    const char *code = NULL;
    struct madi_ind_result *r = NULL;
    memset(qq.by, 0, sizeof(qq.by));
    *has = 0;
    if (strcmp(subgroup, "all") != 0) {
        const char *eq = strchr(subgroup, '=');
        if (!eq || eq == subgroup || (size_t)(eq - subgroup) >= sizeof(dim)) {
            (void)snprintf(why, whysz, "subgroup '%s' is not 'all' or dim=code", subgroup);
            return MADI_OK;
        }
        (void)snprintf(dim, sizeof(dim), "%.*s", (int)(eq - subgroup), subgroup);
        code = eq + 1;
        qq.by[0] = dim;
    }
    int rc = madi_ind_compute(s, def, &qq, &r, err);
    if (rc)
        return rc;
    const struct madi_ind_cell *cell = madi_ind_result_total(r);
    if (code) {
        cell = NULL;
        for (size_t i = 0; r->ndims == 1 && i + 1 < r->dims[0].ncats; i++)
            if (strcmp(r->dims[0].cats[i].code, code) == 0)
                cell = &r->cells[i];
        if (!cell && r->status != MADI_IND_NOT_BY)
            (void)snprintf(why, whysz, "'%s' is not a category of %s", code, dim);
    }
    if (r->status == MADI_IND_NOT_BY || r->status == MADI_IND_NO_DATA)
        (void)snprintf(why, whysz, "%.150s", r->why);
    else if (cell && cell->status == MADI_IND_OK) {
        *has = 1;
        *v = cell->value;
    } else if (cell)
        (void)snprintf(why, whysz, "%s", madi_ind_status_name(cell->status));
    madi_ind_result_free(r);
    return MADI_OK;
}

int madi_ind_targets(struct madi_store *s, const struct madi_ind_catalogue *c,
                     const struct madi_ind_query *q, struct madi_target_progress **out, size_t *n,
                     struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    struct madi_target_progress *v = NULL;
    size_t len = 0;
    int py = q->period.to / 10000;
    *out = NULL;
    *n = 0;
    int rc = madi_store_prepare(s,
                                "SELECT indicator, subgroup, year, target, baseline, "
                                "baseline_year FROM target WHERE year >= ? "
                                "ORDER BY indicator, subgroup, year",
                                &st, err);
    if (rc)
        return rc;
    madi_stmt_bind_int(st, 1, py);
    while ((rc = madi_stmt_step(st, err)) == MADI_STMT_ROW) {
        v = xrealloc(v, (len + 1) * sizeof(*v));
        struct madi_target_progress *p = &v[len++];
        memset(p, 0, sizeof(*p));
        (void)snprintf(p->indicator, sizeof(p->indicator), "%s", madi_stmt_text(st, 0));
        (void)snprintf(p->subgroup, sizeof(p->subgroup), "%s", madi_stmt_text(st, 1));
        p->year = (int)madi_stmt_int(st, 2);
        p->target = madi_stmt_double(st, 3);
        p->has_baseline = !madi_stmt_is_null(st, 4) && !madi_stmt_is_null(st, 5);
        p->baseline = madi_stmt_double(st, 4);
        p->baseline_year = (int)madi_stmt_int(st, 5);
    }
    madi_stmt_finalize(st);
    if (rc < 0)
        goto fail;
    rc = MADI_OK;
    for (size_t i = 0; i < len; i++) {
        struct madi_target_progress *p = &v[i];
        const struct madi_ind_def *def = madi_ind_catalogue_find(c, p->indicator);
        if (!def) {
            (void)snprintf(p->why, sizeof(p->why),
                           "no indicator '%s' in the catalogue (madi indicators --list)",
                           p->indicator);
            continue;
        }
        rc = value_for(s, def, q, p->subgroup, &p->has_value, &p->value, p->why, sizeof(p->why),
                       err);
        if (rc)
            goto fail;
        if (p->has_value)
            judge(p, def->higher_is_better, py);
    }
    *out = v;
    *n = len;
    return MADI_OK;
fail:
    free(v);
    return rc;
}

const char *madi_target_state_name(enum madi_target_state st)
{
    switch (st) {
    case MADI_TARGET_UNKNOWN:
        return "cannot say";
    case MADI_TARGET_ACHIEVED:
        return "achieved";
    case MADI_TARGET_ON_TRACK:
        return "on track";
    case MADI_TARGET_OFF_TRACK:
        return "off track";
    }
    return "?";
}
