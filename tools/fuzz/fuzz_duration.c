/* libFuzzer harness: the duration parser over arbitrary NUL-terminated text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    int64_t ns;
    char err[128];
    if (duration_parse(s, &ns, err, sizeof err) == 0) {
        char buf[64];
        duration_format(ns, buf, sizeof buf);
    }
    free(s);
    return 0;
}
