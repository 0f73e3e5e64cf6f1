/* envcheck: the checks of a .env file (syntax as Compose reads it, dotenv-linter's rules,
 * env.schema.yaml) and of a process environment, shared by its modules. */
#ifndef TODO_ENVCHECK_H
#define TODO_ENVCHECK_H

#include <stddef.h>
#include <stdio.h>

#include "diag.h"
#include "dotenv.h"
#include "envschema.h"

/* The file name findings about the process environment carry. */
#define ENVCHECK_ENVIRON_NAME "<environment>"

typedef struct envcheck_options {
    const char *schema_path;   /* NULL: no schema rules */
    diag_format format;
    int strict;                /* linter warnings become errors; unknown-key is checked */
    int environ_mode;          /* validate the process environment */
    const char *only;          /* comma-separated variables to validate (NULL: all of them) */
    const char *const *files;  /* .env files ("-" = stdin) */
    size_t nfiles;
} envcheck_options;

/* Every rule envcheck reports, for SARIF and the documentation. */
extern const diag_rule_info envcheck_rules[];
extern const size_t envcheck_nrules;

/* dotenv-linter's checks over a parsed file (warnings, errors when strict;
 * duplicated-key with different values is always an error). Out of memory sets out->oom. */
void envcheck_lint(const dotenv_file *f, int strict, diag_list *out);

/* Schema rules over a parsed file: missing-required, invalid-type, invalid-value,
 * placeholder-secret, weak-secret, and unknown-key when strict. */
void envcheck_validate_file(const dotenv_file *f, const envschema *s, int strict, const char *only,
                            diag_list *out);

/* Schema rules over the process environment (variables outside the schema are ignored);
 * findings name variables, never values. */
void envcheck_validate_environ(const envschema *s, const char *only, diag_list *out);

/* NULL when every name in the comma-separated list `only` is a schema variable, else the
 * first one that is not (written to buf). */
const char *envcheck_only_unknown(const envschema *s, const char *only, char *buf, size_t len);

/* Runs the whole check and prints findings to out, other messages to err.
 * Returns the exit status: 0 clean, 1 findings, 2 usage or I/O error. */
int envcheck_run(const envcheck_options *o, FILE *out, FILE *err);

typedef struct envcheck_get_options {
    const char *schema_path;   /* NULL: no variable is known to be secret; default limits */
    int show_secrets;          /* print values of variables the schema marks secret */
    const char *file;          /* the .env file ("-" = stdin) */
    const char *const *keys;
    size_t nkeys;
} envcheck_get_options;

/* `envcheck get`: prints the value the file gives each key, as Compose parses it (${VAR}
 * resolved against the environment, then the file's earlier keys), one per line, or
 * nothing at all when one cannot be printed. Returns 0, 1 when a key is unset, a value
 * spans lines or the file has syntax errors (Compose refuses it), 2 on a usage or I/O
 * error or a secret asked for without show_secrets. */
int envcheck_get(const envcheck_get_options *o, FILE *out, FILE *err);

#endif
