/*
 * fuzz_xlsx.c: the workbook readers (.xlsx and .ods) must never crash or leak on any file,
 * damaged ZIP or XML included. Each input is written to a temporary file and read with both.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "madi/ods.h"
#include "madi/xlsx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[] = "/tmp/madi-fuzz-xlsx-XXXXXX";

static void cleanup(void)
{
    (void)unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        int fd = mkstemp(path);
        if (fd < 0 || close(fd) != 0)
            abort();
        (void)atexit(cleanup);
        ready = 1;
    }
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
    struct madi_csv_opts o = { 0 };
    o.max_field = 256;
    struct madi_xlsx *x = NULL;
    struct madi_err err;
    if (madi_xlsx_open(path, NULL, &o, &x, &err) == MADI_OK) {
        struct madi_csv_row row;
        while (madi_xlsx_next(x, &row) == 1)
            for (size_t i = 0; i < row.n; i++)
                if (row.fields[i].p[row.fields[i].len] != '\0')
                    __builtin_trap();
        madi_xlsx_close(x);
    }
    struct madi_ods *d = NULL;
    if (madi_ods_open(path, NULL, &o, &d, &err) == MADI_OK) {
        struct madi_csv_row row;
        while (madi_ods_next(d, &row) == 1)
            for (size_t i = 0; i < row.n; i++)
                if (row.fields[i].p[row.fields[i].len] != '\0')
                    __builtin_trap();
        madi_ods_close(d);
    }
    return 0;
}
