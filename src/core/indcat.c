/*
 * indcat.c: the indicator catalogue: its text format, the built-in entries (catalogue.ini,
 * embedded at build time), and the entries a centre stores in its database.
 *
 * The format (docs/INDICATORS.md): an entry starts with `[id]`; then `key = value` lines; a
 * line that starts with a space continues the value above; `#` starts a comment line. Every
 * entry is compiled (indexpr.c) as it is read, so a mistake is reported at its line and an
 * entry that loads can always be computed.
 */
#include "indcat.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "banned.h"
#include "buf.h"
#include "ind_int.h"
#include "xalloc.h"

extern const char madi_catalogue_builtin[];

struct madi_ind_catalogue {
    struct ind_entry **e;
    size_t n, cap;
};

static const char *const keys[] = { "title",
                                    "description",
                                    "pillar",
                                    "wps",
                                    "unit",
                                    "numerator",
                                    "denominator",
                                    "baseline_numerator",
                                    "baseline_denominator",
                                    "universe",
                                    "by",
                                    "direction",
                                    "frameworks",
                                    "counts",
                                    "reference",
                                    "unrecorded" };
#define NKEYS (sizeof(keys) / sizeof(keys[0]))
_Static_assert(NKEYS + 1 == IND_NSTR, "a string slot for the id and each key");

static const char *const pillars[] = { "land-release", "eore",       "victim-assistance",
                                       "workforce",    "governance", "data" };
static const char *const wps_words[] = { "participation", "protection", "prevention",
                                         "relief-recovery" };

struct reader {
    const char *origin;
    madi_ind_issue_fn on_issue;
    void *ctx;
    int nissues;
};

static void issue(struct reader *r, int line, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static void issue(struct reader *r, int line, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    r->nissues++;
    if (r->on_issue) {
        struct madi_ind_issue is = { r->origin, line, msg };
        r->on_issue(r->ctx, &is);
    }
}

void ind_entry_free(struct ind_entry *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < IND_NSTR; i++)
        free(e->str[i]);
    free(e->origin);
    free(e);
}

/* The line a key was given on (the entry's line when it was not given). */
static int key_line(const struct ind_entry *e, const char *key)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (strcmp(keys[i], key) == 0 && e->key_line[i + 1])
            return e->key_line[i + 1];
    return e->line;
}

static const char *val(const struct ind_entry *e, const char *key)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (strcmp(keys[i], key) == 0)
            return e->str[i + 1];
    return NULL;
}

static int in_list(const char *w, size_t n, const char *const *list, size_t nlist)
{
    for (size_t i = 0; i < nlist; i++)
        if (strlen(list[i]) == n && strncmp(list[i], w, n) == 0)
            return 1;
    return 0;
}

/* Check a comma-separated value against a word list; report the first stranger. */
static void check_words(struct reader *r, int line, const char *key, const char *v,
                        const char *const *list, size_t nlist)
{
    while (v && *v) {
        while (*v == ' ' || *v == ',')
            v++;
        size_t n = strcspn(v, ", ");
        if (n && !in_list(v, n, list, nlist)) {
            char known[200] = "";
            for (size_t i = 0; i < nlist; i++)
                (void)snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s",
                               i ? ", " : "", list[i]);
            issue(r, line, "%s: '%.*s' is not one of: %s", key, (int)n, v, known);
            return;
        }
        v += n;
    }
}

static void compile(struct reader *r, struct ind_entry *e, const char *key, struct measure *m,
                    int *has)
{
    const char *v = val(e, key);
    char why[300];
    *has = 0;
    if (!v)
        return;
    if (ind_measure_parse(v, m, why, sizeof(why))) {
        issue(r, key_line(e, key), "%s: %s", key, why);
        return;
    }
    *has = 1;
}

/* The SADDD axis a condition selects on (1 sex, 2 age, 4 disability), or 0. */
static unsigned cond_axis(const struct term *t, const struct cond *c)
{
    switch (c->ref) {
    case D_SEX_PART:
        return 1;
    case D_AGE_PART:
    case D_AGE:
        return 2;
    case D_DIS_PART:
        return 4;
    case D_FIELD:
    case D_PFIELD: {
        const struct madi_kind *k =
                c->ref == D_PFIELD ? madi_kind_find(t->src->person_kind) : ind_src_kind(t->src);
        const char *name = k->fields[c->field].name;
        return strcmp(name, "sex") == 0 ? 1 : strcmp(name, "disability") == 0 ? 4 : 0;
    }
    default:
        return 0;
    }
}

