/*
 * survivor.c: the survivors module's queries (survivor.h): pseudonymous lists, the one audited
 * way to read personal fields, erasure, referral queues, duplicate review and the loop-closing
 * figures.
 *
 * Invariants: only madi_survivor_show decrypts, and it commits its audit entry before calling
 * back with anything; every other function here reads no personal column. SQL for the survivors'
 * tables lives here and in import.c (which writes them).
 */
#include "madi/survivor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "madi/audit.h"
#include "madi/dim.h"
#include "madi/kind.h"

#include "banned.h"
#include "buf.h"
#include "xalloc.h"

#define STATUS_COMPLETED 4
#define STATUS_DECLINED  5

static const char *code_of(const char *list, struct madi_stmt *st, int col)
{
    if (madi_stmt_is_null(st, col))
        return "";
    const struct madi_code *c =
            madi_code_by_value(madi_codelist_find(list), (int)madi_stmt_int(st, col));
    return c ? c->code : "?";
}

static int32_t int_or_0(struct madi_stmt *st, int col)
{
    return madi_stmt_is_null(st, col) ? 0 : (int32_t)madi_stmt_int(st, col);
}

static const char *text_or_empty(struct madi_stmt *st, int col)
{
    return madi_stmt_is_null(st, col) ? "" : madi_stmt_text(st, col);
}

static void band_text(struct madi_stmt *st, int lo, char *out, size_t outsz)
{
    out[0] = '\0';
    if (madi_stmt_is_null(st, lo))
        return;
    if (madi_stmt_is_null(st, lo + 1))
        (void)snprintf(out, outsz, "%lld+", (long long)madi_stmt_int(st, lo));
    else
        (void)snprintf(out, outsz, "%lld-%lld", (long long)madi_stmt_int(st, lo),
                       (long long)madi_stmt_int(st, lo + 1));
}

int madi_survivor_list(struct madi_store *s,
                       void (*fn)(void *ctx, const struct madi_survivor_row *r), void *ctx,
                       struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    int rc = madi_store_prepare(
            s,
            "SELECT s.survivor_id, s.person_key, o.code, s.victim_type, s.outcome, s.sex, "
            "s.disability, s.age, s.age_band_lo, s.age_band_hi, s.date_of_injury, "
            "(SELECT count(*) FROM need n WHERE n.survivor_id = s.survivor_id), "
            "(SELECT count(*) FROM need n WHERE n.survivor_id = s.survivor_id AND n.status IN "
            "(2, 3)), s.erased_at IS NOT NULL FROM survivor s JOIN organisation o ON o.id = "
            "s.organisation_id ORDER BY s.survivor_id",
            &st, err);
    if (rc)
        return rc;
    while ((rc = madi_stmt_step(st, err)) == MADI_STMT_ROW) {
        struct madi_survivor_row r;
        char band[24];
        band_text(st, 8, band, sizeof(band));
        r.survivor_id = madi_stmt_text(st, 0);
        r.person_key = madi_stmt_is_null(st, 1) ? 0 : (uint64_t)madi_stmt_int(st, 1);
        r.organisation = madi_stmt_text(st, 2);
        r.victim_type = code_of("victim_type", st, 3);
        r.outcome = code_of("outcome", st, 4);
        r.sex = code_of("sex", st, 5);
        r.disability = code_of("yesno", st, 6);
        r.age = madi_stmt_is_null(st, 7) ? -1 : (int)madi_stmt_int(st, 7);
        r.age_band = band;
        r.date_of_injury = int_or_0(st, 10);
        r.needs = (int)madi_stmt_int(st, 11);
        r.unmet = (int)madi_stmt_int(st, 12);
        r.erased = (int)madi_stmt_int(st, 13);
        fn(ctx, &r);
    }
    madi_stmt_finalize(st);
    return rc < 0 ? rc : MADI_OK;
}

/* ---- show ---- */

