/*
 * kinds.c: the definition of every kind of record, and the template and --doc writers that
 * come from it. This file is data first: to add a column, add a line here and the column in a
 * new schema migration (tests/unit/test_kind.c checks the two agree).
 *
 * Conventions: canonical names are lower_snake_case; counts of people split by sex and age use
 * girls/boys (under 18) and women/men (18 and over), the split every treaty table needs; every
 * partition of a total has an explicit unknown part, so the parts can always add up.
 */
#include <ctype.h>
#include <string.h>

#include "madi/kind.h"

#include "banned.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Shared column definitions. */
#define ORG_REQ                                                                                                                                                      \
    {                                                                                                                                                                \
        "organisation", MADI_F_REF, MADI_FLD_REQUIRED, NULL, MADI_REF_ORG, "#org+code|#org",                                                                         \
                "operator|org|organization|organisation code|implementing partner|partner|opérateur|organización|operador|منظمة|الجهة المنفذة|організація|оператор", \
                "code of the organisation that did the work (from the organisation register)",                                                                       \
                NULL                                                                                                                                                 \
    }
#define AREA_REQ                                                                                                                                         \
    {                                                                                                                                                    \
        "area", MADI_F_REF, MADI_FLD_REQUIRED, NULL, MADI_REF_AREA,                                                                                      \
                "#adm2+code|#adm1+code|#adm3+code|#loc+code",                                                                                            \
                "area code|pcode|p-code|district|location|place|admin area|lieu|localité|zone|distrito|lugar|المنطقة|القضاء|الموقع|район|громада|місце", \
                "code (P-code) of the administrative area, at any level, from the area register",                                                        \
                NULL                                                                                                                                     \
    }
#define DATE_REQ(doc)                                                  \
    {                                                                  \
        "date", MADI_F_DATE, MADI_FLD_REQUIRED, NULL, 0, "#date",      \
                "day|activity date|fecha|jour|التاريخ|дата", doc, NULL \
    }
#define COUNT(name, hxl, aliases, doc)                              \
    {                                                               \
        name, MADI_F_COUNT, 0, NULL, 0, hxl, aliases, doc, "people" \
    }
#define COUNT_REQ(name, hxl, aliases, doc)                                          \
    {                                                                               \
        name, MADI_F_COUNT, MADI_FLD_REQUIRED, NULL, 0, hxl, aliases, doc, "people" \
    }
#define CODE(name, list, hxl, aliases, doc)                    \
    {                                                          \
        name, MADI_F_CODE, 0, list, 0, hxl, aliases, doc, NULL \
    }
#define CODE_REQ(name, list, hxl, aliases, doc)                                \
    {                                                                          \
        name, MADI_F_CODE, MADI_FLD_REQUIRED, list, 0, hxl, aliases, doc, NULL \
    }
#define SEX_AGE_COUNTS(p, hp, total_doc)                                                             \
    COUNT_REQ(                                                                                       \
            p "participants", "#reached+ind" hp "|#affected+ind" hp,                                 \
            "total|total participants|participants|participantes|المشاركين|المجموع|учасники|всього", \
            total_doc),                                                                              \
            COUNT(p "girls", "#reached+f+children" hp "|#affected+f+children" hp,                    \
                  "female under 18|female 0-17|filles|niñas|فتيات|дівчата", "girls (under 18)"),     \
            COUNT(p "boys", "#reached+m+children" hp "|#affected+m+children" hp,                     \
                  "male under 18|male 0-17|garçons|garcons|niños|فتيان|хлопці",                      \
                  "boys (under 18)"),                                                                \
            COUNT(p "women", "#reached+f+adults" hp "|#affected+f+adults" hp,                        \
                  "female 18+|female adults|femmes|mujeres|نساء|жінки", "women (18 and over)"),      \
            COUNT(p "men", "#reached+m+adults" hp "|#affected+m+adults" hp,                          \
                  "male 18+|male adults|hommes|hombres|رجال|чоловіки", "men (18 and over)"),         \
            COUNT(p "sex_age_unknown", "#reached+unknown" hp, "unknown|sex or age unknown",          \
                  "people whose sex or age group was not recorded")
#define DISABILITY_COUNTS(p, hp)                                                             \
    COUNT(p "with_disability", "#reached+disabled" hp, "pwd|persons with disabilities",      \
          "persons with disabilities (WG-SS cut-off or the operator's own flag)"),           \
            COUNT(p "without_disability", "#reached+notdisabled" hp, "without disabilities", \
                  "persons without disabilities"),                                           \
            COUNT(p "disability_unknown", "#reached+disability_unknown" hp,                  \
                  "disability not recorded", "people whose disability status was not recorded")
#define INDIVIDUAL_SADDD                                                                             \
    CODE("sex", "sex", "#sex", "gender|sexe|sexo|الجنس|стать",                                       \
         "sex as recorded: F, M, X (other) or U (unknown)"),                                         \
            { "age",                                                                                 \
              MADI_F_AGE,                                                                            \
              0,                                                                                     \
              NULL,                                                                                  \
              0,                                                                                     \
              "#age",                                                                                \
              "age in years|age (years)|âge|Âge|edad|العمر|вік",                                     \
              "age in whole years (0-120), when known",                                              \
              NULL },                                                                                \
            { "age_band",                                                                            \
              MADI_F_AGE_BAND,                                                                       \
              0,                                                                                     \
              NULL,                                                                                  \
              0,                                                                                     \
              "#age+band",                                                                           \
              "age group|age range",                                                                 \
              "age band when the exact age is not known (e.g. 5-11, 60+); must nest in 0-4, 5-11, "  \
              "12-17, 18-24, 25-59, 60+",                                                            \
              NULL },                                                                                \
            CODE("disability", "yesno", "#disabled",                                                 \
                 "pwd|person with disability|handicap|discapacidad|إعاقة|інвалідність",              \
                 "disability status (yes, no, unknown); derived from the WG-SS answers when blank"), \
            CODE("wg_seeing", "wg", "#wg+seeing", NULL, "WG-SS: difficulty seeing (1-4)"),           \
            CODE("wg_hearing", "wg", "#wg+hearing", NULL, "WG-SS: difficulty hearing (1-4)"),        \
            CODE("wg_walking", "wg", "#wg+walking", NULL,                                            \
                 "WG-SS: difficulty walking or climbing (1-4)"),                                     \
            CODE("wg_remembering", "wg", "#wg+remembering", NULL,                                    \
                 "WG-SS: difficulty remembering or concentrating (1-4)"),                            \
            CODE("wg_selfcare", "wg", "#wg+selfcare", NULL,                                          \
                 "WG-SS: difficulty with self-care (1-4)"),                                          \
            CODE("wg_communicating", "wg", "#wg+communicating", NULL,                                \
                 "WG-SS: difficulty communicating (1-4)"),                                           \
            CODE("displacement", "displacement", "#status+displacement", "displacement status",      \
                 "resident, idp, refugee, returnee or unknown"),                                     \
            CODE("minority", "minority", "#group+minority", "minority group|ethnic group",           \
                 "minority or ethnic group (code list 'minority')"),                                 \
            CODE("female_headed_household", "yesno", "#household+female_headed", "fhh",              \
                 "lives in a female-headed household (yes, no, unknown)"),                           \
            CODE("caregiver", "yesno", "#status+caregiver", "carer",                                 \
                 "has caregiving responsibilities (yes, no, unknown)")

