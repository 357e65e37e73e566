/*
 * api_va.c: the victim assistance case worker's view: their cases (by pseudonym), the
 * referrals of those cases with the overdue first, and opening one record, with a reason,
 * audited before anything is shown (survivor.h holds the same rules as the CLI).
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "madi/audit.h"
#include "madi/survivor.h"

#include "banned.h"
#include "srv_int.h"
#include "xalloc.h"

/* The survivor ids assigned to the session's case worker, sorted for bsearch. */
struct mine {
    char **ids;
    size_t n, cap;
};

static void add_id(void *ctx, const char *id)
{
    struct mine *m = ctx;
    if (m->n == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 16;
        m->ids = xrealloc(m->ids, m->cap * sizeof(*m->ids));
    }
    m->ids[m->n++] = xstrdup(id);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_mine(const struct mine *m, const char *id)
{
    return m->n && bsearch(&id, m->ids, m->n, sizeof(*m->ids), cmp_str) != NULL;
}

static void free_mine(struct mine *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->ids[i]);
    free(m->ids);
}

static int load_mine(struct req *rq, struct resp *rs, struct mine *m)
{
    struct madi_err err;
    memset(m, 0, sizeof(*m));
    int rc = madi_assign_foreach(rq->s, rq->se.user.id, add_id, m, &err);
    if (rc) {
        free_mine(m);
        resp_madi_error(rs, rc, &err);
        return rc;
    }
    qsort(m->ids, m->n, sizeof(*m->ids), cmp_str);
    return 0;
}

struct cases {
    const struct mine *m;
    json_t *a;
};

/* A case worker's lists are about real people (sex, age, injury date by survivor id): each
 * showing is written to the audit log first, and nothing is shown if it cannot be. */
static int audit_list(struct req *rq, struct resp *rs, const char *what)
{
    struct madi_err err;
    madi_err_clear(&err);
    int rc = madi_store_begin(rq->s, &err);
    if (!rc)
        rc = madi_audit_append(rq->s, rq->se.user.name, "list", what, "case worker's own cases",
                               &err);
    if (!rc)
        rc = madi_store_commit(rq->s, &err);
    if (rc) {
        madi_store_rollback(rq->s);
        resp_madi_error(rs, rc, &err);
    }
    return rc;
}

static void add_case(void *ctx, const struct madi_survivor_row *r)
{
    struct cases *c = ctx;
    if (!is_mine(c->m, r->survivor_id))
        return;
    char key[17] = "";
    if (r->person_key)
        (void)snprintf(key, sizeof(key), "%016llx", (unsigned long long)r->person_key);
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:b}", "survivor_id",
                          r->survivor_id, "person_key", key, "organisation", r->organisation,
                          "victim_type", r->victim_type, "outcome", r->outcome, "sex", r->sex,
                          "disability", r->disability, "age_band", r->age_band, "needs", r->needs,
                          "unmet", r->unmet, "erased", r->erased);
    json_object_set_new(j, "age", r->age >= 0 ? json_integer(r->age) : json_null());
    json_object_set_new(j, "date_of_injury",
                        r->date_of_injury ? json_integer(r->date_of_injury) : json_null());
    json_array_append_new(c->a, j);
}

void api_cases(struct req *rq, struct resp *rs)
{
    struct mine m;
    if (audit_list(rq, rs, "cases") || load_mine(rq, rs, &m))
        return;
    struct cases c = { &m, json_array() };
    struct madi_err err;
    int rc = madi_survivor_list(rq->s, add_case, &c, &err);
    free_mine(&m);
    if (rc) {
        json_decref(c.a);
        resp_madi_error(rs, rc, &err);
        return;
    }
    resp_json(rs, 200, json_pack("{s:o}", "cases", c.a));
}

static void add_referral(void *ctx, const struct madi_referral_row *r)
{
    struct cases *c = ctx;
    if (!is_mine(c->m, r->survivor_id))
        return;
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i}", "referral_id",
                          r->referral_id, "survivor_id", r->survivor_id, "need_id", r->need_id,
                          "from", r->from, "to_provider", r->to_provider, "provider_type",
                          r->provider_type, "status", r->status, "outcome", r->outcome, "element",
                          r->element, "days_overdue", r->days_overdue);
    json_object_set_new(j, "date_referred",
                        r->date_referred ? json_integer(r->date_referred) : json_null());
    json_object_set_new(j, "due_date", r->due_date ? json_integer(r->due_date) : json_null());
    json_object_set_new(j, "outcome_date",
                        r->outcome_date ? json_integer(r->outcome_date) : json_null());
    json_array_append_new(c->a, j);
}

static int overdue_first(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    json_int_t dx = json_integer_value(json_object_get(x, "days_overdue"));
    json_int_t dy = json_integer_value(json_object_get(y, "days_overdue"));
    if (dx != dy)
        return dx > dy ? -1 : 1;
    json_int_t ux = json_integer_value(json_object_get(x, "due_date"));
    json_int_t uy = json_integer_value(json_object_get(y, "due_date"));
    return ux < uy ? -1 : ux > uy;
}

void api_referrals(struct req *rq, struct resp *rs)
{
    struct mine m;
    if (audit_list(rq, rs, "referrals") || load_mine(rq, rs, &m))
        return;
    struct cases c = { &m, json_array() };
    struct madi_err err;
    int rc = madi_referrals_list(rq->s, rq->today, 0, NULL, add_referral, &c, &err);
    free_mine(&m);
    if (rc) {
        json_decref(c.a);
        resp_madi_error(rs, rc, &err);
        return;
    }
    size_t n = json_array_size(c.a);
    json_t **v = xcalloc(n ? n : 1, sizeof(*v));
    for (size_t i = 0; i < n; i++)
        v[i] = json_incref(json_array_get(c.a, i));
    qsort(v, n, sizeof(*v), overdue_first);
    json_t *sorted = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(sorted, v[i]);
    free(v);
    json_decref(c.a);
    resp_json(rs, 200, json_pack("{s:o}", "referrals", sorted));
}

static void add_field(void *ctx, const char *field, const char *value)
{
    json_array_append_new(ctx, json_pack("{s:s, s:s}", "field", field, "value", value));
}

void api_case_open(struct req *rq, struct resp *rs)
{
    json_t *j = req_json(rq, rs);
    if (!j)
        return;
    struct madi_err err;
    madi_err_clear(&err);
    const struct madi_key *key = srv_opts(rq->srv)->key;
    int rc = madi_audit_reason_check(jstr(j, "reason"), "reason", &err);
    if (!rc && !key)
        rc = madi_err_set(&err, MADI_EDENIED,
                          "this server was started without the centre's key, so no personal "
                          "record can be opened (start madi serve with --key-file)");
    json_t *fields = json_array();
    if (!rc)
        rc = madi_survivor_show(rq->s, key, rq->id, jstr(j, "reason"), rq->se.user.name, add_field,
                                fields, &err);
    json_decref(j);
    if (rc) {
        json_decref(fields);
        resp_madi_error(rs, rc, &err);
        return;
    }
    resp_json(rs, 200, json_pack("{s:s, s:o}", "survivor_id", rq->id, "record", fields));
}
