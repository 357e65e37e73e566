/*
 * Unit tests for rows in column blocks (rowstore.c): every encoding round-trips, blanks stay
 * blank, the SQL face shows what was written, and a damaged block is refused, never overrun.
 * The values are chosen so that each column takes one encoding (said beside it); what is read
 * back is compared with what the test wrote, not with anything madi computed.
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

#include "madi/kind.h"
#include "madi/store.h"

#include "rowstore.h"
#include "testutil.h"

#define N 70000 /* two blocks: 65536 and 4464 rows */

static char dir[] = "/tmp/madi-test-rowstore-XXXXXX";

struct fx {
    struct madi_store *s;
    struct rs_layout L;
    int c_line, c_rec, c_ses, c_date, c_org, c_area, c_key, c_sex, c_age, c_lo, c_hi, c_dis;
};

/* The values of row i, by column. */
static int64_t v_date(size_t i)
{
    return 20250101 + (int64_t)(i / 1000);
} /* runs */
static int64_t v_key(size_t i)
{
    return (int64_t)(i * 0x9e3779b97f4a7c15ULL);
} /* 8 bytes */
static int64_t v_age(size_t i)
{
    return (int64_t)(i % 97);
} /* 1 byte */
static int64_t v_org(size_t i)
{
    return 300 + (int64_t)(i % 7) * 100;
} /* 2 bytes */
static int v_sex_blank(size_t i)
{
    return i % 3 == 0;
}
static int64_t v_sex(size_t i)
{
    return 1 + (int64_t)(i % 2);
}

static void rec_id(size_t i, char *buf, size_t n)
{
    (void)snprintf(buf, n, "A-%zu", i + 1);
}
static void ses_id(size_t i, char *buf, size_t n)
{
    (void)snprintf(buf, n, "S-%03zu", i / 40);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    struct madi_err err;
    char p[256];
    (void)snprintf(p, sizeof(p), "%s/r.db", dir);
    (void)unlink(p);
    assert_int_equal(madi_store_open(p, MADI_STORE_CREATE, &f->s, &err), MADI_OK);
    assert_int_equal(madi_store_exec(f->s,
                                     "INSERT INTO batch (id, kind, file_name, sha256, "
                                     "imported_at, imported_by, row_count, warning_count, "
                                     "status) VALUES (5, 'eore-attendance', 'x', '0', 'now', "
                                     "'me', 0, 0, 'active')",
                                     &err),
                     MADI_OK);
    rs_layout_init(&f->L, madi_kind_find("eore-attendance"));
    f->c_line = rs_layout_col(&f->L, "line");
    f->c_rec = rs_layout_col(&f->L, "record_id");
    f->c_ses = rs_layout_col(&f->L, "session_id");
    f->c_date = rs_layout_col(&f->L, "date");
    f->c_org = rs_layout_col(&f->L, "organisation_id");
    f->c_area = rs_layout_col(&f->L, "area_id");
    f->c_key = rs_layout_col(&f->L, "person_key");
    f->c_sex = rs_layout_col(&f->L, "sex");
    f->c_age = rs_layout_col(&f->L, "age");
    f->c_lo = rs_layout_col(&f->L, "age_band_lo");
    f->c_hi = rs_layout_col(&f->L, "age_band_hi");
    f->c_dis = rs_layout_col(&f->L, "disability");
    assert_true(f->c_line == 0 && f->c_rec > 0 && f->c_lo > 0 && f->c_hi == f->c_lo + 1);
    assert_true(f->L.cols[f->c_rec].text && f->L.cols[f->c_ses].text && !f->L.cols[f->c_org].text);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    madi_store_close(f->s);
    free(f);
    return 0;
}

/* Write N rows into batch 5: line 2.. (a sequence), record ids A-1.. (a number after a
 * prefix), sessions S-000.. (runs of 40), area constant, age band blank throughout, disability
 * blank on the first row only, sex blank on every third row. */