/* ---- organisation ------------------------------------------------------------------------ */
static const struct madi_field organisation_fields[] = {
    { "code", MADI_F_ID, MADI_FLD_REQUIRED | MADI_FLD_KEY, NULL, 0, "#org+code",
      "organisation code|org code|acronym", "short unique code of the organisation", NULL },
    { "name", MADI_F_TEXT, MADI_FLD_REQUIRED, NULL, 0, "#org+name", "organisation name|org name",
      "full name", NULL },
    CODE("type", "org_type", "#org+type", "organisation type",
         "ngo, commercial, military, government, un or other"),
    CODE("accreditation", "accreditation", "#status+accreditation", "accreditation status",
         "accredited, provisional, suspended, expired or none"),
    CODE("psea_policy", "yesno", "#indicator+psea", "psea", "has a PSEA policy (yes, no, unknown)"),
    CODE("safeguarding_policy", "yesno", "#indicator+safeguarding", "safeguarding",
         "has a safeguarding policy"),
    CODE("gender_diversity_policy", "yesno", "#indicator+gender_policy",
         "gender policy|gender and diversity policy|equal opportunity policy",
         "has a gender, diversity or equal opportunity policy"),
    CODE("data_protection_sop", "yesno", "#indicator+data_protection", "data protection",
         "has an SOP on data protection and ethics"),
    CODE("prequalified", "yesno", "#indicator+prequalified", "pre-qualified|prequalification",
         "went through the centre's pre-qualification with gender and PSEA criteria"),
    CODE("psea_policy_improved", "yesno", "#indicator+psea+improved", "psea improved",
         "built or improved its PSEA policy after pre-qualification"),
    CODE("gender_policy_improved", "yesno", "#indicator+gender_policy+improved",
         "gender policy improved",
         "built or improved its gender, diversity or equal opportunity policy after "
         "pre-qualification"),
};
static const char *const organisation_example[] = {
    "OP-A,Example Demining Organisation,ngo,accredited,yes,yes,yes,yes,yes,no,yes",
    "OP-B,Example Clearance Ltd,commercial,provisional,yes,no,unknown,no,no,,",
    NULL,
};

/* ---- area -------------------------------------------------------------------------------- */
static const struct madi_field area_fields[] = {
    { "code", MADI_F_ID, MADI_FLD_REQUIRED | MADI_FLD_KEY, NULL, 0, "#loc+code",
      "pcode|p-code|area code", "unique code (P-code) of the area", NULL },
    { "name", MADI_F_TEXT, MADI_FLD_REQUIRED, NULL, 0, "#loc+name", "area name", "name of the area",
      NULL },
    { "level", MADI_F_LEVEL, MADI_FLD_REQUIRED, NULL, 0, "#loc+level", "admin level|adm level",
      "administrative level: 0 country, 1 province, 2 district, ...", NULL },
    { "parent", MADI_F_REF, MADI_FLD_PARENT, NULL, MADI_REF_AREA, "#loc+code+parent",
      "parent code|parent pcode", "code of the area this one lies in (blank for the country)",
      NULL },
};
static const char *const area_example[] = {
    "XX,Example Country,0,",
    "XX01,North Province,1,XX",
    "XX0101,Hill District,2,XX01",
    NULL,
};

/* ---- hazard ------------------------------------------------------------------------------- */
static const struct madi_field hazard_fields[] = {
    { "code", MADI_F_ID, MADI_FLD_REQUIRED | MADI_FLD_KEY, NULL, 0, "#site+code",
      "hazard id|hazard code|hazardous area id", "unique code of the hazardous area", NULL },
    CODE_REQ("type", "hazard_type", "#site+type", "hazard type",
             "SHA (suspected) or CHA (confirmed)"),
    CODE_REQ("status", "hazard_status", "#status", NULL, "open, suspended, closed or released"),
    AREA_REQ,
    { "organisation", MADI_F_REF, 0, NULL, MADI_REF_ORG, "#org+code", "surveyed by|operator",
      "organisation that surveyed it", NULL },
    { "size_m2", MADI_F_DECIMAL, 0, NULL, 0, "#size+m2", "size|area m2|size (m2)",
      "estimated size in square metres", "m2" },
    CODE("device", "device", "#item+type", "device type|contamination",
         "main contamination: landmine, cluster, erw, ied or unknown"),
    { "date_recorded", MADI_F_DATE, 0, NULL, 0, "#date+recorded", "recorded on",
      "date the area was recorded", NULL },
};
static const char *const hazard_example[] = {
    "HA-0001,CHA,open,XX0101,OP-A,25000,landmine,2024-02-01",
    NULL,
};

/* ---- eore (sessions, counts) -------------------------------------------------------------- */
static const struct madi_field eore_fields[] = {
    { "session_id", MADI_F_ID, MADI_FLD_REQUIRED | MADI_FLD_KEY, NULL, 0, "#activity+id",
      "session|session code|session no", "unique id of the risk education session", NULL },
    DATE_REQ("date of the session"),
    ORG_REQ,
    AREA_REQ,
    CODE("method", "eore_method", "#activity+method", "delivery method|channel",
         "interpersonal, community, media or digital"),
    SEX_AGE_COUNTS("", "", "everyone who attended in person"),
    DISABILITY_COUNTS("", ""),
    COUNT("displaced", "#reached+displaced|#reached+idps", "idps|displaced people",
          "of the participants, how many are displaced (IDPs, refugees, returnees)"),
    CODE("count_method", "count_method", "#meta+method", "counting method",
         "headcount, register, household_estimate or media_estimate"),
    COUNT("other_sex", "#reached+i", "other sex|non-binary",
          "people of another sex (neither female nor male), of any age"),
    COUNT("elderly", "#reached+elderly", "older people|60+|elderly people",
          "of the participants, older people (60 and over)"),
    COUNT("refugees", "#reached+refugees", "refugee participants",
          "of the displaced participants, refugees"),
};
static const struct madi_sum eore_sums[] = {
    { "participants",
      { "girls", "boys", "women", "men", "other_sex", "sex_age_unknown", NULL },
      1,
      "sex and age" },
    { "participants",
      { "with_disability", "without_disability", "disability_unknown", NULL },
      1,
      "disability" },
    { "participants", { "displaced", NULL }, 0, "displacement" },
    { "participants", { "elderly", NULL }, 0, "age (60 and over)" },
    { "displaced", { "refugees", NULL }, 0, "displacement (refugees)" },
};
static const char *const eore_example[] = {
    "S-0001,2025-03-14,OP-A,XX0101,interpersonal,120,30,25,40,20,5,6,100,14,12,register,0,9,2",
    "S-0002,2025-03-15,OP-A,XX0101,interpersonal,45,10,12,,,,,,,,headcount,,,",
    NULL,
};

