/* k8s: `secretgen k8s`, a v1 Secret whose data are the values Compose would give a
 * container from the same .env, emitted with libyaml. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "dotenv.h"
#include "envschema.h"
#include "secretgen.h"

/* RFC 1123 subdomain (Secret name, max 253) or label (namespace, max 63). */
static int dns_name_ok(const char *s, size_t max, int dots)
{
    size_t n = strlen(s);
    if (!n || n > max)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (alnum)
            continue;
        if (c == '-' && i > 0 && i + 1 < n && s[i - 1] != '.' && s[i + 1] != '.')
            continue;
        if (c == '.' && dots && i > 0 && i + 1 < n && s[i - 1] != '.')
            continue;
        return 0;
    }
    return 1;
}

/* Secret data keys: [-._a-zA-Z0-9]+ */
static int data_key_ok(const char *k)
{
    if (!*k || strlen(k) > 253 || !strcmp(k, ".") || !strcmp(k, ".."))
        return 0;
    for (; *k; k++)
        if (!isalnum((unsigned char)*k) && *k != '-' && *k != '.' && *k != '_')
            return 0;
    return 1;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int scalar(yaml_emitter_t *em, const char *v)
{
    yaml_event_t ev;
    yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)v, (int)strlen(v), 1, 1,
                                 YAML_ANY_SCALAR_STYLE);
    return yaml_emitter_emit(em, &ev);
}

static int map_start(yaml_emitter_t *em)
{
    yaml_event_t ev;
    yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
    return yaml_emitter_emit(em, &ev);
}

static int map_end(yaml_emitter_t *em)
{
    yaml_event_t ev;
    yaml_mapping_end_event_initialize(&ev);
    return yaml_emitter_emit(em, &ev);
}

static int write_file(void *data, unsigned char *buf, size_t size)
{
    return fwrite(buf, 1, size, data) == size;
}

/* Emits the manifest; keys sorted, values base64 (standard, padded, one line). */
static int emit(const secretgen_k8s_options *o, const dotenv_file *f, char **keys, size_t n,
                FILE *out)
{
    yaml_emitter_t em;
    yaml_event_t ev;
    if (!yaml_emitter_initialize(&em))
        return -1;
    yaml_emitter_set_output(&em, write_file, out);
    yaml_emitter_set_unicode(&em, 1);
    yaml_emitter_set_width(&em, -1);
    int ok = 1;
    yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
    ok = ok && yaml_emitter_emit(&em, &ev);
    yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
    ok = ok && yaml_emitter_emit(&em, &ev);
    ok = ok && map_start(&em);
    ok = ok && scalar(&em, "apiVersion") && scalar(&em, "v1");
    ok = ok && scalar(&em, "kind") && scalar(&em, "Secret");
    ok = ok && scalar(&em, "metadata") && map_start(&em);
    ok = ok && scalar(&em, "name") && scalar(&em, o->name);
    if (o->namespace_)
        ok = ok && scalar(&em, "namespace") && scalar(&em, o->namespace_);
    ok = ok && map_end(&em);
    ok = ok && scalar(&em, "type") && scalar(&em, "Opaque");
    ok = ok && scalar(&em, "data") && map_start(&em);
    for (size_t i = 0; i < n && ok; i++) {
        const dotenv_entry *e = dotenv_get(f, keys[i]);
        char *b64 = secret_encode((const unsigned char *)e->value, e->value_len, SECRET_BASE64);
        ok = b64 && scalar(&em, keys[i]) && scalar(&em, b64);
        secret_free_str(b64);
    }
    ok = ok && map_end(&em) && map_end(&em);
    yaml_document_end_event_initialize(&ev, 1);
    ok = ok && yaml_emitter_emit(&em, &ev);
    yaml_stream_end_event_initialize(&ev);
    ok = ok && yaml_emitter_emit(&em, &ev);
    ok = ok && yaml_emitter_flush(&em);
    yaml_emitter_delete(&em);
    return ok ? 0 : -1;
}

int secretgen_k8s(const secretgen_k8s_options *o, FILE *out, FILE *err)
{
    if (!dns_name_ok(o->name, 253, 1)) {
        fprintf(err, "secretgen: '%s' is not a valid Secret name (lowercase letters, digits, '-' "
                     "and '.', at most 253)\n", o->name);
        return 2;
    }
    if (o->namespace_ && !dns_name_ok(o->namespace_, 63, 0)) {
        fprintf(err, "secretgen: '%s' is not a valid namespace (lowercase letters, digits and '-', "
                     "at most 63)\n", o->namespace_);
        return 2;
    }
    envschema schema = {0};
    char msg[1024];
    if (o->schema_path && envschema_load_path(&schema, o->schema_path, msg, sizeof msg)) {
        fprintf(err, "secretgen: invalid schema: %s\n", msg);
        envschema_free(&schema);
        return 2;
    }
    dotenv_file f;
    char **keys = NULL;
    size_t n = 0;
    char *list = NULL;
    int rc = dotenv_load_usable(&f, "secretgen", o->env_path, dotenv_lookup_environ,
                                o->schema_path ? &schema.limits : NULL, err);
    if (rc)
        goto done;
    rc = 2;
    keys = calloc(f.nentries + schema.len + 1, sizeof *keys);
    list = o->keys ? strdup(o->keys) : NULL;
    if (!keys || (o->keys && !list)) {
        fputs("secretgen: out of memory\n", err);
        goto done;
    }
    if (o->keys) {
        for (char *save = NULL, *k = strtok_r(list, ",", &save); k;
             k = strtok_r(NULL, ",", &save)) {
            const dotenv_entry *e = dotenv_get(&f, k);
            if (!e) {
                fprintf(err, "secretgen: %s is not set in %s\n", k, o->env_path);
                rc = 1;
                goto done;
            }
            if (n < f.nentries)
                keys[n++] = e->key;
        }
    } else if (o->schema_path) {
        for (size_t i = 0; i < schema.len; i++)
            if (schema.vars[i].secret) {
                const dotenv_entry *e = dotenv_get(&f, schema.vars[i].name);
                if (e)
                    keys[n++] = e->key;
            }
    } else {
        for (size_t i = 0; i < f.nentries; i++)
            if (f.entries[i].key[0] && dotenv_get(&f, f.entries[i].key) == &f.entries[i])
                keys[n++] = f.entries[i].key;
    }
    qsort(keys, n, sizeof *keys, cmp_str);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m && !strcmp(keys[m - 1], keys[i]))
            continue;
        if (!data_key_ok(keys[i])) {
            fprintf(err, "secretgen: '%s' cannot be a Secret key (letters, digits, '-', '.', '_')\n",
                    keys[i]);
            rc = 1;
            goto done;
        }
        keys[m++] = keys[i];
    }
    if (emit(o, &f, keys, m, out)) {
        fprintf(err, "secretgen: cannot write the manifest\n");
        goto done;
    }
    rc = fflush(out) ? 2 : 0;
done:
    free(list);
    free(keys);
    dotenv_free(&f);
    envschema_free(&schema);
    return rc;
}
