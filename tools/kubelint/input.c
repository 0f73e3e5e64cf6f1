/* input: turns paths (files, directories, "-") into documents. A stream is cut at
 * "---" / "..." lines into chunks parsed one at a time, so a broken document is one
 * finding and the next ones are still linted, and memory holds one document at most.
 *
 * Only regular files are read, KL_MAX_FILE_BYTES at most: a repository can hold a
 * symbolic link to /dev/zero, a FIFO or /usr, and `make lint` must say so, not hang or
 * wander. In a directory, symbolic links to files are read and links to directories are
 * not followed (like find without -L, and kube-linter's filepath.Walk), which also rules
 * out cycles; a path given on the command line is followed, like find -H. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kubelint.h"
#include "utf8.h"

#define KL_MAX_DOCUMENT (64u << 20) /* bytes of one document; beyond, it is skipped */
#define KL_MAX_FILE_BYTES ((size_t)256 << 20) /* bytes of one input; beyond, an error */

typedef struct splitter {
    kl_ctx *ctx;
    unsigned file;
    char *buf;
    size_t len, cap;
    size_t line_start;    /* offset in buf of the current line */
    unsigned line_no;     /* number of the current line (1-based) */
    unsigned chunk_line;  /* first line of the chunk in buf */
    int has_content;      /* chunk holds more than comments, directives, markers */
    int oversized;
} splitter;

/* Reports the first byte YAML cannot hold (invalid UTF-8, control character) with its
 * line and column; returns 1 when the chunk must be skipped. */
static int check_bytes(splitter *s, const char *buf, size_t len)
{
    unsigned line = s->chunk_line, col = 1;
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)buf[i];
        if (c < 0x80) {
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
                kubelint_report(s->ctx, KL_YAML_SYNTAX, s->file, line, col, NULL, 0,
                                "control character 0x%02x is not allowed in YAML; document skipped", c);
                return 1;
            }
            if (c == 0x7f) {
                kubelint_report(s->ctx, KL_YAML_SYNTAX, s->file, line, col, NULL, 0,
                                "control character 0x7f is not allowed in YAML; document skipped");
                return 1;
            }
            if (c == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
            i++;
            continue;
        }
        size_t n = utf8_sequence_length((const unsigned char *)buf + i, len - i);
        if (!n) {
            kubelint_report(s->ctx, KL_YAML_SYNTAX, s->file, line, col, NULL, 0,
                            "invalid UTF-8 (byte 0x%02x); document skipped", c);
            return 1;
        }
        i += n;
        col++;
    }
    return 0;
}

/* An error libyaml reports past the last line of the chunk (unexpected end of the
 * document) is moved to the end of the chunk's last line, inside this document. */
static void end_of_chunk(const splitter *s, unsigned *line, unsigned *col)
{
    size_t len = s->len;
    while (len && (s->buf[len - 1] == '\n' || s->buf[len - 1] == '\r'))
        len--;
    unsigned last = s->chunk_line;
    size_t line_start = 0;
    for (size_t i = 0; i < len; i++)
        if (s->buf[i] == '\n') {
            last++;
            line_start = i + 1;
        }
    if (*line > last) {
        *line = last;
        *col = (unsigned)(len - line_start) + 1;
    }
}

/* Parses the chunk in buf and lints each document in it. */
static void flush(splitter *s)
{
    kl_ctx *ctx = s->ctx;
    if (s->oversized) {
        kubelint_report(ctx, KL_YAML_SYNTAX, s->file, s->chunk_line, 1, NULL, 0,
                        "document larger than %u MiB; skipped", KL_MAX_DOCUMENT >> 20);
    } else if (s->has_content && !check_bytes(s, s->buf, s->len)) {
        ydoc_reader *r = ydoc_reader_from_buffer(s->buf, s->len, s->chunk_line - 1, NULL);
        if (!r) {
            ctx->oom = 1;
            goto done;
        }
        ydoc doc;
        ydoc_error err;
        int rc;
        while ((rc = ydoc_reader_next(r, &doc, &err)) == 1) {
            ctx->documents++;
            kubelint_lint_document(ctx, s->file, doc.root);
            ydoc_free(&doc);
        }
        if (rc < 0 && err.oom) {
            ctx->oom = 1;
        } else if (rc < 0) {
            ctx->documents++;
            unsigned line = err.line ? err.line : s->chunk_line, col = err.line ? err.col : 1;
            end_of_chunk(s, &line, &col);
            kubelint_report(ctx, KL_YAML_SYNTAX, s->file, line, col, NULL, 0, "%s", err.message);
        }
        ydoc_reader_free(r);
    }
done:
    s->len = s->line_start = 0;
    s->has_content = s->oversized = 0;
}

