/*
 * Unit tests for the attendance tallies (tally.c) and the packed copy the import writes for
 * them. Every expected table below was worked out by hand from the eight rows of the fixture
 * (the reasoning is beside it), never taken from madi's output.
 */
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
#include "madi/import.h"
#include "madi/store.h"
#include "madi/tally.h"

#include "testutil.h"

static char dir[] = "/tmp/madi-test-tally-XXXXXX";

/* Two provinces; North has two districts, South one. */
static const char areas[] = "code,name,level,parent\n"
                            "XX,Country,0,\n"
                            "XX01,North,1,XX\n"
                            "XX02,South,1,XX\n"
                            "XX0101,Hill,2,XX01\n"
                            "XX0102,Lake,2,XX01\n"
                            "XX0201,River,2,XX02\n";

/*
 * Row by row, its cell of `counts` (year, quarter, district, activity, sex, band, disability)
 * and of `people` (year, province, sex, key):
 *  1 2025 Q1 XX0101 interpersonal F 5-11 no         | 2025 XX01 F a
 *  2 the same cell as row 1                         | the same as row 1
 *  3 2025 Q2 XX0102 community M 25-59 yes           | 2025 XX01 M b
 *  4 2025 Q2 XX0102 community _N 18-24 _N           | no key: not counted
 *  5 2025 Q3 _N (a province) _N U _N (0-17 spans three bands) unknown | 2025 XX02 U c
 *  6 2024 Q4 XX0201 digital F 5-11 no               | 2024 XX02 F a
 *  7 2025 Q4 XX0201 media _N 60+ _N                 | 2025 XX02 _N b
 *  8 2025 Q4 XX0101 interpersonal M 25-59 yes       | 2025 XX01 M b (as row 3)
 */
static const char attendance[] =
        "date,organisation,area,activity,person_key,sex,age,age_band,disability\n"
        "2025-01-15,OP-A,XX0101,interpersonal,000000000000000a,F,10,,no\n"
        "2025-02-20,OP-A,XX0101,interpersonal,000000000000000a,F,10,,no\n"
        "2025-04-01,OP-A,XX0102,community,000000000000000b,M,30,,yes\n"
        "2025-04-02,OP-A,XX0102,community,,,,18-24,\n"
        "2025-07-09,OP-A,XX02,,000000000000000c,U,,0-17,unknown\n"
        "2024-12-31,OP-A,XX0201,digital,000000000000000a,F,9,,no\n"
        "2025-10-01,OP-A,XX0201,media,000000000000000b,,61,,\n"
        "2025-11-30,OP-A,XX0101,interpersonal,000000000000000b,M,30,,yes\n";

static const char counts_all[] =
        "year,quarter,district,activity,sex,age_band,disability,attendances\n"
        "2024,Q4,XX0201,digital,F,5-11,no,1\n"
        "2025,Q1,XX0101,interpersonal,F,5-11,no,2\n"
        "2025,Q2,XX0102,community,M,25-59,yes,1\n"
        "2025,Q2,XX0102,community,_N,18-24,_N,1\n"
        "2025,Q3,_N,_N,U,_N,unknown,1\n"
        "2025,Q4,XX0101,interpersonal,M,25-59,yes,1\n"
        "2025,Q4,XX0201,media,_N,60+,_N,1\n";

static const char people_all[] = "year,province,sex,people\n"
                                 "2024,XX02,F,1\n"
                                 "2025,XX01,F,1\n"
                                 "2025,XX01,M,1\n"
                                 "2025,XX02,U,1\n"
                                 "2025,XX02,_N,1\n";

static int group_setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    char cmd[128];
    (void)snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd);
}

static int setup(void **state)
{
    struct madi_store *s = NULL;
    struct madi_err err;
    if (madi_catalog_open_or_create(":memory:", &s, NULL, &err))
        return -1;
    if (test_import_text(s, dir, "org.csv", "organisation", "code,name\nOP-A,Alpha\n", NULL,
                         &err) ||
        test_import_text(s, dir, "area.csv", "area", areas, NULL, &err))
        return -1;
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    madi_store_close(*state);
    return 0;
}

