/*
 * openapi.c: the OpenAPI 3 document of /api/v1, written from the route table the server
 * dispatches on (routes.c). Every operation lists the roles that may call it in x-madi-roles.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "madi/server.h"

#include "banned.h"
#include "srv_int.h"

/* Query parameters and body fields, documented once. */
static const struct route_param params[] = {
    { "period", "2025, 2025-Q2, 2025-03 or 2025-01-01..2025-06-30 (default: the latest year)" },
    { "area", "an area code: that area and everything inside it" },
    { "org", "an organisation code (an operator's account is always confined to its own)" },
    { "state", "invalid, draft, submitted, approved or returned" },
    { "replaces", "the batch this file corrects (approved data changes only this way)" },
    { "kind", "the kind of records, when the header does not say (see madi kinds)" },
    { "sheet", "the sheet of a workbook to read" },
    { "chart", "the id of a dashboard table, or kpi:ID for a key indicator's line" },
    { "format", "html, md, json, csv or xlsx" },
    { "by", "groups to split by, comma-separated: sex, age, disability, displacement, minority, "
            "operator, area, area:N, or a coded field" },
    { "id", "indicator ids, comma-separated (default: every one in the catalogue)" },
    { "audience", "internal (default) or public (every figure through disclosure control)" },
    { "user", "the account name" },
    { "password", "the account's password" },
    { "role", "operator, reviewer, analyst, caseworker or admin" },
    { "comment", "what the reviewer says to the operator" },
    { "reason", "why the record is opened (kept in the audit log)" },
    { NULL, NULL },
};

static const char *param_doc(const char *name, size_t n)
{
    for (const struct route_param *p = params; p->name; p++)
        if (strlen(p->name) == n && strncmp(p->name, name, n) == 0)
            return p->doc;
    return "";
}

/* The roles that may call an operation: everyone for a public one (no login needed). */
static json_t *roles_of(unsigned mask)
{
    json_t *a = json_array();
    if (mask & R_PUBLIC)
        mask = ~0u;
    for (int r = 0; r < MADI_ROLE_COUNT; r++)
        if (mask & ROLE(r))
            json_array_append_new(a, json_string(madi_role_name((enum madi_role)r)));
    return a;
}

/* "a|b|c" as a list of (name, length) pieces, fed to fn. */
static void each_name(const char *list, json_t *into,
                      void (*fn)(json_t *into, const char *name, size_t n))
{
    for (const char *p = list; p && *p;) {
        size_t n = strcspn(p, "|");
        fn(into, p, n);
        p += n + (p[n] == '|');
    }
}

static void add_query_param(json_t *arr, const char *name, size_t n)
{
    json_array_append_new(arr,
                          json_pack("{s:s%, s:s, s:s, s:{s:s}}", "name", name, n, "in", "query",
                                    "description", param_doc(name, n), "schema", "type", "string"));
}

static void add_body_field(json_t *props, const char *name, size_t n)
{
    char key[64];
    (void)snprintf(key, sizeof(key), "%.*s", (int)n, name);
    json_object_set_new(
            props, key,
            json_pack("{s:s, s:s}", "type", "string", "description", param_doc(name, n)));
}

static json_t *error_response(const char *what)
{
    return json_pack("{s:s, s:{s:{s:{s:s}}}}", "description", what, "content", "application/json",
                     "schema", "$ref", "#/components/schemas/Error");
}

