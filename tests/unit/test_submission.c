/*
 * Unit tests for submission.c: an invalid upload keeps its findings at their line and column; a
 * clean one is a draft; submit; approve imports (records, batch linked, uploader recorded);
 * returning needs a comment; the state machine's refusals; identical bytes give the same
 * submission; an operator's upload with another organisation's row is invalid at that cell;
 * a replacement keeps the history; preview leaves the store as it was; an approval that fails
 * at any write leaves the submission submitted and the store unchanged.
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
#include <xlsxwriter.h>

#include "madi/catalog.h"
#include "madi/privacy.h"
#include "madi/store.h"
#include "madi/submission.h"

#include "testutil.h"

static char dir[] = "/tmp/madi-test-submission-XXXXXX";
static int dbno;

#define HEADER "session_id,date,organisation,area,participants,girls,boys,women,men\n"
#define GOOD   HEADER "S-1,2025-03-14,OP-A,XX0101,10,2,3,4,1\nS-2,2025-03-15,OP-A,XX0101,5,1,1,2,1\n"
/* Line 3, column 5: a negative count. */
#define BAD HEADER "S-1,2025-03-14,OP-A,XX0101,10,2,3,4,1\nS-2,2025-03-15,OP-A,XX0101,-5,1,1,2,1\n"
/* Line 3, column 3: another organisation's session. */
#define OTHER HEADER "S-1,2025-03-14,OP-A,XX0101,10,2,3,4,1\nS-2,2025-03-15,OP-B,XX0101,5,1,1,2,1\n"
/* The correction of GOOD: S-2 had 6 participants, and S-3 was missing. */
#define FIXED                                                                              \
    HEADER "S-1,2025-03-14,OP-A,XX0101,10,2,3,4,1\nS-2,2025-03-15,OP-A,XX0101,6,1,2,2,1\n" \
           "S-3,2025-03-16,OP-A,XX0101,8,2,2,2,2\n"

struct ctx {
    struct madi_store *s;
    char diags[4096];
    size_t len;
};

static int group_setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int group_teardown(void **state)
{
    char cmd[128];
    (void)state;
    (void)snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd);
}

/* A fresh database with organisations OP-A, OP-B and three areas (batches 1 and 2). */
static int setup(void **state)
{
    char db[300];
    struct madi_err err;
    int created = 0;
    struct ctx *c = calloc(1, sizeof(*c));
    (void)snprintf(db, sizeof(db), "%s/sub%d.db", dir, ++dbno);
    if (!c || madi_catalog_open_or_create(db, &c->s, &created, &err) != MADI_OK)
        return -1;
    if (test_import_text(c->s, dir, "orgs.csv", "organisation",
                         "code,name\nOP-A,Alpha\nOP-B,Beta\n", NULL, &err) ||
        test_import_text(c->s, dir, "areas.csv", "area",
                         "code,name,level,parent\nXX,Country,0,\nXX01,North,1,XX\nXX0101,Hill,2,"
                         "XX01\n",
                         NULL, &err))
        return -1;
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    struct ctx *c = *state;
    madi_store_close(c->s);
    free(c);
    return 0;
}

static void collect(void *p, const struct madi_diag *d)
{
    struct ctx *c = p;
    int n = snprintf(c->diags + c->len, sizeof(c->diags) - c->len, "%s:%lu:%u:%s:%s:%s\n", d->file,
                     d->line, d->col, d->level == MADI_DIAG_ERROR ? "E" : "W",
                     d->field ? d->field : "-", d->msg);
    if (n > 0 && c->len + (size_t)n < sizeof(c->diags))
        c->len += (size_t)n;
}

/* Upload `csv` as eore-march.csv for organisation `org` (NULL: the centre), replacing `replaces`.
 */
