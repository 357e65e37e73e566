/*
 * cmd_xlsform.c: `madi xlsform KIND > form.xlsx`: the XLSForm to publish on KoBoToolbox or ODK.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "madi/kind.h"
#include "madi/xlsform.h"

#include "banned.h"
#include "cli.h"

const char cmd_xlsform_usage[] =
        "usage: madi xlsform KIND [-o FILE]\n"
        "\n"
        "Write an XLSForm (sheets survey, choices and settings) for KIND, to publish on\n"
        "KoBoToolbox or ODK Central. Question names are madi's column names and choices are\n"
        "madi's codes, so the data exported back imports with 'madi import' and no mapping.\n"
        "The form checks what import checks: counts >= 0, totals at least their parts, ages\n"
        "0-120, person keys of 16 hex digits; code lists become select_one questions.\n"
        "\n"
        "Options:\n"
        "  -o FILE     write to FILE (default: standard output, which must not be a terminal)\n"
        "  -h, --help  show this help\n";

static int copy_to_stdout(const char *path)
{
    FILE *f = fopen(path, "rb");
    char buf[65536];
    size_t n;
    int rc = 0;
    if (!f)
        return -1;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        if (fwrite(buf, 1, n, stdout) != n)
            rc = -1;
    if (ferror(f))
        rc = -1;
    (void)fclose(f);
    return rc;
}

int cmd_xlsform(int argc, char **argv)
{
    const char *out = NULL, *kind = NULL;
    if (cli_wants_help(argc, argv))
        return cli_usage(cli_find("xlsform"), 0);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
            out = argv[++i];
        else if (argv[i][0] != '-' && !kind)
            kind = argv[i];
        else
            return cli_usage(cli_find("xlsform"), 1);
    }
    if (!kind)
        return cli_usage(cli_find("xlsform"), 1);
    const struct madi_kind *k = madi_kind_find(kind);
    if (!k) {
        (void)fprintf(stderr, "madi xlsform: there is no kind '%s' (see 'madi template --list')\n",
                      kind);
        return EXIT_USAGE;
    }
    if (!out && isatty(1)) {
        (void)fprintf(stderr,
                      "madi xlsform: a workbook is not for the terminal: write 'madi "
                      "xlsform %s > %s.xlsx' or use -o FILE\n",
                      k->name, k->name);
        return EXIT_USAGE;
    }
    struct madi_err err;
    madi_err_clear(&err);
    if (out) {
        int rc = madi_xlsform_write(k, out, &err);
        return rc ? cli_fail(rc, &err) : EXIT_OK_;
    }
    const char *tmpdir = getenv("TMPDIR");
    char tmpl[4096];
    (void)snprintf(tmpl, sizeof(tmpl), "%s/madi-xlsform-XXXXXX",
                   tmpdir && *tmpdir ? tmpdir : "/tmp");
    int fd = mkstemp(tmpl);
    if (fd < 0) {
        (void)fprintf(stderr, "madi xlsform: cannot make a temporary file: %s\n", strerror(errno));
        return EXIT_IO;
    }
    (void)close(fd);
    int rc = madi_xlsform_write(k, tmpl, &err);
    int code = rc ? cli_fail(rc, &err) : EXIT_OK_;
    if (!rc && copy_to_stdout(tmpl) != 0) {
        (void)fprintf(stderr, "madi xlsform: cannot write the workbook to standard output\n");
        code = EXIT_IO;
    }
    (void)unlink(tmpl);
    return code;
}
