/*
 * demo_survivors.c: the fictional programme's victim assistance: two operators' survivors (one
 * person reported by both, with the name written differently, for 'madi link review'), their
 * consent, needs and referrals (some overdue), and the centre's key. Names are made up.
 *
 * Invariants: every file passes validation; a referral outside the organisation is written only
 * where the survivor consented to that kind of sharing; every date is in 2023-2025.
 */
#include "demo_survivors.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "madi/dim.h"
#include "madi/kind.h"
#include "madi/privacy.h"

#include "banned.h"
#include "xalloc.h"

/* Operators of the demo register (demo.c) that do victim assistance. */
static const char *const va_ops[] = { "OP-02", "OP-03" };
static const char *const first_f[] = { "Amira", "Zoé",  "Nadia", "Leila", "Maryam",
                                       "Sofia", "Hana", "Inès",  "Yara",  "Dalia" };
static const char *const first_m[] = { "Karim", "José", "Omar", "Yusuf", "Tarek",
                                       "Samir", "Ali",  "Hugo", "Nabil", "Rami" };
static const char *const last[] = { "Haddad", "Pratt",   "Mansour", "Khalil", "Nassar",
                                    "Farah",  "Saleh",   "Aziz",    "Qasim",  "Rahal",
                                    "Bakri",  "Darwish", "Hamdan",  "Jaber",  "Zayed" };

struct rng {
    uint64_t s;
};

static unsigned draw(struct rng *r, unsigned n)
{
    r->s = r->s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((r->s >> 33) % n);
}

/* yyyymmdd of day `n` after 2023-01-01 (n < 1095). */
static int32_t date_of(int n)
{
    static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int y = 2023;
    for (;;) {
        int len = y % 4 == 0 ? 366 : 365;
        if (n < len)
            break;
        n -= len;
        y++;
    }
    int m = 0;
    for (;; m++) {
        int len = mdays[m] + (m == 1 && y % 4 == 0);
        if (n < len)
            break;
        n -= len;
    }
    return (int32_t)(y * 10000 + (m + 1) * 100 + n + 1);
}

#define LAST_DAY 1094 /* 2025-12-31 */

struct csvw {
    FILE *f;
    const struct madi_kind *k;
    char *cells[48];
    unsigned long long rows;
};

static void set(struct csvw *w, const char *field, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static void set(struct csvw *w, const char *field, const char *fmt, ...)
{
    int i = madi_kind_field_index(w->k, field);
    MADI_ASSERT(i >= 0);
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    free(w->cells[i]);
    w->cells[i] = xstrdup(buf);
}

static void set_date(struct csvw *w, const char *field, int day)
{
    char d[11];
    madi_format_date(date_of(day), d);
    set(w, field, "%s", d);
}

static void row_end(struct csvw *w)
{
    for (size_t i = 0; i < w->k->nfields; i++) {
        const char *c = w->cells[i] ? w->cells[i] : "";
        if (i)
            (void)fputc(',', w->f);
        if (strpbrk(c, ",\"\n"))
            (void)fprintf(w->f, "\"%s\"", c); /* no quotes inside the demo's values */
        else
            (void)fputs(c, w->f);
        free(w->cells[i]);
        w->cells[i] = NULL;
    }
    (void)fputc('\n', w->f);
    w->rows++;
}

static struct madi_demo_file *add(struct madi_demo *d, size_t *cap, const char *dir, size_t dirlen,
                                  const char *name, const char *kind, const char *what)
{
    if (d->n == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        d->files = xrealloc(d->files, *cap * sizeof(*d->files));
    }
    struct madi_demo_file *f = &d->files[d->n++];
    f->path = xasprintf("%.*s/%s", (int)dirlen, dir, name);
    f->kind = kind;
    f->what = what;
    f->broken = 0;
    return f;
}

static int open_w(struct csvw *w, const char *path, const char *kind, struct madi_err *err)
{
    memset(w, 0, sizeof(*w));
    w->k = madi_kind_find(kind);
    MADI_ASSERT(w->k);
    w->f = fopen(path, "wb");
    if (!w->f)
        return madi_err_set(err, MADI_EIO, "cannot create %s: %s", path, strerror(errno));
    for (size_t i = 0; i < w->k->nfields; i++)
        (void)fprintf(w->f, "%s%s", i ? "," : "", w->k->fields[i].name);
    (void)fputc('\n', w->f);
    return MADI_OK;
}

static int close_w(struct csvw *w, const char *path, struct madi_err *err)
{
    int bad = ferror(w->f);
    if (fclose(w->f) != 0 || bad)
        return madi_err_set(err, MADI_EIO, "cannot write %s", path);
    return MADI_OK;
}

/* One planned survivor. */
struct person {
    char id[24];
    int op, sex, age, injury, direct, health_ok, social_ok;
};

static void plan(struct rng *r, struct person *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        p[i].op = (int)(i % 2);
        p[i].sex = draw(r, 2) ? 1 : 2;
        p[i].age = 4 + (int)draw(r, 60);
        p[i].injury = (int)draw(r, 900);
        p[i].direct = draw(r, 4) != 0;
        p[i].health_ok = draw(r, 5) != 0;
        p[i].social_ok = draw(r, 2);
        (void)snprintf(p[i].id, sizeof(p[i].id), "S-%s-%04zu", va_ops[p[i].op] + 3, i + 1);
    }
}

