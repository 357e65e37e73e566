/*
 * codes.c: custom codes of the extensible lists, kept in the custom_code table.
 * Invariant: a custom code never shadows a built-in code, label or alias of its list, and
 * custom values start at MADI_CODE_CUSTOM_FIRST, so a stored value means one thing forever.
 */
#include "madi/codes.h"

#include <ctype.h>
#include <string.h>

#include "banned.h"

static int custom_match(struct madi_store *s, const char *list, const char *text, int *found,
                        struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    int rc = madi_store_prepare(s,
                                "SELECT count(*) FROM custom_code WHERE list = ? AND (lower(code) "
                                "= lower(?) OR lower(label) = lower(?))",
                                &st, err);
    if (rc)
        return rc;
    madi_stmt_bind_text(st, 1, list, strlen(list));
    madi_stmt_bind_text(st, 2, text, strlen(text));
    madi_stmt_bind_text(st, 3, text, strlen(text));
    rc = madi_stmt_step(st, err);
    *found = rc == MADI_STMT_ROW && madi_stmt_int(st, 0) > 0;
    madi_stmt_finalize(st);
    return rc < 0 ? rc : MADI_OK;
}

int madi_codes_add(struct madi_store *s, const char *list, const char *code, const char *label,
                   struct madi_err *err)
{
    const struct madi_codelist *l = madi_codelist_find(list);
    int found = 0, rc;
    struct madi_stmt *st = NULL;
    if (!l)
        return madi_err_set(err, MADI_EINVAL, "there is no code list '%s' (see 'madi codes list')",
                            list);
    if (!l->extensible)
        return madi_err_set(err, MADI_EINVAL,
                            "the code list '%s' is fixed by the standards madi follows; only "
                            "extensible lists (such as minority) take new codes",
                            list);
    size_t n = strlen(code);
    if (n < 1 || n > 32 || !strlen(label) || strlen(label) > 100)
        return madi_err_set(err, MADI_EINVAL,
                            "a code has 1-32 characters and a label 1-100 characters");
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)code[i]) && code[i] != '_' && code[i] != '-')
            return madi_err_set(err, MADI_EINVAL,
                                "a code is letters, digits, '_' and '-' only (the label can "
                                "say anything)");
    if (madi_code_match(l, code, n) || madi_code_match(l, label, strlen(label)))
        return madi_err_set(err, MADI_EINVAL, "'%s' already means something in the list '%s'",
                            madi_code_match(l, code, n) ? code : label, list);
    rc = madi_store_begin(s, err);
    if (rc)
        return rc;
    rc = custom_match(s, list, code, &found, err);
    if (!rc && !found)
        rc = custom_match(s, list, label, &found, err);
    if (!rc && found)
        rc = madi_err_set(err, MADI_EINVAL, "the list '%s' already has a code '%s' or label '%s'",
                          list, code, label);
    if (!rc)
        rc = madi_store_prepare(s,
                                "INSERT INTO custom_code (list, code, label, value) SELECT ?, ?, "
                                "?, coalesce(max(value) + 1, ?) FROM custom_code WHERE list = ?",
                                &st, err);
    if (!rc) {
        madi_stmt_bind_text(st, 1, list, strlen(list));
        madi_stmt_bind_text(st, 2, code, n);
        madi_stmt_bind_text(st, 3, label, strlen(label));
        madi_stmt_bind_int(st, 4, MADI_CODE_CUSTOM_FIRST);
        madi_stmt_bind_text(st, 5, list, strlen(list));
        rc = madi_stmt_step(st, err);
        rc = rc < 0 ? rc : MADI_OK;
    }
    madi_stmt_finalize(st);
    if (!rc)
        rc = madi_store_commit(s, err);
    if (rc)
        madi_store_rollback(s);
    return rc;
}

int madi_codes_foreach(struct madi_store *s, const char *list,
                       void (*fn)(void *ctx, const struct madi_code_info *c), void *ctx,
                       struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    int rc = MADI_OK;
    if (list && !madi_codelist_find(list))
        return madi_err_set(err, MADI_EINVAL, "there is no code list '%s'", list);
    for (const struct madi_codelist *l = madi_codelists; l->name; l++) {
        if (list && strcmp(list, l->name) != 0)
            continue;
        for (size_t i = 0; i < l->n; i++) {
            struct madi_code_info c = { l->name, l->codes[i].value, l->codes[i].code,
                                        l->codes[i].label, 0 };
            fn(ctx, &c);
        }
        if (!l->extensible)
            continue;
        rc = madi_store_prepare(s,
                                "SELECT value, code, label FROM custom_code WHERE list = ? ORDER "
                                "BY value",
                                &st, err);
        if (rc)
            return rc;
        madi_stmt_bind_text(st, 1, l->name, strlen(l->name));
        while ((rc = madi_stmt_step(st, err)) == MADI_STMT_ROW) {
            struct madi_code_info c = { l->name, (int)madi_stmt_int(st, 0), madi_stmt_text(st, 1),
                                        madi_stmt_text(st, 2), 1 };
            fn(ctx, &c);
        }
        madi_stmt_finalize(st);
        st = NULL;
        if (rc < 0)
            return rc;
        rc = MADI_OK;
    }
    return rc;
}
