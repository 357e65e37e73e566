/*
 * req.c: reading a request: query arguments, headers, cookies, the JSON body, the {id}.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <microhttpd.h>

#include "banned.h"
#include "srv_int.h"

const char *req_query(const struct req *rq, const char *name)
{
    if (!rq->conn) /* a request the server makes itself (srv_warm): no arguments */
        return NULL;
    const char *v = MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, name);
    return v && *v ? v : NULL;
}

const char *req_header(const struct req *rq, const char *name)
{
    if (!rq->conn)
        return NULL;
    return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

const char *req_cookie(const struct req *rq, const char *name)
{
    if (!rq->conn)
        return NULL;
    return MHD_lookup_connection_value(rq->conn, MHD_COOKIE_KIND, name);
}

json_t *req_json(struct req *rq, struct resp *rs)
{
    const char *ct = req_header(rq, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (!ct || strncmp(ct, "application/json", 16) != 0) {
        resp_error(rs, 415, "json_expected", "send the body as application/json", NULL);
        return NULL;
    }
    json_error_t je;
    json_t *j = json_loadb(rq->body ? rq->body : "", rq->len, JSON_REJECT_DUPLICATES, &je);
    if (!j || !json_is_object(j)) {
        char msg[256];
        (void)snprintf(msg, sizeof(msg), "the body is not a JSON object%s%s", j ? "" : ": ",
                       j ? "" : je.text);
        json_decref(j);
        resp_error(rs, 400, "bad_json", msg, NULL);
        return NULL;
    }
    return j;
}

const char *jstr(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

int64_t req_id_int(const struct req *rq)
{
    if (!rq->id || !*rq->id)
        return -1;
    char *end = NULL;
    errno = 0;
    long long v = strtoll(rq->id, &end, 10);
    if (errno || *end || v <= 0 || rq->id[0] == '+' || rq->id[0] == ' ')
        return -1;
    return (int64_t)v;
}
