/* input: turns paths (files, directories, "-") into documents. A stream is cut at
 * "---" / "..." lines into chunks parsed one at a time, so a broken document is one
 * finding and the next ones are still linted, and memory holds one document at most. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kubelint.h"
#include "utf8.h"

#define KL_MAX_DOCUMENT (64u << 20) /* bytes of one document; beyond, it is skipped */

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
        if (!r)
            abort();
        ydoc doc;
        ydoc_error err;
        int rc;
        while ((rc = ydoc_reader_next(r, &doc, &err)) == 1) {
            ctx->documents++;
            kubelint_lint_document(ctx, s->file, doc.root);
            ydoc_free(&doc);
        }
        if (rc < 0) {
            ctx->documents++;
            unsigned line = err.line ? err.line : s->chunk_line, col = err.line ? err.col : 1;
            end_of_chunk(s, &line, &col);
            kubelint_report(ctx, KL_YAML_SYNTAX, s->file, line, col, NULL, 0, "%s", err.message);
        }
        ydoc_reader_free(r);
    }
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
    s.file = kubelint_add_file(ctx, name);
    s.line_no = s.chunk_line = 1;
    char block[65536];
    size_t n;
    int rc = 0;
    while ((n = fread(block, 1, sizeof block, f)) > 0) {
        size_t pos = 0;
        while (pos < n) {
            char *nl = memchr(block + pos, '\n', n - pos);
            size_t seg = nl ? (size_t)(nl - (block + pos)) + 1 : n - pos;
            if (append(&s, block + pos, seg) < 0) {
                fprintf(stderr, "kubelint: %s: out of memory\n", name);
                free(s.buf);
                ctx->io_error = 1;
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
    return rc;
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

/* Lints every *.yaml / *.yml under dir, in name order (symlinked folders not followed). */
static int input_dir(kl_ctx *ctx, const char *dir, int depth)
{
    if (depth > 64)
        return 0;
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "kubelint: %s: %s\n", dir, strerror(errno));
        ctx->io_error = 1;
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn)
                abort();
            names = nn;
        }
        if (!(names[n] = strdup(e->d_name)))
            abort();
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        char *path = NULL;
        if (asprintf(&path, "%s/%s", dir, names[i]) < 0)
            abort();
        struct stat st;
        if (lstat(path, &st) == 0) {
            if (S_ISDIR(st.st_mode)) {
                if (input_dir(ctx, path, depth + 1) < 0)
                    rc = -1;
            } else if (has_yaml_suffix(names[i]) && (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode))) {
                if (kubelint_input_path(ctx, path) < 0)
                    rc = -1;
            }
        }
        free(path);
        free(names[i]);
    }
    free(names);
    return rc;
}

int kubelint_input_path(kl_ctx *ctx, const char *path)
{
    if (!strcmp(path, "-"))
        return kubelint_input_stream(ctx, stdin, "-");
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "kubelint: %s: %s\n", path, strerror(errno));
        ctx->io_error = 1;
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        size_t len = strlen(path);
        char *dir = strdup(path);
        if (!dir)
            abort();
        while (len > 1 && dir[len - 1] == '/')
            dir[--len] = '\0';
        int rc = input_dir(ctx, dir, 0);
        free(dir);
        return rc;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "kubelint: %s: %s\n", path, strerror(errno));
        ctx->io_error = 1;
        return -1;
    }
    int rc = kubelint_input_stream(ctx, f, path);
    fclose(f);
    return rc;
}
