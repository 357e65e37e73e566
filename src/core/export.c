/*
 * export.c: records back out as CSV. One SELECT per kind built from its field list (register
 * references resolved to their codes in the query), values decoded with the same code lists the
 * importer uses, so that export then import is the identity on the data.
 */
#include "madi/export.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "madi/audit.h"
#include "madi/dim.h"

#include "banned.h"
#include "buf.h"
#include "hashmap.h"
#include "xalloc.h"

static const char *reg_table(enum madi_ref r, const char **key)
{
    *key = r == MADI_REF_TEAM ? "team_id" : "code";
    switch (r) {
    case MADI_REF_ORG:
        return "organisation";
    case MADI_REF_AREA:
        return "area";
    case MADI_REF_HAZARD:
        return "hazard";
    case MADI_REF_TEAM:
        return "survey_team";
    default:
        return NULL;
    }
}

static void csv_field(FILE *out, const char *s)
{
    if (!strpbrk(s, ",\"\r\n") && s[0] != ' ' && (!*s || s[strlen(s) - 1] != ' ')) {
        (void)fputs(s, out);
        return;
    }
    (void)fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            (void)fputc('"', out);
        (void)fputc(*s, out);
    }
    (void)fputc('"', out);
}

/* Custom codes of extensible lists, "list\037value" -> code, for decoding. */
static int load_custom(struct madi_store *s, struct madi_strmap *names, char ***store, size_t *n,
                       struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    int rc = madi_store_prepare(s, "SELECT list, value, code FROM custom_code", &st, err);
    if (rc)
        return rc;
    while ((rc = madi_stmt_step(st, err)) == MADI_STMT_ROW) {
        char key[96];
        int k = snprintf(key, sizeof(key), "%s\037%lld", madi_stmt_text(st, 0),
                         (long long)madi_stmt_int(st, 1));
        *store = xrealloc(*store, (*n + 1) * sizeof(**store));
        (*store)[*n] = xstrdup(madi_stmt_text(st, 2));
        madi_strmap_put(names, key, (size_t)k, (int64_t)*n);
        (*n)++;
    }
    madi_stmt_finalize(st);
    return rc < 0 ? rc : MADI_OK;
}

int madi_export_kind(struct madi_store *s, const struct madi_kind *k, unsigned flags, FILE *out,
                     struct madi_err *err)
{
    return madi_export_kind_as(s, k, flags, NULL, out, err);
}

static int audit_export(struct madi_store *s, const struct madi_kind *k, const char *actor,
                        struct madi_err *err)
{
    char what[96];
    (void)snprintf(what, sizeof(what), "%s records (personal columns left out)", k->name);
    int rc = madi_store_begin(s, err);
    if (!rc)
        rc = madi_audit_append(s, actor, "export", what, NULL, err);
    if (!rc)
        rc = madi_store_commit(s, err);
    if (rc)
        madi_store_rollback(s);
    return rc;
}