/* ---- eore-attendance (individual rows) ---------------------------------------------------- */
static const struct madi_field eore_attendance_fields[] = {
    { "record_id", MADI_F_ID, MADI_FLD_KEY, NULL, 0, "#meta+id", "id|row id|attendance id",
      "unique id of the attendance record (optional; identical rows without an id are kept as "
      "different people)",
      NULL },
    { "session_id", MADI_F_TEXT, 0, NULL, 0, "#activity+id", "session",
      "id of the session attended", NULL },
    DATE_REQ("date of the session"),
    ORG_REQ,
    AREA_REQ,
    { "person_key", MADI_F_PERSON_KEY, 0, NULL, 0, "#beneficiary+key", "person|pseudonym",
      "pseudonymous person key (16 hex digits) linking the contacts of one person", NULL },
    INDIVIDUAL_SADDD,
    CODE("activity", "eore_method", "#activity+method", "method|delivery method|activity type",
         "how the session was delivered: interpersonal, community, media or digital"),
};
static const char *const eore_attendance_example[] = {
    "A-1,S-0001,2025-03-14,OP-A,XX0101,3f2a9c0d11e4b7a2,F,34,,no,1,1,2,1,1,1,resident,none,yes,yes,"
    "interpersonal",
    "A-2,S-0001,2025-03-14,OP-A,XX0101,8b1c22e0f9a3d415,M,,12-17,unknown,,,,,,,idp,,,,"
    "interpersonal",
    NULL,
};

/* ---- land-release ------------------------------------------------------------------------- */
static const struct madi_field land_release_fields[] = {
    { "activity_id", MADI_F_ID, MADI_FLD_REQUIRED | MADI_FLD_KEY, NULL, 0, "#activity+id",
      "task id|task|activity", "unique id of the activity (task)", NULL },
    CODE_REQ("activity", "lr_activity", "#activity+type", "activity type|task type",
             "nts, ts, clearance or eod"),
    ORG_REQ,
    AREA_REQ,
    { "hazard", MADI_F_REF, 0, NULL, MADI_REF_HAZARD, "#site+code", "hazard id|hazard code",
      "code of the hazardous area worked on (blank for EOD spot tasks)", NULL },
    { "start_date", MADI_F_DATE, MADI_FLD_REQUIRED, NULL, 0, "#date+start", "start|started",
      "date work started", NULL },
    { "end_date", MADI_F_DATE, 0, NULL, 0, "#date+end", "end|completed|completion date",
      "date work ended (blank while ongoing)", NULL },
    { "area_cancelled_m2", MADI_F_DECIMAL, 0, NULL, 0, "#size+m2+cancelled", "cancelled m2",
      "area cancelled by non-technical survey, m2", "m2" },
    { "area_reduced_m2", MADI_F_DECIMAL, 0, NULL, 0, "#size+m2+reduced", "reduced m2",
      "area reduced by technical survey, m2", "m2" },
    { "area_cleared_m2", MADI_F_DECIMAL, 0, NULL, 0, "#size+m2+cleared", "cleared m2",
      "area cleared, m2", "m2" },
    { "devices_destroyed", MADI_F_COUNT, 0, NULL, 0, "#item+destroyed", "items destroyed",
      "explosive items found and destroyed", "items" },
    SEX_AGE_COUNTS("direct_", "+direct", "direct beneficiaries (people who use the released land)"),
    COUNT("direct_with_disability", "#reached+disabled+direct", "direct pwd",
          "of the direct beneficiaries, persons with disabilities"),
    COUNT("indirect_participants", "#reached+ind+indirect", "indirect beneficiaries",
          "indirect beneficiaries (the wider community)"),
    COUNT("indirect_women_girls", "#reached+f+indirect", "indirect female",
          "of the indirect beneficiaries, women and girls"),
    COUNT("indirect_men_boys", "#reached+m+indirect", "indirect male",
          "of the indirect beneficiaries, men and boys"),
    COUNT("indirect_sex_unknown", "#reached+unknown+indirect", "indirect unknown",
          "of the indirect beneficiaries, sex not recorded"),
    CODE("count_method", "count_method", "#meta+method", "counting method",
         "headcount, register, household_estimate or media_estimate"),
};
static const struct madi_sum land_release_sums[] = {
    { "direct_participants",
      { "direct_girls", "direct_boys", "direct_women", "direct_men", "direct_sex_age_unknown",
        NULL },
      1,
      "sex and age" },
    { "direct_participants", { "direct_with_disability", NULL }, 0, "disability" },
    { "indirect_participants",
      { "indirect_women_girls", "indirect_men_boys", "indirect_sex_unknown", NULL },
      1,
      "sex" },
};
static const char *const land_release_example[] = {
    "T-0001,clearance,OP-A,XX0101,HA-0001,2025-01-10,2025-03-02,,4000,21000,37,"
    "340,90,85,80,75,10,12,1200,610,590,,household_estimate",
    NULL,
};

/* ---- consultation ------------------------------------------------------------------------- */
static const struct madi_field consultation_fields[] = {
    { "meeting_id", MADI_F_ID, MADI_FLD_REQUIRED | MADI_FLD_KEY, NULL, 0, "#activity+id",
      "meeting|consultation id", "unique id of the community consultation or liaison meeting",
      NULL },
    DATE_REQ("date of the meeting"),
    ORG_REQ,
    AREA_REQ,
    SEX_AGE_COUNTS("", "", "everyone who took part"),
    DISABILITY_COUNTS("", ""),
    COUNT("minority_members", "#reached+minority", "minority participants",
          "of the participants, members of minority groups"),
    CODE("priorities_disaggregated", "yesno", "#indicator+priorities_saddd",
         "priorities by sex age disability",
         "were the community's priorities recorded by sex, age and disability? (yes, no, unknown)"),
    COUNT("other_sex", "#reached+i", "other sex|non-binary",
          "people of another sex (neither female nor male), of any age"),
    COUNT("elderly", "#reached+elderly", "older people|60+|elderly people",
          "of the participants, older people (60 and over)"),
};
static const struct madi_sum consultation_sums[] = {
    { "participants",
      { "girls", "boys", "women", "men", "other_sex", "sex_age_unknown", NULL },
      1,
      "sex and age" },
    { "participants",
      { "with_disability", "without_disability", "disability_unknown", NULL },
      1,
      "disability" },
    { "participants", { "minority_members", NULL }, 0, "minority" },
    { "participants", { "elderly", NULL }, 0, "age (60 and over)" },
};
static const char *const consultation_example[] = {
    "M-0001,2025-02-20,OP-A,XX0101,26,3,2,12,9,0,2,24,0,4,yes,0,5",
    NULL,
};

