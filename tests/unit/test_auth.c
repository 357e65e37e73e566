/*
 * Unit tests for auth.c: names, roles and the password policy; wrong passwords, the lockout and
 * its end as time passes; idle and absolute session expiry; disabled accounts; the session token
 * never stored in plain; CSRF comparison; operators need a registered organisation; case
 * assignments; account changes audited, refused on a keyed chain without the key, and whole
 * or not at all under failure injection.
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
#include <sodium.h>

#include "madi/audit.h"
#include "madi/auth.h"
#include "madi/catalog.h"
#include "madi/privacy.h"
#include "madi/store.h"

#include "auth_int.h"
#include "testutil.h"

static char dir[] = "/tmp/madi-test-auth-XXXXXX";
static int dbno;

#define PW     "correct horse battery"
#define PW2    "another long passphrase"
#define DENIED "name or password is wrong, or the account is locked"

static int group_setup(void **state)
{
    (void)state;
    auth_test_fast_hash(1);
    return mkdtemp(dir) && sodium_init() >= 0 ? 0 : -1;
}

static int group_teardown(void **state)
{
    char cmd[128];
    (void)state;
    (void)snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd);
}

/* A fresh database with organisations OP-A and OP-B registered. */
static int setup(void **state)
{
    char db[300];
    struct madi_store *s = NULL;
    struct madi_err err;
    int created = 0;
    (void)snprintf(db, sizeof(db), "%s/auth%d.db", dir, ++dbno);
    if (madi_catalog_open_or_create(db, &s, &created, &err) != MADI_OK)
        return -1;
    if (test_import_text(s, dir, "orgs.csv", "organisation", "code,name\nOP-A,Alpha\nOP-B,Beta\n",
                         NULL, &err) != MADI_OK) {
        madi_store_close(s);
        return -1;
    }
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    madi_store_close(*state);
    return 0;
}

static int64_t audits(struct madi_store *s, const char *action)
{
    char sql[200];
    (void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit_log WHERE action = '%s'", action);
    return test_query_int(s, sql);
}

static void test_roles_and_names(void **state)
{
    struct madi_store *s = *state;
    struct madi_err err;
    assert_string_equal(madi_role_name(MADI_ROLE_CASEWORKER), "caseworker");
    assert_int_equal(madi_role_parse("reviewer"), MADI_ROLE_REVIEWER);
    assert_int_equal(madi_role_parse("admin"), MADI_ROLE_ADMIN);
    assert_int_equal(madi_role_parse("public"), -1); /* no account has it */
    assert_int_equal(madi_role_parse("Admin"), -1);
    assert_int_equal(madi_role_parse(NULL), -1);
    static const char *const bad[] = {
        "a",         "Ana",
        "ana silva", "ana/silva",
        "ana\n",     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", /* 65 */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(madi_user_add(s, bad[i], MADI_ROLE_ANALYST, NULL, PW, "t", &err),
                         MADI_EINVAL);
        assert_non_null(strstr(err.msg, "account name"));
    }
    assert_int_equal(madi_user_add(s, "ana.silva_2-x", MADI_ROLE_ANALYST, NULL, PW, "t", &err),
                     MADI_OK);
    assert_int_equal(madi_user_add(s, "ab", MADI_ROLE_PUBLIC, NULL, PW, "t", &err), MADI_EINVAL);
    assert_int_equal(madi_user_add(s, "ab", MADI_ROLE_COUNT, NULL, PW, "t", &err), MADI_EINVAL);
    assert_int_equal(madi_user_add(s, "ana.silva_2-x", MADI_ROLE_ADMIN, NULL, PW2, "t", &err),
                     MADI_ECONFLICT);
    assert_non_null(strstr(err.msg, "already an account"));
    int64_t n = 0;
    assert_int_equal(madi_user_count(s, &n, &err), MADI_OK);
    assert_int_equal(n, 1);
    assert_int_equal(audits(s, "user add"), 1);
}