static int upload(struct ctx *c, const char *csv, const char *org, int64_t replaces, int64_t *id,
                  struct madi_import_result *res, struct madi_err *err)
{
    char path[512];
    (void)snprintf(path, sizeof(path), "%s/upload-%d.csv", dir, dbno);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_true(fputs(csv, fp) >= 0);
    assert_int_equal(fclose(fp), 0);
    struct madi_sub_upload u = { 0 };
    u.path = path;
    u.file_name = "eore-march.csv";
    u.org = org;
    u.who = "opa";
    u.replaces = replaces;
    u.kind = "eore";
    u.today = 20261123;
    c->len = 0;
    c->diags[0] = '\0';
    return madi_sub_upload(c->s, &u, collect, c, id, res, err);
}

/* The same upload with the bytes in memory, as the server gives them. */
static int upload_mem(struct ctx *c, const char *csv, const char *org, int64_t *id,
                      struct madi_import_result *res, struct madi_err *err)
{
    struct madi_sub_upload u = { 0 };
    u.data = csv;
    u.len = strlen(csv);
    u.file_name = "eore-march.csv";
    u.org = org;
    u.who = "opa";
    u.kind = "eore";
    u.today = 20261123;
    c->len = 0;
    c->diags[0] = '\0';
    return madi_sub_upload(c->s, &u, collect, c, id, res, err);
}

struct got {
    int state;
    int64_t rows, errors, batch, replaces;
    char org[65], uploaded_by[65], reviewed_by[65], comment[200], kind[32], file[64];
};

static void get_cb(void *ctx, const struct madi_submission *m)
{
    struct got *g = ctx;
    g->state = (int)m->state;
    g->rows = m->rows;
    g->errors = m->errors;
    g->batch = m->batch;
    g->replaces = m->replaces;
    (void)snprintf(g->org, sizeof(g->org), "%s", m->org);
    (void)snprintf(g->uploaded_by, sizeof(g->uploaded_by), "%s", m->uploaded_by);
    (void)snprintf(g->reviewed_by, sizeof(g->reviewed_by), "%s", m->reviewed_by);
    (void)snprintf(g->comment, sizeof(g->comment), "%s", m->comment);
    (void)snprintf(g->kind, sizeof(g->kind), "%s", m->kind);
    (void)snprintf(g->file, sizeof(g->file), "%s", m->file_name);
}

static struct got get(struct ctx *c, int64_t id)
{
    struct got g;
    struct madi_err err;
    memset(&g, 0, sizeof(g));
    g.state = -1;
    assert_int_equal(madi_sub_get(c->s, id, get_cb, &g, &err), MADI_OK);
    return g;
}

static int approve(struct ctx *c, int64_t id, struct madi_import_result *res, struct madi_err *err)
{
    c->len = 0;
    c->diags[0] = '\0';
    return madi_sub_approve(c->s, id, "rev", NULL, NULL, 20261123, collect, c, res, err);
}

static void test_invalid_keeps_findings(void **state)
{
    struct ctx *c = *state;
    struct madi_err err;
    struct madi_import_result res;
    int64_t id = 0;
    assert_int_equal(upload(c, BAD, "OP-A", 0, &id, &res, &err), MADI_OK);
    assert_true(id > 0);
    assert_int_equal(res.errors, 1);
    assert_non_null(strstr(c->diags, "eore-march.csv:3:5:E:participants:"));
    struct got g = get(c, id);
    assert_int_equal(g.state, MADI_SUB_INVALID);
    assert_int_equal(g.rows, 2);
    assert_int_equal(g.errors, 1);
    assert_string_equal(g.org, "OP-A");
    assert_string_equal(g.kind, "eore");
    assert_string_equal(g.file, "eore-march.csv");
    /* The findings are kept, as the upload reported them. */
    char seen[4096];
    memcpy(seen, c->diags, sizeof(seen));
    c->len = 0;
    c->diags[0] = '\0';
    assert_int_equal(madi_sub_diags(c->s, id, collect, c, &err), MADI_OK);
    assert_string_equal(c->diags, seen);
    /* Nothing reached the figures; an invalid one cannot go on. */
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM batch"), 2);
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM eore_session"), 0);
    assert_int_equal(madi_sub_submit(c->s, id, "opa", &err), MADI_ECONFLICT);
    assert_non_null(strstr(err.msg, "has errors"));
    assert_int_equal(madi_sub_get(c->s, id + 1, get_cb, NULL, &err), MADI_ENOTFOUND);
}

