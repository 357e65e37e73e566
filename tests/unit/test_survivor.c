/*
 * Unit tests for the survivors module end to end through the public API: no plaintext name in
 * the database file or its WAL; no key or a wrong key refused with nothing changed; a referral
 * without consent refused at its line and column; the same person from two operators linked;
 * re-imports are no-ops; an import aborted at every write changes nothing; reading is audited;
 * erasure keeps the tombstone; rotation keeps the data readable and retires the old key;
 * sealed cells open; referral queues.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "madi/audit.h"
#include "madi/catalog.h"
#include "madi/import.h"
#include "madi/kind.h"
#include "madi/privacy.h"
#include "madi/store.h"
#include "madi/survivor.h"

#include "testutil.h"

static char dir[] = "/tmp/madi-test-survivor-XXXXXX";
static int dbno;

struct ctx {
    struct madi_store *s;
    struct madi_key *key;
    char db[300];
    char diags[8192];
    size_t len;
};

static void collect(void *p, const struct madi_diag *d)
{
    struct ctx *c = p;
    int n = snprintf(c->diags + c->len, sizeof(c->diags) - c->len, "%lu:%u:%s:%s\n", d->line,
                     d->col, d->level == MADI_DIAG_ERROR ? "E" : "W", d->msg);
    if (n > 0 && c->len + (size_t)n < sizeof(c->diags))
        c->len += (size_t)n;
}

static int group_setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int group_teardown(void **state)
{
    char cmd[128];
    (void)state;
    (void)snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd);
}

static const char *write_file(const char *name, const char *content)
{
    static char path[8][300];
    static int next;
    char *p = path[next++ % 8];
    (void)snprintf(p, 300, "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(content, 1, strlen(content), f), strlen(content));
    assert_int_equal(fclose(f), 0);
    return p;
}

/* An import with the test's options; `replace` is the batch to replace, or 0. */
static int import_replace(struct ctx *c, const char *path, const char *kind,
                          const struct madi_key *k, long fail_after, int64_t replace,
                          struct madi_import_result *res, struct madi_err *err)
{
    struct madi_import_opts o = { 0 };
    o.kind = kind;
    o.who = "tester";
    o.today = 20261123;
    o.on_diag = collect;
    o.diag_ctx = c;
    o.key = k;
    o.fail_after_writes = fail_after;
    o.replace_batch = replace;
    c->len = 0;
    c->diags[0] = '\0';
    madi_err_clear(err);
    return madi_import_file(c->s, path, &o, res, err);
}

static int import(struct ctx *c, const char *path, const char *kind, const struct madi_key *k,
                  long fail_after, struct madi_import_result *res, struct madi_err *err)
{
    return import_replace(c, path, kind, k, fail_after, 0, res, err);
}

static void ok(struct ctx *c, const char *name, const char *kind, const char *content)
{
    struct madi_import_result r;
    struct madi_err err;
    if (import(c, write_file(name, content), kind, c->key, 0, &r, &err) != MADI_OK)
        fail_msg("%s rejected: %s\n%s", name, err.msg, c->diags);
    assert_int_equal(r.status, MADI_IMPORT_STORED);
}

static int setup(void **state)
{
    struct ctx *c = calloc(1, sizeof(*c));
    struct madi_err err;
    if (!c)
        return -1;
    (void)snprintf(c->db, sizeof(c->db), "%s/s%d.db", dir, ++dbno);
    if (madi_catalog_open_or_create(c->db, &c->s, NULL, &err) || madi_key_generate(&c->key, &err) ||
        madi_privacy_init(c->s, c->key, "test", &err))
        return -1;
    *state = c;
    ok(c, "orgs.csv", "organisation", "code,name\nOP-A,Alpha\nOP-B,Beta\n");
    return 0;
}

static int teardown(void **state)
{
    struct ctx *c = *state;
    madi_store_close(c->s);
    madi_key_free(c->key);
    free(c);
    return 0;
}

/* Every row of the survivors' tables and the audit log, personal columns included. */
static int64_t fingerprint(struct madi_store *s)
{
    return (int64_t)(((uint64_t)test_fingerprint(s) * 31 +
                      (uint64_t)test_query_int(
                              s,
                              "SELECT (SELECT count(*) FROM survivor) * 7 + (SELECT "
                              "coalesce(sum(length(name)), 0) + count(person_key) FROM survivor) + "
                              "(SELECT count(*) FROM need) * 11 + (SELECT count(*) FROM referral) "
                              "* 13 + (SELECT count(*) FROM consent) * 17 + (SELECT count(*) FROM "
                              "audit_log) * 19")) >>
                     1);
}

static const char *const SURVIVORS =
        "survivor_id,name,organisation,victim_type,sex,age,birth_year,date_of_injury,phone\n"
        "S-A1,Zqxname Plaintexton,OP-A,direct,F,30,1994,2024-05-01,+000 555 0199\n"
        "S-A2,Zoe PRATT,OP-A,direct,F,34,1990,2024-06-01,\n"
        "S-A3,Karim Haddad,OP-A,direct,M,44,,2024-03-01,\n";