/* ---- casualty ------------------------------------------------------------------------------ */
static const struct madi_field casualty_fields[] = {
    { "casualty_id", MADI_F_ID, MADI_FLD_KEY, NULL, 0, "#meta+id", "id|victim id",
      "unique id of the casualty (optional: rows without an id that are identical are kept as "
      "different people and reported)",
      NULL },
    { "incident_id", MADI_F_TEXT, 0, NULL, 0, "#event+id", "accident id|incident",
      "id of the accident or incident", NULL },
    DATE_REQ("date of the accident"),
    AREA_REQ,
    CODE_REQ("victim_type", "victim_type", "#affected+type", "victim", "direct or indirect"),
    CODE("outcome", "outcome", "#affected+outcome", "killed or injured",
         "killed, injured or unknown (direct victims)"),
    INDIVIDUAL_SADDD,
    CODE("civilian_status", "civilian", "#affected+civilian", "status|civilian",
         "civilian, military, deminer or unknown"),
    CODE("device", "device", "#item+type", "device type|item",
         "landmine, cluster, erw, ied or unknown"),
};
static const char *const casualty_example[] = {
    "C-0001,ACC-17,2024-11-03,XX0101,direct,injured,M,11,,yes,,,,,,,resident,none,no,no,civilian,"
    "erw",
    "C-0002,ACC-17,2024-11-03,XX0101,direct,killed,F,,25-59,unknown,,,,,,,idp,,yes,yes,civilian,"
    "erw",
    NULL,
};

/* ---- workforce ----------------------------------------------------------------------------- */
static const struct madi_field workforce_fields[] = {
    { "staff_id", MADI_F_ID, MADI_FLD_REQUIRED | MADI_FLD_KEY, NULL, 0, "#meta+id",
      "staff|employee id|staff no", "unique, pseudonymous staff id (no names)", NULL },
    ORG_REQ,
    CODE("sex", "sex", "#sex", "gender", "F, M, X (other) or U (unknown)"),
    { "birth_year", MADI_F_YEAR, 0, NULL, 0, "#date+birth_year", "year of birth", "year of birth",
      NULL },
    CODE("disability", "yesno", "#disabled", "pwd", "disability status (yes, no, unknown)"),
    CODE_REQ("role", "role", "#role", "position|job|role category",
             "role category: management, deminer, eod_operator, surveyor, community_liaison, "
             "eore_facilitator, medic, support, other"),
    { "grade", MADI_F_TEXT, 0, NULL, 0, "#role+grade", "level|pay grade", "grade or level", NULL },
    CODE("leadership", "yesno", "#role+leadership", "leader|manager",
         "holds a leadership position (yes, no)"),
    CODE("operational", "yesno", "#role+operational", "field|operational role",
         "works in an operational (field) role"),
    CODE("eod_technical", "yesno", "#role+eod", "eod|technical",
         "works in an EOD or other technical role"),
    { "hire_date", MADI_F_DATE, MADI_FLD_REQUIRED, NULL, 0, "#date+hired", "hired|start date",
      "date of hire", NULL },
    { "exit_date", MADI_F_DATE, 0, NULL, 0, "#date+exit", "left|end date|exit",
      "date the person left (blank if still employed)", NULL },
    CODE("exit_reason", "exit_reason", "#status+exit_reason", "reason for leaving",
         "why the person left (from the exit interview)"),
    CODE("displacement", "displacement", "#status+displacement", NULL,
         "resident, idp, refugee, returnee or unknown"),
    CODE("minority", "minority", "#group+minority", "ethnic group", "minority or ethnic group"),
};
static const char *const workforce_example[] = {
    "W-0001,OP-A,F,1990,no,management,P4,yes,no,no,2019-04-01,,,resident,none",
    "W-0002,OP-A,M,1985,no,deminer,G2,no,yes,yes,2020-01-15,2024-06-30,end_of_contract,idp,none",
    NULL,
};

/* ---- survey-team ---------------------------------------------------------------------------- */
static const struct madi_field survey_team_fields[] = {
    { "team_id", MADI_F_ID, MADI_FLD_REQUIRED | MADI_FLD_KEY, NULL, 0, "#group+team+id",
      "team|team code", "unique id of the team", NULL },
    ORG_REQ,
    CODE_REQ("type", "team_type", "#group+team+type", "team type",
             "nts, community_liaison, eore or mixed"),
    COUNT_REQ("members", "#staff+total", "team size", "number of team members"),
    COUNT("female", "#staff+f", "women", "female members"),
    COUNT("male", "#staff+m", "men", "male members"),
    COUNT("sex_unknown", "#staff+unknown", NULL, "members whose sex was not recorded"),
    { "active_from", MADI_F_DATE, 0, NULL, 0, "#date+start", "from", "date the team started",
      NULL },
    { "active_to", MADI_F_DATE, 0, NULL, 0, "#date+end", "to",
      "date the team stopped (blank if active)", NULL },
};
static const struct madi_sum survey_team_sums[] = {
    { "members", { "female", "male", "sex_unknown", NULL }, 1, "sex" },
};
static const char *const survey_team_example[] = {
    "TEAM-01,OP-A,nts,4,2,2,0,2023-01-01,",
    NULL,
};

/* ---- training ------------------------------------------------------------------------------- */
static const struct madi_field training_fields[] = {
    { "training_id", MADI_F_ID, MADI_FLD_REQUIRED | MADI_FLD_KEY, NULL, 0, "#activity+id",
      "training|course id", "unique id of the training session", NULL },
    DATE_REQ("date of the training"),
    ORG_REQ,
    CODE_REQ("topic", "topic", "#activity+topic", "subject|course",
             "gd_data_collection, wps, safeguarding, psea or other"),
    { "team", MADI_F_REF, 0, NULL, MADI_REF_TEAM, "#group+team+id", "team id|survey team",
      "survey team trained, if the training was for one team", NULL },
    COUNT_REQ("participants", "#reached+ind", "total|trained", "people trained"),
    COUNT("female", "#reached+f", "women", "women trained"),
    COUNT("male", "#reached+m", "men", "men trained"),
    COUNT("sex_unknown", "#reached+unknown", NULL, "people trained whose sex was not recorded"),
};
static const struct madi_sum training_sums[] = {
    { "participants", { "female", "male", "sex_unknown", NULL }, 1, "sex" },
};
static const char *const training_example[] = {
    "TR-001,2025-01-20,OP-A,gd_data_collection,TEAM-01,4,2,2,0",
    NULL,
};

