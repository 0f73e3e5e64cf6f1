/* libFuzzer harness: probe's JSON capture and --json-path code. The input's first line
 * is the path (or PATH=VALUE), the rest is the response body. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../probe/probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *nl = memchr(data, '\n', size);
    if (!nl)
        return 0;
    size_t plen = (size_t)(nl - (const char *)data);
    char *spec = malloc(plen + 3);
    if (!spec)
        return 0;
    memcpy(spec, data, plen);
    spec[plen] = '\0';
    const char *body = nl + 1;
    size_t blen = size - plen - 1;

    char out[512];
    probe_json_lookup(body, blen, spec, out, sizeof out);

    probe_opts o = {0};
    const char *jp[1] = {spec};
    char *cap = NULL;
    if (strchr(spec, '=')) { /* as --json-path PATH=VALUE and --capture NAME=PATH */
        o.json_paths = jp;
        o.njson_paths = spec[0] != '=';
        cap = malloc(plen + 3);
        if (cap) {
            snprintf(cap, plen + 3, "v=%s", strchr(spec, '=') + 1);
            const char *caps[1] = {cap};
            o.captures = caps;
            o.ncaptures = 1;
            char why[512];
            FILE *sink = fopen("/dev/null", "w");
            if (sink) {
                probe_capture_print(&o, body, blen, sink, why, sizeof why);
                fclose(sink);
            }
            o.captures = NULL;
            o.ncaptures = 0;
        }
    }
    http_result res = {200, HTTP_OK, ""};
    char why[1024];
    probe_expect_ok(&o, &res, body, blen, why, sizeof why);
    free(cap);
    free(spec);
    return 0;
}