static json_t *operation(const struct route *rt)
{
    json_t *op = json_pack("{s:s, s:s, s:[s], s:o}", "operationId", rt->op_id, "summary",
                           rt->summary, "tags", rt->tag, "x-madi-roles", roles_of(rt->roles));
    json_t *ps = json_array();
    if (strstr(rt->path, "{id}"))
        json_array_append_new(ps, json_pack("{s:s, s:s, s:b, s:{s:s}}", "name", "id", "in", "path",
                                            "required", 1, "schema", "type", "string"));
    each_name(rt->query, ps, add_query_param);
    if (strcmp(rt->method, "POST") == 0 && !(rt->flags & RF_NO_CSRF) && !(rt->roles & R_PUBLIC))
        json_array_append_new(ps, json_pack("{s:s, s:s, s:b, s:s, s:{s:s}}", "name", "X-CSRF-Token",
                                            "in", "header", "required", 1, "description",
                                            "the session's CSRF token (GET /me)", "schema", "type",
                                            "string"));
    if (rt->body && strcmp(rt->body, "file") == 0)
        json_array_append_new(ps, json_pack("{s:s, s:s, s:b, s:{s:s}}", "name", "X-File-Name", "in",
                                            "header", "required", 1, "schema", "type", "string"));
    if (json_array_size(ps))
        json_object_set_new(op, "parameters", ps);
    else
        json_decref(ps);
    if (rt->body && strcmp(rt->body, "json") == 0) {
        json_t *props = json_object();
        each_name(rt->body_doc, props, add_body_field);
        json_object_set_new(op, "requestBody",
                            json_pack("{s:b, s:{s:{s:{s:s, s:o}}}}", "required", 1, "content",
                                      "application/json", "schema", "type", "object", "properties",
                                      props));
    } else if (rt->body) {
        json_object_set_new(op, "requestBody",
                            json_pack("{s:b, s:{s:{s:{s:s, s:s}}}}", "required", 1, "content",
                                      "application/octet-stream", "schema", "type", "string",
                                      "format", "binary"));
    }
    const char *type = rt->produces ? rt->produces : "application/json";
    json_t *resp = json_pack("{s:{s:s, s:{s:{}}}}", "200", "description", "done", "content", type);
    if (!(rt->roles & R_PUBLIC)) {
        json_object_set_new(resp, "401", error_response("not logged in"));
        json_object_set_new(resp, "403",
                            error_response("the role does not allow it, or no "
                                           "CSRF token"));
    }
    json_object_set_new(resp, "400", error_response("the request is wrong: the message says how"));
    if (rt->scope != SC_NONE)
        json_object_set_new(resp, "404", error_response("no such record that you may see"));
    json_object_set_new(op, "responses", resp);
    if (rt->roles & R_PUBLIC)
        json_object_set_new(op, "security", json_array());
    return op;
}

json_t *srv_openapi(void)
{
    json_t *paths = json_object();
    for (size_t i = 0; i < srv_nroutes; i++) {
        const struct route *rt = &srv_routes[i];
        if (rt->flags & RF_HIDDEN)
            continue;
        json_t *item = json_object_get(paths, rt->path);
        if (!item) {
            item = json_object();
            json_object_set_new(paths, rt->path, item);
        }
        char m[8];
        size_t k = 0;
        for (; rt->method[k] && k + 1 < sizeof(m); k++)
            m[k] = (char)(rt->method[k] - 'A' + 'a');
        m[k] = 0;
        json_object_set_new(item, m, operation(rt));
    }
    json_t *error = json_pack(
            "{s:s, s:{s:{s:s, s:{s:{s:s}, s:{s:s}, s:{s:s, s:s}}}}}", "type", "object",
            "properties", "error", "type", "object", "properties", "code", "type", "string",
            "message", "type", "string", "findings", "type", "array", "description",
            "for a file: each finding with file, sheet, line, col, field, level and message");
    return json_pack("{s:s, s:{s:s, s:s, s:s}, s:[{s:s}], s:o, s:{s:{s:o}, s:{s:{s:s, s:s, "
                     "s:s}}}, s:[{s:[]}]}",
                     "openapi", "3.0.3", "info", "title", "madi API", "version", MADI_VERSION,
                     "description",
                     "The JSON API of madi serve. x-madi-roles on each operation lists the roles "
                     "that may call it (public: no login). Errors are JSON with a stable code.",
                     "servers", "url", "/api/v1", "paths", paths, "components", "schemas", "Error",
                     error, "securitySchemes", "session", "type", "apiKey", "in", "cookie", "name",
                     "madi_session", "security", "session");
}

int madi_server_openapi(FILE *out, struct madi_err *err)
{
    json_t *doc = srv_openapi();
    int bad = json_dumpf(doc, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 ||
              fputc('\n', out) == EOF;
    json_decref(doc);
    return bad ? madi_err_set(err, MADI_EIO, "cannot write the OpenAPI document") : MADI_OK;
}

void api_openapi(struct req *rq, struct resp *rs)
{
    (void)rq;
    resp_json(rs, 200, srv_openapi());
    rs->cache = "no-cache";
}
