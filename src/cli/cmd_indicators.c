/*
 * cmd_indicators.c: `madi indicators`: the catalogue's indicators computed for a period, an
 * area, an operator and the dimensions asked, as a table, CSV or JSON; the catalogue itself
 * with --list; targets and progress with --targets; adding a centre's own with --add.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "madi/indicators.h"
#include "madi/indjson.h"

#include "banned.h"
#include "buf.h"
#include "cli.h"

const char cmd_indicators_usage[] =
        "usage: madi indicators [--db FILE] [--period P] [--area A] [--org O] [--by DIM,...]\n"
        "                       [--id ID[,ID...]] [--format table|csv|json] [--trend]\n"
        "                       [--small N] [--catalogue FILE]\n"
        "       madi indicators --list [--format table|json]\n"
        "       madi indicators --targets [--period P] [--format table|json]\n"
        "       madi indicators --add FILE [--db FILE]\n"
        "       madi indicators --remove ID [--db FILE]\n"
        "\n"
        "Compute the gender and diversity indicators of the catalogue from the database. Every\n"
        "value carries its coverage (the share of its base whose sex, age and disability are\n"
        "known) and flags: small (denominator under --small, default 30), incomplete (reports\n"
        "due under a reporting plan are missing), estimated (household or media estimates, or\n"
        "another year's population baseline). A value that cannot be computed says why (no\n"
        "data for the period, no population baseline, denominator zero) and is never shown as 0.\n"
        "\n"
        "Options:\n"
        "  --period P      2025, 2025-Q2, 2025-03 or 2025-01-01..2025-06-30 (default: the latest\n"
        "                  year with data)\n"
        "  --area A        that area (P-code) and everything inside it\n"
        "  --org O         one operator (organisation code)\n"
        "  --by DIM,...    up to 3 crossed: sex, age, disability, displacement, minority,\n"
        "                  operator, area (one level below --area, or provinces), area:N, or a\n"
        "                  coded field of the indicator's kind (method, activity, role, ...);\n"
        "                  indicators that are not split that way say so\n"
        "  --id ID,...     only these indicators (catalogue ids, see --list)\n"
        "  --format F      table (default), csv or json (ids are catalogue ids)\n"
        "  --trend         the value for each year of the period (or each quarter of a year)\n"
        "  --small N       flag denominators below N (default 30)\n"
        "  --list          the catalogue: every indicator with its definition and frameworks\n"
        "  --targets       progress against the targets stored (madi import --kind target): on\n"
        "                  track when on or beyond the straight line from baseline to target\n"
        "  --add FILE      check a catalogue file and store its indicators in the database\n"
        "  --remove ID     remove an indicator stored with --add\n"
        "  --catalogue F   also read indicators from F for this run (not stored)\n"
        "  --db FILE       the database (default: $MADI_DB, else madi.db)\n"
        "  -h, --help      show this help\n"
        "\n"
        "Table cells: a value; '-' and the reason when it cannot be computed. Categories: _T\n"
        "total, _N not recorded (blank), 'unknown' recorded as unknown; the three never mix.\n";

enum fmt { FMT_TABLE, FMT_CSV, FMT_JSON };

struct opts {
    const char *db, *period, *area, *org, *by, *ids, *add, *remove, *catalogue;
    enum fmt fmt;
    int list, targets, trend;
    long small;
};

static void on_issue(void *ctx, const struct madi_ind_issue *is)
{
    (void)ctx;
    (void)fprintf(stderr, "%s:%d: error: %s\n", is->origin, is->line, is->msg);
}

static char *read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, len = 0;
    if (!f)
        return NULL;
    for (;;) {
        if (len + 4096 > cap) {
            cap = cap ? cap * 2 : 8192;
            if (cap > (4u << 20)) {
                free(buf);
                (void)fclose(f);
                return NULL;
            }
            char *nb = realloc(buf, cap + 1);
            if (!nb) {
                free(buf);
                (void)fclose(f);
                return NULL;
            }
            buf = nb;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    (void)fclose(f);
    buf[len] = '\0';
    *n = len;
    return buf;
}

static const char *flags_text(unsigned f, char *out, size_t n)
{
    (void)snprintf(out, n, "%s%s%s", f & MADI_IND_SMALL ? "small " : "",
                   f & MADI_IND_INCOMPLETE ? "incomplete " : "",
                   f & MADI_IND_ESTIMATED ? "estimated " : "");
    size_t l = strlen(out);
    if (l)
        out[l - 1] = '\0';
    return out;
}

void cli_ind_value(const struct madi_ind_def *d, const struct madi_ind_cell *c, char *out, size_t n)
{
    if (c->status != MADI_IND_OK) {
        (void)snprintf(out, n, "-");
        return;
    }
    switch (d->unit) {
    case MADI_UNIT_PERCENT:
        (void)snprintf(out, n, "%.1f%%", c->value);
        break;
    case MADI_UNIT_RATIO:
        (void)snprintf(out, n, "%.2f", c->value);
        break;
    case MADI_UNIT_DAYS:
        (void)snprintf(out, n, "%.1f days", c->value);
        break;
    default:
        if (fabs(c->value - round(c->value)) < 1e-9)
            (void)snprintf(out, n, "%.0f", c->value);
        else
            (void)snprintf(out, n, "%.1f", c->value);
    }
}

static void fmt_cov(double v, char *out, size_t n)
{
    if (v < 0)
        (void)snprintf(out, n, "n/a");
    else
        (void)snprintf(out, n, "%.0f%%", 100 * v);
}

/* A category row is worth a line when anything was counted in it. */
static int cell_empty(const struct madi_ind_cell *c)
{
    return c->num == 0 && c->den == 0 && c->base == 0 && c->coverage < 0;
}

