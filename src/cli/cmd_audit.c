/*
 * cmd_audit.c: `madi audit verify|list`: the hash-chained audit log of personal data.
 */
#include <stdio.h>
#include <string.h>

#include "madi/audit.h"
#include "madi/privacy.h"

#include "banned.h"
#include "cli.h"

const char cmd_audit_usage[] =
        "usage: madi audit verify [--db FILE] [--passphrase-stdin]\n"
        "       madi audit list [--db FILE]\n"
        "\n"
        "Every import, export, read, erasure and key change of survivors' data writes an entry\n"
        "to an append-only audit log, each chained to the one before by a hash keyed with the\n"
        "centre's key (BLAKE2b): without the key no one can recompute it.\n"
        "\n"
        "  verify  recompute the whole chain with the centre's key (the key file: $MADI_KEY_FILE,\n"
        "          or DB.key; or --passphrase-stdin); exit 0 when intact, 1 naming the first\n"
        "          entry that was altered, removed or put out of order. Without the key it can\n"
        "          check only the chain's structure, says so, and exits 1\n"
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

static int audit_list(struct madi_store *s, const char *db, int pass)
{
    (void)db;
    (void)pass;
    struct madi_err err;
    madi_err_clear(&err);
    int rc = madi_audit_foreach(s, print_entry, NULL, &err);
    return rc ? cli_fail(rc, &err) : EXIT_OK_;
}

static int audit_verify(struct madi_store *s, const char *db, int pass)
{
    struct madi_err err;
    struct madi_audit_report rep;
    madi_err_clear(&err);
    int code = cli_audit_key(s, db, pass);
    if (code)
        return code;
    int rc = madi_audit_verify(s, &rep, &err);
    if (rc == MADI_EREJECTED) {
        (void)fprintf(stderr, "madi: audit log BROKEN at entry %lld: %s\n",
                      (long long)rep.first_bad, rep.why);
        return EXIT_REJECTED;
    }
    if (rc)
        return cli_fail(rc, &err);
    if (rep.entries && !rep.keyed_from && !madi_privacy_has_key(s)) {
        /* Accounts and submissions are audited on a database without a centre's key too. */
        (void)printf("audit log intact: %lld entr%s, an unkeyed chain (this database has no "
                     "centre's key; once 'madi keys init' makes one, the entries after it are "
                     "keyed)\n",
                     (long long)rep.entries, rep.entries == 1 ? "y" : "ies");
        return EXIT_OK_;
    }
    if (rep.entries && !rep.key_used) {
        (void)fprintf(stderr,
                      "madi: the audit log's structure is intact (%lld entries), but its hashes "
                      "are keyed with the centre's key, which was not found: only the unkeyed "
                      "structure could be checked. Give the key (DB.key beside the database, "
                      "MADI_KEY_FILE, or --passphrase-stdin) to verify it\n",
                      (long long)rep.entries);
        return EXIT_REJECTED;
    }
    if (rep.entries && !rep.keyed_from) {
        (void)fprintf(stderr,
                      "madi: the audit log's %lld entries are intact as an unkeyed chain, but "
                      "the chain is not keyed: it was started before keyed audit and nothing has "
                      "been audited since (the next audited action keys it), or someone rewrote "
                      "it without the key\n",
                      (long long)rep.entries);
        return EXIT_REJECTED;
    }
    if (rep.keyed_from > 1)
        (void)printf("audit log intact: %lld entr%s, chain verified with the centre's key "
                     "(entries 1-%lld were written before the chain was keyed: they are pinned "
                     "by the keyed entries after them)\n",
                     (long long)rep.entries, rep.entries == 1 ? "y" : "ies",
                     (long long)(rep.keyed_from - 1));
    else
        (void)printf("audit log intact: %lld entr%s, chain verified with the centre's key\n",
                     (long long)rep.entries, rep.entries == 1 ? "y" : "ies");
    return EXIT_OK_;
}

static const struct audit_sub {
    const char *name;
    int (*run)(struct madi_store *s, const char *db, int pass);
} audit_subs[] = {
    { "verify", audit_verify },
    { "list", audit_list },
};

int cmd_audit(int argc, char **argv)
{
    const char *db = NULL;
    char *args[1], *rest[16];
    const struct audit_sub *sub = NULL;
    int n = 0, nrest = 0, pass = 0;
    if (argc > 16)
        return cli_usage(cli_find("audit"), 1);
    for (int i = 0; i < argc; i++) { /* cli_db_args knows only --db */
        if (i > 0 && strcmp(argv[i], "--passphrase-stdin") == 0)
            pass = 1;
        else
            rest[nrest++] = argv[i];
    }
    int code = cli_db_args(nrest, rest, "audit", &db, args, 1, &n);
    if (code >= 0)
        return code;
    sub = CLI_SUB(audit_subs, n == 1 ? args[0] : NULL);
    if (!sub) {
        (void)fprintf(stderr, "madi audit: say 'madi audit verify' or 'madi audit list'\n");
        return EXIT_USAGE;
    }
    struct madi_store *s = NULL;
    code = cli_open(cli_db_path(db), MADI_STORE_READONLY, &s);
    if (code)
        return code;
    code = sub->run(s, cli_db_path(db), pass);
    madi_store_close(s);
    return code;
}
