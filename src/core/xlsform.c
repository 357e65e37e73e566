/*
 * xlsform.c: the XLSForm of a kind, from its definition (kinds.c) alone. One question per field,
 * in field order; select_one for code lists (the choices sheet carries every list used, with
 * madi's codes as choice names), constraints mirroring import's checks, and a settings sheet.
 */
#include "madi/xlsform.h"

#include <stdio.h>
#include <string.h>

#include <xlsxwriter.h>

#include "madi/dim.h"

#include "banned.h"
#include "buf.h"

static const char *question_type(const struct madi_field *f, char *buf, size_t n)
{
    switch (f->type) {
    case MADI_F_COUNT:
    case MADI_F_YEAR:
    case MADI_F_LEVEL:
    case MADI_F_AGE:
        return "integer";
    case MADI_F_DECIMAL:
        return "decimal";
    case MADI_F_DATE:
        return "date";
    case MADI_F_CODE:
        (void)snprintf(buf, n, "select_one %s", f->codes);
        return buf;
    case MADI_F_AGE_BAND:
        return "select_one age_band";
    default:
        return "text";
    }
}

/* The constraint a field carries (into b), and its message; "" when none. */
static const char *constraint(const struct madi_kind *k, const struct madi_field *f,
                              struct madi_buf *b, const char **msg)
{
    madi_buf_reset(b);
    *msg = "";
    switch (f->type) {
    case MADI_F_COUNT:
    case MADI_F_DECIMAL:
        (void)madi_buf_adds(b, ". >= 0");
        *msg = "cannot be negative (0 means none)";
        break;
    case MADI_F_AGE:
        (void)madi_buf_adds(b, ". >= 0 and . <= 120");
        *msg = "an age in whole years, 0 to 120";
        break;
    case MADI_F_YEAR:
        if (f->flags & MADI_FLD_FUTURE) {
            (void)madi_buf_addf(b, ". >= 1900 and . <= %d", MADI_YEAR_FUTURE_MAX);
            *msg = "a calendar year, 1900 to 2100";
            break;
        }
        (void)madi_buf_adds(b, ". >= 1900 and . <= number(format-date(today(), '%Y'))");
        *msg = "a calendar year, 1900 to this year";
        break;
    case MADI_F_LEVEL:
        (void)madi_buf_adds(b, ". >= 0 and . <= 9");
        *msg = "0 country, 1 province, 2 district, ...";
        break;
    case MADI_F_PERSON_KEY:
        (void)madi_buf_adds(b, "regex(., '^[0-9a-fA-F]{16}$')");
        *msg = "16 hexadecimal digits";
        break;
    default:
        break;
    }
    /* A total is at least the sum of its parts (blank parts count as 0). */
    for (size_t i = 0; i < k->nsums; i++) {
        const struct madi_sum *s = &k->sums[i];
        if (strcmp(s->total, f->name) != 0)
            continue;
        (void)madi_buf_addf(b, "%s. >= ", b->len ? " and " : "");
        for (size_t p = 0; s->parts[p]; p++)
            (void)madi_buf_addf(b, "%scoalesce(${%s}, 0)", p ? " + " : "", s->parts[p]);
        *msg = "the total must be at least the sum of its parts";
    }
    return b->data;
}

