/*
 * render.c: the report's writers: HTML with inline SVG charts, Markdown, a JSON-stat 2.0
 * collection and CSV with an HXL row. They read only the protected model (report_int.h), so
 * a suppressed cell is a status here, never a number; charts are drawn from the same cells.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "madi/dim.h"
#include "madi/report.h"

#include "banned.h"
#include "buf.h"
#include "report_int.h"
#include "xalloc.h"

static const struct {
    const char *id, *title;
} sections[] = { { "land-release", "Land release" },
                 { "eore", "Explosive ordnance risk education" },
                 { "victim-assistance", "Victims and victim assistance" },
                 { "workforce", "Workforce" },
                 { "governance", "Operators, teams and training" },
                 { "data", "Data" } };
#define NSECTIONS (sizeof(sections) / sizeof(sections[0]))

/* The treaty report forms that carry SADDD, and what each covers. */
static const struct {
    const char *code, *title, *covers;
} forms[] = {
    { "APMBC F", "APMBC Article 7, Form F",
      "programmes for the destruction of anti-personnel mines in mined areas: land release and "
      "its beneficiaries" },
    { "APMBC I", "APMBC Article 7, Form I",
      "measures to warn the population of mined areas: risk education" },
    { "APMBC J", "APMBC Article 7, Form J (voluntary)",
      "other relevant matters: casualties and victim assistance (and the GDEI section of this "
      "report)" },
    { "CCM F", "CCM Article 7, Form F", "contaminated areas and clearance" },
    { "CCM G", "CCM Article 7, Form G", "warning the population and risk education" },
    { "CCM H", "CCM Article 7, Form H", "victim assistance" },
};
#define NFORMS (sizeof(forms) / sizeof(forms[0]))

static int in_form(const struct rtable *t, const char *code)
{
    const char *p = strstr(t->forms, code);
    size_t n = strlen(code);
    return p && (p[n] == '\0' || p[n] == ';');
}

static const char *dmy(int32_t d, char *b, size_t n)
{
    (void)snprintf(b, n, "%02d/%02d/%04d", (int)(d % 100), (int)(d / 100 % 100), (int)(d / 10000));
    return b;
}

static const char cutoffs[] =
        "Age groups: under 18 and 18 and over; disability by the Washington Group short set (a "
        "lot of difficulty, or cannot do at all, in at least one domain) or the operator's own "
        "flag; direct and indirect beneficiaries kept apart.";

static const struct {
    const char *id, *title;
} wps_pillars[] = { { "participation", "Participation" },
                    { "protection", "Protection" },
                    { "prevention", "Prevention" },
                    { "relief-recovery", "Relief and recovery" } };

#define MARK "c" /* the one marker of a suppressed cell */

static const char *fmt_num(double v, char *b, size_t n)
{
    char raw[64];
    (void)snprintf(raw, sizeof(raw), "%.0f", v);
    size_t len = strlen(raw), j = 0, lead = raw[0] == '-';
    for (size_t i = 0; i < len && j + 2 < n; i++) {
        b[j++] = raw[i];
        size_t left = len - i - 1;
        if (i >= lead && left && left % 3 == 0)
            b[j++] = ',';
    }
    b[j] = '\0';
    return b;
}

static const char *kpi_value(const struct rkpi *k, char *b, size_t n)
{
    if (k->status == CS_SUPPRESSED)
        return MARK;
    if (k->status != CS_OK)
        return "-";
    switch (k->def->unit) {
    case MADI_UNIT_PERCENT:
        (void)snprintf(b, n, "%.1f%%", k->value);
        break;
    case MADI_UNIT_RATIO:
        (void)snprintf(b, n, "%.2f", k->value);
        break;
    case MADI_UNIT_DAYS:
        (void)snprintf(b, n, "%.0f days", k->value);
        break;
    default:
        return fmt_num(k->value, b, n);
    }
    return b;
}

static const char *cell_text(const struct rtable *t, size_t c, char *b, size_t n)
{
    if (t->status[c] == CS_SUPPRESSED)
        return MARK;
    if (t->status[c] == CS_NA)
        return "-";
    return fmt_num(t->value[c], b, n);
}

void rep_html_text(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<':
            (void)fputs("&lt;", out);
            break;
        case '>':
            (void)fputs("&gt;", out);
            break;
        case '&':
            (void)fputs("&amp;", out);
            break;
        case '"':
            (void)fputs("&quot;", out);
            break;
        default:
            (void)fputc(*s, out);
        }
    }
}

static const char *suppression_note(const struct madi_report *r, char *b, size_t n)
{
    (void)snprintf(b, n,
                   "%s: not published. A count of 1 to %ld people is never shown, nor a share "
                   "of one; other cells are hidden where a suppressed count could otherwise "
                   "be worked out from totals, from other cells or from another table of this "
                   "report. _U: unknown or not recorded. -: no value (nothing recorded).",
                   MARK, r->k - 1);
    return b;
}

/* ---- charts (SVG) -------------------------------------------------------------------------- */

static double cell_val(const struct rtable *t, size_t i, size_t j, int *shown)
{
    size_t c = i * t->dims[1].ncats + j;
    *shown = t->status[c] == CS_OK;
    return *shown ? t->value[c] : 0;
}

