/*
 * Unit tests for the CSV reader (src/core/csv.c). Every expected row, line number and issue
 * below is worked out by hand from the input, not copied from the reader's output.
 *
 * Most tests are data: an input and the transcript the reader must produce, in this form:
 *   "3 <a><b>\n"        a record starting on line 3 with the fields "a" and "b"
 *   "3 bad <a><@4:b>\n" the same, marked bad, its second field starting on line 4
 *   "! 3:2 msg\n"       a recoverable issue at line 3, field 2 (col 0 = the whole record);
 *                       the message is cut at its first ';' (the advice after it is left out)
 *   "!! 3:2 msg\n"      a fatal issue
 *   "end 0\n"           what madi_csv_next returned at the end (0, -2 = EIO, -4 = EPARSE)
 * Inside a field, a line break shows as \n, a CR as \r and a NUL as \0.
 * Each case is read from memory in one piece, from memory in windows of 1, 2, 3 and 7 bytes (so
 * that window edges fall at every byte), and from a temporary file, and must give the same
 * transcript every time.
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

#include "madi/csv.h"
#include "madi/err.h"

#include "banned.h"
#include "csv_int.h"

/* A test hook of csv.c, deliberately not in csv.h. */

#define CHUNK ((size_t)256 * 1024) /* csv.c reads files in pieces of this size */

/* ---- transcripts ---------------------------------------------------------------------------- */

struct transcript {
    char s[16384];
    size_t len;
    int issues;
};

static void put(struct transcript *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct transcript *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->s + t->len, sizeof(t->s) - t->len, fmt, ap);
    va_end(ap);
    assert_true(n >= 0 && (size_t)n < sizeof(t->s) - t->len);
    t->len += (size_t)n;
}

static void on_issue(void *ctx, unsigned long line, unsigned col, int fatal, const char *msg)
{
    struct transcript *t = ctx;
    size_t n = strcspn(msg, ";");
    put(t, "%s %lu:%u %.*s\n", fatal ? "!!" : "!", line, col, (int)n, msg);
    t->issues++;
}

static void put_row(struct transcript *t, const struct madi_csv_row *row)
{
    put(t, "%lu%s ", row->line, row->bad ? " bad" : "");
    for (size_t i = 0; i < row->n; i++) {
        const struct madi_csv_field *f = &row->fields[i];
        assert_int_equal(f->p[f->len], '\0');
        put(t, "<");
        if (f->line != row->line)
            put(t, "@%lu:", f->line);
        for (size_t j = 0; j < f->len; j++) {
            char c = f->p[j];
            if (c == '\n')
                put(t, "\\n");
            else if (c == '\r')
                put(t, "\\r");
            else if (c == '\0')
                put(t, "\\0");
            else
                put(t, "%c", c);
        }
        put(t, ">");
    }
    put(t, "\n");
}

/* Read everything from r into t, check that the end is sticky, and close r. */
static void read_all(struct madi_csv *r, struct transcript *t)
{
    struct madi_csv_row row;
    int rc;
    while ((rc = madi_csv_next(r, &row)) == 1)
        put_row(t, &row);
    put(t, "end %d\n", rc);
    assert_int_equal(madi_csv_next(r, &row), rc);
    assert_int_equal(madi_csv_next(r, &row), rc);
    assert_int_equal(row.n, 0);
    madi_csv_close(r);
}

static struct madi_csv_opts opts_for(struct transcript *t, char delim, size_t max_field,
                                     size_t max_record)
{
    struct madi_csv_opts o = { delim, max_field, max_record, on_issue, t };
    memset(t, 0, sizeof(*t));
    return o;
}

/* Write n bytes to a new temporary file; returns its path (caller frees and unlinks). */
static char *temp_file(const void *data, size_t n)
{
    const char *dir = getenv("TMPDIR");
    char *path = malloc(4096);
    assert_non_null(path);
    (void)snprintf(path, 4096, "%s/madi-test-csv-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *p = data;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        assert_true(w > 0);
        p += w;
        n -= (size_t)w;
    }
    assert_int_equal(close(fd), 0);
    return path;
}

/* ---- the table ------------------------------------------------------------------------------ */

struct csv_case {
    const char *name;
    const char *in;
    size_t len;
    char delim;
    size_t max_field, max_record;
    const char *want;
};

#define CASE(name, in, delim, max_field, max_record, want)           \
    {                                                                \
        name, in, sizeof(in) - 1, delim, max_field, max_record, want \
    }

