/* libFuzzer harness: kubelint's whole pipeline over arbitrary bytes: the stream
 * splitter, the YAML loader, every per-object rule, the index and the cross-object
 * rules (findings are collected, never printed). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../kubelint/kubelint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size)
        return 0;
    FILE *f = fmemopen((void *)data, size, "r");
    if (!f)
        return 0;
    kl_ctx ctx;
    kubelint_ctx_init(&ctx);
    ctx.max_findings = 1000;
    ctx.index = kubelint_index_new();
    if (ctx.index && kubelint_input_stream(&ctx, f, "fuzz.yaml") == 0) {
        kubelint_rules_cross(&ctx);
        kubelint_status(&ctx, 1);
    }
    kubelint_index_free(ctx.index);
    kubelint_ctx_free(&ctx);
    fclose(f);
    return 0;
}