/* The table as text; the test fails if the tally does. */
static char *tally(struct madi_store *s, enum madi_tally_table t, int32_t from, int32_t to,
                   const char *area, unsigned flags)
{
    char *text = NULL;
    size_t n = 0;
    FILE *out = open_memstream(&text, &n);
    assert_non_null(out);
    struct madi_tally_query q = { from, to, area, flags };
    struct madi_err err;
    int rc = madi_tally_write(s, t, &q, out, &err);
    assert_int_equal(fclose(out), 0);
    if (rc)
        fail_msg("tally: %s", err.msg);
    return text;
}

static void assert_tally(struct madi_store *s, enum madi_tally_table t, int32_t from, int32_t to,
                         const char *area, const char *want)
{
    /* The packed copy and the rows must both give it. */
    for (unsigned flags = 0; flags <= MADI_TALLY_FROM_ROWS; flags += MADI_TALLY_FROM_ROWS) {
        char *got = tally(s, t, from, to, area, flags);
        assert_string_equal(got, want);
        free(got);
    }
}

static void test_whole_and_filtered(void **state)
{
    struct madi_store *s = *state;
    struct madi_err err;
    assert_int_equal(test_import_text(s, dir, "att.csv", "eore-attendance", attendance, NULL, &err),
                     MADI_OK);
    /* Eight rows fit in one block. */
    assert_int_equal(test_query_int(s, "SELECT count(*) FROM eore_attendance_block"), 1);
    assert_int_equal(test_query_int(s, "SELECT sum(nrows) FROM eore_attendance_block"), 8);
    assert_tally(s, MADI_TALLY_COUNTS, 0, 0, NULL, counts_all);
    assert_tally(s, MADI_TALLY_PEOPLE, 0, 0, NULL, people_all);
    /* 2025 in North: rows 1, 2, 3, 4 and 8. */
    assert_tally(s, MADI_TALLY_COUNTS, 20250101, 20251231, "XX01",
                 "year,quarter,district,activity,sex,age_band,disability,attendances\n"
                 "2025,Q1,XX0101,interpersonal,F,5-11,no,2\n"
                 "2025,Q2,XX0102,community,M,25-59,yes,1\n"
                 "2025,Q2,XX0102,community,_N,18-24,_N,1\n"
                 "2025,Q4,XX0101,interpersonal,M,25-59,yes,1\n");
    assert_tally(s, MADI_TALLY_PEOPLE, 20250101, 20251231, "XX01",
                 "year,province,sex,people\n2025,XX01,F,1\n2025,XX01,M,1\n");
    /* 1 April to 1 October 2025 in South (the province itself and River): rows 5 and 7, the
     * last day included. */
    assert_tally(s, MADI_TALLY_COUNTS, 20250401, 20251001, "XX02",
                 "year,quarter,district,activity,sex,age_band,disability,attendances\n"
                 "2025,Q3,_N,_N,U,_N,unknown,1\n"
                 "2025,Q4,XX0201,media,_N,60+,_N,1\n");
    assert_tally(s, MADI_TALLY_PEOPLE, 20250401, 20251001, "XX02",
                 "year,province,sex,people\n2025,XX02,U,1\n2025,XX02,_N,1\n");
    /* One district: Lake has rows 3 and 4, and only row 3 has a key. */
    assert_tally(s, MADI_TALLY_PEOPLE, 0, 0, "XX0102", "year,province,sex,people\n2025,XX01,M,1\n");
    /* Nothing in the period: the header alone. */
    assert_tally(s, MADI_TALLY_COUNTS, 20230101, 20231231, NULL,
                 "year,quarter,district,activity,sex,age_band,disability,attendances\n");
    /* An area not in the register is an error, not an empty table. */
    struct madi_tally_query q = { 0, 0, "XX09", 0 };
    FILE *out = fopen("/dev/null", "w");
    assert_non_null(out);
    assert_int_equal(madi_tally_write(s, MADI_TALLY_COUNTS, &q, out, &err), MADI_ENOTFOUND);
    assert_non_null(strstr(err.msg, "XX09"));
    assert_int_equal(fclose(out), 0);
}