static void cat_label(const struct madi_ind_result *r, const struct madi_ind_cell *c, char *out,
                      size_t n)
{
    out[0] = '\0';
    for (size_t d = 0; d < r->ndims; d++) {
        size_t l = strlen(out);
        (void)snprintf(out + l, n - l, "%s%s", d ? " / " : "", r->dims[d].cats[c->cat[d]].code);
    }
}

static int is_total(const struct madi_ind_result *r, const struct madi_ind_cell *c)
{
    for (size_t d = 0; d < r->ndims; d++)
        if (c->cat[d] != r->dims[d].ncats - 1)
            return 0;
    return 1;
}

static void print_table(const struct madi_ind_result *r)
{
    const struct madi_ind_def *d = r->def;
    const struct madi_ind_cell *t = madi_ind_result_total(r);
    char v[48], cs[16], ca[16], cd[16], fl[48];
    cli_ind_value(d, t, v, sizeof(v));
    (void)printf("%-34s %-10s %s\n", d->id, v, d->title);
    if (r->status != MADI_IND_OK) {
        (void)printf("%-34s            %s\n", "",
                     r->why[0] ? r->why : madi_ind_status_name(r->status));
        return;
    }
    fmt_cov(t->cov_sex, cs, sizeof(cs));
    fmt_cov(t->cov_age, ca, sizeof(ca));
    fmt_cov(t->cov_disability, cd, sizeof(cd));
    (void)printf("%-34s            ", "");
    if (d->unit == MADI_UNIT_DAYS)
        (void)printf("median of %.0f records; ", t->den);
    else if (d->unit != MADI_UNIT_COUNT)
        (void)printf("%.0f of %.0f; ", t->num, t->den);
    (void)printf("known: sex %s, age %s, disability %s", cs, ca, cd);
    if (t->coverage >= 0)
        (void)printf("; reported by %.0f%%", 100 * t->coverage);
    if (t->flags)
        (void)printf("; %s", flags_text(t->flags, fl, sizeof(fl)));
    if (r->reports_missing)
        (void)printf(" (%ld of %ld reports missing)", r->reports_missing, r->reports_expected);
    (void)printf("\n");
    if (r->note[0])
        (void)printf("%-34s            %s\n", "", r->note);
    if (!r->ndims)
        return;
    size_t hidden = 0;
    for (size_t i = 0; i + 1 < r->ncells; i++) {
        const struct madi_ind_cell *c = &r->cells[i];
        char lab[160];
        if (cell_empty(c)) {
            hidden++;
            continue;
        }
        cat_label(r, c, lab, sizeof(lab));
        cli_ind_value(d, c, v, sizeof(v));
        if (c->status != MADI_IND_OK)
            (void)snprintf(v, sizeof(v), "- (%s)", madi_ind_status_name(c->status));
        (void)printf("    %-40s %s", lab, v);
        if (d->unit == MADI_UNIT_DAYS && c->status == MADI_IND_OK)
            (void)printf("  (median of %.0f)", c->den);
        else if (d->unit != MADI_UNIT_COUNT && c->status == MADI_IND_OK)
            (void)printf("  (%.0f of %.0f)", c->num, c->den);
        if (c->flags & ~(unsigned)MADI_IND_INCOMPLETE)
            (void)printf("  [%s]",
                         flags_text(c->flags & ~(unsigned)MADI_IND_INCOMPLETE, fl, sizeof(fl)));
        (void)printf("\n");
    }
    if (hidden)
        (void)printf("    (%zu combinations with nothing recorded left out; --format json has "
                     "them all)\n",
                     hidden);
}