static void test_password_policy(void **state)
{
    struct madi_store *s = *state;
    struct madi_err err;
    char long_pw[MADI_PASSWORD_MAX + 2];
    assert_int_equal(madi_user_add(s, "bob", MADI_ROLE_ANALYST, NULL, "elevenchars", "t", &err),
                     MADI_EINVAL);
    assert_non_null(strstr(err.msg, "at least 12"));
    memset(long_pw, 'x', sizeof(long_pw) - 1);
    long_pw[MADI_PASSWORD_MAX + 1] = '\0'; /* 129 bytes */
    assert_int_equal(madi_user_add(s, "bob", MADI_ROLE_ANALYST, NULL, long_pw, "t", &err),
                     MADI_EINVAL);
    assert_non_null(strstr(err.msg, "at most 128"));
    assert_int_equal(
            madi_user_add(s, "reviewer.one", MADI_ROLE_REVIEWER, NULL, "REVIEWER.ONE", "t", &err),
            MADI_EINVAL);
    assert_non_null(strstr(err.msg, "not be the account's name"));
    assert_int_equal(madi_user_add(s, "bob", MADI_ROLE_ANALYST, NULL, NULL, "t", &err),
                     MADI_EINVAL);
    assert_int_equal(test_query_int(s, "SELECT count(*) FROM app_user"), 0);
    long_pw[MADI_PASSWORD_MAX] = '\0'; /* 128 bytes: the longest allowed */
    assert_int_equal(madi_user_add(s, "bob", MADI_ROLE_ANALYST, NULL, long_pw, "t", &err), MADI_OK);
    assert_int_equal(madi_user_add(s, "bea", MADI_ROLE_ANALYST, NULL, "twelve chars", "t", &err),
                     MADI_OK);
    /* Only the Argon2id hash is stored. */
    assert_int_equal(test_query_int(s, "SELECT count(*) FROM app_user WHERE password_hash LIKE "
                                       "'$argon2id$%' AND instr(password_hash, 'twelve') = 0"),
                     2);
}

static void test_operator_needs_org(void **state)
{
    struct madi_store *s = *state;
    struct madi_err err;
    struct madi_user u;
    assert_int_equal(madi_user_add(s, "opa", MADI_ROLE_OPERATOR, NULL, PW, "t", &err), MADI_EINVAL);
    assert_non_null(strstr(err.msg, "--org"));
    assert_int_equal(madi_user_add(s, "opa", MADI_ROLE_OPERATOR, "OP-Z", PW, "t", &err),
                     MADI_EINVAL);
    assert_non_null(strstr(err.msg, "no organisation 'OP-Z'"));
    assert_int_equal(madi_user_add(s, "rev", MADI_ROLE_REVIEWER, "OP-A", PW, "t", &err),
                     MADI_EINVAL);
    assert_int_equal(test_query_int(s, "SELECT count(*) FROM app_user"), 0);
    /* Letter case aside, as the importer matches codes; stored as registered. */
    assert_int_equal(madi_user_add(s, "opa", MADI_ROLE_OPERATOR, "op-a", PW, "admin", &err),
                     MADI_OK);
    assert_int_equal(madi_user_get(s, "opa", &u, &err), MADI_OK);
    assert_int_equal(u.role, MADI_ROLE_OPERATOR);
    assert_string_equal(u.org, "OP-A");
    assert_int_equal(u.disabled, 0);
    assert_int_equal(strlen(u.created_at), 20);
    struct madi_user v;
    assert_int_equal(madi_user_get_id(s, u.id, &v, &err), MADI_OK);
    assert_string_equal(v.name, "opa");
    assert_int_equal(madi_user_get(s, "nobody", &u, &err), MADI_ENOTFOUND);
    assert_int_equal(test_query_int(s, "SELECT count(*) FROM audit_log WHERE action = 'user add' "
                                       "AND actor = 'admin' AND object = 'user opa (operator of "
                                       "OP-A)'"),
                     1);
}

static int64_t user_int(struct madi_store *s, const char *col, const char *name)
{
    char sql[200];
    (void)snprintf(sql, sizeof(sql), "SELECT %s FROM app_user WHERE name = '%s'", col, name);
    return test_query_int(s, sql);
}

