/*
 * auth.c: accounts, passwords, logins, sessions and case assignments (auth.h).
 *
 * Invariants: only an Argon2id hash of a password is stored, and only a BLAKE2b-256 hash of a
 * session token; the plain token exists once, in madi_login's answer. A login costs one Argon2id
 * verification whatever happens (an unknown name verifies against a dummy hash, a locked or
 * disabled account is verified too), so its time does not tell whether the name exists, and
 * every refusal carries the same message. The slow hashing is done outside any transaction so a
 * login never holds the database's write lock while it hashes.
 *
 * Audit: every change to accounts and assignments appends an entry in its own transaction
 * (audit.h). When the centre's key has keyed the audit chain, an append needs that key, so such
 * a change is refused (MADI_EDENIED, with audit.c's message saying where the key goes) rather
 * than made unrecorded: accounts are who may read personal data. The server and the CLI give the
 * store the key when they have it (madi_privacy_check). Logins, session checks and logouts are
 * not audit entries: they must work for every role without the key, and their traces are the
 * account's failure count and lock and the session table (the server's access log has the rest).
 *
 * Sessions expire after MADI_SESSION_IDLE_S without a request and MADI_SESSION_MAX_S after the
 * login in any case. A check refreshes the idle expiry at most once a minute, so that most
 * requests only read the database (the idle expiry may come up to a minute early, never late).
 */
#include "madi/auth.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "madi/audit.h"
#include "madi/dim.h"

#include "auth_int.h"
#include "banned.h"

#define TOKEN_BYTES 32
#define TOKEN_LEN   43 /* base64url of 32 bytes, no padding */
#define REFRESH_S   60
#define USER_COLS \
    "u.id, u.name, u.role, coalesce(o.code, ''), u.disabled, u.locked_until, u.created_at"
#define USER_FROM        " FROM app_user u LEFT JOIN organisation o ON o.id = u.organisation_id "
#define DENIED_MSG       "name or password is wrong, or the account is locked"
#define SESSION_GONE_MSG "the session is unknown or has expired: log in again"

/* Verified against when the name is unknown, so that the answer takes as long as for a real
 * account. Hashes of a password no one uses, with the interactive and the test limits. */
static const char dummy_interactive[crypto_pwhash_STRBYTES] =
        "$argon2id$v=19$m=65536,t=2,p=1$MJmacmRGbVT56goGGz6OLg$"
        "G+BvPowc1HuZ3giHzBP6+4jx4pPaVBZVoIBZqR2q5UU";
static const char dummy_fast[crypto_pwhash_STRBYTES] =
        "$argon2id$v=19$m=8,t=1,p=1$bP1pkpZSwK6Tsep6sMesnA$"
        "M1ruJQQwTNQHnLysWlr80nvgDAgbsb68j8uu7ht8A/8";

static int fast_hash;

void auth_test_fast_hash(int on)
{
    fast_hash = on;
}

static unsigned long long ops_limit(void)
{
    return fast_hash ? crypto_pwhash_OPSLIMIT_MIN : crypto_pwhash_OPSLIMIT_INTERACTIVE;
}

static size_t mem_limit(void)
{
    return fast_hash ? crypto_pwhash_MEMLIMIT_MIN : crypto_pwhash_MEMLIMIT_INTERACTIVE;
}

static const char *const role_names[MADI_ROLE_COUNT] = { "public",  "operator",   "reviewer",
                                                         "analyst", "caseworker", "admin" };

const char *madi_role_name(enum madi_role r)
{
    return (unsigned)r < MADI_ROLE_COUNT ? role_names[r] : "?";
}

int madi_role_parse(const char *s)
{
    for (int r = MADI_ROLE_OPERATOR; s && r < MADI_ROLE_COUNT; r++)
        if (strcmp(s, role_names[r]) == 0)
            return r;
    return -1;
}

static int ready(struct madi_err *err)
{
    return sodium_init() < 0 ? madi_err_set(err, MADI_ECRYPTO, "libsodium could not start")
                             : MADI_OK;
}

