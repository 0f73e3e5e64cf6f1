/* probe: command-line entry point. Parses the subcommand and its options into a
 * probe_opts and dispatches; exit 2 on a usage error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"

enum { CHECK = 1, WAIT = 2, WATCH = 4, RECOVER = 8, LOAD = 16, ALL = 31 };

static const struct {
    const char *name;
    int bit;
    int (*run)(const probe_opts *);
} subcommands[] = {
    {"check", CHECK, probe_check_run}, {"wait", WAIT, probe_wait_run},
    {"watch", WATCH, probe_watch_run}, {"recover", RECOVER, probe_recover_run},
    {"load", LOAD, probe_load_run},
};

enum opt_id {
    O_METHOD, O_HEADER, O_DATA, O_EXPECT, O_CONTAINS, O_JSONPATH, O_CAPTURE, O_TIMEOUT,
    O_CONNECT_TIMEOUT, O_IPV4, O_IPV6, O_INSECURE, O_CACERT, O_MAXBODY, O_DEADLINE, O_INTERVAL,
    O_SUCCESS, O_FAILURE, O_DURATION, O_CSV, O_JSON, O_WITHIN, O_CONNS, O_REQUESTS, O_RATE,
    O_THREADS, O_HELP,
};

static const struct {
    const char *lng, *shrt;
    enum opt_id id;
    int takes_arg;
    int subs;
} options[] = {
    {"--method", "-X", O_METHOD, 1, ALL}, {"--header", "-H", O_HEADER, 1, ALL},
    {"--data", NULL, O_DATA, 1, ALL}, {"--expect", NULL, O_EXPECT, 1, ALL & ~LOAD},
    {"--contains", NULL, O_CONTAINS, 1, ALL & ~LOAD},
    {"--json-path", NULL, O_JSONPATH, 1, ALL & ~LOAD}, {"--capture", NULL, O_CAPTURE, 1, CHECK},
    {"--timeout", NULL, O_TIMEOUT, 1, ALL}, {"--connect-timeout", NULL, O_CONNECT_TIMEOUT, 1, ALL},
    {"--ipv4", "-4", O_IPV4, 0, ALL}, {"--ipv6", "-6", O_IPV6, 0, ALL},
    {"--insecure", "-k", O_INSECURE, 0, ALL}, {"--cacert", NULL, O_CACERT, 1, ALL},
    {"--max-body", NULL, O_MAXBODY, 1, ALL & ~LOAD}, {"--deadline", NULL, O_DEADLINE, 1, WAIT},
    {"--interval", NULL, O_INTERVAL, 1, WAIT | WATCH | RECOVER},
    {"--success-threshold", NULL, O_SUCCESS, 1, WAIT | WATCH | RECOVER},
    {"--failure-threshold", NULL, O_FAILURE, 1, WATCH | RECOVER},
    {"--duration", "-d", O_DURATION, 1, WATCH | LOAD}, {"--csv", NULL, O_CSV, 1, WATCH},
    {"--json", NULL, O_JSON, -1, WATCH | RECOVER | LOAD}, {"--within", NULL, O_WITHIN, 1, RECOVER},
    {"--connections", "-c", O_CONNS, 1, LOAD}, {"--requests", "-n", O_REQUESTS, 1, LOAD},
    {"--rate", NULL, O_RATE, 1, LOAD}, {"--threads", "-t", O_THREADS, 1, LOAD},
    {"--help", "-h", O_HELP, 0, ALL},
};

static void usage(FILE *out)
{
    fputs("usage: probe check URL [--method M] [--header H|@FILE]... [--data STR|@FILE]\n"
          "                 [--expect CODE|2xx] [--contains STR] [--json-path PATH=VALUE]...\n"
          "                 [--capture NAME=PATH]... [--max-body BYTES]\n"
          "       probe wait URL... [--deadline 120s] [--interval 500ms] [--success-threshold N]\n"
          "       probe watch URL [--interval 100ms] [--duration DUR] [--csv FILE] [--json FILE]\n"
          "                 [--success-threshold N] [--failure-threshold N]\n"
          "       probe recover URL --within DUR [--interval 100ms] [--success-threshold 3]\n"
          "                 [--json] -- CMD ARGS...\n"
          "       probe load URL [-c CONNECTIONS] [-d DURATION | -n REQUESTS] [--rate R]\n"
          "                 [-t THREADS] [--json]\n"
          "common: --timeout 2s, --connect-timeout DUR, -4/-6, --insecure, --cacert FILE;\n"
          "wait/watch/recover also take --expect/--contains/--json-path (default: any 2xx).\n"
          "Durations: 100ms, 2s, 1m. Exit: 0 ok, 1 failed expectation or error, 2 usage.\n",
          out);
}

/* Growable list of argument strings (pointers into argv or owned strings). */
typedef struct strlist {
    const char **v;
    size_t n;
} strlist;

