/*
 * Unit tests for sdc.c: primary and secondary suppression on tables worked out by hand, the
 * same cell shared by two tables, and the audit (no hidden cell recoverable). The independent
 * attack, by linear programming over a whole published report, is tests/e2e/sdc_attack.py.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "madi/sdc.h"

static const char *const sex[] = { "F", "M", "_T" };
static const char *const area[] = { "A", "B", "_T" };

/* sex x area with margins:   A   B   T
 *                        F   3  10  13
 *                        M   8  12  20
 *                        T  11  22  33        */
static const double grid[] = { 3, 10, 13, 8, 12, 20, 11, 22, 33 };

static void test_two_by_two(void **state)
{
    (void)state;
    struct madi_err err;
    struct madi_sdc *s = madi_sdc_new(5);
    const char *dims[] = { "sex", "area" };
    const size_t ncats[] = { 3, 3 };
    const char *const *codes[] = { sex, area };
    size_t t = madi_sdc_add_table(s, "m", 2, dims, ncats, codes, grid, 1);
    assert_int_equal(madi_sdc_protect(s, &err), MADI_OK);
    /* F/A is primary (3 < 5). Row F then holds only 3 hidden: F/B (10) goes too; column A
     * likewise: M/A (8). Then M/A = 20 - 12 from row M, so M/B (12) goes: the four inner
     * cells are hidden, every margin is published, and nothing can be worked out. */
    assert_int_equal(madi_sdc_cell_status(s, t, 0), MADI_SDC_PRIMARY);
    assert_int_equal(madi_sdc_cell_status(s, t, 1), MADI_SDC_SECONDARY);
    assert_int_equal(madi_sdc_cell_status(s, t, 3), MADI_SDC_SECONDARY);
    assert_int_equal(madi_sdc_cell_status(s, t, 4), MADI_SDC_SECONDARY);
    for (size_t c = 0; c < 9; c++)
        if (c == 2 || c >= 5)
            assert_int_equal(madi_sdc_cell_status(s, t, c), MADI_SDC_PUBLISHED);
    assert_int_equal(madi_sdc_recoverable(s), 0);
    madi_sdc_free(s);
}

/* The sex margin of the grid, published again as its own table, is the same cells. */
static void test_shared_margins(void **state)
{
    (void)state;
    struct madi_err err;
    struct madi_sdc *s = madi_sdc_new(5);
    const char *dims2[] = { "area", "sex" }; /* the other order: still the same cells */
    const double transposed[] = { 3, 8, 11, 10, 12, 22, 13, 20, 33 };
    const size_t ncats[] = { 3, 3 };
    const char *const *codes2[] = { area, sex };
    size_t t2 = madi_sdc_add_table(s, "m", 2, dims2, ncats, codes2, transposed, 1);
    const char *dims1[] = { "sex" };
    const double margin[] = { 13, 20, 33 };
    const size_t n1[] = { 3 };
    const char *const *codes1[] = { sex };
    size_t t1 = madi_sdc_add_table(s, "m", 1, dims1, n1, codes1, margin, 1);
    /* a small margin: women of another measure, 4, with its parts 1 and 3 */
    const double small[] = { 1, 3, 4 };
    const char *dimsa[] = { "area" };
    const char *const *codesa[] = { area };
    size_t t3 = madi_sdc_add_table(s, "w", 1, dimsa, n1, codesa, small, 1);
    assert_int_equal(madi_sdc_protect(s, &err), MADI_OK);
    assert_int_equal(madi_sdc_cell_status(s, t2, 0), MADI_SDC_PRIMARY);   /* A/F */
    assert_int_equal(madi_sdc_cell_status(s, t1, 0), MADI_SDC_PUBLISHED); /* F: 13 */
    /* 1 and 3 are primary, and their total 4 too: all three hidden, nothing recoverable */
    for (size_t c = 0; c < 3; c++)
        assert_int_not_equal(madi_sdc_cell_status(s, t3, c), MADI_SDC_PUBLISHED);
    assert_int_equal(madi_sdc_recoverable(s), 0);
    madi_sdc_free(s);
}

