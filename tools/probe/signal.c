/* signal: Ctrl-C and SIGTERM end watch/load/wait cleanly: a flag plus a self-pipe that
 * wakes curl_multi_poll (the only global mutable state of probe). */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "probe.h"

static volatile sig_atomic_t interrupted;
static int wake_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
    if (wake_pipe[1] >= 0) {
        ssize_t w = write(wake_pipe[1], "x", 1);
        (void)w;
    }
}

int probe_signals_install(void)
{
    if (wake_pipe[0] < 0) {
        if (pipe(wake_pipe) < 0)
            return -1;
        for (int i = 0; i < 2; i++) {
            fcntl(wake_pipe[i], F_SETFL, O_NONBLOCK);
            fcntl(wake_pipe[i], F_SETFD, FD_CLOEXEC);
        }
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    return wake_pipe[0];
}

int probe_interrupted(void)
{
    return interrupted;
}
