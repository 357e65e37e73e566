/*
 * privacy.c: the centre's keys and the protection of personal fields (privacy.h).
 *
 * Key file: "MADIKEY1", then the data key, the link key and the box secret key (32 bytes each),
 * 104 bytes, mode 0600, never overwritten. The database holds a check value ('privacy_check' in
 * meta: keyed BLAKE2b of the key's parts under the data key) and, for a passphrase key, the
 * Argon2id salt and cost ('privacy_kdf') and the key wrapped under the stretched passphrase
 * ('privacy_wrapped').
 *
 * A personal cell is "v1:" + base64(nonce || XChaCha20-Poly1305 ciphertext), with "table\0column
 * \0row key" as associated data. A sealed cell from an operator is "sealed:" + base64(sealed box).
 *
 * Invariants: keys and plaintext live only in sodium_malloc memory and are wiped before it is
 * freed; no message built here contains a secret or a personal value.
 */
#include "madi/privacy.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "madi/audit.h"
#include "madi/csv.h"

#include "banned.h"
#include "mapping.h"
#include "store_int.h"
#include "xalloc.h"

#define KEY_MAGIC     "MADIKEY1"
#define KEY_FILE_SIZE (8 + 3 * 32)
#define CELL_PREFIX   "v1:"
#define SEAL_PREFIX   "sealed:"
#define MAX_PLAIN     4096

struct madi_key {
    unsigned char enc[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
    unsigned char link[crypto_generichash_KEYBYTES];
    unsigned char box_pk[crypto_box_PUBLICKEYBYTES];
    unsigned char box_sk[crypto_box_SECRETKEYBYTES];
};

static int start(struct madi_err *err)
{
    if (sodium_init() < 0)
        return madi_err_set(err, MADI_ECRYPTO, "libsodium could not start");
    return MADI_OK;
}

static struct madi_key *key_new(void)
{
    struct madi_key *k = sodium_malloc(sizeof(*k));
    if (!k)
        abort(); /* out of memory, as xmalloc */
    sodium_memzero(k, sizeof(*k));
    return k;
}

void madi_key_free(struct madi_key *k)
{
    if (k)
        sodium_free(k); /* wipes before freeing */
}

int madi_key_generate(struct madi_key **out, struct madi_err *err)
{
    *out = NULL;
    int rc = start(err);
    if (rc)
        return rc;
    struct madi_key *k = key_new();
    crypto_aead_xchacha20poly1305_ietf_keygen(k->enc);
    crypto_generichash_keygen(k->link);
    (void)crypto_box_keypair(k->box_pk, k->box_sk);
    *out = k;
    return MADI_OK;
}

int madi_key_rotated(const struct madi_key *k, struct madi_key **out, struct madi_err *err)
{
    *out = NULL;
    int rc = start(err);
    if (rc)
        return rc;
    struct madi_key *n = key_new();
    memcpy(n, k, sizeof(*n));
    crypto_aead_xchacha20poly1305_ietf_keygen(n->enc);
    *out = n;
    return MADI_OK;
}

int madi_key_write_file(const struct madi_key *k, const char *path, struct madi_err *err)
{
    int rc = MADI_OK;
    unsigned char *buf = sodium_malloc(KEY_FILE_SIZE);
    if (!buf)
        abort();
    memcpy(buf, KEY_MAGIC, 8);
    memcpy(buf + 8, k->enc, 32);
    memcpy(buf + 40, k->link, 32);
    memcpy(buf + 72, k->box_sk, 32);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        rc = errno == EEXIST
                     ? madi_err_set(err, MADI_ECONFLICT,
                                    "the key file %s already exists; madi never overwrites a key "
                                    "(move it away first if you really mean to replace it)",
                                    path)
                     : madi_err_set(err, MADI_EIO, "cannot create the key file %s: %s", path,
                                    strerror(errno));
        goto done;
    }
    ssize_t w = write(fd, buf, KEY_FILE_SIZE);
    int bad = w != KEY_FILE_SIZE || fsync(fd) != 0;
    if (close(fd) != 0 || bad) {
        rc = madi_err_set(err, MADI_EIO, "cannot write the key file %s", path);
        (void)unlink(path);
    }
done:
    sodium_free(buf);
    return rc;
}

