/*
 * assets.c: the pages, script, styles and message catalogues, served from the binary.
 *
 * Each carries an ETag (a hash of its bytes, worked out once); a browser that already has it
 * gets 304 and no body, so a slow link carries the interface once per version of madi. Text
 * goes gzip-compressed (zlib, once, at the first request) to browsers that take it: the script
 * is a fifth of its size.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <jansson.h>

#include "assets_int.h"
#include "banned.h"
#include "srv_int.h"
#include "xalloc.h"

#define MAX_ASSETS 64

static char etags[MAX_ASSETS][24];
static struct {
    unsigned char *data; /* gzip, or NULL when it would not be smaller */
    size_t len;
} gz[MAX_ASSETS];
static pthread_once_t etags_once = PTHREAD_ONCE_INIT;

static void compress_one(size_t i)
{
    const struct srv_asset_file *a = &srv_asset_files[i];
    z_stream z;
    memset(&z, 0, sizeof(z));
    if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return;
    size_t cap = deflateBound(&z, a->len) + 32;
    unsigned char *out = xmalloc(cap);
    z.next_in = (unsigned char *)(uintptr_t)a->data;
    z.avail_in = (uInt)a->len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) == Z_STREAM_END && z.total_out < a->len) {
        gz[i].data = out;
        gz[i].len = z.total_out;
    } else {
        free(out);
    }
    (void)deflateEnd(&z);
}

static void compute_etags(void)
{
    for (size_t i = 0; i < srv_nasset_files && i < MAX_ASSETS; i++) {
        uint64_t h = 0xcbf29ce484222325u; /* FNV-1a */
        for (size_t k = 0; k < srv_asset_files[i].len; k++)
            h = (h ^ srv_asset_files[i].data[k]) * 0x100000001b3u;
        (void)snprintf(etags[i], sizeof(etags[i]), "\"%016" PRIx64 "\"", h);
        compress_one(i);
    }
}

/* 1 when the Accept-Encoding header takes gzip (and does not refuse it with q=0). */
static int takes_gzip(const char *ae)
{
    const char *g = ae ? strstr(ae, "gzip") : NULL;
    if (!g)
        return 0;
    const char *q = strstr(g, "q=");
    size_t upto = strcspn(g, ",");
    return !(q && (size_t)(q - g) < upto && strncmp(q, "q=0", 3) == 0 && q[3] != '.');
}

int srv_asset(const char *path, const char *if_none_match, const char *accept_encoding,
              struct resp *rs)
{
    if (strcmp(path, "/") == 0)
        path = "/index.html";
    (void)pthread_once(&etags_once, compute_etags);
    for (size_t i = 0; i < srv_nasset_files && i < MAX_ASSETS; i++) {
        const struct srv_asset_file *a = &srv_asset_files[i];
        if (strcmp(a->path, path) != 0)
            continue;
        if (if_none_match && strstr(if_none_match, etags[i])) {
            resp_text(rs, 304, a->type, "", 0);
        } else if (gz[i].data && takes_gzip(accept_encoding)) {
            resp_text(rs, 200, a->type, (const char *)gz[i].data, gz[i].len);
            rs->encoding = "gzip";
        } else {
            resp_text(rs, 200, a->type, (const char *)a->data, a->len);
        }
        rs->cache = "no-cache";
        rs->etag = etags[i];
        return 1;
    }
    return 0;
}
