/*
 * import.h: operator files in, validated, stored whole or not at all.
 *
 * Files are CSV or spreadsheets (.xlsx, .ods), recognised by their content. A spreadsheet whose
 * sheets are named as kinds (organisation, area, eore, ...) imports every such sheet, each as its
 * own batch, in one transaction, registers first, unless a kind or sheet is named.
 * One file is one batch and one transaction: every problem in the file is reported (not just
 * the first), and if there is any error nothing is written. A file already imported (same
 * content, same kind, still active) is a no-op. A corrected file replaces an earlier batch only
 * when asked (replace_batch). Every stored record carries its batch and source line.
 *
 * Columns are matched by canonical name, by the kind's aliases, by aliases stored in the
 * database (madi_alias_add), or by the HXL hashtag row under the header.
 * Not thread-safe; one import per store at a time.
 */
#ifndef MADI_IMPORT_H
#define MADI_IMPORT_H

#include <stdint.h>
#include <stdio.h>

#include "madi/err.h"
#include "madi/store.h"

struct madi_key;

enum madi_diag_level { MADI_DIAG_ERROR = 0, MADI_DIAG_WARNING = 1, MADI_DIAG_NOTE = 2 };

/* One finding about a file. Borrowed; valid only during the callback. */
struct madi_diag {
    enum madi_diag_level level;
    const char *file;   /* as the user named it */
    const char *sheet;  /* the workbook sheet, or NULL for CSV; then line is the row number */
    unsigned long line; /* 1-based physical line; 0 = the file as a whole */
    unsigned col;       /* 1-based column (field number); 0 = the whole line */
    const char *field;  /* canonical column name, or NULL */
    const char *msg;    /* what is wrong, then (in parentheses) what to do */
};

typedef void (*madi_diag_fn)(void *ctx, const struct madi_diag *d);
/* Progress: bytes done of total (0 if unknown), and rows read so far. */
typedef void (*madi_progress_fn)(void *ctx, unsigned long long done, unsigned long long total,
                                 unsigned long long rows);

enum madi_import_flags {
    MADI_IMPORT_DRY_RUN = 1 << 0, /* validate and report, write nothing */
    /* The caller has begun the transaction (madi_store_begin) and commits or rolls it back: the
     * import writes into it and does neither (submission.c: an approval is one transaction).
     * After a failure the caller must roll back. */
    MADI_IMPORT_IN_TX = 1 << 1
};

struct madi_import_opts {
    const char *kind;         /* kind name, or NULL to recognise it from the header */
    const char *sheet;        /* for a workbook: the sheet to read; NULL = the first visible */
    unsigned long header_row; /* line (CSV) or row (sheet) of the header; 0 = find it */
    const char *mapping;      /* a mapping profile (madi mapping learn), or NULL */
    const char *name;         /* how messages name the file; NULL = the path */
    const char *who;          /* recorded as the batch's importer; NULL = "unknown" */
    int64_t replace_batch;    /* 0, or the batch this file corrects */
    unsigned flags;
    int32_t today; /* yyyymmdd for the "date in the future" check; 0 = today */
    madi_diag_fn on_diag;
    void *diag_ctx;
    madi_progress_fn on_progress;
    void *progress_ctx;
    long fail_after_writes; /* tests only: inject a write failure after N writes; 0 = off */
    /* The centre's key (privacy.h), borrowed: kinds with personal fields (survivor, need,
     * referral) are refused without it, and personal cells are encrypted with it. */
    const struct madi_key *key;
    /* An operator's organisation code, or NULL: when set, every record must be that
     * organisation's (each organisation column of the kind holds this code, else an error at
     * that cell), a register entry of another organisation cannot be updated, and kinds with no
     * organisation column (the organisation and area registers, population, targets, ...) are
     * the centre's and refused whole. */
    const char *only_org;
};

enum madi_import_status {
    MADI_IMPORT_STORED = 0, /* a new batch was committed */
    MADI_IMPORT_UNCHANGED,  /* the same file was already imported: nothing changed */
    MADI_IMPORT_CHECKED,    /* dry run, no errors: nothing written */
    MADI_IMPORT_REJECTED    /* errors: nothing written */
};

struct madi_import_result {
    enum madi_import_status status;
    const char *kind;        /* static string: the kind imported */
    int64_t batch;           /* the new batch, or the existing one for UNCHANGED */
    unsigned long long rows; /* data rows read (stored when STORED) */
    unsigned long errors;
    unsigned long warnings;
    unsigned long provisional;          /* register entries created as provisional */
    unsigned long identical;            /* rows identical to an earlier row, kept */
    unsigned long rejected_submissions; /* KoBo/ODK submissions marked rejected: skipped */
    unsigned long already; /* KoBo/ODK submissions imported by an earlier export: skipped */
    unsigned long sheets;  /* a workbook with one sheet per kind: sheets imported */
    unsigned long updated; /* register entries from earlier batches updated in place */
};

/**
 * Import one CSV file. Returns MADI_OK when the file was stored, was already there, or passed a
 * dry run; MADI_EREJECTED when the data has errors (all reported through on_diag); MADI_EIO or
 * MADI_EDB when the file or database failed (err says how). In every case but STORED, the
 * database is unchanged.
 */
int madi_import_file(struct madi_store *s, const char *path, const struct madi_import_opts *o,
                     struct madi_import_result *res, struct madi_err *err);

/**
 * Read a file of kind o->kind and write a mapping profile for it to `out`: every column with the
 * madi column it was recognised as (or '?'), and every value of a code or age-band column that
 * madi does not understand (with its count and first line) followed by '?', for the officer to
 * fill in once. `madi import --mapping` then reads files of that shape with no other change.
 */
int madi_import_learn(struct madi_store *s, const char *path, const struct madi_import_opts *o,
                      FILE *out, struct madi_err *err);

/** Map an operator's own header `alias` to column `field` of `kind`, for every later import. */
int madi_alias_add(struct madi_store *s, const char *kind, const char *alias, const char *field,
                   struct madi_err *err);
/** Forget an alias. MADI_ENOTFOUND if there was none. */
int madi_alias_remove(struct madi_store *s, const char *kind, const char *alias,
                      struct madi_err *err);
/** Call fn for each stored alias, ordered by kind and alias. */
int madi_alias_foreach(struct madi_store *s,
                       void (*fn)(void *ctx, const char *kind, const char *alias,
                                  const char *field),
                       void *ctx, struct madi_err *err);

/** Normalise a header for matching: lower case, spaces, '-', '.' and '_' runs become one '_'. */
void madi_header_normalise(const char *s, size_t n, char *out, size_t outsz);

#endif
