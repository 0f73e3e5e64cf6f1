/* http: the one libcurl wrapper every tool uses. A transfer (http_xfer) is an easy
 * handle configured once from http_opts and reusable for many requests (connections
 * stay alive in the caller's multi handle); results come back classified (DNS,
 * connect, timeout, TLS, read, write, protocol, body cap) with a human message. */
#ifndef TODO_HTTP_H
#define TODO_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#define HTTP_DEFAULT_BODY_CAP ((size_t)1 << 20)

/* Request options shared by every transfer of a run; the caller owns every pointer. */
typedef struct http_opts {
    const char *method;          /* NULL: GET, or POST when data is set */
    struct curl_slist *headers;  /* extra request headers, may be NULL */
    const char *data;            /* request body or NULL */
    size_t data_len;
    int64_t timeout_ns;          /* whole request; 0 = none */
    int64_t connect_timeout_ns;  /* 0 = libcurl's default */
    int ip_version;              /* 0 either, 4 or 6 */
    int insecure;                /* skip TLS verification */
    const char *cacert;          /* CA bundle file or NULL */
    size_t body_cap;             /* bytes of body kept; more is an error. 0 = default */
    int discard_body;            /* load: count body bytes only (no cap), no proxy, no UA */
} http_opts;

typedef enum http_errclass {
    HTTP_OK = 0,
    HTTP_ERR_DNS,       /* name did not resolve */
    HTTP_ERR_CONNECT,   /* refused, unreachable */
    HTTP_ERR_TIMEOUT,   /* connect or request deadline passed */
    HTTP_ERR_TLS,       /* handshake or certificate */
    HTTP_ERR_WRITE,     /* sending the request failed */
    HTTP_ERR_READ,      /* connection closed or broken while reading, bad chunking */
    HTTP_ERR_PROTOCOL,  /* not HTTP, bad URL, unsupported scheme */
    HTTP_ERR_BODY_CAP,  /* response body larger than the cap */
    HTTP_ERR_OTHER,
    HTTP_ERR_COUNT
} http_errclass;

/* One reusable request. body is NUL-terminated when not discarding. */
typedef struct http_xfer {
    CURL *easy;
    CURLU *url;                    /* parsed once, owned */
    char *body;
    size_t body_len, body_alloc, body_cap;
    int discard, over_cap;
    size_t bytes;                  /* body bytes received, kept or not */
    char errbuf[CURL_ERROR_SIZE];
    void *user;                    /* free for the caller */
    int64_t sched_ns, start_ns;    /* free for the caller (scheduling) */
    long seq;                      /* free for the caller */
} http_xfer;

/* Result of a finished request. message points into the xfer or to a constant. */
typedef struct http_result {
    long status;          /* HTTP status, 0 when no response */
    http_errclass cls;    /* HTTP_OK when a full response arrived (any status) */
    const char *message;  /* "" when HTTP_OK */
} http_result;

/* Initialises libcurl once per process; 0 or -1. */
int http_global_init(void);
/* A transfer to url with opts (which must outlive it); NULL with err on failure. */
http_xfer *http_xfer_new(const http_opts *opts, const char *url, char *err, size_t errlen);
/* Forgets the previous body before the transfer is started again. */
void http_xfer_rewind(http_xfer *x);
/* Classifies the CURLcode a multi handle reported for x. */
void http_xfer_result(http_xfer *x, CURLcode rc, http_result *out);
void http_xfer_free(http_xfer *x);

/* Short name of a class: "ok", "dns", "connect", "timeout", "tls", "write", "read",
 * "protocol", "body-cap", "other". */
const char *http_errclass_name(http_errclass c);

/* Adds a header argument: "Name: value", or "@FILE" whose lines are headers (so a
 * bearer token never shows in ps). 0, or -1 with err. */
int http_headers_add(struct curl_slist **list, const char *arg, char *err, size_t errlen);
/* Loads a request body: the text itself, or the contents of FILE for "@FILE".
 * *out is malloc'ed (NUL-terminated). 0, or -1 with err. */
int http_data_load(const char *arg, char **out, size_t *len, char *err, size_t errlen);

/* Monotonic clock in nanoseconds. */
int64_t http_now_ns(void);

#endif
