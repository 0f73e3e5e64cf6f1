/* watch: probes a URL on a fixed schedule (open model), records every probe, prints
 * availability, outages and latency percentiles, and writes CSV/JSON timelines. */
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "probe.h"

typedef struct watch_state {
    const probe_opts *o;
    probe_timeline tl;
    int64_t end_ns; /* relative end of the run (for an ongoing outage) */
} watch_state;

/* Announces outages on stderr as they start and end. */
static void on_result(void *user, size_t target, long seq, const probe_record *rec,
                      const http_result *res, const char *why, const char *body, size_t len)
{
    (void)target, (void)res, (void)body, (void)len;
    watch_state *w = user;
    int ev = probe_timeline_add(&w->tl, seq, rec);
    const probe_outages *a = &w->tl.outages;
    if ((ev & 1) && a->n)
        fprintf(stderr, "down at %.2f s: %s\n", (double)a->items[a->n - 1].start_ns / 1e9, why);
    if ((ev & 2) && a->n && !a->down)
        fprintf(stderr, "up at %.2f s after %.2f s\n", (double)a->items[a->n - 1].end_ns / 1e9,
                (double)(a->items[a->n - 1].end_ns - a->items[a->n - 1].start_ns) / 1e9);
}

/* Length of outage i, an ongoing one counted up to the end of the run. */
static int64_t outage_len(const watch_state *w, size_t i)
{
    const probe_outage *p = &w->tl.outages.items[i];
    return (p->end_ns < 0 ? w->end_ns : p->end_ns) - p->start_ns;
}

