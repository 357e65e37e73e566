/*
 * cmd_user.c: `madi user add|list|passwd|disable|enable|assign|unassign`: the accounts of the
 * server (madi serve), and the survivors each case worker may see.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "madi/auth.h"

#include "banned.h"
#include "cli.h"

const char cmd_user_usage[] =
        "usage: madi user add NAME --role ROLE [--org ORG] [--db FILE] [--by NAME]\n"
        "       madi user list [--db FILE]\n"
        "       madi user passwd NAME [--db FILE] [--by NAME]\n"
        "       madi user disable|enable NAME [--db FILE] [--by NAME]\n"
        "       madi user assign|unassign NAME SURVIVOR_ID... [--db FILE] [--by NAME]\n"
        "       (each change also takes --passphrase-stdin)\n"
        "\n"
        "The accounts people log in with to 'madi serve'. Each has one role:\n"
        "  operator    an operator's data officer: uploads and submits its own organisation's\n"
        "              reports and sees its own figures (needs --org, a code in the register)\n"
        "  reviewer    the centre's information officer: approves or returns submissions\n"
        "  analyst     the dashboard and reports: aggregates only, never a personal field\n"
        "  caseworker  victim assistance: the survivors assigned to them (assign)\n"
        "  admin       accounts and settings, and what a reviewer may do\n"
        "\n"
        "  add       create an account; the password is asked twice at the terminal (or read\n"
        "            as one line from standard input): 12 to 128 characters, not the name\n"
        "  list      every account: name, role, organisation, state, when it was created\n"
        "  passwd    set a new password; it unlocks the account and ends its sessions\n"
        "  disable   stop an account from logging in, ending its sessions; enable undoes it\n"
        "  assign    let case worker NAME see these survivors; unassign takes them back\n"
        "\n"
        "Every change is written to the audit log. When the log is keyed with the centre's key\n"
        "('madi keys init'), the key is needed: the key file ($MADI_KEY_FILE, else FILE.key),\n"
        "or a passphrase with --passphrase-stdin (then the first line of standard input is the\n"
        "passphrase and, for add and passwd, the next line the new password).\n"
        "\n"
        "Options:\n"
        "  --role ROLE  operator, reviewer, analyst, caseworker or admin (add)\n"
        "  --org ORG    the organisation an operator's account speaks for (add)\n"
        "  --by NAME    who makes the change, for the audit log (default: the login name)\n"
        "  --passphrase-stdin  the centre's key is a passphrase, read from standard input\n"
        "  --db FILE    the database (default: $MADI_DB, else madi.db)\n"
        "  -h, --help   show this help\n"
        "\n"
        "Exit status: 0 done, 1 the name is taken, 2 usage error (a weak password, an unknown\n"
        "role or organisation), 3 I/O or database error, or no such account.\n";

struct user_args {
    struct madi_store *s;
    const char *db, *role, *org, *by;
    char **rest; /* NAME and what follows */
    int nrest;
};

static int user_add(const struct user_args *a)
{
    struct madi_err err;
    char *pw = NULL;
    madi_err_clear(&err);
    if (a->nrest != 1 || !a->role) {
        (void)fprintf(stderr, "madi user add: say the name and the role: madi user add NAME "
                              "--role ROLE [--org ORG]\n");
        return EXIT_USAGE;
    }
    int role = madi_role_parse(a->role);
    if (role < 0) {
        (void)fprintf(stderr,
                      "madi user add: there is no role '%s' (operator, reviewer, analyst, "
                      "caseworker or admin)\n",
                      a->role);
        return EXIT_USAGE;
    }
    int code = cli_read_password(a->rest[0], &pw);
    if (code)
        return code;
    int rc = madi_user_add(a->s, a->rest[0], (enum madi_role)role, a->org, pw, cli_actor(a->by),
                           &err);
    sodium_free(pw);
    struct madi_user u;
    if (!rc)
        rc = madi_user_get(a->s, a->rest[0], &u, &err);
    if (rc)
        return cli_fail(rc, &err);
    if (*u.org)
        (void)printf("added %s, %s of %s\n", u.name, madi_role_name(u.role), u.org);
    else
        (void)printf("added %s, %s\n", u.name, madi_role_name(u.role));
    return EXIT_OK_;
}

static void print_user(void *ctx, const struct madi_user *u)
{
    const time_t *now = ctx;
    const char *state = u->disabled ? "disabled" : u->locked_until > *now ? "locked" : "active";
    (void)printf("%-20s %-10s %-12s %-8s %s\n", u->name, madi_role_name(u->role),
                 *u->org ? u->org : "-", state, u->created_at);
}

static int user_list(const struct user_args *a)
{
    struct madi_err err;
    int64_t n = 0;
    time_t now = time(NULL);
    madi_err_clear(&err);
    if (a->nrest) {
        (void)fprintf(stderr, "madi user list: takes no names (see 'madi user --help')\n");
        return EXIT_USAGE;
    }
    int rc = madi_user_count(a->s, &n, &err);
    if (!rc && !n) {
        (void)printf("no accounts yet: create the first administrator with 'madi user add NAME "
                     "--role admin'\n");
        return EXIT_OK_;
    }
    if (!rc) {
        (void)printf("%-20s %-10s %-12s %-8s %s\n", "name", "role", "organisation", "state",
                     "created");
        rc = madi_user_foreach(a->s, print_user, &now, &err);
    }
    return rc ? cli_fail(rc, &err) : EXIT_OK_;
}

