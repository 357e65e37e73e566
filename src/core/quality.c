/*
 * quality.c: data-quality findings per operator: completeness against reporting plans,
 * consistency rules generated from the kinds' partitions, zero versus not reported, and
 * outliers by the modified z-score. Nothing here is written per cell or per kind by hand: the
 * rules come from kind.h (struct madi_sum) and the period rules from the indicator sources.
 */
#include "madi/quality.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "madi/dim.h"
#include "madi/kind.h"

#include "banned.h"
#include "buf.h"
#include "hashmap.h"
#include "ind_int.h"
#include "store_int.h"
#include "xalloc.h"

#define MZ_LIMIT     3.5 /* Iglewicz and Hoaglin's cut-off */
#define MAX_OUTLIERS 5   /* listed per operator and kind; the rest are counted */

static const char *const report_kinds[] = { NULL,           "eore",         "eore-attendance",
                                            "land-release", "consultation", "workforce",
                                            "training" };

/* Expand %F %T %Y of a period rule into `b`, with the values in binds (in order). */
static void expand(struct madi_buf *b, const char *tmpl, int32_t from, int32_t to, int64_t *binds,
                   int *nb)
{
    for (const char *p = tmpl; *p; p++) {
        if (*p == '%' && (p[1] == 'F' || p[1] == 'T' || p[1] == 'Y')) {
            p++;
            binds[(*nb)++] = *p == 'F' ? from : *p == 'T' ? to : to / 10000;
            (void)madi_buf_addc(b, '?');
        } else {
            (void)madi_buf_addc(b, *p);
        }
    }
}

static int prepare_binds(struct madi_store *s, const char *sql, const int64_t *binds, int nb,
                         struct madi_stmt **st, struct madi_err *err)
{
    int rc = madi_store_prepare(s, sql, st, err);
    for (int i = 0; !rc && i < nb; i++)
        madi_stmt_bind_int(*st, i + 1, binds[i]);
    return rc;
}

static int report_came(struct madi_store *s, const struct src *src, int64_t org, int32_t from,
                       int32_t to, int *came, struct madi_err *err)
{
    struct madi_buf b = MADI_BUF_INIT;
    struct madi_stmt *st = NULL;
    int64_t binds[8];
    int nb = 0;
    const struct src_time *rule = &src->times[0];
    for (const struct src_time *tm = src->times; tm->name; tm++)
        if (strcmp(tm->name, "reported") == 0)
            rule = tm; /* what counts as having reported, when it differs from the default */
    (void)madi_buf_addf(&b, "SELECT 1 FROM %s t WHERE t.organisation_id = ? AND (",
                        ind_src_kind(src)->table);
    binds[nb++] = org;
    expand(&b, rule->where, from, to, binds, &nb);
    (void)madi_buf_adds(&b, ") LIMIT 1");
    /* The same question comes once per indicator of a report: kept in the store's memo. */
    struct madi_strmap *memo = store_memo(s);
    char key[96];
    int kn = snprintf(key, sizeof(key), "came|%s|%lld|%d|%d", ind_src_kind(src)->table,
                      (long long)org, (int)from, (int)to);
    int64_t kept = 0;
    if (memo && madi_strmap_get(memo, key, (size_t)kn, &kept)) {
        *came = (int)kept;
        madi_buf_release(&b);
        return MADI_OK;
    }
    int rc = prepare_binds(s, b.data, binds, nb, &st, err);
    if (!rc) {
        rc = madi_stmt_step(st, err);
        *came = rc == MADI_STMT_ROW;
    }
    madi_stmt_finalize(st);
    madi_buf_release(&b);
    if (rc >= 0 && memo)
        madi_strmap_put(memo, key, (size_t)kn, *came);
    return rc < 0 ? rc : MADI_OK;
}

