/*
 * xlsx.c: one sheet of an .xlsx workbook as rows of text (see xlsx.h).
 *
 * The small parts (workbook, its relationships, styles, shared strings) are read whole and
 * parsed with expat; the sheet itself is streamed: expat is fed 64 KiB at a time and suspended
 * (XML_StopParser) at each </row>, so one row is handed out per call and memory does not grow
 * with the sheet. Invariants: every part read whole is capped; every cell of a row lands at its
 * column (from its r="C17" reference, or after the previous cell when it has none); text is
 * capped per cell like the CSV reader's fields.
 */
#include "madi/xlsx.h"

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

#define PART_CAP  (256u * 1024u * 1024u) /* a workbook part read whole */
#define MAX_COLS  16384u
#define CELL_CAP  100000000ul  /* cells in a sheet: beyond this it is a bomb, not a report */
#define SHEET_CAP (4ull << 30) /* a sheet's unpacked XML: beyond this it is a zip bomb */

struct cellpos {
    size_t off, len;
};

struct madi_xlsx {
    zip_t *zip;
    struct madi_csv_opts o;
    char *sheet;
    char **sst;
    size_t nsst;
    unsigned char *date_xf; /* per cellXfs index: 1 if its number format is a date */
    size_t nxf;

    struct xmlpump pump;
    int done; /* 1 = end, <0 = fatal code */

    /* the cell being read */
    int in_c, in_v, in_t, in_is, has_v, has_f;
    unsigned col, next_col;
    char type[12];
    long style;
    struct madi_buf text;
    int text_over;

    /* the row being built */
    unsigned long rownum, last_row;
    struct madi_buf rec;
    struct cellpos *cells; /* by column - 1 */
    size_t ncols;
    struct madi_csv_field *fields;
    int row_ready, row_bad;
    unsigned long cells_seen;
    int capped; /* stopped by a cap, already reported */
};

static void issue(struct madi_xlsx *x, unsigned long row, unsigned col, int fatal, const char *fmt,
                  ...) __attribute__((format(printf, 5, 6)));
static void issue(struct madi_xlsx *x, unsigned long row, unsigned col, int fatal, const char *fmt,
                  ...)
{
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (!fatal)
        x->row_bad = 1;
    if (x->o.on_issue)
        x->o.on_issue(x->o.issue_ctx, row, col, fatal, msg);
}

void madi_xlsx_column_name(unsigned col, char out[8])
{
    char tmp[8];
    int n = 0;
    while (col && n < 7) {
        col--;
        tmp[n++] = (char)('A' + col % 26);
        col /= 26;
    }
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
}

/* "C17" -> column 3 (0 when there are no letters). */
static unsigned ref_column(const char *r)
{
    unsigned c = 0;
    for (; *r && isalpha((unsigned char)*r); r++) {
        c = c * 26 + (unsigned)(toupper((unsigned char)*r) - 'A' + 1);
        if (c > MAX_COLS)
            return MAX_COLS + 1;
    }
    return c;
}

static const char *local(const char *name)
{
    const char *c = strrchr(name, ':');
    return c ? c + 1 : name;
}

static const char *attr(const char **atts, const char *want)
{
    for (int i = 0; atts[i]; i += 2)
        if (strcmp(local(atts[i]), want) == 0)
            return atts[i + 1];
    return NULL;
}

/* Read a whole part of the zip; NULL (and *len = 0) if it is absent. */
static char *read_part(zip_t *z, const char *name, size_t *len, struct madi_err *err, int *rc)
{
    zip_stat_t st;
    *len = 0;
    if (zip_stat(z, name, 0, &st) != 0)
        return NULL;
    if (!(st.valid & ZIP_STAT_SIZE) || st.size > PART_CAP) {
        *rc = madi_err_set(err, MADI_EPARSE, "the workbook part %s is too large", name);
        return NULL;
    }
    zip_file_t *f = zip_fopen(z, name, 0);
    if (!f) {
        *rc = madi_err_set(err, MADI_EPARSE, "cannot read the workbook part %s", name);
        return NULL;
    }
    char *data = xmalloc(st.size + 1);
    zip_int64_t got = zip_fread(f, data, st.size);
    (void)zip_fclose(f);
    if (got < 0 || (zip_uint64_t)got != st.size) {
        free(data);
        *rc = madi_err_set(err, MADI_EPARSE, "the workbook part %s is damaged", name);
        return NULL;
    }
    data[st.size] = '\0';
    *len = st.size;
    return data;
}

