/*
 * cmd_audit.c: `madi audit verify|list`: the hash-chained audit log of personal data.
 */
#include <stdio.h>
#include <string.h>

#include "madi/audit.h"

#include "banned.h"
#include "cli.h"

const char cmd_audit_usage[] =
        "usage: madi audit verify [--db FILE]\n"
        "       madi audit list [--db FILE]\n"
        "\n"
        "Every import, export, read, erasure and key change of survivors' data writes an entry\n"
        "to an append-only audit log, each chained to the one before by its SHA-256 hash.\n"
        "\n"
        "  verify  recompute the whole chain; exit 0 when intact, 1 naming the first entry that\n"
        "          was altered, removed or put out of order\n"
        "  list    show every entry: when, who, what, on which record, and the reason given\n"
        "\n"
        "Options:\n"
        "  --db FILE   the database (default: $MADI_DB, else madi.db)\n"
        "  -h, --help  show this help\n";

static void print_entry(void *ctx, int64_t id, const char *at, const char *actor,
                        const char *action, const char *object, const char *reason)
{
    (void)ctx;
    (void)printf("%5lld  %-20s %-12s %-12s %s%s%s\n", (long long)id, at, actor, action, object,
                 *reason ? "  reason: " : "", reason);
}

static int audit_list(struct madi_store *s)
{
    struct madi_err err;
    madi_err_clear(&err);
    int rc = madi_audit_foreach(s, print_entry, NULL, &err);
    return rc ? cli_fail(rc, &err) : EXIT_OK_;
}

static int audit_verify(struct madi_store *s)
{
    struct madi_err err;
    struct madi_audit_report rep;
    madi_err_clear(&err);
    int rc = madi_audit_verify(s, &rep, &err);
    if (rc == MADI_EREJECTED) {
        (void)fprintf(stderr, "madi: audit log BROKEN at entry %lld: %s\n",
                      (long long)rep.first_bad, rep.why);
        return EXIT_REJECTED;
    }
    if (rc)
        return cli_fail(rc, &err);
    (void)printf("audit log intact: %lld entr%s, chain verified\n", (long long)rep.entries,
                 rep.entries == 1 ? "y" : "ies");
    return EXIT_OK_;
}

static const struct audit_sub {
    const char *name;
    int (*run)(struct madi_store *s);
} audit_subs[] = {
    { "verify", audit_verify },
    { "list", audit_list },
};

int cmd_audit(int argc, char **argv)
{
    const char *db = NULL;
    char *args[1];
    const struct audit_sub *sub = NULL;
    int n = 0, code = cli_db_args(argc, argv, "audit", &db, args, 1, &n);
    if (code >= 0)
        return code;
    for (size_t i = 0; n == 1 && i < sizeof(audit_subs) / sizeof(audit_subs[0]); i++)
        if (strcmp(args[0], audit_subs[i].name) == 0)
            sub = &audit_subs[i];
    if (!sub) {
        (void)fprintf(stderr, "madi audit: say 'madi audit verify' or 'madi audit list'\n");
        return EXIT_USAGE;
    }
    struct madi_store *s = NULL;
    code = cli_open(cli_db_path(db), MADI_STORE_READONLY, &s);
    if (code)
        return code;
    code = sub->run(s);
    madi_store_close(s);
    return code;
}
