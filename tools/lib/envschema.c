/* envschema: loads env.schema.yaml through yamldoc and checks values against it. */
#include "envschema.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yamldoc.h"

#define ENVSCHEMA_MAX_VARS 10000
#define ENVSCHEMA_MAX_PATTERN 200
#define ENVSCHEMA_MAX_LIMIT (1 << 30) /* a size limit above 1 GiB protects nothing */

static const char *type_names[] = {"string", "int", "port", "bool", "enum", "url", "email",
                                   "regex", "secret"};

const char *envschema_type_name(envschema_type t)
{
    return type_names[t];
}

static int fail(char *err, size_t errlen, const char *file, const ynode *n, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int fail(char *err, size_t errlen, const char *file, const ynode *n, const char *fmt, ...)
{
    int off = snprintf(err, errlen, "%s:%u:%u: ", file, n ? n->line : 1, n ? n->col : 1);
    if (off < 0 || (size_t)off >= errlen)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + off, errlen - (size_t)off, fmt, ap);
    va_end(ap);
    return -1;
}

/* A list of scalars (or one scalar) as an owned string array. */
static int string_list(const ynode *n, char ***out, size_t *len)
{
    size_t count = n->kind == YNODE_SEQ ? n->len : 1;
    if (n->kind == YNODE_MAP)
        return -1;
    *out = calloc(count ? count : 1, sizeof **out);
    if (!*out)
        return -1;
    *len = 0;
    for (size_t i = 0; i < count; i++) {
        const ynode *item = n->kind == YNODE_SEQ ? n->children[i] : n;
        if (item->kind != YNODE_SCALAR)
            return -1;
        (*out)[i] = strdup(item->value);
        if (!(*out)[i])
            return -1;
        (*len)++;
    }
    return 0;
}

static void free_list(char **list, size_t len)
{
    for (size_t i = 0; i < len; i++)
        free(list[i]);
    free(list);
}

/* Refuses patterns that could make regcomp/regexec blow up (bounded repeats, backrefs). */
static int pattern_is_safe(const char *p)
{
    if (strlen(p) > ENVSCHEMA_MAX_PATTERN)
        return 0;
    int bounds = 0;
    for (const char *c = p; *c; c++) {
        if (*c == '\\' && c[1] >= '1' && c[1] <= '9')
            return 0;
        if (*c == '{') {
            if (++bounds > 2)
                return 0;
            for (const char *d = c + 1; *d && *d != '}'; d++)
                if (isdigit((unsigned char)*d) && atoi(d) > 64)
                    return 0;
        }
    }
    return 1;
}

static int known_field(const char *k)
{
    static const char *fields[] = {"type", "description", "required", "required_when", "secret",
                                   "default", "min", "max", "values", "schemes", "pattern",
                                   "min_length", "min_entropy", "generate", "bytes", "encoding",
                                   NULL};
    for (int i = 0; fields[i]; i++)
        if (!strcmp(k, fields[i]))
            return 1;
    return 0;
}

