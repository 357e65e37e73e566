/*
 * demo.h: a fictional national mine action programme, generated deterministically from a seed as
 * the CSV files its operators and centre would send: registers (organisations, areas, hazardous
 * areas, survey teams, population), three years of risk education (session counts and
 * attendance lists), land release, consultations, casualties, workforce and trainings. A few
 * files carry the mistakes real files carry, so the demo shows them being rejected.
 */
#ifndef MADI_DEMO_H
#define MADI_DEMO_H

#include <stddef.h>
#include <stdint.h>

#include "madi/err.h"

struct madi_demo_file {
    char *path;       /* DIR/name.csv; owned by the madi_demo */
    const char *kind; /* static: the kind to import it as */
    const char *what; /* static: one line saying what the file is (and what is wrong with it) */
    int broken;       /* 1 if the file deliberately holds mistakes and must be rejected */
};

struct madi_demo {
    struct madi_demo_file *files; /* in the order they must be imported */
    size_t n;
    unsigned long long rows; /* data rows written, all files */
};

struct madi_demo_opts {
    uint64_t seed;
    double scale; /* 1.0 = the full programme (~100,000 people); tests use ~0.02 */
};

/**
 * Write the programme's files into `dir` (created if missing; existing demo files are
 * overwritten). The same seed and scale give byte-identical files. Caller releases *out with
 * madi_demo_release. Errors: MADI_EIO when a file cannot be written.
 */
int madi_demo_generate(const char *dir, const struct madi_demo_opts *o, struct madi_demo *out,
                       struct madi_err *err);
void madi_demo_release(struct madi_demo *d);

#endif
