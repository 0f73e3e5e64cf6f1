/* secretgen: command-line entry point: parses the subcommand and its options, then runs
 * rand.c, fill.c or k8s.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secretgen.h"

static void usage(FILE *out)
{
    fputs("usage: secretgen rand [--bytes N] [--encoding base64|base64url|hex]\n"
          "       secretgen fill --schema FILE [--template FILE] ENV_FILE\n"
          "       secretgen k8s --name NAME [--namespace NS] [--keys A,B | --schema FILE] ENV_FILE\n"
          "\n"
          "  rand   print a random secret (OpenSSL RAND_bytes; default 32 bytes, base64url)\n"
          "  fill   create ENV_FILE from the template if missing, then give every generated\n"
          "         secret of the schema that is missing, empty or a placeholder a fresh value;\n"
          "         atomic write through a .secretgen-XXXXXX file (removed on SIGINT, SIGTERM,\n"
          "         SIGHUP), mode 0600, owner and group of the file replaced; prints the\n"
          "         names it filled, never values\n"
          "  k8s    print a v1 Secret (type Opaque) with the values as Docker Compose parses\n"
          "         them: the keys listed, the schema's secret variables, or every key\n"
          "\n"
          "The env file is read under the schema's limits: section (default 1 MiB, 128 KiB a\n"
          "value, 2 MiB of values).\n"
          "Exit status: 0 ok, 1 the env file is unusable (syntax, missing key), 2 usage or I/O error.\n",
          out);
}

/* Takes the value of option name at argv[*i] ("--x v" or "--x=v"); NULL if it is not it. */
static const char *option(int argc, char **argv, int *i, const char *name, int *missing)
{
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n))
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (a[n])
        return NULL;
    if (*i + 1 >= argc) {
        *missing = 1;
        return NULL;
    }
    return argv[++*i];
}

static int bad_usage(const char *fmt, const char *arg)
{
    fputs("secretgen: ", stderr);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    usage(stderr);
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return bad_usage("%s", "a subcommand is needed (rand, fill or k8s)");
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version")) {
        printf("secretgen %s\n", TOOLS_VERSION);
        return 0;
    }
    if (strcmp(cmd, "rand") && strcmp(cmd, "fill") && strcmp(cmd, "k8s"))
        return bad_usage("unknown subcommand '%s' (rand, fill or k8s)", cmd);
    long bytes = 32;
    secret_encoding enc = SECRET_BASE64URL;
    secretgen_fill_options fo = {0};
    secretgen_k8s_options ko = {0};
    const char *file = NULL;
    for (int i = 2; i < argc; i++) {
        int missing = 0;
        const char *v;
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(cmd, "rand") && (v = option(argc, argv, &i, "--bytes", &missing))) {
            char *end;
            bytes = strtol(v, &end, 10);
            if (*end || end == v || bytes < 1 || bytes > SECRET_MAX_BYTES)
                return bad_usage("--bytes must be an integer from 1 to 4096, not '%s'", v);
        } else if (!strcmp(cmd, "rand") && (v = option(argc, argv, &i, "--encoding", &missing))) {
            if (secret_encoding_parse(v, &enc))
                return bad_usage("unknown encoding '%s' (base64, base64url or hex)", v);
        } else if (strcmp(cmd, "rand") && (v = option(argc, argv, &i, "--schema", &missing))) {
            fo.schema_path = ko.schema_path = v;
        } else if (!strcmp(cmd, "fill") && (v = option(argc, argv, &i, "--template", &missing))) {
            fo.template_path = v;
        } else if (!strcmp(cmd, "k8s") && (v = option(argc, argv, &i, "--name", &missing))) {
            ko.name = v;
        } else if (!strcmp(cmd, "k8s") && (v = option(argc, argv, &i, "--namespace", &missing))) {
            ko.namespace_ = v;
        } else if (!strcmp(cmd, "k8s") && (v = option(argc, argv, &i, "--keys", &missing))) {
            ko.keys = v;
        } else if (missing) {
            return bad_usage("%s needs a value", a);
        } else if (a[0] == '-' && strcmp(a, "-")) {
            return bad_usage("unknown option '%s'", a);
        } else if (file) {
            return bad_usage("only one env file, not also '%s'", a);
        } else {
            file = a;
        }
    }
    if (!strcmp(cmd, "rand")) {
        if (file)
            return bad_usage("rand takes no file ('%s')", file);
        return secretgen_rand((size_t)bytes, enc, stdout, stderr);
    }
    if (!file)
        return bad_usage("%s needs the env file (e.g. .env)", cmd);
    if (!strcmp(cmd, "fill")) {
        if (!fo.schema_path)
            return bad_usage("%s", "fill needs --schema FILE (env.schema.yaml)");
        fo.env_path = file;
        return secretgen_fill(&fo, stdout, stderr);
    }
    if (!ko.name)
        return bad_usage("%s", "k8s needs --name NAME");
    if (ko.keys && ko.schema_path)
        return bad_usage("%s", "use --keys or --schema, not both");
    ko.env_path = file;
    return secretgen_k8s(&ko, stdout, stderr);
}
