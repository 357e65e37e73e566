/* Unit tests for store.c: opening, migrations, transactions, constraints, failure injection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "madi/catalog.h"
#include "madi/kind.h"
#include "madi/store.h"

static char dir[] = "/tmp/madi-test-store-XXXXXX";

static int setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    (void)snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd);
}

static void path(char *out, size_t n, const char *name)
{
    (void)snprintf(out, n, "%s/%s", dir, name);
}

static void test_open_missing_never_creates(void **state)
{
    (void)state;
    char p[256];
    struct madi_store *s = NULL;
    struct madi_err err;
    path(p, sizeof(p), "missing.db");
    assert_int_equal(madi_store_open(p, 0, &s, &err), MADI_ENOTFOUND);
    assert_null(s);
    assert_non_null(strstr(err.msg, "madi init"));
    assert_int_equal(access(p, F_OK), -1);
    assert_int_equal(madi_store_open(p, MADI_STORE_READONLY, &s, &err), MADI_ENOTFOUND);
    assert_int_equal(access(p, F_OK), -1);
}

static void test_create_migrates_and_reopens(void **state)
{
    (void)state;
    char p[256];
    struct madi_store *s = NULL;
    struct madi_err err;
    path(p, sizeof(p), "new.db");
    assert_int_equal(madi_store_open(p, MADI_STORE_CREATE, &s, &err), MADI_OK);
    assert_int_equal(madi_store_schema_version(s), madi_store_schema_latest());
    assert_true(madi_store_schema_latest() >= 1);
    int64_t fk = 0;
    assert_int_equal(madi_store_query_int(s, "PRAGMA foreign_keys", &fk, &err), MADI_OK);
    assert_int_equal(fk, 1);
    madi_store_close(s);
    s = NULL;
    assert_int_equal(madi_store_open(p, 0, &s, &err), MADI_OK);
    assert_int_equal(madi_store_schema_version(s), madi_store_schema_latest());
    char *mode = NULL;
    struct madi_stmt *st = NULL;
    assert_int_equal(madi_store_prepare(s, "PRAGMA journal_mode", &st, &err), MADI_OK);
    assert_int_equal(madi_stmt_step(st, &err), MADI_STMT_ROW);
    mode = strdup(madi_stmt_text(st, 0));
    madi_stmt_finalize(st);
    assert_string_equal(mode, "wal");
    free(mode);
    madi_store_close(s);
}

/* A database at an older schema version is migrated forward on open, keeping its data. */
static void test_forward_migration(void **state)
{
    (void)state;
    char p[256];
    struct madi_store *s = NULL;
    struct madi_err err;
    int64_t n = -1;
    path(p, sizeof(p), "old.db");
    assert_int_equal(madi_store_open(p, MADI_STORE_CREATE, &s, &err), MADI_OK);
    /* Before the server's tables (migration 008). */
    assert_int_equal(madi_store_exec(s,
                                     "ALTER TABLE batch DROP COLUMN submission_id; "
                                     "DROP TABLE submission_finding; DROP TABLE submission; "
                                     "DROP TABLE case_assignment; DROP TABLE app_session; "
                                     "DROP TABLE app_user;",
                                     &err),
                     MADI_OK);
    /* Before the survivors' tables (migration 006) too. */
    assert_int_equal(madi_store_exec(s,
                                     "DROP TABLE referral; DROP TABLE need; DROP TABLE consent; "
                                     "DROP TABLE survivor; DROP TABLE audit_log;",
                                     &err),
                     MADI_OK);
    /* The attendance lists as a wide table, with two records in it (before migration 010,
     * which moves them into blocks). */
    assert_int_equal(
            madi_store_exec(
                    s,
                    "DROP TABLE eore_attendance; DROP TABLE eore_attendance_block; "
                    "CREATE TABLE eore_attendance (id INTEGER PRIMARY KEY, batch_id INTEGER NOT "
                    "NULL REFERENCES batch(id), line INTEGER NOT NULL, record_id TEXT UNIQUE, "
                    "session_id TEXT, date INTEGER NOT NULL, organisation_id INTEGER NOT NULL "
                    "REFERENCES organisation(id), area_id INTEGER NOT NULL REFERENCES area(id), "
                    "person_key INTEGER, sex INTEGER, age INTEGER, age_band_lo INTEGER, "
                    "age_band_hi INTEGER, disability INTEGER, wg_seeing INTEGER, wg_hearing "
                    "INTEGER, wg_walking INTEGER, wg_remembering INTEGER, wg_selfcare INTEGER, "
                    "wg_communicating INTEGER, displacement INTEGER, minority INTEGER, "
                    "female_headed_household INTEGER, caregiver INTEGER); "
                    "CREATE INDEX eore_attendance_batch ON eore_attendance(batch_id); "
                    "INSERT INTO batch (id, kind, file_name, sha256, imported_at, imported_by, "
                    "row_count, warning_count, status) VALUES (7, 'eore-attendance', 'a.csv', "
                    "'00', '2024-01-01T00:00:00Z', 'me', 2, 0, 'active'); "
                    "INSERT INTO organisation (id, batch_id, line, code) VALUES (3, 7, 2, 'OP'); "
                    "INSERT INTO area (id, batch_id, line, code) VALUES (4, 7, 2, 'XX'); "
                    "INSERT INTO eore_attendance (id, batch_id, line, record_id, session_id, "
                    "date, organisation_id, area_id, person_key, sex, age, age_band_lo, "
                    "age_band_hi, disability) VALUES (10, 7, 2, 'A-1', 'S-1', 20240105, 3, 4, "
                    "-5, 1, 34, NULL, NULL, 0), (11, 7, 3, 'id with space', NULL, 20240106, 3, "
                    "4, NULL, NULL, NULL, 60, NULL, NULL);",
                    &err),
            MADI_OK);
    /* Make it look like version 1: before custom codes and batch parts existed. */
    assert_int_equal(madi_store_exec(s,
                                     "INSERT INTO meta (key, value) VALUES ('keep', 'me'); "
                                     "DROP TABLE custom_code; ALTER TABLE batch DROP COLUMN part; "
                                     "ALTER TABLE batch DROP COLUMN file_size; "
                                     "ALTER TABLE eore_session DROP COLUMN other_sex; "
                                     "ALTER TABLE eore_session DROP COLUMN elderly; "
                                     "ALTER TABLE eore_session DROP COLUMN refugees; "
                                     "ALTER TABLE consultation DROP COLUMN other_sex; "
                                     "ALTER TABLE consultation DROP COLUMN elderly; "
                                     "DROP TABLE target; DROP TABLE reporting_plan; "
                                     "DROP TABLE indicator_def; DROP TABLE self_assessment; "
                                     "ALTER TABLE organisation DROP COLUMN prequalified; "
                                     "ALTER TABLE organisation DROP COLUMN psea_policy_improved; "
                                     "ALTER TABLE organisation DROP COLUMN gender_policy_improved; "
                                     "ALTER TABLE population DROP COLUMN with_disability; "
                                     "ALTER TABLE population DROP COLUMN displaced; "
                                     "PRAGMA user_version = 1",
                                     &err),
                     MADI_OK);
    madi_store_close(s);
    s = NULL;
    /* Read-only opening refuses to upgrade and says how. */
    assert_int_equal(madi_store_open(p, MADI_STORE_READONLY, &s, &err), MADI_EDB);
    assert_non_null(strstr(err.msg, "older schema"));
    assert_int_equal(madi_store_open(p, 0, &s, &err), MADI_OK);
    assert_int_equal(madi_store_schema_version(s), madi_store_schema_latest());
    assert_int_equal(madi_store_query_int(s, "SELECT count(*) FROM custom_code", &n, &err),
                     MADI_OK);
    assert_int_equal(n, 0);
    /* The two attendance records moved into one block, every value kept. */
    assert_int_equal(madi_store_query_int(s,
                                          "SELECT count(*) FROM eore_attendance_block WHERE "
                                          "batch_id = 7 AND nrows = 2",
                                          &n, &err),
                     MADI_OK);
    assert_int_equal(n, 1);
    assert_int_equal(
            madi_store_query_int(
                    s,
                    "SELECT count(*) FROM eore_attendance WHERE (batch_id, line, record_id, "
                    "session_id, date, organisation_id, area_id, person_key, sex, age, "
                    "disability) IS (7, 2, 'A-1', 'S-1', 20240105, 3, 4, -5, 1, 34, 0) AND "
                    "age_band_lo IS NULL AND activity IS NULL",
                    &n, &err),
            MADI_OK);
    assert_int_equal(n, 1);
    assert_int_equal(madi_store_query_int(s,
                                          "SELECT count(*) FROM eore_attendance WHERE line = 3 "
                                          "AND record_id = 'id with space' AND session_id IS "
                                          "NULL AND person_key IS NULL AND sex IS NULL AND "
                                          "age_band_lo = 60 AND age_band_hi IS NULL",
                                          &n, &err),
                     MADI_OK);
    assert_int_equal(n, 1);
    assert_int_equal(madi_store_query_int(s,
                                          "SELECT count(*) FROM sqlite_master WHERE name = "
                                          "'eore_attendance_v9'",
                                          &n, &err),
                     MADI_OK);
    assert_int_equal(n, 0);
    assert_int_equal(
            madi_store_query_int(s, "SELECT count(*) FROM meta WHERE value = 'me'", &n, &err),
            MADI_OK);
    assert_int_equal(n, 1);
    assert_int_equal(madi_store_query_int(s,
                                          "SELECT count(*) FROM app_user, submission, batch "
                                          "WHERE batch.submission_id IS NOT NULL",
                                          &n, &err),
                     MADI_OK);
    assert_int_equal(n, 0);
    madi_store_close(s);
    s = NULL;
    /* A database from a newer madi is refused. */
    assert_int_equal(madi_store_open(p, 0, &s, &err), MADI_OK);
    assert_int_equal(madi_store_exec(s, "PRAGMA user_version = 99", &err), MADI_OK);
    madi_store_close(s);
    s = NULL;
    assert_int_equal(madi_store_open(p, 0, &s, &err), MADI_EDB);
    assert_non_null(strstr(err.msg, "newer madi"));
}

