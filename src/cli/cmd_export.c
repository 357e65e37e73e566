/*
 * cmd_export.c: `madi export KIND [--hxl]`: a kind's records as CSV, importable again.
 */
#include <stdio.h>
#include <string.h>

#include "madi/export.h"
#include "madi/kind.h"

#include "banned.h"
#include "cli.h"

const char cmd_export_usage[] =
        "usage: madi export KIND [--hxl] [--db FILE]\n"
        "\n"
        "Write the stored records of KIND (active batches) as CSV on standard output, in the\n"
        "kind's own columns and codes: the shape 'madi template KIND' gives, so the file imports\n"
        "again unchanged. With --hxl, the HXL hashtag row goes under the header, for HDX and\n"
        "other humanitarian tools. Personal fields are never exported (the spine holds none).\n"
        "\n"
        "Options:\n"
        "  --hxl       add the HXL hashtag row\n"
        "  --db FILE   the database (default: $MADI_DB, else madi.db)\n"
        "  -h, --help  show this help\n";

int cmd_export(int argc, char **argv)
{
    const char *db = NULL, *kind = NULL;
    unsigned flags = 0;
    if (cli_wants_help(argc, argv))
        return cli_usage(cli_find("export"), 0);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--hxl") == 0)
            flags |= MADI_EXPORT_HXL;
        else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
            db = argv[++i];
        else if (argv[i][0] != '-' && !kind)
            kind = argv[i];
        else
            return cli_usage(cli_find("export"), 1);
    }
    if (!kind)
        return cli_usage(cli_find("export"), 1);
    const struct madi_kind *k = madi_kind_find(kind);
    if (!k) {
        (void)fprintf(stderr, "madi export: there is no kind '%s' (see 'madi template --list')\n",
                      kind);
        return EXIT_USAGE;
    }
    struct madi_store *s = NULL;
    /* A survivors' kind is audited, which writes. */
    int code = cli_open(cli_db_path(db), madi_kind_is_protected(k) ? 0 : MADI_STORE_READONLY, &s);
    if (code)
        return code;
    if (madi_kind_is_protected(k) && (code = cli_audit_key(s, cli_db_path(db), 0)) != 0) {
        madi_store_close(s);
        return code;
    }
    struct madi_err err;
    madi_err_clear(&err);
    int rc = madi_export_kind_as(s, k, flags, cli_actor(NULL), stdout, &err);
    madi_store_close(s);
    return rc ? cli_fail(rc, &err) : EXIT_OK_;
}