static const struct csv_case cases[] = {
    /* Plain records, the last one with or without a line end. */
    CASE("plain", "a,b,c\n1,2,3\n", 0, 0, 0, "1 <a><b><c>\n2 <1><2><3>\nend 0\n"),
    CASE("no final line end", "a,b\n1,2", 0, 0, 0, "1 <a><b>\n2 <1><2>\nend 0\n"),
    CASE("one field", "x", 0, 0, 0, "1 <x>\nend 0\n"),
    CASE("trailing delimiter", "a,\n", 0, 0, 0, "1 <a><>\nend 0\n"),
    CASE("trailing delimiter at the end", "a,", 0, 0, 0, "1 <a><>\nend 0\n"),
    CASE("only delimiters", ",,\n;\n", ',', 0, 0, "1 <><><>\n2 <;>\nend 0\n"),
    CASE("spaces are data", " a , b \n", 0, 0, 0, "1 < a >< b >\nend 0\n"),

    /* Line ends: LF, CRLF (one line) and lone CR each end a line; empty lines are skipped. */
    CASE("crlf", "a,b\r\n1,2\r\n", 0, 0, 0, "1 <a><b>\n2 <1><2>\nend 0\n"),
    CASE("lone cr", "a,b\r1,2\r3,4", 0, 0, 0, "1 <a><b>\n2 <1><2>\n3 <3><4>\nend 0\n"),
    CASE("mixed line ends", "a\r\nb\rc\nd", 0, 0, 0, "1 <a>\n2 <b>\n3 <c>\n4 <d>\nend 0\n"),
    CASE("empty lines skipped", "\n\na\n\r\n\rb\n\n", 0, 0, 0, "3 <a>\n6 <b>\nend 0\n"),
    CASE("cr cr lf is two lines", "a\r\r\nb\n", 0, 0, 0, "1 <a>\n3 <b>\nend 0\n"),
    CASE("empty input", "", 0, 0, 0, "end 0\n"),
    CASE("only line ends", "\n\r\n\r\r\n\n", 0, 0, 0, "end 0\n"),

    /* Quoted fields: delimiters, doubled quotes, line breaks (stored as \n) and line numbers. */
    CASE("quoted", "\"x,1\",\"say \"\"hi\"\"\",\"\"\n", 0, 0, 0, "1 <x,1><say \"hi\"><>\nend 0\n"),
    CASE("only a doubled quote", "\"\"\"\"\n", 0, 0, 0, "1 <\">\nend 0\n"),
    CASE("empty quoted field is not an empty line", "\"\"\n\"\",\n", 0, 0, 0,
         "1 <>\n2 <><>\nend 0\n"),
    CASE("quoted line breaks", "id,note\n1,\"two\nlines\"\n2,\"x\r\ny\rz\",end\n3,ok\n", 0, 0, 0,
         "1 <id><note>\n2 <1><two\\nlines>\n4 <2><x\\ny\\nz><@6:end>\n7 <3><ok>\nend 0\n"),
    CASE("fields start on later lines", "\"a\nb\",\"c\nd\",e\nf\n", 0, 0, 0,
         "1 <a\\nb><@2:c\\nd><@3:e>\n4 <f>\nend 0\n"),
    CASE("quoted field at the end of input", "\"a\"", 0, 0, 0, "1 <a>\nend 0\n"),
    CASE("quoted crlf then cr", "\"\r\n\r\",x\n", 0, 0, 0, "1 <\\n\\n><@3:x>\nend 0\n"),

    /* A quote inside an unquoted field is data; text after a closing quote is kept and reported. */
    CASE("literal quote", "ab\"c,d\"e\n", 0, 0, 0, "1 <ab\"c><d\"e>\nend 0\n"),
    CASE("text after closing quote", "\"ab\"c,d\n\"x\" ,y\n", 0, 0, 0,
         "! 1:1 text after the closing quote\n1 bad <abc><d>\n"
         "! 2:1 text after the closing quote\n2 bad <x ><y>\nend 0\n"),
    CASE("quote after the text after a closing quote", "\"a\"b\"c\",d\n", 0, 0, 0,
         "! 1:1 text after the closing quote\n1 bad <ab\"c\"><d>\nend 0\n"),
    CASE("text after a multi-line quoted field", "x,\"a\nb\"c\n", 0, 0, 0,
         "! 2:2 text after the closing quote\n1 bad <x><a\\nbc>\nend 0\n"),

    /* Unterminated quote: fatal, reported where the quote opened. */
    CASE("unterminated", "a,b\n1,2\n3,\"open\nmore\n", 0, 0, 0,
         "1 <a><b>\n2 <1><2>\n!! 3:2 unterminated quoted field (the \" opened here never "
         "closes)\nend -4\n"),
    CASE("unterminated after a quoted line break", "\"a\nb\",\"open\n", 0, 0, 0,
         "!! 2:2 unterminated quoted field (the \" opened here never closes)\nend -4\n"),
    CASE("lone quote", "\"", 0, 0, 0,
         "!! 1:1 unterminated quoted field (the \" opened here never closes)\nend -4\n"),
    CASE("doubled quote at the end", "\"a\"\"", 0, 0, 0,
         "!! 1:1 unterminated quoted field (the \" opened here never closes)\nend -4\n"),
    CASE("issues before the fatal one are kept", "\xff,\"x\n", 0, 0, 0,
         "! 1:1 invalid UTF-8 (byte 0xff)\n"
         "!! 1:2 unterminated quoted field (the \" opened here never closes)\nend -4\n"),

    /* Bytes: invalid UTF-8 and NULs are recoverable, reported at the byte's own line. */
    CASE("invalid utf-8", "a,b\nok,\xff\xfe\nfine,\xc3\xa9t\xc3\xa9\n", 0, 0, 0,
         "1 <a><b>\n! 2:2 invalid UTF-8 (byte 0xff)\n2 bad <ok><\xff\xfe>\n"
         "3 <fine><\xc3\xa9t\xc3\xa9>\nend 0\n"),
    CASE("nul byte", "x\0y,z\n", 0, 0, 0,
         "! 1:1 contains a NUL byte (is this a binary file?)\n1 bad <x\\0y><z>\nend 0\n"),
    CASE("invalid utf-8 on the second line of a field", "a,\"l1\nl2\xff\"\n", 0, 0, 0,
         "! 2:2 invalid UTF-8 (byte 0xff)\n1 bad <a><l1\\nl2\xff>\nend 0\n"),
    CASE("both, in byte order", "\xff\0,\0\xc3\n", 0, 0, 0,
         "! 1:1 invalid UTF-8 (byte 0xff)\n! 1:1 contains a NUL byte (is this a binary file?)\n"
         "! 1:2 contains a NUL byte (is this a binary file?)\n! 1:2 invalid UTF-8 (byte 0xc3)\n"
         "1 bad <\xff\\0><\\0\xc3>\nend 0\n"),
    CASE("every bad record is reported", "\xc0,a\nb\nc,\xe2\x82\nd\0\n", 0, 0, 0,
         "! 1:1 invalid UTF-8 (byte 0xc0)\n1 bad <\xc0><a>\n2 <b>\n"
         "! 3:2 invalid UTF-8 (byte 0xe2)\n3 bad <c><\xe2\x82>\n"
         "! 4:1 contains a NUL byte (is this a binary file?)\n4 bad <d\\0>\nend 0\n"),

    /* The field cap: the field is emptied and reported once, the rest of the record is read. */
    CASE("field at the cap", "abcd,x\n", 0, 4, 100, "1 <abcd><x>\nend 0\n"),
    CASE("field over the cap", "abcdef,x\nab,cd\n", 0, 4, 100,
         "! 1:1 field longer than 4 bytes\n1 bad <><x>\n2 <ab><cd>\nend 0\n"),
    CASE("quoted field over the cap", "y,\"ab\ncde\",x\nok\n", 0, 4, 100,
         "! 1:2 field longer than 4 bytes\n1 bad <y><><@2:x>\n3 <ok>\nend 0\n"),
    CASE("two fields over the cap", "abcde,12345\n", 0, 4, 100,
         "! 1:1 field longer than 4 bytes\n! 1:2 field longer than 4 bytes\n1 bad <><>\nend 0\n"),
    CASE("max_field above max_record is cut to it", "abcdef\n", 0, 100, 5,
         "! 1:1 field longer than 5 bytes\n1 bad <>\nend 0\n"),

    /* The record cap (field bytes plus one per delimiter): reported once, the rest skipped. */
    CASE("record at the cap", "1,2,3,4,56\n", 0, 8, 10, "1 <1><2><3><4><56>\nend 0\n"),
    CASE("record over the cap", "1,2,3,4,5,6,7,8,9\nok\n", 0, 4, 10,
         "! 1:0 record longer than 10 bytes\n1 bad <1><2><3><4><5>\n2 <ok>\nend 0\n"),
    CASE("empty fields at the cap", ",,,,,,,,,,\n", 0, 4, 10, "1 <><><><><><><><><><><>\nend 0\n"),
    CASE("empty fields over the cap", ",,,,,,,,,,,\nx\n", 0, 4, 10,
         "! 1:0 record longer than 10 bytes\n1 bad <><><><><><><><><><><>\n2 <x>\nend 0\n"),
    CASE("record over the cap across lines", "aaaa,bbbb,\"c\nc\xff\",d\nnext\n", 0, 8, 10,
         "! 1:0 record longer than 10 bytes\n1 bad <aaaa><bbbb>\n3 <next>\nend 0\n"),
    /* The record cap is judged when the field that passes it ends, so an unterminated one never
     * is, and a field that also passes max_field is reported as that (and dropped) instead. */
    CASE("record over the cap, then unterminated", "aaaa,\"bb\n", 0, 4, 4,
         "!! 1:2 unterminated quoted field (the \" opened here never closes)\nend -4\n"),
    CASE("the field cap wins over the record cap", "ab,cd,efgh,i\n", 0, 3, 8,
         "! 1:3 field longer than 3 bytes\n1 bad <ab><cd><><i>\nend 0\n"),
    CASE("the record cap when no field is over", "ab,cd,efg\n", 0, 3, 8,
         "! 1:0 record longer than 8 bytes\n1 bad <ab><cd>\nend 0\n"),

    /* UTF-8 byte order mark: skipped; UTF-16 and UTF-32 ones: fatal. */
    CASE("bom",
         "\xef\xbb\xbf"
         "a,b\n",
         0, 0, 0, "1 <a><b>\nend 0\n"),
    CASE("only a bom", "\xef\xbb\xbf", 0, 0, 0, "end 0\n"),
    CASE("bom then empty lines", "\xef\xbb\xbf\r\n\r\nx\r\n", 0, 0, 0, "3 <x>\nend 0\n"),
    CASE("bom later is data", "a,\xef\xbb\xbf\n", 0, 0, 0, "1 <a><\xef\xbb\xbf>\nend 0\n"),
    CASE("utf-16 le",
         "\xff\xfe"
         "a\0,\0b\0",
         0, 0, 0, "!! 1:0 the file is UTF-16, not UTF-8 (in Excel: Save As 'CSV UTF-8')\nend -4\n"),
    CASE("utf-16 be", "\xfe\xff\0a", 0, 0, 0,
         "!! 1:0 the file is UTF-16, not UTF-8 (in Excel: Save As 'CSV UTF-8')\nend -4\n"),
    CASE("utf-16 bom alone", "\xff\xfe", 0, 0, 0,
         "!! 1:0 the file is UTF-16, not UTF-8 (in Excel: Save As 'CSV UTF-8')\nend -4\n"),
    CASE("utf-32 le", "\xff\xfe\0\0a\0\0\0", 0, 0, 0,
         "!! 1:0 the file is UTF-32, not UTF-8 (in Excel: Save As 'CSV UTF-8')\nend -4\n"),
    CASE("utf-32 be", "\0\0\xfe\xff\0\0\0a", 0, 0, 0,
         "!! 1:0 the file is UTF-32, not UTF-8 (in Excel: Save As 'CSV UTF-8')\nend -4\n"),

    /* Workbooks given as CSV: refused by their first bytes. */
    CASE("xlsx workbook", "PK\x03\x04\x14\0\0\0", 0, 0, 0,
         "!! 1:0 this is a spreadsheet workbook, not a CSV file (in Excel: Save As 'CSV UTF-8'"
         "\nend -4\n"),
    CASE("old xls", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 0, 0, 0,
         "!! 1:0 this is an old Excel file (.xls) or a password-protected workbook: save it as "
         ".xlsx without a password, or as 'CSV UTF-8'\nend -4\n"),
    CASE("PK at the start of a text file is data", "PKZ,1\n", 0, 0, 0, "1 <PKZ><1>\nend 0\n"),

    /* Delimiter detection from the first record, outside quotes. */
    CASE("detect semicolon", "a;b;\"c,d\"\n1;2;3\n", 0, 0, 0,
         "1 <a><b><c,d>\n2 <1><2><3>\nend 0\n"),
    CASE("detect tab", "a\tb\tc,d\n", 0, 0, 0, "1 <a><b><c,d>\nend 0\n"),
    CASE("detect: comma wins a tie", "a,b;c\n", 0, 0, 0, "1 <a><b;c>\nend 0\n"),
    CASE("detect: semicolon beats tab in a tie", "a;b\tc\n", 0, 0, 0, "1 <a><b\tc>\nend 0\n"),
    CASE("detect: quoted delimiters do not count", "\"x;y;z\",b\n", 0, 0, 0,
         "1 <x;y;z><b>\nend 0\n"),
    CASE("detect: the first record spans a quoted line break", "\"a\nb,c,d\";e;f\n", 0, 0, 0,
         "1 <a\\nb,c,d><@2:e><@2:f>\nend 0\n"),
    CASE("detect: only the first record counts", "a;b\n1,2,3,4\n", 0, 0, 0,
         "1 <a><b>\n2 <1,2,3,4>\nend 0\n"),
    CASE("detect after empty lines and a bom", "\xef\xbb\xbf\n\na;b\n", 0, 0, 0,
         "3 <a><b>\nend 0\n"),
    CASE("given delimiter wins", "a;b;c\n", ',', 0, 0, "1 <a;b;c>\nend 0\n"),
    CASE("given tab", "a,b\tc\n", '\t', 0, 0, "1 <a,b><c>\nend 0\n"),
};

