/*
 * dim.c: code lists, age bands, the WG-SS cut-off and the value parsers.
 *
 * Invariants: every code list that describes people has an explicit unknown member (value 9);
 * no parser accepts a blank (callers decide that blank means "not reported"); band sets start
 * at 0 and end open, so every age 0..120 falls in exactly one band.
 */
#include "madi/dim.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "banned.h"
#include "buf.h"

#define LIST(name, doc, arr)                            \
    {                                                   \
        name, doc, arr, sizeof(arr) / sizeof(arr[0]), 0 \
    }
#define LISTX(name, doc, arr)                           \
    {                                                   \
        name, doc, arr, sizeof(arr) / sizeof(arr[0]), 1 \
    }

static const struct madi_code sex_codes[] = {
    { MADI_SEX_F, "F", "female",
      "f|female|woman|women|girl|girls|femme|mujer|fem|féminin|feminin|femenino|femme|fille|niña|أنثى|انثى|жінка|жіноча|ж" },
    { MADI_SEX_M, "M", "male",
      "m|male|man|men|boy|boys|homme|hombre|masculin|masculino|garçon|niño|ذكر|чоловік|чоловіча|ч" },
    { MADI_SEX_X, "X", "other", "x|other|i|intersex|non-binary|nonbinary" },
    { MADI_SEX_U, "U", "unknown", "u|unknown|unk|not known|not recorded|dk|n/k" },
};

static const struct madi_code yesno_codes[] = {
    { MADI_YES, "yes", "yes", "y|true|1|oui|si|sí|نعم|так" },
    { MADI_NO, "no", "no", "n|false|0|non|لا|ні" },
    { MADI_UNKNOWN, "unknown", "unknown", "u|unk|dk|don't know|not known|9" },
};

static const struct madi_code wg_codes[] = {
    { MADI_WG_NONE, "1", "no difficulty", "no difficulty|none" },
    { MADI_WG_SOME, "2", "some difficulty", "some difficulty|some" },
    { MADI_WG_ALOT, "3", "a lot of difficulty", "a lot of difficulty|a lot" },
    { MADI_WG_CANNOT, "4", "cannot do at all", "cannot do at all|cannot" },
    { MADI_WG_REFUSED, "7", "refused", "refused" },
    { MADI_WG_DONTKNOW, "8", "don't know", "don't know|dont know|dk" },
};

static const struct madi_code displacement_codes[] = {
    { 1, "resident", "resident (not displaced)", "host|local|non-displaced|not displaced" },
    { 2, "idp", "internally displaced", "internally displaced|displaced" },
    { 3, "refugee", "refugee", NULL },
    { 4, "returnee", "returnee", "returned" },
    { 9, "unknown", "unknown", "u|unk" },
};

static const struct madi_code minority_codes[] = {
    { 0, "none", "not of a minority group", "majority|no" },
    { 1, "ethnic", "ethnic minority", "ethnic minority" },
    { 2, "linguistic", "linguistic minority", "linguistic minority" },
    { 3, "religious", "religious minority", "religious minority" },
    { 4, "indigenous", "indigenous people", "indigenous people" },
    { 8, "other", "other minority group", NULL },
    { 9, "unknown", "unknown", "u|unk" },
};

static const struct madi_code org_type_codes[] = {
    { 1, "ngo", "non-governmental organisation", "international ngo|national ngo|ingo|nngo" },
    { 2, "commercial", "commercial company", "company|private" },
    { 3, "military", "military or police", "army|police" },
    { 4, "government", "government body", "gov|govt|state" },
    { 5, "un", "United Nations agency", "united nations" },
    { 8, "other", "other", NULL },
};

static const struct madi_code accreditation_codes[] = {
    { 1, "accredited", "accredited", "full" },
    { 2, "provisional", "provisionally accredited", "provisionally accredited|pending" },
    { 3, "suspended", "accreditation suspended", NULL },
    { 4, "expired", "accreditation expired", NULL },
    { 5, "none", "not accredited", "not accredited|no" },
};

static const struct madi_code hazard_type_codes[] = {
    { 1, "SHA", "suspected hazardous area", "suspected" },
    { 2, "CHA", "confirmed hazardous area", "confirmed" },
};

