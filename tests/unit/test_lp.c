/* Unit tests for lp.c: bounds worked out by hand on small systems. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lp.h"

#define NEAR(a, b) assert_true(fabs((a) - (b)) < 1e-7)

/* x + y = 10, x - z = 2, all >= 0: x in [2, 10], y in [0, 8], z in [0, 8]. */
static void test_bounds(void **state)
{
    (void)state;
    const double a[] = { 1, 1, 0, 1, 0, -1 };
    const double b[] = { 10, 2 };
    struct lp *p = NULL;
    double v;
    assert_int_equal(lp_new(a, b, 2, 3, &p), 0);
    assert_int_equal(lp_bound(p, 0, 0, &v), 0);
    NEAR(v, 2);
    assert_int_equal(lp_bound(p, 0, 1, &v), 0);
    NEAR(v, 10);
    assert_int_equal(lp_bound(p, 1, 1, &v), 0);
    NEAR(v, 8);
    assert_int_equal(lp_bound(p, 2, 0, &v), 0);
    NEAR(v, 0);
    lp_free(p);
}

/* x - y = 3 alone: x is at least 3 and unbounded above. A negative right side is fine. */
static void test_unbounded_and_signs(void **state)
{
    (void)state;
    const double a[] = { -1, 1 };
    const double b[] = { -3 };
    struct lp *p = NULL;
    double v;
    assert_int_equal(lp_new(a, b, 1, 2, &p), 0);
    assert_int_equal(lp_bound(p, 0, 0, &v), 0);
    NEAR(v, 3);
    assert_int_equal(lp_bound(p, 0, 1, &v), 1);
    lp_free(p);
}

/* x + y = 1 and x + y = 3 cannot both hold; a repeated equation is fine. */
static void test_infeasible_and_redundant(void **state)
{
    (void)state;
    const double a[] = { 1, 1, 1, 1 };
    const double bad[] = { 1, 3 }, same[] = { 4, 4 };
    struct lp *p = NULL;
    double v;
    assert_int_equal(lp_new(a, bad, 2, 2, &p), -1);
    assert_int_equal(lp_new(a, same, 2, 2, &p), 0);
    assert_int_equal(lp_bound(p, 1, 1, &v), 0);
    NEAR(v, 4);
    lp_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_unbounded_and_signs),
        cmocka_unit_test(test_infeasible_and_redundant),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