static void test_clean_submit_approve(void **state)
{
    struct ctx *c = *state;
    struct madi_err err;
    struct madi_import_result res;
    int64_t id = 0;
    assert_int_equal(upload(c, GOOD, "OP-A", 0, &id, &res, &err), MADI_OK);
    assert_int_equal(res.status, MADI_IMPORT_CHECKED);
    assert_int_equal(get(c, id).state, MADI_SUB_DRAFT);
    assert_int_equal(get(c, id).rows, 2);
    /* A draft is not approved or returned: its organisation submits it first. */
    assert_int_equal(approve(c, id, &res, &err), MADI_ECONFLICT);
    assert_non_null(strstr(err.msg, "draft"));
    assert_int_equal(madi_sub_return(c->s, id, "rev", "no", &err), MADI_ECONFLICT);
    assert_int_equal(madi_sub_submit(c->s, id, "opa", &err), MADI_OK);
    assert_int_equal(get(c, id).state, MADI_SUB_SUBMITTED);
    assert_int_equal(madi_sub_submit(c->s, id, "opa", &err), MADI_ECONFLICT);
    assert_non_null(strstr(err.msg, "already submitted"));
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM eore_session"), 0);
    assert_int_equal(approve(c, id, &res, &err), MADI_OK);
    assert_int_equal(res.status, MADI_IMPORT_STORED);
    assert_int_equal(res.batch, 3);
    assert_int_equal(res.rows, 2);
    struct got g = get(c, id);
    assert_int_equal(g.state, MADI_SUB_APPROVED);
    assert_int_equal(g.batch, 3);
    assert_string_equal(g.reviewed_by, "rev");
    assert_string_equal(g.uploaded_by, "opa");
    /* The records, in a batch linked to the submission, imported by the uploader. */
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM eore_session WHERE batch_id = 3"),
                     2);
    assert_int_equal(test_query_int(c->s, "SELECT submission_id FROM batch WHERE id = 3"), id);
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM batch WHERE id = 3 AND "
                                          "imported_by = 'opa' AND file_name = 'eore-march.csv'"),
                     1);
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM batch WHERE submission_id IS NOT "
                                          "NULL"),
                     1);
    /* Approved data is locked. */
    assert_int_equal(madi_sub_return(c->s, id, "rev", "too late", &err), MADI_ECONFLICT);
    assert_non_null(strstr(err.msg, "approved (batch 3)"));
    assert_int_equal(approve(c, id, &res, &err), MADI_ECONFLICT);
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM audit_log WHERE object LIKE "
                                          "'submission %' AND action IN ('upload', 'submit', "
                                          "'approve')"),
                     3);
}

static void test_return_needs_comment(void **state)
{
    struct ctx *c = *state;
    struct madi_err err;
    struct madi_import_result res;
    int64_t id = 0;
    assert_int_equal(upload(c, GOOD, "OP-A", 0, &id, &res, &err), MADI_OK);
    assert_int_equal(madi_sub_submit(c->s, id, "opa", &err), MADI_OK);
    assert_int_equal(madi_sub_return(c->s, id, "rev", NULL, &err), MADI_EINVAL);
    assert_int_equal(madi_sub_return(c->s, id, "rev", " \t ", &err), MADI_EINVAL);
    assert_non_null(strstr(err.msg, "comment"));
    char big[MADI_SUB_COMMENT_MAX + 2];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(madi_sub_return(c->s, id, "rev", big, &err), MADI_EINVAL);
    assert_int_equal(get(c, id).state, MADI_SUB_SUBMITTED);
    assert_int_equal(madi_sub_return(c->s, id, "rev", "S-2 is dated before the training", &err),
                     MADI_OK);
    struct got g = get(c, id);
    assert_int_equal(g.state, MADI_SUB_RETURNED);
    assert_string_equal(g.comment, "S-2 is dated before the training");
    assert_string_equal(g.reviewed_by, "rev");
    assert_int_equal(approve(c, id, &res, &err), MADI_ECONFLICT);
    assert_non_null(strstr(err.msg, "returned"));
    assert_int_equal(madi_sub_submit(c->s, id, "opa", &err), MADI_ECONFLICT);
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM eore_session"), 0);
}

