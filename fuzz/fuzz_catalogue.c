/*
 * fuzz_catalogue.c: the indicator catalogue reader and the measure compiler must never crash,
 * leak or read out of bounds, whatever the text; and whatever they accept must compute (its
 * SQL is valid and its dimensions resolve) on a database, here an empty one in memory, where
 * every indicator has no data and none may claim a value.
 *
 * Built with libFuzzer under clang (make fuzz), or replayed over fuzz/corpus/catalogue/ by
 * fuzz/replay.c under ctest.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "madi/catalog.h"
#include "madi/indicators.h"

#include "banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct madi_store *empty_store(void)
{
    static struct madi_store *s;
    struct madi_err err;
    if (!s && madi_catalog_open_or_create(":memory:", &s, NULL, &err) != MADI_OK)
        abort();
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct madi_ind_catalogue *c = NULL;
    struct madi_err err;
    if (madi_ind_catalogue_new(&c, &err) != MADI_OK)
        abort();
    size_t before = madi_ind_catalogue_count(c);
    if (madi_ind_catalogue_add_text(c, (const char *)data, size, "fuzz", NULL, NULL, &err) ==
        MADI_OK) {
        static const char *const bys[] = { "sex", "age", "operator", "area", "disability" };
        for (size_t i = 0; i < madi_ind_catalogue_count(c); i++) {
            const struct madi_ind_def *d = madi_ind_catalogue_get(c, i);
            if (strcmp(d->origin, "fuzz") != 0)
                continue;
            for (size_t b = 0; b <= sizeof(bys) / sizeof(bys[0]); b++) {
                struct madi_ind_query q;
                struct madi_ind_result *r = NULL;
                memset(&q, 0, sizeof(q));
                madi_period_year(2025, &q.period);
                q.by[0] = b ? bys[b - 1] : NULL;
                if (madi_ind_compute(empty_store(), d, &q, &r, &err) != MADI_OK) {
                    (void)fprintf(stderr, "accepted entry %s does not compute: %s\n", d->id,
                                  err.msg);
                    abort();
                }
                if (r->status == MADI_IND_OK && d->unit != MADI_UNIT_COUNT)
                    abort(); /* a share from no data */
                madi_ind_result_free(r);
            }
        }
    } else if (madi_ind_catalogue_count(c) != before) {
        abort(); /* a rejected text added something */
    }
    madi_ind_catalogue_free(c);
    return 0;
}
