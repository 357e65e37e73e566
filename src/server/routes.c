/*
 * routes.c: the route table, and the one place that decides who may do what.
 *
 * Every API operation is a row below: method, path, the roles allowed, the scope of its {id}
 * (whose submission, whose case) and its handler. srv_dispatch authenticates the session,
 * checks the role, the CSRF token of state changes and the scope, and confines an operator to
 * their organisation (and their figures to disclosure control), before the handler runs;
 * handlers never decide access themselves. The
 * OpenAPI document (openapi.c) is written from this same table, so it cannot drift.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "madi/auth.h"
#include "madi/submission.h"

#include "banned.h"
#include "srv_int.h"

#define FILTERS "period|area|org"

const struct route srv_routes[] = {
    /* ---- session ---- */
    { "POST", "/login", R_PUBLIC, SC_NONE, RF_NO_CSRF, api_login, "login", "session",
      "Log in with a name and password; sets the session cookie and returns the CSRF token", NULL,
      "json", "user|password", NULL },
    { "POST", "/logout", R_STAFF, SC_NONE, 0, api_logout, "logout", "session", "End the session",
      NULL, NULL, NULL, NULL },
    { "GET", "/me", R_STAFF, SC_NONE, 0, api_me, "me", "session",
      "The account of the session: role, organisation, CSRF token", NULL, NULL, NULL, NULL },
    { "GET", "/config", R_PUBLIC, SC_NONE, 0, api_config, "config", "session",
      "What this server offers: languages, whether the public dashboard is on, first run", NULL,
      NULL, NULL, NULL },
    { "GET", "/openapi.json", R_PUBLIC, SC_NONE, RF_HIDDEN, api_openapi, "openapi", "session",
      "This document", NULL, NULL, NULL, NULL },
    /* ---- accounts ---- */
    { "GET", "/users", R_ADMIN, SC_NONE, 0, api_users_list, "listUsers", "accounts",
      "Every account, with role and organisation", NULL, NULL, NULL, NULL },
    { "POST", "/users", R_ADMIN, SC_NONE, 0, api_users_add, "addUser", "accounts",
      "Create an account", NULL, "json", "user|role|org|password", NULL },
    /* ---- submissions: the review workflow ---- */
    { "GET", "/submissions", R_OPERATOR | R_REVIEWER | R_ADMIN, SC_NONE, 0, api_sub_list,
      "listSubmissions", "submissions",
      "Submissions, newest first (an operator sees their organisation's only)", "state", NULL, NULL,
      NULL },
    { "POST", "/submissions", R_OPERATOR | R_REVIEWER | R_ADMIN, SC_NONE, 0, api_sub_upload,
      "uploadSubmission", "submissions",
      "Upload a file (the request body; its name in X-File-Name): it is checked as an import "
      "and kept as a draft, or as invalid with every finding at its row and column",
      "replaces|kind|sheet", "file", NULL, NULL },
    { "GET", "/submissions/{id}", R_OPERATOR | R_REVIEWER | R_ADMIN, SC_SUBMISSION, 0, api_sub_get,
      "getSubmission", "submissions", "One submission with its findings", NULL, NULL, NULL, NULL },
    { "POST", "/submissions/{id}/submit", R_OPERATOR | R_REVIEWER | R_ADMIN, SC_SUBMISSION, 0,
      api_sub_submit, "submitSubmission", "submissions", "Send a draft to the centre for review",
      NULL, NULL, NULL, NULL },
    { "GET", "/submissions/{id}/preview", R_REVIEWER | R_ADMIN, SC_SUBMISSION, 0, api_sub_preview,
      "previewSubmission", "submissions",
      "What approving would add, and what the quality checks would find", NULL, NULL, NULL, NULL },
    { "POST", "/submissions/{id}/approve", R_REVIEWER | R_ADMIN, SC_SUBMISSION, 0, api_sub_approve,
      "approveSubmission", "submissions",
      "Approve: the file is imported and its figures count from now on", NULL, "json", "comment",
      NULL },
    { "POST", "/submissions/{id}/return", R_REVIEWER | R_ADMIN, SC_SUBMISSION, 0, api_sub_return,
      "returnSubmission", "submissions", "Return to the operator with a comment saying what to fix",
      NULL, "json", "comment", NULL },
    { "GET", "/batches", R_REVIEWER | R_ANALYST | R_ADMIN, SC_NONE, 0, api_batches, "listBatches",
      "submissions", "Every import batch (provenance), active and replaced", NULL, NULL, NULL,
      NULL },
    /* ---- figures ---- */
    { "GET", "/dashboard", R_OPERATOR | R_REVIEWER | R_ANALYST | R_ADMIN, SC_NONE, 0, api_dashboard,
      "dashboard", "figures",
      "Key indicators against targets, tables and the WPS scorecard for a period, area and "
      "operator (an operator sees their organisation's)",
      FILTERS, NULL, NULL, NULL },
    { "GET", "/dashboard/chart", R_OPERATOR | R_REVIEWER | R_ANALYST | R_ADMIN, SC_NONE, 0,
      api_chart, "dashboardChart", "figures",
      "The SVG chart of one dashboard table or key indicator", FILTERS "|chart", NULL, NULL,
      "image/svg+xml" },
    { "GET", "/report", R_OPERATOR | R_REVIEWER | R_ANALYST | R_ADMIN, SC_NONE, 0, api_report,
      "report", "figures", "The period's report as a file, in any format",
      FILTERS "|format|audience", NULL, NULL, "application/octet-stream" },
    { "GET", "/indicators", R_REVIEWER | R_ANALYST | R_ADMIN, SC_NONE, 0, api_indicators,
      "indicators", "figures",
      "Indicators for a period, area and operator, split by up to 3 groups (by=sex,age,"
      "disability, displacement, minority, operator, area...), with coverage and flags",
      FILTERS "|by|id", NULL, NULL, NULL },
    { "GET", "/quality", R_OPERATOR | R_REVIEWER | R_ANALYST | R_ADMIN, SC_NONE, 0, api_quality,
      "quality", "figures", "Data-quality findings per operator (an operator sees their own)",
      "period|org", NULL, NULL, NULL },
    /* ---- published: no login, only when the centre turns it on ---- */
    { "GET", "/public/dashboard", R_PUBLIC, SC_NONE, RF_PUBLIC_OPT, api_public_dashboard,
      "publicDashboard", "public",
      "The published dashboard: every figure through disclosure control", "period", NULL, NULL,
      NULL },
    { "GET", "/public/chart", R_PUBLIC, SC_NONE, RF_PUBLIC_OPT, api_public_chart, "publicChart",
      "public", "A chart of the published dashboard", "period|chart", NULL, NULL, "image/svg+xml" },
    { "GET", "/public/report", R_PUBLIC, SC_NONE, RF_PUBLIC_OPT, api_public_report, "publicReport",
      "public", "The published report as a file", "period|format", NULL, NULL,
      "application/octet-stream" },
    /* ---- victim assistance: the case worker's own cases ---- */
    { "GET", "/cases", R_CASE, SC_NONE, 0, api_cases, "listCases", "cases",
      "The survivors assigned to me, by pseudonym (no name or contact; each listing audited)", NULL,
      NULL, NULL, NULL },
    { "GET", "/referrals", R_CASE, SC_NONE, 0, api_referrals, "listReferrals", "cases",
      "The referrals of my cases, overdue first (each listing audited)", NULL, NULL, NULL, NULL },
    { "POST", "/cases/{id}/open", R_CASE, SC_CASE, 0, api_case_open, "openCase", "cases",
      "Open one survivor's personal record, giving a reason (audited before anything is shown)",
      NULL, "json", "reason", NULL },
};
const size_t srv_nroutes = sizeof(srv_routes) / sizeof(srv_routes[0]);