static void check_case(const struct csv_case *c, const char *how, const struct transcript *t)
{
    if (strcmp(t->s, c->want) != 0) {
        print_error("case '%s' read %s:\n--- want\n%s--- got\n%s", c->name, how, c->want, t->s);
        fail();
    }
}

static void test_table(void **state)
{
    static const size_t windows[] = { 1, 2, 3, 7 };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct csv_case *c = &cases[i];
        struct transcript t;
        struct madi_csv_opts o = opts_for(&t, c->delim, c->max_field, c->max_record);
        read_all(madi_csv_from_mem(c->in, c->len, &o), &t);
        check_case(c, "from memory", &t);

        for (size_t w = 0; w < sizeof(windows) / sizeof(windows[0]); w++) {
            char how[64];
            o = opts_for(&t, c->delim, c->max_field, c->max_record);
            struct madi_csv *r = madi_csv_from_mem(c->in, c->len, &o);
            madi_csv_test_window(r, windows[w]);
            read_all(r, &t);
            (void)snprintf(how, sizeof(how), "from memory in %zu-byte windows", windows[w]);
            check_case(c, how, &t);
        }

        char *path = temp_file(c->in, c->len);
        struct madi_csv *r = NULL;
        struct madi_err err;
        o = opts_for(&t, c->delim, c->max_field, c->max_record);
        assert_int_equal(madi_csv_open(path, &o, &r, &err), MADI_OK);
        assert_true(madi_csv_size(r) == c->len);
        read_all(r, &t);
        check_case(c, "from a file", &t);
        o = opts_for(&t, c->delim, c->max_field, c->max_record);
        assert_int_equal(madi_csv_open(path, &o, &r, &err), MADI_OK);
        madi_csv_test_window(r, 1);
        read_all(r, &t);
        check_case(c, "from a file in 1-byte reads", &t);
        assert_int_equal(unlink(path), 0);
        free(path);
    }
}