static const struct madi_code hazard_status_codes[] = {
    { 1, "open", "open", NULL },
    { 2, "suspended", "suspended", NULL },
    { 3, "closed", "closed", NULL },
    { 4, "released", "released", "handed over" },
};

static const struct madi_code device_codes[] = {
    { 1, "landmine", "landmine", "mine|ap mine|at mine|apm" },
    { 2, "cluster", "cluster munition remnant", "cluster munition|submunition|cmr" },
    { 3, "erw", "other explosive remnant of war", "uxo|axo|ordnance" },
    { 4, "ied", "improvised explosive device", "improvised" },
    { 9, "unknown", "unknown", "u|unk" },
};

static const struct madi_code eore_method_codes[] = {
    { 1, "interpersonal", "face-to-face session", "session|face-to-face|direct" },
    { 2, "community", "community focal point or network", "focal point|cfp" },
    { 3, "media", "mass media (radio, TV, print)", "mass media|radio|tv" },
    { 4, "digital", "digital or social media", "social media|online" },
};

static const struct madi_code lr_activity_codes[] = {
    { 1, "nts", "non-technical survey", "non-technical survey" },
    { 2, "ts", "technical survey", "technical survey" },
    { 3, "clearance", "clearance", "mine clearance|bac" },
    { 4, "eod", "EOD spot task", "eod spot task|spot task" },
};

static const struct madi_code count_method_codes[] = {
    { 1, "headcount", "counted in person", "count" },
    { 2, "register", "from a register or attendance list", "list|attendance" },
    { 3, "household_estimate", "households × household size", "household estimate|estimate" },
    { 4, "media_estimate", "estimated media reach", "media estimate" },
};

static const struct madi_code outcome_codes[] = {
    { 1, "killed", "killed",
      "dead|death|died|tué|tue|décédé|decede|mort|muerto|fallecido|قتيل|متوفى|загинув|загинула" },
    { 2, "injured", "injured",
      "injury|wounded|survivor|blessé|blesse|herido|جريح|مصاب|поранений|поранена" },
    { 9, "unknown", "unknown", "u|unk" },
};

static const struct madi_code victim_type_codes[] = {
    { 1, "direct", "direct victim (killed or injured)", NULL },
    { 2, "indirect", "indirect victim (family or community)", "family" },
};

static const struct madi_code civilian_codes[] = {
    { 1, "civilian", "civilian", "civil|civils|civiles|مدني|цивільний|цивільна" },
    { 2, "military", "military or security forces", "security|soldier|police" },
    { 3, "deminer", "deminer (mine action staff)",
      "demining|mine action staff|démineur|demineur|desminador|نازع ألغام|сапер" },
    { 9, "unknown", "unknown", "u|unk" },
};

static const struct madi_code role_codes[] = {
    { 1, "management", "management and leadership", "manager|director" },
    { 2, "deminer", "deminer or searcher", "searcher" },
    { 3, "eod_operator", "EOD operator or technician", "eod|eod technician" },
    { 4, "surveyor", "non-technical or technical surveyor", "survey" },
    { 5, "community_liaison", "community liaison officer", "cl|clo" },
    { 6, "eore_facilitator", "risk education facilitator", "eore|facilitator" },
    { 7, "medic", "medic or paramedic", "paramedic|medical" },
    { 8, "support", "support (admin, logistics, driver)", "admin|logistics|driver" },
    { 9, "other", "other", NULL },
};

static const struct madi_code exit_reason_codes[] = {
    { 1, "end_of_contract", "end of contract or project", "contract ended|project end" },
    { 2, "resignation_career", "resigned: other job or studies", "career|other job" },
    { 3, "resignation_family", "resigned: family or care duties", "family|care duties" },
    { 4, "resignation_environment", "resigned: workplace environment or safety",
      "environment|safety" },
    { 5, "harassment", "left after harassment or abuse", "abuse" },
    { 6, "dismissal", "dismissed", "fired|terminated" },
    { 7, "retirement", "retired", "retired" },
    { 8, "health", "health or injury", "injury|illness" },
    { 10, "death", "died", "died" },
    { 11, "other", "other", NULL },
    { 99, "unknown", "unknown", "u|unk" },
};

