/* Check suite for the secretgen binary: rand's encodings, fill (creation from the template,
 * byte-for-byte preservation, idempotence, mode 0600, owner kept, atomicity under a
 * signal, a kill or a failed write), and k8s (the manifest decodes back to the values Compose parses). */
#include <check.h>
#include <ctype.h>
#include <dirent.h>
#include <signal.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_helpers.h"
#include "../secretgen/secretgen.h"
#include "dotenv.h"
#include "yamldoc.h"

static void spit(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static char *chomp(char *s)
{
    size_t n = strlen(s);
    while (n && s[n - 1] == '\n')
        s[--n] = '\0';
    return s;
}

START_TEST(rand_default_is_32_bytes_base64url)
{
    const char *args[] = {"rand", NULL};
    tool_run a = run_tool("secretgen", args, NULL, NULL);
    tool_run b = run_tool("secretgen", args, NULL, NULL);
    ck_assert_int_eq(a.status, 0);
    chomp(a.out);
    chomp(b.out);
    ck_assert_uint_eq(strlen(a.out), 43);
    ck_assert_uint_eq(strspn(a.out, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), 43);
    ck_assert_str_ne(a.out, b.out);
    tool_run_free(&a);
    tool_run_free(&b);
}
END_TEST

START_TEST(rand_hex_and_base64_decode_to_the_asked_length)
{
    const char *hex[] = {"rand", "--bytes", "16", "--encoding", "hex", NULL};
    tool_run r = run_tool("secretgen", hex, NULL, NULL);
    ck_assert_int_eq(r.status, 0);
    chomp(r.out);
    ck_assert_uint_eq(strlen(r.out), 32);
    ck_assert_uint_eq(strspn(r.out, "0123456789abcdef"), 32);
    tool_run_free(&r);
    const char *b64[] = {"rand", "--bytes=20", "--encoding=base64", NULL};
    r = run_tool("secretgen", b64, NULL, NULL);
    ck_assert_int_eq(r.status, 0);
    chomp(r.out);
    unsigned char buf[64];
    int n = EVP_DecodeBlock(buf, (unsigned char *)r.out, (int)strlen(r.out));
    ck_assert_int_eq(n - (r.out[strlen(r.out) - 1] == '=') - (r.out[strlen(r.out) - 2] == '='), 20);
    tool_run_free(&r);
}
END_TEST

START_TEST(rand_rejects_bad_arguments)
{
    const char *cases[][4] = {{"rand", "--bytes", "0", NULL}, {"rand", "--bytes", "x", NULL},
                              {"rand", "--bytes", "5000", NULL}, {"rand", "--encoding", "rot13", NULL},
                              {"nosuch", NULL, NULL, NULL}, {"rand", "--bytes", NULL, NULL}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        tool_run r = run_tool("secretgen", cases[i], NULL, NULL);
        ck_assert_msg(r.status == 2, "case %zu exit %d", i, r.status);
        ck_assert(r.err[0]);
        tool_run_free(&r);
    }
}
END_TEST

/* ---- fill ---- */

static char dir[64], env_path[128], schema[4096];

static void fill_setup(void)
{
    strcpy(dir, "/tmp/secretgen-test-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(env_path, sizeof env_path, "%s/.env", dir);
    snprintf(schema, sizeof schema, "%s", fixture("env/schema.yaml"));
}

static void fill_teardown(void)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "chmod -R u+w '%s' && rm -rf '%s'", dir, dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
}

static tool_run fill(const char *template_path, const char *const *env)
{
    const char *with[] = {"fill", "--schema", schema, "--template", template_path, env_path, NULL};
    const char *without[] = {"fill", "--schema", schema, env_path, NULL};
    return run_tool("secretgen", template_path ? with : without, NULL, env);
}

static const char *template_text =
    "# the template\n"
    "T_CODE=ABC # inline comment kept\n"
    "\n"
    "export T_TOKEN=\"changeme\" # quoted placeholder\n"
    "T_LEVEL=info\n";

START_TEST(fill_creates_from_template_and_keeps_every_other_byte)
{
    char tpl[160];
    snprintf(tpl, sizeof tpl, "%s/template.env", dir);
    spit(tpl, template_text);
    tool_run r = fill(tpl, NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "created"));
    ck_assert_ptr_nonnull(strstr(r.out, "T_TOKEN"));
    tool_run_free(&r);
    struct stat st;
    ck_assert_int_eq(stat(env_path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    char *got = read_file(env_path, NULL);
    /* same text except the quoted value */
    const char *q = strstr(got, "export T_TOKEN=\"");
    ck_assert_ptr_nonnull(q);
    ck_assert_int_eq(memcmp(got, template_text, (size_t)(q - got) + 16), 0);
    const char *end = strchr(q + 16, '"');
    ck_assert_uint_eq((size_t)(end - q - 16), 43);
    ck_assert_str_eq(end, strstr(template_text, "\" # quoted placeholder"));
    /* the value does not appear in the output */
    char value[64];
    memcpy(value, q + 16, 43);
    value[43] = '\0';
    tool_run again = fill(tpl, NULL);
    ck_assert_ptr_null(strstr(again.out, value));
    tool_run_free(&again);
    free(got);
}
END_TEST

START_TEST(fill_twice_changes_nothing)
{
    spit(env_path, "T_TOKEN=\nT_PORT=80\n");
    tool_run r = fill(NULL, NULL);
    ck_assert_int_eq(r.status, 0);
    tool_run_free(&r);
    size_t n1, n2;
    char *first = read_file(env_path, &n1);
    struct stat st1, st2;
    stat(env_path, &st1);
    r = fill(NULL, NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "nothing changed"));
    tool_run_free(&r);
    char *second = read_file(env_path, &n2);
    stat(env_path, &st2);
    ck_assert_uint_eq(n1, n2);
    ck_assert_int_eq(memcmp(first, second, n1), 0);
    ck_assert_uint_eq(st1.st_ino, st2.st_ino); /* not even rewritten */
    free(first);
    free(second);
}
END_TEST

START_TEST(fill_appends_missing_and_fills_bare_keys)
{
    spit(env_path, "T_LEVEL=info");
    tool_run r = fill(NULL, NULL);
    ck_assert_int_eq(r.status, 0);
    tool_run_free(&r);
    char *got = read_file(env_path, NULL);
    ck_assert_int_eq(strncmp(got, "T_LEVEL=info\nT_TOKEN=", 21), 0);
    ck_assert_uint_eq(strlen(got), 21 + 43 + 1);
    free(got);
    spit(env_path, "T_TOKEN\nT_LEVEL=info\n");
    r = fill(NULL, NULL);
    ck_assert_int_eq(r.status, 0);
    tool_run_free(&r);
    got = read_file(env_path, NULL);
    ck_assert_int_eq(strncmp(got, "T_TOKEN=", 8), 0);
    ck_assert_str_eq(got + 8 + 43, "\nT_LEVEL=info\n");
    free(got);
}
END_TEST

START_TEST(fill_keeps_real_secrets_and_skips_non_generated_ones)
{
    const char *text = "T_API_KEY=changeme\nT_TOKEN=Q7vLk2pX9sRw4ZbN8cYt3HmJ\n";
    spit(env_path, text);
    tool_run r = fill(NULL, NULL);
    ck_assert_int_eq(r.status, 0);
    tool_run_free(&r);
    char *got = read_file(env_path, NULL);
    ck_assert_str_eq(got, text);
    free(got);
}
END_TEST

START_TEST(fill_refuses_a_file_with_syntax_errors)
{
    const char *text = "T_TOKEN=\"changeme\nOTHER=1\n";
    spit(env_path, text);
    tool_run r = fill(NULL, NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "unterminated-quote"));
    tool_run_free(&r);
    char *got = read_file(env_path, NULL);
    ck_assert_str_eq(got, text);
    free(got);
}
END_TEST

