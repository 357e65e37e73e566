/* Unit tests for dim.c: code lists, bands, WG-SS, value parsers. Expected values by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "madi/dim.h"

static void test_code_match(void **state)
{
    (void)state;
    const struct madi_codelist *sex = madi_codelist_find("sex");
    assert_non_null(sex);
    assert_int_equal(madi_code_match(sex, "F", 1)->value, MADI_SEX_F);
    assert_int_equal(madi_code_match(sex, "  female ", 9)->value, MADI_SEX_F);
    assert_int_equal(madi_code_match(sex, "MALE", 4)->value, MADI_SEX_M);
    assert_int_equal(madi_code_match(sex, "u", 1)->value, MADI_SEX_U);
    assert_int_equal(madi_code_match(sex, "Unknown", 7)->value, MADI_SEX_U);
    assert_null(madi_code_match(sex, "Femal", 5));
    assert_null(madi_code_match(sex, "", 0));
    assert_null(madi_code_match(sex, "   ", 3));
    const struct madi_codelist *yn = madi_codelist_find("yesno");
    assert_int_equal(madi_code_match(yn, "Yes", 3)->value, MADI_YES);
    assert_int_equal(madi_code_match(yn, "0", 1)->value, MADI_NO);
    assert_int_equal(madi_code_match(yn, "unknown", 7)->value, MADI_UNKNOWN);
    assert_null(madi_codelist_find("nope"));
}

static void test_every_people_list_has_unknown(void **state)
{
    (void)state;
    const char *lists[] = { "sex",     "yesno",    "displacement", "minority",
                            "outcome", "civilian", "device" };
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        const struct madi_codelist *l = madi_codelist_find(lists[i]);
        assert_non_null(l);
        assert_non_null(madi_code_match(l, "unknown", 7));
    }
}

static void test_band_parse(void **state)
{
    (void)state;
    struct madi_band b;
    char why[128];
    assert_int_equal(madi_band_parse("5-11", 4, &b, why, sizeof(why)), 0);
    assert_int_equal(b.lo, 5);
    assert_int_equal(b.hi, 11);
    assert_int_equal(madi_band_parse(" 60+ ", 5, &b, why, sizeof(why)), 0);
    assert_int_equal(b.lo, 60);
    assert_int_equal(b.hi, MADI_AGE_OPEN);
    assert_int_equal(madi_band_parse("<18", 3, &b, why, sizeof(why)), 0);
    assert_int_equal(b.lo, 0);
    assert_int_equal(b.hi, 17);
    assert_int_equal(madi_band_parse("under 5", 7, &b, why, sizeof(why)), 0);
    assert_int_equal(b.hi, 4);
    assert_int_equal(madi_band_parse("18 - 24 years", 13, &b, why, sizeof(why)), 0);
    assert_int_equal(b.lo, 18);
    assert_int_equal(b.hi, 24);
    assert_int_equal(madi_band_parse("60 and over", 11, &b, why, sizeof(why)), 0);
    assert_int_equal(b.lo, 60);
    assert_int_equal(madi_band_parse("60-120", 6, &b, why, sizeof(why)), 0);
    assert_int_equal(b.lo, 60);
    assert_int_equal(b.hi, MADI_AGE_OPEN);
    assert_int_equal(madi_band_parse("11-5", 4, &b, why, sizeof(why)), -1);
    assert_int_equal(madi_band_parse("adults", 6, &b, why, sizeof(why)), -1);
    assert_int_equal(madi_band_parse("5-200", 5, &b, why, sizeof(why)), -1);
    assert_int_equal(madi_band_parse("", 0, &b, why, sizeof(why)), -1);
}

static void test_band_rebin(void **state)
{
    (void)state;
    const struct madi_bandset *ca = madi_bandset_find("child_adult");
    size_t idx = 99;
    /* 10-19 straddles 18: refused, and the boundary is named. */
    assert_int_equal(madi_band_rebin((struct madi_band){ 10, 19 }, ca, &idx), 18);
    /* 12-17 nests in 0-17. */
    assert_int_equal(madi_band_rebin((struct madi_band){ 12, 17 }, ca, &idx), 0);
    assert_int_equal(idx, 0);
    /* 60+ nests in 18+. */
    assert_int_equal(madi_band_rebin((struct madi_band){ 60, MADI_AGE_OPEN }, ca, &idx), 0);
    assert_int_equal(idx, 1);
    /* 0-17 cannot become canonical 0-4: it would need splitting at 5. */
    assert_int_equal(madi_band_rebin((struct madi_band){ 0, 17 }, madi_bandset_canonical, &idx), 5);
    /* 25-59 is one canonical band. */
    assert_int_equal(madi_band_rebin((struct madi_band){ 25, 59 }, madi_bandset_canonical, &idx),
                     0);
    assert_int_equal(idx, 4);
}

