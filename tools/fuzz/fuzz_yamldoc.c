/* libFuzzer harness: the YAML document loader over arbitrary bytes (all documents,
 * then a walk of every path-like lookup the rules use). */
#include <stddef.h>
#include <stdint.h>

#include "yamldoc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ydoc_limits limits = {256, 100000, 1u << 20};
    ydoc_reader *r = ydoc_reader_from_buffer((const char *)data, size, 0, &limits);
    if (!r)
        return 0;
    ydoc doc;
    ydoc_error err;
    while (ydoc_reader_next(r, &doc, &err) == 1) {
        const ynode *n = ynode_path(doc.root, "spec.template.spec.containers[0].image");
        (void)ynode_str(n);
        long long v;
        (void)ynode_int(ynode_path(doc.root, "spec.replicas"), &v);
        ydoc_free(&doc);
    }
    ydoc_reader_free(r);
    return 0;
}
