/* recover: confirms a URL is healthy, runs a fault command, and measures the time to
 * the first failure and to recovery (the first of N successes in a row). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"

typedef struct recover_state {
    const probe_opts *o;
    probe_timeline tl;
    pid_t child;
    int child_status;   /* exit code, 128+signal, -1 while running */
    int healthy_streak, healthy;
    char last_error[512];
} recover_state;

/* Reaps the fault command if it has ended. */
static void reap(recover_state *r, int block)
{
    if (r->child <= 0)
        return;
    int st;
    pid_t p;
    while ((p = waitpid(r->child, &st, block ? 0 : WNOHANG)) < 0 && errno == EINTR) {}
    if (p == r->child) {
        r->child_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        r->child = 0;
    }
}

static void on_health(void *user, size_t target, long seq, const probe_record *rec,
                      const http_result *res, const char *why, const char *body, size_t len)
{
    (void)target, (void)seq, (void)res, (void)body, (void)len;
    recover_state *r = user;
    r->healthy_streak = rec->ok ? r->healthy_streak + 1 : 0;
    if (!rec->ok)
        snprintf(r->last_error, sizeof r->last_error, "%s", why);
    if (r->healthy_streak >= r->o->success_threshold)
        r->healthy = 1;
}

static int health_tick(void *user, int64_t now)
{
    (void)now;
    return ((recover_state *)user)->healthy;
}

static void on_probe(void *user, size_t target, long seq, const probe_record *rec,
                     const http_result *res, const char *why, const char *body, size_t len)
{
    (void)target, (void)res, (void)body, (void)len;
    recover_state *r = user;
    if (!rec->ok)
        snprintf(r->last_error, sizeof r->last_error, "%s", why);
    probe_timeline_add(&r->tl, seq, rec);
}

/* Ends the run once the first outage is over. */
static int recover_tick(void *user, int64_t now)
{
    (void)now;
    recover_state *r = user;
    reap(r, 0);
    return r->tl.outages.n > 0 && !r->tl.outages.down;
}

/* Starts the fault command with its stdout sent to stderr (stdout is for results). */
static pid_t spawn(char *const *cmd)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(2, 1);
        signal(SIGPIPE, SIG_DFL);
        execvp(cmd[0], cmd);
        fprintf(stderr, "probe: cannot run %s: %s\n", cmd[0], strerror(errno));
        _exit(127);
    }
    return pid;
}

/* Gives a still-running fault command 10 s, then ends it. */
static void finish_child(recover_state *r)
{
    for (int i = 0; i < 200 && r->child > 0; i++) {
        reap(r, 0);
        if (r->child > 0)
            nanosleep(&(struct timespec){0, 50000000}, NULL);
    }
    if (r->child > 0) {
        fprintf(stderr, "probe: the fault command is still running; terminating it\n");
        kill(r->child, SIGTERM);
        reap(r, 1);
    }
}

int probe_recover_run(const probe_opts *o)
{
    char err[256];
    recover_state *r = calloc(1, sizeof *r);
    if (!r) {
        fprintf(stderr, "probe: out of memory\n");
        return 1;
    }
    r->o = o;
    r->child_status = -1;
    probe_timeline_init(&r->tl, o->success_threshold, o->failure_threshold);
    int rc = 1;
    probe_sched *s = probe_sched_new(o, 0, err, sizeof err);
    if (!s) {
        fprintf(stderr, "probe: %s\n", err);
        goto out;
    }
    int64_t now = http_now_ns();
    int intr = probe_sched_run(s, now, now + o->within_ns, on_health, health_tick, r);
    probe_sched_free(s);
    if (!r->healthy) {
        fprintf(stderr, "probe: %s is not healthy before the fault%s: %s\n", o->urls[0],
                intr ? " (interrupted)" : "", r->last_error[0] ? r->last_error : "no answer");
        goto out;
    }
    if (!(s = probe_sched_new(o, 1, err, sizeof err))) {
        fprintf(stderr, "probe: %s\n", err);
        goto out;
    }
    int64_t t0 = http_now_ns();
    r->child = spawn(o->cmd);
    if (r->child < 0) {
        fprintf(stderr, "probe: cannot start %s: %s\n", o->cmd[0], strerror(errno));
        probe_sched_free(s);
        goto out;
    }
    intr = probe_sched_run(s, t0, t0 + o->within_ns, on_probe, recover_tick, r);
    int64_t elapsed = http_now_ns() - t0;
    probe_sched_free(s);
    probe_timeline_flush(&r->tl);
    finish_child(r);

    const probe_outages *a = &r->tl.outages;
    int observed = a->n > 0, recovered = observed && a->items[0].end_ns >= 0;
    double first_fail = observed ? (double)a->items[0].start_ns / 1e9 : 0;
    double rec_s = recovered ? (double)a->items[0].end_ns / 1e9 : 0;
    double down = recovered ? rec_s - first_fail : observed ? (double)elapsed / 1e9 - first_fail : 0;
    char within[32];
    duration_format(o->within_ns, within, sizeof within);
    FILE *text = o->json ? stderr : stdout;
    if (recovered)
        fprintf(text, "recovered in %.2f s (down %.2f s, %ld failed probes)\n", rec_s, down,
                r->tl.failed);
    else if (observed)
        fprintf(text, "not recovered within %s (down since %.2f s, %ld failed probes; last error: "
                      "%s)\n", within, first_fail, r->tl.failed, r->last_error);
    else
        fprintf(text, "no failure observed within %s (%ld probes, all ok)\n", within,
                r->tl.ok + r->tl.failed);
    if (r->child_status != 0)
        fprintf(stderr, "probe: the fault command %s exited with status %d\n", o->cmd[0],
                r->child_status);
    if (o->json)
        printf("{\"recovered\": %s, \"outage_observed\": %s, \"recovered_s\": %.3f, "
               "\"down_s\": %.3f, \"first_failure_s\": %.3f, \"failed_probes\": %ld, "
               "\"probes\": %ld, \"within_s\": %.3f, \"interval_s\": %.3f, "
               "\"command_status\": %d, \"interrupted\": %s}\n",
               recovered || !observed ? "true" : "false", observed ? "true" : "false", rec_s,
               down, first_fail, r->tl.failed, r->tl.ok + r->tl.failed,
               (double)o->within_ns / 1e9, (double)o->interval_ns / 1e9, r->child_status,
               intr ? "true" : "false");
    rc = (recovered || !observed) && !intr ? 0 : 1;
out:
    probe_timeline_free(&r->tl);
    free(r);
    return rc;
}
