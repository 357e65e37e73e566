/*
 * mapping.c: which column of an operator's file is which field of a kind. A column is matched
 * by its HXL hashtag (attribute order free, "+ind" implied), or by its header: canonical name,
 * an alias the centre stored (column_alias), or a built-in alias, after normalising letter
 * case, spaces, '-', '_' and '.'. Also the alias commands' storage.
 */
#include "mapping.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "madi/import.h"
#include "madi/kind.h"

#include "banned.h"
#include "buf.h"
#include "xalloc.h"

void madi_header_normalise(const char *s, size_t n, char *out, size_t outsz)
{
    size_t j = 0;
    int sep = 0;
    if (n >= 3 && (unsigned char)s[0] == 0xef && (unsigned char)s[1] == 0xbb &&
        (unsigned char)s[2] == 0xbf) {
        s += 3;
        n -= 3;
    }
    for (size_t i = 0; i < n && j + 1 < outsz; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isspace(c) || c == '-' || c == '_' || c == '.') {
            sep = 1;
            continue;
        }
        if (sep && j)
            out[j++] = '_';
        sep = 0;
        if (j + 1 < outsz)
            out[j++] = (char)tolower(c);
    }
    out[j] = '\0';
}

/* HXL tags compare by base and attribute set; "+ind" (people) is implied and dropped. */
static void hxl_normalise(const char *s, size_t n, char *out, size_t outsz)
{
    char tmp[256], *attrs[16];
    size_t j = 0, na = 0;
    for (size_t i = 0; i < n && j + 1 < sizeof(tmp); i++)
        if (!isspace((unsigned char)s[i]))
            tmp[j++] = (char)tolower((unsigned char)s[i]);
    tmp[j] = '\0';
    char *p = strchr(tmp, '+');
    if (p)
        *p++ = '\0';
    while (p && na < 16) {
        char *q = strchr(p, '+');
        if (q)
            *q++ = '\0';
        if (*p && strcmp(p, "ind") != 0)
            attrs[na++] = p;
        p = q;
    }
    for (size_t a = 1; a < na; a++)
        for (size_t b = a; b > 0 && strcmp(attrs[b - 1], attrs[b]) > 0; b--) {
            char *t = attrs[b];
            attrs[b] = attrs[b - 1];
            attrs[b - 1] = t;
        }
    struct madi_buf b;
    madi_buf_init(&b, 0);
    (void)madi_buf_adds(&b, tmp);
    for (size_t a = 0; a < na; a++)
        (void)madi_buf_addf(&b, "+%s", attrs[a]);
    (void)snprintf(out, outsz, "%s", b.data);
    madi_buf_release(&b);
}

static int list_has(const char *list, const char *norm, int hxl)
{
    char one[256];
    while (list && *list) {
        size_t n = strcspn(list, "|");
        if (hxl)
            hxl_normalise(list, n, one, sizeof(one));
        else
            madi_header_normalise(list, n, one, sizeof(one));
        if (strcmp(one, norm) == 0)
            return 1;
        list += n;
        if (*list == '|')
            list++;
    }
    return 0;
}

/* The field of `k` that a header or HXL tag names, or -1. */

static int match_one(const struct mapping *m, const struct madi_kind *k, const char *cell, size_t n,
                     int hxl)
{
    char norm[256];
    if (hxl) {
        hxl_normalise(cell, n, norm, sizeof(norm));
        for (size_t f = 0; f < k->nfields; f++)
            if (k->fields[f].hxl && list_has(k->fields[f].hxl, norm, 1))
                return (int)f;
        return -1;
    }
    madi_header_normalise(cell, n, norm, sizeof(norm));
    if (!norm[0])
        return -1;
    if (m->profile_kind && strcmp(m->profile_kind, k->name) == 0) {
        /* A profile's own column names come first: they are what this source means. */
        for (size_t a = 0; a < m->ncolumns; a++) {
            char an[256];
            madi_header_normalise(m->columns[a].alias, strlen(m->columns[a].alias), an, sizeof(an));
            if (strcmp(an, norm) == 0)
                return madi_kind_field_index(k, m->columns[a].field);
        }
    }
    for (size_t f = 0; f < k->nfields; f++)
        if (list_has(k->fields[f].name, norm, 0))
            return (int)f;
    for (size_t a = 0; a < m->n; a++) {
        char an[256];
        madi_header_normalise(m->aliases[a].alias, strlen(m->aliases[a].alias), an, sizeof(an));
        if (strcmp(m->aliases[a].kind, k->name) == 0 && strcmp(an, norm) == 0)
            return madi_kind_field_index(k, m->aliases[a].field);
    }
    for (size_t f = 0; f < k->nfields; f++)
        if (k->fields[f].aliases && list_has(k->fields[f].aliases, norm, 0))
            return (int)f;
    return -1;
}

