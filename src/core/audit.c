/*
 * audit.c: the hash-chained audit log (audit.h).
 *
 * An entry's hash covers a fixed label and every other field (id, at, actor, action, object,
 * reason, prev_hash), each preceded by its length, so no two different entries hash alike. The
 * first entry's prev_hash is 64 zeros. Ids are consecutive from 1: a gap is a removed entry.
 *
 * Two kinds of entry hash. Keyed (label "madi-audit-v2"): BLAKE2b-256 keyed with the audit key,
 * which privacy.c derives from the centre's link key (crypto_kdf, context "madiaudt") and attaches
 * to the store once the centre's key is checked; without that key no one can recompute it.
 * Unkeyed (label "madi-audit-v1", SHA-256): entries written before the chain was keyed (databases
 * older than keyed audit, or without a key). Once an entry is keyed, every later one is.
 *
 * The head of the chain is kept in meta ('audit_head') and updated with each entry, so that
 * removing the last entries is seen too: "ID HASH" while unkeyed, "ID HASH FROM MAC" once keyed,
 * where FROM is the first keyed entry and MAC a keyed BLAKE2b of ID, HASH and FROM. Rewriting the
 * tail and its head, or passing keyed entries off as unkeyed ones, needs the key.
 */
#include "madi/audit.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "madi/dim.h"

#include "banned.h"
#include "store_int.h"

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

/* One hash state for both kinds: SHA-256 when `key` is NULL, else keyed BLAKE2b-256. */
struct chain_hash {
    const unsigned char *key;
    crypto_hash_sha256_state sha;
    crypto_generichash_state b2;
};

static void ch_init(struct chain_hash *h, const unsigned char *key)
{
    h->key = key;
    if (key)
        (void)crypto_generichash_init(&h->b2, key, STORE_AUDIT_KEYBYTES, 32);
    else
        (void)crypto_hash_sha256_init(&h->sha);
}

static void ch_update(struct chain_hash *h, const void *p, size_t n)
{
    if (h->key)
        (void)crypto_generichash_update(&h->b2, p, (unsigned long long)n);
    else
        (void)crypto_hash_sha256_update(&h->sha, p, (unsigned long long)n);
}

static void ch_final(struct chain_hash *h, char hex[65])
{
    unsigned char out[32];
    if (h->key)
        (void)crypto_generichash_final(&h->b2, out, sizeof(out));
    else
        (void)crypto_hash_sha256_final(&h->sha, out);
    (void)sodium_bin2hex(hex, 65, out, sizeof(out));
    sodium_memzero(h, sizeof(*h)); /* keyed states hold the key */
}

static void add_field(struct chain_hash *h, const char *p)
{
    unsigned char len[8];
    uint64_t n = strlen(p);
    for (int i = 0; i < 8; i++)
        len[i] = (unsigned char)(n >> (8 * i));
    ch_update(h, len, sizeof(len));
    ch_update(h, p, n);
}

/* `key` NULL: the unkeyed (v1) hash; else the keyed (v2) hash. */
static void entry_hash(const unsigned char *key, int64_t id, const char *const f[6], char hex[65])
{
    struct chain_hash h;
    char ids[24];
    (void)snprintf(ids, sizeof(ids), "%lld", (long long)id);
    ch_init(&h, key);
    add_field(&h, key ? "madi-audit-v2" : "madi-audit-v1");
    add_field(&h, ids);
    for (int i = 0; i < 6; i++)
        add_field(&h, f[i] ? f[i] : "");
    ch_final(&h, hex);
}

static void head_mac(const unsigned char *key, int64_t id, const char *hash, int64_t from,
                     char hex[65])
{
    struct chain_hash h;
    char ids[48];
    (void)snprintf(ids, sizeof(ids), "%lld %lld", (long long)id, (long long)from);
    ch_init(&h, key);
    add_field(&h, "madi-audit-head-v2");
    add_field(&h, ids);
    add_field(&h, hash);
    ch_final(&h, hex);
}

struct head {
    int64_t id, from; /* last entry; first keyed entry (0: none) */
    char hash[65], mac[65];
};

