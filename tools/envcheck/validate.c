/* validate: env.schema.yaml's rules over a parsed .env file or the process environment. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envcheck.h"

/* Where a variable's value comes from: a file's final entries or getenv. */
typedef struct source {
    const dotenv_file *file; /* NULL: the process environment */
} source;

static const char *source_get(void *ctx, const char *name)
{
    const source *src = ctx;
    if (!src->file)
        return getenv(name);
    const dotenv_entry *e = dotenv_get(src->file, name);
    return e ? e->value : NULL;
}

static void describe_requirement(const envschema_var *v, char *buf, size_t len)
{
    if (v->required || !v->when_var) {
        snprintf(buf, len, "required");
        return;
    }
    snprintf(buf, len, "required when %s=%s", v->when_var, v->when_values[0]);
}

/* Whether name is in the comma-separated list only (NULL: every name is). */
static int selected(const char *only, const char *name)
{
    if (!only)
        return 1;
    size_t n = strlen(name);
    for (const char *p = only; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && !strncmp(p, name, n))
            return 1;
        if (!end)
            break;
        p = end + 1;
    }
    return 0;
}

const char *envcheck_only_unknown(const envschema *s, const char *only, char *buf, size_t len)
{
    for (const char *p = only; p && *p;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        snprintf(buf, len, "%.*s", (int)n, p);
        if (!buf[0] || !envschema_find(s, buf))
            return buf;
        if (!end)
            break;
        p = end + 1;
    }
    return NULL;
}

/* Checks every schema variable (of `only`, when given) against one source; file names the findings. */
static void check_vars(const envschema *s, const source *src, const char *file, int show_values,
                       const char *only, diag_list *out)
{
    for (size_t i = 0; i < s->len; i++) {
        const envschema_var *v = &s->vars[i];
        if (!selected(only, v->name))
            continue;
        const dotenv_entry *e = src->file ? dotenv_get(src->file, v->name) : NULL;
        const char *value = source_get((void *)src, v->name);
        size_t len = e ? e->value_len : value ? strlen(value) : 0;
        unsigned line = e ? e->line : src->file ? 1 : 0, col = e ? e->col : src->file ? 1 : 0;
        if (e && e->error)
            continue; /* already reported as a syntax error */
        int required = envschema_is_required(s, v, source_get, (void *)src);
        char req[160];
        describe_requirement(v, req, sizeof req);
        if (!value) {
            if (required)
                diag_add(out, file, line, col, DIAG_ERROR, "missing-required", NULL,
                         "%s is %s but not set: %s", v->name, req, v->description);
            continue;
        }
        if (len == 0) {
            if (!required)
                continue; /* empty optional variable: unset, its default applies */
            if (v->secret)
                diag_add(out, file, line, col, DIAG_ERROR, "placeholder-secret", NULL,
                         "%s is empty but %s (%s)", v->name, req,
                         v->generate ? "run `make secrets` or `secretgen fill`" : v->description);
            else
                diag_add(out, file, line, col, DIAG_ERROR, "missing-required", NULL,
                         "%s is empty but %s: %s", v->name, req, v->description);
            continue;
        }
        char msg[512];
        envschema_verdict verdict = envschema_check_value(v, value, len, show_values, msg, sizeof msg);
        if (verdict != ENVSCHEMA_OK)
            diag_add(out, file, line, col, DIAG_ERROR, envschema_rule(verdict), NULL, "%s", msg);
    }
}

void envcheck_validate_file(const dotenv_file *f, const envschema *s, int strict, const char *only,
                            diag_list *out)
{
    source src = {f};
    check_vars(s, &src, f->name, 1, only, out);
    if (!strict)
        return;
    for (size_t i = 0; i < f->nentries; i++) {
        const dotenv_entry *e = &f->entries[i];
        if (e->error || !e->key[0] || e->prev >= 0 || envschema_find(s, e->key))
            continue;
        diag_add(out, f->name, e->line, e->col, DIAG_ERROR, "unknown-key", NULL,
                 "%s is not declared in %s (a typo, or add it to the schema)", e->key, s->path);
    }
}

void envcheck_validate_environ(const envschema *s, const char *only, diag_list *out)
{
    source src = {NULL};
    check_vars(s, &src, ENVCHECK_ENVIRON_NAME, 0, only, out);
}
