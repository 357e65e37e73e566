/* Unit tests for csv.c. Every expected line number, field and message is worked out by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "madi/csv.h"

struct issues {
    int n, fatal;
    unsigned long line[16];
    unsigned col[16];
    char msg[16][256];
};

static void on_issue(void *ctx, unsigned long line, unsigned col, int fatal, const char *msg)
{
    struct issues *is = ctx;
    if (is->n < 16) {
        is->line[is->n] = line;
        is->col[is->n] = col;
        (void)snprintf(is->msg[is->n], sizeof(is->msg[0]), "%s", msg);
    }
    is->n++;
    is->fatal |= fatal;
}

static struct madi_csv *mem(const char *s, size_t n, struct issues *is, size_t max_field,
                            size_t max_record)
{
    struct madi_csv_opts o = { 0 };
    o.on_issue = on_issue;
    o.issue_ctx = is;
    o.max_field = max_field;
    o.max_record = max_record;
    memset(is, 0, sizeof(*is));
    return madi_csv_from_mem(s, n, &o);
}

#define MEM(s, is) mem(s, sizeof(s) - 1, is, 0, 0)

static void test_basic_and_quotes(void **state)
{
    (void)state;
    struct issues is;
    struct madi_csv_row row;
    struct madi_csv *r = MEM("a,b,c\n\"x,1\",\"say \"\"hi\"\"\",\n", &is);
    assert_int_equal(madi_csv_next(r, &row), 1);
    assert_int_equal(row.n, 3);
    assert_int_equal(row.line, 1);
    assert_string_equal(row.fields[2].p, "c");
    assert_int_equal(madi_csv_next(r, &row), 1);
    assert_int_equal(row.n, 3);
    assert_int_equal(row.line, 2);
    assert_string_equal(row.fields[0].p, "x,1");
    assert_string_equal(row.fields[1].p, "say \"hi\"");
    assert_int_equal(row.fields[1].len, 8);
    assert_string_equal(row.fields[2].p, "");
    assert_int_equal(madi_csv_next(r, &row), 0);
    assert_int_equal(madi_csv_next(r, &row), 0);
    assert_int_equal(is.n, 0);
    assert_int_equal(madi_csv_delimiter(r), ',');
    madi_csv_close(r);
}

static void test_lines_across_quoted_newlines_and_crlf(void **state)
{
    (void)state;
    struct issues is;
    struct madi_csv_row row;
    /* line 1: h1,h2 (CRLF); line 2-3: a quoted field with a CRLF inside; line 4 empty (skipped);
     * line 5: lone-CR ended; line 6: last, no newline. */
    struct madi_csv *r = MEM("h1,h2\r\n1,\"two\r\nlines\"\r\n\r\n5,x\r6,y", &is);
    assert_int_equal(madi_csv_next(r, &row), 1);
    assert_int_equal(row.line, 1);
    assert_int_equal(madi_csv_next(r, &row), 1);
    assert_int_equal(row.line, 2);
    assert_string_equal(row.fields[1].p, "two\nlines");
    assert_int_equal(row.fields[1].line, 2);
    assert_int_equal(madi_csv_next(r, &row), 1);
    assert_int_equal(row.line, 5);
    assert_string_equal(row.fields[0].p, "5");
    assert_int_equal(madi_csv_next(r, &row), 1);
    assert_int_equal(row.line, 6);
    assert_string_equal(row.fields[1].p, "y");
    assert_int_equal(madi_csv_next(r, &row), 0);
    assert_int_equal(is.n, 0);
    madi_csv_close(r);
}

static void test_detect_delimiter_and_bom(void **state)
{
    (void)state;
    struct issues is;
    struct madi_csv_row row;
    struct madi_csv *r = MEM("\xef\xbb\xbf"
                             "a;b;\"c,d\"\n1;2;3\n",
                             &is);
    assert_int_equal(madi_csv_next(r, &row), 1);
    assert_int_equal(madi_csv_delimiter(r), ';');
    assert_int_equal(madi_csv_had_bom(r), 1);
    assert_int_equal(row.n, 3);
    assert_string_equal(row.fields[0].p, "a");
    assert_string_equal(row.fields[2].p, "c,d");
    madi_csv_close(r);
    r = MEM("a\tb\tc,d\n", &is);
    assert_int_equal(madi_csv_next(r, &row), 1);
    assert_int_equal(madi_csv_delimiter(r), '\t');
    assert_int_equal(row.n, 3);
    assert_string_equal(row.fields[2].p, "c,d");
    madi_csv_close(r);
    /* A given delimiter wins over detection. */
    struct madi_csv_opts o = { 0 };
    o.delimiter = ',';
    r = madi_csv_from_mem("a;b;c\n", 6, &o);
    assert_int_equal(madi_csv_next(r, &row), 1);
    assert_int_equal(row.n, 1);
    madi_csv_close(r);
}