/* The head recorded in meta. 0 and zeros when none. */
static int read_head(struct madi_store *s, struct head *hd, struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    memset(hd, 0, sizeof(*hd));
    memcpy(hd->hash, ZERO_HASH, 65);
    int rc = madi_store_prepare(s, "SELECT value FROM meta WHERE key = 'audit_head'", &st, err);
    if (rc)
        return rc;
    rc = madi_stmt_step(st, err);
    if (rc == MADI_STMT_ROW) {
        long long v = 0, from = 0;
        char h[65] = "", mac[65] = "";
        int got = sscanf(madi_stmt_text(st, 0), "%lld %64s %lld %64s", &v, h, &from, mac);
        if (got >= 2 && strlen(h) == 64) {
            hd->id = v;
            memcpy(hd->hash, h, 65);
        }
        if (got == 4 && from > 0) {
            hd->from = from;
            memcpy(hd->mac, mac, 65);
        }
    }
    madi_stmt_finalize(st);
    return rc < 0 ? rc : MADI_OK;
}

static int has_control(const char *p)
{
    for (; p && *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return 1;
    return 0;
}

int madi_audit_reason_check(const char *reason, const char *what, struct madi_err *err)
{
    size_t solid = 0;
    for (const char *p = reason; p && *p; p++)
        solid += !isspace((unsigned char)*p);
    if (has_control(reason))
        return madi_err_set(err, MADI_EINVAL,
                            "%s holds a control character (a line break or tab): give the reason "
                            "on one line",
                            what);
    if (solid < 3)
        return madi_err_set(err, MADI_EINVAL,
                            "%s must say why, in at least 3 characters (e.g. the request's "
                            "reference): it goes into the audit log",
                            what);
    return MADI_OK;
}

int madi_audit_append(struct madi_store *s, const char *actor, const char *action,
                      const char *object, const char *reason, struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    struct head hd;
    const unsigned char *key = store_audit_key(s);
    char hash[65], when[32], head[160], mac[65];
    madi_now_iso(when);
    if (has_control(actor))
        return madi_err_set(err, MADI_EINVAL,
                            "the name of who acts (--by) holds a control character: give it on "
                            "one line");
    if (has_control(reason))
        return madi_err_set(err, MADI_EINVAL,
                            "the reason holds a control character (a line break or tab): give it "
                            "on one line");
    int rc = read_head(s, &hd, err);
    if (rc)
        return rc;
    if (hd.from && !key)
        return madi_err_set(err, MADI_EDENIED,
                            "the audit log is keyed with the centre's key, and this action was "
                            "not given it: put the key file beside the database (DB.key), point "
                            "MADI_KEY_FILE at it, or give the passphrase with --passphrase-stdin");
    if (key && !hd.from)
        hd.from = hd.id + 1; /* the chain is keyed from this entry on */
    const char *f[6] = { when,   actor ? actor : "unknown", action,
                         object, reason ? reason : "",      hd.hash };
    entry_hash(key, hd.id + 1, f, hash);
    rc = madi_store_prepare(s,
                            "INSERT INTO audit_log (id, at, actor, action, object, reason, "
                            "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            &st, err);
    if (rc)
        goto done;
    madi_stmt_bind_int(st, 1, hd.id + 1);
    for (int i = 0; i < 6; i++)
        madi_stmt_bind_text(st, i + 2, f[i], strlen(f[i]));
    madi_stmt_bind_text(st, 8, hash, 64);
    rc = madi_stmt_step(st, err);
    if (rc < 0)
        goto done;
    madi_stmt_finalize(st);
    st = NULL;
    rc = madi_store_prepare(s, "INSERT OR REPLACE INTO meta (key, value) VALUES ('audit_head', ?)",
                            &st, err);
    if (rc)
        goto done;
    int hn;
    if (key) {
        head_mac(key, hd.id + 1, hash, hd.from, mac);
        hn = snprintf(head, sizeof(head), "%lld %s %lld %s", (long long)(hd.id + 1), hash,
                      (long long)hd.from, mac);
    } else {
        hn = snprintf(head, sizeof(head), "%lld %s", (long long)(hd.id + 1), hash);
    }
    madi_stmt_bind_text(st, 1, head, (size_t)hn);
    rc = madi_stmt_step(st, err);
    rc = rc < 0 ? rc : MADI_OK;
done:
    madi_stmt_finalize(st);
    return rc;
}

static int bad(struct madi_audit_report *rep, int64_t id, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static int bad(struct madi_audit_report *rep, int64_t id, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rep->first_bad = id;
    (void)vsnprintf(rep->why, sizeof(rep->why), fmt, ap);
    va_end(ap);
    return MADI_EREJECTED;
}

int madi_audit_verify(struct madi_store *s, struct madi_audit_report *rep, struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    struct head hd;
    const unsigned char *key = store_audit_key(s);
    int64_t want = 1;
    char prev[65] = ZERO_HASH, hash[65];
    memset(rep, 0, sizeof(*rep));
    int rc = read_head(s, &hd, err);
    if (rc)
        return rc;
    rep->key_used = key != NULL;
    rep->keyed_from = hd.from;
    rc = madi_store_prepare(s,
                            "SELECT id, at, actor, action, object, reason, prev_hash, hash FROM "
                            "audit_log ORDER BY rowid",
                            &st, err);
    if (rc)
        return rc;
    int broken = 0;
    while (!broken && (rc = madi_stmt_step(st, err)) == MADI_STMT_ROW) {
        int64_t id = madi_stmt_int(st, 0);
        const char *f[6];
        for (int i = 0; i < 6; i++)
            f[i] = madi_stmt_is_null(st, i + 1) ? "" : madi_stmt_text(st, i + 1);
        const char *stored = madi_stmt_is_null(st, 7) ? "" : madi_stmt_text(st, 7);
        int keyed = hd.from && id >= hd.from;
        rep->entries++;
        if (id != want) {
            broken = bad(rep, id,
                         "entry %lld comes where entry %lld should: an entry was removed or the "
                         "entries were reordered",
                         (long long)id, (long long)want);
            break;
        }
        if (strcmp(f[5], prev) != 0) {
            broken = bad(rep, id,
                         "entry %lld does not follow from entry %lld (its prev_hash differs): an "
                         "entry was altered, removed or reordered",
                         (long long)id, (long long)(id - 1));
            break;
        }
        if (keyed && !key) {
            rep->unchecked++; /* its hash needs the key */
        } else {
            entry_hash(keyed ? key : NULL, id, f, hash);
            if (strcmp(hash, stored) != 0) {
                broken = bad(rep, id,
                             "entry %lld (%s, %s) was altered: its hash does not match its "
                             "contents",
                             (long long)id, f[0], f[2]);
                break;
            }
        }
        if (strlen(stored) != 64) {
            broken = bad(rep, id, "entry %lld has no valid hash", (long long)id);
            break;
        }
        memcpy(prev, stored, 65);
        want++;
    }
    madi_stmt_finalize(st);
    if (rc < 0)
        return rc;
    if (broken)
        return MADI_EREJECTED;
    if (want - 1 != hd.id || strcmp(prev, hd.hash) != 0)
        return bad(rep, want - 1 < hd.id ? want : hd.id,
                   "the log ends at entry %lld but its recorded head is entry %lld: the last "
                   "entries were removed or the head was altered",
                   (long long)(want - 1), (long long)hd.id);
    if (hd.from && key) {
        char mac[65];
        head_mac(key, hd.id, hd.hash, hd.from, mac);
        if (sodium_memcmp(mac, hd.mac, 64) != 0)
            return bad(rep, hd.id,
                       "the recorded head (entry %lld, keyed from entry %lld) does not match its "
                       "keyed check: the head was rewritten, or the last entries were removed",
                       (long long)hd.id, (long long)hd.from);
    }
    return MADI_OK;
}

int madi_audit_foreach(struct madi_store *s,
                       void (*fn)(void *ctx, int64_t id, const char *at, const char *actor,
                                  const char *action, const char *object, const char *reason),
                       void *ctx, struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    int rc = madi_store_prepare(
            s, "SELECT id, at, actor, action, object, reason FROM audit_log ORDER BY id", &st, err);
    if (rc)
        return rc;
    while ((rc = madi_stmt_step(st, err)) == MADI_STMT_ROW)
        fn(ctx, madi_stmt_int(st, 0), madi_stmt_text(st, 1), madi_stmt_text(st, 2),
           madi_stmt_text(st, 3), madi_stmt_text(st, 4), madi_stmt_text(st, 5));
    madi_stmt_finalize(st);
    return rc < 0 ? rc : MADI_OK;
}
