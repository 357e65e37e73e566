/*
 * buf.h: the one growable byte buffer (git's strbuf, with curl's size cap).
 *
 * Invariant: `data` is always NUL-terminated (data[len] == 0), so it can be used as a C string
 * when it holds text. A buffer with a cap refuses to grow past it: madi_buf_add* return
 * MADI_EINVAL and leave the buffer unchanged, so a parser of untrusted input can never be made
 * to allocate without bound. Not thread-safe; one owner.
 */
#ifndef MADI_BUF_H
#define MADI_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct madi_buf {
    char *data;
    size_t len;
    size_t alloc;
    size_t cap; /* 0 = no cap */
};

#define MADI_BUF_INIT \
    {                 \
        NULL, 0, 0, 0 \
    }

/* Initialise an embedded buffer with a size cap (0 = none). */
void madi_buf_init(struct madi_buf *b, size_t cap);
/* Free what the buffer holds; it can be reused after madi_buf_init. */
void madi_buf_release(struct madi_buf *b);
/* Empty it, keeping the allocation. */
void madi_buf_reset(struct madi_buf *b);
/* Make room for `extra` more bytes; MADI_EINVAL if that would pass the cap. */
int madi_buf_grow(struct madi_buf *b, size_t extra);
int madi_buf_add(struct madi_buf *b, const void *p, size_t n);
int madi_buf_addc(struct madi_buf *b, char c);
int madi_buf_adds(struct madi_buf *b, const char *s);
int madi_buf_addf(struct madi_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int madi_buf_vaddf(struct madi_buf *b, const char *fmt, va_list ap)
        __attribute__((format(printf, 2, 0)));
/* Narrow (s, n) to leave out leading and trailing white space (what isspace() takes). */
void madi_trim(const char **s, size_t *n);
/* ASCII white space (space, \t \n \v \f \r), whatever the locale: isspace() asks the locale,
 * a call per byte. */
int madi_is_space(unsigned char c);
/* 1 when `item` is one of the comma-separated words of `list` ("a,b,c"), or list is NULL. */
int madi_list_has(const char *list, const char *item);
/* Where temporary files go: $TMPDIR when set and not empty, else /tmp. */
const char *madi_tmpdir(void);

/* Hand the contents to the caller (free with free()) and reset the buffer. Never NULL. */
char *madi_buf_detach(struct madi_buf *b, size_t *len);

#endif