/* The numerator's base: the same terms without their sex, age and disability conditions, so a
 * count of girls can say how much of what it was drawn from was split by sex and age at all. */
static void strip_saddd(struct ind_entry *e)
{
    e->nbase = e->num;
    e->num_axes = 0;
    for (int i = 0; i < e->nbase.nterms; i++) {
        struct term *t = &e->nbase.terms[i];
        int k = 0;
        for (int j = 0; j < t->nconds; j++) {
            unsigned ax = cond_axis(t, &t->conds[j]);
            e->num_axes |= ax;
            if (!ax)
                t->conds[k++] = t->conds[j];
        }
        t->nconds = k;
    }
}

/* Fill the public definition from the strings, and compile. */
static void finish(struct reader *r, struct ind_entry *e)
{
    struct madi_ind_def *d = &e->def;
    const char *unit = val(e, "unit"), *dir = val(e, "direction");
    d->id = e->str[0];
    d->title = val(e, "title");
    d->description = val(e, "description") ? val(e, "description") : "";
    d->pillar = val(e, "pillar");
    d->wps = val(e, "wps") ? val(e, "wps") : "";
    d->numerator = val(e, "numerator");
    d->denominator = val(e, "denominator");
    d->baseline_numerator = val(e, "baseline_numerator");
    d->baseline_denominator = val(e, "baseline_denominator");
    d->universe = val(e, "universe");
    d->by = val(e, "by") ? val(e, "by") : "";
    d->frameworks = val(e, "frameworks") ? val(e, "frameworks") : "";
    d->counts = val(e, "counts") ? val(e, "counts") : "";
    d->reference = val(e, "reference");
    const char *unrec = val(e, "unrecorded");
    d->unrecorded_is_zero = unrec && strcmp(unrec, "zero") == 0;
    if (unrec && !d->unrecorded_is_zero && strcmp(unrec, "no-value") != 0)
        issue(r, key_line(e, "unrecorded"), "unrecorded: '%s' is not one of: no-value, zero",
              unrec);
    e->origin = xstrdup(r->origin);
    d->origin = e->origin;
    d->line = e->line;
    if (!d->title)
        issue(r, e->line, "[%s] has no title", d->id);
    if (!d->pillar)
        issue(r, e->line, "[%s] has no pillar", d->id);
    else
        check_words(r, key_line(e, "pillar"), "pillar", d->pillar, pillars, 6);
    check_words(r, key_line(e, "wps"), "wps", d->wps, wps_words, 4);
    if (!unit || strcmp(unit, "count") == 0)
        d->unit = MADI_UNIT_COUNT;
    else if (strcmp(unit, "percent") == 0)
        d->unit = MADI_UNIT_PERCENT;
    else if (strcmp(unit, "ratio") == 0)
        d->unit = MADI_UNIT_RATIO;
    else if (strcmp(unit, "days") == 0)
        d->unit = MADI_UNIT_DAYS;
    else
        issue(r, key_line(e, "unit"), "unit: '%s' is not one of: count, percent, ratio, days",
              unit);
    if (!unit)
        issue(r, e->line, "[%s] has no unit (count, percent, ratio or days)", d->id);
    d->higher_is_better = -1;
    if (dir && strcmp(dir, "higher") == 0)
        d->higher_is_better = 1;
    else if (dir && strcmp(dir, "lower") == 0)
        d->higher_is_better = 0;
    else if (dir && strcmp(dir, "none") != 0)
        issue(r, key_line(e, "direction"), "direction: '%s' is not one of: higher, lower, none",
              dir);
    if (!d->numerator)
        issue(r, e->line, "[%s] has no numerator", d->id);
    if (d->unit != MADI_UNIT_COUNT && d->unit != MADI_UNIT_DAYS && !d->denominator)
        issue(r, e->line, "[%s] is a %s and needs a denominator", d->id,
              madi_ind_unit_name(d->unit));
    if (!!d->baseline_numerator != !!d->baseline_denominator)
        issue(r, e->line, "baseline_numerator and baseline_denominator go together");
    compile(r, e, "numerator", &e->num, &e->has_num);
    compile(r, e, "denominator", &e->den, &e->has_den);
    compile(r, e, "baseline_numerator", &e->bnum, &e->has_bnum);
    compile(r, e, "baseline_denominator", &e->bden, &e->has_bden);
    compile(r, e, "universe", &e->uni, &e->has_uni);
    if (e->has_num)
        strip_saddd(e);
    char why[200];
    if (e->has_num && ind_by_check(e, d->by, why, sizeof(why)))
        issue(r, key_line(e, "by"), "by: %s", why);
}

