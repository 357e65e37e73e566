/*
 * api_auth.c: logging in and out, the session's account, the server's configuration, accounts.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "madi/auth.h"
#include "madi/server.h"

#include "banned.h"
#include "srv_int.h"

static json_t *juser(const struct madi_user *u)
{
    return json_pack("{s:s, s:s, s:s, s:b}", "user", u->name, "role", madi_role_name(u->role),
                     "org", u->org, "disabled", u->disabled);
}

static void set_cookie(struct req *rq, const char *token, int max_age)
{
    (void)snprintf(rq->cookie, sizeof(rq->cookie),
                   "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s",
                   srv_cookie_name(rq->srv), token, max_age,
                   srv_opts(rq->srv)->cert ? "; Secure" : "");
    rq->set_cookie = rq->cookie;
}

void api_login(struct req *rq, struct resp *rs)
{
    json_t *j = req_json(rq, rs);
    if (!j)
        return;
    if (!srv_login_allowed(rq->srv, rq->client)) {
        json_decref(j);
        resp_error(rs, 429, "slow_down", "too many failed logins from here: wait a minute", NULL);
        return;
    }
    struct madi_session se;
    struct madi_err err;
    madi_err_clear(&err);
    int rc = madi_login(rq->s, jstr(j, "user"), jstr(j, "password"), rq->now, &se, &err);
    if (rc == MADI_EDENIED) /* for the request log: who was tried (never the password) */
        (void)snprintf(rq->note, sizeof(rq->note), "login failed for %.64s", jstr(j, "user"));
    json_decref(j);
    if (rc) {
        if (rc == MADI_EDENIED) {
            srv_login_failed(rq->srv, rq->client);
            resp_error(rs, 401, "login_failed", err.msg, NULL);
        } else
            resp_madi_error(rs, rc, &err);
        return;
    }
    set_cookie(rq, se.token, MADI_SESSION_MAX_S);
    json_t *u = juser(&se.user);
    json_object_set_new(u, "csrf", json_string(se.csrf));
    resp_json(rs, 200, u);
}

void api_logout(struct req *rq, struct resp *rs)
{
    struct madi_err err;
    const char *tok = req_cookie(rq, srv_cookie_name(rq->srv));
    if (tok)
        (void)madi_session_end(rq->s, tok, &err);
    set_cookie(rq, "", 0);
    resp_json(rs, 200, json_pack("{s:b}", "logged_out", 1));
}

void api_me(struct req *rq, struct resp *rs)
{
    json_t *u = juser(&rq->se.user);
    json_object_set_new(u, "csrf", json_string(rq->se.csrf));
    json_object_set_new(u, "expires", json_integer(rq->se.expires));
    resp_json(rs, 200, u);
}

void api_config(struct req *rq, struct resp *rs)
{
    int64_t n = 0;
    struct madi_err err;
    (void)madi_user_count(rq->s, &n, &err);
    resp_json(rs, 200,
              json_pack("{s:s, s:b, s:[s,s], s:b, s:b}", "version", MADI_VERSION,
                        "public_dashboard", srv_opts(rq->srv)->public_dashboard, "languages", "en",
                        "fr", "accounts", n > 0, "case_key", srv_opts(rq->srv)->key != NULL));
}

static void add_user(void *ctx, const struct madi_user *u)
{
    json_array_append_new(ctx, juser(u));
}

void api_users_list(struct req *rq, struct resp *rs)
{
    json_t *a = json_array();
    struct madi_err err;
    int rc = madi_user_foreach(rq->s, add_user, a, &err);
    if (rc) {
        json_decref(a);
        resp_madi_error(rs, rc, &err);
        return;
    }
    resp_json(rs, 200, json_pack("{s:o}", "users", a));
}

void api_users_add(struct req *rq, struct resp *rs)
{
    json_t *j = req_json(rq, rs);
    if (!j)
        return;
    struct madi_err err;
    madi_err_clear(&err);
    int role = madi_role_parse(jstr(j, "role"));
    int rc = role < 0 ? madi_err_set(&err, MADI_EINVAL,
                                     "role must be operator, reviewer, analyst, caseworker or "
                                     "admin")
                      : madi_user_add(rq->s, jstr(j, "user"), (enum madi_role)role,
                                      *jstr(j, "org") ? jstr(j, "org") : NULL, jstr(j, "password"),
                                      rq->se.user.name, &err);
    struct madi_user u;
    if (!rc)
        rc = madi_user_get(rq->s, jstr(j, "user"), &u, &err);
    json_decref(j);
    if (rc) {
        resp_madi_error(rs, rc, &err);
        return;
    }
    resp_json(rs, 201, juser(&u));
}
