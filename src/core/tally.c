/*
 * tally.c: counts and distinct people from the attendance lists, in one sequential pass.
 *
 * The rows are read from their blocks (rowstore.h): only the ten columns the tallies need are
 * decoded, a block of 65536 rows at a time, with no per-row SQL. Each record is narrowed to
 * 24 bytes (below) and mapped to a cell (year, quarter, district, activity, sex, band,
 * disability) encoded as one mixed-radix 64-bit integer, added to an open-addressing table;
 * distinct people are (person key, cell) pairs in a set, counted per cell at the end. Tables
 * grow at 3/4 load. MADI_TALLY_FROM_ROWS reads the same rows through SQL (the virtual table)
 * and the same narrowing instead, so the two paths cannot disagree on categories.
 *
 * Invariant: every category list ends with `_N` (not recorded), so every record has a cell.
 */
#include "madi/tally.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "madi/dim.h"
#include "madi/kind.h"

#include "banned.h"
#include "rowstore.h"
#include "xalloc.h"

/* ---- the record ------------------------------------------------------------------------- */

/* One attendance record as the tallies need it; -1 (or 0 for sex, activity) = not recorded. */
struct tally_rec {
    int has_key;
    uint64_t key;
    int64_t area, org;
    int32_t date;
    int sex;              /* sex code, 0 = blank */
    int age;              /* -1 = blank */
    int band_lo, band_hi; /* band_lo -1 = blank; band_hi MADI_AGE_OPEN for "60+" */
    int disability;       /* -1 = blank */
    int activity;         /* 0 = blank */
};

/* ---- hash tables -------------------------------------------------------------------------- */

static size_t slot_of(uint64_t h, size_t mask)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return (size_t)h & mask;
}

/* Cell -> count. Keys are stored plus one, so 0 marks an empty slot. */
struct counts {
    uint64_t *keys, *vals;
    size_t cap, len;
};

static void counts_init(struct counts *c, size_t cap)
{
    c->cap = cap;
    c->len = 0;
    c->keys = xcalloc(cap, sizeof(uint64_t));
    c->vals = xcalloc(cap, sizeof(uint64_t));
}

static void counts_release(struct counts *c)
{
    free(c->keys);
    free(c->vals);
    memset(c, 0, sizeof(*c));
}

/* The slot of `cell`: where it is, or the empty one where it goes. */
static size_t counts_find(const struct counts *c, uint64_t cell)
{
    size_t mask = c->cap - 1, i = slot_of(cell, mask);
    while (c->keys[i] && c->keys[i] != cell + 1)
        i = (i + 1) & mask;
    return i;
}

static void counts_grow(struct counts *c)
{
    struct counts big;
    counts_init(&big, c->cap * 2);
    for (size_t i = 0; i < c->cap; i++) {
        if (c->keys[i]) {
            size_t j = counts_find(&big, c->keys[i] - 1);
            big.keys[j] = c->keys[i];
            big.vals[j] = c->vals[i];
            big.len++;
        }
    }
    counts_release(c);
    *c = big;
}

static void counts_add(struct counts *c, uint64_t cell, uint64_t n)
{
    size_t i = counts_find(c, cell);
    if (!c->keys[i]) {
        if ((c->len + 1) * 4 > c->cap * 3) {
            counts_grow(c);
            i = counts_find(c, cell);
        }
        c->keys[i] = cell + 1;
        c->len++;
    }
    c->vals[i] += n;
}

/* (person key, cell) pairs, in two arrays (12 bytes a slot). Sized once from the number of
 * rows, so it rarely grows; inserts come in groups whose slots are prefetched first, because
 * at millions of people every probe is a cache miss. */
#define PAIR_GROUP 32

struct pairset {
    uint64_t *keys;
    uint32_t *cells; /* cell plus one; 0 = empty */
    size_t cap, len;
    size_t npend;
    uint64_t pkey[PAIR_GROUP];
    uint32_t pcell[PAIR_GROUP];
    size_t pslot[PAIR_GROUP];
};

static void pairset_init(struct pairset *s, size_t cap)
{
    memset(s, 0, sizeof(*s));
    s->cap = cap;
    s->keys = xcalloc_big(cap * sizeof(uint64_t)); /* on huge pages: every probe is random */
    s->cells = xcalloc_big(cap * sizeof(uint32_t));
}

static void pairset_release(struct pairset *s)
{
    xfree_big(s->keys, s->cap * sizeof(uint64_t));
    xfree_big(s->cells, s->cap * sizeof(uint32_t));
    memset(s, 0, sizeof(*s));
}

