/*
 * report.c: building a period's report: its tables of people (from count indicators of the
 * catalogue, crossed by sex, age, area or group), its key indicators with their coverage,
 * targets and change since the year before, and, for the public audience, disclosure control
 * over all the tables at once (sdc.c). The writers are in render.c.
 *
 * Publication categories: a code list's own "unknown" and "not recorded" (_N) become one _U
 * category, so every dimension has _T and _U and the parts always add up to the total.
 * Suppressed cells keep no value in the model: only their status travels to the writers.
 *
 * Known limit: a key indicator is suppressed when its numerator or denominator is a small
 * count, but it is not linked to the table cells that hold the same counts.
 */
#include "madi/report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "madi/quality.h"
#include "madi/sdc.h"

#include "banned.h"
#include "ind_int.h"
#include "indcat.h"
#include "report_int.h"
#include "store_int.h"
#include "xalloc.h"

/* The tables of a report, section by section; `people`: a count (of people, or of sessions,
 * which are as small): it passes disclosure control; square metres do not; `forms` names the
 * treaty report forms a table belongs to (the annexes show them again there). */
static const struct tspec {
    const char *section, *id, *by0, *by1, *title, *hxl;
    enum chart_kind chart;
    int people;
    const char *forms;
} specs[] = {
    { "land-release", "lr.area_released_m2", "activity", NULL,
      "Area released, square metres, by activity", "#size+m2+released", CH_BARS, 0,
      "APMBC F; CCM F" },
    { "land-release", "lr.direct_beneficiaries", "sex", "age",
      "Direct beneficiaries of land release, by sex and age", "#reached+direct", CH_PYRAMID, 1,
      "APMBC F; CCM F" },
    { "land-release", "lr.direct_beneficiaries", "area", "sex",
      "Direct beneficiaries of land release, by area and sex", "#reached+direct", CH_BARS, 1,
      "APMBC F; CCM F" },
    { "eore", "eore.sessions", "method", NULL, "Risk education sessions, by delivery method",
      "#activity+sessions", CH_BARS, 1, "APMBC I; CCM G" },
    { "eore", "eore.participants", "sex", "age",
      "Risk education participants, by sex and age (contacts)", "#reached", CH_PYRAMID, 1,
      "APMBC I; CCM G" },
    { "eore", "eore.participants", "area", "sex",
      "Risk education participants, by area and sex (contacts)", "#reached", CH_BARS, 1,
      "APMBC I; CCM G" },
    { "eore", "eore.unique_people", "sex", "age",
      "People reached by risk education (unique people in attendance lists), by sex and age",
      "#reached+unique", CH_PYRAMID, 1, "" },
    { "victim-assistance", "casualties.total", "sex", "age",
      "Casualties of explosive ordnance, by sex and age", "#affected", CH_PYRAMID, 1,
      "APMBC J; CCM H" },
    { "victim-assistance", "casualties.total", "civilian_status", "sex",
      "Casualties, by civilian status and sex", "#affected", CH_BARS, 1, "APMBC J; CCM H" },
    { "victim-assistance", "va.survivors", "sex", "age",
      "Survivors and indirect victims receiving assistance, by sex and age", "#affected+va",
      CH_PYRAMID, 1, "APMBC J; CCM H" },
    { "victim-assistance", "va.needs_assessed", "element", "sex",
      "Needs assessed, by victim assistance element and sex", "#inneed+va", CH_BARS, 1,
      "APMBC J; CCM H" },
    { "victim-assistance", "va.referrals_made", "provider_type", "sex",
      "Referrals to service providers, by kind of provider and sex", "#output+referrals", CH_BARS,
      1, "APMBC J; CCM H" },
    { "workforce", "staff.headcount", "role", "sex",
      "Staff employed at the end of the period, by role and sex", "#staff", CH_BARS, 1, "" },
};