/* Match `path` (under /api/v1) against a route's pattern; the {id} segment goes to rq. */
static int match(const char *pat, const char *path, struct req *rq)
{
    while (*pat && *path) {
        if (strncmp(pat, "{id}", 4) == 0) {
            size_t n = strcspn(path, "/");
            if (n == 0 || n >= sizeof(rq->idbuf))
                return 0;
            memcpy(rq->idbuf, path, n);
            rq->idbuf[n] = 0;
            rq->id = rq->idbuf;
            pat += 4;
            path += n;
            continue;
        }
        if (*pat != *path)
            return 0;
        pat++;
        path++;
    }
    return *pat == 0 && *path == 0;
}

/* An operator may see a submission only when it speaks for their organisation. */
struct owner {
    const char *org;
    int mine;
};

static void sub_owner(void *ctx, const struct madi_submission *m)
{
    struct owner *o = ctx;
    o->mine = strcmp(m->org, o->org) == 0;
}

/* 1 when the {id} of the route is within what this user may touch. */
static int in_scope(const struct route *rt, struct req *rq)
{
    struct madi_err err;
    if (rt->scope == SC_SUBMISSION) {
        int64_t id = req_id_int(rq);
        if (id <= 0)
            return 0;
        if (rq->role != MADI_ROLE_OPERATOR)
            return 1;
        struct owner o = { rq->se.user.org, 0 };
        return madi_sub_get(rq->s, id, sub_owner, &o, &err) == MADI_OK && o.mine;
    }
    if (rt->scope == SC_CASE)
        return madi_assigned(rq->s, rq->se.user.id, rq->id, &err) == 1;
    return 1;
}

