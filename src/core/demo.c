/*
 * demo.c: the demo programme. A fictional country (the Republic of Meridia, code RM: five
 * provinces, twenty districts), ten operators and three years (2023-2025) of their work, written
 * as the CSV files the operators and the national centre would send, in the order they must be
 * imported: the registers first (areas with parents before children), then each operator's
 * yearly files, then the centre's casualty file.
 *
 * Two passes. Planning builds in memory what files refer to each other by: hazardous areas,
 * survey teams, land release tasks (which decide which hazards end up released), and the risk
 * education sessions of the operators that keep attendance lists, with the people seated at
 * each (every district has a pool of pseudonymous people, each with about 2.5 contacts over the
 * three years). Writing then streams every file, drawing the remaining detail as it goes. Every
 * draw comes from a xoshiro256** stream seeded from the caller's seed and a fixed stream number
 * per file (per row for attendance), so output depends only on seed and scale, and one file's
 * draws never shift another's. There is no clock and no global state.
 *
 * Invariants: every file not marked broken passes madi's validation (counts >= 0; parts <= their
 * total, and equal to it when every part is given; real dates within 2023-01-01..2025-12-31,
 * ends on or after starts, exits after hires; codes from madi's code lists; references only to
 * registered codes; ids unique within a kind across all files). Session counts of the operators
 * that keep lists are tallied from the very rows their lists hold (one function decides what a
 * row records), so the two files agree. Broken files are only of kinds nothing refers to, so
 * rejecting them breaks no later import. Every row has exactly its kind's columns in the order
 * of kinds.c (asserted as each row ends). Memory is 20 bytes per person and 4 per contact.
 */
#include "madi/demo.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "madi/dim.h"
#include "madi/kind.h"

#include "banned.h"
#include "demo_survivors.h"
#include "xalloc.h"

#define NPROV      5
#define NDIST      20
#define NOPS       10
#define NYEARS     3
#define FIRST_YEAR 2023
#define LAST_DAY   1095 /* 2025-12-31; day 0 is 2023-01-01 */
#define NHAZARDS   150
#define MAXTEAMS   32
#define IOBUF      (1u << 16)
#define NO_PERSON  UINT32_MAX

/* ---- random numbers -------------------------------------------------------------------------- */

struct rng {
    uint64_t s[4];
};