static int check_name(const char *name, struct madi_err *err)
{
    size_t n = name ? strlen(name) : 0;
    if (n < 2 || n > 64)
        return madi_err_set(err, MADI_EINVAL,
                            "an account name has 2 to 64 characters: lower-case letters a-z, "
                            "digits, '.', '_' and '-' (e.g. ana.silva)");
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return madi_err_set(err, MADI_EINVAL,
                                "an account name may hold only lower-case letters a-z, digits, "
                                "'.', '_' and '-' (e.g. ana.silva)");
    }
    return MADI_OK;
}

static int same_ignoring_case(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
        char y = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;
        if (x != y)
            return 0;
    }
    return *a == *b;
}

static int check_password(const char *name, const char *pw, struct madi_err *err)
{
    size_t n = pw ? strlen(pw) : 0;
    if (n < MADI_PASSWORD_MIN)
        return madi_err_set(err, MADI_EINVAL,
                            "the password is too short: it needs at least %d characters (a few "
                            "words you will remember make a good one)",
                            MADI_PASSWORD_MIN);
    if (n > MADI_PASSWORD_MAX)
        return madi_err_set(err, MADI_EINVAL, "the password is too long: at most %d characters",
                            MADI_PASSWORD_MAX);
    if (name && same_ignoring_case(name, pw))
        return madi_err_set(err, MADI_EINVAL, "the password must not be the account's name");
    return MADI_OK;
}

static int hash_password(const char *pw, char out[crypto_pwhash_STRBYTES], struct madi_err *err)
{
    if (crypto_pwhash_str(out, pw, strlen(pw), ops_limit(), mem_limit()) != 0)
        return madi_err_set(err, MADI_ECRYPTO,
                            "cannot hash the password: not enough memory for Argon2id (%zu MiB)",
                            mem_limit() >> 20);
    return MADI_OK;
}

/* A new password for account `name`: checked against the policy, then hashed (Argon2id). */
static int new_hash(const char *name, const char *pw, char out[crypto_pwhash_STRBYTES],
                    struct madi_err *err)
{
    int rc = check_password(name, pw, err);
    if (!rc)
        rc = ready(err);
    return rc ? rc : hash_password(pw, out, err);
}

static void fill_user(struct madi_stmt *st, struct madi_user *u)
{
    memset(u, 0, sizeof(*u));
    u->id = madi_stmt_int(st, 0);
    (void)snprintf(u->name, sizeof(u->name), "%s", madi_stmt_text(st, 1));
    int r = madi_role_parse(madi_stmt_text(st, 2));
    u->role = r > 0 ? (enum madi_role)r : MADI_ROLE_PUBLIC;
    (void)snprintf(u->org, sizeof(u->org), "%s", madi_stmt_text(st, 3));
    u->disabled = (int)madi_stmt_int(st, 4);
    u->locked_until = madi_stmt_int(st, 5);
    (void)snprintf(u->created_at, sizeof(u->created_at), "%s", madi_stmt_text(st, 6));
}

/* One statement with one text (or integer) parameter, stepped once: MADI_STMT_ROW (st left
 * open for the caller to read and finalize), MADI_STMT_DONE, or a failure. */
static int query_one(struct madi_store *s, const char *sql, const char *text, int64_t num,
                     struct madi_stmt **st, struct madi_err *err)
{
    int rc = madi_store_prepare(s, sql, st, err);
    if (rc)
        return rc;
    if (text)
        madi_stmt_bind_text(*st, 1, text, strlen(text));
    else
        madi_stmt_bind_int(*st, 1, num);
    rc = madi_stmt_step(*st, err);
    if (rc != MADI_STMT_ROW) {
        madi_stmt_finalize(*st);
        *st = NULL;
    }
    return rc;
}

/* Run a write whose parameters are `n` integers. */
static int run_ints(struct madi_store *s, const char *sql, int n, const int64_t *v,
                    struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    int rc = madi_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    for (int i = 0; i < n; i++)
        madi_stmt_bind_int(st, i + 1, v[i]);
    rc = madi_stmt_step(st, err);
    madi_stmt_finalize(st);
    return rc < 0 ? rc : MADI_OK;
}