static void count_cb(void *ctx, const struct madi_submission *m)
{
    (void)m;
    (*(int *)ctx)++;
}

static void test_identical_bytes(void **state)
{
    struct ctx *c = *state;
    struct madi_err err;
    struct madi_import_result res;
    int64_t id = 0, again = 0, centre = 0;
    assert_int_equal(upload(c, GOOD, "OP-A", 0, &id, &res, &err), MADI_OK);
    assert_int_equal(upload(c, GOOD, "op-a", 0, &again, &res, &err), MADI_OK);
    assert_int_equal(again, id);
    /* the same bytes from memory (the server's way) are the same file */
    again = 0;
    assert_int_equal(upload_mem(c, GOOD, "OP-A", &again, &res, &err), MADI_OK);
    assert_int_equal(again, id);
    assert_int_equal(res.rows, 2);
    assert_int_equal(res.rows, 2);
    assert_int_equal(res.status, MADI_IMPORT_CHECKED);
    assert_int_equal(madi_sub_submit(c->s, id, "opa", &err), MADI_OK);
    assert_int_equal(upload(c, GOOD, "OP-A", 0, &again, &res, &err), MADI_OK);
    assert_int_equal(again, id);
    assert_int_equal(get(c, id).state, MADI_SUB_SUBMITTED); /* unchanged */
    /* The same bytes from the centre are the centre's own submission. */
    assert_int_equal(upload(c, GOOD, NULL, 0, &centre, &res, &err), MADI_OK);
    assert_true(centre != id);
    assert_string_equal(get(c, centre).org, "");
    int n = 0;
    assert_int_equal(madi_sub_foreach(c->s, NULL, -1, count_cb, &n, &err), MADI_OK);
    assert_int_equal(n, 2);
    n = 0;
    assert_int_equal(madi_sub_foreach(c->s, "OP-A", MADI_SUB_SUBMITTED, count_cb, &n, &err),
                     MADI_OK);
    assert_int_equal(n, 1);
    n = 0;
    assert_int_equal(madi_sub_foreach(c->s, "OP-B", -1, count_cb, &n, &err), MADI_OK);
    assert_int_equal(n, 0);
    /* Once approved, the same bytes again are already imported: nothing to submit. */
    assert_int_equal(approve(c, id, &res, &err), MADI_OK);
    assert_int_equal(upload(c, GOOD, "OP-A", 0, &again, &res, &err), MADI_OK);
    assert_true(again != id);
    assert_int_equal(get(c, again).state, MADI_SUB_INVALID);
    assert_non_null(strstr(c->diags, "already imported as batch 3"));
    /* And the centre's copy of them can no longer be approved. */
    assert_int_equal(madi_sub_submit(c->s, centre, "centre", &err), MADI_OK);
    assert_int_equal(approve(c, centre, &res, &err), MADI_ECONFLICT);
    assert_int_equal(get(c, centre).state, MADI_SUB_SUBMITTED);
}

