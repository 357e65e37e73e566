/*
 * sdc.c: primary and secondary cell suppression over all the tables of one output.
 *
 * Cells are variables keyed by measure and coordinates (dimensions at their total are left out
 * of the key, so the same margin in two tables is one variable). Each additive table adds one
 * equation per line: total - sum(parts) = 0, for every dimension and every combination of the
 * other coordinates. Hidden variables are the unknowns; the equations restricted to them are
 * brought to reduced row echelon form, and an unknown is determined when its pivot row has no
 * other non-zero entry. Coefficients start as 0 and +-1, so doubles with a tolerance are exact
 * enough at the sizes of a report (hundreds of unknowns).
 *
 * Invariants: a published cell is never 0 < n < k; after protect, no hidden cell is
 * determined, none is held by the equations and non-negativity in an interval narrower than k
 * (lp.c finds each one's least and greatest value), and in every equation with hidden cells
 * they sum to at least k.
 */
#include "madi/sdc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"
#include "buf.h"
#include "hashmap.h"
#include "lp.h"
#include "xalloc.h"

#define EPS 1e-9

struct var {
    double value;
    int is_total; /* a margin in some table */
    enum madi_sdc_status status;
};

struct eq {
    size_t *vars; /* vars[0] is the total; the rest its parts */
    size_t n;
};

struct tab {
    size_t *cell_var;
    size_t ncells;
};

struct madi_sdc {
    long k;
    struct var *v;
    size_t nv, capv;
    struct madi_strmap keys;
    struct eq *eqs;
    size_t neq, capeq;
    struct tab *tabs;
    size_t ntabs;
};

struct madi_sdc *madi_sdc_new(long k)
{
    struct madi_sdc *s = xcalloc(1, sizeof(*s));
    s->k = k < 1 ? 1 : k;
    madi_strmap_init(&s->keys);
    return s;
}

void madi_sdc_free(struct madi_sdc *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->neq; i++)
        free(s->eqs[i].vars);
    for (size_t i = 0; i < s->ntabs; i++)
        free(s->tabs[i].cell_var);
    free(s->eqs);
    free(s->tabs);
    free(s->v);
    madi_strmap_release(&s->keys);
    free(s);
}

static size_t var_for(struct madi_sdc *s, const char *key, double value, int is_total)
{
    int64_t idx = 0;
    if (madi_strmap_get(&s->keys, key, strlen(key), &idx)) {
        s->v[idx].is_total |= is_total;
        return (size_t)idx;
    }
    if (s->nv == s->capv) {
        s->capv = s->capv ? s->capv * 2 : 256;
        s->v = xrealloc(s->v, s->capv * sizeof(*s->v));
    }
    s->v[s->nv].value = value;
    s->v[s->nv].is_total = is_total;
    s->v[s->nv].status = MADI_SDC_PUBLISHED;
    madi_strmap_put(&s->keys, key, strlen(key), (int64_t)s->nv);
    return s->nv++;
}

static void add_eq(struct madi_sdc *s, size_t *vars, size_t n)
{
    if (s->neq == s->capeq) {
        s->capeq = s->capeq ? s->capeq * 2 : 256;
        s->eqs = xrealloc(s->eqs, s->capeq * sizeof(*s->eqs));
    }
    s->eqs[s->neq].vars = vars;
    s->eqs[s->neq].n = n;
    s->neq++;
}

/* A part of a key, with the separators escaped, so that no code (an area coded "A|sex=F") can
 * make two quantities one cell. */
static void key_part(struct madi_buf *key, const char *s)
{
    for (; *s; s++) {
        if (*s == '|' || *s == '=' || *s == '%')
            (void)madi_buf_addf(key, "%%%02X", (unsigned)(unsigned char)*s);
        else
            (void)madi_buf_addc(key, *s);
    }
}

/* The key of a cell: the measure, then "|dim=code" for every dimension not at its total, in
 * the order of the dimensions' names, so that tables with the same dimensions in another order,
 * or with more of them, share their cells. */
