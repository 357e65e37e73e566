/*
 * audit.h: the append-only, hash-chained audit log of personal data.
 *
 * Every read of personal fields, every import, export, change and erasure of them, and every key
 * change writes one entry (table audit_log) in the same transaction as what it records, so an
 * entry exists exactly when the thing happened. Each entry holds the hash of the entry before it
 * and its own SHA-256 over all its fields; the chain's head (last id and hash) is kept in meta.
 * madi_audit_verify recomputes the chain and names the first entry that was altered, removed or
 * put out of order. What the chain does not prove: someone who can write the database file and
 * recompute every hash after the change can rewrite history (see docs/PRIVACY.md).
 * Not thread-safe; one store per thread.
 */
#ifndef MADI_AUDIT_H
#define MADI_AUDIT_H

#include <stdint.h>

#include "madi/err.h"
#include "madi/store.h"

/**
 * Append an entry. Must be called inside a transaction (madi_store_begin): the entry commits or
 * rolls back with the change it records. `reason` may be NULL (stored as ""). The strings must
 * not carry personal values (use record ids and pseudonymous keys).
 */
int madi_audit_append(struct madi_store *s, const char *actor, const char *action,
                      const char *object, const char *reason, struct madi_err *err);

struct madi_audit_report {
    int64_t entries;   /* entries checked */
    int64_t first_bad; /* id of the first broken entry, 0 when the chain is intact */
    char why[256];     /* what is wrong with it */
};

/**
 * Check the whole chain. Returns MADI_OK with rep->first_bad == 0 when intact; MADI_EREJECTED
 * with rep->first_bad and rep->why when an entry was altered, removed or reordered, or the last
 * entries were removed; MADI_EDB when the database fails.
 */
int madi_audit_verify(struct madi_store *s, struct madi_audit_report *rep, struct madi_err *err);

/** Call fn for each entry in order (for `madi audit list`). */
int madi_audit_foreach(struct madi_store *s,
                       void (*fn)(void *ctx, int64_t id, const char *at, const char *actor,
                                  const char *action, const char *object, const char *reason),
                       void *ctx, struct madi_err *err);

#endif