/* One column of a survivor, as text: the select expression for field f. */
static void select_field(struct madi_buf *b, const struct madi_field *f)
{
    if (f->type == MADI_F_REF)
        (void)madi_buf_addf(b, "(SELECT code FROM organisation WHERE id = t.%s_id)", f->name);
    else if (f->type == MADI_F_AGE_BAND)
        (void)madi_buf_addf(b, "t.%s_lo, t.%s_hi", f->name, f->name);
    else
        (void)madi_buf_addf(b, "t.%s", f->name);
}

/* A stored non-personal value as text, into out. */
static void format_field(struct madi_stmt *st, int col, const struct madi_field *f, char *out,
                         size_t outsz)
{
    out[0] = '\0';
    if (f->type == MADI_F_AGE_BAND) {
        band_text(st, col, out, outsz);
        return;
    }
    if (madi_stmt_is_null(st, col))
        return;
    int64_t n = madi_stmt_int(st, col);
    switch (f->type) {
    case MADI_F_CODE:
        (void)snprintf(out, outsz, "%s", code_of(f->codes, st, col));
        break;
    case MADI_F_DATE:
    case MADI_F_DUE_DATE:
        if (outsz >= 11)
            madi_format_date((int32_t)n, out);
        break;
    case MADI_F_PERSON_KEY:
        madi_format_person_key((uint64_t)n, out);
        break;
    case MADI_F_COUNT:
    case MADI_F_YEAR:
    case MADI_F_LEVEL:
    case MADI_F_AGE:
        (void)snprintf(out, outsz, "%lld", (long long)n);
        break;
    default:
        (void)snprintf(out, outsz, "%s", madi_stmt_text(st, col));
        break;
    }
}

/* Lines shown after the record: its consent, needs and referrals. Values in guarded memory
 * (they may hold decrypted notes). */
struct lines {
    char **label, **value;
    size_t n;
};

static void lines_add(struct lines *l, const char *label, const char *desc, const char *notes)
{
    size_t n = strlen(desc) + (notes ? strlen(notes) + 16 : 0) + 1;
    char *v = sodium_malloc(n);
    if (!v)
        abort();
    (void)snprintf(v, n, "%s%s%s", desc, notes ? "; notes: " : "", notes ? notes : "");
    l->label = xrealloc(l->label, (l->n + 1) * sizeof(*l->label));
    l->value = xrealloc(l->value, (l->n + 1) * sizeof(*l->value));
    l->label[l->n] = xstrdup(label);
    l->value[l->n++] = v;
}

static void lines_release(struct lines *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->label[i]);
        sodium_free(l->value[i]);
    }
    free(l->label);
    free(l->value);
}

static void ymd(struct madi_stmt *st, int col, char out[16])
{
    madi_format_date(int_or_0(st, col), out);
    if (!*out)
        (void)snprintf(out, 16, "-");
}

/* The survivor's consent, needs and referrals, notes decrypted (table's id in column 0, the
 * notes ciphertext in column `notes`, or -1). */
