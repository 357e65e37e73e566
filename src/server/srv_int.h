/*
 * srv_int.h: what the server's files share: a request as handlers see it, the response they
 * fill, the route table, and the store pool. Not part of the contract (server.h is).
 */
#ifndef MADI_SRV_INT_H
#define MADI_SRV_INT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "madi/auth.h"
#include "madi/err.h"
#include "madi/indicators.h"
#include "madi/server.h"
#include "madi/store.h"

#include "buf.h"

struct srv;

/* Which organisation or case a route's {id} belongs to, checked before the handler runs. */
enum route_scope {
    SC_NONE = 0,
    SC_SUBMISSION, /* {id} is a submission: an operator may touch only their organisation's */
    SC_CASE        /* {id} is a survivor: a case worker may touch only the cases assigned */
};

enum route_flags {
    RF_HIDDEN = 1 << 0,    /* served, but not listed in the OpenAPI document */
    RF_NO_CSRF = 1 << 1,   /* a state change made before there is a session (login) */
    RF_PUBLIC_OPT = 1 << 2 /* public only when the centre turned the public dashboard on */
};

#define ROLE(r)    (1u << (r))
#define R_PUBLIC   ROLE(MADI_ROLE_PUBLIC)
#define R_OPERATOR ROLE(MADI_ROLE_OPERATOR)
#define R_REVIEWER ROLE(MADI_ROLE_REVIEWER)
#define R_ANALYST  ROLE(MADI_ROLE_ANALYST)
#define R_CASE     ROLE(MADI_ROLE_CASEWORKER)
#define R_ADMIN    ROLE(MADI_ROLE_ADMIN)
#define R_STAFF    (R_OPERATOR | R_REVIEWER | R_ANALYST | R_CASE | R_ADMIN)

/* One HTTP request, authenticated and authorised before a handler sees it. */
struct req {
    struct srv *srv;
    void *conn; /* struct MHD_Connection */
    const char *method, *path;
    const char *body;
    size_t len;
    const char *client; /* the peer's address, for limits and the log */
    struct madi_store *s;
    const struct madi_ind_catalogue *cat;
    int authed;             /* 1 with a valid session */
    struct madi_session se; /* when authed */
    enum madi_role role;    /* MADI_ROLE_PUBLIC without a session */
    /* The organisation the request is confined to: an operator's own code, else NULL. */
    const char *org_scope;
    /* Figures go through disclosure control, for years and quarters only: for an operator,
     * whose view also holds the centre's own tables (casualties, victim assistance), which no
     * organisation filter reaches. */
    int figures_public;
    const char *id;         /* the {id} of the path, or NULL */
    char idbuf[96];         /* its storage */
    int64_t now;            /* Unix seconds */
    int32_t today;          /* yyyymmdd */
    const char *set_cookie; /* handlers that log in or out set this */
    char note[96];          /* what the request log should also say (a failed login's name) */
    int64_t stamp;          /* the data's stamp (cache.c), read once: see srv_stamp */
    int stamp_read;
    int preauthed; /* se, authed and role were set when its headers came (http.c) */
    char cookie[160];
};

struct resp {
    int status;
    const char *type; /* Content-Type */
    struct madi_buf body;
    const char *disposition; /* Content-Disposition, or NULL */
    char dispbuf[160];
    const char *csp;      /* overrides the default Content-Security-Policy, or NULL */
    const char *cache;    /* Cache-Control, NULL = no-store */
    const char *etag;     /* ETag, or NULL */
    const char *encoding; /* Content-Encoding, or NULL */
};

typedef void (*handler_fn)(struct req *rq, struct resp *rs);

struct route_param {
    const char *name; /* NULL ends the list */
    const char *doc;
};

struct route {
    const char *method; /* "GET", "POST" */
    const char *path;   /* under /api/v1, with at most one {id}: "/submissions/{id}/approve" */
    unsigned roles;     /* ROLE(r) bits */
    enum route_scope scope;
    unsigned flags;
    handler_fn fn;
    const char *op_id;   /* operationId */
    const char *tag;     /* OpenAPI tag */
    const char *summary; /* one line */
    const char *query;   /* query parameters: "period|area|org", documented in openapi.c */
    const char *body;    /* NULL, "json" (an object, its fields in body_doc) or "file" */
    const char *body_doc;
    const char *produces; /* "application/json" (NULL) or another type */
};

extern const struct route srv_routes[];
extern const size_t srv_nroutes;

/* ---- the server object (http.c) ---- */
struct madi_server_opts;
const struct madi_server_opts *srv_opts(const struct srv *sv);
/* 1 when this client may try to log in now: fewer than 10 failed logins this minute. */
int srv_login_allowed(struct srv *sv, const char *client);
/* The session cookie's name: "__Host-madi_session" over TLS (the browser then keeps it to this
 * host, secure, for path /), else "madi_session". */
const char *srv_cookie_name(const struct srv *sv);
void srv_login_failed(struct srv *sv, const char *client);