/* ---- UTF-8 validation ----------------------------------------------------------------------- */

static void test_utf8(void **state)
{
    /* Each bad sequence, and the byte the message must name (where the sequence starts). */
    static const struct {
        const char *s;
        unsigned char byte;
    } bad[] = {
        { "\x80", 0x80 },                 /* lone continuation byte */
        { "a\xbf", 0xbf },                /* another */
        { "\xc0\xaf", 0xc0 },             /* overlong '/' in 2 bytes */
        { "\xc1\xbf", 0xc1 },             /* overlong, the other C1 */
        { "\xe0\x80\xaf", 0xe0 },         /* overlong in 3 bytes */
        { "\xe0\x9f\xbf", 0xe0 },         /* overlong U+07FF */
        { "\xf0\x80\x80\xaf", 0xf0 },     /* overlong in 4 bytes */
        { "\xf0\x8f\xbf\xbf", 0xf0 },     /* overlong U+FFFF */
        { "\xed\xa0\x80", 0xed },         /* surrogate U+D800 */
        { "\xed\xbf\xbf", 0xed },         /* surrogate U+DFFF */
        { "\xf4\x90\x80\x80", 0xf4 },     /* U+110000 */
        { "\xf5\x80\x80\x80", 0xf5 },     /* past U+10FFFF by lead byte */
        { "\xf8\x88\x80\x80\x80", 0xf8 }, /* 5-byte form */
        { "\xfe", 0xfe },                 /* never valid */
        { "x\xff", 0xff },                /* never valid */
        { "\xc3", 0xc3 },                 /* truncated at the end */
        { "\xe2\x82", 0xe2 },             /* truncated at the end */
        { "\xf0\x9f\x98", 0xf0 },         /* truncated at the end */
        { "\xe2\x82x", 0xe2 },            /* truncated by an ASCII byte */
        { "\xc3\xc3\xa9", 0xc3 },         /* a lead byte where a continuation should be */
        { "abcdefgh\xe9t\xe9", 0xe9 },    /* Latin-1 after 8 ASCII bytes */
        { "abcdefghijklmnop\x80", 0x80 }, /* after two words of ASCII */
    };
    static const char *good[] = {
        "\xc2\x80",         /* U+0080 */
        "\xdf\xbf",         /* U+07FF */
        "\xe0\xa0\x80",     /* U+0800 */
        "\xed\x9f\xbf",     /* U+D7FF, just below the surrogates */
        "\xee\x80\x80",     /* U+E000, just above */
        "\xef\xbf\xbf",     /* U+FFFF */
        "\xf0\x90\x80\x80", /* U+10000 */
        "\xf4\x8f\xbf\xbf", /* U+10FFFF */
        "\xf0\x9f\x98\x80", /* an emoji */
        "d\xc3\xa9j\xc3\xa0 vu, \xe2\x82\xac 12 \xd8\xb3\xd9\x84\xd8\xa7\xd9\x85", /* mixed */
    };
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct transcript t;
        struct madi_csv_opts o = opts_for(&t, ',', 0, 0);
        struct madi_csv_row row;
        struct madi_csv *r = madi_csv_from_mem(bad[i].s, strlen(bad[i].s), &o);
        char want[128];
        assert_int_equal(madi_csv_next(r, &row), 1);
        assert_int_equal(row.bad, 1);
        (void)snprintf(want, sizeof(want), "! 1:1 invalid UTF-8 (byte 0x%02x)\n", bad[i].byte);
        if (strcmp(t.s, want) != 0) {
            print_error("bad sequence %zu: want %sgot %s", i, want, t.s);
            fail();
        }
        madi_csv_close(r);
    }
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        struct transcript t;
        struct madi_csv_opts o = opts_for(&t, ',', 0, 0);
        struct madi_csv_row row;
        struct madi_csv *r = madi_csv_from_mem(good[i], strlen(good[i]), &o);
        assert_int_equal(madi_csv_next(r, &row), 1);
        assert_int_equal(row.bad, 0);
        assert_int_equal(t.issues, 0);
        madi_csv_close(r);
    }
}

