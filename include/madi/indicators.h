/*
 * indicators.h: the gender and diversity indicators, defined as data and computed from the
 * store.
 *
 * An indicator is a catalogue entry (docs/INDICATORS.md has the format): an id, words for
 * people, the pillars and frameworks it serves, a unit, and a numerator and an optional
 * denominator written as measures over the kinds of record, for example
 *
 *     numerator   = sum(eore.participants where sex = F and age >= 18)
 *     denominator = sum(eore.participants)
 *
 * The built-in catalogue is compiled in; a centre adds its own entries from a file (kept in the
 * database, so every front door sees them) without recompiling. Every entry is checked against
 * the kinds when it is read: an unknown kind, field, code or a disaggregation the data cannot
 * give is an error at its line.
 *
 * Computing an indicator gives a table: one cell per category of each requested dimension,
 * with the total (_T) of each, every cell carrying its numerator, denominator, value, coverage
 * (the share of the base whose sex, age and disability are known) and flags. A value that
 * cannot be computed says why; it is never shown as 0.
 *
 * Not thread-safe: one catalogue and one store per thread.
 */
#ifndef MADI_INDICATORS_H
#define MADI_INDICATORS_H

#include <stddef.h>
#include <stdint.h>

#include "madi/err.h"
#include "madi/store.h"

#define MADI_IND_MAX_BY 3 /* dimensions crossed in one table */

enum madi_ind_unit { MADI_UNIT_COUNT, MADI_UNIT_PERCENT, MADI_UNIT_RATIO, MADI_UNIT_DAYS };

/* One catalogue entry. All strings are owned by the catalogue. */
struct madi_ind_def {
    const char *id;          /* "eore.share_women" */
    const char *title;       /* one line for people */
    const char *description; /* what it measures and how to read it */
    const char *pillar; /* land-release, eore, victim-assistance, workforce, governance, data */
    const char *wps;    /* WPS pillars, comma-separated: participation, protection, ... */
    enum madi_ind_unit unit;
    const char *numerator;            /* measure expressions, as written */
    const char *denominator;          /* NULL for a count */
    const char *baseline_numerator;   /* representation ratios: the population share, or NULL */
    const char *baseline_denominator; /* its base */
    const char *universe;   /* what coverage is taken against, when not people (or NULL) */
    const char *by;         /* the disaggregations that make sense, comma-separated */
    int higher_is_better;   /* 1 higher, 0 lower, -1 neither (a count to watch) */
    const char *frameworks; /* "SRAAP 32; LAP 33; CRPD 35; SDG 5.5" */
    const char *counts;     /* what a count is of: "contacts", "people", "sessions", "m2" ... */
    const char *reference;  /* a reference value from the documents, or NULL */
    int unrecorded_is_zero; /* 1: a base with nothing recorded gives 0 (coverage indicators) */
    const char *origin;     /* "built-in" or the file it was read from */
    int line;               /* line of its [id] in that file */
};

struct madi_ind_catalogue;

/** Severity of a catalogue finding. */
struct madi_ind_issue {
    const char *origin; /* file name or "built-in" */
    int line;
    const char *msg;
};
typedef void (*madi_ind_issue_fn)(void *ctx, const struct madi_ind_issue *is);

/**
 * A catalogue holding the built-in indicators. Caller owns *out; free with
 * madi_ind_catalogue_free. Fails only on a bug in the built-in catalogue (MADI_EINTERNAL).
 */
int madi_ind_catalogue_new(struct madi_ind_catalogue **out, struct madi_err *err);
void madi_ind_catalogue_free(struct madi_ind_catalogue *c);

/**
 * Read catalogue entries from `text` (length n) and add them; an entry whose id is already in
 * the catalogue replaces it. Every problem is passed to `on_issue` with its line; when there is
 * any, nothing is added and MADI_EREJECTED is returned. `origin` names the text in messages.
 */
