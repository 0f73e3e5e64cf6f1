/* envcheck: command-line entry point: parses options, then runs the check (run.c) or
 * `get` (get.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envcheck.h"

static void usage(FILE *out)
{
    fputs("usage: envcheck [--schema FILE] [--format text|json|sarif] [--strict] [--environ]\n"
          "                [--only KEY[,KEY...]] [FILE...]\n"
          "       envcheck get [--schema FILE] [--show-secrets] FILE KEY...\n"
          "\n"
          "Checks .env files as Docker Compose reads them: syntax, dotenv-linter's rules\n"
          "(warnings; errors with --strict) and, with --schema, env.schema.yaml's rules.\n"
          "With no FILE and no --environ, checks ./.env; '-' reads standard input.\n"
          "\n"
          "  --schema FILE   validate values against this schema (env.schema.yaml)\n"
          "  --format F      text (default), json or sarif\n"
          "  --strict        linter warnings become errors; keys outside the schema are errors\n"
          "  --environ       validate the process environment against the schema (containers);\n"
          "                  findings name variables, never values\n"
          "  --only KEYS     validate only these schema variables (comma-separated), e.g. what\n"
          "                  one command of a container needs\n"
          "  --help, --version\n"
          "\n"
          "get prints the value FILE gives each KEY, one per line, exactly as Docker Compose\n"
          "parses it (${VAR} resolved against the environment, then FILE's earlier keys).\n"
          "Variables the schema marks secret are printed only with --show-secrets. It prints\n"
          "nothing and exits 1 when a KEY is unset, a value spans lines or FILE has errors.\n"
          "\n"
          "Size limits (max_file_bytes, max_value_bytes, max_total_bytes) come from the\n"
          "schema's limits: section, else the defaults (1 MiB, 128 KiB, 2 MiB).\n"
          "\n"
          "Exit status: 0 clean (warnings allowed without --strict), 1 findings, 2 usage or I/O error.\n",
          out);
}

/* `envcheck get [--schema FILE] [--show-secrets] FILE KEY...` */
static int main_get(int argc, char **argv)
{
    envcheck_get_options o = {0};
    int i = 2, only_args = 0;
    for (; i < argc && !o.file; i++) {
        const char *a = argv[i];
        if (only_args || a[0] != '-' || !strcmp(a, "-")) {
            o.file = a;
        } else if (!strcmp(a, "--")) {
            only_args = 1;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--show-secrets")) {
            o.show_secrets = 1;
        } else if (!strcmp(a, "--schema") && i + 1 < argc) {
            o.schema_path = argv[++i];
        } else if (!strncmp(a, "--schema=", 9)) {
            o.schema_path = a + 9;
        } else {
            fprintf(stderr, "envcheck get: unknown option or missing value '%s'\n", a);
            usage(stderr);
            return 2;
        }
    }
    o.keys = (const char *const *)argv + i;
    o.nkeys = (size_t)(argc - i);
    if (!o.file || !o.nkeys) {
        fputs("envcheck get: needs the env file and at least one KEY\n", stderr);
        usage(stderr);
        return 2;
    }
    return envcheck_get(&o, stdout, stderr);
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "get"))
        return main_get(argc, argv);
    envcheck_options o = {0};
    o.format = DIAG_FORMAT_TEXT;
    const char **files = calloc((size_t)argc + 1, sizeof *files);
    if (!files)
        return 2;
    int only_files = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        if (only_files || a[0] != '-' || !strcmp(a, "-")) {
            files[o.nfiles++] = a;
        } else if (!strcmp(a, "--")) {
            only_files = 1;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            free(files);
            return 0;
        } else if (!strcmp(a, "--version")) {
            printf("envcheck %s\n", TOOLS_VERSION);
            free(files);
            return 0;
        } else if (!strcmp(a, "--strict")) {
            o.strict = 1;
        } else if (!strcmp(a, "--environ")) {
            o.environ_mode = 1;
        } else if (!strcmp(a, "--only") || !strncmp(a, "--only=", 7)) {
            o.only = a[6] == '=' ? a + 7 : i + 1 < argc ? argv[++i] : NULL;
            if (!o.only || !o.only[0]) {
                fprintf(stderr, "envcheck: --only needs a comma-separated list of variables\n");
                usage(stderr);
                free(files);
                return 2;
            }
        } else if (!strncmp(a, "--schema", 8) || !strncmp(a, "--format", 8)) {
            if (a[8] == '=')
                val = a + 9;
            else if (a[8] == '\0' && i + 1 < argc)
                val = argv[++i];
            if (!val) {
                fprintf(stderr, "envcheck: %s needs a value\n", a);
                usage(stderr);
                free(files);
                return 2;
            }
            if (a[2] == 's') {
                o.schema_path = val;
            } else if (diag_format_parse(val, &o.format)) {
                fprintf(stderr, "envcheck: unknown format '%s' (text, json or sarif)\n", val);
                free(files);
                return 2;
            }
        } else {
            fprintf(stderr, "envcheck: unknown option '%s'\n", a);
            usage(stderr);
            free(files);
            return 2;
        }
    }
    if (!o.nfiles && !o.environ_mode)
        files[o.nfiles++] = ".env";
    o.files = files;
    int rc = envcheck_run(&o, stdout, stderr);
    free(files);
    return rc;
}
