/*
 * summary.c: counts people can check at a glance. Every share states its base; blank ("not
 * reported") and unknown are shown apart; a share is never printed over a zero base.
 */
#include "madi/summary.h"

#include <string.h>

#include "banned.h"

#define MAXV 12

/* Run `sql` and read up to MAXV integer columns of its one row (NULL reads as 0). */
static int row_ints(struct madi_store *s, const char *sql, long long *v, struct madi_err *err)
{
    struct madi_stmt *st = NULL;
    int rc = madi_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    memset(v, 0, sizeof(long long) * MAXV);
    rc = madi_stmt_step(st, err);
    if (rc == MADI_STMT_ROW)
        for (int i = 0; i < MAXV; i++)
            v[i] = (long long)madi_stmt_int(st, i);
    madi_stmt_finalize(st);
    return rc < 0 ? rc : MADI_OK;
}

static void num(FILE *out, long long n)
{
    char tmp[32], res[48];
    int len = snprintf(tmp, sizeof(tmp), "%lld", n < 0 ? -n : n), j = 0;
    if (n < 0)
        res[j++] = '-';
    for (int i = 0; i < len; i++) {
        res[j++] = tmp[i];
        if ((len - i - 1) % 3 == 0 && i != len - 1)
            res[j++] = ',';
    }
    res[j] = '\0';
    (void)fputs(res, out);
}

static void bar(FILE *out, const char *label, long long n, long long base)
{
    int width = base > 0 ? (int)(30.0 * (double)n / (double)base + 0.5) : 0;
    (void)fprintf(out, "    %-20s ", label);
    for (int i = 0; i < width; i++)
        (void)fputs("#", out);
    for (int i = width; i < 30; i++)
        (void)fputs(".", out);
    (void)fputs(" ", out);
    num(out, n);
    if (base > 0)
        (void)fprintf(out, " (%.1f%%)", 100.0 * (double)n / (double)base);
    (void)fputc('\n', out);
}

static void share(FILE *out, const char *what, long long n, long long base, const char *of)
{
    (void)fprintf(out, "    %s: ", what);
    if (base <= 0) {
        (void)fprintf(out, "cannot be computed (no %s)\n", of);
        return;
    }
    (void)fprintf(out, "%.1f%% (", 100.0 * (double)n / (double)base);
    num(out, n);
    (void)fputs(" of ", out);
    num(out, base);
    (void)fprintf(out, " %s)\n", of);
}

static int section_registers(struct madi_store *s, FILE *out, struct madi_err *err)
{
    long long v[MAXV];
    int rc = row_ints(
            s,
            "SELECT (SELECT count(*) FROM batch WHERE status = 'active'), "
            "(SELECT count(*) FROM batch WHERE status = 'replaced'), "
            "(SELECT count(*) FROM organisation), "
            "(SELECT count(*) FROM organisation WHERE provisional = 1), "
            "(SELECT count(*) FROM area), (SELECT count(*) FROM area WHERE provisional = 1), "
            "(SELECT count(*) FROM hazard), (SELECT count(*) FROM survey_team), "
            "(SELECT count(*) FROM population)",
            v, err);
    if (rc)
        return rc;
    (void)fprintf(out, "Batches: %lld active, %lld replaced\n", v[0], v[1]);
    (void)fprintf(out,
                  "Registers: %lld organisations (%lld provisional), %lld areas (%lld "
                  "provisional), %lld hazardous areas, %lld survey teams, %lld population "
                  "figures\n",
                  v[2], v[3], v[4], v[5], v[6], v[7], v[8]);
    return MADI_OK;
}

