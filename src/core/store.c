/*
 * store.c: the store interface over SQLite, the embedded backend.
 *
 * Invariants: foreign keys are on for every connection; the journal is WAL; migrations are
 * applied forward only, each in its own transaction with PRAGMA user_version set in the same
 * transaction, so a crash leaves the database at a whole version. Statements are counted, and
 * closing with a statement still open is a bug (fossil's pAllStmt idea, cheaply).
 */
#include "madi/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>
#include <sqlite3.h>

#include "banned.h"
#include "hashmap.h"
#include "rowstore.h"
#include "store_int.h"
#include "xalloc.h"

extern const char *const madi_schema_migrations[];
extern const size_t madi_schema_migration_count;

struct madi_store {
    sqlite3 *db;
    char *path;
    int open_stmts;
    int in_tx;
    long fail_after;          /* failure injection: steps left before writes fail; <0 = off */
    unsigned char *audit_key; /* guarded memory (store_int.h), or NULL */
    struct madi_strmap memo;  /* store_memo, while memo_depth > 0 */
    int memo_depth;
};

struct madi_stmt {
    struct madi_store *s;
    sqlite3_stmt *st;
    int writes;
};

static int db_error(struct madi_store *s, int rc, struct madi_err *err, const char *what)
{
    int ext = sqlite3_extended_errcode(s->db);
    int code = (rc & 0xff) == SQLITE_CONSTRAINT ? MADI_ECONFLICT : MADI_EDB;
    if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
        return madi_err_set(err, MADI_EDB,
                            "%s: the database %s is in use by another madi (try again when it "
                            "has finished)",
                            what, s->path);
    if ((rc & 0xff) == SQLITE_FULL || (rc & 0xff) == SQLITE_IOERR)
        return madi_err_set(err, MADI_EIO, "%s: cannot write %s: %s (free some disk space?)", what,
                            s->path, sqlite3_errmsg(s->db));
    if ((rc & 0xff) == SQLITE_NOTADB || (rc & 0xff) == SQLITE_CORRUPT)
        return madi_err_set(err, MADI_EDB, "%s is not a madi database (or is damaged)", s->path);
    (void)ext;
    return madi_err_set(err, code, "%s: %s", what, sqlite3_errmsg(s->db));
}

int madi_store_schema_latest(void)
{
    return (int)madi_schema_migration_count;
}

int madi_store_schema_version(struct madi_store *s)
{
    int64_t v = 0;
    if (madi_store_query_int(s, "PRAGMA user_version", &v, NULL))
        return -1;
    return (int)v;
}

static int migrate(struct madi_store *s, struct madi_err *err)
{
    int rc = MADI_OK;
    int have = madi_store_schema_version(s);
    int latest = madi_store_schema_latest();
    if (have < 0)
        return madi_err_set(err, MADI_EDB, "%s is not a madi database (or is damaged)", s->path);
    if (have > latest)
        return madi_err_set(err, MADI_EDB,
                            "%s has schema version %d, but this madi knows only up to %d: use "
                            "a newer madi",
                            s->path, have, latest);
    for (int v = have; v < latest; v++) {
        char pragma[64];
        rc = madi_store_begin(s, err);
        if (rc)
            return rc;
        rc = madi_store_exec(s, madi_schema_migrations[v], err);
        if (!rc && v + 1 == 10) /* the attendance rows into blocks (rowstore.h) */
            rc = rs_adopt_wide(s, madi_kind_find("eore-attendance"), err);
        if (!rc) {
            (void)snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", v + 1);
            rc = madi_store_exec(s, pragma, err);
        }
        if (!rc)
            rc = madi_store_commit(s, err);
        if (rc) {
            madi_store_rollback(s);
            return rc;
        }
    }
    return rc;
}

