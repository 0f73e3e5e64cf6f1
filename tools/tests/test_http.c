/* Check suite for tools/lib/http: request options, body cap, error classes and the
 * header/data loaders, against the local test server. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_helpers.h"
#include "http.h"
#include "testserver.h"

static testserver *srv;

static void setup(void)
{
    http_global_init();
    srv = testserver_start();
}

static void teardown(void)
{
    testserver_stop(srv);
    curl_global_cleanup();
}

/* Runs one request synchronously and classifies it. */
static http_result fetch(const http_opts *o, const char *url, http_xfer **keep)
{
    char err[256];
    http_xfer *x = http_xfer_new(o, url, err, sizeof err);
    ck_assert_msg(x != NULL, "%s", err);
    http_result r;
    http_xfer_result(x, curl_easy_perform(x->easy), &r);
    if (keep)
        *keep = x;
    else
        http_xfer_free(x);
    return r;
}

START_TEST(keeps_the_body_and_status)
{
    http_opts o = {0};
    http_xfer *x;
    http_result r = fetch(&o, testserver_url(srv, "/"), &x);
    ck_assert_int_eq(r.cls, HTTP_OK);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(x->body, "{\"status\": \"ok\", \"id\": 7}");
    /* the same transfer runs again after a rewind */
    http_xfer_rewind(x);
    testserver_cmd(srv, "status 418");
    http_result r2;
    http_xfer_result(x, curl_easy_perform(x->easy), &r2);
    ck_assert_int_eq(r2.status, 418);
    ck_assert_uint_eq(x->body_len, strlen("{\"status\": \"ok\", \"id\": 7}"));
    http_xfer_free(x);
}
END_TEST

START_TEST(body_over_the_cap_is_an_error_and_memory_stays_bounded)
{
    testserver_cmd(srv, "huge 5000000");
    http_opts o = {.body_cap = 100000};
    http_xfer *x;
    http_result r = fetch(&o, testserver_url(srv, "/"), &x);
    ck_assert_int_eq(r.cls, HTTP_ERR_BODY_CAP);
    ck_assert_ptr_nonnull(strstr(r.message, "100000-byte cap"));
    ck_assert_uint_le(x->body_alloc, 2 * 100000);
    http_xfer_free(x);
}
END_TEST

START_TEST(discarding_counts_bytes_without_keeping_them)
{
    testserver_cmd(srv, "huge 3000000");
    http_opts o = {.discard_body = 1};
    http_xfer *x;
    http_result r = fetch(&o, testserver_url(srv, "/"), &x);
    ck_assert_int_eq(r.cls, HTTP_OK);
    ck_assert_uint_eq(x->bytes, 3000000);
    ck_assert_ptr_null(x->body);
    http_xfer_free(x);
}
END_TEST

START_TEST(errors_are_classified)
{
    http_opts o = {.timeout_ns = 300000000};
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", testserver_free_port());
    ck_assert_int_eq(fetch(&o, url, NULL).cls, HTTP_ERR_CONNECT);
    testserver_cmd(srv, "hang");
    ck_assert_int_eq(fetch(&o, testserver_url(srv, "/"), NULL).cls, HTTP_ERR_TIMEOUT);
    testserver_cmd(srv, "close");
    ck_assert_int_eq(fetch(&o, testserver_url(srv, "/"), NULL).cls, HTTP_ERR_READ);
    testserver_cmd(srv, "garbage");
    http_result g = fetch(&o, testserver_url(srv, "/"), NULL);
    ck_assert_msg(g.cls == HTTP_ERR_READ || g.cls == HTTP_ERR_PROTOCOL, "%d %s", g.cls, g.message);
    ck_assert_int_eq(fetch(&o, "gopher://127.0.0.1/", NULL).cls, HTTP_ERR_PROTOCOL);
    testserver_cmd(srv, "reset");
    snprintf(url, sizeof url, "https://127.0.0.1:%d/", testserver_port(srv));
    ck_assert_int_eq(fetch(&o, url, NULL).cls, HTTP_ERR_TLS);
}
END_TEST

START_TEST(class_names_are_stable)
{
    ck_assert_str_eq(http_errclass_name(HTTP_OK), "ok");
    ck_assert_str_eq(http_errclass_name(HTTP_ERR_CONNECT), "connect");
    ck_assert_str_eq(http_errclass_name(HTTP_ERR_BODY_CAP), "body-cap");
    ck_assert_str_eq(http_errclass_name(HTTP_ERR_COUNT), "other");
}
END_TEST

START_TEST(headers_come_inline_or_from_a_file)
{
    struct curl_slist *l = NULL;
    char err[256], arg[4200];
    ck_assert_int_eq(http_headers_add(&l, "X-A: 1", err, sizeof err), 0);
    snprintf(arg, sizeof arg, "@%s", fixture("probe/token.txt"));
    ck_assert_int_eq(http_headers_add(&l, arg, err, sizeof err), 0);
    ck_assert_str_eq(l->next->data, "Authorization: Bearer s3cret-token");
    ck_assert_int_eq(http_headers_add(&l, "no colon", err, sizeof err), -1);
    ck_assert_int_eq(http_headers_add(&l, "@/nonexistent/token", err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "cannot read /nonexistent/token"));
    char *empty = write_temp("\n\n", 2);
    snprintf(arg, sizeof arg, "@%s", empty);
    ck_assert_int_eq(http_headers_add(&l, arg, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "holds no header"));
    remove(empty);
    free(empty);
    curl_slist_free_all(l);
}
END_TEST

START_TEST(data_comes_inline_or_from_a_file)
{
    char *d, err[256], arg[4200];
    size_t len;
    ck_assert_int_eq(http_data_load("a=b", &d, &len, err, sizeof err), 0);
    ck_assert_str_eq(d, "a=b");
    free(d);
    snprintf(arg, sizeof arg, "@%s", fixture("probe/task.json"));
    ck_assert_int_eq(http_data_load(arg, &d, &len, err, sizeof err), 0);
    ck_assert_str_eq(d, "{\"title\": \"buy milk\"}");
    ck_assert_uint_eq(len, strlen(d));
    free(d);
    ck_assert_int_eq(http_data_load("@/nonexistent", &d, &len, err, sizeof err), -1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("http");
    TCase *tc = tcase_create("http");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, keeps_the_body_and_status);
    tcase_add_test(tc, body_over_the_cap_is_an_error_and_memory_stays_bounded);
    tcase_add_test(tc, discarding_counts_bytes_without_keeping_them);
    tcase_add_test(tc, errors_are_classified);
    tcase_add_test(tc, class_names_are_stable);
    tcase_add_test(tc, headers_come_inline_or_from_a_file);
    tcase_add_test(tc, data_comes_inline_or_from_a_file);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
