/*
 * submission.c: the review workflow (submission.h): upload, submit, approve, return, preview.
 *
 * A submission keeps the uploaded bytes (a BLOB) and every finding of their check, so what a
 * reviewer approves is exactly what the operator saw checked. Checking and importing both go
 * through the importer (import.h) on a private copy of the bytes in a temporary file (mkstemp,
 * mode 0600, removed at once), never through the path the caller gave, which could change in
 * between. Uploading is a dry run; approving is the real import, in the same transaction as the
 * state change, the batches' link to the submission (batch.submission_id) and the audit entry,
 * so an approval happens whole or not at all. Preview imports into an in-memory copy of the
 * whole database (store_int.h) and compares the quality findings before and after.
 *
 * Every transition appends an audit entry (audit.h); on a keyed chain that needs the centre's
 * key, as for account changes (see auth.c).
 *
 * Personal data: an uploaded file may hold survivors' names. When the database has the centre's
 * key, the kept bytes are always encrypted with it (madi_privacy_encrypt, bound to the cell
 * submission.content and the file's SHA-256), whatever the kind, so no plaintext personal value
 * is kept whether or not the file was recognised; uploading, approving and previewing then need
 * the key. The plaintext exists only in memory and, for the importer, in the 0600 temporary file
 * while it reads it. A database without a key cannot take personal kinds at all (the importer
 * refuses them), so its submissions are kept as they came.
 */
#include "madi/submission.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "madi/audit.h"
#include "madi/dim.h"
#include "madi/kind.h"
#include "madi/privacy.h"

#include "banned.h"
#include "buf.h"
#include "hashmap.h"
#include "store_int.h"
#include "xalloc.h"

static const char *const state_names[MADI_SUB_STATE_COUNT] = { "invalid", "draft", "submitted",
                                                               "approved", "returned" };

const char *madi_sub_state_name(enum madi_sub_state st)
{
    return (unsigned)st < MADI_SUB_STATE_COUNT ? state_names[st] : "?";
}

int madi_sub_state_parse(const char *s)
{
    for (int i = 0; s && i < MADI_SUB_STATE_COUNT; i++)
        if (strcmp(s, state_names[i]) == 0)
            return i;
    return -1;
}

/* ---- the bytes ---- */

static int read_bytes(const char *path, unsigned char **out, size_t *n, struct madi_err *err)
{
    struct stat sb;
    *out = NULL;
    *n = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return madi_err_set(err, MADI_EIO, "cannot open %s: %s", path, strerror(errno));
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        (void)fclose(f);
        return madi_err_set(err, MADI_EIO, "%s is not a regular file", path);
    }
    if (sb.st_size > MADI_SUB_MAX_BYTES) {
        (void)fclose(f);
        return madi_err_set(err, MADI_EINVAL,
                            "the file is %lld MiB; a submission can be at most %d MiB (split it "
                            "by period or by kind)",
                            (long long)(sb.st_size >> 20), MADI_SUB_MAX_BYTES >> 20);
    }
    size_t want = (size_t)sb.st_size;
    unsigned char *p = xmalloc(want ? want : 1);
    size_t got = fread(p, 1, want, f);
    int bad = ferror(f) || got != want || fgetc(f) != EOF;
    (void)fclose(f);
    if (bad) {
        free(p);
        return madi_err_set(err, MADI_EIO, "cannot read %s (did it change while being read?)",
                            path);
    }
    *out = p;
    *n = want;
    return MADI_OK;
}

static void sha256_hex(const unsigned char *p, size_t n, char hex[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    (void)crypto_hash_sha256(h, p, n);
    (void)sodium_bin2hex(hex, 65, h, sizeof(h));
}

#define TEMP_PATH 512

/* The bytes in a private temporary file, for the importer; remove it with unlink. */
static int write_temp(const void *p, size_t n, char path[TEMP_PATH], struct madi_err *err)
{
    (void)snprintf(path, TEMP_PATH, "%s/madi-submission-XXXXXX", madi_tmpdir());
    int fd = mkstemp(path);
    if (fd < 0)
        return madi_err_set(err, MADI_EIO,
                            "cannot make a temporary file in %s: %s (set TMPDIR "
                            "to a writable folder)",
                            madi_tmpdir(), strerror(errno));
    (void)fchmod(fd, S_IRUSR | S_IWUSR);
    const unsigned char *b = p;
    size_t off = 0;
    while (off < n) {
        ssize_t w = write(fd, b + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    if (close(fd) != 0 || off < n) {
        (void)unlink(path);
        return madi_err_set(err, MADI_EIO, "cannot write a temporary file in /tmp (disk full?)");
    }
    return MADI_OK;
}

/* ---- findings, collected while the importer reports them ---- */

struct finding {
    int level;
    char *sheet, *field, *msg;
    unsigned long line;
    unsigned col;
};

struct collect {
    struct finding *v;
    size_t n, cap;
    unsigned long dropped;
    madi_diag_fn fwd;
    void *fwd_ctx;
};

static void on_finding(void *ctx, const struct madi_diag *d)
{
    struct collect *c = ctx;
    if (c->fwd)
        c->fwd(c->fwd_ctx, d);
    if (c->n == MADI_SUB_MAX_FINDINGS) {
        c->dropped++;
        return;
    }
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 32;
        c->v = xrealloc(c->v, c->cap * sizeof(*c->v));
    }
    struct finding *f = &c->v[c->n++];
    f->level = (int)d->level;
    f->sheet = d->sheet ? xstrdup(d->sheet) : NULL;
    f->field = d->field ? xstrdup(d->field) : NULL;
    f->msg = xstrdup(d->msg);
    f->line = d->line;
    f->col = d->col;
}

static void collect_add(struct collect *c, int level, const char *msg)
{
    struct madi_diag d = { (enum madi_diag_level)level, "", NULL, 0, 0, NULL, msg };
    madi_diag_fn fwd = c->fwd;
    c->fwd = NULL; /* said by the caller's own message, or replayed from the store */
    on_finding(c, &d);
    c->fwd = fwd;
}

static void collect_release(struct collect *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->v[i].sheet);
        free(c->v[i].field);
        free(c->v[i].msg);
    }
    free(c->v);
    memset(c, 0, sizeof(*c));
}