/* The WPS alignment scorecard, by the core functions of the authority and of the centre. */
static const struct {
    const char *id, *body, *function, *text, *evidence;
} scorecard[] = {
    { "authority.legislation", "authority", "legislation",
      "Mine action law or regulation requires gender and diversity to be taken into account",
      NULL },
    { "authority.strategy", "authority", "policy and strategy",
      "The national strategy sets inclusion targets by sex, age and disability", NULL },
    { "authority.reporting", "authority", "reporting",
      "Treaty reports carry sex, age and disability-disaggregated data", "data.saddd_coverage" },
    { "authority.standards", "authority", "national standards",
      "National standards require SADDD and gender-sensitive survey and risk education", NULL },
    { "authority.resources", "authority", "resource mobilisation",
      "Funds are set aside for gender-sensitive programming", NULL },
    { "authority.oversight", "authority", "oversight", "Operators have PSEA policies",
      "org.share_psea" },
    { "authority.workforce", "authority", "workforce",
      "Women take part in the mine action workforce", "staff.women_share" },
    { "centre.liaison", "centre", "liaison",
      "Community consultations include women, men, girls, boys, persons with disabilities and "
      "minority groups",
      "consultation.share_inclusive_all" },
    { "centre.information", "centre", "information management", "SADDD is systematically collected",
      "data.saddd_coverage" },
    { "centre.standards", "centre", "standards",
      "Survey teams are trained in gender and diversity-sensitive data collection",
      "teams.share_trained_gd" },
    { "centre.accreditation", "centre", "accreditation and monitoring",
      "Operators have data protection and ethics SOPs", "org.share_data_protection" },
    { "centre.national_plan", "centre", "the national plan",
      "The national mine action plan is linked to the WPS national action plan", NULL },
};

static const char *section_of_kind(const char *kind)
{
    static const struct {
        const char *kind, *section;
    } map[] = { { "eore", "eore" },
                { "eore-attendance", "eore" },
                { "land-release", "land-release" },
                { "consultation", "land-release" },
                { "workforce", "workforce" },
                { "training", "governance" },
                { "survey-team", "governance" } };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(map[i].kind, kind) == 0)
            return map[i].section;
    return NULL;
}

static void count_finding(void *ctx, const struct madi_qfinding *f)
{
    struct madi_report *r = ctx;
    const char *sec = section_of_kind(f->kind);
    if (!sec || f->level == MADI_Q_INFO)
        return;
    size_t i = 0;
    while (i < r->nquality && strcmp(r->quality[i].section, sec) != 0)
        i++;
    if (i == r->nquality) {
        if (r->nquality == sizeof(r->quality) / sizeof(r->quality[0]))
            return;
        r->quality[r->nquality].section = sec;
        r->nquality++;
    }
    if (f->level == MADI_Q_PROBLEM)
        r->quality[i].problems++;
    else
        r->quality[i].warnings++;
}

/* The latest self-assessment answer to each item on or before the period's end. */
static int build_scorecard(struct madi_store *s, struct madi_report *r, struct madi_err *err)
{
    size_t n = sizeof(scorecard) / sizeof(scorecard[0]);
    struct madi_stmt *st = NULL;
    int rc = madi_store_prepare(s,
                                "SELECT answer, date, coalesce(assessed_by, ''), "
                                "coalesce(note, '') FROM self_assessment WHERE item = ? AND date "
                                "<= ? ORDER BY date DESC LIMIT 1",
                                &st, err);
    if (rc)
        return rc;
    r->score = xcalloc(n, sizeof(*r->score));
    for (size_t i = 0; i < n; i++) {
        struct rscore *sc = &r->score[r->nscore++];
        sc->id = scorecard[i].id;
        sc->body = scorecard[i].body;
        sc->function = scorecard[i].function;
        sc->text = scorecard[i].text;
        sc->evidence = scorecard[i].evidence;
        for (size_t k = 0; sc->evidence && k < r->nkpi; k++)
            if (strcmp(r->kpi[k].def->id, sc->evidence) == 0)
                sc->kpi = &r->kpi[k];
        madi_stmt_reset(st);
        madi_stmt_bind_text(st, 1, sc->id, strlen(sc->id));
        madi_stmt_bind_int(st, 2, r->o.period.to);
        rc = madi_stmt_step(st, err);
        if (rc == MADI_STMT_ROW) {
            sc->answer = (int)madi_stmt_int(st, 0);
            sc->date = (int32_t)madi_stmt_int(st, 1);
            (void)snprintf(sc->by, sizeof(sc->by), "%s", madi_stmt_text(st, 2));
            (void)snprintf(sc->note, sizeof(sc->note), "%s", madi_stmt_text(st, 3));
        }
        if (rc < 0)
            break;
        rc = MADI_OK;
    }
    madi_stmt_finalize(st);
    return rc;
}

static const char *dim_label(const char *name)
{
    static const struct {
        const char *name, *label;
    } l[] = { { "sex", "sex" },
              { "age", "age group" },
              { "area", "area" },
              { "civilian_status", "civilian status" },
              { "provider_type", "kind of provider" },
              { "activity", "activity" },
              { "method", "delivery method" },
              { "element", "victim assistance element" },
              { "role", "role" } };
    for (size_t i = 0; i < sizeof(l) / sizeof(l[0]); i++)
        if (strcmp(l[i].name, name) == 0)
            return l[i].label;
    return name;
}

