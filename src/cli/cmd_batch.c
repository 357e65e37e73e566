/*
 * cmd_batch.c: `madi batch list|submit|approve|return|show|preview`: the import batches (file,
 * SHA-256, time and who of every record), and the review workflow of operators' files: a file
 * submitted is checked and kept, and reaches the figures only when a reviewer approves it.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "madi/batch.h"
#include "madi/kind.h"
#include "madi/privacy.h"
#include "madi/submission.h"

#include "banned.h"
#include "cli.h"

const char cmd_batch_usage[] =
        "usage: madi batch list [--db FILE]\n"
        "       madi batch submit FILE [--org ORG] [--replace BATCH] [--kind KIND]\n"
        "                         [--sheet NAME] [--db FILE] [--by NAME] [--passphrase-stdin]\n"
        "       madi batch approve ID [--comment TEXT] [--db FILE] [--by NAME]\n"
        "                         [--passphrase-stdin]\n"
        "       madi batch return ID --comment TEXT [--db FILE] [--by NAME]\n"
        "                         [--passphrase-stdin]\n"
        "       madi batch show ID [--db FILE]\n"
        "       madi batch preview ID [--db FILE] [--passphrase-stdin]\n"
        "\n"
        "  list     the import batches: every record in madi knows the batch it came in (file\n"
        "           name, SHA-256 of its content, when, who). A batch replaced by a corrected\n"
        "           file is listed as replaced, with the batch that replaced it. Then the\n"
        "           submissions waiting: drafts and those submitted for review\n"
        "  submit   check FILE as 'madi import --dry-run' does and keep it, with every\n"
        "           problem, as a submission; when it has no errors, submit it for review.\n"
        "           Nothing reaches the figures until it is approved. With --org, every\n"
        "           record must be that organisation's\n"
        "  approve  import a submitted file, in one transaction, as its organisation's\n"
        "           batch (the uploader recorded as its importer); approved data is locked\n"
        "  return   send a submitted file back to its organisation, saying what to fix\n"
        "  show     one submission, its state and every problem found in it\n"
        "  preview  what approving would add, and the quality findings it would bring; the\n"
        "           database is not changed\n"
        "\n"
        "Options:\n"
        "  --org ORG           the file is organisation ORG's (an operator's): a row of\n"
        "                      another organisation is an error at its cell\n"
        "  --replace BATCH     the file corrects batch BATCH; on approval that batch is kept\n"
        "                      as replaced\n"
        "  --kind KIND, --sheet NAME  as for 'madi import'\n"
        "  --comment TEXT      the reviewer's comment (required to return)\n"
        "  --by NAME           who acts (default: the login name)\n"
        "  --passphrase-stdin  the centre's key is a passphrase, read from standard input\n"
        "                      (else the key file $MADI_KEY_FILE, or FILE.key): needed for\n"
        "                      files with personal fields, and when the audit log is keyed\n"
        "  --db FILE           the database (default: $MADI_DB, else madi.db)\n"
        "  -h, --help          show this help\n"
        "\n"
        "Exit status: 0 done, 1 the file was rejected (or the submission is not in a state\n"
        "for that step), 2 usage error, 3 I/O or database error, or no such submission.\n";

struct batch_args {
    struct madi_store *s;
    const char *db, *org, *kind, *sheet, *by, *comment;
    int64_t replace;
    int pass;
    char **rest;
    int nrest;
};

/* ---- list ---- */

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

static void print_waiting(void *ctx, const struct madi_submission *m)
{
    int *n = ctx;
    if (m->state != MADI_SUB_DRAFT && m->state != MADI_SUB_SUBMITTED)
        return;
    if (!(*n)++)
        (void)printf("\nsubmissions waiting:\n%5s  %-9s %-12s %-16s %8s %6s  %-20s %-12s  %s\n",
                     "sub", "state", "organisation", "kind", "rows", "errors", "uploaded at", "by",
                     "file");
    (void)printf("%5lld  %-9s %-12s %-16s %8lld %6lld  %-20s %-12s  %s\n", (long long)m->id,
                 madi_sub_state_name(m->state), *m->org ? m->org : "(centre)",
                 *m->kind ? m->kind : "?", (long long)m->rows, (long long)m->errors, m->uploaded_at,
                 m->uploaded_by, m->file_name);
}

