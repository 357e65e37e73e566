/*
 * api_sub.c: the review workflow over HTTP: upload, see the findings, submit, preview,
 * approve or return; and the batches (provenance).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "madi/batch.h"
#include "madi/submission.h"

#include "banned.h"
#include "srv_int.h"

static json_t *jsub(const struct madi_submission *m)
{
    json_t *j =
            json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I}", "id",
                      (json_int_t)m->id, "state", madi_sub_state_name(m->state), "org", m->org,
                      "file", m->file_name, "sha256", m->sha256, "kind", m->kind, "uploaded_by",
                      m->uploaded_by, "uploaded_at", m->uploaded_at, "rows", (json_int_t)m->rows,
                      "errors", (json_int_t)m->errors, "warnings", (json_int_t)m->warnings);
    json_object_set_new(j, "submitted_at", json_string(m->submitted_at));
    json_object_set_new(j, "reviewed_by", json_string(m->reviewed_by));
    json_object_set_new(j, "reviewed_at", json_string(m->reviewed_at));
    json_object_set_new(j, "comment", json_string(m->comment));
    json_object_set_new(j, "replaces", m->replaces ? json_integer(m->replaces) : json_null());
    json_object_set_new(j, "batch", m->batch ? json_integer(m->batch) : json_null());
    return j;
}

static const char *level_name(enum madi_diag_level l)
{
    return l == MADI_DIAG_ERROR ? "error" : l == MADI_DIAG_WARNING ? "warning" : "note";
}

/* A finding as JSON: the same file, sheet, line and column the CLI prints. */
static void add_diag(void *ctx, const struct madi_diag *d)
{
    json_t *j = json_pack("{s:s, s:s, s:I, s:I, s:s}", "level", level_name(d->level), "file",
                          d->file ? d->file : "", "line", (json_int_t)d->line, "col",
                          (json_int_t)d->col, "message", d->msg);
    json_object_set_new(j, "sheet", d->sheet ? json_string(d->sheet) : json_null());
    json_object_set_new(j, "field", d->field ? json_string(d->field) : json_null());
    json_array_append_new(ctx, j);
}

static void add_sub(void *ctx, const struct madi_submission *m)
{
    json_array_append_new(ctx, jsub(m));
}

static void one_sub(void *ctx, const struct madi_submission *m)
{
    json_t **out = ctx;
    *out = jsub(m);
}

void api_sub_list(struct req *rq, struct resp *rs)
{
    const char *st = req_query(rq, "state");
    int state = st ? madi_sub_state_parse(st) : -1;
    if (st && state < 0) {
        resp_error(rs, 400, "invalid",
                   "state must be invalid, draft, submitted, approved or returned", NULL);
        return;
    }
    json_t *a = json_array();
    struct madi_err err;
    int rc = madi_sub_foreach(rq->s, rq->org_scope, state, add_sub, a, &err);
    if (rc) {
        json_decref(a);
        resp_madi_error(rs, rc, &err);
        return;
    }
    resp_json(rs, 200, json_pack("{s:o}", "submissions", a));
}

/* The submission with its findings, as GET /submissions/{id} answers. */
static json_t *sub_with_findings(struct req *rq, int64_t id, struct madi_err *err, int *rc)
{
    json_t *m = NULL;
    *rc = madi_sub_get(rq->s, id, one_sub, &m, err);
    if (*rc)
        return NULL;
    json_t *f = json_array();
    *rc = madi_sub_diags(rq->s, id, add_diag, f, err);
    if (*rc) {
        json_decref(f);
        json_decref(m);
        return NULL;
    }
    return json_pack("{s:o, s:o}", "submission", m, "findings", f);
}

void api_sub_get(struct req *rq, struct resp *rs)
{
    struct madi_err err;
    int rc;
    json_t *j = sub_with_findings(rq, req_id_int(rq), &err, &rc);
    if (!j)
        resp_madi_error(rs, rc, &err);
    else
        resp_json(rs, 200, j);
}