int madi_key_read_file(const char *path, struct madi_key **out, struct madi_err *err)
{
    int rc = start(err);
    *out = NULL;
    if (rc)
        return rc;
    unsigned char *buf = sodium_malloc(KEY_FILE_SIZE + 1);
    if (!buf)
        abort();
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        rc = errno == ENOENT ? madi_err_set(err, MADI_ENOTFOUND, "there is no key file %s", path)
                             : madi_err_set(err, MADI_EIO, "cannot read the key file %s: %s", path,
                                            strerror(errno));
        goto done;
    }
    struct stat sb;
    int shared = fstat(fd, &sb) == 0 && (sb.st_mode & 077);
    ssize_t n = read(fd, buf, KEY_FILE_SIZE + 1);
    (void)close(fd);
    if (n != KEY_FILE_SIZE || memcmp(buf, KEY_MAGIC, 8) != 0) {
        rc = madi_err_set(err, MADI_ECRYPTO, "%s is not a madi key file", path);
        goto done;
    }
    if (shared) {
        rc = madi_err_set(err, MADI_EDENIED,
                          "the key file %s can be read by other users (mode %04o): it must be "
                          "yours alone; make it so with 'chmod 600 %s', and ask who else may "
                          "have copied it",
                          path, (unsigned)(sb.st_mode & 0777), path);
        goto done;
    }
    struct madi_key *k = key_new();
    memcpy(k->enc, buf + 8, 32);
    memcpy(k->link, buf + 40, 32);
    memcpy(k->box_sk, buf + 72, 32);
    (void)crypto_scalarmult_base(k->box_pk, k->box_sk);
    *out = k;
done:
    sodium_free(buf);
    return rc;
}

void madi_key_public_hex(const struct madi_key *k, char out[65])
{
    (void)sodium_bin2hex(out, 65, k->box_pk, sizeof(k->box_pk));
}

/* ---- the key's registration in the database ---- */

static void check_value(const struct madi_key *k, char hex[65])
{
    unsigned char h[32];
    crypto_generichash_state st;
    (void)crypto_generichash_init(&st, k->enc, sizeof(k->enc), sizeof(h));
    (void)crypto_generichash_update(&st, (const unsigned char *)"madi-key-check", 14);
    (void)crypto_generichash_update(&st, k->link, sizeof(k->link));
    (void)crypto_generichash_update(&st, k->box_pk, sizeof(k->box_pk));
    (void)crypto_generichash_final(&st, h, sizeof(h));
    sodium_memzero(&st, sizeof(st)); /* a keyed state holds the key */
    (void)sodium_bin2hex(hex, 65, h, sizeof(h));
}

/* meta value for `key`, copied into out (empty when missing). */
static int meta_get(struct madi_store *s, const char *key, char *out, size_t outsz,
                    struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    out[0] = '\0';
    int rc = madi_store_prepare(s, "SELECT value FROM meta WHERE key = ?", &st, err);
    if (rc)
        return rc;
    madi_stmt_bind_text(st, 1, key, strlen(key));
    rc = madi_stmt_step(st, err);
    if (rc == MADI_STMT_ROW)
        (void)snprintf(out, outsz, "%s", madi_stmt_text(st, 0));
    madi_stmt_finalize(st);
    return rc < 0 ? rc : MADI_OK;
}

static int meta_put(struct madi_store *s, const char *key, const char *value, struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    int rc = madi_store_prepare(s, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", &st,
                                err);
    if (rc)
        return rc;
    madi_stmt_bind_text(st, 1, key, strlen(key));
    madi_stmt_bind_text(st, 2, value, strlen(value));
    rc = madi_stmt_step(st, err);
    madi_stmt_finalize(st);
    return rc < 0 ? rc : MADI_OK;
}

int madi_privacy_has_key(struct madi_store *s)
{
    char v[128];
    if (meta_get(s, "privacy_check", v, sizeof(v), NULL) || !v[0])
        return 0;
    if (meta_get(s, "privacy_kdf", v, sizeof(v), NULL) == MADI_OK && v[0])
        return 2;
    return 1;
}

/* The audit chain's key: derived from the link key, which rotation keeps, so the chain stays
 * verifiable across 'madi keys rotate'. */
_Static_assert(crypto_generichash_KEYBYTES == crypto_kdf_KEYBYTES, "link key is a kdf key");

static void attach_audit_key(struct madi_store *s, const struct madi_key *k)
{
    unsigned char sub[STORE_AUDIT_KEYBYTES];
    (void)crypto_kdf_derive_from_key(sub, sizeof(sub), 1, "madiaudt", k->link);
    store_set_audit_key(s, sub);
    sodium_memzero(sub, sizeof(sub));
}

int madi_privacy_check(struct madi_store *s, const struct madi_key *k, struct madi_err *err)
{
    char stored[128], want[65];
    int rc = meta_get(s, "privacy_check", stored, sizeof(stored), err);
    if (rc)
        return rc;
    if (!stored[0])
        return madi_err_set(err, MADI_ENOTFOUND,
                            "this database has no key yet: create one with 'madi keys init --db "
                            "FILE'");
    check_value(k, want);
    if (strlen(stored) != 64 || sodium_memcmp(stored, want, 64) != 0)
        return madi_err_set(err, MADI_EDENIED,
                            "the key given is not this database's key (a key file of another "
                            "database, an old key from before 'madi keys rotate', or a wrong "
                            "passphrase); nothing was read or changed");
    attach_audit_key(s, k);
    return MADI_OK;
}

