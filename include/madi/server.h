/*
 * server.h: madi's second front door, an HTTP server for the web interface and the JSON API.
 *
 * One process serves the embedded pages (no CDN, no framework) and /api/v1, over libmicrohttpd
 * with a thread pool; each worker takes a store connection from a pool (SQLite in WAL mode lets
 * readers work beside one writer). Every request is matched against one route table, which also
 * says which roles may call each operation; authentication, authorisation (role, and the
 * organisation or case the request touches), CSRF checks and limits are decided in one place
 * before any handler runs. The OpenAPI document is generated from the same table.
 */
#ifndef MADI_SERVER_H
#define MADI_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "madi/err.h"

struct madi_key;
struct madi_server;

struct madi_server_opts {
    const char *db;             /* the database file (must exist) */
    const char *listen;         /* "127.0.0.1:8080", "0.0.0.0:8080", ":8080"; port 0 = any */
    const char *cert, *pkey;    /* PEM files for TLS, both or neither */
    unsigned threads;           /* worker threads (0 = 4) */
    int public_dashboard;       /* serve the published dashboard without login */
    const struct madi_key *key; /* the centre's key (borrowed), for case workers; NULL = none */
    size_t max_upload;          /* bytes an upload may have (0 = 32 MiB) */
    unsigned timeout_s;         /* a connection idle this long is closed (0 = 30) */
    int32_t today;              /* yyyymmdd for the figures (0 = the clock) */
    FILE *log;                  /* one line per request (NULL = none) */
};

/** Start serving. Caller owns *out; stop with madi_server_stop. */
int madi_server_start(const struct madi_server_opts *o, struct madi_server **out,
                      struct madi_err *err);
/** The port it listens on (useful with port 0). */
unsigned madi_server_port(const struct madi_server *srv);
/** Stop, wait for requests in flight, and free. NULL ok. */
void madi_server_stop(struct madi_server *srv);

/** Write the OpenAPI 3 document of the API (the same one the server serves). */
int madi_server_openapi(FILE *out, struct madi_err *err);

#endif
