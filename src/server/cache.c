/*
 * cache.c: built reports, kept while the data under them has not changed.
 *
 * Building a report (tables, key indicators, disclosure control) takes a second or more on a
 * national database, and a dashboard asks for it once per chart. A report is kept under the
 * key of what it was built for (audience, period, area, organisation, the date) and the stamp
 * of the data it was built from (the newest batch and the number of active ones: every import,
 * approval and replacement changes it). A report in use is counted and never freed under its
 * reader; the least recently used one gives way to a new one.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "madi/report.h"

#include "banned.h"
#include "srv_int.h"
#include "xalloc.h"

#define CACHE_SLOTS 32

#define BLOBS 48

/* What was written from a report (the dashboard's JSON, a chart), kept with it. */
struct blob {
    char name[96];
    char *data;
    size_t len;
};

struct rc_entry {
    char key[256];
    int64_t stamp;
    struct madi_report *r;
    int refs;
    int dead; /* evicted while in use: freed by the last reader */
    uint64_t used;
    struct blob blob[BLOBS];
    size_t nblob;
};

struct rcache {
    pthread_mutex_t mu;
    struct rc_entry *slot[CACHE_SLOTS];
    uint64_t tick;
};

struct rcache *rcache_new(void)
{
    struct rcache *c = xcalloc(1, sizeof(*c));
    pthread_mutex_init(&c->mu, NULL);
    return c;
}

static void drop(struct rc_entry *e);

void rcache_free(struct rcache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < CACHE_SLOTS; i++)
        if (c->slot[i])
            drop(c->slot[i]);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

int64_t rcache_stamp(struct madi_store *s)
{
    int64_t v = 0;
    struct madi_err err;
    if (madi_store_query_int(s,
                             "SELECT (SELECT ifnull(max(id), 0) FROM batch) * 1048576 + "
                             "(SELECT count(*) FROM batch WHERE status = 'active')",
                             &v, &err))
        return -1;
    return v;
}

int64_t srv_stamp(struct req *rq)
{
    if (!rq->stamp_read) {
        rq->stamp = rcache_stamp(rq->s);
        rq->stamp_read = 1;
    }
    return rq->stamp;
}

const struct madi_report *rcache_get(struct rcache *c, const char *key, int64_t stamp,
                                     struct rc_entry **ref)
{
    *ref = NULL;
    if (stamp < 0)
        return NULL;
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        struct rc_entry *e = c->slot[i];
        if (e && e->stamp == stamp && strcmp(e->key, key) == 0) {
            e->refs++;
            e->used = ++c->tick;
            *ref = e;
            pthread_mutex_unlock(&c->mu);
            return e->r;
        }
    }
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

static void drop(struct rc_entry *e)
{
    for (size_t i = 0; i < e->nblob; i++)
        free(e->blob[i].data);
    madi_report_free(e->r);
    free(e);
}

int rcache_blob(struct rcache *c, struct rc_entry *e, const char *name, char **out, size_t *len)
{
    int found = 0;
    *out = NULL;
    *len = 0;
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < e->nblob && !found; i++) {
        if (strcmp(e->blob[i].name, name) == 0) {
            *out = xmalloc(e->blob[i].len + 1);
            memcpy(*out, e->blob[i].data, e->blob[i].len);
            (*out)[e->blob[i].len] = 0;
            *len = e->blob[i].len;
            found = 1;
        }
    }
    pthread_mutex_unlock(&c->mu);
    return found;
}

void rcache_set_blob(struct rcache *c, struct rc_entry *e, const char *name, const char *data,
                     size_t len)
{
    if (strlen(name) >= sizeof(e->blob[0].name))
        return;
    pthread_mutex_lock(&c->mu);
    int have = 0;
    for (size_t i = 0; i < e->nblob; i++)
        have |= strcmp(e->blob[i].name, name) == 0;
    if (!have && e->nblob < BLOBS) {
        struct blob *b = &e->blob[e->nblob++];
        (void)snprintf(b->name, sizeof(b->name), "%s", name);
        b->data = xmalloc(len + 1);
        memcpy(b->data, data, len);
        b->data[len] = 0;
        b->len = len;
    }
    pthread_mutex_unlock(&c->mu);
}

const struct madi_report *rcache_put(struct rcache *c, const char *key, int64_t stamp,
                                     struct madi_report *r, struct rc_entry **ref)
{
    struct rc_entry *e = xcalloc(1, sizeof(*e));
    (void)snprintf(e->key, sizeof(e->key), "%s", key);
    e->stamp = stamp;
    e->r = r;
    e->refs = 1;
    *ref = e;
    if (stamp < 0) { /* the data's stamp is unknown: used once, not kept */
        e->dead = 1;
        return r;
    }
    pthread_mutex_lock(&c->mu);
    e->used = ++c->tick;
    /* An empty slot, else a report of older data, else the least recently used. */
    size_t victim = 0;
    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        struct rc_entry *o = c->slot[i], *v = c->slot[victim];
        if (!o) {
            victim = i;
            break;
        }
        int o_stale = o->stamp != stamp, v_stale = v->stamp != stamp;
        if (o_stale > v_stale || (o_stale == v_stale && o->used < v->used))
            victim = i;
    }
    struct rc_entry *old = c->slot[victim];
    c->slot[victim] = e;
    if (old && old->refs)
        old->dead = 1;
    else if (old)
        drop(old);
    pthread_mutex_unlock(&c->mu);
    return r;
}

void rcache_release(struct rcache *c, struct rc_entry *e)
{
    if (!e)
        return;
    pthread_mutex_lock(&c->mu);
    int gone = --e->refs == 0 && e->dead;
    pthread_mutex_unlock(&c->mu);
    if (gone)
        drop(e);
}
