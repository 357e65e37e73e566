/*
 * http.c: the server around libmicrohttpd: the daemon and its thread pool, the store pool,
 * request bodies with a size cap and a deadline, security headers on every response, the
 * per-client login limiter, TLS when given a certificate, and the request log.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <jansson.h>
#include <microhttpd.h>
#include <sodium.h>

#include "madi/dim.h"
#include "madi/indicators.h"
#include "madi/privacy.h"
#include "madi/server.h"
#include "madi/store.h"

#include "banned.h"
#include "srv_int.h"
#include "xalloc.h"

#define JSON_CAP            (256 * 1024)
#define UPLOAD_CAP          (32u * 1024 * 1024)
#define LOGIN_FAILS_PER_MIN 10 /* failed logins a client may make in a minute */
/* TLS 1.2 and 1.3 only, with forward secrecy and AEAD ciphers (GnuTLS priority string). */
#define TLS_PRIORITIES                                                                 \
    "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-RSA:-SHA1:-AES-128-CBC:-AES-256-CBC:" \
    "-CAMELLIA-128-CBC:-CAMELLIA-256-CBC:-3DES-CBC:-ARCFOUR-128"
#define LIM_SLOTS       1024
#define UPLOADS_AT_ONCE 4 /* uploads being received at one time (each up to max_upload) */

struct slot {
    struct madi_store *s;
    struct madi_ind_catalogue *cat;
    int busy;
};

struct lim {
    char client[64];
    int64_t minute;
    int count;
};

struct srv {
    struct MHD_Daemon *d;
    struct madi_server_opts o;
    char *db, *cert, *pkey;
    int tls;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct slot *slots;
    size_t nslots;
    struct lim lim[LIM_SLOTS];
    pthread_mutex_t limmu, logmu;
    unsigned port;
    int uploads; /* in flight, under mu */
    struct rcache *cache;
    pthread_t warmer;
    int warming, stopping; /* the warmer runs; it is asked to stop */
    pthread_mutex_t warmmu;
    pthread_cond_t warmcv;
};

/* What a connection carries between the calls of the access handler. */
struct cctx {
    struct srv *srv;
    struct madi_buf body;
    int answered;       /* a response is queued: the rest of the body is dropped */
    int too_big;        /* the body went past the cap: dropped, answered 413 at its end */
    int upload_counted; /* counted in srv.uploads */
    struct timespec start;
    int preauthed; /* authorised from its headers: who it is, kept for the dispatch */
    int authed;
    enum madi_role role;
    struct madi_session se;
};

const struct madi_server_opts *srv_opts(const struct srv *sv)
{
    return &sv->o;
}

const char *srv_cookie_name(const struct srv *sv)
{
    return sv->tls ? "__Host-madi_session" : "madi_session";
}

struct rcache *srv_rcache(struct srv *sv)
{
    return sv->cache;
}

/*
 * The limiter's slot for a client: open addressing over a few slots from its hash, so that two
 * addresses never share (or reset) one count; a slot of an earlier minute is free. NULL when
 * every slot near it is taken this minute: then the client is treated as over its limit
 * (failing closed). Called locked.
 */
static struct lim *lim_of(struct srv *sv, const char *client)
{
    int64_t minute = (int64_t)time(NULL) / 60;
    unsigned h = 5381;
    for (const char *p = client; *p; p++)
        h = h * 33 + (unsigned char)*p;
    struct lim *spare = NULL;
    for (unsigned k = 0; k < 16; k++) {
        struct lim *l = &sv->lim[(h + k) % LIM_SLOTS];
        if (strcmp(l->client, client) == 0) {
            if (l->minute != minute) {
                l->minute = minute;
                l->count = 0;
            }
            return l;
        }
        if (!spare && (!l->client[0] || l->minute != minute))
            spare = l;
    }
    if (spare) {
        (void)snprintf(spare->client, sizeof(spare->client), "%s", client);
        spare->minute = minute;
        spare->count = 0;
    }
    return spare;
}