static void test_wrong_password_and_lockout(void **state)
{
    struct madi_store *s = *state;
    struct madi_err err, err2;
    struct madi_session se;
    assert_int_equal(madi_user_add(s, "ana", MADI_ROLE_ANALYST, NULL, PW, "t", &err), MADI_OK);
    /* A wrong password and an unknown name: the same refusal, word for word. */
    assert_int_equal(madi_login(s, "ana", "wrong password!", 1000, &se, &err), MADI_EDENIED);
    assert_int_equal(madi_login(s, "nobody", PW, 1000, &se, &err2), MADI_EDENIED);
    assert_string_equal(err.msg, DENIED);
    assert_string_equal(err2.msg, DENIED);
    assert_int_equal(se.token[0], '\0');
    assert_int_equal(user_int(s, "failed_count", "ana"), 1);
    /* A right password resets the count: failures must come in a row. */
    assert_int_equal(madi_login(s, "ana", PW, 1000, &se, &err), MADI_OK);
    assert_int_equal(user_int(s, "failed_count", "ana"), 0);
    for (int i = 0; i < MADI_AUTH_MAX_FAILS - 1; i++)
        assert_int_equal(madi_login(s, "ana", "wrong password!", 1000, &se, &err), MADI_EDENIED);
    assert_int_equal(user_int(s, "locked_until", "ana"), 0);
    assert_int_equal(madi_login(s, "ana", PW, 1001, &se, &err), MADI_OK);
    /* Five in a row lock it until 2000 + 900 = 2900. */
    for (int i = 0; i < MADI_AUTH_MAX_FAILS; i++)
        assert_int_equal(madi_login(s, "ana", "wrong password!", 2000, &se, &err), MADI_EDENIED);
    assert_int_equal(user_int(s, "locked_until", "ana"), 2000 + MADI_AUTH_LOCK_S);
    assert_int_equal(user_int(s, "failed_count", "ana"), 0);
    /* Locked: the right password is refused with the same message, and guessing on does not
     * lengthen the lock. */
    assert_int_equal(madi_login(s, "ana", PW, 2899, &se, &err), MADI_EDENIED);
    assert_string_equal(err.msg, DENIED);
    assert_int_equal(madi_login(s, "ana", "wrong password!", 2500, &se, &err), MADI_EDENIED);
    assert_int_equal(user_int(s, "locked_until", "ana"), 2900);
    struct madi_user u;
    assert_int_equal(madi_user_get(s, "ana", &u, &err), MADI_OK);
    assert_int_equal(u.locked_until, 2900);
    /* The lock lifts by itself. */
    assert_int_equal(madi_login(s, "ana", PW, 2900, &se, &err), MADI_OK);
    assert_string_equal(se.user.name, "ana");
    assert_int_equal(se.user.role, MADI_ROLE_ANALYST);
    assert_int_equal(user_int(s, "locked_until", "ana"), 0);
    /* Logins are not audit entries (they work without the centre's key). */
    assert_int_equal(test_query_int(s, "SELECT count(*) FROM audit_log"), 1);
}

/* The stored hash of a token, computed here as auth.h says: BLAKE2b-256, hex. */
static void hash_hex(const char *token, char hex[65])
{
    unsigned char h[32];
    assert_int_equal(
            crypto_generichash(h, 32, (const unsigned char *)token, strlen(token), NULL, 0), 0);
    (void)sodium_bin2hex(hex, 65, h, 32);
}

static int64_t count_text(struct madi_store *s, const char *sql, const char *a, const char *b)
{
    struct madi_stmt *st = NULL;
    struct madi_err err;
    assert_int_equal(madi_store_prepare(s, sql, &st, &err), MADI_OK);
    madi_stmt_bind_text(st, 1, a, strlen(a));
    if (b)
        madi_stmt_bind_text(st, 2, b, strlen(b));
    assert_int_equal(madi_stmt_step(st, &err), MADI_STMT_ROW);
    int64_t n = madi_stmt_int(st, 0);
    madi_stmt_finalize(st);
    return n;
}