/* Horizontal bars of the first dimension's totals (rows), from the protected cells. */
static void svg_bars(FILE *out, const struct rtable *t)
{
    size_t rows = t->dims[0].ncats - 1, tot = t->dims[1].ncats - 1;
    double max = 0;
    int shown;
    for (size_t i = 0; i < rows; i++) {
        double v = cell_val(t, i, tot, &shown);
        max = v > max ? v : max;
    }
    int h = (int)rows * 22 + 10;
    (void)fprintf(out,
                  "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 640 %d\" width=\"640\" "
                  "height=\"%d\" aria-label=\"",
                  h, h);
    rep_html_text(out, t->title);
    (void)fprintf(out, "\"><title>");
    rep_html_text(out, t->title);
    (void)fputs("</title>", out);
    for (size_t i = 0; i < rows; i++) {
        char b[32];
        double v = cell_val(t, i, tot, &shown);
        int y = (int)i * 22 + 5, w = max > 0 ? (int)(340.0 * v / max) : 0;
        (void)fprintf(out, "<text x=\"0\" y=\"%d\" class=\"lab\">", y + 14);
        rep_html_text(out, t->dims[0].labels[i]);
        (void)fputs("</text>", out);
        if (shown) {
            (void)fprintf(out,
                          "<rect x=\"200\" y=\"%d\" width=\"%d\" height=\"16\" class=\"bar\"/>"
                          "<text x=\"%d\" y=\"%d\" class=\"num\">%s</text>",
                          y, w, 206 + w, y + 13, fmt_num(v, b, sizeof(b)));
        } else {
            (void)fprintf(out, "<text x=\"204\" y=\"%d\" class=\"num\">%s</text>", y + 13,
                          t->status[i * t->dims[1].ncats + tot] == CS_SUPPRESSED ? MARK : "-");
        }
    }
    (void)fputs("</svg>\n", out);
}

/* A pyramid: women (F) to the left, men (M) to the right, one row per age group. */
static void svg_pyramid(FILE *out, const struct rtable *t)
{
    size_t f = (size_t)-1, m = (size_t)-1, ages = t->dims[1].ncats - 2; /* without _U, _T */
    for (size_t i = 0; i < t->dims[0].ncats; i++) {
        if (strcmp(t->dims[0].codes[i], "F") == 0)
            f = i;
        if (strcmp(t->dims[0].codes[i], "M") == 0)
            m = i;
    }
    if (f == (size_t)-1 || m == (size_t)-1)
        return;
    double max = 0;
    int shown;
    for (size_t j = 0; j < ages; j++) {
        double a = cell_val(t, f, j, &shown), b = cell_val(t, m, j, &shown);
        max = a > max ? a : max;
        max = b > max ? b : max;
    }
    int h = (int)ages * 22 + 30;
    (void)fprintf(out,
                  "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 640 %d\" width=\"640\" "
                  "height=\"%d\" aria-label=\"",
                  h, h);
    rep_html_text(out, t->title);
    (void)fputs(": women and girls to the left, men and boys to the right\"><title>", out);
    rep_html_text(out, t->title);
    (void)fputs("</title><text x=\"140\" y=\"14\" class=\"lab\">female</text>"
                "<text x=\"440\" y=\"14\" class=\"lab\">male</text>",
                out);
    for (size_t j = 0; j < ages; j++) {
        int y = (int)(ages - 1 - j) * 22 + 24;
        char b[32];
        (void)fprintf(out, "<text x=\"320\" y=\"%d\" class=\"mid\">", y + 13);
        rep_html_text(out, t->dims[1].labels[j]);
        (void)fputs("</text>", out);
        for (int side = 0; side < 2; side++) {
            size_t row = side ? m : f;
            double v = cell_val(t, row, j, &shown);
            int w = max > 0 ? (int)(230.0 * v / max) : 0;
            int x = side ? 360 : 280 - w;
            if (shown)
                (void)fprintf(out,
                              "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"16\" "
                              "class=\"%s\"/><text x=\"%d\" y=\"%d\" class=\"num%s\">%s</text>",
                              x, y, w, side ? "bar m" : "bar f", side ? 366 + w : 274 - w, y + 13,
                              side ? "" : " end", fmt_num(v, b, sizeof(b)));
            else
                (void)fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"num%s\">%s</text>",
                              side ? 366 : 274, y + 13, side ? "" : " end",
                              t->status[row * t->dims[1].ncats + j] == CS_SUPPRESSED ? MARK : "-");
        }
    }
    (void)fputs("</svg>\n", out);
}

/* A small bar for a percentage, with the target as a line. */
static void svg_kpi(FILE *out, const struct rkpi *k)
{
    if (k->status != CS_OK || k->def->unit != MADI_UNIT_PERCENT)
        return;
    double v = k->value < 0 ? 0 : k->value > 100 ? 100 : k->value;
    (void)fprintf(out,
                  "<svg class=\"kpi\" role=\"img\" viewBox=\"0 0 120 14\" width=\"120\" "
                  "height=\"14\" aria-label=\"%.1f%%%s\"><rect x=\"0\" y=\"2\" width=\"120\" "
                  "height=\"10\" class=\"track\"/><rect x=\"0\" y=\"2\" width=\"%.1f\" "
                  "height=\"10\" class=\"bar\"/>",
                  k->value, k->has_target ? " against its target" : "", 1.2 * v);
    if (k->has_target) {
        double tx = 1.2 * (k->target < 0 ? 0 : k->target > 100 ? 100 : k->target);
        (void)fprintf(out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"0\" y2=\"14\" class=\"target\"/>",
                      tx, tx);
    }
    (void)fputs("</svg>", out);
}

/* ---- HTML ------------------------------------------------------------------------------------ */

static const char css[] =
        "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:60rem;"
        "margin:0 auto;padding:1rem;color:#1b1b1b;line-height:1.45}"
        "h1{font-size:1.6rem}h2{border-bottom:2px solid #0b5394;padding-bottom:.2rem;"
        "margin-top:2rem}h3{font-size:1.05rem}"
        "table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.9rem}"
        "th,td{border:1px solid #bbb;padding:.2rem .5rem;text-align:right}"
        "th:first-child,td:first-child{text-align:left}thead th{background:#e8eef5}"
        "td.c{color:#7a0000;font-weight:600}.note{color:#444;font-size:.85rem}"
        ".banner{background:#7a0000;color:#fff;padding:.4rem .8rem;font-weight:700}"
        ".chart{max-width:100%;height:auto;display:block;margin:.3rem 0}"
        ".bar{fill:#0b5394}.bar.f{fill:#b45f06}.bar.m{fill:#0b5394}.track{fill:#e6e6e6}"
        ".target{stroke:#000;stroke-width:2}.lab{font-size:12px}.num{font-size:11px}"
        ".line{fill:none;stroke:#0b5394;stroke-width:2}.dot{fill:#0b5394}.axis{stroke:#888}"
        ".target-mark{fill:#b45f06}figure{margin:.5rem 0}figcaption{font-size:.9rem}"
        ".mid{font-size:11px;text-anchor:middle}.end{text-anchor:end}"
        ".write{background:#fff8d6;border-left:4px solid #e0b000;padding:.4rem .8rem}"
        "@media print{.banner{position:fixed;top:0;left:0;right:0}body{max-width:none}"
        "h2{break-after:avoid}table,svg{break-inside:avoid}}";

