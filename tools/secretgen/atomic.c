/* atomic: replace a file so a reader (or a crash) sees the old or the new content, never
 * a mix: temporary file in the same directory, fsync, rename, fsync of the directory. */
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

static int fault(const char *what)
{
    const char *f = getenv(SECRETGEN_FAULT_ENV);
    return f && !strcmp(f, what);
}

int secretgen_write_atomic(const char *path, const char *data, size_t len, mode_t mode,
                           char *err, size_t errlen)
{
    /* write through a symlink to its target, as an editor would */
    char target[PATH_MAX];
    const char *dest = realpath(path, target) ? target : path;
    char *copy1 = strdup(dest), *copy2 = strdup(dest);
    char *tmp = NULL;
    int fd = -1, rc = -1;
    if (!copy1 || !copy2) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    const char *dir = dirname(copy1), *base = basename(copy2);
    if (asprintf(&tmp, "%s/.%s.secretgen-XXXXXX", dir, base) < 0) {
        tmp = NULL;
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create a temporary file in %s: %s", dir, strerror(errno));
        free(tmp);
        tmp = NULL;
        goto out;
    }
    if (fchmod(fd, mode)) {
        snprintf(err, errlen, "cannot set the mode of %s: %s", tmp, strerror(errno));
        goto out;
    }
    size_t off = 0;
    while (off < len) {
        ssize_t w = fault("write") ? (errno = ENOSPC, -1) : write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
            goto out;
        }
        off += (size_t)w;
    }
    if (fsync(fd)) {
        snprintf(err, errlen, "cannot sync %s: %s", tmp, strerror(errno));
        goto out;
    }
    if (close(fd)) {
        fd = -1;
        snprintf(err, errlen, "cannot close %s: %s", tmp, strerror(errno));
        goto out;
    }
    fd = -1;
    if (fault("before-rename"))
        raise(SIGKILL);
    if (rename(tmp, dest)) {
        snprintf(err, errlen, "cannot replace %s: %s", dest, strerror(errno));
        goto out;
    }
    free(tmp);
    tmp = NULL;
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    if (tmp) {
        unlink(tmp);
        free(tmp);
    }
    free(copy1);
    free(copy2);
    return rc;
}
