/*
 * testutil.h: helpers the unit tests share. Include after <cmocka.h>.
 */
#ifndef MADI_TESTUTIL_H
#define MADI_TESTUTIL_H

#include <stdint.h>
#include <stdio.h>

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
    static const char *const tables[] = { "batch",           "organisation", "area",
                                          "hazard",          "survey_team",  "eore_session",
                                          "eore_attendance", "land_release", "consultation",
                                          "casualty",        "staff",        "training",
                                          "population",      "custom_code",  "column_alias" };
    uint64_t fp = 0;
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        char sql[128];
        (void)snprintf(sql, sizeof(sql),
                       "SELECT count(*) * 1000003 + coalesce(max(rowid), 0) FROM %s", tables[i]);
        fp = fp * 31 + (uint64_t)test_query_int(s, sql);
    }
    return (int64_t)(fp >> 1);
}

#endif
