/* Check suite for the envcheck binary: every rule id with a failing and a passing fixture,
 * severities and exit codes, output formats, --environ, secrets never printed, hostile
 * input, and the agreement of the repository's .env.example with env.schema.yaml. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_helpers.h"
#include "envschema.h"
#include "yamldoc.h"

static const char *schema_rules[] = {"missing-required", "invalid-type", "invalid-value",
                                     "placeholder-secret", "weak-secret", "unknown-key"};
static const char *file_rules[] = {
    "unterminated-quote", "invalid-key", "invalid-utf8", "bad-substitution", "duplicated-key",
    "ending-blank-line", "extra-blank-line", "incorrect-delimiter", "key-without-value",
    "leading-character", "lowercase-key", "quote-character", "space-character",
    "substitution-key", "trailing-whitespace", "unordered-key", "value-without-quotes"};

static char schema_path[4096];

static const char *test_schema(void)
{
    snprintf(schema_path, sizeof schema_path, "%s", fixture("env/schema.yaml"));
    return schema_path;
}

static char *fixture_copy(const char *rel)
{
    return strdup(fixture(rel));
}

/* Runs envcheck --strict on rules/<rule>/<which>.env, with the test schema if asked. */
static tool_run run_rule(const char *rule, const char *which, int with_schema)
{
    char rel[256];
    snprintf(rel, sizeof rel, "env/rules/%s/%s.env", rule, which);
    char *path = fixture_copy(rel);
    const char *schema = test_schema();
    const char *args_schema[] = {"--strict", "--schema", schema, path, NULL};
    const char *args_plain[] = {"--strict", path, NULL};
    tool_run r = run_tool("envcheck", with_schema ? args_schema : args_plain, NULL, NULL);
    free(path);
    return r;
}

/* Runs envcheck (with the test schema if asked) on a temporary file holding len bytes of text. */
static tool_run run_text(const char *text, size_t len, int with_schema)
{
    char *path = write_temp(text, len);
    const char *args_schema[] = {"--schema", test_schema(), path, NULL};
    const char *args_plain[] = {path, NULL};
    tool_run r = run_tool("envcheck", with_schema ? args_schema : args_plain, NULL, NULL);
    unlink(path);
    free(path);
    return r;
}

static int has_rule(const char *out, const char *rule)
{
    char tag[128], json[128], sarif[128];
    snprintf(tag, sizeof tag, "[%s]", rule);
    snprintf(json, sizeof json, "\"rule\": \"%s\"", rule);
    snprintf(sarif, sizeof sarif, "\"ruleId\": \"%s\"", rule);
    return strstr(out, tag) || strstr(out, json) || strstr(out, sarif);
}

/* The rule's fail fixture exits 1 and reports it; its pass fixture exits 0 silently. */
static void check_rule(const char *rule, int with_schema)
{
    tool_run r = run_rule(rule, "fail", with_schema);
    ck_assert_msg(r.status == 1, "%s: fail fixture exit %d", rule, r.status);
    ck_assert_msg(has_rule(r.out, rule), "%s: not reported:\n%s", rule, r.out);
    tool_run_free(&r);
    r = run_rule(rule, "pass", with_schema);
    ck_assert_msg(r.status == 0 && !r.out[0], "%s: pass fixture exit %d:\n%s", rule, r.status, r.out);
    tool_run_free(&r);
}

START_TEST(file_rule_fails_and_passes)
{
    check_rule(file_rules[_i], 0);
}
END_TEST

START_TEST(schema_rule_fails_and_passes)
{
    check_rule(schema_rules[_i], 1);
}
END_TEST

START_TEST(diagnostic_format_is_file_line_col_severity_rule)
{
    char *path = write_temp("A=1\nb=2\n", 8);
    const char *args[] = {path, NULL};
    tool_run r = run_tool("envcheck", args, NULL, NULL);
    char want[512];
    snprintf(want, sizeof want, "%s:2:1: warning: [lowercase-key] ", path);
    ck_assert_msg(strstr(r.out, want) != NULL, "got: %s", r.out);
    ck_assert_int_eq(r.status, 0); /* warnings alone pass without --strict */
    tool_run_free(&r);
    const char *strict[] = {"--strict", path, NULL};
    r = run_tool("envcheck", strict, NULL, NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.out, ": error: [lowercase-key]"));
    tool_run_free(&r);
    unlink(path);
    free(path);
}
END_TEST

START_TEST(duplicated_key_with_different_values_is_an_error_naming_both_lines)
{
    const char *text = "A=1\nB=x\nA=2\n";
    tool_run r = run_text(text, strlen(text), 0);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.out, ":3:1: error: [duplicated-key]"));
    ck_assert_ptr_nonnull(strstr(r.out, "lines 1 and 3"));
    tool_run_free(&r);
    text = "A=1\nA=1\n";
    r = run_text(text, strlen(text), 0);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, ":2:1: warning: [duplicated-key]"));
    tool_run_free(&r);
}
END_TEST