static const char *const SURVIVORS_B = "survivor_id,name,organisation,victim_type,sex,age,"
                                       "birth_year,date_of_injury\n"
                                       "S-B1,\"pratt,  zoé\",OP-B,direct,F,34,1990,2024-06-02\n"
                                       "S-B2,HADDAD Karim,OP-B,direct,M,,1981,2024-03-02\n";

static int contains(const char *path, const char *needle)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t cap = 1 << 20, n = 0, nl = strlen(needle);
    char *buf = malloc(cap);
    assert_non_null(buf);
    int found = 0;
    for (;;) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0 || n == cap) {
            for (size_t i = 0; i + nl <= n && !found; i++)
                found = memcmp(buf + i, needle, nl) == 0;
            if (got == 0 || found)
                break;
            memmove(buf, buf + n - nl, nl);
            n = nl;
        }
    }
    free(buf);
    (void)fclose(f);
    return found;
}

static void test_no_plaintext_on_disk(void **state)
{
    struct ctx *c = *state;
    char wal[320];
    ok(c, "s.csv", "survivor", SURVIVORS);
    (void)snprintf(wal, sizeof(wal), "%s-wal", c->db);
    assert_false(contains(c->db, "Plaintexton"));
    assert_false(contains(wal, "Plaintexton"));
    assert_false(contains(c->db, "555 0199"));
    assert_false(contains(wal, "555 0199"));
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM survivor WHERE name LIKE 'v1:%'"),
                     3);
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM survivor WHERE person_key IS "
                                          "NOT NULL"),
                     3); /* S-A3 from its age at the injury */
    /* Imported once, audited once; again is a no-op. */
    int64_t fp = fingerprint(c->s);
    struct madi_import_result r;
    struct madi_err err;
    assert_int_equal(import(c, write_file("s.csv", SURVIVORS), "survivor", c->key, 0, &r, &err),
                     MADI_OK);
    assert_int_equal(r.status, MADI_IMPORT_UNCHANGED);
    assert_int_equal(fingerprint(c->s), fp);
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM audit_log WHERE action = "
                                          "'import'"),
                     1);
}

static void test_no_key_or_wrong_key(void **state)
{
    struct ctx *c = *state;
    struct madi_import_result r;
    struct madi_err err;
    struct madi_key *wrong = NULL;
    int64_t fp = fingerprint(c->s);
    const char *p = write_file("s.csv", SURVIVORS);
    assert_int_equal(import(c, p, "survivor", NULL, 0, &r, &err), MADI_EDENIED);
    assert_non_null(strstr(err.msg, "madi keys init --db FILE"));
    assert_int_equal(fingerprint(c->s), fp);
    assert_int_equal(madi_key_generate(&wrong, &err), MADI_OK);
    assert_int_equal(import(c, p, "survivor", wrong, 0, &r, &err), MADI_EDENIED);
    assert_null(strstr(err.msg, "Plaintexton"));
    assert_null(strstr(c->diags, "Plaintexton"));
    assert_int_equal(fingerprint(c->s), fp);
    madi_key_free(wrong);
}

static void test_messages_never_quote_personal_values(void **state)
{
    struct ctx *c = *state;
    struct madi_import_result r;
    struct madi_err err;
    char text[800];
    memset(text, 'Q', sizeof(text) - 1);
    text[sizeof(text) - 1] = '\0';
    char file[1200];
    (void)snprintf(file, sizeof(file),
                   "survivor_id,name,organisation,victim_type,notes\nS-1,%s,OP-A,direct,\n"
                   "S-1,Zqx Secret,OP-A,direct,\n",
                   text);
    assert_int_equal(import(c, write_file("bad.csv", file), "survivor", c->key, 0, &r, &err),
                     MADI_EREJECTED);
    assert_non_null(strstr(c->diags, "2:2:E:is too long"));
    assert_null(strstr(c->diags, "QQQQ"));
    assert_null(strstr(c->diags, "Secret"));
}

/* Issue #7: a shifted row, a phone in the sex column, a file without a header: the messages name
 * the column and line, never the cell or the header, and give no alias hint. */
static void test_issue7_diagnostics_hide_values(void **state)
{
    struct ctx *c = *state;
    struct madi_import_result r;
    struct madi_err err;
    assert_int_equal(
            import(c,
                   write_file("shifted.csv",
                              "survivor_id,name,organisation,victim_type,sex,date_of_injury\n"
                              "S-1,Ada,Blenkinsop,OP-A,direct,\n"
                              "S-2,Bo Qwerty,OP-A,direct,0177 5550123,\n"
                              "S-5,Cy,OP-A,direct,F,2024-02-31\n"),
                   "survivor", c->key, 0, &r, &err),
            MADI_EREJECTED);
    /* organisation: column 3 of line 2; sex: column 5 of line 3. */
    assert_non_null(strstr(c->diags, "2:3:E:organisation the value is not in the organisation "
                                     "register"));
    assert_non_null(strstr(c->diags, "3:5:E:the value is not a code of 'sex'"));
    assert_non_null(strstr(c->diags, "(the value is not shown: this file holds personal data)"));
    assert_null(strstr(c->diags, "Blenkinsop"));
    assert_null(strstr(c->diags, "0177"));
    assert_null(strstr(c->diags, "direct'"));
    /* The date parser's reason quotes the date: not for this kind. Line 4, column 6. */
    assert_non_null(strstr(c->diags, "4:6:E:the value: not a real date from 1950 to today"));
    assert_null(strstr(c->diags, "2024-02-31"));

    assert_int_equal(import(c,
                            write_file("noheader.csv", "S-3,Quentin Marrowfield,OP-A,direct,M\n"
                                                       "S-4,Ann Other,OP-A,direct,F\n"),
                            "survivor", c->key, 0, &r, &err),
                     MADI_EREJECTED);
    assert_non_null(strstr(c->diags, "1:2:W:column 2 is not a column of survivor and is ignored "
                                     "(its header is not shown"));
    assert_null(strstr(c->diags, "Marrowfield"));
    assert_null(strstr(c->diags, "alias"));
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM column_alias"), 0);
}