int madi_quality_reports_due(struct madi_store *s, const struct madi_period *period, int32_t today,
                             int64_t org_id, int kind, long *expected, long *missing,
                             void (*cb)(void *ctx, const char *org, const char *kind,
                                        const char *label),
                             void *ctx, struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    *expected = *missing = 0;
    if (!today)
        today = madi_today();
    int rc = madi_store_prepare(s,
                                "SELECT p.organisation_id, o.code, p.kind, p.year, p.frequency "
                                "FROM reporting_plan p JOIN organisation o ON o.id = "
                                "p.organisation_id WHERE p.year BETWEEN ? AND ? AND (? = 0 OR "
                                "p.kind = ?) AND (? = 0 OR p.organisation_id = ?) "
                                "ORDER BY o.code, p.kind, p.year",
                                &st, err);
    if (rc)
        return rc;
    madi_stmt_bind_int(st, 1, period->from / 10000);
    madi_stmt_bind_int(st, 2, period->to / 10000);
    madi_stmt_bind_int(st, 3, kind);
    madi_stmt_bind_int(st, 4, kind);
    madi_stmt_bind_int(st, 5, org_id);
    madi_stmt_bind_int(st, 6, org_id);
    while ((rc = madi_stmt_step(st, err)) == MADI_STMT_ROW) {
        int64_t org = madi_stmt_int(st, 0);
        int k = (int)madi_stmt_int(st, 2), y = (int)madi_stmt_int(st, 3);
        int freq = (int)madi_stmt_int(st, 4);
        if (k < 1 || k > 6 || (freq != 1 && freq != 4 && freq != 12))
            continue;
        const struct src *src = ind_src_find(report_kinds[k]);
        char org_code[80];
        (void)snprintf(org_code, sizeof(org_code), "%s", madi_stmt_text(st, 1));
        int months = 12 / freq;
        for (int i = 0; i < freq; i++) {
            struct madi_period sub;
            char lab[32];
            if (freq == 1)
                (void)snprintf(lab, sizeof(lab), "%d", y);
            else if (freq == 4)
                (void)snprintf(lab, sizeof(lab), "%d-Q%d", y, i + 1);
            else
                (void)snprintf(lab, sizeof(lab), "%d-%02d", y, i + 1);
            (void)madi_period_parse(lab, &sub, NULL);
            (void)months;
            if (sub.to < period->from || sub.from > period->to || sub.to > period->to ||
                sub.to >= today)
                continue; /* not in the period, or not due yet */
            int came = 0;
            rc = report_came(s, src, org, sub.from, sub.to, &came, err);
            if (rc)
                goto done;
            (*expected)++;
            if (!came) {
                (*missing)++;
                if (cb)
                    cb(ctx, org_code, report_kinds[k], sub.label);
            }
        }
    }
done:
    madi_stmt_finalize(st);
    return rc < 0 ? rc : MADI_OK;
}

double madi_quality_mz(double x, double med, double mad)
{
    return mad > 0 ? 0.6745 * (x - med) / mad : 0;
}

/* ---- the checks --------------------------------------------------------------------------- */

struct qctx {
    struct madi_store *s;
    const struct madi_period *period;
    const char *org;
    madi_qfinding_fn cb;
    void *ctx;
    struct madi_err *err;
};

static void say(struct qctx *q, enum madi_qcheck check, enum madi_qlevel level, const char *org,
                const char *kind, const char *record, const char *what, const char *fix)
{
    struct madi_qfinding f = { check, level, org, kind, record ? record : "", what, fix };
    q->cb(q->ctx, &f);
}

struct missing_ctx {
    struct qctx *q;
};

static void on_missing(void *ctx, const char *org, const char *kind, const char *label)
{
    struct qctx *q = ctx;
    char what[200], fix[200];
    (void)snprintf(what, sizeof(what),
                   "the %s report for %s has not come (no record in its period)", kind, label);
    (void)snprintf(fix, sizeof(fix),
                   "ask %s for its %s report for %s, or correct the reporting plan if none is "
                   "due",
                   org, kind, label);
    say(q, MADI_Q_COMPLETENESS, MADI_Q_PROBLEM, org, kind, label, what, fix);
}

static int org_id_of(struct qctx *q, int64_t *id)
{
    *id = 0;
    if (!q->org)
        return MADI_OK;
    struct madi_stmt *st = NULL;
    int rc = madi_store_prepare(q->s, "SELECT id FROM organisation WHERE code = ?", &st, q->err);
    if (rc)
        return rc;
    madi_stmt_bind_text(st, 1, q->org, strlen(q->org));
    rc = madi_stmt_step(st, q->err);
    if (rc == MADI_STMT_ROW)
        *id = madi_stmt_int(st, 0);
    madi_stmt_finalize(st);
    if (rc == MADI_STMT_DONE)
        return madi_err_set(q->err, MADI_EINVAL, "no organisation has the code '%s'", q->org);
    return rc < 0 ? rc : MADI_OK;
}

static void parts_sum_sql(struct madi_buf *b, const struct madi_sum *sm, const char *agg)
{
    (void)madi_buf_adds(b, agg);
    for (int i = 0; sm->parts[i]; i++)
        (void)madi_buf_addf(b, "%scoalesce(t.%s, 0)", i ? " + " : "", sm->parts[i]);
    (void)madi_buf_adds(b, ")");
}