static int write_survivors(const char *path, struct rng *r, const struct person *p, size_t n,
                           unsigned long long *rows, struct madi_err *err)
{
    struct csvw w;
    int rc = open_w(&w, path, "survivor", err);
    if (rc)
        return rc;
    for (size_t i = 0; i <= n; i++) {
        /* The last row: the first survivor again, reported by the other operator. */
        const struct person *q = &p[i < n ? i : 0];
        unsigned fi = draw(r, 10), li = draw(r, 15);
        if (i == n) {
            set(&w, "survivor_id", "S-%s-%04zu", va_ops[!q->op] + 3, n + 1);
            set(&w, "organisation", "%s", va_ops[!q->op]);
            set(&w, "name", "%s, %s", "PRATT", q->sex == 1 ? "zoe" : "jose");
        } else {
            set(&w, "survivor_id", "%s", q->id);
            set(&w, "organisation", "%s", va_ops[q->op]);
            if (i == 0)
                set(&w, "name", "%s Pratt", q->sex == 1 ? "Zoé" : "José");
            else
                set(&w, "name", "%s %s", q->sex == 1 ? first_f[fi] : first_m[fi], last[li]);
        }
        set_date(&w, "date_of_injury", q->injury);
        set(&w, "victim_type", "%s", q->direct ? "direct" : "indirect");
        if (q->direct)
            set(&w, "outcome", "injured");
        set(&w, "sex", "%s", q->sex == 1 ? "F" : "M");
        set(&w, "age", "%d", q->age);
        set(&w, "disability", "%s", q->direct && q->age % 3 ? "yes" : "no");
        set(&w, "civilian_status", "civilian");
        set(&w, "birth_year", "%d", date_of(q->injury) / 10000 - q->age);
        if (draw(r, 3) == 0)
            set(&w, "phone", "+000 555 %04u", draw(r, 10000));
        row_end(&w);
    }
    *rows += w.rows;
    return close_w(&w, path, err);
}

static int write_consent(const char *path, const struct person *p, size_t n,
                         unsigned long long *rows, struct madi_err *err)
{
    struct csvw w;
    int rc = open_w(&w, path, "consent", err), seq = 0;
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        int day = p[i].injury + 5;
        static const char *const scopes[] = { "data_use", "share_health", "share_social" };
        int ok[3] = { 1, p[i].health_ok, p[i].social_ok };
        for (int s = 0; s < 3; s++) {
            set(&w, "consent_id", "CN-%05d", ++seq);
            set(&w, "survivor_id", "%s", p[i].id);
            set(&w, "scope", "%s", scopes[s]);
            set(&w, "given", "%s", ok[s] ? "yes" : "no");
            set_date(&w, "date", day);
            set(&w, "recorded_by", "%s", va_ops[p[i].op]);
            row_end(&w);
        }
    }
    *rows += w.rows;
    return close_w(&w, path, err);
}

