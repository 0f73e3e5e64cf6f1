/* probe: options and the entry points of each subcommand (check, wait, watch,
 * recover, load), plus the pieces they share: expectations on a response,
 * JSON path lookups, the latency histogram and the interrupt flag. */
#ifndef TODO_PROBE_H
#define TODO_PROBE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "duration.h"
#include "http.h"

/* Everything the command line says; main.c fills it, the subcommands read it. */
typedef struct probe_opts {
    const char *const *urls;
    size_t nurls;
    http_opts http;
    const char *expect;            /* "200", "2xx", "200,204"; NULL means 2xx */
    const char *contains;
    const char *const *json_paths; /* PATH=VALUE */
    size_t njson_paths;
    const char *const *captures;   /* NAME=PATH */
    size_t ncaptures;
    int64_t deadline_ns, interval_ns, duration_ns, within_ns;
    int success_threshold, failure_threshold;
    const char *csv_path, *json_path; /* watch: files */
    int json;                      /* recover, load: JSON on stdout */
    int connections, threads;
    long long requests;
    double rate;
    char *const *cmd;              /* recover: the fault command */
    int tty;                       /* -1 auto, 0 never, 1 always (wait's live lines) */
} probe_opts;

int probe_check_run(const probe_opts *o);
int probe_wait_run(const probe_opts *o);
int probe_watch_run(const probe_opts *o);
int probe_recover_run(const probe_opts *o);
int probe_load_run(const probe_opts *o);

/* ---- expectations (expect.c) ---- */

/* Checks a finished response against --expect, --contains and --json-path. Returns 1
 * when every expectation holds, else 0 with a one-line reason in why. */
int probe_expect_ok(const probe_opts *o, const http_result *r, const char *body,
                    size_t body_len, char *why, size_t whylen);
/* Whether status matches spec ("200", "2xx", "200,3xx"); NULL spec means 2xx. */
int probe_status_matches(const char *spec, long status);
/* Validates a status spec; 0 or -1. */
int probe_status_spec_valid(const char *spec);
/* Looks path up in body parsed as JSON. 1 and the scalar text copied to out (or the
 * kind "<map>"/"<seq>"/"null"); 0 when the path is absent; -1 when the body is not
 * JSON (reason in out). */
int probe_json_lookup(const char *body, size_t len, const char *path, char *out,
                      size_t outlen);
/* Prints NAME=value lines for every --capture; 0, or -1 with the reason in why. */
int probe_capture_print(const probe_opts *o, const char *body, size_t len, FILE *out,
                        char *why, size_t whylen);

/* ---- latency histogram (histogram.c): log-bucketed, ~0.8% relative error ---- */

#define PROBE_HIST_SUB 128
#define PROBE_HIST_BUCKETS (PROBE_HIST_SUB + 50 * (PROBE_HIST_SUB / 2))

typedef struct probe_hist {
    uint64_t counts[PROBE_HIST_BUCKETS];
    uint64_t total;
    int64_t min, max;
    double sum;
} probe_hist;

void probe_hist_init(probe_hist *h);
void probe_hist_add(probe_hist *h, int64_t ns);
/* Value at quantile q (0..1), ns; the exact max for q >= 1; 0 when empty. */
int64_t probe_hist_quantile(const probe_hist *h, double q);
void probe_hist_merge(probe_hist *into, const probe_hist *from);

/* ---- interruption (signal.c) ---- */

/* Installs SIGINT/SIGTERM handlers that set a flag and wake a poll through a pipe.
 * Returns the pipe's read end (for curl_multi_poll's extra fds) or -1. */
int probe_signals_install(void);
int probe_interrupted(void);

/* ---- scheduled probing shared by wait, watch and recover (sched.c) ---- */

/* One probe's record. */
typedef struct probe_record {
    int64_t sched_ns;   /* scheduled start, relative to the run's start */
    int64_t latency_ns; /* from scheduled start to the end */
    int32_t status;     /* HTTP status or 0 */
    uint8_t ok;         /* expectations held */
    uint8_t done;
    uint8_t cls;        /* http_errclass */
} probe_record;

/* An outage: from the first failure to the first of N consecutive successes. */
typedef struct probe_outage {
    int64_t start_ns, end_ns; /* end_ns < 0 while ongoing */
    long failed;              /* failed probes inside */
} probe_outage;

/* Outage accounting over probe results fed in schedule order (Kubernetes-style
 * thresholds: F failures in a row start an outage at the first of them; S successes
 * in a row end it at the first of them). */
typedef struct probe_outages {
    int success_threshold, failure_threshold;
    int down;
    int run;                 /* current streak length */
    int64_t run_start_ns;    /* schedule time of the streak's first probe */
    long run_failed;         /* failed probes in the current streak/outage */
    probe_outage *items;
    size_t n, cap;
} probe_outages;

void probe_outages_init(probe_outages *a, int success_threshold, int failure_threshold);
/* Feeds the next probe result; returns 1 when an outage started, 2 when one ended,
 * 0 otherwise. */
int probe_outages_feed(probe_outages *a, int64_t sched_ns, int ok);
void probe_outages_free(probe_outages *a);

/* The probes of one URL in schedule order, with outage and latency accounting (watch,
 * recover). Results may arrive out of order; they are accounted once contiguous. */
typedef struct probe_timeline {
    probe_record *rec;  /* indexed by seq */
    size_t n, cap;      /* n = highest seq seen + 1 */
    size_t fed;         /* records accounted so far (all done) */
    probe_outages outages;
    probe_hist hist;    /* latency of answered probes */
    long ok, failed;
    long by_class[HTTP_ERR_COUNT];
} probe_timeline;

void probe_timeline_init(probe_timeline *t, int success_threshold, int failure_threshold);
/* Stores the record of seq and accounts every contiguous finished record. Returns the
 * bitwise OR of probe_outages_feed's results (1 an outage started, 2 one ended). */
int probe_timeline_add(probe_timeline *t, long seq, const probe_record *rec);
/* Accounts the finished records left behind unfinished ones (at the end of a run:
 * probes still in flight are not counted). */
void probe_timeline_flush(probe_timeline *t);
void probe_timeline_free(probe_timeline *t);

/* A fixed-interval prober of every URL of the options. In the open model (watch,
 * recover) probes start on schedule even while earlier ones are in flight; in the
 * closed model (wait) the next probe starts an interval after the previous one began,
 * and never while it is still running. */
typedef struct probe_sched probe_sched;

/* Called for every finished probe, in completion order. why is the failure reason
 * ("" when ok); body is the kept response body (may be NULL). */
typedef void (*probe_sched_cb)(void *user, size_t target, long seq, const probe_record *rec,
                               const http_result *res, const char *why, const char *body,
                               size_t body_len);
/* Called after every wake-up; a nonzero return ends the run. */
typedef int (*probe_sched_tick)(void *user, int64_t now_ns);

probe_sched *probe_sched_new(const probe_opts *o, int open_model, char *err, size_t errlen);
/* Runs from start_ns (absolute, monotonic) until tick says stop, deadline_ns (absolute,
 * 0 for none) or an interrupt. Probes still in flight then are abandoned. Returns 0, or
 * 1 when interrupted. */
int probe_sched_run(probe_sched *s, int64_t start_ns, int64_t deadline_ns, probe_sched_cb cb,
                    probe_sched_tick tick, void *user);
void probe_sched_free(probe_sched *s);

#endif