static int valid_id(const char *s, size_t n)
{
    if (!n || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '.' ||
              s[i] == '_' || s[i] == '-'))
            return 0;
    return 1;
}

/* Parse `text` into entries (caller frees each and the array). */
static struct ind_entry **parse(struct reader *r, const char *text, size_t len, size_t *count)
{
    struct ind_entry **v = NULL, *cur = NULL;
    size_t n = 0, cap = 0;
    int line = 0, last_key = -1;
    for (size_t pos = 0; pos < len;) {
        const char *s = text + pos;
        size_t ln = 0;
        while (pos + ln < len && text[pos + ln] != '\n')
            ln++;
        pos += ln + 1;
        line++;
        int cont = ln && (s[0] == ' ' || s[0] == '\t');
        madi_trim(&s, &ln);
        if (!ln || s[0] == '#') {
            if (!ln)
                last_key = -1;
            continue;
        }
        if (memchr(s, '\0', ln)) {
            issue(r, line, "a NUL byte: the catalogue must be text");
            continue;
        }
        if (s[0] == '[') {
            const char *id = s + 1;
            size_t idn = ln >= 2 && s[ln - 1] == ']' ? ln - 2 : 0;
            if (!valid_id(id, idn)) {
                issue(r, line,
                      "an entry starts with [id]: lower-case letters, digits, '.', "
                      "'_' and '-', up to 64");
                cur = NULL;
                continue;
            }
            for (size_t i = 0; i < n; i++)
                if (strlen(v[i]->str[0]) == idn && strncmp(v[i]->str[0], id, idn) == 0)
                    issue(r, line, "[%.*s] is defined twice (first at line %d)", (int)idn, id,
                          v[i]->line);
            cur = xcalloc(1, sizeof(*cur));
            cur->str[0] = xstrndup(id, idn);
            cur->line = line;
            if (n == cap) {
                cap = cap ? cap * 2 : 64;
                v = xrealloc(v, cap * sizeof(*v));
            }
            v[n++] = cur;
            last_key = -1;
            continue;
        }
        if (!cur) {
            issue(r, line, "text before the first [id]");
            continue;
        }
        if (cont && last_key >= 0) {
            char *old = cur->str[last_key + 1];
            cur->str[last_key + 1] = xasprintf("%s %.*s", old, (int)ln, s);
            free(old);
            continue;
        }
        const char *eq = memchr(s, '=', ln);
        if (!eq) {
            issue(r, line, "expected 'key = value'");
            continue;
        }
        const char *k = s, *vv = eq + 1;
        size_t kn = (size_t)(eq - s), vn = ln - kn - 1;
        madi_trim(&k, &kn);
        madi_trim(&vv, &vn);
        last_key = -1;
        for (size_t i = 0; i < NKEYS; i++)
            if (strlen(keys[i]) == kn && strncmp(keys[i], k, kn) == 0)
                last_key = (int)i;
        if (last_key < 0) {
            issue(r, line, "'%.*s' is not a catalogue key (docs/INDICATORS.md lists them)", (int)kn,
                  k);
            continue;
        }
        if (cur->str[last_key + 1])
            issue(r, line, "'%s' is given twice in [%s]", keys[last_key], cur->str[0]);
        free(cur->str[last_key + 1]);
        cur->str[last_key + 1] = xstrndup(vv, vn);
        cur->key_line[last_key + 1] = line;
    }
    for (size_t i = 0; i < n; i++)
        finish(r, v[i]);
    *count = n;
    return v;
}

static void cat_put(struct madi_ind_catalogue *c, struct ind_entry *e)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->e[i]->def.id, e->def.id) == 0) {
            ind_entry_free(c->e[i]);
            c->e[i] = e;
            return;
        }
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        c->e = xrealloc(c->e, c->cap * sizeof(*c->e));
    }
    c->e[c->n++] = e;
}