/* Is category `code` (of a dimension's list) "unknown" or "not recorded"? Both publish as _U. */
static int is_unknown(const char *code)
{
    return strcmp(code, "_N") == 0 || strcmp(code, "U") == 0 || strcmp(code, "unknown") == 0;
}

static void rtable_free(struct rtable *t)
{
    for (size_t d = 0; d < t->ndims; d++) {
        for (size_t i = 0; i < t->dims[d].ncats; i++) {
            free(t->dims[d].codes[i]);
            free(t->dims[d].labels[i]);
        }
        free(t->dims[d].codes);
        free(t->dims[d].labels);
        free(t->dims[d].name);
        free(t->dims[d].label);
    }
    free(t->id);
    free(t->title);
    free(t->section);
    free(t->counts);
    free(t->hxl);
    free(t->note);
    free(t->forms);
    free(t->value);
    free(t->status);
}

void madi_report_free(struct madi_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nt; i++)
        rtable_free(&r->t[i]);
    free(r->t);
    free(r->kpi);
    free(r->score);
    free(r);
}

/* The publication dimension of result dimension `rd`; map[i] is where its category i goes. */
static void pub_dim(const struct madi_ind_dim *rd, struct rdim *pd, size_t *map)
{
    size_t n = 0;
    pd->name = xstrdup(rd->name);
    pd->label = xstrdup(dim_label(rd->name));
    pd->codes = xmalloc((rd->ncats + 2) * sizeof(char *));
    pd->labels = xmalloc((rd->ncats + 2) * sizeof(char *));
    for (size_t i = 0; i + 1 < rd->ncats; i++)
        if (!is_unknown(rd->cats[i].code)) {
            map[i] = n;
            pd->codes[n] = xstrdup(rd->cats[i].code);
            pd->labels[n++] = xstrdup(rd->cats[i].label);
        }
    size_t u = n;
    pd->codes[n] = xstrdup("_U");
    pd->labels[n++] = xstrdup("unknown or not recorded");
    pd->codes[n] = xstrdup("_T");
    pd->labels[n++] = xstrdup("total");
    for (size_t i = 0; i + 1 < rd->ncats; i++)
        if (is_unknown(rd->cats[i].code))
            map[i] = u;
    map[rd->ncats - 1] = n - 1;
    pd->ncats = n;
}

/* A table's note. In a public report it gives no share of the total that recorded sex, age or
 * disability: with the total it would give the unknowns away; the _U column says it, and is
 * protected like every cell. */
static char *note_of(const struct madi_ind_result *res, int public)
{
    const struct madi_ind_cell *t = madi_ind_result_total(res);
    char buf[400] = "";
    size_t l = 0;
    if (res->status != MADI_IND_OK) {
        (void)snprintf(buf, sizeof(buf), "%s", res->why[0] ? res->why : "no value");
        return xstrdup(buf);
    }
    if (t->cov_sex >= 0 && !public)
        l += (size_t)snprintf(buf + l, sizeof(buf) - l, "sex recorded for %.0f%%",
                              100 * t->cov_sex);
    if (t->cov_age >= 0 && !public && l < sizeof(buf))
        l += (size_t)snprintf(buf + l, sizeof(buf) - l, "%sage for %.0f%%", l ? ", " : "",
                              100 * t->cov_age);
    if (t->cov_disability >= 0 && !public && l < sizeof(buf))
        l += (size_t)snprintf(buf + l, sizeof(buf) - l, "%sdisability for %.0f%%", l ? ", " : "",
                              100 * t->cov_disability);
    if ((t->flags & MADI_IND_ESTIMATED) && l < sizeof(buf))
        l += (size_t)snprintf(buf + l, sizeof(buf) - l, "%spartly estimated", l ? "; " : "");
    if (res->reports_missing && l < sizeof(buf))
        (void)snprintf(buf + l, sizeof(buf) - l, "%s%ld of %ld reports due have not come",
                       l ? "; " : "", res->reports_missing, res->reports_expected);
    return xstrdup(buf);
}

