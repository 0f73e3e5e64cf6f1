/* Check suite for tools/lib/envschema: loading (and rejecting) schemas, each type's checks,
 * placeholders, entropy, and required_when. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_helpers.h"
#include "envschema.h"

static int load(envschema *s, const char *text, char *err, size_t errlen)
{
    return envschema_load_buffer(s, "s.yaml", text, strlen(text), err, errlen);
}

static const struct {
    const char *yaml, *error;
} bad_schemas[] = {
    {"", "empty"},
    {"- a\n", "variables"},
    {"variables:\n  A:\n    type: int\n", "description"},
    {"variables:\n  A:\n    description: x\n", "'type' is missing"},
    {"variables:\n  A:\n    type: float\n    description: x\n", "unknown type"},
    {"variables:\n  A:\n    type: int\n    description: x\n    requird: true\n", "unknown field 'requird'"},
    {"variables:\n  1A:\n    type: int\n    description: x\n", "not a variable name"},
    {"variables:\n  A:\n    type: enum\n    description: x\n", "needs 'values'"},
    {"variables:\n  A:\n    type: int\n    description: x\n    min: 5\n    max: 1\n", "greater"},
    {"variables:\n  A:\n    type: int\n    description: x\n    default: abc\n", "default"},
    {"variables:\n  A:\n    type: regex\n    description: x\n    pattern: \"(a\"\n", "not a valid regex"},
    {"variables:\n  A:\n    type: regex\n    description: x\n    pattern: \"(a{60}){60}{60}\"\n", "pattern"},
    {"variables:\n  A:\n    type: string\n    description: x\n    required_when: {B: x}\n", "not declared"},
    {"variables:\n  A:\n    type: secret\n    description: x\n    secret: false\n", "always secret"},
    {"variables:\n  A:\n    type: port\n    description: x\n    generate: true\n", "only variables of type secret"},
    {"variables:\n  A: [1\n", "s.yaml:"},
    {"variables:\n  A:\n    type: int\n    description: x\n  A:\n    type: int\n    description: y\n", "twice"},
    {"limits: 5\nvariables: {}\n", "'limits' must be a map"},
    {"limits:\n  max_values: 5\nvariables: {}\n", "s.yaml:2:3: unknown limit"},
    {"limits:\n  max_value_bytes: 0\nvariables: {}\n", "s.yaml:2:20: limits.max_value_bytes must be"},
    {"limits:\n  max_file_bytes: 2000000000\nvariables: {}\n", "limits.max_file_bytes must be"},
    {"limits:\n  max_total_bytes: lots\nvariables: {}\n", "limits.max_total_bytes must be"},
};

START_TEST(rejects_bad_schemas_with_a_position)
{
    envschema s;
    char err[512] = "";
    ck_assert_int_eq(load(&s, bad_schemas[_i].yaml, err, sizeof err), -1);
    ck_assert_msg(strstr(err, bad_schemas[_i].error) != NULL, "case %d: '%s'", _i, err);
    ck_assert_msg(strncmp(err, "s.yaml:", 7) == 0, "no position: %s", err);
    envschema_free(&s);
}
END_TEST

static const char *schema_text =
    "version: 1\n"
    "variables:\n"
    "  N: {type: int, min: 1, max: 10, description: n}\n"
    "  P: {type: port, description: p}\n"
    "  B: {type: bool, description: b}\n"
    "  E: {type: enum, values: [a, b], default: a, description: e}\n"
    "  U: {type: url, schemes: [http, https], description: u}\n"
    "  D: {type: url, secret: true, schemes: [postgresql], required: true, description: d}\n"
    "  M: {type: email, description: m}\n"
    "  R: {type: regex, pattern: '^[a-z]+$', description: r}\n"
    "  S: {type: secret, min_length: 16, min_entropy: 64, description: s}\n"
    "  K: {type: secret, generate: false, required_when: {E: b}, description: k}\n";

static const struct {
    const char *var, *value;
    envschema_verdict want;
} checks[] = {
    {"N", "5", ENVSCHEMA_OK}, {"N", "0", ENVSCHEMA_INVALID_VALUE}, {"N", "11", ENVSCHEMA_INVALID_VALUE},
    {"N", "five", ENVSCHEMA_INVALID_TYPE}, {"N", "5 ", ENVSCHEMA_INVALID_TYPE}, {"N", "99999999999999999999", ENVSCHEMA_INVALID_TYPE},
    {"P", "8080", ENVSCHEMA_OK}, {"P", "0", ENVSCHEMA_INVALID_VALUE}, {"P", "65536", ENVSCHEMA_INVALID_VALUE}, {"P", "http", ENVSCHEMA_INVALID_TYPE},
    {"B", "true", ENVSCHEMA_OK}, {"B", "NO", ENVSCHEMA_OK}, {"B", "maybe", ENVSCHEMA_INVALID_TYPE},
    {"E", "a", ENVSCHEMA_OK}, {"E", "c", ENVSCHEMA_INVALID_VALUE}, {"E", "A", ENVSCHEMA_INVALID_VALUE},
    {"U", "http://backend:8000", ENVSCHEMA_OK}, {"U", "https://[::1]:443/x?y#z", ENVSCHEMA_OK},
    {"U", "ftp://x", ENVSCHEMA_INVALID_VALUE}, {"U", "backend:8000", ENVSCHEMA_INVALID_TYPE},
    {"U", "http://", ENVSCHEMA_INVALID_TYPE}, {"U", "http://h:99999", ENVSCHEMA_INVALID_TYPE},
    {"U", "http://a b", ENVSCHEMA_INVALID_TYPE},
    {"D", "postgresql://todo:Zx8vK2pLq9@postgres:5432/todo?sslmode=require", ENVSCHEMA_OK},
    {"D", "postgresql://todo:changeme@postgres:5432/todo", ENVSCHEMA_PLACEHOLDER},
    {"D", "mysql://todo:Zx8vK2pLq9@db/todo", ENVSCHEMA_INVALID_VALUE},
    {"M", "a@b.example", ENVSCHEMA_OK}, {"M", "a@b", ENVSCHEMA_INVALID_TYPE}, {"M", "@b.c", ENVSCHEMA_INVALID_TYPE},
    {"R", "abc", ENVSCHEMA_OK}, {"R", "ABC", ENVSCHEMA_INVALID_TYPE},
    {"S", "Q7vLk2pX9sRw4ZbN8cYt3HmJ", ENVSCHEMA_OK}, {"S", "changeme", ENVSCHEMA_PLACEHOLDER},
    {"S", "your-secret-here", ENVSCHEMA_PLACEHOLDER}, {"S", "<generate-me>", ENVSCHEMA_PLACEHOLDER},
    {"S", "xxxxxxxxxxxxxxxxxxxx", ENVSCHEMA_PLACEHOLDER}, {"S", "Short1!", ENVSCHEMA_WEAK},
    {"S", "aaaaaaaaaaaaaaaaaaaaaaaa", ENVSCHEMA_WEAK}, {"S", "abababababababababababab", ENVSCHEMA_WEAK},
};

START_TEST(checks_values_by_type)
{
    envschema s;
    char err[512];
    ck_assert_msg(load(&s, schema_text, err, sizeof err) == 0, "%s", err);
    const envschema_var *v = envschema_find(&s, checks[_i].var);
    ck_assert_ptr_nonnull(v);
    char msg[512];
    envschema_verdict got = envschema_check_value(v, checks[_i].value, strlen(checks[_i].value), 1, msg, sizeof msg);
    ck_assert_msg(got == checks[_i].want, "%s=%s: got %d (%s), want %d", checks[_i].var,
                  checks[_i].value, got, msg, checks[_i].want);
    if (got != ENVSCHEMA_OK && v->secret)
        ck_assert_msg(!strstr(msg, checks[_i].value), "secret printed: %s", msg);
    envschema_free(&s);
}
END_TEST

START_TEST(placeholders_and_real_values)
{
    const char *yes[] = {"", "changeme", "CHANGE_ME", "change-me-please", "your-key-here", "YOUR_API_KEY",
                         "<secret>", "xxx", "XXXX-XXXX", "****", "replace-me", "insert-key-here", "password", "sk-xxxxxxxx"};
    const char *no[] = {"Q7vLk2pX9sRw4ZbN8cYt3HmJ", "postgresql://u:p@h/db", "yourself2024", "x", "hello"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        ck_assert_msg(envschema_is_placeholder(yes[i], strlen(yes[i])), "%s", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        ck_assert_msg(!envschema_is_placeholder(no[i], strlen(no[i])), "%s", no[i]);
}
END_TEST

START_TEST(entropy_estimate)
{
    ck_assert(envschema_entropy_bits("aaaa", 4) == 0);
    ck_assert(envschema_entropy_bits("abcd", 4) == 8);
    ck_assert(envschema_entropy_bits("ab", 2) == 2);
}
END_TEST

static const char *get_e(void *ctx, const char *name)
{
    (void)name;
    return ctx;
}

START_TEST(required_when_uses_value_then_default)
{
    envschema s;
    char err[512];
    ck_assert_int_eq(load(&s, schema_text, err, sizeof err), 0);
    const envschema_var *k = envschema_find(&s, "K");
    ck_assert(!envschema_is_required(&s, k, get_e, NULL)); /* E defaults to a */
    ck_assert(envschema_is_required(&s, k, get_e, "b"));
    ck_assert(!envschema_is_required(&s, k, get_e, "a"));
    ck_assert(envschema_is_required(&s, envschema_find(&s, "D"), get_e, NULL));
    ck_assert(!envschema_find(&s, "K")->generate);
    ck_assert(envschema_find(&s, "S")->generate);
    ck_assert(envschema_find(&s, "S")->secret);
    ck_assert_uint_eq(envschema_find(&s, "S")->gen_bytes, 32);
    envschema_free(&s);
}
END_TEST