/* ---- messages, callbacks, accessors --------------------------------------------------------- */

struct heard {
    int n, fatal;
    unsigned long line;
    unsigned col;
    char msg[256];
};

/* Keeps the first issue whole (on_issue() cuts the advice off). */
static void keep_first(void *ctx, unsigned long line, unsigned col, int fatal, const char *msg)
{
    struct heard *h = ctx;
    if (h->n++ == 0) {
        h->line = line;
        h->col = col;
        h->fatal = fatal;
        (void)snprintf(h->msg, sizeof(h->msg), "%s", msg);
    }
}

/* The whole text of each message, with its line, column and level. */
static void test_messages(void **state)
{
    static const struct {
        const char *in;
        size_t len, max_field, max_record;
        int rc;
        unsigned long line;
        unsigned col;
        const char *msg;
    } m[] = {
        { "a\n\xff", 3, 0, 0, 1, 2, 1,
          "invalid UTF-8 (byte 0xff); save the file as UTF-8 (in Excel: Save As 'CSV UTF-8')" },
        { "a,b\0", 4, 0, 0, 1, 1, 2, "contains a NUL byte (is this a binary file?)" },
        { "a,bcd", 5, 2, 0, 1, 1, 2, "field longer than 2 bytes; it was skipped" },
        { "\n\na,b,c", 7, 0, 3, 1, 3, 0,
          "record longer than 3 bytes; the rest of it was skipped (is a closing quote "
          "missing?)" },
        { "\"a\"b", 4, 0, 0, 1, 1, 1,
          "text after the closing quote; put the whole value in quotes and double any \" in it" },
        { "x\n\"a", 4, 0, 0, MADI_EPARSE, 2, 1,
          "unterminated quoted field (the \" opened here never closes)" },
        { "\xff\xfe", 2, 0, 0, MADI_EPARSE, 1, 0,
          "the file is UTF-16, not UTF-8 (in Excel: Save As 'CSV UTF-8')" },
        { "\0\0\xfe\xff", 4, 0, 0, MADI_EPARSE, 1, 0,
          "the file is UTF-32, not UTF-8 (in Excel: Save As 'CSV UTF-8')" },
    };
    (void)state;
    for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
        struct heard h = { 0 };
        struct madi_csv_opts o = { ',', m[i].max_field, m[i].max_record, keep_first, &h };
        struct madi_csv *r = madi_csv_from_mem(m[i].in, m[i].len, &o);
        struct madi_csv_row row;
        int rc;
        while ((rc = madi_csv_next(r, &row)) == 1 && h.n == 0)
            ;
        assert_int_equal(rc, m[i].rc);
        assert_int_equal(h.n, 1);
        assert_int_equal(h.fatal, m[i].rc < 0);
        assert_int_equal(h.line, m[i].line);
        assert_int_equal(h.col, m[i].col);
        assert_string_equal(h.msg, m[i].msg);
        if (rc == 1)
            assert_int_equal(row.bad, 1);
        madi_csv_close(r);
    }
}

