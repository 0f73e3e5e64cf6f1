/* testserver: the controllable HTTP server the probe suites run against. The server is a
 * forked child with a single-threaded poll loop; the test talks to it over two pipes. */
#include "testserver.h"
#include "check_helpers.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 1024
#define INBUF 65536

struct testserver {
    pid_t pid;
    int port;
    int cmd_fd, reply_fd;
};

/* ---------------- child side ---------------- */

typedef struct conn {
    int fd;
    char in[INBUF];
    size_t inlen;
    int state;              /* 0 reading, 1 delaying, 2 writing, 3 hanging */
    int64_t respond_at;
    char *out;
    size_t outlen, outoff;
    long long huge_left;
    int close_after;
    char method[16], path[256], auth[256];
    char *body;             /* request body copy (for echo) */
    size_t bodylen;
    int action;             /* what to answer: 'o', 'f', 'c' or 0 for the mode */
} conn;

typedef struct server {
    int port, listen_fd, accepting;
    int64_t up_at;          /* > 0 while an outage is scheduled to end */
    int64_t down_at, down_len; /* a scheduled outage (outage-at) */
    int64_t usr1_outage_ms;
    int status, delay_ms, mode; /* mode: 0 normal, 'e' echo, 'c' close, 'h' hang, 'H' huge, 'g' garbage */
    long long huge;
    char body[4096];
    char pattern[256];
    size_t pattern_pos;
    long long served;
    conn *conns[MAX_CONNS];
    int sig_pipe[2];
} server;

static int usr1_fd = -1;