int madi_store_open(const char *path, unsigned flags, struct madi_store **out, struct madi_err *err)
{
    int rc = MADI_OK;
    struct madi_store *s = NULL;
    struct stat sb;
    int exists = stat(path, &sb) == 0;
    *out = NULL;
    if (!exists && !(flags & MADI_STORE_CREATE))
        return madi_err_set(err, MADI_ENOTFOUND,
                            "no database at %s (create one with 'madi init --db %s', or point "
                            "--db or MADI_DB at yours)",
                            path, path);
    if (exists && S_ISDIR(sb.st_mode))
        return madi_err_set(err, MADI_EIO, "%s is a folder, not a database file", path);

    s = xcalloc(1, sizeof(*s));
    s->path = xstrdup(path);
    s->fail_after = -1;
    int oflags = (flags & MADI_STORE_READONLY) ? SQLITE_OPEN_READONLY
                                               : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    int src = sqlite3_open_v2(path, &s->db, oflags | SQLITE_OPEN_NOMUTEX, NULL);
    if (src != SQLITE_OK) {
        rc = madi_err_set(err, MADI_EIO, "cannot open %s: %s", path,
                          s->db ? sqlite3_errmsg(s->db) : "out of memory");
        goto done;
    }
    sqlite3_extended_result_codes(s->db, 1);
    if (rs_register(s->db) != MADI_OK) {
        rc = madi_err_set(err, MADI_EDB, "cannot register the row blocks with SQLite");
        goto done;
    }
    (void)sqlite3_busy_timeout(s->db, 5000);
    rc = madi_store_exec(s, "PRAGMA foreign_keys = ON", err);
    if (rc)
        goto done;
    if (!(flags & MADI_STORE_READONLY)) {
        rc = madi_store_exec(s, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL", err);
        if (rc)
            goto done;
    }
    /* A file that exists must already be a madi database (or an empty file). */
    if (exists && sb.st_size > 0) {
        int64_t n = 0;
        rc = madi_store_query_int(s, "SELECT count(*) FROM sqlite_master WHERE name = 'batch'", &n,
                                  err);
        if (rc || !n) {
            rc = madi_err_set(err, MADI_EDB,
                              "%s is not a madi database (create a new one with 'madi init')",
                              path);
            goto done;
        }
    }
    if (madi_store_schema_version(s) < madi_store_schema_latest() &&
        (flags & MADI_STORE_READONLY)) {
        rc = madi_err_set(err, MADI_EDB,
                          "%s has an older schema; open it once for writing (e.g. 'madi init "
                          "--db %s') to upgrade it",
                          path, path);
        goto done;
    }
    rc = migrate(s, err);
done:
    if (rc) {
        madi_store_close(s);
        return rc;
    }
    *out = s;
    return MADI_OK;
}

void madi_store_close(struct madi_store *s)
{
    if (!s)
        return;
    if (s->in_tx)
        madi_store_rollback(s);
    if (s->open_stmts)
        madi_bug(__FILE__, __LINE__, "madi_store_close with statements still open");
    if (s->db && sqlite3_close(s->db) != SQLITE_OK)
        madi_bug(__FILE__, __LINE__, "sqlite3_close failed: a statement was leaked");
    if (s->audit_key)
        sodium_free(s->audit_key);
    free(s->path);
    free(s);
}

void store_set_audit_key(struct madi_store *s, const unsigned char key[STORE_AUDIT_KEYBYTES])
{
    if (!s->audit_key && !(s->audit_key = sodium_malloc(STORE_AUDIT_KEYBYTES)))
        abort(); /* out of guarded memory: like xmalloc */
    memcpy(s->audit_key, key, STORE_AUDIT_KEYBYTES);
}

const unsigned char *store_audit_key(const struct madi_store *s)
{
    return s->audit_key;
}

int madi_store_exec(struct madi_store *s, const char *sql, struct madi_err *err)
{
    char *msg = NULL;
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        int r = db_error(s, rc, err, "database");
        sqlite3_free(msg);
        return r;
    }
    return MADI_OK;
}

int madi_store_begin(struct madi_store *s, struct madi_err *err)
{
    MADI_ASSERT(!s->in_tx);
    int rc = madi_store_exec(s, "BEGIN IMMEDIATE", err);
    if (!rc)
        s->in_tx = 1;
    return rc;
}

int madi_store_commit(struct madi_store *s, struct madi_err *err)
{
    MADI_ASSERT(s->in_tx);
    int rc = madi_store_exec(s, "COMMIT", err);
    if (!rc)
        s->in_tx = 0;
    return rc;
}