static int load_var(envschema_var *v, const char *file, const ynode *key, const ynode *spec,
                    char *err, size_t errlen)
{
    const char *name = key->value;
    v->line = key->line;
    v->col = key->col;
    v->min = LLONG_MIN;
    v->max = LLONG_MAX;
    v->gen_bytes = 32;
    v->gen_encoding = SECRET_BASE64URL;
    v->name = strdup(name);
    if (!v->name)
        return fail(err, errlen, file, key, "out of memory");
    if (!*name || strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") != strlen(name) ||
        isdigit((unsigned char)name[0]))
        return fail(err, errlen, file, key, "'%.80s' is not a variable name ([A-Za-z_][A-Za-z0-9_]*)", name);
    if (!spec || spec->kind != YNODE_MAP)
        return fail(err, errlen, file, key, "%s: expected a map of fields (type, description, ...)", name);
    for (size_t i = 0; i < spec->len; i++) {
        const ynode *k = spec->children[2 * i];
        if (k->kind != YNODE_SCALAR || !known_field(k->value))
            return fail(err, errlen, file, k, "%s: unknown field '%.60s'", name,
                        k->kind == YNODE_SCALAR ? k->value : "?");
    }
    const char *type = ynode_str(ynode_map_get(spec, "type"));
    if (!type)
        return fail(err, errlen, file, spec, "%s: 'type' is missing", name);
    size_t t;
    for (t = 0; t < sizeof type_names / sizeof *type_names; t++)
        if (!strcmp(type, type_names[t]))
            break;
    if (t == sizeof type_names / sizeof *type_names)
        return fail(err, errlen, file, ynode_map_get(spec, "type"),
                    "%s: unknown type '%.40s' (string, int, port, bool, enum, url, email, regex, secret)",
                    name, type);
    v->type = (envschema_type)t;
    const char *desc = ynode_str(ynode_map_get(spec, "description"));
    if (!desc || !*desc || strchr(desc, '\n'))
        return fail(err, errlen, file, spec, "%s: 'description' must be one line of text", name);
    v->description = strdup(desc);
    const ynode *n;
    int b;
    if ((n = ynode_map_get(spec, "required")) && !ynode_is_null(n)) {
        if (ynode_bool(n, &b))
            return fail(err, errlen, file, n, "%s: 'required' must be true or false", name);
        v->required = b;
    }
    v->secret = v->type == ENVT_SECRET;
    if ((n = ynode_map_get(spec, "secret")) && !ynode_is_null(n)) {
        if (ynode_bool(n, &b))
            return fail(err, errlen, file, n, "%s: 'secret' must be true or false", name);
        if (!b && v->type == ENVT_SECRET)
            return fail(err, errlen, file, n, "%s: a variable of type secret is always secret", name);
        v->secret = b;
    }
    v->generate = v->type == ENVT_SECRET;
    if ((n = ynode_map_get(spec, "generate")) && !ynode_is_null(n)) {
        if (ynode_bool(n, &b))
            return fail(err, errlen, file, n, "%s: 'generate' must be true or false", name);
        if (b && v->type != ENVT_SECRET)
            return fail(err, errlen, file, n, "%s: only variables of type secret can be generated", name);
        v->generate = b;
    }
    long long num;
    if ((n = ynode_map_get(spec, "bytes"))) {
        if (ynode_int(n, &num) || num < 1 || num > SECRET_MAX_BYTES)
            return fail(err, errlen, file, n, "%s: 'bytes' must be an integer 1..%d", name, SECRET_MAX_BYTES);
        v->gen_bytes = (size_t)num;
    }
    if ((n = ynode_map_get(spec, "encoding"))) {
        if (!ynode_str(n) || secret_encoding_parse(ynode_str(n), &v->gen_encoding))
            return fail(err, errlen, file, n, "%s: 'encoding' must be base64, base64url or hex", name);
    }
    if ((n = ynode_map_get(spec, "default")) && !ynode_is_null(n)) {
        if (n->kind != YNODE_SCALAR)
            return fail(err, errlen, file, n, "%s: 'default' must be a scalar", name);
        v->def = strdup(n->value);
    }
    if ((n = ynode_map_get(spec, "min"))) {
        if (ynode_int(n, &v->min))
            return fail(err, errlen, file, n, "%s: 'min' must be an integer", name);
    }
    if ((n = ynode_map_get(spec, "max"))) {
        if (ynode_int(n, &v->max))
            return fail(err, errlen, file, n, "%s: 'max' must be an integer", name);
    }
    if (v->min > v->max)
        return fail(err, errlen, file, spec, "%s: 'min' is greater than 'max'", name);
    if ((n = ynode_map_get(spec, "min_length"))) {
        if (ynode_int(n, &num) || num < 0 || num > 100000)
            return fail(err, errlen, file, n, "%s: 'min_length' must be an integer 0..100000", name);
        v->min_length = (size_t)num;
    }
    if ((n = ynode_map_get(spec, "min_entropy"))) {
        if (ynode_int(n, &num) || num < 0 || num > 100000)
            return fail(err, errlen, file, n, "%s: 'min_entropy' must be a number of bits", name);
        v->min_entropy = (double)num;
    }
    if ((n = ynode_map_get(spec, "values"))) {
        if (string_list(n, &v->values, &v->nvalues) || !v->nvalues)
            return fail(err, errlen, file, n, "%s: 'values' must be a list of strings", name);
    }
    if (v->type == ENVT_ENUM && !v->nvalues)
        return fail(err, errlen, file, spec, "%s: an enum needs 'values'", name);
    if ((n = ynode_map_get(spec, "schemes"))) {
        if (string_list(n, &v->schemes, &v->nschemes))
            return fail(err, errlen, file, n, "%s: 'schemes' must be a list of strings", name);
    }
    if ((n = ynode_map_get(spec, "pattern"))) {
        const char *p = ynode_str(n);
        if (!p || !pattern_is_safe(p))
            return fail(err, errlen, file, n,
                        "%s: 'pattern' must be a POSIX extended regex of at most %d bytes, "
                        "without back-references or more than two {n} bounds up to 64",
                        name, ENVSCHEMA_MAX_PATTERN);
        v->pattern = strdup(p);
        if (!v->pattern || regcomp(&v->re, p, REG_EXTENDED | REG_NOSUB))
            return fail(err, errlen, file, n, "%s: 'pattern' is not a valid regex", name);
        v->has_re = 1;
    }
    if (v->type == ENVT_REGEX && !v->has_re)
        return fail(err, errlen, file, spec, "%s: type regex needs 'pattern'", name);
    if ((n = ynode_map_get(spec, "required_when")) && !ynode_is_null(n)) {
        if (n->kind != YNODE_MAP || n->len != 1 || n->children[0]->kind != YNODE_SCALAR)
            return fail(err, errlen, file, n, "%s: 'required_when' must be {VARIABLE: value or [values]}", name);
        v->when_var = strdup(n->children[0]->value);
        if (string_list(n->children[1], &v->when_values, &v->nwhen) || !v->nwhen)
            return fail(err, errlen, file, n, "%s: 'required_when' values must be strings", name);
    }
    if (!v->description)
        return fail(err, errlen, file, spec, "out of memory");
    if (v->def) {
        char msg[256];
        if (envschema_check_value(v, v->def, strlen(v->def), 0, msg, sizeof msg) != ENVSCHEMA_OK &&
            v->type != ENVT_SECRET)
            return fail(err, errlen, file, ynode_map_get(spec, "default"), "default: %s", msg);
    }
    return 0;
}

