/*
 * cli.h: what the subcommands share. The CLI is a thin client of include/madi: it parses
 * options, calls libmadi, prints, and chooses the exit code. No SQL and no business rules here.
 */
#ifndef MADI_CLI_H
#define MADI_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "madi/err.h"
#include "madi/import.h"
#include "madi/store.h"

/* Exit codes, as documented in `madi --help`. */
enum madi_exit {
    EXIT_OK_ = 0,      /* success */
    EXIT_REJECTED = 1, /* data was rejected */
    EXIT_USAGE = 2,    /* the command line was wrong */
    EXIT_IO = 3,       /* a file or the database failed */
    EXIT_INTERNAL = 4  /* a bug in madi */
};

enum cmd_flags {
    CMD_NEEDS_DB = 1 << 0, /* opens an existing database */
    CMD_WRITES = 1 << 1    /* changes the database */
};

struct cmd {
    const char *name;
    int (*run)(int argc, char **argv);
    unsigned flags;
    const char *summary;
    const char *usage; /* the --help text */
};

extern const struct cmd madi_commands[];
/* How the user invoked madi (argv[0]), for messages that suggest the next command. */
extern const char *cli_progname;

/* The database path: --db, else $MADI_DB, else madi.db. */
const char *cli_db_path(const char *opt);
/* Map a libmadi return code to an exit code. */
int cli_exit_for(int rc);
/* Print "madi: error: <msg>" for err (or the code's name) and return the exit code for rc. */
int cli_fail(int rc, const struct madi_err *err);
/* Print usage to stdout (for --help) and return 0, or to stderr with EXIT_USAGE. */
int cli_usage(const struct cmd *c, int to_stderr);
const struct cmd *cli_find(const char *name);
/* Open an existing database for reading or writing; prints the error itself. */
int cli_open(const char *path, unsigned flags, struct madi_store **out);
/* Print one diagnostic as file:line:col: level: message. */
void cli_print_diag(FILE *out, const struct madi_diag *d);
/*
 * For commands whose only option is --db: collect --db FILE (or --db=FILE, anywhere) and up to
 * `max` positional arguments into args[]. Returns -1 to go on, or the exit code to return now
 * (0 after printing --help; EXIT_USAGE for an unknown option or too many arguments).
 */
int cli_db_args(int argc, char **argv, const char *cmd, const char **db, char **args, int max,
                int *nargs);
/* An indicator value as people read it ("12.5%", "0.84", "1,234" ...; "-" when not computed). */
struct madi_ind_def;
struct madi_ind_cell;
void cli_ind_value(const struct madi_ind_def *d, const struct madi_ind_cell *c, char *out,
                   size_t n);
/* Today as yyyymmdd: $MADI_TODAY when set (tests), else the clock. */
int32_t cli_today(void);
/*
 * For commands with one read-only subcommand (`madi batch list`): take --db and that one word,
 * and open the database read-only into *s. Returns -1 to go on, or the exit code to return now.
 */
int cli_open_subcommand(int argc, char **argv, const char *cmd, const char *sub,
                        struct madi_store **s);
/* 1 if -h or --help is among the arguments (before any "--"). */
int cli_wants_help(int argc, char **argv);
/* The subcommand called `name` in `table` (n entries of `size` bytes, each starting with its
 * name as a const char *), or NULL; NULL name gives NULL. CLI_SUB takes the table itself. */
const void *cli_sub_find(const void *table, size_t n, size_t size, const char *name);
#define CLI_SUB(table, name) \
    cli_sub_find((table), sizeof(table) / sizeof((table)[0]), sizeof((table)[0]), (name))

struct madi_key;
/* The key file of database `db`: $MADI_KEY_FILE, else DB.key. Caller frees. */
char *cli_key_path(const char *db);
/* Who is acting, for the audit log: the login name, with `by` before it when given and other
 * ("ana (login jdoe)"). Borrowed, valid until the next call. */
const char *cli_actor(const char *by);
/* One line from standard input into guarded memory (sodium_free it). Returns an exit code. */
int cli_read_passphrase(char **out, size_t *n);
/*
 * A new password for account `name`: typed twice at the terminal without echo when standard
 * input is one, else one line of standard input. Guarded memory (sodium_free it). Returns an
 * exit code (the two typed differ: EXIT_USAGE, said).
 */
int cli_read_password(const char *name, char **out);
/*
 * The centre's key for database `db` (open as s): from a passphrase on standard input, or the
 * key file. With `required`, a missing or wrong key is an error (printed; exit code returned);
 * without, a missing key file leaves *k NULL. Caller frees *k with madi_key_free.
 */
int cli_load_key(struct madi_store *s, const char *db, int pass_stdin, int required,
                 struct madi_key **k);
/*
 * For commands that only write or check the audit log (erase, export, audit verify): find the
 * centre's key as cli_load_key does and check it, which gives the store the audit chain's key.
 * No key to be found is not an error here (the core then says what it cannot do without it); a
 * wrong key is. Returns an exit code.
 */
int cli_audit_key(struct madi_store *s, const char *db, int pass_stdin);

/* The subcommands, one file each (cmd_<name>.c), with their --help text beside them. */
#define MADI_CMD(name)                     \
    int cmd_##name(int argc, char **argv); \
    extern const char cmd_##name##_usage[];
MADI_CMD(init)
MADI_CMD(import)
MADI_CMD(template)
MADI_CMD(summary)
MADI_CMD(batch)
MADI_CMD(alias)
MADI_CMD(codes)
MADI_CMD(xlsform)
MADI_CMD(mapping)
MADI_CMD(export)
MADI_CMD(demo)
MADI_CMD(indicators)
MADI_CMD(quality)
MADI_CMD(attendance)
MADI_CMD(report)
MADI_CMD(help)
MADI_CMD(keys)
MADI_CMD(survivor)
MADI_CMD(referrals)
MADI_CMD(link)
MADI_CMD(audit)
MADI_CMD(erase)
MADI_CMD(serve)
MADI_CMD(user)
MADI_CMD(sql)

#endif
