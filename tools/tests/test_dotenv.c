/* Check suite for tools/lib/dotenv: the .env grammar as Docker Compose reads it (cases
 * taken from compose-go's dotenv tests and Compose's documented behaviour), positions,
 * the syntax findings, and limits on hostile input. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_helpers.h"
#include "dotenv.h"

/* A fake process environment: ENV_ONLY and SHARED are "exported". */
static int fake_env(void *ctx, const char *name, const char **value)
{
    (void)ctx;
    if (!strcmp(name, "ENV_ONLY")) {
        *value = "fromenv";
        return 1;
    }
    if (!strcmp(name, "SHARED")) {
        *value = "env";
        return 1;
    }
    if (!strcmp(name, "EMPTY_ENV")) {
        *value = "";
        return 1;
    }
    return 0;
}

static void parse(dotenv_file *f, diag_list *d, const char *text)
{
    diag_list_init(d);
    ck_assert_int_eq(dotenv_parse(f, "t.env", text, strlen(text), fake_env, NULL, NULL, d), 0);
}

/* input -> the value Compose gives key (NULL: key not set) */
static const struct {
    const char *input, *key, *value;
} compose_cases[] = {
    {"FOO=bar", "FOO", "bar"},
    {"FOO =bar", "FOO", "bar"},
    {"FOO= bar", "FOO", "bar"},
    {"FOO=bar ", "FOO", "bar"},
    {"FOO=\"bar\"", "FOO", "bar"},
    {"FOO='bar'", "FOO", "bar"},
    {"FOO=\"escaped\\\"bar\"", "FOO", "escaped\"bar"},
    {"FOO=\"\\\"quoted\\\"\"", "FOO", "\"quoted\""},
    {"FOO=\"'d'\"", "FOO", "'d'"},
    {"OPTION_A: 1", "OPTION_A", "1"},
    {"OPTION_A: Foo=bar", "OPTION_A", "Foo=bar"},
    {"OPTION_A=1:B", "OPTION_A", "1:B"},
    {"export OPTION_A=2", "OPTION_A", "2"},
    {"export OPTION_B='\\n'", "OPTION_B", "\\n"},
    {"export exportFoo=2", "exportFoo", "2"},
    {"exportFOO=2", "exportFOO", "2"},
    {"export_FOO =2", "export_FOO", "2"},
    {"export.FOO= 2", "export.FOO", "2"},
    {"export\tOPTION_A=2", "OPTION_A", "2"},
    {"  export OPTION_A=2", "OPTION_A", "2"},
    {"export OPTION_A=\"export A\"", "OPTION_A", "export A"},
    {"FOO=\"bar\\nbaz\"", "FOO", "bar\nbaz"},
    {"FOO=a\\tb", "FOO", "a\\tb"},
    {"FOO=\"a\\tb\"", "FOO", "a\tb"},
    {"KEY=\"Z\\aZ\\bZ\\fZ\\nZ\\rZ\\tZ\\vZ\\\\Z\\0123Z\"", "KEY", "Z\aZ\bZ\fZ\nZ\rZ\tZ\vZ\\ZSZ"},
    {"FOO.BAR=foobar", "FOO.BAR", "foobar"},
    {"FOO=foobar=", "FOO", "foobar="},
    {"FOO=bar # this is foo", "FOO", "bar"},
    {"FOO=bar #this is foo", "FOO", "bar"},
    {"FOO=bar #", "FOO", "bar"},
    {"FOO=123#not-an-inline-comment", "FOO", "123#not-an-inline-comment"},
    {"FOO=a\t# tab is not a comment start", "FOO", "a\t# tab is not a comment start"},
    {"FOO=\"bar#baz\" # comment", "FOO", "bar#baz"},
    {"FOO='bar#baz' # comment", "FOO", "bar#baz"},
    {"FOO=\"bar#baz\"#", "FOO", "bar#baz"},
    {"FOO=\"bar\\n\\ b\\az\"", "FOO", "bar\n\\ b\az"},
    {"FOO=\"bar\\\\r\\ b\\az\"", "FOO", "bar\\r\\ b\az"},
    {"FOO=\"bar\\nbaz\\\\\"", "FOO", "bar\nbaz\\"},
    {" KEY =value", "KEY", "value"},
    {"\tKEY=value", "KEY", "value"},
    {"KEY=\"\\0123\"", "KEY", "S"},
    {"KEY=\"\\x07\"", "KEY", "\\x07"},
    {"KEY=\"\\u12e4\"", "KEY", "\\u12e4"},
    {"a[1]=c", "a[1]", "c"},
    {"VAR-WITH-DASHES=dashes", "VAR-WITH-DASHES", "dashes"},
    /* single quotes: literal, multi-line, only \' is an escape */
    {"FOO='a $ENV_ONLY \\n b'", "FOO", "a $ENV_ONLY \\n b"},
    {"FOO='line1\nline2'", "FOO", "line1\nline2"},
    {"FOO='it\\'s'", "FOO", "it's"},
    /* double quotes: multi-line, escapes, then interpolation */
    {"FOO=\"line1\nline2\"", "FOO", "line1\nline2"},
    {"FOO=\"foo\\$BAR\"", "FOO", "foo$BAR"},
    {"FOO=\"foo\\${BAR}\"", "FOO", "foo${BAR}"},
    /* interpolation: the environment, then earlier keys */
    {"A=test\nB=$A", "B", "test"},
    {"A=test\nB=${A}bar", "B", "testbar"},
    {"B=$UNDEFINED", "B", ""},
    {"B=x$ENV_ONLY", "B", "xfromenv"},
    {"SHARED=file\nB=$SHARED", "B", "env"},
    {"B=$$HOME", "B", "$HOME"},
    {"B=$$", "B", "$"},
    {"B=cost: 5$", "B", "cost: 5$"},
    {"B=$1", "B", "$1"},
    {"B=${UNDEFINED:-def}", "B", "def"},
    {"B=${EMPTY_ENV:-def}", "B", "def"},
    {"B=${EMPTY_ENV-def}", "B", ""},
    {"B=${UNDEFINED-def}", "B", "def"},
    {"B=${ENV_ONLY:+set}", "B", "set"},
    {"B=${EMPTY_ENV:+set}", "B", ""},
    {"B=${EMPTY_ENV+set}", "B", "set"},
    {"B=${UNDEFINED+set}", "B", ""},
    {"B=${ENV_ONLY:?must}", "B", "fromenv"},
    {"B=${EMPTY_ENV?must}", "B", ""},
    {"B=${UNDEFINED:-${ENV_ONLY}}", "B", "fromenv"},
    {"B=${UNDEFINED:-${ALSO_UNDEFINED:-deep}}x", "B", "deepx"},
    {"B=${UNDEFINED:-a} and ${ENV_ONLY}", "B", "a and fromenv"},
    {"A=1\nA=2\nB=$A", "B", "2"},
    {"B=\"${UNDEFINED:-a b}\"", "B", "a b"},
    /* a bare KEY line takes the value from the environment, else sets nothing */
    {"ENV_ONLY\n", "ENV_ONLY", "fromenv"},
    {"NOT_IN_ENV\n", "NOT_IN_ENV", NULL},
    {"A=1\nB=2\n", "B", "2"},
    /* BOM and CRLF */
    {"\xEF\xBB\xBFOPTION_A=1\r\nOPTION_B=2\r\n", "OPTION_A", "1"},
    {"\xEF\xBB\xBFOPTION_A=1\r\nOPTION_B=2\r\n", "OPTION_B", "2"},
    {"Q=\"a\r\nb\"\r\n", "Q", "a\r\nb"},
    /* comments and blank lines */
    {"# comment\n\n  # indented\nA=1\n", "A", "1"},
    {"A= # not a comment: leading spaces are trimmed first\n", "A", "# not a comment: leading spaces are trimmed first"},
    {"A=\n", "A", ""},
    {"A=\"\"\n", "A", ""},
    {"A=\"x\" B=2\n", "B", "2"},
    {"árvíztűrő=tükör", "árvíztűrő", "tükör"},
    /* Go's TrimRightFunc stops at an invalid byte; U+00A0 and U+3000 are spaces */
    {"A=8080\f\x8c\f\f\n", "A", "8080\f\x8c"},
    {"A=x\xc2\xa0\xe3\x80\x80\n", "A", "x"},
    {"A\xc2\xa0=1\n", "A", "1"},
};

