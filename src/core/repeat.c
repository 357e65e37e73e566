/*
 * repeat.c: repeat groups joined back to their parents (see repeat.h).
 *
 * ODK Central: a zip of CSV files, Form.csv and Form-<repeat>.csv; child rows point at their
 * parent with PARENT_KEY = the parent's KEY. KoBoToolbox: an .xlsx whose first sheet holds the
 * submissions and whose other sheets hold repeats; child rows point with _parent_index = the
 * parent's _index. The joined table is the child's columns, then the parent's columns the child
 * lacks; its lines follow the child table's rows, so messages point at the child's row.
 */
#include "repeat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zip.h>

#include "madi/csv.h"
#include "madi/xlsx.h"

#include "banned.h"
#include "buf.h"
#include "hashmap.h"
#include "mapping.h"
#include "xalloc.h"

#define EXPORT_CAP (512u * 1024u * 1024u)

struct table {
    char *name;
    char **cells;         /* row-major, ncols per row; row 0 is the header */
    unsigned long *lines; /* each row's line (CSV) or row number (sheet) in its own table */
    size_t ncols, nrows;
};

static void table_release(struct table *t)
{
    for (size_t i = 0; i < t->ncols * t->nrows; i++)
        free(t->cells[i]);
    free(t->cells);
    free(t->lines);
    free(t->name);
    memset(t, 0, sizeof(*t));
}

static void table_add_row(struct table *t, const struct madi_csv_row *row)
{
    if (!t->nrows)
        t->ncols = row->n;
    t->cells = xrealloc(t->cells, (t->nrows + 1) * t->ncols * sizeof(*t->cells));
    t->lines = xrealloc(t->lines, (t->nrows + 1) * sizeof(*t->lines));
    t->lines[t->nrows] = row->line;
    for (size_t c = 0; c < t->ncols; c++)
        t->cells[t->nrows * t->ncols + c] =
                c < row->n ? xstrndup(row->fields[c].p, row->fields[c].len) : xstrdup("");
    t->nrows++;
}

static const char *cell(const struct table *t, size_t r, size_t c)
{
    return t->cells[r * t->ncols + c];
}

static long column(const struct table *t, const char *name)
{
    for (size_t c = 0; t->nrows && c < t->ncols; c++)
        if (strcmp(cell(t, 0, c), name) == 0)
            return (long)c;
    return -1;
}

static int table_from_csv(const char *data, size_t len, struct table *t)
{
    struct madi_csv *r = madi_csv_from_mem(data, len, NULL);
    struct madi_csv_row row;
    int rc;
    while ((rc = madi_csv_next(r, &row)) == 1)
        table_add_row(t, &row);
    madi_csv_close(r);
    return rc;
}

static int table_from_sheet(const char *path, const char *sheet, struct table *t)
{
    struct madi_xlsx *x = NULL;
    struct madi_csv_row row;
    struct madi_err err;
    int rc = madi_xlsx_open(path, sheet, NULL, &x, &err);
    if (rc)
        return rc;
    while ((rc = madi_xlsx_next(x, &row)) == 1)
        table_add_row(t, &row);
    madi_xlsx_close(x);
    return rc;
}

/* Pad with empty lines (which readers skip) so that the row about to be written starts on
 * line `line`: messages then point at the row's line in its own table. `scanned` and `at` carry
 * how far the buffer was counted and which line it ends on. */
static void align_line(struct madi_buf *b, size_t *scanned, unsigned long *at, unsigned long line)
{
    for (size_t i = *scanned; i < b->len; i++)
        *at += b->data[i] == '\n';
    while (*at < line && *at < 100000000ul) {
        (void)madi_buf_addc(b, '\n');
        (*at)++;
    }
    *scanned = b->len;
}

static void csv_put(struct madi_buf *b, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        (void)madi_buf_adds(b, s);
        return;
    }
    (void)madi_buf_addc(b, '"');
    for (; *s; s++) {
        if (*s == '"')
            (void)madi_buf_addc(b, '"');
        (void)madi_buf_addc(b, *s);
    }
    (void)madi_buf_addc(b, '"');
}

/* The score of a table's own header. */
static int table_score(const struct table *t, int (*score)(void *, char **, size_t), void *ctx)
{
    if (!t->nrows)
        return -1;
    char **hdr = xcalloc(t->ncols + 1, sizeof(*hdr));
    for (size_t c = 0; c < t->ncols; c++)
        hdr[c] = t->cells[c];
    int sc = score(ctx, hdr, t->ncols);
    free(hdr);
    return sc;
}

