/* Unit tests for src/util: the capped buffer and the hash maps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "madi/err.h"

#include "buf.h"
#include "hashmap.h"

static void test_buf_cap(void **state)
{
    (void)state;
    struct madi_buf b;
    madi_buf_init(&b, 8);
    assert_int_equal(madi_buf_adds(&b, "12345678"), MADI_OK);
    assert_int_equal(b.len, 8);
    assert_string_equal(b.data, "12345678");
    assert_int_equal(madi_buf_addc(&b, '9'), MADI_EINVAL);
    assert_int_equal(b.len, 8); /* unchanged */
    assert_string_equal(b.data, "12345678");
    madi_buf_reset(&b);
    assert_int_equal(madi_buf_addf(&b, "%d-%s", 42, "x"), MADI_OK);
    assert_string_equal(b.data, "42-x");
    madi_buf_release(&b);
    struct madi_buf u = MADI_BUF_INIT;
    for (int i = 0; i < 1000; i++)
        assert_int_equal(madi_buf_addc(&u, 'a'), MADI_OK);
    assert_int_equal(u.len, 1000);
    assert_int_equal(strlen(u.data), 1000);
    size_t len = 0;
    char *p = madi_buf_detach(&u, &len);
    assert_int_equal(len, 1000);
    assert_int_equal(u.len, 0);
    free(p);
}

static void test_strmap(void **state)
{
    (void)state;
    struct madi_strmap m;
    madi_strmap_init(&m);
    int64_t v = 0;
    assert_int_equal(madi_strmap_get(&m, "a", 1, &v), 0);
    for (int i = 0; i < 1000; i++) {
        char k[16];
        int n = snprintf(k, sizeof(k), "K%d", i);
        madi_strmap_put(&m, k, (size_t)n, i * 3);
    }
    assert_int_equal(m.len, 1000);
    assert_int_equal(madi_strmap_get(&m, "K777", 4, &v), 1);
    assert_int_equal(v, 2331);
    madi_strmap_put(&m, "K777", 4, -1);
    assert_int_equal(m.len, 1000);
    assert_int_equal(madi_strmap_get(&m, "K777", 4, &v), 1);
    assert_int_equal(v, -1);
    /* Lengths matter: "K7" is not "K77". */
    assert_int_equal(madi_strmap_get(&m, "K77x", 3, &v), 1);
    assert_int_equal(v, 77 * 3);
    assert_int_equal(madi_strmap_get(&m, "K1000", 5, &v), 0);
    madi_strmap_release(&m);
}

static void test_u64map(void **state)
{
    (void)state;
    struct madi_u64map m;
    madi_u64map_init(&m);
    uint64_t old = 0;
    for (uint64_t i = 0; i < 5000; i++)
        assert_int_equal(madi_u64map_put_new(&m, i * 0x9e3779b97f4a7c15ULL, i, &old), 0);
    assert_int_equal(madi_u64map_put_new(&m, 7 * 0x9e3779b97f4a7c15ULL, 99, &old), 1);
    assert_int_equal(old, 7);
    assert_int_equal(m.len, 5000);
    madi_u64map_release(&m);
    assert_true(madi_hash64("a", 1, 0) != madi_hash64("b", 1, 0));
    assert_true(madi_hash64("a", 1, 0) == madi_hash64("a", 1, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_cap),
        cmocka_unit_test(test_strmap),
        cmocka_unit_test(test_u64map),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