static void html_table(FILE *out, const struct rtable *t)
{
    char b[32];
    (void)fputs("<table><thead><tr><th scope=\"col\">", out);
    rep_html_text(out, t->dims[0].label);
    (void)fputs(" \\ ", out);
    rep_html_text(out, t->dims[1].label);
    (void)fputs("</th>", out);
    for (size_t j = 0; j < t->dims[1].ncats; j++) {
        (void)fputs("<th scope=\"col\">", out);
        rep_html_text(out, strcmp(t->dims[1].codes[j], "_T") == 0 ? "total" : t->dims[1].labels[j]);
        (void)fputs("</th>", out);
    }
    (void)fputs("</tr></thead><tbody>", out);
    for (size_t i = 0; i < t->dims[0].ncats; i++) {
        (void)fputs("<tr><th scope=\"row\">", out);
        rep_html_text(out, strcmp(t->dims[0].codes[i], "_T") == 0 ? "total" : t->dims[0].labels[i]);
        (void)fputs("</th>", out);
        for (size_t j = 0; j < t->dims[1].ncats; j++) {
            size_t c = i * t->dims[1].ncats + j;
            (void)fprintf(out, "<td%s>%s</td>", t->status[c] == CS_SUPPRESSED ? " class=\"c\"" : "",
                          cell_text(t, c, b, sizeof(b)));
        }
        (void)fputs("</tr>", out);
    }
    (void)fputs("</tbody></table>\n", out);
}

/* A line of the years' values against the target (a diamond at its year). */
static void svg_target_line(FILE *out, const struct rkpi *k)
{
    int first = k->trend_last - (RK_TREND - 1), last = k->target_year;
    double max = k->target;
    for (int i = 0; i < RK_TREND; i++)
        if (k->trend_ok[i] && k->trend[i] > max)
            max = k->trend[i];
    if (k->def->unit == MADI_UNIT_PERCENT && max < 100)
        max = 100;
    if (max <= 0 || last < first)
        return;
    double span = last > first ? last - first : 1;
#define X(y) (40.0 + 260.0 * ((y)-first) / span)
#define Y(v) (90.0 - 80.0 * (v) / max)
    (void)fputs("<svg class=\"chart\" role=\"img\" viewBox=\"0 0 320 110\" width=\"320\" "
                "height=\"110\" aria-label=\"",
                out);
    rep_html_text(out, k->def->title);
    (void)fprintf(out, " by year, against the target of %g by %d\"><title>", k->target,
                  k->target_year);
    rep_html_text(out, k->def->title);
    (void)fprintf(out,
                  "</title><line x1=\"40\" y1=\"90\" x2=\"300\" y2=\"90\" "
                  "class=\"axis\"/><text x=\"0\" y=\"14\" class=\"num\">%g</text>"
                  "<polyline class=\"line\" points=\"",
                  max);
    for (int i = 0; i < RK_TREND; i++)
        if (k->trend_ok[i])
            (void)fprintf(out, "%.1f,%.1f ", X(first + i), Y(k->trend[i]));
    (void)fputs("\"/>", out);
    for (int i = 0; i < RK_TREND; i++) {
        if (!k->trend_ok[i])
            continue;
        (void)fprintf(out,
                      "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" class=\"dot\"/>"
                      "<text x=\"%.1f\" y=\"105\" class=\"mid\">%d</text>",
                      X(first + i), Y(k->trend[i]), X(first + i), first + i);
    }
    (void)fprintf(out,
                  "<path d=\"M%.1f %.1f l5 5 l-5 5 l-5 -5 z\" class=\"target-mark\"/>"
                  "<text x=\"%.1f\" y=\"105\" class=\"mid\">%d</text></svg>\n",
                  X(last), Y(k->target) - 5, X(last), last);
#undef X
#undef Y
}

static void html_kpis(FILE *out, const struct madi_report *r, const char *section)
{
    int any = 0;
    for (size_t i = 0; i < r->nkpi; i++) {
        const struct rkpi *k = &r->kpi[i];
        char v[48], p[48];
        if (strcmp(k->def->pillar, section) != 0)
            continue;
        if (!any++)
            (void)fputs("<h3>Key indicators</h3><table><thead><tr><th scope=\"col\">indicator"
                        "</th><th scope=\"col\">value</th><th scope=\"col\"></th><th "
                        "scope=\"col\">a year before</th><th scope=\"col\">target</th><th "
                        "scope=\"col\">reported by</th></tr></thead><tbody>",
                        out);
        (void)fputs("<tr><td>", out);
        rep_html_text(out, k->def->title);
        (void)fprintf(out, "</td><td%s>%s</td><td>",
                      k->status == CS_SUPPRESSED ? " class=\"c\"" : "", kpi_value(k, v, sizeof(v)));
        svg_kpi(out, k);
        struct rkpi prev = *k;
        prev.value = k->prev;
        (void)fprintf(out, "</td><td>%s</td><td>",
                      k->has_prev ? kpi_value(&prev, p, sizeof(p)) : "");
        if (k->has_target)
            (void)fprintf(out, "%g by %d: %s", k->target, k->target_year,
                          madi_target_state_name(k->target_state));
        (void)fputs("</td><td>", out);
        double cov = k->coverage >= 0 ? k->coverage : k->cov_sex;
        if (k->status == CS_OK && cov >= 0)
            (void)fprintf(out, "%.0f%%", 100 * cov);
        else if (k->status == CS_NA)
            rep_html_text(out, k->why);
        (void)fputs("</td></tr>", out);
    }
    if (any)
        (void)fputs("</tbody></table>\n", out);
    int lines = 0;
    for (size_t i = 0; i < r->nkpi; i++) {
        const struct rkpi *k = &r->kpi[i];
        if (strcmp(k->def->pillar, section) != 0 || !k->has_target || k->status != CS_OK)
            continue;
        if (!lines++)
            (void)fputs("<h3>Against targets</h3>\n", out);
        (void)fputs("<figure><figcaption>", out);
        rep_html_text(out, k->def->title);
        (void)fprintf(out, ": %s</figcaption>", madi_target_state_name(k->target_state));
        svg_target_line(out, k);
        (void)fputs("</figure>\n", out);
    }
}

