/*
 * import.c: one CSV file in, validated against its kind, stored as one batch in one
 * transaction, or rejected whole.
 *
 * The pipeline, in order: hash the file (re-imports are no-ops); read the header and the
 * optional HXL row and map columns onto the kind's fields; recognise the kind if it was not
 * named; open a transaction and a batch; then one streaming pass over the rows: parse each
 * cell by its field type, check the row (required cells, parts against totals, dates in order,
 * references to the registers), and insert it with a prepared statement. Every finding goes to
 * the caller's diagnostic callback as it is found. At the end: any error, or a dry run, rolls
 * back; otherwise the batch is committed.
 *
 * Invariants: memory does not grow with the file (the CSV reader is bounded and rows are not
 * kept), except for the register maps and, for kinds without a natural key, one 16-byte
 * fingerprint per keyless row. Nothing is written outside the transaction.
 */
#include "madi/import.h"

#include <ctype.h>
#include <errno.h>
#include <nettle/sha2.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sodium.h>

#include "madi/audit.h"
#include "madi/csv.h"
#include "madi/dim.h"
#include "madi/kind.h"
#include "madi/ods.h"
#include "madi/privacy.h"
#include "madi/xlsx.h"

#include "banned.h"
#include "buf.h"
#include "csv_int.h"
#include "hashmap.h"
#include "mapping.h"
#include "repeat.h"
#include "rowids.h"
#include "rowstore.h"
#include "xalloc.h"

#define MAX_COLS     512
#define MAX_ID_LEN   64
#define MAX_TEXT     200
#define MAX_PERSONAL 500

/* A register that rows refer to by code. Map values: id << 1 | provisional. */
struct reg {
    const char *table;
    const char *keycol;
    const char *what; /* "organisation", for messages */
    const char *kind; /* the kind that fills it */
    struct madi_strmap map;
    int loaded;
    int closed; /* has at least one registered (non-provisional) entry */
    struct madi_stmt *ins_prov;
    /* Numeric codes with leading zeros ("0101"), by their digits without the zeros ("101"):
     * spreadsheets drop the zeros of codes they take for numbers. Value: index in zcodes. */
    struct madi_strmap zmap;
    char **zcodes;
    size_t nz;
};

struct val {
    int set;
    int64_t i;
    double d;
    const char *s;
    size_t n;
    int lo, hi;
};

/* A value that does not map, seen on more than one row: reported once, then counted. */
struct repeat {
    int field;
    char value[48];
    unsigned long line;
    unsigned long more;
};

/* A code column's last few values, exactly as written, and their codes: a column holds few
 * distinct values, and matching one against a code list's codes, labels and aliases costs
 * more than the rest of the cell. */
#define CODE_MEMO 4
struct code_memo {
    char text[CODE_MEMO][24];
    size_t n[CODE_MEMO]; /* 0: empty (a blank cell never gets here) */
    int64_t value[CODE_MEMO];
    unsigned next;
};

/* A reference column's last code and the row id it resolved to. */
struct last_ref {
    char text[MAX_ID_LEN + 1];
    size_t n; /* 0: none */
    int64_t id;
};

/* The SHA-256 of the file being imported, taken on a thread of its own. */
struct hasher {
    const char *path;
    pthread_t thread;
    int running, rc;
    char hex[65];
    struct madi_err err;
};

struct importer {
    struct madi_store *s;
    const struct madi_import_opts *o;
    struct madi_import_result *res;
    struct madi_err *err;
    const char *name;
    const struct madi_kind *kind;
    int32_t today;

    int ncols;
    int colfield[MAX_COLS];  /* column -> field index, -1 = ignored */
    int fieldcol[64];        /* field -> column, -1 = absent */
    char *colname[MAX_COLS]; /* header cells, for messages */
    int has_hxl;
    char delim;                             /* the file's delimiter; 0 for a workbook */
    const char *sheet;                      /* the workbook sheet, or NULL */
    struct madi_csv_field padded[MAX_COLS]; /* a workbook row widened to the header */

    struct mapping map;

    struct reg regs[5];
    struct madi_stmt *ins, *upd, *lookup;
    struct madi_stmt *overlap; /* kinds keyed by an age band: bands that overlap */
    int band_key;              /* that key field, or -1 */
    int64_t batch;
    struct val vals[64];
    int row_bad;
    int row_skipped; /* the row was not stored: a submission an earlier export brought */
    unsigned long line;
    struct madi_u64map seen;
    /* A kind stored in blocks (rowstore.h, eore-attendance): the writer of this batch's rows,
     * the set of the keys stored and in this file (rowids.h), where stored keys are (built at
     * the first repeat of one), and the keys of submissions skipped as already imported, to
     * be confirmed against the stored text at the end. */
    int blocks;
    struct rs_layout layout;
    struct rs_writer blk;
    struct rowids ids;
    int spill; /* the bounded-memory check (rowids_spill) instead of the hash set */
    struct rowids_spill sp;
    int spill_rc;
    /* The file's size (-1 if not a regular file), and its SHA-256 taken on a second thread
     * while the rows are read (late_sha) instead of in a pass before them. */
    int64_t file_size;
    int late_sha;
    struct hasher hasher;
    int blk_key;       /* the key field (an id), or -1 */
    uint64_t blk_hash; /* of the current row's key */
    size_t blk_keycol;
    struct madi_strmap skipped;
    unsigned long confirmed;    /* repeats within the file checked against the text */
    struct madi_strmap custom;  /* "list\037lower-case code or label" -> value */
    struct madi_strmap zwarned; /* codes that lost their zeros, already said */
    struct madi_strmap touched; /* register codes stored by this file -> line */
    const char *fcache_name[48];
    int fcache_idx[48];
    int nfcache;
    /* Looked up once per file instead of once per cell: each field's code list, whether the
     * kind is protected, and the fields the row checks use. */
    const struct madi_codelist *codelist[64];
    struct code_memo code_memo[64];
    struct last_ref last_ref[64];
    const struct madi_field *codelist_of[64]; /* the field each was found for */
    int protected_kind;                       /* 0 = not yet known, 1 = no, 2 = yes */
    int rc_ready, rc_age, rc_band, rc_reason, rc_exit, rc_wg0, rc_dis, rc_dated;
    int searching;               /* looking for the header row: say nothing */
    int hidden;                  /* the message being written left a value out (show) */
    int uuid_col, status_col;    /* KoBoToolbox / ODK Central: submission uuid, review state */
    int uuid_key;                /* field that takes the uuid, or -1 */
    struct madi_u64map unmapped; /* (field, value) -> index in repeats */
    struct repeat *repeats;
    size_t nrepeats;
    int64_t sums[64]; /* per count field, over the rows stored, for a totals row */
    unsigned long long nset[64], stored;
    /* Survivors' kinds: opened sealed cells of the current row (guarded memory), the name key of
     * the current survivor, and the lookups of the row checks. */
    char *plain[64];
    int has_plain; /* one of them is set */
    uint64_t name_key;
    /* Replacing a survivors' batch: its records erased on request, survivor_id -> index in
     * erased_at (they stay erased), and the erasure to restore on the current row, or NULL. */
    struct madi_strmap erased;
    char **erased_at;
    size_t nerased;
    const char *keep_erased;
    struct madi_stmt *q_survivor, *q_need, *q_consent, *q_casualty, *q_org, *set_name_key;
    /* An operator's file (o->only_org): that organisation's row id, and the owner lookup of the
     * register entries it updates. */
    int64_t only_org_id;
    struct madi_stmt *q_owner;
};

/* ---- the file: CSV, or one sheet of a workbook ---- */

struct source {
    struct madi_csv *csv;
    struct madi_xlsx *xlsx;
    struct madi_ods *ods;
    char *joined;      /* a repeat group joined to its parents, as CSV text; owned */
    char *joined_name; /* which repeat; owned */
};

static int src_next(struct source *src, struct madi_csv_row *row)
{
    if (src->xlsx)
        return madi_xlsx_next(src->xlsx, row);
    if (src->ods)
        return madi_ods_next(src->ods, row);
    return madi_csv_next(src->csv, row);
}

static char src_delim(const struct source *src)
{
    return src->csv ? madi_csv_delimiter(src->csv) : 0;
}

static unsigned long long src_done(const struct source *src)
{
    return src->csv ? madi_csv_bytes_read(src->csv) : 0;
}

static unsigned long long src_size(const struct source *src)
{
    return src->csv ? madi_csv_size(src->csv) : 0;
}

static int is_zip(const char *path)
{
    unsigned char magic[4] = { 0 };
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t n = fread(magic, 1, 4, f);
    (void)fclose(f);
    return n == 4 && memcmp(magic, "PK\x03\x04", 4) == 0;
}

/* ---- diagnostics ---- */

/* Whether diagnostics may quote cells and headers: never for a kind with personal fields, where
 * a shifted row puts a name in any column (PRIVACY.md). */
static int hide_values(const struct importer *im)
{
    return im->kind && madi_kind_has_personal(im->kind);
}

static void vdiag(struct importer *im, enum madi_diag_level level, unsigned long line, unsigned col,
                  const char *field, const char *fmt, va_list ap)
        __attribute__((format(printf, 6, 0)));
static void vdiag(struct importer *im, enum madi_diag_level level, unsigned long line, unsigned col,
                  const char *field, const char *fmt, va_list ap)
{
    char msg[1024];
    int hidden = im->hidden;
    im->hidden = 0;
    if (im->searching)
        return; /* looking for the header: rows are read again, or skipped as a title */
    int len = vsnprintf(msg, sizeof(msg), fmt, ap);
    if (hidden && len >= 0 && (size_t)len < sizeof(msg))
        (void)snprintf(msg + len, sizeof(msg) - (size_t)len,
                       " (the value is not shown: this file holds personal data)");
    if (level == MADI_DIAG_ERROR) {
        im->res->errors++;
        im->row_bad = 1;
    } else if (level == MADI_DIAG_WARNING) {
        im->res->warnings++;
    }
    if (im->o->on_diag) {
        struct madi_diag d = { level, im->name, im->sheet, line, col, field, msg };
        im->o->on_diag(im->o->diag_ctx, &d);
    }
}

