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
    "substitution-key", "trailing-whitespace", "unordered-key", "value-without-quotes",
    "value-too-large"};

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

START_TEST(only_validates_the_named_variables)
{
    /* what one command needs: T_PORT alone is fine without the required T_TOKEN */
    const char *only_port[] = {"--environ", "--schema", test_schema(), "--only", "T_PORT", NULL};
    const char *port_only[] = {"T_PORT=8080", NULL};
    tool_run r = run_tool("envcheck", only_port, NULL, port_only);
    ck_assert_msg(r.status == 0 && !r.out[0], "exit %d: %s", r.status, r.out);
    tool_run_free(&r);
    const char *bad_port[] = {"T_PORT=99999", NULL};
    r = run_tool("envcheck", only_port, NULL, bad_port);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.out, "[invalid-value] T_PORT"));
    ck_assert_ptr_null(strstr(r.out, "T_TOKEN"));
    tool_run_free(&r);
    const char *both[] = {"--environ", "--schema", test_schema(), "--only=T_PORT,T_TOKEN", NULL};
    r = run_tool("envcheck", both, NULL, port_only);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.out, "[missing-required] T_TOKEN"));
    tool_run_free(&r);
    const char *unknown[] = {"--environ", "--schema", test_schema(), "--only", "T_PORT,NOT_DECLARED", NULL};
    r = run_tool("envcheck", unknown, NULL, port_only);
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "'NOT_DECLARED' is not a variable"));
    tool_run_free(&r);
}
END_TEST

static const char *hostile[] = {"binary.env", "nul-bytes.env", "invalid-utf8.env", "nested.env",
                                "unbalanced.env", "quotes.env", "doubling.env"};

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

/* A line of n 'x' as the value of T_HOME_URL, then an invalid UTF-8 line. */
static char *long_line(size_t n, size_t *len)
{
    char *text = malloc(n + 32);
    memcpy(text, "T_HOME_URL=", 11);
    memset(text + 11, 'x', n);
    memcpy(text + 11 + n, " \n\xff\n", 4);
    *len = n + 15;
    return text;
}

START_TEST(long_value_is_a_finding_and_a_huge_file_is_not_read)
{
    size_t len;
    char *text = long_line(900u << 10, &len); /* under the 1 MiB file limit */
    tool_run r = run_text(text, len, 1);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.out, ":1:12: error: [value-too-large] T_HOME_URL: the value "
                                        "expands to more than 131072 bytes (limits.max_value_bytes)"));
    ck_assert(has_rule(r.out, "invalid-utf8"));
    ck_assert(has_rule(r.out, "missing-required"));
    ck_assert_msg(strlen(r.out) < 4096, "the value was echoed");
    tool_run_free(&r);
    free(text);
    text = long_line(10u << 20, &len);
    r = run_text(text, len, 1);
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "is larger than 1048576 bytes (limits.max_file_bytes)"));
    ck_assert_str_eq(r.out, "");
    tool_run_free(&r);
    free(text);
}
END_TEST

/* 44 lines (752 bytes) where each value is the previous one twice: 2^47 bytes if expanded.
 * Before the limits, envcheck took 23 GB and secretgen k8s wrote gigabytes. The memory cap
 * makes the old behaviour fail fast instead of taking the machine down. */
START_TEST(doubling_references_stop_at_the_value_limit)
{
    char *path = fixture_copy("hostile/env/doubling.env");
    const tool_limits cap = {256, 0};
    const char *args[] = {"--schema", test_schema(), path, NULL};
    tool_run r = run_tool_limited("envcheck", args, NULL, NULL, &cap);
    ck_assert_msg(r.status == 1, "exit %d: %s", r.status, r.err);
    char want[4200];
    snprintf(want, sizeof want, "%s:15:5: error: [value-too-large] A14: the value expands to more "
             "than 131072 bytes (limits.max_value_bytes)\n", path);
    ck_assert_msg(strstr(r.out, want) != NULL, "got: %s", r.out);
    ck_assert_msg(!strstr(r.out, "xxxx"), "a value was echoed");
    tool_run_free(&r);
    /* secretgen k8s refuses the file instead of writing the expansion out */
    const char *k8s[] = {"k8s", "--name", "app", path, NULL};
    r = run_tool_limited("secretgen", k8s, NULL, NULL, &cap);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.out, "");
    ck_assert_ptr_nonnull(strstr(r.err, "[value-too-large] A14"));
    tool_run_free(&r);
    free(path);
}
END_TEST

/* Writes a schema with the given limits: section (and one variable). */
static char *schema_with_limits(const char *limits)
{
    char text[512];
    int n = snprintf(text, sizeof text, "version: 1\nlimits:\n%svariables:\n  A:\n    type: string\n"
                     "    description: a string\n", limits);
    return write_temp(text, (size_t)n);
}

