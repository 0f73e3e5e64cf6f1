/* secretgen: random secrets, filling them into .env, and a Kubernetes Secret from .env. */
#ifndef TODO_SECRETGEN_H
#define TODO_SECRETGEN_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "secret.h"

/* Prints n random bytes in encoding e and a newline. Returns 0, or 2 on failure. */
int secretgen_rand(size_t n, secret_encoding e, FILE *out, FILE *err);

/* One replacement of a file in progress (atomic.c): a temporary file in the same
 * directory, named .secretgen-XXXXXX (the repository's .gitignore ignores it), mode
 * `mode` from its creation, owner and group of the file it replaces. Until commit or
 * abort, SIGINT, SIGTERM and SIGHUP remove it before the process dies as they ask. */
typedef struct secretgen_atomic {
    char *dest;   /* the file replaced (a symlink's target) */
    char *dir;    /* its directory */
    char *tmp;    /* the temporary file; NULL once committed or aborted */
    int fd;
} secretgen_atomic;

/* Creates the temporary file. -1 with a sentence in err (nothing is left behind). */
int secretgen_atomic_begin(secretgen_atomic *a, const char *path, mode_t mode, char *err,
                           size_t errlen);
/* Appends len bytes. -1 with a sentence in err; then call secretgen_atomic_abort. */
int secretgen_atomic_write(secretgen_atomic *a, const char *data, size_t len, char *err,
                           size_t errlen);
/* fsync, rename over dest, fsync of the directory. -1 with a sentence in err (the
 * temporary file is removed, dest is intact). Frees a either way. */
int secretgen_atomic_commit(secretgen_atomic *a, char *err, size_t errlen);
/* Removes the temporary file and frees a. */
void secretgen_atomic_abort(secretgen_atomic *a);

/* begin + write + commit: replaces path with data so a reader (or a crash) sees the old
 * or the new content, never a mix. -1 with a sentence in err; the old file is intact. */
int secretgen_write_atomic(const char *path, const char *data, size_t len, mode_t mode,
                           char *err, size_t errlen);

typedef struct secretgen_fill_options {
    const char *schema_path;
    const char *template_path; /* NULL: a missing .env starts empty */
    const char *env_path;
} secretgen_fill_options;

/* Creates env_path from the template if missing, then gives every generated secret of
 * the schema that is missing, empty or a placeholder a fresh value; everything else is
 * kept byte for byte. Prints the names it filled (never values). Exit status. */
int secretgen_fill(const secretgen_fill_options *o, FILE *out, FILE *err);

typedef struct secretgen_k8s_options {
    const char *name;
    const char *namespace_;   /* NULL: none in the manifest */
    const char *keys;         /* "A,B" or NULL */
    const char *schema_path;  /* NULL, or take the schema's secret variables */
    const char *env_path;
} secretgen_k8s_options;

/* Prints a v1 Secret (type Opaque, base64 data) with the values as Compose parses them. */
int secretgen_k8s(const secretgen_k8s_options *o, FILE *out, FILE *err);

#endif
