/*
 * Unit tests for the indicator engine (indicators.c, indexpr.c, indcat.c, indtarget.c) and the
 * quality checks, on a small fixture whose every expected value was worked out by hand from
 * the rows below (the arithmetic is written beside each assertion), never taken from madi.
 */
#include <math.h>
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
#include "madi/privacy.h"
#include "madi/quality.h"
#include "madi/store.h"

#include "buf.h"
#include "testutil.h"

static char dir[] = "/tmp/madi-test-ind-XXXXXX";

struct fx {
    struct madi_store *s;
    struct madi_ind_catalogue *c;
};

/* ---- the fixture ---------------------------------------------------------------------------
 * Three operators, two provinces with a district each, and a year (2025) of every kind. */
static const struct {
    const char *kind, *csv;
} fixture[] = {
    { "organisation",
      "code,name,psea_policy,gender_diversity_policy,prequalified,psea_policy_improved,"
      "gender_policy_improved\n"
      "OP-A,Alpha,yes,yes,yes,yes,yes\n"
      "OP-B,Beta,no,unknown,yes,no,\n"
      "OP-C,Gamma,yes,no,no,,\n" },
    { "area", "code,name,level,parent\nXX,Country,0,\nXX01,North,1,XX\nXX02,South,1,XX\n"
              "XX0101,Hill,2,XX01\nXX0201,River,2,XX02\n" },
    { "population", "area,year,sex,age_band,population,with_disability,displaced\n"
                    "XX0101,2025,F,0-17,100,,\n"
                    "XX0101,2025,F,18+,200,20,\n"
                    "XX0101,2025,M,0-17,100,,\n"
                    "XX0101,2025,M,18+,100,,\n"
                    "XX0201,2025,F,18+,100,,\n"
                    "XX0201,2025,M,18+,100,,10\n" },
    { "reporting-plan", "organisation,kind,year,frequency\nOP-A,eore,2025,quarterly\n" },
    { "eore", "session_id,date,organisation,area,participants,girls,boys,women,men,other_sex,"
              "sex_age_unknown,with_disability,without_disability,disability_unknown,displaced\n"
              "S1,2025-03-10,OP-A,XX0101,100,20,25,30,15,0,10,5,80,15,12\n"
              "S2,2025-06-01,OP-B,XX0201,50,,,,,,,,,,\n"
              "S3,2024-12-31,OP-A,XX0101,40,10,10,10,10,,,,,,\n" },
    { "eore-attendance", "date,organisation,area,person_key,sex,age,age_band,disability\n"
                         "2025-03-10,OP-A,XX0101,000000000000000a,F,10,,\n"
                         "2025-04-10,OP-A,XX0101,000000000000000a,F,10,,\n"
                         "2025-04-10,OP-A,XX0101,000000000000000b,M,30,,yes\n"
                         "2025-04-10,OP-A,XX0101,,,,18-24,\n"
                         "2025-05-10,OP-A,XX0101,000000000000000c,U,,,no\n" },
    { "land-release",
      "activity_id,activity,organisation,area,start_date,end_date,area_reduced_m2,"
      "area_cleared_m2,direct_participants,direct_girls,direct_boys,direct_women,direct_men,"
      "direct_sex_age_unknown,direct_with_disability,indirect_participants,"
      "indirect_women_girls,indirect_men_boys,indirect_sex_unknown,count_method\n"
      "L1,clearance,OP-A,XX0101,2025-01-05,2025-02-10,100,400.5,20,5,5,4,4,2,2,100,40,50,10,"
      "headcount\n"
      "L2,nts,OP-B,XX0201,2024-12-20,,,,7,,,,,,,,,,,headcount\n"
      "L3,ts,OP-B,XX0201,2025-05-01,2025-05-02,,1000,10,,,,,,,,,,,household_estimate\n"
      "L4,clearance,OP-B,XX0201,2025-06-01,,,300,50,,,,,,,,,,,headcount\n" },
    { "consultation",
      "meeting_id,date,organisation,area,participants,girls,boys,women,men,sex_age_unknown,"
      "with_disability,without_disability,disability_unknown,minority_members,"
      "priorities_disaggregated\n"
      "C1,2025-02-01,OP-A,XX0101,20,2,0,10,8,0,1,19,0,3,yes\n"
      "C2,2025-02-02,OP-A,XX0101,10,,,5,5,,0,10,,,no\n"
      "C3,2025-02-03,OP-B,XX0201,15,,,,,,,,,,\n" },
    { "survey-team", "team_id,organisation,type,members,female,male,active_from,active_to\n"
                     "T1,OP-A,nts,4,2,2,2024-01-01,\n"
                     "T2,OP-B,nts,3,0,3,2024-01-01,2024-12-31\n"
                     "T3,OP-B,mixed,2,1,1,,\n" },
    { "training", "training_id,date,organisation,topic,team,participants,female,male,sex_unknown\n"
                  "TR1,2025-02-01,OP-A,gd_data_collection,T1,4,2,2,0\n"
                  "TR2,2025-03-01,OP-B,wps,,6,4,1,1\n"
                  "TR3,2025-12-01,OP-B,gd_data_collection,T3,2,1,1,0\n" },
    { "workforce",
      "staff_id,organisation,sex,birth_year,disability,role,leadership,operational,"
      "eod_technical,hire_date,exit_date,exit_reason\n"
      "W1,OP-A,F,1990,no,management,yes,no,no,2020-01-01,,\n"
      "W2,OP-A,M,1985,yes,deminer,no,yes,yes,2021-06-01,2025-06-30,resignation_family\n"
      "W3,OP-A,F,1995,,eod_operator,no,yes,yes,2025-02-01,,\n"
      "W4,OP-B,M,1980,,management,yes,no,no,2019-03-01,2024-12-31,end_of_contract\n"
      "W5,OP-B,F,2000,,surveyor,no,yes,no,2025-03-01,2025-09-30,harassment\n"
      "W6,OP-B,M,1992,no,deminer,no,yes,yes,2018-01-01,,\n" },
    { "casualty", "casualty_id,date,area,victim_type,outcome,sex,age,age_band,civilian_status\n"
                  "K1,2025-01-10,XX0101,direct,injured,F,8,,civilian\n"
                  "K2,2025-02-10,XX0101,direct,killed,M,30,,military\n"
                  "K3,2025-03-10,XX0201,direct,injured,M,,,civilian\n"
                  "K4,2025-04-10,XX0201,indirect,,F,40,,civilian\n"
                  "K5,2025-05-10,XX0201,direct,injured,F,,12-17,civilian\n"
                  "K6,2024-05-10,XX0201,indirect,,F,40,,civilian\n" },
    { "target", "indicator,year,subgroup,target,baseline,baseline_year\n"
                "staff.women_share,2027,all,40,25,2023\n"
                "eore.share_pwd,2025,all,10,1,2023\n"
                "consultation.share_with_pwd,2027,all,60,40,2023\n"
                "casualties.share_children,2027,all,50,80,2023\n"
                "eore.participants,2025,sex=F,60,,\n"
                "eore.share_men,2027,all,20,40,2023\n"
                "no.such,2025,all,1,,\n" },
};