static size_t pair_slot(uint64_t key, uint32_t cell, size_t mask)
{
    return slot_of(key ^ ((uint64_t)cell * 0x9e3779b97f4a7c15ULL), mask);
}

/* From slot i (the pair's home slot): where the pair is, or the empty slot where it goes. */
static size_t pairset_find(const struct pairset *s, uint64_t key, uint32_t cell, size_t i)
{
    size_t mask = s->cap - 1;
    while (s->cells[i] && !(s->cells[i] == cell + 1 && s->keys[i] == key))
        i = (i + 1) & mask;
    return i;
}

static void pairset_grow(struct pairset *s)
{
    struct pairset big;
    pairset_init(&big, s->cap * 2);
    for (size_t i = 0; i < s->cap; i++) {
        if (s->cells[i]) {
            uint32_t cell = s->cells[i] - 1;
            size_t j =
                    pairset_find(&big, s->keys[i], cell, pair_slot(s->keys[i], cell, big.cap - 1));
            big.keys[j] = s->keys[i];
            big.cells[j] = s->cells[i];
            big.len++;
        }
    }
    xfree_big(s->keys, s->cap * sizeof(uint64_t));
    xfree_big(s->cells, s->cap * sizeof(uint32_t));
    s->keys = big.keys;
    s->cells = big.cells;
    s->cap = big.cap;
    s->len = big.len;
}

/* Insert, starting the search at slot i (the pair's home slot for the current capacity). */
static void pairset_put(struct pairset *s, uint64_t key, uint32_t cell, size_t i)
{
    i = pairset_find(s, key, cell, i);
    if (s->cells[i])
        return;
    if ((s->len + 1) * 4 > s->cap * 3) {
        pairset_grow(s);
        i = pairset_find(s, key, cell, pair_slot(key, cell, s->cap - 1));
    }
    s->keys[i] = key;
    s->cells[i] = cell + 1;
    s->len++;
}

static void pairset_drain(struct pairset *s)
{
    size_t cap0 = s->cap; /* the slots were computed for it; a growth moves them */
    for (size_t k = 0; k < s->npend; k++)
        pairset_put(s, s->pkey[k], s->pcell[k],
                    cap0 == s->cap ? s->pslot[k] : pair_slot(s->pkey[k], s->pcell[k], s->cap - 1));
    s->npend = 0;
}

static void pairset_add(struct pairset *s, uint64_t key, uint32_t cell)
{
    size_t i = pair_slot(key, cell, s->cap - 1);
#if defined(__GNUC__)
    __builtin_prefetch(&s->cells[i]);
    __builtin_prefetch(&s->keys[i]);
#endif
    s->pkey[s->npend] = key;
    s->pcell[s->npend] = cell;
    s->pslot[s->npend] = i;
    if (++s->npend == PAIR_GROUP)
        pairset_drain(s);
}

/* ---- categories --------------------------------------------------------------------------- */

#define YEAR0  1900
#define NYEARS 256
#define NBANDS 7 /* six canonical bands and _N */

/* A code list as output categories: ordinal by stored value, and codes; the last is _N. */
struct cats {
    const struct madi_codelist *list;
    unsigned char ord[256]; /* stored value -> ordinal; n for blank or unknown values */
    size_t n;               /* real codes; ordinal n is _N */
};

static void cats_init(struct cats *c, const char *name)
{
    c->list = madi_codelist_find(name);
    MADI_ASSERT(c->list != NULL);
    c->n = c->list->n;
    memset(c->ord, (int)c->n, sizeof(c->ord));
    for (size_t i = 0; i < c->n; i++)
        if (c->list->codes[i].value >= 0 && c->list->codes[i].value < 255)
            c->ord[c->list->codes[i].value] = (unsigned char)i;
}

static const char *cats_code(const struct cats *c, size_t i)
{
    return i < c->n ? c->list->codes[i].code : "_N";
}

struct area {
    int64_t parent;              /* id, 0 = none */
    int level;                   /* -1 = not known */
    uint32_t district, province; /* index into the sorted codes of that level; n = _N */
    int inside;                  /* 1 if in the query's area (or there is no area filter) */
};

struct tally {
    enum madi_tally_table table;
    const struct madi_tally_query *q;
    struct area *areas; /* by id */
    size_t nareas;
    char **dcodes, **pcodes; /* district and province codes, sorted */
    size_t nd, np;
    struct cats sex, dis, act;
    unsigned char age_band[MADI_AGE_MAX + 1]; /* canonical band of each age */
    struct counts counts;
    uint64_t pending[PAIR_GROUP]; /* cells whose slots are being prefetched */
    size_t npending;
    struct pairset people;
};

