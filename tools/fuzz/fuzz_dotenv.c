/* libFuzzer harness: the .env parser (Compose semantics) and every linter rule over
 * arbitrary bytes; then a second parse with an environment lookup. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dotenv.h"
#include "../envcheck/envcheck.h"

static int fake_env(void *ctx, const char *name, const char **value)
{
    (void)ctx;
    if (name[0] == 'A' || name[0] == 'E') {
        *value = name[0] == 'A' ? "value" : "";
        return 1;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int pass = 0; pass < 2; pass++) {
        dotenv_file f;
        diag_list d;
        diag_list_init(&d);
        if (dotenv_parse(&f, "fuzz.env", (const char *)data, size, pass ? fake_env : NULL, NULL, NULL, &d) == 0) {
            envcheck_lint(&f, pass, &d);
            for (size_t i = 0; i < f.nentries; i++) {
                const dotenv_entry *e = &f.entries[i];
                if (e->raw_end > f.len || e->raw_start > e->raw_end || e->line > f.nlines + 1 ||
                    (e->value && strlen(e->value) > e->value_len))
                    __builtin_trap();
                (void)dotenv_get(&f, e->key);
            }
        }
        dotenv_free(&f);
        diag_list_free(&d);
    }
    return 0;
}
