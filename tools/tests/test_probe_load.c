/* Check suite for `probe load`: exact counts with -n, status and error classes,
 * the open model's rate, JSON output and Ctrl-C. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "check_helpers.h"
#include "testserver.h"
#include "yamldoc.h"

/* -n is exact whatever the split: one thread, two threads with an odd count, and more
 * connections than a thread has multi handles (several share each one). */
static const struct {
    const char *conns, *threads, *requests;
} count_cases[] = {{"4", "1", "300"}, {"5", "2", "101"}, {"300", "2", "3000"}};

START_TEST(request_count_is_exact)
{
    const char *n = count_cases[_i].requests;
    tool_run r = PROBE("load", testserver_url(test_srv, "/"), "-c", count_cases[_i].conns, "-t",
                       count_cases[_i].threads, "-n", n);
    ck_assert_msg(r.status == 0, "%s", r.err);
    char want[64], status[64];
    snprintf(want, sizeof want, "requests: %s,", n);
    snprintf(status, sizeof status, "status: 200: %s", n);
    ck_assert_msg(strstr(r.out, want) && strstr(r.out, status), "%s", r.out);
    ck_assert_str_eq(testserver_cmd(test_srv, "count"), n);
    tool_run_free(&r);
}
END_TEST

/* A low soft open-file limit is raised up to the hard one; a low hard limit is a usage error
 * that names the limit. (Check runs every test in its own process: the limits end with it.) */
START_TEST(open_file_limit_is_raised_or_explained)
{
    struct rlimit rl = {.rlim_cur = 64, .rlim_max = 2048};
    ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
    tool_run a = PROBE("load", testserver_url(test_srv, "/"), "-c", "200", "-n", "400");
    ck_assert_msg(a.status == 0 && strstr(a.out, "requests: 400,"), "%s%s", a.out, a.err);
    tool_run_free(&a);
    rl.rlim_cur = rl.rlim_max = 100;
    ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
    tool_run b = PROBE("load", testserver_url(test_srv, "/"), "-c", "200", "-n", "400");
    ck_assert_int_eq(b.status, 2);
    ck_assert_msg(strstr(b.err, "200 connections need about") && strstr(b.err, "ulimit -n 100"), "%s", b.err);
    tool_run_free(&b);
}
END_TEST

START_TEST(status_codes_are_counted)
{
    testserver_cmd(test_srv, "pattern ooof");
    tool_run r = PROBE("load", testserver_url(test_srv, "/"), "-c", "1", "-n", "10");
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.out, "status: 200: 3, 500: 7"), "%s", r.out);
    tool_run_free(&r);
}
END_TEST

/* These run under ASan on busy shared cores: they assert what the logic guarantees
 * (bounds the schedule or the server's delay imply), never a count per wall-clock second. */

START_TEST(duration_bounds_the_run)
{
    tool_run r = PROBE("load", testserver_url(test_srv, "/"), "-c", "2", "-d", "700ms");
    ck_assert_msg(r.status == 0, "%s", r.err);
    /* the run lasts its duration, however many requests fit in it */
    ck_assert_msg(number_after(r.out, "closed model, ") >= 0.69, "%s", r.out);
    ck_assert_msg(number_after(r.out, "requests: ") >= 1, "%s", r.out);
    ck_assert_msg(strstr(r.out, " 0 errors"), "%s", r.out);
    tool_run_free(&r);
}
END_TEST

START_TEST(rate_sets_an_open_model)
{
    /* 4 connections to a local server would send thousands a second; the rate allows at
     * most 100 in 1 s (and the one scheduled at 0) */
    tool_run r = PROBE("load", testserver_url(test_srv, "/"), "-c", "4", "-d", "1s", "--rate", "100");
    ck_assert_msg(r.status == 0, "%s", r.err);
    double n = number_after(r.out, "requests: ");
    ck_assert_msg(n >= 1 && n <= 101, "%.0f requests at 100/s for 1 s", n);
    ck_assert_ptr_nonnull(strstr(r.out, "open model"));
    tool_run_free(&r);
}
END_TEST

