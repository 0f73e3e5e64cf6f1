/* run: envcheck's flow: load the schema, check each file (or the environment), print;
 * the one place its findings and errors are printed. */
#include <string.h>

#include "envcheck.h"

const diag_rule_info envcheck_rules[] = {
    {"unterminated-quote", "A quoted value is never closed (Compose rejects the file)", NULL, DIAG_ERROR},
    {"invalid-key", "A variable name Compose rejects or cannot use", NULL, DIAG_ERROR},
    {"invalid-utf8", "Invalid UTF-8 or a NUL byte", NULL, DIAG_ERROR},
    {"bad-substitution", "An interpolation Compose rejects, or an unset ${VAR:?err}", NULL, DIAG_ERROR},
    {"value-too-large", "A value longer than the schema's limits.max_value_bytes after ${VAR} expansion, or values past limits.max_total_bytes", NULL, DIAG_ERROR},
    {"duplicated-key", "A key set twice (an error when the values differ)", NULL, DIAG_WARNING},
    {"ending-blank-line", "No newline at the end of the file", NULL, DIAG_WARNING},
    {"extra-blank-line", "Two blank lines in a row", NULL, DIAG_WARNING},
    {"incorrect-delimiter", "A key with characters other than letters, digits and _", NULL, DIAG_WARNING},
    {"key-without-value", "A line without '=' (bare KEY or YAML-style KEY: value)", NULL, DIAG_WARNING},
    {"leading-character", "A line that does not start with a letter or _", NULL, DIAG_WARNING},
    {"lowercase-key", "A key with lowercase letters", NULL, DIAG_WARNING},
    {"quote-character", "Quotes that are not needed, or text after a closing quote", NULL, DIAG_WARNING},
    {"space-character", "Spaces around '='", NULL, DIAG_WARNING},
    {"substitution-key", "$VAR} with a closing brace but no opening one", NULL, DIAG_WARNING},
    {"trailing-whitespace", "Spaces or tabs at the end of a line", NULL, DIAG_WARNING},
    {"unordered-key", "Keys not in alphabetical order within a group", NULL, DIAG_WARNING},
    {"value-without-quotes", "An unquoted value with whitespace", NULL, DIAG_WARNING},
    {"missing-required", "A required variable is not set (or empty)", NULL, DIAG_ERROR},
    {"invalid-type", "A value that is not of the schema's type", NULL, DIAG_ERROR},
    {"invalid-value", "A value outside the schema's range, values, schemes or pattern", NULL, DIAG_ERROR},
    {"placeholder-secret", "A secret that is empty or a placeholder (changeme, your-key-here, <...>)", NULL, DIAG_ERROR},
    {"weak-secret", "A secret shorter or less random than the schema asks", NULL, DIAG_ERROR},
    {"unknown-key", "A variable the schema does not declare (--strict)", NULL, DIAG_ERROR},
};
const size_t envcheck_nrules = sizeof envcheck_rules / sizeof envcheck_rules[0];

int envcheck_run(const envcheck_options *o, FILE *out, FILE *err)
{
    envschema schema = {0};
    int have_schema = 0, io_error = 0;
    char msg[1024];
    if (o->schema_path) {
        if (envschema_load_path(&schema, o->schema_path, msg, sizeof msg)) {
            fprintf(err, "envcheck: invalid schema: %s\n", msg);
            envschema_free(&schema);
            return 2;
        }
        have_schema = 1;
    }
    if (o->environ_mode && !have_schema) {
        fputs("envcheck: --environ needs --schema FILE\n", err);
        return 2;
    }
    if (o->only) {
        char name[256];
        const char *unknown = have_schema ? envcheck_only_unknown(&schema, o->only, name, sizeof name) : o->only;
        if (unknown) {
            if (have_schema)
                fprintf(err, "envcheck: --only: '%s' is not a variable of %s\n", unknown, o->schema_path);
            else
                fputs("envcheck: --only needs --schema FILE\n", err);
            if (have_schema)
                envschema_free(&schema);
            return 2;
        }
    }
    diag_list diags;
    diag_list_init(&diags);
    size_t nfiles = 0;
    if (o->environ_mode)
        envcheck_validate_environ(&schema, o->only, &diags);
    const dotenv_limits *limits = have_schema ? &schema.limits : NULL;
    for (size_t i = 0; i < o->nfiles; i++) {
        dotenv_file f;
        if (dotenv_load_path(&f, o->files[i], dotenv_lookup_environ, NULL, limits, &diags, msg,
                             sizeof msg)) {
            fprintf(err, "envcheck: %s\n", msg);
            dotenv_free(&f);
            io_error = 1;
            continue;
        }
        nfiles++;
        envcheck_lint(&f, o->strict, &diags);
        if (have_schema)
            envcheck_validate_file(&f, &schema, o->strict, o->only, &diags);
        dotenv_free(&f);
    }
    if (diags.oom) {
        fputs("envcheck: out of memory: the check is incomplete, nothing is reported\n", err);
        diag_list_free(&diags);
        if (have_schema)
            envschema_free(&schema);
        return 2;
    }
    diag_list_sort(&diags);
    diag_list_print(out, &diags, o->format, "envcheck", TOOLS_VERSION, envcheck_rules, envcheck_nrules);
    if (o->format == DIAG_FORMAT_TEXT) {
        if (o->environ_mode)
            fprintf(err, "envcheck: environment checked against %s: %zu error%s\n", o->schema_path,
                    diags.errors, diags.errors == 1 ? "" : "s");
        if (nfiles || !o->environ_mode)
            fprintf(err, "envcheck: %zu file%s checked: %zu error%s, %zu warning%s\n", nfiles,
                    nfiles == 1 ? "" : "s", diags.errors, diags.errors == 1 ? "" : "s",
                    diags.warnings, diags.warnings == 1 ? "" : "s");
    }
    int rc = io_error ? 2 : diags.errors ? 1 : 0;
    diag_list_free(&diags);
    if (have_schema)
        envschema_free(&schema);
    return rc;
}
