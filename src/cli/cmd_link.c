/*
 * cmd_link.c: `madi link review`: suspected duplicate survivors across operators, for a person to
 * review; nothing is merged.
 */
#include <stdio.h>
#include <string.h>

#include "madi/dim.h"
#include "madi/survivor.h"

#include "banned.h"
#include "cli.h"

const char cmd_link_usage[] =
        "usage: madi link review [--db FILE]\n"
        "\n"
        "List pairs of survivor records from different organisations that may be one person:\n"
        "the same pseudonymous person key (a keyed hash of the normalised name, birth year and\n"
        "sex, or of the identity number), or the same normalised name with the same sex and\n"
        "birth years at most one apart. Names are compared without anyone seeing them: letter\n"
        "case, accents, punctuation, spacing and word order do not matter. Nothing is merged:\n"
        "each pair is for a person to check with the operators.\n"
        "\n"
        "Options:\n"
        "  --db FILE   the database (default: $MADI_DB, else madi.db)\n"
        "  -h, --help  show this help\n";

static void print_pair(void *ctx, const struct madi_link_pair *p)
{
    char key[17] = "-";
    int *n = ctx;
    (*n)++;
    if (p->person_key)
        madi_format_person_key(p->person_key, key);
    (void)printf("%-12s %-10s %-12s %-10s %-16s %s\n", p->a, p->org_a, p->b, p->org_b, key, p->why);
}

int cmd_link(int argc, char **argv)
{
    struct madi_store *s = NULL;
    int code = cli_open_subcommand(argc, argv, "link", "review", &s);
    if (code >= 0)
        return code;
    struct madi_err err;
    madi_err_clear(&err);
    int pairs = 0;
    (void)printf("%-12s %-10s %-12s %-10s %-16s %s\n", "survivor", "org", "survivor", "org",
                 "person key", "why");
    int rc = madi_link_review(s, print_pair, &pairs, &err);
    madi_store_close(s);
    if (rc)
        return cli_fail(rc, &err);
    (void)printf("%d suspected duplicate%s (review them; nothing was merged)\n", pairs,
                 pairs == 1 ? "" : "s");
    return EXIT_OK_;
}