void madi_store_rollback(struct madi_store *s)
{
    if (!s->in_tx)
        return;
    (void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    s->in_tx = 0;
}

int madi_store_prepare(struct madi_store *s, const char *sql, struct madi_stmt **out,
                       struct madi_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    *out = NULL;
    if (rc != SQLITE_OK)
        return db_error(s, rc, err, "preparing a query");
    struct madi_stmt *m = xcalloc(1, sizeof(*m));
    m->s = s;
    m->st = st;
    m->writes = !sqlite3_stmt_readonly(st);
    s->open_stmts++;
    *out = m;
    return MADI_OK;
}

void madi_stmt_bind_int(struct madi_stmt *st, int i, int64_t v)
{
    (void)sqlite3_bind_int64(st->st, i, v);
}

void madi_stmt_bind_double(struct madi_stmt *st, int i, double v)
{
    (void)sqlite3_bind_double(st->st, i, v);
}

void madi_stmt_bind_text(struct madi_stmt *st, int i, const char *p, size_t n)
{
    (void)sqlite3_bind_text(st->st, i, p, (int)n, SQLITE_TRANSIENT);
}

void madi_stmt_bind_text_ref(struct madi_stmt *st, int i, const char *p, size_t n)
{
    (void)sqlite3_bind_text(st->st, i, p, (int)n, SQLITE_STATIC);
}

void madi_stmt_bind_blob(struct madi_stmt *st, int i, const void *p, size_t n)
{
    (void)sqlite3_bind_blob64(st->st, i, p, (sqlite3_uint64)n, SQLITE_TRANSIENT);
}

void madi_stmt_bind_blob_ref(struct madi_stmt *st, int i, const void *p, size_t n)
{
    (void)sqlite3_bind_blob(st->st, i, p, (int)n, SQLITE_STATIC);
}

void madi_stmt_bind_null(struct madi_stmt *st, int i)
{
    (void)sqlite3_bind_null(st->st, i);
}

int madi_stmt_step(struct madi_stmt *st, struct madi_err *err)
{
    struct madi_store *s = st->s;
    if (st->writes && s->fail_after >= 0) {
        if (s->fail_after == 0)
            return madi_err_set(err, MADI_EIO,
                                "cannot write %s: injected failure (disk full, as a test)",
                                s->path);
        s->fail_after--;
    }
    int rc = sqlite3_step(st->st);
    if (rc == SQLITE_ROW)
        return MADI_STMT_ROW;
    if (rc == SQLITE_DONE)
        return MADI_STMT_DONE;
    return db_error(s, rc, err, "database");
}

void madi_stmt_reset(struct madi_stmt *st)
{
    (void)sqlite3_reset(st->st);
    (void)sqlite3_clear_bindings(st->st);
}

void madi_stmt_rewind(struct madi_stmt *st)
{
    (void)sqlite3_reset(st->st);
}

void madi_stmt_finalize(struct madi_stmt *st)
{
    if (!st)
        return;
    (void)sqlite3_finalize(st->st);
    st->s->open_stmts--;
    free(st);
}

int madi_stmt_is_null(struct madi_stmt *st, int col)
{
    return sqlite3_column_type(st->st, col) == SQLITE_NULL;
}

int64_t madi_stmt_int(struct madi_stmt *st, int col)
{
    return sqlite3_column_int64(st->st, col);
}

double madi_stmt_double(struct madi_stmt *st, int col)
{
    return sqlite3_column_double(st->st, col);
}

const char *madi_stmt_text(struct madi_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st->st, col);
    return t ? (const char *)t : "";
}

const void *madi_stmt_blob(struct madi_stmt *st, int col, size_t *n)
{
    const void *p = sqlite3_column_blob(st->st, col);
    *n = (size_t)sqlite3_column_bytes(st->st, col);
    return p;
}

int store_copy_to_memory(struct madi_store *s, struct madi_store **out, struct madi_err *err)
{
    struct madi_store *m = NULL;
    *out = NULL;
    int rc = madi_store_open(":memory:", MADI_STORE_CREATE, &m, err);
    if (rc)
        return rc;
    sqlite3_backup *b = sqlite3_backup_init(m->db, "main", s->db, "main");
    int brc = b ? sqlite3_backup_step(b, -1) : sqlite3_errcode(m->db);
    if (b)
        brc = sqlite3_backup_finish(b) == SQLITE_OK && brc == SQLITE_DONE ? SQLITE_OK : brc;
    if (brc != SQLITE_OK) {
        rc = db_error(m, brc == SQLITE_DONE ? SQLITE_ERROR : brc, err, "copying the database");
        madi_store_close(m);
        return rc;
    }
    if (s->audit_key)
        store_set_audit_key(m, s->audit_key);
    *out = m;
    return MADI_OK;
}