/* Without a callback, problems still mark records bad and fatal ones still stop the reader. */
static void test_no_callback(void **state)
{
    static const char in[] = "a,\xff\nb\n\"c";
    struct madi_csv *r = madi_csv_from_mem(in, sizeof(in) - 1, NULL);
    struct madi_csv_row row;
    (void)state;
    assert_int_equal(madi_csv_next(r, &row), 1);
    assert_int_equal(row.bad, 1);
    assert_int_equal(row.n, 2);
    assert_int_equal(madi_csv_next(r, &row), 1);
    assert_int_equal(row.bad, 0);
    assert_string_equal(row.fields[0].p, "b");
    assert_int_equal(madi_csv_next(r, &row), MADI_EPARSE);
    assert_int_equal(madi_csv_next(r, &row), MADI_EPARSE);
    madi_csv_close(r);
    madi_csv_close(NULL);
    /* NULL memory is an empty input. */
    r = madi_csv_from_mem(NULL, 0, NULL);
    assert_int_equal(madi_csv_next(r, &row), 0);
    assert_true(madi_csv_size(r) == 0);
    madi_csv_close(r);
}

static void test_accessors(void **state)
{
    static const char in[] = "a;b\n1;2\n";
    static const char bom[] = "\xef\xbb\xbf"
                              "a\tb\r\n";
    struct madi_csv_row row;
    struct madi_csv_opts o = { 0 };
    (void)state;
    struct madi_csv *r = madi_csv_from_mem(in, sizeof(in) - 1, NULL);
    assert_true(madi_csv_size(r) == 8);
    assert_true(madi_csv_bytes_read(r) == 0);
    assert_int_equal(madi_csv_next(r, &row), 1);
    assert_int_equal(madi_csv_delimiter(r), ';');
    assert_int_equal(madi_csv_had_bom(r), 0);
    assert_true(madi_csv_bytes_read(r) == 4); /* "a;b\n" */
    assert_int_equal(madi_csv_next(r, &row), 1);
    assert_true(madi_csv_bytes_read(r) == 8);
    assert_int_equal(madi_csv_next(r, &row), 0);
    assert_true(madi_csv_bytes_read(r) == 8);
    madi_csv_close(r);

    r = madi_csv_from_mem(bom, sizeof(bom) - 1, NULL);
    assert_int_equal(madi_csv_next(r, &row), 1);
    assert_int_equal(madi_csv_had_bom(r), 1);
    assert_int_equal(madi_csv_delimiter(r), '\t');
    assert_string_equal(row.fields[0].p, "a"); /* no BOM in the first field */
    assert_true(madi_csv_bytes_read(r) == 8);  /* BOM, "a\tb", CRLF */
    madi_csv_close(r);

    /* A given delimiter is known before the first record. */
    o.delimiter = ';';
    r = madi_csv_from_mem(in, sizeof(in) - 1, &o);
    assert_int_equal(madi_csv_delimiter(r), ';');
    madi_csv_close(r);

    /* From a file: the size comes from fstat, progress from what was consumed. */
    char *path = temp_file(in, sizeof(in) - 1);
    struct madi_err err;
    assert_int_equal(madi_csv_open(path, NULL, &r, &err), MADI_OK);
    assert_true(madi_csv_size(r) == 8);
    assert_int_equal(madi_csv_next(r, &row), 1);
    assert_true(madi_csv_bytes_read(r) == 4);
    assert_int_equal(madi_csv_next(r, &row), 1);
    assert_int_equal(madi_csv_next(r, &row), 0);
    assert_true(madi_csv_bytes_read(r) == 8);
    madi_csv_close(r);
    assert_int_equal(unlink(path), 0);
    free(path);
}

