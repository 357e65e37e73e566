/*
 * cmd_import.c: `madi import FILE...`: each file is checked and stored as one batch, or
 * rejected whole with every problem listed as file:line:column.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "madi/catalog.h"
#include "madi/import.h"
#include "madi/kind.h"
#include "madi/privacy.h"
#include "madi/store.h"
#include "madi/xlsx.h"

#include "banned.h"
#include "cli.h"

const char cmd_import_usage[] =
        "usage: madi import [--db FILE] [--kind KIND] [--mapping FILE] [--sheet NAME]\n"
        "                   [--header-row N] [--dry-run] [--replace BATCH] [--errors text|json]\n"
        "                   [--by NAME] [--passphrase-stdin] [--quiet] FILE...\n"
        "\n"
        "Check operator reports (CSV: comma, semicolon or tab; UTF-8 with or without BOM; or a\n"
        "spreadsheet, .xlsx or .ods) and store each file as one batch. A file with any error is\n"
        "rejected whole: nothing from it is stored, and every problem is listed as\n"
        "FILE:LINE:COLUMN: error: what (what to do), or FILE:SHEET!CELL: for a workbook.\n"
        "Importing the same file again changes nothing. The database is created if missing.\n"
        "\n"
        "Options:\n"
        "  --db FILE        the database (default: $MADI_DB, else madi.db)\n"
        "  --kind KIND      what the file holds (default: recognised from the header);\n"
        "                   'madi template --list' shows the kinds\n"
        "  --sheet NAME     for a workbook: the sheet to read (default: the first visible)\n"
        "  --mapping FILE   a mapping profile for this source ('madi mapping learn')\n"
        "  --header-row N   the header is on line (or sheet row) N; by default madi finds it\n"
        "                   below a title block, within the first 30 rows\n"
        "  --dry-run        check only; write nothing\n"
        "  --replace BATCH  the file corrects batch BATCH: its records are replaced\n"
        "  --errors FORMAT  text (default, on stderr) or json (one document on stdout)\n"
        "  --by NAME        who is importing (default: the login name)\n"
        "  --passphrase-stdin  the centre's key is a passphrase, read from standard input;\n"
        "                   otherwise survivor, need and referral files (personal fields,\n"
        "                   encrypted before they are stored) use the key file\n"
        "                   $MADI_KEY_FILE, else FILE.key beside the database\n"
        "  -q, --quiet      print errors only, not warnings or progress\n"
        "  -h, --help       show this help\n"
        "\n"
        "Exit status: 0 all files stored or already there, 1 a file was rejected,\n"
        "2 usage error, 3 I/O or database error.\n";

struct import_ui {
    int json, quiet, tty;
    json_t *diags;
    struct timespec start;
    int progress_shown;
    const char *name;
};

/* A JSON string from text that may not be valid UTF-8 (a file name, a cell): bytes that are
 * not become '?', so nothing is ever dropped from the output. */
static json_t *jstr(const char *s)
{
    json_t *j = json_string(s);
    if (j)
        return j;
    size_t n = strlen(s);
    char *t = malloc(n + 1);
    if (!t)
        return json_string("?");
    for (size_t i = 0; i < n; i++)
        t[i] = (unsigned char)s[i] < 0x80 ? s[i] : '?';
    t[n] = '\0';
    j = json_string(t);
    free(t);
    return j ? j : json_string("?");
}

static void on_diag(void *ctx, const struct madi_diag *d)
{
    struct import_ui *ui = ctx;
    if (ui->quiet && d->level != MADI_DIAG_ERROR)
        return;
    if (ui->json) {
        static const char *const level[] = { "error", "warning", "note" };
        json_t *o = json_object();
        (void)json_object_set_new(o, "level", json_string(level[d->level]));
        (void)json_object_set_new(o, "file", jstr(d->file));
        (void)json_object_set_new(o, "line", json_integer((json_int_t)d->line));
        (void)json_object_set_new(o, "column", json_integer((json_int_t)d->col));
        if (d->field)
            (void)json_object_set_new(o, "field", jstr(d->field));
        (void)json_object_set_new(o, "message", jstr(d->msg));
        if (d->sheet) /* the sheet (or repeat table) the finding is in */
            (void)json_object_set_new(o, "sheet", jstr(d->sheet));
        if (d->sheet && d->line && d->col) {
            char cell[32], col[8];
            madi_xlsx_column_name(d->col, col);
            (void)snprintf(cell, sizeof(cell), "%s%lu", col, d->line);
            (void)json_object_set_new(o, "cell", json_string(cell));
        }
        (void)json_array_append_new(ui->diags, o);
        return;
    }
    if (ui->progress_shown) {
        (void)fputs("\r\033[K", stderr);
        ui->progress_shown = 0;
    }
    cli_print_diag(stderr, d);
}

