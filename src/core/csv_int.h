/*
 * csv_int.h (private to libmadi and its tests): hooks into the CSV reader that only tests use.
 */
#ifndef MADI_CSV_INT_H
#define MADI_CSV_INT_H

#include <stddef.h>

#include "madi/csv.h"

/** Limit every read to `n` bytes, so tests can put any byte at a chunk edge. 0 = no limit. */
void madi_csv_test_window(struct madi_csv *r, size_t n);

#endif
