/*
 * csv.c: the streaming CSV reader (the contract is include/madi/csv.h).
 *
 * Job: turn a byte stream (a file read with read(2) in CHUNK-sized windows, or a borrowed memory
 * buffer) into records of unquoted, unescaped, NUL-terminated fields; report every problem with
 * its physical line and field column; never hold more memory than the caps allow, whatever the
 * input.
 *
 * Invariants:
 *  - buf[0..len) is the current window of input and `before` is the stream offset of buf[0], so
 *    before + pos bytes have been consumed. A byte before `pos` is never looked at again: a record
 *    that crosses a window edge has been copied into `rec` up to the edge before the next window
 *    replaces it. Only start() looks ahead (for the BOM and the delimiter).
 *  - `rec` holds the current record: each field's bytes, then a NUL, field after field, so the
 *    field pointers are set in one pass when the record is handed out. The record size (field
 *    bytes plus one separator between fields) never passes max_record and a field never passes
 *    max_field (<= max_record): `rec` stays within max_record + 1 bytes and `fields` within
 *    max_record + 1 entries, and with the chunk that is all the memory a reader holds. Bytes
 *    over a cap are counted and skipped, not stored.
 *  - The verdict on the caps does not depend on where windows end: a field is over max_field
 *    as soon as its length passes it; a record is over max_record when the field that made it
 *    pass ends (unless that field went over max_field, which drops its bytes).
 *  - `line` is the physical line of the next unread byte. LF, CRLF and lone CR each count once,
 *    also when a CRLF straddles two windows or sits inside quotes. Inside a quoted field every
 *    line break is stored as a single '\n', so a field's own line breaks give the line of any
 *    byte in it.
 *  - Files that are not UTF-8 text at all (UTF-16/32 by their byte order mark, a zip-based
 *    workbook, an old OLE2 .xls) are refused by their first four bytes, before any record.
 *  - A recoverable problem is reported before the record holding it is returned, and marks it
 *    bad; once the record is over max_record, nothing more is reported for it. Reaching the end
 *    or a fatal problem is sticky: `done_rc` is returned from then on.
 *
 * Speed: most records lie inside one window and have no line break inside quotes. fast_record()
 * scans such a record with one table lookup per byte, then copies it into `rec`: with one memcpy
 * when nothing is quoted (the delimiters become NULs), else field by field. Anything else (a
 * record running past the window, a line break or text after a closing quote in a quoted field,
 * a cap reached) makes it back off without consuming anything, and read_record(), the general
 * state machine, reads the record span by span. Both give the same rows and issues: the fuzz
 * target reads every input in one window and in 1- and 5-byte windows and compares. The scan
 * tables also flag bytes >= 0x80 and NUL, so only fields holding one are checked for UTF-8 and
 * NULs: plain ASCII costs nothing more.
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
#include "csv_int.h"
#include "xalloc.h"

#define CHUNK ((size_t)256 * 1024) /* bytes per read(2) */
#define END   (-1)                 /* peek(): no more input */
#define FATAL (-2)                 /* read_quoted(): unterminated, already reported */

/* Byte classes of the scan tables; 0 lets the scan run on. */
enum { C_TEXT = 0, C_CHECK, C_DELIM, C_NL, C_QUOTE };

struct madi_csv {
    /* input */
    int fd;                    /* -1 when reading memory */
    const unsigned char *mem;  /* memory mode: borrowed */
    size_t memlen;             /* bytes at mem */
    unsigned char *chunk;      /* file mode: CHUNK bytes */
    const unsigned char *buf;  /* the current window */
    size_t pos, len;           /* next unread byte of the window; bytes in it */
    size_t window;             /* most bytes one refill brings in */
    int eof;                   /* nothing more to read (or a read failed) */
    int read_errno;            /* errno of a failed read, else 0 */
    unsigned long long before; /* stream offset of buf[0] */
    unsigned long long size;   /* total size when known, else 0 */

