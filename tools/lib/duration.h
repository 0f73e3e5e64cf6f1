/* duration: "250ms", "2s", "1.5s", "1m30s", "2h" <-> nanoseconds (Go's time.ParseDuration
 * syntax without signs: a unit is mandatory, ns/us/ms/s/m/h). */
#ifndef TODO_DURATION_H
#define TODO_DURATION_H

#include <stddef.h>
#include <stdint.h>

#define DURATION_NS_PER_MS INT64_C(1000000)
#define DURATION_NS_PER_S INT64_C(1000000000)

/* Parses s into *out_ns. Returns 0, or -1 with a human sentence in err (e.g.
 * "missing unit in duration \"5\" (write 5s or 5ms)"). */
int duration_parse(const char *s, int64_t *out_ns, char *err, size_t errlen);
/* Formats ns as seconds with two decimals, e.g. "2.31 s" or "250 ms" below one second. */
void duration_format(int64_t ns, char *buf, size_t len);

#endif
