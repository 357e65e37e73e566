/*
 * catalog.c: writes the built-in code lists and band sets into the code, band_set and band
 * tables. They are documentation for SQL readers; madi itself decodes from dim.c.
 */
#include "madi/catalog.h"

#include <string.h>
#include <sys/stat.h>

#include "madi/dim.h"

#include "banned.h"

static int exec_codes(struct madi_store *s, struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    int rc = madi_store_prepare(
            s, "INSERT INTO code (list, value, code, label) VALUES (?, ?, ?, ?)", &st, err);
    for (const struct madi_codelist *l = madi_codelists; !rc && l->name; l++) {
        for (size_t i = 0; !rc && i < l->n; i++) {
            madi_stmt_bind_text(st, 1, l->name, strlen(l->name));
            madi_stmt_bind_int(st, 2, l->codes[i].value);
            madi_stmt_bind_text(st, 3, l->codes[i].code, strlen(l->codes[i].code));
            madi_stmt_bind_text(st, 4, l->codes[i].label, strlen(l->codes[i].label));
            rc = madi_stmt_step(st, err);
            rc = rc < 0 ? rc : MADI_OK;
            madi_stmt_reset(st);
        }
    }
    madi_stmt_finalize(st);
    return rc;
}

static int exec_bands(struct madi_store *s, struct madi_err *err)
{
    struct madi_stmt *set = NULL, *band = NULL;
    int rc = madi_store_prepare(s, "INSERT INTO band_set (name, description) VALUES (?, ?)", &set,
                                err);
    if (!rc)
        rc = madi_store_prepare(s, "INSERT INTO band (band_set, lo, hi, label) VALUES (?, ?, ?, ?)",
                                &band, err);
    for (const struct madi_bandset *b = madi_bandsets; !rc && b->name; b++) {
        madi_stmt_bind_text(set, 1, b->name, strlen(b->name));
        madi_stmt_bind_text(set, 2, b->doc, strlen(b->doc));
        rc = madi_stmt_step(set, err);
        rc = rc < 0 ? rc : MADI_OK;
        madi_stmt_reset(set);
        for (size_t i = 0; !rc && i < b->n; i++) {
            char label[32];
            madi_bandset_label(b, i, label, sizeof(label));
            madi_stmt_bind_text(band, 1, b->name, strlen(b->name));
            madi_stmt_bind_int(band, 2, b->bounds[i]);
            if (i + 1 < b->n)
                madi_stmt_bind_int(band, 3, b->bounds[i + 1] - 1);
            else
                madi_stmt_bind_null(band, 3);
            madi_stmt_bind_text(band, 4, label, strlen(label));
            rc = madi_stmt_step(band, err);
            rc = rc < 0 ? rc : MADI_OK;
            madi_stmt_reset(band);
        }
    }
    madi_stmt_finalize(set);
    madi_stmt_finalize(band);
    return rc;
}

int madi_catalog_refresh(struct madi_store *s, struct madi_err *err)
{
    int rc = madi_store_begin(s, err);
    if (rc)
        return rc;
    rc = madi_store_exec(s, "DELETE FROM code; DELETE FROM band; DELETE FROM band_set", err);
    if (!rc)
        rc = exec_codes(s, err);
    if (!rc)
        rc = exec_bands(s, err);
    if (!rc)
        rc = madi_store_commit(s, err);
    if (rc)
        madi_store_rollback(s);
    return rc;
}

int madi_catalog_open_or_create(const char *path, struct madi_store **out, int *created,
                                struct madi_err *err)
{
    struct stat sb;
    int exists = stat(path, &sb) == 0;
    int rc = madi_store_open(path, MADI_STORE_CREATE, out, err);
    if (rc)
        return rc;
    if (created)
        *created = !exists;
    int64_t codes = 0;
    if (exists &&
        madi_store_query_int(*out, "SELECT count(*) FROM code", &codes, NULL) == MADI_OK &&
        codes == 0)
        exists = 0; /* an empty file made into a database needs its catalog too */
    if (!exists) {
        rc = madi_catalog_refresh(*out, err);
        if (rc) {
            madi_store_close(*out);
            *out = NULL;
        }
    }
    return rc;
}
