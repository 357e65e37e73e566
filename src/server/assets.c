/*
 * assets.c: the pages, script, styles and message catalogues, served from the binary.
 */
#include <string.h>

#include <jansson.h>

#include "assets_int.h"
#include "banned.h"
#include "srv_int.h"

int srv_asset(const char *path, struct resp *rs)
{
    if (strcmp(path, "/") == 0)
        path = "/index.html";
    for (size_t i = 0; i < srv_nasset_files; i++) {
        const struct srv_asset_file *a = &srv_asset_files[i];
        if (strcmp(a->path, path) != 0)
            continue;
        resp_text(rs, 200, a->type, (const char *)a->data, a->len);
        rs->cache = "no-cache";
        return 1;
    }
    return 0;
}
