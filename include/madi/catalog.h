/*
 * catalog.h: what madi knows about (code lists, band sets, kinds) written into the database, so
 * that anyone reading it with SQL can decode the integer codes. Idempotent.
 */
#ifndef MADI_CATALOG_H
#define MADI_CATALOG_H

#include "madi/err.h"
#include "madi/store.h"

/** Rewrite the code and band tables from the built-in definitions, in one transaction. */
int madi_catalog_refresh(struct madi_store *s, struct madi_err *err);

/**
 * Open the database at `path` for writing, creating it (schema and catalog) if it does not
 * exist; *created says whether it did. Caller owns *out (madi_store_close).
 */
int madi_catalog_open_or_create(const char *path, struct madi_store **out, int *created,
                                struct madi_err *err);

#endif
