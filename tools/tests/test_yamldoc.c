/* Check suite for tools/lib/yamldoc: positions, paths, scalars, multi-document
 * streams, and the limits that make hostile YAML an error instead of a crash. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_helpers.h"
#include "yamldoc.h"

/* Loads the first document of text; returns the reader's result. */
static int load(const char *text, ydoc *doc, ydoc_error *err, const ydoc_limits *limits)
{
    ydoc_reader *r = ydoc_reader_from_buffer(text, strlen(text), 0, limits);
    ck_assert_ptr_nonnull(r);
    int rc = ydoc_reader_next(r, doc, err);
    ydoc_reader_free(r);
    return rc;
}

START_TEST(nodes_carry_line_and_column)
{
    ydoc doc;
    ydoc_error err;
    ck_assert_int_eq(load("a: 1\nspec:\n  containers:\n    - name: x\n      image: nginx\n", &doc, &err, NULL), 1);
    const ynode *img = ynode_path(doc.root, "spec.containers[0].image");
    ck_assert_str_eq(ynode_str(img), "nginx");
    ck_assert_uint_eq(img->line, 5);
    ck_assert_uint_eq(img->col, 14);
    ydoc_free(&doc);
}
END_TEST

START_TEST(json_is_read_and_jq_paths_work)
{
    ydoc doc;
    ydoc_error err;
    ck_assert_int_eq(load("{\"access_token\": \"abc\", \"user\": {\"id\": 7}, \"l\": [1, \"two\"]}", &doc, &err, NULL), 1);
    ck_assert_str_eq(ynode_str(ynode_path(doc.root, ".access_token")), "abc");
    long long id;
    ck_assert_int_eq(ynode_int(ynode_path(doc.root, "$.user.id"), &id), 0);
    ck_assert_int_eq(id, 7);
    ck_assert_str_eq(ynode_str(ynode_path(doc.root, "l[1]")), "two");
    ck_assert_ptr_null(ynode_path(doc.root, "l[2]"));
    ck_assert_ptr_null(ynode_path(doc.root, "user.id.x"));
    ydoc_free(&doc);
}
END_TEST

START_TEST(scalar_types_respect_quotes)
{
    ydoc doc;
    ydoc_error err;
    ck_assert_int_eq(load("a: true\nb: \"true\"\nc: ~\nd: \"\"\ne: 0x10\nf:\n", &doc, &err, NULL), 1);
    int b;
    ck_assert_int_eq(ynode_bool(ynode_map_get(doc.root, "a"), &b), 0);
    ck_assert_int_eq(b, 1);
    ck_assert_int_eq(ynode_bool(ynode_map_get(doc.root, "b"), &b), -1);
    ck_assert(ynode_is_null(ynode_map_get(doc.root, "c")));
    ck_assert(!ynode_is_null(ynode_map_get(doc.root, "d")));
    ck_assert(ynode_is_null(ynode_map_get(doc.root, "f")));
    ck_assert(ynode_is_null(ynode_map_get(doc.root, "missing")));
    long long v;
    ck_assert_int_eq(ynode_int(ynode_map_get(doc.root, "e"), &v), 0);
    ck_assert_int_eq(v, 16);
    ydoc_free(&doc);
}
END_TEST

START_TEST(streams_yield_each_document_with_its_line)
{
    const char *text = "a: 1\n---\nb: 2\n---\n---\nc: 3\n";
    ydoc_reader *r = ydoc_reader_from_buffer(text, strlen(text), 100, NULL);
    ydoc doc;
    ydoc_error err;
    unsigned lines[4];
    int nulls[4];
    int n = 0, rc;
    while ((rc = ydoc_reader_next(r, &doc, &err)) == 1) {
        nulls[n] = ynode_is_null(doc.root);
        lines[n++] = doc.root ? doc.root->line : 0;
        ydoc_free(&doc);
    }
    ck_assert_int_eq(rc, 0);
    ck_assert_int_eq(n, 4);
    ck_assert_uint_eq(lines[0], 101);
    ck_assert_uint_eq(lines[1], 103);
    ck_assert(nulls[2] && !nulls[1]); /* an empty document is a null scalar */
    ck_assert_uint_eq(lines[3], 106);
    ydoc_reader_free(r);
}
END_TEST

