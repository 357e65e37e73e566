/*
 * err.h: error codes and the error record every fallible libmadi call can fill.
 *
 * Functions return int: MADI_OK (0) or a negative MADI_E* code. Those that take a
 * `struct madi_err *err` (which may be NULL) also describe the failure there, in words a
 * user can act on. libmadi never prints or exits; the front doors decide what to show.
 */
#ifndef MADI_ERR_H
#define MADI_ERR_H

#include <stdarg.h>

enum madi_rc {
    MADI_OK = 0,
    MADI_EINVAL = -1,    /* a caller passed something invalid (usage) */
    MADI_EIO = -2,       /* a file could not be read or written */
    MADI_EDB = -3,       /* the database failed */
    MADI_EPARSE = -4,    /* input could not be parsed at all */
    MADI_ECONFLICT = -5, /* the change conflicts with what is stored */
    MADI_EDENIED = -6,   /* not allowed */
    MADI_ECRYPTO = -7,   /* a cryptographic operation failed */
    MADI_ENOTFOUND = -8, /* the named thing does not exist */
    MADI_EREJECTED = -9, /* data was checked and rejected; diagnostics say why */
    MADI_EINTERNAL = -10 /* a bug */
};

/* A failure described for a person. Embedded or on the stack; no ownership. */
struct madi_err {
    int code;      /* one of enum madi_rc */
    char msg[512]; /* what went wrong and what to do, no trailing newline */
};

/** Short name of a return code ("I/O error", ...). Never NULL. Thread-safe. */
const char *madi_strerror(int code);

/**
 * Fill `err` (if non-NULL) with `code` and a printf-style message; returns `code` so callers
 * can write `return madi_err_set(err, MADI_EIO, "cannot open %s: %s", path, strerror(errno));`.
 */
int madi_err_set(struct madi_err *err, int code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/** Clear `err` to MADI_OK and an empty message. NULL is a no-op. */
void madi_err_clear(struct madi_err *err);

#endif