struct shown {
    char text[2048];
};

static void on_field(void *ctx, const char *field, const char *value)
{
    struct shown *s = ctx;
    size_t l = strlen(s->text);
    (void)snprintf(s->text + l, sizeof(s->text) - l, "%s=%s\n", field, value);
}

static void test_referral_needs_consent(void **state)
{
    struct ctx *c = *state;
    struct madi_import_result r;
    struct madi_err err;
    ok(c, "s.csv", "survivor", SURVIVORS);
    ok(c, "n.csv", "need",
       "need_id,survivor_id,element,date_identified,assessed_by,status,notes\n"
       "N-1,S-A2,rehabilitation,2024-06-10,OP-A,unmet,prefers a female physiotherapist\n"
       "N-2,S-A3,legal,2024-06-10,OP-A,unmet,\n");
    const char *ref = "referral_id,survivor_id,need_id,from_organisation,to_provider,"
                      "provider_type,date_referred,due_date,status\n"
                      "R-1,S-A3,N-2,OP-A,op-a,internal,2024-06-11,2024-07-11,"
                      "accepted\n"
                      "R-2,S-A2,N-1,OP-A,REHAB-NORTH,health,2024-06-11,2024-07-11,proposed\n";
    int64_t fp = fingerprint(c->s);
    assert_int_equal(import(c, write_file("r.csv", ref), "referral", c->key, 0, &r, &err),
                     MADI_EREJECTED);
    assert_non_null(strstr(c->diags, "3:6:E:survivor 'S-A2' had not consented to sharing with "
                                     "health providers on the day of the referral"));
    assert_int_equal(r.errors, 1);
    assert_int_equal(fingerprint(c->s), fp);
    /* Consent withdrawn later counts: the latest record decides. */
    ok(c, "c.csv", "consent",
       "consent_id,survivor_id,scope,given,date,recorded_by\n"
       "C-1,S-A2,share_health,yes,2024-06-10,OP-A\n"
       "C-2,S-A2,share_health,no,2024-06-11,OP-A\n");
    assert_int_equal(import(c, write_file("r.csv", ref), "referral", c->key, 0, &r, &err),
                     MADI_EREJECTED);
    assert_non_null(strstr(c->diags, "3:6:E:survivor 'S-A2' had refused or withdrawn consent"));
    /* Issue #7: consent counts as of the referral's date: given the day after does not cover a
     * referral of 2024-06-11, but covers one of 2024-06-12. */
    ok(c, "c2.csv", "consent",
       "consent_id,survivor_id,scope,given,date,recorded_by\n"
       "C-3,S-A2,share_health,yes,2024-06-12,OP-A\n");
    assert_int_equal(import(c, write_file("r.csv", ref), "referral", c->key, 0, &r, &err),
                     MADI_EREJECTED);
    assert_non_null(strstr(c->diags, "3:6:E:survivor 'S-A2' had refused or withdrawn consent"));
    assert_int_equal(r.errors, 1);
    const char *ref12 = "referral_id,survivor_id,need_id,from_organisation,to_provider,"
                        "provider_type,date_referred,due_date,status\n"
                        "R-1,S-A3,N-2,OP-A,OP-A,internal,2024-06-11,2024-07-11,accepted\n"
                        "R-2,S-A2,N-1,OP-A,REHAB-NORTH,health,2024-06-12,2024-07-11,proposed\n";
    ok(c, "r12.csv", "referral", ref12);
    /* Issue #7: internal only to the referring organisation's own code. */
    assert_int_equal(import(c,
                            write_file("r3.csv", "referral_id,survivor_id,need_id,"
                                                 "from_organisation,to_provider,provider_type,"
                                                 "date_referred,status\n"
                                                 "R-5,S-A3,N-2,OP-A,OP-B,internal,2024-06-11,"
                                                 "proposed\n"),
                            "referral", c->key, 0, &r, &err),
                     MADI_EREJECTED);
    assert_non_null(strstr(c->diags, "2:6:E:provider_type internal is only for a referral within "
                                     "the referring organisation: to_provider must then be its "
                                     "own code OP-A"));
    assert_int_equal(r.errors, 1);
    /* Issue #7: a withdrawal imported later lists the open referral it leaves without consent. */
    struct madi_import_result cr;
    assert_int_equal(import(c,
                            write_file("c3.csv", "consent_id,survivor_id,scope,given,date,"
                                                 "recorded_by\n"
                                                 "C-4,S-A2,share_health,no,2024-06-20,OP-A\n"),
                            "consent", c->key, 0, &cr, &err),
                     MADI_OK);
    assert_int_equal(cr.warnings, 1);
    assert_non_null(strstr(c->diags, "0:0:W:referral R-2 of survivor S-A2 no longer has consent "
                                     "to sharing with health providers (withdrawn while the "
                                     "referral is open)"));
    /* A need of another survivor, an unknown survivor. */
    assert_int_equal(
            import(c,
                   write_file("r2.csv", "referral_id,survivor_id,need_id,from_organisation,"
                                        "to_provider,provider_type,date_referred,status\n"
                                        "R-3,S-A3,N-1,OP-A,OP-A,internal,2024-06-11,proposed\n"
                                        "R-4,S-ZZ,,OP-A,x,internal,2024-06-11,proposed\n"),
                   "referral", c->key, 0, &r, &err),
            MADI_EREJECTED);
    assert_non_null(strstr(c->diags, "2:3:E:need 'N-1' is another survivor's need"));
    assert_non_null(strstr(c->diags, "3:2:E:survivor the value is not known"));
    /* The record shows its consent, needs (notes decrypted) and referrals. */
    struct shown sh;
    memset(&sh, 0, sizeof(sh));
    assert_int_equal(madi_survivor_show(c->s, c->key, "S-A2", "review", "t", on_field, &sh, &err),
                     MADI_OK);
    assert_non_null(strstr(sh.text, "consent C-3=share_health given, 2024-06-12\n"));
    assert_non_null(strstr(sh.text, "need N-1=rehabilitation, identified 2024-06-10, unmet; "
                                    "notes: prefers a female physiotherapist\n"));
    assert_non_null(strstr(sh.text, "referral R-2=from OP-A to REHAB-NORTH (health), 2024-06-12, "
                                    "due 2024-07-11, proposed\n"));
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM need WHERE notes LIKE '%female%'"),
                     0);
}