static int batch_list(struct batch_args *a)
{
    struct madi_err err;
    int n = 0;
    madi_err_clear(&err);
    (void)printf("%5s  %-16s %8s %5s  %-20s %-12s %-12s  %s\n", "batch", "kind", "rows", "warn",
                 "imported at", "by", "sha256", "file");
    int rc = madi_batch_foreach(a->s, print_batch, NULL, &err);
    if (!rc)
        rc = madi_sub_foreach(a->s, NULL, -1, print_waiting, &n, &err);
    return rc ? cli_fail(rc, &err) : EXIT_OK_;
}

/* ---- the key, for personal kinds and a keyed audit log ---- */

static int load_key(struct batch_args *a, struct madi_key **k)
{
    struct madi_err err;
    madi_err_clear(&err);
    int code = cli_load_key(a->s, a->db, a->pass, 0, k);
    if (code || !*k || !madi_privacy_has_key(a->s))
        return code;
    int rc = madi_privacy_check(a->s, *k, &err); /* gives the store the audit log's key */
    if (rc) {
        madi_key_free(*k);
        *k = NULL;
        return cli_fail(rc, &err);
    }
    return EXIT_OK_;
}

static void on_diag(void *ctx, const struct madi_diag *d)
{
    (void)ctx;
    cli_print_diag(stderr, d);
}

struct sub_copy {
    int state;
    int64_t batch, replaces;
    char org[65];
};

static void copy_sub(void *ctx, const struct madi_submission *m)
{
    struct sub_copy *c = ctx;
    c->state = (int)m->state;
    c->batch = m->batch;
    c->replaces = m->replaces;
    (void)snprintf(c->org, sizeof(c->org), "%s", m->org);
}

/* ---- submit ---- */

static int batch_submit(struct batch_args *a)
{
    struct madi_err err;
    struct madi_import_result res;
    struct madi_key *key = NULL;
    struct sub_copy sc = { -1, 0, 0, "" };
    int64_t id = 0;
    madi_err_clear(&err);
    if (a->nrest != 1) {
        (void)fprintf(stderr, "madi batch submit: name one file (see 'madi batch --help')\n");
        return EXIT_USAGE;
    }
    int code = load_key(a, &key);
    if (code)
        return code;
    const char *who = cli_actor(a->by);
    struct madi_sub_upload u = { 0 };
    u.path = a->rest[0];
    u.file_name = a->rest[0];
    u.org = a->org;
    u.who = who;
    u.replaces = a->replace;
    u.kind = a->kind;
    u.sheet = a->sheet;
    u.key = key;
    u.today = cli_today();
    int rc = madi_sub_upload(a->s, &u, on_diag, NULL, &id, &res, &err);
    if (!rc)
        rc = madi_sub_get(a->s, id, copy_sub, &sc, &err);
    if (!rc && sc.state == MADI_SUB_DRAFT)
        rc = madi_sub_submit(a->s, id, who, &err);
    madi_key_free(key);
    if (rc)
        return cli_fail(rc, &err);
    const char *name = a->rest[0], *kind = res.kind ? res.kind : "?";
    if (sc.state == MADI_SUB_INVALID) {
        (void)printf("%s: rejected: %lu error%s in %llu row%s; kept as submission %lld but not "
                     "submitted (fix what the messages point at, then submit the file again)\n",
                     name, res.errors, res.errors == 1 ? "" : "s", res.rows,
                     res.rows == 1 ? "" : "s", (long long)id);
        return EXIT_REJECTED;
    }
    (void)printf("%s: %llu %s row%s checked%s as submission %lld; nothing is in the figures "
                 "until a reviewer approves it ('madi batch approve %lld')\n",
                 name, res.rows, kind, res.rows == 1 ? "" : "s",
                 sc.state == MADI_SUB_DRAFT ? " and submitted for review" : ", already submitted",
                 (long long)id, (long long)id);
    return EXIT_OK_;
}

/* ---- approve, return ---- */

static int parse_id(const char *cmd, struct batch_args *a, int64_t *id)
{
    char *end = NULL;
    long long v = a->nrest == 1 ? strtoll(a->rest[0], &end, 10) : 0;
    if (a->nrest != 1 || !end || *end || v <= 0) {
        (void)fprintf(stderr, "madi batch %s: give one submission number (see 'madi batch list')\n",
                      cmd);
        return EXIT_USAGE;
    }
    *id = v;
    return EXIT_OK_;
}

