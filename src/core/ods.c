/*
 * ods.c: one sheet of an OpenDocument spreadsheet as rows of text (see ods.h).
 *
 * content.xml holds every sheet; it is streamed with expat (64 KiB at a time) and suspended at
 * each row end of the wanted sheet, like xlsx.c. Invariants: empty repeated cells only move the
 * column (a row "repeated" to the sheet's 16384 columns costs nothing); a non-empty repeated
 * row is handed out once per repeat, up to a cap; cell text is capped like CSV fields.
 */
#include "madi/ods.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>
#include <zip.h>

#include "banned.h"
#include "buf.h"
#include "xalloc.h"
#include "xmlpump.h"

#define CHUNK      65536u
#define MAX_COLS   16384u
#define MAX_REPEAT 1000000ul /* copies of one non-empty repeated row */
#define SHEET_CAP  (4ull << 30)
#define CELL_CAP   100000000ul

struct madi_ods {
    zip_t *zip;
    struct xmlpump pump;
    struct madi_csv_opts o;
    char *want;
    char *sheet;
    int done;

    int in_sheet, sheets_seen, past; /* in the wanted table; tables seen; past it */
    unsigned long row, row_repeat, emit_left;
    unsigned col, col_repeat;
    int in_cell, in_p, cell_has_value, text_over;
    int in_note; /* inside office:annotation: a comment, not the cell's value */
    char vtype[16];
    struct madi_buf value, text;
    struct madi_buf rec;
    size_t *off, *len;
    size_t ncols, cap_cols;
    struct madi_csv_field *fields;
    int row_ready, row_bad;
    unsigned long cells_seen;
    int capped; /* stopped by a cap, already reported */
};

static void issue(struct madi_ods *o, unsigned long row, unsigned col, int fatal, const char *fmt,
                  ...) __attribute__((format(printf, 5, 6)));
static void issue(struct madi_ods *o, unsigned long row, unsigned col, int fatal, const char *fmt,
                  ...)
{
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (!fatal)
        o->row_bad = 1;
    if (o->o.on_issue)
        o->o.on_issue(o->o.issue_ctx, row, col, fatal, msg);
}

static const char *attr(const char **atts, const char *name)
{
    for (int i = 0; atts[i]; i += 2)
        if (strcmp(atts[i], name) == 0)
            return atts[i + 1];
    return NULL;
}

static unsigned long repeat(const char **atts, const char *name)
{
    const char *v = attr(atts, name);
    unsigned long n = v ? strtoul(v, NULL, 10) : 1;
    return n ? n : 1;
}

static void put(struct madi_ods *o, const char *s, size_t n, unsigned long times)
{
    for (unsigned long t = 0; t < times; t++, o->col++) {
        if (o->col >= MAX_COLS) {
            issue(o, o->row, o->col + 1, 0, "this row goes past column %u", MAX_COLS);
            return;
        }
        if (o->col >= o->cap_cols) {
            o->cap_cols = o->col + 16;
            o->off = xrealloc(o->off, o->cap_cols * sizeof(*o->off));
            o->len = xrealloc(o->len, o->cap_cols * sizeof(*o->len));
        }
        while (o->ncols <= o->col) {
            o->off[o->ncols] = 0;
            o->len[o->ncols++] = 0;
        }
        if (madi_buf_grow(&o->rec, n + 1) != MADI_OK) {
            issue(o, o->row, o->col + 1, 0, "this row is too long and was not read");
            return;
        }
        o->off[o->col] = o->rec.len;
        o->len[o->col] = n;
        (void)madi_buf_add(&o->rec, s, n);
        (void)madi_buf_addc(&o->rec, '\0');
    }
}

