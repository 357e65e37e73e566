/*
 * Unit tests for demo.c: the same seed and scale give byte-identical files and another seed
 * other files; every kind is there, registers first, headers in the kind's column order, the
 * Excel-style file really is one; a tiny scale still writes every file; a folder that cannot be
 * made is an I/O error that leaves nothing behind; and every file imports as the demo promises
 * (valid ones stored without a single error, broken ones rejected with errors and nothing
 * changed), with session counts that agree with the attendance lists they came from.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "madi/catalog.h"
#include "madi/demo.h"
#include "madi/import.h"
#include "madi/kind.h"
#include "madi/privacy.h"
#include "madi/store.h"

#include "testutil.h"

#define SCALE 0.02

static char root[] = "/tmp/madi-test-demo-XXXXXX";

static int group_setup(void **state)
{
    (void)state;
    return mkdtemp(root) ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    char cmd[128];
    (void)snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
    return system(cmd);
}

static void generate(const char *sub, uint64_t seed, double scale, struct madi_demo *d)
{
    struct madi_demo_opts o = { seed, scale };
    struct madi_err err;
    char dir[256];
    (void)snprintf(dir, sizeof(dir), "%s/%s", root, sub);
    int rc = madi_demo_generate(dir, &o, d, &err);
    if (rc != MADI_OK)
        fail_msg("madi_demo_generate(%s): %s", dir, err.msg);
    assert_true(d->n > 0);
    assert_true(d->rows > 0);
}

/* The whole file; caller frees. */
static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    char *p = NULL;
    size_t cap = 0, len = 0, got;
    assert_non_null(f);
    do {
        if (len + 65536 > cap) {
            cap = cap ? cap * 2 : 1 << 20;
            p = realloc(p, cap + 1);
            assert_non_null(p);
        }
        got = fread(p + len, 1, cap - len, f);
        len += got;
    } while (got > 0);
    assert_int_equal(ferror(f), 0);
    assert_int_equal(fclose(f), 0);
    p[len] = '\0';
    *n = len;
    return p;
}

