/*
 * xalloc.h: allocation that cannot fail. Out of memory aborts with a message (as git, redis
 * and jq do), so callers never check for NULL after these.
 */
#ifndef MADI_XALLOC_H
#define MADI_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
/* Caller owns the copy; free with free(). */
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a new string; caller owns it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A zeroed table of n bytes for random access (hash tables of millions of slots): from 8 MB
 * up mapped from the kernel with transparent huge pages asked for, so that a probe does not
 * miss the TLB too; smaller, calloc. Free with xfree_big and the same n. */
void *xcalloc_big(size_t n);
void xfree_big(void *p, size_t n);

/* Abort with file:line and a message: for bugs only (stays on in every build). */
#define MADI_ASSERT(cond)                        \
    do {                                         \
        if (!(cond))                             \
            madi_bug(__FILE__, __LINE__, #cond); \
    } while (0)
void madi_bug(const char *file, int line, const char *what) __attribute__((noreturn));

#endif
