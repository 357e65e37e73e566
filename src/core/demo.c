/*
 * demo.c: the fictional national programme of `madi demo`, written as the CSV
 * files operators and a centre would send.
 *
 * Invariants: everything comes from one splitmix64 stream seeded by the caller
 * (no clock, no rand()), so a seed and a scale always give byte-identical
 * files; every file not marked broken passes madi's validation, and a broken
 * file holds only records nothing else refers to, so rejecting it never breaks
 * a later import. Rows are built by column name (struct row) and written in the
 * kind's own column order, so the files follow kinds.c when it changes.
 */
#include "madi/demo.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "madi/dim.h"
#include "madi/kind.h"

#include "banned.h"
#include "xalloc.h"

#define NPROV     5
#define MAXDIST   5
#define NOPS      10
#define NYEARS    3
#define FIRSTYEAR 2023

struct rng {
    uint64_t s;
};

static uint64_t next(struct rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int rnd(struct rng *r, int n)
{
    return n <= 1 ? 0 : (int)(next(r) % (uint64_t)n);
}

static int chance(struct rng *r, double p)
{
    return (double)(next(r) >> 11) / 9007199254740992.0 < p;
}

static int between(struct rng *r, int lo, int hi)
{
    return lo + rnd(r, hi - lo + 1);
}

/* ---- a row, by column name, written in the kind's order
 * ------------------------------------ */

struct row {
    const struct madi_kind *k;
    char v[48][64];
};

static void row_start(struct row *w, const struct madi_kind *k)
{
    w->k = k;
    memset(w->v, 0, sizeof(w->v));
}

static void set(struct row *w, const char *name, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static void set(struct row *w, const char *name, const char *fmt, ...)
{
    int i = madi_kind_field_index(w->k, name);
    MADI_ASSERT(i >= 0 && i < 48);
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(w->v[i], sizeof(w->v[i]), fmt, ap);
    va_end(ap);
}

struct out {
    FILE *f;
    char *path;
    const char *kind;
    char delim;
    const char *eol;
    unsigned long long rows;
};

static void put_field(struct out *o, const char *s)
{
    int quote = strchr(s, o->delim) || strchr(s, '"') || strchr(s, '\n');
    if (!quote) {
        (void)fputs(s, o->f);
        return;
    }
    (void)fputc('"', o->f);
    for (; *s; s++) {
        if (*s == '"')
            (void)fputc('"', o->f);
        (void)fputc(*s, o->f);
    }
    (void)fputc('"', o->f);
}

static void emit(struct out *o, const struct row *w)
{
    for (size_t i = 0; i < w->k->nfields; i++) {
        if (i)
            (void)fputc(o->delim, o->f);
        put_field(o, w->v[i]);
    }
    (void)fputs(o->eol, o->f);
    o->rows++;
}

struct gen {
    struct rng r;
    double scale;
    const char *dir;
    struct madi_demo *d;
    struct madi_err *err;
    int rc;
    /* the programme */
    int ndist[NPROV];
    char dist[NPROV * MAXDIST][32];
    int ndists;
    int nhaz;
    int haz_dist[400];
    int nteams;
    int team_op[64];
    int team_trained[64];
};

static int scaled(struct gen *g, double n, int min)
{
    int v = (int)(n * g->scale + 0.5);
    return v < min ? min : v;
}

static int open_out(struct gen *g, struct out *o, const char *name, const char *kind, char delim,
                    int crlf, int bom, int hxl)
{
    memset(o, 0, sizeof(*o));
    o->path = xasprintf("%s/%s", g->dir, name);
    o->kind = kind;
    o->delim = delim;
    o->eol = crlf ? "\r\n" : "\n";
    o->f = fopen(o->path, "wb");
    if (!o->f) {
        g->rc = madi_err_set(g->err, MADI_EIO, "cannot write %s: %s", o->path, strerror(errno));
        free(o->path);
        o->path = NULL;
        return g->rc;
    }
    const struct madi_kind *k = madi_kind_find(kind);
    if (bom)
        (void)fputs("\xef\xbb\xbf", o->f);
    for (size_t i = 0; i < k->nfields; i++) {
        if (i)
            (void)fputc(delim, o->f);
        (void)fputs(k->fields[i].name, o->f);
    }
    (void)fputs(o->eol, o->f);
    if (hxl) {
        for (size_t i = 0; i < k->nfields; i++) {
            const char *t = k->fields[i].hxl ? k->fields[i].hxl : "";
            if (i)
                (void)fputc(delim, o->f);
            (void)fwrite(t, 1, strcspn(t, "|"), o->f);
        }
        (void)fputs(o->eol, o->f);
    }
    return MADI_OK;
}

static int close_out(struct gen *g, struct out *o, const char *what, int broken)
{
    int bad = ferror(o->f);
    if (fclose(o->f) != 0 || bad) {
        g->rc = madi_err_set(g->err, MADI_EIO, "cannot write %s", o->path);
        free(o->path);
        return g->rc;
    }
    struct madi_demo *d = g->d;
    d->files = xrealloc(d->files, (d->n + 1) * sizeof(*d->files));
    d->files[d->n].path = o->path;
    d->files[d->n].kind = o->kind;
    d->files[d->n].what = what;
    d->files[d->n].broken = broken;
    d->n++;
    d->rows += o->rows;
    return MADI_OK;
}

static void date_in(struct gen *g, int year, char *out, size_t n)
{
    static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int m = rnd(&g->r, 12);
    int d = 1 + rnd(&g->r, mdays[m]);
    (void)snprintf(out, n, "%04d-%02d-%02d", year, m + 1, d);
}

static const char *const prov_names[NPROV] = { "Northern", "Lakeside", "Highlands", "Eastern",
                                               "Southern" };
static const char *const dist_names[] = { "Ardel", "Bomar", "Cesta", "Dunvi", "Elmar",
                                          "Fosse", "Garin", "Holm",  "Istra", "Jaro",
                                          "Kesel", "Lumo",  "Marn",  "Norra", "Osel",
                                          "Pavo",  "Quill", "Rosta", "Selva", "Tarn",
                                          "Ulma",  "Vesk",  "Wend",  "Yara",  "Zorn" };
static const char *const op_names[NOPS] = {
    "Fictional Demining Association", "Safe Ground International", "National Clearance Unit",
    "Harvest Land Foundation",        "Open Fields Mine Action",   "Lakeside Deminers",
    "Riverbank EOD Services Ltd",     "Community Safety Network",  "Highland Risk Educators",
    "Blue Horizon Clearance Ltd"
};
static const char *const op_types[NOPS] = { "ngo", "ngo",        "military", "ngo", "ngo",
                                            "ngo", "commercial", "ngo",      "ngo", "commercial" };

static void gen_registers(struct gen *g)
{
    struct out o;
    struct row w;
    const struct madi_kind *k = madi_kind_find("organisation");
    if (open_out(g, &o, "01_organisations.csv", "organisation", ',', 0, 0, 0))
        return;
    for (int i = 0; i < NOPS; i++) {
        row_start(&w, k);
        set(&w, "code", "OP-%02d", i + 1);
        set(&w, "name", "%s", op_names[i]);
        set(&w, "type", "%s", op_types[i]);
        set(&w, "accreditation", "%s", i == 9 ? "provisional" : i == 6 ? "expired" : "accredited");
        set(&w, "psea_policy", "%s", i % 5 == 4 ? "no" : "yes");
        set(&w, "safeguarding_policy", "%s", i % 4 == 3 ? "no" : "yes");
        set(&w, "gender_diversity_policy", "%s", i % 3 == 2 ? "no" : i == 9 ? "unknown" : "yes");
        set(&w, "data_protection_sop", "%s", i % 2 ? "yes" : "no");
        emit(&o, &w);
    }
    if (close_out(g, &o, "the organisation register", 0))
        return;

    k = madi_kind_find("area");
    if (open_out(g, &o, "02_areas.csv", "area", ',', 0, 0, 1))
        return;
    row_start(&w, k);
    set(&w, "code", "RM");
    set(&w, "name", "Republic of Madia");
    set(&w, "level", "0");
    emit(&o, &w);
    int dn = 0;
    for (int p = 0; p < NPROV; p++) {
        row_start(&w, k);
        set(&w, "code", "RM%02d", p + 1);
        set(&w, "name", "%s Province", prov_names[p]);
        set(&w, "level", "1");
        set(&w, "parent", "RM");
        emit(&o, &w);
        g->ndist[p] = 3 + p % 3;
        for (int d = 0; d < g->ndist[p]; d++) {
            row_start(&w, k);
            (void)snprintf(g->dist[g->ndists], sizeof(g->dist[0]), "RM%02d%02d", p + 1, d + 1);
            set(&w, "code", "%s", g->dist[g->ndists]);
            set(&w, "name", "%s District", dist_names[dn++ % 25]);
            set(&w, "level", "2");
            set(&w, "parent", "RM%02d", p + 1);
            emit(&o, &w);
            g->ndists++;
        }
    }
    if (close_out(g, &o, "the area register (with an HXL row)", 0))
        return;

    k = madi_kind_find("hazard");
    if (open_out(g, &o, "03_hazards.csv", "hazard", ',', 0, 0, 0))
        return;
    g->nhaz = 150;
    for (int i = 0; i < g->nhaz; i++) {
        char date[40];
        g->haz_dist[i] = rnd(&g->r, g->ndists);
        row_start(&w, k);
        set(&w, "code", "HA-%04d", i + 1);
        set(&w, "type", "%s", chance(&g->r, 0.6) ? "CHA" : "SHA");
        set(&w, "status", "%s", chance(&g->r, 0.7) ? "open" : "released");
        set(&w, "area", "%s", g->dist[g->haz_dist[i]]);
        set(&w, "organisation", "OP-%02d", 1 + rnd(&g->r, NOPS));
        set(&w, "size_m2", "%d", between(&g->r, 2, 400) * 250);
        set(&w, "device", "%s",
            chance(&g->r, 0.5)   ? "landmine"
            : chance(&g->r, 0.5) ? "erw"
                                 : "cluster");
        date_in(g, 2015 + rnd(&g->r, 8), date, sizeof(date));
        set(&w, "date_recorded", "%s", date);
        emit(&o, &w);
    }
    if (close_out(g, &o, "hazardous areas", 0))
        return;

    k = madi_kind_find("survey-team");
    if (open_out(g, &o, "04_survey_teams.csv", "survey-team", ',', 0, 0, 0))
        return;
    g->nteams = 25;
    for (int i = 0; i < g->nteams; i++) {
        g->team_op[i] = rnd(&g->r, NOPS);
        g->team_trained[i] = chance(&g->r, 0.55);
        int members = between(&g->r, 3, 6);
        int female = rnd(&g->r, members + 1);
        row_start(&w, k);
        set(&w, "team_id", "TEAM-%02d", i + 1);
        set(&w, "organisation", "OP-%02d", g->team_op[i] + 1);
        set(&w, "type", "%s", i % 4 == 0 ? "community_liaison" : i % 4 == 1 ? "mixed" : "nts");
        set(&w, "members", "%d", members);
        set(&w, "female", "%d", female);
        set(&w, "male", "%d", members - female);
        set(&w, "sex_unknown", "0");
        set(&w, "active_from", "%d-01-15", 2021 + rnd(&g->r, 3));
        emit(&o, &w);
    }
    if (close_out(g, &o, "survey teams", 0))
        return;

    k = madi_kind_find("population");
    if (open_out(g, &o, "05_population.csv", "population", ',', 0, 0, 0))
        return;
    static const char *const bands[] = { "0-4", "5-11", "12-17", "18-24", "25-59", "60+" };
    static const int share[] = { 15, 19, 14, 11, 35, 6 };
    for (int d = 0; d < g->ndists; d++) {
        int base = between(&g->r, 20000, 120000);
        for (int y = 0; y < NYEARS; y++) {
            for (int s = 0; s < 2; s++) {
                for (int b = 0; b < 6; b++) {
                    row_start(&w, k);
                    set(&w, "area", "%s", g->dist[d]);
                    set(&w, "year", "%d", FIRSTYEAR + y);
                    set(&w, "sex", "%s", s ? "M" : "F");
                    set(&w, "age_band", "%s", bands[b]);
                    set(&w, "population", "%d",
                        base * share[b] / 200 * (100 + 2 * y) / 100 + rnd(&g->r, 50));
                    set(&w, "source", "%s", y ? "projection" : "estimate");
                    emit(&o, &w);
                }
            }
        }
    }
    (void)close_out(g, &o, "population baselines by district, year, sex and age band", 0);
}

/* Split n people into girls, boys, women, men (plausible shares for risk
 * education). */
static void split4(struct gen *g, int n, int parts[4])
{
    int girls = n * between(&g->r, 15, 30) / 100;
    int boys = n * between(&g->r, 15, 30) / 100;
    int women = (n - girls - boys) * between(&g->r, 40, 65) / 100;
    parts[0] = girls;
    parts[1] = boys;
    parts[2] = women;
    parts[3] = n - girls - boys - women;
}

static void eore_row(struct gen *g, struct row *w, int op, int year, int seq, const char *id_prefix)
{
    char date[40];
    int parts[4];
    int n = between(&g->r, 12, 90);
    date_in(g, year, date, sizeof(date));
    row_start(w, madi_kind_find("eore"));
    set(w, "session_id", "%s-%04d", id_prefix, seq);
    set(w, "date", "%s", date);
    set(w, "organisation", "OP-%02d", op + 1);
    set(w, "area", "%s", g->dist[rnd(&g->r, g->ndists)]);
    set(w, "method", "%s", chance(&g->r, 0.9) ? "interpersonal" : "community");
    set(w, "participants", "%d", n);
    split4(g, n, parts);
    int unknown = chance(&g->r, 0.3) ? rnd(&g->r, 4) : 0;
    if (unknown > parts[3])
        unknown = parts[3];
    if (chance(&g->r, 0.85)) {
        set(w, "girls", "%d", parts[0]);
        set(w, "boys", "%d", parts[1]);
        set(w, "women", "%d", parts[2]);
        set(w, "men", "%d", parts[3] - unknown);
        set(w, "sex_age_unknown", "%d", unknown);
    } else {
        /* A partial breakdown: only adults split, the rest not reported. */
        set(w, "women", "%d", parts[2]);
        set(w, "men", "%d", parts[3]);
    }
    if (op % 3 != 2) {
        int pwd = n * between(&g->r, 0, 6) / 100;
        int unk = chance(&g->r, 0.5) ? rnd(&g->r, 3) : 0;
        if (pwd + unk > n)
            unk = 0;
        set(w, "with_disability", "%d", pwd);
        set(w, "without_disability", "%d", n - pwd - unk);
        set(w, "disability_unknown", "%d", unk);
    }
    set(w, "displaced", "%d", n * between(&g->r, 0, 25) / 100);
    set(w, "count_method", "%s", chance(&g->r, 0.7) ? "register" : "headcount");
}

struct person {
    uint64_t key;
    char sex;
    int age;
    int dis;
    int disp;
    int minority;
    int fhh, carer;
};

static const char *yn(int v)
{
    return v == 1 ? "yes" : v == 0 ? "no" : v == 9 ? "unknown" : "";
}

static void attendance_row(struct gen *g, struct row *w, const struct person *p, int op, int year,
                           unsigned long seq, int wg)
{
    static const char *const disp[] = { "resident", "idp", "refugee", "returnee", "unknown" };
    static const char *const minority[] = { "none", "ethnic", "linguistic", "unknown" };
    char date[40], key[17];
    date_in(g, year, date, sizeof(date));
    row_start(w, madi_kind_find("eore-attendance"));
    set(w, "record_id", "A%02d-%d-%06lu", op + 1, year, seq);
    set(w, "session_id", "L%02d-%d-%04d", op + 1, year, rnd(&g->r, 400));
    set(w, "date", "%s", date);
    set(w, "organisation", "OP-%02d", op + 1);
    set(w, "area", "%s", g->dist[(p->key >> 8) % (uint64_t)g->ndists]);
    madi_format_person_key(p->key, key);
    set(w, "person_key", "%s", key);
    if (p->sex != ' ')
        set(w, "sex", "%c", p->sex);
    int age = p->age + (year - FIRSTYEAR);
    int how = rnd(&g->r, 20);
    if (age > 120)
        age = 120;
    if (how < 15) {
        set(w, "age", "%d", age);
    } else if (how < 18) {
        static const int lo[] = { 0, 5, 12, 18, 25, 60 };
        static const char *const lab[] = { "0-4", "5-11", "12-17", "18-24", "25-59", "60+" };
        int b = 5;
        while (b > 0 && age < lo[b])
            b--;
        set(w, "age_band", "%s", chance(&g->r, 0.5) ? lab[b] : age < 18 ? "0-17" : "18+");
    }
    if (wg) {
        static const char *const names[6] = { "wg_seeing",      "wg_hearing",  "wg_walking",
                                              "wg_remembering", "wg_selfcare", "wg_communicating" };
        int hit = p->dis == 1 ? rnd(&g->r, 6) : -1;
        for (int i = 0; i < 6; i++)
            set(w, names[i], "%d", i == hit ? 3 + rnd(&g->r, 2) : chance(&g->r, 0.1) ? 2 : 1);
    } else {
        set(w, "disability", "%s", yn(p->dis));
    }
    set(w, "displacement", "%s", disp[p->disp]);
    set(w, "minority", "%s", minority[p->minority]);
    if (age >= 18) {
        set(w, "female_headed_household", "%s", yn(p->fhh));
        set(w, "caregiver", "%s", yn(p->carer));
    }
}

static void make_person(struct gen *g, struct person *p)
{
    p->key = next(&g->r);
    int s = rnd(&g->r, 100);
    p->sex = s < 49 ? 'F' : s < 97 ? 'M' : s < 98 ? 'U' : ' ';
    int a = rnd(&g->r, 100);
    p->age = a < 50   ? between(&g->r, 5, 17)
             : a < 92 ? between(&g->r, 18, 59)
                      : between(&g->r, 60, 85);
    p->dis = chance(&g->r, 0.04) ? 1 : chance(&g->r, 0.05) ? 9 : 0;
    int d = rnd(&g->r, 100);
    p->disp = d < 70 ? 0 : d < 85 ? 1 : d < 90 ? 2 : d < 97 ? 3 : 4;
    int m = rnd(&g->r, 100);
    p->minority = m < 80 ? 0 : m < 90 ? 1 : m < 95 ? 2 : 3;
    p->fhh = chance(&g->r, 0.2) ? 1 : chance(&g->r, 0.1) ? 9 : 0;
    p->carer = chance(&g->r, 0.3) ? 1 : 0;
}

static void gen_operations(struct gen *g)
{
    struct out o;
    struct row w;
    char name[96];
    int npeople = scaled(g, 100000, 200);
    struct person *people = xcalloc((size_t)npeople, sizeof(*people));
    for (int i = 0; i < npeople; i++)
        make_person(g, &people[i]);
    int lists[NOPS] = { 1, 1, 0, 1, 1, 0, 0, 1, 1, 0 };
    int contacts = scaled(g, 250000.0 / (6 * NYEARS), 20);
    for (int op = 0; op < NOPS && !g->rc; op++) {
        for (int y = 0; y < NYEARS && !g->rc; y++) {
            int year = FIRSTYEAR + y;
            /* risk education sessions; one operator's 2025 file comes from Excel in a
             * semicolon locale (BOM, CRLF) */
            int excel = op == 4 && year == 2025;
            (void)snprintf(name, sizeof(name), "op%02d_eore_%d.csv", op + 1, year);
            if (open_out(g, &o, name, "eore", excel ? ';' : ',', excel, excel, op == 2))
                break;
            int n = scaled(g, 100, 3);
            for (int i = 0; i < n; i++) {
                char prefix[32];
                (void)snprintf(prefix, sizeof(prefix), "E%02d-%d", op + 1, year);
                eore_row(g, &w, op, year, i + 1, prefix);
                emit(&o, &w);
            }
            if (close_out(g, &o,
                          excel ? "risk education sessions, saved by Excel: "
                                  "semicolons, BOM, CRLF"
                                : "risk education sessions",
                          0))
                break;
            if (lists[op]) {
                (void)snprintf(name, sizeof(name), "op%02d_eore_attendance_%d.csv", op + 1, year);
                if (open_out(g, &o, name, "eore-attendance", ',', 0, 0, 0))
                    break;
                for (int i = 0; i < contacts; i++) {
                    const struct person *p = &people[rnd(&g->r, npeople)];
                    attendance_row(g, &w, p, op, year, (unsigned long)i + 1, op == 7);
                    emit(&o, &w);
                }
                if (close_out(g, &o, "risk education attendance list", 0))
                    break;
            }
            /* land release */
            (void)snprintf(name, sizeof(name), "op%02d_land_release_%d.csv", op + 1, year);
            if (open_out(g, &o, name, "land-release", ',', 0, 0, 0))
                break;
            n = scaled(g, 15, 2);
            for (int i = 0; i < n; i++) {
                char start[40], end[40];
                int h = rnd(&g->r, g->nhaz);
                int act = rnd(&g->r, 4);
                static const char *const acts[] = { "nts", "ts", "clearance", "eod" };
                int mo = between(&g->r, 1, 10);
                (void)snprintf(start, sizeof(start), "%d-%02d-%02d", year, mo,
                               between(&g->r, 1, 28));
                (void)snprintf(end, sizeof(end), "%d-%02d-%02d", year, mo + between(&g->r, 0, 2),
                               28);
                row_start(&w, madi_kind_find("land-release"));
                set(&w, "activity_id", "T%02d-%d-%03d", op + 1, year, i + 1);
                set(&w, "activity", "%s", acts[act]);
                set(&w, "organisation", "OP-%02d", op + 1);
                set(&w, "area", "%s", g->dist[act == 3 ? rnd(&g->r, g->ndists) : g->haz_dist[h]]);
                if (act != 3)
                    set(&w, "hazard", "HA-%04d", h + 1);
                set(&w, "start_date", "%s", start);
                set(&w, "end_date", "%s", end);
                if (act == 0)
                    set(&w, "area_cancelled_m2", "%d", between(&g->r, 10, 400) * 100);
                if (act == 1)
                    set(&w, "area_reduced_m2", "%d", between(&g->r, 10, 200) * 100);
                if (act == 2)
                    set(&w, "area_cleared_m2", "%d", between(&g->r, 5, 150) * 100);
                set(&w, "devices_destroyed", "%d", act >= 2 ? between(&g->r, 0, 60) : 0);
                int direct = between(&g->r, 20, 900), parts[4];
                split4(g, direct, parts);
                set(&w, "direct_participants", "%d", direct);
                set(&w, "direct_girls", "%d", parts[0]);
                set(&w, "direct_boys", "%d", parts[1]);
                set(&w, "direct_women", "%d", parts[2]);
                set(&w, "direct_men", "%d", parts[3]);
                set(&w, "direct_sex_age_unknown", "0");
                set(&w, "direct_with_disability", "%d", direct * between(&g->r, 1, 5) / 100);
                int indirect = direct * between(&g->r, 2, 6);
                int f = indirect * between(&g->r, 45, 55) / 100;
                set(&w, "indirect_participants", "%d", indirect);
                set(&w, "indirect_women_girls", "%d", f);
                set(&w, "indirect_men_boys", "%d", indirect - f);
                set(&w, "count_method", "household_estimate");
                emit(&o, &w);
            }
            if (close_out(g, &o, "land release activities and beneficiaries", 0))
                break;
            /* consultations */
            (void)snprintf(name, sizeof(name), "op%02d_consultations_%d.csv", op + 1, year);
            if (open_out(g, &o, name, "consultation", ',', 0, 0, 0))
                break;
            n = scaled(g, 20, 2);
            for (int i = 0; i < n; i++) {
                char date[40];
                int parts[4], p = between(&g->r, 8, 60);
                date_in(g, year, date, sizeof(date));
                split4(g, p, parts);
                if (chance(&g->r, 0.25)) {
                    parts[3] += parts[2]; /* a meeting without women */
                    parts[2] = 0;
                }
                row_start(&w, madi_kind_find("consultation"));
                set(&w, "meeting_id", "M%02d-%d-%03d", op + 1, year, i + 1);
                set(&w, "date", "%s", date);
                set(&w, "organisation", "OP-%02d", op + 1);
                set(&w, "area", "%s", g->dist[rnd(&g->r, g->ndists)]);
                set(&w, "participants", "%d", p);
                set(&w, "girls", "%d", parts[0]);
                set(&w, "boys", "%d", parts[1]);
                set(&w, "women", "%d", parts[2]);
                set(&w, "men", "%d", parts[3]);
                set(&w, "sex_age_unknown", "0");
                if (chance(&g->r, 0.7)) {
                    int pwd = rnd(&g->r, 3);
                    set(&w, "with_disability", "%d", pwd);
                    set(&w, "without_disability", "%d", p - pwd);
                    set(&w, "disability_unknown", "0");
                }
                set(&w, "minority_members", "%d", rnd(&g->r, p / 4 + 1));
                set(&w, "priorities_disaggregated", "%s",
                    chance(&g->r, 0.5)   ? "yes"
                    : chance(&g->r, 0.7) ? "no"
                                         : "unknown");
                emit(&o, &w);
            }
            if (close_out(g, &o, "community consultations", 0))
                break;
        }
    }
    free(people);
}

static void gen_people_registers(struct gen *g)
{
    struct out o;
    struct row w;
    char name[96];
    /* casualties, from the centre's own register */
    if (open_out(g, &o, "centre_casualties_2023-2025.csv", "casualty", ',', 0, 0, 0))
        return;
    int n = scaled(g, 1500, 20);
    static const char *const devices[] = { "landmine", "erw", "erw", "cluster", "ied", "unknown" };
    for (int i = 0; i < n; i++) {
        char date[40];
        date_in(g, FIRSTYEAR + rnd(&g->r, NYEARS), date, sizeof(date));
        row_start(&w, madi_kind_find("casualty"));
        int indirect = chance(&g->r, 0.08);
        set(&w, "casualty_id", "C-%05d", i + 1);
        set(&w, "incident_id", "ACC-%04d", i / 2 + 1);
        set(&w, "date", "%s", date);
        set(&w, "area", "%s", g->dist[rnd(&g->r, g->ndists)]);
        set(&w, "victim_type", "%s", indirect ? "indirect" : "direct");
        if (!indirect)
            set(&w, "outcome", "%s", chance(&g->r, 0.3) ? "killed" : "injured");
        int child = chance(&g->r, indirect ? 0.3 : 0.45);
        int male = chance(&g->r, indirect ? 0.3 : 0.82);
        set(&w, "sex", "%s", chance(&g->r, 0.03) ? "U" : male ? "M" : "F");
        int age = child ? between(&g->r, 4, 17) : between(&g->r, 18, 70);
        int how = rnd(&g->r, 10);
        if (how < 7)
            set(&w, "age", "%d", age);
        else if (how < 9)
            set(&w, "age_band", "%s", child ? "0-17" : "18+");
        set(&w, "disability", "%s", indirect ? "no" : chance(&g->r, 0.5) ? "yes" : "unknown");
        set(&w, "displacement", "%s", chance(&g->r, 0.2) ? "idp" : "resident");
        int civ = rnd(&g->r, 100);
        set(&w, "civilian_status", "%s",
            civ < 85   ? "civilian"
            : civ < 92 ? "military"
            : civ < 96 ? "deminer"
                       : "unknown");
        set(&w, "device", "%s", devices[rnd(&g->r, 6)]);
        emit(&o, &w);
    }
    if (close_out(g, &o, "casualties, three years", 0))
        return;

    /* workforce and trainings per operator */
    static const char *const roles[] = { "deminer",  "deminer",           "eod_operator",
                                         "surveyor", "community_liaison", "eore_facilitator",
                                         "medic",    "support",           "support" };
    static const char *const exit_f[] = { "resignation_family", "resignation_environment",
                                          "end_of_contract", "harassment", "resignation_career" };
    static const char *const exit_m[] = { "end_of_contract", "resignation_career", "dismissal",
                                          "health", "retirement" };
    int sid = 0;
    for (int op = 0; op < NOPS && !g->rc; op++) {
        (void)snprintf(name, sizeof(name), "op%02d_workforce.csv", op + 1);
        if (open_out(g, &o, name, "workforce", ',', 0, 0, 0))
            return;
        n = scaled(g, 200, 6);
        for (int i = 0; i < n; i++) {
            char hire[40], ex[40];
            int lead = chance(&g->r, 0.1);
            const char *role = lead ? "management" : roles[rnd(&g->r, 9)];
            int tech = strcmp(role, "deminer") == 0 || strcmp(role, "eod_operator") == 0;
            double pf = lead ? 0.22 : tech ? 0.2 : 0.5;
            int female = chance(&g->r, pf);
            int hy = 2016 + rnd(&g->r, 10);
            date_in(g, hy, hire, sizeof(hire));
            row_start(&w, madi_kind_find("workforce"));
            set(&w, "staff_id", "W%02d-%04d", op + 1, ++sid);
            set(&w, "organisation", "OP-%02d", op + 1);
            set(&w, "sex", "%s", female ? "F" : "M");
            set(&w, "birth_year", "%d", between(&g->r, 1965, 2002));
            set(&w, "disability", "%s", chance(&g->r, 0.03) ? "yes" : "no");
            set(&w, "role", "%s", role);
            set(&w, "grade", "G%d", lead ? between(&g->r, 5, 7) : between(&g->r, 1, 4));
            set(&w, "leadership", "%s", yn(lead));
            set(&w, "operational", "%s", yn(!lead && strcmp(role, "support") != 0));
            set(&w, "eod_technical", "%s", yn(tech));
            set(&w, "hire_date", "%s", hire);
            if (hy < 2025 && chance(&g->r, female ? 0.3 : 0.2)) {
                int ey = hy + 1 + rnd(&g->r, 2025 - hy);
                date_in(g, ey, ex, sizeof(ex));
                if (strcmp(ex, hire) > 0) {
                    set(&w, "exit_date", "%s", ex);
                    set(&w, "exit_reason", "%s",
                        female ? exit_f[rnd(&g->r, 5)] : exit_m[rnd(&g->r, 5)]);
                }
            }
            set(&w, "displacement", "%s", chance(&g->r, 0.1) ? "idp" : "resident");
            set(&w, "minority", "%s", chance(&g->r, 0.15) ? "ethnic" : "none");
            emit(&o, &w);
        }
        if (close_out(g, &o, "workforce", 0))
            return;

        (void)snprintf(name, sizeof(name), "op%02d_trainings.csv", op + 1);
        if (open_out(g, &o, name, "training", ',', 0, 0, 0))
            return;
        int t = 0;
        static const char *const topics[] = { "wps", "safeguarding", "psea", "other" };
        for (int team = 0; team < g->nteams; team++) {
            if (g->team_op[team] != op || !g->team_trained[team])
                continue;
            char date[40];
            int p = between(&g->r, 3, 6), f = rnd(&g->r, p + 1);
            date_in(g, FIRSTYEAR + rnd(&g->r, NYEARS), date, sizeof(date));
            row_start(&w, madi_kind_find("training"));
            set(&w, "training_id", "TR%02d-%03d", op + 1, ++t);
            set(&w, "date", "%s", date);
            set(&w, "organisation", "OP-%02d", op + 1);
            set(&w, "topic", "gd_data_collection");
            set(&w, "team", "TEAM-%02d", team + 1);
            set(&w, "participants", "%d", p);
            set(&w, "female", "%d", f);
            set(&w, "male", "%d", p - f);
            set(&w, "sex_unknown", "0");
            emit(&o, &w);
        }
        for (int i = 0; i < 4; i++) {
            char date[40];
            int p = between(&g->r, 8, 30), f = p * between(&g->r, 20, 60) / 100;
            date_in(g, FIRSTYEAR + rnd(&g->r, NYEARS), date, sizeof(date));
            row_start(&w, madi_kind_find("training"));
            set(&w, "training_id", "TR%02d-%03d", op + 1, ++t);
            set(&w, "date", "%s", date);
            set(&w, "organisation", "OP-%02d", op + 1);
            set(&w, "topic", "%s", topics[i]);
            set(&w, "participants", "%d", p);
            set(&w, "female", "%d", f);
            set(&w, "male", "%d", p - f);
            emit(&o, &w);
        }
        if (close_out(g, &o, "trainings", 0))
            return;
    }
}

/* Files with the mistakes real files carry. Their records are referred to by
 * nothing else. */
static void gen_broken(struct gen *g)
{
    struct out o;
    struct row w;
    if (open_out(g, &o, "op04_eore_2024_late_submission.csv", "eore", ',', 0, 0, 0))
        return;
    for (int i = 0; i < 12; i++) {
        eore_row(g, &w, 3, 2024, i + 1, "E04-2024L");
        if (i == 4) {
            set(&w, "participants", "40");
            set(&w, "girls", "25");
            set(&w, "boys", "20");
        }
        if (i == 8)
            set(&w, "date", "2024-02-30");
        emit(&o, &w);
    }
    if (close_out(g, &o, "a late EORE report: parts larger than the total, and 30 February", 1))
        return;

    if (open_out(g, &o, "op08_eore_attendance_2025_extra.csv", "eore-attendance", ',', 0, 0, 0))
        return;
    for (int i = 0; i < 30; i++) {
        struct person p;
        make_person(g, &p);
        attendance_row(g, &w, &p, 7, 2025, 900000UL + (unsigned long)i, 0);
        if (i == 6)
            set(&w, "sex", "Femal");
        if (i == 17) {
            set(&w, "age", "150");
            set(&w, "age_band", "%s", "");
        }
        if (i == 23)
            set(&w, "age_band", "10-19");
        emit(&o, &w);
    }
    if (close_out(g, &o, "an attendance list: a sex typo, an age of 150, an age band 10-19", 1))
        return;

    if (open_out(g, &o, "op02_land_release_2023_amended.csv", "land-release", ',', 0, 0, 0))
        return;
    for (int i = 0; i < 5; i++) {
        row_start(&w, madi_kind_find("land-release"));
        set(&w, "activity_id", "T02-2023-A%02d", i + 1);
        set(&w, "activity", "%s", i == 2 ? "clearing" : "eod");
        set(&w, "organisation", "OP-02");
        set(&w, "area", "%s", i == 3 ? "RM0999" : g->dist[rnd(&g->r, g->ndists)]);
        set(&w, "start_date", "2023-0%d-10", i + 3);
        set(&w, "end_date", "%s", i == 1 ? "2023-03-01" : "2023-09-30");
        set(&w, "devices_destroyed", "%d", 1 + i);
        set(&w, "direct_participants", "%d", 30 + i);
        set(&w, "direct_women", "%s", i == 4 ? "-3" : "10");
        set(&w, "direct_men", "12");
        emit(&o, &w);
    }
    (void)close_out(g, &o,
                    "an amended land release report: an unknown district, a task "
                    "that ends before "
                    "it starts, an unknown activity, a negative count",
                    1);
}

int madi_demo_generate(const char *dir, const struct madi_demo_opts *o, struct madi_demo *out,
                       struct madi_err *err)
{
    struct gen *g = xcalloc(1, sizeof(*g));
    memset(out, 0, sizeof(*out));
    g->r.s = o->seed * 0x2545f4914f6cdd1dULL + 1;
    g->scale = o->scale > 0 ? o->scale : 1.0;
    g->dir = dir;
    g->d = out;
    g->err = err;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        g->rc = madi_err_set(err, MADI_EIO, "cannot create the folder %s: %s", dir,
                             strerror(errno));
        goto done;
    }
    gen_registers(g);
    if (!g->rc)
        gen_operations(g);
    if (!g->rc)
        gen_people_registers(g);
    if (!g->rc)
        gen_broken(g);
done:;
    int rc = g->rc;
    free(g);
    if (rc)
        madi_demo_release(out);
    return rc;
}

void madi_demo_release(struct madi_demo *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->files[i].path);
    free(d->files);
    memset(d, 0, sizeof(*d));
}