/* ---- small parts, parsed whole ---- */

struct wb {
    char *want;       /* sheet asked for, or NULL */
    char *name, *rid; /* the sheet chosen */
    struct madi_buf names;
    char *target; /* from the relationships */
    struct madi_xlsx *x;
    int in_si, in_t, in_rph, in_numfmts, in_cellxfs;
    struct madi_buf text;
    long *fmt_ids;
    size_t nfmt;
    char **fmt_codes;
};

static void wb_start(void *ud, const char *el, const char **atts)
{
    struct wb *w = ud;
    const char *n = local(el);
    if (strcmp(n, "sheet") == 0) {
        const char *name = attr(atts, "name"), *state = attr(atts, "state");
        const char *rid = NULL;
        for (int i = 0; atts[i]; i += 2)
            if (strchr(atts[i], ':') && strcmp(local(atts[i]), "id") == 0)
                rid = atts[i + 1];
        if (!name || !rid)
            return;
        (void)madi_buf_addf(&w->names, "%s'%s'%s", w->names.len ? ", " : "", name,
                            state && strcmp(state, "visible") != 0 ? " (hidden)" : "");
        int hidden = state && strcmp(state, "visible") != 0;
        if (!w->name && (w->want ? strcmp(w->want, name) == 0 : !hidden)) {
            w->name = xstrdup(name);
            w->rid = xstrdup(rid);
        }
    } else if (strcmp(n, "Relationship") == 0 && w->rid) {
        const char *id = attr(atts, "Id"), *target = attr(atts, "Target");
        if (id && target && strcmp(id, w->rid) == 0 && !w->target)
            w->target = target[0] == '/' ? xstrdup(target + 1) : xasprintf("xl/%s", target);
    }
}

static int parse_whole(const char *data, size_t len, void *ud, XML_StartElementHandler start,
                       XML_EndElementHandler end, XML_CharacterDataHandler text)
{
    XML_Parser p = XML_ParserCreate(NULL);
    if (!p)
        madi_bug(__FILE__, __LINE__, "XML_ParserCreate");
    XML_SetUserData(p, ud);
    XML_SetElementHandler(p, start, end);
    if (text)
        XML_SetCharacterDataHandler(p, text);
    int ok = XML_Parse(p, data, (int)len, 1) == XML_STATUS_OK;
    XML_ParserFree(p);
    return ok ? MADI_OK : MADI_EPARSE;
}

static void sst_start(void *ud, const char *el, const char **atts)
{
    struct wb *w = ud;
    const char *n = local(el);
    (void)atts;
    if (strcmp(n, "si") == 0) {
        w->in_si = 1;
        madi_buf_reset(&w->text);
    } else if (strcmp(n, "rPh") == 0) {
        w->in_rph = 1; /* phonetic guide: not part of the text */
    } else if (strcmp(n, "t") == 0 && w->in_si && !w->in_rph) {
        w->in_t = 1;
    }
}

static void sst_end(void *ud, const char *el)
{
    struct wb *w = ud;
    const char *n = local(el);
    struct madi_xlsx *x = w->x;
    if (strcmp(n, "t") == 0) {
        w->in_t = 0;
    } else if (strcmp(n, "rPh") == 0) {
        w->in_rph = 0;
    } else if (strcmp(n, "si") == 0) {
        w->in_si = 0;
        x->sst = xrealloc(x->sst, (x->nsst + 1) * sizeof(*x->sst));
        x->sst[x->nsst++] = xstrndup(w->text.data, w->text.len);
    }
}

static void sst_text(void *ud, const char *s, int len)
{
    struct wb *w = ud;
    if (w->in_t)
        (void)madi_buf_add(&w->text, s, (size_t)len);
}

/* Is this number format a date? Built-in ids 14-22 and 45-47, or a code with d, m or y outside
 * quotes and brackets (and not only elapsed-time codes). */
static int is_date_format(long id, const char *code)
{
    if ((id >= 14 && id <= 22) || (id >= 45 && id <= 47) || (id >= 27 && id <= 36) ||
        (id >= 50 && id <= 58)) /* the last two: built-in East Asian date formats */
        return 1;
    if (!code)
        return 0;
    int q = 0, b = 0, ymd = 0;
    for (const char *c = code; *c; c++) {
        if (*c == '"')
            q = !q;
        else if (*c == '[')
            b = 1;
        else if (*c == ']')
            b = 0;
        else if (!q && !b && *c == '\\')
            c += c[1] ? 1 : 0;
        else if (!q && !b && strchr("dDyY", *c))
            ymd = 1;
    }
    return ymd;
}