static void write_rows(struct fx *f)
{
    struct rs_writer w;
    struct madi_err err;
    char buf[32];
    assert_int_equal(rs_writer_open(&w, f->s, &f->L, 5, &err), MADI_OK);
    for (size_t i = 0; i < N; i++) {
        rs_set_int(&w, (size_t)f->c_line, (int64_t)i + 2);
        rec_id(i, buf, sizeof(buf));
        rs_set_text(&w, (size_t)f->c_rec, buf, strlen(buf));
        ses_id(i, buf, sizeof(buf));
        rs_set_text(&w, (size_t)f->c_ses, buf, strlen(buf));
        rs_set_int(&w, (size_t)f->c_date, v_date(i));
        rs_set_int(&w, (size_t)f->c_org, v_org(i));
        rs_set_int(&w, (size_t)f->c_area, 4);
        rs_set_int(&w, (size_t)f->c_key, v_key(i));
        if (!v_sex_blank(i))
            rs_set_int(&w, (size_t)f->c_sex, v_sex(i));
        rs_set_int(&w, (size_t)f->c_age, v_age(i));
        if (i > 0)
            rs_set_int(&w, (size_t)f->c_dis, (int64_t)(i % 2));
        assert_int_equal(rs_end_row(&w, &err), MADI_OK);
    }
    /* A row already written and one still buffered read back from the writer. */
    int64_t v = 0;
    size_t n = 0;
    assert_int_equal(rs_writer_get(&w, 9, (size_t)f->c_rec, NULL, buf, sizeof(buf), &n, &err), 1);
    assert_string_equal(buf, "A-10");
    assert_int_equal(rs_writer_get(&w, N - 1, (size_t)f->c_line, &v, NULL, 0, NULL, &err), 1);
    assert_int_equal(v, N + 1);
    assert_int_equal(rs_writer_get(&w, 3, (size_t)f->c_sex, &v, NULL, 0, NULL, &err), 0);
    assert_int_equal(rs_writer_finish(&w, &err), MADI_OK);
    rs_writer_release(&w);
}