int srv_login_allowed(struct srv *sv, const char *client)
{
    pthread_mutex_lock(&sv->limmu);
    struct lim *l = lim_of(sv, client);
    int ok = l && l->count < LOGIN_FAILS_PER_MIN;
    pthread_mutex_unlock(&sv->limmu);
    return ok;
}

void srv_login_failed(struct srv *sv, const char *client)
{
    pthread_mutex_lock(&sv->limmu);
    struct lim *l = lim_of(sv, client);
    if (l)
        l->count++;
    pthread_mutex_unlock(&sv->limmu);
}

static double ms_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* ---- the store pool: one connection per worker thread, taken for a request ---- */

static struct slot *take_slot(struct srv *sv)
{
    pthread_mutex_lock(&sv->mu);
    for (;;) {
        for (size_t i = 0; i < sv->nslots; i++) {
            if (!sv->slots[i].busy) {
                sv->slots[i].busy = 1;
                pthread_mutex_unlock(&sv->mu);
                return &sv->slots[i];
            }
        }
        pthread_cond_wait(&sv->cv, &sv->mu);
    }
}

static void give_slot(struct srv *sv, struct slot *sl)
{
    pthread_mutex_lock(&sv->mu);
    sl->busy = 0;
    pthread_cond_signal(&sv->cv);
    pthread_mutex_unlock(&sv->mu);
}

static int open_slot(struct srv *sv, struct slot *sl, struct madi_err *err)
{
    int rc = madi_store_open(sv->db, 0, &sl->s, err);
    if (!rc)
        rc = madi_ind_catalogue_new(&sl->cat, err);
    if (!rc)
        rc = madi_ind_catalogue_add_stored(sl->cat, sl->s, err);
    if (!rc && sv->o.key) /* gives the connection the audit chain's key */
        rc = madi_privacy_check(sl->s, sv->o.key, err);
    return rc;
}

/* ---- responses ---- */

static const char csp_default[] = "default-src 'none'; script-src 'self'; style-src 'self'; "
                                  "img-src 'self'; connect-src 'self'; form-action 'self'; "
                                  "frame-ancestors 'none'; base-uri 'none'";

static enum MHD_Result send_resp(struct srv *sv, struct MHD_Connection *c, struct req *rq,
                                 struct resp *rs)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
            rs->body.len, rs->body.data ? rs->body.data : (void *)"", MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    (void)MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                                  rs->type ? rs->type : "application/json; charset=utf-8");
    (void)MHD_add_response_header(r, "Content-Security-Policy", rs->csp ? rs->csp : csp_default);
    (void)MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    (void)MHD_add_response_header(r, "X-Frame-Options", "DENY");
    (void)MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    (void)MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
    (void)MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
    (void)MHD_add_response_header(r, "Permissions-Policy",
                                  "camera=(), microphone=(), "
                                  "geolocation=()");
    (void)MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
                                  rs->cache ? rs->cache : "no-store");
    if (sv->tls)
        (void)MHD_add_response_header(r, "Strict-Transport-Security", "max-age=31536000");
    if (rs->etag) {
        (void)MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, rs->etag);
        (void)MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
    }
    if (rs->encoding)
        (void)MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, rs->encoding);
    if (rs->disposition)
        (void)MHD_add_response_header(r, "Content-Disposition", rs->disposition);
    if (rq && rq->set_cookie)
        (void)MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, rq->set_cookie);
    if (rs->status == 405)
        (void)MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, POST");
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)rs->status, r);
    MHD_destroy_response(r);
    return ret;
}

/*
 * The warmer: whenever the data's stamp changes (an approval, an import from the CLI), build
 * the dashboards a visitor is most likely to open first, so that they do not wait a second or
 * two for the report. Checks every 2 seconds; stops at once when asked.
 */