static void styles_start(void *ud, const char *el, const char **atts)
{
    struct wb *w = ud;
    struct madi_xlsx *x = w->x;
    const char *n = local(el);
    if (strcmp(n, "numFmts") == 0) {
        w->in_numfmts = 1;
    } else if (strcmp(n, "cellXfs") == 0) {
        w->in_cellxfs = 1;
    } else if (strcmp(n, "numFmt") == 0 && w->in_numfmts) {
        const char *id = attr(atts, "numFmtId"), *code = attr(atts, "formatCode");
        if (!id || !code)
            return;
        w->fmt_ids = xrealloc(w->fmt_ids, (w->nfmt + 1) * sizeof(*w->fmt_ids));
        w->fmt_codes = xrealloc(w->fmt_codes, (w->nfmt + 1) * sizeof(*w->fmt_codes));
        w->fmt_ids[w->nfmt] = strtol(id, NULL, 10);
        w->fmt_codes[w->nfmt++] = xstrdup(code);
    } else if (strcmp(n, "xf") == 0 && w->in_cellxfs) {
        const char *id = attr(atts, "numFmtId");
        long fid = id ? strtol(id, NULL, 10) : 0;
        const char *code = NULL;
        for (size_t i = 0; i < w->nfmt; i++)
            if (w->fmt_ids[i] == fid)
                code = w->fmt_codes[i];
        x->date_xf = xrealloc(x->date_xf, x->nxf + 1);
        x->date_xf[x->nxf++] = (unsigned char)is_date_format(fid, code);
    }
}

static void styles_end(void *ud, const char *el)
{
    struct wb *w = ud;
    const char *n = local(el);
    if (strcmp(n, "numFmts") == 0)
        w->in_numfmts = 0;
    else if (strcmp(n, "cellXfs") == 0)
        w->in_cellxfs = 0;
}

static void noop_end(void *ud, const char *el)
{
    (void)ud;
    (void)el;
}

/* ---- the sheet, streamed ---- */

static void row_reset(struct madi_xlsx *x)
{
    madi_buf_reset(&x->rec);
    x->ncols = 0;
    x->row_bad = 0;
    x->next_col = 1;
}

/* Excel serial day (1900 system, with its 29 February 1900 that never was) to YYYY-MM-DD. */
static int serial_to_date(double serial, char out[64])
{
    if (serial < 1 || serial >= 2958466 || (long)serial == 60)
        return -1;
    long s = (long)serial;
    long z = (s < 60 ? s - 25568 : s - 25569) + 719468; /* days since 0000-03-01 */
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long d = doy - (153 * mp + 2) / 5 + 1;
    long m = mp < 10 ? mp + 3 : mp - 9;
    long y = yoe + era * 400 + (m <= 2);
    (void)snprintf(out, 64, "%04ld-%02ld-%02ld", y, m, d);
    return 0;
}

static void put_cell(struct madi_xlsx *x, const char *s, size_t n)
{
    unsigned col = x->col;
    if (col == 0 || col > MAX_COLS) {
        issue(x, x->rownum, 0, 0, "a cell has no valid reference; the file may be damaged");
        return;
    }
    if (col > x->ncols) {
        x->cells = xrealloc(x->cells, col * sizeof(*x->cells));
        for (size_t i = x->ncols; i < col; i++)
            x->cells[i].off = x->cells[i].len = 0;
        x->ncols = col;
    }
    if (madi_buf_grow(&x->rec, n + 1) != MADI_OK) {
        issue(x, x->rownum, col, 0, "this row is longer than %zu bytes and was not read",
              x->rec.cap);
        return;
    }
    x->cells[col - 1].off = x->rec.len;
    x->cells[col - 1].len = n;
    (void)madi_buf_add(&x->rec, s, n);
    (void)madi_buf_addc(&x->rec, '\0');
}