static int group_setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    struct madi_err err;
    if (!f || !mkdtemp(dir))
        return -1;
    if (madi_catalog_open_or_create(":memory:", &f->s, NULL, &err) ||
        madi_ind_catalogue_new(&f->c, &err))
        return -1;
    for (size_t i = 0; i < sizeof(fixture) / sizeof(fixture[0]); i++) {
        char name[32];
        (void)snprintf(name, sizeof(name), "%zu.csv", i);
        if (test_import_text(f->s, dir, name, fixture[i].kind, fixture[i].csv, NULL, &err)) {
            (void)fprintf(stderr, "fixture %s rejected: %s\n", fixture[i].kind, err.msg);
            return -1;
        }
    }
    *state = f;
    return 0;
}

static int group_teardown(void **state)
{
    struct fx *f = *state;
    char cmd[128];
    madi_ind_catalogue_free(f->c);
    madi_store_close(f->s);
    free(f);
    (void)snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd);
}

/* Compute `id` for `period` (and by, area, org); the caller frees the result. */
static struct madi_ind_result *run(struct fx *f, const char *id, const char *period,
                                   const char *by0, const char *by1, const char *area,
                                   const char *org)
{
    struct madi_ind_query q;
    struct madi_err err;
    struct madi_ind_result *r = NULL;
    memset(&q, 0, sizeof(q));
    assert_int_equal(madi_period_parse(period, &q.period, &err), MADI_OK);
    q.by[0] = by0;
    q.by[1] = by1;
    q.area = area;
    q.org = org;
    const struct madi_ind_def *d = madi_ind_catalogue_find(f->c, id);
    if (!d)
        fail_msg("no indicator %s", id);
    if (madi_ind_compute(f->s, d, &q, &r, &err) != MADI_OK)
        fail_msg("%s: %s", id, err.msg);
    return r;
}

#define NEAR(a, b) assert_true(fabs((a) - (b)) < 1e-6)

/* The value of the whole, which must be computable. */
static double total(struct fx *f, const char *id, const char *period)
{
    struct madi_ind_result *r = run(f, id, period, NULL, NULL, NULL, NULL);
    const struct madi_ind_cell *c = madi_ind_result_total(r);
    if (c->status != MADI_IND_OK)
        fail_msg("%s %s: %s (%s)", id, period, madi_ind_status_name(c->status), r->why);
    double v = c->value;
    madi_ind_result_free(r);
    return v;
}

/* The cell whose categories (codes) are a0 (and a1). */
static const struct madi_ind_cell *cell(const struct madi_ind_result *r, const char *a0,
                                        const char *a1)
{
    for (size_t i = 0; i < r->ncells; i++) {
        const struct madi_ind_cell *c = &r->cells[i];
        if (strcmp(r->dims[0].cats[c->cat[0]].code, a0) != 0)
            continue;
        if (a1 && strcmp(r->dims[1].cats[c->cat[1]].code, a1) != 0)
            continue;
        return c;
    }
    fail_msg("no cell %s/%s", a0, a1 ? a1 : "");
    return NULL;
}

/* ---- risk education ------------------------------------------------------------------------ */

static void test_eore_counts_and_shares(void **state)
{
    struct fx *f = *state;
    /* S1 100 + S2 50 (S3 is 2024) */
    NEAR(total(f, "eore.participants", "2025"), 150);
    NEAR(total(f, "eore.participants", "2024"), 40);
    NEAR(total(f, "eore.participants", "2025-Q1"), 100);
    NEAR(total(f, "eore.sessions", "2025"), 2);
    /* shares of the 90 counted by sex and age (S1: 20 + 25 + 30 + 15; S2 was not split) */
    NEAR(total(f, "eore.share_women", "2025"), 100.0 * 30 / 90);
    NEAR(total(f, "eore.share_girls", "2025"), 100.0 * 20 / 90);
    NEAR(total(f, "eore.share_boys", "2025"), 100.0 * 25 / 90);
    NEAR(total(f, "eore.share_men", "2025"), 100.0 * 15 / 90);
    NEAR(total(f, "eore.share_pwd", "2025"), 100.0 * 5 / 85); /* of 5 with + 80 without */
    struct madi_ind_result *sw = run(f, "eore.share_women", "2025", NULL, NULL, NULL, NULL);
    NEAR(madi_ind_result_total(sw)->coverage, 90.0 / 150); /* reported by */
    madi_ind_result_free(sw);

    struct madi_ind_result *r = run(f, "eore.participants", "2025", NULL, NULL, NULL, NULL);
    const struct madi_ind_cell *t = madi_ind_result_total(r);
    /* sex known: girls, boys, women, men, other (20+25+30+15+0) of 150; age: 90 of 150;
     * disability: with + without (5 + 80) of 150 */
    NEAR(t->cov_sex, 90.0 / 150);
    NEAR(t->cov_age, 90.0 / 150);
    NEAR(t->cov_disability, 85.0 / 150);
    /* OP-A's plan wants four quarterly reports in 2025; only Q1 has a session */
    assert_int_equal(r->reports_expected, 4);
    assert_int_equal(r->reports_missing, 3);
    assert_true(t->flags & MADI_IND_INCOMPLETE);
    madi_ind_result_free(r);

    r = run(f, "eore.participants", "2025-Q1", NULL, NULL, NULL, NULL);
    assert_int_equal(r->reports_expected, 1);
    assert_int_equal(r->reports_missing, 0);
    assert_false(madi_ind_result_total(r)->flags & MADI_IND_INCOMPLETE);
    madi_ind_result_free(r);
}