static const struct rkpi *find_kpi(const struct madi_report *r, const char *id)
{
    for (size_t i = 0; i < r->nkpi; i++)
        if (strcmp(r->kpi[i].def->id, id) == 0)
            return &r->kpi[i];
    return NULL;
}

/* Data-driven statements for the gender, diversity, equality and inclusion section. */
static void narrative(const struct madi_report *r, struct madi_buf *b)
{
    static const char *const ids[] = { "eore.share_women",
                                       "eore.share_girls",
                                       "eore.share_pwd",
                                       "lr.share_women_girls_direct",
                                       "staff.women_share",
                                       "staff.women_share_leadership",
                                       "va.referrals_completed_share",
                                       "data.saddd_coverage" };
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        const struct rkpi *k = find_kpi(r, ids[i]);
        char v[48], p[48];
        if (!k || k->status != CS_OK)
            continue;
        (void)madi_buf_addf(b, "- %s: %s", k->def->title, kpi_value(k, v, sizeof(v)));
        if (k->has_prev) {
            struct rkpi prev = *k;
            prev.value = k->prev;
            (void)madi_buf_addf(b, " (%s a year before)", kpi_value(&prev, p, sizeof(p)));
        }
        if (k->has_target)
            (void)madi_buf_addf(b, "; target %g by %d: %s", k->target, k->target_year,
                                madi_target_state_name(k->target_state));
        (void)madi_buf_adds(b, ".\n");
    }
    int gaps = 0;
    for (size_t i = 0; i < r->nkpi; i++)
        if (r->kpi[i].has_target && r->kpi[i].target_state == MADI_TARGET_OFF_TRACK) {
            if (!gaps++)
                (void)madi_buf_adds(b, "- Off track against their targets:");
            (void)madi_buf_addf(b, "%s %s", gaps > 1 ? "," : "", r->kpi[i].def->title);
        }
    if (gaps)
        (void)madi_buf_adds(b, ".\n");
}

static const char *answer_name(int a)
{
    switch (a) {
    case 1:
        return "yes";
    case 2:
        return "partly";
    case 3:
        return "no";
    case 8:
        return "not applicable";
    default:
        return "not assessed";
    }
}

/* One scorecard line's evidence, as text: the indicator's value, and the dated answer. */
static void score_text(const struct rscore *sc, struct madi_buf *b)
{
    char v[48], d[16];
    madi_buf_reset(b);
    if (sc->kpi)
        (void)madi_buf_addf(b, "%s: %s", sc->kpi->def->title, kpi_value(sc->kpi, v, sizeof(v)));
    if (sc->answer) {
        madi_format_date(sc->date, d);
        (void)madi_buf_addf(b, "%sself-assessed %s on %s%s%s%s%s", b->len ? "; " : "",
                            answer_name(sc->answer), d, sc->by[0] ? " by " : "", sc->by,
                            sc->note[0] ? ": " : "", sc->note);
    } else if (!sc->kpi) {
        (void)madi_buf_adds(b, "not assessed yet (madi import --kind self-assessment)");
    }
}

static const char *const to_write[] = {
    "Challenges met in the period (to be written by the national authority)",
    "Planned actions for the next period (to be written by the national authority)",
    "Links to the national action plan on Women, Peace and Security (to be written)",
};

