/*
 * testutil.h: helpers the unit tests share. Include after <cmocka.h>.
 */
#ifndef MADI_TESTUTIL_H
#define MADI_TESTUTIL_H

#include <stdint.h>
#include <stdio.h>

#include "madi/import.h"
#include "madi/store.h"

/* The one integer `sql` returns; fails the test if the query fails. */
static inline int64_t test_query_int(struct madi_store *s, const char *sql)
{
    int64_t n = -1;
    struct madi_err err;
    if (madi_store_query_int(s, sql, &n, &err) != MADI_OK)
        fail_msg("%s: %s", sql, err.msg);
    return n;
}

/* Row counts and highest ids of every table: any change to the stored data shows. */
static inline int64_t test_fingerprint(struct madi_store *s)
{
    static const char *const tables[] = { "batch",
                                          "organisation",
                                          "area",
                                          "hazard",
                                          "survey_team",
                                          "eore_session",
                                          "eore_attendance",
                                          "land_release",
                                          "consultation",
                                          "casualty",
                                          "staff",
                                          "training",
                                          "population",
                                          "custom_code",
                                          "column_alias",
                                          "eore_attendance_block" };
    uint64_t fp = 0;
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        char sql[128];
        (void)snprintf(sql, sizeof(sql),
                       "SELECT count(*) * 1000003 + coalesce(max(rowid), 0) FROM %s", tables[i]);
        fp = fp * 31 + (uint64_t)test_query_int(s, sql);
    }
    return (int64_t)(fp >> 1);
}

/*
 * Write `csv` to DIR/NAME and import it as `kind` (with `key` for personal kinds, or NULL), as
 * of 2026-11-23. Returns the import's code; err says why.
 */
static inline int test_import_text(struct madi_store *s, const char *dir, const char *name,
                                   const char *kind, const char *csv, const struct madi_key *key,
                                   struct madi_err *err)
{
    char path[512];
    struct madi_import_opts o = { 0 };
    struct madi_import_result r;
    (void)snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    if (!fp || fputs(csv, fp) < 0 || fclose(fp) != 0)
        return MADI_EIO;
    o.kind = kind;
    o.who = "test";
    o.today = 20261123;
    o.key = key;
    return madi_import_file(s, path, &o, &r, err);
}

#endif
