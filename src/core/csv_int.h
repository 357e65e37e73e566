/*
 * csv_int.h (private to libmadi and its tests): hooks into the CSV reader that only tests use.
 */
#ifndef MADI_CSV_INT_H
#define MADI_CSV_INT_H

#include <stddef.h>

#include "madi/csv.h"

/** Limit every read to `n` bytes, so tests can put any byte at a chunk edge. 0 = no limit. */
void madi_csv_test_window(struct madi_csv *r, size_t n);

/** 1 when s[0..n) is well-formed UTF-8 without NUL bytes (what the reader accepts in a field),
 * for text that did not come through the reader (opened sealed cells). */
int csv_text_ok(const char *s, size_t n);

#endif