static void write_html(const struct madi_report *r, FILE *out)
{
    char note[600];
    int internal = r->o.audience == MADI_AUDIENCE_INTERNAL;
    (void)fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                "<title>",
                out);
    rep_html_text(out, r->title);
    (void)fprintf(out, " %s</title><style>%s</style></head><body>\n", r->o.period.label, css);
    if (internal)
        (void)fputs("<p class=\"banner\" role=\"note\">INTERNAL: NOT FOR PUBLICATION. Small "
                    "numbers are not suppressed in this report.</p>\n",
                    out);
    (void)fputs("<h1>", out);
    rep_html_text(out, r->title);
    (void)fprintf(out, ", %s</h1>\n<p class=\"note\">%s audience", r->o.period.label,
                  internal ? "Internal" : "Public");
    if (r->o.area) {
        (void)fputs("; area ", out);
        rep_html_text(out, r->o.area);
    }
    if (r->o.org) {
        (void)fputs("; operator ", out);
        rep_html_text(out, r->o.org);
    }
    if (!internal)
        (void)fprintf(out,
                      "; disclosure control with k = %ld: %zu cells suppressed as small, "
                      "%zu more to protect them",
                      r->k, r->primary, r->secondary);
    (void)fputs(".</p>\n", out);
    for (size_t s = 0; s < NSECTIONS; s++) {
        (void)fprintf(out, "<section><h2 id=\"%s\">%s</h2>\n", sections[s].id, sections[s].title);
        html_kpis(out, r, sections[s].id);
        for (size_t q = 0; q < r->nquality; q++)
            if (strcmp(r->quality[q].section, sections[s].id) == 0)
                (void)fprintf(out,
                              "<p class=\"note\">Data quality: %ld problem%s and %ld warning%s "
                              "in the records of this pillar (madi quality --period %s lists "
                              "each, with what to fix).</p>\n",
                              r->quality[q].problems, r->quality[q].problems == 1 ? "" : "s",
                              r->quality[q].warnings, r->quality[q].warnings == 1 ? "" : "s",
                              r->o.period.label);
        for (size_t i = 0; i < r->nt; i++) {
            const struct rtable *t = &r->t[i];
            if (strcmp(t->section, sections[s].id) != 0)
                continue;
            (void)fputs("<h3>", out);
            rep_html_text(out, t->title);
            (void)fputs("</h3>\n", out);
            if (t->ncells) {
                if (t->chart == CH_PYRAMID)
                    svg_pyramid(out, t);
                else
                    svg_bars(out, t);
                html_table(out, t);
            }
            (void)fputs("<p class=\"note\">", out);
            rep_html_text(out, t->note);
            (void)fputs("</p>\n", out);
        }
        (void)fputs("</section>\n", out);
    }
    /* the WPS view */
    (void)fputs(
            "<section><h2 id=\"wps\">Women, Peace and Security: the same facts by pillar</h2>\n",
            out);
    for (size_t p = 0; p < sizeof(wps_pillars) / sizeof(wps_pillars[0]); p++) {
        (void)fprintf(out, "<h3>%s</h3><ul>", wps_pillars[p].title);
        for (size_t i = 0; i < r->nkpi; i++) {
            char v[48];
            if (!strstr(r->kpi[i].def->wps, wps_pillars[p].id))
                continue;
            (void)fputs("<li>", out);
            rep_html_text(out, r->kpi[i].def->title);
            (void)fprintf(out, ": %s</li>", kpi_value(&r->kpi[i], v, sizeof(v)));
        }
        (void)fputs("</ul>\n", out);
    }
    (void)fputs("</section>\n<section><h2 id=\"gdei\">Gender, diversity, equality and inclusion"
                "</h2>\n<ul>",
                out);
    struct madi_buf nb = MADI_BUF_INIT;
    narrative(r, &nb);
    for (char *line = nb.data; line && *line;) {
        char *end = strchr(line, '\n');
        if (end)
            *end = '\0';
        (void)fputs("<li>", out);
        rep_html_text(out, line + 2);
        (void)fputs("</li>", out);
        line = end ? end + 1 : NULL;
    }
    madi_buf_release(&nb);
    (void)fputs("</ul>\n", out);
    for (size_t i = 0; i < sizeof(to_write) / sizeof(to_write[0]); i++)
        (void)fprintf(out, "<p class=\"write\">[%s]</p>\n", to_write[i]);
    (void)fputs("</section>\n<section><h2 id=\"scorecard\">WPS alignment scorecard</h2>\n", out);
    struct madi_buf sb = MADI_BUF_INIT;
    for (int body = 0; body < 2; body++) {
        const char *who = body ? "centre" : "authority";
        (void)fprintf(out,
                      "<h3>The national mine action %s</h3><table><thead><tr><th "
                      "scope=\"col\">function</th><th scope=\"col\">item</th><th "
                      "scope=\"col\">evidence</th></tr></thead><tbody>",
                      who);
        for (size_t i = 0; i < r->nscore; i++) {
            const struct rscore *sc = &r->score[i];
            if (strcmp(sc->body, who) != 0)
                continue;
            score_text(sc, &sb);
            (void)fputs("<tr><td>", out);
            rep_html_text(out, sc->function);
            (void)fputs("</td><td>", out);
            rep_html_text(out, sc->text);
            (void)fputs("</td><td>", out);
            rep_html_text(out, sb.data);
            (void)fputs("</td></tr>", out);
        }
        (void)fputs("</tbody></table>\n", out);
    }
    madi_buf_release(&sb);
    (void)fputs("</section>\n<section><h2 id=\"annexes\">Treaty report annexes</h2>\n", out);
    for (size_t f = 0; f < NFORMS; f++) {
        char from[16], to[16];
        (void)fprintf(out, "<h3>%s</h3><p class=\"note\">", forms[f].title);
        rep_html_text(out, forms[f].covers);
        (void)fprintf(out, ". Reporting period: from %s to %s. ",
                      dmy(r->o.period.from, from, sizeof(from)),
                      dmy(r->o.period.to, to, sizeof(to)));
        rep_html_text(out, cutoffs);
        (void)fputs("</p>\n", out);
        for (size_t i = 0; i < r->nt; i++) {
            if (!in_form(&r->t[i], forms[f].code) || !r->t[i].ncells)
                continue;
            (void)fputs("<h4>", out);
            rep_html_text(out, r->t[i].title);
            (void)fputs("</h4>\n", out);
            html_table(out, &r->t[i]);
        }
    }
    (void)fputs("</section>\n<section><h2 id=\"frameworks\">One set of facts, every framework</h2>"
                "<table><thead><tr><th scope=\"col\">indicator</th><th scope=\"col\">frameworks "
                "it serves</th></tr></thead><tbody>",
                out);
    for (size_t i = 0; i < madi_ind_catalogue_count(r->cat); i++) {
        const struct madi_ind_def *d = madi_ind_catalogue_get(r->cat, i);
        (void)fputs("<tr><td>", out);
        rep_html_text(out, d->title);
        (void)fputs("</td><td>", out);
        rep_html_text(out, d->frameworks);
        (void)fputs("</td></tr>", out);
    }
    (void)fputs("</tbody></table></section>\n<footer class=\"note\"><p>", out);
    if (!internal)
        rep_html_text(out, suppression_note(r, note, sizeof(note)));
    (void)fputs(" Made with madi from the records of the national database.</p></footer>\n"
                "</body></html>\n",
                out);
}

/* ---- Markdown -------------------------------------------------------------------------------- */

static void md_text(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '<')
            (void)fputs("&lt;", out);
        else if (*s == '&')
            (void)fputs("&amp;", out);
        else if (*s == '\n' || *s == '\r')
            (void)fputc(' ', out);
        else {
            if (strchr("|*_`[]\\#", *s))
                (void)fputc('\\', out);
            (void)fputc(*s, out);
        }
    }
}