struct queue {
    int n;
    char ids[4][16];
    int late[4];
};

static void on_referral(void *ctx, const struct madi_referral_row *r)
{
    struct queue *q = ctx;
    if (q->n < 4) {
        (void)snprintf(q->ids[q->n], sizeof(q->ids[0]), "%s", r->referral_id);
        q->late[q->n] = r->days_overdue;
    }
    q->n++;
}

static void test_referral_queues(void **state)
{
    struct ctx *c = *state;
    struct madi_err err;
    ok(c, "s.csv", "survivor", SURVIVORS);
    ok(c, "r.csv", "referral",
       "referral_id,survivor_id,from_organisation,to_provider,provider_type,date_referred,"
       "due_date,status\n"
       "R-1,S-A3,OP-A,OP-A,internal,2024-06-11,2024-07-11,accepted\n"
       "R-2,S-A2,OP-A,OP-A,internal,2024-06-11,2024-07-01,completed\n"
       "R-3,S-A1,OP-B,OP-B,internal,2024-06-11,2024-08-30,proposed\n");
    struct queue q;
    memset(&q, 0, sizeof(q));
    /* 2024-07-20: R-1 is 9 days past 2024-07-11; R-2 is done; R-3 not yet due. */
    assert_int_equal(madi_referrals_list(c->s, 20240720, MADI_REFERRALS_OVERDUE, NULL, on_referral,
                                         &q, &err),
                     MADI_OK);
    assert_int_equal(q.n, 1);
    assert_string_equal(q.ids[0], "R-1");
    assert_int_equal(q.late[0], 9);
    memset(&q, 0, sizeof(q));
    assert_int_equal(madi_referrals_list(c->s, 20240720, 0, "OP-B", on_referral, &q, &err),
                     MADI_OK);
    assert_int_equal(q.n, 1);
    assert_string_equal(q.ids[0], "R-3");
    /* Issue #7: --provider ignores letter case. */
    memset(&q, 0, sizeof(q));
    assert_int_equal(madi_referrals_list(c->s, 20240720, 0, "op-b", on_referral, &q, &err),
                     MADI_OK);
    assert_int_equal(q.n, 1);
    assert_string_equal(q.ids[0], "R-3");
}

struct pairs {
    int n, same;
    char text[512];
};

static void on_pair(void *ctx, const struct madi_link_pair *p)
{
    struct pairs *x = ctx;
    size_t l = strlen(x->text);
    (void)snprintf(x->text + l, sizeof(x->text) - l, "%s/%s %s/%s %d\n", p->a, p->org_a, p->b,
                   p->org_b, p->person_key != 0);
    x->n++;
    x->same += p->person_key != 0;
}