static void on_usr1(int sig)
{
    (void)sig;
    if (usr1_fd >= 0) {
        ssize_t w = write(usr1_fd, "u", 1);
        (void)w;
    }
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int listen_on(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 512) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void conn_close(server *sv, int i)
{
    conn *c = sv->conns[i];
    close(c->fd);
    free(c->out);
    free(c->body);
    free(c);
    sv->conns[i] = NULL;
}

static void go_down(server *sv)
{
    if (sv->listen_fd >= 0)
        close(sv->listen_fd);
    sv->listen_fd = -1;
    for (int i = 0; i < MAX_CONNS; i++)
        if (sv->conns[i]) {
            struct linger l = {1, 0}; /* reset, like a killed process */
            setsockopt(sv->conns[i]->fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
            conn_close(sv, i);
        }
}

static void go_up(server *sv)
{
    if (sv->listen_fd < 0) {
        for (int tries = 0; tries < 100 && (sv->listen_fd = listen_on(sv->port)) < 0; tries++)
            usleep(10000);
    }
    sv->up_at = 0;
}

static void reset(server *sv)
{
    sv->status = 200;
    sv->delay_ms = 0;
    sv->mode = 0;
    sv->huge = 0;
    sv->accepting = 1;
    sv->pattern[0] = '\0';
    sv->pattern_pos = 0;
    snprintf(sv->body, sizeof sv->body, "{\"status\": \"ok\", \"id\": 7}");
}

/* Applies one control command; writes the reply line. */
static void control(server *sv, char *line, int reply_fd)
{
    char reply[64] = "ok\n";
    char *arg = strchr(line, ' ');
    if (arg)
        *arg++ = '\0';
    long long n = arg ? atoll(arg) : 0;
    if (!strcmp(line, "status"))
        sv->status = (int)n;
    else if (!strcmp(line, "body"))
        snprintf(sv->body, sizeof sv->body, "%s", arg ? arg : "");
    else if (!strcmp(line, "echo"))
        sv->mode = 'e';
    else if (!strcmp(line, "delay"))
        sv->delay_ms = (int)n;
    else if (!strcmp(line, "pattern")) {
        snprintf(sv->pattern, sizeof sv->pattern, "%s", arg ? arg : "");
        sv->pattern_pos = 0;
    } else if (!strcmp(line, "close"))
        sv->mode = 'c';
    else if (!strcmp(line, "hang"))
        sv->mode = 'h';
    else if (!strcmp(line, "huge"))
        sv->mode = 'H', sv->huge = n;
    else if (!strcmp(line, "garbage"))
        sv->mode = 'g';
    else if (!strcmp(line, "noaccept"))
        sv->accepting = 0;
    else if (!strcmp(line, "down"))
        go_down(sv);
    else if (!strcmp(line, "up"))
        go_up(sv);
    else if (!strcmp(line, "outage")) {
        go_down(sv);
        sv->up_at = now_ms() + n;
    } else if (!strcmp(line, "outage-at")) {
        long long len = 0;
        if (arg)
            sscanf(arg, "%lld %lld", &n, &len);
        sv->down_at = now_ms() + n;
        sv->down_len = len;
    } else if (!strcmp(line, "outage-on-usr1"))
        sv->usr1_outage_ms = n;
    else if (!strcmp(line, "count"))
        snprintf(reply, sizeof reply, "%lld\n", sv->served);
    else if (!strcmp(line, "reset"))
        reset(sv);
    else
        snprintf(reply, sizeof reply, "unknown command\n");
    ssize_t w = write(reply_fd, reply, strlen(reply));
    (void)w;
}

static int header_value(const char *hdrs, const char *name, char *out, size_t outlen)
{
    size_t nl = strlen(name);
    for (const char *p = hdrs; p && *p; p = strstr(p, "\r\n"), p = p ? p + 2 : NULL) {
        if (!strncasecmp(p, name, nl) && p[nl] == ':') {
            const char *v = p + nl + 1;
            while (*v == ' ')
                v++;
            const char *e = strstr(v, "\r\n");
            size_t len = e ? (size_t)(e - v) : strlen(v);
            snprintf(out, outlen, "%.*s", (int)len, v);
            return 1;
        }
    }
    return 0;
}

/* Builds the response for a complete request, following the mode or the pattern. */
static void respond(server *sv, conn *c)
{
    int mode = sv->mode;
    int status = sv->status;
    if (c->action == 'f')
        status = 500;
    else if (c->action == 'c')
        mode = 'c';
    else if (c->action == 'o')
        status = 200, mode = mode == 'e' ? 'e' : 0;
    if (mode == 'c') {
        c->state = -1;
        return;
    }
    char body[8192], esc[4100];
    const char *b = sv->body;
    if (mode == 'e') {
        size_t j = 0;
        for (size_t i = 0; c->body && i < c->bodylen && j + 3 < sizeof esc; i++) {
            if (c->body[i] == '"' || c->body[i] == '\\')
                esc[j++] = '\\';
            esc[j++] = c->body[i];
        }
        esc[j] = '\0';
        snprintf(body, sizeof body,
                 "{\"method\": \"%s\", \"path\": \"%s\", \"authorization\": \"%s\", \"body\": \"%s\"}",
                 c->method, c->path, c->auth, esc);
        b = body;
    }
    char *out = NULL;
    int len;
    if (mode == 'g') {
        len = asprintf(&out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                             "Content-Type: text/plain\r\n\r\nzz-not-hex\r\nhello\r\n0\r\n\r\n");
        c->close_after = 1;
    } else if (mode == 'H') {
        len = asprintf(&out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                             "Content-Length: %lld\r\n\r\n", sv->huge);
        c->huge_left = sv->huge;
    } else
        len = asprintf(&out, "HTTP/1.1 %d Status\r\nContent-Type: application/json\r\n"
                             "Content-Length: %zu\r\n\r\n%s", status, strlen(b), b);
    if (len < 0)
        abort();
    c->out = out;
    c->outlen = (size_t)len;
    c->outoff = 0;
    c->state = 2;
}

/* Looks for a complete request in c->in; returns its length or 0. */
static size_t parse_request(conn *c)
{
    c->in[c->inlen < INBUF ? c->inlen : INBUF - 1] = '\0';
    char *end = strstr(c->in, "\r\n\r\n");
    if (!end)
        return 0;
    size_t hdr = (size_t)(end - c->in) + 4;
    char cl[32] = "0";
    header_value(c->in, "Content-Length", cl, sizeof cl);
    size_t blen = (size_t)atoll(cl);
    if (hdr + blen > c->inlen)
        return 0;
    sscanf(c->in, "%15s %255s", c->method, c->path);
    c->auth[0] = '\0';
    header_value(c->in, "Authorization", c->auth, sizeof c->auth);
    free(c->body);
    c->body = strndup(c->in + hdr, blen);
    c->bodylen = blen;
    return hdr + blen;
}

/* Advances one connection after poll said it is ready (or a timer passed). */
static void service(server *sv, int i, short revents)
{
    conn *c = sv->conns[i];
    if (revents & (POLLIN | POLLHUP | POLLERR)) {
        if (c->state == 0 || c->state == 3 || c->state == 1) {
            ssize_t n = read(c->fd, c->in + c->inlen, INBUF - 1 - c->inlen);
            if (n <= 0) {
                if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
                    conn_close(sv, i);
                    return;
                }
            } else
                c->inlen += (size_t)n;
        }
    }
    if (c->state == 0 && c->inlen && (c->in[0] < 'A' || c->in[0] > 'Z')) {
        /* not HTTP (a TLS handshake, say): answer like a plain server does */
        static const char no[] = "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n";
        ssize_t w = send(c->fd, no, sizeof no - 1, MSG_NOSIGNAL);
        (void)w;
        conn_close(sv, i);
        return;
    }
    if (c->state == 0) {
        size_t used = parse_request(c);
        if (used) {
            memmove(c->in, c->in + used, c->inlen - used);
            c->inlen -= used;
            sv->served++;
            c->action = 0;
            if (sv->pattern[0]) {
                size_t pl = strlen(sv->pattern);
                c->action = sv->pattern[sv->pattern_pos < pl ? sv->pattern_pos : pl - 1];
                sv->pattern_pos++;
            }
            if (sv->mode == 'h' && !c->action) {
                c->state = 3;
                return;
            }
            c->state = 1;
            c->respond_at = now_ms() + sv->delay_ms;
        }
    }
    if (c->state == 1 && now_ms() >= c->respond_at) {
        respond(sv, c);
        if (c->state < 0) {
            conn_close(sv, i);
            return;
        }
    }
    if (c->state == 2) {
        while (c->outoff < c->outlen) {
            ssize_t w = send(c->fd, c->out + c->outoff, c->outlen - c->outoff, MSG_NOSIGNAL);
            if (w < 0) {
                if (errno == EAGAIN)
                    return;
                conn_close(sv, i);
                return;
            }
            c->outoff += (size_t)w;
        }
        static char xs[65536];
        if (!xs[0])
            memset(xs, 'x', sizeof xs);
        while (c->huge_left > 0) {
            size_t n = c->huge_left < (long long)sizeof xs ? (size_t)c->huge_left : sizeof xs;
            ssize_t w = send(c->fd, xs, n, MSG_NOSIGNAL);
            if (w < 0) {
                if (errno == EAGAIN)
                    return;
                conn_close(sv, i);
                return;
            }
            c->huge_left -= w;
        }
        free(c->out);
        c->out = NULL;
        if (c->close_after) {
            conn_close(sv, i);
            return;
        }
        c->state = 0;
        if (c->inlen)
            service(sv, i, 0); /* a pipelined request is waiting */
    }
}

static void serve(server *sv, int cmd_fd, int reply_fd)
{
    char line[8192];
    size_t linelen = 0;
    static struct pollfd p[MAX_CONNS + 3];
    static int idx[MAX_CONNS + 3];
    for (;;) {
        int n = 0;
        p[n++] = (struct pollfd){cmd_fd, POLLIN, 0};
        p[n++] = (struct pollfd){sv->sig_pipe[0], POLLIN, 0};
        int lis = -1;
        if (sv->listen_fd >= 0 && sv->accepting) {
            lis = n;
            p[n++] = (struct pollfd){sv->listen_fd, POLLIN, 0};
        }
        int64_t wake = -1, now = now_ms();
        for (int i = 0; i < MAX_CONNS; i++) {
            conn *c = sv->conns[i];
            if (!c)
                continue;
            short ev = c->state == 2 ? POLLOUT : POLLIN;
            if (c->state == 1 && (wake < 0 || c->respond_at < wake))
                wake = c->respond_at;
            idx[n] = i;
            p[n++] = (struct pollfd){c->fd, ev, 0};
        }
        if (sv->up_at && (wake < 0 || sv->up_at < wake))
            wake = sv->up_at;
        if (sv->down_at && (wake < 0 || sv->down_at < wake))
            wake = sv->down_at;
        int timeout = wake < 0 ? -1 : (int)(wake > now ? wake - now : 0);
        if (poll(p, (nfds_t)n, timeout) < 0 && errno != EINTR)
            _exit(1);
        if (sv->up_at && now_ms() >= sv->up_at)
            go_up(sv);
        if (sv->down_at && now_ms() >= sv->down_at) {
            go_down(sv);
            sv->up_at = sv->down_at + sv->down_len;
            sv->down_at = 0;
        }
        if (p[0].revents) {
            ssize_t r = read(cmd_fd, line + linelen, sizeof line - 1 - linelen);
            if (r <= 0)
                _exit(0); /* the test is gone */
            linelen += (size_t)r;
            char *nl;
            while ((nl = memchr(line, '\n', linelen))) {
                *nl = '\0';
                control(sv, line, reply_fd);
                size_t used = (size_t)(nl - line) + 1;
                memmove(line, line + used, linelen - used);
                linelen -= used;
            }
        }
        if (p[1].revents) {
            char buf[16];
            if (read(sv->sig_pipe[0], buf, sizeof buf) > 0 && sv->usr1_outage_ms > 0) {
                go_down(sv);
                sv->up_at = now_ms() + sv->usr1_outage_ms;
            }
        }
        for (int k = 2; k < n; k++) {
            if (k == lis) {
                if (!p[k].revents || sv->listen_fd < 0)
                    continue;
                int fd;
                while ((fd = accept4(sv->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
                    int slot = 0;
                    while (slot < MAX_CONNS && sv->conns[slot])
                        slot++;
                    conn *c = slot < MAX_CONNS ? calloc(1, sizeof *c) : NULL;
                    if (!c) {
                        close(fd);
                        continue;
                    }
                    int one = 1;
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    c->fd = fd;
                    sv->conns[slot] = c;
                }
                continue;
            }
            if (sv->conns[idx[k]] && sv->conns[idx[k]]->fd == p[k].fd)
                service(sv, idx[k], p[k].revents);
        }
        /* timers: delayed answers that are due */
        now = now_ms();
        for (int i = 0; i < MAX_CONNS; i++)
            if (sv->conns[i] && sv->conns[i]->state == 1 && sv->conns[i]->respond_at <= now)
                service(sv, i, 0);
    }
}

/* ---------------- parent side ---------------- */

int testserver_free_port(void)
{
    int fd = listen_on(0);
    if (fd < 0)
        abort();
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &len);
    close(fd);
    return ntohs(a.sin_port);
}

testserver *testserver_start(void)
{
    testserver *s = calloc(1, sizeof *s);
    int cmd[2], reply[2];
    int lfd = listen_on(0);
    if (!s || lfd < 0 || pipe2(cmd, O_CLOEXEC) || pipe2(reply, O_CLOEXEC))
        abort();
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    getsockname(lfd, (struct sockaddr *)&a, &len);
    s->port = ntohs(a.sin_port);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        abort();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        signal(SIGPIPE, SIG_IGN);
        close(cmd[1]);
        close(reply[0]);
        static server sv;
        sv.port = s->port;
        sv.listen_fd = lfd;
        reset(&sv);
        if (pipe2(sv.sig_pipe, O_CLOEXEC | O_NONBLOCK))
            _exit(1);
        usr1_fd = sv.sig_pipe[1];
        struct sigaction sa = {0};
        sa.sa_handler = on_usr1;
        sigaction(SIGUSR1, &sa, NULL);
        serve(&sv, cmd[0], reply[1]);
        _exit(0);
    }
    close(lfd);
    close(cmd[0]);
    close(reply[1]);
    s->pid = pid;
    s->cmd_fd = cmd[1];
    s->reply_fd = reply[0];
    testserver_cmd(s, "count"); /* returns once the child serves */
    return s;
}

const char *testserver_cmd(testserver *s, const char *fmt, ...)
{
    static char reply[128];
    char line[8192];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    line[n++] = '\n';
    if (write(s->cmd_fd, line, (size_t)n) != n)
        abort();
    size_t got = 0;
    while (got < sizeof reply - 1) {
        ssize_t r = read(s->reply_fd, reply + got, 1);
        if (r <= 0)
            abort();
        if (reply[got] == '\n')
            break;
        got++;
    }
    reply[got] = '\0';
    return reply;
}

int testserver_port(const testserver *s)
{
    return s->port;
}

pid_t testserver_pid(const testserver *s)
{
    return s->pid;
}

const char *testserver_url(const testserver *s, const char *path)
{
    static char url[512];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", s->port, path);
    return url;
}

void testserver_stop(testserver *s)
{
    if (!s)
        return;
    kill(s->pid, SIGKILL);
    while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR) {}
    close(s->cmd_fd);
    close(s->reply_fd);
    free(s);
}