/* `limits:` {max_file_bytes, max_value_bytes, max_total_bytes}: each a number of bytes;
 * the ones not given keep their defaults. */
static int load_limits(envschema *s, const char *file, const ynode *limits, char *err,
                       size_t errlen)
{
    if (limits->kind != YNODE_MAP)
        return fail(err, errlen, file, limits,
                    "'limits' must be a map (max_file_bytes, max_value_bytes, max_total_bytes)");
    static const char *names[] = {"max_file_bytes", "max_value_bytes", "max_total_bytes"};
    size_t *fields[] = {&s->limits.max_file_bytes, &s->limits.max_value_bytes,
                        &s->limits.max_total_bytes};
    for (size_t i = 0; i < limits->len; i++) {
        const ynode *k = limits->children[2 * i], *v = limits->children[2 * i + 1];
        size_t f = 0;
        while (f < 3 && (k->kind != YNODE_SCALAR || strcmp(k->value, names[f])))
            f++;
        if (f == 3)
            return fail(err, errlen, file, k,
                        "unknown limit (expected max_file_bytes, max_value_bytes, max_total_bytes)");
        long long num;
        if (ynode_int(v, &num) || num < 1 || num > ENVSCHEMA_MAX_LIMIT)
            return fail(err, errlen, file, v, "limits.%s must be a number of bytes from 1 to %d",
                        names[f], ENVSCHEMA_MAX_LIMIT);
        *fields[f] = (size_t)num;
    }
    return 0;
}

