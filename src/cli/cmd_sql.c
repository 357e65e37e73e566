/*
 * cmd_sql.c: `madi sql`: read-only SQL over the store, for checks and ad-hoc questions.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "madi/kind.h"
#include "madi/store.h"

#include "banned.h"
#include "cli.h"

const char cmd_sql_usage[] =
        "usage: madi sql [--db FILE] [--header] QUERY\n"
        "\n"
        "Run SELECT statements (several separated by ';') on the database and print the rows\n"
        "as the sqlite3 shell does: values separated by '|', blank for NULL. Use it for the\n"
        "tables madi keeps in its own format, such as eore_attendance (attendance lists are\n"
        "stored in compressed blocks the sqlite3 shell cannot read), and for any question the\n"
        "commands do not answer. Nothing is ever written. Survivors' records, consents, needs,\n"
        "referrals, the audit log and the accounts cannot be read here: use madi survivor,\n"
        "madi referrals and madi audit, which record every access.\n"
        "\n"
        "Options:\n"
        "  --header     print each statement's column names first\n"
        "  --db FILE    the database (default: $MADI_DB, else madi.db)\n"
        "  -h, --help   show this help\n"
        "\n"
        "Exit status: 0 ok, 2 usage or a statement that would write, 3 an error in the SQL or\n"
        "the database.\n";

/* Tables of personal data or accounts: read only through the commands that audit access; and
 * SQLite's page statistics, which would tell their sizes. */
static const char *const fixed_deny[] = {
    "audit_log",          "app_user", "app_session", "case_assignment", "submission",
    "submission_finding", "meta",     "dbstat",      "sqlite_dbpage",   NULL
};

int cmd_sql(int argc, char **argv)
{
    static const struct option lopts[] = { { "db", required_argument, NULL, 'd' },
                                           { "header", no_argument, NULL, 'H' },
                                           { "help", no_argument, NULL, 'h' },
                                           { NULL, 0, NULL, 0 } };
    const struct cmd *self = cli_find("sql");
    const char *db = NULL;
    int header = 0, ch;
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
        if (ch == 'd')
            db = optarg;
        else if (ch == 'H')
            header = 1;
        else if (ch == 'h')
            return cli_usage(self, 0);
        else
            return cli_usage(self, 1);
    }
    if (optind + 1 != argc)
        return cli_usage(self, 1);
    const char *deny[64];
    size_t n = 0;
    for (size_t i = 0; fixed_deny[i]; i++)
        deny[n++] = fixed_deny[i];
    for (const struct madi_kind *k = madi_kinds; k->name && n + 1 < 64; k++)
        if (madi_kind_is_protected(k))
            deny[n++] = k->table;
    deny[n] = NULL;
    struct madi_store *s = NULL;
    int code = cli_open(cli_db_path(db), MADI_STORE_READONLY, &s);
    if (code)
        return code;
    struct madi_err err;
    madi_err_clear(&err);
    int rc = madi_store_select_print(s, argv[optind], deny, header, stdout, &err);
    madi_store_close(s);
    return rc ? cli_fail(rc, &err) : EXIT_OK_;
}
