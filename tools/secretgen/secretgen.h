/* secretgen: random secrets, filling them into .env, and a Kubernetes Secret from .env. */
#ifndef TODO_SECRETGEN_H
#define TODO_SECRETGEN_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "secret.h"

/* Test hook: SECRETGEN_TEST_FAULT=before-rename kills the process after the temporary
 * file is written and synced but before it replaces the target (a crash at the worst
 * moment); SECRETGEN_TEST_FAULT=write makes the write fail. Only tests set it. */
#define SECRETGEN_FAULT_ENV "SECRETGEN_TEST_FAULT"

/* Prints n random bytes in encoding e and a newline. Returns 0, or 2 on failure. */
int secretgen_rand(size_t n, secret_encoding e, FILE *out, FILE *err);

/* Replaces path with data: a temporary file in the same directory, fsync, rename, fsync of
 * the directory. The file gets mode. -1 with a sentence in err; the old file is intact. */
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