static void test_eore_by_sex_and_age(void **state)
{
    struct fx *f = *state;
    struct madi_ind_result *r = run(f, "eore.participants", "2025", "sex", "age", NULL, NULL);
    assert_int_equal(r->status, MADI_IND_OK);
    NEAR(cell(r, "F", "0-17")->value, 20);
    NEAR(cell(r, "F", "18+")->value, 30);
    NEAR(cell(r, "M", "0-17")->value, 25);
    NEAR(cell(r, "M", "18+")->value, 15);
    NEAR(cell(r, "F", "_T")->value, 50);
    NEAR(cell(r, "M", "_T")->value, 40);
    NEAR(cell(r, "X", "_T")->value, 0);       /* zero is data */
    NEAR(cell(r, "U", "unknown")->value, 10); /* recorded as unknown */
    NEAR(cell(r, "_N", "_N")->value, 50);     /* S2: a total nobody split */
    NEAR(cell(r, "_T", "_T")->value, 150);
    NEAR(cell(r, "_T", "0-17")->value, 45);
    madi_ind_result_free(r);

    /* sex and disability were reported as separate splits: they cannot be crossed */
    r = run(f, "eore.participants", "2025", "sex", "disability", NULL, NULL);
    assert_int_equal(r->status, MADI_IND_NOT_BY);
    assert_non_null(strstr(r->why, "cannot be crossed"));
    madi_ind_result_free(r);
    /* a disaggregation the entry does not list is refused with the list */
    r = run(f, "eore.share_pwd", "2025", "sex", NULL, NULL, NULL);
    assert_int_equal(r->status, MADI_IND_NOT_BY);
    assert_non_null(strstr(r->why, "operator"));
    madi_ind_result_free(r);
}

static void test_eore_filters(void **state)
{
    struct fx *f = *state;
    struct madi_ind_result *r = run(f, "eore.share_women", "2025", "operator", NULL, NULL, NULL);
    NEAR(cell(r, "OP-A", NULL)->value, 100.0 * 30 / 90);
    NEAR(cell(r, "OP-B", NULL)->value, 0.0); /* 0 of 50 (unsplit) */
    assert_int_equal(cell(r, "OP-C", NULL)->status, MADI_IND_ZERO_DENOM);
    madi_ind_result_free(r);
    r = run(f, "eore.share_women", "2025", "area", NULL, NULL, NULL); /* provinces */
    NEAR(cell(r, "XX01", NULL)->value, 100.0 * 30 / 90);
    assert_int_equal(cell(r, "XX02", NULL)->status, MADI_IND_NOT_RECORDED);
    madi_ind_result_free(r);
    r = run(f, "eore.participants", "2025", NULL, NULL, "XX02", NULL);
    NEAR(madi_ind_result_total(r)->value, 50);
    madi_ind_result_free(r);
    r = run(f, "eore.participants", "2025", NULL, NULL, NULL, "OP-A");
    NEAR(madi_ind_result_total(r)->value, 100);
    madi_ind_result_free(r);
    r = run(f, "eore.participants", "2020", NULL, NULL, NULL, NULL);
    assert_int_equal(r->status, MADI_IND_NO_DATA);
    assert_non_null(strstr(r->why, "2020"));
    madi_ind_result_free(r);
}

static void test_unique_people_and_contacts(void **state)
{
    struct fx *f = *state;
    /* keys a (twice), b, c; the keyless row is a contact of nobody we can name */
    NEAR(total(f, "eore.unique_people", "2025"), 3);
    NEAR(total(f, "eore.contacts_per_person", "2025"), 4.0 / 3);
    struct madi_ind_result *r = run(f, "eore.unique_people", "2025", "sex", NULL, NULL, NULL);
    NEAR(cell(r, "F", NULL)->value, 1);
    NEAR(cell(r, "M", NULL)->value, 1);
    NEAR(cell(r, "U", NULL)->value, 1);
    madi_ind_result_free(r);
    r = run(f, "eore.unique_people", "2025", "age", NULL, NULL, NULL);
    NEAR(cell(r, "5-11", NULL)->value, 1);  /* a, age 10 */
    NEAR(cell(r, "25-59", NULL)->value, 1); /* b, age 30 */
    NEAR(cell(r, "_N", NULL)->value, 1);    /* c, no age */
    madi_ind_result_free(r);
}

/* ---- land release and consultations -------------------------------------------------------- */

static void test_land_release(void **state)
{
    struct fx *f = *state;
    /* L1 20 + L3 10; L2 ended in no year yet, L4 is still going: neither released anything */
    NEAR(total(f, "lr.direct_beneficiaries", "2025"), 30);
    NEAR(total(f, "lr.indirect_beneficiaries", "2025"), 100); /* L3 left it blank */
    /* of L1's 18 split by sex (L3's 10 were not); of L1's 20 whose disability it gave */
    NEAR(total(f, "lr.share_women_girls_direct", "2025"), 100.0 * 9 / 18);
    NEAR(total(f, "lr.share_pwd_direct", "2025"), 100.0 * 2 / 20);
    NEAR(total(f, "lr.area_released_m2", "2025"), 100 + 400.5 + 1000);
    struct madi_ind_result *r = run(f, "lr.area_released_m2", "2025", NULL, NULL, NULL, NULL);
    assert_true(madi_ind_result_total(r)->flags & MADI_IND_ESTIMATED); /* L3 */
    madi_ind_result_free(r);
    r = run(f, "lr.share_pwd_direct", "2025", NULL, NULL, NULL, NULL);
    /* L1 gave "of whom 2 with disabilities": its 20 are known; L3's 10 are not */
    NEAR(madi_ind_result_total(r)->coverage, 20.0 / 30);
    madi_ind_result_free(r);
    r = run(f, "lr.direct_beneficiaries", "2025", "disability", NULL, NULL, NULL);
    NEAR(cell(r, "yes", NULL)->value, 2);
    NEAR(cell(r, "no", NULL)->value, 18);
    NEAR(cell(r, "_N", NULL)->value, 10);
    madi_ind_result_free(r);
}

static void test_consultations(void **state)
{
    struct fx *f = *state;
    NEAR(total(f, "consultation.share_with_women", "2025"), 100.0); /* C1, C2 of C1, C2 */
    NEAR(total(f, "consultation.share_with_boys", "2025"), 0.0);    /* C1 had 0 boys */
    NEAR(total(f, "consultation.share_with_pwd", "2025"), 50.0);    /* C1 of C1, C2 */
    NEAR(total(f, "consultation.share_with_minority", "2025"), 100.0);
    NEAR(total(f, "consultation.share_with_men", "2025"), 100.0);   /* C1 8, C2 5 */
    NEAR(total(f, "consultation.share_with_girls", "2025"), 100.0); /* C1 2; C2 did not say */
    NEAR(total(f, "consultation.share_inclusive_all", "2025"), 0.0);
    NEAR(total(f, "consultation.share_priorities_saddd", "2025"), 50.0);
    struct madi_ind_result *r =
            run(f, "consultation.share_with_women", "2025", NULL, NULL, NULL, NULL);
    NEAR(madi_ind_result_total(r)->coverage, 2.0 / 3); /* C3 did not say */
    assert_true(madi_ind_result_total(r)->flags & MADI_IND_SMALL);
    madi_ind_result_free(r);
}