static void test_linkage_across_operators(void **state)
{
    struct ctx *c = *state;
    struct madi_err err;
    struct pairs x;
    memset(&x, 0, sizeof(x));
    ok(c, "s.csv", "survivor", SURVIVORS);
    ok(c, "b.csv", "survivor", SURVIVORS_B);
    assert_int_equal(madi_link_review(c->s, on_pair, &x, &err), MADI_OK);
    /* Zoe: same key. Karim: 2024 - 44 = 1980 against 1981, one year apart: a near match. */
    assert_string_equal(x.text, "S-A2/OP-A S-B1/OP-B 1\nS-A3/OP-A S-B2/OP-B 0\n");
    assert_int_equal(test_query_int(c->s,
                                    "SELECT count(*) FROM survivor WHERE survivor_id IN ('S-A2', "
                                    "'S-B1')"),
                     2); /* reported, never merged */
    /* Issue #7: one operator entering the same person twice (decomposed accent in one). */
    ok(c, "twice.csv", "survivor",
       "survivor_id,name,organisation,victim_type,sex,birth_year\n"
       "S-C1,Qzre\xcc\x81 Dupont,OP-B,direct,M,1970\n"
       "S-C2,QZRE DUPONT,OP-B,direct,M,1970\n");
    memset(&x, 0, sizeof(x));
    assert_int_equal(madi_link_review(c->s, on_pair, &x, &err), MADI_OK);
    assert_string_equal(x.text, "S-A2/OP-A S-B1/OP-B 1\nS-A3/OP-A S-B2/OP-B 0\n"
                                "S-C1/OP-B S-C2/OP-B 1\n");
}

static void test_failure_injection(void **state)
{
    struct ctx *c = *state;
    struct madi_import_result r;
    struct madi_err err;
    const char *p = write_file("s.csv", SURVIVORS);
    int64_t fp = fingerprint(c->s);
    int stored = 0;
    for (long n = 1; n < 100 && !stored; n++) {
        int rc = import(c, p, "survivor", c->key, n, &r, &err);
        if (rc == MADI_OK) {
            stored = 1;
            break;
        }
        assert_int_equal(fingerprint(c->s), fp);
    }
    assert_true(stored);
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM survivor"), 3);
}

static void test_show_erase_rotate(void **state)
{
    struct ctx *c = *state;
    struct madi_err err;
    struct shown sh;
    struct madi_key *wrong = NULL, *newk = NULL;
    struct madi_audit_report rep;
    int n = 0;
    ok(c, "s.csv", "survivor", SURVIVORS);
    ok(c, "b.csv", "survivor", SURVIVORS_B);
    int64_t audits = test_query_int(c->s, "SELECT count(*) FROM audit_log");
    memset(&sh, 0, sizeof(sh));
    assert_int_equal(madi_survivor_show(c->s, c->key, "S-A1", "", "t", on_field, &sh, &err),
                     MADI_EINVAL);
    assert_int_equal(madi_key_generate(&wrong, &err), MADI_OK);
    assert_int_equal(madi_survivor_show(c->s, wrong, "S-A1", "check", "t", on_field, &sh, &err),
                     MADI_EDENIED);
    assert_int_equal(madi_survivor_show(c->s, c->key, "S-NO", "check", "t", on_field, &sh, &err),
                     MADI_ENOTFOUND);
    assert_string_equal(sh.text, "");
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM audit_log"), audits);
    assert_int_equal(
            madi_survivor_show(c->s, c->key, "S-A1", "home visit", "ana", on_field, &sh, &err),
            MADI_OK);
    assert_non_null(strstr(sh.text, "name=Zqxname Plaintexton\n"));
    assert_non_null(strstr(sh.text, "phone=+000 555 0199\n"));
    assert_non_null(strstr(sh.text, "birth_year=1994\n"));
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM audit_log WHERE action = 'show' "
                                          "AND actor = 'ana' AND reason = 'home visit' AND "
                                          "object = 'survivor S-A1'"),
                     1);
    /* Rotation: still readable with the new key; the old one is refused. A rotation that fails
     * at any write changes nothing. */
    assert_int_equal(madi_key_rotated(c->key, &newk, &err), MADI_OK);
    assert_int_equal(madi_privacy_rotate(c->s, wrong, newk, "t", &err), MADI_EDENIED);
    int64_t fp = fingerprint(c->s);
    for (long w = 1; w <= 3; w++) {
        madi_store_fail_after(c->s, w);
        assert_int_equal(madi_privacy_rotate(c->s, c->key, newk, "t", &err), MADI_EIO);
        madi_store_fail_after(c->s, 0);
        assert_int_equal(fingerprint(c->s), fp);
        assert_int_equal(madi_privacy_check(c->s, c->key, &err), MADI_OK);
    }

    assert_int_equal(madi_privacy_rotate(c->s, c->key, newk, "t", &err), MADI_OK);
    memset(&sh, 0, sizeof(sh));
    assert_int_equal(madi_survivor_show(c->s, c->key, "S-A1", "check", "t", on_field, &sh, &err),
                     MADI_EDENIED);
    assert_int_equal(madi_survivor_show(c->s, newk, "S-A1", "check", "t", on_field, &sh, &err),
                     MADI_OK);
    assert_non_null(strstr(sh.text, "name=Zqxname Plaintexton\n"));
    /* Person keys survive rotation: Zoe is still linked. */
    assert_int_equal(test_query_int(c->s, "SELECT count(DISTINCT person_key) FROM survivor WHERE "
                                          "survivor_id IN ('S-A2', 'S-B1')"),
                     1);
    /* Erasure by person key: both of Zoe's records, tombstones kept. */
    char hex[17];
    madi_format_person_key((uint64_t)test_query_int(c->s, "SELECT person_key FROM survivor WHERE "
                                                          "survivor_id = 'S-A2'"),
                           hex);
    assert_int_equal(madi_survivor_erase(c->s, hex, "", "t", &n, &err), MADI_EINVAL);
    assert_int_equal(madi_survivor_erase(c->s, hex, "request 12", "ana", &n, &err), MADI_OK);
    assert_int_equal(n, 2);
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM survivor"), 5);
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM survivor WHERE erased_at IS NOT "
                                          "NULL AND name IS NULL AND person_key IS NULL AND sex = "
                                          "1"),
                     2);
    assert_int_equal(madi_survivor_erase(c->s, "S-NONE", "req", "t", &n, &err), MADI_ENOTFOUND);
    memset(&sh, 0, sizeof(sh));
    assert_int_equal(madi_survivor_show(c->s, newk, "S-B1", "check", "t", on_field, &sh, &err),
                     MADI_OK);
    assert_null(strstr(sh.text, "name="));
    assert_non_null(strstr(sh.text, "erased_at="));
    assert_int_equal(madi_audit_verify(c->s, &rep, &err), MADI_OK);
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM audit_log WHERE action = "
                                          "'erase'"),
                     2);
    madi_key_free(wrong);
    madi_key_free(newk);
}

