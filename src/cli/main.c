/*
 * main.c: the madi command. Finds the subcommand in the table (commands.c), hands it argv, and
 * returns its exit code. Only this front door chooses exit codes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "madi/err.h"
#include "madi/store.h"

#include "banned.h"
#include "cli.h"

static void main_usage(FILE *out)
{
    (void)fprintf(out,
                  "usage: madi COMMAND [OPTIONS] [ARGS]\n"
                  "\n"
                  "madi holds mine action sex-, age- and disability-disaggregated data (SADDD):\n"
                  "it imports operators' reports, checks them, and stores them safely.\n"
                  "\n"
                  "Commands:\n");
    for (const struct cmd *c = madi_commands; c->name; c++)
        (void)fprintf(out, "  %-10s %s\n", c->name, c->summary);
    (void)fprintf(out,
                  "\n"
                  "Every command takes --help. Commands that use a database take --db FILE\n"
                  "(default: $MADI_DB, else madi.db in the current folder).\n"
                  "\n"
                  "Exit status:\n"
                  "  0  success\n"
                  "  1  data rejected (the messages say which file, line and column, and why)\n"
                  "  2  usage error (a wrong option or argument)\n"
                  "  3  I/O or database error (a file or the database could not be used)\n"
                  "  4  internal error (a bug in madi: please report it)\n"
                  "\n"
                  "Manual pages: docs/man/madi-COMMAND.1.md. Start with: madi demo\n");
}

const char *cli_progname = "madi";

int main(int argc, char **argv)
{
    if (argc > 0 && argv[0] && *argv[0])
        cli_progname = argv[0];
    if (argc < 2) {
        main_usage(stderr);
        return EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        main_usage(stdout);
        return 0;
    }
    if (strcmp(name, "--version") == 0) {
        (void)printf("madi %s (schema %d)\n", MADI_VERSION, madi_store_schema_latest());
        return 0;
    }
    const struct cmd *c = cli_find(name);
    if (!c) {
        (void)fprintf(stderr, "madi: '%s' is not a madi command (see 'madi --help')\n", name);
        return EXIT_USAGE;
    }
    int rc = c->run(argc - 1, argv + 1);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        (void)fprintf(stderr, "madi: cannot write the output\n");
        return EXIT_IO;
    }
    return rc;
}