static void write_md(const struct madi_report *r, FILE *out)
{
    char b[48], note[600];
    if (r->o.audience == MADI_AUDIENCE_INTERNAL)
        (void)fputs("> **INTERNAL: NOT FOR PUBLICATION.** Small numbers are not suppressed.\n\n",
                    out);
    (void)fputs("# ", out);
    md_text(out, r->title);
    (void)fprintf(out, ", %s\n\n", r->o.period.label);
    for (size_t s = 0; s < NSECTIONS; s++) {
        (void)fprintf(out, "## %s\n\n", sections[s].title);
        int any = 0;
        for (size_t i = 0; i < r->nkpi; i++) {
            const struct rkpi *k = &r->kpi[i];
            if (strcmp(k->def->pillar, sections[s].id) != 0)
                continue;
            if (!any++)
                (void)fputs("| indicator | value | target |\n|---|---:|---|\n", out);
            (void)fputs("| ", out);
            md_text(out, k->def->title);
            (void)fprintf(out, " | %s | ", kpi_value(k, b, sizeof(b)));
            if (k->has_target)
                (void)fprintf(out, "%g by %d: %s", k->target, k->target_year,
                              madi_target_state_name(k->target_state));
            (void)fputs(" |\n", out);
        }
        if (any)
            (void)fputs("\n", out);
        for (size_t i = 0; i < r->nt; i++) {
            const struct rtable *t = &r->t[i];
            if (strcmp(t->section, sections[s].id) != 0)
                continue;
            (void)fputs("### ", out);
            md_text(out, t->title);
            (void)fputs("\n\n", out);
            if (t->ncells) {
                (void)fputs("| ", out);
                md_text(out, t->dims[0].label);
                for (size_t j = 0; j < t->dims[1].ncats; j++) {
                    (void)fputs(" | ", out);
                    md_text(out, t->dims[1].codes[j]);
                }
                (void)fputs(" |\n|---", out);
                for (size_t j = 0; j < t->dims[1].ncats; j++)
                    (void)fputs("|---:", out);
                (void)fputs("|\n", out);
                for (size_t i2 = 0; i2 < t->dims[0].ncats; i2++) {
                    (void)fputs("| ", out);
                    md_text(out, t->dims[0].labels[i2]);
                    for (size_t j = 0; j < t->dims[1].ncats; j++)
                        (void)fprintf(out, " | %s",
                                      cell_text(t, i2 * t->dims[1].ncats + j, b, sizeof(b)));
                    (void)fputs(" |\n", out);
                }
                (void)fputs("\n", out);
            }
            (void)fputs("*", out);
            md_text(out, t->note);
            (void)fputs("*\n\n", out);
        }
    }
    (void)fputs("## Gender, diversity, equality and inclusion\n\n", out);
    struct madi_buf nb = MADI_BUF_INIT;
    narrative(r, &nb);
    (void)fputs(nb.data ? nb.data : "", out);
    madi_buf_release(&nb);
    for (size_t i = 0; i < sizeof(to_write) / sizeof(to_write[0]); i++)
        (void)fprintf(out, "\n> [%s]\n", to_write[i]);
    (void)fputs("\n## WPS alignment scorecard\n\n| body | function | item | evidence |\n"
                "|---|---|---|---|\n",
                out);
    struct madi_buf sb = MADI_BUF_INIT;
    for (size_t i = 0; i < r->nscore; i++) {
        score_text(&r->score[i], &sb);
        (void)fprintf(out, "| %s | ", r->score[i].body);
        md_text(out, r->score[i].function);
        (void)fputs(" | ", out);
        md_text(out, r->score[i].text);
        (void)fputs(" | ", out);
        md_text(out, sb.data);
        (void)fputs(" |\n", out);
    }
    madi_buf_release(&sb);
    (void)fputs("\n## Treaty report annexes\n", out);
    for (size_t f = 0; f < NFORMS; f++) {
        char from[16], to[16];
        (void)fprintf(out, "\n### %s\n\n%s. Reporting period: from %s to %s. %s\n\n",
                      forms[f].title, forms[f].covers, dmy(r->o.period.from, from, sizeof(from)),
                      dmy(r->o.period.to, to, sizeof(to)), cutoffs);
        for (size_t i = 0; i < r->nt; i++)
            if (in_form(&r->t[i], forms[f].code) && r->t[i].ncells) {
                (void)fputs("- ", out);
                md_text(out, r->t[i].title);
                (void)fputs(" (in its section above)\n", out);
            }
    }
    if (r->o.audience == MADI_AUDIENCE_PUBLIC)
        (void)fprintf(out, "\n---\n%s\n", suppression_note(r, note, sizeof(note)));
}

/* ---- JSON-stat ------------------------------------------------------------------------------- */

static json_t *jstat_dataset(const struct madi_report *r, const struct rtable *t)
{
    json_t *ds = json_object(), *id = json_array(), *size = json_array(), *dim = json_object();
    json_t *value = json_array(), *status = json_object(), *ext = json_object();
    json_object_set_new(ds, "version", json_string("2.0"));
    json_object_set_new(ds, "class", json_string("dataset"));
    json_object_set_new(ds, "label", json_string(t->title));
    for (size_t d = 0; d < (t->flat ? 1 : t->ndims); d++) {
        json_t *cat = json_object(), *index = json_object(), *label = json_object();
        json_t *one = json_object();
        json_array_append_new(id, json_string(t->dims[d].name));
        json_array_append_new(size, json_integer((json_int_t)t->dims[d].ncats));
        for (size_t i = 0; i < t->dims[d].ncats; i++) {
            json_object_set_new(index, t->dims[d].codes[i], json_integer((json_int_t)i));
            json_object_set_new(label, t->dims[d].codes[i], json_string(t->dims[d].labels[i]));
        }
        json_object_set_new(cat, "index", index);
        json_object_set_new(cat, "label", label);
        json_object_set_new(one, "label", json_string(t->dims[d].label));
        json_object_set_new(one, "category", cat);
        json_object_set_new(dim, t->dims[d].name, one);
    }
    for (size_t c = 0; c < t->ncells; c++) {
        if (t->status[c] == CS_OK) {
            json_array_append_new(value, json_integer((json_int_t)llround(t->value[c])));
            continue;
        }
        char key[24];
        (void)snprintf(key, sizeof(key), "%zu", c);
        json_array_append_new(value, json_null());
        json_object_set_new(status, key, json_string(t->status[c] == CS_SUPPRESSED ? "c" : "-"));
    }
    json_object_set_new(ds, "id", id);
    json_object_set_new(ds, "size", size);
    json_object_set_new(ds, "dimension", dim);
    json_object_set_new(ds, "value", value);
    json_object_set_new(ds, "status", status);
    json_object_set_new(ext, "measure", json_string(t->def->id));
    json_object_set_new(ext, "counts", json_string(t->counts));
    json_object_set_new(ext, "section", json_string(t->section));
    json_object_set_new(ext, "note", json_string(t->note));
    json_object_set_new(ext, "additive", json_boolean(t->additive));
    json_object_set_new(ext, "people", json_boolean(t->people));
    if (t->forms[0])
        json_object_set_new(ext, "forms", json_string(t->forms));
    json_object_set_new(ds, "extension", ext);
    (void)r;
    return ds;
}

