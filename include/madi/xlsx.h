/*
 * xlsx.h: a streaming reader for one sheet of an Office Open XML workbook (.xlsx), giving rows
 * of the same shape as the CSV reader's (csv.h), so the importer treats both alike.
 *
 * Cells become text as a user sees them: shared and inline strings, numbers as written, TRUE and
 * FALSE as 1 and 0, and numbers whose cell style is a date as YYYY-MM-DD (Excel's 1900 date
 * system). A formula is read by its cached value; a formula with none, and an error cell
 * (#DIV/0! ...), are reported. row.line is the spreadsheet row number and field i is column i+1
 * (A = 1); empty cells between filled ones are empty fields; trailing empty cells are absent.
 * The sheet is streamed (expat over libzip); shared strings are held in memory.
 * Problems go through opts->on_issue with the row and column of the cell. Not thread-safe.
 */
#ifndef MADI_XLSX_H
#define MADI_XLSX_H

#include "madi/csv.h"
#include "madi/err.h"

struct madi_xlsx;

/**
 * Open sheet `sheet` of the workbook at `path` (NULL: the first sheet that is not hidden).
 * MADI_EIO if the file cannot be read, MADI_EPARSE if it is not a workbook, MADI_ENOTFOUND if
 * there is no such sheet (err names the sheets there are). Caller owns *out (madi_xlsx_close).
 */
int madi_xlsx_open(const char *path, const char *sheet, const struct madi_csv_opts *opts,
                   struct madi_xlsx **out, struct madi_err *err);

/** Next non-empty row: 1, 0 at the end, or a negative MADI_E* code (reported via on_issue). */
int madi_xlsx_next(struct madi_xlsx *x, struct madi_csv_row *row);

/** The name of the sheet being read. Borrowed, valid until close. */
const char *madi_xlsx_sheet(const struct madi_xlsx *x);

/** Close; NULL is a no-op. */
void madi_xlsx_close(struct madi_xlsx *x);

/**
 * The names of the workbook's sheets (hidden ones too); caller frees each and the array. With
 * `hidden` not NULL, (*hidden)[i] is 1 for a hidden (or very hidden) sheet; caller frees it too.
 */
int madi_xlsx_sheet_names(const char *path, char ***names, unsigned char **hidden, size_t *n);

/** Write the spreadsheet name of column `col` (1 = "A", 27 = "AA") into out (8 bytes). */
void madi_xlsx_column_name(unsigned col, char out[8]);

#endif