static void diag(struct importer *im, enum madi_diag_level level, unsigned long line, unsigned col,
                 const char *field, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void diag(struct importer *im, enum madi_diag_level level, unsigned long line, unsigned col,
                 const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vdiag(im, level, line, col, field, fmt, ap);
    va_end(ap);
}

/* An error about the cell of field `f` on the current line. */
static void cell_error(struct importer *im, int f, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static void cell_error(struct importer *im, int f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int col = im->fieldcol[f];
    vdiag(im, MADI_DIAG_ERROR, im->line, col >= 0 ? (unsigned)col + 1 : 0, im->kind->fields[f].name,
          fmt, ap);
    va_end(ap);
}

/*
 * The same unmappable value in the same column is one problem to fix, however many rows carry
 * it: the first is reported where it is, the others are counted (still as errors) and summed up
 * at the end. Returns 1 when this value was already reported.
 */
static int repeat_seen(struct importer *im, int f, const char *p, size_t n)
{
    /* The whole value counts, letter case aside: hash it a byte at a time. */
    unsigned char b = (unsigned char)f;
    uint64_t h = madi_hash64(&b, 1, 0x5eed), idx = 0;
    for (size_t i = 0; i < n; i++) {
        b = (unsigned char)tolower((unsigned char)p[i]);
        h = madi_hash64(&b, 1, h);
    }
    if (madi_u64map_put_new(&im->unmapped, h, im->nrepeats, &idx)) {
        im->repeats[idx].more++;
        im->res->errors++;
        im->row_bad = 1;
        return 1;
    }
    if (im->nrepeats % 64 == 0)
        im->repeats = xrealloc(im->repeats, (im->nrepeats + 64) * sizeof(*im->repeats));
    struct repeat *r = &im->repeats[im->nrepeats++];
    r->field = f;
    (void)snprintf(r->value, sizeof(r->value), "%.*s", (int)(n < 40 ? n : 40), p);
    r->line = im->line;
    r->more = 0;
    return 0;
}

static void report_repeats(struct importer *im)
{
    for (size_t i = 0; i < im->nrepeats; i++) {
        const struct repeat *r = &im->repeats[i];
        if (!r->more)
            continue;
        if (hide_values(im))
            diag(im, MADI_DIAG_NOTE, 0, 0, im->kind->fields[r->field].name,
                 "the value reported at line %lu is on %lu more row%s: one fix serves them all "
                 "(the value is not shown: this file holds personal data)",
                 r->line, r->more, r->more == 1 ? "" : "s");
        else
            diag(im, MADI_DIAG_NOTE, 0, 0, im->kind->fields[r->field].name,
                 "'%s' (reported at line %lu) is on %lu more row%s: one fix serves them all (a "
                 "code added with 'madi codes add', a register entry, or a corrected file)",
                 r->value, r->line, r->more, r->more == 1 ? "" : "s");
    }
}

static void on_csv_issue(void *ctx, unsigned long line, unsigned col, int fatal, const char *msg)
{
    struct importer *im = ctx;
    (void)fatal;
    diag(im, MADI_DIAG_ERROR, line, col, NULL, "%s", msg);
}

/* A cell value quoted for a message: trimmed, at most 40 characters, no control characters. */
/* A header cell as a name for messages, aliases and profiles: whole (up to 200 bytes, cut
 * between characters), trimmed, control characters shown as '?'. Caller frees. */
static char *header_name(const char *p, size_t n)
{
    while (n && isspace((unsigned char)*p)) {
        p++;
        n--;
    }
    while (n && isspace((unsigned char)p[n - 1]))
        n--;
    if (n > 200) {
        n = 200;
        while (n > 0 && ((unsigned char)p[n] & 0xc0) == 0x80)
            n--;
    }
    char *s = xstrndup(p, n);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            s[i] = '?';
    return s;
}

static const char *quote(const char *p, size_t n, char *out, size_t outsz)
{
    while (n && isspace((unsigned char)*p)) {
        p++;
        n--;
    }
    while (n && isspace((unsigned char)p[n - 1]))
        n--;
    size_t max = outsz > 48 ? 40 : outsz - 8, j = 0;
    if (n > max) /* cut between characters, never inside a UTF-8 sequence */
        while (max > 0 && ((unsigned char)p[max] & 0xc0) == 0x80)
            max--;
    out[j++] = '\'';
    for (size_t i = 0; i < n && i < max; i++)
        out[j++] = (unsigned char)p[i] < 0x20 || p[i] == 0x7f ? '?' : p[i];
    if (n > max) {
        memcpy(out + j, "...", 3);
        j += 3;
    }
    out[j++] = '\'';
    out[j] = '\0';
    return out;
}

/* A cell for a message; for a kind with personal fields, only "the value" (vdiag says why).
 * quote() is for ids that matched a stored record, which are record ids and not a name that a
 * shifted row put in the column. */
static const char *show(struct importer *im, const char *p, size_t n, char *out, size_t outsz)
{
    if (hide_values(im)) {
        im->hidden = 1;
        return "the value";
    }
    return quote(p, n, out, outsz);
}

/* ---- header mapping (the matching itself is in mapping.c) ---- */

/* The kind's one identifier field, or -1 (population has a composite key). */
static int single_id_key(const struct madi_kind *k)
{
    int key = -1, n = 0;
    for (size_t f = 0; f < k->nfields; f++) {
        if (k->fields[f].flags & MADI_FLD_KEY) {
            n++;
            key = (int)f;
        }
    }
    return n == 1 && k->fields[key].type == MADI_F_ID ? key : -1;
}

static int header_is(const struct madi_csv_field *h, const char *name)
{
    return h->len == strlen(name) && memcmp(h->p, name, h->len) == 0;
}

static int map_columns(struct importer *im, const struct madi_kind *k,
                       const struct madi_csv_row *hdr, const struct madi_csv_row *hxl, int report)
{
    int mapped = 0, ok = 1, tool = 0;
    char tools[160] = "";
    size_t tl = 0;
    for (size_t f = 0; f < k->nfields; f++)
        im->fieldcol[f] = -1;
    im->uuid_col = im->status_col = im->uuid_key = -1;
    for (int c = 0; c < im->ncols; c++) {
        int f = -1;
        const struct madi_csv_field *h = &hdr->fields[c];
        int is_tool = mapping_tool_column(h->p, h->len);
        /* "_id", "_uuid", "meta-..." are the tools' own, even when a field's alias matches;
         * "Status" or "start" may be a column of the kind first. */
        int tool_first = is_tool && h->len && (h->p[0] == '_' || h->p[0] == 'm');
        if (hxl && (size_t)c < hxl->n && hxl->fields[c].len)
            f = mapping_match(&im->map, k, hxl->fields[c].p, hxl->fields[c].len, 1);
        if (f < 0 && !tool_first)
            f = mapping_match(&im->map, k, h->p, h->len, 0);
        im->colfield[c] = f;
        if (f < 0 && is_tool) {
            /* A column KoBoToolbox or ODK Central adds: some are used, none is data. */
            if (header_is(h, "_uuid") || header_is(h, "meta-instanceID") ||
                header_is(h, "meta/instanceID") || (header_is(h, "KEY") && im->uuid_col < 0))
                im->uuid_col = c;
            if (header_is(h, "_validation_status") || header_is(h, "ReviewState"))
                im->status_col = c;
            if (tool++ < 4 && tl < sizeof(tools))
                tl += (size_t)snprintf(tools + tl, sizeof(tools) - tl, "%s%s", tl ? ", " : "",
                                       im->colname[c] ? im->colname[c] : "?");
            continue;
        }
        if (f < 0) {
            if (report && h->len && madi_kind_has_personal(k))
                diag(im, MADI_DIAG_WARNING, hdr->line, (unsigned)c + 1, NULL,
                     "column %d is not a column of %s and is ignored (its header is not shown: "
                     "this file holds personal data; 'madi template %s --doc' lists the columns)",
                     c + 1, k->name, k->name);
            else if (report && h->len)
                diag(im, MADI_DIAG_WARNING, hdr->line, (unsigned)c + 1, NULL,
                     "column '%s' is not a column of %s and is ignored (if it is one, map it "
                     "once with: madi alias add %s \"%s\" COLUMN)",
                     im->colname[c], k->name, k->name, im->colname[c]);
            continue;
        }
        if (im->fieldcol[f] >= 0) {
            if (report)
                diag(im, MADI_DIAG_ERROR, hdr->line, (unsigned)c + 1, k->fields[f].name,
                     "columns %d and %d both give '%s' (remove or rename one of them)",
                     im->fieldcol[f] + 1, c + 1, k->fields[f].name);
            ok = 0;
            continue;
        }
        im->fieldcol[f] = c;
        mapped++;
    }
    /* An export without the kind's id column: the submission's uuid is the record's id. */
    int key = single_id_key(k);
    if (im->uuid_col >= 0 && key >= 0 && im->fieldcol[key] < 0)
        im->uuid_key = key;
    if (report && tool)
        diag(im, MADI_DIAG_NOTE, hdr->line, 0, NULL,
             "%d column%s added by KoBoToolbox or ODK Central (%s%s) %s not data and %s "
             "ignored%s",
             tool, tool == 1 ? "" : "s", tools, tool > 4 ? ", ..." : "", tool == 1 ? "is" : "are",
             tool == 1 ? "is" : "are",
             im->uuid_key >= 0 ? "; the submission uuid is used as the record id" : "");
    for (size_t f = 0; f < k->nfields; f++) {
        if ((k->fields[f].flags & MADI_FLD_REQUIRED) && im->fieldcol[f] < 0 &&
            (int)f != im->uuid_key) {
            if (report)
                diag(im, MADI_DIAG_ERROR, hdr->line, 0, k->fields[f].name,
                     "the required column '%s' is missing (see 'madi template %s --doc' for "
                     "the columns of %s)",
                     k->fields[f].name, k->name, k->name);
            ok = 0;
        }
    }
    return ok ? mapped : -1;
}

static int load_custom_codes(struct importer *im)
{
    struct madi_stmt *st = NULL;
    int rc = madi_store_prepare(im->s, "SELECT list, code, label, value FROM custom_code", &st,
                                im->err);
    if (rc)
        return rc;
    while ((rc = madi_stmt_step(st, im->err)) == MADI_STMT_ROW) {
        for (int col = 1; col <= 2; col++) {
            char key[256];
            int n = snprintf(key, sizeof(key), "%s\037%s", madi_stmt_text(st, 0),
                             madi_stmt_text(st, col));
            if (n <= 0 || (size_t)n >= sizeof(key))
                continue;
            for (int i = 0; i < n; i++)
                key[i] = (char)tolower((unsigned char)key[i]);
            madi_strmap_put(&im->custom, key, (size_t)n, madi_stmt_int(st, 3));
        }
    }
    madi_stmt_finalize(st);
    return rc < 0 ? rc : MADI_OK;
}

static const struct madi_code *custom_code(struct importer *im, const struct madi_codelist *l,
                                           const char *p, size_t n, struct madi_code *out)
{
    char key[256];
    int64_t v = 0;
    if (!l->extensible || n > 200)
        return NULL;
    int k = snprintf(key, sizeof(key), "%s\037%.*s", l->name, (int)n, p);
    if (k <= 0 || (size_t)k >= sizeof(key))
        return NULL;
    for (int i = 0; i < k; i++)
        key[i] = (char)tolower((unsigned char)key[i]);
    if (!madi_strmap_get(&im->custom, key, (size_t)k, &v))
        return NULL;
    out->value = (int)v;
    return out;
}

/* ---- registers ---- */

/* Register codes match regardless of letter case ("op-a" is "OP-A"): maps are keyed in lower
 * case. Codes longer than an id can be match nothing. */
static size_t code_key(const char *p, size_t n, char key[MAX_ID_LEN + 1])
{
    if (n > MAX_ID_LEN)
        n = MAX_ID_LEN + 1 > n ? n : 0;
    for (size_t i = 0; i < n; i++)
        key[i] = (char)tolower((unsigned char)p[i]);
    key[n] = '\0';
    return n;
}

static void regs_init(struct importer *im)
{
    static const struct {
        const char *table, *keycol, *what, *kind;
    } def[5] = {
        { NULL, NULL, NULL, NULL },
        { "organisation", "code", "organisation", "organisation" },
        { "area", "code", "area", "area" },
        { "hazard", "code", "hazardous area", "hazard" },
        { "survey_team", "team_id", "survey team", "survey-team" },
    };
    for (int i = 0; i < 5; i++) {
        memset(&im->regs[i], 0, sizeof(im->regs[i]));
        im->regs[i].table = def[i].table;
        im->regs[i].keycol = def[i].keycol;
        im->regs[i].what = def[i].what;
        im->regs[i].kind = def[i].kind;
        madi_strmap_init(&im->regs[i].map);
        madi_strmap_init(&im->regs[i].zmap);
    }
}

static void regs_release(struct importer *im)
{
    for (int i = 0; i < 5; i++) {
        madi_strmap_release(&im->regs[i].map);
        madi_strmap_release(&im->regs[i].zmap);
        for (size_t z = 0; z < im->regs[i].nz; z++)
            free(im->regs[i].zcodes[z]);
        free(im->regs[i].zcodes);
        im->regs[i].zcodes = NULL;
        im->regs[i].nz = 0;
        madi_stmt_finalize(im->regs[i].ins_prov);
        im->regs[i].ins_prov = NULL;
    }
}

static int reg_load(struct importer *im, struct reg *r)
{
    int rc = MADI_OK;
    struct madi_stmt *st = NULL;
    char *sql = NULL;
    if (r->loaded)
        return MADI_OK;
    sql = xasprintf("SELECT id, provisional, %s FROM %s", r->keycol, r->table);
    rc = madi_store_prepare(im->s, sql, &st, im->err);
    if (rc)
        goto done;
    while ((rc = madi_stmt_step(st, im->err)) == MADI_STMT_ROW) {
        const char *code = madi_stmt_text(st, 2);
        int prov = (int)madi_stmt_int(st, 1);
        char key[MAX_ID_LEN + 1];
        size_t kn = code_key(code, strlen(code), key);
        madi_strmap_put(&r->map, key, kn, madi_stmt_int(st, 0) * 2 + prov);
        size_t z = strspn(code, "0");
        if (z && code[z] && strspn(code, "0123456789") == strlen(code)) {
            r->zcodes = xrealloc(r->zcodes, (r->nz + 1) * sizeof(*r->zcodes));
            r->zcodes[r->nz] = xstrdup(code);
            madi_strmap_put(&r->zmap, code + z, strlen(code + z), (int64_t)r->nz);
            r->nz++;
        }
        if (!prov)
            r->closed = 1;
    }
    if (rc < 0)
        goto done;
    free(sql);
    sql = xasprintf("INSERT INTO %s (batch_id, line, provisional, %s) VALUES (?, ?, 1, ?) "
                    "RETURNING id",
                    r->table, r->keycol);
    rc = madi_store_prepare(im->s, sql, &r->ins_prov, im->err);
    if (!rc)
        r->loaded = 1;
done:
    madi_stmt_finalize(st);
    free(sql);
    return rc;
}

/* Resolve a code in register `ref` for field f; sets v->i to the row id. */
static int resolve_ref(struct importer *im, int f, const char *p, size_t n, struct val *v)
{
    const struct madi_field *fd = &im->kind->fields[f];
    struct reg *r = &im->regs[fd->ref];
    char shown[64];
    int64_t enc = 0;
    madi_trim(&p, &n);
    struct last_ref *last = &im->last_ref[f];
    if (n && n == last->n && memcmp(p, last->text, n) == 0) { /* rows of a session share it */
        v->i = last->id;
        return MADI_OK;
    }
    char key[MAX_ID_LEN + 1];
    size_t kn = code_key(p, n, key);
    if (n <= MAX_ID_LEN && madi_strmap_get(&r->map, key, kn, &enc)) {
        v->i = enc >> 1;
        memcpy(last->text, p, n);
        last->n = n;
        last->id = v->i;
        return MADI_OK;
    }
    int64_t zi = 0;
    if (n && strspn(p, "0123456789") >= n && madi_strmap_get(&r->zmap, p, n, &zi)) {
        const char *full = r->zcodes[zi];
        kn = code_key(full, strlen(full), key);
        if (madi_strmap_get(&r->map, key, kn, &enc)) {
            v->i = enc >> 1;
            char seen[80];
            int sl = snprintf(seen, sizeof(seen), "%d:%s", f, full);
            int64_t dummy = 0;
            if (sl > 0 && !madi_strmap_get(&im->zwarned, seen, (size_t)sl, &dummy)) {
                madi_strmap_put(&im->zwarned, seen, (size_t)sl, 1);
                diag(im, MADI_DIAG_WARNING, im->line, (unsigned)im->fieldcol[f] + 1, fd->name,
                     "%s is taken as %s %s: a spreadsheet dropped its leading zero (format the "
                     "column as text to keep it)",
                     show(im, p, n, shown, sizeof(shown)), r->what, full);
            }
            return MADI_OK;
        }
    }
    if (n > MAX_ID_LEN) {
        cell_error(im, f, "%s is too long for a code (at most %d characters)",
                   show(im, p, n, shown, sizeof(shown)), MAX_ID_LEN);
        return MADI_OK;
    }
    if (fd->flags & MADI_FLD_PARENT) {
        cell_error(im, f,
                   "the parent %s %s is not known (list parents before their children, or import "
                   "the parent first)",
                   r->what, show(im, p, n, shown, sizeof(shown)));
        return MADI_OK;
    }
    if (r->closed) {
        if (repeat_seen(im, f, p, n))
            return MADI_OK;
        cell_error(im, f,
                   "%s %s is not in the %s register (check the spelling, or add it with 'madi "
                   "import --kind %s')",
                   r->what, show(im, p, n, shown, sizeof(shown)), r->what, r->kind);
        return MADI_OK;
    }
    /* No register imported yet: record the code as provisional, and say so. */
    if (im->row_bad)
        return MADI_OK;
    madi_stmt_bind_int(r->ins_prov, 1, im->batch);
    madi_stmt_bind_int(r->ins_prov, 2, (int64_t)im->line);
    madi_stmt_bind_text(r->ins_prov, 3, p, n);
    int rc = madi_stmt_step(r->ins_prov, im->err);
    if (rc == MADI_STMT_ROW) {
        v->i = madi_stmt_int(r->ins_prov, 0);
        rc = MADI_OK;
    }
    madi_stmt_reset(r->ins_prov);
    if (rc < 0)
        return rc;
    madi_strmap_put(&r->map, key, kn, v->i * 2 + 1);
    im->res->provisional++;
    diag(im, MADI_DIAG_WARNING, im->line, (unsigned)im->fieldcol[f] + 1, fd->name,
         "%s %s is not registered yet; it is recorded as provisional (import your %s register "
         "with 'madi import --kind %s' so that codes are checked)",
         r->what, show(im, p, n, shown, sizeof(shown)), r->what, r->kind);
    return MADI_OK;
}

/* ---- cells ---- */

static const char *codes_list(const struct madi_codelist *l, char *out, size_t outsz)
{
    size_t j = 0;
    out[0] = '\0';
    for (size_t i = 0; i < l->n && j < outsz; i++)
        j += (size_t)snprintf(out + j, outsz - j, "%s%s", i ? ", " : "", l->codes[i].code);
    return out;
}

/*
 * A count written with thousands separators, as spreadsheets show them: "1,250", "1 250", and in
 * a semicolon (European-locale) file "1.250". Only well-formed groups of three are accepted, so
 * "1,5" or "12,50" stay errors. Returns 1 and sets *out when the text is such a number.
 */
static int grouped_count(const char *p, size_t n, char delim, int64_t *out)
{
    char digits[32], sep = 0;
    size_t nd = 0, run = 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (isdigit((unsigned char)c)) {
            if (nd + 1 >= sizeof(digits))
                return 0;
            digits[nd++] = c;
            run++;
            continue;
        }
        int is_sep = c == ',' || c == ' ' || (c == '.' && delim == ';');
        if (!is_sep || run == 0 || (sep && c != sep) || (!sep && run > 3) || (sep && run != 3))
            return 0;
        sep = c;
        run = 0;
    }
    if (!sep || run != 3)
        return 0;
    char why[8];
    digits[nd] = '\0';
    return madi_parse_count(digits, nd, out, why, sizeof(why)) == 0;
}

/* Length and control characters; a personal value is never quoted. */
static int check_id(struct importer *im, int f, const char *p, size_t n, int maxlen)
{
    char shown[64];
    if ((int)n > maxlen && im->kind->fields[f].type == MADI_F_PERSONAL) {
        cell_error(im, f, "is too long (at most %d characters; not shown, as it is personal)",
                   maxlen);
        return -1;
    }
    if ((int)n > maxlen) {
        cell_error(im, f, "%s is too long (at most %d characters)",
                   show(im, p, n, shown, sizeof(shown)), maxlen);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f) {
            cell_error(im, f, "contains a control character (remove it)");
            return -1;
        }
    }
    return 0;
}

/* Trim spaces, and the invisible characters spreadsheets leave around values: no-break spaces
 * (U+00A0) and byte order marks (U+FEFF). */
static void trim_value(const char **pp, size_t *pn)
{
    const char *p = *pp;
    size_t n = *pn;
    for (;;) {
        if (n && madi_is_space((unsigned char)*p)) {
            p++;
            n--;
        } else if (n >= 2 && (unsigned char)p[0] == 0xc2 && (unsigned char)p[1] == 0xa0) {
            p += 2;
            n -= 2;
        } else if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
            p += 3;
            n -= 3;
        } else {
            break;
        }
    }
    for (;;) {
        if (n && madi_is_space((unsigned char)p[n - 1]))
            n--;
        else if (n >= 2 && (unsigned char)p[n - 2] == 0xc2 && (unsigned char)p[n - 1] == 0xa0)
            n -= 2;
        else if (n >= 3 && memcmp(p + n - 3, "\xef\xbb\xbf", 3) == 0)
            n -= 3;
        else
            break;
    }
    *pp = p;
    *pn = n;
}

/*
 * A personal cell: opened first when sealed to the centre's key. Messages about it never quote
 * it. Returns -1 (reported) when the cell is not usable.
 */
static int parse_personal(struct importer *im, int f, const char **pp, size_t *pn)
{
    const char *p = *pp;
    size_t n = *pn;
    if (madi_privacy_is_sealed(p, n)) {
        madi_privacy_plain_free(im->plain[f]);
        im->plain[f] = NULL;
        im->has_plain = 1;
        if (madi_privacy_unseal(im->o->key, p, n, &im->plain[f], &n)) {
            cell_error(im, f,
                       "this sealed cell does not open with the centre's key (it was sealed to "
                       "another key, or altered on the way: ask the operator to seal it again "
                       "with 'madi keys seal')");
            return -1;
        }
        p = im->plain[f];
        if (!csv_text_ok(p, n)) { /* a plain cell would have been checked by the reader */
            cell_error(im, f,
                       "this sealed cell opens, but what is inside is not UTF-8 text: ask the "
                       "operator to save the file as UTF-8 and seal it again");
            return -1;
        }
    }
    if (check_id(im, f, p, n, MAX_PERSONAL))
        return -1;
    *pp = p;
    *pn = n;
    return 0;
}

static int parse_cell(struct importer *im, int f, const char *p, size_t n)
{
    const struct madi_field *fd = &im->kind->fields[f];
    struct val *v = &im->vals[f];
    char why[256], shown[64];
    trim_value(&p, &n);
    memset(v, 0, sizeof(*v));
    if (n && im->map.nvalues) {
        const char *to = mapping_value(&im->map, fd->name, p, n);
        if (to) {
            p = to;
            n = strlen(to);
        }
    }
    if (!n) {
        if (fd->flags & MADI_FLD_REQUIRED)
            cell_error(im, f, "%s is required but the cell is blank", fd->name);
        return MADI_OK;
    }
    switch (fd->type) {
    case MADI_F_ID:
    case MADI_F_TEXT:
        if (check_id(im, f, p, n, fd->type == MADI_F_ID ? MAX_ID_LEN : MAX_TEXT))
            return MADI_OK;
        v->s = p;
        v->n = n;
        break;
    case MADI_F_COUNT:
        if (madi_parse_count(p, n, &v->i, why, sizeof(why)) &&
            !grouped_count(p, n, im->delim, &v->i)) {
            cell_error(im, f, "%s: %s", show(im, p, n, shown, sizeof(shown)), why);
            return MADI_OK;
        }
        break;
    case MADI_F_DECIMAL: {
        /* In a semicolon file (a European-locale spreadsheet) "2500,5" is 2500.5. */
        char tmp[64];
        if (im->delim == ';' && n < sizeof(tmp) && memchr(p, ',', n) && !memchr(p, '.', n)) {
            memcpy(tmp, p, n);
            for (size_t i = 0; i < n; i++)
                if (tmp[i] == ',')
                    tmp[i] = '.';
            if (!madi_parse_decimal(tmp, n, &v->d, why, sizeof(why)))
                break;
        }
        if (madi_parse_decimal(p, n, &v->d, why, sizeof(why))) {
            cell_error(im, f, "%s: %s", show(im, p, n, shown, sizeof(shown)), why);
            return MADI_OK;
        }
        break;
    }
    case MADI_F_DATE: {
        int32_t d = 0;
        if (madi_parse_date(p, n, im->today, &d, why, sizeof(why))) {
            if (hide_values(im)) /* the parser's reason may quote the date */
                (void)snprintf(why, sizeof(why),
                               "not a real date from 1950 to today (write it as YYYY-MM-DD)");
            cell_error(im, f, "%s: %s", show(im, p, n, shown, sizeof(shown)), why);
            return MADI_OK;
        }
        v->i = d;
        break;
    }
    case MADI_F_YEAR:
    case MADI_F_LEVEL: {
        int64_t y = 0;
        int lo = fd->type == MADI_F_YEAR ? 1900 : 0;
        int hi = fd->type != MADI_F_YEAR       ? 9
                 : fd->flags & MADI_FLD_FUTURE ? MADI_YEAR_FUTURE_MAX
                                               : im->today / 10000; /* no future years */
        if (madi_parse_count(p, n, &y, why, sizeof(why)) || y < lo || y > hi) {
            cell_error(im, f, "%s is not a %s between %d and %d",
                       show(im, p, n, shown, sizeof(shown)),
                       fd->type == MADI_F_YEAR ? "year" : "level", lo, hi);
            return MADI_OK;
        }
        v->i = y;
        break;
    }
    case MADI_F_AGE: {
        int a = 0;
        if (madi_parse_age(p, n, &a, why, sizeof(why))) {
            if (hide_values(im)) /* the parser's reason may quote the age */
                (void)snprintf(why, sizeof(why), "not an age in whole years (0-%d)", MADI_AGE_MAX);
            cell_error(im, f, "%s: %s", show(im, p, n, shown, sizeof(shown)), why);
            return MADI_OK;
        }
        v->i = a;
        break;
    }
    case MADI_F_AGE_BAND: {
        struct madi_band b;
        if (madi_band_parse(p, n, &b, why, sizeof(why))) {
            cell_error(im, f, "%s: %s", show(im, p, n, shown, sizeof(shown)), why);
            return MADI_OK;
        }
        int edge = 0;
        if (madi_band_align(b, madi_bandset_canonical, &edge)) {
            cell_error(im, f,
                       "age band %s does not line up with madi's age bands 0-4, 5-11, 12-17, "
                       "18-24, 25-59, 60+ (no band %s at %d), so it could not be counted as "
                       "under-18 or 18+ (give exact ages, or bands that start at 0, 5, 12, 18, "
                       "25 or 60)",
                       show(im, p, n, shown, sizeof(shown)), edge == b.lo ? "starts" : "ends",
                       edge == b.lo ? edge : edge - 1);
            return MADI_OK;
        }
        v->lo = b.lo;
        v->hi = b.hi;
        break;
    }
    case MADI_F_CODE: {
        if (im->codelist_of[f] != fd) {
            im->codelist[f] = madi_codelist_find(fd->codes);
            im->codelist_of[f] = fd;
        }
        const struct madi_codelist *l = im->codelist[f];
        struct code_memo *m = &im->code_memo[f];
        for (int k = 0; k < CODE_MEMO; k++) {
            if (m->n[k] == n && memcmp(m->text[k], p, n) == 0) {
                v->i = m->value[k];
                v->set = 1;
                return MADI_OK;
            }
        }
        struct madi_code custom;
        const struct madi_code *c = l ? madi_code_match(l, p, n) : NULL;
        if (!c && l)
            c = custom_code(im, l, p, n, &custom);
        if (c && n < sizeof(m->text[0])) { /* the column's last few values, as written */
            int k = m->next++ % CODE_MEMO;
            memcpy(m->text[k], p, n);
            m->n[k] = n;
            m->value[k] = c->value;
        }
        if (!c) {
            char list[256];
            if (repeat_seen(im, f, p, n))
                return MADI_OK;
            cell_error(im, f, "%s is not a code of '%s' (use one of: %s%s)",
                       show(im, p, n, shown, sizeof(shown)), fd->codes,
                       l ? codes_list(l, list, sizeof(list)) : "?",
                       l && l->extensible ? ", or a code added with 'madi codes add'" : "");
            return MADI_OK;
        }
        v->i = c->value;
        break;
    }
    case MADI_F_REF: {
        v->set = 1; /* resolve_ref clears on error via row_bad */
        int rc = resolve_ref(im, f, p, n, v);
        if (rc)
            return rc;
        if (im->row_bad && !v->i)
            v->set = 0;
        return MADI_OK;
    }
    case MADI_F_PERSON_KEY: {
        uint64_t k = 0;
        if (madi_parse_person_key(p, n, &k, why, sizeof(why))) {
            cell_error(im, f, "%s: %s", show(im, p, n, shown, sizeof(shown)), why);
            return MADI_OK;
        }
        v->i = (int64_t)k;
        break;
    }
    case MADI_F_PERSONAL:
        if (parse_personal(im, f, &p, &n))
            return MADI_OK;
        v->s = p;
        v->n = n;
        break;
    case MADI_F_DUE_DATE: {
        int32_t d = 0;
        if (madi_parse_date(p, n, 99991231, &d, why, sizeof(why))) {
            cell_error(im, f, "%s: %s", show(im, p, n, shown, sizeof(shown)), why);
            return MADI_OK;
        }
        v->i = d;
        break;
    }
    }
    v->set = 1;
    return MADI_OK;
}