/* Run a write whose parameters are a text, then an integer. */
static int run_text_int(struct madi_store *s, const char *sql, const char *t, int64_t i,
                        struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    int rc = madi_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    madi_stmt_bind_text(st, 1, t, strlen(t));
    madi_stmt_bind_int(st, 2, i);
    rc = madi_stmt_step(st, err);
    madi_stmt_finalize(st);
    return rc < 0 ? rc : MADI_OK;
}

int madi_user_get(struct madi_store *s, const char *name, struct madi_user *out,
                  struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    int rc = query_one(s, "SELECT " USER_COLS USER_FROM "WHERE u.name = ?", name ? name : "", 0,
                       &st, err);
    if (rc == MADI_STMT_DONE)
        return madi_err_set(err, MADI_ENOTFOUND, "there is no account '%s' (see 'madi user list')",
                            name ? name : "");
    if (rc < 0)
        return rc;
    fill_user(st, out);
    madi_stmt_finalize(st);
    return MADI_OK;
}

int madi_user_get_id(struct madi_store *s, int64_t id, struct madi_user *out, struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    int rc = query_one(s, "SELECT " USER_COLS USER_FROM "WHERE u.id = ?", NULL, id, &st, err);
    if (rc == MADI_STMT_DONE)
        return madi_err_set(err, MADI_ENOTFOUND, "there is no account number %lld", (long long)id);
    if (rc < 0)
        return rc;
    fill_user(st, out);
    madi_stmt_finalize(st);
    return MADI_OK;
}

int madi_user_foreach(struct madi_store *s, void (*fn)(void *ctx, const struct madi_user *u),
                      void *ctx, struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    struct madi_user u;
    int rc = madi_store_prepare(s, "SELECT " USER_COLS USER_FROM "ORDER BY u.name", &st, err);
    if (rc)
        return rc;
    while ((rc = madi_stmt_step(st, err)) == MADI_STMT_ROW) {
        fill_user(st, &u);
        fn(ctx, &u);
    }
    madi_stmt_finalize(st);
    return rc < 0 ? rc : MADI_OK;
}

int madi_user_count(struct madi_store *s, int64_t *n, struct madi_err *err)
{
    return madi_store_query_int(s, "SELECT count(*) FROM app_user", n, err);
}

/* The row id and code (as registered) of organisation `code`, letter case aside; or
 * MADI_EINVAL. */
static int find_org(struct madi_store *s, const char *code, int64_t *id, char out[65],
                    struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    int rc = query_one(s,
                       "SELECT id, code FROM organisation WHERE code = ? COLLATE NOCASE AND "
                       "provisional = 0",
                       code, 0, &st, err);
    if (rc == MADI_STMT_DONE)
        return madi_err_set(err, MADI_EINVAL,
                            "there is no organisation '%s' in the register (import the "
                            "organisation register first, or check the code)",
                            code);
    if (rc < 0)
        return rc;
    *id = madi_stmt_int(st, 0);
    (void)snprintf(out, 65, "%s", madi_stmt_text(st, 1));
    madi_stmt_finalize(st);
    return MADI_OK;
}