/* Zero is published; a table with nothing small changes nothing. */
static void test_nothing_small(void **state)
{
    (void)state;
    struct madi_err err;
    struct madi_sdc *s = madi_sdc_new(5);
    const char *dims[] = { "sex", "area" };
    const double v[] = { 0, 10, 10, 8, 12, 20, 8, 22, 30 };
    const size_t ncats[] = { 3, 3 };
    const char *const *codes[] = { sex, area };
    size_t t = madi_sdc_add_table(s, "m", 2, dims, ncats, codes, v, 1);
    assert_int_equal(madi_sdc_protect(s, &err), MADI_OK);
    for (size_t c = 0; c < 9; c++)
        assert_int_equal(madi_sdc_cell_status(s, t, c), MADI_SDC_PUBLISHED);
    assert_int_equal(madi_sdc_count(s, MADI_SDC_PRIMARY), 0);
    madi_sdc_free(s);
}

/* Random tables of small counts: whatever the pattern, no published cell is 1..k-1 and no
 * hidden cell can be worked out from the equations. */
static void test_random_tables(void **state)
{
    (void)state;
    static const char *const r5[] = { "a", "b", "c", "d", "_T" };
    static const char *const c4[] = { "x", "y", "z", "_T" };
    unsigned seed = 12345;
    for (int round = 0; round < 200; round++) {
        double v[5 * 4] = { 0 };
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 3; j++) {
                seed = seed * 1103515245u + 12345u;
                int x = (int)((seed >> 16) % 23);
                v[i * 4 + j] = x > 15 ? 0 : x; /* many small, some zero */
                v[i * 4 + 3] += v[i * 4 + j];
                v[4 * 4 + j] += v[i * 4 + j];
                v[4 * 4 + 3] += v[i * 4 + j];
            }
        struct madi_err err;
        struct madi_sdc *s = madi_sdc_new(5);
        const char *dims[] = { "r", "c" };
        const size_t ncats[] = { 5, 4 };
        const char *const *codes[] = { r5, c4 };
        size_t t = madi_sdc_add_table(s, "m", 2, dims, ncats, codes, v, 1);
        assert_int_equal(madi_sdc_protect(s, &err), MADI_OK);
        for (size_t c = 0; c < 20; c++)
            if (madi_sdc_cell_status(s, t, c) == MADI_SDC_PUBLISHED)
                assert_false(v[c] > 0 && v[c] < 5);
        assert_int_equal(madi_sdc_recoverable(s), 0);
        assert_int_equal(madi_sdc_pinned(s), 0);
        madi_sdc_free(s);
    }
}

/* A table of one dimension (and a lone total column): 1673, 397, 5, 2 and 0 of 2077. The 2 is
 * primary; alone it would be 2077 minus the rest, and with the 5 beside it the two sum to 7: at
 * least k, and each of them can be anything from 0 to 7. */
static void test_one_dimension(void **state)
{
    (void)state;
    static const char *const method[] = { "a", "b", "c", "d", "_U", "_T" };
    static const char *const all[] = { "_T" };
    struct madi_err err;
    struct madi_sdc *s = madi_sdc_new(5);
    const char *dims[] = { "method", "all" };
    const double v[] = { 1673, 397, 5, 2, 0, 2077 };
    const size_t ncats[] = { 6, 1 };
    const char *const *codes[] = { method, all };
    size_t t = madi_sdc_add_table(s, "sessions", 2, dims, ncats, codes, v, 1);
    assert_int_equal(madi_sdc_protect(s, &err), MADI_OK);
    assert_int_equal(madi_sdc_cell_status(s, t, 3), MADI_SDC_PRIMARY);
    assert_int_equal(madi_sdc_cell_status(s, t, 2), MADI_SDC_SECONDARY);
    for (size_t c = 0; c < 6; c++)
        if (c != 2 && c != 3)
            assert_int_equal(madi_sdc_cell_status(s, t, c), MADI_SDC_PUBLISHED);
    assert_int_equal(madi_sdc_pinned(s), 0);
    madi_sdc_free(s);
}