/* ---- row checks ---- */

/* Field index by name, memoised by the name's address (names are string constants), because
 * the row checks ask for the same few names on every row. */
static int fidx(struct importer *im, const char *name)
{
    for (int i = 0; i < im->nfcache; i++)
        if (im->fcache_name[i] == name)
            return im->fcache_idx[i];
    int idx = madi_kind_field_index(im->kind, name);
    if (im->nfcache < (int)(sizeof(im->fcache_idx) / sizeof(im->fcache_idx[0]))) {
        im->fcache_name[im->nfcache] = name;
        im->fcache_idx[im->nfcache++] = idx;
    }
    return idx;
}

/* The last part of an exhaustive partition is its "unknown": only when it is given has the
 * source accounted for everyone, so that the parts must add up to the total exactly. */
static int last_given(struct importer *im, const struct madi_sum *s)
{
    size_t n = 0;
    while (s->parts[n])
        n++;
    int f = n ? fidx(im, s->parts[n - 1]) : -1;
    return f >= 0 && im->vals[f].set;
}

static void check_sums(struct importer *im)
{
    const struct madi_kind *k = im->kind;
    for (size_t i = 0; i < k->nsums; i++) {
        const struct madi_sum *s = &k->sums[i];
        int t = fidx(im, s->total);
        int64_t sum = 0;
        int nparts = 0, given = 0;
        char names[256];
        size_t j = 0;
        names[0] = '\0';
        for (size_t p = 0; s->parts[p]; p++) {
            int f = fidx(im, s->parts[p]);
            /* A part the file has no column for is not one of its categories (a form without
             * "other sex"): every part the file does have, given, must add up. */
            if (f < 0 || im->fieldcol[f] < 0)
                continue;
            nparts++;
            if (f >= 0 && im->vals[f].set) {
                given++;
                sum += im->vals[f].i;
                if (j < sizeof(names))
                    j += (size_t)snprintf(names + j, sizeof(names) - j, "%s%s",
                                          given > 1 ? " + " : "", s->parts[p]);
            }
        }
        if (!given || t < 0)
            continue;
        if (!im->vals[t].set) {
            if (!(k->fields[t].flags & MADI_FLD_REQUIRED))
                cell_error(im, t, "%s is given but %s is blank (give the total as well)", names,
                           s->total);
            continue;
        }
        int64_t total = im->vals[t].i;
        if (sum > total && !s->parts[1]) {
            cell_error(im, t,
                       "%s %lld is more than %s %lld: a part cannot exceed its whole (check "
                       "the figures)",
                       names, (long long)sum, s->total, (long long)total);
        } else if (sum > total) {
            cell_error(im, t,
                       "the parts by %s (%s) add up to %lld, more than %s %lld (check the "
                       "figures)",
                       s->what, names, (long long)sum, s->total, (long long)total);
        } else if (s->exhaustive && given == nparts && last_given(im, s) && sum != total) {
            cell_error(im, t,
                       "the parts by %s (%s) add up to %lld, not %s %lld (correct a figure, or "
                       "leave the unknown part blank if it was not counted)",
                       s->what, names, (long long)sum, s->total, (long long)total);
        }
    }
}

static void check_order(struct importer *im, const char *first, const char *second)
{
    int a = fidx(im, first), b = fidx(im, second);
    if (a < 0 || b < 0 || !im->vals[a].set || !im->vals[b].set)
        return;
    int64_t x = im->vals[a].i, y = im->vals[b].i;
    if (y < x)
        cell_error(im, b, "%s %04d-%02d-%02d comes before %s %04d-%02d-%02d (check the dates)",
                   second, (int)(y / 10000), (int)(y / 100 % 100), (int)(y % 100), first,
                   (int)(x / 10000), (int)(x / 100 % 100), (int)(x % 100));
}

static int is_protected(struct importer *im)
{
    if (!im->protected_kind)
        im->protected_kind = madi_kind_is_protected(im->kind) ? 2 : 1;
    return im->protected_kind == 2;
}

static void check_row(struct importer *im)
{
    if (!im->rc_ready) {
        im->rc_age = fidx(im, "age");
        im->rc_band = fidx(im, "age_band");
        im->rc_reason = fidx(im, "exit_reason");
        im->rc_exit = fidx(im, "exit_date");
        im->rc_wg0 = fidx(im, "wg_seeing");
        im->rc_dis = fidx(im, "disability");
        im->rc_dated = fidx(im, "start_date") >= 0 || fidx(im, "hire_date") >= 0 ||
                       fidx(im, "active_from") >= 0 || fidx(im, "date_referred") >= 0;
        im->rc_ready = 1;
    }
    int age = im->rc_age, band = im->rc_band;
    if (age >= 0 && band >= 0 && im->vals[age].set && im->vals[band].set) {
        struct val *b = &im->vals[band];
        int a = (int)im->vals[age].i;
        if (a < b->lo || (b->hi != MADI_AGE_OPEN && a > b->hi))
            cell_error(im, band, "age %d does not fall in the age band given on the same row", a);
    }
    if (im->rc_dated) {
        check_order(im, "start_date", "end_date");
        check_order(im, "hire_date", "exit_date");
        check_order(im, "active_from", "active_to");
        check_order(im, "date_referred", "due_date");
        check_order(im, "date_referred", "outcome_date");
    }
    int reason = im->rc_reason, exit = im->rc_exit;
    if (reason >= 0 && exit >= 0 && im->vals[reason].set && !im->vals[exit].set)
        cell_error(im, reason,
                   "an exit reason is given but no exit_date (give the date it "
                   "happened, or clear the reason)");
    int wg0 = im->rc_wg0, dis = im->rc_dis;
    if (wg0 >= 0 && dis >= 0) {
        int ans[6], n = 0;
        for (int i = 0; i < 6; i++) {
            ans[i] = im->vals[wg0 + i].set ? (int)im->vals[wg0 + i].i : 0;
            n += im->vals[wg0 + i].set;
        }
        if (n) {
            int st = madi_wg_status(ans);
            if (!im->vals[dis].set && st != MADI_UNKNOWN) {
                im->vals[dis].set = 1;
                im->vals[dis].i = st;
            } else if (im->vals[dis].set && st != MADI_UNKNOWN && im->vals[dis].i != st) {
                diag(im, MADI_DIAG_WARNING, im->line, (unsigned)im->fieldcol[dis] + 1, "disability",
                     "disability says '%s' but the WG-SS answers on the same row say '%s'; kept "
                     "as given (check which is right)",
                     im->vals[dis].i == MADI_YES ? "yes" : "no", st == MADI_YES ? "yes" : "no");
            }
        }
    }
    check_sums(im);
}

/* ---- statements ---- */

static void add_columns(struct madi_buf *b, const struct madi_kind *k, int *nparams, int upd)
{
    for (size_t f = 0; f < k->nfields; f++) {
        const struct madi_field *fd = &k->fields[f];
        const char *sep = upd ? " = ?, " : ", ";
        if (fd->type == MADI_F_REF)
            (void)madi_buf_addf(b, "%s_id%s", fd->name, sep);
        else if (fd->type == MADI_F_AGE_BAND)
            (void)madi_buf_addf(b, "%s_lo%s%s_hi%s", fd->name, sep, fd->name, sep);
        else
            (void)madi_buf_addf(b, "%s%s", fd->name, sep);
        *nparams += fd->type == MADI_F_AGE_BAND ? 2 : 1;
    }
    b->len -= 2;
    b->data[b->len] = '\0';
}

static int prepare_statements(struct importer *im)
{
    int rc = MADI_OK, n = 0;
    const struct madi_kind *k = im->kind;
    struct madi_buf b;
    madi_buf_init(&b, 0);
    (void)madi_buf_addf(&b, "INSERT INTO %s (batch_id, line, ", k->table);
    add_columns(&b, k, &n, 0);
    (void)madi_buf_adds(&b, ") VALUES (?, ?");
    for (int i = 0; i < n; i++)
        (void)madi_buf_adds(&b, ", ?");
    /* Only registers need the new row's id (others refer to it by code). */
    (void)madi_buf_adds(&b, (k->flags & MADI_KIND_REGISTER) ? ") RETURNING id" : ")");
    rc = madi_store_prepare(im->s, b.data, &im->ins, im->err);
    if (rc)
        goto done;
    if (k->flags & MADI_KIND_REGISTER) {
        madi_buf_reset(&b);
        n = 0;
        (void)madi_buf_addf(&b, "UPDATE %s SET batch_id = ?, line = ?, provisional = 0, ",
                            k->table);
        add_columns(&b, k, &n, 1);
        (void)madi_buf_adds(&b, " WHERE id = ?");
        rc = madi_store_prepare(im->s, b.data, &im->upd, im->err);
        if (rc)
            goto done;
    }
    madi_buf_reset(&b);
    (void)madi_buf_addf(&b, "SELECT batch_id, line FROM %s WHERE ", k->table);
    int nkeys = 0;
    for (size_t f = 0; f < k->nfields; f++) {
        const struct madi_field *fd = &k->fields[f];
        if (!(fd->flags & MADI_FLD_KEY))
            continue;
        (void)madi_buf_addf(&b, "%s%s%s = ?", nkeys ? " AND " : "", fd->name,
                            fd->type == MADI_F_REF        ? "_id"
                            : fd->type == MADI_F_AGE_BAND ? "_lo"
                                                          : "");
        nkeys++;
    }
    if (nkeys)
        rc = madi_store_prepare(im->s, b.data, &im->lookup, im->err);
    /* A key with an age band (population): bands of the same area, year and sex must not
     * overlap, or people are counted twice (0-17 and 12-17). */
    im->band_key = -1;
    for (size_t f = 0; f < k->nfields; f++)
        if ((k->fields[f].flags & MADI_FLD_KEY) && k->fields[f].type == MADI_F_AGE_BAND)
            im->band_key = (int)f;
    if (!rc && im->band_key >= 0) {
        const char *bn = k->fields[im->band_key].name;
        madi_buf_reset(&b);
        (void)madi_buf_addf(&b, "SELECT batch_id, line, %s_lo, %s_hi FROM %s WHERE ", bn, bn,
                            k->table);
        for (size_t f = 0; f < k->nfields; f++) {
            const struct madi_field *fd = &k->fields[f];
            if ((fd->flags & MADI_FLD_KEY) && (int)f != im->band_key)
                (void)madi_buf_addf(&b, "%s%s = ? AND ", fd->name,
                                    fd->type == MADI_F_REF ? "_id" : "");
        }
        (void)madi_buf_addf(&b, "%s_lo <= ? AND coalesce(%s_hi, 1000) >= ? LIMIT 1", bn, bn);
        rc = madi_store_prepare(im->s, b.data, &im->overlap, im->err);
    }
done:
    madi_buf_release(&b);
    return rc;
}

static void bind_val(struct madi_stmt *st, int *i, const struct madi_field *fd, const struct val *v)
{
    if (fd->type == MADI_F_AGE_BAND) {
        if (v->set) {
            madi_stmt_bind_int(st, (*i)++, v->lo);
            if (v->hi == MADI_AGE_OPEN)
                madi_stmt_bind_null(st, (*i)++);
            else
                madi_stmt_bind_int(st, (*i)++, v->hi);
        } else {
            madi_stmt_bind_null(st, (*i)++);
            madi_stmt_bind_null(st, (*i)++);
        }
        return;
    }
    if (!v->set)
        madi_stmt_bind_null(st, *i);
    else if (fd->type == MADI_F_ID || fd->type == MADI_F_TEXT)
        madi_stmt_bind_text_ref(st, *i, v->s, v->n); /* the row outlives the step */
    else if (fd->type == MADI_F_DECIMAL)
        madi_stmt_bind_double(st, *i, v->d);
    else
        madi_stmt_bind_int(st, *i, v->i);
    (*i)++;
}

/* A personal value is bound as its ciphertext, with the record's table, column and id as
 * associated data. */
static void bind_personal(struct importer *im, struct madi_stmt *st, int i, size_t f)
{
    const struct val *v = &im->vals[f];
    int key = single_id_key(im->kind);
    if (!v->set || key < 0) {
        madi_stmt_bind_null(st, i);
        return;
    }
    char *cipher = NULL;
    (void)madi_privacy_encrypt(im->o->key, im->kind->table, im->kind->fields[f].name,
                               im->vals[key].s, im->vals[key].n, v->s, v->n, &cipher);
    madi_stmt_bind_text(st, i, cipher, strlen(cipher));
    free(cipher);
}

static int bind_row(struct importer *im, struct madi_stmt *st)
{
    int i = 1;
    madi_stmt_bind_int(st, i++, im->batch);
    madi_stmt_bind_int(st, i++, (int64_t)im->line);
    for (size_t f = 0; f < im->kind->nfields; f++) {
        if (im->kind->fields[f].type == MADI_F_PERSONAL)
            bind_personal(im, st, i++, f);
        else
            bind_val(st, &i, &im->kind->fields[f], &im->vals[f]);
    }
    return i;
}

/* Report a repeated key; returns 1 instead (reporting nothing) when `skip_earlier` and the
 * record came in an earlier batch. */
static int report_duplicate(struct importer *im, int skip_earlier, const char *dbmsg)
{
    const struct madi_kind *k = im->kind;
    int i = 1, keyf = -1;
    int64_t batch = 0, line = 0;
    for (size_t f = 0; f < k->nfields; f++) {
        if (!(k->fields[f].flags & MADI_FLD_KEY))
            continue;
        if (keyf < 0)
            keyf = (int)f;
        const struct val *v = &im->vals[f];
        if (k->fields[f].type == MADI_F_AGE_BAND)
            madi_stmt_bind_int(im->lookup, i++, v->lo);
        else if (k->fields[f].type == MADI_F_ID)
            madi_stmt_bind_text(im->lookup, i++, v->s, v->n);
        else
            madi_stmt_bind_int(im->lookup, i++, v->i);
    }
    if (im->lookup && madi_stmt_step(im->lookup, NULL) == MADI_STMT_ROW) {
        batch = madi_stmt_int(im->lookup, 0);
        line = madi_stmt_int(im->lookup, 1);
    }
    if (im->lookup)
        madi_stmt_reset(im->lookup);
    if (keyf < 0)
        keyf = 0;
    if (!batch) {
        /* Not a repeated key: some other rule of the database refused the record. */
        cell_error(im, keyf, "the database refused this record (%s); please report this",
                   dbmsg && *dbmsg ? dbmsg : "constraint");
        return 0;
    }
    if (skip_earlier && batch != im->batch)
        return 1;
    /* Name the key: "session_id 'S-6'", or for a composite key "the same area, year, sex and
     * age_band". */
    char what[256];
    int nkeys = 0, done = 0;
    for (size_t f = 0; f < k->nfields; f++)
        nkeys += (k->fields[f].flags & MADI_FLD_KEY) != 0;
    if (nkeys > 1) {
        size_t j = (size_t)snprintf(what, sizeof(what), "the same");
        for (size_t f = 0; f < k->nfields && j < sizeof(what); f++) {
            if (!(k->fields[f].flags & MADI_FLD_KEY))
                continue;
            done++;
            j += (size_t)snprintf(what + j, sizeof(what) - j, "%s%s",
                                  done == 1       ? " "
                                  : done == nkeys ? " and "
                                                  : ", ",
                                  k->fields[f].name);
        }
    } else {
        char shown[64] = "";
        if (k->fields[keyf].type == MADI_F_ID)
            quote(im->vals[keyf].s, im->vals[keyf].n, shown, sizeof(shown)); /* a stored id */
        (void)snprintf(what, sizeof(what), "%s %s", k->fields[keyf].name, shown);
    }
    if (batch == im->batch)
        cell_error(im, keyf,
                   "%s: already on line %lld of this file (each record once: remove or renumber "
                   "one of them)",
                   what, (long long)line);
    else if (im->only_org_id) /* an operator: where another's record is stored is not theirs */
        cell_error(im, keyf,
                   "%s: already stored at the centre (give the record a new id, or to correct "
                   "a file you submitted, upload it again as a replacement of its batch)",
                   what);
    else
        cell_error(im, keyf,
                   "%s: already imported in batch %lld (line %lld); to correct that batch, "
                   "re-import its corrected file with --replace %lld",
                   what, (long long)batch, (long long)line, (long long)batch);
    return 0;
}

/* ---- an operator's file: its own organisation's records only (o->only_org) ---- */

static int is_org_field(const struct madi_field *fd)
{
    return fd->type == MADI_F_REF && fd->ref == MADI_REF_ORG;
}

/* The kind must name an organisation: else the whole file is refused (MADI_EREJECTED, said as
 * a finding), before anything else is looked at. */
static int only_org_kind(struct importer *im)
{
    const struct madi_kind *k = im->kind;
    int has = 0;
    for (size_t f = 0; f < k->nfields; f++)
        has |= is_org_field(&k->fields[f]);
    if (has)
        return MADI_OK;
    diag(im, MADI_DIAG_ERROR, 0, 0, NULL,
         "%s records are the centre's to import: they name no organisation, and you can submit "
         "only %s's records (send this file to the centre instead)",
         k->name, im->o->only_org);
    return MADI_EREJECTED;
}

/* The operator's organisation must be registered (the register is loaded by then). */
static int only_org_ready(struct importer *im)
{
    int64_t enc = 0;
    char key[MAX_ID_LEN + 1];
    size_t kn = code_key(im->o->only_org, strlen(im->o->only_org), key);
    if (!madi_strmap_get(&im->regs[MADI_REF_ORG].map, key, kn, &enc) || (enc & 1)) {
        diag(im, MADI_DIAG_ERROR, 0, 0, NULL,
             "organisation %s is not in the organisation register (the centre registers it "
             "first)",
             im->o->only_org);
        return MADI_EREJECTED;
    }
    im->only_org_id = enc >> 1;
    return MADI_OK;
}

/* Every organisation cell of the row must be the operator's. */
static void check_only_org(struct importer *im, const struct madi_csv_row *row)
{
    const struct madi_kind *k = im->kind;
    char shown[64];
    for (size_t f = 0; f < k->nfields; f++) {
        const struct madi_field *fd = &k->fields[f];
        int c = im->fieldcol[f];
        if (!is_org_field(fd))
            continue;
        if (im->vals[f].set && im->vals[f].i != im->only_org_id)
            cell_error(im, (int)f,
                       "this row is for organisation %s; you can submit only %s's records",
                       show(im, row->fields[c].p, row->fields[c].len, shown, sizeof(shown)),
                       im->o->only_org);
        else if (!im->vals[f].set && !(fd->flags & MADI_FLD_REQUIRED) &&
                 (c < 0 || !row->fields[c].len))
            cell_error(im, (int)f,
                       "%s is blank; you can submit only %s's records (write %s in the cell)",
                       fd->name, im->o->only_org, im->o->only_org);
    }
}

/* A register entry from an earlier batch is updated in place: only the operator's own. Sets
 * *refused (with the error said) when it belongs to another organisation or to none. */
