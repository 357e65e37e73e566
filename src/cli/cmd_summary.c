/*
 * cmd_summary.c: `madi summary` prints what a database holds, with the first SADDD breakdowns.
 */
#include <stdio.h>

#include "madi/summary.h"

#include "banned.h"
#include "cli.h"

const char cmd_summary_usage[] =
        "usage: madi summary [--db FILE]\n"
        "\n"
        "Show what the database holds: batches, registers, and for each kind of record the\n"
        "totals by sex, age and disability, with how much of each total is disaggregated.\n"
        "Blank (not reported) and unknown are shown apart. Reads only; never creates a database.\n"
        "\n"
        "Options:\n"
        "  --db FILE   the database (default: $MADI_DB, else madi.db)\n"
        "  -h, --help  show this help\n";

int cmd_summary(int argc, char **argv)
{
    const char *db = NULL;
    char *args[1];
    int n = 0, code = cli_db_args(argc, argv, "summary", &db, args, 0, &n);
    if (code >= 0)
        return code;
    struct madi_store *s = NULL;
    code = cli_open(cli_db_path(db), MADI_STORE_READONLY, &s);
    if (code)
        return code;
    struct madi_err err;
    madi_err_clear(&err);
    int rc = madi_summary_write(s, stdout, &err);
    madi_store_close(s);
    return rc ? cli_fail(rc, &err) : EXIT_OK_;
}