static char *table_csv(const struct table *t, size_t *len)
{
    struct madi_buf b;
    madi_buf_init(&b, EXPORT_CAP);
    size_t scanned = 0;
    unsigned long at = 1;
    for (size_t r = 0; r < t->nrows; r++) {
        align_line(&b, &scanned, &at, t->lines[r]);
        for (size_t c = 0; c < t->ncols; c++) {
            if (c)
                (void)madi_buf_addc(&b, ',');
            csv_put(&b, cell(t, r, c));
        }
        (void)madi_buf_addc(&b, '\n');
    }
    return madi_buf_detach(&b, len);
}

/* The last part of a header, after a group prefix ("grp-sex" and "person/sex" are "sex"). */
static const char *last_part(const char *h)
{
    const char *p = h + strlen(h);
    while (p > h && p[-1] != '/' && p[-1] != '-')
        p--;
    return p;
}

/* Join child to parent; build the CSV text if `fits` accepts the joined header. */
static int join(const struct table *parent, const char *pkey, const struct table *child,
                const char *ckey, int kobo, int (*score)(void *, char **, size_t), int min,
                void *ctx, char **csv, size_t *len, struct repeat_orphans *orphans)
{
    long pk = column(parent, pkey), ck = column(child, ckey);
    /* KoBoToolbox gives a repeat row no uuid of its own: it gets its submission's uuid and its
     * own _index, "uuid/index", so newer exports still recognise it. */
    long puuid = kobo ? column(parent, "_uuid") : -1, cidx = kobo ? column(child, "_index") : -1;
    int synth = puuid >= 0 && cidx >= 0;
    if (pk < 0 || ck < 0 || child->nrows < 1)
        return 0;
    /* Parent columns the child lacks (by the question's own name). */
    size_t *extra = xcalloc(parent->ncols + 1, sizeof(*extra));
    size_t nextra = 0;
    for (size_t c = 0; c < parent->ncols; c++) {
        const char *h = last_part(cell(parent, 0, c));
        int have = 0;
        for (size_t d = 0; d < child->ncols && !have; d++)
            have = strcmp(last_part(cell(child, 0, d)), h) == 0;
        /* The parent's own ids and the tools' columns stay with the parent. */
        const char *full = cell(parent, 0, c);
        int status = strcmp(full, "_validation_status") == 0 || strcmp(full, "ReviewState") == 0;
        if (!have && *h && (status || !mapping_tool_column(full, strlen(full))))
            extra[nextra++] = c; /* the reviewers' verdict goes with every repeat row */
    }
    size_t nh = child->ncols + nextra + (synth ? 1 : 0);
    char **hdr = xcalloc(nh + 1, sizeof(*hdr));
    for (size_t c = 0; c < child->ncols; c++)
        hdr[c] = (char *)cell(child, 0, c);
    for (size_t e = 0; e < nextra; e++)
        hdr[child->ncols + e] = (char *)cell(parent, 0, extra[e]);
    if (synth)
        hdr[nh - 1] = (char *)"_uuid";
    int ok = score(ctx, hdr, nh) > min; /* better than the parent table alone */
    if (ok) {
        struct madi_strmap byk;
        struct madi_buf b;
        madi_strmap_init(&byk);
        madi_buf_init(&b, EXPORT_CAP);
        for (size_t r = 1; r < parent->nrows; r++)
            madi_strmap_put(&byk, cell(parent, r, (size_t)pk), strlen(cell(parent, r, (size_t)pk)),
                            (int64_t)r);
        size_t scanned = 0;
        unsigned long at = 1;
        align_line(&b, &scanned, &at, child->lines[0]);
        for (size_t c = 0; c < nh; c++) {
            if (c)
                (void)madi_buf_addc(&b, ',');
            csv_put(&b, hdr[c]);
        }
        (void)madi_buf_addc(&b, '\n');
        for (size_t r = 1; r < child->nrows; r++) {
            int64_t pr = 0;
            const char *k = cell(child, r, (size_t)ck);
            int found = madi_strmap_get(&byk, k, strlen(k), &pr);
            if (!found) {
                /* A repeat row whose submission is not in the export: reported, not joined. */
                orphans->v = xrealloc(orphans->v, (orphans->n + 1) * sizeof(*orphans->v));
                struct repeat_orphan *o = &orphans->v[orphans->n++];
                o->line = child->lines[r];
                o->keycol = ckey;
                (void)snprintf(o->key, sizeof(o->key), "%s", k);
                for (char *q = o->key; *q; q++) /* it goes into a one-line message */
                    if ((unsigned char)*q < 0x20)
                        *q = '?';
                continue;
            }
            align_line(&b, &scanned, &at, child->lines[r]);
            for (size_t c = 0; c < nh; c++) {
                if (c)
                    (void)madi_buf_addc(&b, ',');
                if (c < child->ncols) {
                    csv_put(&b, cell(child, r, c));
                } else if (synth && c == nh - 1) {
                    if (found) {
                        char *u = xasprintf("%s/%s", cell(parent, (size_t)pr, (size_t)puuid),
                                            cell(child, r, (size_t)cidx));
                        csv_put(&b, u);
                        free(u);
                    }
                } else if (found) {
                    csv_put(&b, cell(parent, (size_t)pr, extra[c - child->ncols]));
                }
            }
            (void)madi_buf_addc(&b, '\n');
        }
        *csv = madi_buf_detach(&b, len);
        madi_strmap_release(&byk);
    }
    free(hdr);
    free(extra);
    return ok;
}