static int register_key(struct madi_store *s, const struct madi_key *k, const char *kdf,
                        const char *wrapped, const char *actor, struct madi_err *err)
{
    char check[65];
    int rc = madi_store_begin(s, err);
    if (rc)
        return rc;
    if (madi_privacy_has_key(s)) {
        rc = madi_err_set(err, MADI_ECONFLICT,
                          "this database already has a key (change it with 'madi keys rotate')");
        goto done;
    }
    check_value(k, check);
    rc = meta_put(s, "privacy_check", check, err);
    if (!rc && kdf)
        rc = meta_put(s, "privacy_kdf", kdf, err);
    if (!rc && wrapped)
        rc = meta_put(s, "privacy_wrapped", wrapped, err);
    if (!rc)
        attach_audit_key(s, k); /* the chain is keyed from this entry on */
    if (!rc)
        rc = madi_audit_append(s, actor, "keys init", kdf ? "passphrase key" : "key file", NULL,
                               err);
    if (!rc)
        rc = madi_store_commit(s, err);
done:
    if (rc)
        madi_store_rollback(s);
    return rc;
}

int madi_privacy_init(struct madi_store *s, const struct madi_key *k, const char *actor,
                      struct madi_err *err)
{
    return register_key(s, k, NULL, NULL, actor, err);
}

/*
 * A passphrase key: Argon2id stretches the passphrase into a key-encryption key, which wraps a
 * random key (data, link and box keys) kept in meta as 'privacy_wrapped'. So the passphrase can
 * stay when the data key is rotated, and the link key (person keys) never changes.
 */
static struct madi_key *kek_of(const char *pass, size_t n, const unsigned char *salt,
                               unsigned long long ops, size_t mem, struct madi_err *err)
{
    struct madi_key *kek = key_new();
    if (crypto_pwhash(kek->enc, sizeof(kek->enc), pass, n, salt, ops, mem,
                      crypto_pwhash_ALG_ARGON2ID13) != 0) {
        madi_key_free(kek);
        (void)madi_err_set(err, MADI_ECRYPTO,
                           "the passphrase could not be stretched (not enough memory?)");
        return NULL;
    }
    return kek;
}

static char *wrap(const struct madi_key *kek, const struct madi_key *k)
{
    unsigned char *raw = sodium_malloc(96);
    char *text = NULL;
    if (!raw)
        abort();
    memcpy(raw, k->enc, 32);
    memcpy(raw + 32, k->link, 32);
    memcpy(raw + 64, k->box_sk, 32);
    (void)madi_privacy_encrypt(kek, "meta", "privacy_wrapped", "", 0, (const char *)raw, 96, &text);
    sodium_free(raw);
    return text;
}

static struct madi_key *unwrap(const struct madi_key *kek, const char *text)
{
    char *raw = NULL;
    size_t n = 0;
    if (madi_privacy_decrypt(kek, "meta", "privacy_wrapped", "", 0, text, &raw, &n) || n != 96) {
        madi_privacy_plain_free(raw);
        return NULL;
    }
    struct madi_key *k = key_new();
    memcpy(k->enc, raw, 32);
    memcpy(k->link, raw + 32, 32);
    memcpy(k->box_sk, raw + 64, 32);
    (void)crypto_scalarmult_base(k->box_pk, k->box_sk);
    madi_privacy_plain_free(raw);
    return k;
}

int madi_privacy_init_passphrase(struct madi_store *s, const char *pass, size_t n, unsigned flags,
                                 const char *actor, struct madi_key **out, struct madi_err *err)
{
    unsigned char salt[crypto_pwhash_SALTBYTES];
    char salthex[2 * sizeof(salt) + 1], kdf[128], *wrapped = NULL;
    struct madi_key *kek = NULL;
    *out = NULL;
    int rc = start(err);
    if (rc)
        return rc;
    if (n < 8)
        return madi_err_set(err, MADI_EINVAL,
                            "the passphrase is too short (8 characters at least; "
                            "several words are better)");
    unsigned long long ops = (flags & MADI_PWHASH_TEST) ? crypto_pwhash_OPSLIMIT_MIN
                                                        : crypto_pwhash_OPSLIMIT_INTERACTIVE;
    size_t mem = (flags & MADI_PWHASH_TEST) ? crypto_pwhash_MEMLIMIT_MIN
                                            : crypto_pwhash_MEMLIMIT_INTERACTIVE;
    randombytes_buf(salt, sizeof(salt));
    (void)sodium_bin2hex(salthex, sizeof(salthex), salt, sizeof(salt));
    (void)snprintf(kdf, sizeof(kdf), "argon2id %llu %zu %s", ops, mem, salthex);
    kek = kek_of(pass, n, salt, ops, mem, err);
    rc = kek ? madi_key_generate(out, err) : MADI_ECRYPTO;
    if (!rc) {
        wrapped = wrap(kek, *out);
        rc = register_key(s, *out, kdf, wrapped, actor, err);
    }
    if (rc) {
        madi_key_free(*out);
        *out = NULL;
    }
    madi_key_free(kek);
    free(wrapped);
    return rc;
}

