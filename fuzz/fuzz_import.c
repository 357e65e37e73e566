/*
 * fuzz_import.c: the whole import path (CSV reader, column mapping, HXL rows, cell parsers, row
 * checks) must never crash or corrupt the store, whatever the file. Each input is imported as a
 * dry run into one in-memory database, with the kind named and with the kind recognised.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "madi/catalog.h"
#include "madi/import.h"
#include "madi/privacy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct madi_store *store;
static struct madi_key *key; /* for the survivors' kinds */
static char path[] = "/tmp/madi-fuzz-import-XXXXXX";

static void cleanup(void)
{
    (void)unlink(path);
}

static void count(void *ctx, const struct madi_diag *d)
{
    unsigned long *n = ctx;
    if (!d->msg || !d->file)
        __builtin_trap();
    (*n)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct madi_err err;
    if (!store) {
        int fd = mkstemp(path);
        if (fd < 0 || close(fd) != 0)
            abort();
        (void)atexit(cleanup);
        if (madi_catalog_open_or_create(":memory:", &store, NULL, &err) ||
            madi_key_generate(&key, &err) || madi_privacy_init(store, key, "fuzz", &err))
            abort();
    }
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
    static const char *const kinds[] = { "eore",     "eore-attendance", "casualty",
                                         "survivor", "referral",        NULL };
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        struct madi_import_opts o = { 0 };
        struct madi_import_result r;
        unsigned long n = 0;
        o.kind = kinds[i];
        o.key = key;
        o.flags = MADI_IMPORT_DRY_RUN;
        o.today = 20261123;
        o.on_diag = count;
        o.diag_ctx = &n;
        int rc = madi_import_file(store, path, &o, &r, &err);
        /* A dry run never stores; a rejection always says why. */
        if (r.status == MADI_IMPORT_STORED || (rc == MADI_EREJECTED && n == 0))
            __builtin_trap();
    }
    int64_t batches = -1;
    if (madi_store_query_int(store, "SELECT count(*) FROM batch", &batches, &err) || batches != 0)
        __builtin_trap();
    return 0;
}
