/*
 * indsrc.c: how the rows of each kind become the counts indicators are made of. Data only.
 *
 * For kinds that carry counts split by sex and age, each part names its place on the SADDD
 * dimensions: girls are female and under 18, `sex_age_unknown` is explicitly unknown on both,
 * and whatever a total holds beyond the parts given is "not recorded" (the remainder). Splits
 * that were reported separately (sex and age in one, disability in another) cannot be crossed,
 * and the engine says so rather than guessing.
 *
 * Time rules place a row in a period: sessions by their date, land release by the day the task
 * was completed (a task without an end date has released nothing yet; [started] and [reported]
 * also see it), staff by being employed at the end of the period (or at its start, hired,
 * leaving, or leaving after being employed at its start). Registers created only because a
 * report named them (provisional) are not counted as organisations or teams.
 */
#include <string.h>

#include "madi/dim.h"

#include "banned.h"
#include "ind_int.h"

#define F  MADI_SEX_F
#define M  MADI_SEX_M
#define X  MADI_SEX_X
#define U  MADI_SEX_U
#define NR AX_NR
#define NO AX_NONE
#define CH AG_CHILD
#define AD AG_ADULT
#define AU AG_UNKNOWN
#define DY MADI_YES
#define DN MADI_NO
#define DU MADI_UNKNOWN

#define IN_PERIOD(col) "t." col " BETWEEN %F AND %T"

#define SEX_AGE(p)                                                                       \
    {                                                                                    \
        p "participants", { { p "girls", F, CH, NO },           { p "boys", M, CH, NO }, \
                            { p "women", F, AD, NO },           { p "men", M, AD, NO },  \
                            { p "sex_age_unknown", U, AU, NO }, { NULL, NR, NR, NO } },  \
                0                                                                        \
    }
#define SEX_AGE_OTHER(p)                                                                      \
    {                                                                                         \
        p "participants", { { p "girls", F, CH, NO },     { p "boys", M, CH, NO },            \
                            { p "women", F, AD, NO },     { p "men", M, AD, NO },             \
                            { p "other_sex", X, NR, NO }, { p "sex_age_unknown", U, AU, NO }, \
                            { NULL, NR, NR, NO } },                                           \
                0                                                                             \
    }
#define DISABILITY(total)                               \
    {                                                   \
        total,                                          \
                { { "with_disability", NO, NO, DY },    \
                  { "without_disability", NO, NO, DN }, \
                  { "disability_unknown", NO, NO, DU }, \
                  { NULL, NO, NO, NR } },               \
                0                                       \
    }
#define BY_SEX(total)                           \
    {                                           \
        total,                                  \
                { { "female", F, NO, NO },      \
                  { "male", M, NO, NO },        \
                  { "sex_unknown", U, NO, NO }, \
                  { NULL, NR, NO, NO } },       \
                0                               \
    }

/* Ages of individual rows: the exact age, else the recorded band. */
#define ROW_AGE_LO "coalesce(t.age, t.age_band_lo)"
#define ROW_AGE_HI "coalesce(t.age, t.age_band_hi)"
#define SV_AGE_LO  "coalesce(sv.age, sv.age_band_lo)"
/* Each area's latest population figures up to the period's year. */
#define POP_YEAR                                                                         \
    "t.year = (SELECT max(p2.year) FROM population p2 WHERE p2.area_id = t.area_id AND " \
    "p2.year <= %Y)"
#define SV_AGE_HI "coalesce(sv.age, sv.age_band_hi)"

