/*
 * audit.c: the hash-chained audit log (audit.h).
 *
 * An entry's hash is SHA-256 over a fixed label and every other field (id, at, actor, action,
 * object, reason, prev_hash), each preceded by its length, so no two different entries hash
 * alike. The first entry's prev_hash is 64 zeros. The head of the chain (last id and hash) is
 * kept in meta ('audit_head') and updated with each entry, so that removing the last entries is
 * seen too. Ids are consecutive from 1: a gap is a removed entry.
 */
#include "madi/audit.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "banned.h"

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

static void add_field(crypto_hash_sha256_state *st, const char *p)
{
    unsigned char len[8];
    uint64_t n = strlen(p);
    for (int i = 0; i < 8; i++)
        len[i] = (unsigned char)(n >> (8 * i));
    crypto_hash_sha256_update(st, len, sizeof(len));
    crypto_hash_sha256_update(st, (const unsigned char *)p, (unsigned long long)n);
}

static void entry_hash(int64_t id, const char *const f[6], char hex[65])
{
    crypto_hash_sha256_state st;
    unsigned char out[crypto_hash_sha256_BYTES];
    char ids[24];
    (void)snprintf(ids, sizeof(ids), "%lld", (long long)id);
    crypto_hash_sha256_init(&st);
    add_field(&st, "madi-audit-v1");
    add_field(&st, ids);
    for (int i = 0; i < 6; i++)
        add_field(&st, f[i] ? f[i] : "");
    crypto_hash_sha256_final(&st, out);
    (void)sodium_bin2hex(hex, 65, out, sizeof(out));
}

/* The head recorded in meta: last id and hash ("ID HASH"). 0 and zeros when none. */
static int read_head(struct madi_store *s, int64_t *id, char hash[65], struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    *id = 0;
    memcpy(hash, ZERO_HASH, 65);
    int rc = madi_store_prepare(s, "SELECT value FROM meta WHERE key = 'audit_head'", &st, err);
    if (rc)
        return rc;
    rc = madi_stmt_step(st, err);
    if (rc == MADI_STMT_ROW) {
        long long v = 0;
        char h[65] = "";
        if (sscanf(madi_stmt_text(st, 0), "%lld %64s", &v, h) == 2 && strlen(h) == 64) {
            *id = v;
            memcpy(hash, h, 65);
        }
    }
    madi_stmt_finalize(st);
    return rc < 0 ? rc : MADI_OK;
}

int madi_audit_append(struct madi_store *s, const char *actor, const char *action,
                      const char *object, const char *reason, struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    int64_t last = 0;
    char prev[65], hash[65], when[32], head[96];
    time_t t = time(NULL);
    struct tm tm;
    (void)gmtime_r(&t, &tm);
    (void)strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    int rc = read_head(s, &last, prev, err);
    if (rc)
        return rc;
    const char *f[6] = {
        when, actor ? actor : "unknown", action, object, reason ? reason : "", prev
    };
    entry_hash(last + 1, f, hash);
    rc = madi_store_prepare(s,
                            "INSERT INTO audit_log (id, at, actor, action, object, reason, "
                            "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            &st, err);
    if (rc)
        goto done;
    madi_stmt_bind_int(st, 1, last + 1);
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
    int hn = snprintf(head, sizeof(head), "%lld %s", (long long)(last + 1), hash);
    madi_stmt_bind_text(st, 1, head, (size_t)hn);
    rc = madi_stmt_step(st, err);
    rc = rc < 0 ? rc : MADI_OK;
done:
    madi_stmt_finalize(st);
    return rc;
}

int madi_audit_verify(struct madi_store *s, struct madi_audit_report *rep, struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    int64_t head_id = 0, want = 1;
    char head_hash[65], prev[65] = ZERO_HASH, hash[65];
    memset(rep, 0, sizeof(*rep));
    int rc = read_head(s, &head_id, head_hash, err);
    if (rc)
        return rc;
    rc = madi_store_prepare(s,
                            "SELECT id, at, actor, action, object, reason, prev_hash, hash FROM "
                            "audit_log ORDER BY rowid",
                            &st, err);
    if (rc)
        return rc;
    while ((rc = madi_stmt_step(st, err)) == MADI_STMT_ROW) {
        int64_t id = madi_stmt_int(st, 0);
        const char *f[6];
        for (int i = 0; i < 6; i++)
            f[i] = madi_stmt_is_null(st, i + 1) ? "" : madi_stmt_text(st, i + 1);
        const char *stored = madi_stmt_is_null(st, 7) ? "" : madi_stmt_text(st, 7);
        rep->entries++;
        if (id != want) {
            rep->first_bad = id;
            (void)snprintf(rep->why, sizeof(rep->why),
                           "entry %lld comes where entry %lld should: an entry was removed or "
                           "the entries were reordered",
                           (long long)id, (long long)want);
            break;
        }
        if (strcmp(f[5], prev) != 0) {
            rep->first_bad = id;
            (void)snprintf(rep->why, sizeof(rep->why),
                           "entry %lld does not follow from entry %lld (its prev_hash differs): "
                           "an entry was altered, removed or reordered",
                           (long long)id, (long long)(id - 1));
            break;
        }
        entry_hash(id, f, hash);
        if (strcmp(hash, stored) != 0) {
            rep->first_bad = id;
            (void)snprintf(rep->why, sizeof(rep->why),
                           "entry %lld (%s, %s) was altered: its hash does not match its contents",
                           (long long)id, f[0], f[2]);
            break;
        }
        memcpy(prev, stored, 65);
        want++;
    }
    madi_stmt_finalize(st);
    if (rc < 0)
        return rc;
    if (rep->first_bad)
        return MADI_EREJECTED;
    if (want - 1 != head_id || strcmp(prev, head_hash) != 0) {
        rep->first_bad = want - 1 < head_id ? want : head_id;
        (void)snprintf(rep->why, sizeof(rep->why),
                       "the log ends at entry %lld but its recorded head is entry %lld: the last "
                       "entries were removed or the head was altered",
                       (long long)(want - 1), (long long)head_id);
        return MADI_EREJECTED;
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