static void all_null_sql(struct madi_buf *b, const struct madi_sum *sm)
{
    for (int i = 0; sm->parts[i]; i++)
        (void)madi_buf_addf(b, "%st.%s IS NULL", i ? " AND " : "", sm->parts[i]);
}

/* " AND" one operator, when the check is for one. */
static void org_filter(struct madi_buf *b, int64_t org_id, int64_t *binds, int *nb)
{
    if (!org_id)
        return;
    (void)madi_buf_adds(b, " AND t.organisation_id = ?");
    binds[(*nb)++] = org_id;
}

/* Consistency of one partition of one kind, per operator: unsplit totals and short splits. */
static int check_sum(struct qctx *q, const struct madi_kind *k, const struct src *src,
                     const struct madi_sum *sm, int64_t org_id)
{
    struct madi_buf b = MADI_BUF_INIT;
    struct madi_stmt *st = NULL;
    int64_t binds[8];
    int nb = 0;
    (void)madi_buf_addf(&b, "SELECT o.code, count(*), sum(CASE WHEN t.%s > 0 AND ", sm->total);
    all_null_sql(&b, sm);
    (void)madi_buf_addf(&b, " THEN 1 ELSE 0 END), sum(CASE WHEN t.%s > 0 AND ", sm->total);
    all_null_sql(&b, sm);
    (void)madi_buf_addf(&b, " THEN t.%s ELSE 0 END), sum(CASE WHEN NOT (", sm->total);
    all_null_sql(&b, sm);
    (void)madi_buf_adds(&b, ") AND ");
    parts_sum_sql(&b, sm, "(");
    (void)madi_buf_addf(&b, " < t.%s THEN 1 ELSE 0 END), sum(CASE WHEN NOT (", sm->total);
    all_null_sql(&b, sm);
    (void)madi_buf_addf(&b, ") THEN t.%s - ", sm->total);
    parts_sum_sql(&b, sm, "(");
    (void)madi_buf_addf(&b,
                        " ELSE 0 END), sum(t.%s) FROM %s t JOIN organisation o ON o.id = "
                        "t.organisation_id WHERE (",
                        sm->total, k->table);
    expand(&b, src->times[0].where, q->period->from, q->period->to, binds, &nb);
    (void)madi_buf_addf(&b, ") AND t.%s IS NOT NULL", sm->total);
    org_filter(&b, org_id, binds, &nb);
    (void)madi_buf_adds(&b, " GROUP BY o.code ORDER BY o.code");
    int rc = prepare_binds(q->s, b.data, binds, nb, &st, q->err);
    while (rc >= 0 && (rc = madi_stmt_step(st, q->err)) == MADI_STMT_ROW) {
        const char *org = madi_stmt_text(st, 0);
        long long rows = madi_stmt_int(st, 1), unsplit = madi_stmt_int(st, 2);
        long long unsplit_people = madi_stmt_int(st, 3), short_rows = madi_stmt_int(st, 4);
        long long short_people = madi_stmt_int(st, 5), total = madi_stmt_int(st, 6);
        char what[300], fix[300];
        if (unsplit) {
            (void)snprintf(what, sizeof(what),
                           "%lld of %lld %s give %s with no split by %s (%lld of %lld not "
                           "disaggregated)",
                           unsplit, rows, src->what, sm->total, sm->what, unsplit_people, total);
            (void)snprintf(fix, sizeof(fix),
                           "report the parts (%s%s%s...) for every record; write the unknown "
                           "part when people were not counted by %s",
                           sm->parts[0], sm->parts[1] ? ", " : "", sm->parts[1] ? sm->parts[1] : "",
                           sm->what);
            say(q, MADI_Q_CONSISTENCY, unsplit * 10 > rows ? MADI_Q_PROBLEM : MADI_Q_WARNING, org,
                k->name, NULL, what, fix);
        }
        if (short_rows && sm->exhaustive) {
            (void)snprintf(what, sizeof(what),
                           "%lld of %lld %s split %s by %s only in part: %lld not accounted "
                           "for by any part",
                           short_rows, rows, src->what, sm->total, sm->what, short_people);
            (void)snprintf(fix, sizeof(fix),
                           "give every part, with 0 where there were none, and the unknown part "
                           "for people not counted by %s",
                           sm->what);
            say(q, MADI_Q_CONSISTENCY, MADI_Q_WARNING, org, k->name, NULL, what, fix);
        }
    }
    madi_stmt_finalize(st);
    madi_buf_release(&b);
    return rc < 0 ? rc : MADI_OK;
}

