/* histogram: latency histogram with log-spaced buckets (128 linear steps per power of
 * two), so percentiles cost no per-sample storage and err by under 1%. */
#include <string.h>

#include "probe.h"

#define HALF (PROBE_HIST_SUB / 2)

void probe_hist_init(probe_hist *h)
{
    memset(h, 0, sizeof *h);
}

/* Bucket of v (ns): exact below 128, then 64 buckets per power of two. */
static size_t bucket_of(uint64_t v)
{
    if (v < PROBE_HIST_SUB)
        return (size_t)v;
    int msb = 63 - __builtin_clzll(v);
    int shift = msb - 6;
    size_t idx = PROBE_HIST_SUB + (size_t)(shift - 1) * HALF + (size_t)((v >> shift) - HALF);
    return idx < PROBE_HIST_BUCKETS ? idx : PROBE_HIST_BUCKETS - 1;
}

/* Middle of bucket idx, ns. */
static int64_t bucket_mid(size_t idx)
{
    if (idx < PROBE_HIST_SUB)
        return (int64_t)idx;
    size_t k = idx - PROBE_HIST_SUB;
    int shift = (int)(k / HALF) + 1;
    uint64_t lo = ((uint64_t)(k % HALF) + HALF) << shift;
    return (int64_t)(lo + ((uint64_t)1 << shift) / 2);
}

void probe_hist_add(probe_hist *h, int64_t ns)
{
    if (ns < 0)
        ns = 0;
    h->counts[bucket_of((uint64_t)ns)]++;
    if (!h->total || ns < h->min)
        h->min = ns;
    if (ns > h->max)
        h->max = ns;
    h->total++;
    h->sum += (double)ns;
}

int64_t probe_hist_quantile(const probe_hist *h, double q)
{
    if (!h->total)
        return 0;
    if (q >= 1)
        return h->max;
    uint64_t rank = (uint64_t)(q * (double)h->total + 0.5);
    if (rank < 1)
        rank = 1;
    uint64_t seen = 0;
    for (size_t i = 0; i < PROBE_HIST_BUCKETS; i++) {
        seen += h->counts[i];
        if (seen >= rank) {
            int64_t v = bucket_mid(i);
            return v > h->max ? h->max : (v < h->min ? h->min : v);
        }
    }
    return h->max;
}

void probe_hist_merge(probe_hist *into, const probe_hist *from)
{
    if (!from->total)
        return;
    for (size_t i = 0; i < PROBE_HIST_BUCKETS; i++)
        into->counts[i] += from->counts[i];
    if (!into->total || from->min < into->min)
        into->min = from->min;
    if (from->max > into->max)
        into->max = from->max;
    into->total += from->total;
    into->sum += from->sum;
}