static void csv_field(const char *s)
{
    int q = strpbrk(s, ",\"\n\r") != NULL;
    if (!q) {
        (void)fputs(s, stdout);
        return;
    }
    (void)putchar('"');
    for (; *s; s++) {
        if (*s == '"')
            (void)putchar('"');
        (void)putchar(*s);
    }
    (void)putchar('"');
}

static void print_csv_header(const struct opts *o)
{
    (void)fputs("indicator,period", stdout);
    for (int i = 0; i < MADI_IND_MAX_BY; i++)
        (void)printf(",dim%d,category%d", i + 1, i + 1);
    (void)fputs(",value,numerator,denominator,status,cov_sex,cov_age,cov_disability,coverage,"
                "flags,unit\n",
                stdout);
    (void)o;
}

static void print_csv(const struct madi_ind_result *r)
{
    for (size_t i = 0; i < r->ncells; i++) {
        const struct madi_ind_cell *c = &r->cells[i];
        char fl[48];
        if (r->ndims && cell_empty(c) && !is_total(r, c))
            continue;
        csv_field(r->def->id);
        (void)printf(",%s", r->period.label);
        for (size_t d = 0; d < MADI_IND_MAX_BY; d++) {
            if (d < r->ndims) {
                (void)putchar(',');
                csv_field(r->dims[d].name);
                (void)putchar(',');
                csv_field(r->dims[d].cats[c->cat[d]].code);
            } else {
                (void)fputs(",,", stdout);
            }
        }
        if (c->status == MADI_IND_OK)
            (void)printf(",%.6g", c->value);
        else
            (void)fputs(",", stdout);
        (void)printf(",%.6g,%.6g,%s", c->num, c->den,
                     c->status == MADI_IND_OK ? "ok" : madi_ind_status_name(c->status));
        double cov[4] = { c->cov_sex, c->cov_age, c->cov_disability, c->coverage };
        for (int k = 0; k < 4; k++)
            if (cov[k] >= 0)
                (void)printf(",%.4f", cov[k]);
            else
                (void)fputs(",", stdout);
        (void)printf(",%s,%s\n", flags_text(c->flags, fl, sizeof(fl)),
                     madi_ind_unit_name(r->def->unit));
    }
}

static int split_by(char *by, const char **out)
{
    int n = 0;
    for (char *p = by; p && *p;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        if (*p) {
            if (n == MADI_IND_MAX_BY)
                return -1;
            out[n++] = p;
        }
        p = comma ? comma + 1 : NULL;
    }
    return n;
}