static void counts_drain(struct tally *t)
{
    for (size_t k = 0; k < t->npending; k++)
        counts_add(&t->counts, t->pending[k], 1);
    t->npending = 0;
}

static int level_of(struct tally *t, int64_t id, int want)
{
    /* The ancestor-or-self of `id` at level `want`, as an index, or -1. Bounded walk. */
    for (int hops = 0; id > 0 && (size_t)id < t->nareas && hops < 32; hops++) {
        const struct area *a = &t->areas[id];
        if (a->level == want)
            return (int)(want == 2 ? a->district : a->province);
        if (a->level >= 0 && a->level < want)
            return -1;
        id = a->parent;
    }
    return -1;
}

static int is_inside(struct tally *t, int64_t id, int64_t target)
{
    for (int hops = 0; id > 0 && (size_t)id < t->nareas && hops < 32; hops++) {
        if (id == target)
            return 1;
        id = t->areas[id].parent;
    }
    return 0;
}

static int load_areas(struct tally *t, struct madi_store *s, struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    int64_t maxid = 0, target = 0;
    int rc = madi_store_query_int(s, "SELECT coalesce(max(id), 0) FROM area", &maxid, err);
    if (rc)
        return rc;
    t->nareas = (size_t)maxid + 1;
    t->areas = xcalloc(t->nareas, sizeof(struct area));
    size_t capd = 16, capp = 16;
    t->dcodes = xmalloc(capd * sizeof(char *));
    t->pcodes = xmalloc(capp * sizeof(char *));
    for (size_t i = 0; i < t->nareas; i++)
        t->areas[i].level = -1;
    rc = madi_store_prepare(s,
                            "SELECT id, coalesce(parent_id, 0), coalesce(level, -1), code FROM "
                            "area ORDER BY code",
                            &st, err);
    if (rc)
        return rc;
    while ((rc = madi_stmt_step(st, err)) == MADI_STMT_ROW) {
        int64_t id = madi_stmt_int(st, 0);
        if (id <= 0 || id > maxid)
            continue;
        struct area *a = &t->areas[id];
        a->parent = madi_stmt_int(st, 1);
        a->level = (int)madi_stmt_int(st, 2);
        const char *code = madi_stmt_text(st, 3);
        if (t->q->area && strcmp(code, t->q->area) == 0)
            target = id;
        if (a->level == 2) {
            if (t->nd == capd)
                t->dcodes = xrealloc(t->dcodes, (capd *= 2) * sizeof(char *));
            a->district = (uint32_t)t->nd;
            t->dcodes[t->nd++] = xstrdup(code);
        } else if (a->level == 1) {
            if (t->np == capp)
                t->pcodes = xrealloc(t->pcodes, (capp *= 2) * sizeof(char *));
            a->province = (uint32_t)t->np;
            t->pcodes[t->np++] = xstrdup(code);
        }
    }
    madi_stmt_finalize(st);
    if (rc < 0)
        return rc;
    if (t->q->area && !target)
        return madi_err_set(err, MADI_ENOTFOUND,
                            "no area '%s' in the area register (see 'madi export area')",
                            t->q->area);
    /* Resolve each area's district, province and place in the query's area once. */
    for (size_t id = 1; id < t->nareas; id++) {
        struct area *a = &t->areas[id];
        int d = level_of(t, (int64_t)id, 2), p = level_of(t, (int64_t)id, 1);
        a->district = d < 0 ? (uint32_t)t->nd : (uint32_t)d;
        a->province = p < 0 ? (uint32_t)t->np : (uint32_t)p;
        a->inside = !t->q->area || is_inside(t, (int64_t)id, target);
    }
    return MADI_OK;
}

/* ---- the pass ----------------------------------------------------------------------------- */

/* The canonical band of a record (NBANDS - 1: not recorded, or a band that spans several). */
static uint64_t band_of(const struct tally *t, const struct tally_rec *r)
{
    if (r->age >= 0 && r->age <= MADI_AGE_MAX)
        return t->age_band[r->age];
    if (r->band_lo >= 0) {
        struct madi_band b = { r->band_lo, r->band_hi };
        size_t idx = 0;
        if (madi_band_rebin(b, madi_bandset_canonical, &idx) == 0 && idx < NBANDS - 1)
            return idx;
    }
    return NBANDS - 1;
}

