/* Check suite for `probe check`: expectations, capture, request options and every
 * classified failure, against a local test server. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_helpers.h"
#include "testserver.h"

START_TEST(healthy_url_passes)
{
    tool_run r = PROBE("check", testserver_url(test_srv, "/health"));
    ck_assert_msg(r.status == 0, "stderr: %s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "answered 200"));
    tool_run_free(&r);
}
END_TEST

START_TEST(unexpected_status_fails_with_status_and_body_excerpt)
{
    testserver_cmd(test_srv, "status 503");
    testserver_cmd(test_srv, "body {\"error\": \"database down\"}");
    tool_run r = PROBE("check", testserver_url(test_srv, "/"));
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "status 503") && strstr(r.err, "database down"), "%s", r.err);
    tool_run_free(&r);
}
END_TEST

START_TEST(expect_accepts_codes_classes_and_lists)
{
    testserver_cmd(test_srv, "status 404");
    tool_run a = PROBE("check", testserver_url(test_srv, "/"), "--expect", "404");
    tool_run b = PROBE("check", testserver_url(test_srv, "/"), "--expect", "2xx,4xx");
    tool_run c = PROBE("check", testserver_url(test_srv, "/"), "--expect", "5xx");
    ck_assert_int_eq(a.status, 0);
    ck_assert_int_eq(b.status, 0);
    ck_assert_int_eq(c.status, 1);
    tool_run_free(&a), tool_run_free(&b), tool_run_free(&c);
}
END_TEST

START_TEST(contains_checks_the_body)
{
    tool_run a = PROBE("check", testserver_url(test_srv, "/"), "--contains", "\"ok\"");
    tool_run b = PROBE("check", testserver_url(test_srv, "/"), "--contains", "nowhere");
    ck_assert_int_eq(a.status, 0);
    ck_assert_int_eq(b.status, 1);
    ck_assert_ptr_nonnull(strstr(b.err, "does not contain \"nowhere\""));
    tool_run_free(&a), tool_run_free(&b);
}
END_TEST

START_TEST(json_path_compares_values)
{
    testserver_cmd(test_srv, "body {\"status\": \"ok\", \"db\": {\"up\": true, \"n\": [1, 2, 3]}}");
    tool_run a = PROBE("check", testserver_url(test_srv, "/"), "--json-path", ".status=ok",
                       "--json-path", "db.up=true", "--json-path", ".db.n[2]=3");
    ck_assert_msg(a.status == 0, "%s", a.err);
    tool_run b = PROBE("check", testserver_url(test_srv, "/"), "--json-path", ".status=degraded");
    ck_assert_int_eq(b.status, 1);
    ck_assert_msg(strstr(b.err, "is \"ok\", expected \"degraded\""), "%s", b.err);
    tool_run c = PROBE("check", testserver_url(test_srv, "/"), "--json-path", ".missing=1");
    ck_assert_int_eq(c.status, 1);
    ck_assert_ptr_nonnull(strstr(c.err, "not found"));
    tool_run_free(&a), tool_run_free(&b), tool_run_free(&c);
}
END_TEST

START_TEST(invalid_json_is_a_clear_error)
{
    testserver_cmd(test_srv, "body {\"status\": \"ok\", \"broken\": [1, 2");
    tool_run a = PROBE("check", testserver_url(test_srv, "/"), "--json-path", ".status=ok");
    ck_assert_int_eq(a.status, 1);
    ck_assert_msg(strstr(a.err, "not JSON"), "%s", a.err);
    testserver_cmd(test_srv, "body <html>hello</html>");
    tool_run b = PROBE("check", testserver_url(test_srv, "/"), "--capture", "id=.id");
    ck_assert_int_eq(b.status, 1);
    ck_assert_msg(strstr(b.err, "not JSON"), "%s", b.err);
    ck_assert_str_eq(b.out, "");
    tool_run_free(&a), tool_run_free(&b);
}
END_TEST

START_TEST(capture_prints_name_value_lines)
{
    testserver_cmd(test_srv, "body {\"id\": 42, \"access_token\": \"abc.def\", \"user\": {\"name\": \"ann\"}}");
    tool_run r = PROBE("check", testserver_url(test_srv, "/"), "--capture", "id=.id", "--capture",
                       "TOKEN=.access_token", "--capture", "who=user.name");
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_str_eq(r.out, "id=42\nTOKEN=abc.def\nwho=ann\n");
    tool_run_free(&r);
}
END_TEST

START_TEST(missing_capture_fails_and_prints_nothing)
{
    tool_run r = PROBE("check", testserver_url(test_srv, "/"), "--capture", "id=.id", "--capture",
                       "x=.nope");
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.out, "");
    ck_assert_msg(strstr(r.err, "capture x") && strstr(r.err, "not found"), "%s", r.err);
    tool_run_free(&r);
}
END_TEST

START_TEST(method_header_file_and_data_file_are_sent)
{
    testserver_cmd(test_srv, "echo");
    char hdr[4200], data[4200];
    snprintf(hdr, sizeof hdr, "@%s", fixture("probe/token.txt"));
    snprintf(data, sizeof data, "@%s", fixture("probe/task.json"));
    tool_run r = PROBE("check", testserver_url(test_srv, "/api/tasks"), "--method", "PUT",
                       "--header", hdr, "--data", data, "--capture", "m=.method", "--capture",
                       "a=.authorization", "--capture", "p=.path");
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_str_eq(r.out, "m=PUT\na=Bearer s3cret-token\np=/api/tasks\n");
    tool_run_free(&r);
}
END_TEST

START_TEST(post_with_inline_data_and_capture_for_the_writer)
{
    testserver_cmd(test_srv, "echo");
    tool_run r = PROBE("check", testserver_url(test_srv, "/api/tasks"), "--method", "POST",
                       "--data", "title=x", "--header", "Content-Type: text/plain",
                       "--capture", "m=.method", "--capture", "b=.body");
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_str_eq(r.out, "m=POST\nb=title=x\n");
    tool_run_free(&r);
}
END_TEST

START_TEST(bad_header_file_never_echoes_its_content)
{
    char hdr[4200];
    snprintf(hdr, sizeof hdr, "@%s", fixture("probe/bad-header.txt"));
    tool_run r = PROBE("check", testserver_url(test_srv, "/"), "--header", hdr);
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_null(strstr(r.err, "this is not a header"));
    ck_assert_ptr_nonnull(strstr(r.err, "line 1"));
    tool_run_free(&r);
}
END_TEST

START_TEST(refused_connection_is_a_connect_error)
{
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", testserver_free_port());
    tool_run r = PROBE("check", url);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "connect error"), "%s", r.err);
    tool_run_free(&r);
}
END_TEST

START_TEST(unknown_host_is_a_dns_error)
{
    tool_run r = PROBE("check", "http://no-such-host.invalid/", "--timeout", "5s");
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "dns error") || strstr(r.err, "timeout error"), "%s", r.err);
    tool_run_free(&r);
}
END_TEST

/* A faulty server (the test server's command) gives a classified error: the message has want
 * (or or_want) and, when set, and_want. opt/val is the option the case needs, if any (a NULL
 * opt ends the argument list there). */