static void test_operator_other_org(void **state)
{
    struct ctx *c = *state;
    struct madi_err err;
    struct madi_import_result res;
    int64_t id = 0;
    assert_int_equal(upload(c, OTHER, "OP-A", 0, &id, &res, &err), MADI_OK);
    assert_int_equal(get(c, id).state, MADI_SUB_INVALID);
    assert_int_equal(res.errors, 1);
    assert_non_null(strstr(c->diags, "eore-march.csv:3:3:E:organisation:this row is for "
                                     "organisation 'OP-B'; you can submit only OP-A's records"));
    /* The centre may send any organisation's records. */
    assert_int_equal(upload(c, OTHER, NULL, 0, &id, &res, &err), MADI_OK);
    assert_int_equal(get(c, id).state, MADI_SUB_DRAFT);
    /* An unknown organisation is refused before anything is kept. */
    int64_t before = test_query_int(c->s, "SELECT count(*) FROM submission");
    assert_int_equal(upload(c, GOOD, "OP-Z", 0, &id, &res, &err), MADI_EINVAL);
    assert_int_equal(id, 0);
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM submission"), before);
}

/* Registers without an organisation column are the centre's: an operator's upload is invalid. */
static void test_operator_no_registers(void **state)
{
    struct ctx *c = *state;
    struct madi_err err;
    struct madi_import_result res;
    struct madi_sub_upload u = { 0 };
    char path[512];
    int64_t id = 0;
    (void)snprintf(path, sizeof(path), "%s/areas.csv", dir);
    u.path = path;
    u.org = "OP-A";
    u.who = "opa";
    u.today = 20261123;
    assert_int_equal(madi_sub_upload(c->s, &u, collect, c, &id, &res, &err), MADI_OK);
    assert_int_equal(get(c, id).state, MADI_SUB_INVALID);
    assert_non_null(strstr(c->diags, "area records are the centre's to import"));
    assert_string_equal(get(c, id).file, "areas.csv");
}

/* A register entry of another organisation is not the operator's to update; its own must name
 * it. */
static void test_operator_register_entries(void **state)
{
    struct ctx *c = *state;
    struct madi_err err;
    struct madi_import_result res;
    struct madi_sub_upload u = { 0 };
    char path[512];
    int64_t id = 0;
    assert_int_equal(test_import_text(c->s, dir, "hazards.csv", "hazard",
                                      "code,type,status,area,organisation\n"
                                      "HA-1,CHA,open,XX0101,OP-B\n",
                                      NULL, &err),
                     MADI_OK);
    (void)snprintf(path, sizeof(path), "%s/hazards-a.csv", dir);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_true(fputs("code,type,status,area,organisation\nHA-1,CHA,closed,XX0101,OP-A\n"
                      "HA-2,SHA,open,XX0101,\nHA-3,SHA,open,XX0101,OP-A\n",
                      fp) >= 0);
    assert_int_equal(fclose(fp), 0);
    u.path = path;
    u.org = "OP-A";
    u.who = "opa";
    u.today = 20261123;
    assert_int_equal(madi_sub_upload(c->s, &u, collect, c, &id, &res, &err), MADI_OK);
    assert_int_equal(get(c, id).state, MADI_SUB_INVALID);
    assert_int_equal(res.errors, 2);
    assert_non_null(strstr(c->diags, "hazards-a.csv:2:1:E:code:code 'HA-1' is already registered "
                                     "for OP-B: you can update only OP-A's entries"));
    assert_non_null(strstr(c->diags, "hazards-a.csv:3:5:E:organisation:organisation is blank; "
                                     "you can submit only OP-A's records"));
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM hazard"), 1);
}

