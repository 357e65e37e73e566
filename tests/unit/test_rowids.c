/*
 * Unit tests for the record-id checks (rowids.c): the bounded-memory check finds every hash
 * added more than once, with its entries in the order they were added, across the sorted runs
 * it writes to a temporary file (more than 2^18 entries make several), and nothing else; the
 * in-memory set finds a repeat and keeps references. Hashes here are made up by the test (an
 * injective function of the number), so the expected groups are known beforehand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rowids.h"

/* An invertible mix: distinct numbers give distinct hashes, in no useful order. */
static uint64_t h_of(uint64_t i)
{
    i ^= i >> 31;
    i *= 0x9e3779b97f4a7c15ULL;
    i ^= i >> 29;
    return i;
}

struct seen {
    size_t groups;
    uint32_t got[8][4]; /* (a, b) pairs of the first two groups' entries */
    size_t n[8];
    uint64_t h[8];
    size_t more;
};

static int collect(void *ctx, const struct rowids_ent *e, size_t n, size_t more)
{
    struct seen *s = ctx;
    s->more += more;
    if (s->groups < 8) {
        s->h[s->groups] = e[0].h;
        s->n[s->groups] = n;
        for (size_t i = 0; i < n && i < 2; i++) {
            s->got[s->groups][2 * i] = e[i].a;
            s->got[s->groups][2 * i + 1] = e[i].b;
        }
    }
    for (size_t i = 1; i < n; i++)
        assert_true(e[i].h == e[0].h);
    s->groups++;
    return 0;
}

/* Each spill test: a fresh spill and a fresh record of what it handed over. */
struct fx {
    struct rowids_spill sp;
    struct seen s;
};

static int setup(void **state)
{
    struct fx *x = calloc(1, sizeof(*x));
    if (!x)
        return -1;
    rowids_spill_init(&x->sp);
    *state = x;
    return 0;
}

static int teardown(void **state)
{
    struct fx *x = *state;
    rowids_spill_release(&x->sp);
    free(x);
    return 0;
}

static void test_spill_groups(void **state)
{
    struct fx *x = *state;
    struct rowids_spill *sp = &x->sp;
    struct madi_err err;
    struct seen *s = &x->s;
    /* Stored ids first (a = 7, b = their line), then 700,000 of this file (a = 9, b = row):
     * row 3 repeats stored id 100; row 650,000 repeats row 299,999; nothing else repeats. */
    for (uint32_t i = 0; i < 1000; i++)
        assert_int_equal(rowids_spill_add(sp, h_of(1000000 + i), 7, i + 2, &err), MADI_OK);
    for (uint32_t r = 0; r < 700000; r++) {
        uint64_t h = r == 3 ? h_of(1000100) : r == 650000 ? h_of(299999) : h_of(r);
        assert_int_equal(rowids_spill_add(sp, h, 9, r, &err), MADI_OK);
    }
    assert_true(sp->nruns >= 2); /* the merge across runs is what this tests */
    assert_int_equal(rowids_spill_groups(sp, collect, s, &err), MADI_OK);
    assert_int_equal(s->groups, 2);
    for (size_t g = 0; g < 2; g++) {
        assert_int_equal(s->n[g], 2);
        if (s->h[g] == h_of(1000100)) { /* the stored one first, then row 3 */
            assert_int_equal(s->got[g][0], 7);
            assert_int_equal(s->got[g][1], 102);
            assert_int_equal(s->got[g][2], 9);
            assert_int_equal(s->got[g][3], 3);
        } else { /* row 299,999, then row 650,000 */
            assert_true(s->h[g] == h_of(299999));
            assert_int_equal(s->got[g][1], 299999);
            assert_int_equal(s->got[g][3], 650000);
        }
    }
}

static void test_spill_small_and_empty(void **state)
{
    struct fx *x = *state;
    struct rowids_spill *sp = &x->sp;
    struct madi_err err;
    struct seen *s = &x->s;
    assert_int_equal(rowids_spill_groups(sp, collect, s, &err), MADI_OK);
    assert_int_equal(s->groups, 0);
    rowids_spill_release(sp); /* and again, with entries */
    rowids_spill_init(sp);
    for (uint32_t r = 0; r < 5; r++) /* the same hash five times: one group of five */
        assert_int_equal(rowids_spill_add(sp, 42, 9, r, &err), MADI_OK);
    assert_int_equal(rowids_spill_groups(sp, collect, s, &err), MADI_OK);
    assert_int_equal(s->groups, 1);
    assert_int_equal(s->n[0], 5);
    assert_int_equal(s->more, 0);
    assert_int_equal(s->got[0][1], 0);
    assert_int_equal(s->got[0][3], 1);
}

/* One hash added 70,000 times: the first 65,536 entries handed over, the rest counted. */
static void test_spill_group_cap(void **state)
{
    struct fx *x = *state;
    struct rowids_spill *sp = &x->sp;
    struct madi_err err;
    struct seen *s = &x->s;
    for (uint32_t r = 0; r < 70000; r++)
        assert_int_equal(rowids_spill_add(sp, 7, 9, r, &err), MADI_OK);
    assert_int_equal(rowids_spill_groups(sp, collect, s, &err), MADI_OK);
    assert_int_equal(s->groups, 1);
    assert_int_equal(s->n[0], 65536);
    assert_int_equal(s->more, 70000 - 65536);
    assert_int_equal(s->got[0][1], 0);
    assert_int_equal(s->got[0][3], 1);
}

static void test_set(void **state)
{
    (void)state;
    struct rowids x;
    uint32_t old = 0;
    rowids_init(&x, 10); /* small on purpose: it must grow */
    for (uint32_t r = 0; r < 100000; r++)
        assert_int_equal(rowids_put(&x, h_of(r), r + 1, &old), 0);
    assert_int_equal(rowids_put(&x, h_of(77), 5, &old), 1);
    assert_int_equal(old, 78);
    assert_int_equal(rowids_put(&x, h_of(100000), ROWIDS_STORED, &old), 0);
    assert_int_equal(rowids_put(&x, h_of(100000), 9, &old), 1);
    assert_int_equal(old, ROWIDS_STORED);
    assert_true(rowids_hash("A-1", 3) != rowids_hash("A-2", 3));
    assert_true(rowids_hash("", 0) != 0);
    rowids_release(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_spill_groups, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spill_small_and_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spill_group_cap, setup, teardown),
        cmocka_unit_test(test_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