static void test_not_a_madi_db(void **state)
{
    (void)state;
    char p[256];
    struct madi_store *s = NULL;
    struct madi_err err;
    path(p, sizeof(p), "text.db");
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    (void)fputs("this is not a database, it is a note\n", f);
    assert_int_equal(fclose(f), 0);
    assert_int_not_equal(madi_store_open(p, 0, &s, &err), MADI_OK);
    assert_null(s);
}

static void test_transactions_and_constraints(void **state)
{
    (void)state;
    char p[256];
    struct madi_store *s = NULL;
    struct madi_err err;
    int64_t n = -1;
    path(p, sizeof(p), "tx.db");
    assert_int_equal(madi_store_open(p, MADI_STORE_CREATE, &s, &err), MADI_OK);
    assert_int_equal(madi_store_begin(s, &err), MADI_OK);
    assert_int_equal(madi_store_exec(s,
                                     "INSERT INTO batch (kind, file_name, sha256, imported_at, "
                                     "imported_by, row_count, warning_count, status) VALUES "
                                     "('eore', 'a.csv', 'x', 't', 'me', 0, 0, 'active')",
                                     &err),
                     MADI_OK);
    madi_store_rollback(s);
    assert_int_equal(madi_store_query_int(s, "SELECT count(*) FROM batch", &n, &err), MADI_OK);
    assert_int_equal(n, 0);
    /* A foreign key to a batch that does not exist is a conflict, not a silent success. */
    assert_int_equal(madi_store_begin(s, &err), MADI_OK);
    struct madi_stmt *st = NULL;
    assert_int_equal(madi_store_prepare(s,
                                        "INSERT INTO organisation (batch_id, line, code) VALUES "
                                        "(?, 1, 'X')",
                                        &st, &err),
                     MADI_OK);
    madi_stmt_bind_int(st, 1, 999);
    assert_int_equal(madi_stmt_step(st, &err), MADI_ECONFLICT);
    madi_stmt_finalize(st);
    madi_store_rollback(s);
    madi_store_close(s);
}

