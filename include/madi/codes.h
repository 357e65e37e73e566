/*
 * codes.h: the code lists as a centre sees them: the built-in members (dim.h) plus the codes it
 * added to the extensible lists (such as its own minority and ethnic groups), stored in the
 * database. Import matches a cell against both.
 */
#ifndef MADI_CODES_H
#define MADI_CODES_H

#include "madi/dim.h"
#include "madi/err.h"
#include "madi/store.h"

/**
 * Add `code` (1-32 characters) with `label` to the extensible list `list`. Refused with
 * MADI_EINVAL when the list is not extensible or the code or label already means something in
 * it. The new code's stored value is MADI_CODE_CUSTOM_FIRST or more.
 */
int madi_codes_add(struct madi_store *s, const char *list, const char *code, const char *label,
                   struct madi_err *err);

/** One member for madi_codes_foreach; strings borrowed for the callback. */
struct madi_code_info {
    const char *list;
    int value;
    const char *code;
    const char *label;
    int custom; /* 1 if the centre added it */
};

/** Every member of `list` (or of every list when NULL), built-in first, then custom by value. */
int madi_codes_foreach(struct madi_store *s, const char *list,
                       void (*fn)(void *ctx, const struct madi_code_info *c), void *ctx,
                       struct madi_err *err);

#endif