/* The file part of a zip entry's name ("export/Form.csv" -> "Form.csv"). */
static const char *base_name(const char *n)
{
    const char *b = strrchr(n, '/');
    return b ? b + 1 : n;
}

/* The main table of an ODK Central zip: the one whose name, less ".csv", begins every other
 * table's name followed by '-' ("Form.csv", "Form-participants.csv"). -1 when there is none. */
static long odk_main(const struct table *t, size_t nt)
{
    if (nt == 1)
        return 0;
    for (size_t i = 0; i < nt; i++) {
        const char *stem = base_name(t[i].name);
        size_t sl = strlen(stem) - 4;
        int all = 1;
        for (size_t j = 0; j < nt && all; j++) {
            const char *o = base_name(t[j].name);
            all = j == i || (strncmp(o, stem, sl) == 0 && o[sl] == '-');
        }
        if (all)
            return (long)i;
    }
    return -1;
}

static int odk_zip(zip_t *z, const char *want, int (*score)(void *, char **, size_t), void *ctx,
                   char **csv, size_t *len, char **name, struct repeat_orphans *orphans,
                   struct madi_err *err)
{
    zip_int64_t n = zip_get_num_entries(z, 0);
    struct table *t = xcalloc((size_t)(n > 0 ? n : 1), sizeof(*t));
    size_t nt = 0, main = (size_t)-1;
    int rc = 0;
    for (zip_int64_t i = 0; i < n; i++) {
        const char *nm = zip_get_name(z, (zip_uint64_t)i, 0);
        zip_stat_t st;
        size_t l = nm ? strlen(nm) : 0;
        if (l < 5 || strcmp(nm + l - 4, ".csv") != 0 || zip_stat_index(z, (zip_uint64_t)i, 0, &st))
            continue;
        if (!(st.valid & ZIP_STAT_SIZE) || st.size > EXPORT_CAP)
            continue;
        zip_file_t *f = zip_fopen_index(z, (zip_uint64_t)i, 0);
        if (!f)
            continue;
        char *data = xmalloc(st.size + 1);
        zip_int64_t got = zip_fread(f, data, st.size);
        (void)zip_fclose(f);
        if (got == (zip_int64_t)st.size && table_from_csv(data, st.size, &t[nt]) >= 0) {
            t[nt].name = xstrdup(nm);
            if (main == (size_t)-1 || strlen(nm) < strlen(t[main].name))
                main = nt;
            nt++;
        } else {
            table_release(&t[nt]);
        }
        free(data);
    }
    long m = odk_main(t, nt);
    main = m < 0 ? (size_t)-1 : (size_t)m;
    if (nt > 1 && m < 0) {
        /* Several tables, none the parent of the others: the user says which. */
        for (size_t i = 0; i < nt && want && !rc; i++) {
            if (strcmp(want, base_name(t[i].name)) == 0 || strcmp(want, t[i].name) == 0) {
                *csv = table_csv(&t[i], len);
                *name = xstrdup(base_name(t[i].name));
                rc = 1;
            }
        }
        if (!rc) {
            char list[256];
            size_t l = 0;
            list[0] = '\0';
            for (size_t i = 0; i < nt && l < sizeof(list); i++)
                l += (size_t)snprintf(list + l, sizeof(list) - l, "%s%s", i ? ", " : "",
                                      base_name(t[i].name));
            rc = madi_err_set(err, MADI_EPARSE,
                              "the zip holds several tables (%s): name the one to import with "
                              "--sheet",
                              list);
        }
    }
    if (main != (size_t)-1) {
        int min = table_score(&t[main], score, ctx);
        for (size_t i = 0; i < nt && !rc; i++) {
            if (i == main || (want && strcmp(want, t[i].name) != 0))
                continue;
            rc = join(&t[main], "KEY", &t[i], "PARENT_KEY", 0, score, min, ctx, csv, len, orphans);
            if (rc)
                *name = xstrdup(t[i].name);
        }
        if (!rc && min >= 0 && (!want || strcmp(want, t[main].name) == 0)) {
            /* The submissions themselves are the records. */
            *csv = table_csv(&t[main], len);
            *name = xstrdup(t[main].name);
            rc = 1;
        }
    }
    for (size_t i = 0; i < nt; i++)
        table_release(&t[i]);
    free(t);
    return rc;
}