static void test_token_never_stored(void **state)
{
    struct madi_store *s = *state;
    struct madi_err err;
    struct madi_session se, chk;
    char hex[65];
    assert_int_equal(madi_user_add(s, "ana", MADI_ROLE_ANALYST, NULL, PW, "t", &err), MADI_OK);
    assert_int_equal(madi_login(s, "ana", PW, 5000, &se, &err), MADI_OK);
    assert_int_equal(strlen(se.token), 43);
    assert_int_equal(strlen(se.csrf), 43);
    assert_string_not_equal(se.token, se.csrf);
    assert_int_equal(strspn(se.token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                      "0123456789-_"),
                     43);
    /* Not in any column of the session table, nor of the accounts'; the hash is. */
    assert_int_equal(count_text(s,
                                "SELECT count(*) FROM app_session WHERE instr(token_hash, ?1) OR "
                                "instr(csrf, ?1) OR instr(CAST(id AS TEXT), ?1)",
                                se.token, NULL),
                     0);
    assert_int_equal(count_text(s,
                                "SELECT count(*) FROM app_user WHERE instr(password_hash, ?1) OR "
                                "instr(name, ?1)",
                                se.token, NULL),
                     0);
    hash_hex(se.token, hex);
    assert_int_equal(
            count_text(s, "SELECT count(*) FROM app_session WHERE token_hash = ?", hex, NULL), 1);
    assert_int_equal(madi_session_check(s, se.token, 5001, &chk, &err), MADI_OK);
    assert_int_equal(chk.token[0], '\0');
    assert_string_equal(chk.csrf, se.csrf);
    assert_string_equal(chk.user.name, "ana");
    /* A token that differs in one character, or one of another length, is unknown. */
    char other[48];
    memcpy(other, se.token, sizeof(other));
    other[0] = other[0] == 'A' ? 'B' : 'A';
    assert_int_equal(madi_session_check(s, other, 5001, &chk, &err), MADI_EDENIED);
    assert_int_equal(madi_session_check(s, "short", 5001, &chk, &err), MADI_EDENIED);
    assert_int_equal(madi_session_check(s, NULL, 5001, &chk, &err), MADI_EDENIED);
    assert_int_equal(madi_session_check(s, hex, 5001, &chk, &err), MADI_EDENIED);
}

static void test_session_expiry(void **state)
{
    struct madi_store *s = *state;
    struct madi_err err;
    struct madi_session se, chk;
    const int64_t t = 100000;
    assert_int_equal(madi_user_add(s, "ana", MADI_ROLE_ANALYST, NULL, PW, "t", &err), MADI_OK);
    assert_int_equal(madi_login(s, "ana", PW, t, &se, &err), MADI_OK);
    assert_int_equal(se.expires, t + 1800);
    /* A check within a minute of the last one writes nothing. */
    assert_int_equal(madi_session_check(s, se.token, t + 59, &chk, &err), MADI_OK);
    assert_int_equal(chk.expires, t + 1800);
    assert_int_equal(test_query_int(s, "SELECT last_seen FROM app_session"), t);
    /* Later, the idle expiry moves on: 1799 + 1800. */
    assert_int_equal(madi_session_check(s, se.token, t + 1799, &chk, &err), MADI_OK);
    assert_int_equal(chk.expires, t + 3599);
    assert_int_equal(test_query_int(s, "SELECT last_seen FROM app_session"), t + 1799);
    /* Idle for 30 minutes: gone. */
    assert_int_equal(madi_session_check(s, se.token, t + 3599, &chk, &err), MADI_EDENIED);
    assert_non_null(strstr(err.msg, "log in again"));

    /* Absolute: a request every 25 minutes keeps it only to 12 hours after the login. */
    assert_int_equal(madi_login(s, "ana", PW, t, &se, &err), MADI_OK);
    for (int64_t now = t + 1500; now <= t + 42000; now += 1500)
        assert_int_equal(madi_session_check(s, se.token, now, &chk, &err), MADI_OK);
    assert_int_equal(chk.expires, t + 43200); /* min(42000 + 1800, 43200) */
    assert_int_equal(madi_session_check(s, se.token, t + 43199, &chk, &err), MADI_OK);
    assert_int_equal(chk.expires, t + 43200);
    assert_int_equal(madi_session_check(s, se.token, t + 43200, &chk, &err), MADI_EDENIED);

    /* Logging out ends it; an unknown token is no error. Logging in clears expired sessions. */
    assert_int_equal(madi_login(s, "ana", PW, t + 50000, &se, &err), MADI_OK);
    assert_int_equal(test_query_int(s, "SELECT count(*) FROM app_session"), 1);
    assert_int_equal(madi_session_end(s, se.token, &err), MADI_OK);
    assert_int_equal(madi_session_check(s, se.token, t + 50001, &chk, &err), MADI_EDENIED);
    assert_int_equal(madi_session_end(s, se.token, &err), MADI_OK);
    assert_int_equal(madi_session_end(s, NULL, &err), MADI_OK);
    assert_int_equal(test_query_int(s, "SELECT count(*) FROM app_session"), 0);
}