int madi_user_add(struct madi_store *s, const char *name, enum madi_role role, const char *org,
                  const char *password, const char *actor, struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    char hash[crypto_pwhash_STRBYTES], when[24], what[200], code[65] = "";
    int64_t org_id = 0;
    int in_tx = 0;
    int rc = check_name(name, err);
    if (rc)
        return rc;
    if (role <= MADI_ROLE_PUBLIC || role >= MADI_ROLE_COUNT)
        return madi_err_set(err, MADI_EINVAL,
                            "the role must be operator, reviewer, analyst, caseworker or admin");
    if (role == MADI_ROLE_OPERATOR && (!org || !*org))
        return madi_err_set(err, MADI_EINVAL,
                            "an operator's account speaks for one organisation: give its code "
                            "(--org CODE)");
    if (role != MADI_ROLE_OPERATOR && org && *org)
        return madi_err_set(err, MADI_EINVAL,
                            "leave out --org: only an operator's account belongs to an "
                            "organisation, not one with the role %s",
                            madi_role_name(role));
    rc = new_hash(name, password, hash, err);
    if (rc)
        return rc;
    rc = madi_store_begin(s, err);
    if (rc)
        goto done;
    in_tx = 1;
    if (role == MADI_ROLE_OPERATOR) {
        rc = find_org(s, org, &org_id, code, err);
        if (rc)
            goto done;
    }
    madi_now_iso(when);
    rc = madi_store_prepare(s,
                            "INSERT INTO app_user (name, role, organisation_id, password_hash, "
                            "created_at) VALUES (?, ?, ?, ?, ?)",
                            &st, err);
    if (rc)
        goto done;
    madi_stmt_bind_text(st, 1, name, strlen(name));
    madi_stmt_bind_text(st, 2, madi_role_name(role), strlen(madi_role_name(role)));
    if (org_id)
        madi_stmt_bind_int(st, 3, org_id);
    else
        madi_stmt_bind_null(st, 3);
    madi_stmt_bind_text(st, 4, hash, strlen(hash));
    madi_stmt_bind_text(st, 5, when, strlen(when));
    rc = madi_stmt_step(st, err);
    if (rc == MADI_ECONFLICT) {
        rc = madi_err_set(err, MADI_ECONFLICT,
                          "there is already an account named '%s' (choose another name, or set "
                          "its password with 'madi user passwd %s')",
                          name, name);
        goto done;
    }
    if (rc < 0)
        goto done;
    if (org_id)
        (void)snprintf(what, sizeof(what), "user %s (%s of %s)", name, madi_role_name(role), code);
    else
        (void)snprintf(what, sizeof(what), "user %s (%s)", name, madi_role_name(role));
    rc = madi_audit_append(s, actor, "user add", what, NULL, err);
    if (!rc)
        rc = madi_store_commit(s, err);
    if (!rc)
        in_tx = 0;
done:
    madi_stmt_finalize(st);
    if (in_tx)
        madi_store_rollback(s);
    sodium_memzero(hash, sizeof(hash));
    return rc;
}

int madi_user_passwd(struct madi_store *s, const char *name, const char *password,
                     const char *actor, struct madi_err *err)
{
    struct madi_user u;
    struct madi_stmt *st = NULL;
    char hash[crypto_pwhash_STRBYTES], what[120];
    int in_tx = 0;
    int rc = madi_user_get(s, name, &u, err);
    if (!rc)
        rc = new_hash(name, password, hash, err);
    if (rc)
        return rc;
    rc = madi_store_begin(s, err);
    if (rc)
        goto done;
    in_tx = 1;
    rc = madi_store_prepare(s,
                            "UPDATE app_user SET password_hash = ?, failed_count = 0, "
                            "locked_until = 0 WHERE id = ?",
                            &st, err);
    if (rc)
        goto done;
    madi_stmt_bind_text(st, 1, hash, strlen(hash));
    madi_stmt_bind_int(st, 2, u.id);
    rc = madi_stmt_step(st, err);
    if (rc < 0)
        goto done;
    rc = run_ints(s, "DELETE FROM app_session WHERE user_id = ?", 1, &u.id, err);
    if (rc)
        goto done;
    (void)snprintf(what, sizeof(what), "user %s", u.name);
    rc = madi_audit_append(s, actor, "user passwd", what, NULL, err);
    if (!rc)
        rc = madi_store_commit(s, err);
    if (!rc)
        in_tx = 0;
done:
    madi_stmt_finalize(st);
    if (in_tx)
        madi_store_rollback(s);
    sodium_memzero(hash, sizeof(hash));
    return rc;
}