/* The length of the valid UTF-8 sequence at p (1..4), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *p)
{
    size_t n = p[0] < 0x80             ? 1
               : (p[0] & 0xe0) == 0xc0 ? 2
               : (p[0] & 0xf0) == 0xe0 ? 3
               : (p[0] & 0xf8) == 0xf0 ? 4
                                       : 0;
    if (n == 2 && p[0] < 0xc2)
        return 0; /* overlong */
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    return n;
}

/* The name the browser gave the file, reduced to a safe base name: no directories, control
 * characters or bytes that are not UTF-8 (each becomes '_'). */
static void file_name(const char *h, char *out, size_t n)
{
    const char *base = h ? strrchr(h, '/') : NULL;
    base = base ? base + 1 : h;
    const char *bs = base ? strrchr(base, '\\') : NULL;
    base = bs ? bs + 1 : base;
    size_t k = 0;
    for (const unsigned char *p = (const unsigned char *)base; p && *p && k + 5 < n;) {
        size_t m = utf8_len(p);
        if (m == 0 || (m == 1 && (*p < 0x20 || *p == 0x7f))) {
            out[k++] = '_';
            p++;
            continue;
        }
        memcpy(out + k, p, m);
        k += m;
        p += m;
    }
    out[k] = 0;
    if (!k)
        (void)snprintf(out, n, "upload");
}

void api_sub_upload(struct req *rq, struct resp *rs)
{
    char name[128];
    file_name(req_header(rq, "X-File-Name"), name, sizeof(name));
    if (rq->len == 0) {
        resp_error(rs, 400, "empty", "the upload is empty: send the file as the request body",
                   NULL);
        return;
    }
    const char *rep = req_query(rq, "replaces");
    /* The bytes go to the workflow from memory: no copy of them is left on this server's disk
     * (the importer reads one private temporary copy, removed at once: submission.c). */
    struct madi_sub_upload u = {
        .data = rq->body,
        .len = rq->len,
        .file_name = name,
        .org = rq->org_scope,
        .who = rq->se.user.name,
        .replaces = rep ? strtoll(rep, NULL, 10) : 0,
        .kind = req_query(rq, "kind"),
        .sheet = req_query(rq, "sheet"),
        .key = srv_opts(rq->srv)->key,
        .today = rq->today,
    };
    json_t *findings = json_array();
    int64_t id = 0;
    struct madi_import_result res;
    struct madi_err err;
    madi_err_clear(&err);
    int rc = madi_sub_upload(rq->s, &u, add_diag, findings, &id, &res, &err);
    if (rc) {
        json_decref(findings);
        resp_madi_error(rs, rc, &err);
        return;
    }
    json_t *m = NULL;
    rc = madi_sub_get(rq->s, id, one_sub, &m, &err);
    if (rc) {
        json_decref(findings);
        resp_madi_error(rs, rc, &err);
        return;
    }
    if (res.errors) {
        char msg[320];
        (void)snprintf(msg, sizeof(msg),
                       "%lu error%s in %s: fix them in the file and upload it again", res.errors,
                       res.errors == 1 ? "" : "s", name);
        json_t *e = json_pack("{s:s, s:s, s:o}", "code", "rejected", "message", msg, "findings",
                              findings);
        resp_json(rs, 422, json_pack("{s:o, s:o}", "error", e, "submission", m));
        return;
    }
    resp_json(rs, 201, json_pack("{s:o, s:o}", "submission", m, "findings", findings));
}

static void after_change(struct req *rq, struct resp *rs, int rc, struct madi_err *err,
                         json_t *findings)
{
    if (rc) {
        if (rc == MADI_EREJECTED && findings) {
            resp_error(rs, 422, "rejected", err->msg, findings);
            return;
        }
        json_decref(findings);
        resp_madi_error(rs, rc, err);
        return;
    }
    json_decref(findings);
    json_t *j = sub_with_findings(rq, req_id_int(rq), err, &rc);
    if (!j)
        resp_madi_error(rs, rc, err);
    else
        resp_json(rs, 200, j);
}

