/*
 * api_dash.c: the figures: the dashboard (key indicators, tables, scorecard), its charts, the
 * report in every format, and the data-quality view; and their published (public) versions.
 *
 * Everything is built by the report module (report.h), so the dashboard shows the same
 * numbers, the same SVG charts and the same disclosure control as the reports. An operator's
 * requests are confined to their organisation by the dispatcher (rq->org_scope), and their
 * figures go through disclosure control (rq->figures_public): their view also holds the
 * centre's own tables (casualties, victim assistance), which no organisation filter reaches.
 * Published figures take only a year or a quarter, and no area: a figure for another range or
 * an area could be subtracted from an overlapping one (see docs/REPORTS.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "madi/auth.h"
#include "madi/indjson.h"
#include "madi/quality.h"
#include "madi/report.h"

#include "banned.h"
#include "buf.h"
#include "srv_int.h"
#include "xalloc.h"

/* A chart's styles are inside it; nothing in it runs, and nothing frames it. */
#define CHART_CSP "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"

/* The latest year with data, kept while the data's stamp is unchanged (it is asked for by
 * every request that names no period, and finding it reads every kind). */
static int latest_year(struct req *rq, int *y, struct madi_err *err)
{
    struct rcache *c = srv_rcache(rq->srv);
    int64_t stamp = srv_stamp(rq);
    struct rc_entry *ref = NULL;
    char *kept = NULL;
    size_t n = 0;
    (void)rcache_get(c, "latest-year", stamp, &ref);
    if (ref && rcache_blob(c, ref, "year", &kept, &n)) {
        *y = (int)strtol(kept, NULL, 10);
        free(kept);
        rcache_release(c, ref);
        return MADI_OK;
    }
    int rc = madi_period_latest_year(rq->s, y, err);
    if (rc == MADI_ENOTFOUND || (!rc && *y == 0)) {
        *y = rq->today / 10000;
        rc = MADI_OK;
    }
    if (!rc) {
        char text[16];
        int len = snprintf(text, sizeof(text), "%d", *y);
        if (!ref)
            (void)rcache_put(c, "latest-year", stamp, NULL, &ref);
        rcache_set_blob(c, ref, "year", text, (size_t)len);
    }
    rcache_release(c, ref);
    return rc;
}

/* "2025" or "2025-Q2": the periods published figures may be asked for. Any other range could
 * be subtracted from an overlapping one to take a suppressed cell apart. */
static int aligned(const char *q)
{
    size_t n = strlen(q);
    for (size_t i = 0; i < 4; i++)
        if (i >= n || q[i] < '0' || q[i] > '9')
            return 0;
    return n == 4 || (n == 7 && q[4] == '-' && q[5] == 'Q' && q[6] >= '1' && q[6] <= '4');
}

static int period_of(struct req *rq, struct resp *rs, struct madi_period *p, int published)
{
    struct madi_err err;
    madi_err_clear(&err);
    const char *q = req_query(rq, "period");
    int rc, y = 0;
    if (q && published && !aligned(q)) {
        rc = madi_err_set(&err, MADI_EINVAL,
                          "published figures are for a year or a quarter: period=2025 or "
                          "period=2025-Q2");
    } else if (q) {
        rc = madi_period_parse(q, p, &err);
    } else {
        rc = latest_year(rq, &y, &err);
        if (!rc)
            madi_period_year(y, p);
    }
    if (rc)
        resp_madi_error(rs, rc, &err);
    return rc;
}

/*
 * The report the request asks for, built or kept (cache.c); NULL after answering the error
 * itself. Release *ref when done.
 */