static void cell_key(struct madi_buf *key, const char *measure, size_t ndims,
                     const char *const *dims, const char *const *codes)
{
    size_t order[MADI_SDC_MAX_DIMS];
    for (size_t d = 0; d < ndims; d++)
        order[d] = d;
    for (size_t i = 1; i < ndims; i++)
        for (size_t j = i; j > 0 && strcmp(dims[order[j - 1]], dims[order[j]]) > 0; j--) {
            size_t tmp = order[j];
            order[j] = order[j - 1];
            order[j - 1] = tmp;
        }
    madi_buf_reset(key);
    key_part(key, measure);
    for (size_t oi = 0; oi < ndims; oi++)
        if (strcmp(codes[order[oi]], "_T") != 0) {
            (void)madi_buf_addc(key, '|');
            key_part(key, dims[order[oi]]);
            (void)madi_buf_addc(key, '=');
            key_part(key, codes[order[oi]]);
        }
}

size_t madi_sdc_cell(struct madi_sdc *s, const char *measure, size_t ndims, const char *const *dims,
                     const char *const *codes, double value, int create)
{
    struct madi_buf key = MADI_BUF_INIT;
    int64_t idx = 0;
    cell_key(&key, measure, ndims, dims, codes);
    int had = madi_strmap_get(&s->keys, key.data, key.len, &idx);
    size_t v = had ? (size_t)idx : create ? var_for(s, key.data, value, 0) : MADI_SDC_NONE;
    madi_buf_release(&key);
    return v;
}

void madi_sdc_add_sum(struct madi_sdc *s, size_t total, const size_t *parts, size_t n)
{
    size_t *vars = xmalloc((n + 1) * sizeof(size_t));
    vars[0] = total;
    memcpy(vars + 1, parts, n * sizeof(size_t));
    add_eq(s, vars, n + 1);
}

double madi_sdc_value(const struct madi_sdc *s, size_t var)
{
    MADI_ASSERT(var < s->nv);
    return s->v[var].value;
}

enum madi_sdc_status madi_sdc_var_status(const struct madi_sdc *s, size_t var)
{
    MADI_ASSERT(var < s->nv);
    return s->v[var].status;
}

size_t madi_sdc_add_table(struct madi_sdc *s, const char *measure, size_t ndims,
                          const char *const *dims, const size_t *ncats,
                          const char *const *const *codes, const double *values, int additive)
{
    size_t ncells = 1, stride[MADI_SDC_MAX_DIMS];
    MADI_ASSERT(ndims <= MADI_SDC_MAX_DIMS);
    for (size_t d = ndims; d-- > 0;) {
        stride[d] = ncells;
        ncells *= ncats[d];
    }
    s->tabs = xrealloc(s->tabs, (s->ntabs + 1) * sizeof(*s->tabs));
    struct tab *t = &s->tabs[s->ntabs];
    t->ncells = ncells;
    t->cell_var = xmalloc(ncells * sizeof(size_t));
    const char *codes_c[MADI_SDC_MAX_DIMS];
    size_t sub[MADI_SDC_MAX_DIMS];
    struct madi_buf key = MADI_BUF_INIT;
    for (size_t c = 0; c < ncells; c++) {
        int total = 0;
        for (size_t d = 0; d < ndims; d++) {
            sub[d] = (c / stride[d]) % ncats[d];
            codes_c[d] = codes[d][sub[d]];
            total |= sub[d] + 1 == ncats[d] && ncats[d] > 1; /* a lone total is no margin */
        }
        cell_key(&key, measure, ndims, dims, codes_c);
        t->cell_var[c] = var_for(s, key.data, values[c], total);
    }
    madi_buf_release(&key);
    if (additive) {
        for (size_t d = 0; d < ndims; d++) {
            if (ncats[d] < 2)
                continue; /* a dimension of its total alone says nothing */
            for (size_t c = 0; c < ncells; c++) {
                if ((c / stride[d]) % ncats[d] != ncats[d] - 1)
                    continue; /* one equation per total along d */
                size_t n = ncats[d], *vars = xmalloc(n * sizeof(size_t));
                size_t base = c - (ncats[d] - 1) * stride[d];
                vars[0] = t->cell_var[c];
                for (size_t i = 0; i + 1 < ncats[d]; i++)
                    vars[i + 1] = t->cell_var[base + i * stride[d]];
                add_eq(s, vars, n);
            }
        }
    }
    return s->ntabs++;
}

