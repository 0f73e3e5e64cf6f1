/* envcheck_dump: the same output as compose_dump (compose_dump/main.go) from tools/lib/dotenv, with
 * "ERROR" exactly when Compose would refuse the file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dotenv.h"
static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
static void hexs(const char *s, size_t n) { for (size_t i = 0; i < n; i++) printf("%02x", (unsigned char)s[i]); }
int main(int argc, char **argv)
{
    for (int a = 1; a < argc; a++) {
        dotenv_file f; diag_list d; char err[256];
        diag_list_init(&d);
        if (dotenv_load_path(&f, argv[a], dotenv_lookup_environ, NULL, &d, err, sizeof err)) { puts("IOERR"); dotenv_free(&f); continue; }
        int compose_err = 0;
        for (size_t i = 0; i < d.len; i++) {
            const char *r = d.items[i].rule, *m = d.items[i].message;
            if (!strcmp(r, "unterminated-quote")) compose_err = 1;
            if (!strcmp(r, "bad-substitution") && !strstr(m, "nested")) compose_err = 1;
            if (!strcmp(r, "invalid-key") && strstr(m, "unexpected")) compose_err = 1;
        }
        for (size_t i = 0; i < f.nentries; i++)
            if (strchr(f.entries[i].key, ' ')) compose_err = 1;
        if (compose_err) { puts("ERROR"); dotenv_free(&f); diag_list_free(&d); continue; }
        char **keys = calloc(f.nentries + 1, sizeof *keys); size_t n = 0;
        for (size_t i = 0; i < f.nentries; i++)
            if (dotenv_get(&f, f.entries[i].key) == &f.entries[i]) keys[n++] = f.entries[i].key;
        qsort(keys, n, sizeof *keys, cmp);
        for (size_t i = 0; i < n; i++) { const dotenv_entry *e = dotenv_get(&f, keys[i]); hexs(keys[i], strlen(keys[i])); putchar(' '); hexs(e->value, e->value_len); putchar('\n'); }
        puts("END");
        free(keys); dotenv_free(&f); diag_list_free(&d);
    }
    return 0;
}
