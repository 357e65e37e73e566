/*
 * hashmap.c: linear probing over power-of-two tables. Keys are hashed with FNV-1a and mixed,
 * which is plenty for register codes and row fingerprints (not exposed to adversarial keys
 * beyond one file, and a bad distribution only costs time).
 */
#include "hashmap.h"

#include <stdlib.h>
#include <string.h>

#include "banned.h"
#include "xalloc.h"

uint64_t madi_hash64(const void *p, size_t n, uint64_t seed)
{
    const unsigned char *s = p;
    uint64_t h = 1469598103934665603ULL ^ seed;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 1099511628211ULL;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

void madi_strmap_init(struct madi_strmap *m)
{
    memset(m, 0, sizeof(*m));
}

void madi_strmap_release(struct madi_strmap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->keys[i]);
    free(m->keys);
    free(m->vals);
    madi_strmap_init(m);
}

static size_t str_slot(const struct madi_strmap *m, const char *key, size_t n)
{
    size_t i = madi_hash64(key, n, 0) & (m->cap - 1);
    while (m->keys[i] && !(strlen(m->keys[i]) == n && memcmp(m->keys[i], key, n) == 0))
        i = (i + 1) & (m->cap - 1);
    return i;
}

static void str_grow(struct madi_strmap *m)
{
    struct madi_strmap old = *m;
    m->cap = old.cap ? old.cap * 2 : 64;
    m->keys = xcalloc(m->cap, sizeof(*m->keys));
    m->vals = xcalloc(m->cap, sizeof(*m->vals));
    for (size_t i = 0; i < old.cap; i++) {
        if (!old.keys[i])
            continue;
        size_t j = str_slot(m, old.keys[i], strlen(old.keys[i]));
        m->keys[j] = old.keys[i];
        m->vals[j] = old.vals[i];
    }
    free(old.keys);
    free(old.vals);
}

void madi_strmap_put(struct madi_strmap *m, const char *key, size_t n, int64_t val)
{
    if ((m->len + 1) * 2 > m->cap)
        str_grow(m);
    size_t i = str_slot(m, key, n);
    if (!m->keys[i]) {
        m->keys[i] = xstrndup(key, n);
        m->len++;
    }
    m->vals[i] = val;
}

int madi_strmap_get(const struct madi_strmap *m, const char *key, size_t n, int64_t *val)
{
    if (!m->cap)
        return 0;
    size_t i = str_slot(m, key, n);
    if (!m->keys[i])
        return 0;
    *val = m->vals[i];
    return 1;
}

void madi_u64map_init(struct madi_u64map *m)
{
    memset(m, 0, sizeof(*m));
}

void madi_u64map_release(struct madi_u64map *m)
{
    free(m->keys);
    free(m->vals);
    free(m->used);
    madi_u64map_init(m);
}

static size_t u64_slot(const struct madi_u64map *m, uint64_t key)
{
    size_t i = madi_hash64(&key, sizeof(key), 0) & (m->cap - 1);
    while (m->used[i] && m->keys[i] != key)
        i = (i + 1) & (m->cap - 1);
    return i;
}

static void u64_grow(struct madi_u64map *m)
{
    struct madi_u64map old = *m;
    m->cap = old.cap ? old.cap * 2 : 64;
    m->keys = xcalloc(m->cap, sizeof(*m->keys));
    m->vals = xcalloc(m->cap, sizeof(*m->vals));
    m->used = xcalloc(m->cap, 1);
    for (size_t i = 0; i < old.cap; i++) {
        if (!old.used[i])
            continue;
        size_t j = u64_slot(m, old.keys[i]);
        m->used[j] = 1;
        m->keys[j] = old.keys[i];
        m->vals[j] = old.vals[i];
    }
    free(old.keys);
    free(old.vals);
    free(old.used);
}

int madi_u64map_put_new(struct madi_u64map *m, uint64_t key, uint64_t val, uint64_t *old)
{
    if ((m->len + 1) * 2 > m->cap)
        u64_grow(m);
    size_t i = u64_slot(m, key);
    if (m->used[i]) {
        if (old)
            *old = m->vals[i];
        return 1;
    }
    m->used[i] = 1;
    m->keys[i] = key;
    m->vals[i] = val;
    m->len++;
    return 0;
}

int madi_u64map_has(const struct madi_u64map *m, uint64_t key)
{
    return m->cap && m->used[u64_slot(m, key)];
}