/* A code as an index into a byte table: blank and out-of-range values are 255 (_N). */
static unsigned byte_of(int v)
{
    return v > 0 && v < 255 ? (unsigned)v : 255;
}

static void add_rec(struct tally *t, const struct tally_rec *r)
{
    uint32_t date = (uint32_t)r->date;
    if ((t->q->from && date < (uint32_t)t->q->from) || (t->q->to && date > (uint32_t)t->q->to))
        return;
    int64_t area = r->area;
    if (area <= 0 || (size_t)area >= t->nareas || !t->areas[area].inside)
        return;
    unsigned year = date / 10000;
    uint64_t y = year >= YEAR0 && year < YEAR0 + NYEARS ? year - YEAR0 : 0;
    uint64_t sex = t->sex.ord[byte_of(r->sex)];
    if (t->table == MADI_TALLY_PEOPLE) {
        if (!r->has_key)
            return;
        uint64_t cell = (y * (t->np + 1) + t->areas[area].province) * (t->sex.n + 1) + sex;
        pairset_add(&t->people, r->key, (uint32_t)cell);
        return;
    }
    uint64_t q = ((date / 100) % 100 - 1) / 3;
    uint64_t band = band_of(t, r);
    uint64_t act = t->act.ord[byte_of(r->activity)];
    /* yesno stores no = 0: only a blank (-1) or an odd value is _N. */
    uint64_t dis = t->dis.ord[r->disability >= 0 && r->disability < 255 ? r->disability : 255];
    uint64_t cell = y * 4 + (q & 3);
    cell = cell * (t->nd + 1) + t->areas[area].district;
    cell = cell * (t->act.n + 1) + act;
    cell = cell * (t->sex.n + 1) + sex;
    cell = cell * NBANDS + band;
    cell = cell * (t->dis.n + 1) + dis;
#if defined(__GNUC__)
    size_t slot = slot_of(cell, t->counts.cap - 1);
    __builtin_prefetch(&t->counts.keys[slot]);
    __builtin_prefetch(&t->counts.vals[slot]);
#endif
    t->pending[t->npending++] = cell;
    if (t->npending == PAIR_GROUP)
        counts_drain(t);
}

/* Every block of the active batches: the ten columns the tallies need, decoded a block at a
 * time (rowstore.h). */
enum { C_DATE, C_ORG, C_AREA, C_KEY, C_SEX, C_AGE, C_LO, C_HI, C_DIS, C_ACT, NCOLS };

struct scan {
    struct tally *t;
    size_t col[NCOLS];
    int64_t *v[NCOLS];
    uint64_t *nul[NCOLS];
    struct madi_err *err;
};

/* rs_block_fn: one block's records into the tables. */
static int scan_one(void *ctx, int64_t batch, const struct rs_block *b)
{
    struct scan *sc = ctx;
    int64_t *const *v = sc->v;
    (void)batch;
    for (int c = 0; c < NCOLS; c++)
        if (rs_block_ints(b, sc->col[c], sc->v[c], sc->nul[c]))
            return madi_err_set(sc->err, MADI_EDB,
                                "a block of attendance rows is damaged: restore the database "
                                "from a backup");
    for (size_t i = 0; i < b->nrows; i++) {
        uint64_t bit = 1ULL << (i % 64);
        size_t w = i / 64;
#define GIVEN(c) (!(sc->nul[c][w] & bit))
        struct tally_rec r;
        r.date = (int32_t)v[C_DATE][i];
        r.org = v[C_ORG][i];
        r.area = v[C_AREA][i];
        r.has_key = GIVEN(C_KEY);
        r.key = (uint64_t)v[C_KEY][i];
        r.sex = GIVEN(C_SEX) ? (int)v[C_SEX][i] : 0;
        r.age = GIVEN(C_AGE) ? (int)v[C_AGE][i] : -1;
        r.band_lo = GIVEN(C_LO) ? (int)v[C_LO][i] : -1;
        r.band_hi = GIVEN(C_HI) ? (int)v[C_HI][i] : MADI_AGE_OPEN;
        r.disability = GIVEN(C_DIS) ? (int)v[C_DIS][i] : -1;
        r.activity = GIVEN(C_ACT) ? (int)v[C_ACT][i] : 0;
#undef GIVEN
        add_rec(sc->t, &r);
    }
    return 0;
}

