/*
 * hashmap.h: two small open-addressing hash tables for hot loops.
 *  - madi_strmap: string keys (copied) to int64 values (register codes to row ids);
 *  - madi_u64map: 64-bit keys to 64-bit values (row fingerprints to line numbers).
 * Both grow at 50% load and never shrink. Not thread-safe. Embedded structs: _init/_release.
 */
#ifndef MADI_HASHMAP_H
#define MADI_HASHMAP_H

#include <stddef.h>
#include <stdint.h>

struct madi_strmap {
    char **keys;
    int64_t *vals;
    size_t cap; /* power of two, or 0 */
    size_t len;
};

void madi_strmap_init(struct madi_strmap *m);
void madi_strmap_release(struct madi_strmap *m);
/* Insert or overwrite. The key is copied. */
void madi_strmap_put(struct madi_strmap *m, const char *key, size_t n, int64_t val);
/* 1 and *val when found, else 0. */
int madi_strmap_get(const struct madi_strmap *m, const char *key, size_t n, int64_t *val);

struct madi_u64map {
    uint64_t *keys;
    uint64_t *vals;
    unsigned char *used;
    size_t cap;
    size_t len;
};

void madi_u64map_init(struct madi_u64map *m);
void madi_u64map_release(struct madi_u64map *m);
/* Insert if absent: returns 1 and leaves the map unchanged (old value in *old) if present. */
int madi_u64map_put_new(struct madi_u64map *m, uint64_t key, uint64_t val, uint64_t *old);
/* 1 if key is in the map. */
int madi_u64map_has(const struct madi_u64map *m, uint64_t key);

/* FNV-1a 64, for fingerprints. */
uint64_t madi_hash64(const void *p, size_t n, uint64_t seed);

#endif
