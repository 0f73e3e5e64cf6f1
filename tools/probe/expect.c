/* expect: judges a response (status, body text, JSON values) and captures JSON values,
 * reading JSON through yamldoc (JSON is YAML). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"
#include "yamldoc.h"

/* Matches one comma-free item ("200" or "2xx") against status. -1 if malformed. */
static int item_matches(const char *s, size_t n, long status)
{
    if (n != 3)
        return -1;
    if (s[0] < '1' || s[0] > '5')
        return -1;
    if ((s[1] == 'x' || s[1] == 'X') && (s[2] == 'x' || s[2] == 'X'))
        return status / 100 == s[0] - '0';
    if (!isdigit((unsigned char)s[1]) || !isdigit((unsigned char)s[2]))
        return -1;
    return status == (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
}

/* Walks the comma list; returns 1 on a match, 0 on none, -1 when malformed. */
static int spec_eval(const char *spec, long status)
{
    int any = 0;
    const char *p = spec;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        int m = item_matches(p, n, status);
        if (m < 0)
            return -1;
        any |= m;
        if (!end)
            return any;
        p = end + 1;
    }
}

int probe_status_matches(const char *spec, long status)
{
    return spec_eval(spec ? spec : "2xx", status) == 1;
}

int probe_status_spec_valid(const char *spec)
{
    return spec_eval(spec, 200) >= 0 ? 0 : -1;
}

/* Parses body as one JSON document into doc; -1 with the reason in out otherwise. */
static int parse_json(const char *body, size_t len, ydoc *doc, char *out, size_t outlen)
{
    size_t i = 0;
    while (i < len && strchr(" \t\r\n", body[i]))
        i++;
    if (i == len || (body[i] != '{' && body[i] != '[')) {
        snprintf(out, outlen, "response is not JSON (it does not start with { or [)");
        return -1;
    }
    ydoc_limits lim = ydoc_default_limits();
    lim.max_depth = 256;
    ydoc_reader *r = ydoc_reader_from_buffer(body, len, 0, &lim);
    if (!r) {
        snprintf(out, outlen, "out of memory");
        return -1;
    }
    ydoc_error err = {0};
    int rc = ydoc_reader_next(r, doc, &err);
    if (rc == 1) {
        ydoc extra = {0};
        int more = ydoc_reader_next(r, &extra, &err);
        ydoc_reader_free(r);
        if (more == 0)
            return 0;
        if (more == 1) {
            ydoc_free(&extra);
            snprintf(err.message, sizeof err.message, "more than one document");
        }
        ydoc_free(doc);
        snprintf(out, outlen, "response is not JSON: line %u column %u: %s", err.line, err.col,
                 err.message);
        return -1;
    }
    ydoc_reader_free(r);
    if (rc == 0)
        snprintf(out, outlen, "response is not JSON (empty)");
    else
        snprintf(out, outlen, "response is not JSON: line %u column %u: %s", err.line, err.col,
                 err.message);
    return -1;
}

int probe_json_lookup(const char *body, size_t len, const char *path, char *out, size_t outlen)
{
    ydoc doc = {0};
    if (parse_json(body, len, &doc, out, outlen) < 0)
        return -1;
    const ynode *n = ynode_path(doc.root, path);
    int rc = 1;
    if (!n)
        rc = 0;
    else if (n->kind == YNODE_MAP)
        snprintf(out, outlen, "<map>");
    else if (n->kind == YNODE_SEQ)
        snprintf(out, outlen, "<seq>");
    else if (!n->quoted && ynode_is_null(n))
        snprintf(out, outlen, "null");
    else
        snprintf(out, outlen, "%s", n->value);
    ydoc_free(&doc);
    return rc;
}

/* Copies at most 120 bytes of body, newlines shown as spaces, for error messages. */
static void excerpt(const char *body, size_t len, char *out, size_t outlen)
{
    size_t n = len < 120 ? len : 120, j = 0;
    for (size_t i = 0; i < n && j + 4 < outlen; i++)
        out[j++] = (body[i] == '\n' || body[i] == '\r' || body[i] == '\t') ? ' '
                   : ((unsigned char)body[i] < 0x20 ? '?' : body[i]);
    if (n < len && j + 4 < outlen) {
        memcpy(out + j, "...", 3);
        j += 3;
    }
    out[j] = '\0';
}