static const struct madi_code topic_codes[] = {
    { 1, "gd_data_collection", "gender and diversity-sensitive data collection", "gdsdc|saddd" },
    { 2, "wps", "gender and Women, Peace and Security", "gender|gender and wps" },
    { 3, "safeguarding", "safeguarding", NULL },
    { 4, "psea", "prevention of sexual exploitation and abuse", "pseah" },
    { 8, "other", "other", NULL },
};

static const struct madi_code team_type_codes[] = {
    { 1, "nts", "non-technical survey team", "survey" },
    { 2, "community_liaison", "community liaison team", "cl" },
    { 3, "eore", "risk education team", NULL },
    { 4, "mixed", "mixed team", NULL },
};

static const struct madi_code pop_source_codes[] = {
    { 1, "census", "census", NULL },
    { 2, "estimate", "official estimate", NULL },
    { 3, "projection", "projection", NULL },
};

/* The kinds an operator can be expected to report (reporting plans; completeness). */
static const struct madi_code report_kind_codes[] = {
    { 1, "eore", "risk education sessions", "risk education" },
    { 2, "eore-attendance", "risk education attendance lists", "attendance" },
    { 3, "land-release", "land release", "clearance" },
    { 4, "consultation", "community consultations", "consultations" },
    { 5, "workforce", "workforce", "staff" },
    { 6, "training", "trainings", NULL },
};

static const struct madi_code assessment_codes[] = {
    { 1, "yes", "yes, in place", "in place|done" },
    { 2, "partly", "partly", "partial|in progress" },
    { 3, "no", "no, not yet", "not yet" },
    { 8, "not_applicable", "not applicable", "n/a|na" },
};

static const struct madi_code frequency_codes[] = {
    { 1, "annual", "once for the year", "yearly" },
    { 4, "quarterly", "every quarter", "quarter" },
    { 12, "monthly", "every month", "month" },
};

/* ---- victim assistance (survivors, needs, referrals, consent) ---- */
static const struct madi_code va_element_codes[] = {
    { 1, "emergency_medical", "emergency medical care", "emergency care|first aid" },
    { 2, "continuing_medical", "continuing medical care", "medical care|medical" },
    { 3, "rehabilitation", "physical rehabilitation", "physiotherapy|physical rehabilitation" },
    { 4, "assistive_device", "assistive device (prosthesis, orthosis, wheelchair)",
      "prosthesis|orthosis|wheelchair|assistive" },
    { 5, "psychological", "psychological support", "mental health|counselling|counseling" },
    { 6, "psychosocial", "psychosocial support", "peer support|mhpss" },
    { 7, "education", "education", "school" },
    { 8, "employment", "employment and livelihood", "livelihood|work|income" },
    { 9, "housing", "housing and shelter", "shelter" },
    { 10, "legal", "legal assistance", "legal aid" },
    { 11, "other", "other", NULL },
};

static const struct madi_code need_status_codes[] = {
    { 1, "met", "met", "done|covered" },
    { 2, "partly_met", "partly met", "partly met|partial|partially met" },
    { 3, "unmet", "unmet", "open|not met" },
};

static const struct madi_code referral_status_codes[] = {
    { 1, "proposed", "proposed", NULL },
    { 2, "accepted", "accepted by the provider", NULL },
    { 3, "in_progress", "in progress", "in progress|ongoing" },
    { 4, "completed", "completed (service given)", "done|closed" },
    { 5, "declined", "declined (by the survivor or the provider)", "refused" },
    { 6, "lost_to_follow_up", "lost to follow-up", "lost to follow up|lost|ltfu" },
};

static const struct madi_code referral_outcome_codes[] = {
    { 1, "service_provided", "service provided", "provided" },
    { 2, "partly_provided", "service partly provided", "partly provided|partial" },
    { 3, "not_provided", "service not provided", "not provided" },
    { 9, "unknown", "unknown", "u|unk" },
};

/* Provider kinds, each with the consent scope "share_<code>" it needs (internal needs none). */
static const struct madi_code provider_type_codes[] = {
    { 1, "health", "health provider (hospital, clinic, rehabilitation centre)",
      "hospital|clinic|medical|rehabilitation" },
    { 2, "social", "social services", "social services|welfare" },
    { 3, "legal", "legal aid provider", "lawyer|legal aid" },
    { 4, "government", "government authority", "ministry|authority|state" },
    { 5, "ngo", "another NGO or UN agency", "un|ingo|nngo" },
    { 6, "internal", "within the referring organisation (no sharing)",
      "in-house|same organisation" },
};