static const struct {
    const char *cmd, *opt, *val, *want, *or_want, *and_want;
} faults[] = {
    {"hang", "--timeout", "300ms", "timeout error", NULL, NULL},         /* never answers */
    {"noaccept", "--timeout", "300ms", "timeout error", NULL, NULL},     /* listens, never accepts */
    {"close", NULL, NULL, "read error", NULL, NULL},                     /* closes without answer */
    {"huge 104857600", "--max-body", "256k", "body-cap error", NULL, "262144"}, /* 100 MB body */
    {"garbage", NULL, NULL, "read error", "protocol error", NULL},       /* chunked garbage */
};

START_TEST(faulty_server_gives_a_classified_error)
{
    testserver_cmd(test_srv, faults[_i].cmd);
    tool_run r = PROBE("check", testserver_url(test_srv, "/"), faults[_i].opt, faults[_i].val);
    ck_assert_int_eq(r.status, 1);
    int want = strstr(r.err, faults[_i].want) || (faults[_i].or_want && strstr(r.err, faults[_i].or_want));
    ck_assert_msg(want && (!faults[_i].and_want || strstr(r.err, faults[_i].and_want)), "%s: %s",
                  faults[_i].cmd, r.err);
    tool_run_free(&r);
}
END_TEST

START_TEST(tls_failure_is_a_tls_error)
{
    /* the test server speaks plain HTTP: a TLS handshake against it fails */
    char url[64];
    snprintf(url, sizeof url, "https://127.0.0.1:%d/", testserver_port(test_srv));
    tool_run r = PROBE("check", url, "--timeout", "2s");
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "tls error"), "%s", r.err);
    tool_run_free(&r);
}
END_TEST

