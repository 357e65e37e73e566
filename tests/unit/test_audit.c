/*
 * Unit tests for audit.c: an intact chain verifies; an altered, removed or reordered entry, and
 * removed last entries, are named.
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

#include "madi/audit.h"
#include "madi/catalog.h"
#include "madi/privacy.h"
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

static void append(struct madi_store *s, const char *actor, int want)
{
    struct madi_err err;
    assert_int_equal(madi_store_begin(s, &err), MADI_OK);
    int rc = madi_audit_append(s, actor, "show", "survivor S-1", "check", &err);
    assert_int_equal(rc, want);
    if (rc)
        madi_store_rollback(s);
    else
        assert_int_equal(madi_store_commit(s, &err), MADI_OK);
}

/* Issue #7: the chain is keyed with the centre's key. An old (unkeyed) chain is keyed from its
 * next entry on and its old entries stay pinned; a cut tail with a head rewritten to match is
 * found; without the key only the structure is checked (and said); once keyed, nothing is
 * appended without the key. */
static void test_issue7_keyed_chain(void **state)
{
    struct madi_store *s = four(), *s2 = NULL;
    struct madi_key *k = NULL;
    struct madi_err err;
    struct madi_audit_report rep;
    char path[] = "/tmp/madi-test-audit-XXXXXX";
    (void)state;
    /* Four unkeyed entries: intact as a chain, but not keyed. */
    assert_int_equal(madi_audit_verify(s, &rep, &err), MADI_OK);
    assert_int_equal(rep.key_used, 0);
    assert_int_equal(rep.keyed_from, 0);
    /* Registering a key appends entry 5 ("keys init"), the first keyed one; then entry 6. */
    assert_int_equal(madi_key_generate(&k, &err), MADI_OK);
    assert_int_equal(madi_privacy_init(s, k, "ana", &err), MADI_OK);
    append(s, "ben", MADI_OK);
    assert_int_equal(madi_audit_verify(s, &rep, &err), MADI_OK);
    assert_int_equal(rep.entries, 6);
    assert_int_equal(rep.key_used, 1);
    assert_int_equal(rep.keyed_from, 5);
    assert_int_equal(test_query_int(s, "SELECT count(*) FROM meta WHERE key = 'audit_head' AND "
                                       "value LIKE '6 % 5 %'"),
                     1);
    /* An old entry altered: entry 3 no longer matches its unkeyed hash. */
    assert_int_equal(
            madi_store_exec(s, "SAVEPOINT t; UPDATE audit_log SET actor = 'x' WHERE id = 3", &err),
            MADI_OK);
    assert_int_equal(broken_at(s, NULL), 3);
    assert_int_equal(madi_store_exec(s, "ROLLBACK TO t; RELEASE t", &err), MADI_OK);
    /* The tail cut and the head rewritten to entry 5 with its hash (keeping FROM and the check). */
    assert_int_equal(
            broken_at(s, "SAVEPOINT t; DELETE FROM audit_log WHERE id = 6; UPDATE meta SET value "
                         "= '5 ' || (SELECT hash FROM audit_log WHERE id = 5) || ' 5 ' || "
                         "substr(value, -64) WHERE key = 'audit_head'"),
            5);
    assert_int_equal(madi_store_exec(s, "ROLLBACK TO t; RELEASE t", &err), MADI_OK);
    /* ... or with an unkeyed head: the keyed entry 5 does not pass as an unkeyed one. */
    assert_int_equal(broken_at(s, "SAVEPOINT t; DELETE FROM audit_log WHERE id = 6; UPDATE meta "
                                  "SET value = '5 ' || (SELECT hash FROM audit_log WHERE id = 5) "
                                  "WHERE key = 'audit_head'"),
                     5);
    assert_int_equal(madi_store_exec(s, "ROLLBACK TO t; RELEASE t", &err), MADI_OK);
    assert_int_equal(broken_at(s, NULL), 0);
    madi_store_close(s);

    /* The same chain in a file, opened without the key: only the structure is checked, and
     * nothing can be appended. */
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    (void)close(fd);
    (void)unlink(path);
    assert_int_equal(madi_catalog_open_or_create(path, &s, NULL, &err), MADI_OK);
    assert_int_equal(madi_privacy_init(s, k, "ana", &err), MADI_OK);
    append(s, "ben", MADI_OK);
    madi_store_close(s);
    assert_int_equal(madi_catalog_open_or_create(path, &s2, NULL, &err), MADI_OK);
    assert_int_equal(madi_audit_verify(s2, &rep, &err), MADI_OK);
    assert_int_equal(rep.key_used, 0);
    assert_int_equal(rep.keyed_from, 1);
    assert_int_equal(rep.unchecked, 2);
    append(s2, "mallory", MADI_EDENIED);
    /* With the key checked, appends are keyed again. */
    assert_int_equal(madi_privacy_check(s2, k, &err), MADI_OK);
    append(s2, "ben", MADI_OK);
    assert_int_equal(madi_audit_verify(s2, &rep, &err), MADI_OK);
    assert_int_equal(rep.entries, 3);
    assert_int_equal(rep.key_used, 1);
    madi_store_close(s2);
    madi_key_free(k);
    (void)unlink(path);
}

/* Issue #7: a reason says why (3 characters or more), and neither it nor the actor may hold a
 * control character that could fake another line of 'madi audit list'. */
static void test_issue7_reason_and_actor(void **state)
{
    struct madi_store *s = NULL;
    struct madi_err err;
    (void)state;
    assert_int_equal(madi_audit_reason_check("request 12", "--reason", &err), MADI_OK);
    assert_int_equal(madi_audit_reason_check("abc", "--reason", &err), MADI_OK);
    assert_int_equal(madi_audit_reason_check(" a b ", "--reason", &err), MADI_EINVAL);
    assert_non_null(strstr(err.msg, "at least 3 characters"));
    assert_int_equal(madi_audit_reason_check("   ", "--reason", &err), MADI_EINVAL);
    assert_int_equal(madi_audit_reason_check(NULL, "--reason", &err), MADI_EINVAL);
    assert_int_equal(madi_audit_reason_check("ok\n    9  2026 admin", "--reason", &err),
                     MADI_EINVAL);
    assert_non_null(strstr(err.msg, "control character"));
    assert_int_equal(madi_catalog_open_or_create(":memory:", &s, NULL, &err), MADI_OK);
    assert_int_equal(madi_store_begin(s, &err), MADI_OK);
    assert_int_equal(madi_audit_append(s, "ana\rben", "show", "survivor S-1", "check", &err),
                     MADI_EINVAL);
    assert_int_equal(madi_audit_append(s, "ana", "show", "survivor S-1", "a\tb", &err),
                     MADI_EINVAL);
    assert_int_equal(madi_audit_append(s, "ana", "show", "survivor S-1", "check", &err), MADI_OK);
    assert_int_equal(madi_store_commit(s, &err), MADI_OK);
    assert_int_equal(test_query_int(s, "SELECT count(*) FROM audit_log"), 1);
    madi_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_intact),
        cmocka_unit_test(test_altered),
        cmocka_unit_test(test_removed_and_reordered),
        cmocka_unit_test(test_issue7_keyed_chain),
        cmocka_unit_test(test_issue7_reason_and_actor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
