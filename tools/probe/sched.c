/* sched: probes every URL on a fixed schedule through one curl multi handle, judges
 * each response with the expectations and hands the records to the subcommand. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe.h"

#define MAX_IN_FLIGHT 256 /* per URL; beyond it a probe counts as failed ("too many in flight") */

typedef struct target {
    const char *url;
    http_xfer **all;    /* every transfer made; user != NULL while running */
    http_xfer **idle;   /* reusable transfers (connections stay in the multi) */
    size_t nidle, nall;
    long next_seq;
    int64_t next_ns;    /* absolute time of the next probe */
    size_t in_flight;
} target;

struct probe_sched {
    const probe_opts *o;
    int open_model;
    CURLM *multi;
    target *t;
    size_t nt;
    int sigfd;
};

probe_sched *probe_sched_new(const probe_opts *o, int open_model, char *err, size_t errlen)
{
    probe_sched *s = calloc(1, sizeof *s);
    if (!s || !(s->multi = curl_multi_init()) || !(s->t = calloc(o->nurls, sizeof *s->t))) {
        snprintf(err, errlen, "out of memory");
        probe_sched_free(s);
        return NULL;
    }
    s->o = o;
    s->open_model = open_model;
    s->nt = o->nurls;
    for (size_t i = 0; i < s->nt; i++) {
        s->t[i].url = o->urls[i];
        s->t[i].idle = calloc(MAX_IN_FLIGHT, sizeof *s->t[i].idle);
        s->t[i].all = calloc(MAX_IN_FLIGHT, sizeof *s->t[i].all);
        if (!s->t[i].idle || !s->t[i].all) {
            snprintf(err, errlen, "out of memory");
            probe_sched_free(s);
            return NULL;
        }
    }
    s->sigfd = probe_signals_install();
    return s;
}

/* Starts probe seq of target i scheduled at sched_ns; if it cannot start, reports it
 * at once as a failed probe so every seq reaches the callback. */
static void launch(probe_sched *s, size_t i, long seq, int64_t sched_ns, int64_t start_ns,
                   probe_sched_cb cb, void *user)
{
    target *t = &s->t[i];
    http_xfer *x = NULL;
    char err[256] = "too many probes in flight";
    if (t->nidle)
        x = t->idle[--t->nidle];
    else if (t->nall < MAX_IN_FLIGHT && (x = http_xfer_new(&s->o->http, t->url, err, sizeof err)))
        t->all[t->nall++] = x;
    if (x) {
        http_xfer_rewind(x);
        x->user = t;
        x->seq = seq;
        x->sched_ns = sched_ns;
        x->start_ns = http_now_ns();
        if (curl_multi_add_handle(s->multi, x->easy) == CURLM_OK) {
            t->in_flight++;
            return;
        }
        x->user = NULL;
        t->idle[t->nidle++] = x;
        snprintf(err, sizeof err, "cannot start a transfer");
    }
    probe_record rec = {sched_ns - start_ns, 0, 0, 0, 1, HTTP_ERR_OTHER};
    http_result res = {0, HTTP_ERR_OTHER, err};
    cb(user, i, seq, &rec, &res, err, NULL, 0);
}

/* Handles every finished transfer. */
static void harvest(probe_sched *s, int64_t start_ns, probe_sched_cb cb, void *user)
{
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(s->multi, &left))) {
        if (m->msg != CURLMSG_DONE)
            continue;
        CURLcode rc = m->data.result;
        CURL *e = m->easy_handle;
        http_xfer *x = NULL;
        curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&x);
        curl_multi_remove_handle(s->multi, e);
        int64_t end = http_now_ns();
        target *t = x->user;
        http_result res;
        http_xfer_result(x, rc, &res);
        char why[1024];
        probe_record rec = {0};
        rec.sched_ns = x->sched_ns - start_ns;
        rec.latency_ns = end - x->sched_ns;
        rec.status = (int32_t)res.status;
        rec.cls = (uint8_t)res.cls;
        rec.done = 1;
        rec.ok = (uint8_t)probe_expect_ok(s->o, &res, x->body, x->body_len, why, sizeof why);
        t->in_flight--;
        x->user = NULL;
        cb(user, (size_t)(t - s->t), x->seq, &rec, &res, why, x->body, x->body_len);
        t->idle[t->nidle++] = x;
    }
}

/* Drops every transfer still running (at the end of a run). */
static void abandon(probe_sched *s)
{
    for (size_t i = 0; i < s->nt; i++) {
        target *t = &s->t[i];
        for (size_t k = 0; k < t->nall; k++) {
            if (!t->all[k]->user)
                continue;
            curl_multi_remove_handle(s->multi, t->all[k]->easy);
            t->all[k]->user = NULL;
            t->idle[t->nidle++] = t->all[k];
        }
        t->in_flight = 0;
    }
}

int probe_sched_run(probe_sched *s, int64_t start_ns, int64_t deadline_ns, probe_sched_cb cb,
                    probe_sched_tick tick, void *user)
{
    for (size_t i = 0; i < s->nt; i++) {
        s->t[i].next_ns = start_ns;
    }
    for (;;) {
        int64_t now = http_now_ns();
        if (probe_interrupted() || (deadline_ns && now >= deadline_ns))
            break;
        for (size_t i = 0; i < s->nt; i++) {
            target *t = &s->t[i];
            if (s->open_model) {
                while (t->next_ns <= now) {
                    launch(s, i, t->next_seq, t->next_ns, start_ns, cb, user);
                    t->next_seq++;
                    t->next_ns = start_ns + t->next_seq * s->o->interval_ns;
                }
            } else if (!t->in_flight && t->next_ns <= now) {
                launch(s, i, t->next_seq++, now, start_ns, cb, user);
                t->next_ns = now + s->o->interval_ns;
            }
        }
        int running;
        curl_multi_perform(s->multi, &running);
        harvest(s, start_ns, cb, user);
        now = http_now_ns();
        if (tick && tick(user, now))
            break;
        int64_t wake = deadline_ns ? deadline_ns : now + 60 * (int64_t)1000000000;
        for (size_t i = 0; i < s->nt; i++) {
            target *t = &s->t[i];
            if ((s->open_model || !t->in_flight) && t->next_ns < wake)
                wake = t->next_ns;
        }
        long ms = wake > now ? (long)((wake - now + 999999) / 1000000) : 0;
        if (tick && ms > 100) /* ticks redraw progress and reap children */
            ms = 100;
        struct curl_waitfd extra = {s->sigfd, CURL_WAIT_POLLIN, 0};
        curl_multi_poll(s->multi, s->sigfd >= 0 ? &extra : NULL, s->sigfd >= 0 ? 1 : 0,
                        (int)(ms > 60000 ? 60000 : ms), NULL);
    }
    abandon(s);
    return probe_interrupted() ? 1 : 0;
}

void probe_sched_free(probe_sched *s)
{
    if (!s)
        return;
    for (size_t i = 0; s->t && i < s->nt; i++) {
        for (size_t k = 0; s->t[i].all && k < s->t[i].nall; k++) {
            if (s->t[i].all[k]->user)
                curl_multi_remove_handle(s->multi, s->t[i].all[k]->easy);
            http_xfer_free(s->t[i].all[k]);
        }
        free(s->t[i].all);
        free(s->t[i].idle);
    }
    free(s->t);
    if (s->multi)
        curl_multi_cleanup(s->multi);
    free(s);
}