START_TEST(parses_like_compose)
{
    dotenv_file f;
    diag_list d;
    parse(&f, &d, compose_cases[_i].input);
    const dotenv_entry *e = dotenv_get(&f, compose_cases[_i].key);
    if (!compose_cases[_i].value) {
        ck_assert_msg(!e, "%s: key set", compose_cases[_i].input);
    } else {
        ck_assert_msg(e != NULL, "%s: %s not set", compose_cases[_i].input, compose_cases[_i].key);
        ck_assert_msg(strlen(compose_cases[_i].value) == e->value_len &&
                          !memcmp(e->value, compose_cases[_i].value, e->value_len),
                      "%s: got '%s', want '%s'", compose_cases[_i].input, e->value,
                      compose_cases[_i].value);
    }
    for (size_t i = 0; i < d.len; i++) /* invalid UTF-8 is reported, Compose keeps the bytes */
        ck_assert_msg(!strcmp(d.items[i].rule, "invalid-utf8"), "%s: unexpected finding %s",
                      compose_cases[_i].input, d.items[i].message);
    dotenv_free(&f);
    diag_list_free(&d);
}
END_TEST

/* input -> the syntax rule reported, and its line */
static const struct {
    const char *input, *rule;
    unsigned line;
    size_t len; /* 0: strlen(input) */
} error_cases[] = {
    {"KEY=\"", "unterminated-quote", 1, 0},
    {"KEY=\"value", "unterminated-quote", 1, 0},
    {"KEY=\"value\\\"", "unterminated-quote", 1, 0},
    {"KEY=\"value'", "unterminated-quote", 1, 0},
    {"KEY='", "unterminated-quote", 1, 0},
    {"KEY='value\\'", "unterminated-quote", 1, 0},
    {"A=1\nKEY='value\"\nB=2\n", "unterminated-quote", 2, 0},
    {"lol$wut", "invalid-key", 1, 0},
    {"A=1\nBAD KEY=1\n", "invalid-key", 2, 0},
    {"%!(EXTRA string)=foo", "invalid-key", 1, 0},
    {"=value\n", "invalid-key", 1, 0},
    {"\"QUOTED\"=1\n", "invalid-key", 1, 0},
    {"LAST_LINE_NO_EQUALS", "invalid-key", 1, 0},
    {"A=1\nexport ", "invalid-key", 2, 0},
    {"\xff=1\n", "invalid-key", 1, 0},
    {"A=\xff\xfe\n", "invalid-utf8", 1, 0},
    {"A=1\nB=x\xc0\xafy\n", "invalid-utf8", 2, 0},
    {"A=a\0b\n", "invalid-utf8", 1, 6},
    {"A=${}\n", "bad-substitution", 1, 0},
    {"A=${B C}\n", "bad-substitution", 1, 0},
    {"A=${B\n", "bad-substitution", 1, 0},
    {"A=${B:x}\n", "bad-substitution", 1, 0},
    {"A=${1}\n", "bad-substitution", 1, 0},
    {"A=${UNSET:?must be set}\n", "bad-substitution", 1, 0},
    {"A=${EMPTY_ENV:?must not be empty}\n", "bad-substitution", 1, 0},
    {"A=${UNSET?}\n", "bad-substitution", 1, 0},
    {"A=\"${UNSET:?in quotes}\"\n", "bad-substitution", 1, 0},
};