static void test_band_align_and_index(void **state)
{
    (void)state;
    int edge = 0;
    const struct madi_bandset *c = madi_bandset_canonical;
    assert_int_equal(madi_band_align((struct madi_band){ 0, 17 }, c, &edge), 0);
    assert_int_equal(madi_band_align((struct madi_band){ 18, 59 }, c, &edge), 0);
    assert_int_equal(madi_band_align((struct madi_band){ 60, MADI_AGE_OPEN }, c, &edge), 0);
    assert_int_equal(madi_band_align((struct madi_band){ 10, 19 }, c, &edge), -1);
    assert_int_equal(edge, 10);
    assert_int_equal(madi_band_align((struct madi_band){ 0, 5 }, c, &edge), -1);
    assert_int_equal(edge, 6);
    assert_int_equal(madi_bandset_index(c, 0), 0);
    assert_int_equal(madi_bandset_index(c, 4), 0);
    assert_int_equal(madi_bandset_index(c, 5), 1);
    assert_int_equal(madi_bandset_index(c, 17), 2);
    assert_int_equal(madi_bandset_index(c, 18), 3);
    assert_int_equal(madi_bandset_index(c, 59), 4);
    assert_int_equal(madi_bandset_index(c, 120), 5);
    char label[16];
    assert_string_equal(madi_bandset_label(c, 1, label, sizeof(label)), "5-11");
    assert_string_equal(madi_bandset_label(c, 5, label, sizeof(label)), "60+");
    /* Every built-in set has a boundary at 18 (treaty tables split children from adults). */
    for (const struct madi_bandset *s = madi_bandsets; s->name; s++) {
        int has18 = 0;
        for (size_t i = 0; i < s->n; i++)
            has18 |= s->bounds[i] == 18;
        assert_true(has18);
        assert_int_equal(s->bounds[0], 0);
    }
}

static void test_wg(void **state)
{
    (void)state;
    int none[6] = { 1, 1, 1, 1, 1, 1 };
    int some[6] = { 2, 2, 1, 1, 2, 1 };
    int alot[6] = { 1, 1, 3, 1, 1, 1 };
    int cannot[6] = { 1, 4, 0, 0, 0, 0 };
    int partial[6] = { 1, 2, 0, 1, 1, 1 };
    int refused[6] = { 1, 1, 7, 1, 1, 1 };
    assert_int_equal(madi_wg_status(none), MADI_NO);
    assert_int_equal(madi_wg_status(some), MADI_NO);
    assert_int_equal(madi_wg_status(alot), MADI_YES);
    assert_int_equal(madi_wg_status(cannot), MADI_YES);
    assert_int_equal(madi_wg_status(partial), MADI_UNKNOWN);
    assert_int_equal(madi_wg_status(refused), MADI_UNKNOWN);
}

static void test_parse_count(void **state)
{
    (void)state;
    int64_t v = -1;
    char why[128];
    assert_int_equal(madi_parse_count(" 12 ", 4, &v, why, sizeof(why)), 0);
    assert_int_equal(v, 12);
    assert_int_equal(madi_parse_count("0", 1, &v, why, sizeof(why)), 0);
    assert_int_equal(v, 0);
    assert_int_equal(madi_parse_count("-5", 2, &v, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "negative"));
    assert_int_equal(madi_parse_count("1.5", 3, &v, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "whole"));
    assert_int_equal(madi_parse_count("ten", 3, &v, why, sizeof(why)), -1);
    assert_int_equal(madi_parse_count("99999999999999999999999", 23, &v, why, sizeof(why)), -1);
}