/* Needs and their referrals, in two files written side by side. */
static int write_needs(const char *npath, const char *rpath, struct rng *r, const struct person *p,
                       size_t n, unsigned long long *rows, struct madi_err *err)
{
    static const char *const elements[] = { "emergency_medical", "continuing_medical",
                                            "rehabilitation",    "assistive_device",
                                            "psychological",     "psychosocial",
                                            "education",         "employment",
                                            "housing",           "legal" };
    /* Each element's provider kind: 0 health, 1 social, 2 legal. */
    static const int kind_of[] = { 0, 0, 0, 0, 0, 1, 1, 1, 1, 2 };
    static const char *const providers[][2] = { { "REHAB-NORTH", "HOSP-CENTRAL" },
                                                { "SOCIAL-AFFAIRS", "LIVELIHOOD-NET" },
                                                { "LEGAL-AID", "LEGAL-AID" } };
    static const char *const statuses[] = { "proposed",  "accepted", "in_progress",
                                            "completed", "declined", "lost_to_follow_up" };
    struct csvw nw, rw;
    int rc = open_w(&nw, npath, "need", err), nseq = 0, rseq = 0;
    if (rc)
        return rc;
    rc = open_w(&rw, rpath, "referral", err);
    if (rc) {
        (void)fclose(nw.f);
        return rc;
    }
    for (size_t i = 0; i < n; i++) {
        int count = 1 + (int)draw(r, 3);
        for (int k = 0; k < count; k++) {
            unsigned e = p[i].direct ? draw(r, 10) : 5 + draw(r, 5);
            int day = p[i].injury + 7 + (int)draw(r, 30);
            const char *op = va_ops[p[i].op];
            unsigned st = draw(r, 6);
            ++nseq;
            set(&nw, "need_id", "N-%05d", nseq);
            set(&nw, "survivor_id", "%s", p[i].id);
            set(&nw, "element", "%s", elements[e]);
            set_date(&nw, "date_identified", day);
            set(&nw, "assessed_by", "%s", op);
            set(&nw, "status", "%s", st == 3 ? "met" : st == 2 ? "partly_met" : "unmet");
            row_end(&nw);
            if (draw(r, 10) >= 7)
                continue; /* not referred yet */
            int pk = kind_of[e];
            int shared = (pk == 0 && p[i].health_ok) || (pk == 1 && p[i].social_ok);
            int ref = day + 1 + (int)draw(r, 10);
            set(&rw, "referral_id", "R-%05d", ++rseq);
            set(&rw, "survivor_id", "%s", p[i].id);
            set(&rw, "need_id", "N-%05d", nseq);
            set(&rw, "from_organisation", "%s", op);
            if (shared) {
                set(&rw, "to_provider", "%s", providers[pk][draw(r, 2)]);
                set(&rw, "provider_type", "%s", pk == 0 ? "health" : "social");
            } else { /* no consent to share: the operator's own services */
                set(&rw, "to_provider", "%s", op); /* within: its own code */
                set(&rw, "provider_type", "internal");
            }
            set_date(&rw, "date_referred", ref);
            set_date(&rw, "due_date", ref + 30);
            int out = ref + 5 + (int)draw(r, 60);
            if (st == 3 && out <= LAST_DAY) {
                set(&rw, "status", "completed");
                set(&rw, "outcome", "service_provided");
                set_date(&rw, "outcome_date", out);
            } else {
                set(&rw, "status", "%s", statuses[st == 3 ? 2 : st]);
            }
            row_end(&rw);
        }
    }
    *rows += nw.rows + rw.rows;
    rc = close_w(&nw, npath, err);
    int rc2 = close_w(&rw, rpath, err);
    return rc ? rc : rc2;
}