static int section_eore(struct madi_store *s, FILE *out, struct madi_err *err)
{
    long long v[MAXV];
    int rc = row_ints(s,
                      "SELECT count(*), sum(participants), sum(girls), sum(boys), sum(women), "
                      "sum(men), sum(participants - coalesce(girls,0) - coalesce(boys,0) - "
                      "coalesce(women,0) - coalesce(men,0) - coalesce(other_sex,0)), "
                      "sum(CASE WHEN girls IS NOT NULL AND boys IS NOT NULL AND women IS NOT NULL "
                      "AND men IS NOT NULL THEN participants ELSE 0 END), sum(with_disability), "
                      "sum(CASE WHEN with_disability IS NOT NULL THEN participants ELSE 0 END), "
                      "sum(other_sex) "
                      "FROM eore_session WHERE coalesce(method, 0) NOT IN (3, 4)",
                      v, err);
    if (rc)
        return rc;
    (void)fprintf(out, "\nRisk education sessions (in person): ");
    num(out, v[0]);
    (void)fputs(" sessions, ", out);
    num(out, v[1]);
    (void)fputs(" participants\n", out);
    if (v[1] > 0) {
        bar(out, "girls (<18)", v[2], v[1]);
        bar(out, "boys (<18)", v[3], v[1]);
        bar(out, "women (18+)", v[4], v[1]);
        bar(out, "men (18+)", v[5], v[1]);
        if (v[10] > 0)
            bar(out, "other sex", v[10], v[1]);
        bar(out, "sex/age unknown", v[6], v[1]);
        share(out, "sessions' participants fully split by sex and age", v[7], v[1], "participants");
        share(out, "persons with disabilities, where counted", v[8], v[9],
              "participants of sessions that counted them");
    }
    /* Mass and digital media reach is an estimate of indirect beneficiaries: never added to
     * people met in person (TNMA 05.10/01 keeps direct and indirect apart). */
    rc = row_ints(s, "SELECT count(*), sum(participants) FROM eore_session WHERE method IN (3, 4)",
                  v, err);
    if (rc)
        return rc;
    if (v[0] > 0) {
        (void)fputs("    mass and digital media, estimated reach (kept apart): ", out);
        num(out, v[1]);
        (void)fputs(" in ", out);
        num(out, v[0]);
        (void)fputs(v[0] == 1 ? " activity\n" : " activities\n", out);
    }
    rc = row_ints(s,
                  "SELECT count(*), count(DISTINCT person_key), "
                  "sum(CASE WHEN sex = 1 THEN 1 ELSE 0 END), sum(CASE WHEN sex = 2 THEN 1 ELSE 0 "
                  "END), sum(CASE WHEN sex = 3 THEN 1 ELSE 0 END), sum(CASE WHEN sex = 9 THEN 1 "
                  "ELSE 0 END), sum(CASE WHEN sex IS NULL THEN 1 ELSE 0 END), "
                  "sum(CASE WHEN disability = 1 THEN 1 ELSE 0 END), "
                  "sum(CASE WHEN disability IN (0, 1) THEN 1 ELSE 0 END), "
                  "sum(CASE WHEN displacement IN (2, 3, 4) THEN 1 ELSE 0 END) "
                  "FROM eore_attendance",
                  v, err);
    if (rc)
        return rc;
    (void)fputs("\nRisk education attendance lists: ", out);
    num(out, v[0]);
    (void)fputs(" contacts, ", out);
    num(out, v[1]);
    (void)fputs(" distinct people (by person key)\n", out);
    if (v[0] > 0) {
        bar(out, "female", v[2], v[0]);
        bar(out, "male", v[3], v[0]);
        bar(out, "other", v[4], v[0]);
        bar(out, "unknown", v[5], v[0]);
        bar(out, "not reported", v[6], v[0]);
        share(out, "with a disability, of those whose status is known", v[7], v[8], "contacts");
        share(out, "displaced (IDP, refugee, returnee)", v[9], v[0], "contacts");
    }
    return MADI_OK;
}

static int section_land(struct madi_store *s, FILE *out, struct madi_err *err)
{
    long long v[MAXV];
    int rc = row_ints(s,
                      "SELECT count(*), CAST(coalesce(sum(area_cancelled_m2), 0) AS INTEGER), "
                      "CAST(coalesce(sum(area_reduced_m2), 0) AS INTEGER), "
                      "CAST(coalesce(sum(area_cleared_m2), 0) AS INTEGER), "
                      "sum(devices_destroyed), sum(direct_participants), "
                      "sum(coalesce(direct_girls, 0) + coalesce(direct_women, 0)), "
                      "sum(CASE WHEN direct_girls IS NOT NULL AND direct_women IS NOT NULL THEN "
                      "direct_participants ELSE 0 END), sum(indirect_participants) "
                      "FROM land_release",
                      v, err);
    if (rc)
        return rc;
    (void)fputs("\nLand release: ", out);
    num(out, v[0]);
    (void)fputs(" activities; m2 cancelled ", out);
    num(out, v[1]);
    (void)fputs(", reduced ", out);
    num(out, v[2]);
    (void)fputs(", cleared ", out);
    num(out, v[3]);
    (void)fputs("; items destroyed ", out);
    num(out, v[4]);
    (void)fputs("\n    direct beneficiaries ", out);
    num(out, v[5]);
    (void)fputs(", indirect ", out);
    num(out, v[8]);
    (void)fputc('\n', out);
    share(out, "women and girls among direct beneficiaries, where split by sex", v[6], v[7],
          "direct beneficiaries of activities that split them");
    rc = row_ints(s,
                  "SELECT count(*), sum(CASE WHEN women > 0 THEN 1 ELSE 0 END), "
                  "sum(CASE WHEN women IS NOT NULL THEN 1 ELSE 0 END), "
                  "sum(CASE WHEN with_disability > 0 THEN 1 ELSE 0 END), "
                  "sum(CASE WHEN with_disability IS NOT NULL THEN 1 ELSE 0 END), "
                  "sum(CASE WHEN priorities_disaggregated = 1 THEN 1 ELSE 0 END) "
                  "FROM consultation",
                  v, err);
    if (rc)
        return rc;
    (void)fputs("\nCommunity consultations: ", out);
    num(out, v[0]);
    (void)fputs(" meetings\n", out);
    share(out, "included women", v[1], v[2], "meetings that counted women");
    share(out, "included persons with disabilities", v[3], v[4], "meetings that counted them");
    share(out, "recorded priorities by sex, age and disability", v[5], v[0], "meetings");
    return MADI_OK;
}