static double pct(long part, long whole)
{
    return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static void print_summary(const watch_state *w, FILE *out)
{
    const probe_timeline *t = &w->tl;
    const probe_hist *h = &t->hist;
    long total = t->ok + t->failed;
    int64_t longest = 0;
    for (size_t i = 0; i < t->outages.n; i++)
        if (outage_len(w, i) > longest)
            longest = outage_len(w, i);
    fprintf(out, "%s: %ld probes, %ld ok, %ld failed, availability %.2f %%\n", w->o->urls[0],
            total, t->ok, t->failed, pct(t->ok, total));
    fprintf(out, "outages: %zu, longest %.2f s\n", t->outages.n, (double)longest / 1e9);
    for (size_t i = 0; i < t->outages.n; i++) {
        const probe_outage *p = &t->outages.items[i];
        char end[32];
        if (p->end_ns < 0)
            snprintf(end, sizeof end, "(ongoing)");
        else
            snprintf(end, sizeof end, "%.2f s", (double)p->end_ns / 1e9);
        fprintf(out, "  outage %zu: %.2f s -> %s, %.2f s, %ld failed probes\n", i + 1,
                (double)p->start_ns / 1e9, end, (double)outage_len(w, i) / 1e9, p->failed);
    }
    fprintf(out, "latency: p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms\n",
            (double)probe_hist_quantile(h, 0.50) / 1e6, (double)probe_hist_quantile(h, 0.95) / 1e6,
            (double)probe_hist_quantile(h, 0.99) / 1e6, (double)probe_hist_quantile(h, 1) / 1e6);
    int any = 0;
    for (int c = 1; c < HTTP_ERR_COUNT; c++)
        if (t->by_class[c])
            fprintf(out, "%s%s %ld", any++ ? ", " : "errors: ", http_errclass_name((http_errclass)c),
                    t->by_class[c]);
    if (any)
        fputc('\n', out);
}

static int write_csv(const watch_state *w, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs("seq,scheduled_s,latency_ms,status,ok,error\n", f);
    for (size_t i = 0; i < w->tl.fed; i++) {
        const probe_record *r = &w->tl.rec[i];
        if (!r->done)
            continue;
        fprintf(f, "%zu,%.3f,%.3f,%d,%d,%s\n", i, (double)r->sched_ns / 1e9,
                (double)r->latency_ns / 1e6, r->status, r->ok,
                r->cls ? http_errclass_name((http_errclass)r->cls) : "");
    }
    return fclose(f) ? -1 : 0;
}

static int write_json(const watch_state *w, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    const probe_timeline *t = &w->tl;
    const probe_hist *h = &t->hist;
    long total = t->ok + t->failed;
    int64_t longest = 0;
    fputs("{\"url\": ", f);
    jsonw_string(f, w->o->urls[0]);
    fprintf(f, ", \"interval_s\": %.3f, \"probes\": %ld, \"ok\": %ld, \"failed\": %ld, "
               "\"availability_pct\": %.3f, \"outages\": [",
            (double)w->o->interval_ns / 1e9, total, t->ok, t->failed, pct(t->ok, total));
    for (size_t i = 0; i < t->outages.n; i++) {
        const probe_outage *p = &t->outages.items[i];
        if (outage_len(w, i) > longest)
            longest = outage_len(w, i);
        fprintf(f, "%s{\"start_s\": %.3f, \"end_s\": ", i ? ", " : "", (double)p->start_ns / 1e9);
        if (p->end_ns < 0)
            fputs("null", f);
        else
            fprintf(f, "%.3f", (double)p->end_ns / 1e9);
        fprintf(f, ", \"length_s\": %.3f, \"failed\": %ld}", (double)outage_len(w, i) / 1e9,
                p->failed);
    }
    fprintf(f, "], \"longest_outage_s\": %.3f, \"latency_ms\": {\"p50\": %.3f, \"p95\": %.3f, "
               "\"p99\": %.3f, \"max\": %.3f}, \"probes_log\": [",
            (double)longest / 1e9, (double)probe_hist_quantile(h, 0.5) / 1e6,
            (double)probe_hist_quantile(h, 0.95) / 1e6, (double)probe_hist_quantile(h, 0.99) / 1e6,
            (double)probe_hist_quantile(h, 1) / 1e6);
    int first = 1;
    for (size_t i = 0; i < t->fed; i++) {
        const probe_record *r = &t->rec[i];
        if (!r->done)
            continue;
        fprintf(f, "%s\n{\"scheduled_s\": %.3f, \"latency_ms\": %.3f, \"status\": %d, "
                   "\"ok\": %s, \"error\": %s%s%s}",
                first ? "" : ",", (double)r->sched_ns / 1e9, (double)r->latency_ns / 1e6, r->status,
                r->ok ? "true" : "false", r->cls ? "\"" : "",
                r->cls ? http_errclass_name((http_errclass)r->cls) : "null", r->cls ? "\"" : "");
        first = 0;
    }
    fputs("]}\n", f);
    return fclose(f) ? -1 : 0;
}

int probe_watch_run(const probe_opts *o)
{
    char err[256];
    watch_state *w = calloc(1, sizeof *w);
    probe_sched *s = w ? probe_sched_new(o, 1, err, sizeof err) : NULL;
    if (!s) {
        fprintf(stderr, "probe: %s\n", w ? err : "out of memory");
        free(w);
        return 1;
    }
    w->o = o;
    probe_timeline_init(&w->tl, o->success_threshold, o->failure_threshold);
    int64_t start = http_now_ns();
    probe_sched_run(s, start, o->duration_ns ? start + o->duration_ns : 0, on_result, NULL, w);
    w->end_ns = http_now_ns() - start;
    probe_sched_free(s);
    probe_timeline_flush(&w->tl);
    print_summary(w, stdout);
    int rc = 0;
    if (o->csv_path && write_csv(w, o->csv_path) < 0) {
        fprintf(stderr, "probe: cannot write %s\n", o->csv_path);
        rc = 1;
    }
    if (o->json_path && write_json(w, o->json_path) < 0) {
        fprintf(stderr, "probe: cannot write %s\n", o->json_path);
        rc = 1;
    }
    probe_timeline_free(&w->tl);
    free(w);
    return rc;
}
