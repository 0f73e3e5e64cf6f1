/* check_helpers: small helpers the Check suites share (running a tool, fixtures). */
#ifndef TODO_CHECK_HELPERS_H
#define TODO_CHECK_HELPERS_H

#include <check.h>
#include <stddef.h>

typedef struct tool_run {
    int status;     /* exit code, or 128+signal */
    char *out;      /* captured stdout (NUL-terminated, owned) */
    char *err;      /* captured stderr (NUL-terminated, owned) */
} tool_run;

/* Path of a fixture under $TOOLS_FIXTURES (static buffer, valid until the next call). */
const char *fixture(const char *rel);
/* Path of a file of the repository (its root is $TOOLS_FIXTURES/../../..; static buffer,
 * valid until the next call). */
const char *repo_file(const char *name);
/* Runs $TOOLS_BIN/<tool> with argv (NULL-terminated, argv[0] excluded), optional stdin
 * text and extra environment ("K=V" strings, NULL-terminated, may be NULL). */
tool_run run_tool(const char *tool, const char *const *args, const char *stdin_text,
                  const char *const *env);

/* Resource limits for run_tool_limited (0 = none). */
typedef struct tool_limits {
    size_t memory_mib;  /* RLIMIT_AS; under AddressSanitizer (which reserves terabytes of
                         * address space) one allocation larger than this returns NULL
                         * instead (allocator_may_return_null, max_allocation_size_mb) */
    size_t file_bytes;  /* RLIMIT_FSIZE, SIGXFSZ ignored: a longer write fails (EFBIG) */
} tool_limits;

/* run_tool with the child's resources limited. */
tool_run run_tool_limited(const char *tool, const char *const *args, const char *stdin_text,
                          const char *const *env, const tool_limits *limits);
void tool_run_free(tool_run *r);
/* Writes text to a new temporary file and returns its path (owned by the caller). */
char *write_temp(const char *text, size_t len);
/* Reads up to 1 MiB of a file, NUL-terminated (owned by the caller); NULL when it cannot be
 * opened. *len gets the byte count when len is not NULL. */
char *read_file(const char *path, size_t *len);
/* The number that follows label in text; fails the test when label is absent. */
double number_after(const char *text, const char *label);
/* Runs every test of s (Check's normal output) and returns the exit status for main. */
int run_suite(Suite *s);

#endif
