/*
 * fuzz_csv.c: the CSV reader must never crash, leak or read out of bounds, whatever the bytes,
 * the delimiter or the caps. Built with libFuzzer under clang (make fuzz), or replayed over
 * fuzz/corpus/csv/ by fuzz/replay.c under ctest.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "madi/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void ignore(void *ctx, unsigned long line, unsigned col, int fatal, const char *msg)
{
    size_t *n = ctx;
    (void)line;
    (void)col;
    (void)fatal;
    *n += strlen(msg) > 0;
}

static void run(const uint8_t *data, size_t size, char delim, size_t max_field, size_t max_record)
{
    size_t issues = 0;
    struct madi_csv_opts o = { delim, max_field, max_record, ignore, &issues };
    struct madi_csv *r = madi_csv_from_mem(data, size, &o);
    struct madi_csv_row row;
    int rc;
    unsigned long last = 0;
    while ((rc = madi_csv_next(r, &row)) == 1) {
        /* Invariants: lines never go backwards; fields are NUL-terminated at their length. */
        if (row.line < last)
            __builtin_trap();
        last = row.line;
        for (size_t i = 0; i < row.n; i++)
            if (row.fields[i].p[row.fields[i].len] != '\0' ||
                (max_field && row.fields[i].len > max_field))
                __builtin_trap();
    }
    if (rc > 0)
        __builtin_trap();
    madi_csv_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char delims[] = { 0, ',', ';', '\t' };
    for (size_t i = 0; i < sizeof(delims); i++)
        run(data, size, delims[i], 0, 0);
    run(data, size, 0, 64, 256);
    run(data, size, ';', 3, 8);
    return 0;
}