static int hidden(const struct madi_sdc *s, size_t v)
{
    return s->v[v].status != MADI_SDC_PUBLISHED;
}

/* Mark, in det[], every hidden variable the equations determine; returns how many. */
static size_t determined(struct madi_sdc *s, unsigned char *det)
{
    size_t *col = xmalloc((s->nv ? s->nv : 1) * sizeof(size_t)), nu = 0, count = 0;
    for (size_t i = 0; i < s->nv; i++)
        col[i] = hidden(s, i) ? nu++ : (size_t)-1;
    memset(det, 0, s->nv);
    if (!nu) {
        free(col);
        return 0;
    }
    size_t rows = 0;
    for (size_t e = 0; e < s->neq; e++)
        for (size_t i = 0; i < s->eqs[e].n; i++)
            if (col[s->eqs[e].vars[i]] != (size_t)-1) {
                rows++;
                break;
            }
    double *m = xcalloc(rows * nu + 1, sizeof(double));
    size_t r = 0;
    for (size_t e = 0; e < s->neq; e++) {
        int any = 0;
        for (size_t i = 0; i < s->eqs[e].n; i++) {
            size_t cu = col[s->eqs[e].vars[i]];
            if (cu == (size_t)-1)
                continue;
            m[r * nu + cu] += i == 0 ? 1.0 : -1.0;
            any = 1;
        }
        r += (size_t)any;
    }
    /* reduced row echelon form with partial pivoting */
    size_t *pivot_row = xmalloc(nu * sizeof(size_t)), lead = 0;
    for (size_t c = 0; c < nu; c++)
        pivot_row[c] = (size_t)-1;
    for (size_t c = 0; c < nu && lead < rows; c++) {
        size_t best = lead;
        for (size_t i = lead + 1; i < rows; i++)
            if (fabs(m[i * nu + c]) > fabs(m[best * nu + c]))
                best = i;
        if (fabs(m[best * nu + c]) < EPS)
            continue;
        if (best != lead)
            for (size_t j = 0; j < nu; j++) {
                double tmp = m[lead * nu + j];
                m[lead * nu + j] = m[best * nu + j];
                m[best * nu + j] = tmp;
            }
        double p = m[lead * nu + c];
        for (size_t j = 0; j < nu; j++)
            m[lead * nu + j] /= p;
        for (size_t i = 0; i < rows; i++) {
            double f = m[i * nu + c];
            if (i == lead || fabs(f) < EPS)
                continue;
            for (size_t j = 0; j < nu; j++)
                m[i * nu + j] -= f * m[lead * nu + j];
        }
        pivot_row[c] = lead++;
    }
    for (size_t v = 0; v < s->nv; v++) {
        size_t c = col[v];
        if (c == (size_t)-1 || pivot_row[c] == (size_t)-1)
            continue;
        const double *row = &m[pivot_row[c] * nu];
        int alone = 1;
        for (size_t j = 0; j < nu && alone; j++)
            if (j != c && fabs(row[j]) > EPS)
                alone = 0;
        if (alone) {
            det[v] = 1;
            count++;
        }
    }
    free(pivot_row);
    free(m);
    free(col);
    return count;
}

/* The best cell of equation `e` to hide next: the smallest positive published inner cell,
 * else the smallest positive published total; (size_t)-1 when there is none. */