/* Appends what fd has to a growing NUL-terminated buffer; 0 at EOF. */
static int slurp_fd(int fd, char **buf, size_t *len)
{
    char chunk[65536];
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR)
        return 1;
    if (n <= 0)
        return 0;
    char *b = realloc(*buf, *len + (size_t)n + 1);
    if (!b)
        abort();
    memcpy(b + *len, chunk, (size_t)n);
    *len += (size_t)n;
    b[*len] = '\0';
    *buf = b;
    return 1;
}

void run_tool_interrupted(struct tool_run *r, const char *tool, const char *const *args,
                          int after_ms)
{
    char path[4096];
    const char *bindir = getenv("TOOLS_BIN");
    snprintf(path, sizeof path, "%s/%s", bindir ? bindir : "build/bin", tool);
    int out[2], err[2];
    if (pipe(out) || pipe(err))
        abort();
    size_t n = 0;
    while (args[n])
        n++;
    char **argv = calloc(n + 2, sizeof *argv);
    argv[0] = (char *)tool;
    for (size_t i = 0; i < n; i++)
        argv[i + 1] = (char *)args[i];
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(out[1], 1);
        dup2(err[1], 2);
        close(out[0]); close(out[1]); close(err[0]); close(err[1]);
        execv(path, argv);
        _exit(127);
    }
    free(argv);
    close(out[1]);
    close(err[1]);
    r->out = calloc(1, 1);
    r->err = calloc(1, 1);
    size_t olen = 0, elen = 0;
    int oopen = 1, eopen = 1, sent = 0;
    int64_t deadline = now_ms() + after_ms;
    while (oopen || eopen) {
        struct pollfd p[2] = {{oopen ? out[0] : -1, POLLIN, 0}, {eopen ? err[0] : -1, POLLIN, 0}};
        int64_t left = sent ? -1 : deadline - now_ms();
        int rc = poll(p, 2, sent ? -1 : (int)(left > 0 ? left : 0));
        if (rc < 0 && errno != EINTR)
            break;
        if (!sent && now_ms() >= deadline) {
            kill(pid, SIGINT);
            sent = 1;
        }
        if (oopen && p[0].revents)
            oopen = slurp_fd(out[0], &r->out, &olen);
        if (eopen && p[1].revents)
            eopen = slurp_fd(err[0], &r->err, &elen);
    }
    close(out[0]);
    close(err[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    r->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

testserver *test_srv;

void testserver_fixture_start(void)
{
    test_srv = testserver_start();
}

void testserver_fixture_stop(void)
{
    testserver_stop(test_srv);
    test_srv = NULL;
}