static int check_owner(struct importer *im, int keyf, int64_t id, int *refused)
{
    const struct madi_kind *k = im->kind;
    int of = -1;
    char shown[64];
    *refused = 0;
    for (size_t f = 0; f < k->nfields && of < 0; f++)
        if (is_org_field(&k->fields[f]))
            of = (int)f;
    if (of < 0)
        return MADI_OK;
    if (!im->q_owner) {
        char *sql = xasprintf("SELECT coalesce(o.code, ''), coalesce(o.id, 0) FROM %s t LEFT JOIN "
                              "organisation o ON o.id = t.%s_id WHERE t.id = ?",
                              k->table, k->fields[of].name);
        int rc = madi_store_prepare(im->s, sql, &im->q_owner, im->err);
        free(sql);
        if (rc)
            return rc;
    }
    madi_stmt_bind_int(im->q_owner, 1, id);
    int rc = madi_stmt_step(im->q_owner, im->err);
    if (rc == MADI_STMT_ROW && madi_stmt_int(im->q_owner, 1) != im->only_org_id) {
        const char *owner = madi_stmt_text(im->q_owner, 0);
        *refused = 1;
        cell_error(im, keyf,
                   "%s %s is already registered for %s: you can update only %s's entries (ask "
                   "the centre to change it)",
                   k->fields[keyf].name,
                   show(im, im->vals[keyf].s, im->vals[keyf].n, shown, sizeof(shown)),
                   *owner ? owner : "no organisation", im->o->only_org);
    }
    madi_stmt_reset(im->q_owner);
    return rc < 0 ? rc : MADI_OK;
}

/* Store the current row: insert, or upgrade a provisional register entry. */
static int store_block_row(struct importer *im);

static int store_row(struct importer *im)
{
    const struct madi_kind *k = im->kind;
    int rc = MADI_OK;
    if (im->blocks)
        return store_block_row(im);
    struct madi_err e;
    int keyf = -1;
    int64_t enc = 0, id = 0;
    struct reg *self = NULL;
    if (k->flags & MADI_KIND_REGISTER) {
        for (int r = 1; r < 5; r++)
            if (strcmp(im->regs[r].table, k->table) == 0)
                self = &im->regs[r];
        for (size_t f = 0; f < k->nfields; f++)
            if (k->fields[f].flags & MADI_FLD_KEY)
                keyf = (int)f;
    }
    char key[MAX_ID_LEN + 1];
    size_t kn = self ? code_key(im->vals[keyf].s, im->vals[keyf].n, key) : 0;
    int known = self && madi_strmap_get(&self->map, key, kn, &enc);
    int64_t first = 0;
    if (known && madi_strmap_get(&im->touched, key, kn, &first)) {
        /* The same code twice in this file (letter case does not make codes different). */
        char shown[64];
        cell_error(im, keyf,
                   "%s %s: already on line %lld of this file (codes match whatever their letter "
                   "case: remove or renumber one of them)",
                   k->fields[keyf].name,
                   show(im, im->vals[keyf].s, im->vals[keyf].n, shown, sizeof(shown)),
                   (long long)first);
        return MADI_OK;
    }
    if (im->overlap && im->vals[im->band_key].set) {
        int i = 1;
        for (size_t f = 0; f < k->nfields; f++)
            if ((k->fields[f].flags & MADI_FLD_KEY) && (int)f != im->band_key)
                madi_stmt_bind_int(im->overlap, i++, im->vals[f].i);
        const struct val *bv = &im->vals[im->band_key];
        madi_stmt_bind_int(im->overlap, i++, bv->hi == MADI_AGE_OPEN ? 1000 : bv->hi);
        madi_stmt_bind_int(im->overlap, i, bv->lo);
        int found = madi_stmt_step(im->overlap, NULL) == MADI_STMT_ROW;
        int64_t ob = found ? madi_stmt_int(im->overlap, 0) : 0;
        int64_t ol = found ? madi_stmt_int(im->overlap, 1) : 0;
        int64_t lo = found ? madi_stmt_int(im->overlap, 2) : 0;
        int open = found && madi_stmt_is_null(im->overlap, 3);
        int64_t hi = found && !open ? madi_stmt_int(im->overlap, 3) : 0;
        madi_stmt_reset(im->overlap);
        if (found) {
            char band[32];
            if (open)
                (void)snprintf(band, sizeof(band), "%lld+", (long long)lo);
            else
                (void)snprintf(band, sizeof(band), "%lld-%lld", (long long)lo, (long long)hi);
            if (ob == im->batch)
                cell_error(im, im->band_key,
                           "this age band overlaps %s on line %lld for the same %s: people would "
                           "be counted twice (give each age once)",
                           band, (long long)ol, "area, year and sex");
            else
                cell_error(im, im->band_key,
                           "this age band overlaps %s, imported in batch %lld (line %lld), for "
                           "the same area, year and sex: people would be counted twice (correct "
                           "that batch with --replace %lld)",
                           band, (long long)ob, (long long)ol, (long long)ob);
            return MADI_OK;
        }
    }
    if (known && !(enc & 1) && im->only_org_id) {
        int refused = 0;
        rc = check_owner(im, keyf, enc >> 1, &refused);
        if (rc || refused)
            return rc;
    }
    if (known) {
        /* A provisional entry gets its details; a registered one from an earlier batch is
         * updated in place (a register is kept current by importing it again). */
        if (!(enc & 1))
            im->res->updated++;
        int i = bind_row(im, im->upd);
        madi_stmt_bind_int(im->upd, i, enc >> 1);
        rc = madi_stmt_step(im->upd, &e);
        madi_stmt_reset(im->upd);
        id = enc >> 1;
    } else {
        (void)bind_row(im, im->ins);
        rc = madi_stmt_step(im->ins, &e);
        if (rc == MADI_STMT_ROW)
            id = madi_stmt_int(im->ins, 0);
        madi_stmt_rewind(im->ins); /* bind_row binds every parameter of the next row */
    }
    if (rc == MADI_ECONFLICT) {
        /* In a newer export of the same form, submissions imported before are skipped. */
        if (report_duplicate(im, im->uuid_col >= 0, e.msg)) {
            im->res->rows--;
            im->res->already++;
            im->row_skipped = 1; /* nothing of it is stored: not its name key, not its pack */
        }
        return MADI_OK;
    }
    if (rc < 0) {
        if (im->err)
            *im->err = e;
        return rc;
    }
    if (self) {
        madi_strmap_put(&self->map, key, kn, id * 2);
        madi_strmap_put(&im->touched, key, kn, (int64_t)im->line);
        self->closed = 1;
    }
    return MADI_OK;
}

/* Keyless individual rows: identical rows are different people, kept and reported. */
static void check_identical(struct importer *im, const struct madi_csv_row *row)
{
    const struct madi_kind *k = im->kind;
    if (!(k->flags & MADI_KIND_NO_KEY_OK))
        return;
    for (size_t f = 0; f < k->nfields; f++)
        if ((k->fields[f].flags & MADI_FLD_KEY) && im->vals[f].set)
            return;
    uint64_t h = 0x9e3779b97f4a7c15ULL, first = 0;
    for (size_t c = 0; c < row->n; c++)
        h = madi_hash64(row->fields[c].p, row->fields[c].len + 1, h);
    if (madi_u64map_put_new(&im->seen, h, im->line, &first)) {
        im->res->identical++;
        diag(im, MADI_DIAG_WARNING, im->line, 0, NULL,
             "this row is identical to line %llu; both are kept as different people (give each "
             "row an id to make that explicit)",
             (unsigned long long)first);
    }
}

/* ---- the batch ---- */

/* SHA-256 with nettle, which uses the CPU's SHA instructions where there are some (about 4x
 * libsodium's portable code here: 0.5 s instead of 2 s for 860 MB). */
static int file_sha256(const char *path, char hex[65], struct madi_err *err)
{
    enum { BUFSZ = 1 << 17 };
    unsigned char out[SHA256_DIGEST_SIZE];
    struct sha256_ctx st;
    FILE *f = fopen(path, "rb");
    if (!f)
        return madi_err_set(err, MADI_EIO, "cannot open %s: %s", path, strerror(errno));
    unsigned char *buf = xmalloc(BUFSZ);
    sha256_init(&st);
    size_t n;
    while ((n = fread(buf, 1, BUFSZ, f)) > 0)
        sha256_update(&st, n, buf);
    int bad = ferror(f);
    (void)fclose(f);
    free(buf);
    if (bad)
        return madi_err_set(err, MADI_EIO, "cannot read %s", path);
    sha256_digest(&st, sizeof(out), out);
    (void)sodium_bin2hex(hex, 65, out, sizeof(out));
    return MADI_OK;
}

/* The file's SHA-256 on a thread of its own, while the importer reads the rows: on two cores
 * the hash costs no time (0.5 s for 860 MB otherwise). */
static void *hasher_run(void *arg)
{
    struct hasher *h = arg;
    h->rc = file_sha256(h->path, h->hex, &h->err);
    return NULL;
}

static void hasher_start(struct hasher *h, const char *path)
{
    memset(h, 0, sizeof(*h));
    h->path = path;
    if (pthread_create(&h->thread, NULL, hasher_run, h) == 0)
        h->running = 1;
    else
        hasher_run(h); /* no thread: hash now */
}

/* Wait for the hash (once); its error, if it failed. */
static int hasher_join(struct hasher *h, struct madi_err *err)
{
    if (h->running) {
        (void)pthread_join(h->thread, NULL);
        h->running = 0;
    }
    if (h->rc && err)
        *err = h->err;
    return h->rc;
}

/*
 * The active batch this very file (same SHA-256, kind and sheet) was imported as, or 0. A
 * register is a state, updated in place: once a later batch of it may have changed entries,
 * the older file is no longer "already imported" and importing it brings its values back.
 */
static int find_same_batch(struct importer *im, const char *sha, int64_t *batch)
{
    struct madi_stmt *st = NULL;
    int reg = (im->kind->flags & MADI_KIND_REGISTER) != 0;
    int rc = madi_store_prepare(im->s,
                                reg ? "SELECT id FROM batch b WHERE sha256 = ? AND kind = ? AND "
                                      "part = ? AND status = 'active' AND NOT EXISTS (SELECT 1 "
                                      "FROM batch l WHERE l.kind = b.kind AND l.id > b.id AND "
                                      "l.status = 'active') ORDER BY id DESC LIMIT 1"
                                    : "SELECT id FROM batch WHERE sha256 = ? AND kind = ? AND "
                                      "part = ? AND status = 'active' ORDER BY id LIMIT 1",
                                &st, im->err);
    if (rc)
        return rc;
    madi_stmt_bind_text(st, 1, sha, strlen(sha));
    madi_stmt_bind_text(st, 2, im->kind->name, strlen(im->kind->name));
    madi_stmt_bind_text(st, 3, im->sheet ? im->sheet : "", im->sheet ? strlen(im->sheet) : 0);
    rc = madi_stmt_step(st, im->err);
    *batch = rc == MADI_STMT_ROW ? madi_stmt_int(st, 0) : 0;
    madi_stmt_finalize(st);
    return rc < 0 ? rc : MADI_OK;
}

/* Whether an active batch may hold this file: one of the same size, or of no recorded size. */
static int size_seen(struct importer *im, int64_t *yes)
{
    struct madi_stmt *st = NULL;
    int rc = madi_store_prepare(im->s,
                                "SELECT count(*) FROM batch WHERE status = 'active' AND "
                                "(file_size IS NULL OR file_size = ?)",
                                &st, im->err);
    if (rc)
        return rc;
    madi_stmt_bind_int(st, 1, im->file_size);
    rc = madi_stmt_step(st, im->err);
    *yes = rc == MADI_STMT_ROW ? madi_stmt_int(st, 0) : 0;
    madi_stmt_finalize(st);
    return rc < 0 ? rc : MADI_OK;
}

static int open_batch(struct importer *im, const char *sha)
{
    struct madi_stmt *st = NULL;
    char when[32];
    madi_now_iso(when);
    const char *who = im->o->who ? im->o->who : "unknown";
    int rc = madi_store_prepare(im->s,
                                "INSERT INTO batch (kind, file_name, sha256, imported_at, "
                                "imported_by, row_count, warning_count, status, part) VALUES (?, "
                                "?, ?, ?, ?, 0, 0, 'active', ?) RETURNING id",
                                &st, im->err);
    if (rc)
        return rc;
    madi_stmt_bind_text(st, 1, im->kind->name, strlen(im->kind->name));
    madi_stmt_bind_text(st, 2, im->name, strlen(im->name));
    madi_stmt_bind_text(st, 3, sha, strlen(sha));
    madi_stmt_bind_text(st, 4, when, strlen(when));
    madi_stmt_bind_text(st, 5, who, strlen(who));
    madi_stmt_bind_text(st, 6, im->sheet ? im->sheet : "", im->sheet ? strlen(im->sheet) : 0);
    rc = madi_stmt_step(st, im->err);
    if (rc == MADI_STMT_ROW) {
        im->batch = madi_stmt_int(st, 0);
        rc = MADI_OK;
    }
    madi_stmt_finalize(st);
    return rc < 0 ? rc : MADI_OK;
}

/* Whether rows stored in blocks (which have no foreign keys) refer to a register entry that
 * batch `old` of this register holds: its replacement would leave them pointing at nothing,
 * or at whatever entry takes the id next. */
static int blocks_refer(struct importer *im, int64_t old, int *used)
{
    struct madi_u64map ids;
    struct madi_stmt *st = NULL;
    *used = 0;
    madi_u64map_init(&ids);
    char *sql =
            xasprintf("SELECT id FROM %s WHERE batch_id = ? AND provisional = 0", im->kind->table);
    int rc = madi_store_prepare(im->s, sql, &st, im->err);
    free(sql);
    if (rc)
        return rc;
    madi_stmt_bind_int(st, 1, old);
    while ((rc = madi_stmt_step(st, im->err)) == MADI_STMT_ROW) {
        uint64_t prev;
        (void)madi_u64map_put_new(&ids, (uint64_t)madi_stmt_int(st, 0), 1, &prev);
    }
    madi_stmt_finalize(st);
    for (const struct madi_kind *k = madi_kinds; rc == MADI_STMT_DONE && k->name; k++) {
        if (!(k->flags & MADI_KIND_BLOCKS) || !ids.len)
            continue;
        struct rs_layout L;
        rs_layout_init(&L, k);
        for (size_t c = 0; c < L.ncols && !rc && !*used; c++) {
            int f = L.cols[c].field;
            if (f < 0 || k->fields[f].type != MADI_F_REF ||
                strcmp(im->regs[k->fields[f].ref].table, im->kind->table) != 0)
                continue;
            rc = rs_refers(im->s, &L, c, &ids, used, im->err);
        }
    }
    madi_u64map_release(&ids);
    return rc < 0 ? rc : MADI_OK;
}

static int replace_batch(struct importer *im)
{
    int rc = MADI_OK;
    struct madi_stmt *st = NULL;
    char *sql = NULL;
    int64_t old = im->o->replace_batch;
    rc = madi_store_prepare(im->s, "SELECT kind, status FROM batch WHERE id = ?", &st, im->err);
    if (rc)
        goto done;
    madi_stmt_bind_int(st, 1, old);
    rc = madi_stmt_step(st, im->err);
    if (rc < 0)
        goto done;
    if (rc != MADI_STMT_ROW) {
        rc = madi_err_set(im->err, MADI_EINVAL,
                          "there is no batch %lld to replace (see 'madi batch list')",
                          (long long)old);
        goto done;
    }
    if (strcmp(madi_stmt_text(st, 0), im->kind->name) != 0) {
        rc = madi_err_set(im->err, MADI_EINVAL,
                          "batch %lld holds %s records, not %s: a batch can only be replaced by "
                          "a file of the same kind",
                          (long long)old, madi_stmt_text(st, 0), im->kind->name);
        goto done;
    }
    if (strcmp(madi_stmt_text(st, 1), "active") != 0) {
        rc = madi_err_set(im->err, MADI_ECONFLICT,
                          "batch %lld was already replaced (see 'madi batch list')",
                          (long long)old);
        goto done;
    }
    madi_stmt_finalize(st);
    st = NULL;
    if (im->kind->flags & MADI_KIND_BLOCKS) {
        struct rs_layout L;
        rs_layout_init(&L, im->kind);
        rc = rs_delete_batch(im->s, &L, old, im->err);
        if (rc)
            goto done;
        goto mark;
    }
    if (im->kind->flags & MADI_KIND_REGISTER) {
        int used = 0;
        rc = blocks_refer(im, old, &used);
        if (!rc && used)
            rc = madi_err_set(im->err, MADI_ECONFLICT,
                              "batch %lld cannot be replaced: records in other batches refer to "
                              "entries it holds (for a register, import the corrected file "
                              "without --replace: its entries are updated in place)",
                              (long long)old);
        if (rc)
            goto done;
    }
    sql = xasprintf("DELETE FROM %s WHERE batch_id = ?%s", im->kind->table,
                    (im->kind->flags & MADI_KIND_REGISTER) ? " AND provisional = 0" : "");
    rc = madi_store_prepare(im->s, sql, &st, im->err);
    if (rc)
        goto done;
    madi_stmt_bind_int(st, 1, old);
    rc = madi_stmt_step(st, im->err);
    if (rc == MADI_ECONFLICT) {
        rc = madi_err_set(im->err, MADI_ECONFLICT,
                          "batch %lld cannot be replaced: records in other batches refer to "
                          "entries it holds (for a register, import the corrected file without "
                          "--replace: its entries are updated in place)",
                          (long long)old);
        goto done;
    }
    if (rc < 0)
        goto done;
    madi_stmt_finalize(st);
    st = NULL;
mark:
    rc = madi_store_prepare(im->s,
                            "UPDATE batch SET status = 'replaced', replaced_by = ? WHERE id = ?",
                            &st, im->err);
    if (rc)
        goto done;
    madi_stmt_bind_int(st, 1, im->batch);
    madi_stmt_bind_int(st, 2, old);
    rc = madi_stmt_step(st, im->err);
    rc = rc < 0 ? rc : MADI_OK;
done:
    madi_stmt_finalize(st);
    free(sql);
    return rc;
}

/* The batch's counts, its file's size, and its SHA-256 when that was taken alongside. */
static int close_batch(struct importer *im, const char *sha)
{
    struct madi_stmt *st = NULL;
    int rc = MADI_OK;
    if (im->late_sha) {
        rc = hasher_join(&im->hasher, im->err);
        if (rc)
            return rc;
        sha = im->hasher.hex;
    }
    rc = madi_store_prepare(im->s,
                            "UPDATE batch SET row_count = ?, warning_count = ?, sha256 = ?, "
                            "file_size = ? WHERE id = ?",
                            &st, im->err);
    if (rc)
        return rc;
    madi_stmt_bind_int(st, 1, (int64_t)im->res->rows);
    madi_stmt_bind_int(st, 2, (int64_t)im->res->warnings);
    madi_stmt_bind_text(st, 3, sha, strlen(sha));
    if (im->file_size >= 0)
        madi_stmt_bind_int(st, 4, im->file_size);
    else
        madi_stmt_bind_null(st, 4);
    madi_stmt_bind_int(st, 5, im->batch);
    rc = madi_stmt_step(st, im->err);
    madi_stmt_finalize(st);
    return rc < 0 ? rc : MADI_OK;
}

/* Choose the kind from the header when none was named. */
static int detect_kind(struct importer *im, const struct madi_csv_row *hdr,
                       const struct madi_csv_row *hxl)
{
    const struct madi_kind *best = NULL;
    int best_n = -1;
    char tied[160] = "";
    for (const struct madi_kind *k = madi_kinds; k->name; k++) {
        int n = map_columns(im, k, hdr, hxl, 0);
        if (n > best_n) {
            best = k;
            best_n = n;
            (void)snprintf(tied, sizeof(tied), "%s", k->name);
        } else if (n == best_n && n > 0) {
            size_t l = strlen(tied);
            (void)snprintf(tied + l, sizeof(tied) - l, " or %s", k->name);
        }
    }
    if (!best || best_n <= 0 || strstr(tied, " or ")) {
        if (best_n > 0)
            diag(im, MADI_DIAG_ERROR, hdr->line, 0, NULL,
                 "the header could be %s: name the kind with --kind", tied);
        else
            diag(im, MADI_DIAG_ERROR, hdr->line, 0, NULL,
                 "cannot tell what kind of records this file holds from its header (name it with "
                 "--kind; 'madi template --list' shows the kinds)");
        return -1;
    }
    im->kind = best;
    return 0;
}

