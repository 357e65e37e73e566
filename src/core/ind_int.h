/*
 * ind_int.h: inside the indicator engine (not part of the contract).
 *
 * Sources (indsrc.c) say how the rows of a kind become counts: which date places a row in a
 * period, which organisation and area it belongs to, and, for kinds that carry counts split
 * by sex and age (risk education sessions, consultations, land release), which column holds
 * which part. Measures (indcat.c) are the compiled form of the catalogue's expressions, and
 * the engine (indicators.c) runs them.
 */
#ifndef MADI_IND_INT_H
#define MADI_IND_INT_H

#include <stddef.h>

#include "madi/indicators.h"
#include "madi/kind.h"

/* Coordinates of a part on the SADDD dimensions. AX_NONE: the partition does not split by it;
 * AX_NR: not recorded (the remainder of a total whose parts were not all given). */
enum { AX_NONE = -2, AX_NR = -1 };
/* Age groups a count split into girls/boys/women/men can give. */
enum { AG_CHILD = 0, AG_ADULT = 1, AG_UNKNOWN = 2 };

struct src_part {
    const char *col; /* column of the part; NULL for the remainder */
    int sex;         /* MADI_SEX_*, AX_NR, AX_NONE */
    int age;         /* AG_*, AX_NR, AX_NONE */
    int dis;         /* MADI_YES, MADI_NO, MADI_UNKNOWN, AX_NR, AX_NONE */
};

#define MAX_PARTS 8

/* The parts of one total along one split (sex and age; or disability). The last part is the
 * remainder; `rest_if_reported` gives it the remainder's coordinates only when at least one
 * part was reported (an operator who gives "of whom with disabilities" has counted the rest
 * as without), else the remainder is not recorded. */
struct src_partition {
    const char *total;
    struct src_part parts[MAX_PARTS]; /* terminated by col == NULL (the remainder) */
    int rest_if_reported;
};

/* A time rule: which rows fall in a period. In `where`, %F and %T stand for the first and last
 * day (yyyymmdd) and %Y for the last day's year; they become bound parameters. */
struct src_time {
    const char *name; /* "" for the default */
    const char *where;
    const char *date; /* the date expression that places a row (for reporting checks), or NULL */
};

struct src_synth {
    const char *name;  /* a field the kind does not have, e.g. survey-team "trained" */
    const char *codes; /* its code list; NULL for a date (a value, not a test) */
    const char *sql;   /* codes: true when the row has the value bound at %V; date: the date */
};

enum src_shape {
    SRC_ROWS, /* one row is one thing (a person, an organisation, a team) */
    SRC_PARTS /* one row carries counts split into parts */
};

struct src {
    const char *name; /* the kind's name */
    const char *what; /* "risk education sessions", for messages */
    enum src_shape shape;
    const char *org_col;      /* "organisation_id", "id" (organisations), or NULL */
    const char *area_col;     /* "area_id" or NULL */
    const char *age_lo;       /* SQL for the youngest age a row may have, or NULL (no age) */
    const char *age_hi;       /* the oldest (NULL result = open-ended) */
    const char *where;        /* always applied (e.g. registered organisations only), or NULL */
    struct src_time times[7]; /* the first is the default; name == NULL ends */
    struct src_partition partitions[4];
    size_t npartitions;
    struct src_synth synth[2];
    int report_kind;           /* value in the report_kind code list, or 0 */
    const char *estimate_col;  /* count_method: household or media estimates flag a figure */
    const char *baseline_year; /* population: the year column, chosen per period */
    const char *join;          /* more FROM, e.g. the survivor a need is of (alias sv), or NULL */
    const char *person_kind;   /* the kind whose sex, age, disability... the rows take, or NULL */
};

/** The SADDD axes a partition splits by: bit 0 sex, 1 age, 2 disability. */
unsigned ind_partition_axes(const struct src_partition *p);

/** The source of kind `name`, or NULL. */
const struct src *ind_src_find(const char *name);
/** The kind behind a source. */
const struct madi_kind *ind_src_kind(const struct src *s);

/* ---- measures ---------------------------------------------------------------------------- */

enum mfn { M_COUNT, M_SUM, M_DISTINCT, M_MEDIAN_DAYS };
enum cop { C_EQ, C_NE, C_LT, C_LE, C_GT, C_GE, C_IN, C_REPORTED, C_NOT_REPORTED };

/* What a condition or a dimension reads. */
enum dref {
    D_FIELD,    /* a field of the kind (column t.<name>) */
    D_SYNTH,    /* a synthetic field of the source */
    D_AGE,      /* age, from the source's age_lo/age_hi */
    D_SEX_PART, /* on SRC_PARTS: sex of a part */
    D_AGE_PART, /* on SRC_PARTS: age group of a part */
    D_DIS_PART, /* on SRC_PARTS: disability of a part */
    D_ORG,      /* the organisation */
    D_AREA,     /* the area, at a level */
    D_PFIELD    /* a field of the person the row is about (sv.<name>, src->person_kind) */
};

#define MAX_VALS  8
#define MAX_CONDS 12
#define MAX_TERMS 8

struct cond {
    enum dref ref;
    int field; /* D_FIELD: index in the kind; D_SYNTH: index in src->synth */
    enum cop op;
    double vals[MAX_VALS];
    int nvals;
};

struct term {
    enum mfn fn;
    const struct src *src;
    int field;     /* M_SUM/M_DISTINCT: index of the field in the kind; -1 for count */
    int partition; /* M_SUM over a split total: index of its first partition, else -1 */
    int field2;    /* M_MEDIAN_DAYS: the later date, a field index, or -2 - synth index */
    const struct src_time *time;
    struct cond conds[MAX_CONDS];
    int nconds;
};

struct measure {
    struct term terms[MAX_TERMS];
    int nterms;
};

/**
 * Compile expression `e` into *m. On failure returns -1 with a message in `why` that says what
 * to write instead.
 */
int ind_measure_parse(const char *e, struct measure *m, char *why, size_t whysz);

/** Does `m` split people by SADDD parts (and so give only under-18 / 18+ for age)? */
int ind_measure_coarse_age(const struct measure *m);

#endif