/* True when line (len bytes, newline included) is the marker m ("---" or "..."). */
static int is_marker(const char *line, size_t len, const char *m)
{
    return len >= 3 && !memcmp(line, m, 3) &&
           (len == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r' || line[3] == '\n');
}

/* True when the text holds something besides blanks and a comment. */
static int has_text(const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (p[i] == '#')
            return 0;
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
            return 1;
    }
    return 0;
}

/* Called when a line is complete (buf[line_start..len)). */
static void end_line(splitter *s)
{
    const char *line = s->buf + s->line_start;
    size_t len = s->len - s->line_start;
    if (is_marker(line, len, "---")) {
        if (s->has_content || s->oversized) {
            /* the chunk so far is a document: parse it; this line starts the next one
             * (flush reads buf[0..line_start) only, so the line stays intact) */
            size_t off = s->line_start;
            s->len = off;
            flush(s);
            memmove(s->buf, s->buf + off, len);
            s->len = len;
            s->line_start = 0;
            line = s->buf;
            s->chunk_line = s->line_no;
        }
        s->has_content = has_text(line + 3, len - 3);
    } else if (is_marker(line, len, "...")) {
        s->line_start = s->len;
        s->line_no++;
        flush(s);
        s->chunk_line = s->line_no;
        return;
    } else if (line[0] != '%' && has_text(line, len)) {
        s->has_content = 1;
    }
    s->line_start = s->len;
    s->line_no++;
}

static int grow(splitter *s, size_t need)
{
    if (need <= s->cap)
        return 0;
    size_t cap = s->cap ? s->cap : 65536;
    while (cap < need)
        cap *= 2;
    char *b = realloc(s->buf, cap);
    if (!b)
        return -1;
    s->buf = b;
    s->cap = cap;
    return 0;
}

/* Appends bytes of the current line; once the chunk is too big only the first bytes of
 * each line are kept (enough to see the next marker). */
static int append(splitter *s, const char *p, size_t n)
{
    if (s->oversized) {
        size_t have = s->len - s->line_start;
        size_t room = have < 8 ? 8 - have : 0;
        if (n > room)
            n = room;
    } else if (s->len + n > KL_MAX_DOCUMENT) {
        s->oversized = 1;
        size_t have = s->len - s->line_start;
        if (have > 8)
            have = 8;
        memmove(s->buf, s->buf + s->line_start, have);
        s->len = have;
        s->line_start = 0;
        size_t room = 8 - have;
        if (n > room)
            n = room;
    }
    if (grow(s, s->len + n + 1) < 0)
        return -1;
    memcpy(s->buf + s->len, p, n);
    s->len += n;
    return 0;
}

int kubelint_input_stream(kl_ctx *ctx, FILE *f, const char *name)
{
    splitter s;
    memset(&s, 0, sizeof s);
    s.ctx = ctx;
    if (kubelint_add_file(ctx, name, &s.file))
        return -1;
    s.line_no = s.chunk_line = 1;
    char block[65536];
    size_t n, total = 0;
    int rc = 0;
    while (!ctx->oom && (n = fread(block, 1, sizeof block, f)) > 0) {
        total += n;
        if (total > KL_MAX_FILE_BYTES) {
            fprintf(stderr, "kubelint: %s: larger than %zu MiB; not linted\n", name,
                    KL_MAX_FILE_BYTES >> 20);
            free(s.buf);
            ctx->io_error = 1;
            return -1;
        }
        size_t pos = 0;
        while (pos < n) {
            char *nl = memchr(block + pos, '\n', n - pos);
            size_t seg = nl ? (size_t)(nl - (block + pos)) + 1 : n - pos;
            if (append(&s, block + pos, seg) < 0) {
                free(s.buf);
                ctx->oom = 1;
                return -1;
            }
            pos += seg;
            if (nl)
                end_line(&s);
        }
    }
    if (ferror(f)) {
        fprintf(stderr, "kubelint: %s: read error: %s\n", name, strerror(errno));
        ctx->io_error = 1;
        rc = -1;
    }
    if (s.len > s.line_start)
        end_line(&s);
    flush(&s);
    free(s.buf);
    return ctx->oom ? -1 : rc;
}

static int has_yaml_suffix(const char *name)
{
    size_t n = strlen(name);
    return (n > 5 && !strcmp(name + n - 5, ".yaml")) || (n > 4 && !strcmp(name + n - 4, ".yml"));
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* What a file that is not regular nor a directory is, for messages. */
static const char *file_kind(mode_t mode)
{
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISSOCK(mode))
        return "a socket";
    return "not a regular file";
}

/* Reports an input that cannot be read (exit 2); returns -1. */
static int input_error(kl_ctx *ctx, const char *path, const char *what)
{
    fprintf(stderr, "kubelint: %s: %s\n", path, what);
    ctx->io_error = 1;
    return -1;
}