/* ---- population ------------------------------------------------------------------------------ */
static const struct madi_field population_fields[] = {
    { "area", MADI_F_REF, MADI_FLD_REQUIRED | MADI_FLD_KEY, NULL, MADI_REF_AREA,
      "#adm2+code|#adm1+code|#loc+code", "area code|pcode", "code of the area", NULL },
    { "year", MADI_F_YEAR, MADI_FLD_REQUIRED | MADI_FLD_KEY, NULL, 0, "#date+year", NULL,
      "year the figure is for", NULL },
    { "sex", MADI_F_CODE, MADI_FLD_REQUIRED | MADI_FLD_KEY, "sex", 0, "#sex", "gender",
      "F, M, X or U", NULL },
    { "age_band", MADI_F_AGE_BAND, MADI_FLD_REQUIRED | MADI_FLD_KEY, NULL, 0, "#age+band",
      "age group", "age band (must nest in the canonical bands)", NULL },
    COUNT_REQ("population", "#population", "people|count", "number of people"),
    CODE("source", "pop_source", "#meta+source", NULL, "census, estimate or projection"),
    COUNT("with_disability", "#population+disabled", "persons with disabilities|pwd",
          "of them, persons with disabilities (a baseline for representation ratios)"),
    COUNT("displaced", "#population+displaced", "idps|displaced people",
          "of them, displaced people (IDPs, refugees, returnees)"),
};
static const struct madi_sum population_sums[] = {
    { "population", { "with_disability", NULL }, 0, "disability" },
    { "population", { "displaced", NULL }, 0, "displacement" },
};
static const char *const population_example[] = {
    "XX0101,2025,F,0-4,2100,projection,,",
    "XX0101,2025,M,0-4,2150,projection,60,300",
    NULL,
};

/* ---- target ---------------------------------------------------------------------------------- */
static const struct madi_field target_fields[] = {
    { "indicator", MADI_F_TEXT, MADI_FLD_REQUIRED | MADI_FLD_KEY, NULL, 0, "#indicator+code",
      "indicator id|kpi|indicateur|indicador",
      "catalogue id of the indicator (madi indicators --list)", NULL },
    { "year", MADI_F_YEAR, MADI_FLD_REQUIRED | MADI_FLD_KEY | MADI_FLD_FUTURE, NULL, 0,
      "#date+year", "target year", "year by which the target is to be reached", NULL },
    { "subgroup", MADI_F_TEXT, MADI_FLD_REQUIRED | MADI_FLD_KEY, NULL, 0, "#group",
      "group|disaggregation|groupe|grupo",
      "'all' for the indicator as a whole, or one category such as sex=F or disability=yes", NULL },
    { "target", MADI_F_DECIMAL, MADI_FLD_REQUIRED, NULL, 0, "#targeted", "target value|objective",
      "the value to reach, in the indicator's unit (a percentage as 40, not 0.4)", NULL },
    { "baseline", MADI_F_DECIMAL, 0, NULL, 0, "#indicator+baseline", "baseline value",
      "the value when the target was set (the start of the trajectory)", NULL },
    { "baseline_year", MADI_F_YEAR, 0, NULL, 0, "#date+baseline", NULL, "year of the baseline",
      NULL },
    { "source", MADI_F_TEXT, 0, NULL, 0, "#meta+source", "document",
      "where the target comes from (strategy, plan, NAP)", NULL },
};
static const char *const target_example[] = {
    "staff.women_share,2027,all,40,25,2023,national mine action strategy 2023-2027",
    "eore.share_pwd,2025,all,10,,,",
    NULL,
};

/* ---- self-assessment ------------------------------------------------------------------------ */
static const struct madi_field self_assessment_fields[] = {
    { "item", MADI_F_TEXT, MADI_FLD_REQUIRED | MADI_FLD_KEY, NULL, 0, "#indicator+code",
      "scorecard item|question", "the scorecard item (madi report lists them in its scorecard)",
      NULL },
    { "date", MADI_F_DATE, MADI_FLD_REQUIRED | MADI_FLD_KEY, NULL, 0, "#date", "assessed on",
      "the day of the assessment", NULL },
    CODE_REQ("answer", "assessment", "#indicator+answer", "response|status",
             "yes, partly, no or not_applicable"),
    { "assessed_by", MADI_F_TEXT, 0, NULL, 0, "#org+assessor", "by|assessor",
      "who answered (a body or a role, not a person's name)", NULL },
    { "note", MADI_F_TEXT, 0, NULL, 0, "#description", "evidence|comment",
      "what the answer rests on: a law, a decree, a plan, a budget line", NULL },
};
static const char *const self_assessment_example[] = {
    "authority.legislation,2025-11-01,partly,national mine action authority,draft decree 2025/4",
    "centre.national_plan,2025-11-01,no,national mine action centre,",
    NULL,
};

/* ---- reporting-plan ----------------------------------------------------------------------------
 */
static const struct madi_field reporting_plan_fields[] = {
    { "organisation", MADI_F_REF, MADI_FLD_REQUIRED | MADI_FLD_KEY, NULL, MADI_REF_ORG, "#org+code",
      "operator|org", "code of the organisation expected to report", NULL },
    { "kind", MADI_F_CODE, MADI_FLD_REQUIRED | MADI_FLD_KEY, "report_kind", 0, "#meta+kind",
      "report|report type", "the kind of report expected (eore, land-release, ...)", NULL },
    { "year", MADI_F_YEAR, MADI_FLD_REQUIRED | MADI_FLD_KEY | MADI_FLD_FUTURE, NULL, 0,
      "#date+year", NULL, "the year the plan covers", NULL },
    CODE_REQ("frequency", "frequency", "#meta+frequency", "how often|périodicité",
             "annual, quarterly or monthly: one report per period, each with at least one record "
             "dated in it"),
};
static const char *const reporting_plan_example[] = {
    "OP-A,eore,2025,quarterly",
    "OP-A,land-release,2025,monthly",
    NULL,
};

/* ---- survivors, needs, referrals, consent (victim assistance) ------------------------------ */
#define PERSONAL(name, hxl, aliases, doc)                          \
    {                                                              \
        name, MADI_F_PERSONAL, 0, NULL, 0, hxl, aliases, doc, NULL \
    }