static void on_start(void *ud, const char *el, const char **atts)
{
    struct madi_ods *o = ud;
    if (strcmp(el, "table:table") == 0) {
        const char *name = attr(atts, "table:name");
        o->sheets_seen++;
        if (!o->past && !o->sheet && (!o->want || (name && strcmp(name, o->want) == 0))) {
            o->in_sheet = 1;
            o->sheet = xstrdup(name ? name : "Sheet1");
            o->row = 0;
        }
        return;
    }
    if (!o->in_sheet)
        return;
    if (strcmp(el, "office:annotation") == 0) {
        o->in_note++;
        return;
    }
    if (o->in_note)
        return;
    if (strcmp(el, "table:table-row") == 0) {
        o->row_repeat = repeat(atts, "table:number-rows-repeated");
        madi_buf_reset(&o->rec);
        o->ncols = 0;
        o->col = 0;
        o->row_bad = 0;
        o->row++;
    } else if (strcmp(el, "table:table-cell") == 0 || strcmp(el, "table:covered-table-cell") == 0) {
        const char *t = attr(atts, "office:value-type");
        const char *v = NULL;
        o->in_cell = 1;
        unsigned long cr = repeat(atts, "table:number-columns-repeated");
        o->col_repeat = (unsigned)(cr < MAX_COLS ? cr : MAX_COLS);
        (void)snprintf(o->vtype, sizeof(o->vtype), "%s", t ? t : "");
        madi_buf_reset(&o->value);
        madi_buf_reset(&o->text);
        o->text_over = 0;
        if (t && strcmp(t, "date") == 0)
            v = attr(atts, "office:date-value");
        else if (t && strcmp(t, "boolean") == 0)
            v = attr(atts, "office:boolean-value");
        else if (t && strcmp(t, "string") != 0)
            v = attr(atts, "office:value");
        o->cell_has_value = v != NULL;
        if (v) {
            if (t && strcmp(t, "date") == 0)
                (void)madi_buf_add(&o->value, v, strlen(v) < 10 ? strlen(v) : 10);
            else if (t && strcmp(t, "boolean") == 0)
                (void)madi_buf_adds(&o->value, strcmp(v, "true") == 0 ? "1" : "0");
            else
                (void)madi_buf_adds(&o->value, v);
        }
    } else if (o->in_cell && strcmp(el, "text:p") == 0) {
        if (o->text.len)
            (void)madi_buf_addc(&o->text, '\n');
        o->in_p = 1;
    } else if (o->in_p && strcmp(el, "text:s") == 0) {
        unsigned long n = repeat(atts, "text:c");
        for (unsigned long i = 0; i < n && i < 64; i++)
            (void)madi_buf_addc(&o->text, ' ');
    } else if (o->in_p && strcmp(el, "text:tab") == 0) {
        (void)madi_buf_addc(&o->text, '\t');
    }
}

static void on_end(void *ud, const char *el)
{
    struct madi_ods *o = ud;
    if (strcmp(el, "table:table") == 0) {
        if (o->in_sheet) {
            o->in_sheet = 0;
            o->past = 1;
        }
        return;
    }
    if (!o->in_sheet)
        return;
    if (strcmp(el, "office:annotation") == 0) {
        o->in_note--;
        return;
    }
    if (o->in_note)
        return;
    if (strcmp(el, "text:p") == 0) {
        o->in_p = 0;
    } else if (strcmp(el, "table:table-cell") == 0 || strcmp(el, "table:covered-table-cell") == 0) {
        o->in_cell = 0;
        const struct madi_buf *b = o->cell_has_value ? &o->value : &o->text;
        if (o->text_over)
            issue(o, o->row, o->col + 1, 0, "this cell holds more than %zu bytes and was not read",
                  o->o.max_field);
        if (b->len && !o->text_over) {
            o->cells_seen += o->col_repeat;
            if (o->cells_seen > CELL_CAP) {
                issue(o, o->row, o->col + 1, 1, "the sheet has more than %lu cells: split it",
                      CELL_CAP);
                o->capped = 1;
                (void)XML_StopParser(o->pump.xp, XML_FALSE);
                return;
            }
            put(o, b->data, b->len, o->col_repeat);
        } else
            o->col += o->col_repeat; /* empty cells only move the column */
    } else if (strcmp(el, "table:table-row") == 0) {
        int any = 0;
        for (size_t i = 0; i < o->ncols; i++)
            any |= o->len[i] > 0;
        if (any || o->row_bad) {
            if (o->row_repeat > MAX_REPEAT)
                issue(o, o->row, 0, 0,
                      "this row is repeated %lu times; madi reads at most %lu copies (write the "
                      "rows out, or save the sheet as CSV)",
                      o->row_repeat, MAX_REPEAT);
            o->emit_left = o->row_repeat < MAX_REPEAT ? o->row_repeat : MAX_REPEAT;
            o->row_ready = 1;
            (void)XML_StopParser(o->pump.xp, XML_TRUE);
        } else {
            o->row += o->row_repeat - 1;
        }
    }
}