/* Name of the one .secretgen-* file in dir (static), or NULL when there is none. */
static const char *leftover_temp(void)
{
    static char name[256];
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (!strncmp(e->d_name, ".secretgen-", 11)) {
            snprintf(name, sizeof name, "%s", e->d_name);
            count++;
        }
    closedir(d);
    ck_assert_int_le(count, 1);
    return count ? name : NULL;
}

/* In a child: starts replacing env_path with new secrets, writes them, then gets sig
 * before the rename. Returns the child's wait status. */
static int replace_then_signal(int sig, int ignore_first)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        /* the disposition the test means, whatever the test run inherited (nohup ignores SIGHUP) */
        signal(sig, ignore_first ? SIG_IGN : SIG_DFL);
        secretgen_atomic a;
        char err[256];
        const char *text = "T_TOKEN=new-secret-value\n";
        if (secretgen_atomic_begin(&a, env_path, 0600, err, sizeof err) ||
            secretgen_atomic_write(&a, text, strlen(text), err, sizeof err))
            _exit(3);
        raise(sig);
        _exit(secretgen_atomic_commit(&a, err, sizeof err) ? 4 : 0);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    return status;
}

START_TEST(a_signal_while_replacing_removes_the_temporary_file)
{
    const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    const char *text = "# keep me\nT_TOKEN=changeme\n";
    spit(env_path, text);
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
        int status = replace_then_signal(sigs[i], 0);
        ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == sigs[i], "signal %d: status %d",
                      sigs[i], status);
        ck_assert_msg(leftover_temp() == NULL, "signal %d left %s", sigs[i], leftover_temp());
        char *got = read_file(env_path, NULL);
        ck_assert_str_eq(got, text);
        free(got);
    }
    /* a signal the caller ignores (nohup) stays ignored: the replacement completes */
    int status = replace_then_signal(SIGHUP, 1);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ck_assert_ptr_null(leftover_temp());
    char *got = read_file(env_path, NULL);
    ck_assert_str_eq(got, "T_TOKEN=new-secret-value\n");
    free(got);
}
END_TEST