#define SURVIVOR_REF                                                          \
    {                                                                         \
        "survivor_id", MADI_F_ID, MADI_FLD_REQUIRED, NULL, 0, "#affected+id", \
                "survivor|survivor code",                                     \
                "id of the survivor (imported before, as a survivor "         \
                "record)",                                                    \
                NULL                                                          \
    }
static const struct madi_field survivor_fields[] = {
    { "survivor_id", MADI_F_ID, MADI_FLD_REQUIRED | MADI_FLD_KEY, NULL, 0, "#affected+id",
      "survivor|survivor code|beneficiary id",
      "unique id of the survivor record (the operator's own code, not a name)", NULL },
    PERSONAL("name", "#affected+name", "full name|survivor name|nom|nombre|الاسم|ім'я",
             "full name (personal: encrypted at rest)"),
    { "casualty_id", MADI_F_ID, 0, NULL, 0, "#meta+id+casualty", "casualty|victim id",
      "the casualty record of the same person, if any", NULL },
    { "incident_id", MADI_F_TEXT, 0, NULL, 0, "#event+id", "accident id|incident",
      "id of the accident or incident", NULL },
    ORG_REQ,
    { "date_of_injury", MADI_F_DATE, 0, NULL, 0, "#date+injury", "date of accident|injury date",
      "date of the accident (for an indirect victim, of the family member's accident)", NULL },
    CODE_REQ("victim_type", "victim_type", "#affected+type", "victim",
             "direct (the person killed or injured) or indirect (family member)"),
    CODE("outcome", "outcome", "#affected+outcome", "killed or injured",
         "killed, injured or unknown (direct victims)"),
    INDIVIDUAL_SADDD,
    { "birth_year", MADI_F_YEAR, 0, NULL, 0, "#date+birth_year", "year of birth",
      "year of birth (with the name and sex, it makes the pseudonymous person key)", NULL },
    CODE("civilian_status", "civilian", "#affected+civilian", "status|civilian",
         "civilian, military, deminer or unknown"),
    PERSONAL("id_number", "#affected+id+national", "identity number|national id|id card",
             "national identity or registration number (personal: encrypted)"),
    PERSONAL("phone", "#contact+phone", "telephone|mobile|phone number",
             "phone number (personal: encrypted)"),
    PERSONAL("address", "#contact+address", "home address", "address (personal: encrypted)"),
    PERSONAL("home_location", "#geo+home", "gps|coordinates|home gps",
             "exact home location, e.g. GPS coordinates (personal: encrypted)"),
    PERSONAL("notes", "#description+notes", "comments|remarks",
             "free-text notes (personal: encrypted)"),
    { "person_key", MADI_F_PERSON_KEY, 0, NULL, 0, "#beneficiary+key", "person|pseudonym",
      "pseudonymous person key; when blank, madi computes it from the name, birth year and sex "
      "(or the identity number) with the centre's key",
      NULL },
};
static const char *const survivor_example[] = {
    "S-0001,Karim Haddad,C-0001,ACC-17,OP-A,2024-11-03,direct,injured,M,11,,yes,1,1,3,1,1,1,"
    "resident,none,no,no,2013,civilian,,,,,,",
    "S-0002,Leila Haddad,,ACC-17,OP-A,2024-11-03,indirect,,F,38,,no,,,,,,,resident,none,yes,yes,"
    "1986,civilian,,+000 555 0100,,,mother of S-0001,",
    NULL,
};

static const struct madi_field consent_fields[] = {
    { "consent_id", MADI_F_ID, MADI_FLD_REQUIRED | MADI_FLD_KEY, NULL, 0, "#meta+id",
      "consent|consent code", "unique id of the consent record", NULL },
    SURVIVOR_REF,
    CODE_REQ("scope", "consent_scope", "#meta+consent+scope", "consent for|consent scope",
             "what the consent covers: data_use, or sharing with a kind of provider "
             "(share_health, share_social, share_legal, share_government, share_ngo)"),
    CODE_REQ("given", "yesno", "#meta+consent", "consent|consented|agreed",
             "yes (given) or no (refused or withdrawn); the latest record counts"),
    DATE_REQ("date the consent was given or withdrawn"),
    { "recorded_by", MADI_F_REF, MADI_FLD_REQUIRED, NULL, MADI_REF_ORG, "#org+code",
      "organisation|recorded by|operator", "organisation that recorded it", NULL },
};
static const char *const consent_example[] = {
    "CN-0001,S-0001,data_use,yes,2024-11-10,OP-A",
    "CN-0002,S-0001,share_health,yes,2024-11-10,OP-A",
    "CN-0003,S-0002,data_use,yes,2024-11-10,OP-A",
    NULL,
};

static const struct madi_field need_fields[] = {
    { "need_id", MADI_F_ID, MADI_FLD_REQUIRED | MADI_FLD_KEY, NULL, 0, "#meta+id", "need|need code",
      "unique id of the need", NULL },
    SURVIVOR_REF,
    CODE_REQ("element", "va_element", "#sector+va", "need|assistance|type of need",
             "victim assistance element: emergency_medical, continuing_medical, rehabilitation, "
             "assistive_device, psychological, psychosocial, education, employment, housing, "
             "legal or other"),
    { "date_identified", MADI_F_DATE, MADI_FLD_REQUIRED, NULL, 0, "#date+identified",
      "date|identified on|assessment date", "date the need was identified", NULL },
    { "assessed_by", MADI_F_REF, MADI_FLD_REQUIRED, NULL, MADI_REF_ORG, "#org+code",
      "organisation|assessor|operator", "organisation that assessed it", NULL },
    CODE("status", "need_status", "#status", "need status", "met, partly_met or unmet"),
    PERSONAL("notes", "#description+notes", "comments|remarks",
             "free-text notes (personal: encrypted)"),
};
static const char *const need_example[] = {
    "N-0001,S-0001,assistive_device,2024-11-10,OP-A,unmet,",
    "N-0002,S-0001,education,2024-11-10,OP-A,partly_met,",
    "N-0003,S-0002,psychosocial,2024-11-10,OP-A,unmet,",
    NULL,
};