static int load_doc(envschema *s, const char *file, const ydoc *doc, char *err, size_t errlen)
{
    const ynode *root = doc->root;
    if (!root || root->kind != YNODE_MAP)
        return fail(err, errlen, file, root, "expected a map with 'variables'");
    for (size_t i = 0; i < root->len; i++) {
        const ynode *k = root->children[2 * i];
        if (k->kind != YNODE_SCALAR || (strcmp(k->value, "variables") && strcmp(k->value, "version") &&
                                        strcmp(k->value, "limits")))
            return fail(err, errlen, file, k,
                        "unknown top-level field (expected version, limits, variables)");
    }
    const ynode *limits = ynode_map_get(root, "limits");
    if (limits && load_limits(s, file, limits, err, errlen))
        return -1;
    const ynode *vars = ynode_map_get(root, "variables");
    if (!vars || vars->kind != YNODE_MAP)
        return fail(err, errlen, file, vars ? vars : root, "'variables' must be a map of NAME: {type, ...}");
    if (vars->len > ENVSCHEMA_MAX_VARS)
        return fail(err, errlen, file, vars, "more than %d variables", ENVSCHEMA_MAX_VARS);
    s->vars = calloc(vars->len ? vars->len : 1, sizeof *s->vars);
    if (!s->vars)
        return fail(err, errlen, file, vars, "out of memory");
    for (size_t i = 0; i < vars->len; i++) {
        const ynode *k = vars->children[2 * i];
        if (k->kind != YNODE_SCALAR)
            return fail(err, errlen, file, k, "a variable name must be a string");
        for (size_t j = 0; j < s->len; j++)
            if (!strcmp(s->vars[j].name, k->value))
                return fail(err, errlen, file, k, "%.80s is declared twice", k->value);
        s->len++;
        if (load_var(&s->vars[s->len - 1], file, k, vars->children[2 * i + 1], err, errlen))
            return -1;
    }
    for (size_t i = 0; i < s->len; i++)
        if (s->vars[i].when_var && !envschema_find(s, s->vars[i].when_var))
            return fail(err, errlen, file, NULL, "%s: required_when names %.80s, which is not declared",
                        s->vars[i].name, s->vars[i].when_var);
    return 0;
}

static int load_from(envschema *s, const char *name, ydoc_reader *r, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->limits = DOTENV_LIMITS_DEFAULT;
    s->path = strdup(name);
    if (!r || !s->path) {
        ydoc_reader_free(r);
        snprintf(err, errlen, "%s: out of memory", name);
        return -1;
    }
    ydoc doc;
    ydoc_error yerr;
    int rc = ydoc_reader_next(r, &doc, &yerr);
    if (rc < 0) {
        snprintf(err, errlen, "%s:%u:%u: %s", name, yerr.line, yerr.col, yerr.message);
        ydoc_reader_free(r);
        return -1;
    }
    if (rc == 0) {
        ydoc_reader_free(r);
        snprintf(err, errlen, "%s:1:1: the schema is empty", name);
        return -1;
    }
    rc = load_doc(s, name, &doc, err, errlen);
    ydoc_free(&doc);
    ydoc_reader_free(r);
    return rc;
}

int envschema_load_buffer(envschema *s, const char *name, const char *buf, size_t len,
                          char *err, size_t errlen)
{
    ydoc_limits limits = {64, 100000, 1u << 16};
    return load_from(s, name, ydoc_reader_from_buffer(buf, len, 0, &limits), err, errlen);
}

int envschema_load_path(envschema *s, const char *path, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot open schema %s: %s", path, strerror(errno));
        return -1;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 16384;
            char *nb = cap <= (8u << 20) ? realloc(buf, cap) : NULL;
            if (!nb) {
                free(buf);
                fclose(f);
                snprintf(err, errlen, "schema %s is too large (8 MiB at most) or unreadable", path);
                return -1;
            }
            buf = nb;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (!got)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        snprintf(err, errlen, "cannot read schema %s", path);
        return -1;
    }
    int rc = envschema_load_buffer(s, path, buf, len, err, errlen);
    free(buf);
    return rc;
}

void envschema_free(envschema *s)
{
    for (size_t i = 0; i < s->len; i++) {
        envschema_var *v = &s->vars[i];
        free(v->name);
        free(v->description);
        free(v->when_var);
        free_list(v->when_values, v->nwhen);
        free(v->def);
        free_list(v->values, v->nvalues);
        free_list(v->schemes, v->nschemes);
        free(v->pattern);
        if (v->has_re)
            regfree(&v->re);
    }
    /* a variable that failed half-way is counted in len, so everything above is freed */
    free(s->vars);
    free(s->path);
    memset(s, 0, sizeof *s);
}

const envschema_var *envschema_find(const envschema *s, const char *name)
{
    for (size_t i = 0; i < s->len; i++)
        if (!strcmp(s->vars[i].name, name))
            return &s->vars[i];
    return NULL;
}