int madi_xlsform_write(const struct madi_kind *k, const char *path, struct madi_err *err)
{
    int rc = MADI_OK;
    char tbuf[96], label[64];
    struct madi_buf cb;
    madi_buf_init(&cb, 0);
    lxw_workbook *wb = workbook_new(path);
    if (!wb)
        return madi_err_set(err, MADI_EIO, "cannot create %s", path);
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    lxw_worksheet *survey = workbook_add_worksheet(wb, "survey");
    lxw_worksheet *choices = workbook_add_worksheet(wb, "choices");
    lxw_worksheet *settings = workbook_add_worksheet(wb, "settings");
    static const char *const scols[] = {
        "type", "name", "label", "hint", "required", "constraint", "constraint_message"
    };
    for (int c = 0; c < 7; c++)
        worksheet_write_string(survey, 0, (lxw_col_t)c, scols[c], bold);
    worksheet_freeze_panes(survey, 1, 0);
    worksheet_set_column(survey, 0, 2, 28, NULL);
    for (size_t i = 0; i < k->nfields; i++) {
        const struct madi_field *f = &k->fields[i];
        const char *msg = "";
        lxw_row_t r = (lxw_row_t)(i + 1);
        worksheet_write_string(survey, r, 0, question_type(f, tbuf, sizeof(tbuf)), NULL);
        worksheet_write_string(survey, r, 1, f->name, NULL);
        worksheet_write_string(survey, r, 2, f->doc, NULL);
        worksheet_write_string(survey, r, 3, madi_ftype_name(f->type), NULL);
        if (f->flags & MADI_FLD_REQUIRED)
            worksheet_write_string(survey, r, 4, "yes", NULL);
        const char *con = constraint(k, f, &cb, &msg);
        if (*con) {
            worksheet_write_string(survey, r, 5, con, NULL);
            worksheet_write_string(survey, r, 6, msg, NULL);
        }
    }

    static const char *const ccols[] = { "list_name", "name", "label" };
    for (int c = 0; c < 3; c++)
        worksheet_write_string(choices, 0, (lxw_col_t)c, ccols[c], bold);
    worksheet_freeze_panes(choices, 1, 0);
    lxw_row_t cr = 1;
    for (size_t i = 0; i < k->nfields; i++) {
        const struct madi_field *f = &k->fields[i];
        int seen = 0;
        for (size_t j = 0; j < i; j++)
            seen |= k->fields[j].type == f->type && f->type == MADI_F_CODE &&
                    strcmp(k->fields[j].codes, f->codes) == 0;
        for (size_t j = 0; j < i && f->type == MADI_F_AGE_BAND; j++)
            seen |= k->fields[j].type == MADI_F_AGE_BAND;
        if (seen)
            continue;
        if (f->type == MADI_F_CODE) {
            const struct madi_codelist *l = madi_codelist_find(f->codes);
            for (size_t c = 0; l && c < l->n; c++, cr++) {
                worksheet_write_string(choices, cr, 0, l->name, NULL);
                worksheet_write_string(choices, cr, 1, l->codes[c].code, NULL);
                worksheet_write_string(choices, cr, 2, l->codes[c].label, NULL);
            }
        } else if (f->type == MADI_F_AGE_BAND) {
            const struct madi_bandset *b = madi_bandset_canonical;
            for (size_t c = 0; c < b->n; c++, cr++) {
                madi_bandset_label(b, c, label, sizeof(label));
                worksheet_write_string(choices, cr, 0, "age_band", NULL);
                worksheet_write_string(choices, cr, 1, label, NULL);
                worksheet_write_string(choices, cr, 2, label, NULL);
            }
        }
    }

    worksheet_write_string(settings, 0, 0, "form_title", bold);
    worksheet_write_string(settings, 0, 1, "form_id", bold);
    worksheet_write_string(settings, 0, 2, "version", bold);
    worksheet_write_string(settings, 1, 0, k->title, NULL);
    (void)snprintf(tbuf, sizeof(tbuf), "madi_%s", k->name);
    for (char *p = tbuf; *p; p++)
        if (*p == '-')
            *p = '_';
    worksheet_write_string(settings, 1, 1, tbuf, NULL);
    worksheet_write_string(settings, 1, 2, "1", NULL);

    lxw_error e = workbook_close(wb);
    if (e != LXW_NO_ERROR)
        rc = madi_err_set(err, MADI_EIO, "cannot write %s: %s", path, lxw_strerror(e));
    madi_buf_release(&cb);
    return rc;
}