static json_t *jstat_kpi(const struct rkpi *k)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_string(k->def->id));
    json_object_set_new(j, "title", json_string(k->def->title));
    json_object_set_new(j, "pillar", json_string(k->def->pillar));
    json_object_set_new(j, "unit", json_string(madi_ind_unit_name(k->def->unit)));
    json_object_set_new(j, "value", k->status == CS_OK ? json_real(k->value) : json_null());
    json_object_set_new(j, "status",
                        json_string(k->status == CS_OK           ? "ok"
                                    : k->status == CS_SUPPRESSED ? "c"
                                                                 : "-"));
    if (k->status == CS_NA)
        json_object_set_new(j, "why", json_string(k->why));
    if (k->has_target) {
        json_object_set_new(j, "target", json_real(k->target));
        json_object_set_new(j, "target_year", json_integer(k->target_year));
        json_object_set_new(j, "target_state",
                            json_string(madi_target_state_name(k->target_state)));
    }
    if (k->has_prev)
        json_object_set_new(j, "previous_year", json_real(k->prev));
    if (k->status == CS_OK) {
        /* shares of the base known, 0..1 (coarsened to tenths for the public, see coarsen) */
        const double v[] = { k->cov_sex, k->cov_age, k->cov_dis, k->coverage };
        static const char *const names[] = { "sex", "age", "disability", "reported" };
        json_t *cov = json_object();
        for (size_t c = 0; c < 4; c++)
            json_object_set_new(cov, names[c], v[c] >= 0 ? json_real(v[c]) : json_null());
        json_object_set_new(j, "coverage", cov);
    }
    if (k->status == CS_OK && k->nparts[0] && k->nparts[1] && !k->def->baseline_numerator) {
        /* which published table cells the share is made of (its definition is public) */
        json_t *comp = json_object();
        for (int w = 0; w < 2; w++) {
            json_t *arr = json_array();
            for (size_t i = 0; i < k->nparts[w]; i++) {
                json_t *cell = json_object(), *cat = json_object();
                json_object_set_new(cell, "measure", json_string(k->parts[w][i].measure));
                for (size_t d = 0; d < k->parts[w][i].nd; d++)
                    json_object_set_new(cat, k->parts[w][i].dims[d],
                                        json_string(k->parts[w][i].codes[d]));
                json_object_set_new(cell, "category", cat);
                json_array_append_new(arr, cell);
            }
            json_object_set_new(comp, w ? "denominator" : "numerator", arr);
        }
        json_object_set_new(j, "composition", comp);
    }
    json_object_set_new(j, "frameworks", json_string(k->def->frameworks));
    return j;
}

static int write_json(const struct madi_report *r, FILE *out)
{
    json_t *root = json_object(), *items = json_array(), *kpis = json_array(), *ext = json_object(),
           *link = json_object();
    struct madi_buf nb = MADI_BUF_INIT;
    char note[600];
    json_object_set_new(root, "version", json_string("2.0"));
    json_object_set_new(root, "class", json_string("collection"));
    json_object_set_new(root, "label", json_string(r->title));
    for (size_t i = 0; i < r->nt; i++)
        if (r->t[i].ncells)
            json_array_append_new(items, jstat_dataset(r, &r->t[i]));
    json_object_set_new(link, "item", items);
    json_object_set_new(root, "link", link);
    for (size_t i = 0; i < r->nkpi; i++)
        json_array_append_new(kpis, jstat_kpi(&r->kpi[i]));
    narrative(r, &nb);
    json_object_set_new(ext, "period", json_string(r->o.period.label));
    json_object_set_new(ext, "audience",
                        json_string(r->o.audience == MADI_AUDIENCE_PUBLIC
                                            ? "public"
                                            : "internal: not for publication"));
    json_object_set_new(ext, "k", json_integer(r->k));
    json_object_set_new(ext, "suppressed_primary", json_integer((json_int_t)r->primary));
    json_object_set_new(ext, "suppressed_secondary", json_integer((json_int_t)r->secondary));
    json_object_set_new(ext, "disclosure_note",
                        json_string(suppression_note(r, note, sizeof(note))));
    json_object_set_new(ext, "indicators", kpis);
    json_object_set_new(ext, "narrative", json_string(nb.data ? nb.data : ""));
    json_t *annexes = json_array();
    for (size_t f = 0; f < NFORMS; f++) {
        json_t *a = json_object(), *ds = json_array();
        char from[16], to[16];
        json_object_set_new(a, "form", json_string(forms[f].code));
        json_object_set_new(a, "title", json_string(forms[f].title));
        json_object_set_new(a, "covers", json_string(forms[f].covers));
        json_object_set_new(a, "from", json_string(dmy(r->o.period.from, from, sizeof(from))));
        json_object_set_new(a, "to", json_string(dmy(r->o.period.to, to, sizeof(to))));
        json_object_set_new(a, "cut_offs", json_string(cutoffs));
        for (size_t i = 0; i < r->nt; i++)
            if (in_form(&r->t[i], forms[f].code) && r->t[i].ncells)
                json_array_append_new(ds, json_string(r->t[i].id));
        json_object_set_new(a, "datasets", ds);
        json_array_append_new(annexes, a);
    }
    json_object_set_new(ext, "annexes", annexes);
    json_t *score = json_array();
    struct madi_buf sb = MADI_BUF_INIT;
    for (size_t i = 0; i < r->nscore; i++) {
        const struct rscore *sc = &r->score[i];
        json_t *j = json_object();
        score_text(sc, &sb);
        json_object_set_new(j, "item", json_string(sc->id));
        json_object_set_new(j, "body", json_string(sc->body));
        json_object_set_new(j, "function", json_string(sc->function));
        json_object_set_new(j, "text", json_string(sc->text));
        if (sc->evidence)
            json_object_set_new(j, "indicator", json_string(sc->evidence));
        json_object_set_new(j, "answer", json_string(answer_name(sc->answer)));
        json_object_set_new(j, "evidence", json_string(sb.data ? sb.data : ""));
        json_array_append_new(score, j);
    }
    madi_buf_release(&sb);
    json_object_set_new(ext, "scorecard", score);
    madi_buf_release(&nb);
    json_object_set_new(root, "extension", ext);
    int rc = json_dumpf(root, out, JSON_INDENT(1) | JSON_ENSURE_ASCII);
    json_decref(root);
    return rc;
}

