/*
 * csv.c: the streaming CSV reader (see csv.h for the contract).
 *
 * The input is read in fixed chunks (or from a borrowed memory buffer). Each record's fields are
 * unescaped into one record buffer, NUL-terminated, and handed out as pointers into it.
 * Invariants: the record buffer never holds more than max_record bytes of data plus one NUL per
 * field, and no more fields than max_record, so memory is bounded by the caps whatever the input;
 * line numbers count LF, CRLF (once) and lone CR; every problem is reported through on_issue
 * before the record that holds it is returned (marked bad), so one pass finds them all.
 * Unquoted fields, the common case, are copied in bulk straight from the chunk.
 */
#include "madi/csv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "banned.h"
#include "xalloc.h"

#define CHUNK (256u * 1024u)
#define END   (-1)

struct madi_csv {
    int fd;
    const unsigned char *mem;
    size_t memlen;
    unsigned char *chunk;
    const unsigned char *buf; /* current chunk */
    size_t pos, len;
    int eof;
    int read_error;
    unsigned long long before; /* bytes consumed before the current chunk */
    unsigned long long size;

    struct madi_csv_opts o;
    char delim;
    int started;
    int bom;
    int done; /* 0 = reading; 1 = at end; <0 = fatal code */
    unsigned long line;

    /* the current record */
    char *rec;
    size_t reclen, reccap;
    size_t raw; /* raw bytes of the record, for the record cap */
    struct madi_csv_field *fields;
    size_t nfields, fieldcap;
    size_t field_start;
    int field_over, rec_over, bad;
};

static void issue(struct madi_csv *r, unsigned long line, unsigned col, int fatal, const char *fmt,
                  ...) __attribute__((format(printf, 5, 6)));
static void issue(struct madi_csv *r, unsigned long line, unsigned col, int fatal, const char *fmt,
                  ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (!fatal)
        r->bad = 1;
    if (r->o.on_issue)
        r->o.on_issue(r->o.issue_ctx, line, col, fatal, msg);
}

static int refill(struct madi_csv *r)
{
    if (r->eof)
        return 0;
    r->before += r->len;
    r->pos = 0;
    r->len = 0;
    if (r->mem) {
        if (r->buf) {
            r->eof = 1;
            return 0;
        }
        r->buf = r->mem;
        r->len = r->memlen;
        if (!r->len)
            r->eof = 1;
        return r->len > 0;
    }
    for (;;) {
        ssize_t n = read(r->fd, r->chunk, CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            r->read_error = errno;
            r->eof = 1;
            return 0;
        }
        if (n == 0) {
            r->eof = 1;
            return 0;
        }
        r->buf = r->chunk;
        r->len = (size_t)n;
        return 1;
    }
}

static inline int get(struct madi_csv *r)
{
    if (r->pos < r->len || refill(r))
        return r->buf[r->pos++];
    return END;
}

static inline int peek(struct madi_csv *r)
{
    if (r->pos < r->len || refill(r))
        return r->buf[r->pos];
    return END;
}

/* After reading '\r' or '\n': count the line, and swallow the '\n' of a CRLF. */
static void newline(struct madi_csv *r, int c)
{
    r->line++;
    if (c == '\r' && peek(r) == '\n')
        r->pos++;
}

static void rec_reserve(struct madi_csv *r, size_t extra)
{
    if (r->reclen + extra + 1 > r->reccap) {
        size_t n = r->reccap ? r->reccap : 4096;
        while (n < r->reclen + extra + 1)
            n *= 2;
        r->rec = xrealloc(r->rec, n);
        r->reccap = n;
    }
}

/* Append data bytes of the current field, within the caps. */
static void append(struct madi_csv *r, const unsigned char *p, size_t n)
{
    r->raw += n;
    if (r->rec_over)
        return;
    if (r->raw > r->o.max_record) {
        r->rec_over = 1;
        issue(r, r->line, (unsigned)r->nfields + 1, 0,
              "this record is longer than %zu bytes and was not read (is a quote missing "
              "somewhere above?)",
              r->o.max_record);
        return;
    }
    if (r->field_over)
        return;
    size_t have = r->reclen - r->field_start;
    if (have + n > r->o.max_field) {
        r->field_over = 1;
        issue(r, r->line, (unsigned)r->nfields + 1, 0,
              "this value is longer than %zu bytes and was not read (is this the right file?)",
              r->o.max_field);
        return;
    }
    rec_reserve(r, n);
    memcpy(r->rec + r->reclen, p, n);
    r->reclen += n;
}

static inline void append1(struct madi_csv *r, unsigned char c)
{
    append(r, &c, 1);
}

/* Offset of the first byte that is not valid UTF-8, or -1. */
static long utf8_invalid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        unsigned int cp;
        if (c >= 0xc2 && c <= 0xdf) {
            len = 2;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            len = 3;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            len = 4;
            cp = c & 0x07;
        } else {
            return (long)i;
        }
        if (i + len > n)
            return (long)i;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return (long)i;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return (long)i;
        i += len;
    }
    return -1;
}