/* One table from one count indicator crossed by up to two dimensions. */
static int build_table(struct madi_store *s, const struct madi_ind_catalogue *c,
                       const struct madi_report_opts *o, const struct tspec *sp, struct rtable *t,
                       struct madi_err *err)
{
    struct madi_ind_query q;
    struct madi_ind_result *res = NULL;
    const struct madi_ind_def *def = madi_ind_catalogue_find(c, sp->id);
    memset(t, 0, sizeof(*t));
    if (!def)
        return madi_err_set(err, MADI_EINTERNAL, "report table %s is not in the catalogue", sp->id);
    memset(&q, 0, sizeof(q));
    q.period = o->period;
    q.area = o->area;
    q.org = o->org;
    q.today = o->today;
    q.by[0] = sp->by0;
    q.by[1] = sp->by1;
    int rc = madi_ind_compute(s, def, &q, &res, err);
    if (rc)
        return rc;
    t->def = def;
    t->id = sp->by1 ? xasprintf("%s-%s-%s", sp->id, sp->by0, sp->by1)
                    : xasprintf("%s-%s", sp->id, sp->by0);
    t->title = xstrdup(sp->title);
    t->section = xstrdup(sp->section);
    t->counts = xstrdup(def->counts);
    t->hxl = xstrdup(sp->hxl);
    t->chart = sp->chart;
    t->people = sp->people;
    t->forms = xstrdup(sp->forms);
    t->additive = strstr(def->numerator, "distinct(") == NULL;
    t->note = note_of(res, o->audience == MADI_AUDIENCE_PUBLIC);
    size_t want = sp->by1 ? 2 : 1;
    if (res->status == MADI_IND_NOT_BY || res->ndims != want) {
        madi_ind_result_free(res);
        return MADI_OK; /* a table with no cells: the note says why */
    }
    size_t *map[RT_MAX_DIMS], one = 0;
    t->ndims = 2;
    t->flat = want == 1;
    for (size_t d = 0; d < want; d++) {
        map[d] = xmalloc(res->dims[d].ncats * sizeof(size_t));
        pub_dim(&res->dims[d], &t->dims[d], map[d]);
    }
    if (t->flat) { /* a single total column, so every writer sees rows by columns */
        map[1] = &one;
        t->dims[1].name = xstrdup("all");
        t->dims[1].label = xstrdup("total");
        t->dims[1].ncats = 1;
        t->dims[1].codes = xmalloc(sizeof(char *));
        t->dims[1].labels = xmalloc(sizeof(char *));
        t->dims[1].codes[0] = xstrdup("_T");
        t->dims[1].labels[0] = xstrdup("total");
    }
    t->ncells = t->dims[0].ncats * t->dims[1].ncats;
    t->value = xcalloc(t->ncells, sizeof(double));
    t->status = xcalloc(t->ncells, 1);
    int any = 0;
    for (size_t i = 0; i < res->ncells; i++) {
        const struct madi_ind_cell *cl = &res->cells[i];
        size_t at = map[0][cl->cat[0]] * t->dims[1].ncats + (t->flat ? 0 : map[1][cl->cat[1]]);
        if (cl->status == MADI_IND_OK) {
            t->value[at] += cl->value;
            any = 1;
        } else {
            t->status[at] = CS_NA;
        }
    }
    if (!any)
        for (size_t i = 0; i < t->ncells; i++)
            t->status[i] = CS_NA;
    free(map[0]);
    if (want == 2)
        free(map[1]);
    madi_ind_result_free(res);
    return MADI_OK;
}

/* A key indicator: its value for the whole, with coverage, target and last year's value. */
static int build_kpi(struct madi_store *s, const struct madi_report_opts *o,
                     const struct madi_ind_def *d, const struct madi_target_progress *tp,
                     size_t ntp, long k, struct rkpi *kp, struct madi_err *err)
{
    int public = o->audience == MADI_AUDIENCE_PUBLIC;
    struct madi_ind_query q;
    struct madi_ind_result *res = NULL;
    memset(kp, 0, sizeof(*kp));
    memset(&q, 0, sizeof(q));
    kp->def = d;
    q.period = o->period;
    q.area = o->area;
    q.org = o->org;
    q.today = o->today;
    int rc = madi_ind_compute(s, d, &q, &res, err);
    if (rc)
        return rc;
    const struct madi_ind_cell *t = madi_ind_result_total(res);
    kp->num = t->num;
    kp->den = t->den;
    kp->cov_sex = t->cov_sex;
    kp->cov_age = t->cov_age;
    kp->cov_dis = t->cov_disability;
    kp->coverage = t->coverage;
    kp->flags = t->flags;
    if (t->status != MADI_IND_OK) {
        kp->status = CS_NA;
        (void)snprintf(kp->why, sizeof(kp->why), "%.150s",
                       res->why[0] ? res->why : madi_ind_status_name(t->status));
    } else {
        kp->value = t->value;
    }
    madi_ind_result_free(res);
    for (size_t i = 0; i < ntp; i++)
        if (strcmp(tp[i].indicator, d->id) == 0 && strcmp(tp[i].subgroup, "all") == 0 &&
            !kp->has_target) {
            kp->has_target = 1;
            kp->target = tp[i].target;
            kp->target_year = tp[i].year;
            kp->target_state = kp->status == CS_OK ? tp[i].state : MADI_TARGET_UNKNOWN;
        }
    /* the years before, for the change since last year and the line against the target */
    int year = o->period.to / 10000;
    /* (a public report takes the years before from those years' own public reports instead,
     * so that a value hidden then is not shown now: see history) */
    for (int back = 1;
         !public && strlen(o->period.label) == 4 && kp->status == CS_OK && back < RK_TREND;
         back++) {
        if (back > 1 && !kp->has_target)
            break;
        madi_period_year(year - back, &q.period);
        rc = madi_ind_compute(s, d, &q, &res, err);
        if (rc)
            return rc;
        t = madi_ind_result_total(res);
        int small = o->audience == MADI_AUDIENCE_PUBLIC &&
                    ((t->num > 0 && t->num < (double)k) || (t->den > 0 && t->den < (double)k));
        if (t->status == MADI_IND_OK && !small) {
            if (back == 1) {
                kp->has_prev = 1;
                kp->prev = t->value;
            }
            kp->trend_ok[RK_TREND - 1 - back] = 1;
            kp->trend[RK_TREND - 1 - back] = t->value;
        }
        madi_ind_result_free(res);
    }
    if (kp->status == CS_OK) {
        kp->trend_ok[RK_TREND - 1] = 1;
        kp->trend[RK_TREND - 1] = kp->value;
    }
    kp->trend_last = year;
    return MADI_OK;
}

