/*
 * keys_cli.c: how the commands find the centre's key: a passphrase read from standard input
 * (--passphrase-stdin), else the key file named by $MADI_KEY_FILE, else DB.key beside the
 * database. The passphrase is held in libsodium's guarded memory and wiped after use.
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "madi/privacy.h"

#include "banned.h"
#include "cli.h"

#define MAX_PASSPHRASE 1024

char *cli_key_path(const char *db)
{
    const char *env = getenv("MADI_KEY_FILE");
    if (env && *env)
        return strdup(env);
    size_t n = strlen(db) + 5;
    char *p = malloc(n);
    if (p)
        (void)snprintf(p, n, "%s.key", db);
    return p;
}

const char *cli_actor(const char *by)
{
    static char actor[320];
    struct passwd *pw = getpwuid(getuid());
    const char *login = pw && pw->pw_name ? pw->pw_name : "unknown";
    if (!by || !*by || strcmp(by, login) == 0)
        return login;
    /* The login name beside the name given, so that --by alone cannot pass for someone else. */
    (void)snprintf(actor, sizeof(actor), "%s (login %s)", by, login);
    return actor;
}

/* One line from standard input into guarded memory; `what` names it in messages. */
static int read_secret_line(const char *what, char **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (sodium_init() < 0)
        return EXIT_INTERNAL;
    char *p = sodium_malloc(MAX_PASSPHRASE + 1);
    if (!p)
        return EXIT_INTERNAL;
    size_t len = 0;
    char c = 0;
    /* A byte at a time from the descriptor: no stdio buffer keeps a copy of the passphrase. */
    int more = 0;
    while (read(STDIN_FILENO, &c, 1) == 1 && c != '\n') {
        if (len == MAX_PASSPHRASE) {
            more = 1; /* read to the end of the line, keep nothing more */
            continue;
        }
        p[len++] = c;
    }
    sodium_memzero(&c, sizeof(c));
    if (more) {
        sodium_free(p);
        (void)fprintf(stderr,
                      "madi: error: the %s is longer than %d bytes; madi does not "
                      "cut it short (a shorter one would not be the one you typed)\n",
                      what, MAX_PASSPHRASE);
        return EXIT_USAGE;
    }
    while (len && p[len - 1] == '\r')
        len--;
    p[len] = '\0';
    if (!len) {
        sodium_free(p);
        (void)fprintf(stderr, "madi: error: no %s on standard input\n", what);
        return EXIT_USAGE;
    }
    *out = p;
    *n = len;
    return EXIT_OK_;
}

int cli_read_passphrase(char **out, size_t *n)
{
    return read_secret_line("passphrase", out, n);
}

int cli_read_password(const char *name, char **out)
{
    size_t n = 0, n2 = 0;
    char *again = NULL;
    struct termios old, quiet;
    *out = NULL;
    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &old) != 0)
        return read_secret_line("password", out, &n);
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    (void)fprintf(stderr, "new password for %s: ", name);
    (void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    int code = read_secret_line("password", out, &n);
    (void)fputc('\n', stderr);
    if (!code) {
        (void)fprintf(stderr, "the same password again: ");
        code = read_secret_line("password", &again, &n2);
        (void)fputc('\n', stderr);
    }
    (void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    if (!code && (n != n2 || sodium_memcmp(*out, again, n) != 0)) {
        (void)fprintf(stderr, "madi: error: the two passwords differ; nothing was changed (try "
                              "again)\n");
        code = EXIT_USAGE;
    }
    if (again)
        sodium_free(again);
    if (code && *out) {
        sodium_free(*out);
        *out = NULL;
    }
    return code;
}

/* A key error, when 'madi keys rotate' was interrupted: the new key may be the one that opens
 * the data now. Said after the error itself. */
static void left_from_rotation(const char *path)
{
    size_t n = strlen(path) + 5;
    char *p = malloc(n);
    if (!p)
        return;
    (void)snprintf(p, n, "%s.new", path);
    if (access(p, F_OK) == 0)
        (void)fprintf(stderr,
                      "madi: note: %s is left from an interrupted 'madi keys rotate'. If the "
                      "rotation went through, that is the database's key now: check with "
                      "MADI_KEY_FILE=%s madi keys public --db DB, and if that works, keep %s "
                      "as %s.old and move %s to %s; if it does not, delete %s\n",
                      p, p, path, path, p, path, p);
    free(p);
}

int cli_load_key(struct madi_store *s, const char *db, int pass_stdin, int required,
                 struct madi_key **k)
{
    struct madi_err err;
    int rc;
    madi_err_clear(&err);
    *k = NULL;
    if (pass_stdin) {
        char *pass = NULL;
        size_t n = 0;
        int code = cli_read_passphrase(&pass, &n);
        if (code)
            return code;
        rc = madi_privacy_passphrase_key(s, pass, n, k, &err);
        sodium_free(pass);
        return rc ? cli_fail(rc, &err) : EXIT_OK_;
    }
    char *path = cli_key_path(db);
    if (!path)
        return EXIT_INTERNAL;
    rc = madi_key_read_file(path, k, &err);
    if (rc == MADI_ENOTFOUND && !required) {
        free(path);
        return EXIT_OK_;
    }
    if (rc == MADI_ENOTFOUND)
        (void)madi_err_set(&err, MADI_ENOTFOUND,
                           "no key file at %s: point MADI_KEY_FILE at the centre's key file, use "
                           "--passphrase-stdin for a passphrase key, or create a key with 'madi "
                           "keys init --db %s'",
                           path, db);
    if (!rc && required)
        rc = madi_privacy_check(s, *k, &err);
    if (rc) {
        left_from_rotation(path);
        free(path);
        madi_key_free(*k);
        *k = NULL;
        return cli_fail(rc, &err);
    }
    free(path);
    return EXIT_OK_;
}

int cli_audit_key(struct madi_store *s, const char *db, int pass_stdin)
{
    struct madi_key *k = NULL;
    if (!madi_privacy_has_key(s))
        return EXIT_OK_;
    int code = cli_load_key(s, db, pass_stdin, pass_stdin, &k);
    if (!code && k && !pass_stdin) {
        struct madi_err err;
        madi_err_clear(&err);
        int rc = madi_privacy_check(s, k, &err); /* attaches the audit key */
        if (rc)
            code = cli_fail(rc, &err);
    }
    madi_key_free(k);
    return code;
}