START_TEST(reports_syntax_errors)
{
    dotenv_file f;
    diag_list d;
    diag_list_init(&d);
    const char *in = error_cases[_i].input;
    size_t len = error_cases[_i].len ? error_cases[_i].len : strlen(in);
    ck_assert_int_eq(dotenv_parse(&f, "t.env", in, len, fake_env, NULL, NULL, &d), 0);
    int found = 0;
    for (size_t i = 0; i < d.len; i++)
        if (!strcmp(d.items[i].rule, error_cases[_i].rule) && d.items[i].line == error_cases[_i].line &&
            d.items[i].severity == DIAG_ERROR)
            found = 1;
    ck_assert_msg(found, "%s: no [%s] on line %u (got %zu findings, first: %s %s)", in,
                  error_cases[_i].rule, error_cases[_i].line, d.len, d.len ? d.items[0].rule : "",
                  d.len ? d.items[0].message : "");
    dotenv_free(&f);
    diag_list_free(&d);
}
END_TEST

START_TEST(required_error_names_the_variable_and_message)
{
    dotenv_file f;
    diag_list d;
    parse(&f, &d, "A=${DB_PASS:?set it in .env}\n");
    ck_assert_uint_eq(d.len, 1);
    ck_assert_ptr_nonnull(strstr(d.items[0].message, "DB_PASS"));
    ck_assert_ptr_nonnull(strstr(d.items[0].message, "set it in .env"));
    dotenv_free(&f);
    diag_list_free(&d);
}
END_TEST

