/* Check suite for kubelint: every "bad" fixture gives exactly its expected findings,
 * every "good" fixture none; formats, exit codes, ignores, stdin, directories, and
 * hostile input generated at run time (never committed). */
#include <check.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_helpers.h"
#include "../kubelint/kubelint.h"

/* ---- helpers ---- */

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Appends "L:C rule\n" for each "FILE:L:C: severity: [rule]" line of out. */
static char *findings_of(const char *out)
{
    size_t cap = strlen(out) + 1, len = 0;
    char *res = calloc(1, cap);
    for (const char *line = out; *line;) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        unsigned l, c;
        char rule[64];
        const char *p = line;
        /* skip the file name: the first ":<digits>:<digits>: " */
        while ((p = memchr(p, ':', (size_t)(line + n - p)))) {
            if (sscanf(p, ":%u:%u: %*[a-z]: [%63[a-z-]]", &l, &c, rule) == 3) {
                len += (size_t)snprintf(res + len, cap - len, "%u:%u %s\n", l, c, rule);
                break;
            }
            p++;
        }
        line += n + (end ? 1 : 0);
    }
    return res;
}

/* The "# expect: L:C rule" lines of a fixture, as "L:C rule\n" lines. */
static char *expected_of(const char *text)
{
    size_t cap = strlen(text) + 1, len = 0;
    char *res = calloc(1, cap);
    for (const char *p = text; (p = strstr(p, "# expect: ")); p++) {
        p += strlen("# expect: ");
        size_t n = strcspn(p, "\n");
        len += (size_t)snprintf(res + len, cap - len, "%.*s\n", (int)n, p);
    }
    return res;
}

static tool_run lint(const char *const *args, const char *stdin_text)
{
    return run_tool("kubelint", args, stdin_text, NULL);
}

/* ---- fixtures ---- */

START_TEST(every_rule_has_a_bad_fixture_with_exact_findings)
{
    int has_error = 0;
    const char *id = kubelint_rules[_i].id;
    char rel[128];
    snprintf(rel, sizeof rel, "kubelint/bad/%s.yaml", id);
    char *path = strdup(fixture(rel));
    ck_assert_msg(access(path, R_OK) == 0, "rule %s has no bad fixture %s", id, path);
    char *text = read_all(path);
    char *want = expected_of(text);
    ck_assert_msg(*want, "%s lists no expected finding", path);
    ck_assert_msg(strstr(want, id) != NULL, "%s does not expect rule %s", path, id);
    const char *args[] = {"--include", id, path, NULL};
    tool_run r = lint(args, NULL);
    char *got = findings_of(r.out);
    ck_assert_msg(!strcmp(got, want), "%s:\nexpected:\n%sgot:\n%s", path, want, got);
    has_error = kubelint_rules[_i].severity == DIAG_ERROR;
    ck_assert_int_eq(r.status, has_error ? 1 : 0);
    tool_run_free(&r);
    if (!has_error) {
        const char *strict[] = {"--strict", "--include", id, path, NULL};
        r = lint(strict, NULL);
        ck_assert_int_eq(r.status, 1);
        tool_run_free(&r);
    }
    free(got);
    free(want);
    free(text);
    free(path);
}
END_TEST

START_TEST(good_fixtures_have_no_finding_with_every_rule)
{
    char *dir = strdup(fixture("kubelint/good"));
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int files = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strstr(e->d_name, ".yaml"))
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        const char *args[] = {"--strict", path, NULL};
        tool_run r = lint(args, NULL);
        ck_assert_msg(r.status == 0, "%s: exit %d\n%s", path, r.status, r.out);
        ck_assert_ptr_nonnull(strstr(r.out, "kubelint: 0 errors, 0 warnings"));
        tool_run_free(&r);
        files++;
    }
    closedir(d);
    ck_assert_int_ge(files, 3);
    /* the whole folder at once (cross-object rules see every file) */
    const char *args[] = {"--strict", dir, NULL};
    tool_run r = lint(args, NULL);
    ck_assert_msg(r.status == 0, "%s", r.out);
    tool_run_free(&r);
    free(dir);
}
END_TEST