START_TEST(limits_default_and_override)
{
    envschema s;
    char err[512] = "";
    ck_assert_int_eq(load(&s, "variables:\n  A: {type: int, description: a}\n", err, sizeof err), 0);
    ck_assert_uint_eq(s.limits.max_file_bytes, DOTENV_DEFAULT_MAX_FILE_BYTES);
    ck_assert_uint_eq(s.limits.max_value_bytes, DOTENV_DEFAULT_MAX_VALUE_BYTES);
    ck_assert_uint_eq(s.limits.max_total_bytes, DOTENV_DEFAULT_MAX_TOTAL_BYTES);
    envschema_free(&s);
    ck_assert_int_eq(load(&s, "limits: {max_value_bytes: 64}\nvariables: {}\n", err, sizeof err), 0);
    ck_assert_uint_eq(s.limits.max_value_bytes, 64);
    ck_assert_uint_eq(s.limits.max_file_bytes, DOTENV_DEFAULT_MAX_FILE_BYTES); /* the rest kept */
    envschema_free(&s);
}
END_TEST

START_TEST(repository_schema_loads)
{
    envschema s;
    char err[512];
    const char *fx = getenv("TOOLS_FIXTURES");
    char path[4096];
    snprintf(path, sizeof path, "%s/../../../env.schema.yaml", fx ? fx : "tools/tests/fixtures");
    ck_assert_msg(envschema_load_path(&s, path, err, sizeof err) == 0, "%s", err);
    const envschema_var *v = envschema_find(&s, "OPENAI_API_KEY");
    ck_assert_ptr_nonnull(v);
    ck_assert_str_eq(v->when_var, "CHAT_PROVIDER");
    ck_assert_str_eq(v->when_values[0], "openai");
    ck_assert(v->secret && !v->generate);
    ck_assert(envschema_find(&s, "JWT_SECRET")->min_length >= 32);
    /* the limits the schema writes out are the built-in defaults its header documents */
    ck_assert_uint_eq(s.limits.max_file_bytes, DOTENV_DEFAULT_MAX_FILE_BYTES);
    ck_assert_uint_eq(s.limits.max_value_bytes, DOTENV_DEFAULT_MAX_VALUE_BYTES);
    ck_assert_uint_eq(s.limits.max_total_bytes, DOTENV_DEFAULT_MAX_TOTAL_BYTES);
    envschema_free(&s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("envschema");
    TCase *tc = tcase_create("schema");
    tcase_add_loop_test(tc, rejects_bad_schemas_with_a_position, 0, sizeof bad_schemas / sizeof *bad_schemas);
    tcase_add_loop_test(tc, checks_values_by_type, 0, sizeof checks / sizeof *checks);
    tcase_add_test(tc, placeholders_and_real_values);
    tcase_add_test(tc, entropy_estimate);
    tcase_add_test(tc, required_when_uses_value_then_default);
    tcase_add_test(tc, limits_default_and_override);
    tcase_add_test(tc, repository_schema_loads);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
