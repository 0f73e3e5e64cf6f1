/* Check suite for probe's availability accounting (outages with thresholds, the
 * in-order timeline) and its latency histogram. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_helpers.h"
#include "../probe/probe.h"

#define MS DURATION_NS_PER_MS

/* Feeds a pattern of 'o'/'f' probes 100 ms apart. */
static void feed(probe_outages *a, const char *pattern)
{
    for (size_t i = 0; pattern[i]; i++)
        probe_outages_feed(a, (int64_t)i * 100 * MS, pattern[i] == 'o');
}

/* One outage per pattern: where it starts and ends (ms) and how many probes failed in it. */
static const struct {
    int success_threshold, failure_threshold;
    const char *pattern;
    int64_t start_ms, end_ms;
    int failed;
} single_outages[] = {
    /* thresholds 1/1: from the first failure to the first success */
    {1, 1, "ooofffoo", 300, 600, 3},
    /* like Kubernetes' probes, 3 successes / 2 failures: the lone failure is ignored; ff starts
     * it at 400; o, ff keep it going; ooo ends it at 1000 */
    {3, 2, "ofoofffoffooooo", 400, 1000, 5},
};

START_TEST(outage_follows_the_thresholds)
{
    probe_outages a;
    probe_outages_init(&a, single_outages[_i].success_threshold, single_outages[_i].failure_threshold);
    feed(&a, single_outages[_i].pattern);
    ck_assert_uint_eq(a.n, 1);
    ck_assert_int_eq(a.items[0].start_ns, single_outages[_i].start_ms * MS);
    ck_assert_int_eq(a.items[0].end_ns, single_outages[_i].end_ms * MS);
    ck_assert_int_eq(a.items[0].failed, single_outages[_i].failed);
    probe_outages_free(&a);
}
END_TEST

START_TEST(unfinished_outage_stays_open)
{
    probe_outages a;
    probe_outages_init(&a, 1, 1);
    feed(&a, "ofoff");
    ck_assert_uint_eq(a.n, 2);
    ck_assert_int_eq(a.items[1].end_ns, -1);
    ck_assert(a.down);
    probe_outages_free(&a);
}
END_TEST

START_TEST(timeline_accounts_out_of_order_results_in_schedule_order)
{
    probe_timeline t;
    probe_timeline_init(&t, 1, 1);
    probe_record ok = {0, 1 * MS, 200, 1, 1, HTTP_OK}, bad = {0, 2 * MS, 0, 0, 1, HTTP_ERR_TIMEOUT};
    /* seq 1 fails slowly, seq 2 answers before it */
    ok.sched_ns = 0;
    probe_timeline_add(&t, 0, &ok);
    ok.sched_ns = 200 * MS;
    ck_assert_int_eq(probe_timeline_add(&t, 2, &ok), 0);
    ck_assert_uint_eq(t.fed, 1);
    bad.sched_ns = 100 * MS;
    ck_assert_int_eq(probe_timeline_add(&t, 1, &bad), 3);
    ck_assert_uint_eq(t.fed, 3);
    ck_assert_uint_eq(t.outages.n, 1);
    ck_assert_int_eq(t.outages.items[0].end_ns, 200 * MS);
    ck_assert_int_eq(t.by_class[HTTP_ERR_TIMEOUT], 1);
    ck_assert_int_eq(t.ok, 2);
    probe_timeline_free(&t);
}
END_TEST

START_TEST(flush_skips_probes_still_in_flight)
{
    probe_timeline t;
    probe_timeline_init(&t, 1, 1);
    probe_record ok = {0, MS, 200, 1, 1, HTTP_OK};
    probe_timeline_add(&t, 0, &ok);
    probe_timeline_add(&t, 2, &ok);
    probe_timeline_flush(&t);
    ck_assert_int_eq(t.ok, 2);
    ck_assert_int_eq(t.failed, 0);
    probe_timeline_free(&t);
}
END_TEST

START_TEST(histogram_percentiles_are_within_one_percent)
{
    probe_hist *h = malloc(sizeof *h);
    probe_hist_init(h);
    for (int64_t v = 1; v <= 100000; v++)
        probe_hist_add(h, v * 1000); /* 1 us .. 100 ms */
    const double qs[] = {0.5, 0.9, 0.99, 0.999};
    for (int i = 0; i < 4; i++) {
        double want = qs[i] * 100000 * 1000, got = (double)probe_hist_quantile(h, qs[i]);
        ck_assert_msg(got > want * 0.99 && got < want * 1.01, "q%.3f: %.0f vs %.0f", qs[i], got, want);
    }
    ck_assert_int_eq(probe_hist_quantile(h, 1), 100000 * 1000);
    ck_assert_int_eq(h->total, 100000);
    probe_hist *g = malloc(sizeof *g);
    probe_hist_init(g);
    probe_hist_add(g, 5);
    probe_hist_add(g, INT64_MAX / 2); /* clamped into the last bucket, max exact */
    probe_hist_merge(h, g);
    ck_assert_int_eq(h->total, 100002);
    ck_assert_int_eq(h->min, 5);
    ck_assert_int_eq(probe_hist_quantile(h, 1), INT64_MAX / 2);
    free(h);
    free(g);
}
END_TEST

START_TEST(empty_histogram_reports_zero)
{
    probe_hist h;
    probe_hist_init(&h);
    ck_assert_int_eq(probe_hist_quantile(&h, 0.99), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("probe outage");
    TCase *tc = tcase_create("outage");
    tcase_add_loop_test(tc, outage_follows_the_thresholds, 0, (int)(sizeof single_outages / sizeof single_outages[0]));
    tcase_add_test(tc, unfinished_outage_stays_open);
    tcase_add_test(tc, timeline_accounts_out_of_order_results_in_schedule_order);
    tcase_add_test(tc, flush_skips_probes_still_in_flight);
    tcase_add_test(tc, histogram_percentiles_are_within_one_percent);
    tcase_add_test(tc, empty_histogram_reports_zero);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
