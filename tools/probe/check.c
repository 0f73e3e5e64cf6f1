/* check: one request, judged against the expectations; captures JSON values. */
#include <stdlib.h>
#include <string.h>

#include "probe.h"

typedef struct check_state {
    const probe_opts *o;
    int done, ok;
    char why[1024];
    double ms;
    long status;
} check_state;

/* Judges the one response and prints the captures when everything held. */
static void on_result(void *user, size_t target, long seq, const probe_record *rec,
                      const http_result *res, const char *why, const char *body, size_t len)
{
    (void)target, (void)seq;
    check_state *st = user;
    st->done = 1;
    st->ok = rec->ok;
    st->status = res->status;
    st->ms = (double)rec->latency_ns / 1e6;
    snprintf(st->why, sizeof st->why, "%s", why);
    if (st->ok && probe_capture_print(st->o, body, len, stdout, st->why, sizeof st->why) < 0)
        st->ok = 0;
}

static int check_done(void *user, int64_t now)
{
    (void)now;
    return ((check_state *)user)->done;
}

int probe_check_run(const probe_opts *o)
{
    char err[256];
    check_state st = {.o = o};
    probe_sched *s = probe_sched_new(o, 0, err, sizeof err);
    if (!s) {
        fprintf(stderr, "probe: %s\n", err);
        return 1;
    }
    int64_t now = http_now_ns();
    int64_t limit = o->http.timeout_ns ? now + o->http.timeout_ns + DURATION_NS_PER_S : 0;
    int intr = probe_sched_run(s, now, limit, on_result, check_done, &st);
    probe_sched_free(s);
    if (!st.done) {
        fprintf(stderr, "probe: check %s: %s\n", o->urls[0], intr ? "interrupted" : "no answer");
        return 1;
    }
    if (!st.ok) {
        fprintf(stderr, "probe: check %s failed: %s\n", o->urls[0], st.why);
        return 1;
    }
    if (!o->ncaptures)
        printf("ok: %s answered %ld in %.1f ms\n", o->urls[0], st.status, st.ms);
    return 0;
}
