/* load: drives a URL with C connections, closed model (each connection sends its next
 * request when the previous answer arrives, like wrk/hey) or, with --rate, open model
 * with coordinated-omission correction (latency counted from the scheduled send time,
 * like wrk2). Worker threads each own a multi handle, connections and a histogram. */
#include <errno.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "probe.h"

#define STATUS_MAX 600

typedef struct load_worker load_worker;

/* A few connections sharing one multi handle. libcurl looks for a reusable connection by
 * walking its whole pool at every request (a host compare per pooled connection), so the
 * connections are spread over many small multi handles: with up to LOAD_GROUPS_MAX groups
 * per thread, a lookup usually sees one connection instead of all of them. */
typedef struct load_group {
    load_worker *w;
    CURLM *multi;
    int64_t timer_ns;       /* when libcurl wants CURL_SOCKET_TIMEOUT here, -1 none */
} load_group;

#define LOAD_GROUPS_MAX 64

struct load_worker {
    const probe_opts *o;
    int conns;
    long long quota;        /* requests to complete, 0 = no limit (duration) */
    double rate;            /* requests/s for this worker, 0 = closed model */
    int64_t start_ns, end_ns, phase_ns;
    int sigfd;
    int max_fd;             /* size of the per-fd tables (the open-file limit) */
    /* results */
    probe_hist hist;
    long long done, started;
    long long status[STATUS_MAX];
    long long errors[HTTP_ERR_COUNT];
    uint64_t bytes;
    char first_error[256];
    char setup_error[256];
    /* event loop */
    load_group *groups;
    int ngroups;
    int epfd;
    int64_t timer_min;      /* earliest group timer, -1 none */
    int timers_dirty;       /* a group timer moved: timer_min must be recomputed */
    http_xfer **idle;
    int nidle, busy;
    uint8_t *wanted, *registered, *dirty_mark; /* per fd: 1 in, 2 out */
    load_group **owner;     /* per fd: the group whose connection it is */
    int *dirty;
    int ndirty;
};

/* Records a finished request. */
static void account(load_worker *w, http_xfer *x, CURLcode rc, int64_t now)
{
    http_result res;
    http_xfer_result(x, rc, &res);
    w->done++;
    w->bytes += x->bytes;
    if (res.cls == HTTP_OK) {
        probe_hist_add(&w->hist, now - x->sched_ns);
        w->status[res.status > 0 && res.status < STATUS_MAX ? res.status : 0]++;
    } else {
        w->errors[res.cls]++;
        if (!w->first_error[0])
            snprintf(w->first_error, sizeof w->first_error, "%s: %s",
                     http_errclass_name(res.cls), res.message);
    }
}

/* Whether the worker may start another request at now. */
static int may_start(const load_worker *w, int64_t now)
{
    if (probe_interrupted())
        return 0;
    if (w->quota)
        return w->started < w->quota;
    return now < w->end_ns;
}

static void start(load_worker *w, http_xfer *x, int64_t sched, int64_t now)
{
    load_group *g = x->user;
    x->sched_ns = sched;
    x->start_ns = now;
    x->bytes = 0;
    w->started++;
    w->busy++;
    curl_multi_add_handle(g->multi, x->easy);
}

/* libcurl tells which sockets to watch. The wish is only noted here and applied to
 * epoll just before waiting, so the remove/re-add libcurl does around every reused
 * connection usually costs no system call at all. */
static int on_socket(CURL *e, curl_socket_t fd, int what, void *userp, void *socketp)
{
    (void)e, (void)socketp;
    load_group *g = userp;
    load_worker *w = g->w;
    if (fd < 0 || fd >= w->max_fd)
        return 0;
    uint8_t want = what == CURL_POLL_REMOVE ? 0
                   : (uint8_t)((what & CURL_POLL_IN ? 1 : 0) | (what & CURL_POLL_OUT ? 2 : 0));
    if (want)
        w->owner[fd] = g;
    if (!w->dirty_mark[fd] && want != w->registered[fd]) {
        w->dirty_mark[fd] = 1;
        w->dirty[w->ndirty++] = fd;
    }
    w->wanted[fd] = want;
    return 0;
}