static void on_progress(void *ctx, unsigned long long done, unsigned long long total,
                        unsigned long long rows)
{
    struct import_ui *ui = ctx;
    struct timespec now;
    if (!ui->tty || ui->quiet || ui->json)
        return;
    (void)clock_gettime(CLOCK_MONOTONIC, &now);
    double secs = (double)(now.tv_sec - ui->start.tv_sec) +
                  (double)(now.tv_nsec - ui->start.tv_nsec) / 1e9;
    if (secs < 1.0)
        return;
    if (total)
        (void)fprintf(stderr, "\r%s: %3d%%, %llu rows, %.0f rows/s", ui->name,
                      (int)(100.0 * (double)done / (double)total), rows, (double)rows / secs);
    else
        (void)fprintf(stderr, "\r%s: %llu rows", ui->name, rows);
    ui->progress_shown = 1;
}

static const char *status_word(enum madi_import_status st)
{
    switch (st) {
    case MADI_IMPORT_STORED:
        return "stored";
    case MADI_IMPORT_UNCHANGED:
        return "unchanged";
    case MADI_IMPORT_CHECKED:
        return "checked";
    case MADI_IMPORT_REJECTED:
        return "rejected";
    }
    return "?";
}

static void report_text(const char *name, int rc, const struct madi_import_result *r,
                        const struct madi_err *err)
{
    switch (rc == MADI_OK || rc == MADI_EREJECTED ? (int)r->status : -1) {
    case MADI_IMPORT_STORED:
        if (r->sheets)
            (void)printf("%s: imported %llu row%s from %lu sheet%s, a batch each, from batch %lld",
                         name, r->rows, r->rows == 1 ? "" : "s", r->sheets,
                         r->sheets == 1 ? "" : "s", (long long)r->batch);
        else
            (void)printf("%s: imported %llu %s row%s as batch %lld", name, r->rows, r->kind,
                         r->rows == 1 ? "" : "s", (long long)r->batch);
        if (r->warnings)
            (void)printf(" (%lu warning%s)", r->warnings, r->warnings == 1 ? "" : "s");
        if (r->updated)
            (void)printf("; %lu entr%s already registered updated", r->updated,
                         r->updated == 1 ? "y" : "ies");
        if (r->already)
            (void)printf("; %lu submission%s already imported from an earlier export, skipped",
                         r->already, r->already == 1 ? "" : "s");
        if (r->rejected_submissions)
            (void)printf("; %lu submission%s rejected by reviewers in the tool, skipped",
                         r->rejected_submissions, r->rejected_submissions == 1 ? "" : "s");
        if (r->identical)
            (void)printf("; %lu row%s identical to an earlier one, kept as different people",
                         r->identical, r->identical == 1 ? "" : "s");
        (void)printf("\n");
        break;
    case MADI_IMPORT_UNCHANGED:
        if (r->sheets) {
            (void)printf("%s: already imported (%lu sheet%s, from batch %lld); nothing changed\n",
                         name, r->sheets, r->sheets == 1 ? "" : "s", (long long)r->batch);
            break;
        }
        (void)printf("%s: already imported as batch %lld; nothing changed (to load a corrected "
                     "version, use --replace %lld)\n",
                     name, (long long)r->batch, (long long)r->batch);
        break;
    case MADI_IMPORT_CHECKED:
        (void)printf("%s: %llu %s row%s checked, no errors (dry run: nothing written)\n", name,
                     r->rows, r->kind, r->rows == 1 ? "" : "s");
        break;
    case MADI_IMPORT_REJECTED:
        (void)printf("%s: rejected: %lu error%s in %llu row%s; nothing from this file was stored "
                     "(fix what the messages point at, then import it again)\n",
                     name, r->errors, r->errors == 1 ? "" : "s", r->rows, r->rows == 1 ? "" : "s");
        break;
    default:
        (void)fprintf(stderr, "madi: error: %s: %s\n", name,
                      err->msg[0] ? err->msg : madi_strerror(rc));
        break;
    }
}

