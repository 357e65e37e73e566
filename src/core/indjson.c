/*
 * indjson.c: indicator definitions and results as JSON, for the front doors (the CLI's
 * --format json, the server's /api/v1/indicators).
 */
#include "madi/indjson.h"

#include <jansson.h>

#include "madi/indicators.h"

#include "banned.h"

static json_t *jnum_or_null(double v, int ok)
{
    return ok ? json_real(v) : json_null();
}

static json_t *jcov(double v)
{
    return v >= 0 ? json_real(v) : json_null();
}

static json_t *jflags(unsigned f)
{
    json_t *a = json_array();
    if (f & MADI_IND_SMALL)
        json_array_append_new(a, json_string("small"));
    if (f & MADI_IND_INCOMPLETE)
        json_array_append_new(a, json_string("incomplete"));
    if (f & MADI_IND_ESTIMATED)
        json_array_append_new(a, json_string("estimated"));
    return a;
}

static json_t *jcell(const struct madi_ind_result *r, const struct madi_ind_cell *c)
{
    json_t *j = json_object();
    json_t *cats = json_object();
    for (size_t d = 0; d < r->ndims; d++)
        json_object_set_new(cats, r->dims[d].name, json_string(r->dims[d].cats[c->cat[d]].code));
    if (r->ndims)
        json_object_set_new(j, "category", cats);
    else
        json_decref(cats);
    json_object_set_new(j, "value", jnum_or_null(c->value, c->status == MADI_IND_OK));
    json_object_set_new(
            j, "status",
            json_string(c->status == MADI_IND_OK ? "ok" : madi_ind_status_name(c->status)));
    json_object_set_new(j, "numerator", json_real(c->num));
    if (r->def->denominator)
        json_object_set_new(j, "denominator", json_real(c->den));
    json_t *cov = json_object();
    json_object_set_new(cov, "sex", jcov(c->cov_sex));
    json_object_set_new(cov, "age", jcov(c->cov_age));
    json_object_set_new(cov, "disability", jcov(c->cov_disability));
    json_object_set_new(cov, "reported", jcov(c->coverage));
    json_object_set_new(j, "coverage", cov);
    json_object_set_new(j, "flags", jflags(c->flags));
    return j;
}

json_t *madi_ind_def_json(const struct madi_ind_def *d)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_string(d->id));
    json_object_set_new(j, "title", json_string(d->title));
    json_object_set_new(j, "description", json_string(d->description));
    json_object_set_new(j, "pillar", json_string(d->pillar));
    json_object_set_new(j, "wps", json_string(d->wps));
    json_object_set_new(j, "unit", json_string(madi_ind_unit_name(d->unit)));
    json_object_set_new(j, "numerator", json_string(d->numerator));
    if (d->denominator)
        json_object_set_new(j, "denominator", json_string(d->denominator));
    if (d->baseline_numerator) {
        json_object_set_new(j, "baseline_numerator", json_string(d->baseline_numerator));
        json_object_set_new(j, "baseline_denominator", json_string(d->baseline_denominator));
    }
    json_object_set_new(j, "by", json_string(d->by));
    json_object_set_new(j, "direction",
                        json_string(d->higher_is_better == 1   ? "higher"
                                    : d->higher_is_better == 0 ? "lower"
                                                               : "none"));
    json_object_set_new(j, "frameworks", json_string(d->frameworks));
    json_object_set_new(j, "counts", json_string(d->counts));
    if (d->reference)
        json_object_set_new(j, "reference", json_string(d->reference));
    json_object_set_new(j, "origin", json_string(d->origin));
    return j;
}

json_t *madi_ind_result_json(const struct madi_ind_result *r)
{
    json_t *j = json_object();
    const struct madi_ind_cell *t = madi_ind_result_total(r);
    json_object_set_new(j, "id", json_string(r->def->id));
    json_object_set_new(j, "title", json_string(r->def->title));
    json_object_set_new(j, "pillar", json_string(r->def->pillar));
    json_object_set_new(j, "unit", json_string(madi_ind_unit_name(r->def->unit)));
    json_object_set_new(j, "period", json_string(r->period.label));
    json_object_set_new(
            j, "status",
            json_string(r->status == MADI_IND_OK ? "ok" : madi_ind_status_name(r->status)));
    if (r->why[0])
        json_object_set_new(j, "why", json_string(r->why));
    if (r->note[0])
        json_object_set_new(j, "note", json_string(r->note));
    json_object_set_new(j, "value", jnum_or_null(t->value, t->status == MADI_IND_OK));
    json_object_set_new(j, "total", jcell(r, t));
    if (r->reports_expected) {
        json_t *rep = json_object();
        json_object_set_new(rep, "expected", json_integer(r->reports_expected));
        json_object_set_new(rep, "missing", json_integer(r->reports_missing));
        json_object_set_new(j, "reports", rep);
    }
    if (r->ndims) {
        json_t *dims = json_array(), *cells = json_array();
        for (size_t d = 0; d < r->ndims; d++)
            json_array_append_new(dims, json_string(r->dims[d].name));
        for (size_t i = 0; i + 1 < r->ncells; i++)
            json_array_append_new(cells, jcell(r, &r->cells[i]));
        json_object_set_new(j, "by", dims);
        json_object_set_new(j, "cells", cells);
    }
    json_object_set_new(j, "definition", madi_ind_def_json(r->def));
    return j;
}