static int related(struct madi_store *s, const struct madi_key *k, const char *id, struct lines *l,
                   struct madi_err *err)
{
    static const char *const sql[3] = {
        "SELECT consent_id, scope, given, date FROM consent WHERE survivor_id = ? ORDER BY date, "
        "consent_id",
        "SELECT need_id, element, date_identified, status, notes FROM need WHERE survivor_id = ? "
        "ORDER BY need_id",
        "SELECT r.referral_id, o.code, r.to_provider, r.provider_type, r.date_referred, "
        "r.due_date, r.status, r.notes FROM referral r JOIN organisation o ON o.id = "
        "r.from_organisation_id WHERE r.survivor_id = ? ORDER BY r.referral_id",
    };
    static const char *const table[3] = { "consent", "need", "referral" };
    static const int notes_col[3] = { -1, 4, 7 };
    int rc = MADI_OK;
    for (int t = 0; t < 3 && !rc; t++) {
        struct madi_stmt *st = NULL;
        rc = madi_store_prepare(s, sql[t], &st, err);
        if (rc)
            break;
        madi_stmt_bind_text(st, 1, id, strlen(id));
        while ((rc = madi_stmt_step(st, err)) == MADI_STMT_ROW) {
            char label[96], desc[256], d1[16], d2[16];
            const char *rid = madi_stmt_text(st, 0);
            char *notes = NULL;
            size_t nn = 0;
            int nc = notes_col[t];
            if (nc >= 0 && !madi_stmt_is_null(st, nc) &&
                madi_privacy_decrypt(k, table[t], "notes", rid, strlen(rid), madi_stmt_text(st, nc),
                                     &notes, &nn)) {
                rc = madi_err_set(err, MADI_ECRYPTO,
                                  "%s %s: notes do not decrypt with this key; nothing was shown",
                                  table[t], rid);
                break;
            }
            (void)snprintf(label, sizeof(label), "%s %s", table[t], rid);
            if (t == 0) {
                ymd(st, 3, d1);
                (void)snprintf(desc, sizeof(desc), "%s %s, %s", code_of("consent_scope", st, 1),
                               madi_stmt_int(st, 2) == MADI_YES ? "given" : "refused", d1);
            } else if (t == 1) {
                ymd(st, 2, d1);
                (void)snprintf(desc, sizeof(desc), "%s, identified %s, %s",
                               code_of("va_element", st, 1), d1, code_of("need_status", st, 3));
            } else {
                ymd(st, 4, d1);
                ymd(st, 5, d2);
                (void)snprintf(desc, sizeof(desc), "from %s to %s (%s), %s, due %s, %s",
                               madi_stmt_text(st, 1), madi_stmt_text(st, 2),
                               code_of("provider_type", st, 3), d1, d2,
                               code_of("referral_status", st, 6));
            }
            lines_add(l, label, desc, notes);
            madi_privacy_plain_free(notes);
        }
        madi_stmt_finalize(st);
        rc = rc < 0 ? rc : MADI_OK;
    }
    return rc;
}

/* The survivor's own columns as lines (blank ones left out), personal ones decrypted. */
static int read_record(struct madi_store *s, const struct madi_key *k, const char *id,
                       struct lines *l, struct madi_err *err)
{
    const struct madi_kind *kind = madi_kind_find("survivor");
    struct madi_stmt *st = NULL;
    struct madi_buf sql;
    madi_buf_init(&sql, 0);
    (void)madi_buf_adds(&sql, "SELECT ");
    for (size_t f = 0; f < kind->nfields; f++) {
        if (f)
            (void)madi_buf_adds(&sql, ", ");
        select_field(&sql, &kind->fields[f]);
    }
    (void)madi_buf_adds(&sql, ", t.erased_at FROM survivor t WHERE t.survivor_id = ?");
    int rc = madi_store_prepare(s, sql.data, &st, err);
    if (rc)
        goto done;
    madi_stmt_bind_text(st, 1, id, strlen(id));
    rc = madi_stmt_step(st, err);
    if (rc == MADI_STMT_DONE)
        rc = madi_err_set(err, MADI_ENOTFOUND, "there is no survivor %s (see 'madi survivor list')",
                          id);
    if (rc < 0)
        goto done;
    rc = MADI_OK;
    int col = 0;
    for (size_t f = 0; f < kind->nfields && !rc; f++, col++) {
        const struct madi_field *fd = &kind->fields[f];
        char v[128], *plain = NULL;
        size_t n = 0;
        if (fd->type != MADI_F_PERSONAL) {
            format_field(st, col, fd, v, sizeof(v));
            if (*v)
                lines_add(l, fd->name, v, NULL);
        } else if (!madi_stmt_is_null(st, col)) {
            if (madi_privacy_decrypt(k, "survivor", fd->name, id, strlen(id),
                                     madi_stmt_text(st, col), &plain, &n))
                rc = madi_err_set(err, MADI_ECRYPTO,
                                  "survivor %s: %s does not decrypt with this key (the cell was "
                                  "altered or moved); nothing was shown",
                                  id, fd->name);
            else
                lines_add(l, fd->name, plain, NULL);
            madi_privacy_plain_free(plain);
        }
        if (fd->type == MADI_F_AGE_BAND)
            col++;
    }
    if (!rc && !madi_stmt_is_null(st, col))
        lines_add(l, "erased_at", madi_stmt_text(st, col), NULL);
done:
    madi_stmt_finalize(st);
    madi_buf_release(&sql);
    return rc;
}

