/*
 * csv.h: a streaming, bounded RFC 4180 reader for the files operators send.
 *
 * Reads UTF-8 with or without a BOM; detects the delimiter (comma, semicolon or tab) from the
 * first record unless told; accepts LF, CRLF and lone CR line ends; quoted fields may hold
 * delimiters, doubled quotes and newlines. Memory is bounded: no field may pass `max_field`
 * bytes and no record `max_record` bytes, whatever the input, and the reader reads the file in
 * fixed chunks, so memory does not grow with the file.
 *
 * Problems are reported through the `on_issue` callback with the physical line (1-based) and
 * the column (1-based field number) where they are, and a message for a person. Two levels:
 *  - a recoverable problem (invalid UTF-8, a NUL byte, a field or record over the cap, text
 *    after a closing quote) marks the record `bad`, and reading continues with the next record;
 *  - a fatal problem (a quoted field still open at end of file, a UTF-16/32 file, a read error)
 *    is reported, and madi_csv_next returns MADI_EPARSE or MADI_EIO.
 * The reader never reads past a problem silently: every problem in a file is reported.
 *
 * Not thread-safe; one reader per thread.
 */
#ifndef MADI_CSV_H
#define MADI_CSV_H

#include <stddef.h>

#include "madi/err.h"

struct madi_csv;

/* Called for each problem. `line` and `col` are 1-based; col 0 means "the whole record". */
typedef void (*madi_csv_issue_fn)(void *ctx, unsigned long line, unsigned col, int fatal,
                                  const char *msg);

struct madi_csv_opts {
    char delimiter;             /* 0 = detect from the first record among ',', ';', '\t' */
    size_t max_field;           /* bytes; 0 = MADI_CSV_DEFAULT_MAX_FIELD */
    size_t max_record;          /* bytes; 0 = MADI_CSV_DEFAULT_MAX_RECORD */
    madi_csv_issue_fn on_issue; /* may be NULL */
    void *issue_ctx;
};

#define MADI_CSV_DEFAULT_MAX_FIELD  (64u * 1024u)
#define MADI_CSV_DEFAULT_MAX_RECORD (1024u * 1024u)

struct madi_csv_field {
    const char *p; /* unquoted, unescaped, NUL-terminated; borrowed until the next call */
    size_t len;
    unsigned long line; /* physical line where the field starts */
};

struct madi_csv_row {
    struct madi_csv_field *fields; /* borrowed until the next madi_csv_next or close */
    size_t n;                      /* number of fields (a record "a,b" has 2) */
    unsigned long line;            /* physical line where the record starts */
    int bad;                       /* 1 if a recoverable problem was reported for this record */
};

/**
 * Open `path` for reading. `name` is how messages name the file (as the user typed it).
 * On failure returns MADI_EIO with `err` filled; on success *out is owned by the caller,
 * free with madi_csv_close. `opts` may be NULL for defaults.
 */
int madi_csv_open(const char *path, const struct madi_csv_opts *opts, struct madi_csv **out,
                  struct madi_err *err);

/** Read from memory (borrowed; must outlive the reader). Never fails. */
struct madi_csv *madi_csv_from_mem(const void *data, size_t len, const struct madi_csv_opts *opts);

/**
 * Read the next record into *row. Returns 1 when a record was read, 0 at end of input, or a
 * negative MADI_E* code on a fatal problem (already reported through on_issue). Entirely
 * empty lines are skipped. Once it has returned 0 or an error it keeps returning the same.
 */
int madi_csv_next(struct madi_csv *r, struct madi_csv_row *row);

/** The delimiter in use (detected or given); valid after the first madi_csv_next. */
char madi_csv_delimiter(const struct madi_csv *r);
/** Bytes consumed so far, and the total size when known (0 if not), for progress display. */
unsigned long long madi_csv_bytes_read(const struct madi_csv *r);
unsigned long long madi_csv_size(const struct madi_csv *r);
/** 1 if the input began with a UTF-8 byte order mark (which is skipped). */
int madi_csv_had_bom(const struct madi_csv *r);

/** Close the reader and free everything it holds. NULL is a no-op. */
void madi_csv_close(struct madi_csv *r);

#endif
