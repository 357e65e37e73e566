/*
 * cmd_batch.c: `madi batch list`: every import batch, with file, SHA-256, time and who.
 */
#include <stdio.h>
#include <string.h>

#include "madi/batch.h"

#include "banned.h"
#include "cli.h"

const char cmd_batch_usage[] =
        "usage: madi batch list [--db FILE]\n"
        "\n"
        "List the import batches: every record in madi knows the batch it came in (file name,\n"
        "SHA-256 of its content, when, who). A batch replaced by a corrected file (import\n"
        "--replace) is listed as replaced, with the batch that replaced it.\n"
        "\n"
        "Options:\n"
        "  --db FILE   the database (default: $MADI_DB, else madi.db)\n"
        "  -h, --help  show this help\n";

static void print_batch(void *ctx, const struct madi_batch_info *b)
{
    (void)ctx;
    (void)printf("%5lld  %-16s %8lld %5lld  %-20s %-12s %.12s  %s", (long long)b->id, b->kind,
                 (long long)b->rows, (long long)b->warnings, b->imported_at, b->imported_by,
                 b->sha256, b->file_name);
    if (b->replaced_by)
        (void)printf("  (replaced by %lld)", (long long)b->replaced_by);
    (void)printf("\n");
}

int cmd_batch(int argc, char **argv)
{
    struct madi_store *s = NULL;
    int code = cli_open_subcommand(argc, argv, "batch", "list", &s);
    if (code >= 0)
        return code;
    struct madi_err err;
    madi_err_clear(&err);
    (void)printf("%5s  %-16s %8s %5s  %-20s %-12s %-12s  %s\n", "batch", "kind", "rows", "warn",
                 "imported at", "by", "sha256", "file");
    int rc = madi_batch_foreach(s, print_batch, NULL, &err);
    madi_store_close(s);
    return rc ? cli_fail(rc, &err) : EXIT_OK_;
}