int mapping_match(const struct mapping *m, const struct madi_kind *k, const char *cell, size_t n,
                  int hxl)
{
    int f = match_one(m, k, cell, n, hxl);
    if (f >= 0 || hxl)
        return f;
    /* KoBoToolbox writes a question in a group as "group/question", ODK Central as
     * "group-question": the question's own name is the last part. */
    for (size_t i = n; i > 0; i--) {
        if (cell[i - 1] == '/' || cell[i - 1] == '-')
            return i < n ? match_one(m, k, cell + i, n - i, 0) : -1;
    }
    return -1;
}

int mapping_tool_column(const char *cell, size_t n)
{
    static const char *const odk[] = { "KEY",
                                       "PARENT_KEY",
                                       "SubmissionDate",
                                       "ReviewState",
                                       "SubmitterID",
                                       "SubmitterName",
                                       "AttachmentsPresent",
                                       "AttachmentsExpected",
                                       "Status",
                                       "DeviceID",
                                       "Edits",
                                       "FormVersion",
                                       "__version__",
                                       "start",
                                       "end",
                                       "today",
                                       "deviceid",
                                       "username",
                                       "audit",
                                       "instanceID" };
    if (n && cell[0] == '_')
        return 1; /* KoBoToolbox: _id, _uuid, _submission_time, _index, _validation_status ... */
    if (n >= 5 && (strncmp(cell, "meta-", 5) == 0 || strncmp(cell, "meta/", 5) == 0))
        return 1;
    for (size_t i = 0; i < sizeof(odk) / sizeof(odk[0]); i++)
        if (strlen(odk[i]) == n && strncmp(odk[i], cell, n) == 0)
            return 1;
    return 0;
}

int mapping_is_hxl_row(const struct madi_csv_row *r)
{
    int tags = 0;
    for (size_t i = 0; i < r->n; i++) {
        const char *p = r->fields[i].p;
        size_t n = r->fields[i].len;
        while (n && isspace((unsigned char)*p)) {
            p++;
            n--;
        }
        if (!n)
            continue;
        if (*p != '#')
            return 0;
        tags++;
    }
    return tags > 0;
}

/* Codes the centre added to extensible lists (madi codes add), matched like built-in ones. */

int mapping_load(struct madi_store *s, struct mapping *m, struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    int rc = madi_store_prepare(s, "SELECT kind, alias, field FROM column_alias", &st, err);
    if (rc)
        return rc;
    while ((rc = madi_stmt_step(st, err)) == MADI_STMT_ROW) {
        m->aliases = xrealloc(m->aliases, (m->n + 1) * sizeof(*m->aliases));
        struct mapping_alias *a = &m->aliases[m->n++];
        a->kind = xstrdup(madi_stmt_text(st, 0));
        a->alias = xstrdup(madi_stmt_text(st, 1));
        a->field = xstrdup(madi_stmt_text(st, 2));
    }
    madi_stmt_finalize(st);
    return rc < 0 ? rc : MADI_OK;
}

void mapping_release(struct mapping *m)
{
    for (size_t a = 0; a < m->ncolumns; a++) {
        free(m->columns[a].alias);
        free(m->columns[a].field);
    }
    free(m->columns);
    for (size_t v = 0; v < m->nvalues; v++) {
        free(m->values[v].field);
        free(m->values[v].from);
        free(m->values[v].to);
    }
    free(m->values);
    free(m->profile_kind);
    m->columns = NULL;
    m->values = NULL;
    m->profile_kind = NULL;
    m->ncolumns = m->nvalues = 0;
    for (size_t a = 0; a < m->n; a++) {
        free(m->aliases[a].kind);
        free(m->aliases[a].alias);
        free(m->aliases[a].field);
    }
    free(m->aliases);
    m->aliases = NULL;
    m->n = 0;
}

/* ---- column aliases ---- */