START_TEST(a_kill_leaves_the_old_file_and_a_private_ignored_temporary)
{
    const char *text = "# keep me\nT_TOKEN=changeme\n";
    spit(env_path, text);
    chmod(env_path, 0640);
    int status = replace_then_signal(SIGKILL, 0);
    ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    char *got = read_file(env_path, NULL);
    ck_assert_str_eq(got, text);
    free(got);
    /* what SIGKILL leaves holds secrets: only its owner reads it, and git ignores it */
    const char *tmp = leftover_temp();
    ck_assert_ptr_nonnull(tmp);
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, tmp);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "cd '%s' && git check-ignore -q --no-index '%s' && "
             "git check-ignore -q --no-index 'deploy/%s'", repo_file("."), tmp, tmp);
    ck_assert_msg(system(cmd) == 0, "%s is not ignored by the repository's .gitignore", tmp);
    unlink(path);
    /* the next run completes the job */
    tool_run r = fill(NULL, NULL);
    ck_assert_int_eq(r.status, 0);
    tool_run_free(&r);
    got = read_file(env_path, NULL);
    ck_assert_int_eq(strncmp(got, "# keep me\nT_TOKEN=", 18), 0);
    ck_assert_ptr_null(strstr(got, "changeme"));
    free(got);
    stat(env_path, &st);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
}
END_TEST

START_TEST(failed_write_leaves_the_old_file_and_no_temporary)
{
    const char *text = "T_TOKEN=changeme\n";
    spit(env_path, text);
    const tool_limits small_files = {0, 8}; /* the new file cannot be written whole */
    const char *args[] = {"fill", "--schema", schema, env_path, NULL};
    tool_run r = run_tool_limited("secretgen", args, NULL, NULL, &small_files);
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "unchanged"));
    tool_run_free(&r);
    char *got = read_file(env_path, NULL);
    ck_assert_str_eq(got, text);
    free(got);
    ck_assert_ptr_null(leftover_temp());
}
END_TEST

/* sudo make secrets must not hand the user's .env to root. */
START_TEST(fill_keeps_the_owner_and_group_of_the_file)
{
    ck_assert_msg(geteuid() == 0, "this test gives the file another owner: run it as root "
                                  "(make test does)");
    spit(env_path, "T_TOKEN=changeme\n");
    ck_assert_int_eq(chown(env_path, 65534, 65534), 0);
    tool_run r = fill(NULL, NULL);
    ck_assert_int_eq(r.status, 0);
    tool_run_free(&r);
    struct stat st;
    ck_assert_int_eq(stat(env_path, &st), 0);
    ck_assert_int_eq(st.st_uid, 65534);
    ck_assert_int_eq(st.st_gid, 65534);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    char *got = read_file(env_path, NULL);
    ck_assert_ptr_null(strstr(got, "changeme"));
    free(got);
}
END_TEST

START_TEST(read_only_directory_is_an_error_not_a_partial_write)
{
    if (geteuid() == 0)
        return; /* root ignores directory permissions; the fault hooks cover this case */
    const char *text = "T_TOKEN=changeme\n";
    spit(env_path, text);
    chmod(dir, 0555);
    tool_run r = fill(NULL, NULL);
    chmod(dir, 0755);
    ck_assert_int_eq(r.status, 2);
    tool_run_free(&r);
    char *got = read_file(env_path, NULL);
    ck_assert_str_eq(got, text);
    free(got);
}
END_TEST