static int push(strlist *l, const char *s)
{
    const char **v = realloc(l->v, (l->n + 1) * sizeof *v);
    if (!v)
        return -1;
    v[l->n++] = s;
    l->v = v;
    return 0;
}

static int bad(const char *fmt, const char *a, const char *b)
{
    fputs("probe: ", stderr);
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
    return 2;
}

static int parse_dur(const char *opt, const char *v, int64_t *out, int allow_zero)
{
    char err[160];
    if (duration_parse(v, out, err, sizeof err) < 0)
        return bad("%s: %s", opt, err);
    if (!allow_zero && *out <= 0)
        return bad("%s must be more than zero, not %s", opt, v);
    return 0;
}

static int parse_long(const char *opt, const char *v, long long min, long long *out)
{
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno || end == v || *end || n < min)
        return bad("%s needs a whole number, not '%s'", opt, v);
    *out = n;
    return 0;
}

/* Bytes with an optional k/M/G suffix (powers of 1024). */
static int parse_size(const char *opt, const char *v, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    unsigned long long mul = 1;
    if (*end == 'k' || *end == 'K')
        mul = 1024, end++;
    else if (*end == 'M' || *end == 'm')
        mul = 1024 * 1024, end++;
    else if (*end == 'G' || *end == 'g')
        mul = 1024ULL * 1024 * 1024, end++;
    if (errno || end == v || *end || n == 0 || n > (1ULL << 40) / mul)
        return bad("%s needs a size in bytes such as 1048576, 512k or 16M, not '%s'", opt, v);
    *out = (size_t)(n * mul);
    return 0;
}

