/*
 * indjson.h: indicator definitions and results as JSON (jansson), the one form both front
 * doors write: ids are catalogue ids, values null when there is none, with status, coverage
 * (0..1, null where it does not apply) and flags.
 */
#ifndef MADI_INDJSON_H
#define MADI_INDJSON_H

#include <jansson.h>

#include "madi/indicators.h"

/** A definition: id, title, description, pillar, unit, measures, frameworks, origin. New ref. */
json_t *madi_ind_def_json(const struct madi_ind_def *d);
/** A result: the total with its coverage and flags, the cells when split, the definition. */
json_t *madi_ind_result_json(const struct madi_ind_result *r);

#endif