int envschema_is_required(const envschema *s, const envschema_var *v, envschema_get_fn get,
                          void *ctx)
{
    if (v->required)
        return 1;
    if (!v->when_var)
        return 0;
    const char *cur = get ? get(ctx, v->when_var) : NULL;
    if (!cur || !*cur) {
        const envschema_var *w = envschema_find(s, v->when_var);
        cur = w ? w->def : NULL;
    }
    if (!cur)
        return 0;
    for (size_t i = 0; i < v->nwhen; i++)
        if (!strcmp(cur, v->when_values[i]))
            return 1;
    return 0;
}

const char *envschema_rule(envschema_verdict v)
{
    switch (v) {
    case ENVSCHEMA_INVALID_TYPE: return "invalid-type";
    case ENVSCHEMA_INVALID_VALUE: return "invalid-value";
    case ENVSCHEMA_PLACEHOLDER: return "placeholder-secret";
    case ENVSCHEMA_WEAK: return "weak-secret";
    default: return "";
    }
}

/* ---- value checks ---- */

static int ieq(const char *a, const char *b)
{
    return !strcasecmp(a, b);
}

int envschema_is_placeholder(const char *value, size_t len)
{
    if (len == 0)
        return 1;
    if (len > 256)
        return 0;
    if (value[0] == '<' && value[len - 1] == '>')
        return 1;
    char norm[257];
    size_t n = 0, xs = 0, run = 0;
    int only_filler = 1;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)value[i];
        if (isalnum(ch))
            norm[n++] = (char)tolower(ch);
        if (tolower(ch) == 'x') {
            if (++run >= 4)
                xs = 1;
        } else {
            run = 0;
        }
        if (tolower(ch) != 'x' && ch != '*' && ch != '.' && ch != '-' && ch != '_')
            only_filler = 0;
    }
    norm[n] = '\0';
    if ((only_filler && len >= 3) || xs)
        return 1;
    static const char *exact[] = {"changeme", "changethis", "replaceme", "placeholder", "secret",
                                  "password", "passwd", "todo", "fixme", "example", "test", "dummy",
                                  "none", "null", "empty", "default", "xxx", "abc", "abc123",
                                  "123456", "12345678", "qwerty", "letmein", "admin", "sample", NULL};
    for (int i = 0; exact[i]; i++)
        if (!strcmp(norm, exact[i]))
            return 1;
    static const char *prefixes[] = {"changeme", "changethis", "replaceme", "replacethis",
                                     "insert", "enter", "put", "set", "fill", NULL};
    for (int i = 0; prefixes[i]; i++) {
        size_t pl = strlen(prefixes[i]);
        if (!strncmp(norm, prefixes[i], pl)) {
            /* "changeme..." always; the verbs only with a phrase ("insert-key-here") */
            if (i < 4 || (n >= 4 && !strcmp(norm + n - 4, "here")))
                return 1;
        }
    }
    /* "your-key-here", "your_openai_api_key", "YOUR API KEY" */
    if (!strncmp(norm, "your", 4) && len > 4 && !isalnum((unsigned char)value[4]))
        return 1;
    if (n >= 4 && !strcmp(norm + n - 4, "here") && strstr(norm, "your"))
        return 1;
    return 0;
}

double envschema_entropy_bits(const char *value, size_t len)
{
    if (!len)
        return 0;
    size_t counts[256] = {0};
    for (size_t i = 0; i < len; i++)
        counts[(unsigned char)value[i]]++;
    double h = 0;
    for (int i = 0; i < 256; i++)
        if (counts[i]) {
            double p = (double)counts[i] / (double)len;
            h -= p * log2(p);
        }
    return h * (double)len;
}

static envschema_verdict say(char *msg, size_t msglen, envschema_verdict v, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static envschema_verdict say(char *msg, size_t msglen, envschema_verdict v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, msglen, fmt, ap);
    va_end(ap);
    return v;
}

static size_t utf8_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            n++;
    return n;
}

static int parse_ll(const char *s, long long *out)
{
    if (!*s || isspace((unsigned char)*s))
        return -1;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

static int has_space_or_control(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] <= ' ' || s[i] == 0x7F)
            return 1;
    return 0;
}

