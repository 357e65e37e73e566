/*
 * xalloc.c: the allocation wrappers. An allocation failure on a laptop-sized workload is not
 * something madi can recover from meaningfully, so it is reported and the process aborts.
 */
#define _DEFAULT_SOURCE /* madvise, MAP_ANONYMOUS */
#include "xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "banned.h"

static void oom(size_t n)
{
    (void)fprintf(stderr, "madi: out of memory (asked for %zu bytes)\n", n);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

#define BIG ((size_t)8 << 20)

void *xcalloc_big(size_t n)
{
    if (n < BIG)
        return xcalloc(1, n);
    void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        oom(n);
#ifdef MADV_HUGEPAGE
    (void)madvise(p, n, MADV_HUGEPAGE); /* a hint: without it the table works, slower */
#endif
    return p;
}

void xfree_big(void *p, size_t n)
{
    if (!p)
        return;
    if (n < BIG)
        free(p);
    else
        (void)munmap(p, n);
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        oom(count * size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom(n);
    return q;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        madi_bug(__FILE__, __LINE__, "bad format");
    char *p = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    (void)vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void madi_bug(const char *file, int line, const char *what)
{
    (void)fprintf(stderr, "madi: BUG at %s:%d: %s\n", file, line, what);
    abort();
}