int madi_user_disable(struct madi_store *s, const char *name, int disabled, const char *actor,
                      struct madi_err *err)
{
    struct madi_user u;
    char what[120];
    int rc = madi_user_get(s, name, &u, err);
    disabled = disabled != 0;
    if (rc || u.disabled == disabled)
        return rc; /* already so: nothing to change, nothing to record */
    rc = madi_store_begin(s, err);
    if (rc)
        return rc;
    int64_t v[2] = { disabled, u.id };
    rc = run_ints(s, "UPDATE app_user SET disabled = ? WHERE id = ?", 2, v, err);
    if (!rc && disabled)
        rc = run_ints(s, "DELETE FROM app_session WHERE user_id = ?", 1, &u.id, err);
    (void)snprintf(what, sizeof(what), "user %s", u.name);
    if (!rc)
        rc = madi_audit_append(s, actor, disabled ? "user disable" : "user enable", what, NULL,
                               err);
    if (!rc)
        rc = madi_store_commit(s, err);
    if (rc)
        madi_store_rollback(s);
    return rc;
}

/* ---- sessions ---- */

static void new_token(char out[48])
{
    unsigned char b[TOKEN_BYTES];
    randombytes_buf(b, sizeof(b));
    (void)sodium_bin2base64(out, 48, b, sizeof(b), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(b, sizeof(b));
}

static void token_hash(const char *token, char hex[65])
{
    unsigned char h[32];
    (void)crypto_generichash(h, sizeof(h), (const unsigned char *)token, strlen(token), NULL, 0);
    (void)sodium_bin2hex(hex, 65, h, sizeof(h));
}

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

/* A wrong password: one more failure in a row, and the lock once there are enough. A locked
 * account's count is left alone, so that guessing on cannot lengthen the lock. */
static int count_failure(struct madi_store *s, int64_t id, int64_t now, struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    int rc = madi_store_begin(s, err);
    if (rc)
        return rc;
    rc = madi_store_prepare(s,
                            "UPDATE app_user SET failed_count = CASE WHEN failed_count + 1 >= ?1 "
                            "THEN 0 ELSE failed_count + 1 END, locked_until = CASE WHEN "
                            "failed_count + 1 >= ?1 THEN ?2 ELSE locked_until END WHERE id = ?3 "
                            "AND locked_until <= ?4 AND disabled = 0",
                            &st, err);
    if (!rc) {
        madi_stmt_bind_int(st, 1, MADI_AUTH_MAX_FAILS);
        madi_stmt_bind_int(st, 2, now + MADI_AUTH_LOCK_S);
        madi_stmt_bind_int(st, 3, id);
        madi_stmt_bind_int(st, 4, now);
        rc = madi_stmt_step(st, err);
        rc = rc < 0 ? rc : MADI_OK;
    }
    madi_stmt_finalize(st);
    if (!rc)
        rc = madi_store_commit(s, err);
    if (rc)
        madi_store_rollback(s);
    return rc;
}

/* A right password on an account that may log in: reset the count, store a new hash when the
 * old one was made with weaker limits, and start the session. */
static int start_session(struct madi_store *s, int64_t id, const char *rehash, int64_t now,
                         struct madi_session *out, struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    char th[65];
    int rc = madi_store_begin(s, err);
    if (rc)
        return rc;
    rc = run_ints(s, "UPDATE app_user SET failed_count = 0, locked_until = 0 WHERE id = ?", 1, &id,
                  err);
    if (!rc && rehash)
        rc = run_text_int(s, "UPDATE app_user SET password_hash = ? WHERE id = ?", rehash, id, err);
    /* Sessions past their expiry are of no use to anyone: cleared at each login. */
    if (!rc)
        rc = run_ints(s, "DELETE FROM app_session WHERE expires <= ?", 1, &now, err);
    if (rc)
        goto done;
    new_token(out->token);
    new_token(out->csrf);
    token_hash(out->token, th);
    out->expires = min64(now + MADI_SESSION_IDLE_S, now + MADI_SESSION_MAX_S);
    rc = madi_store_prepare(s,
                            "INSERT INTO app_session (token_hash, user_id, csrf, created, "
                            "last_seen, expires) VALUES (?, ?, ?, ?, ?, ?)",
                            &st, err);
    if (rc)
        goto done;
    madi_stmt_bind_text(st, 1, th, 64);
    madi_stmt_bind_int(st, 2, id);
    madi_stmt_bind_text(st, 3, out->csrf, strlen(out->csrf));
    madi_stmt_bind_int(st, 4, now);
    madi_stmt_bind_int(st, 5, now);
    madi_stmt_bind_int(st, 6, out->expires);
    rc = madi_stmt_step(st, err);
    rc = rc < 0 ? rc : madi_store_commit(s, err);
done:
    madi_stmt_finalize(st);
    if (rc) {
        madi_store_rollback(s);
        sodium_memzero(out, sizeof(*out));
    }
    return rc;
}

int madi_login(struct madi_store *s, const char *name, const char *password, int64_t now,
               struct madi_session *out, struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    char hash[crypto_pwhash_STRBYTES] = "", rehash[crypto_pwhash_STRBYTES];
    int64_t locked_until = 0;
    int disabled = 0, found = 0;
    memset(out, 0, sizeof(*out));
    int rc = ready(err);
    if (rc)
        return rc;
    const char *pw = password ? password : "";
    size_t pn = strlen(pw);
    if (name && strlen(name) <= 64) {
        rc = query_one(s, "SELECT " USER_COLS ", u.password_hash" USER_FROM "WHERE u.name = ?",
                       name, 0, &st, err);
        if (rc < 0)
            return rc;
        if (rc == MADI_STMT_ROW) {
            found = 1;
            fill_user(st, &out->user);
            (void)snprintf(hash, sizeof(hash), "%s", madi_stmt_text(st, 7));
            disabled = out->user.disabled;
            locked_until = out->user.locked_until;
            madi_stmt_finalize(st);
        }
    }
    /* Always one verification, of a real hash or the dummy, of at most MADI_PASSWORD_MAX bytes. */
    int ok = crypto_pwhash_str_verify(found       ? hash
                                      : fast_hash ? dummy_fast
                                                  : dummy_interactive,
                                      pw, pn > MADI_PASSWORD_MAX ? MADI_PASSWORD_MAX : pn) == 0;
    ok = ok && found && pn <= MADI_PASSWORD_MAX;
    if (!found) {
        memset(out, 0, sizeof(*out));
        return madi_err_set(err, MADI_EDENIED, DENIED_MSG);
    }
    if (!ok) {
        int64_t id = out->user.id;
        memset(out, 0, sizeof(*out));
        rc = count_failure(s, id, now, err);
        return rc ? rc : madi_err_set(err, MADI_EDENIED, DENIED_MSG);
    }
    if (disabled || locked_until > now) {
        memset(out, 0, sizeof(*out));
        return madi_err_set(err, MADI_EDENIED, DENIED_MSG);
    }
    int needs = crypto_pwhash_str_needs_rehash(hash, ops_limit(), mem_limit()) != 0;
    if (needs && hash_password(pw, rehash, NULL) != MADI_OK)
        needs = 0; /* keep the old hash: it still verifies */
    rc = start_session(s, out->user.id, needs ? rehash : NULL, now, out, err);
    sodium_memzero(hash, sizeof(hash));
    sodium_memzero(rehash, sizeof(rehash));
    return rc;
}

int madi_session_check(struct madi_store *s, const char *token, int64_t now,
                       struct madi_session *out, struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    char th[65];
    memset(out, 0, sizeof(*out));
    int rc = ready(err);
    if (rc)
        return rc;
    if (!token || strlen(token) != TOKEN_LEN)
        return madi_err_set(err, MADI_EDENIED, SESSION_GONE_MSG);
    token_hash(token, th);
    rc = query_one(s,
                   "SELECT " USER_COLS ", se.id, se.csrf, se.created, se.last_seen, se.expires "
                   "FROM app_session se JOIN app_user u ON u.id = se.user_id LEFT JOIN "
                   "organisation o ON o.id = u.organisation_id WHERE se.token_hash = ?",
                   th, 0, &st, err);
    if (rc == MADI_STMT_DONE)
        return madi_err_set(err, MADI_EDENIED, SESSION_GONE_MSG);
    if (rc < 0)
        return rc;
    fill_user(st, &out->user);
    int64_t sid = madi_stmt_int(st, 7);
    (void)snprintf(out->csrf, sizeof(out->csrf), "%s", madi_stmt_text(st, 8));
    int64_t created = madi_stmt_int(st, 9), last_seen = madi_stmt_int(st, 10);
    int64_t expires = madi_stmt_int(st, 11);
    madi_stmt_finalize(st);
    if (now >= expires || now >= created + MADI_SESSION_MAX_S || out->user.disabled) {
        memset(out, 0, sizeof(*out));
        return madi_err_set(err, MADI_EDENIED, SESSION_GONE_MSG);
    }
    out->expires = expires;
    if (now - last_seen < REFRESH_S)
        return MADI_OK;
    out->expires = min64(now + MADI_SESSION_IDLE_S, created + MADI_SESSION_MAX_S);
    rc = madi_store_begin(s, err);
    if (rc)
        goto fail;
    rc = madi_store_prepare(s, "UPDATE app_session SET last_seen = ?, expires = ? WHERE id = ?",
                            &st, err);
    if (!rc) {
        madi_stmt_bind_int(st, 1, now);
        madi_stmt_bind_int(st, 2, out->expires);
        madi_stmt_bind_int(st, 3, sid);
        rc = madi_stmt_step(st, err);
        rc = rc < 0 ? rc : MADI_OK;
    }
    madi_stmt_finalize(st);
    if (!rc)
        rc = madi_store_commit(s, err);
    if (!rc)
        return MADI_OK;
    madi_store_rollback(s);
fail:
    memset(out, 0, sizeof(*out));
    return rc;
}

int madi_session_end(struct madi_store *s, const char *token, struct madi_err *err)
{
    char th[65];
    if (!token || !*token)
        return MADI_OK;
    int rc = ready(err);
    if (rc)
        return rc;
    token_hash(token, th);
    rc = madi_store_begin(s, err);
    if (rc)
        return rc;
    struct madi_stmt *st = NULL;
    rc = madi_store_prepare(s, "DELETE FROM app_session WHERE token_hash = ?", &st, err);
    if (!rc) {
        madi_stmt_bind_text(st, 1, th, 64);
        rc = madi_stmt_step(st, err);
        rc = rc < 0 ? rc : MADI_OK;
    }
    madi_stmt_finalize(st);
    if (!rc)
        rc = madi_store_commit(s, err);
    if (rc)
        madi_store_rollback(s);
    return rc;
}

int madi_csrf_ok(const struct madi_session *se, const char *sent)
{
    size_t n = strnlen(se->csrf, sizeof(se->csrf));
    if (!sent || !n || n == sizeof(se->csrf) || strlen(sent) != n)
        return 0;
    return sodium_memcmp(sent, se->csrf, n) == 0;
}

/* ---- case assignments ---- */

static int check_survivor_id(const char *id, struct madi_err *err)
{
    size_t n = id ? strlen(id) : 0;
    if (!n || n > 64)
        return madi_err_set(err, MADI_EINVAL, "a survivor id has 1 to 64 characters (e.g. S-12)");
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)id[i] < 0x20 || id[i] == 0x7f)
            return madi_err_set(err, MADI_EINVAL, "a survivor id holds no control characters");
    return MADI_OK;
}

