/*
 * cmd_report.c: `madi report`: one period's report, public (disclosure-controlled) or
 * internal, as HTML, Markdown, JSON-stat or CSV with HXL.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "madi/indicators.h"
#include "madi/report.h"

#include "banned.h"
#include "cli.h"

const char cmd_report_usage[] =
        "usage: madi report [--db FILE] [--period P] [--audience public|internal]\n"
        "                   [--format html|md|json|csv|xlsx] [-o FILE] [--area A] [--org O]\n"
        "                   [--k N]\n"
        "                   [--title TEXT]\n"
        "\n"
        "Write the report of a period: for each pillar (land release, risk education, victims\n"
        "and victim assistance, workforce, operators) the key indicators with their coverage,\n"
        "last year's value and their targets, and tables of people by sex and age, by area and\n"
        "by group, with charts; the same facts by WPS pillar; data-driven statements for the\n"
        "gender, diversity, equality and inclusion section with marked places for what only\n"
        "people can write; and every indicator with the frameworks it serves.\n"
        "\n"
        "The public audience (the default) passes every table through disclosure control, all\n"
        "tables of the report together: no count of 1 to k-1 people is shown, nor a share of\n"
        "one, and further cells are hidden wherever a hidden count could be worked out from\n"
        "totals, other cells or another table (checked by Gaussian elimination). Hidden cells\n"
        "show 'c'. The internal audience shows everything and says on every page that it is not\n"
        "for publication. Each report is protected on its own: publish one public report per\n"
        "period (two that overlap, such as the nation and a province, can be subtracted).\n"
        "\n"
        "Options:\n"
        "  --period P       2025, 2025-Q2, 2025-03 or 2025-01-01..2025-06-30 (default: the latest\n"
        "                   year with data)\n"
        "  --audience A     public (default) or internal\n"
        "  --format F       html (default; one self-contained file, charts as SVG, prints to\n"
        "                   PDF from a browser), md, json (a JSON-stat 2.0 collection), csv\n"
        "                   (long, with an HXL hashtag row) or xlsx (a sheet per table; -o)\n"
        "  -o FILE          write to FILE (default: standard output)\n"
        "  --area A         that area and everything inside it\n"
        "  --org O          one operator\n"
        "  --k N            the disclosure threshold (default 5)\n"
        "  --title TEXT     the report's title\n"
        "  --db FILE        the database (default: $MADI_DB, else madi.db)\n"
        "  -h, --help       show this help\n";

int cmd_report(int argc, char **argv)
{
    static const struct option lopts[] = {
        { "db", required_argument, NULL, 'd' },       { "period", required_argument, NULL, 'p' },
        { "audience", required_argument, NULL, 'a' }, { "format", required_argument, NULL, 'f' },
        { "area", required_argument, NULL, 'A' },     { "org", required_argument, NULL, 'O' },
        { "k", required_argument, NULL, 'k' },        { "title", required_argument, NULL, 't' },
        { "help", no_argument, NULL, 'h' },           { NULL, 0, NULL, 0 }
    };
    struct madi_report_opts o;
    const char *db = NULL, *period = NULL, *outpath = NULL;
    int fmt = MADI_REPORT_HTML, ch, xlsx = 0;
    memset(&o, 0, sizeof(o));
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "ho:", lopts, NULL)) != -1) {
        switch (ch) {
        case 'd':
            db = optarg;
            break;
        case 'p':
            period = optarg;
            break;
        case 'a':
            if (strcmp(optarg, "public") == 0)
                o.audience = MADI_AUDIENCE_PUBLIC;
            else if (strcmp(optarg, "internal") == 0)
                o.audience = MADI_AUDIENCE_INTERNAL;
            else {
                (void)fprintf(stderr, "madi report: --audience is public or internal\n");
                return EXIT_USAGE;
            }
            break;
        case 'f':
            xlsx = strcmp(optarg, "xlsx") == 0;
            fmt = xlsx ? MADI_REPORT_HTML : madi_report_format_parse(optarg);
            if (fmt < 0) {
                (void)fprintf(stderr, "madi report: --format is html, md, json, csv or xlsx\n");
                return EXIT_USAGE;
            }
            break;
        case 'o':
            outpath = optarg;
            break;
        case 'A':
            o.area = optarg;
            break;
        case 'O':
            o.org = optarg;
            break;
        case 'k': {
            char *end = NULL;
            o.k = strtol(optarg, &end, 10);
            if (!end || *end || o.k < 2 || o.k > 1000) {
                (void)fprintf(stderr, "madi report: --k needs a whole number from 2 to 1000\n");
                return EXIT_USAGE;
            }
            break;
        }
        case 't':
            o.title = optarg;
            break;
        case 'h':
            return cli_usage(cli_find("report"), 0);
        default:
            return cli_usage(cli_find("report"), 1);
        }
    }
    if (optind < argc)
        return cli_usage(cli_find("report"), 1);
    if (xlsx && !outpath) {
        (void)fprintf(stderr, "madi report: --format xlsx needs -o FILE.xlsx\n");
        return EXIT_USAGE;
    }
    struct madi_err err;
    struct madi_store *s = NULL;
    struct madi_ind_catalogue *c = NULL;
    struct madi_report *r = NULL;
    FILE *out = stdout;
    int rc = MADI_OK;
    madi_err_clear(&err);
    o.today = cli_today();
    if (period && (rc = madi_period_parse(period, &o.period, &err)) != MADI_OK)
        return cli_fail(rc, &err);
    int code = cli_open(cli_db_path(db), MADI_STORE_READONLY, &s);
    if (code)
        return code;
    rc = madi_ind_catalogue_new(&c, &err);
    if (!rc)
        rc = madi_ind_catalogue_add_stored(c, s, &err);
    if (!rc && !period) {
        int y = 0;
        rc = madi_period_latest_year(s, &y, &err);
        if (!rc)
            madi_period_year(y, &o.period);
    }
    if (!rc)
        rc = madi_report_build(s, c, &o, &r, &err);
    if (!rc && xlsx) {
        rc = madi_report_write_xlsx(r, outpath, &err);
        out = NULL;
    } else if (!rc && outpath) {
        errno = 0;
        out = fopen(outpath, "wb");
        if (!out)
            rc = madi_err_set(&err, MADI_EIO, "cannot create %s: %s", outpath, strerror(errno));
    }
    if (!rc && out)
        rc = madi_report_write(r, (enum madi_report_format)fmt, out, &err);
    if (out && out != stdout && fclose(out) != 0 && !rc)
        rc = madi_err_set(&err, MADI_EIO, "cannot write %s", outpath);
    if (!rc && o.audience == MADI_AUDIENCE_PUBLIC &&
        (o.area || o.org || strlen(o.period.label) != 4))
        (void)fprintf(stderr, "madi report: note: this public report covers part of the "
                              "programme or of the year; it and the national annual one can be "
                              "subtracted from each other, so publish only one of them "
                              "(docs/REPORTS.md)\n");
    if (!rc && outpath)
        (void)fprintf(stderr,
                      "%s: %s report for %s, %zu tables; %zu cells suppressed, %zu more "
                      "to protect them\n",
                      outpath, o.audience == MADI_AUDIENCE_PUBLIC ? "public" : "internal",
                      o.period.label, madi_report_tables(r), madi_report_suppressed(r, 0),
                      madi_report_suppressed(r, 1));
    madi_report_free(r);
    madi_ind_catalogue_free(c);
    madi_store_close(s);
    return rc ? cli_fail(rc, &err) : EXIT_OK_;
}