/* The key-encryption key of a passphrase database. */
static int passphrase_kek(struct madi_store *s, const char *pass, size_t n, struct madi_key **kek,
                          struct madi_err *err)
{
    char kdf[128], salthex[64];
    unsigned char salt[crypto_pwhash_SALTBYTES];
    unsigned long long ops = 0;
    size_t mem = 0;
    *kek = NULL;
    int rc = start(err);
    if (!rc)
        rc = meta_get(s, "privacy_kdf", kdf, sizeof(kdf), err);
    if (rc)
        return rc;
    if (sscanf(kdf, "argon2id %llu %zu %63s", &ops, &mem, salthex) != 3 ||
        sodium_hex2bin(salt, sizeof(salt), salthex, strlen(salthex), NULL, NULL, NULL) != 0)
        return madi_err_set(err, MADI_ENOTFOUND,
                            "this database's key is not a passphrase key (use its key file)");
    *kek = kek_of(pass, n, salt, ops, mem, err);
    return *kek ? MADI_OK : MADI_ECRYPTO;
}

int madi_privacy_passphrase_key(struct madi_store *s, const char *pass, size_t n,
                                struct madi_key **out, struct madi_err *err)
{
    struct madi_key *kek = NULL;
    char wrapped[512];
    *out = NULL;
    int rc = passphrase_kek(s, pass, n, &kek, err);
    if (!rc)
        rc = meta_get(s, "privacy_wrapped", wrapped, sizeof(wrapped), err);
    if (!rc && !(*out = unwrap(kek, wrapped)))
        rc = madi_err_set(err, MADI_EDENIED,
                          "the passphrase is not this database's (nothing was read or changed)");
    if (!rc && (rc = madi_privacy_check(s, *out, err)) != MADI_OK) {
        madi_key_free(*out);
        *out = NULL;
    }
    madi_key_free(kek);
    return rc;
}

/* ---- cells ---- */

static unsigned char *make_ad(const char *table, const char *column, const char *row, size_t rown,
                              size_t *n)
{
    size_t tl = strlen(table), cl = strlen(column);
    *n = tl + 1 + cl + 1 + rown;
    unsigned char *ad = xmalloc(*n);
    memcpy(ad, table, tl + 1);
    memcpy(ad + tl + 1, column, cl + 1);
    memcpy(ad + tl + 1 + cl + 1, row, rown);
    return ad;
}

int madi_privacy_encrypt(const struct madi_key *k, const char *table, const char *column,
                         const char *row, size_t rown, const char *plain, size_t n, char **out)
{
    const size_t nb = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
    const size_t ab = crypto_aead_xchacha20poly1305_ietf_ABYTES;
    size_t adn = 0;
    unsigned char *ad = make_ad(table, column, row, rown, &adn);
    unsigned char *bin = xmalloc(nb + n + ab);
    unsigned long long cl = 0;
    randombytes_buf(bin, nb);
    (void)crypto_aead_xchacha20poly1305_ietf_encrypt(bin + nb, &cl, (const unsigned char *)plain, n,
                                                     ad, adn, NULL, bin, k->enc);
    size_t b64 = sodium_base64_ENCODED_LEN(nb + cl, sodium_base64_VARIANT_ORIGINAL);
    char *text = xmalloc(strlen(CELL_PREFIX) + b64);
    memcpy(text, CELL_PREFIX, strlen(CELL_PREFIX));
    (void)sodium_bin2base64(text + strlen(CELL_PREFIX), b64, bin, nb + (size_t)cl,
                            sodium_base64_VARIANT_ORIGINAL);
    free(ad);
    free(bin);
    *out = text;
    return MADI_OK;
}

/* base64 text (after its prefix) to bytes; caller frees. */
static unsigned char *unbase64(const char *p, size_t n, size_t *len)
{
    unsigned char *bin = xmalloc(n + 1);
    if (sodium_base642bin(bin, n + 1, p, n, NULL, len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0) {
        free(bin);
        return NULL;
    }
    return bin;
}

int madi_privacy_decrypt(const struct madi_key *k, const char *table, const char *column,
                         const char *row, size_t rown, const char *text, char **out, size_t *n)
{
    const size_t nb = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
    const size_t ab = crypto_aead_xchacha20poly1305_ietf_ABYTES;
    size_t pl = strlen(CELL_PREFIX), tn = strlen(text), bn = 0, adn = 0;
    *out = NULL;
    *n = 0;
    if (tn < pl || memcmp(text, CELL_PREFIX, pl) != 0)
        return MADI_ECRYPTO;
    unsigned char *bin = unbase64(text + pl, tn - pl, &bn);
    if (!bin || bn < nb + ab) {
        free(bin);
        return MADI_ECRYPTO;
    }
    unsigned char *ad = make_ad(table, column, row, rown, &adn);
    char *plain = sodium_malloc(bn - nb - ab + 1);
    if (!plain)
        abort();
    unsigned long long ml = 0;
    int bad = crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)plain, &ml, NULL,
                                                         bin + nb, bn - nb, ad, adn, bin, k->enc);
    free(ad);
    free(bin);
    if (bad) {
        sodium_free(plain);
        return MADI_ECRYPTO;
    }
    plain[ml] = '\0';
    *out = plain;
    *n = (size_t)ml;
    return MADI_OK;
}

