/*
 * Unit tests for audit.c: an intact chain verifies; an altered, removed or reordered entry, and
 * removed last entries, are named.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "madi/audit.h"
#include "madi/catalog.h"
#include "madi/store.h"

#include "testutil.h"

/* A database with four entries. */
static struct madi_store *four(void)
{
    struct madi_store *s = NULL;
    struct madi_err err;
    assert_int_equal(madi_catalog_open_or_create(":memory:", &s, NULL, &err), MADI_OK);
    assert_int_equal(madi_store_begin(s, &err), MADI_OK);
    assert_int_equal(madi_audit_append(s, "ana", "import", "survivor batch 1", NULL, &err),
                     MADI_OK);
    assert_int_equal(madi_audit_append(s, "ben", "show", "survivor S-1", "follow-up", &err),
                     MADI_OK);
    assert_int_equal(madi_audit_append(s, "ana", "erase", "survivor S-2", "request 7", &err),
                     MADI_OK);
    assert_int_equal(madi_audit_append(s, "cy", "export", "need records", NULL, &err), MADI_OK);
    assert_int_equal(madi_store_commit(s, &err), MADI_OK);
    return s;
}

static int64_t broken_at(struct madi_store *s, const char *tamper)
{
    struct madi_err err;
    struct madi_audit_report rep;
    if (tamper)
        assert_int_equal(madi_store_exec(s, tamper, &err), MADI_OK);
    int rc = madi_audit_verify(s, &rep, &err);
    assert_int_equal(rc, rep.first_bad ? MADI_EREJECTED : MADI_OK);
    if (rep.first_bad)
        assert_true(strlen(rep.why) > 10);
    return rep.first_bad;
}

static void test_intact(void **state)
{
    struct madi_audit_report rep;
    struct madi_err err;
    (void)state;
    struct madi_store *s = four();
    assert_int_equal(madi_audit_verify(s, &rep, &err), MADI_OK);
    assert_int_equal(rep.entries, 4);
    assert_int_equal(rep.first_bad, 0);
    madi_store_close(s);
    /* An empty log is intact. */
    assert_int_equal(madi_catalog_open_or_create(":memory:", &s, NULL, &err), MADI_OK);
    assert_int_equal(broken_at(s, NULL), 0);
    madi_store_close(s);
}

static void test_altered(void **state)
{
    (void)state;
    static const char *const edits[] = {
        "UPDATE audit_log SET actor = 'mallory' WHERE id = 2",
        "UPDATE audit_log SET reason = '' WHERE id = 2",
        "UPDATE audit_log SET at = '2020-01-01T00:00:00Z' WHERE id = 2",
        "UPDATE audit_log SET object = 'survivor S-9' WHERE id = 2",
    };
    for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
        struct madi_store *s = four();
        assert_int_equal(broken_at(s, edits[i]), 2);
        madi_store_close(s);
    }
}

static void test_removed_and_reordered(void **state)
{
    (void)state;
    struct madi_store *s = four();
    assert_int_equal(broken_at(s, "DELETE FROM audit_log WHERE id = 2"), 3);
    madi_store_close(s);
    /* Renumbered after a removal: entry 3 no longer follows from 2. */
    s = four();
    assert_int_equal(broken_at(s, "DELETE FROM audit_log WHERE id = 2; UPDATE audit_log SET id = "
                                  "id - 1 WHERE id > 2"),
                     2);
    madi_store_close(s);
    /* Two entries swapped (contents and hashes moved). */
    s = four();
    assert_int_equal(broken_at(s, "UPDATE audit_log SET id = -2 WHERE id = 2; UPDATE audit_log SET "
                                  "id = 2 WHERE id = 3; UPDATE audit_log SET id = 3 WHERE id = -2"),
                     2);
    madi_store_close(s);
    /* The last entry removed: the recorded head says there were four. */
    s = four();
    assert_int_equal(broken_at(s, "DELETE FROM audit_log WHERE id = 4"), 4);
    madi_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_intact),
        cmocka_unit_test(test_altered),
        cmocka_unit_test(test_removed_and_reordered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
