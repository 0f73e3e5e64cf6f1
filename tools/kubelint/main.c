/* kubelint: command-line entry point (skeleton: options and usage only). */
#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
    fputs("usage: kubelint [--help] [--version]\n", out);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(argv[i], "--version")) {
            printf("kubelint %s\n", TOOLS_VERSION);
            return 0;
        }
        fprintf(stderr, "kubelint: unknown argument '%s'\n", argv[i]);
        usage(stderr);
        return 2;
    }
    usage(stderr);
    return 2;
}