START_TEST(open_model_counts_queueing_in_latency)
{
    /* one connection, 100 ms answers, 20 requests/s asked: the k-th request (from 0) is
     * scheduled at 50k ms but cannot be answered before 100(k+1) ms, so with n answered
     * the slowest took at least 100 + 50(n-1) ms from its scheduled send */
    testserver_cmd(test_srv, "delay 100");
    tool_run r = PROBE("load", testserver_url(test_srv, "/"), "-c", "1", "-d", "1500ms", "--rate", "20");
    ck_assert_msg(r.status == 0, "%s", r.err);
    double n = number_after(r.out, "requests: ");
    double floor_ms = (100 + 50 * (n - 1)) * 0.99; /* the histogram's 0.8 % error */
    ck_assert_msg(n >= 2 && number_after(r.out, "max ") >= floor_ms, "%.0f requests, max below "
                  "%.0f ms: %s", n, floor_ms, r.out);
    tool_run_free(&r);
}
END_TEST

START_TEST(errors_are_counted_by_class)
{
    testserver_cmd(test_srv, "hang");
    tool_run a = PROBE("load", testserver_url(test_srv, "/"), "-c", "2", "-n", "2", "--timeout", "200ms");
    ck_assert_int_eq(a.status, 1); /* no response at all */
    ck_assert_msg(strstr(a.out, "timeout 2,"), "%s", a.out);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", testserver_free_port());
    tool_run b = PROBE("load", url, "-c", "2", "-n", "6");
    ck_assert_int_eq(b.status, 1);
    ck_assert_msg(strstr(b.out, "connect 6,"), "%s", b.out);
    ck_assert_msg(strstr(b.err, "no response at all"), "%s", b.err);
    testserver_cmd(test_srv, "close");
    tool_run c = PROBE("load", testserver_url(test_srv, "/"), "-c", "1", "-n", "3");
    ck_assert_msg(strstr(c.out, "read 3,"), "%s", c.out);
    tool_run_free(&a), tool_run_free(&b), tool_run_free(&c);
}
END_TEST

START_TEST(json_report_is_valid)
{
    tool_run r = PROBE("load", testserver_url(test_srv, "/"), "-c", "3", "-n", "50", "--json");
    ck_assert_msg(r.status == 0, "%s", r.err);
    char *path = write_temp(r.out, strlen(r.out));
    ydoc doc;
    ydoc_error err;
    ck_assert_msg(ydoc_load_path(path, &doc, &err) == 0, "%s: %s", err.message, r.out);
    long long n;
    ck_assert(ynode_int(ynode_path(doc.root, "requests"), &n) == 0);
    ck_assert_int_eq(n, 50);
    ck_assert(ynode_int(ynode_path(doc.root, "status.200"), &n) == 0);
    ck_assert_int_eq(n, 50);
    ck_assert_ptr_nonnull(ynode_map_get(ynode_path(doc.root, "latency_ms"), "p99.9"));
    ydoc_free(&doc);
    remove(path);
    free(path);
    tool_run_free(&r);
}
END_TEST

START_TEST(ctrl_c_ends_load_with_the_report)
{
    tool_run r;
    run_tool_interrupted(&r, "probe", (const char *const[]){"load", testserver_url(test_srv, "/"),
                                                            "-c", "2", "-d", "60s", NULL}, 500);
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    ck_assert_msg(strstr(r.out, "req/s") && strstr(r.out, "latency: p50"), "%s", r.out);
    tool_run_free(&r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("probe load");
    TCase *tc = tcase_create("load");
    tcase_add_checked_fixture(tc, testserver_fixture_start, testserver_fixture_stop);
    tcase_set_timeout(tc, 30);
    tcase_add_loop_test(tc, request_count_is_exact, 0, (int)(sizeof count_cases / sizeof count_cases[0]));
    tcase_add_test(tc, open_file_limit_is_raised_or_explained);
    tcase_add_test(tc, status_codes_are_counted);
    tcase_add_test(tc, duration_bounds_the_run);
    tcase_add_test(tc, rate_sets_an_open_model);
    tcase_add_test(tc, open_model_counts_queueing_in_latency);
    tcase_add_test(tc, errors_are_counted_by_class);
    tcase_add_test(tc, json_report_is_valid);
    tcase_add_test(tc, ctrl_c_ends_load_with_the_report);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
