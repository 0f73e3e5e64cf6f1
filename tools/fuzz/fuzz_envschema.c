/* libFuzzer harness: env.schema.yaml loading over arbitrary bytes, then each declared
 * variable checked against a few values (the first line of the input among them). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "envschema.h"

static const char *get_none(void *ctx, const char *name)
{
    (void)ctx;
    (void)name;
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    envschema s;
    char err[512];
    if (envschema_load_buffer(&s, "fuzz.yaml", (const char *)data, size, err, sizeof err) == 0) {
        char line[128];
        size_t n = 0;
        while (n < size && n < sizeof line - 1 && data[n] != '\n' && data[n])
            n++;
        memcpy(line, data, n);
        line[n] = '\0';
        const char *values[] = {line, "8080", "http://h:1/x", "changeme", "a@b.c", "true", ""};
        for (size_t i = 0; i < s.len; i++) {
            (void)envschema_is_required(&s, &s.vars[i], get_none, NULL);
            for (size_t k = 0; k < sizeof values / sizeof *values; k++) {
                char msg[256];
                (void)envschema_check_value(&s.vars[i], values[k], strlen(values[k]), 1, msg, sizeof msg);
            }
        }
    }
    envschema_free(&s);
    return 0;
}