static void test_replacement_keeps_history(void **state)
{
    struct ctx *c = *state;
    struct madi_err err;
    struct madi_import_result res;
    int64_t v1 = 0, v2 = 0, other = 0;
    assert_int_equal(upload(c, GOOD, "OP-A", 0, &v1, &res, &err), MADI_OK);
    assert_int_equal(madi_sub_submit(c->s, v1, "opa", &err), MADI_OK);
    assert_int_equal(approve(c, v1, &res, &err), MADI_OK);
    assert_int_equal(res.batch, 3);
    /* Another operator cannot replace OP-A's batch; a batch that is not there cannot be. */
    assert_int_equal(upload(c, FIXED, "OP-B", 3, &other, &res, &err), MADI_EINVAL);
    assert_non_null(strstr(err.msg, "only your own organisation's batches"));
    assert_int_equal(upload(c, FIXED, "OP-A", 99, &other, &res, &err), MADI_EINVAL);
    assert_int_equal(upload(c, FIXED, "OP-A", 3, &v2, &res, &err), MADI_OK);
    assert_int_equal(get(c, v2).state, MADI_SUB_DRAFT);
    assert_int_equal(get(c, v2).replaces, 3);
    assert_int_equal(madi_sub_submit(c->s, v2, "opa", &err), MADI_OK);
    assert_int_equal(approve(c, v2, &res, &err), MADI_OK);
    assert_int_equal(res.batch, 4);
    /* The old batch is kept, replaced; the records are the corrected ones. */
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM batch WHERE id = 3 AND status = "
                                          "'replaced' AND replaced_by = 4 AND submission_id = 1"),
                     1);
    assert_int_equal(test_query_int(c->s, "SELECT submission_id FROM batch WHERE id = 4"), v2);
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM eore_session"), 3);
    assert_int_equal(test_query_int(c->s, "SELECT participants FROM eore_session WHERE session_id "
                                          "= 'S-2'"),
                     6);
    assert_int_equal(get(c, v1).state, MADI_SUB_APPROVED);
    assert_int_equal(get(c, v1).batch, 3);
    /* A replaced batch is not replaced again. */
    assert_int_equal(upload(c, GOOD, "OP-A", 3, &other, &res, &err), MADI_EINVAL);
    assert_non_null(strstr(err.msg, "already replaced"));
}

struct qcount {
    int n, other;
};

static void on_q(void *ctx, const struct madi_qfinding *f)
{
    struct qcount *q = ctx;
    q->n++;
    q->other += strcmp(f->org, "OP-A") != 0 || strcmp(f->kind, "eore") != 0;
}

static void test_preview_changes_nothing(void **state)
{
    struct ctx *c = *state;
    struct madi_err err;
    struct madi_import_result res;
    int64_t id = 0;
    /* S-4 gives a total with no split at all: a consistency finding it would bring. */
    assert_int_equal(upload(c,
                            GOOD "S-3,2025-03-16,OP-A,XX0101,8,2,2,2,2\n"
                                 "S-4,2025-03-17,OP-A,XX0101,40,,,,\n",
                            "OP-A", 0, &id, &res, &err),
                     MADI_OK);
    assert_int_equal(madi_sub_submit(c->s, id, "opa", &err), MADI_OK);
    int64_t fp = test_fingerprint(c->s);
    int64_t audit = test_query_int(c->s, "SELECT count(*) FROM audit_log");
    struct qcount q = { 0, 0 };
    assert_int_equal(madi_sub_preview(c->s, id, NULL, 20261123, &res, on_q, &q, &err), MADI_OK);
    assert_int_equal(res.status, MADI_IMPORT_STORED);
    assert_int_equal(res.rows, 4);
    assert_true(q.n >= 1);
    assert_int_equal(q.other, 0);
    assert_int_equal(test_fingerprint(c->s), fp);
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM audit_log"), audit);
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM eore_session"), 0);
    assert_int_equal(get(c, id).state, MADI_SUB_SUBMITTED);
    /* Once approved, there is nothing to preview. */
    assert_int_equal(approve(c, id, &res, &err), MADI_OK);
    assert_int_equal(madi_sub_preview(c->s, id, NULL, 20261123, &res, on_q, &q, &err),
                     MADI_ECONFLICT);
}