/* ---- teams, training, workforce ------------------------------------------------------------ */

static void test_teams_and_training(void **state)
{
    struct fx *f = *state;
    NEAR(total(f, "teams.share_trained_gd", "2025"), 100.0);   /* T1, T3 active and trained */
    NEAR(total(f, "teams.share_trained_gd", "2025-Q1"), 50.0); /* T3 trained in December */
    NEAR(total(f, "training.staff_trained_wps", "2025"), 6);
    NEAR(total(f, "training.share_staff_trained_wps", "2025"), 100.0 * 6 / 3);
    struct madi_ind_result *r =
            run(f, "training.staff_trained_wps", "2025", "sex", NULL, NULL, NULL);
    NEAR(cell(r, "F", NULL)->value, 4);
    NEAR(cell(r, "M", NULL)->value, 1);
    NEAR(cell(r, "U", NULL)->value, 1);
    madi_ind_result_free(r);
}

static void test_workforce(void **state)
{
    struct fx *f = *state;
    /* employed at the end of 2025: W1 (F), W3 (F), W6 (M) */
    NEAR(total(f, "staff.women_share", "2025"), 100.0 * 2 / 3);
    NEAR(total(f, "staff.women_share_leadership", "2025"), 100.0); /* W1 of W1 */
    NEAR(total(f, "staff.women_in_leadership", "2025"), 50.0);     /* W1 of W1, W3 */
    NEAR(total(f, "staff.women_share_operational", "2025"), 50.0); /* W3 of W3, W6 */
    NEAR(total(f, "staff.women_share_eod", "2025"), 50.0);         /* W3 of W3, W6 */
    NEAR(total(f, "staff.women_in_eod", "2025"), 50.0);            /* W3 of W1, W3 */
    NEAR(total(f, "staff.women_share_new_hires", "2025"), 100.0);  /* W3, W5 */
    /* employed at the start: W1, W2, W6; still at the end: W1, W6; left: W2, W5 */
    NEAR(total(f, "staff.retention_rate", "2025"), 100.0 * 2 / 3);
    NEAR(total(f, "staff.exit_rate", "2025"), 100.0 * 1 / 3); /* W2 (W5 came in 2025) */
    NEAR(total(f, "staff.share_pwd", "2025"), 0.0);
    NEAR(total(f, "staff.headcount", "2025"), 3); /* W1, W3, W6 */
    struct madi_ind_result *r = run(f, "staff.share_pwd", "2025", NULL, NULL, NULL, NULL);
    NEAR(madi_ind_result_total(r)->cov_disability, 2.0 / 3); /* W3 blank */
    madi_ind_result_free(r);
    r = run(f, "staff.exits_by_reason", "2025", "exit_reason", "sex", NULL, NULL);
    NEAR(cell(r, "resignation_family", "M")->value, 1);
    NEAR(cell(r, "harassment", "F")->value, 1);
    NEAR(cell(r, "end_of_contract", "_T")->value, 0); /* W4 left in 2024 */
    madi_ind_result_free(r);
    r = run(f, "staff.retention_rate", "2025", "sex", NULL, NULL, NULL);
    NEAR(cell(r, "F", NULL)->value, 100.0); /* W1 of W1 */
    NEAR(cell(r, "M", NULL)->value, 50.0);  /* W6 of W2, W6 */
    madi_ind_result_free(r);
}

/* ---- victims, operators, equity, SADDD coverage --------------------------------------------- */

static void test_casualties(void **state)
{
    struct fx *f = *state;
    NEAR(total(f, "casualties.total", "2025"), 5);
    NEAR(total(f, "casualties.share_children", "2025"), 100.0 * 2 / 3); /* K1, K5 of K1,K2,K5 */
    NEAR(total(f, "casualties.share_civilian", "2025"), 75.0);          /* 3 of 4 direct */
    NEAR(total(f, "casualties.share_women_girls", "2025"), 50.0);       /* K1, K5 of 4 */
    struct madi_ind_result *r = run(f, "casualties.share_children", "2025", NULL, NULL, NULL, NULL);
    NEAR(madi_ind_result_total(r)->coverage, 3.0 / 4); /* K3's age is not known */
    madi_ind_result_free(r);
    r = run(f, "casualties.total", "2025", "sex", NULL, NULL, NULL);
    NEAR(cell(r, "F", NULL)->value, 3);
    NEAR(cell(r, "M", NULL)->value, 2);
    madi_ind_result_free(r);
    /* 2024 has only an indirect victim: no direct casualty to take a share of */
    r = run(f, "casualties.share_children", "2024", NULL, NULL, NULL, NULL);
    assert_int_equal(r->status, MADI_IND_ZERO_DENOM);
    assert_non_null(strstr(r->why, "denominator is zero"));
    madi_ind_result_free(r);
}

static void test_operators(void **state)
{
    struct fx *f = *state;
    NEAR(total(f, "org.share_psea", "2025"), 100.0 * 2 / 3);    /* A, C of A, B, C */
    NEAR(total(f, "org.share_gender_policy", "2025"), 50.0);    /* A of A, C */
    NEAR(total(f, "org.share_improved_psea", "2025"), 50.0);    /* A of A, B */
    NEAR(total(f, "org.share_improved_gender", "2025"), 100.0); /* A of A */
    /* the fixture never says whether anyone has a safeguarding policy or a data SOP */
    static const char *const silent[] = { "org.share_safeguarding", "org.share_data_protection" };
    for (size_t i = 0; i < 2; i++) {
        struct madi_ind_result *rs = run(f, silent[i], "2025", NULL, NULL, NULL, NULL);
        assert_int_equal(rs->status, MADI_IND_NOT_RECORDED);
        madi_ind_result_free(rs);
    }
    struct madi_ind_result *r = run(f, "org.share_gender_policy", "2025", NULL, NULL, NULL, NULL);
    NEAR(madi_ind_result_total(r)->coverage, 2.0 / 3); /* B answered unknown */
    madi_ind_result_free(r);
}

