/*
 * Unit tests for report.c and render.c on a small programme whose counts were chosen so that
 * disclosure control must act: which cells a public report hides, that a share of a hidden
 * count is hidden too, and that the writers never print what is hidden. The attack on whole
 * reports is tests/e2e/report.sh.
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

#include "madi/catalog.h"
#include "madi/import.h"
#include "madi/indicators.h"
#include "madi/report.h"

#include "report_int.h"
#include "testutil.h"

static char dir[] = "/tmp/madi-test-report-XXXXXX";

struct fx {
    struct madi_store *s;
    struct madi_ind_catalogue *c;
};

/* One session in each of two districts. North: girls 3, boys 10, women 12, men 20 (45);
 * South: girls 8, boys 9, women 11, men 7 (35). */
static const struct {
    const char *kind, *csv;
} fixture[] = {
    { "organisation", "code,name\nOP-A,Alpha\n" },
    { "area", "code,name,level,parent\nXX,Country,0,\nXX01,North,1,XX\nXX02,South,1,XX\n" },
    { "eore", "session_id,date,organisation,area,participants,girls,boys,women,men,"
              "sex_age_unknown\n"
              "S1,2025-03-10,OP-A,XX01,45,3,10,12,20,0\n"
              "S2,2025-04-10,OP-A,XX02,35,8,9,11,7,0\n" },
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    struct madi_err err;
    if (!f || !mkdtemp(dir) || madi_catalog_open_or_create(":memory:", &f->s, NULL, &err) ||
        madi_ind_catalogue_new(&f->c, &err))
        return -1;
    for (size_t i = 0; i < sizeof(fixture) / sizeof(fixture[0]); i++) {
        char name[32];
        (void)snprintf(name, sizeof(name), "%zu.csv", i);
        if (test_import_text(f->s, dir, name, fixture[i].kind, fixture[i].csv, NULL, &err))
            return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    char cmd[128];
    madi_ind_catalogue_free(f->c);
    madi_store_close(f->s);
    free(f);
    (void)snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd);
}

static struct madi_report *build(struct fx *f, enum madi_audience a)
{
    struct madi_report_opts o;
    struct madi_report *r = NULL;
    struct madi_err err;
    memset(&o, 0, sizeof(o));
    madi_period_year(2025, &o.period);
    o.audience = a;
    o.today = 20261123;
    if (madi_report_build(f->s, f->c, &o, &r, &err) != MADI_OK)
        fail_msg("%s", err.msg);
    return r;
}

static const struct rtable *table(const struct madi_report *r, const char *id)
{
    for (size_t i = 0; i < r->nt; i++)
        if (strcmp(r->t[i].id, id) == 0)
            return &r->t[i];
    fail_msg("no table %s", id);
    return NULL;
}

static size_t at(const struct rtable *t, const char *a, const char *b)
{
    size_t i = 0, j = 0;
    while (i < t->dims[0].ncats && strcmp(t->dims[0].codes[i], a) != 0)
        i++;
    while (j < t->dims[1].ncats && strcmp(t->dims[1].codes[j], b) != 0)
        j++;
    assert_true(i < t->dims[0].ncats && j < t->dims[1].ncats);
    return i * t->dims[1].ncats + j;
}

static const struct rkpi *kpi(const struct madi_report *r, const char *id)
{
    for (size_t i = 0; i < r->nkpi; i++)
        if (strcmp(r->kpi[i].def->id, id) == 0)
            return &r->kpi[i];
    fail_msg("no indicator %s", id);
    return NULL;
}

static void test_public_hides_and_ties_shares(void **state)
{
    struct fx *f = *state;
    struct madi_report *r = build(f, MADI_AUDIENCE_PUBLIC);
    const struct rtable *sa = table(r, "eore.participants-sex-age");
    /* F/0-17 = 3 + 8 = 11 and every other cell is at least 5: nothing small nationally */
    assert_int_equal(sa->status[at(sa, "F", "0-17")], CS_OK);
    assert_true(sa->value[at(sa, "F", "0-17")] == 11);
    /* by area and sex every cell is at least 15 (North F = 3 + 12), so all published */
    const struct rtable *ar = table(r, "eore.participants-area-sex");
    for (size_t c = 0; c < ar->ncells; c++)
        assert_int_not_equal(ar->status[c], CS_SUPPRESSED);
    assert_true(ar->value[at(ar, "XX01", "F")] == 15);
    /* two sessions that gave no method: 2 is a small count, and so hidden, total and all */
    const struct rtable *se = table(r, "eore.sessions-method");
    assert_int_equal(se->status[at(se, "_U", "_T")], CS_SUPPRESSED);
    assert_int_equal(se->status[at(se, "_T", "_T")], CS_SUPPRESSED);
    /* the internal report keeps everything */
    struct madi_report *in = build(f, MADI_AUDIENCE_INTERNAL);
    for (size_t i = 0; i < in->nt; i++)
        for (size_t c = 0; c < in->t[i].ncells; c++)
            assert_int_not_equal(in->t[i].status[c], CS_SUPPRESSED);
    madi_report_free(in);
    madi_report_free(r);
}