static int kobo_xlsx(const char *path, const char *want, int (*score)(void *, char **, size_t),
                     void *ctx, char **csv, size_t *len, char **name,
                     struct repeat_orphans *orphans)
{
    char **names = NULL;
    size_t n = 0;
    int rc = 0;
    if (madi_xlsx_sheet_names(path, &names, NULL, &n) || n < 2)
        goto done;
    struct table parent;
    memset(&parent, 0, sizeof(parent));
    if (table_from_sheet(path, names[0], &parent) < 0)
        goto done;
    int min = table_score(&parent, score, ctx);
    for (size_t i = 1; i < n && !rc; i++) {
        if (want && strcmp(want, names[i]) != 0)
            continue;
        struct table child;
        memset(&child, 0, sizeof(child));
        if (table_from_sheet(path, names[i], &child) >= 0 && column(&child, "_parent_index") >= 0)
            rc = join(&parent, "_index", &child, "_parent_index", 1, score, min, ctx, csv, len,
                      orphans);
        if (rc)
            *name = xstrdup(names[i]);
        table_release(&child);
    }
    table_release(&parent);
done:
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

int repeat_join(const char *path, const char *want, int (*score)(void *ctx, char **hdr, size_t n),
                void *ctx, char **csv, size_t *len, char **name, struct repeat_orphans *orphans,
                struct madi_err *err)
{
    int zerr = 0, rc = 0;
    zip_t *z = zip_open(path, ZIP_RDONLY, &zerr);
    if (!z)
        return 0;
    zip_stat_t st;
    int is_xlsx = zip_stat(z, "xl/workbook.xml", 0, &st) == 0;
    if (is_xlsx) {
        zip_discard(z);
        return kobo_xlsx(path, want, score, ctx, csv, len, name, orphans);
    }
    rc = odk_zip(z, want, score, ctx, csv, len, name, orphans, err);
    zip_discard(z);
    return rc;
}

/* An OpenDocument spreadsheet is a zip too, with content.xml: not an export. */
static int zip_stat_probe_ods(const char *path)
{
    int zerr = 0;
    zip_stat_t st;
    zip_t *z = zip_open(path, ZIP_RDONLY, &zerr);
    if (!z)
        return 0;
    int ods = zip_stat(z, "content.xml", 0, &st) == 0;
    zip_discard(z);
    return ods;
}

int repeat_export(const char *path)
{
    int zerr = 0, found = 0;
    zip_t *z = zip_open(path, ZIP_RDONLY, &zerr);
    if (!z)
        return 0;
    zip_stat_t st;
    if (zip_stat(z, "xl/workbook.xml", 0, &st) != 0) {
        /* Not a workbook: an ODK Central export is a zip of CSV files. */
        zip_int64_t n = zip_get_num_entries(z, 0);
        for (zip_int64_t i = 0; i < n && !found; i++) {
            const char *nm = zip_get_name(z, (zip_uint64_t)i, 0);
            size_t l = nm ? strlen(nm) : 0;
            found = l > 4 && strcmp(nm + l - 4, ".csv") == 0;
        }
        zip_discard(z);
        return found && zip_stat_probe_ods(path) == 0;
    }
    zip_discard(z);
    char **names = NULL;
    size_t nn = 0;
    if (madi_xlsx_sheet_names(path, &names, NULL, &nn) == MADI_OK) {
        for (size_t i = 1; i < nn && !found; i++) {
            struct table t;
            memset(&t, 0, sizeof(t));
            found = table_from_sheet(path, names[i], &t) >= 0 && column(&t, "_parent_index") >= 0;
            table_release(&t);
        }
    }
    for (size_t i = 0; i < nn; i++)
        free(names[i]);
    free(names);
    return found;
}