/* Zero against not reported, for the parts of a partition, per operator: one finding that
 * names each part left blank in some records and given (as 0 or more) in others. */
static int check_zero_blank(struct qctx *q, const struct madi_kind *k, const struct src *src,
                            const struct madi_sum *sm, int64_t org_id)
{
    struct madi_buf b = MADI_BUF_INIT;
    struct madi_stmt *st = NULL;
    int64_t binds[8];
    int nb = 0, nparts = 0;
    (void)madi_buf_adds(&b, "SELECT o.code, count(*)");
    for (; sm->parts[nparts]; nparts++)
        (void)madi_buf_addf(&b,
                            ", sum(CASE WHEN t.%s = 0 THEN 1 ELSE 0 END), "
                            "sum(CASE WHEN t.%s IS NULL THEN 1 ELSE 0 END)",
                            sm->parts[nparts], sm->parts[nparts]);
    (void)madi_buf_addf(&b, " FROM %s t JOIN organisation o ON o.id = t.organisation_id WHERE (",
                        k->table);
    expand(&b, src->times[0].where, q->period->from, q->period->to, binds, &nb);
    (void)madi_buf_addf(&b, ") AND NOT (");
    all_null_sql(&b, sm); /* wholly unsplit records are the consistency finding */
    (void)madi_buf_adds(&b, ")");
    org_filter(&b, org_id, binds, &nb);
    (void)madi_buf_adds(&b, " GROUP BY o.code ORDER BY o.code");
    int rc = prepare_binds(q->s, b.data, binds, nb, &st, q->err);
    while (rc >= 0 && (rc = madi_stmt_step(st, q->err)) == MADI_STMT_ROW) {
        long long rows = madi_stmt_int(st, 1);
        struct madi_buf w = MADI_BUF_INIT;
        for (int i = 0; i < nparts; i++) {
            long long zero = madi_stmt_int(st, 2 + 2 * i), blank = madi_stmt_int(st, 3 + 2 * i);
            if (blank && blank < rows)
                (void)madi_buf_addf(&w, "%s%s blank in %lld (0 in %lld)", w.len ? "; " : "",
                                    sm->parts[i], blank, zero);
        }
        if (w.len) {
            char what[600];
            (void)snprintf(what, sizeof(what), "of %lld %s split by %s: %s", rows, src->what,
                           sm->what, w.data);
            say(q, MADI_Q_ZERO_BLANK, MADI_Q_INFO, madi_stmt_text(st, 0), k->name, NULL, what,
                "write 0 where there were none and leave a cell blank only when it was not "
                "counted: a blank is shown as not reported, never as 0");
        }
        madi_buf_release(&w);
    }
    madi_stmt_finalize(st);
    madi_buf_release(&b);
    return rc < 0 ? rc : MADI_OK;
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof(*v), cmp_dbl);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct obs {
    char id[72];
    double x;
};

static void outliers_of(struct qctx *q, const struct madi_kind *k, const struct src *src,
                        const char *total, const char *org, struct obs *o, size_t n)
{
    if (n < 8)
        return; /* too few to tell what is typical */
    double *v = xmalloc(n * sizeof(*v));
    for (size_t i = 0; i < n; i++)
        v[i] = o[i].x;
    double med = median(v, n);
    for (size_t i = 0; i < n; i++)
        v[i] = fabs(o[i].x - med);
    double mad = median(v, n);
    free(v);
    if (mad <= 0)
        return;
    size_t listed = 0, more = 0;
    for (size_t i = 0; i < n; i++) {
        double mz = madi_quality_mz(o[i].x, med, mad);
        if (fabs(mz) <= MZ_LIMIT)
            continue;
        if (listed == MAX_OUTLIERS) {
            more++;
            continue;
        }
        listed++;
        char what[300], fix[200];
        (void)snprintf(what, sizeof(what),
                       "%s %.0f is far from %s's usual %.0f (median of %zu %s; median absolute "
                       "deviation %.1f): modified z-score %.1f, beyond %.1f",
                       total, o[i].x, org, med, n, src->what, mad, mz, MZ_LIMIT);
        (void)snprintf(fix, sizeof(fix),
                       "check record %s against the source form: a typing error, two sessions "
                       "in one row, or a real exception to note",
                       o[i].id);
        say(q, MADI_Q_OUTLIER, MADI_Q_WARNING, org, k->name, o[i].id, what, fix);
    }
    if (more) {
        char what[200];
        (void)snprintf(what, sizeof(what), "%zu more %s with an outlying %s", more, src->what,
                       total);
        say(q, MADI_Q_OUTLIER, MADI_Q_WARNING, org, k->name, NULL, what,
            "check the largest first; once corrected and imported again, madi quality lists "
            "the rest");
    }
}