START_TEST(usage_and_io_errors_exit_2)
{
    const char *missing[] = {"/nonexistent/dir/.env", NULL};
    tool_run r = run_tool("envcheck", missing, NULL, NULL);
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "/nonexistent/dir/.env"));
    tool_run_free(&r);
    const char *bad_opt[] = {"--bogus", NULL};
    r = run_tool("envcheck", bad_opt, NULL, NULL);
    ck_assert_int_eq(r.status, 2);
    tool_run_free(&r);
    const char *bad_format[] = {"--format", "xml", "-", NULL};
    r = run_tool("envcheck", bad_format, "A=1\n", NULL);
    ck_assert_int_eq(r.status, 2);
    tool_run_free(&r);
    const char *no_schema[] = {"--environ", NULL};
    r = run_tool("envcheck", no_schema, NULL, NULL);
    ck_assert_int_eq(r.status, 2);
    tool_run_free(&r);
    const char *text = "variables:\n  A:\n    type: nosuchtype\n    description: x\n";
    char *schema = write_temp(text, strlen(text));
    const char *bad_schema[] = {"--schema", schema, "-", NULL};
    r = run_tool("envcheck", bad_schema, "A=1\n", NULL);
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, ":3:"));
    ck_assert_ptr_nonnull(strstr(r.err, "nosuchtype"));
    tool_run_free(&r);
    unlink(schema);
    free(schema);
    const char *help[] = {"--help", NULL};
    r = run_tool("envcheck", help, NULL, NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "--environ"));
    tool_run_free(&r);
}
END_TEST

START_TEST(json_output_parses_and_names_rules)
{
    const char *args[] = {"--format", "json", "-", NULL};
    tool_run r = run_tool("envcheck", args, "b=1\nA=\"x\n", NULL);
    ck_assert_int_eq(r.status, 1);
    ydoc_reader *rd = ydoc_reader_from_buffer(r.out, strlen(r.out), 0, NULL);
    ydoc doc;
    ydoc_error err;
    ck_assert_int_eq(ydoc_reader_next(rd, &doc, &err), 1);
    ck_assert_int_eq(doc.root->kind, YNODE_SEQ);
    ck_assert_uint_eq(doc.root->len, 2);
    ck_assert_str_eq(ynode_str(ynode_path(doc.root, "[0].rule")), "lowercase-key");
    ck_assert_str_eq(ynode_str(ynode_path(doc.root, "[1].rule")), "unterminated-quote");
    ck_assert_str_eq(ynode_str(ynode_path(doc.root, "[1].severity")), "error");
    ydoc_free(&doc);
    ydoc_reader_free(rd);
    tool_run_free(&r);
}
END_TEST

/* A file whose secrets are wrong in every way, checked in every format. */
START_TEST(secret_values_are_never_printed)
{
    const char *text = "T_CODE=ABC\nT_DB_URL=mysql://u:Hunter2Secret@h/db\n"
                       "T_TOKEN=secretsecretsecretsecret\nT_TOKEN=Hunter3Secret\n"
                       "T_API_KEY=${NOPE:?Hunter4Secret-not-a-value}\n";
    char *path = write_temp(text, strlen(text));
    const char *formats[] = {"text", "json", "sarif"};
    for (int i = 0; i < 3; i++) {
        const char *args[] = {"--strict", "--format", formats[i], "--schema", test_schema(), path, NULL};
        tool_run r = run_tool("envcheck", args, NULL, NULL);
        ck_assert_int_eq(r.status, 1);
        ck_assert_msg(!strstr(r.out, "Hunter2") && !strstr(r.out, "Hunter3") &&
                          !strstr(r.out, "secretsecret") && !strstr(r.err, "Hunter"),
                      "%s leaks:\n%s", formats[i], r.out);
        ck_assert(has_rule(r.out, "invalid-value"));
        ck_assert(has_rule(r.out, "weak-secret"));
        tool_run_free(&r);
    }
    unlink(path);
    free(path);
}
END_TEST

START_TEST(non_secret_values_are_quoted_to_help)
{
    const char *text = "T_TOKEN=Q7vLk2pX9sRw4ZbN8cYt3HmJ\nT_LEVEL=verbose\n";
    tool_run r = run_text(text, strlen(text), 1);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.out, "T_LEVEL: 'verbose' is not one of: debug, info"));
    tool_run_free(&r);
}
END_TEST

