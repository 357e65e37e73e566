/*
 * replay.c: runs a fuzz target over every file of a corpus folder, for builds without libFuzzer
 * (gcc, sanitizers on), so that the corpus is a regression test under ctest. A crash or a
 * sanitizer report fails the test; a file that cannot be read counts as failed. Ends with
 * "N passed, M failed".
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "banned.h"
#include "xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read all of `path` into a new buffer (caller frees); returns 0, or -1 if it cannot. */
static int slurp(const char *path, uint8_t **out, size_t *len)
{
    int rc = 0;
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0, got;

    *out = NULL;
    *len = 0;
    if (!f) {
        rc = -1;
        goto done;
    }
    do {
        if (n == cap) {
            cap = cap ? cap * 2 : 4096;
            buf = xrealloc(buf, cap);
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
    } while (got > 0);
    if (ferror(f)) {
        rc = -1;
        goto done;
    }
    *out = buf;
    *len = n;
    buf = NULL;
done:
    free(buf);
    if (f)
        (void)fclose(f);
    return rc;
}

int main(int argc, char **argv)
{
    int rc = 0;
    DIR *d = NULL;
    struct dirent *e;
    unsigned passed = 0, failed = 0;

    if (argc != 2) {
        (void)fprintf(stderr, "usage: %s CORPUS-FOLDER\n", argv[0]);
        rc = 2;
        goto done;
    }
    d = opendir(argv[1]);
    if (!d) {
        (void)fprintf(stderr, "cannot open %s\n", argv[1]);
        rc = 2;
        goto done;
    }
    while ((e = readdir(d)) != NULL) {
        char path[4096];
        struct stat st;
        uint8_t *data;
        size_t len;
        if (e->d_name[0] == '.')
            continue;
        (void)snprintf(path, sizeof(path), "%s/%s", argv[1], e->d_name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (slurp(path, &data, &len) != 0) {
            (void)fprintf(stderr, "cannot read %s\n", path);
            failed++;
            continue;
        }
        /* A copy of exactly `len` bytes, so that ASan sees any read past the end. */
        uint8_t *exact = xmalloc(len);
        if (len)
            memcpy(exact, data, len);
        free(data);
        (void)LLVMFuzzerTestOneInput(exact, len);
        free(exact);
        passed++;
    }
    if (passed + failed == 0) {
        (void)fprintf(stderr, "no files in %s\n", argv[1]);
        rc = 1;
    }
    (void)printf("%u passed, %u failed\n", passed, failed);
    if (failed)
        rc = 1;
done:
    if (d)
        (void)closedir(d);
    return rc;
}