static int batch_approve(struct batch_args *a)
{
    struct madi_err err;
    struct madi_import_result res;
    struct madi_key *key = NULL;
    struct sub_copy sc = { -1, 0, 0, "" };
    int64_t id = 0;
    madi_err_clear(&err);
    int code = parse_id("approve", a, &id);
    if (!code)
        code = load_key(a, &key);
    if (code)
        return code;
    int rc = madi_sub_approve(a->s, id, cli_actor(a->by), a->comment, key, cli_today(), on_diag,
                              NULL, &res, &err);
    madi_key_free(key);
    if (!rc)
        rc = madi_sub_get(a->s, id, copy_sub, &sc, &err);
    if (rc)
        return cli_fail(rc, &err);
    if (res.sheets)
        (void)printf("submission %lld approved: %llu rows from %lu sheets imported, a batch each, "
                     "from batch %lld",
                     (long long)id, res.rows, res.sheets, (long long)res.batch);
    else
        (void)printf("submission %lld approved: %llu %s row%s imported as batch %lld",
                     (long long)id, res.rows, res.kind ? res.kind : "?", res.rows == 1 ? "" : "s",
                     (long long)res.batch);
    if (sc.replaces)
        (void)printf("; batch %lld is kept, as replaced", (long long)sc.replaces);
    (void)printf("\n");
    return EXIT_OK_;
}

static int batch_return(struct batch_args *a)
{
    struct madi_err err;
    struct sub_copy sc = { -1, 0, 0, "" };
    int64_t id = 0;
    madi_err_clear(&err);
    int code = parse_id("return", a, &id);
    if (code)
        return code;
    if (!a->comment) {
        (void)fprintf(stderr, "madi batch return: say what to fix with --comment TEXT\n");
        return EXIT_USAGE;
    }
    struct madi_key *key = NULL;
    code = load_key(a, &key); /* a keyed audit log needs it */
    madi_key_free(key);
    if (code)
        return code;
    int rc = madi_sub_return(a->s, id, cli_actor(a->by), a->comment, &err);
    if (!rc)
        rc = madi_sub_get(a->s, id, copy_sub, &sc, &err);
    if (rc)
        return cli_fail(rc, &err);
    (void)printf("submission %lld returned to %s with your comment\n", (long long)id,
                 *sc.org ? sc.org : "the centre");
    return EXIT_OK_;
}

/* ---- show, preview ---- */

static void print_sub(void *ctx, const struct madi_submission *m)
{
    (void)ctx;
    (void)printf("submission %lld: %s\n", (long long)m->id, madi_sub_state_name(m->state));
    (void)printf("%-13s %s\n", "organisation", *m->org ? m->org : "(the centre)");
    (void)printf("%-13s %s (sha256 %.12s)\n", "file", m->file_name, m->sha256);
    (void)printf("%-13s %s, %lld row%s, %lld error%s, %lld warning%s\n", "kind",
                 *m->kind ? m->kind : "not recognised", (long long)m->rows, m->rows == 1 ? "" : "s",
                 (long long)m->errors, m->errors == 1 ? "" : "s", (long long)m->warnings,
                 m->warnings == 1 ? "" : "s");
    (void)printf("%-13s %s by %s\n", "uploaded", m->uploaded_at, m->uploaded_by);
    if (*m->submitted_at)
        (void)printf("%-13s %s\n", "submitted", m->submitted_at);
    if (*m->reviewed_at)
        (void)printf("%-13s %s by %s\n", "reviewed", m->reviewed_at, m->reviewed_by);
    if (*m->comment)
        (void)printf("%-13s %s\n", "comment", m->comment);
    if (m->replaces)
        (void)printf("%-13s batch %lld\n", "replaces", (long long)m->replaces);
    if (m->batch)
        (void)printf("%-13s %lld\n", "batch", (long long)m->batch);
}

static void print_finding(void *ctx, const struct madi_diag *d)
{
    int *n = ctx;
    if (!(*n)++)
        (void)printf("\nfindings:\n");
    cli_print_diag(stdout, d);
}

static int batch_show(struct batch_args *a)
{
    struct madi_err err;
    int64_t id = 0;
    int n = 0;
    madi_err_clear(&err);
    int code = parse_id("show", a, &id);
    if (code)
        return code;
    int rc = madi_sub_get(a->s, id, print_sub, NULL, &err);
    if (!rc)
        rc = madi_sub_diags(a->s, id, print_finding, &n, &err);
    if (!rc && !n)
        (void)printf("\nno findings\n");
    return rc ? cli_fail(rc, &err) : EXIT_OK_;
}