static int row_is_blank(const struct madi_csv_row *r)
{
    for (size_t i = 0; i < r->n; i++)
        for (size_t j = 0; j < r->fields[i].len; j++)
            if (!isspace((unsigned char)r->fields[i].p[j]))
                return 0;
    return 1;
}

static const char *delim_name(char d)
{
    return d == '\t' ? "tab" : d == ';' ? ";" : ",";
}

/* A submission the reviewers rejected in KoBoToolbox ("Not approved") or ODK Central. */
static int is_rejected(const struct madi_csv_field *f)
{
    char v[64];
    size_t n = f->len < sizeof(v) - 1 ? f->len : sizeof(v) - 1;
    for (size_t i = 0; i < n; i++)
        v[i] = (char)tolower((unsigned char)f->p[i]);
    v[n] = '\0';
    return strstr(v, "not_approved") || strstr(v, "not approved") || strcmp(v, "rejected") == 0;
}

/*
 * A totals row, as spreadsheets end with: its first filled cell says "Total" (or Totals, Sum,
 * Grand total, Totaux, Totales) and the rest are counts. It is checked against the rows above and
 * not imported.
 */
static int other_cells_are_counts(struct importer *im, const struct madi_csv_row *row, size_t word)
{
    int counts = 0;
    for (size_t c = word + 1; c < row->n && (int)c < im->ncols; c++) {
        int64_t v = 0;
        char why[64];
        if (!row->fields[c].len)
            continue;
        if (madi_parse_count(row->fields[c].p, row->fields[c].len, &v, why, sizeof(why)) &&
            !grouped_count(row->fields[c].p, row->fields[c].len, im->delim, &v))
            return 0;
        counts++;
    }
    return counts > 0;
}

static int is_totals_row(struct importer *im, const struct madi_csv_row *row)
{
    static const char *const words[] = { "total",  "totals",  "sum",          "grand total",
                                         "totaux", "totales", "total general" };
    int has_counts = 0;
    for (size_t f = 0; f < im->kind->nfields; f++)
        has_counts |= im->kind->fields[f].type == MADI_F_COUNT;
    if (!has_counts || (im->kind->flags & MADI_KIND_REGISTER))
        return 0;
    for (size_t c = 0; c < row->n && (int)c < im->ncols; c++) {
        const char *p = row->fields[c].p;
        size_t n = row->fields[c].len;
        while (n && isspace((unsigned char)*p)) {
            p++;
            n--;
        }
        while (n && (isspace((unsigned char)p[n - 1]) || p[n - 1] == ':'))
            n--;
        if (!n)
            continue;
        for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
            if (strlen(words[w]) != n)
                continue;
            size_t i = 0;
            while (i < n && tolower((unsigned char)p[i]) == words[w][i])
                i++;
            if (i == n)
                return other_cells_are_counts(im, row, c);
        }
        return 0;
    }
    return 0;
}

static int check_totals(struct importer *im, const struct madi_csv_row *row)
{
    const struct madi_kind *k = im->kind;
    im->res->rows--;
    im->row_bad = 0;
    for (size_t f = 0; f < k->nfields; f++) {
        int c = im->fieldcol[f];
        int64_t v = 0;
        char why[128];
        if (k->fields[f].type != MADI_F_COUNT || c < 0 || !row->fields[c].len)
            continue;
        if (madi_parse_count(row->fields[c].p, row->fields[c].len, &v, why, sizeof(why)) &&
            !grouped_count(row->fields[c].p, row->fields[c].len, im->delim, &v))
            continue; /* not a number: nothing to check */
        if (im->nset[f] != im->stored)
            continue; /* some rows left it blank: the total cannot be checked */
        if (v != im->sums[f])
            cell_error(im, (int)f,
                       "the totals row says %lld for %s, but the rows above add up to %lld "
                       "(correct the total or the rows)",
                       (long long)v, k->fields[f].name, (long long)im->sums[f]);
    }
    if (!im->row_bad)
        diag(im, MADI_DIAG_NOTE, row->line, 0, NULL,
             "this is a totals row: checked against the rows above, not imported");
    return MADI_OK;
}

/* Check one data row and, while the file is clean so far, store it. */
/* ---- survivors' kinds: keys, links between records, consent ---- */

static int personal_ready(struct importer *im)
{
    /* A protected kind without personal fields (consent) is still audited: a key given is
     * checked, which keys its audit entry. */
    if (!madi_kind_has_personal(im->kind))
        return im->o->key && madi_kind_is_protected(im->kind) && madi_privacy_has_key(im->s)
                       ? madi_privacy_check(im->s, im->o->key, im->err)
                       : MADI_OK;
    if (!im->o->key)
        return madi_err_set(im->err, MADI_EDENIED,
                            "%s records carry personal fields, which madi stores only encrypted, "
                            "and no key was found: create the centre's key with 'madi keys init "
                            "--db FILE' (the key file goes beside the database, or where "
                            "MADI_KEY_FILE points), then import again",
                            im->kind->name);
    return madi_privacy_check(im->s, im->o->key, im->err);
}

static void release_plain(struct importer *im)
{
    if (!im->has_plain)
        return;
    im->has_plain = 0;
    for (size_t f = 0; f < sizeof(im->plain) / sizeof(im->plain[0]); f++) {
        madi_privacy_plain_free(im->plain[f]);
        im->plain[f] = NULL;
    }
}

/* Compute the person key of a survivor from the name, birth year and sex (or the identity
 * number) when the file does not give one. */
static void derive_person_key(struct importer *im)
{
    int pk = fidx(im, "person_key"), name = fidx(im, "name"), id = fidx(im, "id_number");
    int by = fidx(im, "birth_year"), sex = fidx(im, "sex"), age = fidx(im, "age");
    int inj = fidx(im, "date_of_injury");
    im->name_key = 0;
    if (pk < 0 || name < 0 || !im->o->key || im->kind->fields[name].type != MADI_F_PERSONAL)
        return;
    int year = by >= 0 && im->vals[by].set ? (int)im->vals[by].i : 0;
    if (!year && age >= 0 && inj >= 0 && im->vals[age].set && im->vals[inj].set)
        year = (int)(im->vals[inj].i / 10000 - im->vals[age].i); /* give or take a year */
    const struct val *nv = &im->vals[name], *iv = id >= 0 ? &im->vals[id] : NULL;
    uint64_t key = madi_privacy_person_key(
            im->o->key, nv->set ? nv->s : NULL, nv->set ? nv->n : 0, year,
            sex >= 0 && im->vals[sex].set ? (int)im->vals[sex].i : 0, iv && iv->set ? iv->s : NULL,
            iv && iv->set ? iv->n : 0, &im->name_key);
    if (!im->vals[pk].set && key) {
        im->vals[pk].set = 1;
        im->vals[pk].i = (int64_t)key;
    }
}

static int lookup_prepare(struct importer *im, struct madi_stmt **st, const char *sql)
{
    return *st ? MADI_OK : madi_store_prepare(im->s, sql, st, im->err);
}

/* The provider type's consent scope ("share_health"), or NULL when none is needed. */
static const struct madi_code *needed_scope(int provider_type, char *what, size_t whatsz)
{
    const struct madi_code *pt =
            madi_code_by_value(madi_codelist_find("provider_type"), provider_type);
    if (!pt || strcmp(pt->code, "internal") == 0)
        return NULL;
    char scope[64];
    int n = snprintf(scope, sizeof(scope), "share_%s", pt->code);
    const struct madi_codelist *l = madi_codelist_find("consent_scope");
    const struct madi_code *c = madi_code_match(l, scope, (size_t)n);
    (void)snprintf(what, whatsz, "%s", c ? c->label : pt->label);
    return c;
}

/*
 * Records about a survivor name one imported before; a referral's need is that survivor's; and
 * a referral to a provider outside the organisation needs the survivor's consent to sharing with
 * that kind of provider (the latest consent record for the scope counts).
 */
/*
 * A corrected survivors' file (--replace) must not bring back what was erased on request: the
 * batch's erased records are remembered before it is replaced, their rows in the new file must
 * leave the personal cells blank, and they are stored erased again.
 */
static int load_erased(struct importer *im)
{
    struct madi_stmt *st = NULL;
    if (strcmp(im->kind->table, "survivor") != 0)
        return MADI_OK;
    int rc = madi_store_prepare(im->s,
                                "SELECT survivor_id, erased_at FROM survivor WHERE batch_id = ? "
                                "AND erased_at IS NOT NULL",
                                &st, im->err);
    if (rc)
        return rc;
    madi_stmt_bind_int(st, 1, im->o->replace_batch);
    while ((rc = madi_stmt_step(st, im->err)) == MADI_STMT_ROW) {
        const char *id = madi_stmt_text(st, 0);
        im->erased_at = xrealloc(im->erased_at, (im->nerased + 1) * sizeof(*im->erased_at));
        im->erased_at[im->nerased] = xstrdup(madi_stmt_text(st, 1));
        madi_strmap_put(&im->erased, id, strlen(id), (int64_t)im->nerased++);
    }
    madi_stmt_finalize(st);
    return rc < 0 ? rc : MADI_OK;
}

static void check_still_erased(struct importer *im)
{
    int key = single_id_key(im->kind);
    int64_t idx = 0;
    im->keep_erased = NULL;
    if (key < 0 || !im->nerased ||
        !madi_strmap_get(&im->erased, im->vals[key].s, im->vals[key].n, &idx))
        return;
    for (size_t f = 0; f < im->kind->nfields; f++) {
        const struct madi_field *fd = &im->kind->fields[f];
        if ((fd->type == MADI_F_PERSONAL || fd->type == MADI_F_PERSON_KEY) && im->vals[f].set)
            cell_error(im, (int)f,
                       "this survivor's personal data was erased on request (%s): leave the "
                       "cell blank",
                       im->erased_at[idx]);
    }
    im->keep_erased = im->erased_at[idx];
}

static int restore_erasure(struct importer *im)
{
    struct madi_stmt *st = NULL;
    int key = single_id_key(im->kind);
    int rc = madi_store_prepare(im->s,
                                "UPDATE survivor SET erased_at = ?, person_key = NULL, name_key = "
                                "NULL WHERE survivor_id = ?",
                                &st, im->err);
    if (rc)
        return rc;
    madi_stmt_bind_text(st, 1, im->keep_erased, strlen(im->keep_erased));
    madi_stmt_bind_text(st, 2, im->vals[key].s, im->vals[key].n);
    rc = madi_stmt_step(st, im->err);
    madi_stmt_finalize(st);
    return rc < 0 ? rc : MADI_OK;
}

/* After a survivors' batch is replaced: records about a survivor the new file left out. */
static int check_orphans(struct importer *im)
{
    struct madi_stmt *st = NULL;
    char shown[64];
    int rc = madi_store_prepare(
            im->s,
            "SELECT 'need', need_id, survivor_id FROM need WHERE survivor_id NOT IN (SELECT "
            "survivor_id FROM survivor) UNION ALL SELECT 'referral', referral_id, survivor_id "
            "FROM referral WHERE survivor_id NOT IN (SELECT survivor_id FROM survivor) UNION ALL "
            "SELECT 'consent', consent_id, survivor_id FROM consent WHERE survivor_id NOT IN "
            "(SELECT survivor_id FROM survivor) LIMIT 20",
            &st, im->err);
    if (rc)
        return rc;
    while ((rc = madi_stmt_step(st, im->err)) == MADI_STMT_ROW) {
        const char *sid = madi_stmt_text(st, 2);
        diag(im, MADI_DIAG_ERROR, 0, 0, "survivor_id",
             "survivor %s is not in the corrected file, but %s %s refers to it (keep the "
             "survivor's row; to remove a person's data, use 'madi erase')",
             quote(sid, strlen(sid), shown, sizeof(shown)), madi_stmt_text(st, 0),
             madi_stmt_text(st, 1));
    }
    madi_stmt_finalize(st);
    return rc < 0 ? rc : MADI_OK;
}

/* A survivor's casualty record, when named, is expected to be known: said, not refused, since the
 * casualty file may come later. */
static int check_casualty(struct importer *im)
{
    int cf = fidx(im, "casualty_id");
    char shown[64];
    if (cf < 0 || !im->vals[cf].set)
        return MADI_OK;
    int rc = lookup_prepare(im, &im->q_casualty, "SELECT 1 FROM casualty WHERE casualty_id = ?");
    if (rc)
        return rc;
    madi_stmt_bind_text(im->q_casualty, 1, im->vals[cf].s, im->vals[cf].n);
    rc = madi_stmt_step(im->q_casualty, im->err);
    madi_stmt_reset(im->q_casualty);
    if (rc == MADI_STMT_DONE)
        diag(im, MADI_DIAG_WARNING, im->line, (unsigned)im->fieldcol[cf] + 1, "casualty_id",
             "casualty %s is not known yet (import the casualty records to link the survivor to "
             "the incident's figures)",
             show(im, im->vals[cf].s, im->vals[cf].n, shown, sizeof(shown)));
    return rc < 0 ? rc : MADI_OK;
}

/* provider_type internal means no sharing: only when to_provider is the referring organisation's
 * own code (letter case aside). */
static int check_internal(struct importer *im, int pt)
{
    const struct madi_code *c =
            madi_code_by_value(madi_codelist_find("provider_type"), (int)im->vals[pt].i);
    int tf = fidx(im, "to_provider"), of = fidx(im, "from_organisation");
    if (!c || strcmp(c->code, "internal") != 0 || tf < 0 || of < 0 || !im->vals[tf].set ||
        !im->vals[of].set || !im->vals[of].i)
        return MADI_OK;
    int rc = lookup_prepare(im, &im->q_org, "SELECT code FROM organisation WHERE id = ?");
    if (rc)
        return rc;
    madi_stmt_bind_int(im->q_org, 1, im->vals[of].i);
    rc = madi_stmt_step(im->q_org, im->err);
    const char *own = rc == MADI_STMT_ROW ? madi_stmt_text(im->q_org, 0) : "";
    const struct val *tv = &im->vals[tf];
    int same = strlen(own) == tv->n;
    for (size_t i = 0; same && i < tv->n; i++)
        same = tolower((unsigned char)own[i]) == tolower((unsigned char)tv->s[i]);
    char code[MAX_ID_LEN + 1];
    (void)snprintf(code, sizeof(code), "%s", own);
    madi_stmt_reset(im->q_org);
    if (rc < 0)
        return rc;
    if (!same)
        cell_error(im, pt,
                   "provider_type internal is only for a referral within the referring "
                   "organisation: to_provider must then be its own code %s (a referral to "
                   "another provider is sharing, and needs the survivor's consent: give that "
                   "provider's type)",
                   code);
    return MADI_OK;
}

static int check_survivor_links(struct importer *im)
{
    int sf = fidx(im, "survivor_id"), nf = fidx(im, "need_id"), pt = fidx(im, "provider_type");
    char shown[64], what[128];
    if (strcmp(im->kind->table, "survivor") == 0) {
        check_still_erased(im);
        return check_casualty(im);
    }
    if (sf < 0 || strcmp(im->kind->table, "survivor") == 0 || !im->vals[sf].set)
        return MADI_OK;
    const struct val *sv = &im->vals[sf];
    int rc = lookup_prepare(im, &im->q_survivor,
                            "SELECT erased_at IS NOT NULL FROM survivor WHERE survivor_id = ?");
    if (rc)
        return rc;
    madi_stmt_bind_text(im->q_survivor, 1, sv->s, sv->n);
    rc = madi_stmt_step(im->q_survivor, im->err);
    int found = rc == MADI_STMT_ROW;
    int erased = found && madi_stmt_int(im->q_survivor, 0);
    madi_stmt_reset(im->q_survivor);
    if (rc < 0)
        return rc;
    if (!found) {
        cell_error(im, sf,
                   "survivor %s is not known (import the survivor records first, with 'madi "
                   "import --kind survivor')",
                   show(im, sv->s, sv->n, shown, sizeof(shown)));
        return MADI_OK;
    }
    /* An erasure is not undone through the survivor's needs and referrals, new or replaced. */
    for (size_t f = 0; erased && f < im->kind->nfields; f++)
        if (im->kind->fields[f].type == MADI_F_PERSONAL && im->vals[f].set)
            cell_error(im, (int)f,
                       "survivor %s's personal data was erased on request: this %s cannot carry "
                       "%s again (leave the cell blank)",
                       quote(sv->s, sv->n, shown, sizeof(shown)), im->kind->name,
                       im->kind->fields[f].name);
    if (nf >= 0 && im->vals[nf].set && strcmp(im->kind->table, "need") != 0) {
        const struct val *nv = &im->vals[nf];
        rc = lookup_prepare(im, &im->q_need, "SELECT survivor_id FROM need WHERE need_id = ?");
        if (rc)
            return rc;
        madi_stmt_bind_text(im->q_need, 1, nv->s, nv->n);
        rc = madi_stmt_step(im->q_need, im->err);
        int same = rc == MADI_STMT_ROW && strlen(madi_stmt_text(im->q_need, 0)) == sv->n &&
                   memcmp(madi_stmt_text(im->q_need, 0), sv->s, sv->n) == 0;
        int known = rc == MADI_STMT_ROW;
        madi_stmt_reset(im->q_need);
        if (rc < 0)
            return rc;
        if (!known)
            cell_error(im, nf,
                       "need %s is not known (import the needs first, with 'madi import "
                       "--kind need')",
                       show(im, nv->s, nv->n, shown, sizeof(shown)));
        else if (!same)
            cell_error(im, nf, "need %s is another survivor's need, not %s's (check the ids)",
                       quote(nv->s, nv->n, shown, sizeof(shown)),
                       quote(sv->s, sv->n, what, sizeof(what)));
    }
    if (pt < 0 || !im->vals[pt].set)
        return MADI_OK;
    const struct madi_code *scope = needed_scope((int)im->vals[pt].i, what, sizeof(what));
    if (!scope)
        return check_internal(im, pt);
    /* Consent as it stood on the day of the referral: a later consent does not cover it. */
    int df = fidx(im, "date_referred");
    rc = lookup_prepare(im, &im->q_consent,
                        "SELECT given FROM consent WHERE survivor_id = ? AND scope = ? AND date <= "
                        "? ORDER BY date DESC, id DESC LIMIT 1");
    if (rc)
        return rc;
    madi_stmt_bind_text(im->q_consent, 1, sv->s, sv->n);
    madi_stmt_bind_int(im->q_consent, 2, scope->value);
    madi_stmt_bind_int(im->q_consent, 3, df >= 0 && im->vals[df].set ? im->vals[df].i : 99991231);
    rc = madi_stmt_step(im->q_consent, im->err);
    int given = rc == MADI_STMT_ROW && madi_stmt_int(im->q_consent, 0) == MADI_YES;
    int withdrawn = rc == MADI_STMT_ROW && !given;
    madi_stmt_reset(im->q_consent);
    if (rc < 0)
        return rc;
    if (!given)
        cell_error(im, pt,
                   "survivor %s had %s to %s on the day of the referral: record consent "
                   "first (madi import --kind consent, scope %s, dated on or before the "
                   "referral), or refer within the organisation",
                   quote(sv->s, sv->n, shown, sizeof(shown)),
                   withdrawn ? "refused or withdrawn consent" : "not consented", what, scope->code);
    return MADI_OK;
}

/*
 * After consent records are imported (a withdrawal, or a batch replaced): a warning for each
 * referral that no longer has the consent it needs, either as of the day it was made or, while
 * it is still open (proposed, accepted, in progress), now. Referrals are not changed: what to
 * do with the provider is a person's decision.
 */
