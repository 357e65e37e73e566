/*
 * cmd_keys.c: `madi keys init|rotate|public|seal`: the centre's keys, and sealing an operator's
 * file to the centre's public key before it travels.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "madi/kind.h"
#include "madi/privacy.h"

#include "banned.h"
#include "cli.h"

const char cmd_keys_usage[] =
        "usage: madi keys init [--db FILE] [--passphrase-stdin] [--by NAME]\n"
        "       madi keys rotate [--db FILE] [--passphrase-stdin] [--by NAME]\n"
        "       madi keys public [--db FILE] [--passphrase-stdin]\n"
        "       madi keys seal --public KEY --kind KIND IN.csv -o OUT.csv\n"
        "\n"
        "The centre's keys protect survivors' personal fields (names, identity numbers, phone\n"
        "numbers, addresses, home locations, notes): they are encrypted before they are stored.\n"
        "\n"
        "  init    create the key: a key file beside the database (FILE.key, mode 0600), or\n"
        "          where $MADI_KEY_FILE points; an existing key file is never overwritten. With\n"
        "          --passphrase-stdin the key is random too, but kept in the database wrapped\n"
        "          under a passphrase read from standard input (Argon2id), and no key file is\n"
        "          written. Keep the key file or passphrase safe: without it the personal fields\n"
        "          cannot be read by anyone.\n"
        "  rotate  make a new data key and re-encrypt every personal field with it, in one\n"
        "          transaction; the key file is replaced and the old one kept as FILE.old (or,\n"
        "          with --passphrase-stdin, the new key is wrapped under the same passphrase)\n"
        "  public  print the centre's public key (64 hex digits), for operators\n"
        "  seal    (operators) copy IN.csv to OUT.csv with every personal cell of KIND sealed to\n"
        "          the centre's public key (KEY: the hex digits, or a file holding them), so a\n"
        "          file lost on the way exposes nobody; madi import opens sealed cells\n"
        "\n"
        "Options:\n"
        "  --db FILE           the database (default: $MADI_DB, else madi.db)\n"
        "  --passphrase-stdin  read a passphrase from standard input (one line)\n"
        "  --by NAME           who does it, for the audit log (default: the login name)\n"
        "  -h, --help          show this help\n";

static int keys_init(struct madi_store *s, const char *db, int pass, const char *by)
{
    struct madi_err err;
    struct madi_key *k = NULL;
    int rc;
    madi_err_clear(&err);
    if (madi_privacy_has_key(s)) {
        (void)fprintf(stderr,
                      "madi keys: error: %s already has a key (change it with 'madi keys "
                      "rotate')\n",
                      db);
        return EXIT_REJECTED;
    }
    if (pass) {
        char *p = NULL;
        size_t n = 0;
        int code = cli_read_passphrase(&p, &n);
        if (code)
            return code;
        rc = madi_privacy_init_passphrase(s, p, n, 0, cli_actor(by), &k, &err);
        sodium_free(p);
        madi_key_free(k);
        if (rc)
            return cli_fail(rc, &err);
        (void)printf("madi: %s now has a passphrase key: give --passphrase-stdin to commands "
                     "that need it\n",
                     db);
        return EXIT_OK_;
    }
    char *path = cli_key_path(db);
    rc = madi_key_generate(&k, &err);
    if (!rc)
        rc = madi_key_write_file(k, path, &err);
    if (!rc) {
        rc = madi_privacy_init(s, k, cli_actor(by), &err);
        if (rc)
            (void)unlink(path);
    }
    madi_key_free(k);
    if (!rc)
        (void)printf("madi: wrote the key of %s to %s (mode 0600): keep a copy somewhere safe, "
                     "away from the database\n",
                     db, path);
    free(path);
    return rc ? cli_fail(rc, &err) : EXIT_OK_;
}

/* A passphrase database: the new data key is wrapped again under the same passphrase. */
static int rotate_passphrase(struct madi_store *s, const char *by)
{
    struct madi_err err;
    char *p = NULL;
    size_t n = 0;
    madi_err_clear(&err);
    int code = cli_read_passphrase(&p, &n);
    if (code)
        return code;
    int rc = madi_privacy_rotate_passphrase(s, p, n, cli_actor(by), &err);
    sodium_free(p);
    if (rc)
        return cli_fail(rc, &err);
    (void)printf("madi: new data key, under the same passphrase; every personal field "
                 "re-encrypted\n");
    return EXIT_OK_;
}