START_TEST(required_when_follows_the_other_variable)
{
    const char *text = "T_TOKEN=Q7vLk2pX9sRw4ZbN8cYt3HmJ\nT_LEVEL=debug\n";
    tool_run r = run_text(text, strlen(text), 1);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.out, "[missing-required] T_API_KEY is required when T_LEVEL=debug"));
    tool_run_free(&r);
}
END_TEST

START_TEST(environ_mode_checks_the_process_environment)
{
    const char *args[] = {"--environ", "--schema", test_schema(), NULL};
    const char *good[] = {"T_TOKEN=Q7vLk2pX9sRw4ZbN8cYt3HmJ", "T_PORT=8080", "PATH_LIKE_EXTRA=ignored", NULL};
    tool_run r = run_tool("envcheck", args, NULL, good);
    ck_assert_msg(r.status == 0 && !r.out[0], "exit %d: %s", r.status, r.out);
    tool_run_free(&r);
    const char *bad[] = {"T_TOKEN=tooshort-Hunter9", "T_PORT=99999", "T_COUNT=lots", "T_LEVEL=debug", NULL};
    r = run_tool("envcheck", args, NULL, bad);
    ck_assert_int_eq(r.status, 1);
    ck_assert(has_rule(r.out, "weak-secret"));
    ck_assert(has_rule(r.out, "invalid-value"));
    ck_assert(has_rule(r.out, "invalid-type"));
    ck_assert(has_rule(r.out, "missing-required")); /* T_API_KEY, because T_LEVEL=debug */
    ck_assert_ptr_nonnull(strstr(r.out, "<environment>:0:0: error: [invalid-value] T_PORT"));
    ck_assert_msg(!strstr(r.out, "99999") && !strstr(r.out, "lots") && !strstr(r.out, "Hunter9"),
                  "values printed:\n%s", r.out);
    tool_run_free(&r);
    const char *missing[] = {"T_PORT=80", NULL};
    r = run_tool("envcheck", args, NULL, missing);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.out, "[missing-required] T_TOKEN is required but not set"));
    tool_run_free(&r);
}
END_TEST

static const char *hostile[] = {"binary.env", "nul-bytes.env", "invalid-utf8.env", "nested.env",
                                "unbalanced.env", "quotes.env"};

START_TEST(hostile_input_gives_a_finding_not_a_crash)
{
    char rel[128];
    snprintf(rel, sizeof rel, "hostile/env/%s", hostile[_i]);
    char *path = fixture_copy(rel);
    const char *args[] = {"--schema", test_schema(), path, NULL};
    tool_run r = run_tool("envcheck", args, NULL, NULL);
    ck_assert_msg(r.status == 1 || r.status == 2, "%s: exit %d\n%s", hostile[_i], r.status, r.err);
    ck_assert_msg(r.out[0] || r.err[0], "%s: no message", hostile[_i]);
    tool_run_free(&r);
    free(path);
}
END_TEST

START_TEST(ten_megabyte_line_is_handled)
{
    size_t n = 10u << 20;
    char *text = malloc(n + 32);
    memcpy(text, "T_HOME_URL=", 11);
    memset(text + 11, 'x', n);
    memcpy(text + 11 + n, " \n\xff\n", 4);
    tool_run r = run_text(text, n + 15, 1);
    ck_assert_int_eq(r.status, 1);
    ck_assert(has_rule(r.out, "invalid-type"));
    ck_assert(has_rule(r.out, "invalid-utf8"));
    ck_assert(has_rule(r.out, "missing-required"));
    ck_assert_msg(strlen(r.out) < 4096, "the value was echoed");
    tool_run_free(&r);
    free(text);
}
END_TEST

/* ---- the repository's own .env.example and env.schema.yaml ---- */

static const char *repo_file(const char *name)
{
    static char path[4096];
    const char *fx = getenv("TOOLS_FIXTURES");
    const char *suffix = "/tools/tests/fixtures";
    size_t n = fx ? strlen(fx) : 0;
    if (fx && n > strlen(suffix) && !strcmp(fx + n - strlen(suffix), suffix))
        snprintf(path, sizeof path, "%.*s/%s", (int)(n - strlen(suffix)), fx, name);
    else
        snprintf(path, sizeof path, "%s", name);
    return path;
}