    /* settings */
    struct madi_csv_opts o;
    unsigned char delim;     /* 0 until detected */
    unsigned char cls[256];  /* byte classes outside quotes */
    unsigned char qcls[256]; /* byte classes inside quotes */

    /* state */
    int started, bom, done, done_rc;
    unsigned long line; /* physical line of the next unread byte */

    /* the record being read; see the invariants above */
    char *rec;
    size_t reclen, reccap;
    struct madi_csv_field *fields;
    size_t nfields, fieldcap;
    unsigned long rec_line;
    int bad;
    int rec_over; /* past max_record: the rest of the record is skipped */
    /* the field being read (general path only) */
    unsigned long field_line;
    unsigned col;       /* 1-based, counts fields skipped by rec_over too */
    size_t field_start; /* offset of its first byte in rec */
    int check;          /* holds a byte >= 0x80 or a NUL: validate at the end */
    size_t field_len;   /* its length so far, stored or not */
    int field_over;     /* past max_field: its bytes are skipped */
    int rec_full;       /* its bytes no longer fit max_record: over_record() at its end */
};

static void issue(struct madi_csv *r, unsigned long line, unsigned col, int fatal, const char *fmt,
                  ...) __attribute__((format(printf, 5, 6)));

static void issue(struct madi_csv *r, unsigned long line, unsigned col, int fatal, const char *fmt,
                  ...)
{
    char msg[256];
    va_list ap;

    if (!fatal && r->rec_over)
        return; /* the record is being skipped and was reported as a whole */
    if (!fatal)
        r->bad = 1;
    if (!r->o.on_issue)
        return;
    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    r->o.on_issue(r->o.issue_ctx, line, col, fatal, msg);
}

/* ---- input windows ------------------------------------------------------------------------- */

