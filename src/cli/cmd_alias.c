/*
 * cmd_alias.c: `madi alias add|list|remove`: map an operator's own column headers onto madi's
 * columns once, for every later import.
 */
#include <stdio.h>
#include <string.h>

#include "madi/import.h"

#include "banned.h"
#include "cli.h"

const char cmd_alias_usage[] =
        "usage: madi alias add KIND HEADER COLUMN [--db FILE]\n"
        "       madi alias remove KIND HEADER [--db FILE]\n"
        "       madi alias list [--db FILE]\n"
        "\n"
        "Teach madi an operator's own column header: after 'madi alias add eore \"Nb femmes\"\n"
        "women', a file with a column headed 'Nb femmes' imports it as 'women'. Headers match\n"
        "regardless of letter case, spaces, '-', '_' and '.'.\n"
        "\n"
        "Options:\n"
        "  --db FILE   the database (default: $MADI_DB, else madi.db)\n"
        "  -h, --help  show this help\n";

static void print_alias(void *ctx, const char *kind, const char *alias, const char *field)
{
    (void)ctx;
    (void)printf("%-16s %-30s %s\n", kind, alias, field);
}

int cmd_alias(int argc, char **argv)
{
    const char *db = NULL;
    char *args[4];
    int n = 0, code = cli_db_args(argc, argv, "alias", &db, args, 4, &n);
    if (code >= 0)
        return code;
    if (n < 1)
        return cli_usage(cli_find("alias"), 1);
    const char *verb = args[0];
    int want = strcmp(verb, "add") == 0      ? 4
               : strcmp(verb, "remove") == 0 ? 3
               : strcmp(verb, "list") == 0   ? 1
                                             : -1;
    if (want != n)
        return cli_usage(cli_find("alias"), 1);
    struct madi_store *s = NULL;
    code = cli_open(cli_db_path(db), 0, &s);
    if (code)
        return code;
    struct madi_err err;
    madi_err_clear(&err);
    int rc;
    if (want == 4)
        rc = madi_alias_add(s, args[1], args[2], args[3], &err);
    else if (want == 3)
        rc = madi_alias_remove(s, args[1], args[2], &err);
    else
        rc = madi_alias_foreach(s, print_alias, NULL, &err);
    madi_store_close(s);
    if (rc)
        return cli_fail(rc, &err);
    if (want == 4)
        (void)printf("%s: header '%s' now imports as '%s'\n", args[1], args[2], args[3]);
    else if (want == 3)
        (void)printf("%s: alias '%s' removed\n", args[1], args[2]);
    return EXIT_OK_;
}