START_TEST(fill_needs_a_schema)
{
    const char *args[] = {"fill", env_path, NULL};
    tool_run r = run_tool("secretgen", args, NULL, NULL);
    ck_assert_int_eq(r.status, 2);
    tool_run_free(&r);
    const char *missing_tpl[] = {"fill", "--schema", schema, "--template", "/nonexistent.env", env_path, NULL};
    r = run_tool("secretgen", missing_tpl, NULL, NULL);
    ck_assert_int_eq(r.status, 2);
    ck_assert_int_ne(access(env_path, F_OK), 0);
    tool_run_free(&r);
}
END_TEST

/* ---- k8s ---- */

static const char *k8s_env =
    "PLAIN=value\n"
    "export QUOTED=\"two words # not a comment\"\n"
    "MULTI=\"line1\nline2\"\n"
    "ESCAPES=\"tab\\there\\\\ \\$HOME\"\n"
    "SINGLE='literal $PLAIN \\n'\n"
    "INTERP=${PLAIN}-${UNSET_VAR:-fallback}\n"
    "DOLLARS=$$x\n"
    "COMMENTED=abc # gone\n"
    "UNICODE=árvíztűrő\n"
    "EMPTY=\n"
    "DUP=first\n"
    "DUP=second\n";

/* Decodes the manifest's data with OpenSSL and compares with the dotenv parse. */
START_TEST(k8s_manifest_decodes_to_the_compose_values)
{
    spit(env_path, k8s_env);
    const char *args[] = {"k8s", "--name", "todo-secrets", "--namespace", "todo", env_path, NULL};
    tool_run r = run_tool("secretgen", args, NULL, NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ydoc_reader *rd = ydoc_reader_from_buffer(r.out, strlen(r.out), 0, NULL);
    ydoc doc;
    ydoc_error err;
    ck_assert_int_eq(ydoc_reader_next(rd, &doc, &err), 1);
    ck_assert_str_eq(ynode_str(ynode_path(doc.root, "apiVersion")), "v1");
    ck_assert_str_eq(ynode_str(ynode_path(doc.root, "kind")), "Secret");
    ck_assert_str_eq(ynode_str(ynode_path(doc.root, "type")), "Opaque");
    ck_assert_str_eq(ynode_str(ynode_path(doc.root, "metadata.name")), "todo-secrets");
    ck_assert_str_eq(ynode_str(ynode_path(doc.root, "metadata.namespace")), "todo");
    const ynode *data = ynode_path(doc.root, "data");
    ck_assert_ptr_nonnull(data);
    dotenv_file f;
    diag_list d;
    diag_list_init(&d);
    ck_assert_int_eq(dotenv_parse(&f, "k8s.env", k8s_env, strlen(k8s_env), dotenv_lookup_environ, NULL, NULL, &d), 0);
    ck_assert_uint_eq(data->len, 11); /* DUP once */
    for (size_t i = 0; i < data->len; i++) {
        const char *key = data->children[2 * i]->value;
        const char *b64 = data->children[2 * i + 1]->value;
        const dotenv_entry *e = dotenv_get(&f, key);
        ck_assert_msg(e != NULL, "unexpected key %s", key);
        size_t n = strlen(b64);
        unsigned char *raw = malloc(n + 4);
        int len = n ? EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)n) : 0;
        ck_assert_int_ge(len, 0);
        if (n && b64[n - 1] == '=')
            len--;
        if (n > 1 && b64[n - 2] == '=')
            len--;
        ck_assert_msg((size_t)len == e->value_len && !memcmp(raw, e->value, e->value_len),
                      "%s decodes to something else", key);
        free(raw);
    }
    ck_assert_str_eq(dotenv_get(&f, "DUP")->value, "second");
    ck_assert_str_eq(dotenv_get(&f, "INTERP")->value, "value-fallback");
    dotenv_free(&f);
    diag_list_free(&d);
    ydoc_free(&doc);
    ydoc_reader_free(rd);
    tool_run_free(&r);
}
END_TEST