static void *warm_loop(void *arg)
{
    struct srv *sv = arg;
    int64_t seen = -2;
    pthread_mutex_lock(&sv->warmmu);
    while (!sv->stopping) {
        pthread_mutex_unlock(&sv->warmmu);
        struct slot *sl = take_slot(sv);
        int64_t stamp = rcache_stamp(sl->s);
        if (stamp != seen && stamp >= 0) {
            struct req rq;
            memset(&rq, 0, sizeof(rq));
            rq.srv = sv;
            rq.method = "GET";
            rq.path = "/api/v1/dashboard";
            rq.client = "warmer";
            rq.s = sl->s;
            rq.cat = sl->cat;
            rq.now = (int64_t)time(NULL);
            rq.today = sv->o.today ? sv->o.today : madi_today();
            srv_warm(&rq);
            seen = stamp;
        }
        give_slot(sv, sl);
        pthread_mutex_lock(&sv->warmmu);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 2;
        if (!sv->stopping)
            (void)pthread_cond_timedwait(&sv->warmcv, &sv->warmmu, &until);
    }
    pthread_mutex_unlock(&sv->warmmu);
    return NULL;
}

static void client_of(struct MHD_Connection *c, char *out, size_t n)
{
    const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    (void)snprintf(out, n, "?");
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        (void)inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
                        (socklen_t)n);
    else if (sa->sa_family == AF_INET6)
        (void)inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
                        (socklen_t)n);
}

static int is_upload(const char *url, const char *method)
{
    return strcmp(method, "POST") == 0 && strcmp(url, "/api/v1/submissions") == 0;
}

/* The request as handlers see it, before the dispatcher authenticates it. */
static void req_init(struct req *rq, struct srv *sv, struct MHD_Connection *c, const char *method,
                     const char *url, const char *client)
{
    memset(rq, 0, sizeof(*rq));
    rq->srv = sv;
    rq->conn = c;
    rq->method = method;
    rq->path = url;
    rq->client = client;
    rq->now = (int64_t)time(NULL);
    rq->today = sv->o.today ? sv->o.today : madi_today();
}

/* Write `s` to the log with control characters and bytes that are not ASCII escaped, so that
 * a request cannot write a line of its own into the log. */
static void log_text(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p >= 0x7f || *p == '\\')
            (void)fprintf(f, "\\x%02x", *p);
        else
            (void)fputc(*p, f);
    }
}

/* Send the response, log the request, and free the response (zeroed: it may hold a record). */
static enum MHD_Result finish(struct srv *sv, struct MHD_Connection *c, struct cctx *cx,
                              struct req *rq, struct resp *rs)
{
    enum MHD_Result ret = send_resp(sv, c, rq, rs);
    cx->answered = 1;
    if (sv->o.log) {
        pthread_mutex_lock(&sv->logmu);
        (void)fprintf(sv->o.log, "%s ", rq->client);
        log_text(sv->o.log, rq->method);
        (void)fputc(' ', sv->o.log);
        log_text(sv->o.log, rq->path);
        (void)fprintf(sv->o.log, " %d %.1fms %s", rs->status, ms_since(&cx->start),
                      rq->authed ? rq->se.user.name : "-");
        if (rq->note[0]) {
            (void)fputc(' ', sv->o.log);
            log_text(sv->o.log, rq->note);
        }
        (void)fputc('\n', sv->o.log);
        (void)fflush(sv->o.log);
        pthread_mutex_unlock(&sv->logmu);
    }
    if (rs->body.data)
        sodium_memzero(rs->body.data, rs->body.len);
    madi_buf_release(&rs->body);
    return ret;
}

static void too_large(struct resp *rs, size_t cap)
{
    char msg[128];
    (void)snprintf(msg, sizeof(msg),
                   "the request body is larger than this server takes (%zu bytes)", cap);
    resp_error(rs, 413, "too_large", msg, NULL);
}

/*
 * The first call for a request, with its headers in and no body read: a change to the API is
 * authorised now, so that no one who may not make it can make the server hold a body; a body
 * declared larger than the cap is refused unread; uploads in flight are limited. 1 when it was
 * answered here.
 */
