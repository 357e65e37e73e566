/*
 * auth_int.h (private to libmadi and its unit tests): a test hook of auth.c.
 */
#ifndef MADI_AUTH_INT_H
#define MADI_AUTH_INT_H

/*
 * Tests only: hash new passwords with libsodium's minimum Argon2id limits instead of the
 * interactive ones, so that a test can make many accounts and logins quickly. Verification
 * always uses the limits stored in the hash. Never called by madi itself; not thread-safe.
 */
void auth_test_fast_hash(int on);

#endif