static const char *base(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static void test_same_seed_same_bytes(void **state)
{
    struct madi_demo a, b;
    (void)state;
    generate("a", 42, SCALE, &a);
    generate("b", 42, SCALE, &b);
    assert_int_equal(a.n, b.n);
    assert_int_equal(a.rows, b.rows);
    for (size_t i = 0; i < a.n; i++) {
        size_t na, nb;
        assert_string_equal(base(a.files[i].path), base(b.files[i].path));
        assert_string_equal(a.files[i].kind, b.files[i].kind);
        assert_string_equal(a.files[i].what, b.files[i].what);
        assert_int_equal(a.files[i].broken, b.files[i].broken);
        char *x = slurp(a.files[i].path, &na), *y = slurp(b.files[i].path, &nb);
        if (na != nb || memcmp(x, y, na) != 0)
            fail_msg("%s differs between two runs with the same seed", base(a.files[i].path));
        free(x);
        free(y);
    }
    /* Generating again over the same folder overwrites the files with the same bytes. */
    struct madi_demo again;
    generate("a", 42, SCALE, &again);
    assert_int_equal(again.n, a.n);
    madi_demo_release(&again);
    madi_demo_release(&a);
    madi_demo_release(&b);
    assert_null(a.files);
    assert_int_equal(a.n, 0);
    madi_demo_release(&a); /* twice is harmless */
}

static void test_other_seed_other_files(void **state)
{
    struct madi_demo a, c;
    size_t differ = 0;
    (void)state;
    generate("a2", 42, SCALE, &a);
    generate("c", 43, SCALE, &c);
    assert_int_equal(a.n, c.n); /* the programme's shape does not depend on the seed */
    for (size_t i = 0; i < a.n; i++) {
        size_t na, nc;
        assert_string_equal(base(a.files[i].path), base(c.files[i].path));
        char *x = slurp(a.files[i].path, &na), *y = slurp(c.files[i].path, &nc);
        differ += na != nc || memcmp(x, y, na) != 0;
        if (strstr(a.files[i].path, "attendance") || strstr(a.files[i].path, "casualties"))
            assert_true(na != nc || memcmp(x, y, na) != 0);
        free(x);
        free(y);
    }
    assert_true(differ > a.n * 3 / 4);
    madi_demo_release(&a);
    madi_demo_release(&c);
}

/* The header a file of kind k must start with. */
static void expected_header(const struct madi_kind *k, char sep, char *out, size_t outsz)
{
    size_t j = 0;
    for (size_t i = 0; i < k->nfields; i++)
        j += (size_t)snprintf(out + j, outsz - j, "%s%s", i ? (sep == ';' ? ";" : ",") : "",
                              k->fields[i].name);
}

static void test_kinds_order_headers(void **state)
{
    static const char *const registers[] = { "organisation", "area", "hazard", "survey-team",
                                             "population" };
    struct madi_demo d;
    size_t broken = 0, excel = 0;
    (void)state;
    generate("k", 5, SCALE, &d);
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(d.files[i].kind, registers[i]);
    for (const struct madi_kind *k = madi_kinds; k->name; k++) {
        size_t n = 0;
        for (size_t i = 0; i < d.n; i++)
            n += strcmp(d.files[i].kind, k->name) == 0;
        if (!n)
            fail_msg("no file of kind %s", k->name);
    }
    for (size_t i = 0; i < d.n; i++) {
        const struct madi_demo_file *f = &d.files[i];
        const struct madi_kind *k = madi_kind_find(f->kind);
        size_t n;
        char hdr[2048];
        assert_non_null(k);
        assert_non_null(f->what);
        assert_true(strlen(f->what) > 10);
        char *text = slurp(f->path, &n), *p = text;
        int is_excel = n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0;
        if (is_excel) {
            p += 3;
            excel++;
            assert_int_equal(f->broken, 0);
            assert_non_null(strstr(p, "\r\n"));
        }
        expected_header(k, is_excel ? ';' : ',', hdr, sizeof(hdr));
        if (strncmp(p, hdr, strlen(hdr)) != 0 || (p[strlen(hdr)] != '\n' && p[strlen(hdr)] != '\r'))
            fail_msg("%s: the header is not %s's columns in order", base(f->path), k->name);
        if (f->broken) {
            broken++;
            assert_false(k->flags & MADI_KIND_REGISTER); /* nothing may depend on it */
        }
        free(text);
    }
    assert_true(broken >= 3 && broken <= 5);
    assert_int_equal(excel, 1);
    madi_demo_release(&d);
}

/* Every file has data rows even at a tiny scale; the set of files does not change with scale. */
static void test_tiny_scale_every_file(void **state)
{
    struct madi_demo t, s;
    (void)state;
    generate("tiny", 9, 0.0001, &t);
    generate("small", 9, SCALE, &s);
    assert_int_equal(t.n, s.n);
    assert_true(t.rows < s.rows);
    for (size_t i = 0; i < t.n; i++) {
        size_t n, lines = 0;
        assert_string_equal(base(t.files[i].path), base(s.files[i].path));
        char *text = slurp(t.files[i].path, &n);
        const char *second = strchr(text, '\n');
        for (size_t j = 0; j < n; j++)
            lines += text[j] == '\n';
        /* header, perhaps the HXL row, then at least one row of data */
        size_t need = second && second[1] == '#' ? 3 : 2;
        if (lines < need)
            fail_msg("%s has no data rows at a tiny scale", base(t.files[i].path));
        free(text);
    }
    madi_demo_release(&t);
    madi_demo_release(&s);
}

static void test_unwritable_folder(void **state)
{
    struct madi_demo d;
    struct madi_demo_opts o = { 1, SCALE };
    struct madi_err err;
    char file[256], dir[300];
    (void)state;
    (void)snprintf(file, sizeof(file), "%s/plain-file", root);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    assert_int_equal(fclose(f), 0);
    (void)snprintf(dir, sizeof(dir), "%s/sub", file);
    memset(&d, 0x55, sizeof(d));
    assert_int_equal(madi_demo_generate(dir, &o, &d, &err), MADI_EIO);
    assert_non_null(strstr(err.msg, "plain-file"));
    assert_null(d.files);
    assert_int_equal(d.n, 0);
    o.scale = 0;
    assert_int_equal(madi_demo_generate(root, &o, &d, &err), MADI_EINVAL);
    assert_null(d.files);
}

/* A file that cannot be created halfway through: MADI_EIO naming it, and nothing handed out. */
static void test_unwritable_file(void **state)
{
    struct madi_demo d;
    struct madi_demo_opts o = { 1, SCALE };
    struct madi_err err;
    char dir[256], blocker[300];
    (void)state;
    (void)snprintf(dir, sizeof(dir), "%s/blocked", root);
    (void)snprintf(blocker, sizeof(blocker), "%s/03_hazards.csv", dir);
    assert_int_equal(mkdir(dir, 0777), 0);
    assert_int_equal(mkdir(blocker, 0777), 0); /* a folder where the file should go */
    assert_int_equal(madi_demo_generate(dir, &o, &d, &err), MADI_EIO);
    assert_non_null(strstr(err.msg, "03_hazards.csv"));
    assert_null(d.files);
    assert_int_equal(d.n, 0);
    assert_int_equal(d.rows, 0);
}

/* ---- importing the demo ---------------------------------------------------------------------- */

struct diags {
    char text[8192];
    size_t len;
};

static void collect(void *p, const struct madi_diag *d)
{
    struct diags *c = p;
    if (d->level != MADI_DIAG_ERROR)
        return;
    int n = snprintf(c->text + c->len, sizeof(c->text) - c->len, "  %s:%lu:%u: %s\n", base(d->file),
                     d->line, d->col, d->msg);
    if (n > 0 && c->len + (size_t)n < sizeof(c->text))
        c->len += (size_t)n;
}

static void test_imports_as_promised(void **state)
{
    struct madi_demo d;
    struct madi_store *s = NULL;
    struct madi_err err;
    struct diags *dg = calloc(1, sizeof(*dg));
    char db[256];
    unsigned long long rows = 0;
    (void)state;
    assert_non_null(dg);
    generate("imp", 7, SCALE, &d);
    (void)snprintf(db, sizeof(db), "%s/imp/madi.db", root);
    if (madi_catalog_open_or_create(db, &s, NULL, &err) != MADI_OK)
        fail_msg("cannot create %s: %s", db, err.msg);
    /* The generator wrote the centre's key beside the database. */
    struct madi_key *key = NULL;
    char keypath[300];
    (void)snprintf(keypath, sizeof(keypath), "%s.key", db);
    assert_int_equal(madi_key_read_file(keypath, &key, &err), MADI_OK);
    assert_int_equal(madi_privacy_init(s, key, "test_demo", &err), MADI_OK);
    for (size_t i = 0; i < d.n; i++) {
        const struct madi_demo_file *f = &d.files[i];
        struct madi_import_opts o = { 0 };
        struct madi_import_result res;
        int64_t before = test_fingerprint(s);
        o.kind = f->kind;
        o.who = "test_demo";
        o.key = key;
        o.today = 20260101;
        o.on_diag = collect;
        o.diag_ctx = dg;
        dg->len = 0;
        dg->text[0] = '\0';
        madi_err_clear(&err);
        int rc = madi_import_file(s, f->path, &o, &res, &err);
        rows += res.rows;
        if (!f->broken) {
            if (rc != MADI_OK || res.status != MADI_IMPORT_STORED || res.errors)
                fail_msg("%s (%s) was not stored: rc %d, status %d, %lu errors %s\n%s",
                         base(f->path), f->kind, rc, (int)res.status, res.errors, err.msg,
                         dg->text);
            assert_true(res.rows > 0);
            assert_int_equal(res.provisional, 0);
        } else {
            if (rc != MADI_EREJECTED || res.status != MADI_IMPORT_REJECTED)
                fail_msg("broken %s was not rejected: rc %d (%s)", base(f->path), rc, f->what);
            assert_true(res.errors >= 1 && res.errors <= 6);
            assert_int_equal(test_fingerprint(s), before);
        }
    }
    assert_int_equal(rows, d.rows);
    /* No code was made up on the way: every reference was to a registered entry. */
    assert_int_equal(test_query_int(s, "SELECT count(*) FROM organisation WHERE provisional = 1"),
                     0);
    assert_int_equal(test_query_int(s, "SELECT count(*) FROM area WHERE provisional = 1"), 0);
    assert_int_equal(test_query_int(s, "SELECT count(*) FROM hazard WHERE provisional = 1"), 0);
    assert_int_equal(test_query_int(s, "SELECT count(*) FROM survey_team WHERE provisional = 1"),
                     0);
    /* Session counts from lists agree with the lists (where the list was stored). */
    assert_int_equal(
            test_query_int(s, "SELECT count(*) FROM eore_session e WHERE count_method = 2 AND "
                              "EXISTS (SELECT 1 FROM eore_attendance a WHERE a.session_id = "
                              "e.session_id) AND participants != (SELECT count(*) FROM "
                              "eore_attendance a WHERE a.session_id = e.session_id)"),
            0);
    assert_int_equal(
            test_query_int(s, "SELECT count(*) FROM eore_session e WHERE count_method = 2 AND "
                              "EXISTS (SELECT 1 FROM eore_attendance a WHERE a.session_id = "
                              "e.session_id) AND girls != (SELECT count(*) FROM eore_attendance a "
                              "WHERE a.session_id = e.session_id AND a.sex = 1 AND (a.age < 18 OR "
                              "(a.age IS NULL AND a.age_band_hi < 18)))"),
            0);
    /* People come back: fewer distinct people than attendance rows. */
    assert_true(test_query_int(s, "SELECT count(DISTINCT person_key) FROM eore_attendance") <
                test_query_int(s, "SELECT count(*) FROM eore_attendance"));
    /* Some survey teams were trained in gender and diversity-sensitive data collection. */
    assert_true(test_query_int(s, "SELECT count(DISTINCT team_id) FROM training WHERE topic = 1") >
                0);
    /* Victim assistance: the one person both operators reported is found; no name in clear. */
    assert_true(test_query_int(s, "SELECT count(*) FROM survivor s JOIN survivor t ON "
                                  "s.person_key = t.person_key AND s.id < t.id AND "
                                  "s.organisation_id <> t.organisation_id") >= 1);
    assert_int_equal(test_query_int(s, "SELECT count(*) FROM survivor WHERE name LIKE '%Pratt%'"),
                     0);
    madi_key_free(key);
    madi_store_close(s);
    madi_demo_release(&d);
    free(dg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_seed_same_bytes), cmocka_unit_test(test_other_seed_other_files),
        cmocka_unit_test(test_kinds_order_headers),  cmocka_unit_test(test_tiny_scale_every_file),
        cmocka_unit_test(test_unwritable_folder),    cmocka_unit_test(test_unwritable_file),
        cmocka_unit_test(test_imports_as_promised),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
