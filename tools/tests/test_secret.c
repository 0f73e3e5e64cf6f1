/* Check suite for tools/lib/secret: RFC 4648 test vectors for each encoding, lengths of
 * generated secrets, and that two secrets differ. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_helpers.h"
#include "secret.h"

static const struct {
    const char *in, *b64, *b64url, *hex;
} vectors[] = {
    {"", "", "", ""},
    {"f", "Zg==", "Zg", "66"},
    {"fo", "Zm8=", "Zm8", "666f"},
    {"foo", "Zm9v", "Zm9v", "666f6f"},
    {"foob", "Zm9vYg==", "Zm9vYg", "666f6f62"},
    {"foobar", "Zm9vYmFy", "Zm9vYmFy", "666f6f626172"},
    {"\xfb\xff\xbf", "+/+/", "-_-_", "fbffbf"},
};

START_TEST(encodes_rfc4648_vectors)
{
    const unsigned char *in = (const unsigned char *)vectors[_i].in;
    size_t n = strlen(vectors[_i].in);
    char *b64 = secret_encode(in, n, SECRET_BASE64);
    char *url = secret_encode(in, n, SECRET_BASE64URL);
    char *hex = secret_encode(in, n, SECRET_HEX);
    ck_assert_str_eq(b64, vectors[_i].b64);
    ck_assert_str_eq(url, vectors[_i].b64url);
    ck_assert_str_eq(hex, vectors[_i].hex);
    size_t len;
    unsigned char *back = secret_base64_decode(b64, strlen(b64), &len);
    ck_assert_ptr_nonnull(back);
    ck_assert_uint_eq(len, n);
    ck_assert_int_eq(memcmp(back, in, n), 0);
    free(back);
    free(b64);
    free(url);
    free(hex);
}
END_TEST

START_TEST(generated_secrets_have_the_right_length_and_differ)
{
    char *a = secret_generate(32, SECRET_BASE64URL), *b = secret_generate(32, SECRET_BASE64URL);
    ck_assert_uint_eq(strlen(a), 43);
    ck_assert_str_ne(a, b);
    char *h = secret_generate(48, SECRET_HEX), *s = secret_generate(48, SECRET_BASE64);
    ck_assert_uint_eq(strlen(h), 96);
    ck_assert_uint_eq(strlen(s), 64);
    ck_assert_ptr_null(secret_generate(0, SECRET_HEX));
    ck_assert_ptr_null(secret_generate(SECRET_MAX_BYTES + 1, SECRET_HEX));
    free(a);
    free(b);
    free(h);
    free(s);
}
END_TEST

START_TEST(encoding_names_round_trip)
{
    secret_encoding e;
    const char *names[] = {"base64", "base64url", "hex"};
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(secret_encoding_parse(names[i], &e), 0);
        ck_assert_str_eq(secret_encoding_name(e), names[i]);
    }
    ck_assert_int_eq(secret_encoding_parse("base32", &e), -1);
    size_t len;
    ck_assert_ptr_null(secret_base64_decode("abc", 3, &len));
    ck_assert_ptr_null(secret_base64_decode("ab!=", 4, &len));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("secret");
    TCase *tc = tcase_create("encode");
    tcase_add_loop_test(tc, encodes_rfc4648_vectors, 0, sizeof vectors / sizeof *vectors);
    tcase_add_test(tc, generated_secrets_have_the_right_length_and_differ);
    tcase_add_test(tc, encoding_names_round_trip);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