static void test_sealed_file(void **state)
{
    struct ctx *c = *state;
    struct madi_err err;
    char pub[65], out[320];
    struct shown sh;
    madi_key_public_hex(c->key, pub);
    const char *in = write_file("plain.csv", SURVIVORS);
    (void)snprintf(out, sizeof(out), "%s/sealed.csv", dir);
    (void)unlink(out);
    size_t nsealed = 0;
    assert_int_equal(
            madi_privacy_seal_csv(pub, madi_kind_find("survivor"), in, out, &nsealed, &err),
            MADI_OK);
    assert_int_equal(nsealed, 4); /* three names and one phone */
    assert_false(contains(out, "Plaintexton"));
    assert_false(contains(out, "555 0199"));
    assert_true(contains(out, "S-A1,sealed:"));
    assert_int_equal(madi_privacy_seal_csv(pub, madi_kind_find("survivor"), in, out, NULL, &err),
                     MADI_EIO); /* never overwrites */
    struct madi_import_result r;
    if (import(c, out, "survivor", c->key, 0, &r, &err) != MADI_OK)
        fail_msg("sealed file rejected: %s\n%s", err.msg, c->diags);
    memset(&sh, 0, sizeof(sh));
    assert_int_equal(madi_survivor_show(c->s, c->key, "S-A1", "check", "t", on_field, &sh, &err),
                     MADI_OK);
    assert_non_null(strstr(sh.text, "name=Zqxname Plaintexton\n"));
    /* The same person key as from a plain file. */
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM survivor WHERE person_key IS NOT "
                                          "NULL"),
                     3);
}

/* Issue #7: sealing reads the header as the import does (a title line, aliases, letter case and
 * spacing, an HXL row), a data row starting with '#' is still sealed, and a file where no
 * personal column is recognised is refused rather than sent in clear. */
static void test_issue7_seal_as_import_maps(void **state)
{
    struct ctx *c = *state;
    struct madi_err err;
    char pub[65], out[320];
    size_t nsealed = 99;
    madi_key_public_hex(c->key, pub);
    const char *in = write_file(
            "titled.csv",
            "Survivors, North region\n"
            "Survivor ID, FULL NAME ,organisation,victim_type,sex,age,Telephone\n"
            "#affected+id,#affected+name,#org,#affected+type,#affected+sex,#affected+age,"
            "#contact+phone\n"
            "S-T1,Qzyname Marrowtext,OP-A,direct,F,30,0177 5550\n"
            "S-T2,#Hashname Qzyb,OP-A,direct,M,40,\n");
    (void)snprintf(out, sizeof(out), "%s/titled.sealed.csv", dir);
    (void)unlink(out);
    assert_int_equal(
            madi_privacy_seal_csv(pub, madi_kind_find("survivor"), in, out, &nsealed, &err),
            MADI_OK);
    assert_int_equal(nsealed, 3); /* two names, one phone; the blank phone stays blank */
    assert_false(contains(out, "Marrowtext"));
    assert_false(contains(out, "0177"));
    assert_false(contains(out, "Hashname"));
    assert_true(contains(out, "Survivors, North region"));
    assert_true(contains(out, "#affected+id,#affected+name,"));
    assert_true(contains(out, "S-T2,sealed:"));
    struct madi_import_result r;
    if (import(c, out, "survivor", c->key, 0, &r, &err) != MADI_OK)
        fail_msg("sealed file rejected: %s\n%s", err.msg, c->diags);
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM survivor WHERE survivor_id IN "
                                          "('S-T1', 'S-T2') AND name LIKE 'v1:%'"),
                     2);

    /* No header the import would recognise: refused, and no file left behind. */
    in = write_file("noheader.csv", "S-T3,Quentin Marrowfield,OP-A,direct,M,40\n");
    (void)snprintf(out, sizeof(out), "%s/noheader.sealed.csv", dir);
    (void)unlink(out);
    assert_int_equal(
            madi_privacy_seal_csv(pub, madi_kind_find("survivor"), in, out, &nsealed, &err),
            MADI_EINVAL);
    assert_non_null(strstr(err.msg, "nothing would be sealed"));
    assert_null(strstr(err.msg, "Marrowfield"));
    assert_int_equal(access(out, F_OK), -1);

    /* A sealed cell that opens to bytes that are not UTF-8 is refused at its line and column, as
     * the reader refuses such a plain cell. */
    char *bad = NULL, file[1024];
    assert_int_equal(madi_privacy_seal(pub, "Qz\xff\xfe", 4, &bad, &err), MADI_OK);
    (void)snprintf(file, sizeof(file),
                   "survivor_id,name,organisation,victim_type\nS-T4,%s,OP-A,direct\n", bad);
    free(bad);
    struct madi_import_result r2;
    assert_int_equal(import(c, write_file("badutf.csv", file), "survivor", c->key, 0, &r2, &err),
                     MADI_EREJECTED);
    assert_non_null(strstr(c->diags, "2:2:E:this sealed cell opens, but what is inside is not "
                                     "UTF-8 text"));
}