static void test_disabled_and_passwd(void **state)
{
    struct madi_store *s = *state;
    struct madi_err err;
    struct madi_session se, chk;
    struct madi_user u;
    assert_int_equal(madi_user_add(s, "ana", MADI_ROLE_ANALYST, NULL, PW, "t", &err), MADI_OK);
    assert_int_equal(madi_login(s, "ana", PW, 1000, &se, &err), MADI_OK);
    assert_int_equal(madi_user_disable(s, "ana", 1, "admin", &err), MADI_OK);
    assert_int_equal(madi_user_get(s, "ana", &u, &err), MADI_OK);
    assert_int_equal(u.disabled, 1);
    assert_int_equal(test_query_int(s, "SELECT count(*) FROM app_session"), 0);
    assert_int_equal(madi_session_check(s, se.token, 1001, &chk, &err), MADI_EDENIED);
    assert_int_equal(madi_login(s, "ana", PW, 1002, &se, &err), MADI_EDENIED);
    assert_string_equal(err.msg, DENIED);
    assert_int_equal(user_int(s, "failed_count", "ana"), 0); /* not counted while disabled */
    /* Disabling twice changes nothing and records nothing more. */
    assert_int_equal(madi_user_disable(s, "ana", 1, "admin", &err), MADI_OK);
    assert_int_equal(audits(s, "user disable"), 1);
    assert_int_equal(madi_user_disable(s, "ana", 0, "admin", &err), MADI_OK);
    assert_int_equal(audits(s, "user enable"), 1);
    assert_int_equal(madi_login(s, "ana", PW, 1003, &se, &err), MADI_OK);
    assert_int_equal(madi_user_disable(s, "nobody", 1, "admin", &err), MADI_ENOTFOUND);

    /* A new password ends the sessions and lifts a lock. */
    for (int i = 0; i < MADI_AUTH_MAX_FAILS; i++)
        assert_int_equal(madi_login(s, "ana", "wrong password!", 1004, &chk, &err), MADI_EDENIED);
    assert_int_equal(madi_user_passwd(s, "ana", "short", "admin", &err), MADI_EINVAL);
    assert_int_equal(madi_user_passwd(s, "ana", PW2, "admin", &err), MADI_OK);
    assert_int_equal(madi_session_check(s, se.token, 1005, &chk, &err), MADI_EDENIED);
    assert_int_equal(madi_login(s, "ana", PW, 1006, &chk, &err), MADI_EDENIED);
    assert_int_equal(madi_login(s, "ana", PW2, 1006, &chk, &err), MADI_OK);
    assert_int_equal(audits(s, "user passwd"), 1);
    assert_int_equal(madi_user_passwd(s, "nobody", PW2, "admin", &err), MADI_ENOTFOUND);
}