static void finish_cell(struct madi_xlsx *x)
{
    char tmp[64];
    const char *t = x->type;
    const char *val = x->text.data;
    size_t n = x->text.len;
    if (x->text_over) {
        issue(x, x->rownum, x->col, 0, "this cell holds more than %zu bytes and was not read",
              x->o.max_field);
        return;
    }
    if (x->has_f && !x->has_v) {
        issue(x, x->rownum, x->col, 0,
              "this cell holds a formula with no stored value (open the file in Excel or "
              "LibreOffice and save it, so the value is stored)");
        return;
    }
    if (strcmp(t, "s") == 0) {
        char *end = NULL;
        long i = strtol(val, &end, 10);
        if (!n || *end || i < 0 || (size_t)i >= x->nsst) {
            issue(x, x->rownum, x->col, 0, "this cell refers to a shared string that is not there");
            return;
        }
        put_cell(x, x->sst[i], strlen(x->sst[i]));
    } else if (strcmp(t, "e") == 0) {
        char shown[40];
        (void)snprintf(shown, sizeof(shown), "%.30s", val);
        issue(x, x->rownum, x->col, 0, "this cell holds a spreadsheet error (%s): fix the formula",
              shown);
    } else if (strcmp(t, "d") == 0) {
        put_cell(x, val, n > 10 ? 10 : n); /* an ISO 8601 date cell: its date part */
    } else if (strcmp(t, "b") == 0) {
        put_cell(x, n && val[0] == '1' ? "1" : "0", 1);
    } else if (strcmp(t, "n") == 0 && x->style >= 0 && (size_t)x->style < x->nxf &&
               x->date_xf[x->style] && n) {
        char *end = NULL;
        double d = strtod(val, &end);
        if (*end || serial_to_date(d, tmp)) {
            put_cell(x, val, n);
            return;
        }
        put_cell(x, tmp, strlen(tmp));
    } else {
        put_cell(x, val, n); /* numbers as written; inline and formula strings as text */
    }
}

static void sheet_start(void *ud, const char *el, const char **atts)
{
    struct madi_xlsx *x = ud;
    const char *n = local(el);
    if (strcmp(n, "row") == 0) {
        const char *r = attr(atts, "r");
        row_reset(x);
        x->rownum = r ? strtoul(r, NULL, 10) : x->last_row + 1;
    } else if (strcmp(n, "c") == 0) {
        const char *r = attr(atts, "r"), *t = attr(atts, "t"), *s = attr(atts, "s");
        x->in_c = 1;
        x->has_v = x->has_f = 0;
        x->col = r ? ref_column(r) : x->next_col;
        x->next_col = x->col + 1;
        (void)snprintf(x->type, sizeof(x->type), "%s", t ? t : "n");
        x->style = s ? strtol(s, NULL, 10) : -1;
        madi_buf_reset(&x->text);
        x->text_over = 0;
    } else if (x->in_c && strcmp(n, "v") == 0) {
        x->in_v = 1;
        x->has_v = 1;
        madi_buf_reset(&x->text);
    } else if (x->in_c && strcmp(n, "f") == 0) {
        x->has_f = 1;
    } else if (x->in_c && strcmp(n, "is") == 0) {
        x->in_is = 1;
        x->has_v = 1;
    } else if (x->in_is && strcmp(n, "t") == 0) {
        x->in_t = 1;
    }
}

static void sheet_end(void *ud, const char *el)
{
    struct madi_xlsx *x = ud;
    const char *n = local(el);
    if (strcmp(n, "v") == 0) {
        x->in_v = 0;
    } else if (strcmp(n, "t") == 0) {
        x->in_t = 0;
    } else if (strcmp(n, "is") == 0) {
        x->in_is = 0;
    } else if (strcmp(n, "c") == 0 && x->in_c) {
        x->in_c = 0;
        if (++x->cells_seen > CELL_CAP) {
            issue(x, x->rownum, x->col, 1, "sheet '%s' has more than %lu cells: split it", x->sheet,
                  CELL_CAP);
            x->capped = 1;
            (void)XML_StopParser(x->pump.xp, XML_FALSE);
            return;
        }
        finish_cell(x);
    } else if (strcmp(n, "row") == 0) {
        x->last_row = x->rownum;
        int any = 0;
        for (size_t i = 0; i < x->ncols; i++)
            any |= x->cells[i].len > 0;
        if (any || x->row_bad) {
            x->row_ready = 1;
            (void)XML_StopParser(x->pump.xp, XML_TRUE);
        }
    }
}

static void sheet_text(void *ud, const char *s, int len)
{
    struct madi_xlsx *x = ud;
    if (!(x->in_v || (x->in_is && x->in_t)) || x->text_over)
        return;
    if (x->text.len + (size_t)len > x->o.max_field ||
        madi_buf_add(&x->text, s, (size_t)len) != MADI_OK)
        x->text_over = 1;
}

/* ---- public ---- */

