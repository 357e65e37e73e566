/*
 * Unit tests for xlsx.c. Workbooks are made at test time: with libxlsxwriter for what Excel
 * writes (shared strings, number formats, formulas with cached values, hidden sheets), and
 * part by part with libzip for what it cannot make (a formula with no stored value, an error
 * cell, cells without references, damaged XML). Expected values are worked out by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <xlsxwriter.h>
#include <zip.h>

#include "madi/xlsx.h"

static char dir[] = "/tmp/madi-test-xlsx-XXXXXX";

struct issues {
    int n, fatal;
    unsigned long line[8];
    unsigned col[8];
    char msg[8][300];
};

static void on_issue(void *ctx, unsigned long line, unsigned col, int fatal, const char *msg)
{
    struct issues *is = ctx;
    if (is->n < 8) {
        is->line[is->n] = line;
        is->col[is->n] = col;
        (void)snprintf(is->msg[is->n], sizeof(is->msg[0]), "%s", msg);
    }
    is->n++;
    is->fatal |= fatal;
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    (void)snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd);
}

static struct madi_xlsx *open_sheet(const char *path, const char *sheet, struct issues *is,
                                    int want_rc)
{
    struct madi_csv_opts o = { 0 };
    struct madi_err err;
    struct madi_xlsx *x = NULL;
    memset(is, 0, sizeof(*is));
    o.on_issue = on_issue;
    o.issue_ctx = is;
    int rc = madi_xlsx_open(path, sheet, &o, &x, &err);
    if (rc != want_rc)
        fail_msg("madi_xlsx_open(%s) = %d: %s", path, rc, err.msg);
    return x;
}

/* A workbook as Excel writes one. */
static void make_excel_like(const char *path)
{
    lxw_workbook *wb = workbook_new(path);
    lxw_worksheet *hidden = workbook_add_worksheet(wb, "Notes");
    lxw_worksheet *ws = workbook_add_worksheet(wb, "EORE");
    lxw_format *date = workbook_add_format(wb);
    format_set_num_format(date, "dd/mm/yyyy");
    lxw_format *iso = workbook_add_format(wb);
    format_set_num_format_index(iso, 14);
    worksheet_write_string(hidden, 0, 0, "not this one", NULL);
    worksheet_hide(hidden);
    worksheet_activate(ws);
    worksheet_write_string(ws, 0, 0, "session_id", NULL);
    worksheet_write_string(ws, 0, 1, "date", NULL);
    worksheet_write_string(ws, 0, 2, "participants", NULL);
    worksheet_write_string(ws, 0, 4, "flag", NULL); /* column D left empty */
    worksheet_write_string(ws, 1, 0, "S-1", NULL);
    worksheet_write_number(ws, 1, 1, 45730, date); /* 2025-03-14 */
    worksheet_write_number(ws, 1, 2, 120, NULL);
    worksheet_write_boolean(ws, 1, 4, 1, NULL);
    /* row 3 left empty; row 4 */
    worksheet_write_string(ws, 3, 0, "S-2", NULL);
    worksheet_write_number(ws, 3, 1, 61, iso); /* 1900-03-01 */
    worksheet_write_formula_num(ws, 3, 2, "=40+5", NULL, 45);
    worksheet_write_number(ws, 3, 3, 12.5, NULL);
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
}

static void test_excel_like_workbook(void **state)
{
    (void)state;
    char path[256];
    (void)snprintf(path, sizeof(path), "%s/excel.xlsx", dir);
    make_excel_like(path);
    struct issues is;
    struct madi_csv_row row;
    struct madi_xlsx *x = open_sheet(path, NULL, &is, MADI_OK);
    assert_string_equal(madi_xlsx_sheet(x), "EORE"); /* the hidden sheet is skipped */
    assert_int_equal(madi_xlsx_next(x, &row), 1);
    assert_int_equal(row.line, 1);
    assert_int_equal(row.n, 5);
    assert_string_equal(row.fields[0].p, "session_id");
    assert_int_equal(row.fields[3].len, 0);
    assert_string_equal(row.fields[4].p, "flag");
    assert_int_equal(madi_xlsx_next(x, &row), 1);
    assert_int_equal(row.line, 2);
    assert_string_equal(row.fields[1].p, "2025-03-14");
    assert_string_equal(row.fields[2].p, "120");
    assert_string_equal(row.fields[4].p, "1");
    assert_int_equal(madi_xlsx_next(x, &row), 1);
    assert_int_equal(row.line, 4); /* the empty row 3 is skipped */
    assert_string_equal(row.fields[0].p, "S-2");
    assert_string_equal(row.fields[1].p, "1900-03-01");
    assert_string_equal(row.fields[2].p, "45"); /* the formula's cached value */
    assert_string_equal(row.fields[3].p, "12.5");
    assert_int_equal(row.n, 4);
    assert_int_equal(madi_xlsx_next(x, &row), 0);
    assert_int_equal(madi_xlsx_next(x, &row), 0);
    assert_int_equal(is.n, 0);
    madi_xlsx_close(x);
    /* The hidden sheet can be named. */
    x = open_sheet(path, "Notes", &is, MADI_OK);
    assert_int_equal(madi_xlsx_next(x, &row), 1);
    assert_string_equal(row.fields[0].p, "not this one");
    madi_xlsx_close(x);
    struct madi_err err;
    struct madi_csv_opts o = { 0 };
    assert_int_equal(madi_xlsx_open(path, "Nope", &o, &x, &err), MADI_ENOTFOUND);
    assert_non_null(strstr(err.msg, "'EORE'"));
    assert_non_null(strstr(err.msg, "'Notes' (hidden)"));
}