int madi_alias_add(struct madi_store *s, const char *kind, const char *alias, const char *field,
                   struct madi_err *err)
{
    int rc = MADI_OK;
    struct madi_stmt *st = NULL;
    const struct madi_kind *k = madi_kind_find(kind);
    char norm[256];
    if (!k)
        return madi_err_set(err, MADI_EINVAL,
                            "there is no kind '%s' ('madi template --list' shows the kinds)", kind);
    if (madi_kind_field_index(k, field) < 0)
        return madi_err_set(err, MADI_EINVAL,
                            "%s has no column '%s' (see 'madi template %s --doc')", k->name, field,
                            k->name);
    madi_header_normalise(alias, strlen(alias), norm, sizeof(norm));
    if (!norm[0])
        return madi_err_set(err, MADI_EINVAL, "the alias is empty");
    rc = madi_store_begin(s, err);
    if (rc)
        return rc;
    rc = madi_store_prepare(s, "DELETE FROM column_alias WHERE kind = ? AND alias = ?; ", &st, err);
    if (!rc) {
        madi_stmt_bind_text(st, 1, k->name, strlen(k->name));
        madi_stmt_bind_text(st, 2, norm, strlen(norm));
        rc = madi_stmt_step(st, err);
        madi_stmt_finalize(st);
        st = NULL;
    }
    if (rc >= 0)
        rc = madi_store_prepare(s, "INSERT INTO column_alias (kind, alias, field) VALUES (?, ?, ?)",
                                &st, err);
    if (!rc) {
        madi_stmt_bind_text(st, 1, k->name, strlen(k->name));
        madi_stmt_bind_text(st, 2, norm, strlen(norm));
        madi_stmt_bind_text(st, 3, field, strlen(field));
        rc = madi_stmt_step(st, err);
    }
    madi_stmt_finalize(st);
    if (rc >= 0)
        rc = madi_store_commit(s, err);
    if (rc)
        madi_store_rollback(s);
    return rc;
}

int madi_alias_remove(struct madi_store *s, const char *kind, const char *alias,
                      struct madi_err *err)
{
    int rc = MADI_OK;
    struct madi_stmt *st = NULL;
    const struct madi_kind *k = madi_kind_find(kind);
    char norm[256];
    int64_t changed = 0;
    if (!k)
        return madi_err_set(err, MADI_EINVAL, "there is no kind '%s'", kind);
    madi_header_normalise(alias, strlen(alias), norm, sizeof(norm));
    rc = madi_store_begin(s, err);
    if (rc)
        return rc;
    rc = madi_store_prepare(s, "DELETE FROM column_alias WHERE kind = ? AND alias = ? RETURNING 1",
                            &st, err);
    if (!rc) {
        madi_stmt_bind_text(st, 1, k->name, strlen(k->name));
        madi_stmt_bind_text(st, 2, norm, strlen(norm));
        while ((rc = madi_stmt_step(st, err)) == MADI_STMT_ROW)
            changed++;
    }
    madi_stmt_finalize(st);
    if (rc >= 0)
        rc = madi_store_commit(s, err);
    if (rc) {
        madi_store_rollback(s);
        return rc;
    }
    if (!changed)
        return madi_err_set(err, MADI_ENOTFOUND, "%s has no alias '%s' (see 'madi alias list')",
                            k->name, alias);
    return MADI_OK;
}

int madi_alias_foreach(struct madi_store *s,
                       void (*fn)(void *ctx, const char *kind, const char *alias,
                                  const char *field),
                       void *ctx, struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    int rc = madi_store_prepare(
            s, "SELECT kind, alias, field FROM column_alias ORDER BY kind, alias", &st, err);
    if (rc)
        return rc;
    while ((rc = madi_stmt_step(st, err)) == MADI_STMT_ROW)
        fn(ctx, madi_stmt_text(st, 0), madi_stmt_text(st, 1), madi_stmt_text(st, 2));
    madi_stmt_finalize(st);
    return rc < 0 ? rc : MADI_OK;
}

/* ---- mapping profiles ---- */

/* Next token of a profile line: a "quoted string" (with \" inside) or a bare word. */
static char *token(char **pp)
{
    char *p = *pp;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!*p || *p == '#')
        return NULL;
    if (*p == '"') {
        char *out = ++p, *w = p;
        while (*p && *p != '"') {
            if (*p == '\\' && p[1])
                p++;
            *w++ = *p++;
        }
        if (*p != '"')
            return NULL;
        *w = '\0';
        *pp = p + 1;
        return out;
    }
    char *out = p;
    while (*p && *p != ' ' && *p != '\t')
        p++;
    if (*p)
        *p++ = '\0';
    *pp = p;
    return out;
}