void madi_privacy_plain_free(char *p)
{
    if (p)
        sodium_free(p);
}

int madi_privacy_is_sealed(const char *text, size_t n)
{
    size_t pl = strlen(SEAL_PREFIX);
    return n > pl && memcmp(text, SEAL_PREFIX, pl) == 0;
}

int madi_privacy_seal(const char *pubhex, const char *plain, size_t n, char **out,
                      struct madi_err *err)
{
    unsigned char pk[crypto_box_PUBLICKEYBYTES];
    size_t pkn = 0;
    *out = NULL;
    int rc = start(err);
    if (rc)
        return rc;
    if (sodium_hex2bin(pk, sizeof(pk), pubhex, strlen(pubhex), " \n", &pkn, NULL) != 0 ||
        pkn != sizeof(pk))
        return madi_err_set(err, MADI_EINVAL,
                            "the centre's public key must be 64 hex digits (from 'madi keys "
                            "public')");
    size_t bn = n + crypto_box_SEALBYTES;
    unsigned char *bin = xmalloc(bn);
    (void)crypto_box_seal(bin, (const unsigned char *)plain, n, pk);
    size_t b64 = sodium_base64_ENCODED_LEN(bn, sodium_base64_VARIANT_ORIGINAL);
    size_t pl = strlen(SEAL_PREFIX);
    char *text = xmalloc(pl + b64);
    memcpy(text, SEAL_PREFIX, pl);
    (void)sodium_bin2base64(text + pl, b64, bin, bn, sodium_base64_VARIANT_ORIGINAL);
    free(bin);
    *out = text;
    return MADI_OK;
}

int madi_privacy_unseal(const struct madi_key *k, const char *text, size_t tn, char **out,
                        size_t *n)
{
    size_t pl = strlen(SEAL_PREFIX), bn = 0;
    *out = NULL;
    *n = 0;
    if (!k || !madi_privacy_is_sealed(text, tn))
        return MADI_ECRYPTO;
    unsigned char *bin = unbase64(text + pl, tn - pl, &bn);
    if (!bin || bn < crypto_box_SEALBYTES) {
        free(bin);
        return MADI_ECRYPTO;
    }
    char *plain = sodium_malloc(bn - crypto_box_SEALBYTES + 1);
    if (!plain)
        abort();
    int bad = crypto_box_seal_open((unsigned char *)plain, bin, bn, k->box_pk, k->box_sk);
    free(bin);
    if (bad) {
        sodium_free(plain);
        return MADI_ECRYPTO;
    }
    *n = bn - crypto_box_SEALBYTES;
    plain[*n] = '\0';
    *out = plain;
    return MADI_OK;
}

/* ---- sealing an operator's file ---- */

static void put_cell(FILE *f, const char *p, size_t n, char delim, int first)
{
    if (!first)
        (void)fputc(delim, f);
    int quote = 0;
    for (size_t i = 0; i < n && !quote; i++)
        quote = p[i] == delim || p[i] == '"' || p[i] == '\n' || p[i] == '\r';
    if (!quote) {
        (void)fwrite(p, 1, n, f);
        return;
    }
    (void)fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '"')
            (void)fputc('"', f);
        (void)fputc(p[i], f);
    }
    (void)fputc('"', f);
}