void api_sub_submit(struct req *rq, struct resp *rs)
{
    struct madi_err err;
    madi_err_clear(&err);
    int rc = madi_sub_submit(rq->s, req_id_int(rq), rq->se.user.name, &err);
    after_change(rq, rs, rc, &err, NULL);
}

void api_sub_approve(struct req *rq, struct resp *rs)
{
    json_t *j = req_json(rq, rs);
    if (!j)
        return;
    struct madi_err err;
    madi_err_clear(&err);
    json_t *findings = json_array();
    struct madi_import_result res;
    int rc = madi_sub_approve(rq->s, req_id_int(rq), rq->se.user.name, jstr(j, "comment"),
                              srv_opts(rq->srv)->key, rq->today, add_diag, findings, &res, &err);
    json_decref(j);
    after_change(rq, rs, rc, &err, findings);
}

void api_sub_return(struct req *rq, struct resp *rs)
{
    json_t *j = req_json(rq, rs);
    if (!j)
        return;
    struct madi_err err;
    madi_err_clear(&err);
    int rc = madi_sub_return(rq->s, req_id_int(rq), rq->se.user.name, jstr(j, "comment"), &err);
    json_decref(j);
    after_change(rq, rs, rc, &err, NULL);
}

static const char *qlevel(enum madi_qlevel l)
{
    return l == MADI_Q_PROBLEM ? "problem" : l == MADI_Q_WARNING ? "warning" : "info";
}

static const char *qcheck(enum madi_qcheck c)
{
    switch (c) {
    case MADI_Q_COMPLETENESS:
        return "completeness";
    case MADI_Q_CONSISTENCY:
        return "consistency";
    case MADI_Q_ZERO_BLANK:
        return "zero_blank";
    case MADI_Q_OUTLIER:
        return "outlier";
    }
    return "?";
}

json_t *srv_jfinding(const struct madi_qfinding *f)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "check", qcheck(f->check), "level",
                     qlevel(f->level), "org", f->org, "kind", f->kind, "record", f->record, "what",
                     f->what, "fix", f->fix);
}

static void add_finding(void *ctx, const struct madi_qfinding *f)
{
    json_array_append_new(ctx, srv_jfinding(f));
}

void api_sub_preview(struct req *rq, struct resp *rs)
{
    struct madi_err err;
    madi_err_clear(&err);
    json_t *q = json_array();
    struct madi_import_result res;
    memset(&res, 0, sizeof(res));
    int rc = madi_sub_preview(rq->s, req_id_int(rq), srv_opts(rq->srv)->key, rq->today, &res,
                              add_finding, q, &err);
    if (rc) {
        json_decref(q);
        resp_madi_error(rs, rc, &err);
        return;
    }
    resp_json(rs, 200,
              json_pack("{s:s, s:I, s:I, s:I, s:I, s:o}", "kind", res.kind ? res.kind : "", "rows",
                        (json_int_t)res.rows, "warnings", (json_int_t)res.warnings, "updated",
                        (json_int_t)res.updated, "sheets", (json_int_t)res.sheets, "quality", q));
}

static void add_batch(void *ctx, const struct madi_batch_info *b)
{
    json_t *j =
            json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s}", "id", (json_int_t)b->id,
                      "kind", b->kind, "file", b->file_name, "sha256", b->sha256, "imported_at",
                      b->imported_at, "imported_by", b->imported_by, "rows", (json_int_t)b->rows,
                      "warnings", (json_int_t)b->warnings, "status", b->status);
    json_object_set_new(j, "replaced_by",
                        b->replaced_by ? json_integer(b->replaced_by) : json_null());
    json_array_append_new(ctx, j);
}

void api_batches(struct req *rq, struct resp *rs)
{
    json_t *a = json_array();
    struct madi_err err;
    int rc = madi_batch_foreach(rq->s, add_batch, a, &err);
    if (rc) {
        json_decref(a);
        resp_madi_error(rs, rc, &err);
        return;
    }
    resp_json(rs, 200, json_pack("{s:o}", "batches", a));
}
