/*
 * audit.h: the append-only, hash-chained audit log of personal data.
 *
 * Every read of personal fields, every import, export, change and erasure of them, and every key
 * change writes one entry (table audit_log) in the same transaction as what it records, so an
 * entry exists exactly when the thing happened. Each entry holds the hash of the entry before it
 * and its own hash over all its fields; the chain's head (last id and hash) is kept in meta.
 * The hashes are keyed: a BLAKE2b keyed with a key derived from the centre's key, which the
 * store gets when madi_privacy_check (or madi_privacy_init) accepts the centre's key; entries
 * written before a database's chain was keyed keep their unkeyed SHA-256 and are pinned by the
 * keyed entries after them. Once keyed, an entry cannot be appended without the key.
 * madi_audit_verify recomputes the chain and names the first entry that was altered, removed or
 * put out of order. Without the key it can check only the chain's structure. What the chain
 * does not prove: someone who has the key and can write the database file can rewrite history
 * (see docs/PRIVACY.md).
 * Not thread-safe; one store per thread.
 */
#ifndef MADI_AUDIT_H
#define MADI_AUDIT_H

#include <stdint.h>

#include "madi/err.h"
#include "madi/store.h"

/**
 * Append an entry. Must be called inside a transaction (madi_store_begin): the entry commits or
 * rolls back with the change it records. MADI_EINVAL when `actor` or `reason` holds a control
 * character. Keyed when the store has the audit key (the first
 * keyed entry starts the keyed part of the chain); MADI_EDENIED when the chain is keyed and the
 * store does not have the key. `reason` may be NULL (stored as ""). The strings must
 * not carry personal values (use record ids and pseudonymous keys).
 */
int madi_audit_append(struct madi_store *s, const char *actor, const char *action,
                      const char *object, const char *reason, struct madi_err *err);

/**
 * Check a reason given for reading or erasing personal data: at least 3 characters other than
 * spaces, and no control characters (a newline could fake a second entry in `madi audit list`).
 * MADI_EINVAL with a message saying which, naming `what` ("--reason").
 */
int madi_audit_reason_check(const char *reason, const char *what, struct madi_err *err);

struct madi_audit_report {
    int64_t entries;    /* entries checked */
    int64_t first_bad;  /* id of the first broken entry, 0 when the chain is intact */
    int key_used;       /* 1 when the store had the audit key, so keyed hashes were checked */
    int64_t keyed_from; /* the first keyed entry, 0 when the chain is not keyed (yet) */
    int64_t unchecked;  /* keyed entries whose hash was not checked, for want of the key */
    char why[256];      /* what is wrong with it */
};

/**
 * Check the whole chain. Returns MADI_OK with rep->first_bad == 0 when intact as far as it could
 * be checked: fully only when rep->key_used and rep->keyed_from (or the log is empty); without
 * the key, rep->unchecked keyed hashes were not checked. MADI_EREJECTED
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
