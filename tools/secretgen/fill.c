/* fill: `secretgen fill`, gives every generated secret of the schema that is missing,
 * empty or a placeholder a fresh random value, touching no other byte of the file. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dotenv.h"
#include "envschema.h"
#include "secretgen.h"

typedef struct edit {
    size_t start, end;   /* bytes of the original replaced */
    char *text;          /* owned replacement */
} edit;

static int by_start(const void *a, const void *b)
{
    const edit *x = a, *y = b;
    return (x->start > y->start) - (x->start < y->start);
}

int secretgen_fill(const secretgen_fill_options *o, FILE *out, FILE *err)
{
    envschema schema;
    char msg[1024];
    if (envschema_load_path(&schema, o->schema_path, msg, sizeof msg)) {
        fprintf(err, "secretgen: invalid schema: %s\n", msg);
        envschema_free(&schema);
        return 2;
    }
    int created = 0, rc = 2;
    const char *source = o->env_path;
    struct stat st;
    if (stat(o->env_path, &st)) {
        if (errno != ENOENT) {
            fprintf(err, "secretgen: cannot read %s: %s\n", o->env_path, strerror(errno));
            envschema_free(&schema);
            return 2;
        }
        created = 1;
        source = o->template_path;
    }
    dotenv_file f;
    edit *edits = calloc(schema.len + 1, sizeof *edits);
    size_t nedits = 0;
    char *data = NULL;
    size_t len = 0;
    if (!edits) {
        memset(&f, 0, sizeof f);
        goto done;
    }
    if (source) {
        int load = dotenv_load_usable(&f, "secretgen", source, NULL, &schema.limits, err);
        if (load) {
            rc = load;
            goto done;
        }
    } else if (dotenv_parse(&f, o->env_path, "", 0, NULL, NULL, &schema.limits, NULL)) {
        fputs("secretgen: out of memory\n", err);
        goto done;
    }
    const char *nl = f.len > f.bom && memchr(f.src, '\r', f.len) && strstr(f.src, "\r\n") ? "\r\n" : "\n";
    int need_newline = f.len > f.bom && f.src[f.len - 1] != '\n';
    size_t filled = 0;
    char names[4096] = "";
    for (size_t i = 0; i < schema.len; i++) {
        const envschema_var *v = &schema.vars[i];
        if (!v->generate)
            continue;
        const dotenv_entry *e = dotenv_get(&f, v->name);
        if (!e) {
            /* a bare KEY line that resolves to nothing counts as missing too */
            for (size_t k = f.nentries; k-- > 0;)
                if (!strcmp(f.entries[k].key, v->name)) {
                    e = &f.entries[k];
                    break;
                }
        }
        if (e && e->value && !envschema_is_placeholder(e->value, e->value_len))
            continue;
        char *value = secret_generate(v->gen_bytes, v->gen_encoding);
        if (!value) {
            fprintf(err, "secretgen: cannot generate a value for %s (OpenSSL)\n", v->name);
            goto done;
        }
        edit *ed = &edits[nedits];
        if (!e) {
            ed->start = ed->end = f.len;
            if (asprintf(&ed->text, "%s%s=%s%s", need_newline ? nl : "", v->name, value, nl) < 0)
                ed->text = NULL;
            need_newline = 0;
        } else if (e->inherited || !e->separator) {
            ed->start = ed->end = e->key_start + strlen(e->key);
            if (asprintf(&ed->text, "=%s", value) < 0)
                ed->text = NULL;
        } else if (e->quote) {
            ed->start = e->raw_start + 1;
            ed->end = e->raw_end - 1;
            ed->text = strdup(value);
        } else {
            ed->start = e->raw_start;
            ed->end = e->raw_end;
            ed->text = strdup(value);
        }
        secret_free_str(value);
        if (!ed->text) {
            fprintf(err, "secretgen: out of memory\n");
            goto done;
        }
        nedits++;
        filled++;
        if (strlen(names) + strlen(v->name) + 3 < sizeof names) {
            if (names[0])
                strcat(names, ", ");
            strcat(names, v->name);
        }
    }
    if (!nedits && !created) {
        fprintf(out, "secretgen: every secret in %s is already set; nothing changed\n", o->env_path);
        rc = 0;
        goto done;
    }
    qsort(edits, nedits, sizeof *edits, by_start);
    size_t total = f.len;
    for (size_t i = 0; i < nedits; i++)
        total += strlen(edits[i].text);
    data = malloc(total + 1);
    if (!data) {
        fprintf(err, "secretgen: out of memory\n");
        goto done;
    }
    size_t pos = 0;
    for (size_t i = 0; i < nedits; i++) {
        memcpy(data + len, f.src + pos, edits[i].start - pos);
        len += edits[i].start - pos;
        size_t tl = strlen(edits[i].text);
        memcpy(data + len, edits[i].text, tl);
        len += tl;
        pos = edits[i].end;
    }
    memcpy(data + len, f.src + pos, f.len - pos);
    len += f.len - pos;
    if (secretgen_write_atomic(o->env_path, data, len, 0600, msg, sizeof msg)) {
        fprintf(err, "secretgen: %s (%s is unchanged)\n", msg, o->env_path);
        goto done;
    }
    if (created)
        fprintf(out, "secretgen: created %s from %s (mode 0600)\n", o->env_path,
                source ? source : "nothing");
    if (filled)
        fprintf(out, "secretgen: filled %zu secret%s in %s: %s\n", filled, filled == 1 ? "" : "s",
                o->env_path, names);
    rc = 0;
done:
    secret_free(data, len);
    for (size_t i = 0; i < nedits; i++)
        secret_free_str(edits[i].text);
    free(edits);
    dotenv_free(&f);
    envschema_free(&schema);
    return rc;
}