static void test_round_trip(void **state)
{
    struct fx *f = *state;
    write_rows(f);
    assert_int_equal(test_query_int(f->s, "SELECT count(*) FROM eore_attendance_block"), 2);
    assert_int_equal(test_query_int(f->s, "SELECT sum(nrows) FROM eore_attendance_block"), N);
    /* Through the decoder, block by block. */
    struct madi_stmt *st = NULL;
    struct madi_err err;
    int64_t *v = malloc(RS_BLOCK_ROWS * sizeof(int64_t));
    uint64_t *nul = malloc(RS_BLOCK_ROWS / 8);
    assert_int_equal(madi_store_prepare(f->s,
                                        "SELECT seq, data FROM eore_attendance_block ORDER BY seq",
                                        &st, &err),
                     MADI_OK);
    size_t base = 0;
    while (madi_stmt_step(st, &err) == MADI_STMT_ROW) {
        size_t len = 0;
        const void *p = madi_stmt_blob(st, 1, &len);
        struct rs_block b;
        assert_int_equal(rs_block_open(&b, p, len, &f->L), 0);
        assert_int_equal(b.nrows, base == 0 ? RS_BLOCK_ROWS : N - RS_BLOCK_ROWS);
        assert_int_equal(rs_block_ints(&b, (size_t)f->c_line, v, nul), 0);
        for (size_t i = 0; i < b.nrows; i++)
            assert_int_equal(v[i], (int64_t)(base + i) + 2);
        assert_int_equal(rs_block_ints(&b, (size_t)f->c_date, v, nul), 0);
        for (size_t i = 0; i < b.nrows; i++)
            assert_int_equal(v[i], v_date(base + i));
        assert_int_equal(rs_block_ints(&b, (size_t)f->c_key, v, nul), 0);
        for (size_t i = 0; i < b.nrows; i++)
            assert_true(v[i] == v_key(base + i) && !(nul[i / 64] >> (i % 64) & 1));
        assert_int_equal(rs_block_ints(&b, (size_t)f->c_org, v, nul), 0);
        for (size_t i = 0; i < b.nrows; i++)
            assert_int_equal(v[i], v_org(base + i));
        assert_int_equal(rs_block_ints(&b, (size_t)f->c_sex, v, nul), 0);
        for (size_t i = 0; i < b.nrows; i++) {
            int blank = (int)(nul[i / 64] >> (i % 64) & 1);
            assert_int_equal(blank, v_sex_blank(base + i));
            if (!blank)
                assert_int_equal(v[i], v_sex(base + i));
        }
        assert_int_equal(rs_block_ints(&b, (size_t)f->c_lo, v, nul), 0);
        for (size_t i = 0; i < b.nrows; i++)
            assert_true(nul[i / 64] >> (i % 64) & 1);
        struct rs_text t;
        assert_int_equal(rs_text_open(&t, &b, (size_t)f->c_ses), 0);
        for (size_t i = 0; i < b.nrows; i += 7) {
            char want[32];
            const char *s = NULL;
            size_t n = 0;
            ses_id(base + i, want, sizeof(want));
            assert_int_equal(rs_text_get(&t, i, &s, &n), 1);
            assert_int_equal(n, strlen(want));
            assert_memory_equal(s, want, n);
        }
        rs_text_close(&t);
        base += b.nrows;
    }
    madi_stmt_finalize(st);
    free(v);
    free(nul);
    /* Through SQL: the virtual table has every row, with its blanks. */
    assert_int_equal(test_query_int(f->s, "SELECT count(*) FROM eore_attendance"), N);
    assert_int_equal(test_query_int(f->s, "SELECT count(*) FROM eore_attendance WHERE sex IS "
                                          "NULL"),
                     (N + 2) / 3);
    assert_int_equal(test_query_int(f->s, "SELECT count(*) FROM eore_attendance WHERE "
                                          "disability IS NULL"),
                     1);
    assert_int_equal(test_query_int(f->s, "SELECT count(*) FROM eore_attendance WHERE "
                                          "record_id = 'A-70000' AND line = 70001 AND "
                                          "session_id = 'S-1749' AND batch_id = 5"),
                     1);
    assert_int_equal(test_query_int(f->s, "SELECT sum(age) FROM eore_attendance WHERE batch_id "
                                          "= 5"),
                     /* 0..96 repeats: 721 full cycles of 4656, then 0..62 */
                     721 * 4656 + 62 * 63 / 2);
    assert_int_equal(test_query_int(f->s, "SELECT count(*) FROM eore_attendance WHERE batch_id "
                                          "= 6"),
                     0);
    /* By id: the second block's third row. */
    int64_t id2 = test_query_int(f->s, "SELECT rowid FROM eore_attendance_block WHERE seq = 1");
    char sql[160];
    (void)snprintf(sql, sizeof(sql), "SELECT line FROM eore_attendance WHERE id = %lld",
                   (long long)(id2 * RS_BLOCK_ROWS + 2));
    assert_int_equal(test_query_int(f->s, sql), RS_BLOCK_ROWS + 2 + 2);
    /* Date constraints let whole blocks be skipped (block 0 holds dates up to 20250166, block
     * 1 from 20250166 on): the counts are those of the dates as written, i / 1000 days after
     * 20250101, with or without the constraint reaching the virtual table (+date hides it). */
    static const char *const ranges[] = {
        "date > 20250166",                      /* rows 66,000..69,999: 4,000; block 0 skipped */
        "date >= 20250166 AND date < 20250168", /* rows 65,000..66,999: 2,000 */
        "date = 20250101",                      /* rows 0..999 */
        "date < 20250101",                      /* none */
        "date BETWEEN 20250150 AND 20250300 AND batch_id = 5", /* rows 49,000..69,999 */
        "date > '20250160'",  /* text, compared as a number (INTEGER affinity): 10,000 */
        "date <= 20250165.5", /* real: no skipping; rows 0..64,999 */
    };
    static const int64_t want[] = { 4000, 2000, 1000, 0, 21000, 10000, 65000 };
    for (size_t k = 0; k < sizeof(ranges) / sizeof(ranges[0]); k++) {
        char q1[256], q2[256];
        (void)snprintf(q1, sizeof(q1), "SELECT count(*) FROM eore_attendance WHERE %s", ranges[k]);
        char plus[160];
        (void)snprintf(plus, sizeof(plus), "%s", ranges[k]);
        for (char *d = strstr(plus, "date"); d; d = strstr(d + 5, "date"))
            if (d == plus || d[-1] == ' ')
                memmove(d + 1, d, strlen(d) + 1), d[0] = '+', d++;
        (void)snprintf(q2, sizeof(q2), "SELECT count(*) FROM eore_attendance WHERE %s", plus);
        int64_t got = test_query_int(f->s, q1);
        if (k != 5) /* +date has no affinity: a text operand compares as text there */
            assert_int_equal(got, test_query_int(f->s, q2));
        assert_int_equal(got, want[k]);
    }
    /* Writes through SQL are refused. */
    assert_int_not_equal(madi_store_exec(f->s, "DELETE FROM eore_attendance", &err), MADI_OK);
    assert_int_equal(rs_delete_batch(f->s, &f->L, 5, &err), MADI_OK);
    assert_int_equal(test_query_int(f->s, "SELECT count(*) FROM eore_attendance"), 0);
}