/* A workbook written part by part, with a given sheet XML. */
static void make_raw(const char *path, const char *sheet_xml)
{
    static const char *wb = "<?xml version=\"1.0\"?><workbook "
                            "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/"
                            "relationships\"><sheets><sheet name=\"S\" sheetId=\"1\" "
                            "r:id=\"rId1\"/></sheets></workbook>";
    static const char *rels = "<?xml version=\"1.0\"?><Relationships><Relationship Id=\"rId1\" "
                              "Target=\"worksheets/sheet1.xml\"/></Relationships>";
    int e = 0;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &e);
    assert_non_null(z);
    const char *names[] = { "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                            "xl/worksheets/sheet1.xml" };
    const char *data[] = { wb, rels, sheet_xml };
    for (int i = 0; i < 3; i++) {
        zip_source_t *src = zip_source_buffer(z, data[i], strlen(data[i]), 0);
        assert_non_null(src);
        assert_true(zip_file_add(z, names[i], src, ZIP_FL_OVERWRITE) >= 0);
    }
    assert_int_equal(zip_close(z), 0);
}

static void test_problem_cells(void **state)
{
    (void)state;
    char path[256];
    (void)snprintf(path, sizeof(path), "%s/raw.xlsx", dir);
    make_raw(path, "<worksheet><sheetData>"
                   "<row r=\"1\"><c t=\"inlineStr\"><is><t>a</t></is></c><c t=\"inlineStr\"><is>"
                   "<t>b &amp; c</t></is></c></row>"
                   "<row r=\"2\"><c r=\"A2\"><f>SUM(X1:X9)</f></c><c r=\"B2\" t=\"e\"><v>#DIV/0!"
                   "</v></c></row>"
                   "<row r=\"3\"><c r=\"AA3\" t=\"s\"><v>7</v></c></row>"
                   "<row r=\"4\"><c r=\"B4\"><v>5</v></c></row>"
                   "</sheetData></worksheet>");
    struct issues is;
    struct madi_csv_row row;
    struct madi_xlsx *x = open_sheet(path, NULL, &is, MADI_OK);
    assert_int_equal(madi_xlsx_next(x, &row), 1);
    assert_int_equal(row.n, 2); /* cells without r follow one another */
    assert_string_equal(row.fields[1].p, "b & c");
    assert_int_equal(madi_xlsx_next(x, &row), 1);
    assert_int_equal(row.bad, 1);
    assert_int_equal(is.n, 2);
    assert_int_equal(is.line[0], 2);
    assert_int_equal(is.col[0], 1);
    assert_non_null(strstr(is.msg[0], "no stored value"));
    assert_int_equal(is.col[1], 2);
    assert_non_null(strstr(is.msg[1], "#DIV/0!"));
    assert_int_equal(madi_xlsx_next(x, &row), 1); /* AA3: a shared string that is not there */
    assert_int_equal(row.bad, 1);
    assert_int_equal(is.col[2], 27);
    assert_int_equal(madi_xlsx_next(x, &row), 1);
    assert_int_equal(row.line, 4);
    assert_int_equal(row.fields[0].len, 0);
    assert_string_equal(row.fields[1].p, "5");
    assert_int_equal(madi_xlsx_next(x, &row), 0);
    madi_xlsx_close(x);

    make_raw(path, "<worksheet><sheetData><row r=\"1\"><c r=\"A1\"><v>1</v></c></row><row");
    x = open_sheet(path, NULL, &is, MADI_OK);
    assert_int_equal(madi_xlsx_next(x, &row), 1);
    assert_int_equal(madi_xlsx_next(x, &row), MADI_EPARSE);
    assert_true(is.fatal);
    assert_non_null(strstr(is.msg[0], "damaged"));
    madi_xlsx_close(x);
}

