/*
 * cmd_help.c: `madi help COMMAND` is `madi COMMAND --help`.
 */
#include <stdio.h>

#include "banned.h"
#include "cli.h"

const char cmd_help_usage[] = "usage: madi help COMMAND\n"
                              "\n"
                              "Show the help of COMMAND (the same as 'madi COMMAND --help').\n";

int cmd_help(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv))
        return cli_usage(cli_find("help"), argc < 2);
    const struct cmd *c = cli_find(argv[1]);
    if (!c) {
        (void)fprintf(stderr, "madi: '%s' is not a madi command (see 'madi --help')\n", argv[1]);
        return EXIT_USAGE;
    }
    return cli_usage(c, 0);
}