static void end_field(struct madi_csv *r, unsigned long line)
{
    if (r->rec_over)
        return;
    if (r->nfields == r->fieldcap) {
        r->fieldcap = r->fieldcap ? r->fieldcap * 2 : 32;
        r->fields = xrealloc(r->fields, r->fieldcap * sizeof(*r->fields));
    }
    size_t n = r->field_over ? 0 : r->reclen - r->field_start;
    if (r->field_over)
        r->reclen = r->field_start;
    const unsigned char *p = (const unsigned char *)r->rec + r->field_start;
    if (n && memchr(p, 0, n)) {
        issue(r, line, (unsigned)r->nfields + 1, 0,
              "this value contains a NUL byte (is this a binary file? save it as CSV UTF-8)");
    } else if (n) {
        long bad = utf8_invalid(p, n);
        if (bad >= 0)
            issue(r, line, (unsigned)r->nfields + 1, 0,
                  "this value is not valid UTF-8 (byte 0x%02x): save the file as 'CSV UTF-8'",
                  p[bad]);
    }
    rec_reserve(r, 1);
    r->rec[r->reclen++] = '\0';
    /* Offsets for now; pointers once the record is complete (the buffer may move). */
    r->fields[r->nfields].p = (const char *)(uintptr_t)r->field_start;
    r->fields[r->nfields].len = n;
    r->fields[r->nfields].line = line;
    r->nfields++;
    r->field_over = 0;
    r->field_start = r->reclen;
}

/* Detect the delimiter from the first record (outside quotes). Input stays unread. */
static char detect(struct madi_csv *r)
{
    size_t counts[3] = { 0, 0, 0 };
    int inq = 0;
    if (!r->len)
        (void)refill(r);
    for (size_t i = r->pos; i < r->len; i++) {
        unsigned char c = r->buf[i];
        if (c == '"')
            inq = !inq;
        else if (!inq && (c == '\n' || c == '\r'))
            break;
        else if (!inq && c == ',')
            counts[0]++;
        else if (!inq && c == ';')
            counts[1]++;
        else if (!inq && c == '\t')
            counts[2]++;
    }
    if (counts[1] > counts[0] && counts[1] >= counts[2])
        return ';';
    if (counts[2] > counts[0] && counts[2] > counts[1])
        return '\t';
    return ',';
}

static int start(struct madi_csv *r)
{
    r->started = 1;
    r->line = 1;
    if (!refill(r))
        return r->read_error ? MADI_EIO : MADI_OK;
    const unsigned char *b = r->buf;
    size_t n = r->len;
    if ((n >= 2 && b[0] == 0xff && b[1] == 0xfe) || (n >= 2 && b[0] == 0xfe && b[1] == 0xff) ||
        (n >= 4 && b[0] == 0 && b[1] == 0 && b[2] == 0xfe && b[3] == 0xff)) {
        issue(r, 1, 0, 1,
              "the file is UTF-16 or UTF-32, not UTF-8 (in Excel: Save As 'CSV UTF-8'; in "
              "LibreOffice: character set 'Unicode (UTF-8)')");
        return MADI_EPARSE;
    }
    if (n >= 4 && memcmp(b, "PK\x03\x04", 4) == 0) {
        issue(r, 1, 0, 1,
              "this is a spreadsheet workbook, not a CSV file (in Excel: Save As 'CSV UTF-8'; in "
              "LibreOffice: Save As 'Text CSV', character set UTF-8)");
        return MADI_EPARSE;
    }
    if (n >= 4 && memcmp(b, "\xd0\xcf\x11\xe0", 4) == 0) {
        issue(r, 1, 0, 1,
              "this is an old Excel file (.xls) or a password-protected workbook: save it as "
              ".xlsx without a password, or as 'CSV UTF-8'");
        return MADI_EPARSE;
    }
    if (n >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf) {
        r->bom = 1;
        r->pos = 3;
    }
    r->delim = r->o.delimiter ? r->o.delimiter : detect(r);
    return MADI_OK;
}

static int finish(struct madi_csv *r, int rc)
{
    r->done = rc ? rc : 1;
    return rc;
}