/* Parse and check; on success every entry goes into `c` (when non-NULL) and *out_n says how
 * many; on any issue nothing is added. */
static int add_text(struct madi_ind_catalogue *c, const char *text, size_t len, const char *origin,
                    madi_ind_issue_fn on_issue, void *ctx, size_t *out_n, struct madi_err *err)
{
    struct reader r = { origin, on_issue, ctx, 0 };
    size_t n = 0;
    struct ind_entry **v = parse(&r, text, len, &n);
    if (!n && !r.nissues)
        issue(&r, 1, "no indicator: an entry starts with [id]");
    for (size_t i = 0; i < n; i++) {
        if (!r.nissues && c)
            cat_put(c, v[i]);
        else
            ind_entry_free(v[i]);
    }
    free(v);
    if (out_n)
        *out_n = n;
    if (r.nissues)
        return madi_err_set(err, MADI_EREJECTED, "%s: %d problem%s in the catalogue", origin,
                            r.nissues, r.nissues == 1 ? "" : "s");
    return MADI_OK;
}

int madi_ind_catalogue_add_text(struct madi_ind_catalogue *c, const char *text, size_t n,
                                const char *origin, madi_ind_issue_fn on_issue, void *ctx,
                                struct madi_err *err)
{
    return add_text(c, text, n, origin, on_issue, ctx, NULL, err);
}

static void first_issue(void *ctx, const struct madi_ind_issue *is)
{
    char *first = ctx;
    if (!first[0])
        (void)snprintf(first, 300, "line %d: %s", is->line, is->msg);
}

int madi_ind_catalogue_new(struct madi_ind_catalogue **out, struct madi_err *err)
{
    struct madi_ind_catalogue *c = xcalloc(1, sizeof(*c));
    char first[300] = "";
    int rc = add_text(c, madi_catalogue_builtin, strlen(madi_catalogue_builtin), "built-in",
                      first_issue, first, NULL, err);
    if (rc) {
        madi_ind_catalogue_free(c);
        return madi_err_set(err, MADI_EINTERNAL, "the built-in catalogue does not load (a bug): %s",
                            first);
    }
    for (size_t i = 0; i < c->n; i++)
        c->e[i]->builtin = 1;
    *out = c;
    return MADI_OK;
}

void madi_ind_catalogue_free(struct madi_ind_catalogue *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        ind_entry_free(c->e[i]);
    free(c->e);
    free(c);
}

size_t madi_ind_catalogue_count(const struct madi_ind_catalogue *c)
{
    return c->n;
}

const struct madi_ind_def *madi_ind_catalogue_get(const struct madi_ind_catalogue *c, size_t i)
{
    return i < c->n ? &c->e[i]->def : NULL;
}

const struct madi_ind_def *madi_ind_catalogue_find(const struct madi_ind_catalogue *c,
                                                   const char *id)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->e[i]->def.id, id) == 0)
            return &c->e[i]->def;
    return NULL;
}

const char *madi_ind_unit_name(enum madi_ind_unit u)
{
    switch (u) {
    case MADI_UNIT_COUNT:
        return "count";
    case MADI_UNIT_PERCENT:
        return "percent";
    case MADI_UNIT_RATIO:
        return "ratio";
    case MADI_UNIT_DAYS:
        return "days";
    }
    return "?";
}

/* ---- stored entries ---------------------------------------------------------------------- */

int madi_ind_catalogue_add_stored(struct madi_ind_catalogue *c, struct madi_store *s,
                                  struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    int rc =
            madi_store_prepare(s, "SELECT id, definition FROM indicator_def ORDER BY id", &st, err);
    while (rc >= 0 && (rc = madi_stmt_step(st, err)) == MADI_STMT_ROW) {
        const char *def = madi_stmt_text(st, 1);
        char first[300] = "", id[80];
        (void)snprintf(id, sizeof(id), "%s", madi_stmt_text(st, 0));
        rc = madi_ind_catalogue_add_text(c, def, strlen(def), "stored in the database", first_issue,
                                         first, NULL);
        if (rc)
            rc = madi_err_set(err, MADI_EDB,
                              "stored indicator %s no longer loads (%s): store a corrected "
                              "definition with madi indicators --add, or remove it with "
                              "madi indicators --remove %s",
                              id, first, id);
    }
    madi_stmt_finalize(st);
    return rc < 0 ? rc : MADI_OK;
}

