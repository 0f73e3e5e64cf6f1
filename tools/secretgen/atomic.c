/* atomic: replace a file so a reader (or a crash) sees the old or the new content, never
 * a mix: temporary file in the same directory, fsync, rename, fsync of the directory.
 * The temporary file holds new secrets, so it is private (mode 0600 from its creation),
 * named so .gitignore ignores it (.secretgen-*), and removed when the process is told to
 * stop (SIGINT, SIGTERM, SIGHUP); only SIGKILL or a power cut can leave one behind. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secretgen.h"

#define TEMP_PREFIX ".secretgen-"

/* The temporary file a signal handler must remove, and the actions it replaced: the one
 * piece of global state in the tools besides options, because a handler can reach
 * nothing else. One replacement runs at a time. */
static const int cleanup_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define NSIGNALS (sizeof cleanup_signals / sizeof cleanup_signals[0])
static struct {
    char path[PATH_MAX];
    volatile sig_atomic_t armed;
    struct sigaction saved[NSIGNALS];
} cleanup;

/* Removes the temporary file, then dies of the signal as if it had not been caught. */
static void remove_temp_and_die(int sig)
{
    if (cleanup.armed)
        unlink(cleanup.path);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(sig, &dfl, NULL);
    raise(sig); /* blocked until the handler returns, then fatal */
}

static void block_signals(sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < NSIGNALS; i++)
        sigaddset(&set, cleanup_signals[i]);
    sigprocmask(SIG_BLOCK, &set, old);
}

/* Arms the handlers for path (signals ignored before, as under nohup, stay ignored). */
static void arm_cleanup(const char *path)
{
    snprintf(cleanup.path, sizeof cleanup.path, "%s", path);
    cleanup.armed = 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = remove_temp_and_die;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < NSIGNALS; i++) {
        sigaction(cleanup_signals[i], NULL, &cleanup.saved[i]);
        if (cleanup.saved[i].sa_handler != SIG_IGN)
            sigaction(cleanup_signals[i], &sa, NULL);
    }
}

/* Puts the previous actions back; a signal that came meanwhile is handled by them. */
static void disarm_cleanup(void)
{
    sigset_t old;
    block_signals(&old);
    cleanup.armed = 0;
    for (size_t i = 0; i < NSIGNALS; i++)
        sigaction(cleanup_signals[i], &cleanup.saved[i], NULL);
    sigprocmask(SIG_SETMASK, &old, NULL);
}

static void atomic_free(secretgen_atomic *a)
{
    if (a->fd >= 0)
        close(a->fd);
    free(a->dest);
    free(a->dir);
    free(a->tmp);
    a->dest = a->dir = a->tmp = NULL;
    a->fd = -1;
}

int secretgen_atomic_begin(secretgen_atomic *a, const char *path, mode_t mode, char *err,
                           size_t errlen)
{
    memset(a, 0, sizeof *a);
    a->fd = -1;
    /* write through a symlink to its target, as an editor would */
    char target[PATH_MAX];
    a->dest = strdup(realpath(path, target) ? target : path);
    char *copy = a->dest ? strdup(a->dest) : NULL;
    a->dir = copy ? strdup(dirname(copy)) : NULL;
    free(copy);
    if (!a->dir || asprintf(&a->tmp, "%s/" TEMP_PREFIX "XXXXXX", a->dir) < 0) {
        a->tmp = NULL;
        snprintf(err, errlen, "out of memory");
        atomic_free(a);
        return -1;
    }
    if (strlen(a->tmp) >= sizeof cleanup.path) {
        snprintf(err, errlen, "the directory name %.200s... is too long", a->dir);
        atomic_free(a);
        return -1;
    }
    struct stat old;
    int replacing = stat(a->dest, &old) == 0;
    sigset_t mask;
    block_signals(&mask); /* no signal between the file's creation and its handler */
    a->fd = mkstemp(a->tmp);
    int saved_errno = errno;
    if (a->fd >= 0)
        arm_cleanup(a->tmp);
    sigprocmask(SIG_SETMASK, &mask, NULL);
    if (a->fd < 0) {
        snprintf(err, errlen, "cannot create a temporary file in %s: %s", a->dir,
                 strerror(saved_errno));
        free(a->tmp);
        a->tmp = NULL;
        atomic_free(a);
        return -1;
    }
    if (fchmod(a->fd, mode)) {
        snprintf(err, errlen, "cannot set the mode of %s: %s", a->tmp, strerror(errno));
        secretgen_atomic_abort(a);
        return -1;
    }
    /* the new file keeps the owner and group of the one it replaces (sudo make secrets
     * must not hand a user's .env to root) */
    if (replacing && fchown(a->fd, old.st_uid, old.st_gid)) {
        snprintf(err, errlen, "cannot give the new %s the owner and group of the old one "
                 "(uid %u, gid %u): %s", a->dest, (unsigned)old.st_uid, (unsigned)old.st_gid,
                 strerror(errno));
        secretgen_atomic_abort(a);
        return -1;
    }
    return 0;
}

int secretgen_atomic_write(secretgen_atomic *a, const char *data, size_t len, char *err,
                           size_t errlen)
{
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(a->fd, data + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            snprintf(err, errlen, "cannot write %s: %s", a->tmp, w < 0 ? strerror(errno) : "no space");
            return -1;
        }
        off += (size_t)w;
    }
    return 0;
}

int secretgen_atomic_commit(secretgen_atomic *a, char *err, size_t errlen)
{
    if (fsync(a->fd)) {
        snprintf(err, errlen, "cannot sync %s: %s", a->tmp, strerror(errno));
        secretgen_atomic_abort(a);
        return -1;
    }
    int rc = close(a->fd);
    a->fd = -1;
    if (rc) {
        snprintf(err, errlen, "cannot close %s: %s", a->tmp, strerror(errno));
        secretgen_atomic_abort(a);
        return -1;
    }
    if (rename(a->tmp, a->dest)) {
        snprintf(err, errlen, "cannot replace %s: %s", a->dest, strerror(errno));
        secretgen_atomic_abort(a);
        return -1;
    }
    disarm_cleanup();
    int dfd = open(a->dir, O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    atomic_free(a);
    return 0;
}

void secretgen_atomic_abort(secretgen_atomic *a)
{
    if (a->tmp) {
        unlink(a->tmp);
        disarm_cleanup();
    }
    atomic_free(a);
}

int secretgen_write_atomic(const char *path, const char *data, size_t len, mode_t mode,
                           char *err, size_t errlen)
{
    secretgen_atomic a;
    if (secretgen_atomic_begin(&a, path, mode, err, errlen))
        return -1;
    if (secretgen_atomic_write(&a, data, len, err, errlen)) {
        secretgen_atomic_abort(&a);
        return -1;
    }
    return secretgen_atomic_commit(&a, err, errlen);
}