/* An approval that fails at any write: the submission stays submitted, nothing is stored. */
static void test_approve_failure_injection(void **state)
{
    struct ctx *c = *state;
    struct madi_err err;
    struct madi_import_result res;
    int64_t id = 0;
    assert_int_equal(upload(c, GOOD, "OP-A", 0, &id, &res, &err), MADI_OK);
    assert_int_equal(madi_sub_submit(c->s, id, "opa", &err), MADI_OK);
    int64_t fp = test_fingerprint(c->s);
    int64_t audit = test_query_int(c->s, "SELECT count(*) FROM audit_log");
    long n = 1;
    for (;; n++) {
        madi_store_fail_after(c->s, n);
        int rc = approve(c, id, &res, &err);
        madi_store_fail_after(c->s, 0);
        if (rc == MADI_OK)
            break;
        assert_int_equal(rc, MADI_EIO);
        assert_int_equal(get(c, id).state, MADI_SUB_SUBMITTED);
        assert_int_equal(test_fingerprint(c->s), fp);
        assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM audit_log"), audit);
        assert_true(n < 100);
    }
    /* Batch, 2 rows, close, links, state, batch id, audit entry and head: some writes at least. */
    assert_true(n > 6);
    assert_int_equal(get(c, id).state, MADI_SUB_APPROVED);
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM eore_session"), 2);
}

static void write_rows(lxw_worksheet *ws, const char *const *rows)
{
    for (int r = 0; rows[r]; r++) {
        char line[256];
        (void)snprintf(line, sizeof(line), "%s", rows[r]);
        int c = 0;
        for (char *cell = line, *next; cell; cell = next, c++) {
            next = strchr(cell, ',');
            if (next)
                *next++ = '\0';
            if (*cell)
                (void)worksheet_write_string(ws, (lxw_row_t)r, (lxw_col_t)c, cell, NULL);
        }
    }
}

/* A workbook with a sheet per kind: approved as one transaction, every batch linked. */
static void test_workbook_batches_linked(void **state)
{
    struct ctx *c = *state;
    struct madi_err err;
    struct madi_import_result res;
    struct madi_sub_upload u = { 0 };
    char path[512];
    int64_t id = 0;
    static const char *const eore[] = {
        "session_id,date,organisation,area,participants,girls,boys,women,men",
        "S-1,2025-03-14,OP-A,XX0101,10,2,3,4,1",
        NULL,
    };
    static const char *const teams[] = {
        "team_id,organisation,type,members,female,male",
        "T-1,OP-A,nts,4,2,2",
        NULL,
    };
    (void)snprintf(path, sizeof(path), "%s/report.xlsx", dir);
    lxw_workbook *wb = workbook_new(path);
    write_rows(workbook_add_worksheet(wb, "eore"), eore);
    write_rows(workbook_add_worksheet(wb, "survey-team"), teams);
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
    u.path = path;
    u.org = "OP-A";
    u.who = "opa";
    u.today = 20261123;
    assert_int_equal(madi_sub_upload(c->s, &u, collect, c, &id, &res, &err), MADI_OK);
    assert_int_equal(get(c, id).state, MADI_SUB_DRAFT);
    assert_string_equal(get(c, id).kind, "workbook");
    assert_int_equal(madi_sub_submit(c->s, id, "opa", &err), MADI_OK);
    int64_t fp = test_fingerprint(c->s);
    /* A failure in the second sheet (writes: the team's batch, its row, its count; then the
     * sessions' batch) leaves nothing of the first. */
    madi_store_fail_after(c->s, 3);
    assert_int_equal(approve(c, id, &res, &err), MADI_EIO);
    madi_store_fail_after(c->s, 0);
    assert_int_equal(test_fingerprint(c->s), fp);
    assert_int_equal(get(c, id).state, MADI_SUB_SUBMITTED);
    assert_int_equal(approve(c, id, &res, &err), MADI_OK);
    assert_int_equal(res.sheets, 2);
    assert_int_equal(res.batch, 3); /* the register's sheet first */
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM batch WHERE submission_id = 1"), 2);
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM batch WHERE id = 3 AND kind = "
                                          "'survey-team'"),
                     1);
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM eore_session"), 1);
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM survey_team"), 1);
}

