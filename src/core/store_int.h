/*
 * store_int.h (private to libmadi): what a store handle carries for other core modules.
 */
#ifndef MADI_STORE_INT_H
#define MADI_STORE_INT_H

#include "madi/store.h"

#define STORE_AUDIT_KEYBYTES 32

/*
 * The key of the audit chain (audit.c), derived from the centre's key by privacy.c once that key
 * is checked against the database. Copied into guarded memory, wiped when the store is closed.
 */
void store_set_audit_key(struct madi_store *s, const unsigned char key[STORE_AUDIT_KEYBYTES]);
/** The audit key, or NULL when no key was checked on this store. Borrowed. */
const unsigned char *store_audit_key(const struct madi_store *s);

/*
 * A memo for many computations over data that does not change meanwhile (a report's): between
 * store_memo_begin and store_memo_end, store_memo gives a map modules may keep answers in
 * (quality.c: whether a report came, by kind, organisation and period); outside, NULL. Nested
 * begins are counted.
 */
struct madi_strmap;
void store_memo_begin(struct madi_store *s);
void store_memo_end(struct madi_store *s);
struct madi_strmap *store_memo(struct madi_store *s);

/*
 * A copy of the whole database in memory (sqlite3_backup), with the audit key if s has one: for
 * trying a change out (a submission's preview) without touching s. Caller owns *out; close with
 * madi_store_close. Costs memory the size of the database.
 */
int store_copy_to_memory(struct madi_store *s, struct madi_store **out, struct madi_err *err);

#endif