int madi_assign(struct madi_store *s, const char *name, const char *survivor_id, int on,
                const char *actor, struct madi_err *err)
{
    struct madi_user u;
    struct madi_stmt *st = NULL;
    char when[24], what[200];
    int rc = madi_user_get(s, name, &u, err);
    if (!rc)
        rc = check_survivor_id(survivor_id, err);
    if (rc)
        return rc;
    if (u.role != MADI_ROLE_CASEWORKER)
        return madi_err_set(err, MADI_EINVAL,
                            "%s is a%s %s account: survivors are assigned only to case workers "
                            "(role caseworker)",
                            u.name,
                            u.role == MADI_ROLE_OPERATOR || u.role == MADI_ROLE_ANALYST ||
                                            u.role == MADI_ROLE_ADMIN
                                    ? "n"
                                    : "",
                            madi_role_name(u.role));
    rc = madi_store_begin(s, err);
    if (rc)
        return rc;
    int was = madi_assigned(s, u.id, survivor_id, err);
    if (was < 0) {
        rc = was;
        goto done;
    }
    if (on && was)
        goto done; /* already assigned: nothing to change */
    if (!on && !was) {
        rc = madi_err_set(err, MADI_ENOTFOUND, "survivor %s is not assigned to %s", survivor_id,
                          u.name);
        goto done;
    }
    if (on) {
        rc = query_one(s, "SELECT 1 FROM survivor WHERE survivor_id = ?", survivor_id, 0, &st, err);
        madi_stmt_finalize(st);
        st = NULL;
        if (rc == MADI_STMT_DONE) {
            rc = madi_err_set(err, MADI_ENOTFOUND,
                              "there is no survivor %s (see 'madi survivor list')", survivor_id);
            goto done;
        }
        if (rc < 0)
            goto done;
        madi_now_iso(when);
        rc = madi_store_prepare(s,
                                "INSERT INTO case_assignment (user_id, survivor_id, assigned_at, "
                                "assigned_by) VALUES (?, ?, ?, ?)",
                                &st, err);
        if (rc)
            goto done;
        const char *by = actor ? actor : "unknown";
        madi_stmt_bind_int(st, 1, u.id);
        madi_stmt_bind_text(st, 2, survivor_id, strlen(survivor_id));
        madi_stmt_bind_text(st, 3, when, strlen(when));
        madi_stmt_bind_text(st, 4, by, strlen(by));
        rc = madi_stmt_step(st, err);
        rc = rc < 0 ? rc : MADI_OK;
    } else {
        rc = run_text_int(s, "DELETE FROM case_assignment WHERE survivor_id = ? AND user_id = ?",
                          survivor_id, u.id, err);
    }
    if (rc)
        goto done;
    (void)snprintf(what, sizeof(what), "survivor %s to user %s", survivor_id, u.name);
    rc = madi_audit_append(s, actor, on ? "assign" : "unassign", what, NULL, err);
    if (!rc)
        rc = madi_store_commit(s, err);
done:
    madi_stmt_finalize(st);
    madi_store_rollback(s); /* no-op after a commit */
    return rc;
}