/* Strict-mode writers store dates as ISO 8601 text in t="d" cells; the date part is kept. */
static void test_iso_date_cells(void **state)
{
    (void)state;
    char path[256];
    (void)snprintf(path, sizeof(path), "%s/dates.xlsx", dir);
    make_raw(path, "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"d\"><v>"
                   "2026-03-14T00:00:00</v></c><c r=\"B1\" t=\"d\"><v>2025-12-01</v></c>"
                   "</row></sheetData></worksheet>");
    struct issues is;
    struct madi_csv_row row;
    struct madi_xlsx *x = open_sheet(path, NULL, &is, MADI_OK);
    assert_int_equal(madi_xlsx_next(x, &row), 1);
    assert_int_equal(row.n, 2);
    assert_int_equal(row.fields[0].len, 10);
    assert_memory_equal(row.fields[0].p, "2026-03-14", 10);
    assert_int_equal(row.fields[1].len, 10);
    assert_memory_equal(row.fields[1].p, "2025-12-01", 10);
    assert_int_equal(is.n, 0);
    assert_int_equal(madi_xlsx_next(x, &row), 0);
    madi_xlsx_close(x);
}

/* Hostile XML: entity expansion (billion laughs) and invalid UTF-8 are refused, not obeyed. */
static void test_hostile_xml(void **state)
{
    (void)state;
    char path[256];
    struct issues is;
    struct madi_csv_row row;
    (void)snprintf(path, sizeof(path), "%s/laughs.xlsx", dir);
    make_raw(path,
             "<?xml version=\"1.0\"?><!DOCTYPE w [<!ENTITY a \"aaaaaaaaaa\">"
             "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;"
             "&b;&b;\"><!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\"><!ENTITY e \"&d;&d;&d;&d;"
             "&d;&d;&d;&d;&d;&d;\"><!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\"><!ENTITY g "
             "\"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\"><!ENTITY h \"&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;\">]>"
             "<worksheet><sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>&h;</t></is></c>"
             "</row></sheetData></worksheet>");
    struct madi_xlsx *x = open_sheet(path, NULL, &is, MADI_OK);
    int rc = madi_xlsx_next(x, &row);
    /* expat refuses the amplification, or the cell cap stops it: never 100 MB in memory */
    if (rc == 1)
        assert_true(row.bad || row.fields[0].len <= MADI_CSV_DEFAULT_MAX_FIELD);
    else
        assert_int_equal(rc, MADI_EPARSE);
    madi_xlsx_close(x);

    (void)snprintf(path, sizeof(path), "%s/utf8.xlsx", dir);
    make_raw(path, "<worksheet><sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>ok \xff\xfe"
                   "</t></is></c></row></sheetData></worksheet>");
    x = open_sheet(path, NULL, &is, MADI_OK);
    assert_int_equal(madi_xlsx_next(x, &row), MADI_EPARSE);
    assert_non_null(strstr(is.msg[0], "damaged"));
    madi_xlsx_close(x);
}

static void test_not_a_workbook(void **state)
{
    (void)state;
    char path[256];
    struct issues is;
    (void)snprintf(path, sizeof(path), "%s/text.xlsx", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    (void)fputs("a,b\n", f);
    assert_int_equal(fclose(f), 0);
    assert_null(open_sheet(path, NULL, &is, MADI_EPARSE));
    (void)snprintf(path, sizeof(path), "%s/empty.zip", dir);
    int e = 0;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &e);
    zip_source_t *src = zip_source_buffer(z, "x", 1, 0);
    assert_true(zip_file_add(z, "content.xml", src, 0) >= 0);
    assert_int_equal(zip_close(z), 0);
    assert_null(open_sheet(path, NULL, &is, MADI_EPARSE));
    char name[8];
    madi_xlsx_column_name(1, name);
    assert_string_equal(name, "A");
    madi_xlsx_column_name(26, name);
    assert_string_equal(name, "Z");
    madi_xlsx_column_name(27, name);
    assert_string_equal(name, "AA");
    madi_xlsx_column_name(16384, name);
    assert_string_equal(name, "XFD");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_excel_like_workbook), cmocka_unit_test(test_problem_cells),
        cmocka_unit_test(test_iso_date_cells),      cmocka_unit_test(test_hostile_xml),
        cmocka_unit_test(test_not_a_workbook),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
