/* Check suite for probe's expectations: status specs, JSON paths and captures. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_helpers.h"
#include "../probe/probe.h"

START_TEST(status_specs_match_codes_classes_and_lists)
{
    ck_assert(probe_status_matches(NULL, 204));
    ck_assert(!probe_status_matches(NULL, 301));
    ck_assert(probe_status_matches("200", 200));
    ck_assert(!probe_status_matches("200", 201));
    ck_assert(probe_status_matches("2xx,404", 404));
    ck_assert(probe_status_matches("5XX", 503));
    ck_assert_int_eq(probe_status_spec_valid("2xx,30x"), -1);
    ck_assert_int_eq(probe_status_spec_valid("abc"), -1);
    ck_assert_int_eq(probe_status_spec_valid("200,"), -1);
    ck_assert_int_eq(probe_status_spec_valid("600"), -1);
    ck_assert_int_eq(probe_status_spec_valid("200,2xx"), 0);
}
END_TEST

START_TEST(json_lookup_finds_scalars_and_names_collections)
{
    const char *body = "{\"a\": {\"b\": [10, \"x y\", null, {\"c\": true}]}, \"s\": \"123\"}";
    char out[128];
    ck_assert_int_eq(probe_json_lookup(body, strlen(body), ".a.b[0]", out, sizeof out), 1);
    ck_assert_str_eq(out, "10");
    ck_assert_int_eq(probe_json_lookup(body, strlen(body), "a.b[1]", out, sizeof out), 1);
    ck_assert_str_eq(out, "x y");
    ck_assert_int_eq(probe_json_lookup(body, strlen(body), "$.a.b[2]", out, sizeof out), 1);
    ck_assert_str_eq(out, "null");
    ck_assert_int_eq(probe_json_lookup(body, strlen(body), ".a.b[3].c", out, sizeof out), 1);
    ck_assert_str_eq(out, "true");
    ck_assert_int_eq(probe_json_lookup(body, strlen(body), ".a", out, sizeof out), 1);
    ck_assert_str_eq(out, "<map>");
    ck_assert_int_eq(probe_json_lookup(body, strlen(body), ".a.b", out, sizeof out), 1);
    ck_assert_str_eq(out, "<seq>");
    ck_assert_int_eq(probe_json_lookup(body, strlen(body), ".s", out, sizeof out), 1);
    ck_assert_str_eq(out, "123");
    ck_assert_int_eq(probe_json_lookup(body, strlen(body), ".a.b[9]", out, sizeof out), 0);
    ck_assert_int_eq(probe_json_lookup(body, strlen(body), ".zz", out, sizeof out), 0);
}
END_TEST

static const char *const not_json[] = {"", "   ", "hello", "<html></html>", "{\"a\": ", "[1, 2",
                                       "{\"a\": \"unterminated}", "{\"a\": 1}}}"};

START_TEST(non_json_bodies_are_rejected_with_a_reason)
{
    char out[256];
    const char *b = not_json[_i];
    ck_assert_int_eq(probe_json_lookup(b, strlen(b), ".a", out, sizeof out), -1);
    ck_assert_msg(strstr(out, "not JSON"), "'%s': %s", b, out);
}
END_TEST

START_TEST(expectations_report_the_first_failure)
{
    probe_opts o = {0};
    const char *paths[] = {".status=ok"};
    o.json_paths = paths;
    o.njson_paths = 1;
    o.contains = "ok";
    http_result res = {200, HTTP_OK, ""};
    char why[512];
    const char *good = "{\"status\": \"ok\"}", *bad = "{\"status\": \"okay\"}";
    ck_assert_int_eq(probe_expect_ok(&o, &res, good, strlen(good), why, sizeof why), 1);
    ck_assert_str_eq(why, "");
    ck_assert_int_eq(probe_expect_ok(&o, &res, bad, strlen(bad), why, sizeof why), 0);
    ck_assert_str_eq(why, "JSON path .status is \"okay\", expected \"ok\"");
    http_result err = {0, HTTP_ERR_TIMEOUT, "Operation timed out"};
    ck_assert_int_eq(probe_expect_ok(&o, &err, NULL, 0, why, sizeof why), 0);
    ck_assert_str_eq(why, "timeout error: Operation timed out");
    http_result s500 = {500, HTTP_OK, ""};
    ck_assert_int_eq(probe_expect_ok(&o, &s500, NULL, 0, why, sizeof why), 0);
    ck_assert_str_eq(why, "status 500, expected 2xx; body: (empty)");
}
END_TEST

START_TEST(captures_print_all_or_nothing)
{
    probe_opts o = {0};
    const char *caps[] = {"id=.id", "name=.user.name", "missing=.nope"};
    o.captures = caps;
    o.ncaptures = 2;
    const char *body = "{\"id\": 5, \"user\": {\"name\": \"ann\"}}";
    char buf[256] = "", why[256];
    FILE *f = fmemopen(buf, sizeof buf, "w");
    ck_assert_int_eq(probe_capture_print(&o, body, strlen(body), f, why, sizeof why), 0);
    fclose(f);
    ck_assert_str_eq(buf, "id=5\nname=ann\n");
    o.ncaptures = 3;
    memset(buf, 0, sizeof buf);
    f = fmemopen(buf, sizeof buf, "w");
    ck_assert_int_eq(probe_capture_print(&o, body, strlen(body), f, why, sizeof why), -1);
    fclose(f);
    ck_assert_str_eq(buf, "");
    ck_assert_str_eq(why, "capture missing: JSON path .nope not found");
}
END_TEST

START_TEST(capture_refuses_collections_and_multiline_values)
{
    probe_opts o = {0};
    const char *caps[] = {"u=.user"};
    o.captures = caps;
    o.ncaptures = 1;
    char why[256];
    const char *body = "{\"user\": {\"name\": \"ann\"}}";
    FILE *f = fopen("/dev/null", "w");
    ck_assert_int_eq(probe_capture_print(&o, body, strlen(body), f, why, sizeof why), -1);
    ck_assert_msg(strstr(why, "not a scalar"), "%s", why);
    const char *ml = "{\"user\": \"two\\nlines\"}";
    ck_assert_int_eq(probe_capture_print(&o, ml, strlen(ml), f, why, sizeof why), -1);
    ck_assert_msg(strstr(why, "spans lines"), "%s", why);
    fclose(f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("probe expect");
    TCase *tc = tcase_create("expect");
    tcase_add_test(tc, status_specs_match_codes_classes_and_lists);
    tcase_add_test(tc, json_lookup_finds_scalars_and_names_collections);
    tcase_add_loop_test(tc, non_json_bodies_are_rejected_with_a_reason, 0,
                        (int)(sizeof not_json / sizeof *not_json));
    tcase_add_test(tc, expectations_report_the_first_failure);
    tcase_add_test(tc, captures_print_all_or_nothing);
    tcase_add_test(tc, capture_refuses_collections_and_multiline_values);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