static void test_unterminated_quote_is_fatal(void **state)
{
    (void)state;
    struct issues is;
    struct madi_csv_row row;
    struct madi_csv *r = MEM("a,b\n1,2\n3,\"open\nmore\n", &is);
    assert_int_equal(madi_csv_next(r, &row), 1);
    assert_int_equal(madi_csv_next(r, &row), 1);
    assert_int_equal(madi_csv_next(r, &row), MADI_EPARSE);
    assert_int_equal(madi_csv_next(r, &row), MADI_EPARSE);
    assert_int_equal(is.n, 1);
    assert_true(is.fatal);
    assert_int_equal(is.line[0], 3);
    assert_int_equal(is.col[0], 2);
    assert_non_null(strstr(is.msg[0], "unterminated"));
    madi_csv_close(r);
}

static void test_bad_bytes_are_recoverable(void **state)
{
    (void)state;
    struct issues is;
    struct madi_csv_row row;
    /* Row 2: invalid UTF-8 in column 2; row 3: a NUL in column 1; row 4 fine. */
    static const char in[] = "a,b\nok,\xff\xfe\nx\0y,z\nfine,\xc3\xa9t\xc3\xa9\n";
    struct madi_csv *r = mem(in, sizeof(in) - 1, &is, 0, 0);
    assert_int_equal(madi_csv_next(r, &row), 1);
    assert_int_equal(row.bad, 0);
    assert_int_equal(madi_csv_next(r, &row), 1);
    assert_int_equal(row.bad, 1);
    assert_int_equal(madi_csv_next(r, &row), 1);
    assert_int_equal(row.bad, 1);
    assert_int_equal(madi_csv_next(r, &row), 1);
    assert_int_equal(row.bad, 0);
    assert_string_equal(row.fields[1].p, "\xc3\xa9t\xc3\xa9");
    assert_int_equal(madi_csv_next(r, &row), 0);
    assert_int_equal(is.n, 2);
    assert_false(is.fatal);
    assert_int_equal(is.line[0], 2);
    assert_int_equal(is.col[0], 2);
    assert_non_null(strstr(is.msg[0], "0xff"));
    assert_int_equal(is.line[1], 3);
    assert_int_equal(is.col[1], 1);
    assert_non_null(strstr(is.msg[1], "NUL"));
    madi_csv_close(r);
}

static void test_utf8_edge_cases(void **state)
{
    (void)state;
    struct issues is;
    struct madi_csv_row row;
    const char *bad[] = { "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                          "\xe2\x82" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct madi_csv *r = mem(bad[i], strlen(bad[i]), &is, 0, 0);
        assert_int_equal(madi_csv_next(r, &row), 1);
        assert_int_equal(row.bad, 1);
        madi_csv_close(r);
    }
    const char *good = "\xf0\x9f\x98\x80,\xe2\x82\xac";
    struct madi_csv *r = mem(good, strlen(good), &is, 0, 0);
    assert_int_equal(madi_csv_next(r, &row), 1);
    assert_int_equal(row.bad, 0);
    madi_csv_close(r);
}

static void test_caps(void **state)
{
    (void)state;
    struct issues is;
    struct madi_csv_row row;
    /* Field cap 4: "abcdef" is over; the row is bad; the next row is read normally. */
    struct madi_csv *r = mem("abcdef,x\nab,cd\n", 15, &is, 4, 100);
    assert_int_equal(madi_csv_next(r, &row), 1);
    assert_int_equal(row.bad, 1);
    assert_int_equal(row.n, 2);
    assert_int_equal(row.fields[0].len, 0);
    assert_string_equal(row.fields[1].p, "x");
    assert_int_equal(madi_csv_next(r, &row), 1);
    assert_int_equal(row.bad, 0);
    assert_string_equal(row.fields[1].p, "cd");
    assert_int_equal(is.n, 1);
    assert_int_equal(is.line[0], 1);
    assert_int_equal(is.col[0], 1);
    madi_csv_close(r);
    /* Record cap 10: a record of many short fields is cut, reported once, and skipped. */
    r = mem("1,2,3,4,5,6,7,8,9\nok\n", 20, &is, 4, 10);
    assert_int_equal(madi_csv_next(r, &row), 1);
    assert_int_equal(row.bad, 1);
    assert_true(row.n < 9);
    assert_int_equal(madi_csv_next(r, &row), 1);
    assert_int_equal(row.line, 2);
    assert_string_equal(row.fields[0].p, "ok");
    assert_int_equal(is.n, 1);
    madi_csv_close(r);
}