static void test_equity(void **state)
{
    struct fx *f = *state;
    /* women: 30 of the 90 counted by sex and age against 300/700 of the population */
    NEAR(total(f, "equity.representation_women_eore", "2025"), (30.0 / 90) / (300.0 / 700));
    /* persons with disabilities: 5 of 85 asked against 20/200 where the baseline says */
    NEAR(total(f, "equity.representation_pwd_eore", "2025"), (5.0 / 85) / (20.0 / 200));
    /* girls, boys, men: of the 90 counted, against the 700 of the population */
    NEAR(total(f, "equity.representation_girls_eore", "2025"), (20.0 / 90) / (100.0 / 700));
    NEAR(total(f, "equity.representation_boys_eore", "2025"), (25.0 / 90) / (100.0 / 700));
    NEAR(total(f, "equity.representation_men_eore", "2025"), (15.0 / 90) / (200.0 / 700));
    /* land release: 9 women and girls of L1's 18, against 400 of 700 */
    NEAR(total(f, "equity.representation_women_lr", "2025"), (9.0 / 18) / (400.0 / 700));
    /* displaced: 12/100 (S2 did not say) against 10/100 */
    NEAR(total(f, "equity.representation_displaced_eore", "2025"), (12.0 / 100) / (10.0 / 100));
    struct madi_ind_result *r =
            run(f, "equity.representation_women_eore", "2025", "area", NULL, NULL, NULL);
    NEAR(cell(r, "XX01", NULL)->value, (30.0 / 90) / (200.0 / 500));
    assert_int_equal(cell(r, "XX02", NULL)->status, MADI_IND_NOT_RECORDED); /* S2 unsplit */
    madi_ind_result_free(r);
    r = run(f, "equity.representation_women_eore", "2024", NULL, NULL, NULL, NULL);
    assert_int_equal(r->status, MADI_IND_NO_BASELINE); /* population only for 2025 */
    assert_non_null(strstr(r->why, "baseline"));
    madi_ind_result_free(r);
}

static void test_saddd_coverage(void **state)
{
    struct fx *f = *state;
    /* split into girls/boys/women/men: eore 90, consultations 20 + 10, land release 18;
     * of eore 150, consultations 45, land release 30 */
    NEAR(total(f, "data.saddd_coverage", "2025"), 100.0 * 138 / 225);
    /* disability given: eore 5 + 80, C1 1 + 19, C2 0 + 10; of eore 150 and consultations 45 */
    NEAR(total(f, "data.saddd_coverage_disability", "2025"), 100.0 * 115 / 195);
    struct madi_ind_result *r = run(f, "data.saddd_coverage", "2025", "operator", NULL, NULL, NULL);
    NEAR(cell(r, "OP-A", NULL)->value, 100.0 * 138 / 150);
    NEAR(cell(r, "OP-B", NULL)->value, 0.0); /* coverage itself: nothing split is 0% */
    madi_ind_result_free(r);
    /* a count that selects by sex and age says how much of its base was split at all */
    r = run(f, "lr.direct_beneficiaries", "2025", "operator", NULL, NULL, NULL);
    NEAR(cell(r, "OP-B", NULL)->cov_sex, 0.0); /* L3's 10, unsplit */
    madi_ind_result_free(r);
}

/* ---- targets -------------------------------------------------------------------------------- */

static void test_targets(void **state)
{
    struct fx *f = *state;
    struct madi_ind_query q;
    struct madi_target_progress *p = NULL;
    struct madi_err err;
    size_t n = 0;
    memset(&q, 0, sizeof(q));
    madi_period_year(2025, &q.period);
    assert_int_equal(madi_ind_targets(f->s, f->c, &q, &p, &n, &err), MADI_OK);
    assert_int_equal(n, 7);
    int seen = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(p[i].indicator, "staff.women_share") == 0) {
            assert_int_equal(p[i].state, MADI_TARGET_ACHIEVED); /* 66.7 >= 40 */
            seen++;
        } else if (strcmp(p[i].indicator, "eore.share_pwd") == 0) {
            NEAR(p[i].expected, 10); /* the target year itself */
            assert_int_equal(p[i].state, MADI_TARGET_OFF_TRACK);
            seen++;
        } else if (strcmp(p[i].indicator, "consultation.share_with_pwd") == 0) {
            NEAR(p[i].expected, 50);                            /* 40 + (60 - 40) * 2/4 */
            assert_int_equal(p[i].state, MADI_TARGET_ON_TRACK); /* 50 >= 50 */
            seen++;
        } else if (strcmp(p[i].indicator, "casualties.share_children") == 0) {
            NEAR(p[i].expected, 65); /* 80 - 30 * 2/4; lower is better */
            assert_int_equal(p[i].state, MADI_TARGET_OFF_TRACK); /* 66.7 > 65 */
            seen++;
        } else if (strcmp(p[i].indicator, "eore.participants") == 0) {
            assert_true(p[i].has_value);
            NEAR(p[i].value, 50); /* women and girls: 30 + 20 */
            assert_int_equal(p[i].state, MADI_TARGET_OFF_TRACK);
            seen++;
        } else if (strcmp(p[i].indicator, "eore.share_men") == 0) {
            /* direction none: the target below its baseline says lower; 15/90 <= 20 */
            assert_int_equal(p[i].state, MADI_TARGET_ACHIEVED);
            seen++;
        } else if (strcmp(p[i].indicator, "no.such") == 0) {
            assert_int_equal(p[i].state, MADI_TARGET_UNKNOWN);
            assert_non_null(strstr(p[i].why, "catalogue"));
            seen++;
        }
    }
    assert_int_equal(seen, 7);
    free(p);
}

/* ---- the catalogue -------------------------------------------------------------------------- */

struct issues {
    char text[4096];
    int n;
};

static void on_issue(void *ctx, const struct madi_ind_issue *is)
{
    struct issues *x = ctx;
    size_t l = strlen(x->text);
    (void)snprintf(x->text + l, sizeof(x->text) - l, "%d:%s\n", is->line, is->msg);
    x->n++;
}

