/* kubelint: command-line entry point; parses options, then calls the phases in order
 * (kubelint.h): read and lint every path, the cross-object rules, the report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kubelint.h"

static void usage(FILE *out)
{
    fputs("usage: kubelint [--format text|json|sarif] [--strict] [--include RULE,..]\n"
          "                [--exclude RULE,..] [--list-rules] PATH...\n"
          "  PATH is a file, a directory (every *.yaml / *.yml, recursively) or - (stdin).\n"
          "  Only regular files are read (256 MiB at most); in a directory, symbolic links to\n"
          "  directories are not followed, and one to a device or FIFO is an error.\n"
          "  exit 0: no errors; 1: errors (or warnings with --strict); 2: usage or unreadable\n"
          "  input (also a directory without manifests), or out of memory\n",
          out);
}

static void list_rules(void)
{
    for (int i = 0; i < KL_NRULES; i++)
        printf("%-32s %-8s %s\n", kubelint_rules[i].id,
               diag_severity_name(kubelint_rules[i].severity), kubelint_rules[i].description);
}

/* Value of "--opt value" or "--opt=value"; advances *i. NULL when missing. */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (!strncmp(argv[*i], name, n) && argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (!strcmp(argv[*i], name) && *i + 1 < argc)
        return argv[++*i];
    return NULL;
}

static int is_opt(const char *arg, const char *name)
{
    size_t n = strlen(name);
    return !strncmp(arg, name, n) && (arg[n] == '\0' || arg[n] == '=');
}

int main(int argc, char **argv)
{
    diag_format format = DIAG_FORMAT_TEXT;
    int strict = 0, npaths = 0;
    uint64_t include = 0, exclude = 0;
    int have_include = 0;
    const char **paths = calloc((size_t)argc + 1, sizeof *paths);
    if (!paths)
        return 2;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        char bad[64];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            free(paths);
            return 0;
        } else if (!strcmp(a, "--version")) {
            printf("kubelint %s\n", TOOLS_VERSION);
            free(paths);
            return 0;
        } else if (!strcmp(a, "--list-rules")) {
            list_rules();
            free(paths);
            return 0;
        } else if (!strcmp(a, "--strict")) {
            strict = 1;
        } else if (is_opt(a, "--format")) {
            if (!(v = opt_value(argc, argv, &i, "--format")) || diag_format_parse(v, &format) < 0) {
                fprintf(stderr, "kubelint: --format takes text, json or sarif\n");
                free(paths);
                return 2;
            }
        } else if (is_opt(a, "--include") || is_opt(a, "--exclude")) {
            int inc = is_opt(a, "--include");
            uint64_t mask;
            if (!(v = opt_value(argc, argv, &i, inc ? "--include" : "--exclude"))) {
                fprintf(stderr, "kubelint: %s takes a comma-separated list of rules\n", a);
                free(paths);
                return 2;
            }
            if (kubelint_rule_mask(v, &mask, bad, sizeof bad) < 0) {
                fprintf(stderr, "kubelint: unknown rule '%s' (see --list-rules)\n", bad);
                free(paths);
                return 2;
            }
            if (inc) {
                include |= mask;
                have_include = 1;
            } else {
                exclude |= mask;
            }
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "kubelint: unknown option '%s'\n", a);
            usage(stderr);
            free(paths);
            return 2;
        } else {
            paths[npaths++] = a;
        }
    }
    if (!npaths) {
        usage(stderr);
        free(paths);
        return 2;
    }
    kl_ctx ctx;
    kubelint_ctx_init(&ctx);
    if (have_include)
        ctx.enabled = include;
    ctx.enabled &= ~exclude;
    ctx.index = kubelint_index_new();
    ctx.oom = !ctx.index;
    for (int i = 0; i < npaths && !ctx.oom; i++)
        kubelint_input_path(&ctx, paths[i]);
    if (!ctx.oom)
        kubelint_rules_cross(&ctx);
    int rc;
    if (ctx.oom) {
        /* an incomplete lint is never printed as if it were the whole */
        fputs("kubelint: out of memory: the lint is incomplete, nothing is reported\n", stderr);
        rc = 2;
    } else {
        rc = kubelint_status(&ctx, strict);
        kubelint_print(&ctx, stdout, format);
        if (ctx.io_error)
            rc = 2;
    }
    kubelint_index_free(ctx.index);
    kubelint_ctx_free(&ctx);
    free(paths);
    return rc;
}