START_TEST(errors_do_not_stop_later_lines)
{
    dotenv_file f;
    diag_list d;
    parse(&f, &d, "BAD KEY=1\nGOOD=2\nA=${}\nLATER=3\n");
    ck_assert_uint_eq(d.errors, 2);
    ck_assert_str_eq(dotenv_get(&f, "GOOD")->value, "2");
    ck_assert_str_eq(dotenv_get(&f, "LATER")->value, "3");
    dotenv_free(&f);
    diag_list_free(&d);
}
END_TEST

START_TEST(messages_never_contain_values)
{
    dotenv_file f;
    diag_list d;
    const char *inputs[] = {"S=\"hunter2-secret\nX=${}hunter3\nY=${NOPE:?}hunter4\n",
                            "S=hunter5${}\nT=\"hunter6\nU=1", "hunter7"};
    for (size_t k = 0; k < 3; k++) {
        parse(&f, &d, inputs[k]);
        ck_assert(d.len > 0);
        for (size_t i = 0; i < d.len; i++)
            ck_assert_msg(!strstr(d.items[i].message, "hunter"), "leak: %s", d.items[i].message);
        dotenv_free(&f);
        diag_list_free(&d);
    }
}
END_TEST

START_TEST(positions_and_line_kinds)
{
    dotenv_file f;
    diag_list d;
    parse(&f, &d, "\xEF\xBB\xBF# c\n\n  export  KEY=1\nM=\"a\n\nb\"\nZ=é${}\n");
    const dotenv_entry *e = dotenv_get(&f, "KEY");
    ck_assert_uint_eq(e->line, 3);
    ck_assert_uint_eq(e->col, 11);
    ck_assert(e->exported);
    e = dotenv_get(&f, "M");
    ck_assert_uint_eq(e->line, 4);
    ck_assert_uint_eq(e->end_line, 6);
    ck_assert_int_eq(e->quote, '"');
    ck_assert_uint_eq(f.nlines, 7);
    ck_assert_int_eq(f.line_kind[0], DOTENV_LINE_COMMENT);
    ck_assert_int_eq(f.line_kind[1], DOTENV_LINE_BLANK);
    ck_assert_int_eq(f.line_kind[2], DOTENV_LINE_STATEMENT);
    ck_assert_int_eq(f.line_kind[4], DOTENV_LINE_CONTINUATION);
    ck_assert_int_eq(f.line_kind[5], DOTENV_LINE_CONTINUATION);
    ck_assert_uint_eq(d.len, 1);
    ck_assert_uint_eq(d.items[0].line, 7);
    ck_assert_uint_eq(d.items[0].col, 3);
    dotenv_free(&f);
    diag_list_free(&d);
}
END_TEST

START_TEST(duplicates_link_to_the_previous_entry)
{
    dotenv_file f;
    diag_list d;
    parse(&f, &d, "A=1\nB=2\nA=3\n");
    ck_assert_int_eq(f.entries[2].prev, 0);
    ck_assert_int_eq(f.entries[1].prev, -1);
    ck_assert_str_eq(dotenv_get(&f, "A")->value, "3");
    dotenv_free(&f);
    diag_list_free(&d);
}
END_TEST

START_TEST(deep_nesting_is_bounded)
{
    size_t depth = 5000;
    char *s = malloc(depth * 6 + 16);
    size_t n = 0;
    n += (size_t)sprintf(s, "A=");
    for (size_t i = 0; i < depth; i++)
        n += (size_t)sprintf(s + n, "${X:-");
    for (size_t i = 0; i < depth; i++)
        s[n++] = '}';
    s[n++] = '\n';
    dotenv_file f;
    diag_list d;
    diag_list_init(&d);
    ck_assert_int_eq(dotenv_parse(&f, "t.env", s, n, NULL, NULL, NULL, &d), 0);
    ck_assert_uint_eq(d.errors, 1);
    ck_assert_str_eq(d.items[0].rule, "bad-substitution");
    ck_assert_ptr_nonnull(strstr(d.items[0].message, "nested"));
    dotenv_free(&f);
    diag_list_free(&d);
    free(s);
}
END_TEST