static const struct madi_report *build(struct req *rq, struct resp *rs, enum madi_audience aud,
                                       struct rc_entry **ref)
{
    struct madi_report_opts o;
    memset(&o, 0, sizeof(o));
    *ref = NULL;
    if (period_of(rq, rs, &o.period, aud == MADI_AUDIENCE_PUBLIC))
        return NULL;
    o.audience = aud;
    o.today = rq->today;
    if (rq->org_scope) { /* an operator: their organisation, the whole country */
        o.org = rq->org_scope;
    } else if (aud == MADI_AUDIENCE_INTERNAL) {
        o.area = req_query(rq, "area");
        o.org = req_query(rq, "org");
    }
    char key[1024];
    int kn = snprintf(key, sizeof(key), "%d|%s|%d|%s|%s", (int)aud, o.period.label, (int)o.today,
                      o.area ? o.area : "", o.org ? o.org : "");
    struct rcache *c = srv_rcache(rq->srv);
    /* a key that does not fit is not kept: two requests must never share a cut key */
    int64_t stamp = kn > 0 && (size_t)kn < sizeof(key) ? srv_stamp(rq) : -1;
    const struct madi_report *kept = rcache_get(c, key, stamp, ref);
    if (kept)
        return kept;
    struct madi_report *r = NULL;
    struct madi_err err;
    madi_err_clear(&err);
    int rc = madi_report_build(rq->s, rq->cat, &o, &r, &err);
    if (rc) {
        resp_madi_error(rs, rc, &err);
        return NULL;
    }
    return rcache_put(c, key, stamp, r, ref);
}

static void add_chart(void *ctx, const char *id, const char *title, const char *section)
{
    json_array_append_new(
            ctx, json_pack("{s:s, s:s, s:s}", "id", id, "title", title, "section", section));
}

/* Write the report in format f, or its chart `chart` when not NULL, into memory (*buf: free). */
static int to_mem(const struct madi_report *r, int f, const char *chart, char **buf, size_t *n,
                  struct madi_err *err)
{
    *buf = NULL;
    *n = 0;
    FILE *m = open_memstream(buf, n);
    if (!m)
        return madi_err_set(err, MADI_EIO, "out of memory writing the report");
    int rc = chart ? madi_report_write_svg(r, chart, m, err)
                   : madi_report_write(r, (enum madi_report_format)f, m, err);
    if (fclose(m) != 0 && !rc)
        rc = madi_err_set(err, MADI_EIO, "out of memory writing the report");
    return rc;
}

/* Answer with what was kept under `name` for the report of *ref; 1 when there was. */
static int from_cache(struct req *rq, struct resp *rs, struct rc_entry *ref, const char *name,
                      const char *type)
{
    char *data = NULL;
    size_t n = 0;
    if (!rcache_blob(srv_rcache(rq->srv), ref, name, &data, &n))
        return 0;
    resp_text(rs, 200, type, data, n);
    free(data);
    return 1;
}

/* The audience a request gets: an operator's figures go through disclosure control. */
static enum madi_audience audience_for(const struct req *rq, enum madi_audience aud)
{
    return rq->figures_public ? MADI_AUDIENCE_PUBLIC : aud;
}

static void dashboard(struct req *rq, struct resp *rs, enum madi_audience aud)
{
    aud = audience_for(rq, aud);
    struct rc_entry *ref = NULL;
    const struct madi_report *r = build(rq, rs, aud, &ref);
    if (!r)
        return;
    const char *name = rq->org_scope ? "dashboard:confined" : "dashboard";
    if (from_cache(rq, rs, ref, name, "application/json; charset=utf-8")) {
        rcache_release(srv_rcache(rq->srv), ref);
        return;
    }
    char *buf = NULL;
    size_t n = 0;
    struct madi_err err;
    madi_err_clear(&err);
    int rc = to_mem(r, MADI_REPORT_JSON, NULL, &buf, &n, &err);
    json_error_t je;
    json_t *doc = rc ? NULL : json_loadb(buf, n, 0, &je);
    free(buf);
    if (!doc) {
        rcache_release(srv_rcache(rq->srv), ref);
        resp_madi_error(rs, rc ? rc : MADI_EINTERNAL, &err);
        return;
    }
    json_t *charts = json_array();
    madi_report_charts(r, add_chart, charts);
    json_t *out = json_pack("{s:s, s:o, s:o}", "audience",
                            aud == MADI_AUDIENCE_PUBLIC ? "public" : "internal", "charts", charts,
                            "report", doc);
    if (rq->org_scope)
        json_object_set_new(out, "confined_to", json_string(rq->org_scope));
    resp_json(rs, 200, out);
    rcache_set_blob(srv_rcache(rq->srv), ref, name, rs->body.data, rs->body.len);
    rcache_release(srv_rcache(rq->srv), ref);
}