static void print_list(const struct madi_ind_catalogue *c, const struct opts *o)
{
    json_t *arr = o->fmt == FMT_JSON ? json_array() : NULL;
    const char *pillar = "";
    for (size_t i = 0; i < madi_ind_catalogue_count(c); i++) {
        const struct madi_ind_def *d = madi_ind_catalogue_get(c, i);
        if (!madi_list_has(o->ids, d->id))
            continue;
        if (arr) {
            json_array_append_new(arr, madi_ind_def_json(d));
            continue;
        }
        if (strcmp(pillar, d->pillar) != 0) {
            (void)printf("%s== %s ==\n", i ? "\n" : "", d->pillar);
            pillar = d->pillar;
        }
        (void)printf("%s  (%s)\n  %s\n", d->id, madi_ind_unit_name(d->unit), d->title);
        if (d->description[0])
            (void)printf("  %s\n", d->description);
        (void)printf("  numerator:   %s\n", d->numerator);
        if (d->denominator)
            (void)printf("  denominator: %s\n", d->denominator);
        if (d->baseline_numerator)
            (void)printf("  baseline:    %s / %s\n", d->baseline_numerator,
                         d->baseline_denominator);
        (void)printf("  by: %s; WPS: %s; frameworks: %s\n", d->by[0] ? d->by : "-",
                     d->wps[0] ? d->wps : "-", d->frameworks[0] ? d->frameworks : "-");
        if (d->reference)
            (void)printf("  reference: %s\n", d->reference);
        if (strcmp(d->origin, "built-in") != 0)
            (void)printf("  from: %s\n", d->origin);
    }
    if (arr) {
        json_t *root = json_object();
        json_object_set_new(root, "indicators", arr);
        (void)json_dumpf(root, stdout, JSON_INDENT(2));
        (void)putchar('\n');
        json_decref(root);
    }
}

static int print_targets(struct madi_store *s, const struct madi_ind_catalogue *c,
                         const struct madi_ind_query *q, const struct opts *o, struct madi_err *err)
{
    struct madi_target_progress *p = NULL;
    size_t n = 0;
    int rc = madi_ind_targets(s, c, q, &p, &n, err);
    if (rc)
        return rc;
    json_t *arr = o->fmt == FMT_JSON ? json_array() : NULL;
    if (!arr)
        (void)printf("Progress against targets, %s (rule: on track when on or beyond the straight "
                     "line from baseline to target)\n",
                     q->period.label);
    if (!n && !arr)
        (void)printf("  no targets for %s or later: import them with madi import --kind "
                     "target (madi template target --doc)\n",
                     q->period.label);
    for (size_t i = 0; i < n; i++) {
        if (arr) {
            json_t *j = json_object();
            json_object_set_new(j, "indicator", json_string(p[i].indicator));
            json_object_set_new(j, "subgroup", json_string(p[i].subgroup));
            json_object_set_new(j, "year", json_integer(p[i].year));
            json_object_set_new(j, "target", json_real(p[i].target));
            if (p[i].has_baseline) {
                json_object_set_new(j, "baseline", json_real(p[i].baseline));
                json_object_set_new(j, "baseline_year", json_integer(p[i].baseline_year));
                json_object_set_new(j, "expected", json_real(p[i].expected));
            }
            json_object_set_new(j, "value", p[i].has_value ? json_real(p[i].value) : json_null());
            json_object_set_new(j, "state", json_string(madi_target_state_name(p[i].state)));
            json_object_set_new(j, "why", json_string(p[i].why));
            json_array_append_new(arr, j);
            continue;
        }
        char val[32] = "-";
        if (p[i].has_value)
            (void)snprintf(val, sizeof(val), "%.1f", p[i].value);
        (void)printf("  %-34s %-10s %-8s target %g by %d: %s (%s)\n", p[i].indicator, p[i].subgroup,
                     val, p[i].target, p[i].year, madi_target_state_name(p[i].state), p[i].why);
    }
    if (arr) {
        json_t *root = json_object();
        json_object_set_new(root, "period", json_string(q->period.label));
        json_object_set_new(root, "targets", arr);
        (void)json_dumpf(root, stdout, JSON_INDENT(2));
        (void)putchar('\n');
        json_decref(root);
    }
    free(p);
    return MADI_OK;
}