static void print_quality(void *ctx, const struct madi_qfinding *f)
{
    static const char *const checks[] = { "completeness", "consistency", "zero-blank", "outlier" };
    static const char *const levels[] = { "info", "warning", "problem" };
    int *n = ctx;
    if (!(*n)++)
        (void)printf("\nquality findings it would bring:\n");
    (void)printf("  %-7s %-12s %-15s %s%s%s\n", levels[f->level], checks[f->check], f->kind,
                 *f->record ? f->record : "", *f->record ? ": " : "", f->what);
    (void)printf("  %-7s %-12s %-15s fix: %s\n", "", "", "", f->fix);
}

static int batch_preview(struct batch_args *a)
{
    struct madi_err err;
    struct madi_import_result res;
    struct madi_key *key = NULL;
    int64_t id = 0;
    int n = 0;
    madi_err_clear(&err);
    int code = parse_id("preview", a, &id);
    if (!code)
        code = load_key(a, &key);
    if (code)
        return code;
    int rc = madi_sub_preview(a->s, id, key, cli_today(), &res, print_quality, &n, &err);
    madi_key_free(key);
    if (rc)
        return cli_fail(rc, &err);
    if (!n)
        (void)printf("\nno new quality findings\n");
    (void)printf("\napproving submission %lld would add %llu %s row%s (nothing was changed)\n",
                 (long long)id, res.rows, res.kind ? res.kind : "?", res.rows == 1 ? "" : "s");
    return EXIT_OK_;
}

static const struct batch_sub {
    const char *name;
    int writes;
    int (*run)(struct batch_args *a);
} batch_subs[] = {
    { "list", 0, batch_list },     { "submit", 1, batch_submit }, { "approve", 1, batch_approve },
    { "return", 1, batch_return }, { "show", 0, batch_show },     { "preview", 0, batch_preview },
};

int cmd_batch(int argc, char **argv)
{
    static const struct option opts[] = { { "db", required_argument, NULL, 'd' },
                                          { "org", required_argument, NULL, 'o' },
                                          { "replace", required_argument, NULL, 'r' },
                                          { "kind", required_argument, NULL, 'k' },
                                          { "sheet", required_argument, NULL, 's' },
                                          { "by", required_argument, NULL, 'b' },
                                          { "comment", required_argument, NULL, 'c' },
                                          { "passphrase-stdin", no_argument, NULL, 'P' },
                                          { NULL, 0, NULL, 0 } };
    struct batch_args a;
    const struct batch_sub *sub = NULL;
    int c;
    memset(&a, 0, sizeof(a));
    if (cli_wants_help(argc, argv))
        return cli_usage(cli_find("batch"), 0);
    sub = CLI_SUB(batch_subs, argc >= 2 ? argv[1] : NULL);
    if (!sub) {
        (void)fprintf(stderr, "madi batch: say list, submit, approve, return, show or preview "
                              "(see 'madi batch --help')\n");
        return EXIT_USAGE;
    }
    argc--;
    argv++;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            a.db = optarg;
            break;
        case 'o':
            a.org = optarg;
            break;
        case 'k':
            if (!madi_kind_find(optarg)) {
                (void)fprintf(stderr,
                              "madi batch: there is no kind '%s' ('madi template --list' shows "
                              "the kinds)\n",
                              optarg);
                return EXIT_USAGE;
            }
            a.kind = optarg;
            break;
        case 's':
            a.sheet = optarg;
            break;
        case 'b':
            a.by = optarg;
            break;
        case 'c':
            a.comment = optarg;
            break;
        case 'P':
            a.pass = 1;
            break;
        case 'r': {
            char *end = NULL;
            long long v = strtoll(optarg, &end, 10);
            if (!end || *end || v <= 0) {
                (void)fprintf(stderr, "madi batch: --replace takes a batch number (see 'madi "
                                      "batch list')\n");
                return EXIT_USAGE;
            }
            a.replace = v;
            break;
        }
        default:
            return cli_usage(cli_find("batch"), 1);
        }
    }
    a.rest = argv + optind;
    a.nrest = argc - optind;
    if (sub->run == batch_list && a.nrest) {
        (void)fprintf(stderr, "madi batch list: unexpected argument '%s'\n", a.rest[0]);
        return cli_usage(cli_find("batch"), 1);
    }
    a.db = cli_db_path(a.db);
    /* preview reads only, but the import it tries out runs on a copy that needs the schema of
     * this madi: open for writing, so an older database is upgraded first. */
    int code = cli_open(a.db, sub->writes || sub->run == batch_preview ? 0 : MADI_STORE_READONLY,
                        &a.s);
    if (code)
        return code;
    code = sub->run(&a);
    madi_store_close(a.s);
    return code;
}
