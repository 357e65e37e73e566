/*
 * indexpr.c: the measure expressions of the indicator catalogue, compiled against the kinds.
 *
 *     measure := term { "+" term }
 *     term    := ("count" | "sum" | "distinct") "(" kind ["[" rule "]"] ["." field]
 *                ["where" cond { "and" cond }] ")"
 *              | "median_days" "(" kind ["[" rule "]"] "." date "," date ["where" ...] ")"
 *     cond    := name ("=" | "!=" | "<" | "<=" | ">" | ">=") value
 *              | name "in" "(" value { "," value } ")"
 *              | name "is" ["not"] "reported"
 *
 * `count` counts rows, `sum` adds a field, `distinct` counts different person keys,
 * `median_days` is the median number of days between two dates of each row. A rule
 * chooses how rows fall in a period where a kind has more than one (workforce[hired]). Names
 * are fields of the kind; on kinds that carry counts split into parts, `sex`, `age` and
 * `disability` select parts instead (girls are sex = F and age < 18). Values are codes of the
 * field's code list or numbers. Everything is checked here, so a catalogue that loads can
 * always be computed; messages say what to write instead.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "madi/dim.h"

#include "banned.h"
#include "ind_int.h"

struct lex {
    const char *p;
    char tok[80];
    int kind; /* 'w' word, 'n' number, 'o' operator/punctuation, 0 end */
    char *why;
    size_t whysz;
    int failed;
};

static int fail(struct lex *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct lex *l, const char *fmt, ...)
{
    if (!l->failed) {
        va_list ap;
        va_start(ap, fmt);
        (void)vsnprintf(l->why, l->whysz, fmt, ap);
        va_end(ap);
    }
    l->failed = 1;
    return -1;
}

static int is_word(int c)
{
    return isalnum(c) || c == '_' || c == '-';
}

static void next(struct lex *l)
{
    while (isspace((unsigned char)*l->p))
        l->p++;
    size_t n = 0;
    l->tok[0] = '\0';
    if (!*l->p) {
        l->kind = 0;
        return;
    }
    unsigned char c = (unsigned char)*l->p;
    if (isdigit(c)) {
        l->kind = 'n';
        while ((isdigit((unsigned char)*l->p) || *l->p == '.') && n + 1 < sizeof(l->tok))
            l->tok[n++] = *l->p++;
    } else if (is_word(c)) {
        l->kind = 'w';
        while (is_word((unsigned char)*l->p) && n + 1 < sizeof(l->tok))
            l->tok[n++] = *l->p++;
    } else {
        l->kind = 'o';
        l->tok[n++] = *l->p++;
        if ((c == '<' || c == '>' || c == '!') && *l->p == '=')
            l->tok[n++] = *l->p++;
    }
    l->tok[n] = '\0';
}

static int accept(struct lex *l, const char *t)
{
    if (l->kind && strcmp(l->tok, t) == 0) {
        next(l);
        return 1;
    }
    return 0;
}

static int expect(struct lex *l, const char *t, const char *where)
{
    if (accept(l, t))
        return 0;
    return fail(l, "expected '%s' %s, found '%s'", t, where, l->kind ? l->tok : "the end");
}

/* The partition of `src` for total `field` that splits along every axis in `need` (bit 0 sex,
 * 1 age, 2 disability); -1 when none does. */
static int partition_for(const struct src *src, const char *field, unsigned need)
{
    for (size_t i = 0; i < src->npartitions; i++) {
        const struct src_partition *p = &src->partitions[i];
        if (strcmp(p->total, field) != 0)
            continue;
        if ((ind_partition_axes(p) & need) == need)
            return (int)i;
    }
    return -1;
}

static int is_part_axis(const struct src *src, const char *name)
{
    if (src->shape != SRC_PARTS)
        return 0;
    return strcmp(name, "sex") == 0 || strcmp(name, "age") == 0 || strcmp(name, "disability") == 0;
}