int madi_assigned(struct madi_store *s, int64_t user_id, const char *survivor_id,
                  struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    int rc = madi_store_prepare(
            s, "SELECT 1 FROM case_assignment WHERE user_id = ? AND survivor_id = ?", &st, err);
    if (rc)
        return rc;
    madi_stmt_bind_int(st, 1, user_id);
    madi_stmt_bind_text(st, 2, survivor_id ? survivor_id : "",
                        survivor_id ? strlen(survivor_id) : 0);
    rc = madi_stmt_step(st, err);
    madi_stmt_finalize(st);
    return rc < 0 ? rc : rc == MADI_STMT_ROW;
}

int madi_assign_foreach(struct madi_store *s, int64_t user_id,
                        void (*fn)(void *ctx, const char *survivor_id), void *ctx,
                        struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    int rc = madi_store_prepare(
            s, "SELECT survivor_id FROM case_assignment WHERE user_id = ? ORDER BY survivor_id",
            &st, err);
    if (rc)
        return rc;
    madi_stmt_bind_int(st, 1, user_id);
    while ((rc = madi_stmt_step(st, err)) == MADI_STMT_ROW)
        fn(ctx, madi_stmt_text(st, 0));
    madi_stmt_finalize(st);
    return rc < 0 ? rc : MADI_OK;
}