static size_t partner_in(const struct madi_sdc *s, const struct eq *e)
{
    size_t best = (size_t)-1;
    for (size_t i = 0; i < e->n; i++) {
        size_t v = e->vars[i];
        if (hidden(s, v) || s->v[v].value <= 0)
            continue;
        if (best == (size_t)-1 || s->v[v].is_total < s->v[best].is_total ||
            (s->v[v].is_total == s->v[best].is_total && s->v[v].value < s->v[best].value))
            best = v;
    }
    return best;
}

/* An equation in which `v` is hidden and whose hidden cells sum to less than k, or NULL. */
static const struct eq *thin_equation(const struct madi_sdc *s)
{
    for (size_t e = 0; e < s->neq; e++) {
        double sum = 0;
        int any = 0;
        for (size_t i = 0; i < s->eqs[e].n; i++)
            if (hidden(s, s->eqs[e].vars[i])) {
                any = 1;
                sum += s->v[s->eqs[e].vars[i]].value;
            }
        if (any && sum < (double)s->k && partner_in(s, &s->eqs[e]) != (size_t)-1)
            return &s->eqs[e];
    }
    return NULL;
}

/* Hide one more cell so that what is determined now no longer is: among the published cells of
 * every equation that holds a determined hidden cell, the smallest positive inner one, else the
 * smallest positive total, else a zero (it adds an unknown all the same). */
static int protect_one(struct madi_sdc *s, const unsigned char *det)
{
    size_t best = (size_t)-1;
    for (int allow_zero = 0; allow_zero < 2 && best == (size_t)-1; allow_zero++)
        for (size_t e = 0; e < s->neq; e++) {
            const struct eq *q = &s->eqs[e];
            int has = 0;
            for (size_t i = 0; i < q->n && !has; i++)
                has = det[q->vars[i]];
            for (size_t i = 0; has && i < q->n; i++) {
                size_t v = q->vars[i];
                if (hidden(s, v) || (!allow_zero && s->v[v].value <= 0))
                    continue;
                if (best == (size_t)-1 || s->v[v].is_total < s->v[best].is_total ||
                    (s->v[v].is_total == s->v[best].is_total && s->v[v].value < s->v[best].value))
                    best = v;
            }
        }
    /* Every neighbour is hidden already: look further, at any equation that holds a hidden
     * cell, and at last at any published cell at all (hiding more always ends). */
    for (int pass = 0; pass < 2 && best == (size_t)-1; pass++)
        for (size_t e = 0; e < s->neq; e++) {
            const struct eq *q = &s->eqs[e];
            int has = pass == 1;
            for (size_t i = 0; i < q->n && !has; i++)
                has = hidden(s, q->vars[i]);
            for (size_t i = 0; has && i < q->n; i++) {
                size_t v = q->vars[i];
                if (!hidden(s, v) && (best == (size_t)-1 || s->v[v].value < s->v[best].value))
                    best = v;
            }
        }
    if (best == (size_t)-1)
        return -1;
    s->v[best].status = MADI_SDC_SECONDARY;
    return 0;
}

/* The equations restricted to the hidden cells, as A x = b (A is rows x nu, row-major). */
static size_t system_of(const struct madi_sdc *s, const size_t *col, size_t nu, double **a,
                        double **b)
{
    size_t rows = 0;
    *a = NULL;
    *b = NULL;
    for (size_t e = 0; e < s->neq; e++) {
        double rhs = 0;
        int any = 0;
        double *row = xcalloc(nu + 1, sizeof(double));
        for (size_t i = 0; i < s->eqs[e].n; i++) {
            size_t v = s->eqs[e].vars[i];
            double c = i == 0 ? 1.0 : -1.0;
            if (col[v] != (size_t)-1) {
                row[col[v]] += c;
                any = 1;
            } else {
                rhs -= c * s->v[v].value;
            }
        }
        if (any) {
            *a = xrealloc(*a, (rows + 1) * nu * sizeof(double));
            *b = xrealloc(*b, (rows + 1) * sizeof(double));
            memcpy(*a + rows * nu, row, nu * sizeof(double));
            (*b)[rows++] = rhs;
        }
        free(row);
    }
    return rows;
}