static const struct madi_field referral_fields[] = {
    { "referral_id", MADI_F_ID, MADI_FLD_REQUIRED | MADI_FLD_KEY, NULL, 0, "#meta+id",
      "referral|referral code", "unique id of the referral", NULL },
    SURVIVOR_REF,
    { "need_id", MADI_F_ID, 0, NULL, 0, "#meta+id+need", "need",
      "the need it answers (imported before, as a need record of the same survivor)", NULL },
    { "from_organisation", MADI_F_REF, MADI_FLD_REQUIRED, NULL, MADI_REF_ORG, "#org+code",
      "organisation|referred by|from", "organisation that made the referral", NULL },
    { "to_provider", MADI_F_TEXT, MADI_FLD_REQUIRED, NULL, 0, "#org+provider", "provider|to",
      "the service provider referred to (its code or name)", NULL },
    CODE_REQ("provider_type", "provider_type", "#org+provider+type", "provider kind",
             "health, social, legal, government, ngo, or internal (within the referring "
             "organisation, to_provider its own code: no sharing, so no consent needed)"),
    { "date_referred", MADI_F_DATE, MADI_FLD_REQUIRED, NULL, 0, "#date+referred",
      "date|referral date", "date of the referral", NULL },
    { "due_date", MADI_F_DUE_DATE, 0, NULL, 0, "#date+due", "due|due by|deadline",
      "date by which the service should start (may be in the future)", NULL },
    CODE_REQ("status", "referral_status", "#status", "referral status",
             "proposed, accepted, in_progress, completed, declined or lost_to_follow_up"),
    CODE("outcome", "referral_outcome", "#output+outcome", "result",
         "service_provided, partly_provided, not_provided or unknown"),
    { "outcome_date", MADI_F_DATE, 0, NULL, 0, "#date+outcome", "closed on|date of outcome",
      "date of the outcome", NULL },
    PERSONAL("notes", "#description+notes", "comments|remarks",
             "free-text notes (personal: encrypted)"),
};
static const char *const referral_example[] = {
    "R-0001,S-0001,N-0001,OP-A,REHAB-NORTH,health,2024-11-12,2024-12-12,completed,"
    "service_provided,2024-12-01,",
    "R-0002,S-0001,N-0002,OP-A,OP-A,internal,2024-11-12,2025-01-31,in_progress,,,",
    NULL,
};

const struct madi_kind madi_kinds[] = {
    { "organisation", "organisation", "organisations (operators) and their policies",
      "One row per organisation: its code, name, accreditation and whether it has PSEA, "
      "safeguarding, gender/diversity and data protection policies.",
      organisation_fields, N(organisation_fields), NULL, 0, MADI_KIND_REGISTER,
      organisation_example },
    { "area", "area", "administrative areas, any depth",
      "One row per area: its code (P-code), name, level and parent. List parents before "
      "their children.",
      area_fields, N(area_fields), NULL, 0, MADI_KIND_REGISTER, area_example },
    { "hazard", "hazard", "hazardous areas (SHA, CHA)",
      "One row per suspected or confirmed hazardous area.", hazard_fields, N(hazard_fields), NULL,
      0, MADI_KIND_REGISTER, hazard_example },
    { "survey-team", "survey_team", "survey and community liaison teams",
      "One row per team, with its size by sex.", survey_team_fields, N(survey_team_fields),
      survey_team_sums, N(survey_team_sums), MADI_KIND_REGISTER, survey_team_example },
    { "eore", "eore_session", "risk education sessions (counts)",
      "One row per EORE session, with the people reached by sex and age, disability and "
      "displacement. Give the total and whatever breakdown you have: blank cells are 'not "
      "reported', 0 means none.",
      eore_fields, N(eore_fields), eore_sums, N(eore_sums), 0, eore_example },
    { "eore-attendance", "eore_attendance", "risk education attendance lists (one row per person)",
      "One row per person attending a session, with sex, age, disability and the diversity "
      "factors. No names: link a person's contacts with a pseudonymous person key.",
      eore_attendance_fields, N(eore_attendance_fields), NULL, 0,
      MADI_KIND_INDIVIDUAL | MADI_KIND_NO_KEY_OK | MADI_KIND_BLOCKS, eore_attendance_example },
    { "land-release", "land_release", "land release activities and their beneficiaries",
      "One row per non-technical survey, technical survey, clearance or EOD spot task, with the "
      "area released and the direct and indirect beneficiaries.",
      land_release_fields, N(land_release_fields), land_release_sums, N(land_release_sums), 0,
      land_release_example },
    { "consultation", "consultation", "community consultations and liaison meetings",
      "One row per meeting, with who took part by sex, age, disability and minority group.",
      consultation_fields, N(consultation_fields), consultation_sums, N(consultation_sums), 0,
      consultation_example },
    { "casualty", "casualty", "casualties and victims (one row per person)",
      "One row per person killed or injured (direct victim) or family member affected (indirect "
      "victim). No names.",
      casualty_fields, N(casualty_fields), NULL, 0, MADI_KIND_INDIVIDUAL | MADI_KIND_NO_KEY_OK,
      casualty_example },
    { "workforce", "staff", "workforce (one row per staff member)",
      "One row per staff member, with role, leadership and operational flags, hire and exit.",
      workforce_fields, N(workforce_fields), NULL, 0, MADI_KIND_INDIVIDUAL, workforce_example },
    { "training", "training",
      "trainings (gender and diversity-sensitive data collection, WPS, "
      "safeguarding)",
      "One row per training session, with the people trained by sex.", training_fields,
      N(training_fields), training_sums, N(training_sums), 0, training_example },
    { "population", "population", "population baselines by area, year, sex and age",
      "One row per area, year, sex and age band, with the persons with disabilities and the "
      "displaced people among them where known.",
      population_fields, N(population_fields), population_sums, N(population_sums), 0,
      population_example },
    { "target", "target", "national targets per indicator, year and group",
      "One row per indicator, year and group: the value the programme commits to reach, and "
      "the baseline it starts from (progress is judged along the straight line between them).",
      target_fields, N(target_fields), NULL, 0, 0, target_example },
    { "self-assessment", "self_assessment", "the WPS scorecard's self-assessment answers",
      "One row per scorecard item and date: the authority's or the centre's own answer where "
      "data cannot show it (legislation, strategy, resources); a report takes the latest "
      "answer on or before its period's end.",
      self_assessment_fields, N(self_assessment_fields), NULL, 0, 0, self_assessment_example },
    { "reporting-plan", "reporting_plan", "which operator must report what, and how often",
      "One row per organisation, kind of report and year: the reports the centre expects, the "
      "base of the completeness checks in madi quality.",
      reporting_plan_fields, N(reporting_plan_fields), NULL, 0, 0, reporting_plan_example },
    { "survivor", "survivor", "survivors and indirect victims (personal data encrypted)",
      "One row per survivor (direct victim) or family member (indirect victim) receiving "
      "assistance, linked to the casualty and incident, with sex, age, disability and the "
      "diversity factors. Names, identity numbers, phone numbers, addresses, home locations and "
      "notes are encrypted with the centre's key before they are stored ('madi keys init').",
      survivor_fields, N(survivor_fields), NULL, 0, MADI_KIND_INDIVIDUAL, survivor_example },
    { "consent", "consent", "survivors' consent to data use and sharing",
      "One row per consent given or withdrawn: for using the survivor's data, or for sharing "
      "it with a kind of provider. A referral that needs sharing is refused without it.",
      consent_fields, N(consent_fields), NULL, 0, 0, consent_example },
    { "need", "need", "survivors' needs by victim assistance element",
      "One row per need identified for a survivor: the victim assistance element, when it was "
      "identified, who assessed it and whether it is met.",
      need_fields, N(need_fields), NULL, 0, 0, need_example },
    { "referral", "referral", "referrals of survivors to service providers",
      "One row per referral: from which organisation to which provider, for which need, when, "
      "due by when, where it stands and what came of it.",
      referral_fields, N(referral_fields), NULL, 0, 0, referral_example },
    { NULL, NULL, NULL, NULL, NULL, 0, NULL, 0, 0, NULL },
};