static int load_parts(struct madi_xlsx *x, const char *want, struct madi_err *err)
{
    int rc = MADI_OK;
    size_t len = 0;
    char *data = NULL;
    struct wb w;
    memset(&w, 0, sizeof(w));
    w.x = x;
    w.want = want ? xstrdup(want) : NULL;
    madi_buf_init(&w.names, 4096);
    madi_buf_init(&w.text, x->o.max_field);

    data = read_part(x->zip, "xl/workbook.xml", &len, err, &rc);
    if (!data) {
        if (!rc)
            rc = madi_err_set(err, MADI_EPARSE,
                              "this ZIP file is not an Excel workbook (no xl/workbook.xml)");
        goto done;
    }
    if (parse_whole(data, len, &w, wb_start, noop_end, NULL)) {
        rc = madi_err_set(err, MADI_EPARSE, "the workbook's list of sheets is damaged");
        goto done;
    }
    if (!w.name) {
        rc = madi_err_set(err, MADI_ENOTFOUND, "%s%s%s (the workbook has: %s)",
                          want ? "there is no sheet '" : "every sheet is hidden", want ? want : "",
                          want ? "'" : "", w.names.len ? w.names.data : "no sheets");
        goto done;
    }
    free(data);
    data = read_part(x->zip, "xl/_rels/workbook.xml.rels", &len, err, &rc);
    if (!data || parse_whole(data, len, &w, wb_start, noop_end, NULL) || !w.target) {
        if (!rc)
            rc = madi_err_set(err, MADI_EPARSE, "the workbook does not say where sheet '%s' is",
                              w.name);
        goto done;
    }
    free(data);
    data = read_part(x->zip, "xl/sharedStrings.xml", &len, err, &rc);
    if (rc)
        goto done;
    if (data && parse_whole(data, len, &w, sst_start, sst_end, sst_text)) {
        rc = madi_err_set(err, MADI_EPARSE, "the workbook's shared strings are damaged");
        goto done;
    }
    free(data);
    data = read_part(x->zip, "xl/styles.xml", &len, err, &rc);
    if (rc)
        goto done;
    if (data && parse_whole(data, len, &w, styles_start, styles_end, NULL)) {
        rc = madi_err_set(err, MADI_EPARSE, "the workbook's styles are damaged");
        goto done;
    }
    x->sheet = w.name;
    w.name = NULL;
    zip_stat_t st;
    if (zip_stat(x->zip, w.target, 0, &st) == 0 && (st.valid & ZIP_STAT_SIZE) &&
        st.size > SHEET_CAP) {
        rc = madi_err_set(err, MADI_EPARSE,
                          "sheet '%s' unpacks to more than %u GiB: split the workbook, or save "
                          "the sheet as CSV",
                          x->sheet, (unsigned)(SHEET_CAP >> 30));
        goto done;
    }
    x->pump.zf = zip_fopen(x->zip, w.target, 0);
    if (!x->pump.zf)
        rc = madi_err_set(err, MADI_EPARSE, "sheet '%s' is missing from the workbook (%s)",
                          x->sheet, w.target);
done:
    free(data);
    free(w.want);
    free(w.name);
    free(w.rid);
    free(w.target);
    for (size_t i = 0; i < w.nfmt; i++)
        free(w.fmt_codes[i]);
    free(w.fmt_codes);
    free(w.fmt_ids);
    madi_buf_release(&w.names);
    madi_buf_release(&w.text);
    return rc;
}

int madi_xlsx_open(const char *path, const char *sheet, const struct madi_csv_opts *opts,
                   struct madi_xlsx **out, struct madi_err *err)
{
    int zerr = 0, rc;
    *out = NULL;
    zip_t *z = zip_open(path, ZIP_RDONLY, &zerr);
    if (!z) {
        if (zerr == ZIP_ER_OPEN || zerr == ZIP_ER_READ || zerr == ZIP_ER_NOENT)
            return madi_err_set(err, MADI_EIO, "cannot open %s", path);
        return madi_err_set(err, MADI_EPARSE, "%s is not a valid .xlsx workbook (not a ZIP file)",
                            path);
    }
    struct madi_xlsx *x = xcalloc(1, sizeof(*x));
    x->zip = z;
    if (opts)
        x->o = *opts;
    if (!x->o.max_field)
        x->o.max_field = MADI_CSV_DEFAULT_MAX_FIELD;
    madi_buf_init(&x->text, 0);
    madi_buf_init(&x->rec, x->o.max_record ? x->o.max_record : MADI_CSV_DEFAULT_MAX_RECORD);
    rc = load_parts(x, sheet, err);
    if (rc) {
        madi_xlsx_close(x);
        return rc;
    }
    x->pump.xp = XML_ParserCreate(NULL);
    if (!x->pump.xp)
        madi_bug(__FILE__, __LINE__, "XML_ParserCreate");
    XML_SetUserData(x->pump.xp, x);
    XML_SetElementHandler(x->pump.xp, sheet_start, sheet_end);
    XML_SetCharacterDataHandler(x->pump.xp, sheet_text);
    *out = x;
    return MADI_OK;
}

