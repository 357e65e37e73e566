/*
 * cmd_survivor.c: `madi survivor list|show|stats`: survivors by pseudonymous key; one record's
 * personal fields, read with a stated reason (audited); the loop-closing figures.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "madi/dim.h"
#include "madi/privacy.h"
#include "madi/survivor.h"

#include "banned.h"
#include "cli.h"

const char cmd_survivor_usage[] =
        "usage: madi survivor list [--db FILE]\n"
        "       madi survivor show ID --reason TEXT [--db FILE] [--by NAME] [--passphrase-stdin]\n"
        "       madi survivor stats [--db FILE]\n"
        "\n"
        "  list   every survivor with the pseudonymous person key and non-identifying fields\n"
        "         only: organisation, victim type, outcome, sex, age, disability, date of\n"
        "         injury, needs and unmet needs; erased records are marked\n"
        "  show   decrypt and show one survivor record, personal fields included. The reason\n"
        "         is required and goes into the audit log (with who and when) before anything\n"
        "         is shown. Needs the centre's key ($MADI_KEY_FILE, FILE.key, or a passphrase)\n"
        "  stats  closing the loop, by sex, age and disability: survivors assisted, median days\n"
        "         from injury to first completed referral and from referral to service, unmet\n"
        "         needs\n"
        "\n"
        "Options:\n"
        "  --db FILE           the database (default: $MADI_DB, else madi.db)\n"
        "  --reason TEXT       why the record is read (show)\n"
        "  --by NAME           who reads it (default: the login name)\n"
        "  --passphrase-stdin  the key is a passphrase, read from standard input\n"
        "  -h, --help          show this help\n";

/* A date, or "-" when none. */
static void date_text(int32_t d, char out[16])
{
    madi_format_date(d, out);
    if (!*out)
        (void)snprintf(out, 16, "-");
}

static void print_row(void *ctx, const struct madi_survivor_row *r)
{
    char key[17] = "-", age[24], inj[16];
    (void)ctx;
    if (r->person_key)
        madi_format_person_key(r->person_key, key);
    if (r->age >= 0)
        (void)snprintf(age, sizeof(age), "%d", r->age);
    else
        (void)snprintf(age, sizeof(age), "%s", *r->age_band ? r->age_band : "-");
    date_text(r->date_of_injury, inj);
    (void)printf("%-12s %-16s %-10s %-8s %-7s %-3s %-5s %-10s %-10s %5d %5d%s\n", r->survivor_id,
                 key, r->organisation, r->victim_type, *r->outcome ? r->outcome : "-", r->sex, age,
                 *r->disability ? r->disability : "-", inj, r->needs, r->unmet,
                 r->erased ? "  erased" : "");
}

static void print_field(void *ctx, const char *field, const char *value)
{
    (void)ctx;
    (void)printf("%-24s %s\n", field, value);
}

static void print_group(void *ctx, const struct madi_va_group *g)
{
    char first[16], service[16];
    (void)ctx;
    if (g->median_days_to_first >= 0)
        (void)snprintf(first, sizeof(first), "%d", g->median_days_to_first);
    else
        (void)snprintf(first, sizeof(first), "-");
    if (g->median_days_to_service >= 0)
        (void)snprintf(service, sizeof(service), "%d", g->median_days_to_service);
    else
        (void)snprintf(service, sizeof(service), "-");
    (void)printf("%-10s %-9s %9d %8d %11s %9d %12s %6d %6d\n", g->dimension, g->group, g->survivors,
                 g->with_assistance, first, g->referrals_completed, service, g->needs, g->unmet);
}

/* What the subcommands are given. */
struct survivor_args {
    struct madi_store *s;
    const char *db, *id, *reason, *by;
    int pass;
};

/* Each subcommand prints its own failure and returns the exit code. */
static int survivor_list(const struct survivor_args *a)
{
    struct madi_err err;
    madi_err_clear(&err);
    (void)printf("%-12s %-16s %-10s %-8s %-7s %-3s %-5s %-10s %-10s %5s %5s\n", "survivor",
                 "person key", "org", "victim", "outcome", "sex", "age", "disability", "injured",
                 "needs", "unmet");
    int rc = madi_survivor_list(a->s, print_row, NULL, &err);
    return rc ? cli_fail(rc, &err) : EXIT_OK_;
}

static int survivor_show(const struct survivor_args *a)
{
    struct madi_err err;
    struct madi_key *k = NULL;
    madi_err_clear(&err);
    int code = cli_load_key(a->s, a->db, a->pass, 1, &k);
    if (code)
        return code;
    int rc = madi_survivor_show(a->s, k, a->id, a->reason, cli_actor(a->by), print_field, NULL,
                                &err);
    madi_key_free(k);
    return rc ? cli_fail(rc, &err) : EXIT_OK_;
}

static int survivor_stats(const struct survivor_args *a)
{
    struct madi_err err;
    madi_err_clear(&err);
    (void)printf("%-10s %-9s %9s %8s %11s %9s %12s %6s %6s\n", "by", "group", "survivors",
                 "assisted", "days->first", "referrals", "days->service", "needs", "unmet");
    int rc = madi_va_loop(a->s, print_group, NULL, &err);
    return rc ? cli_fail(rc, &err) : EXIT_OK_;
}

static const struct survivor_sub {
    const char *name;
    int takes_id; /* show ID: reads personal fields, so writes its audit entry */
    int (*run)(const struct survivor_args *a);
} survivor_subs[] = {
    { "list", 0, survivor_list },
    { "show", 1, survivor_show },
    { "stats", 0, survivor_stats },
};

int cmd_survivor(int argc, char **argv)
{
    static const struct option opts[] = { { "db", required_argument, NULL, 'd' },
                                          { "reason", required_argument, NULL, 'r' },
                                          { "by", required_argument, NULL, 'b' },
                                          { "passphrase-stdin", no_argument, NULL, 'P' },
                                          { NULL, 0, NULL, 0 } };
    struct survivor_args a = { NULL, NULL, NULL, NULL, NULL, 0 };
    const struct survivor_sub *sub = NULL;
    int c;
    if (cli_wants_help(argc, argv))
        return cli_usage(cli_find("survivor"), 0);
    sub = CLI_SUB(survivor_subs, argc >= 2 ? argv[1] : NULL);
    if (!sub) {
        (void)fprintf(stderr, "madi survivor: say list, show ID --reason TEXT, or stats (see "
                              "'madi survivor --help')\n");
        return EXIT_USAGE;
    }
    argc--;
    argv++;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd')
            a.db = optarg;
        else if (c == 'r')
            a.reason = optarg;
        else if (c == 'b')
            a.by = optarg;
        else if (c == 'P')
            a.pass = 1;
        else
            return cli_usage(cli_find("survivor"), 1);
    }
    if (optind + sub->takes_id != argc)
        return cli_usage(cli_find("survivor"), 1);
    if (sub->takes_id && (!a.reason || !*a.reason)) {
        (void)fprintf(stderr, "madi survivor show: say why with --reason TEXT (it goes into the "
                              "audit log)\n");
        return EXIT_USAGE;
    }
    a.id = sub->takes_id ? argv[optind] : NULL;
    a.db = cli_db_path(a.db);
    int code = cli_open(a.db, sub->takes_id ? 0 : MADI_STORE_READONLY, &a.s);
    if (code)
        return code;
    code = sub->run(&a);
    madi_store_close(a.s);
    return code;
}