START_TEST(env_example_documents_every_schema_variable)
{
    char *schema_file = strdup(repo_file("env.schema.yaml"));
    char *example = read_file(repo_file(".env.example"), NULL);
    ck_assert_msg(example != NULL, "cannot open .env.example");
    envschema s;
    char err[512];
    ck_assert_msg(envschema_load_path(&s, schema_file, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_ge(s.len, 16);
    for (size_t i = 0; i < s.len; i++) {
        /* listed as NAME=... or, when optional, as "# NAME=..." */
        char set[128], commented[128];
        snprintf(set, sizeof set, "\n%s=", s.vars[i].name);
        snprintf(commented, sizeof commented, "\n# %s=", s.vars[i].name);
        const char *at = strstr(example, set);
        if (!at) {
            at = strstr(example, commented);
            ck_assert_msg(at != NULL, "%s is missing from .env.example", s.vars[i].name);
            ck_assert_msg(!envschema_is_required(&s, &s.vars[i], NULL, NULL),
                          "%s is required but commented out", s.vars[i].name);
        }
        /* the line before it is a comment (at points at the '\n' ending that line) */
        const char *line = at;
        while (line > example && line[-1] != '\n')
            line--;
        ck_assert_msg(line[0] == '#', "%s has no comment above it", s.vars[i].name);
    }
    envschema_free(&s);
    free(example);
    free(schema_file);
}
END_TEST

START_TEST(env_example_only_fails_on_its_placeholder_secrets)
{
    char *schema_file = strdup(repo_file("env.schema.yaml"));
    char *example = strdup(repo_file(".env.example"));
    const char *args[] = {"--strict", "--schema", schema_file, example, NULL};
    tool_run r = run_tool("envcheck", args, NULL, NULL);
    ck_assert_int_eq(r.status, 1);
    int lines = 0;
    for (char *l = r.out; *l; l = strchr(l, '\n') + 1) {
        ck_assert_msg(strstr(l, "[placeholder-secret]") && strstr(l, "[placeholder-secret]") < strchr(l, '\n'),
                      "unexpected finding: %.*s", (int)(strchr(l, '\n') - l), l);
        lines++;
    }
    ck_assert_int_eq(lines, 3); /* POSTGRES_PASSWORD, DATABASE_URL (its password), JWT_SECRET */
    ck_assert_ptr_nonnull(strstr(r.out, "] POSTGRES_PASSWORD"));
    ck_assert_ptr_nonnull(strstr(r.out, "] JWT_SECRET"));
    ck_assert_ptr_nonnull(strstr(r.out, "] DATABASE_URL"));
    tool_run_free(&r);
    free(schema_file);
    free(example);
}
END_TEST

START_TEST(filled_env_example_passes_strict_check)
{
    char dir[] = "/tmp/envcheck-example-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char env[4200];
    snprintf(env, sizeof env, "%s/.env", dir);
    char *schema_file = strdup(repo_file("env.schema.yaml"));
    char *example = strdup(repo_file(".env.example"));
    const char *fill[] = {"fill", "--schema", schema_file, "--template", example, env, NULL};
    tool_run r = run_tool("secretgen", fill, NULL, NULL);
    ck_assert_msg(r.status == 0, "fill: %s", r.err);
    tool_run_free(&r);
    const char *args[] = {"--strict", "--schema", schema_file, env, NULL};
    r = run_tool("envcheck", args, NULL, NULL);
    ck_assert_msg(r.status == 0 && !r.out[0], "exit %d:\n%s", r.status, r.out);
    tool_run_free(&r);
    unlink(env);
    rmdir(dir);
    free(schema_file);
    free(example);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("envcheck");
    TCase *tc = tcase_create("rules");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, file_rule_fails_and_passes, 0, sizeof file_rules / sizeof *file_rules);
    tcase_add_loop_test(tc, schema_rule_fails_and_passes, 0, sizeof schema_rules / sizeof *schema_rules);
    tcase_add_test(tc, diagnostic_format_is_file_line_col_severity_rule);
    tcase_add_test(tc, duplicated_key_with_different_values_is_an_error_naming_both_lines);
    tcase_add_test(tc, usage_and_io_errors_exit_2);
    tcase_add_test(tc, json_output_parses_and_names_rules);
    tcase_add_test(tc, secret_values_are_never_printed);
    tcase_add_test(tc, non_secret_values_are_quoted_to_help);
    tcase_add_test(tc, required_when_follows_the_other_variable);
    tcase_add_test(tc, environ_mode_checks_the_process_environment);
    tcase_add_loop_test(tc, hostile_input_gives_a_finding_not_a_crash, 0, sizeof hostile / sizeof *hostile);
    tcase_add_test(tc, ten_megabyte_line_is_handled);
    suite_add_tcase(s, tc);
    TCase *repo = tcase_create("repository");
    tcase_set_timeout(repo, 60);
    tcase_add_test(repo, env_example_documents_every_schema_variable);
    tcase_add_test(repo, env_example_only_fails_on_its_placeholder_secrets);
    tcase_add_test(repo, filled_env_example_passes_strict_check);
    suite_add_tcase(s, repo);
    return run_suite(s);
}
