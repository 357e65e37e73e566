/*
 * submission.h: an operator's file on its way in: uploaded, checked, submitted, reviewed.
 *
 * The review workflow of the server and of `madi batch submit|approve|return`:
 *
 *   upload --(errors)--> invalid            (kept with its findings, for the operator to see)
 *   upload --(clean)---> draft --submit--> submitted --approve--> approved (imported: batches)
 *                                              \--return (comment)--> returned
 *
 * Uploading validates the file exactly as `madi import --dry-run` does and keeps its bytes and
 * every finding (file, sheet, line, column, field, message) in the store; nothing reaches the
 * figures until a reviewer approves. Approving imports the kept bytes in one transaction (the
 * same import, with the uploader recorded as the batch's importer and the batches linked to the
 * submission); if the import now fails (the registers changed since), nothing is written and
 * the submission stays submitted. Approved data is locked: a correction is a new submission
 * that names the batch it replaces, and on approval the old batch is kept as replaced (history).
 * An operator's upload (`org` set) may hold only that organisation's records: a row of another
 * organisation is an error at its cell. Every transition is audited (audit.h).
 * When the database has the centre's key, the kept bytes are encrypted with it (a file may hold
 * personal fields), so upload, approve and preview need the key (MADI_EDENIED without it,
 * MADI_ECRYPTO for another one); the audit chain is then keyed too (see auth.h).
 * Not thread-safe; one store per thread.
 */
#ifndef MADI_SUBMISSION_H
#define MADI_SUBMISSION_H

#include <stdint.h>

#include "madi/err.h"
#include "madi/import.h"
#include "madi/quality.h"
#include "madi/store.h"

enum madi_sub_state {
    MADI_SUB_INVALID = 0,
    MADI_SUB_DRAFT,
    MADI_SUB_SUBMITTED,
    MADI_SUB_APPROVED,
    MADI_SUB_RETURNED,
    MADI_SUB_STATE_COUNT
};

/* Limits: the size of an uploaded file, of a reviewer's comment, and how many findings are kept
 * per submission (the rest are counted; a note at the end says how many were not kept). */
enum { MADI_SUB_MAX_BYTES = 64 << 20, MADI_SUB_COMMENT_MAX = 2000, MADI_SUB_MAX_FINDINGS = 10000 };

/** "invalid", "draft", "submitted", "approved", "returned"; and back (-1 for none). */
const char *madi_sub_state_name(enum madi_sub_state st);
int madi_sub_state_parse(const char *s);

/* One submission. Strings borrowed for the duration of the callback. */
struct madi_submission {
    int64_t id;
    enum madi_sub_state state;
    const char *org;       /* organisation code it speaks for; "" for the centre's own */
    const char *file_name; /* as uploaded */
    const char *sha256;
    const char *kind; /* the kind recognised (or asked for); "" when not recognised */
    const char *uploaded_by, *uploaded_at;
    int64_t rows, errors, warnings;
    const char *submitted_at;              /* "" until submitted */
    const char *reviewed_by, *reviewed_at; /* "" until reviewed */
    const char *comment;                   /* the reviewer's, "" when none */
    int64_t replaces;                      /* the batch this corrects, 0 when none */
    int64_t batch;                         /* first batch it became, 0 until approved */
};

struct madi_sub_upload {
    const char *path; /* the uploaded bytes, on disk; or NULL, and then: */
    const void *data; /* the uploaded bytes in memory (the server's request body) */
    size_t len;
    const char *file_name; /* the name the user gave the file */
    const char *org;       /* an operator's organisation code: every record must be its; NULL =
                              the centre, any organisation */
    const char *who;       /* the account uploading */
    int64_t replaces;      /* 0, or the active batch this corrects (of the same organisation) */
    const char *kind;      /* as for import: NULL = recognise */
    const char *sheet;     /* as for import */
    const struct madi_key *key; /* the centre's key, for kinds with personal fields */
    int32_t today;              /* yyyymmdd, 0 = the clock */
};

/**
 * Check and keep an uploaded file. *id gets the new submission (state invalid or draft); res
 * gets the dry run's result; every finding is kept and also passed to `on_diag` (may be NULL).
 * The same bytes already waiting (draft or submitted) from the same organisation, for the same
 * replaced batch, give that submission back, unchanged (its kept findings replayed to on_diag).
 * A file already imported (an active batch of the same bytes) is kept as invalid, with that as
 * its error. MADI_OK for both states (the state says which); MADI_EIO or MADI_EDB when the file
 * or store failed, MADI_EINVAL for a request that cannot be checked at all (an unknown
 * organisation or kind, a file over MADI_SUB_MAX_BYTES, a batch to replace that is not active or,
 * for an operator, not one of its own organisation's approved submissions): nothing kept.
 */
int madi_sub_upload(struct madi_store *s, const struct madi_sub_upload *u, madi_diag_fn on_diag,
                    void *diag_ctx, int64_t *id, struct madi_import_result *res,
                    struct madi_err *err);

/** Draft to submitted. MADI_ECONFLICT from any other state (the message says which);
 * MADI_ENOTFOUND when there is no submission `id`. */
int madi_sub_submit(struct madi_store *s, int64_t id, const char *who, struct madi_err *err);

/**
 * Submitted to approved: import the kept bytes (see above). `comment` may be NULL. *res gets
 * the import's result. MADI_EREJECTED (with findings to on_diag) when the file no longer
 * imports; MADI_ECONFLICT from a state other than submitted, or when the same file was imported
 * directly meanwhile (return the submission then). The operator's rule (org) holds again.
 */
int madi_sub_approve(struct madi_store *s, int64_t id, const char *reviewer, const char *comment,
                     const struct madi_key *key, int32_t today, madi_diag_fn on_diag,
                     void *diag_ctx, struct madi_import_result *res, struct madi_err *err);

/** Submitted to returned, with the reviewer's comment (required, MADI_EINVAL when blank or over
 * MADI_SUB_COMMENT_MAX bytes). MADI_ECONFLICT from another state. */
int madi_sub_return(struct madi_store *s, int64_t id, const char *reviewer, const char *comment,
                    struct madi_err *err);

/** One submission. MADI_ENOTFOUND if none. */
int madi_sub_get(struct madi_store *s, int64_t id,
                 void (*fn)(void *ctx, const struct madi_submission *m), void *ctx,
                 struct madi_err *err);

/** Submissions, newest first; `org` (a code, or NULL for all) and `state` (-1 for all) filter. */
int madi_sub_foreach(struct madi_store *s, const char *org, int state,
                     void (*fn)(void *ctx, const struct madi_submission *m), void *ctx,
                     struct madi_err *err);

/** The findings kept for a submission, in file order (d->file is the uploaded file name). */
int madi_sub_diags(struct madi_store *s, int64_t id, madi_diag_fn fn, void *ctx,
                   struct madi_err *err);

/**
 * What approving would add, for the reviewer: imports the kept bytes into an in-memory copy of
 * the store and runs the quality checks (quality.h) of the submission's organisation there.
 * res gets the import's result (rows per kind in the batches it would make); each finding that
 * the submission would bring (not already present before it) goes to fn. The period checked
 * is every date up to `today`. Only a draft or a submitted submission has a preview
 * (MADI_ECONFLICT otherwise); MADI_EREJECTED when the file no longer imports. The store itself
 * is not changed. The copy costs memory the size of the database.
 */
int madi_sub_preview(struct madi_store *s, int64_t id, const struct madi_key *key, int32_t today,
                     struct madi_import_result *res, madi_qfinding_fn fn, void *ctx,
                     struct madi_err *err);

#endif