static void bind_opt_text(struct madi_stmt *st, int i, const char *p)
{
    if (p)
        madi_stmt_bind_text(st, i, p, strlen(p));
    else
        madi_stmt_bind_null(st, i);
}

static int store_findings(struct madi_store *s, int64_t id, const struct collect *c,
                          struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    int rc = madi_store_prepare(s,
                                "INSERT INTO submission_finding (submission_id, seq, level, "
                                "sheet, line, col, field, msg) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                &st, err);
    for (size_t i = 0; !rc && i < c->n; i++) {
        const struct finding *f = &c->v[i];
        madi_stmt_bind_int(st, 1, id);
        madi_stmt_bind_int(st, 2, (int64_t)i + 1);
        madi_stmt_bind_int(st, 3, f->level);
        bind_opt_text(st, 4, f->sheet);
        madi_stmt_bind_int(st, 5, (int64_t)f->line);
        madi_stmt_bind_int(st, 6, (int64_t)f->col);
        bind_opt_text(st, 7, f->field);
        madi_stmt_bind_text(st, 8, f->msg, strlen(f->msg));
        rc = madi_stmt_step(st, err);
        rc = rc < 0 ? rc : MADI_OK;
        madi_stmt_reset(st);
    }
    madi_stmt_finalize(st);
    return rc;
}

/* ---- lookups ---- */

/* Registered organisation `code` (letter case aside): its row id and code as registered. */
static int find_org(struct madi_store *s, const char *code, int64_t *id, char out[65],
                    struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    int rc = madi_store_prepare(s,
                                "SELECT id, code FROM organisation WHERE code = ? COLLATE NOCASE "
                                "AND provisional = 0",
                                &st, err);
    if (rc)
        return rc;
    madi_stmt_bind_text(st, 1, code, strlen(code));
    rc = madi_stmt_step(st, err);
    if (rc == MADI_STMT_ROW) {
        *id = madi_stmt_int(st, 0);
        (void)snprintf(out, 65, "%s", madi_stmt_text(st, 1));
        rc = MADI_OK;
    } else if (rc == MADI_STMT_DONE) {
        rc = madi_err_set(err, MADI_EINVAL,
                          "there is no organisation '%s' in the register (check the code, or "
                          "ask the centre to register it)",
                          code);
    }
    madi_stmt_finalize(st);
    return rc;
}

/* The batch a correction replaces must be active and, for an operator, its own. */
static int check_replaces(struct madi_store *s, int64_t batch, int64_t org_id, const char *org,
                          struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    int rc = madi_store_prepare(s,
                                "SELECT b.status, coalesce(su.organisation_id, 0) FROM batch b "
                                "LEFT JOIN submission su ON su.id = b.submission_id WHERE b.id = ?",
                                &st, err);
    if (rc)
        return rc;
    madi_stmt_bind_int(st, 1, batch);
    rc = madi_stmt_step(st, err);
    if (rc == MADI_STMT_DONE)
        rc = madi_err_set(err, MADI_EINVAL,
                          "there is no batch %lld to replace (see 'madi batch list')",
                          (long long)batch);
    else if (rc == MADI_STMT_ROW && strcmp(madi_stmt_text(st, 0), "active") != 0)
        rc = madi_err_set(err, MADI_EINVAL,
                          "batch %lld was already replaced: a correction replaces the batch "
                          "that replaced it (see 'madi batch list')",
                          (long long)batch);
    else if (rc == MADI_STMT_ROW && org_id && madi_stmt_int(st, 1) != org_id)
        rc = madi_err_set(err, MADI_EINVAL,
                          "batch %lld did not come from one of %s's submissions: you can "
                          "replace only your own organisation's batches",
                          (long long)batch, org);
    else if (rc == MADI_STMT_ROW)
        rc = MADI_OK;
    madi_stmt_finalize(st);
    return rc;
}

/* A submission as stored, owned strings; what the workflow steps need of it. */
struct sub {
    int64_t id, org_id, replaces, batch;
    int state;
    char org[65];
    char *file_name, *kind_asked, *sheet, *uploaded_by;
    unsigned char *content; /* the plain bytes: guarded memory when they were encrypted */
    size_t size;
    int guarded;
};

static void sub_release(struct sub *m)
{
    free(m->file_name);
    free(m->kind_asked);
    free(m->sheet);
    free(m->uploaded_by);
    if (m->guarded)
        madi_privacy_plain_free((char *)m->content);
    else
        free(m->content);
    memset(m, 0, sizeof(*m));
}

/* The kept bytes back in plain, checked against their SHA-256. */
static int open_content(struct sub *m, const struct madi_key *key, const char *sha, const void *p,
                        size_t n, struct madi_err *err)
{
    char *text = xmalloc(n + 1), *plain = NULL, hex[65];
    size_t pn = 0;
    memcpy(text, p, n);
    text[n] = '\0';
    int rc = key ? madi_privacy_decrypt(key, "submission", "content", sha, strlen(sha), text,
                                        &plain, &pn)
                 : MADI_EDENIED;
    free(text);
    if (rc == MADI_EDENIED)
        return madi_err_set(err, MADI_EDENIED,
                            "submission %lld is kept encrypted with the centre's key, which was "
                            "not given: put the key file beside the database (DB.key), point "
                            "MADI_KEY_FILE at it, or give the passphrase with --passphrase-stdin",
                            (long long)m->id);
    if (!rc) {
        sha256_hex((const unsigned char *)plain, pn, hex);
        if (strcmp(hex, sha) != 0)
            rc = MADI_ECRYPTO;
    }
    if (rc) {
        madi_privacy_plain_free(plain);
        return madi_err_set(err, MADI_ECRYPTO,
                            "the kept file of submission %lld does not open with this key, or "
                            "was altered",
                            (long long)m->id);
    }
    m->content = (unsigned char *)plain;
    m->size = pn;
    m->guarded = 1;
    return MADI_OK;
}

static char *dup_or_null(struct madi_stmt *st, int col)
{
    return madi_stmt_is_null(st, col) ? NULL : xstrdup(madi_stmt_text(st, col));
}

/* Submission `id`; with `with_content`, its bytes in plain too (decrypted with `key` when they
 * are kept encrypted). */
static int sub_load(struct madi_store *s, int64_t id, int with_content, const struct madi_key *key,
                    struct sub *m, struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    memset(m, 0, sizeof(*m));
    int rc = madi_store_prepare(s,
                                "SELECT su.state, coalesce(su.organisation_id, 0), "
                                "coalesce(o.code, ''), su.file_name, su.kind_asked, su.sheet, "
                                "su.uploaded_by, coalesce(su.replaces, 0), "
                                "coalesce(su.batch_id, 0), su.content, su.content_sealed, "
                                "su.sha256 FROM submission su LEFT "
                                "JOIN organisation o ON o.id = su.organisation_id WHERE su.id = ?",
                                &st, err);
    if (rc)
        return rc;
    madi_stmt_bind_int(st, 1, id);
    rc = madi_stmt_step(st, err);
    if (rc == MADI_STMT_ROW) {
        m->id = id;
        m->state = madi_sub_state_parse(madi_stmt_text(st, 0));
        m->org_id = madi_stmt_int(st, 1);
        (void)snprintf(m->org, sizeof(m->org), "%s", madi_stmt_text(st, 2));
        m->file_name = xstrdup(madi_stmt_text(st, 3));
        m->kind_asked = dup_or_null(st, 4);
        m->sheet = dup_or_null(st, 5);
        m->uploaded_by = xstrdup(madi_stmt_text(st, 6));
        m->replaces = madi_stmt_int(st, 7);
        m->batch = madi_stmt_int(st, 8);
        rc = MADI_OK;
        size_t n = 0;
        const void *p = with_content ? madi_stmt_blob(st, 9, &n) : NULL;
        if (with_content && madi_stmt_int(st, 10)) {
            rc = open_content(m, key, madi_stmt_text(st, 11), p, n, err);
        } else if (with_content) {
            m->content = xmalloc(n ? n : 1);
            if (n)
                memcpy(m->content, p, n);
            m->size = n;
        }
    } else if (rc == MADI_STMT_DONE) {
        rc = madi_err_set(err, MADI_ENOTFOUND,
                          "there is no submission %lld (see 'madi batch list')", (long long)id);
    }
    madi_stmt_finalize(st);
    return rc;
}

/* Why submission m cannot take step `what` from its state (MADI_ECONFLICT). */
static int wrong_state(const struct sub *m, const char *what, struct madi_err *err)
{
    long long id = (long long)m->id;
    switch (m->state) {
    case MADI_SUB_INVALID:
        return madi_err_set(err, MADI_ECONFLICT,
                            "submission %lld cannot be %s: it has errors (fix the file and "
                            "upload it again; 'madi batch show %lld' lists them)",
                            id, what, id);
    case MADI_SUB_DRAFT:
        return madi_err_set(err, MADI_ECONFLICT,
                            "submission %lld cannot be %s: it is a draft, not submitted yet "
                            "(its organisation submits it first)",
                            id, what);
    case MADI_SUB_SUBMITTED:
        return madi_err_set(err, MADI_ECONFLICT,
                            "submission %lld cannot be %s: it is already submitted and waits "
                            "for review",
                            id, what);
    case MADI_SUB_APPROVED:
        return madi_err_set(err, MADI_ECONFLICT,
                            "submission %lld cannot be %s: it was approved (batch %lld); approved "
                            "data is locked, so a correction is a new submission that replaces "
                            "batch %lld",
                            id, what, (long long)m->batch, (long long)m->batch);
    default:
        return madi_err_set(err, MADI_ECONFLICT,
                            "submission %lld cannot be %s: it was returned to its organisation "
                            "(a corrected file is a new submission)",
                            id, what);
    }
}

/* An UPDATE of submission `id` whose parameters are three texts (NULL binds NULL), then id. */
static int set_text(struct madi_store *s, const char *sql, const char *a, const char *b,
                    const char *c, int64_t id, struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    int rc = madi_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    bind_opt_text(st, 1, a);
    bind_opt_text(st, 2, b);
    bind_opt_text(st, 3, c);
    madi_stmt_bind_int(st, 4, id);
    rc = madi_stmt_step(st, err);
    madi_stmt_finalize(st);
    return rc < 0 ? rc : MADI_OK;
}

static int audit_sub(struct madi_store *s, const char *who, const char *action, int64_t id,
                     const char *detail, struct madi_err *err)
{
    char what[200];
    (void)snprintf(what, sizeof(what), "submission %lld%s%s", (long long)id, *detail ? ": " : "",
                   detail);
    return madi_audit_append(s, who, action, what, NULL, err);
}

/* ---- upload ---- */

/* The same bytes waiting from the same organisation for the same batch: that submission, or 0. */
static int find_waiting(struct madi_store *s, const char *sha, int64_t org_id, int64_t replaces,
                        int64_t *id, struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    *id = 0;
    int rc = madi_store_prepare(s,
                                "SELECT id FROM submission WHERE sha256 = ? AND "
                                "coalesce(organisation_id, 0) = ? AND coalesce(replaces, 0) = ? "
                                "AND state IN ('draft', 'submitted') ORDER BY id DESC LIMIT 1",
                                &st, err);
    if (rc)
        return rc;
    madi_stmt_bind_text(st, 1, sha, 64);
    madi_stmt_bind_int(st, 2, org_id);
    madi_stmt_bind_int(st, 3, replaces);
    rc = madi_stmt_step(st, err);
    if (rc == MADI_STMT_ROW)
        *id = madi_stmt_int(st, 0);
    madi_stmt_finalize(st);
    return rc < 0 ? rc : MADI_OK;
}

struct replay {
    struct madi_import_result *res;
    int found;
};

static void replay_counts(void *ctx, const struct madi_submission *m)
{
    struct replay *r = ctx;
    const struct madi_kind *k = madi_kind_find(m->kind);
    r->found = 1;
    r->res->status = m->errors ? MADI_IMPORT_REJECTED : MADI_IMPORT_CHECKED;
    r->res->kind = k ? k->name : strcmp(m->kind, "workbook") == 0 ? "workbook" : NULL;
    r->res->rows = (unsigned long long)m->rows;
    r->res->errors = (unsigned long)m->errors;
    r->res->warnings = (unsigned long)m->warnings;
}

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

int madi_sub_upload(struct madi_store *s, const struct madi_sub_upload *u, madi_diag_fn on_diag,
                    void *diag_ctx, int64_t *id, struct madi_import_result *res,
                    struct madi_err *err)
{
    struct collect c = { 0 };
    struct madi_stmt *st = NULL;
    unsigned char *bytes = NULL;
    size_t size = 0;
    char sha[65], tmp[TEMP_PATH] = "", org[65] = "", when[24], detail[160], *sealed = NULL;
    int64_t org_id = 0;
    int rc, in_tx = 0;
    *id = 0;
    memset(res, 0, sizeof(*res));
    res->status = MADI_IMPORT_REJECTED;
    if (sodium_init() < 0)
        return madi_err_set(err, MADI_ECRYPTO, "libsodium could not start");
    if (!u->data && (!u->path || !*u->path))
        return madi_err_set(err, MADI_EINVAL, "no file to upload");
    if (u->data && u->len > MADI_SUB_MAX_BYTES)
        return madi_err_set(err, MADI_EINVAL,
                            "the file is %zu MiB; a submission can be at most %d MiB (split it "
                            "by period or by kind)",
                            u->len >> 20, MADI_SUB_MAX_BYTES >> 20);
    const char *name = u->file_name && *u->file_name ? u->file_name
                       : u->path                     ? base_name(u->path)
                                                     : "upload";
    const char *who = u->who && *u->who ? u->who : "unknown";
    int seal = madi_privacy_has_key(s) != 0;
    if (seal && !u->key)
        return madi_err_set(err, MADI_EDENIED,
                            "this database keeps uploaded files encrypted with the centre's key, "
                            "which was not given: put the key file beside the database (DB.key), "
                            "point MADI_KEY_FILE at it, or give the passphrase with "
                            "--passphrase-stdin");
    rc = seal ? madi_privacy_check(s, u->key, err) : MADI_OK;
    if (!rc && u->org)
        rc = find_org(s, u->org, &org_id, org, err);
    if (!rc && u->replaces)
        rc = check_replaces(s, u->replaces, org_id, org, err);
    if (!rc && u->data) {
        bytes = xmalloc(u->len ? u->len : 1);
        memcpy(bytes, u->data, u->len);
        size = u->len;
    } else if (!rc) {
        rc = read_bytes(u->path, &bytes, &size, err);
    }
    if (rc)
        goto done;
    sha256_hex(bytes, size, sha);

    rc = find_waiting(s, sha, org_id, u->replaces, id, err);
    if (rc)
        goto done;
    if (*id) {
        struct replay r = { res, 0 };
        rc = madi_sub_get(s, *id, replay_counts, &r, err);
        if (!rc && on_diag)
            rc = madi_sub_diags(s, *id, on_diag, diag_ctx, err);
        goto done;
    }

    rc = write_temp(bytes, size, tmp, err);
    if (rc)
        goto done;
    struct madi_import_opts o = { 0 };
    o.kind = u->kind;
    o.sheet = u->sheet;
    o.name = name;
    o.who = who;
    o.replace_batch = u->replaces;
    o.flags = MADI_IMPORT_DRY_RUN;
    o.today = u->today;
    o.on_diag = on_finding;
    o.diag_ctx = &c;
    o.key = u->key;
    o.only_org = u->org ? org : NULL;
    c.fwd = on_diag;
    c.fwd_ctx = diag_ctx;
    int irc = madi_import_file(s, tmp, &o, res, err);
    (void)unlink(tmp);
    tmp[0] = '\0';
    if (irc && irc != MADI_EREJECTED) {
        rc = irc;
        goto done;
    }
    if (res->status == MADI_IMPORT_UNCHANGED) {
        char msg[300];
        (void)snprintf(msg, sizeof(msg),
                       "this file was already imported as batch %lld: there is nothing new to "
                       "submit (to correct that batch, upload the corrected file as a "
                       "replacement of batch %lld)",
                       (long long)res->batch, (long long)res->batch);
        struct madi_diag d = { MADI_DIAG_ERROR, name, NULL, 0, 0, NULL, msg };
        on_finding(&c, &d);
        res->status = MADI_IMPORT_REJECTED;
        res->errors++;
        res->batch = 0;
    }
    if (c.dropped) {
        char msg[160];
        (void)snprintf(msg, sizeof(msg),
                       "%lu more findings were not kept (the first %d are): fix these, then "
                       "upload again to see the rest",
                       c.dropped, MADI_SUB_MAX_FINDINGS);
        collect_add(&c, MADI_DIAG_NOTE, msg);
    }
    enum madi_sub_state state = res->errors ? MADI_SUB_INVALID : MADI_SUB_DRAFT;
    if (seal) {
        (void)madi_privacy_encrypt(u->key, "submission", "content", sha, 64, (const char *)bytes,
                                   size, &sealed);
        sodium_memzero(bytes, size);
    }
    const char *kind = res->kind ? res->kind : u->kind ? u->kind : "";

    rc = madi_store_begin(s, err);
    if (rc)
        goto done;
    in_tx = 1;
    madi_now_iso(when);
    rc = madi_store_prepare(s,
                            "INSERT INTO submission (state, organisation_id, file_name, sha256, "
                            "content, kind, kind_asked, sheet, uploaded_by, uploaded_at, "
                            "row_count, error_count, warning_count, replaces, content_sealed) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                            &st, err);
    if (rc)
        goto done;
    madi_stmt_bind_text(st, 1, state_names[state], strlen(state_names[state]));
    if (org_id)
        madi_stmt_bind_int(st, 2, org_id);
    else
        madi_stmt_bind_null(st, 2);
    madi_stmt_bind_text(st, 3, name, strlen(name));
    madi_stmt_bind_text(st, 4, sha, 64);
    if (sealed)
        madi_stmt_bind_blob(st, 5, sealed, strlen(sealed));
    else
        madi_stmt_bind_blob(st, 5, bytes, size);
    madi_stmt_bind_text(st, 6, kind, strlen(kind));
    bind_opt_text(st, 7, u->kind);
    bind_opt_text(st, 8, u->sheet);
    madi_stmt_bind_text(st, 9, who, strlen(who));
    madi_stmt_bind_text(st, 10, when, strlen(when));
    madi_stmt_bind_int(st, 11, (int64_t)res->rows);
    madi_stmt_bind_int(st, 12, (int64_t)res->errors);
    madi_stmt_bind_int(st, 13, (int64_t)res->warnings);
    if (u->replaces)
        madi_stmt_bind_int(st, 14, u->replaces);
    else
        madi_stmt_bind_null(st, 14);
    madi_stmt_bind_int(st, 15, sealed != NULL);
    rc = madi_stmt_step(st, err);
    if (rc != MADI_STMT_ROW) {
        rc = rc < 0 ? rc : madi_err_set(err, MADI_EDB, "the new submission got no number");
        goto done;
    }
    *id = madi_stmt_int(st, 0);
    madi_stmt_finalize(st);
    st = NULL;
    rc = store_findings(s, *id, &c, err);
    (void)snprintf(detail, sizeof(detail), "%s, %s, sha256 %.12s, %s",
                   *kind ? kind : "unknown kind", *org ? org : "the centre", sha,
                   state_names[state]);
    if (!rc)
        rc = audit_sub(s, who, "upload", *id, detail, err);
    if (!rc)
        rc = madi_store_commit(s, err);
    if (!rc)
        in_tx = 0;
done:
    madi_stmt_finalize(st);
    if (in_tx) {
        madi_store_rollback(s);
        *id = 0;
    }
    if (tmp[0])
        (void)unlink(tmp);
    collect_release(&c);
    if (bytes)
        sodium_memzero(bytes, size);
    free(bytes);
    free(sealed);
    return rc;
}

/* ---- the transitions ---- */

/*
 * One step of a submission, from state `from` (else a refusal naming `to`): the row updated by
 * `sql` (its four parameters a, b, c and the id) and the audit entry, in one transaction.
 */
static int transition(struct madi_store *s, int64_t id, enum madi_sub_state from, const char *to,
                      const char *sql, const char *a, const char *b, const char *c, const char *who,
                      const char *action, struct madi_err *err)
{
    struct sub m;
    memset(&m, 0, sizeof(m));
    int rc = madi_store_begin(s, err);
    if (rc)
        return rc;
    rc = sub_load(s, id, 0, NULL, &m, err);
    if (!rc && m.state != (int)from)
        rc = wrong_state(&m, to, err);
    if (!rc)
        rc = set_text(s, sql, a, b, c, id, err);
    if (!rc)
        rc = audit_sub(s, who, action, id, "", err);
    if (!rc)
        rc = madi_store_commit(s, err);
    if (rc)
        madi_store_rollback(s);
    sub_release(&m);
    return rc;
}

int madi_sub_submit(struct madi_store *s, int64_t id, const char *who, struct madi_err *err)
{
    char when[24];
    madi_now_iso(when);
    return transition(s, id, MADI_SUB_DRAFT, "submitted",
                      "UPDATE submission SET state = 'submitted', submitted_at = ?1, "
                      "submitted_by = ?2, reviewed_by = ?3 WHERE id = ?4",
                      when, who ? who : "unknown", NULL, who, "submit", err);
}

static int check_comment(const char *comment, int required, struct madi_err *err)
{
    size_t solid = 0, n = comment ? strlen(comment) : 0;
    for (size_t i = 0; i < n; i++)
        solid +=
                comment[i] != ' ' && comment[i] != '\t' && comment[i] != '\n' && comment[i] != '\r';
    if (required && !solid)
        return madi_err_set(err, MADI_EINVAL,
                            "say why the submission goes back, with a comment the organisation "
                            "can act on (what to fix)");
    if (n > MADI_SUB_COMMENT_MAX)
        return madi_err_set(err, MADI_EINVAL, "the comment is too long: at most %d characters",
                            MADI_SUB_COMMENT_MAX);
    return MADI_OK;
}

/* The import options of an approval or a preview: the kept bytes as they were uploaded. */
static void import_opts(const struct sub *m, const struct madi_key *key, int32_t today,
                        struct madi_import_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->kind = m->kind_asked;
    o->sheet = m->sheet;
    o->name = m->file_name;
    o->who = m->uploaded_by;
    o->replace_batch = m->replaces;
    o->today = today;
    o->key = key;
    o->only_org = m->org_id ? m->org : NULL;
}

int madi_sub_approve(struct madi_store *s, int64_t id, const char *reviewer, const char *comment,
                     const struct madi_key *key, int32_t today, madi_diag_fn on_diag,
                     void *diag_ctx, struct madi_import_result *res, struct madi_err *err)
{
    struct sub m;
    struct madi_import_opts o;
    char tmp[TEMP_PATH] = "", when[24], detail[160];
    int64_t before = 0;
    memset(res, 0, sizeof(*res));
    memset(&m, 0, sizeof(m));
    res->status = MADI_IMPORT_REJECTED;
    int rc = check_comment(comment, 0, err);
    if (rc)
        return rc;
    rc = madi_store_begin(s, err);
    if (rc)
        return rc;
    rc = sub_load(s, id, 1, key, &m, err);
    if (!rc && m.state != MADI_SUB_SUBMITTED)
        rc = wrong_state(&m, "approved", err);
    if (!rc)
        rc = write_temp(m.content, m.size, tmp, err);
    if (!rc)
        rc = madi_store_query_int(s, "SELECT coalesce(max(id), 0) FROM batch", &before, err);
    if (rc)
        goto done;
    import_opts(&m, key, today, &o);
    o.flags = MADI_IMPORT_IN_TX;
    o.on_diag = on_diag;
    o.diag_ctx = diag_ctx;
    rc = madi_import_file(s, tmp, &o, res, err);
    if (rc == MADI_EREJECTED)
        rc = madi_err_set(err, MADI_EREJECTED,
                          "submission %lld no longer imports (%lu error%s: the registers or the "
                          "batch it replaces changed since it was checked); nothing was stored, "
                          "and it is still submitted (return it with a comment)",
                          (long long)id, res->errors, res->errors == 1 ? "" : "s");
    if (!rc && res->status == MADI_IMPORT_UNCHANGED)
        rc = madi_err_set(err, MADI_ECONFLICT,
                          "the same file was imported directly meanwhile, as batch %lld: there "
                          "is nothing to approve (return submission %lld)",
                          (long long)res->batch, (long long)id);
    if (rc)
        goto done;
    struct madi_stmt *st = NULL;
    rc = madi_store_prepare(s, "UPDATE batch SET submission_id = ? WHERE id > ?", &st, err);
    if (!rc) {
        madi_stmt_bind_int(st, 1, id);
        madi_stmt_bind_int(st, 2, before);
        rc = madi_stmt_step(st, err);
        rc = rc < 0 ? rc : MADI_OK;
    }
    madi_stmt_finalize(st);
    st = NULL;
    madi_now_iso(when);
    if (!rc)
        rc = set_text(s,
                      "UPDATE submission SET state = 'approved', reviewed_by = ?, reviewed_at = "
                      "?, comment = ? WHERE id = ?",
                      reviewer ? reviewer : "unknown", when, comment && *comment ? comment : NULL,
                      id, err);
    if (!rc) {
        rc = madi_store_prepare(s, "UPDATE submission SET batch_id = ? WHERE id = ?", &st, err);
        if (!rc) {
            madi_stmt_bind_int(st, 1, res->batch);
            madi_stmt_bind_int(st, 2, id);
            rc = madi_stmt_step(st, err);
            rc = rc < 0 ? rc : MADI_OK;
        }
        madi_stmt_finalize(st);
    }
    (void)snprintf(detail, sizeof(detail), "batch %lld, %s, %llu rows%s", (long long)res->batch,
                   res->kind ? res->kind : "?", res->rows, m.replaces ? ", replacing" : "");
    if (m.replaces) {
        size_t len = strlen(detail);
        (void)snprintf(detail + len, sizeof(detail) - len, " batch %lld", (long long)m.replaces);
    }
    if (!rc)
        rc = audit_sub(s, reviewer, "approve", id, detail, err);
    if (!rc)
        rc = madi_store_commit(s, err);
done:
    if (rc) {
        madi_store_rollback(s);
        if (res->status == MADI_IMPORT_STORED)
            res->status = MADI_IMPORT_REJECTED;
        res->batch = rc == MADI_ECONFLICT ? res->batch : 0;
    }
    if (tmp[0])
        (void)unlink(tmp);
    sub_release(&m);
    return rc;
}

int madi_sub_return(struct madi_store *s, int64_t id, const char *reviewer, const char *comment,
                    struct madi_err *err)
{
    char when[24];
    int rc = check_comment(comment, 1, err);
    if (rc)
        return rc;
    madi_now_iso(when);
    return transition(s, id, MADI_SUB_SUBMITTED, "returned",
                      "UPDATE submission SET state = 'returned', reviewed_by = ?, reviewed_at = "
                      "?, comment = ? WHERE id = ?",
                      reviewer ? reviewer : "unknown", when, comment, reviewer, "return", err);
}

/* ---- reading ---- */

#define SUB_COLS                                                                                  \
    "SELECT su.id, su.state, coalesce(o.code, ''), su.file_name, su.sha256, su.kind, "            \
    "su.uploaded_by, su.uploaded_at, su.row_count, su.error_count, su.warning_count, "            \
    "coalesce(su.submitted_at, ''), coalesce(su.reviewed_by, ''), coalesce(su.reviewed_at, ''), " \
    "coalesce(su.comment, ''), coalesce(su.replaces, 0), coalesce(su.batch_id, 0) FROM "          \
    "submission su LEFT JOIN organisation o ON o.id = su.organisation_id "

static void fill_sub(struct madi_stmt *st, struct madi_submission *m)
{
    int state = madi_sub_state_parse(madi_stmt_text(st, 1));
    m->id = madi_stmt_int(st, 0);
    m->state = state < 0 ? MADI_SUB_INVALID : (enum madi_sub_state)state;
    m->org = madi_stmt_text(st, 2);
    m->file_name = madi_stmt_text(st, 3);
    m->sha256 = madi_stmt_text(st, 4);
    m->kind = madi_stmt_text(st, 5);
    m->uploaded_by = madi_stmt_text(st, 6);
    m->uploaded_at = madi_stmt_text(st, 7);
    m->rows = madi_stmt_int(st, 8);
    m->errors = madi_stmt_int(st, 9);
    m->warnings = madi_stmt_int(st, 10);
    m->submitted_at = madi_stmt_text(st, 11);
    m->reviewed_by = madi_stmt_text(st, 12);
    m->reviewed_at = madi_stmt_text(st, 13);
    m->comment = madi_stmt_text(st, 14);
    m->replaces = madi_stmt_int(st, 15);
    m->batch = madi_stmt_int(st, 16);
}

int madi_sub_get(struct madi_store *s, int64_t id,
                 void (*fn)(void *ctx, const struct madi_submission *m), void *ctx,
                 struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    struct madi_submission m;
    int rc = madi_store_prepare(s, SUB_COLS "WHERE su.id = ?", &st, err);
    if (rc)
        return rc;
    madi_stmt_bind_int(st, 1, id);
    rc = madi_stmt_step(st, err);
    if (rc == MADI_STMT_ROW) {
        fill_sub(st, &m);
        fn(ctx, &m);
        rc = MADI_OK;
    } else if (rc == MADI_STMT_DONE) {
        rc = madi_err_set(err, MADI_ENOTFOUND,
                          "there is no submission %lld (see 'madi batch list')", (long long)id);
    }
    madi_stmt_finalize(st);
    return rc;
}

int madi_sub_foreach(struct madi_store *s, const char *org, int state,
                     void (*fn)(void *ctx, const struct madi_submission *m), void *ctx,
                     struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    struct madi_submission m;
    int rc = madi_store_prepare(s,
                                SUB_COLS "WHERE (?1 IS NULL OR o.code = ?1 COLLATE NOCASE) AND "
                                         "(?2 IS NULL OR su.state = ?2) ORDER BY su.id DESC",
                                &st, err);
    if (rc)
        return rc;
    bind_opt_text(st, 1, org);
    bind_opt_text(st, 2, state >= 0 && state < MADI_SUB_STATE_COUNT ? state_names[state] : NULL);
    while ((rc = madi_stmt_step(st, err)) == MADI_STMT_ROW) {
        fill_sub(st, &m);
        fn(ctx, &m);
    }
    madi_stmt_finalize(st);
    return rc < 0 ? rc : MADI_OK;
}

int madi_sub_diags(struct madi_store *s, int64_t id, madi_diag_fn fn, void *ctx,
                   struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    int rc = madi_store_prepare(s,
                                "SELECT f.level, f.sheet, f.line, f.col, f.field, f.msg, "
                                "su.file_name FROM submission_finding f JOIN submission su ON "
                                "su.id = f.submission_id WHERE f.submission_id = ? ORDER BY f.seq",
                                &st, err);
    if (rc)
        return rc;
    madi_stmt_bind_int(st, 1, id);
    while ((rc = madi_stmt_step(st, err)) == MADI_STMT_ROW) {
        struct madi_diag d;
        int level = (int)madi_stmt_int(st, 0);
        d.level = level == 1 ? MADI_DIAG_WARNING : level == 2 ? MADI_DIAG_NOTE : MADI_DIAG_ERROR;
        d.sheet = madi_stmt_is_null(st, 1) ? NULL : madi_stmt_text(st, 1);
        d.line = (unsigned long)madi_stmt_int(st, 2);
        d.col = (unsigned)madi_stmt_int(st, 3);
        d.field = madi_stmt_is_null(st, 4) ? NULL : madi_stmt_text(st, 4);
        d.msg = madi_stmt_text(st, 5);
        d.file = madi_stmt_text(st, 6);
        fn(ctx, &d);
    }
    madi_stmt_finalize(st);
    return rc < 0 ? rc : MADI_OK;
}

/* ---- preview ---- */

struct qseen {
    struct madi_strmap map;
    int after; /* 0: recording what is there; 1: passing on what is new */
    madi_qfinding_fn fn;
    void *ctx;
};

static void on_quality(void *ctx, const struct madi_qfinding *f)
{
    struct qseen *q = ctx;
    char *key = xasprintf("%d\037%d\037%s\037%s\037%s\037%s", (int)f->check, (int)f->level, f->org,
                          f->kind, f->record, f->what);
    int64_t v = 0;
    if (!q->after)
        madi_strmap_put(&q->map, key, strlen(key), 1);
    else if (!madi_strmap_get(&q->map, key, strlen(key), &v))
        q->fn(q->ctx, f);
    free(key);
}

int madi_sub_preview(struct madi_store *s, int64_t id, const struct madi_key *key, int32_t today,
                     struct madi_import_result *res, madi_qfinding_fn fn, void *ctx,
                     struct madi_err *err)
{
    struct sub m;
    struct madi_store *copy = NULL;
    struct madi_import_opts o;
    struct madi_period all;
    struct qseen q;
    char tmp[TEMP_PATH] = "";
    memset(res, 0, sizeof(*res));
    res->status = MADI_IMPORT_REJECTED;
    madi_strmap_init(&q.map);
    q.after = 0;
    q.fn = fn;
    q.ctx = ctx;
    int rc = sub_load(s, id, 1, key, &m, err);
    if (!rc && m.state != MADI_SUB_DRAFT && m.state != MADI_SUB_SUBMITTED)
        rc = wrong_state(&m, "previewed", err);
    if (!rc)
        rc = write_temp(m.content, m.size, tmp, err);
    if (!rc)
        rc = store_copy_to_memory(s, &copy, err);
    if (rc)
        goto done;
    memset(&all, 0, sizeof(all));
    all.from = 19000101;
    all.to = today ? today : madi_today();
    (void)snprintf(all.label, sizeof(all.label), "all dates");
    const char *org = m.org_id ? m.org : NULL;
    rc = madi_quality_check(copy, &all, org, today, on_quality, &q, err);
    if (rc)
        goto done;
    import_opts(&m, key, today, &o);
    rc = madi_import_file(copy, tmp, &o, res, err);
    if (rc == MADI_EREJECTED)
        rc = madi_err_set(err, MADI_EREJECTED,
                          "submission %lld no longer imports (%lu error%s): approving it would "
                          "fail (return it with a comment)",
                          (long long)id, res->errors, res->errors == 1 ? "" : "s");
    if (rc)
        goto done;
    q.after = 1;
    if (fn)
        rc = madi_quality_check(copy, &all, org, today, on_quality, &q, err);
done:
    madi_store_close(copy);
    if (tmp[0])
        (void)unlink(tmp);
    madi_strmap_release(&q.map);
    sub_release(&m);
    return rc;
}