static const struct madi_code consent_scope_codes[] = {
    { 1, "data_use", "use of the survivor's data by the centre", "data use|data" },
    { 2, "share_health", "sharing with health providers", "health" },
    { 3, "share_social", "sharing with social services", "social" },
    { 4, "share_legal", "sharing with legal aid providers", "legal" },
    { 5, "share_government", "sharing with government authorities", "government" },
    { 6, "share_ngo", "sharing with other NGOs and UN agencies", "ngo" },
};

const struct madi_codelist madi_codelists[] = {
    LIST("sex", "sex as recorded: F, M, X (other) or U (unknown)", sex_codes),
    LIST("yesno", "yes, no or unknown", yesno_codes),
    LIST("wg", "Washington Group answer 1-4 (7 refused, 8 don't know)", wg_codes),
    LIST("displacement", "displacement status", displacement_codes),
    LISTX("minority", "minority or ethnic group (the centre can add its own)", minority_codes),
    LIST("org_type", "kind of organisation", org_type_codes),
    LIST("accreditation", "accreditation status", accreditation_codes),
    LIST("hazard_type", "SHA or CHA", hazard_type_codes),
    LIST("hazard_status", "hazardous area status", hazard_status_codes),
    LIST("device", "explosive ordnance category", device_codes),
    LIST("eore_method", "how risk education was delivered", eore_method_codes),
    LIST("lr_activity", "land release activity", lr_activity_codes),
    LIST("count_method", "how a count of people was obtained", count_method_codes),
    LIST("outcome", "killed or injured", outcome_codes),
    LIST("victim_type", "direct or indirect victim", victim_type_codes),
    LIST("civilian", "civilian status", civilian_codes),
    LIST("role", "workforce role category", role_codes),
    LIST("exit_reason", "why a staff member left", exit_reason_codes),
    LIST("topic", "training topic", topic_codes),
    LIST("team_type", "survey team type", team_type_codes),
    LIST("pop_source", "population figure source", pop_source_codes),
    LIST("report_kind", "a kind of report an operator is expected to send", report_kind_codes),
    LIST("frequency", "how often a report is due", frequency_codes),
    LIST("assessment", "a self-assessment answer", assessment_codes),
    LIST("va_element", "victim assistance element of a need", va_element_codes),
    LIST("need_status", "whether a need is met", need_status_codes),
    LIST("referral_status", "where a referral stands", referral_status_codes),
    LIST("referral_outcome", "what a referral gave", referral_outcome_codes),
    LIST("provider_type", "kind of service provider", provider_type_codes),
    LIST("consent_scope", "what a consent covers", consent_scope_codes),
    { NULL, NULL, NULL, 0, 0 },
};

const struct madi_codelist *madi_codelist_find(const char *name)
{
    for (const struct madi_codelist *l = madi_codelists; l->name; l++)
        if (strcmp(l->name, name) == 0)
            return l;
    return NULL;
}

/* ASCII letter case only, as tolower() in the C locale madi runs in, without its call per
 * byte: this runs for every code cell of every row. */
static int ascii_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int eq_nocase(const char *a, size_t an, const char *b, size_t bn)
{
    if (an != bn)
        return 0;
    for (size_t i = 0; i < an; i++)
        if (ascii_lower((unsigned char)a[i]) != ascii_lower((unsigned char)b[i]))
            return 0;
    return 1;
}

/* (s, n) equals the NUL-terminated z, letter case aside; stops at the first difference. */
static int eq_nocase_z(const char *s, size_t n, const char *z)
{
    for (size_t i = 0; i < n; i++)
        if (!z[i] || ascii_lower((unsigned char)s[i]) != ascii_lower((unsigned char)z[i]))
            return 0;
    return z[n] == '\0';
}