/* Mark in pin[] the hidden cells that the equations and non-negativity hold in an interval
 * narrower than k (the attack by linear programming); returns how many. */
static size_t pinned(const struct madi_sdc *s, unsigned char *pin)
{
    size_t *col = xmalloc((s->nv ? s->nv : 1) * sizeof(size_t)), nu = 0, count = 0;
    double *a = NULL, *b = NULL;
    struct lp *p = NULL;
    memset(pin, 0, s->nv);
    for (size_t i = 0; i < s->nv; i++)
        col[i] = hidden(s, i) ? nu++ : (size_t)-1;
    size_t rows = nu ? system_of(s, col, nu, &a, &b) : 0;
    int lp = rows ? lp_new(a, b, rows, nu, &p) : 1;
    if (lp < 0) {
        /* the published cells always satisfy the equations: "infeasible" can only be rounding,
         * and then nothing can be said about the intervals, so every hidden cell is suspect */
        for (size_t v = 0; v < s->nv; v++)
            if (col[v] != (size_t)-1) {
                pin[v] = 1;
                count++;
            }
    }
    if (lp == 0) {
        for (size_t v = 0; v < s->nv; v++) {
            double lo = 0, hi = 0;
            if (col[v] == (size_t)-1 || lp_bound(p, col[v], 0, &lo) || lp_bound(p, col[v], 1, &hi))
                continue; /* not hidden, or unbounded: not pinned */
            if (hi - lo < (double)s->k - 1e-6) {
                pin[v] = 1;
                count++;
            }
        }
    }
    lp_free(p);
    free(a);
    free(b);
    free(col);
    return count;
}

int madi_sdc_protect(struct madi_sdc *s, struct madi_err *err)
{
    unsigned char *det = xmalloc(s->nv ? s->nv : 1);
    int rc = MADI_OK;
    for (size_t i = 0; i < s->nv; i++)
        if (s->v[i].value > 0 && s->v[i].value < (double)s->k)
            s->v[i].status = MADI_SDC_PRIMARY;
    for (size_t round = 0; round <= s->nv; round++) {
        const struct eq *thin = thin_equation(s);
        if (thin) {
            s->v[partner_in(s, thin)].status = MADI_SDC_SECONDARY;
            continue;
        }
        if (!determined(s, det) && !pinned(s, det))
            goto done;
        if (protect_one(s, det)) {
            rc = madi_err_set(err, MADI_EINTERNAL,
                              "disclosure control: a hidden cell cannot be protected (a bug)");
            goto done;
        }
    }
    rc = madi_err_set(err, MADI_EINTERNAL, "disclosure control did not converge (a bug)");
done:
    free(det);
    return rc;
}

enum madi_sdc_status madi_sdc_cell_status(const struct madi_sdc *s, size_t table, size_t cell)
{
    MADI_ASSERT(table < s->ntabs && cell < s->tabs[table].ncells);
    return s->v[s->tabs[table].cell_var[cell]].status;
}

size_t madi_sdc_count(const struct madi_sdc *s, enum madi_sdc_status status)
{
    size_t n = 0;
    for (size_t i = 0; i < s->nv; i++)
        n += s->v[i].status == status;
    return n;
}

size_t madi_sdc_recoverable(struct madi_sdc *s)
{
    unsigned char *det = xmalloc(s->nv ? s->nv : 1);
    size_t n = determined(s, det);
    free(det);
    return n;
}

size_t madi_sdc_pinned(struct madi_sdc *s)
{
    unsigned char *pin = xmalloc(s->nv ? s->nv : 1);
    size_t n = pinned(s, pin);
    free(pin);
    return n;
}
