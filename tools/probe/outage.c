/* outage: availability accounting over probe results in schedule order, with
 * Kubernetes-style failure and success thresholds. */
#include <stdlib.h>

#include "probe.h"

void probe_outages_init(probe_outages *a, int success_threshold, int failure_threshold)
{
    *a = (probe_outages){0};
    a->success_threshold = success_threshold > 0 ? success_threshold : 1;
    a->failure_threshold = failure_threshold > 0 ? failure_threshold : 1;
}

/* Appends an outage; on allocation failure the outage is dropped (counts stay right). */
static void push(probe_outages *a, int64_t start, long failed)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 16;
        probe_outage *it = realloc(a->items, cap * sizeof *it);
        if (!it)
            return;
        a->items = it;
        a->cap = cap;
    }
    a->items[a->n++] = (probe_outage){start, -1, failed};
}

int probe_outages_feed(probe_outages *a, int64_t sched_ns, int ok)
{
    if (!a->down) {
        if (ok) {
            a->run = 0;
            return 0;
        }
        if (a->run++ == 0) {
            a->run_start_ns = sched_ns;
            a->run_failed = 0;
        }
        a->run_failed++;
        if (a->run < a->failure_threshold)
            return 0;
        a->down = 1;
        a->run = 0;
        push(a, a->run_start_ns, a->run_failed);
        return 1;
    }
    probe_outage *cur = a->n ? &a->items[a->n - 1] : NULL;
    if (!ok) {
        a->run = 0;
        if (cur)
            cur->failed++;
        return 0;
    }
    if (a->run++ == 0)
        a->run_start_ns = sched_ns;
    if (a->run < a->success_threshold)
        return 0;
    a->down = 0;
    a->run = 0;
    if (cur)
        cur->end_ns = a->run_start_ns;
    return 2;
}

void probe_outages_free(probe_outages *a)
{
    free(a->items);
    a->items = NULL;
    a->n = a->cap = 0;
}