/* A hash made with weaker limits than the current ones is replaced at the next login. */
static void test_rehash_on_login(void **state)
{
    struct madi_store *s = *state;
    struct madi_err err;
    struct madi_session se;
    struct madi_stmt *st = NULL;
    assert_int_equal(madi_user_add(s, "ana", MADI_ROLE_ANALYST, NULL, PW, "t", &err), MADI_OK);
    /* The test limits: "$argon2id$v=19$m=8,t=1,p=1$..." */
    assert_int_equal(test_query_int(s, "SELECT instr(password_hash, 'm=8,') > 0 FROM app_user"), 1);
    auth_test_fast_hash(0);
    assert_int_equal(madi_login(s, "ana", PW, 1000, &se, &err), MADI_OK);
    auth_test_fast_hash(1);
    assert_int_equal(madi_store_prepare(s, "SELECT password_hash FROM app_user", &st, &err),
                     MADI_OK);
    assert_int_equal(madi_stmt_step(st, &err), MADI_STMT_ROW);
    assert_non_null(strstr(madi_stmt_text(st, 0), "m=65536,t=2"));
    madi_stmt_finalize(st);
    assert_int_equal(madi_login(s, "ana", PW, 1001, &se, &err), MADI_OK);
}

static void test_csrf(void **state)
{
    (void)state;
    struct madi_session se;
    memset(&se, 0, sizeof(se));
    assert_int_equal(madi_csrf_ok(&se, ""), 0); /* a session without one accepts nothing */
    (void)snprintf(se.csrf, sizeof(se.csrf), "%s", "q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c");
    assert_int_equal(madi_csrf_ok(&se, "q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c"), 1);
    assert_int_equal(madi_csrf_ok(&se, "q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1d"), 0);
    assert_int_equal(madi_csrf_ok(&se, "Q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c"), 0);
    assert_int_equal(madi_csrf_ok(&se, "q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1"), 0);
    assert_int_equal(madi_csrf_ok(&se, "q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1cc"), 0);
    assert_int_equal(madi_csrf_ok(&se, ""), 0);
    assert_int_equal(madi_csrf_ok(&se, NULL), 0);
}

static void collect_id(void *ctx, const char *id)
{
    char *out = ctx;
    size_t n = strlen(out);
    (void)snprintf(out + n, 128 - n, "%s;", id);
}

static void test_assignments(void **state)
{
    struct madi_store *s = *state;
    struct madi_err err;
    struct madi_user cw;
    char ids[128] = "";
    assert_int_equal(madi_store_exec(s,
                                     "INSERT INTO batch (id, kind, file_name, sha256, imported_at, "
                                     "imported_by, row_count, warning_count, status) VALUES (90, "
                                     "'survivor', 's.csv', 'x', 'now', 't', 2, 0, 'active'); "
                                     "INSERT INTO survivor (batch_id, line, survivor_id, "
                                     "organisation_id, victim_type) SELECT 90, 2, 'S-2', id, 1 "
                                     "FROM organisation WHERE code = 'OP-A'; INSERT INTO "
                                     "survivor (batch_id, line, survivor_id, organisation_id, "
                                     "victim_type) SELECT 90, 3, 'S-1', id, 1 FROM organisation "
                                     "WHERE code = 'OP-A'",
                                     &err),
                     MADI_OK);
    assert_int_equal(madi_user_add(s, "cw", MADI_ROLE_CASEWORKER, NULL, PW, "t", &err), MADI_OK);
    assert_int_equal(madi_user_add(s, "rev", MADI_ROLE_REVIEWER, NULL, PW, "t", &err), MADI_OK);
    assert_int_equal(madi_user_get(s, "cw", &cw, &err), MADI_OK);
    assert_int_equal(madi_assign(s, "rev", "S-1", 1, "admin", &err), MADI_EINVAL);
    assert_non_null(strstr(err.msg, "only to case workers"));
    assert_int_equal(madi_assign(s, "cw", "S-404", 1, "admin", &err), MADI_ENOTFOUND);
    assert_int_equal(madi_assign(s, "cw", "", 1, "admin", &err), MADI_EINVAL);
    assert_int_equal(madi_assign(s, "nobody", "S-1", 1, "admin", &err), MADI_ENOTFOUND);
    assert_int_equal(madi_assigned(s, cw.id, "S-1", &err), 0);
    assert_int_equal(madi_assign(s, "cw", "S-1", 1, "admin", &err), MADI_OK);
    assert_int_equal(madi_assign(s, "cw", "S-2", 1, "admin", &err), MADI_OK);
    assert_int_equal(madi_assign(s, "cw", "S-1", 1, "admin", &err), MADI_OK); /* already */
    assert_int_equal(audits(s, "assign"), 2);
    assert_int_equal(madi_assigned(s, cw.id, "S-1", &err), 1);
    assert_int_equal(madi_assigned(s, cw.id + 1, "S-1", &err), 0);
    assert_int_equal(madi_assign_foreach(s, cw.id, collect_id, ids, &err), MADI_OK);
    assert_string_equal(ids, "S-1;S-2;");
    assert_int_equal(madi_assign(s, "cw", "S-1", 0, "admin", &err), MADI_OK);
    assert_int_equal(madi_assigned(s, cw.id, "S-1", &err), 0);
    assert_int_equal(madi_assign(s, "cw", "S-1", 0, "admin", &err), MADI_ENOTFOUND);
    assert_non_null(strstr(err.msg, "not assigned"));
    assert_int_equal(audits(s, "unassign"), 1);
    assert_int_equal(test_query_int(s, "SELECT count(*) FROM audit_log WHERE object = 'survivor "
                                       "S-1 to user cw' AND actor = 'admin'"),
                     2);
}

