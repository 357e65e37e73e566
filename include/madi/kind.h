/*
 * kind.h: the kinds of record madi imports, defined once as data.
 *
 * A kind is a table of fields: canonical column name, type, code list, HXL tag, aliases, whether
 * it is required, and what it means. From that one definition come the CSV template, the
 * `--doc` text, the column mapping, the validator and the insert statement: adding a field is
 * one edit in src/core/kinds.c (plus its column in a schema migration).
 *
 * Partitions ("sums") say which counts are parts of which total, so the validator can check
 * parts <= total and, when every part of an exhaustive partition is given, parts == total.
 * All of this is constant data; thread-safe.
 */
#ifndef MADI_KIND_H
#define MADI_KIND_H

#include <stddef.h>
#include <stdio.h>

#include "madi/dim.h"
#include "madi/err.h"

enum madi_ftype {
    MADI_F_ID,         /* record identifier: 1-64 printable characters, unique in the kind */
    MADI_F_TEXT,       /* free text, up to 200 characters */
    MADI_F_COUNT,      /* whole number of people (or things), >= 0 */
    MADI_F_DECIMAL,    /* number >= 0, e.g. square metres */
    MADI_F_DATE,       /* YYYY-MM-DD, a real date, not in the future */
    MADI_F_YEAR,       /* a calendar year 1900..this year */
    MADI_F_LEVEL,      /* administrative level 0..9 */
    MADI_F_AGE,        /* age in whole years 0..120 */
    MADI_F_AGE_BAND,   /* an age band that nests in the canonical bands ("5-11", "60+") */
    MADI_F_CODE,       /* a member of a code list */
    MADI_F_REF,        /* the code of an organisation, area or hazard already known */
    MADI_F_PERSON_KEY, /* 16 hex digits: a pseudonymous person key */
    MADI_F_PERSONAL,   /* personal data (a name, a phone number, notes), up to 500 characters:
                          encrypted before it is stored, never echoed in a message; a cell may
                          come sealed to the centre's key ("sealed:..."), see privacy.h */
    MADI_F_DUE_DATE    /* YYYY-MM-DD, a real date that may be in the future */
};

enum madi_ref { MADI_REF_NONE = 0, MADI_REF_ORG, MADI_REF_AREA, MADI_REF_HAZARD, MADI_REF_TEAM };

enum madi_field_flags {
    MADI_FLD_REQUIRED = 1 << 0, /* a blank cell is an error */
    MADI_FLD_KEY = 1 << 1,      /* the kind's natural key (unique) */
    MADI_FLD_PARENT = 1 << 2,   /* REF to the same kind (area parent): may name a row above */
    MADI_FLD_FUTURE = 1 << 3    /* a YEAR that may lie ahead (targets, plans), up to 2100 */
};

struct madi_field {
    const char *name; /* canonical column name, also the database column */
    enum madi_ftype type;
    unsigned flags;
    const char *codes;   /* code list name for MADI_F_CODE */
    enum madi_ref ref;   /* for MADI_F_REF */
    const char *hxl;     /* HXL hashtag with attributes, e.g. "#reached+f+adults" */
    const char *aliases; /* '|'-separated other header names, matched loosely */
    const char *doc;     /* what the column means, for --doc and the man page */
    const char *unit;    /* what it counts, or NULL */
};

/* A total and its parts. Exhaustive: the parts (with `unknown`) cover every member of the total. */
struct madi_sum {
    const char *total;
    const char *parts[8]; /* NULL-terminated */
    int exhaustive;
    const char *what; /* "sex and age", "disability" ... for messages */
};

enum madi_kind_flags {
    MADI_KIND_REGISTER = 1 << 0, /* a register others refer to (organisation, area, hazard, team) */
    MADI_KIND_INDIVIDUAL = 1 << 1, /* one row per person */
    MADI_KIND_NO_KEY_OK = 1 << 2,  /* rows may lack a key: identical rows are distinct people */
    MADI_KIND_BLOCKS = 1 << 3      /* rows stored column-wise in blocks, `table` a virtual table
                                      over them (schema 010); one text key at most */
};

struct madi_kind {
    const char *name;  /* "eore", "eore-attendance", ... */
    const char *table; /* database table */
    const char *title; /* one line for people */
    const char *doc;   /* a paragraph: what one row is */
    const struct madi_field *fields;
    size_t nfields;
    const struct madi_sum *sums;
    size_t nsums;
    unsigned flags;
    const char *const *example; /* data rows of `madi template KIND --example`, NULL-terminated */
};

/** Every kind, in the order a programme would import them, terminated by name == NULL. */
extern const struct madi_kind madi_kinds[];
/** The kind called `name` (case-insensitive), or NULL. */
const struct madi_kind *madi_kind_find(const char *name);
/** Index of the field called `name` in `k`, or -1. */
int madi_kind_field_index(const struct madi_kind *k, const char *name);
/** 1 if `k` has a MADI_F_PERSONAL field (its import needs the centre's key). */
int madi_kind_has_personal(const struct madi_kind *k);
/** 1 if `k` is about survivors (personal fields, or a survivor_id): its imports and exports are
 * written to the audit log. */
int madi_kind_is_protected(const struct madi_kind *k);
/** Human name of a field type ("count", "date YYYY-MM-DD", ...). */
const char *madi_ftype_name(enum madi_ftype t);

enum madi_template_flags {
    MADI_TEMPLATE_EXAMPLE = 1 << 0, /* add the example rows */
    MADI_TEMPLATE_NO_HXL = 1 << 1   /* leave out the HXL hashtag row */
};

/** Write the CSV template of `k` (header, HXL row, and examples if asked) to `out`. */
int madi_kind_write_template(const struct madi_kind *k, unsigned flags, FILE *out);
/** Write what each column of `k` means and accepts, as text for people. */
int madi_kind_write_doc(const struct madi_kind *k, FILE *out);

#endif