static int scan_blocks(struct tally *t, struct madi_store *s, struct madi_err *err)
{
    static const char *const names[NCOLS] = {
        "date", "organisation_id", "area_id",     "person_key", "sex",
        "age",  "age_band_lo",     "age_band_hi", "disability", "activity"
    };
    struct rs_layout L;
    struct scan sc = { .t = t, .err = err };
    rs_layout_init(&L, madi_kind_find("eore-attendance"));
    for (int c = 0; c < NCOLS; c++) {
        int k = rs_layout_col(&L, names[c]);
        MADI_ASSERT(k >= 0);
        sc.col[c] = (size_t)k;
        sc.v[c] = xmalloc(RS_BLOCK_ROWS * sizeof(int64_t));
        sc.nul[c] = xmalloc((RS_BLOCK_ROWS / 64) * sizeof(uint64_t));
    }
    int rc = rs_each_block(s, &L, "batch_id IN (SELECT id FROM batch WHERE status = 'active')",
                           NULL, 0, scan_one, &sc, err);
    for (int c = 0; c < NCOLS; c++) {
        free(sc.v[c]);
        free(sc.nul[c]);
    }
    return rc;
}

static int int_or(struct madi_stmt *st, int col, int dflt)
{
    return madi_stmt_is_null(st, col) ? dflt : (int)madi_stmt_int(st, col);
}

/* With MADI_TALLY_FROM_ROWS: the same through SQL, the virtual table's rows (a check). */
static int scan_rows(struct tally *t, struct madi_store *s, struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    int rc = madi_store_prepare(s,
                                "SELECT date, organisation_id, area_id, person_key, sex, age, "
                                "age_band_lo, age_band_hi, disability, activity FROM "
                                "eore_attendance a JOIN batch b ON b.id = a.batch_id WHERE "
                                "b.status = 'active'",
                                &st, err);
    if (rc)
        return rc;
    while ((rc = madi_stmt_step(st, err)) == MADI_STMT_ROW) {
        struct tally_rec r;
        r.date = (int32_t)madi_stmt_int(st, 0);
        r.org = madi_stmt_int(st, 1);
        r.area = madi_stmt_int(st, 2);
        r.has_key = !madi_stmt_is_null(st, 3);
        r.key = (uint64_t)madi_stmt_int(st, 3);
        r.sex = int_or(st, 4, 0);
        r.age = int_or(st, 5, -1);
        r.band_lo = int_or(st, 6, -1);
        r.band_hi = int_or(st, 7, MADI_AGE_OPEN);
        r.disability = int_or(st, 8, -1);
        r.activity = int_or(st, 9, 0);
        add_rec(t, &r);
    }
    madi_stmt_finalize(st);
    return rc < 0 ? rc : MADI_OK;
}

/* ---- output ------------------------------------------------------------------------------- */

struct cellcount {
    uint64_t cell, n;
};

/* The table's cells with their counts, in cell order: an LSD radix sort on 16-bit digits,
 * only as many passes as the largest cell needs (a qsort of 350,000 cells took longer than
 * the pass that counted them). Caller frees. */
static struct cellcount *sorted_cells(const struct counts *c, size_t *outn)
{
    size_t n = 0;
    uint64_t max = 0;
    struct cellcount *a = xmalloc((c->len + 1) * sizeof(*a));
    struct cellcount *b = xmalloc((c->len + 1) * sizeof(*b));
    for (size_t i = 0; i < c->cap; i++) {
        if (c->keys[i]) {
            a[n].cell = c->keys[i] - 1;
            a[n].n = c->vals[i];
            max = a[n].cell > max ? a[n].cell : max;
            n++;
        }
    }
    for (unsigned shift = 0; shift < 64 && (max >> shift) != 0; shift += 16) {
        size_t *count = xcalloc(65537, sizeof(size_t));
        for (size_t i = 0; i < n; i++)
            count[((a[i].cell >> shift) & 0xffff) + 1]++;
        for (size_t d = 1; d <= 65536; d++)
            count[d] += count[d - 1];
        for (size_t i = 0; i < n; i++)
            b[count[(a[i].cell >> shift) & 0xffff]++] = a[i];
        free(count);
        struct cellcount *tmp = a;
        a = b;
        b = tmp;
    }
    free(b);
    *outn = n;
    return a;
}

static const char *code_at(char **codes, size_t n, uint64_t i)
{
    return i < n ? codes[i] : "_N";
}