static int emit(struct madi_xlsx *x, struct madi_csv_row *row)
{
    static const char empty[1] = "";
    x->row_ready = 0;
    x->fields = xrealloc(x->fields, (x->ncols ? x->ncols : 1) * sizeof(*x->fields));
    for (size_t i = 0; i < x->ncols; i++) {
        x->fields[i].p = x->cells[i].len ? x->rec.data + x->cells[i].off : empty;
        x->fields[i].len = x->cells[i].len;
        x->fields[i].line = x->rownum;
    }
    row->line = x->rownum;
    row->n = x->ncols;
    row->bad = x->row_bad;
    row->fields = x->fields;
    return 1;
}

int madi_xlsx_next(struct madi_xlsx *x, struct madi_csv_row *row)
{
    if (x->done)
        return x->done < 0 ? x->done : 0;
    for (;;) {
        if (x->row_ready)
            return emit(x, row);
        int rc = xmlpump_step(&x->pump);
        if (rc == 0) {
            x->done = 1;
            return 0;
        }
        if (rc == MADI_EIO)
            issue(x, x->last_row, 0, 1, "cannot read sheet '%s': the file is damaged", x->sheet);
        else if (rc < 0 && !x->capped)
            issue(x, x->last_row + 1, 0, 1, "sheet '%s' is damaged (%s); save the workbook again",
                  x->sheet, XML_ErrorString(XML_GetErrorCode(x->pump.xp)));
        if (rc < 0) {
            x->done = rc;
            return rc;
        }
    }
}

const char *madi_xlsx_sheet(const struct madi_xlsx *x)
{
    return x->sheet;
}

void madi_xlsx_close(struct madi_xlsx *x)
{
    if (!x)
        return;
    xmlpump_close(&x->pump);
    if (x->zip)
        zip_discard(x->zip);
    for (size_t i = 0; i < x->nsst; i++)
        free(x->sst[i]);
    free(x->sst);
    free(x->date_xf);
    free(x->sheet);
    free(x->cells);
    free(x->fields);
    madi_buf_release(&x->text);
    madi_buf_release(&x->rec);
    free(x);
}

struct names {
    char **v;
    unsigned char *hidden;
    size_t n;
};

static void names_start(void *ud, const char *el, const char **atts)
{
    struct names *nm = ud;
    if (strcmp(local(el), "sheet") != 0)
        return;
    const char *name = attr(atts, "name");
    if (!name || nm->n >= 1024)
        return;
    const char *state = attr(atts, "state");
    nm->v = xrealloc(nm->v, (nm->n + 1) * sizeof(*nm->v));
    nm->hidden = xrealloc(nm->hidden, nm->n + 1);
    nm->hidden[nm->n] = state && strcmp(state, "visible") != 0;
    nm->v[nm->n++] = xstrdup(name);
}

int madi_xlsx_sheet_names(const char *path, char ***names, unsigned char **hidden, size_t *n)
{
    int zerr = 0, rc = MADI_OK;
    size_t len = 0;
    struct names nm = { NULL, NULL, 0 };
    struct madi_err err;
    *names = NULL;
    if (hidden)
        *hidden = NULL;
    *n = 0;
    zip_t *z = zip_open(path, ZIP_RDONLY, &zerr);
    if (!z)
        return MADI_EPARSE;
    char *data = read_part(z, "xl/workbook.xml", &len, &err, &rc);
    if (data && parse_whole(data, len, &nm, names_start, noop_end, NULL) == MADI_OK) {
        *names = nm.v;
        *n = nm.n;
        if (hidden)
            *hidden = nm.hidden;
        else
            free(nm.hidden);
    } else {
        for (size_t i = 0; i < nm.n; i++)
            free(nm.v[i]);
        free(nm.v);
        free(nm.hidden);
        rc = MADI_EPARSE;
    }
    free(data);
    zip_discard(z);
    return data ? rc : MADI_EPARSE;
}
