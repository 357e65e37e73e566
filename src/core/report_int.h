/*
 * report_int.h: the report's model, shared by the builder (report.c) and the writers
 * (render.c). Not part of the contract. Every number here is already protected: a suppressed
 * cell carries its status and no value.
 */
#ifndef MADI_REPORT_INT_H
#define MADI_REPORT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "madi/indicators.h"
#include "madi/report.h"

#define RT_MAX_DIMS 2
#define RK_TREND    4  /* years of a key indicator's line against its target */
#define RK_PARTS    32 /* table cells a share's numerator or denominator may add up */

enum cell_status {
    CS_OK = 0,
    CS_SUPPRESSED = 1, /* JSON-stat status "c" */
    CS_NA = 2          /* the indicator gave no value here (not recorded, no data) */
};

enum chart_kind { CH_PYRAMID, CH_BARS };

struct rdim {
    char *name;  /* "sex", "age", "area" */
    char *label; /* for people */
    size_t ncats;
    char **codes; /* ... "_U", "_T" */
    char **labels;
};

struct rtable {
    char *id; /* dataset id: "eore.participants-sex-age" */
    char *title;
    char *section; /* pillar */
    char *counts;  /* what a cell counts: "contacts", "people" */
    char *hxl;     /* hashtag of the values */
    const struct madi_ind_def *def;
    size_t ndims;
    struct rdim dims[RT_MAX_DIMS];
    size_t ncells;
    double *value;
    unsigned char *status;
    int additive;
    int people;  /* counts people: disclosure control applies */
    int flat;    /* one dimension (dims[1] is a single total) */
    char *forms; /* the treaty forms it belongs to: "APMBC F; CCM F", or "" */
    enum chart_kind chart;
    char *note; /* coverage and flags, or why it is empty */
};

struct rkpi {
    const struct madi_ind_def *def;
    enum cell_status status;
    double value, num, den;
    double cov_sex, cov_age, cov_dis, coverage;
    unsigned flags;
    char why[160];
    int has_target;
    double target;
    int target_year;
    enum madi_target_state target_state;
    int has_prev;
    double prev;               /* the same indicator a year earlier */
    size_t num_cell, den_cell; /* its numerator and denominator in disclosure control */
    int unlinked_small;        /* not tied to the tables, and its base minus its part is small */
    struct rpart {             /* the table cells its numerator (0) and denominator (1) add up */
        const char *measure;   /* the tables' measure (an indicator id) */
        size_t nd;
        const char *dims[3], *codes[3];
    } parts[2][RK_PARTS];
    size_t nparts[2];       /* 0 when it is not tied to the tables */
    double trend[RK_TREND]; /* values of the years up to the period's (with a target) */
    int trend_ok[RK_TREND];
    int trend_last; /* the year of trend[RK_TREND - 1] */
};

/* One item of the WPS alignment scorecard: evidence from data where data can show it, else (or
 * as well) the latest dated self-assessment answer. */
struct rscore {
    const char *id, *body, *function, *text, *evidence; /* static strings */
    const struct rkpi *kpi;                             /* the evidence's value, or NULL */
    int answer; /* assessment code list value; 0 = never assessed */
    int32_t date;
    char by[80], note[200];
};

struct madi_report {
    struct madi_report_opts o;
    char title[160];
    long k;
    struct rtable *t;
    size_t nt;
    struct rkpi *kpi;
    size_t nkpi;
    struct rscore *score;
    size_t nscore;
    struct {
        const char *section;
        long problems, warnings;
    } quality[8]; /* findings of madi quality, by the section of the kind they are about */
    size_t nquality;
    const struct madi_ind_catalogue *cat;
    size_t primary, secondary;
};

/** Write `s` for HTML (escaped). */
void rep_html_text(FILE *out, const char *s);

#endif
