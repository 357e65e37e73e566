/*
 * privacy.h: the centre's keys, and personal fields protected with them (libsodium).
 *
 * A key (struct madi_key) has three parts, all in libsodium's guarded memory and wiped on free:
 *   - the data key: XChaCha20-Poly1305 authenticated encryption of personal fields at rest, with
 *     the record's table, column and row key as associated data (a ciphertext moved to another
 *     cell does not decrypt);
 *   - the link key: keyed BLAKE2b of normalised identifiers, the pseudonymous person keys that
 *     let records of one person from different operators be linked by no one seeing who it is;
 *   - a box key pair: operators seal personal cells to the centre's public key (sealed boxes),
 *     so that a submission file lost on the way exposes nobody.
 * A key lives outside the database: in a key file (mode 0600), or in the database only wrapped
 * under a key Argon2id stretches from a passphrase. The database keeps a check value, so that a
 * wrong key is refused before anything is read or written.
 *
 * Error messages never contain a secret or a personal value. Not thread-safe per key object
 * (read-only use from several threads is fine).
 */
#ifndef MADI_PRIVACY_H
#define MADI_PRIVACY_H

#include <stddef.h>
#include <stdint.h>

#include "madi/err.h"
#include "madi/kind.h"
#include "madi/store.h"

struct madi_key;

/** A new random key. Caller owns *out; free with madi_key_free. */
int madi_key_generate(struct madi_key **out, struct madi_err *err);
/** Wipe and free. NULL is a no-op. */
void madi_key_free(struct madi_key *k);
/**
 * Write `k` to `path`, created with mode 0600. An existing file is never overwritten
 * (MADI_ECONFLICT): a key lost by overwriting makes every record unreadable.
 */
int madi_key_write_file(const struct madi_key *k, const char *path, struct madi_err *err);
/** Read a key file. MADI_ENOTFOUND when missing, MADI_ECRYPTO when not a madi key file,
 * MADI_EDENIED when group or others may read it (it must be mode 0600 or stricter). */
int madi_key_read_file(const char *path, struct madi_key **out, struct madi_err *err);
/** The public half of the box key pair, as 64 hex digits (for operators: madi keys seal). */
void madi_key_public_hex(const struct madi_key *k, char out[65]);

/* Argon2id cost for passphrases: libsodium's "interactive" limits (64 MiB, 2 passes). */
#define MADI_PWHASH_TEST 1 /* flag for madi_privacy_init_passphrase: minimal cost, tests only */

/**
 * Register `k` as this database's key: store its check value, write an audit entry. Refused
 * (MADI_ECONFLICT) when the database already has a key ('madi keys rotate' changes it).
 */
int madi_privacy_init(struct madi_store *s, const struct madi_key *k, const char *actor,
                      struct madi_err *err);
/**
 * A passphrase key: a new random key, wrapped (in meta) under a key-encryption key that Argon2id
 * derives from the passphrase with a new random salt; registered as for madi_privacy_init and
 * returned in *out (caller frees). `flags`: MADI_PWHASH_TEST or 0.
 */
int madi_privacy_init_passphrase(struct madi_store *s, const char *pass, size_t n, unsigned flags,
                                 const char *actor, struct madi_key **out, struct madi_err *err);
/** The key of a passphrase database, unwrapped with its passphrase. MADI_EDENIED when wrong. */
int madi_privacy_passphrase_key(struct madi_store *s, const char *pass, size_t n,
                                struct madi_key **out, struct madi_err *err);
/** 1 if the database has a key, 2 if that key comes from a passphrase, 0 if none. */
int madi_privacy_has_key(struct madi_store *s);
/**
 * Check that `k` is the database's key: MADI_OK; MADI_ENOTFOUND when the database has no key
 * yet; MADI_EDENIED when `k` is another key (nothing is read or written then).
 */
int madi_privacy_check(struct madi_store *s, const struct madi_key *k, struct madi_err *err);

/**
 * Encrypt `n` bytes for cell (table, column, row). *out is "v1:" + base64, caller frees with
 * free() (ciphertext is not secret).
 */