/* Outlying totals per operator, by the modified z-score of each record's total. */
static int check_outliers(struct qctx *q, const struct madi_kind *k, const struct src *src,
                          const char *total, int64_t org_id)
{
    struct madi_buf b = MADI_BUF_INIT;
    struct madi_stmt *st = NULL;
    int64_t binds[8];
    int nb = 0;
    const char *key = NULL;
    for (size_t i = 0; i < k->nfields; i++)
        if (k->fields[i].flags & MADI_FLD_KEY)
            key = k->fields[i].name;
    (void)madi_buf_addf(&b,
                        "SELECT o.code, t.%s, t.%s FROM %s t JOIN organisation o ON o.id = "
                        "t.organisation_id WHERE (",
                        key ? key : "id", total, k->table);
    expand(&b, src->times[0].where, q->period->from, q->period->to, binds, &nb);
    (void)madi_buf_addf(&b, ") AND t.%s IS NOT NULL", total);
    org_filter(&b, org_id, binds, &nb);
    (void)madi_buf_adds(&b, " ORDER BY o.code, t.id");
    int rc = prepare_binds(q->s, b.data, binds, nb, &st, q->err);
    struct obs *o = NULL;
    size_t n = 0, cap = 0;
    char org[80] = "";
    while (rc >= 0 && (rc = madi_stmt_step(st, q->err)) == MADI_STMT_ROW) {
        const char *code = madi_stmt_text(st, 0);
        if (strcmp(code, org) != 0) {
            outliers_of(q, k, src, total, org, o, n);
            n = 0;
            (void)snprintf(org, sizeof(org), "%s", code);
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            o = xrealloc(o, cap * sizeof(*o));
        }
        (void)snprintf(o[n].id, sizeof(o[n].id), "%s", madi_stmt_text(st, 1));
        o[n++].x = madi_stmt_double(st, 2);
    }
    if (rc == MADI_STMT_DONE)
        outliers_of(q, k, src, total, org, o, n);
    free(o);
    madi_stmt_finalize(st);
    madi_buf_release(&b);
    return rc < 0 ? rc : MADI_OK;
}

int madi_quality_check(struct madi_store *s, const struct madi_period *period, const char *org,
                       int32_t today, madi_qfinding_fn cb, void *ctx, struct madi_err *err)
{
    struct qctx q = { s, period, org, cb, ctx, err };
    int64_t org_id = 0;
    long expected = 0, missing = 0;
    int rc = org_id_of(&q, &org_id);
    if (!rc)
        rc = madi_quality_reports_due(s, period, today, org_id, 0, &expected, &missing, on_missing,
                                      &q, err);
    if (!rc && expected) {
        char what[200];
        (void)snprintf(what, sizeof(what), "%ld of %ld reports due in %s have come",
                       expected - missing, expected, period->label);
        say(&q, MADI_Q_COMPLETENESS, missing ? MADI_Q_WARNING : MADI_Q_INFO, org ? org : "",
            "reporting-plan", NULL, what,
            missing ? "follow up the missing reports listed under each operator" : "nothing to do");
    } else if (!rc) {
        say(&q, MADI_Q_COMPLETENESS, MADI_Q_INFO, org ? org : "", "reporting-plan", NULL,
            "no reporting plan covers this period, so completeness cannot be judged",
            "import a reporting-plan file (madi template reporting-plan) saying which operator "
            "reports what, and how often");
    }
    for (const struct madi_kind *k = madi_kinds; !rc && k->name; k++) {
        const struct src *src = ind_src_find(k->name);
        if (!src || !src->org_col || strcmp(src->org_col, "organisation_id") != 0 ||
            src->shape != SRC_PARTS)
            continue;
        for (size_t i = 0; !rc && i < k->nsums; i++)
            if (k->sums[i].parts[1] || k->sums[i].exhaustive) {
                rc = check_sum(&q, k, src, &k->sums[i], org_id);
                if (!rc)
                    rc = check_zero_blank(&q, k, src, &k->sums[i], org_id);
            }
        if (!rc && k->nsums)
            rc = check_outliers(&q, k, src, k->sums[0].total, org_id);
    }
    return rc;
}