/* scheme://[userinfo@]host[:port][/path][?query][#frag]; returns -1 if malformed. Fills
 * the scheme span and the password span (or len 0). */
static int parse_url(const char *s, size_t len, size_t *scheme_len, size_t *pw_start,
                     size_t *pw_len)
{
    size_t i = 0;
    if (!len || !isalpha((unsigned char)s[0]))
        return -1;
    while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '+' || s[i] == '.' || s[i] == '-'))
        i++;
    if (len - i < 3 || memcmp(s + i, "://", 3))
        return -1;
    *scheme_len = i;
    size_t a = i + 3, e = a;
    while (e < len && s[e] != '/' && s[e] != '?' && s[e] != '#')
        e++;
    size_t host = a;
    *pw_start = *pw_len = 0;
    for (size_t k = e; k > a; k--)
        if (s[k - 1] == '@') {
            host = k;
            const char *colon = memchr(s + a, ':', k - 1 - a);
            if (colon) {
                *pw_start = (size_t)(colon - s) + 1;
                *pw_len = k - 1 - *pw_start;
            }
            break;
        }
    size_t hend = e;
    if (host < e && s[host] == '[') {
        const char *rb = memchr(s + host, ']', e - host);
        if (!rb)
            return -1;
        hend = (size_t)(rb - s) + 1;
        if (hend < e && s[hend] != ':')
            return -1;
    } else {
        const char *colon = memchr(s + host, ':', e - host);
        if (colon)
            hend = (size_t)(colon - s);
    }
    if (hend == host)
        return -1;
    for (size_t k = host; k < hend; k++)
        if (s[k] == '@' || s[k] == '%' || s[k] == '\\')
            return -1;
    if (hend < e) {
        size_t p = hend + 1;
        if (p == e || e - p > 5)
            return -1;
        long port = 0;
        for (size_t k = p; k < e; k++) {
            if (!isdigit((unsigned char)s[k]))
                return -1;
            port = port * 10 + (s[k] - '0');
        }
        if (port < 1 || port > 65535)
            return -1;
    }
    return 0;
}