static int warn_lapsed_referrals(struct importer *im)
{
    const struct madi_codelist *l = madi_codelist_find("provider_type");
    struct madi_stmt *st = NULL;
    int rc = madi_store_prepare(
            im->s,
            "SELECT referral_id, survivor_id, lapsed FROM (SELECT r.referral_id, r.survivor_id, "
            "COALESCE((SELECT c.given FROM consent c WHERE c.survivor_id = r.survivor_id AND "
            "c.scope = ?2 AND c.date <= r.date_referred ORDER BY c.date DESC, c.id DESC LIMIT "
            "1), 0) <> ?3 AS lapsed, r.status IN (1, 2, 3) AND COALESCE((SELECT c.given FROM "
            "consent c WHERE c.survivor_id = r.survivor_id AND c.scope = ?2 ORDER BY c.date "
            "DESC, c.id DESC LIMIT 1), 0) <> ?3 AS withdrawn FROM referral r WHERE "
            "r.provider_type = ?1) WHERE lapsed OR withdrawn ORDER BY referral_id",
            &st, im->err);
    for (size_t i = 0; !rc && l && i < l->n; i++) {
        char what[128];
        const struct madi_code *scope = needed_scope(l->codes[i].value, what, sizeof(what));
        if (!scope)
            continue;
        madi_stmt_bind_int(st, 1, l->codes[i].value);
        madi_stmt_bind_int(st, 2, scope->value);
        madi_stmt_bind_int(st, 3, MADI_YES);
        while ((rc = madi_stmt_step(st, im->err)) == MADI_STMT_ROW)
            diag(im, MADI_DIAG_WARNING, 0, 0, "referral",
                 "referral %s of survivor %s no longer has consent to %s (%s): tell the "
                 "provider, and record what was decided",
                 madi_stmt_text(st, 0), madi_stmt_text(st, 1), what,
                 madi_stmt_int(st, 2) ? "none on the day it was made"
                                      : "withdrawn while the referral is open");
        madi_stmt_reset(st);
        rc = rc < 0 ? rc : MADI_OK;
    }
    madi_stmt_finalize(st);
    return rc;
}

/* After a survivor is stored: its name key, for finding near duplicates (madi link review). */
static int store_name_key(struct importer *im)
{
    if (!im->name_key)
        return MADI_OK;
    int key = single_id_key(im->kind);
    if (key < 0 || strcmp(im->kind->table, "survivor") != 0)
        return MADI_OK;
    int rc = lookup_prepare(im, &im->set_name_key,
                            "UPDATE survivor SET name_key = ? WHERE survivor_id = ?");
    if (rc)
        return rc;
    madi_stmt_bind_int(im->set_name_key, 1, (int64_t)im->name_key);
    madi_stmt_bind_text(im->set_name_key, 2, im->vals[key].s, im->vals[key].n);
    rc = madi_stmt_step(im->set_name_key, im->err);
    madi_stmt_reset(im->set_name_key);
    return rc < 0 ? rc : MADI_OK;
}

static int audit_import(struct importer *im)
{
    char what[160];
    if (!madi_kind_is_protected(im->kind))
        return MADI_OK;
    (void)snprintf(what, sizeof(what), "%s batch %lld (%llu rows)", im->kind->name,
                   (long long)im->batch, im->res->rows);
    return madi_audit_append(im->s, im->o->who, "import", what, NULL, im->err);
}

/* ---- a kind stored in blocks (rowstore.h) ---- */

/* rowids_each_fn: a stored id into the runs, with where it is. */
static void spill_stored(void *ctx, const char *p, size_t n, int64_t batch, int64_t line)
{
    struct importer *im = ctx;
    if (!im->spill_rc)
        im->spill_rc = rowids_spill_add(&im->sp, rowids_hash(p, n), (uint32_t)batch, (uint32_t)line,
                                        im->err);
}

static int open_blocks(struct importer *im, unsigned long long file_size)
{
    const struct madi_kind *k = im->kind;
    if (!(k->flags & MADI_KIND_BLOCKS))
        return MADI_OK;
    im->blocks = 1;
    rs_layout_init(&im->layout, k);
    im->blk_key = -1;
    for (size_t f = 0; f < k->nfields; f++)
        if ((k->fields[f].flags & MADI_FLD_KEY) && k->fields[f].type == MADI_F_ID)
            im->blk_key = (int)f;
    madi_strmap_init(&im->skipped);
    int rc = MADI_OK;
    /* Ids are checked in bounded memory, sorted runs merged at the end; an export that carries
     * submission uuids, where records of earlier exports are expected back and skipped at
     * their row, keeps the in-memory set instead. */
    im->spill = im->blk_key >= 0 && im->uuid_col < 0;
    if (im->blk_key >= 0)
        im->blk_keycol = (size_t)rs_layout_col(&im->layout, k->fields[im->blk_key].name);
    if (im->spill) {
        rowids_spill_init(&im->sp);
        rc = rowids_each(im->s, &im->layout, im->blk_keycol, spill_stored, im, im->err);
        if (!rc)
            rc = im->spill_rc;
    } else {
        /* Room for the stored keys and the file's (rows are rarely shorter than 80 bytes)
         * without growing. */
        int64_t stored = 0;
        char sql[160];
        (void)snprintf(sql, sizeof(sql), "SELECT coalesce(sum(nrows), 0) FROM %s",
                       im->layout.block_table);
        rc = madi_store_query_int(im->s, sql, &stored, im->err);
        if (!rc)
            rowids_init(&im->ids, im->blk_key >= 0 ? (size_t)stored + file_size / 80 : 0);
        if (!rc && im->blk_key >= 0)
            rc = rowids_load(&im->ids, im->s, &im->layout, im->blk_keycol, im->err);
    }
    if (rc)
        return rc;
    return rs_writer_open(&im->blk, im->s, &im->layout, im->batch, im->err);
}

static void close_blocks(struct importer *im)
{
    if (!im->blocks)
        return;
    rs_writer_release(&im->blk);
    if (im->spill)
        rowids_spill_release(&im->sp);
    else
        rowids_release(&im->ids);
    madi_strmap_release(&im->skipped);
}

/* The current row into the batch's block. */
static int block_row(struct importer *im)
{
    const struct madi_kind *k = im->kind;
    struct rs_writer *w = &im->blk;
    size_t c = 0;
    rs_set_int(w, c++, (int64_t)im->line);
    for (size_t f = 0; f < k->nfields; f++) {
        const struct madi_field *fd = &k->fields[f];
        const struct val *v = &im->vals[f];
        if (fd->type == MADI_F_AGE_BAND) {
            if (v->set)
                rs_set_int(w, c, v->lo);
            if (v->set && v->hi != MADI_AGE_OPEN)
                rs_set_int(w, c + 1, v->hi);
            c += 2;
            continue;
        }
        if (v->set) {
            if (fd->type == MADI_F_ID || fd->type == MADI_F_TEXT)
                rs_set_text(w, c, v->s, v->n);
            else
                rs_set_int(w, c, v->i);
        }
        c++;
    }
    return rs_end_row(w, im->err);
}

/* The error for a repeated id at `line`: of a row earlier in this file (batch 0, at
 * other_line), or of a record stored in `batch` (at other_line there). */
static void repeat_error(struct importer *im, unsigned long line, const char *text, size_t n,
                         int64_t batch, int64_t other_line)
{
    const char *name = im->kind->fields[im->blk_key].name;
    int col = im->fieldcol[im->blk_key];
    unsigned c = col >= 0 ? (unsigned)col + 1 : 0;
    char shown[64];
    (void)quote(text, n, shown, sizeof(shown));
    if (!batch)
        diag(im, MADI_DIAG_ERROR, line, c, name,
             "%s %s: already on line %lld of this file (each record once: remove or renumber "
             "one of them)",
             name, shown, (long long)other_line);
    else if (im->only_org_id) /* an operator: where another's record is stored is not theirs */
        diag(im, MADI_DIAG_ERROR, line, c, name,
             "%s %s: already stored at the centre (give the record a new id, or to correct a "
             "file you submitted, upload it again as a replacement of its batch)",
             name, shown);
    else
        diag(im, MADI_DIAG_ERROR, line, c, name,
             "%s %s: already imported in batch %lld (line %lld); to correct that batch, "
             "re-import its corrected file with --replace %lld",
             name, shown, (long long)batch, (long long)other_line, (long long)batch);
}

/* The in-memory set (an export with submission uuids): a key seen before, in this file (ref:
 * its row + 1) or stored (ROWIDS_STORED). 1: skip the row (a submission an earlier export
 * brought), 0: the row was reported, <0: failure. */
static int block_repeat(struct importer *im, uint32_t ref)
{
    const struct val *v = &im->vals[im->blk_key];
    char shown[64];
    if (ref == ROWIDS_STORED) {
        /* Confirmed at the end, against the stored text (confirm_skipped). */
        madi_strmap_put(&im->skipped, v->s, v->n, (int64_t)im->line);
        return 1;
    }
    int64_t line = 0;
    char text[MAX_ID_LEN + 8];
    size_t tn = 0;
    /* Confirm against the first row's text (the first thousand repeats: past that, a file
     * that repeats everything is told so without a block read for each). */
    if (im->confirmed++ < 1000) {
        int rc = rs_writer_get(&im->blk, ref - 1, im->blk_keycol, NULL, text, sizeof(text), &tn,
                               im->err);
        if (rc < 0)
            return rc;
        if (rc == 0 || tn != v->n || memcmp(text, v->s, tn) != 0) {
            cell_error(im, im->blk_key,
                       "%s %s shares its fingerprint with another id of this file (a "
                       "one-in-a-billion event): please report this, with the file",
                       im->kind->fields[im->blk_key].name, quote(v->s, v->n, shown, sizeof(shown)));
            return 0;
        }
    }
    int rc = rs_writer_get(&im->blk, ref - 1, 0, &line, NULL, 0, NULL, im->err);
    if (rc < 0)
        return rc;
    repeat_error(im, im->line, v->s, v->n, 0, line);
    return 0;
}

/* A repeat the runs found: the row `idx` of this file, and the first row with its id (first)
 * or the stored record (batch, line); then, resolved, the row's line and id. */
struct spill_rep {
    uint32_t idx, first;
    uint32_t batch, line;
    int64_t at;
    char text[MAX_ID_LEN + 1];
    size_t tn;
};

#define REPORT_MAX 100000 /* repeats listed one by one; past that, counted */

struct spill_reps {
    struct importer *im;
    struct spill_rep *r;
    size_t n, cap;
    unsigned long long more;
};

/* Once REPORT_MAX repeats are held, they are a max-heap by row: a repeat on an earlier row
 * takes the place of the latest, so the ones listed are those of the first rows. */
static void rep_sift(struct spill_rep *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && h[l].idx > h[m].idx)
            m = l;
        if (r < n && h[r].idx > h[m].idx)
            m = r;
        if (m == i)
            return;
        struct spill_rep t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

/* rowids_group_fn: the entries of one id, stored ones first, then this file's in row order. */
static int spill_group(void *ctx, const struct rowids_ent *e, size_t n, size_t more)
{
    struct spill_reps *rs = ctx;
    uint32_t self = (uint32_t)rs->im->batch;
    const struct rowids_ent *stored = NULL, *first = NULL;
    for (size_t i = 0; i < n && !stored; i++)
        if (e[i].a != self)
            stored = &e[i];
    rs->more += more; /* all of this file: the stored ones come first */
    for (size_t i = 0; i < n; i++) {
        if (e[i].a != self)
            continue;
        if (!stored && !first) {
            first = &e[i];
            continue;
        }
        struct spill_rep nr;
        memset(&nr, 0, sizeof(nr));
        nr.idx = e[i].b;
        nr.first = first ? first->b : 0;
        nr.batch = stored ? stored->a : 0;
        nr.line = stored ? stored->b : 0;
        if (rs->n == REPORT_MAX) {
            rs->more++;
            if (nr.idx < rs->r[0].idx) { /* earlier than the latest held: it takes its place */
                rs->r[0] = nr;
                rep_sift(rs->r, rs->n, 0);
            }
            continue;
        }
        if (rs->n == rs->cap)
            rs->r = xrealloc(rs->r, (rs->cap = rs->cap ? rs->cap * 2 : 64) * sizeof(*rs->r));
        rs->r[rs->n++] = nr;
        if (rs->n == REPORT_MAX) /* full: from now on a heap */
            for (size_t k = rs->n / 2; k-- > 0;)
                rep_sift(rs->r, rs->n, k);
    }
    return 0;
}

static int cmp_rep(const void *a, const void *b)
{
    uint32_t x = ((const struct spill_rep *)a)->idx, y = ((const struct spill_rep *)b)->idx;
    return x < y ? -1 : x > y;
}

/* A repeat's first row and its place in the list: sorted by row, to read lines block by
 * block. */
struct first_of {
    uint32_t first;
    size_t i;
};

static int cmp_first(const void *a, const void *b)
{
    uint32_t x = ((const struct first_of *)a)->first, y = ((const struct first_of *)b)->first;
    return x < y ? -1 : x > y;
}

/* The bounded-memory check's findings, in line order, once the rows are read. Rows are read
 * back in row order (a block decoded once for all its repeats), the first rows too. */
static int spill_report(struct importer *im)
{
    if (!im->spill)
        return MADI_OK;
    struct spill_reps rs = { im, NULL, 0, 0, 0 };
    int rc = rowids_spill_groups(&im->sp, spill_group, &rs, im->err);
    if (!rc && rs.n)
        qsort(rs.r, rs.n, sizeof(*rs.r), cmp_rep);
    for (size_t i = 0; i < rs.n && !rc; i++) {
        struct spill_rep *r = &rs.r[i];
        int got = rs_writer_get(&im->blk, r->idx, 0, &r->at, NULL, 0, NULL, im->err);
        if (got >= 0)
            got = rs_writer_get(&im->blk, r->idx, im->blk_keycol, NULL, r->text, sizeof(r->text),
                                &r->tn, im->err);
        rc = got < 0 ? got : MADI_OK;
    }
    struct first_of *order = xmalloc((rs.n ? rs.n : 1) * sizeof(*order));
    size_t nf = 0;
    for (size_t i = 0; i < rs.n; i++) {
        if (!rs.r[i].batch) {
            order[nf].first = rs.r[i].first;
            order[nf++].i = i;
        }
    }
    qsort(order, nf, sizeof(*order), cmp_first);
    for (size_t k = 0; k < nf && !rc; k++) {
        struct spill_rep *r = &rs.r[order[k].i];
        int64_t line = 0;
        int got = rs_writer_get(&im->blk, r->first, 0, &line, NULL, 0, NULL, im->err);
        r->line = (uint32_t)line;
        rc = got < 0 ? got : MADI_OK;
    }
    free(order);
    for (size_t i = 0; i < rs.n && !rc; i++) {
        const struct spill_rep *r = &rs.r[i];
        repeat_error(im, (unsigned long)r->at, r->text,
                     r->tn < sizeof(r->text) ? r->tn : sizeof(r->text) - 1, r->batch, r->line);
    }
    if (!rc && rs.more)
        diag(im, MADI_DIAG_ERROR, 0, 0, im->kind->fields[im->blk_key].name,
             "%llu more rows repeat an id of this file or of the database, not listed one by "
             "one (fix the ones above, then import again to see what is left)",
             rs.more);
    free(rs.r);
    return rc;
}

/* The key's hash as soon as its cell is read, and its slot fetched into the cache while the
 * rest of the row is parsed: at millions of keys every slot is a cache miss. */
static void key_ahead(struct importer *im)
{
    const struct val *v = &im->vals[im->blk_key];
    if (!v->set)
        return;
    im->blk_hash = rowids_hash(v->s, v->n);
    if (!im->spill)
        rowids_prefetch(&im->ids, im->blk_hash);
}

static int store_block_row(struct importer *im)
{
    if (im->spill && im->vals[im->blk_key].set) {
        int rc = rowids_spill_add(&im->sp, im->blk_hash, (uint32_t)im->batch,
                                  (uint32_t)im->blk.rows, im->err);
        if (rc)
            return rc;
    } else if (im->blk_key >= 0 && im->vals[im->blk_key].set) {
        uint32_t old = 0;
        if (rowids_put(&im->ids, im->blk_hash, (uint32_t)(im->blk.rows + 1), &old)) {
            int rc = block_repeat(im, old);
            if (rc == 1) {
                im->res->rows--;
                im->res->already++;
                im->row_skipped = 1;
                return MADI_OK;
            }
            return rc;
        }
    }
    return block_row(im);
}

struct confirm {
    struct madi_strmap *skipped;
    size_t found;
};

static void confirm_one(void *ctx, const char *p, size_t n, int64_t batch, int64_t line)
{
    struct confirm *c = ctx;
    int64_t v = 0;
    (void)batch;
    (void)line;
    if (madi_strmap_get(c->skipped, p, n, &v) && v > 0) {
        madi_strmap_put(c->skipped, p, n, -v);
        c->found++;
    }
}

/* Every submission skipped as already imported must be stored under that very id. */
static int confirm_skipped(struct importer *im)
{
    struct madi_strmap *m = &im->skipped;
    if (!im->blocks || m->len == 0)
        return MADI_OK;
    struct confirm c = { m, 0 };
    int rc = rowids_each(im->s, &im->layout, im->blk_keycol, confirm_one, &c, im->err);
    if (rc || c.found == m->len)
        return rc;
    for (size_t i = 0; i < m->cap; i++) {
        if (m->keys[i] && m->vals[i] > 0) {
            char shown[64];
            diag(im, MADI_DIAG_ERROR, (unsigned long)m->vals[i], 0,
                 im->kind->fields[im->blk_key].name,
                 "%s %s was taken for a submission already imported, but is not one (two ids "
                 "share a fingerprint): please report this, with the file",
                 im->kind->fields[im->blk_key].name,
                 quote(m->keys[i], strlen(m->keys[i]), shown, sizeof(shown)));
        }
    }
    return MADI_OK;
}