/* The stamp: the public key of the key file a demo wrote. */
static int write_stamp(const struct madi_key *k, const char *stamp, struct madi_err *err)
{
    char hex[65];
    madi_key_public_hex(k, hex);
    FILE *f = fopen(stamp, "w");
    if (!f)
        return madi_err_set(err, MADI_EIO, "cannot write %s: %s", stamp, strerror(errno));
    int ok = fprintf(f, "%s\n", hex) > 0;
    if (fclose(f) != 0 || !ok)
        return madi_err_set(err, MADI_EIO, "cannot write %s", stamp);
    return MADI_OK;
}

static int remove_demo_key(const char *keypath, const char *stamp, struct madi_err *err)
{
    struct madi_key *old = NULL;
    struct madi_err e2;
    char hex[65], want[80] = "";
    int rc = madi_key_read_file(keypath, &old, &e2);
    if (rc == MADI_ENOTFOUND)
        return MADI_OK;
    FILE *f = fopen(stamp, "r");
    if (f) {
        if (!fgets(want, sizeof(want), f))
            want[0] = '\0';
        (void)fclose(f);
    }
    want[strcspn(want, "\n")] = '\0';
    if (!rc)
        madi_key_public_hex(old, hex);
    madi_key_free(old);
    if (rc || strcmp(hex, want) != 0)
        return madi_err_set(err, MADI_ECONFLICT,
                            "%s is a key file madi demo did not make (it may be a centre's real "
                            "key): it is left alone, and the demo stops; choose another --dir, or "
                            "move the key file away",
                            keypath);
    if (unlink(keypath) != 0)
        return madi_err_set(err, MADI_EIO, "cannot replace %s: %s", keypath, strerror(errno));
    return MADI_OK;
}

int madi_demo_survivors_write(const char *dir, size_t dirlen, uint64_t seed, double scale,
                              struct madi_demo *d, size_t *cap, struct madi_err *err)
{
    struct rng r = { seed ^ 0x5a5a7e57ULL };
    size_t n = (size_t)(scale * 120);
    if (n < 4)
        n = 4;
    struct person *p = xcalloc(n, sizeof(*p));
    struct madi_key *k = NULL;
    char *keypath = xasprintf("%.*s/%s", (int)dirlen, dir, MADI_DEMO_KEY_FILE);
    plan(&r, p, n);
    const char *sv = add(d, cap, dir, dirlen, "va_survivors.csv", "survivor",
                         "survivors reported by two operators; one person is in both, with the "
                         "name written differently")
                             ->path;
    int rc = write_survivors(sv, &r, p, n, &d->rows, err);
    const char *cn = add(d, cap, dir, dirlen, "va_consent.csv", "consent",
                         "survivors' consent to data use and to sharing with providers")
                             ->path;
    if (!rc)
        rc = write_consent(cn, p, n, &d->rows, err);
    const char *nd = add(d, cap, dir, dirlen, "va_needs.csv", "need",
                         "survivors' needs by victim assistance element")
                             ->path;
    const char *rf = add(d, cap, dir, dirlen, "va_referrals.csv", "referral",
                         "referrals to providers, only where consent allows sharing")
                             ->path;
    if (!rc)
        rc = write_needs(nd, rf, &r, p, n, &d->rows, err);
    /* A fresh key for a fresh demo database (the old one goes with the old database), but only
     * a key an earlier demo made: its public key is in the stamp beside it. Any other key file
     * may be a centre's real key, and is never deleted. */
    char *stamp = xasprintf("%s.demo", keypath);
    if (!rc)
        rc = remove_demo_key(keypath, stamp, err);
    if (!rc)
        rc = madi_key_generate(&k, err);
    if (!rc)
        rc = madi_key_write_file(k, keypath, err);
    if (!rc)
        rc = write_stamp(k, stamp, err);
    madi_key_free(k);
    free(stamp);
    free(keypath);
    free(p);
    return rc;
}