/* A term as cells of the report's tables: the measure it adds up without conditions, and the
 * categories its conditions select: sex, age and disability of split counts, and coded fields
 * that are a table's dimension (civilian status, role, ...), one value or several ("in"), so a
 * term may be a sum of cells. Returns how many cells (at most max), 0 when the term selects in
 * a way no table cell does (a field no table shows, an unknown, a comparison). */
#define MAX_TERM_CELLS 16

struct tcell {
    const char *dims[3];
    const char *codes[3];
    size_t nd;
};

static size_t term_cells(const struct term *t, char *base, size_t basesz, struct tcell *out,
                         size_t max)
{
    static const char *const ages[] = { "0-17", "18+" };
    const struct madi_kind *k = ind_src_kind(t->src);
    size_t n = 1;
    memset(out, 0, sizeof(*out));
    if (t->fn == M_MEDIAN_DAYS)
        return 0;
    /* a period rule of its own (workforce[hired]) is another quantity: no table cell */
    if (t->time != &t->src->times[0])
        return 0;
    if (t->fn == M_COUNT)
        (void)snprintf(base, basesz, "count(%s)", k->name);
    else
        (void)snprintf(base, basesz, "%s(%s.%s)", t->fn == M_SUM ? "sum" : "distinct", k->name,
                       k->fields[t->field].name);
    for (int i = 0; i < t->nconds; i++) {
        const struct cond *c = &t->conds[i];
        const char *dim = NULL;
        const struct madi_codelist *list = NULL;
        if ((c->op != C_EQ && c->op != C_IN) || out[0].nd >= 3 || n * (size_t)c->nvals > max)
            return 0;
        switch (c->ref) {
        case D_SEX_PART:
            dim = "sex";
            list = madi_codelist_find("sex");
            break;
        case D_DIS_PART:
            dim = "disability";
            list = madi_codelist_find("yesno");
            break;
        case D_AGE_PART:
            dim = "age";
            break;
        case D_FIELD:
            if (k->fields[c->field].type != MADI_F_CODE)
                return 0;
            dim = k->fields[c->field].name;
            list = madi_codelist_find(k->fields[c->field].codes);
            break;
        default:
            return 0;
        }
        /* every cell so far, once for each value */
        size_t m = n * (size_t)c->nvals;
        for (size_t a = n; a < m; a++)
            out[a] = out[a % n];
        for (size_t a = 0; a < m; a++) {
            int v = (int)c->vals[a / n];
            const char *code = NULL;
            if (c->ref == D_AGE_PART) {
                if (v != AG_CHILD && v != AG_ADULT)
                    return 0;
                code = ages[v];
            } else {
                const struct madi_code *mc = list ? madi_code_by_value(list, v) : NULL;
                if (!mc || is_unknown(mc->code))
                    return 0;
                code = mc->code;
            }
            out[a].dims[out[a].nd] = dim;
            out[a].codes[out[a].nd] = code;
        }
        for (size_t a = 0; a < m; a++)
            out[a].nd++;
        n = m;
    }
    return n;
}

/* The cell of a table's measure in disclosure control: its numerator's measure when it is one
 * plain term (so a share made of the same counts is tied to it), else the indicator's id. */
static void table_measure(const struct madi_ind_def *def, char *out, size_t n)
{
    const struct ind_entry *e = (const struct ind_entry *)def;
    struct tcell one[1];
    if (e->num.nterms == 1 && !e->num.terms[0].nconds &&
        term_cells(&e->num.terms[0], out, n, one, 1) == 1)
        return;
    (void)snprintf(out, n, "%s", def->id);
}