/* 1 when `needle` occurs anywhere in the file at `path` (bytes as stored on disk). */
static int file_has(const char *path, const char *needle)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof(buf), f), k = strlen(needle);
    (void)fclose(f);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(buf + i, needle, k) == 0)
            return 1;
    return 0;
}

/* With the centre's key, the kept bytes are encrypted: a survivor's name is nowhere in the
 * database; without the key nothing is kept or approved. */
static void test_personal_content_encrypted(void **state)
{
    struct ctx *c = *state;
    struct madi_err err;
    struct madi_import_result res;
    struct madi_key *k = NULL, *other = NULL;
    struct madi_sub_upload u = { 0 };
    char path[512], db[300];
    int64_t id = 0;
    assert_int_equal(madi_key_generate(&k, &err), MADI_OK);
    assert_int_equal(madi_key_generate(&other, &err), MADI_OK);
    assert_int_equal(madi_privacy_init(c->s, k, "admin", &err), MADI_OK);
    (void)snprintf(path, sizeof(path), "%s/survivors.csv", dir);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_true(fputs("survivor_id,name,organisation,victim_type,sex,age\n"
                      "S-1,Wxqzuly Fenderbrook,OP-A,direct,F,30\n",
                      fp) >= 0);
    assert_int_equal(fclose(fp), 0);
    u.path = path;
    u.org = "OP-A";
    u.who = "opa";
    u.today = 20261123;
    assert_int_equal(madi_sub_upload(c->s, &u, collect, c, &id, &res, &err), MADI_EDENIED);
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM submission"), 0);
    u.key = other;
    assert_int_equal(madi_sub_upload(c->s, &u, collect, c, &id, &res, &err), MADI_EDENIED);
    u.key = k;
    assert_int_equal(madi_sub_upload(c->s, &u, collect, c, &id, &res, &err), MADI_OK);
    assert_int_equal(get(c, id).state, MADI_SUB_DRAFT);
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM submission WHERE content_sealed "
                                          "= 1 AND instr(content, 'Fenderbrook') = 0"),
                     1);
    assert_int_equal(madi_sub_submit(c->s, id, "opa", &err), MADI_OK);
    /* Approving without the key (or with another) fails and changes nothing. */
    assert_int_equal(
            madi_sub_approve(c->s, id, "rev", NULL, NULL, 20261123, NULL, NULL, &res, &err),
            MADI_EDENIED);
    assert_int_equal(
            madi_sub_approve(c->s, id, "rev", NULL, other, 20261123, NULL, NULL, &res, &err),
            MADI_ECRYPTO);
    assert_int_equal(get(c, id).state, MADI_SUB_SUBMITTED);
    assert_int_equal(madi_sub_approve(c->s, id, "rev", NULL, k, 20261123, NULL, NULL, &res, &err),
                     MADI_OK);
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM survivor WHERE survivor_id = "
                                          "'S-1' AND instr(name, 'Fenderbrook') = 0"),
                     1);
    (void)snprintf(db, sizeof(db), "%s/sub%d.db", dir, dbno);
    assert_false(file_has(db, "Fenderbrook"));
    (void)snprintf(db, sizeof(db), "%s/sub%d.db-wal", dir, dbno);
    assert_false(file_has(db, "Fenderbrook"));
    madi_key_free(k);
    madi_key_free(other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_invalid_keeps_findings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clean_submit_approve, setup, teardown),
        cmocka_unit_test_setup_teardown(test_return_needs_comment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_identical_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_operator_other_org, setup, teardown),
        cmocka_unit_test_setup_teardown(test_operator_no_registers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_operator_register_entries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replacement_keeps_history, setup, teardown),
        cmocka_unit_test_setup_teardown(test_preview_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_approve_failure_injection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_personal_content_encrypted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_workbook_batches_linked, setup, teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