START_TEST(syntax_errors_have_positions)
{
    ydoc doc;
    ydoc_error err;
    ck_assert_int_eq(load("a: 1\nb: [1, 2\nc: 3\n", &doc, &err, NULL), -1);
    ck_assert_uint_gt(err.line, 1);
    ck_assert_uint_gt(err.col, 0);
    ck_assert(strlen(err.message) > 0);
}
END_TEST

START_TEST(aliases_share_nodes_and_unknown_alias_is_an_error)
{
    ydoc doc;
    ydoc_error err;
    ck_assert_int_eq(load("base: &b {x: 1}\nother: *b\n", &doc, &err, NULL), 1);
    ck_assert_ptr_eq(ynode_map_get(doc.root, "base"), ynode_map_get(doc.root, "other"));
    ydoc_free(&doc);
    ck_assert_int_eq(load("a: *nope\n", &doc, &err, NULL), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "unknown anchor"));
}
END_TEST

START_TEST(billion_laughs_is_refused)
{
    char text[4096] = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
    const char prev[] = "abcdefghi";
    for (int i = 1; i < 9; i++) {
        char line[256];
        char p = prev[i - 1], c = prev[i];
        snprintf(line, sizeof line, "%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n",
                 c, c, p, p, p, p, p, p, p, p, p, p);
        strcat(text, line);
    }
    ydoc doc;
    ydoc_error err;
    ck_assert_int_eq(load(text, &doc, &err, NULL), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "alias bomb"));
}
END_TEST

START_TEST(deep_nesting_is_refused)
{
    size_t depth = 10000;
    char *text = malloc(2 * depth + 1);
    memset(text, '[', depth);
    memset(text + depth, ']', depth);
    text[2 * depth] = '\0';
    ydoc doc;
    ydoc_error err;
    ck_assert_int_eq(load(text, &doc, &err, NULL), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "nesting deeper"));
    free(text);
}
END_TEST

START_TEST(huge_scalar_is_refused)
{
    ydoc_limits limits = {0, 0, 1024};
    char text[4096] = "a: ";
    memset(text + 3, 'x', 2000);
    text[2003] = '\0';
    ydoc doc;
    ydoc_error err;
    ck_assert_int_eq(load(text, &doc, &err, &limits), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "exceeds the limit"));
}
END_TEST

START_TEST(invalid_utf8_is_an_error)
{
    ydoc doc;
    ydoc_error err;
    ck_assert_int_eq(load("a: \xff\xfe\n", &doc, &err, NULL), -1);
    ck_assert(strlen(err.message) > 0);
}
END_TEST

START_TEST(load_path_reports_missing_file)
{
    ydoc doc;
    ydoc_error err;
    ck_assert_int_eq(ydoc_load_path("/nonexistent/x.yaml", &doc, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "cannot open"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("yamldoc");
    TCase *tc = tcase_create("load");
    tcase_add_test(tc, nodes_carry_line_and_column);
    tcase_add_test(tc, json_is_read_and_jq_paths_work);
    tcase_add_test(tc, scalar_types_respect_quotes);
    tcase_add_test(tc, streams_yield_each_document_with_its_line);
    tcase_add_test(tc, syntax_errors_have_positions);
    tcase_add_test(tc, aliases_share_nodes_and_unknown_alias_is_an_error);
    tcase_add_test(tc, billion_laughs_is_refused);
    tcase_add_test(tc, deep_nesting_is_refused);
    tcase_add_test(tc, huge_scalar_is_refused);
    tcase_add_test(tc, invalid_utf8_is_an_error);
    tcase_add_test(tc, load_path_reports_missing_file);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