/* Applies one option with its argument (arg NULL for flags). */
static int apply(probe_opts *o, int id, const char *name, const char *arg, strlist *jp,
                 strlist *cap, struct curl_slist **headers, char **data)
{
    long long n;
    char err[300];
    switch (id) {
    case O_METHOD: o->http.method = arg; return 0;
    case O_HEADER:
        if (http_headers_add(headers, arg, err, sizeof err) < 0)
            return bad("%s: %s", name, err);
        return 0;
    case O_DATA:
        free(*data);
        *data = NULL;
        if (http_data_load(arg, data, &o->http.data_len, err, sizeof err) < 0)
            return bad("%s: %s", name, err);
        o->http.data = *data;
        return 0;
    case O_EXPECT:
        if (probe_status_spec_valid(arg) < 0)
            return bad("%s wants a status such as 200, 2xx or 200,204, not '%s'", name, arg);
        o->expect = arg;
        return 0;
    case O_CONTAINS: o->contains = arg; return 0;
    case O_JSONPATH:
    case O_CAPTURE:
        if (!strchr(arg, '=') || arg[0] == '=')
            return bad("%s wants %s", name, id == O_CAPTURE ? "NAME=JSONPATH, e.g. id=.id"
                                                             : "PATH=VALUE, e.g. .status=ok");
        if (id == O_CAPTURE && !strchr(arg, '=')[1])
            return bad("%s wants NAME=JSONPATH, e.g. id=.id (%s)", name, arg);
        return push(id == O_CAPTURE ? cap : jp, arg) ? bad("%s%s", "out of memory", "") : 0;
    case O_TIMEOUT: return parse_dur(name, arg, &o->http.timeout_ns, 0);
    case O_CONNECT_TIMEOUT: return parse_dur(name, arg, &o->http.connect_timeout_ns, 0);
    case O_IPV4: o->http.ip_version = 4; return 0;
    case O_IPV6: o->http.ip_version = 6; return 0;
    case O_INSECURE: o->http.insecure = 1; return 0;
    case O_CACERT: o->http.cacert = arg; return 0;
    case O_MAXBODY: return parse_size(name, arg, &o->http.body_cap);
    case O_DEADLINE: return parse_dur(name, arg, &o->deadline_ns, 0);
    case O_INTERVAL: return parse_dur(name, arg, &o->interval_ns, 0);
    case O_DURATION: return parse_dur(name, arg, &o->duration_ns, 0);
    case O_WITHIN: return parse_dur(name, arg, &o->within_ns, 0);
    case O_SUCCESS:
    case O_FAILURE:
        if (parse_long(name, arg, 1, &n) || n > 1000000)
            return bad("%s wants a number from 1, not '%s'", name, arg);
        *(id == O_SUCCESS ? &o->success_threshold : &o->failure_threshold) = (int)n;
        return 0;
    case O_CSV: o->csv_path = arg; return 0;
    case O_JSON:
        o->json = 1;
        o->json_path = arg;
        return 0;
    case O_CONNS:
    case O_THREADS:
        if (parse_long(name, arg, 1, &n) || n > 100000)
            return bad("%s wants a number from 1, not '%s'", name, arg);
        *(id == O_CONNS ? &o->connections : &o->threads) = (int)n;
        return 0;
    case O_REQUESTS: return parse_long(name, arg, 1, &o->requests);
    case O_RATE: {
        char *end;
        o->rate = strtod(arg, &end);
        if (end == arg || *end || !(o->rate > 0) || o->rate > 1e7)
            return bad("%s wants requests per second above zero, not '%s'", name, arg);
        return 0;
    }
    default: return 0;
    }
}

/* Parses argv into o (sub is the subcommand's bit). 0, 2 on a usage error, or -1 when
 * --help was printed. */
static int parse(int argc, char **argv, int sub, probe_opts *o, strlist *urls, strlist *jp,
                 strlist *cap, struct curl_slist **headers, char **data)
{
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) {
            if (sub != RECOVER)
                return bad("'--' only comes before recover's fault command%s", "", "");
            if (i + 1 >= argc)
                return bad("nothing after '--': recover needs the fault command%s", "", "");
            o->cmd = argv + i + 1;
            break;
        }
        if (a[0] != '-' || !a[1]) {
            if (push(urls, a))
                return bad("%s%s", "out of memory", "");
            continue;
        }
        const char *eq = strncmp(a, "--", 2) ? NULL : strchr(a, '=');
        size_t len = eq ? (size_t)(eq - a) : strlen(a);
        size_t k;
        for (k = 0; k < sizeof options / sizeof *options; k++)
            if ((strlen(options[k].lng) == len && !strncmp(options[k].lng, a, len)) ||
                (!eq && options[k].shrt && !strcmp(options[k].shrt, a)))
                break;
        if (k == sizeof options / sizeof *options)
            return bad("unknown option '%s' (see probe --help)%s", a, "");
        if (!(options[k].subs & sub))
            return bad("%s does not apply to %s", options[k].lng, argv[1]);
        if (options[k].id == O_HELP) {
            usage(stdout);
            return -1;
        }
        const char *arg = NULL;
        int takes = options[k].takes_arg;
        if (takes < 0) /* --json: a file for watch, a flag elsewhere */
            takes = sub == WATCH;
        if (takes) {
            if (eq)
                arg = eq + 1;
            else if (i + 1 < argc)
                arg = argv[++i];
            else
                return bad("%s needs a value%s", options[k].lng, "");
        } else if (eq)
            return bad("%s takes no value%s", options[k].lng, "");
        int rc = apply(o, options[k].id, options[k].lng, arg, jp, cap, headers, data);
        if (rc)
            return rc;
    }
    return 0;
}

