/*
 * cmd_template.c: `madi template KIND` prints what an operator fills in: the header and HXL
 * row, a valid example (--example), or what each column means (--doc).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "madi/kind.h"

#include "banned.h"
#include "cli.h"

const char cmd_template_usage[] =
        "usage: madi template KIND [--example | --doc] [--no-hxl]\n"
        "       madi template --list\n"
        "\n"
        "Print an empty CSV for KIND: the header row of column names and, under it, the HXL\n"
        "hashtag row. Fill it in and load it with 'madi import'.\n"
        "\n"
        "Options:\n"
        "  --example   add a few rows of valid example data (imports as it is)\n"
        "  --doc       describe each column: required or not, what it accepts, what it means\n"
        "  --no-hxl    leave out the HXL hashtag row\n"
        "  --list      list the kinds\n"
        "  -h, --help  show this help\n";

int cmd_template(int argc, char **argv)
{
    static const struct option opts[] = {
        { "example", no_argument, NULL, 'e' }, { "doc", no_argument, NULL, 'd' },
        { "no-hxl", no_argument, NULL, 'x' },  { "list", no_argument, NULL, 'l' },
        { "help", no_argument, NULL, 'h' },    { NULL, 0, NULL, 0 }
    };
    unsigned flags = 0;
    int doc = 0, list = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'e':
            flags |= MADI_TEMPLATE_EXAMPLE;
            break;
        case 'd':
            doc = 1;
            break;
        case 'x':
            flags |= MADI_TEMPLATE_NO_HXL;
            break;
        case 'l':
            list = 1;
            break;
        case 'h':
            return cli_usage(cli_find("template"), 0);
        default:
            return cli_usage(cli_find("template"), 1);
        }
    }
    if (list) {
        for (const struct madi_kind *k = madi_kinds; k->name; k++)
            (void)printf("%-16s %s\n", k->name, k->title);
        return EXIT_OK_;
    }
    if (optind + 1 != argc) {
        (void)fprintf(stderr, "madi template: name one kind (see 'madi template --list')\n");
        return EXIT_USAGE;
    }
    const struct madi_kind *k = madi_kind_find(argv[optind]);
    if (!k) {
        (void)fprintf(stderr, "madi template: there is no kind '%s'; the kinds are:", argv[optind]);
        for (const struct madi_kind *q = madi_kinds; q->name; q++)
            (void)fprintf(stderr, " %s", q->name);
        (void)fputc('\n', stderr);
        return EXIT_USAGE;
    }
    int rc = doc ? madi_kind_write_doc(k, stdout) : madi_kind_write_template(k, flags, stdout);
    return rc ? EXIT_IO : EXIT_OK_;
}
