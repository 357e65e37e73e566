/*
 * fuzz_rowstore.c: the block decoder (rowstore.c) must refuse or read within bounds whatever
 * bytes a block holds: a damaged database, or one edited by hand, can hand it anything.
 *
 * Each input is taken as a block of the eore-attendance layout: opened, and when it opens,
 * every integer column decoded and every text column opened and read row by row. Inputs that
 * start with a valid header and directory reach the column decoders; the corpus holds real
 * blocks (with runs, sequences, packed values, null bitmaps, numbered and raw text) to start
 * from. Built with libFuzzer under clang (make fuzz), or replayed over fuzz/corpus/rowstore/
 * by fuzz/replay.c under ctest.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "madi/kind.h"

#include "banned.h"
#include "rowstore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct rs_layout L;
    static int64_t v[RS_BLOCK_ROWS];
    static uint64_t nulls[RS_BLOCK_ROWS / 64];
    if (!L.kind)
        rs_layout_init(&L, madi_kind_find("eore-attendance"));
    /* A copy of exactly `size` bytes, so that any read past the end is caught. */
    unsigned char *p = malloc(size ? size : 1);
    if (!p)
        return 0;
    memcpy(p, data, size);
    struct rs_block b;
    if (rs_block_open(&b, p, size, &L) == 0) {
        for (size_t c = 0; c < L.ncols; c++) {
            if (!L.cols[c].text) {
                (void)rs_block_ints(&b, c, v, nulls);
                continue;
            }
            struct rs_text t;
            if (rs_text_open(&t, &b, c) != 0)
                continue;
            for (size_t i = 0; i <= b.nrows; i++) {
                const char *s = NULL;
                size_t n = 0;
                if (rs_text_get(&t, i, &s, &n) == 1 && n && s[n - 1] == '\x7f')
                    v[0] ^= 1; /* touch the last byte */
            }
            rs_text_close(&t);
        }
    }
    free(p);
    return 0;
}