/* Read one field's content; returns the character that ended it (delimiter, newline or END). */
static int read_field(struct madi_csv *r, int *fatal)
{
    unsigned long line = r->line;
    unsigned col = (unsigned)r->nfields + 1;
    int c = peek(r);
    if (c == '"') {
        r->pos++;
        r->raw++;
        for (;;) {
            c = get(r);
            if (c == END) {
                if (r->read_error)
                    return END;
                issue(r, line, col, 1,
                      "unterminated quoted field (the \" that opens this value never closes)");
                *fatal = 1;
                return END;
            }
            if (c == '"') {
                if (peek(r) == '"') {
                    r->pos++;
                    r->raw++;
                    append1(r, '"');
                    continue;
                }
                r->raw++;
                break;
            }
            if (c == '\r' || c == '\n') {
                newline(r, c);
                append1(r, '\n');
                continue;
            }
            append1(r, (unsigned char)c);
        }
        int extra = 0;
        for (;;) {
            c = get(r);
            if (c == END || c == r->delim || c == '\n' || c == '\r')
                break;
            if (!extra++)
                issue(r, line, col, 0,
                      "text after the closing quote of this value (put the whole value in "
                      "quotes, and double any \" inside it)");
            append1(r, (unsigned char)c);
        }
    } else {
        for (;;) {
            if (r->pos >= r->len && !refill(r)) {
                c = END;
                break;
            }
            const unsigned char *p = r->buf + r->pos, *end = r->buf + r->len, *q = p;
            unsigned char d = (unsigned char)r->delim;
            while (q < end && *q != d && *q != '\n' && *q != '\r')
                q++;
            if (q > p)
                append(r, p, (size_t)(q - p));
            r->pos += (size_t)(q - p);
            if (q < end) {
                c = *q;
                r->pos++;
                break;
            }
        }
    }
    end_field(r, line);
    if (c == '\r' || c == '\n')
        newline(r, c);
    if (c == r->delim)
        r->raw++;
    return c;
}

int madi_csv_next(struct madi_csv *r, struct madi_csv_row *row)
{
    if (r->done)
        return r->done < 0 ? r->done : 0;
    if (!r->started) {
        int rc = start(r);
        if (rc)
            return finish(r, rc);
    }
    for (;;) {
        int c = peek(r);
        if (c == END)
            return finish(r, r->read_error ? MADI_EIO : MADI_OK);
        if (c == '\r' || c == '\n') {
            r->pos++;
            newline(r, c);
            continue; /* an empty line */
        }
        break;
    }
    r->reclen = 0;
    r->raw = 0;
    r->nfields = 0;
    r->field_start = 0;
    r->field_over = 0;
    r->rec_over = 0;
    r->bad = 0;
    row->line = r->line;
    int fatal = 0, c;
    do {
        c = read_field(r, &fatal);
    } while (c == r->delim && !fatal);
    if (fatal)
        return finish(r, MADI_EPARSE);
    if (r->read_error) {
        issue(r, r->line, 0, 1, "cannot read the file: %s", strerror(r->read_error));
        return finish(r, MADI_EIO);
    }
    for (size_t i = 0; i < r->nfields; i++)
        r->fields[i].p = r->rec + (uintptr_t)r->fields[i].p;
    row->fields = r->fields;
    row->n = r->nfields;
    row->bad = r->bad;
    return 1;
}

static struct madi_csv *new_reader(const struct madi_csv_opts *opts)
{
    struct madi_csv *r = xcalloc(1, sizeof(*r));
    if (opts)
        r->o = *opts;
    if (!r->o.max_field)
        r->o.max_field = MADI_CSV_DEFAULT_MAX_FIELD;
    if (!r->o.max_record)
        r->o.max_record = MADI_CSV_DEFAULT_MAX_RECORD;
    if (r->o.max_field > r->o.max_record)
        r->o.max_field = r->o.max_record;
    r->fd = -1;
    return r;
}

int madi_csv_open(const char *path, const struct madi_csv_opts *opts, struct madi_csv **out,
                  struct madi_err *err)
{
    struct stat sb;
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return madi_err_set(err, MADI_EIO, "cannot open %s: %s", path, strerror(errno));
    if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        (void)close(fd);
        return madi_err_set(err, MADI_EIO, "%s is a folder, not a file", path);
    }
    struct madi_csv *r = new_reader(opts);
    r->fd = fd;
    r->chunk = xmalloc(CHUNK);
    r->size = S_ISREG(sb.st_mode) ? (unsigned long long)sb.st_size : 0;
    *out = r;
    return MADI_OK;
}

struct madi_csv *madi_csv_from_mem(const void *data, size_t len, const struct madi_csv_opts *opts)
{
    struct madi_csv *r = new_reader(opts);
    static const unsigned char empty[1];
    r->mem = data ? data : empty;
    r->memlen = data ? len : 0;
    r->size = len;
    return r;
}

char madi_csv_delimiter(const struct madi_csv *r)
{
    return r->delim ? r->delim : ',';
}

unsigned long long madi_csv_bytes_read(const struct madi_csv *r)
{
    return r->before + r->pos;
}

unsigned long long madi_csv_size(const struct madi_csv *r)
{
    return r->size;
}

int madi_csv_had_bom(const struct madi_csv *r)
{
    return r->bom;
}

void madi_csv_close(struct madi_csv *r)
{
    if (!r)
        return;
    if (r->fd >= 0)
        (void)close(r->fd);
    free(r->chunk);
    free(r->rec);
    free(r->fields);
    free(r);
}