/* A share's numerator or denominator as a cell: the table cell it is, or a cell of its own tied
 * to the table cells it adds up by one more equation. */
/* The indicator whose tables hold measure `base`, or NULL. */
static const char *table_of(const struct madi_report *r, const char *base)
{
    for (size_t i = 0; i < r->nt; i++) {
        char m[128];
        table_measure(r->t[i].def, m, sizeof(m));
        if (strcmp(m, base) == 0)
            return r->t[i].def->id;
    }
    return NULL;
}

static size_t link_measure(struct madi_report *r, struct madi_sdc *sdc, const struct measure *m,
                           double value, const char *id, const char *which, int *linked,
                           struct rpart *out, size_t *nout)
{
    size_t parts[MAX_TERMS * MAX_TERM_CELLS], np = 0;
    int all = 1;
    *nout = 0;
    for (int i = 0; i < m->nterms && all; i++) {
        char base[128];
        struct tcell cells[MAX_TERM_CELLS];
        size_t nc = term_cells(&m->terms[i], base, sizeof(base), cells, MAX_TERM_CELLS);
        const char *tid = table_of(r, base);
        all = nc > 0 && tid;
        for (size_t c = 0; all && c < nc; c++) {
            parts[np] = madi_sdc_cell(sdc, base, cells[c].nd, cells[c].dims, cells[c].codes, 0, 0);
            all = parts[np++] != MADI_SDC_NONE && *nout < RK_PARTS;
            if (all) {
                struct rpart *p = &out[(*nout)++];
                p->measure = tid;
                p->nd = cells[c].nd;
                memcpy(p->dims, cells[c].dims, sizeof(p->dims));
                memcpy(p->codes, cells[c].codes, sizeof(p->codes));
            }
        }
    }
    if (!all)
        *nout = 0;
    *linked = all;
    if (all && np == 1)
        return parts[0];
    char key[160];
    (void)snprintf(key, sizeof(key), "kpi:%s:%s", id, which);
    size_t v = madi_sdc_cell(sdc, key, 0, NULL, NULL, value, 1);
    if (all)
        madi_sdc_add_sum(sdc, v, parts, np);
    return v;
}

/* Every share the public report shows takes part in disclosure control through the counts it
 * is made of: a share of a small count is hidden, and so is one whose numerator or
 * denominator a table hides (the share and the other would give it away). */
/* Does the measure count people (individual records, records about a person such as needs and
 * referrals, distinct persons, or a field of people counts)? Shares of meetings, organisations
 * or teams need no disclosure control. */
static int counts_people(const struct measure *m)
{
    for (int i = 0; i < m->nterms; i++) {
        const struct term *t = &m->terms[i];
        const struct madi_kind *k = ind_src_kind(t->src);
        int people =
                t->fn == M_DISTINCT || t->fn == M_MEDIAN_DAYS ||
                (t->fn == M_COUNT && ((k->flags & MADI_KIND_INDIVIDUAL) || t->src->person_kind)) ||
                (t->fn == M_SUM && k->fields[t->field].unit &&
                 strcmp(k->fields[t->field].unit, "people") == 0);
        if (!people)
            return 0;
    }
    return 1;
}

static void link_kpis(struct madi_report *r, struct madi_sdc *sdc)
{
    for (size_t i = 0; i < r->nkpi; i++) {
        struct rkpi *k = &r->kpi[i];
        const struct ind_entry *e = (const struct ind_entry *)k->def;
        k->num_cell = k->den_cell = MADI_SDC_NONE;
        if (k->status != CS_OK || !counts_people(&e->num))
            continue;
        int ln = 1, ld = 1;
        if (k->def->unit != MADI_UNIT_DAYS)
            k->num_cell = link_measure(r, sdc, &e->num, k->num, k->def->id, "num", &ln, k->parts[0],
                                       &k->nparts[0]);
        if (e->has_den)
            k->den_cell = link_measure(r, sdc, &e->den, k->den, k->def->id, "den", &ld, k->parts[1],
                                       &k->nparts[1]);
        /* a share whose counts no table holds cannot be checked against the tables: it is
         * published only when its part and the rest of its base are no small counts either */
        double rest = k->den - k->num;
        if ((!ln || !ld) && e->has_den && rest > 0 && rest < (double)r->k)
            k->unlinked_small = 1;
        else if (k->def->unit == MADI_UNIT_DAYS) {
            char key[160];
            (void)snprintf(key, sizeof(key), "kpi:%s:records", k->def->id);
            k->den_cell = madi_sdc_cell(sdc, key, 0, NULL, NULL, k->den, 1);
        }
    }
}

