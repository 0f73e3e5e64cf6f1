/* get: `envcheck get`, the resolved values of named keys for Make and scripts, so
 * nothing else has to parse .env (or interpolate it) on its own. */
#include <string.h>

#include "envcheck.h"

/* The value key ends up with in f, or NULL when the file leaves it unset (absent, or a
 * bare KEY line the environment does not define). */
static const dotenv_entry *resolved(const dotenv_file *f, const char *key)
{
    const dotenv_entry *e = dotenv_get(f, key);
    return e && e->value ? e : NULL;
}

int envcheck_get(const envcheck_get_options *o, FILE *out, FILE *err)
{
    envschema schema = {0};
    char msg[1024];
    if (o->schema_path && envschema_load_path(&schema, o->schema_path, msg, sizeof msg)) {
        fprintf(err, "envcheck: invalid schema: %s\n", msg);
        envschema_free(&schema);
        return 2;
    }
    dotenv_file f;
    int rc = dotenv_load_usable(&f, "envcheck", o->file, dotenv_lookup_environ,
                                o->schema_path ? &schema.limits : NULL, err);
    if (rc)
        goto done;
    /* every key is checked before anything is printed: a caller never gets a partial list */
    int secret = 0, unusable = 0;
    for (size_t i = 0; i < o->nkeys; i++) {
        const envschema_var *v = o->schema_path ? envschema_find(&schema, o->keys[i]) : NULL;
        const dotenv_entry *e = resolved(&f, o->keys[i]);
        if (v && v->secret && !o->show_secrets) {
            fprintf(err, "envcheck: %s is secret in %s: add --show-secrets to print it\n",
                    o->keys[i], o->schema_path);
            secret = 1;
        } else if (!e) {
            fprintf(err, "envcheck: %s is not set in %s\n", o->keys[i], o->file);
            unusable = 1;
        } else if (memchr(e->value, '\n', e->value_len) || memchr(e->value, '\0', e->value_len)) {
            fprintf(err, "envcheck: the value of %s spans several lines (or holds a NUL byte): "
                         "it cannot be printed one per line\n", o->keys[i]);
            unusable = 1;
        }
    }
    if (secret || unusable) {
        rc = secret ? 2 : 1;
        goto done;
    }
    for (size_t i = 0; i < o->nkeys; i++) {
        const dotenv_entry *e = resolved(&f, o->keys[i]);
        fwrite(e->value, 1, e->value_len, out);
        fputc('\n', out);
    }
    rc = fflush(out) ? 2 : 0;
done:
    dotenv_free(&f);
    envschema_free(&schema);
    return rc;
}
