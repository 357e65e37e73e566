/*
 * survivor.h: victim assistance records once stored: survivors listed by pseudonym, one record
 * read with a stated reason, erasure on request, referral queues, suspected duplicates across
 * operators, and the loop-closing figures (time to assistance, unmet needs) by sex, age and
 * disability.
 *
 * Personal fields are read only through madi_survivor_show, which needs the centre's key and a
 * reason and writes an audit entry before anything is shown. Everything else here works without
 * the key and returns only pseudonymous keys and non-identifying fields.
 * Callbacks get borrowed strings, valid during the call. Not thread-safe; one store per thread.
 */
#ifndef MADI_SURVIVOR_H
#define MADI_SURVIVOR_H

#include <stdint.h>

#include "madi/err.h"
#include "madi/privacy.h"
#include "madi/store.h"

/* One survivor without personal fields. Codes are the code lists' canonical codes ("F"). */
struct madi_survivor_row {
    const char *survivor_id;
    uint64_t person_key; /* 0 when none (or erased) */
    const char *organisation;
    const char *victim_type, *outcome, *sex, *disability;
    int age;                /* -1 when not given */
    const char *age_band;   /* "25-59", or "" */
    int32_t date_of_injury; /* yyyymmdd, 0 when not given */
    int needs, unmet;       /* needs recorded; of them not met (unmet or partly met) */
    int erased;
};

/** Call fn for each survivor, in survivor_id order. */
int madi_survivor_list(struct madi_store *s,
                       void (*fn)(void *ctx, const struct madi_survivor_row *r), void *ctx,
                       struct madi_err *err);

/**
 * Decrypt and show survivor `id`: fn gets each column (canonical name) and its value as text
 * (blank ones are skipped), then one line per consent, need and referral of the survivor
 * ("need N-1": element, date, status, decrypted notes). Personal values are in guarded memory,
 * wiped after the call. The key
 * is checked first, then an audit entry (actor, "show", the id, reason) is committed, and only
 * then is anything shown. `reason` must not be empty (MADI_EINVAL). MADI_ENOTFOUND for an
 * unknown id; MADI_EDENIED for a wrong key; MADI_ECRYPTO when a cell does not decrypt.
 */
int madi_survivor_show(struct madi_store *s, const struct madi_key *k, const char *id,
                       const char *reason, const char *actor,
                       void (*fn)(void *ctx, const char *field, const char *value), void *ctx,
                       struct madi_err *err);

/**
 * Erase a person on request: `person` is a survivor_id or a 16-hex-digit person key (every
 * record with that key). Their personal fields (and their needs' and referrals' notes) and their
 * person key are removed; a tombstone with the non-identifying fields stays, so counts do not
 * change; the audit entry is written in the same transaction. *n gets the records erased.
 * MADI_ENOTFOUND when nothing matches; MADI_EINVAL for an empty reason.
 */
int madi_survivor_erase(struct madi_store *s, const char *person, const char *reason,
                        const char *actor, int *n, struct madi_err *err);

struct madi_referral_row {
    const char *referral_id, *survivor_id, *need_id, *from, *to_provider;
    const char *provider_type, *status, *outcome, *element; /* codes; "" when none */
    int32_t date_referred, due_date, outcome_date;          /* yyyymmdd, 0 when none */
    int days_overdue; /* > 0 when open and past due on `today` */
};

enum madi_referral_flags {
    MADI_REFERRALS_OVERDUE = 1 << 0 /* only open referrals (not completed or declined) past due */
};

/** Referrals, by due date then id; `provider` (to_provider, letter case aside; or NULL)
 * filters. */
int madi_referrals_list(struct madi_store *s, int32_t today, unsigned flags, const char *provider,
                        void (*fn)(void *ctx, const struct madi_referral_row *r), void *ctx,
                        struct madi_err *err);

/* Two survivor records that may be one person, from different organisations. */
struct madi_link_pair {
    const char *a, *org_a, *b, *org_b;
    uint64_t person_key; /* shared key, or 0 for a near match */
    const char *why;
};

/**
 * Suspected duplicates, across operators and within one (the same person entered twice): the
 * same person key, or the same normalised name with the same sex and birth years at most one
 * apart; `why` says which, and when both records come from one operator. Reported for review,
 * never merged. Erased records are left out.
 */
int madi_link_review(struct madi_store *s, void (*fn)(void *ctx, const struct madi_link_pair *p),
                     void *ctx, struct madi_err *err);

/* The loop-closing figures of one group of survivors. Days are medians; -1 when no data. */
struct madi_va_group {
    const char *dimension; /* "sex", "age", "disability", or "all" */
    const char *group;     /* "F", "under 18", "yes", ... */
    int survivors;
    int with_assistance;      /* with at least one completed referral */
    int median_days_to_first; /* injury to first completed referral's outcome */
    int referrals_completed;
    int median_days_to_service; /* referral to its outcome, completed ones */
    int needs, unmet;           /* needs recorded; not met */
};

/** Call fn for the whole and for each group by sex, age (under 18, 18+, unknown) and disability. */
int madi_va_loop(struct madi_store *s, void (*fn)(void *ctx, const struct madi_va_group *g),
                 void *ctx, struct madi_err *err);

#endif