int madi_survivor_show(struct madi_store *s, const struct madi_key *k, const char *id,
                       const char *reason, const char *actor,
                       void (*fn)(void *ctx, const char *field, const char *value), void *ctx,
                       struct madi_err *err)
{
    char what[96];
    struct lines l = { NULL, NULL, 0 };
    int rc = MADI_OK;
    if (!reason || !*reason)
        return madi_err_set(err, MADI_EINVAL,
                            "reading personal fields needs a reason (--reason TEXT), which goes "
                            "into the audit log");
    rc = madi_audit_reason_check(reason, "--reason", err);
    if (rc)
        return rc;
    rc = madi_privacy_check(s, k, err);
    if (rc)
        return rc;
    rc = madi_store_begin(s, err);
    if (rc)
        return rc;
    rc = read_record(s, k, id, &l, err);
    if (!rc)
        rc = related(s, k, id, &l, err);
    (void)snprintf(what, sizeof(what), "survivor %s", id);
    if (!rc)
        rc = madi_audit_append(s, actor, "show", what, reason, err);
    if (!rc)
        rc = madi_store_commit(s, err);
    if (rc)
        madi_store_rollback(s);
    for (size_t i = 0; !rc && i < l.n; i++) /* only once the read is on record */
        fn(ctx, l.label[i], l.value[i]);
    lines_release(&l);
    return rc;
}

/* ---- erase ---- */

static int exec_bound(struct madi_store *s, const char *sql, const char *id, struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    int rc = madi_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    madi_stmt_bind_text(st, 1, id, strlen(id));
    rc = madi_stmt_step(st, err);
    madi_stmt_finalize(st);
    return rc < 0 ? rc : MADI_OK;
}

/*
 * One record's personal fields, its needs' and referrals' notes, and its link keys; and what
 * would re-identify the person with other data: the exact age and birth year become the
 * canonical age band (0-4, 5-11, 12-17, 18-24, 25-59, 60+) of the age, or of the age at injury
 * from the birth year (a band given instead is kept: it is already a union of those bands); the
 * date of injury keeps its year only (yyyy-01-01); the casualty and incident ids and the Washington
 * Group answers go. Sex, disability, victim type, outcome and civilian status stay, for the counts.
 */
#define ERASE_AGE                                                                    \
    "coalesce(age, CASE WHEN birth_year IS NOT NULL AND date_of_injury IS NOT NULL " \
    "AND date_of_injury / 10000 >= birth_year THEN date_of_injury / 10000 - birth_year END)"