static void chart(struct req *rq, struct resp *rs, enum madi_audience aud)
{
    aud = audience_for(rq, aud);
    const char *id = req_query(rq, "chart");
    if (!id || strlen(id) > 80) {
        resp_error(rs, 400, "invalid", "name the chart: ?chart=ID (see the dashboard's charts)",
                   NULL);
        return;
    }
    struct rc_entry *ref = NULL;
    const struct madi_report *r = build(rq, rs, aud, &ref);
    if (!r)
        return;
    /* The chart's styles are inside it; nothing in it runs. */
    char name[96];
    (void)snprintf(name, sizeof(name), "chart:%s", id);
    if (from_cache(rq, rs, ref, name, "image/svg+xml")) {
        rs->csp = CHART_CSP;
        rcache_release(srv_rcache(rq->srv), ref);
        return;
    }
    char *buf = NULL;
    size_t n = 0;
    struct madi_err err;
    madi_err_clear(&err);
    int rc = to_mem(r, 0, id, &buf, &n, &err);
    if (rc) {
        resp_madi_error(rs, rc, &err);
    } else {
        resp_text(rs, 200, "image/svg+xml", buf, n);
        rs->csp = CHART_CSP;
        rcache_set_blob(srv_rcache(rq->srv), ref, name, buf, n);
    }
    rcache_release(srv_rcache(rq->srv), ref);
    free(buf);
}

static void report(struct req *rq, struct resp *rs, enum madi_audience aud)
{
    const char *fmt = req_query(rq, "format");
    fmt = fmt ? fmt : "html";
    int f = strcmp(fmt, "xlsx") == 0 ? -2 : madi_report_format_parse(fmt);
    if (f == -1) {
        resp_error(rs, 400, "invalid", "format must be html, md, json, csv or xlsx", NULL);
        return;
    }
    const char *a = req_query(rq, "audience");
    if (a && strcmp(a, "public") == 0)
        aud = MADI_AUDIENCE_PUBLIC;
    else if (a && strcmp(a, "internal") != 0) {
        resp_error(rs, 400, "invalid", "audience must be internal or public", NULL);
        return;
    }
    aud = audience_for(rq, aud);
    struct rc_entry *ref = NULL;
    const struct madi_report *r = build(rq, rs, aud, &ref);
    if (!r)
        return;
    struct madi_err err;
    madi_err_clear(&err);
    char *buf = NULL;
    size_t n = 0;
    int rc;
    static const char *const types[] = { "text/html; charset=utf-8", "text/markdown; charset=utf-8",
                                         "application/json; charset=utf-8",
                                         "text/csv; charset=utf-8" };
    if (f == -2) {
        char path[512];
        (void)snprintf(path, sizeof(path), "%s/madi-report-XXXXXX", madi_tmpdir());
        int fd = mkstemp(path);
        rc = fd < 0 ? madi_err_set(&err, MADI_EIO, "cannot write a temporary file")
                    : madi_report_write_xlsx(r, path, &err);
        if (fd >= 0) {
            FILE *in = rc ? NULL : fopen(path, "rb");
            FILE *m = in ? open_memstream(&buf, &n) : NULL;
            char chunk[8192];
            size_t k;
            while (m && (k = fread(chunk, 1, sizeof(chunk), in)) > 0)
                (void)fwrite(chunk, 1, k, m);
            if (m)
                (void)fclose(m);
            if (in)
                (void)fclose(in);
            (void)close(fd);
            (void)unlink(path);
            if (!rc && !m)
                rc = madi_err_set(&err, MADI_EIO, "cannot read the workbook back");
        }
    } else {
        rc = to_mem(r, f, NULL, &buf, &n, &err);
    }
    rcache_release(srv_rcache(rq->srv), ref);
    if (rc) {
        free(buf);
        resp_madi_error(rs, rc, &err);
        return;
    }
    resp_text(rs, 200,
              f == -2 ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                      : types[f],
              buf, n);
    free(buf);
    const char *p = req_query(rq, "period");
    char safe[40];
    size_t k = 0;
    for (; p && p[k] && k + 1 < sizeof(safe); k++)
        safe[k] = (p[k] >= '0' && p[k] <= '9') || p[k] == '-' || p[k] == 'Q' ? p[k] : '_';
    safe[k] = 0;
    (void)snprintf(rs->dispbuf, sizeof(rs->dispbuf), "attachment; filename=\"madi-%s%s%s.%s\"",
                   aud == MADI_AUDIENCE_PUBLIC ? "public" : "internal", k ? "-" : "", safe, fmt);
    rs->disposition = rs->dispbuf;
    /* The HTML report styles itself and runs nothing: opened from here it stays sandboxed. */
    rs->csp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
              "frame-ancestors 'none'; sandbox";
}