static int on_headers(struct srv *sv, struct MHD_Connection *c, struct cctx *cx, const char *method,
                      const char *url, size_t cap, const char *client, enum MHD_Result *ret)
{
    struct resp rs;
    memset(&rs, 0, sizeof(rs));
    madi_buf_init(&rs.body, 0);
    struct req rq;
    req_init(&rq, sv, c, method, url, client);
    int answered = 0;
    const char *cl =
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
        strncmp(url, "/api/v1/", 8) == 0) {
        struct slot *sl = take_slot(sv);
        rq.s = sl->s;
        rq.cat = sl->cat;
        answered = !srv_preauthorize(&rq, &rs);
        give_slot(sv, sl);
        if (!answered) { /* the session was checked: not again once the body is in */
            cx->preauthed = 1;
            cx->authed = rq.authed;
            cx->role = rq.role;
            cx->se = rq.se;
        }
    }
    if (!answered && cl && strtoull(cl, NULL, 10) > cap) {
        too_large(&rs, cap);
        answered = 1;
    }
    if (!answered && is_upload(url, method)) {
        pthread_mutex_lock(&sv->mu);
        if (sv->uploads < UPLOADS_AT_ONCE) {
            sv->uploads++;
            cx->upload_counted = 1;
        }
        pthread_mutex_unlock(&sv->mu);
        if (!cx->upload_counted) {
            resp_error(&rs, 503, "busy", "too many uploads at once: try again in a moment", NULL);
            answered = 1;
        }
    }
    if (answered)
        *ret = finish(sv, c, cx, &rq, &rs);
    else
        madi_buf_release(&rs.body);
    return answered;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    struct srv *sv = cls;
    struct cctx *cx = *con_cls;
    size_t cap = is_upload(url, method) ? sv->o.max_upload : JSON_CAP;
    char client[64];
    client_of(c, client, sizeof(client));
    enum MHD_Result ret = MHD_YES;
    if (!cx) {
        cx = xcalloc(1, sizeof(*cx));
        cx->srv = sv;
        madi_buf_init(&cx->body, cap);
        clock_gettime(CLOCK_MONOTONIC, &cx->start);
        *con_cls = cx;
        (void)on_headers(sv, c, cx, method, url, cap, client, &ret);
        return ret;
    }
    if (cx->answered) { /* refused already: what else comes is dropped */
        *upload_size = 0;
        return MHD_YES;
    }
    if (*upload_size) {
        if (ms_since(&cx->start) > 2000.0 * sv->o.timeout_s)
            return MHD_NO; /* a client trickling its body: close */
        /* Past the cap (a body without a Content-Length), the rest is dropped, and the 413
         * goes once the body has ended: libmicrohttpd takes no answer in the middle of one. */
        if (!cx->too_big && madi_buf_add(&cx->body, upload_data, *upload_size) != 0) {
            cx->too_big = 1;
            sodium_memzero(cx->body.data, cx->body.len);
            madi_buf_release(&cx->body);
        }
        *upload_size = 0;
        return MHD_YES;
    }
    struct resp rs;
    memset(&rs, 0, sizeof(rs));
    madi_buf_init(&rs.body, 0);
    struct req rq;
    req_init(&rq, sv, c, method, url, client);
    if (cx->too_big) {
        too_large(&rs, cap);
        return finish(sv, c, cx, &rq, &rs);
    }
    rq.body = cx->body.data;
    rq.len = cx->body.len;
    if (cx->preauthed) {
        rq.preauthed = 1;
        rq.authed = cx->authed;
        rq.role = cx->role;
        rq.se = cx->se;
    }
    if (strncmp(url, "/api/v1/", 8) == 0) {
        struct slot *sl = take_slot(sv);
        rq.s = sl->s;
        rq.cat = sl->cat;
        srv_dispatch(&rq, &rs);
        give_slot(sv, sl);
    } else if ((strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0) &&
               srv_asset(url, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match"),
                         MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept-Encoding"), &rs)) {
        /* a page or an asset */
    } else {
        resp_error(&rs, 404, "not_found", "no such page", NULL);
    }
    return finish(sv, c, cx, &rq, &rs);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    struct cctx *cx = *con_cls;
    if (!cx)
        return;
    if (cx->upload_counted) {
        pthread_mutex_lock(&cx->srv->mu);
        cx->srv->uploads--;
        pthread_mutex_unlock(&cx->srv->mu);
    }
    if (cx->body.data) /* an upload may hold survivors' names */
        sodium_memzero(cx->body.data, cx->body.len);
    sodium_memzero(&cx->se, sizeof(cx->se));
    madi_buf_release(&cx->body);
    free(cx);
    *con_cls = NULL;
}