/* The heading, once the first value is in hand (so a failure prints nothing else). */
static void print_header(const struct madi_ind_query *q, const struct opts *o)
{
    if (o->fmt == FMT_CSV)
        print_csv_header(o);
    else if (o->fmt == FMT_TABLE)
        (void)printf("Indicators for %s%s%s%s%s\n\n", q->period.label, q->area ? ", area " : "",
                     q->area ? q->area : "", q->org ? ", operator " : "", q->org ? q->org : "");
}

static int compute_all(struct madi_store *s, const struct madi_ind_catalogue *c,
                       struct madi_ind_query *q, const struct opts *o, struct madi_err *err)
{
    json_t *arr = o->fmt == FMT_JSON ? json_array() : NULL;
    struct madi_period parts[16];
    size_t nparts = 1;
    int rc = MADI_OK, matched = 0;
    parts[0] = q->period;
    if (o->trend)
        nparts = madi_period_split(&q->period, parts, 16);
    for (size_t i = 0; !rc && i < madi_ind_catalogue_count(c); i++) {
        const struct madi_ind_def *d = madi_ind_catalogue_get(c, i);
        if (!madi_list_has(o->ids, d->id))
            continue;
        for (size_t p = 0; !rc && p < nparts; p++) {
            struct madi_ind_result *r = NULL;
            struct madi_ind_query qq = *q;
            qq.period = parts[p];
            rc = madi_ind_compute(s, d, &qq, &r, err);
            if (rc)
                break;
            if (!matched++)
                print_header(q, o);
            if (arr)
                json_array_append_new(arr, madi_ind_result_json(r));
            else if (o->fmt == FMT_CSV)
                print_csv(r);
            else {
                if (o->trend)
                    (void)printf("[%s] ", r->period.label);
                print_table(r);
            }
            madi_ind_result_free(r);
        }
    }
    if (!rc && !matched)
        rc = madi_err_set(err, MADI_EINVAL, "no indicator has the id '%s' (madi indicators --list)",
                          o->ids);
    if (arr) {
        if (!rc) {
            json_t *root = json_object();
            json_object_set_new(root, "period", json_string(q->period.label));
            if (q->area)
                json_object_set_new(root, "area", json_string(q->area));
            if (q->org)
                json_object_set_new(root, "operator", json_string(q->org));
            json_object_set_new(root, "indicators", arr);
            (void)json_dumpf(root, stdout, JSON_INDENT(2));
            (void)putchar('\n');
            json_decref(root);
        } else {
            json_decref(arr);
        }
    }
    return rc;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
    static const struct option lopts[] = { { "db", required_argument, NULL, 'd' },
                                           { "period", required_argument, NULL, 'p' },
                                           { "area", required_argument, NULL, 'a' },
                                           { "org", required_argument, NULL, 'o' },
                                           { "by", required_argument, NULL, 'b' },
                                           { "id", required_argument, NULL, 'i' },
                                           { "format", required_argument, NULL, 'f' },
                                           { "list", no_argument, NULL, 'l' },
                                           { "targets", no_argument, NULL, 't' },
                                           { "trend", no_argument, NULL, 'T' },
                                           { "small", required_argument, NULL, 's' },
                                           { "add", required_argument, NULL, 'A' },
                                           { "catalogue", required_argument, NULL, 'c' },
                                           { "remove", required_argument, NULL, 'R' },
                                           { "help", no_argument, NULL, 'h' },
                                           { NULL, 0, NULL, 0 } };
    int ch;
    memset(o, 0, sizeof(*o));
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
        switch (ch) {
        case 'd':
            o->db = optarg;
            break;
        case 'p':
            o->period = optarg;
            break;
        case 'a':
            o->area = optarg;
            break;
        case 'o':
            o->org = optarg;
            break;
        case 'b':
            o->by = optarg;
            break;
        case 'i':
            o->ids = optarg;
            break;
        case 'f':
            if (strcmp(optarg, "table") == 0)
                o->fmt = FMT_TABLE;
            else if (strcmp(optarg, "csv") == 0)
                o->fmt = FMT_CSV;
            else if (strcmp(optarg, "json") == 0)
                o->fmt = FMT_JSON;
            else {
                (void)fprintf(stderr, "madi indicators: --format is table, csv or json\n");
                return EXIT_USAGE;
            }
            break;
        case 'l':
            o->list = 1;
            break;
        case 't':
            o->targets = 1;
            break;
        case 'T':
            o->trend = 1;
            break;
        case 's': {
            char *end = NULL;
            o->small = strtol(optarg, &end, 10);
            if (!end || *end || o->small < 1) {
                (void)fprintf(stderr, "madi indicators: --small needs a whole number >= 1\n");
                return EXIT_USAGE;
            }
            break;
        }
        case 'A':
            o->add = optarg;
            break;
        case 'c':
            o->catalogue = optarg;
            break;
        case 'R':
            o->remove = optarg;
            break;
        case 'h':
            return cli_usage(cli_find("indicators"), 0);
        default:
            return cli_usage(cli_find("indicators"), 1);
        }
    }
    if (optind < argc)
        return cli_usage(cli_find("indicators"), 1);
    return -1;
}

