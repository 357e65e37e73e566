/*
 * insert_floor.c: what storing attendance rows in madi's table costs SQLite alone, with no CSV,
 * no validation and no madi code: the floor under `madi import` for this schema.
 *
 *     cc -O2 -o insert_floor bench/insert_floor.c -lsqlite3
 *     madi init --db floor.db && madi import --db floor.db organisation.csv area.csv
 *     ./insert_floor floor.db [ROWS]
 *
 * Inserts ROWS (default 1,000,000) synthetic rows shaped like bench/gen.c's into
 * eore_attendance in one transaction with one prepared statement, four ways: foreign keys on
 * and off, one row and 16 rows per statement; prints the seconds of each. The database must
 * hold organisations 1-12 and areas 3-82 (as bench/gen.c's registers give) and batch 1..3.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#define NCOLS 24

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int one(const char *path, int fk, int group, int rows)
{
    sqlite3 *d = NULL;
    sqlite3_stmt *st = NULL;
    char sql[8192];
    if (sqlite3_open(path, &d) != SQLITE_OK)
        return 1;
    sqlite3_exec(d, fk ? "PRAGMA foreign_keys = ON" : "PRAGMA foreign_keys = OFF", 0, 0, 0);
    sqlite3_exec(d, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL", 0, 0, 0);
    sqlite3_exec(d, "DELETE FROM eore_attendance", 0, 0, 0);
    int len = snprintf(sql, sizeof(sql),
                       "INSERT INTO eore_attendance (batch_id, line, record_id, session_id, "
                       "date, organisation_id, area_id, person_key, sex, age, age_band_lo, "
                       "age_band_hi, disability, wg_seeing, wg_hearing, wg_walking, "
                       "wg_remembering, wg_selfcare, wg_communicating, displacement, minority, "
                       "female_headed_household, caregiver, activity) VALUES ");
    for (int g = 0; g < group; g++)
        len += snprintf(sql + len, sizeof(sql) - (size_t)len, "%s(?%s)", g ? "," : "",
                        ",?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?");
    if (sqlite3_prepare_v2(d, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "%s\n", sqlite3_errmsg(d));
        return 1;
    }
    int64_t batch = 0;
    {
        sqlite3_stmt *b = NULL;
        sqlite3_prepare_v2(d, "SELECT max(id) FROM batch", -1, &b, NULL);
        if (sqlite3_step(b) == SQLITE_ROW)
            batch = sqlite3_column_int64(b, 0);
        sqlite3_finalize(b);
    }
    sqlite3_exec(d, "BEGIN IMMEDIATE", 0, 0, 0);
    double t0 = now();
    char rid[32], sid[32];
    for (int i = 0; i + group <= rows; i += group) {
        for (int g = 0; g < group; g++) {
            int k = i + g, b = g * NCOLS;
            int rl = snprintf(rid, sizeof(rid), "A-%d", k + 1);
            int sl = snprintf(sid, sizeof(sid), "S-%d", k / 25);
            sqlite3_bind_int64(st, b + 1, batch);
            sqlite3_bind_int64(st, b + 2, k + 2);
            sqlite3_bind_text(st, b + 3, rid, rl, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, b + 4, sid, sl, SQLITE_TRANSIENT);
            sqlite3_bind_int64(st, b + 5, 20240101 + k % 28);
            sqlite3_bind_int64(st, b + 6, 1 + k % 12);
            sqlite3_bind_int64(st, b + 7, 3 + k % 80);
            sqlite3_bind_int64(st, b + 8,
                               (long long)((unsigned long long)k * 0x9e3779b97f4a7c15ULL));
            sqlite3_bind_int64(st, b + 9, 1 + k % 2);
            sqlite3_bind_int64(st, b + 10, k % 90);
            for (int j = 11; j <= 12; j++)
                sqlite3_bind_null(st, b + j);
            sqlite3_bind_int64(st, b + 13, k % 2);
            for (int j = 14; j <= 19; j++)
                sqlite3_bind_null(st, b + j);
            sqlite3_bind_int64(st, b + 20, 1);
            for (int j = 21; j <= 23; j++)
                sqlite3_bind_null(st, b + j);
            sqlite3_bind_int64(st, b + 24, 1);
        }
        if (sqlite3_step(st) != SQLITE_DONE) {
            fprintf(stderr, "step: %s\n", sqlite3_errmsg(d));
            return 1;
        }
        sqlite3_reset(st);
    }
    double t1 = now();
    sqlite3_exec(d, "COMMIT", 0, 0, 0);
    double t2 = now();
    printf("foreign keys %-3s %2d row%s a statement: insert %.2f s + commit %.2f s = %.2f us a row\n",
           fk ? "on" : "off", group, group == 1 ? " " : "s", t1 - t0, t2 - t1,
           (t2 - t0) * 1e6 / rows);
    sqlite3_finalize(st);
    sqlite3_exec(d, "DELETE FROM eore_attendance", 0, 0, 0);
    sqlite3_close(d);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: insert_floor DB [ROWS]\n");
        return 2;
    }
    int rows = argc > 2 ? atoi(argv[2]) : 1000000;
    int rc = 0;
    rc |= one(argv[1], 1, 1, rows);
    rc |= one(argv[1], 0, 1, rows);
    rc |= one(argv[1], 1, 16, rows);
    rc |= one(argv[1], 0, 16, rows);
    return rc;
}
