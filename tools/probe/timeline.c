/* timeline: keeps every probe of a URL by schedule slot and accounts them in order
 * (availability, outages, latency) even though they finish out of order. */
#include <stdlib.h>
#include <string.h>

#include "probe.h"

void probe_timeline_init(probe_timeline *t, int success_threshold, int failure_threshold)
{
    memset(t, 0, sizeof *t);
    probe_outages_init(&t->outages, success_threshold, failure_threshold);
    probe_hist_init(&t->hist);
}

static int feed(probe_timeline *t, int skip_undone);

int probe_timeline_add(probe_timeline *t, long seq, const probe_record *rec)
{
    if (seq < 0)
        return 0;
    size_t i = (size_t)seq;
    if (i >= t->cap) {
        size_t cap = t->cap ? t->cap : 1024;
        while (cap <= i)
            cap *= 2;
        probe_record *r = realloc(t->rec, cap * sizeof *r);
        if (!r)
            return 0;
        memset(r + t->cap, 0, (cap - t->cap) * sizeof *r);
        t->rec = r;
        t->cap = cap;
    }
    t->rec[i] = *rec;
    t->rec[i].done = 1;
    if (i >= t->n)
        t->n = i + 1;
    return feed(t, 0);
}

void probe_timeline_flush(probe_timeline *t)
{
    feed(t, 1);
}

/* Accounts records from t->fed on, in order; skip_undone passes over the holes. */
static int feed(probe_timeline *t, int skip_undone)
{
    int events = 0;
    for (; t->fed < t->n; t->fed++) {
        const probe_record *r = &t->rec[t->fed];
        if (!r->done) {
            if (skip_undone)
                continue;
            break;
        }
        if (r->ok)
            t->ok++;
        else
            t->failed++;
        t->by_class[r->cls < HTTP_ERR_COUNT ? r->cls : HTTP_ERR_OTHER]++;
        if (r->cls == HTTP_OK)
            probe_hist_add(&t->hist, r->latency_ns);
        events |= probe_outages_feed(&t->outages, r->sched_ns, r->ok);
    }
    return events;
}

void probe_timeline_free(probe_timeline *t)
{
    free(t->rec);
    probe_outages_free(&t->outages);
    t->rec = NULL;
}