static void test_catalogue_rejects(void **state)
{
    static const struct {
        const char *text, *want;
        int line;
    } bad[] = {
        { "[a]\ntitle = t\npillar = eore\nunit = count\nnumerator = sum(sessions.participants)\n",
          "not a kind", 5 },
        { "[a]\ntitle = t\npillar = eore\nunit = count\nnumerator = sum(eore.attendees)\n",
          "no field 'attendees'", 5 },
        { "[a]\ntitle = t\npillar = eore\nunit = count\n"
          "numerator = sum(eore.participants where sex = Q)\n",
          "not a code", 5 },
        { "[a]\ntitle = t\npillar = eore\nunit = count\nnumerator = count(eore.participants)\n",
          "takes no field", 5 },
        { "[a]\ntitle = t\npillar = eore\nunit = count\n"
          "numerator = sum(eore.participants where sex = F and disability = yes)\n",
          "cannot be combined", 5 },
        { "[a]\ntitle = t\npillar = eore\nunit = count\n"
          "numerator = sum(eore.participants where age >= 25)\n",
          "under 18", 5 },
        { "[a]\ntitle = t\npillar = eore\nunit = percent\nnumerator = count(casualty)\n",
          "needs a denominator", 1 },
        { "[a]\npillar = eore\nunit = count\nnumerator = count(casualty)\n", "no title", 1 },
        { "[a]\ntitle = t\npillar = sports\nunit = count\nnumerator = count(casualty)\n",
          "'sports' is not one of", 3 },
        { "[a]\ntitle = t\npillar = eore\nunit = count\nnumerator = count(casualty)\ncolour = "
          "red\n",
          "not a catalogue key", 6 },
        { "[a]\ntitle = t\npillar = eore\nunit = count\nnumerator = count(casualty)\n"
          "by = operator\n",
          "cannot be split by operator", 6 },
        { "[A B]\ntitle = t\n", "an entry starts with [id]", 1 },
        { "[a]\ntitle = t\npillar = eore\nunit = count\nnumerator = count(casualty)\n[a]\n",
          "defined twice", 6 },
        { "[a]\ntitle = t\npillar = eore\nunit = count\n"
          "numerator = count(casualty where sex = F and sex = F and sex = F and sex = F and sex = "
          "F and sex = F and sex = F and sex = F and sex = F and sex = F and sex = F and sex = F "
          "and outcome = killed)\n",
          "at most 12 conditions", 5 },
        { "[a]\ntitle = t\npillar = eore\nunit = count\n"
          "numerator = count(casualty where age in (1, 2))\n",
          "age is compared with", 5 },
        { "[a]\ntitle = t\npillar = eore\nunit = percent\nnumerator = sum(eore.participants)\n"
          "denominator = sum(eore.participants)\nuniverse = count(casualty)\nby = method\n",
          "cannot be split by method", 8 },
        { "[a]\ntitle = t\npillar = eore\nunit = count\n"
          "numerator = count(workforce[someday])\n",
          "no period rule 'someday'", 5 },
    };
    struct fx *f = *state;
    size_t before = madi_ind_catalogue_count(f->c);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct issues x;
        struct madi_err err;
        char want[64];
        memset(&x, 0, sizeof(x));
        int rc = madi_ind_catalogue_add_text(f->c, bad[i].text, strlen(bad[i].text), "t.ini",
                                             on_issue, &x, &err);
        assert_int_equal(rc, MADI_EREJECTED);
        if (!strstr(x.text, bad[i].want))
            fail_msg("case %zu: wanted '%s', got:\n%s", i, bad[i].want, x.text);
        (void)snprintf(want, sizeof(want), "%d:", bad[i].line);
        if (strncmp(x.text, want, strlen(want)) != 0)
            fail_msg("case %zu: wanted line %d, got:\n%s", i, bad[i].line, x.text);
    }
    assert_int_equal(madi_ind_catalogue_count(f->c), before); /* nothing was added */
}

static const char mine[] = "# a centre's own indicator\n"
                           "[my.girls_consulted]\n"
                           "title = Girls' share of consultation participants\n"
                           "pillar = land-release\n"
                           "unit = percent\n"
                           "numerator = sum(consultation.participants where sex = F and\n"
                           "  age < 18)\n"
                           "denominator = sum(consultation.participants)\n"
                           "by = operator\n";

static void test_catalogue_add_and_store(void **state)
{
    struct fx *f = *state;
    struct madi_err err;
    struct issues x;
    size_t added = 0;
    memset(&x, 0, sizeof(x));
    assert_int_equal(madi_ind_store_text(f->s, mine, strlen(mine), "mine.ini", "test", on_issue, &x,
                                         &added, &err),
                     MADI_OK);
    assert_int_equal(added, 1);
    struct madi_ind_catalogue *c = NULL;
    assert_int_equal(madi_ind_catalogue_new(&c, &err), MADI_OK);
    assert_null(madi_ind_catalogue_find(c, "my.girls_consulted"));
    assert_int_equal(madi_ind_catalogue_add_stored(c, f->s, &err), MADI_OK);
    const struct madi_ind_def *d = madi_ind_catalogue_find(c, "my.girls_consulted");
    assert_non_null(d);
    struct madi_ind_query q;
    struct madi_ind_result *r = NULL;
    memset(&q, 0, sizeof(q));
    madi_period_year(2025, &q.period);
    assert_int_equal(madi_ind_compute(f->s, d, &q, &r, &err), MADI_OK);
    NEAR(madi_ind_result_total(r)->value, 100.0 * 2 / 45); /* C1's 2 girls of 20 + 10 + 15 */
    madi_ind_result_free(r);
    madi_ind_catalogue_free(c);
    /* a built-in id cannot be replaced */
    static const char clash[] = "[eore.participants]\ntitle = t\npillar = eore\nunit = count\n"
                                "numerator = count(casualty)\n";
    assert_int_equal(madi_ind_store_text(f->s, clash, strlen(clash), "c.ini", "test", on_issue, &x,
                                         &added, &err),
                     MADI_ECONFLICT);
    assert_non_null(strstr(err.msg, "built-in"));
}

