/*
 * cmd_erase.c: `madi erase PERSON --reason TEXT`: a person's personal data removed on request,
 * with the audit trail kept.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "madi/survivor.h"

#include "banned.h"
#include "cli.h"

const char cmd_erase_usage[] =
        "usage: madi erase PERSON --reason TEXT [--db FILE] [--by NAME]\n"
        "\n"
        "Erase a person's personal data on their request. PERSON is a survivor id, or a\n"
        "16-hex-digit person key (every record with that key, from any operator). Their name,\n"
        "identity number, phone, address, home location and notes (and the notes of their\n"
        "needs and referrals) and their person key are removed; a tombstone with the\n"
        "non-identifying fields stays, so counts by sex, age and disability do not change. The\n"
        "erasure is written to the audit log, with the reason, in the same transaction.\n"
        "To correct a record instead, re-import the operator's corrected file with\n"
        "'madi import --replace BATCH' (also audited).\n"
        "\n"
        "Options:\n"
        "  --reason TEXT  why (e.g. the request's reference); required\n"
        "  --by NAME      who erases (default: the login name)\n"
        "  --passphrase-stdin  read the passphrase of a passphrase key from standard input\n"
        "                 (else the key file: $MADI_KEY_FILE, or DB.key); the audit log is\n"
        "                 keyed with the centre's key\n"
        "  --db FILE      the database (default: $MADI_DB, else madi.db)\n"
        "  -h, --help     show this help\n";

int cmd_erase(int argc, char **argv)
{
    static const struct option opts[] = { { "db", required_argument, NULL, 'd' },
                                          { "reason", required_argument, NULL, 'r' },
                                          { "by", required_argument, NULL, 'b' },
                                          { "passphrase-stdin", no_argument, NULL, 'p' },
                                          { NULL, 0, NULL, 0 } };
    const char *db = NULL, *reason = NULL, *by = NULL;
    int c, pass = 0;
    if (cli_wants_help(argc, argv))
        return cli_usage(cli_find("erase"), 0);
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd')
            db = optarg;
        else if (c == 'r')
            reason = optarg;
        else if (c == 'b')
            by = optarg;
        else if (c == 'p')
            pass = 1;
        else
            return cli_usage(cli_find("erase"), 1);
    }
    if (optind + 1 != argc)
        return cli_usage(cli_find("erase"), 1);
    if (!reason || !*reason) {
        (void)fprintf(stderr, "madi erase: say why with --reason TEXT (it goes into the audit "
                              "log)\n");
        return EXIT_USAGE;
    }
    struct madi_store *s = NULL;
    int code = cli_open(cli_db_path(db), 0, &s);
    if (code)
        return code;
    code = cli_audit_key(s, cli_db_path(db), pass);
    if (code) {
        madi_store_close(s);
        return code;
    }
    struct madi_err err;
    madi_err_clear(&err);
    int n = 0;
    int rc = madi_survivor_erase(s, argv[optind], reason, cli_actor(by), &n, &err);
    madi_store_close(s);
    if (rc)
        return cli_fail(rc, &err);
    (void)printf("erased the personal data of %d survivor record%s; the audit trail is kept\n", n,
                 n == 1 ? "" : "s");
    return EXIT_OK_;
}
