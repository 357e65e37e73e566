/*
 * report.h: one period's report, built once and written in any format.
 *
 * Building computes the report's tables (counts of people by sex and age, by area, by group,
 * per pillar) and its key indicators from the catalogue, and, for the public audience, runs
 * disclosure control (sdc.h) over every table of the report at once. Writers only ever see the
 * protected numbers: a suppressed cell has no value in the model, so no format can print it,
 * and every chart is drawn from the same protected cells.
 *
 * Formats: a self-contained HTML file (inline CSS and SVG charts with text alternatives, print
 * styles, no script); Markdown; JSON (a JSON-stat 2.0 collection: one dataset per table, _T
 * totals and _U unknowns, suppressed cells null with status "c", extension.measure naming the
 * quantity); CSV with an HXL hashtag row. Text that a spreadsheet could run as a formula is
 * neutralised in CSV.
 *
 * Not thread-safe (one store per thread).
 */
#ifndef MADI_REPORT_H
#define MADI_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "madi/err.h"
#include "madi/indicators.h"
#include "madi/store.h"

enum madi_audience {
    MADI_AUDIENCE_PUBLIC,  /* disclosure control on every figure */
    MADI_AUDIENCE_INTERNAL /* everything, marked not for publication on every page */
};

enum madi_report_format { MADI_REPORT_HTML, MADI_REPORT_MD, MADI_REPORT_JSON, MADI_REPORT_CSV };

struct madi_report_opts {
    struct madi_period period;
    enum madi_audience audience;
    long k;           /* suppression threshold (0 = MADI_SDC_K_DEFAULT) */
    const char *area; /* as for indicators, or NULL */
    const char *org;
    int32_t today;     /* yyyymmdd (0 = the clock) */
    const char *title; /* the report's title, or NULL for the default */
};

struct madi_report;

/**
 * Build the report for `o` from the store and the catalogue. Caller owns *out; free with
 * madi_report_free. Errors are store failures and bad filters (MADI_EINVAL).
 */
int madi_report_build(struct madi_store *s, const struct madi_ind_catalogue *c,
                      const struct madi_report_opts *o, struct madi_report **out,
                      struct madi_err *err);

/**
 * Write the report as an .xlsx workbook at `path`: a sheet of key indicators, one formatted sheet
 * per table (frozen headers, the disclosure note), and notes. Text is never a formula.
 */
int madi_report_write_xlsx(const struct madi_report *r, const char *path, struct madi_err *err);

/** Write the report in `f` to `out`. MADI_EIO when writing fails. */
int madi_report_write(const struct madi_report *r, enum madi_report_format f, FILE *out,
                      struct madi_err *err);

void madi_report_free(struct madi_report *r);

/** Tables, and cells suppressed (primary, secondary), for the front doors' summaries. */
size_t madi_report_tables(const struct madi_report *r);
size_t madi_report_suppressed(const struct madi_report *r, int secondary);

/**
 * The report's charts, for a dashboard: fn gets each table's dataset id (its bars or pyramid)
 * and "kpi:ID" for each key indicator drawn against its target, with a title and the section.
 */
void madi_report_charts(const struct madi_report *r,
                        void (*fn)(void *ctx, const char *id, const char *title,
                                   const char *section),
                        void *ctx);
/**
 * Write chart `id` (as madi_report_charts names it) as a standalone SVG document, with its
 * styles inside: the same drawing, from the same protected cells, as in the HTML report.
 * MADI_ENOTFOUND when the report has no such chart.
 */
int madi_report_write_svg(const struct madi_report *r, const char *id, FILE *out,
                          struct madi_err *err);

/** Parse "html", "md", "json" or "csv"; -1 when it is none of them. */
int madi_report_format_parse(const char *s);

#endif