int madi_store_query_int(struct madi_store *s, const char *sql, int64_t *out, struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    int rc = madi_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    rc = madi_stmt_step(st, err);
    if (rc == MADI_STMT_ROW) {
        *out = madi_stmt_int(st, 0);
        rc = MADI_OK;
    } else if (rc == MADI_STMT_DONE) {
        rc = MADI_ENOTFOUND;
    }
    madi_stmt_finalize(st);
    return rc;
}

void madi_store_fail_after(struct madi_store *s, long n)
{
    s->fail_after = n > 0 ? n : -1;
}

void store_memo_begin(struct madi_store *s)
{
    if (s->memo_depth++ == 0)
        madi_strmap_init(&s->memo);
}

void store_memo_end(struct madi_store *s)
{
    if (s->memo_depth > 0 && --s->memo_depth == 0)
        madi_strmap_release(&s->memo);
}

struct madi_strmap *store_memo(struct madi_store *s)
{
    return s->memo_depth > 0 ? &s->memo : NULL;
}

/* ---- read-only SQL for people (madi sql) ---- */

struct guard {
    const char *const *deny;
    char why[160];
};

static int guard_auth(void *ctx, int action, const char *a, const char *b, const char *db,
                      const char *trigger)
{
    struct guard *g = ctx;
    (void)b;
    (void)db;
    (void)trigger;
    switch (action) {
    case SQLITE_SELECT:
    case SQLITE_FUNCTION:
    case SQLITE_RECURSIVE:
        return SQLITE_OK;
    case SQLITE_READ:
        for (size_t i = 0; g->deny && g->deny[i]; i++) {
            if (a && strcmp(a, g->deny[i]) == 0) {
                (void)snprintf(g->why, sizeof(g->why),
                               "%s cannot be read with SQL: it holds or describes personal or "
                               "account data (use the commands made for it, which audit every "
                               "access)",
                               a);
                return SQLITE_DENY;
            }
        }
        return SQLITE_OK;
    case SQLITE_UPDATE: /* SQLite's own bookkeeping when a virtual table is first used */
        if (a && strncmp(a, "sqlite_", 7) == 0)
            return SQLITE_OK;
        /* fall through */
    default:
        (void)snprintf(g->why, sizeof(g->why),
                       "only SELECT statements are allowed here: the database is not changed");
        return SQLITE_DENY;
    }
}

static int print_rows(sqlite3_stmt *st, int header, FILE *out)
{
    int n = sqlite3_column_count(st), rc, bad = 0;
    for (int c = 0; header && c < n; c++)
        bad |= fprintf(out, "%s%s", c ? "|" : "", sqlite3_column_name(st, c)) < 0;
    if (header && n)
        bad |= fputc('\n', out) == EOF;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int c = 0; c < n; c++) {
            const unsigned char *t = sqlite3_column_text(st, c);
            bad |= fprintf(out, "%s%s", c ? "|" : "", t ? (const char *)t : "") < 0;
        }
        bad |= fputc('\n', out) == EOF;
    }
    return bad ? -1 : rc;
}

int madi_store_select_print(struct madi_store *s, const char *sql, const char *const *deny,
                            int header, FILE *out, struct madi_err *err)
{
    struct guard g = { deny, "" };
    int rc = MADI_OK;
    const char *at = sql;
    (void)sqlite3_set_authorizer(s->db, guard_auth, &g);
    while (at && *at && !rc) {
        sqlite3_stmt *st = NULL;
        const char *tail = NULL;
        int src = sqlite3_prepare_v2(s->db, at, -1, &st, &tail);
        if (src != SQLITE_OK) {
            rc = g.why[0] ? madi_err_set(err, MADI_EINVAL, "%s", g.why)
                          : madi_err_set(err, MADI_EDB, "%s", sqlite3_errmsg(s->db));
            break;
        }
        at = tail;
        if (!st) /* only space or a comment */
            continue;
        if (!sqlite3_stmt_readonly(st)) {
            rc = madi_err_set(err, MADI_EINVAL,
                              "only SELECT statements are allowed here: the database is not "
                              "changed");
        } else {
            src = print_rows(st, header, out);
            if (src < 0)
                rc = madi_err_set(err, MADI_EIO, "cannot write the rows");
            else if (src != SQLITE_DONE)
                rc = madi_err_set(err, MADI_EDB, "%s", sqlite3_errmsg(s->db));
        }
        sqlite3_finalize(st);
    }
    (void)sqlite3_set_authorizer(s->db, NULL, NULL);
    return rc;
}
