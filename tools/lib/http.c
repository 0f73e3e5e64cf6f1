/* http: libcurl easy handles configured once, reused, and their errors classified. */
#include "http.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t http_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int http_global_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

/* Body sink: keeps up to body_cap bytes, counts everything, aborts past the cap. */
static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    http_xfer *x = userdata;
    size_t n = size * nmemb;
    x->bytes += n;
    if (x->discard)
        return n;
    if (x->body_len + n > x->body_cap) {
        x->over_cap = 1;
        return 0; /* makes libcurl stop with CURLE_WRITE_ERROR */
    }
    if (x->body_len + n + 1 > x->body_alloc) {
        size_t want = x->body_alloc ? x->body_alloc : 4096;
        while (want < x->body_len + n + 1)
            want *= 2;
        char *b = realloc(x->body, want);
        if (!b)
            return 0;
        x->body = b;
        x->body_alloc = want;
    }
    memcpy(x->body + x->body_len, ptr, n);
    x->body_len += n;
    x->body[x->body_len] = '\0';
    return n;
}

static long to_ms(int64_t ns)
{
    return ns <= 0 ? 0 : (long)((ns + 999999) / 1000000);
}

http_xfer *http_xfer_new(const http_opts *o, const char *url, char *err, size_t errlen)
{
    http_xfer *x = calloc(1, sizeof *x);
    if (!x || !(x->easy = curl_easy_init())) {
        free(x);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    CURL *e = x->easy;
    x->discard = o->discard_body;
    x->body_cap = o->body_cap ? o->body_cap : HTTP_DEFAULT_BODY_CAP;
    int bad = 0;
    /* parsed once here: libcurl copies a CURLU per request instead of parsing text */
    x->url = curl_url();
    if (!x->url || curl_url_set(x->url, CURLUPART_URL, url, 0) != CURLUE_OK) {
        snprintf(err, errlen, "invalid URL: %s", url);
        http_xfer_free(x);
        return NULL;
    }
    bad |= curl_easy_setopt(e, CURLOPT_CURLU, x->url) != CURLE_OK;
    curl_easy_setopt(e, CURLOPT_PRIVATE, x);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_USERAGENT, "probe/" TOOLS_VERSION);
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    if (o->discard_body) {
        /* load, like wrk: no proxy lookup (5 getenv + a printf per request) and no
         * User-Agent (its printf costs ~6 % of the client's instructions) */
        curl_easy_setopt(e, CURLOPT_PROXY, "");
        curl_easy_setopt(e, CURLOPT_USERAGENT, NULL);
    }
    if (o->timeout_ns)
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, to_ms(o->timeout_ns));
    if (o->connect_timeout_ns)
        curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, to_ms(o->connect_timeout_ns));
    if (o->ip_version == 4)
        curl_easy_setopt(e, CURLOPT_IPRESOLVE, CURL_IPRESOLVE_V4);
    else if (o->ip_version == 6)
        curl_easy_setopt(e, CURLOPT_IPRESOLVE, CURL_IPRESOLVE_V6);
    if (o->insecure) {
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (o->cacert)
        bad |= curl_easy_setopt(e, CURLOPT_CAINFO, o->cacert) != CURLE_OK;
    if (o->headers)
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, o->headers);
    if (o->data) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)o->data_len);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, o->data);
    }
    if (o->method) {
        if (!strcmp(o->method, "HEAD"))
            curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
        else if (!(o->data && !strcmp(o->method, "POST")) && (o->data || strcmp(o->method, "GET")))
            curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, o->method);
    }
    if (bad) {
        snprintf(err, errlen, "libcurl rejected the options for %s", url);
        http_xfer_free(x);
        return NULL;
    }
    return x;
}

void http_xfer_rewind(http_xfer *x)
{
    x->body_len = 0;
    x->bytes = 0;
    x->over_cap = 0;
    x->errbuf[0] = '\0';
    if (x->body)
        x->body[0] = '\0';
}

