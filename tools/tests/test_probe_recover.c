/* Check suite for `probe recover`: timing of a known outage, failure to recover in
 * time, an unhealthy start, and a fault that causes no failure. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_helpers.h"
#include "testserver.h"
#include "yamldoc.h"

static char pid[32];

/* The fixture's server, and its pid as text for `kill` fault commands. */
static void setup(void)
{
    testserver_fixture_start();
    snprintf(pid, sizeof pid, "%d", (int)testserver_pid(test_srv));
}

static double json_number(const ydoc *doc, const char *path)
{
    const char *s = ynode_str(ynode_path(doc->root, path));
    ck_assert_msg(s != NULL, "no %s", path);
    return atof(s);
}

START_TEST(outage_is_measured_from_the_failed_probes)
{
    testserver_cmd(test_srv, "outage-on-usr1 1500");
    tool_run r = PROBE("recover", testserver_url(test_srv, "/"), "--within", "10s", "--interval",
                       "100ms", "--json", "--", "kill", "-USR1", pid);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ydoc doc;
    ydoc_error err;
    char *path = write_temp(r.out, strlen(r.out));
    ck_assert_msg(ydoc_load_path(path, &doc, &err) == 0, "%s: %s", err.message, r.out);
    double down = json_number(&doc, "down_s"), rec = json_number(&doc, "recovered_s");
    double first = json_number(&doc, "first_failure_s");
    /* the downtime is what the probes saw: the failed ones, one interval (100 ms) each on
     * the fixed schedule (the logic, not how fast a loaded machine sent them) */
    double failed = json_number(&doc, "failed_probes");
    ck_assert_msg(failed >= 1 && down > failed * 0.1 - 0.0015 && down < failed * 0.1 + 0.0015,
                  "down %.3f s with %.0f failed probes", down, failed);
    ck_assert_msg(first >= 0, "first failure after %.3f s", first);
    ck_assert_msg(rec >= down, "recovered %.3f s, down %.3f s", rec, down);
    ck_assert_str_eq(ynode_str(ynode_path(doc.root, "recovered")), "true");
    ck_assert_ptr_nonnull(strstr(r.err, "recovered in "));
    ydoc_free(&doc);
    remove(path);
    free(path);
    tool_run_free(&r);
}
END_TEST

START_TEST(text_report_names_recovery_downtime_and_failed_probes)
{
    testserver_cmd(test_srv, "outage-on-usr1 500");
    tool_run r = PROBE("recover", testserver_url(test_srv, "/"), "--within", "5s", "--interval",
                       "50ms", "--success-threshold", "2", "--", "kill", "-USR1", pid);
    ck_assert_msg(r.status == 0, "%s", r.err);
    double rec = 0, down = 0;
    int failed = 0;
    ck_assert_msg(sscanf(r.out, "recovered in %lf s (down %lf s, %d failed probes)", &rec, &down,
                         &failed) == 3, "%s", r.out);
    ck_assert_msg(down > 0.5 - 0.05 - 0.3 && down < 0.5 + 0.05 + 0.3, "down %.3f", down);
    ck_assert_int_ge(failed, 4);
    tool_run_free(&r);
}
END_TEST

START_TEST(not_recovering_within_the_limit_fails)
{
    testserver_cmd(test_srv, "outage-on-usr1 5000");
    tool_run r = PROBE("recover", testserver_url(test_srv, "/"), "--within", "800ms", "--", "kill",
                       "-USR1", pid);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.out, "not recovered within 800 ms") && strstr(r.out, "connect error"),
                  "%s", r.out);
    tool_run_free(&r);
}
END_TEST

START_TEST(unhealthy_url_is_refused_before_the_fault)
{
    testserver_cmd(test_srv, "status 503");
    tool_run r = PROBE("recover", testserver_url(test_srv, "/"), "--within", "500ms", "--", "kill",
                       "-USR1", pid);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "not healthy before the fault") && strstr(r.err, "503"), "%s", r.err);
    tool_run_free(&r);
}
END_TEST

START_TEST(fault_without_failure_is_reported_as_such)
{
    tool_run r = PROBE("recover", testserver_url(test_srv, "/"), "--within", "500ms", "--", "true");
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.out, "no failure observed within 500 ms"), "%s", r.out);
    tool_run_free(&r);
}
END_TEST

START_TEST(failing_fault_command_is_reported)
{
    tool_run r = PROBE("recover", testserver_url(test_srv, "/"), "--within", "300ms", "--",
                       "/nonexistent/fault-command");
    ck_assert_msg(strstr(r.err, "exited with status 127"), "%s", r.err);
    tool_run_free(&r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("probe recover");
    TCase *tc = tcase_create("recover");
    tcase_add_checked_fixture(tc, setup, testserver_fixture_stop);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, outage_is_measured_from_the_failed_probes);
    tcase_add_test(tc, text_report_names_recovery_downtime_and_failed_probes);
    tcase_add_test(tc, not_recovering_within_the_limit_fails);
    tcase_add_test(tc, unhealthy_url_is_refused_before_the_fault);
    tcase_add_test(tc, fault_without_failure_is_reported_as_such);
    tcase_add_test(tc, failing_fault_command_is_reported);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