int madi_ind_catalogue_add_text(struct madi_ind_catalogue *c, const char *text, size_t n,
                                const char *origin, madi_ind_issue_fn on_issue, void *ctx,
                                struct madi_err *err);

/** Add the entries stored in the database (madi_ind_store_text). A database without any is fine. */
int madi_ind_catalogue_add_stored(struct madi_ind_catalogue *c, struct madi_store *s,
                                  struct madi_err *err);

/** Remove a stored entry (MADI_EINVAL when no stored entry has that id). */
int madi_ind_store_remove(struct madi_store *s, const char *id, struct madi_err *err);

/**
 * Check `text` as catalogue entries and store each in the database (replacing an entry of the
 * same id), in one transaction; *added gets the number stored. Built-in ids cannot be
 * replaced (MADI_ECONFLICT): a centre's variant needs an id of its own.
 */
int madi_ind_store_text(struct madi_store *s, const char *text, size_t n, const char *origin,
                        const char *who, madi_ind_issue_fn on_issue, void *ctx, size_t *added,
                        struct madi_err *err);

/** Number of entries, and entry i (in catalogue order: built-in first, by pillar). */
size_t madi_ind_catalogue_count(const struct madi_ind_catalogue *c);
const struct madi_ind_def *madi_ind_catalogue_get(const struct madi_ind_catalogue *c, size_t i);
/** The entry called `id`, or NULL. */
const struct madi_ind_def *madi_ind_catalogue_find(const struct madi_ind_catalogue *c,
                                                   const char *id);

/** Names of units and the WPS pillar words, for output. */
const char *madi_ind_unit_name(enum madi_ind_unit u);

/* ---- periods ------------------------------------------------------------------------------ */

struct madi_period {
    int32_t from, to; /* yyyymmdd, both included */
    char label[40];   /* "2025", "2025-Q2", "2025-03", "2025-01-01..2025-06-30" */
};

/**
 * Parse a period: a year ("2025"), a quarter ("2025-Q2"), a month ("2025-03") or a range of
 * days ("2025-01-01..2025-06-30"). MADI_EINVAL with a message saying what is accepted.
 */
int madi_period_parse(const char *s, struct madi_period *out, struct madi_err *err);
/** The calendar year `y` as a period. */
void madi_period_year(int y, struct madi_period *out);
/**
 * Split `p` into its years (when it spans more than one) or its quarters (within a year), at
 * most `max` parts; returns how many were written.
 */
size_t madi_period_split(const struct madi_period *p, struct madi_period *parts, size_t max);
/**
 * The latest calendar year that has any dated record (for a default period); MADI_ENOTFOUND
 * when the database holds none.
 */
int madi_period_latest_year(struct madi_store *s, int *year, struct madi_err *err);

/* ---- computing ---------------------------------------------------------------------------- */

struct madi_ind_query {
    struct madi_period period;
    const char *area;                /* area code: that area and everything inside it; or NULL */
    const char *org;                 /* organisation code, or NULL */
    const char *by[MADI_IND_MAX_BY]; /* dimensions to cross, NULL-terminated or full:
                                        sex, age, disability, displacement, minority, operator,
                                        area (one level below --area, or provinces), area:N, and
                                        any code field of the indicator's kind */
    long small;                      /* denominators below this are flagged small (0 = 30) */
    int32_t today;                   /* yyyymmdd: reports not yet due after it (0 = clock) */
};

enum madi_ind_status {
    MADI_IND_OK = 0,
    MADI_IND_NO_DATA,     /* no records of the kind in the period (or no such data at all) */
    MADI_IND_NO_BASELINE, /* a representation ratio without a population baseline */
    MADI_IND_ZERO_DENOM,  /* records exist, but the denominator is zero */
    MADI_IND_NOT_BY,      /* the data cannot be disaggregated this way */
    MADI_IND_NOT_RECORDED /* it selects by sex, age or disability, and none of its base has it */
};