/* Shares whose counts a table hides are hidden with them. */
static void test_share_of_hidden_count(void **state)
{
    struct fx *f = *state;
    struct madi_report_opts o;
    struct madi_report *r = NULL;
    struct madi_err err;
    memset(&o, 0, sizeof(o));
    madi_period_year(2025, &o.period);
    o.area = "XX01"; /* North alone: girls 3 */
    o.today = 20261123;
    assert_int_equal(madi_report_build(f->s, f->c, &o, &r, &err), MADI_OK);
    const struct rtable *sa = table(r, "eore.participants-sex-age");
    assert_int_equal(sa->status[at(sa, "F", "0-17")], CS_SUPPRESSED); /* 3 */
    assert_true(sa->value[at(sa, "F", "0-17")] == 0);                 /* not kept */
    /* eore.share_girls is 3/45: its numerator is that hidden cell */
    assert_int_equal(kpi(r, "eore.share_girls")->status, CS_SUPPRESSED);
    /* every share tied to a hidden cell is hidden: women, boys or men too, if their cell went */
    static const char *const ids[][3] = { { "eore.share_women", "F", "18+" },
                                          { "eore.share_boys", "M", "0-17" },
                                          { "eore.share_men", "M", "18+" } };
    for (size_t i = 0; i < 3; i++)
        if (sa->status[at(sa, ids[i][1], ids[i][2])] == CS_SUPPRESSED)
            assert_int_equal(kpi(r, ids[i][0])->status, CS_SUPPRESSED);
    /* and what is hidden is printed nowhere: 3 girls in North */
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    assert_non_null(mem);
    assert_int_equal(madi_report_write(r, MADI_REPORT_MD, mem, &err), MADI_OK);
    assert_int_equal(fclose(mem), 0);
    assert_null(strstr(buf, "| female | 3 |"));
    assert_non_null(strstr(buf, "| female | c |"));
    free(buf);
    madi_report_free(r);
}

static void note_chart(void *ctx, const char *id, const char *title, const char *section)
{
    (void)title;
    (void)section;
    if (strcmp(id, "eore.participants-sex-age") == 0)
        ++*(int *)ctx;
}

static char *svg_of(const struct madi_report *r, const char *id, int *rc)
{
    char *buf = NULL;
    size_t len = 0;
    struct madi_err err;
    FILE *mem = open_memstream(&buf, &len);
    assert_non_null(mem);
    *rc = madi_report_write_svg(r, id, mem, &err);
    assert_int_equal(fclose(mem), 0);
    return buf;
}

/* A dashboard's chart on its own: a standalone SVG with its styles, drawn from the protected
 * cells (3 girls in North are hidden in public, shown internally). */
static void test_chart_svg(void **state)
{
    struct fx *f = *state;
    struct madi_report_opts o;
    struct madi_report *pub = NULL, *in = NULL;
    struct madi_err err;
    memset(&o, 0, sizeof(o));
    madi_period_year(2025, &o.period);
    o.area = "XX01";
    o.today = 20261123;
    assert_int_equal(madi_report_build(f->s, f->c, &o, &pub, &err), MADI_OK);
    o.audience = MADI_AUDIENCE_INTERNAL;
    assert_int_equal(madi_report_build(f->s, f->c, &o, &in, &err), MADI_OK);
    int seen = 0, rc;
    madi_report_charts(pub, note_chart, &seen);
    assert_int_equal(seen, 1);
    char *p = svg_of(pub, "eore.participants-sex-age", &rc);
    assert_int_equal(rc, MADI_OK);
    assert_int_equal(strncmp(p, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\"", 52),
                     0);
    assert_non_null(strstr(p, "><style>"));
    assert_non_null(strstr(p, "</svg>"));
    /* the girls' bar: the mark, not 3 (and boys 10 and men 20 are there to be drawn) */
    assert_non_null(strstr(p, ">c</text>"));
    assert_null(strstr(p, ">3</text>"));
    char *q = svg_of(in, "eore.participants-sex-age", &rc);
    assert_int_equal(rc, MADI_OK);
    assert_non_null(strstr(q, ">3</text>"));
    free(p);
    free(q);
    free(svg_of(pub, "no.such-table", &rc));
    assert_int_equal(rc, MADI_ENOTFOUND);
    /* no targets in this programme: no indicator line to draw */
    free(svg_of(pub, "kpi:eore.share_women", &rc));
    assert_int_equal(rc, MADI_ENOTFOUND);
    madi_report_free(pub);
    madi_report_free(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_public_hides_and_ties_shares),
        cmocka_unit_test(test_share_of_hidden_count),
        cmocka_unit_test(test_chart_svg),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