static http_errclass classify(CURLcode rc)
{
    switch (rc) {
    case CURLE_OK: return HTTP_OK;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY: return HTTP_ERR_DNS;
    case CURLE_COULDNT_CONNECT: return HTTP_ERR_CONNECT;
    case CURLE_OPERATION_TIMEDOUT: return HTTP_ERR_TIMEOUT;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS: return HTTP_ERR_TLS;
    case CURLE_SEND_ERROR: return HTTP_ERR_WRITE;
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE: return HTTP_ERR_READ;
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_BAD_CONTENT_ENCODING: return HTTP_ERR_PROTOCOL;
    default: return HTTP_ERR_OTHER;
    }
}

void http_xfer_result(http_xfer *x, CURLcode rc, http_result *out)
{
    out->status = 0;
    curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &out->status);
    if (rc == CURLE_WRITE_ERROR && x->over_cap) {
        out->cls = HTTP_ERR_BODY_CAP;
        snprintf(x->errbuf, sizeof x->errbuf, "response body larger than the %zu-byte cap "
                 "(raise it with --max-body)", x->body_cap);
        out->message = x->errbuf;
        return;
    }
    out->cls = classify(rc);
    if (rc == CURLE_OK)
        out->message = "";
    else {
        if (!x->errbuf[0])
            snprintf(x->errbuf, sizeof x->errbuf, "%s", curl_easy_strerror(rc));
        out->message = x->errbuf;
    }
}

void http_xfer_free(http_xfer *x)
{
    if (!x)
        return;
    if (x->easy)
        curl_easy_cleanup(x->easy);
    curl_url_cleanup(x->url);
    free(x->body);
    free(x);
}

const char *http_errclass_name(http_errclass c)
{
    static const char *const names[HTTP_ERR_COUNT] = {
        "ok", "dns", "connect", "timeout", "tls", "write", "read", "protocol", "body-cap", "other"};
    return c < HTTP_ERR_COUNT ? names[c] : "other";
}

/* Reads a whole file (at most 16 MiB) into a NUL-terminated buffer. */
static char *slurp(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (n + 1 < cap)
            break;
        if (cap >= ((size_t)16 << 20)) {
            snprintf(err, errlen, "%s is larger than 16 MiB", path);
            free(buf);
            fclose(f);
            return NULL;
        }
        char *b = realloc(buf, cap * 2);
        if (!b) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = b;
        cap *= 2;
    }
    int failed = ferror(f);
    fclose(f);
    if (!buf || failed) {
        free(buf);
        snprintf(err, errlen, "cannot read %s", path);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

int http_data_load(const char *arg, char **out, size_t *len, char *err, size_t errlen)
{
    if (arg[0] == '@') {
        *out = slurp(arg + 1, len, err, errlen);
        return *out ? 0 : -1;
    }
    *len = strlen(arg);
    *out = strdup(arg);
    return *out ? 0 : -1;
}

/* Appends one "Name: value" line after checking its shape. */
static int add_header_line(struct curl_slist **list, const char *line, char *err, size_t errlen)
{
    const char *colon = strchr(line, ':');
    if (!colon || colon == line || strpbrk(line, "\r\n")) {
        snprintf(err, errlen, "header must look like 'Name: value'");
        return -1;
    }
    struct curl_slist *l = curl_slist_append(*list, line);
    if (!l) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    *list = l;
    return 0;
}

int http_headers_add(struct curl_slist **list, const char *arg, char *err, size_t errlen)
{
    if (arg[0] != '@')
        return add_header_line(list, arg, err, errlen);
    size_t len;
    char *text = slurp(arg + 1, &len, err, errlen);
    if (!text)
        return -1;
    int rc = 0, lines = 0;
    for (char *save = NULL, *line = strtok_r(text, "\r\n", &save); line && !rc;
         line = strtok_r(NULL, "\r\n", &save)) {
        if (!*line)
            continue;
        lines++;
        rc = add_header_line(list, line, err, errlen);
        if (rc) /* never echo the file's content: it may be a secret */
            snprintf(err, errlen, "%s: line %d is not a 'Name: value' header", arg + 1, lines);
    }
    if (!rc && !lines) {
        snprintf(err, errlen, "%s holds no header", arg + 1);
        rc = -1;
    }
    free(text);
    return rc;
}