static int erase_one(struct madi_store *s, const char *id, const char *when, const char *reason,
                     const char *actor, struct madi_err *err)
{
    struct madi_stmt *up = NULL;
    char what[160];
    int rc = madi_store_prepare(
            s,
            "UPDATE survivor SET name = NULL, id_number = NULL, phone = NULL, address = NULL, "
            "home_location = NULL, notes = NULL, person_key = NULL, name_key = NULL, "
            "age_band_lo = CASE WHEN " ERASE_AGE " IS NULL THEN age_band_lo WHEN " ERASE_AGE
            " < 5 THEN 0 WHEN " ERASE_AGE " < 12 THEN 5 WHEN " ERASE_AGE
            " < 18 THEN 12 WHEN " ERASE_AGE " < 25 THEN 18 WHEN " ERASE_AGE
            " < 60 THEN 25 ELSE 60 END, "
            "age_band_hi = CASE WHEN " ERASE_AGE " IS NULL THEN age_band_hi WHEN " ERASE_AGE
            " < 5 THEN 4 WHEN " ERASE_AGE " < 12 THEN 11 WHEN " ERASE_AGE
            " < 18 THEN 17 WHEN " ERASE_AGE " < 25 THEN 24 WHEN " ERASE_AGE " < 60 THEN 59 END, "
            "age = NULL, birth_year = NULL, date_of_injury = date_of_injury / 10000 * 10000 + 101, "
            "casualty_id = NULL, incident_id = NULL, wg_seeing = NULL, wg_hearing = NULL, "
            "wg_walking = NULL, wg_remembering = NULL, wg_selfcare = NULL, wg_communicating = "
            "NULL, erased_at = ? WHERE survivor_id = ?",
            &up, err);
    if (rc)
        return rc;
    madi_stmt_bind_text(up, 1, when, strlen(when));
    madi_stmt_bind_text(up, 2, id, strlen(id));
    rc = madi_stmt_step(up, err);
    madi_stmt_finalize(up);
    rc = rc < 0 ? rc : MADI_OK;
    if (!rc)
        rc = exec_bound(s, "UPDATE need SET notes = NULL WHERE survivor_id = ?", id, err);
    if (!rc)
        rc = exec_bound(s, "UPDATE referral SET notes = NULL WHERE survivor_id = ?", id, err);
    (void)snprintf(what, sizeof(what), "survivor %s", id);
    if (!rc)
        rc = madi_audit_append(s, actor, "erase", what, reason, err);
    return rc;
}

int madi_survivor_erase(struct madi_store *s, const char *person, const char *reason,
                        const char *actor, int *n, struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    char **ids = NULL, when[32];
    size_t nids = 0;
    uint64_t key = 0;
    char why[64];
    int rc = MADI_OK, in_tx = 0;
    *n = 0;
    if (!reason || !*reason) {
        rc = madi_err_set(err, MADI_EINVAL,
                          "erasure needs a reason (--reason TEXT, e.g. the request's reference), "
                          "which goes into the audit log");
        goto done;
    }
    rc = madi_audit_reason_check(reason, "--reason", err);
    if (rc)
        goto done;
    int by_key =
            strlen(person) == 16 && madi_parse_person_key(person, 16, &key, why, sizeof(why)) == 0;
    rc = madi_store_begin(s, err);
    if (rc)
        goto done;
    in_tx = 1;
    rc = madi_store_prepare(s,
                            "SELECT survivor_id FROM survivor WHERE survivor_id = ? OR "
                            "(? AND person_key = ?) ORDER BY survivor_id",
                            &st, err);
    if (rc)
        goto done;
    madi_stmt_bind_text(st, 1, person, strlen(person));
    madi_stmt_bind_int(st, 2, by_key);
    madi_stmt_bind_int(st, 3, (int64_t)key);
    while ((rc = madi_stmt_step(st, err)) == MADI_STMT_ROW) {
        ids = xrealloc(ids, (nids + 1) * sizeof(*ids));
        ids[nids++] = xstrdup(madi_stmt_text(st, 0));
    }
    madi_stmt_finalize(st);
    st = NULL;
    if (rc < 0)
        goto done;
    if (!nids) {
        rc = madi_err_set(err, MADI_ENOTFOUND,
                          "no survivor record has the id or person key %s (see 'madi survivor "
                          "list')",
                          person);
        goto done;
    }
    madi_now_iso(when);
    /* Overwrite freed space, so the old ciphertext does not linger in the file's free pages. */
    rc = madi_store_exec(s, "PRAGMA secure_delete = ON", err);
    for (size_t i = 0; i < nids && !rc; i++)
        rc = erase_one(s, ids[i], when, reason, actor, err);
    if (!rc)
        rc = madi_store_commit(s, err);
    if (rc)
        goto done;
    in_tx = 0;
    *n = (int)nids;
    /* The old pages also sit in the write-ahead log until a checkpoint. */
    (void)madi_store_exec(s, "PRAGMA wal_checkpoint(TRUNCATE)", NULL);
done:
    if (in_tx)
        madi_store_rollback(s);
    madi_stmt_finalize(st);
    for (size_t i = 0; i < nids; i++)
        free(ids[i]);
    free(ids);
    return rc;
}