START_TEST(no_secret_value_is_printed)
{
    const char *path = fixture("kubelint/bad/env-var-secret.yaml");
    const char *fmts[] = {"text", "json", "sarif"};
    for (int i = 0; i < 3; i++) {
        const char *args[] = {"--format", fmts[i], path, NULL};
        tool_run r = lint(args, NULL);
        ck_assert_ptr_null(strstr(r.out, "hunter2"));
        ck_assert_ptr_null(strstr(r.out, "s3cret"));
        ck_assert_ptr_nonnull(strstr(r.out, "env-var-secret"));
        tool_run_free(&r);
    }
}
END_TEST

/* ---- formats and exit codes ---- */

static const char pod[] = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ns}\n"
                          "spec:\n  hostNetwork: true\n  containers:\n    - {name: c, image: \"app:1\"}\n";

START_TEST(text_format_names_file_position_rule_and_object)
{
    const char *args[] = {"--include", "host-network", "-", NULL};
    tool_run r = lint(args, pod);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.out, "-:5:16: error: [host-network] pod sets hostNetwork: true (Pod/ns/p)\n"
                            "kubelint: 1 error, 0 warnings in 1 object (1 file)\n");
    tool_run_free(&r);
}
END_TEST

START_TEST(json_format_is_an_array_of_findings)
{
    const char *args[] = {"--format", "json", "--include", "host-network,latest-tag", "-", NULL};
    tool_run r = lint(args, pod);
    ck_assert_int_eq(r.status, 1);
    ydoc_reader *rd = ydoc_reader_from_buffer(r.out, strlen(r.out), 0, NULL);
    ydoc doc;
    ydoc_error err;
    ck_assert_int_eq(ydoc_reader_next(rd, &doc, &err), 1);
    ck_assert_int_eq(doc.root->kind, YNODE_SEQ);
    ck_assert_uint_eq(doc.root->len, 1);
    const ynode *f = doc.root->children[0];
    ck_assert_str_eq(ynode_str(ynode_map_get(f, "file")), "-");
    ck_assert_str_eq(ynode_str(ynode_map_get(f, "line")), "5");
    ck_assert_str_eq(ynode_str(ynode_map_get(f, "column")), "16");
    ck_assert_str_eq(ynode_str(ynode_map_get(f, "rule")), "host-network");
    ck_assert_str_eq(ynode_str(ynode_map_get(f, "severity")), "error");
    ck_assert_str_eq(ynode_str(ynode_map_get(f, "object")), "Pod/ns/p");
    ck_assert_ptr_nonnull(ynode_map_get(f, "message"));
    ydoc_free(&doc);
    ydoc_reader_free(rd);
    tool_run_free(&r);
}
END_TEST

START_TEST(sarif_lists_every_rule_with_help)
{
    const char *args[] = {"--format", "sarif", "-", NULL};
    tool_run r = lint(args, pod);
    ck_assert_int_eq(r.status, 1);
    ydoc_reader *rd = ydoc_reader_from_buffer(r.out, strlen(r.out), 0, NULL);
    ydoc doc;
    ydoc_error err;
    ck_assert_int_eq(ydoc_reader_next(rd, &doc, &err), 1);
    ck_assert_str_eq(ynode_str(ynode_map_get(doc.root, "version")), "2.1.0");
    const ynode *rules = ynode_path(doc.root, "runs[0].tool.driver.rules");
    ck_assert_uint_eq(rules->len, KL_NRULES);
    for (size_t i = 0; i < rules->len; i++) {
        ck_assert_ptr_nonnull(ynode_path(rules->children[i], "help.text"));
        ck_assert_ptr_nonnull(ynode_path(rules->children[i], "shortDescription.text"));
    }
    const ynode *results = ynode_path(doc.root, "runs[0].results");
    ck_assert_uint_ge(results->len, 5);
    ck_assert_ptr_nonnull(ynode_path(results->children[0], "locations[0].physicalLocation.region.startLine"));
    ydoc_free(&doc);
    ydoc_reader_free(rd);
    tool_run_free(&r);
}
END_TEST

