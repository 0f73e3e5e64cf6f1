/* Check suite for `probe watch`: fixed schedule, outage accounting with thresholds,
 * CSV/JSON timelines, and Ctrl-C printing the summary. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_helpers.h"
#include "testserver.h"
#include "yamldoc.h"

START_TEST(outage_of_known_length_is_measured_within_one_interval)
{
    /* down from 0.5 s to 1.3 s into a 2.2 s run probed every 50 ms */
    testserver_cmd(test_srv, "outage-at 500 800");
    tool_run r = PROBE("watch", testserver_url(test_srv, "/"), "--interval", "50ms", "--duration", "2200ms");
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.out, "outages: 1,"), "%s", r.out);
    double len = number_after(r.out, "outages: 1, longest ");
    /* one interval for each edge plus margin for a loaded 2-core machine */
    ck_assert_msg(len > 0.8 - 0.05 - 0.25 && len < 0.8 + 0.05 + 0.25, "outage %.2f s: %s", len, r.out);
    double start = number_after(r.out, "outage 1: ");
    ck_assert_msg(start > 0.3 && start < 0.9, "outage started at %.2f s", start);
    ck_assert_msg(strstr(r.err, "down at") && strstr(r.err, "up at"), "%s", r.err);
    double probes = number_after(r.out, "/: ");
    ck_assert_msg(probes >= 35 && probes <= 46, "%.0f probes in 2.2 s at 50 ms", probes);
    tool_run_free(&r);
}
END_TEST

START_TEST(slow_answers_do_not_delay_the_schedule)
{
    /* every answer takes 300 ms, probes go out every 50 ms regardless */
    testserver_cmd(test_srv, "delay 300");
    tool_run r = PROBE("watch", testserver_url(test_srv, "/"), "--interval", "50ms", "--duration", "1500ms");
    ck_assert_msg(r.status == 0, "%s", r.err);
    double probes = number_after(r.out, "/: ");
    /* closed-model probing would manage at most 5; in-flight ones at the end are dropped */
    ck_assert_msg(probes >= 15, "%.0f probes: %s", probes, r.out);
    ck_assert_msg(number_after(r.out, "p50 ") >= 290, "%s", r.out);
    tool_run_free(&r);
}
END_TEST

START_TEST(failure_threshold_ignores_short_blips)
{
    /* one lone failure, then four in a row: only the second run is an outage */
    testserver_cmd(test_srv, "pattern ooofoooffffoooo");
    tool_run r = PROBE("watch", testserver_url(test_srv, "/"), "--interval", "30ms", "--duration",
                       "900ms", "--failure-threshold", "2");
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.out, "outages: 1,") && strstr(r.out, ", 4 failed probes"), "%s", r.out);
    ck_assert_msg(strstr(r.out, " 5 failed,"), "%s", r.out);
    tool_run_free(&r);
}
END_TEST

START_TEST(success_threshold_ends_an_outage_at_the_first_of_n_successes)
{
    /* f f o f f o o o: the lone success does not end the outage */
    testserver_cmd(test_srv, "pattern ffoffooo");
    tool_run r = PROBE("watch", testserver_url(test_srv, "/"), "--interval", "40ms", "--duration",
                       "700ms", "--success-threshold", "3");
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.out, "outages: 1,") && strstr(r.out, ", 4 failed probes"), "%s", r.out);
    double len = number_after(r.out, "longest ");
    ck_assert_msg(len > 0.17 && len < 0.23, "5 slots of 40 ms, got %.3f s", len);
    tool_run_free(&r);
}
END_TEST

START_TEST(csv_and_json_record_every_probe)
{
    char csv[] = "/tmp/probe-watch-XXXXXX.csv", json[] = "/tmp/probe-watch-XXXXXX.json";
    close(mkstemps(csv, 4));
    close(mkstemps(json, 5));
    testserver_cmd(test_srv, "pattern oofoo");
    tool_run r = PROBE("watch", testserver_url(test_srv, "/"), "--interval", "50ms", "--duration",
                       "500ms", "--csv", csv, "--json", json);
    ck_assert_msg(r.status == 0, "%s", r.err);
    FILE *f = fopen(csv, "r");
    char line[256];
    int rows = 0, bad = 0;
    ck_assert(fgets(line, sizeof line, f) != NULL);
    ck_assert_str_eq(line, "seq,scheduled_s,latency_ms,status,ok,error\n");
    while (fgets(line, sizeof line, f)) {
        rows++;
        bad += strstr(line, ",500,0,") != NULL;
    }
    fclose(f);
    ck_assert_msg(rows >= 8 && rows <= 11, "%d rows", rows);
    ck_assert_int_eq(bad, 1);
    ydoc doc;
    ydoc_error err;
    ck_assert_msg(ydoc_load_path(json, &doc, &err) == 0, "JSON: %s", err.message);
    long long n = 0;
    ck_assert(ynode_int(ynode_path(doc.root, "probes"), &n) == 0);
    ck_assert_int_eq(n, rows);
    ck_assert_uint_eq(ynode_path(doc.root, "probes_log")->len, (size_t)rows);
    ck_assert_str_eq(ynode_str(ynode_path(doc.root, "probes_log[2].ok")), "false");
    ck_assert_uint_eq(ynode_path(doc.root, "outages")->len, 1);
    ydoc_free(&doc);
    unlink(csv);
    unlink(json);
    tool_run_free(&r);
}
END_TEST

START_TEST(ctrl_c_prints_the_summary)
{
    tool_run r;
    run_tool_interrupted(&r, "probe", (const char *const[]){"watch", testserver_url(test_srv, "/"),
                                                            "--interval", "50ms", NULL}, 600);
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    ck_assert_msg(strstr(r.out, "availability 100.00 %") && strstr(r.out, "latency: p50"), "%s", r.out);
    tool_run_free(&r);
}
END_TEST

START_TEST(ongoing_outage_at_the_end_is_reported)
{
    testserver_cmd(test_srv, "outage-at 200 10000");
    tool_run r = PROBE("watch", testserver_url(test_srv, "/"), "--interval", "50ms", "--duration", "600ms");
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.out, "(ongoing)"), "%s", r.out);
    tool_run_free(&r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("probe watch");
    TCase *tc = tcase_create("watch");
    tcase_add_checked_fixture(tc, testserver_fixture_start, testserver_fixture_stop);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, outage_of_known_length_is_measured_within_one_interval);
    tcase_add_test(tc, slow_answers_do_not_delay_the_schedule);
    tcase_add_test(tc, failure_threshold_ignores_short_blips);
    tcase_add_test(tc, success_threshold_ends_an_outage_at_the_first_of_n_successes);
    tcase_add_test(tc, csv_and_json_record_every_probe);
    tcase_add_test(tc, ctrl_c_prints_the_summary);
    tcase_add_test(tc, ongoing_outage_at_the_end_is_reported);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