static void authenticate(struct req *rq)
{
    const char *tok = req_cookie(rq, srv_cookie_name(rq->srv));
    struct madi_err err;
    rq->authed = 0;
    rq->role = MADI_ROLE_PUBLIC;
    if (tok && madi_session_check(rq->s, tok, rq->now, &rq->se, &err) == MADI_OK) {
        rq->authed = 1;
        rq->role = rq->se.user.role;
    }
}

/*
 * Find the route and decide who may call it: the session, the role, the CSRF token of a
 * change. NULL after answering the refusal in rs.
 */
static const struct route *authorize(struct req *rq, struct resp *rs)
{
    const struct route *rt = NULL;
    int path_known = 0;
    const char *p = rq->path + strlen("/api/v1");
    for (size_t i = 0; i < srv_nroutes && !rt; i++) {
        rq->id = NULL;
        if (!match(srv_routes[i].path, p, rq))
            continue;
        path_known = 1;
        if (strcmp(srv_routes[i].method, rq->method) == 0)
            rt = &srv_routes[i];
    }
    if (!rt) {
        if (path_known)
            resp_error(rs, 405, "method_not_allowed", "this operation does not take that method",
                       NULL);
        else
            resp_error(rs, 404, "not_found",
                       "there is no such operation (see /api/v1/openapi.json)", NULL);
        return NULL;
    }
    if (!rq->preauthed) /* else done when its headers came, before its body was read */
        authenticate(rq);
    if (rt->roles & R_PUBLIC) {
        if ((rt->flags & RF_PUBLIC_OPT) && !srv_opts(rq->srv)->public_dashboard && !rq->authed) {
            resp_error(rs, 404, "not_published",
                       "the centre has not turned the public dashboard on", NULL);
            return NULL;
        }
    } else if (!rq->authed) {
        resp_error(rs, 401, "login_required", "log in first (POST /api/v1/login)", NULL);
        return NULL;
    } else if (!(rt->roles & ROLE(rq->role))) {
        resp_error(rs, 403, "forbidden", "your role does not allow this", NULL);
        return NULL;
    }
    if (strcmp(rq->method, "GET") != 0 && rq->authed && !(rt->flags & RF_NO_CSRF) &&
        !madi_csrf_ok(&rq->se, req_header(rq, "X-CSRF-Token"))) {
        resp_error(rs, 403, "csrf",
                   "the request did not carry this session's CSRF token (reload the page)", NULL);
        return NULL;
    }
    return rt;
}

int srv_preauthorize(struct req *rq, struct resp *rs)
{
    return authorize(rq, rs) != NULL;
}

void srv_dispatch(struct req *rq, struct resp *rs)
{
    const struct route *rt = authorize(rq, rs);
    if (!rt)
        return;
    if (!in_scope(rt, rq)) {
        /* Not 403: whether someone else's submission or case exists is not for them to know. */
        resp_error(rs, 404, "not_found", "there is no such record you may see", NULL);
        return;
    }
    rq->org_scope = rq->authed && rq->role == MADI_ROLE_OPERATOR ? rq->se.user.org : NULL;
    rq->figures_public = rq->org_scope != NULL;
    rt->fn(rq, rs);
}
