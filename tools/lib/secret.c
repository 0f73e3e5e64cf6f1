/* secret: random bytes and encodings on top of OpenSSL, the one place secrets are made. */
#include "secret.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

int secret_encoding_parse(const char *name, secret_encoding *out)
{
    if (!strcmp(name, "base64"))
        *out = SECRET_BASE64;
    else if (!strcmp(name, "base64url"))
        *out = SECRET_BASE64URL;
    else if (!strcmp(name, "hex"))
        *out = SECRET_HEX;
    else
        return -1;
    return 0;
}

const char *secret_encoding_name(secret_encoding e)
{
    return e == SECRET_BASE64 ? "base64" : e == SECRET_HEX ? "hex" : "base64url";
}

int secret_random(unsigned char *buf, size_t n)
{
    if (n > SECRET_MAX_BYTES)
        return -1;
    return RAND_bytes(buf, (int)n) == 1 ? 0 : -1;
}

char *secret_encode(const unsigned char *bytes, size_t n, secret_encoding e)
{
    if (e == SECRET_HEX) {
        static const char digits[] = "0123456789abcdef";
        char *out = malloc(2 * n + 1);
        if (!out)
            return NULL;
        for (size_t i = 0; i < n; i++) {
            out[2 * i] = digits[bytes[i] >> 4];
            out[2 * i + 1] = digits[bytes[i] & 15];
        }
        out[2 * n] = '\0';
        return out;
    }
    size_t cap = 4 * ((n + 2) / 3) + 1;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    int len = n ? EVP_EncodeBlock((unsigned char *)out, bytes, (int)n) : 0;
    if (len < 0) {
        free(out);
        return NULL;
    }
    out[len] = '\0';
    if (e == SECRET_BASE64URL) {
        /* RFC 4648 section 5, without padding (as JWT and Python's token_urlsafe) */
        for (int i = 0; i < len; i++) {
            if (out[i] == '+')
                out[i] = '-';
            else if (out[i] == '/')
                out[i] = '_';
        }
        while (len > 0 && out[len - 1] == '=')
            out[--len] = '\0';
    }
    return out;
}

char *secret_generate(size_t n, secret_encoding e)
{
    if (n == 0 || n > SECRET_MAX_BYTES)
        return NULL;
    unsigned char buf[SECRET_MAX_BYTES];
    if (secret_random(buf, n))
        return NULL;
    char *out = secret_encode(buf, n, e);
    OPENSSL_cleanse(buf, n);
    return out;
}

void secret_free(void *p, size_t n)
{
    if (!p)
        return;
    OPENSSL_cleanse(p, n);
    free(p);
}

void secret_free_str(char *s)
{
    if (s)
        secret_free(s, strlen(s));
}

unsigned char *secret_base64_decode(const char *text, size_t len, size_t *outlen)
{
    if (len % 4)
        return NULL;
    unsigned char *out = malloc(len / 4 * 3 + 1);
    if (!out)
        return NULL;
    int n = len ? EVP_DecodeBlock(out, (const unsigned char *)text, (int)len) : 0;
    if (n < 0) {
        free(out);
        return NULL;
    }
    /* EVP_DecodeBlock counts padding as zero bytes */
    if (len >= 1 && text[len - 1] == '=')
        n--;
    if (len >= 2 && text[len - 2] == '=')
        n--;
    *outlen = (size_t)n;
    return out;
}
