/*
 * auth.h: accounts, roles, passwords, login and sessions, for the server's front door.
 *
 * An account has a name, one role, and (for an operator's data officer) the organisation it
 * speaks for. Passwords are hashed with Argon2id (libsodium crypto_pwhash_str, interactive
 * limits); the hash is all that is stored. Logins are limited: after MADI_AUTH_MAX_FAILS failed
 * attempts in a row an account is locked for MADI_AUTH_LOCK_S seconds, and a failed login says
 * nothing about whether the name exists. A session is a random 256-bit token given to the
 * browser once; only its BLAKE2b hash is stored, with a CSRF token, an idle expiry and an
 * absolute one. Case workers see only the survivors assigned to them (madi_assign_*).
 *
 * Every change to accounts and assignments is audited (audit.h) in the same transaction. Once the
 * centre's key has keyed the audit chain, an entry needs that key on the store
 * (madi_privacy_check gives it): without it such a change is refused, MADI_EDENIED, and nothing
 * is written. Logins, session checks and logouts are not audit entries (they work without the
 * key); their traces are the failure count, the lock and the session table.
 * Times are Unix seconds passed in by the caller (`now`), so tests control the clock.
 * Not thread-safe; one store per thread.
 */
#ifndef MADI_AUTH_H
#define MADI_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "madi/err.h"
#include "madi/store.h"

enum madi_role {
    MADI_ROLE_PUBLIC = 0, /* no account: what the centre publishes */
    MADI_ROLE_OPERATOR,   /* an operator's data officer: own organisation only */
    MADI_ROLE_REVIEWER,   /* the centre's information officer: reviews submissions */
    MADI_ROLE_ANALYST,    /* analyst or gender focal point: aggregates only */
    MADI_ROLE_CASEWORKER, /* victim assistance: the survivors assigned to them */
    MADI_ROLE_ADMIN,      /* accounts and settings (and what a reviewer may do) */
    MADI_ROLE_COUNT
};

/** "public", "operator", "reviewer", "analyst", "caseworker", "admin". */
const char *madi_role_name(enum madi_role r);
/** The role named `s`; -1 when none (public is not an account role: refused too). */
int madi_role_parse(const char *s);

enum { MADI_AUTH_MAX_FAILS = 5, MADI_AUTH_LOCK_S = 15 * 60 };
enum { MADI_SESSION_IDLE_S = 30 * 60, MADI_SESSION_MAX_S = 12 * 60 * 60 };
enum { MADI_PASSWORD_MIN = 12, MADI_PASSWORD_MAX = 128 };

struct madi_user {
    int64_t id;
    char name[65];
    enum madi_role role;
    char org[65]; /* organisation code, "" when the account is not an operator's */
    int disabled;
    int64_t locked_until; /* Unix seconds: locked while now < locked_until */
    char created_at[24];  /* "2026-11-23T10:00:00Z" */
};

/**
 * Create an account. `name`: 2..64 of [a-z0-9._-], unique. An operator needs `org`, the code of
 * an organisation in the register; other roles take none (MADI_EINVAL). The password must be
 * MADI_PASSWORD_MIN..MADI_PASSWORD_MAX bytes and not the name. MADI_ECONFLICT if the name is
 * taken. `actor` is who did it, for the audit log.
 */
int madi_user_add(struct madi_store *s, const char *name, enum madi_role role, const char *org,
                  const char *password, const char *actor, struct madi_err *err);
/** Set a new password (and unlock the account); ends the account's sessions. */
int madi_user_passwd(struct madi_store *s, const char *name, const char *password,
                     const char *actor, struct madi_err *err);
/** Disable (1) or enable (0) an account; disabling ends its sessions. */
int madi_user_disable(struct madi_store *s, const char *name, int disabled, const char *actor,
                      struct madi_err *err);
/** Look up an account by name or id. MADI_ENOTFOUND if none. */
int madi_user_get(struct madi_store *s, const char *name, struct madi_user *out,
                  struct madi_err *err);
int madi_user_get_id(struct madi_store *s, int64_t id, struct madi_user *out, struct madi_err *err);
/** Accounts, by name. */
int madi_user_foreach(struct madi_store *s, void (*fn)(void *ctx, const struct madi_user *u),
                      void *ctx, struct madi_err *err);
/** How many accounts there are (the server's first run tells how to make the first one). */
int madi_user_count(struct madi_store *s, int64_t *n, struct madi_err *err);

/* A session as the server holds it for one request. Tokens are base64url, no padding. */
struct madi_session {
    char token[48]; /* set only by madi_login: the one time the plain token is known */
    char csrf[48];  /* must come back in the X-CSRF-Token header of every state change */
    int64_t expires;
    struct madi_user user;
};

/**
 * Check a name and password; on success start a session (written to the store) and fill *out.
 * MADI_EDENIED for a wrong name or password, a disabled account, or a locked one, with one
 * message for all ("name or password is wrong, or the account is locked"), so the answer does
 * not tell which. A wrong password counts against the account; the lock lifts by itself.
 */
int madi_login(struct madi_store *s, const char *name, const char *password, int64_t now,
               struct madi_session *out, struct madi_err *err);
/**
 * Find the session of `token` and refresh its idle expiry. MADI_EDENIED when unknown, expired
 * (idle or absolute), or its account is disabled. out->token is left empty. The refresh is
 * written at most once a minute (a check within a minute of the last one only reads), so the
 * idle expiry may come up to a minute early, never late; out->expires is what is stored.
 */
int madi_session_check(struct madi_store *s, const char *token, int64_t now,
                       struct madi_session *out, struct madi_err *err);
/** End a session (log out). Unknown tokens are not an error. */
int madi_session_end(struct madi_store *s, const char *token, struct madi_err *err);
/** Constant-time comparison of a CSRF token sent with a request against the session's. */
int madi_csrf_ok(const struct madi_session *se, const char *sent);

/** Assign survivor `survivor_id` to case worker `name` (a caseworker account), or unassign. */
int madi_assign(struct madi_store *s, const char *name, const char *survivor_id, int on,
                const char *actor, struct madi_err *err);
/** 1 when `survivor_id` is assigned to user `user_id`, 0 when not, negative on failure. */
int madi_assigned(struct madi_store *s, int64_t user_id, const char *survivor_id,
                  struct madi_err *err);
/** The survivors assigned to user `user_id`, by survivor_id. */
int madi_assign_foreach(struct madi_store *s, int64_t user_id,
                        void (*fn)(void *ctx, const char *survivor_id), void *ctx,
                        struct madi_err *err);

#endif