static char *lower_dup(const char *s)
{
    char *d = xstrdup(s);
    for (char *p = d; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return d;
}

int mapping_profile_load(const char *path, struct mapping *m, struct madi_err *err)
{
    int rc = MADI_OK;
    unsigned long lineno = 0;
    char line[2048];
    FILE *f = fopen(path, "r");
    if (!f)
        return madi_err_set(err, MADI_EIO, "cannot open the mapping %s", path);
    while (!rc && fgets(line, sizeof(line), f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        char *p = line;
        char *verb = token(&p);
        if (!verb)
            continue;
        char *a = token(&p), *b = token(&p), *c = token(&p);
        if (strcmp(verb, "kind") == 0 && a && !b) {
            const struct madi_kind *k = madi_kind_find(a);
            if (!k) {
                rc = madi_err_set(err, MADI_EPARSE, "%s:%lu: there is no kind '%s'", path, lineno,
                                  a);
                break;
            }
            free(m->profile_kind);
            m->profile_kind = xstrdup(k->name);
        } else if (strcmp(verb, "column") == 0 && a && b && !c) {
            if (strcmp(b, "?") == 0) {
                /* left for the officer to decide: the column is ignored */
                continue;
            }
            m->columns = xrealloc(m->columns, (m->ncolumns + 1) * sizeof(*m->columns));
            m->columns[m->ncolumns].kind = NULL;
            m->columns[m->ncolumns].alias = xstrdup(a);
            m->columns[m->ncolumns].field = xstrdup(b);
            m->ncolumns++;
        } else if (strcmp(verb, "value") == 0 && a && b && c) {
            if (strcmp(c, "?") == 0) {
                rc = madi_err_set(err, MADI_EPARSE,
                                  "%s:%lu: the value \"%s\" of %s still reads '?': write the code "
                                  "it stands for",
                                  path, lineno, b, a);
                break;
            }
            m->values = xrealloc(m->values, (m->nvalues + 1) * sizeof(*m->values));
            m->values[m->nvalues].field = xstrdup(a);
            m->values[m->nvalues].from = lower_dup(b);
            m->values[m->nvalues].to = xstrdup(c);
            m->nvalues++;
        } else {
            rc = madi_err_set(err, MADI_EPARSE,
                              "%s:%lu: not a mapping line (write: kind KIND, column \"HEADER\" "
                              "COLUMN, or value COLUMN \"TEXT\" CODE)",
                              path, lineno);
        }
    }
    if (!rc && ferror(f))
        rc = madi_err_set(err, MADI_EIO, "cannot read the mapping %s", path);
    (void)fclose(f);
    if (!rc && !m->profile_kind)
        rc = madi_err_set(err, MADI_EPARSE, "%s: the mapping has no 'kind' line", path);
    /* Column and value lines must name columns of the kind. */
    const struct madi_kind *k = m->profile_kind ? madi_kind_find(m->profile_kind) : NULL;
    for (size_t i = 0; !rc && i < m->ncolumns; i++)
        if (madi_kind_field_index(k, m->columns[i].field) < 0)
            rc = madi_err_set(err, MADI_EPARSE, "%s: %s has no column '%s'", path, k->name,
                              m->columns[i].field);
    for (size_t i = 0; !rc && i < m->nvalues; i++)
        if (madi_kind_field_index(k, m->values[i].field) < 0)
            rc = madi_err_set(err, MADI_EPARSE, "%s: %s has no column '%s'", path, k->name,
                              m->values[i].field);
    return rc;
}

const char *mapping_value(const struct mapping *m, const char *field, const char *p, size_t n)
{
    while (n && isspace((unsigned char)*p)) {
        p++;
        n--;
    }
    while (n && isspace((unsigned char)p[n - 1]))
        n--;
    for (size_t i = 0; i < m->nvalues; i++) {
        const struct mapping_value *v = &m->values[i];
        if (strcmp(v->field, field) != 0 || strlen(v->from) != n)
            continue;
        size_t j = 0;
        while (j < n && tolower((unsigned char)p[j]) == (unsigned char)v->from[j])
            j++;
        if (j == n)
            return v->to;
    }
    return NULL;
}