/* Correction: a corrected file replaces the batch (needs still point at their survivors); it
 * cannot bring back what was erased, nor drop a survivor others refer to. */
static void test_correction_by_replace(void **state)
{
    struct ctx *c = *state;
    struct madi_import_result r;
    struct madi_err err;
    struct madi_import_opts o = { 0 };
    struct shown sh;
    int n = 0;
    ok(c, "s.csv", "survivor", SURVIVORS);
    ok(c, "n.csv", "need",
       "need_id,survivor_id,element,date_identified,assessed_by\n"
       "N-1,S-A2,rehabilitation,2024-06-10,OP-A\n");
    assert_int_equal(madi_survivor_erase(c->s, "S-A1", "request 3", "t", &n, &err), MADI_OK);
    int64_t batch = test_query_int(c->s, "SELECT batch_id FROM survivor WHERE survivor_id = "
                                         "'S-A2'");
    o.kind = "survivor";
    o.who = "t";
    o.today = 20261123;
    o.on_diag = collect;
    o.diag_ctx = c;
    o.key = c->key;
    o.replace_batch = batch;
    int64_t fp = fingerprint(c->s);
    /* The erased record with its name again; a survivor with a need left out. */
    c->len = 0;
    c->diags[0] = '\0';
    assert_int_equal(madi_import_file(c->s,
                                      write_file("fix1.csv",
                                                 "survivor_id,name,organisation,victim_type,sex\n"
                                                 "S-A1,Zqxname Plaintexton,OP-A,direct,F\n"
                                                 "S-A3,Karim Haddad,OP-A,direct,M\n"),
                                      &o, &r, &err),
                     MADI_EREJECTED);
    assert_non_null(strstr(c->diags, "2:2:E:this survivor's personal data was erased on request"));
    assert_non_null(strstr(c->diags, "0:0:E:survivor 'S-A2' is not in the corrected file, but "
                                     "need N-1 refers to it"));
    assert_null(strstr(c->diags, "Plaintexton"));
    assert_int_equal(fingerprint(c->s), fp);
    /* The right correction: S-A1 stays erased, S-A2's name is corrected. */
    c->len = 0;
    assert_int_equal(
            madi_import_file(c->s,
                             write_file("fix2.csv", "survivor_id,name,organisation,victim_type,sex,"
                                                    "birth_year\n"
                                                    "S-A1,,OP-A,direct,F,\n"
                                                    "S-A2,Zoe Pratt-Smith,OP-A,direct,F,1990\n"
                                                    "S-A3,Karim Haddad,OP-A,direct,M,\n"),
                             &o, &r, &err),
            MADI_OK);
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM survivor WHERE survivor_id = "
                                          "'S-A1' AND erased_at IS NOT NULL AND person_key IS "
                                          "NULL"),
                     1);
    memset(&sh, 0, sizeof(sh));
    assert_int_equal(madi_survivor_show(c->s, c->key, "S-A2", "check", "t", on_field, &sh, &err),
                     MADI_OK);
    assert_non_null(strstr(sh.text, "name=Zoe Pratt-Smith\n"));
    assert_non_null(strstr(sh.text, "need N-1="));
    struct madi_audit_report rep;
    assert_int_equal(madi_audit_verify(c->s, &rep, &err), MADI_OK);
}

/* Issue #7: erasure also coarsens what would re-identify the person: exact age and birth year
 * become the canonical age band, the date of injury keeps its year, the casualty and incident
 * ids and the WG answers go; sex, disability, victim type and outcome stay for the counts. */