int madi_ind_store_remove(struct madi_store *s, const char *id, struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    int64_t n = 0;
    int rc = madi_store_begin(s, err);
    if (rc)
        return rc;
    rc = madi_store_prepare(s, "SELECT count(*) FROM indicator_def WHERE id = ?", &st, err);
    if (!rc) {
        madi_stmt_bind_text(st, 1, id, strlen(id));
        rc = madi_stmt_step(st, err);
        n = rc == MADI_STMT_ROW ? madi_stmt_int(st, 0) : 0;
        rc = rc < 0 ? rc : MADI_OK;
        madi_stmt_finalize(st);
        st = NULL;
    }
    if (!rc && n)
        rc = madi_store_prepare(s, "DELETE FROM indicator_def WHERE id = ?", &st, err);
    if (!rc && n) {
        madi_stmt_bind_text(st, 1, id, strlen(id));
        rc = madi_stmt_step(st, err);
        rc = rc < 0 ? rc : MADI_OK;
        madi_stmt_finalize(st);
    }
    if (!rc && n == 0)
        rc = madi_err_set(err, MADI_EINVAL,
                          "no stored indicator has the id '%s' (built-in ones cannot be removed)",
                          id);
    if (!rc)
        rc = madi_store_commit(s, err);
    if (rc)
        madi_store_rollback(s);
    return rc;
}

static char *entry_text(const struct ind_entry *e)
{
    struct madi_buf b = MADI_BUF_INIT;
    (void)madi_buf_addf(&b, "[%s]\n", e->str[0]);
    for (size_t i = 0; i < NKEYS; i++)
        if (e->str[i + 1])
            (void)madi_buf_addf(&b, "%s = %s\n", keys[i], e->str[i + 1]);
    return madi_buf_detach(&b, NULL);
}

int madi_ind_store_text(struct madi_store *s, const char *text, size_t n, const char *origin,
                        const char *who, madi_ind_issue_fn on_issue, void *ctx, size_t *added,
                        struct madi_err *err)
{
    struct madi_ind_catalogue *builtin = NULL, *mine = xcalloc(1, sizeof(*mine));
    struct madi_stmt *st = NULL;
    char now[32];
    *added = 0;
    madi_now_iso(now);
    int rc = madi_ind_catalogue_new(&builtin, err);
    if (!rc)
        rc = add_text(mine, text, n, origin, on_issue, ctx, NULL, err);
    for (size_t i = 0; !rc && i < mine->n; i++)
        if (madi_ind_catalogue_find(builtin, mine->e[i]->def.id))
            rc = madi_err_set(err, MADI_ECONFLICT,
                              "%s: [%s] is a built-in indicator; give your variant an id of "
                              "its own (for example %s.local)",
                              origin, mine->e[i]->def.id, mine->e[i]->def.id);
    if (!rc)
        rc = madi_store_begin(s, err);
    if (!rc) {
        rc = madi_store_prepare(s,
                                "INSERT INTO indicator_def (id, definition, added_at, added_by) "
                                "VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                                "definition = excluded.definition, added_at = excluded.added_at, "
                                "added_by = excluded.added_by",
                                &st, err);
        for (size_t i = 0; !rc && i < mine->n; i++) {
            char *def = entry_text(mine->e[i]);
            madi_stmt_reset(st);
            madi_stmt_bind_text(st, 1, mine->e[i]->def.id, strlen(mine->e[i]->def.id));
            madi_stmt_bind_text(st, 2, def, strlen(def));
            madi_stmt_bind_text(st, 3, now, strlen(now));
            madi_stmt_bind_text(st, 4, who, strlen(who));
            rc = madi_stmt_step(st, err);
            rc = rc < 0 ? rc : MADI_OK;
            free(def);
        }
        madi_stmt_finalize(st);
        if (!rc)
            rc = madi_store_commit(s, err);
        if (rc)
            madi_store_rollback(s);
        else
            *added = mine->n;
    }
    madi_ind_catalogue_free(builtin);
    madi_ind_catalogue_free(mine);
    return rc;
}
