/*
 * cmd_referrals.c: `madi referrals [--overdue] [--provider P]`: the referral queues that close
 * the loop.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "madi/dim.h"
#include "madi/survivor.h"

#include "banned.h"
#include "cli.h"

const char cmd_referrals_usage[] =
        "usage: madi referrals [--overdue] [--provider P] [--db FILE]\n"
        "\n"
        "List referrals of survivors to service providers, soonest due first: who referred,\n"
        "to which provider, for which need, when, due by when, where it stands, and how many\n"
        "days it is overdue. No personal fields are shown.\n"
        "\n"
        "Options:\n"
        "  --overdue     only open referrals (not completed or declined) whose due date has\n"
        "                passed (today: $MADI_TODAY as YYYYMMDD when set, else the clock)\n"
        "  --provider P  only referrals to provider P (its code or name, as imported; letter\n"
        "                case aside): the provider's queue\n"
        "  --db FILE     the database (default: $MADI_DB, else madi.db)\n"
        "  -h, --help    show this help\n";

/* A date, or "-" when none. */
static void date_text(int32_t d, char out[16])
{
    madi_format_date(d, out);
    if (!*out)
        (void)snprintf(out, 16, "-");
}

static void print_referral(void *ctx, const struct madi_referral_row *r)
{
    char d[16], due[16], late[16] = "";
    int *n = ctx;
    (*n)++;
    date_text(r->date_referred, d);
    date_text(r->due_date, due);
    if (r->days_overdue > 0)
        (void)snprintf(late, sizeof(late), "%d", r->days_overdue);
    (void)printf("%-10s %-10s %-18s %-8s %-20s %-10s %-10s %-10s %-17s %s\n", r->referral_id,
                 r->survivor_id, *r->element ? r->element : "-", r->from, r->to_provider,
                 r->provider_type, d, due, r->status, late);
}

int cmd_referrals(int argc, char **argv)
{
    static const struct option opts[] = { { "db", required_argument, NULL, 'd' },
                                          { "overdue", no_argument, NULL, 'o' },
                                          { "provider", required_argument, NULL, 'p' },
                                          { NULL, 0, NULL, 0 } };
    const char *db = NULL, *provider = NULL;
    unsigned flags = 0;
    int c, n = 0;
    if (cli_wants_help(argc, argv))
        return cli_usage(cli_find("referrals"), 0);
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd')
            db = optarg;
        else if (c == 'o')
            flags |= MADI_REFERRALS_OVERDUE;
        else if (c == 'p')
            provider = optarg;
        else
            return cli_usage(cli_find("referrals"), 1);
    }
    if (optind != argc)
        return cli_usage(cli_find("referrals"), 1);
    int32_t today = cli_today();
    struct madi_store *s = NULL;
    int code = cli_open(cli_db_path(db), MADI_STORE_READONLY, &s);
    if (code)
        return code;
    struct madi_err err;
    madi_err_clear(&err);
    (void)printf("%-10s %-10s %-18s %-8s %-20s %-10s %-10s %-10s %-17s %s\n", "referral",
                 "survivor", "need", "from", "to", "type", "referred", "due", "status",
                 "days overdue");
    int rc = madi_referrals_list(s, today, flags, provider, print_referral, &n, &err);
    madi_store_close(s);
    if (rc)
        return cli_fail(rc, &err);
    (void)printf("%d referral%s\n", n, n == 1 ? "" : "s");
    return EXIT_OK_;
}