static void test_failure_injection(void **state)
{
    (void)state;
    char p[256];
    struct madi_store *s = NULL;
    struct madi_err err;
    path(p, sizeof(p), "fail.db");
    assert_int_equal(madi_store_open(p, MADI_STORE_CREATE, &s, &err), MADI_OK);
    assert_int_equal(madi_store_begin(s, &err), MADI_OK);
    madi_store_fail_after(s, 2);
    struct madi_stmt *st = NULL;
    assert_int_equal(
            madi_store_prepare(s, "INSERT INTO meta (key, value) VALUES (?, 'v')", &st, &err),
            MADI_OK);
    int results[3];
    for (int i = 0; i < 3; i++) {
        char key[8];
        (void)snprintf(key, sizeof(key), "k%d", i);
        madi_stmt_bind_text(st, 1, key, strlen(key));
        results[i] = madi_stmt_step(st, &err);
        madi_stmt_reset(st);
    }
    assert_int_equal(results[0], MADI_STMT_DONE);
    assert_int_equal(results[1], MADI_STMT_DONE);
    assert_int_equal(results[2], MADI_EIO);
    madi_stmt_finalize(st);
    madi_store_rollback(s);
    madi_store_fail_after(s, 0);
    madi_store_close(s);
}

/* Every field of every kind has its column in the kind's table (the schema and kinds.c agree). */
static void test_kinds_match_schema(void **state)
{
    (void)state;
    struct madi_store *s = NULL;
    struct madi_err err;
    assert_int_equal(madi_catalog_open_or_create(":memory:", &s, NULL, &err), MADI_OK);
    struct madi_stmt *st = NULL;
    assert_int_equal(madi_store_prepare(s,
                                        "SELECT count(*) FROM pragma_table_info(?) WHERE name = ?",
                                        &st, &err),
                     MADI_OK);
    for (const struct madi_kind *k = madi_kinds; k->name; k++) {
        for (size_t f = 0; f < k->nfields; f++) {
            const struct madi_field *fd = &k->fields[f];
            char col[96];
            (void)snprintf(col, sizeof(col), "%s%s", fd->name,
                           fd->type == MADI_F_REF        ? "_id"
                           : fd->type == MADI_F_AGE_BAND ? "_lo"
                                                         : "");
            madi_stmt_bind_text(st, 1, k->table, strlen(k->table));
            madi_stmt_bind_text(st, 2, col, strlen(col));
            assert_int_equal(madi_stmt_step(st, &err), MADI_STMT_ROW);
            if (madi_stmt_int(st, 0) != 1)
                fail_msg("kind %s: column %s missing from table %s", k->name, col, k->table);
            madi_stmt_reset(st);
        }
    }
    madi_stmt_finalize(st);
    /* The catalog wrote every code list member. */
    int64_t n = 0, want = 0;
    for (const struct madi_codelist *l = madi_codelists; l->name; l++)
        want += (int64_t)l->n;
    assert_int_equal(madi_store_query_int(s, "SELECT count(*) FROM code", &n, &err), MADI_OK);
    assert_int_equal(n, want);
    madi_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_missing_never_creates),
        cmocka_unit_test(test_create_migrates_and_reopens),
        cmocka_unit_test(test_forward_migration),
        cmocka_unit_test(test_not_a_madi_db),
        cmocka_unit_test(test_transactions_and_constraints),
        cmocka_unit_test(test_failure_injection),
        cmocka_unit_test(test_kinds_match_schema),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