/* ---- referrals ---- */

int madi_referrals_list(struct madi_store *s, int32_t today, unsigned flags, const char *provider,
                        void (*fn)(void *ctx, const struct madi_referral_row *r), void *ctx,
                        struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    int rc = madi_store_prepare(
            s,
            "SELECT r.referral_id, r.survivor_id, r.need_id, o.code, r.to_provider, "
            "r.provider_type, r.status, r.outcome, (SELECT element FROM need n WHERE n.need_id = "
            "r.need_id), r.date_referred, r.due_date, r.outcome_date FROM referral r JOIN "
            "organisation o ON o.id = r.from_organisation_id WHERE (? IS NULL OR r.to_provider = "
            "? COLLATE NOCASE) AND (? = 0 OR (r.status NOT IN (4, 5) AND r.due_date IS NOT NULL AND r.due_date < "
            "?)) ORDER BY r.due_date IS NULL, r.due_date, r.referral_id",
            &st, err);
    if (rc)
        return rc;
    if (provider) {
        madi_stmt_bind_text(st, 1, provider, strlen(provider));
        madi_stmt_bind_text(st, 2, provider, strlen(provider));
    } else {
        madi_stmt_bind_null(st, 1);
        madi_stmt_bind_null(st, 2);
    }
    madi_stmt_bind_int(st, 3, (flags & MADI_REFERRALS_OVERDUE) != 0);
    madi_stmt_bind_int(st, 4, today);
    while ((rc = madi_stmt_step(st, err)) == MADI_STMT_ROW) {
        struct madi_referral_row r;
        r.referral_id = madi_stmt_text(st, 0);
        r.survivor_id = madi_stmt_text(st, 1);
        r.need_id = text_or_empty(st, 2);
        r.from = madi_stmt_text(st, 3);
        r.to_provider = madi_stmt_text(st, 4);
        r.provider_type = code_of("provider_type", st, 5);
        r.status = code_of("referral_status", st, 6);
        r.outcome = code_of("referral_outcome", st, 7);
        r.element = code_of("va_element", st, 8);
        r.date_referred = int_or_0(st, 9);
        r.due_date = int_or_0(st, 10);
        r.outcome_date = int_or_0(st, 11);
        int status = (int)madi_stmt_int(st, 6);
        r.days_overdue = r.due_date && status != STATUS_COMPLETED && status != STATUS_DECLINED &&
                                         r.due_date < today
                                 ? (int)(madi_date_days(today) - madi_date_days(r.due_date))
                                 : 0;
        fn(ctx, &r);
    }
    madi_stmt_finalize(st);
    return rc < 0 ? rc : MADI_OK;
}

/* ---- duplicates across operators ---- */

