/*
 * tally_int.h: the packed copy of attendance rows, written by the import (import.c) and read
 * by the tallies (tally.c). Private to src/core.
 *
 * Format 1, 24 bytes a row, little-endian: person key (8), area id (4), organisation id (4),
 * date yyyymmdd (4), sex code (1, 0 = blank), canonical age band index (1, 0xff = not
 * recorded or spanning bands), disability code (1, 0xff = blank), activity code (1, low 7 bits,
 * 0 = blank; bit 7 set when the row has a person key).
 */
#ifndef MADI_TALLY_INT_H
#define MADI_TALLY_INT_H

#include <stddef.h>
#include <stdint.h>

#include "madi/err.h"
#include "madi/store.h"

#define TALLY_FORMAT     1
#define TALLY_REC        24
#define TALLY_BLOCK_ROWS 65536
#define TALLY_BLANK      0xff

/* One attendance record as the tallies need it; -1 (or 0 for sex, activity) = not recorded. */
struct tally_rec {
    int has_key;
    uint64_t key;
    int64_t area, org;
    int32_t date;
    int sex;              /* sex code, 0 = blank */
    int age;              /* -1 = blank */
    int band_lo, band_hi; /* band_lo -1 = blank; band_hi MADI_AGE_OPEN for "60+" */
    int disability;       /* -1 = blank */
    int activity;         /* 0 = blank */
};

void tally_encode(const struct tally_rec *r, unsigned char out[TALLY_REC]);

/* Writes one batch's packed blocks, in the import's transaction. Embedded: _open/_release. */
struct tally_packer {
    struct madi_store *s;
    struct madi_stmt *ins;
    int64_t batch, seq;
    unsigned char *buf;
    size_t n;
};

int tally_packer_open(struct tally_packer *p, struct madi_store *s, int64_t batch,
                      struct madi_err *err);
int tally_packer_add(struct tally_packer *p, const struct tally_rec *r, struct madi_err *err);
/* Write the last, partial block. */
int tally_packer_finish(struct tally_packer *p, struct madi_err *err);
void tally_packer_release(struct tally_packer *p);

#endif