static void on_text(void *ud, const char *s, int len)
{
    struct madi_ods *o = ud;
    if (!o->in_p || o->text_over)
        return;
    if (o->text.len + (size_t)len > o->o.max_field ||
        madi_buf_add(&o->text, s, (size_t)len) != MADI_OK)
        o->text_over = 1;
}

int madi_ods_open(const char *path, const char *sheet, const struct madi_csv_opts *opts,
                  struct madi_ods **out, struct madi_err *err)
{
    int zerr = 0;
    zip_stat_t st;
    *out = NULL;
    zip_t *z = zip_open(path, ZIP_RDONLY, &zerr);
    if (!z)
        return madi_err_set(err, MADI_EPARSE, "%s is not a valid .ods file", path);
    if (zip_stat(z, "content.xml", 0, &st) != 0) {
        zip_discard(z);
        return madi_err_set(err, MADI_EPARSE, "%s is not an OpenDocument spreadsheet", path);
    }
    if ((st.valid & ZIP_STAT_SIZE) && st.size > SHEET_CAP) {
        zip_discard(z);
        return madi_err_set(err, MADI_EPARSE,
                            "the spreadsheet unpacks to more than 4 GiB: save the sheet as CSV");
    }
    struct madi_ods *o = xcalloc(1, sizeof(*o));
    o->zip = z;
    if (opts)
        o->o = *opts;
    if (!o->o.max_field)
        o->o.max_field = MADI_CSV_DEFAULT_MAX_FIELD;
    o->want = sheet ? xstrdup(sheet) : NULL;
    madi_buf_init(&o->value, 0);
    madi_buf_init(&o->text, 0);
    madi_buf_init(&o->rec, o->o.max_record ? o->o.max_record : MADI_CSV_DEFAULT_MAX_RECORD);
    o->pump.zf = zip_fopen(z, "content.xml", 0);
    o->pump.xp = XML_ParserCreate(NULL);
    if (!o->pump.zf || !o->pump.xp) {
        madi_ods_close(o);
        return madi_err_set(err, MADI_EPARSE, "cannot read the sheets of %s", path);
    }
    XML_SetUserData(o->pump.xp, o);
    XML_SetElementHandler(o->pump.xp, on_start, on_end);
    XML_SetCharacterDataHandler(o->pump.xp, on_text);
    /* Read up to the first row of the wanted sheet, to know it is there. */
    struct madi_csv_row row;
    int rc = madi_ods_next(o, &row);
    if (rc < 0 || (!o->sheet)) {
        int code = rc < 0 ? MADI_EPARSE : MADI_ENOTFOUND;
        madi_err_set(err, code, rc < 0 ? "the spreadsheet %s is damaged" : "there is no sheet '%s'",
                     rc < 0 ? path : (sheet ? sheet : "(any)"));
        madi_ods_close(o);
        return code;
    }
    if (rc == 1)
        o->row_ready = 2; /* hand this row out again on the first call */
    *out = o;
    return MADI_OK;
}