static void test_issue7_erase_coarsens(void **state)
{
    struct ctx *c = *state;
    struct madi_err err;
    int n = 0;
    ok(c, "e.csv", "survivor",
       "survivor_id,name,casualty_id,incident_id,organisation,victim_type,outcome,sex,age,"
       "age_band,birth_year,date_of_injury,disability,wg_seeing\n"
       "S-E1,Ann Qz,C-1,ACC-1,OP-A,direct,injured,F,30,,1994,2024-05-17,yes,3\n"
       "S-E2,Bo Qz,,,OP-A,direct,killed,M,,0-17,,2023-08-02,no,1\n"
       "S-E3,Cy Qz,,ACC-3,OP-A,indirect,,F,,,1964,2024-02-29,,\n");
    const char *kept = "SELECT sum(coalesce(sex, 0) * 1000 + coalesce(disability, 0) * 100 + "
                       "victim_type * 10 + coalesce(outcome, 0)) FROM survivor WHERE survivor_id "
                       "LIKE 'S-E%'";
    int64_t before = test_query_int(c->s, kept);
    for (int i = 1; i <= 3; i++) {
        char id[8];
        (void)snprintf(id, sizeof(id), "S-E%d", i);
        assert_int_equal(madi_survivor_erase(c->s, id, "request 9", "t", &n, &err), MADI_OK);
    }
    assert_int_equal(test_query_int(c->s, kept), before);
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM survivor WHERE survivor_id LIKE "
                                          "'S-E%' AND age IS NULL AND birth_year IS NULL AND "
                                          "casualty_id IS NULL AND incident_id IS NULL AND "
                                          "wg_seeing IS NULL AND date_of_injury % 10000 = 101"),
                     3);
    /* Age 30: 25-59, injured 2024-05-17: 2024-01-01. */
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM survivor WHERE survivor_id = "
                                          "'S-E1' AND age_band_lo = 25 AND age_band_hi = 59 AND "
                                          "date_of_injury = 20240101"),
                     1);
    /* The band 0-17 given is kept as it is; injured 2023: 2023-01-01. */
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM survivor WHERE survivor_id = "
                                          "'S-E2' AND age_band_lo = 0 AND age_band_hi = 17 AND "
                                          "date_of_injury = 20230101"),
                     1);
    /* Born 1964, injured 2024: 60 at injury, 60+ (no upper end). */
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM survivor WHERE survivor_id = "
                                          "'S-E3' AND age_band_lo = 60 AND age_band_hi IS NULL AND "
                                          "date_of_injury = 20240101"),
                     1);
}

/* Issue #7: an erasure is not undone through needs and referrals: notes on a need or referral of
 * an erased survivor are refused, in a new file and in a replaced batch. */
static void test_issue7_erased_needs_referrals(void **state)
{
    struct ctx *c = *state;
    struct madi_import_result r;
    struct madi_err err;
    int n = 0;
    ok(c, "s.csv", "survivor", SURVIVORS);
    ok(c, "n.csv", "need",
       "need_id,survivor_id,element,date_identified,assessed_by,notes\n"
       "N-1,S-A1,rehabilitation,2024-06-10,OP-A,\n");
    int64_t nbatch = test_query_int(c->s, "SELECT batch_id FROM need WHERE need_id = 'N-1'");
    assert_int_equal(madi_survivor_erase(c->s, "S-A1", "request 4", "t", &n, &err), MADI_OK);
    int64_t fp = fingerprint(c->s);
    /* A new need with notes: refused at line 2, column 6 (notes). */
    assert_int_equal(import(c,
                            write_file("n2.csv", "need_id,survivor_id,element,date_identified,"
                                                 "assessed_by,notes\n"
                                                 "N-2,S-A1,legal,2024-07-10,OP-A,lives by the "
                                                 "Qzmill\n"),
                            "need", c->key, 0, &r, &err),
                     MADI_EREJECTED);
    assert_non_null(strstr(c->diags, "2:6:E:survivor 'S-A1''s personal data was erased on "
                                     "request: this need cannot carry notes again"));
    assert_int_equal(r.errors, 1);
    /* A new referral with notes: column 9. */
    assert_int_equal(import(c,
                            write_file("r2.csv", "referral_id,survivor_id,need_id,"
                                                 "from_organisation,to_provider,provider_type,"
                                                 "date_referred,status,notes\n"
                                                 "R-9,S-A1,N-1,OP-A,OP-A,internal,2024-07-11,"
                                                 "proposed,Qzmill again\n"),
                            "referral", c->key, 0, &r, &err),
                     MADI_EREJECTED);
    assert_non_null(strstr(c->diags, "2:9:E:survivor 'S-A1''s personal data was erased on "
                                     "request: this referral cannot carry notes again"));
    /* The need batch replaced by a file that brings the notes back: refused too. */
    assert_int_equal(import_replace(c,
                                    write_file("n3.csv", "need_id,survivor_id,element,"
                                                         "date_identified,assessed_by,notes\n"
                                                         "N-1,S-A1,rehabilitation,2024-06-10,"
                                                         "OP-A,Qzmill\n"),
                                    "need", c->key, 0, nbatch, &r, &err),
                     MADI_EREJECTED);
    assert_non_null(strstr(c->diags, "2:6:E:survivor 'S-A1''s personal data was erased"));
    assert_null(strstr(c->diags, "Qzmill"));
    assert_int_equal(fingerprint(c->s), fp);
    /* Without notes, the need is accepted. */
    ok(c, "n4.csv", "need",
       "need_id,survivor_id,element,date_identified,assessed_by,notes\n"
       "N-5,S-A1,legal,2024-07-10,OP-A,\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_no_plaintext_on_disk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_key_or_wrong_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_messages_never_quote_personal_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_issue7_diagnostics_hide_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_referral_needs_consent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_referral_queues, setup, teardown),
        cmocka_unit_test_setup_teardown(test_linkage_across_operators, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failure_injection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_show_erase_rotate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sealed_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_issue7_seal_as_import_maps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_correction_by_replace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_issue7_erased_needs_referrals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_issue7_erase_coarsens, setup, teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