static void test_parse_date(void **state)
{
    (void)state;
    int32_t d = 0;
    char why[128];
    assert_int_equal(madi_parse_date("2024-02-29", 10, 20261123, &d, why, sizeof(why)), 0);
    assert_int_equal(d, 20240229);
    assert_int_equal(madi_parse_date("2023-02-29", 10, 20261123, &d, why, sizeof(why)), -1);
    assert_int_equal(madi_parse_date("2100-02-29", 10, 0, &d, why, sizeof(why)), -1);
    assert_int_equal(madi_parse_date("2000-02-29", 10, 0, &d, why, sizeof(why)), 0);
    assert_int_equal(madi_parse_date("2025-13-01", 10, 0, &d, why, sizeof(why)), -1);
    assert_int_equal(madi_parse_date("2025-04-31", 10, 0, &d, why, sizeof(why)), -1);
    assert_int_equal(madi_parse_date("14/03/2025", 10, 0, &d, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "YYYY-MM-DD"));
    assert_int_equal(madi_parse_date("2026-11-24", 10, 20261123, &d, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "future"));
    assert_int_equal(madi_parse_date("2026-11-23", 10, 20261123, &d, why, sizeof(why)), 0);
    assert_int_equal(madi_parse_date("1949-12-31", 10, 0, &d, why, sizeof(why)), -1);
}

static void test_parse_age_and_key(void **state)
{
    (void)state;
    int a = -1;
    char why[128];
    assert_int_equal(madi_parse_age("0", 1, &a, why, sizeof(why)), 0);
    assert_int_equal(a, 0);
    assert_int_equal(madi_parse_age("120", 3, &a, why, sizeof(why)), 0);
    assert_int_equal(madi_parse_age("121", 3, &a, why, sizeof(why)), -1);
    assert_int_equal(madi_parse_age("-1", 2, &a, why, sizeof(why)), -1);
    uint64_t k = 0;
    assert_int_equal(madi_parse_person_key("00000000000000ff", 16, &k, why, sizeof(why)), 0);
    assert_true(k == 255);
    assert_int_equal(madi_parse_person_key("FFFFFFFFFFFFFFFF", 16, &k, why, sizeof(why)), 0);
    assert_true(k == UINT64_MAX);
    assert_int_equal(madi_parse_person_key("0123", 4, &k, why, sizeof(why)), -1);
    assert_int_equal(madi_parse_person_key("000000000000000g", 16, &k, why, sizeof(why)), -1);
    char out[17];
    madi_format_person_key(0x3f2a9c0d11e4b7a2ULL, out);
    assert_string_equal(out, "3f2a9c0d11e4b7a2");
}

/* Day numbers: the epoch, a leap day, a century that is not leap, one that is. */
static void test_date_days(void **state)
{
    (void)state;
    assert_int_equal(madi_date_days(19700101), 0);
    assert_int_equal(madi_date_days(19700201), 31);
    assert_int_equal(madi_date_days(20240301) - madi_date_days(20240228), 2);
    assert_int_equal(madi_date_days(21000301) - madi_date_days(21000228), 1);
    assert_int_equal(madi_date_days(20000301) - madi_date_days(20000228), 2);
    assert_int_equal(madi_date_days(20250102) - madi_date_days(20241203), 30);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_code_match),
        cmocka_unit_test(test_date_days),
        cmocka_unit_test(test_every_people_list_has_unknown),
        cmocka_unit_test(test_band_parse),
        cmocka_unit_test(test_band_rebin),
        cmocka_unit_test(test_band_align_and_index),
        cmocka_unit_test(test_wg),
        cmocka_unit_test(test_parse_count),
        cmocka_unit_test(test_parse_date),
        cmocka_unit_test(test_parse_age_and_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