envschema_verdict envschema_check_value(const envschema_var *v, const char *value, size_t len,
                                        int show_value, char *msg, size_t msglen)
{
    int show = show_value && !v->secret && len <= 200 && !memchr(value, '\n', len);
    char shown[240];
    if (show)
        snprintf(shown, sizeof shown, " '%.*s'", (int)len, value);
    else
        shown[0] = '\0';
    if (memchr(value, '\0', len))
        return say(msg, msglen, ENVSCHEMA_INVALID_TYPE, "%s: contains a NUL byte", v->name);
    long long num;
    switch (v->type) {
    case ENVT_INT:
    case ENVT_PORT:
        if (parse_ll(value, &num))
            return say(msg, msglen, ENVSCHEMA_INVALID_TYPE, "%s:%s is not an integer", v->name, shown);
        if (v->type == ENVT_PORT && (num < 1 || num > 65535))
            return say(msg, msglen, ENVSCHEMA_INVALID_VALUE, "%s:%s is not a port (1..65535)", v->name, shown);
        if (num < v->min || num > v->max) {
            if (v->min != LLONG_MIN && v->max != LLONG_MAX)
                return say(msg, msglen, ENVSCHEMA_INVALID_VALUE, "%s:%s is out of range %lld..%lld",
                           v->name, shown, v->min, v->max);
            if (num < v->min)
                return say(msg, msglen, ENVSCHEMA_INVALID_VALUE, "%s:%s is below the minimum %lld",
                           v->name, shown, v->min);
            return say(msg, msglen, ENVSCHEMA_INVALID_VALUE, "%s:%s is above the maximum %lld",
                       v->name, shown, v->max);
        }
        break;
    case ENVT_BOOL: {
        static const char *bools[] = {"true", "false", "1", "0", "yes", "no", "on", "off", NULL};
        int ok = 0;
        for (int i = 0; bools[i]; i++)
            if (strlen(bools[i]) == len && ieq(value, bools[i]))
                ok = 1;
        if (!ok)
            return say(msg, msglen, ENVSCHEMA_INVALID_TYPE,
                       "%s:%s is not a boolean (true, false, 1, 0, yes, no, on, off)", v->name, shown);
        break;
    }
    case ENVT_ENUM: {
        for (size_t i = 0; i < v->nvalues; i++)
            if (!strcmp(value, v->values[i]))
                goto common;
        char list[200] = "";
        for (size_t i = 0; i < v->nvalues && strlen(list) < 150; i++) {
            strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
            strncat(list, v->values[i], sizeof list - strlen(list) - 1);
        }
        return say(msg, msglen, ENVSCHEMA_INVALID_VALUE, "%s:%s is not one of: %s", v->name, shown, list);
    }
    case ENVT_URL: {
        size_t sl, pws, pwl;
        if (has_space_or_control(value, len) || parse_url(value, len, &sl, &pws, &pwl))
            return say(msg, msglen, ENVSCHEMA_INVALID_TYPE,
                       "%s:%s is not a URL (expected scheme://host[:port][/path])", v->name, shown);
        if (v->nschemes) {
            int ok = 0;
            for (size_t i = 0; i < v->nschemes; i++)
                if (strlen(v->schemes[i]) == sl && !strncasecmp(value, v->schemes[i], sl))
                    ok = 1;
            if (!ok) {
                char list[200] = "";
                for (size_t i = 0; i < v->nschemes && strlen(list) < 150; i++) {
                    strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
                    strncat(list, v->schemes[i], sizeof list - strlen(list) - 1);
                }
                return say(msg, msglen, ENVSCHEMA_INVALID_VALUE, "%s:%s uses a scheme that is not allowed (use %s)",
                           v->name, shown, list);
            }
        }
        if (v->secret && pwl && envschema_is_placeholder(value + pws, pwl))
            return say(msg, msglen, ENVSCHEMA_PLACEHOLDER,
                       "%s: the password in the URL is a placeholder (run `make secrets`, or set a real one)",
                       v->name);
        break;
    }
    case ENVT_EMAIL: {
        const char *at = memchr(value, '@', len);
        if (has_space_or_control(value, len) || !at || at == value || at == value + len - 1 ||
            memchr(at + 1, '@', (size_t)(value + len - at - 1)) ||
            !memchr(at + 1, '.', (size_t)(value + len - at - 1)) || value[len - 1] == '.')
            return say(msg, msglen, ENVSCHEMA_INVALID_TYPE, "%s:%s is not an email address", v->name, shown);
        break;
    }
    case ENVT_SECRET:
        if (envschema_is_placeholder(value, len))
            return say(msg, msglen, ENVSCHEMA_PLACEHOLDER,
                       "%s is a placeholder, not a secret (run `make secrets` or `secretgen fill`)", v->name);
        if (utf8_chars(value, len) < v->min_length)
            return say(msg, msglen, ENVSCHEMA_WEAK, "%s is shorter than %zu characters", v->name,
                       v->min_length);
        if (v->min_entropy > 0 && envschema_entropy_bits(value, len) < v->min_entropy)
            return say(msg, msglen, ENVSCHEMA_WEAK,
                       "%s looks guessable: about %.0f bits of entropy, %.0f required "
                       "(use `secretgen rand`)", v->name, envschema_entropy_bits(value, len),
                       v->min_entropy);
        break;
    case ENVT_STRING:
    case ENVT_REGEX:
        break;
    }
common:
    if (v->secret && v->type != ENVT_SECRET && v->type != ENVT_URL && envschema_is_placeholder(value, len))
        return say(msg, msglen, ENVSCHEMA_PLACEHOLDER, "%s is a placeholder, not a secret", v->name);
    if (v->type != ENVT_SECRET && v->min_length && utf8_chars(value, len) < v->min_length)
        return say(msg, msglen, v->secret ? ENVSCHEMA_WEAK : ENVSCHEMA_INVALID_VALUE,
                   "%s is shorter than %zu characters", v->name, v->min_length);
    if (v->has_re && regexec(&v->re, value, 0, NULL, 0))
        return say(msg, msglen, v->type == ENVT_REGEX ? ENVSCHEMA_INVALID_TYPE : ENVSCHEMA_INVALID_VALUE,
                   "%s:%s does not match the pattern %s", v->name, shown, v->pattern);
    msg[0] = '\0';
    return ENVSCHEMA_OK;
}