static int parse_listen(const char *s, struct sockaddr_in *sa, struct madi_err *err)
{
    memset(sa, 0, sizeof(*sa));
    sa->sin_family = AF_INET;
    const char *colon = strrchr(s, ':');
    char host[64];
    size_t hn = colon ? (size_t)(colon - s) : 0;
    if (!colon || hn >= sizeof(host))
        return madi_err_set(err, MADI_EINVAL, "--listen '%s': give HOST:PORT, e.g. 127.0.0.1:8080",
                            s);
    memcpy(host, s, hn);
    host[hn] = 0;
    char *end = NULL;
    long port = strtol(colon + 1, &end, 10);
    if (!colon[1] || *end || port < 0 || port > 65535)
        return madi_err_set(err, MADI_EINVAL, "--listen '%s': the port must be 0..65535", s);
    sa->sin_port = htons((uint16_t)port);
    if (hn == 0)
        sa->sin_addr.s_addr = htonl(INADDR_ANY);
    else if (inet_pton(AF_INET, strcmp(host, "localhost") == 0 ? "127.0.0.1" : host,
                       &sa->sin_addr) != 1)
        return madi_err_set(err, MADI_EINVAL, "--listen '%s': '%s' is not an IPv4 address", s,
                            host);
    return MADI_OK;
}