START_TEST(usage_errors_exit_2)
{
    const char *cases[][3] = {{"--format", "xml", "-"}, {"--include", "no-such-rule", "-"},
                              {"--bogus", "-", NULL}, {NULL, NULL, NULL}};
    for (int i = 0; i < 4; i++) {
        const char *args[4] = {cases[i][0], cases[i][1], cases[i][2], NULL};
        tool_run r = lint(args, "");
        ck_assert_msg(r.status == 2, "case %d: exit %d", i, r.status);
        tool_run_free(&r);
    }
    const char *missing[] = {"/nonexistent/kubelint.yaml", NULL};
    tool_run r = lint(missing, NULL);
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "/nonexistent/kubelint.yaml"));
    tool_run_free(&r);
}
END_TEST

START_TEST(exclude_and_strict)
{
    const char *only_warn[] = {"--include", "no-seccomp-profile", "-", NULL};
    tool_run r = lint(only_warn, pod);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "0 errors, 1 warning"));
    tool_run_free(&r);
    const char *strict[] = {"--strict", "--include", "no-seccomp-profile", "-", NULL};
    r = lint(strict, pod);
    ck_assert_int_eq(r.status, 1);
    tool_run_free(&r);
    const char *excl[] = {"--include", "host-network,latest-tag", "--exclude", "host-network", "-", NULL};
    r = lint(excl, pod);
    ck_assert_int_eq(r.status, 0);
    tool_run_free(&r);
}
END_TEST

START_TEST(broken_document_does_not_stop_the_others)
{
    const char *in = "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {hostPID: true, containers: [{name: c, image: 'x:1'}]}\n"
                     "---\nkey: [unclosed\n"
                     "---\napiVersion: v1\nkind: Pod\nmetadata: {name: b}\nspec: {hostPID: true, containers: [{name: c, image: 'x:1'}]}\n";
    const char *args[] = {"--include", "host-pid,yaml-syntax", "-", NULL};
    tool_run r = lint(args, in);
    ck_assert_int_eq(r.status, 1);
    char *got = findings_of(r.out);
    ck_assert_str_eq(got, "4:17 host-pid\n6:15 yaml-syntax\n11:17 host-pid\n");
    free(got);
    tool_run_free(&r);
}
END_TEST

START_TEST(cross_object_rules_span_files)
{
    /* the Service in one file, its Deployment in another: no dangling-service */
    const char *svc_text = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  selector: {app: a}\n"
                           "  ports: [{port: 80, targetPort: 8080}]\n";
    char *svc = write_temp(svc_text, strlen(svc_text));
    const char *dep = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {app: a}}\n"
                      "  template:\n    metadata: {labels: {app: a}}\n    spec:\n      containers: [{name: c, image: 'x:1', ports: [{containerPort: 8080}]}]\n";
    char *dpath = write_temp(dep, strlen(dep));
    const char *both[] = {"--include", "dangling-service,invalid-target-ports", svc, dpath, NULL};
    tool_run r = lint(both, NULL);
    ck_assert_msg(r.status == 0, "%s", r.out);
    tool_run_free(&r);
    const char *alone[] = {"--include", "dangling-service", svc, NULL};
    r = lint(alone, NULL);
    ck_assert_int_eq(r.status, 1);
    tool_run_free(&r);
    unlink(svc);
    unlink(dpath);
    free(svc);
    free(dpath);
}
END_TEST

/* ---- in-process: the library API over a memory stream ---- */

/* The phases main runs, over text in memory, with ctx initialised by the caller:
 * returns the exit status (free with lint_done). */
