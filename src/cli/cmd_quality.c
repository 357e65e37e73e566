/*
 * cmd_quality.c: `madi quality`: data-quality findings per operator, each with what to fix.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "madi/indicators.h"
#include "madi/quality.h"

#include "banned.h"
#include "cli.h"

const char cmd_quality_usage[] =
        "usage: madi quality [--db FILE] [--period P] [--org O] [--format table|json]\n"
        "\n"
        "List what makes the stored data less trustworthy, operator by operator, and what to\n"
        "fix: reports due under the reporting plans that have not come (completeness); totals\n"
        "with no split by sex and age or disability, or split only in part (consistency rules\n"
        "generated from each kind's parts and totals); counts reported as 0 against counts\n"
        "left blank (zero is data, blank is not reported); and totals far from the operator's\n"
        "usual values (modified z-score above 3.5: median and median absolute deviation).\n"
        "\n"
        "Options:\n"
        "  --period P   2025, 2025-Q2, 2025-03 or 2025-01-01..2025-06-30 (default: the latest\n"
        "               year with data)\n"
        "  --org O      one operator (organisation code)\n"
        "  --format F   table (default) or json\n"
        "  --db FILE    the database (default: $MADI_DB, else madi.db)\n"
        "  -h, --help   show this help\n"
        "\n"
        "Exit status: 0 whatever is found (findings are not failures).\n";

static const char *const check_names[] = { "completeness", "consistency", "zero-or-blank",
                                           "outlier" };
static const char *const level_names[] = { "info", "warning", "problem" };

struct found {
    size_t seq; /* arrival order: ties keep it */
    int check, level;
    char *org, *kind, *record, *what, *fix;
};

struct list {
    struct found *v;
    size_t n;
};

static void collect(void *ctx, const struct madi_qfinding *f)
{
    struct list *l = ctx;
    struct found *nv = realloc(l->v, (l->n + 1) * sizeof(*nv));
    if (!nv)
        abort();
    l->v = nv;
    struct found *x = &l->v[l->n++];
    x->seq = l->n - 1;
    x->check = (int)f->check;
    x->level = (int)f->level;
    x->org = strdup(f->org);
    x->kind = strdup(f->kind);
    x->record = strdup(f->record);
    x->what = strdup(f->what);
    x->fix = strdup(f->fix);
    if (!x->org || !x->kind || !x->record || !x->what || !x->fix)
        abort();
}

static int cmp_found(const void *a, const void *b)
{
    const struct found *x = a, *y = b;
    int c = strcmp(x->org, y->org);
    if (c)
        return c;
    if (x->check != y->check)
        return x->check - y->check;
    c = strcmp(x->kind, y->kind);
    if (c)
        return c;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void print(const struct list *l, const struct madi_period *p, int json)
{
    if (json) {
        json_t *arr = json_array(), *root = json_object();
        for (size_t i = 0; i < l->n; i++) {
            const struct found *f = &l->v[i];
            json_t *j = json_object();
            json_object_set_new(j, "organisation", json_string(f->org));
            json_object_set_new(j, "check", json_string(check_names[f->check]));
            json_object_set_new(j, "level", json_string(level_names[f->level]));
            json_object_set_new(j, "kind", json_string(f->kind));
            if (f->record[0])
                json_object_set_new(j, "record", json_string(f->record));
            json_object_set_new(j, "what", json_string(f->what));
            json_object_set_new(j, "fix", json_string(f->fix));
            json_array_append_new(arr, j);
        }
        json_object_set_new(root, "period", json_string(p->label));
        json_object_set_new(root, "findings", arr);
        (void)json_dumpf(root, stdout, JSON_INDENT(2));
        (void)putchar('\n');
        json_decref(root);
        return;
    }
    (void)printf("Data quality, %s: %zu finding%s\n", p->label, l->n, l->n == 1 ? "" : "s");
    const char *org = NULL;
    for (size_t i = 0; i < l->n; i++) {
        const struct found *f = &l->v[i];
        if (!org || strcmp(org, f->org) != 0) {
            (void)printf("\n%s\n", f->org[0] ? f->org : "(all operators)");
            org = f->org;
        }
        (void)printf("  %-7s %-12s %-15s %s\n", level_names[f->level], check_names[f->check],
                     f->kind, f->what);
        (void)printf("  %-7s %-12s %-15s fix: %s\n", "", "", "", f->fix);
    }
}

int cmd_quality(int argc, char **argv)
{
    static const struct option lopts[] = {
        { "db", required_argument, NULL, 'd' },  { "period", required_argument, NULL, 'p' },
        { "org", required_argument, NULL, 'o' }, { "format", required_argument, NULL, 'f' },
        { "help", no_argument, NULL, 'h' },      { NULL, 0, NULL, 0 }
    };
    const char *db = NULL, *period = NULL, *org = NULL;
    int json = 0, ch;
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
        if (ch == 'd')
            db = optarg;
        else if (ch == 'p')
            period = optarg;
        else if (ch == 'o')
            org = optarg;
        else if (ch == 'f' && (strcmp(optarg, "json") == 0 || strcmp(optarg, "table") == 0))
            json = strcmp(optarg, "json") == 0;
        else if (ch == 'h')
            return cli_usage(cli_find("quality"), 0);
        else
            return cli_usage(cli_find("quality"), 1);
    }
    if (optind < argc)
        return cli_usage(cli_find("quality"), 1);
    struct madi_err err;
    struct madi_period p;
    struct madi_store *s = NULL;
    struct list l = { NULL, 0 };
    int rc = MADI_OK;
    madi_err_clear(&err);
    if (period && (rc = madi_period_parse(period, &p, &err)) != MADI_OK)
        return cli_fail(rc, &err);
    int code = cli_open(cli_db_path(db), MADI_STORE_READONLY, &s);
    if (code)
        return code;
    if (!period) {
        int y = 0;
        rc = madi_period_latest_year(s, &y, &err);
        if (!rc)
            madi_period_year(y, &p);
    }
    if (!rc)
        rc = madi_quality_check(s, &p, org, cli_today(), collect, &l, &err);
    if (!rc) {
        qsort(l.v, l.n, sizeof(*l.v), cmp_found);
        print(&l, &p, json);
    }
    for (size_t i = 0; i < l.n; i++) {
        free(l.v[i].org);
        free(l.v[i].kind);
        free(l.v[i].record);
        free(l.v[i].what);
        free(l.v[i].fix);
    }
    free(l.v);
    madi_store_close(s);
    return rc ? cli_fail(rc, &err) : EXIT_OK_;
}