int madi_privacy_seal_csv(const char *pubhex, const struct madi_kind *k, const char *in,
                          const char *out, size_t *nsealed, struct madi_err *err)
{
    struct madi_csv *r = NULL;
    struct madi_csv_opts co = { 0 };
    struct madi_csv_row row;
    struct mapping_header h = { 0 };
    FILE *f = NULL;
    size_t npersonal = 0, sealed_n = 0;
    int rc, got;
    if (nsealed)
        *nsealed = 0;
    /* The header as the import reads it: every column it would store as personal is sealed. */
    rc = mapping_header_read(NULL, in, k, &h, err);
    if (rc)
        goto done;
    for (size_t c = 0; c < h.ncols; c++)
        npersonal += h.colfield[c] >= 0 && k->fields[h.colfield[c]].type == MADI_F_PERSONAL;
    if (madi_kind_has_personal(k) && !npersonal) {
        rc = madi_err_set(err, MADI_EINVAL,
                          "no column of %s is a personal column of %s (line %lu was taken as the "
                          "header): nothing would be sealed, so no file is written; check the "
                          "header against 'madi template %s --doc'",
                          in, k->name, h.line, k->name);
        goto done;
    }
    co.delimiter = h.delim;
    rc = madi_csv_open(in, &co, &r, err);
    if (rc)
        goto done;
    f = fopen(out, "wx");
    if (!f) {
        rc = madi_err_set(err, MADI_EIO, "cannot create %s: %s", out, strerror(errno));
        goto done;
    }
    char delim = h.delim ? h.delim : ',';
    while ((got = madi_csv_next(r, &row)) == 1) {
        /* Title lines above the header, the header and its HXL row are kept as they are. */
        int keep = row.line <= h.line || row.line == h.hxl_line;
        for (size_t c = 0; c < row.n; c++) {
            const struct madi_csv_field *fl = &row.fields[c];
            int personal = c < h.ncols && h.colfield[c] >= 0 &&
                           k->fields[h.colfield[c]].type == MADI_F_PERSONAL;
            if (!keep && personal && fl->len && !madi_privacy_is_sealed(fl->p, fl->len)) {
                char *sealed = NULL;
                rc = madi_privacy_seal(pubhex, fl->p, fl->len, &sealed, err);
                if (rc)
                    goto done;
                put_cell(f, sealed, strlen(sealed), delim, c == 0);
                free(sealed);
                sealed_n++;
            } else {
                put_cell(f, fl->p, fl->len, delim, c == 0);
            }
        }
        (void)fputc('\n', f);
    }
    if (got < 0)
        rc = madi_err_set(err, MADI_EPARSE, "%s cannot be read as CSV", in);
done:
    madi_csv_close(r);
    free(h.colfield);
    if (f && fclose(f) != 0 && !rc)
        rc = madi_err_set(err, MADI_EIO, "cannot write %s", out);
    if (rc && f)
        (void)unlink(out);
    if (!rc && nsealed)
        *nsealed = sealed_n;
    return rc;
}

/* ---- person keys ---- */

/* ASCII folding of U+00C0..U+00FF; "" = a separator (× ÷). */
static const char *const latin1[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y",
};

/* ASCII folding of Latin Extended-A (U+0100..U+017F), by ranges. */
static const char *fold_ext_a(unsigned cp)
{
    static const struct {
        unsigned lo, hi;
        const char *to;
    } r[] = {
        { 0x100, 0x105, "a" }, { 0x106, 0x10d, "c" },  { 0x10e, 0x111, "d" },
        { 0x112, 0x11b, "e" }, { 0x11c, 0x123, "g" },  { 0x124, 0x127, "h" },
        { 0x128, 0x131, "i" }, { 0x132, 0x133, "ij" }, { 0x134, 0x135, "j" },
        { 0x136, 0x138, "k" }, { 0x139, 0x142, "l" },  { 0x143, 0x14b, "n" },
        { 0x14c, 0x151, "o" }, { 0x152, 0x153, "oe" }, { 0x154, 0x159, "r" },
        { 0x15a, 0x161, "s" }, { 0x162, 0x167, "t" },  { 0x168, 0x173, "u" },
        { 0x174, 0x175, "w" }, { 0x176, 0x178, "y" },  { 0x179, 0x17e, "z" },
        { 0x17f, 0x17f, "s" },
    };
    for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++)
        if (cp >= r[i].lo && cp <= r[i].hi)
            return r[i].to;
    return NULL;
}

/*
 * The folding of the character at p (at most n bytes): its ASCII letters, "" for a separator, or
 * NULL to keep it as it is (other scripts). *adv gets its length; `one` is scratch for a letter.
 */
static const char *fold_char(const char *p, size_t n, char one[2], size_t *adv)
{
    unsigned char c = (unsigned char)p[0];
    *adv = 1;
    if (c < 0x80) {
        if (!isalnum(c))
            return "";
        one[0] = (char)tolower(c);
        return one;
    }
    if ((c & 0xe0) != 0xc0 || n < 2)
        return NULL;
    unsigned cp = ((unsigned)(c & 0x1f) << 6) | ((unsigned char)p[1] & 0x3f);
    *adv = 2;
    if (cp >= 0xc0 && cp <= 0xff)
        return latin1[cp - 0xc0];
    if (cp >= 0x100 && cp <= 0x17f)
        return fold_ext_a(cp);
    return cp == 0xa0 ? "" : NULL;
}

/* The length of a character that folding drops without separating words, or 0: combining marks
 * (U+0300..U+036F, the accents of decomposed text: "e" + U+0301) and zero-width characters
 * (U+200B..U+200D, U+FEFF), which copy and paste leave inside names. */