static int parse_value(struct lex *l, const struct madi_codelist *list, double *out,
                       const char *name)
{
    if (l->kind != 'w' && l->kind != 'n')
        return fail(l, "expected a value after '%s'", name);
    if (list) {
        const struct madi_code *c = madi_code_match(list, l->tok, strlen(l->tok));
        if (!c)
            return fail(l, "'%s' is not a code of list '%s' (madi codes %s lists them)", l->tok,
                        list->name, list->name);
        *out = c->value;
    } else {
        char *end = NULL;
        *out = strtod(l->tok, &end);
        if (l->kind != 'n' || (end && *end))
            return fail(l, "'%s' needs a number, not '%s'", name, l->tok);
    }
    next(l);
    return 0;
}

/* Map an age threshold on a split total to the group it selects: under 18 or 18 and over. */
static int age_part_cond(struct lex *l, struct cond *c)
{
    double v = c->vals[0];
    int child = (c->op == C_LT && v == 18) || (c->op == C_LE && v == 17);
    int adult = (c->op == C_GE && v == 18) || (c->op == C_GT && v == 17);
    if (!child && !adult)
        return fail(l, "counts split into girls, boys, women and men only tell under 18 from 18 "
                       "and over: write age < 18 or age >= 18");
    c->op = C_EQ;
    c->vals[0] = child ? AG_CHILD : AG_ADULT;
    c->nvals = 1;
    return 0;
}

static int parse_cond(struct lex *l, struct term *t, const struct madi_kind *k, unsigned *axes)
{
    if (t->nconds >= MAX_CONDS)
        return fail(l, "at most %d conditions in one term", MAX_CONDS);
    struct cond *c = &t->conds[t->nconds];
    char name[80];
    const struct madi_codelist *list = NULL;
    memset(c, 0, sizeof(*c));
    if (l->kind != 'w')
        return fail(l, "expected a field name after 'where' or 'and'");
    (void)snprintf(name, sizeof(name), "%s", l->tok);
    next(l);
    int fi = madi_kind_field_index(k, name);
    if (is_part_axis(t->src, name)) {
        c->ref = name[0] == 's' ? D_SEX_PART : name[0] == 'a' ? D_AGE_PART : D_DIS_PART;
        *axes |= name[0] == 's' ? 1u : name[0] == 'a' ? 2u : 4u;
        list = c->ref == D_SEX_PART   ? madi_codelist_find("sex")
               : c->ref == D_DIS_PART ? madi_codelist_find("yesno")
                                      : NULL;
    } else if (strcmp(name, "age") == 0 && t->src->age_lo) {
        c->ref = D_AGE;
    } else if (fi >= 0) {
        c->ref = D_FIELD;
        c->field = fi;
        if (k->fields[fi].type == MADI_F_CODE)
            list = madi_codelist_find(k->fields[fi].codes);
        else if (k->fields[fi].type != MADI_F_COUNT && k->fields[fi].type != MADI_F_DECIMAL &&
                 k->fields[fi].type != MADI_F_YEAR && k->fields[fi].type != MADI_F_AGE &&
                 k->fields[fi].type != MADI_F_DATE && strcmp(l->tok, "is") != 0)
            return fail(l, "field '%s' of %s can only be tested with 'is reported'", name, k->name);
    } else if (t->src->person_kind &&
               madi_kind_field_index(madi_kind_find(t->src->person_kind), name) >= 0) {
        const struct madi_kind *pk = madi_kind_find(t->src->person_kind);
        int pfi = madi_kind_field_index(pk, name);
        if (pk->fields[pfi].type != MADI_F_CODE)
            return fail(l, "'%s' of the %s can be compared only when it is a coded field", name,
                        pk->name);
        c->ref = D_PFIELD;
        c->field = pfi;
        list = madi_codelist_find(pk->fields[pfi].codes);
    } else {
        int si = -1;
        for (int i = 0; t->src->synth[i].name; i++)
            if (strcmp(t->src->synth[i].name, name) == 0 && t->src->synth[i].codes)
                si = i;
        if (si < 0)
            return fail(l, "%s has no field '%s' (madi template %s --doc lists them)", k->name,
                        name, k->name);
        c->ref = D_SYNTH;
        c->field = si;
        list = madi_codelist_find(t->src->synth[si].codes);
    }

    if (accept(l, "is")) {
        c->op = accept(l, "not") ? C_NOT_REPORTED : C_REPORTED;
        if (expect(l, "reported", "after 'is'"))
            return -1;
        if (c->ref != D_FIELD)
            return fail(l, "'is reported' applies to fields of the kind, not to '%s'", name);
    } else if (accept(l, "in")) {
        c->op = C_IN;
        if (expect(l, "(", "after 'in'"))
            return -1;
        do {
            if (c->nvals >= MAX_VALS)
                return fail(l, "at most %d values in a list", MAX_VALS);
            if (parse_value(l, list, &c->vals[c->nvals++], name))
                return -1;
        } while (accept(l, ","));
        if (expect(l, ")", "to close the list"))
            return -1;
    } else {
        static const char *const ops[] = { "=", "!=", "<", "<=", ">", ">=" };
        int op = -1;
        for (int i = 0; i < 6; i++)
            if (l->kind == 'o' && strcmp(l->tok, ops[i]) == 0)
                op = i;
        if (op < 0)
            return fail(l, "expected =, !=, <, <=, >, >=, 'in' or 'is reported' after '%s'", name);
        next(l);
        c->op = (enum cop)op;
        if (list && op >= 2)
            return fail(l, "'%s' holds codes: compare it with = or != or 'in'", name);
        if (parse_value(l, list, &c->vals[0], name))
            return -1;
        c->nvals = 1;
        if (c->ref == D_AGE_PART && age_part_cond(l, c))
            return -1;
    }
    if ((c->ref == D_AGE || c->ref == D_AGE_PART) && (c->op == C_IN || c->op == C_NE))
        return fail(l, "age is compared with =, <, <=, > or >= (write two conditions for a "
                       "range, e.g. age >= 5 and age < 18)");
    if ((c->ref == D_SEX_PART || c->ref == D_DIS_PART || c->ref == D_AGE_PART) && c->op != C_EQ &&
        c->op != C_IN && c->op != C_NE)
        return fail(l, "'%s' of a split count is compared with = , != or 'in'", name);
    t->nconds++;
    return 0;
}

