/*
 * Unit tests for import.c through the public API: every kind's example imports, re-imports are
 * no-ops, rejected files change nothing, an import aborted at every write leaves the database
 * unchanged, replacement, identical keyless rows, HXL and alias mapping, kind recognition.
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
#include <sodium.h>

#include "madi/catalog.h"
#include "madi/import.h"
#include "madi/kind.h"
#include "madi/privacy.h"
#include "madi/store.h"

#include "testutil.h"

static char dir[] = "/tmp/madi-test-import-XXXXXX";

struct ctx {
    struct madi_store *s;
    struct madi_key *key; /* the database's key, for the survivors' kinds */
    char diags[16384];
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
    (void)state;
    char cmd[128];
    (void)snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd);
}

static int setup(void **state)
{
    struct ctx *c = calloc(1, sizeof(*c));
    struct madi_err err;
    if (!c || madi_catalog_open_or_create(":memory:", &c->s, NULL, &err))
        return -1;
    if (madi_key_generate(&c->key, &err) || madi_privacy_init(c->s, c->key, "test", &err))
        return -1;
    *state = c;
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

static const char *write_file(const char *name, const char *content)
{
    static char path[8][256];
    static int next;
    char *p = path[next++ % 8];
    (void)snprintf(p, 256, "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(content, 1, strlen(content), f), strlen(content));
    assert_int_equal(fclose(f), 0);
    return p;
}

static int import(struct ctx *c, const char *path, const char *kind, unsigned flags,
                  int64_t replace, struct madi_import_result *res)
{
    struct madi_import_opts o = { 0 };
    struct madi_err err;
    o.kind = kind;
    o.who = "test";
    o.flags = flags;
    o.replace_batch = replace;
    o.today = 20261123;
    o.on_diag = collect;
    o.diag_ctx = c;
    o.key = c->key;
    c->len = 0;
    c->diags[0] = '\0';
    return madi_import_file(c->s, path, &o, res, &err);
}

static const char *const REGISTERS = "code,name\nOP-A,Alpha\nOP-B,Beta\n";
static const char *const AREAS = "code,name,level,parent\nXX,Country,0,\nXX01,North,1,XX\n";

static void load_registers(struct ctx *c)
{
    struct madi_import_result r;
    assert_int_equal(import(c, write_file("orgs.csv", REGISTERS), NULL, 0, 0, &r), MADI_OK);
    assert_int_equal(import(c, write_file("areas.csv", AREAS), NULL, 0, 0, &r), MADI_OK);
}

/* Every kind's --example imports as it is, in the order kinds are listed; again is a no-op. */
static void test_examples_import(void **state)
{
    struct ctx *c = *state;
    for (const struct madi_kind *k = madi_kinds; k->name; k++) {
        char name[64];
        (void)snprintf(name, sizeof(name), "%s.csv", k->name);
        const char *p = write_file(name, "");
        FILE *f = fopen(p, "w");
        assert_non_null(f);
        assert_int_equal(madi_kind_write_template(k, MADI_TEMPLATE_EXAMPLE, f), MADI_OK);
        assert_int_equal(fclose(f), 0);
        struct madi_import_result r;
        int rc = import(c, p, k->name, 0, 0, &r);
        if (rc != MADI_OK)
            fail_msg("example of %s rejected:\n%s", k->name, c->diags);
        assert_int_equal(r.status, MADI_IMPORT_STORED);
        assert_true(r.rows >= 1);
        int64_t fp = test_fingerprint(c->s);
        assert_int_equal(import(c, p, k->name, 0, 0, &r), MADI_OK);
        assert_int_equal(r.status, MADI_IMPORT_UNCHANGED);
        assert_int_equal(test_fingerprint(c->s), fp);
    }
}

static void test_blank_zero_unknown_partial(void **state)
{
    struct ctx *c = *state;
    struct madi_import_result r;
    load_registers(c);
    const char *p = write_file("partial.csv",
                               "session_id,date,organisation,area,participants,girls,boys,women,"
                               "men,sex_age_unknown\n"
                               "S-1,2025-01-02,OP-A,XX01,120,,,70,45,\n"
                               "S-2,2025-01-02,OP-A,XX01,10,0,0,5,5,0\n");
    assert_int_equal(import(c, p, "eore", 0, 0, &r), MADI_OK);
    /* 120 kept with the parts; the 5 without known sex stay derivable, not stored as 0. */
    assert_int_equal(
            test_query_int(c->s, "SELECT participants FROM eore_session WHERE session_id = 'S-1'"),
            120);
    assert_int_equal(
            test_query_int(c->s, "SELECT count(*) FROM eore_session WHERE session_id = 'S-1' AND "
                                 "girls IS NULL AND sex_age_unknown IS NULL"),
            1);
    assert_int_equal(
            test_query_int(c->s, "SELECT count(*) FROM eore_session WHERE session_id = 'S-2' AND "
                                 "girls = 0 AND sex_age_unknown = 0"),
            1);
}

static void test_rejected_changes_nothing(void **state)
{
    struct ctx *c = *state;
    struct madi_import_result r;
    load_registers(c);
    int64_t fp = test_fingerprint(c->s);
    const char *p = write_file("bad.csv", "session_id,date,organisation,area,participants,girls\n"
                                          "S-1,2025-01-02,OP-A,XX01,10,2\n"
                                          "S-2,2025-01-02,OP-A,XX01,10,12\n"
                                          "S-3,2025-01-02,OP-Q,XX01,10,1\n");
    assert_int_equal(import(c, p, "eore", 0, 0, &r), MADI_EREJECTED);
    assert_int_equal(r.status, MADI_IMPORT_REJECTED);
    assert_int_equal(r.errors, 2);
    assert_int_equal(r.rows, 3);
    assert_non_null(strstr(c->diags, "3:5:E:the parts by sex and age (girls) add up to 12, more"));
    assert_non_null(strstr(c->diags, "4:3:E:organisation 'OP-Q' is not in the organisation"));
    assert_int_equal(test_fingerprint(c->s), fp);
}

/* Abort the import at every write in turn: the database must be exactly as before. */
static void test_failure_injection_every_row(void **state)
{
    struct ctx *c = *state;
    load_registers(c);
    const char *p =
            write_file("five.csv", "session_id,date,organisation,area,participants\n"
                                   "S-1,2025-01-02,OP-A,XX01,1\nS-2,2025-01-02,OP-A,XX01,2\n"
                                   "S-3,2025-01-02,OP-A,XX01,3\nS-4,2025-01-02,OP-A,XX01,4\n"
                                   "S-5,2025-01-02,OP-A,XX01,5\n");
    int64_t fp = test_fingerprint(c->s);
    int failed = 0;
    for (long n = 1; n <= 12; n++) {
        struct madi_import_opts o = { 0 };
        struct madi_import_result r;
        struct madi_err err;
        o.kind = "eore";
        o.today = 20261123;
        o.fail_after_writes = n;
        int rc = madi_import_file(c->s, p, &o, &r, &err);
        if (rc == MADI_OK) {
            /* Enough writes allowed: it went through. Later n are pointless. */
            assert_int_equal(n, 7); /* batch + 5 rows + batch update, then COMMIT */
            assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM eore_session"), 5);
            break;
        }
        failed++;
        assert_int_equal(rc, MADI_EIO);
        assert_non_null(strstr(err.msg, "injected"));
        assert_int_equal(test_fingerprint(c->s), fp);
    }
    assert_int_equal(failed, 6);
    /* And the store is usable afterwards. */
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM batch"), 3);
}

static void test_replace(void **state)
{
    struct ctx *c = *state;
    struct madi_import_result r;
    load_registers(c);
    const char *v1 = write_file("v1.csv", "session_id,date,organisation,area,participants\n"
                                          "S-1,2025-01-02,OP-A,XX01,10\n"
                                          "S-2,2025-01-02,OP-A,XX01,20\n");
    assert_int_equal(import(c, v1, "eore", 0, 0, &r), MADI_OK);
    int64_t b1 = r.batch;
    /* The same ids in a different file are duplicates unless it replaces the batch. */
    const char *v2 = write_file("v2.csv", "session_id,date,organisation,area,participants\n"
                                          "S-1,2025-01-02,OP-A,XX01,11\n"
                                          "S-2,2025-01-02,OP-A,XX01,20\n"
                                          "S-3,2025-01-03,OP-A,XX01,30\n");
    assert_int_equal(import(c, v2, "eore", 0, 0, &r), MADI_EREJECTED);
    assert_non_null(strstr(c->diags, "already imported in batch"));
    assert_int_equal(import(c, v2, "eore", 0, b1, &r), MADI_OK);
    int64_t b2 = r.batch;
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM eore_session"), 3);
    assert_int_equal(test_query_int(c->s, "SELECT sum(participants) FROM eore_session"), 61);
    char sql[128];
    (void)snprintf(sql, sizeof(sql), "SELECT replaced_by FROM batch WHERE id = %lld",
                   (long long)b1);
    assert_int_equal(test_query_int(c->s, sql), b2);
    /* Replacing a replaced batch is refused; a wrong kind is refused. */
    assert_int_not_equal(import(c, v1, "eore", 0, b1, &r), MADI_OK);
    assert_int_equal(import(c, v2, "eore", 0, b2, &r), MADI_OK);
    assert_int_equal(r.status, MADI_IMPORT_UNCHANGED);
}

/* The batch row's SHA-256 of its file (checked against libsodium's, another implementation),
 * whether it was taken alongside the import (no batch of that size yet) or first (one of the
 * same size, or of unknown size, as before schema 010); the same file again is a no-op either
 * way, and a different file of the same size is not. */
static void test_file_hash(void **state)
{
    struct ctx *c = *state;
    struct madi_import_result r;
    static const char one[] = "date,organisation,area\n2025-01-01,OP-A,XX01\n";
    static const char two[] = "date,organisation,area\n2025-01-02,OP-B,XX01\n";
    load_registers(c);
    const char *p1 = write_file("att1.csv", one), *p2 = write_file("att2.csv", two);
    assert_int_equal(import(c, p1, "eore-attendance", 0, 0, &r), MADI_OK);
    int64_t b1 = r.batch;
    assert_int_equal(import(c, p2, "eore-attendance", 0, 0, &r), MADI_OK);
    assert_int_equal(r.status, MADI_IMPORT_STORED);
    int64_t b2 = r.batch;
    const char *texts[2] = { one, two };
    int64_t ids[2] = { b1, b2 };
    for (int i = 0; i < 2; i++) {
        unsigned char d[crypto_hash_sha256_BYTES];
        char hex[65], sql[256];
        crypto_hash_sha256(d, (const unsigned char *)texts[i], strlen(texts[i]));
        (void)sodium_bin2hex(hex, sizeof(hex), d, sizeof(d));
        (void)snprintf(sql, sizeof(sql),
                       "SELECT count(*) FROM batch WHERE id = %lld AND sha256 = '%s' AND "
                       "file_size = %zu",
                       (long long)ids[i], hex, strlen(texts[i]));
        assert_int_equal(test_query_int(c->s, sql), 1);
    }
    assert_int_equal(import(c, p1, "eore-attendance", 0, 0, &r), MADI_OK);
    assert_int_equal(r.status, MADI_IMPORT_UNCHANGED);
    assert_int_equal(r.batch, b1);
    struct madi_err err;
    assert_int_equal(madi_store_exec(c->s, "UPDATE batch SET file_size = NULL", &err), MADI_OK);
    assert_int_equal(import(c, p2, "eore-attendance", 0, 0, &r), MADI_OK);
    assert_int_equal(r.status, MADI_IMPORT_UNCHANGED);
    assert_int_equal(r.batch, b2);
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM eore_attendance"), 2);
}

/* A register is a state: an older register file imported again after a newer one brings its
 * values back (a new batch); imported again right after, it changes nothing. */
static void test_register_reapplied(void **state)
{
    struct ctx *c = *state;
    struct madi_import_result r;
    const char *a = write_file("orgs-a.csv", "code,name\nOP-A,Alpha\n");
    const char *b = write_file("orgs-b.csv", "code,name\nOP-A,Alpha Demining\n");
    const char *q = "SELECT count(*) FROM organisation WHERE code = 'OP-A' AND name = 'Alpha'";
    assert_int_equal(import(c, a, NULL, 0, 0, &r), MADI_OK);
    int64_t ba = r.batch;
    assert_int_equal(import(c, b, NULL, 0, 0, &r), MADI_OK);
    assert_int_equal(test_query_int(c->s, q), 0);
    assert_int_equal(import(c, a, NULL, 0, 0, &r), MADI_OK);
    assert_int_equal(r.status, MADI_IMPORT_STORED);
    assert_true(r.batch > ba);
    assert_int_equal(test_query_int(c->s, q), 1);
    int64_t again = r.batch;
    assert_int_equal(import(c, a, NULL, 0, 0, &r), MADI_OK);
    assert_int_equal(r.status, MADI_IMPORT_UNCHANGED);
    assert_int_equal(r.batch, again);
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM organisation"), 1);
}

static void test_identical_keyless_rows_kept(void **state)
{
    struct ctx *c = *state;
    struct madi_import_result r;
    load_registers(c);
    const char *p = write_file("cas.csv", "date,area,victim_type,outcome,sex,age\n"
                                          "2024-05-01,XX01,direct,injured,M,12\n"
                                          "2024-05-01,XX01,direct,injured,M,12\n"
                                          "2024-05-01,XX01,direct,killed,M,12\n");
    assert_int_equal(import(c, p, "casualty", 0, 0, &r), MADI_OK);
    assert_int_equal(r.identical, 1);
    assert_true(r.warnings >= 1);
    assert_non_null(strstr(c->diags, "3:0:W:this row is identical to line 2"));
    assert_int_equal(test_query_int(c->s, "SELECT count(*) FROM casualty"), 3);
}

static void test_hxl_alias_and_detection(void **state)
{
    struct ctx *c = *state;
    struct madi_import_result r;
    struct madi_err err;
    load_registers(c);
    /* Headers nobody planned for, but an HXL row under them. */
    const char *p =
            write_file("hxl.csv", "Séance,Jour,Opérateur,Lieu,Total,Filles,Garçons,Femmes,Hommes\n"
                                  "#activity+id,#date,#org+code,#adm1+code,#reached+ind,"
                                  "#reached+children+f,#reached +m +children,#reached+f+adults,"
                                  "#reached+adults+m\n"
                                  "H-1,2025-02-01,OP-B,XX01,9,1,2,3,3\n");
    /* Without --kind this is ambiguous (consultations have the same tags): madi asks. */
    assert_int_equal(import(c, p, NULL, 0, 0, &r), MADI_EREJECTED);
    assert_non_null(strstr(c->diags, "the header could be eore or consultation"));
    if (import(c, p, "eore", 0, 0, &r) != MADI_OK)
        fail_msg("HXL file rejected:\n%s", c->diags);
    /* A canonical header is recognised on its own. */
    assert_int_equal(import(c,
                            write_file("canon.csv", "session_id,date,organisation,area,"
                                                    "participants\nK-1,2025-01-01,OP-A,XX01,3\n"),
                            NULL, 0, 0, &r),
                     MADI_OK);
    assert_string_equal(r.kind, "eore");
    assert_int_equal(test_query_int(c->s,
                                    "SELECT boys * 100 + women * 10 + men FROM eore_session WHERE "
                                    "session_id = 'H-1'"),
                     233);
    /* An operator's own header, mapped once. */
    assert_int_equal(madi_alias_add(c->s, "eore", "Nb femmes", "women", &err), MADI_OK);
    assert_int_not_equal(madi_alias_add(c->s, "eore", "x", "no_such_column", &err), MADI_OK);
    p = write_file("alias.csv", "session_id,date,organisation,area,participants,NB-FEMMES\n"
                                "A-1,2025-02-01,OP-B,XX01,9,4\n");
    assert_int_equal(import(c, p, "eore", 0, 0, &r), MADI_OK);
    assert_int_equal(
            test_query_int(c->s, "SELECT women FROM eore_session WHERE session_id = 'A-1'"), 4);
    assert_int_equal(madi_alias_remove(c->s, "eore", "nb femmes", &err), MADI_OK);
    assert_int_equal(madi_alias_remove(c->s, "eore", "nb femmes", &err), MADI_ENOTFOUND);
}

static void test_dry_run_and_missing_column(void **state)
{
    struct ctx *c = *state;
    struct madi_import_result r;
    load_registers(c);
    int64_t fp = test_fingerprint(c->s);
    const char *p = write_file("dry.csv", "session_id,date,organisation,area,participants\n"
                                          "D-1,2025-01-02,OP-A,XX01,10\n");
    assert_int_equal(import(c, p, "eore", MADI_IMPORT_DRY_RUN, 0, &r), MADI_OK);
    assert_int_equal(r.status, MADI_IMPORT_CHECKED);
    assert_int_equal(test_fingerprint(c->s), fp);
    p = write_file("nodate.csv", "session_id,organisation,area,participants\n"
                                 "D-1,OP-A,XX01,10\n");
    assert_int_equal(import(c, p, "eore", 0, 0, &r), MADI_EREJECTED);
    assert_non_null(strstr(c->diags, "the required column 'date' is missing"));
    assert_int_equal(test_fingerprint(c->s), fp);
}

/* A year of birth can be this year but not next year (today is 2026-11-23 in these tests). */
static void test_no_future_years(void **state)
{
    struct ctx *c = *state;
    struct madi_import_result r;
    load_registers(c);
    const char *p = write_file("born.csv", "staff_id,organisation,sex,birth_year,role,hire_date\n"
                                           "W-1,OP-A,F,2026,deminer,2020-01-01\n"
                                           "W-2,OP-A,M,2027,deminer,2020-01-01\n");
    assert_int_equal(import(c, p, "workforce", 0, 0, &r), MADI_EREJECTED);
    assert_non_null(strstr(c->diags, "3:4:E:'2027' is not a year between 1900 and 2026"));
    assert_null(strstr(c->diags, "2:4:E"));
}

static void test_provisional_until_register(void **state)
{
    struct ctx *c = *state;
    struct madi_import_result r;
    const char *p = write_file("prov.csv", "session_id,date,organisation,area,participants\n"
                                           "P-1,2025-01-02,NEW-OP,ZZ01,10\n");
    assert_int_equal(import(c, p, "eore", 0, 0, &r), MADI_OK);
    assert_int_equal(r.provisional, 2);
    assert_int_equal(
            test_query_int(c->s, "SELECT provisional FROM organisation WHERE code = 'NEW-OP'"), 1);
    /* Registering the organisation upgrades it in place; then unknown codes are errors. */
    assert_int_equal(import(c, write_file("reg.csv", "code,name\nNEW-OP,New Operator\n"),
                            "organisation", 0, 0, &r),
                     MADI_OK);
    assert_int_equal(
            test_query_int(c->s, "SELECT provisional FROM organisation WHERE code = 'NEW-OP'"), 0);
    p = write_file("prov2.csv", "session_id,date,organisation,area,participants\n"
                                "P-2,2025-01-02,OTHER-OP,ZZ01,10\n");
    assert_int_equal(import(c, p, "eore", 0, 0, &r), MADI_EREJECTED);
    assert_non_null(strstr(c->diags, "'OTHER-OP' is not in the organisation register"));
}

static void test_empty_and_header_only(void **state)
{
    struct ctx *c = *state;
    struct madi_import_result r;
    assert_int_equal(import(c, write_file("empty.csv", ""), "eore", 0, 0, &r), MADI_EREJECTED);
    assert_non_null(strstr(c->diags, "the file is empty"));
    assert_int_equal(import(c,
                            write_file("hdr.csv", "session_id,date,organisation,area,"
                                                  "participants\n"),
                            "eore", 0, 0, &r),
                     MADI_OK);
    assert_int_equal(r.rows, 0);
    assert_non_null(strstr(c->diags, "no data rows"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_examples_import, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_hash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blank_zero_unknown_partial, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rejected_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failure_injection_every_row, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_register_reapplied, setup, teardown),
        cmocka_unit_test_setup_teardown(test_identical_keyless_rows_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hxl_alias_and_detection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dry_run_and_missing_column, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_future_years, setup, teardown),
        cmocka_unit_test_setup_teardown(test_provisional_until_register, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_and_header_only, setup, teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