static int process_row(struct importer *im, struct source *src, const struct madi_csv_row *row)
{
    char delim = src_delim(src);
    struct madi_csv_row wide;
    im->line = row->line;
    im->row_bad = 0;
    im->row_skipped = 0;
    release_plain(im);
    if (row_is_blank(row))
        return MADI_OK;
    im->res->rows++;
    if (row->bad) /* its problems were reported by the reader */
        return MADI_OK;
    if (im->o->on_progress && (im->res->rows & 0x3fff) == 0)
        im->o->on_progress(im->o->progress_ctx, src_done(src), src_size(src), im->res->rows);
    if (im->sheet && (int)row->n < im->ncols) {
        /* A workbook leaves trailing empty cells out: they are blank, not missing. */
        static const char empty[1] = "";
        for (int c = 0; c < im->ncols; c++) {
            if ((size_t)c < row->n) {
                im->padded[c] = row->fields[c];
            } else {
                im->padded[c].p = empty;
                im->padded[c].len = 0;
                im->padded[c].line = row->line;
            }
        }
        wide = *row;
        wide.fields = im->padded;
        wide.n = (size_t)im->ncols;
        row = &wide;
    }
    if ((int)row->n < im->ncols) {
        diag(im, MADI_DIAG_ERROR, row->line, 0, NULL,
             "this row has %zu column%s but the header has %d (a missing separator? values are "
             "separated by '%s')",
             row->n, row->n == 1 ? "" : "s", im->ncols, delim_name(delim));
        return MADI_OK;
    }
    int extra = 0;
    for (size_t c = (size_t)im->ncols; c < row->n; c++)
        extra |= row->fields[c].len != 0;
    if (extra && im->sheet) {
        diag(im, MADI_DIAG_ERROR, row->line, (unsigned)im->ncols + 1, NULL,
             "this row has a value beyond the header's last column (give that column a "
             "header, or clear the cell)");
        return MADI_OK;
    }
    if (extra) {
        int spaced = 0; /* 'a, "b, c"': a space before the quote makes it ordinary text */
        for (size_t c = 0; c < row->n && !spaced; c++)
            spaced = row->fields[c].len > 1 && row->fields[c].p[0] == ' ' &&
                     memchr(row->fields[c].p, '"', row->fields[c].len) != NULL;
        diag(im, MADI_DIAG_ERROR, row->line, (unsigned)im->ncols + 1, NULL,
             "this row has %zu columns but the header has %d (%s)", row->n, im->ncols,
             spaced ? "a space before an opening quote makes the quote ordinary text: remove the "
                      "space after the separator"
             : delim == ';'  ? "a value containing ';' must be put in double quotes"
             : delim == '\t' ? "a value containing a tab must be put in double quotes"
                             : "a value containing ',' must be put in double quotes");
        return MADI_OK;
    }
    if (im->status_col >= 0 && is_rejected(&row->fields[im->status_col])) {
        im->res->rows--;
        im->res->rejected_submissions++;
        return MADI_OK;
    }
    if (is_totals_row(im, row))
        return check_totals(im, row);
    for (size_t f = 0; f < im->kind->nfields; f++) {
        int c = im->fieldcol[f];
        if (c < 0) {
            memset(&im->vals[f], 0, sizeof(im->vals[f]));
            continue;
        }
        int rc = parse_cell(im, (int)f, row->fields[c].p, row->fields[c].len);
        if (rc)
            return rc;
        if ((int)f == im->blk_key && im->blocks)
            key_ahead(im);
    }
    if (im->uuid_key >= 0) {
        const struct madi_csv_field *u = &row->fields[im->uuid_col];
        int rc = parse_cell(im, im->uuid_key, u->p, u->len);
        if (rc)
            return rc;
        if (im->uuid_key == im->blk_key && im->blocks)
            key_ahead(im);
    }
    check_row(im);
    if (im->only_org_id)
        check_only_org(im, row);
    if (!im->row_bad && is_protected(im)) {
        int lrc = check_survivor_links(im);
        if (lrc)
            return lrc;
        derive_person_key(im);
    }
    if (im->row_bad)
        return MADI_OK;
    check_identical(im, row);
    /* Valid rows are stored even after an error elsewhere, so that repeated ids further down
     * are still found; the transaction is rolled back at the end anyway. */
    int rc = store_row(im);
    if (!rc && im->row_skipped)
        return MADI_OK;
    if (!rc && !im->row_bad)
        rc = store_name_key(im);
    if (!rc && !im->row_bad && im->keep_erased)
        rc = restore_erasure(im);
    if (!rc && !im->row_bad) {
        im->stored++;
        for (size_t f = 0; f < im->kind->nfields; f++) {
            if (im->kind->fields[f].type == MADI_F_COUNT && im->vals[f].set) {
                im->sums[f] += im->vals[f].i;
                im->nset[f]++;
            }
        }
    }
    return rc;
}

static int import_rows(struct importer *im, struct source *src)
{
    struct madi_csv_row row;
    int rc;
    while ((rc = src_next(src, &row)) == 1) {
        int prc = process_row(im, src, &row);
        if (prc)
            return prc;
    }
    if (rc == MADI_EIO)
        return madi_err_set(im->err, MADI_EIO, "cannot read %s", im->name);
    return MADI_OK; /* a parse error was reported as a diagnostic */
}

static int map_columns(struct importer *im, const struct madi_kind *k,
                       const struct madi_csv_row *hdr, const struct madi_csv_row *hxl, int report);

/* For repeat_join: how well a header does for the import (-1: not at all). */
static int joined_score(void *ctx, char **hdr, size_t n)
{
    struct importer *im = ctx;
    if (n > MAX_COLS)
        return -1;
    struct madi_csv_field *f = xcalloc(n ? n : 1, sizeof(*f));
    for (size_t i = 0; i < n; i++) {
        f[i].p = hdr[i];
        f[i].len = strlen(hdr[i]);
        f[i].line = 1;
    }
    struct madi_csv_row row = { f, n, 1, 0 };
    int save = im->ncols;
    im->ncols = (int)n;
    int sc = map_columns(im, im->kind, &row, NULL, 0);
    im->ncols = save;
    free(f);
    return sc;
}

/* An export whose main table does not hold the records, but a repeat group joined to it does. */
static int open_repeat(struct importer *im, const char *path, const struct madi_csv_opts *copts,
                       struct source *src)
{
    size_t len = 0;
    struct repeat_orphans orphans = { NULL, 0 };
    int was = im->searching;
    im->searching = 1;
    int built = repeat_join(path, im->o->sheet, joined_score, im, &src->joined, &len,
                            &src->joined_name, &orphans, im->err);
    im->searching = was;
    if (built < 0) {
        diag(im, MADI_DIAG_ERROR, 0, 0, NULL, "%s", im->err->msg);
        madi_err_clear(im->err);
        return MADI_EREJECTED;
    }
    if (built == 0)
        return 0;
    src->csv = madi_csv_from_mem(src->joined, len, copts);
    im->sheet = src->joined_name;
    for (size_t i = 0; i < orphans.n; i++)
        diag(im, MADI_DIAG_ERROR, orphans.v[i].line, 0, NULL,
             "this repeat row belongs to submission '%s' (%s), which is not in the export: "
             "export the submissions and their repeats together, or remove the row",
             orphans.v[i].key, orphans.v[i].keycol);
    free(orphans.v);
    return 1;
}

static int open_source(struct importer *im, const char *path, const struct madi_csv_opts *copts,
                       struct source *src)
{
    int rc;
    if (is_zip(path) && im->kind) {
        /* An export may hold the records in a repeat group (KoBoToolbox sheets with
         * _parent_index, ODK Central CSV zips): choose the table that holds them. */
        rc = open_repeat(im, path, copts, src);
        if (rc)
            return rc < 0 ? rc : MADI_OK;
    }
    if (is_zip(path)) {
        rc = madi_xlsx_open(path, im->o->sheet, copts, &src->xlsx, im->err);
        if (rc == MADI_EPARSE) {
            /* Not an Excel workbook: perhaps an OpenDocument one. */
            struct madi_err e2;
            if (madi_ods_open(path, im->o->sheet, copts, &src->ods, &e2) == MADI_OK) {
                madi_err_clear(im->err);
                im->sheet = madi_ods_sheet(src->ods);
                return MADI_OK;
            }
            char why[sizeof(im->err->msg)];
            (void)snprintf(why, sizeof(why), "%s", im->err->msg);
            (void)madi_err_set(im->err, MADI_EPARSE,
                               "%s is neither an Excel (.xlsx) nor an OpenDocument (.ods) "
                               "spreadsheet (%s)",
                               im->name, why);
        }
        if (rc == MADI_EPARSE || rc == MADI_ENOTFOUND) {
            diag(im, MADI_DIAG_ERROR, 0, 0, NULL, "%s", im->err->msg);
            madi_err_clear(im->err);
            rc = MADI_EREJECTED;
        }
        if (!rc)
            im->sheet = madi_xlsx_sheet(src->xlsx);
    } else {
        rc = madi_csv_open(path, copts, &src->csv, im->err);
    }
    return rc;
}

static void close_source(struct source *src)
{
    madi_csv_close(src->csv);
    madi_xlsx_close(src->xlsx);
    madi_ods_close(src->ods);
    free(src->joined);
    free(src->joined_name);
    src->csv = NULL;
    src->xlsx = NULL;
    src->ods = NULL;
    src->joined = NULL;
    src->joined_name = NULL;
}

/* Could this row be the header: all required columns of the kind (or of some kind)? */
static int header_fits(struct importer *im, const struct madi_csv_row *row)
{
    int save = im->ncols, fits = 0;
    im->ncols = row->n < MAX_COLS ? (int)row->n : MAX_COLS;
    if (im->kind) {
        fits = map_columns(im, im->kind, row, NULL, 0) > 0;
    } else {
        for (const struct madi_kind *k = madi_kinds; k->name && !fits; k++)
            fits = map_columns(im, k, row, NULL, 0) > 0;
    }
    im->ncols = save;
    return fits;
}

#define HEADER_SEARCH 30 /* rows looked at for a header below a title block */

/*
 * Find the header row: row `want` when given, else the first of the first HEADER_SEARCH rows
 * that fits (a title block above the header is common in spreadsheets); when none fits, the
 * first row, so that its problems are reported. Returns like src_next.
 */
static int find_header(struct importer *im, const char *path, const struct madi_csv_opts *copts,
                       struct source *src, struct madi_csv_row *row)
{
    unsigned long want = im->o->header_row;
    im->searching = 1;
    int rc = src_next(src, row);
    for (int seen = 1; rc == 1; seen++) {
        if (want ? row->line >= want : (!row->bad && header_fits(im, row)))
            break;
        if (!want && seen >= HEADER_SEARCH) {
            rc = 0;
            break;
        }
        rc = src_next(src, row);
    }
    im->searching = 0;
    if (rc == 1 && (!want || row->line == want))
        return rc;
    if (want && rc == 0) {
        diag(im, MADI_DIAG_ERROR, want, 0, NULL,
             "there is no %s %lu (the header given with --header-row)", im->sheet ? "row" : "line",
             want);
        return MADI_EPARSE;
    }
    if (want && rc == 1) {
        diag(im, MADI_DIAG_ERROR, want, 0, NULL,
             "%s %lu is empty: it cannot be the header (given with --header-row)",
             im->sheet ? "row" : "line", want);
        return MADI_EPARSE;
    }
    /* A title line can mislead the delimiter guess ("Report; North; January" above a comma
     * header): try each delimiter outright before giving up. */
    static const char delims[] = { ',', ';', '\t' };
    for (size_t d = 0; !want && src->csv && !src->joined && !copts->delimiter && d < 3; d++) {
        struct madi_csv_opts forced = *copts;
        forced.delimiter = delims[d];
        close_source(src);
        if (open_source(im, path, &forced, src))
            break;
        im->searching = 1;
        rc = src_next(src, row);
        for (int seen = 1; rc == 1 && seen < HEADER_SEARCH; seen++) {
            if (!row->bad && header_fits(im, row))
                break;
            rc = src_next(src, row);
        }
        int found = rc == 1 && !row->bad && header_fits(im, row);
        im->searching = 0;
        if (found) {
            /* Read again with the delimiter found, so that every message is reported. */
            unsigned long line = row->line;
            close_source(src);
            rc = open_source(im, path, &forced, src);
            if (rc)
                return rc;
            do
                rc = src_next(src, row);
            while (rc == 1 && row->line < line);
            return rc;
        }
    }
    /* Nothing fits, or the file is broken: start again and take the first row as the header,
     * so that every problem is reported where it is. */
    close_source(src);
    rc = open_source(im, path, copts, src);
    return rc ? rc : src_next(src, row);
}

static int import_one(struct madi_store *s, const char *path, const struct madi_import_opts *o,
                      struct madi_import_result *res, struct madi_err *err, int nested);

/* A file is read more than once (its SHA-256, then its rows): pipes and devices cannot be. */
static int regular_file(const char *path, struct madi_err *err)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return madi_err_set(err, MADI_EIO, "cannot open %s: %s", path, strerror(errno));
    if (S_ISDIR(sb.st_mode))
        return madi_err_set(err, MADI_EIO, "%s is a folder, not a file", path);
    if (!S_ISREG(sb.st_mode))
        return madi_err_set(err, MADI_EIO,
                            "%s is not a regular file (a pipe or device): save the data to a file "
                            "and import that",
                            path);
    return MADI_OK;
}

static int import_one(struct madi_store *s, const char *path, const struct madi_import_opts *o,
                      struct madi_import_result *res, struct madi_err *err, int nested)
{
    int rc = MADI_OK, in_tx = 0;
    struct importer *im = xcalloc(1, sizeof(*im));
    struct source src = { NULL, NULL, NULL, NULL, NULL };
    struct madi_csv_row hdr_row, peek;
    struct madi_csv_opts copts = { 0 };
    struct madi_csv_field *hdr_fields = NULL;
    struct madi_csv_row hdr;
    char sha[65];
    int have_peek = 0;

    memset(res, 0, sizeof(*res));
    res->status = MADI_IMPORT_REJECTED;
    im->s = s;
    im->o = o;
    im->res = res;
    im->err = err;
    im->name = o->name ? o->name : path;
    im->today = o->today ? o->today : madi_today();
    regs_init(im);
    madi_u64map_init(&im->seen);
    madi_strmap_init(&im->custom);
    madi_strmap_init(&im->zwarned);
    madi_strmap_init(&im->touched);
    madi_strmap_init(&im->erased);
    madi_u64map_init(&im->unmapped);
    if (sodium_init() < 0) {
        rc = madi_err_set(err, MADI_ECRYPTO, "libsodium could not start");
        goto done;
    }
    if (o->kind) {
        im->kind = madi_kind_find(o->kind);
        if (!im->kind) {
            rc = madi_err_set(err, MADI_EINVAL,
                              "there is no kind '%s' ('madi template --list' shows the kinds)",
                              o->kind);
            goto done;
        }
    }
    /* A file is hashed alongside the import, and waited for first only when a batch of its
     * size exists (below): it cannot be a file already imported otherwise. */
    im->file_size = -1;
    struct stat fst;
    if (stat(path, &fst) == 0 && S_ISREG(fst.st_mode))
        im->file_size = (int64_t)fst.st_size;
    im->late_sha = im->file_size >= 0;
    if (im->late_sha) {
        hasher_start(&im->hasher, path);
    } else {
        rc = file_sha256(path, sha, err);
        if (rc)
            goto done;
    }
    copts.on_issue = on_csv_issue;
    copts.issue_ctx = im;
    if (o->mapping) {
        /* The profile first: it may name the kind, which says how to read an export. */
        rc = mapping_profile_load(o->mapping, &im->map, err);
        if (rc == MADI_EPARSE)
            rc = MADI_EINVAL; /* a mistake in the profile is the user's to fix, said as such */
        if (!rc && !im->kind)
            im->kind = madi_kind_find(im->map.profile_kind);
        else if (!rc && strcmp(im->kind->name, im->map.profile_kind) != 0)
            rc = madi_err_set(err, MADI_EINVAL,
                              "the mapping %s is for %s, but the file is imported as %s",
                              o->mapping, im->map.profile_kind, im->kind->name);
        if (rc)
            goto done;
    }
    if (!im->kind && is_zip(path) && repeat_export(path)) {
        diag(im, MADI_DIAG_ERROR, 0, 0, NULL,
             "this is a KoBoToolbox or ODK Central export with repeat groups: name the kind of "
             "records to take from it with --kind (e.g. --kind eore-attendance)");
        rc = MADI_EREJECTED;
        goto done;
    }
    rc = open_source(im, path, &copts, &src);
    if (rc)
        goto done;
    rc = mapping_load(im->s, &im->map, im->err);
    if (!rc)
        rc = load_custom_codes(im);
    if (rc)
        goto done;

    /* Header, then an optional HXL hashtag row. */
    rc = find_header(im, path, &copts, &src, &hdr_row);
    if (rc == 0) {
        diag(im, MADI_DIAG_ERROR, 1, 0, NULL,
             "the file is empty (it needs a header row: start from 'madi template %s')",
             im->kind ? im->kind->name : "KIND");
        rc = MADI_EREJECTED;
        goto done;
    }
    if (rc < 0 || hdr_row.bad) {
        if (rc >= 0)
            diag(im, MADI_DIAG_ERROR, hdr_row.line, 0, NULL,
                 "the header row cannot be read (a bad character or an overlong cell): correct "
                 "it, then import again");
        rc = rc == MADI_EIO ? madi_err_set(err, MADI_EIO, "cannot read %s", im->name)
                            : MADI_EREJECTED;
        goto done;
    }
    size_t hn = hdr_row.n;
    while (hn > 1 && hdr_row.fields[hn - 1].len == 0)
        hn--; /* trailing empty header cells: spreadsheet leftovers */
    if (hn > MAX_COLS) {
        diag(im, MADI_DIAG_ERROR, hdr_row.line, 0, NULL,
             "the header has %zu columns; madi reads at most %d", hn, MAX_COLS);
        rc = MADI_EREJECTED;
        goto done;
    }
    if (hdr_row.line > 1)
        diag(im, MADI_DIAG_NOTE, hdr_row.line, 0, NULL,
             "the header is on %s %lu; what is above it was taken as a title and skipped",
             im->sheet ? "row" : "line", hdr_row.line);
    im->ncols = (int)hn;
    while (im->ncols > 1 && hdr_row.fields[im->ncols - 1].len == 0)
        im->ncols--; /* trailing empty header cells: spreadsheet leftovers */
    for (int c = 0; c < im->ncols; c++) {
        im->colname[c] = header_name(hdr_row.fields[c].p, hdr_row.fields[c].len);
    }
    /* The header's fields are borrowed until the next read: keep a copy. */
    hdr_fields = xcalloc(MAX_COLS, sizeof(*hdr_fields));
    hdr = hdr_row;
    for (int c = 0; c < im->ncols; c++) {
        hdr_fields[c] = hdr_row.fields[c];
        hdr_fields[c].p = xstrndup(hdr_row.fields[c].p, hdr_row.fields[c].len);
    }
    hdr.fields = hdr_fields;
    hdr.n = (size_t)im->ncols;

    rc = src_next(&src, &peek);
    if (rc < 0) {
        rc = rc == MADI_EIO ? madi_err_set(err, MADI_EIO, "cannot read %s", im->name)
                            : MADI_EREJECTED;
        goto done;
    }
    have_peek = rc == 1;
    im->delim = src_delim(&src);
    im->has_hxl = have_peek && !peek.bad && mapping_is_hxl_row(&peek);
    if (!im->kind && detect_kind(im, &hdr, im->has_hxl ? &peek : NULL)) {
        rc = MADI_EREJECTED;
        goto done;
    }
    res->kind = im->kind->name;
    rc = personal_ready(im);
    if (!rc && o->only_org)
        rc = only_org_kind(im);
    if (rc)
        goto done;
    /* Only the header's own problems stop here: those of the row read ahead are the rows'. */
    unsigned long before = res->errors;
    if (map_columns(im, im->kind, &hdr, im->has_hxl ? &peek : NULL, 1) < 0 ||
        res->errors > before) {
        rc = MADI_EREJECTED;
        goto done;
    }

    if (!nested) {
        rc = madi_store_begin(s, err);
        if (rc)
            goto done;
        in_tx = 1;
        /* The key again, now that no one else can write: a rotation between the first check
         * and here would otherwise leave cells under a key the database no longer has. */
        rc = personal_ready(im);
        if (rc)
            goto done;
    }
    /* The same file again is a no-op; asked inside the transaction, so that two imports of one
     * file at once cannot both go ahead. */
    int64_t same = 0;
    if (im->late_sha) {
        int64_t sized = 0;
        rc = size_seen(im, &sized);
        if (!rc && sized) { /* perhaps the same file: wait for its hash */
            im->late_sha = 0;
            rc = hasher_join(&im->hasher, err);
            if (!rc)
                (void)snprintf(sha, sizeof(sha), "%s", im->hasher.hex);
        }
        if (rc)
            goto done;
    }
    if (im->late_sha)
        (void)snprintf(sha, sizeof(sha), "%s", ""); /* set when the file has been read */
    else
        rc = find_same_batch(im, sha, &same);
    if (rc)
        goto done;
    if (same && (!o->replace_batch || o->replace_batch == same)) {
        res->status = MADI_IMPORT_UNCHANGED;
        res->batch = same;
        goto done;
    }
    if (!nested && o->fail_after_writes)
        madi_store_fail_after(s, o->fail_after_writes);
    rc = open_batch(im, sha);
    if (!rc && o->replace_batch)
        rc = load_erased(im);
    if (!rc && o->replace_batch)
        rc = replace_batch(im);
    for (size_t f = 0; !rc && f < im->kind->nfields; f++)
        if (im->kind->fields[f].type == MADI_F_REF)
            rc = reg_load(im, &im->regs[im->kind->fields[f].ref]);
    for (int r = 1; !rc && r < 5; r++)
        if (im->regs[r].table && strcmp(im->regs[r].table, im->kind->table) == 0)
            rc = reg_load(im, &im->regs[r]);
    if (!rc && o->only_org)
        rc = only_org_ready(im);
    if (!rc && !(im->kind->flags & MADI_KIND_BLOCKS))
        rc = prepare_statements(im);
    if (!rc)
        rc = open_blocks(im, src_size(&src));
    if (rc)
        goto done;

