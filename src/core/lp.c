/*
 * lp.c: a small dense two-phase simplex. Phase one finds a feasible basis once (artificial
 * variables, driven out of the basis afterwards); each bound then starts from that basis and
 * runs phase two with its own objective. Bland's rule chooses the entering and the leaving
 * variable, so the method cannot cycle. Entries below EPS count as zero.
 */
#include "lp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"
#include "xalloc.h"

#define EPS 1e-9

struct lp {
    size_t m, n, w; /* rows, original columns, row width (n + m artificials + rhs) */
    double *t;      /* m x w tableau */
    size_t *basis;
};

static void pivot(double *t, size_t m, size_t w, double *obj, size_t r, size_t c)
{
    double p = t[r * w + c];
    for (size_t j = 0; j < w; j++)
        t[r * w + j] /= p;
    for (size_t i = 0; i < m; i++) {
        double f = t[i * w + c];
        if (i == r || fabs(f) < EPS)
            continue;
        for (size_t j = 0; j < w; j++)
            t[i * w + j] -= f * t[r * w + j];
    }
    if (obj) {
        double f = obj[c];
        if (fabs(f) >= EPS)
            for (size_t j = 0; j < w; j++)
                obj[j] -= f * t[r * w + j];
    }
}

/* Minimise with reduced costs obj (width w, last entry minus the value) over columns < ncols.
 * Returns 0 optimal, 1 unbounded. */
static int run(double *t, size_t m, size_t w, size_t *basis, double *obj, size_t ncols)
{
    for (;;) {
        size_t c = ncols;
        for (size_t j = 0; j < ncols; j++)
            if (obj[j] < -EPS) {
                c = j;
                break;
            }
        if (c == ncols)
            return 0;
        size_t r = m;
        double best = 0;
        for (size_t i = 0; i < m; i++) {
            double a = t[i * w + c];
            if (a <= EPS)
                continue;
            double ratio = t[i * w + w - 1] / a;
            if (r == m || ratio < best - EPS ||
                (fabs(ratio - best) <= EPS && basis[i] < basis[r])) {
                r = i;
                best = ratio;
            }
        }
        if (r == m)
            return 1;
        pivot(t, m, w, obj, r, c);
        basis[r] = c;
    }
}

int lp_new(const double *a, const double *b, size_t m, size_t n, struct lp **out)
{
    struct lp *p = xcalloc(1, sizeof(*p));
    p->m = m;
    p->n = n;
    p->w = n + m + 1;
    p->t = xcalloc(m * p->w + 1, sizeof(double));
    p->basis = xmalloc((m ? m : 1) * sizeof(size_t));
    double *obj = xcalloc(p->w, sizeof(double));
    for (size_t i = 0; i < m; i++) {
        double sign = b[i] < 0 ? -1 : 1;
        for (size_t j = 0; j < n; j++)
            p->t[i * p->w + j] = sign * a[i * n + j];
        p->t[i * p->w + n + i] = 1;
        p->t[i * p->w + p->w - 1] = sign * b[i];
        p->basis[i] = n + i;
        for (size_t j = 0; j < n; j++)
            obj[j] -= p->t[i * p->w + j]; /* phase one: minimise the artificials' sum */
        obj[p->w - 1] -= p->t[i * p->w + p->w - 1];
    }
    (void)run(p->t, m, p->w, p->basis, obj, n + m);
    double scale = 1;
    for (size_t i = 0; i < m; i++)
        scale += fabs(b[i]);
    int feasible = fabs(obj[p->w - 1]) < 1e-9 * scale; /* relative to the sizes at stake */
    /* drive the artificials still in the basis (at zero) out, where a real column can enter */
    for (size_t i = 0; feasible && i < m; i++) {
        if (p->basis[i] < n)
            continue;
        for (size_t j = 0; j < n; j++)
            if (fabs(p->t[i * p->w + j]) > EPS) {
                pivot(p->t, m, p->w, NULL, i, j);
                p->basis[i] = j;
                break;
            }
    }
    free(obj);
    if (!feasible) {
        lp_free(p);
        return -1;
    }
    *out = p;
    return 0;
}

void lp_free(struct lp *p)
{
    if (!p)
        return;
    free(p->t);
    free(p->basis);
    free(p);
}

int lp_bound(const struct lp *p, size_t j, int maximise, double *out)
{
    size_t m = p->m, w = p->w;
    double *t = xmalloc((m * w + 1) * sizeof(double));
    size_t *basis = xmalloc((m ? m : 1) * sizeof(size_t));
    double *obj = xcalloc(w, sizeof(double));
    double sign = maximise ? -1 : 1;
    memcpy(t, p->t, m * w * sizeof(double));
    memcpy(basis, p->basis, m * sizeof(size_t));
    obj[j] = sign;
    for (size_t i = 0; i < m; i++)
        if (basis[i] == j) /* reduced costs: c - c_B B^-1 A */
            for (size_t k = 0; k < w; k++)
                obj[k] -= sign * t[i * w + k];
    int rc = run(t, m, w, basis, obj, p->n); /* artificials never enter again */
    *out = sign * -obj[w - 1];
    free(t);
    free(basis);
    free(obj);
    return rc;
}