static void test_text_after_quote_and_literal_quote(void **state)
{
    (void)state;
    struct issues is;
    struct madi_csv_row row;
    struct madi_csv *r = MEM("\"ab\"c,d\nab\"c,d\n", &is);
    assert_int_equal(madi_csv_next(r, &row), 1);
    assert_int_equal(row.bad, 1);
    assert_string_equal(row.fields[0].p, "abc");
    assert_int_equal(madi_csv_next(r, &row), 1);
    assert_int_equal(row.bad, 0);
    assert_string_equal(row.fields[0].p, "ab\"c");
    assert_int_equal(is.n, 1);
    madi_csv_close(r);
}

static void test_utf16_refused_and_empty(void **state)
{
    (void)state;
    struct issues is;
    struct madi_csv_row row;
    struct madi_csv *r = MEM("\xff\xfe"
                             "a\0,\0",
                             &is);
    assert_int_equal(madi_csv_next(r, &row), MADI_EPARSE);
    assert_true(is.fatal);
    assert_non_null(strstr(is.msg[0], "UTF-16"));
    madi_csv_close(r);
    r = MEM("PK\x03\x04\x14\0\0\0", &is);
    assert_int_equal(madi_csv_next(r, &row), MADI_EPARSE);
    assert_non_null(strstr(is.msg[0], "workbook"));
    madi_csv_close(r);
    r = MEM("", &is);
    assert_int_equal(madi_csv_next(r, &row), 0);
    madi_csv_close(r);
    r = MEM("\xef\xbb\xbf", &is);
    assert_int_equal(madi_csv_next(r, &row), 0);
    madi_csv_close(r);
    r = MEM("\n\n\r\n", &is);
    assert_int_equal(madi_csv_next(r, &row), 0);
    madi_csv_close(r);
    r = MEM(",,\n", &is);
    assert_int_equal(madi_csv_next(r, &row), 1);
    assert_int_equal(row.n, 3);
    madi_csv_close(r);
}

/* Files bigger than the read chunk, with a quoted field and a CRLF straddling chunk edges. */
static void test_chunk_boundaries(void **state)
{
    (void)state;
    char path[] = "/tmp/madi-test-csv-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    const size_t chunk = 256 * 1024;
    unsigned long lines = 0;
    size_t written = 0;
    /* Rows of "nnnnnnn,\"q\r\nq\"\r\n" until well past two chunks. */
    while (written < 3 * chunk) {
        int n = fprintf(f, "%07lu,\"q\r\nq\"\r\n", lines);
        assert_true(n > 0);
        written += (size_t)n;
        lines += 2;
    }
    assert_int_equal(fclose(f), 0);
    struct issues is;
    struct madi_csv_opts o = { 0 };
    o.on_issue = on_issue;
    o.issue_ctx = &is;
    memset(&is, 0, sizeof(is));
    struct madi_csv *r = NULL;
    struct madi_err err;
    assert_int_equal(madi_csv_open(path, &o, &r, &err), MADI_OK);
    struct madi_csv_row row;
    unsigned long recs = 0;
    while (madi_csv_next(r, &row) == 1) {
        char want[16];
        (void)snprintf(want, sizeof(want), "%07lu", recs * 2);
        assert_string_equal(row.fields[0].p, want);
        assert_string_equal(row.fields[1].p, "q\nq");
        assert_int_equal(row.line, recs * 2 + 1);
        recs++;
    }
    assert_int_equal(recs * 2, lines);
    assert_int_equal(is.n, 0);
    assert_true(madi_csv_bytes_read(r) == written);
    assert_true(madi_csv_size(r) == written);
    madi_csv_close(r);
    (void)unlink(path);
    assert_int_equal(madi_csv_open("/nonexistent/x.csv", &o, &r, &err), MADI_EIO);
    assert_non_null(strstr(err.msg, "/nonexistent/x.csv"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic_and_quotes),
        cmocka_unit_test(test_lines_across_quoted_newlines_and_crlf),
        cmocka_unit_test(test_detect_delimiter_and_bom),
        cmocka_unit_test(test_unterminated_quote_is_fatal),
        cmocka_unit_test(test_bad_bytes_are_recoverable),
        cmocka_unit_test(test_utf8_edge_cases),
        cmocka_unit_test(test_caps),
        cmocka_unit_test(test_text_after_quote_and_literal_quote),
        cmocka_unit_test(test_utf16_refused_and_empty),
        cmocka_unit_test(test_chunk_boundaries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