/* What a public report says of a share: its value rounded (a share to the decimal, a ratio to
 * the hundredth, days to the day), and how much of its base recorded what it needs only in
 * tenths and only for bases of at least ten times k, so that neither gives a count away. */
static void coarsen(struct madi_report *r)
{
    double big = 10.0 * (double)r->k;
    for (size_t i = 0; i < r->nkpi; i++) {
        struct rkpi *k = &r->kpi[i];
        double scale = k->def->unit == MADI_UNIT_PERCENT ? 10
                       : k->def->unit == MADI_UNIT_RATIO ? 100
                                                         : 1;
        k->value = round(k->value * scale) / scale;
        k->prev = round(k->prev * scale) / scale;
        for (int y = 0; y < RK_TREND; y++)
            k->trend[y] = round(k->trend[y] * scale) / scale;
        double base = k->den > 0 ? k->den : k->num;
        double universe = k->coverage > 0 ? base / k->coverage : 0;
        double *cov[] = { &k->cov_sex, &k->cov_age, &k->cov_dis };
        for (int c = 0; c < 3; c++)
            *cov[c] = base >= big && *cov[c] >= 0 ? round(*cov[c] * 10) / 10 : -1;
        k->coverage = universe >= big && k->coverage >= 0 ? round(k->coverage * 10) / 10 : -1;
    }
}

static void protect(struct madi_report *r, struct madi_sdc *sdc, const size_t *ids)
{
    for (size_t i = 0; i < r->nkpi; i++) {
        struct rkpi *k = &r->kpi[i];
        int hid = (k->num_cell != MADI_SDC_NONE &&
                   madi_sdc_var_status(sdc, k->num_cell) != MADI_SDC_PUBLISHED) ||
                  (k->den_cell != MADI_SDC_NONE &&
                   madi_sdc_var_status(sdc, k->den_cell) != MADI_SDC_PUBLISHED);
        if (k->status == CS_OK && (hid || k->unlinked_small)) {
            k->status = CS_SUPPRESSED;
            k->value = k->num = k->den = 0;
            k->has_prev = 0;
            k->target_state = MADI_TARGET_UNKNOWN;
            memset(k->trend_ok, 0, sizeof(k->trend_ok));
        }
    }
    for (size_t i = 0; i < r->nt; i++) {
        struct rtable *t = &r->t[i];
        for (size_t c = 0; t->ncells && t->people && c < t->ncells; c++) {
            enum madi_sdc_status st = madi_sdc_cell_status(sdc, ids[i], c);
            if (st == MADI_SDC_PUBLISHED)
                continue;
            if (t->status[c] == CS_OK) {
                t->status[c] = CS_SUPPRESSED;
                t->value[c] = 0; /* nothing suppressed is kept */
            }
        }
    }
    r->primary = madi_sdc_count(sdc, MADI_SDC_PRIMARY);
    r->secondary = madi_sdc_count(sdc, MADI_SDC_SECONDARY);
}

static int build(struct madi_store *s, const struct madi_ind_catalogue *c,
                 const struct madi_report_opts *o, int whole, struct madi_report **out,
                 struct madi_err *err);

/* A public report's values of the years before, as those years' public reports publish them
 * (protected there as here): a share hidden in last year's report stays hidden in this one. */
static int history(struct madi_store *s, const struct madi_ind_catalogue *c, struct madi_report *r,
                   struct madi_err *err)
{
    int year = r->o.period.to / 10000, rc = MADI_OK;
    for (size_t i = 0; i < r->nkpi; i++) {
        struct rkpi *k = &r->kpi[i];
        memset(k->trend_ok, 0, sizeof(k->trend_ok));
        k->has_prev = 0;
        if (k->status == CS_OK) {
            k->trend_ok[RK_TREND - 1] = 1;
            k->trend[RK_TREND - 1] = k->value;
        }
        k->trend_last = year;
    }
    if (strlen(r->o.period.label) != 4)
        return MADI_OK;
    for (int back = 1; !rc && back < RK_TREND; back++) {
        struct madi_report_opts po = r->o;
        struct madi_report *p = NULL;
        madi_period_year(year - back, &po.period);
        rc = build(s, c, &po, 0, &p, err);
        for (size_t i = 0; !rc && i < r->nkpi; i++) {
            struct rkpi *k = &r->kpi[i];
            const struct rkpi *pk = NULL;
            for (size_t j = 0; j < p->nkpi && !pk; j++)
                if (p->kpi[j].def == k->def)
                    pk = &p->kpi[j];
            if (!pk || pk->status != CS_OK || k->status != CS_OK)
                continue;
            k->trend_ok[RK_TREND - 1 - back] = 1;
            k->trend[RK_TREND - 1 - back] = pk->value;
            if (back == 1) {
                k->has_prev = 1;
                k->prev = pk->value;
            }
        }
        madi_report_free(p);
    }
    return rc;
}