int probe_expect_ok(const probe_opts *o, const http_result *r, const char *body,
                    size_t body_len, char *why, size_t whylen)
{
    char ex[160];
    if (r->cls != HTTP_OK) {
        snprintf(why, whylen, "%s error: %s", http_errclass_name(r->cls), r->message);
        return 0;
    }
    if (!body)
        body = "", body_len = 0;
    if (!probe_status_matches(o->expect, r->status)) {
        excerpt(body, body_len, ex, sizeof ex);
        snprintf(why, whylen, "status %ld, expected %s; body: %s", r->status,
                 o->expect ? o->expect : "2xx", body_len ? ex : "(empty)");
        return 0;
    }
    if (o->contains && !memmem(body, body_len, o->contains, strlen(o->contains))) {
        excerpt(body, body_len, ex, sizeof ex);
        snprintf(why, whylen, "body does not contain \"%s\"; body: %s", o->contains,
                 body_len ? ex : "(empty)");
        return 0;
    }
    for (size_t i = 0; i < o->njson_paths; i++) {
        const char *eq = strchr(o->json_paths[i], '=');
        char path[512], got[512];
        snprintf(path, sizeof path, "%.*s", (int)(eq - o->json_paths[i]), o->json_paths[i]);
        int rc = probe_json_lookup(body, body_len, path, got, sizeof got);
        if (rc < 0) {
            snprintf(why, whylen, "%s", got);
            return 0;
        }
        if (rc == 0) {
            snprintf(why, whylen, "JSON path %s not found", path);
            return 0;
        }
        if (strcmp(got, eq + 1)) {
            snprintf(why, whylen, "JSON path %s is \"%.200s\", expected \"%.200s\"", path, got,
                     eq + 1);
            return 0;
        }
    }
    why[0] = '\0';
    return 1;
}

int probe_capture_print(const probe_opts *o, const char *body, size_t len, FILE *out,
                        char *why, size_t whylen)
{
    if (!o->ncaptures)
        return 0;
    if (!body)
        body = "", len = 0;
    size_t vcap = 65536;
    char *val = malloc(vcap);
    char **vals = calloc(o->ncaptures, sizeof *vals);
    int rc = (val && vals) ? 0 : -1;
    if (rc)
        snprintf(why, whylen, "out of memory");
    for (size_t i = 0; i < o->ncaptures && !rc; i++) {
        const char *eq = strchr(o->captures[i], '=');
        int n = probe_json_lookup(body, len, eq + 1, val, vcap);
        if (n < 0)
            snprintf(why, whylen, "capture %.*s: %s", (int)(eq - o->captures[i]),
                     o->captures[i], val);
        else if (n == 0)
            snprintf(why, whylen, "capture %.*s: JSON path %s not found",
                     (int)(eq - o->captures[i]), o->captures[i], eq + 1);
        else if (strpbrk(val, "\r\n"))
            snprintf(why, whylen, "capture %.*s: value spans lines", (int)(eq - o->captures[i]),
                     o->captures[i]);
        else if (!strcmp(val, "<map>") || !strcmp(val, "<seq>"))
            snprintf(why, whylen, "capture %.*s: %s is not a scalar",
                     (int)(eq - o->captures[i]), o->captures[i], eq + 1);
        else {
            vals[i] = strdup(val);
            continue;
        }
        rc = -1;
    }
    /* print all or nothing, so a shell `eval` never sees half the values */
    for (size_t i = 0; i < o->ncaptures && !rc; i++)
        fprintf(out, "%.*s=%s\n", (int)(strchr(o->captures[i], '=') - o->captures[i]),
                o->captures[i], vals[i]);
    for (size_t i = 0; vals && i < o->ncaptures; i++)
        free(vals[i]);
    free(vals);
    free(val);
    return rc;
}
