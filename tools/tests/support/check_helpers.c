/* check_helpers: runs a built tool as a child process and captures its output, so
 * suites test the real binary's exit codes and messages. */
#include "check_helpers.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

const char *fixture(const char *rel)
{
    static char path[4096];
    const char *base = getenv("TOOLS_FIXTURES");
    snprintf(path, sizeof path, "%s/%s", base ? base : "tools/tests/fixtures", rel);
    return path;
}

const char *repo_file(const char *name)
{
    static char path[4096];
    const char *fx = getenv("TOOLS_FIXTURES");
    const char *suffix = "/tools/tests/fixtures";
    size_t n = fx ? strlen(fx) : 0;
    if (fx && n > strlen(suffix) && !strcmp(fx + n - strlen(suffix), suffix))
        snprintf(path, sizeof path, "%.*s/%s", (int)(n - strlen(suffix)), fx, name);
    else
        snprintf(path, sizeof path, "%s", name);
    return path;
}

/* Appends what fd has to *buf (grown as needed); returns 0 at EOF, 1 if more may come. */
static int drain(int fd, char **buf, size_t *len, size_t *cap)
{
    char chunk[65536];
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n <= 0)
        return n < 0 && errno == EINTR;
    if (*len + (size_t)n + 1 > *cap) {
        *cap = (*len + (size_t)n + 1) * 2;
        *buf = realloc(*buf, *cap);
        if (!*buf)
            abort();
    }
    memcpy(*buf + *len, chunk, (size_t)n);
    *len += (size_t)n;
    (*buf)[*len] = '\0';
    return 1;
}

/* In the child, before exec: applies limits (see tool_limits). */
static void apply_limits(const tool_limits *l)
{
    if (!l)
        return;
    if (l->memory_mib) {
#ifdef __SANITIZE_ADDRESS__
        char opts[512];
        const char *old = getenv("ASAN_OPTIONS");
        snprintf(opts, sizeof opts, "%s%sallocator_may_return_null=1:max_allocation_size_mb=%zu",
                 old ? old : "", old && *old ? ":" : "", l->memory_mib);
        setenv("ASAN_OPTIONS", opts, 1);
#else
        struct rlimit r = {(rlim_t)l->memory_mib << 20, (rlim_t)l->memory_mib << 20};
        setrlimit(RLIMIT_AS, &r);
#endif
    }
    if (l->file_bytes) {
        struct rlimit r = {(rlim_t)l->file_bytes, (rlim_t)l->file_bytes};
        signal(SIGXFSZ, SIG_IGN);
        setrlimit(RLIMIT_FSIZE, &r);
    }
}

tool_run run_tool(const char *tool, const char *const *args, const char *stdin_text,
                  const char *const *env)
{
    return run_tool_limited(tool, args, stdin_text, env, NULL);
}

tool_run run_tool_limited(const char *tool, const char *const *args, const char *stdin_text,
                          const char *const *env, const tool_limits *limits)
{
    tool_run r = {-1, NULL, NULL};
    const char *bindir = getenv("TOOLS_BIN");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", bindir ? bindir : "build/bin", tool);
    int in[2], out[2], err[2];
    if (pipe(in) || pipe(out) || pipe(err))
        abort();
    pid_t pid = fork();
    if (pid < 0)
        abort();
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        close(in[0]); close(in[1]); close(out[0]); close(out[1]); close(err[0]); close(err[1]);
        for (const char *const *e = env; e && *e; e++)
            putenv((char *)*e);
        apply_limits(limits);
        size_t n = 0;
        while (args && args[n])
            n++;
        char **argv = calloc(n + 2, sizeof *argv);
        argv[0] = (char *)tool;
        for (size_t i = 0; i < n; i++)
            argv[i + 1] = (char *)args[i];
        execv(path, argv);
        fprintf(stderr, "cannot run %s: %s\n", path, strerror(errno));
        _exit(127);
    }
    close(in[0]); close(out[1]); close(err[1]);
    signal(SIGPIPE, SIG_IGN);
    if (stdin_text) {
        size_t len = strlen(stdin_text), off = 0;
        while (off < len) {
            ssize_t w = write(in[1], stdin_text + off, len - off);
            if (w <= 0)
                break;
            off += (size_t)w;
        }
    }
    close(in[1]);
    size_t olen = 0, ocap = 0, elen = 0, ecap = 0;
    r.out = calloc(1, 1);
    r.err = calloc(1, 1);
    int oopen = 1, eopen = 1;
    while (oopen || eopen) {
        struct pollfd p[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
        if (poll(p, 2, -1) < 0 && errno != EINTR)
            break;
        if (oopen && p[0].revents)
            oopen = drain(out[0], &r.out, &olen, &ocap);
        if (eopen && p[1].revents)
            eopen = drain(err[0], &r.err, &elen, &ecap);
    }
    close(out[0]); close(err[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return r;
}

void tool_run_free(tool_run *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

char *write_temp(const char *text, size_t len)
{
    char tmpl[] = "/tmp/toolstest-XXXXXX";
    int fd = mkstemp(tmpl);
    if (fd < 0)
        abort();
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w <= 0)
            abort();
        off += (size_t)w;
    }
    close(fd);
    return strdup(tmpl);
}

int run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(1 << 20);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    buf[n] = '\0';
    fclose(f);
    if (len)
        *len = n;
    return buf;
}

double number_after(const char *text, const char *label)
{
    const char *p = strstr(text, label);
    ck_assert_msg(p != NULL, "no '%s' in: %s", label, text);
    return atof(p + strlen(label));
}