static int write_counts(struct tally *t, FILE *out)
{
    counts_drain(t);
    size_t n = 0;
    struct cellcount *cells = sorted_cells(&t->counts, &n);
    int bad =
            fputs("year,quarter,district,activity,sex,age_band,disability,attendances\n", out) < 0;
    for (size_t i = 0; i < n && !bad; i++) {
        uint64_t k = cells[i].cell;
        uint64_t dis = k % (t->dis.n + 1);
        k /= t->dis.n + 1;
        uint64_t band = k % NBANDS;
        k /= NBANDS;
        uint64_t sex = k % (t->sex.n + 1);
        k /= t->sex.n + 1;
        uint64_t act = k % (t->act.n + 1);
        k /= t->act.n + 1;
        uint64_t d = k % (t->nd + 1);
        k /= t->nd + 1;
        char label[16] = "_N";
        if (band < NBANDS - 1)
            madi_bandset_label(madi_bandset_canonical, (size_t)band, label, sizeof(label));
        uint64_t year = k / 4 + YEAR0, quarter = k % 4 + 1;
        bad = fprintf(out, "%" PRIu64 ",Q%" PRIu64 ",%s,%s,%s,%s,%s,%" PRIu64 "\n", year, quarter,
                      code_at(t->dcodes, t->nd, d), cats_code(&t->act, act),
                      cats_code(&t->sex, sex), label, cats_code(&t->dis, dis), cells[i].n) < 0;
    }
    free(cells);
    return bad ? MADI_EIO : MADI_OK;
}

static int write_people(struct tally *t, FILE *out)
{
    struct counts per;
    counts_init(&per, 1024);
    pairset_drain(&t->people);
    for (size_t i = 0; i < t->people.cap; i++)
        if (t->people.cells[i])
            counts_add(&per, t->people.cells[i] - 1, 1);
    size_t n = 0;
    struct cellcount *cells = sorted_cells(&per, &n);
    int bad = fputs("year,province,sex,people\n", out) < 0;
    for (size_t i = 0; i < n && !bad; i++) {
        uint64_t k = cells[i].cell;
        uint64_t sex = k % (t->sex.n + 1);
        k /= t->sex.n + 1;
        uint64_t p = k % (t->np + 1);
        k /= t->np + 1;
        uint64_t year = k + YEAR0;
        bad = fprintf(out, "%" PRIu64 ",%s,%s,%" PRIu64 "\n", year, code_at(t->pcodes, t->np, p),
                      cats_code(&t->sex, sex), cells[i].n) < 0;
    }
    free(cells);
    counts_release(&per);
    return bad ? MADI_EIO : MADI_OK;
}

int madi_tally_write(struct madi_store *s, enum madi_tally_table table,
                     const struct madi_tally_query *q, FILE *out, struct madi_err *err)
{
    struct tally t;
    memset(&t, 0, sizeof(t));
    t.table = table;
    t.q = q;
    cats_init(&t.sex, "sex");
    cats_init(&t.dis, "yesno");
    cats_init(&t.act, "eore_method");
    for (int a = 0; a <= MADI_AGE_MAX; a++)
        t.age_band[a] = madi_bandset_index(madi_bandset_canonical, a);
    counts_init(&t.counts, 4096);
    int64_t rows = 0;
    int rc = madi_store_query_int(s,
                                  "SELECT coalesce(sum(row_count), 0) FROM batch WHERE kind = "
                                  "'eore-attendance' AND status = 'active'",
                                  &rows, err);
    /* At most one pair per row: room for all of them below 3/4 load, so no rehashing. */
    size_t cap = 1024;
    while (table == MADI_TALLY_PEOPLE && rows > 0 && (uint64_t)cap * 3 < (uint64_t)rows * 4)
        cap *= 2;
    pairset_init(&t.people, cap);
    if (!rc)
        rc = load_areas(&t, s, err);
    if (!rc)
        rc = (q->flags & MADI_TALLY_FROM_ROWS) ? scan_rows(&t, s, err) : scan_blocks(&t, s, err);
    if (!rc)
        rc = table == MADI_TALLY_PEOPLE ? write_people(&t, out) : write_counts(&t, out);
    if (rc == MADI_EIO)
        rc = madi_err_set(err, MADI_EIO, "cannot write the table");
    for (size_t i = 0; i < t.nd; i++)
        free(t.dcodes[i]);
    for (size_t i = 0; i < t.np; i++)
        free(t.pcodes[i]);
    free(t.dcodes);
    free(t.pcodes);
    free(t.areas);
    pairset_release(&t.people);
    counts_release(&t.counts);
    return rc;
}
