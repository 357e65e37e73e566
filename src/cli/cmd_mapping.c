/*
 * cmd_mapping.c: `madi mapping learn FILE --kind KIND`: write a mapping profile for a source's own
 * columns and words, to edit once and reuse with `madi import --mapping`.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "madi/catalog.h"
#include "madi/import.h"
#include "madi/kind.h"

#include "banned.h"
#include "cli.h"

const char cmd_mapping_usage[] =
        "usage: madi mapping learn FILE --kind KIND [--mapping MAPPING] [--sheet NAME]\n"
        "                          [-o MAPPING] [--db FILE]\n"
        "\n"
        "Read an operator's or another system's file and write a mapping profile for it: each\n"
        "column with the madi column it was recognised as (or '?'), and each value of a code\n"
        "or age-band column that madi does not understand, with how many rows carry it and the\n"
        "first line, followed by '?'. Replace the '?'s once (for example: value sex \"Femme\" F),\n"
        "then import every later file of that shape with 'madi import --mapping MAPPING FILE'.\n"
        "\n"
        "Options:\n"
        "  --kind KIND   what the file holds ('madi template --list')\n"
        "  --sheet NAME  for a workbook: the sheet to read\n"
        "  --mapping M   start from the profile M (learn what it still lacks)\n"
        "  -o MAPPING    write the profile there (default: standard output)\n"
        "  --db FILE     the database whose aliases and codes are known (default: $MADI_DB, else\n"
        "                madi.db; optional)\n"
        "  -h, --help    show this help\n";

int cmd_mapping(int argc, char **argv)
{
    static const struct option opts[] = {
        { "kind", required_argument, NULL, 'k' }, { "sheet", required_argument, NULL, 's' },
        { "db", required_argument, NULL, 'd' },   { "mapping", required_argument, NULL, 'm' },
        { "help", no_argument, NULL, 'h' },       { NULL, 0, NULL, 0 }
    };
    struct madi_import_opts io = { 0 };
    const char *db = NULL, *outpath = NULL;
    int c;
    if (cli_wants_help(argc, argv))
        return cli_usage(cli_find("mapping"), 0);
    if (argc < 2 || strcmp(argv[1], "learn") != 0) {
        (void)fprintf(stderr, "madi mapping: say 'madi mapping learn FILE --kind KIND'\n");
        return EXIT_USAGE;
    }
    argc--;
    argv++;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'k':
            if (!madi_kind_find(optarg)) {
                (void)fprintf(stderr, "madi mapping: there is no kind '%s'\n", optarg);
                return EXIT_USAGE;
            }
            io.kind = optarg;
            break;
        case 's':
            io.sheet = optarg;
            break;
        case 'd':
            db = optarg;
            break;
        case 'o':
            outpath = optarg;
            break;
        case 'm':
            io.mapping = optarg;
            break;
        default:
            return cli_usage(cli_find("mapping"), 1);
        }
    }
    if (optind + 1 != argc || !io.kind)
        return cli_usage(cli_find("mapping"), 1);
    io.name = argv[optind];

    struct madi_err err;
    struct madi_store *s = NULL;
    madi_err_clear(&err);
    const char *path = cli_db_path(db);
    int rc = madi_store_open(path, MADI_STORE_READONLY, &s, &err);
    if (rc == MADI_ENOTFOUND) /* no database: learn against the built-in codes only */
        rc = madi_catalog_open_or_create(":memory:", &s, NULL, &err);
    if (rc)
        return cli_fail(rc, &err);
    FILE *out = stdout;
    if (outpath && !(out = fopen(outpath, "w"))) {
        madi_store_close(s);
        (void)fprintf(stderr, "madi mapping: cannot write %s\n", outpath);
        return EXIT_IO;
    }
    rc = madi_import_learn(s, argv[optind], &io, out, &err);
    if (out != stdout && fclose(out) != 0 && !rc)
        rc = madi_err_set(&err, MADI_EIO, "cannot write %s", outpath);
    madi_store_close(s);
    if (rc)
        return cli_fail(rc, &err);
    if (outpath)
        (void)fprintf(stderr,
                      "madi: wrote %s: replace its '?'s, then 'madi import --mapping %s "
                      "%s'\n",
                      outpath, outpath, argv[optind]);
    return EXIT_OK_;
}
