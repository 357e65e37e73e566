/*
 * common.c: helpers every subcommand uses: the database path, opening it, printing errors and
 * diagnostics, and the exit code for a libmadi return code.
 */
#include <stdlib.h>
#include <string.h>

#include "madi/dim.h"
#include "madi/err.h"
#include "madi/store.h"
#include "madi/xlsx.h"

#include "banned.h"
#include "cli.h"

const char *cli_db_path(const char *opt)
{
    if (opt && *opt)
        return opt;
    const char *env = getenv("MADI_DB");
    if (env && *env)
        return env;
    return "madi.db";
}

int cli_exit_for(int rc)
{
    switch (rc) {
    case MADI_OK:
        return EXIT_OK_;
    case MADI_EREJECTED:
    case MADI_ECONFLICT:
        return EXIT_REJECTED;
    case MADI_EINVAL:
        return EXIT_USAGE;
    case MADI_EIO:
    case MADI_EDB:
    case MADI_ENOTFOUND:
    case MADI_EDENIED:
    case MADI_ECRYPTO:
        return EXIT_IO;
    default:
        return EXIT_INTERNAL;
    }
}

int cli_fail(int rc, const struct madi_err *err)
{
    (void)fprintf(stderr, "madi: error: %s\n", err && err->msg[0] ? err->msg : madi_strerror(rc));
    return cli_exit_for(rc);
}

int cli_usage(const struct cmd *c, int to_stderr)
{
    FILE *out = to_stderr ? stderr : stdout;
    (void)fprintf(out, "%s", c->usage);
    return to_stderr ? EXIT_USAGE : EXIT_OK_;
}

const struct cmd *cli_find(const char *name)
{
    for (const struct cmd *c = madi_commands; c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

int cli_open(const char *path, unsigned flags, struct madi_store **out)
{
    struct madi_err err;
    madi_err_clear(&err);
    int rc = madi_store_open(path, flags, out, &err);
    if (rc)
        return cli_fail(rc, &err);
    return EXIT_OK_;
}

void cli_print_diag(FILE *out, const struct madi_diag *d)
{
    static const char *const level[] = { "error", "warning", "note" };
    char col[8];
    if (d->sheet) {
        /* report.xlsx:Sheet1!C17: as a spreadsheet user names a cell */
        madi_xlsx_column_name(d->col, col);
        if (d->line && d->col)
            (void)fprintf(out, "%s:%s!%s%lu: ", d->file, d->sheet, col, d->line);
        else if (d->line) /* the whole row, as a spreadsheet names it */
            (void)fprintf(out, "%s:%s!%lu:%lu: ", d->file, d->sheet, d->line, d->line);
        else
            (void)fprintf(out, "%s:%s: ", d->file, d->sheet);
    } else if (d->line && d->col)
        (void)fprintf(out, "%s:%lu:%u: ", d->file, d->line, d->col);
    else if (d->line)
        (void)fprintf(out, "%s:%lu: ", d->file, d->line);
    else
        (void)fprintf(out, "%s: ", d->file);
    (void)fprintf(out, "%s: ", level[d->level]);
    if (d->field)
        (void)fprintf(out, "%s: ", d->field);
    (void)fprintf(out, "%s\n", d->msg);
}

const void *cli_sub_find(const void *table, size_t n, size_t size, const char *name)
{
    const char *p = table;
    for (size_t i = 0; name && i < n; i++, p += size)
        if (strcmp(*(const char *const *)(const void *)p, name) == 0)
            return p;
    return NULL;
}

int cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return 0;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
    }
    return 0;
}

int cli_db_args(int argc, char **argv, const char *cmd, const char **db, char **args, int max,
                int *nargs)
{
    const struct cmd *c = cli_find(cmd);
    *nargs = 0;
    if (cli_wants_help(argc, argv))
        return cli_usage(c, 0);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            *db = argv[++i];
        } else if (strncmp(argv[i], "--db=", 5) == 0) {
            *db = argv[i] + 5;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            (void)fprintf(stderr, "madi %s: unknown option '%s'\n", cmd, argv[i]);
            return cli_usage(c, 1);
        } else if (*nargs < max) {
            args[(*nargs)++] = argv[i];
        } else {
            (void)fprintf(stderr, "madi %s: unexpected argument '%s'\n", cmd, argv[i]);
            return cli_usage(c, 1);
        }
    }
    return -1;
}

int32_t cli_today(void)
{
    const char *env = getenv("MADI_TODAY");
    return env && *env ? (int32_t)strtol(env, NULL, 10) : madi_today();
}

int cli_open_subcommand(int argc, char **argv, const char *cmd, const char *sub,
                        struct madi_store **s)
{
    const char *db = NULL;
    char *args[1];
    int n = 0, code = cli_db_args(argc, argv, cmd, &db, args, 1, &n);
    if (code >= 0)
        return code;
    if (n != 1 || strcmp(args[0], sub) != 0) {
        (void)fprintf(stderr, "madi %s: say 'madi %s %s' (see 'madi %s --help')\n", cmd, cmd, sub,
                      cmd);
        return EXIT_USAGE;
    }
    code = cli_open(cli_db_path(db), MADI_STORE_READONLY, s);
    return code ? code : -1;
}