START_TEST(nesting_within_the_limit_works)
{
    char s[1024];
    size_t n = (size_t)sprintf(s, "A=");
    for (int i = 0; i < DOTENV_MAX_NESTING - 1; i++)
        n += (size_t)sprintf(s + n, "${X:-");
    n += (size_t)sprintf(s + n, "ok");
    for (int i = 0; i < DOTENV_MAX_NESTING - 1; i++)
        s[n++] = '}';
    s[n] = '\0';
    dotenv_file f;
    diag_list d;
    parse(&f, &d, s);
    ck_assert_uint_eq(d.errors, 0);
    ck_assert_str_eq(dotenv_get(&f, "A")->value, "ok");
    dotenv_free(&f);
    diag_list_free(&d);
}
END_TEST

START_TEST(long_lines_within_raised_limits)
{
    size_t len = 10u << 20;
    char *s = malloc(len + 16);
    memcpy(s, "LONG=", 5);
    memset(s + 5, 'x', len);
    memcpy(s + 5 + len, "\nB=1\n", 5);
    dotenv_file f;
    diag_list d;
    diag_list_init(&d);
    const dotenv_limits big = {len + 10, len, len + 1};
    ck_assert_int_eq(dotenv_parse(&f, "t.env", s, len + 10, NULL, NULL, &big, &d), 0);
    ck_assert_uint_eq(d.len, 0);
    ck_assert_uint_eq(dotenv_get(&f, "LONG")->value_len, len);
    ck_assert_str_eq(dotenv_get(&f, "B")->value, "1");
    dotenv_free(&f);
    diag_list_free(&d);
    free(s);
}
END_TEST

static void collect(void *ctx, const char *name, size_t len)
{
    char *out = ctx;
    strncat(out, name, len);
    strcat(out, ",");
}

/* Parses text with limits; returns the number of value-too-large findings. */
static size_t too_large(dotenv_file *f, diag_list *d, const char *text, const dotenv_limits *lim)
{
    diag_list_init(d);
    ck_assert_int_eq(dotenv_parse(f, "t.env", text, strlen(text), fake_env, NULL, lim, d), 0);
    size_t n = 0;
    for (size_t i = 0; i < d->len; i++)
        n += !strcmp(d->items[i].rule, "value-too-large");
    return n;
}

/* Each value twice the previous one: 2^47 bytes if nothing stopped it. */
START_TEST(doubling_references_stop_at_the_value_limit)
{
    char text[2048];
    size_t n = (size_t)snprintf(text, sizeof text, "A00=xxxxxxxxxxxxxxxx\n");
    for (int i = 1; i < 44; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "A%02d=${A%02d}${A%02d}\n", i, i - 1, i - 1);
    dotenv_file f;
    diag_list d;
    ck_assert_uint_eq(too_large(&f, &d, text, NULL), 1);
    ck_assert_uint_eq(d.len, 1);
    ck_assert_str_eq(d.items[0].message,
                     "A14: the value expands to more than 131072 bytes (limits.max_value_bytes)");
    ck_assert_uint_eq(d.items[0].line, 15);
    ck_assert_uint_eq(d.items[0].col, 5);
    ck_assert_uint_eq(dotenv_get(&f, "A13")->value_len, 131072); /* the limit itself is fine */
    ck_assert_uint_eq(dotenv_get(&f, "A14")->value_len, 0);
    ck_assert(dotenv_get(&f, "A14")->error);
    ck_assert_uint_eq(dotenv_get(&f, "A43")->value_len, 0);
    dotenv_free(&f);
    diag_list_free(&d);
}
END_TEST

