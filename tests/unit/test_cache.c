/*
 * Unit tests for the server's report cache (src/server/cache.c): a kept entry is found only for
 * its key and the stamp of the data it was built from; a full cache gives way to stale entries
 * first, then to the least recently used; an entry evicted while a request still reads it stays
 * whole until that request lets it go (ASan would see a use after free); what was written from
 * an entry is kept with it, the first copy under a name winning.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "srv_int.h"

static struct rc_entry *put(struct rcache *c, const char *key, int64_t stamp)
{
    struct rc_entry *ref = NULL;
    assert_null(rcache_put(c, key, stamp, NULL, &ref));
    assert_non_null(ref);
    return ref;
}

static int has(struct rcache *c, const char *key, int64_t stamp)
{
    struct rc_entry *ref = NULL;
    (void)rcache_get(c, key, stamp, &ref);
    rcache_release(c, ref);
    return ref != NULL;
}

static void test_key_and_stamp(void **state)
{
    (void)state;
    struct rcache *c = rcache_new();
    rcache_release(c, put(c, "a", 7));
    assert_true(has(c, "a", 7));
    assert_false(has(c, "a", 8)); /* the data changed: not this one */
    assert_false(has(c, "b", 7));
    /* an unknown stamp is never kept */
    rcache_release(c, put(c, "u", -1));
    assert_false(has(c, "u", -1));
    rcache_free(c);
}

static void test_blobs(void **state)
{
    (void)state;
    struct rcache *c = rcache_new();
    struct rc_entry *e = put(c, "k", 1);
    char *out = NULL;
    size_t n = 0;
    assert_int_equal(rcache_blob(c, e, "dashboard", &out, &n), 0);
    rcache_set_blob(c, e, "dashboard", "{\"a\":1}", 7);
    rcache_set_blob(c, e, "dashboard", "{\"b\":2}", 7); /* the first one stays */
    assert_int_equal(rcache_blob(c, e, "dashboard", &out, &n), 1);
    assert_int_equal(n, 7);
    assert_string_equal(out, "{\"a\":1}");
    free(out);
    rcache_release(c, e);
    rcache_free(c);
}

/* 32 slots: the 33rd entry pushes out the least recently used one, stale ones before it. */
static void test_eviction(void **state)
{
    (void)state;
    struct rcache *c = rcache_new();
    char key[16];
    for (int i = 0; i < 32; i++) {
        (void)snprintf(key, sizeof(key), "k%d", i);
        rcache_release(c, put(c, key, 1));
    }
    assert_true(has(c, "k0", 1)); /* k0 is now the most recently used; k1 the least */
    rcache_release(c, put(c, "new", 1));
    assert_true(has(c, "k0", 1));
    assert_false(has(c, "k1", 1));
    assert_true(has(c, "k2", 1));
    /* with newer data, a stale entry goes first even if it was used last */
    rcache_release(c, put(c, "fresh", 2));
    int stale_left = 0;
    for (int i = 0; i < 32; i++) {
        (void)snprintf(key, sizeof(key), "k%d", i);
        stale_left += has(c, key, 1);
    }
    assert_true(has(c, "new", 1));    /* new was not the victim: the oldest stale one was */
    assert_int_equal(stale_left, 30); /* k1 before, one more now */
    rcache_free(c);
}

static void test_evicted_in_use(void **state)
{
    (void)state;
    struct rcache *c = rcache_new();
    struct rc_entry *held = put(c, "held", 1);
    rcache_set_blob(c, held, "x", "still here", 10);
    char key[16];
    for (int i = 0; i < 40; i++) { /* push it out while it is held */
        (void)snprintf(key, sizeof(key), "k%d", i);
        rcache_release(c, put(c, key, 1));
    }
    assert_false(has(c, "held", 1));
    char *out = NULL;
    size_t n = 0;
    assert_int_equal(rcache_blob(c, held, "x", &out, &n), 1); /* readable: not freed */
    assert_string_equal(out, "still here");
    free(out);
    rcache_release(c, held); /* freed now (LeakSanitizer would see it otherwise) */
    rcache_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_and_stamp),
        cmocka_unit_test(test_blobs),
        cmocka_unit_test(test_eviction),
        cmocka_unit_test(test_evicted_in_use),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
