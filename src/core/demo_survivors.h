/*
 * demo_survivors.h: the demo's victim assistance files (survivors, consent, needs, referrals)
 * and the centre's key, written by demo_survivors.c for demo.c. Private to libmadi.
 */
#ifndef MADI_DEMO_SURVIVORS_H
#define MADI_DEMO_SURVIVORS_H

#include <stddef.h>
#include <stdint.h>

#include "madi/demo.h"
#include "madi/err.h"

/* The key file the demo writes beside its database: DIR/madi.db.key. */
#define MADI_DEMO_KEY_FILE "madi.db.key"

/**
 * Append the four files to `d` (growing d->files, whose capacity is *cap) in the folder `dir`
 * (its first `dirlen` bytes), and write a new key file DIR/madi.db.key (replacing the demo's
 * old one). Deterministic for a seed and scale, except the key.
 */
int madi_demo_survivors_write(const char *dir, size_t dirlen, uint64_t seed, double scale,
                              struct madi_demo *d, size_t *cap, struct madi_err *err);

#endif
