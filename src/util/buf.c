/*
 * buf.c: the growable buffer. Growth doubles; a cap, when set, is checked before any
 * allocation so an over-long input fails cleanly instead of exhausting memory.
 */
#include "buf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "madi/err.h"

#include "banned.h"
#include "xalloc.h"

static char empty_string[1];

void madi_buf_init(struct madi_buf *b, size_t cap)
{
    b->data = empty_string;
    b->len = 0;
    b->alloc = 0;
    b->cap = cap;
}

void madi_buf_release(struct madi_buf *b)
{
    if (b->alloc)
        free(b->data);
    madi_buf_init(b, b->cap);
}

void madi_buf_reset(struct madi_buf *b)
{
    b->len = 0;
    if (b->alloc)
        b->data[0] = '\0';
}

int madi_buf_grow(struct madi_buf *b, size_t extra)
{
    if (!b->data)
        madi_buf_init(b, b->cap);
    if (extra > (size_t)-1 / 2 - b->len)
        return MADI_EINVAL;
    size_t need = b->len + extra + 1;
    if (b->cap && need > b->cap + 1)
        return MADI_EINVAL;
    if (need <= b->alloc)
        return MADI_OK;
    size_t n = b->alloc ? b->alloc : 64;
    while (n < need)
        n *= 2;
    if (b->cap && n > b->cap + 1)
        n = b->cap + 1;
    if (b->alloc) {
        b->data = xrealloc(b->data, n);
    } else {
        b->data = xmalloc(n);
        b->data[0] = '\0';
    }
    b->alloc = n;
    return MADI_OK;
}

int madi_buf_add(struct madi_buf *b, const void *p, size_t n)
{
    if (madi_buf_grow(b, n))
        return MADI_EINVAL;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return MADI_OK;
}

int madi_buf_addc(struct madi_buf *b, char c)
{
    return madi_buf_add(b, &c, 1);
}

int madi_buf_adds(struct madi_buf *b, const char *s)
{
    return madi_buf_add(b, s, strlen(s));
}

int madi_buf_vaddf(struct madi_buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        return MADI_EINVAL;
    if (madi_buf_grow(b, (size_t)n))
        return MADI_EINVAL;
    (void)vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return MADI_OK;
}

int madi_buf_addf(struct madi_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = madi_buf_vaddf(b, fmt, ap);
    va_end(ap);
    return rc;
}

char *madi_buf_detach(struct madi_buf *b, size_t *len)
{
    char *p;
    if (!b->data || !b->alloc) {
        p = xstrdup("");
    } else {
        p = b->data;
    }
    if (len)
        *len = b->len;
    madi_buf_init(b, b->cap);
    return p;
}

int madi_is_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

void madi_trim(const char **s, size_t *n)
{
    while (*n && madi_is_space((unsigned char)**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && madi_is_space((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

int madi_list_has(const char *list, const char *item)
{
    if (!list)
        return 1;
    size_t n = strlen(item);
    for (const char *p = list; *p;) {
        size_t m = strcspn(p, ",");
        if (m == n && strncmp(p, item, n) == 0)
            return 1;
        p += m + (p[m] == ',');
    }
    return 0;
}

const char *madi_tmpdir(void)
{
    const char *t = getenv("TMPDIR");
    return t && *t ? t : "/tmp";
}