static size_t ignorable(const unsigned char *p, size_t n)
{
    if (n >= 2 && ((p[0] == 0xcc && p[1] >= 0x80 && p[1] <= 0xbf) ||
                   (p[0] == 0xcd && p[1] >= 0x80 && p[1] <= 0xaf)))
        return 2;
    if (n >= 3 && p[0] == 0xe2 && p[1] == 0x80 && p[2] >= 0x8b && p[2] <= 0x8d)
        return 3;
    if (n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
        return 3;
    return 0;
}

static int cmp_word(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

size_t madi_privacy_normalise_name(const char *s, size_t n, char *out, size_t outsz)
{
    /* First fold into a guarded scratch buffer with words separated by NULs, then sort. */
    size_t cap = 2 * n + 2, j = 0, nw = 0, o = 0;
    char *tmp = sodium_malloc(cap);
    const char **words = sodium_malloc((n + 1) * sizeof(*words));
    if (!tmp || !words)
        abort();
    int in_word = 0;
    for (size_t i = 0; i < n;) {
        char one[2] = { 0, 0 };
        size_t adv = ignorable((const unsigned char *)s + i, n - i);
        if (adv) {
            i += adv;
            continue;
        }
        adv = 1;
        const char *to = fold_char(s + i, n - i, one, &adv);
        if (to && !*to) { /* a separator */
            if (in_word) {
                tmp[j++] = '\0';
                in_word = 0;
            }
        } else {
            if (!in_word) {
                words[nw++] = tmp + j;
                in_word = 1;
            }
            if (to) {
                for (const char *t = to; *t; t++)
                    tmp[j++] = *t;
            } else { /* other scripts: kept as they are */
                memcpy(tmp + j, s + i, adv);
                j += adv;
            }
        }
        i += adv;
    }
    if (in_word)
        tmp[j++] = '\0';
    qsort(words, nw, sizeof(*words), cmp_word);
    for (size_t w = 0; w < nw && outsz; w++) {
        size_t l = strlen(words[w]);
        if (o + (w ? 1 : 0) + l + 1 > outsz)
            break;
        if (w)
            out[o++] = ' ';
        memcpy(out + o, words[w], l);
        o += l;
    }
    if (outsz)
        out[o] = '\0';
    sodium_free(words);
    sodium_free(tmp);
    return o;
}

static uint64_t keyed64(const struct madi_key *k, const char *tag, const char *a, size_t an,
                        const char *b, size_t bn)
{
    unsigned char h[8];
    crypto_generichash_state st;
    (void)crypto_generichash_init(&st, k->link, sizeof(k->link), sizeof(h));
    (void)crypto_generichash_update(&st, (const unsigned char *)tag, strlen(tag) + 1);
    (void)crypto_generichash_update(&st, (const unsigned char *)a, an);
    (void)crypto_generichash_update(&st, (const unsigned char *)"", 1);
    (void)crypto_generichash_update(&st, (const unsigned char *)b, bn);
    (void)crypto_generichash_final(&st, h, sizeof(h));
    sodium_memzero(&st, sizeof(st)); /* a keyed state holds the link key */
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | h[i];
    return v ? v : 1; /* 0 means "no key" */
}

uint64_t madi_privacy_person_key(const struct madi_key *k, const char *name, size_t namen,
                                 int birth_year, int sex, const char *idnum, size_t idn,
                                 uint64_t *name_key)
{
    uint64_t key = 0;
    size_t cap = 2 * (namen > idn ? namen : idn) + 2;
    char *norm = sodium_malloc(cap);
    if (!norm)
        abort();
    size_t nn = name ? madi_privacy_normalise_name(name, namen, norm, cap) : 0;
    if (name_key)
        *name_key = nn ? keyed64(k, "madi-name", norm, nn, "", 0) : 0;
    if (nn && birth_year > 0 && (sex == 1 || sex == 2 || sex == 3)) {
        char extra[32];
        int en = snprintf(extra, sizeof(extra), "%d/%d", birth_year, sex);
        key = keyed64(k, "madi-person", norm, nn, extra, (size_t)en);
    } else if (idnum && idn) {
        size_t j = 0;
        for (size_t i = 0; i < idn; i++)
            if (isalnum((unsigned char)idnum[i]))
                norm[j++] = (char)tolower((unsigned char)idnum[i]);
        if (j)
            key = keyed64(k, "madi-id", norm, j, "", 0);
    }
    sodium_free(norm);
    return key;
}

/* ---- rotation ---- */

static int single_key(const struct madi_kind *k)
{
    for (size_t f = 0; f < k->nfields; f++)
        if ((k->fields[f].flags & MADI_FLD_KEY) && k->fields[f].type == MADI_F_ID)
            return (int)f;
    return -1;
}

/* Re-encrypt one personal column of one row. */
static int rotate_cell(struct madi_store *s, const struct madi_kind *k, const char *col, int64_t id,
                       const struct madi_key *oldk, const struct madi_key *newk,
                       struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    char *sql = xasprintf("SELECT %s, %s FROM %s WHERE id = ?", k->fields[single_key(k)].name, col,
                          k->table);
    char *plain = NULL, *cipher = NULL, *row = NULL;
    size_t pn = 0;
    int rc = madi_store_prepare(s, sql, &st, err);
    if (rc)
        goto done;
    madi_stmt_bind_int(st, 1, id);
    rc = madi_stmt_step(st, err);
    if (rc != MADI_STMT_ROW || madi_stmt_is_null(st, 1)) {
        rc = rc < 0 ? rc : MADI_OK;
        goto done;
    }
    row = xstrdup(madi_stmt_text(st, 0));
    if (madi_privacy_decrypt(oldk, k->table, col, row, strlen(row), madi_stmt_text(st, 1), &plain,
                             &pn)) {
        rc = madi_err_set(err, MADI_ECRYPTO,
                          "%s %s: column %s does not decrypt with the current key; nothing was "
                          "changed",
                          k->name, row, col);
        goto done;
    }
    (void)madi_privacy_encrypt(newk, k->table, col, row, strlen(row), plain, pn, &cipher);
    madi_stmt_finalize(st);
    st = NULL;
    free(sql);
    sql = xasprintf("UPDATE %s SET %s = ? WHERE id = ?", k->table, col);
    rc = madi_store_prepare(s, sql, &st, err);
    if (rc)
        goto done;
    madi_stmt_bind_text(st, 1, cipher, strlen(cipher));
    madi_stmt_bind_int(st, 2, id);
    rc = madi_stmt_step(st, err);
    rc = rc < 0 ? rc : MADI_OK;
done:
    madi_stmt_finalize(st);
    madi_privacy_plain_free(plain);
    free(cipher);
    free(row);
    free(sql);
    return rc;
}

static int rotate_kind(struct madi_store *s, const struct madi_kind *k, const struct madi_key *oldk,
                       const struct madi_key *newk, int64_t *cells, struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    char *sql = xasprintf("SELECT id FROM %s ORDER BY id", k->table);
    int rc = madi_store_prepare(s, sql, &st, err);
    if (rc)
        goto done;
    while ((rc = madi_stmt_step(st, err)) == MADI_STMT_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            ids = xrealloc(ids, cap * sizeof(*ids));
        }
        ids[n++] = madi_stmt_int(st, 0);
    }
    if (rc < 0)
        goto done;
    rc = MADI_OK;
    for (size_t i = 0; i < n && !rc; i++)
        for (size_t f = 0; f < k->nfields && !rc; f++)
            if (k->fields[f].type == MADI_F_PERSONAL) {
                rc = rotate_cell(s, k, k->fields[f].name, ids[i], oldk, newk, err);
                (*cells)++;
            }
done:
    madi_stmt_finalize(st);
    free(ids);
    free(sql);
    return rc;
}

/* The rotation's transaction; `wrapped` (or NULL) is the new key wrapped for a passphrase. */
static int rotate_tx(struct madi_store *s, const struct madi_key *oldk, const struct madi_key *newk,
                     const char *wrapped, const char *actor, struct madi_err *err)
{
    char check[65], what[96];
    int64_t cells = 0;
    int rc = madi_privacy_check(s, oldk, err);
    if (rc)
        return rc;
    rc = madi_store_begin(s, err);
    if (rc)
        return rc;
    for (const struct madi_kind *k = madi_kinds; k->name && !rc; k++)
        if (madi_kind_has_personal(k))
            rc = rotate_kind(s, k, oldk, newk, &cells, err);
    check_value(newk, check);
    if (!rc)
        rc = meta_put(s, "privacy_check", check, err);
    if (!rc && wrapped)
        rc = meta_put(s, "privacy_wrapped", wrapped, err);
    (void)snprintf(what, sizeof(what), "data key (%lld personal cells re-encrypted)",
                   (long long)cells);
    if (!rc)
        rc = madi_audit_append(s, actor, "keys rotate", what, NULL, err);
    if (!rc)
        rc = madi_store_commit(s, err);
    if (rc)
        madi_store_rollback(s);
    return rc;
}

int madi_privacy_rotate(struct madi_store *s, const struct madi_key *oldk,
                        const struct madi_key *newk, const char *actor, struct madi_err *err)
{
    if (madi_privacy_has_key(s) == 2)
        return madi_err_set(err, MADI_EINVAL,
                            "this database's key comes from a passphrase: rotate it with its "
                            "passphrase (madi_privacy_rotate_passphrase)");
    return rotate_tx(s, oldk, newk, NULL, actor, err);
}

int madi_privacy_rotate_passphrase(struct madi_store *s, const char *pass, size_t n,
                                   const char *actor, struct madi_err *err)
{
    struct madi_key *kek = NULL, *oldk = NULL, *newk = NULL;
    char *wrapped = NULL;
    int rc = madi_privacy_passphrase_key(s, pass, n, &oldk, err);
    if (!rc)
        rc = passphrase_kek(s, pass, n, &kek, err);
    if (!rc)
        rc = madi_key_rotated(oldk, &newk, err);
    if (!rc) {
        wrapped = wrap(kek, newk);
        rc = rotate_tx(s, oldk, newk, wrapped, actor, err);
    }
    madi_key_free(kek);
    madi_key_free(oldk);
    madi_key_free(newk);
    free(wrapped);
    return rc;
}
