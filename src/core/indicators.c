/*
 * indicators.c: computing a catalogue entry for a period, an area, an operator and up to
 * three crossed dimensions.
 *
 * Each term of a measure is one SELECT of narrow rows (the period rule, the filters and the
 * row conditions are bound parameters); the rows are folded into a dense array of cells in C,
 * every row adding to its own cell and to every margin (the totals, _T) at once. Counts split
 * into parts (girls, boys, women, men, unknown, and the remainder nobody split) are expanded
 * here, one part at a time, so a count of 120 with 70 women and 45 men adds 70 to F/18+, 45
 * to M/18+ and 5 to "not recorded". Distinct people are counted exactly: (cell, person) pairs
 * are sorted and counted once each.
 *
 * Invariants: nothing is written; a value is computed only where its denominator is known and
 * non-zero; "not recorded" (_N), "unknown" and zero stay three different things.
 */
#include "madi/indicators.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "madi/dim.h"
#include "madi/kind.h"
#include "madi/quality.h"

#include "banned.h"
#include "buf.h"
#include "ind_int.h"
#include "indcat.h"
#include "xalloc.h"

#define MAX_CELLS (1u << 20)

/* ---- periods ------------------------------------------------------------------------------ */

static int days_in(int y, int m)
{
    static const int d[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : d[m - 1];
}

void madi_period_year(int y, struct madi_period *out)
{
    out->from = y * 10000 + 101;
    out->to = y * 10000 + 1231;
    (void)snprintf(out->label, sizeof(out->label), "%d", y);
}

static int parse_day(const char *s, size_t n, int32_t *out)
{
    char why[64];
    return madi_parse_date(s, n, 0, out, why, sizeof(why));
}

int madi_period_parse(const char *s, struct madi_period *out, struct madi_err *err)
{
    int y = 0, q = 0, m = 0, len = 0;
    size_t n = strlen(s);
    const char *dots = strstr(s, "..");
    memset(out, 0, sizeof(*out));
    if (dots) {
        if (parse_day(s, (size_t)(dots - s), &out->from) ||
            parse_day(dots + 2, strlen(dots + 2), &out->to) || out->to < out->from)
            goto bad;
        (void)snprintf(out->label, sizeof(out->label), "%.10s..%.10s", s, dots + 2);
        return MADI_OK;
    }
    if (n == 4 && sscanf(s, "%4d%n", &y, &len) == 1 && len == 4 && y >= 1900 && y <= 2100) {
        madi_period_year(y, out);
        return MADI_OK;
    }
    if (n == 7 && (s[5] == 'Q' || s[5] == 'q') && sscanf(s, "%4d-%*c%1d%n", &y, &q, &len) == 2 &&
        len == 7 && q >= 1 && q <= 4 && y >= 1900 && y <= 2100) {
        out->from = y * 10000 + (3 * q - 2) * 100 + 1;
        out->to = y * 10000 + 3 * q * 100 + days_in(y, 3 * q);
        (void)snprintf(out->label, sizeof(out->label), "%d-Q%d", y, q);
        return MADI_OK;
    }
    if (n == 7 && sscanf(s, "%4d-%2d%n", &y, &m, &len) == 2 && len == 7 && m >= 1 && m <= 12 &&
        y >= 1900 && y <= 2100) {
        out->from = y * 10000 + m * 100 + 1;
        out->to = y * 10000 + m * 100 + days_in(y, m);
        (void)snprintf(out->label, sizeof(out->label), "%d-%02d", y, m);
        return MADI_OK;
    }
bad:
    return madi_err_set(err, MADI_EINVAL,
                        "'%s' is not a period: write a year (2025), a quarter (2025-Q2), a month "
                        "(2025-03) or a range of days (2025-01-01..2025-06-30)",
                        s);
}

static void label_range(struct madi_period *p)
{
    char from[11], to[11];
    madi_format_date(p->from, from);
    madi_format_date(p->to, to);
    (void)snprintf(p->label, sizeof(p->label), "%s..%s", from, to);
}

size_t madi_period_split(const struct madi_period *p, struct madi_period *parts, size_t max)
{
    int y0 = p->from / 10000, y1 = p->to / 10000;
    size_t n = 0;
    if (y1 > y0) {
        for (int y = y0; y <= y1 && n < max; y++, n++) {
            madi_period_year(y, &parts[n]);
            if (parts[n].from < p->from || parts[n].to > p->to) {
                parts[n].from = parts[n].from < p->from ? p->from : parts[n].from;
                parts[n].to = parts[n].to > p->to ? p->to : parts[n].to;
                label_range(&parts[n]); /* a clipped year is not the year */
            }
        }
        return n;
    }
    for (int q = 1; q <= 4 && n < max; q++) {
        struct madi_period qp;
        char lab[16];
        (void)snprintf(lab, sizeof(lab), "%d-Q%d", y0, q);
        (void)madi_period_parse(lab, &qp, NULL);
        if (qp.to < p->from || qp.from > p->to)
            continue;
        if (qp.from < p->from || qp.to > p->to) {
            qp.from = qp.from < p->from ? p->from : qp.from;
            qp.to = qp.to > p->to ? p->to : qp.to;
            label_range(&qp);
        }
        parts[n++] = qp;
    }
    return n;
}

int madi_period_latest_year(struct madi_store *s, int *year, struct madi_err *err)
{
    int64_t d = 0;
    int rc = madi_store_query_int(
            s,
            "SELECT max(d) FROM (SELECT max(date) AS d FROM eore_session UNION ALL "
            "SELECT max(date) FROM eore_attendance UNION ALL "
            "SELECT max(coalesce(end_date, start_date)) FROM land_release UNION ALL "
            "SELECT max(date) FROM consultation UNION ALL SELECT max(date) FROM casualty "
            "UNION ALL SELECT max(date) FROM training UNION ALL SELECT max(hire_date) FROM staff)",
            &d, err);
    if (rc)
        return rc;
    if (d <= 0)
        return madi_err_set(err, MADI_ENOTFOUND, "the database holds no dated records yet");
    *year = (int)(d / 10000);
    return MADI_OK;
}

/* ---- dimensions --------------------------------------------------------------------------- */

enum dimkind { DK_CODES, DK_AGE, DK_AGE_COARSE, DK_ORG, DK_AREA };

struct dim {
    char name[32];
    enum dimkind kind;
    const struct madi_codelist *list; /* DK_CODES */
    int level;                        /* DK_AREA */
    size_t ncats;                     /* with _N and _T */
    struct madi_ind_cat *cats;
    int *value_of; /* DK_CODES: the stored value of each category */
    size_t nid;    /* DK_ORG, DK_AREA: row id -> category */
    int *by_id;
};

struct area_node {
    int parent, level;
};

struct ctx {
    struct madi_store *s;
    const struct madi_ind_query *q;
    const struct ind_entry *e;
    struct dim dims[MADI_IND_MAX_BY];
    size_t ndims;
    size_t ncells;
    size_t stride[MADI_IND_MAX_BY];
    int64_t org_id; /* 0 = all */
    int baseline_year;
    int oldest_baseline; /* the oldest population year a baseline term used (0: none) */
    char note[256];
    struct madi_err *err;
};

static void add_cat(struct dim *d, const char *code, const char *label, int value)
{
    d->cats = xrealloc(d->cats, (d->ncats + 1) * sizeof(*d->cats));
    d->value_of = xrealloc(d->value_of, (d->ncats + 1) * sizeof(*d->value_of));
    d->cats[d->ncats].code = xstrdup(code);
    d->cats[d->ncats].label = xstrdup(label);
    d->value_of[d->ncats] = value;
    d->ncats++;
}

static void dim_release(struct dim *d)
{
    for (size_t i = 0; i < d->ncats; i++) {
        free((char *)d->cats[i].code);
        free((char *)d->cats[i].label);
    }
    free(d->cats);
    free(d->value_of);
    free(d->by_id);
    memset(d, 0, sizeof(*d));
}

static size_t cat_nr(const struct dim *d)
{
    return d->ncats - 2;
}

static size_t cat_total(const struct dim *d)
{
    return d->ncats - 1;
}

static size_t code_cat(const struct dim *d, int isnull, int64_t v)
{
    if (isnull)
        return cat_nr(d);
    for (size_t i = 0; i + 2 < d->ncats; i++)
        if (d->value_of[i] == v)
            return i;
    return cat_nr(d);
}

/* Category of an age known to lie in [lo, hi] (hi < 0: open). */
static size_t age_cat(const struct dim *d, int has, int lo, int hi)
{
    if (!has || lo < 0)
        return cat_nr(d);
    if (d->kind == DK_AGE_COARSE) {
        if (lo >= 18)
            return 1;
        if (hi >= 0 && hi < 18)
            return 0;
        return cat_nr(d);
    }
    const struct madi_bandset *b = madi_bandset_canonical;
    if (lo > MADI_AGE_MAX)
        return cat_nr(d);
    size_t i = madi_bandset_index(b, lo);
    int top = i + 1 < b->n ? b->bounds[i + 1] - 1 : -1;
    if (hi < 0 ? top >= 0 : (top >= 0 && hi > top))
        return cat_nr(d);
    return i;
}

/* What a by-dimension name resolves to for one term; -1 when it cannot. */
static int resolve(const struct term *t, const char *name, enum dref *ref, int *field)
{
    const struct madi_kind *k = ind_src_kind(t->src);
    *field = -1;
    if (strcmp(name, "operator") == 0) {
        *ref = D_ORG;
        return t->src->org_col ? 0 : -1;
    }
    if (strncmp(name, "area", 4) == 0 && (name[4] == '\0' || name[4] == ':')) {
        *ref = D_AREA;
        return t->src->area_col ? 0 : -1;
    }
    if (t->src->shape == SRC_PARTS &&
        (strcmp(name, "sex") == 0 || strcmp(name, "age") == 0 || strcmp(name, "disability") == 0)) {
        *ref = name[0] == 's' ? D_SEX_PART : name[0] == 'a' ? D_AGE_PART : D_DIS_PART;
        return t->partition >= 0 ? 0 : -1;
    }
    if (strcmp(name, "age") == 0) {
        *ref = D_AGE;
        return t->src->age_lo ? 0 : -1;
    }
    int fi = madi_kind_field_index(k, name);
    if (fi < 0 && t->src->person_kind) {
        const struct madi_kind *pk = madi_kind_find(t->src->person_kind);
        fi = madi_kind_field_index(pk, name);
        if (fi < 0 || pk->fields[fi].type != MADI_F_CODE)
            return -1;
        *ref = D_PFIELD;
        *field = fi;
        return 0;
    }
    if (fi < 0 || k->fields[fi].type != MADI_F_CODE)
        return -1;
    *ref = D_FIELD;
    *field = fi;
    return 0;
}

/* Axis bit of a part dimension. */
static unsigned part_axis(enum dref r)
{
    return r == D_SEX_PART ? 1u : r == D_AGE_PART ? 2u : r == D_DIS_PART ? 4u : 0u;
}

/* For a split total: the partition that serves the conditions and dimensions together, or -1. */
static int term_partition(const struct term *t, const char *const *by, size_t nby)
{
    unsigned need = 0;
    for (int i = 0; i < t->nconds; i++)
        need |= part_axis(t->conds[i].ref);
    for (size_t i = 0; i < nby; i++) {
        enum dref r;
        int f;
        if (resolve(t, by[i], &r, &f) == 0)
            need |= part_axis(r);
    }
    const char *total = ind_src_kind(t->src)->fields[t->field].name;
    for (size_t i = 0; i < t->src->npartitions; i++)
        if (strcmp(t->src->partitions[i].total, total) == 0 &&
            (ind_partition_axes(&t->src->partitions[i]) & need) == need)
            return (int)i;
    return -1;
}

static const struct measure *measures(const struct ind_entry *e, int i, int *has)
{
    switch (i) {
    case 0:
        *has = e->has_num;
        return &e->num;
    case 1:
        *has = e->has_den;
        return &e->den;
    case 2:
        *has = e->has_bnum;
        return &e->bnum;
    case 3:
        *has = e->has_bden;
        return &e->bden;
    case 4:
        *has = e->has_uni;
        return &e->uni;
    default:
        *has = e->has_num && !e->has_den && e->num_axes;
        return &e->nbase;
    }
}

/* Can every term split by `name`? Baselines (population) only need to follow areas. */
static int dim_ok(const struct ind_entry *e, const char *const *by, size_t nby, size_t which,
                  char *why, size_t whysz)
{
    for (int mi = 0; mi < 5; mi++) {
        int has = 0;
        const struct measure *m = measures(e, mi, &has);
        if (!has)
            continue;
        for (int i = 0; i < m->nterms; i++) {
            const struct term *t = &m->terms[i];
            enum dref r;
            int f;
            if ((mi == 2 || mi == 3) && strncmp(by[which], "area", 4) != 0) {
                (void)snprintf(why, whysz, "the population baseline is not split by %s", by[which]);
                return -1;
            }
            if (resolve(t, by[which], &r, &f)) {
                (void)snprintf(why, whysz, "%s cannot be split by %s", t->src->what, by[which]);
                return -1;
            }
            if (part_axis(r) && term_partition(t, by, nby) < 0) {
                (void)snprintf(why, whysz,
                               "%s give sex and age in one split and disability in another: "
                               "they cannot be crossed (individual records can be)",
                               t->src->what);
                return -1;
            }
        }
    }
    return 0;
}

int ind_by_check(const struct ind_entry *e, const char *by, char *why, size_t whysz)
{
    char buf[200];
    (void)snprintf(buf, sizeof(buf), "%s", by);
    for (char *p = buf; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t n = strcspn(p, ", ");
        if (!n)
            break;
        char name[40];
        (void)snprintf(name, sizeof(name), "%.*s", (int)n, p);
        const char *one[1] = { name };
        if (dim_ok(e, one, 1, 0, why, whysz))
            return -1;
        p += n;
    }
    return 0;
}

static int listed(const char *list, const char *name)
{
    size_t n = strcspn(name, ":");
    for (const char *p = list; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t m = strcspn(p, ", ");
        if (m == n && strncmp(p, name, n) == 0)
            return 1;
        p += m;
    }
    return 0;
}

static int load_orgs(struct ctx *c, struct dim *d)
{
    struct madi_stmt *st = NULL;
    int rc = madi_store_prepare(c->s,
                                "SELECT id, code, coalesce(name, code) FROM organisation "
                                "ORDER BY code",
                                &st, c->err);
    while (rc >= 0 && (rc = madi_stmt_step(st, c->err)) == MADI_STMT_ROW) {
        int64_t id = madi_stmt_int(st, 0);
        if (id < 0 || id > 10000000)
            continue;
        if ((size_t)id >= d->nid) {
            size_t nn = (size_t)id + 64;
            d->by_id = xrealloc(d->by_id, nn * sizeof(int));
            for (size_t i = d->nid; i < nn; i++)
                d->by_id[i] = -1;
            d->nid = nn;
        }
        d->by_id[id] = (int)d->ncats;
        add_cat(d, madi_stmt_text(st, 1), madi_stmt_text(st, 2), (int)id);
    }
    madi_stmt_finalize(st);
    return rc < 0 ? rc : MADI_OK;
}

/* Areas at `level` inside the query's area (all of them without one), and every area's
 * category through its ancestor at that level. */
static int load_areas(struct ctx *c, struct dim *d)
{
    struct madi_stmt *st = NULL;
    struct area_node *nodes = NULL;
    size_t nn = 0;
    int64_t filter = -1;
    int rc = madi_store_prepare(c->s,
                                "SELECT id, coalesce(parent_id, 0), coalesce(level, -1), code, "
                                "coalesce(name, code) FROM area ORDER BY code",
                                &st, c->err);
    struct row {
        int64_t id;
        char *code, *name;
    } *rows = NULL;
    size_t nrows = 0;
    while (rc >= 0 && (rc = madi_stmt_step(st, c->err)) == MADI_STMT_ROW) {
        int64_t id = madi_stmt_int(st, 0);
        if (id <= 0 || id > 10000000)
            continue;
        if ((size_t)id >= nn) {
            size_t n2 = (size_t)id * 2 + 16;
            nodes = xrealloc(nodes, n2 * sizeof(*nodes));
            memset(nodes + nn, 0, (n2 - nn) * sizeof(*nodes));
            nn = n2;
        }
        nodes[id].parent = (int)madi_stmt_int(st, 1);
        nodes[id].level = (int)madi_stmt_int(st, 2);
        rows = xrealloc(rows, (nrows + 1) * sizeof(*rows));
        rows[nrows].id = id;
        rows[nrows].code = xstrdup(madi_stmt_text(st, 3));
        rows[nrows].name = xstrdup(madi_stmt_text(st, 4));
        if (c->q->area && strcmp(rows[nrows].code, c->q->area) == 0)
            filter = id;
        nrows++;
    }
    madi_stmt_finalize(st);
    if (rc < 0)
        goto done;
    rc = MADI_OK;
    if (d->level < 0)
        d->level = filter > 0 ? nodes[filter].level + 1 : 1;
    d->nid = nn;
    d->by_id = xmalloc((nn ? nn : 1) * sizeof(int));
    for (size_t i = 0; i < nn; i++)
        d->by_id[i] = -1;
    for (size_t r = 0; r < nrows; r++) {
        int64_t id = rows[r].id;
        if (nodes[id].level != d->level)
            continue;
        int inside = filter <= 0;
        for (int64_t a = id, hops = 0; a > 0 && (size_t)a < nn && hops < 64;
             a = nodes[a].parent, hops++)
            inside |= a == filter;
        if (!inside)
            continue;
        d->by_id[id] = (int)d->ncats;
        add_cat(d, rows[r].code, rows[r].name, (int)id);
    }
    /* every area takes the category of its ancestor at the level */
    for (size_t i = 1; i < nn; i++) {
        if (d->by_id[i] >= 0 || !nodes[i].level)
            continue;
        int hops = 0;
        for (int64_t a = nodes[i].parent; a > 0 && (size_t)a < nn && hops < 64;
             a = nodes[a].parent, hops++)
            if (nodes[a].level == d->level) {
                d->by_id[i] = d->by_id[a];
                break;
            }
    }
done:
    for (size_t r = 0; r < nrows; r++) {
        free(rows[r].code);
        free(rows[r].name);
    }
    free(rows);
    free(nodes);
    return rc;
}

static int custom_codes(struct ctx *c, struct dim *d)
{
    struct madi_stmt *st = NULL;
    int rc = madi_store_prepare(c->s,
                                "SELECT value, code, label FROM custom_code WHERE list = ? "
                                "ORDER BY value",
                                &st, c->err);
    if (rc)
        return rc;
    madi_stmt_bind_text(st, 1, d->list->name, strlen(d->list->name));
    while ((rc = madi_stmt_step(st, c->err)) == MADI_STMT_ROW)
        add_cat(d, madi_stmt_text(st, 1), madi_stmt_text(st, 2), (int)madi_stmt_int(st, 0));
    madi_stmt_finalize(st);
    return rc < 0 ? rc : MADI_OK;
}

static int build_dim(struct ctx *c, const char *name, struct dim *d, int coarse)
{
    const struct term *t = &c->e->num.terms[0];
    enum dref r = D_FIELD;
    int f = -1, rc = MADI_OK;
    memset(d, 0, sizeof(*d));
    (void)snprintf(d->name, sizeof(d->name), "%s", name);
    (void)resolve(t, name, &r, &f);
    if (r == D_ORG) {
        d->kind = DK_ORG;
        rc = load_orgs(c, d);
    } else if (r == D_AREA) {
        d->kind = DK_AREA;
        d->level = name[4] == ':' ? name[5] - '0' : -1; /* one digit, checked in setup_dims */
        rc = load_areas(c, d);
    } else if (r == D_AGE || r == D_AGE_PART) {
        d->kind = coarse ? DK_AGE_COARSE : DK_AGE;
        if (coarse) {
            add_cat(d, "0-17", "under 18", 0);
            add_cat(d, "18+", "18 and over", 1);
            add_cat(d, "unknown", "age unknown", 2);
        } else {
            char lab[16];
            for (size_t i = 0; i < madi_bandset_canonical->n; i++)
                add_cat(d, madi_bandset_label(madi_bandset_canonical, i, lab, sizeof(lab)), lab,
                        (int)i);
        }
    } else {
        d->kind = DK_CODES;
        const struct madi_kind *fk =
                r == D_PFIELD ? madi_kind_find(t->src->person_kind) : ind_src_kind(t->src);
        d->list = madi_codelist_find(r == D_SEX_PART   ? "sex"
                                     : r == D_DIS_PART ? "yesno"
                                                       : fk->fields[f].codes);
        for (size_t i = 0; i < d->list->n; i++)
            add_cat(d, d->list->codes[i].code, d->list->codes[i].label, d->list->codes[i].value);
        if (d->list->extensible)
            rc = custom_codes(c, d);
    }
    add_cat(d, "_N", d->kind == DK_AREA ? "not in an area at this level" : "not recorded", -1);
    add_cat(d, "_T", "total", -1);
    return rc;
}

/* ---- accumulating ------------------------------------------------------------------------- */

struct acc {
    double w;
    double app_sex, known_sex, app_age, known_age, app_dis, known_dis;
    double rows; /* rows that added (or reported the field) */
    unsigned estimated;
};

struct pair {
    uint64_t cell, key;
};

struct fold {
    struct acc *cells;
    struct pair *pairs; /* distinct */
    size_t npairs, cap;
};

static void add_all(const struct ctx *c, struct fold *f, const size_t *cat, const struct acc *a,
                    int distinct, uint64_t key)
{
    size_t combos = (size_t)1 << c->ndims;
    for (size_t m = 0; m < combos; m++) {
        size_t idx = 0;
        for (size_t d = 0; d < c->ndims; d++)
            idx += c->stride[d] * ((m >> d) & 1 ? cat_total(&c->dims[d]) : cat[d]);
        if (distinct) {
            if (f->npairs == f->cap) {
                f->cap = f->cap ? f->cap * 2 : 4096;
                f->pairs = xrealloc(f->pairs, f->cap * sizeof(*f->pairs));
            }
            f->pairs[f->npairs].cell = idx;
            f->pairs[f->npairs++].key = key;
        }
        struct acc *o = &f->cells[idx];
        if (!distinct)
            o->w += a->w;
        o->app_sex += a->app_sex;
        o->known_sex += a->known_sex;
        o->app_age += a->app_age;
        o->known_age += a->known_age;
        o->app_dis += a->app_dis;
        o->known_dis += a->known_dis;
        o->rows += a->rows;
        o->estimated |= a->estimated;
    }
}

static int cmp_pair(const void *a, const void *b)
{
    const struct pair *x = a, *y = b;
    if (x->cell != y->cell)
        return x->cell < y->cell ? -1 : 1;
    return x->key < y->key ? -1 : x->key > y->key;
}

#define DAYS_OFFSET ((int64_t)1 << 40) /* keeps negative differences in order as unsigned */

static int64_t days_between(int32_t from, int32_t to)
{
    return madi_date_days(to) - madi_date_days(from);
}

/* Each cell's median of the (cell, days) pairs collected. */
static void take_medians(struct fold *f)
{
    if (!f->npairs)
        return;
    qsort(f->pairs, f->npairs, sizeof(*f->pairs), cmp_pair);
    for (size_t i = 0; i < f->npairs;) {
        size_t j = i;
        while (j < f->npairs && f->pairs[j].cell == f->pairs[i].cell)
            j++;
        size_t n = j - i;
        double lo = (double)((int64_t)f->pairs[i + (n - 1) / 2].key - DAYS_OFFSET);
        double hi = (double)((int64_t)f->pairs[i + n / 2].key - DAYS_OFFSET);
        f->cells[f->pairs[i].cell].w = (lo + hi) / 2;
        i = j;
    }
    f->npairs = 0;
}

static void count_distinct(struct fold *f)
{
    if (!f->npairs)
        return;
    qsort(f->pairs, f->npairs, sizeof(*f->pairs), cmp_pair);
    for (size_t i = 0; i < f->npairs; i++)
        if (i == 0 || f->pairs[i].cell != f->pairs[i - 1].cell ||
            f->pairs[i].key != f->pairs[i - 1].key)
            f->cells[f->pairs[i].cell].w += 1;
    f->npairs = 0;
}

/* ---- SQL of a term ------------------------------------------------------------------------ */

/* Parameters of one term: at most MAX_CONDS conditions of MAX_VALS values, each a synthetic
 * test with two parameters at most, plus the period, the organisation and the area. */
#define MAX_BINDS (MAX_CONDS * MAX_VALS * 2 + 16)

struct bind {
    int is_int;
    int64_t i;
    double d;
};

struct sql {
    struct madi_buf b;
    struct bind binds[MAX_BINDS];
    int nbinds;
};

static void bind_int(struct sql *q, int64_t v)
{
    MADI_ASSERT(q->nbinds < MAX_BINDS);
    q->binds[q->nbinds].is_int = 1;
    q->binds[q->nbinds++].i = v;
}

static void bind_dbl(struct sql *q, double v)
{
    MADI_ASSERT(q->nbinds < MAX_BINDS);
    q->binds[q->nbinds].is_int = 0;
    q->binds[q->nbinds++].d = v;
}

/* Append a template: %F %T the period's days, %Y its last year, %B the baseline year, %V v. */
static void emit(struct sql *q, const struct ctx *c, const char *tmpl, double v)
{
    for (const char *p = tmpl; *p; p++) {
        if (*p != '%' || !p[1]) {
            (void)madi_buf_addc(&q->b, *p);
            continue;
        }
        p++;
        (void)madi_buf_addc(&q->b, '?');
        switch (*p) {
        case 'F':
            bind_int(q, c->q->period.from);
            break;
        case 'T':
            bind_int(q, c->q->period.to);
            break;
        case 'Y':
            bind_int(q, c->q->period.to / 10000);
            break;
        case 'B':
            bind_int(q, c->baseline_year);
            break;
        default:
            bind_dbl(q, v);
            break;
        }
    }
}

static void emit_cond(struct sql *q, const struct ctx *c, const struct term *t,
                      const struct cond *cd)
{
    static const char *const ops[] = { "=", "!=", "<", "<=", ">", ">=" };
    const struct madi_kind *k = ind_src_kind(t->src);
    if (cd->ref == D_SEX_PART || cd->ref == D_AGE_PART || cd->ref == D_DIS_PART)
        return; /* applied to the parts in C */
    (void)madi_buf_adds(&q->b, " AND (");
    if (cd->ref == D_SYNTH) {
        if (cd->op == C_NE)
            (void)madi_buf_adds(&q->b, "NOT ");
        for (int i = 0; i < cd->nvals; i++) {
            (void)madi_buf_adds(&q->b, i ? " OR " : "(");
            emit(q, c, t->src->synth[cd->field].sql, cd->vals[i]);
        }
        (void)madi_buf_adds(&q->b, "))");
        return;
    }
    if (cd->ref == D_AGE) {
        const char *lo = t->src->age_lo, *hi = t->src->age_hi;
        switch (cd->op) {
        case C_GT:
        case C_GE:
            emit(q, c, lo, 0);
            (void)madi_buf_addf(&q->b, " %s ?", ops[cd->op]);
            bind_dbl(q, cd->vals[0]);
            break;
        case C_LT:
        case C_LE:
            emit(q, c, hi, 0);
            (void)madi_buf_addf(&q->b, " %s ?", ops[cd->op]);
            bind_dbl(q, cd->vals[0]);
            break;
        default:
            emit(q, c, lo, 0);
            (void)madi_buf_adds(&q->b, " = ? AND ");
            bind_dbl(q, cd->vals[0]);
            emit(q, c, hi, 0);
            (void)madi_buf_adds(&q->b, " = ?");
            bind_dbl(q, cd->vals[0]);
            break;
        }
        (void)madi_buf_adds(&q->b, ")");
        return;
    }
    const char *col = cd->ref == D_PFIELD
                              ? madi_kind_find(t->src->person_kind)->fields[cd->field].name
                              : k->fields[cd->field].name;
    const char *alias = cd->ref == D_PFIELD ? "sv" : "t";
    switch (cd->op) {
    case C_REPORTED:
        (void)madi_buf_addf(&q->b, "%s.%s IS NOT NULL", alias, col);
        break;
    case C_NOT_REPORTED:
        (void)madi_buf_addf(&q->b, "%s.%s IS NULL", alias, col);
        break;
    case C_IN:
        (void)madi_buf_addf(&q->b, "%s.%s IN (", alias, col);
        for (int i = 0; i < cd->nvals; i++) {
            (void)madi_buf_adds(&q->b, i ? ", ?" : "?");
            bind_dbl(q, cd->vals[i]);
        }
        (void)madi_buf_adds(&q->b, ")");
        break;
    default:
        (void)madi_buf_addf(&q->b, "%s.%s %s ?", alias, col, ops[cd->op]);
        bind_dbl(q, cd->vals[0]);
        break;
    }
    (void)madi_buf_adds(&q->b, ")");
}

/* A baseline's rows: each area's latest year up to the period's among the rows that give what
 * the term reads (a disability baseline from the last census that asked, say, even when later
 * years only give totals). */
static void emit_baseline_year(struct sql *q, const struct ctx *c, const struct term *t)
{
    const struct madi_kind *k = ind_src_kind(t->src);
    (void)madi_buf_addf(&q->b,
                        "t.%s = (SELECT max(p2.%s) FROM %s p2 WHERE p2.area_id = t.area_id "
                        "AND p2.%s <= ?",
                        t->src->baseline_year, t->src->baseline_year, k->table,
                        t->src->baseline_year);
    bind_int(q, c->q->period.to / 10000);
    if (t->fn == M_SUM)
        (void)madi_buf_addf(&q->b, " AND p2.%s IS NOT NULL", k->fields[t->field].name);
    for (int i = 0; i < t->nconds; i++)
        if (t->conds[i].ref == D_FIELD && t->conds[i].op == C_REPORTED)
            (void)madi_buf_addf(&q->b, " AND p2.%s IS NOT NULL", k->fields[t->conds[i].field].name);
    (void)madi_buf_adds(&q->b, ")");
}

/* FROM and WHERE: period rule, the source's own condition, operator and area filters. */
static void emit_from(struct sql *q, const struct ctx *c, const struct term *t)
{
    const struct madi_kind *k = ind_src_kind(t->src);
    (void)madi_buf_addf(&q->b, " FROM %s t%s WHERE (", k->table, t->src->join ? t->src->join : "");
    if (t->src->baseline_year)
        emit_baseline_year(q, c, t);
    else
        emit(q, c, t->time->where, 0);
    (void)madi_buf_adds(&q->b, ")");
    if (t->src->where)
        (void)madi_buf_addf(&q->b, " AND %s", t->src->where);
    if (c->org_id && t->src->org_col) {
        (void)madi_buf_addf(&q->b, " AND t.%s = ?", t->src->org_col);
        bind_int(q, c->org_id);
    }
    if (c->q->area && t->src->area_col) {
        (void)madi_buf_addf(&q->b,
                            " AND t.%s IN (WITH RECURSIVE sub(id) AS (SELECT id FROM area WHERE "
                            "code = ? UNION SELECT a.id FROM area a JOIN sub ON a.parent_id = "
                            "sub.id) SELECT id FROM sub)",
                            t->src->area_col);
        MADI_ASSERT(q->nbinds < MAX_BINDS);
        q->binds[q->nbinds].is_int = -1; /* text: the area code */
        q->nbinds++;
    }
}

static int prepare(struct ctx *c, struct sql *q, struct madi_stmt **st)
{
    int rc = madi_store_prepare(c->s, q->b.data, st, c->err);
    if (rc)
        return rc;
    for (int i = 0; i < q->nbinds; i++) {
        if (q->binds[i].is_int < 0)
            madi_stmt_bind_text(*st, i + 1, c->q->area, strlen(c->q->area));
        else if (q->binds[i].is_int)
            madi_stmt_bind_int(*st, i + 1, q->binds[i].i);
        else
            madi_stmt_bind_double(*st, i + 1, q->binds[i].d);
    }
    return MADI_OK;
}

/* Rows of the term's kind in the period (without the term's conditions). */
static int rows_in_period(struct ctx *c, const struct term *t, int64_t *n)
{
    struct sql q = { MADI_BUF_INIT, { { 0, 0, 0 } }, 0 };
    struct madi_stmt *st = NULL;
    (void)madi_buf_adds(&q.b, "SELECT count(*)");
    emit_from(&q, c, t);
    int rc = prepare(c, &q, &st);
    if (!rc && (rc = madi_stmt_step(st, c->err)) == MADI_STMT_ROW)
        *n = madi_stmt_int(st, 0);
    madi_stmt_finalize(st);
    madi_buf_release(&q.b);
    return rc < 0 ? rc : MADI_OK;
}

/* Where each dimension of a row is read from, in the SELECT. */
struct plan {
    enum dref ref[MADI_IND_MAX_BY];
    int col[MADI_IND_MAX_BY]; /* first column */
    int weight_col, date2_col, parts_col, cov_sex, cov_age, cov_dis, est_col, year_col, ncols;
    int partition; /* the partition that splits the row, or -1 */
    const struct src_partition *parts[4];
    int nparts; /* partitions of the total, selected in order */
};

static int is_known_sex(int v)
{
    return v == MADI_SEX_F || v == MADI_SEX_M || v == MADI_SEX_X;
}

/* The later date of median_days(): a field, or a source's computed date. */
static void emit_date2(struct sql *q, const struct ctx *c, const struct term *t)
{
    if (t->field2 >= 0)
        (void)madi_buf_addf(&q->b, "t.%s", ind_src_kind(t->src)->fields[t->field2].name);
    else
        emit(q, c, t->src->synth[-2 - t->field2].sql, 0);
}

static void plan_term(struct ctx *c, const struct term *t, struct sql *q, struct plan *p)
{
    const struct madi_kind *k = ind_src_kind(t->src);
    int col = 0;
    const char *by[MADI_IND_MAX_BY];
    for (size_t d = 0; d < c->ndims; d++)
        by[d] = c->dims[d].name;
    memset(p, 0, sizeof(*p));
    p->partition = -1;
    p->cov_sex = p->cov_age = p->cov_dis = p->est_col = p->parts_col = p->date2_col = -1;
    p->year_col = -1;
    (void)madi_buf_adds(&q->b, "SELECT ");
    if (t->fn == M_COUNT)
        (void)madi_buf_adds(&q->b, "1");
    else
        (void)madi_buf_addf(&q->b, "t.%s", k->fields[t->field].name);
    p->weight_col = col++;
    if (t->fn == M_MEDIAN_DAYS) {
        (void)madi_buf_adds(&q->b, ", ");
        emit_date2(q, c, t);
        p->date2_col = col++;
    }
    if (t->partition >= 0) {
        p->partition = term_partition(t, by, c->ndims);
        const char *total = k->fields[t->field].name;
        p->parts_col = col;
        for (size_t i = 0; i < t->src->npartitions; i++) {
            if (strcmp(t->src->partitions[i].total, total) != 0)
                continue;
            p->parts[p->nparts++] = &t->src->partitions[i];
            for (const struct src_part *pt = t->src->partitions[i].parts; pt->col; pt++) {
                (void)madi_buf_addf(&q->b, ", t.%s", pt->col);
                col++;
            }
        }
    }
    for (size_t d = 0; d < c->ndims; d++) {
        int f = -1;
        (void)resolve(t, by[d], &p->ref[d], &f);
        p->col[d] = col;
        switch (p->ref[d]) {
        case D_FIELD:
            (void)madi_buf_addf(&q->b, ", t.%s", k->fields[f].name);
            col++;
            break;
        case D_PFIELD:
            (void)madi_buf_addf(&q->b, ", sv.%s",
                                madi_kind_find(t->src->person_kind)->fields[f].name);
            col++;
            break;
        case D_ORG:
            (void)madi_buf_addf(&q->b, ", t.%s", t->src->org_col);
            col++;
            break;
        case D_AREA:
            (void)madi_buf_addf(&q->b, ", t.%s", t->src->area_col);
            col++;
            break;
        case D_AGE:
            (void)madi_buf_adds(&q->b, ", ");
            emit(q, c, t->src->age_lo, 0);
            (void)madi_buf_adds(&q->b, ", ");
            emit(q, c, t->src->age_hi, 0);
            col += 2;
            break;
        default:
            break; /* parts: from the part columns */
        }
    }
    if (t->src->shape == SRC_ROWS) {
        const char *who = t->src->person_kind ? "sv" : "t";
        const struct madi_kind *pk = t->src->person_kind ? madi_kind_find(t->src->person_kind) : k;
        if (madi_kind_field_index(pk, "sex") >= 0) {
            (void)madi_buf_addf(&q->b, ", %s.sex", who);
            p->cov_sex = col++;
        }
        if (t->src->age_lo && strcmp(t->src->name, "population") != 0) {
            (void)madi_buf_adds(&q->b, ", ");
            emit(q, c, t->src->age_lo, 0);
            (void)madi_buf_adds(&q->b, ", ");
            emit(q, c, t->src->age_hi, 0);
            p->cov_age = col;
            col += 2;
        }
        if (madi_kind_field_index(pk, "disability") >= 0) {
            (void)madi_buf_addf(&q->b, ", %s.disability", who);
            p->cov_dis = col++;
        }
    }
    if (t->src->estimate_col) {
        (void)madi_buf_addf(&q->b, ", t.%s", t->src->estimate_col);
        p->est_col = col++;
    }
    if (t->src->baseline_year) {
        (void)madi_buf_addf(&q->b, ", t.%s", t->src->baseline_year);
        p->year_col = col++;
    }
    p->ncols = col;
    emit_from(q, c, t);
    if (t->fn != M_COUNT)
        (void)madi_buf_addf(&q->b, " AND t.%s IS NOT NULL", k->fields[t->field].name);
    if (t->fn == M_MEDIAN_DAYS) {
        (void)madi_buf_adds(&q->b, " AND ");
        emit_date2(q, c, t);
        (void)madi_buf_adds(&q->b, " IS NOT NULL");
    }
    for (int i = 0; i < t->nconds; i++)
        emit_cond(q, c, t, &t->conds[i]);
}

/* Does a part pass the term's part conditions? */
static int part_passes(const struct term *t, const struct src_part *pt, int sex, int age, int dis)
{
    for (int i = 0; i < t->nconds; i++) {
        const struct cond *cd = &t->conds[i];
        int v;
        if (cd->ref == D_SEX_PART)
            v = sex;
        else if (cd->ref == D_AGE_PART)
            v = age;
        else if (cd->ref == D_DIS_PART)
            v = dis;
        else
            continue;
        if (v == AX_NONE)
            return 0;
        int hit = 0;
        for (int j = 0; j < cd->nvals; j++)
            hit |= v == (int)cd->vals[j];
        if (cd->op == C_NE ? hit : !hit)
            return 0;
    }
    (void)pt;
    return 1;
}

static size_t part_cat(const struct dim *d, enum dref r, int sex, int age, int dis)
{
    int v = r == D_SEX_PART ? sex : r == D_AGE_PART ? age : dis;
    if (v == AX_NR || v == AX_NONE)
        return cat_nr(d);
    if (d->kind == DK_AGE_COARSE)
        return (size_t)v; /* AG_CHILD, AG_ADULT, AG_UNKNOWN are the first three */
    return code_cat(d, 0, v);
}

/* Known-sex, known-age and known-disability counts of a whole split row, from its partitions. */
static void row_coverage(const struct plan *p, struct madi_stmt *st, double total, struct acc *a)
{
    int col = p->parts_col;
    for (int pi = 0; pi < p->nparts; pi++) {
        const struct src_partition *pp = p->parts[pi];
        unsigned axes = ind_partition_axes(pp);
        double known_s = 0, known_a = 0, known_d = 0, given = 0;
        int reported = 0;
        const struct src_part *pt = pp->parts;
        for (; pt->col; pt++, col++) {
            if (madi_stmt_is_null(st, col))
                continue;
            double v = (double)madi_stmt_int(st, col);
            reported = 1;
            given += v;
            known_s += is_known_sex(pt->sex) ? v : 0;
            known_a += pt->age == AG_CHILD || pt->age == AG_ADULT ? v : 0;
            known_d += pt->dis == MADI_YES || pt->dis == MADI_NO ? v : 0;
        }
        if (pp->rest_if_reported && reported && pt->dis != AX_NONE)
            known_d += total - given > 0 ? total - given : 0;
        if (axes & 1u) {
            a->app_sex = total;
            a->known_sex = known_s;
        }
        if (axes & 2u) {
            a->app_age = total;
            a->known_age = known_a;
        }
        if (axes & 4u) {
            a->app_dis = total;
            a->known_dis = known_d;
        }
    }
}

static int is_estimate(struct madi_stmt *st, int col)
{
    if (col < 0 || madi_stmt_is_null(st, col))
        return 0;
    int64_t v = madi_stmt_int(st, col);
    return v == 3 || v == 4; /* household_estimate, media_estimate */
}

/* Fold one row of a split total: each part that passes goes to its own cell. */
static void fold_parts(struct ctx *c, struct fold *f, const struct term *t, const struct plan *p,
                       struct madi_stmt *st, size_t *cat)
{
    double total = (double)madi_stmt_int(st, p->weight_col);
    struct acc a;
    memset(&a, 0, sizeof(a));
    a.estimated = (unsigned)is_estimate(st, p->est_col);
    int split = 0;
    for (size_t d = 0; d < c->ndims; d++)
        split |= part_axis(p->ref[d]) != 0;
    for (int i = 0; i < t->nconds; i++)
        split |= part_axis(t->conds[i].ref) != 0;
    if (!split) {
        a.w = total;
        a.rows = 1;
        row_coverage(p, st, total, &a);
        add_all(c, f, cat, &a, 0, 0);
        return;
    }
    /* the columns of the chosen partition */
    int col = p->parts_col;
    const struct src_partition *pp = NULL;
    for (int pi = 0; pi < p->nparts; pi++) {
        if (p->parts[pi] == &t->src->partitions[p->partition]) {
            pp = p->parts[pi];
            break;
        }
        for (const struct src_part *pt = p->parts[pi]->parts; pt->col; pt++)
            col++;
    }
    MADI_ASSERT(pp);
    unsigned axes = ind_partition_axes(pp);
    double given = 0;
    int reported = 0;
    for (const struct src_part *pt = pp->parts;; pt++, col++) {
        double v;
        int sex = pt->sex, age = pt->age, dis = pt->dis;
        if (pt->col) {
            if (madi_stmt_is_null(st, col))
                continue;
            v = (double)madi_stmt_int(st, col);
            given += v;
            reported = 1;
        } else {
            v = total - given;
            if (v <= 0)
                break;
            if (pp->rest_if_reported && !reported)
                dis = dis == AX_NONE ? AX_NONE : AX_NR;
        }
        if (part_passes(t, pt, sex, age, dis)) {
            memset(&a, 0, sizeof(a));
            a.w = v;
            a.rows = 1;
            a.estimated = (unsigned)is_estimate(st, p->est_col);
            if (axes & 1u) {
                a.app_sex = v;
                a.known_sex = is_known_sex(sex) ? v : 0;
            }
            if (axes & 2u) {
                a.app_age = v;
                a.known_age = age == AG_CHILD || age == AG_ADULT ? v : 0;
            }
            if (axes & 4u) {
                a.app_dis = v;
                a.known_dis = dis == MADI_YES || dis == MADI_NO ? v : 0;
            }
            for (size_t d = 0; d < c->ndims; d++)
                if (part_axis(p->ref[d]))
                    cat[d] = part_cat(&c->dims[d], p->ref[d], sex, age, dis);
            add_all(c, f, cat, &a, 0, 0);
        }
        if (!pt->col)
            break;
    }
}

static int age_of(struct madi_stmt *st, int col, int *lo, int *hi)
{
    if (madi_stmt_is_null(st, col))
        return 0;
    *lo = (int)madi_stmt_int(st, col);
    *hi = madi_stmt_is_null(st, col + 1) ? -1 : (int)madi_stmt_int(st, col + 1);
    return 1;
}

static size_t id_cat(const struct dim *d, struct madi_stmt *st, int col)
{
    if (madi_stmt_is_null(st, col))
        return cat_nr(d);
    int64_t id = madi_stmt_int(st, col);
    if (id < 0 || (size_t)id >= d->nid || d->by_id[id] < 0)
        return cat_nr(d);
    return (size_t)d->by_id[id];
}

static int fold_term(struct ctx *c, const struct term *t, struct fold *f)
{
    struct sql q = { MADI_BUF_INIT, { { 0, 0, 0 } }, 0 };
    struct madi_stmt *st = NULL;
    struct plan p;
    size_t cat[MADI_IND_MAX_BY] = { 0 };
    plan_term(c, t, &q, &p);
    int rc = prepare(c, &q, &st);
    while (rc >= 0 && (rc = madi_stmt_step(st, c->err)) == MADI_STMT_ROW) {
        for (size_t d = 0; d < c->ndims; d++) {
            const struct dim *dm = &c->dims[d];
            int lo = 0, hi = 0;
            switch (p.ref[d]) {
            case D_FIELD:
            case D_PFIELD:
                cat[d] = code_cat(dm, madi_stmt_is_null(st, p.col[d]), madi_stmt_int(st, p.col[d]));
                break;
            case D_ORG:
            case D_AREA:
                cat[d] = id_cat(dm, st, p.col[d]);
                break;
            case D_AGE: {
                int has = age_of(st, p.col[d], &lo, &hi);
                cat[d] = age_cat(dm, has, lo, hi);
                break;
            }
            default:
                break;
            }
        }
        if (p.year_col >= 0) {
            int y = (int)madi_stmt_int(st, p.year_col);
            if (!c->oldest_baseline || y < c->oldest_baseline)
                c->oldest_baseline = y;
        }
        if (t->src->shape == SRC_PARTS && t->partition >= 0) {
            fold_parts(c, f, t, &p, st, cat);
            continue;
        }
        struct acc a;
        memset(&a, 0, sizeof(a));
        a.w = t->fn == M_SUM ? madi_stmt_double(st, p.weight_col) : 1; /* distinct: per contact */
        a.rows = 1;
        a.estimated = (unsigned)is_estimate(st, p.est_col);
        if (p.cov_sex >= 0) {
            a.app_sex = a.w;
            a.known_sex = !madi_stmt_is_null(st, p.cov_sex) &&
                                          is_known_sex((int)madi_stmt_int(st, p.cov_sex))
                                  ? a.w
                                  : 0;
        }
        if (p.cov_age >= 0) {
            int lo = 0, hi = 0;
            a.app_age = a.w;
            a.known_age = age_of(st, p.cov_age, &lo, &hi) ? a.w : 0;
        }
        if (p.cov_dis >= 0) {
            int64_t v = madi_stmt_is_null(st, p.cov_dis) ? -1 : madi_stmt_int(st, p.cov_dis);
            a.app_dis = a.w;
            a.known_dis = v == MADI_YES || v == MADI_NO ? a.w : 0;
        }
        uint64_t key = 0;
        if (t->fn == M_DISTINCT)
            key = (uint64_t)madi_stmt_int(st, p.weight_col);
        else if (t->fn == M_MEDIAN_DAYS)
            key = (uint64_t)(days_between((int32_t)madi_stmt_int(st, p.weight_col),
                                          (int32_t)madi_stmt_int(st, p.date2_col)) +
                             DAYS_OFFSET);
        add_all(c, f, cat, &a, t->fn == M_DISTINCT || t->fn == M_MEDIAN_DAYS, key);
    }
    if (t->fn == M_DISTINCT)
        count_distinct(f);
    else if (t->fn == M_MEDIAN_DAYS)
        take_medians(f);
    madi_stmt_finalize(st);
    madi_buf_release(&q.b);
    return rc < 0 ? rc : MADI_OK;
}

/* Fold every term of `m` into a fresh cell array; *rows gets the rows of its kinds in the
 * period (before conditions), to tell "no data" from zero. */
static int fold_measure(struct ctx *c, const struct measure *m, struct acc **out, int64_t *rows)
{
    struct fold f = { xcalloc(c->ncells, sizeof(struct acc)), NULL, 0, 0 };
    int rc = MADI_OK;
    *rows = 0;
    for (int i = 0; !rc && i < m->nterms; i++) {
        int64_t n = 0;
        rc = rows_in_period(c, &m->terms[i], &n);
        *rows += n;
        if (!rc)
            rc = fold_term(c, &m->terms[i], &f);
    }
    free(f.pairs);
    if (rc) {
        free(f.cells);
        return rc;
    }
    *out = f.cells;
    return MADI_OK;
}

/* ---- the result --------------------------------------------------------------------------- */

/* A measure that only adds up (or counts the different values of) fields, with no condition:
 * when no record gives the field, its total is not recorded rather than 0. */
static int plain_fields(const struct measure *m)
{
    for (int i = 0; i < m->nterms; i++)
        if (m->terms[i].fn == M_COUNT || m->terms[i].nconds)
            return 0;
    return 1;
}

/* Whether any area has a baseline up to the period's year (c->baseline_year: the latest such
 * year, 0 when none). Which year each area's figures come from is decided row by row
 * (emit_baseline_year), and the oldest one used is said after the fold. */
static int choose_baseline_year(struct ctx *c)
{
    int64_t y = 0;
    struct madi_stmt *st = NULL;
    int want = c->q->period.to / 10000;
    int rc = madi_store_prepare(c->s, "SELECT max(year) FROM population WHERE year <= ?", &st,
                                c->err);
    if (rc)
        return rc;
    madi_stmt_bind_int(st, 1, want);
    if ((rc = madi_stmt_step(st, c->err)) == MADI_STMT_ROW && !madi_stmt_is_null(st, 0))
        y = madi_stmt_int(st, 0);
    madi_stmt_finalize(st);
    if (rc < 0)
        return rc;
    c->baseline_year = (int)y;
    return MADI_OK;
}

static void set_cov(double app, double known, double *out)
{
    *out = app > 0 ? known / app : -1;
}

/* Does the base record nothing on an axis the numerator selects by? */
static const char *unrecorded(const struct ind_entry *e, const struct acc *base)
{
    if (e->def.unrecorded_is_zero || base->w <= 0)
        return NULL;
    if ((e->num_axes & 1u) && base->app_sex > 0 && base->known_sex <= 0)
        return "sex";
    if ((e->num_axes & 2u) && base->app_age > 0 && base->known_age <= 0)
        return "age";
    if ((e->num_axes & 4u) && base->app_dis > 0 && base->known_dis <= 0)
        return "disability";
    return NULL;
}

static void cell_value(const struct ind_entry *e, struct madi_ind_cell *cl, const struct acc *n,
                       const struct acc *d, const struct acc *bn, const struct acc *bd,
                       const struct acc *u, const struct acc *nb, long small)
{
    const struct acc *base = d ? d : nb ? nb : n;
    cl->num = n->w;
    cl->den = d ? d->w : 0;
    set_cov(base->app_sex, base->known_sex, &cl->cov_sex);
    set_cov(base->app_age, base->known_age, &cl->cov_age);
    set_cov(base->app_dis, base->known_dis, &cl->cov_disability);
    cl->coverage = u && u->w > 0 ? (d ? d->w : n->w) / u->w : -1;
    cl->base = base->w;
    cl->flags |= (n->estimated || (d && d->estimated)) ? MADI_IND_ESTIMATED : 0;
    cl->status = MADI_IND_OK;
    if (unrecorded(e, base)) {
        cl->status = MADI_IND_NOT_RECORDED;
        return;
    }
    if (!d) {
        cl->value = n->w;
        if (e->def.unit == MADI_UNIT_DAYS) {
            cl->den = n->rows; /* a median: of how many records */
            if (n->rows < (double)small)
                cl->flags |= MADI_IND_SMALL;
        }
        return;
    }
    if (d->w <= 0) {
        /* nothing in the denominator although there are records: they did not say */
        cl->status = u && u->w > 0 ? MADI_IND_NOT_RECORDED : MADI_IND_ZERO_DENOM;
        return;
    }
    if (d->w < (double)small)
        cl->flags |= MADI_IND_SMALL;
    double v = n->w / d->w;
    if (bn && bd) {
        if (bd->w <= 0 || bn->rows <= 0 || bn->w <= 0) {
            cl->status = MADI_IND_NO_BASELINE;
            return;
        }
        v /= bn->w / bd->w;
    }
    cl->value = e->def.unit == MADI_UNIT_PERCENT ? 100.0 * v : v;
}

static void reports_check(struct ctx *c, struct madi_ind_result *r)
{
    int kinds[MAX_TERMS * 2];
    int nk = 0;
    for (int mi = 0; mi < 2; mi++) {
        int has = 0;
        const struct measure *m = measures(c->e, mi, &has);
        for (int i = 0; has && i < m->nterms; i++)
            if (m->terms[i].src->report_kind)
                kinds[nk++] = m->terms[i].src->report_kind;
    }
    for (int i = 0; i < nk; i++) {
        int dup = 0;
        for (int j = 0; j < i; j++)
            dup |= kinds[j] == kinds[i];
        if (dup)
            continue;
        long expected = 0, missing = 0;
        if (madi_quality_reports_due(c->s, &c->q->period, c->q->today, c->org_id, kinds[i],
                                     &expected, &missing, NULL, NULL, NULL) == MADI_OK) {
            r->reports_expected += expected;
            r->reports_missing += missing;
        }
    }
}

static int lookup_org(struct ctx *c)
{
    struct madi_stmt *st = NULL;
    int rc = madi_store_prepare(c->s, "SELECT id FROM organisation WHERE code = ?", &st, c->err);
    if (rc)
        return rc;
    madi_stmt_bind_text(st, 1, c->q->org, strlen(c->q->org));
    rc = madi_stmt_step(st, c->err);
    if (rc == MADI_STMT_ROW)
        c->org_id = madi_stmt_int(st, 0);
    madi_stmt_finalize(st);
    if (rc == MADI_STMT_DONE)
        return madi_err_set(c->err, MADI_EINVAL,
                            "no organisation has the code '%s' (madi export organisation lists "
                            "them)",
                            c->q->org);
    return rc < 0 ? rc : MADI_OK;
}

static int check_area(struct ctx *c)
{
    struct madi_stmt *st = NULL;
    int rc = madi_store_prepare(c->s, "SELECT 1 FROM area WHERE code = ?", &st, c->err);
    if (rc)
        return rc;
    madi_stmt_bind_text(st, 1, c->q->area, strlen(c->q->area));
    rc = madi_stmt_step(st, c->err);
    madi_stmt_finalize(st);
    if (rc == MADI_STMT_DONE)
        return madi_err_set(c->err, MADI_EINVAL,
                            "no area has the code '%s' (madi export area lists them)", c->q->area);
    return rc < 0 ? rc : MADI_OK;
}

static void note_add(struct madi_ind_result *r, const char *s)
{
    size_t n = strlen(r->note);
    if (strstr(r->note, s))
        return;
    (void)snprintf(r->note + n, sizeof(r->note) - n, "%s%s", n ? "; " : "", s);
}

/* Filters that do not apply to a kind are said, not silently dropped. */
static void filter_notes(struct ctx *c, struct madi_ind_result *r)
{
    for (int mi = 0; mi < 4; mi++) {
        int has = 0;
        const struct measure *m = measures(c->e, mi, &has);
        for (int i = 0; has && i < m->nterms; i++) {
            const struct src *s = m->terms[i].src;
            char buf[160];
            if (c->q->area && !s->area_col) {
                (void)snprintf(buf, sizeof(buf), "%s have no area: --area does not apply to them",
                               s->what);
                note_add(r, buf);
            }
            if (c->q->org && !s->org_col) {
                (void)snprintf(buf, sizeof(buf), "%s have no operator: --org does not apply",
                               s->what);
                note_add(r, buf);
            }
        }
    }
}

static int setup_dims(struct ctx *c, struct madi_ind_result *r)
{
    int coarse = ind_measure_coarse_age(&c->e->num) ||
                 (c->e->has_den && ind_measure_coarse_age(&c->e->den));
    int rc = MADI_OK;
    size_t nby = 0;
    while (nby < MADI_IND_MAX_BY && c->q->by[nby])
        nby++;
    c->ncells = 1;
    for (size_t i = 0; i < nby; i++) {
        const char *name = c->q->by[i];
        if (strncmp(name, "area:", 5) == 0 && (strlen(name) != 6 || name[5] < '0' || name[5] > '9'))
            return madi_err_set(c->err, MADI_EINVAL, "'%s': write area:N with N a level 0-9", name);
        if (!listed(c->e->def.by, name)) {
            r->status = MADI_IND_NOT_BY;
            (void)snprintf(r->why, sizeof(r->why), "not split by %s (it is split by: %s)", name,
                           c->e->def.by[0] ? c->e->def.by : "nothing");
            return MADI_OK;
        }
        if (dim_ok(c->e, c->q->by, nby, i, r->why, sizeof(r->why))) {
            r->status = MADI_IND_NOT_BY;
            return MADI_OK;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(c->q->by[j], name) == 0)
                return madi_err_set(c->err, MADI_EINVAL, "--by names %s twice", name);
        rc = build_dim(c, name, &c->dims[c->ndims], coarse);
        c->ndims++;
        if (rc)
            return rc;
    }
    for (size_t i = c->ndims; i-- > 0;) {
        c->stride[i] = c->ncells;
        c->ncells *= c->dims[i].ncats;
        if (c->ncells > MAX_CELLS)
            return madi_err_set(c->err, MADI_EINVAL,
                                "that crossing makes more than %u cells: split by fewer "
                                "dimensions or filter by area",
                                MAX_CELLS);
    }
    return MADI_OK;
}

static void take_dims(struct ctx *c, struct madi_ind_result *r)
{
    r->ndims = c->ndims;
    for (size_t i = 0; i < c->ndims; i++) {
        r->dims[i].name = xstrdup(c->dims[i].name);
        r->dims[i].ncats = c->dims[i].ncats;
        r->dims[i].cats = c->dims[i].cats;
        c->dims[i].cats = NULL;
        c->dims[i].ncats = 0;
    }
}

int madi_ind_compute(struct madi_store *s, const struct madi_ind_def *def,
                     const struct madi_ind_query *q, struct madi_ind_result **out,
                     struct madi_err *err)
{
    const struct ind_entry *e = (const struct ind_entry *)def;
    struct ctx c;
    struct acc *acc[6] = { NULL, NULL, NULL, NULL, NULL, NULL };
    int64_t rows[6] = { 0, 0, 0, 0, 0, 0 };
    struct madi_ind_result *r = xcalloc(1, sizeof(*r));
    int rc = MADI_OK;
    memset(&c, 0, sizeof(c));
    c.s = s;
    c.q = q;
    c.e = e;
    c.err = err;
    r->def = def;
    r->period = q->period;
    if (def->counts && def->counts[0])
        (void)snprintf(r->note, sizeof(r->note), "counts %s", def->counts);
    if (q->org)
        rc = lookup_org(&c);
    if (!rc && q->area)
        rc = check_area(&c);
    if (!rc)
        rc = setup_dims(&c, r);
    if (rc || r->status == MADI_IND_NOT_BY)
        goto finish;
    if (e->has_bnum) {
        rc = choose_baseline_year(&c);
        if (rc)
            goto finish;
        if (!c.baseline_year) {
            r->status = MADI_IND_NO_BASELINE;
            (void)snprintf(r->why, sizeof(r->why),
                           "no population baseline for %d or before (import population figures)",
                           q->period.to / 10000);
            goto finish;
        }
    }
    for (int mi = 0; !rc && mi < 6; mi++) {
        int has = 0;
        const struct measure *m = measures(e, mi, &has);
        if (has)
            rc = fold_measure(&c, m, &acc[mi], &rows[mi]);
    }
    if (rc)
        goto finish;
    if (e->has_bnum && c.oldest_baseline && c.oldest_baseline != q->period.to / 10000) {
        char buf[80];
        (void)snprintf(buf, sizeof(buf), "baseline: population figures from %d on",
                       c.oldest_baseline);
        note_add(r, buf);
    }
    filter_notes(&c, r);
    reports_check(&c, r);
    r->ncells = c.ncells;
    r->cells = xcalloc(c.ncells, sizeof(*r->cells));
    long small = q->small > 0 ? q->small : 30;
    for (size_t i = 0; i < c.ncells; i++) {
        struct madi_ind_cell *cl = &r->cells[i];
        for (size_t d = 0; d < c.ndims; d++)
            cl->cat[d] = (i / c.stride[d]) % c.dims[d].ncats;
        cell_value(e, cl, &acc[0][i], acc[1] ? &acc[1][i] : NULL, acc[2] ? &acc[2][i] : NULL,
                   acc[3] ? &acc[3][i] : NULL, acc[4] ? &acc[4][i] : NULL,
                   acc[5] ? &acc[5][i] : NULL, small);
        if (e->has_bnum && c.oldest_baseline && c.oldest_baseline != q->period.to / 10000)
            cl->flags |= MADI_IND_ESTIMATED;
        if (r->reports_missing)
            cl->flags |= MADI_IND_INCOMPLETE;
    }
    const struct madi_ind_cell *tot = &r->cells[c.ncells - 1];
    r->status = tot->status;
    if (!e->has_den && rows[0] > 0 && acc[0][c.ncells - 1].rows == 0 && plain_fields(&e->num)) {
        /* records there are, but none gives what the count adds up: not recorded, not 0 */
        r->status = MADI_IND_NOT_RECORDED;
        for (size_t i = 0; i < c.ncells; i++)
            r->cells[i].status = MADI_IND_NOT_RECORDED;
        (void)snprintf(r->why, sizeof(r->why),
                       "not recorded: the %lld %s of %s do not give what it counts (%s)",
                       (long long)rows[0], e->num.terms[0].src->what, q->period.label,
                       def->numerator);
    } else if (rows[0] + rows[1] == 0) {
        r->status = MADI_IND_NO_DATA;
        const struct src *s0 = e->num.terms[0].src;
        (void)snprintf(r->why, sizeof(r->why), "no data: no %s in %s%s%s", s0->what,
                       q->period.label, q->area || q->org ? " for the filters given" : "", "");
        for (size_t i = 0; i < c.ncells; i++)
            r->cells[i].status = MADI_IND_NO_DATA;
    } else if (r->status == MADI_IND_ZERO_DENOM) {
        (void)snprintf(r->why, sizeof(r->why), "cannot be computed: the denominator is zero (%s)",
                       def->denominator);
    } else if (r->status == MADI_IND_NOT_RECORDED) {
        (void)snprintf(r->why, sizeof(r->why),
                       "not recorded: none of the %s it is taken from has its %s recorded",
                       def->denominator ? "denominator" : "records",
                       unrecorded(e, e->has_den ? &acc[1][c.ncells - 1]
                                     : acc[5]   ? &acc[5][c.ncells - 1]
                                                : &acc[0][c.ncells - 1]));
    } else if (r->status == MADI_IND_NO_BASELINE) {
        (void)snprintf(r->why, sizeof(r->why), "no population baseline for this group in %d (%s)",
                       c.baseline_year, def->baseline_numerator);
    }
finish:
    take_dims(&c, r);
    for (size_t i = 0; i < MADI_IND_MAX_BY; i++)
        dim_release(&c.dims[i]);
    for (int i = 0; i < 6; i++)
        free(acc[i]);
    if (rc) {
        madi_ind_result_free(r);
        return rc;
    }
    if (!r->cells) {
        r->ncells = 1;
        r->cells = xcalloc(1, sizeof(*r->cells));
        r->cells[0].status = r->status;
        r->cells[0].cov_sex = r->cells[0].cov_age = r->cells[0].cov_disability = -1;
        r->cells[0].coverage = -1;
        for (size_t d = 0; d < r->ndims; d++)
            r->cells[0].cat[d] = r->dims[d].ncats - 1;
    }
    *out = r;
    return MADI_OK;
}

void madi_ind_result_free(struct madi_ind_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->ndims; i++) {
        for (size_t j = 0; j < r->dims[i].ncats; j++) {
            free((char *)r->dims[i].cats[j].code);
            free((char *)r->dims[i].cats[j].label);
        }
        free(r->dims[i].cats);
        free((char *)r->dims[i].name);
    }
    free(r->cells);
    free(r);
}

const struct madi_ind_cell *madi_ind_result_total(const struct madi_ind_result *r)
{
    return &r->cells[r->ncells - 1];
}

const char *madi_ind_status_name(enum madi_ind_status st)
{
    switch (st) {
    case MADI_IND_OK:
        return "ok";
    case MADI_IND_NO_DATA:
        return "no data for the period";
    case MADI_IND_NO_BASELINE:
        return "no population baseline";
    case MADI_IND_ZERO_DENOM:
        return "denominator zero";
    case MADI_IND_NOT_BY:
        return "not disaggregated this way";
    case MADI_IND_NOT_RECORDED:
        return "not recorded";
    }
    return "?";
}