/* File mode: read until the chunk holds `want` bytes, the file ends, or a read fails. */
static void read_more(struct madi_csv *r, size_t want)
{
    while (r->len < want && !r->eof) {
        size_t ask = want - r->len;
        ssize_t n = read(r->fd, r->chunk + r->len, ask < r->window ? ask : r->window);
        if (n > 0) {
            r->len += (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            if (n < 0)
                r->read_errno = errno;
            r->eof = 1;
        }
    }
}

/* Replace the used-up window with the next one. Returns 1 if there is more input. */
static int refill(struct madi_csv *r)
{
    if (r->eof)
        return 0;
    r->before += r->len;
    r->pos = 0;
    r->len = 0;
    if (r->mem) {
        size_t left = r->memlen - (size_t)r->before;
        r->buf = r->mem + r->before;
        r->len = left < r->window ? left : r->window;
        if (!r->len)
            r->eof = 1;
    } else {
        r->buf = r->chunk;
        read_more(r, r->window < CHUNK ? r->window : CHUNK);
    }
    return r->len > 0;
}

static inline int peek(struct madi_csv *r)
{
    if (r->pos < r->len || refill(r))
        return r->buf[r->pos];
    return END;
}

/*
 * Start only: make up to `want` (<= CHUNK) unread bytes visible at *p without consuming them;
 * returns how many there are. In file mode this compacts the chunk and reads on; in memory mode
 * it looks at the buffer directly, so the window size stays what it was.
 */
static size_t lookahead(struct madi_csv *r, const unsigned char **p, size_t want)
{
    size_t have;

    if (r->mem) {
        size_t off = (size_t)r->before + r->pos;
        have = r->memlen - off;
        *p = r->mem + off;
        return have < want ? have : want;
    }
    if (r->pos) {
        memmove(r->chunk, r->chunk + r->pos, r->len - r->pos);
        r->before += r->pos;
        r->len -= r->pos;
        r->pos = 0;
    }
    r->buf = r->chunk;
    read_more(r, want);
    *p = r->chunk;
    return r->len < want ? r->len : want;
}

/* ---- scanning and checking ----------------------------------------------------------------- */

/* First byte in [q, e) whose class is not C_TEXT, or e. The hot loop of the reader. */
static inline const unsigned char *scan(const unsigned char *cls, const unsigned char *q,
                                        const unsigned char *e)
{
    while (e - q >= 4) {
        if (cls[q[0]])
            return q;
        if (cls[q[1]])
            return q + 1;
        if (cls[q[2]])
            return q + 2;
        if (cls[q[3]])
            return q + 3;
        q += 4;
    }
    while (q < e && !cls[*q])
        q++;
    return q;
}

/* Like scan(), but runs over C_CHECK bytes, setting *check when it meets one. */
static inline const unsigned char *scan_text(const unsigned char *cls, const unsigned char *q,
                                             const unsigned char *e, int *check)
{
    for (;;) {
        q = scan(cls, q, e);
        if (q == e || cls[*q] != C_CHECK)
            return q;
        *check = 1;
        q++;
    }
}

static inline int is_cont(unsigned char c)
{
    return (c & 0xc0) == 0x80;
}

/*
 * Find in s[0..n) the first NUL (*nul) and the first byte that does not start a well-formed
 * UTF-8 sequence (*bad; Unicode table 3-7: no overlongs, no surrogates, nothing past U+10FFFF,
 * no truncated sequence); each is n when there is none. ASCII goes 8 bytes at a time.
 */
static void scan_bytes(const unsigned char *s, size_t n, size_t *nul, size_t *bad)
{
    size_t i = 0;

    *nul = n;
    *bad = n;
    while (i < n) {
        unsigned char c = s[i], lo = 0x80, hi = 0xbf;
        size_t len = 0;
        if (c == 0) {
            if (*nul == n)
                *nul = i;
            i++;
            continue;
        }
        if (c < 0x80) {
            uint64_t w;
            i++;
            /* no byte 0 and no byte >= 0x80 in w: then no (w - 0x01...) byte borrows */
            while (n - i >= 8) {
                memcpy(&w, s + i, 8);
                if (((w - 0x0101010101010101ull) | w) & 0x8080808080808080ull)
                    break;
                i += 8;
            }
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            len = 2;
        } else if (c >= 0xe0 && c <= 0xef) {
            len = 3;
            lo = c == 0xe0 ? 0xa0 : 0x80; /* overlong */
            hi = c == 0xed ? 0x9f : 0xbf; /* surrogates */
        } else if (c >= 0xf0 && c <= 0xf4) {
            len = 4;
            lo = c == 0xf0 ? 0x90 : 0x80; /* overlong */
            hi = c == 0xf4 ? 0x8f : 0xbf; /* past U+10FFFF */
        }
        if (!len || n - i < len || s[i + 1] < lo || s[i + 1] > hi ||
            (len > 2 && !is_cont(s[i + 2])) || (len > 3 && !is_cont(s[i + 3]))) {
            const unsigned char *z = *nul == n ? memchr(s + i, 0, n - i) : NULL;
            *bad = i;
            if (z)
                *nul = (size_t)(z - s);
            return;
        }
        i += len;
    }
}

int csv_text_ok(const char *s, size_t n)
{
    size_t nul = n, bad = n;
    scan_bytes((const unsigned char *)s, n, &nul, &bad);
    return nul == n && bad == n;
}

/* Line breaks in s[0..n) (a stored field holds each as one '\n'). */
static unsigned long breaks(const unsigned char *s, size_t n)
{
    unsigned long k = 0;
    const unsigned char *e = s + n;

    while ((s = memchr(s, '\n', (size_t)(e - s))) != NULL) {
        k++;
        s++;
    }
    return k;
}

/* Report a NUL byte and invalid UTF-8 in the field s[0..n), which starts on `line`. */
static void check_field(struct madi_csv *r, const char *field, size_t n, unsigned long line,
                        unsigned col)
{
    const unsigned char *s = (const unsigned char *)field;
    size_t at_nul, at_bad;

    scan_bytes(s, n, &at_nul, &at_bad);
    if (at_nul < at_bad)
        issue(r, line + breaks(s, at_nul), col, 0, "contains a NUL byte (is this a binary file?)");
    if (at_bad < n)
        issue(r, line + breaks(s, at_bad), col, 0,
              "invalid UTF-8 (byte 0x%02x); save the file as UTF-8 (in Excel: Save As 'CSV "
              "UTF-8')",
              s[at_bad]);
    if (at_nul > at_bad && at_nul < n)
        issue(r, line + breaks(s, at_nul), col, 0, "contains a NUL byte (is this a binary file?)");
}

/* ---- the record buffer --------------------------------------------------------------------- */

static void grow_rec(struct madi_csv *r, size_t need)
{
    size_t cap = r->reccap ? r->reccap : 4096;

    while (cap < need)
        cap *= 2;
    if (cap > r->o.max_record + 1 && need <= r->o.max_record + 1)
        cap = r->o.max_record + 1;
    r->rec = xrealloc(r->rec, cap);
    r->reccap = cap;
}

/* Each field but the first takes a separator from max_record, so max_record + 1 is enough. */
static void grow_fields(struct madi_csv *r)
{
    size_t most = r->o.max_record + 1;

    MADI_ASSERT(r->fieldcap < most);
    r->fieldcap = r->fieldcap ? r->fieldcap * 2 : 64;
    if (r->fieldcap > most)
        r->fieldcap = most;
    r->fields = xrealloc(r->fields, r->fieldcap * sizeof(*r->fields));
}

static void over_field(struct madi_csv *r)
{
    issue(r, r->field_line, r->col, 0, "field longer than %zu bytes; it was skipped",
          r->o.max_field);
    r->field_over = 1;
    r->reclen = r->field_start;
}

static void over_record(struct madi_csv *r)
{
    issue(r, r->rec_line, 0, 0,
          "record longer than %zu bytes; the rest of it was skipped (is a closing quote "
          "missing?)",
          r->o.max_record);
    r->rec_over = 1;
    r->reclen = r->field_start;
}

/*
 * Append bytes to the current field, within the caps. When the record runs out of room, the
 * field's bytes are still counted until it ends, and only then is the record found too long:
 * a field that goes over max_field on the way is reported as that instead. So the verdict does
 * not depend on where spans or windows end.
 */
static inline void append(struct madi_csv *r, const unsigned char *p, size_t n)
{
    if (!n || r->field_over || r->rec_over)
        return;
    if (r->field_len + n > r->o.max_field) {
        over_field(r);
        return;
    }
    r->field_len += n;
    if (r->rec_full || r->reclen + n > r->o.max_record) {
        r->rec_full = 1;
        return;
    }
    if (r->reclen + n + 1 > r->reccap)
        grow_rec(r, r->reclen + n + 1);
    memcpy(r->rec + r->reclen, p, n);
    r->reclen += n;
}

static void begin_field(struct madi_csv *r)
{
    r->field_line = r->line;
    r->field_start = r->reclen;
    r->col++;
    r->check = 0;
    r->field_len = 0;
    r->field_over = 0;
    r->rec_full = 0;
}

static void end_field(struct madi_csv *r)
{
    size_t n = r->reclen - r->field_start;

    if (r->rec_over)
        return;
    if (r->rec_full && !r->field_over) {
        over_record(r);
        return;
    }
    if (r->reclen > r->o.max_record) {
        over_record(r); /* no room for the separator before this (empty) field */
        return;
    }
    if (r->check && !r->field_over)
        check_field(r, r->rec + r->field_start, n, r->field_line, r->col);
    if (r->nfields == r->fieldcap)
        grow_fields(r);
    r->fields[r->nfields].len = n;
    r->fields[r->nfields].line = r->field_line;
    r->nfields++;
    if (r->reclen + 1 > r->reccap)
        grow_rec(r, r->reclen + 1);
    r->rec[r->reclen++] = '\0';
}

/* Point each field into rec: they lie one after the other, each followed by its NUL. */
static void set_pointers(struct madi_csv *r)
{
    char *p = r->rec;

    for (size_t i = 0; i < r->nfields; i++) {
        r->fields[i].p = p;
        p += r->fields[i].len + 1;
    }
}

/* ---- the two ways to read a record --------------------------------------------------------- */

/*
 * Scan one field of fast_record() starting at *qp. Sets *qp to the byte that ends it (delimiter or
 * line end), *src and *raw to its bytes in the window (between the quotes if quoted), *esc to
 * the number of doubled quotes in them, and *quoted if it is quoted. Returns 0 for anything the
 * general path must handle: the window ends first, or a quoted field holds a line break or has text
 * after its closing quote.
 */
static inline int fast_field(const struct madi_csv *r, const unsigned char **qp,
                             const unsigned char *e, const unsigned char **src, size_t *raw,
                             size_t *esc, int *quoted, int *check)
{
    const unsigned char *q = *qp, *f = q;

    if (q < e && *q == '"') {
        f = ++q;
        *quoted = 1;
        for (;;) {
            q = scan_text(r->qcls, q, e, check);
            if (q + 1 >= e || *q != '"')
                return 0; /* a line break inside, or the window ends */
            if (q[1] != '"')
                break;
            ++*esc;
            q += 2;
        }
        *raw = (size_t)(q - f);
        q++;
        if (r->cls[*q] != C_DELIM && r->cls[*q] != C_NL)
            return 0;
    } else {
        q = scan_text(r->cls, q, e, check);
        if (q == e)
            return 0;
        *raw = (size_t)(q - f);
    }
    *src = f;
    *qp = q;
    return 1;
}

/* The second half of fast_record(): copy the n fields it found into rec, `size` bytes and a NUL
 * each, and point the fields at their copies. */
static void fast_copy(struct madi_csv *r, const unsigned char *s, size_t n, size_t size, int quoted)
{
    if (!quoted) {
        /* The record as it stands, each delimiter and the line end turned into a NUL. */
        memcpy(r->rec, s, size);
        for (size_t i = 0, off = 0; i < n; i++) {
            struct madi_csv_field *f = &r->fields[i];
            f->p = r->rec + off;
            off += f->len;
            r->rec[off++] = '\0';
        }
    } else {
        /* Field by field, without the quotes and with each doubled quote made single. */
        for (size_t i = 0, off = 0; i < n; i++) {
            struct madi_csv_field *f = &r->fields[i];
            const char *from = f->p;
            f->p = r->rec + off;
            if (f->line < 2) {
                memcpy(r->rec + off, from, f->len);
            } else {
                size_t k = 0;
                for (size_t j = 0; j < f->len; j++, k++) {
                    r->rec[off + k] = from[j];
                    j += from[j] == '"'; /* skip the second quote of a pair */
                }
                f->len = k;
            }
            off += f->len;
            r->rec[off++] = '\0';
        }
    }
}

/*
 * The common case: a record that ends inside the window, fits the caps, and whose quoted fields
 * (if any) have no line break inside and nothing after their closing quote. Reads it and returns
 * 1, or returns 0 having consumed nothing, so that read_record() takes over. While scanning,
 * fields[i] holds field i's bytes in the window (p), their length (len), and in `line` twice
 * its doubled quotes, plus one if it needs check_field(); copying then makes it the real thing.
 */
static int fast_record(struct madi_csv *r)
{
    const unsigned char *s = r->buf + r->pos, *e = r->buf + r->len, *q = s;
    size_t n = 0, size = 0;
    int quoted = 0;

    for (;;) {
        const unsigned char *src;
        size_t raw, esc = 0;
        int check = 0;
        if (n == r->fieldcap) {
            if (n > r->o.max_record)
                return 0; /* too many fields to fit anyway: keep `fields` within the cap */
            grow_fields(r);
        }
        if (!fast_field(r, &q, e, &src, &raw, &esc, &quoted, &check) || raw - esc > r->o.max_field)
            return 0;
        r->fields[n].p = (const char *)src;
        r->fields[n].len = raw;
        r->fields[n].line = 2 * esc + (unsigned)check;
        size += raw - esc + (n > 0);
        n++;
        if (r->cls[*q] == C_NL)
            break;
        q++;
    }
    if (size > r->o.max_record || (*q == '\r' && q + 1 == e))
        return 0; /* over the cap, or a CR whose LF may be in the next window */

    if (size + 1 > r->reccap)
        grow_rec(r, size + 1);
    r->nfields = n;
    r->reclen = size + 1;
    r->rec_line = r->line;
    r->bad = 0;
    r->rec_over = 0;
    fast_copy(r, s, n, size, quoted);
    for (size_t i = 0; i < n; i++) {
        struct madi_csv_field *f = &r->fields[i];
        unsigned long flags = f->line;
        f->line = r->line;
        if (flags & 1)
            check_field(r, f->p, f->len, r->line, (unsigned)i + 1);
    }
    r->pos = (size_t)(q - r->buf) + 1;
    if (*q == '\r' && q[1] == '\n')
        r->pos++;
    r->line++;
    return 1;
}

/* Read an unquoted field (or the text after a closing quote) up to the byte that ends it, which
 * is left unread and returned: the delimiter, '\n', '\r' or END. */
static int read_unquoted(struct madi_csv *r)
{
    for (;;) {
        const unsigned char *p, *q, *e;
        if (r->pos == r->len && !refill(r))
            return END;
        p = r->buf + r->pos;
        e = r->buf + r->len;
        q = scan_text(r->cls, p, e, &r->check);
        append(r, p, (size_t)(q - p));
        r->pos = (size_t)(q - r->buf);
        if (q < e)
            return *q;
    }
}

/* Read a quoted field from its opening quote; returns like read_unquoted(), or FATAL. */
static int read_quoted(struct madi_csv *r)
{
    unsigned long qline = r->line;
    int c;

    r->pos++;
    for (;;) {
        const unsigned char *p, *q, *e;
        if (r->pos == r->len && !refill(r)) {
            if (r->read_errno)
                return END; /* reported as a read error */
            issue(r, qline, r->col, 1,
                  "unterminated quoted field (the \" opened here never closes)");
            return FATAL;
        }
        p = r->buf + r->pos;
        e = r->buf + r->len;
        q = scan_text(r->qcls, p, e, &r->check);
        append(r, p, (size_t)(q - p));
        r->pos = (size_t)(q - r->buf);
        if (q == e)
            continue;
        c = *q;
        r->pos++;
        if (c == '"') {
            if (peek(r) != '"')
                break;
            r->pos++;
            append(r, (const unsigned char *)"\"", 1);
            continue;
        }
        r->line++;
        append(r, (const unsigned char *)"\n", 1);
        if (c == '\r' && peek(r) == '\n')
            r->pos++;
    }
    c = peek(r);
    if (c == END || c == r->delim || c == '\n' || c == '\r')
        return c;
    issue(r, r->line, r->col, 0,
          "text after the closing quote; put the whole value in quotes and double any \" in it");
    return read_unquoted(r);
}

/* The general case: one record, whatever it holds and wherever the window edges fall. Returns
 * 1, or FATAL. A read error ends the record early; the caller checks read_errno. */
static int read_record(struct madi_csv *r)
{
    int c;

    r->reclen = 0;
    r->nfields = 0;
    r->col = 0;
    r->bad = 0;
    r->rec_over = 0;
    r->rec_line = r->line;
    for (;;) {
        begin_field(r);
        c = peek(r) == '"' ? read_quoted(r) : read_unquoted(r);
        if (c == FATAL)
            return FATAL;
        end_field(r);
        if (c == END)
            break;
        r->pos++;
        if (c == r->delim)
            continue;
        r->line++;
        if (c == '\r' && peek(r) == '\n')
            r->pos++;
        break;
    }
    set_pointers(r);
    return 1;
}

/* Skip entirely empty lines. Returns 1 if a record starts at pos, 0 at the end of input. */
static int skip_empty_lines(struct madi_csv *r)
{
    for (;;) {
        int c = peek(r);
        if (c != '\n' && c != '\r')
            return c != END;
        r->pos++;
        r->line++;
        if (c == '\r' && peek(r) == '\n')
            r->pos++;
    }
}

/* ---- start, delimiter detection ------------------------------------------------------------ */

/*
 * The delimiter of the first record in p[0..n): the most frequent of ',', ';' and tab outside
 * quotes (a quote opens a quoted part only at the start of the record or right after one of the
 * three). Ties go to ',' then ';'; none at all gives ','.
 */
static unsigned char detect(const unsigned char *p, size_t n)
{
    size_t comma = 0, semi = 0, tab = 0, i = 0;
    int at_start = 1;

    while (i < n && (p[i] == '\n' || p[i] == '\r'))
        i++;
    for (; i < n; i++) {
        unsigned char c = p[i];
        if (c == '"' && at_start) {
            for (i++; i < n; i++) {
                if (p[i] == '"' && i + 1 < n && p[i + 1] == '"')
                    i++;
                else if (p[i] == '"')
                    break;
            }
            at_start = 0;
            continue;
        }
        if (c == '\n' || c == '\r')
            break;
        comma += c == ',';
        semi += c == ';';
        tab += c == '\t';
        at_start = c == ',' || c == ';' || c == '\t';
    }
    if (semi > comma && semi >= tab)
        return ';';
    if (tab > comma && tab > semi)
        return '\t';
    return ',';
}

static int start(struct madi_csv *r)
{
    int rc = MADI_OK;
    const unsigned char *p;
    size_t n = lookahead(r, &p, 4);

    r->started = 1;
    r->line = 1;
    if (n == 4 && ((p[0] == 0xff && p[1] == 0xfe && p[2] == 0 && p[3] == 0) ||
                   (p[0] == 0 && p[1] == 0 && p[2] == 0xfe && p[3] == 0xff))) {
        issue(r, 1, 0, 1, "the file is UTF-32, not UTF-8 (in Excel: Save As 'CSV UTF-8')");
        rc = MADI_EPARSE;
        goto done;
    }
    if (n >= 2 && ((p[0] == 0xff && p[1] == 0xfe) || (p[0] == 0xfe && p[1] == 0xff))) {
        issue(r, 1, 0, 1, "the file is UTF-16, not UTF-8 (in Excel: Save As 'CSV UTF-8')");
        rc = MADI_EPARSE;
        goto done;
    }
    if (n == 4 && memcmp(p, "PK\x03\x04", 4) == 0) {
        issue(r, 1, 0, 1,
              "this is a spreadsheet workbook, not a CSV file (in Excel: Save As 'CSV UTF-8'; in "
              "LibreOffice: Save As 'Text CSV', character set UTF-8)");
        rc = MADI_EPARSE;
        goto done;
    }
    if (n == 4 && memcmp(p, "\xd0\xcf\x11\xe0", 4) == 0) {
        issue(r, 1, 0, 1,
              "this is an old Excel file (.xls) or a password-protected workbook: save it as "
              ".xlsx without a password, or as 'CSV UTF-8'");
        rc = MADI_EPARSE;
        goto done;
    }
    if (n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) {
        r->bom = 1;
        if (r->mem)
            r->before += 3; /* no window yet: the first one starts after the BOM */
        else
            r->pos += 3;
    }
    if (!r->delim) {
        n = lookahead(r, &p, CHUNK);
        r->delim = detect(p, n);
    }
    memset(r->cls, C_TEXT, sizeof(r->cls));
    memset(r->cls + 0x80, C_CHECK, 0x80);
    r->cls[0] = C_CHECK;
    r->cls['\n'] = C_NL;
    r->cls['\r'] = C_NL;
    memcpy(r->qcls, r->cls, sizeof(r->qcls));
    r->qcls['"'] = C_QUOTE;
    r->cls[r->delim] = C_DELIM;
done:
    return rc;
}

/* ---- public functions ---------------------------------------------------------------------- */

int madi_csv_next(struct madi_csv *r, struct madi_csv_row *row)
{
    int rc = MADI_OK;

    if (r->done) {
        rc = r->done_rc;
        goto done;
    }
    if (!r->started) {
        rc = start(r);
        if (rc)
            goto done;
    }
    rc = skip_empty_lines(r);
    if (rc == 1 && !fast_record(r))
        rc = read_record(r);
    if (rc == FATAL)
        rc = MADI_EPARSE;
    if (rc >= 0 && r->read_errno) {
        issue(r, r->line, 0, 1, "cannot read the file: %s", strerror(r->read_errno));
        rc = MADI_EIO;
    }
done:
    if (rc == 1) {
        row->fields = r->fields;
        row->n = r->nfields;
        row->line = r->rec_line;
        row->bad = r->bad;
    } else {
        memset(row, 0, sizeof(*row));
        r->done = 1;
        r->done_rc = rc;
    }
    return rc;
}

static struct madi_csv *new_reader(const struct madi_csv_opts *opts)
{
    struct madi_csv *r = xcalloc(1, sizeof(*r));

    if (opts)
        r->o = *opts;
    if (!r->o.max_record)
        r->o.max_record = MADI_CSV_DEFAULT_MAX_RECORD;
    if (!r->o.max_field)
        r->o.max_field = MADI_CSV_DEFAULT_MAX_FIELD;
    if (r->o.max_record > SIZE_MAX / 4)
        r->o.max_record = SIZE_MAX / 4; /* so that max_record + 1 and friends cannot wrap */
    if (r->o.max_field > r->o.max_record)
        r->o.max_field = r->o.max_record;
    r->delim = (unsigned char)r->o.delimiter;
    /* A delimiter that is a quote, a line end or not ASCII cannot work: a bug in the caller. */
    MADI_ASSERT(r->delim != '"' && r->delim != '\n' && r->delim != '\r' && r->delim < 0x80);
    r->fd = -1;
    return r;
}

int madi_csv_open(const char *path, const struct madi_csv_opts *opts, struct madi_csv **out,
                  struct madi_err *err)
{
    int rc = MADI_OK;
    int fd = -1;
    struct stat st;
    struct madi_csv *r = NULL;

    *out = NULL;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rc = madi_err_set(err, MADI_EIO, "cannot open %s: %s", path, strerror(errno));
        goto done;
    }
    if (fstat(fd, &st) < 0) {
        rc = madi_err_set(err, MADI_EIO, "cannot read %s: %s", path, strerror(errno));
        goto done;
    }
    if (S_ISDIR(st.st_mode)) {
        rc = madi_err_set(err, MADI_EIO, "cannot read %s: it is a folder, not a file", path);
        goto done;
    }
    (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    r = new_reader(opts);
    r->fd = fd;
    fd = -1;
    r->chunk = xmalloc(CHUNK);
    r->window = CHUNK;
    r->size = S_ISREG(st.st_mode) ? (unsigned long long)st.st_size : 0;
    *out = r;
done:
    if (fd >= 0)
        (void)close(fd);
    return rc;
}

struct madi_csv *madi_csv_from_mem(const void *data, size_t len, const struct madi_csv_opts *opts)
{
    static const unsigned char empty[1];
    struct madi_csv *r = new_reader(opts);

    r->mem = data ? data : empty;
    r->memlen = data ? len : 0;
    r->window = SIZE_MAX;
    r->size = r->memlen;
    return r;
}

/*
 * For the tests and the fuzz target only, so deliberately not in csv.h: bring in at most `n`
 * (>= 1) bytes per window, so that window edges fall everywhere. Call before the first
 * madi_csv_next. The BOM and delimiter detection still look at up to a whole chunk.
 */

void madi_csv_test_window(struct madi_csv *r, size_t n)
{
    MADI_ASSERT(n >= 1 && !r->started);
    r->window = n;
}

char madi_csv_delimiter(const struct madi_csv *r)
{
    return r->delim ? (char)r->delim : ',';
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