START_TEST(schema_limits_section_sets_the_limits)
{
    char *schema = schema_with_limits("  max_file_bytes: 400\n  max_value_bytes: 64\n"
                                      "  max_total_bytes: 100\n");
    const char *args[] = {"--schema", schema, "-", NULL};
    char text[512];
    /* 65 bytes in one value: over max_value_bytes */
    snprintf(text, sizeof text, "A=%065d\n", 0);
    tool_run r = run_tool("envcheck", args, text, NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.out, "-:1:3: error: [value-too-large] A: the value expands to "
                                        "more than 64 bytes (limits.max_value_bytes)"));
    tool_run_free(&r);
    /* 60 + 60 bytes: the second value goes past max_total_bytes */
    snprintf(text, sizeof text, "A=%060d\nB=${A}\n", 0);
    r = run_tool("envcheck", args, text, NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.out, "-:2:3: error: [value-too-large] B: the values of this "
                                        "file expand to more than 100 bytes in all "
                                        "(limits.max_total_bytes)"));
    tool_run_free(&r);
    /* 450 bytes of file: over max_file_bytes */
    memset(text, '#', 449);
    text[449] = '\n';
    text[450] = '\0';
    r = run_tool("envcheck", args, text, NULL);
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "larger than 400 bytes (limits.max_file_bytes)"));
    tool_run_free(&r);
    unlink(schema);
    free(schema);
    /* a bad limit is a schema error naming where it is */
    schema = schema_with_limits("  max_value_bytes: 0\n");
    const char *bad[] = {"--schema", schema, "-", NULL};
    r = run_tool("envcheck", bad, "A=1\n", NULL);
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, ":3:20: limits.max_value_bytes must be a number of bytes"));
    tool_run_free(&r);
    unlink(schema);
    free(schema);
}
END_TEST

/* Memory running out is an error (exit 2), never a check that quietly says less. The
 * schema allows 64 MiB values; the process gets at most 32 MiB (per allocation under ASan). */
START_TEST(out_of_memory_is_an_error_not_fewer_findings)
{
    char *schema = schema_with_limits("  max_value_bytes: 67108864\n  max_total_bytes: 134217728\n");
    char text[4096];
    size_t n = (size_t)snprintf(text, sizeof text, "A00=%01024d\n", 0);
    for (int i = 1; i <= 16; i++) /* A16 = 64 MiB */
        n += (size_t)snprintf(text + n, sizeof text - n, "A%02d=${A%02d}${A%02d}\n", i, i - 1, i - 1);
    snprintf(text + n, sizeof text - n, "lower=1\n");
    const tool_limits cap = {32, 0};
    const char *args[] = {"--schema", schema, "-", NULL};
    tool_run r = run_tool_limited("envcheck", args, text, NULL, &cap);
    ck_assert_msg(r.status == 2, "exit %d: %s%s", r.status, r.out, r.err);
    ck_assert_ptr_nonnull(strstr(r.err, "out of memory"));
    ck_assert_str_eq(r.out, "");
    tool_run_free(&r);
    unlink(schema);
    free(schema);
}
END_TEST

/* ---- envcheck get ---- */

static const char *get_env =
    "# comment\n"
    "export A=1\n"
    "B=\"${A}-x\" # B uses A\n"
    "C=${FROM_ENV:-fallback}\n"
    "D=\n"
    "T_TOKEN='kq3V9xZ2mLr8pW4tYb6NcD1fGh7JsA0e'\n"
    "T_PORT: 8080\n";

START_TEST(get_prints_values_as_compose_resolves_them)
{
    char *path = write_temp(get_env, strlen(get_env));
    const char *args[] = {"get", path, "B", "A", "C", "D", "T_PORT", NULL};
    tool_run r = run_tool("envcheck", args, NULL, NULL);
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    ck_assert_str_eq(r.out, "1-x\n1\nfallback\n\n8080\n");
    tool_run_free(&r);
    /* Compose's order: ${VAR} looks in the environment first, then the file's earlier keys;
     * a key's own value is the file's */
    const char *env[] = {"FROM_ENV=exported", "A=from-env", NULL};
    r = run_tool("envcheck", args, NULL, env);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "from-env-x\n1\nexported\n\n8080\n");
    tool_run_free(&r);
    /* standard input */
    const char *stdin_args[] = {"get", "-", "C", NULL};
    r = run_tool("envcheck", stdin_args, "C=${X:-a b}\n", NULL);
    ck_assert_str_eq(r.out, "a b\n");
    tool_run_free(&r);
    unlink(path);
    free(path);
}
END_TEST

