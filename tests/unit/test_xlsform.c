/*
 * Unit tests for xlsform.c: the form is read back with madi's own workbook reader and checked
 * against what the kind says (expected rows written out by hand for the training kind).
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
#include "madi/xlsform.h"
#include "madi/xlsx.h"

static const char *cell(const struct madi_csv_row *r, size_t i)
{
    return i < r->n ? r->fields[i].p : "";
}

static void test_training_form(void **state)
{
    (void)state;
    char path[] = "/tmp/madi-test-xlsform-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(close(fd), 0);
    struct madi_err err;
    assert_int_equal(madi_xlsform_write(madi_kind_find("training"), path, &err), MADI_OK);

    struct madi_xlsx *x = NULL;
    struct madi_csv_row row;
    assert_int_equal(madi_xlsx_open(path, "survey", NULL, &x, &err), MADI_OK);
    assert_int_equal(madi_xlsx_next(x, &row), 1);
    assert_string_equal(cell(&row, 0), "type");
    assert_string_equal(cell(&row, 5), "constraint");
    /* training_id, date, organisation, topic, team, participants, female, male, sex_unknown */
    static const char *const want[][3] = {
        { "text", "training_id", "yes" },
        { "date", "date", "yes" },
        { "text", "organisation", "yes" },
        { "select_one topic", "topic", "yes" },
        { "text", "team", "" },
        { "integer", "participants", "yes" },
        { "integer", "female", "" },
        { "integer", "male", "" },
        { "integer", "sex_unknown", "" },
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        assert_int_equal(madi_xlsx_next(x, &row), 1);
        assert_string_equal(cell(&row, 0), want[i][0]);
        assert_string_equal(cell(&row, 1), want[i][1]);
        assert_string_equal(cell(&row, 4), want[i][2]);
        if (strcmp(want[i][1], "participants") == 0)
            assert_string_equal(cell(&row, 5),
                                ". >= 0 and . >= coalesce(${female}, 0) + coalesce(${male}, 0) + "
                                "coalesce(${sex_unknown}, 0)");
        if (strcmp(want[i][1], "male") == 0)
            assert_string_equal(cell(&row, 5), ". >= 0");
    }
    assert_int_equal(madi_xlsx_next(x, &row), 0);
    madi_xlsx_close(x);

    /* choices: the topic list, with madi's codes as names */
    assert_int_equal(madi_xlsx_open(path, "choices", NULL, &x, &err), MADI_OK);
    assert_int_equal(madi_xlsx_next(x, &row), 1);
    int topics = 0, gd = 0;
    while (madi_xlsx_next(x, &row) == 1) {
        topics += strcmp(cell(&row, 0), "topic") == 0;
        gd += strcmp(cell(&row, 1), "gd_data_collection") == 0;
    }
    assert_int_equal(topics, 5);
    assert_int_equal(gd, 1);
    madi_xlsx_close(x);

    assert_int_equal(madi_xlsx_open(path, "settings", NULL, &x, &err), MADI_OK);
    assert_int_equal(madi_xlsx_next(x, &row), 1);
    assert_int_equal(madi_xlsx_next(x, &row), 1);
    assert_string_equal(cell(&row, 1), "madi_training");
    madi_xlsx_close(x);
    assert_int_equal(unlink(path), 0);
}

/* Every kind has a form; age bands and WG answers come with their choices. */
static void test_every_kind(void **state)
{
    (void)state;
    for (const struct madi_kind *k = madi_kinds; k->name; k++) {
        char path[] = "/tmp/madi-test-xlsform-XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(close(fd), 0);
        struct madi_err err;
        assert_int_equal(madi_xlsform_write(k, path, &err), MADI_OK);
        struct madi_xlsx *x = NULL;
        struct madi_csv_row row;
        assert_int_equal(madi_xlsx_open(path, "survey", NULL, &x, &err), MADI_OK);
        size_t questions = 0;
        while (madi_xlsx_next(x, &row) == 1)
            questions++;
        assert_int_equal(questions, k->nfields + 1);
        madi_xlsx_close(x);
        if (madi_kind_field_index(k, "wg_seeing") >= 0) {
            assert_int_equal(madi_xlsx_open(path, "choices", NULL, &x, &err), MADI_OK);
            int wg = 0, bands = 0;
            while (madi_xlsx_next(x, &row) == 1) {
                wg += strcmp(cell(&row, 0), "wg") == 0;
                bands += strcmp(cell(&row, 0), "age_band") == 0;
            }
            assert_int_equal(wg, 6);
            assert_int_equal(bands, 6);
            madi_xlsx_close(x);
        }
        assert_int_equal(unlink(path), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_training_form),
        cmocka_unit_test(test_every_kind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