static char *slurp(const char *path, struct madi_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        (void)madi_err_set(err, MADI_EIO, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    struct madi_buf b;
    madi_buf_init(&b, 1024 * 1024);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if (madi_buf_add(&b, chunk, n))
            break;
    (void)fclose(f);
    return madi_buf_detach(&b, NULL);
}

int madi_server_start(const struct madi_server_opts *o, struct madi_server **out,
                      struct madi_err *err)
{
    *out = NULL;
    struct sockaddr_in sa;
    int rc = parse_listen(o->listen ? o->listen : "127.0.0.1:8080", &sa, err);
    if (rc)
        return rc;
    if (!o->cert != !o->pkey)
        return madi_err_set(err, MADI_EINVAL, "TLS needs both --cert and --key-pem");
    struct srv *sv = xcalloc(1, sizeof(*sv));
    sv->o = *o;
    sv->db = xstrdup(o->db);
    sv->o.threads = o->threads ? o->threads : 4;
    sv->o.max_upload = o->max_upload ? o->max_upload : UPLOAD_CAP;
    sv->o.timeout_s = o->timeout_s ? o->timeout_s : 30;
    pthread_mutex_init(&sv->mu, NULL);
    pthread_mutex_init(&sv->limmu, NULL);
    pthread_mutex_init(&sv->logmu, NULL);
    pthread_cond_init(&sv->cv, NULL);
    sv->cache = rcache_new();
    pthread_mutex_init(&sv->warmmu, NULL);
    pthread_cond_init(&sv->warmcv, NULL);
    sv->nslots = sv->o.threads;
    sv->slots = xcalloc(sv->nslots, sizeof(*sv->slots));
    for (size_t i = 0; i < sv->nslots && !rc; i++)
        rc = open_slot(sv, &sv->slots[i], err);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
    if (!rc && o->cert) {
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
            rc = madi_err_set(err, MADI_EINVAL,
                              "this libmicrohttpd was built without TLS (GnuTLS)");
        else if (!(sv->cert = slurp(o->cert, err)) || !(sv->pkey = slurp(o->pkey, err)))
            rc = err ? err->code : MADI_EIO;
        else {
            flags |= MHD_USE_TLS;
            sv->tls = 1;
        }
    }
    if (rc) {
        madi_server_stop((struct madi_server *)sv);
        return rc;
    }
    if (sv->tls)
        sv->d = MHD_start_daemon(
                flags, 0, NULL, NULL, on_request, sv, MHD_OPTION_SOCK_ADDR, &sa,
                MHD_OPTION_THREAD_POOL_SIZE, sv->o.threads, MHD_OPTION_CONNECTION_TIMEOUT,
                sv->o.timeout_s, MHD_OPTION_CONNECTION_LIMIT, 512,
                MHD_OPTION_PER_IP_CONNECTION_LIMIT, 32, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
                (size_t)64 * 1024, MHD_OPTION_NOTIFY_COMPLETED, on_completed, sv,
                MHD_OPTION_HTTPS_MEM_CERT, sv->cert, MHD_OPTION_HTTPS_MEM_KEY, sv->pkey,
                MHD_OPTION_HTTPS_PRIORITIES, TLS_PRIORITIES, MHD_OPTION_END);
    else
        sv->d = MHD_start_daemon(
                flags, 0, NULL, NULL, on_request, sv, MHD_OPTION_SOCK_ADDR, &sa,
                MHD_OPTION_THREAD_POOL_SIZE, sv->o.threads, MHD_OPTION_CONNECTION_TIMEOUT,
                sv->o.timeout_s, MHD_OPTION_CONNECTION_LIMIT, 512,
                MHD_OPTION_PER_IP_CONNECTION_LIMIT, 32, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
                (size_t)64 * 1024, MHD_OPTION_NOTIFY_COMPLETED, on_completed, sv, MHD_OPTION_END);
    if (!sv->d) {
        madi_server_stop((struct madi_server *)sv);
        return madi_err_set(err, MADI_EIO,
                            "cannot listen on %s (is the port in use, or the address not this "
                            "machine's?)",
                            o->listen ? o->listen : "127.0.0.1:8080");
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(sv->d, MHD_DAEMON_INFO_BIND_PORT);
    sv->port = di ? di->port : ntohs(sa.sin_port);
    sv->warming = pthread_create(&sv->warmer, NULL, warm_loop, sv) == 0;
    *out = (struct madi_server *)sv;
    return MADI_OK;
}

unsigned madi_server_port(const struct madi_server *srv)
{
    return ((const struct srv *)(const void *)srv)->port;
}

void madi_server_stop(struct madi_server *srv)
{
    struct srv *sv = (struct srv *)(void *)srv;
    if (!sv)
        return;
    if (sv->warming) {
        pthread_mutex_lock(&sv->warmmu);
        sv->stopping = 1;
        pthread_cond_signal(&sv->warmcv);
        pthread_mutex_unlock(&sv->warmmu);
        (void)pthread_join(sv->warmer, NULL);
    }
    if (sv->d)
        MHD_stop_daemon(sv->d);
    for (size_t i = 0; i < sv->nslots; i++) {
        madi_ind_catalogue_free(sv->slots[i].cat);
        madi_store_close(sv->slots[i].s);
    }
    free(sv->slots);
    rcache_free(sv->cache);
    pthread_mutex_destroy(&sv->mu);
    pthread_mutex_destroy(&sv->limmu);
    pthread_mutex_destroy(&sv->logmu);
    pthread_cond_destroy(&sv->cv);
    pthread_mutex_destroy(&sv->warmmu);
    pthread_cond_destroy(&sv->warmcv);
    free(sv->db);
    free(sv->cert);
    if (sv->pkey)
        sodium_memzero(sv->pkey, strlen(sv->pkey));
    free(sv->pkey);
    free(sv);
}
