/*
 * summary.h: a short account of what a database holds, by kind, with the first SADDD
 * breakdowns (sex, age, disability) and how much of each total is disaggregated. It is what
 * `madi summary` and the demo print; the indicator engine goes further.
 */
#ifndef MADI_SUMMARY_H
#define MADI_SUMMARY_H

#include <stdio.h>

#include "madi/err.h"
#include "madi/store.h"

/** Write the summary as text for people to `out`. */
int madi_summary_write(struct madi_store *s, FILE *out, struct madi_err *err);

#endif