const struct madi_code *madi_code_match(const struct madi_codelist *list, const char *s, size_t n)
{
    madi_trim(&s, &n);
    if (!n)
        return NULL;
    for (size_t i = 0; i < list->n; i++) {
        const struct madi_code *c = &list->codes[i];
        if (eq_nocase_z(s, n, c->code) || eq_nocase_z(s, n, c->label))
            return c;
    }
    for (size_t i = 0; i < list->n; i++) {
        const char *a = list->codes[i].aliases;
        while (a && *a) {
            const char *bar = strchr(a, '|');
            size_t len = bar ? (size_t)(bar - a) : strlen(a);
            if (eq_nocase(s, n, a, len))
                return &list->codes[i];
            a = bar ? bar + 1 : NULL;
        }
    }
    return NULL;
}

const struct madi_code *madi_code_by_value(const struct madi_codelist *list, int value)
{
    for (size_t i = 0; i < list->n; i++)
        if (list->codes[i].value == value)
            return &list->codes[i];
    return NULL;
}

/* ---- bands -------------------------------------------------------------------------------- */

static const int canonical_bounds[] = { 0, 5, 12, 18, 25, 60 };
static const int child_adult_bounds[] = { 0, 18 };
static const int eore_bounds[] = { 0, 5, 12, 18, 60 };
static const int working_age_bounds[] = { 0, 18, 25, 60 };

const struct madi_bandset madi_bandsets[] = {
    { "canonical", "madi's canonical bands: 0-4, 5-11, 12-17, 18-24, 25-59, 60+", canonical_bounds,
      6 },
    { "child_adult", "children and adults: 0-17, 18+", child_adult_bounds, 2 },
    { "eore", "risk education: 0-4, 5-11, 12-17, 18-59, 60+", eore_bounds, 5 },
    { "working_age", "workforce: 0-17, 18-24, 25-59, 60+", working_age_bounds, 4 },
    { NULL, NULL, NULL, 0 },
};

const struct madi_bandset *const madi_bandset_canonical = &madi_bandsets[0];

const struct madi_bandset *madi_bandset_find(const char *name)
{
    for (const struct madi_bandset *b = madi_bandsets; b->name; b++)
        if (strcmp(b->name, name) == 0)
            return b;
    return NULL;
}

size_t madi_bandset_index(const struct madi_bandset *set, int age)
{
    size_t i = set->n;
    while (i > 1 && age < set->bounds[i - 1])
        i--;
    return i - 1;
}

char *madi_bandset_label(const struct madi_bandset *set, size_t i, char *out, size_t outsz)
{
    if (i + 1 < set->n)
        (void)snprintf(out, outsz, "%d-%d", set->bounds[i], set->bounds[i + 1] - 1);
    else
        (void)snprintf(out, outsz, "%d+", set->bounds[i]);
    return out;
}

int madi_band_rebin(struct madi_band b, const struct madi_bandset *set, size_t *index)
{
    size_t i = madi_bandset_index(set, b.lo);
    int next = i + 1 < set->n ? set->bounds[i + 1] : -1;
    if (next >= 0 && (b.hi == MADI_AGE_OPEN || b.hi >= next))
        return next;
    *index = i;
    return 0;
}

static int is_bound(const struct madi_bandset *set, int age)
{
    for (size_t i = 0; i < set->n; i++)
        if (set->bounds[i] == age)
            return 1;
    return 0;
}

int madi_band_align(struct madi_band b, const struct madi_bandset *set, int *edge)
{
    if (!is_bound(set, b.lo)) {
        *edge = b.lo;
        return -1;
    }
    if (b.hi != MADI_AGE_OPEN && !is_bound(set, b.hi + 1)) {
        *edge = b.hi + 1;
        return -1;
    }
    return 0;
}

static int parse_uint(const char **p, const char *end, int *out)
{
    const char *s = *p;
    int v = 0;
    if (s >= end || !isdigit((unsigned char)*s))
        return -1;
    while (s < end && isdigit((unsigned char)*s)) {
        v = v * 10 + (*s - '0');
        if (v > 1000)
            return -1;
        s++;
    }
    *p = s;
    *out = v;
    return 0;
}

static void skip_space(const char **p, const char *end)
{
    while (*p < end && isspace((unsigned char)**p))
        (*p)++;
}

static int starts_nocase(const char **p, const char *end, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(end - *p) < n || !eq_nocase(*p, n, word, n))
        return 0;
    *p += n;
    return 1;
}

