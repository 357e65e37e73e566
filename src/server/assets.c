/*
 * assets.c: the pages, script, styles and message catalogues, served from the binary.
 *
 * Each carries an ETag (a hash of its bytes, worked out once); a browser that already has it
 * gets 304 and no body, so a slow link carries the interface once per version of madi.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "assets_int.h"
#include "banned.h"
#include "srv_int.h"

#define MAX_ASSETS 64

static char etags[MAX_ASSETS][24];
static pthread_once_t etags_once = PTHREAD_ONCE_INIT;

static void compute_etags(void)
{
    for (size_t i = 0; i < srv_nasset_files && i < MAX_ASSETS; i++) {
        uint64_t h = 0xcbf29ce484222325u; /* FNV-1a */
        for (size_t k = 0; k < srv_asset_files[i].len; k++)
            h = (h ^ srv_asset_files[i].data[k]) * 0x100000001b3u;
        (void)snprintf(etags[i], sizeof(etags[i]), "\"%016" PRIx64 "\"", h);
    }
}

int srv_asset(const char *path, const char *if_none_match, struct resp *rs)
{
    if (strcmp(path, "/") == 0)
        path = "/index.html";
    (void)pthread_once(&etags_once, compute_etags);
    for (size_t i = 0; i < srv_nasset_files && i < MAX_ASSETS; i++) {
        const struct srv_asset_file *a = &srv_asset_files[i];
        if (strcmp(a->path, path) != 0)
            continue;
        if (if_none_match && strstr(if_none_match, etags[i]))
            resp_text(rs, 304, a->type, "", 0);
        else
            resp_text(rs, 200, a->type, (const char *)a->data, a->len);
        rs->cache = "no-cache";
        rs->etag = etags[i];
        return 1;
    }
    return 0;
}