/* Lints path if it is a regular file of at most KL_MAX_FILE_BYTES; an error otherwise.
 * O_NONBLOCK keeps a FIFO swapped in after the check from blocking the open. */
static int input_file(kl_ctx *ctx, const char *path)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return input_error(ctx, path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return input_error(ctx, path, "not a regular file; not read");
    }
    if ((size_t)st.st_size > KL_MAX_FILE_BYTES) {
        close(fd);
        char what[96];
        snprintf(what, sizeof what, "larger than %zu MiB; not linted", KL_MAX_FILE_BYTES >> 20);
        return input_error(ctx, path, what);
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        close(fd);
        ctx->oom = 1;
        return -1;
    }
    int rc = kubelint_input_stream(ctx, f, path);
    fclose(f);
    return rc;
}

/* The names in dir but . and .., sorted (owned array of owned strings); NULL with
 * ctx->oom or ctx->io_error set on failure. */
static char **list_dir(kl_ctx *ctx, const char *dir, size_t *count)
{
    DIR *d = opendir(dir);
    if (!d) {
        input_error(ctx, dir, strerror(errno));
        return NULL;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn)
                break;
            names = nn;
        }
        if (!(names[n] = strdup(e->d_name)))
            break;
        n++;
    }
    int oom = e != NULL;
    closedir(d);
    if (oom) {
        for (size_t i = 0; i < n; i++)
            free(names[i]);
        free(names);
        ctx->oom = 1;
        return NULL;
    }
    if (!names && !(names = calloc(1, sizeof *names))) {
        ctx->oom = 1;
        return NULL;
    }
    qsort(names, n, sizeof *names, cmp_names);
    *count = n;
    return names;
}

/* Lints every *.yaml / *.yml under dir, in name order, skipping hidden entries; adds the
 * number of manifests found to *found. */
static int input_dir(kl_ctx *ctx, const char *dir, int depth, size_t *found)
{
    if (depth > 64)
        return input_error(ctx, dir, "more than 64 directories deep; not read");
    size_t n = 0;
    char **names = list_dir(ctx, dir, &n);
    if (!names)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < n && !ctx->oom; i++) {
        char *path = NULL;
        struct stat st, target;
        if (names[i][0] == '.')
            continue;
        if (asprintf(&path, "%s/%s", dir, names[i]) < 0) {
            ctx->oom = 1;
            break;
        }
        int yaml = has_yaml_suffix(names[i]);
        if (lstat(path, &st) != 0) {
            rc = input_error(ctx, path, strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            if (input_dir(ctx, path, depth + 1, found) < 0)
                rc = -1;
        } else if (S_ISLNK(st.st_mode) && stat(path, &target) != 0) {
            if (yaml)
                rc = input_error(ctx, path, "broken symbolic link");
        } else if (S_ISLNK(st.st_mode) && S_ISDIR(target.st_mode)) {
            fprintf(stderr, "kubelint: note: %s: symbolic link to a directory, not followed "
                            "(give it as an argument to lint it)\n", path);
        } else if (yaml) {
            mode_t mode = S_ISLNK(st.st_mode) ? target.st_mode : st.st_mode;
            char what[128];
            snprintf(what, sizeof what, "%s%s, not a regular file; not read",
                     S_ISLNK(st.st_mode) ? "symbolic link to " : "", file_kind(mode));
            (*found)++;
            if (!S_ISREG(mode))
                rc = input_error(ctx, path, what);
            else if (input_file(ctx, path) < 0)
                rc = -1;
        }
        free(path);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

int kubelint_input_path(kl_ctx *ctx, const char *path)
{
    if (!strcmp(path, "-"))
        return kubelint_input_stream(ctx, stdin, "-");
    struct stat st;
    if (stat(path, &st) != 0)
        return input_error(ctx, path, strerror(errno));
    if (S_ISDIR(st.st_mode)) {
        size_t len = strlen(path);
        char *dir = strdup(path);
        if (!dir) {
            ctx->oom = 1;
            return -1;
        }
        while (len > 1 && dir[len - 1] == '/')
            dir[--len] = '\0';
        size_t found = 0;
        int rc = input_dir(ctx, dir, 0, &found);
        if (!found && !ctx->oom)
            rc = input_error(ctx, dir, "no *.yaml or *.yml file in this directory; nothing to lint");
        free(dir);
        return rc;
    }
    if (!S_ISREG(st.st_mode)) {
        char what[96];
        snprintf(what, sizeof what, "%s, not a regular file; not read", file_kind(st.st_mode));
        return input_error(ctx, path, what);
    }
    return input_file(ctx, path);
}