int madi_band_parse(const char *s, size_t n, struct madi_band *b, char *why, size_t whysz)
{
    madi_trim(&s, &n);
    const char *p = s, *end = s + n;
    int lo = 0, hi = 0;
    if (starts_nocase(&p, end, "<") || starts_nocase(&p, end, "under ") ||
        starts_nocase(&p, end, "below ")) {
        skip_space(&p, end);
        if (parse_uint(&p, end, &hi) || hi < 1)
            goto bad;
        lo = 0;
        hi = hi - 1;
    } else {
        if (parse_uint(&p, end, &lo))
            goto bad;
        skip_space(&p, end);
        if (starts_nocase(&p, end, "+") || starts_nocase(&p, end, "and over") ||
            starts_nocase(&p, end, "and above") || starts_nocase(&p, end, "or older")) {
            hi = MADI_AGE_OPEN;
        } else if (starts_nocase(&p, end, "-") || starts_nocase(&p, end, "to ")) {
            skip_space(&p, end);
            if (parse_uint(&p, end, &hi))
                goto bad;
        } else {
            goto bad;
        }
    }
    skip_space(&p, end);
    (void)(starts_nocase(&p, end, "years") || starts_nocase(&p, end, "yrs") ||
           starts_nocase(&p, end, "y"));
    skip_space(&p, end);
    if (p != end)
        goto bad;
    if (hi == MADI_AGE_MAX && lo < MADI_AGE_MAX)
        hi = MADI_AGE_OPEN; /* "60-120" is 60 and over */
    if (lo > MADI_AGE_MAX || (hi != MADI_AGE_OPEN && (hi > MADI_AGE_MAX || hi < lo))) {
        (void)snprintf(why, whysz, "ages in a band must run upwards within 0-%d", MADI_AGE_MAX);
        return -1;
    }
    b->lo = lo;
    b->hi = hi;
    return 0;
bad:
    (void)snprintf(why, whysz, "not an age band (write it as 5-11, 60+ or <18)");
    return -1;
}

/* ---- WG-SS ---------------------------------------------------------------------------------- */

int madi_wg_status(const int answers[6])
{
    int all_known = 1;
    for (int i = 0; i < 6; i++) {
        if (answers[i] == MADI_WG_ALOT || answers[i] == MADI_WG_CANNOT)
            return MADI_YES;
        if (answers[i] != MADI_WG_NONE && answers[i] != MADI_WG_SOME)
            all_known = 0;
    }
    return all_known ? MADI_NO : MADI_UNKNOWN;
}

/* ---- parsers -------------------------------------------------------------------------------- */

int madi_parse_count(const char *s, size_t n, int64_t *out, char *why, size_t whysz)
{
    madi_trim(&s, &n);
    int64_t v = 0;
    if (n && s[0] == '-') {
        (void)snprintf(why, whysz, "a count cannot be negative (write 0 for none)");
        return -1;
    }
    if (n && s[0] == '+') {
        s++;
        n--;
    }
    if (!n) {
        (void)snprintf(why, whysz, "not a number (write a whole number such as 12)");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i])) {
            if (s[i] == '.' || s[i] == ',')
                (void)snprintf(why, whysz, "a count of people must be a whole number");
            else
                (void)snprintf(why, whysz, "not a number (write a whole number such as 12)");
            return -1;
        }
        if (v > (INT64_MAX - 9) / 10) {
            (void)snprintf(why, whysz, "number too large");
            return -1;
        }
        v = v * 10 + (s[i] - '0');
    }
    if (v > 100000000) {
        (void)snprintf(why, whysz, "implausibly large count (more than 100 million)");
        return -1;
    }
    *out = v;
    return 0;
}

int madi_parse_decimal(const char *s, size_t n, double *out, char *why, size_t whysz)
{
    madi_trim(&s, &n);
    char tmp[64];
    if (!n || n >= sizeof(tmp)) {
        (void)snprintf(why, whysz, "not a number (write a number such as 1250.5)");
        return -1;
    }
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)tmp[i]) && tmp[i] != '.' && !(i == 0 && tmp[i] == '-')) {
            (void)snprintf(why, whysz, "not a number (write a number such as 1250.5)");
            return -1;
        }
    }
    char *end = NULL;
    errno = 0;
    double v = strtod(tmp, &end);
    if (errno || !end || *end) {
        (void)snprintf(why, whysz, "not a number (write a number such as 1250.5)");
        return -1;
    }
    if (v < 0) {
        (void)snprintf(why, whysz, "cannot be negative");
        return -1;
    }
    *out = v;
    return 0;
}