static int lint_stream(kl_ctx *ctx, const char *text)
{
    ctx->index = kubelint_index_new();
    ck_assert_ptr_nonnull(ctx->index);
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(kubelint_input_stream(ctx, f, "mem.yaml"), 0);
    fclose(f);
    kubelint_rules_cross(ctx);
    ck_assert(!ctx->oom);
    return kubelint_status(ctx, 0);
}

static void lint_done(kl_ctx *ctx)
{
    kubelint_index_free(ctx->index);
    kubelint_ctx_free(ctx);
}

static size_t lint_text(kl_ctx *ctx, const char *text)
{
    kubelint_ctx_init(ctx);
    lint_stream(ctx, text);
    return ctx->diags.len;
}

START_TEST(rule_mask_parses_lists)
{
    uint64_t m;
    char bad[64] = "";
    ck_assert_int_eq(kubelint_rule_mask("latest-tag, host-pid", &m, bad, sizeof bad), 0);
    ck_assert(m == ((UINT64_C(1) << KL_LATEST_TAG) | (UINT64_C(1) << KL_HOST_PID)));
    ck_assert_int_eq(kubelint_rule_mask("latest-tag,nope", &m, bad, sizeof bad), -1);
    ck_assert_str_eq(bad, "nope");
}
END_TEST

START_TEST(ignore_annotations_need_a_reason)
{
    kl_ctx ctx;
    lint_text(&ctx, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n"
                    "    kubelint.io/ignore: \"host-pid; agent needs it\"\n"
                    "    ignore-check.kube-linter.io/host-ipc: \"\"\n"
                    "spec: {hostPID: true, hostIPC: true, hostNetwork: true, containers: [{name: c, image: 'x:1'}]}\n");
    int pid = 0, ipc = 0, net = 0, noreason = 0;
    for (size_t i = 0; i < ctx.diags.len; i++) {
        const char *r = ctx.diags.items[i].rule;
        pid += !strcmp(r, "host-pid");
        ipc += !strcmp(r, "host-ipc");
        net += !strcmp(r, "host-network");
        noreason += !strcmp(r, "ignore-without-reason");
    }
    ck_assert_int_eq(pid, 0);
    ck_assert_int_eq(ipc, 0);
    ck_assert_int_eq(net, 1);
    ck_assert_int_eq(noreason, 1);
    lint_done(&ctx);
}
END_TEST

START_TEST(findings_beyond_the_cap_are_counted)
{
    kl_ctx ctx;
    kubelint_ctx_init(&ctx);
    ctx.max_findings = 3;
    ck_assert_int_eq(lint_stream(&ctx, "a: 1\n---\nb: 1\n---\nc: 1\n---\nd: 1\n---\ne: 1\n"), 1);
    ck_assert_uint_eq(ctx.diags.len, 3);
    ck_assert_uint_eq(ctx.dropped, 12); /* 5 documents x 3 missing fields = 15 */
    lint_done(&ctx);
}
END_TEST

/* ---- hostile input, generated at run time ---- */

/* Runs kubelint on text written to a temporary file; checks it ends normally with a
 * yaml-syntax finding whose message contains want. */
static void expect_yaml_error(const char *text, size_t len, const char *want)
{
    char *path = write_temp(text, len);
    const char *args[] = {path, NULL};
    tool_run r = lint(args, NULL);
    ck_assert_msg(r.status == 1, "exit %d (a crash is 128+signal)\n%.400s", r.status, r.err);
    ck_assert_msg(strstr(r.out, "[yaml-syntax]") && strstr(r.out, want), "%.600s", r.out);
    tool_run_free(&r);
    unlink(path);
    free(path);
}

START_TEST(alias_bomb_is_a_finding)
{
    char text[4096];
    size_t n = (size_t)snprintf(text, sizeof text, "a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n");
    for (char c = 'b'; c <= 'j'; c++) {
        char p = (char)(c - 1);
        n += (size_t)snprintf(text + n, sizeof text - n, "%c: &%c [*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c]\n",
                              c, c, p, p, p, p, p, p, p, p, p);
    }
    expect_yaml_error(text, n, "alias bomb");
}
END_TEST

