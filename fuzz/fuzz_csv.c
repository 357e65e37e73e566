/*
 * fuzz_csv.c: the CSV reader must never crash, leak or read out of bounds, whatever the bytes,
 * the delimiter or the caps, and must give the same answer wherever the read windows end.
 *
 * Each input is read with every delimiter setting (detect, ',', ';', tab) and three sets of
 * caps (the defaults, 64/256 and a tiny 3/8). Each of those runs happens three times: with the
 * whole input as one window (so fast_record() takes most records), and with windows of 1 and 5
 * bytes (so the general path takes them, across window edges). The rows, issues and return codes
 * are hashed, and the three hashes must agree. The returned rows are also checked against the
 * contract: NUL-terminated fields within the caps, lines that only go forward, a sticky end.
 *
 * Built with libFuzzer under clang (make fuzz), or replayed over fuzz/corpus/csv/ by
 * fuzz/replay.c under ctest.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "madi/csv.h"

#include "banned.h"
#include "csv_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Not in csv.h on purpose: a test hook of csv.c. */

struct trace {
    uint64_t h; /* FNV-1a over everything the reader said */
    int fatal_seen;
};

static void mix(struct trace *t, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) {
        t->h ^= s[i];
        t->h *= 0x100000001b3ull;
    }
}

static void mix_u64(struct trace *t, unsigned long long v)
{
    mix(t, &v, sizeof(v));
}

static void fail(const char *what)
{
    (void)fprintf(stderr, "fuzz_csv: %s\n", what);
    abort();
}

static void on_issue(void *ctx, unsigned long line, unsigned col, int fatal, const char *msg)
{
    struct trace *t = ctx;
    if (line == 0 || !msg || !*msg)
        fail("an issue without a line or a message");
    if (t->fatal_seen)
        fail("an issue after a fatal one");
    t->fatal_seen |= fatal;
    mix_u64(t, line);
    mix_u64(t, col);
    mix_u64(t, (unsigned long long)fatal);
    mix(t, msg, strlen(msg));
}

static uint64_t run(const uint8_t *data, size_t size, char delim, size_t max_field,
                    size_t max_record, size_t window)
{
    struct trace t = { 0xcbf29ce484222325ull, 0 };
    struct madi_csv_opts o = { delim, max_field, max_record, on_issue, &t };
    struct madi_csv *r = madi_csv_from_mem(data, size, &o);
    struct madi_csv_row row;
    size_t cap_field = max_field ? max_field : MADI_CSV_DEFAULT_MAX_FIELD;
    size_t cap_record = max_record ? max_record : MADI_CSV_DEFAULT_MAX_RECORD;
    unsigned long last = 0;
    int rc;

    if (cap_field > cap_record)
        cap_field = cap_record;
    if (window)
        madi_csv_test_window(r, window);
    while ((rc = madi_csv_next(r, &row)) == 1) {
        size_t total = 0;
        if (row.line <= last)
            fail("a record does not start on a later line than the one before");
        last = row.line;
        mix_u64(&t, row.line);
        mix_u64(&t, row.n);
        mix_u64(&t, (unsigned long long)row.bad);
        for (size_t i = 0; i < row.n; i++) {
            const struct madi_csv_field *f = &row.fields[i];
            if (f->p[f->len] != '\0' || f->len > cap_field)
                fail("a field is not NUL-terminated or is over max_field");
            if (f->line < (i ? row.fields[i - 1].line : row.line))
                fail("a field starts on a line before the field or record before it");
            total += f->len + (i > 0);
            mix_u64(&t, f->line);
            mix_u64(&t, f->len);
            mix(&t, f->p, f->len);
        }
        if (total > cap_record)
            fail("a record is over max_record");
        if (row.n == 0 && !row.bad)
            fail("a record with no fields that is not marked bad");
    }
    if (rc != 0 && rc != MADI_EPARSE)
        fail("madi_csv_next returned something other than 1, 0 or MADI_EPARSE from memory");
    if ((rc == MADI_EPARSE) != t.fatal_seen)
        fail("MADI_EPARSE without a fatal issue, or a fatal issue without MADI_EPARSE");
    if (madi_csv_next(r, &row) != rc || row.n != 0)
        fail("the end is not sticky");
    if (rc == 0 && madi_csv_bytes_read(r) != size)
        fail("the end came before the last byte");
    mix_u64(&t, (unsigned long long)(rc + 100));
    mix_u64(&t, madi_csv_bytes_read(r));
    mix_u64(&t, (unsigned long long)(unsigned char)madi_csv_delimiter(r));
    mix_u64(&t, (unsigned long long)madi_csv_had_bom(r));
    madi_csv_close(r);
    return t.h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char delims[] = { 0, ',', ';', '\t' };
    static const size_t caps[][2] = { { 0, 0 }, { 64, 256 }, { 3, 8 } };

    for (size_t d = 0; d < sizeof(delims); d++) {
        for (size_t c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
            uint64_t whole = run(data, size, delims[d], caps[c][0], caps[c][1], 0);
            if (run(data, size, delims[d], caps[c][0], caps[c][1], 1) != whole ||
                run(data, size, delims[d], caps[c][0], caps[c][1], 5) != whole)
                fail("reading in small windows gave another answer than reading all at once");
        }
    }
    return 0;
}
