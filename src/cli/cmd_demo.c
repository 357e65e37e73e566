/*
 * cmd_demo.c: `madi demo` generates a fictional national programme as operator CSV files,
 * imports them into DIR/madi.db (showing the rejected ones and why), and prints a summary.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "madi/catalog.h"
#include "madi/demo.h"
#include "madi/import.h"
#include "madi/indicators.h"
#include "madi/privacy.h"
#include "madi/summary.h"

#include "banned.h"
#include "cli.h"

const char cmd_demo_usage[] =
        "usage: madi demo [--seed N] [--dir DIR] [--scale X]\n"
        "\n"
        "Generate a fictional national mine action programme (provinces and districts, about\n"
        "ten operators, three years of land release, risk education with session counts and\n"
        "attendance lists, consultations, casualties, workforce, trainings, population) as the\n"
        "CSV files its operators would send, some with realistic mistakes; import them into\n"
        "DIR/madi.db (a fresh database), show what was rejected and why, and print a summary.\n"
        "The same seed always gives the same files.\n"
        "\n"
        "Options:\n"
        "  --seed N    seed of the generator (default 1)\n"
        "  --dir DIR   where the files and the database go (default: demo)\n"
        "  --scale X   size relative to the full programme (default 1.0; 0.05 is quick)\n"
        "  -h, --help  show this help\n";

struct kind_tally {
    const char *kind;
    unsigned long files;
    unsigned long long rows;
};

static void tally(struct kind_tally *t, const char *kind, unsigned long long rows)
{
    for (; t->kind && strcmp(t->kind, kind) != 0; t++)
        ;
    t->kind = kind;
    t->files++;
    t->rows += rows;
}

struct demo_ui {
    const struct madi_demo_file *file;
    int shown;
    char msgs[4096]; /* the first errors, printed under the file's line */
    size_t len;
};