int madi_privacy_encrypt(const struct madi_key *k, const char *table, const char *column,
                         const char *row, size_t rown, const char *plain, size_t n, char **out);
/**
 * Decrypt a cell written by madi_privacy_encrypt. *out is NUL-terminated, in guarded memory:
 * free with madi_privacy_plain_free. MADI_ECRYPTO when the key or the cell does not match.
 */
int madi_privacy_decrypt(const struct madi_key *k, const char *table, const char *column,
                         const char *row, size_t rown, const char *text, char **out, size_t *n);
/** Wipe and free plaintext from madi_privacy_decrypt or madi_privacy_unseal. NULL is a no-op. */
void madi_privacy_plain_free(char *p);

/** 1 if a cell is sealed to the centre ("sealed:" + base64). */
int madi_privacy_is_sealed(const char *text, size_t n);
/** Seal `n` bytes to the public key (64 hex digits). *out: "sealed:" + base64; free(). */
int madi_privacy_seal(const char *pubhex, const char *plain, size_t n, char **out,
                      struct madi_err *err);
/** Open a sealed cell. *out in guarded memory (madi_privacy_plain_free). MADI_ECRYPTO if not
 * sealed to this key or altered. */
int madi_privacy_unseal(const struct madi_key *k, const char *text, size_t tn, char **out,
                        size_t *n);
/**
 * Copy the CSV file `in` to `out`, sealing every non-blank cell of the personal columns of kind
 * `k` to the public key. For operators, before sending. Columns are recognised as `madi import`
 * recognises them (names, built-in aliases, letter case and spacing, HXL tags, the header found
 * below title lines); title lines, the header and an HXL row right under it are copied as they
 * are. MADI_EINVAL, and no file written, when `k` has personal fields but no column is one of
 * them. *nsealed (optional) gets the number of cells sealed.
 */
int madi_privacy_seal_csv(const char *pubhex, const struct madi_kind *k, const char *in,
                          const char *out, size_t *nsealed, struct madi_err *err);

/**
 * Fold a name for linking: letter case, accents (Latin), punctuation and spacing ignored,
 * combining marks (U+0300..U+036F) and zero-width characters (U+200B..U+200D, U+FEFF) dropped,
 * and the words sorted, so "PRATT, Zoé" and "zoe  pratt" are both "pratt zoe". Writes at most
 * outsz - 1 bytes and a NUL; returns the length.
 */
size_t madi_privacy_normalise_name(const char *s, size_t n, char *out, size_t outsz);
/**
 * The pseudonymous person key: keyed BLAKE2b of the normalised name, birth year and sex
 * (`sex` 0 and `birth_year` 0 when unknown), or when those are not all known, of the normalised
 * identity number. 0 when there is not enough to go on. `name_key` (optional) gets the key of
 * the name alone, for finding near matches (same name, birth years one apart).
 */
uint64_t madi_privacy_person_key(const struct madi_key *k, const char *name, size_t namen,
                                 int birth_year, int sex, const char *idnum, size_t idn,
                                 uint64_t *name_key);

/**
 * Re-encrypt every personal field of every kind under `newk` in one transaction, register
 * `newk` as the database's key, and audit it. The link key and the box key pair are kept (person
 * keys stay stable; operators keep the same public key). On any failure nothing changes. For a
 * key file; a passphrase database uses madi_privacy_rotate_passphrase (MADI_EINVAL here).
 */
int madi_privacy_rotate(struct madi_store *s, const struct madi_key *oldk,
                        const struct madi_key *newk, const char *actor, struct madi_err *err);
/** The same for a passphrase database: a new data key, wrapped again under the same passphrase. */
int madi_privacy_rotate_passphrase(struct madi_store *s, const char *pass, size_t n,
                                   const char *actor, struct madi_err *err);
/** A copy of `k` with a new random data key (and the same link and box keys), for rotation. */
int madi_key_rotated(const struct madi_key *k, struct madi_key **out, struct madi_err *err);

#endif