/* Checks what the subcommand needs and fills the defaults. 0 or 2. */
static int finish(probe_opts *o, int sub, const char *name)
{
    if (!o->nurls)
        return bad("%s needs a URL (see probe --help)%s", name, "");
    if (o->nurls > 1 && sub != WAIT)
        return bad("%s takes one URL; got '%s' too", name, o->urls[1]);
    for (size_t i = 0; i < o->nurls; i++)
    {
        if (strncmp(o->urls[i], "http://", 7) && strncmp(o->urls[i], "https://", 8))
            return bad("'%s' is not an http:// or https:// URL%s", o->urls[i], "");
        CURLU *u = curl_url();
        CURLUcode rc = u ? curl_url_set(u, CURLUPART_URL, o->urls[i], 0) : CURLUE_OUT_OF_MEMORY;
        curl_url_cleanup(u);
        if (rc != CURLUE_OK)
            return bad("'%s' is not a valid URL: %s", o->urls[i], curl_url_strerror(rc));
    }
    if (!o->http.timeout_ns)
        o->http.timeout_ns = 2 * DURATION_NS_PER_S;
    if (o->http.method && !o->http.method[0])
        return bad("--method needs a name%s%s", "", "");
    if (!o->success_threshold)
        o->success_threshold = sub == RECOVER ? 3 : 1;
    if (!o->failure_threshold)
        o->failure_threshold = 1;
    if (!o->interval_ns)
        o->interval_ns = (sub == WAIT ? 500 : 100) * DURATION_NS_PER_MS;
    if (!o->deadline_ns)
        o->deadline_ns = 120 * DURATION_NS_PER_S;
    if (sub == RECOVER && !o->within_ns)
        return bad("recover needs --within DUR (the longest acceptable recovery)%s", "", "");
    if (sub == RECOVER && !o->cmd)
        return bad("recover needs the fault command after '--', e.g. -- kill 1234%s", "", "");
    if (sub == LOAD) {
        if (o->requests && o->duration_ns)
            return bad("give -d DURATION or -n REQUESTS, not both%s", "", "");
        if (!o->requests && !o->duration_ns)
            o->duration_ns = 10 * DURATION_NS_PER_S;
        if (!o->connections)
            o->connections = 10;
        if (!o->threads) /* like wrk: two threads unless told */
            o->threads = 2;
        o->http.discard_body = 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("probe %s\n", TOOLS_VERSION);
        return 0;
    }
    size_t s;
    for (s = 0; s < sizeof subcommands / sizeof *subcommands; s++)
        if (!strcmp(argv[1], subcommands[s].name))
            break;
    if (s == sizeof subcommands / sizeof *subcommands) {
        fprintf(stderr, "probe: unknown subcommand '%s' (check, wait, watch, recover, load)\n",
                argv[1]);
        usage(stderr);
        return 2;
    }
    if (http_global_init() < 0) {
        fprintf(stderr, "probe: cannot initialise libcurl\n");
        return 1;
    }
    probe_opts o = {0};
    o.tty = -1;
    strlist urls = {0}, jp = {0}, cap = {0};
    struct curl_slist *headers = NULL;
    char *data = NULL;
    int rc = parse(argc, argv, subcommands[s].bit, &o, &urls, &jp, &cap, &headers, &data);
    o.urls = urls.v, o.nurls = urls.n;
    o.json_paths = jp.v, o.njson_paths = jp.n;
    o.captures = cap.v, o.ncaptures = cap.n;
    o.http.headers = headers;
    if (!rc)
        rc = finish(&o, subcommands[s].bit, argv[1]);
    if (!rc)
        rc = subcommands[s].run(&o);
    else if (rc < 0)
        rc = 0;
    free(urls.v);
    free(jp.v);
    free(cap.v);
    free(data);
    curl_slist_free_all(headers);
    curl_global_cleanup();
    return rc;
}