static const char *const usage_errors[][6] = {
    {"check", NULL},
    {"check", "http://x/", "--expect", "abc", NULL},
    {"check", "http://x/", "--timeout", "5", NULL},
    {"check", "ftp://x/", NULL},
    {"check", "http://x/", "--bogus", NULL},
    {"wait", "http://x/", "--capture", "a=.b", NULL},
    {"check", "http://x/", "--capture", "noequals", NULL},
    {"recover", "http://x/", "--within", "1s", NULL},
    {"load", "http://x/", "-n", "10", "-d", "1s"},
    {"frobnicate", NULL},
    {"check", "http://127.0.0.1/a b", NULL},
    {"load", "http://x/", "--rate", "0", NULL},
    {"watch", "http://x/", "http://y/", NULL},
};

START_TEST(usage_errors_exit_2_with_a_reason)
{
    tool_run r = run_tool("probe", usage_errors[_i], NULL, NULL);
    ck_assert_msg(r.status == 2, "case %d exit %d: %s", _i, r.status, r.err);
    ck_assert_msg(strstr(r.err, "probe: "), "case %d: %s", _i, r.err);
    tool_run_free(&r);
}
END_TEST

START_TEST(help_exits_0)
{
    tool_run r = PROBE("--help");
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "probe recover URL --within"));
    tool_run_free(&r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("probe check");
    TCase *tc = tcase_create("check");
    tcase_add_checked_fixture(tc, testserver_fixture_start, testserver_fixture_stop);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, healthy_url_passes);
    tcase_add_test(tc, unexpected_status_fails_with_status_and_body_excerpt);
    tcase_add_test(tc, expect_accepts_codes_classes_and_lists);
    tcase_add_test(tc, contains_checks_the_body);
    tcase_add_test(tc, json_path_compares_values);
    tcase_add_test(tc, invalid_json_is_a_clear_error);
    tcase_add_test(tc, capture_prints_name_value_lines);
    tcase_add_test(tc, missing_capture_fails_and_prints_nothing);
    tcase_add_test(tc, method_header_file_and_data_file_are_sent);
    tcase_add_test(tc, post_with_inline_data_and_capture_for_the_writer);
    tcase_add_test(tc, bad_header_file_never_echoes_its_content);
    tcase_add_test(tc, refused_connection_is_a_connect_error);
    tcase_add_test(tc, unknown_host_is_a_dns_error);
    tcase_add_loop_test(tc, faulty_server_gives_a_classified_error, 0, (int)(sizeof faults / sizeof faults[0]));
    tcase_add_test(tc, tls_failure_is_a_tls_error);
    tcase_add_loop_test(tc, usage_errors_exit_2_with_a_reason, 0,
                        (int)(sizeof usage_errors / sizeof *usage_errors));
    tcase_add_test(tc, help_exits_0);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
