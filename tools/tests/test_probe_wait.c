/* Check suite for `probe wait`: success threshold, deadline, several URLs, progress. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_helpers.h"
#include "testserver.h"

START_TEST(waits_for_n_successes_in_a_row)
{
    /* fail, ok, fail, ok, ok, ok: ready only at the sixth attempt */
    testserver_cmd(test_srv, "pattern fofooo");
    tool_run r = PROBE("wait", testserver_url(test_srv, "/"), "--interval", "50ms",
                       "--success-threshold", "3", "--deadline", "20s");
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.out, "ready at http://127.0.0.1:") && strstr(r.out, " after "), "%s", r.out);
    ck_assert_str_eq(testserver_cmd(test_srv, "count"), "6");
    tool_run_free(&r);
}
END_TEST

START_TEST(reports_state_changes_when_not_a_terminal)
{
    testserver_cmd(test_srv, "pattern ffo");
    tool_run r = PROBE("wait", testserver_url(test_srv, "/"), "--interval", "20ms");
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.err, "failing") && strstr(r.err, "status 500") && strstr(r.err, "ready"),
                  "%s", r.err);
    ck_assert_ptr_null(strstr(r.err, "\033["));
    tool_run_free(&r);
}
END_TEST

START_TEST(server_that_comes_up_late_is_awaited)
{
    testserver_cmd(test_srv, "outage 700");
    tool_run r = PROBE("wait", testserver_url(test_srv, "/"), "--interval", "50ms");
    ck_assert_msg(r.status == 0, "%s", r.err);
    double secs = 0;
    const char *after = strstr(r.out, " after ");
    ck_assert_ptr_nonnull(after);
    sscanf(after, " after %lf", &secs);
    ck_assert_msg(secs >= 0.5, "ready after %.2f s, yet the server was down 0.7 s", secs);
    ck_assert_ptr_nonnull(strstr(r.err, "connect error"));
    tool_run_free(&r);
}
END_TEST

START_TEST(deadline_ends_with_each_urls_last_error)
{
    char dead[64];
    snprintf(dead, sizeof dead, "http://127.0.0.1:%d/health", testserver_free_port());
    tool_run r = PROBE("wait", testserver_url(test_srv, "/"), dead, "--deadline", "600ms",
                       "--interval", "100ms");
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.out, "ready at http://127.0.0.1"), "%s", r.out);
    ck_assert_msg(strstr(r.err, dead) && strstr(r.err, "not ready after 600 ms") &&
                      strstr(r.err, "connect error"), "%s", r.err);
    tool_run_free(&r);
}
END_TEST

START_TEST(hanging_server_does_not_outlive_the_deadline)
{
    testserver_cmd(test_srv, "hang");
    tool_run r = PROBE("wait", testserver_url(test_srv, "/"), "--deadline", "500ms", "--timeout", "10s");
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "no answer yet"), "%s", r.err);
    tool_run_free(&r);
}
END_TEST

START_TEST(expectations_apply_to_wait)
{
    testserver_cmd(test_srv, "body {\"status\": \"starting\"}");
    tool_run r = PROBE("wait", testserver_url(test_srv, "/"), "--json-path", ".status=ok",
                       "--deadline", "400ms", "--interval", "100ms");
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "is \"starting\", expected \"ok\""), "%s", r.err);
    tool_run_free(&r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("probe wait");
    TCase *tc = tcase_create("wait");
    tcase_add_checked_fixture(tc, testserver_fixture_start, testserver_fixture_stop);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, waits_for_n_successes_in_a_row);
    tcase_add_test(tc, reports_state_changes_when_not_a_terminal);
    tcase_add_test(tc, server_that_comes_up_late_is_awaited);
    tcase_add_test(tc, deadline_ends_with_each_urls_last_error);
    tcase_add_test(tc, hanging_server_does_not_outlive_the_deadline);
    tcase_add_test(tc, expectations_apply_to_wait);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