/* The organisations of the operators' accounts, each once (at most 64). */
struct orgs {
    char code[64][65];
    size_t n;
};

static void add_org(void *ctx, const struct madi_user *u)
{
    struct orgs *o = ctx;
    if (u->role != MADI_ROLE_OPERATOR || u->disabled || !u->org[0] || o->n == 64)
        return;
    for (size_t i = 0; i < o->n; i++)
        if (strcmp(o->code[i], u->org) == 0)
            return;
    (void)snprintf(o->code[o->n++], sizeof(o->code[0]), "%s", u->org);
}

void srv_warm(struct req *rq)
{
    struct resp rs;
    memset(&rs, 0, sizeof(rs));
    madi_buf_init(&rs.body, 0);
    dashboard(rq, &rs, MADI_AUDIENCE_INTERNAL);
    if (srv_opts(rq->srv)->public_dashboard) {
        rs.body.len = 0;
        dashboard(rq, &rs, MADI_AUDIENCE_PUBLIC);
    }
    /* each operator's own dashboard, as the dispatcher would confine it */
    struct orgs *o = xcalloc(1, sizeof(*o));
    struct madi_err err;
    if (madi_user_foreach(rq->s, add_org, o, &err) == MADI_OK) {
        for (size_t i = 0; i < o->n; i++) {
            struct req op = *rq;
            op.org_scope = o->code[i];
            op.figures_public = 1;
            rs.body.len = 0;
            dashboard(&op, &rs, MADI_AUDIENCE_INTERNAL);
        }
    }
    free(o);
    madi_buf_release(&rs.body);
}

void api_dashboard(struct req *rq, struct resp *rs)
{
    dashboard(rq, rs, MADI_AUDIENCE_INTERNAL);
}

void api_chart(struct req *rq, struct resp *rs)
{
    chart(rq, rs, MADI_AUDIENCE_INTERNAL);
}

void api_report(struct req *rq, struct resp *rs)
{
    report(rq, rs, MADI_AUDIENCE_INTERNAL);
}

void api_public_dashboard(struct req *rq, struct resp *rs)
{
    dashboard(rq, rs, MADI_AUDIENCE_PUBLIC);
}

void api_public_chart(struct req *rq, struct resp *rs)
{
    chart(rq, rs, MADI_AUDIENCE_PUBLIC);
}