/* An entry with as many parameters as a term can take computes (each value is a parameter). */
static void test_many_parameters(void **state)
{
    struct fx *f = *state;
    struct madi_buf b = MADI_BUF_INIT;
    struct madi_err err;
    (void)madi_buf_adds(&b, "[my.many]\ntitle = t\npillar = eore\nunit = count\n"
                            "numerator = sum(eore.participants where ");
    for (int i = 0; i < 12; i++)
        (void)madi_buf_addf(&b,
                            "%smethod in (interpersonal, community, media, digital, "
                            "interpersonal, community, media, digital)",
                            i ? " and " : "");
    (void)madi_buf_adds(&b, ")\nby = operator\n");
    struct madi_ind_catalogue *c = NULL;
    assert_int_equal(madi_ind_catalogue_new(&c, &err), MADI_OK);
    assert_int_equal(madi_ind_catalogue_add_text(c, b.data, b.len, "many", NULL, NULL, &err),
                     MADI_OK);
    struct madi_ind_query q;
    struct madi_ind_result *r = NULL;
    memset(&q, 0, sizeof(q));
    madi_period_year(2025, &q.period);
    q.area = "XX";
    q.by[0] = "operator";
    assert_int_equal(madi_ind_compute(f->s, madi_ind_catalogue_find(c, "my.many"), &q, &r, &err),
                     MADI_OK);
    assert_int_equal(r->status, MADI_IND_OK);
    NEAR(madi_ind_result_total(r)->value, 0); /* no session of the fixture gives a method */
    madi_ind_result_free(r);
    madi_ind_catalogue_free(c);
    madi_buf_release(&b);
}

/* Every built-in entry computes on an empty database, and says there is no data. */
static void test_builtin_on_empty(void **state)
{
    struct fx *f = *state;
    struct madi_store *s = NULL;
    struct madi_err err;
    assert_int_equal(madi_catalog_open_or_create(":memory:", &s, NULL, &err), MADI_OK);
    assert_true(madi_ind_catalogue_count(f->c) >= 50);
    for (size_t i = 0; i < madi_ind_catalogue_count(f->c); i++) {
        const struct madi_ind_def *d = madi_ind_catalogue_get(f->c, i);
        if (strncmp(d->id, "my.", 3) == 0)
            continue;
        struct madi_ind_query q;
        struct madi_ind_result *r = NULL;
        memset(&q, 0, sizeof(q));
        madi_period_year(2025, &q.period);
        if (madi_ind_compute(s, d, &q, &r, &err) != MADI_OK)
            fail_msg("%s: %s", d->id, err.msg);
        if (r->status == MADI_IND_OK)
            fail_msg("%s computed a value from nothing", d->id);
        madi_ind_result_free(r);
    }
    madi_store_close(s);
}