static int user_passwd(const struct user_args *a)
{
    struct madi_err err;
    struct madi_user u;
    char *pw = NULL;
    madi_err_clear(&err);
    if (a->nrest != 1) {
        (void)fprintf(stderr, "madi user passwd: name one account\n");
        return EXIT_USAGE;
    }
    int rc = madi_user_get(a->s, a->rest[0], &u, &err); /* before asking for a password */
    if (rc)
        return cli_fail(rc, &err);
    int code = cli_read_password(a->rest[0], &pw);
    if (code)
        return code;
    rc = madi_user_passwd(a->s, a->rest[0], pw, cli_actor(a->by), &err);
    sodium_free(pw);
    if (rc)
        return cli_fail(rc, &err);
    (void)printf("new password set for %s; its sessions were ended\n", a->rest[0]);
    return EXIT_OK_;
}

static int user_disable_enable(const struct user_args *a, int disabled)
{
    struct madi_err err;
    madi_err_clear(&err);
    if (a->nrest != 1) {
        (void)fprintf(stderr, "madi user %s: name one account\n", disabled ? "disable" : "enable");
        return EXIT_USAGE;
    }
    int rc = madi_user_disable(a->s, a->rest[0], disabled, cli_actor(a->by), &err);
    if (rc)
        return cli_fail(rc, &err);
    (void)printf("%s is %s\n", a->rest[0],
                 disabled ? "disabled (and logged out)" : "enabled: it can log in again");
    return EXIT_OK_;
}

static int user_disable(const struct user_args *a)
{
    return user_disable_enable(a, 1);
}

static int user_enable(const struct user_args *a)
{
    return user_disable_enable(a, 0);
}

static int user_assign_unassign(const struct user_args *a, int on)
{
    struct madi_err err;
    int worst = EXIT_OK_;
    if (a->nrest < 2) {
        (void)fprintf(stderr, "madi user %s: name the case worker and at least one survivor id\n",
                      on ? "assign" : "unassign");
        return EXIT_USAGE;
    }
    for (int i = 1; i < a->nrest; i++) {
        madi_err_clear(&err);
        int rc = madi_assign(a->s, a->rest[0], a->rest[i], on, cli_actor(a->by), &err);
        if (rc) {
            int code = cli_fail(rc, &err);
            worst = code > worst ? code : worst;
            if (rc != MADI_ENOTFOUND)
                break; /* the same would go wrong for the others */
            continue;
        }
        (void)printf("%s %s %s\n", a->rest[i], on ? "assigned to" : "no longer assigned to",
                     a->rest[0]);
    }
    return worst;
}

static int user_assign(const struct user_args *a)
{
    return user_assign_unassign(a, 1);
}

static int user_unassign(const struct user_args *a)
{
    return user_assign_unassign(a, 0);
}

static const struct user_sub {
    const char *name;
    int writes;
    int (*run)(const struct user_args *a);
} user_subs[] = {
    { "add", 1, user_add },           { "list", 0, user_list },     { "passwd", 1, user_passwd },
    { "disable", 1, user_disable },   { "enable", 1, user_enable }, { "assign", 1, user_assign },
    { "unassign", 1, user_unassign },
};

int cmd_user(int argc, char **argv)
{
    static const struct option opts[] = {
        { "db", required_argument, NULL, 'd' },         { "role", required_argument, NULL, 'r' },
        { "org", required_argument, NULL, 'o' },        { "by", required_argument, NULL, 'b' },
        { "passphrase-stdin", no_argument, NULL, 'P' }, { NULL, 0, NULL, 0 }
    };
    struct user_args a = { NULL, NULL, NULL, NULL, NULL, NULL, 0 };
    int pass = 0;
    const struct user_sub *sub = NULL;
    int c;
    if (cli_wants_help(argc, argv))
        return cli_usage(cli_find("user"), 0);
    sub = CLI_SUB(user_subs, argc >= 2 ? argv[1] : NULL);
    if (!sub) {
        (void)fprintf(stderr, "madi user: say add, list, passwd, disable, enable, assign or "
                              "unassign (see 'madi user --help')\n");
        return EXIT_USAGE;
    }
    argc--;
    argv++;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd')
            a.db = optarg;
        else if (c == 'r')
            a.role = optarg;
        else if (c == 'o')
            a.org = optarg;
        else if (c == 'b')
            a.by = optarg;
        else if (c == 'P')
            pass = 1;
        else
            return cli_usage(cli_find("user"), 1);
    }
    if ((a.role || a.org) && sub->run != user_add) {
        (void)fprintf(stderr, "madi user %s: --role and --org are for 'madi user add'\n",
                      sub->name);
        return EXIT_USAGE;
    }
    a.rest = argv + optind;
    a.nrest = argc - optind;
    a.db = cli_db_path(a.db);
    int code = cli_open(a.db, sub->writes ? 0 : MADI_STORE_READONLY, &a.s);
    if (code)
        return code;
    if (sub->writes) /* a keyed audit log needs the key to append; the passphrase comes first */
        code = cli_audit_key(a.s, a.db, pass);
    if (!code)
        code = sub->run(&a);
    madi_store_close(a.s);
    return code;
}