void api_public_report(struct req *rq, struct resp *rs)
{
    if (req_query(rq, "audience") && strcmp(req_query(rq, "audience"), "public") != 0) {
        resp_error(rs, 403, "forbidden", "the published report is for the public audience only",
                   NULL);
        return;
    }
    report(rq, rs, MADI_AUDIENCE_PUBLIC);
}

static void add_finding(void *ctx, const struct madi_qfinding *f)
{
    json_array_append_new(ctx, srv_jfinding(f));
}

void api_quality(struct req *rq, struct resp *rs)
{
    struct madi_period p;
    if (period_of(rq, rs, &p, 0))
        return;
    const char *org = rq->org_scope ? rq->org_scope : req_query(rq, "org");
    json_t *a = json_array();
    struct madi_err err;
    madi_err_clear(&err);
    int rc = madi_quality_check(rq->s, &p, org, rq->today, add_finding, a, &err);
    if (rc) {
        json_decref(a);
        resp_madi_error(rs, rc, &err);
        return;
    }
    resp_json(rs, 200, json_pack("{s:s, s:o}", "period", p.label, "findings", a));
}

void api_indicators(struct req *rq, struct resp *rs)
{
    struct madi_ind_query q;
    memset(&q, 0, sizeof(q));
    if (period_of(rq, rs, &q.period, 0))
        return;
    q.area = req_query(rq, "area");
    q.org = req_query(rq, "org");
    q.today = rq->today;
    const char *by = req_query(rq, "by"), *ids = req_query(rq, "id");
    char bybuf[128] = "";
    size_t nby = 0;
    if (by) {
        size_t commas = 0;
        for (const char *p = by; *p; p++)
            commas += *p == ',';
        if (commas >= MADI_IND_MAX_BY || strlen(by) >= sizeof(bybuf)) {
            resp_error(rs, 400, "invalid", "by: at most 3 groups at once, e.g. by=sex,age", NULL);
            return;
        }
        (void)snprintf(bybuf, sizeof(bybuf), "%s", by);
        for (char *p = bybuf;;) {
            size_t m = strcspn(p, ",");
            q.by[nby++] = p;
            if (!p[m])
                break;
            p[m] = 0;
            p += m + 1;
        }
    }
    char key[1024];
    int kn = snprintf(key, sizeof(key), "ind|%s|%d|%s|%s|%s|%s", q.period.label, (int)q.today,
                      q.area ? q.area : "", q.org ? q.org : "", by ? by : "", ids ? ids : "");
    struct rcache *c = srv_rcache(rq->srv);
    int64_t stamp = kn > 0 && (size_t)kn < sizeof(key) ? srv_stamp(rq) : -1;
    struct rc_entry *ref = NULL;
    (void)rcache_get(c, key, stamp, &ref);
    if (ref && from_cache(rq, rs, ref, "json", "application/json; charset=utf-8")) {
        rcache_release(c, ref);
        return;
    }
    json_t *arr = json_array();
    struct madi_err err;
    madi_err_clear(&err);
    int rc = MADI_OK;
    for (size_t i = 0; i < madi_ind_catalogue_count(rq->cat) && !rc; i++) {
        const struct madi_ind_def *d = madi_ind_catalogue_get(rq->cat, i);
        if (!madi_list_has(ids, d->id))
            continue;
        struct madi_ind_result *r = NULL;
        rc = madi_ind_compute(rq->s, d, &q, &r, &err);
        if (!rc)
            json_array_append_new(arr, madi_ind_result_json(r));
        madi_ind_result_free(r);
    }
    if (rc) {
        json_decref(arr);
        rcache_release(c, ref);
        resp_madi_error(rs, rc, &err);
        return;
    }
    json_t *out = json_pack("{s:s, s:o}", "period", q.period.label, "indicators", arr);
    resp_json(rs, 200, out);
    if (!ref)
        (void)rcache_put(c, key, stamp, NULL, &ref);
    rcache_set_blob(c, ref, "json", rs->body.data, rs->body.len);
    rcache_release(c, ref);
}
