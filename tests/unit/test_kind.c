/*
 * Unit tests for kinds.c: the kind definitions are data, so check the data is consistent (every
 * code list exists, every sum names count fields, headers and HXL tags are unique, examples have
 * the right width) and that the template and --doc writers say what they should.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "madi/kind.h"

static size_t count_char(const char *s, char c)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == c;
    return n;
}

static void test_definitions_are_consistent(void **state)
{
    (void)state;
    int kinds = 0;
    for (const struct madi_kind *k = madi_kinds; k->name; k++, kinds++) {
        int required = 0, keys = 0;
        assert_true(k->nfields > 0 && k->nfields <= 48);
        for (size_t i = 0; i < k->nfields; i++) {
            const struct madi_field *f = &k->fields[i];
            required += (f->flags & MADI_FLD_REQUIRED) != 0;
            keys += (f->flags & MADI_FLD_KEY) != 0;
            assert_non_null(f->doc);
            if (f->type == MADI_F_CODE && !madi_codelist_find(f->codes))
                fail_msg("%s.%s: no code list '%s'", k->name, f->name, f->codes);
            if (f->type == MADI_F_REF)
                assert_true(f->ref != MADI_REF_NONE);
            for (size_t j = 0; j < i; j++)
                if (strcmp(k->fields[j].name, f->name) == 0)
                    fail_msg("%s: column %s twice", k->name, f->name);
            /* No two fields share an HXL tag (the first of each list is the one written). */
            for (size_t j = 0; j < i && f->hxl; j++) {
                const char *o = k->fields[j].hxl;
                if (o && strcspn(o, "|") == strcspn(f->hxl, "|") &&
                    strncmp(o, f->hxl, strcspn(o, "|")) == 0)
                    fail_msg("%s: %s and %s share an HXL tag", k->name, k->fields[j].name, f->name);
            }
        }
        assert_true(required >= 1);
        /* A kind without a key must say that identical rows are distinct people. */
        if (!keys)
            fail_msg("%s has no key", k->name);
        for (size_t i = 0; i < k->nsums; i++) {
            const struct madi_sum *s = &k->sums[i];
            int t = madi_kind_field_index(k, s->total);
            assert_true(t >= 0);
            assert_int_equal(k->fields[t].type, MADI_F_COUNT);
            for (size_t j = 0; s->parts[j]; j++) {
                int p = madi_kind_field_index(k, s->parts[j]);
                if (p < 0 || k->fields[p].type != MADI_F_COUNT)
                    fail_msg("%s: part %s is not a count column", k->name, s->parts[j]);
            }
        }
        assert_non_null(k->example);
        for (const char *const *row = k->example; *row; row++)
            if (count_char(*row, ',') + 1 != k->nfields)
                fail_msg("%s: example row has %zu columns, not %zu", k->name,
                         count_char(*row, ',') + 1, k->nfields);
    }
    assert_int_equal(kinds, 19);
}

static void test_find(void **state)
{
    (void)state;
    assert_non_null(madi_kind_find("eore"));
    assert_non_null(madi_kind_find("EORE-Attendance"));
    assert_non_null(madi_kind_find("land_release"));
    assert_null(madi_kind_find("eore-"));
    assert_null(madi_kind_find(""));
    const struct madi_kind *k = madi_kind_find("eore");
    assert_int_equal(madi_kind_field_index(k, "session_id"), 0);
    assert_int_equal(madi_kind_field_index(k, "nope"), -1);
}

static char *capture(int (*fn)(const struct madi_kind *, unsigned, FILE *),
                     const struct madi_kind *k, unsigned flags)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(fn(k, flags, f), 0);
    assert_int_equal(fclose(f), 0);
    return buf;
}

static int doc(const struct madi_kind *k, unsigned flags, FILE *f)
{
    (void)flags;
    return madi_kind_write_doc(k, f);
}

static void test_template_and_doc(void **state)
{
    (void)state;
    const struct madi_kind *k = madi_kind_find("training");
    char *t = capture(madi_kind_write_template, k, 0);
    assert_string_equal(t, "training_id,date,organisation,topic,team,participants,female,male,"
                           "sex_unknown\n#activity+id,#date,#org+code,#activity+topic,"
                           "#group+team+id,#reached+ind,#reached+f,#reached+m,#reached+unknown\n");
    free(t);
    t = capture(madi_kind_write_template, k, MADI_TEMPLATE_NO_HXL | MADI_TEMPLATE_EXAMPLE);
    assert_string_equal(t, "training_id,date,organisation,topic,team,participants,female,male,"
                           "sex_unknown\nTR-001,2025-01-20,OP-A,gd_data_collection,TEAM-01,4,2,2,"
                           "0\n");
    free(t);
    t = capture(doc, k, 0);
    assert_non_null(strstr(t, "By sex: female + male + sex_unknown = participants"));
    assert_non_null(strstr(t, "topic: gd_data_collection (gender and diversity-sensitive data "
                              "collection)"));
    assert_non_null(strstr(t, "Blank means not reported; 0 means none"));
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_definitions_are_consistent),
        cmocka_unit_test(test_find),
        cmocka_unit_test(test_template_and_doc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