/* On a chain keyed with the centre's key, an account change needs the key: refused without it,
 * with nothing written. */
static void test_keyed_audit_needs_key(void **state)
{
    struct madi_store *s = *state;
    struct madi_err err;
    struct madi_key *k = NULL;
    char db[300];
    (void)snprintf(db, sizeof(db), "%s/auth%d.db", dir, dbno);
    assert_int_equal(madi_key_generate(&k, &err), MADI_OK);
    assert_int_equal(madi_privacy_init(s, k, "admin", &err), MADI_OK);
    madi_store_close(s);
    assert_int_equal(madi_store_open(db, 0, &s, &err), MADI_OK);
    *state = s;
    int64_t entries = test_query_int(s, "SELECT count(*) FROM audit_log");
    assert_int_equal(madi_user_add(s, "ana", MADI_ROLE_ANALYST, NULL, PW, "t", &err), MADI_EDENIED);
    assert_non_null(strstr(err.msg, "keyed"));
    assert_int_equal(test_query_int(s, "SELECT count(*) FROM app_user"), 0);
    assert_int_equal(test_query_int(s, "SELECT count(*) FROM audit_log"), entries);
    assert_int_equal(madi_privacy_check(s, k, &err), MADI_OK);
    assert_int_equal(madi_user_add(s, "ana", MADI_ROLE_ANALYST, NULL, PW, "t", &err), MADI_OK);
    struct madi_audit_report rep;
    assert_int_equal(madi_audit_verify(s, &rep, &err), MADI_OK);
    assert_int_equal(rep.first_bad, 0);
    madi_key_free(k);
}

/* A failed write leaves neither the account nor its audit entry. */
static void test_failure_injection(void **state)
{
    struct madi_store *s = *state;
    struct madi_err err;
    for (long n = 1; n <= 3; n++) {
        madi_store_fail_after(s, n);
        int rc = madi_user_add(s, "ana", MADI_ROLE_ANALYST, NULL, PW, "t", &err);
        madi_store_fail_after(s, 0);
        if (rc == MADI_OK) {
            assert_true(n >= 3); /* the insert, the entry and the head: three writes */
            break;
        }
        assert_int_equal(rc, MADI_EIO);
        assert_int_equal(test_query_int(s, "SELECT count(*) FROM app_user"), 0);
        assert_int_equal(test_query_int(s, "SELECT count(*) FROM audit_log"), 0);
    }
    assert_int_equal(test_query_int(s, "SELECT count(*) FROM app_user"), 1);
    assert_int_equal(test_query_int(s, "SELECT count(*) FROM audit_log"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_roles_and_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_password_policy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_operator_needs_org, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_password_and_lockout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_token_never_stored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_expiry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disabled_and_passwd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rehash_on_login, setup, teardown),
        cmocka_unit_test(test_csrf),
        cmocka_unit_test_setup_teardown(test_assignments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keyed_audit_needs_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failure_injection, setup, teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