START_TEST(k8s_selects_keys_or_schema_secrets)
{
    spit(env_path, "T_TOKEN=Q7vLk2pX9sRw4ZbN8cYt3HmJ\nT_PORT=80\nT_DB_URL=postgresql://u:p@h/db\n");
    const char *by_schema[] = {"k8s", "--name", "s", "--schema", schema, env_path, NULL};
    tool_run r = run_tool("secretgen", by_schema, NULL, NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "  T_TOKEN: "));
    ck_assert_ptr_nonnull(strstr(r.out, "  T_DB_URL: "));
    ck_assert_ptr_null(strstr(r.out, "T_PORT"));
    ck_assert_ptr_null(strstr(r.out, "namespace"));
    tool_run_free(&r);
    const char *by_keys[] = {"k8s", "--name", "s", "--keys", "T_PORT", env_path, NULL};
    r = run_tool("secretgen", by_keys, NULL, NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "  T_PORT: ODA=\n"));
    ck_assert_ptr_null(strstr(r.out, "T_TOKEN"));
    tool_run_free(&r);
    const char *missing[] = {"k8s", "--name", "s", "--keys", "T_PORT,NOPE", env_path, NULL};
    r = run_tool("secretgen", missing, NULL, NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "NOPE"));
    tool_run_free(&r);
}
END_TEST

START_TEST(k8s_rejects_bad_names_and_broken_files)
{
    spit(env_path, "A=1\n");
    const char *bad_name[] = {"k8s", "--name", "Not_Valid", env_path, NULL};
    tool_run r = run_tool("secretgen", bad_name, NULL, NULL);
    ck_assert_int_eq(r.status, 2);
    tool_run_free(&r);
    const char *bad_ns[] = {"k8s", "--name", "ok", "--namespace", "a.b", env_path, NULL};
    r = run_tool("secretgen", bad_ns, NULL, NULL);
    ck_assert_int_eq(r.status, 2);
    tool_run_free(&r);
    const char *no_name[] = {"k8s", env_path, NULL};
    r = run_tool("secretgen", no_name, NULL, NULL);
    ck_assert_int_eq(r.status, 2);
    tool_run_free(&r);
    spit(env_path, "A=\"Hunter5-unterminated\n");
    const char *args[] = {"k8s", "--name", "ok", env_path, NULL};
    r = run_tool("secretgen", args, NULL, NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_null(strstr(r.err, "Hunter5"));
    ck_assert(!r.out[0]);
    tool_run_free(&r);
    spit(env_path, "a[1]=1\n");
    r = run_tool("secretgen", args, NULL, NULL);
    ck_assert_int_eq(r.status, 1);
    tool_run_free(&r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("secretgen");
    TCase *tc = tcase_create("rand");
    tcase_add_test(tc, rand_default_is_32_bytes_base64url);
    tcase_add_test(tc, rand_hex_and_base64_decode_to_the_asked_length);
    tcase_add_test(tc, rand_rejects_bad_arguments);
    suite_add_tcase(s, tc);
    TCase *fc = tcase_create("fill");
    tcase_add_checked_fixture(fc, fill_setup, fill_teardown);
    tcase_add_test(fc, fill_creates_from_template_and_keeps_every_other_byte);
    tcase_add_test(fc, fill_twice_changes_nothing);
    tcase_add_test(fc, fill_appends_missing_and_fills_bare_keys);
    tcase_add_test(fc, fill_keeps_real_secrets_and_skips_non_generated_ones);
    tcase_add_test(fc, fill_refuses_a_file_with_syntax_errors);
    tcase_add_test(fc, a_signal_while_replacing_removes_the_temporary_file);
    tcase_add_test(fc, a_kill_leaves_the_old_file_and_a_private_ignored_temporary);
    tcase_add_test(fc, failed_write_leaves_the_old_file_and_no_temporary);
    tcase_add_test(fc, fill_keeps_the_owner_and_group_of_the_file);
    tcase_add_test(fc, read_only_directory_is_an_error_not_a_partial_write);
    tcase_add_test(fc, fill_needs_a_schema);
    suite_add_tcase(s, fc);
    TCase *kc = tcase_create("k8s");
    tcase_add_checked_fixture(kc, fill_setup, fill_teardown);
    tcase_add_test(kc, k8s_manifest_decodes_to_the_compose_values);
    tcase_add_test(kc, k8s_selects_keys_or_schema_secrets);
    tcase_add_test(kc, k8s_rejects_bad_names_and_broken_files);
    suite_add_tcase(s, kc);
    return run_suite(s);
}