/* ---- built reports, kept while the data has not changed (cache.c) ---- */
struct rcache;
struct rc_entry;
struct madi_report;
struct rcache *rcache_new(void);
void rcache_free(struct rcache *c);
struct rcache *srv_rcache(struct srv *sv);
/* The stamp of the data a report is built from; -1 when it cannot be read (then not kept). */
int64_t rcache_stamp(struct madi_store *s);
/* The same for this request, read from the store once however often it is asked. */
int64_t srv_stamp(struct req *rq);
/* The kept entry for key and stamp: *ref is set (release it) when there is one, and its report
 * returned (NULL for an entry kept without a report, holding only what was written). */
const struct madi_report *rcache_get(struct rcache *c, const char *key, int64_t stamp,
                                     struct rc_entry **ref);
/* Keep r (the cache owns it from now on; NULL for an entry of written results only) and
 * return it, referenced in *ref. */
const struct madi_report *rcache_put(struct rcache *c, const char *key, int64_t stamp,
                                     struct madi_report *r, struct rc_entry **ref);
void rcache_release(struct rcache *c, struct rc_entry *e);
/* What was written from a kept report under `name` ("dashboard", "chart:ID"): 1 and a copy in
 * *out (free it), or 0. */
int rcache_blob(struct rcache *c, struct rc_entry *e, const char *name, char **out, size_t *len);
/* Keep what was written (copied); the first one kept under a name stays. */
void rcache_set_blob(struct rcache *c, struct rc_entry *e, const char *name, const char *data,
                     size_t len);

/* ---- dispatch (routes.c): everything between the socket and the handler ---- */
void srv_dispatch(struct req *rq, struct resp *rs);
/* The same decision as srv_dispatch up to the scope of {id}, made when the headers are in and
 * before a body is read: 0 after answering the refusal in rs. */
int srv_preauthorize(struct req *rq, struct resp *rs);

/* ---- responses (resp.c) ---- */
void resp_json(struct resp *rs, int status, json_t *j); /* steals j */
/* {"error":{"code":code,"message":msg}}; findings (stolen, may be NULL) added as "findings". */
void resp_error(struct resp *rs, int status, const char *code, const char *msg, json_t *findings);
/* Map a libmadi return code to a status and a stable code. */
void resp_madi_error(struct resp *rs, int rc, const struct madi_err *err);
void resp_text(struct resp *rs, int status, const char *type, const char *p, size_t n);

/* ---- reading requests (req.c) ---- */
const char *req_query(const struct req *rq, const char *name);
const char *req_header(const struct req *rq, const char *name);
const char *req_cookie(const struct req *rq, const char *name);
/* The body as a JSON object, or NULL after answering 400 itself. */
json_t *req_json(struct req *rq, struct resp *rs);
/* A string member of a JSON body ("" when absent). */
const char *jstr(json_t *o, const char *key);
/* The id as an integer (> 0), or -1. */
int64_t req_id_int(const struct req *rq);

/* A quality finding as JSON (api_sub.c; GET /quality and the preview share it). */
struct madi_qfinding;
json_t *srv_jfinding(const struct madi_qfinding *f);

/* ---- handlers, by file ---- */
void api_login(struct req *, struct resp *);
void api_logout(struct req *, struct resp *);
void api_me(struct req *, struct resp *);
void api_config(struct req *, struct resp *);
void api_openapi(struct req *, struct resp *);
void api_users_list(struct req *, struct resp *);
void api_users_add(struct req *, struct resp *);

void api_sub_list(struct req *, struct resp *);
void api_sub_upload(struct req *, struct resp *);
void api_sub_get(struct req *, struct resp *);
void api_sub_submit(struct req *, struct resp *);
void api_sub_preview(struct req *, struct resp *);
void api_sub_approve(struct req *, struct resp *);
void api_sub_return(struct req *, struct resp *);
void api_batches(struct req *, struct resp *);

void api_dashboard(struct req *, struct resp *);
void api_chart(struct req *, struct resp *);
void api_report(struct req *, struct resp *);
void api_quality(struct req *, struct resp *);
void api_indicators(struct req *, struct resp *);
void api_public_dashboard(struct req *, struct resp *);
void api_public_chart(struct req *, struct resp *);
void api_public_report(struct req *, struct resp *);

void api_cases(struct req *, struct resp *);
void api_referrals(struct req *, struct resp *);
void api_case_open(struct req *, struct resp *);

/* Build and keep the dashboards a visitor is most likely to ask for first (the national one of
 * the latest year, the published one when it is on, and each operator's own), for a request
 * made by the server
 * itself (conn NULL). api_dash.c; the warmer thread of http.c calls it whenever the data
 * changes. */
void srv_warm(struct req *rq);

/* ---- pages and assets (assets.c) ---- */
/* Serve an embedded file for `path` ("/", "/app.js", ...), 304 when `if_none_match` (the
 * header, or NULL) names its ETag, gzip when `accept_encoding` takes it; 0 when there is none. */
int srv_asset(const char *path, const char *if_none_match, const char *accept_encoding,
              struct resp *rs);

/* ---- the OpenAPI document (openapi.c) ---- */
json_t *srv_openapi(void);

#endif