START_TEST(deep_nesting_is_a_finding)
{
    size_t depth = 10000;
    char *text = malloc(2 * depth + 8);
    memcpy(text, "a: ", 3);
    memset(text + 3, '[', depth);
    memset(text + 3 + depth, ']', depth);
    text[3 + 2 * depth] = '\n';
    expect_yaml_error(text, 4 + 2 * depth, "nesting deeper");
    free(text);
}
END_TEST

START_TEST(huge_scalar_is_a_finding)
{
    size_t n = 50u << 20;
    char *text = malloc(n + 16);
    memcpy(text, "a: \"", 4);
    memset(text + 4, 'x', n);
    memcpy(text + 4 + n, "\"\n", 2);
    expect_yaml_error(text, n + 6, "exceeds the limit");
    free(text);
}
END_TEST

START_TEST(invalid_utf8_and_binary_are_findings)
{
    const char bad_utf8[] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caf\xc3\x28\n";
    expect_yaml_error(bad_utf8, sizeof bad_utf8 - 1, "invalid UTF-8");
    char garbage[65536];
    unsigned s = 12345;
    for (size_t i = 0; i < sizeof garbage; i++) {
        s = s * 1103515245u + 12345u;
        garbage[i] = (char)(s >> 16);
    }
    expect_yaml_error(garbage, sizeof garbage, "");
}
END_TEST

/* A temporary file of docs small ConfigMaps, every broken_every-th document broken (0:
 * none); the caller unlinks and frees the path. */
static char *many_configmaps(size_t docs, size_t broken_every)
{
    size_t cap = docs * 140, n = 0;
    char *text = malloc(cap);
    for (size_t i = 0; i < docs; i++) {
        if (broken_every && i % broken_every == broken_every - 1)
            n += (size_t)snprintf(text + n, cap - n, "---\nbroken: [%zu\n", i);
        else
            n += (size_t)snprintf(text + n, cap - n,
                                  "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-%zu}\ndata: {k: v}\n", i);
    }
    char *path = write_temp(text, n);
    free(text);
    return path;
}

START_TEST(many_small_documents_stream_through)
{
    /* ~50 MB: 400,000 small ConfigMaps and every 1000th document broken */
    char *path = many_configmaps(400000, 1000);
    const char *args[] = {"--include", "yaml-syntax,duplicate-object", path, NULL};
    tool_run r = lint(args, NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.out, "kubelint: 400 errors, 0 warnings in 399600 objects"), "%.300s",
                  strrchr(r.out, '\n') ? r.out + strlen(r.out) - 200 : r.out);
    tool_run_free(&r);
    unlink(path);
    free(path);
}
END_TEST

/* Out of memory, kubelint says so and exits 2; it never prints a report of what it
 * managed to check as if it were everything. (400,000 objects do not fit in 8 MiB.) */
START_TEST(out_of_memory_is_an_error_not_a_partial_report)
{
    char *path = many_configmaps(400000, 0);
    const tool_limits cap = {8, 0};
    const char *args[] = {path, NULL};
    tool_run r = run_tool_limited("kubelint", args, NULL, NULL, &cap);
    ck_assert_msg(r.status == 2, "exit %d: %.300s", r.status, r.err);
    ck_assert_ptr_nonnull(strstr(r.err, "kubelint: out of memory: the lint is incomplete"));
    ck_assert_str_eq(r.out, "");
    tool_run_free(&r);
    unlink(path);
    free(path);
}
END_TEST

/* ---- what a repository can hold: links, devices, FIFOs, empty folders ---- */

static char tree[64];
static const char *configmap = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {k: v}\n";

static void tree_setup(void)
{
    strcpy(tree, "/tmp/kubelint-tree-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tree));
}

static void tree_teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tree);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", tree);
}

