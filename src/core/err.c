/*
 * err.c: return-code names and the error record. Messages are for people: what went wrong and
 * what to do next.
 */
#include "madi/err.h"

#include <stdio.h>

#include "banned.h"

const char *madi_strerror(int code)
{
    switch (code) {
    case MADI_OK:
        return "ok";
    case MADI_EINVAL:
        return "invalid argument";
    case MADI_EIO:
        return "I/O error";
    case MADI_EDB:
        return "database error";
    case MADI_EPARSE:
        return "cannot parse input";
    case MADI_ECONFLICT:
        return "conflict with stored data";
    case MADI_EDENIED:
        return "not allowed";
    case MADI_ECRYPTO:
        return "cryptographic failure";
    case MADI_ENOTFOUND:
        return "not found";
    case MADI_EREJECTED:
        return "data rejected";
    case MADI_EINTERNAL:
        return "internal error";
    default:
        return "unknown error";
    }
}

int madi_err_set(struct madi_err *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        (void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
    }
    return code;
}

void madi_err_clear(struct madi_err *err)
{
    if (err) {
        err->code = MADI_OK;
        err->msg[0] = '\0';
    }
}