static void test_periods(void **state)
{
    struct madi_period p;
    struct madi_err err;
    (void)state;
    assert_int_equal(madi_period_parse("2025-Q2", &p, &err), MADI_OK);
    assert_int_equal(p.from, 20250401);
    assert_int_equal(p.to, 20250630);
    assert_int_equal(madi_period_parse("2024-02", &p, &err), MADI_OK);
    assert_int_equal(p.to, 20240229);
    assert_int_equal(madi_period_parse("2025-01-15..2025-03-01", &p, &err), MADI_OK);
    assert_int_equal(p.from, 20250115);
    assert_int_equal(p.to, 20250301);
    static const char *const bad[] = { "2025-Q5", "2025-13", "abc", "2025-03-01..2025-01-01",
                                       "20255",   "" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(madi_period_parse(bad[i], &p, &err), MADI_EINVAL);
    struct madi_period parts[8];
    assert_int_equal(madi_period_parse("2023-06-01..2025-03-31", &p, &err), MADI_OK);
    assert_int_equal(madi_period_split(&p, parts, 8), 3);
    assert_int_equal(parts[0].from, 20230601);
    assert_int_equal(parts[2].to, 20250331);
    assert_string_equal(parts[0].label, "2023-06-01..2023-12-31"); /* not "2023" */
    assert_string_equal(parts[1].label, "2024");
    madi_period_year(2025, &p);
    assert_int_equal(madi_period_split(&p, parts, 8), 4);
    assert_int_equal(parts[3].from, 20251001);
}

/* ---- quality -------------------------------------------------------------------------------- */

struct qlog {
    char text[16384];
    int outliers, missing, unsplit;
};

static void on_finding(void *ctx, const struct madi_qfinding *f)
{
    struct qlog *l = ctx;
    size_t n = strlen(l->text);
    (void)snprintf(l->text + n, sizeof(l->text) - n, "%s|%s|%s|%s\n", f->org, f->kind, f->record,
                   f->what);
    l->outliers += f->check == MADI_Q_OUTLIER;
    l->missing += f->check == MADI_Q_COMPLETENESS && f->level == MADI_Q_PROBLEM;
    l->unsplit += f->check == MADI_Q_CONSISTENCY && strstr(f->what, "no split") != NULL;
}

static void test_quality(void **state)
{
    struct fx *f = *state;
    struct madi_period p;
    struct madi_err err;
    struct qlog *l = calloc(1, sizeof(*l));
    assert_non_null(l);
    madi_period_year(2025, &p);
    assert_int_equal(madi_quality_check(f->s, &p, NULL, 20261123, on_finding, l, &err), MADI_OK);
    assert_int_equal(l->missing, 3); /* OP-A's eore for Q2, Q3, Q4 */
    assert_non_null(strstr(l->text, "OP-A|eore|2025-Q2|"));
    /* S2 (OP-B) gave 50 with no split by sex and age, nor by disability */
    assert_non_null(strstr(l->text, "OP-B|eore||1 of 1 risk education sessions give "
                                    "participants with no split by sex and age (50 of 50"));
    assert_int_equal(l->outliers, 0); /* fewer than 8 records per operator */
    free(l);

    /* nine sessions around 11 and one of 200: the one outlier, with its score */
    struct madi_store *s = NULL;
    assert_int_equal(madi_catalog_open_or_create(":memory:", &s, NULL, &err), MADI_OK);
    static const char *const files[][2] = {
        { "organisation", "code,name\nOP-A,Alpha\n" },
        { "area", "code,name,level,parent\nXX,Country,0,\n" },
        { "eore", "session_id,date,organisation,area,participants\n"
                  "A1,2025-01-01,OP-A,XX,10\nA2,2025-01-02,OP-A,XX,11\n"
                  "A3,2025-01-03,OP-A,XX,12\nA4,2025-01-04,OP-A,XX,10\n"
                  "A5,2025-01-05,OP-A,XX,11\nA6,2025-01-06,OP-A,XX,12\n"
                  "A7,2025-01-07,OP-A,XX,10\nA8,2025-01-08,OP-A,XX,11\n"
                  "A9,2025-01-09,OP-A,XX,200\n" },
    };
    for (size_t i = 0; i < 3; i++) {
        char name[32];
        (void)snprintf(name, sizeof(name), "q%zu.csv", i);
        assert_int_equal(test_import_text(s, dir, name, files[i][0], files[i][1], NULL, &err),
                         MADI_OK);
    }
    l = calloc(1, sizeof(*l));
    assert_non_null(l);
    assert_int_equal(madi_quality_check(s, &p, NULL, 20261123, on_finding, l, &err), MADI_OK);
    assert_int_equal(l->outliers, 1);
    /* median 11; deviations 1,0,1,1,0,1,1,0,189: MAD 1; 0.6745 * 189 / 1 = 127.5 */
    assert_non_null(strstr(l->text, "OP-A|eore|A9|participants 200"));
    assert_non_null(strstr(l->text, "modified z-score 127.5"));
    free(l);
    madi_store_close(s);
    NEAR(madi_quality_mz(10, 5, 2), 0.6745 * 5 / 2);
}

/* ---- victim assistance (survivors, needs, referrals) --------------------------------------- */

static void test_victim_assistance(void **state)
{
    static const char *const files[][2] = {
        { "organisation", "code,name\nOP-A,Alpha\n" },
        { "survivor", "survivor_id,name,organisation,date_of_injury,victim_type,outcome,sex,age,"
                      "disability\n"
                      "S1,Karim Haddad,OP-A,2024-11-03,direct,injured,M,11,no\n"
                      "S2,Leila Haddad,OP-A,2024-11-03,indirect,,F,38,no\n"
                      "S3,Amal Saleh,OP-A,2024-12-01,direct,injured,F,25,yes\n" },
        { "consent", "consent_id,survivor_id,scope,given,date,recorded_by\n"
                     "CN1,S1,share_health,yes,2024-11-10,OP-A\n"
                     "CN2,S3,share_health,yes,2024-12-01,OP-A\n" },
        { "need", "need_id,survivor_id,element,date_identified,assessed_by,status\n"
                  "N1,S1,assistive_device,2024-11-10,OP-A,unmet\n"
                  "N2,S1,education,2024-11-10,OP-A,partly_met\n"
                  "N3,S2,psychosocial,2024-11-10,OP-A,unmet\n"
                  "N4,S3,continuing_medical,2024-12-01,OP-A,met\n"
                  "N5,S3,legal,2024-12-05,OP-A,\n" },
        { "referral", "referral_id,survivor_id,need_id,from_organisation,to_provider,"
                      "provider_type,date_referred,due_date,status,outcome,outcome_date\n"
                      "R1,S1,N1,OP-A,REHAB,health,2024-11-12,,completed,service_provided,"
                      "2024-12-01\n"
                      "R2,S1,N2,OP-A,OP-A,internal,2024-11-12,,in_progress,,\n"
                      "R3,S3,N4,OP-A,CLINIC,health,2024-12-02,,completed,service_provided,"
                      "2024-12-12\n"
                      "R4,S3,N4,OP-A,CLINIC,health,2024-12-03,,completed,service_provided,"
                      "2025-01-02\n" },
    };
    struct fx va = { NULL, ((struct fx *)*state)->c };
    struct madi_key *key = NULL;
    struct madi_err err;
    assert_int_equal(madi_catalog_open_or_create(":memory:", &va.s, NULL, &err), MADI_OK);
    assert_int_equal(madi_key_generate(&key, &err), MADI_OK);
    assert_int_equal(madi_privacy_init(va.s, key, "test", &err), MADI_OK);
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char name[32];
        (void)snprintf(name, sizeof(name), "va%zu.csv", i);
        int rc = test_import_text(va.s, dir, name, files[i][0], files[i][1], key, &err);
        if (rc != MADI_OK) {
            madi_store_close(va.s);
            madi_key_free(key);
            fail_msg("%s: %s", files[i][0], err.msg);
        }
    }
    NEAR(total(&va, "va.survivors", "2024"), 3);
    NEAR(total(&va, "va.needs_assessed", "2024"), 5);
    NEAR(total(&va, "va.needs_unmet_share", "2024"), 50.0); /* N1, N3 of N1..N4 */
    NEAR(total(&va, "va.referrals_made", "2024"), 4);
    NEAR(total(&va, "va.referrals_completed_share", "2024"), 75.0); /* R1, R3, R4 */
    /* completed: R1 19 days (Nov 12 to Dec 1), R3 10, R4 30: the median is 19 */
    NEAR(total(&va, "va.days_referral_to_service", "2024"), 19);
    /* S1: Nov 3 to Dec 1 = 28; S3: Dec 1 to its first outcome Dec 12 = 11; S2 had none */
    NEAR(total(&va, "va.days_injury_to_first_assistance", "2024"), (28 + 11) / 2.0);
    struct madi_ind_result *r =
            run(&va, "va.days_referral_to_service", "2024", "sex", NULL, NULL, NULL);
    NEAR(cell(r, "M", NULL)->value, 19);
    NEAR(cell(r, "F", NULL)->value, (10 + 30) / 2.0);
    NEAR(cell(r, "F", NULL)->den, 2); /* a median of two referrals */
    madi_ind_result_free(r);
    r = run(&va, "va.needs_unmet_share", "2024", "sex", NULL, NULL, NULL);
    NEAR(cell(r, "M", NULL)->value, 50.0); /* N1 of N1, N2 */
    NEAR(cell(r, "F", NULL)->value, 50.0); /* N3 of N3, N4 (N5 has no status) */
    NEAR(madi_ind_result_total(r)->coverage, 4.0 / 5);
    madi_ind_result_free(r);
    r = run(&va, "va.survivors", "2024", "sex", "age", NULL, NULL);
    NEAR(cell(r, "F", "25-59")->value, 2);
    NEAR(cell(r, "M", "5-11")->value, 1);
    madi_ind_result_free(r);
    madi_key_free(key);
    madi_store_close(va.s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eore_counts_and_shares),
        cmocka_unit_test(test_eore_by_sex_and_age),
        cmocka_unit_test(test_eore_filters),
        cmocka_unit_test(test_unique_people_and_contacts),
        cmocka_unit_test(test_land_release),
        cmocka_unit_test(test_consultations),
        cmocka_unit_test(test_teams_and_training),
        cmocka_unit_test(test_workforce),
        cmocka_unit_test(test_casualties),
        cmocka_unit_test(test_operators),
        cmocka_unit_test(test_equity),
        cmocka_unit_test(test_saddd_coverage),
        cmocka_unit_test(test_targets),
        cmocka_unit_test(test_catalogue_rejects),
        cmocka_unit_test(test_catalogue_add_and_store),
        cmocka_unit_test(test_builtin_on_empty),
        cmocka_unit_test(test_many_parameters),
        cmocka_unit_test(test_periods),
        cmocka_unit_test(test_quality),
        cmocka_unit_test(test_victim_assistance),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