/* ---- CSV + HXL --------------------------------------------------------------------------------
 */

/* A CSV field: quoted when needed; text a spreadsheet would run as a formula gets a ' first. */
static void csv_field(FILE *out, const char *s)
{
    int formula = s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' ||
                  s[0] == '\r';
    int quote = formula || strpbrk(s, ",\"\n\r") != NULL;
    if (quote)
        (void)fputc('"', out);
    if (formula && strcmp(s, "-") != 0)
        (void)fputc('\'', out);
    for (; *s; s++) {
        if (*s == '"')
            (void)fputc('"', out);
        (void)fputc(*s, out);
    }
    if (quote)
        (void)fputc('"', out);
}

static void write_csv(const struct madi_report *r, FILE *out)
{
    (void)fputs("dataset,title,measure,dim1,category1,dim2,category2,value,status\n"
                "#meta+id,#meta+title,#indicator+code,#meta+dim,#meta+category,#meta+dim,"
                "#meta+category,#indicator+value+num,#status\n",
                out);
    for (size_t i = 0; i < r->nt; i++) {
        const struct rtable *t = &r->t[i];
        for (size_t c = 0; c < t->ncells; c++) {
            size_t a = c / t->dims[1].ncats, b = c % t->dims[1].ncats;
            char v[32] = "";
            csv_field(out, t->id);
            (void)fputc(',', out);
            csv_field(out, t->title);
            (void)fputc(',', out);
            csv_field(out, t->def->id);
            (void)fputc(',', out);
            csv_field(out, t->dims[0].name);
            (void)fputc(',', out);
            csv_field(out, t->dims[0].codes[a]);
            (void)fputc(',', out);
            csv_field(out, t->dims[1].name);
            (void)fputc(',', out);
            csv_field(out, t->dims[1].codes[b]);
            if (t->status[c] == CS_OK)
                (void)snprintf(v, sizeof(v), "%.0f", t->value[c]);
            (void)fprintf(out, ",%s,%s\n", v,
                          t->status[c] == CS_OK           ? ""
                          : t->status[c] == CS_SUPPRESSED ? "c"
                                                          : "-");
        }
    }
}

int madi_report_write(const struct madi_report *r, enum madi_report_format f, FILE *out,
                      struct madi_err *err)
{
    int rc = 0;
    switch (f) {
    case MADI_REPORT_HTML:
        write_html(r, out);
        break;
    case MADI_REPORT_MD:
        write_md(r, out);
        break;
    case MADI_REPORT_JSON:
        rc = write_json(r, out);
        (void)fputc('\n', out);
        break;
    case MADI_REPORT_CSV:
        write_csv(r, out);
        break;
    }
    if (rc || fflush(out) != 0 || ferror(out))
        return madi_err_set(err, MADI_EIO, "the report could not be written (disk full?)");
    return MADI_OK;
}

/* ---- one chart on its own, for the dashboard ------------------------------------------------ */

void madi_report_charts(const struct madi_report *r,
                        void (*fn)(void *ctx, const char *id, const char *title,
                                   const char *section),
                        void *ctx)
{
    for (size_t i = 0; i < r->nt; i++)
        if (r->t[i].ncells)
            fn(ctx, r->t[i].id, r->t[i].title, r->t[i].section);
    for (size_t i = 0; i < r->nkpi; i++) {
        const struct rkpi *k = &r->kpi[i];
        if (!k->has_target || k->status != CS_OK)
            continue;
        char id[96];
        (void)snprintf(id, sizeof(id), "kpi:%s", k->def->id);
        fn(ctx, id, k->def->title, k->def->pillar);
    }
}

int madi_report_write_svg(const struct madi_report *r, const char *id, FILE *out,
                          struct madi_err *err)
{
    char *svg = NULL;
    size_t n = 0;
    FILE *m = open_memstream(&svg, &n);
    if (!m)
        return madi_err_set(err, MADI_EIO, "out of memory writing a chart");
    int found = 0;
    if (strncmp(id, "kpi:", 4) == 0) {
        const struct rkpi *k = find_kpi(r, id + 4);
        if (k && k->has_target && k->status == CS_OK) {
            svg_target_line(m, k);
            found = 1;
        }
    } else {
        for (size_t i = 0; i < r->nt && !found; i++) {
            const struct rtable *t = &r->t[i];
            if (strcmp(t->id, id) != 0 || !t->ncells)
                continue;
            if (t->chart == CH_PYRAMID)
                svg_pyramid(m, t);
            else
                svg_bars(m, t);
            found = 1;
        }
    }
    (void)fclose(m);
    if (!found || n < 5 || strncmp(svg, "<svg ", 5) != 0) {
        free(svg);
        return madi_err_set(err, MADI_ENOTFOUND, "the report has no chart '%s'", id);
    }
    /* The report's charts take their look from the page's styles: a chart on its own carries
     * them inside. */
    (void)fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" %.*s<style>%s</style>",
                  (int)(strchr(svg, '>') - svg - 4), svg + 5, css);
    (void)fputs(strchr(svg, '>') + 1, out);
    free(svg);
    if (fflush(out) != 0 || ferror(out))
        return madi_err_set(err, MADI_EIO, "the chart could not be written");
    return MADI_OK;
}