static int keys_rotate(struct madi_store *s, const char *db, int pass, const char *by)
{
    struct madi_err err;
    struct madi_key *old = NULL, *nk = NULL;
    madi_err_clear(&err);
    if (madi_privacy_has_key(s) == 2) {
        if (!pass) {
            (void)fprintf(stderr, "madi keys: error: this database's key is a passphrase: give "
                                  "--passphrase-stdin\n");
            return EXIT_USAGE;
        }
        return rotate_passphrase(s, by);
    }
    int code = cli_load_key(s, db, 0, 1, &old);
    if (code)
        return code;
    char *path = cli_key_path(db);
    size_t tn = strlen(path) + 5;
    char *tmp = malloc(tn), *old_path = malloc(tn);
    int rc = tmp && old_path ? MADI_OK : MADI_EINTERNAL;
    if (!rc) {
        (void)snprintf(tmp, tn, "%s.new", path);
        (void)snprintf(old_path, tn, "%s.old", path);
    }
    if (!rc && access(tmp, F_OK) == 0)
        rc = madi_err_set(&err, MADI_ECONFLICT,
                          "%s is left from an interrupted 'madi keys rotate'; the database's key "
                          "is still %s (it was just checked): delete %s, then rotate again",
                          tmp, path, tmp);
    if (!rc)
        rc = madi_key_rotated(old, &nk, &err);
    /* The new key is on disk before the data changes, and replaces the old one after. */
    if (!rc)
        rc = madi_key_write_file(nk, tmp, &err);
    if (!rc) {
        rc = madi_privacy_rotate(s, old, nk, cli_actor(by), &err);
        if (rc)
            (void)unlink(tmp);
    }
    /* The old key is kept as FILE.old (mode 0600, as the key file), for backups made before. */
    if (!rc && (rename(path, old_path) != 0 || chmod(old_path, 0600) != 0))
        rc = madi_err_set(&err, MADI_EIO,
                          "the data is now encrypted with the new key in %s, but the old key %s "
                          "could not be moved to %s: move %s to %s by hand",
                          tmp, path, old_path, tmp, path);
    if (!rc && rename(tmp, path) != 0)
        rc = madi_err_set(&err, MADI_EIO,
                          "the data is now encrypted with the new key in %s, but it could not "
                          "replace %s: move it there by hand",
                          tmp, path);
    if (!rc)
        (void)printf("madi: new data key in %s (the old one kept as %s); every personal field "
                     "re-encrypted\n",
                     path, old_path);
    madi_key_free(old);
    madi_key_free(nk);
    free(path);
    free(tmp);
    free(old_path);
    return rc ? cli_fail(rc, &err) : EXIT_OK_;
}

static int keys_public(struct madi_store *s, const char *db, int pass, const char *by)
{
    (void)by;
    struct madi_key *k = NULL;
    char hex[65];
    int code = cli_load_key(s, db, pass, 1, &k);
    if (code)
        return code;
    madi_key_public_hex(k, hex);
    madi_key_free(k);
    (void)printf("%s\n", hex);
    return EXIT_OK_;
}

/* KEY is the hex digits, or a file holding them. */
static int read_public(const char *arg, char out[65])
{
    FILE *f = strlen(arg) == 64 ? NULL : fopen(arg, "r");
    if (!f) {
        (void)snprintf(out, 65, "%s", arg);
        return 0;
    }
    int ok = fscanf(f, "%64s", out) == 1;
    (void)fclose(f);
    return ok ? 0 : -1;
}

static int keys_seal(int argc, char **argv)
{
    static const struct option opts[] = { { "public", required_argument, NULL, 'p' },
                                          { "kind", required_argument, NULL, 'k' },
                                          { NULL, 0, NULL, 0 } };
    const char *pub = NULL, *kind = NULL, *out = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        if (c == 'p')
            pub = optarg;
        else if (c == 'k')
            kind = optarg;
        else if (c == 'o')
            out = optarg;
        else
            return cli_usage(cli_find("keys"), 1);
    }
    const struct madi_kind *k = kind ? madi_kind_find(kind) : NULL;
    if (!pub || !k || !out || optind + 1 != argc)
        return cli_usage(cli_find("keys"), 1);
    char hex[65];
    if (read_public(pub, hex)) {
        (void)fprintf(stderr, "madi keys: cannot read the public key from %s\n", pub);
        return EXIT_USAGE;
    }
    struct madi_err err;
    madi_err_clear(&err);
    size_t nsealed = 0;
    int rc = madi_privacy_seal_csv(hex, k, argv[optind], out, &nsealed, &err);
    if (rc)
        return cli_fail(rc, &err);
    (void)printf("madi: wrote %s with %zu personal cell%s of %s sealed to the centre's key\n", out,
                 nsealed, nsealed == 1 ? "" : "s", k->name);
    return EXIT_OK_;
}

/* The subcommands that use the database (seal, for operators, does not). */
static const struct keys_sub {
    const char *name;
    unsigned open_flags;
    int (*run)(struct madi_store *s, const char *db, int pass, const char *by);
} keys_subs[] = {
    { "init", 0, keys_init },
    { "rotate", 0, keys_rotate },
    { "public", MADI_STORE_READONLY, keys_public },
};

int cmd_keys(int argc, char **argv)
{
    static const struct option opts[] = { { "db", required_argument, NULL, 'd' },
                                          { "passphrase-stdin", no_argument, NULL, 'P' },
                                          { "by", required_argument, NULL, 'b' },
                                          { NULL, 0, NULL, 0 } };
    if (cli_wants_help(argc, argv))
        return cli_usage(cli_find("keys"), 0);
    if (argc < 2) {
        (void)fprintf(stderr, "madi keys: say init, rotate, public or seal (see 'madi keys "
                              "--help')\n");
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "seal") == 0)
        return keys_seal(argc - 1, argv + 1);
    const struct keys_sub *sub = CLI_SUB(keys_subs, argv[1]);
    if (!sub) {
        (void)fprintf(stderr, "madi keys: '%s' is not init, rotate, public or seal\n", argv[1]);
        return EXIT_USAGE;
    }
    const char *db = NULL, *by = NULL;
    int pass = 0, c;
    optind = 1;
    while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
        if (c == 'd')
            db = optarg;
        else if (c == 'P')
            pass = 1;
        else if (c == 'b')
            by = optarg;
        else
            return cli_usage(cli_find("keys"), 1);
    }
    if (optind != argc - 1)
        return cli_usage(cli_find("keys"), 1);
    const char *path = cli_db_path(db);
    struct madi_store *s = NULL;
    int code = cli_open(path, sub->open_flags, &s);
    if (code)
        return code;
    code = sub->run(s, path, pass, by);
    madi_store_close(s);
    return code;
}
