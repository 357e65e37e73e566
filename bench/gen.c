/*
 * gen.c: a deterministic generator of individual-level risk education attendance lists, as the
 * CSV a national roll-up of operators' files would hold, in madi's eore-attendance format, with
 * the organisation and area registers the rows refer to.
 *
 *     gen --rows N [--seed S] --dir DIR
 *
 * writes DIR/organisation.csv, DIR/area.csv (a country, 10 provinces, 80 districts) and
 * DIR/attendance.csv. The same N and seed give the same bytes on every machine (splitmix64, no
 * floating point, no clock). People are drawn so that a person has about 2.5 contacts; each
 * person lives in one district and has one sex, age, disability and displacement, which a row
 * leaves blank now and then (sex ~3 %, age ~6 %, disability ~8 %, displacement ~10 %, person
 * key ~2 %), as attendance lists do. Sessions hold 5 to 60 people, on one day in 2023-2025, in
 * one district, by one of 12 operators, with one delivery method (the activity).
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NPROV   10
#define NDIST   8 /* per province */
#define NAREA   (NPROV * NDIST)
#define NORG    12
#define DAY0    19358 /* 2023-01-01 as days since 1970-01-01 */
#define NDAYS   1096  /* 2023-01-01 .. 2025-12-31 */
#define BUFSIZE (1u << 20)

static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

struct rng {
    uint64_t s;
};

static uint64_t next(struct rng *r)
{
    r->s += 0x9e3779b97f4a7c15ULL;
    return mix(r->s);
}

/* Uniform in [0, n). The bias for n far below 2^64 is negligible, and it is deterministic. */
static uint64_t below(struct rng *r, uint64_t n)
{
    return next(r) % n;
}

/* Civil date from days since 1970-01-01 (Howard Hinnant's algorithm). */
static void civil(long z, int *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long yy = yoe + era * 400;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}

static const char *const activities[] = { "interpersonal", "community", "media", "digital" };
static const char *const disabilities[] = { "yes", "no", "unknown" };
static const char *const displacements[] = { "resident", "idp", "refugee", "returnee", "unknown" };

struct person {
    const char *sex;
    int age;
    const char *disability;
    const char *displacement;
    char key[17];
};

static void person_of(uint64_t seed, uint64_t p, struct person *out)
{
    struct rng r = { mix(seed ^ 0x5eed5eedULL) ^ mix(p) };
    uint64_t v = below(&r, 1000);
    out->sex = v < 490 ? "F" : v < 960 ? "M" : v < 965 ? "X" : "U";
    v = below(&r, 100);
    if (v < 45)
        out->age = (int)below(&r, 18);
    else if (v < 90)
        out->age = 18 + (int)below(&r, 42);
    else
        out->age = 60 + (int)below(&r, 36);
    v = below(&r, 100);
    out->disability = disabilities[v < 9 ? 0 : v < 93 ? 1 : 2];
    v = below(&r, 100);
    out->displacement = displacements[v < 75 ? 0 : v < 90 ? 1 : v < 94 ? 2 : v < 98 ? 3 : 4];
    uint64_t k = mix(mix(seed) ^ (p * 0xd6e8feb86659fd93ULL));
    (void)snprintf(out->key, sizeof(out->key), "%016" PRIx64, k);
}

static int write_registers(const char *dir)
{
    char path[4096];
    (void)snprintf(path, sizeof(path), "%s/organisation.csv", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs("code,name,type\n", f);
    for (int o = 1; o <= NORG; o++)
        fprintf(f, "OP-%02d,Operator %d,%s\n", o, o, o % 3 == 0 ? "commercial" : "ngo");
    if (fclose(f) != 0)
        return -1;
    (void)snprintf(path, sizeof(path), "%s/area.csv", dir);
    f = fopen(path, "w");
    if (!f)
        return -1;
    fputs("code,name,level,parent\nMR,Meridia,0,\n", f);
    for (int p = 1; p <= NPROV; p++) {
        fprintf(f, "MR%02d,Province %d,1,MR\n", p, p);
        for (int d = 1; d <= NDIST; d++)
            fprintf(f, "MR%02d%02d,District %d-%d,2,MR%02d\n", p, d, p, d, p);
    }
    return fclose(f) != 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
    unsigned long long rows = 10000;
    uint64_t seed = 1;
    const char *dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--rows") && i + 1 < argc)
            rows = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--dir") && i + 1 < argc)
            dir = argv[++i];
        else {
            fprintf(stderr, "usage: gen --rows N [--seed S] --dir DIR\n");
            return 2;
        }
    }
    if (!dir || rows == 0) {
        fprintf(stderr, "usage: gen --rows N [--seed S] --dir DIR\n");
        return 2;
    }
    if (write_registers(dir) != 0) {
        perror(dir);
        return 1;
    }
    char path[4096];
    (void)snprintf(path, sizeof(path), "%s/attendance.csv", dir);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return 1;
    }
    static char iobuf[BUFSIZE];
    (void)setvbuf(f, iobuf, _IOFBF, sizeof(iobuf));
    fputs("record_id,session_id,date,organisation,area,activity,person_key,sex,age,disability,"
          "displacement\n",
          f);
    uint64_t npeople = rows * 2 / 5;
    if (npeople < NAREA)
        npeople = NAREA;
    struct rng r = { mix(seed) };
    unsigned long long done = 0, session = 0;
    while (done < rows) {
        session++;
        unsigned long long size = 5 + below(&r, 56);
        int y, m, d;
        civil(DAY0 + (long)below(&r, NDAYS), &y, &m, &d);
        unsigned area = (unsigned)below(&r, NAREA);
        unsigned org = 1 + (unsigned)below(&r, NORG);
        uint64_t v = below(&r, 100);
        const char *act = activities[v < 55 ? 0 : v < 85 ? 1 : v < 90 ? 2 : 3];
        uint64_t residents = (npeople - area + NAREA - 1) / NAREA;
        for (unsigned long long i = 0; i < size && done < rows; i++) {
            struct person pe;
            person_of(seed, area + NAREA * below(&r, residents), &pe);
            uint64_t blank = next(&r);
            done++;
            fprintf(f, "A-%llu,S-%llu,%04d-%02d-%02d,OP-%02u,MR%02u%02u,%s,%s,%s,", done, session,
                    y, m, d, org, area / NDIST + 1, area % NDIST + 1, act,
                    (blank & 63) == 0 ? "" : pe.key, (blank >> 8) % 100 < 3 ? "" : pe.sex);
            if ((blank >> 16) % 100 >= 6)
                fprintf(f, "%d", pe.age);
            fprintf(f, ",%s,%s\n", (blank >> 24) % 100 < 8 ? "" : pe.disability,
                    (blank >> 32) % 100 < 10 ? "" : pe.displacement);
        }
    }
    if (fclose(f) != 0) {
        perror(path);
        return 1;
    }
    return 0;
}