static int add_file(struct madi_ind_catalogue *c, struct madi_store *s, const char *path, int store,
                    struct madi_err *err)
{
    size_t n = 0, added = 0;
    char *text = read_file(path, &n);
    if (!text)
        return madi_err_set(err, MADI_EIO, "cannot read %s (missing, unreadable or over 4 MiB)",
                            path);
    int rc = store ? madi_ind_store_text(s, text, n, path, "cli", on_issue, NULL, &added, err)
                   : madi_ind_catalogue_add_text(c, text, n, path, on_issue, NULL, err);
    free(text);
    if (!rc && store)
        (void)printf("%s: stored %zu indicator%s; madi indicators --list shows them\n", path, added,
                     added == 1 ? "" : "s");
    return rc;
}

int cmd_indicators(int argc, char **argv)
{
    struct opts o;
    struct madi_err err;
    struct madi_store *s = NULL;
    struct madi_ind_catalogue *c = NULL;
    struct madi_ind_query q;
    char bybuf[200] = "";
    int code = parse_opts(argc, argv, &o), rc = MADI_OK;
    if (code >= 0)
        return code;
    madi_err_clear(&err);
    memset(&q, 0, sizeof(q));
    if (o.by) {
        (void)snprintf(bybuf, sizeof(bybuf), "%s", o.by);
        if (split_by(bybuf, q.by) < 0) {
            (void)fprintf(stderr, "madi indicators: --by crosses at most %d dimensions\n",
                          MADI_IND_MAX_BY);
            return EXIT_USAGE;
        }
    }
    if (o.period && (rc = madi_period_parse(o.period, &q.period, &err)) != MADI_OK)
        return cli_fail(rc, &err);
    q.area = o.area;
    q.org = o.org;
    q.small = o.small;
    q.today = cli_today();
    code = cli_open(cli_db_path(o.db), o.add || o.remove ? 0 : MADI_STORE_READONLY, &s);
    if (code)
        return code;
    if (o.remove) {
        rc = madi_ind_store_remove(s, o.remove, &err);
        if (!rc)
            (void)printf("removed indicator %s\n", o.remove);
        madi_store_close(s);
        return rc ? cli_fail(rc, &err) : EXIT_OK_;
    }
    rc = madi_ind_catalogue_new(&c, &err);
    if (!rc && o.add) {
        rc = add_file(c, s, o.add, 1, &err);
        goto done;
    }
    if (!rc)
        rc = madi_ind_catalogue_add_stored(c, s, &err);
    if (!rc && o.catalogue)
        rc = add_file(c, s, o.catalogue, 0, &err);
    if (!rc && o.list) {
        print_list(c, &o);
        goto done;
    }
    if (!rc && !o.period) {
        int y = 0;
        rc = madi_period_latest_year(s, &y, &err);
        if (!rc)
            madi_period_year(y, &q.period);
    }
    if (!rc && o.targets)
        rc = print_targets(s, c, &q, &o, &err);
    else if (!rc)
        rc = compute_all(s, c, &q, &o, &err);
done:
    madi_ind_catalogue_free(c);
    madi_store_close(s);
    return rc ? cli_fail(rc, &err) : EXIT_OK_;
}
