/*
 * store.h: the one interface to madi's database.
 *
 * SQLite is the embedded default; the interface is kept to what SQLite and PostgreSQL share
 * (prepared statements with `?` parameters, BEGIN/COMMIT, INTEGER/TEXT/REAL columns, RETURNING)
 * so that a PostgreSQL backend is an addition, not a rewrite. SQL lives in one place per module.
 *
 * A store holds one connection. Not thread-safe: one store per thread.
 * Every write runs inside madi_store_begin ... madi_store_commit (BEGIN IMMEDIATE on SQLite).
 */
#ifndef MADI_STORE_H
#define MADI_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "madi/err.h"

struct madi_store;
struct madi_stmt;

enum madi_store_flags {
    MADI_STORE_CREATE = 1 << 0,  /* create the file if missing, and migrate to the latest schema */
    MADI_STORE_READONLY = 1 << 1 /* never write; refuse to migrate */
};

/**
 * Open the database at `path`. Without MADI_STORE_CREATE a missing file is MADI_ENOTFOUND (and
 * nothing is created: commands that read never create a database by accident). A database whose
 * schema is older than this madi is migrated forward (unless READONLY); one that is newer is
 * refused. Foreign keys on, WAL journal. Caller owns *out; close with madi_store_close.
 */
int madi_store_open(const char *path, unsigned flags, struct madi_store **out,
                    struct madi_err *err);

/** Close. Every statement must have been finalized (a leak is reported as a bug). NULL ok. */
void madi_store_close(struct madi_store *s);

/** The schema version of the open database, and the latest this madi knows. */
int madi_store_schema_version(struct madi_store *s);
int madi_store_schema_latest(void);

/** Start a write transaction (BEGIN IMMEDIATE). Nested calls are a bug. */
int madi_store_begin(struct madi_store *s, struct madi_err *err);
int madi_store_commit(struct madi_store *s, struct madi_err *err);
/** Roll back the open transaction, if any. Never fails. */
void madi_store_rollback(struct madi_store *s);

/** Run SQL without parameters or results (may hold several statements). */
int madi_store_exec(struct madi_store *s, const char *sql, struct madi_err *err);

/** Prepare `sql`. Caller owns *out; free with madi_stmt_finalize. */
int madi_store_prepare(struct madi_store *s, const char *sql, struct madi_stmt **out,
                       struct madi_err *err);

/* Bind parameter `i` (1-based). Text is copied. */
void madi_stmt_bind_int(struct madi_stmt *st, int i, int64_t v);
void madi_stmt_bind_double(struct madi_stmt *st, int i, double v);
void madi_stmt_bind_text(struct madi_stmt *st, int i, const char *p, size_t n);
void madi_stmt_bind_null(struct madi_stmt *st, int i);
/* Bind `n` bytes of binary data (a BLOB), copied. */
void madi_stmt_bind_blob(struct madi_stmt *st, int i, const void *p, size_t n);
/* Bind text without copying: `p` must stay valid and unchanged until the next step or reset. */
void madi_stmt_bind_text_ref(struct madi_stmt *st, int i, const char *p, size_t n);
/* Bind a blob without copying, under the same rule as madi_stmt_bind_text_ref. */
void madi_stmt_bind_blob_ref(struct madi_stmt *st, int i, const void *p, size_t n);

enum { MADI_STMT_DONE = 0, MADI_STMT_ROW = 1 };
/**
 * Step: MADI_STMT_ROW, MADI_STMT_DONE, or a negative code: MADI_ECONFLICT for a constraint
 * violation (unique, foreign key, check), MADI_EDB otherwise, with `err` filled.
 */
int madi_stmt_step(struct madi_stmt *st, struct madi_err *err);
/** Reset for another run, clearing bindings. */
void madi_stmt_reset(struct madi_stmt *st);
/** Reset for another run, keeping the bindings (for a loop that binds every parameter anyway). */
void madi_stmt_rewind(struct madi_stmt *st);
void madi_stmt_finalize(struct madi_stmt *st);

/* Result columns (0-based) of the current row. Text is borrowed until the next step/reset. */
int madi_stmt_is_null(struct madi_stmt *st, int col);
int64_t madi_stmt_int(struct madi_stmt *st, int col);
double madi_stmt_double(struct madi_stmt *st, int col);
const char *madi_stmt_text(struct madi_stmt *st, int col);
/* A BLOB column: its bytes (borrowed until the next step/reset; NULL when empty) and *n. */
const void *madi_stmt_blob(struct madi_stmt *st, int col, size_t *n);

/**
 * Run a query that returns one integer (e.g. `SELECT count(*) FROM batch`). With no row, *out
 * is left as it was and MADI_ENOTFOUND returned.
 */
int madi_store_query_int(struct madi_store *s, const char *sql, int64_t *out, struct madi_err *err);

/**
 * Run `sql` (one or more statements separated by ';'), which may only read, and print each row
 * as the sqlite3 shell's list mode does: values separated by '|', NULL empty, a row a line;
 * with `header`, each statement's column names first. The tables named in `deny`
 * (NULL-terminated) cannot be read at all. MADI_EINVAL for a statement that would do anything
 * but read (err says which), MADI_EDB for a mistake in the SQL, MADI_EIO when out fails.
 */
int madi_store_select_print(struct madi_store *s, const char *sql, const char *const *deny,
                            int header, FILE *out, struct madi_err *err);

/**
 * Failure injection, for tests: after `n` more successful steps of statements that write,
 * every step fails with MADI_EIO as a disk would. 0 turns it off.
 */
void madi_store_fail_after(struct madi_store *s, long n);

#endif
