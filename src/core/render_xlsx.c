/*
 * render_xlsx.c: the report as a workbook (libxlsxwriter): a sheet of key indicators, one
 * formatted sheet per table with frozen headers and its disclosure note, and a sheet of notes.
 * Every text goes in as a string cell and nothing as a formula, so no cell can be run; a
 * suppressed cell is the marker "c", never its number.
 */
#include <stdio.h>
#include <string.h>

#include <xlsxwriter.h>

#include "madi/report.h"

#include "banned.h"
#include "report_int.h"

/* A sheet name: at most 31 characters, none of []:*?/\ (Excel's rules), unique by its number. */
static void sheet_name(size_t n, const char *title, char *out, size_t outsz)
{
    char clean[40];
    size_t j = 0;
    for (const char *p = title; *p && j < 26; p++)
        if (!strchr("[]:*?/\\'", *p) && (unsigned char)*p >= 32 && (unsigned char)*p < 127)
            clean[j++] = *p;
    while (j && clean[j - 1] == ' ')
        j--;
    clean[j] = '\0';
    (void)snprintf(out, outsz, "%02zu %.26s", n % 100, clean);
}

static void write_table(lxw_workbook *wb, const struct madi_report *r, const struct rtable *t,
                        size_t n, lxw_format *bold, lxw_format *head, lxw_format *supp,
                        lxw_format *num)
{
    char name[40];
    sheet_name(n, t->title, name, sizeof(name));
    lxw_worksheet *ws = workbook_add_worksheet(wb, name);
    if (!ws)
        return;
    worksheet_write_string(ws, 0, 0, t->title, bold);
    worksheet_write_string(ws, 1, 0, t->note, NULL);
    lxw_row_t top = 3;
    char corner[128];
    (void)snprintf(corner, sizeof(corner), "%s \\ %s", t->dims[0].label, t->dims[1].label);
    worksheet_write_string(ws, top, 0, corner, head);
    for (size_t j = 0; j < t->dims[1].ncats; j++)
        worksheet_write_string(ws, top, (lxw_col_t)(j + 1), t->dims[1].labels[j], head);
    for (size_t i = 0; i < t->dims[0].ncats; i++) {
        lxw_row_t row = (lxw_row_t)(top + 1 + i);
        worksheet_write_string(ws, row, 0, t->dims[0].labels[i], bold);
        for (size_t j = 0; j < t->dims[1].ncats; j++) {
            size_t c = i * t->dims[1].ncats + j;
            lxw_col_t col = (lxw_col_t)(j + 1);
            if (t->status[c] == CS_OK)
                worksheet_write_number(ws, row, col, t->value[c], num);
            else
                worksheet_write_string(ws, row, col, t->status[c] == CS_SUPPRESSED ? "c" : "-",
                                       t->status[c] == CS_SUPPRESSED ? supp : NULL);
        }
    }
    lxw_row_t foot = (lxw_row_t)(top + 2 + t->dims[0].ncats);
    if (r->o.audience == MADI_AUDIENCE_PUBLIC)
        worksheet_write_string(ws, foot, 0,
                               "c: not published (a small count, or a cell that would let one "
                               "be worked out). _U: unknown or not recorded.",
                               NULL);
    else
        worksheet_write_string(ws, foot, 0, "INTERNAL: NOT FOR PUBLICATION", bold);
    worksheet_set_column(ws, 0, 0, 30, NULL);
    worksheet_set_column(ws, 1, (lxw_col_t)t->dims[1].ncats, 14, NULL);
    worksheet_freeze_panes(ws, top + 1, 1);
}

int madi_report_write_xlsx(const struct madi_report *r, const char *path, struct madi_err *err)
{
    lxw_workbook *wb = workbook_new(path);
    if (!wb)
        return madi_err_set(err, MADI_EIO, "cannot create %s", path);
    lxw_format *bold = workbook_add_format(wb), *head = workbook_add_format(wb);
    lxw_format *supp = workbook_add_format(wb), *num = workbook_add_format(wb);
    format_set_bold(bold);
    format_set_bold(head);
    format_set_bg_color(head, 0xE8EEF5);
    format_set_bottom(head, LXW_BORDER_THIN);
    format_set_font_color(supp, 0x7A0000);
    format_set_align(supp, LXW_ALIGN_RIGHT);
    format_set_num_format(num, "#,##0");
    lxw_worksheet *ws = workbook_add_worksheet(wb, "Indicators");
    static const char *const cols[] = { "id",          "indicator",   "pillar",        "value",
                                        "unit",        "status",      "a year before", "target",
                                        "target year", "target state" };
    for (size_t c = 0; c < 10; c++)
        worksheet_write_string(ws, 0, (lxw_col_t)c, cols[c], head);
    for (size_t i = 0; i < r->nkpi; i++) {
        const struct rkpi *k = &r->kpi[i];
        lxw_row_t row = (lxw_row_t)(i + 1);
        worksheet_write_string(ws, row, 0, k->def->id, NULL);
        worksheet_write_string(ws, row, 1, k->def->title, NULL);
        worksheet_write_string(ws, row, 2, k->def->pillar, NULL);
        if (k->status == CS_OK)
            worksheet_write_number(ws, row, 3, k->value, NULL);
        else
            worksheet_write_string(ws, row, 3, k->status == CS_SUPPRESSED ? "c" : "-",
                                   k->status == CS_SUPPRESSED ? supp : NULL);
        worksheet_write_string(ws, row, 4, madi_ind_unit_name(k->def->unit), NULL);
        worksheet_write_string(ws, row, 5,
                               k->status == CS_OK ? "ok"
                               : k->why[0]        ? k->why
                                                  : "c",
                               NULL);
        if (k->has_prev)
            worksheet_write_number(ws, row, 6, k->prev, NULL);
        if (k->has_target) {
            worksheet_write_number(ws, row, 7, k->target, NULL);
            worksheet_write_number(ws, row, 8, k->target_year, NULL);
            worksheet_write_string(ws, row, 9, madi_target_state_name(k->target_state), NULL);
        }
    }
    worksheet_set_column(ws, 0, 0, 34, NULL);
    worksheet_set_column(ws, 1, 1, 70, NULL);
    worksheet_freeze_panes(ws, 1, 2);
    for (size_t i = 0; i < r->nt; i++)
        if (r->t[i].ncells)
            write_table(wb, r, &r->t[i], i + 1, bold, head, supp, num);
    lxw_worksheet *notes = workbook_add_worksheet(wb, "Notes");
    char line[300];
    worksheet_write_string(notes, 0, 0, r->title, bold);
    (void)snprintf(line, sizeof(line), "Period: %s. Audience: %s.", r->o.period.label,
                   r->o.audience == MADI_AUDIENCE_PUBLIC ? "public"
                                                         : "internal, not for publication");
    worksheet_write_string(notes, 1, 0, line, NULL);
    if (r->o.audience == MADI_AUDIENCE_PUBLIC) {
        (void)snprintf(line, sizeof(line),
                       "Disclosure control: no count of 1 to %ld is published, nor a share of one; "
                       "%zu cells were suppressed as small and %zu more so that none of them "
                       "can be worked out, exactly or to within a narrow interval, from this "
                       "workbook's tables.",
                       r->k - 1, r->primary, r->secondary);
        worksheet_write_string(notes, 2, 0, line, NULL);
    }
    lxw_error e = workbook_close(wb);
    if (e != LXW_NO_ERROR)
        return madi_err_set(err, MADI_EIO, "cannot write %s: %s", path, lxw_strerror(e));
    return MADI_OK;
}