const struct madi_kind *madi_kind_find(const char *name)
{
    for (const struct madi_kind *k = madi_kinds; k->name; k++) {
        size_t i = 0;
        for (; k->name[i] && name[i]; i++) {
            char a = (char)tolower((unsigned char)name[i]);
            if (a == '_')
                a = '-';
            if (a != k->name[i])
                break;
        }
        if (!k->name[i] && !name[i])
            return k;
    }
    return NULL;
}

int madi_kind_field_index(const struct madi_kind *k, const char *name)
{
    for (size_t i = 0; i < k->nfields; i++)
        if (strcmp(k->fields[i].name, name) == 0)
            return (int)i;
    return -1;
}

int madi_kind_has_personal(const struct madi_kind *k)
{
    for (size_t i = 0; i < k->nfields; i++)
        if (k->fields[i].type == MADI_F_PERSONAL)
            return 1;
    return 0;
}

int madi_kind_is_protected(const struct madi_kind *k)
{
    return madi_kind_has_personal(k) || madi_kind_field_index(k, "survivor_id") >= 0;
}

const char *madi_ftype_name(enum madi_ftype t)
{
    switch (t) {
    case MADI_F_ID:
        return "identifier";
    case MADI_F_TEXT:
        return "text";
    case MADI_F_COUNT:
        return "whole number >= 0";
    case MADI_F_DECIMAL:
        return "number >= 0";
    case MADI_F_DATE:
        return "date YYYY-MM-DD";
    case MADI_F_YEAR:
        return "year";
    case MADI_F_LEVEL:
        return "level 0-9";
    case MADI_F_AGE:
        return "age 0-120";
    case MADI_F_AGE_BAND:
        return "age band";
    case MADI_F_CODE:
        return "code";
    case MADI_F_REF:
        return "reference";
    case MADI_F_PERSON_KEY:
        return "person key";
    case MADI_F_PERSONAL:
        return "personal text";
    case MADI_F_DUE_DATE:
        return "date YYYY-MM-DD";
    }
    return "?";
}

static const char *first_hxl(const char *hxl, char *out, size_t outsz)
{
    size_t n = strcspn(hxl, "|");
    if (n >= outsz)
        n = outsz - 1;
    memcpy(out, hxl, n);
    out[n] = '\0';
    return out;
}

int madi_kind_write_template(const struct madi_kind *k, unsigned flags, FILE *out)
{
    char tag[128];
    for (size_t i = 0; i < k->nfields; i++)
        (void)fprintf(out, "%s%s", i ? "," : "", k->fields[i].name);
    (void)fputc('\n', out);
    if (!(flags & MADI_TEMPLATE_NO_HXL)) {
        for (size_t i = 0; i < k->nfields; i++)
            (void)fprintf(out, "%s%s", i ? "," : "",
                          k->fields[i].hxl ? first_hxl(k->fields[i].hxl, tag, sizeof(tag)) : "");
        (void)fputc('\n', out);
    }
    if (flags & MADI_TEMPLATE_EXAMPLE)
        for (const char *const *row = k->example; row && *row; row++)
            (void)fprintf(out, "%s\n", *row);
    return ferror(out) ? MADI_EIO : MADI_OK;
}

int madi_kind_write_doc(const struct madi_kind *k, FILE *out)
{
    char tag[128];
    (void)fprintf(out, "%s: %s\n\n%s\n\n", k->name, k->title, k->doc);
    (void)fprintf(out, "%-26s %-9s %-18s %s\n", "column", "required", "accepts", "meaning");
    for (size_t i = 0; i < k->nfields; i++) {
        const struct madi_field *f = &k->fields[i];
        const char *accepts = madi_ftype_name(f->type);
        char codes[96];
        if (f->type == MADI_F_CODE) {
            (void)snprintf(codes, sizeof(codes), "code list '%s'", f->codes);
            accepts = codes;
        } else if (f->type == MADI_F_REF) {
            accepts = f->ref == MADI_REF_ORG    ? "organisation code"
                      : f->ref == MADI_REF_AREA ? "area code"
                      : f->ref == MADI_REF_TEAM ? "team id"
                                                : "hazard code";
        }
        (void)fprintf(out, "%-26s %-9s %-18s %s", f->name,
                      (f->flags & MADI_FLD_REQUIRED) ? "yes" : "no", accepts, f->doc);
        if (f->hxl)
            (void)fprintf(out, " [HXL %s]", first_hxl(f->hxl, tag, sizeof(tag)));
        (void)fputc('\n', out);
    }
    for (size_t i = 0; i < k->nsums; i++) {
        const struct madi_sum *s = &k->sums[i];
        (void)fprintf(out, "\nBy %s: ", s->what);
        for (size_t j = 0; s->parts[j]; j++)
            (void)fprintf(out, "%s%s", j ? " + " : "", s->parts[j]);
        (void)fprintf(out, " %s %s%s\n", s->exhaustive ? "=" : "<=", s->total,
                      s->exhaustive ? " when every part is given (otherwise <=)" : "");
    }
    (void)fprintf(out, "\nBlank means not reported; 0 means none; 'unknown' is its own answer.\n");
    int codes_shown = 0;
    for (size_t i = 0; i < k->nfields; i++) {
        const struct madi_field *f = &k->fields[i];
        if (f->type != MADI_F_CODE)
            continue;
        int seen = 0;
        for (size_t j = 0; j < i; j++)
            if (k->fields[j].type == MADI_F_CODE && strcmp(k->fields[j].codes, f->codes) == 0)
                seen = 1;
        if (seen)
            continue;
        const struct madi_codelist *l = madi_codelist_find(f->codes);
        if (!l)
            continue;
        if (!codes_shown++)
            (void)fprintf(out, "\nCode lists (letter case does not matter):\n");
        (void)fprintf(out, "  %s:", l->name);
        for (size_t j = 0; j < l->n; j++)
            (void)fprintf(out, "%s %s (%s)", j ? "," : "", l->codes[j].code, l->codes[j].label);
        (void)fputc('\n', out);
    }
    return ferror(out) ? MADI_EIO : MADI_OK;
}
