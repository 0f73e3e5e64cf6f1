/* secret: random bytes from OpenSSL (RAND_bytes) and their text encodings
 * (base64 with EVP, base64url without padding, hex). */
#ifndef TODO_SECRET_H
#define TODO_SECRET_H

#include <stddef.h>

typedef enum { SECRET_BASE64, SECRET_BASE64URL, SECRET_HEX } secret_encoding;

#define SECRET_MAX_BYTES 4096

/* Parses "base64", "base64url" or "hex"; -1 for anything else. */
int secret_encoding_parse(const char *name, secret_encoding *out);
const char *secret_encoding_name(secret_encoding e);

/* Fills buf with n cryptographically strong random bytes; -1 if OpenSSL cannot. */
int secret_random(unsigned char *buf, size_t n);
/* Encodes n bytes; returns an owned NUL-terminated string, NULL when out of memory. */
char *secret_encode(const unsigned char *bytes, size_t n, secret_encoding e);
/* A fresh random secret of n bytes (1..SECRET_MAX_BYTES) in encoding e, or NULL. */
char *secret_generate(size_t n, secret_encoding e);
/* Wipes n bytes at p (OPENSSL_cleanse: unlike memset, never optimised away before a
 * free) and frees p. NULL is fine. */
void secret_free(void *p, size_t n);
/* secret_free for a NUL-terminated string. */
void secret_free_str(char *s);
/* Standard base64 (with padding) decoding; returns an owned buffer and its length in
 * *outlen, or NULL when the text is not valid base64. */
unsigned char *secret_base64_decode(const char *text, size_t len, size_t *outlen);

#endif
