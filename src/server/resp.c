/*
 * resp.c: writing responses: JSON, errors with stable codes, text.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "banned.h"
#include "srv_int.h"

void resp_text(struct resp *rs, int status, const char *type, const char *p, size_t n)
{
    rs->status = status;
    rs->type = type;
    rs->body.len = 0;
    (void)madi_buf_add(&rs->body, p, n);
}

void resp_json(struct resp *rs, int status, json_t *j)
{
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!s) { /* a value jansson refused (text that is not UTF-8): a bug, said as one */
        static const char bug[] = "{\"error\":{\"code\":\"internal\",\"message\":\"the answer "
                                  "could not be written as JSON\"}}";
        resp_text(rs, 500, "application/json; charset=utf-8", bug, sizeof(bug) - 1);
        return;
    }
    resp_text(rs, status, "application/json; charset=utf-8", s, strlen(s));
    free(s);
}

void resp_error(struct resp *rs, int status, const char *code, const char *msg, json_t *findings)
{
    json_t *e = json_pack("{s:s, s:s}", "code", code, "message", msg);
    if (findings)
        json_object_set_new(e, "findings", findings);
    resp_json(rs, status, json_pack("{s:o}", "error", e));
}

void resp_madi_error(struct resp *rs, int rc, const struct madi_err *err)
{
    const char *msg = err && err->msg[0] ? err->msg : madi_strerror(rc);
    switch (rc) {
    case MADI_EINVAL:
        resp_error(rs, 400, "invalid", msg, NULL);
        break;
    case MADI_ENOTFOUND:
        resp_error(rs, 404, "not_found", msg, NULL);
        break;
    case MADI_ECONFLICT:
        resp_error(rs, 409, "conflict", msg, NULL);
        break;
    case MADI_EDENIED:
        resp_error(rs, 403, "denied", msg, NULL);
        break;
    case MADI_EREJECTED:
        resp_error(rs, 422, "rejected", msg, NULL);
        break;
    default:
        resp_error(rs, 500, "internal", msg, NULL);
        break;
    }
}