int cmd_import(int argc, char **argv)
{
    static const struct option opts[] = { { "db", required_argument, NULL, 'd' },
                                          { "kind", required_argument, NULL, 'k' },
                                          { "dry-run", no_argument, NULL, 'n' },
                                          { "replace", required_argument, NULL, 'r' },
                                          { "errors", required_argument, NULL, 'e' },
                                          { "by", required_argument, NULL, 'b' },
                                          { "quiet", no_argument, NULL, 'q' },
                                          { "help", no_argument, NULL, 'h' },
                                          { "sheet", required_argument, NULL, 's' },
                                          { "header-row", required_argument, NULL, 'H' },
                                          { "mapping", required_argument, NULL, 'm' },
                                          { "passphrase-stdin", no_argument, NULL, 'P' },
                                          { NULL, 0, NULL, 0 } };
    struct madi_import_opts io = { 0 };
    struct import_ui ui = { 0 };
    const char *db = NULL;
    int c, worst = EXIT_OK_, pass = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "k:nqh", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'k':
            if (!madi_kind_find(optarg)) {
                (void)fprintf(stderr,
                              "madi import: there is no kind '%s' ('madi template --list' shows "
                              "the kinds)\n",
                              optarg);
                return EXIT_USAGE;
            }
            io.kind = optarg;
            break;
        case 'n':
            io.flags |= MADI_IMPORT_DRY_RUN;
            break;
        case 'r': {
            char *end = NULL;
            long long v = strtoll(optarg, &end, 10);
            if (!end || *end || v <= 0) {
                (void)fprintf(stderr, "madi import: --replace takes a batch number (see 'madi "
                                      "batch list')\n");
                return EXIT_USAGE;
            }
            io.replace_batch = v;
            break;
        }
        case 'e':
            if (strcmp(optarg, "json") == 0) {
                ui.json = 1;
            } else if (strcmp(optarg, "text") != 0) {
                (void)fprintf(stderr, "madi import: --errors takes text or json\n");
                return EXIT_USAGE;
            }
            break;
        case 'b':
            io.who = optarg;
            break;
        case 's':
            io.sheet = optarg;
            break;
        case 'm':
            io.mapping = optarg;
            break;
        case 'H': {
            char *end = NULL;
            unsigned long v = strtoul(optarg, &end, 10);
            if (!end || *end || v == 0) {
                (void)fprintf(stderr,
                              "madi import: --header-row takes a line number (1, 2, ...)\n");
                return EXIT_USAGE;
            }
            io.header_row = v;
            break;
        }
        case 'q':
            ui.quiet = 1;
            break;
        case 'P':
            pass = 1;
            break;
        case 'h':
            return cli_usage(cli_find("import"), 0);
        default:
            return cli_usage(cli_find("import"), 1);
        }
    }
    if (optind >= argc) {
        (void)fprintf(stderr, "madi import: name at least one file (see 'madi import --help')\n");
        return EXIT_USAGE;
    }
    if (io.replace_batch && argc - optind > 1) {
        (void)fprintf(stderr, "madi import: --replace takes exactly one file\n");
        return EXIT_USAGE;
    }
    io.who = cli_actor(io.who); /* the login name, beside --by when given */
    io.today = cli_today();
    ui.tty = isatty(2);

    const char *path = cli_db_path(db);
    struct madi_store *s = NULL;
    struct madi_err err;
    int created = 0, rc;
    madi_err_clear(&err);
    if ((io.flags & MADI_IMPORT_DRY_RUN) && access(path, F_OK) != 0) {
        (void)fprintf(stderr, "madi: note: no database at %s; checking against empty registers\n",
                      path);
        rc = madi_catalog_open_or_create(":memory:", &s, &created, &err);
        created = 0;
    } else {
        rc = madi_catalog_open_or_create(path, &s, &created, &err);
    }
    if (rc)
        return cli_fail(rc, &err);
    if (created && !ui.quiet)
        (void)fprintf(stderr, "madi: created a new database %s\n", path);
    struct madi_key *key = NULL;
    int kcode = cli_load_key(s, path, pass, 0, &key);
    if (kcode) {
        madi_store_close(s);
        return kcode;
    }
    io.key = key;

    json_t *files = ui.json ? json_array() : NULL;
    io.on_diag = on_diag;
    io.diag_ctx = &ui;
    io.on_progress = on_progress;
    io.progress_ctx = &ui;
    for (int i = optind; i < argc; i++) {
        struct madi_import_result res;
        ui.name = argv[i];
        ui.diags = ui.json ? json_array() : NULL;
        (void)clock_gettime(CLOCK_MONOTONIC, &ui.start);
        io.name = argv[i];
        madi_err_clear(&err);
        rc = madi_import_file(s, argv[i], &io, &res, &err);
        if (ui.progress_shown) {
            (void)fputs("\r\033[K", stderr);
            ui.progress_shown = 0;
        }
        int code = cli_exit_for(rc);
        if (code > worst)
            worst = code;
        if (ui.json) {
            json_t *o = json_object();
            (void)json_object_set_new(o, "file", jstr(argv[i]));
            if (res.kind)
                (void)json_object_set_new(o, "kind", json_string(res.kind));
            (void)json_object_set_new(o, "status",
                                      json_string(rc == MADI_OK || rc == MADI_EREJECTED
                                                          ? status_word(res.status)
                                                          : "failed"));
            (void)json_object_set_new(o, "batch", json_integer((json_int_t)res.batch));
            (void)json_object_set_new(o, "rows", json_integer((json_int_t)res.rows));
            (void)json_object_set_new(o, "errors", json_integer((json_int_t)res.errors));
            (void)json_object_set_new(o, "warnings", json_integer((json_int_t)res.warnings));
            (void)json_object_set_new(o, "diagnostics", ui.diags);
            if (rc && rc != MADI_EREJECTED)
                (void)json_object_set_new(o, "failure", jstr(err.msg));
            (void)json_array_append_new(files, o);
        } else if (!ui.quiet || rc) {
            report_text(argv[i], rc, &res, &err);
        }
    }
    if (ui.json) {
        json_t *doc = json_pack("{s:o}", "files", files);
        (void)json_dumpf(doc, stdout, JSON_INDENT(2));
        (void)fputc('\n', stdout);
        json_decref(doc);
    }
    madi_key_free(key);
    madi_store_close(s);
    return worst;
}