/* tree/name (static buffer, valid until the next call). */
static const char *in_tree(const char *name)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", tree, name);
    return path;
}

static void put(const char *name, const char *text)
{
    FILE *f = fopen(in_tree(name), "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static void link_to(const char *name, const char *target)
{
    ck_assert_int_eq(symlink(target, in_tree(name)), 0);
}

/* Fails unless text contains the printf-formatted want. */
static void said(const char *text, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void said(const char *text, const char *fmt, ...)
{
    char want[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(want, sizeof want, fmt, ap);
    va_end(ap);
    ck_assert_msg(strstr(text, want) != NULL, "no \"%s\" in:\n%s", want, text);
}

START_TEST(links_to_devices_and_fifos_are_errors_not_hangs)
{
    put("cm.yaml", configmap);
    link_to("zero.yaml", "/dev/zero");
    ck_assert_int_eq(mkfifo(in_tree("pipe.yaml"), 0600), 0);
    link_to("to-pipe.yml", "pipe.yaml");
    const char *args[] = {tree, NULL};
    tool_run r = lint(args, NULL);
    ck_assert_int_eq(r.status, 2);
    said(r.err, "kubelint: %s/zero.yaml: symbolic link to a character device, not a regular "
         "file; not read\n", tree);
    said(r.err, "kubelint: %s/pipe.yaml: a FIFO, not a regular file", tree);
    said(r.err, "kubelint: %s/to-pipe.yml: symbolic link to a FIFO", tree);
    /* the regular manifest is still linted and reported */
    ck_assert_ptr_nonnull(strstr(r.out, "in 1 object (1 file)"));
    tool_run_free(&r);
    /* named on the command line, they are refused the same way */
    const char *devices[][2] = {{"/dev/zero", "a character device"},
                                {in_tree("pipe.yaml"), "a FIFO"}};
    for (size_t i = 0; i < 2; i++) {
        const char *one[] = {devices[i][0], NULL};
        r = lint(one, NULL);
        ck_assert_int_eq(r.status, 2);
        ck_assert_msg(strstr(r.err, devices[i][1]) != NULL, "%s", r.err);
        tool_run_free(&r);
    }
}
END_TEST

START_TEST(linked_directories_are_not_followed)
{
    put("cm.yaml", configmap);
    link_to("loop.yaml", ".");
    link_to("usr.yaml", "/usr");
    ck_assert_int_eq(mkdir(in_tree("sub"), 0755), 0);
    link_to("sub/up", "..");
    link_to("sub/cm-again.yaml", "../cm.yaml"); /* a link to a file is read */
    const char *args[] = {"--include", "duplicate-object", tree, NULL};
    tool_run r = lint(args, NULL);
    ck_assert_msg(r.status == 1, "exit %d: %s", r.status, r.err);
    ck_assert_msg(strstr(r.out, "1 error, 0 warnings in 2 objects (2 files)"), "%s", r.out);
    said(r.err, "kubelint: note: %s/loop.yaml: symbolic link to a directory, not followed", tree);
    said(r.err, "kubelint: note: %s/usr.yaml: symbolic link", tree);
    said(r.err, "kubelint: note: %s/sub/up: symbolic link", tree);
    tool_run_free(&r);
    /* given as an argument, a linked directory is linted */
    const char *linked[] = {"--include", "duplicate-object", in_tree("loop.yaml"), NULL};
    r = lint(linked, NULL);
    ck_assert_msg(r.status == 1, "exit %d: %s", r.status, r.err);
    ck_assert_msg(strstr(r.out, "in 2 objects (2 files)"), "%s", r.out);
    tool_run_free(&r);
}
END_TEST

START_TEST(broken_link_is_an_error)
{
    put("cm.yaml", configmap);
    link_to("gone.yaml", "/nonexistent/manifest.yaml");
    const char *args[] = {tree, NULL};
    tool_run r = lint(args, NULL);
    ck_assert_int_eq(r.status, 2);
    said(r.err, "kubelint: %s/gone.yaml: broken symbolic link\n", tree);
    tool_run_free(&r);
}
END_TEST

START_TEST(directory_without_manifests_is_an_error)
{
    const char *args[] = {tree, NULL};
    for (int files = 0; files < 2; files++) {
        if (files) { /* a file that is not a manifest, an empty folder: still nothing */
            put("README.md", "# not a manifest\n");
            ck_assert_int_eq(mkdir(in_tree("empty"), 0755), 0);
        }
        tool_run r = lint(args, NULL);
        ck_assert_int_eq(r.status, 2);
        said(r.err, "kubelint: %s: no *.yaml or *.yml file in this directory; nothing to lint\n",
             tree);
        tool_run_free(&r);
    }
    /* an empty manifest is still a manifest (helm renders some) */
    put("empty/nothing.yaml", "# nothing\n");
    tool_run r = lint(args, NULL);
    ck_assert_int_eq(r.status, 0);
    tool_run_free(&r);
}
END_TEST

START_TEST(file_over_the_size_limit_is_not_read)
{
    put("big.yaml", "");
    ck_assert_int_eq(truncate(in_tree("big.yaml"), (off_t)300 << 20), 0); /* sparse */
    const char *args[] = {in_tree("big.yaml"), NULL};
    tool_run r = lint(args, NULL);
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "big.yaml: larger than 256 MiB; not linted"), "%s", r.err);
    tool_run_free(&r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("kubelint");
    TCase *fx = tcase_create("fixtures");
    tcase_add_loop_test(fx, every_rule_has_a_bad_fixture_with_exact_findings, 0, KL_NRULES);
    tcase_add_test(fx, good_fixtures_have_no_finding_with_every_rule);
    tcase_add_test(fx, no_secret_value_is_printed);
    suite_add_tcase(s, fx);
    TCase *cli = tcase_create("cli");
    tcase_add_test(cli, text_format_names_file_position_rule_and_object);
    tcase_add_test(cli, json_format_is_an_array_of_findings);
    tcase_add_test(cli, sarif_lists_every_rule_with_help);
    tcase_add_test(cli, usage_errors_exit_2);
    tcase_add_test(cli, exclude_and_strict);
    tcase_add_test(cli, broken_document_does_not_stop_the_others);
    tcase_add_test(cli, cross_object_rules_span_files);
    suite_add_tcase(s, cli);
    TCase *lib = tcase_create("library");
    tcase_add_test(lib, rule_mask_parses_lists);
    tcase_add_test(lib, ignore_annotations_need_a_reason);
    tcase_add_test(lib, findings_beyond_the_cap_are_counted);
    suite_add_tcase(s, lib);
    TCase *hostile = tcase_create("hostile");
    tcase_set_timeout(hostile, 300);
    tcase_add_test(hostile, alias_bomb_is_a_finding);
    tcase_add_test(hostile, deep_nesting_is_a_finding);
    tcase_add_test(hostile, huge_scalar_is_a_finding);
    tcase_add_test(hostile, invalid_utf8_and_binary_are_findings);
    tcase_add_test(hostile, many_small_documents_stream_through);
    tcase_add_test(hostile, out_of_memory_is_an_error_not_a_partial_report);
    suite_add_tcase(s, hostile);
    TCase *files = tcase_create("files");
    tcase_set_timeout(files, 60);
    tcase_add_checked_fixture(files, tree_setup, tree_teardown);
    tcase_add_test(files, links_to_devices_and_fifos_are_errors_not_hangs);
    tcase_add_test(files, linked_directories_are_not_followed);
    tcase_add_test(files, broken_link_is_an_error);
    tcase_add_test(files, directory_without_manifests_is_an_error);
    tcase_add_test(files, file_over_the_size_limit_is_not_read);
    suite_add_tcase(s, files);
    return run_suite(s);
}
