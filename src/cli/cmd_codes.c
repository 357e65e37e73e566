/*
 * cmd_codes.c: `madi codes list|add`: the code lists, and the centre's own codes in the
 * extensible ones (such as its minority and ethnic groups).
 */
#include <stdio.h>
#include <string.h>

#include "madi/codes.h"

#include "banned.h"
#include "cli.h"

const char cmd_codes_usage[] =
        "usage: madi codes list [LIST] [--db FILE]\n"
        "       madi codes add LIST CODE LABEL [--db FILE]\n"
        "\n"
        "List the code lists madi accepts (sex, yesno, wg, displacement, minority, ...), with\n"
        "their members, or add the centre's own code to an extensible list: for example\n"
        "'madi codes add minority hill_tribes \"Hill tribes\"'. Import then accepts the code or\n"
        "its label in that list's columns. Built-in lists follow the standards and are fixed.\n"
        "\n"
        "Options:\n"
        "  --db FILE   the database (default: $MADI_DB, else madi.db)\n"
        "  -h, --help  show this help\n";

static void print_code(void *ctx, const struct madi_code_info *c)
{
    (void)ctx;
    (void)printf("%-14s %4d  %-24s %s%s\n", c->list, c->value, c->code, c->label,
                 c->custom ? "  (added by the centre)" : "");
}

int cmd_codes(int argc, char **argv)
{
    const char *db = NULL;
    char *args[4];
    int n = 0, code = cli_db_args(argc, argv, "codes", &db, args, 4, &n);
    if (code >= 0)
        return code;
    int add = n == 4 && strcmp(args[0], "add") == 0;
    int list = (n == 1 || n == 2) && strcmp(args[0], "list") == 0;
    if (!add && !list)
        return cli_usage(cli_find("codes"), 1);
    struct madi_store *s = NULL;
    code = cli_open(cli_db_path(db), add ? 0 : MADI_STORE_READONLY, &s);
    if (code)
        return code;
    struct madi_err err;
    madi_err_clear(&err);
    int rc;
    if (add) {
        rc = madi_codes_add(s, args[1], args[2], args[3], &err);
        if (!rc)
            (void)printf("%s: added '%s' (%s)\n", args[1], args[2], args[3]);
    } else {
        rc = madi_codes_foreach(s, n == 2 ? args[1] : NULL, print_code, NULL, &err);
    }
    madi_store_close(s);
    return rc ? cli_fail(rc, &err) : EXIT_OK_;
}