/* Ids that are not a prefix and a canonical number (leading zeros, no digits) are kept as
 * they are; extreme integers too. */
static void test_odd_values(void **state)
{
    struct fx *f = *state;
    struct rs_writer w;
    struct madi_err err;
    static const char *const ids[] = { "A-007", "0", "B", "A-9", "x y z", "", "A-18446744" };
    static const int64_t keys[] = { INT64_MIN, INT64_MAX, -1, 0, 1, INT64_MIN + 1, 42 };
    assert_int_equal(rs_writer_open(&w, f->s, &f->L, 5, &err), MADI_OK);
    for (size_t i = 0; i < 7; i++) {
        rs_set_int(&w, 0, (int64_t)i);
        rs_set_text(&w, (size_t)f->c_rec, ids[i], strlen(ids[i]));
        rs_set_int(&w, (size_t)f->c_key, keys[i]);
        assert_int_equal(rs_end_row(&w, &err), MADI_OK);
    }
    assert_int_equal(rs_writer_finish(&w, &err), MADI_OK);
    rs_writer_release(&w);
    for (size_t i = 0; i < 7; i++) {
        char sql[200];
        (void)snprintf(sql, sizeof(sql),
                       "SELECT count(*) FROM eore_attendance WHERE line = %zu AND record_id = "
                       "'%s' AND person_key = %lld AND session_id IS NULL",
                       i, ids[i], (long long)keys[i]);
        assert_int_equal(test_query_int(f->s, sql), 1);
    }
}

/* Every cut and every flipped byte of a block is refused or read within its bounds (ASan
 * watches), never a crash. */
static void test_damaged(void **state)
{
    struct fx *f = *state;
    write_rows(f);
    struct madi_stmt *st = NULL;
    struct madi_err err;
    assert_int_equal(madi_store_prepare(f->s,
                                        "SELECT data FROM eore_attendance_block WHERE seq "
                                        "= 1",
                                        &st, &err),
                     MADI_OK);
    assert_int_equal(madi_stmt_step(st, &err), MADI_STMT_ROW);
    size_t len = 0;
    const unsigned char *p = madi_stmt_blob(st, 0, &len);
    unsigned char *copy = malloc(len);
    memcpy(copy, p, len);
    madi_stmt_finalize(st);
    int64_t *v = malloc(RS_BLOCK_ROWS * sizeof(int64_t));
    uint64_t *nul = malloc(RS_BLOCK_ROWS / 8);
    int refused = 0;
    for (size_t cut = 0; cut < len; cut += 1 + cut / 64) {
        unsigned char *q = malloc(cut ? cut : 1);
        memcpy(q, copy, cut);
        struct rs_block b;
        refused += rs_block_open(&b, q, cut, &f->L) != 0;
        free(q);
    }
    assert_int_equal(refused > 0, 1);
    for (size_t at = 0; at < len; at += 1 + at / 32) {
        copy[at] ^= 0x5a;
        struct rs_block b;
        if (rs_block_open(&b, copy, len, &f->L) == 0) {
            for (size_t c = 0; c < f->L.ncols; c++) {
                if (f->L.cols[c].text) {
                    struct rs_text t;
                    if (rs_text_open(&t, &b, c) == 0) {
                        const char *s;
                        size_t n;
                        for (size_t i = 0; i < b.nrows; i++)
                            (void)rs_text_get(&t, i, &s, &n);
                        rs_text_close(&t);
                    }
                } else {
                    (void)rs_block_ints(&b, c, v, nul);
                }
            }
        }
        copy[at] ^= 0x5a;
    }
    free(v);
    free(nul);
    free(copy);
}

static int group_setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    char p[300];
    (void)snprintf(p, sizeof(p), "rm -rf %s", dir);
    return system(p) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_odd_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged, setup, teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
