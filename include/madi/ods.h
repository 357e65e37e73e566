/*
 * ods.h: a streaming reader for one sheet of an OpenDocument spreadsheet (.ods, LibreOffice),
 * with the same contract as xlsx.h: rows shaped like the CSV reader's, row.line the sheet row,
 * field i column i+1, cells as text (numbers as stored, dates as YYYY-MM-DD, booleans as 1/0),
 * repeated rows and columns expanded, problems through opts->on_issue.
 */
#ifndef MADI_ODS_H
#define MADI_ODS_H

#include "madi/csv.h"
#include "madi/err.h"

struct madi_ods;

/** Open sheet `sheet` (NULL: the first) of the .ods file at `path`; errors as madi_xlsx_open. */
int madi_ods_open(const char *path, const char *sheet, const struct madi_csv_opts *opts,
                  struct madi_ods **out, struct madi_err *err);
/** The names of the spreadsheet's sheets; caller frees each and the array. */
int madi_ods_sheet_names(const char *path, char ***names, size_t *n);
int madi_ods_next(struct madi_ods *o, struct madi_csv_row *row);
const char *madi_ods_sheet(const struct madi_ods *o);
void madi_ods_close(struct madi_ods *o);

#endif