/* clang-format off */
static const struct src sources[] = {
    { "eore", "risk education sessions", SRC_PARTS, "organisation_id", "area_id", NULL, NULL,
      NULL, { { "", IN_PERIOD("date"), "t.date" }, { NULL, NULL, NULL } },
      { SEX_AGE_OTHER(""), DISABILITY("participants") }, 2, { { NULL, NULL, NULL } }, 1,
      "count_method", NULL, NULL, NULL },
    { "eore-attendance", "risk education attendance records", SRC_ROWS, "organisation_id",
      "area_id", ROW_AGE_LO, ROW_AGE_HI, NULL,
      { { "", IN_PERIOD("date"), "t.date" }, { NULL, NULL, NULL } },
      { { NULL, { { NULL, 0, 0, 0 } }, 0 } }, 0, { { NULL, NULL, NULL } }, 2, NULL, NULL, NULL, NULL },
    { "land-release", "land release activities", SRC_PARTS, "organisation_id", "area_id", NULL,
      NULL, NULL,
      { { "", IN_PERIOD("end_date"), "t.end_date" },
        { "started", IN_PERIOD("start_date"), "t.start_date" },
        { "reported", "(t.start_date BETWEEN %F AND %T OR t.end_date BETWEEN %F AND %T)", NULL },
        { NULL, NULL, NULL } },
      { SEX_AGE("direct_"),
        { "direct_participants",
          { { "direct_with_disability", NO, NO, DY }, { NULL, NO, NO, DN } }, 1 },
        { "indirect_participants",
          { { "indirect_women_girls", F, NR, NO },
            { "indirect_men_boys", M, NR, NO },
            { "indirect_sex_unknown", U, NR, NO },
            { NULL, NR, NR, NO } }, 0 } },
      3, { { NULL, NULL, NULL } }, 3, "count_method", NULL, NULL, NULL },
    { "consultation", "community consultations", SRC_PARTS, "organisation_id", "area_id", NULL,
      NULL, NULL, { { "", IN_PERIOD("date"), "t.date" }, { NULL, NULL, NULL } },
      { SEX_AGE_OTHER(""), DISABILITY("participants") }, 2, { { NULL, NULL, NULL } }, 4, NULL,
      NULL, NULL, NULL },
    { "casualty", "casualties", SRC_ROWS, NULL, "area_id", ROW_AGE_LO, ROW_AGE_HI, NULL,
      { { "", IN_PERIOD("date"), "t.date" }, { NULL, NULL, NULL } },
      { { NULL, { { NULL, 0, 0, 0 } }, 0 } }, 0, { { NULL, NULL, NULL } }, 0, NULL, NULL, NULL, NULL },
    { "workforce", "staff records", SRC_ROWS, "organisation_id", NULL,
      "(%Y - t.birth_year)", "(%Y - t.birth_year)", NULL,
      { { "", "t.hire_date <= %T AND (t.exit_date IS NULL OR t.exit_date > %T)",
          "t.hire_date" },
        { "employed_at_start", "t.hire_date < %F AND (t.exit_date IS NULL OR t.exit_date >= %F)",
          NULL },
        { "hired", IN_PERIOD("hire_date"), NULL },
        { "left", IN_PERIOD("exit_date"), NULL },
        { "left_of_start", "t.hire_date < %F AND t.exit_date BETWEEN %F AND %T", NULL },
        { "retained", "t.hire_date < %F AND (t.exit_date IS NULL OR t.exit_date > %T)", NULL },
        { NULL, NULL, NULL } },
      { { NULL, { { NULL, 0, 0, 0 } }, 0 } }, 0, { { NULL, NULL, NULL } }, 5, NULL, NULL, NULL, NULL },
    { "training", "trainings", SRC_PARTS, "organisation_id", NULL, NULL, NULL, NULL,
      { { "", IN_PERIOD("date"), "t.date" }, { NULL, NULL, NULL } },
      { BY_SEX("participants") }, 1, { { NULL, NULL, NULL } }, 6, NULL, NULL, NULL, NULL },
    { "survey-team", "survey teams", SRC_PARTS, "organisation_id", NULL, NULL, NULL,
      "t.provisional = 0",
      { { "", "(t.active_from IS NULL OR t.active_from <= %T) AND "
              "(t.active_to IS NULL OR t.active_to >= %F)", NULL },
        { NULL, NULL, NULL } },
      { BY_SEX("members") }, 1,
      { { "trained", "topic",
          "EXISTS (SELECT 1 FROM training tr WHERE tr.team_id = t.id AND tr.topic = %V "
          "AND tr.date <= %T)" },
        { NULL, NULL, NULL } }, 0, NULL, NULL, NULL, NULL },
    { "organisation", "organisations", SRC_ROWS, "id", NULL, NULL, NULL, "t.provisional = 0",
      { { "", "1 = 1", NULL }, { NULL, NULL, NULL } },
      { { NULL, { { NULL, 0, 0, 0 } }, 0 } }, 0, { { NULL, NULL, NULL } }, 0, NULL, NULL, NULL, NULL },
    { "population", "population baselines", SRC_ROWS, NULL, "area_id", "t.age_band_lo",
      "t.age_band_hi", NULL, { { "", POP_YEAR, NULL }, { NULL, NULL, NULL } },
      { { NULL, { { NULL, 0, 0, 0 } }, 0 } }, 0, { { NULL, NULL, NULL } }, 0, NULL, "year", NULL, NULL },
    /* Victim assistance. Needs and referrals take the sex, age and disability of the survivor
     * they are about; first_assistance is the day the survivor's first completed referral
     * ended (status 4 = completed in the referral_status list). */
    { "survivor", "survivors", SRC_ROWS, "organisation_id", NULL, ROW_AGE_LO, ROW_AGE_HI, NULL,
      { { "", IN_PERIOD("date_of_injury"), NULL }, { "all", "1 = 1", NULL }, { NULL, NULL, NULL } },
      { { NULL, { { NULL, 0, 0, 0 } }, 0 } }, 0,
      { { "first_assistance", NULL,
          "(SELECT min(r.outcome_date) FROM referral r WHERE r.survivor_id = t.survivor_id AND "
          "r.status = 4)" },
        { NULL, NULL, NULL } },
      0, NULL, NULL, NULL, NULL },
    { "need", "survivors' needs", SRC_ROWS, "assessed_by_id", NULL, SV_AGE_LO, SV_AGE_HI, NULL,
      { { "", IN_PERIOD("date_identified"), NULL }, { NULL, NULL, NULL } },
      { { NULL, { { NULL, 0, 0, 0 } }, 0 } }, 0, { { NULL, NULL, NULL } }, 0, NULL, NULL,
      " JOIN survivor sv ON sv.survivor_id = t.survivor_id", "survivor" },
    { "referral", "referrals", SRC_ROWS, "from_organisation_id", NULL, SV_AGE_LO, SV_AGE_HI,
      NULL, { { "", IN_PERIOD("date_referred"), NULL }, { NULL, NULL, NULL } },
      { { NULL, { { NULL, 0, 0, 0 } }, 0 } }, 0, { { NULL, NULL, NULL } }, 0, NULL, NULL,
      " JOIN survivor sv ON sv.survivor_id = t.survivor_id", "survivor" },
};
/* clang-format on */

const struct src *ind_src_find(const char *name)
{
    for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++)
        if (strcmp(sources[i].name, name) == 0)
            return &sources[i];
    return NULL;
}

unsigned ind_partition_axes(const struct src_partition *p)
{
    unsigned has = 0;
    for (const struct src_part *pt = p->parts;; pt++) {
        has |= (pt->sex != AX_NONE ? 1u : 0) | (pt->age != AX_NONE ? 2u : 0) |
               (pt->dis != AX_NONE ? 4u : 0);
        if (!pt->col)
            break;
    }
    return has;
}

const struct madi_kind *ind_src_kind(const struct src *s)
{
    return madi_kind_find(s->name);
}
