/*
 * cmd_init.c: `madi init` creates a database, or brings an existing one to the latest schema.
 */
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
    const char *db = NULL;
    char *args[1];
    int n = 0, code = cli_db_args(argc, argv, "init", &db, args, 0, &n);
    if (code >= 0)
        return code;
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