static void test_open_errors(void **state)
{
    struct madi_csv *r = (struct madi_csv *)&r; /* must be set to NULL */
    struct madi_err err;
    (void)state;
    memset(&err, 0, sizeof(err));
    assert_int_equal(madi_csv_open("/nonexistent/x.csv", NULL, &r, &err), MADI_EIO);
    assert_null(r);
    assert_int_equal(err.code, MADI_EIO);
    assert_string_equal(err.msg, "cannot open /nonexistent/x.csv: No such file or directory");
    r = (struct madi_csv *)&r;
    assert_int_equal(madi_csv_open("/", NULL, &r, &err), MADI_EIO);
    assert_null(r);
    assert_string_equal(err.msg, "cannot read /: it is a folder, not a file");
    /* err may be NULL. */
    assert_int_equal(madi_csv_open("/nonexistent/x.csv", NULL, &r, NULL), MADI_EIO);
}

/* A read that fails is fatal: reading /proc/self/mem from offset 0 fails with EIO on Linux. */
static void test_read_error(void **state)
{
    struct transcript t;
    struct madi_csv_opts o = opts_for(&t, ',', 0, 0);
    struct madi_csv *r = NULL;
    struct madi_err err;
    (void)state;
    if (madi_csv_open("/proc/self/mem", &o, &r, &err) != MADI_OK) {
        skip();
        return;
    }
    read_all(r, &t);
    assert_string_equal(t.s, "!! 1:0 cannot read the file: Input/output error\nend -2\n");
}

/*
 * Files bigger than the read chunk, with the chunk edge at every byte of a snippet that holds a
 * quoted field with a doubled quote and a CRLF inside, CRLF and lone CR line ends, text after a
 * closing quote and a two-byte UTF-8 character. Byte k of the snippet ends the first chunk:
 * k = 7 puts the CR of the quoted CRLF there and its LF at the start of the second chunk, k = 13
 * splits the CRLF that ends the record, k = 4 the doubled quote, k = 23 the UTF-8 character,
 * k = 20 leaves the closing quote alone before the edge, and k = 31 puts a lone CR there,
 * which must not be taken for half a CRLF.
 */
static void test_chunk_edges(void **state)
{
    static const char snippet[] = "x,\"a\"\"b\r\nc\",d\r\n\"e\r\nf\"g,\xc3\xa9\r\nlast\rz\r\n";
    const size_t slen = sizeof(snippet) - 1;
    char *data = malloc(CHUNK + slen);
    (void)state;
    assert_non_null(data);
    assert_int_equal(snippet[7], '\r');
    assert_int_equal(snippet[8], '\n');
    assert_int_equal(snippet[13], '\r');
    assert_int_equal(snippet[14], '\n');
    assert_int_equal(snippet[4], '"');
    assert_int_equal(snippet[5], '"');
    assert_int_equal((unsigned char)snippet[23], 0xc3);
    assert_int_equal(snippet[20], '"');
    assert_int_equal(snippet[31], '\r');
    assert_int_equal(snippet[32], 'z');
    for (size_t k = 0; k < slen; k++) {
        /* Filler lines "fill,xxx...\n" of 64 bytes (the last one longer), then the snippet with
         * its byte k at the last place of the first chunk. */
        size_t prefix = CHUNK - 1 - k, nfill = prefix / 64, len = 0;
        for (size_t i = 0; i < nfill; i++) {
            size_t n = i + 1 < nfill ? 64 : 64 + prefix % 64;
            memcpy(data + len, "fill,", 5);
            memset(data + len + 5, 'x', n - 6);
            data[len + n - 1] = '\n';
            len += n;
        }
        assert_true(len == prefix);
        memcpy(data + len, snippet, slen);
        len += slen;
        char *path = temp_file(data, len);

        struct transcript t;
        struct madi_csv_opts o = opts_for(&t, 0, 0, 0);
        struct madi_csv *r = NULL;
        struct madi_err err;
        struct madi_csv_row row;
        assert_int_equal(madi_csv_open(path, &o, &r, &err), MADI_OK);
        for (size_t i = 0; i < nfill; i++) {
            assert_int_equal(madi_csv_next(r, &row), 1);
            assert_int_equal(row.line, i + 1);
            assert_int_equal(row.n, 2);
            assert_string_equal(row.fields[0].p, "fill");
            assert_int_equal(row.fields[1].len, i + 1 < nfill ? 58 : 58 + prefix % 64);
        }
        assert_true(madi_csv_bytes_read(r) == prefix);
        read_all(r, &t);
        unsigned long f = (unsigned long)nfill;
        char want[512];
        (void)snprintf(want, sizeof(want),
                       "%lu <x><a\"b\\nc><@%lu:d>\n"
                       "! %lu:1 text after the closing quote\n"
                       "%lu bad <e\\nfg><@%lu:\xc3\xa9>\n"
                       "%lu <last>\n"
                       "%lu <z>\n"
                       "end 0\n",
                       f + 1, f + 2, f + 4, f + 3, f + 4, f + 5, f + 6);
        if (strcmp(t.s, want) != 0) {
            print_error("chunk edge after snippet byte %zu:\n--- want\n%s--- got\n%s", k, want,
                        t.s);
            fail();
        }
        assert_int_equal(unlink(path), 0);
        free(path);
    }
    free(data);
}

