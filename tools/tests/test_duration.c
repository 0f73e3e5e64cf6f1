/* Check suite for tools/lib/duration: the durations every flag accepts. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_helpers.h"
#include "duration.h"

static const struct {
    const char *in;
    int64_t ns;
} good[] = {
    {"250ms", 250 * DURATION_NS_PER_MS}, {"2s", 2 * DURATION_NS_PER_S},
    {"1m", 60 * DURATION_NS_PER_S}, {"1.5s", 1500 * DURATION_NS_PER_MS},
    {"1m30s", 90 * DURATION_NS_PER_S}, {"2h", 7200 * DURATION_NS_PER_S},
    {"100us", 100000}, {"7ns", 7}, {"0s", 0}, {".5s", 500 * DURATION_NS_PER_MS},
    {"0.001s", DURATION_NS_PER_MS},
};

START_TEST(parses_valid_durations)
{
    int64_t ns = -1;
    char err[128];
    ck_assert_int_eq(duration_parse(good[_i].in, &ns, err, sizeof err), 0);
    ck_assert_msg(ns == good[_i].ns, "%s gave %lld", good[_i].in, (long long)ns);
}
END_TEST

static const char *bad[] = {"", "5", "-1s", "s", "1x", "1.2.3s", "abc", "1s2",
                            "99999999999999999999s", "9999999999h", " 1s", "1 s"};

START_TEST(rejects_invalid_durations_with_a_reason)
{
    int64_t ns = 42;
    char err[128] = "";
    ck_assert_int_eq(duration_parse(bad[_i], &ns, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "duration") != NULL, "error for '%s' was '%s'", bad[_i], err);
    ck_assert(ns == 42);
}
END_TEST

START_TEST(missing_unit_is_named)
{
    int64_t ns;
    char err[128];
    duration_parse("5", &ns, err, sizeof err);
    ck_assert_ptr_nonnull(strstr(err, "missing unit"));
}
END_TEST

START_TEST(formats_seconds_and_milliseconds)
{
    char buf[32];
    duration_format(2310 * DURATION_NS_PER_MS, buf, sizeof buf);
    ck_assert_str_eq(buf, "2.31 s");
    duration_format(250 * DURATION_NS_PER_MS, buf, sizeof buf);
    ck_assert_str_eq(buf, "250 ms");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("duration");
    TCase *tc = tcase_create("parse");
    tcase_add_loop_test(tc, parses_valid_durations, 0, sizeof good / sizeof good[0]);
    tcase_add_loop_test(tc, rejects_invalid_durations_with_a_reason, 0, sizeof bad / sizeof bad[0]);
    tcase_add_test(tc, missing_unit_is_named);
    tcase_add_test(tc, formats_seconds_and_milliseconds);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
