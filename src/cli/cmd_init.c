/*
 * cmd_init.c: `madi init` creates a database, or brings an existing one to the latest schema.
 */
#include <getopt.h>
#include <stdio.h>

#include "madi/catalog.h"
#include "madi/store.h"

#include "banned.h"
#include "cli.h"

const char cmd_init_usage[] =
        "usage: madi init [--db FILE]\n"
        "\n"
        "Create an empty madi database in FILE (default: $MADI_DB, else madi.db). If FILE is\n"
        "already a madi database, upgrade it to this madi's schema; nothing is lost.\n"
        "\n"
        "Options:\n"
        "  --db FILE   the database file\n"
        "  -h, --help  show this help\n";

int cmd_init(int argc, char **argv)
{
    static const struct option opts[] = { { "db", required_argument, NULL, 'd' },
                                          { "help", no_argument, NULL, 'h' },
                                          { NULL, 0, NULL, 0 } };
    const char *db = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'h':
            return cli_usage(cli_find("init"), 0);
        default:
            return cli_usage(cli_find("init"), 1);
        }
    }
    if (optind < argc) {
        (void)fprintf(stderr, "madi init: unexpected argument '%s'\n", argv[optind]);
        return EXIT_USAGE;
    }
    const char *path = cli_db_path(db);
    struct madi_store *s = NULL;
    struct madi_err err;
    int created = 0;
    madi_err_clear(&err);
    int rc = madi_catalog_open_or_create(path, &s, &created, &err);
    if (rc)
        return cli_fail(rc, &err);
    if (!created)
        rc = madi_catalog_refresh(s, &err);
    if (!rc)
        (void)printf("%s %s (schema version %d)\n", created ? "created" : "up to date:", path,
                     madi_store_schema_version(s));
    madi_store_close(s);
    return rc ? cli_fail(rc, &err) : EXIT_OK_;
}