/* splitmix64's finaliser: a bijection on 64 bits, so distinct inputs give distinct outputs. */
static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = mix64(seed ^ 0x6d6164692d64656dULL) ^ mix64(stream + 0x9e3779b97f4a7c15ULL);
    for (int i = 0; i < 4; i++) {
        x += 0x9e3779b97f4a7c15ULL;
        r->s[i] = mix64(x);
    }
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* xoshiro256** (Blackman and Vigna). */
static uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* 0..n-1 (n >= 1). */
static uint32_t rng_below(struct rng *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static int rng_range(struct rng *r, int lo, int hi)
{
    return lo + (int)rng_below(r, (uint32_t)(hi - lo + 1));
}

/* True with probability p/1000. */
static int rng_pm(struct rng *r, int p)
{
    return (int)rng_below(r, 1000) < p;
}

/* An index drawn with the given integer weights (not all zero). */
static int rng_pick(struct rng *r, const int *w, int n)
{
    int total = 0;
    for (int i = 0; i < n; i++)
        total += w[i];
    int x = (int)rng_below(r, (uint32_t)total);
    for (int i = 0; i < n; i++) {
        if (x < w[i])
            return i;
        x -= w[i];
    }
    return n - 1;
}

static void shuffle_u32(struct rng *r, uint32_t *a, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = rng_below(r, (uint32_t)i);
        uint32_t t = a[i - 1];
        a[i - 1] = a[j];
        a[j] = t;
    }
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* ---- dates ----------------------------------------------------------------------------------- */

static const int year_start[NYEARS + 1] = { 0, 365, 731, LAST_DAY + 1 };

static int year_of(int day)
{
    return day < 365 ? FIRST_YEAR : day < 731 ? FIRST_YEAR + 1 : FIRST_YEAR + 2;
}

static int doy_of(int day)
{
    return day - year_start[year_of(day) - FIRST_YEAR];
}

static const char *fmt_date(int day, char out[32])
{
    static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int y = year_of(day), doy = doy_of(day), m = 0;
    for (;;) {
        int len = mdays[m] + (m == 1 && y % 4 == 0);
        if (doy < len)
            break;
        doy -= len;
        m++;
    }
    (void)snprintf(out, 32, "%04d-%02d-%02d", y, m + 1, doy + 1);
    return out;
}

/* n random days of year y (0..2), sorted. Caller frees. */
static int *random_days(struct rng *r, int y, size_t n)
{
    int *d = xmalloc((n ? n : 1) * sizeof(*d));
    for (size_t i = 0; i < n; i++)
        d[i] = year_start[y] + (int)rng_below(r, (uint32_t)(year_start[y + 1] - year_start[y]));
    qsort(d, n, sizeof(*d), cmp_int);
    return d;
}

/* ---- the programme --------------------------------------------------------------------------- */

struct province_def {
    const char *code, *name;
};

struct district_def {
    const char *code, *name;
    int prov;
    int contam;       /* relative contamination */
    int pop_k;        /* population in 2023, thousands */
    int idp_pct;      /* share of displaced people */
    int minority_pct; /* share of minority groups */
};

static const struct province_def provinces[NPROV] = {
    { "RM01", "Northern Highlands" }, { "RM02", "Eastern Marches" }, { "RM03", "Central Plain" },
    { "RM04", "Southern Coast" },     { "RM05", "Western Valleys" },
};

static const struct district_def districts[NDIST] = {
    { "RM0101", "Kareth", 0, 9, 210, 18, 12 }, { "RM0102", "Varo", 0, 7, 150, 12, 30 },
    { "RM0103", "Ostrin", 0, 5, 95, 8, 8 },    { "RM0104", "Belsk", 0, 6, 120, 10, 25 },
    { "RM0105", "Tamsa", 0, 3, 70, 5, 40 },    { "RM0201", "Dravin", 1, 10, 260, 25, 10 },
    { "RM0202", "Ulmet", 1, 8, 180, 20, 15 },  { "RM0203", "Korsa", 1, 6, 110, 15, 5 },
    { "RM0204", "Pelin", 1, 4, 90, 10, 20 },   { "RM0301", "Meridan", 2, 1, 850, 6, 6 },
    { "RM0302", "Astel", 2, 3, 140, 4, 4 },    { "RM0303", "Rudna", 2, 2, 100, 3, 10 },
    { "RM0401", "Calvey", 3, 1, 230, 2, 5 },   { "RM0402", "Portis", 3, 2, 160, 3, 8 },
    { "RM0403", "Sela", 3, 1, 75, 2, 3 },      { "RM0404", "Myrr", 3, 1, 60, 1, 35 },
    { "RM0501", "Tovar", 4, 5, 130, 9, 20 },   { "RM0502", "Lenska", 4, 4, 105, 7, 45 },
    { "RM0503", "Brisk", 4, 3, 85, 6, 15 },    { "RM0504", "Odal", 4, 2, 65, 4, 50 },
};

enum { ACT_EORE = 1, ACT_LIST = 2, ACT_LR = 4, ACT_CONS = 8 };

/* How an operator fills in attendance lists (or, for the others, session counts). */
enum att_style { ATT_NONE, ATT_EXACT, ATT_WG, ATT_BANDS, ATT_FLAG, ATT_MEDIA };

enum { LR_NTS, LR_TS, LR_CLEARANCE, LR_EOD };

struct op_def {
    const char *code, *id, *slug, *name;
    const char *type, *accreditation, *psea, *safeguarding, *gender, *dp;
    unsigned acts;
    unsigned provs; /* bit i: works in province i */
    enum att_style att;
    int sessions;   /* risk education sessions a year, at scale 1 */
    int lr;         /* land release tasks a year */
    int meetings;   /* consultations a year */
    int staff;      /* people employed 2023-2025 */
    int women_pct;  /* women among them */
    int lr_mix[4];  /* nts, ts, clearance, eod */
    int teams[4];   /* survey teams: nts, community_liaison, eore, mixed */
    int disability; /* consultations, land release: 0 blank, 1 with_disability only, 2 all */
};

/* code, id prefix, file prefix, name, type, accreditation, PSEA, safeguarding, gender policy,
 * data protection SOP; activities, provinces, attendance style; sessions, tasks and meetings a
 * year, staff, % women; land release mix; survey teams; disability in consultations. */
/* clang-format off */
static const struct op_def ops[NOPS] = {
    { "OP-01", "OP01", "op01", "Meridia Civil Protection Directorate",
      "government", "accredited", "yes", "yes", "no", "yes",
      ACT_LR | ACT_CONS, 0x1f, ATT_NONE,
      0, 40, 15, 150, 20, { 40, 10, 10, 40 }, { 3, 0, 0, 0 }, 0 },
    { "OP-02", "OP02", "op02", "Horizon Landmine Trust, Meridia Programme",
      "ngo", "accredited", "yes", "yes", "yes", "yes",
      ACT_EORE | ACT_LR | ACT_CONS, 0x03, ATT_NONE,
      200, 80, 40, 500, 38, { 20, 20, 40, 20 }, { 4, 2, 0, 0 }, 2 },
    { "OP-03", "OP03", "op03", "Safe Steps Meridia",
      "ngo", "accredited", "yes", "yes", "yes", "yes",
      ACT_EORE | ACT_LIST | ACT_CONS, 0x07, ATT_EXACT,
      520, 0, 35, 120, 58, { 0, 0, 0, 0 }, { 0, 1, 3, 0 }, 1 },
    { "OP-04", "OP04", "op04", "Clearpath Demining Ltd",
      "commercial", "accredited", "yes", "no", "unknown", "no",
      ACT_LR, 0x12, ATT_NONE,
      0, 70, 0, 280, 18, { 5, 25, 60, 10 }, { 2, 0, 0, 0 }, 0 },
    { "OP-05", "OP05", "op05", "Women for Safe Land",
      "ngo", "provisional", "yes", "yes", "yes", "unknown",
      ACT_EORE | ACT_LIST | ACT_LR | ACT_CONS, 0x11, ATT_WG,
      300, 30, 30, 120, 78, { 60, 20, 10, 10 }, { 1, 0, 0, 3 }, 2 },
    { "OP-06", "OP06", "op06", "Meridian Army Engineer Corps",
      "military", "accredited", "unknown", "unknown", "no", "no",
      ACT_LR, 0x07, ATT_NONE,
      0, 90, 0, 330, 6, { 5, 10, 35, 50 }, { 0, 0, 0, 0 }, 0 },
    { "OP-07", "OP07", "op07", "Community Risk Education Network",
      "ngo", "provisional", "no", "yes", "no", "no",
      ACT_EORE | ACT_LIST | ACT_CONS, 0x0e, ATT_BANDS,
      420, 0, 25, 80, 55, { 0, 0, 0, 0 }, { 0, 0, 2, 0 }, 0 },
    { "OP-08", "OP08", "op08", "TerraSafe Solutions",
      "commercial", "suspended", "yes", "no", "no", "no",
      ACT_LR, 0x12, ATT_NONE,
      0, 50, 0, 200, 15, { 5, 25, 60, 10 }, { 1, 0, 0, 0 }, 0 },
    { "OP-09", "OP09", "op09", "UN Mine Action Support Office",
      "un", "none", "yes", "yes", "yes", "yes",
      ACT_EORE, 0x1f, ATT_MEDIA,
      6, 0, 0, 40, 45, { 0, 0, 0, 0 }, { 0, 0, 0, 0 }, 0 },
    { "OP-10", "OP10", "op10", "Meridian Red Crescent Society",
      "other", "accredited", "yes", "yes", "yes", "yes",
      ACT_EORE | ACT_LIST | ACT_CONS, 0x1c, ATT_FLAG,
      360, 0, 35, 90, 50, { 0, 0, 0, 0 }, { 0, 2, 1, 0 }, 2 },
};
/* clang-format on */

/* Yearly growth of activity: 2023 was the first year of the national programme. */
static const double year_factor[NYEARS] = { 0.85, 1.0, 1.15 };

static const char *const lr_names[4] = { "nts", "ts", "clearance", "eod" };
static const char *const yesno_names[3] = { "no", "yes", "unknown" };
static const char *const displacement_names[5] = { "resident", "idp", "refugee", "returnee",
                                                   "unknown" };
static const char *const minority_names[7] = { "none",       "ethnic", "linguistic", "religious",
                                               "indigenous", "other",  "unknown" };
static const char *const device_names[5] = { "landmine", "cluster", "erw", "ied", "unknown" };
static const char *const team_type_names[4] = { "nts", "community_liaison", "eore", "mixed" };

struct band_def {
    const char *label;
    int lo, hi; /* hi -1: open */
};

enum { B0_4, B5_11, B12_17, B18_24, B25_59, B60, B18_59, B0_17, NBANDS };
static const struct band_def bands[NBANDS] = {
    { "0-4", 0, 4 },     { "5-11", 5, 11 }, { "12-17", 12, 17 }, { "18-24", 18, 24 },
    { "25-59", 25, 59 }, { "60+", 60, -1 }, { "18-59", 18, 59 }, { "0-17", 0, 17 },
};

/* The canonical band of an age; with `eore`, the risk education set (18-59 in one). */
static int band_of(int age, int eore)
{
    if (age < 5)
        return B0_4;
    if (age < 12)
        return B5_11;
    if (age < 18)
        return B12_17;
    if (age >= 60)
        return B60;
    if (eore)
        return B18_59;
    return age < 25 ? B18_24 : B25_59;
}

/* ---- planned records ------------------------------------------------------------------------- */

struct hazard {
    int district, cha, status, org, size10, device, recorded;
    int released; /* day released by a finished task, or -1 */
    int worked;
};

struct team {
    int op, type, members, female, male, unknown; /* unknown -1: blank */
    int from, to;                                 /* to -1: still active */
};

struct task {
    int op, y, act, hazard, district, start, end; /* hazard -1: none; end -1: ongoing */
};

struct session {
    int op, y, day, district, school, community, seats_child, seats_adult;
    uint32_t first, n; /* attendees: att[first .. first + n) */
};

struct person {
    uint32_t stamp; /* 1 + the last session the person was seated at */
    uint16_t birth_year, birth_doy;
    uint8_t female, disabled, displacement, minority, fhh, caregiver;
    uint8_t wg[6];
};

struct gen {
    const char *dir;
    size_t dirlen;
    uint64_t seed;
    double scale;
    struct madi_err *err;
    struct madi_demo d;
    size_t cap;

    struct hazard hz[NHAZARDS];
    struct team teams[MAXTEAMS];
    size_t nteams;
    struct task *tasks;
    size_t ntasks;
    struct session *ss;
    size_t nss;
    size_t ss_range[NOPS][NYEARS][2]; /* sessions of an operator's year: [from, to) */
    struct person *people;
    size_t npeople;
    uint64_t key_salt;
    uint32_t *att;
    size_t natt;
};

/* Stream numbers: one per file or planning step, so draws never shift between files. */
static uint64_t stream(int what, int op, int y)
{
    return ((uint64_t)what << 16) | ((uint64_t)op << 8) | (uint64_t)y;
}

enum {
    S_HAZARDS = 1,
    S_TEAMS,
    S_TASKS,
    S_SESSIONS,
    S_PEOPLE,
    S_SEATS,
    S_POP,
    S_EORE,
    S_LR,
    S_CONS,
    S_STAFF,
    S_TRAIN,
    S_CAS
};

/* A volume at this scale, never below `min` so every file has rows. */
static size_t scaled(const struct gen *g, double base, size_t min)
{
    double v = base * g->scale + 0.5;
    size_t n = v > 0 ? (size_t)v : 0;
    return n < min ? min : n;
}

/* A district of operator `o`, weighted by contamination (+ `floor`). */
static int pick_district(struct rng *r, const struct op_def *o, int floor)
{
    int w[NDIST];
    for (int i = 0; i < NDIST; i++)
        w[i] = (o->provs >> districts[i].prov) & 1 ? districts[i].contam + floor : 0;
    return rng_pick(r, w, NDIST);
}

/* ---- output files ---------------------------------------------------------------------------- */

enum { OUT_HXL = 1, OUT_EXCEL = 2, OUT_BROKEN = 4 };

/* One CSV file being written. Write errors are sticky: the first errno is kept. */
struct out {
    FILE *f;
    const char *path;
    const struct madi_kind *k;
    char sep;
    char special[5]; /* characters that make a cell need quotes */
    const char *eol;
    size_t col;
    int bad, errnum;
    unsigned long long rows;
    char *buf;
};

static void out_fail(struct out *o)
{
    if (!o->bad) {
        o->bad = 1;
        o->errnum = errno ? errno : EIO;
    }
}

static void put(struct out *o, const char *s)
{
    if (fputs(s, o->f) == EOF)
        out_fail(o);
}

static void putch(struct out *o, char c)
{
    if (putc(c, o->f) == EOF)
        out_fail(o);
}

static void cell(struct out *o, const char *s)
{
    if (o->col++)
        putch(o, o->sep);
    if (!strpbrk(s, o->special)) {
        put(o, s);
        return;
    }
    putch(o, '"');
    for (; *s; s++) {
        if (*s == '"')
            putch(o, '"');
        putch(o, *s);
    }
    putch(o, '"');
}

static void cell_int(struct out *o, long long v)
{
    char b[32];
    (void)snprintf(b, sizeof(b), "%lld", v);
    cell(o, b);
}

/* A count, or blank when v < 0. */
static void cell_opt(struct out *o, long long v)
{
    if (v < 0)
        cell(o, "");
    else
        cell_int(o, v);
}

static void cell_date(struct out *o, int day)
{
    char b[32];
    cell(o, day < 0 ? "" : fmt_date(day, b));
}

/* Square metres held in tenths; blank when < 0. */
static void cell_m2(struct out *o, long long tenths)
{
    char b[32];
    if (tenths < 0) {
        cell(o, "");
        return;
    }
    if (tenths % 10)
        (void)snprintf(b, sizeof(b), "%lld.%lld", tenths / 10, tenths % 10);
    else
        (void)snprintf(b, sizeof(b), "%lld", tenths / 10);
    cell(o, b);
}

/* A code from `names`, or blank when i < 0. */
static void cell_code(struct out *o, const char *const *names, int i)
{
    cell(o, i < 0 ? "" : names[i]);
}

static void end_row(struct out *o)
{
    MADI_ASSERT(o->col <= o->k->nfields);
    while (o->col < o->k->nfields)
        cell(o, ""); /* optional columns the programme does not fill */
    put(o, o->eol);
    o->col = 0;
    o->rows++;
}

static struct madi_demo_file *add_file(struct gen *g, const char *name, const char *kind,
                                       const char *what, int broken)
{
    if (g->d.n == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 64;
        g->d.files = xrealloc(g->d.files, g->cap * sizeof(*g->d.files));
    }
    struct madi_demo_file *f = &g->d.files[g->d.n++];
    f->path = xasprintf("%.*s/%s", (int)g->dirlen, g->dir, name);
    f->kind = kind;
    f->what = what;
    f->broken = broken;
    return f;
}

/* Create the file, add it to the list, write its header (and HXL row). */
static int out_open(struct gen *g, struct out *o, const char *name, const char *kind,
                    const char *what, unsigned flags)
{
    memset(o, 0, sizeof(*o));
    o->k = madi_kind_find(kind);
    MADI_ASSERT(o->k);
    o->path = add_file(g, name, o->k->name, what, (flags & OUT_BROKEN) != 0)->path;
    o->sep = (flags & OUT_EXCEL) ? ';' : ',';
    o->eol = (flags & OUT_EXCEL) ? "\r\n" : "\n";
    o->special[0] = o->sep;
    memcpy(o->special + 1, "\"\r\n", 4);
    errno = 0;
    o->f = fopen(o->path, "wb");
    if (!o->f)
        return madi_err_set(g->err, MADI_EIO, "cannot create %s: %s", o->path, strerror(errno));
    o->buf = xmalloc(IOBUF);
    (void)setvbuf(o->f, o->buf, _IOFBF, IOBUF);
    if (flags & OUT_EXCEL)
        put(o, "\xef\xbb\xbf");
    for (size_t i = 0; i < o->k->nfields; i++)
        cell(o, o->k->fields[i].name);
    put(o, o->eol);
    o->col = 0;
    if (flags & OUT_HXL) {
        for (size_t i = 0; i < o->k->nfields; i++) {
            const char *h = o->k->fields[i].hxl ? o->k->fields[i].hxl : "";
            char tag[128];
            (void)snprintf(tag, sizeof(tag), "%.*s", (int)strcspn(h, "|"), h);
            cell(o, tag);
        }
        put(o, o->eol);
        o->col = 0;
    }
    return MADI_OK;
}

/* Close the file; when rc is already an error, just close quietly and pass rc on. */
static int out_finish(struct gen *g, struct out *o, int rc)
{
    if (o->f) {
        if (ferror(o->f))
            out_fail(o);
        errno = 0;
        if (fclose(o->f) != 0)
            out_fail(o);
        o->f = NULL;
    }
    free(o->buf);
    o->buf = NULL;
    if (rc)
        return rc;
    if (o->bad)
        return madi_err_set(g->err, MADI_EIO, "cannot write %s: %s", o->path, strerror(o->errnum));
    g->d.rows += o->rows;
    return MADI_OK;
}

/* ---- planning -------------------------------------------------------------------------------- */

/* A land release operator working in province `prov` (who surveyed a hazard there). */
static int pick_lr_op(struct rng *r, int prov)
{
    int w[NOPS];
    for (int i = 0; i < NOPS; i++)
        w[i] = (ops[i].acts & ACT_LR) && ((ops[i].provs >> prov) & 1) ? ops[i].lr : 0;
    return rng_pick(r, w, NOPS);
}

static void plan_hazards(struct gen *g)
{
    static const int device_w[5] = { 50, 15, 20, 10, 5 };
    struct rng r;
    int w[NDIST];
    rng_seed(&r, g->seed, stream(S_HAZARDS, 0, 0));
    for (int i = 0; i < NDIST; i++)
        w[i] = districts[i].contam;
    for (int i = 0; i < NHAZARDS; i++) {
        struct hazard *h = &g->hz[i];
        h->district = rng_pick(&r, w, NDIST);
        h->cha = rng_pm(&r, 550);
        h->size10 = h->cha ? rng_range(&r, 3000, 120000) * 10 : rng_range(&r, 20000, 400000) * 10;
        if (rng_pm(&r, 100))
            h->size10 += rng_range(&r, 1, 9);
        h->device = rng_pick(&r, device_w, 5);
        h->org = rng_pm(&r, 150) ? -1 : pick_lr_op(&r, districts[h->district].prov);
        /* The baseline survey of early 2023, then new areas as they are reported. */
        h->recorded = rng_pm(&r, 700) ? rng_range(&r, 0, 89) : rng_range(&r, 90, LAST_DAY - 30);
        h->released = -1;
    }
}

static void plan_teams(struct gen *g)
{
    struct rng r;
    rng_seed(&r, g->seed, stream(S_TEAMS, 0, 0));
    for (int o = 0; o < NOPS; o++) {
        for (int t = 0; t < 4; t++) {
            for (int k = 0; k < ops[o].teams[t]; k++) {
                MADI_ASSERT(g->nteams < MAXTEAMS);
                struct team *tm = &g->teams[g->nteams++];
                int pct = ops[o].women_pct + (t == 1 || t == 2 ? 20 : 0);
                tm->op = o;
                tm->type = t;
                tm->members = rng_range(&r, 3, 8);
                for (int m = 0; m < tm->members; m++)
                    tm->female += rng_pm(&r, pct * 10);
                tm->male = tm->members - tm->female;
                if (rng_pm(&r, 150)) {
                    /* One member's sex was not recorded: they say so, or leave it blank. */
                    if (tm->male)
                        tm->male--;
                    else
                        tm->female--;
                    tm->unknown = rng_pm(&r, 500) ? 1 : -1;
                }
                tm->from = rng_pm(&r, 600) ? rng_range(&r, 0, 60) : rng_range(&r, 61, 540);
                tm->to = rng_pm(&r, 150) ? tm->from + rng_range(&r, 200, 500) : -1;
                if (tm->to > LAST_DAY)
                    tm->to = -1;
            }
        }
    }
}

static int cmp_task(const void *a, const void *b)
{
    const struct task *x = a, *y = b;
    if (x->start != y->start)
        return (x->start > y->start) - (x->start < y->start);
    if (x->op != y->op)
        return (x->op > y->op) - (x->op < y->op);
    return (x->y > y->y) - (x->y < y->y);
}

/* A hazard the operator can work on at `day`, or -1. */
static int pick_hazard(struct gen *g, struct rng *r, const struct op_def *o, int day)
{
    int cand[NHAZARDS], n = 0;
    for (int i = 0; i < NHAZARDS; i++) {
        const struct hazard *h = &g->hz[i];
        if (((o->provs >> districts[h->district].prov) & 1) && h->recorded <= day &&
            (h->released < 0 || h->released > day))
            cand[n++] = i;
    }
    return n ? cand[rng_below(r, (uint32_t)n)] : -1;
}

static void plan_task(struct gen *g, struct rng *r, struct task *t)
{
    static const int dur[4][2] = { { 1, 10 }, { 5, 40 }, { 15, 150 }, { 0, 1 } };
    const struct op_def *o = &ops[t->op];
    t->act = rng_pick(r, o->lr_mix, 4);
    t->hazard = t->act == LR_EOD ? -1 : pick_hazard(g, r, o, t->start);
    if (t->hazard < 0)
        t->act = LR_EOD;
    t->district = t->hazard >= 0 ? g->hz[t->hazard].district : pick_district(r, o, 1);
    t->end = t->start + rng_range(r, dur[t->act][0], dur[t->act][1]);
    if (t->end > LAST_DAY)
        t->end = -1; /* still going at the end of 2025 */
    if (t->hazard >= 0) {
        struct hazard *h = &g->hz[t->hazard];
        h->worked = 1;
        if (t->end >= 0 && t->act != LR_TS && (h->released < 0 || t->end < h->released))
            h->released = t->end;
    }
}

/* Land release tasks, in start order across operators, so hazards are released in time. */
static void plan_tasks(struct gen *g)
{
    struct rng r;
    size_t cap = 0;
    for (int o = 0; o < NOPS; o++)
        for (int y = 0; y < NYEARS; y++)
            if (ops[o].acts & ACT_LR)
                cap += scaled(g, ops[o].lr * year_factor[y], 5);
    g->tasks = xcalloc(cap ? cap : 1, sizeof(*g->tasks));
    for (int o = 0; o < NOPS; o++) {
        for (int y = 0; y < NYEARS && (ops[o].acts & ACT_LR); y++) {
            size_t n = scaled(g, ops[o].lr * year_factor[y], 5);
            rng_seed(&r, g->seed, stream(S_TASKS, o, y));
            int *days = random_days(&r, y, n);
            for (size_t i = 0; i < n; i++) {
                struct task *t = &g->tasks[g->ntasks++];
                t->op = o;
                t->y = y;
                t->start = days[i];
            }
            free(days);
        }
    }
    qsort(g->tasks, g->ntasks, sizeof(*g->tasks), cmp_task);
    rng_seed(&r, g->seed, stream(S_TASKS, 0xff, 0xff));
    for (size_t i = 0; i < g->ntasks; i++)
        plan_task(g, &r, &g->tasks[i]);
    for (int i = 0; i < NHAZARDS; i++) {
        static const int status_w[3] = { 78, 10, 12 };
        struct hazard *h = &g->hz[i];
        if (h->released >= 0)
            h->status = 3;
        else if (h->worked)
            h->status = 0;
        else
            h->status = rng_pick(&r, status_w, 3);
    }
}

/* Sessions of the operators that keep attendance lists, by operator, year and date. */
static void plan_sessions(struct gen *g)
{
    struct rng r;
    size_t cap = 0;
    for (int o = 0; o < NOPS; o++)
        for (int y = 0; y < NYEARS; y++)
            if (ops[o].acts & ACT_LIST)
                cap += scaled(g, ops[o].sessions * year_factor[y], 4);
    g->ss = xcalloc(cap ? cap : 1, sizeof(*g->ss));
    for (int o = 0; o < NOPS; o++) {
        for (int y = 0; y < NYEARS; y++) {
            g->ss_range[o][y][0] = g->ss_range[o][y][1] = g->nss;
            if (!(ops[o].acts & ACT_LIST))
                continue;
            size_t n = scaled(g, ops[o].sessions * year_factor[y], 4);
            rng_seed(&r, g->seed, stream(S_SESSIONS, o, y));
            int *days = random_days(&r, y, n);
            for (size_t i = 0; i < n; i++) {
                struct session *s = &g->ss[g->nss++];
                int size;
                s->op = o;
                s->y = y;
                s->day = days[i];
                s->district = pick_district(&r, &ops[o], 2);
                s->school = rng_pm(&r, 400);
                s->community = !s->school && rng_pm(&r, 300);
                size = s->school ? rng_range(&r, 40, 110) : rng_range(&r, 12, 55);
                s->seats_child =
                        size * (s->school ? rng_range(&r, 88, 95) : rng_range(&r, 30, 50)) / 100;
                s->seats_adult = size - s->seats_child;
            }
            free(days);
            g->ss_range[o][y][1] = g->nss;
        }
    }
}

static void make_person(struct rng *r, const struct district_def *dd, int child, struct person *p)
{
    static const int minority_w[5] = { 50, 25, 12, 10, 3 };
    int age = child ? (rng_pm(r, 80) ? rng_range(r, 1, 3) : rng_range(r, 4, 16))
                    : (rng_pm(r, 600)   ? rng_range(r, 17, 40)
                       : rng_pm(r, 750) ? rng_range(r, 41, 59)
                                        : rng_range(r, 60, 85));
    int x;
    memset(p, 0, sizeof(*p));
    p->female = (uint8_t)rng_pm(r, child ? 490 : 560);
    p->birth_year = (uint16_t)(FIRST_YEAR - age);
    p->birth_doy = (uint16_t)rng_below(r, 365);
    p->disabled = (uint8_t)rng_pm(r, age < 18 ? 30 : age < 60 ? 70 : 220);
    for (int i = 0; i < 6; i++)
        p->wg[i] = (uint8_t)(rng_pm(r, age < 60 ? 100 : 300) ? 2 : 1);
    if (p->disabled)
        p->wg[rng_below(r, 6)] = (uint8_t)(rng_pm(r, 250) ? 4 : 3);
    x = rng_range(r, 0, 99);
    p->displacement = (uint8_t)(x < dd->idp_pct       ? 1
                                : x < dd->idp_pct + 5 ? 3
                                : x < dd->idp_pct + 7 ? 2
                                                      : 0);
    if (rng_pm(r, 10))
        p->displacement = 4;
    p->minority = (uint8_t)(rng_pm(r, dd->minority_pct * 10) ? 1 + rng_pick(r, minority_w, 5) : 0);
    if (rng_pm(r, 20))
        p->minority = 6;
    p->fhh = (uint8_t)(rng_pm(r, 30) ? 2 : rng_pm(r, p->displacement == 1 ? 350 : 200));
    p->caregiver = (uint8_t)(age >= 18   ? rng_pm(r, p->female ? 550 : 180)
                             : age >= 12 ? rng_pm(r, 80)
                                         : 0);
}

struct seat_pool {
    uint32_t *slots;
    size_t n, cur;
};

/* Fill the pool with persons [first, first + np), `contacts` slots in all, shuffled. */
static void pool_fill(struct rng *r, struct seat_pool *pl, uint32_t first, uint32_t np,
                      size_t contacts, uint32_t *counts)
{
    size_t k = 0;
    pl->n = contacts;
    pl->cur = 0;
    for (uint32_t i = 0; i < np; i++)
        counts[i] = 1;
    for (size_t e = np; e < contacts; e++)
        counts[rng_below(r, np)]++;
    for (uint32_t i = 0; i < np; i++)
        for (uint32_t c = 0; c < counts[i]; c++)
            pl->slots[k++] = first + i;
    MADI_ASSERT(k == contacts);
    shuffle_u32(r, pl->slots, contacts);
}

/* The next person of the pool not yet seated at session `stamp`, or NO_PERSON. */
static uint32_t pool_take(struct gen *g, struct rng *r, struct seat_pool *pl, uint32_t stamp)
{
    while (pl->cur < pl->n) {
        uint32_t p = pl->slots[pl->cur];
        if (g->people[p].stamp != stamp) {
            g->people[p].stamp = stamp;
            pl->cur++;
            return p;
        }
        /* Already seated here: swap in a later contact, or drop this one. */
        size_t left = pl->n - pl->cur - 1;
        int swapped = 0;
        for (int t = 0; t < 8 && left && !swapped; t++) {
            size_t j = pl->cur + 1 + rng_below(r, (uint32_t)left);
            if (g->people[pl->slots[j]].stamp != stamp) {
                pl->slots[pl->cur] = pl->slots[j];
                pl->slots[j] = p;
                swapped = 1;
            }
        }
        if (!swapped)
            pl->cur++;
    }
    return NO_PERSON;
}

struct seat_key {
    int district, day;
    uint32_t idx;
};

static int cmp_seat_key(const void *a, const void *b)
{
    const struct seat_key *x = a, *y = b;
    if (x->district != y->district)
        return (x->district > y->district) - (x->district < y->district);
    if (x->day != y->day)
        return (x->day > y->day) - (x->day < y->day);
    return (x->idx > y->idx) - (x->idx < y->idx);
}

static void seat_session(struct gen *g, struct rng *r, uint32_t sidx, struct seat_pool *child,
                         struct seat_pool *adult)
{
    struct session *s = &g->ss[sidx];
    s->first = (uint32_t)g->natt;
    for (int i = 0; i < s->seats_child + s->seats_adult; i++) {
        int want_child = i < s->seats_child;
        uint32_t p = pool_take(g, r, want_child ? child : adult, sidx + 1);
        if (p == NO_PERSON)
            p = pool_take(g, r, want_child ? adult : child, sidx + 1);
        if (p == NO_PERSON)
            break;
        g->att[g->natt++] = p;
    }
    s->n = (uint32_t)(g->natt - s->first);
    shuffle_u32(r, g->att + s->first, s->n);
}

/* People for `contacts` seats at about 2.5 contacts each. */
static uint32_t people_for(size_t contacts)
{
    return (uint32_t)((contacts * 2 + 4) / 5);
}

/* Each district's people, then who sits at which session, in date order. */
static void plan_people(struct gen *g)
{
    size_t need[NDIST][2], seats = 0, maxc = 0;
    uint32_t first[NDIST], np[NDIST][2], maxp = 1;
    struct seat_pool pool[2];
    struct seat_key *keys = xmalloc((g->nss ? g->nss : 1) * sizeof(*keys));
    struct rng r;
    memset(need, 0, sizeof(need));
    for (size_t i = 0; i < g->nss; i++) {
        need[g->ss[i].district][0] += (size_t)g->ss[i].seats_child;
        need[g->ss[i].district][1] += (size_t)g->ss[i].seats_adult;
        seats += (size_t)(g->ss[i].seats_child + g->ss[i].seats_adult);
        keys[i].district = g->ss[i].district;
        keys[i].day = g->ss[i].day;
        keys[i].idx = (uint32_t)i;
    }
    for (int d = 0; d < NDIST; d++) {
        first[d] = (uint32_t)g->npeople;
        for (int c = 0; c < 2; c++) {
            np[d][c] = people_for(need[d][c]);
            g->npeople += np[d][c];
            maxc = need[d][c] > maxc ? need[d][c] : maxc;
            maxp = np[d][c] > maxp ? np[d][c] : maxp;
        }
    }
    g->key_salt = mix64(g->seed ^ 0x706572736f6e6b65ULL);
    g->people = xcalloc(g->npeople ? g->npeople : 1, sizeof(*g->people));
    g->att = xmalloc((seats ? seats : 1) * sizeof(*g->att));
    for (int d = 0; d < NDIST; d++) {
        rng_seed(&r, g->seed, stream(S_PEOPLE, d, 0));
        for (uint32_t i = 0; i < np[d][0] + np[d][1]; i++)
            make_person(&r, &districts[d], i < np[d][0], &g->people[first[d] + i]);
    }
    qsort(keys, g->nss, sizeof(*keys), cmp_seat_key);
    uint32_t *counts = xmalloc(maxp * sizeof(*counts));
    for (int c = 0; c < 2; c++)
        pool[c].slots = xmalloc((maxc ? maxc : 1) * sizeof(uint32_t));
    for (size_t k = 0; k < g->nss;) {
        int d = keys[k].district;
        rng_seed(&r, g->seed, stream(S_SEATS, d, 0));
        pool_fill(&r, &pool[0], first[d], np[d][0], need[d][0], counts);
        pool_fill(&r, &pool[1], first[d] + np[d][0], np[d][1], need[d][1], counts);
        for (; k < g->nss && keys[k].district == d; k++)
            seat_session(g, &r, keys[k].idx, &pool[0], &pool[1]);
    }
    free(pool[0].slots);
    free(pool[1].slots);
    free(counts);
    free(keys);
}

/* ---- what an attendance row records ---------------------------------------------------------- */

struct att_rules {
    int sex_u, sex_blank;        /* permille recorded as U, left blank */
    int age, band, age_and_band; /* permille exact age, band only, band beside the age */
    int eore_bands;              /* bands of the risk education set (18-59) */
    int disab;                   /* 0 not recorded, 1 yes/no/unknown, 2 WG-SS answers */
    int dis_unknown, dis_blank;  /* permille */
    int displacement, minority, fhh, caregiver; /* permille recorded */
    int record_id;
};

static const struct att_rules att_rules[ATT_MEDIA + 1] = {
    [ATT_EXACT] = { 10, 15, 900, 60, 0, 1, 1, 50, 30, 950, 900, 850, 900, 1 },
    [ATT_WG] = { 8, 10, 850, 100, 0, 1, 2, 500, 0, 950, 0, 900, 900, 1 },
    [ATT_BANDS] = { 20, 20, 150, 750, 500, 1, 0, 0, 0, 800, 0, 0, 0, 0 },
    [ATT_FLAG] = { 10, 10, 930, 40, 0, 0, 1, 30, 10, 970, 950, 950, 950, 1 },
};

struct rec {
    char sex;                                   /* 'F', 'M', 'U'; 0 = blank */
    int age, band;                              /* -1 = blank */
    int disab;                                  /* index in yesno_names; -1 = blank */
    int wg[6];                                  /* 1-4 or 8; 0 = blank */
    int displacement, minority, fhh, caregiver; /* index in their names; -1 = blank */
};

static int age_at(const struct person *p, int day)
{
    int a = year_of(day) - p->birth_year - (doy_of(day) < p->birth_doy);
    return a < 0 ? 0 : a;
}

/* What the operator wrote down about attendee `pos` of session `sidx`: the same every call. */
static void record(const struct gen *g, size_t sidx, uint32_t pos, struct rec *rc)
{
    const struct session *s = &g->ss[sidx];
    const struct person *p = &g->people[g->att[s->first + pos]];
    const struct att_rules *ru = &att_rules[ops[s->op].att];
    int age = age_at(p, s->day), x;
    struct rng r;
    rng_seed(&r, g->seed, (1ULL << 63) | ((uint64_t)sidx << 24) | pos);
    memset(rc, 0, sizeof(*rc));
    x = (int)rng_below(&r, 1000);
    rc->sex = (char)(x < ru->sex_u                   ? 'U'
                     : x < ru->sex_u + ru->sex_blank ? '\0'
                     : p->female                     ? 'F'
                                                     : 'M');
    x = (int)rng_below(&r, 1000);
    rc->age = x < ru->age ? age : -1;
    rc->band = -1;
    if ((x < ru->age && rng_pm(&r, ru->age_and_band)) || (x >= ru->age && x < ru->age + ru->band))
        rc->band = band_of(age, ru->eore_bands);
    rc->disab = -1;
    if (ru->disab == 1) {
        x = (int)rng_below(&r, 1000);
        rc->disab = x < ru->dis_unknown                   ? 2
                    : x < ru->dis_unknown + ru->dis_blank ? -1
                                                          : p->disabled;
    } else if (ru->disab == 2 && age >= 18 && rng_pm(&r, 850)) {
        for (int i = 0; i < 6; i++)
            rc->wg[i] = p->wg[i];
        if (rng_pm(&r, 30))
            rc->wg[rng_below(&r, 6)] = MADI_WG_DONTKNOW;
    } else if (ru->disab == 2) {
        rc->disab = rng_pm(&r, ru->dis_unknown) ? 2 : -1;
    }
    rc->displacement = rng_pm(&r, ru->displacement) ? p->displacement : -1;
    rc->minority = rng_pm(&r, ru->minority) ? p->minority : -1;
    rc->fhh = rng_pm(&r, ru->fhh) ? p->fhh : -1;
    rc->caregiver = age >= 12 && rng_pm(&r, ru->caregiver) ? p->caregiver : -1;
}

/* 1 adult, 0 child, -1 not known from the row. */
static int rec_adult(const struct rec *rc)
{
    if (rc->age >= 0)
        return rc->age >= 18;
    if (rc->band >= 0)
        return bands[rc->band].lo >= 18;
    return -1;
}

struct tally {
    long n, sexage[5]; /* girls, boys, women, men, unknown */
    long dis[3];       /* with, without, unknown or not recorded */
    long displaced;
};

static void tally_add(struct tally *t, const struct rec *rc)
{
    int adult = rec_adult(rc), status = MADI_UNKNOWN;
    t->n++;
    if (adult < 0 || (rc->sex != 'F' && rc->sex != 'M'))
        t->sexage[4]++;
    else
        t->sexage[(adult ? 2 : 0) + (rc->sex == 'M')]++;
    if (rc->disab >= 0) {
        status = rc->disab == 0 ? MADI_NO : rc->disab == 1 ? MADI_YES : MADI_UNKNOWN;
    } else if (rc->wg[0]) {
        status = madi_wg_status(rc->wg);
    }
    t->dis[status == MADI_YES ? 0 : status == MADI_NO ? 1 : 2]++;
    if (rc->displacement >= 1 && rc->displacement <= 3)
        t->displaced++;
}

/* ---- small helpers for counts ---------------------------------------------------------------- */

/* How many of n people have a property of probability pm/1000. */
static long binom(struct rng *r, long n, int pm)
{
    long k = 0;
    for (long i = 0; i < n; i++)
        k += rng_pm(r, pm);
    return k;
}

/* Split n people into k groups by weights: person by person when few, else by share. */
static void split(struct rng *r, long n, const int *w, int k, long *out)
{
    long wj[8], sum = 0, given = 0;
    MADI_ASSERT(k <= 8);
    for (int i = 0; i < k; i++)
        out[i] = 0;
    if (n <= 400) {
        for (long i = 0; i < n; i++)
            out[rng_pick(r, w, k)]++;
        return;
    }
    for (int i = 0; i < k; i++) {
        wj[i] = (long)w[i] * rng_range(r, 90, 110);
        sum += wj[i];
    }
    for (int i = 0; i < k; i++) {
        out[i] = n * wj[i] / sum;
        given += out[i];
    }
    out[0] += n - given;
}

/* Blank the parts a file leaves out: 0 all given, 1 unknown blank, 2 only [a, b], 3 none. */
static void blank_parts(long *part, int style, int a, int b)
{
    for (int i = 0; i < 5; i++)
        if (style == 3 || (style == 1 && i == 4) || (style == 2 && i != a && i != b))
            part[i] = -1;
}

static void cells_parts(struct out *o, const long *part)
{
    for (int i = 0; i < 5; i++)
        cell_opt(o, part[i]);
}

/* ---- registers ------------------------------------------------------------------------------- */

/* prequalified, built or improved a PSEA policy after it, and a gender policy. */
static const char *const prequal[NOPS][3] = {
    { "no", "", "" },        { "yes", "yes", "yes" },    { "yes", "no", "yes" },
    { "yes", "yes", "no" },  { "yes", "yes", "yes" },    { "no", "", "" },
    { "yes", "yes", "yes" }, { "yes", "no", "unknown" }, { "no", "", "" },
    { "yes", "yes", "yes" },
};

static int write_orgs(struct gen *g)
{
    struct out o;
    int rc = out_open(g, &o, "01_organisations.csv", "organisation",
                      "organisation register: the ten operators, their accreditation and policies",
                      OUT_HXL);
    for (int i = 0; !rc && i < NOPS; i++) {
        const struct op_def *op = &ops[i];
        cell(&o, op->code);
        cell(&o, op->name);
        cell(&o, op->type);
        cell(&o, op->accreditation);
        cell(&o, op->psea);
        cell(&o, op->safeguarding);
        cell(&o, op->gender);
        cell(&o, op->dp);
        /* pre-qualification: seven operators went through it in 2024 */
        cell(&o, prequal[i][0]);
        cell(&o, prequal[i][1]);
        cell(&o, prequal[i][2]);
        end_row(&o);
    }
    return out_finish(g, &o, rc);
}

/* The centre's reporting plan: every operator reports each kind it works in, every year;
 * sessions, tasks and consultations quarterly, staff lists and trainings once a year. */
static int write_reporting_plan(struct gen *g)
{
    static const struct {
        unsigned act;
        const char *kind, *freq;
    } plan[] = { { ACT_EORE, "eore", "quarterly" },
                 { ACT_LIST, "eore-attendance", "quarterly" },
                 { ACT_LR, "land-release", "quarterly" },
                 { ACT_CONS, "consultation", "quarterly" },
                 { 0, "workforce", "annual" } };
    struct out o;
    int rc = out_open(g, &o, "06_reporting_plan.csv", "reporting-plan",
                      "the centre's reporting plan: who reports what, and how often", 0);
    for (int i = 0; !rc && i < NOPS; i++)
        for (size_t k = 0; k < sizeof(plan) / sizeof(plan[0]); k++) {
            if (plan[k].act && !(ops[i].acts & plan[k].act))
                continue;
            if (plan[k].act == ACT_EORE && ops[i].att == ATT_MEDIA)
                continue; /* media campaigns report once, at the end of the year */
            for (int y = 0; y < NYEARS; y++) {
                cell(&o, ops[i].code);
                cell(&o, plan[k].kind);
                cell_int(&o, FIRST_YEAR + y);
                cell(&o, plan[k].freq);
                end_row(&o);
            }
        }
    return out_finish(g, &o, rc);
}

/* The authority's and the centre's answers to the WPS scorecard where data cannot show it. */
static int write_self_assessment(struct gen *g)
{
    static const char *const rows[][5] = {
        { "authority.legislation", "2024-03-01", "no", "national mine action authority", "" },
        { "authority.legislation", "2025-11-01", "partly", "national mine action authority",
          "draft decree on gender in mine action before parliament" },
        { "authority.strategy", "2024-03-01", "yes", "national mine action authority",
          "national mine action strategy 2023-2027, section 4" },
        { "authority.resources", "2025-11-01", "no", "national mine action authority",
          "no budget line yet" },
        { "authority.standards", "2025-06-15", "partly", "national mine action authority",
          "NMAS 05.10 revised; risk education standard pending" },
        { "centre.national_plan", "2025-11-01", "partly", "national mine action centre",
          "the WPS national action plan cites mine action; no joint indicators yet" },
    };
    struct out o;
    int rc = out_open(g, &o, "91_self_assessment.csv", "self-assessment",
                      "the authority's and the centre's self-assessment for the WPS scorecard", 0);
    for (size_t i = 0; !rc && i < sizeof(rows) / sizeof(rows[0]); i++) {
        for (int c = 0; c < 5; c++)
            cell(&o, rows[i][c]);
        end_row(&o);
    }
    return out_finish(g, &o, rc);
}

/* National targets from the (fictional) national mine action strategy 2023-2027. */
static int write_targets(struct gen *g)
{
    static const char *const rows[][6] = {
        { "staff.women_share", "2027", "all", "40", "25", "2023" },
        { "staff.women_share_leadership", "2027", "all", "30", "15", "2023" },
        { "teams.share_trained_gd", "2026", "all", "100", "20", "2023" },
        { "consultation.share_with_women", "2025", "all", "100", "", "" },
        { "consultation.share_with_pwd", "2027", "all", "90", "50", "2023" },
        { "data.saddd_coverage", "2026", "all", "95", "60", "2023" },
        { "eore.share_pwd", "2027", "all", "8", "1", "2023" },
        { "eore.participants", "2025", "sex=F", "60000", "", "" },
        { "casualties.share_children", "2027", "all", "25", "45", "2023" },
    };
    struct out o;
    int rc = out_open(g, &o, "90_targets.csv", "target",
                      "national targets of the mine action strategy 2023-2027", 0);
    for (size_t i = 0; !rc && i < sizeof(rows) / sizeof(rows[0]); i++) {
        for (int c = 0; c < 6; c++)
            cell(&o, rows[i][c]);
        cell(&o, "national mine action strategy 2023-2027");
        end_row(&o);
    }
    return out_finish(g, &o, rc);
}

static int write_areas(struct gen *g)
{
    struct out o;
    int rc = out_open(g, &o, "02_areas.csv", "area",
                      "area register: the country, its provinces and districts (parents first)",
                      OUT_HXL);
    if (rc)
        goto done;
    cell(&o, "RM");
    cell(&o, "Republic of Meridia");
    cell_int(&o, 0);
    cell(&o, "");
    end_row(&o);
    for (int p = 0; p < NPROV; p++) {
        cell(&o, provinces[p].code);
        cell(&o, provinces[p].name);
        cell_int(&o, 1);
        cell(&o, "RM");
        end_row(&o);
        for (int d = 0; d < NDIST; d++) {
            if (districts[d].prov != p)
                continue;
            cell(&o, districts[d].code);
            cell(&o, districts[d].name);
            cell_int(&o, 2);
            cell(&o, provinces[p].code);
            end_row(&o);
        }
    }
done:
    return out_finish(g, &o, rc);
}

static int write_hazards(struct gen *g)
{
    static const char *const status_names[4] = { "open", "suspended", "closed", "released" };
    struct out o;
    int rc = out_open(g, &o, "03_hazards.csv", "hazard",
                      "hazardous area register (SHA and CHA) from the baseline and later surveys",
                      OUT_HXL);
    for (int i = 0; !rc && i < NHAZARDS; i++) {
        const struct hazard *h = &g->hz[i];
        char code[16];
        (void)snprintf(code, sizeof(code), "HA-%04d", i + 1);
        cell(&o, code);
        cell(&o, h->cha ? "CHA" : "SHA");
        cell(&o, status_names[h->status]);
        cell(&o, districts[h->district].code);
        cell(&o, h->org >= 0 ? ops[h->org].code : "");
        cell_m2(&o, h->size10);
        cell(&o, device_names[h->device]);
        cell_date(&o, h->recorded);
        end_row(&o);
    }
    return out_finish(g, &o, rc);
}

static void team_id(size_t i, char out[16])
{
    (void)snprintf(out, 16, "TEAM-%02zu", i + 1);
}

static int write_teams(struct gen *g)
{
    struct out o;
    int rc = out_open(g, &o, "04_survey_teams.csv", "survey-team",
                      "survey, community liaison and risk education teams, their size by sex",
                      OUT_HXL);
    for (size_t i = 0; !rc && i < g->nteams; i++) {
        const struct team *t = &g->teams[i];
        char id[16];
        team_id(i, id);
        cell(&o, id);
        cell(&o, ops[t->op].code);
        cell(&o, team_type_names[t->type]);
        cell_int(&o, t->members);
        cell_int(&o, t->female);
        cell_int(&o, t->male);
        cell_opt(&o, t->unknown);
        cell_date(&o, t->from);
        cell_date(&o, t->to);
        end_row(&o);
    }
    return out_finish(g, &o, rc);
}

static int write_population(struct gen *g)
{
    /* Share of each canonical band (permille) and women in it (permille): a young country. */
    static const int band_pm[6] = { 140, 180, 130, 120, 360, 70 };
    static const int female_pm[6] = { 490, 490, 492, 480, 505, 560 };
    static const char *const source[NYEARS] = { "census", "estimate", "projection" };
    /* Persons with disabilities per thousand in each band (rising with age). */
    static const int disabled_pm[6] = { 15, 25, 35, 45, 80, 250 };
    struct out o;
    struct rng r, extra;
    int rc = out_open(g, &o, "05_population.csv", "population",
                      "population baselines by district, year, sex and age band", 0);
    rng_seed(&r, g->seed, stream(S_POP, 0, 0));
    rng_seed(&extra, g->seed, stream(S_POP, 1, 0));
    for (int d = 0; !rc && d < NDIST; d++) {
        long long base = (long long)districts[d].pop_k * 1000;
        int growth = rng_range(&r, 15, 35); /* permille a year */
        for (int y = 0; y < NYEARS; y++) {
            long long total = base;
            for (int k = 0; k < y; k++)
                total += total * growth / 1000;
            for (int sex = 0; sex < 2; sex++) {
                for (int b = 0; b < 6; b++) {
                    long long n = total * band_pm[b] / 1000;
                    n = n * (sex ? 1000 - female_pm[b] : female_pm[b]) / 1000;
                    cell(&o, districts[d].code);
                    cell_int(&o, FIRST_YEAR + y);
                    cell(&o, sex ? "M" : "F");
                    cell(&o, bands[b].label);
                    n += rng_range(&r, -(int)(n / 100), (int)(n / 100));
                    cell_int(&o, n);
                    cell(&o, source[y]);
                    /* the census (2023) asked the WG-SS; displacement is known every year */
                    cell_opt(&o, y == 0 ? n * disabled_pm[b] / 1000 : -1);
                    cell_int(&o,
                             n * districts[d].idp_pct / 100 + rng_range(&extra, 0, (int)(n / 200)));
                    end_row(&o);
                }
            }
        }
    }
    return out_finish(g, &o, rc);
}

/* ---- risk education -------------------------------------------------------------------------- */

/* Sessions of an operator with attendance lists: every count is tallied from the list. */
static int write_eore_list(struct gen *g, int op, int y, const char *name)
{
    struct out o;
    size_t from = g->ss_range[op][y][0], to = g->ss_range[op][y][1];
    int rc = out_open(g, &o, name, "eore",
                      "risk education sessions, counted from the attendance lists (register)", 0);
    for (size_t si = from; !rc && si < to; si++) {
        const struct session *s = &g->ss[si];
        struct tally t;
        struct rec rec;
        char id[40];
        memset(&t, 0, sizeof(t));
        for (uint32_t i = 0; i < s->n; i++) {
            record(g, si, i, &rec);
            tally_add(&t, &rec);
        }
        (void)snprintf(id, sizeof(id), "%s-%d-S%04zu", ops[op].id, FIRST_YEAR + y, si - from + 1);
        cell(&o, id);
        cell_date(&o, s->day);
        cell(&o, ops[op].code);
        cell(&o, districts[s->district].code);
        cell(&o, s->community ? "community" : "interpersonal");
        cell_int(&o, t.n);
        for (int i = 0; i < 5; i++)
            cell_int(&o, t.sexage[i]);
        for (int i = 0; i < 3; i++)
            cell_opt(&o, att_rules[ops[op].att].disab ? t.dis[i] : -1);
        cell_int(&o, t.displaced);
        cell(&o, "register");
        end_row(&o);
    }
    return out_finish(g, &o, rc);
}

static void person_key(const struct gen *g, uint32_t p, char out[17])
{
    madi_format_person_key(mix64(g->key_salt + p), out);
}

/* The cells of an attendance row a broken file gets wrong (NULL: as recorded). */
struct att_mistake {
    const char *sex, *age, *band;
};

static void write_att_row(struct gen *g, struct out *o, size_t sidx, uint32_t pos, size_t row,
                          const struct att_mistake *m)
{
    const struct session *s = &g->ss[sidx];
    const struct op_def *op = &ops[s->op];
    size_t from = g->ss_range[s->op][s->y][0];
    char id[48], sex[2] = { 0, 0 }, key[17];
    struct rec rc;
    record(g, sidx, pos, &rc);
    id[0] = '\0';
    if (att_rules[op->att].record_id)
        (void)snprintf(id, sizeof(id), "%s-%d-A%06zu", op->id, FIRST_YEAR + s->y, row + 1);
    cell(o, id);
    (void)snprintf(id, sizeof(id), "%s-%d-S%04zu", op->id, FIRST_YEAR + s->y, sidx - from + 1);
    cell(o, id);
    cell_date(o, s->day);
    cell(o, op->code);
    cell(o, districts[s->district].code);
    person_key(g, g->att[s->first + pos], key);
    cell(o, key);
    sex[0] = rc.sex;
    cell(o, m && m->sex ? m->sex : sex);
    if (m && m->age)
        cell(o, m->age);
    else
        cell_opt(o, m && m->band ? -1 : rc.age);
    if (m && m->band)
        cell(o, m->band);
    else
        cell(o, rc.band >= 0 && !(m && m->age) ? bands[rc.band].label : "");
    cell_code(o, yesno_names, rc.disab);
    for (int i = 0; i < 6; i++)
        cell_opt(o, rc.wg[i] ? rc.wg[i] : -1);
    cell_code(o, displacement_names, rc.displacement);
    cell_code(o, minority_names, rc.minority);
    cell_code(o, yesno_names, rc.fhh);
    cell_code(o, yesno_names, rc.caregiver);
    end_row(o);
}

static int write_attendance(struct gen *g, int op, int y, const char *name, int broken)
{
    static const struct att_mistake mistakes[4] = { { "Femal", NULL, NULL },
                                                    { NULL, "150", NULL },
                                                    { NULL, NULL, "15-24" },
                                                    { NULL, "9", "18-59" } };
    struct out o;
    size_t from = g->ss_range[op][y][0], to = g->ss_range[op][y][1], total = 0, row = 0;
    int rc = out_open(g, &o, name, "eore-attendance",
                      broken ? "a sex typed 'Femal', an age of 150, an age band 15-24 that does "
                               "not line up with the standard bands, an age of 9 in band 18-59"
                             : "risk education attendance list: one row per person and session",
                      broken ? OUT_BROKEN : 0);
    for (size_t si = from; si < to; si++)
        total += g->ss[si].n;
    for (size_t si = from; !rc && si < to; si++) {
        for (uint32_t i = 0; i < g->ss[si].n; i++, row++) {
            const struct att_mistake *m = NULL;
            for (int k = 0; broken && k < 4; k++)
                if (row == total * (size_t)(2 * k + 1) / 8)
                    m = &mistakes[k];
            write_att_row(g, &o, si, i, row, m);
        }
    }
    return out_finish(g, &o, rc);
}

/* Sessions of an operator that counts heads: breakdowns sometimes partial. */
static void eore_count_row(struct rng *r, struct out *o, int op, int y, size_t i, int day,
                           int mistake)
{
    static const int school_w[5] = { 44, 44, 5, 5, 2 }, community_w[5] = { 15, 15, 33, 30, 7 };
    const struct op_def *opd = &ops[op];
    int d = pick_district(r, opd, 2), school = rng_pm(r, 300), x = rng_range(r, 0, 99);
    long total = school ? rng_range(r, 40, 120) : rng_range(r, 10, 70), part[5], sum = 0;
    char id[40], date[32], iso[32];
    split(r, total, school ? school_w : community_w, 5, part);
    blank_parts(part, x < 65 ? 0 : x < 75 ? 2 : x < 88 ? 1 : 3, school ? 0 : 2, school ? 1 : 3);
    if (mistake == 1) {
        /* The parts were copied from another session: they exceed this one's total. */
        split(r, total, community_w, 5, part);
        part[4] = -1;
        for (int k = 0; k < 4; k++)
            sum += part[k];
        total = sum > 10 ? sum - rng_range(r, 3, 8) : 1;
        if (sum <= total)
            part[3] += total - sum + 5;
    }
    (void)snprintf(id, sizeof(id), "%s-%d-S%04zu", opd->id, FIRST_YEAR + y, i + 1);
    cell(o, id);
    fmt_date(day, iso);
    if (mistake == 2) /* a date that does not exist */
        (void)snprintf(date, sizeof(date), "%d-02-30", FIRST_YEAR + y);
    else if (mistake == 3) /* a date a spreadsheet reformatted */
        (void)snprintf(date, sizeof(date), "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
    else
        (void)snprintf(date, sizeof(date), "%s", iso);
    cell(o, date);
    cell(o, opd->code);
    cell(o, districts[d].code);
    cell(o, school || rng_pm(r, 700) ? "interpersonal" : "community");
    cell_int(o, total);
    cells_parts(o, part);
    cell_opt(o, rng_pm(r, 500) ? binom(r, total, 30) : -1);
    cell(o, "");
    cell(o, "");
    cell_opt(o, rng_pm(r, 400) ? binom(r, total, districts[d].idp_pct * 10) : -1);
    cell(o, "headcount");
    end_row(o);
}

static int write_eore_counts(struct gen *g, int op, int y, const char *name, int broken)
{
    struct out o;
    struct rng r;
    size_t n = scaled(g, ops[op].sessions * year_factor[y], 4);
    int *days = NULL;
    int rc = out_open(g, &o, name, "eore",
                      broken ? "one session's girls+boys+women+men exceed its total; one date is "
                               "February 30; one date was reformatted by a spreadsheet (DD/MM/YYYY)"
                             : "risk education sessions, headcounts with partial breakdowns",
                      broken ? OUT_BROKEN : 0);
    rng_seed(&r, g->seed, stream(S_EORE, op, y));
    days = random_days(&r, y, n);
    for (size_t i = 0; !rc && i < n; i++) {
        int mistake = !broken ? 0 : i == n / 5 ? 1 : i == n / 2 ? 2 : i == 4 * n / 5 ? 3 : 0;
        eore_count_row(&r, &o, op, y, i, days[i], mistake);
    }
    free(days);
    return out_finish(g, &o, rc);
}

/* Radio, TV and social media: estimated reach, nationally or by province. */
static int write_eore_media(struct gen *g, int op, int y, const char *name)
{
    struct out o;
    struct rng r;
    size_t n = scaled(g, ops[op].sessions * year_factor[y], 1);
    int *days = NULL;
    int rc = out_open(g, &o, name, "eore",
                      "risk education through mass and digital media (estimated reach)", 0);
    rng_seed(&r, g->seed, stream(S_EORE, op, y));
    days = random_days(&r, y, n);
    for (size_t i = 0; !rc && i < n; i++) {
        int digital = rng_pm(&r, 300), p = (int)rng_below(&r, NPROV + 2);
        /* Reach is a number of people too, so it follows the scale like everything else. */
        long total = (long)((digital ? rng_range(&r, 1000, 8000) : rng_range(&r, 2000, 15000)) *
                            g->scale);
        total = total < 100 ? 100 : total;
        char id[40];
        (void)snprintf(id, sizeof(id), "%s-%d-S%04zu", ops[op].id, FIRST_YEAR + y, i + 1);
        cell(&o, id);
        cell_date(&o, days[i]);
        cell(&o, ops[op].code);
        cell(&o, p < NPROV ? provinces[p].code : "RM");
        cell(&o, digital ? "digital" : "media");
        cell_int(&o, total);
        cell(&o, "");
        cell(&o, "");
        /* Platform analytics give adults by sex; radio gives nothing. */
        cell_opt(&o, digital ? total * rng_range(&r, 40, 50) / 100 : -1);
        cell_opt(&o, digital ? total * rng_range(&r, 35, 45) / 100 : -1);
        for (int k = 0; k < 5; k++)
            cell(&o, "");
        cell(&o, "media_estimate");
        end_row(&o);
    }
    free(days);
    return out_finish(g, &o, rc);
}

/* ---- land release ---------------------------------------------------------------------------- */

/* The cells of a land release row a broken file gets wrong. */
enum { LR_OK, LR_BAD_AREA, LR_BAD_ORDER, LR_BAD_HAZARD };

static void lr_row(struct gen *g, struct rng *r, struct out *o, const struct task *t, size_t seq,
                   int mistake)
{
    static const int benef_w[5] = { 21, 23, 27, 27, 2 }, indirect_w[3] = { 50, 48, 2 };
    static const int total_range[4][2] = { { 20, 300 }, { 30, 400 }, { 50, 1500 }, { 5, 120 } };
    const struct op_def *op = &ops[t->op];
    const struct hazard *h = t->hazard >= 0 ? &g->hz[t->hazard] : NULL;
    long long size = h ? h->size10 / 10 : 0;
    long total = rng_range(r, total_range[t->act][0], total_range[t->act][1]), part[5], ind[4];
    int x = rng_range(r, 0, 99), start = t->start, end = t->end;
    char id[40], code[16];
    (void)snprintf(id, sizeof(id), "%s-%d-T%03zu", op->id, FIRST_YEAR + t->y, seq);
    cell(o, id);
    cell(o, lr_names[t->act]);
    cell(o, op->code);
    cell(o, mistake == LR_BAD_AREA ? "RM0999" : districts[t->district].code);
    if (h)
        (void)snprintf(code, sizeof(code), "HA-%04d", t->hazard + 1);
    cell(o, mistake == LR_BAD_HAZARD ? "HA-0412" : h ? code : "");
    if (mistake == LR_BAD_ORDER) {
        /* Start and end typed the wrong way round. */
        end = start;
        start = start + 7 <= LAST_DAY ? start + 7 : start;
        end = start == end ? end - 7 : end;
    }
    cell_date(o, start);
    cell_date(o, end);
    cell_m2(o, t->act == LR_NTS ? size * rng_range(r, 30, 100) / 100 * 10 : -1);
    cell_m2(o, t->act == LR_TS ? size * rng_range(r, 20, 70) / 100 * 10 : -1);
    if (t->act == LR_CLEARANCE) {
        long long c = rng_range(r, 2000, 60000);
        cell_m2(o, (c < size ? c : size) * 10);
    } else {
        cell_m2(o, t->act == LR_TS && rng_pm(r, 300) ? size * rng_range(r, 1, 5) / 100 * 10 : -1);
    }
    cell_opt(o, t->act == LR_NTS      ? -1
                : t->act == LR_EOD    ? rng_range(r, 1, 12)
                : t->act == LR_TS     ? rng_range(r, 0, 5)
                : h && h->device == 0 ? rng_range(r, 0, 60)
                                      : rng_range(r, 0, 25));
    split(r, total, benef_w, 5, part);
    blank_parts(part, x < 75 ? 0 : x < 90 ? 1 : 3, 0, 0);
    cell_int(o, total);
    cells_parts(o, part);
    cell_opt(o, op->disability ? total * rng_range(r, 2, 6) / 100 : -1);
    x = rng_range(r, 0, 99);
    if (x < 80) {
        ind[0] = total * rng_range(r, 2, 8);
        split(r, ind[0], indirect_w, 3, ind + 1);
        if (x >= 56)
            ind[3] = -1; /* men and boys, women and girls known; the rest not counted */
    } else {
        ind[0] = ind[1] = ind[2] = ind[3] = -1;
    }
    for (int i = 0; i < 4; i++)
        cell_opt(o, ind[i]);
    cell(o, t->act == LR_EOD   ? "headcount"
            : t->act == LR_NTS ? "household_estimate"
            : rng_pm(r, 700)   ? "household_estimate"
                               : "register");
    end_row(o);
}

static int write_lr(struct gen *g, int op, int y, const char *name, int broken)
{
    struct out o;
    struct rng r;
    size_t n = 0, seq = 0;
    int rc = out_open(g, &o, name, "land-release",
                      broken ? "a district code that does not exist (RM0999), a task that ends "
                               "before it starts, a hazard code not in the register (HA-0412)"
                             : "land release tasks (NTS, TS, clearance, EOD) and beneficiaries",
                      broken ? OUT_BROKEN : 0);
    rng_seed(&r, g->seed, stream(S_LR, op, y));
    for (size_t i = 0; i < g->ntasks; i++)
        n += g->tasks[i].op == op && g->tasks[i].y == y;
    for (size_t i = 0; !rc && i < g->ntasks; i++) {
        const struct task *t = &g->tasks[i];
        if (t->op != op || t->y != y)
            continue;
        int mistake = !broken            ? LR_OK
                      : seq == n / 5     ? LR_BAD_AREA
                      : seq == n / 2     ? LR_BAD_ORDER
                      : seq == 4 * n / 5 ? LR_BAD_HAZARD
                                         : LR_OK;
        lr_row(g, &r, &o, t, ++seq, mistake);
    }
    return out_finish(g, &o, rc);
}

/* ---- consultations --------------------------------------------------------------------------- */

static void consultation_row(struct rng *r, struct out *o, int op, int y, size_t i, int day)
{
    /* Who comes: a mixed meeting, a women's group, the elders' council, young people. */
    static const int type_w[2][4] = { { 60, 5, 30, 5 }, { 50, 25, 12, 13 } };
    static const int who_w[4][5] = {
        { 8, 10, 35, 42, 5 }, { 10, 2, 85, 3, 0 }, { 0, 2, 10, 86, 2 }, { 35, 45, 8, 12, 0 }
    };
    static const int prio_w[2][4] = { { 20, 50, 15, 15 }, { 65, 25, 5, 5 } };
    const struct op_def *opd = &ops[op];
    int policy = strcmp(opd->gender, "yes") == 0, d = pick_district(r, opd, 2);
    int type = rng_pick(r, type_w[policy], 4), x = rng_range(r, 0, 99);
    long total = rng_range(r, 6, 60), part[5], with, unknown;
    char id[40];
    (void)snprintf(id, sizeof(id), "%s-%d-M%03zu", opd->id, FIRST_YEAR + y, i + 1);
    cell(o, id);
    cell_date(o, day);
    cell(o, opd->code);
    cell(o, districts[d].code);
    split(r, total, who_w[type], 5, part);
    blank_parts(part, x < 80 ? 0 : x < 92 ? 2 : 3, 2, 3);
    cell_int(o, total);
    cells_parts(o, part);
    with = binom(r, total, 50);
    unknown = binom(r, total - with, 100);
    cell_opt(o, opd->disability ? with : -1);
    cell_opt(o, opd->disability == 2 ? total - with - unknown : -1);
    cell_opt(o, opd->disability == 2 ? unknown : -1);
    cell_opt(o, rng_pm(r, 600) ? binom(r, total, districts[d].minority_pct * 10) : -1);
    int prio = rng_pick(r, prio_w[policy], 4);
    cell(o, prio == 0 ? "yes" : prio == 1 ? "no" : prio == 2 ? "unknown" : "");
    end_row(o);
}

static int write_consultations(struct gen *g, int op, int y, const char *name, int excel)
{
    struct out o;
    struct rng r;
    size_t n = scaled(g, ops[op].meetings * year_factor[y], 4);
    int *days = NULL;
    int rc = out_open(g, &o, name, "consultation",
                      excel ? "community consultations, saved by a spreadsheet in a locale that "
                              "uses ';' (UTF-8 BOM, semicolons, CRLF): valid"
                            : "community consultations: who took part, by sex, age, disability",
                      excel ? OUT_EXCEL : 0);
    rng_seed(&r, g->seed, stream(S_CONS, op, y));
    days = random_days(&r, y, n);
    for (size_t i = 0; !rc && i < n; i++)
        consultation_row(&r, &o, op, y, i, days[i]);
    free(days);
    return out_finish(g, &o, rc);
}

/* ---- workforce ------------------------------------------------------------------------------- */

enum { R_MANAGEMENT, R_DEMINER, R_EOD, R_SURVEYOR, R_CL, R_EORE, R_MEDIC, R_SUPPORT, R_OTHER };

static const char *const role_names[9] = { "management", "deminer",           "eod_operator",
                                           "surveyor",   "community_liaison", "eore_facilitator",
                                           "medic",      "support",           "other" };

static const char *const exit_names[11] = { "end_of_contract",
                                            "resignation_career",
                                            "resignation_family",
                                            "resignation_environment",
                                            "harassment",
                                            "dismissal",
                                            "retirement",
                                            "health",
                                            "death",
                                            "other",
                                            "unknown" };

/* The mistakes of the broken workforce file. */
enum { W_OK, W_REASON_NO_EXIT, W_EXIT_BEFORE_HIRE, W_BAD_ROLE };

static void staff_row(struct rng *r, struct out *o, int op, size_t i, int hire, int mistake)
{
    /* Roles by kind of operator and sex (men, women): women are fewer in EOD and management. */
    static const int role_lr[2][9] = { { 5, 45, 12, 8, 3, 2, 6, 17, 2 },
                                       { 4, 22, 3, 14, 14, 10, 10, 21, 2 } };
    static const int role_eore[2][9] = { { 8, 0, 0, 5, 15, 40, 2, 25, 5 },
                                         { 6, 0, 0, 3, 20, 50, 1, 16, 4 } };
    /* Why people leave: women's exits lean to family duties and the workplace environment. */
    static const int exit_w[2][11] = { { 40, 25, 4, 4, 0, 8, 4, 8, 2, 3, 2 },
                                       { 20, 12, 30, 20, 5, 2, 0, 5, 0, 3, 3 } };
    static const int displ_w[5] = { 80, 12, 1, 6, 1 }, minority_w[7] = { 80, 12, 5, 0, 0, 1, 2 };
    static const int dis_w[4] = { 90, 3, 4, 3 };
    const struct op_def *opd = &ops[op];
    int hy = year_of(hire) - FIRST_YEAR;
    int pct = opd->women_pct + (hire < 90 ? -4 : 4 * hy); /* more women among recent hires */
    int female = rng_pm(r, pct * 10);
    int role = rng_pick(r, (opd->acts & ACT_LR) ? role_lr[female] : role_eore[female], 9);
    int ops_role = role != R_MANAGEMENT && role != R_SUPPORT && role != R_OTHER;
    int leader = role == R_MANAGEMENT || (ops_role && rng_pm(r, female ? 60 : 120));
    int age = role == R_MANAGEMENT ? rng_range(r, 30, 60) : rng_range(r, 20, 55);
    int exit = -1, reason = -1;
    char id[40], grade[8];
    if (rng_pm(r, female ? 300 : 220)) {
        exit = hire + rng_range(r, 60, 900);
        if (exit > LAST_DAY)
            exit = -1;
    }
    if (exit >= 0 && rng_pm(r, 900)) {
        reason = rng_pick(r, exit_w[female], 11);
        if (reason == 8 && role != R_DEMINER && role != R_EOD)
            reason = 7; /* deaths at work are deminers'; others leave for health */
    }
    if (role == R_MANAGEMENT)
        (void)snprintf(grade, sizeof(grade), "M%d", rng_range(r, 1, 3));
    else if (leader)
        (void)snprintf(grade, sizeof(grade), "TL");
    else
        (void)snprintf(grade, sizeof(grade), "G%d", rng_range(r, 1, 5));
    if (mistake == W_REASON_NO_EXIT) {
        exit = -1;
        reason = 2;
    } else if (mistake == W_EXIT_BEFORE_HIRE) {
        /* Hire and exit dates typed into each other's columns. */
        exit = hire;
        hire = hire + 200 <= LAST_DAY ? hire + 200 : hire;
        exit = exit == hire ? hire - 150 : exit;
        reason = 0;
    }
    (void)snprintf(id, sizeof(id), "%s-W%04zu", opd->id, i + 1);
    cell(o, id);
    cell(o, opd->code);
    cell(o, female ? "F" : "M");
    cell_int(o, year_of(hire) - age);
    /* no, yes, unknown, blank; the army does not record disability at all */
    int dis = rng_pick(r, dis_w, 4);
    cell(o, dis == 3 || strcmp(opd->type, "military") == 0 ? "" : yesno_names[dis]);
    cell(o, mistake == W_BAD_ROLE ? "team leader" : role_names[role]);
    cell(o, grade);
    cell(o, leader ? "yes" : "no");
    cell(o, ops_role || (role == R_MANAGEMENT && rng_pm(r, 200)) ? "yes" : "no");
    cell(o, role == R_EOD || role == R_DEMINER || (role == R_SURVEYOR && rng_pm(r, 300)) ? "yes"
                                                                                         : "no");
    cell_date(o, hire);
    cell_date(o, exit);
    cell_code(o, exit_names, reason);
    cell_code(o, displacement_names, rng_pm(r, 900) ? rng_pick(r, displ_w, 5) : -1);
    cell_code(o, minority_names, rng_pm(r, 850) ? rng_pick(r, minority_w, 7) : -1);
    end_row(o);
}

static int write_workforce(struct gen *g, int op, const char *name, int broken)
{
    struct out o;
    struct rng r;
    size_t n = scaled(g, ops[op].staff, 8);
    int *hires = xmalloc(n * sizeof(*hires));
    int rc = out_open(g, &o, name, "workforce",
                      broken ? "an exit reason without an exit date, hire and exit dates swapped, "
                               "a role written as 'team leader' (not a role code)"
                             : "workforce: every person employed, role, leadership, hire and exit",
                      broken ? OUT_BROKEN : 0);
    rng_seed(&r, g->seed, stream(S_STAFF, op, 0));
    /* Most were hired as the programme started in early 2023; the rest as it grew. */
    for (size_t i = 0; i < n; i++)
        hires[i] = rng_pm(&r, 550) ? rng_range(&r, 1, 89) : rng_range(&r, 90, LAST_DAY - 20);
    qsort(hires, n, sizeof(*hires), cmp_int);
    for (size_t i = 0; !rc && i < n; i++) {
        int mistake = !broken          ? W_OK
                      : i == n / 4     ? W_REASON_NO_EXIT
                      : i == n / 2     ? W_EXIT_BEFORE_HIRE
                      : i == 3 * n / 4 ? W_BAD_ROLE
                                       : W_OK;
        staff_row(&r, &o, op, i, hires[i], mistake);
    }
    free(hires);
    return out_finish(g, &o, rc);
}

/* ---- trainings ------------------------------------------------------------------------------- */

struct training {
    int day, topic, team; /* team -1: not for one team */
};

static int cmp_training(const void *a, const void *b)
{
    const struct training *x = a, *y = b;
    if (x->day != y->day)
        return (x->day > y->day) - (x->day < y->day);
    return (x->team > y->team) - (x->team < y->team);
}

/* Gender and diversity-sensitive data collection for some of the operator's survey teams. */
static size_t plan_team_trainings(struct gen *g, struct rng *r, int op, struct training *tr)
{
    size_t n = 0;
    for (size_t t = 0; t < g->nteams; t++) {
        const struct team *tm = &g->teams[t];
        int last = tm->to >= 0 ? tm->to : LAST_DAY;
        if (tm->op != op || !rng_pm(r, 650))
            continue;
        for (int day = tm->from + rng_range(r, 10, 120); day <= last;
             day += rng_range(r, 300, 500)) {
            tr[n].day = day;
            tr[n].topic = 0;
            tr[n].team = (int)t;
            n++;
            if (!rng_pm(r, 300))
                break; /* most are trained once; some get a refresher a year later */
        }
    }
    return n;
}

static void training_row(struct gen *g, struct rng *r, struct out *o, int op, size_t i,
                         const struct training *t)
{
    static const char *const topics[5] = { "gd_data_collection", "wps", "safeguarding", "psea",
                                           "other" };
    long total, female, male, unknown;
    char id[40], team[16] = "";
    if (t->team >= 0) {
        const struct team *tm = &g->teams[t->team];
        team_id((size_t)t->team, team);
        total = tm->members;
        female = tm->female;
        male = tm->male;
        unknown = tm->unknown;
    } else {
        int x = rng_range(r, 0, 99);
        total = rng_range(r, 8, 35);
        female = binom(r, total, ops[op].women_pct * 10);
        unknown = x < 80 ? binom(r, total - female, 30) : -1;
        male = total - female - (unknown > 0 ? unknown : 0);
        if (x >= 95)
            female = male = -1;
    }
    (void)snprintf(id, sizeof(id), "%s-TR%03zu", ops[op].id, i + 1);
    cell(o, id);
    cell_date(o, t->day);
    cell(o, ops[op].code);
    cell(o, topics[t->topic]);
    cell(o, team);
    cell_int(o, total);
    cell_opt(o, female);
    cell_opt(o, male);
    cell_opt(o, unknown);
    end_row(o);
}

static int write_trainings(struct gen *g, int op, const char *name)
{
    static const int topic_w[4] = { 30, 25, 30, 15 };
    struct out o;
    struct rng r;
    size_t general = scaled(g, ops[op].staff / 25.0 + 3, 2), n;
    struct training *tr = xmalloc((general + (size_t)4 * MAXTEAMS) * sizeof(*tr));
    int rc = out_open(g, &o, name, "training",
                      "trainings: gender and diversity-sensitive data collection for survey "
                      "teams, WPS, safeguarding, PSEA",
                      0);
    rng_seed(&r, g->seed, stream(S_TRAIN, op, 0));
    n = plan_team_trainings(g, &r, op, tr);
    for (size_t i = 0; i < general; i++, n++) {
        tr[n].day = rng_range(&r, 0, LAST_DAY);
        tr[n].topic = 1 + rng_pick(&r, topic_w, 4);
        tr[n].team = -1;
    }
    qsort(tr, n, sizeof(*tr), cmp_training);
    for (size_t i = 0; !rc && i < n; i++)
        training_row(g, &r, &o, op, i, &tr[i]);
    free(tr);
    return out_finish(g, &o, rc);
}

/* ---- casualties ------------------------------------------------------------------------------ */

struct victim {
    int direct, outcome; /* outcome: 0 killed, 1 injured, 2 unknown, -1 blank */
    int female, age, civilian, device;
    int lost_man; /* an indirect victim whose family lost an adult man */
};

static void casualty_row(struct rng *r, struct out *o, size_t *seq, const char *incident, int day,
                         const char *area, const struct victim *v)
{
    static const char *const outcome_names[3] = { "killed", "injured", "unknown" };
    static const char *const civilian_names[4] = { "civilian", "military", "deminer", "unknown" };
    static const int displ_w[5] = { 75, 15, 2, 6, 2 }, minority_w[7] = { 80, 10, 4, 2, 2, 0, 2 };
    int x = rng_range(r, 0, 99), wg = 0;
    char id[16];
    (void)snprintf(id, sizeof(id), "C-%05zu", ++*seq);
    cell(o, id);
    cell(o, incident);
    cell_date(o, day);
    cell(o, area);
    cell(o, v->direct ? "direct" : "indirect");
    cell_code(o, outcome_names, v->outcome);
    cell(o, x < 2 ? "U" : x < 3 ? "" : v->female ? "F" : "M");
    x = rng_range(r, 0, 99);
    cell_opt(o, x < 85 ? v->age : -1);
    /* When the age is not known exactly, a band often is (a child, an adult, an elder). */
    cell(o, x < 85 || x >= 93 ? ""
            : rng_pm(r, 500)  ? bands[band_of(v->age, 0)].label
            : v->age < 18     ? bands[B0_17].label
            : v->age < 60     ? bands[B18_59].label
                              : bands[B60].label);
    if (v->outcome == 1 && rng_pm(r, 150)) {
        wg = 1; /* a follow-up survey asked the Washington Group questions */
        cell(o, "");
    } else if (v->outcome == 1) {
        static const int dis_w[4] = { 50, 15, 20, 15 };
        int d = rng_pick(r, dis_w, 4);
        cell(o, d == 0 ? "yes" : d == 1 ? "no" : d == 2 ? "unknown" : "");
    } else {
        cell(o, "");
    }
    for (int i = 0; i < 6; i++)
        cell_opt(o, !wg ? -1 : i == 2 ? rng_range(r, 3, 4) : rng_range(r, 1, 2));
    cell_code(o, displacement_names, rng_pm(r, 700) ? rng_pick(r, displ_w, 5) : -1);
    cell_code(o, minority_names, rng_pm(r, 500) ? rng_pick(r, minority_w, 7) : -1);
    /* A family that lost its husband and father is often headed by a woman from then on. */
    if (v->direct)
        x = rng_pm(r, 150);
    else
        x = v->lost_man && rng_pm(r, 600) ? 1 : rng_pm(r, 100) ? 2 : 0;
    cell_code(o, yesno_names, rng_pm(r, 400) ? x : -1);
    x = rng_pm(r, v->direct ? 300 : 700); /* the families left caring for the injured */
    cell_code(o, yesno_names, v->age >= 12 && rng_pm(r, v->direct ? 400 : 800) ? x : -1);
    cell_code(o, civilian_names, rng_pm(r, 20) ? -1 : v->civilian);
    cell(o, device_names[v->device]);
    end_row(o);
}

/* The people one incident kills or injures. */
static void direct_victim(struct rng *r, int context, int device, struct victim *v)
{
    static const int child_pm[5] = { 250, 720, 800, 200, 350 };
    memset(v, 0, sizeof(*v));
    v->direct = 1;
    v->device = device;
    v->civilian = context;
    v->outcome = rng_pm(r, 20) ? 2 : rng_pm(r, 310) ? 0 : 1;
    if (context == 0 && rng_pm(r, child_pm[device])) {
        v->age = rng_pm(r, 800) ? rng_range(r, 8, 17) : rng_range(r, 3, 7);
        v->female = rng_pm(r, 250);
    } else {
        v->age = context == 1 || context == 2 ? rng_range(r, 20, 50) : rng_range(r, 18, 75);
        v->female = rng_pm(r, context == 0 ? 180 : 80);
    }
}

static int write_casualties(struct gen *g)
{
    static const int month_w[12] = { 5, 6, 9, 11, 12, 11, 10, 10, 9, 8, 5, 4 };
    static const int device_w[5] = { 38, 10, 36, 12, 4 }, context_w[4] = { 84, 8, 5, 3 };
    struct out o;
    struct rng r;
    size_t n = scaled(g, 760, 20), seq = 0, in_year = 0;
    int *days = xmalloc(n * sizeof(*days)), w[NDIST];
    int rc = out_open(g, &o, "centre_casualties_2023-2025.csv", "casualty",
                      "casualties (killed, injured) and indirect victims recorded by the centre",
                      OUT_HXL);
    rng_seed(&r, g->seed, stream(S_CAS, 0, 0));
    for (int i = 0; i < NDIST; i++)
        w[i] = districts[i].contam;
    /* More accidents in the farming and herding months. */
    for (size_t i = 0; i < n; i++) {
        do
            days[i] = rng_range(&r, 0, LAST_DAY);
        while (!rng_pm(&r, month_w[doy_of(days[i]) * 12 / 366] * 1000 / 12));
    }
    qsort(days, n, sizeof(*days), cmp_int);
    for (size_t i = 0; !rc && i < n; i++) {
        int d = rng_pick(&r, w, NDIST), device = rng_pick(&r, device_w, 5);
        int context = rng_pick(&r, context_w, 4), x = rng_range(&r, 0, 99);
        int ndirect = context == 2 ? rng_range(&r, 1, 2)
                      : x < 70     ? 1
                      : x < 88     ? 2
                      : x < 96     ? 3
                                   : rng_range(&r, 4, 6);
        char incident[48];
        const char *area = rng_pm(&r, 50) ? provinces[districts[d].prov].code : districts[d].code;
        in_year = i && year_of(days[i]) == year_of(days[i - 1]) ? in_year + 1 : 1;
        (void)snprintf(incident, sizeof(incident), "ACC-%d-%04zu", year_of(days[i]), in_year);
        for (int k = 0; k < ndirect; k++) {
            struct victim v, fam;
            direct_victim(&r, context, device, &v);
            casualty_row(&r, &o, &seq, incident, days[i], area, &v);
            /* The family of someone killed: indirect victims, mostly women and children. */
            int nfam = v.outcome == 0 && rng_pm(&r, 600) ? rng_range(&r, 1, 3) : 0;
            for (int f = 0; f < nfam; f++) {
                memset(&fam, 0, sizeof(fam));
                fam.outcome = -1;
                fam.device = device;
                fam.female = rng_pm(&r, 700);
                fam.age = rng_pm(&r, 500) ? rng_range(&r, 25, 60) : rng_range(&r, 3, 17);
                fam.lost_man = !v.female && v.age >= 18;
                casualty_row(&r, &o, &seq, incident, days[i], area, &fam);
            }
        }
    }
    free(days);
    return out_finish(g, &o, rc);
}

/* ---- the whole programme --------------------------------------------------------------------- */

/* The deliberately broken files, and the one valid file saved the way Excel does it. */
#define BROKEN_EORE_OP  1 /* OP-02, 2024 */
#define BROKEN_EORE_Y   1
#define BROKEN_ATT_OP   6 /* OP-07, 2025 */
#define BROKEN_ATT_Y    2
#define BROKEN_LR_OP    3 /* OP-04, 2023 */
#define BROKEN_LR_Y     0
#define BROKEN_STAFF_OP 7 /* OP-08 */
#define EXCEL_CONS_OP   9 /* OP-10, 2024 */
#define EXCEL_CONS_Y    1

static int write_operator_year(struct gen *g, int op, int y)
{
    const struct op_def *o = &ops[op];
    char name[64];
    int rc = MADI_OK, year = FIRST_YEAR + y;
    if (o->acts & ACT_EORE) {
        (void)snprintf(name, sizeof(name), "%s_eore_%d.csv", o->slug, year);
        if (o->acts & ACT_LIST)
            rc = write_eore_list(g, op, y, name);
        else if (o->att == ATT_MEDIA)
            rc = write_eore_media(g, op, y, name);
        else
            rc = write_eore_counts(g, op, y, name, op == BROKEN_EORE_OP && y == BROKEN_EORE_Y);
    }
    if (!rc && (o->acts & ACT_LIST)) {
        (void)snprintf(name, sizeof(name), "%s_eore_attendance_%d.csv", o->slug, year);
        rc = write_attendance(g, op, y, name, op == BROKEN_ATT_OP && y == BROKEN_ATT_Y);
    }
    if (!rc && (o->acts & ACT_LR)) {
        (void)snprintf(name, sizeof(name), "%s_land_release_%d.csv", o->slug, year);
        rc = write_lr(g, op, y, name, op == BROKEN_LR_OP && y == BROKEN_LR_Y);
    }
    if (!rc && (o->acts & ACT_CONS)) {
        (void)snprintf(name, sizeof(name), "%s_consultations_%d.csv", o->slug, year);
        rc = write_consultations(g, op, y, name, op == EXCEL_CONS_OP && y == EXCEL_CONS_Y);
    }
    return rc;
}

static int write_all(struct gen *g)
{
    char name[64];
    int rc = write_orgs(g);
    if (!rc)
        rc = write_areas(g);
    if (!rc)
        rc = write_hazards(g);
    if (!rc)
        rc = write_teams(g);
    if (!rc)
        rc = write_population(g);
    if (!rc)
        rc = write_reporting_plan(g);
    for (int op = 0; !rc && op < NOPS; op++) {
        for (int y = 0; !rc && y < NYEARS; y++)
            rc = write_operator_year(g, op, y);
        (void)snprintf(name, sizeof(name), "%s_workforce.csv", ops[op].slug);
        if (!rc)
            rc = write_workforce(g, op, name, op == BROKEN_STAFF_OP);
        (void)snprintf(name, sizeof(name), "%s_trainings.csv", ops[op].slug);
        if (!rc)
            rc = write_trainings(g, op, name);
    }
    if (!rc)
        rc = write_casualties(g);
    if (!rc)
        rc = write_targets(g);
    if (!rc)
        rc = write_self_assessment(g);
    return rc;
}

/* mkdir -p: every missing folder on the way. */
static int make_dir(const char *dir, struct madi_err *err)
{
    int rc = MADI_OK;
    char *p = xstrdup(dir);
    struct stat st;
    for (char *s = p + 1;; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST && !(stat(p, &st) == 0 && S_ISDIR(st.st_mode))) {
            rc = madi_err_set(err, MADI_EIO, "cannot create the folder %s: %s", p, strerror(errno));
            goto done;
        }
        *s = c;
        if (!c)
            break;
    }
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        rc = madi_err_set(err, MADI_EIO, "%s is not a folder", dir);
done:
    free(p);
    return rc;
}

int madi_demo_generate(const char *dir, const struct madi_demo_opts *o, struct madi_demo *out,
                       struct madi_err *err)
{
    int rc = MADI_OK;
    struct gen *g = NULL;
    if (out)
        memset(out, 0, sizeof(*out));
    if (!dir || !*dir || !o || !out || !(o->scale > 0)) {
        rc = madi_err_set(err, MADI_EINVAL, "madi_demo_generate needs a folder and a scale > 0");
        goto done;
    }
    rc = make_dir(dir, err);
    if (rc)
        goto done;
    g = xcalloc(1, sizeof(*g));
    g->dir = dir;
    g->dirlen = strlen(dir);
    while (g->dirlen > 1 && dir[g->dirlen - 1] == '/')
        g->dirlen--;
    g->seed = o->seed;
    g->scale = o->scale;
    g->err = err;
    plan_hazards(g);
    plan_teams(g);
    plan_tasks(g);
    plan_sessions(g);
    plan_people(g);
    rc = write_all(g);
    if (!rc) /* victim assistance: demo_survivors.c */
        rc = madi_demo_survivors_write(dir, g->dirlen, g->seed, g->scale, &g->d, &g->cap, err);
    if (rc)
        goto done;
    *out = g->d;
    memset(&g->d, 0, sizeof(g->d));
done:
    if (g) {
        madi_demo_release(&g->d);
        free(g->tasks);
        free(g->ss);
        free(g->people);
        free(g->att);
        free(g);
    }
    return rc;
}

void madi_demo_release(struct madi_demo *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        free(d->files[i].path);
    free(d->files);
    memset(d, 0, sizeof(*d));
}