    if (have_peek && !im->has_hxl) {
        rc = process_row(im, &src, &peek); /* the row after the header was data */
        if (rc)
            goto done;
    }
    rc = import_rows(im, &src);
    if (rc)
        goto done;
    report_repeats(im);
    rc = spill_report(im);
    if (!rc)
        rc = confirm_skipped(im);
    if (rc)
        goto done;
    if (o->replace_batch && strcmp(im->kind->table, "survivor") == 0) {
        rc = check_orphans(im);
        if (rc)
            goto done;
    }
    if (strcmp(im->kind->table, "consent") == 0 && !res->errors) {
        rc = warn_lapsed_referrals(im);
        if (rc)
            goto done;
    }
    if (o->on_progress)
        o->on_progress(o->progress_ctx, src_done(&src), src_size(&src), res->rows);
    if (res->errors) {
        rc = MADI_EREJECTED;
        goto done;
    }
    if (!res->rows)
        diag(im, MADI_DIAG_WARNING, 0, 0, NULL, "the file has a header but no data rows");
    if (o->flags & MADI_IMPORT_DRY_RUN) {
        res->status = MADI_IMPORT_CHECKED;
        goto done;
    }
    rc = im->blocks ? rs_writer_finish(&im->blk, err) : MADI_OK;
    if (!rc)
        rc = close_batch(im, sha);
    if (!rc)
        rc = audit_import(im);
    if (!rc && !nested)
        rc = madi_store_commit(s, err);
    if (!rc) {
        in_tx = 0;
        res->status = MADI_IMPORT_STORED;
        res->batch = im->batch;
    }
done:
    (void)hasher_join(&im->hasher, NULL); /* never leave the thread behind */
    for (int c = 0; hdr_fields && c < im->ncols && c < MAX_COLS; c++)
        free((char *)hdr_fields[c].p);
    free(hdr_fields);
    if (in_tx)
        madi_store_rollback(s);
    if (rc == MADI_EPARSE)
        rc = MADI_EREJECTED;
    if (rc == MADI_EREJECTED)
        res->status = MADI_IMPORT_REJECTED;
    if (rc == MADI_OK && res->status == MADI_IMPORT_REJECTED)
        rc = MADI_EREJECTED;
    if (!nested)
        madi_store_fail_after(s, 0);
    madi_stmt_finalize(im->ins);
    madi_stmt_finalize(im->upd);
    madi_stmt_finalize(im->lookup);
    madi_stmt_finalize(im->overlap);
    madi_stmt_finalize(im->q_survivor);
    madi_stmt_finalize(im->q_need);
    madi_stmt_finalize(im->q_consent);
    madi_stmt_finalize(im->q_org);
    madi_stmt_finalize(im->q_casualty);
    madi_stmt_finalize(im->set_name_key);
    madi_stmt_finalize(im->q_owner);
    close_blocks(im);
    release_plain(im);
    regs_release(im);
    madi_u64map_release(&im->seen);
    madi_strmap_release(&im->custom);
    madi_strmap_release(&im->zwarned);
    madi_strmap_release(&im->touched);
    madi_strmap_release(&im->erased);
    for (size_t i = 0; i < im->nerased; i++)
        free(im->erased_at[i]);
    free(im->erased_at);
    madi_u64map_release(&im->unmapped);
    free(im->repeats);
    for (int c = 0; c < MAX_COLS; c++)
        free(im->colname[c]);
    mapping_release(&im->map);
    close_source(&src);
    free(im);
    return rc;
}

/* ---- a workbook with one sheet per kind ---- */

static void add_result(struct madi_import_result *to, const struct madi_import_result *r)
{
    to->rows += r->rows;
    to->errors += r->errors;
    to->warnings += r->warnings;
    to->provisional += r->provisional;
    to->identical += r->identical;
    to->rejected_submissions += r->rejected_submissions;
    to->already += r->already;
}

/*
 * Import every sheet named as a kind (organisation, area, eore, ...) in one transaction, in the
 * order of the kinds (registers first), each sheet its own batch: all of them, or none.
 */
static int import_workbook(struct madi_store *s, const char *path, const struct madi_import_opts *o,
                           char **names, const unsigned char *hidden, size_t nnames,
                           struct madi_import_result *res, struct madi_err *err)
{
    int rc = MADI_OK, failed = 0, own = !(o->flags & MADI_IMPORT_IN_TX);
    size_t done_sheets = 0, unchanged = 0;
    int64_t first_unchanged = 0;
    memset(res, 0, sizeof(*res));
    res->kind = "workbook";
    if (o->replace_batch)
        return madi_err_set(err, MADI_EINVAL,
                            "--replace takes one sheet: name it with --sheet (and --kind)");
    /* Hidden sheets are left alone, as a single-sheet import skips them: often they hold
     * lookups or last month's data. */
    for (size_t i = 0; i < nnames && o->on_diag; i++) {
        int hid = hidden && hidden[i];
        if (madi_kind_find(names[i]) && !hid)
            continue;
        char msg[300];
        if (hid && madi_kind_find(names[i]))
            (void)snprintf(msg, sizeof(msg),
                           "sheet '%s' is hidden, so it is not imported (unhide it, or import it "
                           "alone with --sheet '%s')",
                           names[i], names[i]);
        else
            (void)snprintf(msg, sizeof(msg),
                           "sheet '%s' is not named as a kind, so it is not imported (name it "
                           "after one, such as 'eore', to import it)",
                           names[i]);
        struct madi_diag d = {
            MADI_DIAG_NOTE, o->name ? o->name : path, names[i], 0, 0, NULL, msg
        };
        o->on_diag(o->diag_ctx, &d);
    }
    size_t visible = 0;
    for (size_t i = 0; i < nnames; i++)
        visible += madi_kind_find(names[i]) && !(hidden && hidden[i]);
    rc = visible ? (own ? madi_store_begin(s, err) : MADI_OK)
                 : madi_err_set(err, MADI_EINVAL,
                                "every sheet named as a kind is hidden: unhide the ones to "
                                "import, or import one with --sheet NAME");
    if (rc)
        return rc;
    for (const struct madi_kind *k = madi_kinds; k->name && !rc; k++) {
        for (size_t i = 0; i < nnames && !rc; i++) {
            if (madi_kind_find(names[i]) != k || (hidden && hidden[i]))
                continue;
            struct madi_import_opts one = *o;
            struct madi_import_result r;
            one.kind = k->name;
            one.sheet = names[i];
            int orc = import_one(s, path, &one, &r, err, 1);
            add_result(res, &r);
            if (orc == MADI_EREJECTED) {
                failed = 1;
            } else if (orc) {
                rc = orc;
            } else if (r.status == MADI_IMPORT_UNCHANGED) {
                unchanged++;
                if (!first_unchanged)
                    first_unchanged = r.batch;
            } else {
                done_sheets++;
                if (!res->batch)
                    res->batch = r.batch; /* the first new batch */
            }
        }
    }
    res->sheets = done_sheets + unchanged;
    if (!rc && !failed && !done_sheets && unchanged) {
        res->batch = first_unchanged;
        if (own)
            madi_store_rollback(s);
        res->status = MADI_IMPORT_UNCHANGED;
        return MADI_OK;
    }
    if (rc || failed || (o->flags & MADI_IMPORT_DRY_RUN)) {
        if (own)
            madi_store_rollback(s);
        res->batch = 0;
        res->status = rc || failed ? MADI_IMPORT_REJECTED : MADI_IMPORT_CHECKED;
        return rc ? rc : failed ? MADI_EREJECTED : MADI_OK;
    }
    rc = own ? madi_store_commit(s, err) : MADI_OK;
    if (rc) {
        madi_store_rollback(s);
        return rc;
    }
    res->status = MADI_IMPORT_STORED;
    return MADI_OK;
}

int madi_import_file(struct madi_store *s, const char *path, const struct madi_import_opts *o,
                     struct madi_import_result *res, struct madi_err *err)
{
    char **names = NULL;
    size_t n = 0;
    int rc, kinds = 0;
    memset(res, 0, sizeof(*res));
    res->status = MADI_IMPORT_REJECTED;
    rc = regular_file(path, err);
    if (rc)
        return rc;
    int in_tx = (o->flags & MADI_IMPORT_IN_TX) != 0;
    if (o->kind || o->sheet || !is_zip(path))
        return import_one(s, path, o, res, err, in_tx);
    unsigned char *hidden = NULL; /* .xlsx only; NULL: none hidden */
    if (madi_xlsx_sheet_names(path, &names, &hidden, &n) != MADI_OK)
        (void)madi_ods_sheet_names(path, &names, &n);
    for (size_t i = 0; i < n; i++)
        kinds += madi_kind_find(names[i]) != NULL;
    if (kinds)
        rc = import_workbook(s, path, o, names, hidden, n, res, err);
    else
        rc = import_one(s, path, o, res, err, in_tx);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(hidden);
    return rc;
}

/* ---- learning a mapping profile ---- */

static size_t common_prefix(const char *a, const char *b)
{
    size_t n = 0;
    while (a[n] && b[n] && tolower((unsigned char)a[n]) == tolower((unsigned char)b[n]))
        n++;
    return n;
}

/* The member of `l` whose code, label or an alias shares the longest beginning with `v` (at
 * least three letters: "Femal" suggests F, female), or NULL. Only a hint for the officer. */
static const struct madi_code *guess_code(const struct madi_codelist *l, const char *v)
{
    const struct madi_code *best = NULL;
    size_t best_n = 2;
    for (size_t i = 0; l && i < l->n; i++) {
        const struct madi_code *c = &l->codes[i];
        size_t n = common_prefix(v, c->label);
        if (common_prefix(v, c->code) > n)
            n = common_prefix(v, c->code);
        for (const char *a = c->aliases; a && *a;) {
            size_t m = common_prefix(v, a);
            if (m > n)
                n = m;
            a = strchr(a, '|');
            a = a ? a + 1 : NULL;
        }
        if (n > best_n) {
            best = c;
            best_n = n;
        }
    }
    return best;
}

struct learnt {
    int field;
    char value[64];
    unsigned long count, line;
};

int madi_import_learn(struct madi_store *s, const char *path, const struct madi_import_opts *o,
                      FILE *out, struct madi_err *err)
{
    int rc = MADI_OK;
    struct importer *im = xcalloc(1, sizeof(*im));
    struct madi_import_result res;
    struct source src = { NULL, NULL, NULL, NULL, NULL };
    struct madi_csv_opts copts = { 0 };
    struct madi_csv_row row;
    struct learnt *vals = NULL;
    size_t nvals = 0;
    struct madi_u64map seen;
    unsigned long long rows = 0;

    memset(&res, 0, sizeof(res));
    madi_u64map_init(&seen);
    regs_init(im);
    madi_strmap_init(&im->custom);
    im->s = s;
    im->o = o;
    im->res = &res;
    im->err = err;
    im->name = o->name ? o->name : path;
    im->kind = o->kind ? madi_kind_find(o->kind) : NULL;
    if (!im->kind) {
        rc = madi_err_set(err, MADI_EINVAL, "name the kind of records the file holds (--kind)");
        goto done;
    }
    copts.on_issue = on_csv_issue;
    copts.issue_ctx = im;
    im->searching = 1; /* learning reports nothing row by row */
    rc = open_source(im, path, &copts, &src);
    if (!rc)
        rc = mapping_load(s, &im->map, err);
    if (!rc && o->mapping) /* a profile begun earlier: learn what it still lacks */
        rc = mapping_profile_load(o->mapping, &im->map, err);
    if (!rc)
        rc = load_custom_codes(im);
    if (rc)
        goto done;
    im->searching = 0;
    rc = find_header(im, path, &copts, &src, &row);
    im->searching = 1;
    if (rc <= 0) {
        if (!rc)
            rc = madi_err_set(err, MADI_EPARSE, "%s has no header row", im->name);
        goto done;
    }
    im->ncols = row.n < MAX_COLS ? (int)row.n : MAX_COLS;
    while (im->ncols > 1 && row.fields[im->ncols - 1].len == 0)
        im->ncols--;
    for (int c = 0; c < im->ncols; c++) {
        im->colname[c] = header_name(row.fields[c].p, row.fields[c].len);
    }
    (void)map_columns(im, im->kind, &row, NULL, 0);

    (void)fprintf(out,
                  "# madi mapping for %s, learned from %s.\n"
                  "# Replace each '?' with what it stands for, then import with:\n"
                  "#   madi import --mapping THIS-FILE %s\n"
                  "# 'madi template %s --doc' lists the columns and their codes.\n"
                  "kind %s\n\n# Columns\n",
                  im->kind->name, im->name, im->name, im->kind->name, im->kind->name);
    for (int c = 0; c < im->ncols; c++) {
        if (!row.fields[c].len)
            continue;
        int f = im->colfield[c];
        (void)fputs("column \"", out);
        for (const char *q = im->colname[c]; *q; q++)
            (void)fprintf(out, *q == '"' || *q == '\\' ? "\\%c" : "%c", *q);
        (void)fprintf(out, "\" %s\n",
                      f >= 0 ? im->kind->fields[f].name
                      : mapping_tool_column(row.fields[c].p, row.fields[c].len) ? "?  # added by "
                                                                                  "the tool"
                                                                                : "?");
    }
    /* Values of code columns that no code, label or common spelling matches. */
    while ((rc = src_next(&src, &row)) == 1) {
        rows++;
        for (size_t f = 0; f < im->kind->nfields; f++) {
            const struct madi_field *fd = &im->kind->fields[f];
            int c = im->fieldcol[f];
            if (c < 0 || (size_t)c >= row.n || !row.fields[c].len)
                continue;
            const char *p = row.fields[c].p;
            size_t n = row.fields[c].len, bad = 0;
            while (n && isspace((unsigned char)*p)) {
                p++;
                n--;
            }
            while (n && isspace((unsigned char)p[n - 1]))
                n--;
            if (!n || n >= sizeof(vals[0].value))
                continue;
            if (mapping_value(&im->map, fd->name, p, n))
                continue; /* the profile already says */
            if (fd->type == MADI_F_CODE) {
                const struct madi_codelist *l = madi_codelist_find(fd->codes);
                struct madi_code tmp;
                bad = l && !madi_code_match(l, p, n) && !custom_code(im, l, p, n, &tmp);
            } else if (fd->type == MADI_F_AGE_BAND) {
                struct madi_band b;
                char why[128];
                int edge = 0;
                bad = madi_band_parse(p, n, &b, why, sizeof(why)) ||
                      madi_band_align(b, madi_bandset_canonical, &edge);
            }
            if (!bad)
                continue;
            if (nvals >= 1000)
                continue; /* enough to fill in for one pass */
            char key[80];
            int k = snprintf(key, sizeof(key), "%zu:%.*s", f, (int)n, p);
            for (int i = 0; i < k; i++)
                key[i] = (char)tolower((unsigned char)key[i]);
            uint64_t idx = 0;
            if (madi_u64map_put_new(&seen, madi_hash64(key, (size_t)k, 7), nvals, &idx)) {
                vals[idx].count++;
                continue;
            }
            vals = xrealloc(vals, (nvals + 1) * sizeof(*vals));
            vals[nvals].field = (int)f;
            (void)snprintf(vals[nvals].value, sizeof(vals[nvals].value), "%.*s", (int)n, p);
            vals[nvals].count = 1;
            vals[nvals].line = row.line;
            nvals++;
        }
    }
    if (rc < 0) {
        rc = madi_err_set(err, MADI_EPARSE,
                          "%s could not be read to the end (import it to see where)", im->name);
        goto done;
    }
    rc = MADI_OK;
    (void)fprintf(out, "\n# Values madi does not know (%llu rows read)\n", rows);
    for (size_t i = 0; i < nvals; i++) {
        const struct madi_field *fd = &im->kind->fields[vals[i].field];
        (void)fprintf(out, "value %s \"", fd->name);
        for (const char *p = vals[i].value; *p; p++)
            (void)fprintf(out, *p == '"' || *p == '\\' ? "\\%c" : "%c", *p);
        const struct madi_code *guess =
                fd->type == MADI_F_CODE ? guess_code(madi_codelist_find(fd->codes), vals[i].value)
                                        : NULL;
        (void)fprintf(out, "\" ?  # %lu row%s, first at line %lu; %s", vals[i].count,
                      vals[i].count == 1 ? "" : "s", vals[i].line,
                      fd->type == MADI_F_AGE_BAND ? "an age band such as 0-17 or 18+" : fd->codes);
        if (guess)
            (void)fprintf(out, "; perhaps %s (%s)?", guess->code, guess->label);
        (void)fputc('\n', out);
    }
    if (!nvals)
        (void)fprintf(out, "# (none: every value of every code column is understood)\n");
    if (ferror(out))
        rc = madi_err_set(err, MADI_EIO, "cannot write the mapping");
done:
    close_source(&src);
    mapping_release(&im->map);
    madi_u64map_release(&seen);
    free(vals);
    for (int c = 0; c < MAX_COLS; c++)
        free(im->colname[c]);
    regs_release(im);
    madi_strmap_release(&im->custom);
    free(im);
    return rc;
}

int mapping_header_read(struct madi_store *s, const char *path, const struct madi_kind *k,
                        struct mapping_header *h, struct madi_err *err)
{
    int rc = MADI_OK;
    struct importer *im = xcalloc(1, sizeof(*im));
    struct madi_import_opts o = { 0 };
    struct madi_import_result res;
    struct source src = { NULL, NULL, NULL, NULL, NULL };
    struct madi_csv_opts copts = { 0 };
    struct madi_csv_row row, hdr;
    struct madi_csv_field *hdr_fields = NULL;

    memset(&res, 0, sizeof(res));
    memset(h, 0, sizeof(*h));
    im->s = s;
    im->o = &o;
    im->res = &res;
    im->err = err;
    im->name = path;
    im->kind = k;
    im->searching = 1; /* the file's problems are the import's to report */
    if (is_zip(path)) {
        rc = madi_err_set(err, MADI_EINVAL,
                          "%s is a workbook: save the sheet as CSV, then seal the CSV file", path);
        goto done;
    }
    rc = open_source(im, path, &copts, &src);
    if (!rc && s)
        rc = mapping_load(s, &im->map, err);
    if (rc)
        goto done;
    rc = find_header(im, path, &copts, &src, &row);
    im->searching = 1;
    if (rc <= 0 || row.bad) {
        rc = madi_err_set(err, MADI_EPARSE, "%s has no header row that can be read", path);
        goto done;
    }
    im->ncols = row.n < MAX_COLS ? (int)row.n : MAX_COLS;
    h->line = row.line;
    hdr_fields = xcalloc((size_t)im->ncols + 1, sizeof(*hdr_fields));
    for (int c = 0; c < im->ncols; c++) {
        hdr_fields[c] = row.fields[c];
        hdr_fields[c].p = xstrndup(row.fields[c].p, row.fields[c].len);
    }
    hdr = row;
    hdr.fields = hdr_fields;
    hdr.n = (size_t)im->ncols;
    rc = src_next(&src, &row);
    int hxl = rc == 1 && !row.bad && mapping_is_hxl_row(&row);
    if (hxl)
        h->hxl_line = row.line;
    rc = MADI_OK;
    h->delim = src_delim(&src);
    (void)map_columns(im, k, &hdr, hxl ? &row : NULL, 0);
    h->ncols = (size_t)im->ncols;
    h->colfield = xcalloc(h->ncols + 1, sizeof(*h->colfield));
    memcpy(h->colfield, im->colfield, h->ncols * sizeof(*h->colfield));
done:
    close_source(&src);
    mapping_release(&im->map);
    if (hdr_fields)
        for (int c = 0; c < im->ncols; c++)
            free((char *)hdr_fields[c].p);
    free(hdr_fields);
    free(im);
    return rc;
}