static void on_diag(void *ctx, const struct madi_diag *d)
{
    struct demo_ui *ui = ctx;
    if (d->level != MADI_DIAG_ERROR || ui->shown++ >= 12)
        return;
    char line[1024];
    int n;
    if (d->line && d->col)
        n = snprintf(line, sizeof(line), "      %s:%lu:%u: error: %s%s%s\n", d->file, d->line,
                     d->col, d->field ? d->field : "", d->field ? ": " : "", d->msg);
    else
        n = snprintf(line, sizeof(line), "      %s:%lu: error: %s\n", d->file, d->line, d->msg);
    if (n > 0 && ui->len + (size_t)n < sizeof(ui->msgs)) {
        memcpy(ui->msgs + ui->len, line, (size_t)n + 1);
        ui->len += (size_t)n;
    }
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec now;
    (void)clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

static int remove_db(const char *db)
{
    const char *suffix[] = { "", "-wal", "-shm" };
    for (int i = 0; i < 3; i++) {
        char *p = NULL;
        size_t n = strlen(db) + 8;
        p = malloc(n);
        if (!p)
            return -1;
        (void)snprintf(p, n, "%s%s", db, suffix[i]);
        if (unlink(p) != 0 && errno != ENOENT) {
            (void)fprintf(stderr, "madi demo: cannot remove %s: %s\n", p, strerror(errno));
            free(p);
            return -1;
        }
        free(p);
    }
    return 0;
}

/* The headline KPIs of the latest year, and where the targets stand. */
static int headline(struct madi_store *s, struct madi_err *err)
{
    static const char *const ids[] = {
        "eore.participants",
        "eore.unique_people",
        "eore.share_women",
        "eore.share_pwd",
        "lr.direct_beneficiaries",
        "lr.share_women_girls_direct",
        "consultation.share_with_women",
        "consultation.share_inclusive_all",
        "teams.share_trained_gd",
        "staff.women_share",
        "staff.women_share_leadership",
        "staff.retention_rate",
        "casualties.share_children",
        "va.referrals_completed_share",
        "va.days_injury_to_first_assistance",
        "org.share_psea",
        "equity.representation_women_eore",
        "data.saddd_coverage",
    };
    struct madi_ind_catalogue *c = NULL;
    struct madi_ind_query q;
    struct madi_target_progress *tp = NULL;
    size_t ntp = 0;
    int y = 0, rc = madi_ind_catalogue_new(&c, err);
    memset(&q, 0, sizeof(q));
    q.today = cli_today();
    if (!rc)
        rc = madi_period_latest_year(s, &y, err);
    if (rc)
        goto done;
    madi_period_year(y, &q.period);
    (void)printf("\n== 4. Headline indicators, %d (known: the share of the records that gave "
                 "what the figure needs)\n\n",
                 y);
    for (size_t i = 0; !rc && i < sizeof(ids) / sizeof(ids[0]); i++) {
        const struct madi_ind_def *d = madi_ind_catalogue_find(c, ids[i]);
        struct madi_ind_result *r = NULL;
        char v[48], cov[16] = "";
        if (!d) {
            rc = madi_err_set(err, MADI_EINTERNAL, "headline indicator %s is not built in", ids[i]);
            break;
        }
        rc = madi_ind_compute(s, d, &q, &r, err);
        if (rc)
            break;
        const struct madi_ind_cell *t = madi_ind_result_total(r);
        cli_ind_value(d, t, v, sizeof(v));
        double known = t->coverage >= 0 ? t->coverage : t->cov_sex;
        if (t->status == MADI_IND_OK && known >= 0)
            (void)snprintf(cov, sizeof(cov), "%3.0f%% known", 100 * known);
        (void)printf("   %-34s %10s  %-10s %s\n", d->id, v, cov,
                     r->status == MADI_IND_OK ? d->title : r->why);
        madi_ind_result_free(r);
    }
    if (!rc)
        rc = madi_ind_targets(s, c, &q, &tp, &ntp, err);
    if (!rc && ntp) {
        size_t st[4] = { 0, 0, 0, 0 };
        for (size_t i = 0; i < ntp; i++)
            st[tp[i].state]++;
        (void)printf("\n   targets: %zu achieved, %zu on track, %zu off track, %zu cannot say "
                     "(%s indicators --targets --db ...)\n",
                     st[MADI_TARGET_ACHIEVED], st[MADI_TARGET_ON_TRACK], st[MADI_TARGET_OFF_TRACK],
                     st[MADI_TARGET_UNKNOWN], cli_progname);
    }
done:
    free(tp);
    madi_ind_catalogue_free(c);
    return rc;
}

int cmd_demo(int argc, char **argv)
{
    static const struct option opts[] = { { "seed", required_argument, NULL, 's' },
                                          { "dir", required_argument, NULL, 'd' },
                                          { "scale", required_argument, NULL, 'x' },
                                          { "help", no_argument, NULL, 'h' },
                                          { NULL, 0, NULL, 0 } };
    struct madi_demo_opts o = { 1, 1.0 };
    const char *dir = "demo";
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        char *end = NULL;
        switch (c) {
        case 's':
            o.seed = strtoull(optarg, &end, 10);
            if (!end || *end) {
                (void)fprintf(stderr, "madi demo: --seed takes a whole number\n");
                return EXIT_USAGE;
            }
            break;
        case 'd':
            dir = optarg;
            break;
        case 'x':
            o.scale = strtod(optarg, &end);
            if (!end || *end || o.scale <= 0 || o.scale > 100) {
                (void)fprintf(stderr, "madi demo: --scale takes a number such as 0.1 or 1\n");
                return EXIT_USAGE;
            }
            break;
        case 'h':
            return cli_usage(cli_find("demo"), 0);
        default:
            return cli_usage(cli_find("demo"), 1);
        }
    }
    if (optind < argc) {
        (void)fprintf(stderr, "madi demo: unexpected argument '%s'\n", argv[optind]);
        return EXIT_USAGE;
    }

    struct madi_demo demo = { 0 };
    struct madi_err err;
    struct madi_store *s = NULL;
    struct madi_key *key = NULL;
    struct timespec t0;
    int rc, code = EXIT_OK_, created = 0;
    unsigned long stored = 0, rejected = 0, unexpected = 0;
    struct kind_tally kinds[32];
    memset(kinds, 0, sizeof(kinds));
    unsigned long long rows = 0;
    madi_err_clear(&err);

    (void)clock_gettime(CLOCK_MONOTONIC, &t0);
    (void)printf("== 1. Generating a fictional national programme (seed %llu) in %s/\n",
                 (unsigned long long)o.seed, dir);
    rc = madi_demo_generate(dir, &o, &demo, &err);
    if (rc)
        return cli_fail(rc, &err);
    (void)printf("   %zu operator files, %llu rows, in %.1f s\n", demo.n, demo.rows,
                 seconds_since(&t0));

    size_t dbn = strlen(dir) + 16;
    char *db = malloc(dbn);
    if (!db) {
        madi_demo_release(&demo);
        return EXIT_INTERNAL;
    }
    (void)snprintf(db, dbn, "%s/madi.db", dir);
    if (remove_db(db)) {
        code = EXIT_IO;
        goto done;
    }
    rc = madi_catalog_open_or_create(db, &s, &created, &err);
    if (rc) {
        code = cli_fail(rc, &err);
        goto done;
    }
    /* The generator wrote the centre's key beside the database (DIR/madi.db.key). */
    char *keypath = malloc(dbn + 4);
    if (!keypath) {
        code = EXIT_INTERNAL;
        goto done;
    }
    (void)snprintf(keypath, dbn + 4, "%s.key", db);
    rc = madi_key_read_file(keypath, &key, &err);
    free(keypath);
    if (!rc)
        rc = madi_privacy_init(s, key, "madi demo", &err);
    if (rc) {
        code = cli_fail(rc, &err);
        goto done;
    }

    (void)printf("\n== 2. Importing them into %s (each file whole, or not at all)\n", db);
    (void)clock_gettime(CLOCK_MONOTONIC, &t0);
    for (size_t i = 0; i < demo.n; i++) {
        const struct madi_demo_file *f = &demo.files[i];
        struct demo_ui ui;
        memset(&ui, 0, sizeof(ui));
        ui.file = f;
        struct madi_import_opts io = { 0 };
        struct madi_import_result res;
        io.kind = f->kind;
        io.name = f->path;
        io.who = "madi demo";
        io.key = key;
        io.on_diag = on_diag;
        io.diag_ctx = &ui;
        madi_err_clear(&err);
        rc = madi_import_file(s, f->path, &io, &res, &err);
        if (rc == MADI_OK) {
            stored++;
            rows += res.rows;
            tally(kinds, f->kind, res.rows);
            if (f->broken) {
                unexpected++;
                (void)printf("   stored    %s, but it has deliberate mistakes (%s) and should "
                             "have been rejected\n",
                             f->path, f->what);
            }
        } else if (rc == MADI_EREJECTED) {
            rejected++;
            (void)printf("   REJECTED  %-44s %lu error%s: %s\n", f->path, res.errors,
                         res.errors == 1 ? "" : "s", f->what);
            (void)fputs(ui.msgs, stdout);
            if (ui.shown > 12)
                (void)printf("      ... and %d more\n", ui.shown - 12);
            if (!f->broken)
                unexpected++;
        } else {
            code = cli_fail(rc, &err);
            goto done;
        }
    }
    (void)printf("\n   stored, by kind:\n");
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]) && kinds[k].kind; k++)
        (void)printf("   %-16s %4lu file%s %9llu rows\n", kinds[k].kind, kinds[k].files,
                     kinds[k].files == 1 ? " " : "s", kinds[k].rows);
    (void)printf("   %lu files stored (%llu rows), %lu rejected as they should be, in %.1f s\n",
                 stored, rows, rejected, seconds_since(&t0));

    (void)printf("\n== 3. What the database holds now\n\n");
    rc = madi_summary_write(s, stdout, &err);
    if (rc) {
        code = cli_fail(rc, &err);
        goto done;
    }
    rc = headline(s, &err);
    if (rc) {
        code = cli_fail(rc, &err);
        goto done;
    }
    (void)printf(
            "\n== Next\n"
            "   %s summary --db %s\n      this summary again\n"
            "   %s batch list --db %s\n      where every record came from\n"
            "   %s template eore > eore.csv\n      a file to fill in from a real session "
            "('%s template eore --doc' explains each column)\n"
            "   %s import --db %s eore.csv\n      check it, and store it if it is right\n"
            "   %s indicators --db %s --by operator\n      every indicator, per operator "
            "('--list' explains each)\n"
            "   %s quality --db %s\n      what to fix, operator by operator\n"
            "   %s user add NAME --role admin --db %s, then %s serve --db %s\n"
            "      the same in a browser, at http://127.0.0.1:8080/ (roles: madi user --help)\n"
            "   The rejected files are in %s/: fix what the messages point at and import "
            "them.\n",
            cli_progname, db, cli_progname, db, cli_progname, cli_progname, cli_progname, db,
            cli_progname, db, cli_progname, db, cli_progname, db, cli_progname, db, dir);
    if (unexpected) {
        (void)fprintf(stderr, "madi demo: %lu file%s did not behave as the demo expects (a bug)\n",
                      unexpected, unexpected == 1 ? "" : "s");
        code = EXIT_INTERNAL;
    }
done:
    madi_key_free(key);
    madi_store_close(s);
    madi_demo_release(&demo);
    free(db);
    return code;
}