int madi_report_build(struct madi_store *s, const struct madi_ind_catalogue *c,
                      const struct madi_report_opts *o, struct madi_report **out,
                      struct madi_err *err)
{
    store_memo_begin(s); /* the data does not change while the report is built */
    int rc = build(s, c, o, 1, out, err);
    store_memo_end(s);
    return rc;
}

/* Build the report; `whole`: with its scorecard, its data-quality counts and (public) the
 * years before; without, only what the years after need of it. */
static int build(struct madi_store *s, const struct madi_ind_catalogue *c,
                 const struct madi_report_opts *o, int whole, struct madi_report **out,
                 struct madi_err *err)
{
    struct madi_report *r = xcalloc(1, sizeof(*r));
    struct madi_sdc *sdc = NULL;
    struct madi_target_progress *tp = NULL;
    size_t ntp = 0, nspec = sizeof(specs) / sizeof(specs[0]), ids[sizeof(specs) / sizeof(specs[0])];
    struct madi_ind_query q;
    int rc = MADI_OK;
    r->o = *o;
    r->cat = c;
    r->k = o->k > 0 ? o->k : MADI_SDC_K_DEFAULT;
    (void)snprintf(r->title, sizeof(r->title), "%s",
                   o->title ? o->title : "Gender, diversity and inclusion in mine action");
    r->t = xcalloc(nspec, sizeof(*r->t));
    if (o->audience == MADI_AUDIENCE_PUBLIC)
        sdc = madi_sdc_new(r->k);
    for (size_t i = 0; !rc && i < nspec; i++) {
        rc = build_table(s, c, o, &specs[i], &r->t[r->nt], err);
        if (rc)
            break;
        struct rtable *t = &r->t[r->nt++];
        if (sdc && t->ncells && t->people) {
            const char *names[RT_MAX_DIMS] = { t->dims[0].name, t->dims[1].name };
            size_t ncats[RT_MAX_DIMS] = { t->dims[0].ncats, t->dims[1].ncats };
            const char *const *codes[RT_MAX_DIMS] = { (const char *const *)t->dims[0].codes,
                                                      (const char *const *)t->dims[1].codes };
            char measure[128];
            table_measure(t->def, measure, sizeof(measure));
            ids[r->nt - 1] =
                    madi_sdc_add_table(sdc, measure, 2, names, ncats, codes, t->value, t->additive);
        }
    }
    memset(&q, 0, sizeof(q));
    q.period = o->period;
    q.area = o->area;
    q.org = o->org;
    q.today = o->today;
    if (!rc)
        rc = madi_ind_targets(s, c, &q, &tp, &ntp, err);
    r->kpi = xcalloc(madi_ind_catalogue_count(c) + 1, sizeof(*r->kpi));
    for (size_t i = 0; !rc && i < madi_ind_catalogue_count(c); i++) {
        const struct madi_ind_def *d = madi_ind_catalogue_get(c, i);
        if (d->unit == MADI_UNIT_COUNT)
            continue;
        rc = build_kpi(s, o, d, tp, ntp, r->k, &r->kpi[r->nkpi], err);
        if (!rc)
            r->nkpi++;
    }
    if (!rc && sdc) {
        link_kpis(r, sdc);
        rc = madi_sdc_protect(sdc, err);
    }
    if (!rc && sdc) {
        protect(r, sdc, ids);
        coarsen(r);
    }
    if (!rc && whole)
        rc = build_scorecard(s, r, err);
    if (!rc && whole)
        rc = madi_quality_check(s, &o->period, o->org, o->today, count_finding, r, err);
    if (!rc && whole && o->audience == MADI_AUDIENCE_PUBLIC)
        rc = history(s, c, r, err);
    free(tp);
    madi_sdc_free(sdc);
    if (rc) {
        madi_report_free(r);
        return rc;
    }
    *out = r;
    return MADI_OK;
}

size_t madi_report_tables(const struct madi_report *r)
{
    return r->nt;
}

size_t madi_report_suppressed(const struct madi_report *r, int secondary)
{
    return secondary ? r->secondary : r->primary;
}

int madi_report_format_parse(const char *s)
{
    static const char *const names[] = { "html", "md", "json", "csv" };
    for (int i = 0; i < 4; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    if (strcmp(s, "markdown") == 0)
        return MADI_REPORT_MD;
    return -1;
}