int madi_link_review(struct madi_store *s, void (*fn)(void *ctx, const struct madi_link_pair *p),
                     void *ctx, struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    /* Both halves join on an indexed key, so review stays fast with many survivors. The birth
     * year is the one given, else estimated from the age at the injury. */
#define BY(t) "coalesce(" t ".birth_year, " t ".date_of_injury / 10000 - " t ".age)"
    int rc = madi_store_prepare(
            s,
            "SELECT a.survivor_id, oa.code, b.survivor_id, ob.code, a.person_key, 1 FROM survivor "
            "a JOIN survivor b ON b.person_key = a.person_key AND b.id > a.id JOIN "
            "organisation oa ON oa.id = "
            "a.organisation_id JOIN organisation ob ON ob.id = b.organisation_id WHERE "
            "a.person_key IS NOT NULL AND a.erased_at IS NULL AND b.erased_at IS NULL "
            "UNION ALL "
            "SELECT a.survivor_id, oa.code, b.survivor_id, ob.code, 0, 0 FROM survivor a JOIN "
            "survivor b ON b.name_key = a.name_key AND b.id > a.id JOIN organisation oa ON oa.id "
            "= a.organisation_id JOIN "
            "organisation ob ON ob.id = b.organisation_id WHERE a.name_key IS NOT NULL AND "
            "a.erased_at IS NULL AND b.erased_at IS NULL AND (a.person_key IS NULL OR "
            "b.person_key IS NULL OR a.person_key <> b.person_key) AND (a.sex IS NULL OR b.sex IS "
            "NULL OR a.sex = 9 OR b.sex = 9 OR a.sex = b.sex) AND (" BY("a") " IS NULL OR " BY(
                    "b") " IS NULL OR abs(" BY("a") " - " BY("b") ") <= 1) ORDER BY 1, 3",
            &st, err);
#undef BY
    if (rc)
        return rc;
    while ((rc = madi_stmt_step(st, err)) == MADI_STMT_ROW) {
        struct madi_link_pair p;
        int same = (int)madi_stmt_int(st, 5);
        p.a = madi_stmt_text(st, 0);
        p.org_a = madi_stmt_text(st, 1);
        p.b = madi_stmt_text(st, 2);
        p.org_b = madi_stmt_text(st, 3);
        p.person_key = same ? (uint64_t)madi_stmt_int(st, 4) : 0;
        int one_org = strcmp(p.org_a, p.org_b) == 0;
        p.why = same && one_org ? "same person key, entered twice by one operator"
                : same          ? "same person key"
                : one_org       ? "same name, same sex, birth years at most 1 apart, one operator"
                                : "same name, same sex, birth years at most 1 apart";
        fn(ctx, &p);
    }
    madi_stmt_finalize(st);
    return rc < 0 ? rc : MADI_OK;
}

/* ---- closing the loop ---- */

enum { G_ALL, G_F, G_M, G_X, G_U, G_CHILD, G_ADULT, G_AGE_U, G_DIS, G_NODIS, G_DIS_U, NGROUPS };

struct days {
    int *v;
    size_t n;
};