static int parse_term(struct lex *l, struct term *t)
{
    char srcname[80], field[80] = "";
    unsigned axes = 0;
    memset(t, 0, sizeof(*t));
    t->field = -1;
    t->field2 = -1;
    t->partition = -1;
    if (accept(l, "count"))
        t->fn = M_COUNT;
    else if (accept(l, "sum"))
        t->fn = M_SUM;
    else if (accept(l, "distinct"))
        t->fn = M_DISTINCT;
    else if (accept(l, "median_days"))
        t->fn = M_MEDIAN_DAYS;
    else
        return fail(l,
                    "expected count(...), sum(...), distinct(...) or median_days(...), found "
                    "'%s'",
                    l->kind ? l->tok : "the end");
    if (expect(l, "(", "after the function name"))
        return -1;
    if (l->kind != 'w')
        return fail(l, "expected a kind of record (madi template --list)");
    (void)snprintf(srcname, sizeof(srcname), "%s", l->tok);
    next(l);
    t->src = ind_src_find(srcname);
    const struct madi_kind *k = t->src ? ind_src_kind(t->src) : NULL;
    if (!k)
        return fail(l,
                    "'%s' is not a kind indicators can read (eore, eore-attendance, "
                    "land-release, consultation, casualty, workforce, training, survey-team, "
                    "organisation, population)",
                    srcname);
    t->time = &t->src->times[0];
    if (accept(l, "[")) {
        t->time = NULL;
        for (const struct src_time *tm = t->src->times; tm->name; tm++)
            if (l->kind == 'w' && strcmp(tm->name, l->tok) == 0)
                t->time = tm;
        if (!t->time) {
            char names[160] = "";
            for (const struct src_time *tm = t->src->times + 1; tm->name; tm++)
                (void)snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
                               names[0] ? ", " : "", tm->name);
            return fail(l, "%s has no period rule '%s'%s%s", k->name, l->tok,
                        names[0] ? "; it has: " : "", names);
        }
        next(l);
        if (expect(l, "]", "after the period rule"))
            return -1;
    }
    if (accept(l, ".")) {
        if (l->kind != 'w')
            return fail(l, "expected a field name after '.'");
        (void)snprintf(field, sizeof(field), "%s", l->tok);
        next(l);
        t->field = madi_kind_field_index(k, field);
        if (t->field < 0)
            return fail(l, "%s has no field '%s' (madi template %s --doc lists them)", k->name,
                        field, k->name);
    }
    if (t->fn == M_MEDIAN_DAYS) {
        if (t->field < 0 || k->fields[t->field].type != MADI_F_DATE)
            return fail(l, "median_days() takes two dates: median_days(%s.FROM_DATE, TO_DATE)",
                        k->name);
        if (expect(l, ",", "between the two dates of median_days()"))
            return -1;
        if (l->kind != 'w')
            return fail(l, "expected the later date's field after ','");
        t->field2 = madi_kind_field_index(k, l->tok);
        if (t->field2 >= 0 && k->fields[t->field2].type != MADI_F_DATE)
            return fail(l, "'%s' is not a date of %s", l->tok, k->name);
        if (t->field2 < 0)
            for (int i = 0; t->src->synth[i].name; i++)
                if (!t->src->synth[i].codes && strcmp(t->src->synth[i].name, l->tok) == 0)
                    t->field2 = -2 - i;
        if (t->field2 == -1)
            return fail(l, "%s has no date '%s'", k->name, l->tok);
        next(l);
    } else if (t->fn == M_SUM) {
        enum madi_ftype ft = t->field >= 0 ? k->fields[t->field].type : MADI_F_TEXT;
        if (ft != MADI_F_COUNT && ft != MADI_F_DECIMAL)
            return fail(l, "sum() needs a field holding a count or a number, e.g. sum(%s.%s)",
                        k->name, t->src->npartitions ? t->src->partitions[0].total : "population");
    } else if (t->fn == M_DISTINCT) {
        if (t->field < 0 || k->fields[t->field].type != MADI_F_PERSON_KEY)
            return fail(l, "distinct() counts person keys: write distinct(%s.person_key)", k->name);
    } else if (t->field >= 0) {
        return fail(l, "count() counts rows and takes no field: write count(%s where ...)",
                    k->name);
    }
    if (accept(l, "where")) {
        do {
            if (parse_cond(l, t, k, &axes))
                return -1;
        } while (accept(l, "and"));
    }
    if (expect(l, ")", "to close the term"))
        return -1;
    if (axes) {
        if (t->fn != M_SUM)
            return fail(l,
                        "sex, age and disability of %s are parts of its counts: use "
                        "sum(%s.%s where ...)",
                        t->src->what, k->name, t->src->partitions[0].total);
        t->partition = partition_for(t->src, field, axes);
        if (t->partition < 0)
            return fail(l,
                        "%s gives %s split by sex and age and, separately, by disability: "
                        "the two cannot be combined in one condition (individual records "
                        "such as eore-attendance can be)",
                        t->src->what, field);
    } else if (t->fn == M_SUM && t->src->shape == SRC_PARTS) {
        t->partition = partition_for(t->src, field, 0);
    }
    return 0;
}

int ind_measure_parse(const char *e, struct measure *m, char *why, size_t whysz)
{
    struct lex l = { e, "", 0, why, whysz, 0 };
    memset(m, 0, sizeof(*m));
    next(&l);
    do {
        if (m->nterms >= MAX_TERMS)
            return fail(&l, "at most %d terms added together", MAX_TERMS);
        if (parse_term(&l, &m->terms[m->nterms]))
            return -1;
        m->nterms++;
    } while (accept(&l, "+"));
    for (int i = 0; i < m->nterms && m->nterms > 1; i++)
        if (m->terms[i].fn == M_MEDIAN_DAYS)
            return fail(&l, "a median cannot be added to anything: use median_days() alone");
    if (l.kind)
        return fail(&l, "unexpected '%s' after the measure", l.tok);
    return 0;
}

int ind_measure_coarse_age(const struct measure *m)
{
    for (int i = 0; i < m->nterms; i++)
        if (m->terms[i].src->shape == SRC_PARTS)
            return 1;
    return 0;
}
