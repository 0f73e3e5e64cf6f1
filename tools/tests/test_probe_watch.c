/* Check suite for `probe watch`: fixed schedule, outage accounting with thresholds,
 * CSV/JSON timelines, and Ctrl-C printing the summary. The tests run under ASan on busy
 * shared cores: they assert the logic (what the recorded probes imply), not the clock. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_helpers.h"
#include "testserver.h"
#include "yamldoc.h"

/* The tests below check what probe watch concludes from the probes it recorded (its
 * --json log), never how many probes a loaded machine managed in a wall-clock window. */

/* Runs probe watch on the test server with --json into a temporary file; loads it. */
static tool_run watch_json(ydoc *doc, const char *interval, const char *duration)
{
    char json[] = "/tmp/probe-watch-XXXXXX.json";
    close(mkstemps(json, 5));
    tool_run r = PROBE("watch", testserver_url(test_srv, "/"), "--interval", interval,
                       "--duration", duration, "--json", json);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ydoc_error err;
    ck_assert_msg(ydoc_load_path(json, doc, &err) == 0, "JSON: %s", err.message);
    unlink(json);
    return r;
}

static double num(const ynode *n, const char *path)
{
    const char *s = ynode_str(ynode_path(n, path));
    ck_assert_msg(s != NULL, "no %s", path);
    return atof(s);
}

/* The log holds probes 0..n-1 scheduled every interval_s from 0, whatever their answers
 * took (the open model's fixed schedule); returns n. */
static size_t check_fixed_schedule(const ydoc *doc, double interval_s)
{
    const ynode *log = ynode_path(doc->root, "probes_log");
    ck_assert_ptr_nonnull(log);
    for (size_t i = 0; i < log->len; i++) {
        double at = num(log->children[i], "scheduled_s");
        ck_assert_msg(at > (double)i * interval_s - 0.0011 && at < (double)i * interval_s + 0.0011,
                      "probe %zu scheduled at %.3f s", i, at);
    }
    ck_assert_uint_eq((size_t)num(doc->root, "probes"), log->len);
    return log->len;
}

START_TEST(outage_is_accounted_from_the_probes_that_saw_it)
{
    /* down from 0.5 s to 1.3 s into a 2.2 s run probed every 50 ms */
    testserver_cmd(test_srv, "outage-at 500 800");
    ydoc doc;
    tool_run r = watch_json(&doc, "50ms", "2200ms");
    size_t n = check_fixed_schedule(&doc, 0.05);
    ck_assert_msg(n <= 45, "%zu probes: more than the schedule holds", n);
    ck_assert_uint_eq((size_t)number_after(r.out, "/: "), n);
    /* the failed probes are one run; the outage is from the first of them to the first
     * success after them */
    const ynode *log = ynode_path(doc.root, "probes_log");
    size_t first = n, last = 0, failed = 0;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(ynode_str(ynode_path(log->children[i], "ok")), "false")) {
            first = first < i ? first : i;
            last = i;
            failed++;
        }
    ck_assert_msg(failed >= 1 && last - first + 1 == failed && last + 1 < n,
                  "failed probes %zu..%zu (%zu)", first, last, failed);
    ck_assert_uint_eq(ynode_path(doc.root, "outages")->len, 1);
    const ynode *o = ynode_path(doc.root, "outages[0]");
    double start = num(log->children[first], "scheduled_s");
    double end = num(log->children[last + 1], "scheduled_s");
    ck_assert_msg(num(o, "start_s") == start && num(o, "end_s") == end, "%s", r.out);
    ck_assert_uint_eq((size_t)num(o, "failed"), failed);
    ck_assert_msg(num(o, "length_s") > end - start - 0.0011 && num(o, "length_s") < end - start + 0.0011,
                  "%s", r.out);
    ck_assert_msg(strstr(r.out, "outages: 1,"), "%s", r.out);
    ck_assert_msg(strstr(r.err, "down at") && strstr(r.err, "up at"), "%s", r.err);
    ydoc_free(&doc);
    tool_run_free(&r);
}
END_TEST

START_TEST(slow_answers_do_not_delay_the_schedule)
{
    /* every answer takes 300 ms, probes go out every 50 ms regardless */
    testserver_cmd(test_srv, "delay 300");
    ydoc doc;
    tool_run r = watch_json(&doc, "50ms", "1500ms");
    size_t n = check_fixed_schedule(&doc, 0.05);
    /* a probe went out while an earlier one was still waiting for its answer: a closed
     * model (one at a time) never does that */
    const ynode *log = ynode_path(doc.root, "probes_log");
    int overlap = 0;
    for (size_t i = 0; i + 1 < n; i++)
        overlap |= num(log->children[i + 1], "scheduled_s") <
                   num(log->children[i], "scheduled_s") + num(log->children[i], "latency_ms") / 1000;
    ck_assert_msg(n >= 2 && overlap, "%zu probes, none in flight together: %s", n, r.out);
    /* no answer can come faster than the server's delay */
    ck_assert_msg(number_after(r.out, "p50 ") >= 290, "%s", r.out);
    ydoc_free(&doc);
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
    ck_assert_int_eq(bad, 1);
    ydoc doc;
    ydoc_error err;
    ck_assert_msg(ydoc_load_path(json, &doc, &err) == 0, "JSON: %s", err.message);
    ck_assert_uint_eq(check_fixed_schedule(&doc, 0.05), (size_t)rows);
    ck_assert_uint_eq((size_t)number_after(r.out, "/: "), (size_t)rows);
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
    tcase_add_test(tc, outage_is_accounted_from_the_probes_that_saw_it);
    tcase_add_test(tc, slow_answers_do_not_delay_the_schedule);
    tcase_add_test(tc, failure_threshold_ignores_short_blips);
    tcase_add_test(tc, success_threshold_ends_an_outage_at_the_first_of_n_successes);
    tcase_add_test(tc, csv_and_json_record_every_probe);
    tcase_add_test(tc, ctrl_c_prints_the_summary);
    tcase_add_test(tc, ongoing_outage_at_the_end_is_reported);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