static int emit(struct madi_ods *o, struct madi_csv_row *row)
{
    static const char empty[1] = "";
    o->fields = xrealloc(o->fields, (o->ncols ? o->ncols : 1) * sizeof(*o->fields));
    for (size_t i = 0; i < o->ncols; i++) {
        o->fields[i].p = o->len[i] ? o->rec.data + o->off[i] : empty;
        o->fields[i].len = o->len[i];
        o->fields[i].line = o->row;
    }
    row->line = o->row;
    row->n = o->ncols;
    row->bad = o->row_bad;
    row->fields = o->fields;
    return 1;
}

int madi_ods_next(struct madi_ods *o, struct madi_csv_row *row)
{
    if (o->row_ready == 2) {
        o->row_ready = 1;
        return emit(o, row);
    }
    if (o->row_ready && o->emit_left > 1) {
        o->emit_left--;
        o->row++;
        return emit(o, row);
    }
    o->row_ready = 0;
    if (o->done)
        return o->done < 0 ? o->done : 0;
    for (;;) {
        if (o->row_ready)
            return emit(o, row);
        int rc = o->past ? 0 : xmlpump_step(&o->pump);
        if (rc == 0) {
            o->done = 1;
            return 0;
        }
        if (rc == MADI_EIO)
            issue(o, o->row, 0, 1, "cannot read the spreadsheet: the file is damaged");
        else if (rc < 0 && !o->capped)
            issue(o, o->row + 1, 0, 1, "the spreadsheet is damaged (%s); save it again",
                  XML_ErrorString(XML_GetErrorCode(o->pump.xp)));
        if (rc < 0) {
            o->done = rc;
            return rc;
        }
    }
}

const char *madi_ods_sheet(const struct madi_ods *o)
{
    return o->sheet;
}

void madi_ods_close(struct madi_ods *o)
{
    if (!o)
        return;
    xmlpump_close(&o->pump);
    if (o->zip)
        zip_discard(o->zip);
    free(o->want);
    free(o->sheet);
    free(o->off);
    free(o->len);
    free(o->fields);
    madi_buf_release(&o->value);
    madi_buf_release(&o->text);
    madi_buf_release(&o->rec);
    free(o);
}

struct ods_names {
    char **v;
    size_t n;
};

static void names_start(void *ud, const char *el, const char **atts)
{
    struct ods_names *nm = ud;
    if (strcmp(el, "table:table") != 0 || nm->n >= 1024)
        return;
    const char *name = attr(atts, "table:name");
    if (!name)
        return;
    nm->v = xrealloc(nm->v, (nm->n + 1) * sizeof(*nm->v));
    nm->v[nm->n++] = xstrdup(name);
}

int madi_ods_sheet_names(const char *path, char ***names, size_t *n)
{
    int zerr = 0, rc = MADI_OK;
    struct ods_names nm = { NULL, 0 };
    char *buf = NULL;
    *names = NULL;
    *n = 0;
    zip_t *z = zip_open(path, ZIP_RDONLY, &zerr);
    if (!z)
        return MADI_EPARSE;
    zip_file_t *f = zip_fopen(z, "content.xml", 0);
    XML_Parser p = XML_ParserCreate(NULL);
    if (!f || !p) {
        rc = MADI_EPARSE;
        goto done;
    }
    XML_SetUserData(p, &nm);
    XML_SetElementHandler(p, names_start, NULL);
    buf = xmalloc(CHUNK);
    for (;;) {
        zip_int64_t got = zip_fread(f, buf, CHUNK);
        if (got < 0 || XML_Parse(p, buf, (int)got, got == 0) != XML_STATUS_OK) {
            rc = MADI_EPARSE;
            break;
        }
        if (got == 0)
            break;
    }
done:
    free(buf);
    if (p)
        XML_ParserFree(p);
    if (f)
        (void)zip_fclose(f);
    zip_discard(z);
    if (rc) {
        for (size_t i = 0; i < nm.n; i++)
            free(nm.v[i]);
        free(nm.v);
        return rc;
    }
    *names = nm.v;
    *n = nm.n;
    return MADI_OK;
}
