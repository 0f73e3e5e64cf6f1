/* envcheck: command-line entry point: parses options, then runs the check (run.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envcheck.h"

static void usage(FILE *out)
{
    fputs("usage: envcheck [--schema FILE] [--format text|json|sarif] [--strict] [--environ] [FILE...]\n"
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
          "  --help, --version\n"
          "\n"
          "Exit status: 0 clean (warnings allowed without --strict), 1 findings, 2 usage or I/O error.\n",
          out);
}

int main(int argc, char **argv)
{
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