START_TEST(every_kind_of_value_obeys_the_limits)
{
    const dotenv_limits lim = {1 << 20, 4, 10};
    dotenv_file f;
    diag_list d;
    /* literal, single-quoted, double-quoted, expanded, and a bare KEY from the environment */
    const char *over[] = {"A=12345\n", "A='12345'\n", "A=\"12345\"\n", "B=123\nA=${B}${B}\n",
                          "ENV_ONLY\n"};
    for (size_t i = 0; i < sizeof over / sizeof *over; i++) {
        const char *key = i == 4 ? "ENV_ONLY" : "A";
        ck_assert_msg(too_large(&f, &d, over[i], &lim) == 1, "case %zu", i);
        ck_assert_msg(dotenv_get(&f, key) && dotenv_get(&f, key)->error, "case %zu", i);
        ck_assert_ptr_nonnull(strstr(d.items[d.len - 1].message, "more than 4 bytes"));
        dotenv_free(&f);
        diag_list_free(&d);
    }
    ck_assert_uint_eq(too_large(&f, &d, "A=1234\nB='1234'\n", &lim), 0);
    ck_assert_str_eq(dotenv_get(&f, "B")->value, "1234");
    dotenv_free(&f);
    diag_list_free(&d);
    /* 4 + 4 + 4 bytes: the third value passes max_total_bytes (10) */
    ck_assert_uint_eq(too_large(&f, &d, "A=1234\nB=1234\nC=1234\nD=\n", &lim), 1);
    ck_assert_str_eq(d.items[0].message,
                     "C: the values of this file expand to more than 10 bytes in all "
                     "(limits.max_total_bytes)");
    ck_assert_str_eq(dotenv_get(&f, "D")->value, ""); /* an empty value still fits */
    dotenv_free(&f);
    diag_list_free(&d);
}
END_TEST

START_TEST(file_larger_than_the_limit_is_not_read)
{
    const dotenv_limits lim = {10, 100, 100};
    char *path = write_temp("A=1\nB=22222\n", 12);
    dotenv_file f;
    char err[256];
    ck_assert_int_eq(dotenv_load_path(&f, path, NULL, NULL, &lim, NULL, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "is larger than 10 bytes (limits.max_file_bytes)"));
    dotenv_free(&f);
    /* a device that never ends is refused after max_file_bytes, not read forever */
    ck_assert_int_eq(dotenv_load_path(&f, "/dev/zero", NULL, NULL, NULL, NULL, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "is larger than 1048576 bytes"));
    dotenv_free(&f);
    const dotenv_limits enough = {12, 100, 100};
    ck_assert_int_eq(dotenv_load_path(&f, path, NULL, NULL, &enough, NULL, err, sizeof err), 0);
    ck_assert_str_eq(dotenv_get(&f, "B")->value, "22222");
    dotenv_free(&f);
    unlink(path);
    free(path);
}
END_TEST

START_TEST(references_are_found)
{
    char out[128] = "";
    const char *v = "$A ${B:-x} $$C \\${D} ${E}";
    dotenv_references(v, strlen(v), collect, out);
    ck_assert_str_eq(out, "A,B,D,E,");
}
END_TEST

START_TEST(missing_file_is_an_io_error)
{
    dotenv_file f;
    char err[256];
    ck_assert_int_eq(dotenv_load_path(&f, "/nonexistent/.env", NULL, NULL, NULL, NULL, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "/nonexistent/.env"));
    dotenv_free(&f);
    ck_assert_int_eq(dotenv_load_path(&f, "/tmp", NULL, NULL, NULL, NULL, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "directory"));
    dotenv_free(&f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dotenv");
    TCase *tc = tcase_create("compose");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, parses_like_compose, 0, sizeof compose_cases / sizeof compose_cases[0]);
    tcase_add_loop_test(tc, reports_syntax_errors, 0, sizeof error_cases / sizeof error_cases[0]);
    tcase_add_test(tc, required_error_names_the_variable_and_message);
    tcase_add_test(tc, errors_do_not_stop_later_lines);
    tcase_add_test(tc, messages_never_contain_values);
    tcase_add_test(tc, positions_and_line_kinds);
    tcase_add_test(tc, duplicates_link_to_the_previous_entry);
    tcase_add_test(tc, deep_nesting_is_bounded);
    tcase_add_test(tc, nesting_within_the_limit_works);
    tcase_add_test(tc, long_lines_within_raised_limits);
    tcase_add_test(tc, doubling_references_stop_at_the_value_limit);
    tcase_add_test(tc, every_kind_of_value_obeys_the_limits);
    tcase_add_test(tc, file_larger_than_the_limit_is_not_read);
    tcase_add_test(tc, references_are_found);
    tcase_add_test(tc, missing_file_is_an_io_error);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
