/* rand: `secretgen rand`, one random secret on standard output. */
#include "secretgen.h"

int secretgen_rand(size_t n, secret_encoding e, FILE *out, FILE *err)
{
    char *s = secret_generate(n, e);
    if (!s) {
        fprintf(err, "secretgen: cannot generate %zu random bytes (OpenSSL RAND_bytes failed)\n", n);
        return 2;
    }
    fprintf(out, "%s\n", s);
    secret_free_str(s);
    return fflush(out) ? 2 : 0;
}