static int days_in_month(int y, int m)
{
    static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return d[m - 1];
}

int madi_parse_date(const char *s, size_t n, int32_t today, int32_t *out, char *why, size_t whysz)
{
    madi_trim(&s, &n);
    int y = 0, m = 0, d = 0;
    if (n != 10 || s[4] != '-' || s[7] != '-')
        goto fmt;
    for (int i = 0; i < 10; i++) {
        if (i == 4 || i == 7)
            continue;
        if (!isdigit((unsigned char)s[i]))
            goto fmt;
    }
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    m = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
    if (m < 1 || m > 12) {
        (void)snprintf(why, whysz, "there is no month %d (dates are YYYY-MM-DD)", m);
        return -1;
    }
    if (d < 1 || d > days_in_month(y, m)) {
        (void)snprintf(why, whysz, "%.10s is not a real date: month %02d of %d has %d days", s, m,
                       y, days_in_month(y, m));
        return -1;
    }
    if (y < 1950) {
        (void)snprintf(why, whysz, "%.10s is before 1950; check the year", s);
        return -1;
    }
    int32_t v = y * 10000 + m * 100 + d;
    if (today && v > today) {
        (void)snprintf(why, whysz, "%.10s is in the future; check the year", s);
        return -1;
    }
    *out = v;
    return 0;
fmt:
    (void)snprintf(why, whysz, "not a date (write it as YYYY-MM-DD, e.g. 2025-03-14)");
    return -1;
}

int madi_parse_age(const char *s, size_t n, int *out, char *why, size_t whysz)
{
    int64_t v = 0;
    char tmp[128];
    if (madi_parse_count(s, n, &v, tmp, sizeof(tmp))) {
        (void)snprintf(why, whysz, "not an age in whole years (0-%d)", MADI_AGE_MAX);
        return -1;
    }
    if (v > MADI_AGE_MAX) {
        (void)snprintf(why, whysz, "age %lld is outside 0-%d", (long long)v, MADI_AGE_MAX);
        return -1;
    }
    *out = (int)v;
    return 0;
}

int madi_parse_person_key(const char *s, size_t n, uint64_t *out, char *why, size_t whysz)
{
    /* Each byte's hexadecimal value plus one; 0 for a byte that is not a hex digit. */
    static const unsigned char hex[256] = {
        ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,
        ['6'] = 7,  ['7'] = 8,  ['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12,
        ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16, ['A'] = 11, ['B'] = 12,
        ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
    };
    madi_trim(&s, &n);
    uint64_t v = 0;
    unsigned ok = 1;
    if (n != 16)
        goto bad;
    for (size_t i = 0; i < 16; i++) {
        unsigned d = hex[(unsigned char)s[i]];
        ok &= d != 0;
        v = (v << 4) | (uint64_t)((d - 1) & 0xf);
    }
    if (!ok)
        goto bad;
    *out = v;
    return 0;
bad:
    (void)snprintf(why, whysz, "a person key is 16 hexadecimal digits (0-9, a-f)");
    return -1;
}

void madi_format_date(int32_t ymd, char out[11])
{
    out[0] = '\0';
    if (ymd > 0 && ymd <= 99991231)
        (void)snprintf(out, 11, "%04d-%02d-%02d", (int)(ymd / 10000), (int)(ymd / 100 % 100),
                       (int)(ymd % 100));
}

/* Howard Hinnant's days_from_civil. */
int64_t madi_date_days(int32_t ymd)
{
    int64_t y = ymd / 10000, m = (ymd / 100) % 100, d = ymd % 100;
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void madi_format_person_key(uint64_t key, char out[17])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 15; i >= 0; i--) {
        out[i] = hex[key & 15];
        key >>= 4;
    }
    out[16] = '\0';
}

void madi_now_iso(char out[24])
{
    time_t t = time(NULL);
    struct tm tm;
    if (!gmtime_r(&t, &tm) || strftime(out, 24, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        out[0] = 0;
}

int32_t madi_today(void)
{
    time_t t = time(NULL);
    struct tm tm;
    if (!gmtime_r(&t, &tm))
        return 0;
    return (int32_t)((tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday);
}
