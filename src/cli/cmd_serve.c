/*
 * cmd_serve.c: `madi serve`: the web interface and the JSON API, until interrupted.
 */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "madi/auth.h"
#include "madi/privacy.h"
#include "madi/server.h"

#include "banned.h"
#include "cli.h"

const char cmd_serve_usage[] =
        "usage: madi serve [--db FILE] [--listen HOST:PORT] [--threads N] [--public]\n"
        "                  [--cert PEM --key-pem PEM | --insecure-http] [--no-key] [--timeout S]\n"
        "                  [--quiet]\n"
        "       madi serve --openapi\n"
        "\n"
        "Serve madi to a browser and the JSON API (/api/v1, documented at\n"
        "/api/v1/openapi.json) from this one program: operators upload their files and see\n"
        "each error at its cell, the centre reviews and approves them, analysts see the\n"
        "dashboard, case workers their cases. Everyone logs in with an account made by\n"
        "'madi user add'. Stop with Ctrl-C.\n"
        "\n"
        "Options:\n"
        "  --listen HOST:PORT  where to listen (default 127.0.0.1:8080; 0.0.0.0:8443 with\n"
        "                      --cert for the office network; port 0 picks a free one)\n"
        "  --threads N         worker threads (default 4)\n"
        "  --public            also serve the published dashboard without login (every figure\n"
        "                      through disclosure control, as madi report --audience public)\n"
        "  --cert PEM, --key-pem PEM\n"
        "                      serve HTTPS with this certificate and private key\n"
        "  --insecure-http     allow plain HTTP on an address other than this machine's\n"
        "                      (passwords then cross the network unencrypted: for a trusted\n"
        "                      office network only, until there is a certificate)\n"
        "  --no-key            do not load the centre's key: case workers cannot open\n"
        "                      personal records (by default the key is read as other commands\n"
        "                      do: $MADI_KEY_FILE, else the key file beside the database)\n"
        "  --timeout S         close a connection idle for S seconds, or one whose request\n"
        "                      takes more than twice that (default 30)\n"
        "  --quiet             no request log on standard error\n"
        "  --openapi           print the API's OpenAPI document and exit\n"
        "  --db FILE           the database (default: $MADI_DB, else madi.db)\n"
        "  -h, --help          show this help\n";

int cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        { "db", required_argument, NULL, 'd' },      { "listen", required_argument, NULL, 'l' },
        { "threads", required_argument, NULL, 't' }, { "public", no_argument, NULL, 'p' },
        { "cert", required_argument, NULL, 'c' },    { "key-pem", required_argument, NULL, 'k' },
        { "no-key", no_argument, NULL, 'n' },        { "quiet", no_argument, NULL, 'q' },
        { "openapi", no_argument, NULL, 'o' },       { "timeout", required_argument, NULL, 'T' },
        { "insecure-http", no_argument, NULL, 'I' }, { NULL, 0, NULL, 0 }
    };
    struct madi_server_opts so;
    memset(&so, 0, sizeof(so));
    const char *db = NULL;
    int c, no_key = 0, quiet = 0, insecure = 0;
    if (cli_wants_help(argc, argv))
        return cli_usage(cli_find("serve"), 0);
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'l':
            so.listen = optarg;
            break;
        case 't': {
            char *end = NULL;
            long n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > 64) {
                (void)fprintf(stderr, "madi: error: --threads takes 1..64\n");
                return EXIT_USAGE;
            }
            so.threads = (unsigned)n;
            break;
        }
        case 'T': {
            char *end = NULL;
            long n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > 3600) {
                (void)fprintf(stderr, "madi: error: --timeout takes 1..3600 seconds\n");
                return EXIT_USAGE;
            }
            so.timeout_s = (unsigned)n;
            break;
        }
        case 'p':
            so.public_dashboard = 1;
            break;
        case 'c':
            so.cert = optarg;
            break;
        case 'k':
            so.pkey = optarg;
            break;
        case 'n':
            no_key = 1;
            break;
        case 'I':
            insecure = 1;
            break;
        case 'q':
            quiet = 1;
            break;
        case 'o': {
            struct madi_err err;
            madi_err_clear(&err);
            int rc = madi_server_openapi(stdout, &err);
            return rc ? cli_fail(rc, &err) : EXIT_OK_;
        }
        default:
            return cli_usage(cli_find("serve"), 1);
        }
    }
    if (optind != argc)
        return cli_usage(cli_find("serve"), 1);
    const char *lis = so.listen ? so.listen : "127.0.0.1:8080";
    if (!so.cert && !insecure && strncmp(lis, "127.", 4) != 0 &&
        strncmp(lis, "localhost:", 10) != 0) {
        (void)fprintf(stderr,
                      "madi: error: --listen %s without --cert: passwords and personal data would "
                      "cross the network unencrypted (give --cert PEM --key-pem PEM, or "
                      "--insecure-http on a trusted office network)\n",
                      lis);
        return EXIT_USAGE;
    }
    so.db = cli_db_path(db);
    so.today = cli_today();
    so.log = quiet ? NULL : stderr;

    struct madi_store *s = NULL;
    int code = cli_open(so.db, 0, &s);
    if (code)
        return code;
    struct madi_key *key = NULL;
    if (!no_key && madi_privacy_has_key(s)) {
        code = cli_load_key(s, so.db, 0, 0, &key);
        if (code) {
            madi_store_close(s);
            return code;
        }
    }
    int64_t users = 0;
    struct madi_err err;
    madi_err_clear(&err);
    int rc = madi_user_count(s, &users, &err);
    madi_store_close(s);
    if (rc) {
        madi_key_free(key);
        return cli_fail(rc, &err);
    }
    so.key = key;

    /* Block the stop signals before the server's threads start, so that they inherit it and
     * only sigwait below sees them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    (void)pthread_sigmask(SIG_BLOCK, &stop, NULL);
    struct madi_server *srv = NULL;
    rc = madi_server_start(&so, &srv, &err);
    if (rc) {
        madi_key_free(key);
        return cli_fail(rc, &err);
    }
    const char *colon = strrchr(lis, ':');
    int hn = colon ? (int)(colon - lis) : 0;
    (void)fprintf(stderr, "madi: serving %s on %s://%.*s:%u/ (Ctrl-C to stop)\n", so.db,
                  so.cert ? "https" : "http", hn ? hn : 7, hn ? lis : "0.0.0.0",
                  madi_server_port(srv));
    if (!key)
        (void)fprintf(stderr, "madi: without the centre's key: case workers cannot open "
                              "personal records\n");
    if (users == 0)
        (void)fprintf(stderr,
                      "madi: there is no account yet: create the first administrator with\n"
                      "      %s user add NAME --role admin --db %s\n",
                      cli_progname, so.db);
    int sig = 0;
    (void)sigwait(&stop, &sig);
    (void)fprintf(stderr, "madi: stopping\n");
    madi_server_stop(srv);
    madi_key_free(key);
    return EXIT_OK_;
}