/* A table where every neighbour of a pinned cell is hidden already: the search has to go
 * further out (a case the review found: it used to fail). Then many random ones, for k of 3, 5
 * and 10, each protected and audited. */
static void test_far_partners(void **state)
{
    (void)state;
    static const char *const r5[] = { "a", "b", "c", "d", "_T" };
    static const char *const c4[] = { "x", "y", "z", "_T" };
    static const double inner[4][3] = { { 1, 0, 3 }, { 3, 3, 46 }, { 32, 51, 36 }, { 1, 0, 3 } };
    unsigned seed = 777;
    for (int round = 0; round < 1500; round++) {
        double v[5 * 4] = { 0 };
        long k = round == 0 ? 5 : (long[]){ 3, 5, 10 }[round % 3];
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 3; j++) {
                double x = inner[i][j];
                if (round) {
                    seed = seed * 1103515245u + 12345u;
                    x = (double)((seed >> 16) % 60);
                    x = x > 40 ? 0 : x > 20 ? x - 20 : x < 6 ? x : x * 2;
                }
                v[i * 4 + j] = x;
                v[i * 4 + 3] += x;
                v[4 * 4 + j] += x;
                v[4 * 4 + 3] += x;
            }
        struct madi_err err;
        struct madi_sdc *s = madi_sdc_new(k);
        const char *dims[] = { "r", "c" };
        const size_t ncats[] = { 5, 4 };
        const char *const *codes[] = { r5, c4 };
        size_t t = madi_sdc_add_table(s, "m", 2, dims, ncats, codes, v, 1);
        if (madi_sdc_protect(s, &err) != MADI_OK)
            fail_msg("round %d (k %ld): %s", round, k, err.msg);
        for (size_t c = 0; c < 20; c++)
            if (madi_sdc_cell_status(s, t, c) == MADI_SDC_PUBLISHED)
                assert_false(v[c] > 0 && v[c] < (double)k);
        assert_int_equal(madi_sdc_recoverable(s), 0);
        assert_int_equal(madi_sdc_pinned(s), 0);
        madi_sdc_free(s);
    }
}

/* Codes holding the separators cannot make two quantities one cell. */
static void test_keys_escaped(void **state)
{
    (void)state;
    static const char *const a1[] = { "A|sex=F", "_T" };
    static const char *const a2[] = { "A", "_T" };
    static const char *const sx[] = { "F", "_T" };
    struct madi_sdc *s = madi_sdc_new(5);
    const char *d1[] = { "area" }, *d2[] = { "area", "sex" };
    const size_t n1[] = { 2 }, n2[] = { 2, 2 };
    const char *const *c1[] = { a1 };
    const char *const *c2[] = { a2, sx };
    const double v1[] = { 7, 7 }, v2[] = { 9, 9, 9, 9 };
    size_t t1 = madi_sdc_add_table(s, "m", 1, d1, n1, c1, v1, 1);
    (void)madi_sdc_add_table(s, "m", 2, d2, n2, c2, v2, 1);
    const char *q[] = { "A", "F" };
    size_t cell = madi_sdc_cell(s, "m", 2, d2, q, 0, 0);
    assert_true(cell != MADI_SDC_NONE);
    assert_true(madi_sdc_value(s, cell) == 9); /* not the 7 of the area coded "A|sex=F" */
    (void)t1;
    madi_sdc_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_by_two),    cmocka_unit_test(test_shared_margins),
        cmocka_unit_test(test_nothing_small), cmocka_unit_test(test_random_tables),
        cmocka_unit_test(test_one_dimension), cmocka_unit_test(test_far_partners),
        cmocka_unit_test(test_keys_escaped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