START_TEST(get_prints_nothing_when_a_key_is_unset_or_unprintable)
{
    char *path = write_temp(get_env, strlen(get_env));
    const char *unset[] = {"get", path, "A", "NOPE", "ALSO_NOPE", NULL};
    tool_run r = run_tool("envcheck", unset, NULL, NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.out, "");
    ck_assert_ptr_nonnull(strstr(r.err, "NOPE is not set in"));
    ck_assert_ptr_nonnull(strstr(r.err, "ALSO_NOPE is not set in"));
    tool_run_free(&r);
    /* a bare KEY line the environment does not define sets nothing */
    const char *bare[] = {"get", "-", "KEY", NULL};
    r = run_tool("envcheck", bare, "KEY\n", NULL);
    ck_assert_int_eq(r.status, 1);
    tool_run_free(&r);
    const char *multi[] = {"get", "-", "M", NULL};
    r = run_tool("envcheck", multi, "M=\"two\nlines\"\n", NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.out, "");
    ck_assert_ptr_nonnull(strstr(r.err, "M spans several lines"));
    tool_run_free(&r);
    /* a file Compose refuses gives no value, even of a key that parsed */
    r = run_tool("envcheck", (const char *const[]){"get", "-", "A", NULL}, "A=1\nB=${\n", NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.out, "");
    ck_assert_ptr_nonnull(strstr(r.err, "[bad-substitution]"));
    tool_run_free(&r);
    unlink(path);
    free(path);
}
END_TEST

START_TEST(get_shows_a_secret_only_when_asked)
{
    char *path = write_temp(get_env, strlen(get_env));
    const char *hidden[] = {"get", "--schema", test_schema(), path, "T_PORT", "T_TOKEN", NULL};
    tool_run r = run_tool("envcheck", hidden, NULL, NULL);
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.out, "");
    ck_assert_ptr_nonnull(strstr(r.err, "T_TOKEN is secret"));
    ck_assert_ptr_nonnull(strstr(r.err, "--show-secrets"));
    ck_assert_ptr_null(strstr(r.err, "kq3V9xZ2"));
    tool_run_free(&r);
    const char *shown[] = {"get", "--schema", test_schema(), "--show-secrets", path, "T_TOKEN",
                           "T_PORT", NULL};
    r = run_tool("envcheck", shown, NULL, NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "kq3V9xZ2mLr8pW4tYb6NcD1fGh7JsA0e\n8080\n");
    tool_run_free(&r);
    unlink(path);
    free(path);
}
END_TEST

START_TEST(get_usage_and_io_errors_exit_2)
{
    const char *cases[][6] = {{"get", NULL}, {"get", "-", NULL}, {"get", "--bogus", "-", "A", NULL},
                              {"get", "/nonexistent/.env", "A", NULL},
                              {"get", "--schema", "/nonexistent.yaml", "-", "A"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        tool_run r = run_tool("envcheck", cases[i], "A=1\n", NULL);
        ck_assert_msg(r.status == 2, "case %zu: exit %d", i, r.status);
        ck_assert_msg(r.err[0] && !r.out[0], "case %zu", i);
        tool_run_free(&r);
    }
    const char *help[] = {"get", "--help", NULL};
    tool_run r = run_tool("envcheck", help, NULL, NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "envcheck get [--schema FILE] [--show-secrets] FILE KEY..."));
    tool_run_free(&r);
}
END_TEST

/* ---- the repository's own .env.example and env.schema.yaml ---- */

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
    tcase_add_test(tc, only_validates_the_named_variables);
    tcase_add_loop_test(tc, hostile_input_gives_a_finding_not_a_crash, 0, sizeof hostile / sizeof *hostile);
    tcase_add_test(tc, long_value_is_a_finding_and_a_huge_file_is_not_read);
    tcase_add_test(tc, doubling_references_stop_at_the_value_limit);
    tcase_add_test(tc, schema_limits_section_sets_the_limits);
    tcase_add_test(tc, out_of_memory_is_an_error_not_fewer_findings);
    suite_add_tcase(s, tc);
    TCase *get = tcase_create("get");
    tcase_set_timeout(get, 60);
    tcase_add_test(get, get_prints_values_as_compose_resolves_them);
    tcase_add_test(get, get_prints_nothing_when_a_key_is_unset_or_unprintable);
    tcase_add_test(get, get_shows_a_secret_only_when_asked);
    tcase_add_test(get, get_usage_and_io_errors_exit_2);
    suite_add_tcase(s, get);
    TCase *repo = tcase_create("repository");
    tcase_set_timeout(repo, 60);
    tcase_add_test(repo, env_example_documents_every_schema_variable);
    tcase_add_test(repo, env_example_only_fails_on_its_placeholder_secrets);
    tcase_add_test(repo, filled_env_example_passes_strict_check);
    suite_add_tcase(s, repo);
    return run_suite(s);
}