/* A closed socket leaves epoll by itself: forget it, then close it. */
static int on_close(void *userp, curl_socket_t fd)
{
    load_worker *w = userp;
    if (fd >= 0 && fd < w->max_fd) {
        w->registered[fd] = w->wanted[fd] = 0;
        w->owner[fd] = NULL;
    }
    return close(fd);
}

/* Brings epoll in line with what libcurl last asked for. */
static void apply_sockets(load_worker *w)
{
    for (int i = 0; i < w->ndirty; i++) {
        int fd = w->dirty[i];
        w->dirty_mark[fd] = 0;
        uint8_t want = w->wanted[fd], have = w->registered[fd];
        if (want == have)
            continue;
        struct epoll_event ev = {0};
        ev.data.fd = fd;
        ev.events = (want & 1 ? EPOLLIN : 0u) | (want & 2 ? EPOLLOUT : 0u);
        if (!want)
            epoll_ctl(w->epfd, EPOLL_CTL_DEL, fd, NULL);
        else if (!have) {
            if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 && errno == EEXIST)
                epoll_ctl(w->epfd, EPOLL_CTL_MOD, fd, &ev);
        } else if (epoll_ctl(w->epfd, EPOLL_CTL_MOD, fd, &ev) < 0 && errno == ENOENT)
            epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev);
        w->registered[fd] = want;
    }
    w->ndirty = 0;
}

/* A group's single libcurl timer: when it wants CURL_SOCKET_TIMEOUT next (-1 none). */
static int on_timer(CURLM *m, long timeout_ms, void *userp)
{
    (void)m;
    load_group *g = userp;
    load_worker *w = g->w;
    /* 0 ms (a transfer wants to start) is "due now" without reading the clock */
    g->timer_ns = timeout_ms < 0 ? -1 : timeout_ms == 0 ? 0 : http_now_ns() + (int64_t)timeout_ms * 1000000;
    if (g->timer_ns >= 0 && (w->timer_min < 0 || g->timer_ns < w->timer_min))
        w->timer_min = g->timer_ns;
    else
        w->timers_dirty = 1;
    return 0;
}

static void timers_recompute(load_worker *w)
{
    int64_t min = -1;
    for (int i = 0; i < w->ngroups; i++)
        if (w->groups[i].timer_ns >= 0 && (min < 0 || w->groups[i].timer_ns < min))
            min = w->groups[i].timer_ns;
    w->timer_min = min;
    w->timers_dirty = 0;
}

/* Handles a group's finished requests; in the closed model each connection sends its
 * next one. */