/* Re-importing is a no-op, a rejected file leaves no block, a replaced batch takes its blocks
 * with it, and a damaged block is an error. */
static void test_batches(void **state)
{
    struct madi_store *s = *state;
    struct madi_err err;
    struct madi_import_opts o = { 0 };
    struct madi_import_result r;
    char path[512];
    assert_int_equal(test_import_text(s, dir, "att.csv", "eore-attendance", attendance, NULL, &err),
                     MADI_OK);
    assert_int_equal(test_import_text(s, dir, "att.csv", "eore-attendance", attendance, NULL, &err),
                     MADI_OK);
    assert_int_equal(test_query_int(s, "SELECT count(*) FROM eore_attendance_block"), 1);
    assert_tally(s, MADI_TALLY_COUNTS, 0, 0, NULL, counts_all);
    /* A bad date on the second row: nothing stored, no block. */
    assert_int_equal(test_import_text(s, dir, "bad.csv", "eore-attendance",
                                      "date,organisation,area,person_key\n"
                                      "2025-01-01,OP-A,XX0101,00000000000000ff\n"
                                      "2025-13-01,OP-A,XX0101,00000000000000fe\n",
                                      NULL, &err),
                     MADI_EREJECTED);
    assert_int_equal(test_query_int(s, "SELECT count(*) FROM eore_attendance_block"), 1);
    /* Replace batch 3 (the attendance file) by one row: 2025-05-05, Hill, F, 40, key d. */
    (void)snprintf(path, sizeof(path), "%s/fixed.csv", dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    assert_true(fputs("date,organisation,area,person_key,sex,age,disability,activity\n"
                      "2025-05-05,OP-A,XX0101,000000000000000d,F,40,no,community\n",
                      fp) >= 0);
    assert_int_equal(fclose(fp), 0);
    int64_t old = test_query_int(s, "SELECT id FROM batch WHERE kind = 'eore-attendance'");
    o.kind = "eore-attendance";
    o.today = 20261123;
    o.replace_batch = old;
    assert_int_equal(madi_import_file(s, path, &o, &r, &err), MADI_OK);
    char sql[128];
    (void)snprintf(sql, sizeof(sql),
                   "SELECT count(*) FROM eore_attendance_block WHERE batch_id = %lld",
                   (long long)old);
    assert_int_equal(test_query_int(s, sql), 0);
    static const char counts_fixed[] =
            "year,quarter,district,activity,sex,age_band,disability,attendances\n"
            "2025,Q2,XX0101,community,F,25-59,no,1\n";
    static const char people_fixed[] = "year,province,sex,people\n2025,XX01,F,1\n";
    assert_tally(s, MADI_TALLY_COUNTS, 0, 0, NULL, counts_fixed);
    assert_tally(s, MADI_TALLY_PEOPLE, 0, 0, NULL, people_fixed);
    /* A damaged block is refused with a message, never read past its end. */
    assert_int_equal(madi_store_exec(s,
                                     "UPDATE eore_attendance_block SET data = substr(data, 1, "
                                     "length(data) - 3)",
                                     &err),
                     MADI_OK);
    struct madi_tally_query q = { 0, 0, NULL, 0 };
    FILE *out = fopen("/dev/null", "w");
    assert_non_null(out);
    assert_int_equal(madi_tally_write(s, MADI_TALLY_COUNTS, &q, out, &err), MADI_EDB);
    assert_non_null(strstr(err.msg, "damaged"));
    assert_int_equal(fclose(out), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_whole_and_filtered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batches, setup, teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