static void days_add(struct days *d, int v)
{
    if (d->n % 32 == 0)
        d->v = xrealloc(d->v, (d->n + 32) * sizeof(*d->v));
    d->v[d->n++] = v;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int median(struct days *d)
{
    if (!d->n)
        return -1;
    qsort(d->v, d->n, sizeof(*d->v), cmp_int);
    return d->n % 2 ? d->v[d->n / 2] : (d->v[d->n / 2 - 1] + d->v[d->n / 2]) / 2;
}

/* The four groups (whole, sex, age, disability) of the row whose sex, age, band and disability
 * are in columns c..c+4. */
static void groups_of(struct madi_stmt *st, int c, int g[4])
{
    int sex = madi_stmt_is_null(st, c) ? MADI_UNKNOWN : (int)madi_stmt_int(st, c);
    g[0] = G_ALL;
    g[1] = sex == MADI_SEX_F ? G_F : sex == MADI_SEX_M ? G_M : sex == MADI_SEX_X ? G_X : G_U;
    int child = -1;
    if (!madi_stmt_is_null(st, c + 1))
        child = madi_stmt_int(st, c + 1) < 18;
    else if (!madi_stmt_is_null(st, c + 3) && madi_stmt_int(st, c + 3) < 18)
        child = 1;
    else if (!madi_stmt_is_null(st, c + 2) && madi_stmt_int(st, c + 2) >= 18)
        child = 0;
    g[2] = child < 0 ? G_AGE_U : child ? G_CHILD : G_ADULT;
    int dis = madi_stmt_is_null(st, c + 4) ? MADI_UNKNOWN : (int)madi_stmt_int(st, c + 4);
    g[3] = dis == MADI_YES ? G_DIS : dis == MADI_NO ? G_NODIS : G_DIS_U;
}

int madi_va_loop(struct madi_store *s, void (*fn)(void *ctx, const struct madi_va_group *g),
                 void *ctx, struct madi_err *err)
{
    static const char *const dim[NGROUPS] = { "all",        "sex",        "sex",       "sex",
                                              "sex",        "age",        "age",       "age",
                                              "disability", "disability", "disability" };
    static const char *const name[NGROUPS] = { "all", "F",       "M",   "X",  "U",      "under 18",
                                               "18+", "unknown", "yes", "no", "unknown" };
    struct madi_va_group g[NGROUPS];
    struct days first[NGROUPS], service[NGROUPS];
    struct madi_stmt *st = NULL;
    int gi[4];
    memset(g, 0, sizeof(g));
    memset(first, 0, sizeof(first));
    memset(service, 0, sizeof(service));
    int rc = madi_store_prepare(
            s,
            "SELECT s.sex, s.age, s.age_band_lo, s.age_band_hi, s.disability, s.date_of_injury, "
            "(SELECT min(r.outcome_date) FROM referral r WHERE r.survivor_id = s.survivor_id AND "
            "r.status = 4), (SELECT count(*) FROM need n WHERE n.survivor_id = s.survivor_id), "
            "(SELECT count(*) FROM need n WHERE n.survivor_id = s.survivor_id AND n.status IN (2, "
            "3)) FROM survivor s",
            &st, err);
    if (rc)
        goto done;
    while ((rc = madi_stmt_step(st, err)) == MADI_STMT_ROW) {
        groups_of(st, 0, gi);
        for (int i = 0; i < 4; i++) {
            struct madi_va_group *x = &g[gi[i]];
            x->survivors++;
            x->needs += (int)madi_stmt_int(st, 7);
            x->unmet += (int)madi_stmt_int(st, 8);
            if (!madi_stmt_is_null(st, 6)) {
                x->with_assistance++;
                if (!madi_stmt_is_null(st, 5))
                    days_add(&first[gi[i]], (int)(madi_date_days((int32_t)madi_stmt_int(st, 6)) -
                                                  madi_date_days((int32_t)madi_stmt_int(st, 5))));
            }
        }
    }
    madi_stmt_finalize(st);
    st = NULL;
    if (rc < 0)
        goto done;
    rc = madi_store_prepare(
            s,
            "SELECT s.sex, s.age, s.age_band_lo, s.age_band_hi, s.disability, r.date_referred, "
            "r.outcome_date FROM referral r JOIN survivor s ON s.survivor_id = r.survivor_id "
            "WHERE r.status = 4",
            &st, err);
    if (rc)
        goto done;
    while ((rc = madi_stmt_step(st, err)) == MADI_STMT_ROW) {
        groups_of(st, 0, gi);
        for (int i = 0; i < 4; i++) {
            g[gi[i]].referrals_completed++;
            if (!madi_stmt_is_null(st, 6))
                days_add(&service[gi[i]], (int)(madi_date_days((int32_t)madi_stmt_int(st, 6)) -
                                                madi_date_days((int32_t)madi_stmt_int(st, 5))));
        }
    }
    if (rc < 0)
        goto done;
    rc = MADI_OK;
    for (int i = 0; i < NGROUPS; i++) {
        g[i].dimension = dim[i];
        g[i].group = name[i];
        g[i].median_days_to_first = median(&first[i]);
        g[i].median_days_to_service = median(&service[i]);
        if (g[i].survivors || i == G_ALL)
            fn(ctx, &g[i]);
    }
done:
    madi_stmt_finalize(st);
    for (int i = 0; i < NGROUPS; i++) {
        free(first[i].v);
        free(service[i].v);
    }
    return rc;
}