static void harvest(load_worker *w, load_group *g, int closed)
{
    CURLMsg *msg;
    int left;
    int64_t now = -1;
    while ((msg = curl_multi_info_read(g->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        if (now < 0)
            now = http_now_ns();
        http_xfer *x;
        CURL *e = msg->easy_handle;
        CURLcode rc = msg->data.result;
        curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&x);
        curl_multi_remove_handle(g->multi, e);
        account(w, x, rc, now);
        w->busy--;
        if (closed && may_start(w, now))
            start(w, x, now, now);
        else
            w->idle[w->nidle++] = x;
    }
}

/* Runs every group timer that is due. */
static void run_timers(load_worker *w, int64_t now, int closed)
{
    int running;
    for (int i = 0; i < w->ngroups; i++) {
        load_group *g = &w->groups[i];
        if (g->timer_ns < 0 || g->timer_ns > now)
            continue;
        g->timer_ns = -1;
        curl_multi_socket_action(g->multi, CURL_SOCKET_TIMEOUT, 0, &running);
        harvest(w, g, closed);
    }
    timers_recompute(w);
}

/* Allocates the worker's tables and its groups of connections; 0, or -1 with setup_error. */
static int worker_setup(load_worker *w, http_xfer **all, int *nall)
{
    const probe_opts *o = w->o;
    size_t nfd = (size_t)w->max_fd;
    w->ngroups = w->conns < LOAD_GROUPS_MAX ? w->conns : LOAD_GROUPS_MAX;
    w->groups = calloc((size_t)w->ngroups, sizeof *w->groups);
    w->idle = calloc((size_t)w->conns, sizeof *w->idle);
    w->wanted = calloc(nfd, 3);
    w->dirty = calloc(nfd, sizeof *w->dirty);
    w->owner = calloc(nfd, sizeof *w->owner);
    if (w->epfd < 0 || !w->groups || !w->idle || !w->wanted || !w->dirty || !w->owner) {
        snprintf(w->setup_error, sizeof w->setup_error, "out of memory");
        return -1;
    }
    w->registered = w->wanted + nfd;
    w->dirty_mark = w->wanted + 2 * nfd;
    for (int i = 0; i < w->ngroups; i++) {
        load_group *g = &w->groups[i];
        long size = w->conns / w->ngroups + (i < w->conns % w->ngroups);
        g->w = w;
        g->timer_ns = -1;
        if (!(g->multi = curl_multi_init())) {
            snprintf(w->setup_error, sizeof w->setup_error, "out of memory");
            return -1;
        }
        curl_multi_setopt(g->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, size);
        curl_multi_setopt(g->multi, CURLMOPT_MAXCONNECTS, size);
        curl_multi_setopt(g->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
        curl_multi_setopt(g->multi, CURLMOPT_SOCKETDATA, g);
        curl_multi_setopt(g->multi, CURLMOPT_TIMERFUNCTION, on_timer);
        curl_multi_setopt(g->multi, CURLMOPT_TIMERDATA, g);
    }
    for (; *nall < w->conns; (*nall)++) {
        http_xfer *x = all[*nall] = http_xfer_new(&o->http, o->urls[0], w->setup_error,
                                                  sizeof w->setup_error);
        if (!x)
            return -1;
        x->user = &w->groups[*nall % w->ngroups];
        curl_easy_setopt(x->easy, CURLOPT_CLOSESOCKETFUNCTION, on_close);
        curl_easy_setopt(x->easy, CURLOPT_CLOSESOCKETDATA, w);
        w->idle[w->nidle++] = x;
    }
    return 0;
}

/* The worker's event loop (curl_multi_socket_action over epoll, so only sockets with
 * activity cost anything); returns when its quota or the duration is used up. */
static void *load_worker_run(void *arg)
{
    load_worker *w = arg;
    w->epfd = epoll_create1(EPOLL_CLOEXEC);
    w->timer_min = -1;
    http_xfer **all = calloc((size_t)w->conns, sizeof *all);
    int nall = 0, running = 0;
    if (!all) {
        snprintf(w->setup_error, sizeof w->setup_error, "out of memory");
        goto out;
    }
    if (worker_setup(w, all, &nall) < 0)
        goto out;
    if (w->sigfd >= 0) {
        struct epoll_event ev = {.events = EPOLLIN, .data.fd = w->sigfd};
        epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->sigfd, &ev);
    }
    int64_t gap = w->rate > 0 ? (int64_t)(1e9 / w->rate) : 0;
    int64_t next_sched = w->start_ns + w->phase_ns;
    long long slot = 0;
    struct epoll_event evs[64];
    for (;;) {
        int64_t now = http_now_ns();
        while (w->nidle && may_start(w, now) && (!gap || next_sched <= now)) {
            start(w, w->idle[--w->nidle], gap ? next_sched : now, now);
            if (gap)
                next_sched = w->start_ns + w->phase_ns + ++slot * gap;
        }
        if (!w->busy && !may_start(w, now))
            break;
        if ((!w->quota && now >= w->end_ns) || probe_interrupted())
            break; /* duration over: in-flight requests are not counted, like wrk */
        if (w->timers_dirty)
            timers_recompute(w);
        if (w->timer_min >= 0 && now >= w->timer_min) {
            run_timers(w, now, !gap);
            continue;
        }
        int64_t wake = w->quota ? now + 100 * DURATION_NS_PER_MS : w->end_ns;
        if (gap && w->nidle && next_sched < wake)
            wake = next_sched;
        if (w->timer_min >= 0 && w->timer_min < wake)
            wake = w->timer_min;
        int ms = wake > now ? (int)((wake - now + 999999) / 1000000) : 0;
        apply_sockets(w);
        int n = epoll_wait(w->epfd, evs, 64, ms > 100 ? 100 : ms);
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            load_group *g = fd >= 0 && fd < w->max_fd ? w->owner[fd] : NULL;
            if (fd == w->sigfd || !g)
                continue;
            int flags = (evs[i].events & EPOLLIN ? CURL_CSELECT_IN : 0) |
                        (evs[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
                        (evs[i].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
            curl_multi_socket_action(g->multi, fd, flags, &running);
            harvest(w, g, !gap);
        }
    }
    w->end_ns = http_now_ns();
out:
    for (int i = 0; i < nall; i++) {
        load_group *g = all[i]->user;
        if (g && g->multi)
            curl_multi_remove_handle(g->multi, all[i]->easy);
        http_xfer_free(all[i]);
    }
    for (int i = 0; w->groups && i < w->ngroups; i++)
        if (w->groups[i].multi)
            curl_multi_cleanup(w->groups[i].multi);
    free(all);
    free(w->groups);
    free(w->idle);
    if (w->epfd >= 0)
        close(w->epfd);
    free(w->wanted);
    free(w->dirty);
    free(w->owner);
    return NULL;
}

/* Prints the merged report as text or JSON. */
static void report(const probe_opts *o, const load_worker *t, double secs, int threads)
{
    const probe_hist *h = &t->hist;
    static const double qs[] = {0.5, 0.9, 0.99, 0.999, 1};
    static const char *const qn[] = {"p50", "p90", "p99", "p99.9", "max"};
    double rps = secs > 0 ? (double)t->done / secs : 0;
    long long errs = 0;
    for (int c = 1; c < HTTP_ERR_COUNT; c++)
        errs += t->errors[c];
    if (o->json) {
        printf("{\"url\": ");
        jsonw_string(stdout, o->urls[0]);
        printf(", \"connections\": %d, \"threads\": %d, \"model\": \"%s\", \"rate\": %.3f, "
               "\"duration_s\": %.3f, \"requests\": %lld, \"responses\": %llu, \"errors_total\": "
               "%lld, \"req_per_s\": %.1f, \"bytes\": %llu, \"latency_ms\": {",
               o->connections, threads, o->rate > 0 ? "open" : "closed", o->rate, secs, t->done,
               (unsigned long long)h->total, errs, rps, (unsigned long long)t->bytes);
        for (int i = 0; i < 5; i++)
            printf("%s\"%s\": %.3f", i ? ", " : "", qn[i], (double)probe_hist_quantile(h, qs[i]) / 1e6);
        printf("}, \"status\": {");
        for (int s = 0, n = 0; s < STATUS_MAX; s++)
            if (t->status[s])
                printf("%s\"%d\": %lld", n++ ? ", " : "", s, t->status[s]);
        printf("}, \"errors\": {");
        for (int c = 1; c < HTTP_ERR_COUNT; c++)
            printf("%s\"%s\": %lld", c > 1 ? ", " : "", http_errclass_name((http_errclass)c),
                   t->errors[c]);
        printf("}}\n");
        return;
    }
    printf("load %s: %d connections, %s model%s, %.2f s\n", o->urls[0], o->connections,
           o->rate > 0 ? "open" : "closed", o->rate > 0 ? " (latency from scheduled send)" : "",
           secs);
    printf("requests: %lld, %.1f req/s, %lld errors\n", t->done, rps, errs);
    printf("latency:");
    for (int i = 0; i < 5; i++)
        printf("%s %s %.3f ms", i ? "," : "", qn[i], (double)probe_hist_quantile(h, qs[i]) / 1e6);
    printf("\nstatus:");
    int any = 0;
    for (int s = 0; s < STATUS_MAX; s++)
        if (t->status[s])
            printf("%s %d: %lld", any++ ? "," : "", s, t->status[s]);
    printf("%s\nerrors: connect %lld, timeout %lld, read %lld, write %lld", any ? "" : " none",
           t->errors[HTTP_ERR_CONNECT], t->errors[HTTP_ERR_TIMEOUT], t->errors[HTTP_ERR_READ],
           t->errors[HTTP_ERR_WRITE]);
    for (int c = 1; c < HTTP_ERR_COUNT; c++)
        if (c != HTTP_ERR_CONNECT && c != HTTP_ERR_TIMEOUT && c != HTTP_ERR_READ &&
            c != HTTP_ERR_WRITE && t->errors[c])
            printf(", %s %lld", http_errclass_name((http_errclass)c), t->errors[c]);
    printf("\n");
}

/* Raises the soft open-file limit to need when the hard one allows; returns the size the
 * per-descriptor tables must have, or minus the limit when need does not fit. */
static int fd_limit(rlim_t need)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return 1024;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
        rlim_t want = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need ? need : rl.rlim_max;
        if (want > rl.rlim_cur) {
            rl.rlim_cur = want;
            setrlimit(RLIMIT_NOFILE, &rl);
            getrlimit(RLIMIT_NOFILE, &rl);
        }
    }
    rlim_t cap = (rlim_t)1 << 22; /* descriptors are numbered from 0: they stay below the limit */
    rlim_t have = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > cap ? cap : rl.rlim_cur;
    if (have < need)
        return -(int)have;
    return (int)have;
}

int probe_load_run(const probe_opts *o)
{
    int threads = o->threads > 0 ? o->threads : 2;
    if (threads > o->connections)
        threads = o->connections;
    load_worker *w = calloc((size_t)threads + 1, sizeof *w);
    pthread_t *tid = calloc((size_t)threads, sizeof *tid);
    if (!w || !tid) {
        fprintf(stderr, "probe: out of memory\n");
        free(w);
        free(tid);
        return 1;
    }
    /* a socket per connection, two wake-up descriptors per multi handle, a few more */
    long long groups = 0;
    for (int i = 0; i < threads; i++) {
        long long c = o->connections / threads + (i < o->connections % threads);
        groups += c < LOAD_GROUPS_MAX ? c : LOAD_GROUPS_MAX;
    }
    int max_fd = fd_limit((rlim_t)(o->connections + 2 * groups + 64));
    if (max_fd < 0) {
        fprintf(stderr, "probe: load: %d connections need about %lld open files, more than the "
                "limit allows (ulimit -n %lld)\n", o->connections, o->connections + 2 * groups + 64,
                (long long)-max_fd);
        free(w);
        free(tid);
        return 2;
    }
    int sigfd = probe_signals_install();
    int64_t start = http_now_ns();
    for (int i = 0; i < threads; i++) {
        w[i].o = o;
        w[i].sigfd = sigfd;
        w[i].max_fd = max_fd;
        w[i].conns = o->connections / threads + (i < o->connections % threads);
        w[i].quota = o->requests ? o->requests / threads + (i < o->requests % threads) : 0;
        w[i].rate = o->rate / threads;
        w[i].start_ns = start;
        w[i].end_ns = o->requests ? 0 : start + o->duration_ns;
        w[i].phase_ns = o->rate > 0 ? (int64_t)(1e9 * i / o->rate) : 0;
        probe_hist_init(&w[i].hist);
    }
    int started = 0;
    for (; started < threads; started++)
        if (pthread_create(&tid[started], NULL, load_worker_run, &w[started]))
            break;
    for (int i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
    int64_t end = http_now_ns();
    load_worker *t = &w[threads];
    probe_hist_init(&t->hist);
    int rc = 0;
    for (int i = 0; i < threads; i++) {
        if (w[i].setup_error[0] || i >= started) {
            fprintf(stderr, "probe: load: %s\n", i >= started ? "cannot start a thread" : w[i].setup_error);
            rc = 1;
        }
        probe_hist_merge(&t->hist, &w[i].hist);
        t->done += w[i].done;
        t->bytes += w[i].bytes;
        for (int s = 0; s < STATUS_MAX; s++)
            t->status[s] += w[i].status[s];
        for (int c = 0; c < HTTP_ERR_COUNT; c++)
            t->errors[c] += w[i].errors[c];
        if (!t->first_error[0])
            memcpy(t->first_error, w[i].first_error, sizeof t->first_error);
    }
    report(o, t, (double)(end - start) / 1e9, threads);
    if (!t->hist.total) {
        fprintf(stderr, "probe: load: no response at all%s%s\n", t->first_error[0] ? "; first error: " : "",
                t->first_error);
        rc = 1;
    }
    free(w);
    free(tid);
    return rc;
}