int madi_export_kind_as(struct madi_store *s, const struct madi_kind *k, unsigned flags,
                        const char *actor, FILE *out, struct madi_err *err)
{
    int rc = MADI_OK;
    struct madi_stmt *st = NULL;
    struct madi_buf sql;
    struct madi_strmap custom;
    char **custom_names = NULL;
    size_t ncustom = 0;
    madi_buf_init(&sql, 0);
    madi_strmap_init(&custom);
    if (madi_kind_is_protected(k)) {
        rc = audit_export(s, k, actor, err);
        if (rc)
            goto done;
    }
    rc = load_custom(s, &custom, &custom_names, &ncustom, err);
    if (rc)
        goto done;

    (void)madi_buf_adds(&sql, "SELECT ");
    for (size_t i = 0; i < k->nfields; i++) {
        const struct madi_field *f = &k->fields[i];
        const char *key = NULL;
        if (i)
            (void)madi_buf_adds(&sql, ", ");
        if (f->type == MADI_F_REF) {
            const char *tbl = reg_table(f->ref, &key);
            (void)madi_buf_addf(&sql, "(SELECT r.%s FROM %s r WHERE r.id = t.%s_id)", key, tbl,
                                f->name);
        } else if (f->type == MADI_F_AGE_BAND)
            (void)madi_buf_addf(&sql, "t.%s_lo, t.%s_hi", f->name, f->name);
        else if (f->type == MADI_F_PERSONAL)
            (void)madi_buf_adds(&sql, "NULL"); /* never exported: 'madi survivor show' */
        else
            (void)madi_buf_addf(&sql, "t.%s", f->name);
    }
    (void)madi_buf_addf(&sql,
                        " FROM %s t WHERE t.batch_id IN (SELECT id FROM batch WHERE status = "
                        "'active')%s ORDER BY t.id",
                        k->table, (k->flags & MADI_KIND_REGISTER) ? " AND t.provisional = 0" : "");
    rc = madi_store_prepare(s, sql.data, &st, err);
    if (rc)
        goto done;

    for (size_t i = 0; i < k->nfields; i++)
        (void)fprintf(out, "%s%s", i ? "," : "", k->fields[i].name);
    (void)fputc('\n', out);
    if (flags & MADI_EXPORT_HXL) {
        for (size_t i = 0; i < k->nfields; i++) {
            const char *h = k->fields[i].hxl ? k->fields[i].hxl : "";
            (void)fprintf(out, "%s%.*s", i ? "," : "", (int)strcspn(h, "|"), h);
        }
        (void)fputc('\n', out);
    }
    while ((rc = madi_stmt_step(st, err)) == MADI_STMT_ROW) {
        int col = 0;
        for (size_t i = 0; i < k->nfields; i++, col++) {
            const struct madi_field *f = &k->fields[i];
            char v[64];
            v[0] = '\0';
            if (i)
                (void)fputc(',', out);
            if (f->type == MADI_F_AGE_BAND) {
                if (!madi_stmt_is_null(st, col)) {
                    long long lo = (long long)madi_stmt_int(st, col);
                    if (madi_stmt_is_null(st, col + 1))
                        (void)snprintf(v, sizeof(v), "%lld+", lo);
                    else
                        (void)snprintf(v, sizeof(v), "%lld-%lld", lo,
                                       (long long)madi_stmt_int(st, col + 1));
                }
                col++;
                (void)fputs(v, out);
                continue;
            }
            if (madi_stmt_is_null(st, col))
                continue;
            int64_t n = madi_stmt_int(st, col);
            switch (f->type) {
            case MADI_F_ID:
            case MADI_F_TEXT:
            case MADI_F_REF:
                csv_field(out, madi_stmt_text(st, col));
                continue;
            case MADI_F_DECIMAL:
                (void)snprintf(v, sizeof(v), "%.15g", madi_stmt_double(st, col));
                break;
            case MADI_F_DATE:
            case MADI_F_DUE_DATE:
                (void)snprintf(v, sizeof(v), "%04d-%02d-%02d", (int)(n / 10000),
                               (int)(n / 100 % 100), (int)(n % 100));
                break;
            case MADI_F_PERSON_KEY:
                madi_format_person_key((uint64_t)n, v);
                break;
            case MADI_F_CODE: {
                const struct madi_codelist *l = madi_codelist_find(f->codes);
                const struct madi_code *c = l ? madi_code_by_value(l, (int)n) : NULL;
                int64_t idx = 0;
                char key[96];
                int kl = snprintf(key, sizeof(key), "%s\037%lld", f->codes, (long long)n);
                if (c)
                    (void)snprintf(v, sizeof(v), "%s", c->code);
                else if (madi_strmap_get(&custom, key, (size_t)kl, &idx))
                    (void)snprintf(v, sizeof(v), "%s", custom_names[idx]);
                else
                    (void)snprintf(v, sizeof(v), "%lld", (long long)n);
                csv_field(out, v);
                continue;
            }
            default:
                (void)snprintf(v, sizeof(v), "%lld", (long long)n);
                break;
            }
            (void)fputs(v, out);
        }
        (void)fputc('\n', out);
    }
    rc = rc < 0 ? rc : MADI_OK;
    if (!rc && ferror(out))
        rc = madi_err_set(err, MADI_EIO, "cannot write the export");
done:
    madi_stmt_finalize(st);
    madi_buf_release(&sql);
    madi_strmap_release(&custom);
    for (size_t i = 0; i < ncustom; i++)
        free(custom_names[i]);
    free(custom_names);
    return rc;
}