enum madi_ind_flag {
    MADI_IND_SMALL = 1 << 0,      /* denominator below the query's `small` */
    MADI_IND_INCOMPLETE = 1 << 1, /* expected reports for the period are missing */
    MADI_IND_ESTIMATED = 1 << 2   /* part of it rests on estimates (or another year's baseline) */
};

/* A category of a dimension: "F", "18-24", "OP-03", "_T" (total), "_N" (not recorded). */
struct madi_ind_cat {
    const char *code;
    const char *label;
};

struct madi_ind_cell {
    size_t cat[MADI_IND_MAX_BY]; /* index into the dimension's categories (last = _T) */
    enum madi_ind_status status;
    double value;                            /* valid when status == MADI_IND_OK */
    double num, den;                         /* den is 0 for counts */
    double cov_sex, cov_age, cov_disability; /* 0..1 share of the base known; -1 not applicable */
    double coverage; /* against the universe, when the entry names one; else -1 */
    double base;     /* the size of the base coverage is taken on (0: nothing there) */
    unsigned flags;
};

struct madi_ind_dim {
    const char *name; /* as asked: "sex", "area:2" */
    size_t ncats;     /* including the total, which is last */
    struct madi_ind_cat *cats;
};

struct madi_ind_result {
    const struct madi_ind_def *def;
    struct madi_period period;
    enum madi_ind_status status; /* of the whole (the total cell) */
    char why[256];               /* when status != OK, or a note (baseline year, contacts) */
    char note[256];              /* what the figure counts and other things to know, or "" */
    size_t ndims;
    struct madi_ind_dim dims[MADI_IND_MAX_BY];
    size_t ncells;
    struct madi_ind_cell *cells; /* row-major over the dimensions; the last cell is the total */
    long reports_expected, reports_missing; /* from reporting plans; 0 and 0 when none */
};

/**
 * Compute `def` for query `q`. Caller owns *out; free with madi_ind_result_free. Failures of the
 * store are errors; data that does not allow a value is a status in the result, not an error.
 * A dimension the indicator cannot be split by gives status MADI_IND_NOT_BY with the reason.
 */
int madi_ind_compute(struct madi_store *s, const struct madi_ind_def *def,
                     const struct madi_ind_query *q, struct madi_ind_result **out,
                     struct madi_err *err);
void madi_ind_result_free(struct madi_ind_result *r);

/** The total cell of a result (always present). */
const struct madi_ind_cell *madi_ind_result_total(const struct madi_ind_result *r);

/** Words for a status ("no data for the period", ...). */
const char *madi_ind_status_name(enum madi_ind_status st);

/* ---- targets ------------------------------------------------------------------------------ */

enum madi_target_state {
    MADI_TARGET_UNKNOWN = 0, /* no value for the period */
    MADI_TARGET_ACHIEVED,    /* the value has reached the target */
    MADI_TARGET_ON_TRACK,    /* on or beyond the straight line from baseline to target */
    MADI_TARGET_OFF_TRACK    /* behind that line (or, without a baseline, not yet reached) */
};

struct madi_target_progress {
    char indicator[80];
    char subgroup[64];
    int year; /* target year */
    double target;
    int has_baseline;
    double baseline;
    int baseline_year;
    int has_value;
    double value;    /* for the period asked */
    double expected; /* on the trajectory at the period's end (when has_baseline) */
    enum madi_target_state state;
    char why[160]; /* when state is UNKNOWN, or the rule applied */
};

/**
 * Progress of every stored target whose year is on or after the period's, against the value
 * of its indicator for `q` (the subgroup "dim=code" read from that cell). Caller owns *out
 * (free()). Targets naming an indicator the catalogue lacks come back UNKNOWN with the reason.
 */
int madi_ind_targets(struct madi_store *s, const struct madi_ind_catalogue *c,
                     const struct madi_ind_query *q, struct madi_target_progress **out, size_t *n,
                     struct madi_err *err);

const char *madi_target_state_name(enum madi_target_state st);

#endif
