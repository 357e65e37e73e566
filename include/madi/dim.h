/*
 * dim.h: the SADDD dimensions as data. Code lists (sex, disability, displacement, ...), each with
 * `unknown` as a real member; age bands and band sets with re-binning that refuses bands that
 * do not nest; the Washington Group Short Set cut-off; and the value parsers every importer
 * shares (counts, dates, ages, person keys).
 *
 * Blank is not a member of any list: a blank cell is "not reported" and is stored as NULL by
 * the callers; "unknown" is the member a source uses when it says it does not know.
 * Everything here is pure and thread-safe.
 */
#ifndef MADI_DIM_H
#define MADI_DIM_H

#include <stddef.h>
#include <stdint.h>

/* One member of a code list. `aliases` is '|'-separated, matched case-insensitively. */
struct madi_code {
    int value;           /* stored integer */
    const char *code;    /* canonical code, as written in templates and exports */
    const char *label;   /* for people */
    const char *aliases; /* other spellings accepted on import, or NULL */
};

struct madi_codelist {
    const char *name; /* "sex", "yesno", ... */
    const char *doc;
    const struct madi_code *codes;
    size_t n;
    int extensible; /* a centre may add its own codes (madi codes add), valued from 100 up */
};

#define MADI_CODE_CUSTOM_FIRST 100

/** Every built-in code list, terminated by an entry with name == NULL. */
extern const struct madi_codelist madi_codelists[];

/** The list called `name`, or NULL. */
const struct madi_codelist *madi_codelist_find(const char *name);

/**
 * Match `s` (length n; surrounding spaces and letter case ignored) against the codes, labels
 * and aliases of `list`. Returns the member, or NULL when nothing matches.
 */
const struct madi_code *madi_code_match(const struct madi_codelist *list, const char *s, size_t n);
/** The member with stored value `value`, or NULL. */
const struct madi_code *madi_code_by_value(const struct madi_codelist *list, int value);

/* Stored values shared across lists. */
enum { MADI_SEX_F = 1, MADI_SEX_M = 2, MADI_SEX_X = 3, MADI_SEX_U = 9 };
enum { MADI_NO = 0, MADI_YES = 1, MADI_UNKNOWN = 9 };

/* ---- age bands ------------------------------------------------------------------------- */

#define MADI_AGE_MAX         120
#define MADI_YEAR_FUTURE_MAX 2100 /* the last year a target or plan may name */
#define MADI_AGE_OPEN        (-1) /* hi of an open-ended band such as 60+ */

/* A band [lo, hi] in whole years, both ends included; hi == MADI_AGE_OPEN for "lo and over". */
struct madi_band {
    int lo;
    int hi;
};

/* A band set: ordered lower boundaries starting at 0; the last band is open-ended. */
struct madi_bandset {
    const char *name;
    const char *doc;
    const int *bounds; /* strictly increasing, bounds[0] == 0 */
    size_t n;
};

/** Built-in band sets, terminated by name == NULL. The first is the canonical set. */
extern const struct madi_bandset madi_bandsets[];
/** The canonical bands every figure is re-binned into: 0-4, 5-11, 12-17, 18-24, 25-59, 60+. */
extern const struct madi_bandset *const madi_bandset_canonical;
const struct madi_bandset *madi_bandset_find(const char *name);

/** Index of the band of `set` that contains `age` (0..n-1). `age` must be 0..MADI_AGE_MAX. */
size_t madi_bandset_index(const struct madi_bandset *set, int age);
/** Write the label of band `i` of `set` ("5-11", "60+") into out; returns out. */
char *madi_bandset_label(const struct madi_bandset *set, size_t i, char *out, size_t outsz);

/**
 * Re-bin band `b` into `set`: on success stores the index of the one band of `set` that holds
 * all of `b` in *index and returns 0. When `b` straddles a boundary of `set` it returns
 * the boundary that falls inside `b` (a positive number of years) so the caller can say
 * "10-19 cannot become under-18/18+: 18 falls inside it". Never merges two bands of `set`.
 */
int madi_band_rebin(struct madi_band b, const struct madi_bandset *set, size_t *index);

/**
 * Check that band `b` is a union of whole bands of `set` (it starts and ends on boundaries of
 * `set`), so that it can later be re-binned into any coarser set. Returns 0 if so; else -1 with
 * *edge set to the age that is not a boundary (b.lo when no band of `set` starts there, b.hi + 1
 * when none ends at b.hi).
 */
int madi_band_align(struct madi_band b, const struct madi_bandset *set, int *edge);

/**
 * Parse an age band as operators write it: "5-11", "5 - 11", "60+", "60 and over", "<18",
 * "under 5", "0-17 years". Returns 0 and fills *b, or -1 with a reason in `why`.
 */
int madi_band_parse(const char *s, size_t n, struct madi_band *b, char *why, size_t whysz);

/* ---- Washington Group Short Set ------------------------------------------------------- */

enum madi_wg_answer {
    MADI_WG_NONE = 1,   /* no difficulty */
    MADI_WG_SOME = 2,   /* some difficulty */
    MADI_WG_ALOT = 3,   /* a lot of difficulty */
    MADI_WG_CANNOT = 4, /* cannot do at all */
    MADI_WG_REFUSED = 7,
    MADI_WG_DONTKNOW = 8
};

/**
 * Disability status by the WG standard cut-off (at least one domain answered "a lot of
 * difficulty" or "cannot do at all"): MADI_YES, MADI_NO when all six are answered 1-2, else
 * MADI_UNKNOWN. `answers` has 6 entries, 0 = not asked.
 */
int madi_wg_status(const int answers[6]);

/* ---- value parsers --------------------------------------------------------------------- */

/** Parse a non-negative whole count ("12", " 12 "); -1 with a reason on failure. */
int madi_parse_count(const char *s, size_t n, int64_t *out, char *why, size_t whysz);
/** Parse a non-negative decimal ("12.5"); -1 with a reason on failure. */
int madi_parse_decimal(const char *s, size_t n, double *out, char *why, size_t whysz);
/**
 * Parse a calendar date YYYY-MM-DD into yyyymmdd. Rejects impossible dates (2023-02-29),
 * dates before 1950 and dates after `today` (yyyymmdd; 0 = no check).
 */
int madi_parse_date(const char *s, size_t n, int32_t today, int32_t *out, char *why, size_t whysz);
/** Parse an age in whole years 0..120. */
int madi_parse_age(const char *s, size_t n, int *out, char *why, size_t whysz);
/** Parse a 16-hex-digit pseudonymous person key into 64 bits. */
int madi_parse_person_key(const char *s, size_t n, uint64_t *out, char *why, size_t whysz);
/** Format a person key as 16 lower-case hex digits (out must hold 17 bytes). */
void madi_format_person_key(uint64_t key, char out[17]);
/** Format a yyyymmdd date as YYYY-MM-DD (out must hold 11 bytes); 0 gives "". */
void madi_format_date(int32_t ymd, char out[11]);
/** Days since 1970-01-01 of a yyyymmdd date (proleptic Gregorian), for differences of dates. */
int64_t madi_date_days(int32_t ymd);
/** Today's date as yyyymmdd (UTC). */
int32_t madi_today(void);
/** Now as "2026-12-01T19:32:05Z" (UTC), the form every stored time takes. */
void madi_now_iso(char out[24]);

#endif
