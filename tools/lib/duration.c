/* duration: parsing and printing of the durations every tool's flags take. */
#include "duration.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    int64_t ns;
} units[] = {
    {"ns", 1}, {"us", 1000}, {"\xc2\xb5s", 1000}, {"ms", DURATION_NS_PER_MS},
    {"s", DURATION_NS_PER_S}, {"m", 60 * DURATION_NS_PER_S}, {"h", 3600 * DURATION_NS_PER_S},
};

/* Reports a parse error for input s, quoting at most 40 bytes of it. */
static int fail(char *err, size_t errlen, const char *s, const char *why)
{
    if (err && errlen)
        snprintf(err, errlen, "%s in duration \"%.40s%s\" (write e.g. 250ms, 2s, 1m30s)", why, s,
                 strlen(s) > 40 ? "..." : "");
    return -1;
}

int duration_parse(const char *s, int64_t *out_ns, char *err, size_t errlen)
{
    if (!s || !*s)
        return fail(err, errlen, s ? s : "", "empty value");
    const char *p = s;
    int64_t total = 0;
    while (*p) {
        if (!(*p >= '0' && *p <= '9') && *p != '.')
            return fail(err, errlen, s, *p == '-' ? "negative value" : "expected a number");
        /* integer part and fraction, kept exact: value = whole + frac/scale */
        int64_t whole = 0, frac = 0, scale = 1;
        int digits = 0;
        while (*p >= '0' && *p <= '9') {
            if (whole > (INT64_MAX - 9) / 10)
                return fail(err, errlen, s, "value too large");
            whole = whole * 10 + (*p++ - '0');
            digits++;
        }
        if (*p == '.') {
            p++;
            while (*p >= '0' && *p <= '9') {
                if (scale < INT64_C(1000000000000000)) {
                    frac = frac * 10 + (*p - '0');
                    scale *= 10;
                }
                p++;
                digits++;
            }
        }
        if (!digits)
            return fail(err, errlen, s, "expected a number");
        size_t best = 0;
        int64_t unit = 0;
        for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
            size_t n = strlen(units[i].name);
            if (n > best && !strncmp(p, units[i].name, n)) {
                best = n;
                unit = units[i].ns;
            }
        }
        if (!best)
            return fail(err, errlen, s, *p ? "unknown unit" : "missing unit");
        p += best;
        if (whole > INT64_MAX / unit)
            return fail(err, errlen, s, "value too large");
        int64_t part = whole * unit;
        /* frac/scale of a unit, rounded to the nearest nanosecond */
        long double f = (long double)frac * (long double)unit / (long double)scale;
        int64_t fpart = (int64_t)(f + 0.5L);
        if (part > INT64_MAX - fpart || total > INT64_MAX - part - fpart)
            return fail(err, errlen, s, "value too large");
        total += part + fpart;
    }
    *out_ns = total;
    return 0;
}

void duration_format(int64_t ns, char *buf, size_t len)
{
    if (ns < 0)
        ns = 0;
    if (ns < DURATION_NS_PER_S)
        snprintf(buf, len, "%.0f ms", (double)ns / 1e6);
    else
        snprintf(buf, len, "%.2f s", (double)ns / 1e9);
}
