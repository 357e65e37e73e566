/*
 * indcat.h: a catalogue entry as the engine sees it (private to the indicator modules): the
 * public definition, the strings it points into, and its compiled measures.
 */
#ifndef MADI_INDCAT_H
#define MADI_INDCAT_H

#include "ind_int.h"

#define IND_NSTR 17 /* the id and the value of each catalogue key */

struct ind_entry {
    struct madi_ind_def def; /* first: a def pointer is an entry pointer */
    char *str[IND_NSTR];
    int key_line[IND_NSTR]; /* the line each key was given on */
    int line;
    int builtin;
    char *origin; /* where it was read from (owned) */
    struct measure num, den, bnum, bden, uni;
    struct measure nbase; /* the numerator without its sex, age and disability conditions */
    unsigned num_axes;    /* the SADDD axes the numerator selects on (1 sex, 2 age, 4 dis) */
    int has_num, has_den, has_bnum, has_bden, has_uni;
};

void ind_entry_free(struct ind_entry *e);

/** Check every dimension of the comma-separated `by` against the entry's measures. */
int ind_by_check(const struct ind_entry *e, const char *by, char *why, size_t whysz);

#endif
