/*
 * xlsform.h: an XLSForm for a kind, so a centre can publish it on KoBoToolbox or ODK Central and
 * the exports it gets back import with no mapping: question names are madi's column names,
 * choices are madi's codes, and the form enforces what import checks (counts >= 0, parts <=
 * total, ages 0-120, person keys as 16 hex digits). Written with libxlsxwriter.
 */
#ifndef MADI_XLSFORM_H
#define MADI_XLSFORM_H

#include "madi/err.h"
#include "madi/kind.h"

/**
 * Write the XLSForm of `k` (sheets survey, choices and settings) to `path`.
 * MADI_EIO when the file cannot be written.
 */
int madi_xlsform_write(const struct madi_kind *k, const char *path, struct madi_err *err);

#endif