static int section_casualty(struct madi_store *s, FILE *out, struct madi_err *err)
{
    long long v[MAXV];
    int rc = row_ints(s,
                      "SELECT count(*), sum(CASE WHEN outcome = 1 THEN 1 ELSE 0 END), "
                      "sum(CASE WHEN outcome = 2 THEN 1 ELSE 0 END), "
                      "sum(CASE WHEN sex = 1 THEN 1 ELSE 0 END), sum(CASE WHEN sex = 2 THEN 1 "
                      "ELSE 0 END), sum(CASE WHEN sex IS NULL OR sex NOT IN (1, 2) THEN 1 ELSE 0 "
                      "END), sum(CASE WHEN coalesce(age, age_band_lo) < 18 AND (age IS NOT NULL "
                      "OR age_band_hi < 18) THEN 1 ELSE 0 END), sum(CASE WHEN age IS NOT NULL OR "
                      "age_band_hi < 18 OR age_band_lo >= 18 THEN 1 ELSE 0 END), "
                      "sum(CASE WHEN civilian_status = 1 THEN 1 ELSE 0 END), "
                      "sum(CASE WHEN civilian_status IN (1, 2, 3) THEN 1 ELSE 0 END) "
                      "FROM casualty WHERE victim_type = 1",
                      v, err);
    if (rc)
        return rc;
    (void)fputs("\nCasualties (direct victims): ", out);
    num(out, v[0]);
    (void)fputs(" (killed ", out);
    num(out, v[1]);
    (void)fputs(", injured ", out);
    num(out, v[2]);
    (void)fputs(")\n", out);
    if (v[0] > 0) {
        bar(out, "female", v[3], v[0]);
        bar(out, "male", v[4], v[0]);
        bar(out, "other/unknown/blank", v[5], v[0]);
        share(out, "children, where age is known", v[6], v[7], "casualties of known age");
        share(out, "civilians, where status is known", v[8], v[9], "casualties of known status");
    }
    return MADI_OK;
}

static int section_workforce(struct madi_store *s, FILE *out, struct madi_err *err)
{
    long long v[MAXV];
    int rc = row_ints(s,
                      "SELECT count(*), sum(CASE WHEN exit_date IS NULL THEN 1 ELSE 0 END), "
                      "sum(CASE WHEN exit_date IS NULL AND sex = 1 THEN 1 ELSE 0 END), "
                      "sum(CASE WHEN exit_date IS NULL AND sex IN (1, 2, 3) THEN 1 ELSE 0 END), "
                      "sum(CASE WHEN exit_date IS NULL AND leadership = 1 AND sex = 1 THEN 1 ELSE "
                      "0 END), sum(CASE WHEN exit_date IS NULL AND leadership = 1 AND sex IN (1, "
                      "2, 3) THEN 1 ELSE 0 END), sum(CASE WHEN exit_date IS NULL AND eod_technical "
                      "= 1 AND sex = 1 THEN 1 ELSE 0 END), sum(CASE WHEN exit_date IS NULL AND "
                      "eod_technical = 1 AND sex IN (1, 2, 3) THEN 1 ELSE 0 END), "
                      "sum(CASE WHEN exit_date IS NULL AND disability = 1 THEN 1 ELSE 0 END) "
                      "FROM staff",
                      v, err);
    if (rc)
        return rc;
    (void)fputs("\nWorkforce: ", out);
    num(out, v[0]);
    (void)fputs(" staff records, ", out);
    num(out, v[1]);
    (void)fputs(" currently employed\n", out);
    share(out, "women, of current staff of known sex", v[2], v[3], "staff");
    share(out, "women in leadership positions", v[4], v[5], "leaders");
    share(out, "women in EOD and technical roles", v[6], v[7], "technical staff");
    (void)fputs("    persons with disabilities employed: ", out);
    num(out, v[8]);
    (void)fputc('\n', out);
    rc = row_ints(s,
                  "SELECT count(*), sum(participants), sum(female), "
                  "sum(CASE WHEN topic = 1 THEN 1 ELSE 0 END), "
                  "(SELECT count(*) FROM survey_team), "
                  "(SELECT count(DISTINCT team_id) FROM training WHERE topic = 1 AND team_id IS "
                  "NOT NULL) FROM training",
                  v, err);
    if (rc)
        return rc;
    (void)fputs("\nTrainings: ", out);
    num(out, v[0]);
    (void)fputs(" sessions, ", out);
    num(out, v[1]);
    (void)fputs(" people trained (", out);
    num(out, v[2]);
    (void)fputs(" women)\n", out);
    share(out, "survey teams trained in gender and diversity-sensitive data collection", v[5], v[4],
          "survey teams");
    return MADI_OK;
}

int madi_summary_write(struct madi_store *s, FILE *out, struct madi_err *err)
{
    int rc = section_registers(s, out, err);
    if (!rc)
        rc = section_eore(s, out, err);
    if (!rc)
        rc = section_land(s, out, err);
    if (!rc)
        rc = section_casualty(s, out, err);
    if (!rc)
        rc = section_workforce(s, out, err);
    if (!rc && ferror(out))
        rc = madi_err_set(err, MADI_EIO, "cannot write the summary");
    return rc;
}
