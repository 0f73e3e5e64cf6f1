/* wait: probes every URL until each passes N times in a row, showing progress (live
 * lines on a terminal, a line per state change otherwise). */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "probe.h"

typedef struct url_state {
    long attempts;
    int streak;          /* successes in a row */
    int ready;
    int last_ok;         /* -1 before the first answer */
    int last_cls;        /* error class and status of the last failure */
    long last_status;
    int64_t ready_ns;
    char last_error[512];
} url_state;

typedef struct wait_state {
    const probe_opts *o;
    url_state *u;
    int64_t start_ns, last_draw_ns;
    int tty, drawn;
    size_t nready;
} wait_state;

/* Writes one URL's status line (without newline) to stderr; on a terminal it is cut
 * to the width so that redrawing in place never meets a wrapped line. */
static void print_line(const wait_state *w, size_t i, int64_t now)
{
    const url_state *u = &w->u[i];
    double el = (double)((u->ready ? u->ready_ns : now) - w->start_ns) / 1e9;
    const char *state = u->ready ? "ready" : u->last_ok < 0 ? "waiting" : u->last_ok ? "passing"
                                                                                    : "failing";
    char line[1024];
    int n = snprintf(line, sizeof line, "%-7s %s  attempts %ld  %.1f s", state, w->o->urls[i],
                     u->attempts, el);
    if (!u->ready && u->last_ok == 1 && n < (int)sizeof line)
        n += snprintf(line + n, sizeof line - (size_t)n, "  (%d/%d in a row)", u->streak,
                      w->o->success_threshold);
    if (!u->ready && u->last_ok == 0 && n < (int)sizeof line)
        snprintf(line + n, sizeof line - (size_t)n, "  last error: %.300s", u->last_error);
    struct winsize ws;
    if (w->tty && ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 && ws.ws_col < sizeof line)
        line[ws.ws_col - 1] = '\0';
    fputs(line, stderr);
}

/* Redraws every line in place (terminal only). */
static void redraw(wait_state *w, int64_t now)
{
    if (w->drawn)
        fprintf(stderr, "\033[%zuA", w->o->nurls);
    for (size_t i = 0; i < w->o->nurls; i++) {
        fputs("\r\033[2K", stderr);
        print_line(w, i, now);
        fputc('\n', stderr);
    }
    w->drawn = 1;
    w->last_draw_ns = now;
    fflush(stderr);
}

static void on_result(void *user, size_t i, long seq, const probe_record *rec,
                      const http_result *res, const char *why, const char *body, size_t len)
{
    (void)seq, (void)body, (void)len;
    wait_state *w = user;
    url_state *u = &w->u[i];
    if (u->ready)
        return;
    int64_t now = http_now_ns();
    int changed = u->last_ok != rec->ok ||
                  (!rec->ok && (u->last_cls != rec->cls || u->last_status != res->status));
    u->last_cls = rec->cls;
    u->last_status = res->status;
    u->attempts++;
    u->last_ok = rec->ok;
    u->streak = rec->ok ? u->streak + 1 : 0;
    if (!rec->ok)
        snprintf(u->last_error, sizeof u->last_error, "%s", why);
    if (u->streak >= w->o->success_threshold) {
        u->ready = 1;
        u->ready_ns = now;
        w->nready++;
        changed = 1;
    }
    if (!w->tty && changed) {
        print_line(w, i, now);
        fputc('\n', stderr);
    }
}

static int wait_tick(void *user, int64_t now)
{
    wait_state *w = user;
    if (w->tty && now - w->last_draw_ns >= 100 * DURATION_NS_PER_MS)
        redraw(w, now);
    return w->nready == w->o->nurls;
}

int probe_wait_run(const probe_opts *o)
{
    char err[256];
    wait_state w = {.o = o};
    w.tty = o->tty < 0 ? isatty(2) : o->tty;
    w.u = calloc(o->nurls, sizeof *w.u);
    probe_sched *s = w.u ? probe_sched_new(o, 0, err, sizeof err) : NULL;
    if (!s) {
        fprintf(stderr, "probe: %s\n", w.u ? err : "out of memory");
        free(w.u);
        return 1;
    }
    for (size_t i = 0; i < o->nurls; i++)
        w.u[i].last_ok = -1;
    w.start_ns = http_now_ns();
    int intr = probe_sched_run(s, w.start_ns, w.start_ns + o->deadline_ns, on_result, wait_tick, &w);
    probe_sched_free(s);
    int64_t now = http_now_ns();
    if (w.tty)
        redraw(&w, now);
    int rc = 0;
    for (size_t i = 0; i < o->nurls; i++) {
        url_state *u = &w.u[i];
        if (u->ready) {
            printf("ready at %s after %.1f s\n", o->urls[i], (double)(u->ready_ns - w.start_ns) / 1e9);
            continue;
        }
        rc = 1;
        char d[32];
        duration_format(o->deadline_ns, d, sizeof d);
        fprintf(stderr, "probe: %s not ready after %s (%ld attempts): %s\n", o->urls[i],
                intr ? "an interrupt" : d, u->attempts,
                u->last_ok < 0 ? "no answer yet"
                : u->last_ok   ? "passing, but not enough times in a row"
                               : u->last_error);
    }
    free(w.u);
    return rc;
}
