/*
 * replay.c: runs a fuzz target over every file of a corpus folder, for builds without libFuzzer
 * (gcc, sanitizers on). Prints "N passed, 0 failed"; a crash fails the ctest test.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
    if (argc != 2) {
        (void)fprintf(stderr, "usage: %s CORPUS-DIR\n", argv[0]);
        return 2;
    }
    DIR *d = opendir(argv[1]);
    if (!d) {
        (void)fprintf(stderr, "cannot open %s\n", argv[1]);
        return 2;
    }
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        (void)snprintf(path, sizeof(path), "%s/%s", argv[1], e->d_name);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        uint8_t *buf = NULL;
        size_t len = 0, cap = 0, got;
        uint8_t tmp[65536];
        while ((got = fread(tmp, 1, sizeof(tmp), f)) > 0) {
            if (len + got > cap) {
                cap = (len + got) * 2;
                uint8_t *nb = realloc(buf, cap);
                if (!nb)
                    abort();
                buf = nb;
            }
            memcpy(buf + len, tmp, got);
            len += got;
        }
        (void)fclose(f);
        (void)LLVMFuzzerTestOneInput(buf ? buf : tmp, len);
        free(buf);
        n++;
    }
    (void)closedir(d);
    if (n == 0) {
        (void)fprintf(stderr, "empty corpus %s\n", argv[1]);
        return 1;
    }
    (void)printf("%d passed, 0 failed\n", n);
    return 0;
}