/* Writes `n` bytes of `c` to fd, a megabyte at a time. */
static void write_run(int fd, char c, size_t n)
{
    static char mb[1 << 20];
    memset(mb, c, sizeof(mb));
    while (n > 0) {
        size_t k = n < sizeof(mb) ? n : sizeof(mb);
        assert_true(write(fd, mb, k) == (ssize_t)k);
        n -= k;
    }
}

static void write_str(int fd, const char *s)
{
    assert_true(write(fd, s, strlen(s)) == (ssize_t)strlen(s));
}

/*
 * A 20 MB unquoted field and a 3 MB quoted one with 3000 line breaks in it: each is one
 * recoverable "field longer" issue, the rest of its record is read, and the lines in the skipped
 * field are still counted.
 */
static void test_huge_fields(void **state)
{
    char path[4096];
    const char *dir = getenv("TMPDIR");
    (void)state;
    (void)snprintf(path, sizeof(path), "%s/madi-test-csv-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    write_run(fd, 'x', (size_t)20 << 20);
    write_str(fd, ",y\n\"");
    for (int i = 0; i < 3000; i++) {
        write_run(fd, 'q', 999);
        write_str(fd, "\n");
    }
    write_str(fd, "\",after\nlast\n");
    assert_int_equal(close(fd), 0);

    struct transcript t;
    struct madi_csv_opts o = opts_for(&t, 0, 0, 0);
    struct madi_csv *r = NULL;
    struct madi_err err;
    assert_int_equal(madi_csv_open(path, &o, &r, &err), MADI_OK);
    read_all(r, &t);
    assert_string_equal(t.s, "! 1:1 field longer than 65536 bytes\n"
                             "1 bad <><y>\n"
                             "! 2:1 field longer than 65536 bytes\n"
                             "2 bad <><@3002:after>\n"
                             "3003 <last>\n"
                             "end 0\n");
    assert_int_equal(unlink(path), 0);
}

/* Records that outgrow the first record buffer and field array, within the default caps. */
static void test_growth(void **state)
{
    size_t n = 300 * 2 + 60000 + 2;
    char *in = malloc(n);
    struct madi_csv_row row;
    (void)state;
    assert_non_null(in);
    /* 300 one-letter fields, then a 60000-byte field. */
    for (size_t i = 0; i < 300; i++) {
        in[2 * i] = (char)('a' + i % 26);
        in[2 * i + 1] = ',';
    }
    memset(in + 600, 'z', 60000);
    in[600 + 60000] = '\n';
    in[600 + 60001] = 'e';
    struct madi_csv *r = madi_csv_from_mem(in, n, NULL);
    assert_int_equal(madi_csv_next(r, &row), 1);
    assert_int_equal(row.bad, 0);
    assert_int_equal(row.n, 301);
    assert_string_equal(row.fields[0].p, "a");
    assert_string_equal(row.fields[299].p, "n"); /* 299 % 26 = 13 */
    assert_int_equal(row.fields[300].len, 60000);
    assert_int_equal(row.fields[300].p[59999], 'z');
    assert_int_equal(madi_csv_next(r, &row), 1);
    assert_string_equal(row.fields[0].p, "e");
    assert_int_equal(row.line, 2);
    assert_int_equal(madi_csv_next(r, &row), 0);
    madi_csv_close(r);
    free(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),       cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_messages),    cmocka_unit_test(test_no_callback),
        cmocka_unit_test(test_accessors),   cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_read_error),  cmocka_unit_test(test_chunk_edges),
        cmocka_unit_test(test_huge_fields), cmocka_unit_test(test_growth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
